"""Investment: a yearly flow that is a share of (nominal) output; targets cumulate it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from forecast.spec.distributions import Distribution, HalfNormal, Scale
from forecast.messages import Phrase
from forecast.models.base import Component, Draws, ParameterFit, ParameterSource
from forecast.models.evidence import Reading


class Investment(Component):
    """``investment_t = share_t * prod(inputs_t)`` with
    ``logit share_t = logit share_{t-1} + volatility * e_t``.

    The inputs multiply (real output times a price index gives nominal output). The base-year
    share is ``share``; the base-year level follows from it, so ``base`` is not used.
    """

    model: Literal["investment"]
    required_inputs = 1
    level_settings = ("share",)
    share: Distribution = Field(description="Share of the inputs' product invested in the "
                                "base year.")
    volatility: Scale = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.1, why="weakly informative default"),
        description="Prior of the yearly noise of the share on the logit scale.")

    @model_validator(mode="after")
    def _no_base(self):
        if self.base is not None:
            raise ValueError("an investment indicator starts from its 'share' of the inputs; "
                             "remove 'base' and set 'share'")
        return self

    def _base(self, rows, base_year, history=None, inputs=None):  # the level follows from the share
        return self.share, None

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        sources = (ParameterSource("share", "assumption",
                                   Phrase.of("src_declared", prior=self.share.describe())),
                   ParameterSource("volatility", "prior",
                                   Phrase.of("src_declared", prior=self.volatility.describe())))
        return ParameterFit({"input_mean": sum(inputs[n].expected_change() for n in self.inputs)},
                            sources)

    def expected_change(self) -> float:
        return float(self.fit.parameters.posteriors["input_mean"])

    def read_years(self) -> frozenset[int]:
        return frozenset()  # nothing is fitted from evidence

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        share = np.clip(self.share.sample(rng, size), 1e-9, 1 - 1e-9)
        volatility = self.volatility.sample(rng, size)
        walk = np.cumsum(volatility * rng.standard_normal((steps, size)), axis=0)
        return {"share": share, "volatility": volatility, "_walk": walk}

    def initial(self, draws: Draws, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
        return draws["share"] * _product(inputs, 0)

    def step(self, t, own, inputs, draws, shock):
        logit = np.log(draws["share"]) - np.log1p(-draws["share"])
        z = np.clip(logit + draws["_walk"][t - 1] + shock, -35.0, 35.0)
        share = 1.0 / (1.0 + np.exp(-z))
        return share * _product(inputs, t)


def _product(inputs: Mapping[str, np.ndarray], t: int) -> np.ndarray | float:
    total: np.ndarray | float = 1.0
    for path in inputs.values():
        total = total * path[t]
    return total
