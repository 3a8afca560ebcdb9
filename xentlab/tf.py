r"""TensorFlow's four ``*_cross_entropy_with_logits`` functions, in NumPy.

Same names, keyword-only ``labels=`` / ``logits=``, and TensorFlow's semantics:
each returns the per-example losses (no reduction). Chapter 5 of the book,
*TensorFlow's four cross-entropy functions*, derives them.
"""

import numpy as np

from ._blocks import elementwise_in_blocks, reduce_rows_in_blocks
from ._validation import (
    as_class_labels,
    as_float_array,
    as_pos_weight,
    block_check,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_same_shape,
    check_sums_to_one,
)
from .activations import _max_and_rest, _row_sum, _unshifted_bound

__all__ = [
    "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sparse_softmax_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
]


# --------------------------------------------------------------------- kernels


def _weighted_sigmoid_ce(z, x, pos_weight):
    # TensorFlow's (1 - z) x + (1 + (q - 1) z) (log1p(exp(-|x|)) + max(-x, 0)),
    # regrouped with softplus(+-x) = max(+-x, 0) + t, t = log1p(exp(-|x|)), as
    #   (1 - z) softplus(x) + q z softplus(-x) = (1 - z + q z) t + u x,
    #   u = (1 - z) where x > 0, -q z elsewhere:
    # both terms are >= 0, so nothing cancels and a loss of 1e-30 stays 1e-30
    # (TensorFlow's form computes x + (-x + 1e-30) = 0 for z = 0, x << 0).
    t = np.abs(x, out=np.empty_like(x))  # an array even for 0-d input
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)  # t in place: one full-size buffer
    if pos_weight is None:
        u = np.greater(x, 0, out=np.empty_like(x))  # 1.0 where x > 0, straight into floats
        u -= z  # 1 - z where x > 0 (exact for z >= 1/2), -z elsewhere
        u *= x
        u += t
        return u
    qz = pos_weight * z
    u = np.where(x > 0, 1 - z, -qz)
    u *= x
    t *= (1 - z) + qz
    u += t
    return u


def _softmax_ce(z, x):
    # On a (rows, C) block, one value per row.
    m, rest = _max_and_rest(x)
    # -sum_j z_j log softmax(x)_j = sum_j z_j (m - x_j) + log1p(rest) sum_j z_j:
    # every term is >= 0, and (m - x) * z is formed in one buffer.
    gap = np.subtract(m, x)
    gap *= z
    return (_row_sum(gap) + np.log1p(rest) * _row_sum(z))[:, 0]


def _sparse_softmax_ce_rows(x, labels, bound):
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
        rest = _row_sum(e)[:, 0]
        np.negative(x_true, out=x_true)
        rest *= np.exp(x_true, out=x_true)
        return np.log1p(rest, out=rest)
    m, rest = _max_and_rest(x)
    return (m[:, 0] - x_true) + np.log1p(rest[:, 0])


# ------------------------------------------------------------------ helpers


def _as_labels_logits(labels, logits):
    logits = as_float_array(logits, "logits")
    labels = as_float_array(labels, "labels", dtype=logits.dtype)
    check_same_shape(labels, logits, "labels", "logits")
    return labels, logits


def _check_labels_logits(labels, logits):
    labels, logits = _as_labels_logits(labels, logits)
    check_finite(logits, "logits")
    return labels, logits


def _sigmoid_ce_checks(labels, logits):
    # Checked block by block as the kernel goes (elementwise_in_blocks): no extra pass.
    return {1: block_check(check_finite, logits, "logits"),
            0: block_check(check_in_unit_interval, labels, "labels")}


# ---------------------------------------------------------------------- public


def sigmoid_cross_entropy_with_logits(*, labels, logits):
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
        Raw scores :math:`x`, any shape, finite.

    Returns
    -------
    ndarray
        The elementwise loss, same shape and float dtype as ``logits``.

    Raises
    ------
    ValueError
        If the shapes differ (for example integer class codes of shape ``(N,)`` next
        to logits of shape ``(N, C)``: one-hot encode them), a label is outside
        [0, 1], or a value is NaN or infinite.
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
    labels, logits = _as_labels_logits(labels, logits)
    return elementwise_in_blocks(
        lambda z, x: _weighted_sigmoid_ce(z, x, None), logits.shape, logits.dtype, labels, logits,
        checks=_sigmoid_ce_checks(labels, logits),
    )


def weighted_cross_entropy_with_logits(*, labels, logits, pos_weight):
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
        Raw scores, finite.
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
    labels, logits = _as_labels_logits(labels, logits)
    q = as_pos_weight(pos_weight, logits)
    return elementwise_in_blocks(
        _weighted_sigmoid_ce, logits.shape, logits.dtype, labels, logits, q,
        checks=_sigmoid_ce_checks(labels, logits),
    )


def softmax_cross_entropy_with_logits(*, labels, logits, axis=-1):
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
        Raw scores, classes along ``axis``, finite.
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
        outside [0, 1], or a value is NaN or infinite.
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
    logits = as_float_array(logits, "logits")
    axis = check_class_axis(logits, "logits", axis)
    labels, logits = _check_labels_logits(labels, logits)
    check_in_unit_interval(labels, "labels")
    check_sums_to_one(labels, "labels", axis)
    return reduce_rows_in_blocks(_softmax_ce, logits.dtype, axis, labels, logits)[()]


def sparse_softmax_cross_entropy_with_logits(*, labels, logits, axis=-1):
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
        Raw scores, finite.
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
        or a logit is NaN or infinite.
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
    logits = as_float_array(logits, "logits")
    axis = check_class_axis(logits, "logits", axis)
    check_finite(logits, "logits")
    batch_shape = logits.shape[:axis] + logits.shape[axis + 1 :]
    codes = as_class_labels(labels, "labels", logits.shape[axis], batch_shape)
    bound = _unshifted_bound(logits.dtype, logits.shape[axis])
    return reduce_rows_in_blocks(
        lambda x, y: _sparse_softmax_ce_rows(x, y, bound), logits.dtype, axis, logits,
        per_row=(codes,),
    )[()]
