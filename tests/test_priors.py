"""Pooled priors: the prior library, the derivation from the provincial panel and the
``pooled`` distribution."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

import forecast
from forecast.cli.app import main
from forecast.io.panel import read_panel
from forecast.io.prior_library import load_prior_library, shipped_library
from forecast.models.base import ComponentError
from forecast.priors.library import PriorLibrary
from forecast.priors.panel import Panel, panel_changes, sample_sds
from forecast.priors.pooled import (derive, fit_cross_section, fit_prior, pooled_persistence,
                                    total_volatility, volatility_prior)
from forecast.spec.distributions import HalfNormal, LogNormal, Pooled, PriorDistribution

VOLATILITY = "vietnam_provincial_revenue_volatility"
PERSISTENCE = "vietnam_provincial_revenue_persistence"
LIBRARY = load_prior_library()
PANEL = LIBRARY.panel(VOLATILITY)


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
    prior = LIBRARY.derive(VOLATILITY)
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
    spec = LIBRARY.spec(VOLATILITY)
    keep_2009 = dataclasses.replace(spec, drop_years={2006: spec.drop_years[2006]})
    with_spike, without = derive(keep_2009, PANEL), LIBRARY.derive(VOLATILITY)
    assert with_spike.distribution.mean() > 2 * without.distribution.mean()
    persistence = LIBRARY.derive(PERSISTENCE)
    spiked = derive(dataclasses.replace(keep_2009, statistic="persistence"), PANEL)
    assert spiked.fit["slope"] < -0.3
    assert abs(persistence.fit["slope"]) < 2 * persistence.fit["clustered_se"]
    assert persistence.distribution.dist == "normal" and persistence.fit["units"] == 62


def test_training_window_uses_no_later_year_and_bridges_left_out_years():
    early = panel_changes(LIBRARY.spec(VOLATILITY), PANEL, last_year=2011)
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
    spec = LIBRARY.spec(VOLATILITY)
    changes = np.random.default_rng(15).standard_normal((10, 6)) * 0.1
    changes[0, 1:] = np.nan  # one change: no sample sd
    fitted = fit_prior(spec, changes)
    assert not fitted.keep[0] and fitted.keep[1:].all()
    assert fitted.counts[0] == 1 < spec.min_changes


def test_read_panel_reports_bad_files(tmp_path):
    bad = tmp_path / "panel.csv"
    bad.write_text("province,year\nA,2006\n", encoding="utf-8")
    with pytest.raises(forecast.DataError, match="missing column"):
        read_panel(bad, ["final_revenue"])
    with pytest.raises(forecast.DataError, match="cannot read"):
        read_panel(tmp_path / "absent.csv")
    bad.write_text("province,year,final_revenue\nA,2006,1\nA,2007,lots\nA,2007,2\n"
                   "B,200x,1\n,2006,5\n", encoding="utf-8")
    with pytest.raises(forecast.DataError) as info:
        read_panel(bad)
    located = [(p.line, p.key) for p in info.value.problems]
    assert located == [(3, "final_revenue"), (4, "year"), (5, "year")]
    assert all(p.file == str(bad) for p in info.value.problems)
    bad.write_text("province,year,final_revenue\nA,2006,1\nA,2006,2\n,2006,5\n",
                   encoding="utf-8")
    with pytest.raises(forecast.DataError, match="again") as info:
        read_panel(bad)
    assert info.value.problems[0].line == 3


def test_read_panel_keeps_every_value_and_the_unnamed_rows():
    panel = read_panel(shipped_library() / "vietnam_provincial_budget" /
                       "vietnam_provincial_budget.csv")
    assert set(panel.columns) == {"planned_revenue", "planned_expenditure", "final_revenue",
                                  "final_expenditure"}
    assert panel.unnamed == (761, 762, 763, 764) and len(panel.units) == 64
    assert panel.values("final_revenue")["Phu Tho"][2014] > 0
    assert 2015 not in panel.values("final_revenue")["Phu Tho"]  # empty: settled to 2014
    with pytest.raises(forecast.DataError, match="Did you mean 'final_revenue'"):
        panel.values("final_revenu")


# -- the prior library ----------------------------------------------------------------------
def test_shipped_distributions_are_the_re_derivation_from_the_shipped_panel():
    """What calibration uses is what the panel and its exclusions give: editing the panel or
    the exclusions without re-deriving (``forecast priors``) fails here."""
    common = tuple(f"vietnam_provincial_revenue_{n}" for n in (
        "common_drift_change", "common_shock", "drift_spread", "own_volatility"))
    assert set(LIBRARY.names) == {PERSISTENCE, VOLATILITY, *common}
    for name in LIBRARY.names:
        check = LIBRARY.check(name)
        assert check.matches, check.differences
        shipped, derived = LIBRARY.distribution(name), LIBRARY.derive(name).distribution
        assert shipped.why == derived.why and shipped.dist == derived.dist
        for key, value in shipped.model_dump().items():
            if isinstance(value, float):
                assert value == pytest.approx(getattr(derived, key), abs=1e-6)


def _library_with(panel: Panel | None = None, **spec_changes) -> PriorLibrary:
    specs = {n: dataclasses.replace(LIBRARY.spec(n), **spec_changes) for n in LIBRARY.names}
    panels = {n: panel or LIBRARY.panel(n) for n in LIBRARY.names}
    return PriorLibrary(specs, panels, dict(LIBRARY.distributions))


def test_the_check_fails_when_the_panel_or_the_exclusions_change():
    columns = {c: {u: dict(s) for u, s in v.items()} for c, v in PANEL.columns.items()}
    columns["final_revenue"]["Phu Tho"][2012] *= 1.3
    edited = Panel(PANEL.file, columns, PANEL.unnamed, PANEL.units)
    assert not _library_with(edited).check(VOLATILITY).matches
    assert not _library_with(drop_changes={}).check(VOLATILITY).matches  # Ha Noi 2007-2008
    keep_2009 = {2006: LIBRARY.spec(VOLATILITY).drop_years[2006]}
    for changed in (_library_with(drop_series={}), _library_with(drop_years=keep_2009)):
        for name in LIBRARY.names:
            check = changed.check(name)
            assert not check.matches and check.differences


def test_unknown_prior_names_get_a_did_you_mean():
    with pytest.raises(forecast.InputError, match="Did you mean 'vietnam_provincial_revenue_"
                       "volatility'") as info:
        LIBRARY.distribution("vietnam_provincial_revenue_volatilty")
    assert info.value.problems[0].key == "name"
    assert "vietnam_provincial_revenue_persistence" in str(info.value)


def test_derive_is_memoised_per_library():
    library = load_prior_library()
    assert library.derive(VOLATILITY) is library.derive(VOLATILITY)
    assert library == library and "vietnam_provincial_revenue_volatility" in library


@pytest.fixture
def library_copy(tmp_path):
    """A copy of the shipped library's provincial folder, to break."""
    folder = tmp_path / "library"
    shutil.copytree(shipped_library() / "vietnam_provincial_budget", folder)
    return folder


