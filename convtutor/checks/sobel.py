"""Checks for notebook 05, Sobel and spatial separability.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (the column and row factors in
the wrong order, a flipped kernel, ``k^2`` confused with ``2k``, a symmetric kernel taken
for a separable one, a row of zeros taken for a break in the pattern).

>>> from convtutor.checks import sobel as check
>>> bool(check.kernel_factors([1, 3, 1], [2, 0, -2]))
True
"""

from __future__ import annotations

import numpy as np

from ..kernels import SOBEL_X
from ..spatial import kernel_rank
from . import REPLACE_NONE, Feedback, exercise, is_number, right, same_array, wrong

__all__ = [
    "KERNEL_TO_FACTOR",
    "kernel_factors",
    "multiplies",
    "KERNELS_TO_SORT",
    "separable_kernels",
    "box_factors",
]


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


#: Exercise 1: a 3x3 edge kernel to split into a column times a row. It is not Sobel's:
#: its middle row weighs 3 times the others, and it runs from + (left) to - (right).
KERNEL_TO_FACTOR = np.outer([1.0, 3.0, 1.0], [2.0, 0.0, -2.0])
KERNEL_TO_FACTOR.setflags(write=False)


@exercise()
def kernel_factors(column, row) -> Feedback:
    """A column and a row whose outer product ``np.outer(column, row)`` is
    :data:`KERNEL_TO_FACTOR`. Any pair works whose scales multiply to the right one."""
    col, bad = _vector(column, "the column")
    if bad is not None:
        return bad
    rw, bad = _vector(row, "the row")
    if bad is not None:
        return bad
    if col.size != 3 or rw.size != 3:
        return wrong(
            f"The kernel is 3x3, so the column and the row have 3 numbers each; got {col.size} "
            f"and {rw.size}."
        )
    target = KERNEL_TO_FACTOR
    product = np.outer(col, rw)
    if same_array(product, target):
        return right(
            "np.outer(column, row) is the kernel: the column weighs the rows 1, 3, 1, the row "
            "takes left minus right. A scale can move between the two: [2, 6, 2] and "
            "[1, 0, -1] work too."
        )
    if same_array(product, SOBEL_X) or same_array(product, -SOBEL_X):
        return wrong(
            "That pair makes Sobel's Gx, the kernel of section 2, not this one. Read this "
            "kernel: its middle row is 3 times its top row, and its left column is positive."
        )
    if same_array(product, target.T):
        return wrong(
            "You have the factors in the wrong places: your np.outer gives the TRANSPOSE of "
            "the kernel. The column is read top to bottom, the row left to right."
        )
    if same_array(product, -target):
        return wrong(
            "Every sign is reversed. Deep-learning convolution does not flip the kernel: the "
            "left column of this kernel is positive."
        )
    scale = float(np.vdot(product, target) / np.vdot(target, target))
    if abs(scale) > 1e-9 and same_array(product / scale, target, atol=1e-6):
        return wrong(
            f"The right shape, but your product is {scale:g} times the kernel. The outer "
            "product must equal it exactly: scale the column or the row."
        )
    return wrong(
        "Read the first column of the kernel from top to bottom and its top row from left to "
        "right; then fix the scale so that np.outer(column, row) is the kernel."
    )


@exercise(answers=2)
def multiplies(direct, separable, *, kernel_size: int = 9, rank: int = 2) -> Feedback:
    """Multiplies per output pixel of a ``k x k`` kernel of rank ``r``: done directly in
    2-D (``k^2``), and as ``r`` separable terms of two 1-D passes each (``r * 2k``)."""
    k, r = kernel_size, rank
    if not (is_number(direct) and is_number(separable)):
        return wrong(f"Give two whole numbers; got {direct!r} and {separable!r}.")
    if direct == k * k and separable == r * 2 * k:
        return right(
            f"{k}x{k} = {k * k} multiplies directly. A rank-{r} kernel is a sum of {r} "
            f"column-times-row kernels, each two passes of {k}: {r} x 2 x {k} = {r * 2 * k}. "
            f"Still {k * k / (r * 2 * k):.2f} times fewer."
        )
    if direct == k * k and separable == 2 * k and r != 1:
        return wrong(
            f"{2 * k} is the cost of ONE column times a row. A rank-{r} kernel is not one "
            f"column times a row: it is a sum of {r} of them, each with its own two passes."
        )
    if (direct, separable) == (r * 2 * k, k * k) or (direct, separable) == (2 * k, k * k):
        return wrong(
            "You swapped them: the direct 2-D filter touches every tap, k^2; the passes touch "
            "k taps each. Don't confuse k^2 with 2k."
        )
    if direct == k * k and separable in (k, r * k) and separable != 2 * k:
        return wrong(
            f"Each of the {r} terms needs TWO passes (down the columns, then along the rows), "
            f"{k} multiplies each."
        )
    if direct == k * k and separable == k * k:
        return wrong(f"Count the passes: {r} terms, two passes each, {k} multiplies per pass.")
    if (direct, separable) in ((9, 12), (9, 6), (49, 14)) and k * k != direct:
        return wrong(
            f"Those are the numbers of another kernel size. This kernel is {k}x{k}: count "
            "again with its size."
        )
    if direct in (2 * k, k):
        return wrong(f"The direct filter multiplies every one of the k x k = {k * k} taps.")
    return wrong(
        f"Directly: one multiply per tap of the {k}x{k} kernel. Separated: {r} terms, each "
        "a column pass and a row pass."
    )


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
