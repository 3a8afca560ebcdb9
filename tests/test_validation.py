"""Bad input, for every public function of xentlab's core modules.

Each function is described once (``SPECS``: a valid call, and the role of each
argument); the tests then corrupt one argument at a time and check that the
function raises ``ValueError`` / ``TypeError`` (or warns) with a message that
names the argument at fault. Also here: every valid call against a value
computed independently (plain NumPy, central differences for the gradients,
SciPy's optimiser for the temperature), float32 in -> float32 out across the
API, and a check, read from the tests' syntax trees, that every name in
``xentlab.__all__`` is called by name in a test that asserts something.
"""

import ast
import dataclasses
import functools
import importlib
import pathlib
import pkgutil

import numpy as np
import pytest
from scipy import optimize

import xentlab as xl

TESTS = pathlib.Path(__file__).parent

P2 = [[0.5, 0.5], [0.25, 0.75]]  # two distributions
Q2 = [[0.9, 0.1], [0.5, 0.5]]
ONE_HOT = [[1.0, 0.0], [0.0, 1.0]]
LOGITS = [[1.0, -2.0], [0.5, 3.0]]
LOG_Q2 = np.log(Q2).tolist()  # log-probabilities


@dataclasses.dataclass
class Spec:
    func: object
    kwargs: dict
    floats: tuple = ()  # real-valued array arguments
    probabilities: tuple = ()  # ... that must lie in [0, 1]
    distributions: tuple = ()  # ... that must sum to 1 along the class axis (a warning)
    labels: tuple = ()  # integer class-label arguments
    axis: bool = False
    reduction: bool = False
    sample_weight: bool = False
    float32_out: bool = True  # float32 inputs give float32 output

    @property
    def name(self):
        return self.func.__name__


