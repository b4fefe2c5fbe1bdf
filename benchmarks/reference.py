"""Two references for the benchmark: the base scenario's model written by hand.

Both implement the equations of the shipped components for the eight indicators of
``scenarios/base.yaml`` (growth with rare jumps, fiscal and elasticity on nominal output, each
with AR(1) persistence where the scenario declares it, poverty on the logit scale, road coverage
with funding, commune adoption with an upgrade budget, investment as a share of nominal output), draw the same parameter distributions (the posteriors
the package calibrates, read once by :func:`extract`) and report the same summaries: quantiles of
every indicator in every year, and every target's probability, quantiles and the joint
probability. What they leave out is the framework: no components, registry, blocks, random
streams or Results.

- :func:`run_numpy`: vectorised over all draws at once, one year at a time, with numpy's own
  samplers (``Generator.binomial`` for the adoption counts) and exact ``numpy.quantile``.
- :func:`run_loop`: a plain Python loop over draws with the ``random`` and ``math`` modules,
  values stored in ``array('d')`` columns and quantiles from sorted columns.

They do not share the engine's random streams, so they agree with it in distribution, not in
bits (``tests/test_benchmark_references.py`` checks the agreement within Monte Carlo error).
:func:`extract` refuses a scenario whose structure differs from the one written here.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_right
from typing import Any

import numpy as np

FAN = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
TARGET_QUANTILES = (0.05, 0.5, 0.95)
INDICATORS = ("output", "price_level", "budget_revenue", "poverty_rate", "social_investment",
              "income_per_capita", "paved_road_share", "ntm_communes")
STRUCTURE = {"output": ("growth", []), "price_level": ("growth", []),
             "budget_revenue": ("fiscal", ["output", "price_level"]),
             "poverty_rate": ("poverty", ["output"]),
             "social_investment": ("investment", ["output", "price_level"]),
             "income_per_capita": ("elasticity", ["output", "price_level"]),
             "paved_road_share": ("coverage", ["social_investment"]),
             "ntm_communes": ("adoption", [])}


class StructureError(Exception):
    """The scenario is not the one the references implement."""


# -- reading the calibrated model once ----------------------------------------------------------
def _dist(d: Any) -> tuple:
    kind = getattr(d, "dist", None)
    if kind == "pooled":
        return _dist(d.concrete)
    if kind == "uniform":
        return ("uniform", d.low, d.high)
    if kind == "fixed":
        return ("fixed", d.value)
    if kind == "integers":
        return ("integers", d.low, d.high)
    if kind == "normal":
        return ("normal", d.loc, d.scale)
    if kind == "halfnormal":
        return ("halfnormal", d.scale)
    if kind == "lognormal":
        return ("lognormal", d.mu, d.sigma)
    if kind == "relation" and getattr(d, "value", None) is not None:  # a published figure
        growth = None if d.relation.growth is None else _dist(d.relation.growth)
        return ("relation", d.value, d.sd, _dist(d.relation.ratio), growth, d.years)
    raise StructureError(f"the references do not sample {kind!r} distributions")


def _linear(component: Any) -> dict:
    posterior = component.fit.parameters.posteriors["linear"]
    return {"grid": np.asarray(posterior.sigma_grid), "weight": np.asarray(posterior.sigma_weight),
            "step": float(posterior.sigma_step), "mean": np.asarray(posterior.beta_mean),
            "chol": np.asarray(posterior.beta_chol)}


def _persistence(component: Any) -> tuple | None:
    prior = getattr(component, "persistence", None)
    if prior is None:
        return None
    posterior = component.fit.parameters.posteriors.get("persistence")
    if posterior is None:
        return ("prior", _dist(prior))
    grid, weight = posterior
    return ("grid", np.asarray(grid), np.asarray(weight))


def extract(scenario: Any, model: Any) -> dict:
    """The numbers the references need, from a calibrated model of the base scenario.

    Raises
    ------
    StructureError
        If the scenario's indicators, models, inputs or options differ from those written here.
    """
    found = {name: (c.model, list(c.inputs)) for name, c in model.components.items()}
    if found != STRUCTURE:
        raise StructureError(f"expected the base scenario's structure {STRUCTURE}, found {found}")
    c = model.components
    for name in ("output", "price_level"):
        if c[name].tail_dof is not None:
            raise StructureError(f"{name}: fat tails are not written here")
    if c["price_level"].jump is not None or c["output"].jump is None or scenario.shocks \
            or c["poverty_rate"].standard_break is not None:
        raise StructureError("only output's jump is written here (no shocks, no break)")
    funding, budget = c["paved_road_share"].funding, c["ntm_communes"].upgrade_budget
    if funding is None or funding.input != "social_investment" or budget is None:
        raise StructureError("roads need funding by social investment; communes a budget")
    spec: dict[str, Any] = {name: {"base": _dist(c[name].fit.base)} for name in INDICATORS}
    for name in ("output", "price_level", "budget_revenue", "poverty_rate", "income_per_capita",
                 "paved_road_share"):
        spec[name]["linear"] = _linear(c[name])
    for name in ("output", "price_level", "budget_revenue", "income_per_capita"):
        spec[name]["persistence"] = _persistence(c[name])
    for name in ("output", "price_level"):  # AR(1) in growth starts from the base year's growth
        spec[name]["previous"] = c[name].base_year_growth() if spec[name]["persistence"] else None
    for name in ("budget_revenue", "income_per_capita"):  # AR(1) noise: the base year's residual
        matched = c[name].fit.parameters.posteriors.get("matched", {}).get(model.base_year)
        spec[name]["previous"] = None if matched is None else tuple(map(float, matched))
    jump = c["output"].jump
    spec["output"]["jump"] = (jump.probability, _dist(jump.size))
    spec["social_investment"].update(share=_dist(c["social_investment"].share),
                                     volatility=_dist(c["social_investment"].volatility))
    spec["paved_road_share"].update(ceiling=c["paved_road_share"].ceiling,
                                    money_share=float(funding.share),
                                    unit_cost=float(funding.unit_cost),
                                    network=_dist(funding.network))
    adoption = c["ntm_communes"].fit.parameters.posteriors
    spec["ntm_communes"].update(units=c["ntm_communes"].units, grid=np.asarray(adoption["grid"]),
                                weight=np.asarray(adoption["weight"]),
                                extra=float(budget.budget) / float(budget.unit_cost))
    spec["correlations"] = []  # rank correlations of base levels (a normal copula)
    for corr in getattr(scenario, "correlations", ()):
        names = [n.split(".") for n in corr.between]
        if any(len(n) != 2 or n[1] != "base" or n[0] not in INDICATORS for n in names):
            raise StructureError("only correlations between base levels are written here")
        spec["correlations"].append((names[0][0], names[1][0], corr.rank))
    spec["years"] = list(model.years)
    spec["targets"] = [(t.id, t.indicator, t.kind, t.first_year, t.last_year, t.at_least,
                        t.at_most) for t in scenario.targets]
    if {t[2] for t in spec["targets"]} - {"level", "average_change", "cumulative"}:
        raise StructureError("the references judge level, average-change and cumulative targets")
    return spec


# -- numpy, all draws at once -------------------------------------------------------------------
def _sample(rng: np.random.Generator, d: tuple, n: int) -> np.ndarray:
    kind = d[0]
    if kind == "uniform":
        return rng.uniform(d[1], d[2], n)
    if kind == "fixed":
        return np.full(n, float(d[1]))
    if kind == "integers":
        return rng.integers(d[1], d[2], n, endpoint=True).astype(float)
    if kind == "normal":
        return rng.normal(d[1], d[2], n)
    if kind == "lognormal":
        return rng.lognormal(d[1], d[2], n)
    if kind == "relation":  # figure (with its error) x ratio x (1 + growth)^years
        value = _sample(rng, d[3], n)
        if d[4] is not None and d[5]:
            value = value * (1 + np.maximum(_sample(rng, d[4], n), -0.99)) ** d[5]
        return value * (d[1] + d[2] * rng.standard_normal(n))
    return np.abs(rng.normal(0.0, d[1], n))  # halfnormal


def _posterior(rng: np.random.Generator, p: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    cell = rng.choice(p["grid"].size, size=n, p=p["weight"])
    sigma = np.abs(p["grid"][cell] + p["step"] * (rng.random(n) - 0.5))
    z = rng.standard_normal((n, p["mean"].shape[1]))
    beta = p["mean"][cell] + np.einsum("nij,nj->ni", p["chol"][cell], z)
    return beta, sigma


def _rho(rng: np.random.Generator, p: tuple | None, n: int) -> np.ndarray | None:
    if p is None:
        return None
    if p[0] == "prior":
        return np.clip(_sample(rng, p[1], n), -0.99, 0.99)
    grid, weight = p[1], p[2]
    return grid[rng.choice(grid.size, size=n, p=weight)] + (grid[1] - grid[0]) * (rng.random(n) - 0.5)


def _growth(path: np.ndarray, t: int, drift: np.ndarray, noise: np.ndarray, rho, first):
    """Growth of year t: with persistence, the drift moves toward last year's growth."""
    previous = first if t == 1 else np.log(path[t - 1] / path[t - 2])
    if rho is not None and previous is not None:
        drift = drift + rho * (previous - drift)
        noise = noise * np.sqrt(np.clip(1.0 - rho**2, 0.0, 1.0))
    return drift + noise


