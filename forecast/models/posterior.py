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

from forecast.models.categorical import categorical
from forecast.spec.distributions import (Beta, Fixed, HalfNormal, LogNormal, Normal, Pooled, Triangular,
                             Uniform, _Dist)

GRID = 512
MIN_AR_POINTS = 8
"""Consecutive yearly values an AR(1) fit needs; with fewer the persistence stays at its prior."""


def scipy_distribution(dist: _Dist):
    """The frozen ``scipy.stats`` distribution for a declared distribution (a reference for
    tests and diagnostics: calibration uses the distributions' own ``logpdf`` and ``ppf``,
    which give the same numbers without importing ``scipy.stats``)."""
    from scipy import stats  # here: importing scipy.stats takes about 0.4 s

    if isinstance(dist, Pooled):
        return scipy_distribution(dist.concrete)
    if isinstance(dist, HalfNormal):
        return stats.halfnorm(scale=dist.scale)
    if isinstance(dist, LogNormal):
        return stats.lognorm(dist.sigma, scale=np.exp(dist.mu))
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
    log_evidence: float = 0.0
    """Log marginal likelihood of the block means (up to a constant shared by every fit of
    the same blocks), for mixtures over a prior setting (:mod:`forecast.models.pooling`)."""

    def moments(self) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Posterior means and variances: of beta (each shape (p,)) and of sigma."""
        w = self.sigma_weight
        mean = w @ self.beta_mean
        cov_diag = np.einsum("gij,gij->gi", self.beta_chol, self.beta_chol)
        var = w @ (cov_diag + self.beta_mean**2) - mean**2
        sigma_mean = float(w @ self.sigma_grid)
        sigma_var = float(w @ self.sigma_grid**2 - sigma_mean**2 + self.sigma_step**2 / 12)
        return mean, np.maximum(var, 0.0), sigma_mean, max(sigma_var, 0.0)

    def sample(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``size`` joint samples: ``beta`` (size, p) and ``sigma`` (size,)."""
        cell = categorical(self.sigma_weight).sample(rng, size)  # = rng.choice(..., p=weight)
        sigma = self.sigma_grid[cell] + self.sigma_step * (rng.random(size) - 0.5)
        sigma = np.abs(sigma)
        p = self.beta_mean.shape[1]
        z = rng.standard_normal((size, p))
        beta = np.empty((size, p))
        for i in range(p):  # mean + chol @ z, summed over j in order (as einsum does)
            total = self.beta_chol[:, i, 0][cell] * z[:, 0]
            for j in range(1, p):
                total += self.beta_chol[:, i, j][cell] * z[:, j]
            beta[:, i] = self.beta_mean[:, i][cell] + total
        return beta, sigma


