"""Vectorised Monte Carlo: calibrated components in dependency order, draws in fixed blocks.

Every block of every component draws from its own stream,
``SeedSequence(seed, spawn_key=(component key, block index))``, so a result depends only on the
seed and the number of draws: not on how blocks are grouped into chunks or workers. Two
scenarios run with the same seed share their random numbers wherever their components share a
name (common random numbers). The engine loops over years and components, never over draws.
"""

from __future__ import annotations

import graphlib
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .errors import ModelError, ScenarioError, did_you_mean
from .history import History
from .models.base import Component, ComponentError, check_finite
from .scenario import Scenario, Shock

BLOCK_SIZE = 8192
"""Draws per block. Part of the reproducibility contract: changing it changes the streams."""
_SHOCK_STREAM = zlib.crc32(b"forecast:shocks")


def stream_key(name: str) -> int:
    """Stable integer key of a component's random stream (from its indicator name)."""
    return zlib.crc32(name.encode("utf-8"))


def dependency_order(scenario: Scenario) -> list[str]:
    """Indicator names ordered so that every indicator comes after its inputs.

    Raises
    ------
    ScenarioError
        If the inputs form a cycle (the message names it).
    """
    graph = {name: list(c.inputs) for name, c in scenario.indicators.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        raise ScenarioError([scenario.problem(("indicators", cycle[0], "inputs"),
                                              "inputs form a cycle: " + " -> ".join(cycle))])


@dataclass(frozen=True)
class Model:
    """Calibrated components in dependency order, the simulated years and the shocks: all the
    engine needs (plain, picklable data, so blocks can run in other processes)."""

    components: Mapping[str, Component]
    base_year: int
    horizon: int
    shocks: tuple[Shock, ...] = ()

    @property
    def years(self) -> list[int]:
        """Simulated years."""
        return list(range(self.base_year, self.horizon + 1))


def calibrate_model(scenario: Scenario, history: History) -> Model:
    """Calibrate every component of ``scenario`` on ``history``, inputs first.

    Raises
    ------
    ScenarioError
        If a component cannot be calibrated (located at its setting in the scenario file).
    """
    fitted: dict[str, Component] = {}
    for name in dependency_order(scenario):
        component = scenario.indicators[name]
        try:
            fitted[name] = component.calibrate(
                history, base_year=scenario.base_year,
                inputs={i: fitted[i] for i in component.inputs})
        except ComponentError as exc:
            raise ScenarioError([scenario.problem(("indicators", name, exc.key), str(exc))])
    return Model(fitted, scenario.base_year, scenario.horizon, tuple(scenario.shocks))


@dataclass(frozen=True)
class BlockResult:
    """Paths (year, draw) per indicator and parameters (draw,) of one block."""

    paths: dict[str, np.ndarray]
    parameters: dict[str, np.ndarray]


def _shocks(model: Model, seed: int, block: int, size: int, steps: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for index, shock in enumerate(model.shocks):
        total = out.setdefault(shock.indicator, np.zeros((steps, size)))
        if shock.year is not None:
            total[shock.year - model.base_year - 1] += shock.size
            continue
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(_SHOCK_STREAM, block, index)))
        hit = rng.random((steps, size)) < shock.probability
        sizes = shock.size.sample(rng, steps * size).reshape(steps, size)
        total += np.where(hit, sizes, 0.0)
    return out


def simulate_block(model: Model, seed: int, block: int, size: int) -> BlockResult:
    """Simulate one block of ``size`` draws (pure: the same arguments give the same result)."""
    years = model.years
    steps = len(years) - 1
    draws = {}
    for name, component in model.components.items():
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(stream_key(name), block)))
        draws[name] = component.sample(rng, size, steps)
    shocks = _shocks(model, seed, block, size, steps)
    paths = {name: np.empty((len(years), size)) for name in model.components}
    for name, component in model.components.items():
        inputs = {i: paths[i] for i in component.inputs}
        paths[name][0] = component.initial(draws[name], inputs)
        check_finite(name, years[0], paths[name][0], draws[name])
    for t in range(1, len(years)):
        for name, component in model.components.items():
            shock = shocks[name][t - 1] if name in shocks else 0.0
            inputs = {i: paths[i] for i in component.inputs}
            paths[name][t] = component.step(t, paths[name], inputs, draws[name], shock)
            check_finite(name, years[t], paths[name][t], draws[name])
    parameters = {f"{name}.{key}": value for name, d in draws.items() for key, value in d.items()
                  if not key.startswith("_")}
    return BlockResult(paths, parameters)


def block_sizes(draws: int, block_size: int = BLOCK_SIZE) -> list[int]:
    """Sizes of the blocks that make up ``draws`` draws."""
    full, rest = divmod(draws, block_size)
    return [block_size] * full + ([rest] if rest else [])


def _run_chunk(model: Model, seed: int, blocks: Sequence[tuple[int, int]]) -> list[BlockResult]:
    return [simulate_block(model, seed, block, size) for block, size in blocks]


def simulate_paths(model: Model, *, draws: int, seed: int, workers: int = 1,
                   chunk_blocks: int = 4) -> BlockResult:
    """Simulate ``draws`` draws and return every path and parameter.

    Parameters
    ----------
    model : Model
        The calibrated model.
    draws : int
        Number of draws.
    seed : int
        Root seed.
    workers : int
        Processes to spread the chunks over (1: this process).
    chunk_blocks : int
        Blocks per chunk of work. Neither this nor ``workers`` changes the result.
    """
    if draws <= 0:
        raise ModelError(f"draws must be positive; found {draws}")
    sizes = block_sizes(draws)
    blocks = list(enumerate(sizes))
    chunks = [blocks[i:i + chunk_blocks] for i in range(0, len(blocks), max(1, chunk_blocks))]
    if workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = [r for chunk in pool.map(_run_chunk, [model] * len(chunks),
                                             [seed] * len(chunks), chunks) for r in chunk]
    else:
        parts = [r for chunk in chunks for r in _run_chunk(model, seed, chunk)]
    paths = {name: np.concatenate([p.paths[name] for p in parts], axis=1)
             for name in model.components}
    parameters = {key: np.concatenate([p.parameters[key] for p in parts])
                  for key in parts[0].parameters}
    return BlockResult(paths, parameters)


def check_indicator(scenario: Scenario, name: str) -> None:
    """Raise a :class:`ScenarioError` if ``name`` is not an indicator of ``scenario``."""
    if name not in scenario.indicators:
        raise ScenarioError.single(f"unknown indicator '{name}'."
                                   f"{did_you_mean(name, scenario.indicators)}",
                                   file=scenario.file, key=name)
