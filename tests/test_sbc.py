"""Simulation-based calibration: histories as short as the real ones (6 levels, 5 changes).

True parameters are drawn from the declared priors, a history is simulated from them, the
component is calibrated on it with the package's own calibration, and the central 90 % interval
of the posterior draws must hold the true value in 90 % of the replications, within binomial
error. Because the truth comes from the prior, this holds exactly for an exact posterior; a
posterior that ignores the data, double-counts a year or mis-scales the noise fails it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import forecast
from forecast import Evidence, History

REPLICATIONS = 300
POSTERIOR_DRAWS = 2000
YEARS = np.arange(2015, 2021)  # 6 levels, 5 yearly changes; the last is the base year
TOLERANCE = 3 * math.sqrt(0.9 * 0.1 / REPLICATIONS)  # 3 binomial standard errors
WHY = "simulation-based calibration"


def _rows(indicator: str, kind: str, years, values, unit: str) -> list[Evidence]:
    return [Evidence(indicator, kind, int(y), None, float(v), unit, "synthetic", "", "<sbc>", 0)
            for y, v in zip(years, values)]


def _history(rows: list[Evidence]) -> History:
    numbered = [Evidence(**{**r.__dict__, "line": i + 2}) for i, r in enumerate(rows)]
    return History(tuple(numbered), "<sbc>")


def _component(settings: dict):
    return forecast.registry()[settings["model"]].model_validate(settings)


def _interval_holds(component, truth: dict[str, float], seed: int) -> dict[str, bool]:
    draws = component.sample(np.random.default_rng(seed), POSTERIOR_DRAWS, 1)
    out = {}
    for name, value in truth.items():
        low, high = np.quantile(draws[name], [0.05, 0.95])
        out[name] = bool(low <= value <= high)
    return out


def _prior_draw(setting: dict, rng: np.random.Generator, size: int) -> np.ndarray:
    from pydantic import TypeAdapter

    from forecast.spec.distributions import Distribution

    return TypeAdapter(Distribution).validate_python(setting).sample(rng, size)


def _coverage(results: list[dict[str, bool]]) -> dict[str, float]:
    return {name: float(np.mean([r[name] for r in results])) for name in results[0]}


def _assert_calibrated(coverage: dict[str, float]) -> None:
    for name, share in coverage.items():
        assert abs(share - 0.9) <= TOLERANCE, (
            f"90 % intervals held the true {name} in {share:.1%} of {REPLICATIONS} "
            f"replications; expected 90 % ± {TOLERANCE:.1%}")


GROWTH = {"model": "growth", "unit": "units", "evidence": ["gdp"],
          "drift": {"dist": "normal", "loc": 0.06, "scale": 0.03, "why": WHY},
          "volatility": {"dist": "halfnormal", "scale": 0.04, "why": WHY}}


def _simulate_growth(rng: np.random.Generator, size: int, spec: dict = GROWTH):
    drift = _prior_draw(spec["drift"], rng, size)
    sigma = _prior_draw(spec["volatility"], rng, size)
    changes = drift[:, None] + sigma[:, None] * rng.standard_normal((size, YEARS.size - 1))
    logs = np.log(100.0) + np.concatenate([np.zeros((size, 1)), np.cumsum(changes, 1)], 1)
    return drift, sigma, np.exp(logs)


def test_growth_intervals_hold_the_truth_90_percent():
    rng = np.random.default_rng(20240601)
    drift, sigma, levels = _simulate_growth(rng, REPLICATIONS)
    component = _component(GROWTH)
    results = []
    for i in range(REPLICATIONS):  # one calibration per synthetic history, not per draw
        fitted = component.calibrate(_history(_rows("gdp", "level", YEARS, levels[i], "units")),
                                     base_year=int(YEARS[-1]))
        results.append(_interval_holds(fitted, {"drift": drift[i], "volatility": sigma[i]}, i))
    _assert_calibrated(_coverage(results))


FISCAL = {"model": "fiscal", "unit": "units", "evidence": ["revenue"], "inputs": ["output"],
          "intercept": {"dist": "normal", "loc": 0.02, "scale": 0.05, "why": WHY},
          "elasticity": {"dist": "normal", "loc": 1.1, "scale": 0.3, "why": WHY},
          "volatility": {"dist": "halfnormal", "scale": 0.06, "why": WHY}}
OUTPUT = {**GROWTH, "evidence": ["output"],
          "volatility": {"dist": "halfnormal", "scale": 0.08, "why": WHY}}


def test_fiscal_intervals_hold_the_truth_90_percent():
    rng = np.random.default_rng(20240602)
    _, _, output = _simulate_growth(rng, REPLICATIONS, OUTPUT)
    x = np.diff(np.log(output), axis=1)
    intercept = _prior_draw(FISCAL["intercept"], rng, REPLICATIONS)
    elasticity = _prior_draw(FISCAL["elasticity"], rng, REPLICATIONS)
    sigma = _prior_draw(FISCAL["volatility"], rng, REPLICATIONS)
    growth = (intercept[:, None] + elasticity[:, None] * x
              + sigma[:, None] * rng.standard_normal(x.shape))
    revenue = 50.0 * np.exp(np.concatenate([np.zeros((REPLICATIONS, 1)),
                                            np.cumsum(growth, 1)], 1))
    out_component, component = _component(OUTPUT), _component(FISCAL)
    results = []
    for i in range(REPLICATIONS):
        history = _history(_rows("output", "level", YEARS, output[i], "units")
                           + _rows("revenue", "level", YEARS, revenue[i], "units"))
        base_year = int(YEARS[-1])
        fitted_output = out_component.calibrate(history, base_year=base_year)
        fitted = component.calibrate(history, base_year=base_year,
                                     inputs={"output": fitted_output})
        results.append(_interval_holds(fitted, {"intercept": intercept[i],
                                                "elasticity": elasticity[i],
                                                "volatility": sigma[i]}, i))
    _assert_calibrated(_coverage(results))


POVERTY = {"model": "poverty", "unit": "share", "evidence": ["poor"], "inputs": ["output"],
           "trend": {"dist": "normal", "loc": -0.1, "scale": 0.1, "why": WHY},
           "elasticity": {"dist": "normal", "loc": -2.0, "scale": 1.0, "why": WHY},
           "volatility": {"dist": "halfnormal", "scale": 0.1, "why": WHY}}


def test_poverty_intervals_hold_the_truth_90_percent_from_mixed_levels_and_changes():
    """Levels (in %) in 2015, 2017, 2019 and yearly changes (in points) in 2016, 2018, 2020:
    the reading must turn them into the five yearly logit changes exactly."""
    rng = np.random.default_rng(20240603)
    _, _, output = _simulate_growth(rng, REPLICATIONS, OUTPUT)
    x = np.diff(np.log(output), axis=1)
    trend = _prior_draw(POVERTY["trend"], rng, REPLICATIONS)
    elasticity = _prior_draw(POVERTY["elasticity"], rng, REPLICATIONS)
    sigma = _prior_draw(POVERTY["volatility"], rng, REPLICATIONS)
    start = np.log(0.15 / 0.85) + 0.3 * rng.standard_normal(REPLICATIONS)
    step = trend[:, None] + elasticity[:, None] * x + sigma[:, None] * rng.standard_normal(x.shape)
    logit = start[:, None] + np.concatenate([np.zeros((REPLICATIONS, 1)), np.cumsum(step, 1)], 1)
    rate = 1 / (1 + np.exp(-logit))
    out_component, component = _component(OUTPUT), _component(POVERTY)
    results = []
    for i in range(REPLICATIONS):
        rows = (_rows("output", "level", YEARS, output[i], "units")
                + _rows("poor", "level", YEARS[0::2], 100 * rate[i, 0::2], "%")
                + _rows("poor", "change", YEARS[1::2], 100 * np.diff(rate[i])[0::2], "points"))
        history = _history(rows)
        fitted_output = out_component.calibrate(history, base_year=int(YEARS[-1]))
        fitted = component.model_copy(update={"base": _fixed(rate[i, -1])}).calibrate(
            history, base_year=int(YEARS[-1]), inputs={"output": fitted_output})
        assert fitted.fit.reading.years == 5 and not fitted.fit.reading.unused
        results.append(_interval_holds(fitted, {"trend": trend[i], "elasticity": elasticity[i],
                                                "volatility": sigma[i]}, i))
    _assert_calibrated(_coverage(results))


def _fixed(value: float):
    from forecast.spec.distributions import Fixed

    return Fixed(dist="fixed", value=float(value), why=WHY)


ADOPTION = {"model": "adoption", "unit": "communes", "evidence": ["ntm"], "units": 40,
            "hazard": {"dist": "beta", "a": 2, "b": 7, "why": WHY}}


def test_adoption_intervals_hold_the_truth_90_percent():
    rng = np.random.default_rng(20240604)
    hazard = _prior_draw(ADOPTION["hazard"], rng, REPLICATIONS)
    counts = np.empty((REPLICATIONS, YEARS.size))
    counts[:, 0] = rng.integers(0, 15, REPLICATIONS)
    for t in range(1, YEARS.size):  # over years; all replications at once
        counts[:, t] = counts[:, t - 1] + rng.binomial(
            (ADOPTION["units"] - counts[:, t - 1]).astype(int), hazard)
    component = _component(ADOPTION)
    results = []
    for i in range(REPLICATIONS):
        fitted = component.calibrate(
            _history(_rows("ntm", "level", YEARS, counts[i], "communes")),
            base_year=int(YEARS[-1]))
        results.append(_interval_holds(fitted, {"hazard": hazard[i]}, i))
    _assert_calibrated(_coverage(results))


@pytest.mark.parametrize("parameter, change", [("volatility", {"scale": 0.16}),
                                               ("drift", {"loc": 0.15})])
def test_a_wrong_prior_is_detected(parameter, change):
    """The check has power: histories simulated from a prior other than the one calibration
    declares (a volatility prior 4 times wider, a drift prior 3 sd away) give 90 % intervals
    that miss the band."""
    rng = np.random.default_rng(20240605)
    spec = {**GROWTH, parameter: {**GROWTH[parameter], **change}}
    drift, sigma, levels = _simulate_growth(rng, REPLICATIONS, spec)
    component = _component(GROWTH)
    results = []
    for i in range(REPLICATIONS):
        fitted = component.calibrate(_history(_rows("gdp", "level", YEARS, levels[i], "units")),
                                     base_year=int(YEARS[-1]))
        truth = {"volatility": sigma[i], "drift": drift[i]}
        results.append(_interval_holds(fitted, {parameter: truth[parameter]}, i))
    assert _coverage(results)[parameter] < 0.9 - TOLERANCE


# -- rank histograms, evidence of every kind, and a broken variant of each -----------------
#
# Each case below draws the truth from the declared priors, simulates a history, calibrates
# with the package's own code, and checks the rank of the truth among the posterior draws: its
# histogram must be flat (chi-square test) and the central 90 % interval must hold the truth
# 90 % of the time. A deliberately broken calibration of the same case must fail one of them.

BINS = 10
RANK_DRAWS = BINS * 50 - 1  # posterior draws per replication; rank in 0..RANK_DRAWS
CHI2_LEVEL = 1e-3


def _ranks(component, truth: dict[str, float], seed: int) -> dict[str, int]:
    draws = component.sample(np.random.default_rng(seed), RANK_DRAWS, 1)
    return {name: int(np.sum(draws[name] < value)) for name, value in truth.items()}


def _rank_statistics(ranks: list[dict[str, int]]) -> dict[str, tuple[float, float]]:
    """Per parameter: (chi-square p of the rank histogram in BINS bins, 90 % coverage)."""
    from scipy.stats import chisquare

    out = {}
    for name in ranks[0]:
        r = np.array([x[name] for x in ranks])
        counts = np.bincount(r * BINS // (RANK_DRAWS + 1), minlength=BINS)
        coverage = float(np.mean((r >= 0.05 * (RANK_DRAWS + 1)) & (r < 0.95 * (RANK_DRAWS + 1))))
        out[name] = (float(chisquare(counts).pvalue), coverage)
    return out


def _calibrated(stats: dict[str, tuple[float, float]], n: int) -> bool:
    tolerance = 3 * math.sqrt(0.9 * 0.1 / n)
    return all(p > CHI2_LEVEL and abs(c - 0.9) <= tolerance for p, c in stats.values())


def _assert_ranks(stats, n):
    assert _calibrated(stats, n), {k: f"chi2 p {p:.2g}, coverage {c:.1%}"
                                   for k, (p, c) in stats.items()}


def _growth_rows(changes: np.ndarray, kind: str, errors=None) -> list[Evidence]:
    """Rows for one history of yearly log changes over 2015..2020: 'mixed' = the 2015-2020
    average growth and the growth of 2016 and 2019; 'levels' = six levels (with ``errors``:
    reported with that relative error, the error column set)."""
    if kind == "mixed":
        growth = np.expm1(changes) * 100
        average = (np.exp(changes.sum() / changes.size) - 1) * 100
        rows = [Evidence("gdp", "average_growth", 2015, 2020, float(average), "%/yr", "s", "",
                         "<sbc>", 0)]
        rows += [Evidence("gdp", "average_growth", y - 1, y, float(growth[y - 2016]), "%/yr",
                          "s", "", "<sbc>", 0) for y in (2016, 2019)]
        return rows
    levels = 100 * np.exp(np.concatenate([[0.0], np.cumsum(changes)]))
    if errors is None:
        return _rows("gdp", "level", YEARS, levels, "units")
    reported, relative = errors
    return [Evidence("gdp", "level", int(y), None, float(v), "units", "s", "", "<sbc>", 0,
                     "estimate", relative, True) for y, v in zip(YEARS, reported)]


def _growth_case(rng, kind: str, n: int, *, error: float | None = None, report=True):
    drift = _prior_draw(GROWTH["drift"], rng, n)
    sigma = _prior_draw(GROWTH["volatility"], rng, n)
    changes = drift[:, None] + sigma[:, None] * rng.standard_normal((n, YEARS.size - 1))
    component = _component({**GROWTH, "base": {"dist": "fixed", "value": 1.0, "why": WHY}})
    ranks = []
    for i in range(n):
        errors = None
        if error is not None:
            levels = 100 * np.exp(np.concatenate([[0.0], np.cumsum(changes[i])]))
            reported = levels * (1 + error * rng.standard_normal(levels.size))
            errors = (reported, error if report else 0.0)
        history = _history(_growth_rows(changes[i], kind, errors))
        fitted = component.calibrate(history, base_year=int(YEARS[-1]))
        ranks.append(_ranks(fitted, {"drift": drift[i], "volatility": sigma[i]}, i))
    return _rank_statistics(ranks)


SBC_N = 200


def test_growth_from_a_period_average_and_yearly_figures_is_calibrated():
    _assert_ranks(_growth_case(np.random.default_rng(7001), "mixed", SBC_N), SBC_N)


def test_averages_read_as_single_years_are_caught(monkeypatch):
    """Broken: a period average's rate read as one year's change (its total is the rate, not
    the rate times its years)."""
    monkeypatch.setattr(Evidence, "years", property(lambda row: 1))
    stats = _growth_case(np.random.default_rng(7001), "mixed", SBC_N)
    assert not _calibrated(stats, SBC_N), stats


def test_levels_with_reporting_error_are_calibrated():
    _assert_ranks(_growth_case(np.random.default_rng(7002), "levels", SBC_N, error=0.02), SBC_N)


def test_reporting_error_ignored_is_caught():
    """Broken: the same noisy figures read as exact."""
    stats = _growth_case(np.random.default_rng(7002), "levels", SBC_N, error=0.02, report=False)
    assert not _calibrated(stats, SBC_N), stats


AR_YEARS = np.arange(2005, 2021)  # 16 levels, 15 yearly changes: the AR(1) fit needs 8
AR_GROWTH = {**GROWTH, "persistence": {"dist": "uniform", "low": -0.6, "high": 0.6, "why": WHY},
             "base": {"dist": "fixed", "value": 1.0, "why": WHY},
             "volatility": {"dist": "fixed", "value": 0.03, "why": WHY}}


def _ar1_case(rng, n: int, se_scale: float = 1.0):
    import forecast.models.growth as growth

    drift = _prior_draw(GROWTH["drift"], rng, n)
    phi = _prior_draw(AR_GROWTH["persistence"], rng, n)
    steps = AR_YEARS.size - 1
    changes = np.empty((n, steps))
    previous = drift + 0.03 * rng.standard_normal(n)  # stationary start
    for t in range(steps):
        previous = drift + phi * (previous - drift) + 0.03 * np.sqrt(1 - phi**2) * \
            rng.standard_normal(n)
        changes[:, t] = previous
    component = _component(AR_GROWTH)
    real = growth.ar1
    growth.ar1 = lambda series: _scaled(real(series), se_scale)
    try:
        ranks = []
        for i in range(n):
            levels = 100 * np.exp(np.concatenate([[0.0], np.cumsum(changes[i])]))
            fitted = component.calibrate(_history(_rows("gdp", "level", AR_YEARS, levels,
                                                        "units")), base_year=2020)
            ranks.append(_ranks(fitted, {"persistence": phi[i]}, i))
    finally:
        growth.ar1 = real
    return _rank_statistics(ranks)


def _scaled(fit: dict, scale: float) -> dict:
    if fit.get("fitted"):
        fit = {**fit, "bse": {k: v * scale for k, v in fit["bse"].items()}}
    return fit


def test_ar1_persistence_is_calibrated():
    _assert_ranks(_ar1_case(np.random.default_rng(7003), SBC_N), SBC_N)


def test_an_overconfident_ar1_fit_is_caught():
    """Broken: the AR(1) estimate's standard error halved."""
    stats = _ar1_case(np.random.default_rng(7003), SBC_N, se_scale=0.4)
    assert not _calibrated(stats, SBC_N), stats


