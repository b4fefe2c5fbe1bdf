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
