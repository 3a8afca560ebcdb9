"""Tests of xentlab.large_vocab: the streamed cross-entropy of a linear output layer.

References:
- the materialised computation, ``logits = hidden @ weight.T + bias`` followed by
  ``xl.sparse_softmax_cross_entropy_with_logits`` and, for the gradients,
  ``G = xl.sparse_softmax_cross_entropy_grad(...) * c`` chained through the layer
  (``G @ W``, ``G.T @ h``, ``G.sum(0)``); label smoothing against
  ``xl.softmax_cross_entropy_with_logits`` with explicitly smoothed targets;
- mpmath at 60 significant digits on the exact float inputs (every product
  and sum of the logits exact), for tiny losses down to 1e-300;
- central differences (``xl.check_gradient``) for every gradient and option.
"""

import re
import tracemalloc
from typing import NamedTuple

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xentlab as xl
from xentlab.large_vocab import LinearCrossEntropyGrad

RTOL = {np.float64: 1e-13, np.float32: 1e-5}
FLOATS = (np.float64, np.float32)


def make(n, v, d, dtype=np.float64, seed=0, scale=1.0, bias=True):
    rng = np.random.default_rng(seed)
    h = (rng.normal(size=(n, d)) * scale).astype(dtype)
    w = (rng.normal(size=(v, d)) / np.sqrt(d)).astype(dtype)
    b = rng.normal(size=v).astype(dtype) if bias else None
    y = rng.integers(0, v, n)
    return y, h, w, b


class Reference(NamedTuple):
    loss: np.ndarray
    grad_hidden: np.ndarray
    grad_weight: np.ndarray
    grad_bias: np.ndarray
    # T |W|, T^T |h|, sum_i T_i with T = c (p + target distribution) >= |G|: the size
    # of the terms each gradient entry sums, the scale of its rounding errors (an entry
    # can be far smaller than its terms, as where p_k is close to its target).
    scales: tuple


def materialised(y, h, w, b=None, *, coef=None, smoothing=0.0):
    """Per-token losses and the gradients of sum_i coef_i loss_i, through the full logits.

    The gradient w.r.t. the logits is xentlab's, except at the targets: there
    p_y - 1 is computed as -sum_{k != y} p_k, since where p_y rounds to 1 the
    subtraction keeps no digit of a gradient of 1e-11 (the streamed version is exact
    there, and must not be held to the rounded value).
    """
    x = h @ w.T + (0 if b is None else b)
    n, v = x.shape
    if smoothing:
        target = xl.smooth_labels(xl.one_hot(y, v, dtype=x.dtype), smoothing).astype(x.dtype)
        loss = xl.softmax_cross_entropy_with_logits(labels=target, logits=x)
        g = xl.softmax_cross_entropy_grad(labels=target, logits=x)
    else:
        loss = xl.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
        g = xl.sparse_softmax_cross_entropy_grad(labels=y, logits=x)
    p = xl.softmax(x)
    rows = np.arange(n)
    p[rows, y] = 0.0
    g[rows, y] = -p.sum(axis=1) + smoothing * (1 - 1 / v)
    coef = np.full(n, 1.0 / n) if coef is None else coef
    g = g * coef[:, None].astype(x.dtype)
    # terms = coef (p + target distribution), the sizes before p - target cancels
    terms = (xl.softmax(x) + smoothing / v) * coef[:, None]
    terms[rows, y] += (1 - smoothing) * coef
    return Reference(
        loss,
        g @ w,
        g.T @ h,
        g.sum(axis=0),
        (terms @ np.abs(w), terms.T @ np.abs(h), terms.sum(axis=0)),
    )


def rel_error(got, want):
    """Largest error relative to the largest reference value (gradients have zeros)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300))


def grad_errors(result, reference):
    """Each gradient's largest error relative to the size of the terms it sums."""
    out = []
    for got, want, scale in zip(result[1:], reference[1:4], reference.scales, strict=True):
        if got is not None:
            err = np.abs(np.asarray(got, np.float64) - want)
            out.append(float(np.max(err / np.maximum(scale, 1e-300))))
    return out


def assert_matches(result, reference, dtype):
    errors = grad_errors(result, reference)
    assert max(errors) <= RTOL[dtype], errors


# ------------------------------------------------ equal to the materialised path

