"""Target kinds and their evaluation on simulated paths."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from forecast.spec.scenario import Target

QUANTILES = (0.05, 0.5, 0.95)


def target_quantity(target: Target, path: np.ndarray, base_year: int) -> np.ndarray:
    """The quantity a target judges, for every draw.

    Parameters
    ----------
    target : Target
        The target.
    path : ndarray, shape (year, draw)
        The indicator's simulated values, first row the base year.
    base_year : int
        Year of the first row.

    Returns
    -------
    ndarray, shape (draw,)
        The level in the year, the average change per year, the compound growth per year, or
        the sum over the period.
    """
    last = path[target.last_year - base_year]
    if target.kind == "level":
        return last
    start = path[target.first_year - 1 - base_year]
    years = target.last_year - target.first_year + 1
    if target.kind == "average_change":
        return (last - start) / years
    if target.kind == "growth":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(last / start, 1.0 / years) - 1.0
    return path[target.first_year - base_year: target.last_year - base_year + 1].sum(axis=0)


def is_met(target: Target, quantity: np.ndarray) -> np.ndarray:
    """Boolean per draw: does the quantity reach the target?"""
    if target.at_least is not None:
        return quantity >= target.at_least
    return quantity <= target.at_most


def required_rate(target: Target, base_value: float, base_year: int, rate_kind: str) -> float:
    """The constant yearly rate from the base year that just meets the target.

    For a level target: compound growth (``rate_kind == "growth"``) or change per year; for
    average-change and growth targets the threshold itself; for a cumulative target the growth of
    the yearly value that makes the sum reach the threshold.
    """
    if target.kind in ("average_change", "growth"):
        return target.threshold
    if target.kind == "level":
        years = target.year - base_year
        if years == 0:
            return math.nan
        if rate_kind == "growth":
            if base_value <= 0 or target.threshold <= 0:
                return math.nan
            return (target.threshold / base_value) ** (1.0 / years) - 1.0
        return (target.threshold - base_value) / years
    offsets = np.arange(target.first_year, target.last_year + 1) - base_year
    if base_value <= 0:
        return math.nan

    def gap(rate: float) -> float:
        return float(base_value * np.sum((1.0 + rate) ** offsets) - target.threshold)

    try:
        return brentq(gap, -0.99, 10.0)
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class TargetSummary:
    """What a run says about one target."""

    id: str
    indicator: str
    kind: str
    year: int
    threshold: float
    probability: float
    probability_se: float
    median: float
    p05: float
    p95: float
    required_rate: float
    historical_rate: float | None


def summarise(target: Target, quantity: np.ndarray, base_value: float, base_year: int,
              rate_kind: str, historical: float | None) -> TargetSummary:
    """Probability with its Monte Carlo standard error, quantiles and rates of one target."""
    met = is_met(target, quantity)
    n = met.size
    p = float(met.mean())
    p05, median, p95 = (float(v) for v in np.quantile(quantity, QUANTILES))
    return TargetSummary(target.id, target.indicator, target.kind, target.last_year,
                         float(target.threshold), p, math.sqrt(max(p * (1 - p), 0.0) / n),
                         median, p05, p95, float(required_rate(target, base_value, base_year,
                                                               rate_kind)), historical)


def achieved_rate(target: Target, path: np.ndarray, base_year: int, rate_kind: str) -> np.ndarray:
    """The yearly rate each draw achieves, on the scale of :func:`required_rate`.

    Level targets: compound growth (or change per year) from the base year to the target year;
    average-change and growth targets: the quantity itself; cumulative targets: the compound
    growth of the yearly value from the base year to the last year of the period.
    """
    if target.kind in ("average_change", "growth"):
        return target_quantity(target, path, base_year)
    last = path[target.last_year - base_year]
    years = target.last_year - base_year
    if target.kind == "level" and rate_kind != "growth":
        return (last - path[0]) / years
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(last / path[0], 1.0 / years) - 1.0
