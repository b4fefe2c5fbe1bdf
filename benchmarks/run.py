"""Speed and memory of the engine on the base scenario, against two references.

Usage (from the repository root)::

    python benchmarks/run.py                        # 1e4, 1e5, 1e6, 1e7 draws
    python benchmarks/run.py --sizes 1e4,1e5 --loop-max 1e5
    python benchmarks/run.py --sizes 1e8 --only engine   # the memory check: 1e8 streamed draws
    python benchmarks/run.py --startup                   # also time `forecast --help` and a default run

Every figure is measured in a fresh subprocess: wall and CPU time, draws per second, nanoseconds
per indicator-year value, and peak resident memory (``resource.getrusage``'s ``ru_maxrss``). The
engine is timed by parts (calibration, simulation, summaries, writing); the references
(``benchmarks/reference.py``: a plain Python loop over draws and a hand-written NumPy version of
the same model) read the same calibrated posteriors and compute the same summaries. "compute"
is simulation plus summaries: what the three do alike. Results go to stdout (a table) and, with
``--json FILE``, to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "base.yaml"
IMPLEMENTATIONS = ("engine", "numpy", "loop")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- children: one implementation, one size, in a fresh process --------------------------------
def child_engine(scenario_path: str, draws: int, seed: int, keep: str) -> dict:
    """Time the engine's parts through the public API (``simulate_block`` is wrapped to time
    the simulation inside ``forecast.simulate``)."""
    start, cpu0 = time.perf_counter(), _cpu()
    import h5netcdf  # noqa: F401  (imports are timed apart from the parts)
    import xarray

    xarray.Variable(("x",), [0.0])  # xarray imports dask.array here when it is installed

    import forecast
    import forecast.pipeline  # noqa: F401
    import forecast.engine as engine

    imported = time.perf_counter()
    scenario = forecast.load_scenario(scenario_path)
    model = forecast.calibrate(scenario)
    calibrated = time.perf_counter()
    simulating = [0.0]
    original = engine.simulate_block

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            simulating[0] += time.perf_counter() - t

    engine.simulate_block = timed
    keep_draws = {"auto": None, "keep": True, "stream": False}[keep]
    results = forecast.simulate(scenario, draws=draws, seed=seed, model=model,
                                keep_draws=keep_draws)
    simulated = time.perf_counter()
    results.summary.records()
    results.summary.joint_probability
    for name in results.indicators:
        results.quantiles(name)
    summarised = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        results.save(Path(folder) / "run")
        written = time.perf_counter()
    simulation = simulating[0]
    summaries = (simulated - calibrated - simulation) + (summarised - simulated)
    return {"draws": draws, "kept": results.draws_kept, "import": imported - start,
            "calibration": calibrated - imported, "simulation": simulation,
            "summaries": summaries, "writing": written - summarised,
            "compute": simulation + summaries, "wall": written - start,
            "cpu": _cpu() - cpu0, "peak_mb": _peak_mb(),
            "indicator_years": len(results.indicators) * len(model.years),
            "probabilities": {t.id: results.probability(t.id) for t in results.targets}}


def child_reference(kind: str, scenario_path: str, draws: int, seed: int) -> dict:
    """Time a reference: calibration (the package's, read once) apart from compute."""
    start, cpu0 = time.perf_counter(), _cpu()
    sys.path.insert(0, str(Path(__file__).parent))
    import forecast
    import forecast.pipeline  # noqa: F401  (imports are timed apart from the parts)
    import reference

    imported = time.perf_counter()
    scenario = forecast.load_scenario(scenario_path)
    spec = reference.extract(scenario, forecast.calibrate(scenario))
    calibrated = time.perf_counter()
    run = reference.run_numpy if kind == "numpy" else reference.run_loop
    out = run(spec, draws, seed)
    done = time.perf_counter()
    return {"draws": draws, "import": imported - start, "calibration": calibrated - imported,
            "compute": done - calibrated, "wall": done - start, "cpu": _cpu() - cpu0,
            "peak_mb": _peak_mb(),
            "indicator_years": len(reference.INDICATORS) * len(spec["years"]),
            "probabilities": out["probability"]}


# -- parent ---------------------------------------------------------------------------------------
def machine() -> dict:
    """CPU, cores, memory, Python and numpy of this machine, and its load when measured."""
    import numpy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        ram = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")) / 1024 ** 2
    except (OSError, StopIteration):
        ram = float("nan")
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(ram, 1),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "platform": platform.platform(), "load_average": os.getloadavg()}