SHAPES = [
    # (N, V, d, block_size): V divisible by the block or not, block 1, block > V, default
    (1, 1, 1, None),
    (1, 5, 3, 1),
    (7, 10, 4, 3),
    (7, 10, 4, 5),
    (7, 10, 4, 10),
    (7, 10, 4, 11),
    (7, 10, 4, 1000),
    (7, 10, 4, 10**18),
    (33, 200, 5, 1),
    (50, 97, 8, 16),
    (20, 13, 6, None),
    (64, 1000, 16, 128),
    (64, 1000, 16, 333),
    (300, 50, 2, 7),
    (5, 3000, 32, None),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("n", "v", "d", "block_size"), SHAPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_equals_materialised(n, v, d, block_size, dtype, with_bias):
    y, h, w, b = make(n, v, d, dtype, seed=n * v + d, scale=3.0, bias=with_bias)
    per_token = xl.linear_cross_entropy(y, h, w, b, reduction="none", block_size=block_size)
    reference = materialised(y, h, w, b)
    assert per_token.dtype == dtype and per_token.shape == (n,)
    np.testing.assert_allclose(per_token, reference[0], rtol=RTOL[dtype], atol=0)
    result = xl.linear_cross_entropy_grad(y, h, w, b, block_size=block_size)
    assert isinstance(result, LinearCrossEntropyGrad)
    np.testing.assert_allclose(
        result.loss, reference[0].astype(np.float64).mean(), rtol=RTOL[dtype]
    )
    assert_matches(result, reference, dtype)
    assert (result.grad_bias is None) == (not with_bias)


@pytest.mark.parametrize("dtype", FLOATS)
def test_large_logits_and_rescaling(dtype):
    # Logits of +-300 (float64) / +-60 (float32), the maximum moving up block after
    # block: every rescaling path of the running sum is taken.
    n, v, d = 40, 300, 3
    rng = np.random.default_rng(1)
    h = rng.normal(size=(n, d)).astype(dtype)
    spread = 100 if dtype == np.float64 else 20
    w = (
        np.linspace(0, 1, v)[:, None] * rng.normal(size=(1, d)) * spread + rng.normal(size=(v, d))
    ).astype(dtype)
    y = rng.integers(0, v, n)
    for block_size in (1, 7, 64, None):
        got = xl.linear_cross_entropy(y, h, w, reduction="none", block_size=block_size)
        ref = materialised(y, h, w)
        np.testing.assert_allclose(got, ref[0], rtol=RTOL[dtype])
        assert_matches(xl.linear_cross_entropy_grad(y, h, w, block_size=block_size), ref, dtype)


def test_block_size_changes_nothing_but_rounding():
    y, h, w, b = make(30, 101, 6, seed=3)
    losses = [
        xl.linear_cross_entropy(y, h, w, b, reduction="none", block_size=k)
        for k in (1, 2, 10, 50, 101, 500)
    ]
    for other in losses[1:]:
        np.testing.assert_allclose(other, losses[0], rtol=1e-14)


def test_batch_shape_equals_flattened():
    y, h, w, b = make(12, 20, 5, seed=4)
    flat = xl.linear_cross_entropy_grad(y, h, w, b, reduction="none")
    batched = xl.linear_cross_entropy_grad(
        y.reshape(3, 4), h.reshape(3, 4, 5), w, b, reduction="none"
    )
    assert batched.loss.shape == (3, 4) and batched.grad_hidden.shape == (3, 4, 5)
    np.testing.assert_array_equal(batched.loss.ravel(), flat.loss)
    np.testing.assert_array_equal(batched.grad_hidden.reshape(12, 5), flat.grad_hidden)
    np.testing.assert_array_equal(batched.grad_weight, flat.grad_weight)


def test_single_token():
    y, h, w, b = make(1, 9, 4, seed=5)
    loss = xl.linear_cross_entropy(y[0], h[0], w, b, reduction="none")
    assert np.ndim(loss) == 0
    np.testing.assert_allclose(loss, materialised(y, h, w, b)[0][0], rtol=1e-14)
    result = xl.linear_cross_entropy_grad(y[0], h[0], w, b)
    assert result.grad_hidden.shape == (4,)


# ------------------------------------------------------ mpmath, tiny losses

DPS = 60


def mp_losses(y, h, w, b=None, smoothing=0.0):
    """Exact (to 60 digits) losses of float inputs: every logit is an exact dot product."""
    out = []
    with mpmath.workdps(DPS):
        for i in range(h.shape[0]):
            x = [
                mpmath.fsum(
                    mpmath.mpf(float(p)) * mpmath.mpf(float(q))
                    for p, q in zip(h[i], w[k], strict=True)
                )
                + (0 if b is None else mpmath.mpf(float(b[k])))
                for k in range(w.shape[0])
            ]
            # ce = lse - x_y directly: formed as a difference, a loss of 1e-87 next to
            # logits of 100 would need more than 60 digits
            ce = mpmath.log1p(
                mpmath.fsum(mpmath.exp(xk - x[y[i]]) for k, xk in enumerate(x) if k != y[i])
            )
            loss = (
                ce
                if not smoothing
                else ((1 - smoothing) * ce + smoothing * (x[y[i]] + ce - mpmath.fsum(x) / len(x)))
            )
            out.append(float(loss))
    return np.array(out)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_mpmath_random(dtype, smoothing):
    y, h, w, b = make(6, 9, 5, dtype, seed=6, scale=2.0)
    got = xl.linear_cross_entropy(
        y, h, w, b, reduction="none", label_smoothing=smoothing, block_size=4
    )
    np.testing.assert_allclose(got, mp_losses(y, h, w, b, smoothing), rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("margin", [5.0, 20.0, 46.0, 80.0, 300.0, 690.0])
def test_mpmath_tiny_losses(dtype, margin):
    # One-hot hidden states pick a column of W: the logits are exact, so the only
    # error is the loss's own. The target leads every other logit by about `margin`,
    # so the loss is about V e^-margin (1e-20 at 46, 1e-300 at 690 in float64).
    if dtype == np.float32 and margin > 80:
        pytest.skip("float32 logits differences above 87 underflow exp")
    rng = np.random.default_rng(int(margin))
    v, d = 12, 3
    w = (-margin - rng.random((v, d))).astype(dtype)
    y = rng.integers(0, v, d)
    w[y, np.arange(d)] = 0.0
    h = np.eye(d, dtype=dtype)
    got = xl.linear_cross_entropy(y, h, w, reduction="none", block_size=5)
    want = mp_losses(y, h, w)
    assert (want > 0).all()
    np.testing.assert_allclose(got, want, rtol=RTOL[dtype])
    # and the materialised path agrees
    np.testing.assert_allclose(got, materialised(y, h, w)[0], rtol=RTOL[dtype])
    # the target's gradient p_y - 1 = expm1(-loss): exact, not 1 - 1 = 0
    g = xl.linear_cross_entropy_grad(y, h, w, reduction="sum", block_size=5).grad_weight
    np.testing.assert_allclose(g[y, np.arange(d)], np.expm1(-want), rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("margin", [30.0, 46.0, 200.0])
def test_mpmath_tiny_losses_with_rounded_logits(dtype, margin):
    # Random hidden states and weights, so that every logit is rounded, and the
    # target row of W moved along h_i until the target leads by about `margin`. The
    # target logit from the block product and the one gathered apart differ by an
    # ulp; using the larger as the shift would cancel the tiny loss to 0.
    if dtype == np.float32 and margin > 80:
        pytest.skip("float32 logit differences above 87 underflow exp")
    rng = np.random.default_rng(int(margin) + 1)
    n, v, d = 12, 5, 4
    h = (rng.normal(size=(n, d)) * 10).astype(dtype)
    y = np.arange(n) % v
    w = rng.normal(size=(v, d)).astype(dtype)
    losses = []
    for i in range(n):  # one token at a time: each needs its own W
        wi = w.astype(np.float64)
        logits = wi @ h[i]
        lead = np.delete(logits, y[i]).max() + margin - logits[y[i]]
        wi[y[i]] += lead * h[i] / (h[i] @ h[i])
        wi = wi.astype(dtype)
        got = xl.linear_cross_entropy(
            y[i : i + 1], h[i : i + 1], wi, reduction="none", block_size=2
        )
        want = mp_losses(y[i : i + 1], h[i : i + 1], wi)
        assert 0 < want[0] < 1e-12
        losses.append((float(got[0]), float(want[0])))
    got, want = np.array(losses).T
    # float32: logits of about 50 carry rounding errors of about 3e-6 of their own
    np.testing.assert_allclose(got, want, rtol=RTOL[dtype] * (10 if dtype == np.float32 else 1))


# ---------------------------------------------------------------- options


def test_reductions():
    y, h, w, b = make(15, 11, 4, seed=7)
    per = xl.linear_cross_entropy(y, h, w, b, reduction="none")
    np.testing.assert_allclose(xl.linear_cross_entropy(y, h, w, b), per.mean(), rtol=1e-14)
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y, h, w, b, reduction="sum"), per.sum(), rtol=1e-14
    )
    for reduction, coef in (("sum", np.ones(15)), ("none", np.ones(15))):
        result = xl.linear_cross_entropy_grad(y, h, w, b, reduction=reduction)
        assert_matches(result, materialised(y, h, w, b, coef=coef), np.float64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ignore_index_equals_dropping_tokens(reduction):
    y, h, w, b = make(20, 13, 5, seed=8)
    y = y.copy()
    y[[0, 3, 4, 19]] = -100
    keep = y != -100
    got = xl.linear_cross_entropy_grad(y, h, w, b, ignore_index=-100, reduction=reduction)
    ref = xl.linear_cross_entropy_grad(y[keep], h[keep], w, b, reduction=reduction)
    if reduction == "none":
        np.testing.assert_array_equal(got.loss[~keep], 0.0)
        np.testing.assert_allclose(got.loss[keep], ref.loss, rtol=1e-14)
    else:
        np.testing.assert_allclose(got.loss, ref.loss, rtol=1e-14)
    np.testing.assert_array_equal(got.grad_hidden[~keep], 0.0)
    np.testing.assert_allclose(got.grad_hidden[keep], ref.grad_hidden, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(got.grad_weight, ref.grad_weight, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(got.grad_bias, ref.grad_bias, rtol=1e-13, atol=1e-16)


def test_ignore_index_may_be_any_integer_and_a_valid_id():
    y, h, w, b = make(10, 6, 3, seed=9)
    keep = y != 2
    got = xl.linear_cross_entropy(y, h, w, b, ignore_index=2)
    np.testing.assert_allclose(got, xl.linear_cross_entropy(y[keep], h[keep], w, b), rtol=1e-14)
    assert xl.linear_cross_entropy(
        y, h, w, b, ignore_index=np.int64(-1)
    ) == xl.linear_cross_entropy(y, h, w, b)


def test_where_equals_ignore_index():
    y, h, w, b = make(16, 9, 4, seed=10)
    mask = np.arange(16) % 3 != 0
    y_masked = np.where(mask, y, 10**9)  # excluded targets need not be valid ids
    got = xl.linear_cross_entropy_grad(y_masked, h, w, b, where=mask)
    ref = xl.linear_cross_entropy_grad(np.where(mask, y, -1), h, w, b, ignore_index=-1)
    for a, r in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a, r)
    both = xl.linear_cross_entropy(
        np.where(mask, y, -1), h, w, b, ignore_index=-1, where=np.arange(16) % 2 == 0
    )
    keep = mask & (np.arange(16) % 2 == 0)
    np.testing.assert_allclose(both, xl.linear_cross_entropy(y[keep], h[keep], w, b), rtol=1e-14)


@pytest.mark.parametrize("e", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("dtype", FLOATS)
def test_label_smoothing_equals_smoothed_targets(e, dtype):
    y, h, w, b = make(25, 17, 6, dtype, seed=11)
    got = xl.linear_cross_entropy(y, h, w, b, label_smoothing=e, reduction="none", block_size=5)
    ref = materialised(y, h, w, b, smoothing=e)
    np.testing.assert_allclose(got, ref[0], rtol=RTOL[dtype])
    result = xl.linear_cross_entropy_grad(y, h, w, b, label_smoothing=e, block_size=5)
    assert_matches(result, ref, dtype)


def test_label_smoothing_skips_ignored_tokens():
    # PyTorch once applied the uniform part to ignored targets too (pytorch#73205).
    y, h, w, b = make(12, 7, 3, seed=12)
    y = y.copy()
    y[:4] = -100
    got = xl.linear_cross_entropy(
        y, h, w, b, ignore_index=-100, label_smoothing=0.3, reduction="none"
    )
    assert (got[:4] == 0).all()
    ref = xl.linear_cross_entropy(y[4:], h[4:], w, b, label_smoothing=0.3, reduction="none")
    np.testing.assert_allclose(got[4:], ref, rtol=1e-14)


def test_sample_weight():
    y, h, w, b = make(14, 8, 3, seed=13)
    sw = np.random.default_rng(0).random(14)
    sw[2] = 0.0
    per = xl.linear_cross_entropy(y, h, w, b, reduction="none")
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y, h, w, b, sample_weight=sw),
        (sw * per).sum() / sw.sum(),
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y, h, w, b, sample_weight=sw, reduction="none"),
        sw * per,
        rtol=1e-14,
    )
    result = xl.linear_cross_entropy_grad(y, h, w, b, sample_weight=sw)
    assert_matches(result, materialised(y, h, w, b, coef=sw / sw.sum()), np.float64)
    # a weight of 0 excludes the token even where its loss would overflow to inf
    assert result.grad_hidden[2].tolist() == [0.0, 0.0, 0.0]


def test_sequence_mean_by_sample_weight():
    # Two sequences of 2 and 6 tokens: weights 1/length give each sequence the same weight.
    y, h, w, b = make(8, 10, 4, seed=14)
    sw = np.r_[np.full(2, 1 / 2), np.full(6, 1 / 6)]
    per = xl.linear_cross_entropy(y, h, w, b, reduction="none")
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y, h, w, b, sample_weight=sw),
        (per[:2].mean() + per[2:].mean()) / 2,
        rtol=1e-14,
    )


