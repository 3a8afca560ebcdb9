"""Accuracy battery: xentlab and the alternatives against exact values from mpmath.

Every public loss and activation of xentlab is evaluated on a seeded battery of
random and adversarial inputs (logits up to +-1e4, huge margins, all-equal rows,
one dominant class among 1000, tiny differences, probabilities down to 1e-300
and up to 1 - 1e-16), in float64 and float32. The reference is the exact value
of the function at the floating-point inputs, taken as exact binary numbers,
computed with mpmath at a precision that is raised until two successive values
agree to 2**-60 relative (and, for float32, then rounded to float32).

The same battery runs on SciPy / scikit-learn, on a naive NumPy version (the
textbook formula), on the usual max-subtracted NumPy version where there is
one, and on PyTorch when it is installed.

Use::

    python -m benchmarks.accuracy            # print the table, write results/accuracy.json

or from Python (the tests and chapter 9 do)::

    from benchmarks.accuracy import run_battery, summarise
    records = run_battery()                  # one record per (impl, function, dtype)

Nothing is cached on disk: the cases and their references are recomputed on
every run (about 10 s).
"""

from __future__ import annotations

import json
import platform
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
import numpy as np

import xentlab as xl


def _torch():
    """PyTorch if installed (an optional comparison only), else None."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the machine
        return None
    return torch


SEED = 20261121
DTYPES = (np.float64, np.float32)
TARGETS = {"float64": 1e-13, "float32": 1e-5}
RESULTS = Path(__file__).resolve().parent / "results"


# ------------------------------------------------------------------ exact values


def _mpf(value):
    # Every float64 (and float32) is a binary number that mpmath holds exactly.
    return mpmath.mpf(float(value))


def _split_max(row):
    """Exact inputs, the index of the maximum and ``rest = sum_{k != top} e^(x_k - m)``."""
    xs = [_mpf(v) for v in row]
    top = int(np.argmax(row))
    m = xs[top]
    rest = mpmath.fsum(mpmath.exp(x - m) for k, x in enumerate(xs) if k != top)
    return xs, m, rest


def _softplus(x):
    return mpmath.log1p(mpmath.exp(x))


def _ref_log_softmax(x):
    xs, m, rest = _split_max(x)
    return [(v - m) - mpmath.log1p(rest) for v in xs]


def _ref_softmax(x):
    xs, m, rest = _split_max(x)
    return [mpmath.exp(v - m) / (1 + rest) for v in xs]


def _ref_logsumexp(x):
    _, m, rest = _split_max(x)
    return [m + mpmath.log1p(rest)]


def _ref_sparse_softmax_ce(label, x):
    xs, m, rest = _split_max(x)
    return [(m - xs[int(label)]) + mpmath.log1p(rest)]


def _ref_softmax_ce(z, x):
    xs, m, rest = _split_max(x)
    lse = mpmath.log1p(rest)
    return [mpmath.fsum(_mpf(w) * ((m - v) + lse) for w, v in zip(z, xs, strict=True) if w != 0)]


def _ref_sigmoid_ce(z, x, q=1.0):
    z, x = _mpf(z), _mpf(x)
    # -[q z log s(x) + (1 - z) log(1 - s(x))] = (1 - z) softplus(x) + q z softplus(-x)
    return [(1 - z) * _softplus(x) + _mpf(q) * z * _softplus(-x)]


def _ref_sigmoid(x):
    return [1 / (1 + mpmath.exp(-_mpf(x)))]


def _ref_log_sigmoid(x):
    return [-_softplus(-_mpf(x))]


def _ref_bce(y, p):
    y, p = _mpf(y), _mpf(p)
    total = mpmath.mpf(0)
    if y != 0:
        total += y * mpmath.log(p)
    if y != 1:
        total += (1 - y) * mpmath.log1p(-p)
    return [-total]


def _ref_cce(y, p):
    terms = (_mpf(a) * mpmath.log(_mpf(b)) for a, b in zip(y, p, strict=True) if a != 0)
    return [-mpmath.fsum(terms)]


def _ref_sparse_cce(label, p):
    return [-mpmath.log(_mpf(p[int(label)]))]


def _ref_entropy(p):
    return [-mpmath.fsum(_mpf(a) * mpmath.log(_mpf(a)) for a in p if a != 0)]


def _ref_cross_entropy(p, q):
    return _ref_cce(p, q)


def _ref_kl(p, q):
    return [
        mpmath.fsum(
            _mpf(a) * (mpmath.log(_mpf(a)) - mpmath.log(_mpf(b)))
            for a, b in zip(p, q, strict=True)
            if a != 0
        )
    ]


def _ref_log_loss(labels, p):
    # scikit-learn clips in the input's dtype first; the clip is exact, so do it in NumPy.
    eps = np.finfo(p.dtype).eps
    p_true = np.clip(p[np.arange(len(labels)), labels], eps, 1 - eps)
    return [mpmath.fsum(-mpmath.log(_mpf(v)) for v in p_true) / len(labels)]


def _ref_hinge(y, s):
    return [max(mpmath.mpf(0), 1 - _mpf(y) * _mpf(s))]


def _ref_multiclass_hinge(label, s):
    ss = [_mpf(v) for v in s]
    sy = ss[int(label)]
    return [mpmath.fsum(max(mpmath.mpf(0), v - sy + 1) for k, v in enumerate(ss) if k != label)]


def _softmax_parts(x):
    """Exact ``log p_j`` and ``1 - p_j`` of softmax(x) (the latter as sum_{k != j} p_k)."""
    xs, m, rest = _split_max(x)
    top = int(np.argmax(x))
    total = 1 + rest
    shifted = [mpmath.exp(v - m) for v in xs]
    log_p = [(v - m) - mpmath.log1p(rest) for v in xs]
    miss = [rest / total if j == top else (total - e) / total for j, e in enumerate(shifted)]
    return log_p, miss, [e / total for e in shifted]


def _ref_categorical_focal(z, x, alpha=0.25, gamma=2):
    log_p, miss, _ = _softmax_parts(x)
    terms = (_mpf(w) * miss[j] ** gamma * -log_p[j] for j, w in enumerate(z) if w != 0)
    return [mpmath.mpf(alpha) * mpmath.fsum(terms)]


def _ref_poly1(z, x, epsilon=2):
    log_p, miss, _ = _softmax_parts(x)
    ce = mpmath.fsum(_mpf(w) * -log_p[j] for j, w in enumerate(z) if w != 0)
    # 1 - p_t = sum_j z_j (1 - p_j) + (1 - sum_j z_j), exactly; as the difference
    # 1 - p_t it would need thousands of bits when p_t = 1 - 1e-300.
    miss_t = mpmath.fsum(_mpf(w) * miss[j] for j, w in enumerate(z)) + (
        1 - mpmath.fsum(_mpf(w) for w in z)
    )
    return [ce + epsilon * miss_t]


def _ref_crammer_singer(label, s):
    ss = [_mpf(v) for v in s]
    best = max(v for k, v in enumerate(ss) if k != int(label))
    return [max(mpmath.mpf(0), 1 + best - ss[int(label)])]


def _ref_nll(label, log_probs):
    return [-_mpf(log_probs[int(label)])]


def _ref_kl_from_log(log_p, log_q):
    # Element-wise terms p_j (log p_j - log q_j), p_j = exp(log p_j) (log_target=True).
    return [mpmath.exp(_mpf(a)) * (_mpf(a) - _mpf(b)) for a, b in zip(log_p, log_q, strict=True)]


def _ref_generalized_kl(p, q):
    terms = []
    for a, b in zip(p, q, strict=True):
        a, b = _mpf(a), _mpf(b)
        terms.append(b if a == 0 else a * mpmath.log(a / b) - a + b)
    return [mpmath.fsum(terms)]


def _ref_brier(y, p):
    if np.ndim(p) == 0:  # binary: P(y = 1) and a 0/1 label
        return [(_mpf(p) - _mpf(y)) ** 2]
    return [mpmath.fsum((_mpf(v) - (1 if j == int(y) else 0)) ** 2 for j, v in enumerate(p))]


def exact(ref, args, *, start_bits=192, max_bits=1 << 15):
    """``ref(*args)`` at a precision that doubles until two results agree to 2**-60."""
    bits = start_bits
    with mpmath.workprec(bits):
        previous = ref(*args)
    while bits < max_bits:
        bits *= 2
        with mpmath.workprec(bits):
            current = ref(*args)
        if all(
            (a == b) if b == 0 else abs(a - b) <= abs(b) * mpmath.mpf(2) ** -60
            for a, b in zip(previous, current, strict=True)
        ):
            return current
        previous = current
    raise RuntimeError(f"{ref.__name__} did not converge by {max_bits} bits for {args!r}")


# ------------------------------------------------------------------ the cases


@dataclass
class Batch:
    """A batch of cases for one function: one case per row (axis 0) of ``inputs``."""

    kind: str
    inputs: dict
    options: dict = field(default_factory=dict)

    @property
    def n_cases(self):
        return len(next(iter(self.inputs.values())))


def _logit_rows(rng, dtype, per_kind=8):
    """Adversarial and random logit matrices, as (kind, rows) with one row per case."""
    big = 87.0 if dtype == np.float32 else 700.0  # e^-big is still a normal float
    out = []
    out.append(("random C=3", rng.normal(0, 3, (per_kind, 3))))
    out.append(("random C=10", rng.normal(0, 10, (per_kind, 10))))
    out.append(("wide +-1e4", rng.uniform(-1e4, 1e4, (per_kind, 5))))
    margin = rng.uniform(20, big, per_kind)
    x = rng.normal(0, 1, (per_kind, 4))
    x[:, 0] = x[:, 1:].max(axis=1) + margin
    out.append(("huge margin", x))
    x = rng.normal(0, 1, (per_kind, 4))
    x[:, 0] = x[:, 1:].max(axis=1) + margin + 1e3  # one class far on top, offset 1e3
    x[:, 1:] += 1e3
    out.append(("margin near 1e3", x))
    out.append(("all equal", np.repeat(rng.uniform(-50, 50, (per_kind, 1)), 6, axis=1)))
    x = rng.normal(0, 2, (per_kind // 2, 1000))
    x[:, 7] += 40.0
    out.append(("dominant of 1000", x))
    out.append(("1000 classes", rng.normal(0, 5, (per_kind // 2, 1000))))
    base = rng.uniform(-10, 10, (per_kind, 1))
    steps = rng.integers(-4, 5, (per_kind, 5))
    tiny = np.spacing(np.abs(base).astype(dtype)).astype(np.float64)
    out.append(("tiny differences", base + steps * tiny))
    # A huge margin with every logit small enough to exponentiate unshifted (xentlab's
    # fast path): losses from e^-(2 lim) to e^-lim, 1e-261 to 1e-65 in float64. Last,
    # so that the kinds above keep the values they had before it was added.
    lim = 40.0 if dtype == np.float32 else 300.0
    x = rng.uniform(-lim, -lim / 2, (per_kind, 4))
    x[:, 0] = rng.uniform(lim / 2, lim, per_kind)
    out.append(("margin, moderate logits", x))
    return [(kind, rows.astype(dtype)) for kind, rows in out]


def _probability_rows(rng, dtype, per_kind=8):
    """Distributions with tiny entries (down to 1e-300 in float64) and near-certain ones."""
    tiny_exp = 37 if dtype == np.float32 else 300
    out = []
    out.append(("dirichlet C=4", rng.dirichlet(np.ones(4), per_kind)))
    out.append(("dirichlet C=50", rng.dirichlet(np.full(50, 0.3), per_kind // 2)))
    p = rng.dirichlet(np.ones(5), per_kind)
    p[:, 1:] *= 10.0 ** -rng.uniform(5, tiny_exp, (per_kind, 1))
    p[:, 0] = 1 - p[:, 1:].sum(axis=1)
    out.append(("near-certain", p))
    p = rng.dirichlet(np.ones(4), per_kind)
    p[:, 0] = 10.0 ** -rng.uniform(5, tiny_exp, per_kind)
    p /= p.sum(axis=1, keepdims=True)
    out.append(("one tiny entry", p))
    return [(kind, rows.astype(dtype)) for kind, rows in out]


def _near(rng, p, rel):
    """A distribution within relative ``rel`` of each row of ``p`` (renormalised)."""
    q = p * (1 + rel * rng.uniform(-1, 1, p.shape))
    return (q / q.sum(axis=1, keepdims=True)).astype(p.dtype)


def make_batches(dtype, seed=SEED):
    """Every function's batches for ``dtype``: ``{function name: [Batch, ...]}``."""
    rng = np.random.default_rng([seed, np.dtype(dtype).itemsize])
    logits = _logit_rows(rng, dtype)
    probs = _probability_rows(rng, dtype)
    b = {}
    b["log_softmax"] = [Batch(k, {"x": x}) for k, x in logits]
    b["softmax"] = [Batch(k, {"x": x}) for k, x in logits]
    b["logsumexp"] = [Batch(k, {"x": x}) for k, x in logits]
    b["sparse_softmax_cross_entropy_with_logits"] = [
        Batch(k, {"labels": _labels(rng, k, x), "logits": x}) for k, x in logits
    ]
    b["softmax_cross_entropy_with_logits"] = [
        Batch(k, {"labels": _soft_or_onehot(rng, k, x), "logits": x}) for k, x in logits
    ]
    big = 87.0 if dtype == np.float32 else 700.0
    scalars = [
        ("random", rng.normal(0, 4, 24)),
        ("large |x|", rng.choice([-1, 1], 24) * rng.uniform(20, big, 24)),
        ("+-1e4", rng.choice([-1, 1], 12) * rng.uniform(1e3, 1e4, 12)),
        ("tiny |x|", rng.choice([-1, 1], 12) * 10.0 ** -rng.uniform(1, 30, 12)),
    ]
    scalars = [(k, x.astype(dtype)) for k, x in scalars]
    b["sigmoid"] = [Batch(k, {"x": x}) for k, x in scalars]
    b["log_sigmoid"] = [Batch(k, {"x": x}) for k, x in scalars]
    b["sigmoid_cross_entropy_with_logits"] = [
        Batch(k + ", " + lk, {"labels": z, "logits": x})
        for k, x in scalars
        for lk, z in _binary_labels(rng, x)
    ]
    b["weighted_cross_entropy_with_logits"] = [
        Batch(k + ", " + lk, {"labels": z, "logits": x}, {"pos_weight": 3.5})
        for k, x in scalars[:2]
        for lk, z in _binary_labels(rng, x)
    ]
    # Probabilities of one event, from 1e-300 up to 1 - 1e-16, with hard and soft labels.
    tiny_exp = 37 if dtype == np.float32 else 300
    p_small = 10.0 ** -rng.uniform(1, tiny_exp, 24)
    p_one = 1 - 10.0 ** -rng.uniform(1, 16 if dtype == np.float64 else 7, 24)
    p_mid = rng.uniform(0.05, 0.95, 24)
    bce = []
    for k, p in (("p small", p_small), ("p near 1", p_one), ("p mid", p_mid)):
        p = p.astype(dtype)
        for lk, y in _binary_labels(rng, p):
            bce.append(Batch(k + ", " + lk, {"y_true": y, "y_pred": p}))
    b["binary_cross_entropy"] = bce
    b["categorical_cross_entropy"] = [
        Batch(k, {"y_true": _soft_or_onehot(rng, k, p), "y_pred": p}) for k, p in probs
    ]
    b["sparse_categorical_cross_entropy"] = [
        Batch(k, {"y_true": _labels(rng, k, p), "y_pred": p}) for k, p in probs
    ]
    b["entropy"] = [Batch(k, {"p": p}) for k, p in probs]
    pairs = []
    for k, p in probs:
        pairs.append(Batch(k + ", q random", {"p": p, "q": _near(rng, p, 0.5)}))
        for rel in (1e-3, 1e-6, 1e-9):
            pairs.append(Batch(f"{k}, q = p(1 +- {rel:g})", {"p": p, "q": _near(rng, p, rel)}))
    b["cross_entropy"] = pairs
    b["kl_divergence"] = pairs
    b["log_loss"] = _log_loss_batches(rng, dtype)
    s = rng.normal(0, 2, 24).astype(dtype)
    b["hinge_loss"] = [
        Batch("random", {"y_true": rng.choice([-1.0, 1.0], 24).astype(dtype), "scores": s})
    ]
    b["multiclass_hinge_loss"] = [
        Batch(
            "random C=5",
            {"y_true": rng.integers(0, 5, 16), "scores": rng.normal(0, 2, (16, 5)).astype(dtype)},
        )
    ]
    # Added last, so that the batches above keep their values. The softmax focal and
    # poly-1 losses from logits (1000-class rows left out: their references are slow).
    few = [(k, x) for k, x in logits if "1000" not in k]
    b["categorical_focal_loss"] = [
        Batch(k, {"y_true": _soft_or_onehot(rng, k, x), "logits": x}) for k, x in few
    ]
    b["poly1_cross_entropy"] = [
        Batch(k, {"y_true": _soft_or_onehot(rng, k, x), "logits": x}) for k, x in few
    ]
    scores = rng.normal(0, 2, (16, 5))
    labels = rng.integers(0, 5, 16)
    near = scores.copy()  # the true score beats the best other by 1 - tiny: tiny losses
    others = np.where(np.eye(5, dtype=bool)[labels], -np.inf, near)
    near[np.arange(16), labels] = others.max(axis=1) + 1 - 10.0 ** -rng.uniform(3, 12, 16)
    b["crammer_singer_hinge_loss"] = [
        Batch("random C=5", {"y_true": labels, "scores": scores.astype(dtype)}),
        Batch("margin nearly met", {"y_true": labels, "scores": near.astype(dtype)}),
    ]
    log_rows = [
        (k, np.asarray(xl.log_softmax(x.astype(np.float64))).astype(dtype)) for k, x in few
    ]
    b["nll_loss"] = [
        Batch(k, {"y_true": _labels(rng, k, lp), "log_probs": lp}) for k, lp in log_rows
    ]
    with np.errstate(divide="ignore"):
        b["kl_divergence_from_log"] = [
            Batch(
                pair.kind,
                {
                    "log_p": np.log(pair.inputs["p"].astype(np.float64)).astype(dtype),
                    "log_q": np.log(pair.inputs["q"].astype(np.float64)).astype(dtype),
                },
            )
            for pair in pairs
        ]
    scaled = []
    for pair in pairs:
        c = rng.uniform(0.1, 10.0, (len(pair.inputs["p"]), 1))
        scaled.append(
            Batch(
                pair.kind + ", scaled",
                {
                    "p": (pair.inputs["p"] * c).astype(dtype),
                    "q": (pair.inputs["q"] * c).astype(dtype),
                },
            )
        )
    b["generalized_kl_divergence"] = pairs + scaled
    b["brier_score"] = [Batch(k, {"y_true": _labels(rng, k, p), "y_prob": p}) for k, p in probs]
    b["brier_score"] += [
        Batch(
            k.replace("p ", "binary, p "),
            {"y_true": (rng.random(24) < 0.5).astype(dtype), "y_prob": p.astype(dtype)},
        )
        for k, p in (("p small", p_small), ("p near 1", p_one), ("p mid", p_mid))
    ]
    return b


