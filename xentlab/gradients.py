r"""Closed-form gradients of the losses, and a central-difference checker.

Each ``*_grad`` returns the gradient of the **per-example** losses with respect
to their own inputs, so row ``i`` is :math:`\partial \ell_i / \partial x_i`.
That is the gradient of ``reduction="sum"``; divide by ``N`` for ``"mean"``.
Chapters 4 and 7 of the book derive them; the tests check every one against
:func:`~xentlab.numerical_gradient`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._blocks import as_rows, reduce_rows_in_blocks
from ._validation import (
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
    check_class_logits,
    check_finite,
    check_in_unit_interval,
    check_logits,
    check_option,
    check_reduction,
    check_same_shape,
    only_with_logits,
    show_with_type,
)

__all__ = [
    "sigmoid_cross_entropy_grad",
    "weighted_cross_entropy_grad",
    "softmax_cross_entropy_grad",
    "sparse_softmax_cross_entropy_grad",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "mean_squared_error_grad",
    "multiclass_hinge_grad",
    "crammer_singer_hinge_grad",
    "numerical_gradient",
    "check_gradient",
    "sparse_categorical_cross_entropy_grad",
]

FloatArray = NDArray[np.floating[Any]]

# ------------------------------------------------------------------ validation


def _labels_logits(labels: ArrayLike, logits: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Logits (finite, or -inf for an impossible class), and labels in [0, 1] of their
    shape and dtype."""
    x = as_float_array(logits, "logits")
    check_logits(x, "logits")
    z = as_float_array(labels, "labels", dtype=x.dtype)
    check_same_shape(z, x, "labels", "logits")
    check_in_unit_interval(z, "labels")
    return z, x


def _scores_and_codes(
    y_true: ArrayLike, scores: ArrayLike, axis: Any, names: tuple[str, str]
) -> tuple[FloatArray, NDArray[np.intp], int]:
    """Finite scores, the class axis, and one class index per example."""
    label_name, score_name = names
    s = as_float_array(scores, score_name)
    axis = check_class_axis(s, score_name, axis)
    check_finite(s, score_name)
    codes = as_class_labels(y_true, label_name, s.shape[axis], batch_shape(s, axis))
    return s, codes, axis


