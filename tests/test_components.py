"""Every registered component passes the contract suite."""

from __future__ import annotations

import pytest

import forecast
from forecast.testing import check_component

WHY = "test"
CASES = {
    "growth": ({"model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 10, "why": WHY}},
               {"volatility": {"dist": "fixed", "value": 0.0, "why": WHY},
                "drift": {"dist": "normal", "loc": 0.02, "scale": 1e-12, "why": WHY}},
               {"tail_dof": 1}),
    "elasticity": ({"model": "elasticity", "unit": "u", "inputs": ["x"],
                    "base": {"dist": "fixed", "value": 10, "why": WHY},
                    "elasticity": {"dist": "normal", "loc": 1, "scale": 0.1, "why": WHY}},
                   {"volatility": {"dist": "fixed", "value": 0.0, "why": WHY},
                    "intercept": {"dist": "normal", "loc": 0, "scale": 1e-12, "why": WHY},
                    "elasticity": {"dist": "normal", "loc": 1, "scale": 1e-12, "why": WHY}},
                   {"volatility": {"dist": "halfnormal", "scale": -1, "why": WHY}}),
    "poverty": ({"model": "poverty", "unit": "share", "inputs": ["x"],
                 "base": {"dist": "uniform", "low": 0.05, "high": 0.2, "why": WHY}},
                {"base": {"dist": "fixed", "value": 0.1, "why": WHY},
                 "volatility": {"dist": "fixed", "value": 0.0, "why": WHY},
                 "trend": {"dist": "normal", "loc": -0.1, "scale": 1e-12, "why": WHY},
                 "elasticity": {"dist": "normal", "loc": -1, "scale": 1e-12, "why": WHY}},
                {"unit": "billion VND"}),
    "coverage": ({"model": "coverage", "unit": "share",
                  "base": {"dist": "uniform", "low": 0.5, "high": 0.7, "why": WHY},
                  "pace": {"dist": "normal", "loc": 0.1, "scale": 0.05, "why": WHY}},
                 {"base": {"dist": "fixed", "value": 0.6, "why": WHY},
                  "volatility": {"dist": "fixed", "value": 0.0, "why": WHY},
                  "pace": {"dist": "normal", "loc": 0.1, "scale": 1e-12, "why": WHY}},
                 {"base": {"dist": "uniform", "low": 0.5, "high": 1.5, "why": WHY}}),
    "adoption": ({"model": "adoption", "unit": "communes", "units": 20,
                  "base": {"dist": "integers", "low": 2, "high": 8, "why": WHY},
                  "hazard": {"dist": "beta", "a": 2, "b": 5, "why": WHY}},
                 None,
                 {"base": {"dist": "integers", "low": 2, "high": 30, "why": WHY}}),
    "investment": ({"model": "investment", "unit": "u", "inputs": ["x"],
                    "share": {"dist": "uniform", "low": 0.3, "high": 0.5, "why": WHY}},
                   {"share": {"dist": "fixed", "value": 0.4, "why": WHY},
                    "volatility": {"dist": "fixed", "value": 0.0, "why": WHY}},
                   {"share": {"dist": "normal", "loc": 0.3, "scale": 0, "why": WHY}}),
}
CASES["fiscal"] = ({**CASES["elasticity"][0], "model": "fiscal"}, *CASES["elasticity"][1:])


def test_every_registered_component_has_a_case():
    assert set(forecast.registry()) <= set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_contract(name):
    settings, zero_noise, invalid = CASES[name]
    component = forecast.registry()[name].model_validate(settings)
    check_component(component, zero_noise=zero_noise, invalid=invalid)