@pytest.mark.parametrize("exclude", ["ignore_index", "where", "sample_weight"])
def test_every_token_excluded(exclude):
    y, h, w, b = make(4, 5, 3, seed=15)
    options = {
        "ignore_index": {"ignore_index": -100},
        "where": {"where": np.zeros(4, bool)},
        "sample_weight": {"sample_weight": np.zeros(4)},
    }[exclude]
    if exclude == "ignore_index":
        y = np.full(4, -100)
    message = (
        "every token is excluded (by ignore_index, where or a zero sample_weight), so "
        "the mean over the counted tokens is undefined; use reduction='sum' (which "
        "gives 0) or skip this batch."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.linear_cross_entropy(y, h, w, b, **options)
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.linear_cross_entropy_grad(y, h, w, b, **options)
    total = xl.linear_cross_entropy_grad(y, h, w, b, reduction="sum", **options)
    assert total.loss == 0.0 and total.loss.dtype == np.float64
    for g in total[1:]:
        assert not g.any()
    none = xl.linear_cross_entropy(y, h, w, b, reduction="none", **options)
    np.testing.assert_array_equal(none, np.zeros(4))


# ----------------------------------------------------- central differences


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"label_smoothing": 0.25, "block_size": 2},
        {"ignore_index": 1, "block_size": 3},
        {"where": np.array([True, False, True, True, False, True]), "reduction": "sum"},
        {"sample_weight": np.array([0.5, 2.0, 0.0, 1.0, 3.0, 1.5]), "label_smoothing": 0.1},
    ],
)
def test_gradients_by_central_differences(options):
    y, h, w, b = make(6, 5, 3, seed=16, scale=2.0)
    y = np.array([0, 1, 4, 1, 2, 3])
    result = xl.linear_cross_entropy_grad(y, h, w, b, **options)

    def total(loss):
        return np.sum(loss)  # "none": the gradient is that of the sum

    checks = {
        "hidden": (
            lambda x: total(xl.linear_cross_entropy(y, x, w, b, **options)),
            h,
            result.grad_hidden,
        ),
        "weight": (
            lambda x: total(xl.linear_cross_entropy(y, h, x, b, **options)),
            w,
            result.grad_weight,
        ),
        "bias": (
            lambda x: total(xl.linear_cross_entropy(y, h, w, x, **options)),
            b,
            result.grad_bias,
        ),
    }
    for name, (f, x, grad) in checks.items():
        error = xl.check_gradient(f, lambda _, grad=grad: grad, x)
        assert error < 1e-8, (name, error)


