"""Declared distributions: priors and assumed base-year levels written in a scenario.

Every distribution carries ``why``: one sentence on why this range, because a value that is
sampled rather than observed is an assumption and the output lists it as one.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import (AfterValidator, BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag,
                      model_validator)

from forecast.errors import ModelError

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    why: str = Field(min_length=3, description="Why this distribution: its source or reasoning.")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values with ``rng`` (one vectorised call)."""
        raise NotImplementedError

    def mean(self) -> float:
        """Mean of the distribution."""
        raise NotImplementedError

    def variance(self) -> float:
        """Variance of the distribution."""
        raise NotImplementedError

    def describe(self) -> str:
        """Short text such as ``uniform(420, 560)``."""
        args = ", ".join(f"{v:g}" for k, v in self.model_dump().items()
                         if k not in ("dist", "why"))
        return f"{self.dist}({args})"  # type: ignore[attr-defined]

    def bounds(self) -> tuple[float, float]:
        """Support of the distribution."""
        return (-math.inf, math.inf)

    def logpdf(self, x) -> np.ndarray:
        """Log density at ``x``: ``-inf`` outside the support, NaN at NaN.

        The same numbers as the frozen ``scipy.stats`` distribution's ``logpdf``, bit for bit
        (the same formulas, through ``scipy.special`` where one is needed, without importing
        ``scipy.stats``: ``tests/test_distribution_functions.py``).

        Raises
        ------
        TypeError
            If the distribution has no density (``fixed``, ``integers``).
        """
        raise TypeError(f"no density for {self.describe()}")

    def ppf(self, q) -> np.ndarray:
        """Quantile function at probabilities ``q``: the support's ends at 0 and 1, NaN outside
        [0, 1]; the same numbers as ``scipy.stats`` (see :meth:`logpdf`).

        Raises
        ------
        TypeError
            If the distribution is not continuous (``fixed``, ``integers``).
        """
        raise TypeError(f"no quantile function for {self.describe()}")


def _standardised_logpdf(x, loc: float, scale: float, low: float, high: float, core):
    """``scipy.stats``' ``rv_continuous.logpdf`` for a location-scale family: ``core`` is the
    standard log density on ``[low, high]`` (closed) and ``-log(scale)`` is added inside it."""
    x = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float64))
    z = np.asarray((x - loc) / scale)
    with np.errstate(invalid="ignore"):
        inside = (low <= z) & (z <= high)
    out = np.full(z.shape, -np.inf)
    out[np.isnan(z)] = np.nan
    if inside.any():
        out[inside] = core(z[inside]) - np.log(np.full(np.count_nonzero(inside), float(scale)))
    return out[()] if out.ndim == 0 else out


def _standardised_ppf(q, loc: float, scale: float, low: float, high: float, core):
    """``scipy.stats``' ``rv_continuous.ppf`` for a location-scale family: ``core`` is the
    standard quantile function; the support's ends ``low * scale + loc`` and
    ``high * scale + loc`` at 0 and 1, NaN outside [0, 1]."""
    q = np.asarray(q, dtype=float)
    out = np.full(q.shape, np.nan)
    out[q == 0] = low * scale + loc
    out[q == 1] = high * scale + loc
    inside = (0 < q) & (q < 1)
    if inside.any():
        out[inside] = core(q[inside]) * scale + loc
    return out[()] if out.ndim == 0 else out


def _ndtri(q: np.ndarray) -> np.ndarray:
    """The standard normal quantile (``scipy.special.ndtri``, which ``scipy.stats.norm`` uses;
    ``scipy.special`` loads in a third of the time of ``scipy.stats``)."""
    from scipy.special import ndtri

    return ndtri(q)


_LOG_SQRT_2PI = float(np.log(np.sqrt(2 * np.pi)))  # scipy.stats' _norm_pdf_logC
_SQRT_2PI = float(np.sqrt(2 * np.pi))


class Fixed(_Dist):
    """A single value, stated as an assumption."""

    dist: Literal["fixed"]
    value: FiniteFloat

    def sample(self, rng, size):
        return np.full(size, self.value)

    def mean(self):
        return self.value

    def variance(self):
        return 0.0

    def bounds(self):
        return (self.value, self.value)


