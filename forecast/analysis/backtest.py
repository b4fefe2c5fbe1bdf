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
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from forecast.errors import InputError, ModelError
from forecast.io.history import Evidence, History
from forecast.priors.library import PriorLibrary
from forecast.priors.panel import Panel, PanelLevels, panel_changes, panel_levels, sample_sds
from forecast.priors.pooled import fit_prior
from forecast.priors.pooled_spec import PooledSpec
from forecast.spec.distributions import HalfNormal, Normal, Uniform, _Dist

POOLED_NAME = "vietnam_provincial_revenue_volatility"
PERSISTENCE_NAME = "vietnam_provincial_revenue_persistence"
BINS = 10
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


def crps_samples(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of sample forecasts: ``E|X - y| - E|X - X'| / 2``, per column.

    Parameters
    ----------
    samples : ndarray, shape (draws, n)
    observed : ndarray, shape (n,)

    Notes
    -----
    ``E|X - X'|`` over all ordered pairs of the sorted sample ``x_(1..m)`` is
    ``2 / m**2 * sum_i (2 i - m - 1) x_(i)``, so the score costs a sort, not m**2 pairs.
    """
    samples = np.sort(np.asarray(samples, float), axis=0)
    m = samples.shape[0]
    first = np.mean(np.abs(samples - observed[None]), axis=0)
    weights = (2 * np.arange(1, m + 1) - m - 1)[:, None]
    spread = 2.0 / m**2 * np.sum(weights * samples, axis=0)
    return first - 0.5 * spread


def _scores(samples: np.ndarray, observed: np.ndarray) -> dict[str, np.ndarray]:
    """Per-forecast PIT, 50 % / 90 % coverage and CRPS (columns are forecasts)."""
    pit = np.mean(samples <= observed[None], axis=0)
    q = np.quantile(samples, [0.05, 0.25, 0.75, 0.95], axis=0)
    below, above = np.maximum(q[0] - observed, 0.0), np.maximum(observed - q[3], 0.0)
    return {"pit": pit, "in50": (q[1] <= observed) & (observed <= q[2]),
            "in90": (q[0] <= observed) & (observed <= q[3]),
            "crps": crps_samples(samples, observed),
            "interval90": (q[3] - q[0]) + 20.0 * (below + above)}


def _summarise(method: str, horizon: Any, scores: dict[str, np.ndarray]) -> dict[str, Any]:
    n = scores["pit"].size
    counts = np.histogram(scores["pit"], bins=BINS, range=(0.0, 1.0))[0]
    return {"method": method, "horizon": horizon, "forecasts": int(n),
            "coverage50": float(scores["in50"].mean()), "coverage90": float(scores["in90"].mean()),
            "coverage50_se": math.sqrt(0.25 / n), "coverage90_se": math.sqrt(0.09 / n),
            "crps": float(scores["crps"].mean()),
            "crps_se": float(scores["crps"].std(ddof=1) / math.sqrt(n)) if n > 1 else None,
            "pit_histogram": counts.tolist(), "mean_pit": float(scores["pit"].mean()),
            "interval90": float(scores["interval90"].mean())}


def _history(name: str, levels: dict[int, float], file: str,
             indicator: str = "revenue") -> History:
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


def _naive(logs: np.ndarray, years: np.ndarray, horizons: np.ndarray, draws: int,
           rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """Constant average growth with the sample variance of the fitting years (changes over a
    gap count as several years, as in the pooled prior), shape (horizons, draws)."""
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
        fitted = component.calibrate(_history(unit, fit, file), base_year=settings.cutoff)
        paths = simulate_paths(Model({"revenue": fitted}, settings.cutoff, settings.last_year),
                               draws=settings.draws, seed=settings.seed + index)
        model_logs.append(np.log(paths.paths["revenue"][horizons]))
        years = np.array(sorted(fit))
        rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(index,)))
        naive, mean, sd = _naive(np.log([fit[y] for y in years]), years, horizons,
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
        per_h = [_scores(logs[k].T, observed[k]) for k in range(len(horizons))]
        for k, scores in enumerate(per_h):
            records.append(_summarise(method, int(horizons[k]), scores))
            for i, row in enumerate(rows):
                for key in ("pit", "crps", "in50", "in90", "interval90"):
                    row.setdefault(f"{method}_{key}", []).append(float(scores[key][i]))
        pooled = {key: np.concatenate([s[key] for s in per_h]) for key in per_h[0]}
        records.append(_summarise(method, "all", pooled))
    return BacktestResult(settings, records, rows, skipped, levels.excluded)


# -- every origin and horizon the panel allows ---------------------------------------------

COLUMNS = ("final_revenue", "planned_revenue")
"""The panels backtested at every origin: settled revenue (2006-2014) and planned revenue
(2006-2017)."""
SETTLEMENT_YEARS = "the left-out years concern the settlement (final_revenue); the plan is kept"


@dataclass(frozen=True)
class HorizonSettings:
    """A backtest at every origin ``first_origin..last-1`` and horizon ``1..last_horizon``.

    Attributes
    ----------
    column : str
        ``final_revenue`` or ``planned_revenue`` (for the plan, the years the settlement
        leaves out are kept: :data:`SETTLEMENT_YEARS`).
    model : {"pooled", "independent"}
        ``pooled``: the common (national) component, one draw shared by every province, and
        each province's drift pooled towards it, its own volatility pooled across the other
        provinces (the model of this revision); ``independent``: the earlier model
        (:func:`run_backtest` at each origin, pooled total volatility and persistence).
    shock, drift_change : distribution
        Priors of the common component's sds (its posterior comes from the year effects up
        to the origin).
    reversion, long_run : distribution, optional
        Priors of the national drift's persistence and of the long-run pace it reverts to
        (:class:`forecast.models.common.Common`; none: the drift is a random walk).
        :data:`REVERTING` is the variant docs/validation.md reports.
    """

    column: str = "final_revenue"
    model: str = "pooled"
    first_year: int = 2006
    first_origin: int = 2009
    last_horizon: int = 5
    shock: Any = field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.05, why="weakly informative: the yearly common shock"))
    drift_change: Any = field(default_factory=lambda: HalfNormal(
        dist="halfnormal", scale=0.03, why="weakly informative: the common drift moves by a "
        "few points a year"))
    reversion: Any = None
    long_run: Any = None
    draws: int = 2000
    seed: int = 0


REVERTING = {
    "reversion": Uniform(dist="uniform", low=0.0, high=1.0, why="no knowledge of how fast the "
                         "national pace returns to its long-run value: from at once (0) to "
                         "never (1, a random walk)"),
    "long_run": Normal(dist="normal", loc=0.1, scale=0.2, why="nominal revenue: inflation plus "
                       "real growth, wide (the drift prior of the independent model)")}
"""The reverting national drift of docs/validation.md (``HorizonSettings(**REVERTING)``)."""


def _spec_for(priors: PriorLibrary, column: str) -> PooledSpec:
    spec = priors.spec(POOLED_NAME)
    if column == spec.column:
        return spec
    return dataclasses.replace(spec, column=column, drop_years={}, compare_column=None)


def _climatology(logs: dict[str, dict[int, float]], origin: int, horizon: int,
                 kept: list[int]) -> np.ndarray:
    """Every province's log change over ``horizon`` years in windows ending by ``origin``
    (kept levels at both ends); with none, the longest shorter windows scaled to
    ``horizon`` years."""
    for length in range(horizon, 0, -1):
        values = [series[s + length] - series[s] for series in logs.values() for s in kept
                  if s + length <= origin and s in series and s + length in series]
        if values:
            return np.array(values) * horizon / length
    raise ModelError(f"no window of growth before {origin}")


def _pooled_origin(settings: HorizonSettings, levels: PanelLevels, spec: PooledSpec,
                   origin: int, units: list[str], scored: dict[int, list[str]],
                   file: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Log forecasts (horizon, draw) per province from the pooled model at one origin."""
    from forecast.engine import Model, simulate_paths
    from forecast.models import Growth
    from forecast.models.common import Common
    from forecast.models.pooling import DriftPooling
    from forecast.priors.common import drift_spread, relative_persistence
    from forecast.priors.cross_section import fit_cross_section
    from forecast.priors.panel import log_changes, year_effects
    from forecast.spec.distributions import Fixed

    years = levels.years(spec, settings.first_year, origin)
    names, changes, gaps = log_changes({u: levels.values[u] for u in units}, years,
                                       levels.breaks)
    effects, own = year_effects(changes)
    national = np.concatenate([[0.0], np.cumsum(np.nan_to_num(effects))])
    index = {y: math.exp(v) for y, v in zip(years, national)}
    common = Common(model="common", unit="million VND", evidence=["national"],
                    shock=settings.shock, drift_change=settings.drift_change,
                    reversion=settings.reversion, long_run=settings.long_run)
    common = common.calibrate(_history("national index", index, file, "national"),
                              base_year=origin)
    persistence = relative_persistence(changes, gaps)
    spread = drift_spread(persistence)
    tau = HalfNormal(dist="halfnormal", scale=round(spread["scale"], 6),
                     why=f"persistent relative drift, panel up to {origin}")
    sds, counts = sample_sds(own, gaps)
    components: dict[str, Any] = {"national": common}
    details = {"origin": origin, "common": common.fit.parameters.posteriors["local_level"]
               .summary(), "relative_persistence": persistence, "drift_spread": spread}
    for i, unit in enumerate(names):
        others = (np.arange(len(names)) != i) & (counts >= 2)
        volatility = fit_cross_section(sds[others], counts[others]).best
        relative = {y: levels.values[unit][y] / index[y] for y in years
                    if y in levels.values[unit] and y >= levels.breaks.get(unit, 0)}
        component = Growth(model="growth", unit="million VND", evidence=["revenue"],
                           inputs=["national"], common="national",
                           drift=Normal(dist="normal", loc=0.0, scale=1e-4,
                                        why="relative to the national drift"),
                           pooling=DriftPooling(spread=tau), volatility=volatility,
                           base=Fixed(dist="fixed", value=levels.values[unit][origin],
                                      why="the level at the origin"))
        components[unit] = component.calibrate(_history(unit, relative, file),
                                                base_year=origin,
                                                inputs={"national": common})
    horizon = max(scored)
    paths = simulate_paths(Model(components, origin, origin + horizon), draws=settings.draws,
                           seed=settings.seed + origin)
    return {unit: np.log(paths.paths[unit][1:]) for unit in names}, details


