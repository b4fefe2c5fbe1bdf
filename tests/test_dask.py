"""Blocks run as tasks on a Dask cluster give the same bits as a run in one process."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from forecast.cli.app import main
from forecast.engine import BLOCK_SIZE, simulate_paths, simulate_summaries

distributed = pytest.importorskip("distributed")

DRAWS = 3 * BLOCK_SIZE + 41
SEED = 5


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(n_workers=2, processes=True, host="127.0.0.1",
                                  threads_per_worker=1, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local:
        yield local


def test_kept_draws_on_a_cluster_are_bit_identical(cluster, model):
    local = simulate_paths(model, draws=DRAWS, seed=SEED)
    remote = simulate_paths(model, draws=DRAWS, seed=SEED, scheduler=cluster.scheduler_address,
                            chunk_blocks=1)
    assert local.paths.keys() == remote.paths.keys()
    for name in local.paths:
        np.testing.assert_array_equal(local.paths[name], remote.paths[name])
    for key in local.parameters:
        np.testing.assert_array_equal(local.parameters[key], remote.parameters[key])


def test_streamed_summaries_on_a_cluster_are_bit_identical(cluster, scenario, model):
    local = simulate_summaries(model, scenario.targets, draws=DRAWS, seed=SEED)
    seen = []
    remote = simulate_summaries(model, scenario.targets, draws=DRAWS, seed=SEED,
                                scheduler=cluster.scheduler_address, chunk_blocks=1,
                                progress=seen.append)
    for key in ("counts", "low", "high", "nan"):
        np.testing.assert_array_equal(getattr(local.histograms, key),
                                      getattr(remote.histograms, key))
    np.testing.assert_array_equal(local.met, remote.met)
    assert local.joint == remote.joint and remote.draws == DRAWS
    assert sum(seen) == DRAWS and len(seen) == 4  # the pilot block, then one task per block


def test_cli_scheduler_gives_the_same_summary(cluster, tmp_path):
    from conftest import BASE

    runner = CliRunner()
    common = ["run", str(BASE), "--draws", str(DRAWS), "--seed", str(SEED)]
    for name, extra in (("here", []), ("there", ["--scheduler", cluster.scheduler_address]),
                        ("streamed", ["--scheduler", cluster.scheduler_address,
                                      "--no-keep-draws"])):
        result = runner.invoke(main, common + extra + ["--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    here, there, streamed = (json.loads((tmp_path / n / "summary.json").read_text())
                             for n in ("here", "there", "streamed"))
    assert here["targets"] == there["targets"]
    assert here["joint_probability"] == there["joint_probability"] == \
        streamed["joint_probability"]
    assert [t["probability"] for t in here["targets"]] == \
        [t["probability"] for t in streamed["targets"]]


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    import dask

    from conftest import BASE

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(main, ["run", str(BASE), "--draws", str(2 * BLOCK_SIZE),
                                           "--scheduler", "tcp://127.0.0.1:9", "--out",
                                           str(tmp_path / "x")])
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x").exists()


@pytest.mark.parametrize("run_here", [True, False])
def test_a_new_local_cluster_gives_the_same_bits(scenario, model, monkeypatch, run_here):
    """``workers``: this process runs chunks from the start, beside a new cluster of
    ``workers - 1`` processes (or, with ``RUN_HERE`` off, every chunk runs on a cluster of
    ``workers``); either way the bits of one process."""
    import forecast.engine as engine

    monkeypatch.setattr(engine, "RUN_HERE", run_here)
    draws = 6 * BLOCK_SIZE + 3
    local = simulate_summaries(model, scenario.targets, draws=draws, seed=SEED)
    seen = []
    spread = simulate_summaries(model, scenario.targets, draws=draws, seed=SEED, workers=2,
                                chunk_blocks=1, progress=seen.append)
    for key in ("counts", "low", "high", "nan"):
        np.testing.assert_array_equal(getattr(local.histograms, key),
                                      getattr(spread.histograms, key))
    np.testing.assert_array_equal(local.met, spread.met)
    assert local.joint == spread.joint and spread.draws == draws and sum(seen) == draws
    kept = simulate_paths(model, draws=draws, seed=SEED)
    remote = simulate_paths(model, draws=draws, seed=SEED, workers=2, chunk_blocks=1)
    for name in kept.paths:
        np.testing.assert_array_equal(kept.paths[name], remote.paths[name])


_FAULT: dict = {}


def _faulty_collect(token):
    """A worker's hand-over that loses or repeats partial summaries (workers in this process)."""
    parts = _FAULT["collect"](token)
    if _FAULT["lose"] == "first":
        return parts[1:]
    if _FAULT["lose"] == "all":
        return []
    return parts + parts[:1]


@pytest.mark.parametrize("lose", ["first", "all", "twice"])
def test_partial_summaries_lost_or_held_twice_are_simulated_again(scenario, model, monkeypatch,
                                                                   lose):
    """Workers keep their partial summaries until the end of the run; a partial summary that
    never comes back (a worker lost after its tasks) or comes back twice changes no bit: its
    chunks are simulated again in this process."""
    import logging

    import forecast.engine as engine

    draws = 7 * BLOCK_SIZE + 5
    local = simulate_summaries(model, scenario.targets, draws=draws, seed=SEED)
    monkeypatch.setitem(_FAULT, "collect", engine._collect_on_worker)
    monkeypatch.setitem(_FAULT, "lose", lose)
    monkeypatch.setattr(engine, "_collect_on_worker", _faulty_collect)
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  protocol="tcp", host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.ERROR) as threads:  # workers in here
        spread = simulate_summaries(model, scenario.targets, draws=draws, seed=SEED,
                                    scheduler=threads.scheduler_address, chunk_blocks=1)
    for key in ("counts", "low", "high", "nan"):
        np.testing.assert_array_equal(getattr(local.histograms, key),
                                      getattr(spread.histograms, key))
    np.testing.assert_array_equal(local.met, spread.met)
    assert local.joint == spread.joint and spread.draws == draws


def test_keeping_block_memory_changes_no_bit(scenario, model):
    import platform

    import forecast.engine as engine

    before = simulate_summaries(model, scenario.targets, draws=2 * BLOCK_SIZE, seed=SEED)
    tuned = engine.keep_block_memory()
    assert tuned == (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
    after = simulate_summaries(model, scenario.targets, draws=2 * BLOCK_SIZE, seed=SEED)
    np.testing.assert_array_equal(before.histograms.counts, after.histograms.counts)
    np.testing.assert_array_equal(before.histograms.low, after.histograms.low)
