"""Checks for the exercises of notebook 01, standard convolution.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
right, with a sentence saying why, or wrong, with a hint aimed at the likely mistake
(a count without ``C_in``, a flipped kernel, an off-by-one in the output size, the
article's 2,800).

>>> from convtutor.checks import standard as check
>>> bool(check.parameter_count(12_800))
True
>>> print(check.parameter_count(800))  # doctest: +ELLIPSIS
Not yet. You counted one 2-D kernel per output channel...
"""

from __future__ import annotations

import math

import numpy as np

from . import (
    Feedback,
    exercise,
    first_match,
    is_number,
    not_a_whole_number,
    right,
    same_array,
    wrong,
)

__all__ = [
    "PARAMETER_LAYER",
    "OUTPUT_SIZE_LAYER",
    "CROSS_CORRELATION_IMAGE",
    "CROSS_CORRELATION_KERNEL",
    "ARTICLE_LAYER",
    "parameter_count",
    "output_size",
    "cross_correlation",
    "article_layer_with_bias",
]


#: Exercise 1: a layer from 16 to 32 channels with 5x5 filters, no bias.
PARAMETER_LAYER = {"in_channels": 16, "out_channels": 32, "kernel_size": 5}

#: Exercise 2: a 28x28 input, a 7x7 kernel, padding 4, stride 2 (dilation 1).
OUTPUT_SIZE_LAYER = {"input_size": 28, "kernel_size": 7, "padding": 4, "stride": 2}

#: Exercise 3: a 3x3 image and a 2x2 kernel to cross-correlate by hand.
CROSS_CORRELATION_IMAGE = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 1]])
CROSS_CORRELATION_KERNEL = np.array([[1, 0], [2, -1]])

#: Exercise 4: the article's layer, 10 -> 20 channels with 7x7 filters.
ARTICLE_LAYER = {"in_channels": 10, "out_channels": 20, "kernel_size": 7}


@exercise(whole_number=True)
def parameter_count(answer) -> Feedback:
    r"""Exercise 1: the weights of a 16 -> 32 channel layer with 5x5 filters, no bias.

    The right answer is :math:`C_{in} C_{out} k_H k_W = 16 \cdot 32 \cdot 5 \cdot 5`.
    """
    c_in, c_out, k = (PARAMETER_LAYER[n] for n in ("in_channels", "out_channels", "kernel_size"))
    expected = c_in * c_out * k * k
    if int(answer) == expected:
        return right(
            f"{c_in} x {c_out} x {k} x {k} = {expected:,}: each of the {c_out} filters has "
            f"{c_in} slices of {k} x {k}."
        )
    found = first_match(
        answer,
        [
            (
                c_out * k * k,
                "You counted one 2-D kernel per output channel, but each filter has C_in "
                f"slices: one {k} x {k} slice for every input channel.",
            ),
            (
                c_in * k * k,
                "That is one filter. The layer has one filter per output channel "
                f"(C_out = {c_out} of them).",
            ),
            (
                c_in * c_out,
                f"That counts one number per (input, output) pair: the kernel's {k} x {k} "
                "area is missing.",
            ),
            (
                c_in * c_out * k,
                f"A {k} x {k} kernel has {k} x {k} numbers, not {k}: multiply by k twice.",
            ),
            (
                c_in * c_out * (k + k),
                "You added the kernel's height and width (the article's slip); its area is "
                "height times width.",
            ),
            (
                expected + c_out,
                f"That includes {c_out} biases; this exercise counts the weights only.",
            ),
        ],
    )
    if found is not None:
        return found
    return wrong(
        "Count the numbers in one filter (C_in x kH x kW), then multiply by the number of "
        "filters (C_out)."
    )


def _output_size_candidates(n: int, k: int, p: int, s: int, d: int = 1):
    span = d * (k - 1) + 1
    expected = (n + 2 * p - span) // s + 1
    mistakes = [
        (
            (n + 2 * p - span) // s,
            "Off by one: you forgot the + 1. The first window position counts too.",
        ),
        (
            (n - span) // s + 1,
            "You left out the padding: it adds p zeros on each side, 2p in all.",
        ),
        (
            (n + p - span) // s + 1,
            "You added the padding once; it goes on both sides, so add 2p.",
        ),
        (
            math.ceil((n + 2 * p - span) / s) + 1,
            "Round down, not up: a window that would run past the edge is not used.",
        ),
        (
            n + 2 * p - span,
            f"Not finished: divide by the stride s = {s} (rounding down), then add 1.",
        ),
        (
            n + 2 * p - span + 1,
            f"You left out the stride: the window jumps {s} pixels, so divide by s "
            "(rounding down) before adding 1.",
        ),
    ]
    return expected, mistakes


