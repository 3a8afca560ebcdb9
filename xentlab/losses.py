r"""Classification losses on probabilities and scores, with reductions.

Each loss computes a per-example value, then reduces it: ``reduction="mean"``
(the default), ``"sum"`` or ``"none"``, optionally weighted by
``sample_weight`` (one non-negative weight per example, along axis 0).
Chapters 3 (binary), 4 (categorical) and 6 (hinge) of the book derive them.
"""

import warnings

import numpy as np

from ._blocks import as_rows, elementwise_in_blocks, reduce_rows_in_blocks
from ._validation import (
    as_class_labels,
    as_float_array,
    as_float_arrays,
    as_sample_weight,
    block_check,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_nonnegative_scalar,
    check_reduction,
    check_same_shape,
    check_sums_to_one,
    probability_row_blocks,
    reduce_loss,
)
from .information import _xlogy

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "log_loss",
    "mean_squared_error",
    "hinge_loss",
    "multiclass_hinge_loss",
]


# --------------------------------------------------------------------- kernels


def _binary_cross_entropy(y, p):
    # log(1 - p) as log1p(-p): exact for small p, where 1 - p would round.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_not_p = np.log1p(-p)
        # "0 - ..." rather than "-(...)": a perfect prediction costs +0.0, not -0.0.
        return 0.0 - (_xlogy(y, p) + np.where(y == 1, 0, (1 - y) * log_not_p))


def _categorical_cross_entropy(y, p, smoothing, weights, eps):
    # On a (rows, C) block; label smoothing, class weights and clipping are applied
    # block by block too, so no full-size smoothed or weighted target is ever formed.
    if smoothing:
        y = (1 - smoothing) * y + smoothing / y.shape[1]
    if weights is not None:
        y = y * weights
    return 0.0 - _xlogy(y, _clip(p, eps)).sum(axis=1)  # +0.0, not -0.0, for a perfect prediction


def _sparse_categorical_cross_entropy(labels, p, axis):
    p_true = np.take_along_axis(p, np.expand_dims(labels, axis), axis=axis)
    with np.errstate(divide="ignore"):
        return 0.0 - np.log(np.squeeze(p_true, axis=axis))  # +0.0, not -0.0, at p = 1


def _multiclass_hinge(labels, scores, axis, margin, squared):
    index = np.expand_dims(labels, axis)
    s_true = np.take_along_axis(scores, index, axis=axis)
    margins = np.maximum(0, scores - s_true + margin)
    np.put_along_axis(margins, index, 0, axis=axis)  # the sum skips j = y
    if squared:
        margins = margins * margins
    return margins.sum(axis=axis)


# ------------------------------------------------------------------ helpers


def _check_probabilities(y_true, y_pred, axis=None):
    """Float arrays of the same shape and dtype; y_pred in [0, 1]."""
    y_true, y_pred = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    check_in_unit_interval(y_true, "y_true")
    check_in_unit_interval(y_pred, "y_pred")
    return y_true, y_pred


def _check_eps(eps):
    if eps is None:
        return None
    eps = check_nonnegative_scalar(eps, "eps")
    if eps >= 0.5:
        raise ValueError(
            f"eps must be in [0, 0.5), got {eps!r}; typical values are 1e-7 to 1e-15."
        )
    return eps


def _clip(p, eps):
    return p if eps is None else np.clip(p, eps, 1 - eps)


def _check_label_smoothing(label_smoothing):
    value = check_nonnegative_scalar(label_smoothing, "label_smoothing")
    if value > 1:
        raise ValueError(
            f"label_smoothing must be in [0, 1], got {label_smoothing!r}; 0.1 is typical."
        )
    return value


def _finish(per_example, reduction, sample_weight):
    check_reduction(reduction)
    n = per_example.shape[0] if per_example.ndim else 1
    w = as_sample_weight(sample_weight, n, per_example.dtype)
    if w is not None and per_example.ndim == 0:
        raise ValueError(
            "sample_weight needs a batch: the inputs hold a single example; pass a "
            "batch of shape (N, ...) or drop sample_weight."
        )
    return reduce_loss(per_example, reduction, w)[()]