class Uniform(_Dist):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self):
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
        return self

    def sample(self, rng, size):
        return rng.uniform(self.low, self.high, size)

    def mean(self):
        return 0.5 * (self.low + self.high)

    def variance(self):
        return (self.high - self.low) ** 2 / 12

    def bounds(self):
        return (self.low, self.high)

    def logpdf(self, x):
        return _standardised_logpdf(x, self.low, self.high - self.low, 0.0, 1.0,
                                    lambda z: np.zeros(z.shape))

    def ppf(self, q):
        return _standardised_ppf(q, self.low, self.high - self.low, 0.0, 1.0, lambda p: p)


class Integers(_Dist):
    """Uniform on the integers low..high, both included."""

    dist: Literal["integers"]
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self

    def sample(self, rng, size):
        return rng.integers(self.low, self.high, size, endpoint=True).astype(float)

    def mean(self):
        return 0.5 * (self.low + self.high)

    def variance(self):
        return ((self.high - self.low + 1) ** 2 - 1) / 12

    def bounds(self):
        return (float(self.low), float(self.high))


class Normal(_Dist):
    """Normal with mean ``loc`` and standard deviation ``scale``."""

    dist: Literal["normal"]
    loc: FiniteFloat
    scale: PositiveFloat

    def sample(self, rng, size):
        return rng.normal(self.loc, self.scale, size)

    def mean(self):
        return self.loc

    def variance(self):
        return self.scale**2

    def logpdf(self, x):
        return _standardised_logpdf(x, self.loc, self.scale, -np.inf, np.inf,
                                    lambda z: -z**2 / 2.0 - _LOG_SQRT_2PI)

    def ppf(self, q):
        return _standardised_ppf(q, self.loc, self.scale, -np.inf, np.inf, _ndtri)


class HalfNormal(_Dist):
    """Half-normal on [0, inf) with scale ``scale`` (for volatilities)."""

    dist: Literal["halfnormal"]
    scale: PositiveFloat

    def sample(self, rng, size):
        return np.abs(rng.normal(0.0, self.scale, size))

    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    def variance(self):
        return self.scale**2 * (1 - 2 / math.pi)

    def bounds(self):
        return (0.0, math.inf)

    def logpdf(self, x):
        return _standardised_logpdf(x, 0.0, self.scale, 0.0, np.inf,
                                    lambda z: 0.5 * np.log(2.0 / np.pi) - z * z / 2.0)

    def ppf(self, q):
        return _standardised_ppf(q, 0.0, self.scale, 0.0, np.inf,
                                 lambda p: _ndtri((1 + p) / 2.0))


class Beta(_Dist):
    """Beta(a, b) on [0, 1] (for shares and hazards)."""

    dist: Literal["beta"]
    a: PositiveFloat
    b: PositiveFloat

    def sample(self, rng, size):
        return rng.beta(self.a, self.b, size)

    def mean(self):
        return self.a / (self.a + self.b)

    def variance(self):
        s = self.a + self.b
        return self.a * self.b / (s * s * (s + 1))

    def bounds(self):
        return (0.0, 1.0)

    def logpdf(self, x):
        from scipy.special import betaln, xlog1py, xlogy

        a, b = self.a, self.b
        return _standardised_logpdf(
            x, 0.0, 1.0, 0.0, 1.0,
            lambda z: xlog1py(b - 1.0, -z) + xlogy(a - 1.0, z) - betaln(a, b))

    def ppf(self, q):
        # scipy.stats.beta.ppf calls Boost's inverse through this ufunc of scipy.special; the
        # public betaincinv gives the same numbers except for probabilities below about 1e-300
        from scipy.special import _ufuncs

        inverse = getattr(_ufuncs, "_beta_ppf", None)
        if inverse is None:
            from scipy.special import betaincinv

            return _standardised_ppf(q, 0.0, 1.0, 0.0, 1.0,
                                     lambda p: betaincinv(self.a, self.b, p))
        return _standardised_ppf(q, 0.0, 1.0, 0.0, 1.0, lambda p: inverse(p, self.a, self.b))


