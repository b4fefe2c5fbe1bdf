"""Lever trials with common random numbers: the machinery ``solve`` and ``plan`` share.

The scenario is calibrated once; every trial setting of the levers re-simulates that calibrated
model with the same seed, so every trial sees the same random numbers and a target's
probability moves only because a lever moved. Per trial the engine's paths are reduced to each
target's quantity per draw (cached by setting), from which the exact Monte Carlo probability
and a smoothed one (for an optimiser) are read.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from forecast.errors import InputError, did_you_mean
from forecast.spec.levers import set_levers
from forecast.spec.scenario import Scenario
from forecast.spec.targets import Target

CACHE = 512
"""Settings whose target quantities are kept."""
BANDWIDTH = 0.05
"""Bandwidth of the smoothed probability, as a fraction of the quantity's spread."""


def check_probability(probability: float) -> float:
    """``probability`` if it lies strictly between 0 and 1, else an :class:`InputError`."""
    if not (isinstance(probability, (int, float)) and 0 < probability < 1):
        raise InputError.single(f"probability must lie strictly between 0 and 1; found "
                                f"{probability}", key="probability")
    return float(probability)


def check_targets(scenario: Scenario, ids: Iterable[str], *, key: str = "targets") -> list[str]:
    """``ids`` if each is a target of ``scenario``, else an :class:`InputError` at ``key``."""
    known = [t.id for t in scenario.targets]
    ids = list(ids)
    for given in ids:
        if given not in known:
            raise InputError.single(f"unknown target '{given}'.{did_you_mean(given, known)} "
                                    f"Targets of this scenario: {', '.join(known)}",
                                    file=scenario.file, key=key)
    if not ids:
        raise InputError.single("no target given", file=scenario.file, key=key)
    return ids


def check_lever(scenario: Scenario, lever: str, *, key: str = "lever") -> str:
    """``lever`` if the scenario declares it, else an :class:`InputError` at ``key``."""
    if lever not in scenario.levers:
        known = list(scenario.levers)
        raise InputError.single(f"unknown lever '{lever}'.{did_you_mean(lever, known)} "
                                f"Levers of this scenario: {', '.join(known) or 'none'}",
                                file=scenario.file, key=key)
    return lever


