"""The common (national) component, partial pooling of drift, and the backtest at every horizon
checked on a panel generated from the model itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecast.analysis.horizons import HorizonSettings, run_horizons
from forecast.engine import Model, simulate_paths
from forecast.io.history import Evidence, History
from forecast.io.panel import read_panel
from forecast.io.prior_library import load_prior_library
from forecast.models import Growth
from forecast.models.common import Common
from forecast.models.pooling import DriftPooling
from forecast.spec.distributions import Fixed, HalfNormal, Normal, Uniform

WHY = "common component test"
EMPTY = History((), "none.csv")


def _history(levels: dict[int, float], indicator: str = "x") -> History:
    rows = tuple(Evidence(indicator, "level", year, None, value, "u", "test", "", "t.csv", i + 2)
                 for i, (year, value) in enumerate(sorted(levels.items())))
    return History(rows, "t.csv")


def _common(**settings) -> Common:
    defaults = dict(shock=HalfNormal(dist="halfnormal", scale=0.05, why=WHY),
                    drift_change=HalfNormal(dist="halfnormal", scale=0.03, why=WHY),
                    start=Normal(dist="normal", loc=0.0, scale=0.02, why=WHY))
    return Common(model="common", unit="u", **{**defaults, **settings})


def _region(**settings) -> Growth:
    base = dict(model="growth", unit="u", inputs=["national"], common="national",
                drift=Normal(dist="normal", loc=0.05, scale=0.01, why=WHY),
                volatility=Fixed(dist="fixed", value=1e-9, why=WHY),
                base=Fixed(dist="fixed", value=100.0, why=WHY))
    return Growth(**{**base, **settings})


def test_the_common_component_is_shared_by_regions_in_a_draw_and_independent_across_draws():
    national = _common().calibrate(EMPTY, base_year=2020)
    regions = {name: _region().calibrate(EMPTY, base_year=2020, inputs={"national": national})
               for name in ("a", "b")}
    paths = simulate_paths(Model({"national": national, **regions}, 2020, 2025), draws=4000,
                           seed=1).paths
    common = np.diff(np.log(paths["national"]), axis=0)
    for name in regions:  # the region's growth is its drift plus the common growth, draw by draw
        own = np.diff(np.log(paths[name]), axis=0) - common
        drift = own.mean(axis=0)
        np.testing.assert_allclose(own, np.broadcast_to(drift, own.shape), atol=1e-6)
    a, b = (np.log(paths[n][-1] / paths[n][0]) for n in ("a", "b"))
    assert np.corrcoef(a, b)[0, 1] > 0.5  # one national path moves both
    five = np.log(paths["national"][-1])
    assert five.std() > 0.05
    half = five.size // 2  # draws are independent: no correlation between two sets of draws
    assert abs(np.corrcoef(five[:half], five[half:2 * half])[0, 1]) < 0.08
    again = simulate_paths(Model({"national": national, **regions}, 2020, 2025), draws=4000,
                           seed=2).paths["national"]
    assert not np.allclose(again, paths["national"])


def test_the_common_drift_can_change_so_spread_grows_faster_than_a_random_walk():
    national = _common().calibrate(EMPTY, base_year=2020)
    paths = simulate_paths(Model({"national": national}, 2020, 2030), draws=20000,
                           seed=3).paths["national"]
    logs = np.log(paths)
    sd1, sd9 = logs[1].std(), logs[9].std()
    assert sd9 > 3.0 * sd1 * 1.05  # beyond sqrt(9) = 3 for independent yearly shocks


def test_the_common_component_follows_its_national_series():
    """With a national series that slowed, the drift starts from the filtered recent pace."""
    levels, value = {}, 1.0
    for year, growth in zip(range(2007, 2015), [0.28, 0.26, 0.22, 0.18, 0.14, 0.10, 0.06, 0.02]):
        value *= math.exp(growth)
        levels[year] = value
    national = _common(evidence=["x"]).calibrate(_history(levels), base_year=2014)
    assert national.expected_change() < 0.08
    sources = {s.name: s.origin for s in national.fit.parameters.sources}
    assert sources["shock"] == "evidence"


def test_net_of_leaves_the_price_swings_to_the_price_level():
    price = Growth(model="growth", unit="u", drift=Normal(dist="normal", loc=0.03, scale=0.01,
                                                          why=WHY),
                   volatility=Fixed(dist="fixed", value=0.04, why=WHY),
                   base=Fixed(dist="fixed", value=1.0, why=WHY)).calibrate(EMPTY, base_year=2020)
    plain = _common().calibrate(EMPTY, base_year=2020)
    net = _common(inputs=["price"], net_of=["price"]).calibrate(EMPTY, base_year=2020,
                                                                 inputs={"price": price})
    rng = np.random.default_rng(0)
    a = plain.sample(rng, 20000, 5)["shock"]
    b = net.sample(np.random.default_rng(0), 20000, 5)["shock"]
    assert np.mean(b**2) == pytest.approx(np.mean(np.maximum(a**2 - 0.04**2, 0)), rel=0.02)
    with pytest.raises(ValueError, match="not inputs"):
        _common(net_of=["price"])


def test_pooling_shrinks_the_drift_towards_the_group_as_the_data_thin_out():
    """A region growing 20 %/yr against a group at 5 %: the fewer its years, the closer its
    drift to the group's."""
    rng = np.random.default_rng(5)
    pooled = Growth(model="growth", unit="u", evidence=["x"],
                    drift=Normal(dist="normal", loc=0.05, scale=0.005, why=WHY),
                    volatility=Fixed(dist="fixed", value=0.1, why=WHY),
                    pooling=DriftPooling(spread=HalfNormal(dist="halfnormal", scale=0.05,
                                                           why=WHY)))
    means = []
    for years in (0, 2, 5, 12, 40):
        growth = 0.20 + 0.1 * rng.standard_normal(years)
        growth += 0.20 - growth.mean() if years else 0.0  # the record's mean is exactly 20 %
        levels = dict(zip(range(2020 - years, 2021),
                          np.exp(np.concatenate([[0.0], np.cumsum(growth)]))))
        if years:
            fitted = pooled.calibrate(_history(levels), base_year=2020)
        else:
            fitted = pooled.model_copy(update={"evidence": [], "base": Fixed(
                dist="fixed", value=1.0, why=WHY)}).calibrate(EMPTY, base_year=2020)
        means.append(fitted.expected_change())
    assert means[0] == pytest.approx(0.05, abs=1e-3)
    assert all(a < b for a, b in zip(means, means[1:]))
    assert 0.05 < means[1] < 0.11 and means[-1] > 0.15


