"""Streamed runs (draws not kept): the same probabilities as a kept run, quantiles within their
stated bounds, memory bounded by the block, results independent of how blocks are grouped."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.cli.app import main
from forecast.engine import BLOCK_SIZE, simulate_block, simulate_summaries
from forecast.errors import ForecastError
from forecast.cli.progress import ProgressBar, wanted
from forecast.results import Results
from forecast.engine import layout_of
from forecast.histograms import TOLERANCE, Binning, Histograms, loose
from forecast.summary import FAN_QUANTILES, QUANTILES, SummaryAccumulator

DRAWS = 3 * BLOCK_SIZE + 517
SEED = 77


@pytest.fixture(scope="module")
def pair(scenario, model):
    kept = forecast.simulate(scenario, draws=DRAWS, seed=SEED, keep_draws=True, model=model)
    streamed = forecast.simulate(scenario, draws=DRAWS, seed=SEED, keep_draws=False, model=model)
    return kept, streamed


def _within(exact, streamed, bound):
    exact, streamed, bound = map(np.asarray, (exact, streamed, bound))
    slack = bound + 1e-12 * np.maximum(np.abs(exact), 1.0)
    assert np.all(np.abs(streamed - exact) <= slack), (exact, streamed, bound)


def test_streamed_probabilities_equal_kept_ones_exactly(pair):
    kept, streamed = pair
    assert kept.draws_kept and not streamed.draws_kept
    assert streamed.draws == kept.draws == DRAWS
    for target in kept.targets:
        assert streamed.probability(target.id) == kept.probability(target.id)
    assert streamed.summary.joint_probability == kept.summary.joint_probability
    for a, b in zip(kept.summary.records(), streamed.summary.records()):
        assert a["probability"] == b["probability"]
        assert a["probability_se"] == b["probability_se"]


def test_streamed_target_quantiles_lie_within_their_bound(pair):
    kept, streamed = pair
    errors = streamed.summary.quantile_errors()
    for target, a, b in zip(kept.targets, kept.summary.records(), streamed.summary.records()):
        exact = np.quantile(kept.target_values(target.id), QUANTILES)
        bound = [errors[target.id][k] for k in ("p05", "median", "p95")]
        _within(exact, [b["p05"], b["median"], b["p95"]], bound)
        np.testing.assert_allclose([a["p05"], a["median"], a["p95"]], exact)


def test_streamed_required_rates_follow_the_streamed_base_median(pair):
    kept, streamed = pair
    for target, a, b in zip(kept.targets, kept.summary.records(), streamed.summary.records()):
        info = kept.indicator_info(target.indicator)
        base = kept.dataset[target.indicator].sel(year=kept.base_year).values
        median = streamed.summary.quantiles(target.indicator, [0.5]).sel(year=kept.base_year)
        bound = float(median.attrs["error"][0, 0])
        _within(np.median(base), float(median.values[0]), bound)
        assert b["required_rate"] == target.rule.required_rate(target, float(median.values[0]),
                                                               kept.base_year, info.rate_kind)


def _bin_width(binning, row, x):
    """Width of the bin each value of ``x`` falls in (inf in the open bins)."""
    edges = binning.edges(row)
    bin_ = np.searchsorted(edges, x, side="right")  # 0 below, len(edges) above
    inside = (bin_ >= 1) & (bin_ < len(edges))
    index = np.clip(bin_, 1, len(edges) - 1)
    return np.where(inside, edges[index] - edges[index - 1], np.inf)


def test_streamed_fan_quantiles_lie_within_their_bound_and_are_tight(pair, model):
    kept, streamed = pair
    binning = SummaryAccumulator.pilot(
        layout_of(model, kept.targets),
        simulate_block(model, SEED, 0, BLOCK_SIZE).paths).histograms.binning
    n, years = kept.draws, len(kept.years)
    position = np.asarray(FAN_QUANTILES) * (n - 1)
    below, fraction = np.floor(position).astype(int), position % 1
    for i, name in enumerate(kept.indicators):
        exact = kept.quantiles(name).values
        stored = streamed.quantiles(name).values
        bound = streamed.quantiles(name).attrs["error"]
        _within(exact, stored, bound)
        ordered = np.sort(kept.dataset[name].transpose("year", "draw").values, axis=1)
        for j in range(years):  # never wider than the bins of the two order statistics
            widths = [_bin_width(binning, i * years + j, ordered[j, np.minimum(r, n - 1)])
                      for r in (below, below + 1)]
            one_bin = (1 - fraction) * widths[0] + fraction * widths[1]
            assert np.all(bound[:, j] <= one_bin * (1 + 1e-9)), (name, bound[:, j], one_bin)
        spread = exact[FAN_QUANTILES.index(0.95)] - exact[FAN_QUANTILES.index(0.05)]
        assert not loose(stored, bound, spread).any(), (name, bound, stored)
    assert streamed.quantiles(kept.indicators[0]).dims == ("quantile", "year")
    np.testing.assert_allclose(streamed.quantiles(kept.indicators[0])["quantile"].values,
                               FAN_QUANTILES)


@pytest.fixture(scope="module")
def heavy(scenario, model):
    """Three blocks with the scenario's own seed, whose block 0 holds an extreme revenue."""
    return tuple(forecast.simulate(scenario, draws=3 * BLOCK_SIZE, keep_draws=keep, model=model)
                 for keep in (True, False))


