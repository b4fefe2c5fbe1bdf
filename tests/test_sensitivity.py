"""Sensitivity indices with known answers, and a broken input each check catches."""

from __future__ import annotations

import json

import numpy as np
import pytest

from forecast.analysis.drivers import first_order_with_se, target_drivers
from forecast.analysis.sensitivity import sensitivity, sobol_indices

ONE_ASSUMPTION = """
name: one_assumption
region: test
history: history.csv
base_year: 2020
horizon: 2025
draws: 4000
seed: 5
indicators:
  gdp:
    model: growth
    unit: units
    base: {dist: uniform, low: 80, high: 120, why: "test: the only uncertain input"}
    drift: {dist: normal, loc: 0.05, scale: 1.0e-9, why: test}
    volatility: {dist: fixed, value: 0.0, why: test}
targets:
  - {id: level, indicator: gdp, kind: level, year: 2025, at_least: 128, source: test}
  - {id: total, indicator: gdp, kind: cumulative, period: [2021, 2025], at_least: 600, source: test}
"""
WITH_NOISE = ONE_ASSUMPTION.replace("volatility: {dist: fixed, value: 0.0, why: test}",
                                    "volatility: {dist: fixed, value: 0.2, why: test}")


def _design(function, sample, n, d, seed):
    """The outputs of A, AB_1..AB_d, B for ``function`` of independent inputs."""
    rng = np.random.default_rng(seed)
    a, b = sample(rng, (n, d)), sample(rng, (n, d))
    matrices = [function(a)]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        matrices.append(function(ab))
    return matrices + [function(b)]


