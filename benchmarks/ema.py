"""The reference model of ``benchmarks/reference.py`` written for EMA Workbench.

Usage (from the repository root; ``pip install '.[benchmark]'`` brings ema-workbench)::

    python benchmarks/ema.py --draws 20000 [--seed 20200624] [--out summary.json]

EMA Workbench runs a model once per experiment: here an experiment is one draw, the model a
Python function of its uncertainties (a seed for the draw's parameters and yearly noise, drawn
by EMA's Monte Carlo sampler) that returns the eight indicators' paths (an ``ArrayOutcome``) and
every target's quantity (``ScalarOutcome``), evaluated by the ``SequentialEvaluator`` (one
process, as the engine's default). The summaries (quantiles of every indicator in every year,
every target's probability and quantiles, the joint probability) are then computed from EMA's
outcome arrays with numpy. The per-draw equations are those of ``reference.run_loop``, with the
same parameter distributions (the posteriors the package calibrates); base levels are drawn
independently (EMA has no copula; correlating them changes no cost).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "base.yaml"


def make_model(spec: dict):
    """An EMA Workbench ``Model`` of one draw of the reference model."""
    import reference as ref
    from ema_workbench import ArrayOutcome, IntegerParameter, Model, ScalarOutcome

    setup = ref.loop_setup(spec)
    base_year = spec["years"][0]
    targets = [(t, ref.INDICATORS.index(t[1])) for t in spec["targets"]]

    def one_draw(seed: int) -> dict:
        paths = ref.loop_paths(random.Random(seed), setup)
        result = {"paths": np.array(paths)}
        for (tid, _, kind, first, last, _, _), i in targets:
            result[tid] = ref.target_quantity(kind, paths[i], first, last, base_year)
        return result

    model = Model("reference", function=one_draw)
    model.uncertainties = [IntegerParameter("seed", 0, 2**31 - 2)]
    model.outcomes = [ArrayOutcome("paths")] + [ScalarOutcome(t[0]) for t in spec["targets"]]
    return model


def summarise(spec: dict, outcomes: dict) -> dict:
    """The reference's summaries from EMA's outcome arrays."""
    import reference as ref

    paths = np.asarray(outcomes["paths"])  # (draw, indicator, year)
    n = paths.shape[0]
    fan = np.quantile(paths.reshape(n, -1), ref.FAN, axis=0).T.reshape(paths.shape[1],
                                                                        paths.shape[2], -1)
    probability, quantiles, joint = {}, {}, np.ones(n, dtype=bool)
    for tid, _, _, _, _, at_least, at_most in spec["targets"]:
        quantity = np.asarray(outcomes[tid], dtype=float)
        met = quantity >= at_least if at_least is not None else quantity <= at_most
        probability[tid] = float(met.mean())
        quantiles[tid] = [float(v) for v in np.quantile(quantity, ref.TARGET_QUANTILES)]
        joint &= met
    return {"draws": n, "probability": probability, "joint": float(joint.mean()),
            "quantiles": quantiles,
            "fan": {name: fan[i].tolist() for i, name in enumerate(ref.INDICATORS)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=lambda s: int(float(s)), default=20_000)
    parser.add_argument("--seed", type=int, default=20200624)
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--out", help="write the summary here (default: stdout)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    started = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional evaluators it cannot offer
        from ema_workbench import SequentialEvaluator, perform_experiments
        from ema_workbench.em_framework.samplers import MonteCarloSampler
    import forecast
    import reference

    scenario = forecast.load_scenario(args.scenario)
    spec = reference.extract(scenario, forecast.calibrate(scenario))
    model = make_model(spec)
    ready = time.perf_counter()
    np.random.seed(args.seed % 2**32)  # EMA's samplers draw from numpy's global stream
    with SequentialEvaluator(model) as evaluator:
        _, outcomes = perform_experiments(model, scenarios=args.draws, evaluator=evaluator,
                                          uncertainty_sampling=MonteCarloSampler())
    summary = summarise(spec, outcomes)
    done = time.perf_counter()
    summary["seconds"] = {"start-up and calibration": ready - started, "compute": done - ready}
    text = json.dumps(summary)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
