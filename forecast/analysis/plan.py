"""What it would take, for the whole plan: the cheapest setting of the costed levers that gives
every chosen target (or all of them together) a chosen probability.

The scenario is calibrated once and every trial re-simulates it with the same seed
(:class:`~forecast.analysis.trials.Trials`: common random numbers), so probabilities at two
settings differ only because the levers moved. The exact Monte Carlo probability is a step
function of the levers; the optimiser (``scipy.optimize.minimize``, COBYQA, derivative-free,
with bounds, the linear budget limits and the probability constraints) works on a smoothed one,
``mean Phi((quantity - threshold) / h)`` with ``h`` 5 % of the quantity's spread, which differs
from the exact one by less than the Monte Carlo error near the answer. The probabilities reported
are always the exact Monte Carlo estimates at the returned setting; if one falls short of the
wanted probability, the setting is moved towards the best reachable one (bisection on the segment,
exact estimates) until none does. Integer levers are searched over every whole value in their
range, the continuous levers optimised for each. A setting that misses is never an answer: then
the result says it is infeasible, with the best reachable probabilities.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecast.analysis.precedent import Pace, paces
from forecast.analysis.trials import Trials, check_probability, check_targets
from forecast.errors import InputError, did_you_mean
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario
from forecast.summary import binomial_se

MAX_COMBINATIONS = 400
"""Most settings of the integer levers searched."""
REPAIR_STEPS = 24
"""Bisection steps of the repair."""


@dataclass(frozen=True)
class TargetOutcome:
    """One chosen target at the answer (or at the best reachable setting).

    ``required_rate`` is the constant yearly rate that just reaches the target, ``implied_rate``
    the rate of the median draw at the setting (both on ``rate_kind``); ``pace`` the fastest
    pace the declared panel shows over a period of the same length (None: no panel).
    """

    target: str
    probability: float
    probability_se: float
    smoothed: float
    required_rate: float
    implied_rate: float
    rate_kind: str
    moved: bool
    pace: Pace | None


@dataclass(frozen=True)
class Plan:
    """The answer of :func:`plan`.

    Attributes
    ----------
    feasible : bool
        Whether a setting within the levers' ranges and the budgets reaches ``probability``.
    setting : dict
        Lever -> value at the answer; when infeasible, the best reachable setting (not an
        answer: it misses).
    cost : float
        Cost a year of ``setting`` (the scenario's money unit); ``cost_by_group`` per budget.
    outcomes : list of TargetOutcome
        Each chosen target's exact probability ± s.e. at ``setting``.
    joint_probability, joint_probability_se : float
        The exact probability that all chosen targets are reached together, at ``setting``.
    binding : list of str
        The constraints that hold the answer where it is.
    """

    scenario: str
    probability: float
    targets: list[str]
    joint: bool
    feasible: bool
    setting: dict[str, float]
    cost: float
    cost_by_group: dict[str, float]
    budgets: dict[str, float]
    outcomes: list[TargetOutcome]
    joint_probability: float
    joint_probability_se: float
    binding: list[str]
    message: str
    draws: int
    seed: int
    simulations: int
    held: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json`` and ``plan.json``."""
        data = dataclasses.asdict(self)
        for outcome in data["outcomes"]:
            for key, value in list(outcome.items()):
                if isinstance(value, float) and not math.isfinite(value):
                    outcome[key] = None
        return data


def parse_budgets(scenario: Scenario, given: Mapping[str, Any] | Sequence[str]) -> dict[str, float]:
    """Budget limits: the scenario's, with ``given`` (name -> value, or ``NAME=VALUE`` texts)
    replacing them.

    Raises
    ------
    InputError
        At ``budget``, if a name is not a budget of the scenario or a value is not a finite,
        non-negative number.
    """
    limits = {name: budget.limit for name, budget in scenario.budgets.items()}
    items = given.items() if isinstance(given, Mapping) else []
    if not isinstance(given, Mapping):
        pairs = []
        for text in given:
            name, sep, value = str(text).partition("=")
            if not sep:
                raise InputError.single(f"found '{text}'; expected NAME=VALUE (e.g. "
                                        f"{next(iter(limits), 'district')}=150)", key="budget")
            pairs.append((name.strip(), value.strip()))
        items = pairs
    for name, value in items:
        if name not in limits:
            raise InputError.single(
                f"unknown budget '{name}'.{did_you_mean(name, limits)} Budgets of this "
                f"scenario: {', '.join(limits) or 'none (declare them under budgets:)'}",
                file=scenario.file, key="budget")
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number) or number < 0:
            raise InputError.single(f"budget {name}: found '{value}'; expected a non-negative "
                                    "number (a yearly limit in the scenario's money unit)",
                                    key="budget")
        limits[name] = number
    return limits


