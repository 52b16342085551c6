"""Checks for the warm-up exercises of notebook 00, start here.

They practise the one convention every later notebook uses: an image is an array
of shape ``(C, H, W)``, channels first, as in PyTorch.

>>> from convtutor.checks import start as check
>>> bool(check.channels(3))
True
"""

from __future__ import annotations

from . import Feedback, exercise, is_number, right, wrong

__all__ = ["IMAGE_SIZE", "channels", "image_shape", "number_count"]


#: The side of the photo used in the warm-up: ``ct.data.sample_image(IMAGE_SIZE)``.
IMAGE_SIZE = 64


@exercise()
def channels(answer) -> Feedback:
    """Warm-up 1: how many channels does the sample photo have? (3: red, green, blue)."""
    if isinstance(answer, str):
        return wrong(f"Give a whole number without quotes (text is not a number); got {answer!r}.")
    if not is_number(answer):
        return wrong(f"Give a whole number; got {answer!r}.")
    if answer == 3:
        return right("Three channels: red, green and blue. They come first: (C, H, W).")
    if answer == IMAGE_SIZE:
        return wrong(
            f"{IMAGE_SIZE} is the height (and the width). The channels are the first axis: "
            "photo.shape[0]."
        )
    if answer == 1:
        return wrong("One channel would be a grey image; this photo is in colour.")
    return wrong("Look at photo.shape: the first number is the number of channels.")


@exercise()
def image_shape(answer) -> Feedback:
    """Warm-up 2: the shape of ``ct.data.sample_image(64)``: (3, 64, 64)."""
    n = IMAGE_SIZE
    try:
        shape = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        return wrong(f"Give a tuple of whole numbers, e.g. (1, 2, 3); got {answer!r}.")
    if shape == (3, n, n):
        return right(f"(3, {n}, {n}): channels first, then height, then width (PyTorch's order).")
    if shape == (n, n, 3):
        return wrong(
            "That is channels-last, the order matplotlib's imshow wants. convtutor and "
            "PyTorch put the channels first: (C, H, W)."
        )
    if shape == (n, n):
        return wrong("That is one channel. A colour photo has a channel axis in front.")
    return wrong("Run photo.shape and copy what it prints.")


@exercise()
def number_count(answer) -> Feedback:
    """Warm-up 3: how many numbers are in the (3, 64, 64) photo? 3 x 64 x 64 = 12,288."""
    n = IMAGE_SIZE
    expected = 3 * n * n
    if not is_number(answer):
        return wrong(f"Give a whole number; got {answer!r}.")
    if answer == expected:
        return right(f"3 x {n} x {n} = {expected:,}: one number per channel per pixel.")
    if answer == n * n:
        return wrong(
            f"{n * n:,} is the number of pixels. Each pixel has a number in each of the 3 channels."
        )
    if answer == 3 * n:
        return wrong(f"Height and width multiply: {n} x {n} pixels, then times 3 channels.")
    return wrong("Multiply the three numbers of photo.shape (or use photo.size).")
