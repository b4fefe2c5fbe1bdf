"""Mergeable histograms: quantiles of many quantities, block by block, within a stated bound.

When the draws are not kept, every block of draws is reduced to counts and fine histograms as
soon as it is simulated, so memory is bounded by the block size whatever the number of draws:

- target probabilities, and the joint probability of all targets, are exact counts;
- quantiles (of every target's quantity and of every indicator in every year, for fan charts)
  come from a histogram per quantity whose bins are fixed by the pilot block (block 0). Each bin
  keeps its count and the smallest and largest value that fell in it.

Bins. Each quantity (row) gets :data:`BINS` bins of equal width on the scale
``u = asinh((x - c) / s)``, plus one open bin below and one above: ``c`` is the pilot block's
median and ``s`` its interquartile range (a wider spread when that is zero). The scale is linear
within about ``s`` of the median and logarithmic beyond, so the width of the bin around ``x`` is
``w sqrt(s**2 + (x - c)**2)`` (to first order), where ``w`` is the bins' width on the ``u``
scale: :data:`BINS` bins span the pilot's range widened by :data:`MARGIN` of it on each side.
On the base scenario ``w`` is about 1e-3 (budget revenue, whose pilot draws reach hundreds of
times its median, has the widest range: about 8 on the ``u`` scale), so a bin in the bulk of the
draws is about 1e-3 of their interquartile range wide, and one in the tail about 1e-3 of its
distance to the median. An extreme pilot draw widens every bin only by the logarithm of how
extreme it is (a draw 1e13 interquartile ranges out gives ``w`` about 3e-3).

A value's bin is computed from the value alone (``1 + floor((u - u_low) / w)``, clipped to
the open bins), a handful of element-wise passes over the block with no sort and no search; each
block then updates the counts, minima and maxima of the bins it hits (``numpy.add.at``,
``numpy.minimum.at``, ``numpy.maximum.at``, row by row on one interleaved array; a row that
has so far equalled an earlier row, such as a target's level, is not updated twice). Every step is monotone, so a larger value never
gets a smaller bin, which is all the quantile computation below relies on.

Every part of the state is an integer count, a minimum or a maximum, so merging accumulators is
exact and does not depend on the order: results are bit-identical however blocks are grouped
into chunks, processes or Dask tasks. The bins depend only on block 0, hence on the seed.

Error bound. A quantile is computed like ``numpy.quantile``'s default (linear interpolation
between the order statistics of ranks ``floor(q (n - 1))`` and the next one). An order statistic
is known exactly when it is the smallest or largest value of its bin (or its bin holds one
distinct value); otherwise it is interpolated within the bin and lies in ``[bin min, bin max]``.
The bound reported with every quantile is the interpolation of those spans: the streamed quantile
differs from the exact one by at most that (a guarantee, not an estimate). The span is never
wider than the bin (``w sqrt(s**2 + (x - c)**2)`` at ``x``), unless the rank falls in one of the
two open bins (beyond the widened pilot range: not for the reported quantiles, in practice).
:func:`loose` flags a bound above :data:`TOLERANCE` of the larger of the quantile's magnitude
and its quantity's 5-95 % spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BINS = 16384
"""Bins per summarised quantity, besides the two open ones."""
MARGIN = 0.25
"""Each side of the pilot block's range (on the ``u`` scale) is widened by this fraction of it."""
TOLERANCE = 0.01
"""A quantile's bound above this fraction of ``max(|quantile|, 5-95 % spread)`` is loose."""
ROWS_AT_ONCE = 4
"""Rows of a block binned and added together (:meth:`Histograms.add`): their values, bins and
state stay in a core's cache (about 0.8 MB at 8,192 draws a block)."""
_U_LIMIT = 711.0
"""``asinh`` of the largest double is about 710.5: the ``u`` range is clipped to this."""


