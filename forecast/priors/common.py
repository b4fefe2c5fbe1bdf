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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecast.errors import ModelError

__all__ = ["LocalLevel", "local_level", "relative_persistence", "drift_spread",
           "SCALE_GRID"]

SCALE_GRID = 48
"""Grid points per sd of the local level posterior."""
LEVEL_SD = 0.5
"""Sd of the (diffuse) prior of the common drift before the first span."""


@dataclass(frozen=True)
class LocalLevel:
    """Grid posterior of a local level model of the common growth.

    Attributes
    ----------
    shock, drift_change : ndarray, shape (cells,)
        The two sds at each grid cell.
    weight : ndarray, shape (cells,)
        Posterior probability of each cell.
    level_mean, level_var : ndarray, shape (cells,)
        Filtered mean and variance of the drift ``m`` at the last span, given each cell.
    spans : int
        Spans (observations) behind the posterior.
    """

    shock: np.ndarray
    drift_change: np.ndarray
    weight: np.ndarray
    level_mean: np.ndarray
    level_var: np.ndarray
    spans: int

    def marginal(self, which: str) -> tuple[float, float]:
        """Mean and sd of ``log`` of one sd under the posterior (for a log-normal summary)."""
        values = np.log(np.maximum(getattr(self, which), 1e-6))
        mean = float(self.weight @ values)
        return mean, float(math.sqrt(max(self.weight @ values**2 - mean**2, 0.0)))

    def summary(self) -> dict[str, Any]:
        """Posterior means of the two sds and of the drift at the last span."""
        return {"spans": self.spans,
                "shock_mean": float(self.weight @ self.shock),
                "drift_change_mean": float(self.weight @ self.drift_change),
                "level_mean": float(self.weight @ self.level_mean),
                "level_sd": float(math.sqrt(self.weight @ (self.level_var + self.level_mean**2)
                                            - (self.weight @ self.level_mean) ** 2))}


def _grid(dist, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantile grid of a scale prior and log prior weights (equal: quantile cells)."""
    q = (np.arange(points) + 0.5) / points
    values = np.asarray([float(v) for v in _ppf(dist, q)])
    return values, np.full(points, -math.log(points))


def _ppf(dist, q: np.ndarray) -> np.ndarray:
    """Quantiles of a scale distribution (fixed, half-normal, log-normal, uniform; a resolved
    pooled prior stands for its distribution)."""
    from scipy import stats

    from forecast.spec.distributions import Fixed, HalfNormal, LogNormal, Pooled, Uniform

    if isinstance(dist, Pooled):
        dist = dist.concrete
    if isinstance(dist, Fixed):
        return np.full(q.shape, dist.value)
    if isinstance(dist, HalfNormal):
        return stats.halfnorm.ppf(q, scale=dist.scale)
    if isinstance(dist, LogNormal):
        return np.exp(dist.mu + dist.sigma * stats.norm.ppf(q))
    if isinstance(dist, Uniform):
        return dist.low + (dist.high - dist.low) * q
    # any other declared distribution: the quantiles of a large sample of it
    draws = np.sort(dist.sample(np.random.default_rng(0), 100_000))
    return np.quantile(draws, q)


def local_level(effects: np.ndarray, gaps: np.ndarray, shock_prior, drift_change_prior,
                *, level_mean: float = 0.0, level_sd: float = LEVEL_SD,
                points: int = SCALE_GRID) -> LocalLevel:
    """Posterior of the local level model given the common growth of each span.

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
    s2 = np.repeat(shock, points) ** 2
    c2 = np.tile(change, points) ** 2
    mean = np.full(s2.size, level_mean)
    var = np.full(s2.size, level_sd**2)
    log_like = np.zeros(s2.size)
    for index, (value, years) in enumerate(zip(y, g)):
        if index:  # the drift moves by one change a year between span ends
            var = var + years * c2
        # a span of g years observes the mean growth of its years: shock variance s2 / g, and
        # the drift moved within the span (the mean of a random walk over g steps)
        within = c2 * (years - 1) * (2 * years - 1) / (6 * years)
        total = var + s2 / years + within
        innovation = value - mean
        log_like += -0.5 * (np.log(2 * math.pi * total) + innovation**2 / total)
        gain = var / total
        mean = mean + gain * innovation
        var = var * (1 - gain)
    log_post = np.repeat(log_ps, points) + np.tile(log_pc, points) + log_like
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    return LocalLevel(np.sqrt(s2), np.sqrt(c2), weight, mean, var, int(y.size))


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