def _labels(rng, kind, x):
    """Class labels: the top class for margin/dominant kinds (tiny losses), else random."""
    if "margin" in kind or "dominant" in kind or "near-certain" in kind:
        return np.argmax(x, axis=1)
    return rng.integers(0, x.shape[1], len(x))


def _soft_or_onehot(rng, kind, x):
    labels = _labels(rng, kind, x)
    z = np.zeros(x.shape, dtype=x.dtype)
    z[np.arange(len(x)), labels] = 1
    if x.shape[1] <= 10 and "margin" not in kind and "certain" not in kind:
        # Every other row soft: a smoothed target, still summing to 1.
        soft = rng.dirichlet(np.ones(x.shape[1]), len(x)).astype(x.dtype)
        z[1::2] = soft[1::2]
    return z


def _binary_labels(rng, x):
    n = len(x)
    return [
        ("z = 1{x > 0}", (x > 0).astype(x.dtype)),  # the correct label: small losses
        ("z = 1{x < 0}", (x < 0).astype(x.dtype)),  # the wrong label: large losses
        ("z soft", rng.uniform(0, 1, n).astype(x.dtype)),
    ]


def _log_loss_batches(rng, dtype):
    """log_loss cases: each case is a small batch (its result is a mean)."""
    out = []
    for kind, rows in _probability_rows(rng, dtype, per_kind=24):
        n_cases, n_per = 6, 4
        p = rows[: n_cases * n_per].reshape(n_cases, n_per, -1)
        labels = np.stack([_labels(rng, kind, c) for c in p])
        # Make sure every class occurs (scikit-learn infers the classes from y_true).
        out.append(Batch(kind, {"y_true": labels, "y_pred": p}, {"per_case": True}))
    return out


