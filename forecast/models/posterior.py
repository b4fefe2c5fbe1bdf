"""Exact posterior of a short Gaussian linear model, with the noise scale on a grid.

Model: block means ``y_j ~ Normal(x_j @ beta, sigma**2 / n_j)`` where block ``j`` averages
``n_j`` yearly changes; prior ``beta ~ Normal(m0, diag(s0**2))`` and ``sigma`` from any declared
prior. Given ``sigma`` the posterior of ``beta`` is normal (conjugate); the marginal posterior of
``sigma`` is computed exactly on a grid. With no data the posterior is the prior; with one period
average the drift is pinned and the volatility stays close to its prior, as it should.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..distributions import Beta, Fixed, HalfNormal, Normal, Triangular, Uniform, _Dist

GRID = 512


def scipy_distribution(dist: _Dist):
    """The frozen ``scipy.stats`` distribution for a declared distribution."""
    if isinstance(dist, HalfNormal):
        return stats.halfnorm(scale=dist.scale)
    if isinstance(dist, Normal):
        return stats.norm(dist.loc, dist.scale)
    if isinstance(dist, Uniform):
        return stats.uniform(dist.low, dist.high - dist.low)
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        return stats.triang((dist.mode - dist.low) / width, loc=dist.low, scale=width)
    if isinstance(dist, Beta):
        return stats.beta(dist.a, dist.b)
    raise TypeError(f"no density for {dist.describe()}")


@dataclass(frozen=True)
class LinearPosterior:
    """Posterior of ``(beta, sigma)``; sample it with :meth:`sample`.

    Attributes
    ----------
    sigma_grid, sigma_weight : ndarray
        Grid cells of sigma and their posterior probabilities.
    beta_mean : ndarray, shape (grid, p)
        Posterior mean of beta given each sigma.
    beta_chol : ndarray, shape (grid, p, p)
        Cholesky factor of its posterior covariance.
    """

    sigma_grid: np.ndarray
    sigma_weight: np.ndarray
    sigma_step: float
    beta_mean: np.ndarray
    beta_chol: np.ndarray
    observations: int

    def sample(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``size`` joint samples: ``beta`` (size, p) and ``sigma`` (size,)."""
        cell = rng.choice(self.sigma_grid.size, size=size, p=self.sigma_weight)
        sigma = self.sigma_grid[cell] + self.sigma_step * (rng.random(size) - 0.5)
        sigma = np.abs(sigma)
        z = rng.standard_normal((size, self.beta_mean.shape[1]))
        beta = self.beta_mean[cell] + np.einsum("nij,nj->ni", self.beta_chol[cell], z)
        return beta, sigma


def fit_linear(y: np.ndarray, design: np.ndarray, years: np.ndarray, prior_mean: np.ndarray,
               prior_sd: np.ndarray, sigma_prior: _Dist) -> LinearPosterior:
    """Posterior of a Gaussian linear model of block means.

    Parameters
    ----------
    y : ndarray, shape (J,)
        Block means of yearly changes.
    design : ndarray, shape (J, p)
        Regressors of each block (a column of ones for the intercept).
    years : ndarray, shape (J,)
        Number of yearly changes each block averages (its weight).
    prior_mean, prior_sd : ndarray, shape (p,)
        Independent normal priors on the coefficients.
    sigma_prior : distribution
        Prior of the yearly noise scale.

    Returns
    -------
    LinearPosterior
    """
    y = np.asarray(y, float)
    design = np.asarray(design, float).reshape(len(y), -1) if len(y) else np.zeros((0, len(prior_mean)))
    years = np.asarray(years, float)
    prior_mean = np.asarray(prior_mean, float)
    prior_var = np.asarray(prior_sd, float) ** 2
    if isinstance(sigma_prior, Fixed):
        grid = np.array([sigma_prior.value])
        log_prior = np.zeros(1)
        step = 0.0
    else:
        dist = scipy_distribution(sigma_prior)
        low, high = max(dist.ppf(1e-5), 1e-6), dist.ppf(1 - 1e-5)
        grid = np.linspace(low, high, GRID)
        step = grid[1] - grid[0]
        log_prior = dist.logpdf(grid)
    # marginal likelihood: y ~ N(X m0, X S0 X' + sigma^2 W^-1), batched over the grid
    residual = y - design @ prior_mean
    base_cov = (design * prior_var) @ design.T
    cov = base_cov[None] + (np.maximum(grid, 1e-9)[:, None, None] ** 2) * np.diag(1.0 / years)[None] if len(y) \
        else np.zeros((grid.size, 0, 0))
    if len(y):
        sign, logdet = np.linalg.slogdet(cov)
        solved = np.linalg.solve(cov, np.broadcast_to(residual, (grid.size, len(y)))[..., None])
        log_like = -0.5 * (logdet + np.einsum("j,gj->g", residual, solved[..., 0]))
    else:
        log_like = np.zeros(grid.size)
    log_post = log_prior + log_like
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    # beta | sigma: precision = S0^-1 + X' W X / sigma^2
    prior_precision = np.diag(1.0 / prior_var)
    xtwx = (design * years[:, None]).T @ design if len(y) else np.zeros_like(prior_precision)
    xtwy = (design * years[:, None]).T @ y if len(y) else np.zeros_like(prior_mean)
    inv_s2 = 1.0 / np.maximum(grid, 1e-9) ** 2
    precision = prior_precision[None] + inv_s2[:, None, None] * xtwx[None]
    cov_beta = np.linalg.inv(precision)
    mean = np.einsum("gij,gj->gi", cov_beta,
                     (prior_precision @ prior_mean)[None] + inv_s2[:, None] * xtwy[None])
    chol = np.linalg.cholesky(cov_beta)
    return LinearPosterior(grid, weight, step, mean, chol, len(y))
