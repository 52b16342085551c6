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


# ---- pictures ------------------------------------------------------------------------
#: The smallest and largest side of a picture given as an array to a widget: the
#: largest kernel (7x7) must fit with room to spare, and every map is shipped to the page.
PICTURE_SIDES = (8, 512)

#: Integer dtypes with a fixed full scale: the value that means "full colour".
PICTURE_FULL_SCALE = {np.dtype(np.uint8): 255, np.dtype(np.uint16): 65535}

#: How far outside [0, 1] a value may stray (rounding) before it is refused; it is clipped.
PICTURE_SLACK = 1e-6


def _shape_text(shape) -> str:
    return f"shape {tuple(shape)}"


def picture(value, name: str = "image") -> np.ndarray:
    """A picture given as numbers -> float64 ``(C, H, W)``, ``C`` 1 (grey) or 3 (RGB), in [0, 1].

    What is taken, and how (anything else raises ``TypeError`` or ``ValueError`` naming
    ``name``, what was expected and what was given):

    * kinds: a numpy array, a masked array with no masked pixel, nested lists, a CPU
      ``torch`` tensor (any object with ``.detach().cpu().numpy()``);
    * dtypes: ``uint8`` is divided by 255 and ``uint16`` by 65535 (8- and 16-bit
      pictures); ``bool`` is 0 or 1; every other integer and float dtype is taken as it
      is and must lie in [0, 1]. Complex numbers, strings and objects are refused;
    * shapes: ``(3, H, W)`` (RGB, channels first, as PyTorch), ``(H, W, 3)`` (channels
      last, as Pillow and matplotlib), ``(H, W)``, ``(1, H, W)`` or ``(H, W, 1)`` (grey).
      ``H`` and ``W`` from 8 to 512 (:data:`PICTURE_SIDES`). A leading axis of 3 (or 1)
      is read as the channels; so is a last one otherwise;
    * values: finite (no NaN, no infinity) and in [0, 1] after the scaling above
      (:data:`PICTURE_SLACK` of rounding is clipped away).

    The result is a new array: changing ``value`` later does not change it.

    >>> picture(np.full((8, 8, 3), 255, dtype=np.uint8)).shape
    (3, 8, 8)
    >>> float(picture(np.full((8, 8), 128, dtype=np.uint8)).max()) == 128 / 255
    True
    """
    kind = type(value).__name__
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, duck-typed
        try:
            value = value.detach().cpu().numpy()
        except (RuntimeError, TypeError, ValueError) as exc:
            raise TypeError(
                f"{name}: the {kind} given could not be turned into a numpy array ({exc}); "
                "give a CPU tensor of real numbers"
            ) from None
    if np.ma.isMaskedArray(value):
        hidden = int(np.ma.count_masked(value))
        if hidden:
            raise ValueError(
                f"{name} must have a value at every pixel; got a masked array with {hidden:,} "
                "masked value(s) (fill them first, e.g. image.filled(0))"
            )
        value = np.ma.getdata(value)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists, odd objects
        raise TypeError(
            f"{name} must be a picture: an array of numbers; could not turn the given "
            f"{kind} into one ({exc})"
        ) from None
    dtype = arr.dtype
    if dtype.kind not in "biuf":  # bool, signed and unsigned integers, floats
        what = "complex numbers" if np.issubdtype(dtype, np.complexfloating) else f"dtype {dtype}"
        raise TypeError(
            f"{name} must hold real numbers (a picture's values from 0 to 1, or 0 to 255 as "
            f"uint8); got {what} from a {kind}"
        )
    shape = arr.shape
    expected = "(3, H, W) (RGB, channels first), (H, W, 3) (channels last) or (H, W) (grey)"
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    elif arr.ndim == 3 and shape[0] in (1, 3):
        pass
    elif arr.ndim == 3 and shape[-1] in (1, 3):
        arr = np.moveaxis(arr, -1, 0)
    elif arr.ndim == 3 and 4 in (shape[0], shape[-1]):
        raise ValueError(
            f"{name} must have shape {expected}; got {_shape_text(shape)}: 4 channels. "
            "If the fourth is alpha (RGBA), drop it: image[:3] or image[..., :3]"
        )
    elif arr.ndim == 3:
        raise ValueError(f"{name} must have shape {expected}; got {_shape_text(shape)}")
    elif arr.ndim == 4:
        raise ValueError(
            f"{name} must be one picture, of shape {expected}; got 4 dimensions, "
            f"{_shape_text(shape)} (a batch? give one picture of it, e.g. image[0])"
        )
    else:
        raise ValueError(
            f"{name} must be a picture of shape {expected}; got {arr.ndim} dimension(s), "
            f"{_shape_text(shape)}"
        )
    low, high = PICTURE_SIDES
    h, w = arr.shape[1:]
    if not (low <= h <= high and low <= w <= high):
        raise ValueError(
            f"{name} must have shape {expected}, with H and W from {low} to {high} pixels; "
            f"got {_shape_text(shape)}: {h}×{w} pixels"
            + (
                " (make it smaller, e.g. with ct.data.load_image(path, size=96))"
                if max(h, w) > high
                else ""
            )
        )
    scale = PICTURE_FULL_SCALE.get(np.dtype(dtype))
    out = arr.astype(np.float64)  # a new array, C order
    finite = np.isfinite(out)
    if not finite.all():
        nan = int(np.isnan(out).sum())
        raise ValueError(
            f"{name} must hold finite numbers; got {nan:,} NaN and "
            f"{out.size - int(finite.sum()) - nan:,} infinite value(s) among {out.size:,}"
        )
    if scale is not None:
        out /= scale
    lo, hi = float(out.min()), float(out.max())
    if lo < -PICTURE_SLACK or hi > 1 + PICTURE_SLACK:
        if 0 <= lo and hi <= 255:
            hint = " Values from 0 to 255? Divide them by 255 (or give them as uint8)."
        elif lo < 0:
            hint = " A normalised picture (mean 0)? Undo the normalisation first."
        else:
            hint = " Values from 0 to 65535? Give them as uint16 or divide by 65535."
        raise ValueError(
            f"{name} must hold values from 0 to 1 (0 dark, 1 full colour; uint8 from 0 to "
            f"255); got values from {lo:g} to {hi:g} (dtype {dtype}).{hint}"
        )
    np.clip(out, 0.0, 1.0, out=out)
    return np.ascontiguousarray(out)
