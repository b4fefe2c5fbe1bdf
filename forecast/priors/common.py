"""The national (common) component of a panel and how much of a unit's relative growth persists.

Two pieces of pure mathematics, shared by the pooled priors (:func:`forecast.priors.pooled.
fit_prior`), the ``common`` model (:mod:`forecast.models.common`) and the backtest:

- :func:`local_level` is the exact grid posterior of a *local level* model of the yearly common
  growth ``c_t`` (the mean change across units of each span, :func:`forecast.priors.panel.
  year_effects`): ``c_t = m_t + shock_t``, ``m_t = m_{t-1} + drift_change_t``, shocks normal
  with sds ``shock`` and ``drift_change``. A national slowdown is a run of negative drift
  changes; it moves every unit together. The posterior is on a product grid of the two sds,
  with a Kalman filter for the likelihood and the filtered drift at the last span for each
  grid point.
- :func:`relative_persistence` regresses a unit's future relative growth (its growth minus the
  common part) on its past relative growth, across units and split years, with standard errors
  clustered by unit: the slope is the share of past relative growth that persists.
  :func:`drift_spread` turns it into the spread ``tau`` of the units' persistent relative drift
  (``tau**2 = w / (1 - w) * sigma**2 / n`` for a slope ``w`` measured on pasts of ``n`` years of
  own noise ``sigma``), with the slope's uncertainty carried through.
- :func:`variance_time` is the horizon-matched check of the same structure: how the spread
  across units of their relative ``L``-year growth grows with ``L``. A random walk of the
  relative level adds ``L * eta**2``, a persistent relative drift ``L**2 * tau**2`` and a
  transitory level noise (swings that undo themselves) a constant ``2 * eps**2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import ModelError

__all__ = ["LocalLevel", "local_level", "relative_persistence", "drift_spread",
           "variance_time", "SCALE_GRID"]

SCALE_GRID = 48
"""Grid points per sd of the local level posterior."""
LEVEL_SD = 0.5
"""Sd of the (diffuse) prior of the common drift before the first span."""
REVERSION_GRID = 12
"""Grid points of the drift's persistence (with a reversion prior)."""


@dataclass(frozen=True)
class LocalLevel:
    """Grid posterior of a local level model of the common growth.

    Attributes
    ----------
    shock, drift_change, reversion : ndarray, shape (cells,)
        The two sds and the drift's persistence ``phi`` at each grid cell (``phi = 1``: a
        random walk of the drift, the plain local level).
    weight : ndarray, shape (cells,)
        Posterior probability of each cell.
    level_mean, level_var : ndarray, shape (cells,)
        Filtered mean and variance of the drift ``m`` at the last span, given each cell.
    mean_mean, mean_var, level_mean_cov : ndarray, shape (cells,)
        Filtered mean and variance of the long-run pace ``mu`` the drift reverts to, and its
        covariance with ``m`` (unused where ``phi = 1``).
    spans : int
        Spans (observations) behind the posterior.
    """

    shock: np.ndarray
    drift_change: np.ndarray
    weight: np.ndarray
    level_mean: np.ndarray
    level_var: np.ndarray
    spans: int
    reversion: np.ndarray | None = None
    mean_mean: np.ndarray | None = None
    mean_var: np.ndarray | None = None
    level_mean_cov: np.ndarray | None = None

    def marginal(self, which: str) -> tuple[float, float]:
        """Mean and sd of ``log`` of one sd under the posterior (for a log-normal summary)."""
        values = np.log(np.maximum(getattr(self, which), 1e-6))
        mean = float(self.weight @ values)
        return mean, float(math.sqrt(max(self.weight @ values**2 - mean**2, 0.0)))

    def summary(self) -> dict[str, Any]:
        """Posterior means of the two sds, of the drift at the last span and (with a
        reversion) of the drift's persistence and long-run pace."""
        out = {"spans": self.spans,
               "shock_mean": float(self.weight @ self.shock),
               "drift_change_mean": float(self.weight @ self.drift_change),
               "level_mean": float(self.weight @ self.level_mean),
               "level_sd": float(math.sqrt(self.weight @ (self.level_var + self.level_mean**2)
                                           - (self.weight @ self.level_mean) ** 2))}
        if self.reversion is not None:
            out["reversion_mean"] = float(self.weight @ self.reversion)
            out["long_run_mean"] = float(self.weight @ self.mean_mean)
        return out


