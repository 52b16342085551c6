"""Tests for convtutor.checks.experiments: the exercise checks of notebooks 06 and 07."""

import pytest

import convtutor.experiment as ex
from convtutor.checks import experiments as chk


def _history(train_acc, val_acc, train_loss=(1.0, 0.5), val_loss=(1.1, 0.9)):
    h = ex.History("standard", 0, 10, 1)
    h.train_acc, h.val_acc = list(train_acc), list(val_acc)
    h.train_loss, h.val_loss = list(train_loss), list(val_loss)
    return h


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (0.25, True, "over-fits"),
        (-0.25, False, "sign"),
        (25, False, "percent"),
        (0.4, False, "loss gap"),
        (0.1, False, "FIRST"),
        (0.7, False, "last entries"),
        ("0.25", False, "one number"),
    ],
)
def test_check_gap(answer, ok, hint):
    """check_gap accepts train - val at the last epoch and names each likely mistake."""
    fb = chk.check_gap(answer, _history([0.5, 0.95], [0.4, 0.70]))
    assert bool(fb) is ok and hint in fb.message


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


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (1 / (1 / 64 + 1 / 9), True, "cancels"),
        (7.89, True, "cancels"),
        (1 / 64 + 1 / 9, False, "FEWER"),
        (9, False, "depth-wise step"),
        (64, False, "point-wise step"),
        (2.0, False, "Divide"),
        (None, False, "one number"),
    ],
)
def test_check_mac_ratio(answer, ok, hint):
    """check_mac_ratio wants standard / separable MACs and spots the usual slips."""
    fb = chk.check_mac_ratio(answer)
    assert bool(fb) is ok and hint in fb.message


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
    [("b", True, "best case"), ("B", True, "best case"), ("a", False, "trap"),
     ("c", False, "pessimistic"), ("d", False, "'a', 'b' or 'c'")],
)  # fmt: skip
def test_check_speed_claim(answer, ok, hint):
    """check_speed_claim rejects 'fewer MACs => proportionally faster' and 'always slower'."""
    fb = chk.check_speed_claim(answer)
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [(4.5, True, "81"), (9, False, "Two passes"), (2 / 9, False, "Upside down"),
     (63, False, "difference"), (3, False, "k + k"), ([4.5], False, "one number")],
)  # fmt: skip
def test_check_two_pass(answer, ok, hint):
    """check_two_pass wants k^2 / (2k) and names the forgotten pass, inversion or difference."""
    fb = chk.check_two_pass(answer)
    assert bool(fb) is ok and hint in fb.message
