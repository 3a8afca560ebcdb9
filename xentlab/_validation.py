"""Input checks shared by every public function.

Each check raises ``ValueError`` (values, shapes) or ``TypeError`` (dtypes)
with a message that names the argument, shows the offending value or shape
and says how to fix it. The kernels that follow a check can then be pure math.
"""

import warnings

import numpy as np

from ._blocks import row_blocks

REDUCTIONS = ("mean", "sum", "none")


def _first_index(mask):
    """Index (a tuple for n-d input, an int for 1-d) of the first True in ``mask``."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    index = np.unravel_index(flat, mask.shape)
    return int(index[0]) if len(index) == 1 else tuple(int(i) for i in index)


def _at(name, where):
    """``name[where]`` for an element of an array, plain ``name`` for a 0-d one."""
    return name if where == () else f"{name}[{where}]"


def _scalar(value):
    """A NumPy scalar as the Python number it holds, so messages read ``2.0``, not
    ``np.float64(2.0)``."""
    return value.item() if isinstance(value, np.generic) else value


def _as_numeric_array(x, name):
    """``np.asarray(x)``, checked to be a non-empty array of real numbers."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists, for one
        raise ValueError(
            f"{name} could not be converted to a numeric array ({exc}); pass an "
            "array or a rectangular nested list of numbers."
        ) from None
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype} "
            f"(first value {_scalar(arr.ravel()[0])!r} of shape {arr.shape}); convert it with "
            f"np.asarray({name}, dtype=float)."
            if arr.size
            else f"{name} must hold real numbers, got dtype {arr.dtype}; convert it with "
            f"np.asarray({name}, dtype=float)."
        )
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}); pass at least one value."
        )
    return arr


def _float_dtype(arr):
    """float16 computes as float32; float32 and float64 are kept."""
    return np.dtype(np.float32) if arr.dtype.itemsize <= 4 else arr.dtype


def as_float_array(x, name, *, dtype=None):
    """``x`` as a non-empty floating array.

    Integer and boolean input is promoted to float64, float16 to float32, and
    float32 / float64 are kept, so float32 in gives float32 out. ``dtype``, when
    given, overrides the choice (used to bring labels to the logits' dtype).
    """
    arr = _as_numeric_array(x, name)
    if dtype is None:
        dtype = _float_dtype(arr) if arr.dtype.kind == "f" else np.float64
    return arr.astype(dtype, copy=False)


def as_float_arrays(*named):
    """Several ``(value, name)`` inputs as float arrays of one common dtype.

    The dtype is the common one of the *floating* inputs, so integer or boolean
    targets next to float32 predictions stay float32 (they are exact in any
    float dtype); float64 when no input is floating.
    """
    arrays = [_as_numeric_array(x, name) for x, name in named]
    floats = [_float_dtype(a) for a in arrays if a.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    return [a.astype(dtype, copy=False) for a in arrays]


def result_dtype(*arrays):
    """Common float dtype of the arrays that are floating; float64 if none is."""
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    return np.result_type(*floats) if floats else np.dtype(np.float64)


def check_no_nan(arr, name):
    """Raise if ``arr`` holds a NaN, naming its first position."""
    # A sum is one fast pass and propagates NaN; only when it is not finite do we
    # pay for the exact (allocating) search, which also tells inf sums apart.
    if _sum_is_finite(arr):
        return
    mask = np.isnan(arr)
    if mask.any():
        raise ValueError(
            f"{name} contains NaN (first at index {_first_index(mask)}, "
            f"{int(mask.sum())} in all); remove or impute the NaN values first."
        )


def check_finite(arr, name):
    """Raise if ``arr`` holds NaN or +-inf, naming the first position."""
    # NaN and +-inf both make the sum non-finite: one pass for valid input, and the
    # exact searches (NaN first, as before) only when something is wrong.
    if _sum_is_finite(arr):
        return
    check_no_nan(arr, name)
    mask = np.isinf(arr)
    if mask.any():
        where = _first_index(mask)
        raise ValueError(
            f"{name} contains {_scalar(arr[np.unravel_index(mask.argmax(), arr.shape)])} at "
            f"index {where}; {name} must be finite (clip extreme values before the loss)."
        )


def _sum_is_finite(arr):
    # NaN and +-inf make the sum non-finite (a huge finite sum may too: then the
    # full check looks closer and finds nothing).
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(arr.sum()))


