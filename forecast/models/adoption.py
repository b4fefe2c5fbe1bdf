"""Adoption: a count of units reaching a standard (communes at the new-rural standard)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecast.spec.distributions import (Beta, Distribution, Fixed, Integers, PriorDistribution,
                                         Relation)
from forecast.spec.levers import LeverValue
from forecast.models.categorical import categorical
from forecast.messages import Phrase
from forecast.models.base import Component, Draws, ParameterFit, ParameterSource
from forecast.models.evidence import Reading

GRID = 2000
GRID_BATCHY = (400, 40)  # hazard cells x concentration points when years vary


class UpgradeBudget(BaseModel):
    """Money for upgrading units: ``budget / unit_cost`` extra units a year are expected to reach
    the standard, on top of the hazard."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    budget: LeverValue = Field(description="Yearly budget for upgrades.")
    unit_cost: LeverValue = Field(description="Cost of bringing one unit to the standard.")

    @model_validator(mode="after")
    def _positive(self):
        if isinstance(self.budget, float) and self.budget < 0:
            raise ValueError("budget must not be negative")
        if isinstance(self.unit_cost, float) and self.unit_cost <= 0:
            raise ValueError("unit_cost must be positive")
        return self


class Merger(BaseModel):
    """A change of the unit list in ``year`` (units merged): the units at the standard on the
    new list are ``kept`` times those on the old list (rounded, at most the new count)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    year: int = Field(description="First year counted on the new list (its change is the "
                      "first step simulated on it).")
    kept: Distribution = Field(description="Units at the standard on the new list per unit at "
                               "the standard on the old list, with why (1: merged units were "
                               "all short of the standard; the ratio of the counts: merged at "
                               "random; less: units at the standard merged with units short "
                               "of it lose it).")


class Adoption(Component):
    """Each year every unit not yet at the standard reaches it with probability ``hazard``:
    ``new_t ~ Binomial(units - count_{t-1}, hazard)``, so counts are integers in [0, units].

    The hazard has a posterior on a grid from the evidence pairs (stock at the start, units
    added over ``k`` years; a unit not at the standard stays out with probability
    ``(1 - hazard)^k``) and the declared beta prior.

    Units are often recognised in batches, which makes some years far busier than others. With
    ``concentration`` the yearly hazard varies around ``hazard``:
    ``hazard_t ~ Beta(hazard * c, (1 - hazard) * c)``; small ``c``: very uneven years. The
    evidence is then read with a beta-binomial likelihood (over ``k`` years, on the ``k``-year
    probability ``1 - (1 - hazard)^k``), on a joint grid of hazard and ``c``, so uneven records
    leave the pace less certain instead of too certain.
    """

    model: Literal["adoption"]
    scale = "linear"
    rate_kind = "change"
    units: int | dict[int, int] = Field(description="Number of units that can reach the "
                                        "standard, or a series year -> count in force from "
                                        "that year (the unit list changes: mergers).")
    evidence_units: int | None = Field(default=None, gt=0, description="Number of units in the "
                                       "evidence years, when it differs (mergers); a shorthand "
                                       "for a two-step series.")
    mergers: list[Merger] = Field(default_factory=list, description="How the stock at the "
                                  "standard maps onto a new unit list, for every change of "
                                  "the series inside the simulated years.")
    hazard: Beta = Field(description="Prior of the yearly probability that a unit not at the "
                         "standard reaches it.")
    base: Integers | Relation | None = None
    upgrade_budget: UpgradeBudget | None = Field(default=None, description="Money that brings "
                                                 "extra units to the standard (levers).")
    concentration: PriorDistribution | None = Field(
        default=None, description="Prior of how alike years are (the c of Beta(hazard c, "
        "(1 - hazard) c) yearly hazards); none: every year has the same hazard.")

    @model_validator(mode="after")
    def _base_within_units(self):
        if isinstance(self.units, dict):
            if not self.units:
                raise ValueError("units: a series needs at least one year")
            if any(v <= 0 for v in self.units.values()):
                raise ValueError("units: every count must be positive")
        elif self.units <= 0:
            raise ValueError("units must be positive")
        if isinstance(self.base, Integers) and self.base.high > self.max_units:
            raise ValueError(f"base can reach {self.base.high}, more than the {self.max_units} "
                             "units")
        if isinstance(self.base, Integers) and self.base.low < 0:
            raise ValueError("base can be negative; a count is at least 0")
        for merger in self.mergers:
            if merger.kept.bounds()[0] < 0:
                raise ValueError("mergers: kept cannot be negative")
        return self

    @property
    def max_units(self) -> int:
        """The largest count of units in the series."""
        return max(self.units.values()) if isinstance(self.units, dict) else self.units

    def units_in(self, year: int) -> int:
        """Units on the list in force in ``year`` (the series' count from the latest year at
        or before it; before the first year, the first count)."""
        if not isinstance(self.units, dict):
            return self.units
        keys = sorted(self.units)
        return self.units[max((k for k in keys if k <= year), default=keys[0])]

    def _evidence_units(self, year: int) -> int:
        return self.evidence_units or self.units_in(year)

    def check_years(self, base_year: int, horizon: int) -> list[tuple[str, str]]:
        """(key, message) for every change of the unit list inside the simulated years that
        no merger maps, and every merger outside them."""
        problems = []
        changes = [y for y in sorted(self.units)[1:] if base_year < y <= horizon] \
            if isinstance(self.units, dict) else []
        mapped = {m.year for m in self.mergers}
        for year in changes:
            if year not in mapped:
                problems.append(("units", f"the unit list changes in {year} "
                                 f"({self.units_in(year - 1)} -> {self.units_in(year)}); declare "
                                 "under 'mergers' how the units at the standard map onto it"))
        for i, merger in enumerate(self.mergers):
            if not base_year < merger.year <= horizon:
                problems.append((f"mergers.{i}.year", f"{merger.year} lies outside "
                                 f"{base_year + 1}..{horizon}; a merger before the base year "
                                 "belongs in the base-year level"))
        return problems

    def transform(self, level: float) -> float:
        return level

    def _concentration_points(self) -> np.ndarray:
        """Equal-probability points of the concentration prior (one point if fixed)."""
        if isinstance(self.concentration, Fixed):
            return np.array([self.concentration.value])
        count = GRID_BATCHY[1]
        return self.concentration.ppf((np.arange(count) + 0.5) / count)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        levels = reading.levels
        pairs = []  # (at risk, added, years, reporting sd of added)
        variances = (np.diag(reading.covariance) if reading.covariance is not None
                     else np.zeros(len(reading.blocks)))
        for block, variance in zip(reading.blocks, variances):
            start, end = min(block.years) - 1, max(block.years)
            if start in levels and len(block.years) == end - start:
                if self._evidence_units(start) != self._evidence_units(end):
                    continue  # spans a change of the unit list: not one population
                pairs.append((self._evidence_units(start) - levels[start], block.total,
                              end - start, float(np.sqrt(variance))))
        cells = GRID if self.concentration is None else GRID_BATCHY[0]
        grid = (np.arange(cells) + 0.5) / cells
        log_post = (self.hazard.a - 1) * np.log(grid) + (self.hazard.b - 1) * np.log1p(-grid)
        concentration = None if self.concentration is None else self._concentration_points()
        if concentration is not None:
            log_post = np.repeat(log_post[:, None], concentration.size, axis=1)
        for at_risk, added, years, sd in pairs:
            q = 1 - (1 - grid) ** years
            if concentration is not None:
                q = q[:, None]
            counts, weights = _reported(added, at_risk, sd)
            terms = []
            for count in counts:  # the true count, given the reported one and its error
                if concentration is None:
                    terms.append(_binom_logpmf(count, round(at_risk), q))
                else:
                    terms.append(_betabinom_logpmf(count, round(at_risk), q * concentration,
                                                  (1 - q) * concentration))
            log_post += _log_mix(np.array(terms), weights)
        weight = np.exp(log_post - log_post.max())
        weight /= weight.sum()
        if pairs:
            read = [Phrase.of("src_pair_sd", added=_count(a), sd=round(float(sd), 1),
                              at_risk=_count(r), years=int(k)) if sd else
                    Phrase.of("src_pair", added=_count(a), at_risk=_count(r), years=int(k))
                    for r, a, k, sd in pairs]
            source = ParameterSource("hazard", "evidence", (
                Phrase.of("src_pairs", pairs=read),
                Phrase.of("src_prior", prior=self.hazard.describe())))
        else:
            source = ParameterSource("hazard", "prior", Phrase.of(
                "src_no_pair", prior=self.hazard.describe()))
        sources: tuple[ParameterSource, ...] = (source,)
        if concentration is not None:
            sources += (ParameterSource("concentration", "evidence" if pairs else "prior", (
                Phrase.of("src_prior", prior=self.concentration.describe()),
                Phrase.of("src_joint_grid"))),)
        return ParameterFit({"grid": grid, "weight": weight, "concentration": concentration},
                            sources)

    def read_years(self) -> frozenset[int]:
        """The years of the evidence pairs the hazard posterior reads (see fit_parameters)."""
        levels = self.fit.reading.levels
        return frozenset(y for b in self.fit.reading.blocks
                         if min(b.years) - 1 in levels
                         and len(b.years) == max(b.years) - min(b.years) + 1
                         and self._evidence_units(min(b.years) - 1)
                         == self._evidence_units(max(b.years)) for y in b.years)

    def level_problem(self, value: float) -> str | None:
        if value != round(value) or not 0 <= value <= self.max_units:
            return f"a count must be a whole number from 0 to units ({self.max_units})"
        return None

    def expected_change(self) -> float:
        """Expected units added in the first year: hazard times the units still short at the
        base year's expected level."""
        posteriors = self.fit.parameters.posteriors
        weight = posteriors["weight"]
        hazard = float((weight if weight.ndim == 1 else weight.sum(axis=1)) @ posteriors["grid"])
        start = float(self.fit.base.mean()) if hasattr(self.fit.base, "mean") else 0.0
        return hazard * (self.units_in(self.fit.base_year) - start)

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        posteriors = self.fit.parameters.posteriors
        weight, cells = posteriors["weight"], posteriors["grid"].size
        cell = categorical(weight).sample(rng, size)  # = rng.choice(weight.size, size, p=...)
        hazard = (cell // (weight.size // cells) + rng.random(size)) / cells
        draws = {"hazard": hazard, **self.sample_base_draws(rng, size),
                 "_uniform": rng.random((steps, size))}
        if not self.base_is_factor:
            draws["base"] = np.clip(np.round(draws["base"]), 0,
                                    self.units_in(self.fit.base_year))
        for merger in self.mergers:
            draws[f"kept_{merger.year}"] = merger.kept.sample(rng, size)
        if posteriors.get("concentration") is not None:
            concentration = posteriors["concentration"][cell % posteriors["concentration"].size]
            draws["concentration"] = concentration
            draws["_year_hazard"] = rng.beta(hazard * concentration,
                                             (1 - hazard) * concentration, (steps, size))
        return draws

    def initial(self, draws, inputs):
        return np.clip(np.round(super().initial(draws, inputs)), 0,
                       self.units_in(self.fit.base_year))

    def step(self, t, own, inputs, draws, shock):
        year = self.fit.base_year + t
        units = self.units_in(year)
        previous = own[t - 1]
        if f"kept_{year}" in draws:  # the list changes: the stock maps onto the new list
            previous = np.clip(np.round(previous * draws[f"kept_{year}"]), 0, units)
        at_risk = units - previous
        hazard = draws["_year_hazard"][t - 1] if "_year_hazard" in draws else draws["hazard"]
        hazard = np.clip(hazard + shock, 0.0, 1.0)
        if self.upgrade_budget is not None:
            extra = self.upgrade_budget.budget / self.upgrade_budget.unit_cost
            funded = np.divide(extra, at_risk, out=np.zeros_like(at_risk), where=at_risk > 0)
            hazard = 1.0 - (1.0 - hazard) * (1.0 - np.clip(funded, 0.0, 1.0))
        added = _binomial(at_risk, hazard, draws["_uniform"][t - 1])
        return previous + added


def _reported(added: float, at_risk: float, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """True counts a reported count may stand for, with their weights: the count itself when
    it is exact, else the whole numbers within 4 sd of it (and within 0..at_risk), weighted by
    the normal density of the reporting error."""
    if sd <= 0:
        return np.array([round(added)]), np.array([1.0])
    counts = np.arange(max(0, math.floor(added - 4 * sd)),
                       min(round(at_risk), math.ceil(added + 4 * sd)) + 1)
    if counts.size == 0:
        return np.array([round(added)]), np.array([1.0])
    weights = np.exp(-0.5 * ((counts - added) / sd) ** 2)
    return counts, weights / weights.sum()


def _discrete_logpmf(count, trials, valid: np.ndarray, logpmf, *shapes) -> np.ndarray:
    """``scipy.stats``' ``rv_discrete.logpmf`` on the support ``0..trials``: ``logpmf`` of the
    counts inside it, ``-inf`` outside, NaN where the parameters are invalid (``valid``)."""
    arrays = np.broadcast_arrays(np.asarray(count, float), np.asarray(trials, float), valid,
                                 *(np.asarray(a, float) for a in shapes))
    k, n, valid, shapes = arrays[0], arrays[1], arrays[2], arrays[3:]
    with np.errstate(invalid="ignore"):
        inside = valid & (k >= 0) & (k <= n) & (np.floor(k) == k)
    out = np.full(k.shape, -np.inf)
    out[~valid | np.isnan(k)] = np.nan
    if inside.any():
        out[inside] = logpmf(k[inside], n[inside], *(a[inside] for a in shapes))
    return out[()] if out.ndim == 0 else out


def _binom_logpmf(count, trials, probability) -> np.ndarray:
    """Log probability of ``count`` under Binomial(trials, probability): the same numbers as
    ``scipy.stats.binom.logpmf``, bit for bit (its formula through ``scipy.special``, without
    importing ``scipy.stats``)."""
    from scipy.special import gammaln, xlog1py, xlogy

    def logpmf(k, n, p):
        combiln = gammaln(n + 1) - (gammaln(k + 1) + gammaln(n - k + 1))
        return combiln + xlogy(k, p) + xlog1py(n - k, -p)

    n, p = np.asarray(trials, float), np.asarray(probability, float)
    valid = (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)
    return _discrete_logpmf(count, n, valid, logpmf, p)


def _betabinom_logpmf(count, trials, a, b) -> np.ndarray:
    """Log probability of ``count`` under the beta-binomial(trials, a, b): the same numbers as
    ``scipy.stats.betabinom.logpmf``, bit for bit (see :func:`_binom_logpmf`)."""
    from scipy.special import betaln

    def logpmf(k, n, a, b):
        combiln = -np.log(n + 1) - betaln(n - k + 1, k + 1)
        return combiln + betaln(k + a, n - k + b) - betaln(a, b)

    n, a, b = np.asarray(trials, float), np.asarray(a, float), np.asarray(b, float)
    valid = (n >= 0) & (n == np.round(n)) & (a > 0) & (b > 0)
    return _discrete_logpmf(count, n, valid, logpmf, a, b)


def _log_mix(terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """log sum_k weights_k exp(terms_k), over the first axis, without overflow."""
    top = terms.max(axis=0)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return top + np.log(np.tensordot(weights, np.exp(terms - top), axes=1))


_MAX_SEARCH = 1000  # CDF terms summed before handing the rest to scipy


def _binomial(trials: np.ndarray, probability: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Binomial(trials, probability) by inverting its CDF at ``uniform`` (vectorised).

    The smallest ``k`` with ``P(X <= k) >= uniform``: one uniform per draw and year, so the count
    is a monotone function of it (common random numbers). The CDF is summed term by term with
    ``pmf(k + 1) = pmf(k) (n - k) / (k + 1) p / (1 - p)`` over the draws still searching; for
    ``p > 1/2`` the search runs on ``n - X ~ Binomial(n, 1 - p)`` at ``1 - uniform`` (the same
    map from the uniform to the count except on a set of probability zero). Draws whose
    ``P(X = 0)`` underflows or that need more than 1000 terms are inverted by
    ``scipy.stats.binom.ppf``.
    """
    n, p, u = np.broadcast_arrays(np.asarray(trials, dtype=float),
                                  np.asarray(probability, dtype=float),
                                  np.asarray(uniform, dtype=float))
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    v = np.where(flip, 1.0 - u, u)
    pmf = np.exp(n * np.log1p(-q))
    count = np.where(v >= 1.0, n, 0.0)  # the top of the (flipped) support, without rounding
    rest = np.flatnonzero((pmf < 1e-290) & (v < 1.0))
    search = np.flatnonzero((pmf < v) & (v < 1.0) & (n > 0) & (pmf >= 1e-290))
    if search.size:
        pm, cdf, nn, vv = pmf[search], pmf[search], n[search], v[search]
        ratio = q[search] / (1.0 - q[search])
        found = np.zeros(search.size)
        k = 0
        while True:  # found counts the k with P(X <= k) < uniform (and k < n)
            below = cdf < vv
            below &= nn > k
            left = np.count_nonzero(below)
            if left == 0:
                break
            if k == _MAX_SEARCH:
                rest = np.concatenate([rest, search[below]])
                break
            found += below
            k += 1
            pm *= (nn - (k - 1)) * (1.0 / k)
            pm *= ratio
            cdf += pm
            if left < search.size // 4:  # drop the finished draws
                count[search] = found
                search, pm, cdf, nn, vv, ratio, found = (
                    a[below] for a in (search, pm, cdf, nn, vv, ratio, found))
        count[search] = found
    if rest.size:
        from scipy import stats

        count[rest] = stats.binom.ppf(v[rest], n[rest], q[rest]).clip(0, n[rest])
    return np.where(flip, n - count, count)


def _count(value: float) -> int | float:
    """A count of units as read (an int when whole: ``190``, not ``190.0``)."""
    value = float(value)
    return int(value) if value.is_integer() else value
