"""The revenue backtest at every origin and horizon the provincial panel allows.

At each origin the model is fitted on the panel's levels up to it and forecasts the next one to
five years; the scores are pooled per horizon over origins and provinces, beside two
benchmarks (``naive``: a province's own average growth and sample sd; ``climatology``: the
spread across provinces of the growth of every earlier window of that length). ``pooled`` is
the model with a common (national) component, one draw shared by every province, and each
province's drift pooled towards it; ``independent`` is :func:`forecast.analysis.backtest.
run_backtest` at each origin.

Nothing here reads a file: the prior library (its specs and panel) comes in as a value.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecast.analysis.backtest import (MIN_FIT_LEVELS, POOLED_NAME, BacktestSettings,
                                        naive_draws, revenue_history, run_backtest)
from forecast.analysis.scores import forecast_scores, summarise_scores
from forecast.errors import InputError, ModelError
from forecast.priors.library import PriorLibrary
from forecast.priors.panel import Panel, PanelLevels, panel_levels, sample_sds
from forecast.priors.pooled_spec import PooledSpec
from forecast.spec.distributions import HalfNormal, Normal, Uniform

__all__ = ["COLUMNS", "REVERTING", "HorizonSettings", "run_horizons", "spec_for"]

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


def spec_for(priors: PriorLibrary, column: str) -> PooledSpec:
    """The exclusions of the pooled revenue prior for ``column`` (for the plan, none: the
    left-out years concern the settlement)."""
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
    common = common.calibrate(revenue_history("national index", index, file, "national"),
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
        own = {y: levels.values[unit][y] for y in years
               if y in levels.values[unit] and y >= levels.breaks.get(unit, 0)}
        component = Growth(model="growth", unit="million VND", evidence=["revenue"],
                           inputs=["national"], common="national",
                           drift=Normal(dist="normal", loc=0.0, scale=1e-4,
                                        why="relative to the national drift"),
                           pooling=DriftPooling(spread=tau), volatility=volatility,
                           base=Fixed(dist="fixed", value=levels.values[unit][origin],
                                      why="the level at the origin"))
        components[unit] = component.calibrate(revenue_history(unit, own, file),
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
    spec = spec_for(priors, settings.column)
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
                draws, _, _ = naive_draws(np.array([logs[u][y] for y in fy]), fy, np.array([h]),
                                     settings.draws, rng)
                naive.append(draws[0])
            samples["naive"] = np.stack(naive, 1)
            if forecasts is not None:
                samples["model"] = np.stack([forecasts[u][h - 1] for u in names], 1)
            for method, values in samples.items():
                scores = forecast_scores(values, observed)
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
        record = summarise_scores(method, h, scores)
        record["origins"] = sorted({int(o) for o in np.concatenate(cell["origin"])})
        summary.append(record)
        where = np.concatenate(cell["origin"])
        for origin in record["origins"]:
            mask = where == origin
            by_origin.append({"origin": origin, **summarise_scores(
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
