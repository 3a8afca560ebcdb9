"""Block-wise evaluation of the elementwise kernels (xentlab/_blocks.py).

Inputs above ``BLOCK_ELEMENTS`` take the blocked path; the unit and property
tests elsewhere use small arrays, so these tests pin the large-input path to
the same bits and check that it keeps the memory bound it exists for.
"""

import tracemalloc

import numpy as np
import pytest

import xentlab as xl
from xentlab import _blocks

rng = np.random.default_rng(20261121)
# 70,001 x 3 elements: several blocks, the last one short.
SHAPE = (70_001, 3)
LOGITS = rng.normal(0.0, 8.0, SHAPE)
LABELS = (rng.random(SHAPE) < 0.3).astype(np.float64)
PROBS = xl.sigmoid(LOGITS)

CASES = {
    "sigmoid": lambda x, z, p, q: xl.sigmoid(x),
    "log_sigmoid": lambda x, z, p, q: xl.log_sigmoid(x),
    "sigmoid_ce": lambda x, z, p, q: xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
    "weighted_ce_scalar": lambda x, z, p, q: xl.weighted_cross_entropy_with_logits(
        labels=z, logits=x, pos_weight=3.0
    ),
    "weighted_ce_per_class": lambda x, z, p, q: xl.weighted_cross_entropy_with_logits(
        labels=z, logits=x, pos_weight=np.array([0.5, 2.0, 7.0])
    ),
    "weighted_ce_full_shape": lambda x, z, p, q: xl.weighted_cross_entropy_with_logits(
        labels=z, logits=x, pos_weight=q
    ),
    "binary_cross_entropy": lambda x, z, p, q: xl.binary_cross_entropy(z, p, reduction="none"),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(CASES))
def test_blocked_path_gives_the_same_bits_as_one_block(name, dtype, monkeypatch):
    x, z, p = (a.astype(dtype) for a in (LOGITS, LABELS, PROBS))
    q = 1.0 + z[::-1] * 4.0
    blocked = CASES[name](x, z, p, q)
    monkeypatch.setattr(_blocks, "BLOCK_ELEMENTS", 1 << 40)
    whole = CASES[name](x, z, p, q)
    assert blocked.dtype == whole.dtype == dtype
    assert blocked.shape == SHAPE
    np.testing.assert_array_equal(blocked, whole)


def test_inputs_with_one_row_or_no_rows_are_passed_whole():
    calls = []

    def kernel(a):
        calls.append(a.shape)
        return a * 2

    big_row = np.ones((1, _blocks.BLOCK_ELEMENTS * 2))
    np.testing.assert_array_equal(
        _blocks.elementwise_in_blocks(kernel, big_row.shape, big_row.dtype, big_row), 2 * big_row
    )
    assert calls == [big_row.shape]
    scalar = np.float64(1.5)
    assert _blocks.elementwise_in_blocks(kernel, (), np.float64, scalar) == 3.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_peak_memory_stays_near_one_output(name):
    # The output is one array the size of the logits; the blocks add about 2 MiB
    # of temporaries whatever the input size, so on an input of 16 MB the peak
    # stays far below the target of 2x the input.
    x = np.random.default_rng(1).normal(0.0, 8.0, (700_000, 3))
    z = (x > 1.0).astype(np.float64)
    p, q = xl.sigmoid(x), 1.0 + 4.0 * z  # the arguments are made before measuring
    tracemalloc.start()
    try:
        CASES[name](x, z, p, q)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / x.nbytes < 1.5, f"{name}: peak {peak / x.nbytes:.2f} x the input"
