"""The cross-section of true volatilities behind the sample sds of short series.

Each unit's sample sd of a few yearly changes is a noisy reading of its true volatility; the
spread of the sample sds across units is wider than that of the true volatilities.
:func:`fit_cross_section` fits log-normal and half-normal distributions of the true volatility
by marginal likelihood, integrating each unit's sampling noise on a grid (used by
:mod:`forecast.priors`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.spec.distributions import HalfNormal, LogNormal, _Dist
from forecast.errors import ModelError

_SIGMA_GRID = np.exp(np.linspace(math.log(0.002), math.log(5.0), 401))
MIN_SPREAD = 0.05
"""Smallest spread (sd of log volatility) a fitted log-normal may have: with very short series
the sampling noise can explain all the dispersion and the maximum would be a single value."""


@dataclass(frozen=True)
class CrossSectionFit:
    """A distribution of the true volatility across units, fitted to their sample sds.

    The sample variance of unit ``i`` from ``k_i`` degrees of freedom is
    ``sigma_i**2 * chi2(k_i) / k_i``; the fit maximises the marginal likelihood of the sample
    sds over ``sigma_i`` drawn from the distribution, so the spread of the prior is that of
    the true volatilities, not inflated by the sampling noise of short series.
    """

    lognormal: LogNormal
    lognormal_loglik: float
    halfnormal: HalfNormal
    halfnormal_loglik: float

    @property
    def best(self) -> _Dist:
        """The family with the lower AIC (log-normal: 2 parameters, half-normal: 1)."""
        if 2 * 2 - 2 * self.lognormal_loglik <= 2 * 1 - 2 * self.halfnormal_loglik:
            return self.lognormal
        return self.halfnormal

    def numbers(self) -> dict[str, Any]:
        """Both fits, for the audit."""
        return {"lognormal": {"mu": self.lognormal.mu, "sigma": self.lognormal.sigma,
                              "loglik": round(self.lognormal_loglik, 3)},
                "halfnormal": {"scale": self.halfnormal.scale,
                               "loglik": round(self.halfnormal_loglik, 3)},
                "chosen": self.best.describe()}


def _log_density_of_sd(sd: np.ndarray, dof: np.ndarray) -> np.ndarray:
    """log p(sample sd | sigma) on the sigma grid, shape (units, grid)."""
    from scipy import stats

    s2 = (sd**2)[:, None]
    k = dof[:, None].astype(float)
    sigma2 = (_SIGMA_GRID**2)[None]
    # density of s (not s^2): p(s) = p_{s^2}(s^2) * 2s, with k s^2 / sigma^2 ~ chi2(k)
    return (stats.chi2.logpdf(k * s2 / sigma2, k) + np.log(k / sigma2)
            + np.log(2 * np.sqrt(s2)))


def fit_cross_section(sd: np.ndarray, count: np.ndarray) -> CrossSectionFit:
    """Fit log-normal and half-normal distributions of the true volatility across units.

    Parameters
    ----------
    sd : ndarray
        Sample sd of each unit's yearly changes.
    count : ndarray
        Number of yearly changes behind each sd (degrees of freedom ``count - 1``).
    """
    from scipy import optimize

    sd, count = np.asarray(sd, float), np.asarray(count)
    if sd.size < 3 or np.any(count < 2):
        raise ModelError("a pooled prior needs at least 3 units with 2 or more changes each")
    log_like = _log_density_of_sd(sd, count - 1)
    top = log_like.max(axis=1)
    like = np.exp(log_like - top[:, None])  # (units, grid), computed once
    log_sigma = np.log(_SIGMA_GRID)
    step = log_sigma[1] - log_sigma[0]

    def marginal(log_prior_in_log_sigma: np.ndarray) -> float:
        # integrate over log sigma (uniform grid): sum_i log int p(s_i|sigma) g(log sigma)
        inner = like @ np.exp(log_prior_in_log_sigma)
        return float(np.sum(np.log(np.maximum(inner, 1e-300)) + top)
                     + sd.size * math.log(step))

    def lognormal_nll(theta: np.ndarray) -> float:
        mu, tau = theta[0], math.exp(theta[1])
        log_prior = -0.5 * ((log_sigma - mu) / tau) ** 2 - math.log(tau * math.sqrt(2 * math.pi))
        return -marginal(log_prior)

    def halfnormal_nll(log_scale: float) -> float:
        scale = math.exp(log_scale)
        log_prior = (math.log(2) - 0.5 * math.log(2 * math.pi) - math.log(scale)
                     - 0.5 * (_SIGMA_GRID / scale) ** 2 + log_sigma)  # density in log sigma
        return -marginal(log_prior)

    start = np.array([np.mean(np.log(sd)), math.log(max(np.std(np.log(sd)), 0.05))])
    start[1] = min(max(start[1], math.log(MIN_SPREAD)), math.log(3.0))
    lognormal = optimize.minimize(lognormal_nll, start, method="L-BFGS-B",
                                  bounds=[(math.log(0.002), math.log(5.0)),
                                          (math.log(MIN_SPREAD), math.log(3.0))])
    halfnormal = optimize.minimize_scalar(halfnormal_nll, bounds=(math.log(0.005), math.log(4)),
                                          method="bounded", options={"xatol": 1e-7})
    why = f"pooled across {sd.size} units by marginal likelihood (see docs/calibration.md)"
    return CrossSectionFit(
        LogNormal(dist="lognormal", mu=round(float(lognormal.x[0]), 6),
                  sigma=round(math.exp(float(lognormal.x[1])), 6), why=why),
        -float(lognormal.fun),
        HalfNormal(dist="halfnormal", scale=round(math.exp(float(halfnormal.x)), 6), why=why),
        -float(halfnormal.fun))