def _check_class_weight(class_weight, n_classes, dtype):
    """One finite, non-negative weight per class, or ``None``."""
    if class_weight is None:
        return None
    w = as_float_array(class_weight, "class_weight", dtype=dtype)
    if w.shape != (n_classes,):
        raise ValueError(
            f"class_weight must have one weight per class, shape ({n_classes},), got "
            f"shape {w.shape}."
        )
    check_finite(w, "class_weight")
    if (w < 0).any():
        where = int(np.flatnonzero(w < 0)[0])
        raise ValueError(
            f"class_weight must be non-negative, but class_weight[{where}] = {w[where]!r}; "
            "a common choice is n_samples / (n_classes * np.bincount(y))."
        )
    return w


def _along(weights, axis, ndim):
    # Shape (1, ..., C, ..., 1): one weight per class, broadcast along ``axis``.
    shape = [1] * ndim
    shape[axis] = weights.size
    return weights.reshape(shape)


def _finish_class_weighted(weighted, true_weight, reduction, sample_weight):
    """Reduce losses already multiplied by class weights, PyTorch's way.

    ``"mean"`` divides by the total weight of the true classes,
    ``sum_i s_i w[y_i]`` (``s`` the sample weights, 1 if not given).
    """
    if reduction != "mean":
        return _finish(weighted, reduction, sample_weight)
    total = _finish(np.broadcast_to(true_weight, weighted.shape), "sum", sample_weight)
    if total == 0:
        raise ValueError(
            "the class weights of the true classes (times sample_weight) sum to zero, so "
            "the weighted mean is undefined; give some true class a positive weight or "
            "use reduction='sum'."
        )
    return _finish(weighted, "sum", sample_weight) / total


# ---------------------------------------------------------------------- public


def binary_cross_entropy(y_true, y_pred, *, reduction="mean", sample_weight=None, eps=None):
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
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the elementwise losses (same shape as the inputs).
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example (along axis 0); ``"mean"`` becomes the
        weighted mean.
    eps : float, optional
        If given, clip ``y_pred`` to ``[eps, 1 - eps]`` first (what Keras does with
        ``eps=1e-7``). By default nothing is clipped and a confident wrong answer
        (``p = 0`` for ``y = 1``) costs ``inf``, its true value.

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
    y_true, y_pred = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    eps = _check_eps(eps)
    per_element = elementwise_in_blocks(
        lambda y, p: _binary_cross_entropy(y, _clip(p, eps)), y_pred.shape, y_pred.dtype,
        y_true, y_pred,
        checks={0: block_check(check_in_unit_interval, y_true, "y_true"),
                1: block_check(check_in_unit_interval, y_pred, "y_pred")},
    )
    return _finish(per_element, reduction, sample_weight)


def categorical_cross_entropy(
    y_true, y_pred, *, axis=-1, reduction="mean", sample_weight=None, eps=None,
    label_smoothing=0.0, class_weight=None,
):
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
    y_true, y_pred = _check_probabilities(y_true, y_pred)
    axis = check_class_axis(y_pred, "y_pred", axis)
    smoothing = _check_label_smoothing(label_smoothing)
    check_sums_to_one(y_true, "y_true", axis)
    check_sums_to_one(y_pred, "y_pred", axis)
    weights = _check_class_weight(class_weight, y_true.shape[axis], y_true.dtype)
    eps = _check_eps(eps)
    per_example = reduce_rows_in_blocks(
        lambda y, p: _categorical_cross_entropy(y, p, smoothing, weights, eps),
        y_pred.dtype, axis, y_true, y_pred,
    )
    return _finish(per_example[()], reduction, sample_weight)


