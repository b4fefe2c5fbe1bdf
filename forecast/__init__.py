"""forecast: Monte Carlo odds for the targets of a five-year development plan.

Typical use::

    import forecast
    scenario = forecast.load_scenario("scenarios/base.yaml")
    results = forecast.simulate(scenario, draws=20_000, seed=1)
    results.summary.frame()

Names are imported on first use, so ``forecast --help`` starts without loading numpy or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "calibrate": "pipeline", "simulate": "pipeline", "load_prior_library": "io.prior_library",
    "PriorLibrary": "priors.library",
    "CalibrationReport": "analysis.calibration_report",
    "calibration_report": "analysis.calibration_report",
    "compare": "analysis.compare", "Comparison": "analysis.compare",
    "solve": "analysis.solve", "Solution": "analysis.solve",
    "holdout": "analysis.holdout", "Holdout": "analysis.holdout",
    "update": "pipeline", "Update": "analysis.update",
    "sensitivity": "analysis.sensitivity", "Sensitivity": "analysis.sensitivity",
    "write_report": "pipeline",
    "BLOCK_SIZE": "engine", "Model": "engine", "simulate_paths": "engine",
    "calibrate_model": "calibration",
    "DataError": "errors", "ForecastError": "errors", "InputError": "errors",
    "ModelError": "errors", "ScenarioError": "errors", "SummariesOnlyError": "errors",
    "Evidence": "io.history", "History": "io.history", "parse_history": "io.history",
    "read_history": "io.history", "load_scenario": "io.scenario_file",
    "Component": "models", "registry": "models",
    "Results": "results", "Summary": "summary", "TargetSummary": "summary",
    "Scenario": "spec.scenario", "Shock": "spec.scenario", "json_schema": "spec.schema",
    "dependency_order": "spec.checks", "parse_scenario": "spec.scenario",
    "Target": "spec.targets", "TargetKind": "spec.targets", "target_kind": "spec.targets",
    "IndicatorInfo": "info", "Assumption": "info",
}
_ALIASES = {"calibrate_model": "calibrate"}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"forecast.{_EXPORTS[name]}")
        value = getattr(module, _ALIASES.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'forecast' has no attribute '{name}'")


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from forecast.analysis.calibration_report import CalibrationReport, calibration_report
    from forecast.analysis.compare import Comparison, compare
    from forecast.analysis.sensitivity import Sensitivity, sensitivity
    from forecast.analysis.holdout import Holdout, holdout
    from forecast.analysis.solve import Solution, solve
    from forecast.analysis.update import Update
    from forecast.calibration import calibrate as calibrate_model
    from forecast.engine import BLOCK_SIZE, Model, simulate_paths
    from forecast.errors import (DataError, ForecastError, InputError, ModelError, ScenarioError,
                                 SummariesOnlyError)
    from forecast.io.history import Evidence, History, parse_history, read_history
    from forecast.io.prior_library import load_prior_library
    from forecast.io.scenario_file import load_scenario
    from forecast.models import Component, registry
    from forecast.pipeline import calibrate, simulate, update, write_report
    from forecast.priors.library import PriorLibrary
    from forecast.results import Results
    from forecast.info import Assumption, IndicatorInfo
    from forecast.spec.checks import dependency_order
    from forecast.spec.scenario import Scenario, Shock, parse_scenario
    from forecast.spec.schema import json_schema
    from forecast.spec.targets import Target, TargetKind, target_kind
    from forecast.summary import Summary, TargetSummary
