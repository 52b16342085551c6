"""Checks for notebook 04, the depth-wise separable convolution.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (forgot ``C_in`` in the point-wise
count, thought one kernel is shared by all channels, counted only one of the two steps,
confused ``k^2`` with ``k``, forgot the pixels, flipped a kernel).

>>> from convtutor.checks import separable as check
>>> bool(check.params(16 * 9 + 16 * 32, in_channels=16, out_channels=32, kernel_size=3))
True
"""

from __future__ import annotations

import math

import numpy as np

from ..conv import separable_to_standard
from . import REPLACE_NONE, Feedback, is_number, right, same_array, wrong

__all__ = ["params", "cost_ratio", "mobilenet_macs", "equivalent_kernel"]


def params(
    answer, *, in_channels: int = 16, out_channels: int = 32, kernel_size: int = 3
) -> Feedback:
    """Weights of a depth-wise separable layer (no bias, M = 1):
    ``C_in k^2 + C_in C_out``."""
    if answer is None:
        return wrong(REPLACE_NONE)
    c, n, k2 = in_channels, out_channels, kernel_size**2
    depthwise, pointwise = c * k2, c * n
    expected = depthwise + pointwise
    if not is_number(answer):
        return wrong(f"Give a whole number of weights; got {answer!r}.")
    if answer == expected:
        return right(
            f"{c} x {k2} + {c} x {n} = {depthwise} + {pointwise} = {expected}: one "
            f"{kernel_size}x{kernel_size} kernel per input channel, then a {n} x {c} "
            "point-wise matrix."
        )
    if answer == c * n * k2:
        return wrong(
            "That is a STANDARD layer (C_in x C_out x k^2). A separable layer splits it into a "
            "depth-wise step (C_in x k^2) plus a point-wise step (C_in x C_out)."
        )
    if answer == depthwise:
        return wrong(
            "That is the depth-wise step only. Add the point-wise (1x1) step that mixes the "
            "channels: C_in x C_out more weights."
        )
    if answer == pointwise:
        return wrong(
            "That is the point-wise step only. Add the depth-wise step: one k x k kernel per "
            "input channel, C_in x k^2 weights."
        )
    if answer == depthwise + n:
        return wrong(
            f"You forgot C_in in the point-wise count: each of the {n} 1x1 filters has one "
            f"weight per input channel ({c}), so the point-wise step has {c} x {n} weights."
        )
    if answer == k2 + pointwise:
        return wrong(
            "You used ONE k x k kernel shared by all channels. The depth-wise step gives "
            f"every input channel its own kernel: {c} x {k2} weights."
        )
    if answer == c * kernel_size + pointwise or answer == c * 2 * kernel_size + pointwise:
        return wrong(
            f"A {kernel_size}x{kernel_size} kernel has k^2 = {k2} weights, not k or 2k "
            "(the depth-wise kernels are not split into rows and columns)."
        )
    if answer == n * k2 + pointwise and n != c:
        return wrong(
            f"The depth-wise step has one k x k kernel per INPUT channel ({c}), not per "
            f"output channel ({n}): it filters each input channel on its own."
        )
    if answer in (expected + c, expected + n, expected + c + n):
        return wrong(
            "You added biases. This layer has no bias: count the weights of the two steps only."
        )
    return wrong("Add the two steps: depth-wise (C_in x k^2) + point-wise (C_in x C_out).")


def cost_ratio(answer, *, out_channels: int = 64, kernel_size: int = 3) -> Feedback:
    """Separable cost / standard cost: ``1/N + 1/k^2`` (N = C_out), as a number."""
    if answer is None:
        return wrong(REPLACE_NONE)
    n, k = out_channels, kernel_size
    expected = 1 / n + 1 / k**2
    if not is_number(answer):
        return wrong(f"Give a number (a fraction such as 0.2); got {answer!r}.")
    a = float(answer)

    def near(x, tol=1e-3):
        return math.isclose(a, x, rel_tol=tol)

    if near(expected, 5e-3):  # three significant digits are enough (0.127)
        return right(
            f"1/{n} + 1/{k * k} = {expected:.4f}: the separable layer costs about "
            f"{expected:.1%} of the standard one, {1 / expected:.1f} times less."
        )
    if near(expected, 0.05):
        return wrong(
            f"Close, but rounded too far. Keep three digits, or type the sum itself: "
            f"1 / {n} + 1 / {k}**2."
        )
    if near(100 * expected, 5e-3):
        return wrong("That is a percentage. Give a fraction: a number between 0 and 1.")
    if near(1 - expected, 5e-3):
        return wrong(
            "That is the part SAVED (1 minus the ratio). The question asks for the part the "
            "separable layer still needs: separable / standard."
        )
    if near(1 / expected):
        return wrong(
            "You have it upside down: that is standard / separable. The ratio asked for is "
            "separable / standard, a number below 1."
        )
    if near(1 / n + 1 / k):
        return wrong(
            "The second term is 1/k^2, not 1/k: a standard layer has k^2 weights for each "
            "(output, input) pair, the point-wise step only 1. Don't confuse k^2 with k."
        )
    if near(1 / k**2):
        return wrong(
            "That is the point-wise part only, C_in N / (C_in N k^2) = 1/k^2. Add the "
            f"depth-wise part, C_in k^2 / (C_in N k^2) = 1/N = 1/{n}."
        )
    if near(1 / n):
        return wrong(
            "That is the depth-wise part only, C_in k^2 / (C_in N k^2) = 1/N. Add the "
            f"point-wise part, C_in N / (C_in N k^2) = 1/k^2 = 1/{k * k}."
        )
    if near(1 / (n * k**2)):
        return wrong("The two steps' costs add up; they do not multiply. Use 1/N + 1/k^2.")
    return wrong("Divide (C_in k^2 + C_in N) by C_in N k^2, term by term; C_in cancels out.")


