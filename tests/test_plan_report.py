"""The report says what it would take when a plan answer sits beside the run (en and vi)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import forecast
from forecast.analysis.plan import plan
from forecast.cli.app import main
from forecast.report import render_report
from conftest import BASE


@pytest.fixture(scope="module")
def run_and_answer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan") / "run"
    scenario = forecast.load_scenario(BASE)
    forecast.simulate(scenario, draws=1000, seed=3).save(folder)
    answer = plan(scenario, probability=0.8, targets=["roads_2025"], draws=2000, seed=3)
    (folder / "plan.json").write_text(json.dumps(answer.to_json()), encoding="utf-8")
    return folder, answer


@pytest.mark.parametrize("lang, heading", [("en", "What it would take"),
                                           ("vi", "Cần làm gì để đạt")])
def test_the_report_shows_the_cheapest_setting(run_and_answer, lang, heading):
    folder, answer = run_and_answer
    html = render_report(forecast.Results.load(folder), lang=lang, plan=answer.to_json())
    assert heading in html and 'id="plan-table"' in html
    for lever in answer.setting:
        assert f"<td>{lever}</td>" in html
    assert "extra_road_share" in html


def test_the_report_command_reads_plan_json_and_refuses_a_broken_one(run_and_answer, tmp_path):
    folder, _ = run_and_answer
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "What it would take" in out.read_text(encoding="utf-8")
    (folder / "plan.json").write_text("{not json", encoding="utf-8")
    try:
        bad = CliRunner().invoke(main, ["report", str(folder), "-o", str(tmp_path / "b.html")])
        assert bad.exit_code == 2 and "plan.json" in bad.output and "JSON" in bad.output
    finally:
        (folder / "plan.json").unlink()


def test_no_plan_no_section(run_and_answer):
    folder, _ = run_and_answer
    assert 'id="plan"' not in render_report(forecast.Results.load(folder))
