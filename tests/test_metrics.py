"""Tests of xentlab.metrics against scikit-learn and against constructed cases."""

import re
import warnings
from fractions import Fraction

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
    message = (
        "k=3 is >= the number of classes (3), so every example is a hit and the top-k "
        "accuracy is 1; use a smaller k."
    )
    with pytest.warns(UserWarning, match=re.escape(message)) as caught:
        assert xl.top_k_accuracy([0, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]], k=3) == 1.0
    assert len(caught) == 1 and caught[0].filename == __file__


@pytest.mark.parametrize(
    ("y", "scores", "error", "match"),
    [
        ([0, 2], [[0.1, 0.9], [0.2, 0.8]], ValueError, r"class indices in \[0, 2\)"),
        (
            [0, 1],
            [0.1, 0.9],
            ValueError,
            re.escape(
                "scores must have shape (N, C), one row of class scores per example, got shape "
                "(2,); for a binary score of shape (N,) use np.column_stack([-s, s])."
            ),
        ),
        (
            [0, 1],
            [[0.1, np.inf], [0.2, 0.8]],
            ValueError,
            re.escape("scores contains inf at index (0, 1); scores must be finite"),
        ),
        ([0], [[0.1, 0.9], [0.2, 0.8]], ValueError, r"y_true must have shape \(2,\)"),
    ],
)
def test_top_k_errors(y, scores, error, match):
    with pytest.raises(error, match=match):
        xl.top_k_accuracy(y, scores, k=1)


_K_HINT = "; k=1 is plain accuracy, k=5 is top-5 accuracy."


@pytest.mark.parametrize(
    ("k", "error", "message"),
    [
        (0, ValueError, "k must be finite and >= 1, got 0" + _K_HINT),
        (-1, ValueError, "k must be finite and >= 1, got -1" + _K_HINT),
        (1.0, TypeError, "k must be an integer, got 1.0 (float)."),
        (np.float32(1.0), TypeError, "k must be an integer, got 1.0 (float32)."),
        (np.nan, TypeError, "k must be an integer, got nan (float)."),
        (np.inf, TypeError, "k must be an integer, got inf (float)."),
        (Fraction(1, 2), TypeError, "k must be an integer, got Fraction(1, 2) (Fraction)."),
        (True, TypeError, "k must be an integer, got True (bool)."),
        (1j, TypeError, "k must be an integer, got 1j (complex)."),
        ("1", TypeError, "k must be an integer, got '1' (str)."),
        (None, TypeError, "k must be an integer, got None."),
        (np.ones(1, int), TypeError, "k must be an integer, got an array of shape (1,)."),
    ],
)
def test_k_option_errors(k, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.top_k_accuracy([0, 1], [[0.1, 0.9], [0.2, 0.8]], k=k)


@pytest.mark.parametrize("k", [1, np.int8(1), np.uint64(1)])
def test_k_option_accepts_any_integer(k):
    assert xl.top_k_accuracy([0, 1], [[0.1, 0.9], [0.2, 0.8]], k=k) == 0.5


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
    ("y", "p", "error", "match"),
    [
        ([0, 2], [0.2, 0.8], ValueError, r"class indices in \[0, 2\)"),
        ([0, 1], [0.2, 1.8], ValueError, r"y_prob must hold probabilities in \[0, 1\]"),
        (
            [0, 1],
            [[[0.2]]],
            ValueError,
            re.escape(
                "y_prob must have shape (N,) (binary: P(class 1)) or (N, C), got shape (1, 1, 1)."
            ),
        ),
    ],
)
def test_calibration_metric_errors(y, p, error, match):
    with pytest.raises(error, match=match):
        xl.expected_calibration_error(y, p)
    with pytest.raises(error, match=match):
        xl.reliability_curve(y, p)


_STRATEGIES = "strategy must be one of ('uniform', 'quantile'), got"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"n_bins": 0},
            ValueError,
            "n_bins must be finite and >= 1, got 0; 10 or 15 bins are usual.",
        ),
        ({"n_bins": 2.0}, TypeError, "n_bins must be an integer, got 2.0 (float)."),
        ({"n_bins": np.nan}, TypeError, "n_bins must be an integer, got nan (float)."),
        (
            {"n_bins": Fraction(1, 2)},
            TypeError,
            "n_bins must be an integer, got Fraction(1, 2) (Fraction).",
        ),
        ({"n_bins": True}, TypeError, "n_bins must be an integer, got True (bool)."),
        ({"n_bins": 2j}, TypeError, "n_bins must be an integer, got 2j (complex)."),
        ({"n_bins": "10"}, TypeError, "n_bins must be an integer, got '10' (str)."),
        ({"n_bins": None}, TypeError, "n_bins must be an integer, got None."),
        (
            {"n_bins": np.arange(3)},
            TypeError,
            "n_bins must be an integer, got an array of shape (3,).",
        ),
        ({"strategy": "equal"}, ValueError, f"{_STRATEGIES} 'equal'."),
        ({"strategy": None}, TypeError, f"{_STRATEGIES} None."),
        ({"strategy": True}, TypeError, f"{_STRATEGIES} True (bool)."),
        ({"strategy": 1}, TypeError, f"{_STRATEGIES} 1 (int)."),
    ],
)
def test_binning_option_errors(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.expected_calibration_error([0, 1], [0.2, 0.8], **kwargs)
    with pytest.raises(error, match=re.escape(message)):
        xl.reliability_curve([0, 1], [0.2, 0.8], **kwargs)


def test_binning_options_accept_numpy_types():
    y, p = [0, 1, 1, 1], [0.2, 0.3, 0.8, 0.9]
    expected = xl.reliability_curve(y, p, n_bins=2, strategy="quantile")
    curve = xl.reliability_curve(y, p, n_bins=np.int16(2), strategy=np.str_("quantile"))
    for a, b in zip(curve, expected, strict=True):
        np.testing.assert_array_equal(a, b)


def test_ece_warns_on_rows_not_summing_to_one():
    message = "y_prob does not sum to 1 along axis 1: the sum at 0 is 0.9 (1 of 2 slices are off)."
    with pytest.warns(UserWarning, match=re.escape(message)) as caught:
        xl.expected_calibration_error([0, 1], [[0.5, 0.4], [0.2, 0.8]])
    assert len(caught) == 1 and caught[0].filename == __file__
    with pytest.warns(UserWarning, match=re.escape(message)) as caught:
        xl.reliability_curve([0, 1], [[0.5, 0.4], [0.2, 0.8]])
    assert len(caught) == 1 and caught[0].filename == __file__


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
    ("args", "kwargs", "message"),
    [
        (
            (),
            {},
            "perplexity needs either y_true and y_pred, or mean_loss=, not both and not "
            "neither; for example perplexity(labels, probabilities) or perplexity(mean_loss=2.3).",
        ),
        (([0], [[1.0, 0.0]]), {"mean_loss": 1.0}, "not both and not neither"),
        (([0],), {}, "perplexity needs both y_true and y_pred; one of them is missing."),
        (
            ([0], [[1.0, 0.0]]),
            {"base": 2},
            "base describes the unit of mean_loss; with y_true "
            "and y_pred the loss is computed in nats, so drop base.",
        ),
    ],
)
def test_perplexity_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.perplexity(*args, **kwargs)


