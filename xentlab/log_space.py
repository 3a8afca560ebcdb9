r"""Losses of log-probabilities: the negative log-likelihood and the KL divergence.

A probability below about :math:`10^{-308}` (:math:`e^{-709}`; subnormals reach
:math:`e^{-745}`) rounds to 0 in float64, and its log to ``-inf``; the same
probability held as a log-probability keeps its value. These functions take
log-probabilities (PyTorch's ``nll_loss`` and ``kl_div``) and never exponentiate
them where the result could underflow. Also here: the generalized KL
divergence of non-negative, unnormalised vectors. Chapter 2 of the book,
*Information theory*, derives the divergences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._blocks import reduce_rows_in_blocks
from ._kernels import logsumexp_rows, xlogy
from ._validation import (
    as_class_labels,
    as_class_weight,
    as_float_array,
    as_float_arrays,
    batch_shape,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_no_nan,
    check_option,
    check_same_shape,
    check_sums_to_one,
    reduce_counted,
    show,
    warn,
)

__all__ = [
    "nll_loss",
    "nll_loss_grad",
    "kl_divergence_from_log",
    "kl_divergence_from_log_grad",
    "generalized_kl_divergence",
    "generalized_kl_divergence_grad",
]

Array = NDArray[Any]
Loss = NDArray[np.floating[Any]] | np.floating[Any]
KL_REDUCTIONS = ("batchmean", "sum", "mean", "none")


# ------------------------------------------------------------------ validation


def _check_log_probabilities(
    arr: Array, name: str, axis: int | None, given: ArrayLike | None = None
) -> None:
    """Raise unless ``arr`` holds log-probabilities (NaN-free, <= 0, -inf allowed);
    warn when ``axis`` is given and exp(arr) does not sum to 1 along it.

    The tolerance is ``sqrt(eps)`` of the dtype the caller ``given`` them in:
    float16 log-probabilities, computed in float32, carry float16's rounding.
    """
    check_no_nan(arr, name)
    positive = arr > 0
    if positive.any():
        where = np.unravel_index(int(positive.argmax()), arr.shape)
        shown = name if arr.ndim == 0 else f"{name}[{tuple(int(i) for i in where)}]"
        raise ValueError(
            f"{name} must hold log-probabilities (<= 0), but {shown} = {show(arr[where])}; "
            f"pass log_softmax(logits), or np.log(p) for probabilities p."
        )
    if axis is None:
        return
    with np.errstate(invalid="ignore"):  # a slice of -inf only: nan, flagged below
        lse = reduce_rows_in_blocks(logsumexp_rows, arr.dtype, axis, arr)
    source = np.float16 if np.asarray(given).dtype == np.float16 else arr.dtype
    tolerance = float(np.sqrt(np.finfo(source).eps)) + 1e-8
    off = ~(np.abs(lse) <= tolerance)
    if off.any():
        bad = float(np.asarray(lse)[np.unravel_index(int(off.argmax()), off.shape)])
        warn(
            f"{name} does not hold normalised log-probabilities along axis {axis}: "
            f"exp({name}) sums to {np.exp(bad):.6g} ({int(off.sum())} of {off.size} "
            "slices are off). Pass log_softmax(logits), which is normalised."
        )


def _kl_inputs(
    p_or_log_p: ArrayLike, log_q: ArrayLike, log_target: Any, axis: Any
) -> tuple[Array, Array, bool, int]:
    log_target = check_option("log_target", log_target, choices=(True, False))
    target_name = "p_or_log_p"
    target, lq = as_float_arrays((p_or_log_p, target_name), (log_q, "log_q"))
    check_same_shape(target, lq, target_name, "log_q")
    axis = check_class_axis(lq, "log_q", axis)
    _check_log_probabilities(lq, "log_q", axis, log_q)
    if log_target:
        _check_log_probabilities(target, "p_or_log_p", axis, p_or_log_p)
    else:
        check_in_unit_interval(target, "p_or_log_p")
        check_sums_to_one(target, "p_or_log_p", axis)
    return target, lq, log_target, axis


# --------------------------------------------------------------------- kernels


def _kl_terms(target: Array, log_q: Array, log_target: bool) -> Array:
    """p_j (log p_j - log q_j), elementwise, with 0 (log 0 - log q) = 0."""
    with np.errstate(invalid="ignore", over="ignore"):
        if log_target:
            # exp(log p) is exact to rounding; log p - log q is one rounding.
            terms = np.exp(target) * (target - log_q)
            absent = np.isneginf(target)
        else:
            # float32 is computed in float64, where log p carries no error at float32's
            # scale (log p - log q can be far smaller than either).
            p = target.astype(np.float64, copy=False)
            lq = log_q.astype(np.float64, copy=False)
            terms = (xlogy(p, p) - np.where(p == 0, 0, p * lq)).astype(target.dtype)
            absent = target == 0
    terms[absent] = 0.0
    return terms


# Coefficients of f(t) = (1 + t) log1p(t) - t = sum_{n >= 2} (-1)^n t^n / (n (n - 1)),
# highest first for Horner; 60 terms reach float64 precision for |t| <= 0.5.
_SERIES = np.array([(-1.0) ** n / (n * (n - 1)) for n in range(61, 1, -1)])


def _generalized_kl_terms(p: Array, q: Array) -> Array:
    """p log(p / q) - p + q >= 0, elementwise, without cancellation."""
    # = q f(t) with t = (p - q) / q. Near p = q (|t| <= 1/2) the three terms nearly
    # cancel: take f from its series. Elsewhere they cancel by at most a factor ~6.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = (p - q) / q
        near = np.abs(t) <= 0.5
        ratio = p / q
        log_ratio = np.log(ratio)
        lost = (ratio == 0) | np.isinf(ratio)  # p / q under- or overflowed: redo those
        if lost.any():
            log_ratio[lost] = np.log(p[lost]) - np.log(q[lost])
        far = np.where(p == 0, 0.0, p * log_ratio) - p + q
        series = q * t * t * np.polyval(_SERIES.astype(p.dtype), np.where(near, t, 0))
        terms = np.where(near, series, far)
    terms[(p > 0) & (q == 0)] = np.inf
    terms[(p == 0) & (q == 0)] = 0.0
    return terms


# ---------------------------------------------------------------------- public


def nll_loss(
    y_true: ArrayLike,
    log_probs: ArrayLike,
    *,
    axis: int = -1,
    class_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Negative log-likelihood of integer labels from log-probabilities (PyTorch's ``nll_loss``).

    .. math::

        \ell_i = -w_{y_i} \log p_{i, y_i}, \qquad
        L_{\text{mean}} = \frac{\sum_i s_i \ell_i}{\sum_i s_i w_{y_i}}

    over the examples whose label is not ``ignore_index`` (:math:`w = 1` without
    class weights, :math:`s = 1` without sample weights). The log-probability is
    read, never exponentiated: :math:`\log p = -800` costs 800, where
    ``-np.log(np.exp(-800.0))`` is ``inf``.

    Parameters
    ----------
    y_true : array_like of int
        Class indices in ``[0, C)``, shape ``log_probs.shape`` without ``axis``.
    log_probs : array_like
        Log-probabilities (:math:`\le 0`, ``-inf`` allowed), classes along ``axis``,
        for instance ``log_softmax(logits)``.
    axis : int, default -1
        The class axis (PyTorch's is 1: pass ``axis=1`` for its ``(N, C, d1, ...)``).
    class_weight : array_like of shape (C,), optional
        PyTorch's ``weight=``: example :math:`i` costs :math:`w_{y_i} \ell_i`, and the
        mean divides by the summed weights of the counted targets.
    ignore_index : int, optional
        Targets equal to it (PyTorch's default is -100) add 0 and are left out of
        the mean's denominator.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns one loss per example (0 for an ignored one).
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example (along axis 0), multiplying in.

    Returns
    -------
    numpy scalar or ndarray
        In ``log_probs``' float dtype.

    Raises
    ------
    ValueError
        If a label is out of range, ``log_probs`` has NaN or a positive value,
        shapes disagree, an option is invalid, or (``"mean"``) no target counts.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If ``exp(log_probs)`` does not sum to 1 along ``axis``.

    Notes
    -----
    Chapter 2 of the book, *Information theory*, explains why minimising it is
    maximum likelihood.

    See Also
    --------
    sparse_categorical_cross_entropy : the same loss from probabilities or logits.
    nll_loss_grad : its gradient with respect to the log-probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import nll_loss
    >>> log_probs = np.array([[-800.0, 0.0], [np.log(0.3), np.log(0.7)]])
    >>> print(nll_loss([0, 1], log_probs, reduction="none").round(4))
    [800.       0.3567]
    >>> print(f"{nll_loss([0, -100], log_probs, ignore_index=-100):.1f}")
    800.0
    """
    per_example, counted = _nll(y_true, log_probs, axis, class_weight, ignore_index)
    reduction = check_option("reduction", reduction, choices=("mean", "sum", "none"))
    return reduce_counted(per_example, counted, reduction, sample_weight)


