"""Checks for the exercises of notebooks 06 (over-fitting) and 07 (speed).

Each check returns a :class:`~convtutor.checks.Feedback`; a wrong answer gets a hint
aimed at the likely mistake: reading the gap with the wrong sign, trusting one seed,
forgetting a bias vector, believing that fewer multiply-accumulates (MACs) always means
proportionally faster, or counting FLOPs or bits where MACs and bytes were asked.
"""

from __future__ import annotations

import math

import numpy as np

from ..cost import conv_cost
from . import Feedback, is_number, right, wrong

__all__ = [
    "check_gap",
    "SEED_PUZZLE",
    "check_seed_reading",
    "check_block_params",
    "check_mac_ratio",
    "check_intensity",
    "SPEED_OPTIONS",
    "check_speed_claim",
    "check_two_pass",
]


def _close(a, b, rel=1e-3, abs_=1e-9) -> bool:
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


def _choice(answer) -> str | None:
    if not isinstance(answer, str):
        return None
    return answer.strip().strip("'\"()").lower() or None


# ------------------------------------------------------------------ notebook 06


def check_gap(answer, history) -> Feedback:
    """Exercise: the final-epoch accuracy gap of one run, ``train_acc - val_acc`` (a fraction).

    ``history`` is a :class:`convtutor.experiment.History` (or anything with lists
    ``train_acc``, ``val_acc``, ``train_loss``, ``val_loss``).
    """
    if not is_number(answer):
        return wrong(f"Give one number, the gap as a fraction (for example 0.12); got {answer!r}.")
    train_acc, val_acc = history.train_acc[-1], history.val_acc[-1]
    gap = train_acc - val_acc
    if _close(answer, gap, abs_=1e-6):
        verdict = "it over-fits" if gap > 0 else "it does not over-fit"
        return right(
            f"gap = {train_acc:.3f} - {val_acc:.3f} = {gap:.3f}: positive means the network "
            f"does better on images it has seen than on new ones; here {verdict}."
        )
    if not _close(gap, 0, abs_=1e-6) and _close(answer, -gap, abs_=1e-6):
        return wrong(
            "Check the sign: the gap is TRAINING accuracy minus VALIDATION accuracy, so a "
            "network that over-fits has a positive gap."
        )
    if _close(answer, 100 * gap, abs_=1e-4):
        return wrong("Right idea, but give the gap as a fraction (0.25), not in percent (25).")
    loss_gap = history.val_loss[-1] - history.train_loss[-1]
    if _close(answer, loss_gap, abs_=1e-6) or _close(answer, -loss_gap, abs_=1e-6):
        return wrong("That is the loss gap; the exercise asks for the ACCURACY gap.")
    first_gap = history.train_acc[0] - history.val_acc[0]
    if len(history.train_acc) > 1 and _close(answer, first_gap, abs_=1e-6):
        return wrong("That is the gap after the FIRST epoch; take the last one, index [-1].")
    return wrong("Take the last entries: history.train_acc[-1] - history.val_acc[-1].")


#: Gaps (training minus validation accuracy) of three seeds of each network, for
#: exercise 2 of notebook 06. Seed 0 alone suggests the separable net over-fits less.
SEED_PUZZLE = {
    "seeds": (0, 1, 2),
    "standard": (0.21, 0.08, 0.15),
    "separable": (0.11, 0.16, 0.09),
}


def check_seed_reading(answer) -> Feedback:
    """Exercise: what do all three seeds of :data:`SEED_PUZZLE` say about the claim?

    Answer ``"held"``, ``"reversed"`` or ``"inconclusive"`` (as
    :func:`convtutor.experiment.compare_gaps` would).
    """
    std = np.array(SEED_PUZZLE["standard"])
    sep = np.array(SEED_PUZZLE["separable"])
    choice = _choice(answer)
    if choice == "inconclusive":
        return right(
            f"The standard gaps span {std.min():.2f}-{std.max():.2f} and the separable ones "
            f"{sep.min():.2f}-{sep.max():.2f}: the ranges overlap, so three seeds cannot "
            "tell the networks apart, even though seed 0 alone looked decisive."
        )
    if choice == "held":
        return wrong(
            "You are reading seed 0 only (0.21 vs 0.11). Look at all three: seed 1 goes the "
            "other way. Compare the min-max ranges of the two sets of gaps."
        )
    if choice == "reversed":
        return wrong(
            "Seed 1 says the separable net over-fits more, but seeds 0 and 2 say the "
            "opposite. Do the two min-max ranges overlap?"
        )
    return wrong(f"Answer 'held', 'reversed' or 'inconclusive' (a string); got {answer!r}.")