def block_check(check, arr, name):
    """``(is_fine, full_check)`` for checking ``arr`` block by block with
    ``_blocks.elementwise_in_blocks``: ``check`` is :func:`check_finite`,
    :func:`check_no_nan` or :func:`check_in_unit_interval`; ``is_fine`` is its fast
    test of one block, and ``full_check()`` runs it on the whole of ``arr`` so that
    any error names the position in ``arr``."""
    is_fine = _in_unit_interval_fast if check is check_in_unit_interval else _sum_is_finite
    return is_fine, lambda: check(arr, name)


def check_in_unit_interval(arr, name):
    """Raise unless every value of ``arr`` lies in [0, 1]."""
    if _in_unit_interval_fast(arr):
        return
    low, high = arr.min(), arr.max()
    if np.isnan(low) or np.isnan(high):  # min and max propagate NaN: no separate pass
        check_no_nan(arr, name)
    if low < 0 or high > 1:
        mask = (arr < 0) | (arr > 1)
        where = _first_index(mask)
        bad = _scalar(arr[np.unravel_index(mask.argmax(), arr.shape)])
        low, high = _scalar(low), _scalar(high)
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], but {_at(name, where)} = {bad!r} "
            f"(min {low!r}, max {high!r}). If these are raw scores (logits), use the "
            "..._with_logits function instead, or apply sigmoid/softmax first."
        )


def _in_unit_interval_fast(arr):
    """True if every value of a C-contiguous float32/float64 ``arr`` is surely in [0, 1].

    Non-negative floats sort like their bit patterns, and a negative sign or a NaN
    makes the pattern larger than that of 1.0: one integer max instead of a min, a
    max and a NaN scan. False means "look closer" (-0.0 is flagged too).
    """
    if arr.dtype not in (np.float32, np.float64) or not arr.flags.c_contiguous:
        return False
    bits = arr.view(np.uint64 if arr.dtype == np.float64 else np.uint32)
    return bool(bits.max() <= np.asarray(1.0, arr.dtype).view(bits.dtype))


def _sums_tolerance(dtype):
    """``check_sums_to_one``'s tolerance: relative ``sqrt(eps)``, absolute 1e-8."""
    return float(np.sqrt(np.finfo(dtype).eps)), 1e-8


def _sums_surely_one(sums, rtol, atol):
    # Two reductions instead of np.isclose's temporaries, with a safety margin
    # (NaN fails the comparison and takes the exact check).
    tol = 0.5 * (rtol + atol)
    return bool(sums.max() - 1.0 <= tol and 1.0 - sums.min() <= tol)


def probability_row_blocks(p, name):
    """Yield ``(rows, block)`` over an ``(N, C)`` C-contiguous probability matrix,
    each block checked as :func:`check_in_unit_interval` and
    :func:`check_sums_to_one` (along axis 1) would check it, before it is yielded.

    The two checks and the caller's own work then share one pass through memory:
    the caller reads a block while it is still in the cache. A block that fails the
    fast checks sends the whole array through the full checks, so the error (raised
    before the last block is yielded) or the warning is exactly theirs.
    """
    rtol, atol = _sums_tolerance(p.dtype)
    ones = np.ones(p.shape[1], p.dtype)
    in_unit_checked = sums_checked = False  # set once the whole array has been checked
    for rows in row_blocks(*p.shape):
        block = p[rows]
        if not in_unit_checked and not _in_unit_interval_fast(block):
            check_in_unit_interval(p, name)  # raises, unless the block only holds -0.0
            in_unit_checked = True
        # A product with ones: along a short axis several times faster than
        # block.sum(axis=1), and accurate far beyond the sqrt(eps) tolerance.
        if not sums_checked and not _sums_surely_one(block @ ones, rtol, atol):
            check_sums_to_one(p, name, 1, stacklevel=4)  # warns, naming the first bad row
            sums_checked = True
        yield rows, block


