"""Tests of TensorFlow's four ``*_cross_entropy_with_logits`` in xentlab.tf.

References:
- TensorFlow's documented formulas, evaluated with mpmath at 100 significant
  digits on the exact (float32 or float64) inputs:
    sigmoid:  max(x, 0) - x z + log1p(exp(-|x|))
    weighted: (1 - z) x + (1 + (q - 1) z) (log1p(exp(-|x|)) + max(-x, 0))
    softmax:  -sum_j z_j log_softmax(x)_j
    sparse:   -log_softmax(x)_y
- PyTorch's documented semantics, written out: BCEWithLogitsLoss with
  ``pos_weight`` is -[q z log sigmoid(x) + (1 - z) log(1 - sigmoid(x))], and
  cross_entropy with probability targets is -sum_j z_j log_softmax(x)_j along
  the class axis 1.
"""

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xentlab as xl

DPS = 100
FLOATS = (np.float32, np.float64)


def mpf(v):
    return mpmath.mpf(float(v))


# ------------------------------------------------------ formulas, in mpmath


def tf_sigmoid_ce(z, x):
    with mpmath.workdps(DPS):
        z, x = mpf(z), mpf(x)
        return float(max(x, 0) - x * z + mpmath.log1p(mpmath.exp(-abs(x))))


def tf_weighted_ce(z, x, q):
    with mpmath.workdps(DPS):
        z, x, q = mpf(z), mpf(x), mpf(q)
        return float(
            (1 - z) * x + (1 + (q - 1) * z) * (mpmath.log1p(mpmath.exp(-abs(x))) + max(-x, 0))
        )


def mp_log_softmax(row):
    # (x_j - m) - log1p(sum_{k != top} exp(x_k - m)): the differences are exact at
    # this precision, and log1p keeps a tiny sum (a confident prediction) exact.
    values = [mpf(v) for v in row]
    top = max(range(len(values)), key=lambda k: values[k])
    rest = mpmath.fsum(mpmath.exp(v - values[top]) for k, v in enumerate(values) if k != top)
    return [(v - values[top]) - mpmath.log1p(rest) for v in values]


def tf_softmax_ce(z_row, x_row):
    with mpmath.workdps(DPS):
        return float(
            -mpmath.fsum(mpf(z) * lp for z, lp in zip(z_row, mp_log_softmax(x_row), strict=True))
        )


def tf_sparse_ce(y, x_row):
    with mpmath.workdps(DPS):
        return float(-mp_log_softmax(x_row)[y])


def torch_bce_with_logits(z, x, q):
    with mpmath.workdps(DPS):
        z, x, q = mpf(z), mpf(x), mpf(q)
        log_sig = -mpmath.log1p(mpmath.exp(-x))  # log sigmoid(x)
        log_one_minus_sig = -mpmath.log1p(mpmath.exp(x))  # log(1 - sigmoid(x))
        return float(-(q * z * log_sig + (1 - z) * log_one_minus_sig))


def assert_close(actual, expected, dtype, ulps=8, scale=1.0):
    """Relative accuracy of a few ulps; absolute (a few subnormal steps, times the
    factor ``scale`` a subnormal term was multiplied by) below the normal range."""
    finfo = np.finfo(dtype)
    np.testing.assert_allclose(
        actual,
        expected,
        rtol=ulps * finfo.eps,
        atol=2 * max(scale, 1.0) * finfo.smallest_subnormal,
    )


# ---------------------------------------------------- references: TensorFlow


