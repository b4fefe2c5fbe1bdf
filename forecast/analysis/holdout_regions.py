"""Hold out every predecessor region's own growth series at every origin, scored by horizon.

The horizon backtest of the revenue models (:mod:`forecast.analysis.horizons`), for a growth
model on the panel a merged region's history holds: each of the scenario's
``region.predecessors`` is a unit, its own rows its history; at every origin its figures allow
the scenario's growth-model indicators are calibrated on the rows dated up to the origin and
scored on the later yearly growth figures, beside a naive and a climatology benchmark
(:func:`holdout_regions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forecast.analysis.holdout import GROWTH_UNIT, HeldOut, Holdout, held_out, statistic
from forecast.analysis.scores import forecast_scores, summarise_scores
from forecast.errors import DataError, Problem, ScenarioError
from forecast.io.history import Evidence, History
from forecast.priors.library import PriorLibrary
from forecast.spec.distributions import Fixed
from forecast.spec.scenario import Scenario

__all__ = ["LAST_HORIZON", "METHODS", "PanelFigure", "RegionsHoldout", "holdout_regions"]

LAST_HORIZON = 5
MIN_YEARLY = 2
"""Fewest yearly growth figures a region's series needs up to an origin: two, the fewest the
naive benchmark's sample sd needs (the model alone would take one, its volatility then resting
on the prior)."""
METHODS = ("model", "naive", "climatology")
SCORES = ("pit", "in50", "in90", "crps", "interval90")
INDEX = Fixed(dist="fixed", value=1.0, why="an index at the origin: the yearly growth rates "
              "scored do not depend on the level")


def _yearly(row: Evidence) -> bool:
    """Whether ``row`` is a yearly growth figure in %/yr, what the check by horizon scores."""
    return row.kind == "average_growth" and row.unit == GROWTH_UNIT and row.years == 1


def _end(row: Evidence) -> int:
    return row.year_end or row.year


@dataclass(frozen=True)
class PanelFigure:
    """One held-out yearly growth figure of a region, forecast from one origin by the model
    and by the two benchmarks.

    Attributes
    ----------
    origin : int
        The forecast origin (the last year of the rows calibrated on).
    model : HeldOut
        The model's forecast of the figure (its row carries the region, file and line).
    lines : tuple of int
        The lines of the readings combined into the figure (one line for a single row).
    scores : dict
        Per method of :data:`METHODS`: ``pit``, ``in50``, ``in90``, ``crps`` and
        ``interval90`` (the 90 % interval score).
    """

    origin: int
    model: HeldOut
    lines: tuple[int, ...]
    scores: dict[str, dict[str, float]]

    def to_dict(self) -> dict:
        """Plain data (for JSON)."""
        row, held = self.model.row, self.model
        return {"indicator": held.indicator, "region": row.region, "origin": self.origin,
                "horizon": held.horizon, "year": row.year, "year_end": row.year_end,
                "value": row.value, "unit": row.unit, "status": row.status, "file": row.file,
                "line": row.line, "lines": list(self.lines),
                "p05_p25_p50_p75_p95": list(held.quantiles), **self.scores["model"],
                **{method: {k: self.scores[method][k] for k in ("pit", "crps")}
                   for method in METHODS[1:]}}


@dataclass(frozen=True)
class RegionsHoldout:
    """Every predecessor region's own series held out at every origin, scored by horizon.

    Attributes
    ----------
    regions : tuple of str
        The units: the scenario's ``region.predecessors``.
    draws, seed : int
    summary : tuple of dict
        Per indicator, method and horizon: ``forecasts`` (n), coverage of the 50 % and 90 %
        intervals with their binomial standard errors at the nominal rate, ``mean_pit`` (and
        ``mean_pit_se``, its standard error for a calibrated forecast), ``crps``,
        ``interval90``, the PIT histogram, and for the model ``crps_vs_naive`` and
        ``crps_vs_climatology`` (ratios of mean CRPS).
    by_origin : tuple of dict
        The same per origin as well.
    fits : tuple of dict
        Per region, indicator and origin: the lines calibrated on, the posterior means of the
        drift and the volatility (log scale), and the naive benchmark's mean and sd.
    figures : tuple of PanelFigure
    skipped : tuple of (str, str, dict)
        What was not scored and why (a message catalog key and its fields).
    """

    regions: tuple[str, ...]
    draws: int
    seed: int
    summary: tuple[dict, ...]
    by_origin: tuple[dict, ...]
    fits: tuple[dict, ...]
    figures: tuple[PanelFigure, ...]
    skipped: tuple[tuple[str, str, dict], ...]

    why = Holdout.why

    def record(self, method: str, horizon: int, indicator: str | None = None) -> dict:
        """The summary of ``method`` at ``horizon`` (of ``indicator``; default: the first)."""
        indicator = indicator or self.summary[0]["indicator"]
        return next(r for r in self.summary if (r["indicator"], r["method"], r["horizon"])
                    == (indicator, method, horizon))

    def to_dict(self) -> dict:
        """Plain data (for JSON)."""
        return {"regions": list(self.regions), "draws": self.draws, "seed": self.seed,
                "summary": list(self.summary), "by_origin": list(self.by_origin),
                "fits": list(self.fits), "figures": [f.to_dict() for f in self.figures],
                "skipped": [{"what": what, "why": why} for what, why in self.why()]}


def _pooled(figures: list[PanelFigure], *, by_origin: bool) -> list[dict]:
    """Scores pooled per indicator, method and horizon (and origin), model first, with the
    model's CRPS over each benchmark's."""
    cells: dict[tuple, list[PanelFigure]] = {}
    for figure in figures:
        for index in range(len(METHODS)):
            key = (figure.model.indicator, index, figure.model.horizon)
            cells.setdefault(key + ((figure.origin,) if by_origin else ()), []).append(figure)
    records = []
    for key in sorted(cells):
        group, method = cells[key], METHODS[key[1]]
        scores = {s: np.array([f.scores[method][s] for f in group]) for s in SCORES}
        records.append({"indicator": key[0], **({"origin": key[3]} if by_origin else {}),
                        **summarise_scores(method, key[2], scores),
                        "mean_pit_se": float(np.sqrt(1.0 / 12.0 / len(group))),
                        "origins": sorted({f.origin for f in group}),
                        "regions": sorted({f.model.row.region for f in group})})
    crps = {(r["indicator"], r["method"], r["horizon"], r.get("origin")): r["crps"]
            for r in records}
    for r in (r for r in records if r["method"] == "model"):
        for other in METHODS[1:]:
            theirs = crps[(r["indicator"], other, r["horizon"], r.get("origin"))]
            r[f"crps_vs_{other}"] = r["crps"] / theirs if theirs > 0 else None
    return records


def _series(scenario: Scenario, history: History, regions: tuple[str, ...],
            skipped: list) -> dict[tuple[str, str], list[Evidence]]:
    """(indicator, region) -> the region's rows of the indicator's evidence (superseded rows
    left out, readings combined), for every growth-model indicator whose evidence some region
    has rows of and whose inputs, if any, are national (``common``) components."""
    from forecast.region import combine_readings

    own = {region: combine_readings([r for r in history.rows if r.region == region
                                     and r.status != "superseded"]) for region in regions}
    series = {}
    for name, component in scenario.indicators.items():
        if component.model != "growth" or not component.evidence:
            continue
        if any(scenario.indicators[i].model != "common" for i in component.inputs):
            skipped.append((name, "hr_inputs", {"inputs": ", ".join(component.inputs)}))
            continue
        rows = {region: [r for r in own[region] if r.indicator in component.evidence]
                for region in regions}
        if not any(rows.values()):
            skipped.append((name, "hr_no_rows", {"evidence": ", ".join(component.evidence)}))
            continue
        series.update({(name, region): rows[region] for region in regions})
    return series


def _too_few(name: str, region: str, rows: list[Evidence], file: str) -> Problem | None:
    """Why the region's series cannot be held out (None if it can): it needs
    :data:`MIN_YEARLY` yearly figures up to an origin and one after it."""
    ends = sorted(_end(r) for r in rows if _yearly(r))
    if len(ends) > MIN_YEARLY and ends[-1] > ends[MIN_YEARLY - 1]:
        return None
    lines = ", ".join(str(r.line) for r in rows if _yearly(r)) or "none"
    return Problem(file, None, "region", (
        f"'{region}' has {len(ends)} yearly growth figure(s) in {GROWTH_UNIT} of the evidence "
        f"of '{name}' (lines {lines}); holding out a region's own series needs {MIN_YEARLY} "
        "up to an origin and a later one to score: add its figures or take the region out "
        "of region.predecessors"))


def _shared_rows(scenario: Scenario, component, history: History) -> list[Evidence]:
    """The scenario's own rows a unit's fit reads besides the unit's: its group's
    (``pooling.group``) and its national inputs' evidence (superseded rows left out,
    readings combined)."""
    from forecast.region import combine_readings

    pooling = getattr(component, "pooling", None)
    names = set(pooling.group or ()) if pooling is not None else set()
    for name in component.inputs:
        names |= set(scenario.indicators[name].evidence)
    return combine_readings([r for r in history.rows if r.indicator in names
                             and not r.region and r.status != "superseded"])


def _forecasts(component, name: str, region: str, rows: list[Evidence], pool: list[Evidence],
               origin: int, *, priors: PriorLibrary, draws: int, seed: int,
               shared: Sequence[Evidence] = (), national: dict | None = None,
               ) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """The model's paths from ``origin`` (years, draws), the benchmarks' yearly growth in
    %/yr (horizon, draws), the reporting-error draws and the fit's details, all from the
    rows dated up to the origin (the region's, and the shared rows of its group and its
    national inputs, ``national``: those input components by name)."""
    from forecast.engine import Model, simulate_paths, stream_key

    known = [r for r in rows if _end(r) <= origin]
    history = History(tuple(known) + tuple(r for r in shared if _end(r) <= origin),
                      rows[0].file)
    inputs = {n: c.model_copy(update={"base": INDEX}).calibrate(history, base_year=origin,
                                                                priors=priors)
              for n, c in (national or {}).items()}
    fitted = component.calibrate(history, base_year=origin, priors=priors, inputs=inputs)
    key = (stream_key(region), stream_key(name), origin)
    engine_seed = int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])
    paths = simulate_paths(Model({**inputs, name: fitted}, origin, origin + LAST_HORIZON),
                           draws=draws, seed=engine_seed).paths[name]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key + (1,)))
    size = (LAST_HORIZON, draws)
    mine = np.array([r.value for r in known if _yearly(r)])
    climate = np.array([r.value for r in pool if _end(r) <= origin])
    benchmarks = {"_noise": rng.standard_normal(size),
                  "naive": mine.mean() + mine.std(ddof=1) * rng.standard_normal(size),
                  "climatology": climate[rng.integers(0, climate.size, size)]}
    drift, _, volatility, _ = fitted.fit.parameters.posteriors["linear"].moments()
    fit = {"indicator": name, "region": region, "origin": origin,
           "lines": [r.line for r in known], "yearly_figures": int(mine.size),
           "drift_mean": float(drift[0]), "volatility_mean": float(volatility),
           "drift_is_own_part": bool(inputs),  # net of a national input's growth
           "naive_mean": float(mine.mean()), "naive_sd": float(mine.std(ddof=1)),
           "climatology_figures": int(climate.size)}
    return paths, benchmarks, fit


def holdout_regions(scenario: Scenario, history: History, *, priors: PriorLibrary,
                    draws: int = 4000, seed: int | None = None) -> RegionsHoldout:
    """Hold out every predecessor region's own growth series at every origin, scored by
    horizon against two benchmarks.

    Each region of ``region.predecessors`` is a unit; its own rows (the history rows tagged
    with it, superseded rows left out, readings of one quantity combined) are its history,
    the scenario's ``region.derive`` not applied. Every indicator of the ``growth`` model
    (without inputs) whose evidence the regions have rows of is calibrated, at every origin
    from the year of a region's :data:`MIN_YEARLY`-th yearly growth figure to the year before
    its last, on the rows of that region dated up to the origin only (nothing later enters a
    forecast), simulated :data:`LAST_HORIZON` years on, and scored on the region's later
    yearly growth figures (``average_growth`` over one year, in ``%/yr``): PIT, 50 % and
    90 % intervals, CRPS and the 90 % interval score, each figure forecast as published (its
    reporting error added to the draws, as :func:`holdout` does).

    The base-year level is not needed: the growth model moves the log level by a drift, a
    noise and (if declared) persistence and jumps, none of which reads the level, so a yearly
    growth rate ``y_t / y_{t-1} - 1`` has the same distribution whatever the level at the
    origin. The level at the origin is therefore an index (:data:`INDEX`), in place of the
    scenario's ``base`` (an assumption or a relation written for its base year, not for a
    region at an earlier origin); levels, changes and averages over several years are not
    scored (listed in ``skipped``). The scenario's shocks and correlations, written for its
    own years, are not applied.

    Benchmarks, from the same rows up to the origin: ``naive``, normal with the region's own
    mean and sample sd of its yearly figures; ``climatology``, the yearly figures of every
    region pooled (the spread across regions and years), resampled. Both get the same
    reporting error as the model.

    Parameters
    ----------
    scenario : Scenario
    history : History
        The rows as read (:func:`forecast.pipeline.scenario_history` with ``resolved=False``):
        the regions' rows with their ``region`` tags, superseded rows included.
    priors : PriorLibrary
    draws : int
        Monte Carlo draws per region and origin.
    seed : int, optional
        Root seed (default: the scenario's). Each region, indicator and origin draws from a
        stream of its own, so the result is the same bit for bit for a given seed.

    Returns
    -------
    RegionsHoldout

    Raises
    ------
    ScenarioError
        If the scenario declares no predecessors, no growth-model indicator has rows of
        theirs, or an indicator cannot be calibrated on a region's rows.
    DataError
        If a region has too few yearly figures to be held out (naming it).
    """
    from forecast.models.base import ComponentError

    spec = scenario.region_spec
    if spec is None:
        file, line = scenario.locate("region")
        raise ScenarioError([Problem(file, line, "region.predecessors", (
            f"'{scenario.region}' declares no predecessors; holding out each region's own "
            "series needs a region assembled from predecessors, region: {name, merged, "
            "predecessors: [...]}, whose rows the history file tags (docs/regions.md)"))])
    seed = scenario.seed if seed is None else seed
    regions = tuple(spec.predecessors)
    skipped: list[tuple[str, str, dict]] = []
    series = _series(scenario, history, regions, skipped)
    if not series:
        raise ScenarioError([Problem(scenario.file, None, "indicators", (
            "no indicator of the growth model names evidence that the rows of "
            f"{', '.join(regions)} give; nothing to hold out"))])
    problems = [p for (name, region), rows in series.items()
                if (p := _too_few(name, region, rows, history.file)) is not None]
    if problems:
        raise DataError(problems)
    readings: dict[tuple, list[int]] = {}
    for row in history.rows:
        if row.status != "superseded":
            readings.setdefault((row.region, row.indicator, row.kind, row.year, row.year_end),
                                []).append(row.line)
    figures: list[PanelFigure] = []
    fits, unread = [], {}
    for (name, region), rows in series.items():
        component = scenario.indicators[name].model_copy(update={"base": INDEX})
        shared = _shared_rows(scenario, component, history)
        national = {i: scenario.indicators[i] for i in component.inputs}
        pool = [r for (other, _), theirs in series.items() if other == name for r in theirs
                if _yearly(r)]
        ends = sorted(_end(r) for r in rows if _yearly(r))
        for origin in range(ends[MIN_YEARLY - 1], ends[-1]):
            try:
                paths, benchmarks, fit = _forecasts(component, name, region, rows, pool,
                                                    origin, priors=priors, draws=draws,
                                                    seed=seed, shared=shared,
                                                    national=national)
            except ComponentError as exc:
                raise ScenarioError([scenario.problem(
                    ("indicators", name, *exc.key.split(".")),
                    f"{exc} (calibrated on the rows of '{region}' up to {origin})")]) from None
            fits.append(fit)
            for row in rows:
                horizon = _end(row) - origin
                if not 0 < horizon <= LAST_HORIZON:
                    continue
                if not _yearly(row):
                    unread[(row.file, row.line)] = row
                    continue
                noise = row.sd * benchmarks["_noise"][horizon - 1]
                values = {"model": statistic(row, paths, origin, component.unit) + noise,
                          **{m: benchmarks[m][horizon - 1] + noise for m in METHODS[1:]}}
                scores = {m: {k: v[0].item() for k, v in forecast_scores(
                    values[m][:, None], np.array([row.value])).items()} for m in METHODS}
                lines = readings[(row.region, row.indicator, row.kind, row.year, row.year_end)]
                figures.append(PanelFigure(origin, held_out(name, row, horizon, values["model"]),
                                           tuple(lines), scores))
    for row in unread.values():
        span = f"{row.year}" + (f"-{row.year_end}" if row.year_end else "")
        skipped.append((f"{row.region} {row.indicator} {row.kind} {span} "
                        f"({row.file}:{row.line})", "hr_not_yearly", {"growth": GROWTH_UNIT}))
    return RegionsHoldout(regions, draws, seed, tuple(_pooled(figures, by_origin=False)),
                          tuple(_pooled(figures, by_origin=True)), tuple(fits),
                          tuple(figures), tuple(skipped))
