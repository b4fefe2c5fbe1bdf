"""Elasticity: an amount whose log growth is ``intercept + elasticity * input growth + noise``.

Registered as ``elasticity`` and, for budget revenue, as ``fiscal`` (the elasticity of revenue to
nominal output is its *buoyancy*). Inputs are summed on the log scale, so reading real output and
a price index gives nominal output growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from forecast.spec.distributions import Distribution, HalfNormal, Normal, PriorDistribution, PriorScale
from forecast.models.base import Component, Draws, ParameterFit
from forecast.models.evidence import Reading
from forecast.models.growth import (ar1_term, check_common, describe_linear, draw_persistence,
                                    fit_persistence)
from forecast.models.common import relative_reading
from forecast.models.pooling import DriftPooling, fit_pooled, prior_with_spread
from forecast.models.posterior import fit_linear, no_fit, ols


def input_growth(inputs: Mapping[str, np.ndarray], t: int) -> np.ndarray | float:
    """Sum of the inputs' yearly log growth from year index t-1 to t."""
    total: np.ndarray | float = 0.0
    for path in inputs.values():
        total = total + np.log(path[t] / path[t - 1])
    return total


def matched_years(reading: Reading, inputs: Mapping[str, Component], names: list[str],
                  ) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Years where the indicator and every input have a yearly figure of their own.

    Returns
    -------
    years : list of int
    y : ndarray
        The indicator's yearly change in those years.
    x : ndarray
        The inputs' summed yearly change in the same years.
    """
    own = {min(b.years): b.total for b in reading.blocks if len(b.years) == 1}
    if not own:
        return [], np.zeros(0), np.zeros(0)
    theirs = [{min(b.years): b.total for b in inputs[n].fit.reading.blocks if len(b.years) == 1}
              for n in names]
    years = sorted(y for y in own if all(y in t for t in theirs))
    return (years, np.array([own[y] for y in years]),
            np.array([sum(t[y] for t in theirs) for y in years]))


def fit_on_inputs(reading: Reading, inputs: Mapping[str, Component], input_names: list[str],
                  names: list[str], priors: list[Normal], sigma_prior: Distribution,
                  persistence: Distribution | None = None, pooling: DriftPooling | None = None,
                  ) -> ParameterFit:
    """Posterior of ``change = names[0] + names[1] * input growth + noise`` from the evidence
    blocks, with a statsmodels OLS diagnostic on the matched yearly observations.

    The input growth of a block comes from the inputs' evidence where it covers the block's
    years, else from their posterior mean. The matched years are kept (``matched``: year ->
    (change, input growth)) so that an AR(1) noise can start from the base year's residual.
    ``persistence`` (the AR(1) coefficient of the noise) stays at its prior, restricted to
    (-1, 1): no AR(1) fit is made on the residuals.
    """
    blocks = reading.blocks
    x = np.array([sum(inputs[name].mean_change(b.years) for name in input_names)
                  for b in blocks])
    design = np.column_stack([np.ones(len(blocks)), x]) if blocks else np.zeros((0, 2))
    arguments = (np.array([b.mean for b in blocks]), design,
                 np.array([len(b.years) for b in blocks]),
                 np.array([p.loc for p in priors]), np.array([p.scale for p in priors]),
                 sigma_prior, reading.mean_covariance)
    if pooling is None:
        posterior = fit_linear(*arguments)
    else:  # the first coefficient (the intercept: growth beyond the inputs') is pooled
        posterior = fit_pooled(*arguments, pooling.spread, index=0)
        priors = [prior_with_spread(priors[0], pooling.spread), *priors[1:]]
    sources = describe_linear(posterior, names, reading, priors, sigma_prior, design)
    notes = tuple(f"input growth over years {sorted(b.years)}: {xi:.4f}/yr (log), from the "
                  "inputs' evidence where it covers those years, else their posterior mean"
                  for b, xi in zip(blocks, x))
    years, y_matched, x_matched = matched_years(reading, inputs, input_names)
    diagnostic = {**ols(y_matched, x_matched, names), "years": years}
    input_mean = sum(inputs[name].expected_change() for name in input_names)
    grid = None
    if persistence is not None:
        grid, source = fit_persistence(persistence, no_fit(0, "cal_no_fit_residuals"))
        sources = (*sources, source)
    return ParameterFit({"linear": posterior, "input_mean": input_mean, "persistence": grid,
                         "matched": dict(zip(years, zip(y_matched, x_matched))),
                         "diagnostics": {"ols": diagnostic}}, sources, notes)


class Elasticity(Component):
    """``log y_t - log y_{t-1} = intercept + elasticity * x_t + u_t`` with ``x_t`` the summed
    log growth of the inputs and ``u_t = volatility * e_t``, or with ``persistence`` an AR(1)
    ``u_t = persistence * u_{t-1} + sqrt(1 - persistence**2) * volatility * e_t`` that starts
    from the base year's residual when the base year is a matched yearly figure.

    With period averages only, the intercept is pinned by the evidence given the elasticity,
    and the elasticity stays at its prior; yearly figures identify both. Where the indicator
    and its inputs have 3 or more matched yearly figures, a statsmodels OLS of the one on the
    other is recorded as a diagnostic (``fit.parameters.posteriors["diagnostics"]``).
    """

    model: Literal["elasticity"]
    required_inputs = 1
    intercept: Normal = Field(default_factory=lambda: Normal(
        dist="normal", loc=0.0, scale=0.1, why="weakly informative default"),
        description="Prior of the growth not explained by the inputs.")
    elasticity: Normal = Field(description="Prior of the elasticity to the inputs' growth.")
    volatility: PriorScale = Field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.05, why="weakly informative default"),
        description="Prior of the yearly noise scale (may be a pooled prior).")
    persistence: PriorDistribution | None = Field(default=None, description="Prior of the "
                                                  "AR(1) coefficient of the yearly noise (may be "
                                                  "a pooled prior; none: independent years).")
    pooling: DriftPooling | None = Field(default=None, description="Partial pooling of the "
                                         "intercept (the growth beyond the inputs'): "
                                         "`intercept` is then the group's and the region's "
                                         "deviates from it by the pooled spread.")
    common: str | None = Field(default=None, description="An input (a `common` component) "
                               "whose yearly log growth is added one for one, outside the "
                               "elasticity: the national part every region shares.")

    @model_validator(mode="after")
    def _common_is_an_input(self):
        check_common(self)
        if self.pooling is not None and self.pooling.group:
            raise ValueError("pooling.group (the group's own series) is read by growth models "
                             "only; here the group's intercept is the `intercept` prior")
        return self

    def _driving(self, inputs: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]:
        """The inputs the elasticity applies to (all but the common one)."""
        return {k: v for k, v in inputs.items() if k != self.common}

    def _common_growth(self, inputs, t) -> np.ndarray | float:
        if self.common is None:
            return 0.0
        return np.log(inputs[self.common][t] / inputs[self.common][t - 1])

    def fit_parameters(self, reading: Reading, inputs: Mapping[str, Component]) -> ParameterFit:
        national = None
        if self.common is not None:  # the own part: the record net of the national growth
            reading = relative_reading(reading, inputs[self.common])
            national = inputs[self.common]
        fit = fit_on_inputs(reading, inputs, [i for i in self.inputs if i != self.common],
                            ["intercept", "elasticity"], [self.intercept, self.elasticity],
                            self.volatility, self.persistence, self.pooling)
        return ParameterFit({**fit.posteriors, "national": national, "own_reading": reading},
                            fit.sources, fit.notes)

    def expected_change(self) -> float:
        """The posterior mean of the yearly log growth, the national part's included."""
        posteriors = self.fit.parameters.posteriors
        mean = posteriors["linear"].sigma_weight @ posteriors["linear"].beta_mean
        own = float(mean[0] + mean[1] * posteriors["input_mean"])
        national = posteriors.get("national")
        return own if national is None else own + national.expected_change()

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        beta, sigma = self.fit.parameters.posteriors["linear"].sample(rng, size)
        draws = {"base": self.sample_base(rng, size), "intercept": beta[:, 0],
                 "elasticity": beta[:, 1], "volatility": sigma,
                 "_noise": rng.standard_normal((steps, size))}
        if self.persistence is not None:
            draws["persistence"] = draw_persistence(
                self.persistence, self.fit.parameters.posteriors["persistence"], rng, size)
        return draws

    def _residual(self, t, own, inputs, draws) -> np.ndarray | None:
        """Last year's noise ``u_{t-1}``: from the path, or in the first simulated year from
        the base year's matched yearly figure (None when there is none)."""
        if t >= 2:
            change = np.log(own[t - 1] / own[t - 2])
            if "_shock" in draws:  # a scenario shock is a one-off, not part of the noise
                change = change - draws["_shock"][t - 2]
            change = change - self._common_growth(inputs, t - 1)
            return change - draws["intercept"] - draws["elasticity"] * input_growth(
                self._driving(inputs), t - 1)
        matched = self.fit.parameters.posteriors["matched"].get(self.fit.base_year)
        if matched is None:
            return None
        return matched[0] - draws["intercept"] - draws["elasticity"] * matched[1]

    def step(self, t, own, inputs, draws, shock):
        mean = (draws["intercept"] + draws["elasticity"] * input_growth(self._driving(inputs), t)
                + self._common_growth(inputs, t))
        noise = draws["volatility"] * draws["_noise"][t - 1]
        if "persistence" in draws:
            carried, noise = ar1_term(draws["persistence"], self._residual(t, own, inputs, draws),
                                      0.0, noise)
            mean = mean + carried
        return own[t - 1] * np.exp(mean + noise + shock)


class Fiscal(Elasticity):
    """Budget revenue with a buoyancy on nominal output (see :class:`Elasticity`)."""

    model: Literal["fiscal"]
