"""Which uncertainty matters most: Sobol indices of every sampled input for every target.

The design (Saltelli 2010): two independent sets of ``N`` parameter draws, ``A`` and ``B``,
each drawn by the components themselves (so each row is a draw from the calibrated joint
distribution), and for every input ``i`` the matrix ``AB_i``: ``A`` with column ``i`` taken
from ``B``; for every group of inputs (data, prior, assumption, and the noise) the same with
the group's columns. Every matrix is simulated through the engine
(:func:`forecast.engine.simulate_draws`). The innovations and shocks (the noise) are a group of
their own: ``A`` and every ``AB_i`` share the same noise stream in row ``j`` (common random
numbers: block 0 of a run with the seed), ``B`` has an independent one, and ``AB_noise`` is
``A``'s parameters with ``B``'s noise. SALib's estimators (Saltelli 2010 first order, Jansen
total, bootstrap confidence intervals) then give, for each target's hit indicator and its
quantity, with ``V = Var(Y)`` over inputs and noise together,

* first order ``S_i = Var(E[Y | x_i]) / V``: the share of the output's variance that knowing
  ``x_i`` would remove (the noise and the other inputs still unknown);
* total ``T_i = E[Var(Y | everything but x_i)] / V``: the share left if every input but
  ``x_i``, and the noise, were known (it holds all of ``x_i``'s interactions, with the noise
  too).

Holding the noise in common between ``A`` and ``AB_i`` is what makes the differences
``f(AB_i) - f(A)`` small and the estimates precise; it does not change what they estimate.
Inputs are varied one at a time from their own draws, so within-component posterior
correlations are broken in the ``AB_i`` rows; the given-data estimator on a plain run
(:mod:`forecast.analysis.drivers`), which keeps them, is the cross-check, and every input
where the two disagree beyond their errors is listed.

A component that draws an innovation already scaled by a parameter (investment's random walk
by its volatility, adoption's yearly hazards) carries that parameter's draw in its innovation:
that part of the parameter's effect is counted as noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from forecast.analysis.discovery import Box, miss_box
from forecast.analysis.drivers import (CURVE_BINS, GROUPS, Curve, bootstrap_weights, curve,
                                       first_order_with_se, group_of, inputs_of)

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary

OUTPUTS = ("hit", "quantity")
"""What is decomposed for each target: its hit indicator (1 if met) and its quantity."""
CURVES = 3
"""Inputs per target whose conditional probability curve is kept."""
DISAGREE_SIGMAS = 3.0
"""Sobol and given-data first-order indices disagree when further apart than this many
combined standard errors (plus :data:`DISAGREE_SLACK`)."""
DISAGREE_SLACK = 0.02
_STREAM = 0x5E5  # spawn key of the design's parameter streams


def _seed(root: int, role: int) -> int:
    return int(np.random.SeedSequence(root, spawn_key=(_STREAM, role)).generate_state(1)[0])


def _outputs(model, targets, draws, shocks, size) -> tuple[np.ndarray, np.ndarray]:
    from forecast.engine import simulate_draws

    paths = simulate_draws(model, draws, shocks, size).paths
    quantity = np.empty((len(targets), size))
    for j, target in enumerate(targets):
        quantity[j] = target.quantity(paths[target.indicator], model.base_year)
    hit = np.array([t.is_met(q) for t, q in zip(targets, quantity)], dtype=float)
    return hit, quantity


def _combined(params: Mapping[str, Mapping[str, np.ndarray]], noise: Mapping[str, Mapping],
              swap: Mapping[str, Mapping[str, np.ndarray]], keys: set[str] | frozenset):
    """Draws per component: parameters from ``params`` except ``keys`` from ``swap``,
    innovations and shocks from ``noise``."""
    out = {}
    for name, own in params.items():
        d = {k: (swap[name][k] if f"{name}.{k}" in keys else v) for k, v in own.items()
             if not k.startswith("_")}
        d.update({k: v for k, v in noise[name].items() if k.startswith("_")})
        out[name] = d
    return out


def sobol_indices(names: list[str], matrices: list[np.ndarray], *, resamples: int = 100,
                  seed: int = 0):
    """SALib's first-order (Saltelli 2010) and total (Jansen) estimators with bootstrap
    standard errors, as ``SALib.analyze.sobol.analyze`` computes them (output standardised,
    the same resamples of the rows for every input), for all inputs at once; ``matrices``:
    the outputs of A, AB_1..AB_D, B (each (N,)). The estimators are SALib's formulas
    (:func:`_first_order`, :func:`_total_order`) with the variance of ``A`` and ``B`` computed
    once for all inputs rather than once per input: the same numbers, bit for bit
    (``tests/test_sensitivity_speed.py``)."""
    D = len(names)
    Y = np.column_stack(matrices)  # (N, D + 2): A, AB_1..AB_D, B
    spread = np.std(np.r_[Y[:, 0], Y[:, -1]])
    if spread <= 0.0 or D == 0:
        zeros = np.zeros(D)
        return zeros, zeros, zeros, zeros
    Y = (Y - Y.mean()) / Y.std()
    a, ab, b = Y[:, :1], Y[:, 1:-1], Y[:, -1:]
    n = len(Y)
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))
    s1_reps, st_reps = np.empty((resamples, D)), np.empty((resamples, D))
    ar, br = a[rows], b[rows]  # (N, R, 1)
    variances: dict[int, np.ndarray | None] = {}
    for start in range(0, D, 8):
        cols = slice(start, min(start + 8, D))
        abr = ab[:, cols][rows]  # (N, R, k)
        width = min(abr.shape[-1], 2)
        if width not in variances:
            variances[width] = _variance(ar, br, width)
        s1_reps[:, cols] = _first_order(ar, abr, br, variances[width])
        st_reps[:, cols] = _total_order(ar, abr, br, variances[width])
    variance = _variance(a, b, min(D, 2))
    return (_first_order(a, ab, b, variance), s1_reps.std(axis=0, ddof=1),
            _total_order(a, ab, b, variance), st_reps.std(axis=0, ddof=1))


def _variance(a: np.ndarray, b: np.ndarray, width: int) -> np.ndarray | None:
    """``var(r_[A, B], axis=0)`` (the same for every input: ``A`` and ``B`` have a trailing
    axis of one), or None when the outputs are constant (SALib's estimators then give zeros).

    NumPy sums a reduced axis pairwise when nothing else is left beside it and in order when
    there is, so the variance is computed over ``width`` copies of the column (2 for SALib's
    arrays of several inputs, 1 for one input): the same sums as SALib's."""
    y = np.r_[a, b]
    if np.ptp(y) <= np.finfo(float).eps:
        return None
    if width > 1:
        y = np.repeat(y, width, axis=-1)
    return np.var(y, axis=0)[..., :1]


def _first_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray,
                 variance: np.ndarray | None) -> np.ndarray:
    """SALib's first-order estimator (Saltelli 2010, normalised by the sample variance):
    ``mean(B (AB - A)) / var``, with ``A`` and ``B`` broadcast over the inputs of ``AB``."""
    shape = np.broadcast_shapes(a.shape, ab.shape)[1:]
    if variance is None:
        return np.zeros(shape)
    y_var = np.broadcast_to(variance, shape)
    return np.divide(np.mean(b * (ab - a), axis=0), y_var, out=np.zeros(shape),
                     where=y_var > np.finfo(float).eps)