def test_heavy_tailed_revenue_has_tight_streamed_quantiles(heavy):
    """Budget revenue is heavy-tailed: a few draws of the pilot block lie more than ten times above
    the median. Bins spread evenly over the pilot's range would put nearly every draw in a few
    bins; bins equal on the asinh scale keep every bound under 1 % of the value."""
    kept, streamed = heavy
    revenue = kept.target_values("revenue_2025")
    pilot = revenue[:BLOCK_SIZE]
    assert pilot.max() > 10 * np.median(pilot)  # the premise: a heavy tail in block 0
    exact = np.quantile(revenue, QUANTILES)
    record = next(r for r in streamed.summary.records() if r["id"] == "revenue_2025")
    got = np.array([record["p05"], record["median"], record["p95"]])
    errors = streamed.summary.quantile_errors()["revenue_2025"]
    bound = np.array([errors["p05"], errors["median"], errors["p95"]])
    _within(exact, got, bound)
    assert np.all(bound < TOLERANCE * np.abs(got)), (got, bound)
    assert errors["loose"] is False
    fan = streamed.quantiles("budget_revenue").values
    fan_bound = streamed.quantiles("budget_revenue").attrs["error"]
    _within(kept.quantiles("budget_revenue").values, fan, fan_bound)
    assert np.all(fan_bound < TOLERANCE * np.abs(fan)), (fan, fan_bound)


@pytest.mark.parametrize("extreme", [1e3, 1e13])
def test_an_extreme_pilot_draw_leaves_the_bounds_tight(extreme):
    """One pilot draw ``extreme`` times the median widens the bins only by the logarithm of
    it: the reported quantiles of 200,000 log-normal draws stay within 1 % of their spread."""
    rng = np.random.default_rng(11)
    pilot = rng.lognormal(0.0, 1.0, (1, BLOCK_SIZE))
    pilot[0, 0] = extreme
    values = rng.lognormal(0.0, 1.0, (1, 200_000))
    histograms = Histograms(Binning.from_pilot(pilot), 1)
    for start in range(0, values.shape[1], BLOCK_SIZE):
        histograms.add(values[:, start:start + BLOCK_SIZE])
    got, bound = histograms.quantiles(FAN_QUANTILES)
    exact = np.quantile(values[0], FAN_QUANTILES)
    _within(exact, got[0], bound[0])
    spread = exact[-1] - exact[0]
    assert not loose(got[0], bound[0], spread).any(), bound
    assert np.all(bound[0] < 1e-2 * spread), bound


def test_loose_bounds_are_flagged_against_value_or_spread():
    values = np.array([1000.0, 1000.0, 0.001, 0.001, np.nan])
    bounds = np.array([5.0, 20.0, 0.01, 0.05, np.nan])
    spread = np.array([100.0, 100.0, 2.0, 2.0, np.nan])
    np.testing.assert_array_equal(loose(values, bounds, spread),
                                  [False, True, False, True, False])


