"""Every table the CLI prints at 80 columns, in both languages: ids and input names in full
(labels wrap, ids do not), nothing cut with an ellipsis, no line wider than the terminal."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from forecast.cli.app import main
from conftest import BASE, ROOT

LOW = str(ROOT / "scenarios" / "low_growth.yaml")
PHU_THO = str(ROOT / "scenarios" / "phu_tho.yaml")
BASE_TARGETS = ("revenue_2025", "ntm_communes_2025", "roads_2025", "poverty_fall",
                "investment_2021_2025")
COMMANDS = {
    "run": (["run", str(BASE), "--draws", "2000", "--out", "{out}"], BASE_TARGETS),
    "compare": (["compare", str(BASE), LOW, "--draws", "2000", "--out", "{out}"],
                BASE_TARGETS + ("low_growth",)),
    "plan": (["plan", str(BASE), "--draws", "1000"], BASE_TARGETS + ("extra_road_share",)),
    "solve": (["solve", str(BASE), "--target", "roads_2025", "--lever", "extra_road_share",
               "--draws", "1000"], ("extra_road_share", "roads_2025")),
    "calibrate": (["calibrate", str(BASE), "--draws", "200"], ("volatility", "persistence")),
    "sensitivity": (["sensitivity", str(BASE), "--draws", "32", "--out", "{out}"],
                    ("budget_revenue.elasticity", "budget_revenue.base")),
    "update": (["update", PHU_THO, "--draws", "2000", "--out", "{out}"],
               ("ntm_communes_2025",)),
    "holdout": (["holdout", PHU_THO, "--origin", "2017", "--draws", "500"],
                ("ntm_communes", "poverty_rate")),
}


def _output(args: list[str], tmp_path, width: int = 80) -> str:
    args = [a.replace("{out}", str(tmp_path / "out")) for a in args]
    result = CliRunner().invoke(main, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def check_width(output: str, ids, width: int = 80) -> list[str]:
    """What is wrong with a command's output at ``width`` columns."""
    problems = [f"cut: {line!r}" for line in output.splitlines() if "\u2026" in line]
    problems += [f"{len(line)} wide: {line!r}" for line in output.splitlines()
                 if len(line) > width]
    words = set(re.findall(r"[\w.]+", output))
    problems += [f"id not in full: {i}" for i in ids if i not in words]
    return problems


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_tables_fit_80_columns_with_ids_in_full(command, lang, tmp_path):
    args, ids = COMMANDS[command]
    output = _output([*args, "--lang", lang], tmp_path)
    assert check_width(output, ids) == []


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("horizons", [[], ["--horizons"]])
def test_backtest_fits_80_columns(horizons, lang, tmp_path):
    output = _output(["backtest", "--out", "{out}", *horizons, "--lang", lang], tmp_path)
    methods = {"en": ("model", "naive"), "vi": ("mô hình", "đơn giản")}[lang]
    assert check_width(output, [] if lang == "vi" else methods) == []
    assert all(name in output for name in methods)  # each method's name on one line
    assert not horizons or "2010-2013" in output  # origins are not broken either
    numbers = r"\b0\.\d{3}\b" if lang == "en" else r"\b0,\d{3}\b"
    assert re.search(numbers, output)  # CRPS: three decimals, on one line


def test_the_check_fails_on_cut_ids_and_wide_lines():
    assert check_width("│ revenue_2\u2026 │", ["revenue_2025"]) == [
        "cut: '│ revenue_2\u2026 │'", "id not in full: revenue_2025"]
    assert check_width("x" * 81, []) == [f"81 wide: {'x' * 81!r}"]