def test_a_pooled_spread_is_the_prior_librarys_and_an_unknown_name_is_located():
    """``pooling.spread: {dist: pooled, name}`` stands for the library's distribution (the
    same posterior as that distribution written out); an unknown name is an error at
    ``pooling.spread.name``."""
    from forecast.errors import ForecastError
    from forecast.spec.distributions import Pooled

    library = load_prior_library()
    name = "vietnam_provincial_revenue_drift_spread"
    levels = dict(zip(range(2015, 2021), np.exp(0.12 * np.arange(6))))

    def fitted(spread):
        return Growth(model="growth", unit="u", evidence=["x"],
                      drift=Normal(dist="normal", loc=0.05, scale=0.005, why=WHY),
                      volatility=Fixed(dist="fixed", value=0.1, why=WHY),
                      pooling=DriftPooling(spread=spread)).calibrate(
                          _history(levels), base_year=2020, priors=library)

    pooled = fitted(Pooled(dist="pooled", name=name, why=WHY))
    written = fitted(library.distribution(name))
    assert pooled.expected_change() == pytest.approx(written.expected_change(), rel=1e-12)
    assert 0.05 < pooled.expected_change() < 0.12  # shrunk towards the group's 5 %
    with pytest.raises(ForecastError) as error:
        fitted(Pooled(dist="pooled", name="no_such_prior", why=WHY))
    assert error.value.key == "pooling.spread.name"


