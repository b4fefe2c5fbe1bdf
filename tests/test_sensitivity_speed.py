"""The Sobol estimators computed once per design agree bit for bit with SALib's, input by
input (the speed-up changes no number)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from conftest import ROOT
from forecast.analysis.sensitivity import sobol_indices

pytest.importorskip("SALib")
sys.path.insert(0, str(ROOT / "benchmarks"))
from sensitivity import salib_indices  # noqa: E402  (the reference: SALib, eight inputs a call)


@pytest.mark.parametrize("n,d,kind", [(4096, 29, "normal"), (257, 5, "normal"),
                                      (1000, 12, "hit"), (64, 1, "normal"), (300, 9, "const")])
def test_sobol_indices_equal_salib_bit_for_bit(n, d, kind):
    rng = np.random.default_rng(n + d)
    x = rng.normal(size=(n, d + 2))
    if kind == "hit":
        x = (x > 0.3).astype(float)
    if kind == "const":
        x = np.ones_like(x)
    matrices = [x[:, i] for i in range(d + 2)]
    names = [f"x{i}" for i in range(d)]
    with np.errstate(all="ignore"):
        expected = salib_indices(matrices, 100, 11)
    got = sobol_indices(names, matrices, resamples=100, seed=11)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
