"""Evaluate an elementwise kernel block by block, so its temporaries stay small.

A kernel written as a few NumPy expressions allocates a full-size temporary
for each of them. Run on blocks of rows instead, those temporaries are the size
of one block (they stay in the cache, and are reused), and the result is the
only full-size allocation. Elementwise kernels give the same bits either way.
"""

import numpy as np

# 64 Ki elements (512 KiB of float64) a block: small enough for the cache,
# large enough that the per-block Python overhead is negligible.
BLOCK_ELEMENTS = 1 << 16


def elementwise_in_blocks(kernel, shape, dtype, *arrays):
    """``kernel(*arrays)``, evaluated on blocks of rows along axis 0.

    Every array must broadcast to ``shape``; each is broadcast as a view and
    sliced along axis 0, so nothing is copied. Small inputs, and inputs with a
    single row, go to the kernel whole.
    """
    n_elements = int(np.prod(shape, dtype=np.int64))
    if len(shape) == 0 or shape[0] < 2 or n_elements <= BLOCK_ELEMENTS:
        return kernel(*arrays)
    row_size = max(1, n_elements // shape[0])
    step = max(1, BLOCK_ELEMENTS // row_size)
    views = [np.broadcast_to(a, shape) for a in arrays]
    out = np.empty(shape, dtype)
    for start in range(0, shape[0], step):
        rows = slice(start, start + step)
        out[rows] = kernel(*(v[rows] for v in views))
    return out