_LOSS_HINT = "; pass a mean cross-entropy, for example losses.mean()."
_BASE_HINT = "; use 2 for bits, np.e (or None) for nats, 10 for hartleys."


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"mean_loss": -0.5},
            ValueError,
            "mean_loss must be finite and >= 0, got -0.5" + _LOSS_HINT,
        ),
        (
            {"mean_loss": np.nan},
            ValueError,
            "mean_loss must be finite and >= 0, got nan" + _LOSS_HINT,
        ),
        (
            {"mean_loss": np.inf},
            ValueError,
            "mean_loss must be finite and >= 0, got inf" + _LOSS_HINT,
        ),
        (
            {"mean_loss": np.float64(-1.0)},
            ValueError,
            "mean_loss must be finite and >= 0, got -1.0" + _LOSS_HINT,
        ),
        (
            {"mean_loss": [1.0, 2.0]},
            TypeError,
            "mean_loss must be a real number, got [1.0, 2.0] (list).",
        ),
        (
            {"mean_loss": np.ones(2)},
            TypeError,
            "mean_loss must be a real number, got an array of shape (2,).",
        ),
        ({"mean_loss": True}, TypeError, "mean_loss must be a real number, got True (bool)."),
        ({"mean_loss": 1j}, TypeError, "mean_loss must be a real number, got 1j (complex)."),
        ({"mean_loss": "2.3"}, TypeError, "mean_loss must be a real number, got '2.3' (str)."),
        ({"mean_loss": 1.0, "base": 1}, ValueError, "base must not be 1 (log 1 = 0)" + _BASE_HINT),
        (
            {"mean_loss": 1.0, "base": 0},
            ValueError,
            "base must be finite and > 0, got 0" + _BASE_HINT,
        ),
        (
            {"mean_loss": 1.0, "base": np.nan},
            ValueError,
            "base must be finite and > 0, got nan" + _BASE_HINT,
        ),
        (
            {"mean_loss": 1.0, "base": np.inf},
            ValueError,
            "base must be finite and > 0, got inf" + _BASE_HINT,
        ),
        (
            {"mean_loss": 1.0, "base": True},
            TypeError,
            "base must be a real number or None, got True (bool).",
        ),
        (
            {"mean_loss": 1.0, "base": "2"},
            TypeError,
            "base must be a real number or None, got '2' (str).",
        ),
        (
            {"mean_loss": 1.0, "base": 2j},
            TypeError,
            "base must be a real number or None, got 2j (complex).",
        ),
        (
            {"mean_loss": 1.0, "base": np.ones(1)},
            TypeError,
            "base must be a real number or None, got an array of shape (1,).",
        ),
    ],
)
def test_perplexity_option_errors(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.perplexity(**kwargs)


@pytest.mark.parametrize(
    ("mean_loss", "base", "expected"),
    [
        (Fraction(3), 2, 8.0),
        (np.float32(3.0), np.float32(2.0), 8.0),
        (np.int64(2), Fraction(10), 100.0),
        (0, None, 1.0),
    ],
)
def test_perplexity_options_accept_any_real(mean_loss, base, expected):
    assert xl.perplexity(mean_loss=mean_loss, base=base) == pytest.approx(expected, rel=1e-12)


def test_reliability_curve_returns_a_reliability_curve():
    # Four binary predictions in two uniform bins, by hand: (0.1, 0.2) -> 1 hit of 2,
    # (0.8, 0.9) -> 2 hits of 2.
    curve = xl.reliability_curve([0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    assert isinstance(curve, xl.ReliabilityCurve)
    np.testing.assert_allclose(curve.confidence, [0.15, 0.85], rtol=1e-15)
    np.testing.assert_allclose(curve.accuracy, [0.5, 1.0], rtol=1e-15)
    np.testing.assert_array_equal(curve.counts, [2, 2])
