"""Tests of xentlab.labels: one_hot and smooth_labels, and label_smoothing= equivalences."""

import re
from fractions import Fraction

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
    ("labels", "error", "match"),
    [
        ([0, 3], ValueError, r"labels must be class indices in \[0, 3\) for 3 classes"),
        ([1, 2, 3], ValueError, "coded from 1: subtract 1"),
        ([0.5], ValueError, "whole-number class indices"),
        ([np.nan], ValueError, re.escape("labels contains NaN (first at index 0, 1 in all)")),
        (["a"], TypeError, "labels must be integer class indices"),
        (
            [[0, 1], [2]],
            ValueError,
            re.escape("labels could not be converted to a numeric array ("),
        ),
    ],
)
def test_one_hot_label_errors(labels, error, match):
    with pytest.raises(error, match=match):
        xl.one_hot(labels, 3)


_N_HINT = "; pass the number of classes, for example int(labels.max()) + 1."


@pytest.mark.parametrize(
    ("n_classes", "error", "message"),
    [
        (0, ValueError, "n_classes must be finite and >= 1, got 0" + _N_HINT),
        (np.int64(-2), ValueError, "n_classes must be finite and >= 1, got -2" + _N_HINT),
        (2.0, TypeError, "n_classes must be an integer, got 2.0 (float)."),
        (np.float32(2.0), TypeError, "n_classes must be an integer, got 2.0 (float32)."),
        (np.nan, TypeError, "n_classes must be an integer, got nan (float)."),
        (np.inf, TypeError, "n_classes must be an integer, got inf (float)."),
        (Fraction(2), TypeError, "n_classes must be an integer, got Fraction(2, 1) (Fraction)."),
        (True, TypeError, "n_classes must be an integer, got True (bool)."),
        (2j, TypeError, "n_classes must be an integer, got 2j (complex)."),
        ("2", TypeError, "n_classes must be an integer, got '2' (str)."),
        (None, TypeError, "n_classes must be an integer, got None."),
        (np.array([2]), TypeError, "n_classes must be an integer, got an array of shape (1,)."),
    ],
)
def test_n_classes_option_errors(n_classes, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.one_hot([0, 1], n_classes)


@pytest.mark.parametrize("n_classes", [2, np.int8(2), np.uint64(2)])
def test_n_classes_accepts_any_integer(n_classes):
    np.testing.assert_array_equal(xl.one_hot([1, 0], n_classes), [[0, 1], [1, 0]])


def test_one_hot_ragged_labels_name_the_argument():
    message = "labels could not be converted to a numeric array ("
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        xl.one_hot([[0, 1], [1]], 2)
    assert str(caught.value).endswith("; pass an array or a rectangular nested list of numbers.")


@pytest.mark.parametrize(
    ("dtype", "message"),
    [
        (
            str,
            "dtype must be a numeric dtype (float, int or bool), got <U0; np.float64 or "
            "np.float32 are the usual choices.",
        ),
        (np.complex128, "dtype must be a numeric dtype (float, int or bool), got complex128;"),
        (
            "float65",
            "dtype must be a NumPy dtype, got 'float65' (str); np.float64 or "
            "np.float32 are the usual choices.",
        ),
        (5, "dtype must be a NumPy dtype, got 5 (int);"),
    ],
)
def test_one_hot_rejects_non_numeric_dtype(dtype, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        xl.one_hot([0], 2, dtype=dtype)


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
    ("labels", "error", "match"),
    [
        ([[0.0, 2.0]], ValueError, r"labels must hold probabilities in \[0, 1\]"),
        (1.0, ValueError, re.escape("labels must have at least 1 dimension(s), got shape ()")),
    ],
)
def test_smooth_labels_label_errors(labels, error, match):
    with pytest.raises(error, match=match):
        xl.smooth_labels(labels, 0.1)


@pytest.mark.parametrize(
    ("e", "error", "message"),
    [
        (1.5, ValueError, "e must be in [0, 1], got 1.5; 0.1 is typical."),
        (-0.1, ValueError, "e must be in [0, 1], got -0.1; 0.1 is typical."),
        (np.float64(2.0), ValueError, "e must be in [0, 1], got 2.0; 0.1 is typical."),
        (np.nan, ValueError, "e must be in [0, 1], got nan; 0.1 is typical."),
        (np.inf, ValueError, "e must be in [0, 1], got inf; 0.1 is typical."),
        ("0.1", TypeError, "e must be a real number, got '0.1' (str)."),
        (True, TypeError, "e must be a real number, got True (bool)."),
        (0.1j, TypeError, "e must be a real number, got 0.1j (complex)."),
        (None, TypeError, "e must be a real number, got None."),
        (np.array([0.1]), TypeError, "e must be a real number, got an array of shape (1,)."),
    ],
)
def test_e_option_errors(e, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.smooth_labels([[0.0, 1.0]], e)


@pytest.mark.parametrize("e", [Fraction(1, 2), np.float32(0.5), np.float64(0.5), 0.5])
def test_e_option_accepts_any_real(e):
    np.testing.assert_array_equal(xl.smooth_labels([[0.0, 1.0]], e), [[0.25, 0.75]])


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
