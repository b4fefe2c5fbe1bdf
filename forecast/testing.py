"""The contract every registered component passes, as named checks.

:func:`component_checks` yields one :class:`Check` per rule of the component contract (see
``docs/components.md``); each is callable and raises ``AssertionError`` naming the rule it found
broken. :func:`check_component` runs them all. With pytest, every rule of every component is its
own test::

    from forecast.testing import component_checks, parametrize_with_checks

    @parametrize_with_checks(component_checks(MyComponent.model_validate(SETTINGS),
                                              invalid={"pace": "fast"}))
    def test_contract(check):
        check()

The harness runs a component the way the engine does (``forecast.engine.simulate_block``):
``sample`` once per block, ``initial`` for the base year, then ``step`` for every later year,
with the engine's ``shock`` and ``draws["_shock"]`` when a scenario shocks the indicator. Each
call is given its own copies of the path, the inputs and the draws, so that what one call writes
is seen by the check meant for it and by no other; rows not filled yet are NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from forecast.io.history import History, parse_history
from forecast.models.base import Component, Draws

_EMPTY_HISTORY = parse_history(
    "indicator,kind,year,year_end,value,unit,source,note\n"
    "placeholder,level,2000,,1,units,contract test,\n", "<contract>")

BASE_YEAR = 2020
"""Base year the checks calibrate at."""
YEARS = 6
"""Years the checks simulate: the base year and five steps."""
SIZE = 257
"""Draws the checks simulate (not a multiple of anything the engine uses)."""
SEED = 7
"""Seed of the checks' runs."""

CHECKS: dict[str, str] = {
    "calibrate_returns_new": "calibrate returns a new, calibrated component of the same class "
                             "and leaves the original as it was (uncalibrated, same settings)",
    "parameters_shaped": "sample returns numeric arrays: parameters (keys without a leading "
                         "underscore) of shape (size,), innovations (keys with one) of shape "
                         "(steps, size)",
    "step_returns_one_row": "initial and step each return an array of shape (size,): one value "
                            "per draw, not a scalar, a (1,) array or a block",
    "same_seed_same_paths": "two runs from the same seed give the same paths, draw for draw",
    "zero_noise_deterministic": "with the noise switched off, two different seeds give the "
                                "same paths",
    "shocks_applied": "a shock in one year changes that year's values and leaves the years "
                      "before it as they were",
    "base_year_untouched": "step does not write into its own path: neither the base year nor "
                           "any other row",
    "inputs_untouched": "initial and step do not write into the inputs' paths",
    "draws_untouched": "initial and step do not change, add or remove draws",
    "finite_paths": "every value of every year is finite",
    "invalid_settings_rejected": "settings the component must refuse fail validation",
}
"""Every check's name and the rule it asserts, in the order :func:`component_checks` yields
them."""


@dataclass(frozen=True)
class Check:
    """One named rule of the component contract, checked on one component.

    Calling it runs the check; it raises ``AssertionError`` whose message starts with
    :attr:`name` when the rule is broken.

    Attributes
    ----------
    name : str
        The rule (a key of :data:`CHECKS`).
    label : str
        Which component (configuration) it checks.
    run : callable
        Runs the check.
    """

    name: str
    label: str
    run: Callable[[], None] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        """``"<label>-<name>"``: a test id."""
        return f"{self.label}-{self.name}"

    @property
    def rule(self) -> str:
        """What the check asserts."""
        return CHECKS[self.name]

    def __call__(self) -> None:
        self.run()


def check_id(value: Any) -> str | None:
    """Test id of a :class:`Check` (``"<label>-<name>"``), for ``pytest.mark.parametrize``.

    Parameters
    ----------
    value : Any
        A parameter value; for anything but a :class:`Check` pytest's own id is kept.

    Returns
    -------
    str or None
        ``check.id`` for a check, else None.

    Examples
    --------
    ::

        @pytest.mark.parametrize("check", component_checks(component), ids=check_id)
        def test_contract(check):
            check()
    """
    return value.id if isinstance(value, Check) else None


def parametrize_with_checks(*checks: Iterable[Check]) -> Any:
    """A ``pytest.mark.parametrize("check", ...)`` decorator over the given checks.

    Parameters
    ----------
    *checks : iterable of Check
        What :func:`component_checks` yields, for one or more components.

    Returns
    -------
    pytest.MarkDecorator
        Parametrizes the test's ``check`` argument, one test id per check.
    """
    import pytest

    return pytest.mark.parametrize("check", [c for group in checks for c in group], ids=check_id)


