"""The component contract every model follows.

A component owns one indicator. Its settings are validated fields (a frozen pydantic model that
rejects unknown keys); :meth:`Component.calibrate` returns a new, fitted component and never
mutates; :meth:`Component.sample` draws every parameter and innovation of one block of draws in
one place from the stream the engine gives it; :meth:`Component.step` moves all draws from year
t-1 to year t at once.
"""

from __future__ import annotations

import dataclasses

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from forecast.errors import InputError, ModelError
from forecast.io.history import Evidence, History
from forecast.messages import Phrase, compose
from forecast.models.evidence import Reading, read_evidence
from forecast.spec.distributions import (BaseLevel, Fixed, LogNormal, Pooled, Relation,
                                         Uniform, non_negative)

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary

Draws = dict[str, np.ndarray]
"""One block of sampled values: parameters (shape (draws,)) and, under keys starting with an
underscore, innovations (shape (steps, draws))."""


class ComponentError(ModelError):
    """A setting of a component cannot be used; ``key`` is the setting's path."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


@dataclass(frozen=True, init=False)
class ParameterSource:
    """Where a parameter's distribution came from, for ``forecast calibrate``.

    Parameters
    ----------
    name : str
        The parameter.
    origin : {"evidence", "prior", "pooled", "observed", "assumption"}
    detail : str, Phrase or sequence of Phrase
        How it was obtained: phrases of the message catalog (written in the reader's language
        by :meth:`text`), or a component's own words as a plain string (shown as written).

    Attributes
    ----------
    phrases : tuple of Phrase
        The detail as phrases (a plain string is one :meth:`Phrase.written`).
    """

    name: str
    origin: str
    phrases: tuple[Phrase, ...]

    def __init__(self, name: str, origin: str,
                 detail: str | Phrase | Sequence[Phrase]) -> None:
        if isinstance(detail, str):
            phrases: tuple[Phrase, ...] = (Phrase.written(detail),)
        elif isinstance(detail, Phrase):
            phrases = (detail,)
        else:
            phrases = tuple(detail)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "phrases", phrases)

    @property
    def detail(self) -> str:
        """The detail in English (as the JSON report and earlier versions give it)."""
        return self.text("en")

    def text(self, lang: str = "en") -> str:
        """The detail written in ``lang`` (``en`` or ``vi``).

        Raises
        ------
        InputError
            If ``lang`` is unknown.
        """
        return compose(self.phrases, lang)


@dataclass(frozen=True)
class ParameterFit:
    """Posteriors of a component's parameters and where each came from."""

    posteriors: Mapping[str, Any]
    sources: tuple[ParameterSource, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fit:
    """What calibration produced: base-year level, evidence read, parameter posteriors."""

    base: Any  # a distribution
    base_observed: Evidence | None
    reading: Reading
    rows: tuple[Evidence, ...]
    parameters: ParameterFit
    base_year: int


class Component(BaseModel):
    """Base class of model components (see ``docs/components.md``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    unit: str = Field(description="Unit of the indicator; evidence rows are converted to it.")
    label: str | dict[str, str] = Field(default="", description="Display label, or one per "
                                        "language code ({en: ..., vi: ...}).")
    evidence: list[str] = Field(default_factory=list, description="History indicator names "
                                "whose rows calibrate this indicator.")
    inputs: list[str] = Field(default_factory=list, description="Indicators this one reads.")
    base: BaseLevel | None = Field(default=None, description="Base-year level, when no "
                                   "evidence row gives it: an assumption with its reason, or a "
                                   "relation to a published figure.")

    scale: ClassVar[str] = "log"  # "log", "linear" or "nonlinear": how evidence is read
    rate_kind: ClassVar[str] = "growth"  # "growth" (relative) or "change" (points, units)
    required_inputs: ClassVar[int] = 0
    level_settings: ClassVar[tuple[str, ...]] = ("base",)  # settings that are base-year levels
    _fit: Fit | None = PrivateAttr(default=None)
    _lever_refs: dict = PrivateAttr(default_factory=dict)  # setting path -> lever name

    @model_validator(mode="after")
    def _base_in_range(self):
        """A base-year level must lie where the model's scale is defined (e.g. a poverty rate
        strictly inside (0, 1), an amount above 0)."""
        if self.base is None or type(self).scale == "linear" or isinstance(self.base, Relation):
            return self
        for value in self.base.bounds():
            try:
                finite = math.isfinite(self.transform(value))
            except (ValueError, ZeroDivisionError, OverflowError):
                finite = False
            if not finite:
                raise ValueError(
                    f"base can take the value {value:g}, outside the range of a '{self.model}' "
                    f"indicator in '{self.unit}'; use a distribution bounded inside it (uniform, "
                    "triangular, beta or fixed)")
        return self

    # -- to be provided by subclasses ------------------------------------------------------
    def transform(self, level: float) -> float:
        """Level -> the scale the model moves on."""
        return math.log(level)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, "Component"]) -> ParameterFit:
        """Fit the parameter posteriors from the evidence read on the model's scale."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        """Draw parameters, base level and innovations for one block."""
        raise NotImplementedError

    def initial(self, draws: Draws, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        """Base-year values for all draws (``inputs`` hold the inputs' paths, base-year row
        filled). A base related to an input is the input's base-year level times the drawn
        factor."""
        if self.base_is_factor:
            return inputs[self.fit.base.to][0] * draws["base"]
        return draws["base"]

    @property
    def base_is_factor(self) -> bool:
        """Whether the sampled ``base`` is a factor on an input's base-year level (a relation
        to an input) rather than the level itself."""
        return isinstance(self.fit.base, RelatedLevel) and self.fit.base.value is None

    def step(self, t: int, own: np.ndarray, inputs: Mapping[str, np.ndarray], draws: Draws,
             shock: np.ndarray | float) -> np.ndarray:
        """Values in year index ``t`` for all draws.

        Parameters
        ----------
        t : int
            Year index (1 is the first year after the base year).
        own : ndarray, shape (years, draws)
            This indicator's path; rows ``< t`` are filled.
        inputs : mapping of ndarray
            The input indicators' paths; rows ``<= t`` are filled.
        draws : dict
            What :meth:`sample` drew for this block.
        shock : ndarray or float
            Added to the yearly change on the model's scale (scenario shocks).
        """
        raise NotImplementedError

    def expected_change(self) -> float:
        """Posterior mean of the yearly change on the model's scale (for input look-ups)."""
        raise NotImplementedError

    # -- shared machinery ------------------------------------------------------------------
    @property
    def fit(self) -> Fit:
        """The calibration; raises if the component was not calibrated."""
        if self._fit is None:
            raise ModelError(f"{type(self).__name__} is not calibrated; call calibrate(history)")
        return self._fit

    @property
    def is_calibrated(self) -> bool:
        """Whether :meth:`calibrate` produced this component."""
        return self._fit is not None

    def calibrate(self, history: History, *, base_year: int,
                  inputs: Mapping[str, "Component"] | None = None,
                  priors: PriorLibrary | None = None, until: int | None = None) -> "Component":
        """Return a new component fitted to the evidence rows it names.

        Parameters
        ----------
        history : History
            The evidence table.
        base_year : int
            The year the simulation starts from.
        inputs : mapping, optional
            The calibrated components of this one's inputs, by indicator name.
        priors : PriorLibrary, optional
            Where settings written ``{dist: pooled, name: ...}`` take their distribution
            from (:func:`forecast.io.prior_library.load_prior_library`); needed only if the
            component has such settings.
        until : int, optional
            The last year evidence may be dated (default: ``base_year``). Only a mid-plan
            update (:mod:`forecast.analysis.update`) reads figures after the base year.

        Raises
        ------
        ComponentError
            Keyed by the setting, if a pooled setting has no library to come from or names
            a prior the library lacks (with a did-you-mean), if inputs are missing, or no
            evidence gives what is needed.
        """
        resolved = self._resolve_pooled(priors)
        if resolved is not self:
            return resolved.calibrate(history, base_year=base_year, inputs=inputs, priors=priors,
                                      until=until)
        inputs = dict(inputs or {})
        missing = [name for name in self.inputs if name not in inputs]
        if missing:
            raise ComponentError("inputs", f"inputs {missing} are not calibrated")
        if len(self.inputs) < self.required_inputs:
            raise ComponentError("inputs", f"the '{self.model}' model reads at least "
                                 f"{self.required_inputs} input indicator(s)")
        absent = [name for name in self.evidence if name not in history.indicators]
        if absent:
            from forecast.errors import did_you_mean
            raise ComponentError("evidence", f"no rows for '{absent[0]}' in {history.file}."
                                 f"{did_you_mean(absent[0], history.indicators)}")
        rows = history.select(self.evidence)
        for row in rows:
            last = row.year_end if row.year_end is not None else row.year
            if last > (base_year if until is None else until):
                raise row.problem(
                    f"this {row.kind} row is dated {last}, after the base year {base_year}: a "
                    f"forecast made in {base_year} could not know it. Leave it out of "
                    "'evidence' (figures after the base year belong to a mid-plan update)",
                    "year_end" if row.year_end is not None else "year")
        reading = read_evidence(rows, unit=self.unit, transform=self.transform, scale=self.scale)
        fit = self.fit_parameters(reading, inputs)
        own = fit.posteriors.get("own_reading") if isinstance(fit.posteriors, Mapping) \
            else None  # the record net of a national input: the spans it could not split
        if own is not None:
            reading = dataclasses.replace(reading, unused=own.unused)
        base, observed = self._base(rows, base_year, history, inputs)
        new = self.model_copy()
        new._fit = Fit(base, observed, reading, rows, fit, base_year)
        return new

    def _resolve_pooled(self, priors: PriorLibrary | None) -> "Component":
        """A copy whose pooled settings stand for the library's distributions (``self`` if
        there are none left to resolve)."""
        def resolve(value: Pooled, key: str, scale: bool) -> Pooled:
            if priors is None:
                raise ComponentError(key, f"the pooled prior '{value.name}' comes from a "
                                     "prior library, and none was given to calibrate with")
            try:
                distribution = priors.distribution(value.name)
            except InputError as exc:
                raise ComponentError(f"{key}.name", exc.problems[0].message) from None
            if scale and distribution.bounds()[0] < 0:  # a scale, as a written one must be
                raise ComponentError(f"{key}.name", f"the pooled prior '{value.name}' is "
                                     f"{distribution.describe()}, which can be negative; a "
                                     "scale takes a pooled prior of a scale")
            return value.resolved(distribution)

        def is_scale(info) -> bool:
            return any(getattr(m, "func", None) is non_negative for m in info.metadata)

        update = {}
        for setting, info in type(self).model_fields.items():
            value = getattr(self, setting)
            spread = getattr(value, "spread", None)  # a pooling's spread may be pooled too
            if isinstance(spread, Pooled) and spread._resolved is None:
                update[setting] = value.model_copy(
                    update={"spread": resolve(spread, f"{setting}.spread", True)})
            elif isinstance(value, Pooled) and value._resolved is None:
                update[setting] = resolve(value, setting, is_scale(info))
        return self.model_copy(update=update) if update else self

    def _base(self, rows: tuple[Evidence, ...], base_year: int, history: History | None = None,
              inputs: Mapping[str, "Component"] | None = None):
        if isinstance(self.base, Relation):
            return self._related_base(self.base, base_year, history, inputs or {})
        if self.base is not None:
            return self.base, None
        for row in rows:
            if row.kind == "level" and row.year == base_year:
                value = row.value_in(self.unit)
                problem = self.level_problem(value)
                if problem:
                    raise row.problem(f"the {base_year} level {value:g} cannot start this "
                                      f"'{self.model}' indicator: {problem}", "value")
                return self._observed_base(row, value), row
        raise ComponentError("base", f"no evidence row gives the level in {base_year}; declare "
                             "'base' as a distribution with the reason for its range")

    def _observed_base(self, row: Evidence, value: float):
        """An observed base-year level: fixed when the row is exact, else spread by its
        reporting error (log-normal with that relative error for amounts on the log scale,
        uniform with that standard deviation otherwise, if it stays in range)."""
        why = f"observed: {row.source}"
        sd = row.sd * (value / row.value if row.value else 1.0)
        if sd <= 0:
            return Fixed(dist="fixed", value=value, why=why)
        status = f"{why} ({row.status}, reporting error {sd:.4g})"
        if type(self).scale == "log" and value > 0:
            return LogNormal(dist="lognormal", mu=math.log(value), sigma=sd / value, why=status)
        half = math.sqrt(3.0) * sd
        if all(self.level_problem(v) is None for v in (value - half, value + half)):
            return Uniform(dist="uniform", low=value - half, high=value + half, why=status)
        return Fixed(dist="fixed", value=value, why=why)

    def _related_base(self, relation: Relation, base_year: int, history: History | None,
                      inputs: Mapping[str, "Component"]):
        """The base-year level a :class:`Relation` gives, and the row it reads (if any)."""
        if relation.to in self.inputs:
            if relation.year is not None and relation.year != base_year:
                raise ComponentError("base.year", f"'{relation.to}' is an input: the relation "
                                     "reads its base-year level; leave 'year' out")
            return RelatedLevel(relation, None, 0.0, 0), None
        year = base_year if relation.year is None else relation.year
        if year > base_year:
            raise ComponentError("base.year", f"{year} is after the base year {base_year}: a "
                                 f"forecast made in {base_year} could not know that figure")
        found = [r for r in (history.rows if history is not None else ())
                 if r.indicator == relation.to and r.kind == "level" and r.year == year]
        if not found:
            from forecast.errors import did_you_mean
            names = list(self.inputs) + list(history.indicators if history else ())
            raise ComponentError("base.to", f"no level row of '{relation.to}' in {year} in the "
                                 "history file, and it is not one of this indicator's inputs."
                                 f"{did_you_mean(relation.to, names)}")
        row = found[0]
        if year < base_year and relation.growth is None:
            raise ComponentError("base.growth", f"the figure is of {year}, the base year "
                                 f"{base_year}: declare 'growth' to carry it over")
        return RelatedLevel(relation, row.value, row.sd, base_year - year, row), None

    def level_problem(self, value: float) -> str | None:
        """Why ``value`` cannot be a level of this indicator (None if it can): by default it
        must lie where the model's scale is defined."""
        if type(self).scale == "linear":
            return None
        try:
            if math.isfinite(self.transform(value)):
                return None
        except (ValueError, ZeroDivisionError, OverflowError):
            pass
        return f"outside the range of its scale (unit '{self.unit}')"

    def sample_base(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Base-year levels for one block (for a relation to an input: the factor on the
        input's base-year level, see :attr:`base_is_factor`)."""
        return self.fit.base.sample(rng, size)

    def sample_base_draws(self, rng: np.random.Generator, size: int) -> Draws:
        """``{"base": ...}`` for one block."""
        return {"base": self.sample_base(rng, size)}

    def assumptions(self) -> list[tuple[str, Any]]:
        """(setting, distribution) pairs of every value this component assumes."""
        found: list[tuple[str, Any]] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Relation):
                found.append((name, value))
                found.extend((f"{name}.{sub}", getattr(value, sub)) for sub in ("ratio", "growth")
                             if getattr(value, sub) is not None)
            elif hasattr(value, "why") and hasattr(value, "dist"):
                found.append((name, value))
            elif isinstance(value, BaseModel):
                for sub in type(value).model_fields:
                    inner = getattr(value, sub)
                    if hasattr(inner, "why") and hasattr(inner, "dist"):
                        found.append((f"{name}.{sub}", inner))
        return found

    def read_years(self) -> frozenset[int]:
        """Years whose change into them the calibrated parameters read from evidence (a
        mid-plan update does not weight the paths again for these)."""
        return frozenset(y for block in self.fit.reading.blocks for y in block.years)

    def mean_change(self, years: frozenset[int]) -> float:
        """Average yearly change on the model's scale over ``years``: from evidence blocks where
        they cover a year, from the posterior mean elsewhere."""
        values = []
        for year in years:
            block = next((b for b in self.fit.reading.blocks if year in b.years), None)
            values.append(block.mean if block is not None else self.expected_change())
        return float(np.mean(values)) if values else self.expected_change()

    def historical_rate(self) -> float | None:
        """The rate the evidence shows over its longest span: compound growth per year for
        amounts (``rate_kind == "growth"``), change per year in the indicator's unit otherwise.
        """
        unused = {line for line, _ in self.fit.reading.unused}
        rows = sorted((r for r in self.fit.rows if r.line not in unused),
                      key=lambda r: (r.years, r.year), reverse=True)
        if self.rate_kind == "growth":
            for row in rows:
                if row.kind == "average_growth":
                    return row.value_in(self.unit)
            levels = self.fit.reading.levels
            if len(levels) >= 2:
                first, last = min(levels), max(levels)
                return (levels[last] / levels[first]) ** (1 / (last - first)) - 1
            return None
        for row in rows:
            if row.kind in ("average_change", "change"):
                return row.value_in(self.unit)
        levels = self.fit.reading.levels
        if len(levels) >= 2:
            first, last = min(levels), max(levels)
            return (levels[last] - levels[first]) / (last - first)
        return None


class RelatedLevel:
    """A base-year level from a :class:`Relation`: ``value * ratio * (1 + growth)^years`` with
    the figure's reporting error, or (``value`` None) the factor on an input's level."""

    dist = "relation"

    def __init__(self, relation: Relation, value: float | None, sd: float, years: int,
                 row: Evidence | None = None):
        self.relation, self.value, self.sd, self.years, self.row = relation, value, sd, years, row
        self.to = relation.to
        self.why = relation.why

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """One vectorised draw per value (the figure, its ratio, its growth)."""
        out = self.relation.ratio.sample(rng, size)
        if self.relation.growth is not None and self.years:
            growth = np.maximum(self.relation.growth.sample(rng, size), -0.99)
            out = out * (1.0 + growth) ** self.years
        if self.value is None:
            return out
        figure = self.value + (self.sd * rng.standard_normal(size) if self.sd > 0 else 0.0)
        return out * figure

    def _moments(self) -> tuple[float, float]:
        draws = self.sample(np.random.default_rng(0), 100_000)
        return float(draws.mean()), float(draws.var())

    def mean(self) -> float:
        return self._moments()[0]

    def variance(self) -> float:
        return self._moments()[1]

    def bounds(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def describe(self) -> str:
        if self.value is None:
            return self.relation.describe()
        grown = ("" if self.relation.growth is None or not self.years else
                 f" x (1 + {self.relation.growth.describe()})^{self.years}")
        error = f" ± {self.sd:g}" if self.sd else ""
        return (f"{self.to} {self.row.year} ({self.value:g}{error}, line {self.row.line}) x "
                f"{self.relation.ratio.describe()}{grown}")


def check_finite(name: str, year: int, values: np.ndarray, draws: Draws) -> None:
    """Raise :class:`ModelError` naming the first bad draw if ``values`` holds NaN or inf."""
    bad = ~np.isfinite(values)
    if bad.any():
        index = int(np.argmax(bad))
        params = {k: float(v[index]) for k, v in draws.items()
                  if not k.startswith("_") and np.ndim(v) == 1}
        error = ModelError(f"indicator '{name}' produced {values[index]} in {year} "
                           f"(draw {index} of its block; parameters {params})")
        error.indicator = name
        raise error
