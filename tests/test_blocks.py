"""convtutor.blocks against PyTorch: MobileNet's separable block and the standard block,
counted by conv_cost and by the modules themselves; BatchNorm folded; bad input named."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convtutor as ct
from convtutor import blocks
from tests.support.optional_torch import torch


def measured(block, size):
    """Per child of ``block``: (name, parameters, MACs by FlopCounterMode, output values),
    plus the final output shape, for one image of ``size`` (eval mode: a BatchNorm in
    training mode refuses a single value per channel)."""
    block.eval()
    first = next(iter(block.children()))
    x = torch.zeros(1, first.in_channels, *size, dtype=first.weight.dtype)
    rows = []
    with torch.no_grad():
        for name, layer in block.named_children():
            with torch.utils.flop_counter.FlopCounterMode(display=False) as counter:
                x = layer(x)
            params = sum(p.numel() for p in layer.parameters())
            rows.append((name, params, counter.get_total_flops() // 2, x.numel()))
    return rows, tuple(x.shape[2:])


def running_buffers(block):
    """Running means and variances of the block's BatchNorms (num_batches_tracked aside)."""
    return sum(b.numel() for name, b in block.named_buffers() if ".running_" in name)


def randomise_batchnorms(block, generator):
    """Give every BatchNorm of ``block`` trained-looking numbers: gamma, beta, mean, var."""
    with torch.no_grad():
        for layer in block.modules():
            if isinstance(layer, torch.nn.BatchNorm2d):
                n = layer.num_features
                layer.weight.copy_(torch.rand(n, generator=generator) * 1.5 + 0.5)
                layer.bias.copy_(torch.randn(n, generator=generator))
                layer.running_mean.copy_(torch.randn(n, generator=generator))
                layer.running_var.copy_(torch.rand(n, generator=generator) * 2 + 0.1)
    return block.eval()


#: MobileNet v1's blocks; the inverted residual is tested in test_blocks_mobilenet.py.
MOBILENET_V1_KINDS = ("standard", "separable")
assert set(MOBILENET_V1_KINDS) | {"inverted_residual"} == set(blocks.BLOCK_KINDS)


@st.composite
def block_case(draw):
    """A random block: kind, channels, kernel, stride, multiplier and input size."""
    kind = draw(st.sampled_from(MOBILENET_V1_KINDS))
    c_in, c_out = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    k = draw(st.integers(1, 5))
    stride = draw(st.integers(1, 3))
    m = draw(st.integers(1, 3)) if kind == "separable" else 1
    size = (draw(st.integers(1, 17)), draw(st.integers(1, 17)))
    return kind, c_in, c_out, k, stride, m, size


@settings(max_examples=80)
@given(block_case())
def test_counts_equal_pytorch_layer_by_layer(case):
    """Every layer's parameters, MACs and output values equal the PyTorch module's own."""
    kind, c_in, c_out, k, stride, m, size = case
    cost = blocks.block_cost(
        kind, c_in, c_out, size, kernel_size=k, stride=stride, depth_multiplier=m
    )
    block = blocks.build_block(kind, c_in, c_out, kernel_size=k, stride=stride, depth_multiplier=m)
    rows, out_size = measured(block, size)
    assert [(la.name, la.params, la.macs, la.outputs) for la in cost.layers] == rows
    assert cost.params == sum(p.numel() for p in block.parameters())
    assert cost.macs == sum(row[2] for row in rows)
    assert cost.buffers == running_buffers(block)
    assert cost.output_size == out_size


@settings(max_examples=60)
@given(block_case())
def test_counts_are_conv_cost_plus_batchnorm(case):
    """Weights and MACs are conv_cost's; BatchNorm adds 2 parameters per channel, 0 MACs."""
    kind, c_in, c_out, k, stride, m, size = case
    cost = blocks.block_cost(
        kind, c_in, c_out, size, kernel_size=k, stride=stride, depth_multiplier=m
    )
    conv = ct.conv_cost(
        kind, c_in, c_out, k, size, stride=stride, padding=k // 2, depth_multiplier=m
    )
    assert cost.conv_params == conv.params and cost.macs == conv.macs
    assert cost.output_size == conv.output_size
    bn_channels = c_out + (c_in * m if kind == "separable" else 0)
    assert cost.bn_params == 2 * bn_channels == cost.buffers
    assert cost.params == conv.params + 2 * bn_channels
    assert all(layer.macs == 0 for layer in cost.layers if layer.name.startswith(("bn", "relu")))
    without_size = blocks.block_cost(kind, c_in, c_out, kernel_size=k, depth_multiplier=m)
    assert without_size.params == cost.params and without_size.macs is None
    assert without_size.output_size is None
    assert all(layer.outputs is None for layer in without_size.layers)


