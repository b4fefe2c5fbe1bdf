"""Why a target fails: scenario discovery of the draws that miss it (PRIM boxes).

The Patient Rule Induction Method (Friedman and Fisher 1999) peels the box of all inputs, a few
per cent of the draws at a time, towards the region where misses concentrate; the ``prim``
package (a maintained stand-alone version of EMA Workbench's PRIM) does the peeling and
pasting. Of the boxes along its peeling trajectory, the one reported restricts at most
:data:`MAX_DIMENSIONS` inputs, has a density (share of misses inside) that closes at least
:data:`GAP` of the gap between the overall miss rate and 1 (or the highest density reached, if
lower), and among those the largest coverage (share of all misses inside). At most
:data:`LIMIT` draws (the first ones) are searched, which keeps it to a second or two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

MAX_DIMENSIONS = 3
GAP = 0.75
LIMIT = 10_000


@dataclass(frozen=True)
class Box:
    """A region of the inputs where a target misses often.

    ``limits``: ``(input, low, high)``, with ``None`` for a side left open; ``density``: share
    of the draws in the box that miss; ``coverage``: share of all misses in the box; ``mass``:
    share of all draws in the box; ``miss_rate``: share of all draws that miss.
    """

    target: str
    limits: tuple[tuple[str, float | None, float | None], ...]
    density: float
    coverage: float
    mass: float
    miss_rate: float

    def conditions(self) -> list[str]:
        """``paved_road_share.pace < 0.11`` per restricted input."""
        out = []
        for name, low, high in self.limits:
            if low is not None and high is not None:
                out.append(f"{low:.3g} < {name} < {high:.3g}")
            elif low is not None:
                out.append(f"{name} > {low:.3g}")
            else:
                out.append(f"{name} < {high:.3g}")
        return out

    def sentence(self) -> str:
        """One sentence: where and how often the target misses."""
        if not self.limits:
            return (f"{self.target} misses in {_percent(self.miss_rate, 0)} of draws; no "
                    "region of the inputs concentrates the misses.")
        return (f"{self.target} misses in {_percent(self.density, 0)} of draws where "
                f"{' and '.join(self.conditions())} (those draws are "
                f"{_percent(self.mass, 0)} of all and hold {_percent(self.coverage, 0)} of the "
                f"misses; {_percent(self.miss_rate, 0)} miss overall).")

    def to_json(self) -> dict:
        return {"limits": [{"input": n, "low": lo, "high": hi} for n, lo, hi in self.limits],
                "density": self.density, "coverage": self.coverage, "mass": self.mass,
                "miss_rate": self.miss_rate, "sentence": self.sentence()}


def miss_box(target: str, inputs: Mapping[str, np.ndarray], missed: np.ndarray, *,
             limit: int = LIMIT) -> Box | None:
    """The PRIM box of the draws that miss ``target`` (None if none or every draw misses)."""
    import pandas as pd

    try:
        import prim
    except ImportError:
        from forecast.errors import ForecastError

        raise ForecastError("scenario discovery (where each target misses) needs the 'prim' "
                            "package, an optional extra (GPL-3): pip install "
                            "'forecast-plan-odds[discovery]'") from None

    missed = np.asarray(missed, dtype=bool)[:limit]
    inputs = {k: np.asarray(v)[:limit] for k, v in inputs.items()}
    rate = float(missed.mean())
    if rate == 0.0 or rate == 1.0 or not inputs:
        return None
    frame = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in inputs.items()})
    import logging

    logging.getLogger("prim").setLevel(logging.WARNING)
    found = prim.Prim(frame, missed, threshold=0.5, threshold_type=">").find_box()
    if found is None:
        return None
    trajectory = found.peeling_trajectory
    small = trajectory[trajectory["res dim"] <= MAX_DIMENSIONS]
    if small.empty:
        small = trajectory.iloc[:1]
    wanted = min(rate + GAP * (1.0 - rate), float(small["density"].max()))
    chosen = small[small["density"] >= wanted - 1e-12]
    index = int(chosen["coverage"].idxmax())
    found.select(index)
    row = trajectory.loc[index]
    limits = []
    lows, highs = frame.min(), frame.max()
    for name in found.limits.index:
        low, high = (float(v) for v in found.limits.loc[name, ["min", "max"]])
        limits.append((str(name), None if low <= lows[name] else low,
                       None if high >= highs[name] else high))
    limits = [item for item in limits if item[1] is not None or item[2] is not None]
    return Box(target, tuple(limits), float(row["density"]), float(row["coverage"]),
               float(row["mass"]), rate)


def _percent(share: float, decimals: int) -> str:
    """A share in English as the rest of the tool writes it (``80.0 %``)."""
    from forecast.formatting import percent

    return percent(share, decimals, "en")


__all__ = ["Box", "GAP", "LIMIT", "MAX_DIMENSIONS", "miss_box"]
