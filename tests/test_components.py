"""Every registered component, with each of its optional features, passes every contract check.

Each (component configuration, check) pair is its own test: ``test_contract[growth_jump-
shocks_applied]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import forecast
from forecast import parse_history
from forecast.testing import CHECKS, check_component, component_checks, parametrize_with_checks

WHY = "test"


def fixed(value: float) -> dict:
    return {"dist": "fixed", "value": value, "why": WHY}


def normal(loc: float, scale: float) -> dict:
    return {"dist": "normal", "loc": loc, "scale": scale, "why": WHY}


def uniform(low: float, high: float) -> dict:
    return {"dist": "uniform", "low": low, "high": high, "why": WHY}


@dataclass(frozen=True)
class Case:
    """Valid settings of one component configuration, and what its checks need."""

    settings: dict[str, Any]
    zero_noise: dict[str, Any] | None  # None: the model has noise that cannot be switched off
    invalid: dict[str, Any]
    shock: float  # moves the model's scale visibly
    history: str | None = None  # evidence to calibrate on (default: none)

    def component(self) -> forecast.Component:
        return forecast.registry()[self.settings["model"]].model_validate(self.settings)


GROWTH = {"model": "growth", "unit": "u", "base": fixed(10)}
GROWTH_QUIET = {"volatility": fixed(0.0), "drift": normal(0.02, 1e-12)}
ELASTICITY = {"model": "elasticity", "unit": "u", "inputs": ["x"], "base": fixed(10),
              "elasticity": normal(1, 0.1)}
ELASTICITY_QUIET = {"volatility": fixed(0.0), "intercept": normal(0, 1e-12),
                    "elasticity": normal(1, 1e-12)}
POVERTY = {"model": "poverty", "unit": "share", "inputs": ["x"], "base": uniform(0.05, 0.2)}
POVERTY_QUIET = {"base": fixed(0.1), "volatility": fixed(0.0), "trend": normal(-0.1, 1e-12),
                 "elasticity": normal(-1, 1e-12)}
COVERAGE = {"model": "coverage", "unit": "share", "base": uniform(0.5, 0.7),
            "pace": normal(0.1, 0.05)}
COVERAGE_QUIET = {"base": fixed(0.6), "volatility": fixed(0.0), "pace": normal(0.1, 1e-12)}
FUNDING = {"input": "x", "share": 0.1, "unit_cost": 1.0, "network": uniform(8, 12)}
ADOPTION = {"model": "adoption", "unit": "communes", "units": 20,
            "base": {"dist": "integers", "low": 2, "high": 8, "why": WHY},
            "hazard": {"dist": "beta", "a": 2, "b": 5, "why": WHY}}
INVESTMENT = {"model": "investment", "unit": "u", "inputs": ["x"], "share": uniform(0.3, 0.5)}
PERSISTENCE = uniform(-0.6, 0.6)
GDP = "indicator,kind,year,year_end,value,unit,source,note\n" + "".join(
    f"gdp,level,{year},,{level:.3f},u,test source,\n" for year, level in
    zip(range(2012, 2021), [7.0, 7.5, 7.9, 8.6, 8.9, 9.6, 10.1, 10.9, 11.2]))

CASES: dict[str, Case] = {
    "growth": Case(GROWTH, GROWTH_QUIET, {"tail_dof": 1}, 0.1),
    "growth_persistence": Case(
        {**GROWTH, "persistence": PERSISTENCE}, GROWTH_QUIET,
        {"persistence": uniform(0.5, -0.5)}, 0.1),
    "growth_persistence_evidence": Case(  # AR(1) fitted; starts from the base year's growth
        {"model": "growth", "unit": "u", "evidence": ["gdp"], "persistence": PERSISTENCE},
        {**GROWTH_QUIET, "base": fixed(10)}, {"persistence": uniform(0.5, -0.5)}, 0.1, GDP),
    "growth_fat_tails": Case({**GROWTH, "tail_dof": 4}, GROWTH_QUIET, {"tail_dof": 2}, 0.1),
    "growth_jump": Case(
        {**GROWTH, "tail_dof": 5, "jump": {"probability": 0.2, "size": normal(-0.05, 0.02)}},
        {**GROWTH_QUIET, "jump": {"probability": 0.0, "size": normal(-0.05, 0.02)}},
        {"jump": {"probability": 1.5, "size": normal(-0.05, 0.02)}}, 0.1),
    "elasticity": Case(ELASTICITY, ELASTICITY_QUIET,
                       {"volatility": {"dist": "halfnormal", "scale": -1, "why": WHY}}, 0.1),
    "elasticity_persistence": Case(
        {**ELASTICITY, "persistence": PERSISTENCE}, ELASTICITY_QUIET,
        {"persistence": {"dist": "normal", "loc": 0, "scale": 0, "why": WHY}}, 0.1),
    "fiscal": Case({**ELASTICITY, "model": "fiscal"}, ELASTICITY_QUIET,
                   {"elasticity": uniform(0.5, 1.5)}, 0.1),
    "fiscal_persistence": Case(
        {**ELASTICITY, "model": "fiscal", "persistence": normal(0.2, 0.2)}, ELASTICITY_QUIET,
        {"inputs": "x"}, 0.1),
    "poverty": Case(POVERTY, POVERTY_QUIET, {"unit": "billion VND"}, 0.5),
    "poverty_standard_break": Case(
        {**POVERTY, "standard_break": {"year": 2023, "shift": normal(0.3, 0.1)}},
        {**POVERTY_QUIET, "standard_break": {"year": 2023, "shift": fixed(0.3)}},
        {"standard_break": {"year": 2023}}, 0.5),
    "coverage": Case(COVERAGE, COVERAGE_QUIET, {"base": uniform(0.5, 1.5)}, 0.3),
    "coverage_funding": Case(
        {**COVERAGE, "inputs": ["x"], "funding": FUNDING},
        {**COVERAGE_QUIET, "funding": {**FUNDING, "network": fixed(10)}},
        {"funding": {**FUNDING, "input": "y"}}, 0.3),
    "adoption": Case(ADOPTION, None,
                     {"base": {"dist": "integers", "low": 2, "high": 30, "why": WHY}}, 0.2),
    "adoption_concentration": Case(
        {**ADOPTION, "concentration": uniform(3, 100)}, None, {"units": 0}, 0.2),
    "adoption_upgrade_budget": Case(
        {**ADOPTION, "upgrade_budget": {"budget": 2.0, "unit_cost": 1.0}}, None,
        {"upgrade_budget": {"budget": 2.0, "unit_cost": 0.0}}, 0.2),
    "investment": Case(INVESTMENT, {"share": fixed(0.4), "volatility": fixed(0.0)},
                       {"share": normal(0.3, 0)}, 0.3),
    "common": Case({"model": "common", "unit": "u"},
                   {"shock": fixed(0.0), "drift_change": fixed(0.0),
                    "start": normal(0.02, 1e-12)}, {"net_of": ["y"]}, 0.1),
    "growth_pooled": Case(
        {**GROWTH, "pooling": {"spread": {"dist": "halfnormal", "scale": 0.02, "why": WHY}}},
        {**GROWTH_QUIET, "pooling": {"spread": fixed(0.0)}},
        {"pooling": {"spread": normal(0.0, 1.0)}}, 0.1),
}


def _checks():
    for label, case in CASES.items():
        history = parse_history(case.history, label) if case.history else None
        yield from component_checks(case.component(), history=history,
                                    zero_noise=case.zero_noise, invalid=case.invalid,
                                    shock=case.shock, label=label)


ALL_CHECKS = list(_checks())


def test_every_built_in_component_has_a_case():
    from forecast.models import BUILT_IN

    assert set(BUILT_IN) <= {case.settings["model"] for case in CASES.values()}


def test_pooled_priors_are_checked_with_the_library_passed_in():
    from forecast.testing import check_component

    growth = forecast.registry()["growth"].model_validate({
        "model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 10, "why": "test"},
        "volatility": {"dist": "pooled", "name": "vietnam_provincial_revenue_volatility",
                       "why": "test"}})
    check_component(growth, priors=forecast.load_prior_library())
    with pytest.raises(forecast.ModelError, match="prior library"):
        check_component(growth)


def test_every_case_gets_every_check():
    for label, case in CASES.items():
        names = [check.name for check in ALL_CHECKS if check.label == label]
        expected = [n for n in CHECKS if case.zero_noise is not None
                    or n != "zero_noise_deterministic"]
        assert names == expected, label


def test_the_optional_features_are_switched_on():
    components = {label: case.component() for label, case in CASES.items()}
    assert components["growth_persistence"].persistence is not None
    evidence = parse_history(CASES["growth_persistence_evidence"].history, "<test>")
    fitted = components["growth_persistence_evidence"].calibrate(evidence, base_year=2020)
    assert fitted.fit.parameters.posteriors["diagnostics"]["ar1"]["fitted"]
    assert fitted.base_year_growth() is not None
    assert components["growth_jump"].jump is not None and components["growth_jump"].tail_dof
    assert components["elasticity_persistence"].persistence is not None
    assert components["poverty_standard_break"].standard_break is not None
    assert components["coverage_funding"].funding is not None
    assert components["adoption_concentration"].concentration is not None
    assert components["adoption_upgrade_budget"].upgrade_budget is not None


@parametrize_with_checks(ALL_CHECKS)
def test_contract(check):
    check()


@pytest.mark.parametrize("label", ["growth_persistence", "adoption"])
def test_check_component_runs_them_all(label):
    case = CASES[label]
    check_component(case.component(), zero_noise=case.zero_noise, invalid=case.invalid,
                    shock=case.shock)
