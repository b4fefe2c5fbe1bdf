"""Speed of ``forecast sensitivity`` on the base scenario (measured here, never asserted in a test).

Usage (from the repository root)::

    python benchmarks/sensitivity.py                 # N = 4096 base samples
    python benchmarks/sensitivity.py --draws 1024 --repeat 3

Times, in this process after a warm-up (wall and CPU seconds): calibration; the Sobol part
alone (the design's draws through the engine and the Sobol estimators with bootstrap errors,
for every input and group of every target's hit indicator and quantity, with a 1,000-draw
plain run); and the whole analysis (plus the default plain run, the given-data cross-check,
the curves and the PRIM boxes). Then, side by side on outputs of the design's shape, the
estimators as ``forecast`` computes them (``sobol_indices``) and as SALib's
``first_order``/``total_order`` compute them called once per group of inputs (the reference:
the same numbers, ``tests/test_sensitivity_speed.py``). Set ``OMP_NUM_THREADS=1`` (and pin
the process with ``taskset -c 0``) to measure one core.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "base.yaml"


def salib_indices(matrices: list[np.ndarray], resamples: int = 100, seed: int = 0):
    """The reference: SALib's estimators on broadcast arrays, eight inputs per call."""
    from SALib.analyze.sobol import first_order, total_order

    Y = np.column_stack(matrices)
    D = Y.shape[1] - 2
    if np.std(np.r_[Y[:, 0], Y[:, -1]]) <= 0.0 or D == 0:  # no variance: every index 0
        return (np.zeros(D),) * 4
    Y = (Y - Y.mean()) / Y.std()
    a, ab, b = Y[:, :1], Y[:, 1:-1], Y[:, -1:]
    n = len(Y)
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))
    s1, st = np.empty((resamples, D)), np.empty((resamples, D))
    ar, br = a[rows], b[rows]
    for start in range(0, D, 8):
        cols = slice(start, min(start + 8, D))
        abr = ab[:, cols][rows]
        wide_a, wide_b = np.broadcast_to(ar, abr.shape), np.broadcast_to(br, abr.shape)
        s1[:, cols] = first_order(wide_a, abr, wide_b)
        st[:, cols] = total_order(wide_a, abr, wide_b)
    wide_a, wide_b = np.broadcast_to(a, ab.shape), np.broadcast_to(b, ab.shape)
    return (first_order(wide_a, ab, wide_b), s1.std(axis=0, ddof=1),
            total_order(wide_a, ab, wide_b), st.std(axis=0, ddof=1))


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> str:
    wall, cpu = _clock()
    return f"{wall - start[0]:.2f} s wall, {cpu - start[1]:.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4096, help="base samples N")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import forecast
    from forecast.analysis.sensitivity import sensitivity, sobol_indices

    print(f"# load average before: {os.getloadavg()}")
    start = _clock()
    scenario = forecast.load_scenario(SCENARIO)
    model = forecast.calibrate(scenario)
    calibrated = _since(start)
    sensitivity(scenario, draws=64, model=model, plain_draws=1000, discovery=False)  # warm-up
    for _ in range(args.repeat):
        start = _clock()
        sobol = sensitivity(scenario, draws=args.draws, model=model, plain_draws=1000,
                            discovery=False)
        design = _since(start)
        start = _clock()
        whole = sensitivity(scenario, draws=args.draws, model=model)
        total = _since(start)
        print(f"N = {args.draws}: {len(sobol.inputs)} inputs, {sobol.evaluations:,} simulated "
              f"draws in the design; calibration {calibrated}; Sobol with a 1,000-draw plain "
              f"run {design}; whole analysis ({whole.plain_draws:,}-draw plain run, curves, "
              f"PRIM) {total}")
        inputs = len(sobol.inputs)
        calls = [(inputs, 2 * len(sobol.targets)), (4, 2 * len(sobol.targets))]  # and groups
        rng = np.random.default_rng(0)
        for name, estimate in (("forecast sobol_indices", lambda m: sobol_indices(
                [f"x{i}" for i in range(len(m) - 2)], m)), ("SALib reference", salib_indices)):
            start = _clock()
            for width, count in calls:
                for _ in range(count):
                    estimate([rng.normal(size=args.draws) for _ in range(width + 2)])
            print(f"  estimators alone ({name}, {sum(c for _, c in calls)} calls of "
                  f"{args.draws} x inputs): {_since(start)}")
    print(f"# load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