def component_checks(component: Component, *, history: History | None = None,
                     zero_noise: Mapping[str, Any] | None = None,
                     invalid: Mapping[str, Any] | None = None, shock: float = 0.1,
                     label: str | None = None, priors: Any = None) -> Iterator[Check]:
    """The contract checks of one component (see :data:`CHECKS`), one :class:`Check` each.

    Checks are lazy: nothing is calibrated or simulated until one is called, and each call
    works on its own deep copy of ``component``.

    Parameters
    ----------
    component : Component
        An uncalibrated component with valid settings. Its inputs are stand-ins: calibrated
        with a zero expected change, with paths growing 5 % a year.
    history : History, optional
        Evidence to calibrate on (default: none; the component's ``evidence`` is cleared, so it
        needs a declared ``base`` or equivalent).
    zero_noise : mapping, optional
        Settings that switch all noise off (calibrated without evidence); without it
        ``zero_noise_deterministic`` is not yielded.
    invalid : mapping, optional
        Settings that must be rejected when validated; without it
        ``invalid_settings_rejected`` is not yielded.
    shock : float
        Size of the shock ``shocks_applied`` adds to one year's change on the model's scale;
        pick one that moves the component visibly (0.1 on a log scale is 10 %).
    label : str, optional
        Names the component in test ids (default: its ``model`` name).
    priors : PriorLibrary, optional
        The prior library its pooled settings are resolved from (``forecast.
        load_prior_library()`` for the shipped one).

    Yields
    ------
    Check
        In the order of :data:`CHECKS`.
    """
    label = label or component.model
    harness = _Harness(component, history, shock, priors)
    runs: dict[str, Callable[[], None]] = {
        "calibrate_returns_new": harness.calibrate_returns_new,
        "parameters_shaped": harness.parameters_shaped,
        "step_returns_one_row": harness.step_returns_one_row,
        "same_seed_same_paths": harness.same_seed_same_paths,
        "zero_noise_deterministic": lambda: harness.zero_noise_deterministic(zero_noise or {}),
        "shocks_applied": harness.shocks_applied,
        "base_year_untouched": harness.base_year_untouched,
        "inputs_untouched": harness.inputs_untouched,
        "draws_untouched": harness.draws_untouched,
        "finite_paths": harness.finite_paths,
        "invalid_settings_rejected": lambda: harness.invalid_settings_rejected(invalid or {}),
    }
    for name in CHECKS:
        if name == "zero_noise_deterministic" and zero_noise is None:
            continue
        if name == "invalid_settings_rejected" and invalid is None:
            continue
        yield Check(name, label, runs[name])


def check_component(component: Component, *, history: History | None = None,
                    zero_noise: Mapping[str, Any] | None = None,
                    invalid: Mapping[str, Any] | None = None, shock: float = 0.1,
                    priors: Any = None) -> None:
    """Run every contract check; raise ``AssertionError`` naming each broken rule.

    Parameters are those of :func:`component_checks`.

    Raises
    ------
    AssertionError
        If any check fails; the message has one line per failed check, starting with its name.
    """
    failures = []
    for check in component_checks(component, history=history, zero_noise=zero_noise,
                                  invalid=invalid, shock=shock, priors=priors):
        try:
            check()
        except AssertionError as exc:
            failures.append(str(exc))
    if failures:
        raise AssertionError("\n".join(failures))


# -- the harness -----------------------------------------------------------------------------
def _fail(name: str, message: str) -> AssertionError:
    return AssertionError(f"{name}: {message} (rule: {CHECKS[name]})")


@dataclass
class _Run:
    """What one simulation of a block saw."""

    paths: np.ndarray
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # initial's, then each step's
    own_written: list[tuple[int, list[int]]] = field(default_factory=list)  # (t, rows)
    inputs_written: list[tuple[int, str]] = field(default_factory=list)  # (t, input name)
    draws_changed: list[tuple[int, str]] = field(default_factory=list)  # (t, key)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise: equal, or both NaN."""
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _input_paths(component: Component, size: int) -> dict[str, np.ndarray]:
    growth = np.exp(np.cumsum(np.full((YEARS, size), 0.05), axis=0))
    return {name: growth.copy() for name in component.inputs}


def _as_row(name: str, t: int, result: Any, size: int) -> np.ndarray:
    try:
        return np.broadcast_to(np.asarray(result, dtype=float), (size,))
    except (ValueError, TypeError):
        raise _fail("step_returns_one_row", f"{name} returned shape {np.shape(result)} for year "
                    f"index {t}; expected ({size},)") from None


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(a, b, equal_nan=True))
    except TypeError:  # not numbers: parameters_shaped reports it
        return bool(np.array_equal(a, b))


def _changed_draws(draws: Draws, working: Draws) -> list[str]:
    keys = sorted(set(draws) ^ set(working))
    return keys + [k for k in sorted(set(draws) & set(working)) if not _equal(draws[k], working[k])]


