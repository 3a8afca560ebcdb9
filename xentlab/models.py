r"""Linear classifiers trained by gradient descent, with the scikit-learn shape.

Three small trainers, each the minimiser of a regularised mean loss over
linear scores :math:`s_i = W x_i + b`:

- :class:`~xentlab.SoftmaxRegression`: softmax cross-entropy, any number of classes;
- :class:`~xentlab.LogisticRegression`: sigmoid cross-entropy, two classes;
- :class:`~xentlab.LinearSVM`: the multi-class hinge of Weston and Watkins, or its square.

They exist to be read: the loss and its gradient come from xentlab's own
functions (chapters 4 to 6 derive them), the training loop is a few lines of
plain (mini-batch) gradient descent, and chapter 7 of the book derives the
gradient with respect to :math:`W` and :math:`b` and checks it.

All three minimise

.. math::

    J(W, b) = \frac{1}{N} \sum_{i=1}^{N} \ell\bigl(y_i,\; W x_i + b\bigr)
              + \frac{\alpha}{2} \lVert W \rVert_F^2 ,

with the bias :math:`b` not penalised. scikit-learn's ``LogisticRegression``
minimises :math:`C \sum_i \ell_i + \tfrac12 \lVert W \rVert^2`, which is
:math:`C N` times :math:`J` with :math:`\alpha = 1 / (C N)`: pass
``alpha=1 / (C * n_samples)`` to fit the same model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _kernels
from ._validation import (
    as_array,
    as_float_array,
    check_finite,
    check_option,
    show,
    show_with_type,
)
from .gradients import (
    multiclass_hinge_grad,
    sigmoid_cross_entropy_grad,
    sparse_softmax_cross_entropy_grad,
)
from .losses import multiclass_hinge_loss
from .tf import sigmoid_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits

__all__ = [
    "SoftmaxRegression",
    "LogisticRegression",
    "LinearSVM",
    "NotFittedError",
    "DivergenceError",
]

Array = NDArray[Any]
Weights = NDArray[np.float64]
Codes = NDArray[np.intp]
FloatArray = NDArray[np.floating[Any]]
ObjectiveValue = tuple[float, Weights, Weights]  # J, dJ/dW, dJ/db
# J and its gradients at (W, b), on the training rows given (all of them for None).
Objective = Callable[[Weights, Weights, Codes | None], ObjectiveValue]
RandomState = int | np.random.Generator | None


class DivergenceError(FloatingPointError, ValueError):
    """Gradient descent diverged: the scores overflowed to inf or NaN.

    A ``FloatingPointError`` (an arithmetic failure) and a ``ValueError`` (the fix
    is in the values passed: the learning rate, ``alpha`` or the scale of ``X``).
    """


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (as scikit-learn's error of that name)."""


# ------------------------------------------------------------------ validation


def _check_X(X: ArrayLike) -> Weights:
    """Finite features of shape (n_samples, n_features), in float64."""
    arr = as_float_array(X, "X", dtype=np.float64)
    if arr.ndim != 2:
        hint = " Reshape a single example with X.reshape(1, -1)." if arr.ndim == 1 else ""
        raise ValueError(
            f"X must be 2-D of shape (n_samples, n_features), got shape {arr.shape}.{hint}"
        )
    check_finite(arr, "X")
    return arr


def _check_y(y: ArrayLike, n_samples: int) -> tuple[Array, Codes]:
    """The sorted classes of ``y`` (at least 2), and each label's index among them."""
    labels = as_array(y, "y")
    if labels.ndim != 1:
        raise ValueError(
            f"y must be 1-D, one class label per row of X, got shape {labels.shape}; "
            "pass integer or string labels, not one-hot rows (use y.argmax(axis=1))."
        )
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"X and y have different numbers of samples: X has {n_samples} rows, "
            f"y has {labels.shape[0]} labels."
        )
    if labels.dtype.kind in "fc" and not np.isfinite(labels).all():
        first = int(np.argmin(np.isfinite(labels)))
        raise ValueError(
            f"y must hold class labels, but y[{first}] = {show(labels[first])}; NaN and "
            "inf are not classes: drop those rows or give them their labels."
        )
    classes, codes = np.unique(labels, return_inverse=True)
    if classes.size < 2:
        raise ValueError(
            f"y contains only one class ({classes.tolist()[0]!r}); a classifier needs "
            "examples of at least 2 classes."
        )
    return classes, codes.reshape(-1)