REFERENCES = {
    "log_softmax": (_ref_log_softmax, ("x",)),
    "softmax": (_ref_softmax, ("x",)),
    "logsumexp": (_ref_logsumexp, ("x",)),
    "sparse_softmax_cross_entropy_with_logits": (_ref_sparse_softmax_ce, ("labels", "logits")),
    "softmax_cross_entropy_with_logits": (_ref_softmax_ce, ("labels", "logits")),
    "sigmoid": (_ref_sigmoid, ("x",)),
    "log_sigmoid": (_ref_log_sigmoid, ("x",)),
    "sigmoid_cross_entropy_with_logits": (_ref_sigmoid_ce, ("labels", "logits")),
    "weighted_cross_entropy_with_logits": (_ref_sigmoid_ce, ("labels", "logits")),
    "binary_cross_entropy": (_ref_bce, ("y_true", "y_pred")),
    "categorical_cross_entropy": (_ref_cce, ("y_true", "y_pred")),
    "sparse_categorical_cross_entropy": (_ref_sparse_cce, ("y_true", "y_pred")),
    "entropy": (_ref_entropy, ("p",)),
    "cross_entropy": (_ref_cross_entropy, ("p", "q")),
    "kl_divergence": (_ref_kl, ("p", "q")),
    "log_loss": (_ref_log_loss, ("y_true", "y_pred")),
    "hinge_loss": (_ref_hinge, ("y_true", "scores")),
    "multiclass_hinge_loss": (_ref_multiclass_hinge, ("y_true", "scores")),
    "categorical_focal_loss": (_ref_categorical_focal, ("y_true", "logits")),
    "poly1_cross_entropy": (_ref_poly1, ("y_true", "logits")),
    "crammer_singer_hinge_loss": (_ref_crammer_singer, ("y_true", "scores")),
    "nll_loss": (_ref_nll, ("y_true", "log_probs")),
    "kl_divergence_from_log": (_ref_kl_from_log, ("log_p", "log_q")),
    "generalized_kl_divergence": (_ref_generalized_kl, ("p", "q")),
    "brier_score": (_ref_brier, ("y_true", "y_prob")),
}


