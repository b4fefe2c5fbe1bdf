"""What a scenario must hold across its parts, once each part is valid: inputs that exist and
form no cycle, targets and shocks inside the plan's years, references to indicators, levers
and correlations that resolve, names that saved runs keep for themselves, no YAML boolean
turned into a number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from forecast.errors import Problem, ScenarioError, did_you_mean
from forecast.spec.levers import lever_problems

if TYPE_CHECKING:  # pragma: no cover
    from forecast.spec.scenario import Scenario

__all__ = ["RESERVED_NAMES", "cross_part_problems", "dependency_order", "key_parts",
           "scenario_problems"]


def dependency_order(scenario: Scenario) -> list[str]:
    """Indicator names ordered so that every indicator comes after its inputs.

    Raises
    ------
    ScenarioError
        If the inputs form a cycle (the message names it).
    """
    import graphlib

    graph = {name: [i for i in c.inputs if i in scenario.indicators]
             for name, c in scenario.indicators.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise ScenarioError([scenario.problem(("indicators", cycle[0], "inputs"),
                                              "inputs form a cycle: " + " -> ".join(cycle))])


def _cross_check(scenario: Scenario) -> list[Problem]:
    """References between the parts: inputs, targets, breaks, relations, shocks, levers."""
    problems: list[Problem] = []
    names = list(scenario.indicators)
    if scenario.horizon <= scenario.base_year:
        problems.append(scenario.problem(("horizon",), f"horizon {scenario.horizon} must be after "
                                         f"base_year {scenario.base_year}"))
    for name, component in scenario.indicators.items():
        for i, other in enumerate(component.inputs):
            if other not in scenario.indicators:
                problems.append(scenario.problem(("indicators", name, "inputs", i), (
                    f"unknown indicator '{other}'.{did_you_mean(other, names)}")))
            elif other == name:
                problems.append(scenario.problem(("indicators", name, "inputs", i),
                                                 "an indicator cannot be its own input"))
    try:
        dependency_order(scenario)
    except ScenarioError as exc:
        problems.extend(exc.problems)
    seen: set[str] = set()
    for i, target in enumerate(scenario.targets):
        if target.id in seen:
            problems.append(scenario.problem(("targets", i, "id"), f"duplicate id '{target.id}'"))
        seen.add(target.id)
        if target.indicator not in scenario.indicators:
            problems.append(scenario.problem(("targets", i, "indicator"), (
                f"unknown indicator '{target.indicator}'.{did_you_mean(target.indicator, names)}")))
        problem = target.rule.year_problem(target, scenario.base_year, scenario.horizon)
        if problem:
            problems.append(scenario.problem(("targets", i, target.rule.takes), problem))
    for name, component in scenario.indicators.items():
        standard_break = getattr(component, "standard_break", None)
        if standard_break is not None and not (
                scenario.base_year < standard_break.year <= scenario.horizon):
            problems.append(scenario.problem(
                ("indicators", name, "standard_break", "year"),
                f"{standard_break.year} lies outside {scenario.base_year + 1}..{scenario.horizon};"
                " a break before the base year belongs in the base-year level"))
    for name, component in scenario.indicators.items():
        check = getattr(component, "check_years", None)
        if check is not None:
            for key, message in check(scenario.base_year, scenario.horizon):
                problems.append(scenario.problem(("indicators", name, *key_parts(key)), message))
        relation = getattr(component, "base", None)
        if getattr(relation, "relation", None) and relation.to in scenario.indicators and \
                relation.to not in component.inputs:
            problems.append(scenario.problem(("indicators", name, "base", "to"), (
                f"'{relation.to}' is an indicator of the scenario: a base related to it must "
                "list it under 'inputs' (it is simulated first)")))
    problems.extend(_correlation_problems(scenario))
    for i, shock in enumerate(scenario.shocks):
        if shock.indicator not in scenario.indicators:
            problems.append(scenario.problem(("shocks", i, "indicator"), (
                f"unknown indicator '{shock.indicator}'.{did_you_mean(shock.indicator, names)}")))
        if shock.year is not None and not scenario.base_year < shock.year <= scenario.horizon:
            problems.append(scenario.problem(("shocks", i, "year"), (
                f"{shock.year} lies outside {scenario.base_year + 1}..{scenario.horizon}")))
    problems.extend(scenario.problem(path, message) for path, message in lever_problems(
        scenario.levers, scenario.budgets, scenario.indicators, scenario.precedents))
    return problems


RESERVED_NAMES = frozenset({"year", "draw", "target", "quantile", "indicator", "met",
                            "target_quantile", "met_count", "scenario"})
"""Names a saved run gives its own dimensions and variables (with every ``summary_*``): an
indicator may not take one."""


def _reserved_problems(scenario: Scenario) -> list[Problem]:
    return [scenario.problem(("indicators", name), (
        f"'{name}' is a name results.nc uses for its own data (reserved: "
        f"{', '.join(sorted(RESERVED_NAMES))} and anything starting summary_); give the "
        "indicator another name")) for name in scenario.indicators
        if name in RESERVED_NAMES or name.startswith("summary_")]


_MISSING = object()


def _resolved(node: Any, path: tuple) -> Any:
    """What validation made of the value at ``path`` of the document (``_MISSING`` if the
    path does not lead through the validated objects)."""
    for part in path:
        if isinstance(node, BaseModel):
            node = getattr(node, part, _MISSING) if isinstance(part, str) else _MISSING
        elif isinstance(node, dict):
            node = node.get(part, _MISSING)
        elif isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _boolean_problems(raw: Any, scenario: Scenario, path: tuple = ()) -> list[Problem]:
    """A ``true``/``false`` of the file that validation turned into a number (a threshold
    of 1): YAML booleans are not numbers."""
    if isinstance(raw, bool):
        value = _resolved(scenario, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return [scenario.problem(path, f"found {str(raw).lower()}; expected a number "
                                     "(true and false are not numbers)")]
        return []
    items = raw.items() if isinstance(raw, dict) else enumerate(raw) \
        if isinstance(raw, list) else ()
    return [p for key, value in items for p in _boolean_problems(value, scenario, path + (key,))]


def key_parts(key: str) -> tuple:
    """A dotted key path as its parts (``"a.0.b"`` -> ``("a", 0, "b")``)."""
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def _correlation_problems(scenario: Scenario) -> list[Problem]:
    from forecast.correlation import check_correlations

    return [scenario.problem(("correlations", *path), message)
            for path, message in check_correlations(scenario.correlations, scenario.indicators)]


def cross_part_problems(scenario: Scenario) -> list[Problem]:
    """Every problem of a validated ``scenario`` across its parts, and its reserved names."""
    return _reserved_problems(scenario) + _cross_check(scenario)


def scenario_problems(raw: Any, scenario: Scenario) -> list[Problem]:
    """:func:`cross_part_problems`, after any YAML boolean of ``raw`` (the data the scenario
    was validated from) that validation turned into a number."""
    return _boolean_problems(raw, scenario) + cross_part_problems(scenario)
