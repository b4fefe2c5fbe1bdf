"""Mid-plan update: the odds given the figures observed after the base year.

Method (docs/update.md): *re-calibration on the extended evidence plus conditioning of the
latent states*.

1. Parameters. Every component is calibrated again on its history rows plus the observed rows
   of the names it reads (``evidence``), allowed up to the as-of year: the exact posteriors of
   the linear models and the hazard grid then include the observed years (an observed year of
   growth informs the drift, with its reporting error in the likelihood).
2. States. The paths are simulated year by year with the engine's own draws (the same streams
   as ``forecast run``). In an observed year the component's innovation is drawn from its
   conditional distribution given the figure (a Gaussian on the model's scale: the path passes
   through the figure within its reporting error; exactly through it when the error is 0);
   a component without such an innovation (counts, funded shares) is weighted by the figure's
   likelihood instead. Indicators that read an observed one move through their inputs.
3. Weights only where the re-calibrated parameters could not read the figure (e.g. the first
   level after an assumed base-year level, a count on a new unit list): each draw is weighted
   by the figure's predictive density given its past, the effective sample size is recorded,
   and the draws are resampled (systematic) with their future innovations kept per slot, so
   the futures stay distinct. Years the re-calibration reads add no weight, so the weights do
   not degenerate as more years are observed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from forecast.analysis.conditioning import (
    Conditioned,
    Observation,
    last_year,
    simulate_conditioned,
)
from forecast.engine import Model, layout_of
from forecast.errors import (
    DataError,
    InputError,
    ModelError,
    Problem,
    ScenarioError,
    did_you_mean,
)
from forecast.io.history import Evidence, History
from forecast.models.base import Component, ComponentError
from forecast.priors.library import PriorLibrary
from forecast.spec.checks import dependency_order
from forecast.spec.scenario import Scenario
from forecast.summary import (
    KEEP_DRAWS_LIMIT,
    binomial_se,
    exact_counts,
    monitoring_label,
)

# -- reading and checking the observed files ---------------------------------------------------

def _owners(scenario: Scenario) -> dict[str, str]:
    """History name -> scenario indicator: each indicator's own name and its evidence names."""
    owners: dict[str, str] = {}
    for name, component in scenario.indicators.items():
        for evidence in component.evidence:
            owners.setdefault(evidence, name)
    for name in scenario.indicators:
        owners[name] = name
    return owners


