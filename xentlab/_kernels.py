"""The numerically stable primitives every public module is built from, written once.

Each kernel is only the math: it trusts its input (the public functions validate
first) and works on a whole array or on one block of rows (``_blocks`` runs it
block by block). Each carries the identity it relies on, and its derivative sits
beside it where it has one. Row kernels take a ``(rows, C)`` block with the classes
along axis 1 and return one value per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._blocks import map_rows_in_blocks

Array = NDArray[Any]

# ------------------------------------------------------------ sigmoid, softplus


def sigmoid(x: Array) -> Array:
    """sigma(x) = exp(min(x, 0)) / (1 + exp(-|x|)), elementwise."""
    # Both exponents are <= 0, so nothing overflows and no branch mask is needed.
    # Each step works in place (chapter 9).
    out = np.minimum(x, 0, out=np.empty_like(x))  # an array even for 0-d input
    np.exp(out, out=out)
    den = np.abs(x, out=np.empty_like(x))
    np.negative(den, out=den)
    np.exp(den, out=den)
    den += 1
    out /= den
    return out


def sigmoid_grad(x: Array) -> Array:
    """d sigma / dx = sigma(x) sigma(-x): 1 - sigma(x) taken as sigma(-x), without cancellation."""
    return sigmoid(x) * sigmoid(-x)


def softplus(x: Array) -> Array:
    """log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), elementwise; its derivative is sigmoid."""
    # The exponent is <= 0, and log1p keeps the tail's relative accuracy when
    # e^{-|x|} is tiny. One buffer, in place.
    out = np.abs(x, out=np.empty_like(x))  # an array even for 0-d input
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    np.add(out, x, out=out, where=x > 0)  # + max(x, 0) without a full-size temporary
    return out


def log_sigmoid(x: Array) -> Array:
    """log sigma(x) = -softplus(-x); its derivative is sigma(-x)."""
    return -softplus(-x)


def xlogy(x: Array, y: Array) -> Array:
    """x log(y) with 0 log(y) = 0, even for y = 0; d/dy = x / y."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0, x * np.log(y))


# ----------------------------------------------- sigmoid cross-entropy (binary)


def sigmoid_cross_entropy(z: Array, x: Array, pos_weight: Array | None = None) -> Array:
    """-[q z log sigma(x) + (1 - z) log sigma(-x)], elementwise (q = 1 without a weight)."""
    # (1 - z) softplus(x) + q z softplus(-x), with softplus(+-x) = max(+-x, 0) + t and
    # t = log1p(e^{-|x|}), regrouped as (1 - z + q z) t + u x, u = (1 - z) where
    # x > 0, -q z elsewhere: both terms are >= 0, so nothing cancels and a loss of
    # 1e-30 stays 1e-30 (TensorFlow's documented weighted form, (1 - z) x +
    # (1 + (q - 1) z)(t + max(-x, 0)), computes x + (-x + 1e-30) = 0 for z = 0, x << 0).
    t = np.abs(x, out=np.empty_like(x))  # an array even for 0-d input
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)  # t in place: one full-size buffer
    # A loss beyond the float range (x near -+1e308, or times a weight) is inf, its
    # correctly rounded value: the overflow is not reported.
    if pos_weight is None:
        u = np.greater(x, 0, out=np.empty_like(x))  # 1.0 where x > 0, straight into floats
        u -= z  # 1 - z where x > 0 (exact for z >= 1/2), -z elsewhere
        with np.errstate(over="ignore"):
            u *= x
        u += t
        return u
    with np.errstate(over="ignore"):
        qz = pos_weight * z
        u = np.where(x > 0, 1 - z, -qz)
        u *= x
        t *= (1 - z) + qz
        u += t
    return u


def sigmoid_cross_entropy_grad(z: Array, x: Array, pos_weight: Array | None = None) -> Array:
    """d/dx of :func:`sigmoid_cross_entropy`: (1 - z) sigma(x) - q z sigma(-x)."""
    # Not sigma(x) - z: for z = 1 and large x that is 1 - 1 = 0, while the right
    # side gives the true -e^{-x}.
    q_z = z if pos_weight is None else pos_weight * z
    return (1 - z) * sigmoid(x) - q_z * sigmoid(-x)


