"""The offline data set of notebook 06: small striped colour images in four classes.

Nothing downloads: :func:`make_dataset` draws the images from a seed. The class needs
space (the stripes' orientation) *and* colour (how red and green relate), so a network
must both filter spatially and mix channels.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._common import seed_number, whole

__all__ = ["CLASS_NAMES", "make_dataset"]

#: Class ``c`` has orientation ``c // 2`` and colour pattern ``c % 2``.
CLASS_NAMES = (
    "diagonal /, red+green together",
    "diagonal /, red against green",
    "diagonal \\, red+green together",
    "diagonal \\, red against green",
)


def make_dataset(n, *, size=16, seed=0, noise=0.8):
    """A labelled set of small striped colour images; the class needs space AND colour.

    Every image is a pattern of soft stripes. Four classes:

    * the **orientation** of the stripes: about 45 degrees one way or the other
      (``label // 2``) -- a spatial pattern, seen by a 3x3 filter;
    * the **colour pattern** (``label % 2``): the red and green stripes rise and fall
      together (red = green), or red is bright where green is dark (red = -green).
      Each channel on its own looks the same in both cases (stripes with a random
      phase); only *mixing* the channels tells them apart -- the job of a point-wise
      (1x1) step or of a standard convolution.

    Stripe period, phase, angle (+-12 degrees), contrast and the blue channel vary at
    random, and Gaussian noise is added, so a small training set can be memorised.
    Values are centred on 0 (add 0.5 to show them as colours).

    Parameters
    ----------
    n : int
        Number of images (>= 4). Labels are balanced: each class has ``n // 4`` or
        ``n // 4 + 1`` images.
    size : int, default 16
        Side in pixels (>= 8).
    seed : int, default 0
        The same seed always gives the same images and labels.
    noise : float, default 0.8
        Standard deviation of the added Gaussian noise.

    Returns
    -------
    images : ndarray of shape (n, 3, size, size), float32
    labels : ndarray of shape (n,), int64, values 0..3 (see :data:`CLASS_NAMES`)

    Examples
    --------
    >>> x, y = make_dataset(8, size=16, seed=1)
    >>> x.shape, x.dtype, y.tolist().count(0)
    ((8, 3, 16, 16), dtype('float32'), 2)
    """
    n = whole(n, "n", 4)
    size = whole(size, "size", 8)
    seed = seed_number(seed)
    if not (isinstance(noise, numbers.Real) and not isinstance(noise, bool) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0; got {noise!r}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 4).astype(np.int64)
    orientation = labels // 2
    against = labels % 2 == 1

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    angle = np.deg2rad(np.where(orientation == 0, 45.0, 135.0) + rng.uniform(-12, 12, n))
    period = rng.uniform(3.0, 6.0, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    contrast = rng.uniform(0.3, 0.5, n)
    t = (xx[None] * np.cos(angle)[:, None, None] + yy[None] * np.sin(angle)[:, None, None]) * (
        2 * np.pi / period
    )[:, None, None]
    wave = np.sin(t + phase[:, None, None])
    sign = np.where(against, -1.0, 1.0)[:, None, None]
    red = contrast[:, None, None] * wave
    green = sign * contrast[:, None, None] * wave
    blue = rng.uniform(-0.3, 0.3, n)[:, None, None] * np.ones_like(wave)
    images = np.stack([red, green, blue], axis=1)
    images += noise * rng.standard_normal(images.shape)
    return images.astype(np.float32), labels
