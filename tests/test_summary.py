"""One Summary whether the draws were kept or streamed; saved runs carry a schema version."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.io.writers import OUTPUT_FILES, WRITERS, write_folder
from forecast.summary import FAN_QUANTILES

DRAWS, SEED = 12_000, 5


@pytest.fixture(scope="module")
def pair(scenario, model):
    kept = forecast.simulate(scenario, draws=DRAWS, seed=SEED, keep_draws=True, model=model)
    streamed = forecast.simulate(scenario, draws=DRAWS, seed=SEED, keep_draws=False,
                                 model=model)
    return kept, streamed


def test_both_modes_give_the_same_typed_summary(pair):
    kept, streamed = pair
    assert type(kept.summary) is type(streamed.summary) is forecast.Summary
    assert kept.summary.exact and not streamed.summary.exact
    for a, b in zip(kept.summary.targets, streamed.summary.targets):
        assert (a.probability, a.probability_se) == (b.probability, b.probability_se)
        assert (a.rate_kind, a.unit, a.quantity_scale, a.assumed) == \
            (b.rate_kind, b.unit, b.quantity_scale, b.assumed)
        assert a.quantile_error == (0.0, 0.0, 0.0)
        for key, bound in zip(("p05", "median", "p95"), b.quantile_error):
            assert abs(getattr(a, key) - getattr(b, key)) <= bound + 1e-12
    assert kept.summary.joint_probability == streamed.summary.joint_probability


def test_the_readme_idiom_is_right_or_says_the_run_kept_only_summaries(pair):
    kept, streamed = pair
    values = kept.dataset["budget_revenue"].sel(year=2025)
    exact = np.quantile(values.values, [0.05, 0.95])
    np.testing.assert_allclose(values.quantile([0.05, 0.95]).values, exact)
    with pytest.raises(forecast.SummariesOnlyError, match="kept only summaries"):
        streamed.dataset["budget_revenue"]
    # the summary answers the same question, within its stated bound
    fan = streamed.summary.quantiles("budget_revenue", [0.05, 0.95]).sel(year=2025)
    bound = fan.attrs["error"][:, -1]
    assert (np.abs(fan.values - exact) <= bound + 1e-9).all()
    with pytest.raises(forecast.InputError, match="keeps the quantiles"):
        streamed.summary.quantiles("budget_revenue", [0.3])


def test_a_streamed_file_offers_no_variable_that_looks_like_draws(pair, tmp_path):
    _, streamed = pair
    streamed.save(tmp_path / "run")
    with xr.open_dataset(tmp_path / "run" / "results.nc", engine="h5netcdf") as data:
        assert not set(streamed.indicators) & set(data.data_vars)
        assert data.attrs["schema"] == "forecast.results/3"
        assert all(data[f"summary_{name}_fan"].dims == ("quantile", "year")
                   for name in streamed.indicators)
        np.testing.assert_allclose(data["quantile"].values, FAN_QUANTILES)


@pytest.mark.parametrize("keep", [True, False])
def test_saved_runs_load_to_the_same_summary(pair, tmp_path, keep):
    run = pair[0] if keep else pair[1]
    run.save(tmp_path / "run")
    loaded = forecast.Results.load(tmp_path / "run")
    assert loaded.summary.records() == run.summary.records()
    assert loaded.assumptions() == run.assumptions()
    assert loaded.indicator_info("output") == run.indicator_info("output")
    assert loaded.draws_kept == keep


def _foreign(path):
    xr.Dataset({"budget_revenue": ("year", np.ones(3))}, coords={"year": [1, 2, 3]}).to_netcdf(
        path, engine="h5netcdf")


@pytest.mark.parametrize("make, message", [
    (_foreign, "no forecast schema"),
    (lambda path: path.write_bytes(b"not a netcdf file"), "cannot be read as a NetCDF"),
])
def test_a_results_file_from_elsewhere_is_refused_with_exit_2(tmp_path, make, message):
    folder = tmp_path / "run"
    folder.mkdir()
    make(folder / "results.nc")
    for args in (["report", str(folder)], ["plot", str(folder), "output"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
        assert "results.nc" in result.output


def test_a_file_with_another_schema_version_is_refused(pair, tmp_path):
    kept, _ = pair
    data = kept.to_dataset()
    data.attrs["schema"] = "forecast.results/1"
    data.to_netcdf(tmp_path / "results.nc", engine="h5netcdf")
    with pytest.raises(forecast.InputError, match="schema 'forecast.results/1'"):
        forecast.Results.load(tmp_path / "results.nc")


def test_output_files_come_from_the_writer_registry(tmp_path):
    assert OUTPUT_FILES == frozenset(WRITERS)
    with pytest.raises(ValueError, match="no writer"):
        write_folder(tmp_path / "out", {"notes.txt": "x"})
    assert not (tmp_path / "out").exists()
