"""Tests of xentlab.log_space: nll_loss, kl_divergence_from_log, generalized_kl_divergence.

Values against SciPy (``rel_entr``, ``kl_div``) and against xentlab's losses on
probabilities and logits; PyTorch's semantics (weighted mean, ignore_index,
the four KL reductions) are written out by hand; mpmath (50 digits) gives the
references of tiny divergences. Gradients are checked by central differences.
"""

import re
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

import xentlab as xl

mpmath.mp.dps = 50


def batch(n=6, c=4, scale=3.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(n, c)), rng.integers(0, c, size=n)


def distributions(n=5, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(c), size=n), rng.dirichlet(np.ones(c), size=n)


# ------------------------------------------------------------------- nll_loss


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 8),
    st.integers(2, 6),
    st.floats(0.1, 50.0),
    st.integers(0, 10_000),
    st.sampled_from(["mean", "sum", "none"]),
)
def test_nll_of_log_softmax_is_the_sparse_cross_entropy_from_logits(n, c, scale, seed, reduction):
    x, y = batch(n, c, scale, seed)
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.1, 3.0, size=c)
    labels = np.where(rng.random(n) < 0.3, -100, y)
    labels[0] = y[0]  # one target counts
    s = rng.uniform(0.5, 2.0, size=n)
    kwargs = {"class_weight": w, "ignore_index": -100, "reduction": reduction, "sample_weight": s}
    got = xl.nll_loss(labels, xl.log_softmax(x), **kwargs)
    ref = xl.sparse_categorical_cross_entropy(labels, x, from_logits=True, **kwargs)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300)


def test_nll_follows_pytorch_weighted_mean():
    log_p = np.log(np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [0.3, 0.3, 0.4]]))
    y = np.array([1, 2, -100, 0])
    w = np.array([2.0, 0.5, 1.0])
    # torch.nn.functional.nll_loss(log_p, y, weight=w, ignore_index=-100), by hand:
    # sum_i -w[y_i] log p[i, y_i] / sum_i w[y_i] over the kept rows 0, 1, 3.
    num = 0.5 * -np.log(0.5) + 1.0 * -np.log(0.8) + 2.0 * -np.log(0.3)
    assert xl.nll_loss(y, log_p, class_weight=w, ignore_index=-100) == pytest.approx(
        num / 3.5, rel=1e-15
    )
    none = xl.nll_loss(y, log_p, class_weight=w, ignore_index=-100, reduction="none")
    np.testing.assert_allclose(
        none, [0.5 * -np.log(0.5), -np.log(0.8), 0.0, 2.0 * -np.log(0.3)], rtol=1e-15
    )
    assert none[2] == 0.0


def test_nll_keeps_log_probabilities_below_the_exp_range():
    log_p = np.array([[-800.0, 0.0], [-1e5, 0.0]])
    np.testing.assert_array_equal(xl.nll_loss([0, 0], log_p, reduction="none"), [800.0, 1e5])
    with np.errstate(divide="ignore"):
        assert np.isinf(-np.log(np.exp(-800.0)))  # the probability path loses it


def test_nll_axis_equals_moveaxis():
    x, y = batch(5, 3, 2.0, 1)
    lp = xl.log_softmax(x)
    np.testing.assert_array_equal(
        xl.nll_loss(y, lp.T, axis=0, reduction="none"), xl.nll_loss(y, lp, reduction="none")
    )


def test_nll_nothing_counted():
    lp = xl.log_softmax(np.zeros((2, 3)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "no target counts towards the mean: every one is ignored (ignore_index), masked "
            "(where) or has weight 0, so the mean is 0 / 0."
        ),
    ):
        xl.nll_loss([-1, -1], lp, ignore_index=-1)
    assert xl.nll_loss([-1, -1], lp, ignore_index=-1, reduction="sum") == 0.0