def _group_history(own_growth: float = 12.0, group_until: int = 2020) -> History:
    """A group's ten yearly growth figures (2011-2020 by default) and a region's 2015-2020
    average."""
    growth = [6.0, 7.0, 5.0, 8.0, 6.0, 7.0, 6.5, 6.0, 7.5, 7.0]
    rows = [Evidence("group", "average_growth", y - 1, y, g, "%/yr", "test", "", "t.csv", i + 2)
            for i, (y, g) in enumerate(zip(range(group_until - 9, group_until + 1), growth))]
    rows.append(Evidence("own", "average_growth", 2015, 2020, own_growth, "%/yr", "test", "",
                         "t.csv", len(rows) + 2))
    return History(tuple(rows), "t.csv")


def _grouped(**pooling) -> Growth:
    return Growth(model="growth", unit="u", evidence=["own"],
                  drift=Normal(dist="normal", loc=0.07, scale=0.05, why=WHY),
                  volatility=HalfNormal(dist="halfnormal", scale=0.03, why=WHY),
                  base=Fixed(dist="fixed", value=1.0, why=WHY),
                  pooling=DriftPooling(**{"group": ["group"], "spread": HalfNormal(
                      dist="halfnormal", scale=0.014, why=WHY), **pooling}))


def test_a_group_series_gives_the_group_drift_a_region_is_pooled_towards():
    """``pooling.group``: the group's drift is the posterior of a growth model of the group's
    rows (the same numbers as calibrating that model directly), and the region's drift lies
    between it and the region's own record, nearer the group's for a small spread."""
    history = _group_history()
    component = _grouped()
    group, source = component.group_drift(history, base_year=2020)
    plain = Growth(model="growth", unit="u", evidence=["group"], drift=component.drift,
                   volatility=component.volatility,
                   base=Fixed(dist="fixed", value=1.0, why=WHY)).calibrate(history,
                                                                           base_year=2020)
    mean, var, _, _ = plain.fit.parameters.posteriors["linear"].moments()
    assert group.loc == pytest.approx(mean[0], abs=1e-6)
    assert group.scale == pytest.approx(math.sqrt(var[0]), abs=1e-6)
    assert "lines 2, 3" in group.why and "t.csv" in group.why
    assert source.key == "src_group" and "2, 3" in str(source.fields)
    own = math.log(1.12)
    pooled = component.calibrate(history, base_year=2020).expected_change()
    loose = _grouped(spread=HalfNormal(dist="halfnormal", scale=0.2, why=WHY)).calibrate(
        history, base_year=2020).expected_change()
    tight = _grouped(spread=HalfNormal(dist="halfnormal", scale=0.002, why=WHY)).calibrate(
        history, base_year=2020).expected_change()
    assert group.loc < tight < pooled < loose < own
    assert tight - group.loc < 0.1 * (own - group.loc)  # a tight spread keeps it at the group
    assert own - loose < 0.1 * (own - group.loc)  # a loose one lets the record speak


def test_a_group_series_that_is_missing_or_dated_late_is_refused_at_pooling_group():
    from forecast.errors import ForecastError
    from forecast.models.base import ComponentError
    from forecast.models.elasticity import Elasticity

    with pytest.raises(ComponentError) as error:
        _grouped(group=["nowhere"]).calibrate(_group_history(), base_year=2020)
    assert error.value.key == "pooling.group" and "nowhere" in str(error.value)
    with pytest.raises(ForecastError) as late:  # the group's figures run to 2022
        _grouped().calibrate(_group_history(group_until=2022), base_year=2020)
    assert "after the base year" in str(late.value)
    clash = _group_history()  # a group average its own yearly figures contradict
    clash = History(clash.rows + (Evidence("group", "average_growth", 2015, 2020, 15.0, "%/yr",
                                           "test", "", "t.csv", 30),), "t.csv")
    with pytest.raises(ComponentError) as unused:
        _grouped().calibrate(clash, base_year=2020)
    assert unused.value.key == "pooling.group" and "line 30" in str(unused.value)
    with pytest.raises(ValueError, match="growth models only"):
        Elasticity(model="elasticity", unit="u", inputs=["x"],
                   elasticity=Normal(dist="normal", loc=1.0, scale=0.1, why=WHY),
                   pooling=DriftPooling(group=["group"], spread=HalfNormal(
                       dist="halfnormal", scale=0.01, why=WHY)))


