"""Adoption: a count of units reaching a standard (communes at the new-rural standard)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecast.spec.distributions import Beta, Fixed, Integers, PriorDistribution
from forecast.spec.levers import LeverValue
from forecast.models.categorical import categorical
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
    units: int = Field(gt=0, description="Number of units that can reach the standard.")
    evidence_units: int | None = Field(default=None, gt=0, description="Number of units in the "
                                       "evidence years, when it differs (mergers).")
    hazard: Beta = Field(description="Prior of the yearly probability that a unit not at the "
                         "standard reaches it.")
    base: Integers | None = None
    upgrade_budget: UpgradeBudget | None = Field(default=None, description="Money that brings "
                                                 "extra units to the standard (levers).")
    concentration: PriorDistribution | None = Field(
        default=None, description="Prior of how alike years are (the c of Beta(hazard c, "
        "(1 - hazard) c) yearly hazards); none: every year has the same hazard.")

    @model_validator(mode="after")
    def _base_within_units(self):
        if self.base is not None and self.base.high > self.units:
            raise ValueError(f"base can reach {self.base.high}, more than the {self.units} units")
        if self.base is not None and self.base.low < 0:
            raise ValueError("base can be negative; a count is at least 0")
        return self

    def transform(self, level: float) -> float:
        return level

    def _concentration_points(self) -> np.ndarray:
        """Equal-probability points of the concentration prior (one point if fixed)."""
        from forecast.models.posterior import scipy_distribution

        if isinstance(self.concentration, Fixed):
            return np.array([self.concentration.value])
        count = GRID_BATCHY[1]
        return scipy_distribution(self.concentration).ppf((np.arange(count) + 0.5) / count)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        units = self.evidence_units or self.units
        levels = reading.levels
        pairs = []  # (at risk, added, years)
        for block in reading.blocks:
            start, end = min(block.years) - 1, max(block.years)
            if start in levels and len(block.years) == end - start:
                pairs.append((units - levels[start], block.total, end - start))
        cells = GRID if self.concentration is None else GRID_BATCHY[0]
        grid = (np.arange(cells) + 0.5) / cells
        log_post = (self.hazard.a - 1) * np.log(grid) + (self.hazard.b - 1) * np.log1p(-grid)
        if self.concentration is None:
            for at_risk, added, years in pairs:
                stay = (1 - grid) ** years
                log_post += added * np.log1p(-stay) + (at_risk - added) * np.log(stay)
            concentration = None
        else:
            from scipy.stats import betabinom

            concentration = self._concentration_points()
            log_post = np.repeat(log_post[:, None], concentration.size, axis=1)
            for at_risk, added, years in pairs:
                q = (1 - (1 - grid) ** years)[:, None]
                log_post += betabinom.logpmf(round(added), round(at_risk), q * concentration,
                                             (1 - q) * concentration)
        weight = np.exp(log_post - log_post.max())
        weight /= weight.sum()
        if pairs:
            detail = ("evidence: " + "; ".join(f"{a:g} added of {r:g} at risk over {k} year(s)"
                                              for r, a, k in pairs) +
                      f"; prior {self.hazard.describe()}")
            source = ParameterSource("hazard", "evidence", detail)
        else:
            source = ParameterSource("hazard", "prior", "no evidence pair of a stock and the "
                                     "units added after it: prior " + self.hazard.describe())
        sources: tuple[ParameterSource, ...] = (source,)
        if concentration is not None:
            sources += (ParameterSource("concentration", "evidence" if pairs else "prior",
                                        f"prior {self.concentration.describe()}; read with the "
                                        "hazard on a joint grid"),)
        return ParameterFit({"grid": grid, "weight": weight, "concentration": concentration},
                            sources)

    def level_problem(self, value: float) -> str | None:
        if value != round(value) or not 0 <= value <= self.units:
            return f"a count must be a whole number from 0 to units ({self.units})"
        return None

    def expected_change(self) -> float:
        """Expected units added in the first year: hazard times the units still short at the
        base year's expected level."""
        posteriors = self.fit.parameters.posteriors
        weight = posteriors["weight"]
        hazard = float((weight if weight.ndim == 1 else weight.sum(axis=1)) @ posteriors["grid"])
        start = float(self.fit.base.mean())
        return hazard * (self.units - start)

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        posteriors = self.fit.parameters.posteriors
        weight, cells = posteriors["weight"], posteriors["grid"].size
        cell = categorical(weight).sample(rng, size)  # = rng.choice(weight.size, size, p=...)
        hazard = (cell // (weight.size // cells) + rng.random(size)) / cells
        base = np.clip(np.round(self.sample_base(rng, size)), 0, self.units)
        draws = {"base": base, "hazard": hazard, "_uniform": rng.random((steps, size))}
        if posteriors.get("concentration") is not None:
            concentration = posteriors["concentration"][cell % posteriors["concentration"].size]
            draws["concentration"] = concentration
            draws["_year_hazard"] = rng.beta(hazard * concentration,
                                             (1 - hazard) * concentration, (steps, size))
        return draws

    def step(self, t, own, inputs, draws, shock):
        at_risk = self.units - own[t - 1]
        hazard = draws["_year_hazard"][t - 1] if "_year_hazard" in draws else draws["hazard"]
        hazard = np.clip(hazard + shock, 0.0, 1.0)
        if self.upgrade_budget is not None:
            extra = self.upgrade_budget.budget / self.upgrade_budget.unit_cost
            funded = np.divide(extra, at_risk, out=np.zeros_like(at_risk), where=at_risk > 0)
            hazard = 1.0 - (1.0 - hazard) * (1.0 - np.clip(funded, 0.0, 1.0))
        added = _binomial(at_risk, hazard, draws["_uniform"][t - 1])
        return own[t - 1] + added


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