def test_nll_rejects_what_is_not_a_log_probability():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "log_probs must hold log-probabilities (<= 0), but log_probs[(0, 1)] = 0.5; "
            "pass log_softmax(logits), or np.log(p) for probabilities p."
        ),
    ):
        xl.nll_loss([0], [[-1.0, 0.5]])
    with pytest.raises(
        ValueError, match=re.escape("log_probs contains NaN (first at index (0, 0), 1 in all)")
    ):
        xl.nll_loss([0], [[np.nan, 0.0]])
    with pytest.warns(
        UserWarning,
        match=re.escape(
            "log_probs does not hold normalised log-probabilities along axis 1: "
            "exp(log_probs) sums to 0.5 (1 of 1 slices are off)."
        ),
    ):
        xl.nll_loss([0], np.log([[0.25, 0.25]]))
    with pytest.raises(
        ValueError,
        match=re.escape("y_true must be class indices in [0, 2) for 2 classes, but y_true[0] = 5"),
    ):
        xl.nll_loss([5], np.log([[0.5, 0.5]]))


def test_nll_gradient():
    x, y = batch(4, 3, 2.0, 2)
    lp = xl.log_softmax(x)
    w = np.array([0.5, 2.0, 1.5])
    labels = y.copy()
    labels[1] = -100
    kw = {"class_weight": w, "ignore_index": -100}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the steps de-normalise log_p
        err = xl.check_gradient(
            lambda v: xl.nll_loss(labels, np.minimum(v, 0), reduction="sum", **kw),
            lambda v: xl.nll_loss_grad(labels, v, **kw),
            lp,
        )
    assert err < 1e-8
    g = xl.nll_loss_grad(labels, lp, **kw)
    assert np.all(g[1] == 0) and g[0, y[0]] == -w[y[0]]


# -------------------------------------------------------- kl_divergence_from_log


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 10_000))
def test_kl_from_log_equals_kl_divergence(n, c, seed):
    p, q = distributions(n, c, seed)
    ref = xl.kl_divergence(p, q)
    got = xl.kl_divergence_from_log(p, np.log(q), reduction="none").sum(axis=1)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-15)
    logged = xl.kl_divergence_from_log(
        np.log(p), np.log(q), log_target=True, reduction="none"
    ).sum(axis=1)
    np.testing.assert_allclose(logged, ref, rtol=1e-9, atol=1e-15)
    assert xl.kl_divergence_from_log(p, np.log(q)) == pytest.approx(ref.mean(), rel=1e-9)


def test_kl_from_log_terms_are_scipy_rel_entr():
    p, q = distributions(6, 5, 3)
    p[0, 1] = 0.0
    p[0] /= p[0].sum()
    np.testing.assert_allclose(
        xl.kl_divergence_from_log(p, np.log(q), reduction="none"),
        special.rel_entr(p, q),
        rtol=1e-12,
        atol=1e-300,
    )


def test_kl_from_log_reductions_follow_pytorch():
    p, q = distributions(4, 3, 4)
    terms = special.rel_entr(p, q)
    lq = np.log(q)
    assert xl.kl_divergence_from_log(p, lq, reduction="sum") == pytest.approx(terms.sum())
    assert xl.kl_divergence_from_log(p, lq, reduction="mean") == pytest.approx(terms.mean())
    assert xl.kl_divergence_from_log(p, lq, reduction="batchmean") == pytest.approx(
        terms.sum() / 4
    )
    assert xl.kl_divergence_from_log(p, lq) == xl.kl_divergence_from_log(
        p, lq, reduction="batchmean"
    )