def test_mobilenet_layer():
    """MobileNet's 3x3, 512 -> 512 block on 14x14: Table 3's mult-adds, plus BatchNorm."""
    sep = blocks.block_cost("separable", 512, 512, 14)
    std = blocks.block_cost("standard", 512, 512, 14)
    assert (sep.macs, std.macs) == (52_283_392, 462_422_016)
    assert sep.params == 512 * 9 + 2 * 512 + 512 * 512 + 2 * 512 == 268_800
    assert std.params == 512 * 512 * 9 + 2 * 512 == 2_360_320
    assert [layer.name for layer in sep.layers] == [
        "depthwise", "bn1", "relu1", "pointwise", "bn2", "relu2"
    ]  # fmt: skip
    assert sep.layers[1].outputs == 512 * 14 * 14
    rows, _ = measured(blocks.build_block("separable", 512, 512), (14, 14))
    assert sum(r[1] for r in rows) == sep.params and sum(r[2] for r in rows) == sep.macs


def test_build_block_layout():
    """Layer names and kinds; bias=False convs; groups=C_in; padding k // 2; middle_relu."""
    std = blocks.build_block("standard", 4, 6, kernel_size=5, stride=2)
    assert [n for n, _ in std.named_children()] == ["conv", "bn", "relu"]
    assert std.conv.bias is None and std.conv.padding == (2, 2) and std.conv.stride == (2, 2)
    sep = blocks.build_block("separable", 4, 6, depth_multiplier=2, dtype=torch.float64)
    assert sep.depthwise.groups == 4 and sep.depthwise.out_channels == 8
    assert sep.depthwise.bias is None and sep.pointwise.bias is None
    assert sep.pointwise.kernel_size == (1, 1) and sep.bn1.num_features == 8
    assert sep.depthwise.weight.dtype == torch.float64 and sep.bn2.running_var.dtype == (
        torch.float64
    )
    assert isinstance(sep.relu1, torch.nn.ReLU)
    lean = blocks.build_block("separable", 4, 6, middle_relu=False)
    assert [n for n, _ in lean.named_children()] == [
        "depthwise", "bn1", "pointwise", "bn2", "relu2"
    ]  # fmt: skip
    assert sum(p.numel() for p in lean.parameters()) == blocks.block_cost("separable", 4, 6).params


@settings(max_examples=40)
@given(st.integers(1, 6), st.floats(1e-6, 1e-2), st.booleans(), st.integers(0, 2**31 - 1))
def test_batchnorm_affine_is_batchnorm_in_eval_mode(channels, eps, affine, seed):
    """scale * x + shift equals what a BatchNorm with running statistics gives in eval mode."""
    bn = torch.nn.BatchNorm2d(channels, eps=eps, affine=affine, dtype=torch.float64)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if affine:
            bn.weight.copy_(torch.randn(channels, generator=generator, dtype=torch.float64))
            bn.bias.copy_(torch.randn(channels, generator=generator, dtype=torch.float64))
        bn.running_mean.copy_(torch.randn(channels, generator=generator, dtype=torch.float64))
        bn.running_var.copy_(torch.rand(channels, generator=generator, dtype=torch.float64))
    bn.eval()
    x = torch.randn(2, channels, 3, 4, generator=generator, dtype=torch.float64)
    scale, shift = blocks.batchnorm_affine(bn)
    assert scale.shape == shift.shape == (channels,)
    expected = bn(x).detach().numpy()
    assert np.allclose(scale[:, None, None] * x.numpy() + shift[:, None, None], expected)


