"""The picture a widget starts from: the sample photo, or the student's own.

Every photo widget takes its picture through :func:`photo` (or :func:`picture`, for a
widget that also takes grey): a file, bytes or a PIL image is read by
:func:`convtutor.data.load_image`; numbers (an array, nested lists, a tensor) are
checked and converted by :func:`convtutor._validate.picture`. Anything else ends in a
``ValueError`` or ``TypeError`` that names ``image``.
"""

from __future__ import annotations

import os

import numpy as np

import convtutor as ct
from convtutor import _validate as v


def is_file(image) -> bool:
    """True when ``image`` is a picture file for :func:`convtutor.data.load_image`:
    a path, bytes, a file object or a PIL image (not numbers)."""
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)):
        return True
    if hasattr(image, "read"):
        return True
    return type(image).__module__.startswith("PIL.") and hasattr(image, "getbands")


def _as_image_error(exc: Exception) -> Exception:
    """load_image's error, naming the widget's argument ``image`` instead of ``source``."""
    message = str(exc)
    if message.startswith("source"):
        message = "image" + message[len("source") :]
    return type(exc)(message)


def load(image, size: int) -> np.ndarray:
    """A picture file (see :func:`is_file`) as float64 ``(3, size, size)`` in [0, 1]."""
    try:
        return ct.data.load_image(image, size=size)
    except (ValueError, TypeError) as exc:
        raise _as_image_error(exc) from None


def picture(image, size: int) -> np.ndarray:
    """``image`` as float64 ``(C, H, W)`` in [0, 1]: ``C`` is 3, or 1 for a grey array.

    ``None`` gives the sample photo at ``size`` pixels; a file (see :func:`is_file`) is
    loaded at ``size x size``; numbers are taken at their own size, as
    :func:`convtutor._validate.picture` describes (``uint8`` divided by 255, channels
    first or last, values in [0, 1], ...).
    """
    if image is None:
        return ct.data.sample_image(size)
    if is_file(image):
        return load(image, size)
    return v.picture(image, "image")


def photo(image, size: int) -> np.ndarray:
    """``image`` as a float64 ``(3, H, W)`` array in [0, 1], or the sample photo.

    As :func:`picture`; a grey picture becomes three equal channels.
    """
    arr = picture(image, size)
    if arr.shape[0] == 1:
        arr = np.repeat(arr, 3, axis=0)
    return arr


#: How wide (CSS pixels) a photo-sized canvas is drawn: readable on a projector, and
#: three panels and a kernel table fit the 840 px the widgets may use.
PHOTO_PX = 144


def scale_for(width: int, px: float = PHOTO_PX) -> float:
    """The CSS scale that draws a ``width``-pixel-wide map ``px`` pixels wide."""
    return round(px / width, 4)


def size_text(h: int, w: int) -> str:
    return f"{h}×{w}"
