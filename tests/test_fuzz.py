"""Fuzz every public function and method with odd inputs, one argument at a time.

Each public callable has an entry in ``ENTRIES``: a valid call and the role of
each argument (a real array, probabilities, class labels, weights, a mask, an
option, a callable). Starting from the valid call, hypothesis picks one argument,
one oddity of its role (every dtype, 0-d, empty, ragged, non-contiguous, read-only,
big-endian, Fortran-ordered, masked, NaN / +-inf / +-1e308 at a random position,
absurd options) and a position, and the call must

(a) return, or (b) raise ``ValueError`` / ``TypeError`` whose message names the
argument; (c) warn with ``UserWarning`` at most (never a NumPy ``RuntimeWarning``
or ``DeprecationWarning``); (d) leave every input as it was; (e) return nothing
that shares memory with an input; (f) return float32 for float32 input and
float64 otherwise (for functions documented so); (g) for an input odd only in its
layout, return exactly what the plain C-contiguous copy gives.

A new public name without an entry fails ``test_every_public_callable_has_a_fuzz_entry``:
add an entry next to the others. ``KNOWN_FAILURES`` lists the
(callable, argument, oddity) cases that fail today, each with its reason; they are
not asserted by the fuzz tests, and ``test_known_failures_still_fail`` fails once
one of them is fixed, so that the entry is removed.
"""

from __future__ import annotations

import copy
import dataclasses
import fnmatch
import fractions
import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xentlab as xl

# (callable, argument, oddity pattern): reason. Each is a failure the suite found
# that is still open; reproduce one with check(ENTRIES[name], argument, oddity, 0).
# Fix it, then delete its line (test_known_failures_still_fail says when).
KNOWN_FAILURES: dict[tuple[str, str, str], str] = {}

# ----------------------------------------------------------------- the entries

LOGITS = [[1.0, -2.0, 0.5], [0.5, 3.0, -1.0]]
ONE_HOT = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
PROBS = [[0.7, 0.2, 0.1], [0.25, 0.5, 0.25]]
P2 = [[0.5, 0.5], [0.25, 0.75]]
Q2 = [[0.9, 0.1], [0.5, 0.5]]
LABELS = [0, 1]
WEIGHTS = [1.0, 2.0]
CLASS_WEIGHT = [1.0, 2.0, 0.5]

# Roles of arguments. "float" and "prob" are the data arrays whose dtype sets the
# output dtype; the others do not.
FLOAT, PROB, LABEL, WEIGHT, MASK, OPTION, CALLABLE, ANY_LABEL = (
    "float",
    "prob",
    "label",
    "weight",
    "mask",
    "option",
    "callable",
    "any_label",
)
ARRAY_ROLES = (FLOAT, PROB, LABEL, WEIGHT, MASK, ANY_LABEL)
ALL = "<all floats>"  # the pseudo-argument: every float/prob argument at once


@dataclasses.dataclass
class Entry:
    name: str
    call: Callable
    kwargs: dict  # a valid call
    roles: dict  # argument -> role; options not in kwargs are added when fuzzed
    float32_out: bool = True  # float32 data in -> float32 out, float64 otherwise
    dtype_from: tuple = ()  # the arguments that set the output dtype (default: float, prob)
    layout_rtol: float = 1e-15  # results for odd layouts equal the plain ones to this

    @property
    def arguments(self):
        args = list(self.roles)
        if self.float32_out and any(r in (FLOAT, PROB) for r in self.roles.values()):
            args.append(ALL)
        return args


def _f(func):
    return lambda **kw: func(**kw)


ENTRIES: dict[str, Entry] = {}


def entry(func, kwargs, *, float32_out=True, name=None, call=None, layout_rtol=1e-15, **roles):
    name = name or func.__name__
    ENTRIES[name] = Entry(
        name, call or _f(func), kwargs, roles, float32_out, layout_rtol=layout_rtol
    )


