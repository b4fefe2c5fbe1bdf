"""Grid cells drawn with a guide table are the cells ``Generator.choice`` draws, from the same
uniforms, so the components' fast sampling keeps every result's bits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.models.categorical import GUIDE, Categorical, categorical


def _weights():
    rng = np.random.default_rng(0)
    heavy = rng.random(7) ** 20
    spike = np.r_[np.full(1000, 1e-12), 1.0, np.full(1000, 1e-12)]
    dense = np.exp(-0.5 * np.linspace(-6, 6, 4 * GUIDE) ** 2)  # more cells than slices
    return [np.array([1.0]), np.array([0.0, 0.0, 1.0, 0.0]), heavy / heavy.sum(),
            spike / spike.sum(), dense / dense.sum(), np.full(512, 1 / 512)]


@pytest.mark.parametrize("weight", _weights(), ids=lambda w: f"{w.size} cells")
def test_cells_and_stream_state_match_generator_choice(weight):
    for seed in range(5):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = a.choice(weight.size, size=20_000, p=weight)
        np.testing.assert_array_equal(Categorical(weight).sample(b, 20_000), expected)
        assert a.random() == b.random()  # the same uniforms were consumed


@settings(max_examples=50, deadline=None)
@given(raw=st.lists(st.floats(0, 1e3), min_size=1, max_size=60).filter(lambda w: sum(w) > 0),
       seed=st.integers(0, 2**32 - 1), size=st.integers(0, 300))
def test_any_weights_give_generator_choice_cells(raw, seed, size):
    weight = np.array(raw) / np.sum(raw)
    if abs(weight.sum() - 1.0) > 1e-8:  # Generator.choice refuses such sums
        return
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    np.testing.assert_array_equal(Categorical(weight).sample(b, size),
                                  a.choice(weight.size, size=size, p=weight))


def test_the_table_is_made_once_per_weight_array():
    weight = np.full(10, 0.1)
    assert categorical(weight) is categorical(weight)
    assert categorical(weight.copy()) is not categorical(weight)