def _check_random_state(value: Any) -> RandomState:
    if isinstance(value, np.random.Generator):
        return value
    try:
        seed: int | None = check_option(
            "random_state",
            value,
            integer=True,
            low=0,
            allow_none=True,
            hint="pass a seed such as 0, or a np.random.Generator.",
        )
    except TypeError:
        raise TypeError(
            "random_state must be None, a non-negative integer or a np.random.Generator, "
            f"got {show_with_type(value)}."
        ) from None
    return seed


@dataclass(frozen=True)
class _Schedule:
    """The checked hyper-parameters of the descent."""

    alpha: float
    learning_rate: float
    max_iter: int
    batch_size: int | None
    tol: float | None
    random_state: RandomState


# ------------------------------------------------------------ gradient descent


def _scores(X: Weights, W: Weights, b: Weights) -> Weights:
    # Huge weights (a diverging learning rate) overflow here; the objective reports it.
    with np.errstate(over="ignore", invalid="ignore"):
        return X @ W.T + b


def _step(
    W: Weights, b: Weights, grad_W: Weights, grad_b: Weights, learning_rate: float
) -> tuple[Weights, Weights]:
    # A diverging run overflows here first; the next scores report it.
    with np.errstate(over="ignore", invalid="ignore"):
        return W - learning_rate * grad_W, b - learning_rate * grad_b


def _mini_batches(rng: np.random.Generator, n_samples: int, size: int) -> Iterator[Codes]:
    """The rows of one epoch, shuffled, in batches of ``size``."""
    order = rng.permutation(n_samples)
    for start in range(0, n_samples, size):
        yield order[start : start + size]


def _converged(previous: float, objective: float, tol: float | None) -> bool:
    return tol is not None and abs(previous - objective) <= tol * max(1.0, abs(objective))


def _gradient_descent(
    objective: Objective, W: Weights, b: Weights, n_samples: int, schedule: _Schedule
) -> tuple[Weights, Weights, list[float]]:
    """(Mini-batch) gradient descent from (W, b); the objective on all rows after each epoch."""
    rng = np.random.default_rng(schedule.random_state)
    size = n_samples if schedule.batch_size is None else min(schedule.batch_size, n_samples)
    history: list[float] = []
    value, grad_W, grad_b = objective(W, b, None)
    for _epoch in range(schedule.max_iter):
        if size == n_samples:
            # Full batch: the gradient at W is the one that came with J(W).
            W, b = _step(W, b, grad_W, grad_b, schedule.learning_rate)
        else:
            for rows in _mini_batches(rng, n_samples, size):
                _, batch_grad_W, batch_grad_b = objective(W, b, rows)
                W, b = _step(W, b, batch_grad_W, batch_grad_b, schedule.learning_rate)
        previous = value
        value, grad_W, grad_b = objective(W, b, None)
        history.append(value)
        if _converged(previous, value, schedule.tol):
            break
    return W, b, history


# ---------------------------------------------------------- hyper-parameters