class Triangular(_Dist):
    """Triangular on [low, high] with its mode at ``mode``."""

    dist: Literal["triangular"]
    low: FiniteFloat
    mode: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("expected low <= mode <= high with low < high")
        return self

    def sample(self, rng, size):
        return rng.triangular(self.low, self.mode, self.high, size)

    def mean(self):
        return (self.low + self.mode + self.high) / 3

    def variance(self):
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def bounds(self):
        return (self.low, self.high)

    def _shape(self) -> float:
        return (self.mode - self.low) / (self.high - self.low)

    def logpdf(self, x):
        c = self._shape()

        def core(z):
            with np.errstate(divide="ignore", invalid="ignore"):
                if c == 0:
                    density = 2 * (1 - z) / (1 - c)
                elif c == 1:
                    density = 2 * z
                else:
                    density = np.where(z < c, 2 * z / c, 2 * (1 - z) / (1 - c))
                return np.log(density)

        return _standardised_logpdf(x, self.low, self.high - self.low, 0.0, 1.0, core)

    def ppf(self, q):
        c = self._shape()
        return _standardised_ppf(q, self.low, self.high - self.low, 0.0, 1.0, lambda p: np.where(
            p < c, np.sqrt(c * p), 1 - np.sqrt((1 - c) * (1 - p))))


class LogNormal(_Dist):
    """Log-normal: ``log X ~ Normal(mu, sigma)`` (for volatilities pooled across regions)."""

    dist: Literal["lognormal"]
    mu: FiniteFloat
    sigma: PositiveFloat

    def sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)

    def mean(self):
        return math.exp(self.mu + 0.5 * self.sigma**2)

    def variance(self):
        return (math.exp(self.sigma**2) - 1) * math.exp(2 * self.mu + self.sigma**2)

    def bounds(self):
        return (0.0, math.inf)

    def logpdf(self, x):
        s = self.sigma

        def core(z):
            out = np.full(z.shape, -np.inf)
            nonzero = z != 0
            y = z[nonzero]
            out[nonzero] = -np.log(y)**2 / (2 * s**2) - np.log(s * y * _SQRT_2PI)
            return out

        return _standardised_logpdf(x, 0.0, float(np.exp(self.mu)), 0.0, np.inf, core)

    def ppf(self, q):
        s = self.sigma
        return _standardised_ppf(q, 0.0, float(np.exp(self.mu)), 0.0, np.inf,
                                 lambda p: np.exp(s * _ndtri(p)))


Distribution = Annotated[
    Union[Fixed, Uniform, Integers, Normal, HalfNormal, Beta, Triangular, LogNormal],
    Field(discriminator="dist"),
]
"""Any declared distribution, selected by its ``dist`` key."""


class Pooled(_Dist):
    """A prior derived from a panel of other regions, asked for by name.

    ``{dist: pooled, name: vietnam_provincial_revenue_volatility, why: ...}``. The name is
    looked up, and the distribution taken, in the prior library the component is calibrated
    with (:meth:`forecast.models.base.Component.calibrate`); an unknown name is an error
    there, located at the setting. Until then the prior cannot be sampled.
    """

    dist: Literal["pooled"]
    name: str = Field(min_length=1, description="Name of a pooled prior in the prior library "
                      "(see docs/calibration.md).")
    _resolved: _Dist | None = PrivateAttr(default=None)

    def resolved(self, distribution: _Dist) -> "Pooled":
        """A copy that stands for ``distribution`` (the prior library's)."""
        new = self.model_copy()
        new._resolved = distribution
        return new

    @property
    def concrete(self) -> _Dist:
        """The prior library's distribution; raises before calibration."""
        if self._resolved is None:
            raise ModelError(f"the pooled prior '{self.name}' is taken from the prior library "
                             "at calibration; calibrate the component first")
        return self._resolved

    def sample(self, rng, size):
        return self.concrete.sample(rng, size)

    def mean(self):
        return self.concrete.mean()

    def variance(self):
        return self.concrete.variance()

    def bounds(self):
        return self.concrete.bounds()

    def logpdf(self, x):
        return self.concrete.logpdf(x)

    def ppf(self, q):
        return self.concrete.ppf(q)

    def describe(self) -> str:
        if self._resolved is None:
            return f"pooled({self.name})"
        return f"pooled {self.name} = {self._resolved.describe()}"


