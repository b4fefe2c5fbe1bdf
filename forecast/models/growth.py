"""Growth: log output as a random walk with uncertain drift, optional AR(1), fat tails, jumps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..distributions import Distribution, HalfNormal, Normal
from .base import Component, Draws, ParameterFit, ParameterSource
from .evidence import Reading
from .posterior import LinearPosterior, fit_linear


class Jump(BaseModel):
    """Rare shock years: with ``probability`` a year, the growth rate moves by ``size``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    probability: float = Field(ge=0, le=1, allow_inf_nan=False)
    size: Distribution


def _default_drift() -> Normal:
    return Normal(dist="normal", loc=0.0, scale=0.1,
                  why="weakly informative default: growth between -20 and +20 %/yr")


def _default_volatility() -> HalfNormal:
    return HalfNormal(dist="halfnormal", scale=0.05,
                      why="weakly informative default: yearly growth rarely swings by 10 points")


def describe_linear(posterior: LinearPosterior, names: list[str], reading: Reading,
                    priors: list[Distribution], sigma_prior: Distribution) -> tuple[ParameterSource, ...]:
    """Provenance of the parameters of a linear posterior."""
    if reading.blocks:
        lines = sorted({line for b in reading.blocks for line in b.rows})
        detail = (f"{len(reading.blocks)} block(s) covering {reading.years} year(s) of evidence "
                  f"(rows on lines {', '.join(map(str, lines)) or 'from levels'})")
    else:
        detail = "no usable evidence"
    sources = []
    for name, prior in zip(names, priors):
        origin = "evidence" if reading.blocks else "prior"
        sources.append(ParameterSource(name, origin, f"{detail}; prior {prior.describe()}"))
    identified = len(reading.blocks) >= 2
    sources.append(ParameterSource(
        "volatility", "evidence" if identified else "prior",
        (detail + "; " if reading.blocks else "") +
        ("" if identified else "fewer than two blocks cannot identify it: ") +
        f"prior {sigma_prior.describe()}"))
    return tuple(sources)


class Growth(Component):
    """Log level follows a random walk with drift: ``log y_t = log y_{t-1} + g_t``,
    ``g_t = drift + persistence (g_{t-1} - drift) + volatility e_t + jump_t``.

    The drift and volatility carry their joint posterior from the evidence (period averages
    pin the drift, yearly figures also inform the volatility).
    """

    model: Literal["growth"]
    drift: Normal = Field(default_factory=_default_drift,
                          description="Prior of the mean yearly log growth.")
    volatility: Distribution = Field(default_factory=_default_volatility,
                                     description="Prior of the yearly growth noise scale.")
    persistence: Distribution | None = Field(default=None, description="AR(1) coefficient of "
                                             "growth (none: independent years).")
    tail_dof: float | None = Field(default=None, gt=2, le=1000, description="Student-t degrees "
                                   "of freedom of the shocks (none: normal shocks).")
    jump: Jump | None = Field(default=None, description="Rare shock years.")

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        blocks = reading.blocks
        posterior = fit_linear(np.array([b.mean for b in blocks]), np.ones((len(blocks), 1)),
                               np.array([len(b.years) for b in blocks]), np.array([self.drift.loc]),
                               np.array([self.drift.scale]), self.volatility)
        sources = describe_linear(posterior, ["drift"], reading, [self.drift], self.volatility)
        return ParameterFit({"linear": posterior}, sources)

    def expected_change(self) -> float:
        posterior = self.fit.parameters.posteriors["linear"]
        return float(posterior.sigma_weight @ posterior.beta_mean[:, 0])

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        draws: Draws = {"base": self.sample_base(rng, size), "drift": beta[:, 0],
                        "volatility": sigma}
        if self.persistence is not None:
            draws["persistence"] = self.persistence.sample(rng, size)
        if self.tail_dof is None:
            draws["_noise"] = rng.standard_normal((steps, size))
        else:
            nu = self.tail_dof
            draws["_noise"] = rng.standard_t(nu, (steps, size)) * np.sqrt((nu - 2) / nu)
        if self.jump is not None:
            hit = rng.random((steps, size)) < self.jump.probability
            sizes = self.jump.size.sample(rng, steps * size).reshape(steps, size)
            draws["_jump"] = np.where(hit, sizes, 0.0)
        return draws

    def step(self, t, own, inputs, draws, shock):
        drift = draws["drift"]
        growth = drift + draws["volatility"] * draws["_noise"][t - 1] + shock
        if "persistence" in draws and t >= 2:
            growth = growth + draws["persistence"] * (np.log(own[t - 1] / own[t - 2]) - drift)
        if "_jump" in draws:
            growth = growth + draws["_jump"][t - 1]
        return own[t - 1] * np.exp(growth)