def test_gradient_float32_against_float64():
    y, h, w, b = make(30, 40, 8, seed=17)
    r64 = xl.linear_cross_entropy_grad(y, h, w, b, label_smoothing=0.1)
    r32 = xl.linear_cross_entropy_grad(
        y, h.astype(np.float32), w.astype(np.float32), b.astype(np.float32), label_smoothing=0.1
    )
    for a, r in zip(r32, r64, strict=True):
        assert a.dtype == np.float32
        assert rel_error(a, r) < 1e-5


# ---------------------------------------------------------------- properties


@given(
    n=st.integers(1, 12),
    v=st.integers(1, 30),
    d=st.integers(1, 5),
    block_size=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 10.0, 100.0]),
    e=st.sampled_from([0.0, 0.3]),
)
def test_property_equals_materialised(n, v, d, block_size, seed, scale, e):
    y, h, w, b = make(n, v, d, seed=seed, scale=scale)
    got = xl.linear_cross_entropy_grad(
        y, h, w, b, block_size=block_size, label_smoothing=e, reduction="sum"
    )
    ref = materialised(y, h, w, b, coef=np.ones(n), smoothing=e)
    # The smoothing term is lse - mean(x) >= log V: relative to the logits' size, not to
    # the loss, where V = 1 makes it 0 (the plain loss's tiny values: the mpmath tests).
    atol = 1e-14 * n * (1 + np.abs(h @ w.T + b).max()) if e else 0
    np.testing.assert_allclose(got.loss, ref[0].sum(), rtol=1e-12, atol=atol)
    assert max(grad_errors(got, ref)) <= 1e-13


