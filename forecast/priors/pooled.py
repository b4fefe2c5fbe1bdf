"""Pooled priors: distributions derived from a panel of other regions (pure mathematics).

A scenario asks for one by name (``volatility: {dist: pooled, name: ..., why: ...}``); the
component takes the distribution of that name from the prior library it is calibrated with
(:class:`forecast.priors.library.PriorLibrary`, read by :mod:`forecast.io.prior_library`). Two
are shipped, both from the Ministry of Finance panel in the package's prior library
(``forecast/library/vietnam_provincial_budget/``): ``vietnam_provincial_revenue_volatility``
(the cross-province distribution of the yearly volatility of settled revenue growth: the
province's own part plus the national part common to all provinces) and
``vietnam_provincial_revenue_persistence`` (its AR(1) coefficient). docs/calibration.md gives
the derivation; ``forecast priors`` prints the numbers. The panel's exclusions are applied by
:mod:`forecast.priors.panel` (the backtest uses the same functions).

Nothing here reads a file: :func:`derive` takes a :class:`PooledSpec` and the panel's values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecast.errors import ModelError
from forecast.priors.cross_section import MIN_SPREAD, CrossSectionFit, fit_cross_section
from forecast.priors.panel import Panel, PanelChanges, panel_changes, sample_sds, year_effects
from forecast.priors.pooled_spec import STATISTICS, PooledSpec
from forecast.spec.distributions import HalfNormal, LogNormal, Normal, _Dist

__all__ = ["PooledSpec", "PooledPrior", "CrossSectionFit", "FittedPrior", "STATISTICS",
           "fit_cross_section", "fit_prior", "derive", "pooled_persistence",
           "total_volatility", "volatility_prior", "sample_sds"]

_QUADRATURE = 256
"""Quantile points per factor when the idiosyncratic and common volatilities are combined."""


@dataclass(frozen=True)
class PooledPrior:
    """A derived pooled prior with everything needed to audit it.

    ``values`` holds the per-unit statistic (sample sd of the yearly growth, or raw lag-1
    autocorrelation) and ``counts`` the changes (pairs) behind each; ``fit`` the numbers of the
    fit.
    """

    name: str
    panel: str
    distribution: _Dist
    units: tuple[str, ...]
    values: np.ndarray
    counts: np.ndarray
    excluded: tuple[tuple[str, str], ...]
    fit: Mapping[str, Any] = field(default_factory=dict)
    final_to_plan: Mapping[int, float] = field(default_factory=dict)
    dropped_sd: Mapping[str, float] = field(default_factory=dict)
    dispersion: Mapping[int, float] = field(default_factory=dict)
    statistic: str = "volatility"

    def summary(self) -> dict[str, Any]:
        """Plain data: the numbers docs/calibration.md prints."""
        quantiles = np.nanquantile(self.values, [0.05, 0.25, 0.5, 0.75, 0.95])
        return {
            "name": self.name, "panel": self.panel, "statistic": self.statistic,
            "units": len(self.units), "changes": int(self.counts.sum()),
            "per_unit_quantiles": dict(zip(["p05", "p25", "p50", "p75", "p95"],
                                           [round(float(q), 4) for q in quantiles])),
            "fit": _rounded(dict(self.fit)), "chosen": self.distribution.describe(),
            "chosen_mean": round(self.distribution.mean(), 4),
            "excluded": [{"what": what, "why": why} for what, why in self.excluded],
            "dropped_series_sd": {k: round(v, 4) for k, v in self.dropped_sd.items()},
            "final_to_plan": {str(k): round(v, 3) for k, v in self.final_to_plan.items()},
            "change_dispersion": {str(k): round(v, 3) for k, v in self.dispersion.items()},
        }


def _rounded(value: Any) -> Any:
    """Floats rounded to 4 significant decimals for printing, recursively."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def total_volatility(idiosyncratic: _Dist, common_sd: float, common_dof: int,
                     ) -> tuple[LogNormal, dict[str, Any]]:
    """The volatility a unit faces, ``sqrt(own**2 + common**2)``, as a log-normal.

    ``own`` is drawn from ``idiosyncratic`` (the cross-section of the units' own volatilities)
    and ``common**2`` from its posterior given the sample sd of the yearly common part with
    ``common_dof`` degrees of freedom (``common_dof * common_sd**2 / chi2(common_dof)``, the
    posterior under the prior ``1 / sigma**2``: a common part measured over few years is
    uncertain, and a unit faces it all). The log-normal has the mean and sd of
    ``log sqrt(own**2 + common**2)`` over a product grid of quantiles of the two (spread at
    least :data:`MIN_SPREAD`).

    Raises
    ------
    ModelError
        If ``idiosyncratic`` is neither log-normal nor half-normal, or ``common_dof < 1``.
    """
    from scipy import stats

    if common_dof < 1 or not math.isfinite(common_sd):
        raise ModelError("the common part of the volatility needs at least 2 spans of years")
    q = (np.arange(_QUADRATURE) + 0.5) / _QUADRATURE
    if isinstance(idiosyncratic, LogNormal):
        own = np.exp(idiosyncratic.mu + idiosyncratic.sigma * stats.norm.ppf(q))
    elif isinstance(idiosyncratic, HalfNormal):
        own = idiosyncratic.scale * stats.halfnorm.ppf(q)
    else:
        raise ModelError(f"cannot combine a {idiosyncratic.dist} volatility with a common part")
    common2 = common_dof * common_sd**2 / stats.chi2.ppf(1.0 - q, common_dof)
    log_total = 0.5 * np.log(own[:, None] ** 2 + common2[None])
    mu, sigma = float(log_total.mean()), max(float(log_total.std()), MIN_SPREAD)
    grid = np.exp(np.quantile(log_total, [0.05, 0.5, 0.95]))
    fitted = np.exp(mu + sigma * stats.norm.ppf([0.05, 0.5, 0.95]))
    return (LogNormal(dist="lognormal", mu=round(mu, 6), sigma=round(sigma, 6), why="pooled"),
            {"mu": mu, "sigma": sigma, "quadrature_p05_p50_p95": grid.tolist(),
             "lognormal_p05_p50_p95": fitted.tolist()})


