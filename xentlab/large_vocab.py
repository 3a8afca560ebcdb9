r"""Cross-entropy of a linear output layer over a large vocabulary, streamed.

A language model's last layer turns hidden states :math:`h` (``N x d``) into
logits :math:`x = h W^\top + b` over a vocabulary of ``V`` tokens, and the loss
is the sparse softmax cross-entropy of those logits. For ``N = 8192`` tokens and
``V = 128256`` the logits alone take 4.2 GB in float32. The functions here
compute the same loss and its gradients with respect to :math:`h`, :math:`W`
and :math:`b` without ever forming the ``N x V`` matrix: they stream over blocks
of the vocabulary, keeping a running maximum and sum per token (the online
log-sum-exp), as in Wijmans et al. (2025), *Cut Your Losses in Large-Vocabulary
Language Models*, and Liger-Kernel's fused linear cross-entropy. The chapter on
cross-entropy for language models derives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import (
    _check_non_negative,
    as_array,
    as_class_labels,
    as_float_array,
    as_float_arrays,
    check_finite,
    check_option,
    check_reduction,
)

Array = NDArray[Any]

__all__ = ["linear_cross_entropy", "linear_cross_entropy_grad", "LinearCrossEntropyGrad"]

# One block of logits holds about this many elements (4 MiB in float32): large
# enough that the block matrix products run at full BLAS speed, small enough that
# the block stays a few per cent of the N x V logits it replaces.
BLOCK_ELEMENTS = 1 << 20
# ... and at most this fraction of the vocabulary (2.5 %), so that for few tokens
# the block is still a small part of the logits ...
MAX_BLOCK_SHARE = 40
# ... but no fewer rows than this (tiny vocabularies: one block or a few).
MIN_BLOCK_SIZE = 16
# Temporaries of shape (rows, d) hold at most this many elements, and at most 1 % of
# the logits: the rows of W gathered for the target logits (1 MiB in float32), and a
# block's product G_B W_B (2 MiB: for d up to 256 and N up to 2048 one product a
# block, not several).
GATHER_ELEMENTS = 1 << 18
PRODUCT_ELEMENTS = 1 << 19
TEMPORARY_SHARE = 100


def _rows_at_a_time(n_rows: int, n_vocab: int, d: int, cap: int) -> int:
    """Rows of a ``(rows, d)`` temporary of at most ``cap`` elements and 1 % of the logits."""
    return max(1, min(cap, n_rows * n_vocab // TEMPORARY_SHARE) // d)


class LinearCrossEntropyGrad(NamedTuple):
    """The loss and its gradients, as returned by :func:`~xentlab.linear_cross_entropy_grad`."""

    loss: np.floating | NDArray[np.floating]
    """The loss, reduced as asked (the value :func:`~xentlab.linear_cross_entropy` returns)."""
    grad_hidden: NDArray[np.floating]
    """Gradient of the reduced loss w.r.t. ``hidden``, shape of ``hidden``."""
    grad_weight: NDArray[np.floating]
    """Gradient w.r.t. ``weight``, shape ``(V, d)``."""
    grad_bias: NDArray[np.floating] | None
    """Gradient w.r.t. ``bias``, shape ``(V,)``; ``None`` when there is no bias."""


# --------------------------------------------------------------------- kernels


def _target_logits(h: Array, weight: Array, bias: Array | None, y: Array) -> Array:
    # x_y = h_i . W_{y_i} + b_{y_i}, one dot product per token (N d work, not N V d),
    # summed in float64, then rounded once to the dtype of the block logits, so that the
    # running maximum, which starts at x_y, is exactly x_y until a larger logit comes.
    out = np.empty(h.shape[0], np.float64)
    step = _rows_at_a_time(h.shape[0], weight.shape[0], h.shape[1], GATHER_ELEMENTS)
    for start in range(0, h.shape[0], step):
        rows = slice(start, start + step)
        out[rows] = np.einsum("ij,ij->i", h[rows], weight[y[rows]], dtype=np.float64)
    if bias is not None:
        out += bias[y]
    return out.astype(h.dtype).astype(np.float64)


def _block_logits(
    h: Array, weight: Array, bias: Array | None, start: int, stop: int, out: Array
) -> Array:
    # One block of logits, x[:, start:stop] = h W[start:stop]^T + b[start:stop], into out.
    # Logits beyond the float range become inf here; the loss pass reports them as a
    # ValueError, so the overflow itself is not warned about.
    with np.errstate(over="ignore", invalid="ignore"):
        np.matmul(h, weight[start:stop].T, out=out)
        if bias is not None:
            out += bias[start:stop]
    return out


def _targets_in_blocks(y: Array, n_vocab: int, block_size: int) -> Iterator[tuple[Array, Array]]:
    """Per vocabulary block, ``(rows, columns)`` of the tokens whose target is in it."""
    order = np.argsort(y, kind="stable")
    edges = np.searchsorted(y[order], np.arange(0, n_vocab + block_size, block_size))
    for start, lo, hi in zip(range(0, n_vocab, block_size), edges[:-1], edges[1:], strict=True):
        rows = order[lo:hi]
        yield rows, y[rows] - start


def _stream_lse(
    h: Array,
    weight: Array,
    bias: Array | None,
    y: Array,
    x_true: Array,
    block_size: int,
    with_sum: bool,
) -> tuple[Array, Array, Array | None]:
    """Online log-sum-exp over vocabulary blocks, one ``(N, block)`` buffer.

    Returns ``(shift, rest, total)`` per token: ``shift = max(x_y, max_{k != y} x_k)`` is
    the row maximum, ``rest = sum_{k != y} exp(x_k - shift)`` leaves the target out, and
    ``total = sum_k x_k`` (for label smoothing; ``None`` unless ``with_sum``).
    """
    n_rows, n_vocab = h.shape[0], weight.shape[0]
    shift = x_true.astype(h.dtype)  # the target logit: a shift that needs no rescaling
    rest = np.zeros(n_rows, np.float64)
    total = np.zeros(n_rows, np.float64) if with_sum else None
    buffer = np.empty((n_rows, min(block_size, n_vocab)), h.dtype)
    for start, (rows, columns) in zip(
        range(0, n_vocab, block_size), _targets_in_blocks(y, n_vocab, block_size), strict=True
    ):
        stop = min(start + block_size, n_vocab)
        x = _block_logits(h, weight, bias, start, stop, buffer[:, : stop - start])
        if with_sum:
            total += x.sum(axis=1)
        # The target is x_true, kept apart: out of the maximum (its own rounding of x_y
        # may exceed x_true by an ulp, and a shift of an ulp would cancel a loss of
        # 1e-90 to 0) and out of the sum (exp(-inf) = 0).
        x[rows, columns] = -np.inf
        block_max = x.max(axis=1)
        if (block_max > shift).any():  # a new maximum: rescale the sum already made
            new_shift = np.maximum(shift, block_max)
            rest *= np.exp(shift.astype(np.float64) - new_shift)
            shift = new_shift
        np.subtract(x, shift[:, None], out=x)
        np.exp(x, out=x)
        rest += x.sum(axis=1)
    return shift.astype(np.float64), rest, total


def _losses(x_true: Array, shift: Array, rest: Array) -> tuple[Array, Array]:
    """``lse - x_y`` per token, and ``log(sum_k exp(x_k - shift))``, from the stream.

    lse - x_y = (s - x_y) + log(rest + e^{x_y - s}) = (s - x_y) + log1p(rest + expm1(x_y - s)):
    both terms are >= 0 (s is the row maximum), and where the target is the maximum
    (s = x_y) the loss is log1p(rest), so a loss of 1e-30 keeps its digits.
    """
    log_sum = np.log1p(rest + np.expm1(x_true - shift))
    return (shift - x_true) + log_sum, log_sum


def _stream_grad(
    h: Array,
    weight: Array,
    bias: Array | None,
    y: Array,
    lse: Array,
    coef: Array,
    target_grad: Array,
    uniform: Array | None,
    block_size: int,
    grad_h: Array,
) -> tuple[Array, Array, Array | None]:
    """Gradients of sum_i coef_i loss_i, recomputing each block of logits once.

    G = coef (softmax(x) - target distribution), one block at a time; its target
    entries are the exact ``target_grad``, the rest ``coef p_k - uniform``. Then
    dh += G W_blk (into ``grad_h``, zeros on entry), dW_blk = G^T h, db_blk = sum_i G_i.
    """
    n_rows, n_vocab = h.shape[0], weight.shape[0]
    # coef_i exp(x - lse_i) = exp(x - (lse_i - log coef_i)): the weight costs no extra pass,
    # and an excluded token (coef 0) gets exp(x - inf) = 0.
    with np.errstate(divide="ignore"):
        shift = (lse - np.log(coef)).astype(h.dtype)[:, None]
    buffer = np.empty((n_rows, min(block_size, n_vocab)), h.dtype)
    step = _rows_at_a_time(n_rows, n_vocab, h.shape[1], PRODUCT_ELEMENTS)  # of G_B W_B
    product = np.empty((min(step, n_rows), h.shape[1]), h.dtype)
    grad_w = np.empty(weight.shape, h.dtype)
    grad_b = None if bias is None else np.empty(n_vocab, h.dtype)
    for start, (rows, columns) in zip(
        range(0, n_vocab, block_size), _targets_in_blocks(y, n_vocab, block_size), strict=True
    ):
        stop = min(start + block_size, n_vocab)
        g = _block_logits(h, weight, bias, start, stop, buffer[:, : stop - start])
        with np.errstate(over="ignore", invalid="ignore"):
            np.subtract(g, shift, out=g)
        np.exp(g, out=g)
        if uniform is not None:
            g -= uniform
        g[rows, columns] = target_grad[rows]
        for first in range(0, n_rows, step):
            last = min(first + step, n_rows)
            grad_h[first:last] += np.matmul(
                g[first:last], weight[start:stop], out=product[: last - first]
            )
        np.matmul(g.T, h, out=grad_w[start:stop])
        if grad_b is not None:
            np.sum(g, axis=0, out=grad_b[start:stop])
    return grad_h, grad_w, grad_b


# -------------------------------------------------------------------- validation


def _as_inputs(
    hidden: ArrayLike, weight: ArrayLike, bias: ArrayLike | None
) -> tuple[Array, Array, Array | None]:
    """``hidden``, ``weight`` and ``bias`` in one float dtype, shapes and values checked."""
    named = [(hidden, "hidden"), (weight, "weight")]
    named += [(bias, "bias")] if bias is not None else []
    hidden, weight, *rest = as_float_arrays(*named)
    bias = rest[0] if rest else None
    if weight.ndim != 2:
        raise ValueError(
            f"weight must have shape (V, d) = (vocabulary size, hidden size), got shape "
            f"{weight.shape}."
        )
    if hidden.ndim == 0 or hidden.shape[-1] != weight.shape[1]:
        hint = (
            " weight looks transposed: pass weight.T (PyTorch's nn.Linear(d, V).weight "
            "has shape (V, d))."
            if hidden.ndim and weight.shape[0] == hidden.shape[-1]
            else ""
        )
        raise ValueError(
            f"hidden must have shape (..., d) with d = weight.shape[1] = {weight.shape[1]} "
            f"(one hidden state per token), got hidden.shape = {hidden.shape} and "
            f"weight.shape = {weight.shape}.{hint}"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(
            f"bias must have shape ({weight.shape[0]},), one value per vocabulary entry "
            f"(weight.shape[0]), got shape {bias.shape}."
        )
    for arr, name in ((hidden, "hidden"), (weight, "weight"), (bias, "bias")):
        if arr is not None:
            check_finite(arr, name)
    return hidden, weight, bias


def _check_options(
    reduction: Any, ignore_index: Any, label_smoothing: Any, block_size: Any
) -> float:
    check_reduction(reduction)
    check_option("ignore_index", ignore_index, integer=True, allow_none=True)
    e = check_option(
        "label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is a common choice."
    )
    check_option("block_size", block_size, integer=True, low=1, allow_none=True)
    return e


def _as_where(where: ArrayLike | None, shape: tuple[int, ...]) -> Array | None:
    if where is None:
        return None
    mask = as_array(where, "where")
    if mask.dtype != np.bool_:
        raise TypeError(
            f"where must be a boolean mask (True = counted), got dtype {mask.dtype}; pass "
            "for example attention_mask.astype(bool)."
        )
    if mask.shape != shape:
        raise ValueError(f"where must have the shape of y_true, {shape}, got shape {mask.shape}.")
    return mask


def _as_token_weight(sample_weight: ArrayLike | None, shape: tuple[int, ...]) -> Array | None:
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight", dtype=np.float64)
    if w.shape != shape:
        raise ValueError(
            f"sample_weight must have the shape of y_true, {shape} (one weight per token), "
            f"got shape {w.shape}."
        )
    _check_non_negative(w, "sample_weight")
    return w.reshape(-1)


def _as_targets(
    y_true: ArrayLike,
    shape: tuple[int, ...],
    n_vocab: int,
    ignore_index: int | None,
    mask: Array | None,
) -> tuple[Array, Array]:
    """Token ids and the counted mask, flattened; excluded ids are not checked."""
    y = as_array(y_true, "y_true")
    counted = np.ones(shape, bool) if mask is None else mask.copy()
    if y.shape == shape and y.dtype.kind in "iuf":  # otherwise as_class_labels says why not
        if ignore_index is not None:
            counted &= y != ignore_index
        if not counted.all():
            y = np.where(counted, y, 0)  # an excluded position needs no valid id
    codes = as_class_labels(y, "y_true", n_vocab, shape)
    return codes.reshape(-1), counted.reshape(-1)


def _prepare(
    y_true: ArrayLike,
    hidden: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None,
    reduction: Any,
    sample_weight: ArrayLike | None,
    ignore_index: Any,
    where: ArrayLike | None,
    label_smoothing: Any,
    block_size: Any,
) -> tuple[Array, Array, Array | None, Array, Array, Array | None, float, int]:
    e = _check_options(reduction, ignore_index, label_smoothing, block_size)
    hidden, weight, bias = _as_inputs(hidden, weight, bias)
    shape = hidden.shape[:-1]
    mask = _as_where(where, shape)
    y, counted = _as_targets(y_true, shape, weight.shape[0], ignore_index, mask)
    w = _as_token_weight(sample_weight, shape)
    if w is not None:
        counted &= w > 0  # a weight of 0 excludes the token (no 0 * inf)
    if reduction == "mean" and not counted.any():
        raise ValueError(
            "every token is excluded (by ignore_index, where or a zero sample_weight), so "
            "the mean over the counted tokens is undefined; use reduction='sum' (which "
            "gives 0) or skip this batch."
        )
    if block_size is None:
        n_vocab = weight.shape[0]
        block_size = BLOCK_ELEMENTS // max(1, counted.size)
        block_size = max(MIN_BLOCK_SIZE, min(block_size, n_vocab // MAX_BLOCK_SHARE))
    return hidden, weight, bias, y, counted, w, e, min(int(block_size), weight.shape[0])


def _forward(
    hidden: Array,
    weight: Array,
    bias: Array | None,
    y: Array,
    e: float,
    block_size: int,
) -> tuple[Array, Array, Array, Array]:
    """Per token (excluded ones too, with target 0): hidden states as contiguous rows,
    plain cross-entropy, smoothed loss and log-sum-exp (float64)."""
    # Excluded tokens are computed and dropped later rather than left out here: leaving
    # them out would copy the hidden states (and their gradient), N d each, which for a
    # wide model is as much memory as all the blocks of logits.
    h: Array = np.ascontiguousarray(hidden.reshape(-1, hidden.shape[-1]))  # copy if strided
    # Logits beyond the float range give inf and NaN here, reported just below.
    with np.errstate(over="ignore", invalid="ignore"):
        x_true = _target_logits(h, weight, bias, y)
        shift, rest, total = _stream_lse(h, weight, bias, y, x_true, block_size, e > 0)
        ce, log_sum = _losses(x_true, shift, rest)
        loss = ce
        if total is not None:  # label smoothing
            # lse - mean_k x_k = (s - mean_k x_k) + log(sum_k e^{x_k - s}): both terms >= 0.
            mean_logit = total / weight.shape[0]
            loss = (1 - e) * ce + e * ((shift - mean_logit) + log_sum)
    if not np.isfinite(loss).all():
        bad = int(np.argmax(~np.isfinite(loss)))
        raise ValueError(
            f"the logits hidden @ weight.T{' + bias' if bias is not None else ''} overflow "
            f"{hidden.dtype} for token {bad}; scale hidden or weight down"
            + (", or pass float64 arrays." if hidden.dtype != np.float64 else ".")
        )
    return h, ce, loss, x_true + ce


def _reduce(
    loss: Array,
    counted: Array,
    w: Array | None,
    reduction: str,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
) -> tuple[Any, Array]:
    """The reduced loss (float64 arithmetic, ``dtype`` result) and each token's factor
    in it (0 for the excluded tokens)."""
    weights = counted.astype(np.float64) if w is None else np.where(counted, w, 0.0)
    total = weights.sum()
    coef = weights / total if reduction == "mean" else weights
    if reduction == "none":
        out = np.zeros(counted.shape[0], dtype)
        out[counted] = weights[counted] * loss[counted]
        return out.reshape(shape)[()], coef
    return dtype.type(np.dot(coef[counted], loss[counted]) if total else 0.0), coef


_PARAMETERS = r"""
    Parameters
    ----------
    y_true : array_like of int
        Target token ids in ``[0, V)``, shape ``hidden.shape[:-1]`` (``(N,)``, or
        ``(B, T)`` for hidden states ``(B, T, d)``). Excluded positions (see
        ``ignore_index`` and ``where``) may hold any integer.
    hidden : array_like
        Hidden states :math:`h`, shape ``(..., d)``, finite.
    weight : array_like
        Output matrix :math:`W`, shape ``(V, d)``: one row per vocabulary entry, the
        layout of PyTorch's ``nn.Linear(d, V).weight``. Finite.
    bias : array_like, optional
        Output bias :math:`b`, shape ``(V,)``. Default: none.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the counted tokens (a weighted mean
        :math:`\sum_i w_i \ell_i / \sum_i w_i` with ``sample_weight``); ``"none"``
        returns one loss per token, shape of ``y_true``, 0 at excluded tokens.
    sample_weight : array_like, optional
        Non-negative weight per token, shape of ``y_true``; for example
        ``1 / length`` of each token's sequence to weight sequences, not tokens,
        equally. A weight of 0 excludes the token.
    ignore_index : int, optional
        Tokens whose target equals it are excluded: loss 0, gradient 0, and not
        counted in the mean (PyTorch's meaning; PyTorch's default is -100, here
        there is none unless given).
    where : array_like of bool, optional
        Shape of ``y_true``; False excludes the token, as ``ignore_index`` does
        (optax's meaning). A padding or attention mask.
    label_smoothing : float, default 0.0
        :math:`\epsilon \in [0, 1]`: the target distribution becomes
        :math:`(1 - \epsilon)\,\mathrm{onehot}(y) + \epsilon / V` (PyTorch's meaning).
    block_size : int, optional
        Vocabulary rows per block. Default: :math:`2^{20} / N`, but at most
        :math:`V / 40` (and at least 16), so that one block of logits takes at most
        4 MiB in float32 and 2.5 % of the full logits.
"""


def linear_cross_entropy(
    y_true: ArrayLike,
    hidden: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
    where: ArrayLike | None = None,
    label_smoothing: float = 0.0,
    block_size: int | None = None,
) -> np.floating | NDArray[np.floating]:
    r"""Softmax cross-entropy of the logits :math:`h W^\top + b`, without forming them.

    For token :math:`i` with hidden state :math:`h_i` and target :math:`y_i`, the
    logits are :math:`x_{ik} = h_i \cdot W_k + b_k` for each of the :math:`V`
    vocabulary entries, and

    .. math::

        \ell_i = \log \sum_{k=1}^{V} e^{x_{ik}} - x_{i y_i}
        = \log\Bigl(1 + \sum_{k \ne y_i} e^{x_{ik} - x_{i y_i}}\Bigr),

    with label smoothing :math:`\epsilon`,

    .. math::

        \ell_i^{\epsilon} = (1 - \epsilon)\,\ell_i
        + \epsilon \Bigl(\log \sum_k e^{x_{ik}} - \frac{1}{V} \sum_k x_{ik}\Bigr).

    The value equals ``sparse_softmax_cross_entropy_with_logits(labels=y_true,
    logits=hidden @ weight.T + bias)`` followed by the reduction, but memory grows
    with one block of ``block_size`` vocabulary entries, not with ``V``.
    {parameters}
    Returns
    -------
    numpy scalar or ndarray
        The loss, in the float dtype of the inputs (float32 in, float32 out;
        integers become float64): a scalar for ``"mean"`` and ``"sum"``, shape of
        ``y_true`` for ``"none"``.

    Raises
    ------
    ValueError
        If a shape does not fit (``weight`` must be ``(V, d)``, ``hidden``
        ``(..., d)``, ``bias`` ``(V,)``, ``y_true`` ``hidden.shape[:-1]``), a target
        is outside ``[0, V)`` or fractional, an input is NaN or infinite, the
        logits overflow, an option is out of range, or every token is excluded
        with ``reduction="mean"`` (the mean of nothing; ``"sum"`` gives 0).
    TypeError
        If an input is not numeric, ``where`` is not boolean, or an option has
        the wrong type.

    Notes
    -----
    The logits are computed one vocabulary block :math:`B` at a time,
    :math:`x_{iB} = h_i W_B^\top + b_B`, and each block updates two numbers per
    token (the online log-sum-exp): the running maximum :math:`s_i` (started at
    the target logit :math:`x_{iy_i}`, gathered beforehand by one dot product per
    token) and :math:`r_i = \sum_{k \ne y_i} e^{x_{ik} - s_i}` over the entries
    seen so far; when a block raises the maximum to :math:`s_i'`, :math:`r_i` is
    rescaled by :math:`e^{s_i - s_i'}`. At the end

    .. math::

        \ell_i = (s_i - x_{iy_i}) + \operatorname{log1p}\bigl(r_i
        + \operatorname{expm1}(x_{iy_i} - s_i)\bigr),

    a sum of two non-negative terms; where the target has the largest logit,
    :math:`s_i = x_{iy_i}` and :math:`\ell_i = \operatorname{log1p}(r_i)`, so a
    confident correct prediction's loss of :math:`10^{-30}` keeps its relative
    accuracy. Label smoothing also keeps :math:`\sum_k x_{ik}`, and uses
    :math:`\log\sum_k e^{x_{ik}} - \bar x_i = (s_i - \bar x_i)
    + \log\sum_k e^{x_{ik} - s_i}`, again two non-negative terms.

    See Also
    --------
    linear_cross_entropy_grad : the loss and its gradients w.r.t. ``hidden``,
        ``weight`` and ``bias``.
    sparse_softmax_cross_entropy_with_logits : the same loss from logits you have
        formed.

    Examples
    --------
    Six tokens, a vocabulary of 10, hidden size 4; the fourth token is padding:

    >>> import numpy as np
    >>> import xentlab as xl
    >>> rng = np.random.default_rng(0)
    >>> hidden, weight = rng.normal(size=(6, 4)), rng.normal(size=(10, 4))
    >>> y = np.array([1, 2, 3, -100, 5, 9])
    >>> loss = xl.linear_cross_entropy(y, hidden, weight, ignore_index=-100, block_size=3)
    >>> print(f"{loss:.6f}")
    3.222797

    The same number from the full logits matrix, which is never formed above:

    >>> keep = y != -100
    >>> full = xl.sparse_softmax_cross_entropy_with_logits(
    ...     labels=y[keep], logits=hidden[keep] @ weight.T)
    >>> print(f"{full.mean():.6f}")
    3.222797
    """
    hidden, weight, bias, y, counted, w, e, block_size = _prepare(
        y_true,
        hidden,
        weight,
        bias,
        reduction,
        sample_weight,
        ignore_index,
        where,
        label_smoothing,
        block_size,
    )
    # Nothing counted: the "sum" or "none" of nothing ("mean" has raised).
    loss = _forward(hidden, weight, bias, y, e, block_size)[2] if counted.any() else y * 0.0
    return _reduce(loss, counted, w, reduction, hidden.shape[:-1], hidden.dtype)[0]


def linear_cross_entropy_grad(
    y_true: ArrayLike,
    hidden: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
    where: ArrayLike | None = None,
    label_smoothing: float = 0.0,
    block_size: int | None = None,
) -> LinearCrossEntropyGrad:
    r""":func:`linear_cross_entropy` and its gradients w.r.t. ``hidden``, ``weight``, ``bias``.

    With :math:`c_i` the factor of token :math:`i` in the reduced loss
    (:math:`w_i / \sum_j w_j` for ``"mean"``, :math:`w_i` for ``"sum"`` and for
    ``"none"``, whose gradient is that of the sum of the returned losses;
    :math:`w_i = 1` without ``sample_weight``, 0 at excluded tokens), and
    :math:`p_i = \operatorname{softmax}(x_i)`,

    .. math::

        G_{ik} = c_i \Bigl(p_{ik} - (1 - \epsilon)[k = y_i] - \frac{\epsilon}{V}\Bigr),
        \qquad
        \frac{\partial L}{\partial h} = G W, \quad
        \frac{\partial L}{\partial W} = G^\top h, \quad
        \frac{\partial L}{\partial b} = \sum_i G_{i\cdot}.
    {parameters}
    Returns
    -------
    LinearCrossEntropyGrad
        A named tuple ``(loss, grad_hidden, grad_weight, grad_bias)``: the loss as
        :func:`linear_cross_entropy` returns it, and the gradients, with the shapes
        and the float dtype of ``hidden``, ``weight`` and ``bias`` (``grad_bias`` is
        ``None`` without a bias).

    Raises
    ------
    ValueError, TypeError
        As :func:`linear_cross_entropy`.

    Notes
    -----
    Two streamed passes over the vocabulary. The first is
    :func:`linear_cross_entropy`'s and gives each token's log-sum-exp
    :math:`\log\sum_k e^{x_{ik}}`. The second recomputes each block of logits,
    forms that block of :math:`G` only (as
    :math:`e^{x_{ik} - (\log\sum_k e^{x_{ik}} - \log c_i)}`, the factor
    :math:`c_i` folded into the shift), and accumulates
    :math:`G_B W_B` into the gradient for ``hidden``, while :math:`G_B^\top h` is the
    block :math:`B` of the gradient for ``weight``. The target entries use
    :math:`p_{iy_i} - 1 = -(1 - e^{-\ell_i}) = \operatorname{expm1}(-\ell_i)`, exact
    even where :math:`p_{iy_i}` rounds to 1. Memory: one block of logits and a few
    small buffers, besides the gradients themselves. Excluded tokens are computed
    with the others and their factor :math:`c_i = 0` drops them, which costs their
    share of the time but no copy of the hidden states.

    See Also
    --------
    linear_cross_entropy : the loss alone (one pass).
    sparse_softmax_cross_entropy_grad : the gradient w.r.t. logits you have formed.

    Examples
    --------
    >>> import numpy as np
    >>> import xentlab as xl
    >>> rng = np.random.default_rng(0)
    >>> hidden, weight = rng.normal(size=(6, 4)), rng.normal(size=(10, 4))
    >>> y = np.array([1, 2, 3, 4, 5, 9])
    >>> result = xl.linear_cross_entropy_grad(y, hidden, weight, block_size=3)
    >>> print(f"{result.loss:.6f}", result.grad_hidden.shape, result.grad_weight.shape)
    3.133801 (6, 4) (10, 4)

    The chain rule through the full logits gives the same gradient:

    >>> g = xl.sparse_softmax_cross_entropy_grad(labels=y, logits=hidden @ weight.T) / 6
    >>> print(np.allclose(result.grad_hidden, g @ weight),
    ...       np.allclose(result.grad_weight, g.T @ hidden))
    True True
    """
    hidden, weight, bias, y, counted, w, e, block_size = _prepare(
        y_true,
        hidden,
        weight,
        bias,
        reduction,
        sample_weight,
        ignore_index,
        where,
        label_smoothing,
        block_size,
    )
    grad_hidden = np.zeros(hidden.shape, hidden.dtype)
    if not counted.any():  # "sum" or "none" of nothing ("mean" raised): all zero
        value = _reduce(y * 0.0, counted, w, reduction, hidden.shape[:-1], hidden.dtype)[0]
        grad_bias = None if bias is None else np.zeros_like(bias)
        return LinearCrossEntropyGrad(value, grad_hidden, np.zeros_like(weight), grad_bias)
    h, ce, loss, lse = _forward(hidden, weight, bias, y, e, block_size)
    value, coef = _reduce(loss, counted, w, reduction, hidden.shape[:-1], hidden.dtype)
    n_vocab = weight.shape[0]
    # p_y - (1 - e) - e / V = expm1(-ce) + e (1 - 1 / V): exact where p_y rounds to 1.
    target_grad = (coef * (np.expm1(-ce) + e * (1 - 1 / n_vocab))).astype(hidden.dtype)
    uniform = (coef * (e / n_vocab)).astype(hidden.dtype)[:, None] if e > 0 else None
    _, grad_w, grad_b = _stream_grad(
        h,
        weight,
        bias,
        y,
        lse,
        coef,
        target_grad,
        uniform,
        block_size,
        grad_hidden.reshape(-1, hidden.shape[-1]),
    )
    return LinearCrossEntropyGrad(value, grad_hidden, grad_w, grad_b)


# The two functions share their parameters; one text, so the two cannot drift apart.
for _function in (linear_cross_entropy, linear_cross_entropy_grad):
    if _function.__doc__:  # None under python -OO
        _function.__doc__ = _function.__doc__.replace("    {parameters}\n", _PARAMETERS + "\n")