@given(
    n=st.integers(1, 10),
    v=st.integers(2, 20),
    seed=st.integers(0, 2**32 - 1),
    shift=st.floats(-50, 50),
)
def test_property_invariances(n, v, seed, shift):
    y, h, w, b = make(n, v, 3, seed=seed)
    base = xl.linear_cross_entropy(y, h, w, b, reduction="none")
    # a constant added to every logit (through the bias) changes nothing
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y, h, w, b + shift, reduction="none"), base, rtol=1e-9, atol=1e-12
    )
    # permuting the vocabulary (rows of W, entries of b, ids of y) changes nothing
    perm = np.random.default_rng(seed).permutation(v)
    inverse = np.argsort(perm)
    np.testing.assert_allclose(
        xl.linear_cross_entropy(inverse[y], h, w[perm], b[perm], reduction="none"),
        base,
        rtol=1e-13,
    )
    # permuting the tokens permutes the losses
    order = np.random.default_rng(seed + 1).permutation(n)
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y[order], h[order], w, b, reduction="none"),
        base[order],
        rtol=1e-14,
    )
    assert (base > 0).all()


# ---------------------------------------------------------- dtypes, inputs


def test_float32_in_float32_out():
    y, h, w, b = make(9, 7, 3, np.float32, seed=18)
    assert xl.linear_cross_entropy(y, h, w, b).dtype == np.float32
    assert xl.linear_cross_entropy(y, h, w, b, reduction="sum").dtype == np.float32
    assert xl.linear_cross_entropy(y, h, w, b, reduction="none").dtype == np.float32
    for a in xl.linear_cross_entropy_grad(y, h, w, b):
        assert a.dtype == np.float32