def check_observed(scenario: Scenario, history: History, rows: Sequence[Evidence],
                   ) -> list[Observation]:
    """The observations the rows give, or a :class:`DataError` listing every bad row at its
    file, line and key: a row dated at or before the base year or after the horizon, an
    unknown indicator, a kind or unit the model cannot read, a figure given twice."""
    owners = _owners(scenario)
    problems: list[Problem] = []
    out: list[Observation] = []
    seen: dict[tuple[str, int], Evidence] = {}
    in_history = {(r.indicator, r.kind, r.year, r.year_end): r for r in history.rows}
    base, horizon = scenario.base_year, scenario.horizon

    def bad(row: Evidence, key: str, message: str) -> None:
        problems.append(Problem(row.file, row.line, key, message))

    for row in rows:
        name = owners.get(row.indicator)
        if name is None:
            bad(row, "indicator", f"unknown indicator '{row.indicator}': neither an indicator "
                f"of the scenario nor a name one of them reads under 'evidence'."
                f"{did_you_mean(row.indicator, owners)}")
            continue
        if row.year <= base and (row.kind != "average_growth" and row.kind != "average_change"
                                 or last_year(row) <= base):
            bad(row, "year", f"{row.year} is at or before the base year {base}: a figure the "
                "forecast could know belongs in the history file, not in an update")
            continue
        if last_year(row) > horizon:
            bad(row, "year_end" if row.year_end is not None else "year",
                f"{last_year(row)} is after the horizon {horizon}")
            continue
        if row.kind in ("average_growth", "average_change") and row.years != 1:
            bad(row, "year_end", f"an average over {row.years} years cannot condition the yearly "
                "paths; give the figure of each year (a one-year average_growth or a change)")
            continue
        duplicate = in_history.get((row.indicator, row.kind, row.year, row.year_end))
        if duplicate is not None:
            bad(row, row.indicator, f"the history file has this figure already (line "
                f"{duplicate.line} of {duplicate.file}); give it in one place")
            continue
        component = scenario.indicators[name]
        year = last_year(row)
        try:
            value = row.value_in(component.unit)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        scale = value / row.value if row.value else 1.0
        if row.kind == "average_growth":
            kind = "growth"
            if component.scale != "log":
                bad(row, "kind", f"a growth rate of '{name}' ({component.model}) cannot be read "
                    "without its level the year before; give the level")
                continue
        elif row.kind in ("change", "average_change"):
            kind = "change"
        else:
            kind = "level"
            problem = component.level_problem(value)
            if problem is not None:
                bad(row, "value", f"{row.value:g} {row.unit} cannot be a level of '{name}' "
                    f"({component.model}): {problem}")
                continue
        key = (name, year)
        if key in seen:
            first = seen[key]
            bad(row, row.indicator, f"a second figure for '{name}' in {year} (line {first.line} "
                f"of {first.file} has one); give one figure per indicator and year")
            continue
        seen[key] = row
        out.append(Observation(name, year, kind, value, abs(row.sd * scale), row))
    if problems:
        raise DataError(problems)
    return sorted(out, key=lambda o: (o.year, o.indicator))


# -- calibration on the extended evidence ----------------------------------------------------

def recalibrate(scenario: Scenario, history: History, rows: Sequence[Evidence], *,
                until: int, priors) -> Model:
    """:func:`forecast.calibration.calibrate` on the history plus ``rows``, the rows dated up
    to ``until`` allowed; the rows as read, resolved together for the scenario's region
    (:func:`forecast.region.resolve`: a merged region's rows derived from its predecessors')."""
    from forecast.calibration import _copula
    from forecast.region import resolve

    extended = resolve(History(tuple(history.rows) + tuple(rows), history.file),
                       scenario.region_spec)
    fitted: dict[str, Component] = {}
    for name in dependency_order(scenario):
        component = scenario.indicators[name]
        try:
            fitted[name] = component.calibrate(
                extended, base_year=scenario.base_year,
                inputs={i: fitted[i] for i in component.inputs}, priors=priors, until=until)
        except ComponentError as exc:
            raise ScenarioError([scenario.problem(("indicators", name, *exc.key.split(".")),
                                                  str(exc))]) from None
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks),
                 _copula(scenario, fitted))


# -- the update -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Run:
    """One conditioned run: its results, the observations used and the weighting steps."""

    as_of: int
    results: Any  # Results
    observations: tuple[Observation, ...]
    conditioned: Conditioned


def conditioned_run(scenario: Scenario, history: History, observations: Sequence[Observation],
                    *, as_of: int, draws: int, seed: int, priors) -> Run:
    """The run of ``scenario`` given the observations dated up to ``as_of``."""
    from forecast.info import describe_model
    from forecast.results import Results, draws_dataset, provenance

    used = [o for o in observations if o.year <= as_of]
    owners = _owners(scenario)
    model = recalibrate(scenario, history, [o.row for o in used
                                            if o.row.indicator in
                                            scenario.indicators[owners[o.row.indicator]].evidence],
                        until=max(as_of, scenario.base_year), priors=priors)
    used = [dataclasses.replace(o, read=o.row.indicator in model.components[o.indicator].evidence
                                and o.year in model.components[o.indicator].read_years())
            for o in used]
    try:
        conditioned = simulate_conditioned(model, used, draws=draws, seed=seed)
    except ModelError as exc:
        name = getattr(exc, "indicator", None)
        if name is None or name not in scenario.indicators:
            raise
        raise ScenarioError([scenario.problem(("indicators", name), str(exc))]) from None
    info = describe_model(scenario, model)
    counts = exact_counts(layout_of(model, scenario.targets), conditioned.paths)
    kept = draws_dataset(conditioned.paths, conditioned.parameters, info, scenario.years)
    results = Results(counts, targets=scenario.targets, info=info,
                      provenance=provenance(scenario, seed=seed), years=scenario.years,
                      draws=kept)
    return Run(as_of, results, tuple(used), conditioned)


