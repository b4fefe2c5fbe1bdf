"""Bad input: one clear message with file, line and key; exit code 2; nothing written."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from conftest import BASE, ROOT

BASE_TEXT = BASE.read_text(encoding="utf-8")


@pytest.fixture
def workspace(tmp_path):
    """A copy of scenarios/ and data/ so that relative paths resolve."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "scenarios").mkdir()
    return tmp_path


def _run(workspace, text: str, *, history: str | bytes | None = None, command: str = "run"):
    path = workspace / "scenarios" / "case.yaml"
    path.write_text(text, encoding="utf-8")
    if history is not None:
        target = workspace / "data" / "cam_khe" / "history.csv"
        target.write_bytes(history if isinstance(history, bytes) else history.encode("utf-8"))
    out = workspace / "out"
    args = [command, str(path)] + (["--out", str(out), "--draws", "300"] if command == "run" else [])
    result = CliRunner().invoke(main, args)
    return result, path, out


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


SCENARIO_CASES = [
    # (replace this, with this, expected words in the message, key path)
    ("draws: 20000", "draws: 0", "greater than 0", "draws"),
    ("draws: 20000", "draws: -3", "greater than 0", "draws"),
    ("seed: 20200624", "seed: 1.5", "integer", "seed"),
    ("seed: 20200624", "seed: twelve", "integer", "seed"),
    ("horizon: 2025", "horizon: .nan", "finite number", "horizon"),
    ("      loc: 0.07\n", "      loc: .inf\n", "finite number", "indicators.output.drift.loc"),
    ("      scale: 0.03\n      why: Phú Thọ province", "      scale: -0.03\n      why: Phú Thọ province",
     "greater than 0", "indicators.output.drift.scale"),
    ("    probability: 0.05", "    probability: 1.5", "less than or equal to 1",
     "indicators.output.jump.probability"),
    ("      low: 0.55\n      high: 0.80", "      low: 0.55\n      high: 1.20", "outside the range",
     "indicators.paved_road_share"),
    ("      low: 0.06\n      high: 0.14", "      low: 0.06\n      high: 1.4", "outside the range",
     "indicators.poverty_rate"),
    ("    model: growth\n    unit: billion VND", "    model: grwoth\n    unit: billion VND",
     "Did you mean 'growth'", "indicators.output"),
    ("    at_least: 970", "    at_least: 970\n    at_most: 5", "exactly one", "targets[0]"),
    ("    indicator: budget_revenue\n    kind: level", "    indicator: budget_revenu\n    kind: level",
     "Did you mean 'budget_revenue'", "targets[0].indicator"),
    ("    year: 2025\n    at_least: 970", "    year: 2030\n    at_least: 970", "outside",
     "targets[0].year"),
    ("    inputs: [output, price_level]\n    evidence: [budget_revenue_total]",
     "    inputs: [output, price_level, income_per_capita]\n    evidence: [budget_revenue_total]",
     "cycle", "inputs"),
    ("indicators:\n  output:", "indicators: 5\nunused:\n  output:", "mapping", "indicators"),
    ("region: Cẩm Khê district, Phú Thọ province, Vietnam\n", "", "missing required key 'region'",
     "region"),
    ("    units: 23", "    units: 23\n    unit_count: 23", "unknown key 'unit_count'",
     "indicators.ntm_communes.unit_count"),
    ("    evidence: [value_added]", "    evidence: [value_add]", "Did you mean 'value_added'",
     "indicators.output.evidence"),
    # a volatility's distribution must have a density and no negative values
    ('    volatility: {dist: halfnormal, scale: 0.015, why: "Assumption: yearly inflation rarely',
     '    volatility: {dist: integers, low: 0, high: 2, why: "Assumption: yearly inflation rarely',
     "the integers distribution cannot be used here", "indicators.price_level.volatility"),
    ('    volatility: {dist: halfnormal, scale: 0.015, why: "Assumption: yearly inflation rarely',
     '    volatility: {dist: uniform, low: -0.01, high: 0.02, why: "Assumption: yearly inflation rarely',
     "cannot be negative", "indicators.price_level.volatility"),
]


@pytest.mark.parametrize("old,new,words,key", SCENARIO_CASES)
def test_bad_scenario_values(workspace, old, new, words, key):
    assert old in BASE_TEXT, old
    text = BASE_TEXT.replace(old, new, 1)
    if "income_per_capita]" in new:  # close the cycle: income reads revenue
        text = text.replace("    model: elasticity\n    unit: million VND/person\n",
                            "    model: elasticity\n    unit: million VND/person\n", 1).replace(
            "    inputs: [output, price_level]\n    evidence: [income_per_capita]",
            "    inputs: [output, price_level, budget_revenue]\n    evidence: [income_per_capita]")
    result, path, out = _run(workspace, text)
    assert result.exit_code == 2, result.output
    message = result.output
    assert "Traceback" not in message
    assert words in message, message
    assert key in message, message
    assert re.search(rf"{re.escape(str(path))}:\d+", message), message
    assert not out.exists()


