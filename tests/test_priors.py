"""Pooled priors: the derivation from the provincial panel and the ``pooled`` distribution."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import forecast
from forecast.spec.distributions import HalfNormal, LogNormal, Pooled, PriorDistribution
from forecast.priors.panel import panel_changes, read_panel, sample_sds
from forecast.priors.pooled import (POOLED, derive, fit_cross_section, fit_prior, pooled_persistence,
                             total_volatility, volatility_prior)

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


def test_sample_sd_over_gaps_is_unbiased_and_ordinary_for_yearly_changes():
    """A change over g years has variance g * sigma**2: the gap-aware sample variance is
    unbiased for sigma**2, and with yearly changes only it is the ordinary sample sd."""
    rng = np.random.default_rng(11)
    gaps = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0])
    units, sigma, drift = 20_000, 0.2, 0.1
    changes = drift * gaps + sigma * np.sqrt(gaps) * rng.standard_normal((units, gaps.size))
    sd, count = sample_sds(changes, gaps)
    assert np.all(count == gaps.size)
    # var(s**2) = 2 sigma**4 / (n - 1): the mean of 20,000 is within 4 of its standard errors
    se = math.sqrt(2 / (gaps.size - 1) / units) * sigma**2
    assert np.mean(sd**2) == pytest.approx(sigma**2, abs=4 * se)
    yearly = changes[:50, :4]
    np.testing.assert_allclose(sample_sds(yearly)[0], np.std(yearly, axis=1, ddof=1))


def _two_part_panel(rng: np.random.Generator, units: int = 400, spans: int = 8,
                    common: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    own = np.exp(math.log(0.1) + 0.3 * rng.standard_normal(units))
    effects = 0.12 + common * rng.standard_normal(spans)
    return effects[None] + own[:, None] * rng.standard_normal((units, spans)), effects


def test_volatility_prior_separates_the_common_part_and_adds_it_back():
    rng = np.random.default_rng(12)
    changes, effects = _two_part_panel(rng)
    prior, numbers = volatility_prior(changes)
    # the own part: the cross-section the units were drawn from
    own = numbers["own"]["lognormal"]
    assert own["mu"] == pytest.approx(math.log(0.1), abs=0.05)
    assert own["sigma"] == pytest.approx(0.3, abs=0.08)
    # the common part: the sample sd of the realised year effects (up to the units' noise)
    assert numbers["common"]["sd"] == pytest.approx(np.std(effects, ddof=1), rel=0.05)
    assert numbers["common"]["dof"] == changes.shape[1] - 1
    # a unit faces both: the total's median is near sqrt(own**2 + common**2) (the common sd
    # measured on 7 degrees of freedom is uncertain, which moves the median up a little)
    expected = math.hypot(0.1, numbers["common"]["sd"])
    assert math.exp(prior.mu) == pytest.approx(expected, rel=0.15)
    assert math.exp(prior.mu) > math.exp(own["mu"])


@settings(max_examples=10, deadline=None)
@given(shift=st.floats(-2.0, 2.0), span=st.integers(0, 7))
def test_a_shift_common_to_every_unit_leaves_the_own_part_unchanged(shift, span):
    """An accounting spike that hit every unit alike is a common part: it cannot leak into
    the units' own volatility."""
    changes, _ = _two_part_panel(np.random.default_rng(13), units=60)
    _, before = volatility_prior(changes)
    spiked = changes.copy()
    spiked[:, span] += shift
    _, after = volatility_prior(spiked)
    for key in ("mu", "sigma"):
        assert after["own"]["lognormal"][key] == pytest.approx(before["own"]["lognormal"][key],
                                                               abs=2e-6)
    assert after["own"]["median_sample_sd"] == pytest.approx(before["own"]["median_sample_sd"],
                                                             rel=1e-9)
    if abs(shift) > 0.5:
        assert after["common"]["sd"] > before["common"]["sd"]


