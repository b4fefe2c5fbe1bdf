"""Streaming summaries: target probabilities and quantiles accumulated block by block.

When the draws are not kept, every block of draws is reduced to counts and fine histograms as
soon as it is simulated, so memory is bounded by the block size whatever the number of draws:

- target probabilities, and the joint probability of all targets, are exact counts;
- quantiles (of every target's quantity and of every indicator in every year, for fan charts)
  come from a histogram of :data:`BINS` equal bins per quantity whose range is the pilot block's
  (block 0) range widened by a quarter on each side, plus one open bin below and one above. Each
  bin keeps its count and the smallest and largest value that fell in it.

Every part of the state is an integer count, a minimum or a maximum, so merging accumulators is
exact and does not depend on the order: results are bit-identical however blocks are grouped
into chunks, processes or Dask tasks.

Error bound. A quantile is computed like ``numpy.quantile``'s default (linear interpolation
between the order statistics of ranks ``floor(q (n - 1))`` and the next one). An order statistic
is known exactly when it is the smallest or largest value of its bin (or its bin holds one
distinct value); otherwise it is interpolated within the bin and lies in ``[bin min, bin max]``.
The bound reported with every quantile is the interpolation of those spans: the streamed quantile
differs from the exact one by at most that, and the span is never wider than one bin,
``1.5 * (pilot range) / BINS`` (about 1e-4 of the pilot block's range), except when the rank
falls in one of the two open bins (beyond the pilot range widened by half: not for the
quantiles reported with 8,192 pilot draws, in practice).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .scenario import Target
from .targets import QUANTILES, is_met, target_quantity

KEEP_DRAWS_LIMIT = 200_000
"""Runs of at most this many draws keep every draw by default; larger runs keep summaries."""
BINS = 16384
"""Equal bins per summarised quantity inside the widened pilot range."""
MARGIN = 0.25
"""Each side of the pilot block's range is widened by this fraction of the range."""
FAN_QUANTILES = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
"""Quantiles of every indicator in every year kept by a streamed run (for fan charts)."""


