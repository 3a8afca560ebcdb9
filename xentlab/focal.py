r"""Focal losses (Lin et al., 2017) and the poly-1 cross-entropy, with their gradients.

The sigmoid focal loss works elementwise and, like the TensorFlow-named
functions, returns one loss per entry (no reduction). The softmax focal loss and
the poly-1 cross-entropy reweight the categorical cross-entropy; they take
probabilities or, with ``from_logits=True``, logits, and reduce like the losses
of :mod:`xentlab.losses`. Chapter 8 of the book, *Beyond the articles*, plots
them and derives the gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._blocks import as_rows, reduce_rows_in_blocks
from ._kernels import row_sum, sigmoid, sigmoid_cross_entropy, unshifted_bound
from ._validation import (
    as_float_array,
    as_float_arrays,
    as_masked_logits,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_option,
    check_reduction,
    check_same_shape,
    check_sums_to_one,
    finish_loss,
)

__all__ = [
    "sigmoid_focal_loss",
    "sigmoid_focal_grad",
    "categorical_focal_loss",
    "categorical_focal_grad",
    "poly1_cross_entropy",
    "poly1_cross_entropy_grad",
]

Array = NDArray[Any]
Loss = NDArray[np.floating[Any]] | np.floating[Any]


# --------------------------------------------------------------------- kernels


def _miss_probability(z: Array, x: Array) -> Array:
    # 1 - p_t = z (1 - p) + (1 - z) p with 1 - p = sigmoid(-x): two non-negative
    # terms, each accurate, so 1 - p_t never comes from rounding 1 - 0.9999999.
    return z * sigmoid(-x) + (1 - z) * sigmoid(x)


def _alpha_t(z: Array, alpha: float | None) -> Array | float:
    return 1.0 if alpha is None else alpha * z + (1 - alpha) * (1 - z)


def _focal(z: Array, x: Array, alpha: float | None, gamma: float) -> Array:
    modulator = _miss_probability(z, x) ** gamma  # 0 ** 0 = 1: gamma = 0 is plain CE
    return _alpha_t(z, alpha) * modulator * sigmoid_cross_entropy(z, x)


def _focal_grad(z: Array, x: Array, alpha: float | None, gamma: float) -> Array:
    p, q = sigmoid(x), sigmoid(-x)  # q = 1 - p without cancellation
    m = _miss_probability(z, x)
    # dm/dx = (1 - 2z) p q. Write gamma m^(gamma-1) dm/dx as gamma m^gamma (1-2z) r
    # with r = p q / m: for hard labels r = 1 - m, finite even where m rounds to 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(m > 0, p * q / m, 1)
    m_gamma = m**gamma
    ce = sigmoid_cross_entropy(z, x)
    return _alpha_t(z, alpha) * m_gamma * (gamma * (1 - 2 * z) * r * ce + (p - z))


# ------------------------------------------------------------------ validation


def _check_focal(
    labels: ArrayLike, logits: ArrayLike, alpha: Any, gamma: Any
) -> tuple[Array, Array, Any, Any]:
    x = as_float_array(logits, "logits")
    z = as_float_array(labels, "labels", dtype=x.dtype)
    check_same_shape(z, x, "labels", "logits")
    check_finite(x, "logits")
    check_in_unit_interval(z, "labels")
    gamma = check_option("gamma", gamma, low=0)
    alpha = check_option(
        "alpha",
        alpha,
        low=0,
        high=1,
        allow_none=True,
        hint="torchvision's alpha=-1 is alpha=None here.",
    )
    dtype = x.dtype.type
    return z, x, None if alpha is None else dtype(alpha), dtype(gamma)


# ---------------------------------------------------------------------- public


def sigmoid_focal_loss(
    *, labels: ArrayLike, logits: ArrayLike, alpha: float | None = 0.25, gamma: float = 2.0
) -> NDArray[np.floating[Any]]:
    r"""Focal loss of independent (sigmoid) classes, elementwise, from logits.

    .. math::

        \ell(z, x) = \alpha_t\, (1 - p_t)^{\gamma}\,
        \bigl(-z \log p - (1 - z) \log(1 - p)\bigr),
        \qquad p = \sigma(x)

    with :math:`p_t = p z + (1 - p)(1 - z)` (the probability given to the
    label) and :math:`\alpha_t = \alpha z + (1 - \alpha)(1 - z)`, as in
    :cite:t:`lin2017focal`, ``torchvision.ops.sigmoid_focal_loss`` and
    ``optax.sigmoid_focal_loss``.

    Parameters
    ----------
    labels : array_like
        Targets :math:`z \in [0, 1]`, same shape as ``logits`` (0/1, or soft).
    logits : array_like
        Raw scores :math:`x`, any shape, finite.
    alpha : float in [0, 1] or None, default 0.25
        Weight of the positive term; the negative term gets :math:`1 - \alpha`.
        ``None`` switches the balancing off (:math:`\alpha_t = 1`, as optax's
        default); torchvision spells that ``alpha=-1``.
    gamma : float, default 2.0
        Focusing parameter :math:`\gamma \ge 0`. ``gamma=0`` and ``alpha=None``
        give :func:`~xentlab.sigmoid_cross_entropy_with_logits`.

    Returns
    -------
    ndarray
        The elementwise loss, same shape and float dtype as ``logits``.

    Raises
    ------
    ValueError
        If the shapes differ, a label is outside [0, 1], a logit is NaN or
        infinite, ``gamma < 0`` or ``alpha`` is outside [0, 1].
    TypeError
        If an input is not numeric, or ``alpha`` / ``gamma`` is not a real number.

    Notes
    -----
    The cross-entropy factor is the stable sigmoid cross-entropy from logits,
    and :math:`1 - p_t = z\,\sigma(-x) + (1 - z)\,\sigma(x)` is a sum of
    non-negative terms, so no :math:`\log 0` and no :math:`1 - p` cancellation
    occur however large :math:`|x|` is. A well-classified entry
    (:math:`p_t \to 1`) is down-weighted by :math:`(1 - p_t)^\gamma`, so the sum
    over many easy negatives no longer swamps the few hard examples.

    See Also
    --------
    sigmoid_focal_grad : its gradient with respect to the logits.
    sigmoid_cross_entropy_with_logits : the :math:`\gamma = 0` case.
    weighted_cross_entropy_with_logits : re-weights positives without focusing.

    Examples
    --------
    An easy and a hard positive: focusing shrinks the easy one by far more.

    >>> from xentlab import sigmoid_focal_loss, sigmoid_cross_entropy_with_logits
    >>> logits = [3.0, -1.0]
    >>> print(sigmoid_cross_entropy_with_logits(labels=[1.0, 1.0], logits=logits).round(4))
    [0.0486 1.3133]
    >>> print(sigmoid_focal_loss(labels=[1.0, 1.0], logits=logits, alpha=None).round(5))
    [0.00011 0.70187]
    """
    z, x, a, g = _check_focal(labels, logits, alpha, gamma)
    return _focal(z, x, a, g)


def sigmoid_focal_grad(
    *, labels: ArrayLike, logits: ArrayLike, alpha: float | None = 0.25, gamma: float = 2.0
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`sigmoid_focal_loss` with respect to the logits.

    With :math:`p = \sigma(x)`, :math:`m = 1 - p_t = z + p(1 - 2z)` and
    :math:`\mathrm{CE}` the sigmoid cross-entropy, the chain rule with
    :math:`\partial \mathrm{CE} / \partial x = p - z` and
    :math:`\partial m / \partial x = (1 - 2z)\, p (1 - p)` gives

    .. math::

        \frac{\partial \ell}{\partial x} = \alpha_t \Bigl[
        \gamma\, m^{\gamma - 1} (1 - 2z)\, p (1 - p)\, \mathrm{CE}
        + m^{\gamma} (p - z) \Bigr]

    Parameters
    ----------
    labels, logits, alpha, gamma
        As :func:`sigmoid_focal_loss`.

    Returns
    -------
    ndarray
        Same shape and dtype as ``logits``.

    Raises
    ------
    ValueError, TypeError
        As :func:`sigmoid_focal_loss`.

    Notes
    -----
    :math:`m^{\gamma - 1} p (1 - p)` is evaluated as :math:`m^\gamma r` with
    :math:`r = p (1 - p) / m`; for a hard label :math:`r = 1 - m`, so the
    gradient stays finite (and correct) where :math:`m` rounds to 0, even for
    :math:`0 < \gamma < 1`.

    See Also
    --------
    sigmoid_focal_loss
    sigmoid_cross_entropy_grad : the :math:`\gamma = 0`, ``alpha=None`` case, :math:`p - z`.

    Examples
    --------
    >>> from xentlab import sigmoid_focal_grad
    >>> print(sigmoid_focal_grad(labels=[1.0, 0.0], logits=[0.0, 0.0], alpha=None, gamma=0.0))
    [-0.5  0.5]
    """
    z, x, a, g = _check_focal(labels, logits, alpha, gamma)
    return _focal_grad(z, x, a, g)