# ------------------------------------------------------------- implementations


def _per_case(fn):
    """Run ``fn`` on each case of a batch whose cases are whole sub-batches (log_loss)."""

    def run(inputs, options):
        keys = list(inputs)
        n = len(inputs[keys[0]])
        return np.array([[fn({k: inputs[k][i] for k in keys}, options)] for i in range(n)])

    return run


def _col(values):
    return np.asarray(values)[:, None]


def _xentlab_impls():
    def tf(fn):
        return lambda i, o: _col(
            fn(
                labels=i["labels"],
                logits=i["logits"],
                **{k: v for k, v in o.items() if k == "pos_weight"},
            )
        )

    def none(fn):
        return lambda i, o: _col(fn(i["y_true"], i["y_pred"], reduction="none"))

    return {
        "log_softmax": lambda i, o: xl.log_softmax(i["x"]),
        "softmax": lambda i, o: xl.softmax(i["x"]),
        "logsumexp": lambda i, o: _col(xl.logsumexp(i["x"])),
        "sparse_softmax_cross_entropy_with_logits": tf(
            xl.sparse_softmax_cross_entropy_with_logits
        ),
        "softmax_cross_entropy_with_logits": tf(xl.softmax_cross_entropy_with_logits),
        "sigmoid": lambda i, o: _col(xl.sigmoid(i["x"])),
        "log_sigmoid": lambda i, o: _col(xl.log_sigmoid(i["x"])),
        "sigmoid_cross_entropy_with_logits": tf(xl.sigmoid_cross_entropy_with_logits),
        "weighted_cross_entropy_with_logits": tf(xl.weighted_cross_entropy_with_logits),
        "binary_cross_entropy": none(xl.binary_cross_entropy),
        "categorical_cross_entropy": none(xl.categorical_cross_entropy),
        "sparse_categorical_cross_entropy": none(xl.sparse_categorical_cross_entropy),
        "entropy": lambda i, o: _col(xl.entropy(i["p"])),
        "cross_entropy": lambda i, o: _col(xl.cross_entropy(i["p"], i["q"])),
        "kl_divergence": lambda i, o: _col(xl.kl_divergence(i["p"], i["q"])),
        "log_loss": _per_case(
            lambda i, o: xl.log_loss(
                i["y_true"], i["y_pred"], labels=np.arange(i["y_pred"].shape[1])
            )
        ),
        "hinge_loss": lambda i, o: _col(xl.hinge_loss(i["y_true"], i["scores"], reduction="none")),
        "multiclass_hinge_loss": lambda i, o: _col(
            xl.multiclass_hinge_loss(i["y_true"], i["scores"], reduction="none")
        ),
        "categorical_focal_loss": lambda i, o: _col(
            xl.categorical_focal_loss(i["y_true"], i["logits"], from_logits=True, reduction="none")
        ),
        "poly1_cross_entropy": lambda i, o: _col(
            xl.poly1_cross_entropy(i["y_true"], i["logits"], from_logits=True, reduction="none")
        ),
        "crammer_singer_hinge_loss": lambda i, o: _col(
            xl.crammer_singer_hinge_loss(i["y_true"], i["scores"], reduction="none")
        ),
        "nll_loss": lambda i, o: _col(xl.nll_loss(i["y_true"], i["log_probs"], reduction="none")),
        "kl_divergence_from_log": lambda i, o: xl.kl_divergence_from_log(
            i["log_p"], i["log_q"], log_target=True, reduction="none"
        ),
        "generalized_kl_divergence": lambda i, o: _col(
            xl.generalized_kl_divergence(i["p"], i["q"])
        ),
        "brier_score": lambda i, o: _col(
            xl.brier_score(i["y_true"], i["y_prob"], reduction="none")
        ),
    }


