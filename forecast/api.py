"""The functions a notebook calls: calibrate a scenario, simulate it."""

from __future__ import annotations

from pathlib import Path

from .engine import Model, calibrate_model, simulate_paths
from .history import read_history
from .results import Results, build_dataset
from .scenario import Scenario, load_scenario


def _scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def calibrate(scenario: Scenario | str | Path) -> Model:
    """Read the scenario's history and calibrate every component.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.

    Returns
    -------
    Model
        Components fitted to their evidence, in dependency order.
    """
    scenario = _scenario(scenario)
    return calibrate_model(scenario, read_history(scenario.history_path))


def simulate(scenario: Scenario | str | Path, *, draws: int | None = None,
             seed: int | None = None, workers: int = 1) -> Results:
    """Calibrate and simulate a scenario.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.
    draws, seed : int, optional
        Override the scenario's ``draws`` and ``seed``.
    workers : int
        Processes to use; the result does not depend on it.

    Returns
    -------
    Results
    """
    scenario = _scenario(scenario)
    draws = scenario.draws if draws is None else int(draws)
    seed = scenario.seed if seed is None else int(seed)
    model = calibrate(scenario)
    paths = simulate_paths(model, draws=draws, seed=seed, workers=workers)
    return Results(build_dataset(scenario, model, paths, draws=draws, seed=seed))
