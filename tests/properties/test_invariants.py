"""Invariants of the models, for any valid settings (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

import forecast
from forecast.engine import Model, simulate_paths
from forecast.testing import _EMPTY_HISTORY

WHY = "property test"
PROFILE = settings(max_examples=30, deadline=None)


def _model(spec: dict, inputs: tuple[str, ...] = ()) -> Model:
    components = {}
    if inputs:
        driver = forecast.registry()["growth"].model_validate({
            "model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 100, "why": WHY},
            "drift": {"dist": "normal", "loc": 0.05, "scale": 0.05, "why": WHY},
            "volatility": {"dist": "halfnormal", "scale": 0.2, "why": WHY}})
        components["x"] = driver.calibrate(_EMPTY_HISTORY, base_year=2020)
    component = forecast.registry()[spec["model"]].model_validate(spec)
    components["y"] = component.calibrate(_EMPTY_HISTORY, base_year=2020,
                                           inputs={k: components[k] for k in inputs})
    return Model(components, 2020, 2030)


share = st.floats(0.001, 0.999)
scale = st.floats(0.001, 2.0)


@PROFILE
@given(low=share, width=st.floats(0.0001, 0.5), vol=scale, trend=st.floats(-3, 3),
       elasticity=st.floats(-20, 20), seed=st.integers(0, 2**32))
def test_poverty_stays_in_open_unit_interval(low, width, vol, trend, elasticity, seed):
    high = min(low + width, 0.9999)
    model = _model({"model": "poverty", "unit": "share", "inputs": ["x"],
                    "base": {"dist": "uniform", "low": low, "high": high, "why": WHY},
                    "trend": {"dist": "normal", "loc": trend, "scale": 0.1, "why": WHY},
                    "elasticity": {"dist": "normal", "loc": elasticity, "scale": 1, "why": WHY},
                    "volatility": {"dist": "halfnormal", "scale": vol, "why": WHY}}, ("x",))
    path = simulate_paths(model, draws=300, seed=seed).paths["y"]
    assert np.all((path > 0) & (path < 1))


@PROFILE
@given(ceiling=st.floats(0.2, 1.0), fraction=st.floats(0, 0.999), pace=st.floats(-2, 2), vol=scale,
       seed=st.integers(0, 2**32))
def test_coverage_stays_between_zero_and_ceiling(ceiling, fraction, pace, vol, seed):
    base = ceiling * fraction
    model = _model({"model": "coverage", "unit": "share", "ceiling": ceiling,
                    "base": {"dist": "fixed", "value": base, "why": WHY},
                    "pace": {"dist": "normal", "loc": pace, "scale": 0.5, "why": WHY},
                    "volatility": {"dist": "halfnormal", "scale": vol, "why": WHY}})
    path = simulate_paths(model, draws=300, seed=seed).paths["y"]
    assert np.all((path >= 0) & (path <= ceiling))


@PROFILE
@given(units=st.integers(1, 300), low=st.integers(0, 300), a=st.floats(0.1, 20),
       b=st.floats(0.1, 20), seed=st.integers(0, 2**32))
def test_adoption_counts_are_integers_within_bounds_and_never_fall(units, low, a, b, seed):
    low = min(low, units)
    model = _model({"model": "adoption", "unit": "communes", "units": units,
                    "base": {"dist": "integers", "low": low, "high": units, "why": WHY},
                    "hazard": {"dist": "beta", "a": a, "b": b, "why": WHY}})
    path = simulate_paths(model, draws=300, seed=seed).paths["y"]
    assert np.array_equal(path, np.round(path))
    assert np.all((path >= 0) & (path <= units))
    assert np.all(np.diff(path, axis=0) >= 0)


@PROFILE
@given(low=st.floats(0.01, 0.9), vol=scale, seed=st.integers(0, 2**32))
def test_investment_is_a_share_of_its_inputs(low, vol, seed):
    model = _model({"model": "investment", "unit": "u", "inputs": ["x"],
                    "share": {"dist": "uniform", "low": low, "high": low + 0.05, "why": WHY},
                    "volatility": {"dist": "halfnormal", "scale": vol, "why": WHY}}, ("x",))
    result = simulate_paths(model, draws=300, seed=seed)
    ratio = result.paths["y"] / result.paths["x"]
    assert np.all((ratio > 0) & (ratio < 1))


@PROFILE
@given(seed=st.integers(0, 2**63 - 1), draws=st.integers(1, 3000))
def test_same_seed_same_result(seed, draws):
    model = _model({"model": "growth", "unit": "u",
                    "base": {"dist": "uniform", "low": 1, "high": 2, "why": WHY},
                    "jump": {"probability": 0.1,
                             "size": {"dist": "normal", "loc": -0.1, "scale": 0.05, "why": WHY}},
                    "tail_dof": 4})
    a = simulate_paths(model, draws=draws, seed=seed)
    b = simulate_paths(model, draws=draws, seed=seed)
    np.testing.assert_array_equal(a.paths["y"], b.paths["y"])
    assert np.isfinite(a.paths["y"]).all()
