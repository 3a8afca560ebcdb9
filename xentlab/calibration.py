r"""Temperature scaling: one number that re-calibrates a softmax classifier.

Guo et al. (2017) divide the logits by a temperature :math:`T` fitted on a
validation split. Chapter 8 of the book, *Beyond the articles*, derives the fit
and measures its effect on the expected calibration error.
"""

import warnings

import numpy as np

from ._validation import as_class_labels, as_float_array, check_finite
from .activations import _softmax

__all__ = ["fit_temperature", "apply_temperature"]


# --------------------------------------------------------------------- kernels


def _slope_and_curvature(beta, x, x_true):
    # f(b) = mean(logsumexp(b x) - b x_y);  f'(b) = mean(E_p[x] - x_y),
    # f''(b) = mean(Var_p[x]) >= 0 with p = softmax(b x): f is convex in b = 1/T.
    p = _softmax(beta * x, axis=1)
    mean_x = (p * x).sum(axis=1)
    var_x = (p * (x - mean_x[:, np.newaxis]) ** 2).sum(axis=1)
    return np.mean(mean_x - x_true), np.mean(var_x)


def _fit_inverse_temperature(x, x_true, low, high):
    """The minimiser of the convex f on [low, high]: Newton kept inside a bracket."""
    if _slope_and_curvature(low, x, x_true)[0] >= 0:
        return low
    if _slope_and_curvature(high, x, x_true)[0] <= 0:
        return high
    beta = min(max(1.0, low), high)
    for _ in range(200):
        slope, curvature = _slope_and_curvature(beta, x, x_true)
        low, high = (low, beta) if slope > 0 else (beta, high)  # f' is increasing
        step = beta - slope / curvature if curvature > 0 else np.nan
        if abs(step - beta) <= 1e-13 * beta:  # False for nan
            return step
        beta = step if low < step < high else 0.5 * (low + high)  # else bisect
    return beta


# ------------------------------------------------------------------ validation


def _check_temperature(value, name):
    if isinstance(value, bool) or not np.isscalar(value) or not np.isreal(value):
        raise TypeError(f"{name} must be a positive real number, got {value!r}.")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"{name} must be finite and > 0, got {value!r}; T = 1 leaves the logits "
            "unchanged, T > 1 softens, T < 1 sharpens."
        )
    return float(value)


def _check_bounds(bounds):
    try:
        low, high = bounds
    except (TypeError, ValueError):
        raise ValueError(
            f"bounds must be a pair (T_min, T_max), got {bounds!r}."
        ) from None
    low = _check_temperature(low, "bounds[0]")
    high = _check_temperature(high, "bounds[1]")
    if not low < high:
        raise ValueError(
            f"bounds must satisfy T_min < T_max, got {bounds!r}; (0.05, 20.0) is the default."
        )
    return low, high


# ---------------------------------------------------------------------- public