def test_dtype_promotion():
    y, h, w, b = make(5, 4, 2, seed=19)
    ints = xl.linear_cross_entropy_grad(y, np.ones((5, 2), int), np.arange(8).reshape(4, 2), None)
    assert ints.loss.dtype == np.float64 and ints.grad_hidden.dtype == np.float64
    mixed = xl.linear_cross_entropy_grad(y, h.astype(np.float32), w, b.astype(np.float32))
    assert all(a.dtype == np.float64 for a in mixed)
    half = xl.linear_cross_entropy(y, h.astype(np.float16), w.astype(np.float16))
    assert half.dtype == np.float32
    # float labels that are whole numbers are accepted, as elsewhere in xentlab
    assert xl.linear_cross_entropy(y.astype(float), h, w, b) == xl.linear_cross_entropy(y, h, w, b)


def test_inputs_not_modified_and_results_not_shared():
    y, h, w, b = make(10, 8, 3, np.float32, seed=20)
    mask = np.arange(10) > 1
    sw = np.linspace(0.5, 1.5, 10)
    arrays = [y, h, w, b, mask, sw]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.setflags(write=False)  # read-only input works, and nothing writes into it
    result = xl.linear_cross_entropy_grad(
        y, h, w, b, where=mask, sample_weight=sw, label_smoothing=0.1, reduction="none"
    )
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)
    for r in result:
        for a in arrays:
            assert not np.shares_memory(r, a)


