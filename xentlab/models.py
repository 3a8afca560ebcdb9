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

import numbers

import numpy as np

from ._validation import as_float_array, check_finite
from .activations import log_softmax, sigmoid, softmax
from .gradients import (
    multiclass_hinge_grad,
    sigmoid_cross_entropy_grad,
    sparse_softmax_cross_entropy_grad,
)
from .losses import multiclass_hinge_loss
from .tf import sigmoid_cross_entropy_with_logits, sparse_softmax_cross_entropy_with_logits

__all__ = ["SoftmaxRegression", "LogisticRegression", "LinearSVM", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (as scikit-learn's error of that name)."""


# ------------------------------------------------------------------ validation


def _check_X(X, name="X"):
    X = as_float_array(X, name, dtype=np.float64)
    if X.ndim != 2:
        hint = " Reshape a single example with X.reshape(1, -1)." if X.ndim == 1 else ""
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got shape {X.shape}.{hint}"
        )
    check_finite(X, name)
    return X


def _check_positive(value, name, *, integer=False, allow_zero=False):
    kinds = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "an int" if integer else "a real number"
        raise TypeError(f"{name} must be {kind}, got {value!r}.")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}.")
    return value


# ------------------------------------------------------------------ base class


class _LinearClassifier:
    """Shared fitting loop; subclasses supply ``_loss_and_grad`` on the scores."""

    _n_score_columns = None  # number of score columns, from the number of classes

    def __init__(
        self, *, alpha, learning_rate, max_iter, batch_size=None, tol=1e-7, random_state=None
    ):
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def get_params(self, deep=True):
        """Hyper-parameters as a dict (the names the constructor takes)."""
        return {k: getattr(self, k) for k in self._param_names}

    _param_names = ("alpha", "learning_rate", "max_iter", "batch_size", "tol", "random_state")

    # -- checks --------------------------------------------------------------

    def _check_params(self):
        _check_positive(self.alpha, "alpha", allow_zero=True)
        _check_positive(self.learning_rate, "learning_rate")
        _check_positive(self.max_iter, "max_iter", integer=True)
        if self.batch_size is not None:
            _check_positive(self.batch_size, "batch_size", integer=True)
        if self.tol is not None:
            _check_positive(self.tol, "tol", allow_zero=True)

    def _check_Xy(self, X, y):
        X = _check_X(X)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1-D, one class label per row of X, got shape {y.shape}; "
                "pass integer or string labels, not one-hot rows (use y.argmax(axis=1))."
            )
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have different numbers of samples: X has {X.shape[0]} rows, "
                f"y has {y.shape[0]} labels."
            )
        classes, codes = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(
                f"y contains only one class ({classes.tolist()[0]!r}); a classifier needs "
                "examples of at least 2 classes."
            )
        return X, classes, codes.reshape(-1)

    def _check_fitted(self, method):
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call "
                f"fit(X, y) before {method}()."
            )

    def _check_X_predict(self, X, method):
        self._check_fitted(method)
        X = _check_X(X)
        if X.shape[1] != self.coef_.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with "
                f"{self.coef_.shape[1]} features; pass the same columns as to fit."
            )
        return X

    # -- the model -----------------------------------------------------------

    def _scores(self, X, W, b):
        # Huge weights (a diverging learning rate) overflow here; _fit reports it.
        with np.errstate(over="ignore", invalid="ignore"):
            return X @ W.T + b

    def _objective_and_grads(self, X, codes, W, b):
        """J(W, b) on (X, codes) and its gradients: X^T G / n + alpha W and sum(G) / n."""
        scores = self._scores(X, W, b)
        if not np.isfinite(scores).all():
            raise FloatingPointError(
                f"{type(self).__name__} diverged: the scores overflowed to inf or NaN. "
                f"Lower learning_rate (now {self.learning_rate!r}) or scale the features "
                "(for example to [0, 1], or to zero mean and unit variance)."
            )
        loss, grad_scores = self._loss_and_grad(codes, scores)
        n = X.shape[0]
        grad_scores = grad_scores.reshape(n, -1) / n
        penalty = 0.5 * self.alpha * float(np.sum(W * W))
        grad_W = grad_scores.T @ X + self.alpha * W
        grad_b = grad_scores.sum(axis=0)
        return loss + penalty, grad_W, grad_b

    def fit(self, X, y):
        """Fit the weights by gradient descent; return ``self``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Finite features. Scale them (to [0, 1], or standardise): the default
            learning rate assumes features of order 1.
        y : array_like of shape (n_samples,)
            Class labels of any sortable type; ``classes_`` holds them sorted.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            On malformed ``X`` or ``y``, fewer than 2 classes, or a hyper-parameter
            out of range.
        FloatingPointError
            If the scores overflow (the learning rate is too large for the data).
        """
        self._check_params()
        X, classes, codes = self._check_Xy(X, y)
        self._check_classes(classes)
        n_samples, n_features = X.shape
        rng = np.random.default_rng(self.random_state)
        W = np.zeros((self._n_columns(classes), n_features))
        b = np.zeros(W.shape[0])
        batch = n_samples if self.batch_size is None else min(self.batch_size, n_samples)
        history = []
        objective, grad_W, grad_b = self._objective_and_grads(X, codes, W, b)
        for _epoch in range(self.max_iter):
            if batch == n_samples:
                # Full batch: the gradient at W is the one that came with J(W).
                W, b = self._step(W, b, grad_W, grad_b)
            else:
                order = rng.permutation(n_samples)
                for start in range(0, n_samples, batch):
                    rows = order[start : start + batch]
                    _, g_W, g_b = self._objective_and_grads(X[rows], codes[rows], W, b)
                    W, b = self._step(W, b, g_W, g_b)
            previous = objective
            objective, grad_W, grad_b = self._objective_and_grads(X, codes, W, b)
            history.append(objective)
            if self.tol is not None and abs(previous - objective) <= self.tol * max(
                1.0, abs(objective)
            ):
                break
        self.classes_ = classes
        self.coef_, self.intercept_ = W, b
        self.n_features_in_ = n_features
        self.n_iter_ = len(history)
        self.loss_history_ = np.array(history)
        return self

    def _step(self, W, b, grad_W, grad_b):
        # A diverging run overflows here first; the next scores report it.
        with np.errstate(over="ignore", invalid="ignore"):
            return W - self.learning_rate * grad_W, b - self.learning_rate * grad_b

    def objective_and_gradient(self, X, y, coef=None, intercept=None):
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
        self._check_params()
        if hasattr(self, "coef_"):
            X = self._check_X_predict(X, "objective_and_gradient")
            codes, classes = self._codes(y, X.shape[0]), self.classes_
        else:
            X, classes, codes = self._check_Xy(X, y)
            self._check_classes(classes)
            if coef is None or intercept is None:
                raise NotFittedError(
                    f"This {type(self).__name__} instance is not fitted yet; pass coef and "
                    "intercept to objective_and_gradient(), or call fit(X, y) first."
                )
        W = self.coef_ if coef is None else _check_X(coef, "coef")
        b = self.intercept_ if intercept is None else as_float_array(intercept, "intercept")
        expected = (self._n_columns(classes), X.shape[1])
        if W.shape != expected or b.shape != expected[:1]:
            raise ValueError(
                f"coef must have shape {expected} and intercept shape {expected[:1]}, got "
                f"{W.shape} and {b.shape}."
            )
        return self._objective_and_grads(X, codes, W, b.astype(np.float64))

    def _codes(self, y, n_samples):
        y = np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(f"y must have shape ({n_samples},), got shape {y.shape}.")
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, self.classes_.size - 1)
        unseen = self.classes_[codes] != y
        if unseen.any():
            raise ValueError(
                f"y contains labels not seen in fit, e.g. {y[unseen].tolist()[0]!r}; the fitted "
                f"classes are {self.classes_.tolist()}."
            )
        return codes

    def _check_classes(self, classes):
        pass

    def _n_columns(self, classes):
        return classes.size

    def decision_function(self, X):
        """Scores :math:`X W^\\top + b`, shape (n_samples, n_classes)."""
        X = self._check_X_predict(X, "decision_function")
        return self._scores(X, self.coef_, self.intercept_)

    def predict(self, X):
        """The class with the highest score, for each row of ``X``."""
        X = self._check_X_predict(X, "predict")
        return self.classes_[self._scores(X, self.coef_, self.intercept_).argmax(axis=1)]

    def score(self, X, y):
        """Accuracy: the fraction of rows of ``X`` whose prediction equals ``y``."""
        y = np.asarray(y)
        predicted = self.predict(X)
        if y.shape != predicted.shape:
            raise ValueError(f"y must have shape {predicted.shape}, got shape {y.shape}.")
        return float(np.mean(predicted == y))


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

    def __init__(
        self, *, alpha=5e-4, learning_rate=2.0, max_iter=500, batch_size=None, tol=1e-7,
        random_state=None,
    ):
        super().__init__(
            alpha=alpha, learning_rate=learning_rate, max_iter=max_iter,
            batch_size=batch_size, tol=tol, random_state=random_state,
        )

    def _loss_and_grad(self, codes, scores):
        loss = sparse_softmax_cross_entropy_with_logits(labels=codes, logits=scores).mean()
        return float(loss), sparse_softmax_cross_entropy_grad(labels=codes, logits=scores)

    def predict_proba(self, X):
        """Softmax probabilities, shape (n_samples, n_classes); rows sum to 1."""
        self._check_fitted("predict_proba")
        return softmax(self.decision_function(X), axis=1)

    def predict_log_proba(self, X):
        """Log-probabilities, computed stably with log-softmax."""
        self._check_fitted("predict_log_proba")
        return log_softmax(self.decision_function(X), axis=1)


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

    def __init__(
        self, *, alpha=5e-4, learning_rate=2.0, max_iter=500, batch_size=None, tol=1e-7,
        random_state=None,
    ):
        super().__init__(
            alpha=alpha, learning_rate=learning_rate, max_iter=max_iter,
            batch_size=batch_size, tol=tol, random_state=random_state,
        )

    def _check_classes(self, classes):
        if classes.size != 2:
            raise ValueError(
                f"LogisticRegression is for 2 classes, but y has {classes.size} "
                f"({classes.tolist()[:5]}{'...' if classes.size > 5 else ''}); use "
                "SoftmaxRegression for more."
            )

    def _n_columns(self, classes):
        return 1

    def _loss_and_grad(self, codes, scores):
        z = codes.astype(scores.dtype).reshape(scores.shape)
        loss = sigmoid_cross_entropy_with_logits(labels=z, logits=scores).mean()
        return float(loss), sigmoid_cross_entropy_grad(labels=z, logits=scores)

    def decision_function(self, X):
        """Scores :math:`X w + b`, shape (n_samples,); positive means ``classes_[1]``."""
        X = self._check_X_predict(X, "decision_function")
        return self._scores(X, self.coef_, self.intercept_)[:, 0]

    def predict(self, X):
        """``classes_[1]`` where the score is positive, ``classes_[0]`` elsewhere."""
        X = self._check_X_predict(X, "predict")
        positive = self._scores(X, self.coef_, self.intercept_)[:, 0] > 0
        return self.classes_[positive.astype(np.intp)]

    def predict_proba(self, X):
        """Columns :math:`1 - \\sigma(s)` and :math:`\\sigma(s)`, shape (n_samples, 2)."""
        self._check_fitted("predict_proba")
        scores = self.decision_function(X)
        # 1 - sigmoid(s) = sigmoid(-s), exact where sigmoid(s) rounds to 1.
        return np.column_stack([sigmoid(-scores), sigmoid(scores)])


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

    _param_names = ("loss",) + _LinearClassifier._param_names

    def __init__(
        self, *, loss="hinge", alpha=5e-4, learning_rate=0.05, max_iter=500, batch_size=None,
        tol=1e-7, random_state=None,
    ):
        self.loss = loss
        super().__init__(
            alpha=alpha, learning_rate=learning_rate, max_iter=max_iter,
            batch_size=batch_size, tol=tol, random_state=random_state,
        )

    def _check_params(self):
        if self.loss not in ("hinge", "squared_hinge"):
            raise ValueError(
                f'loss must be "hinge" or "squared_hinge", got {self.loss!r}.'
            )
        super()._check_params()

    def _loss_and_grad(self, codes, scores):
        squared = self.loss == "squared_hinge"
        loss = multiclass_hinge_loss(codes, scores, squared=squared)
        return float(loss), multiclass_hinge_grad(codes, scores, squared=squared)
