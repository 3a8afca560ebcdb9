"""Tests of the class_weight= option of the categorical cross-entropies (PyTorch's weight=)."""

import numpy as np
import pytest

import xentlab as xl

REDUCTIONS = ["mean", "sum", "none"]


def _data(seed=0, n=40, n_classes=4):
    rng = np.random.default_rng(seed)
    probs = xl.softmax(2 * rng.standard_normal((n, n_classes)))
    labels = rng.integers(0, n_classes, size=n)
    weights = rng.uniform(0.2, 3.0, size=n_classes)
    return probs, labels, weights


def _torch_index_targets(labels, probs, weight, smoothing, reduction):
    """PyTorch's CrossEntropyLoss(weight, label_smoothing) for class-index targets, as a loop.

    Written from torch.nn.functional.cross_entropy's documented formula: the NLL part
    weighted by w[y_i], the smoothing part by w_c, and "mean" divided by sum_i w[y_i].
    """
    n, n_classes = probs.shape
    values, denominator = [], 0.0
    for i in range(n):
        y = labels[i]
        nll = -weight[y] * np.log(probs[i, y])
        smooth = -sum(weight[c] * np.log(probs[i, c]) for c in range(n_classes)) / n_classes
        values.append((1 - smoothing) * nll + smoothing * smooth)
        denominator += weight[y]
    values = np.array(values)
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    return values.sum() / denominator


def _torch_probability_targets(targets, probs, weight, smoothing, reduction):
    """PyTorch's CrossEntropyLoss(weight, label_smoothing) for probability targets: mean / N."""
    n, n_classes = probs.shape
    values = []
    for i in range(n):
        t = (1 - smoothing) * targets[i] + smoothing / n_classes
        values.append(-sum(weight[c] * t[c] * np.log(probs[i, c]) for c in range(n_classes)))
    values = np.array(values)
    return {"none": values, "sum": values.sum(), "mean": values.sum() / n}[reduction]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_sparse_equals_pytorch_loop(reduction, smoothing):
    probs, labels, weights = _data()
    got = xl.sparse_categorical_cross_entropy(
        labels, probs, class_weight=weights, label_smoothing=smoothing, reduction=reduction
    )
    np.testing.assert_allclose(
        got, _torch_index_targets(labels, probs, weights, smoothing, reduction), rtol=1e-12
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_dense_equals_pytorch_probability_target_loop(reduction, smoothing):
    probs, labels, weights = _data(1)
    rng = np.random.default_rng(1)
    soft = xl.softmax(rng.standard_normal(probs.shape))
    for targets in (soft, xl.one_hot(labels, 4)):
        got = xl.categorical_cross_entropy(
            targets, probs, class_weight=weights, label_smoothing=smoothing, reduction=reduction
        )
        np.testing.assert_allclose(
            got,
            _torch_probability_targets(targets, probs, weights, smoothing, reduction),
            rtol=1e-12,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_weights_of_one_change_nothing(reduction, smoothing):
    probs, labels, _ = _data(2)
    ones = np.ones(4)
    for fn, target in (
        (xl.sparse_categorical_cross_entropy, labels),
        (xl.categorical_cross_entropy, xl.one_hot(labels, 4)),
    ):
        np.testing.assert_allclose(
            fn(target, probs, class_weight=ones, label_smoothing=smoothing, reduction=reduction),
            fn(target, probs, label_smoothing=smoothing, reduction=reduction),
            rtol=1e-14,
        )


def test_constant_weights_scale_sum_but_not_sparse_mean():
    probs, labels, _ = _data(3)
    c = np.full(4, 2.5)
    plain_sum = xl.sparse_categorical_cross_entropy(labels, probs, reduction="sum")
    assert xl.sparse_categorical_cross_entropy(
        labels, probs, class_weight=c, reduction="sum"
    ) == pytest.approx(2.5 * plain_sum)
    assert xl.sparse_categorical_cross_entropy(labels, probs, class_weight=c) == pytest.approx(
        xl.sparse_categorical_cross_entropy(labels, probs)
    )


def test_dense_one_hot_mean_differs_from_sparse_mean_by_the_documented_factor():
    probs, labels, weights = _data(4)
    n = labels.size
    dense = xl.categorical_cross_entropy(xl.one_hot(labels, 4), probs, class_weight=weights)
    sparse = xl.sparse_categorical_cross_entropy(labels, probs, class_weight=weights)
    assert dense * n / weights[labels].sum() == pytest.approx(sparse, rel=1e-13)
    # The per-example losses agree exactly.
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(
            xl.one_hot(labels, 4), probs, class_weight=weights, reduction="none"
        ),
        xl.sparse_categorical_cross_entropy(labels, probs, class_weight=weights, reduction="none"),
        rtol=1e-14,
    )


def test_class_weight_and_sample_weight_multiply():
    probs, labels, weights = _data(5)
    s = np.random.default_rng(5).uniform(0, 2, size=labels.size)
    per_example = -np.log(probs[np.arange(labels.size), labels])
    w = weights[labels]
    got = xl.sparse_categorical_cross_entropy(labels, probs, class_weight=weights, sample_weight=s)
    assert got == pytest.approx(np.sum(s * w * per_example) / np.sum(s * w), rel=1e-13)
    # Integer-valued sample weights are repetitions of examples.
    counts = np.array([1, 2, 0, 3] * 10)
    repeated = np.repeat(np.arange(labels.size), counts)
    assert xl.sparse_categorical_cross_entropy(
        labels, probs, class_weight=weights, sample_weight=counts
    ) == pytest.approx(
        xl.sparse_categorical_cross_entropy(
            labels[repeated], probs[repeated], class_weight=weights
        ),
        rel=1e-13,
    )
    dense = xl.categorical_cross_entropy(
        xl.one_hot(labels, 4), probs, class_weight=weights, sample_weight=s
    )
    assert dense == pytest.approx(np.sum(s * w * per_example) / np.sum(s), rel=1e-13)


def test_zero_weight_class_costs_nothing_even_at_probability_zero():
    probs = np.array([[0.0, 1.0], [0.3, 0.7]])
    loss = xl.sparse_categorical_cross_entropy(
        [0, 1], probs, class_weight=[0.0, 1.0], reduction="none"
    )
    np.testing.assert_allclose(loss, [0.0, -np.log(0.7)])
    smoothed = xl.sparse_categorical_cross_entropy(
        [1, 1], probs, class_weight=[0.0, 1.0], label_smoothing=0.1, reduction="none"
    )
    assert np.all(np.isfinite(smoothed))


def test_class_axis_other_than_last():
    rng = np.random.default_rng(6)
    probs = xl.softmax(rng.standard_normal((5, 3, 7)), axis=1)  # (N, C, T), as PyTorch
    labels = rng.integers(0, 3, size=(5, 7))
    weights = np.array([0.5, 1.0, 4.0])
    moved = np.moveaxis(probs, 1, -1)
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            xl.sparse_categorical_cross_entropy(
                labels, probs, axis=1, class_weight=weights, reduction=reduction
            ),
            xl.sparse_categorical_cross_entropy(
                labels, moved, class_weight=weights, reduction=reduction
            ),
            rtol=1e-13,
        )
        np.testing.assert_allclose(
            xl.categorical_cross_entropy(
                xl.one_hot(labels, 3).transpose(0, 2, 1),
                probs,
                axis=1,
                class_weight=weights,
                reduction=reduction,
            ),
            xl.categorical_cross_entropy(
                xl.one_hot(labels, 3), moved, class_weight=weights, reduction=reduction
            ),
            rtol=1e-13,
        )


