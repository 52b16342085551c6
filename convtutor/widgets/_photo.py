"""The picture a widget starts from: the sample photo, or the student's own."""

from __future__ import annotations

import os

import numpy as np

import convtutor as ct


def photo(image, size: int) -> np.ndarray:
    """``image`` as a float64 ``(3, H, W)`` array, or the sample photo at ``size`` pixels.

    ``image`` may be an array ``(3, H, W)`` in [0, 1], or anything
    :func:`convtutor.data.load_image` reads (a path, bytes, a binary file object),
    which is loaded at ``size x size`` pixels.
    """
    if image is None:
        return ct.data.sample_image(size)
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)) or hasattr(
        image, "read"
    ):
        return ct.data.load_image(image, size=size)
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[0] != 3 or min(arr.shape[1:]) < 8:
        raise ValueError(
            f"image must have shape (3, H, W) with H, W >= 8 (an RGB picture, channels "
            f"first), or be a path, bytes or a file of a picture; got shape {arr.shape}"
        )
    return arr
