"""Where a default run's time goes: the phases of ``forecast run scenarios/base.yaml`` (20,000
draws, kept draws), each timed in a fresh process (measured here, never asserted in a test).

Usage (from the repository root)::

    python benchmarks/startup.py                 # 5 fresh processes, medians per phase
    python benchmarks/startup.py --runs 9 --json phases.json

Every run is a new Python process that does what ``forecast run`` does, step by step
(``forecast.cli.run`` and ``forecast.pipeline.simulate``), and notes the CPU time
(``time.process_time``: user + system of the process, which other processes inflate less
than wall time) and the wall time after each step:

- ``interpreter``: Python's own start-up until this script runs (CPU of the process so far;
  its wall time is not seen from inside, and is left out of the wall total);
- ``imports``: click, the command group and the modules ``forecast run`` imports before it
  calibrates (the package's modules with numpy and pydantic);
- ``scenario``: reading and validating the scenario file;
- ``calibration``: calibrating every component (with the modules only calibration imports:
  ``scipy.special``);
- ``simulation``: the draws (``engine.simulate_paths``) and the exact counts;
- ``kept draws``: the container of every draw (``forecast.results.kept_draws``);
- ``drivers``: what drives each target (``Results._drivers``: each input ranked once);
- ``summary``: the rest of the :class:`~forecast.summary.Summary` (required rates, with
  ``scipy.optimize`` for a cumulative target of several years);
- ``files``: the three files' contents and their writing (``results.nc`` by h5netcdf);
- ``printing``: the target table and the rest of what ``forecast run`` prints (to /dev/null).

The sum is a whole run (the process's exit is not counted). ``benchmarks/whole.py --startup``
times the command itself as a user starts it; run this one beside it for the phases. The
package's modules should be compiled (``__pycache__`` written by an earlier run): with
``PYTHONDONTWRITEBYTECODE`` set and no cache, every run compiles them again (about 0.1 s).
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

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "base.yaml"
PHASES = ("interpreter", "imports", "scenario", "calibration", "simulation", "kept draws",
          "drivers", "summary", "files", "printing")


def one_run(out: Path) -> dict[str, dict[str, float]]:
    """CPU and wall seconds of each phase of one default run, in this process."""
    marks: list[tuple[str, float, float]] = [("interpreter", time.process_time(), 0.0)]
    started = time.perf_counter()

    def mark(name: str) -> None:
        marks.append((name, time.process_time(), time.perf_counter() - started))

    import click  # noqa: F401

    import forecast.cli  # noqa: F401
    from forecast.cli.run import print_summary
    from forecast.engine import layout_of, simulate_paths
    from forecast.info import describe_model
    from forecast.io.scenario_file import load_scenario
    from forecast.io.writers import write_folder
    from forecast.pipeline import calibrate
    from forecast.results import Results, kept_draws, provenance
    from forecast.summary import exact_counts
    mark("imports")
    scenario = load_scenario(SCENARIO)
    mark("scenario")
    model = calibrate(scenario)
    mark("calibration")
    block = simulate_paths(model, draws=scenario.draws, seed=scenario.seed)
    counts = exact_counts(layout_of(model, scenario.targets), block.paths)
    mark("simulation")
    info = describe_model(scenario, model)
    kept = kept_draws(block.paths, block.parameters, info, scenario.years)
    mark("kept draws")
    drivers = {}

    class Timed(Results):
        def _drivers(self):  # noqa: D102 - Results._drivers, timed
            drivers.update(super()._drivers())
            mark("drivers")
            return drivers

    results = Timed(counts, targets=scenario.targets, info=info,
                    provenance=provenance(scenario, seed=scenario.seed), years=scenario.years,
                    draws=kept)
    mark("summary")
    write_folder(out, results.outputs(), force=True)
    mark("files")
    with open(os.devnull, "w", encoding="utf-8") as sink:
        from rich.console import Console

        print_summary(results, Console(file=sink, width=160, highlight=False, markup=False,
                                       emoji=False))
    mark("printing")
    phases, cpu, wall = {}, 0.0, 0.0
    for name, at_cpu, at_wall in marks:
        phases[name] = {"cpu": at_cpu - cpu, "wall": at_wall - wall}
        cpu, wall = at_cpu, at_wall
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes (default 5)")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(one_run(Path(args.child))))
        return 0
    load = os.getloadavg()
    print(f"# default run by phase, {args.runs} fresh processes; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before", flush=True)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, __file__, "--child",
                                   str(Path(folder) / "run")], cwd=ROOT, check=True,
                                  capture_output=True, text=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{'phase':<14}{'cpu s':>8}{'range':>15}{'wall s':>9}")
    medians = {}
    for phase in PHASES:
        cpu = [r[phase]["cpu"] for r in runs]
        wall = [r[phase]["wall"] for r in runs]
        medians[phase] = {"cpu": statistics.median(cpu), "wall": statistics.median(wall)}
        print(f"{phase:<14}{medians[phase]['cpu']:>8.3f}{min(cpu):>7.3f}-{max(cpu):<7.3f}"
              f"{medians[phase]['wall']:>9.3f}")
    totals = [sum(r[p]["cpu"] for p in PHASES) for r in runs]
    walls = [sum(r[p]["wall"] for p in PHASES) for r in runs]
    print(f"{'total':<14}{statistics.median(totals):>8.3f}{min(totals):>7.3f}-"
          f"{max(totals):<7.3f}{statistics.median(walls):>9.3f}")
    after = os.getloadavg()
    print(f"load average after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load_before": load, "load_after": after,
                                               "medians": medians, "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
