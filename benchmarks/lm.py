"""The large-vocabulary loss: streamed against materialised, in time and memory.

:func:`xentlab.linear_cross_entropy_grad` computes the loss of a language model's
output layer, logits = hidden @ weight.T, and its gradients w.r.t. ``hidden`` and
``weight`` without forming the N x V logits. This benchmark runs, side by side on
the same float32 arrays:

- **streamed**: ``xl.linear_cross_entropy_grad`` (default block size);
- **materialised**: the same numbers the plain way, ``X = h @ W.T`` (BLAS), then
  ``xl.sparse_softmax_cross_entropy_with_logits`` and
  ``xl.sparse_softmax_cross_entropy_grad`` on ``X``, then ``G @ W`` and ``G.T @ h``;
- **PyTorch** (when importable): ``F.linear`` + ``F.cross_entropy`` + ``backward``,
  also materialised.

Sizes: N = 2,048 tokens, V = 32,000, d = 256 (a Llama-2-sized vocabulary), and
N = 1,024, V = 128,256 (Llama 3's vocabulary). For each it measures

- peak extra memory (``tracemalloc``, which sees NumPy's allocations) of loss and
  gradients: the peak during the call minus the bytes of the results themselves
  (the gradients have the size of the inputs, whatever the method), as a share of
  the N x V float32 logits; target at most 5 %;
- time, with OpenBLAS on 1 thread (CPU time of the process: a busy neighbour
  disturbs it far less than wall time) and on every core (wall time, since CPU
  time adds the threads up); the contenders take turns, and each keeps its best of
  ``repeat`` rounds (the memory run is the warm-up); target streamed /
  materialised at most 1.25. On a machine shared with other work the wall times on
  several threads suffer most, the streamed ones more (each of its ~250 block
  products waits for every BLAS thread): the load average is stored with them.

Usage: ``python -m benchmarks.lm`` (from the repository root), or ``run()`` from
``benchmarks/run.py``; it writes ``results/lm.json`` and takes about a minute
(``--quick``: small sizes, nothing written).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import time
import tracemalloc
from pathlib import Path

import numpy as np
import numpy.ma  # noqa: F401  (imported on first use by xentlab's checks: not a cost to measure)

import xentlab as xl

try:  # installed with scikit-learn; without it BLAS keeps its default threads
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

try:  # optional: PyTorch is not a dependency of xentlab or of its tests
    import torch
except ImportError:
    torch = None

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = ((2048, 32000, 256), (1024, 128256, 256))
QUICK_SIZES = ((512, 8000, 64), (256, 32064, 64))
MEMORY_TARGET = 0.05  # peak extra memory / N x V float32 logits
TIME_TARGET = 1.25  # streamed / materialised
SEED = 0


# ------------------------------------------------------------------ contenders


def make_inputs(n_tokens, n_vocab, d, seed=SEED):
    """float32 hidden states, output matrix and targets; logits of standard deviation 2."""
    rng = np.random.default_rng(seed)
    hidden = rng.standard_normal((n_tokens, d), dtype=np.float32)
    weight = rng.standard_normal((n_vocab, d), dtype=np.float32) * np.float32(2 / np.sqrt(d))
    targets = rng.integers(0, n_vocab, n_tokens)
    return targets, hidden, weight


def streamed(targets, hidden, weight):
    result = xl.linear_cross_entropy_grad(targets, hidden, weight)
    return result.loss, result.grad_hidden, result.grad_weight


def materialised(targets, hidden, weight):
    logits = hidden @ weight.T
    loss = xl.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits).mean()
    grad_logits = xl.sparse_softmax_cross_entropy_grad(labels=targets, logits=logits)
    grad_logits /= hidden.shape[0]
    return loss, grad_logits @ weight, grad_logits.T @ hidden


def pytorch_contender(targets, hidden, weight):
    th = torch.from_numpy(hidden)
    tw = torch.from_numpy(weight)
    ty = torch.from_numpy(targets.astype(np.int64))

    def run():
        h = th.detach().requires_grad_(True)
        w = tw.detach().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, w), ty)
        loss.backward()
        return loss.item(), h.grad, w.grad

    return run


# ------------------------------------------------------------------ measures


def best_times(contenders, repeat):
    """``{name: (wall, cpu)}``: the minimum seconds of each over ``repeat`` rounds.

    The contenders take turns within each round, so that a change in the load of a
    shared machine falls on all of them rather than on one.
    """
    best = {name: [float("inf"), float("inf")] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            gc.collect()
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
    return {name: tuple(t) for name, t in best.items()}


def extra_memory(fn):
    """``(peak, extra, result)``: peak bytes allocated during ``fn()`` (tracemalloc),
    that peak minus the bytes of the arrays it returns, and what it returns."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    returned = sum(r.nbytes for r in result if isinstance(r, np.ndarray))
    return peak, peak - returned, result


def _threads(n):
    if threadpool_limits is None:
        return _NoLimit()
    return threadpool_limits(limits=n, user_api="blas")


class _NoLimit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def agreement(a, b):
    """Largest differences of streamed ``a`` and materialised ``b``, relative to the
    largest value of each result (float32: about 1e-6)."""

    def rel(x, y):
        return float(np.max(np.abs(np.asarray(x, np.float64) - y)) / np.max(np.abs(y)))

    names = ("loss", "grad_hidden", "grad_weight")
    return {name: rel(x, y) for name, x, y in zip(names, a, b, strict=True)}