OPT = OPTION
# activations
entry(xl.sigmoid, {"x": LOGITS}, x=FLOAT)
entry(xl.log_sigmoid, {"x": LOGITS}, x=FLOAT)
entry(xl.softmax, {"x": LOGITS}, x=FLOAT, axis=OPT)
entry(xl.log_softmax, {"x": LOGITS}, x=FLOAT, axis=OPT)
entry(xl.logsumexp, {"x": LOGITS}, x=FLOAT, axis=OPT, keepdims=OPT)
# information
entry(xl.entropy, {"p": P2}, p=PROB, axis=OPT, base=OPT)
entry(xl.cross_entropy, {"p": P2, "q": Q2}, p=PROB, q=PROB, axis=OPT, base=OPT)
entry(xl.kl_divergence, {"p": P2, "q": Q2}, p=PROB, q=PROB, axis=OPT, base=OPT)
# losses on probabilities
entry(
    xl.binary_cross_entropy,
    {"y_true": ONE_HOT, "y_pred": PROBS, "sample_weight": WEIGHTS},
    y_true=PROB,
    y_pred=PROB,
    sample_weight=WEIGHT,
    from_logits=OPT,
    reduction=OPT,
    eps=OPT,
    label_smoothing=OPT,
)
entry(
    xl.binary_cross_entropy,
    {
        "y_true": ONE_HOT,
        "y_pred": LOGITS,
        "from_logits": True,
        "pos_weight": [2.0, 1.0, 0.5],
        "where": [[True, True, False], [True, True, True]],
    },
    name="binary_cross_entropy[from_logits]",
    y_true=PROB,
    y_pred=FLOAT,
    pos_weight=WEIGHT,
    where=MASK,
    reduction=OPT,
    label_smoothing=OPT,
)
entry(
    xl.categorical_cross_entropy,
    {"y_true": ONE_HOT, "y_pred": PROBS, "sample_weight": WEIGHTS, "class_weight": CLASS_WEIGHT},
    y_true=PROB,
    y_pred=PROB,
    sample_weight=WEIGHT,
    class_weight=WEIGHT,
    from_logits=OPT,
    axis=OPT,
    reduction=OPT,
    eps=OPT,
    label_smoothing=OPT,
    z_loss=OPT,
)
entry(
    xl.categorical_cross_entropy,
    {"y_true": ONE_HOT, "y_pred": LOGITS, "from_logits": True, "where": [True, False]},
    name="categorical_cross_entropy[from_logits]",
    y_true=PROB,
    y_pred=FLOAT,
    where=MASK,
    axis=OPT,
    reduction=OPT,
    label_smoothing=OPT,
    z_loss=OPT,
)
entry(
    xl.sparse_categorical_cross_entropy,
    {"y_true": LABELS, "y_pred": PROBS, "sample_weight": WEIGHTS, "class_weight": CLASS_WEIGHT},
    y_true=LABEL,
    y_pred=PROB,
    sample_weight=WEIGHT,
    class_weight=WEIGHT,
    from_logits=OPT,
    axis=OPT,
    reduction=OPT,
    eps=OPT,
    label_smoothing=OPT,
    ignore_index=OPT,
    z_loss=OPT,
)
entry(
    xl.sparse_categorical_cross_entropy,
    {
        "y_true": LABELS,
        "y_pred": LOGITS,
        "from_logits": True,
        "ignore_index": -100,
        "where": [True, True],
    },
    name="sparse_categorical_cross_entropy[from_logits]",
    y_true=LABEL,
    y_pred=FLOAT,
    where=MASK,
    axis=OPT,
    reduction=OPT,
    label_smoothing=OPT,
    ignore_index=OPT,
    z_loss=OPT,
)
entry(
    xl.log_loss,
    {"y_true": LABELS, "y_pred": PROBS, "labels": [0, 1, 2], "sample_weight": WEIGHTS},
    float32_out=False,
    y_true=LABEL,
    y_pred=PROB,
    labels=LABEL,
    sample_weight=WEIGHT,
    normalize=OPT,
)
entry(
    xl.mean_squared_error,
    {"y_true": ONE_HOT, "y_pred": PROBS, "sample_weight": WEIGHTS},
    y_true=FLOAT,
    y_pred=FLOAT,
    sample_weight=WEIGHT,
    reduction=OPT,
)
entry(
    xl.hinge_loss,
    {"y_true": [1.0, -1.0], "scores": [0.3, -2.0], "sample_weight": WEIGHTS},
    y_true=FLOAT,
    scores=FLOAT,
    sample_weight=WEIGHT,
    reduction=OPT,
)
entry(
    xl.multiclass_hinge_loss,
    {"y_true": LABELS, "scores": LOGITS, "sample_weight": WEIGHTS},
    y_true=LABEL,
    scores=FLOAT,
    sample_weight=WEIGHT,
    margin=OPT,
    squared=OPT,
    axis=OPT,
    reduction=OPT,
)
entry(
    xl.crammer_singer_hinge_loss,
    {"y_true": LABELS, "scores": LOGITS, "sample_weight": WEIGHTS},
    y_true=LABEL,
    scores=FLOAT,
    sample_weight=WEIGHT,
    margin=OPT,
    axis=OPT,
    reduction=OPT,
)
# TensorFlow's four
entry(
    xl.sigmoid_cross_entropy_with_logits,
    {"labels": ONE_HOT, "logits": LOGITS},
    labels=PROB,
    logits=FLOAT,
)
entry(
    xl.weighted_cross_entropy_with_logits,
    {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5, 1.0]},
    labels=PROB,
    logits=FLOAT,
    pos_weight=WEIGHT,
)
entry(
    xl.softmax_cross_entropy_with_logits,
    {"labels": ONE_HOT, "logits": LOGITS},
    labels=PROB,
    logits=FLOAT,
    axis=OPT,
)
entry(
    xl.sparse_softmax_cross_entropy_with_logits,
    {"labels": LABELS, "logits": LOGITS},
    labels=LABEL,
    logits=FLOAT,
    axis=OPT,
)
# gradients
entry(
    xl.sigmoid_cross_entropy_grad, {"labels": ONE_HOT, "logits": LOGITS}, labels=PROB, logits=FLOAT
)
entry(
    xl.weighted_cross_entropy_grad,
    {"labels": ONE_HOT, "logits": LOGITS, "pos_weight": [2.0, 0.5, 1.0]},
    labels=PROB,
    logits=FLOAT,
    pos_weight=WEIGHT,
)
entry(
    xl.softmax_cross_entropy_grad,
    {"labels": ONE_HOT, "logits": LOGITS},
    labels=PROB,
    logits=FLOAT,
    axis=OPT,
)
entry(
    xl.sparse_softmax_cross_entropy_grad,
    {"labels": LABELS, "logits": LOGITS},
    labels=LABEL,
    logits=FLOAT,
    axis=OPT,
)
entry(xl.binary_cross_entropy_grad, {"y_true": ONE_HOT, "y_pred": PROBS}, y_true=PROB, y_pred=PROB)
entry(
    xl.categorical_cross_entropy_grad,
    {"y_true": ONE_HOT, "y_pred": PROBS},
    y_true=PROB,
    y_pred=PROB,
)
entry(xl.mean_squared_error_grad, {"y_true": ONE_HOT, "y_pred": PROBS}, y_true=FLOAT, y_pred=FLOAT)
entry(
    xl.multiclass_hinge_grad,
    {"y_true": LABELS, "scores": LOGITS},
    y_true=LABEL,
    scores=FLOAT,
    margin=OPT,
    squared=OPT,
    axis=OPT,
)
entry(
    xl.crammer_singer_hinge_grad,
    {"y_true": LABELS, "scores": LOGITS},
    y_true=LABEL,
    scores=FLOAT,
    margin=OPT,
    axis=OPT,
)
entry(
    xl.sparse_categorical_cross_entropy_grad,
    {
        "y_true": LABELS,
        "logits": LOGITS,
        "sample_weight": WEIGHTS,
        "class_weight": CLASS_WEIGHT,
        "ignore_index": -100,
        "where": [True, True],
    },
    y_true=LABEL,
    logits=FLOAT,
    sample_weight=WEIGHT,
    class_weight=WEIGHT,
    where=MASK,
    axis=OPT,
    reduction=OPT,
    label_smoothing=OPT,
    ignore_index=OPT,
    z_loss=OPT,
)
entry(
    xl.numerical_gradient,
    {"f": np.sum, "x": LOGITS},
    float32_out=False,
    f=CALLABLE,
    x=FLOAT,
    eps=OPT,
)
entry(
    xl.check_gradient,
    {"f": np.sum, "grad": np.ones_like, "x": LOGITS},
    float32_out=False,
    f=CALLABLE,
    grad=CALLABLE,
    x=FLOAT,
    eps=OPT,
)
# explain
entry(
    xl.softmax_table,
    {"scores": [1.0, 2.0, 0.5], "label": 1, "class_names": ["a", "b", "c"]},
    float32_out=False,
    scores=FLOAT,
    label=OPT,
    class_names=OPT,
)