def _spread(finite: np.ndarray, center: float) -> float:
    """A positive scale for ``asinh``: the interquartile range, else a wider spread."""
    if finite.size:
        q = np.quantile(finite, [0.0, 0.05, 0.25, 0.75, 0.95, 1.0])
        with np.errstate(over="ignore", invalid="ignore"):
            for width in (q[3] - q[2], q[4] - q[1], q[5] - q[0]):
                if 0 < width < math.inf and 0 < 1.0 / width < math.inf:
                    return float(width)
    return max(abs(center), 1.0) * 1e-6


@dataclass(frozen=True)
class Binning:
    """Where the bins of every quantity lie (see the module's docstring).

    Attributes
    ----------
    center, scale : ndarray, shape (rows,)
        ``c`` and ``1 / s`` of ``u = asinh((x - c) / s)``.
    low : ndarray, shape (rows,)
        Lower end of bin 1 on the ``u`` scale.
    density : ndarray, shape (rows,)
        Bins per unit of ``u`` (``1 / w``).
    bins : int
        Bins per row, besides the open bin below (0) and the one above (``bins + 1``).
    """

    center: np.ndarray
    scale: np.ndarray
    low: np.ndarray
    density: np.ndarray
    bins: int = BINS

    @classmethod
    def from_pilot(cls, values: np.ndarray, bins: int = BINS) -> "Binning":
        """Bins from each row's pilot median, spread and range.

        Parameters
        ----------
        values : ndarray, shape (rows, draws)
            The pilot block's values (non-finite ones are ignored).
        bins : int
            Bins per row (besides the two open ones).
        """
        values = np.asarray(values, dtype=float)
        rows = values.shape[0]
        center, scale = np.zeros(rows), np.ones(rows)
        low, high = np.full(rows, -1.0), np.ones(rows)
        for row in range(rows):
            finite = values[row][np.isfinite(values[row])]
            c = float(np.median(finite)) if finite.size else 0.0
            center[row] = c
            scale[row] = 1.0 / _spread(finite, c)
            if finite.size:
                with np.errstate(over="ignore", invalid="ignore"):
                    ends = np.arcsinh((np.array([finite.min(), finite.max()]) - c) * scale[row])
                low[row], high[row] = np.clip(ends, -_U_LIMIT, _U_LIMIT)
        width = high - low
        margin = np.where(width > 0, width * MARGIN, 1.0)  # a constant row: one unit each side
        low, high = low - margin, high + margin
        return cls(center, scale, low, bins / (high - low), bins)

    def position(self, values: np.ndarray, out: np.ndarray | None = None,
                 rows: slice = slice(None)) -> np.ndarray:
        """``(u - low) / w + 1`` of each value: its bin is the ``floor`` of it, when inside
        (``rows``: which rows of the binning ``values`` holds, all by default)."""
        out = np.subtract(values, self.center[rows, None], out=out)
        with np.errstate(over="ignore", invalid="ignore"):
            out *= self.scale[rows, None]
            np.arcsinh(out, out=out)
            out *= self.density[rows, None]
            out += (1.0 - self.low[rows] * self.density[rows])[:, None]
        return out

    def index(self, values: np.ndarray, stride: int = 0, *, work: np.ndarray | None = None,
              out: np.ndarray | None = None, rows: slice = slice(None)) -> np.ndarray:
        """Bin of each value: 0 below the bins, 1..bins inside, bins + 1 above.

        Parameters
        ----------
        values : ndarray, shape (rows, draws)
            Values in any order; the bins given to NaNs are meaningless.
        stride : int
            Added to the bins once per row (``row * stride``): with ``bins + 2``, indices into
            the flattened per-row histograms.

        work, out : ndarray, optional
            Float and ``intp`` arrays of the same shape to compute in and to return the bins
            in (saves allocating, and the page faults of fresh memory, once per block).
        rows : slice
            Which rows of the binning ``values`` holds (all by default).

        Returns
        -------
        ndarray of intp, same shape
            The bin of a value depends only on the value and the row's bins (not on the other
            values), and a larger value never gets a smaller bin.
        """
        position = self.position(values, out=work, rows=rows)
        np.clip(position, 0.0, self.bins + 1.0, out=position)  # monotone: to the open bins
        index = np.empty(values.shape, dtype=np.intp) if out is None else out
        with np.errstate(invalid="ignore"):  # a NaN's bin is meaningless (callers drop NaNs)
            np.copyto(index, position, casting="unsafe")  # truncation: the floor (>= 0)
        if stride:
            index += stride * np.arange(values.shape[0], dtype=np.intp)[:, None]
        return index

    def edges(self, row: int) -> np.ndarray:
        """The ``bins + 1`` edges of one row's bins, in the values' units (bin ``b`` spans
        ``edges[b - 1]`` to ``edges[b]``, up to rounding)."""
        u = self.low[row] + np.arange(self.bins + 1) / self.density[row]
        with np.errstate(over="ignore"):
            return self.center[row] + np.sinh(u) / self.scale[row]


