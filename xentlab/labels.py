r"""Target encodings: one-hot vectors and label smoothing.

Chapter 8 of the book, *Beyond the articles*, uses them to show that a smoothed
cross-entropy is the plain cross-entropy against a mixed target.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._validation import (
    as_class_labels,
    as_float_array,
    check_in_unit_interval,
    check_ndim_at_least,
    check_option,
    show_with_type,
)

__all__ = ["one_hot", "smooth_labels"]


# --------------------------------------------------------------------- kernels


def _one_hot(codes: NDArray[np.intp], n_classes: int, dtype: np.dtype[Any]) -> NDArray[Any]:
    # Comparing against 0..C-1 broadcasts each label into its own row of C flags.
    return (codes[..., np.newaxis] == np.arange(n_classes)).astype(dtype)


def _smooth_labels(labels: NDArray[np.floating[Any]], e: np.floating[Any]) -> NDArray[Any]:
    # Mix the target with the uniform distribution over the C classes.
    return (1 - e) * labels + e / labels.shape[-1]


# ------------------------------------------------------------------ validation


def _check_dtype(dtype: Any) -> np.dtype[Any]:
    try:
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype must be a NumPy dtype, got {show_with_type(dtype)}; "
            "np.float64 or np.float32 are the usual choices."
        ) from None
    if result.kind not in "biuf":
        raise TypeError(
            f"dtype must be a numeric dtype (float, int or bool), got {result}; "
            "np.float64 or np.float32 are the usual choices."
        )
    return result


def _shape_of_labels(labels: ArrayLike) -> tuple[int, ...]:
    try:
        return np.shape(labels)
    except ValueError:  # ragged nested lists: as_class_labels says so, naming labels
        return ()


# ---------------------------------------------------------------------- public


def one_hot(labels: ArrayLike, n_classes: int, *, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    r"""One-hot encode integer class labels along a new last axis.

    .. math::

        \operatorname{onehot}(y)_j =
        \begin{cases} 1 & j = y \\ 0 & j \ne y \end{cases},
        \qquad j = 0, \dots, C - 1

    Parameters
    ----------
    labels : array_like of int
        Class indices in ``[0, C)``, any shape (``(N,)`` for a batch). Floats are
        accepted when they are whole numbers.
    n_classes : int
        The number of classes :math:`C \ge 1`.
    dtype : dtype, default np.float64
        The dtype of the result; pass ``np.float32`` to feed float32 losses.

    Returns
    -------
    ndarray
        Shape ``labels.shape + (n_classes,)``.

    Raises
    ------
    ValueError
        If a label is outside ``[0, n_classes)`` or fractional, or ``n_classes < 1``.
    TypeError
        If the labels are not numbers, ``n_classes`` is not an int, or ``dtype`` is
        not a numeric dtype.

    See Also
    --------
    smooth_labels : mix a one-hot target with the uniform distribution.
    sparse_categorical_cross_entropy : takes the integer labels directly.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import one_hot
    >>> print(one_hot([2, 0, 1], 3))
    [[0. 0. 1.]
     [1. 0. 0.]
     [0. 1. 0.]]
    >>> print(one_hot([1, 0], 2, dtype=np.float32).dtype)
    float32
    """
    n_classes = check_option(
        "n_classes",
        n_classes,
        integer=True,
        low=1,
        hint="pass the number of classes, for example int(labels.max()) + 1.",
    )
    codes = as_class_labels(labels, "labels", n_classes, _shape_of_labels(labels))
    return _one_hot(codes, n_classes, _check_dtype(dtype))


def smooth_labels(labels: ArrayLike, e: float) -> NDArray[np.floating[Any]]:
    r"""Label smoothing: mix each target with the uniform distribution.

    .. math::

        \tilde y = (1 - \varepsilon)\, y + \frac{\varepsilon}{C}

    where :math:`C` is the size of the last axis (the semantics of
    ``optax.smooth_labels``). A one-hot target keeps
    :math:`1 - \varepsilon + \varepsilon / C` on the true class and gives
    :math:`\varepsilon / C` to every other class.

    Parameters
    ----------
    labels : array_like
        One-hot labels or target distributions, classes along the last axis.
    e : float
        The smoothing :math:`\varepsilon \in [0, 1]`; 0 returns the labels,
        1 the uniform distribution.

    Returns
    -------
    ndarray
        Same shape as ``labels``, float dtype (float32 stays float32).

    Raises
    ------
    ValueError
        If a label is NaN or outside [0, 1], or ``e`` is outside [0, 1].
    TypeError
        If ``labels`` is not numeric or ``e`` is not a real number.

    Notes
    -----
    Cross-entropy is linear in the target, so the cross-entropy against
    :math:`\tilde y` is :math:`(1 - \varepsilon)` times the plain loss plus
    :math:`\varepsilon` times the mean of :math:`-\log p_j` over the classes:
    that is how the ``label_smoothing=`` option of
    :func:`~xentlab.categorical_cross_entropy` (and PyTorch's and Keras's) computes it.

    See Also
    --------
    one_hot : build the one-hot target from integer labels.
    categorical_cross_entropy : its ``label_smoothing=`` option gives the same loss.

    Examples
    --------
    >>> from xentlab import smooth_labels
    >>> print(smooth_labels([[0.0, 1.0, 0.0, 0.0]], 0.1))
    [[0.025 0.925 0.025 0.025]]
    """
    target = as_float_array(labels, "labels")
    check_ndim_at_least(target, "labels", 1)
    check_in_unit_interval(target, "labels")
    e = check_option("e", e, low=0, high=1, hint="0.1 is typical.")
    return _smooth_labels(target, target.dtype.type(e))
