"""``forecast backtest``: scores, calibration on a panel the model is right for, the CLI."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from forecast.analysis.backtest import (PERSISTENCE_NAME, POOLED_NAME, BacktestSettings,
                                       run_backtest)
from forecast.analysis.scores import crps_samples
from forecast.cli.app import main
from forecast.io.panel import read_panel
from forecast.io.prior_library import load_prior_library
from forecast.priors.pooled import derive
from forecast.spec.distributions import HalfNormal, Normal

LIBRARY = load_prior_library()
PANEL = LIBRARY.panel(POOLED_NAME)
WHY = "backtest test"


def test_sample_crps_matches_the_normal_closed_form():
    rng = np.random.default_rng(1)
    observed = np.array([-1.0, 0.0, 0.3, 2.5])
    samples = rng.standard_normal((200_000, observed.size)) * 2.0 + 0.5
    z = (observed - 0.5) / 2.0
    exact = 2.0 * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    np.testing.assert_allclose(crps_samples(samples, observed), exact, rtol=0.01)


def _synthetic_panel(path, units: int, rng: np.random.Generator):
    """A panel where revenue is exactly the model: a random walk with drift and volatility
    drawn from the priors the backtest declares."""
    drift = 0.1 + 0.05 * rng.standard_normal(units)
    sigma = np.abs(0.15 * rng.standard_normal(units))
    years = np.arange(2006, 2015)
    logs = np.log(1e6) + np.cumsum(drift[:, None] + sigma[:, None] * rng.standard_normal(
        (units, years.size)), axis=1)
    lines = ["province,year,planned_revenue,planned_expenditure,final_revenue,final_expenditure"]
    lines += [f"P{u},{y},1,1,{math.exp(logs[u, i]):.6f},1" for u in range(units)
              for i, y in enumerate(years)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_backtest_is_calibrated_where_the_model_is_true_and_the_naive_one_is_not(tmp_path):
    panel = tmp_path / "panel.csv"
    _synthetic_panel(panel, 300, np.random.default_rng(2))
    settings = BacktestSettings(
        drift=Normal(dist="normal", loc=0.1, scale=0.05, why=WHY),
        volatility=HalfNormal(dist="halfnormal", scale=0.15, why=WHY), persistence=None,
        draws=400, seed=3)
    result = run_backtest(LIBRARY, settings, panel=read_panel(panel))
    model, naive = result.record("model"), result.record("naive")
    assert model["forecasts"] == 900 and sum(model["pit_histogram"]) == 900
    # Forecasts of one province share its parameters, so allow more than binomial error.
    assert model["coverage90"] == pytest.approx(0.9, abs=0.04)
    assert model["coverage50"] == pytest.approx(0.5, abs=0.06)
    assert naive["coverage90"] < model["coverage90"] - 0.04  # plug-in sd from 5 changes
    assert model["crps"] < naive["crps"]
    assert [r["horizon"] for r in result.records] == [1, 2, 3, "all"] * 2


def test_backtest_on_the_provincial_panel_leaves_out_what_the_priors_leave_out():
    settings = BacktestSettings(volatility=HalfNormal(dist="halfnormal", scale=0.3, why=WHY),
                                persistence=None, draws=200)
    result = run_backtest(LIBRARY, settings)
    skipped = {item["province"] for item in result.skipped}
    assert skipped == {"BRVT", "Ha Tay"} and len(result.provinces) == 62
    excluded = {what for what, _ in result.excluded}
    assert {"levels of 2006", "levels of 2009", "BRVT", "Ha Noi 2007-2008"} <= excluded
    hanoi = next(p for p in result.provinces if p["province"] == "Ha Noi")
    assert hanoi["fit_years"] == [2008, 2010, 2011]  # after the merger with Ha Tay
    values = PANEL.values("final_revenue")
    for province in result.provinces:  # no scope jump of 2006, no 2009 settlement
        assert 2006 not in province["fit_years"] and 2009 not in province["fit_years"]
        first, last = province["fit_years"][0], province["fit_years"][-1]
        series = values[province["province"]]
        drift = (math.log(series[last]) - math.log(series[first])) / (last - first)
        assert province["naive_growth"] == pytest.approx(drift, rel=1e-9)


def test_backtest_pooled_prior_is_the_derivation_without_the_province_and_later_years():
    """The same exclusions and the same rule as the shipped prior: re-deriving it from the
    panel cut at the origin, without the province, gives the backtest's prior."""
    result = run_backtest(LIBRARY, BacktestSettings(cutoff=2013, last_year=2014, draws=100))
    province = result.provinces[5]
    for name in (POOLED_NAME, PERSISTENCE_NAME):
        shipped = LIBRARY.spec(name)
        spec = dataclasses.replace(shipped, last_year=2013, drop_series={
            **shipped.drop_series, province["province"]: WHY})
        kind = shipped.statistic
        assert province[f"{kind}_prior"] == derive(spec, PANEL).distribution.describe()


