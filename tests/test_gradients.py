"""Tests of xentlab.gradients: every closed-form gradient against central differences.

Each gradient is checked twice on random inputs: against
``xentlab.numerical_gradient`` (second-order central differences) and against an
independent fourth-order central difference written here, so a bug shared by
the gradient and the checker cannot hide. The losses are summed over the batch
(the gradients are those of the per-example losses, i.e. of ``reduction="sum"``).
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xentlab as xl

SEEDS = st.integers(0, 2**32 - 1)
SHAPES = st.tuples(st.integers(1, 4), st.integers(2, 4))


def five_point_gradient(f, x, h=1e-4):
    """d f / d x_i = (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12 h)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        def at(step, i=i):
            shifted = x.copy()
            shifted[i] += step
            return float(f(shifted))
        grad[i] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    return grad


def assert_gradient(f, analytic, x, rtol=1e-6, atol=1e-7):
    """``analytic`` matches both central-difference gradients of ``f`` at ``x``."""
    np.testing.assert_allclose(analytic, xl.numerical_gradient(f, x), rtol=rtol, atol=atol)
    np.testing.assert_allclose(analytic, five_point_gradient(f, x), rtol=rtol, atol=atol)


# ----------------------------------------------------------------- from logits


@given(SHAPES, SEEDS)
def test_sigmoid_cross_entropy_grad(shape, seed):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(scale=3, size=shape), rng.uniform(size=shape)

    def f(v):
        return xl.sigmoid_cross_entropy_with_logits(labels=z, logits=v).sum()

    assert_gradient(f, xl.sigmoid_cross_entropy_grad(labels=z, logits=x), x)


@given(SHAPES, SEEDS, st.booleans())
def test_weighted_cross_entropy_grad(shape, seed, per_class):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(scale=3, size=shape), rng.integers(0, 2, shape).astype(float)
    q = rng.uniform(0, 5, shape[-1]) if per_class else rng.uniform(0, 5)

    def f(v):
        return xl.weighted_cross_entropy_with_logits(labels=z, logits=v, pos_weight=q).sum()

    assert_gradient(f, xl.weighted_cross_entropy_grad(labels=z, logits=x, pos_weight=q), x)


@given(SHAPES, SEEDS, st.sampled_from([0, -1]))
def test_softmax_cross_entropy_grad(shape, seed, axis):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3, size=shape)
    z = rng.dirichlet(np.ones(shape[axis]), size=shape[axis + 1 if axis == 0 else 0])
    z = z.T if axis == 0 else z
    z /= z.sum(axis=axis, keepdims=True)

    def f(v):
        return xl.softmax_cross_entropy_with_logits(labels=z, logits=v, axis=axis).sum()

    grad = xl.softmax_cross_entropy_grad(labels=z, logits=x, axis=axis)
    assert_gradient(f, grad, x)
    # For a distribution z the gradient is softmax(x) - z (the famous p - y).
    np.testing.assert_allclose(grad, xl.softmax(x, axis=axis) - z, rtol=1e-13, atol=1e-15)


@given(SHAPES, SEEDS, st.sampled_from([0, -1]))
def test_sparse_softmax_cross_entropy_grad(shape, seed, axis):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3, size=shape)
    n_classes = shape[axis]
    labels = rng.integers(0, n_classes, shape[1] if axis == 0 else shape[0])

    def f(v):
        return xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=v,
                                                           axis=axis).sum()

    grad = xl.sparse_softmax_cross_entropy_grad(labels=labels, logits=x, axis=axis)
    assert_gradient(f, grad, x)
    one_hot = np.eye(n_classes)[labels]
    one_hot = one_hot.T if axis == 0 else one_hot
    np.testing.assert_allclose(
        grad, xl.softmax_cross_entropy_grad(labels=one_hot, logits=x, axis=axis), rtol=1e-15
    )


# ---------------------------------------------------------- from probabilities


@given(SHAPES, SEEDS)
def test_binary_cross_entropy_grad(shape, seed):
    rng = np.random.default_rng(seed)
    p, y = rng.uniform(0.05, 0.95, shape), rng.uniform(size=shape)

    def f(v):
        return xl.binary_cross_entropy(y, v, reduction="sum")

    assert_gradient(f, xl.binary_cross_entropy_grad(y, p), p, atol=1e-6)


