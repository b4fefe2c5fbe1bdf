"""Coverage: a share with a ceiling (paved roads) that closes a fraction of the gap each year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecast.spec.distributions import Distribution, HalfNormal, Normal, Scale
from forecast.spec.levers import LeverValue
from forecast.models.base import Component, Draws, ParameterFit
from forecast.models.evidence import Reading
from forecast.models.growth import describe_linear
from forecast.models.posterior import fit_linear


class Funding(BaseModel):
    """Coverage bought with money: ``gain_t = input_t * share / (unit_cost * network)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    input: str = Field(description="Indicator that provides the money each year (one of the "
                       "component's inputs).")
    share: LeverValue = Field(description="Share of that money spent on this coverage.")
    unit_cost: LeverValue = Field(description="Cost of one unit of the network (same money unit "
                                  "as the input per unit of network).")
    network: Distribution = Field(description="Size of the whole network (e.g. km of rural "
                                  "roads): an assumption where no source gives it.")


class Coverage(Component):
    """``gap_t = gap_{t-1} * exp(-(pace + volatility * e_t))`` with ``gap = ceiling - share``.

    ``pace`` is the yearly log-rate at which the remaining gap closes (0.1: about 9.5 % of what
    remains is closed each year). With ``funding``, money adds
    ``input_t * share / (unit_cost * network)`` to the share each year on top of that pace. The
    share never leaves [0, ceiling].
    """

    model: Literal["coverage"]
    unit: Literal["share"] = "share"
    scale = "nonlinear"
    rate_kind = "change"
    ceiling: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False,
                           description="Highest reachable share.")
    pace: Normal = Field(description="Prior of the yearly log-rate at which the gap closes.")
    volatility: Scale = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.05, why="weakly informative default"),
        description="Prior of the yearly noise of the pace.")
    funding: Funding | None = Field(default=None, description="Money-driven gains (levers).")

    @model_validator(mode="after")
    def _base_below_ceiling(self):
        if self.base is not None and self.base.bounds()[1] > self.ceiling:
            raise ValueError(f"base can reach {self.base.bounds()[1]:g}, above the ceiling "
                             f"{self.ceiling:g}")
        if self.base is not None and self.base.bounds()[0] < 0:
            raise ValueError("base can be negative; a share lies in [0, 1]")
        if self.funding is not None:
            if self.funding.input not in self.inputs:
                raise ValueError(f"funding.input '{self.funding.input}' must be one of the "
                                 f"indicator's inputs {self.inputs}")
            if self.funding.network.bounds()[0] <= 0:
                raise ValueError("funding.network must be positive")
            for key in ("share", "unit_cost"):
                value = getattr(self.funding, key)
                if isinstance(value, float) and value < 0 or key == "unit_cost" and \
                        isinstance(value, float) and value == 0:
                    raise ValueError(f"funding.{key} must be positive")
        return self

    def transform(self, level: float) -> float:
        return -math.log(self.ceiling - level)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        blocks = reading.blocks
        posterior = fit_linear(np.array([b.mean for b in blocks]), np.ones((len(blocks), 1)),
                               np.array([len(b.years) for b in blocks]),
                               np.array([self.pace.loc]), np.array([self.pace.scale]),
                               self.volatility, reading.mean_covariance)
        return ParameterFit({"linear": posterior},
                            describe_linear(posterior, ["pace"], reading, [self.pace],
                                            self.volatility))

    def expected_change(self) -> float:
        posterior = self.fit.parameters.posteriors["linear"]
        return float(posterior.sigma_weight @ posterior.beta_mean[:, 0])

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        draws = {"base": np.clip(self.sample_base(rng, size), 0.0, self.ceiling),
                 "pace": beta[:, 0], "volatility": sigma,
                 "_noise": rng.standard_normal((steps, size))}
        if self.funding is not None:
            draws["network"] = self.funding.network.sample(rng, size)
        return draws

    def step(self, t, own, inputs, draws, shock):
        gap = self.ceiling - own[t - 1]
        closing = draws["pace"] + draws["volatility"] * draws["_noise"][t - 1] + shock
        share = self.ceiling - gap * np.exp(-closing)
        if self.funding is not None:
            money = inputs[self.funding.input][t] * self.funding.share
            share = share + money / (self.funding.unit_cost * draws["network"])
        return np.clip(share, 0.0, self.ceiling)