EXTREME_LOGITS = [
    -1e4,
    -745.0,
    -100.0,
    -40.0,
    -3.5,
    -1e-8,
    0.0,
    1e-8,
    2.25,
    40.0,
    100.0,
    745.0,
    1e4,
]
LABELS = [0.0, 1.0, 0.25, 0.999]


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_cross_entropy_follows_tensorflows_formula(dtype):
    x, z = np.meshgrid(np.array(EXTREME_LOGITS, dtype=dtype), np.array(LABELS, dtype=dtype))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert got.dtype == dtype and got.shape == x.shape
    assert np.isfinite(got).all()
    expected = np.vectorize(tf_sigmoid_ce)(z, x)
    assert_close(got, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("q", [0.0, 0.3, 1.0, 7.5])
def test_weighted_cross_entropy_follows_tensorflows_formula_and_pytorch(dtype, q):
    x, z = np.meshgrid(np.array(EXTREME_LOGITS, dtype=dtype), np.array(LABELS, dtype=dtype))
    got = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q)
    assert got.dtype == dtype
    assert np.isfinite(got).all()
    q_exact = float(dtype(q))
    assert_close(got, np.vectorize(tf_weighted_ce)(z, x, q_exact), dtype, scale=q)
    assert_close(got, np.vectorize(torch_bce_with_logits)(z, x, q_exact), dtype, scale=q)


def test_weighted_pos_weight_per_class_like_pytorch():
    rng = np.random.default_rng(20)
    x = rng.normal(scale=4, size=(6, 3))
    z = rng.integers(0, 2, (6, 3)).astype(float)
    q = np.array([0.5, 2.0, 10.0])
    got = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q)
    expected = np.array(
        [[torch_bce_with_logits(z[i, j], x[i, j], q[j]) for j in range(3)] for i in range(6)]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def _softmax_rows(dtype):
    rows = np.array(
        [
            [1e4, -1e4, 0.0],
            [-1e4, 1e4, 1e4 - 1],
            [40.0, 0.0, 0.0],  # margin 40: the loss of class 0 is ~8.5e-18
            [0.0, -3.44 + 3.44, 1e-3],
            [-3.44, 1.16, 3.91],  # the panda example
            [-1e4, -1e4, -1e4],
        ],
        dtype=dtype,
    )
    if dtype == np.float64:
        rows = np.vstack([rows, [[700.0, 0.0, -5.0]]])  # loss ~1e-304
    return rows


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_and_sparse_follow_tensorflows_formulas(dtype):
    x = _softmax_rows(dtype)
    n, c = x.shape
    rng = np.random.default_rng(21)
    soft = rng.dirichlet(np.ones(c), size=n)
    soft = (soft / soft.sum(axis=1, keepdims=True)).astype(dtype)
    for y in range(c):
        one_hot = np.eye(c, dtype=dtype)[np.full(n, y)]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            dense = xl.softmax_cross_entropy_with_logits(labels=one_hot, logits=x)
            sparse = xl.sparse_softmax_cross_entropy_with_logits(labels=np.full(n, y), logits=x)
        expected = np.array([tf_sparse_ce(y, row) for row in x])
        assert dense.dtype == sparse.dtype == dtype
        assert np.isfinite(dense).all() and np.isfinite(sparse).all()
        assert_close(sparse, expected, dtype)
        assert_close(dense, expected, dtype)
    got = xl.softmax_cross_entropy_with_logits(labels=soft, logits=x)
    expected = np.array([tf_softmax_ce(z, row) for z, row in zip(soft, x, strict=True)])
    np.testing.assert_allclose(got, expected, rtol=16 * np.finfo(dtype).eps)


@pytest.mark.parametrize(
    "margin, dtype, expected",
    [
        # -log softmax of the top class = log1p(exp(-margin)) for two classes:
        # 4.248354255291589e-18 at margin 40 and 9.859676543759770e-305 at 700 (mpmath).
        (40.0, np.float64, 4.248354255291589e-18),
        (40.0, np.float32, 4.248354255291589e-18),
        (700.0, np.float64, 9.85967654375977e-305),
    ],
)
def test_tiny_losses_keep_relative_accuracy(margin, dtype, expected):
    x = np.array([[margin, 0.0]], dtype=dtype)
    rtol = 8 * np.finfo(dtype).eps
    assert tf_sparse_ce(0, x[0]) == pytest.approx(expected, rel=1e-15)
    for got in (
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0], logits=x),
        xl.softmax_cross_entropy_with_logits(labels=[[1.0, 0.0]], logits=x),
        xl.sigmoid_cross_entropy_with_logits(labels=[1.0], logits=x[:, 0]),
        xl.sigmoid_cross_entropy_with_logits(labels=[0.0], logits=-x[:, 0]),
        xl.weighted_cross_entropy_with_logits(labels=[1.0], logits=x[:, 0], pos_weight=1.0),
        xl.weighted_cross_entropy_with_logits(labels=[0.0], logits=-x[:, 0], pos_weight=3.0),
    ):
        assert got.dtype == dtype
        assert got[0] > 0
        np.testing.assert_allclose(got, [expected], rtol=rtol)


