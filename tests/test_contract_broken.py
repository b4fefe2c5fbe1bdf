"""The contract suite fails on broken components: each breaks one rule and fails its check only.

Every broken component is a small subclass of a real one (or of a minimal plug-in written here),
and every (broken component, check) pair is its own test: the check meant for the breakage must
raise ``AssertionError`` naming its rule, and every other check must pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pytest
from pydantic import Field

from forecast.models import Component, Elasticity, Growth
from forecast.models.base import Draws, ParameterFit
from forecast.testing import CHECKS, check_component, check_id, component_checks

WHY = "test"
GROWTH = {"model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 10, "why": WHY}}
GROWTH_QUIET = {"volatility": {"dist": "fixed", "value": 0.0, "why": WHY},
                "drift": {"dist": "normal", "loc": 0.02, "scale": 1e-12, "why": WHY}}
ELASTICITY = {**GROWTH, "model": "elasticity", "inputs": ["x"],
              "elasticity": {"dist": "normal", "loc": 1, "scale": 0.1, "why": WHY}}


# -- a minimal plug-in that keeps the contract -----------------------------------------------
class Trend(Component):
    """``level_t = level_{t-1} + slope + volatility * e_t + shock``: a plug-in's shape."""

    model: Literal["trend"]
    scale = "linear"
    slope: float = Field(default=1.0, allow_inf_nan=False)
    volatility: float = Field(default=0.5, ge=0, allow_inf_nan=False)

    def transform(self, level: float) -> float:
        return level

    def fit_parameters(self, reading, inputs) -> ParameterFit:
        return ParameterFit({})

    def expected_change(self) -> float:
        return self.slope

    def sample(self, rng: np.random.Generator, size: int, steps: int) -> Draws:
        return {"base": self.sample_base(rng, size), "slope": np.full(size, self.slope),
                "_noise": self.volatility * rng.standard_normal((steps, size))}

    def step(self, t, own, inputs, draws, shock):
        return own[t - 1] + draws["slope"] + draws["_noise"][t - 1] + shock


TREND = {"model": "trend", "unit": "u",
         "base": {"dist": "uniform", "low": 10, "high": 20, "why": WHY}}
TREND_QUIET = {"volatility": 0.0, "base": {"dist": "fixed", "value": 15, "why": WHY}}


# -- broken components -----------------------------------------------------------------------
class ScalarStep(Growth):
    """step returns one number for all draws (the engine would broadcast it)."""

    def step(self, t, own, inputs, draws, shock):
        return float(np.mean(super().step(t, own, inputs, draws, shock)))


class OneElementStep(Growth):
    """step returns a (1,) array."""

    def step(self, t, own, inputs, draws, shock):
        return np.atleast_1d(np.mean(super().step(t, own, inputs, draws, shock)))


class TrendScalarStep(Trend):
    """A plug-in whose step works on one number when every draw starts alike."""

    def step(self, t, own, inputs, draws, shock):
        return float(own[t - 1][0] + self.slope + np.mean(shock))


class IgnoresShock(Growth):
    """step drops the scenario's shock."""

    def step(self, t, own, inputs, draws, shock):
        return super().step(t, own, inputs, draws, 0.0)


class TrendIgnoresShock(Trend):
    def step(self, t, own, inputs, draws, shock):
        return own[t - 1] + draws["slope"] + draws["_noise"][t - 1]


class BlockParameters(Growth):
    """The drift is drawn for every year: a parameter of shape (steps, draws)."""

    def sample(self, rng, size, steps):
        draws = super().sample(rng, size, steps)
        return {**draws, "drift": np.tile(draws["drift"], (steps, 1))}

    def step(self, t, own, inputs, draws, shock):
        return super().step(t, own, inputs, {**draws, "drift": draws["drift"][t - 1]}, shock)


class RowInnovation(Trend):
    """An innovation of shape (draws,) under an underscore key."""

    def sample(self, rng, size, steps):
        return {**super().sample(rng, size, steps), "_level": rng.standard_normal(size)}


class OverwritesBaseYear(Growth):
    """step writes its result into the base year."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        own[0] = result
        return result


class OverwritesEarlierRow(Growth):
    """step smooths last year's value in place (from the second simulated year on)."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        if t >= 2:
            own[t - 1] = 0.5 * (own[t - 1] + result)
        return result


class WritesAhead(Growth):
    """step fills the rows after its year."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        own[t + 1:] = result
        return result


class ModifiesInput(Elasticity):
    """step rescales its input in place."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        inputs["x"][: t + 1] /= inputs["x"][0]
        return result


class ModifiesDraws(Growth):
    """step uses up its innovations in place."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        draws["_noise"][t - 1] = 0.0
        return result


class StateInDraws(Growth):
    """step keeps last year's growth under a new key of the draws."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        draws["_last"] = np.log(result / own[t - 1])
        return result


class MutatingCalibrate(Growth):
    """calibrate stores the fit on the original as well."""

    def calibrate(self, history, **kwargs):
        fitted = super().calibrate(history, **kwargs)
        self._fit = fitted._fit
        return fitted


class CalibrateReturnsSelf(Growth):
    """calibrate fits in place and returns the original."""

    def calibrate(self, history, **kwargs):
        self._fit = super().calibrate(history, **kwargs)._fit
        return self