def _scipy_impls():
    import scipy.special as sp
    import scipy.stats as st
    from sklearn.metrics import log_loss

    def take(a, labels):
        return np.take_along_axis(a, np.asarray(labels)[:, None], axis=1)

    def sig_ce(i, o):
        z, x = i["labels"], i["logits"]
        q = x.dtype.type(o.get("pos_weight", 1.0))
        return _col(-(q * z * sp.log_expit(x) + (1 - z) * sp.log_expit(-x)))

    return {
        "log_softmax": lambda i, o: sp.log_softmax(i["x"], axis=1),
        "softmax": lambda i, o: sp.softmax(i["x"], axis=1),
        "logsumexp": lambda i, o: _col(sp.logsumexp(i["x"], axis=1)),
        "sparse_softmax_cross_entropy_with_logits": lambda i, o: (
            -take(sp.log_softmax(i["logits"], axis=1), i["labels"])
        ),
        "softmax_cross_entropy_with_logits": lambda i, o: _col(
            -(i["labels"] * sp.log_softmax(i["logits"], axis=1)).sum(axis=1)
        ),
        "sigmoid": lambda i, o: _col(sp.expit(i["x"])),
        "log_sigmoid": lambda i, o: _col(sp.log_expit(i["x"])),
        "sigmoid_cross_entropy_with_logits": sig_ce,
        "weighted_cross_entropy_with_logits": sig_ce,
        "binary_cross_entropy": lambda i, o: _col(
            -(sp.xlogy(i["y_true"], i["y_pred"]) + sp.xlog1py(1 - i["y_true"], -i["y_pred"]))
        ),
        "categorical_cross_entropy": lambda i, o: _col(
            -sp.xlogy(i["y_true"], i["y_pred"]).sum(axis=1)
        ),
        "sparse_categorical_cross_entropy": lambda i, o: -np.log(take(i["y_pred"], i["y_true"])),
        "entropy": lambda i, o: _col(st.entropy(i["p"], axis=1)),
        "cross_entropy": lambda i, o: _col(-sp.xlogy(i["p"], i["q"]).sum(axis=1)),
        "kl_divergence": lambda i, o: _col(sp.rel_entr(i["p"], i["q"]).sum(axis=1)),
        "generalized_kl_divergence": lambda i, o: _col(sp.kl_div(i["p"], i["q"]).sum(axis=1)),
        "log_loss": _per_case(
            lambda i, o: log_loss(i["y_true"], i["y_pred"], labels=np.arange(i["y_pred"].shape[1]))
        ),
    }