@settings(max_examples=30)
@given(
    st.integers(1, 4), st.integers(1, 5), st.sampled_from([1, 3, 5]), st.integers(1, 2),
    st.integers(1, 2), st.integers(0, 2**31 - 1),
)  # fmt: skip
def test_folded_block_without_middle_relu_is_one_convolution(c_in, c_out, k, stride, m, seed):
    """dw -> BN -> 1x1 -> BN is conv2d with W = P D (BatchNorms folded) plus a bias;
    with the ReLU between the steps the same conv misses the block."""
    generator = torch.Generator().manual_seed(seed)
    opts = {"kernel_size": k, "stride": stride, "depth_multiplier": m, "dtype": torch.float64}
    lean = blocks.build_block("separable", c_in, c_out, middle_relu=False, **opts)
    randomise_batchnorms(lean, generator)
    real = blocks.build_block("separable", c_in, c_out, **opts)
    real.load_state_dict(lean.state_dict())
    real.eval()

    s1, t1 = blocks.batchnorm_affine(lean.bn1)
    s2, t2 = blocks.batchnorm_affine(lean.bn2)
    D = lean.depthwise.weight.detach().numpy()
    P = lean.pointwise.weight.detach().numpy()[:, :, 0, 0]
    W, b = ct.separable_to_standard(
        D * s1[:, None, None, None], s2[:, None] * P, t1, t2, depth_multiplier=m
    )
    x = torch.randn(1, c_in, 9, 8, generator=generator, dtype=torch.float64)
    folded = ct.conv2d(x.numpy()[0], W, b, stride=stride, padding=k // 2)
    with torch.no_grad():
        assert np.allclose(lean[:-1](x)[0].numpy(), folded)  # before the last ReLU
        assert np.allclose(lean(x)[0].numpy(), np.maximum(folded, 0))
        # The ReLU between the steps changes the output wherever it clips a negative value
        # that the point-wise step would have used.
        z = real.bn1(real.depthwise(x))
        clipped = torch.relu(-z)  # what the middle ReLU removes
        lost = (
            real.bn2.weight[:, None, None]
            / torch.sqrt(real.bn2.running_var + real.bn2.eps)[:, None, None]
            * torch.nn.functional.conv2d(clipped, real.pointwise.weight)[0]
        )
        assert np.allclose(real[:-1](x)[0].numpy(), folded + lost.numpy())


def test_the_middle_relu_breaks_linearity():
    """With the ReLU between the steps, block(x1 + x2) != block(x1) + block(x2) - block(0)."""
    generator = torch.Generator().manual_seed(0)
    lean = randomise_batchnorms(
        blocks.build_block("separable", 3, 4, middle_relu=False, dtype=torch.float64), generator
    )
    real = blocks.build_block("separable", 3, 4, dtype=torch.float64)
    real.load_state_dict(lean.state_dict())
    real.eval()
    x1 = torch.randn(1, 3, 8, 8, generator=generator, dtype=torch.float64)
    x2 = torch.randn(1, 3, 8, 8, generator=generator, dtype=torch.float64)
    zero = torch.zeros_like(x1)
    with torch.no_grad():
        for block, linear in ((lean[:-1], True), (real[:-1], False)):
            gap = (block(x1 + x2) - block(x1) - block(x2) + block(zero)).abs().max().item()
            assert (gap < 1e-12) if linear else (gap > 0.1), (linear, gap)


BAD_CALLS = [
    (lambda: blocks.block_cost("depthwise", 3, 3), ValueError, ["kind", "'separable'", "depth"]),
    (lambda: blocks.block_cost("separable", 0, 3), ValueError, ["in_channels", ">= 1", "0"]),
    (lambda: blocks.block_cost("standard", 3, 2.5), TypeError, ["out_channels", "whole", "2.5"]),
    (
        lambda: blocks.block_cost("standard", 3, 3, depth_multiplier=2),
        ValueError,
        ["depth_multiplier", "separable", "2"],
    ),
    (lambda: blocks.block_cost("standard", 3, 3, kernel_size=0), ValueError, ["kernel_size", "0"]),
    (lambda: blocks.block_cost("standard", 3, 3, 8, stride=0), ValueError, ["stride", "0"]),
    (
        lambda: blocks.build_block("separable", 3, 3, middle_relu="no"),
        TypeError,
        ["middle_relu", "True or False", "'no'"],
    ),
    (
        lambda: blocks.build_block("standard", 3, 3, middle_relu=False),
        ValueError,
        ["middle_relu", "separable"],
    ),
    (lambda: blocks.batchnorm_affine(np.ones(3)), TypeError, ["bn", "BatchNorm2d", "ndarray"]),
    (
        lambda: blocks.batchnorm_affine(torch.nn.BatchNorm2d(3, track_running_stats=False)),
        ValueError,
        ["bn", "running statistics", "running_mean"],
    ),
]


@pytest.mark.parametrize("call, error, words", BAD_CALLS)
def test_bad_input_is_named(call, error, words):
    """Bad input raises the right error, naming the argument, the expectation and the value."""
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_the_module_does_not_import_torch():
    """convtutor.blocks is core: importing it (and counting) leaves torch unimported."""
    code = (
        "import sys, convtutor.blocks as b; b.block_cost('separable', 8, 16, 14); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