BATCHY = {**ADOPTION, "units": 60, "concentration": {"dist": "uniform", "low": 2, "high": 30,
                                                     "why": WHY}}


def _batch_case(rng, n: int, *, declare: bool = True):
    hazard = _prior_draw(BATCHY["hazard"], rng, n)
    c = _prior_draw(BATCHY["concentration"], rng, n)
    counts = np.empty((n, YEARS.size))
    counts[:, 0] = rng.integers(0, 10, n)
    for t in range(1, YEARS.size):
        yearly = rng.beta(hazard * c, (1 - hazard) * c)
        counts[:, t] = counts[:, t - 1] + rng.binomial(
            (BATCHY["units"] - counts[:, t - 1]).astype(int), yearly)
    spec = BATCHY if declare else {k: v for k, v in BATCHY.items() if k != "concentration"}
    component = _component(spec)
    ranks = []
    for i in range(n):
        fitted = component.calibrate(_history(_rows("ntm", "level", YEARS, counts[i], "communes")),
                                     base_year=int(YEARS[-1]))
        ranks.append(_ranks(fitted, {"hazard": hazard[i]}, i))
    return _rank_statistics(ranks)


def test_adoption_with_batches_is_calibrated():
    _assert_ranks(_batch_case(np.random.default_rng(7004), SBC_N), SBC_N)