def test_tensorflows_formula_in_float64_agrees_on_ordinary_inputs():
    # The formula as TensorFlow evaluates it, in float64: it cancels only where
    # the loss is tiny, so on moderate inputs the two must agree closely.
    rng = np.random.default_rng(22)
    x = rng.normal(scale=5, size=200)
    z = rng.uniform(size=200)
    q = 2.5
    tf_sigmoid = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    tf_weighted = (1 - z) * x + (1 + (q - 1) * z) * (
        np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    )
    np.testing.assert_allclose(
        xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        tf_sigmoid,
        rtol=1e-12,
        atol=1e-14,
    )
    np.testing.assert_allclose(
        xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q),
        tf_weighted,
        rtol=1e-12,
        atol=1e-14,
    )


def test_pytorch_cross_entropy_with_probability_targets_on_class_axis_1():
    # torch.nn.functional.cross_entropy(input (N, C, L), target (N, C, L)) is
    # -sum_c target[:, c] * log_softmax(input, dim=1)[:, c]: one loss per (n, l).
    rng = np.random.default_rng(23)
    x = rng.normal(scale=3, size=(4, 5, 6))
    z = np.moveaxis(rng.dirichlet(np.ones(5), size=(4, 6)), -1, 1)
    expected = np.empty((4, 6))
    for n in range(4):
        for l_ in range(6):
            expected[n, l_] = tf_softmax_ce(z[n, :, l_], x[n, :, l_])
    got = xl.softmax_cross_entropy_with_logits(labels=z, logits=x, axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-13)
    labels = rng.integers(0, 5, (4, 6))
    expected_sparse = np.array(
        [[tf_sparse_ce(labels[n, l_], x[n, :, l_]) for l_ in range(6)] for n in range(4)]
    )
    np.testing.assert_allclose(
        xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x, axis=1),
        expected_sparse,
        rtol=1e-13,
    )


def test_worked_examples():
    # The panda example: -ln softmax(-3.44, 1.16, 3.91)[2] = 0.0626 (source article).
    loss = xl.sparse_softmax_cross_entropy_with_logits(labels=2, logits=[-3.44, 1.16, 3.91])
    assert np.ndim(loss) == 0
    assert round(float(loss), 4) == 0.0626
    assert xl.softmax_cross_entropy_with_logits(
        labels=[0, 0, 1], logits=[-3.44, 1.16, 3.91]
    ) == pytest.approx(float(loss), rel=1e-15)


# ------------------------------------------------------------------ properties


logit_arrays = arrays(
    np.float64, st.tuples(st.integers(1, 5), st.integers(2, 5)), elements=st.floats(-100, 100)
)


@given(logit_arrays, st.data())
def test_sparse_equals_one_hot(x, data):
    labels = data.draw(arrays(np.int64, x.shape[0], elements=st.integers(0, x.shape[1] - 1)))
    # 1e-13, the accuracy target, not less: the dense kernel rounds x_j - m (an error of
    # up to |x_j - m| eps / 2 in the exponent), the sparse one exponentiates the exact logits.
    np.testing.assert_allclose(
        xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x),
        xl.softmax_cross_entropy_with_logits(labels=np.eye(x.shape[1])[labels], logits=x),
        rtol=1e-13,
        atol=1e-300,
    )


