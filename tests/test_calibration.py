"""Calibration: statsmodels diagnostics, evidence of every kind, provenance, and
``forecast calibrate``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import forecast
from forecast import Evidence, History
from forecast.cli.app import main

from conftest import BASE, ROOT

WHY = "calibration test"
PHU_THO = ROOT / "scenarios" / "phu_tho.yaml"


def _history(*rows: tuple) -> History:
    """Rows as (indicator, kind, year, year_end, value, unit)."""
    return History(tuple(Evidence(i, k, y, e, v, u, f"source {n}", "", "<test>", n + 2)
                         for n, (i, k, y, e, v, u) in enumerate(rows)), "<test>")


def _levels(name: str, years, values, unit: str = "units") -> list[tuple]:
    return [(name, "level", int(y), None, float(v), unit) for y, v in zip(years, values)]


def _component(settings: dict):
    return forecast.registry()[settings["model"]].model_validate(settings)


def _moments(component, names, draws=40_000, seed=1):
    sampled = component.sample(np.random.default_rng(seed), draws, 1)
    return {n: (float(np.mean(sampled[n])), float(np.std(sampled[n]))) for n in names}


FLAT = {"intercept": {"dist": "normal", "loc": 0, "scale": 100, "why": WHY},
        "elasticity": {"dist": "normal", "loc": 0, "scale": 100, "why": WHY},
        "volatility": {"dist": "uniform", "low": 1e-4, "high": 1.0, "why": WHY}}


def _flat_fiscal(years, output, revenue):
    """A fiscal component with flat priors calibrated on yearly levels of output and revenue."""
    history = _history(*_levels("gdp", years, output), *_levels("rev", years, revenue))
    gdp = _component({"model": "growth", "unit": "units", "evidence": ["gdp"]}).calibrate(
        history, base_year=2020)
    return _component({"model": "fiscal", "unit": "units", "evidence": ["rev"],
                       "inputs": ["gdp"], **FLAT}).calibrate(
        history, base_year=2020, inputs={"gdp": gdp})


def test_fiscal_posterior_under_flat_priors_agrees_with_statsmodels_ols():
    """Flat priors on the coefficients and a flat prior on sigma: the posterior mean is the OLS
    estimate and the posterior sd is the OLS standard error times sqrt((n-p)/(n-p-3))."""
    rng = np.random.default_rng(5)
    years = np.arange(2008, 2021)  # 13 levels, 12 matched yearly changes
    x = 0.07 + 0.03 * rng.standard_normal(years.size - 1)
    y = 0.02 + 1.2 * x + 0.04 * rng.standard_normal(x.size)
    output = 100 * np.exp(np.concatenate([[0], np.cumsum(x)]))
    revenue = 10 * np.exp(np.concatenate([[0], np.cumsum(y)]))
    fiscal = _flat_fiscal(years, output, revenue)
    ols = fiscal.fit.parameters.posteriors["diagnostics"]["ols"]
    assert ols["fitted"] and ols["nobs"] == 12 and ols["years"] == list(range(2009, 2021))
    import statsmodels.api as sm

    direct = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose([ols["params"]["intercept"], ols["params"]["elasticity"]],
                               direct.params, rtol=1e-10)
    moments = _moments(fiscal, ["intercept", "elasticity"])
    inflation = math.sqrt((12 - 2) / (12 - 2 - 3))
    for name in ("intercept", "elasticity"):
        mean, sd = moments[name]
        se = ols["bse"][name]
        assert abs(mean - ols["params"][name]) < 0.05 * se  # MC error: about 0.006 se
        assert sd == pytest.approx(se * inflation, rel=0.03)


def test_ols_needs_three_matched_years_and_says_why():
    fiscal = _flat_fiscal([2018, 2019, 2020], [100, 107, 113], [10, 11, 12.5])
    ols = fiscal.fit.parameters.posteriors["diagnostics"]["ols"]
    assert not ols["fitted"] and ols["nobs"] == 2 and "at least 3" in ols["reason"]


GROWTH = {"model": "growth", "unit": "units", "evidence": ["gdp"],
          "drift": {"dist": "normal", "loc": 0.05, "scale": 0.05, "why": WHY},
          "volatility": {"dist": "halfnormal", "scale": 0.05, "why": WHY}}


def _sources(component) -> dict[str, forecast.models.ParameterSource]:
    return {s.name: s for s in component.fit.parameters.sources}


def test_a_period_average_pins_the_drift_but_not_the_volatility():
    average = _component(GROWTH).calibrate(
        _history(("gdp", "average_growth", 2015, 2020, 8.0, "%/yr"),
                 ("gdp", "level", 2020, None, 100.0, "units")), base_year=2020)
    moments = _moments(average, ["drift", "volatility"])
    prior_sd_sigma = 0.05 * math.sqrt(1 - 2 / math.pi)
    assert moments["drift"][1] < 0.5 * 0.05  # the drift is pinned ...
    assert moments["drift"][0] == pytest.approx(math.log(1.08), abs=0.01)
    assert moments["volatility"][0] == pytest.approx(0.05 * math.sqrt(2 / math.pi), rel=0.1)
    assert moments["volatility"][1] == pytest.approx(prior_sd_sigma, rel=0.1)  # ... not sigma
    sources = _sources(average)
    assert sources["drift"].origin == "evidence" and sources["volatility"].origin == "prior"
    assert "not identified" in sources["volatility"].detail
    # five yearly figures (levels) identify the volatility too
    yearly = _component(GROWTH).calibrate(
        _history(*_levels("gdp", range(2015, 2021), [100, 106, 110, 118, 123, 131])),
        base_year=2020)
    assert _sources(yearly)["volatility"].origin == "evidence"
    assert _moments(yearly, ["volatility"])["volatility"][1] < 0.8 * prior_sd_sigma


def test_yearly_changes_and_levels_mix_without_double_counting():
    """A level, a change next to it, a period average over the same years: the average's
    remainder block covers the other years only, and every used row is named."""
    component = _component({**GROWTH, "unit": "units"})
    fitted = component.calibrate(_history(
        ("gdp", "level", 2018, None, 100.0, "units"),
        ("gdp", "level", 2019, None, 109.0, "units"),
        ("gdp", "average_growth", 2015, 2020, 7.0, "%/yr"),
        ("gdp", "level", 2020, None, 112.0, "units")), base_year=2020)
    blocks = {tuple(sorted(b.years)): b for b in fitted.fit.reading.blocks}
    assert set(blocks) == {(2016, 2017, 2018), (2019,), (2020,)}
    assert blocks[(2019,)].total == pytest.approx(math.log(109 / 100))
    total = 5 * math.log(1.07)
    assert blocks[(2016, 2017, 2018)].total == pytest.approx(total - math.log(112 / 100))
    assert blocks[(2016, 2017, 2018)].rows == (2, 3, 4, 5)  # the average and the levels in it
    assert fitted.fit.base_observed.line == 5


def test_partial_overlap_is_reported_unused_with_its_reason():
    fitted = _component(GROWTH).calibrate(_history(
        ("gdp", "average_growth", 2014, 2017, 6.0, "%/yr"),
        ("gdp", "average_growth", 2015, 2020, 7.0, "%/yr"),
        ("gdp", "level", 2020, None, 100.0, "units")), base_year=2020)
    assert [line for line, _ in fitted.fit.reading.unused] == [3]
    assert "in part" in fitted.fit.reading.unused[0][1]


def test_ar1_fitted_with_enough_consecutive_years_else_the_prior_says_so():
    rng = np.random.default_rng(2)
    growth = np.empty(14)
    growth[0] = 0.06
    for t in range(1, growth.size):
        growth[t] = 0.06 + 0.5 * (growth[t - 1] - 0.06) + 0.02 * rng.standard_normal()
    levels = 100 * np.exp(np.concatenate([[0], np.cumsum(growth)]))
    years = np.arange(2006, 2021)
    settings = {**GROWTH, "persistence": {"dist": "uniform", "low": -0.9, "high": 0.9,
                                          "why": WHY}}
    long = _component(settings).calibrate(_history(*_levels("gdp", years, levels)),
                                          base_year=2020)
    ar1 = long.fit.parameters.posteriors["diagnostics"]["ar1"]
    from statsmodels.tsa.ar_model import AutoReg

    direct = AutoReg(np.diff(np.log(levels)), lags=1, trend="c").fit()
    assert ar1["fitted"] and ar1["params"]["persistence"] == pytest.approx(direct.params[1])
    assert _sources(long)["persistence"].origin == "evidence"
    mean, sd = _moments(long, ["persistence"])["persistence"]
    assert abs(mean - direct.params[1]) < 2 * direct.bse[1] and sd < 0.5
    short = _component(settings).calibrate(
        _history(*_levels("gdp", years[-6:], levels[-6:])), base_year=2020)
    diagnostic = short.fit.parameters.posteriors["diagnostics"]["ar1"]
    assert not diagnostic["fitted"] and "at least 8" in diagnostic["reason"]
    source = _sources(short)["persistence"]
    assert source.origin == "prior" and "at least 8" in source.detail
    mean, _ = _moments(short, ["persistence"])["persistence"]
    assert abs(mean) < 0.02  # the uniform prior's mean


def test_persistence_starts_from_the_observed_base_year_growth():
    """With no noise, the first simulated growth is the drift plus the persistence times the
    base year's observed growth minus the drift; the innovation is scaled by
    sqrt(1 - persistence**2) then, not before."""
    settings = {**GROWTH, "persistence": {"dist": "fixed", "value": 0.9, "why": WHY}}
    fitted = _component(settings).calibrate(
        _history(*_levels("gdp", [2019, 2020], [100.0, 120.0])), base_year=2020)
    assert fitted.base_year_growth() == pytest.approx(math.log(1.2))
    model = forecast.Model({"gdp": fitted}, 2020, 2022)
    result = forecast.simulate_paths(model, draws=20_000, seed=0)
    drift, sigma = result.parameters["gdp.drift"], result.parameters["gdp.volatility"]
    first = np.log(result.paths["gdp"][1] / result.paths["gdp"][0])
    innovation = (first - drift - 0.9 * (math.log(1.2) - drift)) / sigma
    assert np.mean(innovation) == pytest.approx(0, abs=0.03)
    assert np.std(innovation) == pytest.approx(math.sqrt(1 - 0.81), rel=0.03)
    no_base_growth = _component(settings).calibrate(
        _history(*_levels("gdp", [2020], [120.0])), base_year=2020)
    assert no_base_growth.base_year_growth() is None
    result = forecast.simulate_paths(forecast.Model({"gdp": no_base_growth}, 2020, 2022),
                                     draws=20_000, seed=0)
    first = np.log(result.paths["gdp"][1] / result.paths["gdp"][0])
    innovation = (first - result.parameters["gdp.drift"]) / result.parameters["gdp.volatility"]
    assert np.std(innovation) == pytest.approx(1.0, rel=0.03)


def test_fiscal_persistence_carries_the_base_year_residual():
    """The fiscal noise with persistence starts from the base year's residual when revenue and
    output both have a yearly figure for the base year, and its innovation is scaled."""
    fiscal = _flat_fiscal([2018, 2019, 2020], [100, 107, 113], [10, 11, 12.5])
    settings = {**fiscal.model_dump(), "persistence": {"dist": "uniform", "low": 0.3,
                                                       "high": 0.6, "why": WHY}}
    history = _history(*_levels("gdp", [2018, 2019, 2020], [100, 107, 113]),
                       *_levels("rev", [2018, 2019, 2020], [10, 11, 12.5]))
    gdp = _component({"model": "growth", "unit": "units", "evidence": ["gdp"],
                      "volatility": {"dist": "fixed", "value": 0.0, "why": WHY}}).calibrate(
        history, base_year=2020)
    fitted = _component(settings).calibrate(history, base_year=2020, inputs={"gdp": gdp})
    source = _sources(fitted)["persistence"]
    assert source.origin == "prior" and "no AR(1) fit" in source.detail
    result = forecast.simulate_paths(forecast.Model({"gdp": gdp, "rev": fitted}, 2020, 2021),
                                     draws=20_000, seed=1)
    p = result.parameters
    x = np.log(result.paths["gdp"][1] / result.paths["gdp"][0])
    change = np.log(result.paths["rev"][1] / result.paths["rev"][0])
    residual = math.log(12.5 / 11) - p["rev.intercept"] - p["rev.elasticity"] * math.log(113 / 107)
    innovation = (change - p["rev.intercept"] - p["rev.elasticity"] * x
                  - p["rev.persistence"] * residual) / p["rev.volatility"]
    scaled = innovation / np.sqrt(1 - p["rev.persistence"] ** 2)
    assert np.mean(scaled) == pytest.approx(0, abs=0.03)
    assert np.std(scaled) == pytest.approx(1.0, rel=0.03)
    grid_cell = 2 / 512  # draws are spread within cells of the grid posterior
    low, high = p["rev.persistence"].min(), p["rev.persistence"].max()
    assert 0.3 - grid_cell <= low <= high <= 0.6 + grid_cell


def test_report_covers_every_parameter_with_its_source():
    report = forecast.calibration_report(BASE, draws=2000)
    model = forecast.calibrate(BASE)
    expected = {(name, key) for name, c in model.components.items()
                for key, value in c.sample(np.random.default_rng(0), 4, 5).items()
                if not key.startswith("_")}
    assert {(r["indicator"], r["parameter"]) for r in report.parameters} == expected
    by_key = {(r["indicator"], r["parameter"]): r for r in report.parameters}
    for record in report.parameters:
        assert record["p05"] - 1e-9 <= record["mean"] <= record["p95"] + 1e-9
        assert record["origin"] in ("evidence", "prior", "pooled", "observed", "assumption")
    revenue = by_key[("budget_revenue", "volatility")]
    assert revenue["origin"] == "pooled" and "vietnam_provincial_revenue_volatility" in (
        revenue["detail"])
    drift = by_key[("output", "drift")]
    assert drift["origin"] == "evidence" and drift["evidence"]
    assert all(row["file"] == "history.csv" and row["line"] > 1 and row["source"]
               for row in drift["evidence"])
    assert by_key[("output", "base")]["origin"] == "assumption"


def test_report_uses_the_runs_streams_and_is_reproducible():
    first = forecast.calibration_report(BASE, draws=500, seed=3)
    again = forecast.calibration_report(forecast.load_scenario(BASE), draws=500, seed=3)
    assert first.to_dict() == again.to_dict()
    model = forecast.calibrate(BASE)
    from forecast.engine import simulate_block

    block = simulate_block(model, 3, 0, 500)
    record = next(r for r in first.parameters
                  if (r["indicator"], r["parameter"]) == ("output", "drift"))
    assert record["mean"] == pytest.approx(float(np.mean(block.parameters["output.drift"])))


def test_observed_base_level_names_its_row():
    fitted = _component(GROWTH).calibrate(
        _history(*_levels("gdp", [2019, 2020], [100.0, 108.0])), base_year=2020)
    model = forecast.Model({"gdp": fitted}, 2020, 2025)
    base = next(r for r in forecast.calibration_report(model, draws=200).parameters
                if r["parameter"] == "base")
    assert base["origin"] == "observed" and base["evidence"][0]["line"] == 3
    assert base["p05"] == base["p95"] == 108.0


def test_cli_calibrate_text_and_json():
    runner = CliRunner()
    text = runner.invoke(main, ["calibrate", str(PHU_THO), "--draws", "500"])
    assert text.exit_code == 0, text.output
    for piece in ("budget_revenue", "pooled", "history.csv:", "no OLS on matched yearly figures",
                  "no AR(1)", "ntm_communes"):
        assert piece in text.output
    data = runner.invoke(main, ["calibrate", str(PHU_THO), "--json", "--draws", "500"])
    assert data.exit_code == 0
    parsed = json.loads(data.output)
    assert parsed["scenario"] == "phu_tho" and parsed["draws"] == 500
    assert parsed == forecast.calibration_report(PHU_THO, draws=500).to_dict()


def test_cli_calibrate_bad_input_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    text = BASE.read_text(encoding="utf-8").replace(
        "name: vietnam_provincial_revenue_volatility", "name: vietnam_provincial_revenue_volatilty")
    path.write_text(text.replace("history: ../data/cam_khe/history.csv",
                                 f"history: {ROOT / 'data/cam_khe/history.csv'}"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["calibrate", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.output and "Did you mean 'vietnam_provincial_revenue_volatility'" \
        in result.output and "Traceback" not in result.output
