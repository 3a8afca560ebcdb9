"""Tests of xentlab.calibration: temperature scaling."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import xentlab as xl


def _sample_labels(rng, probs):
    return (rng.random((probs.shape[0], 1)) > probs.cumsum(axis=1)[:, :-1]).sum(axis=1)


@pytest.mark.parametrize("t0", [0.5, 1.0, 2.5, 6.0])
def test_recovers_known_temperature(t0):
    rng = np.random.default_rng(0)
    logits = 4 * rng.standard_normal((20_000, 5))
    labels = _sample_labels(rng, xl.softmax(logits / t0))
    assert xl.fit_temperature(logits, labels) == pytest.approx(t0, rel=0.05)


def _objective(t, logits, labels):
    losses = xl.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits / t)
    return float(np.mean(losses))


def test_is_the_minimiser_found_by_scipy():
    rng = np.random.default_rng(1)
    logits = 3 * rng.standard_normal((2000, 10))
    labels = _sample_labels(rng, xl.softmax(logits / 1.7))
    t = xl.fit_temperature(logits, labels)
    ref = minimize_scalar(
        _objective, bounds=(0.05, 20), args=(logits, labels), method="bounded",
        options={"xatol": 1e-10},
    ).x
    assert t == pytest.approx(ref, rel=1e-6)
    # and it is a minimum: nudging T either way does not lower the loss
    for nudge in (0.999, 1.001):
        assert _objective(t * nudge, logits, labels) >= _objective(t, logits, labels)


def test_derivative_vanishes_at_the_optimum():
    # f'(1/T) = mean(E_p[x] - x_y) = 0: the expected logit equals the true one on average.
    rng = np.random.default_rng(2)
    logits = 2 * rng.standard_normal((1000, 4))
    labels = _sample_labels(rng, xl.softmax(logits))
    x = logits / xl.fit_temperature(logits, labels)
    p = xl.softmax(x)
    gap = np.mean((p * logits).sum(axis=1) - logits[np.arange(1000), labels])
    assert abs(gap) < 1e-10


def test_keeps_accuracy_and_lowers_validation_loss():
    rng = np.random.default_rng(3)
    logits = 5 * rng.standard_normal((3000, 3))
    labels = _sample_labels(rng, xl.softmax(logits / 3))
    t = xl.fit_temperature(logits, labels)
    scaled = xl.apply_temperature(logits, t)
    np.testing.assert_array_equal(scaled.argmax(axis=1), logits.argmax(axis=1))
    assert _objective(t, logits, labels) < _objective(1.0, logits, labels)


def test_float32_logits_are_fitted_in_float64_and_apply_keeps_dtype():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((500, 3))
    labels = _sample_labels(rng, xl.softmax(logits / 0.8))
    t64 = xl.fit_temperature(logits, labels)
    t32 = xl.fit_temperature(logits.astype(np.float32), labels)
    assert isinstance(t32, float)
    assert t32 == pytest.approx(t64, rel=1e-5)
    assert xl.apply_temperature(logits.astype(np.float32), t32).dtype == np.float32


def test_warns_and_returns_bound_when_data_is_perfectly_separated():
    logits = np.array([[5.0, 0.0], [0.0, 5.0], [4.0, 1.0]])
    with pytest.warns(UserWarning, match="at or beyond the bound T = 0.05"):
        assert xl.fit_temperature(logits, [0, 1, 0]) == pytest.approx(0.05)


def test_warns_at_upper_bound_when_logits_are_anti_informative():
    logits = np.array([[5.0, 0.0], [0.0, 5.0]])
    with pytest.warns(UserWarning, match="at or beyond the bound T = 20"):
        assert xl.fit_temperature(logits, [1, 0]) == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("logits", "labels", "kwargs", "error", "match"),
    [
        ([1.0, 2.0], [0], {}, ValueError, r"logits must have shape \(N, C\)"),
        ([[1.0, np.nan]], [0], {}, ValueError, "logits contains NaN"),
        ([[1.0, 2.0]], [2], {}, ValueError, r"labels must be class indices in \[0, 2\)"),
        ([[1.0, 2.0]], [0], {"bounds": (2.0, 1.0)}, ValueError, "T_min < T_max"),
        ([[1.0, 2.0]], [0], {"bounds": (0.0, 1.0)}, ValueError,
         r"bounds\[0\] must be finite and > 0"),
        ([[1.0, 2.0]], [0], {"bounds": 5.0}, ValueError,
         r"bounds must be a pair \(T_min, T_max\)"),
    ],
)
def test_fit_temperature_errors(logits, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        xl.fit_temperature(logits, labels, **kwargs)


@pytest.mark.parametrize(
    ("temperature", "error", "match"),
    [
        (0.0, ValueError, "temperature must be finite and > 0, got 0.0"),
        (np.inf, ValueError, "temperature must be finite and > 0"),
        ("2", TypeError, "temperature must be a positive real number"),
    ],
)
def test_apply_temperature_errors(temperature, error, match):
    with pytest.raises(error, match=match):
        xl.apply_temperature([1.0, 2.0], temperature)
