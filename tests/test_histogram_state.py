"""The histograms' state: rows that equal an earlier row share its state until they differ, and
nothing about that sharing changes a count, a minimum, a maximum or a quantile."""

from __future__ import annotations

import pickle

import numpy as np

from forecast.histograms import Binning, Histograms

QS = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0]


def _separately(binning: Binning, blocks: list[np.ndarray]) -> list[Histograms]:
    """One histogram per row, each on its own (no row can share another's state)."""
    out = []
    for row in range(blocks[0].shape[0]):
        one = Binning(binning.center[[row]], binning.scale[[row]], binning.low[[row]],
                      binning.density[[row]], binning.bins)
        h = Histograms(one, 1)
        for block in blocks:
            h.add(block[[row]])
        out.append(h)
    return out


def _same(together: Histograms, alone: list[Histograms]) -> None:
    for row, h in enumerate(alone):
        np.testing.assert_array_equal(together.counts[row], h.counts[0])
        np.testing.assert_array_equal(together.low[row], h.low[0])
        np.testing.assert_array_equal(together.high[row], h.high[0])
        np.testing.assert_array_equal(together.quantiles(QS)[0][row], h.quantiles(QS)[0][0])
        np.testing.assert_array_equal(together.quantiles(QS)[1][row], h.quantiles(QS)[1][0])


def _blocks(diverge_at: int | None) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    blocks = []
    for k in range(6):
        a = rng.lognormal(size=500)
        b = a.copy() if diverge_at is None or k < diverge_at else rng.lognormal(size=500)
        blocks.append(np.stack([a, rng.normal(size=500), b, a.copy()]))
    return blocks


def test_twin_rows_are_found_from_the_pilot():
    pilot = _blocks(None)[0]
    h = Histograms(Binning.from_pilot(pilot, bins=256), 4)
    assert h._twin == {2: 0, 3: 0}


def test_twin_rows_that_stay_equal_or_diverge_give_the_same_state_as_rows_alone():
    for diverge_at in (None, 1, 3, 5):
        blocks = _blocks(diverge_at)
        binning = Binning.from_pilot(blocks[0], bins=256)
        together = Histograms(binning, 4)
        for block in blocks:
            together.add(block)
        assert (2 in together._twin) == (diverge_at is None)
        _same(together, _separately(binning, blocks))


def test_merging_parts_with_different_twins_is_exact_and_order_free():
    blocks = _blocks(3)
    binning = Binning.from_pilot(blocks[0], bins=256)
    whole = Histograms(binning, 4)
    for block in blocks:
        whole.add(block)
    first, second = Histograms(binning, 4), Histograms(binning, 4)
    for block in blocks[:3]:
        first.add(block)   # rows 2 and 3 still twins of row 0 here
    for block in blocks[3:]:
        second.add(block)  # row 2 differs from row 0 here
    assert first._twin != second._twin
    for a, b in ((first, second), (second, first)):
        merged = pickle.loads(pickle.dumps(a))
        merged.merge(pickle.loads(pickle.dumps(b)))
        np.testing.assert_array_equal(merged.counts, whole.counts)
        np.testing.assert_array_equal(merged.low, whole.low)
        np.testing.assert_array_equal(merged.high, whole.high)
        np.testing.assert_array_equal(merged.quantiles(QS)[0], whole.quantiles(QS)[0])


def test_a_nan_in_a_twin_row_parts_it_from_its_twin():
    blocks = _blocks(None)
    blocks[2] = blocks[2].copy()
    blocks[2][3, 10] = np.nan
    binning = Binning.from_pilot(blocks[0], bins=256)
    h = Histograms(binning, 4)
    for block in blocks:
        h.add(block)
    assert 3 not in h._twin and 2 in h._twin
    assert np.isnan(h.quantiles([0.5])[0][3, 0]) and not np.isnan(h.quantiles([0.5])[0][0, 0])
    assert h.counts[3].sum() == 6 * 500 - 1