def check_indices(found, se, expected, *, sigmas=4.0):
    """Every index within ``sigmas`` standard errors (plus 0.005) of its analytic value."""
    found, se, expected = map(np.asarray, (found, se, expected))
    gap = np.abs(found - expected)
    assert np.all(gap <= sigmas * se + 0.005), f"indices {found} ± {se}, expected {expected}"


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_expected(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


UNIFORM = staticmethod(lambda rng, shape: rng.uniform(-np.pi, np.pi, shape))


def _ishigami_indices(matrices):
    return sobol_indices(["x1", "x2", "x3"], matrices, resamples=200, seed=3)


def test_ishigami_indices_match_the_analytic_values():
    s1, s1_se, st, st_se = _ishigami_indices(
        _design(ishigami, lambda r, s: r.uniform(-np.pi, np.pi, s), 8192, 3, 1))
    first, total = _ishigami_expected()
    check_indices(s1, s1_se, first)
    check_indices(st, st_se, total)


def test_the_ishigami_check_fails_on_a_broken_design():
    matrices = _design(ishigami, lambda r, s: r.uniform(-np.pi, np.pi, s), 8192, 3, 1)
    broken = [matrices[0], matrices[2], matrices[1], matrices[3], matrices[4]]  # AB_1 <-> AB_2
    s1, s1_se, _, _ = _ishigami_indices(broken)
    with pytest.raises(AssertionError):
        check_indices(s1, s1_se, _ishigami_expected()[0])


COEFFICIENTS = np.array([1.0, 2.0, 3.0, 0.0])
LINEAR_EXPECTED = COEFFICIENTS ** 2 / np.sum(COEFFICIENTS ** 2)


def linear(x):
    return x @ COEFFICIENTS


def test_linear_model_sobol_indices_are_the_squared_coefficients_shares():
    s1, s1_se, st, st_se = sobol_indices(
        list("abcd"), _design(linear, lambda r, s: r.standard_normal(s), 4096, 4, 2),
        resamples=200, seed=4)
    check_indices(s1, s1_se, LINEAR_EXPECTED)
    check_indices(st, st_se, LINEAR_EXPECTED)  # additive: total = first order


def test_linear_model_given_data_indices_are_the_squared_coefficients_shares():
    x = np.random.default_rng(3).standard_normal((20000, 4))
    y = linear(x)
    found = np.array([first_order_with_se(x[:, i], y) for i in range(4)])
    # binning leaves a small discretisation bias on a smooth function: at most 1 %
    check_indices(found[:, 0], found[:, 1] + 0.01 / 4, LINEAR_EXPECTED)


def test_the_given_data_check_fails_when_the_output_is_unrelated():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((20000, 4))
    y = rng.permutation(linear(x))
    found = np.array([first_order_with_se(x[:, i], y) for i in range(4)])
    with pytest.raises(AssertionError):
        check_indices(found[:, 0], found[:, 1], LINEAR_EXPECTED)


def check_only_input(result, name):
    """``name`` explains all the variance of every target's hit indicator and quantity."""
    for target in result.targets:
        for output in ("hit", "quantity"):
            part = result.indices[target][output]
            i = result.inputs.index(name)
            check_indices([part["first_order"][i], part["total"][i]],
                          [part["first_order_se"][i], part["total_se"][i]], [1.0, 1.0])
            assert part["groups"]["assumption"]["first_order"] == pytest.approx(
                part["first_order"][i], abs=0.005)


def test_the_only_random_assumption_has_index_one(write_scenario):
    result = sensitivity(write_scenario(ONE_ASSUMPTION), draws=2048, discovery=False)
    assert result.origins["gdp.base"] == "assumption"
    check_only_input(result, "gdp.base")
    hit = result.indices["level"]["hit"]
    assert hit["groups"]["noise"]["first_order"] == pytest.approx(0.0, abs=1e-12)


def test_the_only_input_check_fails_when_there_is_noise(write_scenario):
    result = sensitivity(write_scenario(WITH_NOISE), draws=2048, discovery=False)
    with pytest.raises(AssertionError):
        check_only_input(result, "gdp.base")
    assert result.indices["level"]["hit"]["groups"]["noise"]["first_order"] > 0.05


def check_identical(first, second):
    assert json.dumps(first.to_json()) == json.dumps(second.to_json())
    assert first.to_dataset().identical(second.to_dataset())


def test_a_repeated_sensitivity_is_bit_identical(write_scenario):
    path = write_scenario(WITH_NOISE)
    check_identical(sensitivity(path, draws=512), sensitivity(path, draws=512))


def test_the_identity_check_fails_for_another_seed(write_scenario):
    path = write_scenario(WITH_NOISE)
    with pytest.raises(AssertionError):
        check_identical(sensitivity(path, draws=512), sensitivity(path, draws=512, seed=6))


def test_sensitivity_json_keeps_the_documented_keys(write_scenario):
    data = sensitivity(write_scenario(WITH_NOISE), draws=512).to_json()
    entry = data["targets"]["level"]
    assert set(entry["groups"]) >= {"assumption", "noise"}
    rows = entry["inputs"]
    assert all({"input", "origin", "first_order", "first_order_se", "total",
                "total_se"} <= set(r) for r in rows)
    assert [r["first_order"] for r in rows] == sorted((r["first_order"] for r in rows),
                                                      reverse=True)
    assert rows[0]["input"] == "gdp.base"
    curve = entry["curves"][0]
    assert curve["input"] == "gdp.base" and curve["probability"][0] < curve["probability"][-1]
    assert entry["measure_first"][0]["input"] == "gdp.base"
    box = entry["scenario_discovery"]
    assert box["limits"][0]["input"] == "gdp.base" and box["limits"][0]["high"] is not None
    assert "misses in" in box["sentence"]


def test_drivers_name_the_input_and_its_range():
    rng = np.random.default_rng(0)
    parameters = {"a.base": rng.uniform(0.06, 0.14, 20000), "a.pace": rng.normal(0, 1, 20000),
                  "a.fixed": np.full(20000, 3.0)}
    met = parameters["a.base"] > 0.10
    drivers = target_drivers(parameters, met, {"a.base": "assumption", "a.pace": "evidence"})
    top = drivers.drivers[0]
    assert top.input == "a.base" and top.origin == "assumption"
    assert top.low_probability == 0.0 and top.high_probability == 1.0
    assert drivers.assumption_share > 0.5 and drivers.rests_on_assumptions
    assert "depends on a.base: 0 % if it was 0.064" in top.words()
    assert [d.input for d in drivers.drivers] == ["a.base"]  # the others explain nothing