def _is_integral(values: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


class Trials:
    """One calibrated scenario, re-simulated at lever settings with one seed.

    Parameters
    ----------
    scenario : Scenario
        The scenario; levers not named in a setting keep their scenario values.
    targets : sequence of str
        The targets whose quantities are kept per trial.
    draws, seed : int, optional
        Override the scenario's.
    model : Model, optional
        The calibrated model, if at hand.
    priors : PriorLibrary, optional
        Where pooled priors come from when the scenario is calibrated here (default: the
        library shipped in the package).
    """

    def __init__(self, scenario: Scenario, targets: Sequence[str], *, draws: int | None = None,
                 seed: int | None = None, model=None, priors=None):
        from forecast.pipeline import calibrate

        self.scenario = scenario
        self.draws = scenario.draws if draws is None else int(draws)
        self.seed = scenario.seed if seed is None else int(seed)
        self.model = calibrate(scenario, priors=priors) if model is None else model
        by_id = {t.id: t for t in scenario.targets}
        self.targets: dict[str, Target] = {i: by_id[i] for i in targets}
        self.simulations = 0
        self._cache: OrderedDict[tuple, dict[str, np.ndarray]] = OrderedDict()
        self._bandwidth: dict[str, tuple[float, float]] = {}

    def key(self, setting: Mapping[str, float]) -> tuple:
        """The cache key of a setting (levers not named take their scenario values)."""
        return tuple(sorted((name, float(value)) for name, value in setting.items()))

    def model_at(self, setting: Mapping[str, float]):
        """The calibrated model with the levers set (no recalibration)."""
        values = {name: float(value) for name, value in setting.items()}
        components = {name: set_levers(c, c._lever_refs, values)
                      for name, c in self.model.components.items()}
        return dataclasses.replace(self.model, components=components)

    def paths(self, setting: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Every indicator's paths (year, draw) at ``setting``."""
        from forecast.engine import simulate_paths

        self.simulations += 1
        return simulate_paths(self.model_at(setting), draws=self.draws, seed=self.seed).paths

    def quantities(self, setting: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Each kept target's quantity per draw at ``setting`` (cached)."""
        key = self.key(setting)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        paths = self.paths(setting)
        out = {i: t.quantity(paths[t.indicator], self.model.base_year)
               for i, t in self.targets.items()}
        self._cache[key] = out
        if len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return out

    def met(self, setting: Mapping[str, float]) -> dict[str, np.ndarray]:
        """Per kept target, whether each draw reaches it at ``setting``."""
        quantities = self.quantities(setting)
        return {i: t.is_met(quantities[i]) for i, t in self.targets.items()}

    def probability(self, setting: Mapping[str, float], target: str) -> float:
        """The exact Monte Carlo probability of ``target`` at ``setting``."""
        return float(self.met(setting)[target].mean())

    def probabilities(self, setting: Mapping[str, float]) -> dict[str, float]:
        """Every kept target's exact Monte Carlo probability at ``setting``."""
        return {i: float(m.mean()) for i, m in self.met(setting).items()}

    def joint(self, setting: Mapping[str, float], targets: Iterable[str] | None = None) -> float:
        """The exact probability that every target in ``targets`` (default: all kept) is
        reached in the same draw."""
        met = self.met(setting)
        ids = list(self.targets if targets is None else targets)
        return float(np.logical_and.reduce([met[i] for i in ids]).mean())

    def fix_bandwidths(self, setting: Mapping[str, float]) -> dict[str, tuple[float, float]]:
        """Fix each target's smoothing (threshold, bandwidth) from its quantities at
        ``setting``: the bandwidth is :data:`BANDWIDTH` of the quantity's spread (the 5-95 %
        range over 3.29, a normal's sd); an integer quantity is judged at the threshold moved
        half a unit outwards, with a bandwidth of at most 1/8, so the smoothing does not count
        a count at the threshold as half reached."""
        quantities = self.quantities(setting)
        for i, target in self.targets.items():
            q = quantities[i]
            finite = q[np.isfinite(q)]
            spread = float(np.subtract(*np.percentile(finite, [95, 5]))) / 3.29 \
                if finite.size else 0.0
            threshold = target.threshold
            h = BANDWIDTH * spread
            if _is_integral(finite) and float(threshold).is_integer():
                threshold += -0.5 if target.at_least is not None else 0.5
                h = min(h, 0.125) if h > 0 else 0.125
            if not h > 0:
                h = 1e-9 * max(1.0, abs(threshold))
            self._bandwidth[i] = (threshold, h)
        return dict(self._bandwidth)

    def _smooth(self, quantities: Mapping[str, np.ndarray], target: str) -> np.ndarray:
        from scipy.special import ndtr

        threshold, h = self._bandwidth[target]
        q = np.nan_to_num(quantities[target], nan=-np.inf if self.targets[target].at_least
                          is not None else np.inf)
        z = (q - threshold) / h
        return ndtr(z if self.targets[target].at_least is not None else -z)

    def smoothed(self, setting: Mapping[str, float]) -> dict[str, float]:
        """Per kept target, the smoothed probability ``mean Phi(+-(quantity - threshold)/h)``
        (call :meth:`fix_bandwidths` first)."""
        quantities = self.quantities(setting)
        return {i: float(self._smooth(quantities, i).mean()) for i in self.targets}

    def smoothed_joint(self, setting: Mapping[str, float],
                       targets: Iterable[str] | None = None) -> float:
        """The smoothed probability that every target is reached together (the mean over
        draws of the product of the targets' smoothed indicators)."""
        quantities = self.quantities(setting)
        ids = list(self.targets if targets is None else targets)
        return float(np.prod([self._smooth(quantities, i) for i in ids], axis=0).mean())


__all__ = ["Trials", "check_lever", "check_probability", "check_targets"]
