r"""Closed-form gradients of the losses, and a central-difference checker.

Each ``*_grad`` returns the gradient of the **per-example** losses with respect
to their own inputs, so row ``i`` is :math:`\partial \ell_i / \partial x_i`.
That is the gradient of ``reduction="sum"``; divide by ``N`` for ``"mean"``.
Chapters 4 and 7 of the book derive them; the tests check every one against
:func:`~xentlab.numerical_gradient`.
"""

import numpy as np

from ._validation import (
    as_class_labels,
    as_float_array,
    as_float_arrays,
    as_pos_weight,
    check_class_axis,
    check_finite,
    check_in_unit_interval,
    check_nonnegative_scalar,
    check_same_shape,
)
from .activations import _sigmoid, _softmax

__all__ = [
    "sigmoid_cross_entropy_grad",
    "weighted_cross_entropy_grad",
    "softmax_cross_entropy_grad",
    "sparse_softmax_cross_entropy_grad",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "mean_squared_error_grad",
    "multiclass_hinge_grad",
    "numerical_gradient",
    "check_gradient",
]


def _labels_logits(labels, logits):
    logits = as_float_array(logits, "logits")
    check_finite(logits, "logits")
    labels = as_float_array(labels, "labels", dtype=logits.dtype)
    check_same_shape(labels, logits, "labels", "logits")
    check_in_unit_interval(labels, "labels")
    return labels, logits


