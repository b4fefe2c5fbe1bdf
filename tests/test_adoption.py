"""Adoption with uneven years (beta-binomial): the pace is less certain, counts stay bounded."""

from __future__ import annotations

import numpy as np

import forecast
from forecast.engine import Model, simulate_paths

HISTORY = forecast.parse_history(
    "indicator,kind,year,year_end,value,unit,source,note\n"
    "communes_ok,level,2016,,40,communes,test,\n"
    "communes_ok,level,2017,,42,communes,test,\n"
    "communes_ok,level,2018,,70,communes,test,\n"
    "communes_ok,level,2019,,73,communes,test,\n", "<test>")
WHY = "test"


def _component(concentration=None):
    spec = {"model": "adoption", "unit": "communes", "units": 200, "evidence": ["communes_ok"],
            "base": {"dist": "integers", "low": 80, "high": 90, "why": WHY},
            "hazard": {"dist": "beta", "a": 1, "b": 1, "why": WHY}}
    if concentration is not None:
        spec["concentration"] = concentration
    return forecast.registry()["adoption"].model_validate(spec).calibrate(HISTORY, base_year=2020)


def _hazard_sd(component) -> float:
    draws = component.sample(np.random.default_rng(1), 200_000, 5)
    return float(draws["hazard"].std())


def test_uneven_years_widen_the_posterior_of_the_pace():
    steady = _component()
    batchy = _component({"dist": "uniform", "low": 2, "high": 40, "why": WHY})
    assert _hazard_sd(batchy) > 2 * _hazard_sd(steady)
    assert "concentration" in batchy.sample(np.random.default_rng(0), 10, 5)


def test_uneven_years_keep_counts_whole_and_bounded():
    component = _component({"dist": "fixed", "value": 3, "why": WHY})
    paths = simulate_paths(Model({"n": component}, 2020, 2030), draws=5000, seed=2).paths["n"]
    assert np.array_equal(paths, np.round(paths))
    assert paths.min() >= 80 and paths.max() <= 200
    assert (np.diff(paths, axis=0) >= 0).all()
    yearly = np.diff(paths, axis=0)
    steady = simulate_paths(Model({"n": _component()}, 2020, 2030), draws=5000,
                            seed=2).paths["n"]
    assert yearly.std() > np.diff(steady, axis=0).std()