class GlobalRandom(Growth):
    """sample draws its noise from numpy's global random state, not from the rng given."""

    def sample(self, rng, size, steps):
        return {**super().sample(rng, size, steps),
                "_noise": np.random.standard_normal((steps, size))}


class NonFinite(Growth):
    """One draw's path breaks down to NaN."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        return np.where(np.arange(result.size) == 0, np.nan, result)


class Overflows(Trend):
    """One draw explodes to infinity by the last year."""

    def step(self, t, own, inputs, draws, shock):
        result = super().step(t, own, inputs, draws, shock)
        return np.where(np.arange(result.size) == 0, result * np.float64(1e80) ** t, result)


class LaxSettings(Growth):
    """tail_dof lost its bounds: one degree of freedom (no variance) is accepted."""

    tail_dof: float | None = None


class TrendLaxSettings(Trend):
    volatility: float = 0.5


@dataclass(frozen=True)
class Broken:
    """A broken component, the settings its checks get and the one check it must fail."""

    cls: type[Component]
    fails: str
    settings: dict[str, Any]
    zero_noise: dict[str, Any] | None = None
    invalid: dict[str, Any] | None = None

    def checks(self):
        return component_checks(self.cls.model_validate(self.settings),
                                zero_noise=self.zero_noise, invalid=self.invalid,
                                label=self.cls.__name__)


def growth(cls: type[Component], fails: str, **kwargs: Any) -> Broken:
    return Broken(cls, fails, GROWTH, zero_noise=GROWTH_QUIET, invalid={"tail_dof": 1}, **kwargs)


def trend(cls: type[Component], fails: str) -> Broken:
    return Broken(cls, fails, TREND, zero_noise=TREND_QUIET, invalid={"volatility": -1.0})


BROKEN: list[Broken] = [
    growth(ScalarStep, "step_returns_one_row"),
    growth(OneElementStep, "step_returns_one_row"),
    trend(TrendScalarStep, "step_returns_one_row"),
    growth(IgnoresShock, "shocks_applied"),
    trend(TrendIgnoresShock, "shocks_applied"),
    growth(BlockParameters, "parameters_shaped"),
    trend(RowInnovation, "parameters_shaped"),
    growth(OverwritesBaseYear, "base_year_untouched"),
    growth(OverwritesEarlierRow, "base_year_untouched"),
    growth(WritesAhead, "base_year_untouched"),
    Broken(ModifiesInput, "inputs_untouched", ELASTICITY,
           invalid={"volatility": {"dist": "halfnormal", "scale": -1, "why": WHY}}),
    growth(ModifiesDraws, "draws_untouched"),
    growth(StateInDraws, "draws_untouched"),
    growth(MutatingCalibrate, "calibrate_returns_new"),
    growth(CalibrateReturnsSelf, "calibrate_returns_new"),
    growth(GlobalRandom, "same_seed_same_paths"),
    growth(NonFinite, "finite_paths"),
    trend(Overflows, "finite_paths"),
    growth(LaxSettings, "invalid_settings_rejected"),
    trend(TrendLaxSettings, "invalid_settings_rejected"),
]
PAIRS = [pytest.param(broken, check, id=check.id) for broken in BROKEN for check in broken.checks()]


def test_the_broken_components_cover_every_check():
    assert {broken.fails for broken in BROKEN} == set(CHECKS) - {"zero_noise_deterministic"}


@pytest.mark.parametrize(("broken", "check"), PAIRS)
def test_only_the_broken_rule_fails(broken: Broken, check: Callable[[], None]):
    if check.name == broken.fails:
        with pytest.raises(AssertionError, match=f"^{check.name}: "):
            check()
    else:
        check()


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.cls.__name__)
def test_check_component_names_the_broken_rule(broken: Broken):
    with pytest.raises(AssertionError) as raised:
        check_component(broken.cls.model_validate(broken.settings), zero_noise=broken.zero_noise,
                        invalid=broken.invalid)
    assert [line.split(":")[0] for line in str(raised.value).splitlines()] == [broken.fails]


# -- noise that cannot be switched off -------------------------------------------------------
class NoisyDespiteSettings(Growth):
    """Adds noise that the zero-noise settings do not reach."""

    def sample(self, rng, size, steps):
        draws = super().sample(rng, size, steps)
        return {**draws, "drift": draws["drift"] + 0.01 * rng.standard_normal(size)}


def test_zero_noise_fails_when_noise_remains():
    checks = {c.name: c for c in component_checks(NoisyDespiteSettings.model_validate(GROWTH),
                                                   zero_noise=GROWTH_QUIET)}
    with pytest.raises(AssertionError, match="^zero_noise_deterministic: "):
        checks["zero_noise_deterministic"]()
    for name, check in checks.items():
        if name != "zero_noise_deterministic":
            check()


def test_the_minimal_plug_in_keeps_the_contract():
    check_component(Trend.model_validate(TREND), zero_noise=TREND_QUIET,
                    invalid={"volatility": -1.0})


def test_checks_have_names_rules_and_ids():
    checks = list(component_checks(Trend.model_validate(TREND), label="trend_plugin"))
    assert [c.name for c in checks] == [n for n in CHECKS if n not in (
        "zero_noise_deterministic", "invalid_settings_rejected")]
    assert all(check_id(c) == f"trend_plugin-{c.name}" and c.rule == CHECKS[c.name]
               for c in checks)
    assert check_id(3) is None
