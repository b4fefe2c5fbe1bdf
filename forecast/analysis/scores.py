"""Scores of probabilistic forecasts against what happened: one home for the backtests'.

A forecast is a sample of draws; each outcome gets its PIT (the share of draws at or below it),
whether the central 50 % and 90 % intervals hold it, its CRPS and the interval score of the 90 %
interval; :func:`summarise_scores` pools them into one row (coverage with its binomial standard
error at the nominal rate, mean CRPS with its standard error, the PIT histogram).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from forecast.summary import binomial_se

__all__ = ["BINS", "crps_samples", "forecast_scores", "summarise_scores"]

BINS = 10
"""Bins of the PIT histogram."""


def crps_samples(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of sample forecasts: ``E|X - y| - E|X - X'| / 2``, per column.

    Parameters
    ----------
    samples : ndarray, shape (draws, n)
    observed : ndarray, shape (n,)

    Notes
    -----
    ``E|X - X'|`` over all ordered pairs of the sorted sample ``x_(1..m)`` is
    ``2 / m**2 * sum_i (2 i - m - 1) x_(i)``, so the score costs a sort, not m**2 pairs.
    """
    samples = np.sort(np.asarray(samples, float), axis=0)
    m = samples.shape[0]
    first = np.mean(np.abs(samples - observed[None]), axis=0)
    weights = (2 * np.arange(1, m + 1) - m - 1)[:, None]
    spread = 2.0 / m**2 * np.sum(weights * samples, axis=0)
    return first - 0.5 * spread


def forecast_scores(samples: np.ndarray, observed: np.ndarray) -> dict[str, np.ndarray]:
    """Per-forecast PIT, 50 % / 90 % coverage, CRPS and the 90 % interval score
    ``(u - l) + 20 (l - y)+ + 20 (y - u)+`` (columns of ``samples`` are forecasts)."""
    pit = np.mean(samples <= observed[None], axis=0)
    q = np.quantile(samples, [0.05, 0.25, 0.75, 0.95], axis=0)
    below, above = np.maximum(q[0] - observed, 0.0), np.maximum(observed - q[3], 0.0)
    return {"pit": pit, "in50": (q[1] <= observed) & (observed <= q[2]),
            "in90": (q[0] <= observed) & (observed <= q[3]),
            "crps": crps_samples(samples, observed),
            "interval90": (q[3] - q[0]) + 20.0 * (below + above)}


def summarise_scores(method: str, horizon: Any, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    """One row of scores pooled over forecasts (``scores`` as :func:`forecast_scores` gives,
    the coverage entries booleans)."""
    n = scores["pit"].size
    counts = np.histogram(scores["pit"], bins=BINS, range=(0.0, 1.0))[0]
    return {"method": method, "horizon": horizon, "forecasts": int(n),
            "coverage50": float(scores["in50"].mean()), "coverage90": float(scores["in90"].mean()),
            "coverage50_se": binomial_se(0.5, n), "coverage90_se": binomial_se(0.9, n),
            "crps": float(scores["crps"].mean()),
            "crps_se": float(scores["crps"].std(ddof=1) / math.sqrt(n)) if n > 1 else None,
            "pit_histogram": counts.tolist(), "mean_pit": float(scores["pit"].mean()),
            "interval90": float(scores["interval90"].mean())}