def _paired(now: np.ndarray, then: np.ndarray, draws_effective: float) -> tuple[float, float]:
    difference = now.astype(float) - then.astype(float)
    se = float(np.std(difference, ddof=1) / math.sqrt(draws_effective)) if now.size > 1 else 0.0
    return float(difference.mean()), se


@dataclasses.dataclass(frozen=True)
class Update:
    """What ``forecast update`` answers (see :meth:`to_json` for ``update.json``)."""

    scenario: Scenario
    as_of: int
    now: Run
    base: Run
    baseline: Run | None
    path: tuple[Run, ...]

    @property
    def results(self):
        """The results given the figures up to :attr:`as_of`, with monitoring labels."""
        return self.now.results

    @property
    def ess(self) -> float:
        """Effective sample size of the update (the draws when nothing was weighted)."""
        ess = self.now.conditioned.ess
        return float(self.now.results.draws if ess is None else ess)

    def changes(self) -> list[dict[str, Any]]:
        """Per target: the probability at the base year and now, their paired difference, and
        the parts due to the new figures and to a change of the scenario file."""
        now, base = self.now.results, self.base.results
        start = self.baseline.results if self.baseline is not None else base
        out = []
        for target in now.targets:
            met_now = now.met(target.id)
            met_base = base.met(target.id)
            figures = _paired(met_now, met_base, self.ess)
            scenario_part = (_paired(met_base, start.met(target.id), float(base.draws))
                             if self.baseline is not None else (0.0, 0.0))
            total = _paired(met_now, start.met(target.id), self.ess)
            p_start = float(start.met(target.id).mean())
            out.append({"target": target.id, "probability_base_year": p_start,
                        "probability_base_year_se": binomial_se(p_start, start.draws),
                        "probability_now": float(met_now.mean()),
                        "probability_now_se": binomial_se(float(met_now.mean()), self.ess),
                        "difference": total[0], "difference_se": total[1],
                        "due_to_figures": figures[0], "due_to_figures_se": figures[1],
                        "due_to_scenario": scenario_part[0],
                        "due_to_scenario_se": scenario_part[1]})
        return out

    def path_records(self) -> list[dict[str, Any]]:
        """The probability of each target as of each year, base year to :attr:`as_of`."""
        monitoring = self.scenario.monitoring
        out = []
        for run in self.path:
            ess = run.conditioned.ess or float(run.results.draws)
            for t in run.results.summary.targets:
                out.append({"as_of": run.as_of, "target": t.id, "probability": t.probability,
                            "probability_se": binomial_se(t.probability, ess),
                            "label": monitoring_label(t.probability,
                                                      on_track=monitoring.on_track,
                                                      off_track=monitoring.off_track),
                            "observed": len(run.observations), "ess": ess})
        return out

    def outputs(self) -> dict[str, Any]:
        """The files of the update's folder: those of a run (the observed years marked in
        ``results.nc``) and ``update.json``."""
        contents = self.results.outputs()
        dataset = contents["results.nc"]
        observed: dict[str, list[int]] = {}
        for o in self.now.observations:
            observed.setdefault(o.indicator, []).append(o.year)
        for name, years in observed.items():
            if name in dataset:
                dataset[name].attrs["observed_years"] = np.array(sorted(years), dtype="int64")
        dataset.attrs["as_of"] = self.as_of
        contents["update.json"] = self.to_json()
        return contents

    def to_json(self) -> dict[str, Any]:
        monitoring = self.scenario.monitoring
        return {
            "scenario": self.scenario.name, "base_year": self.scenario.base_year,
            "as_of": self.as_of, "draws": self.now.results.draws, "seed": self.now.results.seed,
            "method": "re-calibration on the extended evidence plus conditioning of the "
                      "latent states; weights (with systematic resampling) only where the "
                      "re-calibration cannot read a figure",
            "effective_sample_size": self.ess,
            "weighting": list(self.now.conditioned.steps),
            "thresholds": {"on_track": monitoring.on_track, "off_track": monitoring.off_track},
            "baseline": None if self.baseline is None else {
                "scenario": self.baseline.results.scenario_name,
                "scenario_sha256": self.baseline.results.provenance.get("scenario_sha256")},
            "observed": [o.to_json() for o in self.now.observations],
            "targets": [{**change, **_monitoring_record(t)} for change, t in
                        zip(self.changes(), self.results.summary.targets)],
            "path": self.path_records(),
        }