def test_non_contiguous_and_fortran_inputs():
    y, h, w, b = make(8, 12, 4, seed=21)
    ref = xl.linear_cross_entropy_grad(y, h, w, b, block_size=5)
    got = xl.linear_cross_entropy_grad(
        y, np.asfortranarray(h), np.asfortranarray(w), b[::1], block_size=5
    )
    for a, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, r, rtol=1e-14)
    wide = np.zeros((8, 8))
    wide[:, ::2] = h
    got = xl.linear_cross_entropy(y, wide[:, ::2], w, b, block_size=5)
    np.testing.assert_allclose(got, ref.loss, rtol=1e-14)


def test_lists_are_accepted():
    y, h, w, b = make(3, 4, 2, seed=22)
    np.testing.assert_allclose(
        xl.linear_cross_entropy(y.tolist(), h.tolist(), w.tolist(), b.tolist()),
        xl.linear_cross_entropy(y, h, w, b),
        rtol=1e-15,
    )


# ----------------------------------------------------------------- memory


@pytest.mark.parametrize(
    ("n", "v", "d", "options"),
    [
        (1024, 20000, 16, {}),
        # wide hidden states (N d is 3 % of the logits) with a third of the tokens ignored:
        # no copy of the hidden states or of their gradient
        (1024, 8000, 256, {"ignore_index": -100, "label_smoothing": 0.1}),
    ],
)
def test_peak_memory_is_a_few_per_cent_of_the_logits(n, v, d, options):
    y, h, w, _ = make(n, v, d, np.float32, seed=23)
    y[::3] = -100
    if "ignore_index" not in options:
        y[::3] = 0
    logits_bytes = n * v * 4
    for fn in (xl.linear_cross_entropy, xl.linear_cross_entropy_grad):
        tracemalloc.start()
        try:
            result = fn(y, h, w, **options)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        returned = (
            sum(r.nbytes for r in result if isinstance(r, np.ndarray))
            if isinstance(result, tuple)
            else 0
        )  # the gradients are as large as the inputs
        assert peak - returned < 0.05 * logits_bytes, (fn.__name__, peak, returned)


# ----------------------------------------------------------------- errors


def call(fn=xl.linear_cross_entropy, **changes):
    y, h, w, b = make(4, 5, 3, seed=24)
    args = {"y_true": y, "hidden": h, "weight": w, "bias": b}
    options = {k: v for k, v in changes.items() if k not in args}
    args.update({k: v for k, v in changes.items() if k in args})
    return fn(args["y_true"], args["hidden"], args["weight"], args["bias"], **options)


ERRORS = [
    # (changes, error, exact message)
    (
        {"weight": np.ones(5)},
        ValueError,
        "weight must have shape (V, d) = (vocabulary size, hidden size), got shape (5,).",
    ),
    (
        {"hidden": np.ones((4, 2))},
        ValueError,
        "hidden must have shape (..., d) with d = weight.shape[1] = 3 (one hidden state per "
        "token), got hidden.shape = (4, 2) and weight.shape = (5, 3).",
    ),
    (
        {"hidden": np.ones((4, 5)), "weight": np.ones((3, 5)).T, "bias": None},
        ValueError,
        "hidden must have shape (..., d) with d = weight.shape[1] = 3 (one hidden state per "
        "token), got hidden.shape = (4, 5) and weight.shape = (5, 3). weight looks transposed: "
        "pass weight.T (PyTorch's nn.Linear(d, V).weight has shape (V, d)).",
    ),
    (
        {"hidden": np.float64(1.0)},
        ValueError,
        "hidden must have shape (..., d) with d = weight.shape[1] = 3 (one hidden state per "
        "token), got hidden.shape = () and weight.shape = (5, 3).",
    ),
    (
        {"bias": np.ones(4)},
        ValueError,
        "bias must have shape (5,), one value per vocabulary entry (weight.shape[0]), got "
        "shape (4,).",
    ),
    (
        {"where": np.ones(4)},
        TypeError,
        "where must be a boolean mask (True = counted), got dtype float64; pass for example "
        "attention_mask.astype(bool).",
    ),
    (
        {"where": np.ones(3, bool)},
        ValueError,
        "where must have the shape of y_true, (4,), got shape (3,).",
    ),
    (
        {"sample_weight": np.ones(5)},
        ValueError,
        "sample_weight must have the shape of y_true, (4,) (one weight per token), got "
        "shape (5,).",
    ),
]


