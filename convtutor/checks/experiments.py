"""Checks for the exercises of notebooks 06 (over-fitting) and 07 (speed).

Each check returns a :class:`~convtutor.checks.Feedback`; a wrong answer gets a hint
aimed at the likely mistake: counting epochs from 0 or watching the training curve,
trusting one seed, forgetting a bias vector, solving an inequality at its boundary,
believing that fewer multiply-accumulates (MACs) always means proportionally faster, or
counting FLOPs or bits where MACs and bytes were asked.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..cost import conv_cost
from . import REPLACE_NONE, Feedback, is_number, right, wrong

__all__ = [
    "check_best_epoch",
    "SEED_PUZZLE",
    "check_seed_reading",
    "check_block_params",
    "check_channels_for_ratio",
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


def _whole_answer(answer, what: str) -> Feedback | None:
    """A hint when ``answer`` is None or not a whole number; None when it is one."""
    if answer is None:
        return wrong(REPLACE_NONE)
    if not is_number(answer) or float(answer) != int(answer):
        return wrong(f"{what} is a whole number, such as 3; got {answer!r}.")
    return None


def _epochs_of(values, best) -> list[int]:
    """The epochs (counted from 1) at which ``values`` equals ``best``."""
    return [i + 1 for i, v in enumerate(values) if math.isclose(v, best, abs_tol=1e-12)]


def check_best_epoch(answer, history) -> Feedback:
    """Exercise: after which epoch (counted from 1) was the validation accuracy highest?

    That is the epoch whose weights *early stopping* keeps. When several epochs tie for
    the highest accuracy, each of them is accepted. ``history`` is a
    :class:`convtutor.experiment.History` (or anything with lists ``train_acc``,
    ``val_acc``, ``val_loss``).
    """
    hint = _whole_answer(answer, "An epoch number")
    if hint is not None:
        return hint
    answer = int(answer)
    val = [float(v) for v in history.val_acc]
    n = len(val)
    best = max(val)
    best_epochs = _epochs_of(val, best)
    if answer in best_epochs:
        gap = history.train_acc[answer - 1] - val[answer - 1]
        last_gap = history.train_acc[-1] - val[-1]
        ties = f" (epochs {', '.join(map(str, best_epochs))} tie)" if len(best_epochs) > 1 else ""
        later = (
            "it was the last epoch, so more epochs might still help."
            if answer == n
            else f"the {n - answer} epoch(s) after it did not beat it on new images."
        )
        return right(
            f"Epoch {answer}: validation accuracy {best:.3f}, the highest of the {n} "
            f"epochs{ties}. Its gap was {gap:.3f}, against {last_gap:.3f} after the last "
            f"epoch; {later}"
        )
    if not 1 <= answer <= n:
        if answer == 0 and 1 in best_epochs:
            return wrong("Epochs count from 1: np.argmax gives position 0, which is epoch 1.")
        return wrong(f"This run has {n} epochs, numbered 1 to {n}; got {answer}.")
    if answer + 1 in best_epochs:
        return wrong(
            "Off by one: np.argmax gives a position in the list, counted from 0. Epochs "
            "count from 1, so add 1."
        )
    if answer in _epochs_of(history.train_acc, max(history.train_acc)):
        return wrong(
            "That is where the TRAINING accuracy peaks. Over-fitting shows on new images: "
            "look for the highest VALIDATION accuracy, h.val_acc."
        )
    if answer in _epochs_of(history.val_loss, min(history.val_loss)):
        return wrong(
            "That is where the validation LOSS is lowest, a common stopping rule too. This "
            "exercise asks for the highest validation ACCURACY."
        )
    if answer == n:
        return wrong(
            f"The last epoch is not the best one in this run: its validation accuracy is "
            f"{val[-1]:.3f}, and an earlier epoch did better. Find the largest value in "
            "h.val_acc."
        )
    return wrong(
        f"After epoch {answer} the validation accuracy was {val[answer - 1]:.3f}; the highest "
        f"was {best:.3f}. Find where h.val_acc is largest (np.argmax), then count from 1."
    )


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


def _mac_ratio(c_out: int, k: int) -> float:
    """Standard MACs / separable MACs = C_out k^2 / (C_out + k^2); C_in cancels."""
    return c_out * k * k / (c_out + k * k)


def check_channels_for_ratio(answer, ratio=8, kernel_size=3) -> Feedback:
    """Exercise: from how many output channels on does a separable layer need more than
    ``ratio`` times fewer MACs than a standard one (``k x k``, depth multiplier M = 1)?

    The ratio is ``C_out k^2 / (C_out + k^2) = 1 / (1/C_out + 1/k^2)``, whatever
    ``C_in`` is; the answer is the smallest whole ``C_out`` for which it exceeds ``ratio``.
    """
    k = kernel_size
    if not ratio < k * k:
        raise ValueError(
            f"ratio must be below k^2 = {k * k} (the ratio never reaches it); got {ratio!r}"
        )
    hint = _whole_answer(answer, "A number of channels")
    if hint is not None:
        return hint
    answer = int(answer)
    boundary = Fraction(ratio).limit_denominator() * k * k / (k * k - Fraction(ratio))
    expected = math.floor(boundary) + 1
    if answer == expected:
        return right(
            f"At C_out = {expected} the ratio is {_mac_ratio(expected, k):.3f}; at "
            f"{expected - 1} it is {_mac_ratio(expected - 1, k):.3f}. C_in cancels, and the "
            f"ratio 1/(1/C_out + 1/k^2) never reaches k^2 = {k * k}: a {k}x{k} separable "
            f"layer saves more than {ratio:g} times only from {expected} output channels on."
        )
    if answer < 1:
        return wrong(f"A layer has at least 1 output channel; got {answer}.")
    if answer == boundary:
        return wrong(
            f"At C_out = {answer} the ratio is exactly {ratio:g}. The question asks for MORE "
            f"than {ratio:g} times fewer MACs: one channel more."
        )
    if answer > expected:
        return wrong(
            f"At C_out = {answer} the ratio is {_mac_ratio(answer, k):.2f}, more than "
            f"{ratio:g}; but a smaller C_out already gets there. Find the smallest."
        )
    return wrong(
        f"At C_out = {answer} the ratio is only {_mac_ratio(answer, k):.2f}. Per output "
        f"pixel a standard layer does C_in*C_out*k*k MACs and the separable one "
        f"C_in*k*k + C_in*C_out: divide, then solve ratio > {ratio:g} for C_out."
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
            f"byte (about k^2/8 = {k * k / 8:.2f}): each byte moved feeds only about "
            f"{expected:.1f} MACs. Whether that makes the layer wait for memory depends on how "
            "fast this machine moves bytes compared with how fast it multiplies: section 3 "
            "measures both."
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
    "a": "It runs 8 times faster: time is proportional to MACs.",
    "b": (
        "Only a measurement can tell. Its speed-up is 8 times the ratio of the two layers' "
        "MAC rates (MACs per second, separable over standard). Moving data and the fixed "
        "cost of each call, paid twice by the separable layer, often lower its rate; but "
        "the rate ratio may also be above 1."
    ),
    "c": "It is always slower than the standard layer.",
}


def check_speed_claim(answer) -> Feedback:
    """Exercise: a separable layer needs 8x fewer MACs. Which prediction is safest?

    The options ``"a"``, ``"b"``, ``"c"`` are in :data:`SPEED_OPTIONS`; the notebook
    prints them. The identity behind the answer: speed-up = MAC ratio x (MAC rate of the
    separable layer / MAC rate of the standard one), and nothing keeps the second factor
    at or below 1, so the MAC ratio is neither a promise nor a bound.
    """
    choice = _choice(answer)
    if choice == "b":
        return right(
            "Speed-up = t_standard / t_separable = MAC ratio x (MAC rate of the separable "
            "layer / MAC rate of the standard one). The MAC ratio is not a bound: the second "
            "factor can be below 1 (bytes to move, a fixed cost per call) or above 1. The "
            "'achieved' column of section 2 is that second factor on your CPU, and section 3 "
            "looks at which cost dominated."
        )
    if choice == "a":
        return wrong(
            "That is the 'fewer FLOPs => faster' trap: it holds only if both layers do their "
            "MACs at the same rate. Compare speedup with mac_ratio in the table of "
            "section 2: how many rows match their MAC ratio?"
        )
    if choice == "c":
        return wrong(
            "Too strong: 'always' needs a speed-up below 1 in every row of the table of "
            "section 2. Count the rows that have one. (Xception trained slower as a whole "
            "network on GPUs; that is not a rule for every layer.)"
        )
    return wrong(f"Answer 'a', 'b' or 'c'; got {answer!r}.")


def check_two_pass(answer, filter_rows) -> Feedback:
    """Exercise: at the largest k of section 5, how many multiplies per second did the two
    1-D passes do, for each multiply per second of the 2-D filter?

    ``filter_rows`` are :func:`convtutor.experiment.time_filters` rows. The rate ratio is
    ``(2k / t_two_pass) / (k^2 / t_2d) = speedup / (k / 2)``: the measured speed-up
    divided by the multiply ratio. Three digits are enough (the table prints rounded
    times); above 1 the passes beat the multiply ratio, so that ratio is no bound.
    """
    if answer is None:
        return wrong(REPLACE_NONE)
    if not is_number(answer):
        return wrong(f"Give one number, a ratio of multiplies per second; got {answer!r}.")
    row = max(filter_rows, key=lambda r: r["kernel_size"])
    k, speedup = row["kernel_size"], row["t_2d"] / row["t_two_pass"]
    predicted = k * k / (2 * k)
    expected = speedup / predicted
    if _close(answer, expected, rel=0.03):
        side = (
            "above 1: the passes did each multiply faster, and beat the multiply ratio"
            if expected > 1
            else "at most 1: the passes did each multiply no faster, and did not beat the "
            "multiply ratio"
        )
        return right(
            f"At k = {k}: speed-up {speedup:.2f} / multiply ratio {predicted:g} = "
            f"{expected:.2f}, {side}. Speed-up = multiply ratio x rate ratio, and nothing "
            "keeps the rate ratio at or below 1."
        )
    if _close(answer, speedup, rel=0.03):
        return wrong(
            f"{speedup:.2f} is the time ratio, the speed-up. The rate ratio is what is left "
            f"after the multiply ratio: divide by k^2 / 2k = {predicted:g}."
        )
    if _close(answer, predicted, rel=0.03):
        return wrong(
            f"{predicted:g} is the multiply ratio k^2 / 2k: how many times fewer multiplies "
            "the passes do. The question asks how fast they did them: use the times."
        )
    if _close(answer, 1 / expected, rel=0.03):
        return wrong("Upside down: put the two passes' rate on top, the 2-D filter's below.")
    if _close(answer, speedup * predicted, rel=0.03):
        return wrong(
            "You multiplied by the multiply ratio. Speed-up = multiply ratio x rate ratio: "
            "divide the speed-up by it."
        )
    return wrong(
        f"Rate = multiplies per pixel / time. At k = {k} the 2-D filter does k^2 = {k * k} "
        f"per pixel, the passes 2k = {2 * k}: divide the passes' rate by the 2-D filter's."
    )
