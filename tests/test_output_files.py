"""Every file a run writes reads alone: summary.json against its JSON Schema, summary.csv with
labels, periods and units, results.nc as CF (checked with cf-xarray), the IAMC export, and
the notebook reprs of a run."""

from __future__ import annotations

import copy
import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import forecast
from forecast.cli import main
from forecast.io.results_file import cf_names
from forecast.io.summary_file import json_schema, rounded
from forecast.results import run_date
from conftest import BASE, ROOT

DRAWS, SEED = 3000, 11
GOLDEN_V2 = Path(__file__).parent / "golden" / "results-v2-streamed.nc"


@pytest.fixture(scope="module")
def folders(tmp_path_factory, scenario, model):
    """A kept and a streamed run of the base scenario, saved."""
    root = tmp_path_factory.mktemp("outputs")
    out = {}
    for name, keep in (("kept", True), ("streamed", False)):
        run = forecast.simulate(scenario, draws=DRAWS, seed=SEED, keep_draws=keep, model=model)
        run.save(root / name)
        out[name] = (run, root / name)
    return out


def _json(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _csv(folder: Path) -> list[dict[str, str]]:
    raw = (folder / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with its byte-order mark
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


# -- summary.json -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["kept", "streamed"])
def test_every_summary_json_is_valid_against_its_schema(folders, name):
    data = _json(folders[name][1])
    jsonschema.Draft202012Validator.check_schema(json_schema())
    jsonschema.validate(data, json_schema(), cls=jsonschema.Draft202012Validator)
    assert data["schema"] == "forecast.summary/1"
    assert data["region"].startswith("Cẩm Khê") and data["base_year"] == 2020
    assert data["period"] == {"first_year": 2021, "last_year": 2025, "text": "2021\u20132025"}
    assert data["forecast_version"] == forecast.__version__
    assert data["created"] == folders[name][0].provenance["created"]


def test_an_update_folder_summary_is_valid_too(tmp_path):
    out = tmp_path / "update"
    result = CliRunner().invoke(main, [
        "update", str(ROOT / "scenarios" / "phu_tho.yaml"), "--observed",
        str(ROOT / "data" / "phu_tho" / "observed_2021_2022.csv"), "--out", str(out),
        "--draws", "2000"])
    assert result.exit_code == 0, result.output
    data = _json(out)
    jsonschema.validate(data, json_schema())
    assert all(t["label"] in ("on track", "at risk", "off track") for t in data["targets"])
    assert all(row["status"] == t["label"] for row, t in zip(_csv(out), data["targets"]))


@pytest.mark.parametrize("break_it", [
    lambda d: d.pop("schema"),
    lambda d: d.update(schema="forecast.summary/0"),
    lambda d: d["targets"][0].update(probability=1.5),
    lambda d: d["targets"][0].pop("rate_unit"),
    lambda d: d["targets"][1].update(kind="someday"),
    lambda d: d.update(surprise=1),
    lambda d: d["indicators"][0].pop("label_vi"),
    lambda d: d.update(created="yesterday"),
], ids=["no-schema", "old-schema", "probability", "no-rate-unit", "kind", "extra-key",
        "no-label", "date"])
def test_the_schema_check_fails_on_a_broken_file(folders, break_it):
    data = copy.deepcopy(_json(folders["kept"][1]))
    break_it(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_json_keeps_full_precision_and_units_per_target(folders):
    run, folder = folders["kept"]
    targets = {t["id"]: t for t in _json(folder)["targets"]}
    for t in run.summary.targets:
        record = targets[t.id]
        assert record["probability"] == t.probability and record["median"] == t.median
        assert record["required_rate"] == t.required_rate
    assert targets["revenue_2025"]["rate_unit"] == "1/yr"
    assert targets["ntm_communes_2025"]["rate_unit"] == "communes/yr"
    assert targets["poverty_fall"]["quantity_unit"] == "share/yr"
    assert targets["poverty_fall"]["period"] == "2021\u20132025"
    assert targets["roads_2025"]["period"] == "2025"


# -- summary.csv --------------------------------------------------------------------------

def test_csv_rows_carry_labels_periods_and_units_in_both_languages(folders):
    run, folder = folders["kept"]
    rows = {row["id"]: row for row in _csv(folder)}
    revenue, communes = rows["revenue_2025"], rows["ntm_communes_2025"]
    assert (revenue["unit"], revenue["unit_vi"]) == ("billion VND", "tỷ đồng")
    assert (revenue["rate_unit"], revenue["rate_unit_vi"]) == ("%/yr", "%/năm")
    assert (communes["rate_unit"], communes["rate_unit_vi"]) == ("communes/yr", "xã/năm")
    roads_row = rows["roads_2025"]
    assert roads_row["unit"] == "%" and roads_row["rate_unit_vi"] == "điểm/năm"
    assert rows["poverty_fall"]["period"] == "2021\u20132025"
    assert (rows["investment_2021_2025"]["first_year"],
            rows["investment_2021_2025"]["last_year"]) == ("2021", "2025")
    assert "ngân sách" in revenue["label_vi"] and "revenue" in revenue["label_en"]
    summary = run.summary.target("revenue_2025")
    assert float(revenue["required_rate"]) == pytest.approx(100 * summary.required_rate,
                                                            rel=1e-3)
    assert float(communes["required_rate"]) == pytest.approx(
        run.summary.target("ntm_communes_2025").required_rate, rel=1e-3)
    roads = run.summary.target("roads_2025")
    assert float(rows["roads_2025"]["median"]) == pytest.approx(100 * roads.median, rel=1e-3)


def test_csv_numbers_are_rounded_for_people(folders):
    for row in _csv(folders["streamed"][1]):
        for key in ("median", "p05", "p95", "required_rate", "achieved_rate", "threshold"):
            text = row[key]
            if not text:
                continue
            digits = text.lstrip("-").replace(".", "").lstrip("0")
            whole = len(text.lstrip("-").split(".")[0])
            assert len(digits) <= max(4, whole), (key, text)
        assert len(row["probability"].split(".")[-1]) <= 4


def test_rounding_keeps_the_integer_part():
    assert rounded(17241.39) == 17241 and rounded(446.87797) == 446.9
    assert rounded(0.035097076) == 0.0351 and rounded(-1.2508) == -1.251
    assert rounded(float("nan")) is None and rounded(None) is None and rounded(0.0) == 0


# -- dates and reruns ---------------------------------------------------------------------

def test_the_date_is_a_day_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_date() == "2023-11-14"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(forecast.InputError, match="SOURCE_DATE_EPOCH"):
        run_date()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert len(run_date()) == 10 and run_date()[4] == "-"


def test_a_malformed_source_date_epoch_is_one_paragraph_before_any_work(tmp_path):
    """In a fresh process (where numpy's f2py would read it on import and crash): exit 2,
    one line naming the variable, no traceback, nothing written."""
    import os

    env = {**os.environ, "SOURCE_DATE_EPOCH": "abc"}
    result = subprocess.run([sys.executable, "-m", "forecast", "run", str(BASE), "--draws",
                             "200", "--out", str(tmp_path / "r")], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "SOURCE_DATE_EPOCH" in result.stderr and "'abc'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


# -- results.nc ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["kept", "streamed"])
def test_results_nc_is_cf(folders, name):
    cf_xarray = pytest.importorskip("cf_xarray")
    assert cf_xarray
    with xr.open_dataset(folders[name][1] / "results.nc", engine="h5netcdf") as data:
        assert data.attrs["Conventions"].startswith("CF-")
        for key in ("title", "history", "source"):
            assert data.attrs[key]
        assert data.cf.axes["T"] == ["year"]
        if name == "kept":
            assert data.cf.standard_names["realization"] == ["draw"]
            assert data.cf["realization"].name == "draw"
        assert "realization" in repr(data.cf) or name == "streamed"
        for variable in data.data_vars.values():
            assert "units" in variable.attrs and variable.attrs["long_name"], variable.name
            assert "unit" not in variable.attrs
            assert all(c.isalnum() or c == "_" for c in str(variable.name))
        # labels sit with their variables, not in one large global attribute
        assert sum(len(str(v)) for v in data.attrs.values()) < 2000
        fan = data["summary_budget_revenue_fan"]
        assert fan.attrs["units"] == "billion VND" and fan.attrs["label_vi"] == \
            "Tổng thu ngân sách"
        assert data["summary_ntm_communes_2025_quantity"].attrs["label_vi"].startswith("16 xã")
        for ancillary in (fan.attrs["ancillary_variables"],):
            assert ancillary in data
        assert data["summary_met"].dtype.kind == "i"


def test_draws_keep_their_names_and_counts_are_integers(folders):
    run, folder = folders["kept"]
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as data:
        assert "output.drift" not in data and data["output_drift"].attrs["forecast_name"] == \
            "output.drift"
        assert data["ntm_communes"].dtype.kind == "i"  # a count
        assert data["budget_revenue"].dtype == np.float64
        assert data["met"].dtype == np.int8 and data["met"].attrs["flag_meanings"]
    loaded = forecast.Results.load(folder)
    xr.testing.assert_identical(loaded.dataset, run.dataset)
    assert loaded.dataset["ntm_communes"].dtype == np.float64
    assert loaded.summary.records() == run.summary.records()


def test_parameter_names_never_collide():
    names = cf_names(["a.b", "a_b", "x.1", "1.z"], {"a_b"})
    assert names == {"a.b": "a_b_", "a_b": "a_b__", "x.1": "x_1", "1.z": "p_1_z"}


def test_a_run_of_schema_2_still_loads():
    loaded = forecast.Results.load(GOLDEN_V2)
    assert not loaded.draws_kept and loaded.draws == 300
    probabilities = {t.id: t.probability for t in loaded.summary.targets}
    assert probabilities == {"revenue_2025": 49 / 300, "ntm_communes_2025": 221 / 300,
                             "roads_2025": 141 / 300, "poverty_fall": 96 / 300,
                             "investment_2021_2025": 64 / 300}
    assert loaded.summary.target("revenue_2025").median == pytest.approx(471.5692865487806)
    jsonschema.validate(loaded.summary_json(), json_schema())


def test_a_foreign_schema_is_refused(tmp_path, folders):
    with xr.open_dataset(folders["streamed"][1] / "results.nc", engine="h5netcdf") as data:
        changed = data.load().assign_attrs(schema="forecast.results/1")
    with pytest.raises(forecast.InputError, match="forecast.results/1"):
        forecast.Results.from_dataset(changed, file="x.nc")
    with xr.open_dataset(folders["streamed"][1] / "results.nc", engine="h5netcdf") as data:
        cut = data.load().drop_vars("summary_output_fan")
    with pytest.raises(forecast.InputError, match="summary_output_fan"):
        forecast.Results.from_dataset(cut, file="x.nc")


def test_saving_imports_neither_xarray_nor_dask(tmp_path):
    code = (f"import sys, forecast\n"
            f"r = forecast.simulate({str(BASE)!r}, draws=500, seed=1, keep_draws=False)\n"
            f"r.save({str(tmp_path / 'run')!r})\n"
            "print(sorted(m for m in ('xarray', 'dask', 'distributed') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert forecast.Results.load(tmp_path / "run").draws == 500


# -- IAMC export --------------------------------------------------------------------------

def test_iamc_export_holds_every_quantile_of_every_indicator(folders, tmp_path):
    run, folder = folders["streamed"]
    out = tmp_path / "iamc.csv"
    result = CliRunner().invoke(main, ["export", str(folder), "--format", "iamc", "--out",
                                       str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfmodel,")  # Excel-friendly like every CSV
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert list(rows[0]) == ["model", "scenario", "region", "variable", "unit", "year", "value"]
    summary = run.summary
    assert len(rows) == len(summary.indicators) * 9 * len(summary.years)
    median = {int(r["year"]): float(r["value"]) for r in rows
              if r["variable"] == "Total budget revenue|p50"}
    expected = run.quantiles("budget_revenue", [0.5]).values[0]
    np.testing.assert_array_equal([median[y] for y in summary.years], expected)
    assert {r["unit"] for r in rows if r["variable"].startswith("Total budget revenue|")} == \
        {"billion VND"}
    assert {r["scenario"] for r in rows} == {"base"} and {r["model"] for r in rows} == \
        {"forecast"}


def test_iamc_export_reads_back_with_pyam(folders, tmp_path):
    pyam = pytest.importorskip("pyam")
    out = tmp_path / "iamc.csv"
    assert CliRunner().invoke(main, ["export", str(folders["kept"][1]), "-o",
                                     str(out)]).exit_code == 0
    frame = pyam.IamDataFrame(str(out))
    assert "Total budget revenue|p50" in frame.variable and 2025 in frame.year
    assert frame.model == ["forecast"] and frame.scenario == ["base"]  # the BOM is not a name
    median = frame.filter(variable="Total budget revenue|p50", year=2025).timeseries()
    assert median.index.get_level_values("unit").tolist() == ["billion VND"]


@pytest.mark.parametrize("make", ["missing", "not-netcdf", "suffix"])
def test_iamc_export_of_a_bad_run_folder_is_one_message(tmp_path, folders, make):
    folder = tmp_path / "run"
    out = tmp_path / "out.csv"
    if make == "not-netcdf":
        folder.mkdir()
        (folder / "results.nc").write_text("not a netcdf file")
    elif make == "suffix":
        folder, out = folders["kept"][1], tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["export", str(folder), "--out", str(out)])
    assert result.exit_code == 2 and result.output.count("Error:") == 1, result.output
    assert "Traceback" not in result.output
    named = {"missing": str(folder), "not-netcdf": str(folder / "results.nc"),
             "suffix": str(out)}[make]
    assert named in result.output
    assert not out.exists() and not any(p.name.startswith(".out") for p in tmp_path.iterdir())


# -- notebook -----------------------------------------------------------------------------

def test_results_reprs_are_short_and_show_the_targets(folders):
    run, _ = folders["kept"]
    text = repr(run)
    assert len(text.splitlines()) <= 10 and len(text) < 600
    for t in run.summary.targets:
        assert t.id in text and f"{100 * t.probability:.1f} %" in text
    html = run._repr_html_()
    assert html.count("<tr>") == len(run.targets) + 1 and "Probability" in html
    assert "Total budget revenue 2025" in html and "<table>" in html
    assert "Xác suất" in run._repr_html_("vi")


def test_html_repr_escapes_labels(folders):
    run, _ = folders["streamed"]
    targets = [t.model_copy(update={"label": "<script>x</script>"}) for t in run.targets]
    odd = forecast.Results(run.counts, targets=targets, info=run.info,
                           provenance=run.provenance, years=run.years)
    html = odd._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert math.isfinite(odd.summary.joint_probability)


def test_summary_repr_is_one_line_without_the_arrays(folders):
    summary = folders["streamed"][0].summary
    text = repr(summary)
    assert "\n" not in text and len(text) < 400 and "array" not in text
    assert all(f"{t.id} {t.probability:.1%}" in text for t in summary.targets)
    assert summary._repr_html_().count("<tr") == len(summary.targets) + 1
