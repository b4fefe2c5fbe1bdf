"""Conditioning the simulated paths on observed figures: the state step of a mid-plan
update (:mod:`forecast.analysis.update`, docs/update.md)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from forecast.engine import Model, block_sizes, draw_block
from forecast.errors import DataError, Problem
from forecast.io.history import Evidence
from forecast.models.base import Component, check_finite

FREE_INNOVATIONS = ("_noise", "_uniform", "_jump", "_shock")
"""Innovations that do not depend on a draw's parameters: after resampling each slot keeps its
own for the years still to come (the others follow their ancestor)."""
RESAMPLE_SEED = 0x5EED
"""Key of the stream of the resampling uniforms: SeedSequence(seed, (RESAMPLE_SEED, year))."""


@dataclasses.dataclass(frozen=True)
class Observation:
    """One observed figure, read on its indicator: a level, a one-year growth or a change."""

    indicator: str
    year: int
    kind: str  # "level", "growth", "change"
    value: float  # in the indicator's unit (growth as a fraction)
    sd: float  # its reporting error, same unit
    row: Evidence
    read: bool = False  # the re-calibrated parameters read it (no weight)

    def level(self, previous: np.ndarray) -> np.ndarray:
        """The level the figure gives in its year, per draw (given last year's level)."""
        if self.kind == "growth":
            return previous * (1.0 + self.value)
        if self.kind == "change":
            return previous + self.value
        return np.full(previous.shape, self.value)

    def level_sd(self, previous: np.ndarray) -> np.ndarray:
        if self.kind == "growth":
            return np.abs(previous) * self.sd
        return np.full(previous.shape, self.sd)

    def to_json(self) -> dict[str, Any]:
        r = self.row
        return {"indicator": self.indicator, "year": self.year, "kind": self.kind,
                "value": self.value, "error": self.sd, "row": {
                    "indicator": r.indicator, "kind": r.kind, "year": r.year,
                    "year_end": r.year_end, "value": r.value, "unit": r.unit, "status": r.status,
                    "source": r.source, "file": r.file, "line": r.line},
                "read_by_calibration": self.read}


def last_year(row: Evidence) -> int:
    return row.year_end if row.year_end is not None else row.year


def _vector(transform):
    def apply(values: np.ndarray) -> np.ndarray:
        try:
            out = transform(values)
            if np.shape(out) == np.shape(values):
                return np.asarray(out, float)
        except (TypeError, ValueError):
            pass
        with np.errstate(all="ignore"):
            return np.array([_safe(transform, v) for v in np.ravel(values)]).reshape(
                np.shape(values))
    return apply


def _safe(transform, value: float) -> float:
    try:
        return float(transform(float(value)))
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _outside(observation: Observation, message: str) -> DataError:
    row = observation.row
    return DataError([Problem(row.file, row.line, "value", message)])


def _condition(component: Component, t: int, own: np.ndarray, inputs: Mapping[str, np.ndarray],
               draws: dict[str, np.ndarray], shock: Any, observation: Observation,
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """The year's values given the figure, and the log weight of each draw (None: no weight,
    the re-calibrated parameters read the figure)."""
    transform = _vector(component.transform)
    target = observation.level(own[t - 1])
    target_sd = observation.level_sd(own[t - 1])
    with np.errstate(all="ignore"):
        z = transform(target)
        step = np.maximum(np.abs(target), 1.0) * 1e-6
        slope = np.abs(transform(target + step) - transform(target - step)) / (2 * step)
    z_sd = np.where(target_sd > 0, target_sd * slope, 0.0)
    if not np.isfinite(z).all() or not np.isfinite(z_sd).all():
        raise _outside(observation, f"{observation.row.value:g} {observation.row.unit} is "
                       f"outside the range of '{observation.indicator}' "
                       f"({component.model}, unit '{component.unit}') in some draws")
    noise = draws.get("_noise")
    if noise is not None:
        original = noise[t - 1].copy()

        def at(value: np.ndarray) -> np.ndarray:
            noise[t - 1] = value
            with np.errstate(all="ignore"):
                return transform(component.step(t, own, inputs, draws, shock))

        zero = np.zeros_like(original)
        a = at(zero)
        b = at(zero + 1.0) - a
        back = at(zero - 1.0)
        affine = np.isfinite(a).all() and np.isfinite(b).all() and np.allclose(
            back, a - b, rtol=1e-7, atol=1e-9)
        if affine:
            variance = b**2 + z_sd**2
            positive = variance > 0
            safe = np.where(positive, variance, 1.0)
            mean = np.where(positive, b * (z - a) / safe, 0.0)
            spread = np.sqrt(np.where(positive, z_sd**2 / safe, 1.0))
            noise[t - 1] = mean + spread * original
            values = component.step(t, own, inputs, draws, shock)
            exact = (target_sd == 0) & positive & (b != 0)
            values = np.where(exact, target, values)
            if observation.read:
                return values, None
            with np.errstate(divide="ignore"):
                log_weight = np.where(
                    positive, -0.5 * ((z - a) ** 2 / safe + np.log(2 * np.pi * safe)),
                    np.where(np.isclose(z, a, rtol=1e-12, atol=1e-12), 0.0, -np.inf))
            return values, log_weight
        noise[t - 1] = original
    values = component.step(t, own, inputs, draws, shock)
    if observation.read:  # the parameters read it: set the year to the figure
        return np.asarray(target, float), None
    with np.errstate(all="ignore"):
        simulated = transform(values)
        close = np.isclose(values, target, rtol=1e-12, atol=1e-9)
        log_weight = np.where(
            z_sd > 0, -0.5 * ((simulated - z) / np.where(z_sd > 0, z_sd, 1.0)) ** 2
            - np.log(np.where(z_sd > 0, z_sd, 1.0)), np.where(close, 0.0, -np.inf))
    values = np.where((z_sd == 0) & close, target, values)
    return values, log_weight


def _systematic(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, positions)


def _resample(index: np.ndarray, t: int, paths: dict[str, np.ndarray],
              draws: dict[str, dict[str, np.ndarray]], shocks: dict[str, np.ndarray]) -> None:
    """Draws take their ancestor's past (rows up to year index ``t``) and parameters; the
    free innovations of later years stay with the slot."""
    for path in paths.values():
        path[: t + 1] = path[: t + 1, index]
    for name, d in draws.items():
        for key, value in d.items():
            if key == "_shock":
                continue
            if value.ndim == 1:
                d[key] = value[index]
            elif key in FREE_INNOVATIONS:
                value[:t] = value[:t, index]
            else:
                d[key] = value[:, index]
    for name, rows in shocks.items():
        rows[:t] = rows[:t, index]
        if name in draws:
            draws[name]["_shock"] = rows


@dataclasses.dataclass(frozen=True)
class Conditioned:
    """Paths and parameters of a conditioned simulation, and its weighting steps."""

    paths: dict[str, np.ndarray]
    parameters: dict[str, np.ndarray]
    steps: tuple[dict[str, Any], ...]  # one per weighted year: year, ess, indicators

    @property
    def ess(self) -> float | None:
        """The smallest effective sample size of a weighted year (None: no weights)."""
        return min((s["ess"] for s in self.steps), default=None)


def simulate_conditioned(model: Model, observations: Sequence[Observation], *, draws: int,
                         seed: int) -> Conditioned:
    """Simulate ``draws`` draws conditioned on ``observations`` (see the module docstring).

    With no observation the paths and parameters are those of ``forecast run`` bit for bit.

    Raises
    ------
    DataError
        At the row of a figure no simulated draw can reach (outside the simulated support).
    """
    parts = [draw_block(model, seed, block, size)
             for block, size in enumerate(block_sizes(draws))]
    names = list(model.components)
    all_draws = {name: {key: np.concatenate([p[0][name][key] for p in parts], axis=-1)
                        for key in parts[0][0][name] if key != "_shock"} for name in names}
    shocks = {name: np.concatenate([p[1][name] for p in parts], axis=1) for name in parts[0][1]}
    for name, rows in shocks.items():
        all_draws[name]["_shock"] = rows
    by_key = {(o.indicator, o.year): o for o in observations}
    years = model.years
    paths = {name: np.empty((len(years), draws)) for name in names}
    steps = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for name, component in model.components.items():
            inputs = {i: paths[i] for i in component.inputs}
            paths[name][0] = component.initial(all_draws[name], inputs)
            check_finite(name, years[0], paths[name][0], all_draws[name])
        for t in range(1, len(years)):
            log_weight = np.zeros(draws)
            weighted: list[Observation] = []
            for name, component in model.components.items():
                shock = shocks[name][t - 1] if name in shocks else 0.0
                inputs = {i: paths[i] for i in component.inputs}
                observation = by_key.get((name, years[t]))
                if observation is None:
                    paths[name][t] = component.step(t, paths[name], inputs, all_draws[name],
                                                    shock)
                else:
                    values, weight = _condition(component, t, paths[name], inputs,
                                                all_draws[name], shock, observation)
                    paths[name][t] = values
                    if weight is not None:
                        log_weight += weight
                        weighted.append(observation)
                check_finite(name, years[t], paths[name][t], all_draws[name])
            if weighted:
                top = log_weight.max()
                if not np.isfinite(top):
                    first = weighted[0]
                    raise _outside(first, _support_message(first, paths[first.indicator][t]))
                weights = np.exp(log_weight - top)
                weights /= weights.sum()
                ess = float(1.0 / np.sum(weights**2))
                steps.append({"year": years[t], "ess": ess,
                              "indicators": [o.indicator for o in weighted]})
                rng = np.random.default_rng(np.random.SeedSequence(
                    seed, spawn_key=(RESAMPLE_SEED, years[t])))
                _resample(_systematic(weights, rng), t, paths, all_draws, shocks)
    parameters = {f"{name}.{key}": value for name, d in all_draws.items()
                  for key, value in d.items() if not key.startswith("_")}
    return Conditioned(paths, parameters, tuple(steps))


def _support_message(observation: Observation, simulated: np.ndarray) -> str:
    low, high = float(np.min(simulated)), float(np.max(simulated))
    return (f"{observation.row.value:g} {observation.row.unit} ({observation.indicator} "
            f"{observation.year}) is outside the simulated support: no draw reaches it "
            f"(simulated {low:g} to {high:g}); check the figure and its unit, give it a "
            "reporting error, or widen the scenario's priors")


__all__ = [
    "FREE_INNOVATIONS",
    "Conditioned",
    "Observation",
    "last_year",
    "simulate_conditioned",
]
