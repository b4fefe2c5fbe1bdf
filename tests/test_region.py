"""A region assembled from its predecessors: readings, sums, weighted growth with known answers;
the merged Phú Thọ scenario validates and runs; bad predecessor rows exit 2 at their line."""

from __future__ import annotations

import math
import textwrap

import pytest
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.errors import DataError
from forecast.region import resolve, unit_factor
from forecast.spec.region import Region
from conftest import ROOT

HEADER = "indicator,kind,year,year_end,value,unit,source,note,status,error,region\n"

# Two predecessors: a grows 10 % then 5 %, b 2 % a year; b's levels are written in thousand
# billion VND, a's in billion VND. The merged level is the sum; the merged growth weighted by
# the levels of the year before equals the growth of the summed levels.
SYNTHETIC = HEADER + """\
out,level,2019,,100,billion VND,s,,,,a
out,level,2020,,110,billion VND,s,,,,a
out,level,2021,,115.5,billion VND,s,,,,a
out,level,2019,,0.3,thousand billion VND,s,,,,b
out,level,2020,,0.306,thousand billion VND,s,,,,b
out,level,2021,,0.31212,thousand billion VND,s,,,,b
g,average_growth,2019,2020,10,%/yr,s,,,,a
g,average_growth,2019,2020,2,%/yr,s,,,,b
g,average_growth,2019,2021,{two_year_a},%/yr,s,,,,a
g,average_growth,2019,2021,2,%/yr,s,,,,b
g,average_growth,2020,2021,5,%/yr,s,,estimate,,a
g,average_growth,2020,2021,2,%/yr,s,,,0.5,b
""".format(two_year_a=100 * (math.sqrt(1.1 * 1.05) - 1))

REGION = {"name": "merged", "merged": "2021-07-01", "predecessors": ["a", "b"], "derive": {
    "out": {"rule": "sum", "unit": "billion VND", "why": "levels add up"},
    "g": {"rule": "weighted", "unit": "%/yr", "why": "shares of output",
          "weights": {"indicator": "out", "why": "output of the year before"}}}}


def _rows(history, indicator):
    return {(r.kind, r.year, r.year_end): r for r in history.rows if r.indicator == indicator}


def test_sums_and_weighted_growth_have_the_known_answers():
    merged = resolve(forecast.parse_history(SYNTHETIC, "h.csv"), Region.model_validate(REGION))
    levels = _rows(merged, "out")
    assert levels[("level", 2019, None)].value == pytest.approx(400)
    assert levels[("level", 2020, None)].value == pytest.approx(416)
    assert levels[("level", 2021, None)].value == pytest.approx(427.62)
    growth = _rows(merged, "g")
    # 2020: 0.25 * 10 % + 0.75 * 2 % = 4 %, the growth of the summed levels 400 -> 416
    assert growth[("average_growth", 2019, 2020)].value == pytest.approx(4.0)
    # over two years the compound formula equals the summed levels' growth, 400 -> 427.62
    two = growth[("average_growth", 2019, 2021)]
    assert two.value == pytest.approx(100 * (math.sqrt(427.62 / 400) - 1))
    # 2021, weights of 2020 (110 and 306): the growth of the sums 416 -> 427.62
    last = growth[("average_growth", 2020, 2021)]
    assert last.value == pytest.approx(100 * (427.62 / 416 - 1))
    # its error: a's 5 % of 5 points and b's 0.5 point, times the weights
    wa, wb = 110 / 416, 306 / 416
    assert last.sd == pytest.approx(math.hypot(wa * 0.25, wb * 0.5), rel=1e-6)
    assert last.status == "estimate" and last.region == ""
    assert "line" in last.source and "weighted by their out in 2020" in last.source
    # predecessors' rows are not evidence of the merged region themselves
    assert all(r.region == "" for r in merged.rows)


def test_readings_combine_at_their_precision_weighted_mean_and_superseded_rows_drop():
    text = HEADER + """\
x,level,2020,,10,billion VND,first,,,1,
x,level,2020,,12,billion VND,second,,,1,
x,level,2020,,99,billion VND,old,"replaced by the yearbook",superseded,,
y,level,2020,,1,thousand billion VND,one,,estimate,,
y,level,2020,,1100,billion VND,two,,estimate,,
"""
    merged = resolve(forecast.parse_history(text, "h.csv"))
    x = _rows(merged, "x")[("level", 2020, None)]
    assert x.value == pytest.approx(11) and x.sd == pytest.approx(1 / math.sqrt(2))
    assert "first" in x.source and "second" in x.source and "old" not in x.source
    y = _rows(merged, "y")[("level", 2020, None)]  # 1000 +- 50 and 1100 +- 55, in thousands
    w1, w2 = 1 / 0.05**2, 1 / 0.055**2
    assert y.value == pytest.approx((w1 * 1.0 + w2 * 1.1) / (w1 + w2))
    assert y.unit == "thousand billion VND"


def test_two_exact_rows_of_one_quantity_are_still_a_duplicate():
    text = HEADER + "x,level,2020,,10,billion VND,a,,,,\nx,level,2020,,12,billion VND,b,,,,\n"
    with pytest.raises(DataError, match=r"line 2\).*reporting error.*superseded"):
        forecast.parse_history(text, "h.csv")


