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

from forecast.analysis.scores import crps_samples
from forecast.errors import DataError, InputError, Problem, ScenarioError
from forecast.io.history import Evidence, History
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario

__all__ = ["HeldOut", "Holdout", "holdout"]

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


def statistic(row: Evidence, path: np.ndarray, origin: int, unit: str) -> np.ndarray | None:
    """The simulated value of what ``row`` reports.

    Parameters
    ----------
    row : Evidence
        A held-out figure: a level or a yearly change in ``unit``, or an average growth in
        ``%/yr``.
    path : ndarray, shape (years from the origin, draws)
        Simulated levels, the origin's first.
    origin : int
    unit : str
        The indicator's unit.

    Returns
    -------
    ndarray of shape (draws,), or None
        None for a kind or unit this check does not read.
    """
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


def held_out(name: str, row: Evidence, horizon: int, values: np.ndarray) -> HeldOut:
    """The score of ``row`` against draws of its published value.

    Parameters
    ----------
    name : str
        The indicator that names the row as evidence.
    row : Evidence
    horizon : int
        Years after the origin.
    values : ndarray, shape (draws,)
        Draws of the published figure (the reporting error added).

    Returns
    -------
    HeldOut
    """
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
        values = statistic(row, paths[name], origin, unit)
        where = f"{row.indicator} {row.kind} {row.year} ({row.file}:{row.line})"
        if values is None:
            skipped.append((where, "ho_not_read", {"kind": row.kind, "unit": row.unit,
                                                   "own": unit, "growth": GROWTH_UNIT}))
            continue
        values = values + row.sd * rng.standard_normal(values.size)
        scored.append(held_out(name, row, (row.year_end or row.year) - origin, values))
    if not scored:
        raise InputError.single(f"no figure after {origin} that an indicator names as evidence "
                                "can be scored (levels and changes in the indicator's unit, "
                                f"growth in {GROWTH_UNIT})", key="origin")
    return Holdout(origin, draws, seed, tuple(scored), tuple(skipped))
