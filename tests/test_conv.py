"""Property-based tests: every convolution equals torch.nn.functional.conv2d in float64."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convtutor as ct
from tests.support.conv import TOL, as_pair, conv_case, torch_conv

EXAMPLES = 250


def assert_same(ours, theirs):
    assert ours.shape == theirs.shape
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)


@settings(max_examples=EXAMPLES)
@given(conv_case())
def test_conv2d_matches_torch(case):
    """conv2d equals torch conv2d for any stride, padding, dilation, groups, batch and bias."""
    x, weight, bias, kw = case
    assert_same(ct.conv2d(x, weight, bias, **kw), torch_conv(x, weight, bias, **kw))


@settings(max_examples=EXAMPLES)
@given(conv_case(depthwise=True))
def test_depthwise_matches_torch_groups_c(case):
    """depthwise_conv2d with multiplier M equals torch conv2d with groups=C."""
    x, weight, bias, kw = case
    groups = kw.pop("groups")
    expected = torch_conv(x, weight, bias, groups=groups, **kw)
    assert_same(ct.depthwise_conv2d(x, weight, bias, **kw), expected)


@st.composite
def pointwise_case(draw):
    """Random input, (C_out, C_in) or (C_out, C_in, 1, 1) weight, optional bias."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    c_in, c_out = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    batched = draw(st.booleans())
    x = rng.standard_normal((draw(st.integers(1, 3)), c_in, h, w) if batched else (c_in, h, w))
    weight = rng.standard_normal((c_out, c_in))
    four_d = draw(st.booleans())
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, weight, four_d, bias


@settings(max_examples=EXAMPLES)
@given(pointwise_case())
def test_pointwise_matches_torch_1x1(case):
    """pointwise_conv2d equals torch conv2d with a 1x1 kernel, for 2-D and 4-D weights."""
    x, weight, four_d, bias = case
    w4 = weight[:, :, None, None]
    ours = ct.pointwise_conv2d(x, w4 if four_d else weight, bias)
    assert_same(ours, torch_conv(x, w4, bias))


@settings(max_examples=EXAMPLES)
@given(conv_case(depthwise=True), st.integers(1, 5), st.booleans())
def test_separable_matches_torch_two_layers(case, c_out, with_bias):
    """separable_conv2d equals torch's groups=C conv followed by a 1x1 conv."""
    x, dw, dw_bias, kw = case
    groups = kw.pop("groups")
    rng = np.random.default_rng(c_out)
    pw = rng.standard_normal((c_out, dw.shape[0]))
    pw_bias = rng.standard_normal(c_out) if with_bias else None
    mid = torch_conv(x, dw, dw_bias, groups=groups, **kw)
    expected = torch_conv(mid, pw[:, :, None, None], pw_bias)
    ours = ct.separable_conv2d(x, dw, pw, depthwise_bias=dw_bias, pointwise_bias=pw_bias, **kw)
    assert_same(ours, expected)


@settings(max_examples=100)
@given(conv_case(depthwise=True), st.integers(1, 4))
def test_separable_equals_its_standard_kernel(case, c_out):
    """A separable layer equals conv2d with separable_to_standard's weight and bias."""
    x, dw, dw_bias, kw = case
    c = kw.pop("groups")
    m = dw.shape[0] // c
    rng = np.random.default_rng(7)
    pw = rng.standard_normal((c_out, dw.shape[0]))
    pb = rng.standard_normal(c_out)
    weight, bias = ct.separable_to_standard(dw, pw, dw_bias, pb, depth_multiplier=m)
    assert weight.shape == (c_out, c, *dw.shape[2:])
    expected = ct.separable_conv2d(x, dw, pw, depthwise_bias=dw_bias, pointwise_bias=pb, **kw)
    np.testing.assert_allclose(ct.conv2d(x, weight, bias, **kw), expected, rtol=0, atol=1e-8)


@settings(max_examples=100)
@given(conv_case(depthwise=True))
def test_depthwise_equals_zero_filled_standard(case):
    """Depth-wise = a standard conv whose filters are zero off their own channel."""
    x, dw, bias, kw = case
    c = kw.pop("groups")
    full = ct.depthwise_to_standard(dw, c)
    off_channel = np.ones(full.shape[:2], bool)
    off_channel[np.arange(full.shape[0]), np.arange(full.shape[0]) // (full.shape[0] // c)] = False
    assert np.all(full[off_channel] == 0)
    np.testing.assert_allclose(
        ct.conv2d(x, full, bias, **kw), ct.depthwise_conv2d(x, dw, bias, **kw), rtol=0, atol=TOL
    )


def test_same_padding_even_kernel_split_like_torch():
    """'same' with an even kernel puts the extra zero at the bottom/right, as PyTorch does."""
    x = np.arange(25.0).reshape(1, 5, 5)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0  # picks the top-left of each window: no shift if extra pad is after
    out = ct.conv2d(x, w, padding="same")
    assert out.shape == (1, 5, 5)
    np.testing.assert_array_equal(out, x)
    assert_same(out, torch_conv(x, w, padding="same"))


def test_integer_input_gives_float64_and_no_flip():
    """Integer input gives float64; the kernel is not flipped (cross-correlation)."""
    x = np.arange(9).reshape(1, 3, 3)
    w = np.array([[[[1, 2], [3, 4]]]])
    out = ct.conv2d(x, w)
    assert out.dtype == np.float64
    assert out[0, 0, 0] == 0 * 1 + 1 * 2 + 3 * 3 + 4 * 4  # 27, not the flipped 0*4+1*3+3*2+4*1
    assert out[0, 0, 0] != 13


def test_float32_stays_float32():
    """float32 inputs give a float32 result, as PyTorch does."""
    x = np.ones((2, 4, 4), np.float32)
    w = np.ones((3, 2, 3, 3), np.float32)
    assert ct.conv2d(x, w).dtype == np.float32


def test_inputs_are_not_modified():
    """The functions never write into their inputs."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 6, 6)), rng.standard_normal((3, 1, 3, 3)), np.ones(3)
    copies = [a.copy() for a in (x, w, b)]
    ct.depthwise_conv2d(x, w, b, padding=1)
    ct.conv2d(x, w, b, groups=3)
    for a, c in zip((x, w, b), copies, strict=True):
        np.testing.assert_array_equal(a, c)


@settings(max_examples=30)
@given(conv_case())
def test_output_length_is_the_shape_torch_gives(case):
    """output_length gives PyTorch's output height and width (conv2d's shape is PyTorch's too)."""
    x, weight, bias, kw = case
    expected = torch_conv(x, weight, bias, **kw).shape[-2:]
    assume(kw["padding"] != "same")  # 'same' keeps the size; its split is tested above
    (ph, pw), (sh, sw), (dh, dw) = (as_pair(kw[k]) for k in ("padding", "stride", "dilation"))
    kh, kw_ = weight.shape[2:]
    if kw["padding"] == "valid":
        ph = pw = 0
    h, w = x.shape[-2:]
    got = (
        ct.output_length(h, kh, stride=sh, padding=ph, dilation=dh),
        ct.output_length(w, kw_, stride=sw, padding=pw, dilation=dw),
    )
    assert got == tuple(expected)


def test_output_length_takes_uneven_padding():
    """(before, after) padding counts both sides: 'same' with a 2-tap kernel keeps 5 as 5."""
    assert ct.output_length(5, 2, padding=(0, 1)) == 5
    assert ct.output_length(5, 2, padding=0) == 4
