"""Same seed, same numbers: whatever the grouping of blocks into chunks or workers."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.engine import BLOCK_SIZE, simulate_paths


def _same(a, b):
    assert a.paths.keys() == b.paths.keys()
    for name in a.paths:
        np.testing.assert_array_equal(a.paths[name], b.paths[name])
    for key in a.parameters:
        np.testing.assert_array_equal(a.parameters[key], b.parameters[key])


def test_same_seed_gives_identical_results(model):
    draws = 2 * BLOCK_SIZE + 123
    _same(simulate_paths(model, draws=draws, seed=5), simulate_paths(model, draws=draws, seed=5))


def test_different_seed_gives_different_results(model):
    a = simulate_paths(model, draws=500, seed=5)
    b = simulate_paths(model, draws=500, seed=6)
    assert not np.array_equal(a.paths["output"], b.paths["output"])


@pytest.mark.parametrize("chunk_blocks,workers", [(1, 1), (2, 1), (3, 2)])
def test_grouping_of_blocks_does_not_change_results(model, chunk_blocks, workers):
    draws = 3 * BLOCK_SIZE + 17
    reference = simulate_paths(model, draws=draws, seed=9, chunk_blocks=4)
    _same(reference, simulate_paths(model, draws=draws, seed=9, chunk_blocks=chunk_blocks,
                                    workers=workers))


def test_more_draws_extend_the_same_stream(model):
    """The first blocks of a larger run are the blocks of a smaller one."""
    small = simulate_paths(model, draws=BLOCK_SIZE, seed=3)
    large = simulate_paths(model, draws=2 * BLOCK_SIZE, seed=3)
    np.testing.assert_array_equal(small.paths["budget_revenue"],
                                  large.paths["budget_revenue"][:, :BLOCK_SIZE])


def test_one_bad_year_for_output_moves_its_dependants(model):
    """Output feeds revenue, poverty and investment in the same draw."""
    result = simulate_paths(model, draws=4000, seed=1)
    growth = np.log(result.paths["output"][1] / result.paths["output"][0])
    worst = growth < np.quantile(growth, 0.05)
    revenue_growth = np.log(result.paths["budget_revenue"][1] / result.paths["budget_revenue"][0])
    assert revenue_growth[worst].mean() < revenue_growth[~worst].mean()
    poverty_change = result.paths["poverty_rate"][1] - result.paths["poverty_rate"][0]
    assert poverty_change[worst].mean() > poverty_change[~worst].mean()


def test_a_rerun_writes_the_same_bytes(tmp_path, monkeypatch):
    """Same scenario, seed and SOURCE_DATE_EPOCH: results.nc, summary.json and summary.csv are
    identical byte for byte (the run's date is a day, the one SOURCE_DATE_EPOCH gives)."""
    import json

    from click.testing import CliRunner

    from conftest import BASE
    from forecast.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for name in ("a", "b"):
        result = CliRunner().invoke(main, ["run", str(BASE), "--draws", "1500", "--seed", "3",
                                           "--out", str(tmp_path / name), "--quiet"])
        assert result.exit_code == 0, result.output
    for file in ("results.nc", "summary.json", "summary.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["created"] == "2023-11-14"
