"""Tests of the softmax focal loss and the poly-1 cross-entropy (xentlab.focal).

Each is specified by equivalences (gamma = 0 / epsilon = 0 is the cross-entropy,
logits == probabilities, a -inf logit == a dropped class), by the textbook
formula of Keras and optax in plain NumPy on moderate inputs, and by mpmath
references (50 digits) where the loss is tiny. Gradients are checked by central
differences.
"""

import re

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xentlab as xl

mpmath.mp.dps = 50


def batch(n=6, c=4, scale=3.0, seed=0, soft=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=scale, size=(n, c))
    if soft:
        y = rng.dirichlet(np.ones(c), size=n)
    else:
        y = np.eye(c)[rng.integers(0, c, size=n)]
    return y, x


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _keras_focal(y, p, alpha, gamma, smoothing=0.0):
    # keras.losses.CategoricalFocalCrossentropy without its clipping, in float64.
    y = y * (1 - smoothing) + smoothing / y.shape[-1]
    return (alpha * (1 - p) ** gamma * -y * np.log(p)).sum(axis=-1)


def _optax_poly1(y, p, epsilon):
    # optax.poly_loss_cross_entropy: CE + epsilon (1 - sum_j y_j p_j).
    return -(y * np.log(p)).sum(axis=-1) + epsilon * (1 - (y * p).sum(axis=-1))


# ------------------------------------------------------------------ values


@pytest.mark.parametrize("alpha", [0.25, 1.0, 2.0])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_focal_matches_the_keras_formula(alpha, gamma, smoothing):
    for soft in (False, True):
        y, x = batch(12, 5, 2.0, seed=int(gamma * 10), soft=soft)
        p = _softmax(x)
        ref = _keras_focal(y, p, alpha, gamma, smoothing)
        for from_logits, pred in ((True, x), (False, p)):
            got = xl.categorical_focal_loss(
                y,
                pred,
                from_logits=from_logits,
                alpha=alpha,
                gamma=gamma,
                label_smoothing=smoothing,
                reduction="none",
            )
            np.testing.assert_allclose(got, ref, rtol=1e-12)


@pytest.mark.parametrize("epsilon", [-1.0, 0.0, 1.0, 2.0, 7.5])
def test_poly1_matches_the_optax_formula(epsilon):
    for soft in (False, True):
        y, x = batch(12, 5, 2.0, seed=3, soft=soft)
        p = _softmax(x)
        ref = _optax_poly1(y, p, epsilon)
        for from_logits, pred in ((True, x), (False, p)):
            got = xl.poly1_cross_entropy(
                y, pred, from_logits=from_logits, epsilon=epsilon, reduction="none"
            )
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_poly1_with_smoothing_takes_p_t_against_the_smoothed_target():
    y, x = batch(8, 4, 2.0, seed=5)
    e = 0.2
    smoothed = (1 - e) * y + e / 4
    got = xl.poly1_cross_entropy(y, x, from_logits=True, epsilon=1.0, label_smoothing=e)
    ref = _optax_poly1(smoothed, _softmax(x), 1.0).mean()
    assert got == pytest.approx(ref, rel=1e-13)


def test_tiny_losses_keep_their_digits():
    # logits (40, 0, 0), target class 0: r = 2 e^-40, 1 - p_0 = r / (1 + r), and
    # -log p_0 = log1p(r). mpmath at 50 digits.
    x = np.array([[40.0, 0.0, 0.0]])
    y = np.array([[1.0, 0.0, 0.0]])
    r = 2 * mpmath.exp(-40)
    miss, surprise = r / (1 + r), mpmath.log1p(r)
    focal = xl.categorical_focal_loss(y, x, from_logits=True, alpha=0.25, gamma=2.0)
    assert focal == pytest.approx(float(0.25 * miss**2 * surprise), rel=1e-14)
    assert focal > 0
    poly = xl.poly1_cross_entropy(y, x, from_logits=True, epsilon=2.0)
    assert poly == pytest.approx(float(surprise + 2 * miss), rel=1e-14)
    # The naive formula loses it all: 1 - p rounds to 0.
    assert 1 - _softmax(x)[0, 0] == 0.0


