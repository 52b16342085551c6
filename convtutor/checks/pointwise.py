"""Checks for notebook 03, the point-wise (1x1) convolution.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (forgot ``C_in`` in a count,
thought a 1x1 convolution does nothing or only scales each channel, mixed up the rows
and columns of ``W``).

>>> from convtutor.checks import pointwise as check
>>> bool(check.params(48 * 40))  # exercise 1: 24 channels, M = 2, then 40 outputs
True
>>> bool(check.params(64 * 128, in_channels=64, depth_multiplier=1, out_channels=128))
True
"""

from __future__ import annotations

import numpy as np

from . import Feedback, exercise, is_number, right, same_array, wrong

__all__ = ["params", "macs", "output_shape", "channel_cycle"]


#: Exercise 1: a depth-wise layer on 24 channels with depth multiplier 2 feeds a 1x1
#: layer that gives 40 channels. The 1x1 layer sees 24 * 2 = 48 channels.
_PARAMS_LAYER = (24, 2, 40)


@exercise()
def params(
    answer,
    *,
    in_channels: int = _PARAMS_LAYER[0],
    depth_multiplier: int = _PARAMS_LAYER[1],
    out_channels: int = _PARAMS_LAYER[2],
) -> Feedback:
    """How many weights has the 1x1 convolution (no bias) that follows a depth-wise layer
    on ``in_channels`` channels with ``depth_multiplier`` M and gives ``out_channels``?
    Right: ``(C_in * M) * C_out``: the 1x1 layer sees the C_in * M depth-wise outputs."""
    m = depth_multiplier
    c_in, c_out = in_channels * m, out_channels
    expected = c_in * c_out
    if not is_number(answer):
        return wrong(f"Give a whole number (the count of weights); got {answer!r}.")
    if answer == expected:
        return right(
            f"{c_in} x {c_out} = {expected}: the 1x1 layer sees the {c_in} channels the "
            f"depth-wise step puts out, and each of its {c_out} output channels has one "
            "weight per input channel."
        )
    if m != 1 and answer == in_channels * c_out:
        return wrong(
            f"The 1x1 layer does not see the {in_channels} channels of the picture: it sees "
            f"what the depth-wise layer puts out, {in_channels} x M = {c_in} channels."
        )
    if m != 1 and answer == expected + in_channels * m * 9:
        return wrong(
            "You added the depth-wise layer's weights. The question asks for the 1x1 layer only."
        )
    if answer == c_out and c_out != expected:
        return wrong(
            "You forgot C_in: each output channel is a weighted sum of ALL "
            f"{c_in} input channels, so it needs {c_in} weights, not 1."
        )
    if answer in (c_in, in_channels) and answer != expected:
        return wrong(
            f"{answer} is one weight per input channel: a per-channel scaling, each channel "
            "multiplied by a number of its own and nothing added across channels (that would "
            "be a depth-wise 1x1 layer). A 1x1 convolution mixes channels: each of the "
            f"{c_out} output channels is its own weighted sum of all {c_in} input channels, "
            f"so each needs {c_in} weights."
        )
    if answer == expected * 9:
        return wrong(
            "That counts a 3x3 kernel. A point-wise kernel is 1x1, so k^2 = 1: "
            "the count is C_in x C_out x 1 x 1."
        )
    if answer == expected + c_out:
        return wrong(
            "You added one bias per output channel. This layer has bias=False: count the "
            "weights only."
        )
    if answer == 0 or answer == 1:
        return wrong(
            "A 1x1 convolution is not 'doing nothing': it mixes channels with a "
            "C_out x C_in matrix, and every entry of that matrix is learned."
        )
    if answer == c_in + c_out:
        return wrong(
            f"You added C_in and C_out. Multiply them: each of the {c_out} output channels "
            f"has its own {c_in} weights, one per input channel."
        )
    return wrong("Count the entries of the weight matrix W of shape (C_out, C_in).")