def _elastic(path: np.ndarray, t: int, beta: np.ndarray, noise: np.ndarray, x: list, rho,
             first):
    """Log change of year t of an elasticity model; with persistence, an AR(1) noise."""
    mean = beta[:, 0] + beta[:, 1] * x[t]
    if rho is not None:
        if t == 1:
            previous = None if first is None else first[0] - beta[:, 0] - beta[:, 1] * first[1]
        else:
            previous = np.log(path[t - 1] / path[t - 2]) - beta[:, 0] - beta[:, 1] * x[t - 1]
        if previous is not None:
            mean = mean + rho * previous
            noise = noise * np.sqrt(np.clip(1.0 - rho**2, 0.0, 1.0))
    return mean + noise


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


def target_quantity(kind: str, path, first: int, last: int, base_year: int):
    """A target's quantity from an indicator's path: arrays (year, draw) or one draw's list."""
    if kind == "level":
        return path[last - base_year]
    if kind == "average_change":
        return (path[last - base_year] - path[first - 1 - base_year]) / (last - first + 1)
    window = path[first - base_year:last - base_year + 1]
    return window.sum(axis=0) if isinstance(window, np.ndarray) else sum(window)


def run_numpy(spec: dict, draws: int, seed: int) -> dict:
    """Simulate ``draws`` draws with numpy and summarise them (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n, years = draws, spec["years"]
    steps = len(years) - 1
    paths = np.empty((len(INDICATORS), steps + 1, n))
    out, price, rev, pov, inv, inc, road, ntm = paths
    s = spec
    out_b, out_s = _posterior(rng, s["output"]["linear"], n)
    pr_b, pr_s = _posterior(rng, s["price_level"]["linear"], n)
    rev_b, rev_s = _posterior(rng, s["budget_revenue"]["linear"], n)
    pov_b, pov_s = _posterior(rng, s["poverty_rate"]["linear"], n)
    inc_b, inc_s = _posterior(rng, s["income_per_capita"]["linear"], n)
    road_b, road_s = _posterior(rng, s["paved_road_share"]["linear"], n)
    ceiling = s["paved_road_share"]["ceiling"]
    network = _sample(rng, s["paved_road_share"]["network"], n)
    share = np.clip(_sample(rng, s["social_investment"]["share"], n), 1e-9, 1 - 1e-9)
    inv_vol = _sample(rng, s["social_investment"]["volatility"], n)
    a = s["ntm_communes"]
    hazard = (rng.choice(a["grid"].size, size=n, p=a["weight"]) + rng.random(n)) / a["grid"].size
    jump_p, jump_size = s["output"]["jump"]
    rho = {name: _rho(rng, s[name]["persistence"], n) for name in
           ("output", "price_level", "budget_revenue", "income_per_capita")}
    start = {name: s[name]["previous"] for name in rho}
    x = [None]  # input growth (real + prices) by year
    out[0] = _sample(rng, s["output"]["base"], n)
    price[0] = _sample(rng, s["price_level"]["base"], n)
    rev[0] = _sample(rng, s["budget_revenue"]["base"], n)
    pov[0] = _sample(rng, s["poverty_rate"]["base"], n)
    inc[0] = _sample(rng, s["income_per_capita"]["base"], n)
    road[0] = np.clip(_sample(rng, s["paved_road_share"]["base"], n), 0.0, ceiling)
    ntm[0] = np.clip(np.round(_sample(rng, a["base"], n)), 0, a["units"])
    rows = dict(zip(INDICATORS, paths))
    names, chol = _copula(s["correlations"])
    if names:  # reorder the base levels so that their ranks follow correlated normals
        z = rng.standard_normal((n, len(names))) @ chol.T
        for j, name in enumerate(names):
            rows[name][0] = np.sort(rows[name][0])[np.argsort(np.argsort(z[:, j]))]
    inv[0] = share * out[0] * price[0]
    logit_share, walk = np.log(share / (1 - share)), np.zeros(n)
    for t in range(1, steps + 1):
        jump = np.where(rng.random(n) < jump_p, _sample(rng, jump_size, n), 0.0)
        out[t] = out[t - 1] * np.exp(_growth(out, t, out_b[:, 0], out_s * rng.standard_normal(n),
                                             rho["output"], start["output"]) + jump)
        price[t] = price[t - 1] * np.exp(_growth(price, t, pr_b[:, 0],
                                                 pr_s * rng.standard_normal(n),
                                                 rho["price_level"], start["price_level"]))
        real, nominal = np.log(out[t] / out[t - 1]), np.log(price[t] / price[t - 1])
        x.append(real + nominal)
        rev[t] = rev[t - 1] * np.exp(_elastic(rev, t, rev_b, rev_s * rng.standard_normal(n), x,
                                              rho["budget_revenue"], start["budget_revenue"]))
        inc[t] = inc[t - 1] * np.exp(_elastic(inc, t, inc_b, inc_s * rng.standard_normal(n), x,
                                              rho["income_per_capita"],
                                              start["income_per_capita"]))
        pov[t] = _sigmoid(np.log(pov[t - 1] / (1 - pov[t - 1])) + pov_b[:, 0] + pov_b[:, 1] * real
                          + pov_s * rng.standard_normal(n))
        walk += inv_vol * rng.standard_normal(n)
        inv[t] = _sigmoid(logit_share + walk) * out[t] * price[t]
        gap = ceiling - road[t - 1]
        road[t] = np.clip(ceiling - gap * np.exp(-(road_b[:, 0] + road_s * rng.standard_normal(n)))
                          + inv[t] * s["paved_road_share"]["money_share"]
                          / (s["paved_road_share"]["unit_cost"] * network), 0.0, ceiling)
        at_risk = a["units"] - ntm[t - 1]
        funded = np.divide(a["extra"], at_risk, out=np.zeros(n), where=at_risk > 0)
        h = 1.0 - (1.0 - np.clip(hazard, 0.0, 1.0)) * (1.0 - np.clip(funded, 0.0, 1.0))
        ntm[t] = ntm[t - 1] + rng.binomial(at_risk.astype(np.int64), h)
    fan = np.quantile(paths.reshape(-1, n), FAN, axis=1).T.reshape(len(INDICATORS), steps + 1, -1)
    probabilities, quantiles, joint = {}, {}, np.ones(n, dtype=bool)
    for tid, name, kind, first, last, at_least, at_most in spec["targets"]:
        quantity = target_quantity(kind, paths[INDICATORS.index(name)], first, last, years[0])
        met = quantity >= at_least if at_least is not None else quantity <= at_most
        probabilities[tid] = float(met.mean())
        quantiles[tid] = np.quantile(quantity, TARGET_QUANTILES)
        joint &= met
    return {"fan": fan, "probability": probabilities, "quantiles": quantiles,
            "joint": float(joint.mean())}


def _copula(correlations: list) -> tuple[list, np.ndarray]:
    """The correlated indicators and the Cholesky factor of their normal copula."""
    names = list(dict.fromkeys(n for a, b, _ in correlations for n in (a, b)))
    matrix = np.eye(len(names))
    for a, b, rank in correlations:
        i, j = names.index(a), names.index(b)
        matrix[i, j] = matrix[j, i] = 2 * np.sin(np.pi * rank / 6)
    return names, np.linalg.cholesky(matrix) if names else matrix


# -- a plain Python loop over draws -------------------------------------------------------------
def _draw(r: random.Random, d: tuple) -> float:
    kind = d[0]
    if kind == "uniform":
        return r.uniform(d[1], d[2])
    if kind == "fixed":
        return float(d[1])
    if kind == "integers":
        return float(r.randint(d[1], d[2]))
    if kind == "normal":
        return r.gauss(d[1], d[2])
    if kind == "lognormal":
        return r.lognormvariate(d[1], d[2])
    if kind == "relation":
        value = _draw(r, d[3])
        if d[4] is not None and d[5]:
            value *= (1 + max(_draw(r, d[4]), -0.99)) ** d[5]
        return value * (d[1] + d[2] * r.gauss(0.0, 1.0))
    return abs(r.gauss(0.0, d[1]))


def _loop_posterior(r: random.Random, p: dict) -> tuple[list[float], float]:
    cell = min(bisect_right(p["cumulative"], r.random() * p["cumulative"][-1]),
               len(p["grid"]) - 1)
    sigma = abs(p["grid"][cell] + p["step"] * (r.random() - 0.5))
    z = [r.gauss(0.0, 1.0) for _ in p["mean"][cell]]
    chol = p["chol"][cell]
    beta = [m + sum(chol[i][j] * z[j] for j in range(len(z))) for i, m in
            enumerate(p["mean"][cell])]
    return beta, sigma


def _as_lists(p: dict) -> dict:
    return {"cumulative": list(np.cumsum(p["weight"])), "grid": p["grid"].tolist(),
            "step": p["step"], "mean": p["mean"].tolist(), "chol": p["chol"].tolist()}


def _binomial(r: random.Random, trials: int, probability: float) -> int:
    u, k = r.random(), 0
    if probability <= 0.0 or trials == 0:
        return 0
    if probability >= 1.0:
        return trials
    pmf = (1.0 - probability) ** trials
    cdf, ratio = pmf, probability / (1.0 - probability)
    while cdf < u and k < trials:
        pmf *= (trials - k) / (k + 1) * ratio
        k += 1
        cdf += pmf
    return k


def _loop_rho(r: random.Random, p: tuple | None) -> float | None:
    if p is None:
        return None
    if p[0] == "prior":
        return min(max(_draw(r, p[1]), -0.99), 0.99)
    cell = min(bisect_right(p[3], r.random() * p[3][-1]), len(p[1]) - 1)
    return p[1][cell] + (p[1][1] - p[1][0]) * (r.random() - 0.5)


def _loop_growth(path: list, t: int, drift: float, noise: float, rho, first) -> float:
    previous = first if t == 1 else math.log(path[t - 1] / path[t - 2])
    if rho is not None and previous is not None:
        drift += rho * (previous - drift)
        noise *= math.sqrt(min(max(1.0 - rho * rho, 0.0), 1.0))
    return drift + noise


def _loop_elastic(path: list, t: int, beta: list, noise: float, x: list, rho, first) -> float:
    mean = beta[0] + beta[1] * x[t]
    if rho is not None:
        if t == 1:
            previous = None if first is None else first[0] - beta[0] - beta[1] * first[1]
        else:
            previous = math.log(path[t - 1] / path[t - 2]) - beta[0] - beta[1] * x[t - 1]
        if previous is not None:
            mean += rho * previous
            noise *= math.sqrt(min(max(1.0 - rho * rho, 0.0), 1.0))
    return mean + noise


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(z, -35.0), 35.0)))


def _quantile(values: array, q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def loop_setup(spec: dict) -> dict:
    """What every draw of the loop model reads, prepared once: the posteriors as lists, the
    persistence as declared or as a grid with cumulative weights, the hazard grid."""
    s = spec
    a = s["ntm_communes"]
    ar1 = {}  # persistence: as declared, or a grid as lists with cumulative weights
    for name in ("output", "price_level", "budget_revenue", "income_per_capita"):
        p = s[name]["persistence"]
        ar1[name] = p if p is None or p[0] == "prior" else \
            ("grid", p[1].tolist(), None, list(np.cumsum(p[2])))
    return {"spec": s, "steps": len(s["years"]) - 1,
            "lin": {name: _as_lists(s[name]["linear"]) for name in
                    ("output", "price_level", "budget_revenue", "poverty_rate",
                     "income_per_capita", "paved_road_share")},
            "hazard_cumulative": list(np.cumsum(a["weight"])), "cells": a["grid"].size,
            "ar1": ar1, "start": {name: s[name]["previous"] for name in ar1}}


def loop_paths(r: random.Random, setup: dict, bases: dict | None = None) -> tuple[list, ...]:
    """One draw of the eight indicators' paths, one year at a time in Python.

    ``bases`` gives the base level of some indicators for this draw (correlated bases drawn
    beforehand); the others are drawn here, in a fixed order of ``r``'s stream.
    """
    s, lin, ar1, start = setup["spec"], setup["lin"], setup["ar1"], setup["start"]
    a, road_spec, inv_spec = s["ntm_communes"], s["paved_road_share"], s["social_investment"]
    jump_p, jump_size = s["output"]["jump"]
    ceiling, cells, hazard_cumulative = road_spec["ceiling"], setup["cells"], \
        setup["hazard_cumulative"]
    bases = bases or {}
    out_b, out_s = _loop_posterior(r, lin["output"])
    pr_b, pr_s = _loop_posterior(r, lin["price_level"])
    rev_b, rev_s = _loop_posterior(r, lin["budget_revenue"])
    pov_b, pov_s = _loop_posterior(r, lin["poverty_rate"])
    inc_b, inc_s = _loop_posterior(r, lin["income_per_capita"])
    road_b, road_s = _loop_posterior(r, lin["paved_road_share"])
    network = _draw(r, road_spec["network"])
    share = min(max(_draw(r, inv_spec["share"]), 1e-9), 1 - 1e-9)
    inv_vol = _draw(r, inv_spec["volatility"])
    rho = {name: _loop_rho(r, p) for name, p in ar1.items()}
    x = [0.0]
    cell = min(bisect_right(hazard_cumulative, r.random() * hazard_cumulative[-1]), cells - 1)
    hazard = (cell + r.random()) / cells
    out, price = [_draw(r, s["output"]["base"])], [_draw(r, s["price_level"]["base"])]
    rev = [_draw(r, s["budget_revenue"]["base"])]
    pov = [bases["poverty_rate"] if "poverty_rate" in bases
           else _draw(r, s["poverty_rate"]["base"])]
    inc = [_draw(r, s["income_per_capita"]["base"])]
    road = [min(max(bases["paved_road_share"] if "paved_road_share" in bases
                    else _draw(r, road_spec["base"]), 0.0), ceiling)]
    ntm = [min(max(round(bases["ntm_communes"] if "ntm_communes" in bases
                         else _draw(r, a["base"])), 0), a["units"])]
    inv = [share * out[0] * price[0]]
    logit_share, walk = math.log(share / (1 - share)), 0.0
    for t in range(1, setup["steps"] + 1):
        jump = _draw(r, jump_size) if r.random() < jump_p else 0.0
        out.append(out[-1] * math.exp(_loop_growth(
            out, t, out_b[0], out_s * r.gauss(0.0, 1.0), rho["output"], start["output"])
            + jump))
        price.append(price[-1] * math.exp(_loop_growth(
            price, t, pr_b[0], pr_s * r.gauss(0.0, 1.0), rho["price_level"],
            start["price_level"])))
        real, nominal = math.log(out[t] / out[t - 1]), math.log(price[t] / price[t - 1])
        x.append(real + nominal)
        rev.append(rev[-1] * math.exp(_loop_elastic(
            rev, t, rev_b, rev_s * r.gauss(0.0, 1.0), x, rho["budget_revenue"],
            start["budget_revenue"])))
        inc.append(inc[-1] * math.exp(_loop_elastic(
            inc, t, inc_b, inc_s * r.gauss(0.0, 1.0), x, rho["income_per_capita"],
            start["income_per_capita"])))
        pov.append(_sig(math.log(pov[-1] / (1 - pov[-1])) + pov_b[0] + pov_b[1] * real
                        + pov_s * r.gauss(0.0, 1.0)))
        walk += inv_vol * r.gauss(0.0, 1.0)
        inv.append(_sig(logit_share + walk) * out[t] * price[t])
        gap = ceiling - road[-1]
        road.append(min(max(ceiling - gap * math.exp(-(road_b[0] + road_s * r.gauss(0.0, 1.0)))
                            + inv[t] * road_spec["money_share"]
                            / (road_spec["unit_cost"] * network), 0.0), ceiling))
        at_risk = a["units"] - ntm[-1]
        funded = min(max(a["extra"] / at_risk, 0.0), 1.0) if at_risk > 0 else 0.0
        h = 1.0 - (1.0 - min(max(hazard, 0.0), 1.0)) * (1.0 - funded)
        ntm.append(ntm[-1] + _binomial(r, int(at_risk), h))
    return out, price, rev, pov, inv, inc, road, ntm


def run_loop(spec: dict, draws: int, seed: int) -> dict:
    """Simulate ``draws`` draws one at a time in Python and summarise them."""
    r = random.Random(seed)
    s = spec
    years = s["years"]
    setup = loop_setup(spec)
    steps = setup["steps"]
    columns = [[array("d") for _ in range(steps + 1)] for _ in INDICATORS]
    targets = [(t, INDICATORS.index(t[1])) for t in s["targets"]]
    quantities = {t[0]: array("d") for t in s["targets"]}
    met_count, joint_count = dict.fromkeys(quantities, 0), 0
    names, chol = _copula(s["correlations"])
    a, road_spec = s["ntm_communes"], s["paved_road_share"]
    bases = {}  # correlated base levels, drawn first and reordered by correlated normals
    for name in names:
        bases[name] = sorted(_draw(r, road_spec["base"] if name == "paved_road_share" else
                                   a["base"] if name == "ntm_communes" else s[name]["base"])
                             for _ in range(draws))
    if names:
        z = [[sum(chol[j][k] * e[k] for k in range(len(names))) for j in range(len(names))]
             for e in ([r.gauss(0.0, 1.0) for _ in names] for _ in range(draws))]
        for j, name in enumerate(names):
            order = sorted(range(draws), key=lambda i: z[i][j])
            ranked = [0.0] * draws
            for rank, i in enumerate(order):
                ranked[i] = bases[name][rank]
            bases[name] = ranked
    for draw in range(draws):
        paths = loop_paths(r, setup, {name: values[draw] for name, values in bases.items()})
        for i, path in enumerate(paths):
            for t, value in enumerate(path):
                columns[i][t].append(value)
        all_met = True
        for (tid, _, kind, first, last, at_least, at_most), i in targets:
            quantity = target_quantity(kind, paths[i], first, last, years[0])
            quantities[tid].append(quantity)
            met = quantity >= at_least if at_least is not None else quantity <= at_most
            met_count[tid] += met
            all_met = all_met and met
        joint_count += all_met
    fan = np.array([[[_quantile(columns[i][t], q) for q in FAN] for t in range(steps + 1)]
                    for i in range(len(INDICATORS))])
    return {"fan": fan, "probability": {k: v / draws for k, v in met_count.items()},
            "quantiles": {k: np.array([_quantile(v, q) for q in TARGET_QUANTILES])
                          for k, v in quantities.items()},
            "joint": joint_count / draws}