def check_block_params(answer, in_channels=32, out_channels=32, kernel_size=3) -> Feedback:
    """Exercise: parameters of one separable block (depth-wise + point-wise, both with bias)."""
    if not is_number(answer):
        return wrong(f"Give one whole number of parameters; got {answer!r}.")
    c, n, k = in_channels, out_channels, kernel_size
    expected = conv_cost("separable", c, n, k, bias=True).params
    if answer == expected:
        return right(
            f"{c}*{k}*{k} + {c} (depth-wise weights and biases) + {c}*{n} + {n} (point-wise "
            f"weights and biases) = {expected}."
        )
    no_bias = conv_cost("separable", c, n, k).params
    standard = conv_cost("standard", c, n, k, bias=True).params
    if answer == no_bias:
        return wrong(
            f"You counted the weights only. Each of the two steps also has one bias per "
            f"output channel: {c} for the depth-wise step, {n} for the point-wise one."
        )
    if answer in (no_bias + c, no_bias + n):
        return wrong("One bias vector is missing: BOTH steps have a bias.")
    if answer in (standard, standard - n):
        return wrong(
            "That is a standard k x k convolution, where every filter spans all input "
            "channels. A separable block filters each channel on its own, then mixes with 1x1."
        )
    if answer in (c * k * k + c, c * k * k):
        return wrong("That is the depth-wise step alone; add the point-wise 1x1 step.")
    if answer in (c * n + n, c * n):
        return wrong("That is the point-wise step alone; add the depth-wise k x k step.")
    return wrong(
        "Add four terms: depth-wise weights C*k*k, depth-wise biases C, point-wise "
        "weights C*N, point-wise biases N."
    )


# ------------------------------------------------------------------ notebook 07


def check_mac_ratio(answer, channels=64, kernel_size=3) -> Feedback:
    """Exercise: how many times fewer MACs a separable layer needs (C -> C, k x k, M = 1)."""
    if not is_number(answer):
        return wrong(f"Give one number, standard MACs / separable MACs; got {answer!r}.")
    c, k = channels, kernel_size
    expected = 1 / (1 / c + 1 / k**2)
    if _close(answer, expected, rel=5e-3):
        return right(
            f"standard / separable = 1 / (1/{c} + 1/{k * k}) = {expected:.2f}: the "
            "image size cancels, so the ratio holds for any input size."
        )
    if _close(answer, 1 / expected, rel=5e-3):
        return wrong(
            "You computed separable / standard (a fraction below 1). The question asks how "
            "many times FEWER: standard / separable."
        )
    if _close(answer, k**2, rel=5e-3):
        return wrong(
            f"{k * k} would hold if the separable layer were only its depth-wise step. Add "
            "the point-wise step's C*C MACs per pixel."
        )
    if _close(answer, c, rel=5e-3):
        return wrong(
            f"{c} would hold if the separable layer were only its point-wise step. Add the "
            "depth-wise step's C*k*k MACs per pixel."
        )
    return wrong(
        "Per output pixel a standard layer does C*C*k*k MACs; the separable one does "
        "C*k*k + C*C. Divide."
    )


