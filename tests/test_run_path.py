"""The default run's path stays light and gives the same numbers as before it was made light:
kept draws without xarray (the Dataset built on first access), each input of the drivers
ranked once for all targets, a one-year cumulative target's required rate in closed form."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.analysis.drivers import (RankedInput, _epsilon_squared, bin_labels, curve,
                                       default_bins, first_order, group_of, inputs_of,
                                       run_drivers, target_drivers, Driver, TargetDrivers,
                                       UNINFORMED)


def _inputs(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Inputs of every shape the drivers meet: continuous, ties, few values, integers, a
    constant, a NaN."""
    with_nan = rng.normal(size=n)
    with_nan[[3, 7]] = np.nan
    return {"a.x": rng.normal(size=n), "a.ties": np.round(rng.normal(size=n), 1),
            "a.few": rng.integers(0, 7, n).astype(float), "a.count": rng.integers(6, 13, n),
            "a.const": np.full(n, 2.5), "a.nan": with_nan,
            "a.zeros": np.where(rng.random(n) < 0.5, -0.0, 0.0) + rng.integers(0, 60, n)}


@pytest.mark.parametrize("bins", [1, 5, 10, 47, 60])
def test_ranked_labels_are_bin_labels(bins):
    rng = np.random.default_rng(4)
    for key, x in _inputs(rng, 2001).items():
        labels, k = RankedInput(x).labels(bins)
        expected, k_expected = bin_labels(x, bins)
        assert k == k_expected, key
        np.testing.assert_array_equal(labels, expected)
        assert labels.dtype == expected.dtype


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=0,
                max_size=80), st.integers(1, 12))
def test_ranked_labels_on_arbitrary_values(values, bins):
    x = np.asarray(values, dtype=float)
    labels, k = RankedInput(x).labels(bins)
    expected, k_expected = bin_labels(x, bins)
    assert k == k_expected
    np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("bins", [10, 20])
def test_ranked_curve_is_curve(bins):
    rng = np.random.default_rng(5)
    met = rng.random(3000) < 0.4
    for key, x in _inputs(rng, 3000).items():
        if key == "a.nan":
            continue
        assert RankedInput(x).curve(key, met, bins=bins) == curve(key, x, met, bins=bins)


def _one_by_one(parameters, met, origins, top=3):
    """The drivers as they were computed before inputs were ranked once: a sort of every
    input for every target."""
    hit = np.asarray(met, dtype=float)
    shares = {}
    for key in inputs_of(parameters):
        s = first_order(parameters[key], hit)
        shares[key] = 0.0 if not np.isfinite(s) else s
    uninformed = sum(max(s, 0.0) for k, s in shares.items()
                     if group_of(origins.get(k, "prior")) in UNINFORMED)
    drivers = []
    for key in sorted(shares, key=lambda k: -shares[k])[:top]:
        if shares[key] <= 0.0:
            break
        c = curve(key, parameters[key], met, bins=10)
        drivers.append(Driver(key, float(shares[key]), origins.get(key, "prior"), c.x[0],
                              c.probability[0], c.x[-1], c.probability[-1]))
    return TargetDrivers(tuple(drivers), float(min(uninformed, 1.0)))


def test_run_drivers_equal_the_drivers_target_by_target():
    rng = np.random.default_rng(6)
    parameters = _inputs(rng, 5000)
    parameters.pop("a.nan")
    origins = {"a.x": "assumption", "a.ties": "evidence", "a.few": "prior"}
    met = {"t1": parameters["a.x"] + rng.normal(size=5000) > 0.5,
           "t2": parameters["a.few"] + parameters["a.ties"] > 3,
           "t3": rng.random(5000) < 0.3, "none": np.zeros(5000, dtype=bool)}
    together = run_drivers(parameters, met, origins)
    assert list(together) == list(met)
    for target, hits in met.items():
        assert together[target] == _one_by_one(parameters, hits, origins)
        assert target_drivers(parameters, hits, origins) == together[target]


