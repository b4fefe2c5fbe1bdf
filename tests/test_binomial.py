"""The adoption model's vectorised binomial inverse CDF against scipy's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from forecast.models.adoption import _binomial


@pytest.mark.parametrize("largest,size", [(30, 200_000), (400, 20_000), (2500, 2_000)])
def test_inverse_cdf_matches_scipy(largest, size):
    rng = np.random.default_rng(largest)
    trials = rng.integers(0, largest, size).astype(float)
    probability = rng.random(size)
    probability[:50], probability[50:100], probability[100:150] = 0.0, 1.0, 0.5
    uniform = rng.random(size)
    uniform[150:200] = 0.0
    expected = stats.binom.ppf(uniform, trials, probability).clip(0, trials)
    np.testing.assert_array_equal(_binomial(trials, probability, uniform), expected)


def test_count_rises_with_the_uniform_and_stays_within_the_trials():
    """Common random numbers: one uniform per draw and year, a monotone map to the count."""
    uniform = np.linspace(0, 1, 2001)[:-1]
    for trials, probability in ((17.0, 0.22), (17.0, 0.8), (300.0, 0.5), (0.0, 0.3)):
        counts = _binomial(np.full(uniform.size, trials), np.full(uniform.size, probability),
                           uniform)
        assert np.all(np.diff(counts) >= 0)
        assert counts.min() >= 0 and counts.max() <= trials


def test_frequencies_follow_the_binomial():
    rng = np.random.default_rng(0)
    size = 400_000
    counts = _binomial(np.full(size, 12.0), np.full(size, 0.3), rng.random(size))
    observed = np.bincount(counts.astype(int), minlength=13) / size
    expected = stats.binom.pmf(np.arange(13), 12, 0.3)
    se = np.sqrt(expected * (1 - expected) / size)
    assert np.all(np.abs(observed - expected) <= 5 * se + 1e-12)
