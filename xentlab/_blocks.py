"""Evaluate a kernel block by block, so its temporaries stay small.

A kernel written as a few NumPy expressions allocates a full-size temporary
for each of them. Run on blocks of rows instead, those temporaries are the size
of one block (they stay in the cache, and are reused), and the result is the
only full-size allocation. Elementwise kernels give the same bits either way,
and so do row reductions (each row is reduced on its own, whatever the block).

The loops can also validate their inputs as they go, with no extra pass through
memory: a *block check* is a triple ``(position, is_fine, check)`` (built by
``_validation``), where ``is_fine(block)`` is a fast test of one block of the
array at ``position`` in the kernel's arguments, and ``check()`` is the full check
of the whole array. The first block whose fast test fails sends the whole array
through ``check()``, which raises (or warns) with its usual message, naming the
position in the whole input; that array is then not tested again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._validation import BlockCheck

Array = NDArray[Any]

# 64 Ki elements (512 KiB of float64) a block: small enough for the cache,
# large enough that the per-block Python overhead is negligible.
BLOCK_ELEMENTS = 1 << 16
# Row reductions make fewer passes per block than the elementwise kernels, so the
# per-block overhead weighs more: 128 Ki elements measured fastest (1e6 x 10 and
# 1e4 x 1e4 logits, float32 and float64; 64 Ki was 5-10 % slower, 256 Ki no faster).
ROW_BLOCK_ELEMENTS = 1 << 17


class _Checker:
    """Runs the block checks that have not yet sent their array to the full check."""

    def __init__(self, checks: Sequence[BlockCheck]) -> None:
        self.pending = list(checks)

    def __call__(self, blocks: Sequence[Array]) -> None:
        for entry in list(self.pending):
            position, is_fine, check = entry
            if not is_fine(blocks[position]):
                check()
                self.pending.remove(entry)


def elementwise_in_blocks(
    kernel: Callable[..., Array],
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    *arrays: Array,
    checks: Sequence[BlockCheck] = (),
) -> Array:
    """``kernel(*arrays)``, evaluated on blocks of rows along axis 0.

    Every array must broadcast to ``shape``; each is broadcast as a view and
    sliced along axis 0, so nothing is copied. Small inputs, and inputs with a
    single row, go to the kernel whole (after the checks).
    """
    validate = _Checker(checks)
    n_elements = int(np.prod(shape, dtype=np.int64))
    if len(shape) == 0 or shape[0] < 2 or n_elements <= BLOCK_ELEMENTS:
        validate(arrays)
        return kernel(*arrays)
    row_size = max(1, n_elements // shape[0])
    step = max(1, BLOCK_ELEMENTS // row_size)
    views = [np.broadcast_to(a, shape) for a in arrays]
    out = np.empty(shape, dtype)
    for start in range(0, shape[0], step):
        blocks = [v[start : start + step] for v in views]
        validate(blocks)
        out[start : start + step] = kernel(*blocks)
    return out


def as_rows(x: Array, axis: int) -> Array:
    """``x`` with ``axis`` moved last and the other axes flattened: shape ``(N, C)``.

    A view when ``axis`` is already last and ``x`` is C-contiguous (the usual
    case); otherwise one contiguous copy, so that every row is contiguous.
    """
    rows = np.ascontiguousarray(np.moveaxis(x, axis, -1))
    return rows.reshape(-1, rows.shape[-1])


def row_blocks(n_rows: int, n_columns: int) -> list[slice]:
    """Slices of consecutive rows of an ``(n_rows, n_columns)`` array, each of
    about ``ROW_BLOCK_ELEMENTS`` elements (at least one row)."""
    step = max(1, ROW_BLOCK_ELEMENTS // max(1, n_columns))
    return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def reduce_rows_in_blocks(
    kernel: Callable[..., Array],
    dtype: np.dtype[Any],
    axis: int,
    *arrays: Array,
    per_row: Sequence[Array] = (),
    checks: Sequence[BlockCheck] = (),
) -> Array:
    """Reduce ``arrays`` along ``axis`` with a kernel that works on rows.

    Each array (all of one shape) is laid out as rows, shape ``(N, C)`` with the
    class axis last (see :func:`as_rows`), and each of ``per_row`` (one value per
    row, such as integer labels: the arrays' shape without ``axis``) is
    flattened to ``(N,)``. ``kernel`` gets matching blocks of rows of all of
    them and returns one value per row. The result has the arrays' shape without
    ``axis`` and dtype ``dtype``. The positions of ``checks`` refer to ``arrays``;
    each check sees ``(rows, C)`` blocks.
    """
    rows = [as_rows(a, axis) for a in arrays]
    flat = [np.reshape(a, -1) for a in per_row]
    validate = _Checker(checks)
    out = np.empty(rows[0].shape[0], dtype)
    for block in row_blocks(*rows[0].shape):
        row_block = [r[block] for r in rows]
        validate(row_block)
        out[block] = kernel(*row_block, *(f[block] for f in flat))
    shape = arrays[0].shape
    return out.reshape(shape[:axis] + shape[axis + 1 :])


def map_rows_in_blocks(kernel: Callable[[Array, Array], None], axis: int, x: Array) -> Array:
    """Apply a kernel that maps each row of ``x`` along ``axis`` to a row of the
    same length (softmax, log-softmax), block by block.

    ``kernel(rows, out)`` gets a block of rows, shape ``(n, C)``, and writes its
    result into ``out`` of the same shape (a slice of the result, so no block is
    copied twice). The result has ``x``'s shape and dtype; when ``axis`` is not the
    last one it is a view of the rows, with ``axis`` moved back into place.
    """
    rows = as_rows(x, axis)
    out = np.empty_like(rows)
    for block in row_blocks(*rows.shape):
        kernel(rows[block], out[block])
    moved = np.moveaxis(x, axis, -1).shape
    return np.moveaxis(out.reshape(moved), -1, axis)