def sparse_categorical_cross_entropy(
    y_true, y_pred, *, axis=-1, reduction="mean", sample_weight=None, eps=None,
    label_smoothing=0.0, class_weight=None,
):
    r"""Categorical cross-entropy with integer class labels.

    .. math::

        \ell(y, p) = -\log p_{y}, \qquad y \in \{0, 1, \dots, C - 1\}

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)`` (``y_pred``'s shape without ``axis``).
    y_pred : array_like
        Predicted probabilities, shape ``(N, C)``.
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
    """
    y_pred = as_float_array(y_pred, "y_pred")
    axis = check_class_axis(y_pred, "y_pred", axis)
    check_in_unit_interval(y_pred, "y_pred")
    check_sums_to_one(y_pred, "y_pred", axis)
    n_classes = y_pred.shape[axis]
    batch_shape = y_pred.shape[:axis] + y_pred.shape[axis + 1 :]
    labels = as_class_labels(y_true, "y_true", n_classes, batch_shape)
    smoothing = _check_label_smoothing(label_smoothing)
    y_pred = _clip(y_pred, _check_eps(eps))
    per_example = _sparse_categorical_cross_entropy(labels, y_pred, axis)
    weights = _check_class_weight(class_weight, n_classes, y_pred.dtype)
    if weights is not None:
        true_weight = weights[labels]
        # A class of weight 0 costs 0, even where its -log p is inf.
        with np.errstate(invalid="ignore"):
            per_example = np.where(true_weight == 0, 0, true_weight * per_example)
    if smoothing:
        with np.errstate(divide="ignore"):
            surprise = -np.log(y_pred)
        if weights is not None:
            w = _along(weights, axis, y_pred.ndim)
            with np.errstate(invalid="ignore"):
                surprise = np.where(w == 0, 0, w * surprise)
        per_example = (1 - smoothing) * per_example + smoothing * surprise.mean(axis=axis)
    if weights is None:
        return _finish(per_example, reduction, sample_weight)
    return _finish_class_weighted(per_example, true_weight, reduction, sample_weight)


def log_loss(y_true, y_pred, *, normalize=True, sample_weight=None, labels=None):
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
    y_pred = as_float_array(y_pred, "y_pred")
    if y_pred.ndim not in (1, 2):
        raise ValueError(
            f"y_pred must have shape (N,) or (N, C), got shape {y_pred.shape}."
        )
    y_true = np.asarray(y_true)
    n = y_pred.shape[0]
    if y_true.ndim == 2 and y_true.shape[1] == 1:
        # A column of labels, as scikit-learn reads it (not a 1-class indicator).
        y_true = y_true[:, 0]
    if y_true.ndim not in (1, 2) or y_true.shape[0] != n:
        raise ValueError(
            f"y_true must have shape ({n},) (labels) or ({n}, C) (indicator matrix) to "
            f"match y_pred of shape {y_pred.shape}, got shape {y_true.shape}."
        )
    if not isinstance(normalize, (bool, np.bool_)):
        raise TypeError(f"normalize must be True or False, got {normalize!r}.")
    weights = as_sample_weight(sample_weight, n, np.float64)

    if y_pred.ndim == 1 or y_pred.shape[1] == 1:
        # One column: the probability of the positive (larger) label.
        check_in_unit_interval(y_pred, "y_pred")
        positive = y_pred.reshape(-1)
        y_pred = np.stack([1 - positive, positive], axis=1)

    if y_true.ndim == 2:
        check_in_unit_interval(y_pred, "y_pred")
        check_sums_to_one(y_pred, "y_pred", axis=1)
        indicator = as_float_array(y_true, "y_true", dtype=y_pred.dtype)
        if indicator.shape[1] != y_pred.shape[1]:
            raise ValueError(
                f"y_true and y_pred contain different numbers of classes "
                f"{indicator.shape[1]}, {y_pred.shape[1]}."
            )
        if not np.isin(indicator, (0, 1)).all():
            raise ValueError(
                "y_true as a 2-d array must be a 0/1 indicator matrix; for soft targets "
                "use categorical_cross_entropy."
            )
        eps = np.finfo(y_pred.dtype).eps
        # Clip in y_pred's dtype, take the log in float64: scikit-learn's order.
        clipped = np.clip(y_pred, eps, 1 - eps).astype(np.float64)
        per_example = -_xlogy(indicator.astype(np.float64), clipped).sum(axis=1)
    else:
        codes = _label_codes(y_true, labels, y_pred.shape[1])
        y_pred = as_rows(y_pred, 1)
        # Gather p[i, y_i] through the flat index: O(N) work, no one-hot matrix. Each
        # block's values are gathered right after its checks, while it is in the cache:
        # one pass through y_pred for the checks and the loss, not three.
        p_true = np.empty(n, y_pred.dtype)
        for rows, block in probability_row_blocks(y_pred, "y_pred"):
            index = np.arange(0, block.size, block.shape[1]) + codes[rows]
            # The codes are in [0, C), so every index is in range: mode="wrap" skips
            # take's bounds check (a third of its time), and changes nothing.
            block.ravel().take(index, out=p_true[rows], mode="wrap")
        eps = np.finfo(y_pred.dtype).eps
        p_true = np.clip(p_true, eps, 1 - eps, out=p_true).astype(np.float64, copy=False)
        per_example = np.log(p_true, out=p_true)  # p_true is a fresh array: log in place
        np.negative(per_example, out=per_example)

    if weights is None:
        total = per_example.sum()
        return float(total / n) if normalize else float(total)
    total = np.dot(per_example, weights)
    return float(total / weights.sum()) if normalize else float(total)