def test_kl_from_log_edge_terms():
    # 0 (log 0 - log q) = 0, even for log q = -inf; p > 0 with log q = -inf is inf.
    terms = xl.kl_divergence_from_log(
        [[0.0, 1.0], [0.5, 0.5]], [[-np.inf, 0.0], [-np.inf, 0.0]], reduction="none"
    )
    np.testing.assert_array_equal(terms[0], [0.0, 0.0])
    assert terms[1, 0] == np.inf
    logged = xl.kl_divergence_from_log(
        [[-np.inf, 0.0]], [[-np.inf, 0.0]], log_target=True, reduction="none"
    )
    np.testing.assert_array_equal(logged, [[0.0, 0.0]])
    # log q = -800: the term keeps its value where q = exp(-800) would be 0.
    big = xl.kl_divergence_from_log([[0.5, 0.5]], [[0.0, -800.0]], reduction="none")
    assert big[0, 1] == pytest.approx(0.5 * (np.log(0.5) + 800.0), rel=1e-15)


def test_kl_from_log_log_target_keeps_tiny_targets():
    # log p = -1000: p = e^-1000 is 0 in floats; its term e^-1000 (-1000 - log q) is
    # below the float range too, and the other terms are exact.
    lp = np.array([[-1000.0, 0.0]])
    lq = np.array([[np.log(0.25), np.log(0.75)]])
    got = xl.kl_divergence_from_log(lp, lq, log_target=True, reduction="sum")
    assert got == pytest.approx(-np.log(0.75), rel=1e-15)


def test_kl_from_log_errors():
    with pytest.raises(
        ValueError,
        match=re.escape("log_q must hold log-probabilities (<= 0), but log_q[(0, 0)] = 0.1"),
    ):
        xl.kl_divergence_from_log([[0.5, 0.5]], [[0.1, -1.0]])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "p_or_log_p must hold probabilities in [0, 1], but p_or_log_p[(0, 0)] = 1.5"
        ),
    ):
        xl.kl_divergence_from_log([[1.5, -0.5]], np.log([[0.5, 0.5]]))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "p_or_log_p must hold log-probabilities (<= 0), but p_or_log_p[(0, 0)] = 1.0"
        ),
    ):
        xl.kl_divergence_from_log([[1.0, 0.0]], np.log([[0.5, 0.5]]), log_target=True)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "reduction must be one of ('batchmean', 'sum', 'mean', 'none'), got 'avg'."
        ),
    ):
        xl.kl_divergence_from_log([[0.5, 0.5]], np.log([[0.5, 0.5]]), reduction="avg")
    with pytest.raises(
        TypeError, match=re.escape("log_target must be True or False, got 1 (int).")
    ):
        xl.kl_divergence_from_log([[0.5, 0.5]], np.log([[0.5, 0.5]]), log_target=1)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "p_or_log_p and log_q must have the same shape, got p_or_log_p.shape = (2,) and "
            "log_q.shape = (1, 2)."
        ),
    ):
        xl.kl_divergence_from_log([0.5, 0.5], np.log([[0.5, 0.5]]))
    with pytest.warns(UserWarning, match=re.escape("p_or_log_p does not sum to 1 along axis 1")):
        xl.kl_divergence_from_log([[0.5, 0.2]], np.log([[0.5, 0.5]]))