def _naive_impls():
    """The textbook formulas, typed in as they are printed."""

    def softmax(x):
        e = np.exp(x)
        return e / e.sum(axis=1, keepdims=True)

    def take(a, labels):
        return np.take_along_axis(a, np.asarray(labels)[:, None], axis=1)

    def sig_ce(i, o):
        z, x = i["labels"], i["logits"]
        q = x.dtype.type(o.get("pos_weight", 1.0))
        s = 1 / (1 + np.exp(-x))
        return _col(-(q * z * np.log(s) + (1 - z) * np.log(1 - s)))

    return {
        "log_softmax": lambda i, o: np.log(softmax(i["x"])),
        "softmax": lambda i, o: softmax(i["x"]),
        "logsumexp": lambda i, o: _col(np.log(np.exp(i["x"]).sum(axis=1))),
        "sparse_softmax_cross_entropy_with_logits": lambda i, o: (
            -np.log(take(softmax(i["logits"]), i["labels"]))
        ),
        "softmax_cross_entropy_with_logits": lambda i, o: _col(
            -(i["labels"] * np.log(softmax(i["logits"]))).sum(axis=1)
        ),
        "sigmoid": lambda i, o: _col(1 / (1 + np.exp(-i["x"]))),
        "log_sigmoid": lambda i, o: _col(np.log(1 / (1 + np.exp(-i["x"])))),
        "sigmoid_cross_entropy_with_logits": sig_ce,
        "weighted_cross_entropy_with_logits": sig_ce,
        "binary_cross_entropy": lambda i, o: _col(
            -(i["y_true"] * np.log(i["y_pred"]) + (1 - i["y_true"]) * np.log(1 - i["y_pred"]))
        ),
        "categorical_cross_entropy": lambda i, o: _col(
            -(i["y_true"] * np.log(i["y_pred"])).sum(axis=1)
        ),
        "sparse_categorical_cross_entropy": lambda i, o: -np.log(take(i["y_pred"], i["y_true"])),
        "entropy": lambda i, o: _col(-(i["p"] * np.log(i["p"])).sum(axis=1)),
        "cross_entropy": lambda i, o: _col(-(i["p"] * np.log(i["q"])).sum(axis=1)),
        "kl_divergence": lambda i, o: _col((i["p"] * np.log(i["p"] / i["q"])).sum(axis=1)),
        "hinge_loss": lambda i, o: _col(np.maximum(0, 1 - i["y_true"] * i["scores"])),
    }


def _max_shift_impls():
    """The usual stable NumPy: subtract the maximum, then log-sum-exp; TF's sigmoid formula."""

    def log_softmax(x):
        shifted = x - x.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def sig_ce(i, o):
        z, x = i["labels"], i["logits"]
        q = x.dtype.type(o.get("pos_weight", 1.0))
        tail = np.log1p(np.exp(-np.abs(x)))
        return _col((1 - z) * x + (1 + (q - 1) * z) * (tail + np.maximum(-x, 0)))

    def logsumexp(x):
        m = x.max(axis=1)
        return m + np.log(np.exp(x - m[:, None]).sum(axis=1))

    return {
        "log_softmax": lambda i, o: log_softmax(i["x"]),
        "logsumexp": lambda i, o: _col(logsumexp(i["x"])),
        "sparse_softmax_cross_entropy_with_logits": lambda i, o: (
            -np.take_along_axis(log_softmax(i["logits"]), np.asarray(i["labels"])[:, None], axis=1)
        ),
        "softmax_cross_entropy_with_logits": lambda i, o: _col(
            -(i["labels"] * log_softmax(i["logits"])).sum(axis=1)
        ),
        "log_sigmoid": lambda i, o: _col(
            -(np.maximum(-i["x"], 0) + np.log1p(np.exp(-np.abs(i["x"]))))
        ),
        "sigmoid_cross_entropy_with_logits": sig_ce,
        "weighted_cross_entropy_with_logits": sig_ce,
    }


