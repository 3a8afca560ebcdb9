"""Input checks shared by every public function.

Each check raises ``ValueError`` (values, shapes) or ``TypeError`` (dtypes and
kinds) with a message that names the argument, shows the offending value or
shape and says how to fix it. The kernels that follow a check can then be pure
math. Options (``eps``, ``reduction``, ``n_bins``, ...) all go through
:func:`check_option`, so one kind of mistake reads the same everywhere.

Checks are plain functions of an array. The block loops of ``_blocks`` run them
as the blocks go by, through the *block checks* built here (``..._by_blocks``):
a fast test of one block, and the full check to run on the whole array when a
block fails it.
"""

from __future__ import annotations

import numbers
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[Any]
BlockCheck = tuple[int, Callable[[Array], bool], Callable[[], None]]

REDUCTIONS = ("mean", "sum", "none")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


# ------------------------------------------------------------ messages, warnings


def show(value: object) -> str:
    """A value as a message shows it: ``2.0``, not ``np.float64(2.0)``; arrays by shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def show_with_type(value: object) -> str:
    shown = show(value)
    if value is None or isinstance(value, np.ndarray):
        return shown
    return f"{shown} ({type(value).__name__})"


def warn(message: str) -> None:
    """``warnings.warn(message, UserWarning)``, attributed to the first caller outside xentlab.

    Public functions call each other and the block loops, so a fixed ``stacklevel``
    would point into xentlab for some entry points; walking the stack to the
    user's frame points every warning at the line that called xentlab.
    """
    frame: FrameType | None = sys._getframe(0)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, UserWarning, stacklevel=level)


# ----------------------------------------------------------------------- options


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"finite and {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"finite and {'<' if high_open else '<='} {high:g}"
    return "finite"


def check_option(
    name: str,
    value: Any,
    *,
    choices: Sequence[Any] | None = None,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
    hint: str = "",
) -> Any:
    """Check one option and return it in canonical form; the one validator of options.

    With ``choices`` the option must be one of them (strings, or ``(True,
    False)`` for a flag, which then also accepts ``np.bool_``). Otherwise it is a
    number: any real number (Python, NumPy, ``fractions.Fraction``; only integers
    when ``integer``), finite, within ``[low, high]`` (ends excluded when
    ``low_open`` / ``high_open``), returned as ``float`` (or ``int``). Bools,
    complex numbers, strings, arrays and ``None`` (unless ``allow_none``) raise
    ``TypeError``; a number out of range or NaN raises ``ValueError``. ``hint``
    follows the ``ValueError`` message.
    """
    if value is None and allow_none:
        return None
    suffix = f"; {hint}" if hint else "."
    if choices is not None:
        return _check_choice(name, value, choices, allow_none, suffix)
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        what += " or None" if allow_none else ""
        raise TypeError(f"{name} must be {what}, got {show_with_type(value)}.")
    given: Any = value  # a numbers.Real: int() and float() take any of them
    try:
        number = int(given) if integer else float(given)
        fine = bool(np.isfinite(float(number)))
    except OverflowError:  # a Python int beyond the float range
        number, fine = given, False
    if fine and low is not None:
        fine = number > low if low_open else number >= low
    if fine and high is not None:
        fine = number < high if high_open else number <= high
    if not fine:
        raise ValueError(
            f"{name} must be {_range_text(low, high, low_open, high_open)}, got "
            f"{show(value)}{suffix}"
        )
    return number


def _check_choice(
    name: str, value: Any, choices: Sequence[Any], allow_none: bool, suffix: str
) -> Any:
    flag = all(isinstance(c, bool) for c in choices)
    if flag:
        if isinstance(value, (bool, np.bool_)) and bool(value) in choices:
            return bool(value)
        listing = "True or False" + (" or None" if allow_none else "")
        raise TypeError(f"{name} must be {listing}, got {show_with_type(value)}.")
    if isinstance(value, str) and value in choices:
        return value
    error = ValueError if isinstance(value, str) else TypeError
    listing = repr(tuple(choices)) + (" or None" if allow_none else "")
    shown = show(value) if isinstance(value, str) else show_with_type(value)
    raise error(f"{name} must be one of {listing}, got {shown}{suffix}")


def only_with_logits(**options: Any) -> None:
    """Raise if an option of the losses from logits is given without ``from_logits=True``."""
    for name, value in options.items():
        if value is not None and not (name == "z_loss" and value == 0):
            raise ValueError(
                f"{name} is an option of the loss from logits; pass from_logits=True with "
                "logits as y_pred (it needs the scores, not probabilities)."
            )


def check_reduction(reduction: Any) -> str:
    return str(check_option("reduction", reduction, choices=REDUCTIONS))


def check_base(base: Any) -> float | None:
    """``log(base)`` for converting nats, or ``None`` for nats."""
    value = check_option(
        "base",
        base,
        low=0,
        low_open=True,
        allow_none=True,
        hint="use 2 for bits, np.e (or None) for nats, 10 for hartleys.",
    )
    if value is None:
        return None
    if value == 1:
        raise ValueError(
            "base must not be 1 (log 1 = 0); use 2 for bits, np.e (or None) for nats, "
            "10 for hartleys."
        )
    return float(np.log(value))


# ------------------------------------------------------------------------ arrays


def _first_index(mask: Array) -> int | tuple[int, ...]:
    """Index (a tuple for n-d input, an int for 1-d) of the first True in ``mask``."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    index = np.unravel_index(flat, mask.shape)
    return int(index[0]) if len(index) == 1 else tuple(int(i) for i in index)


