r"""Classification losses on probabilities and scores, with reductions.

Each loss computes a per-example value, then reduces it: ``reduction="mean"``
(the default), ``"sum"`` or ``"none"``, optionally weighted by
``sample_weight`` (one non-negative weight per example, along axis 0).
Chapters 3 (binary), 4 (categorical) and 6 (hinge) of the book derive them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._blocks import as_rows, elementwise_in_blocks, reduce_rows_in_blocks, row_blocks
from ._kernels import (
    logsumexp_rows,
    sigmoid_cross_entropy,
    softmax_cross_entropy_rows,
    sparse_softmax_ce_terms_rows,
    uniform_surprise_rows,
    unshifted_bound,
    xlogy,
)
from ._validation import (
    all_minus_inf_error,
    as_array,
    as_class_labels,
    as_class_weight,
    as_float_array,
    as_float_arrays,
    as_mask,
    as_masked_logits,
    as_pos_weight,
    as_sample_weight,
    batch_shape,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_logits,
    check_option,
    check_reduction,
    check_same_shape,
    check_sums_to_one,
    finish_loss,
    in_unit_interval_by_blocks,
    only_with_logits,
    reduce_counted,
    rows_sum_to_one_by_blocks,
    show,
    warn,
)

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "log_loss",
    "mean_squared_error",
    "hinge_loss",
    "multiclass_hinge_loss",
    "crammer_singer_hinge_loss",
]

Array = NDArray[Any]
Loss = NDArray[np.floating[Any]] | np.floating[Any]


# --------------------------------------------------------------------- kernels


def _binary_cross_entropy(y: Array, p: Array) -> Array:
    # log(1 - p) as log1p(-p): exact for small p, where 1 - p would round.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_not_p = np.log1p(-p)
        # "0 - ..." rather than "-(...)": a perfect prediction costs +0.0, not -0.0.
        return 0.0 - (xlogy(y, p) + np.where(y == 1, 0, (1 - y) * log_not_p))


def _categorical_cross_entropy(
    y: Array, p: Array, smoothing: float, weights: Array | None, eps: float | None
) -> Array:
    # On a (rows, C) block; label smoothing, class weights and clipping are applied
    # block by block too, so no full-size smoothed or weighted target is ever formed.
    if smoothing:
        y = (1 - smoothing) * y + smoothing / y.shape[1]
    if weights is not None:
        y = y * weights
    return 0.0 - xlogy(y, _clip(p, eps)).sum(axis=1)  # +0.0, not -0.0, for a perfect prediction


def _surprise_of_true_class(labels: Array, p: Array, axis: int) -> Array:
    p_true = np.take_along_axis(p, np.expand_dims(labels, axis), axis=axis)
    with np.errstate(divide="ignore"):
        return 0.0 - np.log(np.squeeze(p_true, axis=axis))  # +0.0, not -0.0, at p = 1


def _mean_weighted_surprise(p: Array, axis: int, weights: Array | None) -> Array:
    # (1/C) sum_j w_j (-log p_j): the cross-entropy against the uniform part of a
    # smoothed target. A class of weight 0 costs 0, even where -log p_j is inf;
    # where p_j = 0 and w_j > 0 it is inf, the true value.
    with np.errstate(divide="ignore"):
        surprise = -np.log(p)
    if weights is not None:
        w = _along(weights, axis, p.ndim)
        with np.errstate(invalid="ignore"):
            surprise = np.where(w == 0, 0, w * surprise)
    return surprise.mean(axis=axis)


def _multiclass_hinge(
    labels: Array, scores: Array, axis: int, margin: float, squared: bool
) -> Array:
    index = np.expand_dims(labels, axis)
    s_true = np.take_along_axis(scores, index, axis=axis)
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: inf
        margins = np.maximum(0, scores - s_true + margin)
        np.put_along_axis(margins, index, 0, axis=axis)  # the sum skips j = y
        if squared:
            margins = margins * margins
        return margins.sum(axis=axis)


def _gather_rows(rows: Array, codes: Array) -> Array:
    """``rows[i, codes[i]]`` for a ``(n, C)`` block, through the flat index."""
    index = np.arange(0, rows.size, rows.shape[1]) + codes
    # The codes are in [0, C), so every index is in range: mode="wrap" skips
    # take's bounds check (a third of its time), and changes nothing.
    return rows.ravel().take(index, mode="wrap")


# ------------------------------------------------------------------ helpers


def _check_eps(eps: Any) -> float | None:
    return check_option(
        "eps",
        eps,
        low=0,
        high=0.5,
        high_open=True,
        allow_none=True,
        hint="typical values are 1e-7 to 1e-15.",
    )


def _check_label_smoothing(label_smoothing: Any) -> float:
    return float(
        check_option("label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is typical.")
    )


def _clip(p: Array, eps: float | None) -> Array:
    return p if eps is None else np.clip(p, eps, 1 - eps)


def _along(weights: Array, axis: int, ndim: int) -> Array:
    # Shape (1, ..., C, ..., 1): one weight per class, broadcast along ``axis``.
    shape = [1] * ndim
    shape[axis] = weights.size
    return weights.reshape(shape)


def _finish_class_weighted(
    weighted: Array, true_weight: Array, reduction: Any, sample_weight: ArrayLike | None
) -> Loss:
    """Reduce losses already multiplied by class weights, PyTorch's way.

    ``"mean"`` divides by the total weight of the true classes,
    ``sum_i s_i w[y_i]`` (``s`` the sample weights, 1 if not given).
    """
    if check_reduction(reduction) != "mean":
        return finish_loss(weighted, reduction, sample_weight)
    total = finish_loss(np.broadcast_to(true_weight, weighted.shape), "sum", sample_weight)
    if total == 0:
        raise ValueError(
            "the class weights of the true classes (times sample_weight) sum to zero, so "
            "the weighted mean is undefined; give some true class a positive weight or "
            "use reduction='sum'."
        )
    return finish_loss(weighted, "sum", sample_weight) / total


# ---------------------------------------------------------------------- public


def binary_cross_entropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
    eps: float | None = None,
    label_smoothing: float = 0.0,
    pos_weight: ArrayLike | None = None,
    where: ArrayLike | None = None,
) -> Loss:
    r"""Binary cross-entropy of predicted probabilities, elementwise.

    .. math::

        \ell(y, p) = -\bigl[y \log p + (1 - y) \log(1 - p)\bigr]

    with :math:`0 \log 0 = 0`, so a label of exactly 0 or 1 ignores the other term.

    Parameters
    ----------
    y_true : array_like
        Targets in [0, 1] (hard 0/1 labels or soft labels), any shape.
    y_pred : array_like
        Predicted probabilities :math:`p = P(y = 1)`, same shape as ``y_true``.
    from_logits : bool, default False
        Read ``y_pred`` as raw scores (logits) rather than probabilities, and
        compute from them with the stable identities of the ``..._with_logits``
        functions (Keras's ``from_logits=True``). The options below marked
        *logits only* need it.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the elementwise losses (same shape as the inputs).
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example (along axis 0); ``"mean"`` becomes the
        weighted mean.
    eps : float, optional
        If given, clip ``y_pred`` to ``[eps, 1 - eps]`` first (what Keras does with
        ``eps=1e-7``). By default nothing is clipped and a confident wrong answer
        (``p = 0`` for ``y = 1``) costs ``inf``, its true value.
    label_smoothing : float, default 0.0
        Replace each target y by ``y (1 - e) + e / 2`` (Keras's binary label
        smoothing).
    pos_weight : float or array_like, optional
        *Logits only.* Weight q of the positive term, as
        :func:`weighted_cross_entropy_with_logits` (PyTorch's ``pos_weight``).
    where : array_like of bool, optional
        *Logits only.* Elements to include; the mean is over the included ones.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss, in the inputs' float dtype.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN or outside [0, 1], ``reduction`` is
        unknown, or ``sample_weight`` has the wrong length or a negative value.
    TypeError
        If an input is not numeric.

    Notes
    -----
    :math:`\log(1 - p)` is computed as ``log1p(-p)``, exact where :math:`1 - p`
    would round. If you have logits, use
    :func:`~xentlab.sigmoid_cross_entropy_with_logits`: it never forms ``p`` and
    stays accurate where ``p`` rounds to 0 or 1.

    See Also
    --------
    sigmoid_cross_entropy_with_logits : the same loss from logits.
    log_loss : scikit-learn's averaged version with label handling.

    Examples
    --------
    >>> from xentlab import binary_cross_entropy
    >>> print(f"{binary_cross_entropy([1, 0, 1], [0.9, 0.2, 0.6]):.4f}")
    0.2798
    >>> print(binary_cross_entropy([1, 0], [0.9, 0.2], reduction="none").round(4))
    [0.1054 0.2231]
    """
    if check_option("from_logits", from_logits, choices=(True, False)):
        smoothing, _ = _check_logit_options(eps, label_smoothing, 0.0)
        reduction = check_reduction(reduction)
        per_element, counted = _binary_from_logits(y_true, y_pred, smoothing, pos_weight, where)
        return reduce_counted(per_element, counted, reduction, sample_weight)
    only_with_logits(pos_weight=pos_weight, where=where)
    smoothing = _check_label_smoothing(label_smoothing)
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    clip = _check_eps(eps)

    def kernel(y_block: Array, p_block: Array) -> Array:
        if smoothing:
            y_block = y_block * (1 - smoothing) + smoothing / 2
        return _binary_cross_entropy(y_block, _clip(p_block, clip))

    per_element = elementwise_in_blocks(
        kernel,
        p.shape,
        p.dtype,
        y,
        p,
        checks=[
            in_unit_interval_by_blocks(y, "y_true", 0),
            in_unit_interval_by_blocks(p, "y_pred", 1),
        ],
    )
    return finish_loss(per_element, reduction, sample_weight)


def categorical_cross_entropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
    eps: float | None = None,
    label_smoothing: float = 0.0,
    class_weight: ArrayLike | None = None,
    where: ArrayLike | None = None,
    z_loss: float = 0.0,
) -> Loss:
    r"""Categorical cross-entropy of predicted class probabilities.

    .. math::

        \ell(y, p) = -\sum_{j=1}^{C} y_j \log p_j

    with :math:`0 \log 0 = 0`. For a one-hot :math:`y` this is :math:`-\log p_{\text{true}}`.
    With label smoothing :math:`\varepsilon` the target is first replaced by
    :math:`(1 - \varepsilon)\, y + \varepsilon / C`.

    Parameters
    ----------
    y_true : array_like
        One-hot labels or target distributions, shape ``(N, C)`` (classes along ``axis``).
    y_pred : array_like
        Predicted probabilities, same shape, summing to 1 along ``axis``.
    from_logits : bool, default False
        Read ``y_pred`` as raw scores (logits) rather than probabilities, and
        compute from them with the stable identities of the ``..._with_logits``
        functions (Keras's ``from_logits=True``). The options below marked
        *logits only* need it.
    axis : int, default -1
        The class axis.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns one loss per example (``axis`` removed).
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example.
    eps : float, optional
        Clip ``y_pred`` to ``[eps, 1 - eps]`` first (Keras uses 1e-7).
    label_smoothing : float, default 0.0
        :math:`\varepsilon \in [0, 1]`, with the meaning of PyTorch and Keras.
    class_weight : array_like of shape (C,), optional
        A non-negative weight :math:`w_j` per class, PyTorch's ``weight=`` for
        probability targets: the per-example loss becomes
        :math:`-\sum_j w_j y_j \log p_j` (after label smoothing) and ``"mean"``
        still divides by :math:`N` (by :math:`\sum_i s_i` with ``sample_weight``
        :math:`s`, which multiplies as usual). One-hot targets are treated the
        same way, so the result does not jump when a target is exactly one-hot;
        for PyTorch's class-index mean, :math:`\sum_i w_{y_i} \ell_i / \sum_i w_{y_i}`,
        use :func:`sparse_categorical_cross_entropy` with ``class_weight``.
    where : array_like of bool, optional
        *Logits only.* Mask of classes (or of examples), as in
        :func:`sparse_categorical_cross_entropy`.
    z_loss : float, default 0.0
        *Logits only.* Adds ``z_loss * logsumexp(x)**2`` per example.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss in the inputs' float dtype.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN or outside [0, 1], an option is invalid,
        or ``class_weight`` is not ``C`` finite non-negative numbers.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If ``y_true`` or ``y_pred`` does not sum to 1 along ``axis``. Unlike Keras,
        ``y_pred`` is not renormalised.

    See Also
    --------
    sparse_categorical_cross_entropy : the same loss with integer labels.
    softmax_cross_entropy_with_logits : the same loss from logits.
    log_loss : scikit-learn's version, with label handling and clipping.

    Examples
    --------
    The panda example of :cite:t:`uniduc_crossentropy`, probabilities from its softmax table:

    >>> from xentlab import categorical_cross_entropy
    >>> print(f"{categorical_cross_entropy([0, 0, 1], [0.0006, 0.0601, 0.9393]):.4f}")
    0.0626
    >>> y = [[1, 0, 0], [0, 1, 0]]
    >>> p = [[0.7, 0.1, 0.2], [0.3, 0.6, 0.1]]
    >>> print(categorical_cross_entropy(y, p, reduction="none").round(4))
    [0.3567 0.5108]
    >>> w = [1.0, 3.0, 1.0]  # class 1 counts three times
    >>> print(categorical_cross_entropy(y, p, class_weight=w, reduction="none").round(4))
    [0.3567 1.5325]
    """
    if check_option("from_logits", from_logits, choices=(True, False)):
        smoothing, z = _check_logit_options(eps, label_smoothing, z_loss)
        reduction = check_reduction(reduction)
        per_example, counted = _categorical_from_logits(
            y_true, y_pred, axis, smoothing, z, class_weight, where
        )
        return reduce_counted(per_example, counted, reduction, sample_weight)
    only_with_logits(where=where, z_loss=z_loss)
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_in_unit_interval(y, "y_true")
    check_in_unit_interval(p, "y_pred")
    axis = check_class_axis(p, "y_pred", axis)
    smoothing = _check_label_smoothing(label_smoothing)
    check_sums_to_one(y, "y_true", axis)
    check_sums_to_one(p, "y_pred", axis)
    weights = as_class_weight(class_weight, y.shape[axis], y.dtype)
    clip = _check_eps(eps)

    def kernel(y_rows: Array, p_rows: Array) -> Array:
        return _categorical_cross_entropy(y_rows, p_rows, smoothing, weights, clip)

    per_example = reduce_rows_in_blocks(kernel, p.dtype, axis, y, p)
    return finish_loss(per_example[()], reduction, sample_weight)


def sparse_categorical_cross_entropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
    eps: float | None = None,
    label_smoothing: float = 0.0,
    class_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
    where: ArrayLike | None = None,
    z_loss: float = 0.0,
) -> Loss:
    r"""Categorical cross-entropy with integer class labels.

    .. math::

        \ell(y, p) = -\log p_{y}, \qquad y \in \{0, 1, \dots, C - 1\}

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)`` (``y_pred``'s shape without ``axis``).
    y_pred : array_like
        Predicted probabilities, shape ``(N, C)``.
    from_logits : bool, default False
        Read ``y_pred`` as raw scores (logits) rather than probabilities, and
        compute from them with the stable identities of the ``..._with_logits``
        functions (Keras's ``from_logits=True``). The options below marked
        *logits only* need it.
    axis : int, default -1
        The class axis of ``y_pred``.
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (N,), optional
    eps : float, optional
        Clip ``y_pred`` to ``[eps, 1 - eps]`` first.
    label_smoothing : float, default 0.0
        Smooth the implied one-hot target to
        :math:`(1 - \varepsilon)\,\text{onehot} + \varepsilon / C`.
    class_weight : array_like of shape (C,), optional
        A non-negative weight :math:`w_j` per class, with the meaning of PyTorch's
        ``CrossEntropyLoss(weight=...)`` for class-index targets: example :math:`i`
        costs :math:`w_{y_i} \ell_i`, ``"sum"`` adds these, ``"none"`` returns them
        and ``"mean"`` is the weighted mean
        :math:`\sum_i w_{y_i} \ell_i / \sum_i w_{y_i}`. With label smoothing the
        smoothed part is weighted per class, as in PyTorch:
        :math:`(1 - \varepsilon) w_{y} (-\log p_{y})
        + \frac{\varepsilon}{C} \sum_j w_j (-\log p_j)`.
        ``sample_weight`` :math:`s` multiplies in: the mean is
        :math:`\sum_i s_i (\cdot)_i / \sum_i s_i w_{y_i}`.
    ignore_index : int, optional
        *Logits only.* Targets equal to it (PyTorch uses -100) add 0 to the loss and
        are left out of the mean's denominator, label smoothing included.
    where : array_like of bool, optional
        *Logits only.* optax's mask: ``False`` entries of shape ``y_pred.shape``
        are masked classes (as a logit of ``-inf``); a mask of the batch shape is
        one flag per example. An example with no class left adds 0 and does not
        count in the mean.
    z_loss : float, default 0.0
        *Logits only.* Adds ``z_loss * logsumexp(x)**2`` per example, the
        penalty of PaLM that keeps the log-partition function near 0.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss in ``y_pred``'s float dtype.

    Raises
    ------
    ValueError
        If a label is out of range or fractional, shapes disagree, a probability is
        NaN or outside [0, 1], an option is invalid, ``class_weight`` is not ``C``
        finite non-negative numbers, or (for ``"mean"``) the true classes' weights
        sum to zero.
    TypeError
        If the labels are not numbers or ``y_pred`` is not numeric.

    Warns
    -----
    UserWarning
        If ``y_pred`` does not sum to 1 along ``axis``.

    See Also
    --------
    categorical_cross_entropy : the same loss with one-hot labels.
    sparse_softmax_cross_entropy_with_logits : the same loss from logits.

    Examples
    --------
    >>> from xentlab import sparse_categorical_cross_entropy
    >>> p = [[0.0006, 0.0601, 0.9393], [0.1, 0.7, 0.2]]
    >>> print(sparse_categorical_cross_entropy([2, 1], p, reduction="none").round(4))
    [0.0626 0.3567]
    >>> w = [1.0, 3.0, 1.0]  # (1 * 0.0626 + 3 * 0.3567) / (1 + 3)
    >>> print(f"{sparse_categorical_cross_entropy([2, 1], p, class_weight=w):.4f}")
    0.2832

    From logits, with PyTorch's options: huge logits stay finite, a target of
    ``ignore_index`` is left out, and a ``-inf`` logit masks a class.

    >>> import numpy as np
    >>> logits = [[1000.0, -1000.0, 0.0], [2.0, 1.0, 0.1], [0.3, -np.inf, 0.2]]
    >>> loss = sparse_categorical_cross_entropy(
    ...     [1, -100, 0], logits, from_logits=True, ignore_index=-100, reduction="none")
    >>> print(loss.round(4))
    [2000.        0.        0.6444]
    """
    if check_option("from_logits", from_logits, choices=(True, False)):
        smoothing, z = _check_logit_options(eps, label_smoothing, z_loss)
        reduction = check_reduction(reduction)
        per_example, counted = _sparse_from_logits(
            y_true, y_pred, axis, smoothing, z, class_weight, ignore_index, where
        )
        return reduce_counted(per_example, counted, reduction, sample_weight)
    only_with_logits(ignore_index=ignore_index, where=where, z_loss=z_loss)
    p = as_float_array(y_pred, "y_pred")
    axis = check_class_axis(p, "y_pred", axis)
    check_in_unit_interval(p, "y_pred")
    check_sums_to_one(p, "y_pred", axis)
    n_classes = p.shape[axis]
    labels = as_class_labels(y_true, "y_true", n_classes, batch_shape(p, axis))
    smoothing = _check_label_smoothing(label_smoothing)
    p = _clip(p, _check_eps(eps))
    per_example = _surprise_of_true_class(labels, p, axis)
    weights = as_class_weight(class_weight, n_classes, p.dtype)
    if weights is not None:
        true_weight = weights[labels]
        # A class of weight 0 costs 0, even where its -log p is inf.
        with np.errstate(invalid="ignore"):
            per_example = np.where(true_weight == 0, 0, true_weight * per_example)
    if smoothing:
        uniform_part = _mean_weighted_surprise(p, axis, weights)
        with np.errstate(invalid="ignore"):  # 0 x inf: a smoothing of 1 ignores the label
            per_example = np.where(smoothing == 1, 0, (1 - smoothing) * per_example)
        per_example = per_example + smoothing * uniform_part
    if weights is None:
        return finish_loss(per_example, reduction, sample_weight)
    return _finish_class_weighted(per_example, true_weight, reduction, sample_weight)


def log_loss(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    normalize: bool = True,
    sample_weight: ArrayLike | None = None,
    labels: ArrayLike | None = None,
) -> float:
    r"""Log loss with the conventions of ``sklearn.metrics.log_loss``.

    .. math::

        L = \frac{1}{\sum_i w_i} \sum_{i=1}^{N} w_i \Bigl(-\sum_{k} y_{ik}
            \log \operatorname{clip}(p_{ik}, \epsilon, 1 - \epsilon)\Bigr)

    where :math:`\epsilon` is the machine epsilon of ``y_pred``'s dtype and
    :math:`y_{ik} = 1` when example :math:`i` has the :math:`k`-th label in sorted order.

    Parameters
    ----------
    y_true : array_like
        Labels of shape ``(N,)`` (any sortable values: ints, strings), or a 0/1
        indicator matrix of shape ``(N, C)``.
    y_pred : array_like
        Probabilities of shape ``(N, C)``, columns in the sorted order of the
        labels; or shape ``(N,)``, the probability of the larger of two labels.
    normalize : bool, default True
        Return the (weighted) mean; if False, the (weighted) sum.
    sample_weight : array_like of shape (N,), optional
        Non-negative weights.
    labels : array_like, optional
        All the labels, when ``y_true`` does not contain every class.

    Returns
    -------
    float
        The log loss.

    Raises
    ------
    ValueError
        If ``y_pred`` holds NaN or values outside [0, 1]; lengths disagree; ``y_true``
        has a single label and ``labels`` is not given; ``y_true`` has labels missing
        from ``labels``; or the number of classes differs between labels and ``y_pred``.
    TypeError
        If ``y_pred`` is not numeric.

    Warns
    -----
    UserWarning
        If the rows of ``y_pred`` do not sum to 1, or ``labels`` is not sorted.

    Notes
    -----
    The result equals scikit-learn's to rounding. It gathers :math:`p_{i, y_i}`
    rather than multiplying the whole one-hot matrix, and does so block by
    block of rows, right after checking each block (values in [0, 1], rows
    summing to 1), so that ``y_pred`` is read from memory once.

    See Also
    --------
    categorical_cross_entropy : no clipping, no label handling, reductions.
    sklearn.metrics.log_loss

    Examples
    --------
    The two models of the cat/dog/pig example :cite:p:`csdn2022softmax`:

    >>> from xentlab import log_loss
    >>> y_true = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    >>> model_1 = [[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]]
    >>> model_2 = [[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]]
    >>> print(log_loss(y_true, model_1), log_loss(y_true, model_2))
    1.3783888522474517 0.6391075640678003
    >>> print(f"{log_loss(['spam', 'ham', 'ham', 'spam'], [0.9, 0.1, 0.2, 0.65]):.5f}")
    0.21616
    """
    p, y = _log_loss_inputs(y_true, y_pred)
    normalize = check_option("normalize", normalize, choices=(True, False))
    weights = as_sample_weight(sample_weight, p.shape[0], np.float64)
    if p.shape[1] == 1:
        # One column: the probability of the positive (larger) label.
        check_in_unit_interval(p, "y_pred")
        p = np.concatenate([1 - p, p], axis=1)
    if y.ndim == 2:
        per_example = _log_loss_of_indicators(y, p)
    else:
        per_example = _log_loss_of_labels(_label_codes(y, labels, p.shape[1]), p)
    if weights is None:
        total = float(per_example.sum())
        return total / p.shape[0] if normalize else total
    total = float(np.dot(per_example, weights))
    return total / float(weights.sum()) if normalize else total


def _log_loss_inputs(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    """``y_pred`` as ``(N, C)`` floats and ``y_true`` as ``(N,)`` labels or ``(N, C)``."""
    p = as_float_array(y_pred, "y_pred")
    if p.ndim not in (1, 2):
        raise ValueError(f"y_pred must have shape (N,) or (N, C), got shape {p.shape}.")
    p = p.reshape(p.shape[0], -1)
    y = as_array(y_true, "y_true")
    if y.ndim == 2 and y.shape[1] == 1:
        # A column of labels, as scikit-learn reads it (not a 1-class indicator).
        y = y[:, 0]
    n = p.shape[0]
    if y.ndim not in (1, 2) or y.shape[0] != n:
        raise ValueError(
            f"y_true must have shape ({n},) (labels) or ({n}, C) (indicator matrix) to "
            f"match y_pred of shape {np.shape(y_pred)}, got shape {y.shape}."
        )
    if y.dtype.kind == "c":
        raise TypeError(
            f"y_true must hold class labels (numbers or strings), got dtype {y.dtype}; "
            "complex numbers are not labels."
        )
    if y.dtype.kind == "f" and y.ndim == 1:
        check_finite(y, "y_true")
    return p, y


def _log_loss_of_indicators(y: Array, p: Array) -> Array:
    check_in_unit_interval(p, "y_pred")
    check_sums_to_one(p, "y_pred", 1)
    indicator = as_float_array(y, "y_true", dtype=p.dtype)
    if indicator.shape[1] != p.shape[1]:
        raise ValueError(
            f"y_true and y_pred contain different numbers of classes "
            f"{indicator.shape[1]}, {p.shape[1]}."
        )
    if not np.isin(indicator, (0, 1)).all():
        raise ValueError(
            "y_true as a 2-d array must be a 0/1 indicator matrix; for soft targets "
            "use categorical_cross_entropy."
        )
    eps = np.finfo(p.dtype).eps
    # Clip in y_pred's dtype, take the log in float64: scikit-learn's order.
    clipped = np.clip(p, eps, 1 - eps).astype(np.float64)
    return 0.0 - xlogy(indicator.astype(np.float64), clipped).sum(axis=1)


def _log_loss_of_labels(codes: Array, p: Array) -> Array:
    # Gather p[i, y_i]: O(N) work, no one-hot matrix. Each block is checked (values
    # in [0, 1], rows summing to 1) right before its values are gathered, while it is
    # in the cache: one pass through y_pred for the checks and the loss, not three.
    rows = as_rows(p, 1)
    p_true = reduce_rows_in_blocks(
        _gather_rows,
        rows.dtype,
        1,
        rows,
        per_row=(codes,),
        checks=[
            in_unit_interval_by_blocks(rows, "y_pred", 0),
            rows_sum_to_one_by_blocks(rows, "y_pred", 0),
        ],
    )
    eps = np.finfo(p.dtype).eps
    p_true = np.clip(p_true, eps, 1 - eps, out=p_true).astype(np.float64, copy=False)
    per_example = np.log(p_true, out=p_true)  # p_true is a fresh array: log in place
    return np.negative(per_example, out=per_example)


def _label_codes(y_true: Array, labels: ArrayLike | None, n_columns: int) -> Array:
    """Position of each label of ``y_true`` in the sorted label set, as scikit-learn."""
    classes = _unique_labels(y_true) if labels is None else _given_labels(labels, y_true)
    if labels is None and classes.size == 1:
        raise ValueError(
            f"y_true contains only one label ({show(classes[0])}). Please provide the list "
            "of all expected class labels explicitly through the labels argument."
        )
    if classes.size != n_columns:
        found = "labels" if labels is not None else "y_true"
        raise ValueError(
            f"y_true and y_pred contain different numbers of classes {classes.size}, "
            f"{n_columns}. Classes found in {found}: {classes.tolist()!r}. Please provide "
            "the true labels explicitly through the labels argument."
        )
    if classes.dtype.kind in "iu" and classes[0] == 0 and classes[-1] == classes.size - 1:
        # Labels 0..C-1 are their own positions: skip the search.
        return y_true.astype(np.intp, copy=False)
    return np.searchsorted(classes, y_true)


def _given_labels(labels: ArrayLike, y_true: Array) -> Array:
    """The sorted set of ``labels``, checked to hold every label of ``y_true``."""
    given = as_array(labels, "labels")
    if given.dtype.kind == "c":
        raise TypeError(f"labels must be real class labels, got dtype {given.dtype}.")
    if given.dtype.kind == "f":
        check_finite(given, "labels")
    classes = np.unique(given)
    if classes.size < 2:
        raise ValueError(f"labels needs to contain at least two labels, got {given.tolist()!r}.")
    if classes.size != given.size or not np.array_equal(classes, given):
        warn(
            f"labels passed were {given.tolist()!r}, but the columns of y_pred are "
            f"taken in sorted order {classes.tolist()!r}; pass labels sorted and order "
            "the columns of y_pred the same way."
        )
    unknown = ~np.isin(y_true, classes)
    if unknown.any():
        raise ValueError(
            f"y_true contains labels {sorted(set(y_true[unknown].tolist()))!r} "
            f"that are not in labels {given.tolist()!r}; add them to labels."
        )
    return classes


def _unique_labels(y_true: Array) -> Array:
    """``np.unique(y_true)``, by counting when the labels are small non-negative ints."""
    y = y_true
    if y.dtype.kind in "iu" and y.size and y.min() >= 0 and y.max() < 2 * y.size + 1024:
        # A count per value is O(N + max), against the O(N log N) sort of np.unique.
        return np.flatnonzero(np.bincount(y.ravel().astype(np.intp))).astype(y.dtype)
    return np.unique(y)


def mean_squared_error(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Mean squared error, elementwise, for comparison with the cross-entropies.

    .. math::

        \ell(y, \hat y) = (y - \hat y)^2

    Parameters
    ----------
    y_true, y_pred : array_like
        Targets and predictions of the same shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the elementwise squared errors.
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example (axis 0).

    Returns
    -------
    numpy scalar or ndarray

    Raises
    ------
    ValueError
        If the shapes differ, a value is not finite, or an option is invalid.
    TypeError
        If an input is not numeric.

    See Also
    --------
    binary_cross_entropy : the loss that does not saturate with a sigmoid output (chapter 3).
    sklearn.metrics.mean_squared_error

    Examples
    --------
    >>> from xentlab import mean_squared_error
    >>> print(f"{mean_squared_error([1.0, 0.0], [0.9, 0.2]):.4f}")
    0.0250
    """
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_finite(y, "y_true")
    check_finite(p, "y_pred")
    with np.errstate(over="ignore"):  # a square beyond the float range is inf
        diff = y - p
        return finish_loss(diff * diff, reduction, sample_weight)


def hinge_loss(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Binary hinge loss of decision scores.

    .. math::

        \ell(y, s) = \max(0,\, 1 - y\, s), \qquad y \in \{-1, +1\}

    Labels in {0, 1} are mapped to {-1, +1} first.

    Parameters
    ----------
    y_true : array_like of shape (N,)
        Binary labels, in {-1, +1} or in {0, 1}.
    scores : array_like of shape (N,)
        Decision scores (e.g. ``w @ x + b``); positive means class +1.
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (N,), optional

    Returns
    -------
    numpy scalar or ndarray

    Raises
    ------
    ValueError
        If a label is not binary, shapes differ, a score is not finite, or an option
        is invalid.
    TypeError
        If an input is not numeric.

    See Also
    --------
    multiclass_hinge_loss : the Weston-Watkins multi-class version.
    sklearn.metrics.hinge_loss : the same value for binary labels.

    Examples
    --------
    >>> from xentlab import hinge_loss
    >>> print(hinge_loss([1, -1, 1], [2.0, -0.5, 0.3], reduction="none"))
    [0.  0.5 0.7]
    """
    y = as_float_array(y_true, "y_true")
    s = as_float_array(scores, "scores")
    check_same_shape(y, s, "y_true", "scores")
    check_finite(y, "y_true")
    check_finite(s, "scores")
    values = np.unique(y).tolist()
    if not (set(values) <= {-1.0, 1.0} or set(values) <= {0.0, 1.0}):
        raise ValueError(
            f"y_true must hold binary labels in {{-1, +1}} or {{0, 1}}, got the values "
            f"{values[:10]!r}; for more than two classes use multiclass_hinge_loss."
        )
    signs = np.where(y == 0, -1, y).astype(s.dtype, copy=False)
    return finish_loss(np.maximum(0, 1 - signs * s), reduction, sample_weight)


def multiclass_hinge_loss(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    margin: float = 1.0,
    squared: bool = False,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Multi-class hinge loss of Weston and Watkins (the SVM loss of CS231n).

    .. math::

        \ell(y, s) = \sum_{j \ne y} \max(0,\, s_j - s_y + \Delta)^{k},
        \qquad k = 1 \text{ (hinge) or } 2 \text{ (squared hinge)}

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)``.
    scores : array_like
        Class scores, shape ``(N, C)``.
    margin : float, default 1.0
        The margin :math:`\Delta \ge 0` by which the true score should win.
    squared : bool, default False
        Square each term (the squared hinge loss).
    axis : int, default -1
        The class axis of ``scores``.
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (N,), optional

    Returns
    -------
    numpy scalar or ndarray

    Raises
    ------
    ValueError
        If a label is out of range, shapes disagree, a score is not finite, or an
        option is invalid.
    TypeError
        If an input is not numeric.

    Notes
    -----
    The loss is zero once the true class wins by the margin, however the other
    scores are spread: unlike cross-entropy it stops pushing. scikit-learn's
    ``hinge_loss`` on more than two classes is the Crammer-Singer variant
    (only the largest wrong score counts), a different function.

    See Also
    --------
    hinge_loss : the binary case.
    sparse_softmax_cross_entropy_with_logits : the cross-entropy of the same scores.

    Examples
    --------
    >>> from xentlab import multiclass_hinge_loss
    >>> scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> print(multiclass_hinge_loss([0, 1, 2], scores, reduction="none").round(2))
    [ 2.9  0.  12.9]
    """
    s = as_float_array(scores, "scores")
    axis = check_class_axis(s, "scores", axis)
    check_finite(s, "scores")
    margin = check_option("margin", margin, low=0)
    squared = check_option("squared", squared, choices=(True, False))
    labels = as_class_labels(y_true, "y_true", s.shape[axis], batch_shape(s, axis))
    per_example = _multiclass_hinge(labels, s, axis, s.dtype.type(margin), squared)
    return finish_loss(per_example, reduction, sample_weight)


def crammer_singer_hinge_loss(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    margin: float = 1.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Multi-class hinge loss of Crammer and Singer: only the best wrong class counts.

    .. math::

        \ell(y, s) = \max\bigl(0,\; \Delta + \max_{j \ne y} s_j - s_y\bigr)

    as in :cite:t:`crammer2001`, scikit-learn's ``hinge_loss`` on more than two
    classes (with :math:`\Delta = 1`) and Keras's ``CategoricalHinge``.

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)`` (``scores``' shape without ``axis``).
    scores : array_like
        Class scores, shape ``(N, C)``, finite; at least two classes.
    margin : float, default 1.0
        The margin :math:`\Delta \ge 0` by which the true score should beat the best other.
    axis : int, default -1
        The class axis of ``scores``.
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (N,), optional

    Returns
    -------
    numpy scalar or ndarray

    Raises
    ------
    ValueError
        If a label is out of range, shapes disagree, there is a single class, a
        score is not finite, or an option is invalid.
    TypeError
        If an input is not numeric.

    Notes
    -----
    With :math:`\Delta = 1`, ``reduction="mean"`` equals
    ``sklearn.metrics.hinge_loss(y_true, scores, labels=range(C))``. Keras's
    ``CategoricalHinge`` takes one-hot targets and the best wrong score as
    :math:`\max_j (1 - y_j) s_j`, which counts 0 for the true class: the two agree
    whenever some wrong score is :math:`\ge 0`. The Weston-Watkins loss
    :func:`multiclass_hinge_loss` sums the violations of every wrong class; this
    one is never larger (one of its terms).

    Chapter 6 of the book, *Hinge vs cross-entropy*, compares the hinge losses.

    See Also
    --------
    multiclass_hinge_loss : the Weston-Watkins loss, a sum over the wrong classes.
    hinge_loss : the binary case.
    crammer_singer_hinge_grad : its (sub)gradient with respect to the scores.

    Examples
    --------
    >>> from xentlab import crammer_singer_hinge_loss
    >>> scores = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> print(crammer_singer_hinge_loss([0, 1, 2], scores, reduction="none").round(2))
    [2.9 0.  6.6]
    """
    s = as_float_array(scores, "scores")
    axis = check_class_axis(s, "scores", axis)
    check_finite(s, "scores")
    if s.shape[axis] < 2:
        raise ValueError(
            f"scores needs at least two classes along axis {axis}, got shape {s.shape}; "
            "for a single score per example use hinge_loss."
        )
    margin = check_option("margin", margin, low=0)
    reduction = check_reduction(reduction)
    labels = as_class_labels(y_true, "y_true", s.shape[axis], batch_shape(s, axis))
    index = np.expand_dims(labels, axis)
    s_true = np.take_along_axis(s, index, axis=axis)
    others = s.copy()
    np.put_along_axis(others, index, -np.inf, axis=axis)  # the max skips j = y
    best_other = others.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        # margin + (best - s_y), with the rounding error of best - s_y (TwoSum, exact)
        # added back last: a loss that is a tiny difference keeps its digits.
        gap = best_other - s_true  # scores near the float limit: inf, the right loss
        back = gap - best_other
        lost = (best_other - (gap - back)) + (-s_true - back)
        per_example = (s.dtype.type(margin) + gap) + np.where(np.isfinite(gap), lost, 0)
    per_example = np.maximum(per_example, 0)
    return finish_loss(np.squeeze(per_example, axis=axis), reduction, sample_weight)


# ------------------------------------------------------------------ from logits
#
# The three cross-entropies above take ``from_logits=True`` (Keras's spelling) and
# then compute from raw scores with the stable kernels of ``_kernels``, with the
# option set of ``torch.nn.functional.cross_entropy``: class weights, label
# smoothing, ignored targets, masks (optax's ``where``), ``pos_weight`` and the
# z-loss. Only some examples count towards a mean (an ignored target, a fully
# masked row and a weight of 0 do not), so these paths reduce with the weight each
# example has in the mean's denominator, ``counted``.


def _check_logit_options(eps: Any, label_smoothing: Any, z_loss: Any) -> tuple[float, float]:
    if eps is not None:
        raise ValueError(
            "eps clips probabilities, so it has no meaning with from_logits=True (the "
            "logits path needs no clipping); drop eps."
        )
    smoothing = _check_label_smoothing(label_smoothing)
    return smoothing, float(check_option("z_loss", z_loss, low=0, hint="1e-4 is typical."))


def _sparse_from_logits(
    y_true: ArrayLike,
    logits: ArrayLike,
    axis: Any,
    smoothing: float,
    z_loss: float,
    class_weight: ArrayLike | None,
    ignore_index: Any,
    where: ArrayLike | None,
) -> tuple[Array, Array]:
    """Per-example losses and their weights in the mean, from logits and integer labels."""
    x = as_float_array(logits, "y_pred")
    axis = check_class_axis(x, "y_pred", axis)
    check_logits(x, "y_pred")
    mask = as_mask(where, x.shape, axis)
    ignore = check_option("ignore_index", ignore_index, integer=True, allow_none=True)
    n_classes = x.shape[axis]
    codes = as_class_labels(y_true, "y_true", n_classes, batch_shape(x, axis), ignore_index=ignore)
    weights = as_class_weight(class_weight, n_classes, x.dtype)
    ce, lse, uniform = _sparse_terms(x, axis, codes, mask, weights, bool(smoothing))
    live = np.isfinite(lse)
    if mask is None and not live.all():
        raise all_minus_inf_error("y_pred")
    counted = np.ones_like(ce) if weights is None else weights[codes]
    per_example = ce if weights is None else _times_weight(counted, ce)
    if smoothing:
        assert uniform is not None
        uniform *= smoothing / n_classes
        if smoothing < 1:  # a smoothing of 1 ignores the label (no 0 x inf)
            per_example *= 1 - smoothing  # a fresh array: scaled in place
            uniform += per_example
        per_example = uniform
    if z_loss:
        with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: inf
            per_example = per_example + z_loss * lse * lse
    excluded = None if live.all() else ~live
    if ignore is not None:
        ignored = np.asarray(y_true) == ignore
        excluded = ignored if excluded is None else excluded | ignored
    if excluded is not None:
        per_example = np.where(excluded, 0, per_example).astype(x.dtype, copy=False)
        counted = np.where(excluded, 0, counted).astype(x.dtype, copy=False)
    return per_example, counted


def _times_weight(weight: Array, loss: Array) -> Array:
    with np.errstate(invalid="ignore"):  # a class of weight 0 costs 0, even at inf
        return np.where(weight == 0, 0, weight * loss)


def _sparse_terms(
    x: Array,
    axis: int,
    codes: Array,
    mask: Array | None,
    weights: Array | None,
    want_uniform: bool,
) -> tuple[Array, Array, Array | None]:
    """The terms of :func:`_kernels.sparse_softmax_ce_terms_rows`, block by block (the
    mask is read block by block too: no full-size masked copy of the logits)."""
    rows = as_rows(x, axis)
    mask_rows = None if mask is None else as_rows(mask, axis)
    flat_codes = codes.reshape(-1)
    bound = unshifted_bound(x.dtype, x.shape[axis])
    n = rows.shape[0]
    ce, lse = np.empty(n, x.dtype), np.empty(n, x.dtype)
    uniform = np.empty(n, x.dtype) if want_uniform else None
    for block in row_blocks(*rows.shape):
        block_ce, block_lse, block_uniform = sparse_softmax_ce_terms_rows(
            rows[block],
            flat_codes[block],
            bound,
            weights,
            want_uniform,
            None if mask_rows is None else mask_rows[block],
        )
        ce[block], lse[block] = block_ce, block_lse
        if uniform is not None and block_uniform is not None:
            uniform[block] = block_uniform
    shape = codes.shape
    return (
        ce.reshape(shape),
        lse.reshape(shape),
        (None if uniform is None else uniform.reshape(shape)),
    )


def _smoothed_and_counted(
    per_example: Array,
    counted: Array,
    x: Array,
    axis: int,
    smoothing: float,
    z_loss: float,
    weights: Array | None,
    live: Array | None,
    ignored: Array | None,
) -> tuple[Array, Array]:
    """Add the uniform part of label smoothing and the z-loss, then zero the examples
    that do not count (ignored targets, fully masked rows)."""
    if smoothing:

        def uniform_rows(rows: Array) -> Array:
            return uniform_surprise_rows(rows, weights)

        uniform = reduce_rows_in_blocks(uniform_rows, x.dtype, axis, x) / x.shape[axis]
        with np.errstate(invalid="ignore"):  # 0 x inf: a smoothing of 1 ignores the label
            kept = np.where(smoothing == 1, 0, (1 - smoothing) * per_example)
        per_example = kept + smoothing * uniform
    if z_loss:
        with np.errstate(invalid="ignore"):
            lse = reduce_rows_in_blocks(logsumexp_rows, x.dtype, axis, x)
        with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: inf
            per_example = per_example + z_loss * lse * lse
    excluded = ignored if live is None else (~live if ignored is None else ignored | ~live)
    if excluded is not None:
        per_example = np.where(excluded, 0, per_example).astype(x.dtype, copy=False)
        counted = np.where(excluded, 0, counted).astype(x.dtype, copy=False)
    return per_example, counted


def _categorical_from_logits(
    y_true: ArrayLike,
    logits: ArrayLike,
    axis: Any,
    smoothing: float,
    z_loss: float,
    class_weight: ArrayLike | None,
    where: ArrayLike | None,
) -> tuple[Array, Array]:
    """Per-example losses and their weights in the mean, from logits and target rows."""
    y, x = as_float_arrays((y_true, "y_true"), (logits, "y_pred"))
    check_same_shape(y, x, "y_true", "y_pred")
    x, axis, live = as_masked_logits(x, axis, where, "y_pred")
    check_in_unit_interval(y, "y_true")
    check_sums_to_one(y, "y_true", axis)
    n_classes = x.shape[axis]
    weights = as_class_weight(class_weight, n_classes, x.dtype)
    z = y if weights is None else y * _along(weights, axis, y.ndim)
    per_example = reduce_rows_in_blocks(softmax_cross_entropy_rows, x.dtype, axis, z, x)
    counted = np.ones_like(per_example)  # PyTorch: probability targets divide by N
    return _smoothed_and_counted(
        per_example, counted, x, axis, smoothing, z_loss, weights, live, None
    )


def _binary_from_logits(
    y_true: ArrayLike,
    logits: ArrayLike,
    smoothing: float,
    pos_weight: ArrayLike | None,
    where: ArrayLike | None,
) -> tuple[Array, Array]:
    """Elementwise losses and their weights in the mean, from logits and 0/1 (or soft) labels."""
    z, x = as_float_arrays((y_true, "y_true"), (logits, "y_pred"))
    check_same_shape(z, x, "y_true", "y_pred")
    check_in_unit_interval(z, "y_true")
    check_logits(x, "y_pred")
    mask = as_mask(where, x.shape, None)
    if smoothing:
        z = z * (1 - smoothing) + smoothing / 2  # Keras: towards 1/2 from both sides
    q = None if pos_weight is None else as_pos_weight(pos_weight, x)
    with np.errstate(invalid="ignore"):  # -inf logits: fixed below
        per_element = sigmoid_cross_entropy(z, x, q)
    impossible = np.isneginf(x)
    if impossible.any():
        # sigma(-inf) = 0: no loss for a label of 0, an infinite one for any positive label.
        per_element[impossible] = np.where(z[impossible] == 0, 0, np.inf)
    counted = np.ones_like(per_element)
    if mask is not None:
        per_element = np.where(mask, per_element, 0).astype(x.dtype, copy=False)
        counted = mask.astype(x.dtype)
    return per_element, counted
