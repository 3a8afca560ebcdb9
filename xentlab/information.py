r"""Entropy, cross-entropy and Kullback-Leibler divergence of discrete distributions.

Chapter 2 of the book, *Information theory*, derives them and the identity
:math:`H(p, q) = H(p) + D_{\mathrm{KL}}(p \,\|\, q)` that ties them together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._blocks import reduce_rows_in_blocks
from ._kernels import xlogy
from ._validation import (
    as_float_array,
    as_float_arrays,
    check_base,
    check_class_axis,
    check_in_unit_interval,
    check_same_shape,
    check_sums_to_one,
)

__all__ = ["entropy", "cross_entropy", "kl_divergence"]

Array = NDArray[Any]
Result = NDArray[np.floating[Any]] | np.floating[Any]


# --------------------------------------------------------------------- kernels


# The kernels reduce each row of a (rows, C) block along axis 1 (the public
# functions run them block by block, so their temporaries stay block-sized).
# The sums below are of terms <= 0; "0 - sum" rather than "-sum" so that a
# certain outcome gives +0.0, not -0.0 (which would print as "-0.0000").


def _entropy(p: Array) -> Array:
    return 0.0 - xlogy(p, p).sum(axis=1)


def _cross_entropy(p: Array, q: Array) -> Array:
    return 0.0 - xlogy(p, q).sum(axis=1)


# Taylor coefficients of f(t) = (1 + t) log1p(t) - t = sum_{n >= 2} (-1)^n t^n / (n (n - 1)),
# highest first for Horner; 20 terms reach float64 precision for |t| < 0.1.
_KL_SERIES = np.array([(-1.0) ** n / (n * (n - 1)) for n in range(21, 1, -1)])


def _accurate_sum(x: Array, axis: int) -> Array:
    """Sum along ``axis`` as if in twice the precision (pairwise TwoSum, Knuth)."""
    x = np.moveaxis(x, axis, -1)
    carried = np.zeros(x.shape[:-1], x.dtype)
    while x.shape[-1] > 1:
        if x.shape[-1] % 2:  # pad to an even length; adding 0 is exact
            x = np.concatenate([x, np.zeros(x.shape[:-1] + (1,), x.dtype)], axis=-1)
        a, b = x[..., 0::2], x[..., 1::2]
        s = a + b
        # TwoSum: the exact rounding error of a + b, summed apart from the main sums.
        bb = s - a
        carried += ((a - (s - bb)) + (b - bb)).sum(axis=-1)
        x = s
    return x[..., 0] + carried


def _kl_divergence(p: Array, q: Array) -> Array:
    # float32 is computed in float64: p - q is then exact and nothing below can round away.
    p, q = p.astype(np.float64, copy=False), q.astype(np.float64, copy=False)
    d = p - q  # exact where p and q are close (Sterbenz), which is where it matters
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # D = sum_j p log(p/q). Where p and q are close (|t| < 0.1, t = (p - q) / q),
        # p log(p/q) = q f(t) + (p - q) with f(t) = (1 + t) log1p(t) - t >= 0, taken from
        # its series (no cancellation of t against log1p(t)); those (p - q), which nearly
        # cancel for normalised rows, are summed in twice the precision. Far terms keep
        # p log(p/q): written as q f(t) + (p - q) they would cancel against the other
        # rows' p - q (p = 1e-30, q = 1e-20 gives q f(t) = 1e-20 for a term of -2.3e-29).
        t = d / q
        close = np.abs(t) < 0.1
        ratio = p / q
        log_ratio = np.log(ratio)
        lost = (ratio == 0) | np.isinf(ratio)  # p / q under- or overflowed (rare): redo those
        if lost.any():
            log_ratio[lost] = np.log(p[lost]) - np.log(q[lost])
        series = q * t * t * np.polyval(_KL_SERIES, t)
        terms = np.where(close, series, np.where(p == 0, 0.0, p * log_ratio))  # 0 log 0 = 0
    return terms.sum(axis=1) + _accurate_sum(np.where(close, d, 0.0), 1)  # caller rounds


# ------------------------------------------------------------------ validation


def _check_distribution(p: Array, name: str, axis: Any) -> int:
    axis = check_class_axis(p, name, axis)
    check_in_unit_interval(p, name)
    check_sums_to_one(p, name, axis)
    return axis


def _check_pair(p: ArrayLike, q: ArrayLike, axis: Any) -> tuple[Array, Array, int]:
    p_arr, q_arr = as_float_arrays((p, "p"), (q, "q"))
    check_same_shape(p_arr, q_arr, "p", "q")
    axis = _check_distribution(p_arr, "p", axis)
    _check_distribution(q_arr, "q", axis)
    return p_arr, q_arr, axis


def _in_base(value: Array, log_base: float | None) -> Array:
    return value if log_base is None else value / value.dtype.type(log_base)


# ---------------------------------------------------------------------- public


def entropy(p: ArrayLike, *, axis: int = -1, base: float | None = None) -> Result:
    r"""Shannon entropy of a discrete distribution.

    .. math::

        H(p) = -\sum_j p_j \log p_j, \qquad
        p_j \log p_j =
        \begin{cases}
            0 & p_j = 0 \\
            p_j \log p_j & p_j > 0
        \end{cases}

    Parameters
    ----------
    p : array_like
        Probabilities, summing to 1 along ``axis``; a batch of distributions
        has shape ``(N, C)``.
    axis : int, default -1
        The axis over which the distribution is laid out.
    base : float, optional
        Base of the logarithm: ``None`` (natural log, nats), 2 (bits), 10 (hartleys).

    Returns
    -------
    ndarray or numpy scalar
        :math:`H(p)` for each distribution, with ``axis`` removed.

    Raises
    ------
    ValueError
        If ``p`` is empty, has NaN or values outside [0, 1], or ``base`` is not
        positive and different from 1.
    TypeError
        If ``p`` is not numeric.

    Warns
    -----
    UserWarning
        If a distribution does not sum to 1 (within ``sqrt(eps)`` relative). Unlike
        ``scipy.stats.entropy``, ``p`` is *not* renormalised: the number returned
        is the formula applied to what was passed.

    See Also
    --------
    cross_entropy : :math:`H(p, q)`, which equals ``entropy(p)`` when ``q == p``.
    kl_divergence

    Examples
    --------
    A fair coin carries one bit; a fair die :math:`\log_2 6` bits:

    >>> import numpy as np
    >>> from xentlab import entropy
    >>> print(f"{entropy([0.5, 0.5], base=2):.4f} {entropy(np.full(6, 1 / 6), base=2):.4f}")
    1.0000 2.5850
    >>> print(f"{entropy([1.0, 0.0, 0.0]):.4f}")  # a certain outcome: no surprise
    0.0000
    """
    log_base = check_base(base)
    p_arr = as_float_array(p, "p")
    axis = _check_distribution(p_arr, "p", axis)
    return _in_base(reduce_rows_in_blocks(_entropy, p_arr.dtype, axis, p_arr), log_base)[()]


def cross_entropy(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Cross-entropy of a model distribution ``q`` relative to a true distribution ``p``.

    .. math::

        H(p, q) = -\sum_j p_j \log q_j, \qquad
        p_j \log q_j =
        \begin{cases}
            0 & p_j = 0 \\
            -\infty & p_j > 0,\ q_j = 0 \\
            p_j \log q_j & \text{otherwise}
        \end{cases}

    Parameters
    ----------
    p : array_like
        True distribution (one-hot labels or soft targets), shape ``(..., C)``.
    q : array_like
        Model distribution, same shape as ``p``.
    axis : int, default -1
        The class axis.
    base : float, optional
        Base of the logarithm (``None`` for nats, 2 for bits).

    Returns
    -------
    ndarray or numpy scalar
        :math:`H(p, q) \ge H(p)`, with ``axis`` removed; ``inf`` where ``q``
        gives probability 0 to an outcome that ``p`` does not.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN or outside [0, 1], or ``base`` is invalid.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If ``p`` or ``q`` does not sum to 1 along ``axis``.

    Notes
    -----
    :math:`H(p, q) = H(p) + D_{\mathrm{KL}}(p \,\|\, q)`. With one-hot ``p`` this
    is the categorical cross-entropy loss :math:`-\log q_y` of one example.

    See Also
    --------
    entropy
    kl_divergence
    xentlab.categorical_cross_entropy : the same quantity as a loss, with reductions.

    Examples
    --------
    The two models of the CSDN article :cite:p:`csdn2022softmax`, true class first:

    >>> from xentlab import cross_entropy
    >>> for q in ([0.5, 0.2, 0.3], [0.7, 0.1, 0.2]):
    ...     print(f"{cross_entropy([1, 0, 0], q):.4f} nats "
    ...           f"{cross_entropy([1, 0, 0], q, base=2):.4f} bits")
    0.6931 nats 1.0000 bits
    0.3567 nats 0.5146 bits
    """
    log_base = check_base(base)
    p_arr, q_arr, axis = _check_pair(p, q, axis)
    ce = reduce_rows_in_blocks(_cross_entropy, p_arr.dtype, axis, p_arr, q_arr)
    return _in_base(ce, log_base)[()]


