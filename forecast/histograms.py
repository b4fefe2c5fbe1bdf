"""Mergeable histograms: quantiles of many quantities, block by block, within a stated bound.

When the draws are not kept, every block of draws is reduced to counts and fine histograms as
soon as it is simulated, so memory is bounded by the block size whatever the number of draws:

- target probabilities, and the joint probability of all targets, are exact counts;
- quantiles (of every target's quantity and of every indicator in every year, for fan charts)
  come from a histogram per quantity whose bins follow the pilot block's (block 0) distribution,
  so that heavy tails do not squeeze the bulk of the draws into a few bins. Each bin keeps its
  count and the smallest and largest value that fell in it.

Bins. :data:`SEGMENTS` segments per quantity, each cut into :data:`PER_SEGMENT` equal bins
(:data:`BINS` in all), plus one open bin below and one above. The segments' ends ("knots") are
the pilot block's minimum, its maximum and its empirical quantiles (``numpy.quantile``'s linear
definition) at 253 probabilities equally spaced in logit scale between ``expit(-LOGIT_RANGE)``
and ``expit(LOGIT_RANGE)``, 0.071 apart; one more segment on each side widens the pilot range by
:data:`MARGIN` of it. The segment around the quantile ``q`` thus holds about
``0.071 q (1 - q)`` of the draws and each of its bins about ``1.1e-3 q (1 - q)``: bins are
narrow where the draws are dense, in the tails each holds about 1.1e-3 of the draws beyond it,
and one extreme draw in the pilot block widens only the last segment. Binning on
the pilot's quantiles is a monotone transform, and quantiles commute with monotone transforms:
a larger value never gets a smaller bin, which is all the quantile computation below relies on.

Every part of the state is an integer count, a minimum or a maximum, so merging accumulators is
exact and does not depend on the order: results are bit-identical however blocks are grouped
into chunks, processes or Dask tasks. The bins depend only on block 0, hence on the seed.

Error bound. A quantile is computed like ``numpy.quantile``'s default (linear interpolation
between the order statistics of ranks ``floor(q (n - 1))`` and the next one). An order statistic
is known exactly when it is the smallest or largest value of its bin (or its bin holds one
distinct value); otherwise it is interpolated within the bin and lies in ``[bin min, bin max]``.
The bound reported with every quantile is the interpolation of those spans: the streamed quantile
differs from the exact one by at most that (a guarantee, not an estimate). The span is never
wider than the bin, about ``1.1e-3 q (1 - q) / f(x_q)`` where ``f`` is the density of the
quantity at its quantile ``x_q`` (a small fraction of the local spread of the draws, not of
their range), unless the rank falls in one of the two open bins (beyond the widened pilot
range: not for the reported quantiles, in practice). :func:`loose` flags a bound above
:data:`TOLERANCE` of the larger of the quantile's magnitude and its quantity's 5-95 % spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEGMENTS = 256
"""Segments per summarised quantity: 254 between pilot quantiles, one margin on each side."""
PER_SEGMENT = 64
"""Equal bins per segment."""
BINS = SEGMENTS * PER_SEGMENT
"""Bins per summarised quantity, besides the two open ones (16,384)."""
LOGIT_RANGE = 9.0
"""The pilot quantiles used as knots lie at ``expit(z)`` for ``z`` equally spaced in
``[-LOGIT_RANGE, LOGIT_RANGE]`` (``expit(9)`` is about ``1 - 1/8,100``: the pilot block's most
extreme order statistics)."""
MARGIN = 0.25
"""Each side of the pilot block's range is widened by this fraction of the range."""
TOLERANCE = 0.01
"""A quantile's bound above this fraction of ``max(|quantile|, 5-95 % spread)`` is loose."""