def check_sums_to_one(arr, name, axis, *, stacklevel=3):
    """Warn when the slices of ``arr`` along ``axis`` do not sum to 1.

    The tolerance is that of scikit-learn's ``log_loss``: relative
    ``sqrt(eps)`` of the dtype plus an absolute 1e-8 (``np.allclose``'s
    default), so both warn on the same inputs.
    """
    # einsum: several times faster than arr.sum along a short axis, and as accurate
    # as this sqrt(eps) tolerance needs.
    sums = np.einsum("...i->...", np.moveaxis(arr, axis, -1))
    rtol, atol = _sums_tolerance(arr.dtype)
    if _sums_surely_one(sums, rtol, atol):
        return
    off = ~np.isclose(sums, 1.0, rtol=rtol, atol=atol)
    if off.any():
        bad = float(np.asarray(sums)[np.unravel_index(off.argmax(), off.shape)])
        if off.ndim == 0:  # a single distribution: no position to name
            where = f"it sums to {bad:.6g}"
        else:
            where = (
                f"the sum at {_first_index(off)} is {bad:.6g} "
                f"({int(off.sum())} of {off.size} slices are off)"
            )
        warnings.warn(
            f"{name} does not sum to 1 along axis {axis}: {where}. Make sure to pass "
            "probabilities; normalise with p / p.sum(axis, keepdims=True) if that is meant.",
            UserWarning,
            stacklevel=stacklevel,
        )


def check_same_shape(a, b, name_a, name_b):
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a}.shape = "
            f"{a.shape} and {name_b}.shape = {b.shape}."
            + (
                f" {name_a} looks like integer class labels: pass them to the sparse_... "
                "function, or one-hot encode them first."
                if a.ndim == b.ndim - 1 and a.shape == b.shape[:-1]
                else ""
            )
        )


def check_ndim_at_least(arr, name, ndim):
    if arr.ndim < ndim:
        raise ValueError(
            f"{name} must have at least {ndim} dimension(s), got shape {arr.shape}; "
            "a single example of C class scores has shape (C,), a batch (N, C)."
        )


def normalize_axis(axis, ndim, name="axis"):
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{name} must be an int, got {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name}={axis} is out of bounds for an array of {ndim} dimension(s); "
            f"use an axis in [{-ndim}, {ndim - 1}]."
        )
    return int(axis) % ndim


def check_class_axis(arr, name, axis):
    """Normalise ``axis`` and check that the class axis has at least one class."""
    check_ndim_at_least(arr, name, 1)
    axis = normalize_axis(axis, arr.ndim)
    return axis


def as_class_labels(labels, name, n_classes, expected_shape):
    """Integer class labels in ``[0, n_classes)`` of shape ``expected_shape``.

    Integer dtypes are accepted as they are; floats only when every value is a
    whole number (as Keras allows), since 2.0 is unambiguous but 1.5 is not.
    """
    try:
        arr = np.asarray(labels)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} could not be converted to an array ({exc}).") from None
    if arr.dtype.kind == "b":
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be integer class indices, got dtype {arr.dtype}; map class "
            "names to 0..C-1 first (for example with np.unique(..., return_inverse=True))."
        )
    if arr.shape != tuple(expected_shape):
        hint = ""
        if arr.shape == tuple(expected_shape) + (n_classes,):
            hint = (
                f" {name} looks one-hot encoded: pass it to the non-sparse function, or "
                f"convert it with {name}.argmax(axis=-1)."
            )
        raise ValueError(
            f"{name} must have shape {tuple(expected_shape)} (one class index per "
            f"example), got shape {arr.shape}.{hint}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one label.")
    if arr.dtype.kind == "f":
        check_no_nan(arr, name)
        fractional = arr != np.round(arr)
        if fractional.any():
            where = _first_index(fractional)
            raise ValueError(
                f"{name} must hold whole-number class indices, but {_at(name, where)} = "
                f"{_scalar(arr[np.unravel_index(fractional.argmax(), arr.shape)])!r}; for "
                "probability targets use the non-sparse function."
            )
    low, high = arr.min(), arr.max()
    if low < 0 or high >= n_classes:
        bad_mask = (arr < 0) | (arr >= n_classes)
        where = _first_index(bad_mask)
        bad = _scalar(arr[np.unravel_index(bad_mask.argmax(), arr.shape)])
        hint = (
            " Your classes look coded from 1: subtract 1 from the labels."
            if low >= 1 and high == n_classes
            else ""
        )
        raise ValueError(
            f"{name} must be class indices in [0, {n_classes}) for {n_classes} classes, "
            f"but {_at(name, where)} = {bad!r} (min {_scalar(low)!r}, max {_scalar(high)!r})."
            f"{hint}"
        )
    return arr.astype(np.intp, copy=False)


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {REDUCTIONS}, got {reduction!r}."
        )


