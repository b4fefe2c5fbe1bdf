from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"

HISTORY = """indicator,kind,year,year_end,value,unit,source,note
gdp,average_growth,2015,2020,8.0,%/yr,test source,
"""


@pytest.fixture
def base_path() -> Path:
    return BASE


@pytest.fixture(scope="session")
def scenario():
    """The base scenario, loaded once."""
    import forecast

    return forecast.load_scenario(BASE)


@pytest.fixture(scope="session")
def model(scenario):
    """The base scenario, calibrated once (read-only: components are frozen)."""
    import forecast

    return forecast.calibrate(scenario)


@pytest.fixture
def write_scenario(tmp_path):
    """Write a scenario (text) and a history file into tmp_path; return the scenario path."""

    def write(text: str, history: str = HISTORY, name: str = "scenario.yaml") -> Path:
        (tmp_path / "history.csv").write_text(history, encoding="utf-8")
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


ANALYTIC = """
name: analytic
region: test
history: history.csv
base_year: 2020
horizon: 2025
draws: 40000
seed: 11
indicators:
  gdp:
    model: growth
    unit: units
    base: {dist: fixed, value: 100, why: test}
    drift: {dist: normal, loc: 0.05, scale: 1.0e-9, why: test}
    volatility: {dist: fixed, value: 0.1, why: test}
targets:
  - {id: level, indicator: gdp, kind: level, year: 2025, at_least: 130, source: test}
  - {id: growth, indicator: gdp, kind: growth, period: [2021, 2025], at_least: 0.06, source: test}
  - {id: change, indicator: gdp, kind: average_change, period: [2021, 2025], at_most: 5, source: test}
  - {id: total, indicator: gdp, kind: cumulative, period: [2021, 2025], at_least: 600, source: test}
"""
