"""Backtest on the provincial budget panel: would the revenue model have been calibrated?

For every province, fit the growth model of revenue (log revenue a random walk with uncertain
drift and volatility, the model budget revenue follows when no output series exists) on the
settled revenue of the years up to a cut-off, simulate the following years with the engine, and
score the forecasts against what happened: coverage of the central 50 % and 90 % intervals,
mean CRPS of log revenue, PIT histogram, overall and per horizon. The same for a naive
benchmark: constant average growth with the sample variance of the fitting years.

The panel is taken with the exclusions of the pooled prior (:func:`forecast.priors.panel.
panel_levels`: the same left-out years, series and breaks as its derivation); a left-out year
is neither fitted nor scored. The volatility prior is a scenario's choice, so it is an option:
the pooled prior re-derived, by the same function as the shipped one
(:func:`forecast.priors.pooled.fit_prior`), from the fitting years of the *other* provinces only
(nothing after the cut-off, nothing of the province itself), or a fixed declared distribution.

Nothing here reads a file: the prior library (its specs and panel) and any other panel come in
as values (:func:`forecast.io.prior_library.load_prior_library`,
:func:`forecast.io.panel.read_panel`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecast.analysis.scores import forecast_scores, summarise_scores
from forecast.errors import InputError, ModelError
from forecast.io.history import Evidence, History
from forecast.priors.library import PriorLibrary
from forecast.priors.panel import Panel, PanelLevels, panel_changes, panel_levels, sample_sds
from forecast.priors.pooled import fit_prior
from forecast.priors.pooled_spec import PooledSpec
from forecast.spec.distributions import Normal, _Dist

POOLED_NAME = "vietnam_provincial_revenue_volatility"
PERSISTENCE_NAME = "vietnam_provincial_revenue_persistence"
MIN_FIT_LEVELS = 3
"""Fewest levels a province is fitted on: two changes, the fewest the naive benchmark's sample
sd needs (the model itself would take one, its volatility then resting on the prior)."""


@dataclass(frozen=True)
class BacktestSettings:
    """What was fitted on what.

    Attributes
    ----------
    first_year, cutoff, last_year : int
        Fit on the levels ``first_year..cutoff``, forecast ``cutoff+1..last_year``.
    column : str
        The panel column (``final_revenue``: settled revenue).
    volatility : str or distribution
        ``"pooled"``: the pooled prior re-derived from the fitting years of the other
        provinces; or a declared distribution.
    persistence : str, distribution or None
        ``"pooled"`` (likewise), a declared distribution, or None (independent years).
    drift : Normal
        The drift prior.
    tail_dof : float or None
        Student-t shocks in the simulation (none: normal).
    draws, seed : int
        Draws per province and root seed.
    """

    first_year: int = 2006
    cutoff: int = 2011
    last_year: int = 2014
    column: str = "final_revenue"
    volatility: Any = "pooled"
    persistence: Any = "pooled"
    drift: Normal = field(default_factory=lambda: Normal(
        dist="normal", loc=0.1, scale=0.2,
        why="nominal provincial revenue: inflation plus real growth, about 10 %/yr, wide"))
    tail_dof: float | None = None
    draws: int = 4000
    seed: int = 0


@dataclass(frozen=True)
class BacktestResult:
    """Scores of the model and the benchmark; ``records`` are tidy rows (method, horizon)."""

    settings: BacktestSettings
    records: list[dict[str, Any]]
    provinces: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    excluded: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``backtest.json``."""
        settings = {k: (v.describe() if hasattr(v, "describe") else v)
                    for k, v in dataclasses.asdict(self.settings).items()}
        return {"settings": settings, "summary": self.records, "provinces": self.provinces,
                "skipped": self.skipped,
                "excluded": [{"what": what, "why": why} for what, why in self.excluded]}

    def record(self, method: str, horizon: str | int = "all") -> dict[str, Any]:
        """The scores of ``method`` at ``horizon`` (``"all"``: pooled over horizons)."""
        return next(r for r in self.records if r["method"] == method
                    and r["horizon"] == horizon)


def revenue_history(name: str, levels: dict[int, float], file: str,
                    indicator: str = "revenue") -> History:
    """A province's panel levels as the evidence rows of one indicator (to calibrate on).

    Parameters
    ----------
    name : str
        The province (named in each row's source).
    levels : mapping of year to level
    file : str
        The panel's file, for the rows' locations.
    indicator : str
        The evidence name the rows carry.

    Returns
    -------
    History
    """
    rows = tuple(Evidence(indicator, "level", year, None, value, "million VND",
                          f"Ministry of Finance settled budget ({name})", "", file, index + 2)
                 for index, (year, value) in enumerate(sorted(levels.items())))
    return History(rows, file)


