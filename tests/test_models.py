"""Tests of xentlab.models: gradients, descent, determinism, and scikit-learn as reference.

The reference numbers are not constants: each comparison fits scikit-learn's
``LogisticRegression`` (L-BFGS, converged) on the same split and checks that
our gradient-descent fit lands within a stated relative distance of its
held-out log-loss.
"""

import re
from fractions import Fraction

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import xentlab as xl
from xentlab.models import LinearSVM, LogisticRegression, NotFittedError, SoftmaxRegression

MODELS = {
    "softmax": lambda **kw: SoftmaxRegression(**kw),
    "logistic": lambda **kw: LogisticRegression(**kw),
    "hinge": lambda **kw: LinearSVM(loss="hinge", **kw),
    "squared_hinge": lambda **kw: LinearSVM(loss="squared_hinge", **kw),
}


def _blobs(n_classes, n=60, d=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    y[:n_classes] = np.arange(n_classes)
    centres = rng.normal(scale=2.0, size=(n_classes, d))
    return centres[y] + rng.normal(size=(n, d)), y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0)


# ------------------------------------------------------------------- gradients


@pytest.mark.parametrize("name", list(MODELS))
def test_objective_gradient_matches_central_differences(name):
    n_classes = 2 if name == "logistic" else 4
    X, y = _blobs(n_classes)
    model = MODELS[name](alpha=0.3)
    rng = np.random.default_rng(1)
    n_out = 1 if name == "logistic" else n_classes
    W = rng.normal(size=(n_out, X.shape[1]))
    b = rng.normal(size=n_out)
    _, grad_W, grad_b = model.objective_and_gradient(X, y, W, b)

    def f_W(w):
        return model.objective_and_gradient(X, y, w, b)[0]

    def f_b(v):
        return model.objective_and_gradient(X, y, W, v)[0]

    assert xl.check_gradient(f_W, lambda w: model.objective_and_gradient(X, y, w, b)[1], W) < 1e-6
    assert xl.check_gradient(f_b, lambda v: model.objective_and_gradient(X, y, W, v)[2], b) < 1e-6
    # The analytic gradient is the matrix formula of chapter 7.
    assert grad_W.shape == W.shape and grad_b.shape == b.shape


def test_softmax_gradient_is_the_matrix_formula():
    X, y = _blobs(3)
    alpha = 0.1
    rng = np.random.default_rng(2)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    P = xl.softmax(X @ W.T + b)
    Y = np.eye(3)[y]
    _, grad_W, grad_b = SoftmaxRegression(alpha=alpha).objective_and_gradient(X, y, W, b)
    np.testing.assert_allclose(grad_W, (P - Y).T @ X / len(X) + alpha * W, rtol=1e-12)
    np.testing.assert_allclose(grad_b, (P - Y).mean(axis=0), rtol=1e-12, atol=1e-15)


def test_bias_is_not_regularised():
    X, y = _blobs(3)
    W, b = np.zeros((3, 4)), np.array([5.0, -1.0, 2.0])
    weak = SoftmaxRegression(alpha=0.0).objective_and_gradient(X, y, W, b)
    strong = SoftmaxRegression(alpha=100.0).objective_and_gradient(X, y, W, b)
    assert weak[0] == strong[0]  # W = 0: the penalty is 0 whatever alpha
    np.testing.assert_array_equal(weak[2], strong[2])


# -------------------------------------------------------------------- descent


@pytest.mark.parametrize("name", ["softmax", "logistic", "squared_hinge"])
def test_full_batch_loss_history_is_non_increasing(name):
    n_classes = 2 if name == "logistic" else 3
    X, y = _blobs(n_classes, n=80)
    model = MODELS[name](learning_rate=0.01, max_iter=200, tol=None).fit(X, y)
    history = model.loss_history_
    assert history.shape == (200,) and model.n_iter_ == 200
    assert np.all(np.diff(history) <= 1e-12)
    assert history[-1] < 0.5 * history[0]