def bench_size(n_tokens, n_vocab, d, repeat, thread_counts):
    targets, hidden, weight = make_inputs(n_tokens, n_vocab, d)
    logits_bytes = n_tokens * n_vocab * 4
    contenders = {
        "streamed": lambda: streamed(targets, hidden, weight),
        "materialised": lambda: materialised(targets, hidden, weight),
    }
    if torch is not None:
        contenders["PyTorch"] = pytorch_contender(targets, hidden, weight)
    row = {
        "N": n_tokens,
        "V": n_vocab,
        "d": d,
        "dtype": "float32",
        "logits_MB": logits_bytes / 1e6,
        "memory": {},
        "time": {},
    }
    results = {}
    for name in ("streamed", "materialised"):  # also the warm-up of the timings
        peak, extra, results[name] = extra_memory(contenders[name])
        row["memory"][name] = {
            "peak_MB": peak / 1e6,
            "extra_MB": extra / 1e6,
            "extra_share": extra / logits_bytes,
        }
    row["agreement"] = agreement(results["streamed"], results["materialised"])
    del results
    if torch is not None:
        contenders["PyTorch"]()  # its warm-up (tracemalloc does not see its memory)
    for threads in thread_counts:
        with _threads(threads):
            torch_threads = torch.get_num_threads() if torch is not None else None
            if torch is not None:
                torch.set_num_threads(threads)
            try:
                best = best_times(contenders, repeat)
            finally:
                if torch is not None:
                    torch.set_num_threads(torch_threads)
        times = {name: {"wall_s": wall, "cpu_s": cpu} for name, (wall, cpu) in best.items()}
        # One thread: CPU time (robust to neighbours); several: wall time (CPU time adds up).
        clock = "cpu_s" if threads == 1 else "wall_s"
        base = times["materialised"][clock]
        row["time"][f"{threads}_thread{'s' if threads > 1 else ''}"] = {
            "clock": clock,
            "seconds": times,
            "ratio_vs_materialised": {k: v[clock] / base for k, v in times.items()},
        }
    return row


def targets_met(rows):
    out = []
    for row in rows:
        size = f"N={row['N']}, V={row['V']}"
        share = row["memory"]["streamed"]["extra_share"]
        out.append(
            {
                "target": (
                    f"{size}: streamed peak extra memory <= {MEMORY_TARGET:.0%} of the logits"
                ),
                "value": share,
                "met": share <= MEMORY_TARGET,
            }
        )
        for threads, t in row["time"].items():
            ratio = t["ratio_vs_materialised"]["streamed"]
            out.append(
                {
                    "target": f"{size}, {threads.replace('_', ' ')}: streamed time <= "
                    f"{TIME_TARGET}x materialised",
                    "value": ratio,
                    "met": ratio <= TIME_TARGET,
                }
            )
    return out


def machine():
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        # Other processes' load during the run: wall times on several threads suffer
        # most from it (each block's matrix product waits for every BLAS thread).
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "torch": torch.__version__ if torch is not None else None,
    }
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    return info


def run(*, quick=False, repeat=3, write=None, verbose=True):
    """Run the benchmark and return its results as a dict.

    ``write`` (default: unless ``quick``) stores them in ``results/lm.json``; ``verbose``
    prints the table and the targets.
    """
    write = not quick if write is None else write
    sizes = QUICK_SIZES if quick else SIZES
    thread_counts = sorted({1, os.cpu_count() or 1})
    started = time.perf_counter()
    rows = [bench_size(*size, repeat, thread_counts) for size in sizes]
    results = {
        "description": __doc__.split("\n\n")[0],
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": quick,
        "repeat": repeat,
        "block_size": "default",
        "sizes": rows,
        "targets": targets_met(rows),
        "seconds": time.perf_counter() - started,
    }
    if verbose:
        report(results)
    if write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / "lm.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        if verbose:
            print(f"wrote {path.relative_to(RESULTS.parent.parent)}")
    return results


def report(results):
    print("Large-vocabulary loss and gradients (float32): streamed vs materialised")
    for row in results["sizes"]:
        print(
            f"\nN={row['N']:,}  V={row['V']:,}  d={row['d']}  (logits {row['logits_MB']:,.0f} MB)"
        )
        for name, m in row["memory"].items():
            print(
                f"  memory  {name:<13} peak {m['peak_MB']:8.1f} MB, extra "
                f"{m['extra_MB']:8.1f} MB = {m['extra_share']:7.2%} of the logits"
            )
        for threads, t in row["time"].items():
            for name, s in t["seconds"].items():
                print(
                    f"  {threads:<9} {name:<13} {s[t['clock']]:7.3f} s ({t['clock']})  "
                    f"{t['ratio_vs_materialised'][name]:5.2f}x materialised"
                )
        agree = ", ".join(f"{k} {v:.1e}" for k, v in row["agreement"].items())
        print(f"  largest relative difference streamed vs materialised: {agree}")
    print()
    for t in results["targets"]:
        print(f"  [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['value']:.3g}")
    print(f"  ({results['seconds']:.0f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke test")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run(quick=args.quick, repeat=args.repeat)


if __name__ == "__main__":
    main()