def _first_value(arr: Array, mask: Array) -> str:
    """The value of ``arr`` at the first True of ``mask``, as a message shows it."""
    return show(arr[np.unravel_index(int(mask.argmax()), arr.shape)])


def _at(name: str, where: int | tuple[int, ...]) -> str:
    """``name[where]`` for an element of an array, plain ``name`` for a 0-d one."""
    return name if where == () else f"{name}[{where}]"


def as_array(x: ArrayLike, name: str) -> Array:
    """``np.asarray(x)``, with a message naming ``name`` when NumPy cannot make one."""
    if isinstance(x, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array; xentlab does not read masks. Pass "
            f"{name}.filled(value) or {name}.compressed(), or mask classes with -inf logits."
        )
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists, for one
        raise ValueError(
            f"{name} could not be converted to a numeric array ({exc}); pass an "
            "array or a rectangular nested list of numbers."
        ) from None


def _as_numeric_array(x: ArrayLike, name: str) -> Array:
    """``np.asarray(x)``, checked to be a non-empty array of real numbers."""
    arr = as_array(x, name)
    if arr.dtype.kind not in "biuf" or arr.dtype == np.longdouble != np.float64:
        first = f" (first value {show(arr.ravel()[0])} of shape {arr.shape})" if arr.size else ""
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}{first}; convert it with "
            f"np.asarray({name}, dtype=float) (float16, float32 and float64 are kept)."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one value.")
    return arr


def _float_dtype(arr: Array) -> np.dtype[Any]:
    """float16 computes as float32; float32 and float64 are kept."""
    return np.dtype(np.float32) if arr.dtype.itemsize <= 4 else np.dtype(np.float64)


def as_float_array(x: ArrayLike, name: str, *, dtype: Any = None) -> Array:
    """``x`` as a non-empty floating array in native byte order.

    Integer and boolean input is promoted to float64, float16 to float32, and
    float32 / float64 are kept, so float32 in gives float32 out. ``dtype``, when
    given, overrides the choice (used to bring labels to the logits' dtype).
    """
    arr = _as_numeric_array(x, name)
    if dtype is None:
        dtype = _float_dtype(arr) if arr.dtype.kind == "f" else np.float64
    return arr.astype(np.dtype(dtype).newbyteorder("="), copy=False)


