"""Classic image-processing kernels, built from their 1-D factors where they have them.

Each kernel is a read-only float64 array, written the way ``conv2d`` uses it:
cross-correlation, no flip. So ``SOBEL_X`` gives a *positive* response where the
image gets brighter to the right (a vertical edge), and ``SOBEL_Y`` where it gets
brighter downwards (a horizontal edge).

Separable kernels are made as ``np.outer(column, row)``, so the factors are in the
data, not only in the docs:

>>> import numpy as np
>>> SOBEL_X
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]])
>>> np.array_equal(SOBEL_X, np.outer(SMOOTH, DIFFERENCE))
True
"""

from __future__ import annotations

import numpy as np

from . import _validate as v

__all__ = [
    "SMOOTH",
    "DIFFERENCE",
    "SOBEL_X",
    "SOBEL_Y",
    "SCHARR_SMOOTH",
    "SCHARR_X",
    "SCHARR_Y",
    "PREWITT_SMOOTH",
    "PREWITT_X",
    "PREWITT_Y",
    "LAPLACIAN",
    "SHARPEN",
    "IDENTITY",
    "box",
    "box_1d",
    "gaussian",
    "gaussian_1d",
    "NAMED",
    "get",
]


def _frozen(a) -> np.ndarray:
    arr = np.array(a, dtype=np.float64)
    arr.setflags(write=False)
    return arr


#: Sobel's smoothing factor: a small binomial blur across the edge direction.
SMOOTH = _frozen([1, 2, 1])
#: The central difference: right minus left (or bottom minus top).
DIFFERENCE = _frozen([-1, 0, 1])

#: Sobel x (the article's Gx): ``outer([1, 2, 1], [-1, 0, 1])``; finds vertical edges.
SOBEL_X = _frozen(np.outer(SMOOTH, DIFFERENCE))
#: Sobel y: ``outer([-1, 0, 1], [1, 2, 1])``; finds horizontal edges.
SOBEL_Y = _frozen(np.outer(DIFFERENCE, SMOOTH))

#: Scharr's smoothing factor, tuned for rotation invariance.
SCHARR_SMOOTH = _frozen([3, 10, 3])
SCHARR_X = _frozen(np.outer(SCHARR_SMOOTH, DIFFERENCE))
SCHARR_Y = _frozen(np.outer(DIFFERENCE, SCHARR_SMOOTH))

#: Prewitt's smoothing factor: a plain average.
PREWITT_SMOOTH = _frozen([1, 1, 1])
PREWITT_X = _frozen(np.outer(PREWITT_SMOOTH, DIFFERENCE))
PREWITT_Y = _frozen(np.outer(DIFFERENCE, PREWITT_SMOOTH))

#: The 4-neighbour Laplacian. Rank 2: *not* a column times a row (the counter-example);
#: it is the sum of two separable kernels, ``outer([0,1,0],[1,-2,1]) + outer([1,-2,1],[0,1,0])``.
LAPLACIAN = _frozen(np.outer([0, 1, 0], [1, -2, 1]) + np.outer([1, -2, 1], [0, 1, 0]))

#: Identity: ``outer([0, 1, 0], [0, 1, 0])``; leaves the image as it is.
IDENTITY = _frozen(np.outer([0, 1, 0], [0, 1, 0]))

#: Sharpen: the image plus its negative Laplacian, ``IDENTITY - LAPLACIAN``. Rank 2.
SHARPEN = _frozen(IDENTITY - LAPLACIAN)


def _size(size, name: str = "size") -> int:
    return v.positive_int(size, name)


def box_1d(size: int) -> np.ndarray:
    """A 1-D average of ``size`` taps, each ``1/size``.

    >>> box_1d(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    n = _size(size)
    return _frozen(np.full(n, 1.0 / n))


def box(size: int) -> np.ndarray:
    """A ``size x size`` average (box blur): ``outer(box_1d(size), box_1d(size))``.

    >>> box(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    f = box_1d(size)
    return _frozen(np.outer(f, f))


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """Samples of a Gaussian at ``size`` evenly spaced taps around 0, normalised to sum to 1.

    >>> gaussian_1d(3, 1.0).round(4)
    array([0.2741, 0.4519, 0.2741])
    """
    n = _size(size)
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating, np.integer)):
        raise TypeError(f"sigma must be a number > 0; got {sigma!r}")
    if not sigma > 0:
        raise ValueError(f"sigma must be a number > 0; got {sigma!r}")
    t = np.arange(n) - (n - 1) / 2
    g = np.exp(-0.5 * (t / float(sigma)) ** 2)
    return _frozen(g / g.sum())


def gaussian(size: int, sigma: float) -> np.ndarray:
    """A ``size x size`` Gaussian blur, ``outer(g, g)`` with ``g = gaussian_1d(size, sigma)``.

    Separable by construction; it sums to 1.

    >>> round(float(gaussian(5, 1.0).sum()), 12)
    1.0
    """
    g = gaussian_1d(size, sigma)
    return _frozen(np.outer(g, g))


#: The kernels a widget offers by name, in menu order.
NAMED = {
    "identity": IDENTITY,
    "Sobel x": SOBEL_X,
    "Sobel y": SOBEL_Y,
    "Scharr x": SCHARR_X,
    "Scharr y": SCHARR_Y,
    "Prewitt x": PREWITT_X,
    "Prewitt y": PREWITT_Y,
    "box blur 3x3": box(3),
    "Gaussian 5x5": gaussian(5, 1.0),
    "sharpen": SHARPEN,
    "Laplacian": LAPLACIAN,
}


def get(name: str) -> np.ndarray:
    """A kernel from :data:`NAMED` by its name.

    >>> get("Sobel x")[1]
    array([-2.,  0.,  2.])
    """
    try:
        return NAMED[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"name must be one of {', '.join(map(repr, NAMED))}; got {name!r}"
        ) from None
