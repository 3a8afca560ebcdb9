"""Tests of xentlab.labels: one_hot and smooth_labels, and label_smoothing= equivalences."""

import numpy as np
import pytest

import xentlab as xl


def test_one_hot_matches_identity_rows():
    labels = np.array([2, 0, 1, 2])
    expected = np.eye(3)[labels]  # independent construction
    np.testing.assert_array_equal(xl.one_hot(labels, 3), expected)


def test_one_hot_keeps_batch_shape_and_dtype():
    labels = np.array([[0, 1], [2, 3]])
    out = xl.one_hot(labels, 4, dtype=np.float32)
    assert out.shape == (2, 2, 4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(axis=-1), labels)
    np.testing.assert_array_equal(out.sum(axis=-1), np.ones((2, 2)))


def test_one_hot_accepts_whole_float_labels():
    np.testing.assert_array_equal(xl.one_hot([1.0, 0.0], 2), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    ("labels", "n_classes", "error", "match"),
    [
        ([0, 3], 3, ValueError, r"labels must be class indices in \[0, 3\) for 3 classes"),
        ([1, 2, 3], 3, ValueError, "coded from 1: subtract 1"),
        ([0.5], 2, ValueError, "whole-number class indices"),
        ([0, 1], 0, ValueError, "n_classes must be >= 1, got 0"),
        ([0, 1], 2.0, TypeError, "n_classes must be an int, got 2.0"),
        (["a"], 2, TypeError, "labels must be integer class indices"),
    ],
)
def test_one_hot_errors(labels, n_classes, error, match):
    with pytest.raises(error, match=match):
        xl.one_hot(labels, n_classes)


def test_one_hot_rejects_non_numeric_dtype():
    with pytest.raises(TypeError, match="dtype must be a numeric dtype"):
        xl.one_hot([0], 2, dtype=str)


def test_smooth_labels_values_and_sums():
    y = xl.one_hot([0, 2], 4)
    out = xl.smooth_labels(y, 0.2)
    np.testing.assert_allclose(out[0], [0.85, 0.05, 0.05, 0.05])
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(xl.smooth_labels(y, 0.0), y)
    np.testing.assert_allclose(xl.smooth_labels(y, 1.0), np.full((2, 4), 0.25))


def test_smooth_labels_float32_in_float32_out():
    out = xl.smooth_labels(np.eye(3, dtype=np.float32), 0.1)
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    ("labels", "e", "error", "match"),
    [
        ([[0.0, 1.0]], 1.5, ValueError, r"e must be in \[0, 1\], got 1.5"),
        ([[0.0, 1.0]], -0.1, ValueError, r"e must be in \[0, 1\], got -0.1"),
        ([[0.0, 1.0]], "0.1", TypeError, "e must be a real number"),
        ([[0.0, 2.0]], 0.1, ValueError, r"labels must hold probabilities in \[0, 1\]"),
        (1.0, 0.1, ValueError, "labels must have at least 1 dimension"),
    ],
)
def test_smooth_labels_errors(labels, e, error, match):
    with pytest.raises(error, match=match):
        xl.smooth_labels(labels, e)


@pytest.mark.parametrize("e", [0.0, 0.1, 0.5, 1.0])
def test_label_smoothing_option_equals_ce_against_smoothed_labels(e):
    rng = np.random.default_rng(0)
    probs = xl.softmax(rng.standard_normal((20, 5)))
    labels = rng.integers(0, 5, size=20)
    target = xl.smooth_labels(xl.one_hot(labels, 5), e)
    reference = xl.categorical_cross_entropy(target, probs, reduction="none")
    dense = xl.categorical_cross_entropy(
        xl.one_hot(labels, 5), probs, label_smoothing=e, reduction="none"
    )
    sparse = xl.sparse_categorical_cross_entropy(
        labels, probs, label_smoothing=e, reduction="none"
    )
    np.testing.assert_allclose(dense, reference, rtol=1e-12)
    np.testing.assert_allclose(sparse, reference, rtol=1e-12)


def test_smoothed_ce_from_logits_equals_softmax_ce():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((10, 3))
    target = xl.smooth_labels(xl.one_hot(rng.integers(0, 3, 10), 3), 0.1)
    np.testing.assert_allclose(
        xl.softmax_cross_entropy_with_logits(labels=target, logits=logits),
        xl.categorical_cross_entropy(target, xl.softmax(logits), reduction="none"),
        rtol=1e-12,
    )
