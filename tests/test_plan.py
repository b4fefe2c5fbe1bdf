"""forecast plan: the cheapest mix of levers, against analytic answers; infeasibility; bad input;
the paces of a panel."""

from __future__ import annotations

import dataclasses
import json
import math
import textwrap

import pytest
from click.testing import CliRunner

import forecast
from forecast.analysis.plan import plan
from forecast.analysis.precedent import fastest_pace
from forecast.cli.app import main
from conftest import BASE

DRAWS = 20_000

# Two roads networks bought with money: 100 a year, no other change, one year. A share s of the
# money adds 100 s / N to the share, N ~ uniform(low, high) of the network's own stream, so the
# target (a gain of 0.1) is met when N <= 1000 s: P(s) = (1000 s - low) / (high - low), a known
# linear function of the lever, and the two targets are independent.
ANALYTIC = """
name: analytic_plan
region: test
history: history.csv
base_year: 2020
horizon: 2021
draws: {draws}
seed: 7
indicators:
  money:
    model: growth
    unit: billion VND
    base: {{dist: fixed, value: 100, why: test}}
    drift: {{dist: normal, loc: 0.0, scale: 1.0e-12, why: test}}
    volatility: {{dist: halfnormal, scale: 1.0e-12, why: test}}
  roads_a:
    model: coverage
    inputs: [money]
    base: {{dist: fixed, value: 0.5, why: test}}
    pace: {{dist: normal, loc: 0.0, scale: 1.0e-12, why: test}}
    volatility: {{dist: halfnormal, scale: 1.0e-12, why: test}}
    funding:
      input: money
      share: {{lever: share_a}}
      unit_cost: 1.0
      network: {{dist: uniform, low: {a_low}, high: {a_high}, why: test}}
  roads_b:
    model: coverage
    inputs: [money]
    base: {{dist: fixed, value: 0.5, why: test}}
    pace: {{dist: normal, loc: 0.0, scale: 1.0e-12, why: test}}
    volatility: {{dist: halfnormal, scale: 1.0e-12, why: test}}
    funding:
      input: money
      share: {{lever: share_b}}
      unit_cost: 1.0
      network: {{dist: uniform, low: {b_low}, high: {b_high}, why: test}}
levers:
  share_a:
    {{value: 0.0, low: 0.0, high: 1.0, why: test,
     cost: {{per_unit: {cost_a}, group: {group}, why: test}}}}
  share_b:
    {{value: 0.0, low: 0.0, high: 1.0, why: test,
     cost: {{per_unit: {cost_b}, indicator: money, group: {group}, why: test}}}}
budgets:
  money_budget: {{limit: {limit}, why: test}}
targets:
  - {{id: a, indicator: roads_a, kind: level, year: 2021, at_least: 0.6, source: test}}
  - {{id: b, indicator: roads_b, kind: level, year: 2021, at_least: 0.6, source: test}}
"""
HISTORY = ("indicator,kind,year,year_end,value,unit,source,note\n"
           "gdp,average_growth,2015,2020,8.0,%/yr,test source,\n")


def _write(tmp_path, **changes) -> forecast.Scenario:
    settings = dict(draws=DRAWS, a_low=100, a_high=300, b_low=200, b_high=400, cost_a=2.0,
                    cost_b=3.0, limit=1000, group="money_budget")
    settings.update(changes)
    (tmp_path / "history.csv").write_text(HISTORY, encoding="utf-8")
    path = tmp_path / "analytic_plan.yaml"
    path.write_text(textwrap.dedent(ANALYTIC.format(**settings)), encoding="utf-8")
    return path


def _tolerance(probability: float, slope: float, draws: int = DRAWS) -> float:
    """Four Monte Carlo standard errors of the probability, on the lever's scale."""
    return 4 * math.sqrt(probability * (1 - probability) / draws) / slope


def test_cheapest_setting_matches_the_closed_form(tmp_path):
    answer = plan(forecast.load_scenario(_write(tmp_path)), probability=0.8)
    # P_a(s) = (1000 s - 100) / 200 = 0.8 at s = 0.26; P_b(s) = (1000 s - 200) / 200 at 0.36
    assert answer.feasible
    tolerance = _tolerance(0.8, 5.0)
    assert answer.setting["share_a"] == pytest.approx(0.26, abs=tolerance)
    assert answer.setting["share_b"] == pytest.approx(0.36, abs=tolerance)
    # costs: 2 a year per unit of share_a; 3 x money (100) per unit of share_b
    assert answer.cost == pytest.approx(2 * answer.setting["share_a"]
                                        + 300 * answer.setting["share_b"])
    assert answer.cost == pytest.approx(2 * 0.26 + 300 * 0.36, abs=302 * tolerance)
    for outcome in answer.outcomes:
        assert outcome.probability >= 0.8  # the exact estimates, never a setting that misses
        assert outcome.probability - 0.8 < 3 * outcome.probability_se + 0.002
    assert {b.split(":")[0] for b in answer.binding} == {"target a", "target b"}


def test_reported_probabilities_are_the_exact_estimates_at_the_setting(tmp_path):
    scenario = forecast.load_scenario(_write(tmp_path))
    answer = plan(scenario, probability=0.8, targets="a,b")
    run = forecast.simulate(scenario.with_levers(answer.setting), draws=DRAWS, seed=7)
    for outcome in answer.outcomes:
        assert outcome.probability == run.probability(outcome.target)