# ------------------------------------------------------- softmax, log-sum-exp


def row_sum(a: Array) -> Array:
    """Sums of the rows of a ``(rows, C)`` block, shape ``(rows, 1)``, fast for short rows too."""
    if a.shape[1] <= 64:
        # np.sum pays a per-row overhead along a short axis (10 classes: about 3x slower);
        # einsum vectorises across rows. Its plain accumulation (error <= C eps) is fine
        # for short rows; long rows keep np.sum's pairwise summation.
        return np.einsum("ij->i", a)[:, None]
    return a.sum(axis=1, keepdims=True)


def max_and_rest(x: Array) -> tuple[Array, Array]:
    """Split log-sum-exp of each row of a ``(rows, C)`` block as ``m + log1p(rest)``.

    ``m`` is the row maximum and ``rest = sum_{j != argmax} exp(x_j - m)``, both of
    shape ``(rows, 1)``. Keeping ``rest`` apart from the ``exp(0) = 1`` of the
    maximum is what keeps a tiny loss accurate: ``log1p(1e-30)`` is 1e-30, but
    ``log(1 + 1e-30)`` is 0.
    """
    # argmax + take_along_axis is several times faster than max along a short axis.
    top = np.argmax(x, axis=1, keepdims=True)
    m = np.take_along_axis(x, top, axis=1)
    # A row of -inf only would give -inf - (-inf) = nan; shift it by 0 instead.
    # -inf entries (masked classes) beside a finite maximum give exp(-inf) = 0.
    # Logits that span more than the float range overflow x - m to -inf, whose exp
    # is the right 0: the overflow is harmless, so it is not reported.
    with np.errstate(over="ignore"):
        e = np.subtract(x, np.where(np.isfinite(m), m, 0))
    np.exp(e, out=e)
    np.put_along_axis(e, top, 0, axis=1)
    return m, row_sum(e)


def logsumexp_rows(x: Array) -> Array:
    """log sum_k e^{x_k} of each row; its gradient is the row's softmax."""
    m, rest = max_and_rest(x)
    return (m + np.log1p(rest))[:, 0]


def unshifted_bound(dtype: np.dtype[Any], n_classes: int) -> float:
    """Largest ``b`` such that logits in ``[-b, b]`` can be exponentiated unshifted.

    Every ``e^x`` is then a normal float (no overflow, and none of the lost
    relative precision of subnormals), and so are a sum of ``C`` of them, at most
    ``C e^b``, and the product or quotient of two sums, at most ``C e^{2b}`` and at
    least ``e^{-2b}``. 1 of margin covers the rounding of exp.
    """
    info = np.finfo(dtype)
    return float(0.5 * min(-np.log(info.tiny), np.log(info.max) - np.log(n_classes)) - 1.0)


def softmax_rows(x: Array, out: Array) -> None:
    """softmax of each row of ``x``, written into ``out``; its Jacobian is diag(p) - p p^T."""
    bound = unshifted_bound(x.dtype, x.shape[1])
    if -bound <= x.min() and x.max() <= bound:
        # Every e^x is a normal float, so e^x / sum_k e^x_k needs no shift by the row
        # maximum, the costliest pass over short rows; the quotient is as accurate.
        np.exp(x, out=out)
    else:
        top = np.argmax(x, axis=1, keepdims=True)  # faster than max along a short axis
        m = np.take_along_axis(x, top, axis=1)
        with np.errstate(over="ignore"):  # x - m < -max rounds to -inf; its exp is 0
            np.subtract(x, m, out=out)  # every exponent <= 0: exp cannot overflow
        np.exp(out, out=out)
    out /= row_sum(out)


