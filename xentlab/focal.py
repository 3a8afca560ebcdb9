r"""The focal loss of Lin et al. (2017), from logits, and its gradient.

Like the TensorFlow-named functions it works elementwise and returns one loss
per entry (no reduction). Chapter 8 of the book, *Beyond the articles*, plots
it and derives the gradient.
"""

import numpy as np

from ._validation import check_in_unit_interval, check_nonnegative_scalar
from .activations import _sigmoid
from .tf import _check_labels_logits, _weighted_sigmoid_ce

__all__ = ["sigmoid_focal_loss", "sigmoid_focal_grad"]


# --------------------------------------------------------------------- kernels


def _miss_probability(z, x):
    # 1 - p_t = z (1 - p) + (1 - z) p with 1 - p = sigmoid(-x): two non-negative
    # terms, each accurate, so 1 - p_t never comes from rounding 1 - 0.9999999.
    return z * _sigmoid(-x) + (1 - z) * _sigmoid(x)


def _alpha_t(z, alpha):
    return 1 if alpha is None else alpha * z + (1 - alpha) * (1 - z)


def _focal(z, x, alpha, gamma):
    modulator = _miss_probability(z, x) ** gamma  # 0 ** 0 = 1: gamma = 0 is plain CE
    return _alpha_t(z, alpha) * modulator * _weighted_sigmoid_ce(z, x, None)


def _focal_grad(z, x, alpha, gamma):
    p, q = _sigmoid(x), _sigmoid(-x)  # q = 1 - p without cancellation
    m = _miss_probability(z, x)
    # dm/dx = (1 - 2z) p q. Write gamma m^(gamma-1) dm/dx as gamma m^gamma (1-2z) r
    # with r = p q / m: for hard labels r = 1 - m, finite even where m rounds to 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(m > 0, p * q / m, 1)
    m_gamma = m**gamma
    ce = _weighted_sigmoid_ce(z, x, None)
    return _alpha_t(z, alpha) * m_gamma * (gamma * (1 - 2 * z) * r * ce + (p - z))


# ------------------------------------------------------------------ validation


def _check_focal(labels, logits, alpha, gamma):
    labels, logits = _check_labels_logits(labels, logits)
    check_in_unit_interval(labels, "labels")
    gamma = check_nonnegative_scalar(gamma, "gamma")
    if alpha is not None:
        if isinstance(alpha, bool) or not np.isscalar(alpha) or not np.isreal(alpha):
            raise TypeError(
                f"alpha must be a real number in [0, 1] or None, got {alpha!r}."
            )
        if not 0 <= alpha <= 1:
            raise ValueError(
                f"alpha must be in [0, 1] or None (no class balancing), got {alpha!r}; "
                "torchvision's alpha=-1 is alpha=None here."
            )
        alpha = logits.dtype.type(alpha)
    return labels, logits, alpha, logits.dtype.type(gamma)


# ---------------------------------------------------------------------- public


def sigmoid_focal_loss(*, labels, logits, alpha=0.25, gamma=2.0):
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
    labels, logits, alpha, gamma = _check_focal(labels, logits, alpha, gamma)
    return _focal(labels, logits, alpha, gamma)


def sigmoid_focal_grad(*, labels, logits, alpha=0.25, gamma=2.0):
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
    labels, logits, alpha, gamma = _check_focal(labels, logits, alpha, gamma)
    return _focal_grad(labels, logits, alpha, gamma)