def _monitoring_record(t) -> dict[str, Any]:
    return {"label": t.label, "observed_year": t.observed_year,
            "required_from_observed": t.required_from_observed,
            "observed_rate": t.observed_rate, "rate_kind": t.rate_kind, "unit": t.unit}


def _rates(run: Run, target, scenario: Scenario) -> tuple[int | None, float | None, float | None]:
    """(last observed year of the target's indicator, the rate required from it, the rate
    observed from the base year to it), from the medians of the conditioned draws."""
    name = target.indicator
    years = [o.year for o in run.observations if o.indicator == name]
    if not years:
        return None, None, None
    last = max(years)
    results = run.results
    path = results.path(name)
    base_year = scenario.base_year
    offset = last - base_year
    component = results.info[name]
    rate_kind = component.rate_kind
    rule = target.rule
    level = float(np.median(path[offset]))
    start_year, start = base_year, path[0]
    model_component = scenario.indicators[name]
    for merger in getattr(model_component, "mergers", ()):
        key = f"{name}.kept_{merger.year}"
        if base_year < merger.year <= last and key in results.dataset:
            kept = results.dataset[key].values
            units = model_component.units_in(merger.year)
            start = np.clip(np.round(path[merger.year - base_year - 1] * kept), 0, units)
            start_year = merger.year - 1  # the stock mapped onto the new list
    span = last - start_year
    with np.errstate(all="ignore"):
        if rate_kind == "growth":
            observed = float(np.median((path[offset] / start) ** (1.0 / span) - 1.0))
        else:
            observed = float(np.median((path[offset] - start) / span))
    if target.kind == "level":
        required = rule.required_rate(target, level, last, rate_kind)
    elif target.kind in ("average_change", "growth"):
        begin = float(np.median(path[target.first_year - 1 - base_year]))
        end = float(rule.pace(begin, target.threshold, np.array([target.years]))[0])
        remaining = target.last_year - last
        if remaining <= 0:
            required = math.nan
        elif rate_kind == "growth" and level > 0 and end > 0:
            required = (end / level) ** (1.0 / remaining) - 1.0
        else:
            required = (end - level) / remaining
        if rule.quantity_scale() == "growth" and rate_kind != "growth":
            required = math.nan
    else:  # cumulative: the yearly growth that makes up what is left of the sum
        from scipy.optimize import brentq

        done = float(np.median(path[target.first_year - base_year: offset + 1].sum(axis=0))) \
            if last >= target.first_year else 0.0
        left = target.threshold - done
        offsets = np.arange(max(target.first_year, last + 1), target.last_year + 1) - last

        def gap(rate: float) -> float:
            return float(level * np.sum((1.0 + rate) ** offsets) - left)
        try:
            required = brentq(gap, -0.99, 10.0) if offsets.size and level > 0 else math.nan
        except ValueError:
            required = math.nan
    return last, float(required), observed