def _specs(priors: PriorLibrary, spec: PooledSpec | None) -> dict[str, PooledSpec]:
    """The volatility and persistence specs: the library's, or ``spec``'s exclusions for
    both."""
    if spec is None:
        return {"volatility": priors.spec(POOLED_NAME),
                "persistence": priors.spec(PERSISTENCE_NAME)}
    return {key: dataclasses.replace(spec, statistic=key)
            for key in ("volatility", "persistence")}


def _priors(settings: BacktestSettings, panel: Panel, units: Sequence[str],
            specs: dict[str, PooledSpec]) -> dict[str, dict]:
    """Volatility and persistence priors per province: declared ones as given, pooled ones
    re-derived from the fitting years of the *other* provinces only, by the same function as
    the shipped priors (:func:`forecast.priors.pooled.fit_prior`)."""
    changes_up_to = panel_changes(specs["volatility"], panel, last_year=settings.cutoff)
    names = np.array(changes_up_to.units)
    span = f"{settings.cutoff}: {{}} other provinces, changes up to {settings.cutoff}"
    priors: dict[str, dict] = {}
    for unit in units:
        others = names != unit
        changes = changes_up_to.changes[others]
        gaps, spans = changes_up_to.gaps, changes_up_to.spans
        chosen = {"volatility": settings.volatility, "persistence": settings.persistence}
        if settings.volatility == "pooled":
            try:
                fitted = fit_prior(specs["volatility"], changes, gaps, spans)
            except ModelError as exc:
                raise InputError.single(
                    f"cannot derive the pooled volatility from the changes up to "
                    f"{settings.cutoff} ({exc}); choose a later cut-off or declare "
                    "the volatility", key="cutoff") from None
            chosen["volatility"] = fitted.distribution.model_copy(update={
                "why": "pooled up to " + span.format(int(fitted.keep.sum()))})
        if settings.persistence == "pooled":
            try:
                fitted = fit_prior(specs["persistence"], changes, gaps, spans)
            except ModelError:  # too few consecutive yearly changes before the cut-off
                chosen["persistence"] = None
            else:
                chosen["persistence"] = fitted.distribution.model_copy(update={
                    "why": "pooled up to " + span.format(fitted.numbers["units"])})
        priors[unit] = chosen
    return priors


def _check_years(settings: BacktestSettings, levels: PanelLevels, spec: PooledSpec,
                 file: str) -> None:
    """The years must be ordered, inside the panel's years, and the cut-off a kept year."""
    first, last = levels.data_years
    for key in ("first_year", "cutoff", "last_year"):
        year = getattr(settings, key)
        if not first <= year <= last:
            raise InputError.single(f"found {year}; the panel has {settings.column} for "
                                    f"{first}-{last}", file=file, key=key)
    if settings.cutoff in spec.drop_years:
        raise InputError.single(f"found {settings.cutoff}, whose levels are left out of the "
                                f"panel ({spec.drop_years[settings.cutoff]}); choose another "
                                "cut-off", file=file, key="cutoff")