def test_kl_from_log_gradient():
    p, q = distributions(3, 4, 5)
    lq = np.log(q)
    for log_target, target in ((False, p), (True, np.log(p))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            err = xl.check_gradient(
                lambda v, t=target, lt=log_target: xl.kl_divergence_from_log(
                    t, np.minimum(v, 0), log_target=lt, reduction="sum"
                ),
                lambda v, t=target, lt=log_target: xl.kl_divergence_from_log_grad(
                    t, v, log_target=lt
                ),
                lq,
            )
        assert err < 1e-8


# ---------------------------------------------------- generalized KL divergence


def test_generalized_kl_is_scipy_kl_div_summed():
    rng = np.random.default_rng(6)
    p, q = rng.uniform(0, 5, size=(6, 4)), rng.uniform(0.01, 5, size=(6, 4))
    p[0, 0] = 0.0
    np.testing.assert_allclose(
        xl.generalized_kl_divergence(p, q), special.kl_div(p, q).sum(axis=1), rtol=1e-13
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(2, 6), st.integers(0, 10_000))
def test_generalized_kl_of_distributions_is_the_kl_divergence(n, c, seed):
    p, q = distributions(n, c, seed)
    np.testing.assert_allclose(
        xl.generalized_kl_divergence(p, q), xl.kl_divergence(p, q), rtol=1e-10, atol=1e-15
    )


@pytest.mark.parametrize(
    "p, q",
    [
        ([1.0, 1e-30], [1.0, 2e-30]),
        ([3.0, 2.0], [3.0000000001, 2.0]),
        ([1e-300, 5.0], [1.3e-300, 5.0 + 1e-12]),
        ([7.0, 0.3], [7.5, 0.2]),
        ([2.0, 1.0], [1.9, 1.0]),
    ],
)
def test_generalized_kl_keeps_tiny_divergences(p, q):
    exact = mpmath.fsum(
        mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) - mpmath.mpf(a) + mpmath.mpf(b)
        for a, b in zip(p, q, strict=True)
    )
    assert xl.generalized_kl_divergence(p, q) == pytest.approx(float(exact), rel=1e-13)


def test_generalized_kl_edge_terms_and_errors():
    np.testing.assert_array_equal(
        xl.generalized_kl_divergence([[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0], [0.0, 0.0]]),
        [2.0, np.inf],
    )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "q must be non-negative, but q[(1,)] = -1.0; the generalized KL divergence "
            "compares non-negative measures."
        ),
    ):
        xl.generalized_kl_divergence([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match=re.escape("p contains inf at index 0; p must be finite")):
        xl.generalized_kl_divergence([np.inf, 2.0], [1.0, 1.0])


def test_generalized_kl_gradient():
    rng = np.random.default_rng(7)
    p, q = rng.uniform(0.1, 3, size=(3, 4)), rng.uniform(0.5, 3, size=(3, 4))
    err = xl.check_gradient(
        lambda v: xl.generalized_kl_divergence(p, v).sum(),
        lambda v: xl.generalized_kl_divergence_grad(p, v),
        q,
    )
    assert err < 1e-8


# -------------------------------------------------------------------- dtypes


def test_float32_in_float32_out_and_inputs_unchanged():
    p, q = distributions(3, 4, 8)
    p32, lq32 = p.astype(np.float32), np.log(q).astype(np.float32)
    before = (p32.copy(), lq32.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for reduction in ("batchmean", "sum", "mean", "none"):
            assert xl.kl_divergence_from_log(p32, lq32, reduction=reduction).dtype == np.float32
        for reduction in ("mean", "sum", "none"):
            assert xl.nll_loss([0, 1, 2], lq32, reduction=reduction).dtype == np.float32
        assert xl.nll_loss_grad([0, 1, 2], lq32).dtype == np.float32
        assert xl.kl_divergence_from_log_grad(p32, lq32).dtype == np.float32
    assert xl.generalized_kl_divergence(p32, p32 + 1).dtype == np.float32
    assert xl.generalized_kl_divergence_grad(p32, p32 + 1).dtype == np.float32
    np.testing.assert_array_equal(p32, before[0])
    np.testing.assert_array_equal(lq32, before[1])


def test_float32_terms_of_close_distributions_are_computed_in_float64():
    # q within 1e-6 of p: log p - log q is a few float32 ulps of log p; computing
    # log p in float32 would leave an error of the size of the term itself.
    p = np.array([[0.3, 0.7]])
    q = p * (1 + np.array([[1e-6, -3e-7 / 0.7]]))
    p32, lq32 = p.astype(np.float32), np.log(q).astype(np.float32)
    exact = p32.astype(np.float64) * (np.log(p32.astype(np.float64)) - lq32.astype(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = xl.kl_divergence_from_log(p32, lq32, reduction="none")
    np.testing.assert_allclose(got, exact, rtol=1e-6)