def _yearly_rows(indicator: str, growth: dict[int, float], first_line: int = 2,
                 status: str = "final") -> list[Evidence]:
    return [Evidence(indicator, "average_growth", y - 1, y, 100 * (math.exp(g) - 1), "%/yr",
                     "test", "", "t.csv", first_line + i, status)
            for i, (y, g) in enumerate(sorted(growth.items()))]


def test_a_region_reading_a_national_common_input_is_fitted_on_its_own_part():
    """With national evidence, the region's record (its whole growth, as published) is net of
    the national growth of the same years: a region always 2 points faster than the nation
    has an own drift of 0.02, however the nation grew; the national reporting error adds to
    the block's. Without national evidence the record is the region's own pace."""
    from forecast.models.common import relative_reading

    nation = {y: 0.05 + 0.03 * math.sin(y) for y in range(2011, 2021)}
    rows = _yearly_rows("nation", nation, status="estimate")
    region = sum(nation[y] + 0.02 for y in range(2016, 2021)) / 5
    rows.append(Evidence("own", "average_growth", 2015, 2020, 100 * (math.exp(region) - 1),
                         "%/yr", "test", "", "t.csv", 20))
    history = History(tuple(rows), "t.csv")
    national = _common(evidence=["nation"]).calibrate(history, base_year=2020)
    fitted = _region(evidence=["own"], drift=Normal(dist="normal", loc=0.0, scale=0.05,
                                                    why=WHY)).calibrate(
        history, base_year=2020, inputs={"national": national})
    reading = fitted.fit.reading  # the record as read, before the national part comes off
    net = relative_reading(reading, national)
    assert net.blocks[0].total == pytest.approx(0.10, abs=1e-9)
    national_var = np.diag(national.fit.reading.covariance)[-5:].sum()  # 2016-2020
    own_var = 0.0 if reading.covariance is None else reading.covariance[0, 0]
    assert net.covariance[0, 0] == pytest.approx(own_var + national_var, rel=1e-12)
    assert national_var > 0  # the nation's rows are estimates
    assert fitted.expected_change() - national.expected_change() == pytest.approx(0.02,
                                                                                 abs=0.002)
    no_evidence = _common().calibrate(EMPTY, base_year=2020)
    assert relative_reading(reading, no_evidence) is reading


def test_a_span_the_national_series_cannot_split_is_refused_unless_unused_is_allowed():
    """A region's figure over years the nation's rows do not cover one by one (no figure for
    2018; or a national average over years outside it) is not split by guess: its rows are
    unused with the reason, which a calibration refuses at the row (a mid-plan update may
    go on without it)."""
    from forecast.calibration import evidence_problems

    def fitted(nation_rows):
        rows = list(nation_rows) + [Evidence("own", "average_growth", 2015, 2020, 8.0, "%/yr",
                                             "test", "", "t.csv", 20)]
        history = History(tuple(rows), "t.csv")
        national = _common(evidence=["nation"]).calibrate(history, base_year=2020)
        return _region(evidence=["own"]).calibrate(history, base_year=2020,
                                                   inputs={"national": national})

    gap = fitted(_yearly_rows("nation", {y: 0.05 for y in (2016, 2017, 2019, 2020)}))
    assert [line for line, _ in gap.fit.reading.unused] == [20]
    assert "no figure for 2018" in gap.fit.reading.unused[0][1]
    problems = evidence_problems(gap, "own")
    assert [(p.file, p.line) for p in problems] == [("t.csv", 20)]
    assert evidence_problems(gap, "own", allow_unused=True) == []
    wide = fitted([Evidence("nation", "average_growth", 2014, 2020, 6.0, "%/yr", "test", "",
                            "t.csv", 2)])
    assert "spans years outside it" in wide.fit.reading.unused[0][1]


