"""What a notebook needs: scenarios and histories built in Python, checked like files; short
reprs and HTML tables; the analyses taking a path, a dict or a Scenario; charts that show."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

import forecast
from conftest import BASE, ROOT

HISTORY = ROOT / "data" / "cam_khe" / "history.csv"
PHU_THO = ROOT / "scenarios" / "phu_tho.yaml"
DRAWS = 600


@pytest.fixture(scope="module")
def base():
    return forecast.load_scenario(BASE)


@pytest.fixture
def raw():
    """The base scenario as plain data, as its file writes it."""
    return yaml.safe_load(BASE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(HISTORY)


# -- Scenario.from_dict ---------------------------------------------------------------------

def test_from_dict_is_the_scenario_its_file_gives(base, raw):
    built = forecast.Scenario.from_dict(raw, base_dir=BASE.parent)
    assert built.digest() == base.digest()
    assert built.history == base.history == str(HISTORY)  # resolved against base_dir


def test_from_dict_resolves_paths_against_the_working_folder_by_default(raw, monkeypatch):
    monkeypatch.chdir(ROOT / "scenarios")
    assert forecast.Scenario.from_dict(raw).history == str(HISTORY)


def test_plain_construction_fails_where_from_dict_works(raw):
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        forecast.Scenario(**raw)
    forecast.Scenario.from_dict(raw, base_dir=BASE.parent)


@pytest.mark.parametrize("change,words", [
    (lambda d: d.update(draws=-5), "<dict>: draws: "),
    (lambda d: d.update(seed="abc"), "<dict>: seed: "),
    (lambda d: d["indicators"]["output"].update(drfit=1), "indicators.output.drfit: unknown key "
                                                          "'drfit'. Did you mean 'drift'?"),
    (lambda d: d.pop("base_year"), "missing required key 'base_year'"),
    (lambda d: d.update(horizon=2023), "lies outside the simulated years"),
    (lambda d: d.update(extends="base.yaml"), "<dict>: extends: "),
])
def test_from_dict_refuses_what_a_file_refuses_naming_the_key(raw, change, words):
    change(raw)
    with pytest.raises(forecast.ScenarioError) as caught:
        forecast.Scenario.from_dict(raw, base_dir=BASE.parent)
    assert words in str(caught.value)


def test_from_dict_refuses_what_is_not_a_mapping():
    with pytest.raises(forecast.ScenarioError, match="found list; expected a mapping"):
        forecast.Scenario.from_dict([1, 2])


# -- History.from_frame -----------------------------------------------------------------------

def _fields(rows):
    return [(r.indicator, r.kind, r.year, r.year_end, r.value, r.unit, r.source, r.note, r.status,
             r.error, r.error_relative) for r in rows]


def test_a_frame_gives_the_rows_of_its_file(frame):
    from_file = forecast.read_history(HISTORY)
    assert _fields(forecast.History.from_frame(frame).rows) == _fields(from_file.rows)
    as_text = pd.read_csv(HISTORY, dtype=str, keep_default_na=False)
    assert _fields(forecast.History.from_frame(as_text).rows) == _fields(from_file.rows)
    records = frame.to_dict("records")
    assert _fields(forecast.History.from_frame(records).rows) == _fields(from_file.rows)


def test_plain_rows_take_the_columns_in_order():
    rows = [("output", "level", 2020, None, 4200, "billion VND", "statistics office", "")]
    row = forecast.History.from_frame(rows).rows[0]
    assert (row.indicator, row.year, row.year_end, row.value, row.line) == \
        ("output", 2020, None, 4200.0, 0)


def test_bad_cells_are_named_by_row_and_column(frame):
    bad = frame.astype({"value": object}).rename(index=lambda i: i + 100)
    bad.loc[102, "value"] = "abc"
    bad.loc[104, "kind"] = "levle"
    with pytest.raises(forecast.DataError) as caught:
        forecast.History.from_frame(bad)
    text = str(caught.value)
    assert "<frame>: row 102: value: found 'abc'; expected a finite number" in text
    assert "row 104: kind: found 'levle'" in text and "Did you mean 'level'?" in text
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize("table,words", [
    (lambda f: f.drop(columns=["source"]), "missing column(s) source"),
    (lambda f: f.rename(columns={"note": "notes"}), "unknown column 'notes'. Did you mean 'note'?"),
    (lambda f: f.iloc[:0], "no data rows"),
    (lambda f: [("output", "level", 2020)], "row 0: found 3 cells; expected 8"),
    (lambda f: "history.csv", "found str; expected a pandas DataFrame"),
])
def test_bad_tables_are_refused(frame, table, words):
    with pytest.raises(forecast.DataError) as caught:
        forecast.History.from_frame(table(frame))
    assert words in str(caught.value)


# -- simulating with no history file ---------------------------------------------------------

def test_a_scenario_from_a_dict_and_a_frame_simulates_as_the_files_do(raw, frame):
    del raw["history"]
    built = forecast.Scenario.from_dict(raw, history=frame)
    assert built.history_data is not None and built.history == "<frame>"
    plain = forecast.simulate(BASE, draws=DRAWS, seed=5)
    for run in (forecast.simulate(built, draws=DRAWS, seed=5),
                forecast.simulate(BASE, draws=DRAWS, seed=5, history=frame),
                forecast.simulate(forecast.load_scenario(BASE).with_history(frame.to_dict("records")),
                                  draws=DRAWS, seed=5)):
        for name in plain.indicators:
            np.testing.assert_array_equal(run.path(name), plain.path(name))


def test_a_carried_history_survives_with_options(raw, frame):
    del raw["history"]
    built = forecast.Scenario.from_dict(raw, history=frame).with_options(draws=DRAWS, seed=2)
    assert built.history_data is not None
    assert forecast.simulate(built).draws == DRAWS


def test_model_and_history_together_are_refused(model, frame):
    with pytest.raises(forecast.InputError, match="history: give either model"):
        forecast.simulate(BASE, model=model, history=frame, draws=DRAWS)


def test_update_uses_the_history_a_scenario_carries():
    from_file = forecast.update(PHU_THO, draws=DRAWS, seed=4)
    scenario = forecast.load_scenario(PHU_THO)
    carried = scenario.with_history(pd.read_csv(scenario.history_path))
    in_memory = forecast.update(carried, draws=DRAWS, seed=4)
    assert [c["probability_now"] for c in in_memory.changes()] == \
        [c["probability_now"] for c in from_file.changes()]


# -- with_options ------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,words", [
    ({"draws": -5}, "draws: found -5; expected a whole number of draws from 1 to"),
    ({"draws": 2.5}, "draws: found 2.5"),
    ({"seed": "abc"}, "seed: found 'abc'; expected a whole number"),
    ({"seed": -1}, "seed: expected a whole number from 0 to 2**63 - 1"),
    ({"dras": 100}, "dras: unknown setting 'dras'. Did you mean 'draws'?"),
    ({"horizon": "soon"}, "horizon: "),
    ({"horizon": 2023}, "targets[0].year: 2025-2025 lies outside the simulated years"),
])
def test_with_options_refuses_bad_settings_naming_them(base, changes, words):
    with pytest.raises(forecast.ScenarioError) as caught:
        base.with_options(**changes)
    assert words in str(caught.value)


def test_with_options_keeps_the_file_and_changes_what_is_asked(base):
    changed = base.with_options(draws=1234, seed=9, horizon=2026)
    assert (changed.draws, changed.seed, changed.horizon) == (1234, 9, 2026)
    assert changed.file == base.file and changed.locate("targets", 0) == base.locate("targets", 0)
    assert base.draws != 1234  # the original is untouched


# -- reprs -------------------------------------------------------------------------------------

def test_the_scenario_repr_is_a_few_lines_of_what_it_holds(base):
    text = repr(base)
    lines = text.splitlines()
    assert len(text) < 600 and len(lines) <= 7 and max(map(len, lines)) <= 100
    assert f"'{base.name}'" in lines[0] and base.region in lines[0]
    assert f"base year {base.base_year}" in text and f"{base.horizon}" in text
    assert f"indicators ({len(base.indicators)})" in text
    assert f"targets ({len(base.targets)})" in text
    assert str(base) == text


def test_the_scenario_html_lists_every_target_escaped(raw):
    raw["region"] = "<script>x</script> district"
    scenario = forecast.Scenario.from_dict(raw, base_dir=BASE.parent)
    html = scenario._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert all(t.id in html for t in scenario.targets)
    assert html.count("<tr>") == len(scenario.targets) + 1


def test_the_scenario_html_speaks_either_language(base):
    vi = base.to_html("vi")
    assert "Kịch bản" in vi and "Ngưỡng" in vi and "năm gốc" in vi
    assert "Threshold" not in vi and "at least" not in vi and "base year" not in vi
    assert "tỷ đồng" in vi and "billion VND" in base.to_html()  # thresholds carry their unit
    assert base._repr_html_() == base.to_html("en")


def test_the_results_text_speaks_either_language(comparison):
    run = comparison.runs[0]
    assert repr(run) == run.text("en") and "all together" in repr(run)
    vi = run.text("vi")
    assert "Kết quả của kịch bản" in vi and "lần mô phỏng" in vi and "đạt tất cả" in vi
    assert "draws" not in vi and "together" not in vi and "targets" not in vi


@pytest.fixture(scope="module")
def comparison():
    return forecast.compare([BASE, ROOT / "scenarios" / "low_growth.yaml"], draws=DRAWS, seed=3)


def test_the_comparison_repr_has_a_line_per_target(comparison):
    lines = repr(comparison).splitlines()
    assert len(lines) == 1 + len(comparison.target_ids)
    assert lines[0].startswith("Comparison of 2 runs against base") and "common seed 3" in lines[0]
    record = next(r for r in comparison.records()
                  if r["scenario"] == "low_growth" and r["target"] == "revenue_2025")
    line = next(x for x in lines if x.strip().startswith("revenue_2025:"))
    assert f"{100 * record['difference']:+.1f} ± {100 * record['difference_se']:.1f} pts" in line


def test_the_comparison_html_is_the_table(comparison):
    html = comparison._repr_html_()
    assert html.count("<tr>") == 1 + len(comparison.records())
    assert all(t in html for t in comparison.target_ids) and "low_growth" in html
    assert "chênh lệch" in comparison.to_html("vi")


def test_compare_takes_dicts_and_scenarios_alike(raw, base, comparison):
    low = forecast.load_scenario(ROOT / "scenarios" / "low_growth.yaml")
    again = forecast.compare([forecast.Scenario.from_dict(raw, base_dir=BASE.parent), low],
                             draws=DRAWS, seed=3)
    assert again.records() == comparison.records()
    with pytest.raises(forecast.InputError, match="items: found 1 item"):
        forecast.compare([base])
    with pytest.raises(forecast.InputError, match="items: found str"):
        forecast.compare(str(BASE))


# -- solve -------------------------------------------------------------------------------------

def test_solve_takes_a_path_and_names_parameters_not_flags(base):
    by_path = forecast.solve(BASE, target="roads_2025", lever="extra_road_share", draws=DRAWS,
                             seed=1)
    by_scenario = forecast.solve(base, target="roads_2025", lever="extra_road_share",
                                 draws=DRAWS, seed=1)
    assert by_path.to_json() == by_scenario.to_json()
    text = repr(by_path)
    assert by_path.message in text and len(text.splitlines()) == 2
    assert f"{len(by_path.trials)} simulations of {DRAWS} draws" in text
    assert by_path._repr_html_().count("<tr>") == 1 + len(by_path.trials)
    for changes, key in (({"lever": "extra_road_shar"}, "lever"), ({"draws": -5}, "draws"),
                         ({"seed": "abc"}, "seed"), ({"probability": 1.5}, "probability")):
        arguments = {"target": "roads_2025", "lever": "extra_road_share", **changes}
        with pytest.raises(forecast.InputError) as caught:
            forecast.solve(BASE, **arguments)
        assert f": {key}: " in str(caught.value) and "--" not in str(caught.value)


def test_a_scenario_argument_of_another_type_is_refused():
    with pytest.raises(forecast.InputError, match="scenario: found int 5; expected a Scenario"):
        forecast.solve(5, target="roads_2025", lever="extra_road_share")


# -- write_report ------------------------------------------------------------------------------

def test_write_report_writes_the_html_report(tmp_path, comparison):
    path = forecast.write_report(list(comparison.runs), tmp_path / "report.html", lang="vi")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and 'lang="vi"' in text
    with pytest.raises(forecast.InputError, match="path: the report is an HTML page"):
        forecast.write_report(comparison.runs[0], tmp_path / "report.txt")
    with pytest.raises(forecast.InputError, match="lang: unknown language 'fr'"):
        forecast.write_report(comparison.runs[0], tmp_path / "r.html", lang="fr")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_write_report_adds_the_answers_saved_in_a_run_folder(tmp_path, comparison):
    folder = comparison.runs[0].save(tmp_path / "run")
    (folder / "plan.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(forecast.InputError, match="plan.json: cannot be read as JSON"):
        forecast.write_report(folder, tmp_path / "report.html")


# -- charts ------------------------------------------------------------------------------------

def test_the_fan_chart_shows_itself_to_ipython(comparison):
    from IPython.core.formatters import DisplayFormatter

    from forecast.report import fan_chart, target_panel

    for shown in (fan_chart(comparison.runs[0], "output"),
                  fan_chart(comparison.runs[0], "output").figure,
                  target_panel(comparison.runs[0])):
        data, _ = DisplayFormatter().format(shown)
        assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_do_not_import_pyplot():
    code = ("import sys, forecast; from forecast.report import fan_chart\n"
            f"run = forecast.simulate({str(BASE)!r}, draws=200, seed=1)\n"
            "fan_chart(run, 'output')._repr_png_()\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr


def test_the_analyses_calibrate_with_the_prior_library_they_are_given():
    """compare, solve, sensitivity and the calibration report pass ``priors`` on: with a
    library that lacks the base scenario's pooled priors, each says so (at the setting)
    instead of quietly using the shipped one."""
    from forecast.errors import ForecastError
    from forecast.priors.library import PriorLibrary

    empty = PriorLibrary({}, {}, {}, "empty library")
    base = str(ROOT / "scenarios" / "base.yaml")
    low = str(ROOT / "scenarios" / "low_growth.yaml")
    calls = [lambda: forecast.compare([base, low], draws=200, priors=empty),
             lambda: forecast.solve(base, target="roads_2025", lever="extra_road_share",
                                    draws=200, priors=empty),
             lambda: forecast.sensitivity(base, draws=32, discovery=False, priors=empty),
             lambda: forecast.calibration_report(base, draws=50, priors=empty)]
    for call in calls:
        with pytest.raises(ForecastError) as error:
            call()
        assert "vietnam_provincial_revenue" in str(error.value)