def log_softmax_rows(x: Array, out: Array) -> None:
    """log softmax of each row of ``x``, written into ``out``."""
    m, rest = max_and_rest(x)
    # x_j - logsumexp(x) = (x_j - m) - log1p(rest); exact 0 - log1p(rest) at the max.
    with np.errstate(over="ignore"):  # below -max the log-probability rounds to -inf
        np.subtract(x, m, out=out)
    out -= np.log1p(rest)  # both terms <= 0: no cancellation


def softmax(x: Array, axis: int) -> Array:
    """softmax of ``x`` along ``axis``, block by block."""
    return map_rows_in_blocks(softmax_rows, axis, x)


def log_softmax(x: Array, axis: int) -> Array:
    """log softmax of ``x`` along ``axis``, block by block."""
    return map_rows_in_blocks(log_softmax_rows, axis, x)


# ------------------------------------------ softmax cross-entropy (multi-class)


def softmax_cross_entropy_rows(z: Array, x: Array) -> Array:
    """-sum_j z_j log softmax(x)_j of each row; its gradient is softmax(x) sum_j z_j - z."""
    m, rest = max_and_rest(x)
    # = sum_j z_j (m - x_j) + log1p(rest) sum_j z_j: every term is >= 0, and
    # (m - x) * z is formed in one buffer.
    with np.errstate(over="ignore", invalid="ignore"):
        gap = np.subtract(m, x)
        gap *= z
    if x.min() == -np.inf:
        # A masked class (-inf logit) with no target mass costs 0, not inf x 0.
        gap[z == 0] = 0.0
    return (row_sum(gap) + np.log1p(rest) * row_sum(z))[:, 0]


def sparse_softmax_cross_entropy_rows(x: Array, labels: Array, bound: float) -> Array:
    """-log softmax(x)_y of each row; its gradient is softmax(x) - onehot(y)."""
    # -log softmax(x)_y = log(sum_k e^{x_k} / e^{x_y}) = log1p(e^{-x_y} sum_{k != y} e^{x_k}).
    # Where the block's logits lie in [-bound, bound] the exponentials need no shift:
    # one exp per logit, no search for the row maximum (the costliest pass over short
    # rows), and each term keeps its relative accuracy, so a loss of 1e-100 keeps its
    # digits. Elsewhere shift by the row maximum: (m - x_y) + log1p(rest), both >= 0.
    flat = np.arange(0, x.size, x.shape[1]) + labels  # x_y's position in x.ravel()
    x_true = x.ravel().take(flat)
    if -bound <= x.min() and x.max() <= bound:
        e = np.exp(x)
        e.ravel()[flat] = 0.0  # the sum skips k = y
        rest = row_sum(e)[:, 0]
        np.negative(x_true, out=x_true)
        rest *= np.exp(x_true, out=x_true)
        return np.log1p(rest, out=rest)
    m, rest = max_and_rest(x)
    with np.errstate(over="ignore"):  # a loss beyond the float range rounds to inf
        return (m[:, 0] - x_true) + np.log1p(rest[:, 0])


def uniform_surprise_rows(x: Array, weights: Array | None) -> Array:
    """sum_j w_j (logsumexp(x) - x_j) of each row, over the classes whose logit is finite.

    The cross-entropy against the uniform part of a smoothed target, times C. Each
    term is >= 0, so nothing cancels; a class with a -inf logit (masked) is skipped.
    """
    lse = logsumexp_rows(x)[:, None]
    with np.errstate(invalid="ignore"):  # a fully masked row: -inf - -inf, dropped below
        gap = np.subtract(lse, x)
    if weights is not None:
        gap *= weights
    gap[np.isinf(x)] = 0.0
    return row_sum(gap)[:, 0]