def run_horizons(priors: PriorLibrary, settings: HorizonSettings | None = None, *,
                 panel: Panel | None = None) -> dict[str, Any]:
    """Backtest at every origin and horizon the panel allows, scored per horizon.

    At each origin ``T`` (a kept year from ``first_origin`` to the last but one) the model is
    fitted on the levels up to ``T`` and forecasts ``T+1..T+last_horizon`` (the kept years the
    panel has); every province with 3 levels up to ``T`` and a level at ``T`` is forecast,
    and scored in each year it has. Benchmarks: ``naive`` (the province's own average growth
    and sample sd) and ``climatology`` (the spread across provinces of the ``h``-year growth
    of every window ending by ``T``). Nothing after ``T`` enters a forecast of origin ``T``.

    Returns
    -------
    dict
        ``settings``, ``summary`` (rows per method and horizon, with ``crps_vs_naive`` and
        ``crps_vs_climatology`` for the model), ``origins`` (rows per origin, method and
        horizon) and ``excluded``.
    """
    settings = settings or HorizonSettings()
    if settings.column not in COLUMNS:
        raise InputError.single(f"found {settings.column!r}; expected one of "
                                f"{', '.join(COLUMNS)}", key="column")
    if settings.model not in ("pooled", "independent"):
        raise InputError.single(f"found {settings.model!r}; expected 'pooled' or "
                                "'independent'", key="model")
    spec = _spec_for(priors, settings.column)
    panel = priors.panel(POOLED_NAME) if panel is None else panel
    levels = panel_levels(spec, panel, column=settings.column)
    first, last = levels.data_years
    kept = levels.years(spec, first, last)
    logs = {u: {y: math.log(v) for y, v in s.items() if v > 0 and y >= levels.breaks.get(u, 0)}
            for u, s in levels.values.items()}
    per: dict[tuple[str, int], dict[str, list]] = {}
    origins = []
    for origin in [y for y in kept if settings.first_origin <= y < last]:
        fit_years = levels.years(spec, settings.first_year, origin)
        units = [u for u in sorted(levels.values)
                 if sum(y in logs[u] for y in fit_years) >= MIN_FIT_LEVELS and origin in logs[u]]
        targets = [y for y in kept if origin < y <= origin + settings.last_horizon]
        scored = {y - origin: [u for u in units if y in logs[u]] for y in targets}
        if settings.model == "pooled":
            forecasts, details = _pooled_origin(settings, levels, spec, origin, units, scored,
                                                panel.file)
        else:
            result = run_backtest(priors, BacktestSettings(
                first_year=settings.first_year, cutoff=origin, last_year=max(targets),
                column=settings.column, draws=settings.draws, seed=settings.seed + origin),
                spec=spec)
            forecasts, details = None, {"origin": origin, "provinces": len(result.provinces)}
        origins.append(details)
        rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(origin,)))
        for h, names in scored.items():
            observed = np.array([logs[u][origin + h] for u in names])
            climate = _climatology(logs, origin, h, kept)
            samples = {"climatology": np.array([logs[u][origin] for u in names])[None]
                       + climate[:, None]}
            naive = []
            for u in names:
                fy = np.array([y for y in fit_years if y in logs[u]])
                draws, _, _ = _naive(np.array([logs[u][y] for y in fy]), fy, np.array([h]),
                                     settings.draws, rng)
                naive.append(draws[0])
            samples["naive"] = np.stack(naive, 1)
            if forecasts is not None:
                samples["model"] = np.stack([forecasts[u][h - 1] for u in names], 1)
            for method, values in samples.items():
                scores = _scores(values, observed)
                cell = per.setdefault((method, h), {k: [] for k in scores})
                for key, value in scores.items():
                    cell[key].append(value)
                cell.setdefault("origin", []).append(np.full(len(names), origin))
        if forecasts is None:  # the earlier model: its per-province scores at this origin
            for row in result.provinces:
                for k, year in enumerate(y for y in targets):
                    cell = per.setdefault(("model", year - origin),
                                          {k2: [] for k2 in ("pit", "in50", "in90", "crps",
                                                             "interval90")})
                    for key in ("pit", "in50", "in90", "crps", "interval90"):
                        cell[key].append(np.array([row[f"model_{key}"][k]]))
                    cell.setdefault("origin", []).append(np.array([origin]))
    summary, by_origin = [], []
    for (method, h), cell in sorted(per.items(), key=lambda kv: (kv[0][0] != "model",
                                                                 kv[0][0], kv[0][1])):
        scores = {k: np.concatenate(v) for k, v in cell.items() if k != "origin"}
        scores["in50"], scores["in90"] = scores["in50"] > 0.5, scores["in90"] > 0.5
        record = _summarise(method, h, scores)
        record["origins"] = sorted({int(o) for o in np.concatenate(cell["origin"])})
        summary.append(record)
        where = np.concatenate(cell["origin"])
        for origin in record["origins"]:
            mask = where == origin
            by_origin.append({"origin": origin, **_summarise(
                method, h, {k: v[mask] for k, v in scores.items()})})
    crps = {(r["method"], r["horizon"]): r["crps"] for r in summary}
    for record in summary:
        if record["method"] == "model":
            for other in ("naive", "climatology"):
                record[f"crps_vs_{other}"] = record["crps"] / crps[(other, record["horizon"])]
    excluded = [{"what": w, "why": y} for w, y in levels.excluded]
    if settings.column != priors.spec(POOLED_NAME).column:
        excluded.append({"what": "no year left out", "why": SETTLEMENT_YEARS})
    return {"settings": {k: (v.describe() if hasattr(v, "describe") else v)
                         for k, v in dataclasses.asdict(settings).items()},
            "summary": summary, "by_origin": by_origin, "origins": origins,
            "excluded": excluded}