SPECS = [
    Spec(xl.sigmoid, {"x": LOGITS}, floats=("x",)),
    Spec(xl.log_sigmoid, {"x": LOGITS}, floats=("x",)),
    Spec(xl.softmax, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(xl.log_softmax, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(xl.logsumexp, {"x": LOGITS}, floats=("x",), axis=True),
    Spec(
        xl.entropy, {"p": P2}, floats=("p",), probabilities=("p",), distributions=("p",), axis=True
    ),
    Spec(
        xl.cross_entropy,
        {"p": P2, "q": Q2},
        floats=("p", "q"),
        probabilities=("p", "q"),
        distributions=("p", "q"),
        axis=True,
    ),
    Spec(
        xl.kl_divergence,
        {"p": P2, "q": Q2},
        floats=("p", "q"),
        probabilities=("p", "q"),
        distributions=("p", "q"),
        axis=True,
    ),
    Spec(
        xl.binary_cross_entropy,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.categorical_cross_entropy,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
        distributions=("y_true", "y_pred"),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.sparse_categorical_cross_entropy,
        {"y_true": [0, 1], "y_pred": Q2},
        floats=("y_pred",),
        probabilities=("y_pred",),
        distributions=("y_pred",),
        labels=("y_true",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.log_loss,
        {"y_true": [0, 1], "y_pred": Q2},
        floats=("y_pred",),
        probabilities=("y_pred",),
        distributions=("y_pred",),
        sample_weight=True,
        float32_out=False,
    ),
    Spec(
        xl.mean_squared_error,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.hinge_loss,
        {"y_true": [1.0, -1.0], "scores": [0.3, -2.0]},
        floats=("y_true", "scores"),
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.multiclass_hinge_loss,
        {"y_true": [0, 1], "scores": LOGITS},
        floats=("scores",),
        labels=("y_true",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.sigmoid_cross_entropy_with_logits,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
    ),
    Spec(
        xl.weighted_cross_entropy_with_logits,
        {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5]},
        floats=("labels", "logits", "pos_weight"),
        probabilities=("labels",),
    ),
    Spec(
        xl.softmax_cross_entropy_with_logits,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
        distributions=("labels",),
        axis=True,
    ),
    Spec(
        xl.sparse_softmax_cross_entropy_with_logits,
        {"labels": [0, 1], "logits": LOGITS},
        floats=("logits",),
        labels=("labels",),
        axis=True,
    ),
    Spec(
        xl.sigmoid_cross_entropy_grad,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
    ),
    Spec(
        xl.weighted_cross_entropy_grad,
        {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5]},
        floats=("labels", "logits", "pos_weight"),
        probabilities=("labels",),
    ),
    Spec(
        xl.softmax_cross_entropy_grad,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
        axis=True,
    ),
    Spec(
        xl.linear_cross_entropy,
        {"y_true": [0, 1], "hidden": LOGITS, "weight": [[1.0, 0.0], [0.0, 1.0]]},
        floats=("hidden",),  # weight: tests/test_linear_cross_entropy.py
        labels=("y_true",),
        reduction=True,
        float32_out=False,  # weight stays float64 here
    ),
    Spec(
        xl.linear_cross_entropy_grad,
        {"y_true": [0, 1], "hidden": LOGITS, "weight": [[1.0, 0.0], [0.0, 1.0]]},
        floats=("hidden",),  # weight: tests/test_linear_cross_entropy.py
        labels=("y_true",),
        reduction=True,
        float32_out=False,
    ),
    Spec(
        xl.sparse_categorical_cross_entropy_grad,
        {"y_true": [0, 1], "logits": LOGITS},
        floats=("logits",),
        labels=("y_true",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.sparse_softmax_cross_entropy_grad,
        {"labels": [0, 1], "logits": LOGITS},
        floats=("logits",),
        labels=("labels",),
        axis=True,
    ),
    Spec(
        xl.binary_cross_entropy_grad,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
    ),
    Spec(
        xl.categorical_cross_entropy_grad,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
    ),
    Spec(
        xl.mean_squared_error_grad, {"y_true": ONE_HOT, "y_pred": Q2}, floats=("y_true", "y_pred")
    ),
    Spec(
        xl.multiclass_hinge_grad,
        {"y_true": [0, 1], "scores": LOGITS},
        floats=("scores",),
        labels=("y_true",),
        axis=True,
    ),
    Spec(xl.numerical_gradient, {"f": np.sum, "x": LOGITS}, floats=("x",), float32_out=False),
    Spec(
        xl.check_gradient,
        {"f": np.sum, "grad": np.ones_like, "x": LOGITS},
        floats=("x",),
        float32_out=False,
    ),
    Spec(xl.softmax_table, {"scores": [1.0, 2.0, 0.5]}, floats=("scores",), float32_out=False),
    # labels, focal loss, metrics, calibration (chapter 8)
    Spec(xl.one_hot, {"labels": [0, 1], "n_classes": 2}, float32_out=False),
    Spec(
        xl.smooth_labels,
        {"labels": ONE_HOT, "e": 0.1},
        floats=("labels",),
        probabilities=("labels",),
    ),
    Spec(
        xl.sigmoid_focal_loss,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
    ),
    Spec(
        xl.sigmoid_focal_grad,
        {"labels": ONE_HOT, "logits": LOGITS},
        floats=("labels", "logits"),
        probabilities=("labels",),
    ),
    Spec(
        xl.top_k_accuracy,
        {"y_true": [0, 1], "scores": LOGITS, "k": 1},
        floats=("scores",),
        labels=("y_true",),
        sample_weight=True,
        float32_out=False,
    ),
    Spec(
        xl.reliability_curve,
        {"y_true": [0, 1], "y_prob": Q2},
        floats=("y_prob",),
        probabilities=("y_prob",),
        labels=("y_true",),
        float32_out=False,
    ),
    Spec(
        xl.expected_calibration_error,
        {"y_true": [0, 1], "y_prob": Q2},
        floats=("y_prob",),
        probabilities=("y_prob",),
        labels=("y_true",),
        float32_out=False,
    ),
    Spec(
        xl.perplexity,
        {"y_true": [0, 1], "y_pred": Q2},
        floats=("y_pred",),
        probabilities=("y_pred",),
        distributions=("y_pred",),
        labels=("y_true",),
        axis=True,
        float32_out=False,
    ),
    Spec(
        xl.fit_temperature,
        {"logits": LOGITS, "labels": [0, 1]},
        floats=("logits",),
        labels=("labels",),
        float32_out=False,
    ),
    Spec(xl.apply_temperature, {"logits": LOGITS, "temperature": 2.0}, floats=("logits",)),
    # softmax focal loss, poly-1, Crammer-Singer hinge, log-space losses, Brier score
    Spec(
        xl.categorical_focal_loss,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
        distributions=("y_true", "y_pred"),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.categorical_focal_grad,
        {"y_true": ONE_HOT, "logits": LOGITS},
        floats=("y_true", "logits"),
        probabilities=("y_true",),
        distributions=("y_true",),
        axis=True,
    ),
    Spec(
        xl.poly1_cross_entropy,
        {"y_true": ONE_HOT, "y_pred": Q2},
        floats=("y_true", "y_pred"),
        probabilities=("y_true", "y_pred"),
        distributions=("y_true", "y_pred"),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.poly1_cross_entropy_grad,
        {"y_true": ONE_HOT, "logits": LOGITS},
        floats=("y_true", "logits"),
        probabilities=("y_true",),
        distributions=("y_true",),
        axis=True,
    ),
    Spec(
        xl.crammer_singer_hinge_loss,
        {"y_true": [0, 1], "scores": LOGITS},
        floats=("scores",),
        labels=("y_true",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.crammer_singer_hinge_grad,
        {"y_true": [0, 1], "scores": LOGITS},
        floats=("scores",),
        labels=("y_true",),
        axis=True,
    ),
    Spec(
        xl.nll_loss,
        {"y_true": [0, 1], "log_probs": LOG_Q2},
        floats=("log_probs",),
        labels=("y_true",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.nll_loss_grad,
        {"y_true": [0, 1], "log_probs": LOG_Q2},
        floats=("log_probs",),
        labels=("y_true",),
        axis=True,
    ),
    Spec(
        xl.kl_divergence_from_log,
        {"p_or_log_p": P2, "log_q": LOG_Q2},
        floats=("p_or_log_p", "log_q"),
        probabilities=("p_or_log_p",),
        distributions=("p_or_log_p",),
        axis=True,
    ),
    Spec(
        xl.kl_divergence_from_log_grad,
        {"p_or_log_p": P2, "log_q": LOG_Q2},
        floats=("p_or_log_p", "log_q"),
        probabilities=("p_or_log_p",),
        distributions=("p_or_log_p",),
        axis=True,
    ),
    Spec(xl.generalized_kl_divergence, {"p": P2, "q": Q2}, floats=("p", "q"), axis=True),
    Spec(xl.generalized_kl_divergence_grad, {"p": P2, "q": Q2}, floats=("p", "q"), axis=True),
    # y_true of the Brier score may be one-hot, so it is not in the label checks.
    Spec(
        xl.brier_score,
        {"y_true": [0, 1], "y_prob": Q2},
        floats=("y_prob",),
        probabilities=("y_prob",),
        distributions=("y_prob",),
        axis=True,
        reduction=True,
        sample_weight=True,
    ),
    Spec(
        xl.brier_score_grad,
        {"y_true": [0, 1], "y_prob": Q2},
        floats=("y_prob",),
        probabilities=("y_prob",),
        distributions=("y_prob",),
        axis=True,
    ),
]
IDS = [s.name for s in SPECS]


def cases(attribute):
    """(spec, argument name) for every spec argument listed under ``attribute``."""
    out = [(s, a) for s in SPECS for a in getattr(s, attribute)]
    return pytest.mark.parametrize("spec, arg", out, ids=[f"{s.name}-{a}" for s, a in out])


def with_arg(spec, arg, value):
    return {**spec.kwargs, arg: value}


def specs_where(attribute):
    chosen = [s for s in SPECS if getattr(s, attribute)]
    return pytest.mark.parametrize("spec", chosen, ids=[s.name for s in chosen])


# ------------------------------------------------- values of the valid calls
#
# Each public function on a small input, against a value computed another way:
# the textbook formula in plain NumPy (fine on these moderate inputs), central
# differences of that formula for the gradients, a hand count for the metrics.

X, Y, P, Q = (np.array(a) for a in (LOGITS, ONE_HOT, P2, Q2))
S = np.array([[1.0, 2.0, -0.5], [0.5, 3.0, 3.2]])  # scores with no hinge at a kink
T = np.array([[0.5, 0.3, 0.2]] * 3)  # three examples with the same ranking


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def _bce(y, p):
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _weighted_bce(z, x, q):
    return -(q * z * np.log(_sigmoid(x)) + (1 - z) * np.log(1 - _sigmoid(x)))


def _focal(z, x, alpha=0.25, gamma=2.0):
    p = _sigmoid(x)
    p_t = p * z + (1 - p) * (1 - z)
    alpha_t = alpha * z + (1 - alpha) * (1 - z)
    return alpha_t * (1 - p_t) ** gamma * _bce(z, p)


def _weston_watkins(y, s, margin=1.0):
    true = s[np.arange(len(y)), y][:, None]
    h = np.maximum(0.0, s - true + margin)
    h[np.arange(len(y)), y] = 0.0
    return h.sum(axis=1)


def _picked(y, a):
    return a[np.arange(len(y)), y]


def _central_differences(f, x, h=1e-6):
    """Gradient of the scalar ``f`` at ``x``, one coordinate at a time."""
    x = np.array(x, dtype=float)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def _best_temperature(logits, labels):
    def nll(t):
        return -np.log(_picked(labels, _softmax(np.asarray(logits) / t))).mean()

    fit = optimize.minimize_scalar(
        nll, bounds=(0.05, 20.0), method="bounded", options={"xatol": 1e-10}
    )
    return fit.x


# (name, the call, the independent value, relative tolerance)
VALUES = [
    ("sigmoid", lambda: xl.sigmoid(LOGITS), _sigmoid(X), 1e-13),
    ("log_sigmoid", lambda: xl.log_sigmoid(LOGITS), np.log(_sigmoid(X)), 1e-13),
    ("softmax", lambda: xl.softmax(LOGITS), _softmax(X), 1e-13),
    ("log_softmax", lambda: xl.log_softmax(LOGITS), np.log(_softmax(X)), 1e-13),
    ("logsumexp", lambda: xl.logsumexp(LOGITS), np.log(np.exp(X).sum(axis=1)), 1e-13),
    ("entropy", lambda: xl.entropy(P2), -(P * np.log(P)).sum(axis=1), 1e-13),
    ("cross_entropy", lambda: xl.cross_entropy(P2, Q2), -(P * np.log(Q)).sum(axis=1), 1e-13),
    ("kl_divergence", lambda: xl.kl_divergence(P2, Q2), (P * np.log(P / Q)).sum(axis=1), 1e-13),
    (
        "binary_cross_entropy",
        lambda: xl.binary_cross_entropy(ONE_HOT, Q2, reduction="none"),
        _bce(Y, Q),
        1e-13,
    ),
    (
        "categorical_cross_entropy",
        lambda: xl.categorical_cross_entropy(ONE_HOT, Q2, reduction="none"),
        -(Y * np.log(Q)).sum(axis=1),
        1e-13,
    ),
    (
        "sparse_categorical_cross_entropy",
        lambda: xl.sparse_categorical_cross_entropy([0, 1], Q2, reduction="none"),
        -np.log([0.9, 0.5]),
        1e-13,
    ),
    ("log_loss", lambda: xl.log_loss([0, 1], Q2), -np.log([0.9, 0.5]).mean(), 1e-13),
    (
        "mean_squared_error",
        lambda: xl.mean_squared_error(ONE_HOT, Q2),
        ((Y - Q) ** 2).mean(),
        1e-13,
    ),
    (
        "hinge_loss",
        lambda: xl.hinge_loss([1.0, -1.0], [0.3, -2.0], reduction="none"),
        [0.7, 0.0],
        1e-13,
    ),
    (
        "multiclass_hinge_loss",
        lambda: xl.multiclass_hinge_loss([0, 1], S, reduction="none"),
        _weston_watkins(np.array([0, 1]), S),
        1e-13,
    ),
    (
        "sigmoid_cross_entropy_with_logits",
        lambda: xl.sigmoid_cross_entropy_with_logits(labels=ONE_HOT, logits=LOGITS),
        _bce(Y, _sigmoid(X)),
        1e-13,
    ),
    (
        "weighted_cross_entropy_with_logits",
        lambda: xl.weighted_cross_entropy_with_logits(
            labels=ONE_HOT, logits=LOGITS, pos_weight=[2.0, 0.5]
        ),
        _weighted_bce(Y, X, np.array([2.0, 0.5])),
        1e-13,
    ),
    (
        "softmax_cross_entropy_with_logits",
        lambda: xl.softmax_cross_entropy_with_logits(labels=ONE_HOT, logits=LOGITS),
        -(Y * np.log(_softmax(X))).sum(axis=1),
        1e-13,
    ),
    (
        "sparse_softmax_cross_entropy_with_logits",
        lambda: xl.sparse_softmax_cross_entropy_with_logits(labels=[0, 1], logits=LOGITS),
        -np.log(_picked([0, 1], _softmax(X))),
        1e-13,
    ),
    (
        "sigmoid_cross_entropy_grad",
        lambda: xl.sigmoid_cross_entropy_grad(labels=ONE_HOT, logits=LOGITS),
        _central_differences(lambda x: _bce(Y, _sigmoid(x)).sum(), X),
        1e-7,
    ),
    (
        "weighted_cross_entropy_grad",
        lambda: xl.weighted_cross_entropy_grad(
            labels=ONE_HOT, logits=LOGITS, pos_weight=[2.0, 0.5]
        ),
        _central_differences(lambda x: _weighted_bce(Y, x, np.array([2.0, 0.5])).sum(), X),
        1e-7,
    ),
    (
        "softmax_cross_entropy_grad",
        lambda: xl.softmax_cross_entropy_grad(labels=ONE_HOT, logits=LOGITS),
        _central_differences(lambda x: -(Y * np.log(_softmax(x))).sum(), X),
        1e-7,
    ),
    (
        "linear_cross_entropy",
        lambda: xl.linear_cross_entropy(
            [0, 1], LOGITS, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], reduction="none"
        ),
        -np.log(_picked([0, 1], _softmax(X @ np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).T))),
        1e-13,
    ),
    (
        "linear_cross_entropy_grad",
        lambda: (
            xl.linear_cross_entropy_grad(
                [0, 1], LOGITS, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], reduction="sum"
            ).grad_hidden
        ),
        _central_differences(
            lambda h: (
                -np.log(
                    _picked([0, 1], _softmax(h @ np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).T))
                ).sum()
            ),
            X,
        ),
        1e-7,
    ),
    (
        "sparse_categorical_cross_entropy_grad",
        lambda: xl.sparse_categorical_cross_entropy_grad([0, 1], LOGITS, reduction="sum"),
        _central_differences(lambda x: -np.log(_picked([0, 1], _softmax(x))).sum(), X),
        1e-7,
    ),
    (
        "sparse_softmax_cross_entropy_grad",
        lambda: xl.sparse_softmax_cross_entropy_grad(labels=[0, 1], logits=LOGITS),
        _central_differences(lambda x: -np.log(_picked([0, 1], _softmax(x))).sum(), X),
        1e-7,
    ),
    (
        "binary_cross_entropy_grad",
        lambda: xl.binary_cross_entropy_grad(ONE_HOT, Q2),
        _central_differences(lambda p: _bce(Y, p).sum(), Q),
        1e-7,
    ),
    (
        "categorical_cross_entropy_grad",
        lambda: xl.categorical_cross_entropy_grad(ONE_HOT, Q2),
        _central_differences(lambda p: -(Y * np.log(p)).sum(), Q),
        1e-7,
    ),
    (
        "mean_squared_error_grad",
        lambda: xl.mean_squared_error_grad(ONE_HOT, Q2),
        _central_differences(lambda p: ((Y - p) ** 2).sum(), Q),
        1e-7,
    ),
    (
        "multiclass_hinge_grad",
        lambda: xl.multiclass_hinge_grad([0, 1], S),
        _central_differences(lambda s: _weston_watkins(np.array([0, 1]), s).sum(), S),
        1e-7,
    ),
    (
        "numerical_gradient",
        lambda: xl.numerical_gradient(lambda x: np.sum(x**3), LOGITS),
        3 * X**2,
        1e-7,
    ),
    (
        "softmax_table",
        lambda: xl.softmax_table([1.0, 2.0, 0.5], label=0).probabilities,
        _softmax(np.array([1.0, 2.0, 0.5])),
        1e-13,
    ),
    ("one_hot", lambda: xl.one_hot([0, 2, 1], 3), np.eye(3)[[0, 2, 1]], 0.0),
    ("smooth_labels", lambda: xl.smooth_labels(ONE_HOT, 0.1), 0.9 * Y + 0.1 / 2, 1e-13),
    (
        "sigmoid_focal_loss",
        lambda: xl.sigmoid_focal_loss(labels=ONE_HOT, logits=LOGITS),
        _focal(Y, X),
        1e-13,
    ),
    (
        "sigmoid_focal_grad",
        lambda: xl.sigmoid_focal_grad(labels=ONE_HOT, logits=LOGITS),
        _central_differences(lambda x: _focal(Y, x).sum(), X),
        1e-7,
    ),
    ("top_k_accuracy", lambda: xl.top_k_accuracy([0, 1, 2], T, k=2), 2 / 3, 1e-15),
    (
        "reliability_curve",
        lambda: np.array(xl.reliability_curve([0, 1, 1, 1], [0.1, 0.3, 0.7, 0.9], n_bins=2)),
        [[0.2, 0.8], [0.5, 1.0], [2, 2]],
        1e-13,
    ),
    (
        "expected_calibration_error",
        lambda: xl.expected_calibration_error([0, 1, 1, 1], [0.1, 0.3, 0.7, 0.9], n_bins=2),
        0.5 * abs(0.5 - 0.2) + 0.5 * abs(1.0 - 0.8),
        1e-13,
    ),
    ("perplexity", lambda: xl.perplexity([0, 1], Q2), np.exp(-np.log([0.9, 0.5]).mean()), 1e-13),
    (
        "fit_temperature",
        lambda: xl.fit_temperature([[1.0, -2.0], [0.5, 3.0], [2.0, 0.0]], [0, 1, 1]),
        _best_temperature([[1.0, -2.0], [0.5, 3.0], [2.0, 0.0]], np.array([0, 1, 1])),
        1e-6,
    ),
    ("apply_temperature", lambda: xl.apply_temperature(LOGITS, 2.0), X / 2, 1e-15),
    (
        "categorical_focal_loss",
        lambda: xl.categorical_focal_loss(ONE_HOT, Q2, reduction="none"),
        (0.25 * (1 - Q) ** 2 * -Y * np.log(Q)).sum(axis=1),
        1e-13,
    ),
    (
        "categorical_focal_grad",
        lambda: xl.categorical_focal_grad(ONE_HOT, LOGITS),
        _central_differences(
            lambda x: (0.25 * (1 - _softmax(x)) ** 2 * -Y * np.log(_softmax(x))).sum(), X
        ),
        1e-7,
    ),
    (
        "poly1_cross_entropy",
        lambda: xl.poly1_cross_entropy(ONE_HOT, Q2, reduction="none"),
        -(Y * np.log(Q)).sum(axis=1) + 2 * (1 - (Y * Q).sum(axis=1)),
        1e-13,
    ),
    (
        "poly1_cross_entropy_grad",
        lambda: xl.poly1_cross_entropy_grad(ONE_HOT, LOGITS),
        _central_differences(
            lambda x: (
                -(Y * np.log(_softmax(x))).sum(axis=1) + 2 * (1 - (Y * _softmax(x)).sum(axis=1))
            ).sum(),
            X,
        ),
        1e-7,
    ),
    (
        "crammer_singer_hinge_loss",
        lambda: xl.crammer_singer_hinge_loss([0, 1], S, reduction="none"),
        [1 + 2.0 - 1.0, 1 + 3.2 - 3.0],
        1e-13,
    ),
    (
        "crammer_singer_hinge_grad",
        lambda: xl.crammer_singer_hinge_grad([0, 1], S),
        _central_differences(
            lambda s: (
                (1 + max(s[0, 1], s[0, 2]) - s[0, 0]) + (1 + max(s[1, 0], s[1, 2]) - s[1, 1])
            ),
            S,
        ),
        1e-7,
    ),
    (
        "nll_loss",
        lambda: xl.nll_loss([0, 1], LOG_Q2, reduction="none"),
        -np.log([0.9, 0.5]),
        1e-13,
    ),
    (
        "nll_loss_grad",
        lambda: xl.nll_loss_grad([0, 1], LOG_Q2),
        _central_differences(lambda v: -(v[0, 0] + v[1, 1]), np.log(Q)),
        1e-7,
    ),
    (
        "kl_divergence_from_log",
        lambda: xl.kl_divergence_from_log(P2, LOG_Q2, reduction="none"),
        P * np.log(P / Q),
        1e-13,
    ),
    (
        "kl_divergence_from_log_grad",
        lambda: xl.kl_divergence_from_log_grad(P2, LOG_Q2),
        _central_differences(lambda v: (P * (np.log(P) - v)).sum(), np.log(Q)),
        1e-7,
    ),
    (
        "generalized_kl_divergence",
        lambda: xl.generalized_kl_divergence(P2, 2 * Q),
        (P * np.log(P / (2 * Q)) - P + 2 * Q).sum(axis=1),
        1e-13,
    ),
    (
        "generalized_kl_divergence_grad",
        lambda: xl.generalized_kl_divergence_grad(P2, 2 * Q),
        _central_differences(lambda q: (P * np.log(P / q) - P + q).sum(), 2 * Q),
        1e-7,
    ),
    (
        "brier_score",
        lambda: xl.brier_score([0, 1], Q2, reduction="none"),
        ((Q - Y) ** 2).sum(axis=1),
        1e-13,
    ),
    (
        "brier_score_grad",
        lambda: xl.brier_score_grad([0, 1], Q2),
        _central_differences(lambda q: ((q - Y) ** 2).sum(), Q),
        1e-7,
    ),
]


@pytest.mark.parametrize("name, call, expected, rtol", VALUES, ids=[v[0] for v in VALUES])
def test_every_function_against_an_independent_value(name, call, expected, rtol):
    np.testing.assert_allclose(call(), expected, rtol=rtol, atol=rtol * 1e-3, err_msg=name)


def test_check_gradient_tells_a_right_gradient_from_a_wrong_one():
    def f(x):
        return np.sum(np.asarray(x) ** 3)

    assert xl.check_gradient(f, lambda x: 3 * np.asarray(x) ** 2, LOGITS) < 1e-8
    assert xl.check_gradient(f, lambda x: 2 * np.asarray(x) ** 2, LOGITS) > 0.1


def test_every_spec_has_an_independent_value():
    valued = {v[0] for v in VALUES} | {"check_gradient"}
    missing = sorted(s.name for s in SPECS if s.name not in valued)
    assert not missing, f"add a case to VALUES for {missing}"


# ------------------------------------------------------------ float arguments


def _corrupt(value, new):
    """``value`` as a float array with its first element replaced by ``new``."""
    arr = np.array(value, dtype=object if isinstance(new, (str, type(None))) else None)
    if isinstance(new, complex):
        arr = arr.astype(complex)
    arr.flat[0] = new
    return arr


@cases("floats")
def test_nan_is_rejected(spec, arg):
    with pytest.raises(ValueError, match=rf"\b{arg} contains NaN"):
        spec.func(**with_arg(spec, arg, _corrupt(spec.kwargs[arg], np.nan)))


@cases("floats")
@pytest.mark.parametrize(
    "bad, dtype",
    [("a", "<U1"), (None, "object"), (1 + 2j, "complex128")],
    ids=["str", "object", "complex"],
)
def test_non_real_dtypes_are_rejected(spec, arg, bad, dtype):
    value = np.array(spec.kwargs[arg])
    if isinstance(bad, str):
        value = np.full(value.shape, bad)
    else:
        value = _corrupt(value, bad)
    with pytest.raises(TypeError, match=rf"\b{arg} must hold real numbers, got dtype {dtype}"):
        spec.func(**with_arg(spec, arg, value))


@cases("floats")
def test_ragged_lists_are_rejected(spec, arg):
    ragged = [[0.5, 0.5], [0.5]]
    with pytest.raises(ValueError, match=rf"\b{arg} could not be converted to a numeric array"):
        spec.func(**with_arg(spec, arg, ragged))


@cases("floats")
def test_empty_input_is_rejected(spec, arg):
    with pytest.raises(ValueError, match=rf"\b{arg} is empty \(shape \(0,\)\)"):
        spec.func(**with_arg(spec, arg, []))


@cases("probabilities")
def test_probabilities_outside_the_unit_interval_are_rejected(spec, arg):
    value = _corrupt(spec.kwargs[arg], 1.5)
    with pytest.raises(
        ValueError,
        match=rf"\b{arg} must hold probabilities in \[0, 1\], but "
        rf"{arg}\[\(0, 0\)\] = 1.5",
    ):
        spec.func(**with_arg(spec, arg, value))
    value = _corrupt(spec.kwargs[arg], -0.25)
    with pytest.raises(
        ValueError,
        match=rf"\b{arg} must hold probabilities in \[0, 1\], but "
        rf"{arg}\[\(0, 0\)\] = -0.25",
    ):
        spec.func(**with_arg(spec, arg, value))


@cases("distributions")
def test_distributions_not_summing_to_one_warn(spec, arg):
    value = np.array(spec.kwargs[arg]) * 0.9
    with pytest.warns(
        UserWarning,
        match=rf"\b{arg} does not sum to 1 along axis 1: the sum at "
        rf"0 is 0\.9 \(2 of 2 slices are off\)",
    ):
        spec.func(**with_arg(spec, arg, value))


def test_a_single_distribution_not_summing_to_one_names_its_sum_not_a_position():
    with pytest.warns(
        UserWarning,
        match=r"labels does not sum to 1 along axis 0: it sums to "
        r"1\.3\. Make sure to pass probabilities",
    ):
        xl.softmax_cross_entropy_with_logits(labels=[0, 0.5, 0.8], logits=[0.0, 1.0, 2.0])


@specs_where("floats")
def test_shape_mismatch_names_both_arguments(spec):
    pairs = [a for a in spec.floats if a != "pos_weight"] + list(spec.labels)
    if len(pairs) < 2:
        pytest.skip("a single array argument")
    first, second = pairs[0], pairs[1]
    value = np.array(spec.kwargs[first])
    bad = np.concatenate([value, value[:1]])  # one example too many
    with pytest.raises(ValueError, match=rf"\b({first}|{second})\b.*shape"):
        spec.func(**with_arg(spec, first, bad))


# ------------------------------------------------------------ label arguments


@cases("labels")
@pytest.mark.parametrize(
    "bad, error, match",
    [
        (
            [0, 1.5],
            ValueError,
            r"{arg} must hold whole-number class indices, but {arg}\[1\] = 1.5",
        ),
        (
            [0, 2],
            ValueError,
            r"{arg} must be class indices in \[0, 2\) for 2 classes, but "
            r"{arg}\[1\] = 2 \(min 0, max 2\)\.",
        ),
        ([1, 2], ValueError, r"{arg}\[1\] = 2 \(min 1, max 2\)\. Your classes look coded from 1"),
        ([-1, 0], ValueError, r"{arg} must be class indices in \[0, 2\)"),
        ([0, np.nan], ValueError, r"{arg} contains NaN"),
        (["cat", "dog"], TypeError, r"{arg} must be integer class indices, got dtype <U3"),
        ([0j, 1j], TypeError, r"{arg} must be integer class indices, got dtype complex128"),
        ([0, None], TypeError, r"{arg} must be integer class indices, got dtype object"),
        ([[0], [1, 0]], ValueError, r"{arg} could not be converted to a numeric array"),
        (
            [0, 1, 1],
            ValueError,
            r"{arg} must have shape \(2,\) \(one class index per example\), "
            r"got shape \(3,\)",
        ),
        ([], ValueError, r"{arg} must have shape \(2,\)"),
        ([[1, 0], [0, 1]], ValueError, r"{arg} looks one-hot encoded"),
    ],
    ids=[
        "fractional",
        "too-large",
        "coded-from-1",
        "negative",
        "nan",
        "str",
        "complex",
        "object",
        "ragged",
        "too-many",
        "empty",
        "one-hot",
    ],
)
def test_bad_labels(spec, arg, bad, error, match):
    with pytest.raises(error, match=match.format(arg=arg)):
        spec.func(**with_arg(spec, arg, bad))


def test_whole_float_and_bool_labels_are_accepted():
    p = np.array(Q2)
    np.testing.assert_array_equal(
        xl.sparse_categorical_cross_entropy([0.0, 1.0], p, reduction="none"),
        xl.sparse_categorical_cross_entropy([0, 1], p, reduction="none"),
    )
    np.testing.assert_array_equal(
        xl.sparse_categorical_cross_entropy([False, True], p, reduction="none"),
        xl.sparse_categorical_cross_entropy([0, 1], p, reduction="none"),
    )


# ------------------------------------------------------------------- options


@specs_where("axis")
def test_bad_axis(spec):
    with pytest.raises(
        ValueError,
        match=r"axis=3 is out of bounds for an array of 2 "
        r"dimension\(s\); use an axis in \[-2, 1\]",
    ):
        spec.func(**spec.kwargs, axis=3)
    for bad in (None, 1.0, "0", (0, 1), True):
        with pytest.raises(TypeError, match=r"axis must be an integer, got "):
            spec.func(**spec.kwargs, axis=bad)


@specs_where("reduction")
def test_bad_reduction(spec):
    with pytest.raises(
        ValueError,
        match=r"reduction must be one of \('mean', 'sum', 'none'\), "
        r"got 'average'",
    ):
        spec.func(**spec.kwargs, reduction="average")
    with pytest.raises(TypeError, match=r"reduction must be one of .*, got None\.$"):
        spec.func(**spec.kwargs, reduction=None)
    with pytest.raises(TypeError, match=r"reduction must be one of .*, got an array of shape"):
        spec.func(**spec.kwargs, reduction=np.array(["mean"]))


@specs_where("sample_weight")
@pytest.mark.parametrize(
    "weights, error, match",
    [
        (
            [1.0],
            ValueError,
            r"sample_weight must have shape \(2,\), one weight per example, got "
            r"shape \(1,\)",
        ),
        ([[1.0, 1.0]], ValueError, r"sample_weight must have shape \(2,\).*got shape \(1, 2\)"),
        (
            [1.0, -1.0],
            ValueError,
            r"sample_weight must be non-negative, but sample_weight\[1\] = "
            r"-1\.0",
        ),
        ([0.0, 0.0], ValueError, r"sample_weight sums to zero"),
        ([1.0, np.nan], ValueError, r"sample_weight contains NaN"),
        ([1.0, np.inf], ValueError, r"sample_weight contains inf"),
        (["a", "b"], TypeError, r"sample_weight must hold real numbers"),
        ([], ValueError, r"sample_weight is empty"),
    ],
    ids=["short", "2-d", "negative", "all-zero", "nan", "inf", "str", "empty"],
)
def test_bad_sample_weight(spec, weights, error, match):
    with pytest.raises(error, match=match):
        spec.func(**spec.kwargs, sample_weight=weights)


# --------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_float32_in_float32_out(spec):
    if not spec.float32_out:
        pytest.skip(f"{spec.name} documents another output type")
    kwargs = {
        k: (np.asarray(v, dtype=np.float32) if k in spec.floats else v)
        for k, v in spec.kwargs.items()
    }
    out = spec.func(**kwargs)
    assert out.dtype == np.float32, spec.name
    out16 = spec.func(
        **{
            k: (np.asarray(v, dtype=np.float16) if k in spec.floats else v)
            for k, v in spec.kwargs.items()
        }
    )
    assert out16.dtype == np.float32, f"{spec.name}: float16 is computed in float32"
    if spec.reduction:
        for reduction in ("sum", "none"):
            assert spec.func(**kwargs, reduction=reduction).dtype == np.float32


def test_documented_output_types():
    assert isinstance(xl.log_loss([0, 1], np.float32(Q2)), float)
    assert isinstance(xl.check_gradient(np.sum, np.ones_like, np.float32([1, 2])), float)
    assert xl.numerical_gradient(np.sum, np.float32([1, 2])).dtype == np.float64
    assert xl.softmax_table(np.float32([1, 2])).probabilities.dtype == np.float64


INTEGER_CALLS = [
    (xl.sigmoid, {"x": [1, -2]}),
    (xl.log_sigmoid, {"x": [True, False]}),
    (xl.softmax, {"x": [[1, 2]]}),
    (xl.log_softmax, {"x": [[1, 2]]}),
    (xl.logsumexp, {"x": [[1, 2]]}),
    (xl.entropy, {"p": [[0, 1]]}),
    (xl.cross_entropy, {"p": [[0, 1]], "q": [[0, 1]]}),
    (xl.kl_divergence, {"p": [[True, False]], "q": [[1, 0]]}),
    (xl.binary_cross_entropy, {"y_true": [1, 0], "y_pred": [1, 0]}),
    (xl.categorical_cross_entropy, {"y_true": [[1, 0]], "y_pred": [[1, 0]]}),
    (xl.sparse_categorical_cross_entropy, {"y_true": [0], "y_pred": [[1, 0]]}),
    (xl.mean_squared_error, {"y_true": [1, 2], "y_pred": [2, 2]}),
    (xl.hinge_loss, {"y_true": [1, 0], "scores": [2, -3]}),
    (xl.multiclass_hinge_loss, {"y_true": [0], "scores": [[1, 3]]}),
    (xl.sigmoid_cross_entropy_with_logits, {"labels": [1, 0], "logits": [3, -1]}),
    (
        xl.weighted_cross_entropy_with_logits,
        {"labels": [1, 0], "logits": [3, -1], "pos_weight": 2},
    ),
    (xl.softmax_cross_entropy_with_logits, {"labels": [[1, 0]], "logits": [[3, -1]]}),
    (xl.sparse_softmax_cross_entropy_with_logits, {"labels": [0], "logits": [[3, -1]]}),
    (xl.sigmoid_cross_entropy_grad, {"labels": [1, 0], "logits": [3, -1]}),
    (xl.weighted_cross_entropy_grad, {"labels": [1, 0], "logits": [3, -1], "pos_weight": 2}),
    (xl.softmax_cross_entropy_grad, {"labels": [[1, 0]], "logits": [[3, -1]]}),
    (xl.sparse_softmax_cross_entropy_grad, {"labels": [0], "logits": [[3, -1]]}),
    (xl.categorical_cross_entropy_grad, {"y_true": [[1, 0]], "y_pred": [[1, 0]]}),
    (xl.mean_squared_error_grad, {"y_true": [1, 2], "y_pred": [2, 2]}),
    (xl.multiclass_hinge_grad, {"y_true": [0], "scores": [[1, 3]]}),
    (xl.categorical_focal_loss, {"y_true": [[1, 0]], "y_pred": [[1, 0]]}),
    (xl.poly1_cross_entropy, {"y_true": [[1, 0]], "y_pred": [[3, -1]], "from_logits": True}),
    (xl.crammer_singer_hinge_loss, {"y_true": [0], "scores": [[1, 3]]}),
    (xl.crammer_singer_hinge_grad, {"y_true": [0], "scores": [[1, 3]]}),
    (xl.nll_loss, {"y_true": [0], "log_probs": [[0, -1000]]}),
    (xl.kl_divergence_from_log, {"p_or_log_p": [[1, 0]], "log_q": [[0, -1000]]}),
    (xl.generalized_kl_divergence, {"p": [1, 2], "q": [2, 2]}),
    (xl.brier_score, {"y_true": [1, 0], "y_prob": [1, 0]}),
]


@pytest.mark.parametrize("f, kwargs", INTEGER_CALLS, ids=[f.__name__ for f, _ in INTEGER_CALLS])
def test_integer_and_bool_input_gives_float64(f, kwargs):
    assert np.asarray(f(**kwargs)).dtype == np.float64


# ------------------------------------------------ options of single functions


@pytest.mark.parametrize(
    "f, kwargs, error, match",
    [
        (
            xl.binary_cross_entropy,
            {"eps": 0.7},
            ValueError,
            r"eps must be in \[0, 0\.5\), got 0\.7",
        ),
        (
            xl.binary_cross_entropy,
            {"eps": np.nan},
            ValueError,
            r"eps must be in \[0, 0.5\), got nan",
        ),
        (
            xl.binary_cross_entropy,
            {"eps": [1e-7]},
            TypeError,
            r"eps must be a real number or None, got "
            r"\[1e-07\]",
        ),
        (
            xl.categorical_cross_entropy,
            {"label_smoothing": 2},
            ValueError,
            r"label_smoothing must be in \[0, 1\], got 2",
        ),
        (
            xl.categorical_cross_entropy,
            {"label_smoothing": True},
            TypeError,
            r"label_smoothing must be a real number, got True",
        ),
        (xl.log_loss, {"normalize": 1}, TypeError, r"normalize must be True or False, got 1"),
        (xl.logsumexp, {"keepdims": 0}, TypeError, r"keepdims must be True or False, got 0"),
        (
            xl.multiclass_hinge_loss,
            {"margin": -0.5},
            ValueError,
            r"margin must be finite and >= 0, got -0\.5",
        ),
        (
            xl.multiclass_hinge_loss,
            {"squared": "yes"},
            TypeError,
            r"squared must be True or False, got 'yes'",
        ),
        (
            xl.weighted_cross_entropy_with_logits,
            {"pos_weight": -2.0},
            ValueError,
            r"pos_weight must be non-negative, but pos_weight = -2\.0",
        ),
        (
            xl.weighted_cross_entropy_with_logits,
            {"pos_weight": [1.0, 2.0, 3.0]},
            ValueError,
            r"pos_weight of shape \(3,\) does not broadcast to logits of shape \(2, 2\)",
        ),
        (xl.entropy, {"base": 1.0}, ValueError, r"base must not be 1 \(log 1 = 0\)"),
        (
            xl.entropy,
            {"base": np.float64(-2.0)},
            ValueError,
            r"base must be finite and > 0, got -2\.0; use 2 for bits",
        ),
        (
            xl.numerical_gradient,
            {"eps": "tiny"},
            TypeError,
            r"eps must be a real number, got 'tiny'",
        ),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_bad_options(f, kwargs, error, match):
    spec = next(s for s in SPECS if s.func is f)
    with pytest.raises(error, match=match):
        f(**{**spec.kwargs, **kwargs})


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'reduce'"):
        xl.binary_cross_entropy([1.0], [0.5], reduce="mean")


@pytest.mark.parametrize(
    "f, kwargs",
    [
        (xl.binary_cross_entropy, {"y_true": [1.0, 0.0], "y_pred": [0.5]}),
        (xl.categorical_cross_entropy, {"y_true": [[1.0, 0.0]], "y_pred": [[0.5, 0.25, 0.25]]}),
        (xl.mean_squared_error, {"y_true": [1.0, 0.0], "y_pred": [[1.0, 0.0]]}),
        (xl.hinge_loss, {"y_true": [1.0, -1.0], "scores": [0.5]}),
        (xl.cross_entropy, {"p": [0.5, 0.5], "q": [[0.5, 0.5]]}),
        (xl.sigmoid_cross_entropy_with_logits, {"labels": [1.0], "logits": [0.5, 0.5]}),
    ],
)
def test_shape_mismatch_message(f, kwargs):
    first, second = kwargs
    a, b = (np.shape(v) for v in kwargs.values())
    with pytest.raises(
        ValueError,
        match=rf"{first} and {second} must have the same shape, got "
        rf"{first}\.shape = {a!s} and {second}\.shape = {b!s}".replace("(", r"\(").replace(
            ")", r"\)"
        ),
    ):
        f(**kwargs)


# -------------------------------------------------------- coverage of the API


def _called_names(node):
    """Names called in ``node``: ``xl.name(...)``, ``xentlab.name(...)`` or ``name(...)``."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            if isinstance(f, ast.Name):
                out.add(f.id)
            elif (
                isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Name)
                and (f.value.id in ("xl", "xentlab"))
            ):
                out.add(f.attr)
    return out


def _referenced_names(node):
    """Every ``xl.name`` / ``name`` that ``node`` mentions (for classes and exceptions)."""
    out = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and (sub.value.id in ("xl", "xentlab"))
        ):
            out.add(sub.attr)
    return out


def _checks(func):
    """What a test function checks: {"value"} if it asserts or compares with
    ``numpy.testing.assert_*``, {"error"} if it expects an error or a warning."""
    kinds = set()
    for sub in ast.walk(func):
        if isinstance(sub, ast.Assert):
            kinds.add("value")
        elif isinstance(sub, ast.Call):
            f = sub.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name.startswith("assert_"):
                kinds.add("value")
            elif name in ("raises", "warns"):
                kinds.add("error")
    return kinds


@functools.cache  # parsing every test file takes a second or two: do it once
def _checking_tests():
    """(file::test, what it checks, called names, referenced names) for every test function.

    A module-level table (``VALUES = [...]``) counts as part of the tests that
    use it by name, for instance in ``@pytest.mark.parametrize``.
    """
    out = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = {}
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        tables[t.id] = node
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for func in functions:
            if not func.name.startswith("test"):
                continue
            parts = [func] + [tables[n] for n in _referenced_names(func) if n in tables]
            called = set().union(*(_called_names(p) for p in parts))
            referenced = set().union(*(_referenced_names(p) for p in parts))
            out.append((f"{path.name}::{func.name}", _checks(func), called, referenced))
    return tuple(out)


def test_every_public_name_is_called_in_a_test_that_checks_its_value():
    tests = _checking_tests()
    called = set().union(*(c for _, kinds, c, _ in tests if "value" in kinds))
    named = set().union(*(r for _, kinds, _, r in tests if "value" in kinds))
    raised = set().union(*(r for _, kinds, _, r in tests if "error" in kinds))
    missing = []
    for name in xl.__all__:
        obj = getattr(xl, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            checked = name in raised  # pytest.raises(xl.NotFittedError, ...)
        elif isinstance(obj, type):
            checked = name in named  # a result type: isinstance(table, xl.SoftmaxTable)
        else:
            checked = name in called
        if not checked:
            missing.append(name)
    assert not missing, (
        "public names that no test calls by name (xl.name(...)) and checks with an assert "
        f"or numpy.testing: {missing}"
    )


def test_the_coverage_reader_tells_checking_tests_from_others():
    # Guards the test above against passing because it reads nothing.
    tests = {t: (kinds, called) for t, kinds, called, _ in _checking_tests()}
    kinds, called = tests["test_validation.py::test_every_function_against_an_independent_value"]
    assert kinds == {"value"} and {"sigmoid", "fit_temperature", "one_hot"} <= called
    kinds, called = tests["test_validation.py::test_unknown_keyword_is_a_type_error"]
    assert kinds == {"error"} and "binary_cross_entropy" in called
    bare = ast.parse("def test_x():\n    out = xl.sigmoid(1.0)\n    print(out)\n").body[0]
    assert _checks(bare) == set() and _called_names(bare) == {"sigmoid", "print"}


def _public_modules():
    """Every public module of xentlab (its name has no leading underscore)."""
    names = [m.name for m in pkgutil.iter_modules(xl.__path__) if not m.name.startswith("_")]
    return [importlib.import_module(f"xentlab.{name}") for name in sorted(names)]


def test_all_is_consistent():
    assert len(xl.__all__) == len(set(xl.__all__)), "duplicates in xentlab.__all__"
    for name in xl.__all__:
        assert hasattr(xl, name), f"xentlab.__all__ names {name!r}, which does not exist"
        assert not name.startswith("_")
    # Everything a public module exports is re-exported at the top level.
    modules = _public_modules()
    assert {"calibration", "focal", "labels", "metrics", "models"} <= {
        m.__name__.rsplit(".", 1)[1] for m in modules
    }
    for module in modules:
        for name in module.__all__:
            assert name in xl.__all__, f"{module.__name__}.{name} is not in xentlab.__all__"
            assert getattr(xl, name) is getattr(module, name)


def test_every_public_function_is_in_the_bad_input_matrix():
    functions = {
        n for m in _public_modules() for n in m.__all__ if not isinstance(getattr(m, n), type)
    }
    covered = {s.name for s in SPECS}
    assert functions <= covered, f"add a Spec for {sorted(functions - covered)}"
