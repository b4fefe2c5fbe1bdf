"""Evidence as it is: bases from published figures (not from targets), no look-ahead, reporting
error per row, unit lists that change, correlated assumptions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

import forecast
from forecast.engine import Model, simulate_paths

ROOT = Path(__file__).resolve().parents[1]
WHY = "test"
HEADER = "indicator,kind,year,year_end,value,unit,source,note,status,error\n"


def test_revenue_odds_fall_as_the_target_rises(scenario, model):
    """The revenue base no longer comes from the 970 target: the probability depends on it."""
    results = forecast.simulate(scenario, draws=20_000, seed=1, model=model)
    revenue = results.dataset["budget_revenue"].sel(year=2025).values
    odds = [float(np.mean(revenue >= x)) for x in (700, 970, 1500)]
    assert odds[0] > odds[1] + 0.05 > odds[2] + 0.10, odds


def test_the_ratio_prior_is_the_panel_s(tmp_path):
    """The why of the revenue ratio quotes the panel: final against planned revenue, 2010-2014
    without 2009, median 1.89 and log sd 0.38 across province-years."""
    import pandas as pd

    panel = pd.read_csv(ROOT / "forecast/library/vietnam_provincial_budget/"
                        "vietnam_provincial_budget.csv")
    panel = panel[panel.province.notna() & panel.final_revenue.notna()
                  & panel.year.between(2010, 2014)]
    ratio = np.log(panel.final_revenue / panel.planned_revenue)
    assert np.exp(ratio.median()) == pytest.approx(1.89, abs=0.01)
    assert ratio.std() == pytest.approx(0.38, abs=0.01)
    assert ratio.mean() == pytest.approx(0.675, abs=0.005)
    base = forecast.load_scenario(ROOT / "scenarios/base.yaml")
    assert base.indicators["budget_revenue"].base.ratio.mu == pytest.approx(ratio.mean(), abs=0.005)


def _history(text: str) -> forecast.History:
    return forecast.parse_history(HEADER + text, "<test>")


def _growth(**extra):
    spec = {"model": "growth", "unit": "units", "evidence": ["gdp"],
            "drift": {"dist": "normal", "loc": 0.05, "scale": 0.05, "why": WHY},
            "volatility": {"dist": "fixed", "value": 0.02, "why": WHY}, **extra}
    return forecast.registry()["growth"].model_validate(spec)


def test_a_relation_to_a_row_carries_the_figure_its_error_and_its_growth():
    history = _history("gdp,level,2020,,100,units,s,,,\nrev,level,2019,,10,units,s,,,10%\n")
    component = _growth(base={"relation": "ratio", "to": "rev", "year": 2019, "why": WHY,
                              "ratio": {"dist": "fixed", "value": 3, "why": WHY},
                              "growth": {"dist": "fixed", "value": 0.1, "why": WHY}})
    fitted = component.calibrate(history, base_year=2020)
    draws = fitted.sample_base(np.random.default_rng(0), 200_000)
    assert draws.mean() == pytest.approx(33.0, rel=0.01)
    assert draws.std() == pytest.approx(3.3, rel=0.02)  # the row's 10 % error, carried
    assert "relation" in [d.dist for _, d in fitted.assumptions()]


def test_a_relation_to_an_input_multiplies_its_base_draw_by_draw():
    history = _history("gdp,level,2020,,100,units,s,,,\n")
    output = _growth().calibrate(history, base_year=2020)
    spec = {"model": "elasticity", "unit": "units", "inputs": ["output"],
            "elasticity": {"dist": "normal", "loc": 1, "scale": 0.1, "why": WHY},
            "base": {"relation": "ratio", "to": "output", "why": WHY,
                     "ratio": {"dist": "uniform", "low": 0.2, "high": 0.3, "why": WHY}}}
    revenue = forecast.registry()["elasticity"].model_validate(spec).calibrate(
        history, base_year=2020, inputs={"output": output})
    paths = simulate_paths(Model({"output": output, "revenue": revenue}, 2020, 2021),
                           draws=1000, seed=1).paths
    share = paths["revenue"][0] / paths["output"][0]
    assert share.min() >= 0.2 and share.max() <= 0.3


def test_a_relation_to_a_later_figure_is_refused():
    history = _history("gdp,level,2020,,100,units,s,,,\nrev,level,2021,,10,units,s,,,\n")
    component = _growth(base={"relation": "ratio", "to": "rev", "year": 2021, "why": WHY,
                              "ratio": {"dist": "fixed", "value": 3, "why": WHY}})
    with pytest.raises(forecast.ModelError, match="after the base year"):
        component.calibrate(history, base_year=2020)


def test_evidence_after_the_base_year_is_refused_at_its_row():
    history = _history("gdp,level,2019,,100,units,s,,,\ngdp,level,2021,,110,units,s,,,\n")
    with pytest.raises(forecast.DataError) as info:
        _growth(base={"dist": "fixed", "value": 100, "why": WHY}).calibrate(history,
                                                                            base_year=2020)
    problem = info.value.problems[0]
    assert problem.line == 3 and "after the base year 2020" in problem.message


def test_forecast_run_refuses_look_ahead_with_exit_2(tmp_path):
    (tmp_path / "h.csv").write_text(HEADER + "gdp,level,2019,,100,units,s,,,\n"
                                    "gdp,level,2020,,104,units,s,,,\n"
                                    "gdp,level,2022,,110,units,s,,,\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "name: s\nregion: r\nhistory: h.csv\nbase_year: 2020\nhorizon: 2023\n"
        "indicators:\n  gdp: {model: growth, unit: units, evidence: [gdp]}\n"
        "targets:\n  - {id: t, indicator: gdp, kind: level, year: 2023, at_least: 1, "
        "source: test}\n", encoding="utf-8")
    for command in ("run", "validate", "calibrate"):
        args = [sys.executable, "-m", "forecast", command, str(tmp_path / "s.yaml")]
        if command == "run":
            args += ["--out", str(tmp_path / "out"), "--draws", "100"]
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 2, (command, done.stderr)
        assert "h.csv:4" in done.stderr and "after the base year" in done.stderr


def test_status_and_error_columns():
    history = _history("a,level,2019,,100,units,s,,estimate,\nb,level,2019,,100,units,s,,,3\n"
                       "c,level,2019,,100,units,s,,final,2%\n")
    assert [r.sd for r in history.rows] == pytest.approx([5.0, 3.0, 2.0])
    with pytest.raises(forecast.DataError, match="status"):
        _history("a,level,2019,,100,units,s,,guess,\n")
    with pytest.raises(forecast.DataError, match="error"):
        _history("a,level,2019,,100,units,s,,,-1\n")


def _drift_sd(status: str) -> float:
    history = _history(f"gdp,average_growth,2015,2020,9,%/yr,s,,{status},\n"
                       "gdp,average_growth,2018,2019,8,%/yr,s,,,\n")
    fitted = _growth(base={"dist": "fixed", "value": 1, "why": WHY}).calibrate(
        history, base_year=2020)
    return float(fitted.sample(np.random.default_rng(0), 100_000, 1)["drift"].std())


def test_an_estimate_informs_the_posterior_less_than_a_final_figure():
    assert _drift_sd("mid-year") > _drift_sd("estimate") > _drift_sd("final")


def test_a_shared_level_makes_yearly_changes_negatively_correlated():
    rows = "".join(f"gdp,level,{y},,{100 * 1.05 ** (y - 2015):.4f},units,s,,,1%\n"
                   for y in range(2015, 2021))
    reading = _growth().calibrate(_history(rows), base_year=2020).fit.reading
    cov = reading.covariance
    assert cov.shape == (5, 5)
    assert cov[0, 0] == pytest.approx(2 * 0.01**2, rel=1e-3)
    assert cov[0, 1] == pytest.approx(-(0.01**2), rel=1e-3)


def _adoption(**extra):
    spec = {"model": "adoption", "unit": "units", "evidence": ["n"],
            "hazard": {"dist": "beta", "a": 1, "b": 1, "why": WHY}, **extra}
    return forecast.registry()["adoption"].model_validate(spec)


def test_units_series_reads_evidence_on_its_list_and_maps_the_stock_at_a_merger():
    history = _history("n,level,2016,,10,units,s,,,\nn,level,2018,,30,units,s,,,\n"
                       "n,level,2020,,50,units,s,,,\n")
    component = _adoption(units={2016: 200, 2021: 100},
                          mergers=[{"year": 2021, "kept": {"dist": "fixed", "value": 0.5,
                                                           "why": WHY}}])
    fitted = component.calibrate(history, base_year=2020)
    assert "of 190 at risk" in fitted.fit.parameters.sources[0].detail
    paths = simulate_paths(Model({"n": fitted}, 2020, 2025), draws=2000, seed=3).paths["n"]
    assert (paths[0] == 50).all() and paths.max() <= 100
    assert (paths[1] >= 25).all() and (paths[1] < 50).mean() > 0.5  # mapped, then added
    with pytest.raises(ValueError, match="mergers"):  # a change in the horizon needs one
        from forecast.spec.scenario import parse_scenario

        parse_scenario({"name": "s", "region": "r", "history": "h.csv", "base_year": 2020,
                        "horizon": 2025, "indicators": {"n": {
                            "model": "adoption", "unit": "units", "units": {2016: 200, 2021: 100},
                            "hazard": {"dist": "beta", "a": 1, "b": 1, "why": WHY},
                            "base": {"dist": "integers", "low": 1, "high": 5, "why": WHY}}},
                        "targets": [{"id": "t", "indicator": "n", "kind": "level",
                                     "year": 2025, "at_least": 1, "source": "test"}]})


def test_a_reported_count_with_error_informs_the_hazard_less():
    def sd(error):
        history = _history(f"n,level,2016,,10,units,s,,,\nn,level,2020,,50,units,s,,,{error}\n")
        fitted = _adoption(units=200).calibrate(history, base_year=2020)
        return float(fitted.sample(np.random.default_rng(0), 100_000, 1)["hazard"].std())

    assert sd("20%") > 1.3 * sd("")


def test_correlations_are_imposed_reproducibly_and_checked(tmp_path):
    base = forecast.load_scenario(ROOT / "scenarios/base.yaml")
    first = forecast.simulate(base, draws=20_000, seed=5).dataset
    rho = spearmanr(first["paved_road_share.base"], first["ntm_communes.base"])[0]
    assert rho == pytest.approx(0.5, abs=0.05)
    model = forecast.calibrate(base)
    one = simulate_paths(model, draws=20_000, seed=5, chunk_blocks=1)
    other = simulate_paths(model, draws=20_000, seed=5, chunk_blocks=3)
    for name in one.paths:
        assert np.array_equal(one.paths[name], other.paths[name])
    from forecast.correlation import Correlation, check_correlations

    bad = [Correlation(between=("a.x", "b.y"), rank=0.9, why=WHY),
           Correlation(between=("b.y", "c.z"), rank=0.9, why=WHY),
           Correlation(between=("a.x", "c.z"), rank=-0.9, why=WHY)]
    problems = check_correlations(bad, {"a": 1, "b": 1, "c": 1})
    assert problems and "positive definite" in problems[0][1]
    assert "unknown indicator" in check_correlations(bad[:1], {"a": 1})[0][1]


def test_a_correlation_naming_a_parameter_not_drawn_is_located(tmp_path):
    text = (ROOT / "scenarios/base.yaml").read_text(encoding="utf-8")
    text = text.replace("[paved_road_share.base, ntm_communes.base]",
                        "[paved_road_share.bsae, ntm_communes.base]")
    text = text.replace("history: ../data/cam_khe/history.csv",
                        f"history: {ROOT / 'data/cam_khe/history.csv'}")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(forecast.ScenarioError) as info:
        forecast.calibrate(forecast.load_scenario(path))
    problem = info.value.problems[0]
    assert problem.key == "correlations[0].between[0]" and "bsae" in problem.message
