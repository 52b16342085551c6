"""Spatial separability: when a 2-D kernel is a column times a row.

A ``k_H x k_W`` kernel ``K`` is *separable* when ``K = outer(column, row)``. Then
filtering with ``K`` equals filtering with the column (down each column of pixels)
and then with the row (along each row): ``k_H + k_W`` multiplies per pixel instead of
``k_H k_W``. A kernel is separable exactly when its matrix rank is 1, which the
singular value decomposition (SVD) tells: all singular values but the first are 0.

A kernel of rank ``r`` is a sum of ``r`` separable kernels; keeping the ``r`` largest
terms of its SVD gives the best rank-``r`` approximation (Eckart-Young).
"""

from __future__ import annotations

import numpy as np

from . import _validate as v
from .conv import _plan, _run_depthwise

__all__ = [
    "NotSeparableError",
    "separate",
    "singular_values",
    "kernel_rank",
    "low_rank_approximation",
    "separable_terms",
    "separable_filter2d",
    "filter2d",
]

DEFAULT_TOL = 1e-10


class NotSeparableError(ValueError):
    """The kernel is not a column times a row (its rank is not 1)."""


def _kernel(kernel, name: str = "kernel") -> np.ndarray:
    k = v.as_array(kernel, name)
    if k.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (kH, kW); got {k.ndim} dimensions, "
            f"shape {k.shape}"
        )
    if 0 in k.shape:
        raise ValueError(f"{name} must have at least one row and one column; got shape {k.shape}")
    return k.astype(np.float64) if not np.issubdtype(k.dtype, np.floating) else k


def _tol(tol) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float)):
        raise TypeError(f"tol must be a number >= 0; got {tol!r}")
    if not tol >= 0:
        raise ValueError(f"tol must be a number >= 0; got {tol!r}")
    return float(tol)


def singular_values(kernel) -> np.ndarray:
    """The singular values of a 2-D kernel, largest first.

    Examples
    --------
    >>> from convtutor.kernels import SOBEL_X
    >>> singular_values(SOBEL_X).round(6)
    array([3.464102, 0.      , 0.      ])
    """
    return np.linalg.svd(_kernel(kernel), compute_uv=False)


def kernel_rank(kernel, *, tol=DEFAULT_TOL) -> int:
    """The rank of a kernel: how many singular values exceed ``tol`` x the largest.

    A separable kernel has rank 1; a kernel of zeros has rank 0.

    Examples
    --------
    >>> from convtutor.kernels import SOBEL_X, LAPLACIAN
    >>> kernel_rank(SOBEL_X), kernel_rank(LAPLACIAN)
    (1, 2)
    """
    tol = _tol(tol)
    s = singular_values(kernel)
    if s[0] == 0:
        return 0
    return int(np.sum(s > tol * s[0]))


def _nice(column: np.ndarray, row: np.ndarray, kernel: np.ndarray):
    """Rescale a (column, row) pair so the column reads simply, e.g. [1, 2, 1].

    The column's smallest non-zero entry (by size) becomes +1; entries within 1e-9 of
    a whole number are snapped to it; the row is then read off the kernel exactly.
    """
    scale = np.max(np.abs(column))
    nonzero = np.abs(column) > 1e-12 * scale
    pivot = column[nonzero][np.argmin(np.abs(column[nonzero]))]
    column = column / pivot
    rounded = np.round(column)
    column = np.where(np.abs(column - rounded) < 1e-9, rounded, column)
    i = int(np.argmax(np.abs(column)))
    row = kernel[i] / column[i]
    return column, row


def separate(kernel, *, tol=DEFAULT_TOL):
    """Split a rank-1 kernel into a column and a row whose outer product is the kernel.

    Parameters
    ----------
    kernel : array_like of shape (kH, kW)
    tol : float, default 1e-10
        The kernel counts as rank 1 when its second singular value is at most
        ``tol`` times its first.

    Returns
    -------
    column : ndarray of shape (kH,)
    row : ndarray of shape (kW,)
        ``np.outer(column, row)`` equals ``kernel`` (to rounding). The column is scaled
        so its smallest non-zero entry is +1, which gives the textbook factors for the
        classic kernels.

    Raises
    ------
    NotSeparableError
        A ``ValueError`` saying the kernel's rank, when it is not 1.

    Examples
    --------
    Sobel's x kernel is a smoothing column times a difference row:

    >>> from convtutor.kernels import SOBEL_X
    >>> column, row = separate(SOBEL_X)
    >>> column, row
    (array([1., 2., 1.]), array([-1.,  0.,  1.]))
    """
    tol = _tol(tol)
    k = _kernel(kernel)
    u, s, vt = np.linalg.svd(k)
    if s[0] == 0:
        return np.zeros(k.shape[0]), np.zeros(k.shape[1])
    rank = int(np.sum(s > tol * s[0]))
    if rank != 1:
        raise NotSeparableError(
            f"kernel of shape {k.shape} has rank {rank}, not 1, so it is not a column times "
            f"a row (singular values {np.array2string(s, precision=4)}; "
            f"s[1]/s[0] = {s[1] / s[0]:.3g} > tol = {tol:g}). A rank-{rank} kernel is a sum "
            f"of {rank} separable kernels: see separable_terms()."
        )
    column = u[:, 0] * np.sqrt(s[0])
    row = vt[0] * np.sqrt(s[0])
    return _nice(column, row, k)


