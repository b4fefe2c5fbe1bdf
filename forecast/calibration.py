"""Calibration: every component of a scenario fitted to its evidence, inputs first.

``calibrate(scenario, history, *, priors)`` is a plain function of its arguments: the history
and the prior library are read by the io layer and passed in; nothing here opens a file.
"""

from __future__ import annotations

from forecast.engine import Model
from forecast.errors import DataError, Problem, ScenarioError
from forecast.io.history import Evidence, History
from forecast.models.base import Component, ComponentError
from forecast.priors.library import PriorLibrary
from forecast.spec.checks import dependency_order
from forecast.spec.scenario import Scenario


def calibrate(scenario: Scenario, history: History, *, priors: PriorLibrary,
              allow_unused: bool = False) -> Model:
    """Calibrate every component of ``scenario`` on ``history``, inputs first.

    Every evidence row a component names is used or refused: a level outside its indicator's
    domain (a share outside 0-1, a rate the model's scale cannot hold, a count beyond its
    units), a change a share cannot make, and (unless ``allow_unused``) a row the reading
    could not use (:func:`unused_rows` lists them) are a :class:`DataError` at the row.

    Parameters
    ----------
    scenario : Scenario
    history : History
        The evidence the scenario's components name.
    priors : PriorLibrary
        Where pooled settings (``{dist: pooled, name: ...}``) take their distributions from
        (:func:`forecast.io.prior_library.load_prior_library`).

    Returns
    -------
    Model

    Raises
    ------
    ScenarioError
        If a component cannot be calibrated (located at its setting in the scenario file,
        e.g. an unknown pooled prior at its ``name``).
    """
    fitted: dict[str, Component] = {}
    for name in dependency_order(scenario):
        component = scenario.indicators[name]
        try:
            fitted[name] = component.calibrate(
                history, base_year=scenario.base_year,
                inputs={i: fitted[i] for i in component.inputs}, priors=priors)
        except ComponentError as exc:
            path = ("indicators", name, *exc.key.split("."))
            raise ScenarioError([scenario.problem(path, str(exc))]) from None
    problems = [p for name in fitted for p in evidence_problems(fitted[name], name,
                                                                allow_unused=allow_unused)]
    if problems:
        raise DataError(problems)
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks),
                 _copula(scenario, fitted))


def unused_rows(component: Component) -> list[tuple[Evidence, str]]:
    """The evidence rows of a calibrated component that its reading could not use, each with
    the reason."""
    fit = getattr(component, "_fit", None)
    reading = getattr(fit, "reading", None)
    if reading is None:
        return []
    by_line = {row.line: row for row in fit.rows}
    return [(by_line[line], why) for line, why in reading.unused if line in by_line]


def evidence_problems(component: Component, name: str, *,
                      allow_unused: bool = False) -> list[Problem]:
    """Why rows of a calibrated component's evidence cannot stand (see :func:`calibrate`)."""
    fit = getattr(component, "_fit", None)
    if fit is None:
        return []
    problems = []
    for row in fit.rows:
        value = row.value_in(component.unit) if row.kind != "average_growth" else None
        problem = None
        if row.kind == "level":
            problem = component.level_problem(value)
            if problem is None and component.unit == "share" and not 0 <= value <= 1:
                problem = "a share lies from 0 to 1 (0 % to 100 %)"
        elif value is not None and component.unit == "share" and \
                abs(value) * max(row.years, 1) > 1:
            problem = "a share cannot change by more than 1 (100 points) in all"
        if problem:
            problems.append(Problem(row.file, row.line, "value", (
                f"{row.value:g} {row.unit} cannot be a {row.kind} of '{name}' ({component.model},"
                f" unit '{component.unit}'): {problem}")))
    if not allow_unused:
        reported = {(p.file, p.line) for p in problems}
        problems += [Problem(row.file, row.line, row.indicator, (
            f"this row of '{name}' cannot be used ({why}); correct it, take it out of "
            "'evidence', or run with --allow-unused to calibrate without it"))
            for row, why in unused_rows(component) if (row.file, row.line) not in reported]
    return problems


def _copula(scenario: Scenario, fitted: dict[str, Component]):
    """The copula of the scenario's correlations, each named input checked against what its
    component draws (a ScenarioError at the name otherwise)."""
    from forecast.correlation import Copula

    copula = Copula.of(scenario.correlations)
    if copula is None:
        return None
    import numpy as np

    drawn = {name: fitted[name].sample(np.random.default_rng(0), 2, 1)
             for name, _ in copula.inputs}
    for missing in copula.missing(drawn):
        index, position = next((i, j) for i, c in enumerate(scenario.correlations)
                               for j, n in enumerate(c.between) if n == missing)
        name = missing.split(".")[0]
        keys = [k for k in drawn[name] if not k.startswith("_")]
        raise ScenarioError([scenario.problem(
            ("correlations", index, "between", position),
            f"'{name}' draws no parameter '{missing.split('.', 1)[1]}'; it draws "
            f"{', '.join(keys)}")])
    return copula
