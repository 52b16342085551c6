"""Exercise checks of notebooks 00 (start) and 01 (standard convolution): right answers pass,
each anticipated mistake gets its own hint."""

import numpy as np
import pytest

import convtutor as ct
from convtutor.checks import Feedback, start
from convtutor.checks import standard as check
from tests.support.optional_torch import torch


def _assert_wrong(feedback, *fragments):
    assert isinstance(feedback, Feedback)
    assert not feedback.ok, feedback.message
    for fragment in fragments:
        assert fragment in feedback.message, (fragment, feedback.message)


# ---- 01, exercise 1: parameter count -------------------------------------------------
def test_parameter_count_right():
    """16 -> 32 channels, 5x5, no bias: 12,800 weights, as conv_cost and PyTorch count."""
    layer = torch.nn.Conv2d(16, 32, 5, bias=False)
    expected = sum(p.numel() for p in layer.parameters())
    assert expected == ct.conv_cost("standard", 16, 32, 5).params == 12_800
    assert check.parameter_count(expected).ok
    assert check.parameter_count(np.int64(expected)).ok
    assert check.parameter_count(12_800.0).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (32 * 25, "each filter has C_in slices"),  # forgot C_in
        (16 * 25, "one filter per output channel"),  # forgot C_out
        (16 * 32, "area is missing"),  # forgot the kernel
        (16 * 32 * 5, "multiply by k twice"),  # k instead of k^2
        (16 * 32 * 10, "article's slip"),  # kH + kW
        (12_800 + 32, "biases"),  # counted biases
        (12_345, "Count the numbers in one filter"),  # anything else
        ("12800", "without quotes"),
        (12_800.5, "whole number"),
        (True, "whole number"),
    ],
)
def test_parameter_count_hints(answer, fragment):
    """Each anticipated wrong count of 01's exercise 1 is rejected with its own hint."""
    _assert_wrong(check.parameter_count(answer), fragment)


# ---- 01, exercise 2: output size -----------------------------------------------------
def test_output_size_right():
    """28x28, 7x7, padding 4, stride 2 gives 15, as conv_cost and PyTorch say."""
    assert ct.conv_cost("standard", 1, 1, 7, 28, padding=4, stride=2).output_size == (15, 15)
    out = torch.nn.functional.conv2d(
        torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 7, 7), padding=4, stride=2
    )
    assert out.shape[-2:] == (15, 15)
    assert check.output_size(15).ok
    assert check.output_size((15, 15)).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (14, "forgot the + 1"),
        (11, "left out the padding"),
        (13, "padding once"),
        (16, "Round down"),
        (30, "left out the stride"),
        (29, "Not finished: divide by the stride"),
        (15.5, "rounds down: use //"),
        (17, "H_out = (H + 2p"),
        ((15, 14), "Give a single whole number"),
        (None, "Replace None"),
    ],
)
def test_output_size_hints(answer, fragment):
    """Each output-size mistake (off-by-one, padding, stride, rounding) gets its hint."""
    _assert_wrong(check.output_size(answer), fragment)


# ---- 01, exercise 3: cross-correlation by hand ---------------------------------------
def _conv2d_of_exercise():
    return ct.conv2d(
        check.CROSS_CORRELATION_IMAGE[None], check.CROSS_CORRELATION_KERNEL[None, None]
    )[0]


def test_cross_correlation_right():
    """ct.conv2d's answer (no flip) is accepted, also as a list or with a channel axis."""
    expected = _conv2d_of_exercise()
    np.testing.assert_array_equal(expected, [[0, 1], [3, 2]])
    assert check.cross_correlation(expected).ok
    assert check.cross_correlation([[0, 1], [3, 2]]).ok
    assert check.cross_correlation(expected[None]).ok


def test_cross_correlation_flipped_kernel():
    """A true convolution (kernel flipped, as scipy's convolve2d does) gets the flip hint."""
    from scipy.signal import convolve2d

    flipped = convolve2d(check.CROSS_CORRELATION_IMAGE, check.CROSS_CORRELATION_KERNEL, "valid")
    assert not np.array_equal(flipped, _conv2d_of_exercise())
    _assert_wrong(check.cross_correlation(flipped), "flipped the kernel")


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ([[0, 3], [1, 2]], "rows and columns are swapped"),
        ([[0, 1], [3, 5]], "1 of the 4 values is off"),
        ([[0, 1], [5, 5]], "2 of the 4 values are off"),
        (np.zeros((4, 4)), "shape (2, 2)"),
        ([[0, 1, 3, 2]], "shape (2, 2)"),
        ("zero", "2 x 2 array"),
    ],
)
def test_cross_correlation_hints(answer, fragment):
    """Swapped axes, a wrong value and a wrong shape each get their hint."""
    _assert_wrong(check.cross_correlation(answer), fragment)


# ---- 01, exercise 4: the article's layer with biases ---------------------------------
def test_article_layer_with_bias_right():
    """10 -> 20 channels, 7x7, with biases: 9,820, as PyTorch counts."""
    layer = torch.nn.Conv2d(10, 20, 7)
    expected = sum(p.numel() for p in layer.parameters())
    assert expected == ct.conv_cost("standard", 10, 20, 7, bias=True).params == 9_820
    assert check.article_layer_with_bias(expected).ok


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (2_800, "article's figure, and it is wrong"),
        (2_820, "started from the article's 2,800"),
        (9_800, "Now add the biases"),
        (9_810, "not per input channel"),
        (20 * 49 + 20, "each filter has C_in slices"),
        (20 * 49, "each filter has C_in slices. Then add"),
        (1, "Weights: C_in x C_out"),
    ],
)
def test_article_layer_with_bias_hints(answer, fragment):
    """The article's 2,800, a missing bias and a missing C_in each get their hint."""
    _assert_wrong(check.article_layer_with_bias(answer), fragment)


# ---- 00: warm-ups -------------------------------------------------------------------
def test_start_right_answers():
    """The photo's channels, shape and size, read from the real array, are accepted."""
    image = ct.data.sample_image(start.IMAGE_SIZE)
    assert start.channels(image.shape[0]).ok
    assert start.image_shape(image.shape).ok
    assert start.number_count(image.size).ok


@pytest.mark.parametrize(
    ("func", "answer", "fragment"),
    [
        (start.channels, 64, "height"),
        (start.channels, 1, "grey"),
        (start.channels, 4, "photo.shape"),
        (start.channels, "3", "without quotes"),
        (start.image_shape, (64, 64, 3), "channels-last"),
        (start.image_shape, (64, 64), "one channel"),
        (start.image_shape, (3, 32, 32), "copy what it prints"),
        (start.image_shape, 3, "tuple of whole numbers"),
        (start.number_count, 64 * 64, "number of pixels"),
        (start.number_count, 3 * 64, "Height and width multiply"),
        (start.number_count, 7, "Multiply the three numbers"),
        (start.number_count, None, "Replace None"),
        (start.channels, None, "Replace None"),
        (start.image_shape, None, "Replace None"),
    ],
)
def test_start_hints(func, answer, fragment):
    """Each anticipated warm-up mistake (channels-last, pixels not numbers...) gets its hint."""
    _assert_wrong(func(answer), fragment)


@pytest.mark.parametrize(
    "func",
    [
        check.parameter_count,
        check.output_size,
        check.cross_correlation,
        check.article_layer_with_bias,
    ],
)
def test_untouched_answer_asks_for_one(func):
    """The starter value None is met with 'replace None', not a hint about a mistake."""
    _assert_wrong(func(None), "Replace None")