def fit_linear(y: np.ndarray, design: np.ndarray, years: np.ndarray, prior_mean: np.ndarray,
               prior_sd: np.ndarray, sigma_prior: _Dist,
               noise: np.ndarray | None = None) -> LinearPosterior:
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
    noise : ndarray, shape (J, J), optional
        Covariance of the reporting error of the block means
        (:attr:`forecast.models.evidence.Reading.mean_covariance`): the block means are then
        ``y ~ Normal(X beta, sigma**2 W^-1 + noise)``, so a figure known less exactly informs
        the posterior less. None: the figures are exact.

    Returns
    -------
    LinearPosterior
    """
    y = np.asarray(y, float)
    design = np.asarray(design, float).reshape(len(y), -1) if len(y) else np.zeros((0, len(prior_mean)))
    years = np.asarray(years, float)
    prior_mean = np.asarray(prior_mean, float)
    prior_var = np.asarray(prior_sd, float) ** 2
    if isinstance(sigma_prior, Pooled):
        sigma_prior = sigma_prior.concrete
    if isinstance(sigma_prior, Fixed):
        grid = np.array([sigma_prior.value])
        log_prior = np.zeros(1)
        step = 0.0
    else:
        low, high = max(sigma_prior.ppf(1e-5), 1e-6), sigma_prior.ppf(1 - 1e-5)
        grid = np.linspace(low, high, GRID)
        step = grid[1] - grid[0]
        log_prior = sigma_prior.logpdf(grid)
    # marginal likelihood: y ~ N(X m0, X S0 X' + sigma^2 W^-1), batched over the grid
    residual = y - design @ prior_mean
    base_cov = (design * prior_var) @ design.T
    if noise is not None and len(y) and not np.any(noise):
        noise = None
    own = (np.maximum(grid, 1e-9)[:, None, None] ** 2) * np.diag(1.0 / years)[None] if len(y) \
        else np.zeros((grid.size, 0, 0))
    if noise is not None:
        own = own + np.asarray(noise, float)[None]
    cov = base_cov[None] + own
    if len(y):
        sign, logdet = np.linalg.slogdet(cov)
        solved = np.linalg.solve(cov, np.broadcast_to(residual, (grid.size, len(y)))[..., None])
        log_like = -0.5 * (logdet + np.einsum("j,gj->g", residual, solved[..., 0]))
    else:
        log_like = np.zeros(grid.size)
    log_post = log_prior + log_like
    top = float(log_post.max())
    weight = np.exp(log_post - top)
    total = weight.sum()
    weight /= total
    log_evidence = top + float(np.log(total)) + (float(np.log(step)) if step > 0 else 0.0)
    # beta | sigma: precision = S0^-1 + X' W X / sigma^2
    prior_precision = np.diag(1.0 / prior_var)
    if noise is None:
        xtwx = (design * years[:, None]).T @ design if len(y) else np.zeros_like(prior_precision)
        xtwy = (design * years[:, None]).T @ y if len(y) else np.zeros_like(prior_mean)
        inv_s2 = 1.0 / np.maximum(grid, 1e-9) ** 2
        precision = prior_precision[None] + inv_s2[:, None, None] * xtwx[None]
        weighted_y = inv_s2[:, None] * xtwy[None]
    else:  # generalised least squares given sigma: V = sigma^2 W^-1 + noise
        inv_v = np.linalg.inv(own)
        precision = prior_precision[None] + np.einsum("ji,gjk,kl->gil", design, inv_v, design)
        weighted_y = np.einsum("ji,gjk,k->gi", design, inv_v, y)
    cov_beta = np.linalg.inv(precision)
    mean = np.einsum("gij,gj->gi", cov_beta, (prior_precision @ prior_mean)[None] + weighted_y)
    chol = np.linalg.cholesky(cov_beta)
    return LinearPosterior(grid, weight, step, mean, chol, len(y), log_evidence)


def ols(y: np.ndarray, x: np.ndarray, names: list[str]) -> dict:
    """Least squares of ``y`` on a constant and ``x`` with statsmodels (a diagnostic).

    Parameters
    ----------
    y : ndarray, shape (n,)
        Yearly changes of the indicator.
    x : ndarray, shape (n,)
        The regressor in the same years (e.g. output growth).
    names : list of str
        Names of the constant and the slope, as the model calls them.

    Returns
    -------
    dict
        ``fitted`` (bool), and either the estimates (``params``, ``bse``, ``nobs``,
        ``df_resid``, ``sigma``, ``rsquared``) or ``reason``: why no fit was made (too few
        degrees of freedom, no variation in ``x``). Never raises for short data.
    """
    y, x = np.asarray(y, float), np.asarray(x, float)
    if y.size < 3:
        return no_fit(int(y.size), "cal_no_fit_few", n=int(y.size), least=3)
    if np.ptp(x) <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return no_fit(int(y.size), "cal_no_fit_flat")
    import statsmodels.api as sm

    result = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    return {"fitted": True, "method": "statsmodels OLS", "nobs": int(result.nobs),
            "df_resid": int(result.df_resid),
            "params": dict(zip(names, map(float, result.params))),
            "bse": dict(zip(names, map(float, result.bse))),
            "sigma": float(np.sqrt(result.scale)), "rsquared": float(result.rsquared)}


def no_fit(nobs: int, key: str, **fields: int) -> dict:
    """The diagnostic of a fit not made: ``fitted`` false, ``nobs``, the ``reason`` in English
    and as the catalog's ``reason_key`` with its ``reason_fields`` (written in any language by
    :func:`forecast.messages.message`)."""
    from forecast.messages import message

    return {"fitted": False, "nobs": nobs, "reason": message(key, "en", **fields),
            "reason_key": key, "reason_fields": dict(fields)}


def ar1(series: np.ndarray) -> dict:
    """AR(1) of a run of consecutive yearly values with statsmodels ``AutoReg`` (a constant and
    one lag).

    Returns
    -------
    dict
        ``fitted`` and either the estimates (``params`` and ``bse`` of ``const`` and
        ``persistence``, ``sigma`` of the innovations, ``nobs``), or ``reason`` when the run is
        shorter than :data:`MIN_AR_POINTS`. Never raises for short data.
    """
    series = np.asarray(series, float)
    if series.size < MIN_AR_POINTS:
        return no_fit(int(series.size), "cal_no_fit_short_run", n=int(series.size),
                       least=MIN_AR_POINTS)
    from statsmodels.tsa.ar_model import AutoReg

    result = AutoReg(series, lags=1, trend="c").fit()
    names = ["const", "persistence"]
    return {"fitted": True, "method": "statsmodels AutoReg(lags=1, trend='c')",
            "nobs": int(result.nobs), "params": dict(zip(names, map(float, result.params))),
            "bse": dict(zip(names, map(float, result.bse))),
            "sigma": float(np.sqrt(result.sigma2))}