def _table_method(method):
    def call(**kw):
        return getattr(xl.softmax_table([1.0, 2.0, 0.5], label=1), method)(**kw)

    return call


entry(
    None, {}, name="SoftmaxTable.rows", call=_table_method("rows"), float32_out=False, digits=OPT
)
entry(None, {}, name="SoftmaxTable.summary", call=_table_method("summary"), float32_out=False)
# labels, focal, metrics, calibration
entry(
    xl.one_hot,
    {"labels": LABELS, "n_classes": 3},
    float32_out=False,
    labels=LABEL,
    n_classes=OPT,
    dtype=OPT,
)
entry(xl.smooth_labels, {"labels": ONE_HOT, "e": 0.1}, labels=PROB, e=OPT)
entry(
    xl.sigmoid_focal_loss,
    {"labels": ONE_HOT, "logits": LOGITS},
    labels=PROB,
    logits=FLOAT,
    alpha=OPT,
    gamma=OPT,
)
entry(
    xl.sigmoid_focal_grad,
    {"labels": ONE_HOT, "logits": LOGITS},
    labels=PROB,
    logits=FLOAT,
    alpha=OPT,
    gamma=OPT,
)
entry(
    xl.top_k_accuracy,
    {"y_true": LABELS, "scores": LOGITS, "k": 2, "sample_weight": WEIGHTS},
    float32_out=False,
    y_true=LABEL,
    scores=FLOAT,
    k=OPT,
    sample_weight=WEIGHT,
)
entry(
    xl.expected_calibration_error,
    {"y_true": LABELS, "y_prob": PROBS},
    float32_out=False,
    y_true=LABEL,
    y_prob=PROB,
    n_bins=OPT,
    strategy=OPT,
)
entry(
    xl.reliability_curve,
    {"y_true": LABELS, "y_prob": PROBS},
    float32_out=False,
    y_true=LABEL,
    y_prob=PROB,
    n_bins=OPT,
    strategy=OPT,
)
entry(
    xl.perplexity,
    {"y_true": LABELS, "y_pred": PROBS},
    float32_out=False,
    y_true=LABEL,
    y_pred=PROB,
    base=OPT,
    axis=OPT,
    mean_loss=OPT,
)
entry(
    xl.fit_temperature,
    {"logits": LOGITS + [[2.0, 0.0, 1.0]], "labels": [0, 1, 2]},
    float32_out=False,
    logits=FLOAT,
    labels=LABEL,
    bounds=OPT,
)
entry(xl.apply_temperature, {"logits": LOGITS, "temperature": 2.0}, logits=FLOAT, temperature=OPT)
# softmax focal loss and poly-1
entry(
    xl.categorical_focal_loss,
    {"y_true": ONE_HOT, "y_pred": PROBS, "sample_weight": WEIGHTS},
    y_true=PROB,
    y_pred=PROB,
    sample_weight=WEIGHT,
    from_logits=OPT,
    alpha=OPT,
    gamma=OPT,
    label_smoothing=OPT,
    axis=OPT,
    reduction=OPT,
)
entry(
    xl.categorical_focal_grad,
    {"y_true": ONE_HOT, "logits": LOGITS},
    y_true=PROB,
    logits=FLOAT,
    alpha=OPT,
    gamma=OPT,
    label_smoothing=OPT,
    axis=OPT,
)
entry(
    xl.poly1_cross_entropy,
    {"y_true": ONE_HOT, "y_pred": PROBS, "sample_weight": WEIGHTS},
    y_true=PROB,
    y_pred=PROB,
    sample_weight=WEIGHT,
    from_logits=OPT,
    epsilon=OPT,
    label_smoothing=OPT,
    axis=OPT,
    reduction=OPT,
)
entry(
    xl.poly1_cross_entropy_grad,
    {"y_true": ONE_HOT, "logits": LOGITS},
    y_true=PROB,
    logits=FLOAT,
    epsilon=OPT,
    label_smoothing=OPT,
    axis=OPT,
)
# log-space losses
LOG_PROBS = np.log(PROBS).tolist()
entry(
    xl.nll_loss,
    {
        "y_true": LABELS,
        "log_probs": LOG_PROBS,
        "class_weight": CLASS_WEIGHT,
        "sample_weight": WEIGHTS,
    },
    y_true=LABEL,
    log_probs=FLOAT,
    class_weight=WEIGHT,
    sample_weight=WEIGHT,
    axis=OPT,
    ignore_index=OPT,
    reduction=OPT,
)
entry(
    xl.nll_loss_grad,
    {"y_true": LABELS, "log_probs": LOG_PROBS, "class_weight": CLASS_WEIGHT},
    y_true=LABEL,
    log_probs=FLOAT,
    class_weight=WEIGHT,
    axis=OPT,
    ignore_index=OPT,
)
entry(
    xl.kl_divergence_from_log,
    {"p_or_log_p": PROBS, "log_q": LOG_PROBS},
    p_or_log_p=PROB,
    log_q=FLOAT,
    log_target=OPT,
    axis=OPT,
    reduction=OPT,
)
entry(
    xl.kl_divergence_from_log_grad,
    {"p_or_log_p": PROBS, "log_q": LOG_PROBS},
    p_or_log_p=PROB,
    log_q=FLOAT,
    log_target=OPT,
    axis=OPT,
)
entry(
    xl.generalized_kl_divergence,
    {"p": [[2.0, 1.0], [0.5, 0.0]], "q": [[1.0, 1.0], [1.0, 3.0]]},
    p=FLOAT,
    q=FLOAT,
    axis=OPT,
)
entry(
    xl.generalized_kl_divergence_grad,
    {"p": [[2.0, 1.0], [0.5, 0.0]], "q": [[1.0, 1.0], [1.0, 3.0]]},
    p=FLOAT,
    q=FLOAT,
    axis=OPT,
)
# scoring rules
entry(
    xl.brier_score,
    {"y_true": LABELS, "y_prob": PROBS, "sample_weight": WEIGHTS},
    y_true=LABEL,
    y_prob=PROB,
    sample_weight=WEIGHT,
    axis=OPT,
    reduction=OPT,
)
entry(
    xl.brier_score_grad, {"y_true": LABELS, "y_prob": PROBS}, y_true=LABEL, y_prob=PROB, axis=OPT
)
# large vocabulary
_H = [[0.5, -1.0], [2.0, 0.25], [0.0, 1.0]]
_W = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5], [0.25, 0.25]]
_LCE = {
    "y_true": [0, 3, 1],
    "hidden": _H,
    "weight": _W,
    "bias": [0.0, 0.5, -0.5, 1.0],
    "sample_weight": [1.0, 2.0, 0.5],
    "where": [True, False, True],
}
_LCE_ROLES = dict(
    y_true=LABEL,
    hidden=FLOAT,
    weight=FLOAT,
    bias=FLOAT,
    sample_weight=WEIGHT,
    where=MASK,
    reduction=OPT,
    ignore_index=OPT,
    label_smoothing=OPT,
    block_size=OPT,
)
entry(xl.linear_cross_entropy, _LCE, **_LCE_ROLES)
entry(xl.linear_cross_entropy_grad, _LCE, **_LCE_ROLES)

