r"""The Brier score: the squared error of predicted probabilities, a proper scoring rule.

Like the cross-entropy (the logarithmic score), the Brier score is minimised in
expectation by the true probabilities, so it rewards calibration; unlike it, a
confident wrong prediction costs at most 2, not ``inf``. Chapter 8 of the book,
*Beyond the articles*, compares the two as measures of calibration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._blocks import reduce_rows_in_blocks
from ._kernels import row_sum
from ._validation import (
    as_array,
    as_class_labels,
    as_float_array,
    as_float_arrays,
    batch_shape,
    check_class_axis,
    check_in_unit_interval,
    check_no_nan,
    check_reduction,
    check_sums_to_one,
    finish_loss,
    show,
)

__all__ = ["brier_score", "brier_score_grad"]

Array = NDArray[Any]
Loss = NDArray[np.floating[Any]] | np.floating[Any]


def _squared_error_rows(y: Array, p: Array) -> Array:
    d = p - y
    return row_sum(d * d)[:, 0]


def _targets(y_true: ArrayLike, y_prob: ArrayLike, axis: Any) -> tuple[Array, Array, int | None]:
    """Targets of ``y_prob``'s shape and dtype, the probabilities, and the class axis
    (``None`` for binary input: 1-d probabilities of the positive class)."""
    p = as_float_array(y_prob, "y_prob")
    check_in_unit_interval(p, "y_prob")
    y_arr = as_array(y_true, "y_true")
    if p.ndim == 1 and y_arr.shape == p.shape:
        y = as_float_array(y_true, "y_true", dtype=p.dtype)
        check_no_nan(y, "y_true")
        outside = (y < 0) | (y > 1)
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise ValueError(
                f"y_true must hold 0/1 labels (or probabilities of the positive class) for "
                f"binary input, but y_true[{i}] = {show(y[i])}; map labels such as "
                "{-1, 1} to {0, 1} first (y_true == positive_label)."
            )
        return y, p, None
    axis = check_class_axis(p, "y_prob", axis)
    check_sums_to_one(p, "y_prob", axis)
    if y_arr.shape == p.shape:
        y, p = as_float_arrays((y_true, "y_true"), (p, "y_prob"))
        check_in_unit_interval(y, "y_true")
        check_sums_to_one(y, "y_true", axis)
        return y, p, axis
    codes = as_class_labels(y_true, "y_true", p.shape[axis], batch_shape(p, axis))
    y = np.zeros_like(p)
    np.put_along_axis(y, np.expand_dims(codes, axis), 1, axis=axis)
    return y, p, axis


def brier_score(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Brier score of predicted probabilities (multi-class, or binary as scikit-learn).

    Multi-class, with :math:`y` one-hot (or a target distribution):

    .. math::

        \ell(y, p) = \sum_{j=1}^{C} (p_j - y_j)^2 \in [0, 2]

    Binary, with 1-d probabilities :math:`p = P(y = 1)` and labels in {0, 1}:
    :math:`\ell(y, p) = (p - y)^2 \in [0, 1]`, the score of
    :cite:t:`brier1950verification` as ``sklearn.metrics.brier_score_loss``
    computes it (half the two-column multi-class score).

    Parameters
    ----------
    y_true : array_like
        Integer class labels, shape ``y_prob.shape`` without ``axis``; or one-hot
        rows / target distributions of ``y_prob``'s shape; or, for binary input,
        0/1 labels (or probabilities of the positive class) of shape ``(N,)``.
    y_prob : array_like
        Predicted probabilities: shape ``(N, C)`` summing to 1 along ``axis``, or
        shape ``(N,)`` for binary input (:math:`P(y = 1)`). A single multi-class
        prediction must have shape ``(1, C)``: 1-d input is read as binary.
    axis : int, default -1
        The class axis (multi-class input).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns one score per example.
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example; ``"mean"`` becomes the weighted mean.

    Returns
    -------
    numpy scalar or ndarray
        In ``y_prob``'s float dtype.

    Raises
    ------
    ValueError
        If a probability or target is NaN or outside [0, 1], a label is out of
        range, shapes disagree, or an option is invalid.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If multi-class ``y_prob`` (or a target distribution) does not sum to 1.

    Notes
    -----
    The score is a sum of squares, with no logarithm and nothing to clip: it is
    bounded, so one confident mistake cannot dominate a mean as it does the
    cross-entropy. ``reduction="mean"`` equals
    ``sklearn.metrics.brier_score_loss(y_true, y_prob)`` for binary input and
    ``brier_score_loss(y_true, y_prob, labels=range(C))`` for ``(N, C)`` input.

    Chapter 8 of the book, *Beyond the articles*, uses it to measure calibration.

    See Also
    --------
    categorical_cross_entropy : the logarithmic score.
    expected_calibration_error : calibration alone.
    brier_score_grad : its gradient with respect to the probabilities.

    Examples
    --------
    >>> from xentlab import brier_score
    >>> p = [[0.7, 0.2, 0.1], [0.3, 0.6, 0.1]]
    >>> print(brier_score([0, 2], p, reduction="none").round(2))
    [0.14 1.26]
    >>> print(f"{brier_score([1, 0, 1], [0.9, 0.2, 0.6]):.4f}")  # binary
    0.0700
    """
    reduction = check_reduction(reduction)
    y, p, class_axis = _targets(y_true, y_prob, axis)
    if class_axis is None:
        d = p - y
        per_example = d * d
    else:
        per_example = reduce_rows_in_blocks(_squared_error_rows, p.dtype, class_axis, y, p)
    return finish_loss(per_example, reduction, sample_weight)


def brier_score_grad(
    y_true: ArrayLike, y_prob: ArrayLike, *, axis: int = -1
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`brier_score` (per example) with respect to the probabilities.

    .. math::

        \frac{\partial \ell}{\partial p_j} = 2 (p_j - y_j)

    (for binary input, :math:`2 (p - y)`). It is the gradient of ``reduction="sum"``.

    Parameters
    ----------
    y_true, y_prob, axis
        As :func:`brier_score`.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``y_prob``.

    Raises
    ------
    ValueError, TypeError
        As :func:`brier_score`.

    See Also
    --------
    brier_score
    categorical_cross_entropy_grad : the logarithmic score's :math:`-y / p`.

    Examples
    --------
    >>> from xentlab import brier_score_grad
    >>> print(brier_score_grad([0], [[0.75, 0.25]]))
    [[-0.5  0.5]]
    """
    y, p, _ = _targets(y_true, y_prob, axis)
    return 2 * (p - y)
