r"""Activations that turn scores (logits) into probabilities, computed stably.

Chapter 1 of the book, *From scores to probabilities*, derives each of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._blocks import elementwise_in_blocks, reduce_rows_in_blocks
from ._validation import (
    as_float_array,
    check_class_axis,
    check_no_nan,
    check_option,
    no_nan_by_blocks,
)

__all__ = ["sigmoid", "log_sigmoid", "softmax", "log_softmax", "logsumexp"]


# ------------------------------------------------------------------ validation


def _check_scores(
    x: ArrayLike, name: str, axis: Any, allow_pos_inf: bool
) -> tuple[NDArray[Any], int, bool]:
    """Float array, normalised axis, and whether every score is finite; raise on
    NaN, and on +inf or all -inf slices unless ``allow_pos_inf``."""
    arr = as_float_array(x, name)
    axis = check_class_axis(arr, name, axis)
    # One sum is the fast pass for finite input (NaN and +-inf make it non-finite);
    # only then the maximum along the axis, slow over short rows, sorts things out.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return arr, axis, True
    check_no_nan(arr, name)
    m = np.max(arr, axis=axis)
    if not allow_pos_inf and np.isposinf(m).any():
        raise ValueError(
            f"{name} contains +inf, for which the softmax is undefined (inf / inf); "
            f"clip {name} to a finite range first."
        )
    if not allow_pos_inf and np.isneginf(m).any():
        raise ValueError(
            f"{name} has a slice along axis {axis} whose entries are all -inf, so the "
            "softmax of that slice is undefined (0 / 0); give every slice at least "
            "one finite score."
        )
    return arr, axis, False


# ---------------------------------------------------------------------- public


def sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logistic sigmoid, computed without overflow.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} =
        \begin{cases}
            \dfrac{1}{1 + e^{-x}} & x \ge 0 \\[1ex]
            \dfrac{e^{x}}{1 + e^{x}} & x < 0
        \end{cases}

    Parameters
    ----------
    x : array_like
        Scores (logits), any shape. Integer input is promoted to float64.

    Returns
    -------
    ndarray
        :math:`\sigma(x)` elementwise, same shape and float dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is empty or contains NaN.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    Both branches only ever evaluate :math:`e^{-|x|} \le 1`, so nothing
    overflows: ``sigmoid(-1000.0)`` is ``exp(-1000)`` rounded to 0, with no
    warning, and ``sigmoid(1000.0)`` is exactly 1.

    See Also
    --------
    log_sigmoid : :math:`\log \sigma(x)`, accurate where ``sigmoid`` rounds to 0 or 1.
    softmax : the multi-class generalisation.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import sigmoid
    >>> print(np.round(sigmoid([-2.0, 0.0, 2.0]), 4))
    [0.1192 0.5    0.8808]
    >>> print(sigmoid(-800.0), sigmoid(800.0))
    0.0 1.0
    """
    arr = as_float_array(x, "x")
    return elementwise_in_blocks(
        _kernels.sigmoid, arr.shape, arr.dtype, arr, checks=[no_nan_by_blocks(arr, "x", 0)]
    )


def log_sigmoid(x: ArrayLike) -> NDArray[np.floating[Any]]:
    r"""Logarithm of the sigmoid, :math:`\log \sigma(x) = -\log(1 + e^{-x})`.

    .. math::

        \log \sigma(x) = \min(x, 0) - \log\left(1 + e^{-|x|}\right)

    Parameters
    ----------
    x : array_like
        Scores (logits), any shape.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``x``; every value is :math:`\le 0`.

    Raises
    ------
    ValueError
        If ``x`` is empty or contains NaN.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    The naive ``np.log(sigmoid(x))`` returns ``-inf`` once ``sigmoid(x)`` rounds
    to 0 (``x < -745`` in float64) and 0 once it rounds to 1 (``x > 37``), where
    the true value is about ``-exp(-x)``. The identity above uses ``log1p`` of
    :math:`e^{-|x|} \le 1`, so both tails keep their relative accuracy.
    Also :math:`\log(1 - \sigma(x)) = \log \sigma(-x)`.

    See Also
    --------
    sigmoid
    log_softmax : the multi-class counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import log_sigmoid, sigmoid
    >>> with np.errstate(divide="ignore"):
    ...     naive = np.log(sigmoid(-1000.0))
    >>> print(naive, log_sigmoid(-1000.0))
    -inf -1000.0
    >>> print(f"{log_sigmoid(50.0):.6e}")  # -exp(-50); the naive way gives 0.0
    -1.928750e-22
    """
    arr = as_float_array(x, "x")
    return elementwise_in_blocks(
        _kernels.log_sigmoid, arr.shape, arr.dtype, arr, checks=[no_nan_by_blocks(arr, "x", 0)]
    )


