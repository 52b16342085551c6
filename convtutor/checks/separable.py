"""Checks for notebook 04, the depth-wise separable convolution.

Each function takes the student's answer and returns a :class:`~convtutor.checks.Feedback`:
what is right, or a hint aimed at the likely mistake (forgot ``C_in`` in the point-wise
count, thought one kernel is shared by all channels, counted only one of the two steps,
confused ``k^2`` with ``k``, gave the saving for the fraction kept, flipped a kernel,
picked a zero slice as a pattern, transposed ``P``, left out BatchNorm's ``gamma`` and
``beta`` or counted its running statistics).

>>> from convtutor.checks import separable as check
>>> bool(check.params(16 * 9 + 16 * 32, in_channels=16, out_channels=32, kernel_size=3))
True
"""

from __future__ import annotations

import math
import re

import numpy as np

from .. import kernels
from ..conv import separable_to_standard
from ..spatial import kernel_rank
from . import Feedback, exercise, first_match, is_number, right, same_array, wrong

__all__ = [
    "params",
    "cost_ratio",
    "RANK_ONE_WEIGHT",
    "recover_factors",
    "CANDIDATE_KERNELS",
    "reachable_kernels",
    "block_params",
]


@exercise()
def params(
    answer, *, in_channels: int = 16, out_channels: int = 32, kernel_size: int = 3
) -> Feedback:
    """Weights of a depth-wise separable layer (no bias, M = 1):
    ``C_in k^2 + C_in C_out``."""
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


@exercise()
def cost_ratio(answer, *, out_channels: int = 48, kernel_size: int = 3) -> Feedback:
    """The fraction of a standard layer's cost that a separable layer keeps:
    separable / standard = ``1/C_out + 1/k^2``, as a number. (The saving is 1 minus it.)"""
    n, k = out_channels, kernel_size
    expected = 1 / n + 1 / k**2
    if not is_number(answer):
        return wrong(f"Give a number (a fraction such as 0.2); got {answer!r}.")
    a = float(answer)

    def near(x, tol=1e-3):
        return math.isclose(a, x, rel_tol=tol)

    if near(expected, 5e-3):  # three significant digits are enough (0.132)
        return right(
            f"1/{n} + 1/{k * k} = {expected:.4f}: the separable layer keeps {expected:.1%} of "
            f"the standard layer's multiply-accumulates ({1 / expected:.1f} times fewer), so "
            f"it saves {1 - expected:.1%}."
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
            "That is the saving, 1 minus the fraction kept. The question asks for the "
            "fraction the separable layer keeps: separable / standard."
        )
    if near(1 / expected):
        return wrong(
            "You have it upside down: that is standard / separable, how many times fewer. "
            "The fraction kept is separable / standard, a number below 1."
        )
    if near(1 / n + 1 / k):
        return wrong(
            "The second term is 1/k^2, not 1/k: a standard layer has k^2 weights for each "
            "(output, input) pair, the point-wise step only 1. Don't confuse k^2 with k."
        )
    if near(1 / k**2):
        return wrong(
            "That is the point-wise part only, C_in C_out / (C_in C_out k^2) = 1/k^2. Add the "
            f"depth-wise part, C_in k^2 / (C_in C_out k^2) = 1/C_out = 1/{n}."
        )
    if near(1 / n):
        return wrong(
            "That is the depth-wise part only, C_in k^2 / (C_in C_out k^2) = 1/C_out. Add the "
            f"point-wise part, C_in C_out / (C_in C_out k^2) = 1/k^2 = 1/{k * k}."
        )
    if near(1 / (n * k**2)):
        return wrong("The two steps' costs add up; they do not multiply. Use 1/C_out + 1/k^2.")
    return wrong(
        "Divide (C_in k^2 + C_in C_out) by C_in C_out k^2, term by term; C_in cancels out."
    )