# ------------------------------------------- softmax focal loss and poly-1 loss
#
# Both weigh the surprise -log p_j of each class by a function of the probability
# it misses, 1 - p_j. From logits, both factors are formed without cancellation:
# log p_j = (x_j - m) - log1p(rest) and 1 - p_j = sum_{k != j} e^{x_k - m} / (1 + rest)
# (m the row maximum, rest = sum_{k != top} e^{x_k - m}), a sum of non-negative
# terms, so a class predicted with p = 1 - 1e-20 misses exactly 1e-20, not 0.


def _log_p_and_miss(x: Array) -> tuple[Array, Array]:
    """log softmax(x) and 1 - softmax(x) of each row of a ``(rows, C)`` block."""
    top = np.argmax(x, axis=1, keepdims=True)
    m = np.take_along_axis(x, top, axis=1)  # finite: rows of -inf only are rejected
    with np.errstate(over="ignore"):  # beyond the float range x - m rounds to -inf: e = 0
        shifted = np.subtract(x, m)
    bound = unshifted_bound(x.dtype, x.shape[1])
    if -bound <= x.min() and x.max() <= bound:
        # e^{x_k - m} as e^{x_k} e^{-m}: two correctly rounded factors, where e^{x - m}
        # inherits the rounding of x - m (up to 5e-14 relative for |x - m| ~ 700),
        # which the cube of a focal loss of a confident prediction would triple.
        e = np.exp(x) * np.exp(-m)
    else:
        e = np.exp(shifted)
    np.put_along_axis(e, top, 0, axis=1)
    rest = row_sum(e)
    log_p = shifted - np.log1p(rest)  # both terms <= 0: no cancellation
    total = 1 + rest
    miss = total - e  # 1 + rest - e_j >= 1 for j != top: the top class's 1 stays in
    np.put_along_axis(miss, top, rest, axis=1)  # the top class misses exactly rest
    miss /= total
    return log_p, miss


