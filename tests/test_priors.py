"""Pooled priors: the derivation from the provincial panel and the ``pooled`` distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

import forecast
from forecast.distributions import Pooled, PriorDistribution
from forecast.priors import (POOLED, derive, fit_cross_section, panel_changes, pooled_persistence,
                             read_panel)

from conftest import ROOT

PANEL = ROOT / "data" / "vietnam_provincial_budget" / "vietnam_provincial_budget.csv"
VOLATILITY = "vietnam_provincial_revenue_volatility"
PERSISTENCE = "vietnam_provincial_revenue_persistence"


def test_cross_section_fit_recovers_a_known_lognormal_through_sampling_noise():
    """True volatilities from lognormal(mu, tau), sample sds from 7 changes each: the fit
    recovers tau although the sample sds spread much wider (their own chi noise)."""
    rng = np.random.default_rng(7)
    mu, tau, units, changes = math.log(0.3), 0.35, 1000, 7  # se of mu about 0.015
    sigma = np.exp(mu + tau * rng.standard_normal(units))
    sd = sigma * np.sqrt(rng.chisquare(changes - 1, units) / (changes - 1))
    fit = fit_cross_section(sd, np.full(units, changes))
    assert np.std(np.log(sd)) > tau + 0.1  # the naive spread is too wide
    assert fit.best is fit.lognormal
    assert fit.lognormal.mu == pytest.approx(mu, abs=0.05)
    assert fit.lognormal.sigma == pytest.approx(tau, abs=0.07)


def test_cross_section_fit_prefers_halfnormal_when_the_truth_is_halfnormal():
    rng = np.random.default_rng(8)
    sigma = np.abs(0.2 * rng.standard_normal(400))
    sd = sigma * np.sqrt(rng.chisquare(6, 400) / 6)
    fit = fit_cross_section(np.maximum(sd, 1e-4), np.full(400, 7))
    assert fit.best is fit.halfnormal
    assert fit.halfnormal.scale == pytest.approx(0.2, rel=0.1)


def test_pooled_persistence_recovers_a_known_ar1_coefficient():
    rng = np.random.default_rng(9)
    units, years, phi = 300, 8, -0.4
    x = np.empty((units, years))
    x[:, 0] = rng.standard_normal(units) / math.sqrt(1 - phi**2)
    for t in range(1, years):
        x[:, t] = phi * x[:, t - 1] + rng.standard_normal(units)
    prior, numbers = pooled_persistence(0.1 + 0.2 * x)
    assert prior.loc == pytest.approx(phi, abs=3 * numbers["clustered_se"])
    assert numbers["units"] == units and numbers["pairs"] == units * (years - 1)


def test_provincial_volatility_derivation_follows_its_documented_choices():
    prior = derive(VOLATILITY, PANEL)
    summary = prior.summary()
    excluded = " | ".join(item["what"] for item in summary["excluded"])
    assert "4 rows with an empty province" in excluded
    assert "levels of 2006" in excluded and "BRVT" in excluded
    assert "Ha Noi 2007-2008" in excluded and "Ha Tay" in excluded
    assert "BRVT" not in prior.units and "Ha Tay" not in prior.units
    assert len(prior.units) == 62 and summary["yearly_changes"] == int(prior.counts.sum())
    assert min(summary["final_to_plan"].values()) == summary["final_to_plan"]["2006"]
    assert prior.distribution.dist == "lognormal"
    # the prior sits where the provinces' sample sds are, and is narrower than their spread
    assert prior.distribution.mean() == pytest.approx(np.mean(prior.values), rel=0.15)
    assert prior.distribution.sigma < np.std(np.log(prior.values))
    assert "62 provinces" in prior.distribution.why


def test_provincial_persistence_is_negative():
    prior = derive(PERSISTENCE, PANEL)
    assert prior.distribution.dist == "normal" and prior.distribution.loc < -0.2
    assert prior.fit["units"] == 62


def test_training_window_uses_no_later_year():
    early = panel_changes(VOLATILITY, PANEL, last_year=2011)
    assert early.changes.shape[1] == 2011 - POOLED[VOLATILITY].first_year


def test_read_panel_reports_bad_files(tmp_path):
    bad = tmp_path / "panel.csv"
    bad.write_text("province,year\nA,2006\n", encoding="utf-8")
    with pytest.raises(forecast.DataError, match="missing column"):
        read_panel(bad, "final_revenue")
    with pytest.raises(forecast.DataError, match="cannot read"):
        read_panel(tmp_path / "absent.csv", "final_revenue")


def test_pooled_distribution_is_validated_and_resolved_at_calibration():
    adapter = TypeAdapter(PriorDistribution)
    with pytest.raises(ValidationError, match="Did you mean 'vietnam_provincial_revenue_vol"):
        adapter.validate_python({"dist": "pooled", "name": "vietnam_provincial_revenue_volatilty",
                                 "why": "test"})
    pooled = adapter.validate_python({"dist": "pooled", "name": VOLATILITY, "why": "test"})
    assert isinstance(pooled, Pooled) and pooled.describe() == f"pooled({VOLATILITY})"
    with pytest.raises(forecast.ModelError, match="derived at calibration"):
        pooled.sample(np.random.default_rng(0), 3)
    component = forecast.registry()["growth"].model_validate(
        {"model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 1, "why": "test"},
         "volatility": {"dist": "pooled", "name": VOLATILITY, "why": "test"},
         "persistence": {"dist": "pooled", "name": PERSISTENCE, "why": "test"}})
    fitted = component.calibrate(forecast.parse_history(
        "indicator,kind,year,year_end,value,unit,source,note\nx,level,2020,,1,u,s,\n"),
        base_year=2020)
    assert component.volatility._resolved is None  # calibration did not mutate
    assert fitted.volatility.concrete == derive(VOLATILITY, PANEL).distribution
    draws = fitted.sample(np.random.default_rng(0), 4000, 3)
    assert np.mean(draws["volatility"]) == pytest.approx(fitted.volatility.mean(), rel=0.05)
    assert np.all(np.abs(draws["persistence"]) < 1)
    origins = {s.name: s.origin for s in fitted.fit.parameters.sources}
    assert origins == {"drift": "prior", "volatility": "pooled", "persistence": "pooled"}


def test_pooled_name_error_in_a_scenario_is_located(write_scenario):
    path = write_scenario("""
        name: t
        region: test
        history: history.csv
        base_year: 2020
        horizon: 2022
        indicators:
          gdp:
            model: growth
            unit: u
            base: {dist: fixed, value: 1, why: test}
            volatility: {dist: pooled, name: provincial_revenue, why: test}
        targets:
          - {id: a, indicator: gdp, kind: level, year: 2022, at_least: 1, source: test}
    """)
    with pytest.raises(forecast.ScenarioError) as info:
        forecast.load_scenario(path)
    problem = info.value.problems[0]
    assert problem.line == 12 and problem.key.endswith("volatility.name")
    assert "unknown pooled prior 'provincial_revenue'" in problem.message
