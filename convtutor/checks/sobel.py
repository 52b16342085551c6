"""Checks for notebook 05, Sobel and spatial separability.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (the column and row factors in
the wrong order, a flipped kernel, ``k^2`` confused with ``2k``, a symmetric kernel taken
for a separable one, a row of zeros taken for a break in the pattern).

>>> from convtutor.checks import sobel as check
>>> bool(check.sobel_factors([1, 2, 1], [-1, 0, 1]))
True
"""

from __future__ import annotations

import numpy as np

from ..kernels import PREWITT_X, SOBEL_X
from ..spatial import kernel_rank
from . import REPLACE_NONE, Feedback, exercise, is_number, right, same_array, wrong

__all__ = ["sobel_factors", "multiplies", "KERNELS_TO_SORT", "separable_kernels", "box_factors"]


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


@exercise()
def sobel_factors(column, row) -> Feedback:
    """A column and a row whose outer product ``np.outer(column, row)`` is Sobel's Gx."""
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


@exercise(answers=2)
def multiplies(direct, separable, *, kernel_size: int = 7) -> Feedback:
    """Multiplies per output pixel of a ``k x k`` separable filter: done directly (``k^2``)
    and as two 1-D passes (``2k``)."""
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


#: Exercise 3: five 3x3 kernels to sort into "a column times a row" or not.
KERNELS_TO_SORT = {
    "A": np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]),  # binomial blur
    "B": np.array([[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]),  # diagonal edge
    "C": np.array([[2.0, -4.0, 6.0], [-1.0, 2.0, -3.0], [3.0, -6.0, 9.0]]),
    "D": np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]),  # a plus-shaped blur
    "E": np.array([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0], [-1.0, 0.0, 1.0]]),  # a saddle
}
for _kernel in KERNELS_TO_SORT.values():
    _kernel.setflags(write=False)


def _letters(answer):
    """The answer as a set of capital letters, or None when it is not letters."""
    if isinstance(answer, str):
        items = [c for c in answer if not c.isspace() and c not in ",;{}[]()'\""]
    else:
        try:
            items = list(answer)
        except TypeError:
            return None
    if not all(isinstance(item, str) for item in items):
        return None
    return {item.strip().upper() for item in items if item.strip()}


@exercise()
def separable_kernels(answer) -> Feedback:
    """Exercise 3: which of :data:`KERNELS_TO_SORT` are a column times a row (rank 1)?

    ``answer`` is a set (or list, or string) of letters, such as ``{"A", "B"}`` or ``"AB"``.
    """
    names = sorted(KERNELS_TO_SORT)
    letters = _letters(answer)
    if letters is None:
        return wrong(
            f"Give the letters of the separable kernels, such as {{'A', 'B'}} or 'AB'; "
            f"got {answer!r}."
        )
    unknown = sorted(letters - set(names))
    if unknown:
        return wrong(f"The kernels are named {', '.join(names)}; {', '.join(unknown)} is not one.")
    ranks = {name: kernel_rank(kernel) for name, kernel in KERNELS_TO_SORT.items()}
    expected = {name for name, r in ranks.items() if r == 1}
    if letters == expected:
        others = [n for n in names if n not in expected]
        return right(
            f"{', '.join(sorted(expected))}: every row of each is a multiple of one row (rank 1), "
            f"so two 1-D passes reproduce them exactly. {' and '.join(others)} have rank "
            f"{' and '.join(str(ranks[n]) for n in others)}: no column times a row makes them."
        )
    extra = sorted(letters - expected)
    if extra:
        name = extra[0]
        kernel = KERNELS_TO_SORT[name]
        symmetric = " Being symmetric is not enough." if np.array_equal(kernel, kernel.T) else ""
        return wrong(
            f"{name} is not a column times a row: its rows {_rows(kernel)} are not all "
            f"multiples of one row (ct.kernel_rank gives {ranks[name]}).{symmetric}"
        )
    name = sorted(expected - letters)[0]
    kernel = KERNELS_TO_SORT[name]
    zero_row = " (a row of zeros is 0 times it)" if not np.all(np.any(kernel, axis=1)) else ""
    return wrong(
        f"{name} is separable too: look at its rows {_rows(kernel)}. Each is a multiple of "
        f"one row{zero_row}, so the kernel is a column of those multiples times that row."
    )


def _rows(kernel: np.ndarray) -> str:
    """The kernel's rows as short lists: [1, 2, 1], [2, 4, 2], ..."""
    return ", ".join(str([int(v) for v in row]) for row in kernel)


@exercise()
def box_factors(column, row, *, size: int = 5) -> Feedback:
    """A column and a row whose outer product is the ``size x size`` box blur (all ``1/size^2``)."""
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
