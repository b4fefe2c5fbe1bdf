"""The benchmark's references (benchmarks/reference.py) simulate the same model as the engine.

They use other random numbers, so they are compared in distribution: every target probability
and the joint probability within five standard errors of the difference, and every indicator's
5 %, 50 % and 95 % quantiles by year where the engine puts that share of its draws (within five
standard errors). A change of
the base scenario or of a component's equations that the references do not follow fails here.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import forecast
from conftest import BASE, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference  # noqa: E402

ENGINE_DRAWS = 20_000


@pytest.fixture(scope="module")
def setup():
    scenario = forecast.load_scenario(BASE)
    model = forecast.calibrate(scenario)
    engine = forecast.simulate(scenario, draws=ENGINE_DRAWS, seed=1, model=model,
                               keep_draws=True)
    return reference.extract(scenario, model), engine


def _agree(engine, other: dict, draws: int) -> None:
    def close(p_engine: float, p_other: float) -> bool:
        p = (p_engine * ENGINE_DRAWS + p_other * draws) / (ENGINE_DRAWS + draws)
        se = np.sqrt(p * (1 - p) * (1 / ENGINE_DRAWS + 1 / draws))
        return abs(p_engine - p_other) <= 5 * se + 1e-12

    for target in engine.targets:
        assert close(engine.probability(target.id), other["probability"][target.id]), target.id
    assert close(engine.summary.joint_probability, other["joint"])
    for q in (0.05, 0.5, 0.95):  # the engine puts a share q of its draws below the quantile
        column = reference.FAN.index(q)
        tolerance = 5 * np.sqrt(q * (1 - q) * (1 / ENGINE_DRAWS + 1 / draws)) + 1e-12
        for i, name in enumerate(reference.INDICATORS):
            path = engine.dataset[name].transpose("year", "draw").values
            for year in range(path.shape[0]):
                value = other["fan"][i, year, column]
                assert np.mean(path[year] < value) <= q + tolerance, (name, year, q)
                assert np.mean(path[year] <= value) >= q - tolerance, (name, year, q)


def test_numpy_reference_simulates_the_engines_model(setup):
    spec, engine = setup
    _agree(engine, reference.run_numpy(spec, 40_000, 2), 40_000)


def test_python_loop_reference_simulates_the_engines_model(setup):
    spec, engine = setup
    _agree(engine, reference.run_loop(spec, 3_000, 3), 3_000)


def test_references_refuse_another_structure():
    scenario = forecast.load_scenario(ROOT / "scenarios" / "epidemic_2021.yaml")
    model = forecast.calibrate(scenario)
    if not scenario.shocks:
        pytest.skip("the variant has no shocks")
    with pytest.raises(reference.StructureError):
        reference.extract(scenario, model)