def _nll(
    y_true: ArrayLike,
    log_probs: ArrayLike,
    axis: Any,
    class_weight: ArrayLike | None,
    ignore_index: Any,
) -> tuple[Array, Array]:
    """Per-example losses and their weights in the mean."""
    lp = as_float_array(log_probs, "log_probs")
    axis = check_class_axis(lp, "log_probs", axis)
    _check_log_probabilities(lp, "log_probs", axis, log_probs)
    ignore = check_option("ignore_index", ignore_index, integer=True, allow_none=True)
    n_classes = lp.shape[axis]
    codes = as_class_labels(
        y_true, "y_true", n_classes, batch_shape(lp, axis), ignore_index=ignore
    )
    weights = as_class_weight(class_weight, n_classes, lp.dtype)
    picked = np.take_along_axis(lp, np.expand_dims(codes, axis), axis=axis)
    per_example = 0.0 - np.squeeze(picked, axis=axis)  # +0.0, not -0.0, for log p = 0
    counted = np.ones_like(per_example) if weights is None else weights[codes]
    if weights is not None:
        # A class of weight 0 costs 0, even at inf; a product beyond the float range is inf.
        with np.errstate(invalid="ignore", over="ignore"):
            per_example = np.where(counted == 0, 0, counted * per_example)
    if ignore is not None:
        ignored = np.asarray(y_true) == ignore
        per_example = np.where(ignored, 0, per_example)
        counted = np.where(ignored, 0, counted)
    return per_example.astype(lp.dtype, copy=False), counted.astype(lp.dtype, copy=False)


