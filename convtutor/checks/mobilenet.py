"""Checks for notebook 08, after MobileNet: the width multiplier, the inverted residual,
the bytes a layer moves, and why MobileNetV2's projection is linear.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (the multiplier applied to one side
of a 1x1 layer only, the expansion forgotten, values counted instead of bytes).

>>> from convtutor.checks import mobilenet as check
>>> bool(check.pointwise_at_width(256 * 256 * 14 * 14))
True
"""

from __future__ import annotations

from ..blocks import block_cost, mobilenet_v1_channels
from ..cost import conv_cost, conv_memory
from . import exercise, first_match, right, wrong

__all__ = [
    "pointwise_at_width",
    "inverted_residual_weights",
    "depthwise_bytes",
    "linear_projection",
]


@exercise(whole_number=True)
def pointwise_at_width(answer, in_channels=512, out_channels=512, size=14, alpha=0.5):
    """MACs of MobileNet's 1x1 layer at width multiplier ``alpha`` on a ``size`` map."""
    c_in = mobilenet_v1_channels(in_channels, alpha)
    c_out = mobilenet_v1_channels(out_channels, alpha)
    expected = conv_cost("pointwise", c_in, c_out, 1, size).macs
    area = size * size
    if int(answer) == expected:
        return right(
            f"{c_in} x {c_out} x {size}x{size} = {expected:,}: both sides of the 1x1 layer "
            f"are thinned, so its cost falls by alpha² = {alpha**2:g}."
        )
    mistakes = [
        (in_channels * out_channels * area,
         "That is the layer at alpha = 1. The width multiplier thins the input channels "
         "AND the output channels."),
        (c_in * out_channels * area,
         "You thinned one side only (or scaled the cost by alpha once). Both C_in and "
         f"C_out become alpha x C: {in_channels} -> {c_in}, {out_channels} -> {c_out}."),
        (c_in * c_out,
         f"That is the number of weights. Each is used once at every one of the "
         f"{size}x{size} positions."),
    ]  # fmt: skip
    hint = first_match(answer, mistakes)  # a Feedback that is wrong is falsy: test None
    return (
        hint
        if hint is not None
        else wrong(
            f"A 1x1 layer costs C_in x C_out x H x W MACs; at alpha = {alpha:g} both channel "
            f"counts are int(alpha x C)."
        )
    )


@exercise(whole_number=True)
def inverted_residual_weights(answer, in_channels=24, out_channels=24, expansion=6, kernel_size=3):
    """Convolution weights of an inverted residual (BatchNorm left out, no bias)."""
    cost = block_cost(
        "inverted_residual", in_channels, out_channels, kernel_size=kernel_size,
        expansion=expansion,
    )  # fmt: skip
    expected = cost.conv_params
    c, o, t, k = in_channels, out_channels, expansion, kernel_size
    hidden = c * t
    if int(answer) == expected:
        return right(
            f"{c}·{hidden} + {hidden}·{k}² + {hidden}·{o} = {expected:,}: expand, filter each "
            f"of the {hidden} channels, project back."
        )
    mistakes = [
        (cost.params,
         "You counted BatchNorm's gamma and beta too. The exercise asks for the "
         "convolutions' weights only."),
        (c * c + c * k * k + c * o,
         f"You forgot the expansion: the middle of the block has t x C_in = {hidden} "
         "channels, not C_in."),
        (c * hidden + hidden * hidden * k * k + hidden * o,
         "The middle step is depth-wise: one k x k filter per channel, not a full "
         f"{hidden} -> {hidden} convolution."),
        (c * hidden + hidden * k * k,
         f"You left out the 1x1 projection back to {o} channels."),
    ]  # fmt: skip
    hint = first_match(answer, mistakes)  # a Feedback that is wrong is falsy: test None
    return (
        hint
        if hint is not None
        else wrong(
            "Add three layers: 1x1 from C_in to t·C_in, k x k depth-wise on t·C_in channels, "
            "1x1 from t·C_in to C_out."
        )
    )


@exercise(whole_number=True)
def depthwise_bytes(answer, channels=64, size=56, kernel_size=3):
    """Bytes a 3x3 depth-wise layer reads and writes in float32 ('same' padding)."""
    mem = conv_memory("depthwise", channels, channels, kernel_size, size, padding="same")
    expected = mem.total
    if int(answer) == expected:
        return right(
            f"{mem.input:,} + {mem.weights:,} + {mem.output:,} = {expected:,} bytes: the "
            "maps are almost all of it; the weights are a few kilobytes."
        )
    mistakes = [
        (expected // 4, "You counted values. Each float32 value is 4 bytes."),
        (mem.input + mem.output,
         "You left out the weights (small here, but read all the same)."),
        (mem.input + mem.weights, "The output must be written too."),
        (mem.input, "The layer reads its input and weights, and writes its output."),
    ]  # fmt: skip
    hint = first_match(answer, mistakes)  # a Feedback that is wrong is falsy: test None
    return (
        hint
        if hint is not None
        else wrong(
            "Count values, then times 4: the input C·H·W, the weights C·k², the output C·H·W."
        )
    )


CHOICES = {
    "a": "to save multiply-adds",
    "b": "the projection squeezes the block into few channels, where a ReLU can destroy "
    "information (Figure 1)",
    "c": "ReLU6 is slow on phones",
}


@exercise()
def linear_projection(answer):
    """Why MobileNetV2 puts no ReLU after its 1x1 projection: a letter from CHOICES."""
    if not isinstance(answer, str) or answer.strip().lower() not in CHOICES:
        return wrong(f"Answer with one letter in quotes: 'a', 'b' or 'c'; got {answer!r}.")
    letter = answer.strip().lower()
    if letter == "b":
        return right(
            "That is the paper's argument: a ReLU flattens parts of the 2-D spiral in 2 or 3 "
            "dimensions, not in 15 or 30. The projection leaves few channels, so the paper "
            "keeps it linear."
        )
    if letter == "a":
        return wrong(
            "A ReLU costs no multiply-adds at all (one comparison per value). The reason is "
            "what it does to information in few channels: section 6."
        )
    return wrong(
        "Speed is not the reason: the block keeps two ReLU6s. Look at what a ReLU does to "
        "the spiral in few dimensions."
    )
