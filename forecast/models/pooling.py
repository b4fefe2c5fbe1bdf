"""Partial pooling of a region's drift towards its group (the province, the nation).

A region's drift is its group's drift plus a relative drift of its own: ``drift = group +
delta``, ``delta ~ Normal(0, tau**2)``, with ``tau`` the spread of the persistent relative drifts
across the panel's units (:func:`forecast.priors.common.drift_spread`: it is small when little
of a unit's past relative growth persists) and uncertain itself (``spread``, a distribution of
``tau``). The prior of the drift is then ``Normal(group.loc, group.scale**2 + tau**2)`` given
``tau``, and the posterior given the region's evidence is the usual conjugate one: the weight
on the region's own record is ``tau**2 / (tau**2 + group.scale**2 + sigma**2 / n)``, so the
drift shrinks towards the group as the data thin out (fewer years ``n``, or a noisier
``sigma``). ``tau`` is integrated over :data:`POINTS` quantiles of ``spread``, each weighted by
its marginal likelihood: the exact posterior of the mixture.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from forecast.models.posterior import LinearPosterior, fit_linear
from forecast.spec.distributions import Normal, PriorScale

POINTS = 16
"""Quantile points of the spread ``tau`` the posterior is mixed over."""


class DriftPooling(BaseModel):
    """How a region's drift is pooled towards its group: the group's drift is the component's
    drift prior (``drift`` of a growth model, ``intercept`` of an elasticity model), or the
    posterior of a growth model of the group's own series (``group``); ``spread`` is the
    distribution of the spread of regions' persistent drifts around it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    group: list[str] | None = Field(default=None, min_length=1, description="Evidence names "
                                    "of the group's own series (a growth model only: e.g. the "
                                    "province's GRDP growth). The group's drift is calibrated "
                                    "on them, with the component's `drift` and `volatility` "
                                    "as its priors, and that posterior is the drift the "
                                    "region's is pooled towards. None: `drift` is the "
                                    "group's.")
    spread: PriorScale = Field(description="Distribution of the sd of regions' persistent "
                               "drifts around the group's, or a pooled prior derived from a "
                               "panel (`{dist: pooled, name: "
                               "vietnam_provincial_revenue_drift_spread}`: `forecast priors` "
                               "prints it).")


def spread_points(spread, points: int = POINTS) -> np.ndarray:
    """Quantile points of the spread (each of weight ``1 / points``)."""
    from forecast.priors.common import _ppf

    q = (np.arange(points) + 0.5) / points
    return np.maximum(np.asarray(_ppf(spread, q), float), 0.0)


def prior_with_spread(prior: Normal, spread) -> Normal:
    """The drift prior a region has before its evidence: the group's with ``E tau**2`` added
    (for reporting how much the evidence moved it)."""
    tau = spread_points(spread)
    return prior.model_copy(update={"scale": math.sqrt(prior.scale**2 + float(np.mean(tau**2)))})


def fit_pooled(y: np.ndarray, design: np.ndarray, years: np.ndarray, prior_mean: np.ndarray,
               prior_sd: np.ndarray, sigma_prior, noise: np.ndarray | None, spread,
               index: int = 0) -> LinearPosterior:
    """The posterior of :func:`forecast.models.posterior.fit_linear` with coefficient ``index``
    pooled: its prior sd is ``sqrt(prior_sd**2 + tau**2)`` for ``tau`` at each quantile of
    ``spread``; the fits are mixed with weights proportional to their marginal likelihoods,
    into one :class:`LinearPosterior` over the union of their grids."""
    fits = []
    for tau in spread_points(spread):
        sd = np.array(prior_sd, float).copy()
        sd[index] = math.sqrt(sd[index] ** 2 + tau**2)
        fits.append(fit_linear(y, design, years, prior_mean, sd, sigma_prior, noise))
    evidence = np.array([f.log_evidence for f in fits])
    mix = np.exp(evidence - evidence.max())
    mix /= mix.sum()
    weight = np.concatenate([m * f.sigma_weight for m, f in zip(mix, fits)])
    return LinearPosterior(np.concatenate([f.sigma_grid for f in fits]), weight / weight.sum(),
                           fits[0].sigma_step, np.concatenate([f.beta_mean for f in fits]),
                           np.concatenate([f.beta_chol for f in fits]), fits[0].observations,
                           float(evidence.max() + np.log(np.mean(np.exp(evidence
                                                                         - evidence.max())))))