def test_huge_logits_stay_finite():
    x = np.array([[1000.0, -1000.0, 0.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    # p_1 = e^-2000 (rounds to 0): -log p_1 = 2000, 1 - p_1 = 1.
    assert xl.categorical_focal_loss(y, x, from_logits=True, alpha=1.0) == 2000.0
    assert xl.poly1_cross_entropy(y, x, from_logits=True, epsilon=1.0) == 2001.0


# -------------------------------------------------------------- properties


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(2, 6),
    st.floats(0.1, 20.0),
    st.integers(0, 10_000),
    st.booleans(),
    st.floats(0.0, 1.0),
)
def test_gamma_zero_alpha_one_is_the_cross_entropy(n, c, scale, seed, soft, smoothing):
    y, x = batch(n, c, scale, seed, soft)
    for from_logits, pred in ((True, x), (False, xl.softmax(x))):
        kwargs = {"from_logits": from_logits, "label_smoothing": smoothing, "reduction": "none"}
        ce = xl.categorical_cross_entropy(y, pred, **kwargs)
        focal = xl.categorical_focal_loss(y, pred, alpha=1.0, gamma=0.0, **kwargs)
        poly = xl.poly1_cross_entropy(y, pred, epsilon=0.0, **kwargs)
        np.testing.assert_allclose(focal, ce, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(poly, ce, rtol=1e-13, atol=1e-300)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(2, 6),
    st.floats(0.1, 8.0),
    st.integers(0, 10_000),
    st.floats(0.0, 4.0),
    st.floats(-1.0, 4.0),
)
def test_logits_path_equals_probability_path(n, c, scale, seed, gamma, epsilon):
    y, x = batch(n, c, scale, seed, soft=seed % 2 == 0)
    p = xl.softmax(x)
    np.testing.assert_allclose(
        xl.categorical_focal_loss(y, x, from_logits=True, gamma=gamma, reduction="none"),
        xl.categorical_focal_loss(y, p, gamma=gamma, reduction="none"),
        rtol=1e-9,
        atol=1e-15,
    )
    np.testing.assert_allclose(
        xl.poly1_cross_entropy(y, x, from_logits=True, epsilon=epsilon, reduction="none"),
        xl.poly1_cross_entropy(y, p, epsilon=epsilon, reduction="none"),
        rtol=1e-9,
        atol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(3, 6), st.integers(0, 10_000))
def test_minus_inf_logits_equal_dropping_the_class(n, c, seed):
    y, x = batch(n, c, 3.0, seed)
    target = y.argmax(axis=1)
    masked = (target + 1) % c
    x_masked = x.copy()
    x_masked[np.arange(n), masked] = -np.inf
    focal = xl.categorical_focal_loss(y, x_masked, from_logits=True, reduction="none")
    poly = xl.poly1_cross_entropy(y, x_masked, from_logits=True, reduction="none")
    grad = xl.categorical_focal_grad(y, x_masked)
    assert np.all(np.isfinite(grad)) and np.all(grad[np.arange(n), masked] == 0)
    for i in range(n):
        keep = np.arange(c) != masked[i]
        row_y, row_x = y[i : i + 1, keep], x[i : i + 1, keep]
        assert focal[i] == pytest.approx(
            xl.categorical_focal_loss(row_y, row_x, from_logits=True), rel=1e-12
        )
        assert poly[i] == pytest.approx(
            xl.poly1_cross_entropy(row_y, row_x, from_logits=True), rel=1e-12
        )


def test_smoothing_skips_masked_classes_as_the_cross_entropy_does():
    y, x = batch(4, 4, 2.0, 2)
    x[:, 3] = -np.inf
    y = np.eye(4)[[0, 1, 2, 0]]
    ce = xl.categorical_cross_entropy(y, x, from_logits=True, label_smoothing=0.3)
    focal = xl.categorical_focal_loss(
        y, x, from_logits=True, alpha=1.0, gamma=0.0, label_smoothing=0.3
    )
    assert np.isfinite(focal) and focal == pytest.approx(ce, rel=1e-13)


def test_a_target_on_a_masked_class_costs_inf():
    y = np.array([[0.0, 1.0]])
    x = np.array([[0.0, -np.inf]])
    assert xl.categorical_focal_loss(y, x, from_logits=True) == np.inf
    assert xl.poly1_cross_entropy(y, x, from_logits=True) == np.inf


def test_axis_equals_moveaxis():
    y, x = batch(6, 4, 2.0, 4)
    for f in (xl.categorical_focal_loss, xl.poly1_cross_entropy):
        np.testing.assert_allclose(
            f(y.T, x.T, from_logits=True, axis=0, reduction="none"),
            f(y, x, from_logits=True, reduction="none"),
            rtol=1e-15,
        )


def test_reductions_and_sample_weight():
    y, x = batch(5, 3, 2.0, 6)
    s = np.array([0.0, 1.0, 2.0, 0.5, 1.5])
    for f in (xl.categorical_focal_loss, xl.poly1_cross_entropy):
        per = f(y, x, from_logits=True, reduction="none")
        assert f(y, x, from_logits=True, reduction="sum") == pytest.approx(per.sum())
        assert f(y, x, from_logits=True) == pytest.approx(per.mean())
        assert f(y, x, from_logits=True, sample_weight=s) == pytest.approx(
            (s * per).sum() / s.sum()
        )


# --------------------------------------------------------------- gradients


@pytest.mark.parametrize(
    "alpha, gamma, smoothing",
    [
        (0.25, 2.0, 0.0),
        (1.0, 0.0, 0.0),
        (0.5, 0.5, 0.1),
        (2.0, 5.0, 0.3),
        (1.0, 1.0, 0.0),
    ],
)
def test_focal_gradient_matches_central_differences(alpha, gamma, smoothing):
    for soft in (False, True):
        y, x = batch(4, 3, 2.0, 7, soft)
        kw = {"alpha": alpha, "gamma": gamma, "label_smoothing": smoothing}
        err = xl.check_gradient(
            lambda v, kw=kw, y=y: xl.categorical_focal_loss(
                y, v, from_logits=True, reduction="sum", **kw
            ),
            lambda v, kw=kw, y=y: xl.categorical_focal_grad(y, v, **kw),
            x,
        )
        assert err < 1e-7


@pytest.mark.parametrize("epsilon, smoothing", [(2.0, 0.0), (-1.0, 0.0), (1.0, 0.2), (0.0, 0.0)])
def test_poly1_gradient_matches_central_differences(epsilon, smoothing):
    for soft in (False, True):
        y, x = batch(4, 3, 2.0, 8, soft)
        kw = {"epsilon": epsilon, "label_smoothing": smoothing}
        err = xl.check_gradient(
            lambda v, kw=kw, y=y: xl.poly1_cross_entropy(
                y, v, from_logits=True, reduction="sum", **kw
            ),
            lambda v, kw=kw, y=y: xl.poly1_cross_entropy_grad(y, v, **kw),
            x,
        )
        assert err < 1e-7


def test_gradients_at_gamma_or_epsilon_zero_are_the_cross_entropy_gradient():
    y, x = batch(5, 4, 3.0, 9, soft=True)
    ce = xl.softmax_cross_entropy_grad(labels=y, logits=x)
    np.testing.assert_allclose(
        xl.categorical_focal_grad(y, x, alpha=1.0, gamma=0.0), ce, rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(
        xl.poly1_cross_entropy_grad(y, x, epsilon=0.0), ce, rtol=1e-12, atol=1e-15
    )


def test_focal_gradient_is_finite_where_the_miss_rounds_to_zero():
    # 1 - p rounds to 0 for the target class: 0 < gamma < 1 must not give inf or nan.
    y = np.array([[1.0, 0.0]])
    x = np.array([[800.0, 0.0]])
    g = xl.categorical_focal_grad(y, x, alpha=1.0, gamma=0.5)
    assert np.all(np.isfinite(g))
    np.testing.assert_array_equal(g, [[0.0, 0.0]])


# -------------------------------------------------------------------- inputs


def test_float32_in_float32_out_and_inputs_unchanged():
    y, x = batch(4, 3, 2.0, 10)
    y32, x32 = y.astype(np.float32), x.astype(np.float32)
    before = (y32.copy(), x32.copy())
    for f in (xl.categorical_focal_loss, xl.poly1_cross_entropy):
        for reduction in ("mean", "sum", "none"):
            assert f(y32, x32, from_logits=True, reduction=reduction).dtype == np.float32
            assert f(y32, xl.softmax(x32), reduction=reduction).dtype == np.float32
        np.testing.assert_allclose(
            f(y32, x32, from_logits=True), f(y, x, from_logits=True), rtol=1e-5
        )
    assert xl.categorical_focal_grad(y32, x32).dtype == np.float32
    assert xl.poly1_cross_entropy_grad(y32, x32).dtype == np.float32
    np.testing.assert_array_equal(y32, before[0])
    np.testing.assert_array_equal(x32, before[1])


@pytest.mark.parametrize(
    "f, kwargs, error, message",
    [
        (
            xl.categorical_focal_loss,
            {"alpha": -0.5},
            ValueError,
            "alpha must be finite and >= 0, got -0.5; Keras's default is 0.25.",
        ),
        (
            xl.categorical_focal_loss,
            {"gamma": -1},
            ValueError,
            "gamma must be finite and >= 0, got -1; 2.0 is the usual choice.",
        ),
        (
            xl.categorical_focal_loss,
            {"gamma": "2"},
            TypeError,
            "gamma must be a real number, got '2' (str).",
        ),
        (
            xl.categorical_focal_loss,
            {"label_smoothing": 1.5},
            ValueError,
            "label_smoothing must be in [0, 1], got 1.5; 0.1 is typical.",
        ),
        (
            xl.categorical_focal_loss,
            {"from_logits": "yes"},
            TypeError,
            "from_logits must be True or False, got 'yes' (str).",
        ),
        (
            xl.poly1_cross_entropy,
            {"epsilon": -2.0},
            ValueError,
            "epsilon must be finite and >= -1, got -2.0; below -1 the loss is no longer "
            "decreasing in p_t; Leng et al. use 1 or 2.",
        ),
        (
            xl.poly1_cross_entropy,
            {"reduction": "avg"},
            ValueError,
            "reduction must be one of ('mean', 'sum', 'none'), got 'avg'.",
        ),
    ],
)
def test_bad_options(f, kwargs, error, message):
    y, x = batch(2, 3)
    with pytest.raises(error, match=re.escape(message)):
        f(y, x, **{"from_logits": True, **kwargs})


@pytest.mark.parametrize(
    "f",
    [
        xl.categorical_focal_loss,
        xl.poly1_cross_entropy,
        xl.categorical_focal_grad,
        xl.poly1_cross_entropy_grad,
    ],
)
def test_bad_logits(f):
    kwargs = {} if f.__name__.endswith("grad") else {"from_logits": True}
    y = np.array([[1.0, 0.0]])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "logits contains +inf at index (0, 1); a logit must be finite, or -inf to mark "
            "an impossible class. Clip logits to a finite range first."
        ),
    ):
        f(y, [[0.0, np.inf]], **kwargs)
    with pytest.raises(
        ValueError, match=re.escape("logits contains NaN (first at index (0, 0), 1 in all)")
    ):
        f(y, [[np.nan, 0.0]], **kwargs)
    with pytest.raises(
        ValueError,
        match=re.escape("logits has a slice along the class axis whose entries are all -inf"),
    ):
        f(y, [[-np.inf, -np.inf]], **kwargs)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "y_true and logits must have the same shape, got y_true.shape = (1, 2) and "
            "logits.shape = (1, 3)."
        ),
    ):
        f(y, [[0.0, 1.0, 2.0]], **kwargs)


def test_bad_probabilities():
    y = np.array([[1.0, 0.0]])
    with pytest.raises(
        ValueError,
        match=re.escape("y_pred must hold probabilities in [0, 1], but y_pred[(0, 1)] = 1.5"),
    ):
        xl.categorical_focal_loss(y, [[0.5, 1.5]])
    with pytest.warns(UserWarning, match=re.escape("y_pred does not sum to 1 along axis 1")):
        xl.poly1_cross_entropy(y, [[0.5, 0.4]])
    with pytest.raises(
        ValueError,
        match=re.escape("y_true must hold probabilities in [0, 1], but y_true[(0, 0)] = 2.0"),
    ):
        xl.poly1_cross_entropy([[2.0, -1.0]], [[0.5, 0.5]])
