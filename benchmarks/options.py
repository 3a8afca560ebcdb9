"""What each option of the loss from logits costs, in passes over the logits.

``sparse_categorical_cross_entropy(..., from_logits=True)`` is timed without options
and with each option of ``torch.nn.functional.cross_entropy`` (class weights, label
smoothing, ignored targets, a mask, sample weights, the z-loss, and all of them at
once), on the same logits, in one process. The cost of an option is the extra
time over the plain call, in units of one ``np.exp`` pass over the logits; the
target is at most one extra pass per option. PyTorch's ``F.cross_entropy`` with
the same options is timed beside it when PyTorch is installed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import xentlab as xl

OPTION_PASSES_TARGET = 1.0  # extra np.exp passes over the logits an option may cost


def option_cases(
    x: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> dict[str, dict[str, Any]]:
    """The keyword arguments of each case; "plain" is the call without options."""
    n, c = x.shape
    ignored = np.where(rng.random(n) < 0.1, -100, labels)
    mask = np.ones_like(x, dtype=bool)
    mask[:, -1] = False  # the last class is impossible everywhere
    weights = rng.uniform(0.5, 2.0, c)
    return {
        "plain": {},
        "class_weight": {"class_weight": weights},
        "label_smoothing": {"label_smoothing": 0.1},
        "ignore_index": {"y_true": ignored, "ignore_index": -100},
        "where (class mask)": {"where": mask},
        "sample_weight": {"sample_weight": rng.uniform(0.5, 2.0, n)},
        "z_loss": {"z_loss": 1e-4},
        "all of them": {
            "y_true": ignored,
            "ignore_index": -100,
            "class_weight": weights,
            "label_smoothing": 0.1,
            "where": mask,
            "sample_weight": rng.uniform(0.5, 2.0, n),
            "z_loss": 1e-4,
        },
    }


def torch_call(
    torch: Any, x: np.ndarray, options: dict[str, Any], labels: np.ndarray
) -> Callable[[], Any] | None:
    """PyTorch's ``F.cross_entropy`` with the same options, or None where it has none."""
    if "z_loss" in options or "sample_weight" in options or "where" in options:
        return None  # no such option in F.cross_entropy
    logits = torch.from_numpy(x)
    target = torch.from_numpy(options.get("y_true", labels)).long()
    kwargs = {}
    if "class_weight" in options:
        kwargs["weight"] = torch.from_numpy(options["class_weight"].astype(x.dtype))
    if "label_smoothing" in options:
        kwargs["label_smoothing"] = options["label_smoothing"]
    if "ignore_index" in options:
        kwargs["ignore_index"] = options["ignore_index"]
    return lambda: torch.nn.functional.cross_entropy(logits, target, **kwargs)


def _run(best_time: Callable[..., float], torch: Any, quick: bool) -> list[dict[str, Any]]:
    rng = np.random.default_rng(3)
    n = 100_000 if quick else 1_000_000
    rows = []
    for dtype in (np.float64, np.float32):
        x = rng.normal(0, 3, (n, 10)).astype(dtype)
        labels = rng.integers(0, 10, n)
        exp_pass = best_time(lambda x=x: np.exp(x), 5)
        cases = option_cases(x, labels, rng)
        times = {}
        for name, options in cases.items():
            kwargs = dict(options)
            y = kwargs.pop("y_true", labels)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                times[name] = best_time(
                    lambda y=y, x=x, kwargs=kwargs: xl.sparse_categorical_cross_entropy(
                        y, x, from_logits=True, **kwargs
                    ),
                    5,
                )
        plain = times["plain"]
        print(
            f"\noptions of the loss from logits, {n:,} x 10 {np.dtype(dtype).name}"
            f" (one np.exp pass: {exp_pass * 1e3:.1f} ms)"
        )
        print(
            f"  {'option':<20} {'time':>10} {'extra np.exp passes':>20} {'PyTorch / xentlab':>18}"
        )
        for name, seconds in times.items():
            extra = (seconds - plain) / exp_pass
            call = None if torch is None else torch_call(torch, x, cases[name], labels)
            ratio = None if call is None else best_time(call, 5) / seconds
            shown = "" if ratio is None else f"{ratio:.2f}"
            print(f"  {name:<20} {seconds * 1e3:>8.1f} ms {extra:>20.2f} {shown:>18}")
            rows.append(
                {
                    "benchmark": f"option cost {n:,} x 10 {np.dtype(dtype).name}",
                    "option": name,
                    "seconds": seconds,
                    "extra_exp_passes": extra,
                    "torch_over_xentlab": ratio,
                    "target": None
                    if name in ("plain", "all of them")
                    else f"extra np.exp passes <= {OPTION_PASSES_TARGET:g}",
                    "met": None
                    if name in ("plain", "all of them")
                    else bool(extra <= OPTION_PASSES_TARGET),
                }
            )
    return rows


def run(best_time: Callable[..., float], torch: Any, quick: bool = False) -> list[dict[str, Any]]:
    """Time every option; BLAS on one thread, like every other contender of ``make bench``.

    The label-smoothing term is a matrix-vector product per block; on two OpenBLAS
    threads the second one spins, and the process's CPU time counts it twice.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _run(best_time, torch, quick)
