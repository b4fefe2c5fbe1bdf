"""Poverty: a rate that moves on the logit scale with a growth elasticity, so it stays in (0, 1)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from forecast.spec.distributions import Distribution, HalfNormal, Normal, PriorScale
from forecast.models.base import Component, Draws, ParameterFit
from forecast.models.elasticity import fit_on_inputs, input_growth
from forecast.models.evidence import Reading


def logit(p: float) -> float:
    """log(p / (1 - p)) for a share in (0, 1)."""
    return math.log(p / (1.0 - p))


class StandardBreak(BaseModel):
    """A change of the measurement standard inside the horizon: from ``year`` on, the rate
    jumps by ``shift`` on the logit scale (its own level shift, not a change of pace)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    year: int
    shift: Distribution


class Poverty(Component):
    """``logit p_t = logit p_{t-1} + trend + elasticity * x_t + volatility * e_t`` where ``x_t``
    is the inputs' yearly log growth (real output): faster growth, faster fall.

    Evidence on an older standard informs the pace (changes); the base-year level must be on the
    standard the targets use. A standard that changes inside the horizon is a ``standard_break``.
    """

    model: Literal["poverty"]
    unit: Literal["share"] = "share"
    scale = "nonlinear"
    rate_kind = "change"
    trend: Normal = Field(default_factory=lambda: Normal(
        dist="normal", loc=0.0, scale=0.5, why="weakly informative default"),
        description="Prior of the yearly logit change at zero input growth.")
    elasticity: Normal = Field(default_factory=lambda: Normal(
        dist="normal", loc=0.0, scale=1e-6, why="default: no link to growth"),
        description="Prior of the logit change per unit of input log growth (negative: growth "
                    "reduces poverty).")
    volatility: PriorScale = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.1, why="weakly informative default"),
        description="Prior of the yearly logit noise scale (may be a pooled prior).")
    standard_break: StandardBreak | None = None

    def transform(self, level: float) -> float:
        return logit(level)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        return fit_on_inputs(reading, inputs, self.inputs, ["trend", "elasticity"],
                             [self.trend, self.elasticity], self.volatility)

    def expected_change(self) -> float:
        posteriors = self.fit.parameters.posteriors
        mean = posteriors["linear"].sigma_weight @ posteriors["linear"].beta_mean
        return float(mean[0] + mean[1] * posteriors["input_mean"])

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        draws = {"base": self.sample_base(rng, size), "trend": beta[:, 0],
                 "elasticity": beta[:, 1], "volatility": sigma,
                 "_noise": rng.standard_normal((steps, size))}
        if self.standard_break is not None:
            draws["standard_shift"] = self.standard_break.shift.sample(rng, size)
        return draws

    def step(self, t, own, inputs, draws, shock):
        change = (draws["trend"] + draws["elasticity"] * input_growth(inputs, t)
                  + draws["volatility"] * draws["_noise"][t - 1] + shock)
        if self.standard_break is not None and t == self.standard_break.year - self.fit.base_year:
            change = change + draws["standard_shift"]
        previous = own[t - 1]
        z = np.clip(np.log(previous) - np.log1p(-previous) + change, -35.0, 35.0)
        return 1.0 / (1.0 + np.exp(-z))