@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-50, 50)),
    st.floats(0, 1),
)
def test_two_class_softmax_is_sigmoid_of_the_difference(a, b, z):
    n = min(a.size, b.size)
    a, b = a[:n], b[:n]
    z = np.full(n, z)
    np.testing.assert_allclose(
        xl.softmax_cross_entropy_with_logits(
            labels=np.stack([z, 1 - z], axis=1), logits=np.stack([a, b], axis=1)
        ),
        xl.sigmoid_cross_entropy_with_logits(labels=z, logits=a - b),
        rtol=1e-12,
        atol=1e-13,
    )


@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e3, 1e3)), st.floats(0, 1))
def test_weighted_with_unit_weight_is_sigmoid(x, z):
    z = np.full(x.shape, z)
    np.testing.assert_array_equal(
        xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=1.0),
        xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
    )


@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e3, 1e3)),
    st.floats(0, 1),
    st.floats(0, 20),
)
def test_weighted_is_linear_in_the_positive_weight(x, z, q):
    z = np.full(x.shape, z)
    negative = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=0.0)
    one = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=1.0)
    got = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q)
    np.testing.assert_allclose(got, negative + q * (one - negative), rtol=1e-9, atol=1e-9)


@given(logit_arrays, st.integers(0, 2**32 - 1))
def test_soft_labels_give_entropy_plus_kl(x, seed):
    z = np.random.default_rng(seed).dirichlet(np.ones(x.shape[1]), size=x.shape[0])
    z /= z.sum(axis=1, keepdims=True)
    q = xl.softmax(x)
    # H(z, softmax(x)) = H(z) + KL(z || softmax(x)) wherever softmax(x) > 0.
    if (q > 1e-300).all():
        np.testing.assert_allclose(
            xl.softmax_cross_entropy_with_logits(labels=z, logits=x),
            xl.entropy(z) + xl.kl_divergence(z, q),
            rtol=1e-9,
            atol=1e-9,
        )


@given(st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_axis_k_equals_moveaxis(axis, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=10, size=(2, 3, 4))
    moved = np.moveaxis(x, axis, -1)
    z = rng.dirichlet(np.ones(moved.shape[-1]), size=moved.shape[:-1])
    labels = rng.integers(0, moved.shape[-1], moved.shape[:-1])
    np.testing.assert_array_equal(
        xl.softmax_cross_entropy_with_logits(labels=np.moveaxis(z, -1, axis), logits=x, axis=axis),
        xl.softmax_cross_entropy_with_logits(labels=z, logits=moved),
    )
    np.testing.assert_array_equal(
        xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x, axis=axis),
        xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=moved),
    )


@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 4), st.integers(2, 4)),
        elements=st.floats(-1e4, 1e4, width=32),
    )
)
def test_float32_in_float32_out(x):
    z = np.zeros_like(x)
    z[:, 0] = 1
    labels = np.zeros(x.shape[0], dtype=np.int64)
    outs = [
        xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=2.0),
        xl.weighted_cross_entropy_with_logits(
            labels=z, logits=x, pos_weight=np.full(x.shape[1], 2.0)
        ),
        xl.softmax_cross_entropy_with_logits(labels=z, logits=x),
        xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x),
    ]
    for out in outs:
        assert out.dtype == np.float32
        assert np.isfinite(out).all() and (out >= 0).all()


def test_integer_logits_give_float64():
    assert xl.sigmoid_cross_entropy_with_logits(labels=[1, 0], logits=[2, -1]).dtype == np.float64
    assert (
        xl.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=[[2, -1]]).dtype
        == np.float64
    )
    assert (
        xl.softmax_cross_entropy_with_logits(labels=[True, False], logits=[True, False]).dtype
        == np.float64
    )


