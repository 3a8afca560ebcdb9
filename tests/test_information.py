"""Tests of xentlab.information: entropy, cross_entropy, kl_divergence.

Reference: scipy.stats.entropy (which renormalises its inputs, so it is only
compared on inputs that already sum to 1), and the identities
H(p, q) = H(p) + KL(p || q), KL >= 0, H(p, q) >= H(p).
"""

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xentlab as xl


def random_distributions(rng, shape, zeros=False):
    p = rng.dirichlet(np.full(shape[-1], 0.7), size=shape[:-1])
    if zeros:
        p[..., 0] = 0.0
        p /= p.sum(axis=-1, keepdims=True)
    return p


@st.composite
def distributions(draw, n_classes=None, min_classes=2, max_classes=6, zeros=True):
    """A probability vector; some entries may be exactly 0."""
    n = draw(st.integers(min_classes, max_classes)) if n_classes is None else n_classes
    low = 0.0 if zeros else 1e-3
    weights = draw(arrays(np.float64, n, elements=st.floats(low, 1.0)))
    assume(weights.sum() > 1e-3)
    return weights / weights.sum()


# ------------------------------------------------------------- scipy references


@pytest.mark.parametrize("base", [None, 2, 10, math.e, 0.5, 3.7])
@pytest.mark.parametrize("zeros", [False, True])
def test_entropy_and_kl_match_scipy(base, zeros):
    rng = np.random.default_rng(2)
    p = random_distributions(rng, (40, 5), zeros=zeros)
    q = random_distributions(rng, (40, 5))
    np.testing.assert_allclose(
        xl.entropy(p, base=base), scipy.stats.entropy(p, base=base, axis=-1), rtol=1e-13
    )
    np.testing.assert_allclose(
        xl.kl_divergence(p, q, base=base),
        scipy.stats.entropy(p, q, base=base, axis=-1),
        rtol=1e-12,
        atol=1e-15,
    )
    # scipy has no cross-entropy; H(p, q) = H(p) + KL(p || q) there.
    expected = scipy.stats.entropy(p, base=base, axis=-1) + scipy.stats.entropy(
        p, q, base=base, axis=-1
    )
    np.testing.assert_allclose(xl.cross_entropy(p, q, base=base), expected, rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_axis_matches_scipy(axis):
    rng = np.random.default_rng(3)
    p = np.moveaxis(random_distributions(rng, (3, 4, 5)), -1, axis)
    q = np.moveaxis(random_distributions(rng, (3, 4, 5)), -1, axis)
    np.testing.assert_allclose(
        xl.entropy(p, axis=axis), scipy.stats.entropy(p, axis=axis), rtol=1e-13
    )
    np.testing.assert_allclose(
        xl.kl_divergence(p, q, axis=axis), scipy.stats.entropy(p, q, axis=axis), rtol=1e-12
    )


def test_worked_values():
    # Hand derivations: a fair coin is 1 bit, a fair die log2(6) bits; the CSDN
    # article's one-hot target against (0.5, 0.2, 0.3) costs -ln 0.5 nats = 1 bit.
    assert xl.entropy([0.5, 0.5], base=2) == pytest.approx(1.0, rel=1e-15)
    assert xl.entropy(np.full(6, 1 / 6), base=2) == pytest.approx(math.log2(6), rel=1e-15)
    assert xl.cross_entropy([1, 0, 0], [0.5, 0.2, 0.3]) == pytest.approx(math.log(2), rel=1e-15)
    assert xl.cross_entropy([1, 0, 0], [0.5, 0.2, 0.3], base=2) == pytest.approx(1.0, rel=1e-15)
    assert xl.cross_entropy([1, 0, 0], [0.7, 0.1, 0.2]) == pytest.approx(-math.log(0.7), rel=1e-15)


def test_zero_probability_conventions():
    # 0 log 0 = 0; a true outcome given probability 0 costs inf; KL(p || q) = inf too.
    assert xl.entropy([1.0, 0.0, 0.0]) == 0.0
    assert xl.cross_entropy([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert xl.cross_entropy([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert xl.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert xl.kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)


def test_small_kl_keeps_relative_accuracy():
    # KL(p || q) for q = p + d, to second order, is sum d^2 / (2 p) (hand
    # derivation); with d = 1e-9 the naive log p - log q loses most digits.
    p = np.array([0.3, 0.7])
    d = np.array([1e-9, -1e-9])
    expected = float(np.sum(d**2 / (2 * p)))
    assert xl.kl_divergence(p, p + d) == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------ properties


@given(st.data())
def test_gibbs_inequality(data):
    p = data.draw(distributions(), label="p")
    q = data.draw(distributions(n_classes=p.size), label="q")
    h_p, h_pq, kl = xl.entropy(p), xl.cross_entropy(p, q), xl.kl_divergence(p, q)
    # KL >= 0 holds for distributions; these sum to 1 only to rounding, and for
    # q = p (1 + 1e-16) the exact sum p log(p / q) is about -1e-16.
    assert kl >= -4 * np.finfo(np.float64).eps
    assert h_pq >= h_p - 1e-12
    if np.isfinite(kl):
        # H(p, q) = H(p) + KL(p || q)
        assert h_pq == pytest.approx(h_p + kl, rel=1e-12, abs=1e-12)
    else:
        assert h_pq == np.inf
    # ... with equality exactly when p == q.
    if np.array_equal(p, q):
        assert kl == 0
    elif np.abs(p - q).max() > 1e-6:
        assert kl > 0
        assert h_pq > h_p


@given(distributions())
def test_kl_of_a_distribution_with_itself_is_zero(p):
    assert xl.kl_divergence(p, p) == 0.0
    assert xl.cross_entropy(p, p) == pytest.approx(xl.entropy(p), rel=1e-15, abs=0)


@given(st.integers(2, 4), st.integers(1, 4), st.data())
def test_axis_k_equals_moveaxis(n_rows, n_classes, data):
    p = np.stack([data.draw(distributions(n_classes=n_classes + 1)) for _ in range(n_rows)])
    q = np.stack(
        [data.draw(distributions(n_classes=n_classes + 1, zeros=False)) for _ in range(n_rows)]
    )
    for f, args in ((xl.entropy, (p,)), (xl.cross_entropy, (p, q)), (xl.kl_divergence, (p, q))):
        moved = [a.T for a in args]
        np.testing.assert_array_equal(f(*moved, axis=0), f(*args), err_msg=f.__name__)


@given(distributions(zeros=False), st.sampled_from([2, 10, 0.5]))
def test_base_is_a_change_of_units(p, base):
    q = np.full(p.size, 1 / p.size)
    for f, args in ((xl.entropy, (p,)), (xl.cross_entropy, (p, q)), (xl.kl_divergence, (p, q))):
        expected = f(*args) / math.log(base)
        assert f(*args, base=base) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_float32_in_float32_out_and_integers_give_float64():
    p = np.array([[0.25, 0.75], [0.5, 0.5]], dtype=np.float32)
    q = np.array([[0.5, 0.5], [0.9, 0.1]], dtype=np.float32)
    for out in (
        xl.entropy(p),
        xl.cross_entropy(p, q),
        xl.kl_divergence(p, q),
        xl.entropy(p, base=2),
        xl.kl_divergence(p, q, base=2),
    ):
        assert out.dtype == np.float32
    one_hot = np.array([[0, 1], [1, 0]])
    assert xl.entropy(one_hot).dtype == np.float64
    assert xl.cross_entropy(one_hot, one_hot.astype(bool)).dtype == np.float64
    # Integer targets do not drag float32 predictions up to float64.
    assert xl.cross_entropy(one_hot, q).dtype == np.float32
    assert xl.kl_divergence(one_hot, q).dtype == np.float32


def test_single_distribution_gives_a_scalar():
    out = xl.entropy([0.5, 0.5])
    assert np.ndim(out) == 0 and isinstance(out, np.floating)


# ------------------------------------------------------------------ bad input

PAIRS = [xl.cross_entropy, xl.kl_divergence]
ALL = [xl.entropy, *PAIRS]


def call(f, p, q=None, **kwargs):
    return f(p, **kwargs) if f is xl.entropy else f(p, [0.5, 0.5] if q is None else q, **kwargs)


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize(
    "p, error, match",
    [
        ([0.5, np.nan], ValueError, r"p contains NaN \(first at index 1, 1 in all\)"),
        ([1.5, -0.5], ValueError, r"p must hold probabilities in \[0, 1\], but p\[0\] = "),
        ([], ValueError, r"p is empty"),
        (["a", "b"], TypeError, r"p must hold real numbers, got dtype <U1"),
        ([0.5, None], TypeError, r"p must hold real numbers, got dtype object"),
        ([0.5 + 0j, 0.5], TypeError, r"p must hold real numbers, got dtype complex128"),
        ([[0.5, 0.5], [1.0]], ValueError, r"p could not be converted to a numeric array"),
        (0.5, ValueError, r"p must have at least 1 dimension"),
    ],
)
def test_bad_p(f, p, error, match):
    q = 0.5 if np.isscalar(p) else None
    with pytest.raises(error, match=match):
        call(f, p, q)


@pytest.mark.parametrize("f", PAIRS)
def test_bad_q(f):
    with pytest.raises(ValueError, match=r"q contains NaN"):
        f([0.5, 0.5], [np.nan, 1.0])
    with pytest.raises(
        ValueError,
        match=r"q must hold probabilities in \[0, 1\], but "
        r"q\[1\] = 2.0 \(min -1.25, max 2.0\)",
    ):
        f([0.5, 0.25, 0.25], [0.25, 2.0, -1.25])
    with pytest.raises(TypeError, match=r"q must hold real numbers"):
        f([0.5, 0.5], ["x", "y"])
    with pytest.raises(
        ValueError,
        match=r"p and q must have the same shape, got p.shape = "
        r"\(2,\) and q.shape = \(3,\)",
    ):
        f([0.5, 0.5], [0.2, 0.3, 0.5])


@pytest.mark.parametrize("f", ALL)
def test_distributions_not_summing_to_one_warn(f):
    with pytest.warns(UserWarning, match=r"p does not sum to 1 along axis 1: the sum at 1 is 0.8"):
        call(f, [[0.5, 0.5], [0.4, 0.4]], [[0.5, 0.5], [0.5, 0.5]])
    if f is not xl.entropy:
        with pytest.warns(UserWarning, match=r"q does not sum to 1 along axis 0"):
            f([0.5, 0.5], [0.6, 0.6])


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize(
    "base, error, match",
    [
        (1, ValueError, r"base must not be 1"),
        (0, ValueError, r"base must be finite and > 0, got 0"),
        (-2.0, ValueError, r"base must be finite and > 0, got -2.0"),
        (np.inf, ValueError, r"base must be finite and > 0, got inf"),
        (np.nan, ValueError, r"base must be finite and > 0, got nan"),
        ("2", TypeError, r"base must be a real number or None, got '2' \(str\)"),
        (True, TypeError, r"base must be a real number or None, got True \(bool\)"),
        ([2], TypeError, r"base must be a real number or None"),
    ],
)
def test_bad_base(f, base, error, match):
    with pytest.raises(error, match=match):
        call(f, [0.5, 0.5], base=base)


@pytest.mark.parametrize("f", ALL)
def test_bad_axis(f):
    p = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match=r"axis=2 is out of bounds for an array of 2 dimension"):
        call(f, p, p, axis=2)
    with pytest.raises(TypeError, match=r"axis must be an integer, got None"):
        call(f, p, p, axis=None)


def test_kl_divergence_exact_when_rows_sum_to_one_only_after_rounding():
    # p and q sum to 1 only after rounding, and the tiny entries are far apart: the
    # exact value is sum_j p_j log(p_j / q_j) of the float inputs, computed with mpmath
    # at 50 digits: -2.3025850929940458e-29 (the 1e-200 term adds -4.6e-198).
    import mpmath

    p, q = [1e-30, 1e-200, 1.0], [1e-20, 1e-100, 1.0]
    with mpmath.workdps(50):
        exact = float(
            sum(
                mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                for a, b in zip(p, q, strict=True)
            )
        )
    assert exact == -2.3025850929940458e-29
    got = xl.kl_divergence(p, q)
    assert abs(got / exact - 1) <= 1e-15
    assert abs(xl.kl_divergence(np.float32(p), np.float32(q)) / np.float32(exact) - 1) <= 1e-6