def kl_divergence(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1, base: float | None = None
) -> Result:
    r"""Kullback-Leibler divergence :math:`D_{\mathrm{KL}}(p \,\|\, q)`.

    .. math::

        D_{\mathrm{KL}}(p \,\|\, q) = \sum_j p_j \log \frac{p_j}{q_j}, \qquad
        p_j \log \frac{p_j}{q_j} =
        \begin{cases}
            0 & p_j = 0 \\
            +\infty & p_j > 0,\ q_j = 0 \\
            p_j \log \frac{p_j}{q_j} & \text{otherwise}
        \end{cases}

    Parameters
    ----------
    p : array_like
        True distribution, shape ``(..., C)``.
    q : array_like
        Model distribution, same shape as ``p``.
    axis : int, default -1
        The class axis.
    base : float, optional
        Base of the logarithm (``None`` for nats, 2 for bits).

    Returns
    -------
    ndarray or numpy scalar
        :math:`D_{\mathrm{KL}} \ge 0`, zero exactly when ``p == q``; ``axis`` removed.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN or outside [0, 1], or ``base`` is invalid.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If ``p`` or ``q`` does not sum to 1 along ``axis``.

    Notes
    -----
    Computed as :math:`\sum_j [p_j \log(p_j / q_j) - p_j + q_j] + \sum_j (p_j - q_j)`:
    every bracket is :math:`\ge 0` (a series in :math:`t = (p_j - q_j)/q_j` when
    :math:`|t| < 0.1`), and the nearly cancelling second sum is added in twice
    the working precision, so a divergence of :math:`10^{-20}` between close
    distributions keeps its relative accuracy (chapter 9). KL is not symmetric:
    :math:`D_{\mathrm{KL}}(p \,\|\, q) \ne D_{\mathrm{KL}}(q \,\|\, p)` in general.

    See Also
    --------
    cross_entropy
    scipy.stats.entropy : ``entropy(p, q)`` is this divergence (after renormalising).

    Examples
    --------
    >>> from xentlab import kl_divergence
    >>> p, q = [0.5, 0.5], [0.9, 0.1]
    >>> print(f"{kl_divergence(p, q):.4f} {kl_divergence(q, p):.4f}")
    0.5108 0.3681
    >>> print(f"{kl_divergence(p, p):.1f}")
    0.0
    """
    log_base = check_base(base)
    p_arr, q_arr, axis = _check_pair(p, q, axis)
    kl = reduce_rows_in_blocks(_kl_divergence, p_arr.dtype, axis, p_arr, q_arr)
    return _in_base(kl, log_base)[()]