# These bring their targets to the dtype of the logits (scores), as TensorFlow does.
for _name in [
    "sigmoid_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "sigmoid_cross_entropy_grad",
    "weighted_cross_entropy_grad",
    "softmax_cross_entropy_grad",
    "sigmoid_focal_loss",
    "sigmoid_focal_grad",
    "categorical_focal_grad",
    "poly1_cross_entropy_grad",
]:
    ENTRIES[_name].dtype_from = ("logits",)
ENTRIES["hinge_loss"].dtype_from = ("scores",)

# models: every public method, with a few iterations (the hyper-parameters are
# checked by fit, so they are fit's options)
X_FIT = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0], [0.2, 0.1], [0.9, 0.4]]
Y_FIT = {
    "SoftmaxRegression": [0, 1, 2, 0, 1, 2],
    "LogisticRegression": [0, 1, 0, 1, 0, 1],
    "LinearSVM": [0, 1, 2, 0, 1, 2],
}
_FITTED: dict[str, object] = {}


def _fitted(cls):
    name = cls.__name__
    if name not in _FITTED:
        _FITTED[name] = cls(max_iter=5).fit(np.array(X_FIT), np.array(Y_FIT[name]))
    return copy.deepcopy(_FITTED[name])


def _model_entries(cls):
    name = cls.__name__
    hyper = dict(
        alpha=OPT, learning_rate=OPT, max_iter=OPT, batch_size=OPT, tol=OPT, random_state=OPT
    )
    if cls is xl.LinearSVM:
        hyper["loss"] = OPT
    hyper_names = set(hyper)

    def fit(X, y, **kw):
        return cls(**{"max_iter": 5, **kw}).fit(X, y)

    # BLAS takes another kernel for a strided X: products differ in the last bit.
    entry(
        None,
        {"X": X_FIT, "y": Y_FIT[name]},
        name=f"{name}.fit",
        call=fit,
        float32_out=False,
        layout_rtol=1e-13,
        X=FLOAT,
        y=ANY_LABEL,
        **hyper,
    )
    n_out = 1 if cls is xl.LogisticRegression else 3

    def objective(X, y, coef, intercept, **kw):
        return cls(**kw).objective_and_gradient(X, y, coef, intercept)

    entry(
        None,
        {
            "X": X_FIT,
            "y": Y_FIT[name],
            "coef": np.ones((n_out, 2)).tolist(),
            "intercept": [0.5] * n_out,
        },
        name=f"{name}.objective_and_gradient",
        call=objective,
        float32_out=False,
        layout_rtol=1e-13,
        X=FLOAT,
        y=ANY_LABEL,
        coef=FLOAT,
        intercept=FLOAT,
        alpha=OPT,
    )
    for method in ("predict", "decision_function", "predict_proba", "predict_log_proba"):
        if hasattr(cls, method):
            entry(
                None,
                {"X": X_FIT},
                name=f"{name}.{method}",
                float32_out=False,
                call=lambda method=method, **kw: getattr(_fitted(cls), method)(**kw),
                X=FLOAT,
            )
    entry(
        None,
        {"X": X_FIT, "y": Y_FIT[name]},
        name=f"{name}.score",
        float32_out=False,
        call=lambda **kw: _fitted(cls).score(**kw),
        X=FLOAT,
        y=ANY_LABEL,
    )
    entry(
        None,
        {},
        name=f"{name}.get_params",
        float32_out=False,
        call=lambda **kw: cls().get_params(**kw),
        deep=OPT,
    )
    assert hyper_names