def test_epsilon_squared_from_ranked_labels():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=4000), (rng.random(4000) < 0.5).astype(float)
    bins = default_bins(4000)
    assert _epsilon_squared(*RankedInput(x).labels(bins), y) == first_order(x, y)


def test_a_kept_draws_run_imports_no_xarray(tmp_path):
    """A default run prints and saves without xarray, pandas, dask or pint;
    ``results.dataset`` then builds the Dataset (a subprocess: the test session has them
    imported)."""
    from conftest import BASE

    code = f"""
import json, sys
import forecast
results = forecast.simulate({str(BASE)!r}, draws=600, seed=2)
results.save({str(tmp_path / 'run')!r})
heavy = ("xarray", "pandas", "dask", "pint")
before = sorted(m for m in heavy if m in sys.modules)
dataset = results.dataset
print(json.dumps({{"before": before, "xarray": "xarray" in sys.modules,
                  "same": results.dataset is dataset}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found == {"before": [], "xarray": True, "same": True}


def test_the_lazy_dataset_is_the_dataset_of_every_draw():
    import xarray as xr

    import forecast
    from forecast.results import KeptDraws, draws_dataset

    results = forecast.simulate(forecast.load_scenario(__import__("conftest").BASE),
                                draws=700, seed=4)
    kept = results._draws
    assert isinstance(kept, KeptDraws)
    dataset = results.dataset
    assert list(dataset.data_vars) == kept.data_vars
    assert dataset.sizes == {"year": len(results.years), "draw": 700}
    for name in kept.data_vars:
        assert dataset[name].dims == kept[name].dims
        assert dataset[name].attrs == kept[name].attrs
        np.testing.assert_array_equal(dataset[name].values, kept[name].values)
    np.testing.assert_array_equal(results.path("output"),
                                  dataset["output"].transpose("year", "draw").values)
    paths = {n: kept[n].values for n in kept.data_vars if kept[n].attrs["kind"] == "indicator"}
    parameters = {n: kept[n].values for n in kept.data_vars
                  if kept[n].attrs["kind"] == "parameter"}
    xr.testing.assert_identical(draws_dataset(paths, parameters, results.info, results.years),
                                dataset)


@pytest.mark.parametrize("base,threshold,year", [
    (100.0, 180.0, 2021), (100.0, 180.0, 2024), (50.0, 20.0, 2023), (3.0, 2000.0, 2022),
    (1.0, 1e-6, 2021), (7.5, 7.5, 2025), (2.0, 40.0, 2021)])
def test_one_year_cumulative_rate_in_closed_form_is_brentq_s(base, threshold, year):
    """The closed form of a one-year period is the root brentq finds, within its tolerance,
    and NaN where brentq finds none in the bracket."""
    from scipy.optimize import brentq

    from forecast.spec.targets import KINDS, Target

    target = Target(id="t", indicator="x", kind="cumulative", period=(year, year),
                    at_least=threshold, source="test")
    rule = KINDS["cumulative"]
    got = rule.required_rate(target, base, 2020, "growth")
    offsets = np.array([year - 2020])
    try:
        expected = brentq(lambda r: float(base * np.sum((1.0 + r) ** offsets) - threshold),
                          *rule.BRACKET)
    except ValueError:
        assert np.isnan(got)
        return
    assert got == pytest.approx(expected, rel=1e-12, abs=4e-12)
    assert base * (1 + got) ** offsets[0] == pytest.approx(threshold, rel=1e-12)


def test_longer_cumulative_periods_are_still_solved_by_brentq():
    from scipy.optimize import brentq

    from forecast.spec.targets import KINDS, Target

    target = Target(id="t", indicator="x", kind="cumulative", period=(2021, 2025),
                    at_least=21000.0, source="test")
    offsets = np.arange(1, 6)
    expected = brentq(lambda r: float(3000.0 * np.sum((1.0 + r) ** offsets) - 21000.0),
                      -0.99, 10.0)
    assert KINDS["cumulative"].required_rate(target, 3000.0, 2020, "growth") == expected