def _torch_impls():
    torch = _torch()
    if torch is None:
        return {}
    F = torch.nn.functional

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a))

    def lab(a):
        return torch.from_numpy(np.asarray(a, dtype=np.int64))

    def sig_ce(i, o):
        kw = {}
        if "pos_weight" in o:
            kw["pos_weight"] = torch.tensor(o["pos_weight"], dtype=t(i["logits"]).dtype)
        return _col(
            F.binary_cross_entropy_with_logits(
                t(i["logits"]), t(i["labels"]), reduction="none", **kw
            ).numpy()
        )

    return {
        "log_softmax": lambda i, o: F.log_softmax(t(i["x"]), dim=1).numpy(),
        "softmax": lambda i, o: F.softmax(t(i["x"]), dim=1).numpy(),
        "logsumexp": lambda i, o: _col(torch.logsumexp(t(i["x"]), dim=1).numpy()),
        "sparse_softmax_cross_entropy_with_logits": lambda i, o: _col(
            F.cross_entropy(t(i["logits"]), lab(i["labels"]), reduction="none").numpy()
        ),
        "softmax_cross_entropy_with_logits": lambda i, o: _col(
            F.cross_entropy(t(i["logits"]), t(i["labels"]), reduction="none").numpy()
        ),
        "sigmoid": lambda i, o: _col(torch.sigmoid(t(i["x"])).numpy()),
        "log_sigmoid": lambda i, o: _col(F.logsigmoid(t(i["x"])).numpy()),
        "sigmoid_cross_entropy_with_logits": sig_ce,
        "weighted_cross_entropy_with_logits": sig_ce,
        "binary_cross_entropy": lambda i, o: _col(
            F.binary_cross_entropy(t(i["y_pred"]), t(i["y_true"]), reduction="none").numpy()
        ),
        "entropy": lambda i, o: _col(torch.special.entr(t(i["p"])).sum(dim=1).numpy()),
        "kl_divergence": lambda i, o: _col(
            F.kl_div(t(i["q"]).log(), t(i["p"]), reduction="none").sum(dim=1).numpy()
        ),
    }


def implementations(include_torch=True):
    """``{implementation name: {function name: callable(inputs, options)}}``."""
    torch = _torch() if include_torch else None
    impls = {
        "xentlab": _xentlab_impls(),
        "SciPy / scikit-learn": _scipy_impls(),
        "NumPy, naive": _naive_impls(),
        "NumPy, max-shifted": _max_shift_impls(),
    }
    if torch is not None:
        impls[f"PyTorch {torch.__version__.split('+')[0]}"] = _torch_impls()
    return impls


# ------------------------------------------------------------------ the battery


def _reference_values(function, batch):
    """Exact values of each case as a double-double ``(hi, lo)``: hi + lo to ~106 bits."""
    ref, names = REFERENCES[function]
    values = []
    for i in range(batch.n_cases):
        args = [batch.inputs[name][i] for name in names]
        if "pos_weight" in batch.options:
            args.append(batch.options["pos_weight"])
        with mpmath.workprec(256):
            exact_values = exact(ref, args)
            hi = np.array([float(e) for e in exact_values])
            lo = np.array(
                [
                    float(e - mpmath.mpf(h)) if np.isfinite(h) else 0.0
                    for e, h in zip(exact_values, hi, strict=True)
                ]
            )
        values.append((hi, lo))
    return values


def _errors(computed, exact_value, dtype):
    """Relative error and error in ulps of each output whose exact value is a normal float.

    For float64 the error is measured against the exact value (``hi + lo``);
    for float32 against the exact value rounded to float32.
    """
    hi, lo = exact_value
    target = hi.astype(dtype)  # the exact value rounded to the dtype
    scored = np.isfinite(target) & (np.abs(target) >= np.finfo(dtype).tiny)
    c = np.asarray(computed, dtype=np.float64)[scored]
    target, hi, lo = target[scored].astype(np.float64), hi[scored], lo[scored]
    with np.errstate(invalid="ignore", over="ignore"):
        if dtype == np.float64:
            err = np.abs((c - hi) - lo)  # c - hi is exact when c is near hi (Sterbenz)
        else:
            err = np.abs(c - target)
        rel = np.where(np.isfinite(c), err / np.abs(target), np.inf)
        ulps = np.where(np.isfinite(c), err / np.spacing(np.abs(target.astype(dtype))), np.inf)
    return rel, ulps


@dataclass
class Record:
    impl: str
    function: str
    dtype: str
    n: int
    max_rel: float
    median_rel: float
    max_ulps: float
    median_ulps: float
    n_nonfinite: int
    worst_kind: str
    worst_input: str = ""


