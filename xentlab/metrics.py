r"""Metrics that read probabilities: top-k accuracy, calibration, perplexity.

They return Python floats (as scikit-learn's metrics do). Chapter 8 of the
book, *Beyond the articles*, uses them to measure what a loss does to a
classifier's confidence.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import (
    as_class_labels,
    as_float_array,
    as_sample_weight,
    check_base,
    check_finite,
    check_in_unit_interval,
    check_option,
    check_sums_to_one,
    warn,
)
from .losses import sparse_categorical_cross_entropy

__all__ = [
    "top_k_accuracy",
    "expected_calibration_error",
    "reliability_curve",
    "ReliabilityCurve",
    "perplexity",
]

STRATEGIES = ("uniform", "quantile")

FloatArray = NDArray[np.floating[Any]]


class ReliabilityCurve(NamedTuple):
    """Per-bin statistics of a reliability diagram (non-empty bins only)."""

    confidence: FloatArray
    """Mean predicted probability in each bin."""
    accuracy: FloatArray
    """Observed frequency (accuracy, or fraction of positives) in each bin."""
    counts: NDArray[np.intp]
    """Number of examples in each bin."""


# --------------------------------------------------------------------- kernels


def _true_class_rank(codes: NDArray[np.intp], scores: NDArray[Any]) -> NDArray[np.intp]:
    # Classes ranked above the true one: strictly higher scores, and equal scores
    # of a larger index (scikit-learn's stable argsort, reversed, puts those first).
    s_true = np.take_along_axis(scores, codes[:, np.newaxis], axis=1)
    later = np.arange(scores.shape[1]) > codes[:, np.newaxis]
    return ((scores > s_true) | ((scores == s_true) & later)).sum(axis=1)


def _bin_edges(confidence: FloatArray, n_bins: int, strategy: str) -> FloatArray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    return np.percentile(confidence, np.linspace(0.0, 100.0, n_bins + 1))


def _reliability(
    confidence: FloatArray, correct: FloatArray, n_bins: int, strategy: str
) -> ReliabilityCurve:
    edges = _bin_edges(confidence, n_bins, strategy)
    # Bins are (a, b], the first one [0, b]: the binning of Guo et al. and of
    # sklearn.calibration.calibration_curve.
    bins = np.searchsorted(edges[1:-1], confidence)
    counts = np.bincount(bins, minlength=n_bins)
    conf_sum = np.bincount(bins, weights=confidence, minlength=n_bins)
    hit_sum = np.bincount(bins, weights=correct, minlength=n_bins)
    filled = counts > 0
    return ReliabilityCurve(
        conf_sum[filled] / counts[filled], hit_sum[filled] / counts[filled], counts[filled]
    )


def _ece(curve: ReliabilityCurve) -> float:
    # sum_b |B_b| / N * |acc(B_b) - conf(B_b)|
    gaps = np.abs(curve.accuracy - curve.confidence)
    return float(np.sum(curve.counts * gaps) / curve.counts.sum())


# ------------------------------------------------------------------ validation


def _check_scores(scores: ArrayLike) -> NDArray[np.floating[Any]]:
    s = as_float_array(scores, "scores")
    if s.ndim != 2:
        raise ValueError(
            f"scores must have shape (N, C), one row of class scores per example, got "
            f"shape {s.shape}; for a binary score of shape (N,) use "
            "np.column_stack([-s, s])."
        )
    check_finite(s, "scores")
    return s


def _check_binning(n_bins: Any, strategy: Any) -> tuple[int, str]:
    n_bins = check_option("n_bins", n_bins, integer=True, low=1, hint="10 or 15 bins are usual.")
    return n_bins, check_option("strategy", strategy, choices=STRATEGIES)


def _confidence_and_hits(y_true: ArrayLike, y_prob: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Confidence and 0/1 correctness per example, for the binning kernels."""
    prob = as_float_array(y_prob, "y_prob", dtype=np.float64)
    if prob.ndim not in (1, 2):
        raise ValueError(
            f"y_prob must have shape (N,) (binary: P(class 1)) or (N, C), got shape {prob.shape}."
        )
    check_in_unit_interval(prob, "y_prob")
    if prob.ndim == 1:
        # Binary form: how well P(class 1) matches the frequency of class 1.
        labels = as_class_labels(y_true, "y_true", 2, prob.shape)
        return prob, labels.astype(np.float64)
    check_sums_to_one(prob, "y_prob", 1)
    labels = as_class_labels(y_true, "y_true", prob.shape[1], prob.shape[:1])
    # Top-label form: the confidence in the predicted class, and whether it is right.
    predicted = np.argmax(prob, axis=1)
    confidence = prob[np.arange(prob.shape[0]), predicted]
    return confidence, (predicted == labels).astype(np.float64)