def _total_order(a: np.ndarray, ab: np.ndarray, b: np.ndarray,
                 variance: np.ndarray | None) -> np.ndarray:
    """SALib's total estimator (Jansen, normalised by the sample variance):
    ``mean((A - AB)^2) / 2 var``, broadcast as in :func:`_first_order`."""
    shape = np.broadcast_shapes(a.shape, ab.shape)[1:]
    if variance is None:
        return np.zeros(shape)
    y_var = np.broadcast_to(variance, shape)
    return np.divide(0.5 * np.mean((a - ab) ** 2, axis=0), y_var, out=np.zeros(shape),
                     where=y_var > np.finfo(float).eps)


@dataclass
class Sensitivity:
    """The sensitivity analysis of a scenario (see the module's doc).

    ``indices[target][output]`` holds arrays over :attr:`inputs` (``first_order``,
    ``first_order_se``, ``total``, ``total_se``, ``given_data``, ``given_data_se``) and
    ``groups`` (data, prior, assumption, noise); ``curves[target]`` the conditional
    probability curves of its dominant inputs; ``spread[target]`` the 5-95 % range of the
    probability if each input were known; ``boxes[target]`` where it misses (PRIM).
    """

    scenario: str
    seed: int
    base_samples: int
    evaluations: int
    plain_draws: int
    inputs: list[str]
    origins: dict[str, str]
    held: dict[str, float]
    probability: dict[str, float]
    indices: dict[str, dict[str, dict[str, Any]]]
    curves: dict[str, list[Curve]] = field(default_factory=dict)
    spread: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    boxes: dict[str, Box | None] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        return list(self.indices)

    def _records(self, target: str, output: str) -> list[dict[str, Any]]:
        part = self.indices[target][output]
        rows = [{"input": name, "origin": self.origins[name], "group": group_of(self.origins[name]),
                 **{k: float(part[k][i]) for k in ("first_order", "first_order_se", "total",
                                                    "total_se")},
                 "given_data_first_order": float(part["given_data"][i]),
                 "given_data_first_order_se": float(part["given_data_se"][i])}
                for i, name in enumerate(self.inputs)]
        return sorted(rows, key=lambda r: -r["first_order"])

    def disagreements(self, target: str, output: str = "hit") -> list[dict[str, Any]]:
        """Inputs whose Sobol and given-data first-order indices differ beyond their errors."""
        out = []
        for row in self._records(target, output):
            gap = abs(row["first_order"] - row["given_data_first_order"])
            allowed = DISAGREE_SIGMAS * float(np.hypot(row["first_order_se"],
                                                       row["given_data_first_order_se"]))
            if gap > allowed + DISAGREE_SLACK:
                out.append({"input": row["input"], "output": output,
                            "first_order": row["first_order"],
                            "given_data_first_order": row["given_data_first_order"],
                            "first_order_se": row["first_order_se"],
                            "given_data_first_order_se": row["given_data_first_order_se"],
                            "message": (
                                f"{row['input']}: Sobol {row['first_order']:.3f} ± "
                                f"{row['first_order_se']:.3f}, given data "
                                f"{row['given_data_first_order']:.3f} ± "
                                f"{row['given_data_first_order_se']:.3f}; the design varies "
                                "inputs one at a time, the plain run keeps their correlation")})
        return out

    def measure_first(self, target: str | None = None) -> list[dict[str, Any]]:
        """The unknowns whose exact value would change the answer most: per target, by the
        expected reduction of the hit indicator's variance (its first-order share), with the
        5-95 % spread of the probability if it were known; overall (``target=None``), by the
        mean of that share over the targets."""
        if target is not None:
            return [{"input": r["input"], "origin": r["origin"], "group": r["group"],
                     "variance_reduction": max(r["first_order"], 0.0),
                     "probability_p05": self.spread[target][r["input"]][0],
                     "probability_p95": self.spread[target][r["input"]][1]}
                    for r in self._records(target, "hit") if r["first_order"] > 0]
        mean = {name: float(np.mean([max(self.indices[t]["hit"]["first_order"][i], 0.0)
                                     for t in self.targets]))
                for i, name in enumerate(self.inputs)}
        ranked = sorted(mean, key=lambda k: -mean[k])
        return [{"input": k, "origin": self.origins[k], "group": group_of(self.origins[k]),
                 "variance_reduction": mean[k],
                 "targets": {t: max(float(self.indices[t]["hit"]["first_order"][
                     self.inputs.index(k)]), 0.0) for t in self.targets}}
                for k in ranked if mean[k] > 0]

    def to_json(self) -> dict[str, Any]:
        """What ``sensitivity.json`` holds."""
        targets = {}
        for t in self.targets:
            entry: dict[str, Any] = {"probability": self.probability[t]}
            for output in OUTPUTS:
                groups = self.indices[t][output]["groups"]
                block = {"inputs": self._records(t, output), "groups": groups}
                if output == "hit":
                    entry.update(block)
                else:
                    entry["quantity"] = block
            entry["disagreements"] = self.disagreements(t, "hit") + \
                self.disagreements(t, "quantity")
            entry["curves"] = [c.to_json() for c in self.curves.get(t, [])]
            entry["measure_first"] = self.measure_first(t)
            box = self.boxes.get(t)
            entry["scenario_discovery"] = None if box is None else box.to_json()
            targets[t] = entry
        return {"scenario": self.scenario, "seed": self.seed, "base_samples": self.base_samples,
                "evaluations": self.evaluations, "plain_draws": self.plain_draws,
                "estimators": {
                    "design": "Saltelli 2010 first order and Jansen total (SALib), on A, B and "
                              "A with one input (or group) from B, common random numbers",
                    "given_data": "epsilon-squared correlation ratio over equal-count bins, "
                                  "Poisson bootstrap standard errors, on a plain run",
                    "noise": "innovations and shocks are a group of their own, held in common "
                             "between A and every AB_i, independent in B"},
                "held": self.held, "targets": targets, "measure_first": self.measure_first()}

    def to_dataset(self):
        """What ``sensitivity.nc`` holds: the indices with dims (target, output, input) and
        (target, output, group), and the curves with dims (target, rank, bin)."""
        import xarray as xr

        def stack(key):
            return np.array([[self.indices[t][o][key] for o in OUTPUTS] for t in self.targets])

        groups = list(GROUPS) + ["noise"]

        def group_stack(key):
            return np.array([[[self.indices[t][o]["groups"].get(g, {}).get(key, np.nan)
                               for g in groups]
                              for o in OUTPUTS] for t in self.targets], dtype=float)

        data = {key: (("target", "output", "input"), stack(key))
                for key in ("first_order", "first_order_se", "total", "total_se",
                            "given_data", "given_data_se")}
        data.update({f"group_{key}": (("target", "output", "group"), group_stack(key))
                     for key in ("first_order", "first_order_se", "total", "total_se")})
        shape = (len(self.targets), CURVES, CURVE_BINS)
        curve_vars = {k: np.full(shape, np.nan) for k in ("x", "probability", "low", "high")}
        names = np.full(shape[:2], "", dtype=object)
        for i, t in enumerate(self.targets):
            for r, c in enumerate(self.curves.get(t, [])[:CURVES]):
                names[i, r] = c.input
                for k in curve_vars:
                    values = getattr(c, k)
                    curve_vars[k][i, r, :len(values)] = values
        data.update({f"curve_{k}": (("target", "rank", "bin"), v) for k, v in curve_vars.items()})
        data["curve_input"] = (("target", "rank"), names.astype(str))
        return xr.Dataset(data, coords={
            "target": self.targets, "output": list(OUTPUTS), "input": self.inputs,
            "group": groups, "origin": ("input", [self.origins[k] for k in self.inputs])},
            attrs={"scenario": self.scenario, "seed": self.seed,
                   "base_samples": self.base_samples, "plain_draws": self.plain_draws,
                   "schema": "forecast.sensitivity/1"})

    def outputs(self) -> dict[str, Any]:
        return {"sensitivity.json": self.to_json(), "sensitivity.nc": self.to_dataset()}

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write ``sensitivity.json`` and ``sensitivity.nc`` into ``directory``, all or
        nothing."""
        from forecast.io.writers import write_folder

        return write_folder(directory, self.outputs(), force=force)


def sensitivity(scenario, *, draws: int = 4096, seed: int | None = None,
                plain_draws: int | None = None, resamples: int = 100, model=None,
                discovery: bool = True, priors: PriorLibrary | None = None) -> Sensitivity:
    """Sobol indices (and curves, what to measure first, PRIM boxes) of a scenario.

    Parameters
    ----------
    scenario : Scenario or path
    draws : int
        Base samples ``N`` of the design; it costs ``N (D + 5)`` simulated draws for ``D``
        inputs.
    seed : int, optional
        Root seed (default: the scenario's); the same seed gives a bit-identical result.
    plain_draws : int, optional
        Draws of the plain run for the given-data cross-check, the curves and the boxes
        (default: the scenario's ``draws``).
    resamples : int
        Bootstrap resamples of the standard errors.
    model : Model, optional
        The calibrated model, if at hand.
    discovery : bool
        Whether to search PRIM boxes (the slowest part, a second or two per target).
    priors : PriorLibrary, optional
        Where pooled priors come from (default: the library shipped in the package).
    """
    from forecast.engine import draw_block
    from forecast.info import describe_model
    from forecast.pipeline import _scenario, calibrate, simulate

    scenario = _scenario(scenario)
    if draws < 2:
        from forecast.errors import InputError
        raise InputError.single(f"needs at least 2 base samples; got {draws}", key="draws")
    root = scenario.seed if seed is None else int(seed)
    model = calibrate(scenario, priors=priors) if model is None else model
    info = describe_model(scenario, model)
    targets = list(scenario.targets)
    noise_a, shocks_a = draw_block(model, root, 0, draws)
    noise_b, shocks_b = draw_block(model, _seed(root, 3), 0, draws)
    a, _ = draw_block(model, _seed(root, 1), 0, draws)
    b, _ = draw_block(model, _seed(root, 2), 0, draws)
    flat_a = {f"{n}.{k}": v for n, d in a.items() for k, v in d.items() if not k.startswith("_")}
    flat_b = {f"{n}.{k}": v for n, d in b.items() for k, v in d.items() if not k.startswith("_")}
    both = {k: np.r_[flat_a[k], flat_b[k]] for k in flat_a}
    inputs = inputs_of(both)
    held = {k: float(flat_a[k][0]) for k in flat_a if k not in inputs}
    held.update({f"lever.{name}": float(lever.value) for name, lever in scenario.levers.items()})
    origins = {f"{n}.{k}": o for n, item in info.items() for k, o in item.origins.items()}
    origins = {k: origins.get(k, "prior") for k in inputs}
    groups = {g: {k for k in inputs if group_of(origins[k]) == g} for g in GROUPS}
    groups = {g: keys for g, keys in groups.items() if keys}

    def run(keys: set[str], noise=noise_a, shocks=shocks_a):
        return _outputs(model, targets, _combined(a, noise, b, keys), shocks, draws)

    base_a, base_b = run(set()), run(set(flat_a), noise_b, shocks_b)
    swapped = [run({k}) for k in inputs]
    grouped = [run(keys) for keys in groups.values()] + [run(set(), noise_b, shocks_b)]
    group_names = list(groups) + ["noise"]
    plain = simulate(scenario, draws=plain_draws, seed=root, model=model, keep_draws=True)
    x = {k: plain.dataset[k].values for k in inputs}
    weights = bootstrap_weights(plain.draws, seed=root % (2**31))
    probability = {}
    indices: dict[str, dict[str, dict[str, Any]]] = {}
    curves: dict[str, list[Curve]] = {}
    spread: dict[str, dict[str, tuple[float, float]]] = {}
    boxes: dict[str, Box | None] = {}
    for j, target in enumerate(targets):
        met = plain.met(target.id)
        probability[target.id] = float(met.mean())
        y_plain = {"hit": met.astype(float), "quantity": plain.target_values(target.id)}
        indices[target.id] = {}
        for o, output in enumerate(OUTPUTS):
            column = lambda result: result[o][j]  # noqa: E731
            s1, s1_se, st, st_se = sobol_indices(
                inputs, [column(base_a)] + [column(r) for r in swapped] + [column(base_b)],
                resamples=resamples, seed=root % (2**31))
            g1, g1_se, gt, gt_se = sobol_indices(
                group_names, [column(base_a)] + [column(r) for r in grouped] +
                [column(base_b)], resamples=resamples, seed=root % (2**31))
            given = [first_order_with_se(x[k], y_plain[output], weights=weights)
                     for k in inputs]
            group_rows = {g: {"first_order": float(g1[i]), "first_order_se": float(g1_se[i]),
                              "total": float(gt[i]), "total_se": float(gt_se[i])}
                          for i, g in enumerate(group_names)}
            indices[target.id][output] = {
                "first_order": s1, "first_order_se": s1_se, "total": st, "total_se": st_se,
                "given_data": np.array([g[0] for g in given], dtype=float),
                "given_data_se": np.array([g[1] for g in given], dtype=float),
                "groups": group_rows}
        all_curves = {k: curve(k, x[k], met) for k in inputs}
        spread[target.id] = {k: c.spread() for k, c in all_curves.items()}
        order = np.argsort(-indices[target.id]["hit"]["first_order"], kind="stable")
        curves[target.id] = [all_curves[inputs[i]] for i in order[:CURVES]]
        boxes[target.id] = miss_box(target.id, x, ~met) if discovery else None
    return Sensitivity(scenario.name, root, draws, draws * (len(inputs) + len(group_names) + 2),
                       plain.draws, inputs, origins, held, probability, indices, curves, spread,
                       boxes)


__all__ = ["OUTPUTS", "Sensitivity", "sensitivity", "sobol_indices"]
