"""Coverage: a share with a ceiling (paved roads) that closes a fraction of the gap each year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from ..distributions import Distribution, HalfNormal, Normal
from .base import Component, Draws, ParameterFit
from .evidence import Reading
from .growth import describe_linear
from .posterior import fit_linear


class Coverage(Component):
    """``gap_t = gap_{t-1} * exp(-(pace + volatility * e_t))`` with ``gap = ceiling - share``.

    ``pace`` is the yearly log-rate at which the remaining gap closes (0.1: about 9.5 % of what
    remains is closed each year). The share never leaves [0, ceiling].
    """

    model: Literal["coverage"]
    unit: Literal["share"] = "share"
    scale = "nonlinear"
    rate_kind = "change"
    ceiling: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False,
                           description="Highest reachable share.")
    pace: Normal = Field(description="Prior of the yearly log-rate at which the gap closes.")
    volatility: Distribution = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.05, why="weakly informative default"),
        description="Prior of the yearly noise of the pace.")

    @model_validator(mode="after")
    def _base_below_ceiling(self):
        if self.base is not None and self.base.bounds()[1] > self.ceiling:
            raise ValueError(f"base can reach {self.base.bounds()[1]:g}, above the ceiling "
                             f"{self.ceiling:g}")
        if self.base is not None and self.base.bounds()[0] < 0:
            raise ValueError("base can be negative; a share lies in [0, 1]")
        return self

    def transform(self, level: float) -> float:
        return -math.log(self.ceiling - level)

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        blocks = reading.blocks
        posterior = fit_linear(np.array([b.mean for b in blocks]), np.ones((len(blocks), 1)),
                               np.array([len(b.years) for b in blocks]),
                               np.array([self.pace.loc]), np.array([self.pace.scale]),
                               self.volatility)
        return ParameterFit({"linear": posterior},
                            describe_linear(posterior, ["pace"], reading, [self.pace],
                                            self.volatility))

    def expected_change(self) -> float:
        posterior = self.fit.parameters.posteriors["linear"]
        return float(posterior.sigma_weight @ posterior.beta_mean[:, 0])

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        return {"base": np.clip(self.sample_base(rng, size), 0.0, self.ceiling),
                "pace": beta[:, 0], "volatility": sigma,
                "_noise": rng.standard_normal((steps, size))}

    def step(self, t, own, inputs, draws, shock):
        gap = self.ceiling - own[t - 1]
        closing = draws["pace"] + draws["volatility"] * draws["_noise"][t - 1] + shock
        return np.clip(self.ceiling - gap * np.exp(-closing), 0.0, self.ceiling)
