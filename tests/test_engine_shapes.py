"""The engine refuses what a broken (plug-in) component returns instead of broadcasting it:
parameters of the wrong shape, a step or base year that is not one value per draw."""

from __future__ import annotations

import numpy as np
import pytest

import forecast
from forecast.io.history import parse_history
from forecast.models import Growth

HISTORY = parse_history("indicator,kind,year,year_end,value,unit,source,note\n"
                        "x,level,2020,,1,u,test,\n")
SETTINGS = {"model": "growth", "unit": "u",
            "base": {"dist": "fixed", "value": 10, "why": "test"}}


class TwoDimensionalDrift(Growth):
    def sample(self, rng, size, steps):
        draws = super().sample(rng, size, steps)
        draws["drift"] = np.tile(draws["drift"], (steps, 1))
        return draws


class ScalarStep(Growth):
    def step(self, t, own, inputs, draws, shock):
        return float(np.mean(super().step(t, own, inputs, draws, shock)))


class ShortBase(Growth):
    def initial(self, draws, inputs):
        return draws["base"][:1]


@pytest.mark.parametrize("cls, message", [
    (TwoDimensionalDrift, r"drew 'drift' with shape \(5, 300\); expected \(300,\)"),
    (ScalarStep, r"step returned shape \(\); expected one value per draw, \(300,\)"),
    (ShortBase, r"initial returned shape \(1,\)"),
])
def test_a_component_returning_the_wrong_shape_is_named(cls, message):
    component = cls.model_validate(SETTINGS).calibrate(HISTORY, base_year=2020)
    model = forecast.Model({"gdp": component}, 2020, 2025)
    with pytest.raises(forecast.ModelError, match=message) as error:
        forecast.simulate_paths(model, draws=300, seed=1)
    assert error.value.indicator == "gdp"
