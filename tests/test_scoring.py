"""Tests of xentlab.scoring: the Brier score against scikit-learn, and its properties."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss

import xentlab as xl


def multiclass(n=8, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, c, size=n), rng.dirichlet(np.ones(c), size=n)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 20), st.integers(0, 10_000), st.booleans())
def test_binary_equals_scikit_learn(n, seed, weighted):
    rng = np.random.default_rng(seed)
    y, p = rng.integers(0, 2, size=n), rng.random(n)
    s = rng.uniform(0.1, 2.0, size=n) if weighted else None
    assert xl.brier_score(y, p, sample_weight=s) == pytest.approx(
        brier_score_loss(y, p, sample_weight=s), rel=1e-13
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 20), st.integers(3, 6), st.integers(0, 10_000))
def test_multiclass_equals_scikit_learn(n, c, seed):
    y, p = multiclass(n, c, seed)
    ref = brier_score_loss(y, p, labels=np.arange(c))
    assert xl.brier_score(y, p) == pytest.approx(ref, rel=1e-13)
    assert xl.brier_score(np.eye(c)[y], p) == pytest.approx(ref, rel=1e-13)


def test_one_hot_predictions_score_zero_or_two():
    p = np.eye(3)[[0, 1, 2]]
    np.testing.assert_array_equal(xl.brier_score([0, 1, 2], p, reduction="none"), [0, 0, 0])
    np.testing.assert_array_equal(xl.brier_score([1, 2, 0], p, reduction="none"), [2, 2, 2])
    np.testing.assert_array_equal(xl.brier_score([1, 0], [1.0, 0.0], reduction="none"), [0, 0])
    np.testing.assert_array_equal(xl.brier_score([0, 1], [1.0, 0.0], reduction="none"), [1, 1])


def test_binary_is_half_the_two_column_score():
    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 2, size=10), rng.random(10)
    two = np.stack([1 - p, p], axis=1)
    np.testing.assert_allclose(
        xl.brier_score(y, p, reduction="none"),
        0.5 * xl.brier_score(y, two, reduction="none"),
        rtol=1e-13,
    )


def test_soft_targets_axis_and_reductions():
    y, p = multiclass(6, 3, 2)
    target = np.random.default_rng(2).dirichlet(np.ones(3), size=6)
    per = xl.brier_score(target, p, reduction="none")
    np.testing.assert_allclose(per, ((p - target) ** 2).sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(
        xl.brier_score(y, p.T, axis=0, reduction="none"),
        xl.brier_score(y, p, reduction="none"),
        rtol=1e-15,
    )
    assert xl.brier_score(target, p, reduction="sum") == pytest.approx(per.sum())
    s = np.arange(6.0)
    assert xl.brier_score(target, p, sample_weight=s) == pytest.approx((s * per).sum() / s.sum())


def test_gradient():
    y, p = multiclass(4, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the steps de-normalise p
        assert (
            xl.check_gradient(
                lambda v: xl.brier_score(y, v, reduction="sum"),
                lambda v: xl.brier_score_grad(y, v),
                p,
            )
            < 1e-8
        )
    rng = np.random.default_rng(3)
    yb, pb = rng.integers(0, 2, size=5), rng.uniform(0.1, 0.9, size=5)
    assert (
        xl.check_gradient(
            lambda v: xl.brier_score(yb, v, reduction="sum"),
            lambda v: xl.brier_score_grad(yb, v),
            pb,
        )
        < 1e-8
    )
    np.testing.assert_array_equal(xl.brier_score_grad([0], [[0.75, 0.25]]), [[-0.5, 0.5]])


def test_float32_in_float32_out_and_inputs_unchanged():
    y, p = multiclass(5, 3, 4)
    p32 = p.astype(np.float32)
    before = p32.copy()
    for reduction in ("mean", "sum", "none"):
        assert xl.brier_score(y, p32, reduction=reduction).dtype == np.float32
        assert xl.brier_score(y % 2, p32[:, 0], reduction=reduction).dtype == np.float32
    assert xl.brier_score_grad(y, p32).dtype == np.float32
    assert xl.brier_score([0, 1], [1, 0]).dtype == np.float64
    np.testing.assert_array_equal(p32, before)


def test_errors():
    with pytest.raises(
        ValueError,
        match=re.escape("y_prob must hold probabilities in [0, 1], but y_prob[1] = 1.5"),
    ):
        xl.brier_score([0, 1], [0.5, 1.5])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "y_true must hold 0/1 labels (or probabilities of the positive class) for binary "
            "input, but y_true[0] = -1.0; map labels such as {-1, 1} to {0, 1} first"
        ),
    ):
        xl.brier_score([-1, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match=re.escape("y_true contains NaN (first at index 1")):
        xl.brier_score([0, np.nan], [0.5, 0.5])
    with pytest.raises(
        ValueError,
        match=re.escape("y_true must be class indices in [0, 3) for 3 classes, but y_true[1] = 3"),
    ):
        xl.brier_score([0, 3], [[0.2, 0.3, 0.5]] * 2)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "y_true must have shape (2,) (one class index per example), got shape (3,)."
        ),
    ):
        xl.brier_score([0, 1, 2], [[0.2, 0.3, 0.5]] * 2)
    with pytest.warns(UserWarning, match=re.escape("y_prob does not sum to 1 along axis 1")):
        xl.brier_score([0, 1], [[0.2, 0.3], [0.5, 0.5]])
    with pytest.raises(
        ValueError, match=re.escape("reduction must be one of ('mean', 'sum', 'none'), got 'avg'.")
    ):
        xl.brier_score([0, 1], [0.5, 0.5], reduction="avg")
