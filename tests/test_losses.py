"""Tests of xentlab.losses against scikit-learn, hand formulas and each other.

References: sklearn.metrics.log_loss (to 1e-12 relative, including its label
handling and clipping), sklearn.metrics.hinge_loss and mean_squared_error, the
defining formulas written out in plain NumPy or Python, and PyTorch's documented
label-smoothing formula written out.
"""

import math
import re

import numpy as np
import pytest
import sklearn.metrics
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xentlab as xl

REL = 1e-12  # agreement with scikit-learn demanded by the issue


def dirichlet(rng, n, c, dtype=np.float64, alpha=0.8):
    p = rng.dirichlet(np.full(c, alpha), size=n)
    return p.astype(dtype)


def sk_log_loss(*args, **kwargs):
    return sklearn.metrics.log_loss(*args, **kwargs)


# =================================================================== log_loss


def _log_loss_cases():
    rng = np.random.default_rng(10)
    n = 30
    y3 = rng.integers(0, 3, n)
    p3 = dirichlet(rng, n, 3)
    w = rng.uniform(0, 3, n)
    y_bin = rng.integers(0, 2, n)
    p_bin = rng.uniform(0, 1, n)
    names = np.array(["cat", "dog", "pig"])
    y_missing = rng.choice([0, 2, 3], n)  # class 1 never occurs
    p4 = dirichlet(rng, n, 4)
    indicator = np.eye(3, dtype=int)[y3]
    multilabel = (rng.uniform(size=(n, 3)) < 0.4).astype(int)
    clipped = p3.copy()
    clipped[:5] = np.eye(3)[(y3[:5] + 1) % 3]  # certain and wrong: p_true = 0
    clipped[5:10] = np.eye(3)[y3[5:10]]  # certain and right: p_true = 1
    return [
        ("multiclass", y3, p3, {}),
        ("normalize=False", y3, p3, {"normalize": False}),
        ("sample_weight", y3, p3, {"sample_weight": w}),
        ("sample_weight, normalize=False", y3, p3, {"sample_weight": w, "normalize": False}),
        ("float labels", y3.astype(float), p3, {}),
        ("labels not all present", y_missing, p4, {"labels": [0, 1, 2, 3]}),
        (
            "labels as superset with weights",
            y_missing,
            p4,
            {"labels": np.array([0, 1, 2, 3]), "sample_weight": w},
        ),
        ("string labels", names[y3], p3, {}),
        ("string labels with labels=", names[y3 % 2 * 2], p3, {"labels": list(names)}),
        ("binary 1-d", y_bin, p_bin, {}),
        ("binary 1-d, -1/+1", 2 * y_bin - 1, p_bin, {}),
        ("binary 1-d, strings", np.array(["ham", "spam"])[y_bin], p_bin, {}),
        ("binary 1-d, bool", y_bin.astype(bool), p_bin, {}),
        ("binary (N, 1)", y_bin, p_bin[:, None], {}),
        ("binary 2 columns", y_bin, np.stack([1 - p_bin, p_bin], axis=1), {}),
        ("binary, one class present, labels=", np.ones(n, int), p_bin, {"labels": [0, 1]}),
        ("y_true column (N, 1)", y_bin[:, None], p_bin, {}),
        ("indicator", indicator, p3, {}),
        ("indicator, weighted", indicator, p3, {"sample_weight": w}),
        ("multilabel indicator", multilabel, p3, {}),
        ("float32", y3, p3.astype(np.float32), {}),
        ("float32 binary", y_bin, p_bin.astype(np.float32), {}),
        ("float32 indicator", indicator, p3.astype(np.float32), {}),
        ("clipping at 0 and 1", y3, clipped, {}),
        ("clipping at 0 and 1, float32", y3, clipped.astype(np.float32), {}),
        ("clipping binary", np.array([1, 0, 1, 0]), np.array([0.0, 1.0, 1.0, 0.0]), {}),
        (
            "the CSDN cat/dog/pig model 1",
            np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0]]),
            np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]),
            {},
        ),
    ]


LOG_LOSS_CASES = _log_loss_cases()


@pytest.mark.parametrize(
    "y_true, y_pred, kwargs", [c[1:] for c in LOG_LOSS_CASES], ids=[c[0] for c in LOG_LOSS_CASES]
)
def test_log_loss_matches_sklearn(y_true, y_pred, kwargs):
    expected = sk_log_loss(y_true, y_pred, **kwargs)
    got = xl.log_loss(y_true, y_pred, **kwargs)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=REL, abs=0)