def test_hinge_subgradient_descent_decreases_overall():
    X, y = _blobs(3, n=80)
    history = LinearSVM(learning_rate=0.01, max_iter=200, tol=None).fit(X, y).loss_history_
    assert history[-1] < 0.2 * history[0]


def test_too_large_step_makes_the_loss_go_up():
    X, y = _blobs(3, n=80)
    # The penalty alone has curvature alpha = 1, so a step above 2 / alpha overshoots
    # further every time: W is multiplied by about (1 - 5) per step.
    model = SoftmaxRegression(alpha=1.0, learning_rate=5.0, max_iter=30, tol=None).fit(X, y)
    assert np.all(np.diff(model.loss_history_[5:]) > 0)
    assert model.loss_history_[-1] > 1e6


def test_tol_stops_early_and_history_has_one_value_per_epoch():
    X, y = _blobs(3, n=80)
    model = SoftmaxRegression(tol=1e-4, max_iter=500).fit(X, y)
    assert 1 < model.n_iter_ < 500
    assert model.loss_history_.shape == (model.n_iter_,)
    assert model.loss_history_[-1] == pytest.approx(model.objective_and_gradient(X, y)[0])


@pytest.mark.parametrize("name", list(MODELS))
def test_same_random_state_same_fit_with_mini_batches(name):
    n_classes = 2 if name == "logistic" else 3
    X, y = _blobs(n_classes, n=90)
    a = MODELS[name](batch_size=16, max_iter=20, random_state=7).fit(X, y)
    b = MODELS[name](batch_size=16, max_iter=20, random_state=7).fit(X, y)
    c = MODELS[name](batch_size=16, max_iter=20, random_state=8).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.intercept_, b.intercept_)
    np.testing.assert_array_equal(a.loss_history_, b.loss_history_)
    assert not np.array_equal(a.coef_, c.coef_)  # the seed really drives the shuffling


def test_mini_batch_reaches_the_full_batch_objective():
    X, y = _blobs(3, n=120)
    full = SoftmaxRegression(alpha=0.01, max_iter=2000, tol=None).fit(X, y)
    mini = SoftmaxRegression(
        alpha=0.01, learning_rate=0.2, batch_size=10, max_iter=200, random_state=0, tol=None
    ).fit(X, y)
    assert mini.loss_history_[-1] == pytest.approx(full.loss_history_[-1], rel=0.05)


# ------------------------------------------------------ the scikit-learn shape


def test_arbitrary_labels_are_mapped_like_sklearn():
    X, y = _blobs(3)
    names = np.array(["pig", "cat", "dog"])[y]
    by_code = SoftmaxRegression(max_iter=50).fit(X, y)
    by_name = SoftmaxRegression(max_iter=50).fit(X, names)
    assert by_name.classes_.tolist() == ["cat", "dog", "pig"]
    # Sorted classes: cat=1 -> column 0, dog=2 -> 1, pig=0 -> 2.
    np.testing.assert_allclose(by_name.coef_, by_code.coef_[[1, 2, 0]])
    assert set(by_name.predict(X)) <= {"cat", "dog", "pig"}
    assert by_name.score(X, names) == by_code.score(X, y)


@pytest.mark.parametrize("name", list(MODELS))
def test_predict_is_argmax_of_decision_function(name):
    n_classes = 2 if name == "logistic" else 4
    X, y = _blobs(n_classes, n=100)
    labels = np.array([10, 20, 30, 40])[y]
    model = MODELS[name](max_iter=100).fit(X, labels)
    scores = model.decision_function(X)
    if name == "logistic":
        assert scores.shape == (100,)
        expected = model.classes_[(scores > 0).astype(int)]
    else:
        assert scores.shape == (100, n_classes)
        expected = model.classes_[scores.argmax(axis=1)]
    np.testing.assert_array_equal(model.predict(X), expected)
    assert model.score(X, labels) == np.mean(expected == labels)


@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_predict_proba_rows_sum_to_one_and_agree_with_predict(name):
    n_classes = 2 if name == "logistic" else 4
    X, y = _blobs(n_classes, n=100)
    model = MODELS[name](max_iter=100).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (100, n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))


