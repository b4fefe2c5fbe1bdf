"""Holding out every predecessor region's own growth series (``forecast holdout --regions``):
calibrated on a panel drawn from the model itself, the forecasts cover at the nominal rate; a
volatility forced tiny is flagged; nothing after an origin moves its forecast; bad input is
refused with exit code 2."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

import forecast
from conftest import ROOT
from forecast.analysis.holdout_regions import LAST_HORIZON, METHODS, holdout_regions
from forecast.cli import main
from forecast.io.history import History, read_history
from forecast.io.prior_library import load_prior_library

PHU_THO_2030 = ROOT / "scenarios" / "phu_tho_2030.yaml"
WHY = "regions holdout test"
REGIONS = [f"r{i}" for i in range(6)]
DRIFT, VOLATILITY = 0.05, 0.03
YEARS = range(2001, 2011)


def _scenario(volatility: float | dict = VOLATILITY,
              drift_scale: float = 1e-6) -> forecast.Scenario:
    """A growth indicator with its drift and volatility known (the prior is the truth), or
    (a wide drift and a volatility prior) learnt from each region's figures."""
    if not isinstance(volatility, dict):
        volatility = {"dist": "fixed", "value": volatility}
    return forecast.Scenario.from_dict({
        "name": "panel", "history": "unused.csv", "base_year": 2011, "horizon": 2015,
        "region": {"name": "merged", "merged": "2011-01-01", "predecessors": REGIONS},
        "seed": 5,
        "indicators": {"x": {
            "model": "growth", "unit": "u", "evidence": ["g"],
            "base": {"dist": "fixed", "value": 1.0, "why": WHY},
            "drift": {"dist": "normal", "loc": DRIFT, "scale": drift_scale, "why": WHY},
            "volatility": {**volatility, "why": WHY}}},
        "targets": [{"id": "t", "indicator": "x", "kind": "level", "year": 2015,
                     "at_least": 1.0, "source": WHY}]})


def _panel(changed: dict | None = None) -> History:
    """Yearly growth (%/yr) of every region drawn from the model: log growth normal with the
    drift and volatility (final figures, no reporting error)."""
    rng = np.random.default_rng(2024)
    log_growth = DRIFT + VOLATILITY * rng.standard_normal((len(REGIONS), len(YEARS)))
    rows = []
    for i, region in enumerate(REGIONS):
        for j, year in enumerate(YEARS):
            value = 100.0 * math.expm1(log_growth[i, j])
            rows.append({"indicator": "g", "kind": "average_growth", "year": year - 1,
                         "year_end": year, "unit": "%/yr", "source": "synthetic", "note": "",
                         "value": (changed or {}).get((region, year), value),
                         "region": region})
    return History.from_frame(rows)


def _run(scenario: forecast.Scenario, history: History, **options):
    return holdout_regions(scenario, history, priors=load_prior_library(), **options)


def test_a_panel_drawn_from_the_model_is_covered_at_the_nominal_rate():
    """Known answer: every figure's PIT is the normal CDF of its log growth, and the 50 % and
    90 % intervals hold about half and nine tenths of the figures at every horizon."""
    result = _run(_scenario(), _panel(), draws=2000, seed=3)
    assert {f.model.row.region for f in result.figures} == set(REGIONS)
    for figure in result.figures:
        expected = stats.norm.cdf((math.log1p(figure.model.row.value / 100) - DRIFT)
                                  / VOLATILITY)
        assert figure.model.pit == pytest.approx(expected, abs=4 * math.sqrt(0.25 / 2000))
    for horizon in range(1, LAST_HORIZON + 1):
        record = result.record("model", horizon)
        assert record["forecasts"] == len(REGIONS) * (len(YEARS) - 1 - horizon)
        assert record["origins"] == list(range(2002, 2011 - horizon))
        for level in (50, 90):
            assert abs(record[f"coverage{level}"] - level / 100) < 3 * record[
                f"coverage{level}_se"]
        assert abs(record["mean_pit"] - 0.5) < 3 * record["mean_pit_se"]
        assert {"crps_vs_naive", "crps_vs_climatology"} <= set(record)
    assert [f["origin"] for f in result.fits if f["region"] == "r0"] == list(range(2002, 2010))


