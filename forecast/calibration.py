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
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks),
                 _copula(scenario, fitted))


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
