"""Whole processes timed side by side: ``forecast run`` against the hand-written references.

Usage (from the repository root)::

    python benchmarks/whole.py                               # 1e6 draws: engine vs NumPy reference
    python benchmarks/whole.py --draws 1e7 --runs 2          # the same at 1e7
    python benchmarks/whole.py --draws 1e7 --workers 2       # a local Dask cluster vs one process
    python benchmarks/whole.py --startup                     # forecast --help, the default run
    python benchmarks/whole.py --ema 20000                   # EMA Workbench vs engine vs NumPy
    python benchmarks/whole.py --draws 1e8 --only engine --runs 1   # the memory check

Each command is a fresh process, started from here and timed from its start to its exit (its
imports, calibration and writing included), the commands of one comparison in turn (A B A B
...) so that a drift of the machine's speed hits them alike; every figure is the median of
``--runs`` runs, with the range. Peak memory is the child's own ``ru_maxrss`` (``os.wait4``).
"ns per value" is wall time over draws x indicators x years (8 x 6 for the base scenario, for
the engine and the references alike), so the ratio is per indicator-year. CPU seconds include
the processes a command waited for (a local Dask cluster's workers); the load average before
and after each comparison is printed, since other processes inflate wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "base.yaml"
INDICATOR_YEARS = 8 * 6  # the base scenario's indicators x simulated years (2020-2025)


def _forecast() -> list[str]:
    script = Path(sys.executable).with_name("forecast")
    return [str(script)] if script.exists() else [sys.executable, "-m", "forecast"]


def timed(command: list[str]) -> dict:
    """Wall seconds, CPU seconds and peak resident MB of one run of ``command``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}):\n{error}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024}


def compare(commands: dict[str, list[str]], runs: int) -> dict[str, dict]:
    """Run the commands in turn ``runs`` times each; medians and ranges."""
    samples: dict[str, list[dict]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command))
    out = {}
    for name, runs_ in samples.items():
        walls = [r["wall"] for r in runs_]
        out[name] = {"wall": statistics.median(walls), "min": min(walls), "max": max(walls),
                     "cpu": statistics.median(r["cpu"] for r in runs_),
                     "peak_mb": max(r["peak_mb"] for r in runs_), "runs": runs_}
    return out


def _print(rows: dict[str, dict], draws: dict[str, int]) -> None:
    print(f"{'command':<34}{'draws':>13}{'wall s':>9}{'range':>15}{'cpu s':>8}"
          f"{'peak MB':>9}{'ns/value':>10}")
    for name, row in rows.items():
        n = draws[name]
        per = row["wall"] / (n * INDICATOR_YEARS) * 1e9 if n else float("nan")
        row["ns_per_value"] = per
        print(f"{name:<34}{n:>13,}{row['wall']:>9.2f}{row['min']:>7.2f}-{row['max']:<7.2f}"
              f"{row['cpu']:>8.2f}{row['peak_mb']:>9.0f}{per:>10.1f}", flush=True)


def _size(text: str) -> int:
    return int(float(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=_size, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20200624)
    parser.add_argument("--only", default="engine,numpy",
                        help="of engine, numpy: which to run at --draws")
    parser.add_argument("--workers", type=int, default=0,
                        help="also run the engine on a local Dask cluster of this many workers")
    parser.add_argument("--startup", action="store_true",
                        help="time `forecast --help` and `forecast run` at its default draws")
    parser.add_argument("--ema", type=_size, default=0,
                        help="draws for EMA Workbench, the engine and the NumPy reference")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    from run import machine  # the one description of the machine, beside this script

    report: dict = {"machine": machine(), "comparisons": {}}
    print(f"# machine: {json.dumps(report['machine'])}", flush=True)
    forecast = _forecast()
    with tempfile.TemporaryDirectory() as folder:
        def run(draws: int, *extra: str) -> list[str]:
            return forecast + ["run", str(SCENARIO), "--draws", str(draws), "--seed",
                               str(args.seed), "--out", str(Path(folder) / "run"), "--force",
                               "--quiet", *extra]

        def reference(draws: int) -> list[str]:
            return [sys.executable, str(HERE / "reference_run.py"), "--draws", str(draws),
                    "--seed", str(args.seed), "--out", str(Path(folder) / "reference.json")]

        plans: list[tuple[str, dict[str, list[str]], dict[str, int]]] = []
        if args.startup:
            plans.append(("start-up", {"forecast --help": forecast + ["--help"],
                                       "forecast run (default draws)": forecast + [
                                           "run", str(SCENARIO), "--out",
                                           str(Path(folder) / "default"), "--force",
                                           "--quiet"]},
                          {"forecast --help": 0, "forecast run (default draws)": 20_000}))
        if args.ema:
            ema = [sys.executable, str(HERE / "ema.py"), "--draws", str(args.ema), "--seed",
                   str(args.seed), "--out", str(Path(folder) / "ema.json")]
            plans.append((f"EMA Workbench at {args.ema:,}", {
                "EMA Workbench (one process)": ema, "numpy reference": reference(args.ema),
                "forecast run": run(args.ema)}, dict.fromkeys(
                    ("EMA Workbench (one process)", "numpy reference", "forecast run"),
                    args.ema)))
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        commands: dict[str, list[str]] = {}
        if "engine" in only:
            commands["forecast run"] = run(args.draws)
        if "numpy" in only:
            commands["numpy reference"] = reference(args.draws)
        if args.workers:
            commands[f"forecast run --workers {args.workers}"] = run(
                args.draws, "--workers", str(args.workers))
        if commands:
            plans.append((f"{args.draws:,} draws", commands, dict.fromkeys(commands,
                                                                            args.draws)))
        for title, commands, draws in plans:
            load = os.getloadavg()
            print(f"\n## {title} ({args.runs} runs each, in turn; load average "
                  f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before)", flush=True)
            rows = compare(commands, args.runs)
            _print(rows, draws)
            after = os.getloadavg()
            print(f"load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
            base = rows.get("numpy reference")
            for name, row in rows.items():
                if base is not None and row is not base:
                    print(f"{name} / numpy reference per indicator-year: "
                          f"{row['ns_per_value'] / base['ns_per_value']:.2f}")
            one = rows.get("forecast run")
            for name, row in rows.items():
                if one is not None and "--workers" in name:
                    print(f"forecast run / {name}: {one['wall'] / row['wall']:.2f}x faster "
                          f"(CPU of all its processes {row['cpu']:.1f} s against "
                          f"{one['cpu']:.1f} s)")
            report["comparisons"][title] = {"load_before": load, "load_after": after, **rows}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
