"""The hand-written NumPy reference as one whole process, to time beside ``forecast run``.

Usage (from the repository root)::

    python benchmarks/reference_run.py --draws 1000000 [--seed 20200624] [--out summary.json]

It does what a user's own script of the same model would do: import numpy and the package
(for the calibrated posteriors: the reference reads the same numbers the engine samples),
calibrate the base scenario, simulate every draw at once (``reference.run_numpy``: numpy's own
samplers, every draw kept), compute exact quantiles and probabilities, and write them as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "base.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=lambda s: int(float(s)), default=1_000_000)
    parser.add_argument("--seed", type=int, default=20200624)
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--loop", action="store_true", help="the plain Python loop instead")
    parser.add_argument("--out", help="write the summary here (default: stdout)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import forecast
    import reference

    scenario = forecast.load_scenario(args.scenario)
    spec = reference.extract(scenario, forecast.calibrate(scenario))
    run = reference.run_loop if args.loop else reference.run_numpy
    out = run(spec, args.draws, args.seed)
    summary = {"draws": args.draws, "probability": out["probability"], "joint": out["joint"],
               "quantiles": {k: [float(x) for x in v] for k, v in out["quantiles"].items()},
               "fan": {name: out["fan"][i].tolist()
                       for i, name in enumerate(reference.INDICATORS)}}
    text = json.dumps(summary)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