class _Hyperparameters:
    """Keeps the constructor's hyper-parameters as given; ``fit`` checks them (as
    scikit-learn does), through :meth:`_schedule`."""

    _param_names: tuple[str, ...] = (
        "alpha",
        "learning_rate",
        "max_iter",
        "batch_size",
        "tol",
        "random_state",
    )

    def __init__(
        self,
        *,
        alpha: float = 5e-4,
        learning_rate: float = 2.0,
        max_iter: int = 500,
        batch_size: int | None = None,
        tol: float | None = 1e-7,
        random_state: RandomState = None,
    ) -> None:
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyper-parameters as a dict (the names the constructor takes)."""
        return {name: getattr(self, name) for name in self._param_names}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={show(v)}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def _schedule(self) -> _Schedule:
        return _Schedule(
            alpha=check_option("alpha", self.alpha, low=0),
            learning_rate=check_option(
                "learning_rate",
                self.learning_rate,
                low=0,
                low_open=True,
                hint="2.0 suits features scaled to [0, 1] or standardised.",
            ),
            max_iter=check_option("max_iter", self.max_iter, integer=True, low=1),
            batch_size=check_option(
                "batch_size", self.batch_size, integer=True, low=1, allow_none=True
            ),
            tol=check_option("tol", self.tol, low=0, allow_none=True),
            random_state=_check_random_state(self.random_state),
        )


# ------------------------------------------------------------------ base class


class _LinearClassifier(_Hyperparameters):
    """Linear scores ``X W^T + b`` fitted by gradient descent; subclasses supply
    ``_loss_and_grad`` on the scores (and the number of score columns)."""

    classes_: Array
    coef_: Weights
    intercept_: Weights
    n_features_in_: int
    n_iter_: int
    loss_history_: NDArray[np.float64]

    # -- what a model adds ------------------------------------------------------

    def _loss_and_grad(self, codes: Codes, scores: Weights) -> tuple[float, FloatArray]:
        """Mean loss of the scores and its gradient per example (of the summed loss)."""
        raise NotImplementedError

    def _check_classes(self, classes: Array) -> None:
        """Raise if the model cannot fit these classes."""

    def _n_columns(self, classes: Array) -> int:
        return int(classes.size)

    # -- the objective ----------------------------------------------------------

    def _objective_and_grads(
        self, X: Weights, codes: Codes, W: Weights, b: Weights, alpha: float
    ) -> ObjectiveValue:
        """J(W, b) on (X, codes) and its gradients: X^T G / n + alpha W and sum(G) / n."""
        scores = _scores(X, W, b)
        if not np.isfinite(scores).all():
            raise DivergenceError(
                f"{type(self).__name__} diverged: the scores overflowed to inf or NaN. "
                f"Lower learning_rate (now {show(self.learning_rate)}) or alpha (now "
                f"{show(alpha)}), or scale the features X (for example to [0, 1], or to zero "
                "mean and unit variance)."
            )
        loss, grad_scores = self._loss_and_grad(codes, scores)
        n = X.shape[0]
        grad_scores = grad_scores.reshape(n, -1) / n
        # Huge weights or alpha (a diverging run) overflow to inf here; the next
        # scores report it as divergence, so no warning now.
        with np.errstate(over="ignore", invalid="ignore"):
            penalty = 0.5 * alpha * float(np.sum(W * W))
            grad_W = grad_scores.T @ X + alpha * W
            grad_b = grad_scores.sum(axis=0)
            return loss + penalty, grad_W, grad_b

    def fit(self, X: ArrayLike, y: ArrayLike) -> _LinearClassifier:
        """Fit the weights by gradient descent; return ``self``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Finite features. Scale them (to [0, 1], or standardise): the default
            learning rate assumes features of order 1.
        y : array_like of shape (n_samples,)
            Class labels of any sortable type (not NaN or inf); ``classes_`` holds
            them sorted.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            On malformed ``X`` or ``y``, fewer than 2 classes, or a hyper-parameter
            out of range.
        TypeError
            If ``X`` is not numeric or a hyper-parameter is of the wrong kind.
        DivergenceError
            If the scores overflow (the learning rate or ``alpha`` is too large for the
            scale of ``X``); a ``FloatingPointError`` and a ``ValueError``.
        """
        schedule = self._schedule()
        features = _check_X(X)
        classes, codes = _check_y(y, features.shape[0])
        self._check_classes(classes)

        def objective(W: Weights, b: Weights, rows: Codes | None) -> ObjectiveValue:
            if rows is None:
                return self._objective_and_grads(features, codes, W, b, schedule.alpha)
            return self._objective_and_grads(features[rows], codes[rows], W, b, schedule.alpha)

        W: Weights = np.zeros((self._n_columns(classes), features.shape[1]))
        W, b, history = _gradient_descent(
            objective, W, np.zeros(W.shape[0]), features.shape[0], schedule
        )
        self.classes_ = classes
        self.coef_, self.intercept_ = W, b
        self.n_features_in_ = features.shape[1]
        self.n_iter_ = len(history)
        self.loss_history_ = np.array(history)
        return self

    def objective_and_gradient(
        self,
        X: ArrayLike,
        y: ArrayLike,
        coef: ArrayLike | None = None,
        intercept: ArrayLike | None = None,
    ) -> ObjectiveValue:
        """The objective :math:`J` and its gradient at given (or the fitted) weights.

        The very function ``fit`` minimises, exposed so that its gradient can be
        checked by central differences (chapter 7 does).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like of shape (n_samples,)
            Labels; before ``fit`` their sorted unique values define the classes,
            after ``fit`` they must be among ``classes_``.
        coef : array_like of shape (n_outputs, n_features), optional
            Weights :math:`W` (``n_outputs`` is 1 for :class:`~xentlab.LogisticRegression`,
            the number of classes otherwise); default ``coef_``.
        intercept : array_like of shape (n_outputs,), optional
            Bias :math:`b`; default ``intercept_``.

        Returns
        -------
        objective : float
        grad_coef : ndarray, shape of ``coef``
        grad_intercept : ndarray, shape of ``intercept``
        """
        alpha = self._schedule().alpha
        if hasattr(self, "coef_"):
            features = self._check_X_predict(X, "objective_and_gradient")
            codes, classes = self._codes(y, features.shape[0]), self.classes_
        else:
            features = _check_X(X)
            classes, codes = _check_y(y, features.shape[0])
            self._check_classes(classes)
            if coef is None or intercept is None:
                raise NotFittedError(
                    f"This {type(self).__name__} instance is not fitted yet; pass coef and "
                    "intercept to objective_and_gradient(), or call fit(X, y) first."
                )
        W, b = self._weights(coef, intercept, (self._n_columns(classes), features.shape[1]))
        if not np.isfinite(_scores(features, W, b)).all():
            raise ValueError(
                "X, coef and intercept give scores that overflow to inf or NaN, so the "
                "objective is undefined; pass weights and features of a moderate scale."
            )
        return self._objective_and_grads(features, codes, W, b, alpha)

    def _weights(
        self, coef: ArrayLike | None, intercept: ArrayLike | None, expected: tuple[int, int]
    ) -> tuple[Weights, Weights]:
        """``coef`` and ``intercept`` (default: the fitted ones), checked against ``expected``."""
        W = self.coef_ if coef is None else as_float_array(coef, "coef", dtype=np.float64)
        b = self.intercept_ if intercept is None else as_float_array(intercept, "intercept")
        if W.shape != expected or b.shape != expected[:1]:
            raise ValueError(
                f"coef must have shape {expected} and intercept shape {expected[:1]}, got "
                f"{W.shape} and {b.shape}."
            )
        check_finite(W, "coef")
        check_finite(b, "intercept")
        return W, b.astype(np.float64)

    def _codes(self, y: ArrayLike, n_samples: int) -> Codes:
        """Each label's index in ``classes_``; every label must be one of them."""
        labels = as_array(y, "y")
        if labels.shape != (n_samples,):
            raise ValueError(f"y must have shape ({n_samples},), got shape {labels.shape}.")
        codes = np.searchsorted(self.classes_, labels)
        codes = np.clip(codes, 0, self.classes_.size - 1)
        unseen = self.classes_[codes] != labels
        if unseen.any():
            raise ValueError(
                f"y contains labels not seen in fit, e.g. {show(labels[unseen][0])}; the "
                f"fitted classes are {self.classes_.tolist()}."
            )
        return codes

    # -- prediction -------------------------------------------------------------

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call "
                f"fit(X, y) before {method}()."
            )

    def _check_X_predict(self, X: ArrayLike, method: str) -> Weights:
        self._check_fitted(method)
        features = _check_X(X)
        if features.shape[1] != self.coef_.shape[1]:
            raise ValueError(
                f"X has {features.shape[1]} features, but {type(self).__name__} was fitted "
                f"with {self.coef_.shape[1]} features; pass the same columns as to fit."
            )
        return features

    def _finite_scores(self, X: ArrayLike, method: str) -> Weights:
        """The scores of ``X``, which must not overflow (for probabilities)."""
        scores = _scores(self._check_X_predict(X, method), self.coef_, self.intercept_)
        finite = np.isfinite(scores).all(axis=1)
        if not finite.all():
            raise ValueError(
                f"X gives scores that overflow to inf or NaN (first in row "
                f"{int(np.argmin(finite))}); its features lie far outside those seen in "
                "fit: scale X as the training data was scaled."
            )
        return scores

    def decision_function(self, X: ArrayLike) -> Weights:
        """Scores :math:`X W^\\top + b`, shape (n_samples, n_classes)."""
        features = self._check_X_predict(X, "decision_function")
        return _scores(features, self.coef_, self.intercept_)

    def predict(self, X: ArrayLike) -> Array:
        """The class with the highest score, for each row of ``X``."""
        features = self._check_X_predict(X, "predict")
        return self.classes_[_scores(features, self.coef_, self.intercept_).argmax(axis=1)]

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of rows of ``X`` whose prediction equals ``y``."""
        labels = as_array(y, "y")
        predicted = self.predict(X)
        if labels.shape != predicted.shape:
            raise ValueError(f"y must have shape {predicted.shape}, got shape {labels.shape}.")
        return float(np.mean(predicted == labels))


# ---------------------------------------------------------------------- models


class SoftmaxRegression(_LinearClassifier):
    r"""Multi-class logistic (softmax) regression, fitted by gradient descent.

    Minimises the mean softmax cross-entropy plus an L2 penalty on the weights:

    .. math::

        J(W, b) = \frac{1}{N} \sum_{i=1}^{N}
            \Bigl( \log \sum_{k} e^{s_{ik}} - s_{i y_i} \Bigr)
            + \frac{\alpha}{2} \lVert W \rVert_F^2,
        \qquad s_i = W x_i + b,

    whose gradient is :math:`\nabla_W J = (P - Y)^\top X / N + \alpha W` and
    :math:`\nabla_b J = (P - Y)^\top \mathbf 1 / N`, with :math:`P` the softmax
    probabilities and :math:`Y` the one-hot labels (chapter 7 derives it).

    Parameters
    ----------
    alpha : float, default 5e-4
        L2 strength :math:`\alpha \ge 0`. scikit-learn's ``C`` corresponds to
        ``alpha = 1 / (C * n_samples)``; its default ``C=1.0`` on 1,000 examples is
        ``alpha=1e-3``.
    learning_rate : float, default 2.0
        Step size of gradient descent. 2.0 suits features scaled to [0, 1] or
        standardised; lower it if ``fit`` reports divergence or the
        ``loss_history_`` oscillates.
    max_iter : int, default 500
        Maximum number of epochs (full passes over the data).
    batch_size : int or None, default None
        ``None`` for full-batch gradient descent (one step per epoch), an int for
        mini-batch gradient descent on shuffled batches of that size.
    tol : float or None, default 1e-7
        Stop once an epoch changes the objective by less than
        ``tol * max(1, objective)``; ``None`` always runs ``max_iter`` epochs.
    random_state : int, numpy Generator or None, default None
        Seeds the shuffling of mini-batches (the weights start at zero, so
        full-batch fits are deterministic whatever its value).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted labels; column ``k`` of the scores belongs to ``classes_[k]``.
    coef_ : ndarray of shape (n_classes, n_features)
    intercept_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Epochs run.
    loss_history_ : ndarray of shape ``(n_iter_,)``
        The objective :math:`J` on the whole training set after each epoch.

    See Also
    --------
    LogisticRegression : the two-class case with one sigmoid output.
    LinearSVM : the same scores trained with the multi-class hinge loss.
    xentlab.sparse_softmax_cross_entropy_with_logits : the loss.
    xentlab.sparse_softmax_cross_entropy_grad : its gradient w.r.t. the scores.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab.models import SoftmaxRegression
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    >>> y = rng.integers(0, 3, size=90)
    >>> X = centres[y] + rng.normal(size=(90, 2))
    >>> model = SoftmaxRegression().fit(X, y)
    >>> print(model.n_iter_, f"{model.loss_history_[-1]:.4f}", f"{model.score(X, y):.3f}")
    500 0.0861 0.978
    >>> print(y[:2], model.predict(X[:2]))
    [2 1] [2 1]
    >>> print(model.predict_proba(X[:2]).round(3))
    [[0.001 0.    0.999]
     [0.006 0.994 0.   ]]
    """

    def _loss_and_grad(self, codes: Codes, scores: Weights) -> tuple[float, FloatArray]:
        losses = sparse_softmax_cross_entropy_with_logits(labels=codes, logits=scores)
        with np.errstate(over="ignore"):  # a mean beyond the float range: inf
            loss = losses.mean()
        return float(loss), sparse_softmax_cross_entropy_grad(labels=codes, logits=scores)

    def predict_proba(self, X: ArrayLike) -> Weights:
        """Softmax probabilities, shape (n_samples, n_classes); rows sum to 1."""
        return _kernels.softmax(self._finite_scores(X, "predict_proba"), 1)

    def predict_log_proba(self, X: ArrayLike) -> Weights:
        """Log-probabilities, computed stably with log-softmax."""
        return _kernels.log_softmax(self._finite_scores(X, "predict_log_proba"), 1)


class LogisticRegression(_LinearClassifier):
    r"""Binary logistic regression (one sigmoid output), fitted by gradient descent.

    With the labels coded :math:`z_i \in \{0, 1\}` (``classes_[1]`` is the
    positive class) and scores :math:`s_i = w^\top x_i + b`, it minimises

    .. math::

        J(w, b) = \frac{1}{N} \sum_{i=1}^{N}
            \Bigl( \max(s_i, 0) - z_i s_i + \log\bigl(1 + e^{-|s_i|}\bigr) \Bigr)
            + \frac{\alpha}{2} \lVert w \rVert^2,

    the stable form of the binary cross-entropy of :math:`\sigma(s_i)`, whose
    gradient is :math:`\nabla_w J = X^\top (\sigma(s) - z) / N + \alpha w`.

    Parameters
    ----------
    alpha, learning_rate, max_iter, batch_size, tol, random_state
        As :class:`~xentlab.SoftmaxRegression`, with the same defaults.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
    loss_history_ : ndarray of shape ``(n_iter_,)``

    See Also
    --------
    SoftmaxRegression : more than two classes.
    xentlab.sigmoid_cross_entropy_with_logits : the loss.
    xentlab.sigmoid_cross_entropy_grad : its gradient w.r.t. the scores.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab.models import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> y = rng.choice(["ham", "spam"], size=60)
    >>> X = np.where(y == "spam", 1.0, -1.0)[:, None] + rng.normal(size=(60, 1))
    >>> model = LogisticRegression().fit(X, y)
    >>> print(model.classes_, model.coef_.round(3), model.intercept_.round(3))
    ['ham' 'spam'] [[2.381]] [-0.044]
    >>> print(model.predict_proba([[0.0], [2.0]]).round(3))
    [[0.511 0.489]
     [0.009 0.991]]
    """

    def _check_classes(self, classes: Array) -> None:
        if classes.size != 2:
            raise ValueError(
                f"LogisticRegression is for 2 classes, but y has {classes.size} "
                f"({classes.tolist()[:5]}{'...' if classes.size > 5 else ''}); use "
                "SoftmaxRegression for more."
            )

    def _n_columns(self, classes: Array) -> int:
        return 1

    def _loss_and_grad(self, codes: Codes, scores: Weights) -> tuple[float, FloatArray]:
        z = codes.astype(scores.dtype).reshape(scores.shape)
        losses = sigmoid_cross_entropy_with_logits(labels=z, logits=scores)
        with np.errstate(over="ignore"):  # a mean beyond the float range: inf
            loss = losses.mean()
        return float(loss), sigmoid_cross_entropy_grad(labels=z, logits=scores)

    def decision_function(self, X: ArrayLike) -> Weights:
        """Scores :math:`X w + b`, shape (n_samples,); positive means ``classes_[1]``."""
        return super().decision_function(X)[:, 0]

    def predict(self, X: ArrayLike) -> Array:
        """``classes_[1]`` where the score is positive, ``classes_[0]`` elsewhere."""
        features = self._check_X_predict(X, "predict")
        positive = _scores(features, self.coef_, self.intercept_)[:, 0] > 0
        return self.classes_[positive.astype(np.intp)]

    def predict_proba(self, X: ArrayLike) -> Weights:
        """Columns :math:`1 - \\sigma(s)` and :math:`\\sigma(s)`, shape (n_samples, 2)."""
        scores = self._finite_scores(X, "predict_proba")[:, 0]
        # 1 - sigmoid(s) = sigmoid(-s), exact where sigmoid(s) rounds to 1.
        return np.column_stack([_kernels.sigmoid(-scores), _kernels.sigmoid(scores)])


class LinearSVM(_LinearClassifier):
    r"""Multi-class linear SVM (Weston-Watkins hinge), fitted by subgradient descent.

    .. math::

        J(W, b) = \frac{1}{N} \sum_{i=1}^{N} \sum_{j \ne y_i}
            \max\bigl(0,\; s_{ij} - s_{i y_i} + 1\bigr)^{k}
            + \frac{\alpha}{2} \lVert W \rVert_F^2,
        \qquad s_i = W x_i + b,

    with :math:`k = 1` for ``loss="hinge"`` and :math:`k = 2` for
    ``loss="squared_hinge"``. The hinge is not differentiable where a margin is
    exactly met; the subgradient 0 is used there, so the objective of the
    plain hinge need not decrease at every step.

    Parameters
    ----------
    loss : {"hinge", "squared_hinge"}, default "hinge"
    alpha : float, default 5e-4
        L2 strength; scikit-learn's ``LinearSVC(C=...)`` (a different, one-vs-rest
        multi-class scheme) uses ``alpha = 1 / (C * n_samples)`` likewise.
    learning_rate : float, default 0.05
        The hinge's subgradient does not shrink near the optimum, so the step is
        smaller than for the cross-entropy models.
    max_iter, batch_size, tol, random_state
        As :class:`~xentlab.SoftmaxRegression`.

    Attributes
    ----------
    classes_, coef_, intercept_, n_iter_, loss_history_
        As :class:`~xentlab.SoftmaxRegression`.

    Notes
    -----
    There is no ``predict_proba``: the hinge only asks the true score to win by
    a margin, so the scores carry no probabilistic meaning (chapter 6).

    See Also
    --------
    xentlab.multiclass_hinge_loss : the loss.
    xentlab.multiclass_hinge_grad : its subgradient w.r.t. the scores.

    Examples
    --------
    >>> import numpy as np
    >>> from xentlab.models import LinearSVM
    >>> rng = np.random.default_rng(0)
    >>> centres = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    >>> y = rng.integers(0, 3, size=90)
    >>> X = centres[y] + rng.normal(size=(90, 2))
    >>> model = LinearSVM(loss="squared_hinge").fit(X, y)
    >>> print(model.n_iter_, f"{model.loss_history_[-1]:.4f}", f"{model.score(X, y):.3f}")
    500 0.1028 0.978
    >>> print(hasattr(model, "predict_proba"))
    False
    """

    _param_names = ("loss",) + _Hyperparameters._param_names

    def __init__(
        self,
        *,
        loss: str = "hinge",
        alpha: float = 5e-4,
        learning_rate: float = 0.05,
        max_iter: int = 500,
        batch_size: int | None = None,
        tol: float | None = 1e-7,
        random_state: RandomState = None,
    ) -> None:
        self.loss = loss
        super().__init__(
            alpha=alpha,
            learning_rate=learning_rate,
            max_iter=max_iter,
            batch_size=batch_size,
            tol=tol,
            random_state=random_state,
        )

    def _schedule(self) -> _Schedule:
        check_option("loss", self.loss, choices=("hinge", "squared_hinge"))
        return super()._schedule()

    def _loss_and_grad(self, codes: Codes, scores: Weights) -> tuple[float, FloatArray]:
        squared = self.loss == "squared_hinge"
        loss = multiclass_hinge_loss(codes, scores, squared=squared)
        return float(loss), multiclass_hinge_grad(codes, scores, squared=squared)