def test_batches_read_as_even_years_are_caught():
    """Broken: uneven (beta-binomial) years read with the binomial likelihood."""
    stats = _batch_case(np.random.default_rng(7004), SBC_N, declare=False)
    assert not _calibrated(stats, SBC_N), stats


MERGED = {**ADOPTION, "units": {2015: 60, 2018: 40}}


def _merger_case(rng, n: int, *, series: bool = True):
    """The list has 60 units in 2015-2017 and 40 from 2018 (the stock kept at 0.7 of its
    count); evidence on each list; the pair across the change is not one population."""
    hazard = _prior_draw(MERGED["hazard"], rng, n)
    counts = np.empty((n, YEARS.size))
    counts[:, 0] = rng.integers(0, 10, n)
    for t in range(1, YEARS.size):
        year = YEARS[t]
        units = 60 if year < 2018 else 40
        start = counts[:, t - 1] if year != 2018 else np.round(0.7 * counts[:, t - 1])
        start = np.minimum(start, units)
        counts[:, t] = start + rng.binomial((units - start).astype(int), hazard)
    spec = MERGED if series else {**ADOPTION, "units": 60}
    component = _component(spec)
    ranks = []
    for i in range(n):
        fitted = component.calibrate(_history(_rows("ntm", "level", YEARS, counts[i], "communes")),
                                     base_year=int(YEARS[-1]))
        ranks.append(_ranks(fitted, {"hazard": hazard[i]}, i))
    return _rank_statistics(ranks)