def test_weights_from_another_year_make_an_estimate():
    text = SYNTHETIC.replace("out,level,2019,,100,billion VND,s,,,,a\n", "")
    region = Region.model_validate({**REGION, "derive": {**REGION["derive"], "g": {
        **REGION["derive"]["g"], "weights": {"indicator": "out", "nearest": 1, "why": "close"}}}})
    growth = _rows(resolve(forecast.parse_history(text, "h.csv"), region), "g")
    first = growth[("average_growth", 2019, 2020)]  # weights of 2020 (110, 306)
    assert first.value == pytest.approx(100 * (110 * 0.10 + 306 * 0.02) / 416)
    assert first.status == "estimate" and "nearest year" in first.note
    strict = resolve(forecast.parse_history(text, "h.csv"), Region.model_validate(REGION))
    assert ("average_growth", 2019, 2020) not in _rows(strict, "g")


@pytest.mark.parametrize("row, key, needle", [
    ("out,level,2020,,5,persons,s,,,,a\n", "unit", "cannot be converted to 'billion VND'"),
    ("out,level,2022,,5,billion VND,s,,,,a\n", "year", "after the merger"),
    ("out,level,2018,,5,billion VND,s,,,,c\n", "region", "the predecessors are a, b"),
])
def test_bad_predecessor_rows_are_located(row, key, needle):
    text = SYNTHETIC.replace("out,level,2020,,110,billion VND,s,,,,a\n", "") + row
    history = forecast.parse_history(text, "h.csv")
    with pytest.raises(DataError) as caught:
        resolve(history, Region.model_validate(REGION))
    problem = caught.value.problems[0]
    assert (problem.line, problem.key) == (text.count("\n"), key)
    assert needle in problem.message


def test_unit_factors():
    assert unit_factor("billion VND", "thousand billion VND") == pytest.approx(1e-3)
    assert unit_factor("trillion VND", "thousand billion VND") == pytest.approx(1.0)
    assert unit_factor("%", "/yr") == pytest.approx(0.01)
    assert unit_factor("persons", "billion VND") is None


SCENARIO = """\
name: merged
region:
  name: Merged province
  merged: "2021-07-01"
  predecessors: [a, b]
  derive:
    out: {rule: sum, unit: billion VND, why: levels add up}
history: history.csv
base_year: 2021
horizon: 2023
draws: 500
indicators:
  output:
    model: growth
    unit: billion VND
    evidence: [out]
targets:
  - {id: t, indicator: output, kind: level, year: 2023, at_least: 400, source: test}
"""


def test_a_predecessor_row_in_a_unit_the_merged_indicator_cannot_take_exits_2(tmp_path):
    bad = SYNTHETIC.replace("0.306,thousand billion VND", "306,thousand persons")
    (tmp_path / "history.csv").write_text(bad, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2, result.output
    assert "history.csv:6" in result.output and "unit" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "history.csv").write_text(SYNTHETIC, encoding="utf-8")
    good = CliRunner().invoke(main, ["validate", str(tmp_path / "s.yaml")])
    assert good.exit_code == 0, good.output


def test_the_region_mapping_is_validated_at_its_keys(write_scenario):
    path = write_scenario(SCENARIO.replace("predecessors: [a, b]", "predecesors: [a, b]"),
                          SYNTHETIC)
    with pytest.raises(forecast.ScenarioError) as caught:
        forecast.load_scenario(path)
    text = str(caught.value)
    assert "region.predecesors: unknown key" in text and "Did you mean 'predecessors'" in text
    scenario = forecast.load_scenario(write_scenario(SCENARIO, SYNTHETIC))
    assert scenario.region == "Merged province" and type(scenario.region) is str
    assert scenario.region_spec.predecessors == ["a", "b"]
    plain = forecast.load_scenario(write_scenario(textwrap.dedent(
        SCENARIO.replace(SCENARIO[SCENARIO.index("region:"):SCENARIO.index("history:")],
                         "region: Merged province\n")), HEADER + "out,level,2021,,1,billion VND,s,,,,\n"))
    assert plain.region_spec is None and plain.digest() != scenario.digest()


PHU_THO = ROOT / "scenarios" / "phu_tho_2030.yaml"


def test_the_merged_phu_tho_scenario_validates_and_runs():
    scenario = forecast.load_scenario(PHU_THO)
    assert scenario.base_year == 2025 and scenario.horizon == 2030
    assert scenario.region_spec.predecessors == ["phu_tho_old", "vinh_phuc", "hoa_binh"]
    model = forecast.calibrate(scenario)
    growth = model.components["grdp"].fit.rows
    derived = [r for r in growth if r.source.startswith("derived")]
    assert {r.year_end for r in derived} == {2017, 2020, 2021, 2022, 2023, 2024}
    assert all(max(r.year, r.year_end or 0) <= 2025 for r in growth)
    results = forecast.simulate(scenario, draws=2000, seed=1, model=model)
    frame = results.summary.frame()
    assert len(frame) == 9
    assert set(scenario.targets[i].id for i in range(9)) >= {
        "grdp_growth_2026_2030", "grdp_double_2030", "grdp_per_capita_2030", "revenue_2030",
        "revenue_growth_2026_2030", "investment_2026_2030", "income_2030", "grdp_growth_2026",
        "revenue_2026"}
