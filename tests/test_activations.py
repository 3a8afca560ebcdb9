"""Tests of xentlab.activations: sigmoid, log_sigmoid, softmax, log_softmax, logsumexp.

References: scipy.special (expit, log_expit, softmax, log_softmax, logsumexp) on
ordinary inputs, and mpmath at 60 significant digits where the answer is tiny or
the inputs are extreme.
"""

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import xentlab as xl

FLOATS = (np.float32, np.float64)


def scores(dtype=np.float64, bound=50.0, min_dims=1, max_dims=3):
    """Hypothesis arrays of bounded, finite scores."""
    width = 32 if dtype == np.float32 else 64
    return arrays(
        dtype,
        array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=5),
        elements=st.floats(-bound, bound, width=width),
    )


# ------------------------------------------------------------- mpmath references


# Each is written so that mpmath does not cancel: log1p of a tiny argument, and
# differences of scores (exact at this precision) rather than of large logs.


def mp_log_sigmoid(x):
    with mpmath.workdps(60):
        x = mpmath.mpf(float(x))
        # log sigmoid(x) = -log1p(exp(-x)) = x - log1p(exp(x)), the second for x < 0.
        return float(-mpmath.log1p(mpmath.exp(-x)) if x >= 0 else x - mpmath.log1p(mpmath.exp(x)))


def mp_sigmoid(x):
    with mpmath.workdps(60):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(float(x)))))


def _mp_split(row):
    values = [mpmath.mpf(float(v)) for v in row]
    top = max(range(len(values)), key=lambda k: values[k])
    m = values[top]
    rest = mpmath.fsum(mpmath.exp(v - m) for k, v in enumerate(values) if k != top)
    return values, m, rest


def mp_logsumexp(row):
    with mpmath.workdps(60):
        _, m, rest = _mp_split(row)
        return float(m + mpmath.log1p(rest))


def mp_log_softmax(row):
    with mpmath.workdps(60):
        values, m, rest = _mp_split(row)
        return np.array([float((v - m) - mpmath.log1p(rest)) for v in values])


# ------------------------------------------------------------- scipy references


@pytest.mark.parametrize("scale", [1.0, 30.0, 800.0, 1e4])
def test_sigmoid_and_log_sigmoid_match_scipy(scale):
    x = np.random.default_rng(0).normal(scale=scale, size=500)
    # scipy flushes subnormal results to 0 (sigmoid(-740) ~ 4e-322); xentlab keeps them.
    tiny = np.finfo(np.float64).tiny
    np.testing.assert_allclose(xl.sigmoid(x), scipy.special.expit(x), rtol=1e-15, atol=tiny)
    np.testing.assert_allclose(xl.log_sigmoid(x), scipy.special.log_expit(x), rtol=1e-14, atol=0)


@pytest.mark.parametrize("shape", [(7,), (4, 6), (3, 4, 5)])
@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_softmax_family_matches_scipy_on_every_axis(shape, scale):
    x = np.random.default_rng(1).normal(scale=scale, size=shape)
    for axis in range(-len(shape), len(shape)):
        np.testing.assert_allclose(
            xl.softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-13, atol=1e-300
        )
        np.testing.assert_allclose(
            xl.log_softmax(x, axis=axis),
            scipy.special.log_softmax(x, axis=axis),
            rtol=1e-13,
            atol=1e-13,
        )
        for keepdims in (False, True):
            np.testing.assert_allclose(
                xl.logsumexp(x, axis=axis, keepdims=keepdims),
                scipy.special.logsumexp(x, axis=axis, keepdims=keepdims),
                rtol=1e-14,
            )


def test_logsumexp_handles_infinities_like_scipy():
    x = np.array(
        [
            [-np.inf, -np.inf, -np.inf],  # empty sum: log 0
            [np.inf, 1000.0, -5.0],  # +inf dominates a large finite value
            [np.inf, np.inf, 0.0],
            [-np.inf, 0.0, 0.0],  # -inf is a zero term
        ]
    )
    with np.errstate(over="ignore"):  # scipy's own exp(1000) overflows; xentlab's may not
        expected = scipy.special.logsumexp(x, axis=1)
    np.testing.assert_array_equal(xl.logsumexp(x, axis=1), expected)
    assert xl.logsumexp(x[3]) == pytest.approx(np.log(2.0), rel=1e-15)


def test_masked_scores_get_probability_zero():
    x = np.array([1.0, -np.inf, 2.0])
    p = xl.softmax(x)
    assert p[1] == 0.0
    np.testing.assert_allclose(p, scipy.special.softmax(x), rtol=1e-15)
    log_p = xl.log_softmax(x)
    assert log_p[1] == -np.inf
    np.testing.assert_allclose(log_p[[0, 2]], scipy.special.log_softmax(x)[[0, 2]], rtol=1e-15)


