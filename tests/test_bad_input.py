"""Bad input: one clear message with file, line and key; exit code 2; nothing written."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
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
    ("      loc: 0.07\n      scale: 0.03\n      why: >-\n        Weak, the prior of the group",
     "      loc: .inf\n      scale: 0.03\n      why: >-\n        Weak, the prior of the group",
     "finite number", "indicators.output.drift.loc"),
    ("      scale: 0.03\n      why: >-\n        Weak, the prior of the group",
     "      scale: -0.03\n      why: >-\n        Weak, the prior of the group",
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
    ('    volatility: {dist: halfnormal, scale: 0.03, why: "Assumption: yearly income growth',
     '    volatility: {dist: integers, low: 0, high: 2, why: "Assumption: yearly income growth',
     "the integers distribution cannot be used here", "indicators.income_per_capita.volatility"),
    ('    volatility: {dist: halfnormal, scale: 0.03, why: "Assumption: yearly income growth',
     '    volatility: {dist: uniform, low: -0.01, high: 0.02, why: "Assumption: yearly income growth',
     "cannot be negative", "indicators.income_per_capita.volatility"),
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
    from forecast.io.netcdf import NetcdfContent

    calls = []

    def explode(self, *args, **kwargs):  # the NetCDF writer the save uses, interrupted
        calls.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(NetcdfContent, "write", explode)
    with pytest.raises(KeyboardInterrupt):
        results.save(tmp_path / "run")
    assert calls  # the interruption happened inside the save
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


# -- class 1: bounded resources ---------------------------------------------------------

def _fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make", [lambda tmp: Path("/dev/zero"), _fifo, lambda tmp: tmp,
                                  lambda tmp: _sparse(tmp, 50_000_000)],
                         ids=["device", "fifo", "folder", "too-big"])
@pytest.mark.parametrize("role", ["history", "scenario"])
def test_files_are_checked_before_they_are_read(workspace, tmp_path, make, role):
    """Non-regular files are never opened for reading, nor files over the stated size."""
    path = make(tmp_path)
    if role == "history":
        text = BASE_TEXT.replace("../data/cam_khe/history.csv", str(path))
        result, scenario, out = _run(workspace, text)
        assert f"{scenario}:" in result.output  # the scenario line that named the file
    else:
        result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "Traceback" not in result.output
    assert re.search("not a regular file|is a directory|at most [0-9,]+ are read",
                     result.output)


def _sparse(tmp_path, size):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


@pytest.mark.parametrize("args,words", [
    (["--draws", "1000000000000"], "--draws"),
    (["--draws", "2000000001"], "--draws"),
    (["--workers", "100000"], "--workers"),
    (["--scheduler", "not a url"], "--scheduler"),
    (["--scheduler", "tcp://host:99999"], "--scheduler"),
    (["--seed", str(2**64)], "--seed"),
    (["--seed", "9" * 5000], "--seed"),
])
def test_flags_have_the_bounds_of_the_scenario_file(workspace, args, words):
    path = workspace / "scenarios" / "case.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(workspace / "out")] + args)
    assert result.exit_code == 2 and words in result.output, result.output
    assert "Traceback" not in result.output and not (workspace / "out").exists()
    assert time.monotonic() - started < 20  # refused before anything is calibrated or started


def test_one_bound_for_draws_and_workers_wherever_they_come_from():
    from forecast.limits import MAX_DRAWS, max_workers

    scenario = forecast.load_scenario(BASE)
    for call in (lambda: forecast.simulate(scenario, draws=MAX_DRAWS + 1),
                 lambda: forecast.simulate(scenario.with_options(draws=10**12)),
                 lambda: forecast.simulate(scenario, draws=500, workers=max_workers() + 1),
                 lambda: forecast.simulate(scenario, draws=500, scheduler="localhost")):
        with pytest.raises(forecast.InputError):
            call()
    text = BASE_TEXT.replace("draws: 20000", f"draws: {MAX_DRAWS + 1}")
    with pytest.raises(forecast.ScenarioError, match="draws"):
        forecast.spec.scenario.parse_scenario(yaml.safe_load(text))


def test_run_says_when_workers_will_not_be_used(workspace, monkeypatch):
    monkeypatch.setattr("forecast.limits.max_workers", lambda: 8)
    path = workspace / "scenarios" / "case.yaml"
    path.write_text(BASE_TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--draws", "300", "--workers", "2",
                                       "--out", str(workspace / "out")])
    assert result.exit_code == 0, result.output
    assert "--workers 2:" in result.output and "not started" in result.output


# -- class 2: no silently wrong numbers -------------------------------------------------

WRONG_NUMBERS = [
    # history rows: written as the format does not define numbers, or outside the domain
    ("history", "value_added,average_growth,2015,2020,9.02,", "value_added,average_growth,2015,2020,9_02,", "value"),
    ("history", "value_added,average_growth,2015,2020,9.02,", "value_added,average_growth,2015,2020,9.02e999,", "value"),
    ("history", "value_added,average_growth,2015,2020,", "value_added,average_growth,2015,999999,", "year_end"),
    ("history", "value_added,average_growth,2015,2020,", "value_added,average_growth,15,2020,", "year"),
    ("history", "level,2019,,9.89,%", "level,2019,,150,%", "value"),
    ("history", "level,2019,,9.89,%", "level,2019,,-9.89,%", "value"),
    ("history", "poor_household_rate_2016_2020_standard,change,2019,,-2.83,points",
     "poor_household_rate_2016_2020_standard,change,2019,,-283,points", "value"),
    # scenario values: booleans are not numbers, YAML 1.1 digit forms are refused
    ("scenario", "    at_least: 970", "    at_least: true", "at_least"),
    ("scenario", "draws: 20000", "draws: 20_000", "draws"),
    ("scenario", "draws: 20000", "draws: 1:20", "draws"),
    ("scenario", "draws: 20000", "draws: 020000", "draws"),
]


@pytest.mark.parametrize("where,old,new,key", WRONG_NUMBERS)
def test_numbers_are_read_as_written_and_checked_against_their_domain(workspace, where, old,
                                                                      new, key):
    if where == "history":
        assert old in GOOD, old
        history = GOOD.replace(old, new, 1)
        result, _, out = _run(workspace, BASE_TEXT, history=history)
        line = _line_of(history, new)
        assert f"history.csv:{line}: {key}" in result.output, result.output
    else:
        assert old in BASE_TEXT, old
        text = BASE_TEXT.replace(old, new, 1)
        result, path, out = _run(workspace, text)
        assert f"{path}:{_line_of(text, new)}:" in result.output, result.output
        assert key in result.output
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()


def test_no_evidence_row_is_dropped_without_an_error_or_allow_unused(workspace):
    """A row the reading cannot use (a change with no level to anchor it) is an error; with
    --allow-unused the run goes on and prints the row."""
    extra = ("poor_household_rate_2016_2020_standard,change,2012,,-1.0,points,test source,"
             "a change far from any level,,\n")
    history = GOOD + extra
    result, _, out = _run(workspace, BASE_TEXT, history=history)
    line = len(history.splitlines())
    assert result.exit_code == 2, result.output
    assert f"history.csv:{line}:" in result.output and "--allow-unused" in result.output
    assert not out.exists()
    path = workspace / "scenarios" / "case.yaml"
    allowed = CliRunner().invoke(main, ["run", str(path), "--draws", "300", "--out", str(out),
                                        "--allow-unused"])
    assert allowed.exit_code == 0, allowed.output
    assert f"Not used (--allow-unused): {workspace / 'data' / 'cam_khe' / 'history.csv'}:{line}" \
        in allowed.output


# -- class 3: text that validates, then crashes ------------------------------------------

TEXTS = [
    "[red]alarm[/red] and [/] and [low, high]",
    "cost $5$ to $\\frac{1}{0}$ and $$",
    ":warning: 100 % [bold]",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_from_files_is_data_in_the_terminal_and_in_charts(workspace, tmp_path, text):
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    scenario = BASE_TEXT.replace(
        "    label: {en: Total budget revenue 2025 ≥ 970 billion VND, vi: Tổng thu ngân sách "
        "năm 2025 đạt 970 tỷ đồng}", f'    label: "{quoted}"', 1).replace(
        "    label: {en: Value added, vi: Giá trị tăng thêm}", f'    label: "{quoted}"', 1)
    assert scenario.count(text.split()[0]) >= 2
    result, _, out = _run(workspace, scenario)
    assert result.exit_code == 0, result.output
    assert text in result.output  # printed as written, markup off
    chart = CliRunner().invoke(main, ["plot", str(out), "output", "-o", str(tmp_path / "f.png")])
    assert chart.exit_code == 0, chart.output
    report = CliRunner().invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output


CONTROL = ["\\e]0;pwned\\a", "\\e[2J", "\\0", "\\ud800", "\\x85", "\\x9b31m"]


@pytest.mark.parametrize("escape", CONTROL)
def test_control_characters_are_refused_at_validation(workspace, escape):
    text = BASE_TEXT.replace(
        'why: "Assumption: yearly income growth', f'why: "{escape} Assumption: yearly '
        'income growth', 1)
    result, path, out = _run(workspace, text, command="validate")
    assert result.exit_code == 2, result.output
    assert f"{path}:{_line_of(text, escape)}: indicators.income_per_capita.volatility.why" in \
        result.output and "control character" in result.output
    assert "\x1b" not in result.output


@pytest.mark.parametrize("cell", ["note", "source", "unit"])
def test_control_characters_and_huge_cells_in_history_files(workspace, cell):
    index = ["indicator", "kind", "year", "year_end", "value", "unit", "source", "note"].index(cell)
    import csv
    import io

    lines = GOOD.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("population,level,2015"))
    for bad, words in (("x\x1b]0;title\x07", "control character"), ("x" * 300_000, "at most")):
        fields = next(csv.reader([lines[row]]))
        fields[index] = bad
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(fields)
        history = "\n".join(lines[:row] + [buffer.getvalue()] + lines[row + 1:]) + "\n"
        result, _, out = _run(workspace, BASE_TEXT, history=history)
        assert result.exit_code == 2, result.output
        assert f"history.csv:{row + 1}: " in result.output and words in result.output
        assert "\x1b" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("name", ["year", "draw", "target", "quantile", "indicator", "met",
                                  "summary_fan", "summary_anything"])
def test_reserved_names_are_refused_as_indicators(workspace, name):
    text = BASE_TEXT.replace("  price_level:\n", f"  {name}:\n", 1).replace(
        "[output, price_level]", f"[output, {name}]")
    result, path, _ = _run(workspace, text, command="validate")
    assert result.exit_code == 2, result.output
    assert f"{path}:{_line_of(text, f'  {name}:')}: indicators.{name}" in result.output
    assert "reserved" in result.output


def test_huge_fields_and_huge_integers_are_bounded(workspace):
    for old, new, words in (("seed: 20200624", "seed: " + "7" * 5000, "at most 40"),
                            ("name: base", "name: base\ndescription: " + "x" * 300_000,
                             "at most 10,000")):
        text = BASE_TEXT.replace(old, new, 1)
        if "description: x" in new:
            text = text.replace("\ndescription: The", "\nunused_description: The", 1).replace(
                "\nunused_description", "\n# description", 1)
        result, _, _ = _run(workspace, text, command="validate")
        assert result.exit_code == 2 and words in result.output, result.output[:500]


# -- class 6: YAML structure -------------------------------------------------------------

@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000 + "\n",
                                  "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
                                  "".join("  " * i + "- \n" for i in range(300))])
def test_deep_documents_are_refused_before_they_are_built(workspace, text):
    result, path, _ = _run(workspace, text, command="validate")
    assert result.exit_code == 2, result.output[-500:]
    assert "nested deeper" in result.output and f"{path}:" in result.output


def test_an_extends_loop_names_its_line(workspace):
    folder = workspace / "scenarios"
    (folder / "a.yaml").write_text("# first\nextends: b.yaml\nname: a\n", encoding="utf-8")
    (folder / "b.yaml").write_text("name: b\n\nextends: a.yaml\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(folder / "a.yaml")])
    assert result.exit_code == 2 and "loop" in result.output
    assert f"{(folder / 'b.yaml').resolve()}:3: extends" in result.output, result.output


def test_a_missing_history_file_names_the_scenario_line(workspace):
    text = BASE_TEXT.replace("../data/cam_khe/history.csv", "../data/nowhere/history.csv")
    result, path, _ = _run(workspace, text)
    assert result.exit_code == 2
    assert "nowhere" in result.output
    assert f"{path}:{_line_of(text, 'history: ')}: history" in result.output, result.output


# -- class 7: the scheduler address ------------------------------------------------------

@pytest.mark.parametrize("address", ["not a url", "localhost:8786", "http://host:8786",
                                     "tcp://host", "tcp://:8786", "tcp://host:0"])
def test_scheduler_addresses_are_checked_before_connecting(address):
    from forecast.limits import check_scheduler

    with pytest.raises(forecast.InputError, match="tcp://10.0.0.5:8786"):
        check_scheduler(address)
    assert check_scheduler("tcp://10.0.0.5:8786") and check_scheduler("tls://[::1]:8786")
