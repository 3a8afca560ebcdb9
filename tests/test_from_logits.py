"""The cross-entropies with ``from_logits=True`` and PyTorch's option set.

Every option is specified by an equivalence with a computation that does not use
it: the probability path, explicit smoothed targets, explicit weighted sums,
dropped rows and dropped classes.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xentlab as xl

RNG = np.random.default_rng(0)


def batch(n=6, c=4, scale=3.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(n, c)), rng.integers(0, c, size=n)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.integers(2, 6), st.floats(0.1, 30.0), st.integers(0, 10_000))
def test_logits_path_equals_probability_path(n, c, scale, seed):
    x, y = batch(n, c, scale, seed)
    p = xl.softmax(x)
    for reduction in ("mean", "sum", "none"):
        got = xl.sparse_categorical_cross_entropy(y, x, from_logits=True, reduction=reduction)
        ref = xl.sparse_categorical_cross_entropy(y, p, reduction=reduction)
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12)
        dense = xl.categorical_cross_entropy(
            np.eye(c)[y], x, from_logits=True, reduction=reduction
        )
        np.testing.assert_allclose(dense, got, rtol=1e-12, atol=1e-14)


def test_huge_logits_stay_finite():
    x = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    # -log softmax: 2000 and 0; PyTorch's F.cross_entropy gives the same (mean 1000).
    loss = xl.sparse_categorical_cross_entropy([1, 1], x, from_logits=True, reduction="none")
    np.testing.assert_array_equal(loss, [2000.0, 0.0])
    smoothed = xl.sparse_categorical_cross_entropy(
        [1, 1], x, from_logits=True, label_smoothing=0.1
    )
    # per example: 0.9 * ce + 0.1 * (ce_0 + ce_1) / 2; hand-derived: (1900 + 100) / 2
    assert smoothed == pytest.approx(1000.0 * 0.9 + 0.05 * 2000.0, rel=1e-15)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(2, 5), st.integers(0, 10_000), st.floats(0.0, 1.0))
def test_label_smoothing_equals_smoothed_targets(n, c, seed, e):
    x, y = batch(n, c, 4.0, seed)
    target = (1 - e) * np.eye(c)[y] + e / c
    ref = xl.softmax_cross_entropy_with_logits(labels=target, logits=x).mean()
    got = xl.sparse_categorical_cross_entropy(y, x, from_logits=True, label_smoothing=e)
    dense = xl.categorical_cross_entropy(np.eye(c)[y], x, from_logits=True, label_smoothing=e)
    assert got == pytest.approx(ref, rel=1e-12)
    assert dense == pytest.approx(ref, rel=1e-12)


def test_class_weights_smoothing_and_ignored_targets_together():
    # The combination PyTorch once got wrong (pytorch issues 73205 and 69339): the
    # uniform part skips ignored targets, and the mean divides by the class weights of
    # the counted targets only.
    x, y = batch(8, 3, 2.0, 1)
    w = np.array([0.5, 2.0, 3.0])
    e = 0.2
    labels = y.copy()
    labels[[1, 4]] = -100
    keep = labels != -100
    log_p = xl.log_softmax(x)
    per = (1 - e) * w[y] * -log_p[np.arange(8), y] + e / 3 * (w * -log_p).sum(axis=1)
    ref = per[keep].sum() / w[y[keep]].sum()
    got = xl.sparse_categorical_cross_entropy(
        labels, x, from_logits=True, class_weight=w, label_smoothing=e, ignore_index=-100
    )
    assert got == pytest.approx(ref, rel=1e-13)
    none = xl.sparse_categorical_cross_entropy(
        labels,
        x,
        from_logits=True,
        class_weight=w,
        label_smoothing=e,
        ignore_index=-100,
        reduction="none",
    )
    np.testing.assert_allclose(none, np.where(keep, per, 0.0), rtol=1e-13)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(2, 5), st.integers(0, 10_000))
def test_ignore_index_equals_dropping_rows(n, c, seed):
    x, y = batch(n, c, 3.0, seed)
    drop = np.random.default_rng(seed).random(n) < 0.4
    drop[0] = False  # keep one target
    labels = np.where(drop, -1, y)
    got = xl.sparse_categorical_cross_entropy(labels, x, from_logits=True, ignore_index=-1)
    ref = xl.categorical_cross_entropy(np.eye(c)[y[~drop]], x[~drop], from_logits=True)
    assert got == pytest.approx(ref, rel=1e-12)


def test_class_weighted_mean_is_weighted_sum_over_weight_sum():
    x, y = batch(10, 4, 2.0, 3)
    w = np.array([1.0, 0.0, 2.5, 0.25])
    s = np.linspace(0.5, 2.0, 10)
    ce = xl.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
    ref = (s * w[y] * ce).sum() / (s * w[y]).sum()
    got = xl.sparse_categorical_cross_entropy(
        y, x, from_logits=True, class_weight=w, sample_weight=s
    )
    assert got == pytest.approx(ref, rel=1e-13)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(3, 6), st.integers(0, 10_000))
def test_minus_inf_logits_equal_dropping_the_class(n, c, seed):
    x, y = batch(n, c, 3.0, seed)
    masked = (y + 1) % c  # never the target
    x_masked = x.copy()
    x_masked[np.arange(n), masked] = -np.inf
    got = xl.sparse_categorical_cross_entropy(y, x_masked, from_logits=True, reduction="none")
    for i in range(n):
        keep = np.arange(c) != masked[i]
        ref = xl.sparse_softmax_cross_entropy_with_logits(
            labels=int(np.flatnonzero(keep).tolist().index(y[i])), logits=x[i, keep]
        )
        assert got[i] == pytest.approx(ref, rel=1e-12)
    # where= with the same entries False is the same computation
    mask = np.ones_like(x, dtype=bool)
    mask[np.arange(n), masked] = False
    by_where = xl.sparse_categorical_cross_entropy(
        y, x, from_logits=True, where=mask, reduction="none"
    )
    np.testing.assert_allclose(by_where, got, rtol=1e-14)  # one path shifts, one does not
    dense = xl.categorical_cross_entropy(
        np.eye(c)[y], x_masked, from_logits=True, reduction="none"
    )
    np.testing.assert_allclose(dense, got, rtol=1e-12)
    assert np.isfinite(got).all()


def test_a_masked_target_costs_inf():
    x = np.array([[0.0, -np.inf, 1.0]])
    assert xl.sparse_categorical_cross_entropy([1], x, from_logits=True) == np.inf


def test_where_per_example_leaves_examples_out_of_the_mean():
    x, y = batch(6, 3, 2.0, 5)
    rows = np.array([True, False, True, True, False, True])
    got = xl.sparse_categorical_cross_entropy(y, x, from_logits=True, where=rows)
    ref = xl.sparse_categorical_cross_entropy(y[rows], x[rows], from_logits=True)
    assert got == pytest.approx(ref, rel=1e-13)


def test_z_loss_adds_the_squared_log_partition():
    x, y = batch(5, 4, 2.0, 7)
    lse = xl.logsumexp(x)
    ce = xl.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x)
    got = xl.sparse_categorical_cross_entropy(
        y, x, from_logits=True, z_loss=1e-3, reduction="none"
    )
    np.testing.assert_allclose(got, ce + 1e-3 * lse**2, rtol=1e-13)


def test_nothing_counts_raises_for_the_mean_and_sums_to_zero():
    x, _ = batch(3, 3)
    message = "no target counts towards the mean: every one is ignored (ignore_index)"
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.sparse_categorical_cross_entropy([-100] * 3, x, from_logits=True, ignore_index=-100)
    total = xl.sparse_categorical_cross_entropy(
        [-100] * 3, x, from_logits=True, ignore_index=-100, reduction="sum"
    )
    assert total == 0.0
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.sparse_categorical_cross_entropy(
            [0, 1, 2], x, from_logits=True, class_weight=[0.0, 0.0, 0.0]
        )


def test_binary_from_logits():
    rng = np.random.default_rng(2)
    x = rng.normal(scale=5, size=(6, 3))
    z = (rng.random((6, 3)) < 0.5).astype(float)
    ref = xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert xl.binary_cross_entropy(z, x, from_logits=True) == pytest.approx(ref.mean(), rel=1e-14)
    q = np.array([1.0, 3.0, 0.5])
    weighted = xl.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q)
    got = xl.binary_cross_entropy(z, x, from_logits=True, pos_weight=q, reduction="none")
    np.testing.assert_allclose(got, weighted, rtol=1e-14)
    smoothed = xl.sigmoid_cross_entropy_with_logits(labels=z * 0.8 + 0.1, logits=x)
    got = xl.binary_cross_entropy(z, x, from_logits=True, label_smoothing=0.2, reduction="none")
    np.testing.assert_allclose(got, smoothed, rtol=1e-14)
    mask = rng.random((6, 3)) < 0.7
    got = xl.binary_cross_entropy(z, x, from_logits=True, where=mask)
    assert got == pytest.approx(ref[mask].mean(), rel=1e-13)
    # the probability path agrees where both are finite
    p = xl.sigmoid(x)
    assert xl.binary_cross_entropy(z, p) == pytest.approx(ref.mean(), rel=1e-9)


def test_binary_minus_inf_logit():
    got = xl.binary_cross_entropy(
        [0.0, 1.0], [-np.inf, -np.inf], from_logits=True, reduction="none"
    )
    np.testing.assert_array_equal(got, [0.0, np.inf])


def test_zero_sample_weight_excludes_an_infinite_loss():
    # 0 x inf would be NaN: a weight of 0 leaves the example out.
    got = xl.binary_cross_entropy([1.0, 1.0], [0.0, 0.5], sample_weight=[0.0, 1.0])
    assert got == pytest.approx(np.log(2.0), rel=1e-15)
    got = xl.sparse_categorical_cross_entropy(
        [0, 0], [[0.0, 1.0], [0.5, 0.5]], sample_weight=[0.0, 1.0]
    )
    assert got == pytest.approx(np.log(2.0), rel=1e-15)


def test_smoothing_of_one_with_a_zero_probability_is_inf_not_nan():
    got = xl.sparse_categorical_cross_entropy([0], [[1.0, 0.0]], label_smoothing=1.0)
    assert got == np.inf


def test_float32_stays_float32():
    x, y = batch(4, 3)
    got = xl.sparse_categorical_cross_entropy(
        y, x.astype(np.float32), from_logits=True, label_smoothing=0.1, class_weight=[1, 2, 3]
    )
    assert got.dtype == np.float32
    got = xl.binary_cross_entropy(np.eye(3, dtype=int)[y], x.astype(np.float32), from_logits=True)
    assert got.dtype == np.float32


def test_inputs_are_not_modified():
    x, y = batch(4, 3)
    x0, y0 = x.copy(), y.copy()
    mask = np.ones_like(x, dtype=bool)
    mask[0, 1] = False
    xl.sparse_categorical_cross_entropy(y, x, from_logits=True, where=mask, label_smoothing=0.1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(y, x, from_logits=True, eps=1e-7),
            ValueError,
            "eps clips probabilities, so it has no meaning with from_logits=True (the "
            "logits path needs no clipping); drop eps.",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(y, xl.softmax(x), ignore_index=-100),
            ValueError,
            "ignore_index is an option of the loss from logits; pass from_logits=True "
            "with logits as y_pred (it needs the scores, not probabilities).",
        ),
        (
            lambda x, y: xl.binary_cross_entropy(np.eye(3)[y], xl.sigmoid(x), pos_weight=2.0),
            ValueError,
            "pos_weight is an option of the loss from logits; pass from_logits=True "
            "with logits as y_pred (it needs the scores, not probabilities).",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, x, from_logits=True, where=x > 0.5
            ),
            None,
            None,
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, x, from_logits=True, where=np.ones_like(x)
            ),
            TypeError,
            "where must be a boolean mask (True = include), got dtype float64; build it "
            "with a comparison, for example labels != pad_id.",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, x, from_logits=True, where=np.ones((2, 2), bool)
            ),
            ValueError,
            "where of shape (2, 2) does not broadcast to shape (4, 3); pass one flag per "
            "example or per entry.",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, np.where(x > 0, np.inf, x), from_logits=True
            ),
            ValueError,
            "y_pred contains +inf at index",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, np.full_like(x, -np.inf), from_logits=True
            ),
            ValueError,
            "y_pred has a slice along the class axis whose entries are all -inf",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(y, x, from_logits="yes"),
            TypeError,
            "from_logits must be True or False, got 'yes' (str).",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(y, x, from_logits=True, z_loss=-1),
            ValueError,
            "z_loss must be finite and >= 0, got -1; 1e-4 is typical.",
        ),
        (
            lambda x, y: xl.sparse_categorical_cross_entropy(
                y, x, from_logits=True, ignore_index=1.5
            ),
            TypeError,
            "ignore_index must be an integer or None, got 1.5 (float).",
        ),
    ],
)
def test_errors(call, error, message):
    x, y = batch(4, 3)
    if error is None:
        call(x, y)  # a mask that leaves every row a class is fine
        return
    with pytest.raises(error, match=re.escape(message)):
        call(x, y)


GRAD_OPTIONS = [
    {},
    {"class_weight": [1.0, 2.0, 0.5, 3.0]},
    {"label_smoothing": 0.2},
    {"ignore_index": -100},
    {"where": "mask"},
    {"z_loss": 0.01},
    {"sample_weight": [0.5, 1.0, 1.5, 2.0, 0.25]},
    {
        "label_smoothing": 0.2,
        "class_weight": [1.0, 2.0, 0.5, 3.0],
        "ignore_index": -100,
        "where": "mask",
        "z_loss": 0.01,
        "sample_weight": [0.5, 1.0, 1.5, 2.0, 0.25],
    },
]


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("options", GRAD_OPTIONS)
def test_gradient_by_central_differences(options, reduction):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 4))
    y = np.array([0, 3, -100, 1, 2]) if "ignore_index" in options else np.array([0, 3, 2, 1, 2])
    kwargs = dict(options)
    if kwargs.get("where") == "mask":
        mask = np.ones((5, 4), bool)
        mask[1, 1] = mask[3, 2] = False
        kwargs["where"] = mask

    def loss(v):
        return float(
            xl.sparse_categorical_cross_entropy(
                y, v, from_logits=True, reduction=reduction, **kwargs
            )
        )

    def grad(v):
        return xl.sparse_categorical_cross_entropy_grad(y, v, reduction=reduction, **kwargs)

    assert xl.check_gradient(loss, grad, x) < 1e-8
    g = grad(x)
    if "where" in kwargs:
        assert (g[~kwargs["where"]] == 0).all()  # a masked class gets exactly 0
    if "ignore_index" in kwargs:
        assert (g[2] == 0).all()


def test_gradient_rows_for_reduction_none_and_minus_inf():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 4))
    x[0, 1] = -np.inf
    y = np.array([0, 1, 3])
    g = xl.sparse_categorical_cross_entropy_grad(y, x, reduction="none")
    expected = xl.softmax(x) - np.eye(4)[y]
    np.testing.assert_allclose(g, expected, rtol=1e-15, atol=1e-17)
    assert g[0, 1] == 0.0
    g32 = xl.sparse_categorical_cross_entropy_grad(y, x.astype(np.float32), label_smoothing=0.1)
    assert g32.dtype == np.float32


DENSE_OPTIONS = [
    {},
    {"class_weight": [1.0, 2.0, 0.5, 3.0]},
    {"label_smoothing": 0.2},
    {"where": "mask"},
    {"z_loss": 0.01},
    {"sample_weight": [0.5, 1.0, 1.5, 2.0, 0.25]},
    {
        "label_smoothing": 0.2,
        "class_weight": [1.0, 2.0, 0.5, 3.0],
        "where": "mask",
        "z_loss": 0.01,
        "sample_weight": [0.5, 1.0, 1.5, 2.0, 0.25],
    },
]


def _soft_targets_and_mask(rng):
    y = rng.dirichlet(np.ones(4), size=5)
    mask = np.ones((5, 4), bool)
    mask[1, 1] = mask[3, 2] = False
    y[~mask] = 0.0
    return y / y.sum(axis=1, keepdims=True), mask


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("options", DENSE_OPTIONS)
def test_dense_gradient_by_central_differences(options, reduction):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(5, 4))
    y, mask = _soft_targets_and_mask(rng)
    kwargs = dict(options)
    if kwargs.get("where") == "mask":
        kwargs["where"] = mask

    def loss(v):
        out = xl.categorical_cross_entropy(y, v, from_logits=True, reduction=reduction, **kwargs)
        return float(np.sum(out))  # "none": the gradient of the sum is the sum of the rows

    def grad(v):
        return xl.categorical_cross_entropy_grad(
            y, v, from_logits=True, reduction=reduction, **kwargs
        )

    assert xl.check_gradient(loss, grad, x) < 1e-8
    if "where" in kwargs:
        assert (grad(x)[~mask] == 0).all()


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"label_smoothing": 0.2},
        {"pos_weight": [1.0, 3.0, 0.5]},
        {"where": "mask"},
        {"sample_weight": [0.5, 1.0, 2.0, 0.25]},
        {
            "label_smoothing": 0.1,
            "pos_weight": 2.0,
            "where": "mask",
            "sample_weight": [0.5, 1.0, 2.0, 0.25],
        },
    ],
)
def test_binary_gradient_by_central_differences(options, reduction):
    rng = np.random.default_rng(7)
    x = rng.normal(scale=3.0, size=(4, 3))
    z = (rng.random((4, 3)) < 0.5).astype(float)
    kwargs = dict(options)
    if kwargs.get("where") == "mask":
        kwargs["where"] = rng.random((4, 3)) < 0.7

    def loss(v):
        out = xl.binary_cross_entropy(z, v, from_logits=True, reduction=reduction, **kwargs)
        return float(np.sum(out))

    def grad(v):
        return xl.binary_cross_entropy_grad(z, v, from_logits=True, reduction=reduction, **kwargs)

    assert xl.check_gradient(loss, grad, x) < 1e-8


def test_probability_gradients_with_options():
    rng = np.random.default_rng(8)
    p = rng.dirichlet(np.ones(3), size=4)
    y = np.eye(3)[[0, 2, 1, 1]]
    w = [1.0, 2.0, 0.5]
    # d/dp_j of -sum_j t_j log p_j, t the weighted, smoothed target (derived by hand).
    g = xl.categorical_cross_entropy_grad(y, p, label_smoothing=0.1, class_weight=w)
    t = ((1 - 0.1) * y + 0.1 / 3) * np.array(w)
    np.testing.assert_allclose(g, -t / p, rtol=1e-15)
    pb = rng.uniform(0.05, 0.95, size=(4, 3))
    zb = (rng.random((4, 3)) < 0.5).astype(float)
    gb = xl.binary_cross_entropy_grad(zb, pb, label_smoothing=0.2, reduction="mean")
    zs = zb * 0.8 + 0.1
    np.testing.assert_allclose(gb, (pb - zs) / (pb * (1 - pb)) / 12, rtol=1e-14)
    with pytest.raises(
        ValueError,
        match=re.escape("where is an option of the loss from logits; pass from_logits=True"),
    ):
        xl.categorical_cross_entropy_grad(y, p, where=np.ones((4, 3), bool))


@pytest.mark.parametrize("offset", [0.0, 50.0, 300.0, -300.0])
@pytest.mark.parametrize("spread", [1e-6, 1.0, 30.0])
def test_label_smoothing_is_accurate_against_mpmath(offset, spread):
    # The smoothing term sum_j (lse - x_j) is summed as C lse - sum_j x_j where that
    # keeps 64 eps, term by term elsewhere: check both against 50-digit references.
    import mpmath

    rng = np.random.default_rng(int(abs(offset)) + int(spread * 10))
    x = offset + spread * rng.normal(size=(40, 5))
    y = rng.integers(0, 5, 40)
    e, w = 0.1, [1.0, 2.0, 0.5, 1.0, 3.0]
    got = xl.sparse_categorical_cross_entropy(
        y, x, from_logits=True, label_smoothing=e, class_weight=w, reduction="none"
    )
    with mpmath.workdps(50):
        for i in range(40):
            row = [mpmath.mpf(float(v)) for v in x[i]]
            lse = mpmath.log(sum(mpmath.exp(v) for v in row))
            exact = (1 - mpmath.mpf(e)) * w[y[i]] * (lse - row[y[i]]) + mpmath.mpf(e) / 5 * sum(
                wj * (lse - v) for wj, v in zip(w, row, strict=True)
            )
            assert abs(got[i] / float(exact) - 1) <= 1e-13, (i, got[i], float(exact))