def _unit_costs(scenario: Scenario, runs: Trials, levers: Sequence[str]) -> dict[str, float]:
    """Cost a year per unit of each lever: ``per_unit``, times the mean yearly value over the
    plan years of its indicator at the scenario's settings, if it names one."""
    indicators = {scenario.levers[name].cost.indicator for name in levers} - {None}
    means: dict[str, float] = {}
    if indicators:
        paths = runs.paths({})
        means = {name: float(np.nanmean(paths[name][1:])) for name in indicators}
    out = {}
    for name in levers:
        cost = scenario.levers[name].cost
        out[name] = cost.per_unit * (means[cost.indicator] if cost.indicator else 1.0)
    return out


class _Problem:
    """The optimisation in scaled coordinates ``z`` in [0, 1] per continuous lever."""

    def __init__(self, scenario: Scenario, runs: Trials, targets: list[str], probability: float,
                 joint: bool, levers: list[str], unit_costs: Mapping[str, float],
                 limits: Mapping[str, float]):
        self.scenario, self.runs, self.targets = scenario, runs, targets
        self.probability, self.joint, self.levers = probability, joint, levers
        self.unit_costs, self.limits = unit_costs, limits
        self.groups = {g: [n for n in levers if scenario.levers[n].cost.group == g]
                       for g in limits}
        self.moving = list(targets)
        """The targets the levers move (the best reachable setting is sought for these)."""

    def cost(self, setting: Mapping[str, float]) -> float:
        return float(sum(self.unit_costs[n] * setting[n] for n in self.levers))

    def group_costs(self, setting: Mapping[str, float]) -> dict[str, float]:
        return {g: float(sum(self.unit_costs[n] * setting[n] for n in names))
                for g, names in self.groups.items()}

    def within_budgets(self, setting: Mapping[str, float]) -> bool:
        costs = self.group_costs(setting)
        return all(costs[g] <= limit * (1 + 1e-9) + 1e-12 for g, limit in self.limits.items())

    def exact_ok(self, setting: Mapping[str, float]) -> bool:
        if self.joint:
            return self.runs.joint(setting, self.targets) >= self.probability
        p = self.runs.probabilities(setting)
        return all(p[t] >= self.probability for t in self.targets)

    def worst_smoothed(self, setting: Mapping[str, float],
                       targets: Sequence[str] | None = None) -> float:
        targets = list(targets or self.targets)
        if self.joint:
            return self.runs.smoothed_joint(setting, targets)
        p = self.runs.smoothed(setting)
        return min(p[t] for t in targets)

    def setting(self, z: np.ndarray, fixed: Mapping[str, float], free: list[str]) -> dict:
        out = dict(fixed)
        for name, value in zip(free, np.clip(z, 0.0, 1.0)):
            lever = self.scenario.levers[name]
            out[name] = float(lever.low + value * (lever.high - lever.low))
        return out

    def _linear_budgets(self, fixed: Mapping[str, float], free: list[str], extra: int = 0):
        from scipy.optimize import LinearConstraint

        rows, upper = [], []
        for group, limit in self.limits.items():
            row = []
            spent = sum(self.unit_costs[n] * fixed[n] for n in self.groups[group] if n in fixed)
            offset = spent
            for name in free:
                lever = self.scenario.levers[name]
                c = self.unit_costs[name] if name in self.groups[group] else 0.0
                row.append(c * (lever.high - lever.low))
                offset += c * lever.low
            rows.append(row + [0.0] * extra)
            upper.append(limit - offset)
        if not rows:
            return []
        return [LinearConstraint(np.array(rows), -np.inf, np.array(upper))]

    def best_reachable(self, fixed: Mapping[str, float], free: list[str]) -> dict[str, float]:
        """The setting that maximises the worst chosen target's smoothed probability (the
        joint one with ``joint``) within the ranges and budgets."""
        from scipy.optimize import Bounds, NonlinearConstraint, minimize

        top = self.setting(np.ones(len(free)), fixed, free)
        if self.within_budgets(top) or not free:
            return top
        n = len(free)
        if self.joint:
            result = minimize(lambda z: -self.worst_smoothed(self.setting(z, fixed, free)),
                              np.full(n, 0.5), method="COBYQA", bounds=Bounds(0, 1),
                              constraints=self._linear_budgets(fixed, free),
                              options={"maxfev": 200 * n, "initial_tr_radius": 0.25})
            return self.setting(result.x, fixed, free)
        # maximise t subject to p_j(z) >= t over the targets the levers move: variables (z, t)
        moving = self.moving or self.targets

        def gaps(v):
            p = self.runs.smoothed(self.setting(v[:n], fixed, free))
            return np.array([p[t] for t in moving]) - v[n]
        result = minimize(lambda v: -v[n], np.append(np.full(n, 0.5), 0.0), method="COBYQA",
                          bounds=Bounds(0, 1),
                          constraints=[NonlinearConstraint(gaps, 0, np.inf)]
                          + self._linear_budgets(fixed, free, extra=1),
                          options={"maxfev": 200 * (n + 1), "initial_tr_radius": 0.25})
        return self.setting(result.x[:n], fixed, free)

    def cheapest(self, fixed: Mapping[str, float], free: list[str],
                 start: Mapping[str, float]) -> dict[str, float]:
        """The cheapest setting whose smoothed probabilities reach the wanted one."""
        from scipy.optimize import Bounds, NonlinearConstraint, minimize

        if not free:
            return dict(fixed)
        n = len(free)
        scale = max(self.cost(self.setting(np.ones(n), fixed, free)), 1e-12)
        if self.joint:
            def gaps(z):
                return np.array([self.worst_smoothed(self.setting(z, fixed, free))
                                 - self.probability])
        else:
            def gaps(z):
                p = self.runs.smoothed(self.setting(z, fixed, free))
                return np.array([p[t] for t in self.targets]) - self.probability
        z0 = np.array([(start[name] - self.scenario.levers[name].low)
                       / max(self.scenario.levers[name].high - self.scenario.levers[name].low,
                             1e-300) for name in free])
        result = minimize(lambda z: self.cost(self.setting(z, fixed, free)) / scale, z0,
                          method="COBYQA", bounds=Bounds(0, 1),
                          constraints=[NonlinearConstraint(gaps, 0, np.inf)]
                          + self._linear_budgets(fixed, free),
                          options={"maxfev": 200 * n, "initial_tr_radius": 0.25,
                                   "final_tr_radius": 1e-6})
        return self.setting(result.x, fixed, free)

    def repair(self, setting: Mapping[str, float], best: Mapping[str, float]) -> dict[str, float]:
        """``setting`` moved towards ``best`` (exactly feasible) just far enough that the exact
        estimates reach the wanted probability (bisection on the segment; the probabilities
        are taken not to fall as the levers move towards ``best``)."""
        if self.exact_ok(setting):
            return dict(setting)

        def at(t: float) -> dict[str, float]:
            return {n: float(setting[n] + t * (best[n] - setting[n])) for n in setting}

        low, high = 0.0, 1.0
        for _ in range(REPAIR_STEPS):
            middle = 0.5 * (low + high)
            if self.exact_ok(at(middle)):
                high = middle
            else:
                low = middle
        return at(high)


