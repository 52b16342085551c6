"""Images to filter: a real photograph and seeded synthetic patterns. Never a download.

* :func:`sample_image` -- the portrait of Grace Hopper that matplotlib ships in its
  sample data, as a ``(3, H, W)`` float array in ``[0, 1]``.
* :func:`stripes`, :func:`checkerboard`, :func:`shapes` -- patterns made here, with
  a seed, so the same call always gives the same picture.

All images are channels-first, ``(C, H, W)``, like PyTorch.
"""

from __future__ import annotations

import functools

import numpy as np

from . import _validate as v

__all__ = ["sample_image", "stripes", "checkerboard", "shapes", "to_gray"]


@functools.lru_cache(maxsize=8)
def _photo(size: int) -> np.ndarray:
    # matplotlib and Pillow are imported here, not at module level: the core stays numpy-only.
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:  # 512 wide x 600 high, RGB
        img = Image.open(f).convert("RGB")
        img.load()
    w, h = img.size
    side = min(w, h)
    top = (h - side) // 4  # keep the face: crop nearer the top than the bottom
    img = img.crop((0, top, side, top + side))
    img = img.resize((size, size), Image.Resampling.BOX)
    arr = np.asarray(img, dtype=np.float64) / 255.0
    arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
    arr.setflags(write=False)
    return arr


def sample_image(size: int = 128) -> np.ndarray:
    """A real colour photograph, ``(3, size, size)``, values in ``[0, 1]``.

    The portrait of Grace Hopper from matplotlib's sample data (installed with
    matplotlib, so it works offline), cropped square and averaged down to
    ``size x size`` pixels.

    Parameters
    ----------
    size : int, default 128
        Side in pixels, from 16 to 512.

    Returns
    -------
    ndarray of shape (3, size, size), float64
        Channels red, green, blue. A fresh copy: change it freely.

    Examples
    --------
    >>> img = sample_image(64)
    >>> img.shape, float(img.min()) >= 0, float(img.max()) <= 1
    ((3, 64, 64), True, True)
    """
    size = v.positive_int(size, "size")
    if not 16 <= size <= 512:
        raise ValueError(f"size must be between 16 and 512 pixels; got {size}")
    return _photo(size).copy()


def to_gray(image) -> np.ndarray:
    """Luminance of an RGB image ``(3, H, W)`` -> ``(H, W)`` (ITU-R BT.601 weights).

    >>> import numpy as np
    >>> round(float(to_gray(np.ones((3, 2, 2)))[0, 0]), 12)
    1.0
    """
    arr = v.as_array(image, "image")
    if arr.ndim != 3 or arr.shape[0] != 3:
        raise ValueError(f"image must have shape (3, H, W); got shape {arr.shape}")
    return np.tensordot([0.299, 0.587, 0.114], arr, axes=1)


def _grid(size: int):
    size = v.positive_int(size, "size")
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    return size, yy, xx


def stripes(size: int = 64, angle: float = 30.0, period: float = 8.0, *, channels: int = 3):
    """Soft stripes at an angle (degrees from vertical), ``(channels, size, size)`` in [0, 1].

    Each channel has the same stripes shifted by a third of a period, so colour and
    orientation both carry information.

    Examples
    --------
    >>> stripes(32, angle=0).shape
    (3, 32, 32)
    """
    size, yy, xx = _grid(size)
    if not period > 0:
        raise ValueError(f"period must be > 0 pixels; got {period!r}")
    channels = v.positive_int(channels, "channels")
    theta = np.deg2rad(float(angle))
    t = xx * np.cos(theta) + yy * np.sin(theta)
    phases = np.arange(channels) * 2 * np.pi / 3
    return 0.5 + 0.5 * np.sin(2 * np.pi * t[None] / period + phases[:, None, None])


def checkerboard(size: int = 64, square: int = 8, *, channels: int = 3) -> np.ndarray:
    """A black-and-white checkerboard, ``(channels, size, size)``, values 0 and 1.

    Examples
    --------
    >>> checkerboard(4, 2)[0]
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    size, yy, xx = _grid(size)
    square = v.positive_int(square, "square")
    channels = v.positive_int(channels, "channels")
    board = ((yy // square + xx // square) % 2 == 0).astype(np.float64)
    return np.repeat(board[None], channels, axis=0)


def shapes(size: int = 64, *, seed: int = 0, count: int = 4) -> np.ndarray:
    """Coloured discs and rectangles on a dark background, ``(3, size, size)`` in [0, 1].

    The same ``seed`` always gives the same picture.

    Examples
    --------
    >>> import numpy as np
    >>> np.array_equal(shapes(32, seed=1), shapes(32, seed=1))
    True
    """
    size, yy, xx = _grid(size)
    count = v.positive_int(count, "count")
    rng = np.random.default_rng(seed)
    img = np.full((3, size, size), 0.1)
    for _ in range(count):
        colour = rng.uniform(0.3, 1.0, size=3)
        cy, cx = rng.uniform(0.15, 0.85, size=2) * size
        r = rng.uniform(0.08, 0.22) * size
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
        else:
            mask = (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= 0.6 * r)
        img[:, mask] = colour[:, None]
    return img