def as_float_arrays(*named: tuple[ArrayLike, str]) -> list[Array]:
    """Several ``(value, name)`` inputs as float arrays of one common dtype.

    The dtype is the common one of the *floating* inputs, so integer or boolean
    targets next to float32 predictions stay float32 (they are exact in any
    float dtype); float64 when no input is floating.
    """
    arrays = [_as_numeric_array(x, name) for x, name in named]
    floats = [_float_dtype(a) for a in arrays if a.dtype.kind == "f"]
    dtype = np.result_type(*floats) if floats else np.dtype(np.float64)
    return [a.astype(dtype, copy=False) for a in arrays]


def _sum_is_finite(arr: Array) -> bool:
    # NaN and +-inf make the sum non-finite (a huge finite sum may too: then the
    # full check looks closer and finds nothing). One fast pass for valid input.
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(arr.sum()))


def check_no_nan(arr: Array, name: str) -> None:
    """Raise if ``arr`` holds a NaN, naming its first position."""
    if _sum_is_finite(arr):
        return
    mask = np.isnan(arr)
    if mask.any():
        raise ValueError(
            f"{name} contains NaN (first at index {_first_index(mask)}, "
            f"{int(mask.sum())} in all); remove or impute the NaN values first."
        )


def check_finite(arr: Array, name: str) -> None:
    """Raise if ``arr`` holds NaN or +-inf, naming the first position."""
    if _sum_is_finite(arr):
        return
    check_no_nan(arr, name)
    mask = np.isinf(arr)
    if mask.any():
        raise ValueError(
            f"{name} contains {_first_value(arr, mask)} at index {_first_index(mask)}; "
            f"{name} must be finite (clip extreme values before the loss)."
        )


def _in_unit_interval_fast(arr: Array) -> bool:
    """True if every value of a C-contiguous float32/float64 ``arr`` is surely in [0, 1].

    Non-negative floats sort like their bit patterns, and a negative sign or a NaN
    makes the pattern larger than that of 1.0: one integer max instead of a min, a
    max and a NaN scan. False means "look closer" (-0.0 is flagged too).
    """
    if arr.dtype not in (np.float32, np.float64) or not arr.flags.c_contiguous:
        return False
    bits = arr.view(np.uint64 if arr.dtype == np.float64 else np.uint32)
    return bool(bits.max() <= np.asarray(1.0, arr.dtype).view(bits.dtype))


def check_in_unit_interval(arr: Array, name: str) -> None:
    """Raise unless every value of ``arr`` lies in [0, 1]."""
    if _in_unit_interval_fast(arr):
        return
    low, high = arr.min(), arr.max()
    if np.isnan(low) or np.isnan(high):  # min and max propagate NaN: no separate pass
        check_no_nan(arr, name)
    if low < 0 or high > 1:
        mask = (arr < 0) | (arr > 1)
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], but "
            f"{_at(name, _first_index(mask))} = {_first_value(arr, mask)} "
            f"(min {show(low)}, max {show(high)}). If these are raw scores (logits), use the "
            "..._with_logits function instead, or apply sigmoid/softmax first."
        )


def _sums_tolerance(dtype: np.dtype[Any]) -> tuple[float, float]:
    """``check_sums_to_one``'s tolerance: relative ``sqrt(eps)``, absolute 1e-8."""
    return float(np.sqrt(np.finfo(dtype).eps)), 1e-8


def _sums_surely_one(sums: Array, rtol: float, atol: float) -> bool:
    # Two reductions instead of np.isclose's temporaries, with a safety margin
    # (NaN fails the comparison and takes the exact check).
    tol = 0.5 * (rtol + atol)
    return bool(sums.max() - 1.0 <= tol and 1.0 - sums.min() <= tol)