def nll_loss_grad(
    y_true: ArrayLike,
    log_probs: ArrayLike,
    *,
    axis: int = -1,
    class_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`nll_loss` (per example) with respect to the log-probabilities.

    .. math::

        \frac{\partial \ell_i}{\partial \log p_{ij}} = -w_{y_i}\,[j = y_i]

    and 0 for an ignored example. It is the gradient of ``reduction="sum"``; for
    ``"mean"`` divide by the mean's denominator.

    Parameters
    ----------
    y_true, log_probs, axis, class_weight, ignore_index
        As :func:`nll_loss`.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``log_probs``.

    Raises
    ------
    ValueError, TypeError
        As :func:`nll_loss`.

    See Also
    --------
    nll_loss
    sparse_softmax_cross_entropy_grad : the gradient through the softmax, w.r.t. the logits.

    Examples
    --------
    >>> from xentlab import nll_loss_grad
    >>> import numpy as np
    >>> print(nll_loss_grad([1], np.log([[0.2, 0.8]])))
    [[ 0. -1.]]
    """
    _, counted = _nll(y_true, log_probs, axis, class_weight, ignore_index)
    lp = as_float_array(log_probs, "log_probs")
    axis = check_class_axis(lp, "log_probs", axis)
    codes = as_class_labels(
        y_true, "y_true", lp.shape[axis], batch_shape(lp, axis), ignore_index=ignore_index
    )
    grad = np.zeros_like(lp)
    np.put_along_axis(grad, np.expand_dims(codes, axis), np.expand_dims(-counted, axis), axis=axis)
    return grad


def kl_divergence_from_log(
    p_or_log_p: ArrayLike,
    log_q: ArrayLike,
    *,
    log_target: bool = False,
    axis: int = -1,
    reduction: str = "batchmean",
) -> Loss:
    r"""KL divergence :math:`D_{\mathrm{KL}}(p \,\|\, q)` from the log-probabilities of ``q``.

    PyTorch's ``kl_div(input=log_q, target=p, log_target=...)`` with xentlab's
    order (target first). Element-wise terms:

    .. math::

        d_j = p_j (\log p_j - \log q_j), \qquad
        d_j =
        \begin{cases}
            0 & p_j = 0 \\
            +\infty & p_j > 0,\ \log q_j = -\infty \\
            p_j (\log p_j - \log q_j) & \text{otherwise}
        \end{cases}

    with :math:`p_j = e^{\log p_j}` when ``log_target=True``.

    Parameters
    ----------
    p_or_log_p : array_like
        The true distribution: probabilities, or log-probabilities when
        ``log_target=True`` (``-inf`` allowed).
    log_q : array_like
        Log-probabilities of the model distribution, same shape, ``<= 0``.
    log_target : bool, default False
        Read the first argument as log-probabilities (PyTorch's ``log_target``).
    axis : int, default -1
        The class axis (for the sum-to-1 checks and ``"batchmean"``).
    reduction : {"batchmean", "sum", "mean", "none"}, default "batchmean"
        ``"none"``: the element-wise terms :math:`d_j` (the inputs' shape);
        ``"sum"``: their sum; ``"batchmean"``: the sum divided by the number of
        distributions (the mean KL per example); ``"mean"``: the mean of the
        element-wise terms, PyTorch's default, which is the KL divided by
        :math:`C` too and so not a KL divergence.

    Returns
    -------
    numpy scalar or ndarray
        In the inputs' float dtype.

    Raises
    ------
    ValueError
        If the shapes differ, ``log_q`` (or ``log_p``) has NaN or a positive value,
        ``p`` is outside [0, 1], or an option is invalid.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If a distribution does not sum to 1 along ``axis``.

    Notes
    -----
    No :math:`q_j` is formed, so :math:`\log q_j = -800` gives the term
    :math:`800\,p_j` instead of ``inf``. With ``log_target=True`` each term is
    :math:`e^{\log p_j}` times one rounded difference, accurate to a few ulps however
    close :math:`p` and :math:`q` are; with probabilities, :math:`\log p_j` is
    computed, and where :math:`p_j \approx q_j` its rounding
    (:math:`\epsilon |\log p_j|`) weighs against the small difference
    :math:`\log p_j - \log q_j`, as much as the rounding of the input
    :math:`\log q_j` itself does (float32 input is computed in float64, which
    removes it): pass log-probabilities on both sides when :math:`p` and :math:`q`
    are close. The default reduction differs from
    PyTorch's ``"mean"``, which PyTorch itself warns is not the KL divergence;
    ``"batchmean"`` equals PyTorch's for the usual ``(N, C)`` input (PyTorch
    divides by ``input.size(0)`` whatever the shape).

    Chapter 2 of the book, *Information theory*, derives the divergence.

    See Also
    --------
    kl_divergence : the same divergence from probabilities, per distribution.
    generalized_kl_divergence : for non-negative vectors that need not sum to 1.
    kl_divergence_from_log_grad : its gradient with respect to ``log_q``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import kl_divergence_from_log
    >>> p = [[0.5, 0.5]]
    >>> print(f"{kl_divergence_from_log(p, np.log([[0.9, 0.1]])):.4f}")
    0.5108
    >>> terms = kl_divergence_from_log(p, [[0.0, -800.0]], reduction="none")
    >>> print(terms.round(2).tolist())  # np.exp(-800.0) is 0: the naive term is inf
    [[-0.35, 399.65]]
    """
    target, lq, log_target, axis = _kl_inputs(p_or_log_p, log_q, log_target, axis)
    reduction = check_option("reduction", reduction, choices=KL_REDUCTIONS)
    terms = _kl_terms(target, lq, log_target)
    if reduction == "none":
        return terms[()]
    if reduction == "sum":
        return terms.sum()[()]
    if reduction == "mean":
        return terms.mean()[()]
    return (terms.sum() / (terms.size // terms.shape[axis]))[()]


def kl_divergence_from_log_grad(
    p_or_log_p: ArrayLike, log_q: ArrayLike, *, log_target: bool = False, axis: int = -1
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`kl_divergence_from_log` (``reduction="sum"``) w.r.t. ``log_q``.

    .. math::

        \frac{\partial}{\partial \log q_j} \sum_k p_k (\log p_k - \log q_k) = -p_j

    Parameters
    ----------
    p_or_log_p, log_q, log_target, axis
        As :func:`kl_divergence_from_log`.

    Returns
    -------
    ndarray
        Same shape and dtype as ``log_q``. When ``log_q = log_softmax(x)``, the
        chain rule through the softmax gives :math:`q \sum_k p_k - p`.

    Raises
    ------
    ValueError, TypeError
        As :func:`kl_divergence_from_log`.

    See Also
    --------
    kl_divergence_from_log

    Examples
    --------
    >>> from xentlab import kl_divergence_from_log_grad
    >>> import numpy as np
    >>> print(kl_divergence_from_log_grad([0.25, 0.75], np.log([0.5, 0.5])))
    [-0.25 -0.75]
    """
    target, lq, log_target, axis = _kl_inputs(p_or_log_p, log_q, log_target, axis)
    p = np.exp(target) if log_target else target
    return (0.0 - p).astype(lq.dtype, copy=False)


def _generalized_inputs(p: ArrayLike, q: ArrayLike, axis: Any) -> tuple[Array, Array, int]:
    p_arr, q_arr = as_float_arrays((p, "p"), (q, "q"))
    check_same_shape(p_arr, q_arr, "p", "q")
    axis = check_class_axis(p_arr, "p", axis)
    for arr, name in ((p_arr, "p"), (q_arr, "q")):
        check_finite(arr, name)
        negative = arr < 0
        if negative.any():
            where = np.unravel_index(int(negative.argmax()), arr.shape)
            shown = name if arr.ndim == 0 else f"{name}[{tuple(int(i) for i in where)}]"
            raise ValueError(
                f"{name} must be non-negative, but {shown} = {show(arr[where])}; the "
                "generalized KL divergence compares non-negative measures."
            )
    return p_arr, q_arr, axis


def generalized_kl_divergence(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1
) -> NDArray[np.floating[Any]] | np.floating[Any]:
    r"""Generalized KL divergence of non-negative, unnormalised vectors.

    .. math::

        D(p \,\|\, q) = \sum_j \Bigl(p_j \log \frac{p_j}{q_j} - p_j + q_j\Bigr),
        \qquad
        \text{term}_j =
        \begin{cases}
            q_j & p_j = 0 \\
            +\infty & p_j > 0,\ q_j = 0 \\
            p_j \log \frac{p_j}{q_j} - p_j + q_j & \text{otherwise}
        \end{cases}

    the Bregman divergence of :math:`\sum_j p_j \log p_j` (the I-divergence of
    non-negative matrix factorisation). Every term is :math:`\ge 0`, zero exactly
    when :math:`p_j = q_j`; for distributions (both summing to 1) it is
    :func:`~xentlab.kl_divergence`.

    Parameters
    ----------
    p, q : array_like
        Non-negative, finite values of one shape; they need not sum to 1.
    axis : int, default -1
        The axis to sum over.

    Returns
    -------
    ndarray or numpy scalar
        One divergence per slice along ``axis`` (``axis`` removed).

    Raises
    ------
    ValueError
        If the shapes differ, or a value is negative, NaN or infinite.
    TypeError
        If an input is not numeric.

    Notes
    -----
    Each term is :math:`q_j f(t_j)` with :math:`t_j = (p_j - q_j) / q_j` and
    :math:`f(t) = (1 + t)\log(1 + t) - t \ge 0`; where :math:`|t_j| \le 1/2`
    (the three terms nearly cancel) :math:`f` is taken from its Taylor series
    :math:`\sum_{n \ge 2} (-1)^n t^n / (n (n - 1))`, so a divergence of
    :math:`10^{-30}` keeps its relative accuracy. optax's
    ``generalized_kl_divergence(log_predictions, targets)`` takes
    :math:`\log q` and :math:`p`; it equals
    ``generalized_kl_divergence(targets, np.exp(log_predictions))`` here: the
    :math:`+ q_j` term needs :math:`q` itself, so this function takes it directly.

    Chapter 2 of the book, *Information theory*, derives the KL divergence.

    See Also
    --------
    kl_divergence : for probability distributions.
    kl_divergence_from_log : from log-probabilities.
    generalized_kl_divergence_grad : its gradient with respect to ``q``.

    Examples
    --------
    >>> from xentlab import generalized_kl_divergence
    >>> print(f"{generalized_kl_divergence([2.0, 1.0], [1.0, 1.0]):.4f}")  # 2 log 2 - 2 + 1
    0.3863
    >>> print(f"{generalized_kl_divergence([1.0, 1e-30], [1.0, 2e-30]):.4e}")
    3.0685e-31
    """
    p_arr, q_arr, axis = _generalized_inputs(p, q, axis)

    def kernel(p_rows: Array, q_rows: Array) -> Array:
        return _generalized_kl_terms(p_rows, q_rows).sum(axis=1)

    return reduce_rows_in_blocks(kernel, p_arr.dtype, axis, p_arr, q_arr)[()]


def generalized_kl_divergence_grad(
    p: ArrayLike, q: ArrayLike, *, axis: int = -1
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`generalized_kl_divergence` with respect to ``q``.

    .. math::

        \frac{\partial D}{\partial q_j} = 1 - \frac{p_j}{q_j}

    (``-inf`` where :math:`q_j = 0 < p_j`, and 1 where both are 0).

    Parameters
    ----------
    p, q, axis
        As :func:`generalized_kl_divergence`.

    Returns
    -------
    ndarray
        Same shape and dtype as ``q``.

    Raises
    ------
    ValueError, TypeError
        As :func:`generalized_kl_divergence`.

    See Also
    --------
    generalized_kl_divergence

    Examples
    --------
    >>> from xentlab import generalized_kl_divergence_grad
    >>> print(generalized_kl_divergence_grad([2.0, 1.0], [1.0, 4.0]))
    [-1.    0.75]
    """
    p_arr, q_arr, _ = _generalized_inputs(p, q, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p_arr == 0, 0, p_arr / q_arr)
    return (1 - ratio).astype(q_arr.dtype, copy=False)