for _cls in (xl.SoftmaxRegression, xl.LogisticRegression, xl.LinearSVM):
    _model_entries(_cls)


# ----------------------------------------------------------------- the oddities

DTYPES = [
    "complex",
    "object",
    "str",
    "bytes",
    "datetime64",
    "timedelta64",
    "longdouble",
    "float16",
    "float32",
    "bool",
    "int8",
    "uint64",
]
LAYOUTS = ["list", "noncontiguous", "strided", "readonly", "bigendian", "fortran"]
VALUES = ["nan", "+inf", "-inf", "1e308", "-1e308", "span"]
SHAPES = [
    "0-d",
    "scalar",
    "empty",
    "empty-columns",
    "ragged",
    "extra-dim",
    "masked",
    "None",
    "string",
]
ARRAY_ODDITIES = (
    [f"dtype:{d}" for d in DTYPES]
    + [f"layout:{v}" for v in LAYOUTS]
    + [f"value:{v}" for v in VALUES]
    + [f"shape:{s}" for s in SHAPES]
)
ABSURD_OPTIONS = {
    "True": True,
    "complex": 1 + 2j,
    "str": "mean",
    "str-array": np.array(["mean"]),
    "float-array": np.array([1.0]),
    "None": None,
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": -float("inf"),
    "-1": -1,
    "0": 0,
    "1": 1,
    "2": 2,
    "1e308": 1e308,
    "fraction": fractions.Fraction(1, 3),
    "float32": np.float32(0.5),
    "int64": np.int64(2),
    "list": [1.0],
    "tuple": (1.0, 0.5),
    "dict": {"a": 1},
}
CALLABLE_ODDITIES = {
    "returns-None": lambda x: None,
    "returns-str": lambda x: "abc",
    "returns-nan": lambda x: float("nan"),
    "returns-array": lambda x: np.zeros(7),
    "returns-complex": lambda x: 1 + 2j,
    "not-callable": 5,
    "None": None,
}


# Options that set how another argument is read: an error may name that argument.
CONTEXT_OPTIONS = {"axis", "n_classes", "log_target", "from_logits"}


def oddities_of(role):
    if role == OPTION:
        return [f"option:{k}" for k in ABSURD_OPTIONS]
    if role == CALLABLE:
        return [f"callable:{k}" for k in CALLABLE_ODDITIES]
    if role == "all":
        return ["all:float32", "all:float16", "all:float32-layouts"]
    return ARRAY_ODDITIES


def _role(e, arg):
    return "all" if arg == ALL else e.roles[arg]


def _default_array(e, arg):
    """The valid value of an array argument (a default for one not in the call)."""
    return np.asarray(e.kwargs[arg]) if arg in e.kwargs else None


def _quiet_astype(a, dtype):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return a.astype(dtype)


def _strided(a):
    """A non-contiguous view of a bigger array, holding ``a``'s values."""
    big = np.zeros(tuple(2 * n + 1 for n in a.shape), a.dtype)
    view = big[tuple(slice(1, None, 2) for _ in a.shape)]
    view[...] = a
    return view