def check_sums_to_one(arr: Array, name: str, axis: int) -> None:
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
        bad = float(np.asarray(sums)[np.unravel_index(int(off.argmax()), off.shape)])
        if off.ndim == 0:  # a single distribution: no position to name
            where = f"it sums to {bad:.6g}"
        else:
            where = (
                f"the sum at {_first_index(off)} is {bad:.6g} "
                f"({int(off.sum())} of {off.size} slices are off)"
            )
        warn(
            f"{name} does not sum to 1 along axis {axis}: {where}. Make sure to pass "
            "probabilities; normalise with p / p.sum(axis, keepdims=True) if that is meant."
        )


# ------------------------------------------------ the same checks, block by block


def finite_by_blocks(arr: Array, name: str, position: int) -> BlockCheck:
    """:func:`check_finite` of ``arr``, the argument at ``position``, block by block."""
    return position, _sum_is_finite, lambda: check_finite(arr, name)


def no_nan_by_blocks(arr: Array, name: str, position: int) -> BlockCheck:
    """:func:`check_no_nan` of ``arr``, block by block."""
    return position, _sum_is_finite, lambda: check_no_nan(arr, name)


def in_unit_interval_by_blocks(arr: Array, name: str, position: int) -> BlockCheck:
    """:func:`check_in_unit_interval` of ``arr``, block by block."""
    return position, _in_unit_interval_fast, lambda: check_in_unit_interval(arr, name)


def rows_sum_to_one_by_blocks(arr: Array, name: str, position: int) -> BlockCheck:
    """:func:`check_sums_to_one` of the rows of a ``(N, C)`` ``arr``, block by block."""
    rtol, atol = _sums_tolerance(arr.dtype)
    ones = np.ones(arr.shape[1], arr.dtype)

    def is_fine(block: Array) -> bool:
        # A product with ones: along a short axis several times faster than
        # block.sum(axis=1), and accurate far beyond the sqrt(eps) tolerance.
        return _sums_surely_one(block @ ones, rtol, atol)

    return position, is_fine, lambda: check_sums_to_one(arr, name, 1)


# ---------------------------------------------------------------- shapes, axes


def check_same_shape(a: Array, b: Array, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        hint = ""
        if a.ndim == b.ndim - 1 and a.shape == b.shape[:-1]:
            hint = (
                f" {name_a} looks like integer class labels: pass them to the sparse_... "
                "function, or one-hot encode them first."
            )
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {name_a}.shape = "
            f"{a.shape} and {name_b}.shape = {b.shape}.{hint}"
        )


def check_ndim_at_least(arr: Array, name: str, ndim: int) -> None:
    if arr.ndim < ndim:
        raise ValueError(
            f"{name} must have at least {ndim} dimension(s), got shape {arr.shape}; "
            "a single example of C class scores has shape (C,), a batch (N, C)."
        )


def normalize_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    value = int(check_option(name, axis, integer=True))
    if not -ndim <= value < ndim:
        raise ValueError(
            f"{name}={value} is out of bounds for an array of {ndim} dimension(s); "
            f"use an axis in [{-ndim}, {ndim - 1}]."
        )
    return value % ndim


def check_class_axis(arr: Array, name: str, axis: Any) -> int:
    """Normalise ``axis``, checking that ``arr`` has one."""
    check_ndim_at_least(arr, name, 1)
    return normalize_axis(axis, arr.ndim)


def batch_shape(arr: Array, axis: int) -> tuple[int, ...]:
    """``arr``'s shape without ``axis``: the shape of one label or loss per example."""
    return arr.shape[:axis] + arr.shape[axis + 1 :]


# ---------------------------------------------------------------------- labels


def _check_whole_numbers(arr: Array, name: str) -> None:
    check_finite(arr, name)
    fractional = arr != np.round(arr)
    if fractional.any():
        raise ValueError(
            f"{name} must hold whole-number class indices, but "
            f"{_at(name, _first_index(fractional))} = {_first_value(arr, fractional)}; for "
            "probability targets use the non-sparse function."
        )


