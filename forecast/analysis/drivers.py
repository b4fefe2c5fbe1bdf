"""What drives a probability, from the draws of one run (given-data estimators, numpy only).

The first-order index of an input for an output is ``Var(E[Y | X_i]) / Var(Y)``. From the draws of
a plain run it is estimated without a design: the draws are split into groups by the input
(equal-count bins of its value, or its values themselves when it takes few), and the share of
the output's sum of squares between the groups is the correlation ratio, corrected for the
part that noise alone puts between groups (``epsilon squared``:
``(SS_between - (k - 1) MS_within) / SS_total``). Its standard error comes from a Poisson
bootstrap of the draws. For a hit indicator ``Y = 1[target met]`` the group means are the
conditional probabilities ``P(target | input in bin)``, which are also the curves the report
draws.

Origins (:func:`forecast.info.parameter_source`) are grouped as the sensitivity analysis reads
them: :data:`GROUPS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

GROUP_OF = {"evidence": "data", "observed": "data", "prior": "prior", "pooled": "prior",
            "assumption": "assumption"}
"""The group of each origin: data (a posterior the evidence contracted, or an observed level),
prior (a declared or pooled prior no evidence informs), assumption (a level or share no source
gives)."""
GROUPS = ("data", "prior", "assumption")
UNINFORMED = ("prior", "assumption")
"""Groups whose share of a hit indicator's variance is its ``assumption_share``."""
CURVE_BINS = 20
"""Equal-count bins of a conditional probability curve (5 % of the draws each)."""
TOP = 3
"""Drivers kept per target in a run's summary."""


def group_of(origin: str) -> str:
    """The group (:data:`GROUPS`) of an origin (unknown origins count as prior)."""
    return GROUP_OF.get(origin, "prior")


