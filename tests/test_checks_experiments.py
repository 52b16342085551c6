"""Tests for convtutor.checks.experiments: the exercise checks of notebooks 06 and 07."""

from pathlib import Path

import pytest

import convtutor.experiment as ex
from convtutor.checks import experiments as chk

ROOT = Path(__file__).resolve().parents[1]


def _history(train_acc, val_acc, train_loss, val_loss):
    h = ex.History("standard", 0, 10, 1)
    h.train_acc, h.val_acc = list(train_acc), list(val_acc)
    h.train_loss, h.val_loss = list(train_loss), list(val_loss)
    return h


#: Seven epochs: validation accuracy peaks at epoch 2, training accuracy at epoch 3, the
#: validation loss is lowest at epoch 4; epoch 7 is the last.
RUN = _history(
    train_acc=[0.4, 0.7, 1.0, 0.95, 0.98, 0.97, 0.99],
    val_acc=[0.3, 0.6, 0.5, 0.55, 0.52, 0.51, 0.5],
    train_loss=[1.2, 0.8, 0.3, 0.4, 0.35, 0.36, 0.3],
    val_loss=[1.3, 1.0, 1.05, 0.9, 1.1, 1.2, 1.25],
)


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (2, True, "the highest of the 7"),
        (2.0, True, "did not beat it"),
        (1, False, "Off by one"),
        (3, False, "TRAINING accuracy"),
        (4, False, "validation LOSS"),
        (7, False, "last epoch is not the best"),
        (5, False, "was 0.520; the highest was 0.600"),
        (8, False, "numbered 1 to 7"),
        (0, False, "numbered 1 to 7"),
        (2.5, False, "whole number"),
        ("2", False, "whole number"),
        (None, False, "Replace None"),
    ],
)
def test_check_best_epoch(answer, ok, hint):
    """check_best_epoch wants the epoch (from 1) of the highest validation accuracy."""
    fb = chk.check_best_epoch(answer, RUN)
    assert bool(fb) is ok and hint in fb.message, fb.message


def test_check_best_epoch_accepts_ties_and_a_best_last_epoch():
    """Every epoch tied for the best is right; a best last epoch says more might help."""
    tied = _history([0.5, 0.6, 0.7], [0.4, 0.6, 0.6], [1, 1, 1], [1, 1, 1])
    assert chk.check_best_epoch(2, tied) and chk.check_best_epoch(3, tied)
    assert "epochs 2, 3 tie" in chk.check_best_epoch(3, tied).message
    assert "more epochs might still help" in chk.check_best_epoch(3, tied).message
    first = _history([0.5, 0.6], [0.6, 0.4], [1, 1], [1, 1])
    assert "position 0, which is epoch 1" in chk.check_best_epoch(0, first).message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("inconclusive", True, "overlap"),
        (" Inconclusive ", True, "overlap"),
        ("held", False, "seed 0 only"),
        ("reversed", False, "overlap?"),
        (3, False, "'held'"),
    ],
)
def test_check_seed_reading(answer, ok, hint):
    """check_seed_reading wants 'inconclusive' and warns against reading one seed."""
    fb = chk.check_seed_reading(answer)
    assert bool(fb) is ok and hint in fb.message


def test_seed_puzzle_agrees_with_compare_gaps():
    """The puzzle's right answer is what compare_gaps says about the same numbers."""
    verdict = ex.compare_gaps(chk.SEED_PUZZLE["standard"], chk.SEED_PUZZLE["separable"])
    assert verdict["verdict"] == "inconclusive"
    assert chk.check_seed_reading(verdict["verdict"])


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (1376, True, "1376"),
        (1312, False, "weights only"),
        (1344, False, "One bias vector"),
        (9248, False, "standard"),
        (320, False, "depth-wise step alone"),
        (1056, False, "point-wise step alone"),
        (1000, False, "four terms"),
        ("1376", False, "whole number"),
    ],
)
def test_check_block_params(answer, ok, hint):
    """check_block_params wants both steps' weights and biases and names each omission."""
    fb = chk.check_block_params(answer)
    assert bool(fb) is ok and hint in fb.message


def test_check_block_params_for_the_exercise_block():
    """06's exercise asks for a 32 -> 64 block, which section 3's table (32 -> 32) does not
    print: 2432 is right there, the table's 1376 is not."""
    assert chk.check_block_params(2432, in_channels=32, out_channels=64, kernel_size=3)
    assert not chk.check_block_params(1376, in_channels=32, out_channels=64, kernel_size=3)
    source = (ROOT / "notebooks" / "06_overfitting_experiment.md").read_text(encoding="utf-8")
    assert "chk.check_block_params(answer, in_channels=32, out_channels=64" in source


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (73, True, "only from 73 output channels on"),
        (73.0, True, "never reaches k^2 = 9"),
        (72, False, "exactly 8"),
        (74, False, "a smaller C_out already"),
        (200, False, "a smaller C_out already"),
        (64, False, "only 7.89"),
        (9, False, "solve ratio > 8"),
        (0, False, "at least 1"),
        (72.5, False, "whole number"),
        ("73", False, "whole number"),
        (None, False, "Replace None"),
    ],
)
def test_check_channels_for_ratio(answer, ok, hint):
    """check_channels_for_ratio wants the smallest C_out with a MAC ratio above 8 (k = 3)."""
    fb = chk.check_channels_for_ratio(answer)
    assert bool(fb) is ok and hint in fb.message, fb.message


