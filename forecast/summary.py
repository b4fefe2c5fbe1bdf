"""One Summary of a run, whether its draws were kept or streamed.

A run is reduced to :class:`Counts`: draws in which each target (and all of them) is reached,
quantiles of every target's quantity and achieved rate, and quantiles of every indicator in every
year (for fan charts), each quantile with its error bound. With the draws at hand the counts are
computed exactly (:func:`exact_counts`, bounds zero); a streamed run accumulates them block by
block (:class:`SummaryAccumulator`, quantiles from :mod:`forecast.histograms` within a stated
bound). Either way :func:`summarise` turns them, with the targets and the indicators'
:class:`~forecast.info.IndicatorInfo`, into the same typed :class:`Summary`: probabilities with
their Monte Carlo standard errors, quantiles with their bounds, required and achieved rates and
the scale they read on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import InputError, did_you_mean
from forecast.histograms import TOLERANCE, Binning, Histograms, loose
from forecast.info import IndicatorInfo
from forecast.spec.targets import Target

KEEP_DRAWS_LIMIT = 200_000
"""Runs of at most this many draws keep every draw by default; larger runs keep summaries."""
QUANTILES = (0.05, 0.5, 0.95)
"""Quantiles of every target's quantity and achieved rate."""
FAN_QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
"""Quantiles of every indicator in every year (fan charts draw 5, 25, 50, 75 and 95 %)."""


def binomial_se(probability: float, draws: int) -> float:
    """Monte Carlo standard error of a probability estimated from ``draws`` draws:
    ``sqrt(p (1 - p) / draws)``."""
    return math.sqrt(max(probability * (1.0 - probability), 0.0) / draws)