def _check_mean_loss(mean_loss: Any, base: Any) -> float:
    """``mean_loss`` in nats."""
    log_base = check_base(base)
    loss = check_option(
        "mean_loss",
        mean_loss,
        low=0,
        hint="pass a mean cross-entropy, for example losses.mean().",
    )
    return loss if log_base is None else loss * log_base


# ---------------------------------------------------------------------- public


def top_k_accuracy(
    y_true: ArrayLike, scores: ArrayLike, *, k: int = 5, sample_weight: ArrayLike | None = None
) -> float:
    r"""Fraction of examples whose true class is among the ``k`` highest scores.

    .. math::

        \text{top-}k = \frac{1}{N} \sum_{i=1}^{N}
        \mathbb{1}\bigl[\operatorname{rank}_i(y_i) < k\bigr]

    where :math:`\operatorname{rank}_i(y_i)` counts the classes ranked above the
    true class: those with a higher score, and, on a tie, those with a larger
    class index (the tie-breaking of ``sklearn.metrics.top_k_accuracy_score``).

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class indices in ``[0, C)``.
    scores : array_like, shape (N, C)
        Scores or probabilities: only their order within a row matters, so logits
        and their softmax give the same answer.
    k : int, default 5
        How many top-ranked classes count as a hit. ``k=1`` is the ordinary
        accuracy (ties going to the larger class index).
    sample_weight : array_like of shape (N,), optional
        Non-negative weights; the result is then the weighted fraction.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If a label is out of range, the shapes do not fit, a score is NaN or
        infinite, or ``k < 1``.
    TypeError
        If an input is not numeric or ``k`` is not an int.

    Warns
    -----
    UserWarning
        If ``k >= C``: every example is then a hit, so the score means nothing.

    See Also
    --------
    sklearn.metrics.top_k_accuracy_score : the same number (for integer labels
        ``0..C-1`` and 2-d scores).

    Examples
    --------
    The rank-5 accuracy mentioned by :cite:t:`uniduc_crossentropy`, on three classes with k = 2:

    >>> from xentlab import top_k_accuracy
    >>> scores = [[0.5, 0.2, 0.3], [0.3, 0.4, 0.3], [0.2, 0.4, 0.4]]
    >>> print(f"{top_k_accuracy([2, 2, 0], scores, k=1):.4f}")
    0.0000
    >>> print(f"{top_k_accuracy([2, 2, 0], scores, k=2):.4f}")
    0.6667
    """
    s = _check_scores(scores)
    k = check_option(
        "k", k, integer=True, low=1, hint="k=1 is plain accuracy, k=5 is top-5 accuracy."
    )
    codes = as_class_labels(y_true, "y_true", s.shape[1], s.shape[:1])
    weights = as_sample_weight(sample_weight, s.shape[0], np.float64)
    if k >= s.shape[1]:
        warn(
            f"k={k} is >= the number of classes ({s.shape[1]}), so every example is a "
            "hit and the top-k accuracy is 1; use a smaller k."
        )
    hits = _true_class_rank(codes, s) < k
    return float(np.average(hits, weights=weights))


