"""forecast update: conditioning on figures observed after the base year (docs/update.md)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import forecast
from forecast.analysis.update import conditioned_run
from forecast.pipeline import update
from forecast.cli import main
from forecast.errors import DataError
from forecast.io.history import read_history

ROOT = Path(__file__).resolve().parents[1]
PHU_THO = ROOT / "scenarios" / "phu_tho.yaml"
OBSERVED = ROOT / "data" / "phu_tho" / "observed_2021_2022.csv"
HEADER = "indicator,kind,year,year_end,value,unit,source,note,status,error\n"
PRIOR_MEAN, PRIOR_SD, SIGMA = 0.05, 0.02, 0.03


def _conjugate(tmp_path: Path, observed_rows: str) -> tuple[Path, Path]:
    (tmp_path / "history.csv").write_text(
        HEADER + "output,level,2020,,100,bn,test,,,\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(f"""
name: conjugate
region: test
history: history.csv
base_year: 2020
horizon: 2025
draws: 40000
seed: 7
indicators:
  output:
    model: growth
    unit: bn
    evidence: [output]
    drift: {{dist: normal, loc: {PRIOR_MEAN}, scale: {PRIOR_SD}, why: test}}
    volatility: {{dist: fixed, value: {SIGMA}, why: known}}
targets:
  - id: level_2025
    indicator: output
    kind: level
    year: 2025
    at_least: 130
    source: test