def test_line_number_points_at_the_bad_key(workspace):
    text = BASE_TEXT.replace("    probability: 0.05", "    probability: 1.5", 1)
    result, path, _ = _run(workspace, text)
    assert f"{path}:{_line_of(text, 'probability: 1.5')}:" in result.output


HEADER = "indicator,kind,year,year_end,value,unit,source,note\n"
GOOD = (ROOT / "data" / "cam_khe" / "history.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("history,words", [
    ("", "empty"),
    (HEADER, "no data rows"),
    (b"indicator,kind\n\xff\xfe bad", "not UTF-8"),
    (GOOD + GOOD.splitlines()[-1] + "\n", "duplicate row"),
    (GOOD.replace(",9.02,", ",nine,"), "expected a finite number"),
    (GOOD.replace("value_added,average_growth,2015,2020,9.02,%/yr",
                  "value_added,average_growth,2015,2020,9.02,billion VND"), "unit"),
    (GOOD.replace("income_per_capita,level,2020,,31.2,million VND/person",
                  "income_per_capita,level,2020,,31.2,thousand VND/person"), "disagrees"),
    (GOOD.replace("indicator,kind,", "indicatr,kind,"), "Did you mean 'indicator'"),
])
def test_bad_history(workspace, history, words):
    result, _, out = _run(workspace, BASE_TEXT, history=history)
    assert result.exit_code == 2, result.output
    assert words in result.output and "history.csv" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_history_file(workspace):
    result, _, _ = _run(workspace, BASE_TEXT.replace("../data/cam_khe/history.csv",
                                                     "../data/nowhere/history.csv"))
    assert result.exit_code == 2 and "cannot read the history file" in result.output


def test_deep_and_huge_documents_are_refused(workspace):
    deep = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)) + "  " * 60 + "v: 1\n"
    result, _, _ = _run(workspace, deep, command="validate")
    assert result.exit_code == 2 and "nested deeper" in result.output
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh"))
    result, _, _ = _run(workspace, bomb, command="validate")
    assert result.exit_code == 2 and "too large" in result.output


def test_python_tags_cannot_run_code(workspace, tmp_path):
    marker = tmp_path / "pwned"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\n"
    result, _, _ = _run(workspace, text, command="validate")
    assert result.exit_code == 2 and "not allowed" in result.output
    assert not marker.exists()


def test_non_finite_result_names_component_year_and_parameters(workspace):
    text = BASE_TEXT.replace("        loc: -0.05\n        scale: 0.02", "        loc: 900\n        scale: 1", 1)
    assert text != BASE_TEXT
    result, _, out = _run(workspace, text)
    assert result.exit_code == 2, result.output
    assert "indicator 'output'" in result.output and re.search(r"in 202[1-5]", result.output)
    assert "drift" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_interrupted_save_leaves_nothing(tmp_path, monkeypatch):
    results = forecast.simulate(BASE, draws=200, seed=1)
    import xarray as xr

    def explode(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_netcdf", explode)
    with pytest.raises(KeyboardInterrupt):
        results.save(tmp_path / "run")
    assert not (tmp_path / "run").exists()
    assert list(tmp_path.iterdir()) == []


def test_debug_flag_shows_the_traceback(workspace):
    text = BASE_TEXT.replace("draws: 20000", "draws: 0")
    path = workspace / "scenarios" / "case.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--debug", "validate", str(path)])
    assert isinstance(result.exception, forecast.ScenarioError)


def test_force_never_deletes_files_the_tool_did_not_write(tmp_path, monkeypatch):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious.txt").write_text("x")
    result = CliRunner().invoke(main, ["run", str(BASE), "--draws", "200", "--out", str(keep),
                                       "--force"])
    assert result.exit_code == 2 and "precious.txt" in result.output
    assert (keep / "precious.txt").exists()
    monkeypatch.chdir(keep)
    result = CliRunner().invoke(main, ["run", str(BASE), "--draws", "200", "--out", ".",
                                       "--force"])
    assert result.exit_code == 2 and "working folder" in result.output
    assert (keep / "precious.txt").exists()


def test_observed_base_level_outside_the_model_range_is_located(workspace):
    history = GOOD.replace("income_per_capita,level,2020,,31.2,", "income_per_capita,level,2020,,-31.2,")
    result, _, _ = _run(workspace, BASE_TEXT, history=history)
    assert result.exit_code == 2, result.output
    line = _line_of(history, "income_per_capita,level,2020")
    assert f"history.csv:{line}: value" in result.output and "cannot start" in result.output


def test_level_target_in_the_base_year_is_refused(workspace):
    text = BASE_TEXT.replace("    year: 2025\n    at_least: 970", "    year: 2020\n    at_least: 970")
    result, _, _ = _run(workspace, text, command="validate")
    assert result.exit_code == 2 and "targets[0].year" in result.output


def test_validate_reads_history_files_and_reports_bad_rows(tmp_path):
    good = CliRunner().invoke(main, ["validate", str(ROOT / "data" / "cam_khe" / "history.csv")])
    assert good.exit_code == 0 and "valid history" in good.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "x,level,2020,,abc,units,src,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2 and f"{bad}:2: value" in result.output