def plan(scenario: Scenario, *, probability: float = 0.8, targets: Sequence[str] | str = "all",
         joint: bool = False, budgets: Mapping[str, Any] | Sequence[str] = (),
         draws: int | None = None, seed: int | None = None,
         priors: PriorLibrary | None = None) -> Plan:
    """The cheapest setting of the scenario's costed levers at which every chosen target (with
    ``joint``: all of them together) is reached with ``probability``.

    Parameters
    ----------
    scenario : Scenario
        The scenario; levers with a ``cost:`` are moved, the others keep their values.
    probability : float
        The probability wanted, in (0, 1).
    targets : "all" or sequence of str
        The targets that must reach it.
    joint : bool
        Ask for the probability that all of them are reached in the same draw.
    budgets : mapping or sequence of "NAME=VALUE"
        Yearly limits replacing the scenario's ``budgets:``.
    draws, seed : int, optional
        Override the scenario's.
    priors : PriorLibrary, optional
        Where pooled priors and the panels of ``precedents:`` come from (default: the library
        shipped in the package).

    Returns
    -------
    Plan
    """
    from forecast.pipeline import prior_library

    priors = prior_library(priors)
    probability = check_probability(probability)
    if isinstance(targets, str):
        targets = [t.id for t in scenario.targets] if targets.strip() == "all" else \
            [t.strip() for t in targets.split(",") if t.strip()]
    chosen = check_targets(scenario, targets)
    limits = parse_budgets(scenario, budgets)
    levers = [name for name, lever in scenario.levers.items() if lever.cost is not None]
    if not levers:
        raise InputError.single("no lever of this scenario declares a cost; give levers a "
                                "'cost:' to plan with them", file=scenario.file, key="levers")
    held = {name: lever.value for name, lever in scenario.levers.items() if name not in levers}
    runs = Trials(scenario, chosen, draws=draws, seed=seed, priors=priors)
    problem = _Problem(scenario, runs, chosen, probability, joint, levers,
                       _unit_costs(scenario, runs, levers), limits)
    integer = [n for n in levers if scenario.levers[n].integer]
    free = [n for n in levers if n not in integer]
    lows = {n: scenario.levers[n].low for n in levers}
    highs = {n: scenario.levers[n].high for n in levers}
    runs.fix_bandwidths(highs)
    ranges = [range(int(scenario.levers[n].low), int(scenario.levers[n].high) + 1)
              for n in integer]
    count = math.prod(len(r) for r in ranges)
    if count > MAX_COMBINATIONS:
        raise InputError.single(f"the integer levers {', '.join(integer)} have {count} "
                                f"settings together; at most {MAX_COMBINATIONS} are searched",
                                file=scenario.file, key="levers")
    moved = {t: runs.probabilities(highs)[t] != runs.probabilities(lows)[t] for t in chosen}
    problem.moving = [t for t in chosen if moved[t]]
    answer: dict[str, float] | None = None
    best_seen: dict[str, float] | None = None
    for values in itertools.product(*ranges):
        fixed = {n: float(v) for n, v in zip(integer, values)}
        if not problem.within_budgets({**fixed, **{n: scenario.levers[n].low for n in free}}):
            continue
        if answer is not None and problem.cost({**fixed, **{n: lows[n] for n in free}}) >= \
                problem.cost(answer):
            continue
        best = problem.best_reachable(fixed, free)
        if not problem.exact_ok(best):
            if best_seen is None or problem.worst_smoothed(best, problem.moving) > \
                    problem.worst_smoothed(best_seen, problem.moving):
                best_seen = best
            continue
        candidate = problem.repair(problem.cheapest(fixed, free, best), best)
        if not problem.within_budgets(candidate) or not problem.exact_ok(candidate):
            candidate = best
        if answer is None or problem.cost(candidate) < problem.cost(answer):
            answer = candidate
    feasible = answer is not None
    setting = answer if feasible else (best_seen or dict(lows))
    return _report(scenario, problem, runs, setting, feasible, moved, held, priors)