def as_sample_weight(sample_weight, n_samples, dtype):
    """A non-negative weight per example, or ``None``."""
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight", dtype=dtype)
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per example, "
            f"got shape {w.shape}."
        )
    check_finite(w, "sample_weight")
    if (w < 0).any():
        where = _first_index(w < 0)
        raise ValueError(
            f"sample_weight must be non-negative, but sample_weight[{where}] = "
            f"{_scalar(w[where])!r}."
        )
    if not (w > 0).any():
        raise ValueError(
            "sample_weight sums to zero, so the weighted mean is undefined; give at "
            "least one example a positive weight."
        )
    return w


def reduce_loss(per_example, reduction, sample_weight):
    """Apply ``reduction`` to per-example losses, weighting them if asked.

    ``"mean"`` with weights is the weighted mean ``sum(w * l) / sum(w)``, as in
    scikit-learn; ``"sum"`` is ``sum(w * l)``; ``"none"`` returns ``w * l``.
    The scalar results are NumPy scalars of the input's float dtype.
    """
    if sample_weight is not None:
        # Broadcast one weight per example (axis 0) over any trailing axes.
        w = sample_weight.reshape((-1,) + (1,) * (per_example.ndim - 1))
        weighted = per_example * w
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        return weighted.sum() / (np.broadcast_to(w, per_example.shape).sum())
    if reduction == "none":
        return per_example
    if reduction == "sum":
        return per_example.sum()
    return per_example.mean()


def check_base(base):
    """``log(base)`` for converting nats, or ``None`` for nats."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"base must be a positive number or None, got {_scalar(base)!r}.")
    if not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(
            f"base must be positive, finite and not 1, got {_scalar(base)!r}; use 2 for bits, "
            "np.e (or None) for nats, 10 for hartleys."
        )
    return float(np.log(base))


def check_nonnegative_scalar(value, name):
    if isinstance(value, bool) or not np.isscalar(value) or not np.isreal(value):
        raise TypeError(f"{name} must be a real number, got {_scalar(value)!r}.")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {_scalar(value)!r}.")
    return float(value)


def as_pos_weight(pos_weight, logits):
    """``pos_weight`` as finite, non-negative weights in ``logits``' dtype that
    broadcast to ``logits``' shape without enlarging it."""
    q = as_float_array(pos_weight, "pos_weight", dtype=logits.dtype)
    check_finite(q, "pos_weight")
    if (q < 0).any():
        where = _first_index(q < 0) if q.ndim else ()
        raise ValueError(
            f"pos_weight must be >= 0, got {_scalar(q[where])!r}"
            + (f" at index {where}" if q.ndim else "")
            + "; it multiplies the loss of the positive labels (use n_negative / "
            "n_positive for balance)."
        )
    try:
        fits = np.broadcast_shapes(q.shape, logits.shape) == logits.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"pos_weight of shape {q.shape} does not broadcast to logits of shape "
            f"{logits.shape}; pass a scalar or one weight per class (shape "
            f"({logits.shape[-1] if logits.ndim else 1},))."
        )
    return q