def test_svm_has_no_predict_proba():
    assert not hasattr(LinearSVM(), "predict_proba")


# ---------------------------------------------------- against scikit-learn


def _held_out_log_loss(model, X_test, y_test):
    return log_loss(y_test, model.predict_proba(X_test), labels=model.classes_)


def test_digits_softmax_matches_sklearn_with_matched_regularisation(digits):
    X_train, X_test, y_train, y_test = digits
    C = 1.0
    ours = SoftmaxRegression(alpha=1.0 / (C * len(X_train))).fit(X_train, y_train)
    theirs = SkLogisticRegression(C=C, max_iter=1000).fit(X_train, y_train)
    ours_loss = _held_out_log_loss(ours, X_test, y_test)
    theirs_loss = _held_out_log_loss(theirs, X_test, y_test)
    assert ours_loss == pytest.approx(theirs_loss, rel=0.05)
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.01


def test_digits_softmax_defaults_near_sklearn_defaults(digits):
    X_train, X_test, y_train, y_test = digits
    ours = _held_out_log_loss(SoftmaxRegression().fit(X_train, y_train), X_test, y_test)
    theirs = _held_out_log_loss(SkLogisticRegression().fit(X_train, y_train), X_test, y_test)
    assert ours == pytest.approx(theirs, rel=0.10)