def check_intensity(answer, channels=64, kernel_size=3, size=32) -> Feedback:
    """Exercise: arithmetic intensity (MACs per byte, float32) of a depth-wise layer.

    The layer is ``same``-padded on a ``(C, size, size)`` input; the bytes are the input
    read once, the output written once and the weights read once, 4 bytes each.
    """
    if not is_number(answer):
        return wrong(f"Give one number, MACs per byte; got {answer!r}.")
    c, k, s = channels, kernel_size, size
    macs = c * k * k * s * s
    values, weights = c * s * s, c * k * k
    expected = macs / (4 * (2 * values + weights))
    if _close(answer, expected, rel=1e-2):  # forgetting the small weight term is fine
        return right(
            f"{macs:,} MACs / {4 * (2 * values + weights):,} bytes = {expected:.2f} MACs per "
            f"byte (about k^2/8 = {k * k / 8:.2f}): each value moved is used only ~k^2/8 "
            "times, so memory, not arithmetic, sets the pace."
        )
    if _close(answer, 2 * expected, rel=2e-3):
        return wrong("You counted FLOPs (2 per MAC). The exercise asks for MACs per byte.")
    if any(_close(answer, macs / (4 * v), rel=2e-3) for v in (values + weights, values)):
        return wrong(
            "The output has to be written too: bytes = 4 * (input values + output values "
            "+ weights)."
        )
    if _close(answer, 4 * expected, rel=1e-2):
        return wrong("You divided by the number of VALUES moved. Each float32 value is 4 bytes.")
    if _close(answer, expected / 8, rel=1e-2):
        return wrong("You counted bits. Use bytes: a float32 is 4 bytes.")
    return wrong(
        "MACs = C*k*k*H*W (same padding); bytes = 4 * (C*H*W read + C*H*W written + "
        "C*k*k weights). Divide MACs by bytes."
    )


#: The options of exercise 3 of notebook 07 (see :func:`check_speed_claim`).
SPEED_OPTIONS = {
    "a": "It runs about 8 times faster: time is proportional to MACs.",
    "b": (
        "It is faster by less than 8 times, perhaps not at all: its depth-wise step does "
        "few MACs per byte it moves, so memory traffic, not arithmetic, sets its time."
    ),
    "c": "It is always slower than the standard layer.",
}


def check_speed_claim(answer) -> Feedback:
    """Exercise: a separable layer needs 8x fewer MACs. Which prediction is safest?

    The options ``"a"``, ``"b"``, ``"c"`` are in :data:`SPEED_OPTIONS`; the notebook
    prints them.
    """
    choice = _choice(answer)
    if choice == "b":
        return right(
            "The MAC ratio is the best case, reached only if both layers used the processor "
            "equally well: the depth-wise step is memory-bound, and one layer becomes two, "
            "each reading and writing the whole tensor. Your table shows how much of the 8x "
            "survives on your CPU."
        )
    if choice == "a":
        return wrong(
            "That is the 'fewer FLOPs => faster' trap. Time is set by whichever is slower, "
            "arithmetic or memory traffic; the depth-wise step moves almost as many bytes "
            "as it does MACs. Compare speedup with mac_ratio in your own table."
        )
    if choice == "c":
        return wrong(
            "Too pessimistic: look at your table, where the separable layer is often "
            "faster, just by less than the MAC ratio. (Xception trained slower as a whole "
            "network on GPUs; that is not a rule for every layer.)"
        )
    return wrong(f"Answer 'a', 'b' or 'c'; got {answer!r}.")


def check_two_pass(answer, kernel_size=9) -> Feedback:
    """Exercise: predicted speed-up of two 1-D passes over one 2-D pass (multiplies per pixel)."""
    if not is_number(answer):
        return wrong(f"Give one number, (2-D multiplies) / (two-pass multiplies); got {answer!r}.")
    k = kernel_size
    expected = k * k / (2 * k)
    if _close(answer, expected):
        return right(
            f"{k}x{k} = {k * k} multiplies against {k} + {k} = {2 * k}: {expected:g} times."
        )
    if _close(answer, k):
        return wrong(f"Two passes, each {k} multiplies per pixel: divide {k * k} by {2 * k}.")
    if _close(answer, 1 / expected):
        return wrong("Upside down: the question asks 2-D cost divided by two-pass cost.")
    if _close(answer, k * k - 2 * k):
        return wrong("That is the difference in multiplies; the speed-up is a ratio.")
    return wrong(f"A {k}x{k} kernel costs k*k multiplies per pixel; two 1-D passes cost k + k.")