def test_channels_for_ratio_agrees_with_conv_cost():
    """The accepted C_out is the first width where conv_cost's MAC ratio exceeds the target."""
    import convtutor as ct

    for ratio, k in ((8, 3), (20, 5), (2.5, 3), (40, 7)):
        widths = [
            c
            for c in range(1, 2000)
            if ct.conv_cost("standard", 5, c, k, 10, padding=k // 2).macs
            > ratio * ct.conv_cost("separable", 5, c, k, 10, padding=k // 2).macs
        ]
        assert chk.check_channels_for_ratio(widths[0], ratio=ratio, kernel_size=k)
        assert not chk.check_channels_for_ratio(widths[0] - 1, ratio=ratio, kernel_size=k)


def test_channels_for_ratio_rejects_an_unreachable_ratio():
    """A target of k^2 or more can never be met: ValueError naming ratio."""
    with pytest.raises(ValueError, match="ratio"):
        chk.check_channels_for_ratio(100, ratio=9, kernel_size=3)


def _intensity_parts(c=64, k=3, s=32):
    macs = c * k * k * s * s
    return macs, c * s * s, c * k * k


@pytest.mark.parametrize(
    ("which", "ok", "hint"),
    [
        ("right", True, "memory"),
        ("no_weights", True, "memory"),
        ("flops", False, "FLOPs"),
        ("no_output", False, "written too"),
        ("values", False, "4 bytes"),
        ("bits", False, "bits"),
        ("other", False, "Divide MACs"),
    ],
)
def test_check_intensity(which, ok, hint):
    """check_intensity wants MACs per byte with input, output and weights counted."""
    macs, values, weights = _intensity_parts()
    good = macs / (4 * (2 * values + weights))
    answer = {
        "right": good,
        "no_weights": macs / (4 * 2 * values),
        "flops": 2 * good,
        "no_output": macs / (4 * (values + weights)),
        "values": macs / (2 * values + weights),
        "bits": good / 8,
        "other": 100.0,
    }[which]
    assert ex.arithmetic_intensity("depthwise", 64, 3, 32)[2] == pytest.approx(good)
    fb = chk.check_intensity(answer)
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [("b", True, "not a bound"), ("B", True, "which cost dominated"), ("a", False, "trap"),
     ("c", False, "Too strong"), ("d", False, "'a', 'b' or 'c'")],
)  # fmt: skip
def test_check_speed_claim(answer, ok, hint):
    """check_speed_claim rejects 'fewer MACs => proportionally faster' and 'always slower'."""
    fb = chk.check_speed_claim(answer)
    assert bool(fb) is ok and hint in fb.message


ROWS = [  # time_filters rows: at k = 9 the passes ran 5.4x as fast, 1.2 x the k/2 predicted
    {"kernel_size": 3, "t_2d": 3e-3, "t_two_pass": 2e-3, "speedup": 1.5, "predicted": 1.5},
    {"kernel_size": 9, "t_2d": 27e-3, "t_two_pass": 5e-3, "speedup": 5.4, "predicted": 4.5},
]


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [(1.2, True, "above 1"), (1.19, True, "nothing keeps"), (5.4, False, "time ratio"),
     (4.5, False, "multiply ratio k^2 / 2k"), (1 / 1.2, False, "Upside down"),
     (5.4 * 4.5, False, "You multiplied"), (3, False, "Rate ="), ([1.2], False, "one number"),
     (None, False, "Replace None")],
)  # fmt: skip
def test_check_two_pass(answer, ok, hint):
    """check_two_pass wants speed-up / (k/2) at the largest k: the time ratio, the multiply
    ratio, an inverted or a multiplied answer each get their hint."""
    fb = chk.check_two_pass(answer, ROWS)
    assert bool(fb) is ok and hint in fb.message, fb.message


def test_check_two_pass_says_when_the_passes_were_slower_per_multiply():
    """A rate ratio below 1 is right too, and the message says so."""
    rows = [{"kernel_size": 9, "t_2d": 27e-3, "t_two_pass": 10e-3}]
    fb = chk.check_two_pass(2.7 / 4.5, rows)
    assert fb and "at most 1" in fb.message
    assert 5.4 / 4.5 == pytest.approx(1.2)  # the identity: speed-up = multiply ratio x rate ratio
