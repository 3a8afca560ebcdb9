"""Block-wise evaluation of the kernels (xentlab/_blocks.py).

Elementwise kernels run on blocks of ``BLOCK_ELEMENTS``, row reductions on
blocks of ``ROW_BLOCK_ELEMENTS``; the unit and property tests elsewhere use
small arrays, so these tests pin the large-input path to the same bits and
check that it keeps the memory bound it exists for (the target: a peak of at
most 2x the input, output included, for every public function).
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import sklearn.metrics

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


# Checks run block by block (elementwise_in_blocks(checks=...)): a bad value in a late
# block must still be reported with its position in the whole input.
LATE = (69_998, 1)


@pytest.mark.parametrize(
    "name, arg, bad, message",
    [
        ("sigmoid_ce", "x", np.nan, r"logits contains NaN \(first at index \(69998, 1\)"),
        ("sigmoid_ce", "x", np.inf, r"logits contains \+inf at index \(69998, 1\)"),
        (
            "sigmoid_ce",
            "z",
            1.5,
            r"labels must hold probabilities in \[0, 1\], but "
            r"labels\[\(69998, 1\)\] = 1.5",
        ),
        ("weighted_ce_scalar", "z", -0.5, r"labels\[\(69998, 1\)\] = -0.5"),
        ("sigmoid", "x", np.nan, r"x contains NaN \(first at index \(69998, 1\), 1 in all\)"),
        ("log_sigmoid", "x", np.nan, r"x contains NaN \(first at index \(69998, 1\)"),
        ("binary_cross_entropy", "p", 1.25, r"y_pred\[\(69998, 1\)\] = 1.25"),
        (
            "binary_cross_entropy",
            "z",
            np.nan,
            r"y_true contains NaN \(first at index \(69998, 1\)",
        ),
    ],
)
def test_a_bad_value_in_a_late_block_is_named_by_its_position(name, arg, bad, message):
    x, z, p = LOGITS.copy(), LABELS.copy(), PROBS.copy()
    {"x": x, "z": z, "p": p}[arg][LATE] = bad
    with pytest.raises(ValueError, match=message):
        CASES[name](x, z, p, 1.0 + z)


def test_values_the_fast_block_checks_doubt_are_accepted():
    # -0.0 labels fail the bit-pattern test, and logits of 1e308 overflow the block sum:
    # both send the whole input through the full checks, which find nothing wrong.
    x, z = LOGITS.copy(), LABELS.copy()
    z[::1_000, 0] = -0.0
    x[::7_000, 2] = 1e308
    got = xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    np.testing.assert_array_equal(got[::7_000, 2], 1e308 * (1 - z[::7_000, 2]))
    assert np.all(np.isfinite(got))


# ------------------------------------------------------------------ row reductions

ROWS = rng.normal(0.0, 3.0, (9_001, 12))
ROW_LABELS = rng.integers(0, 12, 9_001)
ROW_P = xl.softmax(ROWS)
ROW_Q = xl.softmax(0.5 * ROWS)
ROW_ONEHOT = np.eye(12)[ROW_LABELS]

REDUCTIONS = {
    "sparse_softmax_ce": lambda x, y, p, q, z, axis: xl.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=x, axis=axis
    ),
    "softmax_ce": lambda x, y, p, q, z, axis: xl.softmax_cross_entropy_with_logits(
        labels=z, logits=x, axis=axis
    ),
    "logsumexp": lambda x, y, p, q, z, axis: xl.logsumexp(x, axis=axis),
    "entropy": lambda x, y, p, q, z, axis: xl.entropy(p, axis=axis),
    "cross_entropy": lambda x, y, p, q, z, axis: xl.cross_entropy(p, q, axis=axis),
    "kl_divergence": lambda x, y, p, q, z, axis: xl.kl_divergence(p, q, axis=axis),
    "categorical_ce": lambda x, y, p, q, z, axis: xl.categorical_cross_entropy(
        z, p, axis=axis, reduction="none"
    ),
    "categorical_ce_options": lambda x, y, p, q, z, axis: xl.categorical_cross_entropy(
        z,
        p,
        axis=axis,
        reduction="none",
        label_smoothing=0.1,
        eps=1e-7,
        class_weight=np.linspace(0.5, 2.0, 12),
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_row_blocks_give_the_same_bits_as_one_block(name, dtype, monkeypatch):
    # 9,001 rows of 12 in blocks of 100 rows: many blocks, the last one short.
    args = [
        a.astype(dtype) if a.dtype.kind == "f" else a
        for a in (ROWS, ROW_LABELS, ROW_P, ROW_Q, ROW_ONEHOT)
    ]
    monkeypatch.setattr(_blocks, "ROW_BLOCK_ELEMENTS", 1_200)
    blocked = REDUCTIONS[name](*args, axis=-1)
    monkeypatch.setattr(_blocks, "ROW_BLOCK_ELEMENTS", 1 << 40)
    whole = REDUCTIONS[name](*args, axis=-1)
    assert blocked.dtype == whole.dtype == dtype
    assert blocked.shape == (9_001,)
    np.testing.assert_array_equal(blocked, whole)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_row_reductions_along_another_axis_equal_moveaxis(name, monkeypatch):
    # (N, C) laid out as (C, 3, N / 3): the class axis first, a batch of two axes.
    monkeypatch.setattr(_blocks, "ROW_BLOCK_ELEMENTS", 1_200)
    n = 9_000
    x, y, p, q, z = ROWS[:n], ROW_LABELS[:n], ROW_P[:n], ROW_Q[:n], ROW_ONEHOT[:n]
    expected = REDUCTIONS[name](x, y, p, q, z, axis=-1).reshape(3, n // 3)

    def classes_first(a):
        return np.moveaxis(a.reshape(3, n // 3, 12), -1, 0)

    got = REDUCTIONS[name](
        classes_first(x),
        y.reshape(3, n // 3),
        classes_first(p),
        classes_first(q),
        classes_first(z),
        axis=0,
    )
    assert got.shape == (3, n // 3)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-300)


def test_row_blocks_cover_every_row_once():
    for n_rows, n_columns in [(1, 5), (10, 1), (10_000, 3), (7, 1 << 20), (131_073, 1)]:
        blocks = _blocks.row_blocks(n_rows, n_columns)
        covered = np.concatenate([np.arange(n_rows)[b] for b in blocks])
        np.testing.assert_array_equal(covered, np.arange(n_rows))
        assert all(b.stop > b.start for b in blocks)


# ------------------------------------------------------------------ memory, every function


MASK = np.arange(100_000 * 10).reshape(100_000, 10) % 10 < 9  # the last class is masked


def _memory_cases():
    r = np.random.default_rng(1)
    x = r.normal(0, 3, (100_000, 10))
    labels = r.integers(0, 10, 100_000)
    onehot = np.eye(10)[labels]
    p, q = xl.softmax(x), xl.softmax(0.5 * x)
    flat = x.ravel()
    z = (r.uniform(size=flat.size) < 0.5).astype(np.float64)
    pb = xl.sigmoid(flat)
    # (function, input, call, peak bound as a multiple of the input): outputs the size
    # of the input need 1x, per-row outputs ~0.1x; the rest is block-sized temporaries.
    return [
        (
            "sparse_softmax_cross_entropy_with_logits",
            x,
            lambda: xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x),
            0.5,
        ),
        (
            "softmax_cross_entropy_with_logits",
            x,
            lambda: xl.softmax_cross_entropy_with_logits(labels=onehot, logits=x),
            0.5,
        ),
        (
            "sigmoid_cross_entropy_with_logits",
            flat,
            lambda: xl.sigmoid_cross_entropy_with_logits(labels=z, logits=flat),
            1.5,
        ),
        (
            "weighted_cross_entropy_with_logits",
            flat,
            lambda: xl.weighted_cross_entropy_with_logits(labels=z, logits=flat, pos_weight=2.0),
            1.5,
        ),
        ("log_softmax", x, lambda: xl.log_softmax(x), 2.0),
        ("softmax", x, lambda: xl.softmax(x), 2.0),
        ("logsumexp", x, lambda: xl.logsumexp(x), 0.5),
        ("sigmoid", flat, lambda: xl.sigmoid(flat), 1.5),
        ("log_sigmoid", flat, lambda: xl.log_sigmoid(flat), 1.5),
        ("log_loss", p, lambda: xl.log_loss(labels, p), 0.5),
        (
            "binary_cross_entropy",
            pb,
            lambda: xl.binary_cross_entropy(z, pb, reduction="none"),
            1.5,
        ),
        (
            "categorical_cross_entropy",
            p,
            lambda: xl.categorical_cross_entropy(onehot, p, reduction="none"),
            0.5,
        ),
        (
            "sparse_categorical_cross_entropy",
            p,
            lambda: xl.sparse_categorical_cross_entropy(labels, p, reduction="none"),
            0.5,
        ),
        ("entropy", p, lambda: xl.entropy(p), 0.5),
        ("cross_entropy", p, lambda: xl.cross_entropy(p, q), 0.5),
        # The KL kernel holds ~8 block-sized float64 temporaries, ~9 MB whatever the input
        # size: 1.2x this 8 MB input, 0.6x the 16 MB of `make bench`, less beyond.
        ("kl_divergence", p, lambda: xl.kl_divergence(p, q), 1.5),
        ("generalized_kl_divergence", p, lambda: xl.generalized_kl_divergence(p, q), 1.5),
        # Elementwise terms, not blocked: four full-size float64 temporaries (4.1x).
        (
            "kl_divergence_from_log",
            p,
            lambda: xl.kl_divergence_from_log(p, np.log(q), reduction="none"),
            4.5,
        ),
        # Every option of the loss from logits at once: still one block loop (0.63x).
        (
            "sparse_categorical_cross_entropy from logits, all options",
            x,
            lambda: xl.sparse_categorical_cross_entropy(
                labels,
                x,
                from_logits=True,
                label_smoothing=0.1,
                class_weight=np.ones(10),
                where=MASK,
                z_loss=1e-4,
            ),
            1.0,
        ),
        # Full-size temporaries, not blocked (measured 1.4x to 1.8x).
        ("nll_loss", x, lambda: xl.nll_loss(labels, np.log(p)), 2.0),
        ("brier_score", p, lambda: xl.brier_score(labels, p), 2.0),
        (
            "categorical_focal_loss",
            x,
            lambda: xl.categorical_focal_loss(onehot, x, from_logits=True),
            2.0,
        ),
        (
            "poly1_cross_entropy",
            x,
            lambda: xl.poly1_cross_entropy(onehot, x, from_logits=True),
            2.0,
        ),
    ]


MEMORY_CASES = {name: case for name, *case in _memory_cases()}


def test_memory_cases_cover_every_public_loss_and_activation():
    from test_accuracy import FUNCTIONS

    hinges = {"hinge_loss", "multiclass_hinge_loss", "crammer_singer_hinge_loss"}
    assert set(FUNCTIONS) - hinges <= set(MEMORY_CASES)


@pytest.mark.parametrize("name", sorted(MEMORY_CASES))
def test_peak_memory_of_every_function(name):
    arr, call, bound = MEMORY_CASES[name]
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / arr.nbytes <= bound, f"{name}: peak {peak / arr.nbytes:.2f} x the input"


# ------------------------------------------------------------------ log_loss's fused pass


BIG_P = rng.dirichlet(np.ones(4), 100_000)
BIG_Y = rng.integers(0, 4, 100_000)


def test_log_loss_over_many_blocks_equals_scikit_learn():
    assert xl.log_loss(BIG_Y, BIG_P) == pytest.approx(
        sklearn.metrics.log_loss(BIG_Y, BIG_P), rel=1e-13
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        (-0.25, r"y_pred must hold probabilities in \[0, 1\], but y_pred\[\(98765, 2\)\] = -0.25"),
        (np.nan, r"y_pred contains NaN \(first at index \(98765, 2\), 1 in all\)"),
    ],
)
def test_log_loss_names_a_bad_value_in_a_late_block(bad, message):
    p = BIG_P.copy()
    p[98_765, 2] = bad
    with pytest.raises(ValueError, match=message):
        xl.log_loss(BIG_Y, p)


def test_log_loss_warns_once_for_rows_off_in_several_blocks():
    p = BIG_P.copy()
    p[[70_000, 90_000], 0] += 0.01
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        xl.log_loss(BIG_Y, p)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # attributed to the caller's line
    assert "the sum at 70000 is 1.01 (2 of 100000 slices are off)" in str(caught[0].message)


def test_log_loss_accepts_negative_zero_in_every_block():
    p = BIG_P.copy()
    p[::1_000, 0] = -0.0
    p[::1_000, 1:] /= p[::1_000, 1:].sum(axis=1, keepdims=True)
    y = BIG_Y.copy()
    y[::1_000] = 1
    assert xl.log_loss(y, p) == pytest.approx(sklearn.metrics.log_loss(y, p), rel=1e-13)
