"""Pooled priors: distributions derived in code from a panel of other regions.

A scenario asks for one by name (``volatility: {dist: pooled, name: ..., why: ...}``); the
component derives it when it is calibrated. Two are shipped, both from the Ministry of Finance
panel in ``data/vietnam_provincial_budget/``: ``vietnam_provincial_revenue_volatility`` (the
cross-province distribution of the yearly volatility of settled revenue growth) and
``vietnam_provincial_revenue_persistence`` (its AR(1) coefficient). docs/calibration.md gives
the derivation; ``python -m forecast.priors`` prints the numbers.

The panel is found in the data folder of the region's history file (``<data>/<region>/
history.csv`` next to ``<data>/<panel>/``), else in the data folder of this source tree.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .distributions import HalfNormal, LogNormal, Normal, Pooled, _Dist
from .errors import DataError, ModelError

_SIGMA_GRID = np.exp(np.linspace(math.log(0.002), math.log(5.0), 401))
MIN_SPREAD = 0.05
"""Smallest spread (sd of log volatility) a fitted log-normal may have: with very short series
the sampling noise can explain all the dispersion and the maximum would be a single value."""


@dataclass(frozen=True)
class PooledSpec:
    """How a pooled prior is derived: which panel column, which years, what is left out.

    Attributes
    ----------
    panel, file : str
        Folder in the data folder and CSV file of the panel.
    column : str
        The panel column whose yearly log changes are pooled.
    first_year, last_year : int
        Levels used (yearly changes from ``first_year + 1`` to ``last_year``).
    drop_series : mapping
        Unit (province) -> why its whole series is left out.
    drop_changes : mapping
        (unit, year) -> why that yearly change is left out.
    drop_years : mapping
        Year -> why its levels are left out (for every unit).
    min_changes : int
        Units with fewer yearly changes (pairs of consecutive changes, for persistence) are
        dropped.
    compare_column : str, optional
        Another column whose median ratio to ``column`` by year is reported (a change of
        definition shows as a jump in it).
    statistic : {"volatility", "persistence"}
        What is pooled: the sd of the yearly changes, or their lag-1 autocorrelation.
    """

    panel: str
    file: str
    column: str
    first_year: int
    last_year: int
    drop_series: Mapping[str, str] = field(default_factory=dict)
    drop_changes: Mapping[tuple[str, int], str] = field(default_factory=dict)
    drop_years: Mapping[int, str] = field(default_factory=dict)
    min_changes: int = 5
    compare_column: str | None = None
    statistic: str = "volatility"
    description: str = ""


_PROVINCIAL_REVENUE = dict(
        panel="vietnam_provincial_budget", file="vietnam_provincial_budget.csv",
        column="final_revenue", first_year=2006, last_year=2014,
        compare_column="planned_revenue",
        drop_years={
            2006: "the settled revenue of 2006 is a far smaller multiple of the plan than in any "
                  "later year (final_to_plan in the summary): the 2006 settlement covers less, "
                  "so the 2006-2007 change is a change of scope, not of revenue",
        },
        drop_series={
            "BRVT": "Ba Ria-Vung Tau: crude-oil revenue collected in the province swings with "
                    "the world oil price; no district budget is like it (python -m "
                    "forecast.priors prints its sd)",
        },
        drop_changes={
            ("Ha Noi", 2008): "Ha Tay was merged into Ha Noi in 2008: a change of territory, "
                              "not of revenue",
        })
POOLED: dict[str, PooledSpec] = {
    "vietnam_provincial_revenue_volatility": PooledSpec(
        **_PROVINCIAL_REVENUE, statistic="volatility", min_changes=5,
        description="sd of the yearly log growth of settled provincial budget revenue "
                    "(final_revenue, quyết toán), 2008-2014, across provinces"),
    "vietnam_provincial_revenue_persistence": PooledSpec(
        **_PROVINCIAL_REVENUE, statistic="persistence", min_changes=2,
        description="lag-1 autocorrelation of the yearly log growth of settled provincial "
                    "budget revenue, 2008-2014, across provinces"),
}
"""Every pooled prior by the name a scenario uses."""

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


@dataclass(frozen=True)
class PooledPrior:
    """A derived pooled prior with everything needed to audit it.

    ``values`` holds the per-unit statistic (sample sd, or raw lag-1 autocorrelation) and
    ``counts`` the yearly changes (pairs) behind each; ``fit`` the numbers of the fit.
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

    def summary(self) -> dict[str, Any]:
        """Plain data: the numbers docs/calibration.md prints."""
        quantiles = np.nanquantile(self.values, [0.05, 0.25, 0.5, 0.75, 0.95])
        return {
            "name": self.name, "panel": self.panel, "statistic": POOLED[self.name].statistic,
            "units": len(self.units), "yearly_changes": int(self.counts.sum()),
            "per_unit_quantiles": dict(zip(["p05", "p25", "p50", "p75", "p95"],
                                           [round(float(q), 4) for q in quantiles])),
            "fit": dict(self.fit), "chosen": self.distribution.describe(),
            "chosen_mean": round(self.distribution.mean(), 4),
            "excluded": [{"what": what, "why": why} for what, why in self.excluded],
            "dropped_series_sd": {k: round(v, 4) for k, v in self.dropped_sd.items()},
            "final_to_plan": {str(k): round(v, 3) for k, v in self.final_to_plan.items()},
        }