# -------------------------------------------------------- stability and accuracy


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("x", [-1e4, -745.5, -100.0, -40.0, -1.0, 0.0, 1.0, 40.0, 100.0, 1e4])
def test_sigmoid_and_log_sigmoid_accurate_at_extremes(dtype, x):
    x = dtype(x)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        log_s, s = xl.log_sigmoid(x), xl.sigmoid(x)
    assert np.isfinite(log_s) and log_s.dtype == dtype and s.dtype == dtype
    rtol = 4 * np.finfo(dtype).eps
    # Below tiny the answer is subnormal in this dtype: only absolute accuracy.
    atol = 2 * np.finfo(dtype).smallest_subnormal
    np.testing.assert_allclose(log_s, mp_log_sigmoid(x), rtol=rtol, atol=atol)
    np.testing.assert_allclose(s, mp_sigmoid(x), rtol=rtol, atol=atol)


def test_log_sigmoid_keeps_tiny_values_that_the_naive_formula_rounds_away():
    # log sigmoid(40) = -log1p(exp(-40)) = -4.248354255291589e-18 (mpmath);
    # np.log(sigmoid(40)) is exactly 0.
    assert xl.log_sigmoid(40.0) == pytest.approx(-4.248354255291589e-18, rel=1e-15)
    assert xl.log_sigmoid(700.0) == pytest.approx(mp_log_sigmoid(700.0), rel=1e-14)
    assert xl.log_sigmoid(700.0) < 0


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family_finite_and_accurate_for_logits_up_to_1e4(dtype):
    rows = np.array(
        [
            [1e4, -1e4, 0.0],
            [1e4, 1e4 - 40, -1e4],  # a margin of 40: log p of the top is -4.25e-18
            [-1e4, -1e4, -1e4 + 1],
            [1e4, 9999.5, 9999.0],
        ],
        dtype=dtype,
    )
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        log_p, p, lse = xl.log_softmax(rows), xl.softmax(rows), xl.logsumexp(rows)
    for out in (log_p, p, lse):
        assert out.dtype == dtype
        assert np.isfinite(out).all()
    eps = np.finfo(dtype).eps
    for i, row in enumerate(rows):
        reference = mp_log_softmax(row)
        np.testing.assert_allclose(log_p[i], reference, rtol=4 * eps)
        np.testing.assert_allclose(lse[i], mp_logsumexp(row), rtol=4 * eps)
        normal = np.exp(reference) >= np.finfo(dtype).tiny
        np.testing.assert_allclose(p[i][normal], np.exp(reference)[normal], rtol=8 * eps)


@pytest.mark.parametrize(
    "margin, dtype",
    [(40, np.float32), (40, np.float64), (80, np.float32), (200, np.float64), (700, np.float64)],
)
def test_log_softmax_of_a_dominant_class_keeps_relative_accuracy(margin, dtype):
    # The true value, -log1p(exp(-margin) + exp(-margin - 3)), is tiny but
    # representable: ~-4.3e-18 at margin 40, ~-1e-304 at margin 700.
    row = np.array([margin, 0.0, -3.0], dtype=dtype)
    got = xl.log_softmax(row)[0]
    expected = mp_log_softmax(row)[0]
    assert got < 0
    np.testing.assert_allclose(got, expected, rtol=8 * np.finfo(dtype).eps)


# ------------------------------------------------------------------ properties


@given(scores(), st.floats(-1e3, 1e3))
def test_softmax_is_shift_invariant(x, shift):
    np.testing.assert_allclose(xl.softmax(x + shift), xl.softmax(x), rtol=1e-9, atol=1e-12)
    # log_softmax is too, up to the rounding of x + shift.
    atol = 64 * np.finfo(np.float64).eps * (np.abs(x).max() + abs(shift))
    np.testing.assert_allclose(xl.log_softmax(x + shift), xl.log_softmax(x), rtol=0, atol=atol)
    np.testing.assert_allclose(
        xl.logsumexp(x + shift), xl.logsumexp(x) + shift, rtol=1e-13, atol=atol
    )


@given(scores(bound=1e4))
def test_softmax_is_a_distribution(x):
    p = xl.softmax(x)
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-13)
    log_p = xl.log_softmax(x)
    assert (log_p <= 0).all()
    np.testing.assert_allclose(np.exp(log_p).sum(axis=-1), 1.0, rtol=1e-13)


@given(scores(np.float32, bound=1e4))
def test_softmax_float32_is_a_distribution(x):
    p = xl.softmax(x)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=-1, dtype=np.float64), 1.0, rtol=1e-5)


@given(scores())
def test_log_softmax_is_x_minus_logsumexp(x):
    expected = x - xl.logsumexp(x, keepdims=True)
    np.testing.assert_allclose(xl.log_softmax(x), expected, rtol=1e-12, atol=1e-12)