def test_total_volatility_without_a_common_part_is_the_own_distribution():
    own = LogNormal(dist="lognormal", mu=math.log(0.15), sigma=0.3, why="test")
    total, _ = total_volatility(own, 1e-6, 1000)
    assert total.mu == pytest.approx(own.mu, abs=0.01)
    assert total.sigma == pytest.approx(own.sigma, abs=0.01)
    half = HalfNormal(dist="halfnormal", scale=0.2, why="test")
    total, numbers = total_volatility(half, 0.1, 5)
    assert numbers["quadrature_p05_p50_p95"][0] > 0.05  # never below the common part, about
    with pytest.raises(forecast.ModelError, match="2 spans"):
        total_volatility(own, 0.1, 0)


def test_provincial_volatility_derivation_follows_its_documented_choices():
    prior = derive(VOLATILITY, PANEL)
    summary = prior.summary()
    excluded = " | ".join(item["what"] for item in summary["excluded"])
    assert "4 rows with an empty province" in excluded
    assert "levels of 2006" in excluded and "levels of 2009" in excluded
    assert "BRVT" in excluded and "Ha Noi 2007-2008" in excluded and "Ha Tay" in excluded
    assert "BRVT" not in prior.units and "Ha Tay" not in prior.units
    assert len(prior.units) == 62 and summary["changes"] == int(prior.counts.sum())
    # the evidence the why texts cite: 2006 and 2009 are the outliers of the ratio to the plan,
    # and the changes into and out of 2009 spread several times as widely as any other's
    ratio = summary["final_to_plan"]
    assert min(ratio.values()) == ratio["2006"] and max(ratio.values()) == ratio["2009"]
    spread = summary["change_dispersion"]
    others = [v for k, v in spread.items() if k not in ("2007", "2009", "2010")]
    assert min(spread["2009"], spread["2010"]) > 3 * max(others)
    fit = summary["fit"]
    assert fit["common"]["by_span"].keys() >= {"2008-2010", "2013-2014"}
    assert prior.distribution.dist == "lognormal"
    # two ways to the total volatility agree: own plus common, and the total sample sds
    direct = fit["total_sample_sd_fit"]["lognormal"]["mu"]
    assert prior.distribution.mu == pytest.approx(direct, abs=0.15)
    assert prior.distribution.mean() > math.exp(fit["own"]["lognormal"]["mu"])
    assert "62 provinces" in prior.distribution.why


def test_the_2009_settlement_is_what_made_the_old_priors_wide_and_mean_reverting():
    keep_2009 = dataclasses.replace(POOLED[VOLATILITY],
                                    drop_years={2006: POOLED[VOLATILITY].drop_years[2006]})
    with_spike, without = derive(keep_2009, PANEL), derive(VOLATILITY, PANEL)
    assert with_spike.distribution.mean() > 2 * without.distribution.mean()
    persistence = derive(PERSISTENCE, PANEL)
    spiked = derive(dataclasses.replace(keep_2009, statistic="persistence"), PANEL)
    assert spiked.fit["slope"] < -0.3
    assert abs(persistence.fit["slope"]) < 2 * persistence.fit["clustered_se"]
    assert persistence.distribution.dist == "normal" and persistence.fit["units"] == 62


def test_training_window_uses_no_later_year_and_bridges_left_out_years():
    early = panel_changes(POOLED[VOLATILITY], PANEL, last_year=2011)
    assert early.spans == [(2007, 2008), (2008, 2010), (2010, 2011)]
    np.testing.assert_array_equal(early.gaps, [1, 2, 1])
    assert not any(what == "levels of 2012" for what, _ in early.excluded)


def test_persistence_uses_only_consecutive_yearly_changes():
    rng = np.random.default_rng(14)
    changes = rng.standard_normal((50, 5))
    _, yearly = pooled_persistence(changes)
    _, gapped = pooled_persistence(changes, np.array([1.0, 2.0, 1.0, 1.0, 1.0]))
    assert yearly["pairs"] == 50 * 4 and gapped["pairs"] == 50 * 2


def test_one_rule_for_the_units_that_enter():
    spec = POOLED[VOLATILITY]
    changes = np.random.default_rng(15).standard_normal((10, 6)) * 0.1
    changes[0, 1:] = np.nan  # one change: no sample sd
    fitted = fit_prior(spec, changes)
    assert not fitted.keep[0] and fitted.keep[1:].all()
    assert fitted.counts[0] == 1 < spec.min_changes


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