def _probabilities(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Targets and probabilities in [0, 1], of one shape and dtype."""
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_in_unit_interval(y, "y_true")
    check_in_unit_interval(p, "y_pred")
    return y, p


# ----------------------------------------------------------------- from logits


def sigmoid_cross_entropy_grad(*, labels: ArrayLike, logits: ArrayLike) -> FloatArray:
    r"""Gradient of :func:`~xentlab.sigmoid_cross_entropy_with_logits` w.r.t. the logits.

    .. math::

        \frac{\partial \ell}{\partial x} = \sigma(x) - z

    Parameters
    ----------
    labels : array_like
        Targets in [0, 1], same shape as ``logits``.
    logits : array_like
        Raw scores.

    Returns
    -------
    ndarray
        Same shape and dtype as ``logits``, each entry in [-1, 1].

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.sigmoid_cross_entropy_with_logits`.

    Notes
    -----
    Computed as :math:`(1 - z)\,\sigma(x) - z\,\sigma(-x)`: for :math:`z = 1` and
    large :math:`x`, :math:`\sigma(x) - 1` rounds to 0 while :math:`-\sigma(-x)`
    keeps the true :math:`-e^{-x}`.

    Examples
    --------
    >>> from xentlab import sigmoid_cross_entropy_grad
    >>> print(sigmoid_cross_entropy_grad(labels=[1.0, 0.0], logits=[0.0, 2.0]).round(4))
    [-0.5     0.8808]
    """
    z, x = _labels_logits(labels, logits)
    return _kernels.sigmoid_cross_entropy_grad(z, x)


def weighted_cross_entropy_grad(
    *, labels: ArrayLike, logits: ArrayLike, pos_weight: ArrayLike
) -> FloatArray:
    r"""Gradient of :func:`~xentlab.weighted_cross_entropy_with_logits` w.r.t. the logits.

    .. math::

        \frac{\partial \ell}{\partial x} = (1 - z)\,\sigma(x) - q\, z\,\bigl(1 - \sigma(x)\bigr)

    Parameters
    ----------
    labels, logits : array_like
        As :func:`~xentlab.weighted_cross_entropy_with_logits`.
    pos_weight : float or array_like
        :math:`q \ge 0`, broadcast against ``logits``.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.weighted_cross_entropy_with_logits`.

    Examples
    --------
    >>> from xentlab import weighted_cross_entropy_grad
    >>> print(weighted_cross_entropy_grad(labels=[1.0], logits=[0.0], pos_weight=3.0))
    [-1.5]
    """
    z, x = _labels_logits(labels, logits)
    return _kernels.sigmoid_cross_entropy_grad(z, x, as_pos_weight(pos_weight, x))


def softmax_cross_entropy_grad(
    *, labels: ArrayLike, logits: ArrayLike, axis: int = -1
) -> FloatArray:
    r"""Gradient of :func:`~xentlab.softmax_cross_entropy_with_logits` w.r.t. the logits.

    .. math::

        \frac{\partial \ell}{\partial x_j} = \operatorname{softmax}(x)_j \sum_k z_k - z_j
        \;=\; p_j - z_j \quad \text{when } \textstyle\sum_k z_k = 1

    Parameters
    ----------
    labels : array_like
        Targets, same shape as ``logits``.
    logits : array_like
        Raw scores, classes along ``axis``.
    axis : int, default -1

    Returns
    -------
    ndarray
        Same shape as ``logits``; each slice along ``axis`` sums to 0 for normalised labels.

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.softmax_cross_entropy_with_logits`.

    Examples
    --------
    >>> from xentlab import softmax_cross_entropy_grad
    >>> g = softmax_cross_entropy_grad(labels=[0, 0, 1], logits=[-3.44, 1.16, 3.91])
    >>> print(g.round(4))
    [ 0.0006  0.0601 -0.0607]
    """
    z, x = _labels_logits(labels, logits)
    axis = check_class_axis(x, "logits", axis)
    check_class_logits(x, "logits", axis)
    return _kernels.softmax(x, axis) * z.sum(axis=axis, keepdims=True) - z


def sparse_softmax_cross_entropy_grad(
    *, labels: ArrayLike, logits: ArrayLike, axis: int = -1
) -> FloatArray:
    r"""Gradient of :func:`~xentlab.sparse_softmax_cross_entropy_with_logits`.

    .. math::

        \frac{\partial \ell}{\partial x_j} = p_j - [j = y]

    Parameters
    ----------
    labels : array_like of int
        Class indices, shape ``logits.shape`` without ``axis``.
    logits : array_like
    axis : int, default -1

    Returns
    -------
    ndarray
        Same shape as ``logits``.

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.sparse_softmax_cross_entropy_with_logits`.

    Examples
    --------
    >>> from xentlab import sparse_softmax_cross_entropy_grad
    >>> print(sparse_softmax_cross_entropy_grad(labels=2, logits=[-3.44, 1.16, 3.91]).round(4))
    [ 0.0006  0.0601 -0.0607]
    """
    x = as_float_array(logits, "logits")
    axis = check_class_axis(x, "logits", axis)
    check_class_logits(x, "logits", axis)  # -inf marks an impossible class: gradient 0
    codes = as_class_labels(labels, "labels", x.shape[axis], batch_shape(x, axis))
    grad = _kernels.softmax(x, axis)
    index = np.expand_dims(codes, axis)
    np.put_along_axis(grad, index, np.take_along_axis(grad, index, axis=axis) - 1, axis=axis)
    return grad


# ---------------------------------------------------------- from probabilities


def binary_cross_entropy_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    reduction: str = "none",
    sample_weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
    pos_weight: ArrayLike | None = None,
    where: ArrayLike | None = None,
) -> FloatArray:
    r"""Gradient of :func:`~xentlab.binary_cross_entropy` w.r.t. ``y_pred``.

    .. math::

        \frac{\partial \ell}{\partial p} = \frac{p - y}{p\,(1 - p)}, \qquad
        \frac{\partial \ell}{\partial x} = (1 - y)\,\sigma(x) - q\,y\,\sigma(-x)
        \quad \text{(from logits)}

    with :math:`y` the label after smoothing, :math:`y (1 - \varepsilon) + \varepsilon / 2`,
    and :math:`q` the ``pos_weight``. The second form is ``sigmoid(x) - y`` for
    :math:`q = 1`, written so that nothing cancels where :math:`\sigma(x)` rounds to 1.

    Parameters
    ----------
    y_true, y_pred : array_like
        Targets and probabilities, same shape; ``y_pred`` strictly inside (0, 1). With
        ``from_logits=True``, ``y_pred`` holds logits (``-inf`` where the label is 0
        and the outcome cannot occur: gradient 0 there).
    from_logits, reduction, sample_weight, label_smoothing, pos_weight, where
        As :func:`~xentlab.binary_cross_entropy` (``pos_weight`` and ``where`` need
        ``from_logits=True``). ``reduction="none"`` (the default) gives the gradient
        of each element's loss; ``"mean"`` and ``"sum"`` that of the reduced loss.

    Returns
    -------
    ndarray
        Shape and float dtype of ``y_pred``.

    Raises
    ------
    ValueError
        If ``y_pred`` is 0 or 1 somewhere (probabilities: the gradient is infinite
        there), or as :func:`~xentlab.binary_cross_entropy`.

    Examples
    --------
    >>> from xentlab import binary_cross_entropy_grad
    >>> print(binary_cross_entropy_grad([1.0, 0.0], [0.8, 0.5]).round(4))
    [-1.25  2.  ]
    >>> g = binary_cross_entropy_grad([1.0, 0.0], [2.0, -1.0], from_logits=True, reduction="mean")
    >>> print(g.round(4))  # (sigmoid(x) - y) / 2
    [-0.0596  0.1345]
    """
    reduction = check_reduction(reduction)
    smoothing = float(
        check_option("label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is typical.")
    )
    if check_option("from_logits", from_logits, choices=(True, False)):
        grad, counted = _binary_logits_grad(y_true, y_pred, smoothing, pos_weight, where)
    else:
        only_with_logits(pos_weight=pos_weight, where=where)
        y, p = _probabilities(y_true, y_pred)
        if ((p == 0) | (p == 1)).any():
            raise ValueError(
                "y_pred must be strictly inside (0, 1) for a finite gradient; work from "
                "logits (from_logits=True) or clip y_pred."
            )
        if smoothing:
            y = y * (1 - smoothing) + smoothing / 2
        grad, counted = (p - y) / (p * (1 - p)), np.ones_like(p)
    factor = _reduction_scale(counted.reshape(-1), reduction, sample_weight, counted.shape)
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: inf, not a warning
        return grad * factor.reshape(counted.shape)


def _binary_logits_grad(
    y_true: ArrayLike,
    logits: ArrayLike,
    smoothing: float,
    pos_weight: ArrayLike | None,
    where: ArrayLike | None,
) -> tuple[FloatArray, FloatArray]:
    """Elementwise gradient from logits, and each element's weight in the mean."""
    z, x = as_float_arrays((y_true, "y_true"), (logits, "y_pred"))
    check_same_shape(z, x, "y_true", "y_pred")
    check_in_unit_interval(z, "y_true")
    check_logits(x, "y_pred")
    mask = as_mask(where, x.shape, None)
    if smoothing:
        z = z * (1 - smoothing) + smoothing / 2
    q = None if pos_weight is None else as_pos_weight(pos_weight, x)
    grad = _kernels.sigmoid_cross_entropy_grad(z, x, q)
    if mask is None:
        return grad, np.ones_like(x)
    return np.where(mask, grad, 0).astype(x.dtype), mask.astype(x.dtype)


def categorical_cross_entropy_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    from_logits: bool = False,
    axis: int = -1,
    reduction: str = "none",
    sample_weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
    class_weight: ArrayLike | None = None,
    where: ArrayLike | None = None,
    z_loss: float = 0.0,
) -> FloatArray:
    r"""Gradient of :func:`~xentlab.categorical_cross_entropy` w.r.t. ``y_pred``.

    .. math::

        \frac{\partial \ell}{\partial p_j} = -\frac{t_j}{p_j}, \qquad
        \frac{\partial \ell}{\partial x_j} = p_j \Bigl(\sum_k t_k + 2 \zeta L\Bigr) - t_j
        \quad \text{(from logits)}

    where :math:`t_j = w_j \bigl((1 - \varepsilon) y_j + \varepsilon / C\bigr)` is the
    weighted, smoothed target (the smoothing skips masked classes),
    :math:`p = \operatorname{softmax}(x)`, :math:`L = \log \sum_k e^{x_k}` and
    :math:`\zeta` the ``z_loss`` coefficient. Without options the second form is the
    famous :math:`p - y` (chapter 4 derives it).

    Parameters
    ----------
    y_true, y_pred : array_like
        Targets and probabilities, same shape; ``y_pred`` > 0 wherever the target is.
        With ``from_logits=True``, ``y_pred`` holds logits (``-inf`` for an impossible
        class: gradient 0 there).
    from_logits, axis, reduction, sample_weight, label_smoothing, class_weight, where, z_loss
        As :func:`~xentlab.categorical_cross_entropy` (``where`` and ``z_loss`` need
        ``from_logits=True``). ``reduction="none"`` (the default) gives each row the
        gradient of its example's loss; ``"mean"`` and ``"sum"`` that of the reduced loss.

    Returns
    -------
    ndarray
        Shape and float dtype of ``y_pred``.

    Raises
    ------
    ValueError
        If ``y_pred`` is 0 where the target is not (probabilities: infinite
        gradient), or as :func:`~xentlab.categorical_cross_entropy`.

    Examples
    --------
    >>> from xentlab import categorical_cross_entropy_grad
    >>> print(categorical_cross_entropy_grad([0, 1], [0.5, 0.5]))
    [-0. -2.]
    >>> print(categorical_cross_entropy_grad([0, 1], [0.0, 0.0], from_logits=True))
    [ 0.5 -0.5]
    """
    reduction = check_reduction(reduction)
    smoothing = float(
        check_option("label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is typical.")
    )
    if check_option("from_logits", from_logits, choices=(True, False)):
        zeta = float(check_option("z_loss", z_loss, low=0, hint="1e-4 is typical."))
        grad, counted, axis = _categorical_logits_grad(
            y_true, y_pred, axis, smoothing, class_weight, where, zeta
        )
    else:
        only_with_logits(where=where, z_loss=z_loss)
        grad, counted, axis = _categorical_probability_grad(
            y_true, y_pred, axis, smoothing, class_weight
        )
    factor = _reduction_scale(counted.reshape(-1), reduction, sample_weight, counted.shape)
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: inf, not a warning
        return grad * np.expand_dims(factor.reshape(counted.shape), axis)


