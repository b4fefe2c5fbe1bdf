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
import math
import random
import sys
import time
from bisect import bisect_right
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "base.yaml"


def make_model(spec: dict):
    """An EMA Workbench ``Model`` of one draw of the reference model."""
    import reference as ref
    from ema_workbench import ArrayOutcome, IntegerParameter, Model, ScalarOutcome

    s = spec
    steps = len(s["years"]) - 1
    base_year = s["years"][0]
    lin = {name: ref._as_lists(s[name]["linear"]) for name in
           ("output", "price_level", "budget_revenue", "poverty_rate", "income_per_capita",
            "paved_road_share")}
    a, road_spec, inv_spec = s["ntm_communes"], s["paved_road_share"], s["social_investment"]
    hazard_cumulative, cells = list(np.cumsum(a["weight"])), a["grid"].size
    jump_p, jump_size = s["output"]["jump"]
    ceiling = road_spec["ceiling"]
    ar1 = {}
    for name in ("output", "price_level", "budget_revenue", "income_per_capita"):
        p = s[name]["persistence"]
        ar1[name] = p if p is None or p[0] == "prior" else \
            ("grid", p[1].tolist(), None, list(np.cumsum(p[2])))
    start = {name: s[name]["previous"] for name in ar1}
    targets = [(t, ref.INDICATORS.index(t[1])) for t in s["targets"]]

    def one_draw(seed: int) -> dict:
        r = random.Random(seed)
        out_b, out_s = ref._loop_posterior(r, lin["output"])
        pr_b, pr_s = ref._loop_posterior(r, lin["price_level"])
        rev_b, rev_s = ref._loop_posterior(r, lin["budget_revenue"])
        pov_b, pov_s = ref._loop_posterior(r, lin["poverty_rate"])
        inc_b, inc_s = ref._loop_posterior(r, lin["income_per_capita"])
        road_b, road_s = ref._loop_posterior(r, lin["paved_road_share"])
        network = ref._draw(r, road_spec["network"])
        share = min(max(ref._draw(r, inv_spec["share"]), 1e-9), 1 - 1e-9)
        inv_vol = ref._draw(r, inv_spec["volatility"])
        rho = {name: ref._loop_rho(r, p) for name, p in ar1.items()}
        x = [0.0]
        cell = min(bisect_right(hazard_cumulative, r.random() * hazard_cumulative[-1]), cells - 1)
        hazard = (cell + r.random()) / cells
        out, price = [ref._draw(r, s["output"]["base"])], [ref._draw(r, s["price_level"]["base"])]
        rev = [ref._draw(r, s["budget_revenue"]["base"])]
        pov = [ref._draw(r, s["poverty_rate"]["base"])]
        inc = [ref._draw(r, s["income_per_capita"]["base"])]
        road = [min(max(ref._draw(r, road_spec["base"]), 0.0), ceiling)]
        ntm = [min(max(round(ref._draw(r, a["base"])), 0), a["units"])]
        inv = [share * out[0] * price[0]]
        logit_share, walk = math.log(share / (1 - share)), 0.0
        for t in range(1, steps + 1):
            jump = ref._draw(r, jump_size) if r.random() < jump_p else 0.0
            out.append(out[-1] * math.exp(ref._loop_growth(
                out, t, out_b[0], out_s * r.gauss(0.0, 1.0), rho["output"], start["output"])
                + jump))
            price.append(price[-1] * math.exp(ref._loop_growth(
                price, t, pr_b[0], pr_s * r.gauss(0.0, 1.0), rho["price_level"],
                start["price_level"])))
            real, nominal = math.log(out[t] / out[t - 1]), math.log(price[t] / price[t - 1])
            x.append(real + nominal)
            rev.append(rev[-1] * math.exp(ref._loop_elastic(
                rev, t, rev_b, rev_s * r.gauss(0.0, 1.0), x, rho["budget_revenue"],
                start["budget_revenue"])))
            inc.append(inc[-1] * math.exp(ref._loop_elastic(
                inc, t, inc_b, inc_s * r.gauss(0.0, 1.0), x, rho["income_per_capita"],
                start["income_per_capita"])))
            pov.append(ref._sig(math.log(pov[-1] / (1 - pov[-1])) + pov_b[0] + pov_b[1] * real
                                + pov_s * r.gauss(0.0, 1.0)))
            walk += inv_vol * r.gauss(0.0, 1.0)
            inv.append(ref._sig(logit_share + walk) * out[t] * price[t])
            gap = ceiling - road[-1]
            road.append(min(max(ceiling - gap * math.exp(-(road_b[0] + road_s * r.gauss(0.0, 1.0)))
                                + inv[t] * road_spec["money_share"]
                                / (road_spec["unit_cost"] * network), 0.0), ceiling))
            at_risk = a["units"] - ntm[-1]
            funded = min(max(a["extra"] / at_risk, 0.0), 1.0) if at_risk > 0 else 0.0
            h = 1.0 - (1.0 - min(max(hazard, 0.0), 1.0)) * (1.0 - funded)
            ntm.append(ntm[-1] + ref._binomial(r, int(at_risk), h))
        paths = (out, price, rev, pov, inv, inc, road, ntm)
        result = {"paths": np.array(paths)}
        for (tid, _, kind, first, last, _, _), i in targets:
            path = paths[i]
            if kind == "level":
                result[tid] = path[last - base_year]
            elif kind == "average_change":
                result[tid] = (path[last - base_year] - path[first - 1 - base_year]) / \
                    (last - first + 1)
            else:
                result[tid] = sum(path[first - base_year:last - base_year + 1])
        return result

    model = Model("reference", function=one_draw)
    model.uncertainties = [IntegerParameter("seed", 0, 2**31 - 2)]
    model.outcomes = [ArrayOutcome("paths")] + [ScalarOutcome(t[0]) for t in s["targets"]]
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
