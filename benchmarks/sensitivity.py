"""Speed of ``forecast sensitivity`` on the base scenario (measured here, never asserted in a test).

Usage (from the repository root)::

    python benchmarks/sensitivity.py                 # N = 4096 base samples
    python benchmarks/sensitivity.py --draws 1024 --repeat 3

Times, in this process after a warm-up: calibration; the Sobol part alone (the design's draws
through the engine and SALib's estimators with bootstrap errors, for every input and group of
every target's hit indicator and quantity); and the whole analysis (plus the plain run, the
given-data cross-check, the curves and the PRIM boxes). Set ``OMP_NUM_THREADS=1`` (and pin the
process with ``taskset -c 0``) to measure one core.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "base.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4096, help="base samples N")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import forecast
    from forecast.analysis.sensitivity import sensitivity

    start = time.perf_counter()
    scenario = forecast.load_scenario(SCENARIO)
    model = forecast.calibrate(scenario)
    calibrated = time.perf_counter() - start
    sensitivity(scenario, draws=64, model=model, plain_draws=1000, discovery=False)  # warm-up
    for _ in range(args.repeat):
        t = time.perf_counter()
        sobol = sensitivity(scenario, draws=args.draws, model=model, plain_draws=1000,
                            discovery=False)
        design = time.perf_counter() - t
        t = time.perf_counter()
        whole = sensitivity(scenario, draws=args.draws, model=model)
        total = time.perf_counter() - t
        print(f"N = {args.draws}: {len(sobol.inputs)} inputs, {sobol.evaluations:,} simulated "
              f"draws in the design; calibration {calibrated:.2f} s, Sobol with a 1,000-draw "
              f"plain run {design:.2f} s, whole analysis ({whole.plain_draws:,}-draw plain run, "
              f"curves, PRIM) {total:.2f} s")


if __name__ == "__main__":
    main()