PriorDistribution = Annotated[
    Union[Fixed, Uniform, Integers, Normal, HalfNormal, Beta, Triangular, LogNormal, Pooled],
    Field(discriminator="dist"),
]
"""A declared distribution or a pooled prior (for parameters whose component derives pooled
priors at calibration: the volatilities of growth, elasticity/fiscal and poverty)."""


def non_negative(dist: _Dist) -> _Dist:
    """A scale (a volatility) cannot be negative: its distribution's support starts at 0 or
    above (a pooled prior is log-normal by construction)."""
    if not isinstance(dist, Pooled) and dist.bounds()[0] < 0:
        raise ValueError(f"a volatility cannot be negative, and {dist.describe()} can be "
                         f"{dist.bounds()[0]:g}; use halfnormal, lognormal, or a range with "
                         "low >= 0")
    return dist


Scale = Annotated[
    Union[Fixed, Uniform, HalfNormal, Beta, Triangular, LogNormal],
    Field(discriminator="dist"), AfterValidator(non_negative),
]
"""A declared distribution of a volatility: continuous (the grid posterior needs a density;
``fixed`` is a point) and never negative."""

PriorScale = Annotated[
    Union[Fixed, Uniform, HalfNormal, Beta, Triangular, LogNormal, Pooled],
    Field(discriminator="dist"), AfterValidator(non_negative),
]
""":data:`Scale` or a pooled prior."""


class Relation(BaseModel):
    """A base-year level that follows from a published figure (or another indicator's base-year
    level) through a declared ratio: ``base = to * ratio * (1 + growth)^(base_year - year)``.

    ``to`` names a history indicator whose ``level`` row in ``year`` is the figure (its
    reporting error is carried too), or one of the component's ``inputs`` (its simulated
    base-year level, draw by draw; ``year`` must then be left out). ``growth`` carries a figure
    of an earlier year to the base year.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    relation: Literal["ratio"] = Field(description="How the level follows from `to`: `ratio` "
                                       "(base = to x ratio).")
    to: str = Field(min_length=1, description="A history indicator (its level row in `year`) "
                    "or one of this indicator's inputs (its base-year level).")
    year: int | None = Field(default=None, description="Year of the history row (default: the "
                             "base year); not for an input.")
    ratio: Distribution = Field(description="The ratio of this level to `to`, with why.")
    growth: Distribution | None = Field(default=None, description="Yearly growth from `year` "
                                        "to the base year, with why (none: no carrying).")
    why: str = Field(min_length=3, description="Why this relation holds.")

    @model_validator(mode="after")
    def _ratio_not_negative(self):
        if self.ratio.bounds()[0] < 0:
            raise ValueError(f"ratio can be {self.ratio.bounds()[0]:g}; a ratio of two levels "
                             "is not negative")
        return self

    @property
    def dist(self) -> str:
        """``relation``: listed among the assumptions like a distribution."""
        return "relation"

    def describe(self) -> str:
        where = f" {self.year}" if self.year is not None else ""
        grown = "" if self.growth is None else f" x (1 + {self.growth.describe()})^years"
        return f"{self.to}{where} x {self.ratio.describe()}{grown}"

    def bounds(self) -> tuple[float, float]:
        """Unknown until the figure it relates to is read."""
        return (-math.inf, math.inf)


def _base_kind(value) -> str:
    if isinstance(value, Relation) or (isinstance(value, dict) and "relation" in value):
        return "relation"
    return "dist"


BaseLevel = Annotated[
    Union[Annotated[Distribution, Tag("dist")], Annotated[Relation, Tag("relation")]],
    Discriminator(_base_kind),
]
"""A base-year level: a declared distribution, or a :class:`Relation` to a published figure."""