def _report(scenario: Scenario, problem: _Problem, runs: Trials, setting: dict[str, float],
            feasible: bool, moved: Mapping[str, bool], held: Mapping[str, float],
            priors: PriorLibrary) -> Plan:
    from forecast.pipeline import simulate

    wanted, chosen = problem.probability, problem.targets
    summary = simulate(scenario.with_levers(setting), draws=runs.draws, seed=runs.seed,
                       model=runs.model_at(setting), keep_draws=True).summary
    exact = runs.probabilities(setting)
    smoothed = runs.smoothed(setting)
    found = paces(scenario, chosen, summary, priors)
    outcomes = []
    for t in chosen:
        row = summary.target(t)
        outcomes.append(TargetOutcome(t, exact[t], binomial_se(exact[t], runs.draws),
                                      smoothed[t], row.required_rate, row.achieved_rate,
                                      row.rate_kind, moved[t], found.get(t)))
    joint_p = runs.joint(setting, chosen)
    joint_se = binomial_se(joint_p, runs.draws)
    binding = _binding(scenario, problem, setting, outcomes, joint_p, joint_se) if feasible \
        else []
    cost = problem.cost(setting)
    values = ", ".join(f"{n} = {setting[n]:.4g}" for n in problem.levers)
    if feasible:
        message = (f"cheapest setting giving {'all chosen targets together' if problem.joint else 'every chosen target'}"
                   f" at least {_percent(wanted, 0)}: {values}; cost {cost:,.4g} a year")
    else:
        short = [o.target for o in outcomes if o.probability < wanted]
        still = [t for t in short if not moved[t]]
        message = (f"infeasible: no setting of the costed levers within their ranges and the "
                   f"budgets gives {'all chosen targets together' if problem.joint else 'every chosen target'} "
                   f"{_percent(wanted, 0)}; the best reachable ({values}) gives "
                   + (f"{_percent(joint_p, 1)} together" if problem.joint else
                      ", ".join(f"{o.target} {_percent(o.probability, 1)}" for o in outcomes))
                   + (f"; no lever moves {', '.join(still)}" if still else ""))
    return Plan(scenario=scenario.name, probability=wanted, targets=list(chosen),
                joint=problem.joint, feasible=feasible, setting=dict(setting), cost=cost,
                cost_by_group=problem.group_costs(setting), budgets=dict(problem.limits),
                outcomes=outcomes, joint_probability=joint_p, joint_probability_se=joint_se,
                binding=binding, message=message, draws=runs.draws, seed=runs.seed,
                simulations=runs.simulations, held=dict(held))


