"""Tests of xentlab.gradients: every closed-form gradient against central differences.

Each gradient is checked twice on random inputs: against
``xentlab.numerical_gradient`` (second-order central differences) and against an
independent fourth-order central difference written here, so a bug shared by
the gradient and the checker cannot hide. The losses are summed over the batch
(the gradients are those of the per-example losses, i.e. of ``reduction="sum"``).
"""

import re
import warnings
from fractions import Fraction

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
        return xl.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=v, axis=axis
        ).sum()

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
        xl.numerical_gradient(lambda v: xl.mean_squared_error(y, v), p),
        grad / p.size,
        rtol=1e-6,
        atol=1e-8,
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
        return xl.multiclass_hinge_loss(labels, v, margin=margin, squared=squared, reduction="sum")

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


EPS_HINT = "; a relative step; 1e-6 balances truncation and rounding in float64."


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_at_extreme_logits(dtype):
    x = np.array([-1e4, -40.0, 0.0, 40.0, 1e4], dtype=dtype)
    z = np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=dtype)
    g = xl.sigmoid_cross_entropy_grad(labels=z, logits=x)
    assert g.dtype == dtype
    np.testing.assert_allclose(
        g, [-1.0, np.exp(-40.0), -0.5, -np.exp(-40.0), 1.0], rtol=4 * np.finfo(dtype).eps
    )
    g = xl.weighted_cross_entropy_grad(labels=z, logits=x, pos_weight=3.0)
    np.testing.assert_allclose(
        g, [-3.0, np.exp(-40.0), -1.5, -3 * np.exp(-40.0), 1.0], rtol=4 * np.finfo(dtype).eps
    )
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
    np.testing.assert_allclose(xl.numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-9)
    np.testing.assert_allclose(
        xl.numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8
    )
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
    cases = [
        (TypeError, "f must be callable, got 3 (int).", lambda: xl.numerical_gradient(3, [1.0])),
        (
            TypeError,
            "f must return a scalar, got an array of shape (2,); reduce it (for "
            "example with .sum()).",
            lambda: xl.numerical_gradient(lambda v: v * 2, [1.0, 2.0]),
        ),
        (
            ValueError,
            "x contains NaN (first at index 0, 1 in all)",
            lambda: xl.numerical_gradient(np.sum, [np.nan]),
        ),
        (
            ValueError,
            "x contains inf at index 0; x must be finite",
            lambda: xl.numerical_gradient(np.sum, [np.inf]),
        ),
        (ValueError, "x is empty (shape (0,))", lambda: xl.numerical_gradient(np.sum, [])),
        (TypeError, "x must hold real numbers", lambda: xl.numerical_gradient(np.sum, ["a"])),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=re.escape(message)):
            call()