def _weighted_surprise(z: Array, log_p: Array, weight: Array) -> Array:
    """sum_j z_j w_j (-log p_j) of each row, with 0 (-log 0) = 0 (no target mass, no cost)."""
    with np.errstate(invalid="ignore"):
        terms = z * weight * (0.0 - log_p)
    terms[z == 0] = 0.0
    return row_sum(terms)[:, 0]


def _focal_rows(z: Array, x: Array, alpha: float, gamma: float) -> Array:
    log_p, miss = _log_p_and_miss(x)
    return alpha * _weighted_surprise(z, log_p, miss**gamma)  # 0 ** 0 = 1: gamma = 0 is CE


def _focal_probability_rows(z: Array, p: Array, alpha: float, gamma: float) -> Array:
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
    return alpha * _weighted_surprise(z, log_p, (1 - p) ** gamma)


def _poly1_rows(z: Array, x: Array, epsilon: float) -> Array:
    log_p, miss = _log_p_and_miss(x)
    # 1 - p_t = sum_j z_j (1 - p_j) + (1 - sum_j z_j): no 1 - 0.99999... (the last
    # term is 0 for a one-hot target).
    miss_t = row_sum(z * miss)[:, 0] + (1 - row_sum(z)[:, 0])
    return _weighted_surprise(z, log_p, np.ones_like(z)) + epsilon * miss_t


def _poly1_probability_rows(z: Array, p: Array, epsilon: float) -> Array:
    with np.errstate(divide="ignore"):
        log_p = np.log(p)
    miss_t = row_sum(z * (1 - p))[:, 0] + (1 - row_sum(z)[:, 0])
    return _weighted_surprise(z, log_p, np.ones_like(z)) + epsilon * miss_t