@exercise()
def macs(answer, *, in_channels: int = 32, out_channels: int = 64, size: int = 56) -> Feedback:
    """Multiply-accumulates of a 1x1 convolution on a ``size x size`` input.
    Right: ``C_in * C_out * H * W``."""
    c_in, c_out, hw = in_channels, out_channels, size * size
    expected = c_in * c_out * hw
    if not is_number(answer):
        return wrong(f"Give a whole number of multiply-accumulates; got {answer!r}.")
    if answer == expected:
        return right(
            f"{c_in} x {c_out} x {size} x {size} = {expected:,}: at each of the {hw:,} "
            f"pixels, a ({c_out} x {c_in}) matrix times a vector of {c_in} channels."
        )
    if answer == c_out * hw:
        return wrong(
            f"You forgot C_in: each output value is a sum over all {c_in} input channels, "
            f"so it costs {c_in} multiply-accumulates, not 1."
        )
    if answer == c_in * c_out:
        return wrong(
            "That is the number of weights. The matrix product is repeated at every pixel: "
            f"multiply by H x W = {hw:,}."
        )
    if answer == c_in * hw:
        return wrong(
            f"That makes only one output channel. There are {c_out} output channels, "
            "each a weighted sum of its own."
        )
    if answer == expected * 9:
        return wrong(
            "That counts a 3x3 kernel. A point-wise kernel is 1x1: one multiply-accumulate "
            "per (output channel, input channel) pair at each pixel, not 9."
        )
    previous = (_PARAMS_LAYER[0] * _PARAMS_LAYER[1], _PARAMS_LAYER[2])
    if answer == previous[0] * previous[1] * hw and (c_in, c_out) != previous:
        return wrong(
            f"Those are the channels of the previous exercise ({previous[0]} -> "
            f"{previous[1]}). This layer maps {c_in} channels to {c_out}."
        )
    return wrong("At every pixel: (C_out x C_in) multiply-accumulates. Then count the pixels.")


@exercise()
def output_shape(
    answer, *, in_channels: int = 5, out_channels: int = 3, size: int = 32
) -> Feedback:
    """Shape of ``pointwise_conv2d(x, W)`` for ``x`` of shape ``(C_in, size, size)`` and
    ``W`` of shape ``(C_out, C_in)``. Right: ``(C_out, size, size)``."""
    expected = (out_channels, size, size)
    try:
        shape = tuple(int(n) for n in answer)
    except (TypeError, ValueError):
        return wrong(
            f"Give a shape, a tuple of three whole numbers like (C, H, W); got {answer!r}."
        )
    if len(shape) != 3:
        return wrong(f"The output has three axes (C, H, W); you gave {len(shape)}.")
    if shape == expected:
        return right(
            f"{expected}: the 1x1 kernel keeps every pixel (no border is lost), and the "
            f"channels change from {in_channels} to {out_channels}."
        )
    if shape == (in_channels, size, size):
        return wrong(
            "That is the input's shape. A 1x1 convolution does not leave the input as it "
            f"is: W of shape ({out_channels}, {in_channels}) turns {in_channels} channels "
            f"into {out_channels} at every pixel."
        )
    if shape == (size, size, out_channels):
        return wrong("Channels come first in convtutor and PyTorch: (C, H, W), not (H, W, C).")
    if shape[0] == out_channels and shape[1:] != (size, size):
        return wrong(
            "A 1x1 kernel needs no border: H_out = H - k + 1 = H. The picture keeps its size."
        )
    return wrong("The channel axis comes from W's rows (C_out); the size stays H x W.")


# RGB -> (G, B, R): output channel 0 reads input 1 (green), 1 reads 2 (blue), 2 reads 0 (red).
_CYCLE = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float)


@exercise()
def channel_cycle(answer) -> Feedback:
    """The 3x3 point-wise weight that turns (R, G, B) into (G, B, R):
    ``W[o, c] = 1`` when output ``o`` reads input ``c``."""
    try:
        w = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"Give a 3x3 array of numbers; got {answer!r}.")
    if w.shape == (3, 3, 1, 1):
        w = w[:, :, 0, 0]
    if w.shape != (3, 3):
        return wrong(
            f"W has one row per output channel and one column per input channel: shape "
            f"(3, 3); got shape {w.shape}."
        )
    if same_array(w, _CYCLE):
        return right(
            "Each row picks one input channel: row 0 reads green, row 1 blue, row 2 red. "
            "A permutation matrix reorders channels without touching any pixel's position."
        )
    if same_array(w, np.eye(3)):
        return wrong(
            "That is the identity: output = input, the only 1x1 convolution that does "
            "nothing. Row o of W says which inputs feed output channel o."
        )
    if same_array(w, np.eye(3)[[2, 1, 0]]):
        return wrong(
            "That is the red <-> blue swap of section 3: it makes (B, G, R). Here output red "
            "reads green, output green reads blue, output blue reads red."
        )
    if same_array(w, _CYCLE.T):
        return wrong(
            "You have the transpose: rows are OUTPUT channels and columns are INPUT channels, "
            "W[o, c]. Your matrix makes (B, R, G)."
        )
    return wrong("Row o of W holds the weights of output channel o; put one 1 in each row.")
