"""forecast: Monte Carlo odds for the targets of a five-year development plan.

Typical use::

    import forecast
    scenario = forecast.load_scenario("scenarios/base.yaml")
    results = forecast.simulate(scenario, draws=20_000, seed=1)
    results.summary()
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import calibrate, simulate
from .engine import BLOCK_SIZE, Model, calibrate_model, dependency_order, simulate_paths
from .errors import DataError, ForecastError, InputError, ModelError, ScenarioError
from .history import Evidence, History, parse_history, read_history
from .models import Component, registry
from .results import Results
from .scenario import Scenario, Shock, Target, json_schema, load_scenario, parse_scenario

__all__ = [
    "BLOCK_SIZE", "Component", "DataError", "Evidence", "ForecastError", "History", "InputError",
    "Model", "ModelError", "Results", "Scenario", "ScenarioError", "Shock", "Target",
    "__version__", "calibrate", "calibrate_model", "dependency_order", "json_schema",
    "load_scenario", "parse_history", "parse_scenario", "read_history", "registry", "simulate",
    "simulate_paths",
]