def test_a_loose_bound_is_flagged_in_the_summary(pair):
    _, streamed = pair
    assert not any(e["loose"] for e in streamed.summary.quantile_errors().values())
    dataset = streamed.to_dataset()
    p05, median, p95 = dataset["summary_revenue_2025_quantity"].values
    wide = 2 * TOLERANCE * max(abs(median), p95 - p05)  # twice the tolerance
    dataset["summary_revenue_2025_quantity_error"][:] = [0.0, wide, 0.0]
    errors = Results.from_dataset(dataset).summary.quantile_errors()
    assert errors["revenue_2025"]["loose"] is True
    assert not errors["roads_2025"]["loose"]


def test_integer_counts_have_exact_quantiles(pair):
    kept, streamed = pair
    exact = kept.quantiles("ntm_communes").values
    np.testing.assert_array_equal(streamed.quantiles("ntm_communes").values, exact)
    assert float(streamed.quantiles("ntm_communes").attrs["error"].max()) == 0


def test_per_draw_methods_say_draws_were_not_kept(pair):
    _, streamed = pair
    target = streamed.targets[0].id
    for call in (lambda: streamed.met(target), lambda: streamed.target_values(target),
                 streamed.joint_met):
        with pytest.raises(ForecastError, match="kept only summaries.*keep_draws=True"):
            call()
    with pytest.raises(ForecastError, match="keeps the quantiles"):
        streamed.quantiles("output", [0.3])


def test_grouping_of_blocks_does_not_change_a_streamed_summary(scenario, model):
    draws = 4 * BLOCK_SIZE + 9
    reference = simulate_summaries(model, scenario.targets, draws=draws, seed=SEED)
    layout = layout_of(model, scenario.targets)
    blocks = [(1, BLOCK_SIZE), (2, BLOCK_SIZE), (3, BLOCK_SIZE), (4, 9)]
    merged = SummaryAccumulator.pilot(layout, simulate_block(model, SEED, 0, BLOCK_SIZE).paths)
    binning = merged.histograms.binning
    for group in ([blocks[3], blocks[0]], [blocks[2]], [blocks[1]]):  # any order, any grouping
        part = SummaryAccumulator(layout, binning)
        for block, size in group:
            part.add(simulate_block(model, SEED, block, size).paths)
        merged.merge(part)
    for key in ("counts", "low", "high", "nan"):
        np.testing.assert_array_equal(getattr(merged.histograms, key),
                                      getattr(reference.histograms, key))
    np.testing.assert_array_equal(merged.met, reference.met)
    assert merged.joint == reference.joint and merged.draws == reference.draws == draws


def test_streamed_results_save_and_load(pair, tmp_path):
    _, streamed = pair
    streamed.save(tmp_path / "run")
    loaded = Results.load(tmp_path / "run")
    assert not loaded.draws_kept
    assert loaded.summary.records() == streamed.summary.records()
    assert loaded.summary.joint_probability == streamed.summary.joint_probability
    assert (loaded.scenario_name, loaded.seed, loaded.draws, loaded.base_year) == \
        (streamed.scenario_name, streamed.seed, DRAWS, 2020)
    assert loaded.assumptions() == streamed.assumptions()
    assert loaded.indicator_info("output") == streamed.indicator_info("output")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["draws_kept"] is False
    assert set(summary["quantile_error_bounds"]) == {t.id for t in streamed.targets}


def test_cli_keeps_draws_only_when_asked_or_small(tmp_path, monkeypatch):
    from conftest import BASE

    runner = CliRunner()
    small = runner.invoke(main, ["run", str(BASE), "--draws", "2000", "--out",
                                 str(tmp_path / "small")])
    assert small.exit_code == 0, small.output
    assert Results.load(tmp_path / "small").draws_kept
    streamed = runner.invoke(main, ["run", str(BASE), "--draws", "2000", "--no-keep-draws",
                                    "--out", str(tmp_path / "streamed")])
    assert streamed.exit_code == 0, streamed.output
    loaded = Results.load(tmp_path / "streamed")
    assert not loaded.draws_kept and "revenue_2025" in streamed.output
    a = json.loads((tmp_path / "small" / "summary.json").read_text())
    b = json.loads((tmp_path / "streamed" / "summary.json").read_text())
    assert [t["probability"] for t in a["targets"]] == [t["probability"] for t in b["targets"]]
    monkeypatch.setattr("forecast.pipeline.KEEP_DRAWS_LIMIT", 1000)  # above the limit: streamed
    large = runner.invoke(main, ["run", str(BASE), "--draws", "2000", "--out",
                                 str(tmp_path / "large")])
    assert large.exit_code == 0 and not Results.load(tmp_path / "large").draws_kept
    kept = runner.invoke(main, ["run", str(BASE), "--draws", "2000", "--keep-draws", "--out",
                                str(tmp_path / "kept")])
    assert kept.exit_code == 0 and Results.load(tmp_path / "kept").draws_kept