def _focal_grad_rows(z: Array, x: Array, alpha: float, gamma: float) -> Array:
    # d/dx_k of -alpha sum_j z_j m_j^gamma log p_j, with m_j = 1 - p_j:
    # alpha (p_k sum_j A_j - A_k), A_j = z_j m_j^gamma (1 - gamma p_j log p_j / m_j).
    # p log p / m -> -1 as p -> 1: taken as -1 where m rounds to 0.
    log_p, miss = _log_p_and_miss(x)
    p = np.exp(log_p)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(miss > 0, p * log_p / miss, -1.0)
        a = z * miss**gamma * (1 - gamma * ratio)
    a[z == 0] = 0.0
    return alpha * (p * row_sum(a) - a)


def _poly1_grad_rows(z: Array, x: Array, epsilon: float) -> Array:
    # d CE / dx = p sum_j z_j - z; d(1 - p_t)/dx_k = p_k (p_t - z_k).
    p = np.exp(_log_p_and_miss(x)[0])
    p_t = row_sum(z * p)
    return p * row_sum(z) - z + epsilon * p * (p_t - z)


# ------------------------------------------------------------------ validation


def _softmax_targets(
    y_true: ArrayLike, y_pred: ArrayLike, from_logits: bool, axis: Any, smoothing: float
) -> tuple[Array, Array, int]:
    """Smoothed targets and the logits or probabilities, checked, with the class axis.

    From logits, the uniform part of label smoothing skips masked classes (logit
    -inf), as the cross-entropy from logits does.
    """
    if from_logits:
        x, axis, _ = as_masked_logits(y_pred, axis, None)
        y = as_float_array(y_true, "y_true", dtype=x.dtype)
        check_same_shape(y, x, "y_true", "logits")
    else:
        y, x = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
        check_same_shape(y, x, "y_true", "y_pred")
        check_in_unit_interval(x, "y_pred")
        axis = check_class_axis(x, "y_pred", axis)
        check_sums_to_one(x, "y_pred", axis)
    check_in_unit_interval(y, "y_true")
    check_sums_to_one(y, "y_true", axis)
    if smoothing:
        uniform = x.dtype.type(smoothing / x.shape[axis])
        live = np.isfinite(x) if from_logits else True
        y = (1 - smoothing) * y + np.where(live, uniform, 0).astype(x.dtype)
    return y, x, axis


def _check_smoothing(label_smoothing: Any) -> float:
    return float(
        check_option("label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is typical.")
    )


def _check_focal_options(alpha: Any, gamma: Any) -> tuple[float, float]:
    alpha = check_option("alpha", alpha, low=0, hint="Keras's default is 0.25.")
    gamma = check_option("gamma", gamma, low=0, hint="2.0 is the usual choice.")
    return alpha, gamma


def _check_epsilon(epsilon: Any) -> float:
    return float(
        check_option(
            "epsilon",
            epsilon,
            low=-1,
            hint="below -1 the loss is no longer decreasing in p_t; Leng et al. use 1 or 2.",
        )
    )


# ---------------------------------------------------------------------- public