def _grid(dist, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantile grid of a scale prior and log prior weights (equal: quantile cells)."""
    q = (np.arange(points) + 0.5) / points
    values = np.asarray([float(v) for v in _ppf(dist, q)])
    return values, np.full(points, -math.log(points))


def _ppf(dist, q: np.ndarray) -> np.ndarray:
    """Quantiles of a scale distribution (its own quantile function, the same numbers as
    scipy.stats'; a resolved pooled prior stands for its distribution; one without a quantile
    function, the quantiles of a large sample of it)."""
    from forecast.spec.distributions import Fixed, Pooled

    if isinstance(dist, Pooled):
        dist = dist.concrete
    if isinstance(dist, Fixed):
        return np.full(q.shape, dist.value)
    try:
        return np.asarray(dist.ppf(q), float)
    except TypeError:
        draws = np.sort(dist.sample(np.random.default_rng(0), 100_000))
        return np.quantile(draws, q)


def local_level(effects: np.ndarray, gaps: np.ndarray, shock_prior, drift_change_prior,
                *, level_mean: float = 0.0, level_sd: float = LEVEL_SD,
                reversion_prior=None, long_run: tuple[float, float] | None = None,
                points: int = SCALE_GRID, reversion_points: int = REVERSION_GRID) -> LocalLevel:
    """Posterior of the local level model given the common growth of each span.

    The drift follows ``m_t = mu + phi (m_{t-1} - mu) + drift_change * z_t``: with no
    ``reversion_prior`` ``phi = 1`` (a random walk, ``mu`` plays no part); with one, ``phi`` is
    a third grid dimension (its quantiles) and ``mu`` a second state of the Kalman filter.

    Parameters
    ----------
    effects : ndarray, shape (spans,)
        The common change of each span (a span of ``g`` years changes by ``g`` years' growth);
        NaN spans are skipped.
    gaps : ndarray, shape (spans,)
        Years spanned.
    shock_prior, drift_change_prior : distribution
        Priors of the two sds (their quantiles make the grid, so the grid carries the prior).
    level_mean, level_sd : float
        Prior of the drift before the first span.
    reversion_prior : distribution, optional
        Prior of ``phi`` on [0, 1].
    long_run : (float, float), optional
        Mean and sd of the normal prior of ``mu`` (required with ``reversion_prior``).

    Returns
    -------
    LocalLevel
        With no finite span, the prior (weights equal, the level at its prior).
    """
    effects, gaps = np.asarray(effects, float), np.asarray(gaps, float)
    keep = np.isfinite(effects)
    y, g = effects[keep] / gaps[keep], gaps[keep]
    shock, log_ps = _grid(shock_prior, points)
    change, log_pc = _grid(drift_change_prior, points)
    if reversion_prior is None:
        phi, log_pr = np.ones(1), np.zeros(1)
    else:
        if long_run is None:
            raise ValueError("a reversion prior needs the prior of the long-run pace")
        phi, log_pr = _grid(reversion_prior, reversion_points)
        phi = np.clip(phi, 0.0, 1.0)
    grid = np.meshgrid(shock, change, phi, indexing="ij")
    s2, c2, phi = grid[0].ravel() ** 2, grid[1].ravel() ** 2, grid[2].ravel()
    log_prior = (log_ps[:, None, None] + log_pc[None, :, None] + log_pr[None, None, :]).ravel()
    mean = np.full(s2.size, level_mean)
    var = np.full(s2.size, level_sd**2)
    mu = np.full(s2.size, long_run[0] if long_run else 0.0)
    mu_var = np.full(s2.size, long_run[1] ** 2 if long_run else 0.0)
    cov = np.zeros(s2.size)
    log_like = np.zeros(s2.size)
    for index, (value, years) in enumerate(zip(y, g)):
        if index:  # the drift moves towards mu and by one change a year between span ends
            a = phi**years
            walk = np.where(phi < 1, (1 - phi ** (2 * years)) / np.maximum(1 - phi**2, 1e-12),
                            years)
            mean = a * mean + (1 - a) * mu
            var, cov = (a**2 * var + 2 * a * (1 - a) * cov + (1 - a) ** 2 * mu_var
                        + c2 * walk, a * cov + (1 - a) * mu_var)
        # a span of g years observes the mean growth of its years: shock variance s2 / g, and
        # the drift moved within the span (the mean of a random walk over g steps)
        within = c2 * (years - 1) * (2 * years - 1) / (6 * years)
        total = var + s2 / years + within
        innovation = value - mean
        log_like += -0.5 * (np.log(2 * math.pi * total) + innovation**2 / total)
        gain, gain_mu = var / total, cov / total
        mean, mu = mean + gain * innovation, mu + gain_mu * innovation
        var, cov, mu_var = var - var * gain, cov - var * gain_mu, mu_var - cov * gain_mu
    log_post = log_prior + log_like
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    if reversion_prior is None:
        return LocalLevel(np.sqrt(s2), np.sqrt(c2), weight, mean, var, int(y.size))
    return LocalLevel(np.sqrt(s2), np.sqrt(c2), weight, mean, var, int(y.size), phi, mu,
                      mu_var, cov)


def _relative(changes: np.ndarray) -> np.ndarray:
    """Each unit's change minus the mean across the units that have it."""
    with np.errstate(invalid="ignore"):
        return changes - np.nanmean(np.where(np.isfinite(changes), changes, np.nan), axis=0)


def relative_persistence(changes: np.ndarray, gaps: np.ndarray,
                         ) -> dict[str, Any]:
    """How much of a unit's past relative growth persists: the slope of its future relative
    growth (per year, from a split year to each later year) on its past relative growth (per
    year, from the first year to the split), pooled over split years and horizons, demeaned
    across units in each (split, horizon) cell, statsmodels OLS with errors clustered by unit.

    Parameters
    ----------
    changes : ndarray, shape (units, spans)
        Log changes between consecutive kept years (NaN where missing).
    gaps : ndarray, shape (spans,)

    Returns
    -------
    dict
        ``slope``, ``se`` (clustered), ``pairs``, ``units``, ``past_years`` (mean years of the
        pasts), ``own_var`` (median over units of the variance of their yearly relative
        changes).

    Raises
    ------
    ModelError
        If fewer than 3 units have a past and a future.
    """
    import statsmodels.api as sm

    relative = _relative(np.asarray(changes, float))
    gaps = np.asarray(gaps, float)
    spans = relative.shape[1]
    xs, ys, groups, lengths = [], [], [], []
    for split in range(1, spans):  # the past is spans [0, split), the future [split, end)
        past_years = gaps[:split].sum()
        past = np.nansum(relative[:, :split], axis=1) / past_years
        past_ok = np.isfinite(relative[:, :split]).all(axis=1)
        for end in range(split + 1, spans + 1):
            years = gaps[split:end].sum()
            future = np.nansum(relative[:, split:end], axis=1) / years
            ok = past_ok & np.isfinite(relative[:, split:end]).all(axis=1)
            if ok.sum() < 3:
                continue
            xs.append(past[ok] - past[ok].mean())
            ys.append(future[ok] - future[ok].mean())
            groups.append(np.flatnonzero(ok))
            lengths.append(np.full(ok.sum(), past_years))
    if not xs:
        raise ModelError("the persistence of relative growth needs at least 3 units with a "
                         "past and a future of their own")
    x, y, group = np.concatenate(xs), np.concatenate(ys), np.concatenate(groups)
    result = sm.OLS(y, x[:, None]).fit(cov_type="cluster", cov_kwds={"groups": group})
    finite = np.isfinite(relative)
    own = [np.var(row[ok] / np.sqrt(gaps[ok]), ddof=1) for row, ok in zip(relative, finite)
           if ok.sum() >= 2]
    return {"slope": float(result.params[0]), "se": float(result.bse[0]), "pairs": int(y.size),
            "units": int(np.unique(group).size),
            "past_years": float(np.mean(np.concatenate(lengths))),
            "own_var": float(np.median(own))}


def drift_spread(persistence: dict[str, Any], *, points: int = 256) -> dict[str, Any]:
    """The spread ``tau`` of the units' persistent relative drift implied by the persistence
    slope ``w`` of :func:`relative_persistence`: a unit's past mean over ``n`` years is its drift
    plus noise of variance ``sigma**2 / n``, so the slope is ``tau**2 / (tau**2 + sigma**2 /
    n)`` and ``tau**2 = w / (1 - w) * sigma**2 / n``. ``w`` is carried as normal with its
    clustered standard error (quantile points), clipped to [0, 0.95] (a negative slope says no
    drift of its own persists).

    Returns
    -------
    dict
        ``scale`` (the half-normal scale with ``E tau**2``), ``tau_p05_p50_p95`` and
        ``share_zero`` (the probability that nothing persists).
    """
    from scipy import stats

    q = (np.arange(points) + 0.5) / points
    w = np.clip(persistence["slope"] + persistence["se"] * stats.norm.ppf(q), 0.0, 0.95)
    tau2 = w / (1 - w) * persistence["own_var"] / persistence["past_years"]
    return {"scale": float(math.sqrt(max(tau2.mean(), 1e-8))),
            "tau_p05_p50_p95": np.sqrt(np.quantile(tau2, [0.05, 0.5, 0.95])).tolist(),
            "share_zero": float(np.mean(w <= 0.0))}


def variance_time(changes: np.ndarray, gaps: np.ndarray) -> dict[str, Any]:
    """The spread across units of relative ``L``-year growth, for every span length ``L``, and
    the fit ``V(L) = 2 eps**2 + L eta**2 + L**2 tau**2``.

    Each unit's relative log level is its cumulated change minus the cumulated year effect
    (the mean change across units of each span); for every pair of kept years ``a < b`` the
    variance across units of ``r_b - r_a`` (units with both levels, around their mean) is one
    estimate of ``V(b - a)``. The three variances are fitted by least squares over the pairs,
    weighted by the units in each pair, and bounded at zero (non-negative least squares).

    Parameters
    ----------
    changes : ndarray, shape (units, spans)
        Log changes between consecutive kept years (NaN where missing).
    gaps : ndarray, shape (spans,)
        Years spanned by each change.

    Returns
    -------
    dict
        ``rows`` (one per span length: ``years``, ``pairs``, ``units`` summed over pairs,
        ``variance``, ``sd``, ``variance_per_year``), ``level_noise_sd`` (``eps``),
        ``walk_sd`` (``eta``), ``drift_spread_sd`` (``tau``) and ``share_of_five_years``
        (the three parts' shares of the fitted ``V(5)``).

    Raises
    ------
    ModelError
        If fewer than three span lengths have 3 units or more.
    """
    from scipy.optimize import nnls

    changes, gaps = np.asarray(changes, float), np.asarray(gaps, float)
    relative = _relative(changes)
    spans = relative.shape[1]
    at = np.concatenate([[0.0], np.cumsum(gaps)])  # the years of the kept levels, from 0
    cells: dict[int, list[tuple[float, int]]] = {}
    for a in range(spans):
        for b in range(a + 1, spans + 1):
            ok = np.isfinite(relative[:, a:b]).all(axis=1)
            if ok.sum() < 3:
                continue
            d = relative[ok, a:b].sum(axis=1)
            cells.setdefault(int(round(at[b] - at[a])), []).append(
                (float(np.var(d, ddof=1)), int(ok.sum())))
    if len(cells) < 3:
        raise ModelError("the spread of relative growth by span length needs three span "
                         "lengths with at least 3 units")
    rows, design, target, weight = [], [], [], []
    for length in sorted(cells):
        variances = np.array([v for v, _ in cells[length]])
        units = np.array([n for _, n in cells[length]], float)
        variance = float(units @ variances / units.sum())
        rows.append({"years": length, "pairs": len(variances), "units": int(units.sum()),
                     "variance": variance, "sd": math.sqrt(variance),
                     "variance_per_year": variance / length})
        design.append([2.0, length, length**2])
        target.append(variance)
        weight.append(math.sqrt(units.sum()))
    w = np.array(weight)
    coef, _ = nnls(np.array(design) * w[:, None], np.array(target) * w)
    eps2, eta2, tau2 = (float(c) for c in coef)
    five = 2 * eps2 + 5 * eta2 + 25 * tau2
    return {"rows": rows, "level_noise_sd": math.sqrt(eps2), "walk_sd": math.sqrt(eta2),
            "drift_spread_sd": math.sqrt(tau2),
            "share_of_five_years": {"level_noise": 2 * eps2 / five, "walk": 5 * eta2 / five,
                                    "drift_spread": 25 * tau2 / five} if five > 0 else {}}