@given(arrays(np.float64, array_shapes(max_dims=2, max_side=6), elements=st.floats(-700, 700)))
def test_sigmoid_symmetry_and_log_relation(x):
    s = xl.sigmoid(x)
    np.testing.assert_allclose(s + xl.sigmoid(-x), 1.0, rtol=1e-15)
    # log(1 - sigmoid(x)) = log_sigmoid(-x), and log_sigmoid(x) - log_sigmoid(-x) = x.
    np.testing.assert_allclose(xl.log_sigmoid(x) - xl.log_sigmoid(-x), x, rtol=1e-13, atol=1e-13)


@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
)
def test_two_class_softmax_is_sigmoid_of_the_difference(a, b):
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    pair = np.stack([a, b], axis=-1)
    np.testing.assert_allclose(xl.softmax(pair)[:, 0], xl.sigmoid(a - b), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(
        xl.log_softmax(pair)[:, 0], xl.log_sigmoid(a - b), rtol=1e-12, atol=1e-13
    )


@given(scores(min_dims=2), st.data())
def test_axis_k_equals_moveaxis(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    moved = np.moveaxis(x, axis, -1)
    np.testing.assert_array_equal(
        np.moveaxis(xl.softmax(x, axis=axis), axis, -1), xl.softmax(moved)
    )
    np.testing.assert_array_equal(
        np.moveaxis(xl.log_softmax(x, axis=axis), axis, -1), xl.log_softmax(moved)
    )
    np.testing.assert_array_equal(xl.logsumexp(x, axis=axis), xl.logsumexp(moved))


@given(scores(np.float32, bound=1e4))
def test_float32_in_float32_out(x):
    for f in (xl.sigmoid, xl.log_sigmoid, xl.softmax, xl.log_softmax, xl.logsumexp):
        out = np.asarray(f(x))
        assert out.dtype == np.float32, f.__name__
        assert np.isfinite(out).all(), f.__name__


@pytest.mark.parametrize(
    "f", [xl.sigmoid, xl.log_sigmoid, xl.softmax, xl.log_softmax, xl.logsumexp]
)
@pytest.mark.parametrize(
    "x",
    [[1, 2, 3], [True, False], np.array([3, 1], dtype=np.int8), np.array([1, 2], dtype=np.uint64)],
)
def test_integer_and_bool_input_gives_float64(f, x):
    out = np.asarray(f(x))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np.asarray(f(np.asarray(x, dtype=np.float64))), rtol=1e-15)


def test_float16_is_computed_in_float32():
    assert xl.softmax(np.array([1, 2], dtype=np.float16)).dtype == np.float32


def test_scalar_input():
    assert float(xl.sigmoid(0.0)) == 0.5
    assert float(xl.log_sigmoid(0.0)) == pytest.approx(-np.log(2), rel=1e-15)
    assert xl.logsumexp([0.0, 0.0]) == pytest.approx(np.log(2), rel=1e-15)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "f", [xl.sigmoid, xl.log_sigmoid, xl.softmax, xl.log_softmax, xl.logsumexp]
)
@pytest.mark.parametrize(
    "x, error, match",
    [
        ([1.0, np.nan], ValueError, r"x contains NaN"),
        ([], ValueError, r"x is empty"),
        (np.zeros((2, 0)), ValueError, r"x is empty"),
        (["a", "b"], TypeError, r"x must hold real numbers, got dtype <U1"),
        ([1.0, None], TypeError, r"x must hold real numbers, got dtype object"),
        ([1 + 2j, 0j], TypeError, r"x must hold real numbers, got dtype complex128"),
        ([[1.0, 2.0], [3.0]], ValueError, r"x could not be converted to a numeric array"),
    ],
)
def test_bad_input(f, x, error, match):
    with pytest.raises(error, match=match):
        f(x)


@pytest.mark.parametrize("f", [xl.softmax, xl.log_softmax])
def test_softmax_rejects_undefined_slices(f):
    with pytest.raises(ValueError, match=r"x contains \+inf, for which the softmax is undefined"):
        f([1.0, np.inf])
    with pytest.raises(ValueError, match=r"x has a slice along axis 1 whose entries are all -inf"):
        f([[0.0, 1.0], [-np.inf, -np.inf]])


@pytest.mark.parametrize("f", [xl.softmax, xl.log_softmax, xl.logsumexp])
def test_bad_axis(f):
    with pytest.raises(ValueError, match=r"axis=2 is out of bounds for an array of 2 dimension"):
        f(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"axis=-3 is out of bounds"):
        f(np.zeros((2, 3)), axis=-3)
    for bad in (None, 1.0, (0, 1), True):
        with pytest.raises(TypeError, match=r"axis must be an integer, got"):
            f(np.zeros((2, 3)), axis=bad)


@pytest.mark.parametrize("f", [xl.softmax, xl.log_softmax, xl.logsumexp])
def test_class_functions_need_at_least_one_dimension(f):
    with pytest.raises(ValueError, match=r"x must have at least 1 dimension\(s\), got shape \(\)"):
        f(1.0)


def test_logsumexp_keepdims_must_be_bool():
    with pytest.raises(TypeError, match=r"keepdims must be True or False, got 'yes'"):
        xl.logsumexp([1.0, 2.0], keepdims="yes")
