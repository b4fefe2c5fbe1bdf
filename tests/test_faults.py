"""Writing under faults and reading runs back: exit 2 with one message, nothing half-written,
no staging folder left behind, one writer per output folder, and a run file that is not a
complete run of this tool refused on load with its name."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr
from click.testing import CliRunner

import forecast
from forecast.cli.app import main
from forecast.io import writers
from forecast.io.netcdf import NetcdfContent
from conftest import BASE, ROOT

PYTHON = [sys.executable, "-m", "forecast"]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A small saved run of the base scenario."""
    folder = tmp_path_factory.mktemp("runs") / "base"
    forecast.simulate(BASE, draws=400, seed=3).save(folder)
    return folder


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _only_one_message(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1, result.output


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- class 4: writing under faults --------------------------------------------------------

def _read_only(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    return parent / "out"


def _dangling(tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    return link


def _dot(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    return Path(".")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_folder(tmp_path):
    out = _read_only(tmp_path)
    result = _cli("run", BASE, "--draws", 200, "--out", out)
    _only_one_message(result)
    assert "nothing was written" in result.output and not out.exists()
    out.parent.chmod(0o755)


@pytest.mark.parametrize("make", [_dangling, _dot], ids=["dangling-symlink", "dot"])
def test_out_folders_that_cannot_be_replaced(tmp_path, monkeypatch, make):
    out = make(tmp_path, monkeypatch) if make is _dot else make(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = _cli("run", BASE, "--draws", 200, "--out", out)
    _only_one_message(result)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no ..old.*, no staging


def test_seeds_beyond_64_bits_are_refused_everywhere(tmp_path):
    result = _cli("run", BASE, "--draws", 200, "--seed", 2**64, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--seed" in result.output
    with pytest.raises(forecast.InputError, match="2\\*\\*63"):
        forecast.simulate(BASE, draws=200, seed=2**64)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("fault", ["netcdf", "json", "rename"])
def test_a_failing_write_is_one_message_and_leaves_nothing(tmp_path, monkeypatch, fault):
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if fault == "netcdf":
        monkeypatch.setattr(NetcdfContent, "write", full)
    elif fault == "json":
        monkeypatch.setitem(writers.WRITERS, "summary.json", full)
    else:
        monkeypatch.setattr(writers.os, "replace", full)
    result = _cli("run", BASE, "--draws", 200, "--out", tmp_path / "out")
    _only_one_message(result)
    assert "No space left on device" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_real_file_size_limit_ends_in_exit_2(tmp_path):
    """libhdf5 itself hits the limit (EFBIG, as on a full disk): one message, no crash."""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    out = tmp_path / "out"
    done = subprocess.run(PYTHON + ["run", str(BASE), "--draws", "2000", "--out", str(out),
                                    "--quiet"], capture_output=True, text=True,
                          preexec_fn=limit, cwd=tmp_path, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("Error:") == 1, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_stale_staging_folders_are_cleaned_on_the_next_run(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / f".out{writers.STAGING}abcd1234"
    stale.mkdir()
    (stale / "results.nc").write_bytes(b"\0" * 1000)
    earlier = tmp_path / ".out.k2j_9x0q"  # the staging name of earlier versions
    earlier.mkdir()
    (earlier / "summary.json").write_text("{}")
    kept = tmp_path / ".out.notes"  # not this tool's: left alone
    kept.mkdir()
    (kept / "mine.txt").write_text("x")
    result = _cli("run", BASE, "--draws", 200, "--out", out)
    assert result.exit_code == 0, result.output
    assert _hidden(tmp_path) == [".out.notes"]


def test_previous_outputs_moved_aside_are_put_back(tmp_path):
    """A run killed between moving the old outputs aside and moving the new ones in."""
    aside = tmp_path / f".out{writers.OLD}x1y2z3w4" / "out"
    aside.mkdir(parents=True)
    (aside / "summary.json").write_text('{"old": true}')
    with writers.output_lock(tmp_path / "out"):
        pass
    assert (tmp_path / "out" / "summary.json").read_text() == '{"old": true}'
    assert _hidden(tmp_path) == []


def test_two_runs_cannot_write_one_folder_at_once(tmp_path):
    """Another process holds the folder's lock (as a run does from its start to its save)."""
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from forecast.io.writers import output_lock\n"
        f"with output_lock({str(out)!r}):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = _cli("run", BASE, "--draws", 200, "--out", out, "--force")
        _only_one_message(result)
        assert "another forecast run" in result.output
    finally:
        holder.kill()
        holder.wait()
    assert not out.exists()
    assert _cli("run", BASE, "--draws", 200, "--out", out).exit_code == 0
    assert _hidden(tmp_path) == []


def test_sigterm_during_a_save_cleans_up(tmp_path):
    """The save is slowed down (a sitecustomize that sleeps in the NetCDF writer) so that the
    signal arrives while the staging folder exists."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import time, forecast.io.writers as w\n"
        "_netcdf = w.WRITERS['results.nc']\n"
        "def slow(path, data):\n"
        "    open(path.parent.parent / 'saving', 'w').close()\n"
        "    time.sleep(60)\n"
        "w.WRITERS = {**w.WRITERS, 'results.nc': slow}\n")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"}
    process = subprocess.Popen(PYTHON + ["run", str(BASE), "--draws", "200", "--out", "out",
                                         "--quiet"], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (work / "saving").exists() and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    assert any(p.name.startswith(f".out{writers.STAGING}") for p in work.iterdir())
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "Terminated" in err and "Traceback" not in err
    assert sorted(p.name for p in work.iterdir()) == ["saving"]


# -- class 5: reading runs back ----------------------------------------------------------

def _damaged(run_folder: Path, tmp_path: Path, how: str) -> Path:
    raw = (run_folder / "results.nc").read_bytes()
    folder = tmp_path / how
    folder.mkdir()
    target = folder / "results.nc"
    if how == "truncated":
        target.write_bytes(raw[: len(raw) // 2])
    elif how == "corrupted":
        target.write_bytes(raw[:-3000] + b"\xff" * 3000)  # its last blocks overwritten
    elif how == "empty":
        target.write_bytes(b"")
    elif how == "foreign":
        xr.Dataset({"x": ("t", [1.0, 2.0])}).to_netcdf(target, engine="h5netcdf")
    elif how == "other-schema":
        with xr.open_dataset(run_folder / "results.nc", engine="h5netcdf") as opened:
            dataset = opened.load()
        dataset.attrs["schema"] = "forecast.results/1"
        dataset.to_netcdf(target, engine="h5netcdf")
    elif how == "missing-variables":
        with xr.open_dataset(run_folder / "results.nc", engine="h5netcdf") as opened:
            dataset = opened.load()
        dataset.drop_vars(["summary_met", "budget_revenue"]).to_netcdf(target,
                                                                       engine="h5netcdf")
    return folder


@pytest.mark.parametrize("how", ["truncated", "corrupted", "empty", "foreign", "other-schema",
                                 "missing-variables"])
def test_a_run_file_that_is_not_a_complete_run_is_refused(run_folder, tmp_path, how):
    bad = _damaged(run_folder, tmp_path, how)
    for args in (["report", bad, "-o", tmp_path / "r.html"],
                 ["plot", bad, "budget_revenue", "-o", tmp_path / "f.png"],
                 ["compare", run_folder, bad, "--out", tmp_path / "cmp"]):
        result = _cli(*args)
        _only_one_message(result)
        assert str(bad / "results.nc") in result.output, result.output
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "cmp").exists()
    if how == "other-schema":
        assert "forecast.results/1" in result.output


def test_compare_pairs_only_targets_that_are_the_same(tmp_path):
    """Two regions with a target of the same id and another threshold: not compared, and
    the command says so."""
    text = BASE.read_text(encoding="utf-8")
    assert "    at_least: 970" in text
    other = tmp_path / "other_region.yaml"
    other.write_text(text.replace("name: base", "name: other_region", 1)
                     .replace("../data/", f"{ROOT / 'data'}/")
                     .replace("    at_least: 970", "    at_least: 9700", 1), encoding="utf-8")
    first = forecast.simulate(BASE, draws=300, seed=1)
    second = forecast.simulate(other, draws=300, seed=1)
    comparison = forecast.compare([first, second]) if hasattr(forecast, "compare") else None
    from forecast.analysis.compare import Comparison

    comparison = Comparison((first, second))
    moved = first.targets[0].id
    assert [r["scenario"] for r in comparison.records() if r["target"] == moved] == ["base"]
    assert len(comparison.left_out) == 1 and moved in comparison.left_out[0]
    assert "9700" in comparison.left_out[0] and "970" in comparison.left_out[0]
    vi = comparison.left_out_text("vi")[0]
    assert "chỉ tiêu" in vi and "bỏ ra" in vi and "left out" not in vi and "9700" in vi
    assert comparison.left_out_records[0]["owner"] == "base"
    others = {r["target"] for r in comparison.records() if r["scenario"] == "other_region"}
    assert others == {t.id for t in first.targets} - {moved}
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    result = _cli("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    assert "Not compared" in result.output and moved in result.output
    from forecast.report.html import _comparison_rows

    rows = {row["label"]: row["cells"] for row in _comparison_rows([first, second], "en")}
    assert any(cells[1] == "\u2013" for cells in rows.values())


def test_compare_title_and_footnote_agree(tmp_path):
    first = forecast.simulate(BASE, draws=300, seed=1)
    second = forecast.simulate(BASE, draws=300, seed=2)
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    result = _cli("compare", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.output
    assert "unpaired difference" in result.output
    assert not re.search(r"(?<!un)paired difference", result.output)
    same = _cli("compare", tmp_path / "a", tmp_path / "a", "--out", tmp_path / "cmp2")
    assert "common seed" in same.output and "unpaired" not in same.output
