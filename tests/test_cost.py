"""conv_cost against real PyTorch layers: parameters by numel, MACs by torch's FLOP counter."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convtutor as ct
from tests.support.optional_torch import nn, torch


def torch_layers(kind, c_in, c_out, k, *, stride=1, padding=0, dilation=1, m=1, bias=False):
    """The PyTorch modules a layer of this kind is made of."""
    if kind == "standard":
        return [nn.Conv2d(c_in, c_out, k, stride, padding, dilation, bias=bias)]
    if kind == "depthwise":
        return [nn.Conv2d(c_in, c_in * m, k, stride, padding, dilation, groups=c_in, bias=bias)]
    if kind == "pointwise":
        return [nn.Conv2d(c_in, c_out, 1, stride, bias=bias)]
    return [
        nn.Conv2d(c_in, c_in * m, k, stride, padding, dilation, groups=c_in, bias=bias),
        nn.Conv2d(c_in * m, c_out, 1, bias=bias),
    ]


def torch_count(layers, size):
    """(parameters, MACs, output size) of a stack of PyTorch layers on a 1-image input."""
    params = sum(p.numel() for layer in layers for p in layer.parameters())
    model = nn.Sequential(*layers)
    x = torch.zeros(1, layers[0].in_channels, *size)
    with torch.utils.flop_counter.FlopCounterMode(display=False) as counter, torch.no_grad():
        out = model(x)
    return params, counter.get_total_flops() // 2, tuple(out.shape[2:])


@st.composite
def layer_case(draw):
    """A random layer of any kind with its hyper-parameters."""
    kind = draw(st.sampled_from(ct.KINDS))
    c_in = draw(st.integers(1, 12))
    m = draw(st.integers(1, 3))
    c_out = c_in * m if kind == "depthwise" else draw(st.integers(1, 12))
    k = draw(st.integers(1, 5))
    stride = draw(st.integers(1, 3))
    dilation = draw(st.integers(1, 2))
    padding = draw(st.integers(0, 2))
    size = (
        draw(st.integers(dilation * (k - 1) + 1, 20)),
        draw(st.integers(dilation * (k - 1) + 1, 20)),
    )
    bias = draw(st.booleans())
    return (
        kind,
        c_in,
        c_out,
        k,
        size,
        dict(stride=stride, padding=padding, dilation=dilation, m=m, bias=bias),
    )


@settings(max_examples=200)
@given(layer_case())
def test_cost_matches_torch_layers(case):
    """params = numel summed over torch layers; MACs = torch FLOPs / 2; same output size."""
    kind, c_in, c_out, k, size, kw = case
    ours = ct.conv_cost(
        kind, c_in, c_out, k, size,
        stride=kw["stride"], padding=kw["padding"], dilation=kw["dilation"],
        depth_multiplier=kw["m"], bias=kw["bias"],
    )  # fmt: skip
    params, macs, out = torch_count(torch_layers(kind, c_in, c_out, k, **kw), size)
    assert ours.params == params
    assert ours.macs == macs
    assert ours.output_size == out


def test_article_example_is_9800_not_2800():
    """10 -> 20 channels with 7x7 filters has 9,800 weights (the article prints 2,800)."""
    cost = ct.conv_cost("standard", 10, 20, 7)
    assert (
        cost.params == 9800 == sum(p.numel() for p in nn.Conv2d(10, 20, 7, bias=False).parameters())
    )
    assert cost.params != 2800


def test_three_channel_example_81_vs_36():
    """3 channels, 3x3, 3 outputs: 81 standard weights, 27 + 9 = 36 separable."""
    assert ct.conv_cost("standard", 3, 3, 3).params == 81
    assert ct.conv_cost("depthwise", 3, 3, 3).params == 27
    assert ct.conv_cost("pointwise", 3, 3, 1).params == 9
    assert ct.conv_cost("separable", 3, 3, 3).params == 36


def test_mobilenet_table3_mult_adds():
    """MobileNet v1 Table 3 (3x3, 512->512, 14x14): 462M standard vs 52.3M separable mult-adds."""
    std = ct.conv_cost("standard", 512, 512, 3, 14, padding=1)
    sep = ct.conv_cost("separable", 512, 512, 3, 14, padding=1)
    assert std.output_size == sep.output_size == (14, 14)
    assert round(std.macs / 1e6) == 462
    assert round(sep.macs / 1e6, 1) == 52.3
    assert std.params == 2_359_296 and sep.params == 4_608 + 262_144


@pytest.mark.parametrize("c_out,k", [(16, 3), (64, 3), (256, 5), (512, 7)])
def test_separable_ratio_formula(c_out, k):
    """separable / standard = 1/C_out + 1/k^2 (M = 1), for params and MACs alike."""
    c_in = 32
    std = ct.conv_cost("standard", c_in, c_out, k, 28, padding=k // 2)
    sep = ct.conv_cost("separable", c_in, c_out, k, 28, padding=k // 2)
    assert sep.params / std.params == pytest.approx(1 / c_out + 1 / k**2, rel=1e-12)
    assert sep.macs / std.macs == pytest.approx(1 / c_out + 1 / k**2, rel=1e-12)


def test_without_input_size_no_macs():
    """No input_size: macs and output_size are None, params still counted."""
    cost = ct.conv_cost("separable", 8, 16, 3)
    assert cost.macs is None and cost.output_size is None and cost.params == 8 * 9 + 8 * 16


def test_result_is_frozen_dataclass():
    """ConvCost is a frozen dataclass with params, macs and output_size."""
    cost = ct.conv_cost("standard", 3, 8, (3, 5), (32, 40), padding="same")
    assert {f.name for f in dataclasses.fields(cost)} >= {"params", "macs", "output_size"}
    assert cost.output_size == (32, 40)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cost.params = 1


def test_depthwise_multiplier_inferred_from_out_channels():
    """A depth-wise layer 4 -> 8 means M = 2, as PyTorch's groups=4 layer does."""
    assert (
        ct.conv_cost("depthwise", 4, 8, 3).params
        == ct.conv_cost("depthwise", 4, 8, 3, depth_multiplier=2).params
        == 4 * 2 * 9
    )
    with pytest.raises(ValueError, match="in_channels x depth_multiplier"):
        ct.conv_cost("depthwise", 4, 8, 3, depth_multiplier=3)


