"""Every target kind against a case with an analytic answer (tolerance: 4 Monte Carlo s.e.)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import forecast
from conftest import ANALYTIC

MU, SIGMA, T, Y0 = 0.05, 0.1, 5, 100.0


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analytic")
    (folder / "history.csv").write_text("indicator,kind,year,year_end,value,unit,source,note\n"
                                        "other,level,2020,,1,units,test,\n", encoding="utf-8")
    (folder / "s.yaml").write_text(ANALYTIC, encoding="utf-8")
    return forecast.simulate(forecast.load_scenario(folder / "s.yaml"))


def _close(results, target_id, expected):
    p = results.probability(target_id)
    se = math.sqrt(expected * (1 - expected) / results.draws)
    assert abs(p - expected) < 4 * se + 1e-12, (target_id, p, expected, se)


def test_level_is_lognormal(results):
    # log Y_T ~ N(log Y0 + T mu, T sigma^2)
    z = (math.log(130 / Y0) - T * MU) / (SIGMA * math.sqrt(T))
    _close(results, "level", 1 - stats.norm.cdf(z))


def test_growth_is_normal_in_logs(results):
    z = (T * math.log1p(0.06) - T * MU) / (SIGMA * math.sqrt(T))
    _close(results, "growth", 1 - stats.norm.cdf(z))


def test_average_change_is_a_level_threshold(results):
    # (Y_T - Y0) / T <= 5  <=>  Y_T <= Y0 + 25
    z = (math.log((Y0 + 25) / Y0) - T * MU) / (SIGMA * math.sqrt(T))
    _close(results, "change", stats.norm.cdf(z))


def test_cumulative_mean_matches_lognormal_sum(results):
    values = results.target_values("total")
    expected = sum(Y0 * math.exp(t * MU + t * SIGMA**2 / 2) for t in range(1, T + 1))
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert abs(values.mean() - expected) < 4 * se


def test_joint_probability_is_at_most_each(results):
    joint = results.summary.joint_probability
    assert joint <= min(results.probability(t.id) for t in results.targets)
    both = np.logical_and.reduce([results.met(t.id) for t in results.targets]).mean()
    assert joint == both


def test_summary_has_every_key_and_required_rates(results):
    frame = results.summary.frame()
    assert list(frame.columns) == ["id", "indicator", "kind", "year", "threshold", "probability",
                                   "probability_se", "median", "p05", "p95", "required_rate",
                                   "achieved_rate", "historical_rate", "rate_kind", "unit",
                                   "assumed"]
    row = frame.set_index("id").loc["level"]
    assert row["required_rate"] == pytest.approx((130 / 100) ** (1 / 5) - 1)
    assert frame.set_index("id").loc["growth", "required_rate"] == pytest.approx(0.06)
    total = frame.set_index("id").loc["total", "required_rate"]
    assert sum(100 * (1 + total) ** k for k in range(1, 6)) == pytest.approx(600)
    assert row["p05"] < row["median"] < row["p95"]
    assert row["probability_se"] == pytest.approx(
        math.sqrt(row["probability"] * (1 - row["probability"]) / results.draws))
