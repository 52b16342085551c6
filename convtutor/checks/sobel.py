"""Checks for notebook 05, Sobel and spatial separability.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (the column and row factors in
the wrong order, a flipped kernel, ``k^2`` confused with ``2k``, a rank read off the
kernel's size).

>>> from convtutor.checks import sobel as check
>>> bool(check.sobel_factors([1, 2, 1], [-1, 0, 1]))
True
"""

from __future__ import annotations

import numpy as np

from ..kernels import LAPLACIAN, PREWITT_X, SOBEL_X
from ..separable import kernel_rank
from . import REPLACE_NONE, Feedback, is_number, right, same_array, wrong

__all__ = ["sobel_factors", "multiplies", "rank", "box_factors"]


def _vector(value, name, count=3):
    """The answer as a 1-D array, or a Feedback saying what is wrong with it.

    A column or row vector (shape ``(n, 1)`` or ``(1, n)``) is accepted as its ``n``
    numbers: ``np.outer`` flattens its arguments anyway.
    """
    if value is None:
        return None, wrong(f"{name[0].upper()}{name[1:]} is still None. {REPLACE_NONE}")
    try:
        vec = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, wrong(f"Give {name} as a list of {count} numbers; got {value!r}.")
    if vec.ndim == 2 and 1 in vec.shape:
        vec = vec.ravel()
    if vec.ndim != 1:
        return None, wrong(f"Give {name} as a flat list of numbers (1-D); got shape {vec.shape}.")
    return vec, None


def sobel_factors(column, row) -> Feedback:
    """A column and a row whose outer product ``np.outer(column, row)`` is Sobel's Gx."""
    if column is None:
        return wrong(REPLACE_NONE)
    col, bad = _vector(column, "the column")
    if bad is not None:
        return bad
    rw, bad = _vector(row, "the row")
    if bad is not None:
        return bad
    if col.size != 3 or rw.size != 3:
        return wrong(
            f"Gx is 3x3, so the column and the row have 3 numbers each; got {col.size} and "
            f"{rw.size}."
        )
    product = np.outer(col, rw)
    if same_array(product, SOBEL_X):
        return right(
            "np.outer(column, row) is Gx: the column smooths down the picture, the row takes "
            "a difference across it. Nine numbers made of six."
        )
    if same_array(product, SOBEL_X.T):
        return wrong(
            "You have the factors in the wrong places: np.outer(row, column) gives the "
            "TRANSPOSE of Gx (that is Sobel's Gy). The column is the vertical factor "
            "[1, 2, 1]; the row is the horizontal difference."
        )
    if same_array(product, PREWITT_X):
        return wrong(
            "That is Prewitt's kernel: its column [1, 1, 1] weights three rows equally. "
            "Sobel's column weights the middle row twice as much as the other two."
        )
    if same_array(product, -SOBEL_X):
        return wrong(
            "Your kernel is Gx flipped (every sign reversed). Deep-learning convolution does "
            "not flip: the row is [-1, 0, 1], right minus left."
        )
    return wrong(
        "Read the first column of Gx from top to bottom and the middle row from left to "
        "right; the outer product of those shapes gives the kernel."
    )


def multiplies(direct, separable, *, kernel_size: int = 7) -> Feedback:
    """Multiplies per output pixel of a ``k x k`` separable filter: done directly (``k^2``)
    and as two 1-D passes (``2k``)."""
    if direct is None or separable is None:
        return wrong(REPLACE_NONE)
    k = kernel_size
    if not (is_number(direct) and is_number(separable)):
        return wrong(f"Give two whole numbers; got {direct!r} and {separable!r}.")
    if direct == k * k and separable == 2 * k:
        return right(
            f"{k}x{k} = {k * k} multiplies directly, {k} + {k} = {2 * k} in two 1-D passes: "
            f"{k * k / (2 * k):.1f} times fewer."
        )
    if direct == 2 * k and separable == k * k:
        return wrong(
            "You swapped them: the direct 2-D filter touches every tap, k^2; two 1-D passes "
            "touch k taps each, 2k. Don't confuse k^2 with 2k."
        )
    if direct == k * k and separable == k:
        return wrong(
            "There are TWO passes (down the columns, then along the rows), k multiplies each."
        )
    if direct == k * k and separable == k * k:
        return wrong(
            "The two passes are cheaper than the 2-D filter: k multiplies each, 2k in all."
        )
    if (direct, separable) == (9, 6) and k != 3:
        return wrong(
            f"Those are Sobel's numbers, for a 3x3 kernel. This kernel is {k}x{k}: "
            "count again with its size."
        )
    if direct == 2 * k or direct == k:
        return wrong(f"The direct filter multiplies every one of the k x k = {k * k} taps.")
    return wrong(f"Directly: one multiply per tap of the {k}x{k} kernel. Separated: k per pass.")


def rank(answer, *, kernel="laplacian") -> Feedback:
    """The rank of a named kernel (``"laplacian"`` or ``"sobel_x"``)."""
    if answer is None:
        return wrong(REPLACE_NONE)
    kernels = {"laplacian": LAPLACIAN, "sobel_x": SOBEL_X}
    if kernel not in kernels:
        raise ValueError(f"kernel must be one of {', '.join(map(repr, kernels))}; got {kernel!r}")
    k = kernels[kernel]
    expected = kernel_rank(k)
    if not is_number(answer):
        return wrong(f"Give a whole number; got {answer!r}.")
    if answer == expected:
        return right(
            f"Rank {expected}: {expected} singular value(s) are not zero. "
            + (
                "Separable: a column times a row."
                if expected == 1
                else f"Not a column times a row, but a sum of {expected} separable kernels."
            )
        )
    if answer == k.shape[0]:
        return wrong(
            "The rank is not the kernel's size. Count the singular values that are not zero "
            "(ct.singular_values), or the independent rows."
        )
    if answer == 1 and expected > 1:
        return wrong(
            "If it had rank 1 it would be an outer product, and ct.separate would succeed. "
            "Look at the singular values: how many are not zero?"
        )
    return wrong("Count the singular values above zero (ct.singular_values(kernel)).")


def box_factors(column, row, *, size: int = 5) -> Feedback:
    """A column and a row whose outer product is the ``size x size`` box blur (all ``1/size^2``)."""
    if column is None:
        return wrong(REPLACE_NONE)
    col, bad = _vector(column, "the column", size)
    if bad is not None:
        return bad
    rw, bad = _vector(row, "the row", size)
    if bad is not None:
        return bad
    target = np.full((size, size), 1.0 / size**2)
    if col.size != size or rw.size != size:
        return wrong(f"Each factor of a {size}x{size} kernel has {size} numbers.")
    product = np.outer(col, rw)
    if same_array(product, target):
        return right(
            f"Each 1-D pass averages {size} pixels; together they average the {size}x{size} "
            f"window: {size * size} multiplies become {2 * size}."
        )
    if same_array(product, target * size):
        return wrong(
            f"Your product sums to {size}, not 1: both factors must be averages, "
            f"1/{size} each, so that 1/{size} x 1/{size} = 1/{size * size}."
        )
    if same_array(product, target * size * size):
        return wrong(f"That sums the window; a blur averages it. Use 1/{size} in each factor.")
    if same_array(product, target / size**2):
        return wrong(
            f"Your product is {size * size} times too small: 1/{size * size} in each factor "
            f"gives 1/{size**4}. Each factor averages {size} pixels: 1/{size}."
        )
    return wrong(f"Try the same factor twice: {size} equal numbers that sum to 1.")