def test_keyword_only_like_tensorflow():
    with pytest.raises(TypeError):
        xl.sigmoid_cross_entropy_with_logits([1.0], [0.0])  # positional: not allowed
    with pytest.raises(TypeError):
        xl.sparse_softmax_cross_entropy_with_logits([0], [[0.0, 1.0]])


# ------------------------------------------------------------------ bad input

DENSE = [
    lambda **kw: xl.sigmoid_cross_entropy_with_logits(**kw),
    lambda **kw: xl.weighted_cross_entropy_with_logits(pos_weight=2.0, **kw),
    lambda **kw: xl.softmax_cross_entropy_with_logits(**kw),
]
DENSE_IDS = ["sigmoid", "weighted", "softmax"]


@pytest.mark.parametrize("f", DENSE, ids=DENSE_IDS)
def test_dense_bad_input(f):
    logits = np.zeros((2, 3))
    good = np.eye(3)[[0, 2]]
    with pytest.raises(
        ValueError,
        match=r"labels must hold probabilities in \[0, 1\], but "
        r"labels\[\(0, 0\)\] = 2.0",
    ):
        f(labels=2 * good, logits=logits)
    with pytest.raises(
        ValueError,
        match=r"labels and logits must have the same shape, got "
        r"labels.shape = \(2,\) and logits.shape = \(2, 3\)\. "
        r"labels looks like integer class labels",
    ):
        f(labels=[0, 2], logits=logits)
    with pytest.raises(ValueError, match=r"logits contains NaN \(first at index \(1, 2\)"):
        f(labels=good, logits=[[0, 0, 0], [0, 0, np.nan]])
    with pytest.raises(
        ValueError,
        match=r"logits contains \+inf at index \(0, 1\); a logit must be finite, or -inf "
        r"to mark an impossible class\.",
    ):
        f(labels=good, logits=[[0, np.inf, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match=r"labels contains NaN"):
        f(labels=[[np.nan, 0, 1], [0, 0, 1]], logits=logits)
    with pytest.raises(TypeError, match=r"labels must hold real numbers, got dtype <U1"):
        f(labels=[["a", "b", "c"]] * 2, logits=logits)
    with pytest.raises(TypeError, match=r"logits must hold real numbers, got dtype complex128"):
        f(labels=good, logits=logits + 0j)
    with pytest.raises(ValueError, match=r"logits is empty"):
        f(labels=[], logits=[])


def test_softmax_labels_must_be_distributions():
    with pytest.warns(
        UserWarning,
        match=r"labels does not sum to 1 along axis 1: the sum at 1 "
        r"is 2",
    ):
        xl.softmax_cross_entropy_with_logits(labels=[[1, 0], [1, 1]], logits=np.zeros((2, 2)))


@pytest.mark.parametrize(
    "f", [xl.softmax_cross_entropy_with_logits, xl.sparse_softmax_cross_entropy_with_logits]
)
def test_bad_axis_and_dimensions(f):
    labels = np.zeros((2, 3)) if f is xl.softmax_cross_entropy_with_logits else [0, 0]
    with pytest.raises(ValueError, match=r"axis=2 is out of bounds"):
        f(labels=labels, logits=np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match=r"axis must be an integer, got 'last'"):
        f(labels=labels, logits=np.zeros((2, 3)), axis="last")
    with pytest.raises(
        ValueError,
        match=r"logits must have at least 1 dimension\(s\), got shape "
        r"\(\)",
    ):
        f(labels=1, logits=1.0)


def test_sparse_bad_labels():
    logits = np.zeros((3, 4))
    with pytest.raises(
        ValueError,
        match=r"labels must be class indices in \[0, 4\) for 4 "
        r"classes, but labels\[1\] = 4 \(min 1, max 4\)\. Your "
        r"classes look coded from 1: subtract 1 from the "
        r"labels",
    ):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[1, 4, 2], logits=logits)
    with pytest.raises(
        ValueError,
        match=r"labels must be class indices in \[0, 4\) for 4 "
        r"classes, but labels\[0\] = 7",
    ):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[7, 0, 2], logits=logits)
    with pytest.raises(
        ValueError,
        match=r"labels must hold whole-number class indices, but "
        r"labels\[2\] = 1.5",
    ):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 1.5], logits=logits)
    with pytest.raises(ValueError, match=r"labels contains NaN"):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, np.nan], logits=logits)
    with pytest.raises(
        ValueError,
        match=r"labels must have shape \(3,\) \(one class index per "
        r"example\), got shape \(3, 4\)\. labels looks one-hot "
        r"encoded",
    ):
        xl.sparse_softmax_cross_entropy_with_logits(labels=np.eye(4)[[0, 1, 2]], logits=logits)
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=logits)
    with pytest.raises(TypeError, match=r"labels must be integer class indices, got dtype <U3"):
        xl.sparse_softmax_cross_entropy_with_logits(labels=["cat", "dog", "pig"], logits=logits)
    with pytest.raises(
        TypeError,
        match=r"labels must be integer class indices, got dtype "
        r"complex128",
    ):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0j, 1j, 0j], logits=logits)
    with pytest.raises(ValueError, match=r"labels could not be converted to a numeric array"):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[[0], [1, 2], [3]], logits=logits)