def volatility_prior(changes: np.ndarray, gaps: np.ndarray | None = None,
                     spans: Sequence[tuple[int, int]] | None = None,
                     ) -> tuple[LogNormal, dict[str, Any]]:
    """The pooled volatility prior: the units' own (idiosyncratic) volatility fitted across
    units, plus the national part they all share.

    Each span's common part is the mean change across units (:func:`forecast.panel.
    year_effects`); the own volatility of a unit is the sample sd of what is left of its
    changes, fitted across units by :func:`fit_cross_section`; the common volatility is the
    sample sd of the common parts over the spans. A unit faces both:
    :func:`total_volatility`.

    Raises
    ------
    ModelError
        If fewer than 3 units have 2 changes, or fewer than 2 spans have a common part.
    """
    changes = np.asarray(changes, float)
    gaps = np.ones(changes.shape[1]) if gaps is None else np.asarray(gaps, float)
    effects, own = year_effects(changes)
    sd, count = sample_sds(own, gaps)
    usable = count >= 2
    fit = fit_cross_section(sd[usable], count[usable])
    common_sd, common_n = (float(v[0]) for v in sample_sds(effects, gaps))
    total, numbers = total_volatility(fit.best, common_sd, int(common_n) - 1)
    names = [f"{a}-{b}" for a, b in spans] if spans is not None else list(range(len(gaps)))
    return total, {
        "method": "own volatility fitted across units by marginal likelihood; common part "
                  "the mean change across units of each span; total sqrt(own**2 + common**2)",
        "own": {**fit.numbers(), "units": int(usable.sum()),
                "median_sample_sd": float(np.median(sd[usable]))},
        "common": {"sd": common_sd, "dof": int(common_n) - 1,
                   "by_span": {str(n): round(float(e), 4) for n, e in zip(names, effects)}},
        "total": numbers}


