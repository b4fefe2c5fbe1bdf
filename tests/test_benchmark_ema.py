"""The EMA Workbench version of the benchmark's reference model (benchmarks/ema.py) simulates
the same model as the engine: its target probabilities agree with the engine's within Monte
Carlo error. Skipped unless ema-workbench is installed (``pip install '.[benchmark]'``)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import forecast
from conftest import BASE, ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # optional evaluators it cannot offer
    pytest.importorskip("ema_workbench")

sys.path.insert(0, str(ROOT / "benchmarks"))
import ema  # noqa: E402
import reference  # noqa: E402

DRAWS = 3000


def test_ema_model_agrees_with_the_engine():
    from ema_workbench import SequentialEvaluator, perform_experiments
    from ema_workbench.em_framework.samplers import MonteCarloSampler

    scenario = forecast.load_scenario(BASE)
    model = forecast.calibrate(scenario)
    spec = reference.extract(scenario, model)
    engine = forecast.simulate(scenario, draws=20_000, seed=1, model=model, keep_draws=True)
    np.random.seed(7)
    ema_model = ema.make_model(spec)
    with SequentialEvaluator(ema_model) as evaluator:
        _, outcomes = perform_experiments(ema_model, scenarios=DRAWS, evaluator=evaluator,
                                          uncertainty_sampling=MonteCarloSampler())
    assert np.asarray(outcomes["paths"]).shape == (DRAWS, 8, len(model.years))
    summary = ema.summarise(spec, outcomes)
    for target in engine.targets:
        p, q = engine.probability(target.id), summary["probability"][target.id]
        pooled = (p * 20_000 + q * DRAWS) / (20_000 + DRAWS)
        se = np.sqrt(pooled * (1 - pooled) * (1 / 20_000 + 1 / DRAWS))
        assert abs(p - q) <= 5 * se + 1e-12, (target.id, p, q)