@dataclass(frozen=True)
class Binning:
    """Where the bins of every quantity lie (see the module's docstring).

    Attributes
    ----------
    knots : ndarray, shape (rows, segments + 1)
        Ends of the segments, non-decreasing along each row.
    scale : ndarray, shape (rows, segments)
        ``per_segment / width`` of each segment (0 for an empty one).
    per_segment : int
        Equal bins per segment.
    """

    knots: np.ndarray
    scale: np.ndarray
    per_segment: int = PER_SEGMENT

    @property
    def bins(self) -> int:
        """Bins per row, besides the open bin below and the one above."""
        return self.scale.shape[1] * self.per_segment

    @classmethod
    def from_pilot(cls, values: np.ndarray, segments: int = SEGMENTS,
                   per_segment: int = PER_SEGMENT) -> "Binning":
        """Knots at each row's pilot quantiles, with a margin of :data:`MARGIN` on each side.

        Parameters
        ----------
        values : ndarray, shape (rows, draws)
            The pilot block's values (non-finite ones are ignored).
        segments : int
            Segments per row, at least 3 (two of them are the margins).
        per_segment : int
            Equal bins per segment.
        """
        import warnings

        rows = values.shape[0]
        logits = np.linspace(-LOGIT_RANGE, LOGIT_RANGE, segments - 3)
        probabilities = np.concatenate(([0.0], 1.0 / (1.0 + np.exp(-logits)), [1.0]))
        finite = np.where(np.isfinite(values), values, np.nan)
        if finite.shape[1] == 0:
            pilot = np.zeros((rows, len(probabilities)))
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a row with no finite value
                quantile = np.nanquantile if np.isnan(finite).any() else np.quantile
                pilot = quantile(finite, probabilities, axis=1).T
            pilot = np.where(np.isfinite(pilot), pilot, 0.0)
        np.maximum.accumulate(pilot, axis=1, out=pilot)  # guard against rounding
        low, high = pilot[:, 0], pilot[:, -1]
        with np.errstate(all="ignore"):  # ranges beyond 1e308 overflow; empty segments
            width = high - low
            # a constant row still gets a margin, so its one value has a bin of its own
            margin = np.where(width > 0, width * MARGIN, np.maximum(np.abs(low), 1.0) * 1e-6)
            knots = np.column_stack([low - margin, pilot, high + margin])
            widths = np.diff(knots, axis=1)
            scale = np.where(widths > 0, per_segment / widths, 0.0)
        scale = np.nan_to_num(scale, nan=0.0, posinf=np.finfo(float).max)  # subnormal widths
        return cls(knots, scale, per_segment)

    def index(self, ordered: np.ndarray, stride: int = 0) -> np.ndarray:
        """Bin of each value: 0 below the first knot, 1..bins inside, bins + 1 from the last.

        Parameters
        ----------
        ordered : ndarray, shape (rows, draws)
            Values, each row sorted ascending with NaNs last (as ``numpy.sort`` leaves them);
            the bins given to NaNs are meaningless.
        stride : int
            Added to the bins once per row (``row * stride``): with ``bins + 2``, indices into
            the flattened per-row histograms.

        Returns
        -------
        ndarray of intp, same shape
            Never decreasing along a row: the bin of a value depends only on the value and the
            knots (not on the other values), and a larger value never gets a smaller bin.
        """
        rows, size = ordered.shape
        knots, per = self.knots.shape[1], self.per_segment
        # runs of values by segment: -1 (below the first knot), 0 .. knots - 2, knots - 1 (from
        # the last knot); a run ends at the first value >= the next knot
        ends = np.empty((rows, knots + 1), dtype=np.intp)
        for row in range(rows):
            ends[row, :knots] = np.searchsorted(ordered[row], self.knots[row], side="left")
        ends[:, knots] = size
        lengths = np.diff(ends, axis=1, prepend=0).ravel()
        # per segment: its first bin, lower knot and scale (0 for the two open bins)
        first = np.concatenate(([0.0], 1.0 + per * np.arange(knots - 1), [self.bins + 1.0]))
        lower = np.concatenate([self.knots[:, :1], self.knots], axis=1)
        scale = np.pad(self.scale, ((0, 0), (1, 1)))
        with np.errstate(all="ignore"):
            offset = ordered.ravel() - np.repeat(lower.ravel(), lengths)
            offset *= np.repeat(scale.ravel(), lengths)
        np.fmax(offset, 0.0, out=offset)  # fmax/fmin also turn a NaN (inf * 0) into a bound
        np.fmin(offset, per - 1, out=offset)
        # first + offset is in [first, first + per - 1] even when the sum rounds, and truncation
        # (the floor, as it is not negative) keeps the order
        first = first + stride * np.arange(rows, dtype=float)[:, None]
        offset += np.repeat(first.ravel(), lengths)
        index = offset.astype(np.intp).reshape(rows, size)
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

    def add(self, values: np.ndarray, *, overwrite: bool = False) -> None:
        """Add one block of values, shape (rows, draws).

        Each row is sorted, so its bins never decrease along it: every bin's count, smallest
        and largest value come from where its run of values starts and ends (no ``ufunc.at``).
        With ``overwrite``, ``values`` is sorted in place (saves a copy).
        """
        rows, size = values.shape
        if size == 0:
            return
        if overwrite:
            values.sort(axis=1)
            ordered = values
        else:
            ordered = np.sort(values, axis=1)
        flat = self.binning.index(ordered, stride=self.counts.shape[1])
        flat, data = flat.ravel(), ordered.ravel()
        if np.isnan(ordered[:, -1]).any():  # NaNs sort last
            nan = np.isnan(data)
            self.nan += np.count_nonzero(nan.reshape(rows, size), axis=1)
            flat, data = flat[~nan], data[~nan]
            if not flat.size:
                return
        starts = np.empty(flat.size, dtype=bool)  # where a run of one bin starts
        starts[0] = True
        np.not_equal(flat[1:], flat[:-1], out=starts[1:])
        first = np.flatnonzero(starts)
        last = np.append(first[1:] - 1, flat.size - 1)
        bins = flat[first]
        self.counts.reshape(-1)[bins] += last - first + 1
        low, high = self.low.reshape(-1), self.high.reshape(-1)
        low[bins] = np.minimum(low[bins], data[first])
        high[bins] = np.maximum(high[bins], data[last])

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


def loose(values: np.ndarray, bounds: np.ndarray, spread: np.ndarray,
          tolerance: float = TOLERANCE) -> np.ndarray:
    """Whether each quantile's error bound is above ``tolerance`` of its scale.

    The scale is the larger of the quantile's magnitude and ``spread`` (the quantity's 5-95 %
    spread): a bound is loose when it is large both against the value and against the spread
    of the draws, so a quantile near zero with a tight bound is not flagged.

    Parameters
    ----------
    values, bounds : array_like
        Streamed quantiles and their error bounds.
    spread : array_like
        The spread of the same quantity, broadcast against ``values``.

    Returns
    -------
    ndarray of bool
        False where the quantile or its bound is NaN (no finite draws).
    """
    values, bounds, spread = (np.asarray(a, dtype=float) for a in (values, bounds, spread))
    scale = np.maximum(np.abs(values), np.abs(spread))
    with np.errstate(invalid="ignore"):
        return np.asarray(bounds > tolerance * scale)