def softmax(x: ArrayLike, *, axis: int = -1) -> NDArray[np.floating[Any]]:
    r"""Softmax: exponentiate the scores and normalise them to sum to 1.

    .. math::

        \operatorname{softmax}(x)_j = \frac{e^{x_j}}{\sum_k e^{x_k}}
        = \frac{e^{x_j - m}}{\sum_k e^{x_k - m}}, \qquad m = \max_k x_k

    Parameters
    ----------
    x : array_like
        Scores (logits). Classes lie along ``axis``; for a batch, shape ``(N, C)``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Probabilities, same shape and float dtype as ``x``, summing to 1 along ``axis``.

    Raises
    ------
    ValueError
        If ``x`` is empty, contains NaN or +inf, has a slice of all ``-inf``, or
        ``axis`` is out of range.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    Subtracting the maximum changes nothing mathematically (the factor
    :math:`e^{-m}` cancels) but keeps every exponent :math:`\le 0`, so
    ``np.exp`` cannot overflow and the largest term is exactly 1. When every
    score of a block of rows lies within :math:`\pm b` (:math:`b \approx 353`
    in float64, :math:`\approx 42` in float32) the shift is skipped: every
    :math:`e^{x_j}` is then a normal float and the quotient is as accurate,
    without the search for each row's maximum (chapter 9). ``-inf`` scores are
    allowed (they mask a class: probability 0).

    See Also
    --------
    log_softmax : log-probabilities, accurate where ``softmax`` underflows.
    sigmoid : the two-class special case, :math:`\operatorname{softmax}(a, b)_1 = \sigma(a - b)`.

    Examples
    --------
    The three scores of the CSDN article :cite:p:`csdn2022softmax`:

    >>> import numpy as np
    >>> from xentlab import softmax
    >>> print(np.round(softmax([3.0, 1.0, -3.0]), 4))
    [0.8789 0.119  0.0022]

    Scores in the thousands overflow the naive formula but not this one:

    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     naive = np.exp([1000.0, 1001.0]) / np.exp([1000.0, 1001.0]).sum()
    >>> print(naive, np.round(softmax([1000.0, 1001.0]), 4))
    [nan nan] [0.2689 0.7311]
    """
    arr, axis, _ = _check_scores(x, "x", axis, allow_pos_inf=False)
    return _kernels.softmax(arr, axis)


def log_softmax(x: ArrayLike, *, axis: int = -1) -> NDArray[np.floating[Any]]:
    r"""Log of the softmax, computed through log-sum-exp.

    .. math::

        \log \operatorname{softmax}(x)_j = x_j - \log \sum_k e^{x_k}
        = (x_j - m) - \log\Bigl(1 + \sum_{k \ne k^*} e^{x_k - m}\Bigr)

    where :math:`m = x_{k^*}` is the maximum score.

    Parameters
    ----------
    x : array_like
        Scores (logits), classes along ``axis``.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Log-probabilities (all :math:`\le 0`), same shape and float dtype as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is empty, contains NaN or +inf, has a slice of all ``-inf``, or
        ``axis`` is out of range.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    ``np.log(softmax(x))`` is ``-inf`` as soon as a probability underflows to
    0, and exactly 0 for a probability within half an ulp of 1. Splitting off
    the maximum's own term (exactly 1) and using ``log1p`` for the rest keeps
    both ends accurate: the log-probability of a dominant class is
    :math:`-\log(1 + \epsilon) \approx -\epsilon` even for :math:`\epsilon = 10^{-200}`.

    See Also
    --------
    softmax
    logsumexp
    log_sigmoid : the two-class counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import log_softmax, softmax
    >>> x = np.array([0.0, 800.0])
    >>> with np.errstate(divide="ignore"):
    ...     naive = np.log(softmax(x))
    >>> print(naive, log_softmax(x))
    [-inf   0.] [-800.   -0.]
    >>> print(f"{log_softmax([0.0, 50.0])[1]:.6e}")  # -exp(-50), not 0
    -1.928750e-22
    """
    arr, axis, _ = _check_scores(x, "x", axis, allow_pos_inf=False)
    return _kernels.log_softmax(arr, axis)


def logsumexp(
    x: ArrayLike, *, axis: int = -1, keepdims: bool = False
) -> NDArray[np.floating[Any]] | np.floating[Any]:
    r"""Log of the sum of exponentials, without overflow or underflow.

    .. math::

        \operatorname{logsumexp}(x) = \log \sum_k e^{x_k}
        = m + \log\Bigl(1 + \sum_{k \ne k^*} e^{x_k - m}\Bigr), \qquad m = x_{k^*} = \max_k x_k

    Parameters
    ----------
    x : array_like
        Values, reduced along ``axis``.
    axis : int, default -1
        The axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1 (handy for broadcasting).

    Returns
    -------
    ndarray or numpy scalar
        Same float dtype as ``x``. ``-inf`` for a slice of all ``-inf``; ``+inf``
        if the slice holds ``+inf``.

    Raises
    ------
    ValueError
        If ``x`` is empty, contains NaN, or ``axis`` is out of range.
    TypeError
        If ``x`` is not numeric.

    Notes
    -----
    This is the normaliser of the softmax: ``log_softmax(x) = x - logsumexp(x, keepdims=True)``.
    Unlike ``scipy.special.logsumexp`` it takes a single axis (the class axis)
    and no weights ``b``.

    See Also
    --------
    log_softmax
    scipy.special.logsumexp

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import logsumexp
    >>> print(f"{logsumexp([1000.0, 1000.0]):.6f}")  # 1000 + log 2
    1000.693147
    >>> with np.errstate(over="ignore"):
    ...     print(np.log(np.sum(np.exp([1000.0, 1000.0]))))
    inf
    """
    arr, axis, finite = _check_scores(x, "x", axis, allow_pos_inf=True)
    keepdims = check_option("keepdims", keepdims, choices=(True, False))
    # A row holding +inf is shifted by 0, so inf - inf is nan and a large finite
    # entry can overflow exp; both are replaced by the row's +inf just below.
    with np.errstate(invalid="ignore", over="ignore"):
        out = reduce_rows_in_blocks(_kernels.logsumexp_rows, arr.dtype, axis, arr)
    if not finite:
        # A slice holding +inf sums to +inf whatever the rest is.
        m = np.max(arr, axis=axis)
        out = np.where(np.isposinf(m), m, out)
    result: NDArray[np.floating[Any]] = np.expand_dims(out, axis) if keepdims else out
    return result[()]
