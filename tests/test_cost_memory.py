"""conv_memory: the bytes a layer reads and writes, from the shapes of real PyTorch tensors."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convtutor as ct
from tests.support.optional_torch import torch


def torch_bytes(kind, c_in, c_out, k, size, stride, padding, m, bias, dtype):
    """Bytes of the input, the weights, the intermediate maps and the output, read off
    real torch tensors (numel x element_size)."""
    x = torch.zeros(1, c_in, *size, dtype=dtype)
    nn = torch.nn
    opts = {"bias": bias, "dtype": dtype}
    if kind == "standard":
        steps = [nn.Conv2d(c_in, c_out, k, stride, padding, **opts)]
    elif kind == "depthwise":
        steps = [nn.Conv2d(c_in, c_in * m, k, stride, padding, groups=c_in, **opts)]
    elif kind == "pointwise":
        steps = [nn.Conv2d(c_in, c_out, 1, stride, **opts)]
    else:
        steps = [nn.Conv2d(c_in, c_in * m, k, stride, padding, groups=c_in, **opts),
                 nn.Conv2d(c_in * m, c_out, 1, **opts)]  # fmt: skip
    nbytes = lambda t: t.numel() * t.element_size()  # noqa: E731
    weights = sum(nbytes(p) for step in steps for p in step.parameters())
    with torch.no_grad():
        mid = steps[0](x)
        out = steps[-1](mid) if len(steps) == 2 else mid
    intermediate = nbytes(mid) if len(steps) == 2 else 0
    return nbytes(x), weights, intermediate, nbytes(out)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(ct.KINDS), st.integers(1, 6), st.integers(1, 6), st.integers(1, 4),
    st.integers(1, 9), st.integers(1, 9), st.integers(1, 2), st.integers(0, 1),
    st.integers(1, 3), st.booleans(), st.sampled_from([torch.float32, torch.float64]),
)  # fmt: skip
def test_bytes_equal_torch_tensors(kind, c_in, c_out, k, h, w, stride, padding, m, bias, dtype):
    """conv_memory's bytes are those of PyTorch's own tensors, for every kind, size and dtype."""
    if kind == "depthwise":
        c_out = c_in * m
    if kind == "pointwise":
        padding = 0
    k = min(k, h + 2 * padding, w + 2 * padding)
    itemsize = torch.tensor([], dtype=dtype).element_size()
    mem = ct.conv_memory(
        kind, c_in, c_out, k, (h, w), stride=stride, padding=padding, depth_multiplier=m,
        bias=bias, itemsize=itemsize,
    )  # fmt: skip
    expected = torch_bytes(kind, c_in, c_out, k, (h, w), stride, padding, m, bias, dtype)
    assert (mem.input, mem.weights, mem.intermediate, mem.output) == expected
    assert mem.total == sum(expected) + expected[2]  # the intermediate: written, read back
    cost = ct.conv_cost(kind, c_in, c_out, k, (h, w), stride=stride, padding=padding,
                        depth_multiplier=m, bias=bias)  # fmt: skip
    assert mem.weights == itemsize * cost.params


def test_mobilenet_layer_moves_fewer_bytes_but_not_by_as_much():
    """3x3, 512 -> 512 on 14x14, float32: 8.84x fewer MACs, but only 3.83x fewer bytes."""
    std = ct.conv_memory("standard", 512, 512, 3, 14, padding=1)
    sep = ct.conv_memory("separable", 512, 512, 3, 14, padding=1)
    assert std.total == 4 * (512 * 196 + 512 * 512 * 9 + 512 * 196) == 10_240_000
    assert sep.total == 4 * (512 * 196 + 512 * 9 + 512 * 512 + 2 * 512 * 196 + 512 * 196)
    assert round(std.total / sep.total, 2) == 3.83
    assert ct.ConvCost(1, 2, (3, 3)).params == 1  # ConvCost(params, macs, output_size) stays


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"input_size": None}, ValueError, ["input_size", "None"]),
        ({"itemsize": 0}, TypeError, ["itemsize", ">= 1", "0"]),
        ({"itemsize": 4.0}, TypeError, ["itemsize", "4.0"]),
        ({"input_size": 0}, ValueError, ["input_size", "0"]),
        ({"kind": "grouped"}, ValueError, ["kind", "'standard'", "grouped"]),
    ],
)
def test_bad_input_is_named(kwargs, error, words):
    """A wrong argument to conv_memory raises an error that names it and what was given."""
    args = {"kind": "standard", "input_size": 8, **kwargs}
    kind, size = args.pop("kind"), args.pop("input_size")
    with pytest.raises(error) as info:
        ct.conv_memory(kind, 3, 4, 3, size, **args)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_depthwise_multiplier_from_out_channels():
    """As conv_cost: out_channels = C_in x M gives M when depth_multiplier is left at 1."""
    for c, m in itertools.product((1, 3), (1, 2, 3)):
        a = ct.conv_memory("depthwise", c, c * m, 3, 5)
        b = ct.conv_memory("depthwise", c, c * m, 3, 5, depth_multiplier=m)
        assert a == b and a.output == 4 * c * m * 9