def sparse_softmax_ce_terms_rows(
    x: Array,
    labels: Array,
    bound: float,
    weights: Array | None,
    want_uniform: bool,
    mask: Array | None = None,
) -> tuple[Array, Array, Array | None]:
    """Per row: -log softmax(x)_y, logsumexp(x), and sum_j w_j (logsumexp(x) - x_j).

    All three from one pass of exponentials, for the loss from logits with its
    options (label smoothing needs the third, the z-loss the second). Classes where
    ``mask`` is False, or whose logit is -inf, are impossible: probability 0, no share
    of the third term, an infinite loss when they are the target. A row with no
    possible class gives lse = -inf (the caller drops it).
    """
    flat = np.arange(0, x.size, x.shape[1]) + labels
    low, high = x.min(), x.max()
    w = np.ones(x.shape[1], x.dtype) if weights is None else weights
    impossible: Array | None
    if -bound <= low and high <= bound:
        ce, lse, buffer = _ce_terms_unshifted(x, flat, mask)
        if not want_uniform:
            return ce, lse, None
        if mask is None:
            return ce, lse, _uniform_surprise_fast(x, lse, w, max(-low, high), buffer)
        impossible = ~mask
    else:
        if mask is not None:
            x = np.where(mask, x, x.dtype.type(-np.inf))
        ce, lse = _ce_terms_shifted(x, flat)
        if not want_uniform:
            return ce, lse, None
        impossible = np.isneginf(x) if x.min() == -np.inf else None
        buffer = np.empty_like(x)
    with np.errstate(invalid="ignore"):
        gap = np.subtract(lse[:, None], x, out=buffer)  # each term >= 0: nothing cancels
    if impossible is not None:
        gap[impossible] = 0.0  # an impossible class takes no share of the smoothing
    # A matrix-vector product weights and sums each row in one pass (and along a
    # short axis is several times faster than a sum).
    return ce, lse, gap @ w


def _ce_terms_unshifted(x: Array, flat: Array, mask: Array | None) -> tuple[Array, Array, Array]:
    """-log softmax(x)_y and logsumexp(x) of moderate logits, and a free buffer."""
    # As sparse_softmax_cross_entropy_rows: no shift, no row maximum; a masked
    # class is zeroed after the exponential, so the fast path survives masking.
    x_true = x.ravel().take(flat)
    e = np.exp(x)
    if mask is not None:
        e *= mask
    e.ravel()[flat] = 0.0
    rest = row_sum(e)[:, 0]
    with np.errstate(divide="ignore"):
        ce = np.log1p(rest * np.exp(-x_true))
        lse = x_true + ce  # log sum_k e^{x_k} = x_y + (-log softmax(x)_y)
        if mask is not None:
            target_masked = ~mask.ravel().take(flat)
            if target_masked.any():
                ce[target_masked] = np.inf
                lse[target_masked] = np.log(rest[target_masked])
    return ce, lse, e  # e is free now: the smoothing term reuses it


def _ce_terms_shifted(x: Array, flat: Array) -> tuple[Array, Array]:
    """-log softmax(x)_y and logsumexp(x), shifted by the row maximum (-inf allowed)."""
    x_true = x.ravel().take(flat)
    m, rest = max_and_rest(x)
    tail = np.log1p(rest[:, 0])
    with np.errstate(over="ignore", invalid="ignore"):  # rows of -inf only: nan, unused
        ce = (m[:, 0] - x_true) + tail
    return ce, m[:, 0] + tail


def _uniform_surprise_fast(x: Array, lse: Array, w: Array, largest: float, buffer: Array) -> Array:
    """sum_j w_j (lse - x_j) as W lse - x @ w, one pass instead of two, where that is exact.

    Rounding costs at most (C + 2) eps (W |lse| + W max|x|) in absolute terms, against
    a result of sum_j w_j (lse - x_j), whose terms are all >= 0. Rows where that bound
    exceeds 64 eps of the result (logits far from 0 with a small spread) are summed
    term by term instead, so every row keeps 64 eps of relative accuracy.
    """
    total_w = w.sum()
    uniform = total_w * lse - x @ w
    error = (x.shape[1] + 2) * total_w * (np.abs(lse) + largest)
    doubtful = np.flatnonzero(error > 64 * uniform)  # indices: faster than a mask
    if doubtful.size:
        gap = np.subtract(
            lse[doubtful, None], x.take(doubtful, axis=0), out=buffer[: doubtful.size]
        )
        uniform[doubtful] = gap @ w
    return uniform