def test_breast_cancer_logistic_matches_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    ours = LogisticRegression(alpha=1.0 / len(X_train)).fit(X_train, y_train)
    theirs = SkLogisticRegression().fit(X_train, y_train)
    assert _held_out_log_loss(ours, X_test, y_test) == pytest.approx(
        _held_out_log_loss(theirs, X_test, y_test), rel=0.05
    )
    # Same model, same sign convention: the scores agree in direction.
    cosine = (ours.coef_ @ theirs.coef_.T).item() / (
        np.linalg.norm(ours.coef_) * np.linalg.norm(theirs.coef_)
    )
    assert cosine > 0.99


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_linear_svm_beats_90_percent_on_digits(digits, loss):
    X_train, X_test, y_train, y_test = digits
    assert LinearSVM(loss=loss).fit(X_train, y_train).score(X_test, y_test) > 0.90


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize("method", ["predict", "decision_function", "predict_proba", "score"])
def test_use_before_fit_names_the_method(method):
    X, y = _blobs(3)
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError, match=r"not fitted yet; call fit\(X, y\) before "):
        getattr(SoftmaxRegression(), method)(*args)
    with pytest.raises(ValueError, match=rf"before {'predict' if method == 'score' else method}"):
        getattr(SoftmaxRegression(), method)(*args)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros(5), np.arange(5), r"X must be 2-D .* got shape \(5,\)\. Reshape"),
        ([[0.0, np.nan], [1.0, 2.0]], [0, 1], r"X contains NaN"),
        ([[0.0, np.inf], [1.0, 2.0]], [0, 1], r"X contains inf .* must be finite"),
        (np.zeros((4, 2)), [0, 1, 0], r"X has 4 rows, y has 3 labels"),
        (np.zeros((3, 2)), [1, 1, 1], r"y contains only one class \(1\); a classifier needs"),
        (np.zeros((2, 2)), np.eye(2), r"y must be 1-D, .* one-hot"),
    ],
)
def test_bad_data_raises(X, y, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxRegression().fit(X, y)


def test_bad_dtype_raises_type_error():
    with pytest.raises(TypeError, match="X must hold real numbers"):
        SoftmaxRegression().fit([["a", "b"], ["c", "d"]], [0, 1])


_REAL = "must be a real number, got"
_INTEGER = "must be an integer or None, got"
_SEED = "random_state must be None, a non-negative integer or a np.random.Generator, got"
_LR_HINT = "; 2.0 suits features scaled to [0, 1] or standardised."


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (
            {"learning_rate": 0.0},
            ValueError,
            "learning_rate must be finite and > 0, got 0.0" + _LR_HINT,
        ),
        (
            {"learning_rate": -1},
            ValueError,
            "learning_rate must be finite and > 0, got -1" + _LR_HINT,
        ),
        ({"learning_rate": np.nan}, ValueError, "learning_rate must be finite and > 0, got nan"),
        ({"learning_rate": None}, TypeError, f"learning_rate {_REAL} None."),
        ({"learning_rate": "2"}, TypeError, f"learning_rate {_REAL} '2' (str)."),
        ({"alpha": -0.1}, ValueError, "alpha must be finite and >= 0, got -0.1."),
        ({"alpha": np.float64(-0.1)}, ValueError, "alpha must be finite and >= 0, got -0.1."),
        ({"alpha": np.inf}, ValueError, "alpha must be finite and >= 0, got inf."),
        ({"alpha": True}, TypeError, f"alpha {_REAL} True (bool)."),
        ({"alpha": 1j}, TypeError, f"alpha {_REAL} 1j (complex)."),
        ({"alpha": "1e-3"}, TypeError, f"alpha {_REAL} '1e-3' (str)."),
        ({"alpha": np.ones(2)}, TypeError, f"alpha {_REAL} an array of shape (2,)."),
        ({"max_iter": 0}, ValueError, "max_iter must be finite and >= 1, got 0."),
        ({"max_iter": 10.5}, TypeError, "max_iter must be an integer, got 10.5 (float)."),
        ({"max_iter": 10.0}, TypeError, "max_iter must be an integer, got 10.0 (float)."),
        ({"max_iter": None}, TypeError, "max_iter must be an integer, got None."),
        ({"max_iter": False}, TypeError, "max_iter must be an integer, got False (bool)."),
        ({"batch_size": 0}, ValueError, "batch_size must be finite and >= 1, got 0."),
        ({"batch_size": np.nan}, TypeError, f"batch_size {_INTEGER} nan (float)."),
        (
            {"batch_size": Fraction(1, 2)},
            TypeError,
            f"batch_size {_INTEGER} Fraction(1, 2) (Fraction).",
        ),
        ({"batch_size": "8"}, TypeError, f"batch_size {_INTEGER} '8' (str)."),
        ({"tol": -1e-3}, ValueError, "tol must be finite and >= 0, got -0.001."),
        ({"tol": np.nan}, ValueError, "tol must be finite and >= 0, got nan."),
        ({"tol": True}, TypeError, "tol must be a real number or None, got True (bool)."),
        (
            {"random_state": -1},
            ValueError,
            "random_state must be finite and >= 0, got -1; pass a "
            "seed such as 0, or a np.random.Generator.",
        ),
        ({"random_state": 1.5}, TypeError, f"{_SEED} 1.5 (float)."),
        ({"random_state": "0"}, TypeError, f"{_SEED} '0' (str)."),
        ({"random_state": True}, TypeError, f"{_SEED} True (bool)."),
        ({"random_state": np.zeros(2)}, TypeError, f"{_SEED} an array of shape (2,)."),
    ],
)
def test_bad_hyper_parameters_raise(params, error, message):
    X, y = _blobs(3)
    with pytest.raises(error, match=re.escape(message)):
        SoftmaxRegression(**params).fit(X, y)
    with pytest.raises(error, match=re.escape(message)):
        SoftmaxRegression(**params).objective_and_gradient(X, y, np.zeros((3, 4)), np.zeros(3))


@pytest.mark.parametrize(
    "params",
    [
        {"alpha": Fraction(1, 1000), "learning_rate": Fraction(2)},
        {"alpha": np.float32(1e-3), "learning_rate": np.float32(2.0), "tol": np.float32(1e-7)},
        {"max_iter": np.int64(50), "batch_size": np.int32(16), "random_state": np.uint8(3)},
        {"alpha": 0, "tol": None, "batch_size": None, "random_state": None},
    ],
)
def test_any_real_hyper_parameter_is_accepted(params):
    X, y = _blobs(3)
    params = {"max_iter": 50, **params}
    model = SoftmaxRegression(**params).fit(X, y)
    assert model.get_params() == {**SoftmaxRegression().get_params(), **params}
    assert model.score(X, y) > 0.8


