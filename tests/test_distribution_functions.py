"""The declared distributions' densities and quantile functions, and the adoption model's
binomial and beta-binomial log probabilities, equal ``scipy.stats``' bit for bit: calibration
computes them without importing ``scipy.stats`` (a start-up cost of about 0.4 s)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.models.adoption import _betabinom_logpmf, _binom_logpmf
from forecast.models.posterior import scipy_distribution
from forecast.spec.distributions import (Beta, Fixed, HalfNormal, Integers, LogNormal, Normal,
                                         Pooled, Triangular, Uniform)

WHY = {"why": "a test distribution"}
DISTRIBUTIONS = [
    Normal(dist="normal", loc=0.0, scale=1.0, **WHY),
    Normal(dist="normal", loc=0.062, scale=0.0137, **WHY),
    Normal(dist="normal", loc=-3.5, scale=250.0, **WHY),
    HalfNormal(dist="halfnormal", scale=0.015, **WHY),
    HalfNormal(dist="halfnormal", scale=0.1, **WHY),
    HalfNormal(dist="halfnormal", scale=3.0, **WHY),
    LogNormal(dist="lognormal", mu=-3.2, sigma=0.45, **WHY),
    LogNormal(dist="lognormal", mu=2.0, sigma=1.3, **WHY),
    Uniform(dist="uniform", low=420.0, high=560.0, **WHY),
    Uniform(dist="uniform", low=0.35, high=0.75, **WHY),
    Triangular(dist="triangular", low=0.0, mode=0.02, high=0.1, **WHY),
    Triangular(dist="triangular", low=1.0, mode=1.0, high=4.0, **WHY),
    Triangular(dist="triangular", low=-2.0, mode=3.0, high=3.0, **WHY),
    Beta(dist="beta", a=2.0, b=7.0, **WHY),
    Beta(dist="beta", a=0.5, b=0.5, **WHY),
    Beta(dist="beta", a=30.0, b=1.5, **WHY),
    Beta(dist="beta", a=1.0, b=1.0, **WHY),
]
PROBABILITIES = np.concatenate([
    [0.0, 1e-300, 1e-15, 1e-5, 0.05, 0.5, 0.95, 1 - 1e-5, 1 - 1e-15, 1.0, -0.1, 1.1, np.nan],
    (np.arange(40) + 0.5) / 40, np.random.default_rng(1).random(2000)])


def _points(dist) -> np.ndarray:
    low, high = scipy_distribution(dist).ppf([1e-6, 1 - 1e-6])
    rng = np.random.default_rng(2)
    inner = np.linspace(low, high, 512)
    return np.concatenate([inner, rng.uniform(low - (high - low), high + (high - low), 2000),
                           list(dist.bounds()), [0.0, -0.0, np.inf, -np.inf, np.nan]])


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.describe())
def test_logpdf_equals_scipy(dist):
    x = _points(dist)
    with np.errstate(all="ignore"):
        expected = scipy_distribution(dist).logpdf(x)
    np.testing.assert_array_equal(dist.logpdf(x), expected)
    assert dist.logpdf(float(x[3])) == expected[3]


@pytest.mark.filterwarnings("ignore:Error in function boost")  # Boost at 1e-300, both sides
@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: d.describe())
def test_ppf_equals_scipy(dist):
    expected = scipy_distribution(dist).ppf(PROBABILITIES)
    np.testing.assert_array_equal(dist.ppf(PROBABILITIES), expected)
    assert dist.ppf(1e-5) == scipy_distribution(dist).ppf(1e-5)
    assert np.ndim(dist.ppf(0.5)) == 0


def test_pooled_delegates():
    concrete = LogNormal(dist="lognormal", mu=-2.5, sigma=0.3, **WHY)
    pooled = Pooled(dist="pooled", name="x", **WHY).resolved(concrete)
    grid = np.linspace(0.0, 0.5, 100)
    np.testing.assert_array_equal(pooled.logpdf(grid), concrete.logpdf(grid))
    np.testing.assert_array_equal(pooled.ppf([0.1, 0.9]), concrete.ppf([0.1, 0.9]))


@pytest.mark.parametrize("dist", [Fixed(dist="fixed", value=1.0, **WHY),
                                  Integers(dist="integers", low=1, high=3, **WHY)])
def test_no_density(dist):
    with pytest.raises(TypeError, match="no density"):
        dist.logpdf(np.zeros(3))
    with pytest.raises(TypeError, match="no quantile"):
        dist.ppf(0.5)


def test_a_broken_formula_is_caught():
    """The comparison sees a one-ulp change: a density off by a factor 1 + 2**-52 fails."""
    dist = DISTRIBUTIONS[3]
    x = _points(dist)
    with np.errstate(all="ignore"):
        with pytest.raises(AssertionError):
            np.testing.assert_array_equal(dist.logpdf(x) * (1 + 2.0**-52),
                                          scipy_distribution(dist).logpdf(x))


@pytest.mark.parametrize("count,trials", [(0, 40), (3, 40), (40, 40), (41, 40), (-1, 40),
                                          (17, 150), (0, 0), (2.5, 10)])
def test_binomial_logpmf_equals_scipy(count, trials):
    grid = (np.arange(2000) + 0.5) / 2000
    q = 1 - (1 - grid) ** 3
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(_binom_logpmf(count, trials, q),
                                      stats.binom.logpmf(count, trials, q))


@pytest.mark.parametrize("count,trials", [(0, 40), (3, 40), (40, 40), (41, 40), (17, 150)])
def test_beta_binomial_logpmf_equals_scipy(count, trials):
    grid = (np.arange(400) + 0.5) / 400
    q = (1 - (1 - grid) ** 2)[:, None]
    concentration = np.exp(np.linspace(0.0, 6.0, 40))
    a, b = q * concentration, (1 - q) * concentration
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(_betabinom_logpmf(count, trials, a, b),
                                      stats.betabinom.logpmf(count, trials, a, b))