@pytest.mark.parametrize("old, new, line, key, message", [
    ("year,,2009,", "yaer,,2009,", 3, "what", "Did you mean 'year'"),
    ("series,BRVT,,", "series,BRVX,,", 4, "province", "not a province of the panel"),
    ("change,Ha Noi,2008,", "change,Ha Noi,,", 5, "year", "needs province and year"),
    ("year,,2006,", "year,,2006.5,", 2, "year", "whole year"),
    ("year,,2006,", "year,,2009,", 3, "year", "same exclusion as on line 2"),
])
def test_a_broken_exclusions_file_is_a_located_data_error(library_copy, old, new, line, key,
                                                           message):
    path = library_copy / "exclusions.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(forecast.DataError, match=message) as info:
        load_prior_library(library_copy)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.key) == (str(path), line, key)


def test_exclusions_without_a_reason_or_columns_are_refused(library_copy):
    path = library_copy / "exclusions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1] + ["change,Ha Noi,2008,"]) + "\n", encoding="utf-8")
    with pytest.raises(forecast.DataError, match="reason") as info:
        load_prior_library(library_copy)
    assert (info.value.problems[0].line, info.value.problems[0].key) == (5, "why")
    path.write_text("what,province,year\nyear,,2006\n", encoding="utf-8")
    with pytest.raises(forecast.DataError, match="expected what, province, year, why"):
        load_prior_library(library_copy)