@exercise()
def output_size(answer) -> Feedback:
    r"""Exercise 2: the output size for a 28x28 input, 7x7 kernel, padding 4, stride 2.

    :math:`H_{out} = \lfloor (H + 2p - d(k - 1) - 1) / s \rfloor + 1`. A pair
    ``(H_out, W_out)`` is accepted too.
    """
    n, k, p, s = (OUTPUT_SIZE_LAYER[x] for x in ("input_size", "kernel_size", "padding", "stride"))
    expected, mistakes = _output_size_candidates(n, k, p, s)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and answer[0] == answer[1]:
        answer = answer[0]
    if is_number(answer) and float(answer) != int(answer):
        return wrong(f"The formula rounds down: use // (floor division), not /. Got {answer!r}.")
    problem = not_a_whole_number(answer)
    if problem is not None:
        return problem
    if int(answer) == expected:
        return right(
            f"({n} + 2*{p} - ({k} - 1) - 1) // {s} + 1 = {n + 2 * p - k} // {s} + 1 = "
            f"{expected}: the output is {expected} x {expected}."
        )
    found = first_match(answer, mistakes)
    if found is not None:
        return found
    if abs(int(answer) - expected) == 1:
        return wrong("Off by one. Check the -1 and the +1 in the formula, and round down.")
    return wrong("Use H_out = (H + 2p - d(k - 1) - 1) // s + 1 with d = 1.")


def _true_convolution(image, kernel) -> np.ndarray:
    """A true ('valid') convolution: the same sliding sum with the kernel flipped."""
    flipped = np.asarray(kernel)[::-1, ::-1]
    h = image.shape[0] - flipped.shape[0] + 1
    w = image.shape[1] - flipped.shape[1] + 1
    kh, kw = flipped.shape
    return np.array(
        [[np.sum(image[r : r + kh, q : q + kw] * flipped) for q in range(w)] for r in range(h)],
        dtype=np.float64,
    )


@exercise()
def cross_correlation(answer) -> Feedback:
    """Exercise 3: ``ct.conv2d`` of the 3x3 image with the 2x2 kernel, as a 2x2 array.

    Deep-learning "convolution" is cross-correlation: the kernel is *not* flipped.
    """
    image, kernel = CROSS_CORRELATION_IMAGE, CROSS_CORRELATION_KERNEL
    kh, kw = kernel.shape
    h, w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    expected = np.array(
        [[np.sum(image[r : r + kh, q : q + kw] * kernel) for q in range(w)] for r in range(h)],
        dtype=np.float64,
    )
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong("Give a 2 x 2 array of numbers, e.g. [[a, b], [c, d]].")
    if arr.shape == (1, 1, h, w) or arr.shape == (1, h, w):
        arr = arr.reshape(h, w)
    if arr.shape != (h, w):
        return wrong(
            f"The output has shape ({h}, {w}): a {kh} x {kw} window fits in {h} x {w} places "
            f"of a {image.shape[0]} x {image.shape[1]} image without padding; got shape "
            f"{arr.shape}."
        )
    if same_array(arr, expected):
        return right(
            "The kernel slides without a flip: top-left = sum of the top-left window times "
            f"the kernel = {expected[0, 0]:g}."
        )
    if same_array(arr, _true_convolution(image, kernel)):
        return wrong(
            "You flipped the kernel: that is the textbook convolution. Deep-learning "
            "'convolution' (ct.conv2d, PyTorch) is cross-correlation: multiply each window "
            "by the kernel as it is, no flip."
        )
    if same_array(arr, expected.T):
        return wrong("Your rows and columns are swapped: the first index is the row.")
    wrong_cells = int(np.sum(~np.isclose(arr, expected)))
    verb = "is" if wrong_cells == 1 else "are"
    return wrong(
        f"{wrong_cells} of the {h * w} values {verb} off. For each position, multiply the "
        "window by the kernel entry by entry and add the products."
    )


@exercise(whole_number=True)
def article_layer_with_bias(answer) -> Feedback:
    """Exercise 4: parameters of the article's 10 -> 20 channel, 7x7 layer, with a bias each."""
    c_in, c_out, k = (ARTICLE_LAYER[n] for n in ("in_channels", "out_channels", "kernel_size"))
    weights = c_in * c_out * k * k
    expected = weights + c_out
    if int(answer) == expected:
        return right(
            f"{c_in} x {c_out} x {k} x {k} = {weights:,} weights plus {c_out} biases "
            f"(one per output channel) = {expected:,}."
        )
    article = c_in * c_out * (k + k)
    found = first_match(
        answer,
        [
            (
                article,
                f"{article:,} is the article's figure, and it is wrong: {c_in} x {c_out} x "
                f"{k} x {k} = {weights:,} weights. (It equals {c_in} x {c_out} x ({k} + {k}).)",
            ),
            (
                article + c_out,
                f"You started from the article's {article:,}, which is wrong: the weights are "
                f"{c_in} x {c_out} x {k} x {k} = {weights:,}.",
            ),
            (weights, "Those are the weights. Now add the biases: one per output channel."),
            (
                weights + c_in,
                "One bias per output channel (C_out), not per input channel.",
            ),
            (
                c_out * k * k + c_out,
                "You counted one 2-D kernel per output channel, but each filter has C_in "
                f"slices: one {k} x {k} slice for each of the {c_in} input channels.",
            ),
            (
                c_out * k * k,
                "You counted one 2-D kernel per output channel, but each filter has C_in "
                "slices. Then add one bias per output channel.",
            ),
        ],
    )
    if found is not None:
        return found
    return wrong("Weights: C_in x C_out x kH x kW. Biases: one per output channel. Add them.")