def _weighted_targets(
    y: FloatArray,
    axis: int,
    smoothing: float,
    class_weight: ArrayLike | None,
    allowed: NDArray[np.bool_] | None,
) -> FloatArray:
    """t = w ((1 - e) y + e / C), the smoothing over the allowed classes only."""
    n_classes = y.shape[axis]
    t = y
    if smoothing:
        uniform = smoothing / n_classes if allowed is None else allowed * (smoothing / n_classes)
        t = (1 - smoothing) * y + uniform
    w = as_class_weight(class_weight, n_classes, y.dtype)
    if w is not None:
        shape = [1] * y.ndim
        shape[axis] = n_classes
        t = t * w.reshape(shape)
    return t.astype(y.dtype, copy=False)


def _categorical_probability_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    axis: Any,
    smoothing: float,
    class_weight: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, int]:
    y, p = _probabilities(y_true, y_pred)
    axis = check_class_axis(p, "y_pred", axis)
    t = _weighted_targets(y, axis, smoothing, class_weight, None)
    if ((p == 0) & (t > 0)).any():
        raise ValueError(
            "y_pred is 0 where y_true is positive, so the gradient is infinite there; "
            "work from logits (from_logits=True) or clip y_pred."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(t == 0, -0.0, -t / p)
    return grad, np.ones(batch_shape(p, axis), p.dtype), axis


def _categorical_logits_grad(
    y_true: ArrayLike,
    logits: ArrayLike,
    axis: Any,
    smoothing: float,
    class_weight: ArrayLike | None,
    where: ArrayLike | None,
    zeta: float,
) -> tuple[FloatArray, FloatArray, int]:
    y, x = as_float_arrays((y_true, "y_true"), (logits, "y_pred"))
    check_same_shape(y, x, "y_true", "y_pred")
    x, axis, live = as_masked_logits(x, axis, where, "y_pred")
    check_in_unit_interval(y, "y_true")
    allowed = ~np.isneginf(x)
    t = _weighted_targets(y, axis, smoothing, class_weight, allowed)
    coefficient = t.sum(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):  # fully masked rows: dropped below
        p = _kernels.softmax(x, axis)
        if zeta:
            lse = reduce_rows_in_blocks(_kernels.logsumexp_rows, x.dtype, axis, x)
            coefficient = coefficient + 2 * zeta * np.expand_dims(lse, axis)
        grad = p * coefficient - t
    counted = np.ones(batch_shape(x, axis), x.dtype)
    if live is not None:
        grad = np.where(np.expand_dims(live, axis), grad, 0).astype(x.dtype)
        counted = live.astype(x.dtype)
    return grad, counted, axis


def mean_squared_error_grad(y_true: ArrayLike, y_pred: ArrayLike) -> FloatArray:
    r"""Gradient of the elementwise squared error w.r.t. ``y_pred``.

    .. math::

        \frac{\partial}{\partial \hat y} (y - \hat y)^2 = 2 (\hat y - y)

    Parameters
    ----------
    y_true, y_pred : array_like
        Same shape, finite.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.mean_squared_error`.

    Examples
    --------
    >>> from xentlab import mean_squared_error_grad
    >>> print(mean_squared_error_grad([1.0, 0.0], [0.9, 0.2]).round(4))
    [-0.2  0.4]
    """
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_finite(y, "y_true")
    check_finite(p, "y_pred")
    with np.errstate(over="ignore"):  # beyond the float range: inf, its rounded value
        return 2 * (p - y)


def multiclass_hinge_grad(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    margin: float = 1.0,
    squared: bool = False,
    axis: int = -1,
) -> FloatArray:
    r"""(Sub)gradient of :func:`~xentlab.multiclass_hinge_loss` w.r.t. the scores.

    .. math::

        \frac{\partial \ell}{\partial s_j} = k\,h_j^{k-1}\,[h_j > 0] \quad (j \ne y), \qquad
        \frac{\partial \ell}{\partial s_y} = -\sum_{j \ne y} \frac{\partial \ell}{\partial s_j}

    with :math:`h_j = \max(0, s_j - s_y + \Delta)` and :math:`k = 1` or 2. At a
    kink (:math:`h_j = 0` exactly) the subgradient 0 is used.

    Parameters
    ----------
    y_true : array_like of int
    scores : array_like
    margin : float, default 1.0
        :math:`\Delta \ge 0`.
    squared : bool, default False
        True for the squared hinge (:math:`k = 2`).
    axis : int, default -1

    Returns
    -------
    ndarray
        Same shape as ``scores``.

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.multiclass_hinge_loss`.

    Examples
    --------
    >>> from xentlab import multiclass_hinge_grad
    >>> print(multiclass_hinge_grad([0], [[3.2, 5.1, -1.7]]))
    [[-1.  1.  0.]]
    """
    s, codes, axis = _scores_and_codes(y_true, scores, axis, ("y_true", "scores"))
    margin = check_option("margin", margin, low=0)
    squared = check_option("squared", squared, choices=(True, False))
    index = np.expand_dims(codes, axis)
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: inf
        h = np.maximum(0, s - np.take_along_axis(s, index, axis=axis) + margin)
        np.put_along_axis(h, index, 0, axis=axis)
        grad = 2 * h if squared else (h > 0).astype(s.dtype)
        np.put_along_axis(grad, index, -grad.sum(axis=axis, keepdims=True), axis=axis)
    return grad


# ------------------------------------------------------- central differences


def _check_callable(value: object, name: str) -> None:
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {show_with_type(value)}.")


def _value_of_f(value: object) -> float:
    """``f(x)`` as a float; ``f`` must return one real number."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"f must return a real number, got {show_with_type(value)}; "
            "make f return the loss (a forgotten return statement gives None)."
        )
    if arr.ndim != 0:
        raise TypeError(
            f"f must return a scalar, got an array of shape {arr.shape}; reduce it "
            "(for example with .sum())."
        )
    return float(arr)


def numerical_gradient(
    f: Callable[[NDArray[np.float64]], Any], x: ArrayLike, *, eps: float = 1e-6
) -> NDArray[np.float64]:
    r"""Gradient of a scalar function by central differences.

    .. math::

        \frac{\partial f}{\partial x_i} \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h}, \qquad h = \epsilon \max(1, |x_i|)

    The error is :math:`O(h^2)` from truncation plus :math:`O(\text{ulp}/h)`
    from rounding; :math:`\epsilon = 10^{-6}` balances them in float64.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar (a 0-d array or Python number).
    x : array_like
        The point, any shape. Evaluated in float64.
    eps : float, default 1e-6
        Relative step, > 0.

    Returns
    -------
    ndarray
        Same shape as ``x``, float64.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a real scalar (``None``
        included), or ``eps`` is not a real number.
    ValueError
        If ``x`` is empty or not finite, or ``eps`` is not finite and positive.

    See Also
    --------
    check_gradient

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import numerical_gradient
    >>> print(numerical_gradient(lambda v: np.sum(v ** 2), [1.0, -2.0]).round(6))
    [ 2. -4.]
    """
    _check_callable(f, "f")
    point = as_float_array(x, "x", dtype=np.float64).copy()  # the caller's x stays as it is
    check_finite(point, "x")
    step = check_option(
        "eps",
        eps,
        low=0,
        low_open=True,
        high=1,
        hint="a relative step; 1e-6 balances truncation and rounding in float64.",
    )
    grad = np.empty_like(point)
    flat_x, flat_g = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        h = step * max(1.0, abs(original))
        flat_x[i] = original + h
        up = _value_of_f(f(point))
        flat_x[i] = original - h
        down = _value_of_f(f(point))
        flat_x[i] = original
        flat_g[i] = (up - down) / (2 * h)
    return grad


def check_gradient(
    f: Callable[[NDArray[np.float64]], Any],
    grad: Callable[[NDArray[np.float64]], ArrayLike],
    x: ArrayLike,
    *,
    eps: float = 1e-6,
) -> float:
    r"""Largest relative error between an analytic gradient and central differences.

    .. math::

        \max_i \frac{|g_i - \hat g_i|}{\max(1, |g_i|, |\hat g_i|)}

    where :math:`g = ` ``grad(x)`` and :math:`\hat g` = :func:`numerical_gradient`.

    Parameters
    ----------
    f : callable
        Scalar function of ``x``.
    grad : callable
        Its claimed gradient, ``grad(x)`` of the same shape as ``x``.
    x : array_like
        The point.
    eps : float, default 1e-6
        Relative step of the central differences.

    Returns
    -------
    float
        Below about 1e-7 in float64 for a correct smooth gradient; of order 1 for a
        wrong one (a lost factor, a sign, a transposition).

    Raises
    ------
    TypeError
        If ``f`` or ``grad`` is not callable, or ``grad(x)`` is not an array of
        real numbers; or as :func:`numerical_gradient`.
    ValueError
        If ``grad(x)`` does not have the shape of ``x``; or as :func:`numerical_gradient`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import check_gradient, log_softmax, softmax
    >>> f = lambda x: -log_softmax(x)[2]
    >>> right = lambda x: softmax(x) - np.array([0.0, 0.0, 1.0])
    >>> wrong = lambda x: softmax(x)
    >>> x = [-3.44, 1.16, 3.91]
    >>> print(check_gradient(f, right, x) < 1e-7, check_gradient(f, wrong, x) > 0.1)
    True True
    """
    _check_callable(grad, "grad")
    numeric = numerical_gradient(f, x, eps=eps)
    claimed = grad(np.asarray(x, dtype=np.float64))
    analytic = np.asarray(claimed)
    if analytic.dtype.kind not in "iuf":
        raise TypeError(
            f"grad must return an array of real numbers, got {show_with_type(claimed)}."
        )
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"grad(x) has shape {analytic.shape} but x has shape {numeric.shape}; a "
            "gradient has the shape of its argument."
        )
    analytic = analytic.astype(np.float64)
    scale = np.maximum(1.0, np.maximum(np.abs(analytic), np.abs(numeric)))
    return float(np.max(np.abs(analytic - numeric) / scale))


# --------------------------------------------- the cross-entropies from logits


def sparse_categorical_cross_entropy_grad(
    y_true: ArrayLike,
    logits: ArrayLike,
    *,
    axis: int = -1,
    reduction: str = "none",
    sample_weight: ArrayLike | None = None,
    label_smoothing: float = 0.0,
    class_weight: ArrayLike | None = None,
    ignore_index: int | None = None,
    where: ArrayLike | None = None,
    z_loss: float = 0.0,
) -> NDArray[np.floating[Any]]:
    r"""Gradient of ``sparse_categorical_cross_entropy(..., from_logits=True)`` w.r.t. the logits.

    With :math:`p = \operatorname{softmax}(x)`, class weights :math:`w`, smoothing
    :math:`\varepsilon` over :math:`C` classes and z-loss coefficient :math:`\zeta`,
    example :math:`i` costs
    :math:`\ell_i = (1 - \varepsilon) w_{y} (L - x_{y})
    + \frac{\varepsilon}{C} \sum_{k} w_k (L - x_k) + \zeta L^2`
    with :math:`L = \log \sum_k e^{x_k}` and :math:`\partial L / \partial x_j = p_j`, so

    .. math::

        \frac{\partial \ell_i}{\partial x_j} = p_j \Bigl((1 - \varepsilon) w_y
        + \frac{\varepsilon}{C} \sum_k w_k + 2 \zeta L\Bigr)
        - (1 - \varepsilon) w_y [j = y] - \frac{\varepsilon}{C} w_j .

    Masked classes (``-inf`` logits or ``where=False``) have :math:`p_j = 0` and
    drop out of both sums: their gradient is 0. Ignored targets and fully masked
    rows get a zero row. The reduction is applied as in the loss: ``"mean"``
    divides by the summed weights of the counted targets (times ``sample_weight``).

    Parameters
    ----------
    y_true, logits, axis, reduction, sample_weight
        As :func:`sparse_categorical_cross_entropy` with ``from_logits=True``.
    label_smoothing, class_weight, ignore_index, where, z_loss
        The options of that loss, with the same meaning.

    Returns
    -------
    ndarray
        The gradient of the reduced loss, shape and float dtype of ``logits``; for
        ``reduction="none"``, row :math:`i` is the gradient of :math:`\ell_i`.

    Raises
    ------
    ValueError, TypeError
        As :func:`sparse_categorical_cross_entropy`.

    See Also
    --------
    sparse_softmax_cross_entropy_grad : the plain gradient, softmax(x) - onehot(y).

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import sparse_categorical_cross_entropy_grad
    >>> g = sparse_categorical_cross_entropy_grad([0], [[0.0, 0.0, -np.inf]], reduction="sum")
    >>> print(g.round(4))  # the masked class gets exactly 0
    [[-0.5  0.5  0. ]]
    """
    x, axis, live = as_masked_logits(logits, axis, where)
    smoothing = float(
        check_option("label_smoothing", label_smoothing, low=0, high=1, hint="0.1 is typical.")
    )
    zeta = float(check_option("z_loss", z_loss, low=0, hint="1e-4 is typical."))
    reduction = check_reduction(reduction)
    ignore = check_option("ignore_index", ignore_index, integer=True, allow_none=True)
    n_classes = x.shape[axis]
    codes = as_class_labels(y_true, "y_true", n_classes, batch_shape(x, axis), ignore_index=ignore)
    w = as_class_weight(class_weight, n_classes, x.dtype)
    rows = as_rows(x, axis)
    flat_codes = codes.reshape(-1)
    grad = _sparse_option_grad_rows(rows, flat_codes, smoothing, zeta, w)
    counted = np.ones(rows.shape[0], x.dtype) if w is None else w[flat_codes].astype(x.dtype)
    excluded = np.zeros(rows.shape[0], bool)
    if ignore is not None:
        excluded |= (np.asarray(y_true) == ignore).reshape(-1)
    if live is not None:
        excluded |= ~live.reshape(-1)
    grad[excluded] = 0.0
    counted[excluded] = 0.0
    scale = _reduction_scale(counted, reduction, sample_weight, batch_shape(x, axis))
    with np.errstate(over="ignore", invalid="ignore"):  # huge weights: inf, not a warning
        grad *= scale.reshape(-1, 1)
    moved = np.moveaxis(x, axis, -1).shape
    return np.moveaxis(grad.reshape(moved), -1, axis)


def _sparse_option_grad_rows(
    x: NDArray[Any], codes: NDArray[Any], smoothing: float, zeta: float, w: NDArray[Any] | None
) -> NDArray[Any]:
    """Gradient of each row's loss (see the formula above), rows of shape (N, C)."""
    n, n_classes = x.shape
    p = _kernels.softmax(x, 1)
    allowed = ~np.isneginf(x)
    w_row = np.ones((1, n_classes), x.dtype) if w is None else w[np.newaxis, :]
    w_true = w_row[0, codes] if w is not None else np.ones(n, x.dtype)
    coefficient = (1 - smoothing) * w_true
    uniform = smoothing / n_classes * np.where(allowed, w_row, 0)
    coefficient = coefficient + uniform.sum(axis=1)
    if zeta:
        with np.errstate(invalid="ignore"):
            lse = reduce_rows_in_blocks(_kernels.logsumexp_rows, x.dtype, 1, x)
        coefficient = coefficient + 2 * zeta * lse
    grad = p * coefficient[:, np.newaxis] - uniform
    grad[np.arange(n), codes] -= (1 - smoothing) * w_true
    return grad.astype(x.dtype, copy=False)