@pytest.mark.parametrize(
    "f", [xl.weighted_cross_entropy_with_logits, xl.weighted_cross_entropy_grad]
)
def test_bad_pos_weight(f):
    z, x = np.ones((2, 3)), np.zeros((2, 3))
    with pytest.raises(
        ValueError, match=r"pos_weight must be non-negative, but pos_weight = -1.0"
    ):
        f(labels=z, logits=x, pos_weight=-1.0)
    with pytest.raises(ValueError, match=r"pos_weight contains NaN"):
        f(labels=z, logits=x, pos_weight=np.nan)
    with pytest.raises(ValueError, match=r"pos_weight contains inf"):
        f(labels=z, logits=x, pos_weight=np.inf)
    with pytest.raises(TypeError, match=r"pos_weight must hold real numbers"):
        f(labels=z, logits=x, pos_weight="2")
    with pytest.raises(
        ValueError,
        match=r"pos_weight of shape \(2,\) does not broadcast to "
        r"logits of shape \(2, 3\); pass a scalar or one weight "
        r"per class \(shape \(3,\)\)",
    ):
        f(labels=z, logits=x, pos_weight=[1.0, 2.0])
    # Broadcasting must not make the result bigger than the logits.
    with pytest.raises(
        ValueError,
        match=r"pos_weight of shape \(4, 1, 3\) does not broadcast "
        r"to logits of shape \(2, 3\)",
    ):
        f(labels=z, logits=x, pos_weight=np.ones((4, 1, 3)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("axis", [-1, 0])
def test_sparse_blocks_with_out_of_range_logits_fall_back_exactly(dtype, axis):
    # Logits within +-bound are exponentiated unshifted; a block of rows holding a
    # logit beyond that (here 5,000: exp overflows) is shifted by the row maximum
    # instead. Mix both kinds of row, and both kinds of block (64 rows fit in one).
    rng = np.random.default_rng(7)
    logits = rng.normal(0.0, 3.0, (64, 5))
    labels = rng.integers(0, 5, 64)
    wrong = labels[::3]
    logits[::3, :] = 0.0
    logits[np.arange(0, 64, 3), (wrong + 1) % 5] = 5_000.0  # a wrong class far ahead
    logits = logits.astype(dtype)
    x64 = logits.astype(np.float64)
    expected = scipy.special.logsumexp(x64, axis=1) - x64[np.arange(64), labels]
    if axis == 0:
        logits = logits.T
    got = xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis)
    assert got.dtype == dtype
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, expected, rtol=rtol)
    assert np.all(got[::3] >= 4_000.0)  # the shifted rows


def _mp_sparse_ce(label, row):
    with mpmath.workdps(DPS):  # floating point: e^-700 keeps its 100 digits
        return float(-mp_log_softmax(row)[label])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_classes", [2, 10, 10_000])
