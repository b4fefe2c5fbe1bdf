"""Calibration: every component of a scenario fitted to its evidence, inputs first.

``calibrate(scenario, history, *, priors)`` is a plain function of its arguments: the history
and the prior library are read by the io layer and passed in; nothing here opens a file.
"""

from __future__ import annotations

from forecast.engine import Model
from forecast.errors import ScenarioError
from forecast.io.history import History
from forecast.models.base import Component, ComponentError
from forecast.spec.scenario import Scenario, dependency_order


def calibrate(scenario: Scenario, history: History) -> Model:
    """Calibrate every component of ``scenario`` on ``history``, inputs first.

    Raises
    ------
    ScenarioError
        If a component cannot be calibrated (located at its setting in the scenario file).
    """
    fitted: dict[str, Component] = {}
    for name in dependency_order(scenario):
        component = scenario.indicators[name]
        try:
            fitted[name] = component.calibrate(
                history, base_year=scenario.base_year,
                inputs={i: fitted[i] for i in component.inputs})
        except ComponentError as exc:
            raise ScenarioError([scenario.problem(("indicators", name, exc.key), str(exc))])
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks))