def low_rank_approximation(kernel, rank: int) -> np.ndarray:
    """The best rank-``rank`` approximation of a kernel (keep the largest SVD terms).

    "Best" means closest in the sum of squared differences (Eckart-Young). With
    ``rank`` at or above the kernel's rank the kernel comes back unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from convtutor.kernels import LAPLACIAN
    >>> np.allclose(low_rank_approximation(LAPLACIAN, 2), LAPLACIAN)
    True
    """
    k = _kernel(kernel)
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)):
        raise TypeError(f"rank must be a whole number >= 0; got {rank!r}")
    if rank < 0:
        raise ValueError(f"rank must be a whole number >= 0; got {rank}")
    u, s, vt = np.linalg.svd(k, full_matrices=False)
    r = min(int(rank), s.size)
    return (u[:, :r] * s[:r]) @ vt[:r]


def separable_terms(kernel, rank=None, *, tol=DEFAULT_TOL):
    """Write a kernel as a sum of separable kernels: a list of ``(column, row)`` pairs.

    ``sum(np.outer(c, r) for c, r in separable_terms(K))`` equals ``K``. With ``rank``
    given, only the largest ``rank`` terms are kept (the best rank-``rank``
    approximation).

    Examples
    --------
    The Laplacian has rank 2: two separable filters add up to it.

    >>> import numpy as np
    >>> from convtutor.kernels import LAPLACIAN
    >>> terms = separable_terms(LAPLACIAN)
    >>> len(terms), np.allclose(sum(np.outer(c, r) for c, r in terms), LAPLACIAN)
    (2, True)
    """
    k = _kernel(kernel)
    if rank is None:
        rank = kernel_rank(k, tol=tol)
    u, s, vt = np.linalg.svd(k, full_matrices=False)
    rank = min(int(rank), s.size)
    return [(u[:, i] * np.sqrt(s[i]), vt[i] * np.sqrt(s[i])) for i in range(rank)]


def _images(image, name: str = "image"):
    arr = v.as_array(image, name)
    if arr.ndim not in (2, 3, 4):
        raise ValueError(
            f"{name} must have shape (H, W), (C, H, W) or (N, C, H, W); got {arr.ndim} "
            f"dimensions, shape {arr.shape}"
        )
    return arr


def filter2d(image, kernel, *, padding=0):
    """Cross-correlate every channel of an image with one 2-D kernel (no flip).

    The direct 2-D way, ``kH * kW`` multiplies per output pixel; the reference that
    :func:`separable_filter2d` is compared with.

    Parameters
    ----------
    image : array_like of shape (H, W), (C, H, W) or (N, C, H, W)
    kernel : array_like of shape (kH, kW)
    padding : int, (int, int), "valid" or "same", default 0

    Returns
    -------
    ndarray of the same rank as ``image``;
    ``H_out = H + 2p - kH + 1``, ``W_out = W + 2p - kW + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> filter2d(np.arange(4).reshape(2, 2), np.ones((2, 2)))
    array([[6.]])
    """
    img = _images(image)
    k = _kernel(kernel)
    stack = img.reshape((1, -1) + img.shape[-2:])  # every channel of every image: (1, B, H, W)
    weight = np.broadcast_to(k, (stack.shape[1], 1, *k.shape))
    plan = _plan(stack, weight, None, 1, padding, 1, stack.shape[1])
    out = _run_depthwise(plan)  # kH * kW shifted, scaled copies added up
    return out.reshape(img.shape[:-2] + out.shape[-2:])


def separable_filter2d(image, column, row, *, padding=0):
    """Filter with ``outer(column, row)`` in two 1-D passes: down the columns, then along rows.

    Equal to the 2-D cross-correlation (no flip) with ``np.outer(column, row)``, at
    ``kH + kW`` multiplies per pixel instead of ``kH * kW``.

    Parameters
    ----------
    image : array_like of shape (H, W), (C, H, W) or (N, C, H, W)
        Every channel is filtered the same way.
    column : array_like of shape (kH,)
        The vertical factor, applied first.
    row : array_like of shape (kW,)
        The horizontal factor, applied second.
    padding : int, (int, int), "valid" or "same", default 0
        Zeros around the image, as for the 2-D kernel ``outer(column, row)``.

    Returns
    -------
    ndarray of the same rank as ``image``;
    ``H_out = H + 2p - kH + 1``, ``W_out = W + 2p - kW + 1``.

    Examples
    --------
    A [1, 1] column then a [1, -1] row on a 2x3 image:

    >>> import numpy as np
    >>> img = np.array([[1, 2, 4], [1, 2, 4]])
    >>> separable_filter2d(img, [1, 1], [1, -1])
    array([[-2., -4.]])
    """
    img = _images(image)
    col = v.as_array(column, "column")
    rw = v.as_array(row, "row")
    for name, vec in (("column", col), ("row", rw)):
        if vec.ndim != 1 or vec.size == 0:
            raise ValueError(
                f"{name} must be a 1-D array of kernel taps, shape (k,); got shape {vec.shape}"
            )
    kh, kw = col.size, rw.size
    pads = v.padding_amounts(padding, (kh, kw), (1, 1), (1, 1))
    v.check_fits("image", img.shape[-2:], pads, (kh, kw), (1, 1))
    dtype = v.float_dtype(img, col, rw)
    pad_width = [(0, 0)] * (img.ndim - 2) + list(pads)
    x = np.pad(img.astype(dtype, copy=False), pad_width)
    col = col.astype(dtype, copy=False)
    rw = rw.astype(dtype, copy=False)
    h_out = x.shape[-2] - kh + 1
    w_out = x.shape[-1] - kw + 1
    # Pass 1: down the columns, kH multiplies per pixel.
    tall = col[0] * x[..., 0:h_out, :]
    for i in range(1, kh):
        tall += col[i] * x[..., i : i + h_out, :]
    # Pass 2: along the rows, kW multiplies per pixel.
    out = rw[0] * tall[..., :, 0:w_out]
    for j in range(1, kw):
        out += rw[j] * tall[..., :, j : j + w_out]
    return out
