"""Accuracy of every public loss and activation against exact values (mpmath).

The battery itself (cases, references, error measures) lives in
``benchmarks/accuracy.py`` so that ``make bench`` and chapter 9 show the same
numbers; here it is run on xentlab only and held to the targets:

* float64: relative error <= 1e-13 on every case whose exact value is a normal float;
* float32: relative error <= 1e-5 against the exact value rounded to float32.

"Exact" means the function evaluated at the floating-point inputs taken as exact
binary numbers, with mpmath at a precision doubled until two successive results
agree to 2**-60 relative. Nothing is cached on disk.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest

import xentlab as xl
from benchmarks import accuracy

FUNCTIONS = list(accuracy.REFERENCES)
DTYPES = ["float64", "float32"]


@pytest.fixture(scope="module")
def battery():
    """xentlab's records on the full battery, keyed by (function, dtype)."""
    impls = {"xentlab": accuracy.implementations(include_torch=False)["xentlab"]}
    records, n_cases = accuracy.run_battery(impls=impls)
    return {(r.function, r.dtype): r for r in records}, n_cases


def test_battery_is_large_enough(battery):
    _, n_cases = battery
    for dtype in DTYPES:
        assert n_cases[dtype] >= 500, n_cases


def test_every_public_loss_and_activation_is_covered():
    public = {
        "binary_cross_entropy",
        "categorical_cross_entropy",
        "sparse_categorical_cross_entropy",
        "log_loss",
        "sigmoid_cross_entropy_with_logits",
        "softmax_cross_entropy_with_logits",
        "sparse_softmax_cross_entropy_with_logits",
        "weighted_cross_entropy_with_logits",
        "hinge_loss",
        "multiclass_hinge_loss",
        "log_softmax",
        "logsumexp",
        "log_sigmoid",
        "softmax",
        "sigmoid",
        "entropy",
        "cross_entropy",
        "kl_divergence",
    }
    assert public <= set(FUNCTIONS)
    assert public <= set(xl.__all__)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_within_target(battery, function, dtype):
    records, _ = battery
    r = records[(function, dtype)]
    assert r.n > 0, f"no scored case for {function} {dtype}"
    assert r.n_nonfinite == 0, f"{function} {dtype}: inf/nan where the exact value is finite"
    target = accuracy.TARGETS[dtype]
    assert r.max_rel <= target, (
        f"{function} ({dtype}) has relative error {r.max_rel:.3g} > {target:g} "
        f"({r.max_ulps:.3g} ulps) on a '{r.worst_kind}' case: {r.worst_input}"
    )


def test_tiny_losses_are_scored():
    """The battery holds losses far below eps (1e-20 .. 1e-300), where max-shifting fails."""
    batches = accuracy.make_batches(np.float64)
    fn = "sparse_softmax_cross_entropy_with_logits"
    values = np.concatenate(
        [np.concatenate([hi for hi, _ in accuracy._reference_values(fn, b)]) for b in batches[fn]]
    )
    assert values.min() < 1e-250
    assert ((values > 1e-30) & (values < 1e-15)).any()


def test_battery_catches_the_usual_max_shifted_formula():
    """The battery can fail: x - m - log(sum(exp(x - m))) rounds tiny losses to 0."""
    impls = {"max-shifted": accuracy.implementations(include_torch=False)["NumPy, max-shifted"]}
    records, _ = accuracy.run_battery(
        dtypes=(np.float64,),
        impls=impls,
        functions=[
            "sparse_softmax_cross_entropy_with_logits",
            "sigmoid_cross_entropy_with_logits",
        ],
    )
    for r in records:
        assert r.max_rel == pytest.approx(1.0), (r.function, r.max_rel)


def test_reference_tiny_loss_beside_large_logits():
    """A loss of about 1e-130 beside logits near 1e3: the reference keeps every digit."""
    x = [1000.0, 1000.0 - 300.0]
    ref = accuracy.exact(accuracy._ref_sparse_softmax_ce, [0, x])[0]
    with mpmath.workdps(400):  # independent: the textbook formula at 400 digits
        direct = mpmath.log(mpmath.exp(1000) + mpmath.exp(700)) - 1000
    assert abs(ref - direct) <= abs(direct) * mpmath.mpf(2) ** -60
    assert float(ref) == pytest.approx(math.exp(-300), rel=1e-15)
    got = xl.sparse_softmax_cross_entropy_with_logits(labels=0, logits=x)
    assert got == pytest.approx(float(ref), rel=1e-15)


def test_reference_kl_of_nearly_equal_distributions():
    """KL of p and p(1 + 1e-9) is about 1e-19: the reference needs its precision raised."""
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(6))
    q = p * (1 + 1e-9 * rng.uniform(-1, 1, 6))
    q /= q.sum()
    ref = accuracy.exact(accuracy._ref_kl, [p, q])[0]
    assert 0 < abs(float(ref)) < 1e-15
    got = xl.kl_divergence(p, q)
    assert float(got) == pytest.approx(float(ref), rel=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_loss_equals_scikit_learn(dtype):
    """log_loss keeps scikit-learn's clipping (eps of the dtype) and result, to rounding."""
    from sklearn.metrics import log_loss as sk_log_loss

    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.full(5, 0.2), 200)
    p[:20, 0] = 0.0  # clipped to eps
    p[20:40] = np.eye(5)[rng.integers(0, 5, 20)]  # clipped to 1 - eps
    p = (p / p.sum(axis=1, keepdims=True)).astype(dtype)
    y = rng.integers(0, 5, 200)
    y[:20] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own float32 sum warning, if any
        expected = sk_log_loss(y, p, labels=np.arange(5))
    assert xl.log_loss(y, p, labels=np.arange(5)) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "function",
    [
        "log_softmax",
        "softmax",
        "logsumexp",
        "sparse_softmax_cross_entropy_with_logits",
        "sigmoid_cross_entropy_with_logits",
        "kl_divergence",
    ],
)
def test_float32_stays_float32(function):
    batch = accuracy.make_batches(np.float32)[function][0]
    out = accuracy.implementations(include_torch=False)["xentlab"][function](
        batch.inputs, batch.options
    )
    assert np.asarray(out).dtype == np.float32