@pytest.mark.parametrize("years, key, message", [
    (dict(cutoff=2014, last_year=2014), "cutoff", r"first_year \+ 2"),
    (dict(first_year=1990), "first_year", "2006-2014"),
    (dict(cutoff=2011, last_year=2020), "last_year", "2006-2014"),
    (dict(cutoff=2009, last_year=2012), "cutoff", "left out"),
    (dict(cutoff=2008, last_year=2011), "cutoff", "3 levels"),
])
def test_backtest_rejects_bad_years(years, key, message):
    from forecast.errors import InputError

    with pytest.raises(InputError, match=message) as info:
        run_backtest(LIBRARY, BacktestSettings(draws=100, **years))
    assert info.value.problems[0].key == key


def test_cli_backtest_writes_json_and_refuses_to_overwrite(tmp_path):
    panel = tmp_path / "panel.csv"
    _synthetic_panel(panel, 12, np.random.default_rng(4))
    out = tmp_path / "bt"
    args = ["backtest", "--panel", str(panel), "--draws", "200", "--out", str(out),
            "--persistence", "none", "--volatility", "{dist: halfnormal, scale: 0.2}"]
    runner = CliRunner()
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "naive" in result.output and "90 % coverage" in result.output
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    assert data["settings"]["volatility"] == "halfnormal(0.2)"
    assert {r["method"] for r in data["summary"]} == {"model", "naive"}
    assert len(data["provinces"]) == 12 and len(data["provinces"][0]["model_pit"]) == 3
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "--force" in again.output
    bad = runner.invoke(main, args[:-1] + ["{dist: halfnormal, scale: -1}", "--force"])
    assert bad.exit_code == 2 and "--volatility" in bad.output and "Traceback" not in bad.output


def test_cli_backtest_pooled_priors_on_a_short_window(tmp_path):
    """Pooled priors re-derived per province from the other provinces' fitting years only."""
    out = tmp_path / "bt"
    result = CliRunner().invoke(main, ["backtest", "--draws", "100", "--cutoff", "2010",
                                       "--last-year", "2012", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    first = data["provinces"][0]
    assert first["volatility_prior"].startswith("lognormal")
    assert "persistence_prior" not in first  # no two consecutive yearly changes by 2010
    assert first["fit_years"] == [2007, 2008, 2010]
    assert {"what": "levels of 2009", "why": LIBRARY.spec(POOLED_NAME).drop_years[2009]} \
        in data["excluded"]
    bad = CliRunner().invoke(main, ["backtest", "--first-year", "1990", "--out", str(out),
                                    "--force"])
    assert bad.exit_code == 2 and "--first-year: found 1990" in bad.output
    assert "Traceback" not in bad.output


def test_cli_backtest_runs_outside_the_source_tree(tmp_path, monkeypatch):
    """The panel comes from the prior library shipped in the package, wherever the command
    runs: nothing is looked for relative to the working folder."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    result = CliRunner().invoke(main, ["backtest", "--draws", "100", "--out", "bt",
                                       "--persistence", "none"])
    assert result.exit_code == 0, result.output
    data = json.loads((empty / "bt" / "backtest.json").read_text(encoding="utf-8"))
    assert len(data["provinces"]) == 62
    assert {"what": "BRVT", "why": LIBRARY.spec(POOLED_NAME).drop_series["BRVT"]} \
        in data["excluded"]


def test_cli_backtest_help_names_the_shipped_library():
    text = CliRunner().invoke(main, ["backtest", "--help"]).output
    assert "--panel" in text and "--library" in text and "shipped" in text
    assert "data/vietnam_provincial_budget" not in text and "source tree" not in text


def test_cli_backtest_reports_a_broken_panel_or_library(tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("province,year,final_revenue\nA,2006,x\n", encoding="utf-8")
    out = str(tmp_path / "bt")
    bad = CliRunner().invoke(main, ["backtest", "--panel", str(panel), "--out", out])
    assert bad.exit_code == 2 and f"{panel}:2: final_revenue: found 'x'" in bad.output
    missing = CliRunner().invoke(main, ["backtest", "--library", str(tmp_path), "--out", out])
    assert missing.exit_code == 2 and "not a prior library" in missing.output
    assert "Traceback" not in bad.output + missing.output
