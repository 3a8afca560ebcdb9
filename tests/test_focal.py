"""Tests of xentlab.focal: values, equivalences, stability and the gradient."""

import numpy as np
import pytest

import xentlab as xl


def _naive_focal(z, x, alpha, gamma):
    # The textbook formula in float64, for moderate logits only.
    p = 1 / (1 + np.exp(-x))
    p_t = p * z + (1 - p) * (1 - z)
    ce = -(z * np.log(p) + (1 - z) * np.log(1 - p))
    a_t = 1.0 if alpha is None else alpha * z + (1 - alpha) * (1 - z)
    return a_t * (1 - p_t) ** gamma * ce


@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_matches_naive_formula(alpha, gamma):
    rng = np.random.default_rng(0)
    x = rng.uniform(-8, 8, size=(30, 4))
    z = np.concatenate([rng.integers(0, 2, size=(20, 4)), rng.random((10, 4))]).astype(float)
    np.testing.assert_allclose(
        xl.sigmoid_focal_loss(labels=z, logits=x, alpha=alpha, gamma=gamma),
        _naive_focal(z, x, alpha, gamma),
        rtol=1e-10,
        atol=1e-300,
    )


def test_gamma_zero_no_alpha_is_sigmoid_cross_entropy():
    rng = np.random.default_rng(1)
    x = rng.normal(scale=10, size=(50, 3))
    z = rng.random((50, 3))
    np.testing.assert_allclose(
        xl.sigmoid_focal_loss(labels=z, logits=x, alpha=None, gamma=0.0),
        xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        rtol=1e-14,
    )


def test_alpha_half_gamma_zero_is_half_cross_entropy():
    x = np.array([-3.0, 0.5, 4.0])
    z = np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(
        xl.sigmoid_focal_loss(labels=z, logits=x, alpha=0.5, gamma=0.0),
        0.5 * xl.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        rtol=1e-14,
    )


def test_stable_for_huge_logits():
    # A confident miss costs alpha_t * 1 * |x|; a confident hit costs (almost) 0.
    x = np.array([-1e4, 1e4, 1e4, -1e4])
    z = np.array([1.0, 0.0, 1.0, 0.0])
    loss = xl.sigmoid_focal_loss(labels=z, logits=x, alpha=0.25, gamma=2.0)
    assert np.all(np.isfinite(loss))
    np.testing.assert_allclose(loss, [0.25e4, 0.75e4, 0.0, 0.0])
    grad = xl.sigmoid_focal_grad(labels=z, logits=x, alpha=0.25, gamma=0.5)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [-0.25, 0.75, 0.0, 0.0])


def test_focusing_keeps_tiny_losses_accurate():
    # x = 40, z = 1: CE = log1p(e^-40) ~ e^-40, 1 - p_t = sigmoid(-40) ~ e^-40,
    # so the loss is ~ e^-120 (a 1 - p formula would give 0 here).
    loss = xl.sigmoid_focal_loss(labels=[1.0], logits=[40.0], alpha=None, gamma=2.0)
    np.testing.assert_allclose(loss, [np.exp(-120.0)], rtol=1e-12)


@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.5])
def test_gradient_matches_central_differences(alpha, gamma):
    rng = np.random.default_rng(2)
    x = rng.uniform(-6, 6, size=12)
    z = np.concatenate([rng.integers(0, 2, size=6), rng.random(6)]).astype(float)
    err = xl.check_gradient(
        lambda v: xl.sigmoid_focal_loss(labels=z, logits=v, alpha=alpha, gamma=gamma).sum(),
        lambda v: xl.sigmoid_focal_grad(labels=z, logits=v, alpha=alpha, gamma=gamma),
        x,
    )
    assert err < 1e-7


def test_gradient_gamma_zero_is_p_minus_z():
    rng = np.random.default_rng(3)
    x = rng.normal(size=20)
    z = rng.random(20)
    np.testing.assert_allclose(
        xl.sigmoid_focal_grad(labels=z, logits=x, alpha=None, gamma=0.0),
        xl.sigmoid_cross_entropy_grad(labels=z, logits=x),
        rtol=1e-13,
        atol=1e-16,
    )


def test_float32_in_float32_out():
    x = np.array([0.3, -2.0], dtype=np.float32)
    z = np.array([1.0, 0.0], dtype=np.float32)
    assert xl.sigmoid_focal_loss(labels=z, logits=x).dtype == np.float32
    assert xl.sigmoid_focal_grad(labels=z, logits=x).dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"alpha": 1.5}, ValueError, r"alpha must be in \[0, 1\], got 1.5; torchvision"),
        ({"alpha": -1}, ValueError, "torchvision's alpha=-1 is alpha=None here"),
        ({"alpha": "0.25"}, TypeError, "alpha must be a real number"),
        ({"gamma": -1.0}, ValueError, "gamma must be finite and >= 0, got -1.0"),
        ({"labels": [1.5, 0.0]}, ValueError, r"labels must hold probabilities in \[0, 1\]"),
        ({"labels": [1.0]}, ValueError, "labels and logits must have the same shape"),
        ({"logits": [np.nan, 0.0]}, ValueError, "logits contains NaN"),
    ],
)
def test_errors(kwargs, error, match):
    args = {"labels": [1.0, 0.0], "logits": [0.5, -0.5], **kwargs}
    with pytest.raises(error, match=match):
        xl.sigmoid_focal_loss(**args)
    with pytest.raises(error, match=match):
        xl.sigmoid_focal_grad(**args)