def as_class_labels(
    labels: ArrayLike,
    name: str,
    n_classes: int,
    expected_shape: Sequence[int],
    *,
    ignore_index: int | None = None,
) -> Array:
    """Integer class labels in ``[0, n_classes)`` of shape ``expected_shape``.

    Integer dtypes are accepted as they are; floats only when every value is a
    whole number (as Keras allows), since 2.0 is unambiguous but 1.5 is not.
    Labels equal to ``ignore_index`` are accepted whatever their value and become 0
    (the caller masks them out).
    """
    arr = as_array(labels, name)
    if ignore_index is not None and arr.dtype.kind in "iuf" and arr.size:
        arr = np.where(arr == ignore_index, 0, arr)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.intp)
    if arr.dtype.kind not in "iuf" or arr.dtype == np.longdouble != np.float64:
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
        _check_whole_numbers(arr, name)
    low, high = arr.min(), arr.max()
    if low < 0 or high >= n_classes:
        bad = (arr < 0) | (arr >= n_classes)
        hint = (
            " Your classes look coded from 1: subtract 1 from the labels."
            if low >= 1 and high == n_classes
            else ""
        )
        raise ValueError(
            f"{name} must be class indices in [0, {n_classes}) for {n_classes} classes, "
            f"but {_at(name, _first_index(bad))} = {_first_value(arr, bad)} "
            f"(min {show(low)}, max {show(high)}).{hint}"
        )
    return arr.astype(np.intp, copy=False)


# ------------------------------------------------------- weights and reductions


def _check_non_negative(w: Array, name: str, hint: str = "") -> None:
    check_finite(w, name)
    negative = w < 0
    if negative.any():
        raise ValueError(
            f"{name} must be non-negative, but {_at(name, _first_index(negative))} = "
            f"{_first_value(w, negative)}{'; ' + hint if hint else '.'}"
        )


def as_sample_weight(sample_weight: ArrayLike | None, n_samples: int, dtype: Any) -> Array | None:
    """A finite, non-negative weight per example, not all zero; or ``None``."""
    if sample_weight is None:
        return None
    w = as_float_array(sample_weight, "sample_weight", dtype=dtype)
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per example, "
            f"got shape {w.shape}."
        )
    _check_non_negative(w, "sample_weight")
    if not (w > 0).any():
        raise ValueError(
            "sample_weight sums to zero, so the weighted mean is undefined; give at "
            "least one example a positive weight."
        )
    return w


def as_class_weight(class_weight: ArrayLike | None, n_classes: int, dtype: Any) -> Array | None:
    """One finite, non-negative weight per class, or ``None``."""
    if class_weight is None:
        return None
    w = as_float_array(class_weight, "class_weight", dtype=dtype)
    if w.shape != (n_classes,):
        raise ValueError(
            f"class_weight must have one weight per class, shape ({n_classes},), got "
            f"shape {w.shape}."
        )
    _check_non_negative(
        w, "class_weight", "a common choice is n_samples / (n_classes * np.bincount(y))."
    )
    return w