def test_sparse_unshifted_path_is_exact_up_to_its_bound(dtype, n_classes):
    # At the edge of [-bound, bound] the unshifted exponentials are at their most
    # extreme: e^{+-bound}, and the loss of a confident prediction is about
    # C e^{-2 bound}. Every value must still be a normal float, accurate to the target;
    # just past the bound the shifted path takes over with the same accuracy.
    from xentlab._kernels import unshifted_bound as _unshifted_bound

    bound = _unshifted_bound(dtype, n_classes)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    past = np.nextafter(bound, np.inf, dtype=dtype)
    rows = {
        "at the bound": np.array([bound] + [-bound] * (n_classes - 1), dtype=dtype),
        "just past it": np.array([past] + [0.0] * (n_classes - 1), dtype=dtype),
    }
    for kind, row in rows.items():
        for label in (0, 1):
            got = xl.sparse_softmax_cross_entropy_with_logits(labels=label, logits=row)
            expected = _mp_sparse_ce(label, row)
            assert abs(expected) >= np.finfo(dtype).tiny  # a normal float: scored
            assert np.isfinite(got) and got.dtype == dtype
            assert got == pytest.approx(expected, rel=rtol), (kind, label)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_paths_agree_across_many_blocks(dtype, monkeypatch):
    # Several row blocks of 100 rows, every third one holding an out-of-range logit:
    # the result must not depend on how the rows are split into blocks.
    from xentlab import _blocks

    rng = np.random.default_rng(11)
    logits = rng.normal(0.0, 4.0, (2_000, 7)).astype(dtype)
    logits[::300, 3] = 500.0 if dtype == np.float64 else 60.0
    labels = rng.integers(0, 7, 2_000)
    monkeypatch.setattr(_blocks, "ROW_BLOCK_ELEMENTS", 7 * 100)
    blocked = xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    monkeypatch.setattr(_blocks, "ROW_BLOCK_ELEMENTS", 1 << 40)
    whole = xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    expected = np.array([_mp_sparse_ce(y, row) for y, row in zip(labels, logits, strict=True)])
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(blocked, expected, rtol=rtol)
    np.testing.assert_allclose(whole, expected, rtol=rtol)


def test_minus_inf_logits_are_impossible_classes():
    # -inf marks a class that cannot occur: probability 0, no loss when it is not the
    # target, an infinite loss when it is, and a gradient of exactly 0 there.
    x = np.array([[0.0, -np.inf, 1.0], [2.0, 1.0, -np.inf]])
    kept = [[0.0, 1.0], [2.0, 1.0]]
    got = xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=x)
    ref = xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=kept)
    np.testing.assert_allclose(got, ref, rtol=1e-15)
    assert xl.sparse_softmax_cross_entropy_with_logits(labels=[1], logits=x[:1])[0] == np.inf
    dense = xl.softmax_cross_entropy_with_logits(labels=np.eye(3)[[0, 1]], logits=x)
    np.testing.assert_allclose(dense, ref, rtol=1e-15)
    z = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    sig = xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert sig[0, 1] == 0.0 and sig[1, 2] == 0.0
    z[0, 1] = 1.0
    assert (
        xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=2.0)[0, 1] == np.inf
    )
    for grad in (
        xl.sparse_softmax_cross_entropy_grad(labels=[0, 1], logits=x),
        xl.softmax_cross_entropy_grad(labels=np.eye(3)[[0, 1]], logits=x),
        xl.sigmoid_cross_entropy_grad(labels=np.eye(3)[[0, 1]], logits=x),
    ):
        assert grad[0, 1] == 0.0 and grad[1, 2] == 0.0
    with pytest.raises(ValueError, match="logits has a slice along the class axis whose"):
        xl.sparse_softmax_cross_entropy_with_logits(labels=[0], logits=[[-np.inf, -np.inf]])