def odd_array(a, oddity, position):
    """``a`` (a valid array) made odd. Returns (value, layout_only)."""
    kind, what = oddity.split(":", 1)
    if kind == "dtype":
        if what in ("datetime64", "timedelta64"):
            unit = "M8[s]" if what == "datetime64" else "m8[s]"
            return _quiet_astype(a, np.int64).astype(unit), False
        if what == "uint64":
            return _quiet_astype(np.abs(a), np.uint64), False
        if what in ("str", "bytes"):
            return a.astype(str if what == "str" else "S"), False
        return _quiet_astype(a, np.dtype(what)), False
    if kind == "layout":
        if what == "list":
            return a.tolist(), True
        if what == "noncontiguous":
            if a.ndim == 0:
                return _strided(a), True
            # every other column of a twice-as-wide array
            wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
            wide[..., ::2] = a
            return wide[..., ::2], True
        if what == "strided":
            return _strided(a), True
        if what == "readonly":
            b = a.copy()
            b.flags.writeable = False
            return b, True
        if what == "bigendian":
            return a.astype(a.dtype.newbyteorder(">")), True
        if what == "fortran":
            return np.asfortranarray(a), True
    if kind == "value":
        b = a.astype(np.float64) if a.dtype.kind not in "fc" else a.copy()
        if b.ndim == 0:
            b = b.copy()
        flat = b.reshape(-1)
        if flat.size == 0:
            return b, False
        i = position % flat.size
        if what == "span":
            flat[i] = 1e308
            flat[(i + 1) % flat.size] = -1e308
        else:
            flat[i] = {
                "nan": np.nan,
                "+inf": np.inf,
                "-inf": -np.inf,
                "1e308": 1e308,
                "-1e308": -1e308,
            }[what]
        return b, False
    if kind == "shape":
        if what == "0-d":
            return np.asarray(a.reshape(-1)[position % max(a.size, 1)]) if a.size else a, False
        if what == "scalar":
            return a.reshape(-1)[position % a.size].item() if a.size else 0.0, False
        if what == "empty":
            return np.empty((0,) + a.shape[1:], a.dtype), False
        if what == "empty-columns":
            return np.empty(a.shape[:-1] + (0,) if a.ndim else (0,), a.dtype), False
        if what == "ragged":
            rows = a.tolist() if a.ndim >= 2 else [a.tolist(), a.tolist()]
            if a.ndim == 0:
                rows = [[rows[0]], [rows[0], rows[0]]]
            rows[-1] = rows[-1][:-1]
            return rows, False
        if what == "extra-dim":
            return a[None], False
        if what == "masked":
            mask = np.zeros(a.shape, bool)
            if a.size:
                mask.reshape(-1)[position % a.size] = True
            return np.ma.array(a, mask=mask), False
        if what == "None":
            return None, False
        if what == "string":
            return "abc", False
    raise AssertionError(oddity)


def make_case(e, arg, oddity, position):
    """The keyword arguments of the odd call, and whether only the layout is odd."""
    kwargs = dict(e.kwargs)
    kind, what = oddity.split(":", 1)
    if kind == "none":
        return kwargs, True
    if kind == "option":
        kwargs[arg] = ABSURD_OPTIONS[what]
        return kwargs, False
    if kind == "callable":
        kwargs[arg] = CALLABLE_ODDITIES[what]
        return kwargs, False
    if kind == "all":
        dtype = np.float16 if what == "float16" else np.float32
        for a, role in e.roles.items():
            if role in (FLOAT, PROB) and a in kwargs:
                value = np.asarray(kwargs[a], dtype=dtype)
                if what == "float32-layouts":
                    value = _strided(value).astype(value.dtype.newbyteorder(">"))
                kwargs[a] = value
        return kwargs, False
    a = _default_array(e, arg)
    if a is None:  # an optional array left out of the valid call: try it odd anyway
        a = np.asarray([1.0, 1.0])
    kwargs[arg], layout_only = odd_array(a, oddity, position)
    return kwargs, layout_only


# ------------------------------------------------------------------- the checks