def fit_temperature(logits, labels, *, bounds=(0.05, 20.0)):
    r"""Temperature scaling: the :math:`T > 0` that minimises the validation log loss.

    .. math::

        T^\star = \arg\min_{T} \; \frac{1}{N} \sum_{i=1}^{N}
        -\log \operatorname{softmax}(x_i / T)_{y_i}

    :cite:p:`guo2017calibration`. Dividing by :math:`T` keeps the arg-max (and
    so the accuracy) and only changes the confidence: :math:`T > 1` softens an
    over-confident model, :math:`T < 1` sharpens an under-confident one.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        The model's logits on a validation split (not the training data, on which
        the model is over-confident by construction).
    labels : array_like of int, shape (N,)
        Class indices in ``[0, C)``.
    bounds : (float, float), default (0.05, 20.0)
        The search interval :math:`[T_{\min}, T_{\max}]`, both > 0.

    Returns
    -------
    float
        The fitted temperature, accurate to about 13 significant digits.

    Raises
    ------
    ValueError
        If the shapes do not fit, a logit is NaN or infinite, a label is out of
        range, or ``bounds`` is not an increasing pair of positive numbers.
    TypeError
        If an input is not numeric.

    Warns
    -----
    UserWarning
        If the optimum lies at or beyond a bound (for example every validation
        example is already right with a margin, so the loss keeps falling as
        :math:`T \to 0`): the bound is returned; widen ``bounds`` if that is wrong.

    Notes
    -----
    With :math:`\beta = 1/T` the objective is

    .. math::

        f(\beta) = \frac{1}{N}\sum_i \bigl(\operatorname{logsumexp}(\beta x_i)
        - \beta x_{i y_i}\bigr),

    whose derivatives are

    .. math::

        f'(\beta) = \frac{1}{N}\sum_i \bigl(\mathbb{E}_{p_i}[x_i] - x_{i y_i}\bigr), \qquad
        f''(\beta) = \frac{1}{N}\sum_i \operatorname{Var}_{p_i}[x_i] \ge 0,

    with :math:`p_i = \operatorname{softmax}(\beta x_i)`. So :math:`f` is convex
    in :math:`1/T` and its minimiser is the root of the increasing :math:`f'`:
    Newton's method on :math:`\beta`, kept inside a shrinking bracket (bisection
    when a Newton step would leave it), finds it in a handful of steps, in float64.
    At the optimum the model's expected logit equals the true class's logit on average.

    See Also
    --------
    apply_temperature : divide logits by the fitted temperature.
    expected_calibration_error : measure the effect.

    Examples
    --------
    Logits that are twice too confident: the labels are drawn from
    ``softmax(logits / 2)``, so the fit finds a temperature near 2.

    >>> import numpy as np
    >>> from xentlab import fit_temperature, softmax
    >>> rng = np.random.default_rng(0)
    >>> logits = 3 * rng.standard_normal((5000, 4))
    >>> probs = softmax(logits / 2)
    >>> labels = (rng.random((5000, 1)) > probs.cumsum(axis=1)[:, :-1]).sum(axis=1)
    >>> print(f"{fit_temperature(logits, labels):.2f}")
    2.01
    """
    x = as_float_array(logits, "logits", dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(
            f"logits must have shape (N, C), one row of class scores per example, got "
            f"shape {x.shape}."
        )
    check_finite(x, "logits")
    codes = as_class_labels(labels, "labels", x.shape[1], x.shape[:1])
    t_min, t_max = _check_bounds(bounds)
    x_true = x[np.arange(x.shape[0]), codes]
    beta = _fit_inverse_temperature(x, x_true, 1.0 / t_max, 1.0 / t_min)
    if beta in (1.0 / t_max, 1.0 / t_min):
        warnings.warn(
            f"the optimal temperature is at or beyond the bound T = {1.0 / beta:g} of "
            f"bounds={bounds!r}; widen bounds if a more extreme temperature is plausible "
            "(a validation split the model fits perfectly drives T towards 0).",
            UserWarning,
            stacklevel=2,
        )
    return float(1.0 / beta)


def apply_temperature(logits, temperature):
    r"""Divide logits by a temperature: :math:`x / T`.

    Parameters
    ----------
    logits : array_like
        Logits of any shape.
    temperature : float
        :math:`T > 0`, for example from :func:`fit_temperature`.

    Returns
    -------
    ndarray
        ``logits / temperature``, same shape and float dtype as ``logits``;
        pass it to :func:`~xentlab.softmax` for calibrated probabilities.

    Raises
    ------
    ValueError
        If ``temperature`` is not finite and positive, or a logit is NaN.
    TypeError
        If an input is not numeric.

    See Also
    --------
    fit_temperature

    Examples
    --------
    >>> from xentlab import apply_temperature, softmax
    >>> print(softmax(apply_temperature([2.0, 0.0], 2.0)).round(4))
    [0.7311 0.2689]
    """
    x = as_float_array(logits, "logits")
    t = _check_temperature(temperature, "temperature")
    if np.isnan(x).any():
        raise ValueError("logits contains NaN; remove or impute the NaN values first.")
    return x / x.dtype.type(t)
