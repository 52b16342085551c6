"""Checks for the exercises of notebook 02, depth-wise convolution.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
right, with a sentence saying why, or wrong, with a hint aimed at the likely mistake
(one kernel shared by all channels, a forgotten depth multiplier, a standard layer's
count, a kernel in the wrong slot).

>>> from convtutor.checks import depthwise as check
>>> bool(check.depthwise_channels(64))
True
>>> print(check.depthwise_channels(8))  # doctest: +ELLIPSIS
Not yet. 8 x 8 x 9 = 576 counts a standard layer...
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from . import Feedback, exercise, first_match, right, same_array, wrong

__all__ = [
    "DEPTHWISE_LAYER",
    "MULTIPLIER_LAYER",
    "DEPTHWISE_WEIGHT",
    "TORCH_LAYER",
    "depthwise_channels",
    "multiplier_parameters",
    "equivalent_standard_weight",
    "torch_weight_shape",
]


#: Exercise 1: a depth-wise layer with 3x3 kernels (M = 1, no bias) has 576 weights.
DEPTHWISE_LAYER = {"weights": 576, "kernel_size": 3}

#: Exercise 2: 16 channels, depth multiplier 2, 5x5 kernels, no bias.
MULTIPLIER_LAYER = {"channels": 16, "depth_multiplier": 2, "kernel_size": 5}

#: Exercise 3: a depth-wise weight (C_in*M, 1, k, k) = (3, 1, 3, 3): Sobel x, sharpen, Sobel y.
DEPTHWISE_WEIGHT = np.stack([kernels.SOBEL_X, kernels.SHARPEN, kernels.SOBEL_Y])[:, None]
DEPTHWISE_WEIGHT.setflags(write=False)

#: Exercise 4: ``torch.nn.Conv2d(8, 16, 3, groups=8)``.
TORCH_LAYER = {"in_channels": 8, "out_channels": 16, "kernel_size": 3, "groups": 8}


@exercise(whole_number=True)
def depthwise_channels(answer) -> Feedback:
    r"""Exercise 1: a depth-wise layer, 3x3, M = 1, no bias, has 576 weights. How many
    channels does it filter? Weights = :math:`C_{in} k^2`, so :math:`C_{in} = 576 / 9 = 64`.

    The hints aim at misconception #1 of the instructor's guide (one kernel shared by all
    the channels) and at a standard layer's count (every filter sees every channel).
    """
    n, k = DEPTHWISE_LAYER["weights"], DEPTHWISE_LAYER["kernel_size"]
    expected = n // (k * k)
    if int(answer) == expected:
        return right(
            f"{expected} channels x {k} x {k} = {n}: every channel has its own {k} x {k} "
            "kernel, so the weights grow with the number of channels."
        )
    found = first_match(
        answer,
        [
            (
                1,
                f"If one kernel were shared by all the channels, the layer would have {k * k} "
                f"weights however many channels it had. It has {n}: every channel has its "
                f"own {k} x {k} kernel. Count the kernels.",
            ),
            (
                int(round((n / (k * k)) ** 0.5)),
                f"{int(round((n / (k * k)) ** 0.5))} x {int(round((n / (k * k)) ** 0.5))} x "
                f"{k * k} = {n} counts a standard layer, where every filter sees every "
                f"channel. A depth-wise layer has ONE kernel per channel: C_in x {k * k}.",
            ),
            (n // k, f"A {k} x {k} kernel has {k} x {k} = {k * k} numbers, not {k}."),
            (
                n // (2 * k),
                "You added the kernel's height and width; its area is height times width.",
            ),
            (n, f"{n} is the number of weights. Each channel owns {k * k} of them."),
            (k * k, f"{k * k} is the size of one kernel. How many such kernels make {n}?"),
        ],
    )
    if found is not None:
        return found
    return wrong(f"Weights = channels x {k} x {k}. Solve for the channels.")


@exercise(whole_number=True)
def multiplier_parameters(answer) -> Feedback:
    r"""Exercise 2: weights of a depth-wise layer, 16 channels, M = 2, 5x5: :math:`C M k^2`."""
    c = MULTIPLIER_LAYER["channels"]
    m = MULTIPLIER_LAYER["depth_multiplier"]
    k = MULTIPLIER_LAYER["kernel_size"]
    expected = c * m * k * k
    if int(answer) == expected:
        return right(
            f"{c} channels x {m} kernels each x {k} x {k} = {expected}; the layer gives "
            f"{c * m} output channels."
        )
    found = first_match(
        answer,
        [
            (
                c * k * k,
                f"You forgot the depth multiplier: each channel has M = {m} kernels, not one.",
            ),
            (
                m * k * k,
                f"You used one set of {m} kernels for all the channels. Every one of the {c} "
                "channels has its own M kernels.",
            ),
            (
                k * k,
                f"You used one kernel for everything. There are C_in x M = {c * m} kernels.",
            ),
            (
                c * (c * m) * k * k,
                f"That is a standard {c} -> {c * m} layer, where every filter sees every channel. "
                "A depth-wise kernel sees one channel only.",
            ),
            (
                c * m,
                f"{c * m} is the number of output channels (kernels); each kernel has "
                f"{k} x {k} numbers.",
            ),
            (
                c * m * k,
                f"A {k} x {k} kernel has {k} x {k} = {k * k} numbers, not {k}.",
            ),
        ],
    )
    if found is not None:
        return found
    return wrong("Count C_in x M kernels of k x k numbers each.")


def _shared_everywhere(dw: np.ndarray) -> np.ndarray:
    """Every filter holding its kernel in every input slot (no zeros)."""
    c = dw.shape[0]
    return np.repeat(dw, c, axis=1)


def _every_kernel_in_every_filter(dw: np.ndarray) -> np.ndarray:
    """Every filter holding all the kernels, kernel c in slot c (a sum over channels)."""
    c = dw.shape[0]
    return np.broadcast_to(dw[:, 0][None], (c, c, *dw.shape[2:]))


@exercise()
def equivalent_standard_weight(answer) -> Feedback:
    """Exercise 3: the standard weight (3, 3, 3, 3) that does what ``DEPTHWISE_WEIGHT`` does.

    Filter ``o`` holds depth-wise kernel ``o`` in input slot ``o`` and zeros elsewhere.
    """
    dw = np.asarray(DEPTHWISE_WEIGHT, dtype=np.float64)
    c = dw.shape[0]
    expected = np.zeros((c, c, *dw.shape[2:]))
    for o in range(c):
        expected[o, o] = dw[o, 0]
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return wrong("Give an array of numbers of shape (3, 3, 3, 3).")
    if arr.shape == dw.shape:
        return wrong(
            f"That is the depth-wise weight itself, shape {dw.shape}. A standard filter has a "
            f"slice for every input channel: shape ({c}, {c}, 3, 3)."
        )
    if arr.shape != expected.shape:
        return wrong(
            f"The standard weight has shape (C_out, C_in, kH, kW) = {expected.shape}; got "
            f"{arr.shape}."
        )
    off_diagonal = ~np.eye(c, dtype=bool)
    if same_array(arr, expected):
        forced = int(off_diagonal.sum()) * dw.shape[2] * dw.shape[3]
        return right(
            "Each filter keeps its own kernel in its own channel's slot and zeros elsewhere: "
            f"{forced} of the {expected.size} numbers are forced to zero."
        )
    if same_array(arr, _shared_everywhere(dw)):
        return wrong(
            "You put each filter's kernel in every input slot, as if one kernel were shared by "
            "all channels. A depth-wise filter touches its own channel only: the other slots "
            "are zero."
        )
    if same_array(arr, _every_kernel_in_every_filter(dw)):
        return wrong(
            "Every filter holds all three kernels, so each output would add up all the "
            "channels. Filter o keeps only kernel o, in slot o; its other slots are zero."
        )
    if not np.any(arr[off_diagonal]):
        if not np.any(arr):
            return wrong("All zeros so far. Now copy kernel o, dw[o, 0], into W[o, o].")
        flipped = expected[:, :, ::-1, ::-1]
        if same_array(arr, flipped):
            return wrong("You flipped the kernels. Copy them as they are: ct.conv2d does not flip.")
        return wrong(
            "The zeros are right, but a kernel is in the wrong place or changed: filter o "
            "holds depth-wise kernel o (dw[o, 0]) in slot o."
        )
    return wrong(
        "Start from np.zeros((3, 3, 3, 3)) and set W[o, o] = dw[o, 0] for each o; "
        "everything off the diagonal stays zero."
    )


def _as_shape(answer) -> tuple | None:
    try:
        shape = tuple(int(n) for n in answer)
    except (TypeError, ValueError):
        return None
    if any(float(a) != n for a, n in zip(answer, shape, strict=True)):
        return None
    return shape


@exercise()
def torch_weight_shape(answer) -> Feedback:
    """Exercise 4: the shape of ``torch.nn.Conv2d(8, 16, 3, groups=8).weight``."""
    c_in, c_out = TORCH_LAYER["in_channels"], TORCH_LAYER["out_channels"]
    k, g = TORCH_LAYER["kernel_size"], TORCH_LAYER["groups"]
    m = c_out // c_in
    expected = (c_out, c_in // g, k, k)
    shape = _as_shape(answer)
    if shape is None:
        return wrong(
            f"Give the shape as a tuple of whole numbers, e.g. (1, 2, 3, 4); got {answer!r}."
        )
    if shape == expected:
        return right(
            f"{expected}: C_out = {c_out} filters, each seeing C_in / groups = "
            f"{c_in // g} channel, {k} x {k}. That is {m} kernels per input channel (M = {m})."
        )
    mistakes = {
        (c_out, c_in, k, k): (
            f"That is a standard layer (groups=1). With groups={g} each filter sees "
            f"C_in / groups = {c_in // g} channel."
        ),
        (c_in, m, k, k): (
            f"PyTorch lays the M = {m} kernels of each channel along the first axis: "
            f"C_out = C_in x M = {c_out} filters, each with C_in / groups = {c_in // g} slice."
        ),
        (c_in, 1, k, k): (
            f"That has one kernel per channel, but out_channels = {c_out}: M = {m} kernels per "
            "channel, so the first axis is C_in x M."
        ),
        (c_out, m, k, k): (
            f"The second axis is C_in / groups = {c_in} / {g} = {c_in // g}: the input "
            f"channels each filter sees, not the M = {m} kernels per channel."
        ),
        (c_out, k, k): (
            "Close, but PyTorch keeps the input-slice axis even when it is 1: "
            "(C_out, C_in / groups, kH, kW)."
        ),
    }
    if shape in mistakes:
        return wrong(mistakes[shape])
    return wrong("PyTorch's weight shape is (C_out, C_in / groups, kH, kW).")
