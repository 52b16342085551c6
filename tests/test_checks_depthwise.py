"""Exercise checks of notebook 02 (depth-wise convolution): right answers pass, each
anticipated mistake gets its own hint."""

import numpy as np
import pytest

import convtutor as ct
from convtutor.checks import Feedback
from convtutor.checks import depthwise as check
from tests.support.optional_torch import torch


def _assert_wrong(feedback, *fragments):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok, feedback.message
    for fragment in fragments:
        assert fragment in feedback.message, (fragment, feedback.message)


def test_depthwise_channels_right():
    """576 weights, 3x3, depth-wise: 64 channels, as conv_cost and PyTorch (groups=64) count."""
    layer = torch.nn.Conv2d(64, 64, 3, groups=64, bias=False)
    assert sum(p.numel() for p in layer.parameters()) == 576
    assert ct.conv_cost("depthwise", 64, 64, 3).params == 576
    assert check.depthwise_channels(64).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (1, "shared by all the channels"),
        (8, "counts a standard layer"),
        (192, "9 numbers, not 3"),
        (96, "added the kernel's height and width"),
        (576, "number of weights"),
        (9, "size of one kernel"),
        (100, "Solve for the channels"),
        ("64", "without quotes"),
    ],
)
def test_depthwise_channels_hints(answer, fragment):
    """A shared kernel, a standard count, k for k^2 and the weights themselves get their hint."""
    _assert_wrong(check.depthwise_channels(answer), fragment)


def test_depthwise_channels_standard_reading_is_a_whole_number():
    """The standard-layer reading C * C * 9 = 576 gives C = 8 exactly, so the hint can fire."""
    assert 8 * 8 * 9 == check.DEPTHWISE_LAYER["weights"]


def test_multiplier_parameters_right():
    """16 channels, M = 2, 5x5: 800 weights, as conv_cost and PyTorch count."""
    layer = torch.nn.Conv2d(16, 32, 5, groups=16, bias=False)
    expected = sum(p.numel() for p in layer.parameters())
    assert expected == ct.conv_cost("depthwise", 16, 32, 5, depth_multiplier=2).params == 800
    assert check.multiplier_parameters(expected).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (400, "forgot the depth multiplier"),
        (50, "one set of 2 kernels for all the channels"),
        (25, "one kernel for everything"),
        (16 * 32 * 25, "standard 16 -> 32 layer"),
        (32, "number of output channels"),
        (16 * 2 * 5, "25 numbers, not 5"),
        (801, "C_in x M kernels"),
        (None, "Replace None"),
    ],
)
def test_multiplier_parameters_hints(answer, fragment):
    """A forgotten multiplier, a shared kernel and a standard count each get their hint."""
    _assert_wrong(check.multiplier_parameters(answer), fragment)


def test_equivalent_standard_weight_right():
    """ct.depthwise_to_standard's answer is accepted, and it equals the depth-wise layer."""
    weight = ct.depthwise_to_standard(check.DEPTHWISE_WEIGHT, 3)
    x = ct.data.sample_image(16)
    np.testing.assert_allclose(
        ct.conv2d(x, weight), ct.depthwise_conv2d(x, check.DEPTHWISE_WEIGHT), atol=1e-12
    )
    assert check.equivalent_standard_weight(weight).ok


def test_equivalent_standard_weight_hints():
    """Shared kernels, the depth-wise shape, misplaced kernels and other shapes get their hints."""
    dw = np.asarray(check.DEPTHWISE_WEIGHT)
    shared = np.repeat(dw, 3, axis=1)
    _assert_wrong(check.equivalent_standard_weight(shared), "shared by all channels")
    _assert_wrong(check.equivalent_standard_weight(dw), "depth-wise weight itself")
    _assert_wrong(check.equivalent_standard_weight(np.zeros((3, 3, 3))), "(3, 3, 3, 3)")
    _assert_wrong(check.equivalent_standard_weight("W"), "array of numbers")
    misplaced = ct.depthwise_to_standard(dw[::-1], 3)  # kernels in the wrong order
    _assert_wrong(check.equivalent_standard_weight(misplaced), "filter o holds")
    noisy = ct.depthwise_to_standard(dw, 3) + 1.0
    _assert_wrong(check.equivalent_standard_weight(noisy), "np.zeros((3, 3, 3, 3))")
    every = np.broadcast_to(dw[:, 0][None], (3, 3, 3, 3))  # W[o, c] = dw[c, 0] for all o
    _assert_wrong(check.equivalent_standard_weight(every), "Every filter holds all three")
    _assert_wrong(check.equivalent_standard_weight(np.zeros((3, 3, 3, 3))), "All zeros")
    flipped = ct.depthwise_to_standard(dw[:, :, ::-1, ::-1], 3)
    _assert_wrong(check.equivalent_standard_weight(flipped), "You flipped the kernels")


def test_equivalent_standard_weight_counts_forced_zeros():
    """The verdict counts the 54 off-diagonal numbers, not the zeros inside the kernels."""
    feedback = check.equivalent_standard_weight(ct.depthwise_to_standard(check.DEPTHWISE_WEIGHT, 3))
    assert feedback.ok
    assert "54 of the 81 numbers are forced to zero" in feedback.message


def test_torch_weight_shape_right():
    """The shape PyTorch really gives nn.Conv2d(8, 16, 3, groups=8) is accepted."""
    layer = torch.nn.Conv2d(8, 16, 3, groups=8)
    assert tuple(layer.weight.shape) == (16, 1, 3, 3)
    assert check.torch_weight_shape(layer.weight.shape).ok
    assert check.torch_weight_shape([16, 1, 3, 3]).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ((16, 8, 3, 3), "standard layer (groups=1)"),
        ((8, 2, 3, 3), "along the first axis"),
        ((8, 1, 3, 3), "one kernel per channel"),
        ((16, 3, 3), "keeps the input-slice axis"),
        ((16, 2, 3, 3), "second axis is C_in / groups = 8 / 8 = 1"),
        ((16, 1, 5, 5), "(C_out, C_in / groups, kH, kW)"),
        (16, "tuple of whole numbers"),
        ((16, 1, 3, 3.5), "tuple of whole numbers"),
    ],
)
def test_torch_weight_shape_hints(answer, fragment):
    """A standard shape, a multiplier on the wrong axis and a dropped axis each get their hint."""
    _assert_wrong(check.torch_weight_shape(answer), fragment)


@pytest.mark.parametrize(
    "func",
    [
        check.depthwise_channels,
        check.multiplier_parameters,
        check.equivalent_standard_weight,
        check.torch_weight_shape,
    ],
)
def test_untouched_answer_asks_for_one(func):
    """The starter value None is met with 'replace None', not a hint about a mistake."""
    _assert_wrong(func(None), "Replace None")
