"""Bad input gets a ValueError/TypeError naming the argument, the expectation and the value."""

import re
import subprocess
import sys

import numpy as np
import pytest

import convtutor as ct

X = np.zeros((3, 8, 8))
W = np.zeros((4, 3, 3, 3))
DW = np.zeros((3, 1, 3, 3))
PW = np.zeros((5, 3))

# (call, expected exception, words the message must contain: argument, expectation, given)
BAD_CALLS = [
    (lambda: ct.conv2d(np.zeros((8, 8)), W), ValueError, ["x", "(C, H, W)", "2 dimensions"]),
    (
        lambda: ct.conv2d(np.zeros((1, 1, 3, 8, 8)), W),
        ValueError,
        ["x", "(N, C, H, W)", "(1, 1, 3, 8, 8)"],
    ),
    (
        lambda: ct.conv2d(X, np.zeros((4, 3, 3))),
        ValueError,
        ["weight", "(C_out, C_in/groups, kH, kW)", "(4, 3, 3)"],
    ),
    (
        lambda: ct.conv2d(X, np.zeros((4, 2, 3, 3))),
        ValueError,
        ["weight", "(4, 3, 3, 3)", "(4, 2, 3, 3)"],
    ),
    (
        lambda: ct.conv2d(X, np.zeros((4, 1, 3, 3)), groups=2),
        ValueError,
        ["groups", "divide", "3 channels"],
    ),
    (
        lambda: ct.conv2d(np.zeros((4, 8, 8)), np.zeros((3, 2, 3, 3)), groups=2),
        ValueError,
        ["groups", "output channels", "3 filters"],
    ),
    (lambda: ct.conv2d(X, W, groups=0), ValueError, ["groups", ">= 1", "0"]),
    (lambda: ct.conv2d(X, W, groups=1.5), TypeError, ["groups", "whole number", "1.5"]),
    (lambda: ct.conv2d(X, W, stride=0), ValueError, ["stride", ">= 1", "0"]),
    (lambda: ct.conv2d(X, W, stride=(1, -2)), ValueError, ["stride", ">= 1", "(1, -2)"]),
    (lambda: ct.conv2d(X, W, dilation=0), ValueError, ["dilation", ">= 1", "0"]),
    (lambda: ct.conv2d(X, W, dilation=(1, 2, 3)), TypeError, ["dilation", "pair", "(1, 2, 3)"]),
    (lambda: ct.conv2d(X, W, padding=-1), ValueError, ["padding", ">= 0", "-1"]),
    (lambda: ct.conv2d(X, W, padding="full"), ValueError, ["padding", "'same'", "'full'"]),
    (
        lambda: ct.conv2d(X, W, padding="same", stride=2),
        ValueError,
        ["padding='same'", "stride=1", "(2, 2)"],
    ),
    (
        lambda: ct.conv2d(X, np.zeros((4, 3, 9, 3))),
        ValueError,
        ["kernel", "larger than the padded", "spans 9"],
    ),
    (
        lambda: ct.conv2d(X, W, dilation=5),
        ValueError,
        ["kernel", "larger than the padded", "dilation 5"],
    ),
    (lambda: ct.conv2d(X, W, np.zeros(3)), ValueError, ["bias", "(4,)", "(3,)"]),
    (lambda: ct.conv2d(np.full((3, 8, 8), "a"), W), TypeError, ["x", "real numbers", "<U1"]),
    (lambda: ct.conv2d(X, [[["a"]]]), TypeError, ["weight", "real numbers", "dtype"]),
    (lambda: ct.conv2d(X.astype(complex), W), TypeError, ["x", "real numbers", "complex128"]),
    (lambda: ct.conv2d(X > 0, W), TypeError, ["x", "real numbers", "bool"]),
    (lambda: ct.conv2d([[[1, 2], [3]]], W), TypeError, ["x", "numeric array", "list"]),
    (
        lambda: ct.conv2d(np.zeros((0, 8, 8)), np.zeros((4, 0, 3, 3))),
        ValueError,
        ["channels", "at least 1", "0 channels"],
    ),
    (
        lambda: ct.depthwise_conv2d(X, np.zeros((3, 3, 3, 3))),
        ValueError,
        ["weight", "(C*M, 1, kH, kW)", "(3, 3, 3, 3)"],
    ),
    (
        lambda: ct.depthwise_conv2d(X, np.zeros((4, 1, 3, 3))),
        ValueError,
        ["weight", "C=3", "(4, 1, 3, 3)"],
    ),
    (lambda: ct.depthwise_conv2d(X, DW, np.zeros(2)), ValueError, ["bias", "(3,)", "(2,)"]),
    (
        lambda: ct.pointwise_conv2d(X, np.zeros((5, 4))),
        ValueError,
        ["weight", "C_in = 3", "(5, 4)"],
    ),
    (
        lambda: ct.pointwise_conv2d(X, np.zeros((5, 3, 3, 3))),
        ValueError,
        ["weight", "(C_out, C_in, 1, 1)", "(5, 3, 3, 3)"],
    ),
    (lambda: ct.pointwise_conv2d(X, PW, np.zeros(3)), ValueError, ["bias", "(5,)", "(3,)"]),
    (
        lambda: ct.separable_conv2d(X, DW, np.zeros((5, 6))),
        ValueError,
        ["pointwise_weight", "C*M = 3", "(5, 6)"],
    ),
    (
        lambda: ct.separable_conv2d(X, np.zeros((3, 2, 3, 3)), PW),
        ValueError,
        ["depthwise_weight", "(C*M, 1, kH, kW)", "(3, 2, 3, 3)"],
    ),
    (
        lambda: ct.separable_conv2d(X, DW, PW, pointwise_bias=[1]),
        ValueError,
        ["pointwise_bias", "(5,)", "(1,)"],
    ),
    (
        lambda: ct.separable_conv2d(X, DW, PW, depthwise_bias=[1]),
        ValueError,
        ["depthwise_bias", "(3,)", "(1,)"],
    ),
    (lambda: ct.separate([1, 2, 1]), ValueError, ["kernel", "2-D", "shape (3,)"]),
    (lambda: ct.separate(np.eye(3)), ct.NotSeparableError, ["kernel", "rank 3", "(3, 3)"]),
    (lambda: ct.separate(np.ones((3, 3)), tol=-1), ValueError, ["tol", ">= 0", "-1"]),
    (lambda: ct.separable_filter2d(X, [[1, 2]], [1]), ValueError, ["column", "1-D", "(1, 2)"]),
    (
        lambda: ct.separable_filter2d(np.zeros(5), [1], [1]),
        ValueError,
        ["image", "(H, W)", "1 dimensions"],
    ),
    (
        lambda: ct.separable_filter2d(np.zeros((2, 2)), [1, 1, 1], [1]),
        ValueError,
        ["kernel", "larger than the padded image", "3"],
    ),
    (lambda: ct.low_rank_approximation(np.eye(3), -1), ValueError, ["rank", ">= 0", "-1"]),
    (lambda: ct.conv_cost("dilated", 3, 3, 3), ValueError, ["kind", "'separable'", "'dilated'"]),
    (lambda: ct.conv_cost("standard", 0, 3, 3), ValueError, ["in_channels", ">= 1", "0"]),
    (lambda: ct.conv_cost("standard", 3, 0, 3), ValueError, ["out_channels", ">= 1", "0"]),
    (
        lambda: ct.conv_cost("standard", 3.0, 3, 3),
        TypeError,
        ["in_channels", "whole number", "3.0"],
    ),
    (lambda: ct.conv_cost("standard", 3, 3, 0), ValueError, ["kernel_size", ">= 1", "0"]),
    (
        lambda: ct.conv_cost("standard", 3, 3, 5, 4),
        ValueError,
        ["kernel", "larger than the padded input", "spans 5"],
    ),
    (
        lambda: ct.conv_cost("standard", 3, 3, 3, 8, padding="full"),
        ValueError,
        ["padding", "'valid'", "'full'"],
    ),
    (
        lambda: ct.conv_cost("separable", 3, 3, 3, depth_multiplier=0),
        ValueError,
        ["depth_multiplier", ">= 1", "0"],
    ),
    (lambda: ct.conv_cost("standard", 3, 3, 3, 0), ValueError, ["input_size", ">= 1", "0"]),
    (
        lambda: ct.depthwise_to_standard(np.zeros((4, 1, 3, 3)), 3),
        ValueError,
        ["weight", "in_channels = 3", "(4, 1, 3, 3)"],
    ),
    (
        lambda: ct.separable_to_standard(
            np.zeros((3, 1, 3, 3)), np.zeros((2, 3)), depth_multiplier=2
        ),
        ValueError,
        ["depthwise_weight", "depth_multiplier = 2", "(3, 1, 3, 3)"],
    ),
    (lambda: ct.output_length(7, 0), ValueError, ["kernel_size", ">= 1", "0"]),
    (lambda: ct.output_length(7, 3, padding=-1), ValueError, ["padding", ">= 0", "-1"]),
    (lambda: ct.output_length(7.5, 3), TypeError, ["size", "whole number", "7.5"]),
    (lambda: ct.kernels.gaussian(5, 0), ValueError, ["sigma", "> 0", "0"]),
    (lambda: ct.kernels.get("blurry"), ValueError, ["name", "'Sobel x'", "'blurry'"]),
    (lambda: ct.data.sample_image(8), ValueError, ["size", "16", "8"]),
    # a picture cut short in its header (the JPEG signature, then nothing)
    (
        lambda: ct.data.load_image(b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ValueError,
        ["source", "JPEG", "damaged or cut short"],
    ),
    (lambda: ct.data.load_image("."), ValueError, ["source", "a folder, not an image file", "'.'"]),
    (lambda: ct.data.load_image([[0.5]]), TypeError, ["source", "a path, bytes", "list"]),
    (lambda: ct.data.to_gray(np.zeros((4, 8, 8))), ValueError, ["image", "(3, H, W)", "(4, 8, 8)"]),
]


@pytest.mark.parametrize(
    "call,error,words", BAD_CALLS, ids=[f"bad{i}" for i in range(len(BAD_CALLS))]
)
def test_bad_call_gets_clear_error(call, error, words):
    """The error type is right and the message names the argument, the expectation and the value."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
    assert "broadcast" not in message and "operands could not" not in message


def test_table_is_large_enough():
    """At least 20 distinct bad calls are covered."""
    assert len(BAD_CALLS) >= 20


def test_import_is_numpy_only_and_fast():
    """`import convtutor` imports neither torch nor matplotlib nor ipywidgets."""
    code = (
        "import sys, time; t = time.perf_counter(); import convtutor; "
        "print(time.perf_counter() - t); "
        "print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets', 'scipy', 'PIL') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "[]", f"core pulled in: {lines[-1]}"
    assert re.fullmatch(r"[0-9.e-]+", lines[0])