def pooled_persistence(changes: np.ndarray, gaps: np.ndarray | None = None,
                       ) -> tuple[Normal, dict[str, Any]]:
    """AR(1) coefficient of yearly changes pooled over units and years (statsmodels OLS of each
    change on the previous one with a common constant, standard errors clustered by unit).

    Only pairs of consecutive one-year changes count (``gaps``: years spanned by each column).
    The prior for one unit is normal at the pooled slope with its clustered standard error (at
    least :data:`MIN_SPREAD`): the slope's real precision. (It was once widened to one unit's
    share of the evidence, the standard error times the square root of the number of units,
    which made the prior nearly flat and the five-year intervals wide; docs/validation.md.)
    """
    import statsmodels.api as sm

    changes = np.asarray(changes, float)
    gaps = np.ones(changes.shape[1]) if gaps is None else np.asarray(gaps, float)
    yearly = (gaps[1:] == 1) & (gaps[:-1] == 1)
    pairs = np.isfinite(changes[:, 1:]) & np.isfinite(changes[:, :-1]) & yearly[None]
    keep = pairs.sum(axis=1) >= 2  # one pair per unit is a cross-section, not AR
    y, x, ok = changes[keep, 1:].ravel(), changes[keep, :-1].ravel(), pairs[keep].ravel()
    groups = np.repeat(np.arange(int(keep.sum())), changes.shape[1] - 1)
    units = np.unique(groups[ok]).size
    if units < 3:
        raise ModelError("a pooled persistence prior needs at least 3 units with two or more "
                         "pairs of consecutive yearly changes")
    result = sm.OLS(y[ok], sm.add_constant(x[ok])).fit(cov_type="cluster",
                                                       cov_kwds={"groups": groups[ok]})
    slope, se = float(result.params[1]), float(result.bse[1])
    spread = max(se, MIN_SPREAD)  # the pooled slope's own precision, not widened by hand
    return (Normal(dist="normal", loc=round(slope, 6), scale=round(spread, 6), why="pooled"),
            {"method": "statsmodels OLS, clustered by unit", "pairs": int(ok.sum()),
             "units": int(units), "slope": slope, "clustered_se": se, "spread": spread})


def lag1(changes: np.ndarray, gaps: np.ndarray | None = None,
         ) -> tuple[np.ndarray, np.ndarray]:
    """Raw lag-1 autocorrelation of each row's consecutive yearly changes (for the audit; NaN
    below 3 pairs) and the number of those pairs."""
    gaps = np.ones(changes.shape[1]) if gaps is None else np.asarray(gaps, float)
    yearly = (gaps[1:] == 1) & (gaps[:-1] == 1)
    pairs = np.isfinite(changes[:, 1:]) & np.isfinite(changes[:, :-1]) & yearly[None]
    count = pairs.sum(axis=1)
    r = np.full(len(changes), np.nan)
    for index, row in enumerate(changes):  # one row per unit, not per draw
        if count[index] >= 3:
            x, y = row[:-1][pairs[index]], row[1:][pairs[index]]
            r[index] = np.corrcoef(x, y)[0, 1]
    return r, count


COMMON_STATISTICS = ("own_volatility", "common_shock", "common_drift_change", "drift_spread")
COMMON_PRIORS = {"shock": HalfNormal(dist="halfnormal", scale=0.05, why="weakly informative"),
                 "drift_change": HalfNormal(dist="halfnormal", scale=0.03,
                                            why="weakly informative")}
"""Priors of the local level model's two sds in the derivation of the common priors (the
posterior given the panel's year effects is what is shipped)."""


def common_prior(statistic: str, changes: np.ndarray, gaps: np.ndarray,
                 ) -> tuple[_Dist, dict[str, Any]]:
    """The priors of the common (national) component and of pooled drifts
    (:mod:`forecast.priors.common`):

    - ``own_volatility``: the units' own volatility after the common part of each span, fitted
      across units (the volatility a region has beside a separate common component);
    - ``common_shock``, ``common_drift_change``: log-normal with the posterior mean and sd of
      the log of the sd, from the local level posterior of the year effects under
      :data:`COMMON_PRIORS`;
    - ``drift_spread``: half-normal whose scale is the root mean square of the spread of the
      persistent relative drift implied by the persistence of relative growth.
    """
    from forecast.priors.common import drift_spread, local_level, relative_persistence

    effects, own = year_effects(changes)
    if statistic == "own_volatility":
        sd, count = sample_sds(own, gaps)
        fit = fit_cross_section(sd[count >= 2], count[count >= 2])
        return fit.best.model_copy(update={"why": "pooled"}), {"own": fit.numbers()}
    if statistic == "drift_spread":
        persistence = relative_persistence(changes, gaps)
        spread = drift_spread(persistence)
        return (HalfNormal(dist="halfnormal", scale=round(spread["scale"], 6), why="pooled"),
                {"relative_persistence": persistence, "spread": spread})
    posterior = local_level(effects, gaps, COMMON_PRIORS["shock"],
                            COMMON_PRIORS["drift_change"])
    which = "shock" if statistic == "common_shock" else "drift_change"
    mu, sigma = posterior.marginal(which)
    return (LogNormal(dist="lognormal", mu=round(mu, 6), sigma=round(max(sigma, MIN_SPREAD), 6),
                      why="pooled"),
            {"local_level": posterior.summary(), "log_mean": mu, "log_sd": sigma,
             "effects_per_year": [round(float(e / g), 4) for e, g in zip(effects, gaps)]})


