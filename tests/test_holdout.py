"""Holding out the figures after an origin: the forecast of each later figure is scored where
it falls, on a known answer, on Phú Thọ's own series, and refused where it cannot be made."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from scipy import stats

import forecast
from conftest import ROOT
from forecast.analysis.holdout import holdout
from forecast.cli import main
from forecast.io.history import History
from forecast.io.prior_library import load_prior_library

PHU_THO = ROOT / "scenarios" / "phu_tho.yaml"
WHY = "holdout test"


def _scenario(drift_loc: float, drift_scale: float = 1e-6) -> forecast.Scenario:
    """A growth indicator with a known drift and volatility, its base read at the origin."""
    return forecast.Scenario.from_dict({
        "name": "known", "region": "nowhere", "history": "unused.csv", "base_year": 2020,
        "horizon": 2023, "draws": 1000, "seed": 3,
        "indicators": {"x": {
            "model": "growth", "unit": "u", "evidence": ["x"],
            "drift": {"dist": "normal", "loc": drift_loc, "scale": drift_scale, "why": WHY},
            "volatility": {"dist": "fixed", "value": 0.1, "why": WHY}}},
        "targets": [{"id": "t", "indicator": "x", "kind": "level", "year": 2023,
                     "at_least": 1.0, "source": WHY}]})


def _history(levels: dict[int, float]) -> History:
    return History.from_frame([{"indicator": "x", "kind": "level", "year": y, "year_end": "",
                                "value": v, "note": "",
                                "unit": "u", "source": "test"} for y, v in levels.items()])


LEVELS = {2018: 100.0, 2019: 104.0, 2020: 110.0, 2021: 118.0, 2023: 150.0}


def test_each_later_figure_is_scored_where_it_falls_in_the_forecast():
    """Known answer: log x_{T+h} ~ N(log x_T + h drift, h vol**2) with the drift and volatility
    fixed, so the PIT of a later level is the normal CDF there."""
    result = holdout(_scenario(0.05), _history(LEVELS), History(()),
                     priors=load_prior_library(), origin=2020, draws=40000, seed=1)
    assert [(h.row.year, h.horizon) for h in result.scored] == [(2021, 1), (2023, 3)]
    for held in result.scored:
        h = held.horizon
        expected = stats.norm.cdf((math.log(held.row.value / 110.0) - 0.05 * h)
                                  / (0.1 * math.sqrt(h)))
        assert held.pit == pytest.approx(expected, abs=4 * math.sqrt(0.25 / 40000))
        median = 110.0 * math.exp(0.05 * h)
        assert held.quantiles[2] == pytest.approx(median, rel=0.01)
    assert result.summary()["figures"] == 2


def test_the_check_fails_a_forecast_that_is_wrong():
    """A drift of -30 %/yr against a series growing 7 % a year: every figure falls above the
    90 % interval."""
    result = holdout(_scenario(-0.3), _history(LEVELS), History(()),
                     priors=load_prior_library(), origin=2020, draws=4000, seed=1)
    assert all(not h.in90 and h.pit > 0.99 for h in result.scored)
    assert result.summary()["coverage90"] == 0.0


def test_figures_after_the_origin_are_not_used_to_calibrate():
    """An earlier origin: the figures after it move nothing (the same draws with or without
    them), and they are what is scored."""
    priors = load_prior_library()
    wide = _scenario(0.0, 0.3)
    full = holdout(wide, _history(LEVELS), History(()), priors=priors, origin=2019, seed=2)
    cut = {y: v for y, v in LEVELS.items() if y <= 2019}
    later = _history({y: v for y, v in LEVELS.items() if y > 2019})
    split = holdout(wide, _history(cut), later, priors=priors, origin=2019, seed=2)
    assert [h.quantiles for h in full.scored] == [h.quantiles for h in split.scored]
    assert [h.row.year for h in full.scored] == [2020, 2021, 2023]


def test_phu_tho_new_rural_communes_from_2017():
    """Phú Thọ's own count of communes at the new-rural standard, cut at 2017: the later counts
    (2018, mid-2020, and 2021 from the monitoring file) are scored; indicators whose base is
    an assumption for 2020 are skipped, with the reason."""
    result = CliRunner().invoke(main, ["holdout", str(PHU_THO), "--origin", "2017", "--json",
                                       "--draws", "2000"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    scored = [(r["indicator"], r["year"]) for r in data["scored"]]
    assert scored == [("ntm_communes", 2018), ("ntm_communes", 2020), ("ntm_communes", 2021)]
    assert {s["what"] for s in data["skipped"]} >= {"grdp", "poverty_rate"}
    assert all("assumption stated for 2020" in s["why"] for s in data["skipped"])
    assert all(0.0 <= r["pit"] <= 1.0 for r in data["scored"])


def test_holdout_in_vietnamese_and_its_refusals():
    runner = CliRunner()
    vi = runner.invoke(main, ["holdout", str(PHU_THO), "--lang", "vi", "--draws", "500"])
    assert vi.exit_code == 0, vi.output
    assert "số liệu" in vi.output and "trong khoảng 90 %" in vi.output
    late = runner.invoke(main, ["holdout", str(PHU_THO), "--origin", "2024"])
    assert late.exit_code == 2 and "must not be after the base year 2020" in late.output
    base = runner.invoke(main, ["holdout", str(ROOT / "scenarios" / "base.yaml")])
    assert base.exit_code == 2 and "no figure after 2020" in base.output
    early = runner.invoke(main, ["holdout", str(PHU_THO), "--origin", "2000"])
    assert early.exit_code == 2 and "--origin: the figures up to 2000 do not calibrate" in \
        early.output
    ancient = runner.invoke(main, ["holdout", str(PHU_THO), "--origin", "1800"])
    assert ancient.exit_code == 2 and "--origin: found 1800" in ancient.output
    assert "Traceback" not in base.output + late.output + early.output + ancient.output