@pytest.mark.parametrize("old, new, key, message", [
    ("    column: final_revenue\n", "    column: final_revenu\n",
     "priors.vietnam_provincial_revenue_volatility.column", "Did you mean 'final_revenue'"),
    ("    statistic: persistence\n", "    statistic: persistance\n",
     "priors.vietnam_provincial_revenue_persistence.statistic", "expected one of"),
    ("      sigma: 0.257358\n", "      sigma: -1\n",
     "priors.vietnam_provincial_revenue_volatility.distribution.sigma", "greater than"),
    ("    min_changes: 2\n", "    min_change: 2\n",
     "priors.vietnam_provincial_revenue_volatility.min_change", "Did you mean 'min_changes'"),
])
def test_a_broken_priors_file_is_a_located_data_error(library_copy, old, new, key, message):
    path = library_copy / "priors.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(forecast.DataError, match=message) as info:
        load_prior_library(library_copy)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.key) == (str(path), line, key)


def test_a_library_is_a_folder_of_library_folders(library_copy, tmp_path):
    assert load_prior_library(tmp_path).names == LIBRARY.names
    assert load_prior_library(library_copy).distributions == LIBRARY.distributions
    with pytest.raises(forecast.DataError, match="not a prior library"):
        load_prior_library(library_copy.parent.parent)


# -- the pooled distribution and calibration --------------------------------------------------
def test_pooled_distribution_is_resolved_from_the_library_at_calibration():
    adapter = TypeAdapter(PriorDistribution)
    pooled = adapter.validate_python({"dist": "pooled", "name": VOLATILITY, "why": "test"})
    assert isinstance(pooled, Pooled) and pooled.describe() == f"pooled({VOLATILITY})"
    with pytest.raises(forecast.ModelError, match="at calibration"):
        pooled.sample(np.random.default_rng(0), 3)
    component = forecast.registry()["growth"].model_validate(
        {"model": "growth", "unit": "u", "base": {"dist": "fixed", "value": 1, "why": "test"},
         "volatility": {"dist": "pooled", "name": VOLATILITY, "why": "test"},
         "persistence": {"dist": "pooled", "name": PERSISTENCE, "why": "test"}})
    history = forecast.parse_history(
        "indicator,kind,year,year_end,value,unit,source,note\nx,level,2020,,1,u,s,\n")
    fitted = component.calibrate(history, base_year=2020, priors=LIBRARY)
    assert component.volatility._resolved is None  # calibration did not mutate
    assert fitted.volatility.concrete == LIBRARY.distribution(VOLATILITY)
    assert fitted.persistence.concrete == LIBRARY.distribution(PERSISTENCE)
    draws = fitted.sample(np.random.default_rng(0), 4000, 3)
    assert np.mean(draws["volatility"]) == pytest.approx(fitted.volatility.mean(), rel=0.05)
    assert np.all(np.abs(draws["persistence"]) < 1)
    origins = {s.name: s.origin for s in fitted.fit.parameters.sources}
    assert origins == {"drift": "prior", "volatility": "pooled", "persistence": "pooled"}
    # without a library, or with a name it lacks: an error keyed by the setting
    with pytest.raises(ComponentError, match="prior library") as info:
        component.calibrate(history, base_year=2020)
    assert info.value.key == "volatility"
    typo = component.model_copy(update={"persistence": pooled.model_copy(
        update={"name": "vietnam_provincial_revenue_persistance"})})
    with pytest.raises(ComponentError, match="Did you mean 'vietnam_provincial_revenue_pers"):
        typo.calibrate(history, base_year=2020, priors=LIBRARY)
    with pytest.raises(ComponentError) as info:
        typo.calibrate(history, base_year=2020, priors=LIBRARY)
    assert info.value.key == "persistence.name"


