r"""TensorFlow's four ``*_cross_entropy_with_logits`` functions, in NumPy.

Same names, keyword-only ``labels=`` / ``logits=``, and TensorFlow's semantics:
each returns the per-example losses (no reduction). Chapter 5 of the book,
*TensorFlow's four cross-entropy functions*, derives them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._blocks import elementwise_in_blocks, reduce_rows_in_blocks
from ._validation import (
    BlockCheck,
    as_class_labels,
    as_float_array,
    as_pos_weight,
    batch_shape,
    check_class_axis,
    check_class_logits,
    check_in_unit_interval,
    check_same_shape,
    check_sums_to_one,
    in_unit_interval_by_blocks,
    logits_by_blocks,
)

__all__ = [
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
]

Losses = NDArray[np.floating[Any]]


def _labels_and_logits(labels: ArrayLike, logits: ArrayLike) -> tuple[NDArray[Any], NDArray[Any]]:
    """Float labels in the logits' dtype, of the logits' shape (values not yet checked)."""
    x = as_float_array(logits, "logits")
    z = as_float_array(labels, "labels", dtype=x.dtype)
    check_same_shape(z, x, "labels", "logits")
    return z, x


def _sigmoid_ce(z: NDArray[Any], x: NDArray[Any], q: NDArray[Any] | None) -> Losses:
    """The elementwise kernel over blocks, each block checked just before it is read
    (no extra pass); -inf logits (impossible positives) are allowed."""
    seen_minus_inf: list[bool] = [False]
    checks: list[BlockCheck] = [
        logits_by_blocks(x, "logits", 1, seen_minus_inf),
        in_unit_interval_by_blocks(z, "labels", 0),
    ]
    arrays = (z, x) if q is None else (z, x, q)
    with np.errstate(invalid="ignore"):  # 0 x -inf at impossible classes, fixed below
        out = elementwise_in_blocks(
            _kernels.sigmoid_cross_entropy, x.shape, x.dtype, *arrays, checks=checks
        )
    if seen_minus_inf[0]:
        # sigma(-inf) = 0: a label of 0 costs nothing there, any positive label inf.
        impossible = np.isneginf(x)
        positive = np.broadcast_to(z if q is None else z * q, x.shape)[impossible] > 0
        out[impossible] = np.where(positive, np.inf, 0.0)
    return out


# ---------------------------------------------------------------------- public


def sigmoid_cross_entropy_with_logits(*, labels: ArrayLike, logits: ArrayLike) -> Losses:
    r"""Binary cross-entropy of independent classes, from logits (multi-label).

    .. math::

        \ell(z, x) = -\bigl[z \log \sigma(x) + (1 - z) \log(1 - \sigma(x))\bigr]
                   = \max(x, 0) - x z + \log\bigl(1 + e^{-|x|}\bigr)

    Parameters
    ----------
    labels : array_like
        Targets in [0, 1] (0/1 or soft), same shape as ``logits``; for
        multi-label data one column per class.
    logits : array_like
        Raw scores :math:`x`, any shape: finite, or ``-inf`` where the label is 0
        and the class cannot occur (its loss and gradient are then 0).

    Returns
    -------
    ndarray
        The elementwise loss, same shape and float dtype as ``logits``.

    Raises
    ------
    ValueError
        If the shapes differ (for example integer class codes of shape ``(N,)`` next
        to logits of shape ``(N, C)``: one-hot encode them), a label is outside
        [0, 1], or a value is NaN or +inf.
    TypeError
        If an input is not numeric.

    Notes
    -----
    Computed as :math:`(1 - z)\operatorname{softplus}(x) + z \operatorname{softplus}(-x)`,
    which equals TensorFlow's formula above and has no cancellation: each term
    is non-negative, so tiny losses keep their relative accuracy and logits of
    :math:`\pm 10^4` are fine in float32.

    See Also
    --------
    binary_cross_entropy : the same loss from probabilities.
    weighted_cross_entropy_with_logits : with a weight on the positive term.
    softmax_cross_entropy_with_logits : for mutually exclusive classes.

    Examples
    --------
    Three independent yes/no questions about one image:

    >>> from xentlab import sigmoid_cross_entropy_with_logits
    >>> loss = sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0, 1.0], logits=[2.0, -1.0, -3.0])
    >>> print(loss.round(4))
    [0.1269 0.3133 3.0486]
    >>> print(sigmoid_cross_entropy_with_logits(labels=[1.0], logits=[1e4]))
    [0.]
    """
    z, x = _labels_and_logits(labels, logits)
    return _sigmoid_ce(z, x, None)


def weighted_cross_entropy_with_logits(
    *, labels: ArrayLike, logits: ArrayLike, pos_weight: ArrayLike
) -> Losses:
    r"""Sigmoid cross-entropy whose positive term is weighted, for imbalanced labels.

    .. math::

        \ell(z, x) = -\bigl[q\, z \log \sigma(x) + (1 - z) \log(1 - \sigma(x))\bigr]
        = (1 - z)\, x + \bigl(1 + (q - 1) z\bigr)\bigl(\log(1 + e^{-|x|}) + \max(-x, 0)\bigr)

    where :math:`q` is ``pos_weight``.

    Parameters
    ----------
    labels : array_like
        Targets in [0, 1], same shape as ``logits``.
    logits : array_like
        Raw scores: finite, or ``-inf`` for a class that cannot occur (probability 0,
        gradient 0; an infinite loss when it is the label).
    pos_weight : float or array_like
        :math:`q \ge 0`, broadcast against ``logits`` (a scalar, or one weight per
        class along the last axis). :math:`q > 1` raises recall, :math:`q < 1` precision;
        a common choice is ``n_negative / n_positive``.

    Returns
    -------
    ndarray
        The elementwise loss, same shape and float dtype as ``logits``.

    Raises
    ------
    ValueError
        As :func:`sigmoid_cross_entropy_with_logits`, and if ``pos_weight`` is
        negative, not finite, or does not broadcast to ``logits``.
    TypeError
        If an input is not numeric.

    Notes
    -----
    Computed as :math:`(1 - z)\operatorname{softplus}(x) + q z \operatorname{softplus}(-x)`,
    the same value as TensorFlow's formula without its cancellation. With
    :math:`q = 1` it is :func:`sigmoid_cross_entropy_with_logits`.

    See Also
    --------
    sigmoid_cross_entropy_with_logits

    Examples
    --------
    >>> from xentlab import weighted_cross_entropy_with_logits
    >>> loss = weighted_cross_entropy_with_logits(
    ...     labels=[1.0, 0.0], logits=[-1.0, -1.0], pos_weight=3.0)
    >>> print(loss.round(4))  # the missed positive costs 3x, the negative as before
    [3.9398 0.3133]
    """
    z, x = _labels_and_logits(labels, logits)
    q = as_pos_weight(pos_weight, x)
    return _sigmoid_ce(z, x, q)


def softmax_cross_entropy_with_logits(
    *, labels: ArrayLike, logits: ArrayLike, axis: int = -1
) -> Losses:
    r"""Cross-entropy between target distributions and the softmax of logits.

    .. math::

        \ell(z, x) = -\sum_j z_j \log \operatorname{softmax}(x)_j
                   = \sum_j z_j \Bigl(\log \sum_k e^{x_k} - x_j\Bigr)

    Parameters
    ----------
    labels : array_like
        One-hot labels or soft targets, each a distribution along ``axis``, same
        shape as ``logits``.
    logits : array_like
        Raw scores, classes along ``axis``: finite, or ``-inf`` for a class that
        cannot occur (probability 0, gradient 0; infinite loss if it carries target mass).
    axis : int, default -1
        The class axis. For several categorical outputs at once (multi-target,
        multi-class), lay them out as ``(N, heads, C)``: one softmax per head.

    Returns
    -------
    ndarray
        Per-example losses, ``logits``'s shape without ``axis``.

    Raises
    ------
    ValueError
        If the shapes differ (integer labels: use the sparse version), a label is
        outside [0, 1], or a value is NaN or +inf (or a slice of logits is all -inf).
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If a row of ``labels`` does not sum to 1: TensorFlow requires a valid
        distribution and otherwise returns a number with no meaning as a loss.

    Notes
    -----
    The log-softmax is
    :math:`(x_j - m) - \operatorname{log1p}\bigl(\sum_{k \ne k^*} e^{x_k - m}\bigr)`
    with :math:`m = x_{k^*}` the maximum: no overflow, and the loss of a confident
    correct prediction (about :math:`e^{-\text{margin}}`) is accurate to the last
    digits instead of rounding to 0.

    See Also
    --------
    sparse_softmax_cross_entropy_with_logits : integer labels.
    categorical_cross_entropy : the same loss from probabilities.

    Examples
    --------
    The panda scores of :cite:t:`uniduc_crossentropy` (dog, cat, panda):

    >>> from xentlab import softmax_cross_entropy_with_logits
    >>> loss = softmax_cross_entropy_with_logits(labels=[0, 0, 1], logits=[-3.44, 1.16, 3.91])
    >>> print(f"{loss:.4f}")
    0.0626
    """
    z, x = _labels_and_logits(labels, logits)
    axis = check_class_axis(x, "logits", axis)
    check_class_logits(x, "logits", axis)
    check_in_unit_interval(z, "labels")
    check_sums_to_one(z, "labels", axis)
    return reduce_rows_in_blocks(_kernels.softmax_cross_entropy_rows, x.dtype, axis, z, x)[()]


def sparse_softmax_cross_entropy_with_logits(
    *, labels: ArrayLike, logits: ArrayLike, axis: int = -1
) -> Losses:
    r"""Softmax cross-entropy with integer class labels.

    .. math::

        \ell(y, x) = -\log \operatorname{softmax}(x)_y = \log \sum_k e^{x_k} - x_y,
        \qquad y \in \{0, \dots, C - 1\}

    Parameters
    ----------
    labels : array_like of int
        Class indices in ``[0, C)``, shape ``logits.shape`` without ``axis``
        (``(N,)`` for logits ``(N, C)``).
    logits : array_like
        Raw scores: finite, or ``-inf`` for a class that cannot occur (probability 0,
        gradient 0; an infinite loss when it is the label).
    axis : int, default -1
        The class axis (TensorFlow always uses the last one).

    Returns
    -------
    ndarray
        Per-example losses, shape of ``labels``, float dtype of ``logits``.

    Raises
    ------
    ValueError
        If a label is outside ``[0, C)`` (classes coded from 1, or with gaps) or
        fractional, the shapes do not fit (one-hot labels: use the dense version),
        or a logit is NaN or +inf (or a slice of logits is all -inf).
    TypeError
        If the labels are not numbers or the logits are not numeric.

    Notes
    -----
    Computed as :math:`\operatorname{log1p}\bigl(e^{-x_y} \sum_{k \ne y} e^{x_k}\bigr)`
    when every logit of a block of rows lies within :math:`\pm b`, with
    :math:`b \approx 353` in float64 and :math:`\approx 42` in float32 (a little less
    for many classes): each exponential is then a normal float, so no shift is
    needed and no row maximum has to be found. Blocks with larger logits use
    :math:`(m - x_y) + \operatorname{log1p}\bigl(\sum_{k \ne k^*} e^{x_k - m}\bigr)`
    with :math:`m` the row maximum. Both are sums of non-negative terms, so the
    loss of a confident correct prediction (:math:`10^{-100}`, say) keeps its
    relative accuracy instead of rounding to 0 (chapter 9).

    See Also
    --------
    softmax_cross_entropy_with_logits : one-hot or soft labels.
    sparse_categorical_cross_entropy : the same loss from probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import sparse_softmax_cross_entropy_with_logits
    >>> logits = np.array([[-3.44, 1.16, 3.91], [2.0, 1.0, 0.1]])
    >>> print(sparse_softmax_cross_entropy_with_logits(labels=[2, 0], logits=logits).round(4))
    [0.0626 0.417 ]
    """
    x = as_float_array(logits, "logits")
    axis = check_class_axis(x, "logits", axis)
    check_class_logits(x, "logits", axis)
    codes = as_class_labels(labels, "labels", x.shape[axis], batch_shape(x, axis))
    bound = _kernels.unshifted_bound(x.dtype, x.shape[axis])

    def kernel(rows: NDArray[Any], y: NDArray[Any]) -> NDArray[Any]:
        return _kernels.sparse_softmax_cross_entropy_rows(rows, y, bound)

    return reduce_rows_in_blocks(kernel, x.dtype, axis, x, per_row=(codes,))[()]