def test_a_volatility_forced_tiny_is_flagged():
    """A model whose volatility is a tenth of the panel's: its 90 % intervals hold a small
    share of the figures, far below nominal, and both benchmarks beat it."""
    result = _run(_scenario(volatility=0.003), _panel(), draws=1000, seed=3)
    for horizon in range(1, LAST_HORIZON + 1):
        record = result.record("model", horizon)
        assert record["coverage90"] < 0.2 < 0.9 - 10 * record["coverage90_se"]
        assert record["crps_vs_naive"] > 1 and record["crps_vs_climatology"] > 1
        assert result.record("naive", horizon)["coverage90"] > record["coverage90"]


def test_nothing_after_an_origin_moves_its_forecast():
    """A figure of 2008 changed (to a collapse): the forecasts made at origins before 2008
    (the model's and both benchmarks', of every region) are the same draw for draw, and the
    same seed gives the same result bit for bit. The drift and volatility are learnt from
    each region's rows, so a later row that entered the fit would move them."""
    scenario = _scenario({"dist": "halfnormal", "scale": 0.1}, drift_scale=0.3)
    before = _run(scenario, _panel(), draws=500, seed=9)
    after = _run(scenario, _panel({("r0", 2008): -25.0}), draws=500, seed=9)
    assert before.to_dict() == _run(scenario, _panel(), draws=500, seed=9).to_dict()
    assert before.to_dict() != _run(scenario, _panel(), draws=500, seed=10).to_dict()

    def early(result):
        return [(f.model.row.line, f.origin, f.model.quantiles,
                 {m: f.scores[m]["crps"] for m in METHODS[1:]}
                 if (f.model.row.region, f.model.row.year_end) != ("r0", 2008) else None)
                for f in result.figures if f.origin < 2008]

    assert early(before) == early(after)
    assert [f for f in before.fits if f["origin"] < 2008] == \
        [f for f in after.fits if f["origin"] < 2008]
    assert [f for f in before.fits if f["origin"] >= 2008] != \
        [f for f in after.fits if f["origin"] >= 2008]