def test_scheduler_and_workers_together_are_refused(tmp_path):
    from conftest import BASE

    result = CliRunner().invoke(main, ["run", str(BASE), "--draws", "100", "--workers", "2",
                                       "--scheduler", "tcp://127.0.0.1:1", "--out",
                                       str(tmp_path / "x")])
    assert result.exit_code == 2 and "not both" in result.output
    assert "Traceback" not in result.output


def test_progress_bar_counts_and_stays_quiet_off_a_terminal():
    assert not wanted(quiet=True)
    assert not wanted(quiet=False)  # pytest captures stdout: not a terminal
    with ProgressBar(100, enabled=False, delay=0.0) as bar:
        bar(40)
        bar(60)
    assert bar.done == 100 and not bar.shown
    with ProgressBar(100, enabled=True, delay=60.0) as quick:  # ends before the delay
        quick(100)
    assert not quick.shown


# -- the histogram quantiles on their own ----------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.one_of(st.floats(-1e6, 1e6), st.integers(-5, 5).map(float),
                               st.floats(-30, 30).map(np.exp)),  # heavy tails up to 1e13
                     min_size=1, max_size=400),
       pilot_size=st.integers(1, 50), split=st.integers(0, 400),
       q=st.lists(st.floats(0, 1), min_size=1, max_size=5))
def test_histogram_quantiles_bound_the_exact_ones(data, pilot_size, split, q):
    values = np.array(data)[None, :]
    binning = Binning.from_pilot(values[:, :pilot_size], bins=64)
    whole, parts = Histograms(binning, 1), Histograms(binning, 1)
    whole.add(values)
    for piece in (values[:, :split], values[:, split:]):
        other = Histograms(binning, 1)
        other.add(piece)
        parts.merge(other)
    got, bound = whole.quantiles(q)
    again, _ = parts.quantiles(q)
    np.testing.assert_array_equal(got, again)
    _within(np.quantile(values[0], q), got[0], bound[0])


def test_histogram_of_few_distinct_values_is_exact():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 7, (2, 5000)).astype(float)
    binning = Binning.from_pilot(values[:, :100], bins=32)
    histograms = Histograms(binning, 2)
    histograms.add(values)
    got, bound = histograms.quantiles(FAN_QUANTILES)
    np.testing.assert_array_equal(got, np.quantile(values, FAN_QUANTILES, axis=1).T)
    assert np.all(bound == 0)


@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.one_of(st.floats(allow_nan=False), st.integers(-5, 5).map(float),
                               st.floats(-30, 30).map(np.exp)), min_size=1, max_size=300),
       pilot_size=st.integers(0, 60), bins=st.integers(1, 200))
def test_a_value_s_bin_depends_only_on_the_value_and_never_decreases(data, pilot_size, bins):
    values = np.sort(np.array(data))[None, :]
    pilot = np.array(data[:pilot_size])[None, :]
    binning = Binning.from_pilot(pilot, bins=bins)
    index = binning.index(values)[0]
    assert np.all(np.diff(index) >= 0)
    assert index.min() >= 0 and index.max() <= binning.bins + 1
    alone = np.array([binning.index(values[:, [k]])[0, 0] for k in range(values.shape[1])])
    np.testing.assert_array_equal(index, alone)


def test_nan_quantity_gives_nan_quantiles_and_counts_as_not_met():
    values = np.array([[1.0, np.nan, 3.0, 4.0]])
    histograms = Histograms(Binning.from_pilot(values), 1)
    histograms.add(values)
    got, _ = histograms.quantiles([0.5])
    assert np.isnan(got[0, 0]) and histograms.nan[0] == 1


def test_workers_without_dask_installed_is_a_clear_error(model, monkeypatch):
    import sys

    from forecast.engine import simulate_paths
    from forecast.errors import InputError

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(InputError, match=r"pip install 'forecast\[distributed\]'"):
        simulate_paths(model, draws=2 * BLOCK_SIZE, seed=1, workers=2, chunk_blocks=1)