def _reduction_scale(
    counted: NDArray[Any],
    reduction: str,
    sample_weight: ArrayLike | None,
    shape: tuple[int, ...],
) -> NDArray[Any]:
    """The factor of each example's gradient in the reduced loss."""
    s = as_sample_weight(sample_weight, shape[0] if shape else 1, counted.dtype)
    factor = np.ones_like(counted)
    if s is not None:
        factor = np.broadcast_to(s.reshape((-1,) + (1,) * (len(shape) - 1)), shape).reshape(-1)
        factor = factor.astype(counted.dtype)
    if reduction != "mean":
        return factor
    with np.errstate(over="ignore"):  # huge weights: an inf denominator, a zero gradient
        denominator = (factor * counted).sum()
    if denominator == 0:
        raise ValueError(
            "no target counts towards the mean: every one is ignored (ignore_index), "
            "masked (where) or has weight 0, so the mean is 0 / 0. Use reduction='sum' "
            "(which gives 0) or check how the batch was built."
        )
    return factor / denominator


def crammer_singer_hinge_grad(
    y_true: ArrayLike,
    scores: ArrayLike,
    *,
    margin: float = 1.0,
    axis: int = -1,
) -> FloatArray:
    r"""(Sub)gradient of :func:`~xentlab.crammer_singer_hinge_loss` w.r.t. the scores.

    With :math:`k = \arg\max_{j \ne y} s_j` (the first one on a tie) and
    :math:`h = \Delta + s_k - s_y`:

    .. math::

        \frac{\partial \ell}{\partial s_k} = [h > 0], \qquad
        \frac{\partial \ell}{\partial s_y} = -[h > 0], \qquad
        \frac{\partial \ell}{\partial s_j} = 0 \text{ otherwise}

    At the kink (:math:`h = 0` exactly) the subgradient 0 is used.

    Parameters
    ----------
    y_true : array_like of int
    scores : array_like
    margin : float, default 1.0
        :math:`\Delta \ge 0`.
    axis : int, default -1

    Returns
    -------
    ndarray
        Same shape and dtype as ``scores``.

    Raises
    ------
    ValueError, TypeError
        As :func:`~xentlab.crammer_singer_hinge_loss`.

    Notes
    -----
    Chapter 6 of the book, *Hinge vs cross-entropy*, compares the hinge losses.

    See Also
    --------
    multiclass_hinge_grad : the Weston-Watkins loss's, one term per violating class.

    Examples
    --------
    >>> from xentlab import crammer_singer_hinge_grad
    >>> print(crammer_singer_hinge_grad([0], [[3.2, 5.1, -1.7]]))
    [[-1.  1.  0.]]
    """
    s, codes, axis = _scores_and_codes(y_true, scores, axis, ("y_true", "scores"))
    if s.shape[axis] < 2:
        raise ValueError(
            f"scores needs at least two classes along axis {axis}, got shape {s.shape}; "
            "for a single score per example use hinge_loss."
        )
    margin = check_option("margin", margin, low=0)
    index = np.expand_dims(codes, axis)
    others = s.copy()
    np.put_along_axis(others, index, -np.inf, axis=axis)
    best = np.argmax(others, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        active = (
            margin
            + np.take_along_axis(others, best, axis=axis)
            - np.take_along_axis(s, index, axis=axis)
        ) > 0
    grad = np.zeros_like(s)
    np.put_along_axis(grad, best, active.astype(s.dtype), axis=axis)
    np.put_along_axis(grad, index, -active.astype(s.dtype), axis=axis)
    return grad
