"""Argument checks shared by the public functions.

Every check raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind,
wrong value) with a message that names the argument, says what was expected and
shows what was given. Nothing here imports anything but numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

PADDING_WORDS = ("valid", "same")


def as_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a real numeric ndarray, or raise TypeError naming ``name``."""
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError) as exc:  # ragged nested lists, odd objects
            raise TypeError(
                f"{name} must be a numeric array; could not turn the given "
                f"{type(value).__name__} into one ({exc})"
            ) from None
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must hold real numbers (integers or floats); got an array of dtype "
            f"{arr.dtype} from a {type(value).__name__}"
        )
    return arr


def float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """The floating dtype of a result: float64 unless every input is a float type."""
    dtypes = [a.dtype for a in arrays if a is not None]
    dtype = np.result_type(*dtypes)
    if not np.issubdtype(dtype, np.floating):
        dtype = np.dtype(np.float64)
    return dtype


def positive_int(value, name: str) -> int:
    """A whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 1; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a whole number >= 1; got {value}")
    return int(value)


def pair(value, name: str, *, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair."""
    what = f"a whole number >= {minimum} or a pair of them"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        items = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        items = tuple(value)
    else:
        raise TypeError(f"{name} must be {what}; got {value!r}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"{name} must be {what}; got {value!r}")
        if item < minimum:
            raise ValueError(f"{name} must be {what}; got {value!r}")
    return int(items[0]), int(items[1])


def padding_amounts(
    padding, kernel_size: tuple[int, int], dilation: tuple[int, int], stride: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Resolve ``padding`` to ((top, bottom), (left, right)) zeros, PyTorch's way.

    ``"same"`` pads a total of ``d*(k-1)`` per axis, ``total // 2`` before and the
    rest after, so an even kernel gets its extra row/column at the bottom/right.
    """
    if isinstance(padding, str):
        word = padding.lower()
        if word not in PADDING_WORDS:
            raise ValueError(
                f"padding must be an int, a pair of ints, 'valid' or 'same'; got {padding!r}"
            )
        if word == "valid":
            return (0, 0), (0, 0)
        if stride != (1, 1):
            raise ValueError(
                "padding='same' needs stride=1 (as in PyTorch): with a stride the output "
                f"cannot match the input size; got stride={stride}"
            )
        amounts = []
        for k, d in zip(kernel_size, dilation, strict=True):
            total = d * (k - 1)
            amounts.append((total // 2, total - total // 2))
        return amounts[0], amounts[1]
    ph, pw = pair(padding, "padding", minimum=0)
    return (ph, ph), (pw, pw)


def check_fits(
    name: str,
    size: tuple[int, int],
    pads: tuple[tuple[int, int], tuple[int, int]],
    kernel: tuple[int, int],
    dilation: tuple[int, int],
) -> None:
    """Raise if the (dilated) kernel is larger than the padded input."""
    for axis, n, p, k, d in zip(("height", "width"), size, pads, kernel, dilation, strict=True):
        span = d * (k - 1) + 1
        if span > n + p[0] + p[1]:
            raise ValueError(
                f"the kernel is larger than the padded {name}: along the {axis} the kernel "
                f"spans {span} pixels (size {k}, dilation {d}) but the padded {name} has "
                f"only {n + p[0] + p[1]} ({n} + padding {p[0]}+{p[1]})"
            )


def image_batch(x, name: str = "x") -> tuple[np.ndarray, bool]:
    """``x`` as (N, C, H, W); also whether it came without a batch axis."""
    arr = as_array(x, name)
    if arr.ndim == 3:
        return arr[np.newaxis], True
    if arr.ndim == 4:
        return arr, False
    raise ValueError(
        f"{name} must have shape (C, H, W) or (N, C, H, W); got {arr.ndim} dimensions, "
        f"shape {arr.shape}"
    )


def bias_vector(bias, length: int, name: str = "bias") -> np.ndarray | None:
    """``bias`` as a 1-D array of ``length`` values, or None."""
    if bias is None:
        return None
    arr = as_array(bias, name)
    if arr.shape != (length,):
        raise ValueError(
            f"{name} must have shape ({length},), one value per output channel; "
            f"got shape {arr.shape}"
        )
    return arr