def test_random_state_accepts_a_generator():
    X, y = _blobs(3, n=90)
    a = SoftmaxRegression(batch_size=16, max_iter=5, random_state=np.random.default_rng(7))
    b = SoftmaxRegression(batch_size=16, max_iter=5, random_state=7)
    np.testing.assert_array_equal(a.fit(X, y).coef_, b.fit(X, y).coef_)


def test_repr_shows_plain_numbers():
    model = SoftmaxRegression(alpha=np.float64(1e-3), max_iter=np.int64(9))
    assert repr(model) == (
        "SoftmaxRegression(alpha=0.001, learning_rate=2.0, max_iter=9, batch_size=None, "
        "tol=1e-07, random_state=None)"
    )


@pytest.mark.parametrize(
    ("loss", "error", "message"),
    [
        ("log", ValueError, "loss must be one of ('hinge', 'squared_hinge'), got 'log'."),
        (None, TypeError, "loss must be one of ('hinge', 'squared_hinge'), got None."),
        (True, TypeError, "loss must be one of ('hinge', 'squared_hinge'), got True (bool)."),
        (2, TypeError, "loss must be one of ('hinge', 'squared_hinge'), got 2 (int)."),
    ],
)
def test_bad_svm_loss_raises(loss, error, message):
    X, y = _blobs(3)
    with pytest.raises(error, match=re.escape(message)):
        LinearSVM(loss=loss).fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_float_labels_are_rejected(bad):
    # NaN used to become a class of its own (np.unique keeps it).
    X, y = _blobs(3)
    labels = y.astype(float)
    labels[5] = bad
    message = (
        f"y must hold class labels, but y[5] = {bad!r}; NaN and inf are not classes: drop "
        "those rows or give them their labels."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        SoftmaxRegression().fit(X, labels)
    binary = (y > 0).astype(float)
    binary[5] = bad
    with pytest.raises(ValueError, match=re.escape(message)):
        LogisticRegression().fit(X, binary)


@pytest.mark.parametrize("method", ["predict_proba", "predict_log_proba"])
def test_overflowing_scores_name_X(method):
    X, y = _blobs(3)
    model = SoftmaxRegression().fit(X, y)
    assert np.abs(model.coef_[0]).sum() > 1.1  # so the first score overflows below
    far = np.vstack([X[:1], 1.7e308 * np.sign(model.coef_[:1])])
    message = (
        "X gives scores that overflow to inf or NaN (first in row 1); its features lie far "
        "outside those seen in fit: scale X as the training data was scaled."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(model, method)(far)


def test_logistic_regression_rejects_more_than_two_classes():
    X, y = _blobs(3)
    with pytest.raises(ValueError, match=r"for 2 classes, but y has 3 .* use SoftmaxRegression"):
        LogisticRegression().fit(X, y)


def test_wrong_number_of_features_at_predict():
    X, y = _blobs(3)
    model = SoftmaxRegression(max_iter=5).fit(X, y)
    with pytest.raises(
        ValueError,
        match=r"X has 3 features, but SoftmaxRegression was fitted "
        r"with 4 features",
    ):
        model.predict(X[:, :3])


def test_unseen_label_in_objective():
    X, y = _blobs(3)
    model = SoftmaxRegression(max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match=r"labels not seen in fit, e\.g\. 7; the fitted classes"):
        model.objective_and_gradient(X, np.full(len(X), 7))


def test_divergence_is_reported():
    X, y = _blobs(3)
    message = r"diverged: .* Lower learning_rate \(now 1e\+300\) or alpha"
    with pytest.raises(FloatingPointError, match=message):
        SoftmaxRegression(learning_rate=1e300, max_iter=5).fit(X * 1e10, y)
    with pytest.raises(xl.DivergenceError, match="scale the features X"):
        SoftmaxRegression(max_iter=5).fit(X * 1e307, y)
    assert issubclass(xl.DivergenceError, ValueError)
