"""Turn mixed evidence rows into disjoint blocks of yearly changes on a model's scale.

A model moves its indicator on a scale (log for amounts, logit for rates, identity for counts).
Evidence comes as levels, yearly changes and period averages; each row that can be read as a
change of the scale over a span of years becomes an *interval*. Overlapping intervals are then
split so that no year is counted twice: a 2015-2020 average with a known 2019 figure becomes the
2019 figure plus the mean of the four other years. Each resulting block says: over these ``n``
growth years, the scale moved by ``total`` in all.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from forecast.io.history import Evidence

Transform = Callable[[float], float]


@dataclass(frozen=True)
class Block:
    """Total change of the model scale over a set of growth years (year t = change t-1 -> t)."""

    years: frozenset[int]
    total: float
    rows: tuple[int, ...]  # line numbers of the evidence rows its total depends on

    @property
    def mean(self) -> float:
        """Average change per year."""
        return self.total / len(self.years)


@dataclass(frozen=True)
class Reading:
    """What the evidence says about one indicator on its model scale."""

    blocks: tuple[Block, ...]
    unused: tuple[tuple[int, str], ...]  # (line, reason) for rows that could not be used
    levels: dict[int, float]
    covariance: np.ndarray | None = None  # reporting error of the block totals (None: exact)

    @property
    def mean_covariance(self) -> np.ndarray | None:
        """Reporting-error covariance of the block means (``total / n``), or None."""
        if self.covariance is None:
            return None
        n = np.array([len(b.years) for b in self.blocks], float)
        return self.covariance / np.outer(n, n)

    @property
    def years(self) -> int:
        """Number of growth years the blocks cover."""
        return sum(len(b.years) for b in self.blocks)


def _level_at(year: int, levels: dict[int, float], rows: Sequence[Evidence], unit: str,
              ) -> float | None:
    if year in levels:
        return levels[year]
    for row in rows:  # a yearly change next to a known level
        if row.kind != "change":
            continue
        if row.year == year and row.year - 1 in levels:
            return levels[row.year - 1] + row.value_in(unit)
        if row.year - 1 == year and row.year in levels:
            return levels[row.year] - row.value_in(unit)
    return None


def read_evidence(rows: Sequence[Evidence], *, unit: str, transform: Transform,
                  scale: str) -> Reading:
    """Read evidence rows into disjoint blocks on the model scale, with the covariance of the
    block totals that the rows' reporting errors imply.

    A row with a reporting error (``Evidence.sd``) moves every block total that depends on it.
    The covariance is ``J diag(sd**2) J'`` with ``J`` the derivative of each block total with
    respect to each row's value, taken by central differences through the same reading (so it
    holds for every kind of row and every scale: a level shared by two yearly changes makes
    them negatively correlated, a period average minus the years inside it carries the errors
    of both). It is None when every row is exact.
    """
    reading = _read(rows, unit=unit, transform=transform, scale=scale)
    noisy = [i for i, row in enumerate(rows) if row.sd > 0]
    if not noisy or not reading.blocks:
        return reading
    index = {b.years: j for j, b in enumerate(reading.blocks)}
    jacobian = np.zeros((len(reading.blocks), len(noisy)))
    sds = np.array([rows[i].sd for i in noisy])
    for column, i in enumerate(noisy):
        step = 1e-4 * sds[column]
        totals = []
        for sign in (1.0, -1.0):
            moved = list(rows)
            moved[i] = dataclasses.replace(rows[i], value=rows[i].value + sign * step)
            shifted = _read(moved, unit=unit, transform=transform, scale=scale)
            total = np.array([b.total for b in reading.blocks])
            for block in shifted.blocks:
                if block.years in index:
                    total[index[block.years]] = block.total
            totals.append(total)
        jacobian[:, column] = (totals[0] - totals[1]) / (2 * step)
    covariance = (jacobian * sds**2) @ jacobian.T
    return dataclasses.replace(reading, covariance=covariance)


def _read(rows: Sequence[Evidence], *, unit: str, transform: Transform,
          scale: str) -> Reading:
    """Read evidence rows into disjoint blocks on the model scale (values as reported).

    Parameters
    ----------
    rows : sequence of Evidence
        The rows a scenario names for this indicator.
    unit : str
        The indicator's unit (rows are converted to it).
    transform : callable
        Level -> model scale (``math.log``, a logit, the identity).
    scale : {"log", "linear", "nonlinear"}
        What ``transform`` is: growth rates convert without levels on the log scale, average
        changes on the linear scale; anything else needs levels to anchor them.

    Returns
    -------
    Reading
    """
    levels = {r.year: r.value_in(unit) for r in rows if r.kind == "level"}
    level_lines = {r.year: r.line for r in rows if r.kind == "level"}
    intervals: list[tuple[int, int, float, tuple[int, ...]]] = []  # (start, end, total, lines)
    unused: list[tuple[int, str]] = []

    def scale_change(start: int, end: int, level_start: float | None, level_end: float | None,
                     row: Evidence) -> None:
        if level_start is None or level_end is None:
            unused.append((row.line, "no level to anchor it on the model scale"))
            return
        lines = tuple(sorted({row.line} | {level_lines[y] for y in (start, end)
                                           if y in level_lines}))
        try:
            intervals.append((start, end, transform(level_end) - transform(level_start), lines))
        except (ValueError, ZeroDivisionError):
            unused.append((row.line, "level outside the model's range"))

    for row in rows:
        if row.kind == "average_growth":
            growth = row.value_in(unit)
            if scale == "log":
                if growth <= -1:
                    unused.append((row.line, "growth of -100 % or less"))
                    continue
                intervals.append((row.year, row.year_end, row.years * math.log1p(growth),
                                  (row.line,)))
                continue
            start = _level_at(row.year, levels, rows, unit)
            end = _level_at(row.year_end, levels, rows, unit)
            if start is not None and end is None:
                end = start * (1 + growth) ** row.years
            elif end is not None and start is None:
                start = end / (1 + growth) ** row.years
            scale_change(row.year, row.year_end, start, end, row)
        elif row.kind == "average_change":
            rate = row.value_in(unit)
            if scale == "linear":
                intervals.append((row.year, row.year_end, row.years * rate, (row.line,)))
                continue
            anchor = next((y for y in sorted(levels) if row.year <= y <= row.year_end), None)
            if anchor is None:
                anchor = next(iter(sorted(levels, key=lambda y: abs(y - row.year))), None)
            if anchor is None:
                unused.append((row.line, "no level to anchor the average change"))
                continue
            start = levels[anchor] + rate * (row.year - anchor)
            end = levels[anchor] + rate * (row.year_end - anchor)
            scale_change(row.year, row.year_end, start, end, row)
        elif row.kind == "change":
            if scale == "linear":  # a change on the linear scale needs no level
                intervals.append((row.year - 1, row.year, row.value_in(unit), (row.line,)))
                continue
            before = _level_at(row.year - 1, levels, rows, unit)
            after = _level_at(row.year, levels, rows, unit)
            if before is None and after is not None:
                before = after - row.value_in(unit)
            if after is None and before is not None:
                after = before + row.value_in(unit)
            scale_change(row.year - 1, row.year, before, after, row)
    # consecutive levels also give changes
    years = sorted(levels)
    for first, second in zip(years, years[1:]):
        if not any(s == first and e == second for s, e, _, _ in intervals):
            try:
                intervals.append((first, second,
                                  transform(levels[second]) - transform(levels[first]),
                                  (level_lines[first], level_lines[second])))
            except (ValueError, ZeroDivisionError):
                pass
    return Reading(_disjoint(intervals, unused), tuple(unused), levels)


def _disjoint(intervals: list[tuple[int, int, float, tuple[int, ...]]],
              unused: list[tuple[int, str]]) -> tuple[Block, ...]:
    """Split intervals (shortest first) into blocks that share no year; a block left over from
    a longer interval depends on the rows of the shorter ones inside it too."""
    blocks: list[Block] = []
    dropped: list[tuple[tuple[int, ...], str]] = []
    for start, end, total, lines in sorted(intervals, key=lambda i: (i[1] - i[0], i[0])):
        years = frozenset(range(start + 1, end + 1))
        inside = [b for b in blocks if b.years <= years]
        partial = [b for b in blocks if b.years & years and not b.years <= years]
        if partial:
            dropped.append((lines, "overlaps other evidence only in part; not used"))
            continue
        rest = years.difference(*[b.years for b in inside]) if inside else years
        if not rest:  # fully explained by shorter evidence
            gap = total - sum(b.total for b in inside)
            dropped.append((lines, f"covers the same years as shorter evidence; not used (it "
                                   f"differs from it by {gap:+.4f} on the model scale)"))
            continue
        depends = set(lines).union(*[b.rows for b in inside]) if inside else set(lines)
        blocks.append(Block(frozenset(rest), total - sum(b.total for b in inside),
                            tuple(sorted(depends))))
    used = set().union(*[b.rows for b in blocks]) if blocks else set()
    unused.extend((line, why) for lines, why in dropped for line in lines if line not in used)
    return tuple(sorted(blocks, key=lambda b: min(b.years)))