UNKNOWN = """
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
"""


def test_pooled_name_error_in_a_scenario_is_located(write_scenario):
    path = write_scenario(UNKNOWN)
    with pytest.raises(forecast.ScenarioError) as info:
        forecast.calibrate(path)
    problem = info.value.problems[0]
    assert problem.file == str(path.resolve()) and problem.line == 12
    assert problem.key == "indicators.gdp.volatility.name"
    assert "unknown pooled prior 'provincial_revenue'" in problem.message
    # an empty library knows no name
    with pytest.raises(forecast.ScenarioError, match="unknown pooled prior"):
        forecast.calibrate(path, priors=PriorLibrary({}, {}, {}))
    # the shipped library comes in through the pipeline; an explicit one is used as given
    good = write_scenario(UNKNOWN.replace("provincial_revenue", VOLATILITY), name="good.yaml")
    model = forecast.calibrate(good, priors=LIBRARY)
    assert model.components["gdp"].volatility.concrete == LIBRARY.distribution(VOLATILITY)


def test_cli_unknown_or_missing_pooled_name_exits_2_with_file_line_key(write_scenario):
    path = write_scenario(UNKNOWN)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path.resolve()}:12: indicators.gdp.volatility.name: unknown pooled prior " \
           "'provincial_revenue'" in result.output
    missing = write_scenario(UNKNOWN.replace("name: provincial_revenue, ", ""), name="m.yaml")
    result = CliRunner().invoke(main, ["validate", str(missing)])
    assert result.exit_code == 2 and "m.yaml:12" in result.output and "name" in result.output


# -- forecast priors -----------------------------------------------------------------------
def test_cli_priors_prints_the_derivation_and_the_check():
    runner = CliRunner()
    text = runner.invoke(main, ["priors", VOLATILITY])
    assert text.exit_code == 0, text.output
    assert "62 provinces, 369 changes" in text.output and "left out levels of 2009" in text.output
    assert "the shipped distribution matches the re-derivation" in text.output
    assert PERSISTENCE not in text.output
    data = runner.invoke(main, ["priors", "--json"])
    assert data.exit_code == 0, data.output
    records = json.loads(data.output)["priors"]
    assert [r["name"] for r in records] == list(LIBRARY.names)
    assert all(r["check"]["matches"] for r in records)
    volatility = next(r for r in records if r["name"] == VOLATILITY)
    assert volatility["chosen"] == LIBRARY.distribution(VOLATILITY).describe()
    bad = runner.invoke(main, ["priors", "vietnam_provincial_revenue_volatilty"])
    assert bad.exit_code == 2 and "Did you mean 'vietnam_provincial_revenue_volatility'" in \
        bad.output and "Traceback" not in bad.output


def test_cli_priors_exits_1_when_the_shipped_numbers_are_stale(library_copy):
    path = library_copy / "priors.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("mu: -1.707696", "mu: -1.7"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["priors", "--library", str(library_copy)])
    assert result.exit_code == 1
    assert "DIFFERS" in result.output and "mu: shipped -1.7, re-derived -1.707696" in result.output
    broken = CliRunner().invoke(main, ["priors", "--library", str(library_copy.parent /
                                                                   "absent")])
    assert broken.exit_code == 2 and "Traceback" not in broken.output
