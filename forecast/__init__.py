"""forecast: Monte Carlo odds for the targets of a five-year development plan.

Typical use::

    import forecast
    scenario = forecast.load_scenario("scenarios/base.yaml")
    results = forecast.simulate(scenario, draws=20_000, seed=1)
    results.summary()

Names are imported on first use, so ``forecast --help`` starts without loading numpy or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "calibrate": "api", "simulate": "api",
    "CalibrationReport": "calibration", "calibration_report": "calibration",
    "BLOCK_SIZE": "engine", "Model": "engine", "calibrate_model": "engine",
    "dependency_order": "scenario", "simulate_paths": "engine",
    "DataError": "errors", "ForecastError": "errors", "InputError": "errors",
    "ModelError": "errors", "ScenarioError": "errors",
    "Evidence": "history", "History": "history", "parse_history": "history",
    "read_history": "history",
    "Component": "models", "registry": "models",
    "Results": "results",
    "Scenario": "scenario", "Shock": "scenario", "Target": "scenario", "json_schema": "scenario",
    "load_scenario": "scenario", "parse_scenario": "scenario",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'forecast' has no attribute '{name}'")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from .api import calibrate, simulate
    from .calibration import CalibrationReport, calibration_report
    from .engine import BLOCK_SIZE, Model, calibrate_model, simulate_paths
    from .errors import DataError, ForecastError, InputError, ModelError, ScenarioError
    from .history import Evidence, History, parse_history, read_history
    from .models import Component, registry
    from .results import Results
    from .scenario import (Scenario, Shock, Target, dependency_order, json_schema, load_scenario,
                           parse_scenario)