@st.composite
def grouped_case(draw):
    """A grouped standard layer: g divides both channel counts."""
    g = draw(st.integers(1, 6))
    c_in = g * draw(st.integers(1, 4))
    c_out = g * draw(st.integers(1, 4))
    k = draw(st.integers(1, 5))
    size = (draw(st.integers(k, 12)), draw(st.integers(k, 12)))
    padding = draw(st.integers(0, 2))
    stride = draw(st.integers(1, 2))
    return c_in, c_out, k, size, g, padding, stride, draw(st.booleans())


@settings(max_examples=120)
@given(grouped_case())
def test_grouped_cost_matches_torch_conv2d_with_groups(case):
    """groups=g: params = numel of torch.nn.Conv2d(groups=g); MACs = its FLOPs / 2."""
    c_in, c_out, k, size, g, padding, stride, bias = case
    ours = ct.conv_cost(
        "standard", c_in, c_out, k, size, stride=stride, padding=padding, groups=g, bias=bias
    )
    layer = nn.Conv2d(c_in, c_out, k, stride, padding, groups=g, bias=bias)
    params, macs, out = torch_count([layer], size)
    assert (ours.params, ours.macs, ours.output_size) == (params, macs, out)
    assert ours.params == c_out * (c_in // g) * k * k + (c_out if bias else 0)
    if g == 1:
        assert ours == ct.conv_cost("standard", c_in, c_out, k, size, stride=stride,
                                    padding=padding, bias=bias)  # fmt: skip


@settings(max_examples=80)
@given(
    st.one_of(
        st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(2, 13)).filter(
            lambda t: t[0] % t[2] or t[1] % t[2]
        ),
        st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(-5, 0)),
    )
)
def test_groups_that_do_not_divide_or_are_not_positive_raise_naming_groups(case):
    """A g that does not divide C_in and C_out, or is below 1, is a ValueError naming groups."""
    c_in, c_out, g = case
    with pytest.raises(ValueError, match="groups"):
        ct.conv_cost("standard", c_in, c_out, 3, groups=g)


@pytest.mark.parametrize("groups", [2.0, "2", None, True, [2]])
def test_groups_of_the_wrong_type_raise_naming_groups(groups):
    """groups must be a whole number: anything else is a TypeError naming groups."""
    with pytest.raises(TypeError, match="groups"):
        ct.conv_cost("standard", 4, 4, 3, groups=groups)


@pytest.mark.parametrize("kind", ["depthwise", "pointwise", "separable"])
def test_groups_belong_to_the_standard_kind_only(kind):
    """Another kind with groups != 1 is a ValueError naming groups; groups=1 is accepted."""
    c_out = 4
    with pytest.raises(ValueError, match="groups"):
        ct.conv_cost(kind, 4, c_out, 3, groups=2)
    assert ct.conv_cost(kind, 4, c_out, 3, groups=1) == ct.conv_cost(kind, 4, c_out, 3)