def read_panel(path: str | Path, column: str) -> tuple[dict[str, dict[int, float]], list[int]]:
    """Read one column of a panel CSV (``province, year, <column>, ...``).

    Returns
    -------
    values : dict
        province -> year -> value, for non-empty values.
    unnamed : list of int
        Line numbers of rows with an empty province (left out).

    Raises
    ------
    DataError
        If the file cannot be read or lacks the columns.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError.single(f"cannot read the panel ({exc.strerror or exc})", file=file)
    reader = csv.DictReader(text.splitlines())
    missing = {"province", "year", column} - set(reader.fieldnames or ())
    if missing:
        raise DataError.single(f"missing column(s) {', '.join(sorted(missing))}", file=file,
                               line=1)
    values: dict[str, dict[int, float]] = {}
    unnamed: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not row["province"].strip():
            unnamed.append(line)
            continue
        if row[column].strip():
            try:
                values.setdefault(row["province"].strip(), {})[int(row["year"])] = float(
                    row[column])
            except ValueError:
                raise DataError.single(f"found '{row[column]}' / '{row['year']}'; expected "
                                       "numbers", file=file, line=line, key=column) from None
    return values, unnamed


def log_changes(values: Mapping[str, Mapping[int, float]], first_year: int, last_year: int,
                ) -> tuple[list[str], np.ndarray]:
    """Yearly log changes ``first_year+1 .. last_year`` per unit, NaN where a level is missing.

    Returns
    -------
    units : list of str
    changes : ndarray, shape (units, years)
    """
    units = sorted(values)
    years = np.arange(first_year, last_year + 1)
    levels = np.array([[values[u].get(int(y), np.nan) for y in years] for u in units])
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(levels > 0, np.log(np.where(levels > 0, levels, 1.0)), np.nan)
    return units, np.diff(logs, axis=1)


def sample_sds(changes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample sd (ddof 1; NaN with fewer than 2 values) and number of values of each row,
    ignoring NaN."""
    finite = np.isfinite(changes)
    count = finite.sum(axis=1)
    values = np.where(finite, changes, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = values.sum(axis=1) / count
        square = np.where(finite, (changes - mean[:, None]) ** 2, 0.0).sum(axis=1)
        sd = np.sqrt(square / (count - 1))
    return np.where(count > 1, sd, np.nan), count


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


@dataclass(frozen=True)
class PanelChanges:
    """Yearly log changes of a pooled prior's panel after its exclusions."""

    units: list[str]
    changes: np.ndarray
    excluded: list[tuple[str, str]]
    final_to_plan: dict[int, float]
    dropped_sd: dict[str, float]


def panel_changes(name: str, path: str | Path, *, last_year: int | None = None) -> PanelChanges:
    """Read the panel of pooled prior ``name`` and apply its exclusions (documented in
    :data:`POOLED`), up to ``last_year`` (default: the spec's).

    Raises
    ------
    DataError
        If the panel cannot be read.
    """
    spec = POOLED[name]
    last_year = spec.last_year if last_year is None else last_year
    values, unnamed = read_panel(path, spec.column)
    excluded: list[tuple[str, str]] = []
    if unnamed:
        excluded.append((f"{len(unnamed)} rows with an empty province (lines "
                         f"{', '.join(map(str, unnamed))})", "no province to attach them to"))
    ratios: dict[int, float] = {}
    if spec.compare_column:
        other, _ = read_panel(path, spec.compare_column)
        for year in range(spec.first_year, last_year + 1):
            pairs = [values[u][year] / other[u][year] for u in values
                     if year in values[u] and other.get(u, {}).get(year)]
            if pairs:
                ratios[year] = float(np.median(pairs))
    for year, why in spec.drop_years.items():
        for series in values.values():
            series.pop(year, None)
        excluded.append((f"levels of {year}", why))
    dropped_sd = {}
    for unit, why in spec.drop_series.items():
        series = values.pop(unit, None)
        if series is not None:
            excluded.append((unit, why))
            _, own = log_changes({unit: series}, spec.first_year, last_year)
            dropped_sd[unit] = float(sample_sds(own)[0][0])
    units, changes = log_changes(values, spec.first_year, last_year)
    for (unit, year), why in spec.drop_changes.items():
        if unit in units and year <= last_year:
            changes[units.index(unit), year - spec.first_year - 1] = np.nan
            excluded.append((f"{unit} {year - 1}-{year}", why))
    return PanelChanges(units, changes, excluded, ratios, dropped_sd)


def pooled_persistence(changes: np.ndarray) -> tuple[Normal, dict[str, Any]]:
    """AR(1) coefficient of yearly changes pooled over units and years (statsmodels OLS of each
    change on the previous one with a common constant, standard errors clustered by unit).

    The prior for one unit is normal at the pooled slope, with the spread one unit's share of
    the evidence would have (the clustered standard error times the square root of the number
    of units, at least :data:`MIN_SPREAD`): it carries the heterogeneity of the units as well
    as the noise of short series, and needs no unit to have a long series.
    """
    import statsmodels.api as sm

    pairs = np.isfinite(changes[:, 1:]) & np.isfinite(changes[:, :-1])
    changes = changes[pairs.sum(axis=1) >= 2]  # one pair per unit is a cross-section, not AR
    y, x = changes[:, 1:].ravel(), changes[:, :-1].ravel()
    groups = np.repeat(np.arange(len(changes)), changes.shape[1] - 1)
    ok = np.isfinite(x) & np.isfinite(y)
    units = np.unique(groups[ok]).size
    if units < 3:
        raise ModelError("a pooled persistence prior needs at least 3 units with two or more "
                         "pairs of consecutive yearly changes")
    result = sm.OLS(y[ok], sm.add_constant(x[ok])).fit(cov_type="cluster",
                                                       cov_kwds={"groups": groups[ok]})
    slope, se = float(result.params[1]), float(result.bse[1])
    spread = max(se * math.sqrt(units), MIN_SPREAD)
    return (Normal(dist="normal", loc=round(slope, 6), scale=round(spread, 6), why="pooled"),
            {"method": "statsmodels OLS, clustered by unit", "pairs": int(ok.sum()),
             "units": int(units), "slope": slope, "clustered_se": se, "spread": spread})


def lag1(changes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw lag-1 autocorrelation of each row (for the audit; NaN below 4 values) and the
    number of consecutive pairs."""
    pairs = np.isfinite(changes[:, 1:]) & np.isfinite(changes[:, :-1])
    count = pairs.sum(axis=1)
    r = np.full(len(changes), np.nan)
    for index, row in enumerate(changes):  # one row per unit, not per draw
        if count[index] >= 3:
            x, y = row[:-1][pairs[index]], row[1:][pairs[index]]
            r[index] = np.corrcoef(x, y)[0, 1]
    return r, count


def derive(name: str, path: str | Path) -> PooledPrior:
    """Derive the pooled prior ``name`` from the panel at ``path``.

    Raises
    ------
    DataError
        If the panel cannot be read.
    """
    spec = POOLED[name]
    panel = panel_changes(name, path)
    if spec.statistic == "persistence":
        values, count = lag1(panel.changes)
    else:
        values, count = sample_sds(panel.changes)
    keep = count >= spec.min_changes
    excluded = list(panel.excluded)
    for unit, n in zip(panel.units, count):
        if n < spec.min_changes:
            excluded.append((unit, f"only {n} yearly change(s) in {spec.first_year}-"
                                   f"{spec.last_year}; fewer than {spec.min_changes}"))
    if spec.statistic == "persistence":
        best, numbers = pooled_persistence(panel.changes[keep])
        how = "at the pooled AR(1) slope"
    else:
        fit = fit_cross_section(values[keep], count[keep])
        best, how = fit.best, "by marginal likelihood"
        numbers = {"lognormal": {"mu": fit.lognormal.mu, "sigma": fit.lognormal.sigma,
                                 "loglik": round(fit.lognormal_loglik, 3)},
                   "halfnormal": {"scale": fit.halfnormal.scale,
                                  "loglik": round(fit.halfnormal_loglik, 3)}}
    why = (f"pooled prior '{name}': {spec.description}; {int(keep.sum())} provinces, "
           f"{int(count[keep].sum())} yearly changes; {best.dist} {how}")
    return PooledPrior(name, str(path), best.model_copy(update={"why": why}),
                       tuple(np.array(panel.units)[keep]), values[keep], count[keep],
                       tuple(excluded), numbers, panel.final_to_plan, panel.dropped_sd)


@lru_cache(maxsize=8)
def _derive_cached(name: str, path: str, stamp: tuple[int, int]) -> PooledPrior:
    return derive(name, path)


def panel_path(name: str, history_file: str | None) -> Path:
    """Where the panel of pooled prior ``name`` is: the data folder holding the region's
    history folder, else this source tree's ``data/``.

    Raises
    ------
    ModelError
        If neither holds it (the message lists where it looked).
    """
    spec = POOLED[name]
    folders = []
    if history_file and not history_file.startswith("<"):
        folders.append(Path(history_file).resolve().parent.parent)
    folders.append(Path(__file__).resolve().parents[1] / "data")
    candidates = [folder / spec.panel / spec.file for folder in folders]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ModelError(f"the pooled prior '{name}' is derived from the panel {spec.panel}/"
                     f"{spec.file}, found in none of: " + ", ".join(map(str, candidates)))


def pooled_prior(name: str, history_file: str | None = None) -> PooledPrior:
    """The pooled prior ``name`` derived from its panel (memoised per file version)."""
    path = panel_path(name, history_file)
    stat = path.stat()
    return _derive_cached(name, str(path), (stat.st_mtime_ns, stat.st_size))


def resolve_pooled(component: Any, history_file: str | None,
                   settings: Sequence[str] = ("volatility", "persistence")) -> Any:
    """A copy of ``component`` whose pooled priors in ``settings`` stand for their derived
    distributions (unchanged if it has none).

    Raises
    ------
    ComponentError
        Located at the setting, if the panel cannot be found or read.
    """
    from .models.base import ComponentError

    update = {}
    for setting in settings:
        value = getattr(component, setting, None)
        if isinstance(value, Pooled) and value._resolved is None:
            try:
                update[setting] = value.resolved(pooled_prior(value.name, history_file)
                                                 .distribution)
            except (ModelError, DataError) as exc:
                raise ComponentError(setting, str(exc)) from None
    return component.model_copy(update=update) if update else component


def main(argv: Sequence[str] | None = None) -> int:
    """Print the derivation of every pooled prior (``python -m forecast.priors``)."""
    import json
    import sys

    names = list(argv if argv is not None else sys.argv[1:]) or sorted(POOLED)
    for name in names:
        if name not in POOLED:
            from .errors import did_you_mean

            print(f"unknown pooled prior '{name}'.{did_you_mean(name, POOLED)}", file=sys.stderr)
            return 2
        prior = pooled_prior(name)
        print(json.dumps(prior.summary(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