def test_adoption_on_a_changing_unit_list_is_calibrated():
    _assert_ranks(_merger_case(np.random.default_rng(7005), SBC_N), SBC_N)


def test_a_unit_list_read_as_unchanged_is_caught():
    """Broken: the evidence read on one unit count (60) for every year."""
    stats = _merger_case(np.random.default_rng(7005), SBC_N, series=False)
    assert not _calibrated(stats, SBC_N), stats


COVERAGE = {"model": "coverage", "unit": "share", "evidence": ["roads"],
            "base": {"dist": "fixed", "value": 0.5, "why": WHY},
            "pace": {"dist": "normal", "loc": 0.15, "scale": 0.07, "why": WHY},
            "volatility": {"dist": "halfnormal", "scale": 0.05, "why": WHY}}


def _coverage_case(rng, n: int, *, scale_right: bool = True):
    pace = _prior_draw(COVERAGE["pace"], rng, n)
    sigma = _prior_draw(COVERAGE["volatility"], rng, n)
    closing = pace[:, None] + sigma[:, None] * rng.standard_normal((n, YEARS.size - 1))
    gap0 = rng.uniform(0.3, 0.7, n)
    gaps = gap0[:, None] * np.exp(-np.concatenate([np.zeros((n, 1)), np.cumsum(closing, 1)], 1))
    share = 1 - gaps
    component = _component(COVERAGE)
    ranks = []
    for i in range(n):
        values = 100 * share[i] if scale_right else 100 * share[i] ** 0.5
        fitted = component.calibrate(_history(_rows("roads", "level", YEARS, values, "%")),
                                     base_year=int(YEARS[-1]))
        ranks.append(_ranks(fitted, {"pace": pace[i], "volatility": sigma[i]}, i))
    return _rank_statistics(ranks)


def test_coverage_is_calibrated():
    _assert_ranks(_coverage_case(np.random.default_rng(7006), SBC_N), SBC_N)


def test_coverage_on_the_wrong_scale_is_caught():
    """Broken: the shares reported on another scale (square roots) than the model reads."""
    stats = _coverage_case(np.random.default_rng(7006), SBC_N, scale_right=False)
    assert not _calibrated(stats, SBC_N), stats
