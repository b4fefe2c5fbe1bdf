"""What streamed summaries cost in a streamed run: CPU time per block of the simulation and of
the summaries, in one process (measured here, never asserted in a test).

Usage (from the repository root)::

    python benchmarks/summaries.py                  # 120 blocks of 8,192 draws (about 1e6 draws)
    python benchmarks/summaries.py --blocks 400 --repeat 3

After calibration and the pilot block (which fixes the bins), every block is simulated
(``engine.simulate_block``), stacked into the quantities a run summarises
(``Layout.values``: every indicator in every year, every target's quantity and achieved rate)
and added to the histograms (``Histograms.add``) with the counts of targets met, exactly as
``engine.simulate_summaries`` does; each part is timed with ``time.process_time`` (CPU time of
this process, so other processes on the machine inflate it less than wall time). The share is
summaries / (simulation + summaries): the compute of a streamed run; the whole process (imports,
calibration, writing) is timed by ``benchmarks/whole.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "base.yaml"


def measure(blocks: int, seed: int | None = None) -> dict:
    """CPU milliseconds per block of each part over ``blocks`` blocks after the pilot."""
    import numpy as np

    import forecast
    from forecast import engine
    from forecast.summary import SummaryAccumulator, at_least_counts

    scenario = forecast.load_scenario(SCENARIO)
    model = forecast.calibrate(scenario)
    seed = scenario.seed if seed is None else seed
    engine.keep_block_memory()  # as simulate_summaries does
    layout = engine.layout_of(model, scenario.targets)
    accumulator = SummaryAccumulator.pilot(
        layout, engine.simulate_block(model, seed, 0, engine.BLOCK_SIZE).paths)
    parts = {"simulation": 0.0, "stacking": 0.0, "histograms": 0.0, "counts": 0.0}
    clock = time.process_time
    for block in range(1, blocks + 1):
        start = clock()
        paths = engine.simulate_block(model, seed, block, engine.BLOCK_SIZE).paths
        simulated = clock()
        values, met = layout.values(paths)
        stacked = clock()
        accumulator.histograms.add(values)
        binned = clock()
        accumulator.met += np.count_nonzero(met, axis=1)
        accumulator.joint += int(np.count_nonzero(np.logical_and.reduce(met, axis=0)))
        accumulator.at_least += at_least_counts(met)
        accumulator.draws += values.shape[1]
        counted = clock()
        for key, seconds in (("simulation", simulated - start), ("stacking", stacked - simulated),
                             ("histograms", binned - stacked), ("counts", counted - binned)):
            parts[key] += seconds
    start = clock()
    accumulator.counts()
    quantiles = clock() - start
    out = {key: seconds / blocks * 1e3 for key, seconds in parts.items()}
    summaries = out["stacking"] + out["histograms"] + out["counts"]
    out.update(summaries=summaries, share=summaries / (summaries + out["simulation"]),
               final_quantiles_ms=quantiles * 1e3, rows=layout.rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    print(f"# load average before: {os.getloadavg()}")
    runs = [measure(args.blocks) for _ in range(args.repeat)]
    keys = ("simulation", "stacking", "histograms", "counts", "summaries")
    row = {k: statistics.median(r[k] for r in runs) for k in keys}
    share = statistics.median(r["share"] for r in runs)
    print(f"{runs[0]['rows']} summarised quantities, {args.blocks} blocks of 8,192 draws, "
          f"median of {args.repeat} run(s); CPU ms per block:")
    print("  " + ", ".join(f"{k} {row[k]:.2f}" for k in keys))
    print(f"  streamed summaries: {100 * share:.1f} % of simulation + summaries; final "
          f"quantiles {statistics.median(r['final_quantiles_ms'] for r in runs):.0f} ms once")
    print(f"# load average after: {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "load": os.getloadavg()}, indent=2)
                                   + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
