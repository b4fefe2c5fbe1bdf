"""Calibration: every component of a scenario fitted to its evidence, inputs first.

``calibrate(scenario, history, *, priors)`` is a plain function of its arguments: the history
and the prior library are read by the io layer and passed in; nothing here opens a file.
"""

from __future__ import annotations

from forecast.engine import Model
from forecast.errors import ScenarioError
from forecast.io.history import History
from forecast.models.base import Component, ComponentError
from forecast.priors.library import PriorLibrary
from forecast.spec.scenario import Scenario, dependency_order


def calibrate(scenario: Scenario, history: History, *, priors: PriorLibrary) -> Model:
    """Calibrate every component of ``scenario`` on ``history``, inputs first.

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
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks))