@given(SHAPES, SEEDS)
def test_categorical_cross_entropy_grad(shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    assume(p.min() > 0.02)
    y = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    y /= y.sum(axis=1, keepdims=True)

    def f(v):
        # A perturbed row of p no longer sums to 1; the loss is still -sum y log p.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return xl.categorical_cross_entropy(y, v, reduction="sum")

    grad = xl.categorical_cross_entropy_grad(y, p)
    assert_gradient(f, grad, p, atol=1e-6)
    # Composed with the softmax Jacobian diag(p) - p p^T it is softmax_cross_entropy_grad.
    logits = np.log(p)
    chained = p * grad - p * (p * grad).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        chained, xl.softmax_cross_entropy_grad(labels=y, logits=logits), rtol=1e-12, atol=1e-14
    )


@given(SHAPES, SEEDS)
def test_mean_squared_error_grad(shape, seed):
    rng = np.random.default_rng(seed)
    y, p = rng.normal(size=shape), rng.normal(size=shape)

    def f(v):
        return xl.mean_squared_error(y, v, reduction="sum")

    grad = xl.mean_squared_error_grad(y, p)
    assert_gradient(f, grad, p)
    # The gradient of the mean is the per-element gradient over the number of elements.
    np.testing.assert_allclose(
        xl.numerical_gradient(lambda v: xl.mean_squared_error(y, v), p), grad / p.size,
        rtol=1e-6, atol=1e-8,
    )


@given(SHAPES, SEEDS, st.booleans(), st.sampled_from([0.0, 0.5, 1.0, 2.0]))
def test_multiclass_hinge_grad(shape, seed, squared, margin):
    rng = np.random.default_rng(seed)
    s = rng.normal(scale=2, size=shape)
    labels = rng.integers(0, shape[1], shape[0])
    h = s - s[np.arange(shape[0]), labels][:, None] + margin
    h[np.arange(shape[0]), labels] = 1.0
    assume(np.abs(h).min() > 1e-2)  # away from the kinks, where it is differentiable

    def f(v):
        return xl.multiclass_hinge_loss(labels, v, margin=margin, squared=squared,
                                        reduction="sum")

    grad = xl.multiclass_hinge_grad(labels, s, margin=margin, squared=squared)
    assert_gradient(f, grad, s)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)  # the true class balances


def test_multiclass_hinge_grad_axis_0():
    rng = np.random.default_rng(30)
    s = rng.normal(scale=2, size=(4, 3))
    labels = rng.integers(0, 4, 3)
    np.testing.assert_array_equal(
        xl.multiclass_hinge_grad(labels, s, axis=0),
        xl.multiclass_hinge_grad(labels, s.T).T,
    )


# ------------------------------------------------------------------ extremes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_at_extreme_logits(dtype):
    x = np.array([-1e4, -40.0, 0.0, 40.0, 1e4], dtype=dtype)
    z = np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=dtype)
    g = xl.sigmoid_cross_entropy_grad(labels=z, logits=x)
    assert g.dtype == dtype
    np.testing.assert_allclose(g, [-1.0, np.exp(-40.0), -0.5, -np.exp(-40.0), 1.0],
                               rtol=4 * np.finfo(dtype).eps)
    g = xl.weighted_cross_entropy_grad(labels=z, logits=x, pos_weight=3.0)
    np.testing.assert_allclose(g, [-3.0, np.exp(-40.0), -1.5, -3 * np.exp(-40.0), 1.0],
                               rtol=4 * np.finfo(dtype).eps)
    logits = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    g = xl.sparse_softmax_cross_entropy_grad(labels=[1], logits=logits)
    assert g.dtype == dtype
    np.testing.assert_array_equal(g, np.array([[1.0, -1.0, 0.0]], dtype=dtype))


def test_float32_in_float32_out():
    x = np.float32([[0.5, -1.0], [2.0, 0.0]])
    z = np.float32([[1, 0], [0, 1]])
    p = np.float32([[0.25, 0.75], [0.5, 0.5]])
    outs = [
        xl.sigmoid_cross_entropy_grad(labels=z, logits=x),
        xl.weighted_cross_entropy_grad(labels=z, logits=x, pos_weight=2.0),
        xl.softmax_cross_entropy_grad(labels=z, logits=x),
        xl.sparse_softmax_cross_entropy_grad(labels=[0, 1], logits=x),
        xl.binary_cross_entropy_grad(z, p),
        xl.categorical_cross_entropy_grad(z, p),
        xl.mean_squared_error_grad(z, p),
        xl.multiclass_hinge_grad([0, 1], x),
        xl.multiclass_hinge_grad([0, 1], x, squared=True),
    ]
    for out in outs:
        assert out.dtype == np.float32
    # Integer targets next to float32 predictions keep float32.
    assert xl.binary_cross_entropy_grad([1, 0], p[0]).dtype == np.float32
    assert xl.categorical_cross_entropy_grad([1, 0], p[0]).dtype == np.float32
    assert xl.mean_squared_error_grad([1, 0], p[0]).dtype == np.float32
    assert xl.mean_squared_error_grad([1, 0], [0, 0]).dtype == np.float64