def _binding(scenario: Scenario, problem: _Problem, setting: Mapping[str, float],
             outcomes: Sequence[TargetOutcome], joint_p: float, joint_se: float) -> list[str]:
    """Constraints at their limit: a probability within two s.e. (or half a point) of the
    wanted one, a budget spent to within 0.1 %, a lever at the top of its range."""
    wanted = problem.probability
    out = []
    if problem.joint:
        if joint_p - wanted <= max(2 * joint_se, 0.005):
            out.append(f"joint probability {_percent(joint_p, 1)} (wanted {_percent(wanted, 0)})")
    else:
        out += [f"target {o.target}: {_percent(o.probability, 1)} (wanted "
                f"{_percent(wanted, 0)})" for o in outcomes
                if o.probability - wanted <= max(2 * o.probability_se, 0.005)]
    spent = problem.group_costs(setting)
    out += [f"budget {g}: {spent[g]:,.4g} of {limit:,.4g} a year" for g, limit in
            problem.limits.items() if limit > 0 and spent[g] >= limit * 0.999]
    for name in problem.levers:
        lever = scenario.levers[name]
        if setting[name] >= lever.high - 1e-3 * (lever.high - lever.low):
            out.append(f"lever {name} at the top of its range ({lever.high:g})")
    return out


def _percent(share: float, decimals: int) -> str:
    """A share in English as the rest of the tool writes it (``80.0 %``)."""
    from forecast.formatting import percent

    return percent(share, decimals, "en")


__all__ = ["Plan", "TargetOutcome", "parse_budgets", "plan"]