def _arrays(obj, seen=None):
    """Every ndarray reachable from ``obj`` (containers, dataclasses, plain objects)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [a for o in obj for a in _arrays(o, seen)]
    if isinstance(obj, dict):
        return [a for o in obj.values() for a in _arrays(o, seen)]
    if hasattr(obj, "__dict__") and type(obj).__module__.startswith("xentlab"):
        return [a for o in vars(obj).values() for a in _arrays(o, seen)]
    return []


def _leaves(obj):
    """The values of a result, flattened, for comparing two results."""
    if isinstance(obj, (np.ndarray, np.generic, float, int, str, bool)) or obj is None:
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [x for o in obj for x in _leaves(o)]
    if isinstance(obj, dict):
        return [x for k in sorted(obj) for x in _leaves(obj[k])]
    if hasattr(obj, "__dict__"):
        return [x for k in sorted(vars(obj)) for x in _leaves(vars(obj)[k])]
    return [obj]


def _same(a, b):
    """Whether an input is unchanged: same type, dtype, shape, mask and values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ma.MaskedArray):
        return _same(np.asarray(a.data), np.asarray(b.data)) and _same(
            np.ma.getmaskarray(a), np.ma.getmaskarray(b)
        )
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        except TypeError:
            return bool(np.all(a == b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    if callable(a):
        return True
    return bool(a == b)


def _copy_kwargs(kwargs):
    out = {}
    for k, v in kwargs.items():
        out[k] = v if callable(v) and not isinstance(v, np.ndarray) else copy.deepcopy(v)
    return out


def names(message, arg):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message) is not None


def _expected_dtype(e, kwargs):
    dtypes = []
    for a, role in e.roles.items():
        if (a in e.dtype_from if e.dtype_from else role in (FLOAT, PROB)) and a in kwargs:
            v = kwargs[a]
            v = v if isinstance(v, np.ndarray) else np.asarray(v)
            if v.dtype.kind == "f":
                dtypes.append(v.dtype.itemsize <= 4)
    return np.float32 if dtypes and all(dtypes) else np.float64


_PLAIN: dict[str, object] = {}


def plain_result(e):
    if e.name not in _PLAIN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            _PLAIN[e.name] = e.call(**copy.deepcopy(e.kwargs))
    return _PLAIN[e.name]


def _assert_results_equal(got, want, where, rtol):
    got_leaves, want_leaves = _leaves(got), _leaves(want)
    assert len(got_leaves) == len(want_leaves), where
    for g, w in zip(got_leaves, want_leaves, strict=True):
        if isinstance(w, (np.ndarray, np.generic, float)) and not isinstance(w, (str, bytes)):
            g, w = np.asarray(g), np.asarray(w)
            if w.dtype.kind in "fc":
                # Beyond 1e-15 (models), a tolerance relative to the largest value:
                # a weight that cancels to 0 may come out as 1e-18 either way.
                finite = w[np.isfinite(w)]
                atol = rtol * np.abs(finite).max() if rtol > 1e-15 and finite.size else 0
                np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=where)
            else:
                np.testing.assert_array_equal(g, w, err_msg=where)
        else:
            assert g == w, where


def check(e, arg, oddity, position):
    """Run one odd call and assert (a) to (g); raise AssertionError on a failure."""
    kwargs, layout_only = make_case(e, arg, oddity, position)
    before = _copy_kwargs(kwargs)
    where = f"{e.name}({arg}: {oddity}, position {position})"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = e.call(**kwargs)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            result = exc
            if arg == ALL or arg in CONTEXT_OPTIONS or "shape" in message:
                # Every argument at once, an option that sets how another argument is
                # read (its class axis, log-probabilities or not), or shapes that no
                # longer agree: the message may name the other argument.
                named = any(names(message, a) for a in [arg, *e.roles])
            else:
                named = names(message, arg)
            assert named, f"{where}: {type(exc).__name__} does not name {arg!r}: {message}"
        except Exception as exc:  # noqa: BLE001 - any other type is the failure found
            raise AssertionError(f"{where}: raised {type(exc).__name__}: {exc}") from exc
    bad = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if not issubclass(w.category, UserWarning)
    ]
    assert not bad, f"{where}: emitted {bad}"
    for k in kwargs:
        assert _same(before[k], kwargs[k]), f"{where}: modified its input {k!r}"
    if isinstance(result, Exception):
        return "raised"
    inputs = _arrays(list(kwargs.values()))
    for out in _arrays(result):
        for inp in inputs:
            assert not np.shares_memory(out, inp), (
                f"{where}: the result shares memory with an input"
            )
    if e.float32_out:
        expected = _expected_dtype(e, kwargs)
        for leaf in _leaves(result):
            if isinstance(leaf, (np.ndarray, np.generic)) and leaf.dtype.kind == "f":
                assert leaf.dtype == expected, f"{where}: dtype {leaf.dtype}, not {expected}"
    if layout_only:
        _assert_results_equal(
            result, plain_result(e), f"{where}: differs from the plain input", e.layout_rtol
        )
    return "returned"


def known_reason(e, arg, oddity):
    """The reason of the KNOWN_FAILURES entry that covers this case, or None."""
    for (name, a, pattern), reason in KNOWN_FAILURES.items():
        if name == e.name and a == arg and fnmatch.fnmatchcase(oddity, pattern):
            return reason
    return None


# -------------------------------------------------------------------- the tests