def test_numerical_gradient_of_a_function_returning_none_raises():
    # A forgotten `return` used to give a silent NaN gradient.
    message = (
        "f must return a real number, got None; make f return the loss (a "
        "forgotten return statement gives None)."
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        xl.numerical_gradient(lambda v: None, [1.0])
    with pytest.raises(TypeError, match=re.escape("f must return a real number, got 'a' (str)")):
        xl.numerical_gradient(lambda v: "a", [1.0])
    with pytest.raises(TypeError, match=re.escape("f must return a real number, got True")):
        xl.numerical_gradient(lambda v: True, [1.0])


@pytest.mark.parametrize(
    ("eps", "error", "message"),
    [
        (True, TypeError, "eps must be a real number, got True (bool)."),
        (1 + 2j, TypeError, "eps must be a real number, got (1+2j) (complex)."),
        ("1e-6", TypeError, "eps must be a real number, got '1e-6' (str)."),
        (np.array([1e-6]), TypeError, "eps must be a real number, got an array of shape (1,)."),
        (None, TypeError, "eps must be a real number, got None."),
        (
            np.nan,
            ValueError,
            "eps must be in (0, 1], got nan" + EPS_HINT,
        ),
        (
            np.inf,
            ValueError,
            "eps must be in (0, 1], got inf" + EPS_HINT,
        ),
        (
            0,
            ValueError,
            "eps must be in (0, 1], got 0" + EPS_HINT,
        ),
        (
            -1e-6,
            ValueError,
            "eps must be in (0, 1], got -1e-06" + EPS_HINT,
        ),
        (
            np.float64(-1.0),
            ValueError,
            "eps must be in (0, 1], got -1.0" + EPS_HINT,
        ),
    ],
)
def test_eps_option_errors(eps, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.numerical_gradient(np.sum, [1.0], eps=eps)
    with pytest.raises(error, match=re.escape(message)):
        xl.check_gradient(np.sum, np.ones_like, [1.0], eps=eps)


@pytest.mark.parametrize("eps", [Fraction(1, 1_000_000), np.float32(1e-3), 1e-5, np.float64(1e-6)])
def test_eps_option_accepts_any_real_number(eps):
    np.testing.assert_allclose(
        xl.numerical_gradient(lambda v: np.sum(v**2), [1.0, -2.0], eps=eps),
        [2.0, -4.0],
        rtol=1e-6,
    )


def test_check_gradient_bad_input():
    cases = [
        (
            TypeError,
            "grad must be callable, got [1.0] (list).",
            lambda: xl.check_gradient(np.sum, [1.0], [1.0]),
        ),
        (
            TypeError,
            "f must be callable, got None.",
            lambda: xl.check_gradient(None, np.ones_like, [1.0]),
        ),
        (
            ValueError,
            "grad(x) has shape (3,) but x has shape (2,); a gradient has the shape "
            "of its argument.",
            lambda: xl.check_gradient(np.sum, lambda v: np.ones(3), [1.0, 2.0]),
        ),
        (
            TypeError,
            "grad must return an array of real numbers, got None.",
            lambda: xl.check_gradient(np.sum, lambda v: None, [1.0]),
        ),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=re.escape(message)):
            call()


def test_gradient_bad_input():
    with pytest.raises(
        ValueError,
        match=r"y_pred must be strictly inside \(0, 1\) for a finite "
        r"gradient",
    ):
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
    with pytest.raises(ValueError, match=r"logits contains \+inf at index \(0, 0\)"):
        xl.softmax_cross_entropy_grad(labels=[[1.0, 0.0]], logits=[[np.inf, 0.0]])
    with pytest.raises(ValueError, match=r"axis=1 is out of bounds"):
        xl.softmax_cross_entropy_grad(labels=[1.0, 0.0], logits=[0.0, 0.0], axis=1)


@pytest.mark.parametrize(
    ("margin", "error", "message"),
    [
        (True, TypeError, "margin must be a real number, got True (bool)."),
        (1j, TypeError, "margin must be a real number, got 1j (complex)."),
        ("1", TypeError, "margin must be a real number, got '1' (str)."),
        (np.ones(2), TypeError, "margin must be a real number, got an array of shape (2,)."),
        (None, TypeError, "margin must be a real number, got None."),
        (np.nan, ValueError, "margin must be finite and >= 0, got nan."),
        (np.inf, ValueError, "margin must be finite and >= 0, got inf."),
        (-1, ValueError, "margin must be finite and >= 0, got -1."),
    ],
)
def test_margin_option_errors(margin, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.multiclass_hinge_grad([0], [[0.0, 1.0]], margin=margin)


@pytest.mark.parametrize("margin", [Fraction(1, 2), np.float32(0.5), 0.5, 0])
def test_margin_option_accepts_any_real_number(margin):
    # Scores 0 (true) and -0.3: the margin 0.5 is violated, the margin 0 is not.
    expected = [[-1.0, 1.0]] if margin else [[0.0, 0.0]]
    np.testing.assert_array_equal(
        xl.multiclass_hinge_grad([0], [[0.0, -0.3]], margin=margin), expected
    )


@pytest.mark.parametrize(
    ("squared", "message"),
    [
        ("no", "squared must be True or False, got 'no' (str)."),
        (1, "squared must be True or False, got 1 (int)."),
        (0.0, "squared must be True or False, got 0.0 (float)."),
        (None, "squared must be True or False, got None."),
        (np.array([True]), "squared must be True or False, got an array of shape (1,)."),
    ],
)
def test_squared_is_a_flag(squared, message):
    # squared="no" used to be taken as true.
    with pytest.raises(TypeError, match=re.escape(message)):
        xl.multiclass_hinge_grad([0], [[0.0, 1.0]], squared=squared)


def test_squared_accepts_numpy_bools():
    s = [[0.0, 1.0]]
    np.testing.assert_array_equal(
        xl.multiclass_hinge_grad([0], s, squared=np.bool_(True)),
        xl.multiclass_hinge_grad([0], s, squared=True),
    )
    np.testing.assert_array_equal(
        xl.multiclass_hinge_grad([0], s, squared=np.bool_(False)), [[-1.0, 1.0]]
    )


@pytest.mark.parametrize(
    ("axis", "error", "message"),
    [
        (1.0, TypeError, "axis must be an integer, got 1.0 (float)."),
        (True, TypeError, "axis must be an integer, got True (bool)."),
        (None, TypeError, "axis must be an integer, got None."),
        (
            2,
            ValueError,
            "axis=2 is out of bounds for an array of 2 dimension(s); use an axis in [-2, 1].",
        ),
    ],
)
def test_axis_option_errors(axis, error, message):
    calls = [
        lambda: xl.softmax_cross_entropy_grad(labels=[[1.0, 0.0]], logits=[[0.0, 0.0]], axis=axis),
        lambda: xl.sparse_softmax_cross_entropy_grad(labels=[0], logits=[[0.0, 0.0]], axis=axis),
        lambda: xl.multiclass_hinge_grad([0], [[0.0, 1.0]], axis=axis),
    ]
    for call in calls:
        with pytest.raises(error, match=re.escape(message)):
            call()


def test_axis_option_accepts_numpy_integers():
    x = np.array([[0.0, 1.0], [2.0, -1.0]])
    np.testing.assert_array_equal(
        xl.sparse_softmax_cross_entropy_grad(labels=[0, 1], logits=x, axis=np.int64(0)),
        xl.sparse_softmax_cross_entropy_grad(labels=[0, 1], logits=x.T).T,
    )