@dataclass(frozen=True)
class Layout:
    """What is summarised: every indicator in every year, then every target's quantity.

    Row ``i * len(years) + j`` of :meth:`values` is indicator ``i`` in year ``j``; the last
    ``len(targets)`` rows are the targets' quantities.
    """

    indicators: tuple[str, ...]
    years: tuple[int, ...]
    targets: tuple[Target, ...]

    @property
    def rows(self) -> int:
        """Number of summarised quantities."""
        return len(self.indicators) * len(self.years) + len(self.targets)

    def values(self, paths: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Stack the quantities of one block, shape (rows, draws), and the targets' ``met``.

        Parameters
        ----------
        paths : dict of ndarray, shape (year, draw)
            The block's simulated paths by indicator.

        Returns
        -------
        values : ndarray, shape (rows, draws)
        met : ndarray of bool, shape (targets, draws)
        """
        size = next(iter(paths.values())).shape[1]
        values = np.empty((self.rows, size))
        span = len(self.years)
        for i, name in enumerate(self.indicators):
            values[i * span:(i + 1) * span] = paths[name]
        offset = len(self.indicators) * span
        met = np.empty((len(self.targets), size), dtype=bool)
        for j, target in enumerate(self.targets):
            quantity = target_quantity(target, paths[target.indicator], self.years[0])
            values[offset + j] = quantity
            met[j] = is_met(target, quantity)
        return values, met


@dataclass(frozen=True)
class Binning:
    """Where the bins of every quantity lie: ``lower`` edge and ``width`` per row."""

    lower: np.ndarray
    width: np.ndarray
    bins: int = BINS

    @classmethod
    def from_pilot(cls, values: np.ndarray, bins: int = BINS) -> "Binning":
        """Bins over each row's range in the pilot block, widened by :data:`MARGIN` per side."""
        finite = np.where(np.isfinite(values), values, np.nan)
        with np.errstate(all="ignore"):
            low = np.nanmin(finite, axis=1) if finite.size else np.zeros(len(values))
            high = np.nanmax(finite, axis=1) if finite.size else np.zeros(len(values))
        low = np.where(np.isfinite(low), low, 0.0)
        high = np.where(np.isfinite(high), high, 0.0)
        span = (high - low) * (1 + 2 * MARGIN)
        # a constant row gets a tiny bin around its value, so its one value is one bin
        span = np.where(span > 0, span, np.maximum(np.abs(low), 1.0) * 1e-9 * bins)
        lower = low - np.where(high > low, (high - low) * MARGIN, span / 2)
        return cls(lower, span / bins, bins)

    def index(self, values: np.ndarray) -> np.ndarray:
        """Bin of each value: 0 below the range, 1..bins inside, bins + 1 above (NaN: -1)."""
        scaled = values - self.lower[:, None]
        scaled *= 1.0 / self.width[:, None]
        np.floor(scaled, out=scaled)
        nan = np.isnan(scaled)
        np.clip(scaled, -1, self.bins, out=scaled)
        if nan.any():
            scaled[nan] = -2
        index = scaled.astype(np.intp)
        index += 1
        return index


class Histograms:
    """Per-row bin counts with the smallest and largest value in each bin (mergeable, exact)."""

    def __init__(self, binning: Binning, rows: int):
        self.binning = binning
        size = binning.bins + 2
        self.counts = np.zeros((rows, size), dtype=np.int64)
        self.low = np.full((rows, size), np.inf)
        self.high = np.full((rows, size), -np.inf)
        self.nan = np.zeros(rows, dtype=np.int64)

    def add(self, values: np.ndarray) -> None:
        """Add one block of values, shape (rows, draws)."""
        index = self.binning.index(values)
        for row in range(values.shape[0]):
            bins, data = index[row], values[row]
            if bins.size and bins.min() < 0:
                keep = bins >= 0
                self.nan[row] += int(bins.size - np.count_nonzero(keep))
                bins, data = bins[keep], data[keep]
            np.add.at(self.counts[row], bins, 1)
            np.minimum.at(self.low[row], bins, data)
            np.maximum.at(self.high[row], bins, data)

    def merge(self, other: "Histograms") -> None:
        """Add another accumulator's state into this one (same binning)."""
        self.counts += other.counts
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)
        self.nan += other.nan

    def quantiles(self, quantiles: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """Quantiles of every row and their error bounds, each of shape (rows, quantiles).

        ``numpy.quantile``'s default (linear) definition; a row with a NaN gives NaN.
        """
        rows = self.counts.shape[0]
        values = np.full((rows, len(quantiles)), np.nan)
        bounds = np.full((rows, len(quantiles)), np.nan)
        cumulative = np.cumsum(self.counts, axis=1)
        for row in range(rows):
            n = int(cumulative[row, -1])
            if n == 0 or self.nan[row]:
                continue
            for column, q in enumerate(quantiles):
                position = q * (n - 1)
                below = math.floor(position)
                above = min(below + 1, n - 1)
                fraction = position - below
                a, a_bound = self._order_statistic(row, cumulative[row], below)
                b, b_bound = self._order_statistic(row, cumulative[row], above)
                values[row, column] = _lerp(a, b, fraction)
                bounds[row, column] = (1 - fraction) * a_bound + fraction * b_bound
        return values, bounds

    def _order_statistic(self, row: int, cumulative: np.ndarray, rank: int) -> tuple[float, float]:
        """Estimate of the ``rank``-th smallest value (0-based) and its error bound."""
        b = int(np.searchsorted(cumulative, rank, side="right"))
        start = int(cumulative[b - 1]) if b else 0
        count = int(self.counts[row, b])
        low, high = float(self.low[row, b]), float(self.high[row, b])
        offset = rank - start
        if offset == 0 or low == high:
            return low, 0.0
        if offset == count - 1:
            return high, 0.0
        return low + (high - low) * offset / (count - 1), high - low


def _lerp(a: float, b: float, t: float) -> float:
    """``numpy.quantile``'s interpolation between two order statistics."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


class SummaryAccumulator:
    """Counts of targets met, joint count and histograms of one run, merged block by block.

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
        self.draws = 0

    @classmethod
    def pilot(cls, layout: Layout, paths: dict[str, np.ndarray]) -> "SummaryAccumulator":
        """A new accumulator binned on this (pilot) block, with the block already added."""
        values, met = layout.values(paths)
        new = cls(layout, Binning.from_pilot(values))
        new._add(values, met)
        return new

    def empty(self) -> "SummaryAccumulator":
        """A new, empty accumulator with the same layout and binning."""
        return type(self)(self.layout, self.histograms.binning)

    def add(self, paths: dict[str, np.ndarray]) -> None:
        """Add one block of simulated paths."""
        self._add(*self.layout.values(paths))

    def _add(self, values: np.ndarray, met: np.ndarray) -> None:
        self.histograms.add(values)
        self.met += np.count_nonzero(met, axis=1)
        if len(met):
            self.joint += int(np.count_nonzero(np.logical_and.reduce(met, axis=0)))
        else:
            self.joint += met.shape[1]
        self.draws += values.shape[1]

    def merge(self, other: "SummaryAccumulator") -> None:
        """Add another accumulator of the same run into this one (exact, order-free)."""
        self.histograms.merge(other.histograms)
        self.met += other.met
        self.joint += other.joint
        self.draws += other.draws

    def result(self, fan_quantiles: Sequence[float] = FAN_QUANTILES) -> "StreamedSummary":
        """The quantiles and counts the run reports."""
        values, bounds = self.histograms.quantiles(sorted(set(fan_quantiles) | set(QUANTILES)))
        qs = sorted(set(fan_quantiles) | set(QUANTILES))
        fan_columns = [qs.index(q) for q in fan_quantiles]
        target_columns = [qs.index(q) for q in QUANTILES]
        n_ind, n_years = len(self.layout.indicators), len(self.layout.years)
        cut = n_ind * n_years
        fan = values[:cut, fan_columns].reshape(n_ind, n_years, -1).transpose(0, 2, 1)
        fan_bound = bounds[:cut, fan_columns].reshape(n_ind, n_years, -1).transpose(0, 2, 1)
        return StreamedSummary(
            draws=self.draws, fan_quantiles=tuple(fan_quantiles), fan=fan, fan_bound=fan_bound,
            target_quantiles=values[cut:, target_columns],
            target_bound=bounds[cut:, target_columns], met=self.met.copy(), joint=self.joint)


@dataclass(frozen=True)
class StreamedSummary:
    """What a streamed run keeps.

    Attributes
    ----------
    fan, fan_bound : ndarray, shape (indicator, quantile, year)
        Quantiles of every indicator in every year and their error bounds.
    target_quantiles, target_bound : ndarray, shape (target, 3)
        5 %, 50 % and 95 % quantiles of every target's quantity and their error bounds.
    met : ndarray of int, shape (target,)
        Draws in which each target is reached.
    joint : int
        Draws in which all targets are reached.
    """

    draws: int
    fan_quantiles: tuple[float, ...]
    fan: np.ndarray
    fan_bound: np.ndarray
    target_quantiles: np.ndarray
    target_bound: np.ndarray
    met: np.ndarray
    joint: int
