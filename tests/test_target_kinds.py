"""One TargetKind per kind: known answers for quantities and rates, and the unit every rate is
printed in (a growth target reads in %/yr whatever its indicator, a sum's rates are growth)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.cli.app import main
from forecast.formatting import format_quantity, format_rate
from forecast.spec.targets import KINDS

BASE_YEAR = 2020


def _target(kind: str, threshold: float) -> forecast.Target:
    where = {"year": 2025} if KINDS[kind].takes == "year" else {"period": [2021, 2025]}
    return forecast.Target(id="t", indicator="x", kind=kind, at_least=threshold, source="test",
                           **where)


def test_every_scenario_kind_has_one_rule():
    schema = forecast.json_schema()
    kinds = set(schema["$defs"]["Target"]["properties"]["kind"]["enum"])
    assert kinds == set(KINDS)
    for name, rule in KINDS.items():
        assert rule.name == name
        assert rule.takes in ("year", "period")


@pytest.mark.parametrize("indicator_kind", ["growth", "change"])
@settings(max_examples=40, deadline=None)
@given(rate=st.floats(-0.2, 0.5), base=st.floats(1.0, 1e4))
def test_a_path_at_the_required_rate_just_meets_every_kind(indicator_kind, rate, base):
    """Known answer: a path moving at the constant rate a target requires from the base year
    achieves exactly that rate and reaches exactly the threshold."""
    years = np.arange(6)
    if indicator_kind == "growth":
        path = base * (1 + rate) ** years
    else:
        path = base + rate * base * years
    path = path[:, None]
    for name, rule in KINDS.items():
        if name == "average_change" and indicator_kind == "growth":
            continue  # an average change is a change: checked on the linear path
        if name in ("growth", "cumulative") and indicator_kind == "change":
            continue  # their rates are compound growth: checked on the geometric path
        quantity = float(rule.quantity(_target(name, 0.0), path, BASE_YEAR)[0])
        target = _target(name, quantity)
        required = rule.required_rate(target, base, BASE_YEAR, indicator_kind)
        achieved = float(rule.achieved_rate(target, path, BASE_YEAR, indicator_kind)[0])
        assert required == pytest.approx(achieved, rel=1e-6, abs=1e-9), name
        assert bool(target.is_met(np.array([quantity]))[0])


@pytest.mark.parametrize("kind, indicator_kind, expected", [
    ("level", "growth", "growth"), ("level", "change", "change"),
    ("average_change", "growth", "change"), ("average_change", "change", "change"),
    ("growth", "growth", "growth"), ("growth", "change", "growth"),
    ("cumulative", "growth", "growth"), ("cumulative", "change", "growth")])
def test_rate_kind_is_the_kinds_not_the_indicators(kind, indicator_kind, expected):
    assert KINDS[kind].rate_kind(indicator_kind) == expected


def test_rates_print_in_the_unit_of_their_kind():
    # a growth target on a share: 2 %/yr, not "+2.00 pt/yr"; a sum on a count: its growth
    assert format_rate(0.02, KINDS["growth"].rate_kind("change"), "share") == "+2.0 %/yr"
    assert format_rate(0.097, KINDS["cumulative"].rate_kind("change"), "communes") == \
        "+9.7 %/yr"
    assert format_rate(0.5, KINDS["level"].rate_kind("change"), "communes") == \
        "+0.50 communes/yr"
    assert format_quantity(0.015, KINDS["average_change"].quantity_scale(), "share") == \
        "+1.50 pt/yr"
    assert format_quantity(21000, KINDS["cumulative"].quantity_scale(), "billion VND") == \
        "21,000"


SHARE_SCENARIO = """
name: share_growth
region: test
history: history.csv
base_year: 2020
horizon: 2025
draws: 2000
seed: 3
indicators:
  roads:
    model: coverage
    unit: share
    base: {dist: fixed, value: 0.5, why: test}
    pace: {dist: normal, loc: -2.0, scale: 0.3, why: test}
  communes:
    model: adoption
    unit: communes
    units: 30
    base: {dist: integers, low: 10, high: 10, why: test}
    hazard: {dist: beta, a: 2, b: 8, why: test}
targets:
  - {id: roads_growth, indicator: roads, kind: growth, period: [2021, 2025], at_least: 0.02,
     source: test}
  - {id: communes_sum, indicator: communes, kind: cumulative, period: [2021, 2025],
     at_least: 90, source: test}
"""


def test_terminal_table_prints_each_rate_in_its_kinds_unit(tmp_path):
    (tmp_path / "history.csv").write_text("indicator,kind,year,year_end,value,unit,source,note\n"
                                          "other,level,2020,,1,units,test,\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SHARE_SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(tmp_path / "s.yaml"), "--out",
                                       str(tmp_path / "run"), "--quiet"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines()
            if line.count("│") > 3 and line.split("│")[1].strip() in ("roads_growth",
                                                                      "communes_sum")}
    assert "+2.0 %/yr" in rows["roads_growth"] and "pt/yr" not in rows["roads_growth"]
    assert "%/yr" in rows["communes_sum"] and "communes/yr" not in rows["communes_sum"]
    required = forecast.load_scenario(tmp_path / "s.yaml")
    assert math.isfinite(KINDS["cumulative"].required_rate(required.targets[1], 10.0, 2020,
                                                           "change"))