def test_log_loss_worked_examples():
    # The cat/dog/pig models of the CSDN article: 1.378 vs 0.639 (its numbers;
    # the full digits are scikit-learn's).
    y = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    m1 = [[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]
    m2 = [[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]]
    assert round(xl.log_loss(y, m1), 3) == 1.378
    assert round(xl.log_loss(y, m2), 3) == 0.639


def test_log_loss_unsorted_labels_warn_like_sklearn():
    y, p = [0, 1, 2, 1], dirichlet(np.random.default_rng(0), 4, 3)
    with pytest.warns(UserWarning, match=r"Labels passed were"):
        expected = sk_log_loss(y, p, labels=[2, 0, 1])
    with pytest.warns(
        UserWarning,
        match=r"labels passed were \[2, 0, 1\], but the columns of "
        r"y_pred are taken in sorted order \[0, 1, 2\]",
    ):
        got = xl.log_loss(y, p, labels=[2, 0, 1])
    assert got == pytest.approx(expected, rel=REL)


def test_log_loss_rows_not_summing_to_one_warn_like_sklearn():
    y, p = [0, 1], np.array([[0.5, 0.4], [0.2, 0.7]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        expected = sk_log_loss(y, p)
    with pytest.warns(UserWarning, match=r"y_pred does not sum to 1 along axis 1"):
        got = xl.log_loss(y, p)
    assert got == pytest.approx(expected, rel=REL)


@given(
    st.integers(1, 12), st.integers(2, 5), st.booleans(), st.booleans(), st.integers(0, 2**32 - 1)
)
def test_log_loss_matches_sklearn_on_random_inputs(n, n_classes, weighted, normalize, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    p = dirichlet(rng, n, n_classes, alpha=0.3)
    kwargs = {"normalize": normalize, "labels": np.arange(n_classes)}
    if weighted:
        kwargs["sample_weight"] = rng.uniform(0.1, 2.0, n)
    assert xl.log_loss(y, p, **kwargs) == pytest.approx(sk_log_loss(y, p, **kwargs), rel=REL)


# Inputs scikit-learn rejects; xentlab must reject them too, with a message
# about the argument at fault.
MALFORMED_LOG_LOSS = [
    (
        "y_pred > 1",
        [0, 1],
        [[0.5, 1.5], [0.5, 0.5]],
        {},
        r"y_pred must hold probabilities in \[0, 1\], but y_pred\[\(0, 1\)\] = 1.5",
    ),
    ("y_pred < 0", [0, 1], [-0.1, 0.5], {}, r"y_pred must hold probabilities in \[0, 1\]"),
    ("NaN", [0, 1], [np.nan, 0.5], {}, r"y_pred contains NaN"),
    ("inf", [0, 1], [np.inf, 0.5], {}, r"y_pred must hold probabilities"),
    (
        "lengths differ",
        [0, 1, 1],
        [0.2, 0.5],
        {},
        r"y_true must have shape \(2,\) \(labels\) or \(2, C\) \(indicator matrix\)",
    ),
    (
        "sample_weight length",
        [0, 1],
        [0.2, 0.5],
        {"sample_weight": [1.0, 2.0, 3.0]},
        r"sample_weight must have shape \(2,\), one weight per example, got shape \(3,\)",
    ),
    (
        "one label",
        [1, 1, 1],
        [0.2, 0.5, 0.9],
        {},
        r"y_true contains only one label \(1\)\. Please provide the list of all expected class "
        r"labels explicitly through the labels argument",
    ),
    (
        "labels has one class",
        [1, 1],
        [0.2, 0.5],
        {"labels": [1]},
        r"labels needs to contain at least two labels",
    ),
    (
        "y_true not in labels",
        [0, 3],
        [0.2, 0.5],
        {"labels": [0, 1]},
        r"y_true contains labels \[3\] that are not in labels \[0, 1\]",
    ),
    (
        "more classes than columns",
        [0, 1, 2],
        np.full((3, 2), 0.5),
        {},
        r"y_true and y_pred contain different numbers of classes 3, 2\. Classes found in "
        r"y_true: \[0, 1, 2\]",
    ),
    (
        "labels vs columns",
        [0, 1, 2],
        np.full((3, 2), 0.5),
        {"labels": [0, 1, 2]},
        r"different numbers of classes 3, 2\. Classes found in labels",
    ),
    (
        "1-d y_pred, 3 classes",
        [0, 1, 2],
        [0.2, 0.3, 0.4],
        {},
        r"different numbers of classes 3, 2",
    ),
    (
        "3-d y_pred",
        [0, 1],
        np.full((2, 2, 1), 0.5),
        {},
        r"y_pred must have shape \(N,\) or \(N, C\), got shape \(2, 2, 1\)",
    ),
    ("empty", [], [], {}, r"y_pred is empty"),
    ("string predictions", [0, 1], ["a", "b"], {}, r"y_pred must hold real numbers"),
    (
        "indicator columns",
        np.eye(3, dtype=int)[[0, 1]],
        np.full((2, 2), 0.5),
        {},
        r"y_true and y_pred contain different numbers of classes 3, 2",
    ),
    (
        "indicator not 0/1",
        [[0, 2], [1, 0]],
        np.full((2, 2), 0.5),
        {},
        r"y_true as a 2-d array must be a 0/1 indicator matrix",
    ),
    (
        "weights sum to 0",
        [0, 1],
        [0.2, 0.5],
        {"sample_weight": [0.0, 0.0]},
        r"sample_weight sums to zero",
    ),
]


@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, match",
    [c[1:] for c in MALFORMED_LOG_LOSS],
    ids=[c[0] for c in MALFORMED_LOG_LOSS],
)
def test_log_loss_raises_where_sklearn_raises(y_true, y_pred, kwargs, match):
    with pytest.raises((ValueError, TypeError, ZeroDivisionError)):
        sk_log_loss(y_true, y_pred, **kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        xl.log_loss(y_true, y_pred, **kwargs)


def test_log_loss_rejects_a_non_boolean_normalize():
    with pytest.raises(TypeError, match=r"normalize must be True or False, got 'yes'"):
        xl.log_loss([0, 1], [0.2, 0.5], normalize="yes")


# ====================================================== binary cross-entropy


def test_binary_cross_entropy_matches_sklearn_for_hard_labels():
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 50)
    p = rng.uniform(0.01, 0.99, 50)
    w = rng.uniform(0, 2, 50)
    assert xl.binary_cross_entropy(y, p) == pytest.approx(sk_log_loss(y, p), rel=REL)
    assert xl.binary_cross_entropy(y, p, sample_weight=w) == pytest.approx(
        sk_log_loss(y, p, sample_weight=w), rel=REL
    )
    assert xl.binary_cross_entropy(y, p, reduction="sum") == pytest.approx(
        sk_log_loss(y, p, normalize=False), rel=REL
    )


def test_binary_cross_entropy_formula_for_soft_labels():
    rng = np.random.default_rng(12)
    y = rng.uniform(size=(20, 3))
    p = rng.uniform(0.001, 0.999, size=(20, 3))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        xl.binary_cross_entropy(y, p, reduction="none"), expected, rtol=1e-13
    )


def test_binary_cross_entropy_edges():
    # A confident wrong answer costs its true value, inf; a right one costs 0.
    np.testing.assert_array_equal(
        xl.binary_cross_entropy([1, 0, 1, 0], [0.0, 1.0, 1.0, 0.0], reduction="none"),
        [np.inf, np.inf, 0.0, 0.0],
    )
    # Keras clips at 1e-7: -log(1e-7) = 16.118...
    assert xl.binary_cross_entropy([1.0], [0.0], eps=1e-7) == pytest.approx(-math.log(1e-7))
    # log(1 - p) as log1p(-p): a loss of 1e-20 is not rounded to 0.
    assert xl.binary_cross_entropy([0.0], [1e-20]) == pytest.approx(1e-20, rel=1e-15)


@given(
    arrays(np.float64, st.integers(1, 10), elements=st.floats(-15, 15)),
    arrays(np.float64, st.integers(1, 10), elements=st.floats(0, 1)),
)
def test_binary_cross_entropy_of_sigmoid_equals_sigmoid_cross_entropy(x, z):
    n = min(x.size, z.size)
    x, z = x[:n], z[:n]
    from_logits = xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    from_probs = xl.binary_cross_entropy(z, xl.sigmoid(x), reduction="none")
    # Rounding sigmoid(x) to p costs log(1 - p) a relative eps / (1 - p): ~1e-9
    # for |x| <= 15, and everything for large x (the reason to work from logits).
    np.testing.assert_allclose(from_probs, from_logits, rtol=1e-8, atol=1e-12)


# ================================================= categorical cross-entropy


@given(st.integers(1, 6), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_categorical_of_softmax_equals_softmax_cross_entropy(n, n_classes, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(n, n_classes))  # probabilities not tiny
    targets = dirichlet(rng, n, n_classes)
    from_probs = xl.categorical_cross_entropy(targets, xl.softmax(logits), reduction="none")
    from_logits = xl.softmax_cross_entropy_with_logits(labels=targets, logits=logits)
    np.testing.assert_allclose(from_probs, from_logits, rtol=1e-10, atol=1e-13)


def test_categorical_matches_sklearn_for_one_hot_targets():
    rng = np.random.default_rng(13)
    y = rng.integers(0, 4, 40)
    p = dirichlet(rng, 40, 4)
    w = rng.uniform(0, 2, 40)
    one_hot = np.eye(4)[y]
    assert xl.categorical_cross_entropy(one_hot, p) == pytest.approx(sk_log_loss(y, p), rel=REL)
    assert xl.categorical_cross_entropy(one_hot, p, sample_weight=w) == pytest.approx(
        sk_log_loss(y, p, sample_weight=w), rel=REL
    )
    assert xl.sparse_categorical_cross_entropy(y, p, sample_weight=w) == pytest.approx(
        sk_log_loss(y, p, sample_weight=w), rel=REL
    )


def test_categorical_worked_examples():
    # Hand computation: -ln 0.9393 = 0.0626 (the panda example) and -ln 0.7, -ln 0.6.
    assert xl.categorical_cross_entropy([0, 0, 1], [0.0006, 0.0601, 0.9393]) == pytest.approx(
        -math.log(0.9393), rel=1e-15
    )
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(
            [[1, 0, 0], [0, 1, 0]], [[0.7, 0.1, 0.2], [0.3, 0.6, 0.1]], reduction="none"
        ),
        [-math.log(0.7), -math.log(0.6)],
        rtol=1e-15,
    )


@st.composite
def label_batches(draw, max_n=6, max_classes=5):
    n = draw(st.integers(1, max_n))
    n_classes = draw(st.integers(2, max_classes))
    labels = draw(arrays(np.int64, n, elements=st.integers(0, n_classes - 1)))
    raw = draw(arrays(np.float64, (n, n_classes), elements=st.floats(1e-3, 1.0)))
    return labels, raw / raw.sum(axis=1, keepdims=True)


@given(
    label_batches(),
    st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    st.sampled_from(["none", "sum", "mean"]),
)
def test_sparse_equals_one_hot(batch, smoothing, reduction):
    labels, p = batch
    one_hot = np.eye(p.shape[1])[labels]
    sparse = xl.sparse_categorical_cross_entropy(
        labels, p, label_smoothing=smoothing, reduction=reduction
    )
    dense = xl.categorical_cross_entropy(
        one_hot, p, label_smoothing=smoothing, reduction=reduction
    )
    np.testing.assert_allclose(sparse, dense, rtol=1e-13)


@given(label_batches(), st.floats(0, 1))
def test_label_smoothing_is_cross_entropy_against_the_mixed_target(batch, smoothing):
    labels, p = batch
    n_classes = p.shape[1]
    mixed = (1 - smoothing) * np.eye(n_classes)[labels] + smoothing / n_classes
    expected = -(mixed * np.log(p)).sum(axis=1)
    # PyTorch's documented formula, written out:
    # (1 - e) * nll + e * mean_j(-log p_j).
    torch_style = (1 - smoothing) * -np.log(p[np.arange(len(labels)), labels]) + smoothing * (
        -np.log(p).mean(axis=1)
    )
    for got in (
        xl.categorical_cross_entropy(
            np.eye(n_classes)[labels], p, label_smoothing=smoothing, reduction="none"
        ),
        xl.sparse_categorical_cross_entropy(
            labels, p, label_smoothing=smoothing, reduction="none"
        ),
    ):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        np.testing.assert_allclose(got, torch_style, rtol=1e-12)


@given(st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_axis_k_equals_moveaxis(axis, seed):
    rng = np.random.default_rng(seed)
    shape = (3, 4, 5)
    p = np.moveaxis(
        dirichlet(rng, 60 // shape[axis], shape[axis]).reshape(
            tuple(s for k, s in enumerate(shape) if k != axis) + (shape[axis],)
        ),
        -1,
        axis,
    )
    moved = np.moveaxis(p, axis, -1)
    labels = rng.integers(0, shape[axis], moved.shape[:-1])
    one_hot = np.eye(shape[axis])[labels]
    np.testing.assert_array_equal(
        xl.categorical_cross_entropy(
            np.moveaxis(one_hot, -1, axis), p, axis=axis, reduction="none"
        ),
        xl.categorical_cross_entropy(one_hot, moved, reduction="none"),
    )
    np.testing.assert_array_equal(
        xl.sparse_categorical_cross_entropy(labels, p, axis=axis, reduction="none"),
        xl.sparse_categorical_cross_entropy(labels, moved, reduction="none"),
    )
    scores = rng.normal(size=shape)
    np.testing.assert_array_equal(
        xl.multiclass_hinge_loss(labels, scores, axis=axis, reduction="none"),
        xl.multiclass_hinge_loss(labels, np.moveaxis(scores, axis, -1), reduction="none"),
    )


def test_eps_clipping():
    # Keras's epsilon: log(1e-7) replaces log(0).
    assert xl.categorical_cross_entropy([0, 1], [1.0, 0.0], eps=1e-7) == pytest.approx(
        -math.log(1e-7), rel=1e-12
    )
    assert xl.sparse_categorical_cross_entropy([1], [[1.0, 0.0]], eps=1e-7) == pytest.approx(
        -math.log(1e-7), rel=1e-12
    )
    assert xl.categorical_cross_entropy([0, 1], [1.0, 0.0]) == np.inf


# ========================================================= reductions, weights


def _reduction_cases(rng, n):
    scores = rng.normal(size=(n, 4))
    labels = rng.integers(0, 4, n)
    p = dirichlet(rng, n, 4)
    return [
        (xl.binary_cross_entropy, (rng.integers(0, 2, (n, 3)), rng.uniform(0.01, 0.99, (n, 3)))),
        (xl.categorical_cross_entropy, (np.eye(4)[labels], p)),
        (xl.sparse_categorical_cross_entropy, (labels, p)),
        (xl.mean_squared_error, (rng.normal(size=n), rng.normal(size=n))),
        (xl.hinge_loss, (rng.choice([-1, 1], n), rng.normal(size=n))),
        (xl.multiclass_hinge_loss, (labels, scores)),
    ]


REDUCTION_FUNCTIONS = [f for f, _ in _reduction_cases(np.random.default_rng(0), 2)]


@pytest.mark.parametrize(
    "index", range(len(REDUCTION_FUNCTIONS)), ids=[f.__name__ for f in REDUCTION_FUNCTIONS]
)
@given(n=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_reductions_and_sample_weight(index, n, seed):
    rng = np.random.default_rng(seed)
    f, args = _reduction_cases(rng, n)[index]
    per = f(*args, reduction="none")
    assert per.shape[0] == n
    mean, total = f(*args), f(*args, reduction="sum")
    assert total == pytest.approx(per.sum(), rel=1e-13, abs=1e-300)
    assert mean == pytest.approx(per.mean(), rel=1e-13, abs=1e-300)
    # sum == N * mean (per element for the elementwise losses).
    assert total == pytest.approx(per.size * mean, rel=1e-12, abs=1e-300)
    # Weights of one change nothing.
    ones = np.ones(n)
    assert f(*args, sample_weight=ones) == pytest.approx(mean, rel=1e-13, abs=1e-300)
    np.testing.assert_allclose(f(*args, sample_weight=ones, reduction="none"), per, rtol=1e-15)
    # Weights: the weighted mean, sum(w l) / sum(w), as scikit-learn.
    w = rng.uniform(0.1, 3.0, n)
    w_b = w.reshape((-1,) + (1,) * (per.ndim - 1))
    np.testing.assert_allclose(f(*args, sample_weight=w, reduction="none"), per * w_b, rtol=1e-15)
    assert f(*args, sample_weight=w, reduction="sum") == pytest.approx(
        (per * w_b).sum(), rel=1e-12
    )
    assert f(*args, sample_weight=w) == pytest.approx(
        (per * w_b).sum() / np.broadcast_to(w_b, per.shape).sum(), rel=1e-12
    )
    # An integer weight of 2 is the same as repeating the example.
    if n >= 2:
        twice = np.ones(n)
        twice[0] = 2
        repeated = [np.concatenate([a[:1], a]) for a in args]
        assert f(*args, sample_weight=twice) == pytest.approx(f(*repeated), rel=1e-12)


# ============================================================ MSE and hinge


def test_mean_squared_error_matches_sklearn():
    rng = np.random.default_rng(14)
    y, p, w = rng.normal(size=30), rng.normal(size=30), rng.uniform(0, 2, 30)
    assert xl.mean_squared_error(y, p) == pytest.approx(
        sklearn.metrics.mean_squared_error(y, p), rel=REL
    )
    assert xl.mean_squared_error(y, p, sample_weight=w) == pytest.approx(
        sklearn.metrics.mean_squared_error(y, p, sample_weight=w), rel=REL
    )


@pytest.mark.parametrize("coding", ["-1/+1", "0/1"])
@pytest.mark.parametrize("weighted", [False, True])
def test_hinge_loss_matches_sklearn(coding, weighted):
    rng = np.random.default_rng(15)
    y = rng.integers(0, 2, 40)
    y = 2 * y - 1 if coding == "-1/+1" else y
    s = rng.normal(scale=2.0, size=40)
    w = rng.uniform(0, 2, 40) if weighted else None
    expected = sklearn.metrics.hinge_loss(y, s, sample_weight=w)
    assert xl.hinge_loss(y, s, sample_weight=w) == pytest.approx(expected, rel=REL)


def _multiclass_hinge_loop(labels, scores, margin, squared):
    """The Weston-Watkins loss, one example and one class at a time."""
    losses = []
    for y, row in zip(labels, scores, strict=True):
        total = 0.0
        for j, s_j in enumerate(row):
            if j == y:
                continue
            term = max(0.0, s_j - row[y] + margin)
            total += term**2 if squared else term
        losses.append(total)
    return np.array(losses)


@given(
    label_batches(),
    st.sampled_from([0.0, 0.5, 1.0, 2.5]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_multiclass_hinge_loss_matches_a_loop(batch, margin, squared, seed):
    labels, _ = batch
    scores = np.random.default_rng(seed).normal(scale=2.0, size=(len(labels), 5))
    labels = labels % 5
    expected = _multiclass_hinge_loop(labels.tolist(), scores.tolist(), margin, squared)
    got = xl.multiclass_hinge_loss(
        labels, scores, margin=margin, squared=squared, reduction="none"
    )
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


def test_multiclass_hinge_worked_example():
    # CS231n's three examples (hand computation): 2.9, 0 and 12.9.
    scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    np.testing.assert_allclose(
        xl.multiclass_hinge_loss([0, 1, 2], scores, reduction="none"),
        [2.9, 0.0, 12.9],
        rtol=1e-14,
        atol=1e-15,
    )


def test_binary_hinge_is_the_two_class_multiclass_hinge_with_a_half_margin_in_scores():
    # With scores (0, s) and labels in {0, 1}: max(0, s_other - s_true + 1) is
    # max(0, 1 - y s) for y = +1 / -1 (hand derivation).
    rng = np.random.default_rng(16)
    s = rng.normal(size=20)
    y01 = rng.integers(0, 2, 20)
    pair = np.stack([np.zeros(20), s], axis=1)
    np.testing.assert_allclose(
        xl.multiclass_hinge_loss(y01, pair, reduction="none"),
        xl.hinge_loss(y01, s, reduction="none"),
        rtol=1e-15,
    )


# ================================================================ dtypes


def test_float32_in_float32_out():
    rng = np.random.default_rng(17)
    p = dirichlet(rng, 5, 3, dtype=np.float32)
    y = rng.integers(0, 3, 5)
    one_hot = np.eye(3, dtype=np.float32)[y]
    for reduction in ("mean", "sum", "none"):
        kw = {"reduction": reduction}
        for out in (
            xl.binary_cross_entropy(one_hot, p, **kw),
            xl.categorical_cross_entropy(one_hot, p, **kw),
            xl.categorical_cross_entropy(one_hot, p, label_smoothing=0.1, eps=1e-7, **kw),
            xl.sparse_categorical_cross_entropy(y, p, **kw),
            xl.sparse_categorical_cross_entropy(y, p, label_smoothing=0.1, **kw),
            xl.mean_squared_error(one_hot, p, **kw),
            xl.hinge_loss(np.float32([1, -1]), np.float32([0.3, 2.0]), **kw),
            xl.multiclass_hinge_loss(y, p, margin=0.5, squared=True, **kw),
            xl.categorical_cross_entropy(one_hot, p, sample_weight=np.ones(5), **kw),
        ):
            assert out.dtype == np.float32


def test_integer_targets_keep_float32_predictions():
    p = np.float32([[0.25, 0.75], [0.5, 0.5]])
    one_hot = np.array([[0, 1], [1, 0]])
    assert xl.binary_cross_entropy(one_hot, p).dtype == np.float32
    assert xl.categorical_cross_entropy(one_hot, p).dtype == np.float32
    assert xl.categorical_cross_entropy(one_hot.astype(bool), p).dtype == np.float32
    assert xl.mean_squared_error(one_hot, p).dtype == np.float32
    assert xl.hinge_loss([1, -1], np.float32([0.5, 0.5])).dtype == np.float32


def test_integer_input_gives_float64():
    assert xl.binary_cross_entropy([1, 0], [1, 0]).dtype == np.float64
    assert xl.mean_squared_error([1, 2], [3, 4]).dtype == np.float64
    assert xl.hinge_loss([1, -1], [2, 0]).dtype == np.float64
    assert xl.multiclass_hinge_loss([0], [[1, 2]]).dtype == np.float64
    assert xl.categorical_cross_entropy([[True, False]], [[True, False]]).dtype == np.float64


# ============================================================== bad input


@pytest.mark.parametrize("f", [xl.binary_cross_entropy, xl.categorical_cross_entropy])
def test_probabilities_outside_the_unit_interval(f):
    with pytest.raises(
        ValueError,
        match=r"y_pred must hold probabilities in \[0, 1\], but "
        r"y_pred\[1\] = 1.5 \(min 0.5, max 1.5\)\. If these "
        r"are raw scores \(logits\), use the \.\.\._with_logits",
    ):
        f([0, 1], [0.5, 1.5])
    with pytest.raises(
        ValueError,
        match=r"y_true must hold probabilities in \[0, 1\], but "
        r"y_true\[0\] = -1",
    ):
        f([-1, 1], [0.5, 0.5])


def test_integer_labels_passed_to_a_one_hot_function_get_a_hint():
    with pytest.raises(
        ValueError,
        match=r"y_true and y_pred must have the same shape, got "
        r"y_true.shape = \(2,\) and y_pred.shape = \(2, 3\)\. "
        r"y_true looks like integer class labels: pass them "
        r"to the sparse_\.\.\. function",
    ):
        xl.categorical_cross_entropy([0, 2], np.full((2, 3), 1 / 3))


def test_one_hot_labels_passed_to_a_sparse_function_get_a_hint():
    with pytest.raises(
        ValueError,
        match=r"y_true must have shape \(2,\) \(one class index per "
        r"example\), got shape \(2, 3\)\. y_true looks one-hot "
        r"encoded",
    ):
        xl.sparse_categorical_cross_entropy(np.eye(3)[[0, 2]], np.full((2, 3), 1 / 3))


@pytest.mark.parametrize("f", [xl.sparse_categorical_cross_entropy, xl.multiclass_hinge_loss])
def test_bad_integer_labels(f):
    p = np.full((3, 3), 1 / 3)
    with pytest.raises(
        ValueError,
        match=r"y_true must be class indices in \[0, 3\) for 3 "
        r"classes, but y_true\[2\] = 3 \(min 1, max 3\)\. Your "
        r"classes look coded from 1: subtract 1",
    ):
        f([1, 2, 3], p)
    with pytest.raises(ValueError, match=r"y_true\[0\] = -1 \(min -1, max 2\)\.$"):
        f([-1, 0, 2], p)
    with pytest.raises(
        ValueError,
        match=r"y_true must hold whole-number class indices, but "
        r"y_true\[1\] = 1.5",
    ):
        f([0, 1.5, 2], p)
    with pytest.raises(TypeError, match=r"y_true must be integer class indices, got dtype <U1"):
        f(["a", "b", "c"], p)


@pytest.mark.parametrize(
    "f, args",
    [
        (xl.categorical_cross_entropy, ([[0, 1]], [[0.5, 0.5]])),
        (xl.sparse_categorical_cross_entropy, ([1], [[0.5, 0.5]])),
    ],
)
def test_bad_label_smoothing(f, args):
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        f(*args, label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got -0.1"):
        f(*args, label_smoothing=-0.1)
    with pytest.raises(TypeError, match=r"label_smoothing must be a real number, got '0.1'"):
        f(*args, label_smoothing="0.1")


@pytest.mark.parametrize(
    "f, args",
    [
        (xl.binary_cross_entropy, ([0, 1], [0.5, 0.5])),
        (xl.categorical_cross_entropy, ([[0, 1]], [[0.5, 0.5]])),
        (xl.sparse_categorical_cross_entropy, ([1], [[0.5, 0.5]])),
    ],
)
def test_bad_eps(f, args):
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.5\), got 0.5"):
        f(*args, eps=0.5)
    with pytest.raises(ValueError, match=r"eps must be in \[0, 0.5\), got -1e-07"):
        f(*args, eps=-1e-7)
    with pytest.raises(TypeError, match=r"eps must be a real number or None, got 'small' \(str\)"):
        f(*args, eps="small")


def test_bad_margin_and_squared():
    with pytest.raises(ValueError, match=r"margin must be finite and >= 0, got -1.0"):
        xl.multiclass_hinge_loss([0], [[1.0, 2.0]], margin=-1.0)
    with pytest.raises(ValueError, match=r"margin must be finite and >= 0, got inf"):
        xl.multiclass_hinge_loss([0], [[1.0, 2.0]], margin=np.inf)
    with pytest.raises(TypeError, match=r"margin must be a real number, got '1'"):
        xl.multiclass_hinge_loss([0], [[1.0, 2.0]], margin="1")
    with pytest.raises(TypeError, match=r"squared must be True or False, got 2"):
        xl.multiclass_hinge_loss([0], [[1.0, 2.0]], squared=2)


def test_hinge_loss_labels_must_be_binary():
    with pytest.raises(
        ValueError,
        match=r"y_true must hold binary labels in \{-1, \+1\} or "
        r"\{0, 1\}, got the values \[-1.0, 0.0, 1.0\]",
    ):
        xl.hinge_loss([-1, 0, 1], [0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"scores contains inf at index 1"):
        xl.hinge_loss([1, -1], [0.5, np.inf])


def test_mean_squared_error_rejects_infinities():
    with pytest.raises(
        ValueError,
        match=r"y_pred contains -inf at index 0; y_pred must be "
        r"finite",
    ):
        xl.mean_squared_error([1.0], [-np.inf])


def test_a_single_example_cannot_be_weighted():
    with pytest.raises(ValueError, match=r"sample_weight needs a batch"):
        xl.categorical_cross_entropy([0, 1], [0.5, 0.5], sample_weight=[2.0])


def test_probability_rows_not_summing_to_one_warn():
    with pytest.warns(
        UserWarning,
        match=r"y_pred does not sum to 1 along axis 1: the sum at 1 "
        r"is 0\.8 \(1 of 2 slices are off\)",
    ):
        xl.categorical_cross_entropy([[0, 1], [1, 0]], [[0.5, 0.5], [0.4, 0.4]])
    with pytest.warns(UserWarning, match=r"y_true does not sum to 1 along axis 0"):
        xl.categorical_cross_entropy([1, 1], [0.5, 0.5])
    with pytest.warns(UserWarning, match=r"y_pred does not sum to 1"):
        xl.sparse_categorical_cross_entropy([1], [[0.5, 0.6]])


@pytest.mark.parametrize(
    "y_true, kwargs",
    [
        (np.array([1, 0, 1], np.uint8), {}),
        (np.array([1, 0, 1], np.uint64), {"labels": np.array([0, 1], np.uint64)}),
        (np.array([1.0, 0.0, 1.0]), {"labels": [0, 1]}),
        (np.array(["b", "a", "b"]), {}),
    ],
)
def test_log_loss_label_kinds_match_scikit_learn(y_true, kwargs):
    from sklearn.metrics import log_loss as sk_log_loss

    p = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    assert xl.log_loss(y_true, p, **kwargs) == pytest.approx(
        sk_log_loss(y_true, p, **kwargs), rel=1e-12
    )


def test_log_loss_rejects_nan_labels_and_masked_arrays():
    p = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "y_true contains NaN (first at index 1, 1 in all); remove or impute the NaN "
            "values first."
        ),
    ):
        xl.log_loss(np.array([1.0, np.nan, 1.0]), p)
    with pytest.raises(
        TypeError, match=re.escape("y_true is a masked array; xentlab does not read masks.")
    ):
        xl.log_loss(np.ma.array([1, 0, 1], mask=[0, 1, 0]), p)


def test_crammer_singer_hinge_loss():
    rng = np.random.default_rng(12)
    s = rng.normal(scale=2.0, size=(40, 5))
    y = rng.integers(0, 5, size=40)
    w = rng.uniform(0.1, 2.0, size=40)
    # scikit-learn's multi-class hinge_loss is the Crammer-Singer loss with margin 1.
    for weights in (None, w):
        assert xl.crammer_singer_hinge_loss(y, s, sample_weight=weights) == pytest.approx(
            sklearn.metrics.hinge_loss(y, s, labels=np.arange(5), sample_weight=weights), rel=1e-13
        )
    # Keras's CategoricalHinge, max(0, 1 + max((1 - t) s) - sum(t s)), where a wrong score is >= 0.
    t = np.eye(5)[y]
    keras = np.maximum(0, 1 + ((1 - t) * s).max(axis=1) - (t * s).sum(axis=1))
    has_positive_wrong = ((1 - t) * s).max(axis=1) >= 0
    per = xl.crammer_singer_hinge_loss(y, s, reduction="none")
    np.testing.assert_allclose(per[has_positive_wrong], keras[has_positive_wrong], rtol=1e-14)
    # One term of the Weston-Watkins sum: never larger; equal with a single wrong class.
    assert np.all(per <= xl.multiclass_hinge_loss(y, s, reduction="none") + 1e-15)
    np.testing.assert_allclose(
        xl.crammer_singer_hinge_loss(y % 2, s[:, :2], margin=0.5, reduction="none"),
        xl.multiclass_hinge_loss(y % 2, s[:, :2], margin=0.5, reduction="none"),
        rtol=1e-15,
    )
    # axis, float32, a loss that is a tiny difference (exact: 1 + 0.3 - 1.3 in binary).
    np.testing.assert_array_equal(
        xl.crammer_singer_hinge_loss(y, s.T, axis=0, reduction="none"), per
    )
    assert xl.crammer_singer_hinge_loss(y, s.astype(np.float32)).dtype == np.float32
    tiny = xl.crammer_singer_hinge_loss([1], [[0.3, 1.2999999999999998]], reduction="none")
    # mpmath: 1 + 0.3 - 1.2999999999999998 = 1.66533453693773481e-16 exactly (with the
    # binary values of the inputs); the naive (1 + 0.3) - 1.2999999999999998 gives 2.2e-16.
    assert tiny[0] == 1.6653345369377348e-16
    s_before = s.copy()
    xl.crammer_singer_hinge_loss(y, s)
    np.testing.assert_array_equal(s, s_before)
    # The (sub)gradient, by central differences away from the kinks; 0 at a met margin.
    assert (
        xl.check_gradient(
            lambda v: xl.crammer_singer_hinge_loss(y, v, reduction="sum"),
            lambda v: xl.crammer_singer_hinge_grad(y, v),
            s,
        )
        < 1e-6
    )
    np.testing.assert_array_equal(
        xl.crammer_singer_hinge_grad([0, 0], [[3.0, 1.0, 0.5], [1.0, 1.5, 0.2]]),
        [[0.0, 0.0, 0.0], [-1.0, 1.0, 0.0]],
    )
    assert xl.crammer_singer_hinge_grad(y, s.astype(np.float32)).dtype == np.float32
    with pytest.raises(
        ValueError,
        match=re.escape(
            "scores needs at least two classes along axis 1, got shape (2, 1); for a single "
            "score per example use hinge_loss."
        ),
    ):
        xl.crammer_singer_hinge_loss([0, 0], [[1.0], [2.0]])
    with pytest.raises(ValueError, match=re.escape("margin must be finite and >= 0, got -1")):
        xl.crammer_singer_hinge_loss(y, s, margin=-1)
    with pytest.raises(ValueError, match=re.escape("scores contains inf at index (0, 0)")):
        xl.crammer_singer_hinge_loss([0], [[np.inf, 0.0]])