""", encoding="utf-8")
    (tmp_path / "observed.csv").write_text(HEADER + observed_rows, encoding="utf-8")
    return tmp_path / "s.yaml", tmp_path / "observed.csv"


def test_conjugate_random_walk_matches_the_analytic_posterior(tmp_path):
    growth = [0.01, 0.02, -0.005]  # 2021-2023, exact figures
    rows = "".join(f"output,average_growth,{2020 + i},{2021 + i},{100 * g},%/yr,test,,final,0\n"
                   for i, g in enumerate(growth))
    scenario, observed = _conjugate(tmp_path, rows)
    answer = update(scenario, [observed])
    y = np.log1p(growth)
    precision = 1 / PRIOR_SD**2 + len(y) / SIGMA**2
    mean = (PRIOR_MEAN / PRIOR_SD**2 + y.sum() / SIGMA**2) / precision
    sd = math.sqrt(1 / precision)
    results = answer.results
    drift = results.dataset["output.drift"].values
    n = drift.size
    assert answer.ess == n  # every figure is read by the re-calibration: no weights
    assert abs(drift.mean() - mean) < 4 * sd / math.sqrt(n)
    assert abs(drift.std() - sd) < 4 * sd / math.sqrt(2 * n)
    path = results.path("output")
    # the observed years are pinned exactly (zero reporting error)
    expected = 100 * np.cumprod(1 + np.array(growth))
    np.testing.assert_allclose(path[1:4], expected[:, None] * np.ones((1, n)), rtol=1e-12)
    # the next year: log growth ~ Normal(mean, sigma^2 + sd^2)
    nxt = np.log(path[4] / path[3])
    spread = math.sqrt(SIGMA**2 + sd**2)
    assert abs(nxt.mean() - mean) < 4 * spread / math.sqrt(n)
    assert abs(nxt.std() - spread) < 4 * spread / math.sqrt(2 * n)
    # the drift moved from the prior towards the figures
    before = answer.base.results.dataset["output.drift"].values
    assert abs(before.mean() - PRIOR_MEAN) < 4 * PRIOR_SD / math.sqrt(n)


def test_reporting_error_lets_the_path_move_around_the_figure(tmp_path):
    rows = "output,average_growth,2020,2021,2,%/yr,test,,estimate,0.5\n"
    scenario, observed = _conjugate(tmp_path, rows)
    path = update(scenario, [observed], draws=20000).results.path("output")
    growth = path[1] / path[0] - 1
    assert abs(np.median(growth) - 0.02) < 0.002
    assert 0.002 < growth.std() < 0.005  # within the 0.5-point reporting error, not pinned


def test_observing_nothing_reproduces_forecast_run_bit_for_bit():
    scenario = forecast.load_scenario(PHU_THO)
    plain = forecast.simulate(scenario, draws=9000, seed=3)
    history = read_history(scenario.history_path)
    run = conditioned_run(scenario, history, [], as_of=scenario.base_year, draws=9000, seed=3,
                          priors=forecast.load_prior_library())
    for name in scenario.indicators:
        assert np.array_equal(plain.path(name), run.results.path(name))
    assert plain.summary.targets == run.results.summary.targets
    assert run.conditioned.steps == ()


def test_phu_tho_observed_figures():
    answer = update(PHU_THO, [OBSERVED], draws=20000)
    assert answer.as_of == 2022
    path = answer.results.path("ntm_communes")
    assert np.all(path[1] == 114)  # the 2021 count, exact, on the 196-commune list
    grdp = answer.results.path("grdp")
    assert abs(np.median(grdp[1] / grdp[0] - 1) - 0.0628) < 0.001
    record = answer.to_json()
    assert [o["year"] for o in record["observed"]] == [2021, 2021, 2022]
    assert record["targets"][0]["label"] in ("on track", "at risk", "off track")
    assert [p["as_of"] for p in record["path"]] == [2020, 2021, 2022]
    assert 0 < answer.ess < 20000
    replay = update(PHU_THO, [OBSERVED], draws=20000, as_of=2021)
    assert [o.year for o in replay.now.observations] == [2021, 2021]


def _write_observed(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "observed.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize("row, key", [
    ("grdp,average_growth,2019,2020,5,%/yr,test,,,\n", "year"),
    ("ntm_communes,level,2020,,120,communes,test,,,\n", "year"),
    ("gdp,average_growth,2020,2021,5,%/yr,test,,,\n", "indicator"),
    ("grdp,average_growth,2020,2022,5,%/yr,test,,,\n", "year_end"),
    ("ntm_communes,average_growth,2020,2021,5,%/yr,test,,,\n", "kind"),
    ("grdp,average_growth,2020,2021,5,communes,test,,,\n", "unit"),
])
def test_bad_observed_rows_exit_2_at_file_line_key(tmp_path, row, key):
    observed = _write_observed(tmp_path, row)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["update", str(PHU_THO), "--observed", str(observed),
                                       "--out", str(out), "--draws", "500"])
    assert result.exit_code == 2, result.output
    assert f"observed.csv:2: {key}" in result.output
    assert not out.exists()


def test_an_observation_outside_the_simulated_support_is_an_error(tmp_path):
    observed = _write_observed(tmp_path, "ntm_communes,level,2021,,3,communes,test,,,\n")
    with pytest.raises(DataError) as caught:
        update(PHU_THO, [observed], draws=2000)
    problem = caught.value.problems[0]
    assert (Path(problem.file).name, problem.line) == ("observed.csv", 2)
    assert "outside the simulated support" in problem.message
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["update", str(PHU_THO), "--observed", str(observed),
                                       "--out", str(out), "--draws", "2000"])
    assert result.exit_code == 2 and "observed.csv:2" in result.output
    assert "nan" not in result.output.lower()
    assert not out.exists()


def test_update_command_writes_the_run_folder(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["update", str(PHU_THO), "--observed", str(OBSERVED),
                                       "--out", str(out), "--draws", "4000", "--lang", "vi"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"results.nc", "summary.json", "summary.csv", "update.json", "report.html"} <= names
    import json

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "label" in summary["targets"][0]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="update"' in html and "Diễn biến xác suất" in html
    part = html[html.index('<section id="update">'):]
    part = part[:part.index("</section>")]
    import re

    words = re.sub(r"<[^>]+>|data:[^\"]+|\([^)]*\)", " ", part)  # sources are as written
    for english in (" pts", "/yr", "weighted", "read by", "on track", "at risk", "Change",
                    "billion", "communes"):
        assert not re.search(rf"(?<![\w_]){re.escape(english.strip())}(?![\w_])", words), english
    assert re.search(r"[+-]\d+,\d điểm %", words)  # Babel's decimal comma, the unit in words
    assert "label" in (out / "summary.csv").read_text(encoding="utf-8").splitlines()[0]


def test_a_region_assembled_from_predecessors_is_updated_on_its_derived_evidence(tmp_path):
    """The merged province (rows of its predecessors, derived into its own): its history is
    resolved together with the observed rows, so an update runs, and a figure of 2026 above
    the pace raises the odds of the 2026 growth target (a test figure, not a published one)."""
    observed = tmp_path / "observed.csv"
    observed.write_text(
        "indicator,kind,year,year_end,value,unit,source,note,status,error\n"
        "grdp_growth,average_growth,2025,2026,12.0,%/yr,test,a test figure,,\n",
        encoding="utf-8")
    answer = update(ROOT / "scenarios" / "phu_tho_2030.yaml", [observed], draws=2000)
    assert answer.as_of == 2026
    target = "grdp_growth_2026"
    assert answer.now.results.summary.target(target).probability == 1.0  # 12 % >= 11 %
    assert answer.baseline is None and answer.base.results.summary.target(target).probability < 0.5