@dataclass(frozen=True)
class Layout:
    """What is summarised: every indicator in every year, then every target's quantity, then
    every target's achieved rate (one row each in :meth:`values`).

    ``rate_kinds`` holds the rate kind of each target's indicator (``growth`` or ``change``).
    """

    indicators: tuple[str, ...]
    years: tuple[int, ...]
    targets: tuple[Target, ...]
    rate_kinds: tuple[str, ...]

    @property
    def rows(self) -> int:
        """Number of summarised quantities."""
        return len(self.indicators) * len(self.years) + 2 * len(self.targets)

    def values(self, paths: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Stack the quantities of one block, shape (rows, draws), and the targets' ``met``.

        Parameters
        ----------
        paths : mapping of ndarray, shape (year, draw)
            The block's simulated paths by indicator.

        Returns
        -------
        values : ndarray, shape (rows, draws)
        met : ndarray of bool, shape (targets, draws)
        """
        size = next(iter(paths.values())).shape[1]
        values = np.empty((self.rows, size))
        span, n = len(self.years), len(self.targets)
        for i, name in enumerate(self.indicators):
            values[i * span:(i + 1) * span] = paths[name]
        offset = len(self.indicators) * span
        met = np.empty((n, size), dtype=bool)
        base_year = self.years[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, (target, rate_kind) in enumerate(zip(self.targets, self.rate_kinds)):
                path = paths[target.indicator]
                quantity = target.quantity(path, base_year)
                values[offset + j] = quantity
                values[offset + n + j] = target.rule.achieved_rate(target, path, base_year,
                                                                   rate_kind)
                met[j] = target.is_met(quantity)
        return values, met


@dataclass(frozen=True)
class Counts:
    """What a run is reduced to, exact or streamed (and what ``results.nc`` stores).

    Attributes
    ----------
    draws : int
    exact : bool
        True when computed from every draw (bounds are then zero).
    fan, fan_error : ndarray, shape (indicator, quantile, year)
        :data:`FAN_QUANTILES` of every indicator in every year and their error bounds.
    quantity, quantity_error : ndarray, shape (target, 3)
        :data:`QUANTILES` of every target's quantity and their error bounds.
    achieved, achieved_error : ndarray, shape (target, 3)
        The same of every target's achieved yearly rate.
    met : ndarray of int, shape (target,)
        Draws in which each target is reached.
    joint : int
        Draws in which all targets are reached.
    at_least : ndarray of int, shape (target + 1,), optional
        Draws in which at least k targets are reached, k = 0..n (None in runs saved before it
        was counted).
    """

    draws: int
    exact: bool
    fan: np.ndarray
    fan_error: np.ndarray
    quantity: np.ndarray
    quantity_error: np.ndarray
    achieved: np.ndarray
    achieved_error: np.ndarray
    met: np.ndarray
    joint: int
    at_least: np.ndarray | None = None


def at_least_counts(met: np.ndarray) -> np.ndarray:
    """Draws in which at least k of the n targets are met, k = 0..n (``met``: (target, draw))."""
    reached = np.count_nonzero(met, axis=0)
    return np.bincount(reached, minlength=met.shape[0] + 1)[::-1].cumsum()[::-1].astype(np.int64)


def _split(layout: Layout, values: np.ndarray, bounds: np.ndarray, draws: int, exact: bool,
           met: np.ndarray, joint: int, fan_columns: list[int], target_columns: list[int],
           at_least: np.ndarray | None = None) -> Counts:
    n_ind, n_years, n = len(layout.indicators), len(layout.years), len(layout.targets)
    cut = n_ind * n_years

    def fan(array: np.ndarray) -> np.ndarray:
        return array[:cut, fan_columns].reshape(n_ind, n_years, -1).transpose(0, 2, 1)

    return Counts(draws, exact, fan(values), fan(bounds),
                  values[cut:cut + n][:, target_columns], bounds[cut:cut + n][:, target_columns],
                  values[cut + n:][:, target_columns], bounds[cut + n:][:, target_columns],
                  np.asarray(met, dtype=np.int64), int(joint),
                  None if at_least is None else np.asarray(at_least, dtype=np.int64))


def _columns() -> tuple[list[float], list[int], list[int]]:
    qs = sorted(set(FAN_QUANTILES) | set(QUANTILES))
    return qs, [qs.index(q) for q in FAN_QUANTILES], [qs.index(q) for q in QUANTILES]


def exact_counts(layout: Layout, paths: Mapping[str, np.ndarray]) -> Counts:
    """:class:`Counts` from every draw (``numpy.quantile``'s linear definition; a quantity with
    a NaN draw has NaN quantiles, as in a streamed run)."""
    values, met = layout.values(paths)
    qs, fan_columns, target_columns = _columns()
    quantiles = np.quantile(values, qs, axis=1).T
    joint = int(np.count_nonzero(np.logical_and.reduce(met, axis=0))) if len(met) else \
        values.shape[1]
    return _split(layout, quantiles, np.zeros_like(quantiles), values.shape[1], True,
                  np.count_nonzero(met, axis=1), joint, fan_columns, target_columns,
                  at_least_counts(met))


class SummaryAccumulator:
    """Counts of targets met, joint count and histograms of one run, merged block by block.

    Every part of the state is an integer count, a minimum or a maximum, so merging is exact and
    does not depend on the order in which blocks are grouped (see :mod:`forecast.histograms`).

    Parameters
    ----------
    layout : Layout
        The quantities summarised.
    binning : Binning
        Their bins (from the pilot block).
    """

    def __init__(self, layout: Layout, binning: Binning):
        self.layout = layout
        self.histograms = Histograms(binning, layout.rows)
        self.met = np.zeros(len(layout.targets), dtype=np.int64)
        self.joint = 0
        self.at_least = np.zeros(len(layout.targets) + 1, dtype=np.int64)
        self.draws = 0

    @classmethod
    def pilot(cls, layout: Layout, paths: Mapping[str, np.ndarray]) -> "SummaryAccumulator":
        """A new accumulator binned on this (pilot) block, with the block already added."""
        values, met = layout.values(paths)
        new = cls(layout, Binning.from_pilot(values))
        new._add(values, met)
        return new

    def add(self, paths: Mapping[str, np.ndarray]) -> None:
        """Add one block of simulated paths."""
        self._add(*self.layout.values(paths))

    def _add(self, values: np.ndarray, met: np.ndarray) -> None:
        self.histograms.add(values)
        self.met += np.count_nonzero(met, axis=1)
        if len(met):
            self.joint += int(np.count_nonzero(np.logical_and.reduce(met, axis=0)))
        else:
            self.joint += met.shape[1]
        self.at_least += at_least_counts(met)
        self.draws += values.shape[1]

    def merge(self, other: "SummaryAccumulator") -> None:
        """Add another accumulator of the same run into this one (exact, order-free)."""
        self.histograms.merge(other.histograms)
        self.met += other.met
        self.joint += other.joint
        self.at_least += other.at_least
        self.draws += other.draws

    def counts(self) -> Counts:
        """The quantiles (within their bounds) and counts the run reports."""
        qs, fan_columns, target_columns = _columns()
        values, bounds = self.histograms.quantiles(qs)
        return _split(self.layout, values, bounds, self.draws, False, self.met.copy(),
                      self.joint, fan_columns, target_columns, self.at_least.copy())


@dataclass(frozen=True)
class TargetSummary:
    """What a run says about one target.

    Quantities (``median``, ``p05``, ``p95``) read on the target kind's ``quantity_scale``
    (``value``, ``change`` or ``growth``); rates (``required_rate``, the ``achieved_rate`` of
    the median draw) on ``rate_kind`` (``growth`` or ``change``), and the ``historical_rate``
    on ``historical_rate_kind`` (the indicator's). ``quantile_error`` bounds
    ``|reported - exact|`` of ``p05``, ``median`` and ``p95`` (zeros when draws were kept);
    ``loose`` says whether any is above :data:`forecast.histograms.TOLERANCE` of its scale.
    ``drivers`` (the inputs that explain most of the variance of the hit indicator, largest
    first) and ``assumption_share`` (the share that inputs of origin prior or assumption
    explain) come from the run's own draws (:mod:`forecast.analysis.drivers`): None when the
    draws were not kept.
    """

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
    quantile_error: tuple[float, float, float]
    loose: bool
    required_rate: float
    achieved_rate: float
    historical_rate: float | None
    rate_kind: str
    historical_rate_kind: str
    quantity_scale: str
    unit: str
    assumed: bool
    drivers: tuple[Any, ...] | None = None
    assumption_share: float | None = None
    label: str | None = None
    observed_year: int | None = None
    required_from_observed: float | None = None
    observed_rate: float | None = None

    @property
    def rests_on_assumptions(self) -> bool:
        """More than half of the hit indicator's variance is due to priors and assumptions."""
        return self.assumption_share is not None and self.assumption_share > 0.5


RECORD_KEYS = ("id", "indicator", "kind", "year", "threshold", "probability", "probability_se",
               "median", "p05", "p95", "required_rate", "achieved_rate", "historical_rate",
               "rate_kind", "unit", "assumed")
"""The columns of ``summary.csv`` and the keys of each target in ``summary.json``."""
MONITORING_KEYS = ("label", "observed_year", "required_from_observed", "observed_rate")
"""Columns a mid-plan update adds (``forecast update``): the monitoring label, the last
observed year of the target's indicator, the rate required from it and the rate observed."""
LABELS = ("on track", "at risk", "off track")


def monitoring_label(probability: float, *, on_track: float = 0.8,
                     off_track: float = 0.2) -> str:
    """``on track`` at ``on_track`` or above, ``off track`` below ``off_track``, else
    ``at risk``."""
    if probability >= on_track:
        return LABELS[0]
    return LABELS[2] if probability < off_track else LABELS[1]


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@dataclass(frozen=True)
class Summary:
    """The summary of a run: the same object whether its draws were kept or streamed.

    Attributes
    ----------
    draws : int
    exact : bool
        True when quantiles are exact (draws kept), False when streamed within their bounds.
    targets : tuple of TargetSummary
    joint_probability, joint_probability_se : float
        All targets in the same draw, and its Monte Carlo standard error.
    indicators : tuple of str
    years : tuple of int
    fan, fan_error : ndarray, shape (indicator, quantile, year)
        :data:`FAN_QUANTILES` of every indicator in every year and their error bounds.
    at_least, at_least_se : tuple of float
        P(at least k of the n targets), k = 1..n, and their Monte Carlo standard errors
        (empty for a run saved before they were counted).
    """

    draws: int
    exact: bool
    targets: tuple[TargetSummary, ...]
    joint_probability: float
    joint_probability_se: float
    indicators: tuple[str, ...]
    years: tuple[int, ...]
    fan: np.ndarray
    fan_error: np.ndarray
    at_least: tuple[float, ...] = ()
    at_least_se: tuple[float, ...] = ()

    def __repr__(self) -> str:
        """One line: the draws, each target's probability and the joint one (not the arrays)."""
        quantiles = "exact" if self.exact else "streamed"
        odds = ", ".join(f"{t.id} {t.probability:.1%}" for t in self.targets)
        return (f"<Summary of {self.draws:,} draws ({quantiles} quantiles): {odds}; all "
                f"together {self.joint_probability:.1%}>")

    def _repr_html_(self) -> str:
        """The target records as an HTML table (:meth:`frame`)."""
        return self.frame().to_html(index=False, float_format=lambda v: f"{v:.4g}")

    def target(self, target_id: str) -> TargetSummary:
        """The summary of one target.

        Raises
        ------
        InputError
            If there is no such target (with a did-you-mean).
        """
        for target in self.targets:
            if target.id == target_id:
                return target
        ids = [t.id for t in self.targets]
        raise InputError.single(f"no target '{target_id}'.{did_you_mean(target_id, ids)} "
                                f"Targets: {', '.join(ids)}", key="target")

    def records(self) -> list[dict[str, Any]]:
        """One plain record per target with :data:`RECORD_KEYS`."""
        return [{k: _plain(getattr(t, k)) for k in self.keys} for t in self.targets]

    @property
    def keys(self) -> tuple[str, ...]:
        """:data:`RECORD_KEYS`, and :data:`MONITORING_KEYS` when targets carry labels."""
        labelled = any(t.label is not None for t in self.targets)
        return RECORD_KEYS + (MONITORING_KEYS if labelled else ())

    def frame(self):
        """The target records as a ``pandas.DataFrame``, one row per target."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records(), columns=list(self.keys))

    def quantile_errors(self) -> dict[str, dict[str, float | bool]]:
        """Per target: the bounds of ``p05``, ``median`` and ``p95`` and ``loose``."""
        return {t.id: {**dict(zip(("p05", "median", "p95"), map(float, t.quantile_error))),
                       "loose": t.loose} for t in self.targets}

    def quantiles(self, indicator: str, quantiles: Sequence[float] = FAN_QUANTILES):
        """Quantiles of ``indicator`` in every year, from the summary: an
        ``xarray.DataArray`` with dims ``quantile`` and ``year`` (its error bounds in
        ``attrs["error"]``).

        Raises
        ------
        InputError
            If the indicator is unknown, or a quantile is not among :data:`FAN_QUANTILES`.
        """
        import xarray as xr

        if indicator not in self.indicators:
            raise InputError.single(f"unknown indicator '{indicator}'."
                                    f"{did_you_mean(indicator, self.indicators)}",
                                    key="indicator")
        columns = []
        for q in quantiles:
            match = [i for i, s in enumerate(FAN_QUANTILES) if math.isclose(float(q), s)]
            if not match:
                raise InputError.single(
                    f"the summary keeps the quantiles {list(FAN_QUANTILES)}; {q} is not among "
                    "them (with the draws kept, any quantile can be computed)", key="quantiles")
            columns.append(match[0])
        row = self.indicators.index(indicator)
        picked = [FAN_QUANTILES[c] for c in columns]
        return xr.DataArray(self.fan[row][columns], name=indicator, dims=("quantile", "year"),
                            coords={"quantile": picked, "year": list(self.years)},
                            attrs={"error": self.fan_error[row][columns]})

    def to_json(self) -> dict[str, Any]:
        """The plain data ``summary.json`` holds about the targets."""
        out: dict[str, Any] = {
            "draws": self.draws, "draws_kept": self.exact,
            "joint_probability": self.joint_probability,
            "joint_probability_se": self.joint_probability_se,
            "at_least": [{"k": k, "probability": p, "probability_se": se} for k, (p, se)
                         in enumerate(zip(self.at_least, self.at_least_se), start=1)],
            "targets": self.records()}
        for record, target in zip(out["targets"], self.targets):
            record["drivers"] = None if target.drivers is None else [
                d.to_json() for d in target.drivers]
            record["assumption_share"] = target.assumption_share
        if not self.exact:
            out["quantile_error_bounds"] = self.quantile_errors()
        return out


def summarise(counts: Counts, targets: Sequence[Target], info: Mapping[str, IndicatorInfo],
              years: Sequence[int], drivers: Mapping[str, Any] | None = None) -> Summary:
    """The :class:`Summary` of a run's :class:`Counts`.

    The required rate of a target is taken from the median of its indicator in the base year.
    ``drivers`` maps target ids to their :class:`~forecast.analysis.drivers.TargetDrivers`
    (computed from the draws, when they were kept).
    """
    indicators = tuple(info)
    base_year = int(years[0])
    median_column = FAN_QUANTILES.index(0.5)
    out = []
    for j, target in enumerate(targets):
        meta = info[target.indicator]
        rule = target.rule
        p = int(counts.met[j]) / counts.draws
        p05, median, p95 = (float(v) for v in counts.quantity[j])
        bounds = tuple(float(b) for b in counts.quantity_error[j])
        base = float(counts.fan[indicators.index(target.indicator), median_column, 0])
        flags = loose(counts.quantity[j], counts.quantity_error[j], p95 - p05)
        out.append(TargetSummary(
            id=target.id, indicator=target.indicator, kind=target.kind, year=target.last_year,
            threshold=float(target.threshold), probability=p,
            probability_se=binomial_se(p, counts.draws), median=median, p05=p05, p95=p95,
            quantile_error=bounds, loose=bool(flags.any()),  # type: ignore[arg-type]
            required_rate=float(rule.required_rate(target, base, base_year, meta.rate_kind)),
            achieved_rate=float(counts.achieved[j][1]), historical_rate=meta.historical_rate,
            rate_kind=rule.rate_kind(meta.rate_kind), historical_rate_kind=meta.rate_kind,
            quantity_scale=rule.quantity_scale(), unit=meta.unit, assumed=meta.assumed_base,
            **_drivers_of(drivers, target.id)))
    joint = counts.joint / counts.draws
    at_least = () if counts.at_least is None else tuple(
        int(c) / counts.draws for c in counts.at_least[1:])
    return Summary(counts.draws, counts.exact, tuple(out), joint,
                   binomial_se(joint, counts.draws), indicators, tuple(int(y) for y in years),
                   counts.fan, counts.fan_error, at_least,
                   tuple(binomial_se(p, counts.draws) for p in at_least))


def _drivers_of(drivers: Mapping[str, Any] | None, target_id: str) -> dict[str, Any]:
    found = None if drivers is None else drivers.get(target_id)
    if found is None:
        return {}
    return {"drivers": found.drivers, "assumption_share": found.assumption_share}


__all__ = ["Counts", "FAN_QUANTILES", "KEEP_DRAWS_LIMIT", "Layout", "QUANTILES", "RECORD_KEYS",
           "Summary", "SummaryAccumulator", "TOLERANCE", "TargetSummary", "at_least_counts",
           "binomial_se",
           "exact_counts", "summarise"]