@dataclass(frozen=True)
class FittedPrior:
    """A pooled prior fitted to the changes of some units: the per-unit statistic and count,
    which units entered (``keep``: at least ``min_changes``), the distribution and the numbers
    of its fit."""

    distribution: _Dist
    values: np.ndarray
    counts: np.ndarray
    keep: np.ndarray
    numbers: dict[str, Any]


def fit_prior(spec: PooledSpec, changes: np.ndarray, gaps: np.ndarray | None = None,
              spans: Sequence[tuple[int, int]] | None = None) -> FittedPrior:
    """Fit the pooled prior of ``spec`` to ``changes`` (units, spans): the one rule for which
    units enter and how, shared by :func:`derive` and the backtest.

    Raises
    ------
    ModelError
        If too few units or years are left for the fit.
    """
    if spec.statistic == "persistence":
        values, counts = lag1(changes, gaps)
        keep = counts >= spec.min_changes
        distribution, numbers = pooled_persistence(changes[keep], gaps)
    elif spec.statistic in COMMON_STATISTICS:
        values, counts = sample_sds(changes, gaps)
        keep = counts >= max(spec.min_changes, 2)
        distribution, numbers = common_prior(spec.statistic, changes[keep], gaps)
    else:
        values, counts = sample_sds(changes, gaps)
        keep = counts >= max(spec.min_changes, 2)
        if spec.separate_common:
            distribution, numbers = volatility_prior(changes[keep], gaps, spans)
        else:
            fit = fit_cross_section(values[keep], counts[keep])
            distribution, numbers = fit.best, {"total_sample_sd_fit": fit.numbers()}
    return FittedPrior(distribution, values, counts, keep, numbers)


def derive(spec: PooledSpec, panel: Panel, *, name: str = "custom") -> PooledPrior:
    """Derive the pooled prior of ``spec`` from the values of ``panel``.

    Parameters
    ----------
    spec : PooledSpec
        Which column and years, what is left out, what is pooled.
    panel : Panel
        The panel's values (:func:`forecast.io.panel.read_panel`).
    name : str
        The prior's name, for its ``why`` and the audit.

    Returns
    -------
    PooledPrior
        The distribution (with its ``why``) and everything needed to audit it.

    Raises
    ------
    DataError
        If the panel lacks the spec's column.
    ModelError
        If too few units or years are left for the fit.
    """
    changes: PanelChanges = panel_changes(spec, panel)
    fitted = fit_prior(spec, changes.changes, changes.gaps, changes.spans)
    keep, counts = fitted.keep, fitted.counts
    excluded = list(changes.excluded)
    for unit, n in zip(changes.units, counts):
        if n < spec.min_changes:
            excluded.append((unit, f"only {n} change(s) in {spec.first_year}-"
                                   f"{spec.last_year}; fewer than {spec.min_changes}"))
    numbers = dict(fitted.numbers)
    if spec.statistic in COMMON_STATISTICS:
        how = {"own_volatility": "own volatility by marginal likelihood, without the common part",
               "drift_spread": "from the persistence of relative growth",
               }.get(spec.statistic, "from the local level posterior of the year effects")
    elif spec.statistic == "persistence":  # for the audit: without the common part of each year
        numbers["own_slope"] = pooled_persistence(year_effects(changes.changes[keep])[1],
                                                  changes.gaps)[1]["slope"]
        how = "at the pooled AR(1) slope"
    elif spec.separate_common:  # for the audit: the provinces' total sample sds as they are
        numbers["total_sample_sd_fit"] = fit_cross_section(fitted.values[keep],
                                                           counts[keep]).numbers()
        how = "own volatility by marginal likelihood, plus the common part"
    else:
        how = "by marginal likelihood"
    best = fitted.distribution
    why = (f"pooled prior '{name}': {spec.description}; {int(keep.sum())} provinces, "
           f"{int(counts[keep].sum())} changes; {best.dist} {how}")
    return PooledPrior(name, panel.file, best.model_copy(update={"why": why}),
                       tuple(np.array(changes.units)[keep]), fitted.values[keep], counts[keep],
                       tuple(excluded), numbers, changes.final_to_plan, changes.dropped_sd,
                       changes.dispersion, spec.statistic)