def _label_codes(y_true, labels, n_columns):
    """Position of each label of ``y_true`` in the sorted label set, as scikit-learn."""
    if labels is None:
        classes = _unique_labels(y_true)
        if classes.size == 1:
            raise ValueError(
                f"y_true contains only one label ({classes[0].item()!r}). Please provide the list "
                "of all expected class labels explicitly through the labels argument."
            )
    else:
        given = np.asarray(labels)
        classes = np.unique(given)
        if classes.size < 2:
            raise ValueError(
                f"labels needs to contain at least two labels, got {given.tolist()!r}."
            )
        if classes.size != given.size or not np.array_equal(classes, given):
            warnings.warn(
                f"labels passed were {given.tolist()!r}, but the columns of y_pred are "
                f"taken in sorted order {classes.tolist()!r}; pass labels sorted and order "
                "the columns of y_pred the same way.",
                UserWarning,
                stacklevel=3,
            )
        unknown = ~np.isin(y_true, classes)
        if unknown.any():
            raise ValueError(
                f"y_true contains labels {sorted(set(np.asarray(y_true)[unknown].tolist()))!r} "
                f"that are not in labels {given.tolist()!r}; add them to labels."
            )
    if classes.size != n_columns:
        found = "labels" if labels is not None else "y_true"
        raise ValueError(
            f"y_true and y_pred contain different numbers of classes {classes.size}, "
            f"{n_columns}. Classes found in {found}: {classes.tolist()!r}. Please provide "
            "the true labels explicitly through the labels argument."
        )
    if classes.dtype.kind in "iu" and classes[0] == 0 and classes[-1] == classes.size - 1:
        return np.asarray(y_true)  # labels 0..C-1 are their own positions: skip the search
    return np.searchsorted(classes, y_true)


def _unique_labels(y_true):
    """``np.unique(y_true)``, by counting when the labels are small non-negative ints."""
    y = np.asarray(y_true)
    if y.dtype.kind in "iu" and y.size and y.min() >= 0 and y.max() < 2 * y.size + 1024:
        # A count per value is O(N + max), against the O(N log N) sort of np.unique.
        return np.flatnonzero(np.bincount(y.ravel())).astype(y.dtype)
    return np.unique(y)


def mean_squared_error(y_true, y_pred, *, reduction="mean", sample_weight=None):
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
    y_true, y_pred = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    check_finite(y_true, "y_true")
    check_finite(y_pred, "y_pred")
    diff = y_true - y_pred
    return _finish(diff * diff, reduction, sample_weight)


def hinge_loss(y_true, scores, *, reduction="mean", sample_weight=None):
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
    values = np.unique(y)
    if not (set(values.tolist()) <= {-1.0, 1.0} or set(values.tolist()) <= {0.0, 1.0}):
        raise ValueError(
            f"y_true must hold binary labels in {{-1, +1}} or {{0, 1}}, got the values "
            f"{values.tolist()[:10]!r}; for more than two classes use multiclass_hinge_loss."
        )
    y = np.where(y == 0, -1, y).astype(s.dtype, copy=False)
    return _finish(np.maximum(0, 1 - y * s), reduction, sample_weight)


def multiclass_hinge_loss(
    y_true, scores, *, margin=1.0, squared=False, axis=-1, reduction="mean",
    sample_weight=None,
):
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
    margin = check_nonnegative_scalar(margin, "margin")
    if not isinstance(squared, (bool, np.bool_)):
        raise TypeError(f"squared must be True or False, got {squared!r}.")
    batch_shape = s.shape[:axis] + s.shape[axis + 1 :]
    labels = as_class_labels(y_true, "y_true", s.shape[axis], batch_shape)
    per_example = _multiclass_hinge(labels, s, axis, s.dtype.type(margin), bool(squared))
    return _finish(per_example, reduction, sample_weight)