# ------------------------------------------------- numerical_gradient itself


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(xl.numerical_gradient(lambda v: np.sum(v**2), x), 2 * x,
                               rtol=1e-9)
    np.testing.assert_allclose(xl.numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x),
                               rtol=1e-8)
    before = x.copy()
    xl.numerical_gradient(lambda v: float(v.sum()), x)
    np.testing.assert_array_equal(x, before)  # the caller's array is not modified
    g = xl.numerical_gradient(lambda v: float(v.sum()), np.float32([1, 2]))
    assert g.dtype == np.float64


def test_check_gradient_tells_right_from_wrong():
    x = np.array([-3.44, 1.16, 3.91])

    def f(v):
        return xl.sparse_softmax_cross_entropy_with_logits(labels=2, logits=v)

    def right(v):
        return xl.sparse_softmax_cross_entropy_grad(labels=2, logits=v)

    assert xl.check_gradient(f, right, x) < 1e-7
    assert xl.check_gradient(f, lambda v: -right(v), x) > 0.1  # a sign
    assert xl.check_gradient(f, lambda v: 2 * right(v), x) > 0.01  # a factor
    assert xl.check_gradient(f, xl.softmax, x) > 0.1  # a forgotten - y


def test_numerical_gradient_bad_input():
    with pytest.raises(TypeError, match=r"f must be callable, got int"):
        xl.numerical_gradient(3, [1.0])
    with pytest.raises(TypeError, match=r"f must return a scalar, got an array of shape \(2,\)"):
        xl.numerical_gradient(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"eps must be > 0, got 0"):
        xl.numerical_gradient(np.sum, [1.0], eps=0)
    with pytest.raises(ValueError, match=r"eps must be finite and >= 0, got -1e-06"):
        xl.numerical_gradient(np.sum, [1.0], eps=-1e-6)
    with pytest.raises(ValueError, match=r"x contains NaN"):
        xl.numerical_gradient(np.sum, [np.nan])
    with pytest.raises(ValueError, match=r"x contains inf"):
        xl.numerical_gradient(np.sum, [np.inf])
    with pytest.raises(ValueError, match=r"x is empty"):
        xl.numerical_gradient(np.sum, [])
    with pytest.raises(TypeError, match=r"x must hold real numbers"):
        xl.numerical_gradient(np.sum, ["a"])


def test_check_gradient_bad_input():
    with pytest.raises(TypeError, match=r"grad must be callable, got list"):
        xl.check_gradient(np.sum, [1.0], [1.0])
    with pytest.raises(TypeError, match=r"f must be callable"):
        xl.check_gradient(None, np.ones_like, [1.0])
    with pytest.raises(ValueError, match=r"grad\(x\) has shape \(3,\) but x has shape \(2,\)"):
        xl.check_gradient(np.sum, lambda v: np.ones(3), [1.0, 2.0])


def test_gradient_bad_input():
    with pytest.raises(ValueError, match=r"y_pred must be strictly inside \(0, 1\) for a finite "
                                         r"gradient"):
        xl.binary_cross_entropy_grad([1.0, 0.0], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"y_pred is 0 where y_true is positive"):
        xl.categorical_cross_entropy_grad([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape"):
        xl.mean_squared_error_grad([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"labels must hold probabilities in \[0, 1\]"):
        xl.sigmoid_cross_entropy_grad(labels=[2.0], logits=[0.0])
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 2\)"):
        xl.sparse_softmax_cross_entropy_grad(labels=[2], logits=[[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"y_true must be class indices in \[0, 2\)"):
        xl.multiclass_hinge_grad([5], [[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"margin must be finite and >= 0, got -1"):
        xl.multiclass_hinge_grad([0], [[0.0, 1.0]], margin=-1)
    with pytest.raises(ValueError, match=r"logits contains inf"):
        xl.softmax_cross_entropy_grad(labels=[[1.0, 0.0]], logits=[[np.inf, 0.0]])
    with pytest.raises(ValueError, match=r"axis=1 is out of bounds"):
        xl.softmax_cross_entropy_grad(labels=[1.0, 0.0], logits=[0.0, 0.0], axis=1)
