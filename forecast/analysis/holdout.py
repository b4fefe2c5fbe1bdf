"""Hold out the figures after an origin and score a scenario's forecasts of them.

The check for models with no panel: a region's own series, cut at an origin. The scenario is
calibrated on the evidence dated up to the origin (its base year moved there), simulated, and
every later figure its indicators name as evidence (the history file's rows after the origin,
and the scenario's ``monitoring.observed`` files) is scored: where it falls in the simulated
distribution (its PIT), whether the 50 % and 90 % intervals hold it, and its CRPS. The
forecast is of the figure as published: a row's reporting error (its ``status`` or ``error``)
is added to the simulated values before scoring.

Scored rows: levels and yearly changes in the indicator's unit, and average growth in ``%/yr``
(of the level). An indicator whose base-year level is a stated assumption (a distribution or a
relation, written for the scenario's base year) is scored only at that base year; at an earlier
origin it is skipped, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.analysis.backtest import _scores, _summarise, crps_samples
from forecast.errors import DataError, InputError, Problem, ScenarioError
from forecast.io.history import Evidence, History
from forecast.priors.library import PriorLibrary
from forecast.spec.distributions import Fixed
from forecast.spec.scenario import Scenario

__all__ = ["HeldOut", "Holdout", "PanelFigure", "RegionsHoldout", "holdout", "holdout_regions"]

GROWTH_UNIT = "%/yr"


@dataclass(frozen=True)
class HeldOut:
    """One held-out figure and where it fell.

    Attributes
    ----------
    indicator : str
        The scenario's indicator that names the row as evidence.
    row : Evidence
        The figure (with its file and line).
    horizon : int
        Years after the origin of the figure's (last) year.
    quantiles : tuple of float
        The 5, 25, 50, 75 and 95 % quantiles of the forecast of the published figure.
    pit, crps : float
        Share of draws at or below the figure; CRPS on the figure's scale.
    """

    indicator: str
    row: Evidence
    horizon: int
    quantiles: tuple[float, float, float, float, float]
    pit: float
    crps: float

    @property
    def in50(self) -> bool:
        """Whether the central 50 % interval holds the figure."""
        return self.quantiles[1] <= self.row.value <= self.quantiles[3]

    @property
    def in90(self) -> bool:
        """Whether the central 90 % interval holds the figure."""
        return self.quantiles[0] <= self.row.value <= self.quantiles[4]


@dataclass(frozen=True)
class Holdout:
    """The scores of one origin.

    Attributes
    ----------
    origin : int
    draws, seed : int
    scored : tuple of HeldOut
    skipped : tuple of (str, str, dict)
        Indicators or rows not scored, and why: a message catalog key and its fields
        (:meth:`why`).
    """

    origin: int
    draws: int
    seed: int
    scored: tuple[HeldOut, ...]
    skipped: tuple[tuple[str, str, dict], ...]

    def why(self, lang: str = "en") -> list[tuple[str, str]]:
        """What was not scored and why, in ``lang``."""
        from forecast.messages import message

        return [(what, message(key, lang, **fields)) for what, key, fields in self.skipped]

    def summary(self) -> dict[str, float | int]:
        """Figures scored, the shares the 50 % and 90 % intervals held, and the mean PIT."""
        n = len(self.scored)
        if not n:
            return {"figures": 0}
        return {"figures": n, "coverage50": float(np.mean([h.in50 for h in self.scored])),
                "coverage90": float(np.mean([h.in90 for h in self.scored])),
                "mean_pit": float(np.mean([h.pit for h in self.scored]))}

    def to_dict(self) -> dict:
        """Plain data (for JSON)."""
        return {"origin": self.origin, "draws": self.draws, "seed": self.seed,
                "summary": self.summary(),
                "scored": [{"indicator": h.indicator, "kind": h.row.kind, "year": h.row.year,
                            "year_end": h.row.year_end, "value": h.row.value,
                            "unit": h.row.unit, "status": h.row.status,
                            "where": f"{h.row.file}:{h.row.line}", "horizon": h.horizon,
                            "p05_p25_p50_p75_p95": list(h.quantiles), "pit": h.pit,
                            "in50": h.in50, "in90": h.in90, "crps": h.crps}
                           for h in self.scored],
                "skipped": [{"what": what, "why": why} for what, why in self.why()]}


def _statistic(row: Evidence, path: np.ndarray, origin: int, unit: str) -> np.ndarray | None:
    """The simulated value of what ``row`` reports (draws), or None for a kind or unit this
    check does not read. ``path`` has shape (years from the origin, draws)."""
    if row.kind == "level" and row.unit == unit:
        return path[row.year - origin]
    if row.kind == "change" and row.unit == unit and row.year - 1 >= origin:
        return path[row.year - origin] - path[row.year - 1 - origin]
    if row.kind == "average_growth" and row.unit == GROWTH_UNIT and row.year_end is not None \
            and row.year >= origin:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = path[row.year_end - origin] / path[row.year - origin]
            return 100.0 * (ratio ** (1.0 / (row.year_end - row.year)) - 1.0)
    return None


def _held(name: str, row: Evidence, horizon: int, values: np.ndarray) -> HeldOut:
    """The score of ``row`` against draws of its published value."""
    q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
    return HeldOut(name, row, horizon, tuple(float(v) for v in q),
                   float(np.mean(values <= row.value)),
                   float(crps_samples(values[:, None], np.array([row.value]))[0]))


def holdout(scenario: Scenario, history: History, later: History, *, priors: PriorLibrary,
            origin: int | None = None, draws: int = 4000, seed: int | None = None) -> Holdout:
    """Calibrate ``scenario`` on the evidence up to ``origin`` and score the later figures.

    Parameters
    ----------
    scenario : Scenario
    history : History
        The scenario's evidence (rows after ``origin`` are held out, not used).
    later : History
        Further figures dated after the origin (e.g. the ``monitoring.observed`` files).
    priors : PriorLibrary
    origin : int, optional
        The forecast origin (default: the scenario's base year; not after it).
    draws, seed : int
        Monte Carlo draws; seed (default: the scenario's).

    Returns
    -------
    Holdout

    Raises
    ------
    InputError
        If ``origin`` is after the base year, or no figure after it can be scored.
    """
    from forecast.calibration import calibrate
    from forecast.engine import simulate_paths

    origin = scenario.base_year if origin is None else int(origin)
    if origin < 1900:
        raise InputError.single(f"found {origin}; expected a year from 1900 on", key="origin")
    if origin > scenario.base_year:
        raise InputError.single(f"found {origin}; the origin must not be after the base year "
                                f"{scenario.base_year} (later figures are what is scored)",
                                key="origin")
    seed = scenario.seed if seed is None else seed

    def after(row: Evidence) -> bool:
        return (row.year_end or row.year) > origin

    held_rows = [r for r in history.rows + later.rows if after(r) and r.status != "superseded"]
    last = max([r.year_end or r.year for r in held_rows], default=origin)
    horizon = max(scenario.horizon, last)
    moved = scenario.with_options(base_year=origin, horizon=horizon)
    skipped: list[tuple[str, str, dict]] = []
    names = {}
    for name, component in moved.indicators.items():
        if origin != scenario.base_year and getattr(component, "base", None) is not None:
            skipped.append((name, "ho_assumed_base", {"base_year": scenario.base_year,
                                                      "origin": origin}))
            continue
        for evidence in component.evidence:
            names[evidence] = name
    kept = History(tuple(r for r in history.rows if not after(r)), history.file)
    try:
        model = calibrate(moved, kept, priors=priors, allow_unused=True)
    except (ScenarioError, DataError) as exc:  # say that the origin is why
        raise type(exc)(list(exc.problems) + [Problem(
            None, None, "origin", f"the figures up to {origin} do not calibrate the scenario; "
            "choose a later origin")]) from None
    paths = simulate_paths(model, draws=draws, seed=seed).paths
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(origin, 1)))
    scored = []
    for row in held_rows:
        name = names.get(row.indicator)
        if name is None:
            continue
        unit = moved.indicators[name].unit
        values = _statistic(row, paths[name], origin, unit)
        where = f"{row.indicator} {row.kind} {row.year} ({row.file}:{row.line})"
        if values is None:
            skipped.append((where, "ho_not_read", {"kind": row.kind, "unit": row.unit,
                                                   "own": unit, "growth": GROWTH_UNIT}))
            continue
        values = values + row.sd * rng.standard_normal(values.size)
        scored.append(_held(name, row, (row.year_end or row.year) - origin, values))
    if not scored:
        raise InputError.single(f"no figure after {origin} that an indicator names as evidence "
                                "can be scored (levels and changes in the indicator's unit, "
                                f"growth in {GROWTH_UNIT})", key="origin")
    return Holdout(origin, draws, seed, tuple(scored), tuple(skipped))


# -- every predecessor region's own series --------------------------------------------------

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
                        **_summarise(method, key[2], scores),
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
    left out, readings combined), for every growth-model indicator without inputs whose
    evidence some region has rows of."""
    from forecast.region import combine_readings

    own = {region: combine_readings([r for r in history.rows if r.region == region
                                     and r.status != "superseded"]) for region in regions}
    series = {}
    for name, component in scenario.indicators.items():
        if component.model != "growth" or not component.evidence:
            continue
        if component.inputs:
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


def _forecasts(component, name: str, region: str, rows: list[Evidence], pool: list[Evidence],
               origin: int, *, priors: PriorLibrary, draws: int,
               seed: int) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """The model's paths from ``origin`` (years, draws), the benchmarks' yearly growth in
    %/yr (horizon, draws), the reporting-error draws and the fit's details, all from the
    rows dated up to the origin."""
    from forecast.engine import Model, simulate_paths, stream_key

    known = [r for r in rows if _end(r) <= origin]
    fitted = component.calibrate(History(tuple(known), rows[0].file), base_year=origin,
                                 priors=priors)
    key = (stream_key(region), stream_key(name), origin)
    engine_seed = int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])
    paths = simulate_paths(Model({name: fitted}, origin, origin + LAST_HORIZON), draws=draws,
                           seed=engine_seed).paths[name]
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
        pool = [r for (other, _), theirs in series.items() if other == name for r in theirs
                if _yearly(r)]
        ends = sorted(_end(r) for r in rows if _yearly(r))
        for origin in range(ends[MIN_YEARLY - 1], ends[-1]):
            try:
                paths, benchmarks, fit = _forecasts(component, name, region, rows, pool,
                                                    origin, priors=priors, draws=draws,
                                                    seed=seed)
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
                values = {"model": _statistic(row, paths, origin, component.unit) + noise,
                          **{m: benchmarks[m][horizon - 1] + noise for m in METHODS[1:]}}
                scores = {m: {k: v[0].item() for k, v in _scores(
                    values[m][:, None], np.array([row.value])).items()} for m in METHODS}
                lines = readings[(row.region, row.indicator, row.kind, row.year, row.year_end)]
                figures.append(PanelFigure(origin, _held(name, row, horizon, values["model"]),
                                           tuple(lines), scores))
    for row in unread.values():
        span = f"{row.year}" + (f"-{row.year_end}" if row.year_end else "")
        skipped.append((f"{row.region} {row.indicator} {row.kind} {span} "
                        f"({row.file}:{row.line})", "hr_not_yearly", {"growth": GROWTH_UNIT}))
    return RegionsHoldout(regions, draws, seed, tuple(_pooled(figures, by_origin=False)),
                          tuple(_pooled(figures, by_origin=True)), tuple(fits),
                          tuple(figures), tuple(skipped))
