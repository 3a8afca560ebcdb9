r"""Temperature scaling: one number that re-calibrates a softmax classifier.

Guo et al. (2017) divide the logits by a temperature :math:`T` fitted on a
validation split. Chapter 8 of the book, *Beyond the articles*, derives the fit
and measures its effect on the expected calibration error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._validation import (
    as_class_labels,
    as_float_array,
    check_finite,
    check_no_nan,
    check_option,
    show_with_type,
    warn,
)

__all__ = ["fit_temperature", "apply_temperature"]

FloatArray = NDArray[np.floating[Any]]


# --------------------------------------------------------------------- kernels


def _gaps(x: FloatArray) -> FloatArray:
    """``x - max(x)`` of each row: <= 0, and -inf where a gap exceeds the float range."""
    with np.errstate(over="ignore"):  # -inf is then the right rounding: e^{-inf} = 0
        return x - x.max(axis=1, keepdims=True)


def _slope_and_curvature(
    beta: float, gaps: FloatArray, gap_true: FloatArray
) -> tuple[float, float]:
    # f(b) = mean(logsumexp(b x) - b x_y);  f'(b) = mean(E_p[x] - x_y),
    # f''(b) = mean(Var_p[x]) >= 0 with p = softmax(b x): f is convex in b = 1/T.
    # Shifting each row by its maximum (d = x - max x) changes none of them.
    with np.errstate(over="ignore"):  # b d may overflow to -inf: p = 0 there
        p = _kernels.softmax(beta * gaps, 1)
        d = np.where(p > 0, gaps, 0.0)  # classes of probability 0 add 0 (not 0 x -inf)
        mean_d = (p * d).sum(axis=1)
        var_d = (p * (d - mean_d[:, np.newaxis]) ** 2).sum(axis=1)
        # +inf where a true class lies further below the maximum than the float range.
        return float(np.mean(mean_d - gap_true)), float(np.mean(var_d))


def _fit_inverse_temperature(
    gaps: FloatArray, gap_true: FloatArray, low: float, high: float
) -> float:
    """The minimiser of the convex f on [low, high]: Newton kept inside a bracket."""
    if _slope_and_curvature(low, gaps, gap_true)[0] >= 0:
        return low
    if _slope_and_curvature(high, gaps, gap_true)[0] <= 0:
        return high
    beta = min(max(1.0, low), high)
    for _ in range(200):
        slope, curvature = _slope_and_curvature(beta, gaps, gap_true)
        low, high = (low, beta) if slope > 0 else (beta, high)  # f' is increasing
        step = beta - slope / curvature if curvature > 0 else np.nan
        if abs(step - beta) <= 1e-13 * beta:  # False for nan
            return step
        beta = step if low < step < high else 0.5 * (low + high)  # else bisect
    return beta


# ------------------------------------------------------------------ validation


def _check_temperature(value: Any, name: str) -> float:
    return float(
        check_option(
            name,
            value,
            low=0,
            low_open=True,
            hint="T = 1 leaves the logits unchanged, T > 1 softens, T < 1 sharpens.",
        )
    )


def _check_bounds(bounds: Any) -> tuple[float, float]:
    """``(T_min, T_max)``, two positive numbers in increasing order."""
    if isinstance(bounds, str) or not hasattr(bounds, "__len__"):
        raise TypeError(f"bounds must be a pair (T_min, T_max), got {show_with_type(bounds)}.")
    if len(bounds) != 2:
        raise ValueError(
            f"bounds must be a pair (T_min, T_max), got {len(bounds)} value(s); "
            "(0.05, 20.0) is the default."
        )
    low = _check_temperature(bounds[0], "bounds[0]")
    high = _check_temperature(bounds[1], "bounds[1]")
    if not low < high:
        raise ValueError(
            f"bounds must satisfy T_min < T_max, got ({low!r}, {high!r}); (0.05, 20.0) is "
            "the default."
        )
    return low, high


# ---------------------------------------------------------------------- public


def fit_temperature(
    logits: ArrayLike, labels: ArrayLike, *, bounds: tuple[float, float] = (0.05, 20.0)
) -> float:
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
        If an input is not numeric, or ``bounds`` is not a pair of real numbers.

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
    gaps = _gaps(x)
    gap_true = gaps[np.arange(x.shape[0]), codes]
    beta = _fit_inverse_temperature(gaps, gap_true, 1.0 / t_max, 1.0 / t_min)
    if beta in (1.0 / t_max, 1.0 / t_min):
        warn(
            f"the optimal temperature is at or beyond the bound T = {1.0 / beta:g} of "
            f"bounds=({t_min!r}, {t_max!r}); widen bounds if a more extreme temperature is "
            "plausible (a validation split the model fits perfectly drives T towards 0)."
        )
    return float(1.0 / beta)


def apply_temperature(logits: ArrayLike, temperature: float) -> FloatArray:
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
        If ``logits`` is not numeric, or ``temperature`` is not a real number.

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
    check_no_nan(x, "logits")
    return x / x.dtype.type(t)
