"""Tests of xentlab.calibration: temperature scaling."""

import re
import warnings
from fractions import Fraction

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
        _objective,
        bounds=(0.05, 20),
        args=(logits, labels),
        method="bounded",
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


def test_bound_warning_points_at_the_caller():
    logits = np.array([[5.0, 0.0], [0.0, 5.0], [4.0, 1.0]])
    message = (
        "the optimal temperature is at or beyond the bound T = 0.05 of bounds=(0.05, 20.0); "
        "widen bounds if a more extreme temperature is plausible (a validation split the "
        "model fits perfectly drives T towards 0)."
    )
    with pytest.warns(UserWarning, match=re.escape(message)) as caught:
        xl.fit_temperature(logits, [0, 1, 0], bounds=(np.float64(0.05), np.float32(20.0)))
    assert len(caught) == 1 and caught[0].filename == __file__


def test_logits_beyond_the_float_range_do_not_overflow():
    # Classes 1e308 below the others have probability 0 at every temperature in the
    # bounds: the fit is that of the other classes, without an overflow on the way
    # (x / T for T = 0.05 is beyond the float range).
    rng = np.random.default_rng(5)
    logits = 2 * rng.standard_normal((400, 3))
    labels = _sample_labels(rng, xl.softmax(logits / 1.5))
    wide = np.column_stack([np.full(400, -1e308), logits, np.full(400, -1.7e308)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning: overflow encountered in ...
        t_wide = xl.fit_temperature(wide, labels + 1)
    assert t_wide == pytest.approx(xl.fit_temperature(logits, labels), rel=1e-9)


def test_labels_beyond_the_float_range_give_the_upper_bound():
    # The true class lies 2e308 below the predicted one: the loss falls as T grows.
    logits = np.array([[-1e308, 1e308], [1e308, -1e308], [0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(UserWarning, match=re.escape("at or beyond the bound T = 20 of")):
            assert xl.fit_temperature(logits, [0, 1, 1]) == 20.0


@pytest.mark.parametrize(
    ("logits", "labels", "kwargs", "error", "match"),
    [
        (
            [1.0, 2.0],
            [0],
            {},
            ValueError,
            re.escape(
                "logits must have shape (N, C), one row of class scores per example, got "
                "shape (2,)."
            ),
        ),
        ([[1.0, np.nan]], [0], {}, ValueError, re.escape("logits contains NaN (first at index")),
        ([[1.0, 2.0]], [2], {}, ValueError, re.escape("labels must be class indices in [0, 2)")),
    ],
)
def test_fit_temperature_errors(logits, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        xl.fit_temperature(logits, labels, **kwargs)


_HINT = "; T = 1 leaves the logits unchanged, T > 1 softens, T < 1 sharpens."


@pytest.mark.parametrize(
    ("bounds", "error", "message"),
    [
        (5.0, TypeError, "bounds must be a pair (T_min, T_max), got 5.0 (float)."),
        (None, TypeError, "bounds must be a pair (T_min, T_max), got None."),
        ("ab", TypeError, "bounds must be a pair (T_min, T_max), got 'ab' (str)."),
        (
            (1.0,),
            ValueError,
            "bounds must be a pair (T_min, T_max), got 1 value(s); (0.05, 20.0) is the default.",
        ),
        (np.ones(3), ValueError, "bounds must be a pair (T_min, T_max), got 3 value(s);"),
        (
            (2.0, 1.0),
            ValueError,
            "bounds must satisfy T_min < T_max, got (2.0, 1.0); (0.05, 20.0) is the default.",
        ),
        (
            (np.float64(1.0), np.float64(1.0)),
            ValueError,
            "bounds must satisfy T_min < T_max, got (1.0, 1.0);",
        ),
        ((True, 2.0), TypeError, "bounds[0] must be a real number, got True (bool)."),
        ((1j, 2.0), TypeError, "bounds[0] must be a real number, got 1j (complex)."),
        (("1", 2.0), TypeError, "bounds[0] must be a real number, got '1' (str)."),
        ((None, 2.0), TypeError, "bounds[0] must be a real number, got None."),
        (
            (np.ones(1), 2.0),
            TypeError,
            "bounds[0] must be a real number, got an array of shape (1,).",
        ),
        ((0.0, 1.0), ValueError, "bounds[0] must be finite and > 0, got 0.0" + _HINT),
        ((np.nan, 1.0), ValueError, "bounds[0] must be finite and > 0, got nan" + _HINT),
        ((1.0, np.inf), ValueError, "bounds[1] must be finite and > 0, got inf" + _HINT),
    ],
)
def test_bounds_option_errors(bounds, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.fit_temperature([[1.0, 2.0], [0.0, 1.0]], [0, 1], bounds=bounds)


@pytest.mark.parametrize(
    "bounds",
    [
        (Fraction(1, 20), 20),
        (np.float32(0.05), np.float32(20.0)),
        [0.05, 20],
        np.array([0.05, 20]),
    ],
)
def test_bounds_option_accepts_any_pair_of_reals(bounds):
    logits, labels = [[1.0, 2.0], [2.0, 1.0], [0.0, 0.5]], [1, 0, 0]
    assert xl.fit_temperature(logits, labels, bounds=bounds) == pytest.approx(
        xl.fit_temperature(logits, labels), rel=1e-12
    )


@pytest.mark.parametrize(
    ("temperature", "error", "message"),
    [
        (0.0, ValueError, "temperature must be finite and > 0, got 0.0" + _HINT),
        (-2, ValueError, "temperature must be finite and > 0, got -2" + _HINT),
        (np.inf, ValueError, "temperature must be finite and > 0, got inf" + _HINT),
        (np.nan, ValueError, "temperature must be finite and > 0, got nan" + _HINT),
        ("2", TypeError, "temperature must be a real number, got '2' (str)."),
        (True, TypeError, "temperature must be a real number, got True (bool)."),
        (2j, TypeError, "temperature must be a real number, got 2j (complex)."),
        (None, TypeError, "temperature must be a real number, got None."),
        (
            np.array([2.0]),
            TypeError,
            "temperature must be a real number, got an array of shape (1,).",
        ),
    ],
)
def test_apply_temperature_errors(temperature, error, message):
    with pytest.raises(error, match=re.escape(message)):
        xl.apply_temperature([1.0, 2.0], temperature)


@pytest.mark.parametrize("temperature", [Fraction(1, 2), np.float32(0.5), np.int64(2), 2])
def test_apply_temperature_accepts_any_real(temperature):
    np.testing.assert_array_equal(
        xl.apply_temperature([1.0, 2.0], temperature), np.array([1.0, 2.0]) / float(temperature)
    )


def test_apply_temperature_keeps_minus_inf_and_rejects_nan():
    np.testing.assert_array_equal(xl.apply_temperature([-np.inf, 2.0], 2), [-np.inf, 1.0])
    message = (
        "logits contains NaN (first at index 1, 1 in all); remove or impute the NaN values first."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        xl.apply_temperature([1.0, np.nan], 2.0)
