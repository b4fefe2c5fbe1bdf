"""The command line: outputs, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil

import pytest
import xarray as xr
from click.testing import CliRunner

from forecast.cli.app import main
from conftest import BASE, ROOT

SUMMARY_KEYS = ["id", "indicator", "kind", "year", "threshold", "probability", "probability_se",
                "median", "p05", "p95", "required_rate", "achieved_rate", "historical_rate",
                "rate_kind", "unit", "assumed"]
CSV_COLUMNS = ["id", "label_en", "label_vi", "indicator", "kind", "period", "first_year",
               "last_year", "comparison", "threshold", "median", "p05", "p95", "unit", "unit_vi",
               "probability", "probability_se", "required_rate", "achieved_rate", "rate_unit",
               "rate_unit_vi", "historical_rate", "historical_rate_unit",
               "historical_rate_unit_vi", "assumed"]


@pytest.fixture
def runner():
    return CliRunner()


def test_run_writes_results_and_summaries(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(main, ["run", str(BASE), "--draws", "3000", "--seed", "4",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "revenue_2025" in result.output and "Assumed base-year levels" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["draws"] == 3000 and summary["seed"] == 4 and summary["scenario"] == "base"
    assert 0 <= summary["joint_probability"] <= 1
    assert [t["id"] for t in summary["targets"]] == ["revenue_2025", "ntm_communes_2025",
                                                     "roads_2025", "poverty_fall",
                                                     "investment_2021_2025"]
    assert all(list(t) == SUMMARY_KEYS + ["drivers", "assumption_share", "label_en", "label_vi",
                                          "period", "first_year", "last_year", "comparison",
                                          "quantity_scale", "quantity_unit", "rate_unit",
                                          "historical_rate_kind", "historical_rate_unit"]
               for t in summary["targets"])
    header = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header == CSV_COLUMNS
    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as data:
        assert data.sizes["draw"] == 3000
        assert list(data["year"].values) == list(range(2020, 2026))
        assert data["budget_revenue"].attrs["units"] == "billion VND"
        assert data["output_drift"].dims == ("draw",)
        assert data["output_drift"].attrs["forecast_name"] == "output.drift"
        for key in ("scenario", "scenario_sha256", "forecast_version", "seed", "draws", "created"):
            assert key in data.attrs


def test_run_refuses_to_overwrite_without_force(runner, tmp_path):
    out = tmp_path / "run"
    args = ["run", str(BASE), "--draws", "200", "--out", str(out)]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(main, args + ["--force"]).exit_code == 0


def test_seed_option_reproduces(runner, tmp_path):
    for name in ("a", "b"):
        assert runner.invoke(main, ["run", str(BASE), "--draws", "500", "--seed", "8", "--out",
                                    str(tmp_path / name)]).exit_code == 0
    a = json.loads((tmp_path / "a" / "summary.json").read_text())["targets"]
    b = json.loads((tmp_path / "b" / "summary.json").read_text())["targets"]
    assert a == b


@pytest.mark.parametrize("text,needle", [
    ("", "empty"),
    ("name: [unclosed", "YAML syntax error"),
    ("- a\n- b\n", "expected a mapping"),
    ("name: x\nname: y\n", "duplicate key 'name'"),
    ("!!python/object/apply:os.system ['echo hi']\n", "not allowed"),
])
def test_bad_files_exit_2_without_traceback(runner, tmp_path, text, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output
    assert str(path) in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_key_names_line_and_suggests(runner, tmp_path):
    text = BASE.read_text(encoding="utf-8").replace("    drift:\n      dist: normal\n      loc: 0.07",
                                                    "    drfit:\n      dist: normal\n      loc: 0.07")
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "data", tmp_path.parent / "data", dirs_exist_ok=True)
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    line = text.splitlines().index("    drfit:") + 1
    assert f"typo.yaml:{line}" in result.output
    assert "indicators.output.drfit" in result.output and "Did you mean 'drift'" in result.output


def test_every_shipped_scenario_validates(runner):
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert files
    result = runner.invoke(main, ["validate", *map(str, files)])
    assert result.exit_code == 0, result.output


def test_schema_is_json_schema(runner):
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "indicators" in schema["properties"] and "$defs" in schema