def bin_labels(x: np.ndarray, bins: int) -> tuple[np.ndarray, int]:
    """Group of every draw (0..k-1, in increasing order of ``x``) and the number of groups:
    the distinct values of ``x`` when it has at most ``bins`` of them, else ``bins``
    equal-count bins of its ranks."""
    x = np.asarray(x, dtype=float)
    values, inverse = np.unique(x, return_inverse=True)
    if len(values) <= bins:
        return inverse.astype(np.int64), len(values)
    ranks = np.empty(len(x), dtype=np.int64)
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return (ranks * bins // len(x)).astype(np.int64), bins


def default_bins(draws: int) -> int:
    """Bins of the first-order estimator for ``draws`` draws: about sqrt(draws) / 3, 5 to 50."""
    return int(min(50, max(5, round(np.sqrt(draws) / 3))))


def _epsilon_squared(labels: np.ndarray, k: int, y: np.ndarray,
                     weights: np.ndarray | None = None) -> float:
    w = np.ones_like(y) if weights is None else weights
    n = w.sum()
    counts = np.bincount(labels, w, minlength=k)
    sums = np.bincount(labels, w * y, minlength=k)
    mean = sums.sum() / n
    total = float(np.sum(w * (y - mean) ** 2))
    if total <= 0.0 or n <= k:
        return float("nan")
    filled = counts > 0
    between = float(np.sum(sums[filled] ** 2 / counts[filled]) - n * mean ** 2)
    groups = int(filled.sum())
    within = max(total - between, 0.0) / (n - groups)
    return (between - (groups - 1) * within) / total


def first_order(x: np.ndarray, y: np.ndarray, *, bins: int | None = None) -> float:
    """Given-data first-order index of ``x`` for ``y`` (NaN if ``y`` is constant)."""
    y = np.asarray(y, dtype=float)
    labels, k = bin_labels(x, bins or default_bins(len(y)))
    return _epsilon_squared(labels, k, y)


def bootstrap_weights(draws: int, *, resamples: int = 30, seed: int = 0) -> np.ndarray:
    """Poisson bootstrap weights, shape (resamples, draws): one set for every input and output
    of a run, so their standard errors come from the same resamples."""
    return np.random.default_rng(seed).poisson(1.0, (resamples, draws)).astype(float)


def first_order_with_se(x: np.ndarray, y: np.ndarray, *, bins: int | None = None,
                        weights: np.ndarray | None = None) -> tuple[float, float]:
    """:func:`first_order` and its standard error over the bootstrap ``weights``
    (:func:`bootstrap_weights`; by default 30 resamples with seed 0)."""
    y = np.asarray(y, dtype=float)
    labels, k = bin_labels(x, bins or default_bins(len(y)))
    estimate = _epsilon_squared(labels, k, y)
    if not np.isfinite(estimate):
        return estimate, float("nan")
    weights = bootstrap_weights(len(y)) if weights is None else weights
    replicates = [_epsilon_squared(labels, k, y, w) for w in weights]
    return estimate, float(np.std(replicates, ddof=1))


@dataclass(frozen=True)
class Curve:
    """``P(target | input in bin)`` over equal-count bins of an input.

    ``x`` is the median of the input in each bin, ``mass`` the share of draws in it,
    ``low``/``high`` a 95 % band (the binomial standard error of each bin's probability).
    """

    input: str
    x: tuple[float, ...]
    probability: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    mass: tuple[float, ...]

    def spread(self) -> tuple[float, float]:
        """The 5 % and 95 % quantiles of the probability if the input were known (over the
        input's distribution)."""
        order = np.argsort(self.probability)
        p = np.asarray(self.probability)[order]
        cumulative = np.cumsum(np.asarray(self.mass)[order])
        at = lambda q: float(p[min(np.searchsorted(cumulative, q * cumulative[-1]), len(p) - 1)])
        return at(0.05), at(0.95)

    def to_json(self) -> dict:
        return {"input": self.input, "x": list(self.x), "probability": list(self.probability),
                "low": list(self.low), "high": list(self.high), "mass": list(self.mass)}


def curve(name: str, x: np.ndarray, met: np.ndarray, *, bins: int = CURVE_BINS) -> Curve:
    """The conditional probability curve of ``met`` over ``x``."""
    x = np.asarray(x, dtype=float)
    hit = np.asarray(met, dtype=float)
    labels, k = bin_labels(x, bins)
    counts = np.bincount(labels, minlength=k)
    filled = counts > 0
    p = np.bincount(labels, hit, minlength=k)[filled] / counts[filled]
    se = np.sqrt(p * (1 - p) / counts[filled])
    order = np.argsort(labels, kind="stable")
    splits = np.cumsum(counts)[:-1]
    medians = [float(np.median(part)) for part in np.split(x[order], splits) if len(part)]
    return Curve(name, tuple(medians), tuple(map(float, p)),
                 tuple(map(float, np.clip(p - 1.96 * se, 0, 1))),
                 tuple(map(float, np.clip(p + 1.96 * se, 0, 1))),
                 tuple(map(float, counts[filled] / len(x))))


@dataclass(frozen=True)
class Driver:
    """An input that drives a target's hit indicator in a run.

    ``low_value``/``low_probability``: the input's median in its bottom decile of draws and
    the target's probability there; ``high_*`` the same in the top decile.
    """

    input: str
    first_order: float
    origin: str
    low_value: float
    low_probability: float
    high_value: float
    high_probability: float

    @property
    def group(self) -> str:
        return group_of(self.origin)

    def to_json(self) -> dict:
        return {"input": self.input, "first_order": self.first_order, "origin": self.origin,
                "group": self.group, "low_value": self.low_value,
                "low_probability": self.low_probability, "high_value": self.high_value,
                "high_probability": self.high_probability}

    def words(self) -> str:
        """``depends on poverty_rate.base: 0 % if it was 0.064, 81 % if it was 0.14``."""
        return (f"depends on {self.input}: {_percent(self.low_probability, 0)} if it was "
                f"{self.low_value:.3g}, {_percent(self.high_probability, 0)} if it was "
                f"{self.high_value:.3g}")


@dataclass(frozen=True)
class TargetDrivers:
    """The drivers of one target in a run and the share of its hit indicator's variance that
    inputs of origin prior or assumption explain (the sum of their first-order indices,
    interactions not counted; at most 1)."""

    drivers: tuple[Driver, ...]
    assumption_share: float

    @property
    def rests_on_assumptions(self) -> bool:
        """More than half the variance of the hit indicator is due to priors and assumptions."""
        return self.assumption_share > 0.5


def inputs_of(parameters: Mapping[str, np.ndarray]) -> list[str]:
    """The parameters that vary from draw to draw (constants drive nothing)."""
    out = []
    for key, values in parameters.items():
        values = np.asarray(values, dtype=float)
        if values.size and np.ptp(values) > 1e-12 * max(1.0, float(np.max(np.abs(values)))):
            out.append(key)
    return out


class RankedInput:
    """An input's draws sorted once, so that every target of a run bins it without sorting
    it again: :meth:`labels` equals :func:`bin_labels` and :meth:`curve` equals
    :func:`curve`, value for value.

    Parameters
    ----------
    x : array_like, shape (draw,)
        The input's value in each draw.
    """

    def __init__(self, x: np.ndarray):
        x = np.asarray(x, dtype=float)
        self.size = len(x)
        self.order = np.argsort(x, kind="stable")
        self.sorted = x[self.order]
        new = self.sorted[1:] != self.sorted[:-1]
        nan = np.isnan(self.sorted)
        new &= ~(nan[1:] & nan[:-1])          # NaNs are one value, as np.unique counts them
        self.distinct = int(np.count_nonzero(new)) + 1 if self.size else 0
        self._value_of_rank = np.concatenate([[0], np.cumsum(new)]).astype(np.int64) \
            if self.size else np.zeros(0, dtype=np.int64)
        self._labels: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}

    def _by_rank(self, bins: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Group of each draw, of each rank (in sorted order), and the number of groups."""
        if bins not in self._labels:
            if self.distinct <= bins:
                by_rank, k = self._value_of_rank, self.distinct
            else:
                by_rank, k = np.arange(self.size, dtype=np.int64) * bins // self.size, bins
            labels = np.empty(self.size, dtype=np.int64)
            labels[self.order] = by_rank
            self._labels[bins] = (labels, by_rank, k)
        return self._labels[bins]

    def labels(self, bins: int) -> tuple[np.ndarray, int]:
        """:func:`bin_labels` of the input with ``bins`` bins."""
        labels, _, k = self._by_rank(bins)
        return labels, k

    def curve(self, name: str, met: np.ndarray, *, bins: int = CURVE_BINS) -> Curve:
        """:func:`curve` of ``met`` over the input (a bin's values are a slice of the sorted
        draws, so its median is taken there)."""
        labels, by_rank, k = self._by_rank(bins)
        hit = np.asarray(met, dtype=float)
        counts = np.bincount(labels, minlength=k)
        filled = counts > 0
        p = np.bincount(labels, hit, minlength=k)[filled] / counts[filled]
        se = np.sqrt(p * (1 - p) / counts[filled])
        splits = np.cumsum(counts)[:-1]
        medians = [float(np.median(part)) for part in np.split(self.sorted, splits)
                   if len(part)]
        return Curve(name, tuple(medians), tuple(map(float, p)),
                     tuple(map(float, np.clip(p - 1.96 * se, 0, 1))),
                     tuple(map(float, np.clip(p + 1.96 * se, 0, 1))),
                     tuple(map(float, counts[filled] / self.size)))


def run_drivers(parameters: Mapping[str, np.ndarray], met: Mapping[str, np.ndarray],
                origins: Mapping[str, str], *, top: int = TOP) -> dict[str, TargetDrivers]:
    """The :class:`TargetDrivers` of every target of a run, each input ranked once for all
    of them (:class:`RankedInput`); the same as :func:`target_drivers` target by target.

    Parameters
    ----------
    parameters : mapping of ndarray
        The run's sampled parameters by key ``indicator.key``, shape (draw,).
    met : mapping of ndarray of bool
        Per target id, whether each draw met it.
    origins : mapping of str
        The origin of each key (:func:`origins_by_key`; unknown keys count as prior).
    top : int
        Drivers kept per target.

    Returns
    -------
    dict of TargetDrivers
        By target id, in the order of ``met``.
    """
    ranked = {key: RankedInput(parameters[key]) for key in inputs_of(parameters)}
    out = {}
    for target, hits in met.items():
        hit = np.asarray(hits, dtype=float)
        bins = default_bins(len(hit))
        shares = {}
        for key, x in ranked.items():
            s = _epsilon_squared(*x.labels(bins), hit)
            shares[key] = 0.0 if not np.isfinite(s) else s
        uninformed = sum(max(s, 0.0) for k, s in shares.items()
                         if group_of(origins.get(k, "prior")) in UNINFORMED)
        drivers = []
        for key in sorted(shares, key=lambda k: -shares[k])[:top]:
            if shares[key] <= 0.0:
                break
            c = ranked[key].curve(key, hits, bins=10)
            drivers.append(Driver(key, float(shares[key]), origins.get(key, "prior"), c.x[0],
                                  c.probability[0], c.x[-1], c.probability[-1]))
        out[target] = TargetDrivers(tuple(drivers), float(min(uninformed, 1.0)))
    return out


def target_drivers(parameters: Mapping[str, np.ndarray], met: np.ndarray,
                   origins: Mapping[str, str], *, top: int = TOP) -> TargetDrivers:
    """The :class:`TargetDrivers` of one target from a run's parameters (by key
    ``indicator.key``) and whether each draw met it (:func:`run_drivers` of one target)."""
    return run_drivers(parameters, {"": met}, origins, top=top)[""]


def origins_by_key(info: Mapping) -> dict[str, str]:
    """``indicator.key`` -> origin from a run's :class:`~forecast.info.IndicatorInfo`."""
    return {f"{name}.{key}": origin for name, item in info.items()
            for key, origin in item.origins.items()}


def _percent(share: float, decimals: int) -> str:
    """A share in English as the rest of the tool writes it (``80.0 %``)."""
    from forecast.formatting import percent

    return percent(share, decimals, "en")


__all__ = ["CURVE_BINS", "Curve", "Driver", "GROUPS", "GROUP_OF", "RankedInput", "TargetDrivers",
           "curve", "bootstrap_weights", "first_order", "first_order_with_se", "group_of",
           "inputs_of", "origins_by_key", "run_drivers", "target_drivers"]
