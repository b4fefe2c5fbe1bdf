"""Plan targets and the one home of what each target kind means.

A :class:`Target` is what a scenario file says (indicator, kind, year or period, threshold,
source). Its :class:`TargetKind` says everything that depends on the kind: the quantity judged
on the simulated paths, the rate the target requires and the rate each draw achieves, the scale
of those rates (compound growth or change per year), where the target sits on a fan chart, the
years it may take. Adding a kind means adding one subclass here
(plus its docs and tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
Year = Annotated[StrictInt, Field(ge=1900, le=2200)]


@dataclass(frozen=True)
class TargetMark:
    """Where a target sits on its indicator's fan chart.

    ``shape`` is ``level`` (the threshold in a year), ``pace`` (the path a period target requires
    from the median of the year before the period) or ``sum`` (the yearly value that, held over
    the period, just reaches a cumulative target).
    """

    target: Target
    shape: str
    years: tuple[int, ...]
    values: tuple[float, ...]


class TargetKind:
    """What a target kind means. One subclass per kind; see :data:`KINDS`."""

    name: ClassVar[str]
    takes: ClassVar[str] = "period"
    """``year`` (one year) or ``period`` (``[first, last]``)."""

    def shape_problem(self, target: Target) -> str | None:
        """Why the target's ``year``/``period`` do not fit this kind (None if they do)."""
        if self.takes == "year":
            if target.year is None or target.period is not None:
                return f"a {self.name} target takes 'year' (and no 'period')"
            return None
        if target.period is None or target.year is not None:
            return f"a {self.name} target takes 'period: [first, last]' (and no 'year')"
        if target.period[1] < target.period[0]:
            return "period must be [first, last] with first <= last"
        return None

    def year_problem(self, target: Target, base_year: int, horizon: int) -> str | None:
        """Why the target's years do not fit the simulated years (None if they do): every
        year that counts lies after the base year and not after the horizon."""
        if base_year < target.first_year and target.last_year <= horizon:
            return None
        return (f"{target.first_year}-{target.last_year} lies outside the simulated years "
                f"{base_year + 1}..{horizon}")

    def quantity(self, target: Target, path: np.ndarray, base_year: int) -> np.ndarray:
        """The quantity judged, per draw (``path``: (year, draw), first row the base year)."""
        raise NotImplementedError

    def quantity_scale(self) -> str:
        """How the quantity reads: ``value`` (a level or sum in the indicator's unit),
        ``change`` (per year, in the unit) or ``growth`` (a fraction per year)."""
        return "value"

    def rate_kind(self, indicator_rate_kind: str) -> str:
        """The scale of the required and achieved rates: ``growth`` or ``change``."""
        return "growth"

    def required_rate(self, target: Target, base_value: float, base_year: int,
                      indicator_rate_kind: str) -> float:
        """The constant yearly rate from the base year that just meets the target (NaN where
        none is defined)."""
        raise NotImplementedError

    def achieved_rate(self, target: Target, path: np.ndarray, base_year: int,
                      indicator_rate_kind: str) -> np.ndarray:
        """The yearly rate each draw achieves, on the scale of :meth:`required_rate`."""
        raise NotImplementedError

    def mark(self, target: Target, start: float) -> TargetMark:
        """Where the target sits on the fan chart; ``start`` is the median of the indicator in
        the year before the period."""
        raise NotImplementedError


