"""Output folders that do not collide: compare names its folder after what it compares, plan
adds plan.json beside a run, and ``run --force`` replaces the tool's own report files (any
name) while still refusing a folder with files the tool did not write."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from forecast.cli.app import main
from forecast.cli.compare import default_folder
from conftest import BASE, ROOT

LOW = ROOT / "scenarios" / "low_growth.yaml"


def _cli(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_compare_folders_are_named_after_what_they_compare():
    assert default_folder([BASE, LOW]) == Path("runs/compare-base-low_growth")
    assert default_folder([Path("runs/base"), Path("runs/low_growth/")]) == \
        Path("runs/compare-base-low_growth")
    assert default_folder([Path("a b/x y.yaml")]) == Path("runs/compare-x_y")
    long = default_folder([Path(f"scenario_{i:02d}.yaml") for i in range(12)])
    assert len(long.name) <= 96 and long != default_folder(
        [Path(f"scenario_{i:02d}.yaml") for i in range(13)])


def test_the_readme_comparisons_do_not_collide(workspace):
    (workspace / "runs" / "comparison").mkdir(parents=True)   # what an older version wrote
    (workspace / "runs" / "comparison" / "comparison.json").write_text("{}")
    _cli("compare", BASE, LOW, ROOT / "scenarios" / "epidemic_2021.yaml", "--draws", 1000)
    for scenario in (BASE, LOW):
        _cli("run", scenario, "--draws", 1000, "-q")
    out = _cli("compare", "runs/base", "runs/low_growth")
    assert "runs/compare-base-low_growth/comparison.json" in out
    assert sorted(p.name for p in (workspace / "runs").iterdir()) == [
        "base", "compare-base-low_growth", "compare-base-low_growth-epidemic_2021", "comparison",
        "low_growth"]
    again = CliRunner().invoke(main, ["compare", "runs/base", "runs/low_growth"])
    assert again.exit_code == 2 and "--force" in again.output      # the same one: say so


def test_run_force_replaces_reports_saved_in_the_run_folder(workspace):
    _cli("run", BASE, "--draws", 1000, "-q")
    _cli("report", "runs/base", "--lang", "vi", "-o", "runs/base/report-vi.html")
    _cli("report", "runs/base")
    _cli("plot", "runs/base", "budget_revenue", "-o", "runs/base/fan.svg")
    out = _cli("run", BASE, "--draws", 1000, "--seed", 5, "-q", "--force")
    assert "Wrote" in out
    assert sorted(p.name for p in (workspace / "runs" / "base").iterdir()) == [
        "results.nc", "summary.csv", "summary.json"]


@pytest.mark.parametrize("name,text", [
    ("notes.html", "<html><body>my own notes</body></html>"),
    ("notes.txt", "mine"),
])
def test_run_force_still_refuses_files_the_tool_did_not_write(workspace, name, text):
    _cli("run", BASE, "--draws", 1000, "-q")
    (workspace / "runs" / "base" / name).write_text(text)
    result = CliRunner().invoke(main, ["run", str(BASE), "--draws", "1000", "-q", "--force"])
    assert result.exit_code == 2 and name in result.output
    assert (workspace / "runs" / "base" / name).read_text() == text
    assert (workspace / "runs" / "base" / "results.nc").is_file()


def test_plan_out_adds_plan_json_beside_the_run(workspace):
    _cli("run", BASE, "--draws", 1000, "-q")
    args = ["plan", BASE, "--targets", "roads_2025", "--draws", 1000, "--out", "runs/base"]
    _cli(*args)
    assert sorted(p.name for p in (workspace / "runs" / "base").iterdir()) == [
        "plan.json", "results.nc", "summary.csv", "summary.json"]
    again = CliRunner().invoke(main, [str(a) for a in args])
    assert again.exit_code == 2 and "plan.json" in again.output and "--force" in again.output
    _cli(*args, "--force")
    _cli("report", "runs/base")
    _cli("run", BASE, "--draws", 1000, "-q", "--force")      # plan.json is the tool's own
    assert not (workspace / "runs" / "base" / "plan.json").exists()