def mobilenet_macs(
    answer, *, channels: int = 512, kernel_size: int = 3, size: int = 14
) -> Feedback:
    """Mult-adds of MobileNet's separable layer (Table 3): 3x3, 512 -> 512 channels on a
    14x14 map with padding 1. Right: ``(C k^2 + C N) H W``."""
    if answer is None:
        return wrong(REPLACE_NONE)
    c, k2, hw = channels, kernel_size**2, size * size
    expected = (c * k2 + c * c) * hw
    if not is_number(answer):
        return wrong(f"Give a number of multiply-accumulates; got {answer!r}.")
    a = float(answer)

    def near(x, tol=1e-3):
        return math.isclose(a, x, rel_tol=tol)

    if near(expected):
        return right(
            f"({c} x {k2} + {c} x {c}) x {hw} = {expected:,} mult-adds, "
            f"{expected / 1e6:.1f} million."
        )
    if a == (k2 + c * c) * hw:  # exact: it is within 0.1 % of the point-wise count
        return wrong(
            "You used one 3x3 kernel shared by all channels. The depth-wise step has one "
            f"kernel per channel: {c} x {k2} weights."
        )
    if near(c * c * k2 * hw):
        return wrong(
            f"That is the STANDARD layer ({c * c * k2 * hw / 1e6:.0f} million). The separable "
            "layer is a "
            "depth-wise step plus a point-wise step."
        )
    if near(c * k2 * hw):
        return wrong("That is the depth-wise step only; add the point-wise step, C x N x H x W.")
    if near(c * c * hw):
        return wrong("That is the point-wise step only; add the depth-wise step, C x k^2 x H x W.")
    if near(expected / 1e6, 5e-3):
        return wrong(
            f"That is the count in millions. Give the whole number: {expected / 1e6:.1f} "
            f"million is written {expected / 1e6:.1f}e6, or better, the exact product."
        )
    if near(c * k2 + c * c):
        return wrong(
            f"That is the number of weights. Every weight is used once per output pixel: "
            f"multiply by {size} x {size} = {hw}."
        )
    return wrong("Count the weights of both steps, then multiply by the output pixels H x W.")


def equivalent_kernel(answer, depthwise_weight, pointwise_weight) -> Feedback:
    """The standard kernel equal to a separable layer (M = 1):
    ``W[o, c] = P[o, c] * D[c]``, shape ``(C_out, C, kH, kW)``."""
    if answer is None:
        return wrong(REPLACE_NONE)
    expected, _ = separable_to_standard(depthwise_weight, pointwise_weight)
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"Give an array of shape {expected.shape}; got {answer!r}.")
    c_out, c = expected.shape[:2]
    if same_array(a, expected):
        return right(
            f"W[o, c] = P[o, c] * D[c], shape {expected.shape}: every output channel sees "
            "scaled copies of the same depth-wise kernels."
        )
    if a.shape == (c, c_out, *expected.shape[2:]) and same_array(a, expected.transpose(1, 0, 2, 3)):
        return wrong(
            "Your axes are swapped. A standard weight is (C_out, C_in, kH, kW): output channels "
            "first. Use P[o, c], not P[c, o]."
        )
    if same_array(a, expected[:, :, ::-1, ::-1]):
        return wrong(
            "Your kernels are flipped. Deep-learning convolution is cross-correlation: keep "
            "D as it is (no np.flip)."
        )
    if a.shape == (c_out, *expected.shape[2:]) and same_array(a, expected.sum(axis=1)):
        return wrong(
            "You summed over the input channels. Keep that axis: a standard kernel has one "
            "k x k slice per (output, input) pair, shape (C_out, C_in, kH, kW)."
        )
    return wrong(
        f"Build W of shape {expected.shape} with W[o, c] = P[o, c] * D[c, 0] "
        "(broadcasting: P[:, :, None, None] * D[None, :, 0])."
    )