def _growth(last: np.ndarray, first: np.ndarray, years: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(last / first, 1.0 / years) - 1.0


class Level(TargetKind):
    """The value in one year, at least or at most a threshold."""

    name = "level"
    takes = "year"

    def quantity(self, target, path, base_year):
        return path[target.year - base_year]

    def rate_kind(self, indicator_rate_kind):
        return indicator_rate_kind

    def required_rate(self, target, base_value, base_year, indicator_rate_kind):
        years = target.year - base_year
        if years <= 0:
            return math.nan
        if indicator_rate_kind == "growth":
            if base_value <= 0 or target.threshold <= 0:
                return math.nan
            return (target.threshold / base_value) ** (1.0 / years) - 1.0
        return (target.threshold - base_value) / years

    def achieved_rate(self, target, path, base_year, indicator_rate_kind):
        last, years = path[target.year - base_year], target.year - base_year
        if indicator_rate_kind == "growth":
            return _growth(last, path[0], years)
        return (last - path[0]) / years

    def mark(self, target, start):
        return TargetMark(target, "level", (target.year,), (target.threshold,))


class _Pace(TargetKind):
    """A period kind judged by its yearly pace: the threshold is itself the rate."""

    def required_rate(self, target, base_value, base_year, indicator_rate_kind):
        return target.threshold

    def achieved_rate(self, target, path, base_year, indicator_rate_kind):
        return self.quantity(target, path, base_year)

    def rate_kind(self, indicator_rate_kind):
        return self.quantity_scale()

    def mark(self, target, start):
        years = np.arange(target.first_year - 1, target.last_year + 1)
        values = self.pace(start, target.threshold, years - years[0])
        return TargetMark(target, "pace", tuple(int(y) for y in years),
                          tuple(float(v) for v in values))

    def pace(self, start: float, rate: float, steps: np.ndarray) -> np.ndarray:
        """The path that moves from ``start`` at ``rate`` a year for ``steps`` years."""
        raise NotImplementedError


class AverageChange(_Pace):
    """The average change per year over a period (points of a share, units of a count)."""

    name = "average_change"

    def quantity(self, target, path, base_year):
        last = path[target.last_year - base_year]
        start = path[target.first_year - 1 - base_year]
        return (last - start) / target.years

    def quantity_scale(self):
        return "change"

    def pace(self, start, rate, steps):
        return start + rate * steps


class Growth(_Pace):
    """The compound growth per year over a period."""

    name = "growth"

    def quantity(self, target, path, base_year):
        return _growth(path[target.last_year - base_year],
                       path[target.first_year - 1 - base_year], target.years)

    def quantity_scale(self):
        return "growth"

    def pace(self, start, rate, steps):
        return start * (1.0 + rate) ** steps


class Cumulative(TargetKind):
    """The sum of the yearly values over a period; its rates are the growth of the yearly
    value."""

    name = "cumulative"

    BRACKET: ClassVar[tuple[float, float]] = (-0.99, 10.0)
    """The rates searched for the required rate (NaN outside)."""

    def quantity(self, target, path, base_year):
        return path[target.first_year - base_year: target.last_year - base_year + 1].sum(axis=0)

    def required_rate(self, target, base_value, base_year, indicator_rate_kind):
        """The constant growth ``g`` of the yearly value from the base year at which the sum
        over the period just meets the threshold: ``base * sum((1 + g) ** k) = threshold``
        over the period's years ``k`` after the base year. A period of one year has the
        closed form ``(threshold / base) ** (1 / k) - 1``; longer ones are solved with
        ``scipy.optimize.brentq`` (imported only then). NaN for a base level that is not
        positive or a rate outside :attr:`BRACKET`."""
        if base_value <= 0:
            return math.nan
        low, high = self.BRACKET
        offsets = np.arange(target.first_year, target.last_year + 1) - base_year
        if len(offsets) == 1:
            ratio = target.threshold / base_value
            rate = ratio ** (1.0 / float(offsets[0])) - 1.0 if ratio > 0 else -1.0
            return float(rate) if low <= rate <= high else math.nan
        from scipy.optimize import brentq

        def gap(rate: float) -> float:
            return float(base_value * np.sum((1.0 + rate) ** offsets) - target.threshold)

        try:
            return brentq(gap, low, high)
        except ValueError:
            return math.nan

    def achieved_rate(self, target, path, base_year, indicator_rate_kind):
        return _growth(path[target.last_year - base_year], path[0], target.last_year - base_year)

    def mark(self, target, start):
        years = tuple(range(target.first_year, target.last_year + 1))
        average = float(target.threshold / target.years)
        return TargetMark(target, "sum", years, tuple(average for _ in years))


KINDS: dict[str, TargetKind] = {kind.name: kind for kind in
                                (Level(), AverageChange(), Growth(), Cumulative())}
"""Every target kind by the name a scenario uses."""


class Target(BaseModel):
    """One plan target and how to judge it on the simulated paths.

    ``kind``: ``level`` (value in ``year``), ``average_change`` (points or units per year),
    ``growth`` (compound annual growth) or ``cumulative`` (sum of yearly values). The three
    period kinds take ``period: [first, last]``: the years whose changes (or values) count, so
    ``[2021, 2025]`` measures 2025 against 2020 for changes and growth and sums 2021..2025.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Identifier
    indicator: Identifier
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    year: Year | None = None
    period: tuple[Year, Year] | None = None
    at_least: Annotated[float, Field(allow_inf_nan=False)] | None = None
    at_most: Annotated[float, Field(allow_inf_nan=False)] | None = None
    label: str | dict[str, str] = ""
    source: str = Field(min_length=3, description="Where the target is set.")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of 'at_least' and 'at_most'")
        problem = self.rule.shape_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def rule(self) -> "TargetKind":
        """What this target's kind means (:class:`TargetKind`)."""
        return KINDS[self.kind]

    @property
    def threshold(self) -> float:
        """The number the target compares with."""
        return self.at_least if self.at_least is not None else self.at_most  # type: ignore

    @property
    def first_year(self) -> int:
        """First year that counts (for a level target, its year)."""
        return self.year if self.year is not None else self.period[0]  # type: ignore[index]

    @property
    def last_year(self) -> int:
        """Last year that counts."""
        return self.year if self.year is not None else self.period[1]  # type: ignore[index]

    @property
    def years(self) -> int:
        """Number of years the target counts."""
        return self.last_year - self.first_year + 1

    def is_met(self, quantity: np.ndarray) -> np.ndarray:
        """Boolean per draw: does the quantity reach the target?"""
        if self.at_least is not None:
            return quantity >= self.at_least
        return quantity <= self.at_most

    def quantity(self, path: np.ndarray, base_year: int) -> np.ndarray:
        """The quantity the target judges per draw (``path``: shape (year, draw), first row the
        base year)."""
        return self.rule.quantity(self, path, base_year)



def target_kind(name: str) -> TargetKind:
    """The :class:`TargetKind` called ``name``.

    Raises
    ------
    KeyError
        If there is no such kind (the message lists the known ones).
    """
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"no target kind '{name}'; known: {', '.join(KINDS)}") from None