def reliability_curve(
    y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform"
) -> ReliabilityCurve:
    r"""Per-bin confidence, accuracy and counts: the data of a reliability diagram.

    The examples are grouped into ``n_bins`` bins :math:`B_b` by their
    confidence :math:`c_i`; each bin reports

    .. math::

        \operatorname{conf}(B_b) = \frac{1}{|B_b|} \sum_{i \in B_b} c_i, \qquad
        \operatorname{acc}(B_b) = \frac{1}{|B_b|} \sum_{i \in B_b} a_i

    For 2-d ``y_prob`` (multi-class, the top-label view of Guo et al.)
    :math:`c_i = \max_j p_{ij}` and :math:`a_i = 1` when the arg-max is the true
    class. For 1-d ``y_prob`` (binary, :math:`p_i = P(y_i = 1)`) :math:`c_i = p_i`
    and :math:`a_i = y_i`, the fraction of positives, as in
    ``sklearn.calibration.calibration_curve``.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class indices in ``[0, C)``; 0/1 for the binary form.
    y_prob : array_like, shape (N, C) or (N,)
        Predicted probabilities (rows summing to 1), or :math:`P(y = 1)`.
    n_bins : int, default 15
        Number of bins (Guo et al. use 15).
    strategy : {"uniform", "quantile"}, default "uniform"
        ``"uniform"``: equal-width bins on [0, 1], right-closed :math:`(a, b]`
        (the first is :math:`[0, b]`). ``"quantile"``: edges at the quantiles
        of the confidences, so bins hold about equally many examples.

    Returns
    -------
    ReliabilityCurve
        A named tuple ``(confidence, accuracy, counts)`` of arrays over the
        non-empty bins, in increasing order of confidence.

    Raises
    ------
    ValueError
        If a label is out of range (not 0/1 in the binary form), shapes do not
        fit, a probability is NaN or outside [0, 1], ``n_bins < 1`` or
        ``strategy`` is unknown.
    TypeError
        If an input is not numeric or ``n_bins`` is not an int.

    Warns
    -----
    UserWarning
        If the rows of a 2-d ``y_prob`` do not sum to 1.

    See Also
    --------
    expected_calibration_error : the weighted gap between the two curves.
    sklearn.calibration.calibration_curve : ``(prob_true, prob_pred)`` =
        ``(accuracy, confidence)`` in the binary form.

    Examples
    --------
    >>> from xentlab import reliability_curve
    >>> curve = reliability_curve([0, 1, 1, 1], [0.2, 0.3, 0.8, 0.9], n_bins=2)
    >>> print(curve.confidence, curve.accuracy, curve.counts)
    [0.25 0.85] [0.5 1. ] [2 2]
    """
    n_bins, strategy = _check_binning(n_bins, strategy)
    confidence, hits = _confidence_and_hits(y_true, y_prob)
    return _reliability(confidence, hits, n_bins, strategy)


def expected_calibration_error(
    y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 15, strategy: str = "uniform"
) -> float:
    r"""Expected calibration error: the mean gap between confidence and accuracy.

    .. math::

        \mathrm{ECE} = \sum_{b=1}^{B} \frac{|B_b|}{N}
        \bigl|\operatorname{acc}(B_b) - \operatorname{conf}(B_b)\bigr|

    with the bins of :func:`reliability_curve` :cite:p:`naeini2015,guo2017calibration`.
    A perfectly calibrated predictor, right 80 % of the time when it says 0.8,
    scores 0 (up to sampling noise); an over-confident one scores the size of
    its over-confidence.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        Class indices in ``[0, C)``; 0/1 for the binary form.
    y_prob : array_like, shape (N, C) or (N,)
        Predicted probabilities; 2-d gives the top-label ECE of Guo et al.,
        1-d (:math:`P(y = 1)`) the calibration error of the positive-class
        probability. For the top-label ECE of a binary classifier pass
        ``np.column_stack([1 - p, p])``.
    n_bins : int, default 15
    strategy : {"uniform", "quantile"}, default "uniform"

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError, TypeError
        As :func:`reliability_curve`.

    Notes
    -----
    The estimate depends on the binning and is biased upwards on small samples:
    even a calibrated predictor gets about :math:`\sqrt{2/(\pi n_b)}` times its
    spread per bin of :math:`n_b` examples. Compare ECEs on the same data with
    the same bins.

    See Also
    --------
    reliability_curve : the per-bin values behind the sum.
    fit_temperature : lowers the ECE of an over-confident softmax classifier.

    Examples
    --------
    Two bins: confidence 0.25 with accuracy 0.5, and 0.85 with accuracy 1:

    >>> from xentlab import expected_calibration_error
    >>> print(f"{expected_calibration_error([0, 1, 1, 1], [0.2, 0.3, 0.8, 0.9], n_bins=2):.4f}")
    0.2000
    """
    return _ece(reliability_curve(y_true, y_prob, n_bins=n_bins, strategy=strategy))


