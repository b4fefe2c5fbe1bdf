"""Variants, shocks, levers, compare (common random numbers) and solve."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.analysis.compare import compare
from forecast.analysis.solve import solve
from conftest import BASE, ROOT

DRAWS = 4000


def _variant(tmp_path, name: str, body: str):
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {BASE}\nname: {name}\n{body}", encoding="utf-8")
    return path


def test_extends_overrides_by_path_and_keeps_the_rest(tmp_path):
    path = _variant(tmp_path, "slow", "indicators:\n  output:\n    drift: {dist: normal, loc: 0.05,"
                    " scale: 0.01, why: test}\n")
    base, slow = forecast.load_scenario(BASE), forecast.load_scenario(path)
    assert slow.indicators["output"].drift.loc == 0.05
    assert slow.indicators["output"].volatility == base.indicators["output"].volatility
    assert slow.history == base.history  # resolved against base.yaml's folder
    assert slow.targets == base.targets


def test_extends_error_names_the_file_that_set_the_value(tmp_path):
    path = _variant(tmp_path, "bad", "draws: -5\n")
    with pytest.raises(forecast.ScenarioError) as caught:
        forecast.load_scenario(path)
    assert f"{path}:3: draws" in str(caught.value)


def test_small_change_has_far_smaller_paired_than_unpaired_se(tmp_path):
    path = _variant(tmp_path, "dip", "shocks:\n  - {indicator: output, year: 2021, size: -0.01, "
                    "why: test}\n")
    comparison = compare([BASE, path], draws=DRAWS, seed=3)
    assert comparison.paired
    records = {(r["scenario"], r["target"]): r for r in comparison.records()}
    revenue = records[("dip", "revenue_2025")]
    assert revenue["difference"] < 0
    assert revenue["difference_se"] < 0.3 * revenue["unpaired_se"]


def test_a_shock_does_not_move_unrelated_random_numbers(tmp_path):
    path = _variant(tmp_path, "flood", "shocks:\n  - {indicator: output, probability: 0.2, size: "
                    "{dist: normal, loc: -0.05, scale: 0.01, why: test}, why: test}\n")
    base = forecast.simulate(BASE, draws=1000, seed=2)
    flood = forecast.simulate(path, draws=1000, seed=2)
    for name in ("ntm_communes", "paved_road_share", "price_level"):
        np.testing.assert_array_equal(base.dataset[name].values, flood.dataset[name].values)
    assert (flood.dataset["output"].values <= base.dataset["output"].values + 1e-9).all()


def test_levers_move_only_the_components_that_read_them():
    scenario = forecast.load_scenario(BASE)
    funded = scenario.with_levers({"extra_road_share": 0.02})
    assert funded.indicators["paved_road_share"].funding.share == 0.02
    a = forecast.simulate(scenario, draws=1000, seed=4)
    b = forecast.simulate(funded, draws=1000, seed=4)
    np.testing.assert_array_equal(a.dataset["budget_revenue"].values,
                                  b.dataset["budget_revenue"].values)
    assert (b.dataset["paved_road_share"].values >= a.dataset["paved_road_share"].values).all()
    assert b.probability("roads_2025") > a.probability("roads_2025")
    with pytest.raises(forecast.ScenarioError, match="Did you mean 'ntm_budget'"):
        scenario.with_levers({"ntm_budgte": 1.0})


def test_unknown_lever_reference_is_located(tmp_path):
    path = _variant(tmp_path, "typo", "indicators:\n  ntm_communes:\n    upgrade_budget:\n"
                    "      budget: {lever: ntm_budgte}\n")
    with pytest.raises(forecast.ScenarioError) as caught:
        forecast.load_scenario(path)
    assert "ntm_budgte" in str(caught.value) and "Did you mean 'ntm_budget'" in str(caught.value)


def test_solve_finds_the_crossing_with_common_random_numbers():
    scenario = forecast.load_scenario(BASE)
    solution = solve(scenario, target="roads_2025", lever="extra_road_share", probability=0.8,
                     draws=DRAWS, seed=5)
    assert solution.value is not None and 0 < solution.value < 0.15
    assert solution.achieved >= 0.8
    at = forecast.simulate(scenario.with_levers({"extra_road_share": solution.value}),
                           draws=DRAWS, seed=5)
    assert at.probability("roads_2025") == solution.achieved
    below = forecast.simulate(scenario.with_levers(
        {"extra_road_share": solution.value - 0.01}), draws=DRAWS, seed=5)
    assert below.probability("roads_2025") < 0.8
    assert solution.value_se is not None and solution.value_se < 0.01


def test_solve_says_when_no_value_reaches():
    solution = solve(forecast.load_scenario(BASE), target="revenue_2025",
                     lever="extra_road_share", probability=0.8, draws=500, seed=1)
    assert solution.value is None and "does not move this target" in solution.message


def test_compare_cli_writes_outputs_and_accepts_run_folders(tmp_path):
    runner = CliRunner()
    for name in ("base", "low_growth"):
        result = runner.invoke(main, ["run", str(ROOT / "scenarios" / f"{name}.yaml"), "--draws",
                                      "800", "--seed", "1", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["compare", str(tmp_path / "base"), str(tmp_path / "low_growth"),
                                  "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert data["scenarios"] == ["base", "low_growth"] and data["paired"]
    assert {"required_rate", "median_rate", "difference_se"} <= set(data["records"][0])
    import xarray as xr
    with xr.open_dataset(tmp_path / "cmp" / "comparison.nc", engine="h5netcdf") as ds:
        assert list(ds["scenario"].values) == ["base", "low_growth"]
    raw = (tmp_path / "cmp" / "comparison.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfscenario,target")  # utf-8-sig: Excel reads UTF-8


def test_solve_cli(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["solve", str(BASE), "--target", "ntm_communes_2025", "--lever",
                                  "ntm_budget", "--probability", "0.9", "--draws", "2000",
                                  "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["value"] is not None and answer["achieved"] >= 0.9
    bad = runner.invoke(main, ["solve", str(BASE), "--target", "roads_2025", "--lever", "nope"])
    assert bad.exit_code == 2 and "unknown lever" in bad.output


def test_extends_can_replace_a_distribution_by_another_kind(tmp_path):
    path = _variant(tmp_path, "kind", "indicators:\n  output:\n    base: {dist: triangular, low: 4000,"
                    " mode: 4300, high: 4700, why: test}\n")
    assert forecast.load_scenario(path).indicators["output"].base.dist == "triangular"


def test_rare_event_of_fixed_size_may_be_a_number(tmp_path):
    path = _variant(tmp_path, "rare", "shocks:\n  - {indicator: output, probability: 0.5, size: "
                    "-0.02, why: test}\n")
    results = forecast.simulate(path, draws=300, seed=1)
    assert results.probability("revenue_2025") >= 0


def test_a_one_off_shock_stays_one_off_under_persistence(tmp_path):
    """With AR(1) noise in revenue, a shock moves the level once and is not undone later."""
    path = _variant(tmp_path, "hit", "shocks:\n  - {indicator: budget_revenue, year: 2021, size: "
                    "-0.05, why: test}\n")
    base = forecast.simulate(BASE, draws=500, seed=6)
    hit = forecast.simulate(path, draws=500, seed=6)
    gap = np.log(hit.dataset["budget_revenue"].values / base.dataset["budget_revenue"].values)
    np.testing.assert_allclose(gap[1:], -0.05, atol=1e-9)


def test_compare_labels_runs_of_one_scenario_by_seed(tmp_path):
    a = forecast.simulate(BASE, draws=300, seed=1)
    b = forecast.simulate(BASE, draws=300, seed=2)
    comparison = compare([a, b])
    assert comparison.scenarios == ["base@seed1", "base@seed2"] and not comparison.paired