def run_battery(dtypes=DTYPES, impls=None, seed=SEED, functions=None):
    """Evaluate every implementation on the battery; return (records, n_cases per dtype).

    ``records`` holds one :class:`Record` per (implementation, function, dtype)
    the implementation supports.
    """
    impls = implementations() if impls is None else impls
    records, n_cases = [], {}
    for dtype in dtypes:
        dname = np.dtype(dtype).name
        batches = make_batches(dtype, seed)
        if functions is not None:
            batches = {f: b for f, b in batches.items() if f in functions}
        n_cases[dname] = sum(b.n_cases for bs in batches.values() for b in bs)
        for function, fbatches in batches.items():
            refs = [_reference_values(function, b) for b in fbatches]
            for impl, table in impls.items():
                if function not in table:
                    continue
                rel_all, ulp_all, kinds, inputs = [], [], [], []
                for batch, ref in zip(fbatches, refs, strict=True):
                    with warnings.catch_warnings(), np.errstate(all="ignore"):
                        warnings.simplefilter("ignore")
                        out = np.asarray(table[function](batch.inputs, batch.options))
                    out = out.reshape(batch.n_cases, -1)
                    for i in range(batch.n_cases):
                        rel, ulp = _errors(out[i], ref[i], dtype)
                        rel_all.extend(rel)
                        ulp_all.extend(ulp)
                        kinds.extend([batch.kind] * len(rel))
                        inputs.extend([_describe(batch, i)] * len(rel))
                rel_all, ulp_all = np.array(rel_all), np.array(ulp_all)
                worst = int(np.argmax(np.nan_to_num(rel_all, nan=np.inf)))
                records.append(
                    Record(
                        impl,
                        function,
                        dname,
                        len(rel_all),
                        float(rel_all.max()),
                        float(np.median(rel_all)),
                        float(ulp_all.max()),
                        float(np.median(ulp_all)),
                        int((~np.isfinite(rel_all)).sum()),
                        kinds[worst],
                        inputs[worst],
                    )
                )
    return records, n_cases


def _describe(batch, i):
    parts = []
    for k, v in batch.inputs.items():
        a = np.asarray(v[i])
        if a.size > 6:
            parts.append(f"{k}=<{a.shape} {a.dtype}, first {a.ravel()[:3].tolist()}>")
        else:
            parts.append(f"{k}={a.tolist()}")
    return ", ".join(parts)


# ------------------------------------------------------------------ reporting


def summarise(records, impl="xentlab"):
    """Rows (function, dtype, n, max rel, median ulps, max ulps, within target) for one impl."""
    rows = []
    for r in records:
        if r.impl == impl:
            rows.append(
                (
                    r.function,
                    r.dtype,
                    r.n,
                    r.max_rel,
                    r.median_ulps,
                    r.max_ulps,
                    r.max_rel <= TARGETS[r.dtype],
                )
            )
    return rows


def format_table(records, impls=None, dtype="float64"):
    """Side-by-side table of the maximum relative error per function and implementation."""
    impls = impls or list(dict.fromkeys(r.impl for r in records))
    by = {(r.impl, r.function): r for r in records if r.dtype == dtype}
    functions = list(dict.fromkeys(r.function for r in records if r.dtype == dtype))
    width = max(len(f) for f in functions)
    title = "max relative error, " + dtype
    head = f"{title:<{width}}  " + "  ".join(f"{i[:20]:>20}" for i in impls)
    lines = [head, "-" * len(head)]
    for f in functions:
        cells = []
        for i in impls:
            r = by.get((i, f))
            if r is None:
                cells.append(f"{'-':>20}")
            else:
                bad = f" ({r.n_nonfinite} inf/nan)" if r.n_nonfinite else ""
                cells.append(f"{_fmt(r.max_rel) + bad:>20}")
        lines.append(f"{f:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)


def format_detail(records, impl="xentlab"):
    """Per function and dtype: cases scored, max and median error in ulps, max relative error."""
    head = (
        f"{impl + ': function':<42} {'dtype':>7} {'scored':>6} {'median ulps':>11} "
        f"{'max ulps':>9} {'max rel':>8} {'target':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        if r.impl != impl:
            continue
        ok = "ok" if r.max_rel <= TARGETS[r.dtype] else "MISS"
        lines.append(
            f"{r.function:<42} {r.dtype:>7} {r.n:>6} {r.median_ulps:>11.2f} "
            f"{_fmt(r.max_ulps):>9} {_fmt(r.max_rel):>8} {ok:>6}"
        )
    return "\n".join(lines)


def _fmt(x):
    if not np.isfinite(x):
        return "inf"
    if x == 0:
        return "0"
    return f"{x:.1e}"


def machine():
    """A short description of this machine and the library versions."""
    import scipy
    import sklearn

    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": _cpu_name(),
        "cpus": __import__("os").cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "mpmath": mpmath.__version__,
        "xentlab": xl.__version__,
        "torch": None if _torch() is None else _torch().__version__,
        "numpy_simd": _simd_features(),
    }
    return info


def _simd_features():
    """The widest SIMD extensions NumPy found on this CPU: they decide how fast its
    exp, log and log1p loops are (AVX-512 makes them several times faster than AVX2)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # pragma: no cover - private; moved between NumPy versions
        return "unknown"
    wanted = ("AVX512_SKX", "AVX512F", "AVX2", "FMA3", "ASIMD", "NEON", "VSX")
    found = [name for name in wanted if __cpu_features__.get(name)]
    return ", ".join(found) or "none of " + ", ".join(wanted)


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    import datetime
    import time

    start = time.perf_counter()
    records, n_cases = run_battery()
    seconds = time.perf_counter() - start
    print(format_detail(records))
    print()
    for dtype in ("float64", "float32"):
        print(format_table(records, dtype=dtype))
        print()
    print(f"cases per dtype: {n_cases}; {seconds:.1f} s")
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.accuracy",
        "machine": machine(),
        "targets": TARGETS,
        "n_cases": n_cases,
        "seconds": seconds,
        "records": [r.__dict__ for r in records],
    }
    (RESULTS / "accuracy.json").write_text(json.dumps(payload, indent=1, allow_nan=True) + "\n")
    print(f"wrote {RESULTS / 'accuracy.json'}")


if __name__ == "__main__":
    main()