def sigmoid_cross_entropy_grad(*, labels, logits):
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

    Examples
    --------
    >>> from xentlab import sigmoid_cross_entropy_grad
    >>> print(sigmoid_cross_entropy_grad(labels=[1.0, 0.0], logits=[0.0, 2.0]).round(4))
    [-0.5     0.8808]
    """
    labels, logits = _labels_logits(labels, logits)
    # sigmoid(x) - z = (1 - z) sigmoid(x) - z sigmoid(-x): for z = 1 and large x the
    # left side is 1 - 1 = 0, the right side the true -exp(-x).
    return (1 - labels) * _sigmoid(logits) - labels * _sigmoid(-logits)


def weighted_cross_entropy_grad(*, labels, logits, pos_weight):
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
    labels, logits = _labels_logits(labels, logits)
    q = as_pos_weight(pos_weight, logits)
    s = _sigmoid(logits)
    # 1 - sigmoid(x) = sigmoid(-x), evaluated directly to stay exact for large x.
    return (1 - labels) * s - q * labels * _sigmoid(-logits)


def softmax_cross_entropy_grad(*, labels, logits, axis=-1):
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
    logits = as_float_array(logits, "logits")
    axis = check_class_axis(logits, "logits", axis)
    labels, logits = _labels_logits(labels, logits)
    return _softmax(logits, axis) * labels.sum(axis=axis, keepdims=True) - labels


def sparse_softmax_cross_entropy_grad(*, labels, logits, axis=-1):
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
    logits = as_float_array(logits, "logits")
    axis = check_class_axis(logits, "logits", axis)
    check_finite(logits, "logits")
    batch_shape = logits.shape[:axis] + logits.shape[axis + 1 :]
    codes = as_class_labels(labels, "labels", logits.shape[axis], batch_shape)
    grad = _softmax(logits, axis)
    index = np.expand_dims(codes, axis)
    np.put_along_axis(grad, index, np.take_along_axis(grad, index, axis=axis) - 1, axis=axis)
    return grad


def binary_cross_entropy_grad(y_true, y_pred):
    r"""Gradient of the elementwise :func:`~xentlab.binary_cross_entropy` w.r.t. ``y_pred``.

    .. math::

        \frac{\partial \ell}{\partial p} = \frac{p - y}{p\,(1 - p)}

    Parameters
    ----------
    y_true, y_pred : array_like
        Targets and probabilities, same shape; ``y_pred`` strictly inside (0, 1).

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        If ``y_pred`` is 0 or 1 somewhere (the gradient is infinite there), or as
        :func:`~xentlab.binary_cross_entropy`.

    Examples
    --------
    >>> from xentlab import binary_cross_entropy_grad
    >>> print(binary_cross_entropy_grad([1.0, 0.0], [0.8, 0.5]).round(4))
    [-1.25  2.  ]
    """
    y, p = _probabilities_inside(y_true, y_pred)
    return (p - y) / (p * (1 - p))


def categorical_cross_entropy_grad(y_true, y_pred):
    r"""Gradient of :func:`~xentlab.categorical_cross_entropy` w.r.t. ``y_pred``.

    .. math::

        \frac{\partial \ell}{\partial p_j} = -\frac{y_j}{p_j}

    Parameters
    ----------
    y_true, y_pred : array_like
        Targets and probabilities, same shape; ``y_pred`` > 0 wherever ``y_true`` > 0.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        If ``y_pred`` is 0 where ``y_true`` is not (infinite gradient), or as
        :func:`~xentlab.categorical_cross_entropy`.

    Notes
    -----
    Composed with the softmax Jacobian this gives the famous :math:`p - y` of
    :func:`softmax_cross_entropy_grad` (chapter 4 derives it).

    Examples
    --------
    >>> from xentlab import categorical_cross_entropy_grad
    >>> print(categorical_cross_entropy_grad([0, 1], [0.5, 0.5]))
    [-0. -2.]
    """
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_in_unit_interval(y, "y_true")
    check_in_unit_interval(p, "y_pred")
    if ((p == 0) & (y > 0)).any():
        raise ValueError(
            "y_pred is 0 where y_true is positive, so the gradient is infinite there; "
            "work from logits (softmax_cross_entropy_grad) or clip y_pred."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, -0.0, -y / p)


def mean_squared_error_grad(y_true, y_pred):
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
    return 2 * (p - y)


def multiclass_hinge_grad(y_true, scores, *, margin=1.0, squared=False, axis=-1):
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
    squared : bool, default False
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
    s = as_float_array(scores, "scores")
    axis = check_class_axis(s, "scores", axis)
    check_finite(s, "scores")
    margin = check_nonnegative_scalar(margin, "margin")
    batch_shape = s.shape[:axis] + s.shape[axis + 1 :]
    codes = as_class_labels(y_true, "y_true", s.shape[axis], batch_shape)
    index = np.expand_dims(codes, axis)
    h = np.maximum(0, s - np.take_along_axis(s, index, axis=axis) + margin)
    np.put_along_axis(h, index, 0, axis=axis)
    grad = 2 * h if squared else (h > 0).astype(s.dtype)
    np.put_along_axis(grad, index, -grad.sum(axis=axis, keepdims=True), axis=axis)
    return grad


def _probabilities_inside(y_true, y_pred):
    y, p = as_float_arrays((y_true, "y_true"), (y_pred, "y_pred"))
    check_same_shape(y, p, "y_true", "y_pred")
    check_in_unit_interval(y, "y_true")
    check_in_unit_interval(p, "y_pred")
    if ((p == 0) | (p == 1)).any():
        raise ValueError(
            "y_pred must be strictly inside (0, 1) for a finite gradient; work from "
            "logits (sigmoid_cross_entropy_grad) or clip y_pred."
        )
    return y, p


def numerical_gradient(f, x, *, eps=1e-6):
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
        Relative step.

    Returns
    -------
    ndarray
        Same shape as ``x``, float64.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a scalar.
    ValueError
        If ``x`` is empty or not finite, or ``eps`` is not positive.

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
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}.")
    x = as_float_array(x, "x", dtype=np.float64).copy()
    check_finite(x, "x")
    eps = check_nonnegative_scalar(eps, "eps")
    if eps == 0:
        raise ValueError("eps must be > 0, got 0.")
    grad = np.empty_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        h = eps * max(1.0, abs(original))
        flat_x[i] = original + h
        up = _scalar(f(x))
        flat_x[i] = original - h
        down = _scalar(f(x))
        flat_x[i] = original
        flat_g[i] = (up - down) / (2 * h)
    return grad


def _scalar(value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 0:
        raise TypeError(
            f"f must return a scalar, got an array of shape {arr.shape}; reduce it "
            "(for example with .sum())."
        )
    return float(arr)


def check_gradient(f, grad, x, *, eps=1e-6):
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
        If ``f`` or ``grad`` is not callable.
    ValueError
        If ``grad(x)`` does not have the shape of ``x``.

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
    if not callable(grad):
        raise TypeError(f"grad must be callable, got {type(grad).__name__}.")
    numeric = numerical_gradient(f, x, eps=eps)
    analytic = np.asarray(grad(np.asarray(x, dtype=np.float64)), dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"grad(x) has shape {analytic.shape} but x has shape {numeric.shape}; a "
            "gradient has the shape of its argument."
        )
    scale = np.maximum(1.0, np.maximum(np.abs(analytic), np.abs(numeric)))
    return float(np.max(np.abs(analytic - numeric) / scale))