def label_results(run: Run, scenario: Scenario) -> None:
    """Give every target of ``run`` its monitoring label, its required and observed rates,
    and a standard error on the effective sample size (in place: ``results.summary``)."""
    monitoring = scenario.monitoring
    results = run.results
    ess = run.conditioned.ess or float(results.draws)
    targets = []
    for target, summary in zip(scenario.targets, results.summary.targets):
        observed_year, required, observed = _rates(run, target, scenario)
        targets.append(dataclasses.replace(
            summary, probability_se=binomial_se(summary.probability, ess),
            label=monitoring_label(summary.probability, on_track=monitoring.on_track,
                                   off_track=monitoring.off_track),
            observed_year=observed_year, required_from_observed=required,
            observed_rate=observed))
    results.summary = dataclasses.replace(results.summary, targets=tuple(targets))


def update_odds(scenario: Scenario, history: History, observed: Sequence[Evidence], *,
                priors: PriorLibrary, as_of: int | None = None, draws: int | None = None,
                seed: int | None = None, baseline: Scenario | None = None,
                baseline_history: History | None = None) -> Update:
    """The odds of the scenario's targets given the figures observed after its base year.

    Everything comes in as values (:func:`forecast.pipeline.update` reads the files).

    Parameters
    ----------
    scenario : Scenario
    history : History
        Its evidence as read (``resolved=False``: predecessor rows with their region tags).
    observed : sequence of Evidence
        The figures observed after the base year (rows in the history format).
    priors : PriorLibrary
    as_of : int, optional
        Use only figures dated up to this year (default: the latest observed year).
    draws, seed : int, optional
        Override the scenario's (at most 200,000 draws: the update keeps every draw).
    baseline : Scenario, optional
        The scenario as it stood at the base year, when it has changed since: the change of
        each probability is split into the part due to the new figures and the part due to
        the file; ``baseline_history`` is its evidence (default: ``history``).

    Returns
    -------
    Update

    Raises
    ------
    DataError
        At the file, line and key of a bad observed row (nothing is simulated).
    """
    draws = scenario.draws if draws is None else int(draws)
    seed = scenario.seed if seed is None else int(seed)
    if draws > KEEP_DRAWS_LIMIT:
        raise InputError.single(f"an update keeps every draw; at most {KEEP_DRAWS_LIMIT:,} "
                                f"draws (found {draws:,})", key="draws")
    observations = check_observed(scenario, history, observed)
    latest = max((o.year for o in observations), default=scenario.base_year)
    as_of = latest if as_of is None else int(as_of)
    if as_of < scenario.base_year:
        raise InputError.single(f"{as_of} is before the base year {scenario.base_year}",
                                key="as_of")
    observations = [o for o in observations if o.year <= as_of]
    last = max((o.year for o in observations), default=scenario.base_year)

    def run(year: int) -> Run:
        return conditioned_run(scenario, history, observations, as_of=year, draws=draws,
                               seed=seed, priors=priors)

    path = [run(year) for year in range(scenario.base_year, last + 1)]
    now = path[-1] if last == as_of else run(as_of)
    if now is not path[-1]:
        path.append(now)
    for item in path:
        label_results(item, scenario)
    start = None
    if baseline is not None:
        if baseline.base_year != scenario.base_year or [t.id for t in baseline.targets] != \
                [t.id for t in scenario.targets]:
            raise InputError.single("the baseline scenario must have the same base year and "
                                    "targets as the scenario", key="baseline")
        start = conditioned_run(baseline, history if baseline_history is None
                                else baseline_history, [], as_of=baseline.base_year,
                                draws=draws, seed=seed, priors=priors)
    return Update(scenario, as_of, now, path[0], start, tuple(path))


__all__ = ["Observation", "Update", "check_observed", "conditioned_run",
           "simulate_conditioned", "update_odds"]
