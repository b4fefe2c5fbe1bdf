"""The scenario JSON Schema: every shipped scenario (whole files and ``extends`` variants) is
valid, broken ones are not (and the loader refuses them too), the shipped copy is what
``forecast schema`` writes, and every shipped scenario names it on its first line."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.spec.schema import SCHEMA_FILE, TOP_LEVEL
from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SHIPPED_SCHEMA = ROOT / "scenarios" / SCHEMA_FILE
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"


@pytest.fixture(scope="module")
def schema():
    return forecast.json_schema()


def _errors(schema, data) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    def messages(error):  # with the reasons each alternative of an anyOf failed
        yield f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for inner in error.context or ():
            yield from messages(inner)

    return [m for e in validator.iter_errors(data) for m in messages(e)]


def _data(name: str) -> dict:
    return yaml.safe_load((ROOT / "scenarios" / name).read_text(encoding="utf-8"))


def test_the_schema_is_a_2020_12_schema_with_an_id_and_described_keys(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:forecast-plan-odds:")
    whole = schema["$defs"]["Scenario"]["properties"]
    assert set(whole) | {"extends"} == set(schema["properties"]) == set(TOP_LEVEL)
    for key, entry in schema["properties"].items():
        assert entry.get("description") == TOP_LEVEL[key], key
    assert all(whole[key]["description"] for key in whole)


def test_there_are_whole_files_and_variants_to_check():
    texts = [p.read_text(encoding="utf-8") for p in SCENARIOS]
    assert len(SCENARIOS) >= 5
    assert any("\nextends:" in t for t in texts) and any("\nextends:" not in t for t in texts)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid(schema, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _errors(schema, data) == []


def _broken_cases():
    def drop(d, *keys):
        for key in keys[:-1]:
            d = d[key]
        del d[keys[-1]]

    def put(d, keys, value):
        for key in keys[:-1]:
            d = d[key]
        d[keys[-1]] = value

    return [
        ("base.yaml", lambda d: put(d, ["indicatorz"], {}), "'indicatorz' was unexpected"),
        ("base.yaml", lambda d: put(d, ["draws"], "many"), "'many' is not of type 'integer'"),
        ("base.yaml", lambda d: drop(d, "targets"), "'targets' is a required property"),
        ("base.yaml", lambda d: drop(d, "targets", 0, "indicator"),
         "'indicator' is a required property"),
        ("base.yaml", lambda d: put(d, ["targets", 0, "kind"], "levle"), "is not one of"),
        ("base.yaml", lambda d: put(d, ["indicators", "output", "drfit"], {"loc": 0.1}),
         "'drfit' was unexpected"),
        ("high_investment.yaml", lambda d: put(d, ["levers", "ntm_budget", "valeu"], 3),
         "'valeu' was unexpected"),
        ("high_investment.yaml", lambda d: put(d, ["levers", "ntm_budget", "value"], "lots"),
         "'lots' is not of type 'number'"),
        ("low_growth.yaml", lambda d: drop(d, "shocks", 0, "why"), "'why' is a required property"),
        ("low_growth.yaml", lambda d: put(d, ["indicators"], {"output": {"drift": {
            "dist": "normall", "loc": 0.05}}}), "is not valid under any of the given schemas"),
        ("epidemic_2021.yaml", lambda d: put(d, ["extends"], 3), "3 is not of type 'string'"),
        ("epidemic_2021.yaml", lambda d: put(d, ["seed"], -1), "less than the minimum"),
    ]


@pytest.mark.parametrize("name,mutate,needle", _broken_cases(),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(_broken_cases())])
def test_a_broken_scenario_is_invalid_and_the_loader_refuses_it_too(schema, tmp_path, name,
                                                                     mutate, needle):
    data = _data(name)
    assert _errors(schema, data) == []
    broken = copy.deepcopy(data)
    mutate(broken)
    errors = _errors(schema, broken)
    assert any(needle in e for e in errors), errors
    if isinstance(broken.get("extends"), str):   # the same file beside the shipped parent
        broken["extends"] = str(ROOT / "scenarios" / broken["extends"])
    if "history" in broken:
        broken["history"] = str((ROOT / "scenarios" / broken["history"]).resolve())
    path = tmp_path / name
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(forecast.ScenarioError):
        forecast.load_scenario(path)


def test_the_shipped_schema_is_what_forecast_schema_writes():
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == forecast.json_schema()
    assert SHIPPED_SCHEMA.read_text(encoding="utf-8") == result.output, (
        "scenarios/scenario.schema.json is out of date: forecast schema --output "
        "scenarios/scenario.schema.json")


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_names_the_shipped_schema_on_its_first_line(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == SHIPPED_SCHEMA


def test_the_schema_line_changes_nothing_the_loader_reads(tmp_path):
    text = (ROOT / "scenarios" / "base.yaml").read_text(encoding="utf-8")
    assert text.startswith(MODELINE + "\n")
    history = (ROOT / "data" / "cam_khe" / "history.csv").resolve()
    without = text.split("\n", 1)[1].replace("history: ../data/cam_khe/history.csv",
                                             f"history: {history}")
    assert without != text.split("\n", 1)[1]
    (tmp_path / "plain.yaml").write_text(without, encoding="utf-8")
    (tmp_path / "marked.yaml").write_text(MODELINE + "\n" + without, encoding="utf-8")
    plain = forecast.load_scenario(tmp_path / "plain.yaml")
    marked = forecast.load_scenario(tmp_path / "marked.yaml")
    assert marked.digest() == plain.digest() == forecast.load_scenario(
        ROOT / "scenarios" / "base.yaml").digest()


def test_schema_output_writes_the_file_in_one_move(tmp_path):
    out = tmp_path / "s.schema.json"
    out.write_text("old", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == forecast.json_schema()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.schema.json"]


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_schema_output_to_a_bad_path_exits_2_and_writes_nothing(tmp_path, where):
    target = tmp_path / "no" / "s.json" if where == "missing folder" else tmp_path
    result = CliRunner().invoke(main, ["schema", "--output", str(target)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    if where == "missing folder":
        assert str(tmp_path / "no") in result.output
