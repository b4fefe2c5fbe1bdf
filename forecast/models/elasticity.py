"""Elasticity: an amount whose log growth is ``intercept + elasticity * input growth + noise``.

Registered as ``elasticity`` and, for budget revenue, as ``fiscal`` (the elasticity of revenue to
nominal output is its *buoyancy*). Inputs are summed on the log scale, so reading real output and
a price index gives nominal output growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field

from ..distributions import Distribution, HalfNormal, Normal
from .base import Component, Draws, ParameterFit, ParameterSource
from .evidence import Reading
from .growth import describe_linear
from .posterior import fit_linear


def input_growth(inputs: Mapping[str, np.ndarray], t: int) -> np.ndarray | float:
    """Sum of the inputs' yearly log growth from year index t-1 to t."""
    total: np.ndarray | float = 0.0
    for path in inputs.values():
        total = total + np.log(path[t] / path[t - 1])
    return total


class Elasticity(Component):
    """``log y_t - log y_{t-1} = intercept + elasticity * x_t + volatility * e_t`` with ``x_t``
    the summed log growth of the inputs.

    With period averages only, the intercept is pinned by the evidence given the elasticity,
    and the elasticity stays at its prior; yearly figures identify both.
    """

    model: Literal["elasticity"]
    required_inputs = 1
    intercept: Normal = Field(default_factory=lambda: Normal(
        dist="normal", loc=0.0, scale=0.1, why="weakly informative default"),
        description="Prior of the growth not explained by the inputs.")
    elasticity: Normal = Field(description="Prior of the elasticity to the inputs' growth.")
    volatility: Distribution = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.05, why="weakly informative default"),
        description="Prior of the yearly noise scale.")

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        blocks = reading.blocks
        x = np.array([sum(inputs[name].mean_change(b.years) for name in self.inputs)
                      for b in blocks])
        design = np.column_stack([np.ones(len(blocks)), x]) if blocks else np.zeros((0, 2))
        posterior = fit_linear(np.array([b.mean for b in blocks]), design,
                               np.array([len(b.years) for b in blocks]),
                               np.array([self.intercept.loc, self.elasticity.loc]),
                               np.array([self.intercept.scale, self.elasticity.scale]),
                               self.volatility)
        sources = list(describe_linear(posterior, ["intercept", "elasticity"], reading,
                                       [self.intercept, self.elasticity], self.volatility))
        if len(blocks) < 3:
            sources[1] = ParameterSource("elasticity", "prior", "fewer than three evidence "
                                         f"blocks cannot identify it: prior "
                                         f"{self.elasticity.describe()}")
        notes = tuple(f"input growth over years {sorted(b.years)}: {xi:.4f}/yr (log), from the "
                      "inputs' evidence where it covers those years, else their posterior mean"
                      for b, xi in zip(blocks, x))
        input_mean = sum(inputs[name].expected_change() for name in self.inputs)
        return ParameterFit({"linear": posterior, "input_mean": input_mean}, tuple(sources), notes)

    def expected_change(self) -> float:
        posteriors = self.fit.parameters.posteriors
        mean = posteriors["linear"].sigma_weight @ posteriors["linear"].beta_mean
        return float(mean[0] + mean[1] * posteriors["input_mean"])

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        return {"base": self.sample_base(rng, size), "intercept": beta[:, 0],
                "elasticity": beta[:, 1], "volatility": sigma,
                "_noise": rng.standard_normal((steps, size))}

    def step(self, t, own, inputs, draws, shock):
        growth = (draws["intercept"] + draws["elasticity"] * input_growth(inputs, t)
                  + draws["volatility"] * draws["_noise"][t - 1] + shock)
        return own[t - 1] * np.exp(growth)


class Fiscal(Elasticity):
    """Budget revenue with a buoyancy on nominal output (see :class:`Elasticity`)."""

    model: Literal["fiscal"]