def as_pos_weight(pos_weight: ArrayLike, logits: Array) -> Array:
    """``pos_weight`` as finite, non-negative weights in ``logits``' dtype that
    broadcast to ``logits``' shape without enlarging it."""
    q = as_float_array(pos_weight, "pos_weight", dtype=logits.dtype)
    _check_non_negative(
        q,
        "pos_weight",
        "it multiplies the loss of the positive labels (use n_negative / n_positive for balance).",
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


def weighted(per_example: Array, sample_weight: Array | None) -> Array:
    """``per_example * w`` with one weight per example along axis 0; weight 0 gives 0.

    A zero weight excludes its example even where the loss is infinite (0 x inf
    would be NaN).
    """
    if sample_weight is None:
        return per_example
    w = sample_weight.reshape((-1,) + (1,) * (per_example.ndim - 1))
    # A product beyond the float range is inf, its correctly rounded value: no warning.
    with np.errstate(invalid="ignore", over="ignore"):
        return np.where(w == 0, 0, per_example * w).astype(per_example.dtype, copy=False)


def _weighted_mean(per_example: Array, sample_weight: Array | None) -> Array:
    """``sum(w * l) / sum(w)`` (``mean(l)`` without weights), even where the sums overflow.

    The fast sums serve every loss and weight of moderate size. When one of them
    overflows (losses or weights near the float maximum), the mean is recomputed
    with the losses divided by the largest finite one and the weights by the
    largest weight: the mean is the same, and finite when every loss is.
    """
    shape = per_example.shape
    with np.errstate(over="ignore", invalid="ignore"):
        if sample_weight is None:
            out = per_example.mean()
            if np.isfinite(out) or not np.isfinite(per_example).all():
                return out
        else:
            w = sample_weight.reshape((-1,) + (1,) * (per_example.ndim - 1))
            total = weighted(per_example, sample_weight).sum()
            weight_sum = np.broadcast_to(w, shape).sum()
            if np.isfinite(total) and np.isfinite(weight_sum):
                return total / weight_sum
        finite = np.abs(per_example[np.isfinite(per_example)])
        scale = finite.max() if finite.size and finite.max() > 0 else per_example.dtype.type(1)
        losses = per_example / scale
        if sample_weight is None:
            return losses.mean() * scale
        ws = sample_weight / sample_weight.max()
        w = ws.reshape((-1,) + (1,) * (per_example.ndim - 1))
        return weighted(losses, ws).sum() / np.broadcast_to(w, shape).sum() * scale


def reduce_loss(per_example: Array, reduction: str, sample_weight: Array | None) -> Array:
    """Apply ``reduction`` to per-example losses, weighting them if asked.

    ``"mean"`` with weights is the weighted mean ``sum(w * l) / sum(w)``, as in
    scikit-learn; ``"sum"`` is ``sum(w * l)``; ``"none"`` returns ``w * l``.
    The scalar results are NumPy scalars of the input's float dtype. A sum beyond
    the float range is ``inf`` (its correctly rounded value, without a warning);
    a mean of finite losses is finite, however large the losses or weights.
    """
    losses = weighted(per_example, sample_weight)
    if reduction == "none":
        return losses
    if reduction == "sum":
        with np.errstate(over="ignore"):
            return losses.sum()
    return _weighted_mean(per_example, sample_weight)


def batch_sample_weight(sample_weight: ArrayLike | None, per_example: Array) -> Array | None:
    """:func:`as_sample_weight` for these per-example losses (which must be a batch)."""
    n = per_example.shape[0] if per_example.ndim else 1
    w = as_sample_weight(sample_weight, n, per_example.dtype)
    if w is not None and per_example.ndim == 0:
        raise ValueError(
            "sample_weight needs a batch: the inputs hold a single example; pass a "
            "batch of shape (N, ...) or drop sample_weight."
        )
    return w


def finish_loss(per_example: Array, reduction: Any, sample_weight: ArrayLike | None) -> Any:
    """Check ``reduction`` and ``sample_weight``, then :func:`reduce_loss` (a NumPy scalar
    for ``"mean"`` and ``"sum"``)."""
    reduction = check_reduction(reduction)
    return reduce_loss(per_example, reduction, batch_sample_weight(sample_weight, per_example))[()]


def reduce_counted(
    per_example: Array, counted: Array, reduction: str, sample_weight: ArrayLike | None
) -> Any:
    """``reduction`` of losses of which each counts ``counted`` times in the mean.

    ``"mean"`` is ``sum(s * l) / sum(s * counted)`` (PyTorch's weighted mean, with
    sample weights ``s``): an ignored target, a masked example or a class weight of 0
    counts 0 times. It raises rather than return 0 / 0 when nothing counts.
    """
    s = batch_sample_weight(sample_weight, per_example)
    losses = weighted(per_example, s)
    if reduction == "none":
        return losses[()]
    with np.errstate(over="ignore", invalid="ignore"):  # beyond the float range: inf
        total = losses.sum()
        if reduction == "sum":
            return total[()]
        denominator = weighted(counted, s).sum()
        if denominator == 0:
            raise ValueError(
                "no target counts towards the mean: every one is ignored (ignore_index), "
                "masked (where) or has weight 0, so the mean is 0 / 0. Use reduction='sum' "
                "(which gives 0) or check how the batch was built."
            )
        return (total / denominator)[()]


def as_mask(where: ArrayLike | None, shape: tuple[int, ...], axis: int | None) -> Array | None:
    """A boolean mask broadcast to ``shape``, or ``None``.

    With a class ``axis``, a mask with one dimension fewer than ``shape`` is one
    flag per example and is expanded along that axis (optax's convention).
    """
    if where is None:
        return None
    mask = as_array(where, "where")
    if mask.dtype.kind != "b":
        raise TypeError(
            f"where must be a boolean mask (True = include), got dtype {mask.dtype}; "
            "build it with a comparison, for example labels != pad_id."
        )
    if axis is not None and mask.ndim == len(shape) - 1:
        mask = np.expand_dims(mask, axis)
    try:
        return np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(
            f"where of shape {mask.shape} does not broadcast to shape {shape}; pass one flag "
            "per example or per entry."
        ) from None


def check_logits(x: Array, name: str) -> None:
    """Raise on NaN or +inf; ``-inf`` is allowed (it masks a class: probability 0)."""
    if _sum_is_finite(x):
        return
    check_no_nan(x, name)
    positive = np.isposinf(x)
    if positive.any():
        raise ValueError(
            f"{name} contains +inf at index {_first_index(positive)}; a logit must be finite, "
            f"or -inf to mark an impossible class. Clip {name} to a finite range first."
        )


def check_class_logits(x: Array, name: str, axis: int) -> bool:
    """:func:`check_logits`, and every slice along ``axis`` keeps a finite logit.

    Returns whether ``x`` holds ``-inf`` (masked classes); one sum for finite input.
    """
    if _sum_is_finite(x):
        return False
    check_logits(x, name)
    if np.isneginf(x).all(axis=axis).any():
        raise all_minus_inf_error(name)
    return True


def logits_by_blocks(arr: Array, name: str, position: int, seen: list[bool]) -> BlockCheck:
    """:func:`check_logits` of ``arr``, block by block; ``seen`` becomes ``[True]`` when
    ``arr`` holds ``-inf`` (a block whose sum is not finite passed the full check)."""

    def full() -> None:
        check_logits(arr, name)
        seen[:] = [True]

    return position, _sum_is_finite, full


def all_minus_inf_error(name: str) -> ValueError:
    return ValueError(
        f"{name} has a slice along the class axis whose entries are all -inf, so its "
        "softmax is undefined (0 / 0); give every example one possible class, or pass "
        "where= to leave such examples out."
    )


def as_masked_logits(
    logits: ArrayLike, axis: Any, where: ArrayLike | None, name: str = "logits"
) -> tuple[Array, int, Array | None]:
    """Float logits with masked entries set to -inf, the class axis, and the rows that
    keep at least one class (``None`` when nothing is masked)."""
    x = as_float_array(logits, name)
    axis = check_class_axis(x, name, axis)
    mask = as_mask(where, x.shape, axis)
    check_logits(x, name)
    if mask is not None:
        x = np.where(mask, x, x.dtype.type(-np.inf))
    live = np.isfinite(x).any(axis=axis)
    if mask is None and not live.all():
        raise all_minus_inf_error(name)
    return x, axis, (None if live.all() else live)