def naive_draws(logs: np.ndarray, years: np.ndarray, horizons: np.ndarray, draws: int,
                rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """The naive benchmark: constant average growth with the sample variance of the fitting
    years (changes over a gap count as several years, as in the pooled prior).

    Parameters
    ----------
    logs, years : ndarray
        Log levels of the fitting years and those years.
    horizons : ndarray of int
        Years after the last fitting year to forecast.
    draws : int
    rng : numpy.random.Generator

    Returns
    -------
    tuple of (ndarray of shape (horizons, draws), float, float)
        The log-level draws, the mean yearly change and its sample sd.
    """
    changes, gaps = np.diff(logs)[None], np.diff(years).astype(float)
    mean = float(changes.sum() / gaps.sum())
    sd = float(sample_sds(changes, gaps)[0][0])
    z = rng.standard_normal((len(horizons), draws))
    h = horizons.astype(float)[:, None]
    return logs[-1] + h * mean + np.sqrt(h) * sd * z, mean, sd


def run_backtest(priors: PriorLibrary, settings: BacktestSettings | None = None, *,
                 panel: Panel | None = None, spec: PooledSpec | None = None) -> BacktestResult:
    """Fit every province up to the cut-off, forecast the later years, score the forecasts.

    Parameters
    ----------
    priors : PriorLibrary
        Its provincial revenue priors (:data:`POOLED_NAME`, :data:`PERSISTENCE_NAME`) give the
        exclusions and how pooled priors are re-derived; the volatility prior's panel is the
        one backtested unless ``panel`` is given.
    settings : BacktestSettings, optional
    panel : Panel, optional
        Another panel to backtest on, with the same exclusions
        (:func:`forecast.io.panel.read_panel`).
    spec : PooledSpec, optional
        Whose exclusions (left-out years, series, breaks) apply to the panel and how pooled
        priors are derived, instead of the library's. Years left out are neither fitted nor
        scored.

    Returns
    -------
    BacktestResult

    Raises
    ------
    InputError
        If the years are not ordered, outside the panel's, the cut-off is a left-out year, or
        no province has enough data (keyed by the setting), or the library lacks the priors.
    """
    from forecast.engine import Model, simulate_paths
    from forecast.models import Growth

    settings = settings or BacktestSettings()
    if not settings.first_year + 2 <= settings.cutoff < settings.last_year:
        raise InputError.single(f"need first_year + 2 <= cutoff < last_year; found "
                                f"{settings.first_year}, {settings.cutoff}, {settings.last_year}",
                                key="cutoff")
    for key, allowed in (("volatility", ("pooled",)), ("persistence", ("pooled", None))):
        value = getattr(settings, key)
        if value not in allowed and not isinstance(value, _Dist):
            raise InputError.single(f"found {value!r}; expected 'pooled' or a distribution",
                                    key=key)
    specs = _specs(priors, spec)
    exclusions = specs["volatility"]
    panel = priors.panel(POOLED_NAME) if panel is None else panel
    file = panel.file
    levels = panel_levels(exclusions, panel, column=settings.column)
    _check_years(settings, levels, exclusions, file)
    scored = np.array([y for y in range(settings.cutoff + 1, settings.last_year + 1)
                       if y not in exclusions.drop_years])
    horizons = scored - settings.cutoff
    units, skipped = [], [{"province": unit, "why": why}
                          for unit, why in levels.dropped_series.items()]
    fit_levels: dict[str, dict[int, float]] = {}
    for unit in sorted(levels.values):
        series = levels.values[unit]
        start = max(settings.first_year, levels.breaks.get(unit, settings.first_year))
        fit_levels[unit] = {y: series[y] for y in range(start, settings.cutoff + 1)
                            if y in series}
        if len(fit_levels[unit]) < MIN_FIT_LEVELS or settings.cutoff not in series:
            skipped.append({"province": unit, "why": f"{len(fit_levels[unit])} level(s) in the "
                            f"fitting years (fewer than {MIN_FIT_LEVELS}) or none in the "
                            "cut-off year"})
        elif not all(int(y) in series for y in scored):
            skipped.append({"province": unit, "why": "a forecast year is missing"})
        else:
            units.append(unit)
    if not units:
        kept = levels.years(exclusions, settings.first_year, settings.cutoff)
        raise InputError.single(f"no province has enough data for this backtest: each needs "
                                f"{MIN_FIT_LEVELS} levels in {settings.first_year}-"
                                f"{settings.cutoff} (the panel keeps "
                                f"{', '.join(map(str, kept))}) and one in every year scored",
                                file=file, key="cutoff")
    chosen = _priors(settings, panel, units, specs)
    model_logs, naive_logs, observed, rows = [], [], [], []
    for index, unit in enumerate(units):
        series, fit = levels.values[unit], fit_levels[unit]
        component = Growth(model="growth", unit="million VND", evidence=["revenue"],
                           drift=settings.drift, tail_dof=settings.tail_dof, **chosen[unit])
        fitted = component.calibrate(revenue_history(unit, fit, file),
                                     base_year=settings.cutoff)
        paths = simulate_paths(Model({"revenue": fitted}, settings.cutoff, settings.last_year),
                               draws=settings.draws, seed=settings.seed + index)
        model_logs.append(np.log(paths.paths["revenue"][horizons]))
        years = np.array(sorted(fit))
        rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(index,)))
        naive, mean, sd = naive_draws(np.log([fit[y] for y in years]), years, horizons,
                                 settings.draws, rng)
        naive_logs.append(naive)
        observed.append(np.log([series[int(y)] for y in scored]))
        rows.append({"province": unit, "fit_years": [int(y) for y in years],
                     **{f"{k}_prior": v.describe() for k, v in chosen[unit].items()
                        if v is not None},
                     "naive_growth": mean, "naive_sd": sd})
    model_logs, naive_logs = np.stack(model_logs, 1), np.stack(naive_logs, 1)  # (h, unit, draw)
    observed = np.array(observed).T  # (h, unit)
    records = []
    for method, logs in (("model", model_logs), ("naive", naive_logs)):
        per_h = [forecast_scores(logs[k].T, observed[k]) for k in range(len(horizons))]
        for k, scores in enumerate(per_h):
            records.append(summarise_scores(method, int(horizons[k]), scores))
            for i, row in enumerate(rows):
                for key in ("pit", "crps", "in50", "in90", "interval90"):
                    row.setdefault(f"{method}_{key}", []).append(float(scores[key][i]))
        pooled = {key: np.concatenate([s[key] for s in per_h]) for key in per_h[0]}
        records.append(summarise_scores(method, "all", pooled))
    return BacktestResult(settings, records, rows, skipped, levels.excluded)