def categorical_focal_loss(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Focal loss of one softmax over the classes (Keras's ``CategoricalFocalCrossentropy``).

    .. math::

        \ell(y, p) = -\alpha \sum_{j=1}^{C} (1 - p_j)^{\gamma}\, y_j \log p_j,
        \qquad
        y_j \log p_j =
        \begin{cases}
            0 & y_j = 0 \\
            y_j \log p_j & y_j > 0
        \end{cases}

    with :math:`p = \operatorname{softmax}(x)` when ``from_logits=True``. With
    label smoothing :math:`\varepsilon` the target is first replaced by
    :math:`(1 - \varepsilon)\, y + \varepsilon / C`. ``gamma=0`` and ``alpha=1``
    give :func:`~xentlab.categorical_cross_entropy`.

    Parameters
    ----------
    y_true : array_like
        One-hot labels or target distributions, shape ``(N, C)`` (classes along ``axis``).
    y_pred : array_like
        Predicted probabilities (summing to 1 along ``axis``), or logits when
        ``from_logits=True`` (a ``-inf`` logit masks a class).
    from_logits : bool, default False
        Read ``y_pred`` as logits and compute from them without forming ``p``.
    alpha : float, default 0.25
        Scale :math:`\alpha \ge 0` of the whole loss (Keras's meaning: one scalar
        for every class; for a weight per class use
        :func:`~xentlab.categorical_cross_entropy` with ``class_weight``).
    gamma : float, default 2.0
        Focusing parameter :math:`\gamma \ge 0`.
    label_smoothing : float, default 0.0
        :math:`\varepsilon \in [0, 1]`. From logits the uniform part skips masked
        classes, as in :func:`~xentlab.categorical_cross_entropy`.
    axis : int, default -1
        The class axis.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns one loss per example (``axis`` removed).
    sample_weight : array_like of shape (N,), optional
        A non-negative weight per example; ``"mean"`` becomes the weighted mean.

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss in the inputs' float dtype.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN or outside [0, 1], a logit is NaN or
        ``+inf`` (or a row has only ``-inf``), or an option is out of range.
    TypeError
        If an input is not numeric or an option has the wrong type.

    Warns
    -----
    UserWarning
        If ``y_true`` (or ``y_pred``, for probabilities) does not sum to 1 along ``axis``.

    Notes
    -----
    From logits, :math:`\log p_j = (x_j - m) - \log(1 + r)` and
    :math:`1 - p_j = \sum_{k \ne j} e^{x_k - m} / (1 + r)`, with :math:`m` the row
    maximum and :math:`r = \sum_{k \ne \arg\max} e^{x_k - m}`: each is a sum of
    terms of one sign, so a confident right prediction keeps its tiny loss
    (:math:`1 - p_j` is never the rounded difference :math:`1 - 0.99999\ldots`).
    Unlike Keras, probabilities are neither renormalised nor clipped: a target
    class of probability 0 costs ``inf``, its true value.

    The loss is discussed in chapter 8 of the book, *Beyond the articles*
    (:cite:t:`lin2017focal`).

    See Also
    --------
    sigmoid_focal_loss : the focal loss of independent (sigmoid) classes.
    poly1_cross_entropy : another reweighting of the cross-entropy.
    categorical_cross_entropy : the :math:`\gamma = 0`, :math:`\alpha = 1` case.
    categorical_focal_grad : its gradient with respect to the logits.

    Examples
    --------
    An easy and a hard example: focusing shrinks the easy one by far more.

    >>> from xentlab import categorical_focal_loss, categorical_cross_entropy
    >>> y = [[1, 0, 0], [1, 0, 0]]
    >>> p = [[0.9, 0.05, 0.05], [0.3, 0.4, 0.3]]
    >>> print(categorical_cross_entropy(y, p, reduction="none").round(4))
    [0.1054 1.204 ]
    >>> print(categorical_focal_loss(y, p, alpha=1.0, reduction="none").round(4))
    [0.0011 0.5899]
    >>> print(f"{categorical_focal_loss([[1, 0, 0]], [[4.0, 1.0, 1.0]], from_logits=True):.3e}")
    1.946e-04
    """
    from_logits = check_option("from_logits", from_logits, choices=(True, False))
    a, g = _check_focal_options(alpha, gamma)
    smoothing = _check_smoothing(label_smoothing)
    reduction = check_reduction(reduction)
    z, x, axis = _softmax_targets(y_true, y_pred, from_logits, axis, smoothing)
    dtype = x.dtype.type
    rows = _focal_rows if from_logits else _focal_probability_rows

    def kernel(z_rows: Array, x_rows: Array) -> Array:
        return rows(z_rows, x_rows, dtype(a), dtype(g))

    return finish_loss(
        reduce_rows_in_blocks(kernel, x.dtype, axis, z, x), reduction, sample_weight
    )


def poly1_cross_entropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    epsilon: float = 2.0,
    label_smoothing: float = 0.0,
    axis: int = -1,
    reduction: str = "mean",
    sample_weight: ArrayLike | None = None,
) -> Loss:
    r"""Poly-1 cross-entropy of :cite:t:`leng2022polyloss` (optax's ``poly_loss_cross_entropy``).

    .. math::

        \ell(y, p) = -\sum_{j=1}^{C} y_j \log p_j + \epsilon\,(1 - p_t),
        \qquad p_t = \sum_{j=1}^{C} y_j p_j

    with :math:`0 \log 0 = 0` and :math:`p = \operatorname{softmax}(x)` when
    ``from_logits=True``. The cross-entropy is the series
    :math:`\sum_{n \ge 1} (1 - p_t)^n / n`; Poly-1 adds :math:`\epsilon` to the
    coefficient of its first term. ``epsilon=0`` gives
    :func:`~xentlab.categorical_cross_entropy`.

    Parameters
    ----------
    y_true : array_like
        One-hot labels or target distributions, shape ``(N, C)`` (classes along ``axis``).
    y_pred : array_like
        Predicted probabilities, or logits when ``from_logits=True`` (``-inf`` masks a class).
    from_logits : bool, default False
        Read ``y_pred`` as logits.
    epsilon : float, default 2.0
        :math:`\epsilon \ge -1` (optax's default is 2; the paper uses 1 or 2).
    label_smoothing : float, default 0.0
        Smooth the target first, :math:`(1 - \varepsilon) y + \varepsilon / C`;
        :math:`p_t` is then taken against the smoothed target, as in the paper.
    axis : int, default -1
        The class axis.
    reduction : {"mean", "sum", "none"}, default "mean"
    sample_weight : array_like of shape (N,), optional

    Returns
    -------
    numpy scalar or ndarray
        The reduced loss in the inputs' float dtype.

    Raises
    ------
    ValueError
        As :func:`categorical_focal_loss`, or if ``epsilon < -1``.
    TypeError
        If an input is not numeric or an option has the wrong type.

    Warns
    -----
    UserWarning
        If ``y_true`` (or ``y_pred``, for probabilities) does not sum to 1 along ``axis``.

    Notes
    -----
    :math:`1 - p_t` is computed as :math:`\sum_j y_j (1 - p_j) + (1 - \sum_j y_j)`,
    with :math:`1 - p_j` from the logits as in :func:`categorical_focal_loss`, so it
    keeps its relative accuracy when :math:`p_t` is close to 1.

    The loss is discussed in chapter 8 of the book, *Beyond the articles*.

    See Also
    --------
    categorical_cross_entropy : the ``epsilon=0`` case.
    categorical_focal_loss
    poly1_cross_entropy_grad : its gradient with respect to the logits.

    Examples
    --------
    >>> from xentlab import poly1_cross_entropy
    >>> y, p = [[0, 1, 0]], [[0.2, 0.7, 0.1]]
    >>> print(f"{poly1_cross_entropy(y, p, epsilon=1.0):.4f}")  # -log 0.7 + (1 - 0.7)
    0.6567
    >>> print(f"{poly1_cross_entropy(y, [[0.0, 2.0, -1.0]], from_logits=True):.4f}")
    0.4823
    """
    from_logits = check_option("from_logits", from_logits, choices=(True, False))
    eps = _check_epsilon(epsilon)
    smoothing = _check_smoothing(label_smoothing)
    reduction = check_reduction(reduction)
    z, x, axis = _softmax_targets(y_true, y_pred, from_logits, axis, smoothing)
    dtype = x.dtype.type
    rows = _poly1_rows if from_logits else _poly1_probability_rows

    def kernel(z_rows: Array, x_rows: Array) -> Array:
        return rows(z_rows, x_rows, dtype(eps))

    return finish_loss(
        reduce_rows_in_blocks(kernel, x.dtype, axis, z, x), reduction, sample_weight
    )


def _gradient_rows(kernel: Any, z: Array, x: Array, axis: int) -> Array:
    """``kernel(z_rows, x_rows)`` on the rows along ``axis``, put back in ``x``'s shape."""
    grad = kernel(as_rows(z, axis), as_rows(x, axis))
    return np.moveaxis(grad.reshape(np.moveaxis(x, axis, -1).shape), -1, axis)


def categorical_focal_grad(
    y_true: ArrayLike,
    logits: ArrayLike,
    *,
    alpha: float = 0.25,
    gamma: float = 2.0,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`categorical_focal_loss` (from logits) with respect to the logits.

    With :math:`p = \operatorname{softmax}(x)`, :math:`m_j = 1 - p_j` and
    :math:`\partial p_j / \partial x_k = p_j (\delta_{jk} - p_k)`, the chain rule gives

    .. math::

        \frac{\partial \ell}{\partial x_k} = \alpha \Bigl(p_k \sum_j A_j - A_k\Bigr),
        \qquad
        A_j = y_j\, m_j^{\gamma} \Bigl(1 - \gamma\, \frac{p_j \log p_j}{m_j}\Bigr)

    For :math:`\gamma = 0` this is :math:`\alpha (p \sum_j y_j - y)`, the gradient
    of the cross-entropy.

    Parameters
    ----------
    y_true : array_like
        Targets, same shape as ``logits``.
    logits : array_like
        Raw scores, classes along ``axis``.
    alpha, gamma, label_smoothing, axis
        As :func:`categorical_focal_loss`.

    Returns
    -------
    ndarray
        The gradient of the per-example losses (``reduction="sum"``), same shape
        and float dtype as ``logits``.

    Raises
    ------
    ValueError, TypeError
        As :func:`categorical_focal_loss`.

    Notes
    -----
    :math:`p_j \log p_j / m_j` tends to :math:`-1` as :math:`p_j \to 1`; with
    :math:`m_j` and :math:`\log p_j` both accurate (see
    :func:`categorical_focal_loss`) the quotient stays accurate, and where
    :math:`m_j` rounds to 0 its limit :math:`-1` is used, so the gradient is
    finite even for :math:`0 < \gamma < 1`. A masked class (logit ``-inf``) gets 0.

    Chapter 8 of the book, *Beyond the articles*, derives it.

    See Also
    --------
    categorical_focal_loss
    softmax_cross_entropy_grad : the :math:`\gamma = 0`, :math:`\alpha = 1` case.

    Examples
    --------
    >>> from xentlab import categorical_focal_grad
    >>> print(categorical_focal_grad([[1, 0]], [[0.0, 0.0]], alpha=1.0, gamma=0.0))
    [[-0.5  0.5]]
    """
    a, g = _check_focal_options(alpha, gamma)
    smoothing = _check_smoothing(label_smoothing)
    z, x, axis = _softmax_targets(y_true, logits, True, axis, smoothing)
    dtype = x.dtype.type

    def kernel(z_rows: Array, x_rows: Array) -> Array:
        return _focal_grad_rows(z_rows, x_rows, dtype(a), dtype(g))

    return _gradient_rows(kernel, z, x, axis)


def poly1_cross_entropy_grad(
    y_true: ArrayLike,
    logits: ArrayLike,
    *,
    epsilon: float = 2.0,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> NDArray[np.floating[Any]]:
    r"""Gradient of :func:`poly1_cross_entropy` (from logits) with respect to the logits.

    .. math::

        \frac{\partial \ell}{\partial x_k} = p_k \sum_j y_j - y_k
        + \epsilon\, p_k (p_t - y_k), \qquad p_t = \sum_j y_j p_j

    (the cross-entropy's gradient, plus :math:`\epsilon` times that of
    :math:`1 - p_t`, since :math:`\partial p_t / \partial x_k = p_k (y_k - p_t)`).

    Parameters
    ----------
    y_true : array_like
        Targets, same shape as ``logits``.
    logits : array_like
        Raw scores, classes along ``axis``.
    epsilon, label_smoothing, axis
        As :func:`poly1_cross_entropy`.

    Returns
    -------
    ndarray
        The gradient of the per-example losses, same shape and dtype as ``logits``.

    Raises
    ------
    ValueError, TypeError
        As :func:`poly1_cross_entropy`.

    Notes
    -----
    Chapter 8 of the book, *Beyond the articles*, uses it.

    See Also
    --------
    poly1_cross_entropy
    softmax_cross_entropy_grad : the ``epsilon=0`` case.

    Examples
    --------
    >>> from xentlab import poly1_cross_entropy_grad
    >>> print(poly1_cross_entropy_grad([[1, 0]], [[0.0, 0.0]], epsilon=1.0))
    [[-0.75  0.75]]
    """
    eps = _check_epsilon(epsilon)
    smoothing = _check_smoothing(label_smoothing)
    z, x, axis = _softmax_targets(y_true, logits, True, axis, smoothing)
    dtype = x.dtype.type

    def kernel(z_rows: Array, x_rows: Array) -> Array:
        return _poly1_grad_rows(z_rows, x_rows, dtype(eps))

    return _gradient_rows(kernel, z, x, axis)