def spawn(args: list[str]) -> dict:
    """Run this script as a child and return the JSON it prints."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def startup(repeat: int = 3) -> dict:
    """Wall time of ``forecast --help`` and of ``forecast run scenarios/base.yaml`` (best of
    ``repeat``)."""
    command = [str(Path(sys.executable).with_name("forecast"))]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "forecast.cli"]
    times: dict[str, list[float]] = {"help": [], "run": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(command + ["--help"], capture_output=True, check=True)
            times["help"].append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(command + ["run", str(SCENARIO), "--out", str(Path(folder) / "run"),
                                      "--force", "--quiet"], capture_output=True, check=True,
                           cwd=ROOT)
            times["run"].append(time.perf_counter() - t)
    return {key: {"best": min(v), "all": v} for key, v in times.items()}


def _size(text: str) -> int:
    return int(float(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6,1e7",
                        help="comma-separated numbers of draws (add 1e8 for the memory check)")
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS),
                        help="implementations to run: engine, numpy, loop")
    parser.add_argument("--loop-max", type=_size, default=100_000,
                        help="largest size for the Python loop (it runs ~10 k draws/s)")
    parser.add_argument("--numpy-max", type=_size, default=10_000_000,
                        help="largest size for the NumPy reference (it keeps every draw: "
                             "about 0.6 kB per draw)")
    parser.add_argument("--keep", choices=("auto", "keep", "stream"), default="auto",
                        help="engine: keep draws, stream summaries, or the default by size")
    parser.add_argument("--seed", type=int, default=20200624)
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--startup", action="store_true",
                        help="also time `forecast --help` and a default `forecast run`")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--child", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--draws", type=_size, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.child == "engine":
            out = child_engine(args.scenario, args.draws, args.seed, args.keep)
        else:
            out = child_reference(args.child, args.scenario, args.draws, args.seed)
        print(json.dumps(out))
        return 0

    sizes = [_size(s) for s in args.sizes.split(",") if s]
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    report: dict = {"machine": machine(), "runs": []}
    print(f"# machine: {json.dumps(report['machine'])}", flush=True)
    header = (f"{'implementation':<16}{'draws':>12}{'compute s':>11}{'draws/s':>12}"
              f"{'ns/ind-yr':>11}{'wall s':>9}{'cpu s':>8}{'peak MB':>9}  parts (s)")
    print(header, flush=True)
    for draws in sizes:
        for kind in IMPLEMENTATIONS:
            if kind not in only or (kind == "loop" and draws > args.loop_max) or \
                    (kind == "numpy" and draws > args.numpy_max):
                continue
            common = ["--child", kind, "--draws", str(draws), "--seed", str(args.seed),
                      "--scenario", args.scenario, "--keep", args.keep]
            result = spawn(common)
            result["implementation"] = kind
            report["runs"].append(result)
            name = kind if kind != "engine" else f"engine ({'kept' if result['kept'] else 'streamed'})"
            per_value = result["compute"] / (draws * result["indicator_years"]) * 1e9
            parts = (f"calibration {result['calibration']:.2f}, simulation "
                     f"{result['simulation']:.2f}, summaries {result['summaries']:.2f}, "
                     f"writing {result['writing']:.2f}" if kind == "engine" else
                     f"calibration {result['calibration']:.2f} (not in compute)")
            print(f"{name:<16}{draws:>12,}{result['compute']:>11.2f}"
                  f"{draws / result['compute']:>12,.0f}{per_value:>11.1f}{result['wall']:>9.2f}"
                  f"{result['cpu']:>8.2f}{result['peak_mb']:>9.0f}  {parts}", flush=True)
    engine = {r["draws"]: r for r in report["runs"] if r["implementation"] == "engine"}
    numpy_ = {r["draws"]: r for r in report["runs"] if r["implementation"] == "numpy"}
    for draws in sorted(set(engine) & set(numpy_)):
        ratio = engine[draws]["compute"] / numpy_[draws]["compute"]
        report.setdefault("engine_over_numpy", {})[draws] = ratio
        print(f"engine / numpy compute time at {draws:,} draws: {ratio:.2f}")
    if args.startup:
        report["startup"] = startup()
        print(f"forecast --help: best {report['startup']['help']['best']:.3f} s; forecast run "
              f"scenarios/base.yaml (default draws): best {report['startup']['run']['best']:.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