def perplexity(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    *,
    mean_loss: float | None = None,
    base: float | None = None,
    axis: int = -1,
) -> float:
    r"""Perplexity: the exponential of the mean cross-entropy.

    .. math::

        \mathrm{PPL} = \exp\Bigl(-\frac{1}{N} \sum_{i=1}^{N} \ln p_{i, y_i}\Bigr)
        = b^{\,\bar\ell_b}

    where :math:`\bar\ell_b` is the same mean loss measured in base :math:`b`
    (bits for :math:`b = 2`): the unit cancels. A perplexity of :math:`K` means
    the model is, on average, as unsure as a uniform choice among :math:`K`
    classes; a uniform guess over :math:`C` classes scores exactly :math:`C`.

    Parameters
    ----------
    y_true : array_like of int, optional
        Class indices, shape ``(N,)``; give it with ``y_pred``.
    y_pred : array_like, optional
        Predicted probabilities, shape ``(N, C)``.
    mean_loss : float, optional
        Instead of ``y_true`` and ``y_pred``: an already computed mean
        cross-entropy (for example a training log's loss).
    base : float, optional
        The unit of ``mean_loss``: ``None`` or ``np.e`` for nats, 2 for bits.
        Only with ``mean_loss``.
    axis : int, default -1
        The class axis of ``y_pred``.

    Returns
    -------
    float
        In :math:`[1, \infty]`; ``inf`` if a true class has probability 0.

    Raises
    ------
    ValueError
        If neither or both of (``y_true``, ``y_pred``) and ``mean_loss`` are given,
        ``mean_loss`` is negative or not finite, ``base`` is given without
        ``mean_loss``, or as :func:`~xentlab.sparse_categorical_cross_entropy`.
    TypeError
        If an input is not numeric, or ``mean_loss`` or ``base`` is not a real number.

    See Also
    --------
    sparse_categorical_cross_entropy : the mean loss whose exponential this is.
    entropy : the perplexity of a distribution against itself is ``exp(entropy)``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab import perplexity
    >>> print(f"{perplexity([0, 1], [[0.25] * 4, [0.25] * 4]):.4f}")  # a uniform guess
    4.0000
    >>> print(f"{perplexity(mean_loss=3.0, base=2):.4f}")  # 3 bits = 8 equally likely choices
    8.0000
    """
    if (y_true is not None or y_pred is not None) == (mean_loss is not None):
        raise ValueError(
            "perplexity needs either y_true and y_pred, or mean_loss=, not both and not "
            "neither; for example perplexity(labels, probabilities) or "
            "perplexity(mean_loss=2.3)."
        )
    if mean_loss is not None:
        nats = _check_mean_loss(mean_loss, base)
    elif y_true is None or y_pred is None:
        raise ValueError("perplexity needs both y_true and y_pred; one of them is missing.")
    elif base is not None:
        raise ValueError(
            "base describes the unit of mean_loss; with y_true and y_pred the loss is "
            "computed in nats, so drop base."
        )
    else:
        nats = float(sparse_categorical_cross_entropy(y_true, y_pred, axis=axis))
    with np.errstate(over="ignore"):  # a huge mean loss has an infinite perplexity
        return float(np.exp(nats))