def _rank_one_weight() -> np.ndarray:
    """Exercise 3's weight: W[o, c] = P[o, c] D[c], with zero slices in output 0."""
    depthwise = np.stack(
        [
            kernels.SOBEL_X,
            np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]),  # a 3x3 binomial blur, unnormalised
            kernels.LAPLACIAN,
        ]
    )[:, None]
    pointwise = np.array([[0.0, 0.0, 2.0], [1.0, -1.0, 0.0], [2.0, 0.5, 1.0], [-1.0, 3.0, 0.0]])
    weight, _ = separable_to_standard(depthwise, pointwise)
    weight.setflags(write=False)
    return weight


#: Exercise 3: a standard weight (C_out, C_in, k, k) = (4, 3, 3, 3), rank 1 per input
#: channel, so a separable layer can make it. Output 0 has zero slices for channels 0 and 1.
RANK_ONE_WEIGHT = _rank_one_weight()


@exercise(answers=2)
def recover_factors(depthwise_weight, pointwise_weight) -> Feedback:
    """Exercise 3: a depth-wise weight ``D`` (3, 1, 3, 3) and a point-wise matrix ``P``
    (4, 3) with ``P[o, c] D[c] = RANK_ONE_WEIGHT[o, c]``. Any such pair is right: ``D[c]``
    may be scaled by any ``a != 0`` if ``P[:, c]`` is scaled by ``1/a``."""
    target = np.asarray(RANK_ONE_WEIGHT)
    c_out, c_in, kh, kw = target.shape
    try:
        d = np.asarray(depthwise_weight, dtype=float)
        p = np.asarray(pointwise_weight, dtype=float)
    except (TypeError, ValueError):
        return wrong(
            f"Give D_ex3 and P_ex3 as arrays of numbers, shapes ({c_in}, 1, {kh}, {kw}) and "
            f"({c_out}, {c_in})."
        )
    if d.shape == (c_in, kh, kw):
        return wrong(
            f"D_ex3 needs the depth-wise weight's length-1 axis: shape ({c_in}, 1, {kh}, {kw}), "
            f"one kernel per input channel. D_ex3[:, None] adds it."
        )
    if d.shape != (c_in, 1, kh, kw):
        return wrong(
            f"D_ex3 holds one {kh} x {kw} kernel per input channel: shape "
            f"({c_in}, 1, {kh}, {kw}); got {d.shape}."
        )
    if p.shape == (c_in, c_out):
        hint = " (P_ex3.T would be right)" if _rebuilds(d, p.T, target) else ""
        return wrong(
            f"P_ex3 has one row per OUTPUT channel and one column per input channel: shape "
            f"({c_out}, {c_in}); yours is the transpose{hint}."
        )
    if p.shape != (c_out, c_in):
        return wrong(f"P_ex3 has shape (C_out, C_in) = ({c_out}, {c_in}); got {p.shape}.")
    if _rebuilds(d, p, target):
        return right(
            f"P[o, c] D[c] rebuilds all {target.size} numbers of W from {d.size} + {p.size}: "
            "each input channel's slices are copies of one pattern, scaled by a column of P."
        )
    if _rebuilds(d[:, :, ::-1, ::-1], p, target):
        return wrong(
            "Your kernels are flipped. Take the slices of W as they are: deep-learning "
            "convolution is cross-correlation, with no flip."
        )
    for c in range(c_in):
        if np.allclose(p[:, c, None, None] * d[c, 0], target[:, c]):
            continue
        pattern = d[c, 0]
        if not np.any(pattern):
            zero = " and ".join(f"W[{o}, {c}]" for o in range(c_out) if not np.any(target[o, c]))
            return wrong(
                f"D_ex3[{c}] is all zeros, so channel {c} cannot be rebuilt ({zero} is zero). "
                f"Take as D_ex3[{c}, 0] a slice of channel {c} that is not zero."
            )
        stacked = np.vstack([target[:, c].reshape(c_out, -1), pattern.reshape(1, -1)])
        if kernel_rank(stacked) == 1:
            return wrong(
                f"D_ex3[{c}] has channel {c}'s pattern; now P_ex3[:, {c}] must hold, for each "
                f"output o, the multiple of D_ex3[{c}, 0] that gives W[o, {c}]: the dot product "
                f"of the two divided by the pattern's squared length."
            )
        return wrong(
            f"D_ex3[{c}] is not a multiple of channel {c}'s pattern. Every slice W[o, {c}] is "
            f"a multiple of one pattern: take one of them that is not zero."
        )
    return wrong("Rebuild W with P_ex3[:, :, None, None] * D_ex3[None, :, 0] and compare.")


