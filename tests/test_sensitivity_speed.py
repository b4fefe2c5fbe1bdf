"""The Sobol estimators computed once per design agree bit for bit with SALib's, input by
input (the speed-up changes no number)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.analysis.sensitivity import sobol_indices

pytest.importorskip("SALib")


def _salib(names, matrices, resamples, seed):
    """The estimators as SALib computes them, one broadcast array per call (the previous
    implementation, kept here as the reference)."""
    from SALib.analyze.sobol import first_order, total_order

    D = len(names)
    Y = np.column_stack(matrices)
    if np.std(np.r_[Y[:, 0], Y[:, -1]]) <= 0.0 or D == 0:
        return (np.zeros(D),) * 4
    Y = (Y - Y.mean()) / Y.std()
    a, ab, b = Y[:, :1], Y[:, 1:-1], Y[:, -1:]
    n = len(Y)
    rows = np.random.default_rng(seed).integers(n, size=(n, resamples))
    s1_reps, st_reps = np.empty((resamples, D)), np.empty((resamples, D))
    ar, br = a[rows], b[rows]
    for start in range(0, D, 8):
        cols = slice(start, min(start + 8, D))
        abr = ab[:, cols][rows]
        wide_a, wide_b = np.broadcast_to(ar, abr.shape), np.broadcast_to(br, abr.shape)
        s1_reps[:, cols] = first_order(wide_a, abr, wide_b)
        st_reps[:, cols] = total_order(wide_a, abr, wide_b)
    wide_a, wide_b = np.broadcast_to(a, ab.shape), np.broadcast_to(b, ab.shape)
    return (first_order(wide_a, ab, wide_b), s1_reps.std(axis=0, ddof=1),
            total_order(wide_a, ab, wide_b), st_reps.std(axis=0, ddof=1))


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
        expected = _salib(names, matrices, 100, 11)
    got = sobol_indices(names, matrices, resamples=100, seed=11)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