def test_phu_tho_predecessors_json():
    """The merged Phú Thọ's three predecessors, each on its own rows: every scored figure
    says where it was read, the summary has every method at horizons 1-5, and the averages
    over several years are listed as not scored."""
    result = CliRunner().invoke(main, ["holdout", str(PHU_THO_2030), "--regions", "--json",
                                       "--draws", "200"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["regions"] == ["phu_tho_old", "vinh_phuc", "hoa_binh"]
    assert set(data) >= {"summary", "by_origin", "fits", "figures", "skipped", "seed"}
    assert data["seed"] == forecast.load_scenario(PHU_THO_2030).seed
    assert {(r["method"], r["horizon"]) for r in data["summary"]} == {
        (m, h) for m in METHODS for h in range(1, 6)}
    for figure in data["figures"]:
        assert figure["file"].endswith("history.csv") and figure["line"] in figure["lines"]
        assert figure["region"] in data["regions"] and figure["unit"] == "%/yr"
        assert figure["origin"] < figure["year_end"] == figure["year"] + 1
        assert 0.0 <= figure["pit"] <= 1.0 and len(figure["p05_p25_p50_p75_p95"]) == 5
        assert figure["value"] is not None and set(figure["naive"]) == {"pit", "crps"}
    combined = [f for f in data["figures"] if len(f["lines"]) == 2]
    assert {(f["region"], f["year_end"]) for f in combined} >= {("vinh_phuc", 2022)}
    rows = {r.line: r for r in read_history(ROOT / "data" / "phu_tho_2025" / "history.csv").rows}
    assert all(rows[line].region == fit["region"] and (rows[line].year_end or rows[line].year)
               <= fit["origin"] for fit in data["fits"] for line in fit["lines"])
    assert {s["what"].split()[0] for s in data["skipped"]} == {"phu_tho_old", "vinh_phuc"}


def test_regions_table_and_refusals(write_scenario):
    runner = CliRunner()
    table = runner.invoke(main, ["holdout", str(PHU_THO_2030), "--regions", "--draws", "200"])
    assert table.exit_code == 0, table.output
    assert "phu_tho_old, vinh_phuc, hoa_binh" in table.output and "climatology" in table.output
    vi = runner.invoke(main, ["holdout", str(PHU_THO_2030), "--regions", "--draws", "200",
                              "--lang", "vi"])
    assert vi.exit_code == 0 and "liên tỉnh" in vi.output
    plain = runner.invoke(main, ["holdout", str(ROOT / "scenarios" / "phu_tho.yaml"),
                                 "--regions"])
    assert plain.exit_code == 2
    assert "phu_tho.yaml" in plain.output and "region.predecessors" in plain.output
    both = runner.invoke(main, ["holdout", str(PHU_THO_2030), "--regions", "--origin", "2020"])
    assert both.exit_code == 2 and "--origin: found 2020 with --regions" in both.output
    header = "indicator,kind,year,year_end,value,unit,source,note,status,error,region\n"
    rows = "".join(f"g,average_growth,{y - 1},{y},{v},%/yr,s,,,,{r}\n"
                   for r, years in (("a", (2016, 2017, 2018, 2019)), ("b", (2018,)))
                   for y, v in zip(years, (5.0, 7.0, 6.0, 8.0)))
    path = write_scenario("""
        name: few
        region: {name: merged, merged: "2020-01-01", predecessors: [a, b]}
        history: history.csv
        base_year: 2020
        horizon: 2025
        indicators:
          x:
            model: growth
            unit: u
            evidence: [g]
            base: {dist: fixed, value: 1, why: test}
        targets:
          - {id: t, indicator: x, kind: level, year: 2025, at_least: 1, source: test}
        """, header + rows)
    few = runner.invoke(main, ["holdout", str(path), "--regions"])
    assert few.exit_code == 2
    assert "history.csv: region: 'b' has 1 yearly growth figure(s)" in few.output
    assert "Traceback" not in plain.output + both.output + few.output


@pytest.mark.parametrize("name", ["phu_tho_2030.yaml", "phu_tho_2030_national.yaml"])
def test_the_nations_rows_enter_a_forecast_only_up_to_its_origin(name):
    """A province pooled towards the nation's growth (``pooling.group``) or reading it as a
    national input (``common``) is held out with the nation's rows dated up to each origin:
    a national figure of 2024 changed to a collapse moves no forecast made before 2024, and
    moves the later ones."""
    import dataclasses

    from forecast.analysis.holdout_regions import holdout_regions
    from forecast.io.history import History
    from forecast.io.prior_library import load_prior_library
    from forecast.pipeline import scenario_history

    scenario = forecast.load_scenario(ROOT / "scenarios" / name)
    history = scenario_history(scenario, resolved=False)
    changed = History(tuple(dataclasses.replace(r, value=-20.0)
                            if (r.indicator, r.year_end) == ("gdp_vietnam", 2024) else r
                            for r in history.rows), history.file)
    library = load_prior_library()
    before = holdout_regions(scenario, history, priors=library, draws=200, seed=3)
    after = holdout_regions(scenario, changed, priors=library, draws=200, seed=3)
    assert before.figures, "the province's growth model is scored"

    def made(result, early):
        return [(f.model.row.line, f.origin, f.model.quantiles) for f in result.figures
                if (f.origin < 2024) == early]

    assert made(before, True) == made(after, True)
    assert made(before, False) != made(after, False)
