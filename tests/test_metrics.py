"""Tests of xentlab.metrics against scikit-learn and against constructed cases."""

import warnings

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import top_k_accuracy_score

import xentlab as xl

# ----------------------------------------------------------------- top-k accuracy


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_top_k_matches_sklearn_with_many_ties(k):
    rng = np.random.default_rng(0)
    # Scores on a coarse grid, so ties are common and the tie-break matters.
    scores = rng.integers(0, 3, size=(400, 6)).astype(float)
    y = rng.integers(0, 6, size=400)
    y[:6] = np.arange(6)  # every class present, as scikit-learn requires
    assert xl.top_k_accuracy(y, scores, k=k) == pytest.approx(
        top_k_accuracy_score(y, scores, k=k, labels=np.arange(6)), abs=1e-15
    )


def test_top_k_matches_sklearn_with_weights():
    rng = np.random.default_rng(1)
    scores = rng.standard_normal((300, 5))
    y = rng.integers(0, 5, size=300)
    w = rng.random(300)
    assert xl.top_k_accuracy(y, scores, k=2, sample_weight=w) == pytest.approx(
        top_k_accuracy_score(y, scores, k=2, sample_weight=w, labels=np.arange(5)), rel=1e-12
    )


def test_top_1_is_accuracy_and_invariant_to_softmax():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((200, 4))
    y = rng.integers(0, 4, size=200)
    accuracy = np.mean(logits.argmax(axis=1) == y)
    assert xl.top_k_accuracy(y, logits, k=1) == pytest.approx(accuracy)
    assert xl.top_k_accuracy(y, xl.softmax(logits), k=3) == xl.top_k_accuracy(y, logits, k=3)


def test_top_k_warns_when_k_covers_every_class():
    with pytest.warns(UserWarning, match=r"k=3 is >= the number of classes \(3\)"):
        assert xl.top_k_accuracy([0, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], k=3) == 1.0


@pytest.mark.parametrize(
    ("y", "scores", "k", "error", "match"),
    [
        ([0, 1], [[0.1, 0.9], [0.2, 0.8]], 0, ValueError, "k must be >= 1, got 0"),
        ([0, 1], [[0.1, 0.9], [0.2, 0.8]], 1.0, TypeError, "k must be an int, got 1.0"),
        ([0, 2], [[0.1, 0.9], [0.2, 0.8]], 1, ValueError, r"class indices in \[0, 2\)"),
        ([0, 1], [0.1, 0.9], 1, ValueError, r"scores must have shape \(N, C\)"),
        ([0, 1], [[0.1, np.inf], [0.2, 0.8]], 1, ValueError, "scores must be finite"),
        ([0], [[0.1, 0.9], [0.2, 0.8]], 1, ValueError, r"y_true must have shape \(2,\)"),
    ],
)
def test_top_k_errors(y, scores, k, error, match):
    with pytest.raises(error, match=match):
        xl.top_k_accuracy(y, scores, k=k)


# ---------------------------------------------------------------- calibration


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_reliability_curve_matches_sklearn_binary_uniform(n_bins):
    rng = np.random.default_rng(3)
    p = rng.random(1000)
    p[:10] = np.linspace(0, 1, 10)  # include the bin edges 0 and 1 exactly
    y = (rng.random(1000) < p**1.5).astype(int)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    curve = xl.reliability_curve(y, p, n_bins=n_bins)
    np.testing.assert_allclose(curve.accuracy, prob_true, rtol=1e-12)
    np.testing.assert_allclose(curve.confidence, prob_pred, rtol=1e-12)
    assert curve.counts.sum() == 1000


def test_reliability_curve_matches_sklearn_binary_quantile():
    rng = np.random.default_rng(4)
    p = rng.beta(2, 5, size=500)
    y = (rng.random(500) < p).astype(int)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8, strategy="quantile")
    curve = xl.reliability_curve(y, p, n_bins=8, strategy="quantile")
    np.testing.assert_allclose(curve.accuracy, prob_true, rtol=1e-12)
    np.testing.assert_allclose(curve.confidence, prob_pred, rtol=1e-12)


def _calibrated_sample(rng, n, n_classes, sharpness):
    """Labels drawn from the predicted probabilities themselves: calibrated by construction."""
    probs = xl.softmax(sharpness * rng.standard_normal((n, n_classes)))
    labels = (rng.random((n, 1)) > probs.cumsum(axis=1)[:, :-1]).sum(axis=1)
    return probs, labels


def test_ece_of_calibrated_predictor_is_near_zero():
    rng = np.random.default_rng(5)
    probs, labels = _calibrated_sample(rng, 50_000, 4, 2.0)
    assert xl.expected_calibration_error(labels, probs) < 0.01