def _rebuilds(d: np.ndarray, p: np.ndarray, target: np.ndarray) -> bool:
    """True when ``P[o, c] D[c]`` equals ``target`` for every ``o`` and ``c``."""
    product = p[:, :, None, None] * d[None, :, 0]
    return same_array(product, target, atol=1e-6)


def _candidates() -> dict[str, np.ndarray]:
    """Four standard weights of shape (C_out, C_in, k, k) = (3, 2, 3, 3) for exercise 4."""
    d = np.stack([kernels.SOBEL_X, kernels.SHARPEN])  # one pattern per input channel
    p = np.array([[1.0, -2.0], [0.5, 1.0], [-3.0, 0.0]])
    a = p[:, :, None, None] * d[None]  # W[o, c] = P[o, c] D[c]: reachable
    b = p[:, :, None, None] * kernels.box(3)[None, None]  # one pattern everywhere: reachable
    e = np.stack([kernels.SOBEL_X, kernels.SOBEL_Y, kernels.SHARPEN])  # one pattern per OUTPUT
    c = np.abs(p)[:, :, None, None] + 0.5
    c = c * e[:, None]  # W[o, c] = s[o, c] E[o]: input 0's slices differ: not reachable
    d_ = a.copy()
    d_[2, 0] = kernels.SOBEL_Y  # one slice of input 0 is a new pattern: not reachable
    found = {"K1": a, "K2": b, "K3": c, "K4": d_}
    for w in found.values():
        w.setflags(write=False)
    return found


#: Exercise 4: which of these standard weights can a separable layer (M = 1) make?
CANDIDATE_KERNELS = _candidates()


def _kernel_names(answer):
    """The answer as a set of names ``K1``... (``"k2"``, ``2`` and ``"K 2"`` count too), or
    None when it is not names."""
    if isinstance(answer, str):
        items = re.findall(r"[A-Za-z]*\s*\d+|[A-Za-z]+", answer)
    else:
        try:
            items = list(answer)
        except TypeError:
            return None
    found = set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            return None
        text = re.sub(r"\s+", "", str(item)).upper()
        if text.isdigit():
            text = "K" + text
        if text:
            found.add(text)
    return found


def _per_input_ranks(w: np.ndarray) -> list[int]:
    return [kernel_rank(w[:, c].reshape(w.shape[0], -1)) for c in range(w.shape[1])]


@exercise()
def reachable_kernels(answer) -> Feedback:
    """Exercise 4: which of :data:`CANDIDATE_KERNELS` equal a separable layer (M = 1)?

    A standard weight ``W`` is one exactly when, for every input channel ``c``, the slices
    ``W[0, c], W[1, c], ...`` are multiples of one pattern (rank 1 per input channel).
    ``answer`` is a set (or list, or string) of names, such as ``{"K1", "K2"}`` or
    ``"K1 K2"``. (Named K1-K4, not letters, so they cannot be confused with the channel
    counts C or the depth-wise weight D.)
    """
    names = sorted(CANDIDATE_KERNELS)
    expected = {n for n, w in CANDIDATE_KERNELS.items() if _per_input_ranks(w) == [1, 1]}
    letters = _kernel_names(answer)
    if letters is None:
        return wrong(f"Give a set of names, such as {{'K1', 'K2'}} or 'K1 K2'; got {answer!r}.")
    unknown = sorted(letters - set(names))
    if unknown:
        return wrong(f"The kernels are {', '.join(names)}; {', '.join(unknown)} is not one.")
    if letters == expected:
        return right(
            f"{' and '.join(sorted(expected))}: in each, every input channel's slices are "
            "multiples of one pattern (rank 1 per input channel), so W[o, c] = P[o, c] D[c]. "
            "K3 keeps one pattern per OUTPUT channel, and K4 breaks the pattern in one slice."
        )
    if "K3" in letters:
        return wrong(
            "K3 has one pattern per OUTPUT channel: W[o, c] is a multiple of E[o]. A separable "
            "layer needs one pattern per INPUT channel, D[c]. Read down the slices of one "
            "input channel, W[:, c]: in K3 they are different patterns."
        )
    if "K4" in letters:
        return wrong(
            "Look at input channel 0 of K4: one of its three slices is not a multiple of the "
            "others. Its (3, 9) matrix has rank 2, and P[o, c] D[c] only makes rank 1."
        )
    if "K2" not in letters:
        return wrong(
            "K2 is reachable: its slices are all multiples of ONE pattern. Nothing stops "
            "D[0] and D[1] from being equal; rank 1 per input channel is all it takes."
        )
    return wrong(
        "K1 is reachable: down each input channel its slices are the same pattern, only "
        "scaled (some by a negative number, some by zero). Check each input channel's "
        "(C_out, k*k) matrix with ct.kernel_rank."
    )