def _simulate(fitted: Component, draws: Draws, size: int,
              shocks: np.ndarray | None = None) -> _Run:
    """Paths of one block from ``draws``, as the engine runs it, recording what each call wrote.

    Every call gets copies: of the path (rows not filled yet are NaN), of the inputs (rows after
    the year are NaN) and of the draws; ``draws`` itself is never changed.
    """
    if shocks is not None:
        draws = {**draws, "_shock": shocks}
    full = _input_paths(fitted, size)
    paths = np.full((YEARS, size), np.nan)
    run = _Run(paths)

    def inputs_until(t: int) -> dict[str, np.ndarray]:
        out = {}
        for name, path in full.items():
            out[name] = path.copy()
            out[name][t + 1:] = np.nan
        return out

    def record(t: int, inputs: dict[str, np.ndarray], working: Draws) -> None:
        expected = inputs_until(t)
        run.inputs_written += [(t, n) for n in inputs if not _same(inputs[n], expected[n]).all()]
        run.draws_changed += [(t, k) for k in _changed_draws(draws, working)]

    with np.errstate(all="ignore"):  # as in the engine: finite_paths reports
        inputs, working = inputs_until(0), {k: np.copy(v) for k, v in draws.items()}
        result = fitted.initial(working, inputs)
        run.shapes.append(np.shape(result))
        record(0, inputs, working)
        paths[0] = _as_row("initial", 0, result, size)
        for t in range(1, YEARS):
            own, before = paths.copy(), paths.copy()
            inputs, working = inputs_until(t), {k: np.copy(v) for k, v in draws.items()}
            shock = shocks[t - 1] if shocks is not None else 0.0
            result = fitted.step(t, own, inputs, working, shock)
            run.shapes.append(np.shape(result))
            rows = [int(r) for r in np.flatnonzero(~_same(own, before).all(axis=1))]
            if rows:
                run.own_written.append((t, rows))
            record(t, inputs, working)
            paths[t] = _as_row("step", t, result, size)
    return run