def test_a_region_on_a_national_input_reports_its_whole_growth_and_persists_its_own_part():
    """Read as an input, the region's expected growth is its own part plus the nation's; its
    AR(1) term starts from the base year's own growth, not its whole growth."""
    nation = {y: 0.06 + 0.01 * math.sin(y) for y in range(2011, 2021)}
    own = {y: nation[y] + 0.01 + 0.003 * (-1) ** y for y in range(2011, 2021)}
    history = History(tuple(_yearly_rows("nation", nation) + _yearly_rows("own", own, 30)),
                      "t.csv")
    national = _common(evidence=["nation"]).calibrate(history, base_year=2020)
    region = _region(evidence=["own"], drift=Normal(dist="normal", loc=0.0, scale=0.05,
                                                    why=WHY),
                     persistence=Uniform(dist="uniform", low=0.3, high=0.9, why=WHY)).calibrate(
        history, base_year=2020, inputs={"national": national})
    assert region.base_year_growth() == pytest.approx(0.013, abs=1e-9)  # 2020: own part
    assert region.expected_change() == pytest.approx(national.expected_change() + 0.01,
                                                     abs=2e-3)
    paths = simulate_paths(Model({"national": national, "region": region}, 2020, 2025),
                           draws=2000, seed=1).paths
    gap = np.log(paths["region"][1:] / paths["region"][:-1]) - np.log(
        paths["national"][1:] / paths["national"][:-1])
    assert np.allclose(gap.mean(axis=1), 0.01, atol=2e-3)  # no drift away from its own pace


def test_pooling_towards_a_group_does_not_go_with_a_common_input_or_the_own_rows():
    with pytest.raises(ValueError, match="do not go together"):
        _region(evidence=["own"], pooling=DriftPooling(group=["group"], spread=HalfNormal(
            dist="halfnormal", scale=0.01, why=WHY)))
    with pytest.raises(ValueError, match="evidence reads too"):
        _grouped(group=["own"])


def test_a_pooled_prior_that_can_be_negative_is_refused_as_a_scale():
    from forecast.models.base import ComponentError
    from forecast.spec.distributions import Pooled

    library = load_prior_library()
    normal = Pooled(dist="pooled", name="vietnam_provincial_revenue_persistence", why=WHY)
    for component, key in (
            (_grouped(group=None, spread=normal), "pooling.spread.name"),
            (_grouped(group=None).model_copy(update={"volatility": normal}), "volatility.name")):
        with pytest.raises(ComponentError) as error:
            component.calibrate(_group_history(), base_year=2020, priors=library)
        assert error.value.key == key and "can be negative" in str(error.value)