def test_every_public_callable_has_a_fuzz_entry():
    required = set()
    for name in xl.__all__:
        obj = getattr(xl, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            continue
        if isinstance(obj, type):
            for attr in dir(obj):
                value = getattr(obj, attr)
                if (
                    not attr.startswith("_")
                    and callable(value)
                    and getattr(value, "__module__", "").startswith("xentlab")
                ):
                    required.add(f"{name}.{attr}")
        else:
            required.add(name)
    covered = {n.split("[")[0] for n in ENTRIES}
    missing = sorted(required - covered)
    assert not missing, (
        f"public callables without a fuzz entry in tests/test_fuzz.py: {missing}; add an "
        "entry(...) line (a valid call and the role of each argument)"
    )
    stale = sorted(covered - required)
    assert not stale, f"fuzz entries for names that are no longer public: {stale}"


def test_every_valid_call_passes_the_checks():
    for e in ENTRIES.values():
        kwargs = copy.deepcopy(e.kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            e.call(**kwargs)
        assert not caught, f"{e.name}: the valid call warns: {[str(w.message) for w in caught]}"


_SETTINGS = settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("name", sorted(ENTRIES))
@_SETTINGS
@given(data=st.data())
def test_fuzz(name, data):
    e = ENTRIES[name]
    if not e.arguments:  # a method without arguments: the valid call, checked
        check(e, None, "none:", 0)
        return
    arg = data.draw(st.sampled_from(e.arguments), label="argument")
    oddity = data.draw(st.sampled_from(oddities_of(_role(e, arg))), label="oddity")
    position = data.draw(st.integers(0, 10**6), label="position")
    if known_reason(e, arg, oddity):
        return
    check(e, arg, oddity, position)


@pytest.mark.parametrize("key", sorted(KNOWN_FAILURES), ids=lambda k: ":".join(k))
def test_known_failures_still_fail(key):
    name, arg, pattern = key
    e = ENTRIES[name]
    oddities = [o for o in oddities_of(_role(e, arg)) if fnmatch.fnmatchcase(o, pattern)]
    assert oddities, f"{key} matches no oddity"
    for oddity in oddities:
        for position in range(6):
            try:
                check(e, arg, oddity, position)
            except AssertionError:
                return
    pytest.fail(f"{key} passes now: remove it from KNOWN_FAILURES ({KNOWN_FAILURES[key]})")


# ------------------------------------------- the known cases of the held-out run


@pytest.mark.parametrize("option", ["reduction"])
def test_options_given_as_arrays_raise_type_error(option):
    with pytest.raises(TypeError, match="reduction must be one of"):
        xl.binary_cross_entropy([1.0], [0.5], reduction=np.array(["mean"]))
    with pytest.raises(TypeError, match="squared must be True or False"):
        xl.multiclass_hinge_grad([0], [[1.0, 2.0]], squared="no")
    with pytest.raises(TypeError, match="axis must be an integer"):
        xl.softmax([1.0, 2.0], axis=np.array([0]))


@pytest.mark.parametrize(
    "func, kwargs, arg",
    [
        (xl.softmax, {"x": np.ma.array([1.0, 2.0], mask=[False, True])}, "x"),
        (
            xl.categorical_cross_entropy,
            {"y_true": [[1.0, 0.0]], "y_pred": np.ma.array([[0.5, 0.5]], mask=[[False, True]])},
            "y_pred",
        ),
        (
            xl.sparse_softmax_cross_entropy_with_logits,
            {"labels": np.ma.array([0], mask=[True]), "logits": [[1.0, 2.0]]},
            "labels",
        ),
    ],
)
def test_masked_arrays_raise_type_error(func, kwargs, arg):
    with pytest.raises(TypeError, match=rf"{arg} is a masked array"):
        func(**kwargs)


@pytest.mark.parametrize("func", [xl.softmax, xl.log_softmax, xl.logsumexp])
def test_logits_spanning_the_float_range_give_no_warning(func):
    x = np.array([[-1e308, 0.0, 1e308], [1e308, -1e308, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = func(x)
    assert np.all(np.isfinite(out) | np.isneginf(out))
    if func is xl.softmax:
        np.testing.assert_array_equal(out, [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def test_sparse_cross_entropy_and_softmax_table_over_the_float_range():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = xl.sparse_softmax_cross_entropy_with_logits(
            labels=[0, 2], logits=[[-1e308, 0.0, 1e308], [0.0, -1e308, 1e308]]
        )
        table = xl.softmax_table([-1e308, 0.0, 1e308], label=2)
    np.testing.assert_array_equal(loss, [np.inf, 0.0])
    assert table.loss == 0.0


def test_the_checker_catches_what_it_should():
    # Guards the fuzz suite against passing because its checks see nothing.
    def modifies(x):
        x = np.asarray(x)
        x[...] = 0
        return x.copy()

    def leaks(x):
        return np.asarray(x)

    def raw_numpy(x):
        return np.asarray(x) + np.ones(7)

    def runtime_warning(x):
        return np.log(np.asarray(x) - 10)

    for func, fragment in [
        (modifies, "modified"),
        (leaks, "shares memory"),
        (raw_numpy, "does not name"),
        (runtime_warning, "RuntimeWarning"),
    ]:
        e = Entry(func.__name__, _f(func), {"x": np.array(LOGITS)}, {"x": FLOAT})
        with pytest.raises(AssertionError, match=fragment):
            check(e, "x", "layout:readonly" if func is not modifies else "dtype:float16", 0)


def test_weighted_mean_with_weights_near_the_float_maximum():
    # sum(w) overflows, the weighted mean does not: it is found without a warning.
    y, p = [[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.1], [0.5, 0.5]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = xl.binary_cross_entropy(y, p, sample_weight=[1e308, 1e308])
        scores = xl.hinge_loss([1.0, -1.0], [-1e308, 1e308], sample_weight=[1.0, 3.0])
        total = xl.hinge_loss([1.0, -1.0], [-1e308, 1e308], reduction="sum")
    np.testing.assert_allclose(huge, xl.binary_cross_entropy(y, p), rtol=1e-15)
    np.testing.assert_allclose(scores, 1e308, rtol=1e-15)  # (1 * 1e308 + 3 * 1e308) / 4
    assert total == np.inf  # the true sum is beyond the float range


def test_sigmoid_cross_entropy_beyond_the_float_range_is_inf_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = xl.weighted_cross_entropy_with_logits(
            labels=[1.0, 0.0], logits=[-1e308, 1e308], pos_weight=4.0
        )
    np.testing.assert_array_equal(loss, [np.inf, 1e308])
