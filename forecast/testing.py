"""The contract every registered component passes (``check_component``).

A new component gets these checks for free: output shape, reproducibility from the seed,
determinism with zero noise, invalid settings rejected, inputs left untouched, finite values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from forecast.io.history import History, parse_history
from forecast.models.base import Component

_EMPTY_HISTORY = parse_history(
    "indicator,kind,year,year_end,value,unit,source,note\n"
    "placeholder,level,2000,,1,units,contract test,\n", "<contract>")


def _input_paths(component: Component, years: int, size: int) -> dict[str, np.ndarray]:
    growth = np.exp(np.cumsum(np.full((years, size), 0.05), axis=0))
    return {name: growth.copy() for name in component.inputs}


def _run(component: Component, seed: int, size: int, years: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    draws = component.sample(rng, size, years - 1)
    inputs = _input_paths(component, years, size)
    before = {k: v.copy() for k, v in inputs.items()}
    path = np.empty((years, size))
    path[0] = component.initial(draws, inputs)
    for t in range(1, years):
        path[t] = component.step(t, path, inputs, draws, 0.0)
    for name, values in inputs.items():
        if not np.array_equal(values, before[name]):
            raise AssertionError(f"step modified its input '{name}'")
    return path


def check_component(component: Component, *, history: History | None = None,
                    zero_noise: Mapping[str, Any] | None = None,
                    invalid: Mapping[str, Any] | None = None) -> None:
    """Assert the component contract; raise ``AssertionError`` naming the broken rule.

    Parameters
    ----------
    component : Component
        An uncalibrated component with valid settings.
    history : History, optional
        Evidence to calibrate on (default: none of its indicators).
    zero_noise : mapping, optional
        Settings that switch all noise off; the two runs must then be identical draw for draw.
    invalid : mapping, optional
        Settings that must be rejected when validated.
    """
    history = history or _EMPTY_HISTORY
    base_component = component.model_copy(update={"evidence": []}) if history is _EMPTY_HISTORY \
        else component
    inputs = {name: _Constant() for name in component.inputs}
    fitted = base_component.calibrate(history, base_year=2020, inputs=inputs)
    if fitted is base_component or base_component.is_calibrated:
        raise AssertionError("calibrate must return a new component and not mutate")
    years, size = 6, 257
    first, second = _run(fitted, 7, size, years), _run(fitted, 7, size, years)
    if first.shape != (years, size):
        raise AssertionError(f"paths have shape {first.shape}; expected {(years, size)}")
    if not np.array_equal(first, second):
        raise AssertionError("the same seed gave different results")
    if not np.isfinite(first).all():
        raise AssertionError("non-finite values in the paths")
    if zero_noise is not None:
        quiet = type(component).model_validate({**component.model_dump(), **zero_noise})
        quiet = quiet.model_copy(update={"evidence": []}).calibrate(
            _EMPTY_HISTORY, base_year=2020, inputs=inputs)
        a, b = _run(quiet, 1, size, years), _run(quiet, 2, size, years)
        if not np.allclose(a, b):
            raise AssertionError("with zero noise, different seeds gave different paths")
    if invalid is not None:
        try:
            type(component).model_validate({**component.model_dump(), **invalid})
        except ValidationError:
            pass
        else:
            raise AssertionError(f"invalid settings {dict(invalid)} were accepted")


class _Constant(Component):
    """A stand-in input whose posterior mean change is zero."""

    model: str = "constant"
    unit: str = "units"

    def expected_change(self) -> float:
        return 0.0

    def mean_change(self, years) -> float:
        return 0.0