def _model_panel(path, units: int, rng: np.random.Generator) -> None:
    """A panel generated from the backtest's own model: a national local level path (drift
    changes and shocks drawn from the priors the backtest declares), relative drifts drawn
    with a spread, own noise."""
    years = np.arange(2006, 2015)
    shock, change = abs(0.05 * rng.standard_normal()), abs(0.03 * rng.standard_normal())
    drift = 0.15 + np.cumsum(change * rng.standard_normal(years.size))
    common = drift + shock * rng.standard_normal(years.size)
    own = np.exp(-2.3 + 0.2 * rng.standard_normal(units))
    relative = 0.01 * rng.standard_normal(units)
    logs = np.log(1e6) + np.cumsum(common[None] + relative[:, None] + own[:, None]
                                   * rng.standard_normal((units, years.size)), axis=1)
    lines = ["province,year,planned_revenue,planned_expenditure,final_revenue,final_expenditure"]
    lines += [f"P{u},{y},1,1,{math.exp(logs[u, i]):.6f},1" for u in range(units)
              for i, y in enumerate(years)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


REPLICATES, UNITS = 24, 15
"""Panels of the simulation-based check: each has one national path, so coverage is averaged
over many panels (six panels of 40 provinces gave 82 % and 42 %, which is within the spread of
six national paths: the standard error across panels was 5-8 points)."""


def _replicate_coverage(tmp_path, replicates: int, **settings) -> dict[str, np.ndarray]:
    """Coverage of the pooled model's 50 % and 90 % intervals over all origins and horizons
    1-2 of each of ``replicates`` panels generated from the model."""
    library = load_prior_library()
    coverage = {"in50": [], "in90": []}
    for replicate in range(replicates):
        path = tmp_path / f"panel{replicate}.csv"
        _model_panel(path, UNITS, np.random.default_rng(100 + replicate))
        result = run_horizons(library, HorizonSettings(draws=200, seed=replicate,
                                                        last_horizon=2, **settings),
                              panel=read_panel(path))
        rows = [r for r in result["summary"] if r["method"] == "model"]
        n = sum(r["forecasts"] for r in rows)
        coverage["in50"].append(sum(r["coverage50"] * r["forecasts"] for r in rows) / n)
        coverage["in90"].append(sum(r["coverage90"] * r["forecasts"] for r in rows) / n)
    return {k: np.array(v) for k, v in coverage.items()}


def coverage_problems(coverage: dict[str, np.ndarray]) -> list[str]:
    """What is wrong with the coverage of panels drawn from the model: a mean more than three
    standard errors (across panels) from nominal, or too few panels to tell (se > 4 points)."""
    problems = []
    for key, nominal in (("in50", 0.5), ("in90", 0.9)):
        values = coverage[key]
        mean, se = values.mean(), values.std(ddof=1) / math.sqrt(values.size)
        if se > 0.04:
            problems.append(f"{key}: se {se:.3f} too large to tell")
        if abs(mean - nominal) > 3 * se:
            problems.append(f"{key}: {mean:.3f} ± {se:.3f}, nominal {nominal}")
    return problems


def test_the_horizon_backtest_is_calibrated_on_panels_generated_from_the_model(tmp_path):
    """Simulation-based check of the backtest: on panels drawn from the model (the common
    component's sds from its priors, a national path per panel), the coverage averaged over
    panels is nominal within its Monte Carlo error."""
    coverage = _replicate_coverage(tmp_path, REPLICATES)
    assert coverage_problems(coverage) == [], {k: v.mean() for k, v in coverage.items()}


def test_the_calibration_check_fails_on_a_model_that_ignores_the_common_shocks(tmp_path):
    """The same check on a broken model: the common component's priors at a tenth of a point
    (it cannot see national swings) gives intervals far too narrow, and the check says so."""
    tiny = HalfNormal(dist="halfnormal", scale=0.002, why="broken on purpose")
    coverage = _replicate_coverage(tmp_path, 8, shock=tiny, drift_change=tiny)
    problems = coverage_problems(coverage)
    assert any(p.startswith("in90:") and "nominal" in p for p in problems), problems


@pytest.mark.parametrize("eps, eta, tau", [(0.0, 0.12, 0.02), (0.08, 0.05, 0.0),
                                           (0.05, 0.10, 0.03)])
def test_the_spread_by_span_length_recovers_level_noise_walk_and_drift_spread(eps, eta, tau):
    """Known answer: relative levels drawn as level noise + random walk + a drift of their own
    give back the three sds (a gap of two years counts as two years)."""
    from forecast.priors.common import variance_time

    rng = np.random.default_rng(7)
    units, years = 4000, 9
    drift = tau * rng.standard_normal((units, 1))
    walk = np.cumsum(drift + eta * rng.standard_normal((units, years)), axis=1)
    logs = walk + eps * rng.standard_normal((units, years)) + 0.1 * np.arange(years)
    kept = [0, 1, 2, 4, 5, 6, 7, 8]  # year 3 left out: one change spans two years
    changes, gaps = np.diff(logs[:, kept], axis=1), np.diff(kept).astype(float)
    fit = variance_time(changes, gaps)
    assert [r["years"] for r in fit["rows"]] == list(range(1, 9))
    assert fit["level_noise_sd"] == pytest.approx(eps, abs=0.012)
    assert fit["walk_sd"] == pytest.approx(eta, abs=0.012)
    assert fit["drift_spread_sd"] == pytest.approx(tau, abs=0.006)


def test_a_reverting_drift_returns_to_its_long_run_pace():
    """Known answers: with persistence 0 the drift is the long-run pace plus one change a year
    (no accumulation: yearly growth is independent, variance s**2 + c**2); with persistence 1
    it is the local level (the same paths up to rounding)."""
    settings = dict(shock=Fixed(dist="fixed", value=0.02, why=WHY),
                    drift_change=Fixed(dist="fixed", value=0.03, why=WHY),
                    start=Normal(dist="normal", loc=0.3, scale=1e-9, why=WHY),
                    long_run=Normal(dist="normal", loc=0.1, scale=1e-9, why=WHY))
    none = _common(**settings, reversion=Fixed(dist="fixed", value=0.0, why=WHY))
    paths = simulate_paths(Model({"n": none.calibrate(EMPTY, base_year=2020)}, 2020, 2030),
                           draws=40000, seed=4).paths["n"]
    growth = np.diff(np.log(paths), axis=0)
    np.testing.assert_allclose(growth.mean(axis=1), 0.1, atol=0.002)
    np.testing.assert_allclose(growth.std(axis=1), math.hypot(0.02, 0.03), rtol=0.03)
    assert abs(np.corrcoef(growth[3], growth[4])[0, 1]) < 0.03
    walk = _common(**{k: v for k, v in settings.items() if k != "long_run"})
    full = _common(**settings, reversion=Fixed(dist="fixed", value=1.0, why=WHY))
    a = simulate_paths(Model({"n": walk.calibrate(EMPTY, base_year=2020)}, 2020, 2025),
                       draws=500, seed=5).paths["n"]
    b = simulate_paths(Model({"n": full.calibrate(EMPTY, base_year=2020)}, 2020, 2025),
                       draws=500, seed=5).paths["n"]
    np.testing.assert_allclose(np.log(a), np.log(b), atol=1e-9)


def test_after_a_spike_a_reverting_national_pace_is_expected_to_fade():
    """A national series at 10 %/yr that jumped to 30 % in its last two years: the local level
    carries the fast pace on, the reverting drift expects less, and learns from the record
    how fast it reverts (its posterior persistence is below the prior mean of 0.5)."""
    levels, value = {}, 1.0
    for year, growth in zip(range(2004, 2015), [0.1, 0.12, 0.08, 0.11, 0.09, 0.1, 0.12, 0.09,
                                                0.1, 0.3, 0.3]):
        value *= math.exp(growth)
        levels[year] = value
    walk = _common(evidence=["x"]).calibrate(_history(levels), base_year=2014)
    reverting = _common(evidence=["x"], reversion=Uniform(dist="uniform", low=0.0, high=1.0,
                                                          why=WHY),
                        long_run=Normal(dist="normal", loc=0.1, scale=0.2, why=WHY)
                        ).calibrate(_history(levels), base_year=2014)
    assert reverting.expected_change() < walk.expected_change() - 0.02
    summary = reverting.fit.parameters.posteriors["local_level"].summary()
    assert 0.05 < summary["long_run_mean"] < 0.2
    with pytest.raises(ValueError, match="go together"):
        _common(reversion=Uniform(dist="uniform", low=0.0, high=1.0, why=WHY))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        _common(reversion=Uniform(dist="uniform", low=0.0, high=2.0, why=WHY),
                long_run=Normal(dist="normal", loc=0.1, scale=0.2, why=WHY))