class _Harness:
    """Calibrates and runs one component for the checks (a deep copy for every check)."""

    def __init__(self, component: Component, history: History | None, shock: float,
                 priors: Any = None):
        self.priors = priors
        self.component = component
        self.history = history
        self.shock = shock

    def _fresh(self) -> tuple[Component, History]:
        component = self.component.model_copy(deep=True)
        if self.history is None:
            return component.model_copy(update={"evidence": []}), _EMPTY_HISTORY
        return component, self.history

    def _stand_in_inputs(self, component: Component) -> dict[str, Component]:
        return {name: _Constant() for name in component.inputs}

    def _calibrated(self, component: Component | None = None,
                    history: History | None = None) -> Component:
        if component is None:
            component, history = self._fresh()
        return component.calibrate(history or _EMPTY_HISTORY, base_year=BASE_YEAR,
                                   inputs=self._stand_in_inputs(component), priors=self.priors)

    def _run(self, fitted: Component, seed: int = SEED) -> _Run:
        draws = fitted.sample(np.random.default_rng(seed), SIZE, YEARS - 1)
        return _simulate(fitted, draws, SIZE)

    # -- the checks ------------------------------------------------------------------------
    def calibrate_returns_new(self) -> None:
        name = "calibrate_returns_new"
        component, history = self._fresh()
        settings = component.model_dump()
        fitted = self._calibrated(component, history)
        if fitted is component:
            raise _fail(name, "calibrate returned the component itself")
        if component.is_calibrated:
            raise _fail(name, "calibrate left the original component calibrated (it mutated it)")
        if component.model_dump() != settings:
            raise _fail(name, "calibrate changed the original component's settings")
        if type(fitted) is not type(component):
            raise _fail(name, f"calibrate returned a {type(fitted).__name__}, not a "
                        f"{type(component).__name__}")
        if not fitted.is_calibrated:
            raise _fail(name, "the component calibrate returned is not calibrated")

    def parameters_shaped(self) -> None:
        name = "parameters_shaped"
        fitted = self._calibrated()
        for size, steps in ((SIZE, YEARS - 1), (3, 1)):
            draws = fitted.sample(np.random.default_rng(SEED), size, steps)
            if not isinstance(draws, dict):
                raise _fail(name, f"sample returned a {type(draws).__name__}, not a dict")
            for key, value in draws.items():
                expected = (steps, size) if key.startswith("_") else (size,)
                kind = "an innovation" if key.startswith("_") else "a parameter"
                if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
                    found = type(value).__name__ + (f" of {value.dtype}" if isinstance(
                        value, np.ndarray) else "")
                    raise _fail(name, f"draws[{key!r}] is a {found}; expected a numeric numpy "
                                "array")
                if value.shape != expected:
                    raise _fail(name, f"draws[{key!r}] has shape {value.shape} for size={size}, "
                                f"steps={steps}; {kind} has shape {expected}")

    def step_returns_one_row(self) -> None:
        name = "step_returns_one_row"
        run = self._run(self._calibrated())
        for t, shape in enumerate(run.shapes):
            if shape != (SIZE,):
                call = "initial" if t == 0 else f"step for year index {t}"
                raise _fail(name, f"{call} returned shape {shape}; expected ({SIZE},)")

    def same_seed_same_paths(self) -> None:
        fitted = self._calibrated()
        first, second = self._run(fitted).paths, self._run(fitted).paths
        if not _same(first, second).all():
            years = sorted({int(t) for t in np.nonzero(~_same(first, second))[0]})
            raise _fail("same_seed_same_paths", f"two runs with seed {SEED} differ in year "
                        f"index(es) {years}: are all random numbers drawn in sample from the rng "
                        "it is given?")

    def zero_noise_deterministic(self, zero_noise: Mapping[str, Any]) -> None:
        component = self.component
        quiet = type(component).model_validate({**component.model_dump(), **zero_noise})
        fitted = self._calibrated(quiet.model_copy(update={"evidence": []}), _EMPTY_HISTORY)
        a, b = self._run(fitted, 1).paths, self._run(fitted, 2).paths
        if not np.allclose(a, b, equal_nan=True):
            with np.errstate(all="ignore"):
                apart = np.nanmax(np.where(_same(a, b), 0.0, np.abs(a - b)))
            raise _fail("zero_noise_deterministic", f"with settings {dict(zero_noise)}, seeds 1 "
                        f"and 2 gave paths up to {apart:g} apart")

    def shocks_applied(self) -> None:
        name = "shocks_applied"
        fitted = self._calibrated()
        draws = fitted.sample(np.random.default_rng(SEED), SIZE, YEARS - 1)
        steps = YEARS - 1
        plain = _simulate(fitted, draws, SIZE, np.zeros((steps, SIZE))).paths
        for year in sorted({1, steps}):
            rows = np.zeros((steps, SIZE))
            rows[year - 1] = self.shock
            shocked = _simulate(fitted, draws, SIZE, rows).paths
            if _same(shocked[year], plain[year]).all():
                raise _fail(name, f"a shock of {self.shock:g} in year index {year} left that "
                            "year's values as they were: does step add its shock argument to "
                            "the yearly change?")
            before = np.flatnonzero(~_same(shocked[:year], plain[:year]).all(axis=1))
            if before.size:
                raise _fail(name, f"a shock in year index {year} changed the earlier year "
                            f"index(es) {before.tolist()}")

    def base_year_untouched(self) -> None:
        run = self._run(self._calibrated())
        if run.own_written:
            t, rows = run.own_written[0]
            where = ", ".join("the base year (row 0)" if r == 0 else
                              f"row {r}{' (filled)' if r < t else ' (not filled yet)'}"
                              for r in rows)
            raise _fail("base_year_untouched", f"step for year index {t} wrote into its own "
                        f"path: {where}; step must return the new row, not write it")

    def inputs_untouched(self) -> None:
        run = self._run(self._calibrated())
        if run.inputs_written:
            t, input_name = run.inputs_written[0]
            call = "initial" if t == 0 else f"step for year index {t}"
            raise _fail("inputs_untouched", f"{call} modified its input {input_name!r}")

    def draws_untouched(self) -> None:
        run = self._run(self._calibrated())
        if run.draws_changed:
            t, key = run.draws_changed[0]
            call = "initial" if t == 0 else f"step for year index {t}"
            raise _fail("draws_untouched", f"{call} changed, added or removed draws[{key!r}]")

    def finite_paths(self) -> None:
        paths = self._run(self._calibrated()).paths
        bad = ~np.isfinite(paths)
        if bad.any():
            t, draw = (int(i) for i in np.argwhere(bad)[0])
            raise _fail("finite_paths", f"{paths[t, draw]} in year index {t}, draw {draw} "
                        f"({int(bad.sum())} non-finite values; rows not filled yet are NaN in "
                        "the harness, so reading own[t] or inputs after t also shows here)")

    def invalid_settings_rejected(self, invalid: Mapping[str, Any]) -> None:
        component = self.component
        try:
            type(component).model_validate({**component.model_dump(), **invalid})
        except ValidationError:
            return
        raise _fail("invalid_settings_rejected", f"invalid settings {dict(invalid)} were "
                    "accepted")


class _Constant(Component):
    """A stand-in input whose posterior mean change is zero."""

    model: str = "constant"
    unit: str = "units"

    def expected_change(self) -> float:
        return 0.0

    def mean_change(self, years) -> float:
        return 0.0