def test_joint_answer_splits_the_probability_as_the_lagrangian_says(tmp_path):
    """Equal costs and equal networks: the cheapest way to P_a P_b >= 0.8 is P_a = P_b = sqrt(0.8),
    s = (100 + 200 sqrt(0.8)) / 1000 for both."""
    scenario = forecast.load_scenario(_write(tmp_path, b_low=100, b_high=300, cost_a=1.0,
                                             cost_b=0.01))
    answer = plan(scenario, probability=0.8, joint=True)
    expected = (100 + 200 * math.sqrt(0.8)) / 1000
    assert answer.feasible and answer.joint_probability >= 0.8
    tolerance = _tolerance(math.sqrt(0.8), 5.0) * 2  # the split is flat near the optimum
    assert answer.setting["share_a"] == pytest.approx(expected, abs=tolerance)
    assert answer.setting["share_b"] == pytest.approx(expected, abs=tolerance)
    assert answer.cost <= 2 * expected + 1e-3 + 2 * tolerance


def test_repeated_calls_are_identical(tmp_path):
    scenario = forecast.load_scenario(_write(tmp_path, draws=4000))
    first = plan(scenario, probability=0.7)
    second = plan(scenario, probability=0.7)
    assert json.dumps(first.to_json()) == json.dumps(second.to_json())


def test_a_budget_too_small_is_infeasible_never_a_setting_that_misses(tmp_path):
    scenario = forecast.load_scenario(_write(tmp_path, draws=4000))
    answer = plan(scenario, probability=0.8, budgets={"money_budget": 50})
    assert not answer.feasible and answer.message.startswith("infeasible")
    assert answer.cost <= 50 + 1e-6
    assert min(o.probability for o in answer.outcomes) < 0.8
    assert answer.binding == []
    # the range, not the budget: P_b(1) = 1 but a target of 0.99 with a budget of 150 is not
    text = CliRunner().invoke(main, ["plan", str(_write(tmp_path, draws=2000)), "--budget",
                                     "money_budget=50"])
    assert text.exit_code == 0 and "INFEASIBLE" in text.output


def test_a_target_no_lever_moves_is_named(tmp_path):
    answer = plan(forecast.load_scenario(BASE), probability=0.8, draws=2000, seed=1,
                  targets=["revenue_2025", "roads_2025"])
    assert not answer.feasible
    assert "no lever moves revenue_2025" in answer.message
    revenue = next(o for o in answer.outcomes if o.target == "revenue_2025")
    assert not revenue.moved and revenue.pace is not None and revenue.pace.fastest is not None
    roads = next(o for o in answer.outcomes if o.target == "roads_2025")
    assert roads.pace is None  # no panel


@pytest.mark.parametrize("args, flag, words", [
    (["--targets", "a,nope"], "--targets", "unknown target 'nope'"),
    (["--budget", "money_budgte=10"], "--budget", "Did you mean 'money_budget'"),
    (["--budget", "money_budget=ten"], "--budget", "expected a non-negative number"),
    (["--budget", "money_budget"], "--budget", "expected NAME=VALUE"),
])
def test_bad_input_exits_2_naming_the_parameter(tmp_path, args, flag, words):
    result = CliRunner().invoke(main, ["plan", str(_write(tmp_path, draws=500)), *args])
    assert result.exit_code == 2, result.output
    assert flag in result.output and words in result.output


def test_unknown_budget_group_or_cost_indicator_is_a_located_scenario_error(tmp_path):
    result = CliRunner().invoke(main, ["plan", str(_write(tmp_path, group="money_budgte"))])
    assert result.exit_code == 2
    assert "levers.share_a.cost.group" in result.output and "money_budget" in result.output


def test_plan_json_and_out(tmp_path):
    path = _write(tmp_path, draws=2000)
    result = CliRunner().invoke(main, ["plan", str(path), "--json", "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["feasible"] and set(data["setting"]) == {"share_a", "share_b"}
    assert json.loads((tmp_path / "out" / "plan.json").read_text()) == data


def test_solve_agrees_with_plan_on_one_lever(tmp_path):
    scenario = forecast.load_scenario(_write(tmp_path, draws=4000))
    one = forecast.solve(scenario, target="a", lever="share_a", probability=0.8)
    assert one.value == pytest.approx(0.26, abs=_tolerance(0.8, 5.0, 4000))


def test_fastest_pace_reads_windows_of_the_same_length_and_leaves_out_what_is_excluded():
    values = {"A": {2000: 100.0, 2001: 110.0, 2002: 121.0, 2003: 200.0},
              "B": {2000: 100.0, 2002: 400.0}, "C": {2000: 1.0, 2002: 1000.0}}
    pace, holder, first, last, windows, span = fastest_pace(
        values, 2, "growth", drop_series={"C": "why"}, drop_changes={("B", 2001): "break"})
    assert holder == "A" and (first, last) == (2001, 2003)
    assert pace == pytest.approx((200 / 110) ** 0.5 - 1)
    assert windows == 2 and span == (2000, 2003)
    slowest = fastest_pace(values, 1, "change", rising=False, drop_years={2003: "why"})
    assert slowest[0] == pytest.approx(10.0)


def test_a_pace_beyond_the_panel_is_said_in_either_language():
    from forecast.analysis.precedent import Pace, pace_text

    pace = Pace("provinces", "budget_revenue", "provinces", 5, "growth", 0.25, 0.18, "Bắc Ninh",
                2011, 2016, 40, (2010, 2022), True, "")
    en, vi = pace_text(pace, "en"), pace_text(pace, "vi")
    assert en == ("needs 25.0 % a year over 5 years; the fastest of the provinces in 2010-2022: "
                  "18.0 % (Bắc Ninh 2011-2016): faster than any of the provinces managed in "
                  "2010-2022")
    assert "25,0 %" in vi and "nhanh hơn mọi tỉnh" in vi and "faster" not in vi
    slow = dataclasses.replace(pace, fastest=None, faster=False)
    assert "provinces.budget_revenue" in pace_text(slow, "vi") and "no " not in pace_text(slow,
                                                                                          "vi")