def _twins(binning: Binning) -> dict[int, int]:
    """Rows whose bins are those of an earlier row (same centre, scale and range: in practice
    rows whose pilot values are the same, such as a target's level and its indicator's value in
    that year), each mapped to the first such row."""
    first: dict[tuple[float, ...], int] = {}
    twins: dict[int, int] = {}
    for row in range(binning.center.size):
        key = (float(binning.center[row]), float(binning.scale[row]), float(binning.low[row]),
               float(binning.density[row]))
        if key in first:
            twins[row] = first[key]
        else:
            first[key] = row
    return twins


class Histograms:
    """Per-row bin counts with the smallest and largest value in each bin (mergeable, exact).

    The state is one array, shape (rows, bins + 2, 3): per bin its count (as a float: exact
    below 2**53 draws), smallest and largest value side by side, so that a value's update reads
    and writes one cache line instead of three. Rows are updated one at a time (a row's state,
    about 390 kB, stays in the processor's cache while its values go in).

    A row whose bins are those of an earlier row (:func:`_twins`) and whose values have so far
    equalled that row's in every block is not updated: its state is the earlier row's, copied
    only when a block brings a difference (or when it is read). This changes no count, minimum
    or maximum: the two rows have seen the same values.
    """

    def __init__(self, binning: Binning, rows: int):
        self.binning = binning
        self._state = np.empty((rows, binning.bins + 2, 3))
        self._state[..., 0] = 0.0
        self._state[..., 1] = np.inf
        self._state[..., 2] = -np.inf
        self.nan = np.zeros(rows, dtype=np.int64)
        self._twin = _twins(binning) if rows == binning.center.size else {}
        self._work: tuple[np.ndarray, ...] | None = None  # scratch of the last shape

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_work": None}  # scratch is not state (nor sent to Dask)

    def _effective(self) -> np.ndarray:
        """The state with every twin row filled in (the state itself when there are none)."""
        if not self._twin:
            return self._state
        rows = np.arange(self._state.shape[0])
        for row, root in self._twin.items():
            rows[row] = root
        return self._state[rows]

    def _untwin(self) -> None:
        """Give every twin row its own state (a copy of the row it has equalled so far)."""
        for row, root in self._twin.items():
            self._state[row] = self._state[root]
        self._twin = {}

    @property
    def counts(self) -> np.ndarray:
        """Values per bin, shape (rows, bins + 2): open bin below, the bins, open bin above."""
        return self._effective()[..., 0].astype(np.int64)

    @property
    def low(self) -> np.ndarray:
        """Smallest value in each bin (``inf`` where empty), shape (rows, bins + 2)."""
        return np.array(self._effective()[..., 1])

    @property
    def high(self) -> np.ndarray:
        """Largest value in each bin (``-inf`` where empty), shape (rows, bins + 2)."""
        return np.array(self._effective()[..., 2])

    def add(self, values: np.ndarray) -> None:
        """Add one block of values, shape (rows, draws), in any order.

        :data:`ROWS_AT_ONCE` rows at a time: their bins are computed and added while their
        values, bins and state are still in the processor's cache (a whole block's values are
        a few MB; a few rows' fit)."""
        rows, size = values.shape
        if size == 0:
            return
        group = min(ROWS_AT_ONCE, rows)
        if self._work is None or self._work[0].shape != (group, size):
            self._work = (np.empty((group, size)), np.empty((group, size), dtype=np.intp),
                          np.empty((group, size), dtype=bool))
        for row, root in list(self._twin.items()):  # before any row of this block goes in
            if not np.array_equal(values[row], values[root]):
                self._state[row] = self._state[root]
                del self._twin[row]
        for start in range(0, rows, group):
            stop = min(start + group, rows)
            part, n = values[start:stop], stop - start
            index = self.binning.index(part, work=self._work[0][:n], out=self._work[1][:n],
                                       rows=slice(start, stop))
            nan = np.isnan(part, out=self._work[2][:n])
            nan_rows = np.count_nonzero(nan, axis=1) if nan.any() else None
            if nan_rows is not None:
                self.nan[start:stop] += nan_rows
            for offset in range(n):
                if start + offset in self._twin:
                    continue
                bins, data = index[offset], part[offset]
                if nan_rows is not None and nan_rows[offset]:
                    keep = ~nan[offset]
                    bins, data = bins[keep], data[keep]
                state = self._state[start + offset]
                if bins.size > 256:  # read the bins it will hit in one sweep first: the
                    # updates below then find them in the cache instead of missing at random
                    np.maximum.reduce(state[bins.min():bins.max() + 1].reshape(-1))
                np.add.at(state[:, 0], bins, 1.0)
                np.minimum.at(state[:, 1], bins, data)
                np.maximum.at(state[:, 2], bins, data)

    def merge(self, other: "Histograms") -> None:
        """Add another accumulator's state into this one (same binning)."""
        if self._twin == other._twin:
            state = other._state  # twin rows are stale in both, and stay twins
        else:
            self._untwin()
            state = other._effective()
        self._state[..., 0] += state[..., 0]
        np.minimum(self._state[..., 1], state[..., 1], out=self._state[..., 1])
        np.maximum(self._state[..., 2], state[..., 2], out=self._state[..., 2])
        self.nan += other.nan

    def quantiles(self, quantiles: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """Quantiles of every row and their error bounds, each of shape (rows, quantiles).

        ``numpy.quantile``'s default (linear) definition; a row with a NaN gives NaN.
        """
        counts = self._state[..., 0].astype(np.int64)
        low, high = self._state[..., 1], self._state[..., 2]
        rows = counts.shape[0]
        values = np.full((rows, len(quantiles)), np.nan)
        bounds = np.full((rows, len(quantiles)), np.nan)
        cumulative = np.cumsum(counts, axis=1)
        for row in range(rows):
            own = self._twin.get(row, row)  # a twin row's state is its earlier row's
            n = int(cumulative[own, -1])
            if n == 0 or self.nan[row]:
                continue
            bins = (counts[own], low[own], high[own])
            for column, q in enumerate(quantiles):
                position = q * (n - 1)
                below = math.floor(position)
                above = min(below + 1, n - 1)
                fraction = position - below
                a, a_bound = _order_statistic(bins, cumulative[own], below)
                b, b_bound = _order_statistic(bins, cumulative[own], above)
                values[row, column] = _lerp(a, b, fraction)
                bounds[row, column] = (1 - fraction) * a_bound + fraction * b_bound
        return values, bounds


def _order_statistic(bins: tuple[np.ndarray, np.ndarray, np.ndarray], cumulative: np.ndarray,
                     rank: int) -> tuple[float, float]:
    """Estimate of the ``rank``-th smallest value (0-based) of one row and its error bound
    (``bins``: the row's counts, minima and maxima)."""
    counts, lows, highs = bins
    b = int(np.searchsorted(cumulative, rank, side="right"))
    start = int(cumulative[b - 1]) if b else 0
    count = int(counts[b])
    low, high = float(lows[b]), float(highs[b])
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