def test_ece_of_overconfident_predictor_is_its_overconfidence():
    rng = np.random.default_rng(6)
    _, labels = _calibrated_sample(rng, 20_000, 4, 2.0)
    # Claim 95 % for the first class of every row, whatever the truth (about 1/4 right).
    probs = np.tile([0.95, 0.05 / 3, 0.05 / 3, 0.05 / 3], (20_000, 1))
    expected = 0.95 - np.mean(labels == 0)
    assert xl.expected_calibration_error(labels, probs) == pytest.approx(expected, rel=1e-12)
    assert expected > 0.6


def test_ece_equals_weighted_gap_of_reliability_curve():
    rng = np.random.default_rng(7)
    probs = xl.softmax(3 * rng.standard_normal((300, 5)))
    labels = rng.integers(0, 5, size=300)
    curve = xl.reliability_curve(labels, probs, n_bins=10)
    by_hand = np.sum(curve.counts / 300 * np.abs(curve.accuracy - curve.confidence))
    assert xl.expected_calibration_error(labels, probs, n_bins=10) == pytest.approx(by_hand)
    # Top-label confidences and accuracies, recomputed independently, bin by bin.
    conf = probs.max(axis=1)
    right = probs.argmax(axis=1) == labels
    first = conf <= 0.1 * np.ceil(conf.min() * 10)
    assert curve.counts[0] == first.sum()
    assert curve.accuracy[0] == pytest.approx(right[first].mean())


def test_ece_binary_form_of_constant_prediction():
    y = np.array([1, 1, 1, 0])
    assert xl.expected_calibration_error(y, np.full(4, 0.75)) == pytest.approx(0.0)
    assert xl.expected_calibration_error(y, np.full(4, 0.5)) == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("y", "p", "kwargs", "error", "match"),
    [
        ([0, 1], [0.2, 0.8], {"n_bins": 0}, ValueError, "n_bins must be >= 1, got 0"),
        ([0, 1], [0.2, 0.8], {"strategy": "equal"}, ValueError, "strategy must be one of"),
        ([0, 2], [0.2, 0.8], {}, ValueError, r"class indices in \[0, 2\)"),
        ([0, 1], [0.2, 1.8], {}, ValueError, r"y_prob must hold probabilities in \[0, 1\]"),
        ([0, 1], [[[0.2]]], {}, ValueError, r"y_prob must have shape \(N,\)"),
    ],
)
def test_calibration_metric_errors(y, p, kwargs, error, match):
    with pytest.raises(error, match=match):
        xl.expected_calibration_error(y, p, **kwargs)
    with pytest.raises(error, match=match):
        xl.reliability_curve(y, p, **kwargs)


def test_ece_warns_on_rows_not_summing_to_one():
    with pytest.warns(UserWarning, match="y_prob does not sum to 1 along axis 1"):
        xl.expected_calibration_error([0, 1], [[0.5, 0.4], [0.2, 0.8]])


# ----------------------------------------------------------------- perplexity


def test_perplexity_of_uniform_guess_is_number_of_classes():
    probs = np.full((7, 10), 0.1)
    assert xl.perplexity(np.arange(7), probs) == pytest.approx(10.0)


def test_perplexity_is_exp_of_mean_loss_in_any_unit():
    rng = np.random.default_rng(8)
    probs = xl.softmax(rng.standard_normal((50, 6)))
    labels = rng.integers(0, 6, size=50)
    nats = float(xl.sparse_categorical_cross_entropy(labels, probs))
    ppl = xl.perplexity(labels, probs)
    assert ppl == pytest.approx(np.exp(nats), rel=1e-13)
    assert xl.perplexity(mean_loss=nats) == pytest.approx(ppl, rel=1e-13)
    assert xl.perplexity(mean_loss=nats / np.log(2), base=2) == pytest.approx(ppl, rel=1e-13)
    assert xl.perplexity(mean_loss=nats / np.log(10), base=10) == pytest.approx(ppl, rel=1e-13)


def test_perplexity_is_inf_when_a_true_class_has_probability_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert xl.perplexity([0, 1], [[0.0, 1.0], [0.5, 0.5]]) == np.inf


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((), {}, "either y_true and y_pred, or mean_loss="),
        (([0], [[1.0, 0.0]]), {"mean_loss": 1.0}, "not both and not neither"),
        (([0],), {}, "needs both y_true and y_pred"),
        (([0], [[1.0, 0.0]]), {"base": 2}, "drop base"),
        ((), {"mean_loss": -0.5}, "mean_loss must be >= 0"),
        ((), {"mean_loss": [1.0, 2.0]}, "mean_loss must be a single number"),
        ((), {"mean_loss": 1.0, "base": 1}, "base must be positive, finite and not 1"),
    ],
)
def test_perplexity_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        xl.perplexity(*args, **kwargs)
