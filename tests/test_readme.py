"""The README's quick start and CI stay in step."""

from conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "pytest" in line and "pip install" in line)
    assert command in ci


def test_readme_runs_the_base_scenario():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "forecast run scenarios/base.yaml" in readme
