"""Every run says what drives it: drivers, assumption_share, P(at least k of n), per-draw met."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import forecast
from forecast.cli import main


@pytest.fixture(scope="module")
def kept(scenario, model):
    return forecast.simulate(scenario, draws=20000, model=model)


def test_at_least_k_of_n_from_the_draws(kept, scenario, model):
    met = kept.met_matrix()
    reached = met.sum(axis=0)
    expected = [float(np.mean(reached >= k)) for k in range(1, len(kept.targets) + 1)]
    assert kept.summary.at_least == pytest.approx(expected, abs=0)
    assert kept.summary.at_least[-1] == kept.summary.joint_probability
    streamed = forecast.simulate(scenario, draws=20000, model=model, keep_draws=False)
    assert streamed.summary.at_least == kept.summary.at_least  # exact counts either way
    rows = kept.summary_json()["at_least"]
    assert [r["k"] for r in rows] == [1, 2, 3, 4, 5]


def test_a_broken_count_is_caught(kept):
    """The check above fails on a count that is not of 'at least k'."""
    met = kept.met_matrix()
    exactly = [float(np.mean(met.sum(axis=0) == k)) for k in range(1, len(kept.targets) + 1)]
    assert kept.summary.at_least != pytest.approx(exactly, abs=1e-3)


def test_drivers_of_the_base_scenario(kept):
    poverty = kept.summary.target("poverty_fall")
    assert poverty.drivers[0].input == "poverty_rate.base"
    assert poverty.drivers[0].origin == "assumption"
    assert poverty.drivers[0].low_probability < 0.05 < 0.6 < poverty.drivers[0].high_probability
    roads = kept.summary.target("roads_2025")
    assert {d.input for d in roads.drivers[:2]} == {"paved_road_share.pace",
                                                    "paved_road_share.base"}
    assert roads.rests_on_assumptions
    record = next(t for t in kept.summary_json()["targets"] if t["id"] == "roads_2025")
    assert record["assumption_share"] > 0.5
    assert [d["input"] for d in record["drivers"]][:2] == [d.input for d in roads.drivers[:2]]


def test_a_streamed_run_says_it_has_no_drivers(scenario, model):
    streamed = forecast.simulate(scenario, draws=3000, model=model, keep_draws=False)
    data = streamed.summary_json()
    assert all(t["drivers"] is None and t["assumption_share"] is None for t in data["targets"])
    assert "kept only summaries" in data["drivers_note"]


def test_met_is_saved_per_target_and_draw(kept, tmp_path):
    kept.save(tmp_path / "run")
    import xarray as xr

    with xr.open_dataset(tmp_path / "run" / "results.nc", engine="h5netcdf") as data:
        assert data["met"].dims == ("target", "draw")
        assert np.array_equal(data["met"].values.astype(bool), kept.met_matrix())
    loaded = forecast.Results.load(tmp_path / "run")
    assert loaded.summary.at_least == kept.summary.at_least
    assert loaded.summary.target("roads_2025").drivers == kept.summary.target(
        "roads_2025").drivers


def test_run_prints_what_drives_each_target(tmp_path, base_path):
    result = CliRunner().invoke(main, ["run", str(base_path), "--draws", "5000", "--out",
                                       str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0, result.output
    assert "At least k of 5 targets" in result.output
    assert "† poverty_fall" in result.output or "† roads_2025" in result.output
    assert "depends on paved_road_share." in result.output


def test_sensitivity_command_writes_its_files(tmp_path, write_scenario):
    from test_sensitivity import WITH_NOISE

    path = write_scenario(WITH_NOISE)
    out = tmp_path / "sens"
    result = CliRunner().invoke(main, ["sensitivity", str(path), "--draws", "256", "--out",
                                       str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == json.loads((out / "sensitivity.json").read_text())
    assert (out / "sensitivity.nc").is_file()
    again = CliRunner().invoke(main, ["sensitivity", str(path), "--draws", "256", "--out",
                                      str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = CliRunner().invoke(main, ["sensitivity", str(path), "--draws", "256", "--out",
                                       str(out), "--force"])
    assert forced.exit_code == 0 and "What to measure first" in forced.output