@pytest.mark.parametrize("fn_name", ["sparse", "dense"])
def test_float32_in_float32_out(fn_name):
    probs, labels, weights = _data(7)
    probs32 = probs.astype(np.float32)
    if fn_name == "sparse":
        out = xl.sparse_categorical_cross_entropy(labels, probs32, class_weight=weights)
        none = xl.sparse_categorical_cross_entropy(
            labels, probs32, class_weight=weights, reduction="none"
        )
    else:
        onehot = xl.one_hot(labels, 4, dtype=np.float32)
        out = xl.categorical_cross_entropy(onehot, probs32, class_weight=weights)
        none = xl.categorical_cross_entropy(
            onehot, probs32, class_weight=weights, reduction="none"
        )
    assert out.dtype == np.float32
    assert none.dtype == np.float32


@pytest.mark.parametrize(
    ("class_weight", "match"),
    [
        (
            [1.0, 2.0],
            r"class_weight must have one weight per class, shape \(3,\), got shape \(2,\)",
        ),
        ([1.0, -2.0, 1.0], r"class_weight must be non-negative, but class_weight\[1\] = "),
        ([1.0, np.nan, 1.0], "class_weight contains NaN"),
        ([[1.0, 1.0, 1.0]], r"shape \(3,\), got shape \(1, 3\)"),
    ],
)
def test_errors(class_weight, match):
    probs = [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]
    with pytest.raises(ValueError, match=match):
        xl.sparse_categorical_cross_entropy([0, 2], probs, class_weight=class_weight)
    with pytest.raises(ValueError, match=match):
        xl.categorical_cross_entropy(xl.one_hot([0, 2], 3), probs, class_weight=class_weight)


def test_true_class_weights_summing_to_zero_raise_for_mean_only():
    probs = [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]
    with pytest.raises(ValueError, match="the class weights of the true classes"):
        xl.sparse_categorical_cross_entropy([0, 0], probs, class_weight=[0.0, 1.0, 1.0])
    assert (
        xl.sparse_categorical_cross_entropy(
            [0, 0], probs, class_weight=[0.0, 1.0, 1.0], reduction="sum"
        )
        == 0.0
    )


def test_class_weight_type_error():
    with pytest.raises(TypeError, match="class_weight must hold real numbers"):
        xl.sparse_categorical_cross_entropy([0], [[0.5, 0.5]], class_weight=["a", "b"])