@pytest.mark.parametrize(("changes", "error", "message"), ERRORS)
@pytest.mark.parametrize("fn", [xl.linear_cross_entropy, xl.linear_cross_entropy_grad])
def test_error_messages(changes, error, message, fn):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call(fn, **changes)


# Messages written by the shared validators (xentlab._validation): matched on the
# argument's name and the substance, so that a rewording there is not a failure here.
SHARED_ERRORS = [
    (
        {"y_true": np.array([0, 1, 5, 2])},
        ValueError,
        r"y_true must be class indices in \[0, 5\) for 5 classes, but y_true\[2\] = 5",
    ),
    ({"y_true": np.array([0, 1, -100, 2])}, ValueError, r"y_true must be class indices .*-100"),
    ({"y_true": np.array([0, 1, 1.5, 2])}, ValueError, r"y_true must hold whole-number"),
    ({"y_true": np.array(["a", "b", "c", "d"])}, TypeError, r"y_true must be integer class"),
    ({"y_true": np.zeros(3, int)}, ValueError, r"y_true must have shape \(4,\)"),
    ({"hidden": np.full((4, 3), np.nan)}, ValueError, r"hidden contains NaN"),
    ({"weight": np.r_[np.ones((4, 3)), [[1, np.inf, 1]]]}, ValueError, r"weight contains inf"),
    ({"bias": np.r_[np.ones(4), np.nan]}, ValueError, r"bias contains NaN"),
    ({"hidden": np.array([["a", "b", "c"]] * 4)}, TypeError, r"hidden must hold real numbers"),
    ({"weight": np.zeros((0, 3))}, ValueError, r"weight is empty"),
    (
        {"sample_weight": np.array([1.0, -1.0, 1.0, 1.0])},
        ValueError,
        r"sample_weight must be non-negative, but sample_weight\[1\] = -1.0",
    ),
    (
        {"sample_weight": np.array([1.0, np.nan, 1.0, 1.0])},
        ValueError,
        r"sample_weight contains NaN",
    ),
    ({"reduction": "avg"}, ValueError, r"reduction must be one of \('mean', 'sum', 'none'\)"),
    ({"reduction": np.array(["mean"])}, TypeError, r"reduction must be one of"),
    ({"ignore_index": 1.5}, TypeError, r"ignore_index must be an integer or None"),
    ({"ignore_index": True}, TypeError, r"ignore_index must be an integer"),
    ({"label_smoothing": 1.5}, ValueError, r"label_smoothing must be in \[0, 1\], got 1.5"),
    ({"label_smoothing": -0.1}, ValueError, r"label_smoothing must be in \[0, 1\]"),
    ({"label_smoothing": "0.1"}, TypeError, r"label_smoothing must be a real number"),
    ({"block_size": 0}, ValueError, r"block_size must be .*>= 1, got 0"),
    ({"block_size": 2.0}, TypeError, r"block_size must be an integer or None"),
]


@pytest.mark.parametrize(("changes", "error", "pattern"), SHARED_ERRORS)
def test_shared_error_messages(changes, error, pattern):
    for fn in (xl.linear_cross_entropy, xl.linear_cross_entropy_grad):
        with pytest.raises(error, match=pattern):
            call(fn, **changes)


@pytest.mark.parametrize("with_bias", [True, False])
def test_overflowing_logits(with_bias):
    h = np.full((3, 2), 1e200)
    w = np.full((4, 2), 1e200)
    b = np.zeros(4) if with_bias else None
    message = (
        f"the logits hidden @ weight.T{' + bias' if with_bias else ''} overflow "
        "float64 for token 0; scale hidden or weight down."
    )
    for fn in (xl.linear_cross_entropy, xl.linear_cross_entropy_grad):
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            fn([0, 1, 2], h, w, b)
    # float32: a logit of 1e20 * 1e20 overflows; the first two tokens are fine
    h32 = np.array([[1.0, 0.0], [0.0, 1.0], [1e20, 1.0]], np.float32)
    w32 = np.array([[1.0, 0.0], [1e20, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)
    message = (
        f"the logits hidden @ weight.T{' + bias' if with_bias else ''} overflow "
        "float32 for token 2; scale hidden or weight down, or pass float64 arrays."
    )
    for fn in (xl.linear_cross_entropy, xl.linear_cross_entropy_grad):
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            fn([0, 1, 2], h32, w32, None if b is None else b.astype(np.float32))