@exercise(whole_number=True)
def block_params(
    answer, *, in_channels: int = 32, out_channels: int = 64, kernel_size: int = 3
) -> Feedback:
    """Parameters of MobileNet's separable block (3x3 depth-wise -> BatchNorm -> ReLU ->
    1x1 -> BatchNorm -> ReLU, convolutions without bias): the two steps' weights plus
    ``gamma`` and ``beta`` of each BatchNorm, ``C_in k^2 + 2 C_in + C_in C_out + 2 C_out``."""
    c, n, k2 = in_channels, out_channels, kernel_size**2
    weights = c * k2 + c * n
    expected = weights + 2 * c + 2 * n
    if answer == expected:
        return right(
            f"{c} x {k2} + 2 x {c} + {c} x {n} + 2 x {n} = {expected}: the two steps' "
            f"weights ({weights}), plus gamma and beta for each channel of the two BatchNorms "
            f"({2 * c} after the depth-wise step, {2 * n} after the point-wise one). The "
            "running means and variances are buffers, not parameters."
        )
    standard = c * n * k2
    mistakes = [
        (weights, "That is the two convolutions' weights only. Each step is followed by a "
         "BatchNorm, and a BatchNorm learns 2 numbers per channel: a scale gamma and a shift "
         "beta."),
        (expected + 2 * c + 2 * n, "You counted the running mean and variance too. Those are "
         "buffers, not parameters: training averages them from the data, and "
         "block.parameters() does not list them. Count gamma and beta only."),
        (weights + c + n, "A BatchNorm learns TWO numbers per channel, a scale gamma and a "
         "shift beta."),
        (weights + 2 * n, "That counts one BatchNorm, after the point-wise step. There is "
         f"another after the depth-wise step, on its {c} channels."),
        (weights + 2 * c, "That counts one BatchNorm, after the depth-wise step. There is "
         f"another after the point-wise step, on its {n} channels."),
        (weights + 4 * n, f"The first BatchNorm follows the depth-wise step: it has {c} "
         f"channels (C_in), not {n}."),
        (expected + c + n, "MobileNet's convolutions have no bias (bias=False): the BatchNorm "
         "right after each one adds its own shift. Count the weights, gamma and beta."),
        (standard + 2 * n, "That is a STANDARD block (conv -> BatchNorm -> ReLU). The "
         "separable block has a depth-wise and a point-wise step, each with its BatchNorm."),
        (standard, "That is a standard layer's weights. The separable block has a depth-wise "
         "step (C_in k^2), a point-wise step (C_in C_out), and a BatchNorm after each."),
    ]  # fmt: skip
    hint = first_match(answer, mistakes)
    if hint is not None:
        return hint
    return wrong(
        "Add four parts: depth-wise weights (C_in k^2), the first BatchNorm (2 C_in), "
        "point-wise weights (C_in C_out) and the second BatchNorm (2 C_out). A ReLU has none."
    )
