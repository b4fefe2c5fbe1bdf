"""Fast draws of grid cells: the same numbers as ``Generator.choice(n, size, p=weight)``.

Components draw posterior grid cells for every block of draws. ``Generator.choice`` with
probabilities checks them, sums them and binary-searches their cumulative sum for every draw
(about 40 ns a draw for 512 cells: the searches mispredict). :class:`Categorical` does the
checks and the sum once per weight vector and finds most cells with a guide table: the uniform
``u`` of a draw falls in one of :data:`GUIDE` equal slices of [0, 1); where no cumulative
weight lies inside its slice, the cell is known from the slice alone, and the few draws that
fall in a slice holding a cumulative weight are binary-searched as before. It consumes the same
uniforms (``Generator.random(size)``) and returns the same cells as ``Generator.choice``
(``tests/test_categorical.py``), so results keep their bits.
"""

from __future__ import annotations

import weakref

import numpy as np

GUIDE = 1 << 15
"""Slices of the guide table (a power of two, so ``u * GUIDE`` is exact)."""

_CACHE: dict[int, tuple[weakref.ref, "Categorical"]] = {}


class Categorical:
    """Cells ``0 .. n - 1`` drawn with probabilities ``weight`` (see the module docstring)."""

    def __init__(self, weight: np.ndarray):
        weight = np.asarray(weight, dtype=float).ravel()
        self.size = weight.size
        cdf = weight.cumsum()
        cdf /= cdf[-1]  # as Generator.choice does
        self.cdf = cdf
        # guide[k]: the cell of the smallest u of slice k, k / GUIDE (the cells with cdf <= u)
        self.guide = cdf.searchsorted(np.arange(GUIDE + 1) / GUIDE, side="right")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` cells, as ``rng.choice(n, size=size, p=weight)`` draws them."""
        u = rng.random(size)
        slice_ = (u * GUIDE).astype(np.intp)
        cell = self.guide[slice_]
        unsure = np.flatnonzero(cell != self.guide[slice_ + 1])
        if unsure.size:
            cell[unsure] = self.cdf.searchsorted(u[unsure], side="right")
        return cell


def categorical(weight: np.ndarray) -> Categorical:
    """The :class:`Categorical` of a weight array, made once per array object.

    Posterior weights are never modified after calibration, so the table is cached by the
    array's identity (and dropped when the array is).
    """
    key = id(weight)
    found = _CACHE.get(key)
    if found is not None and found[0]() is weight:
        return found[1]
    table = Categorical(weight)
    try:
        ref = weakref.ref(weight, lambda _, key=key: _CACHE.pop(key, None))
    except TypeError:  # not weak-referenceable (a list): no caching
        return table
    _CACHE[key] = (ref, table)
    return table
