"""MobileNet v1's whole network (Tables 6 and 7 of the paper) and MobileNetV2's inverted
residual counted by convtutor.blocks and by PyTorch modules; MobileNetV2's Figure 1."""

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convtutor as ct
from convtutor import blocks
from tests.support.optional_torch import torch

# Paper (Howard et al. 2017): Table 6 (width) and Table 7 (resolution), cited.
TABLE6 = {1.0: (569, 4.2), 0.75: (325, 2.6), 0.5: (149, 1.3), 0.25: (41, 0.5)}
TABLE7 = {224: (569, 4.2), 192: (418, 4.2), 160: (290, 4.2), 128: (186, 4.2)}


def mobilenet_v1_torch(alpha, batchnorm=True, kind="separable"):
    """MobileNet v1 as PyTorch modules, written from Table 1 here (not by convtutor);
    kind="standard": Conv MobileNet, a standard 3x3 convolution for each separable layer."""
    nn = torch.nn

    def c(n):
        return int(alpha * n)

    layers = [nn.Conv2d(3, c(32), 3, 2, 1, bias=False)]
    layers += [nn.BatchNorm2d(c(32)), nn.ReLU()] if batchnorm else []
    for c_in, c_out, stride in blocks.MOBILENET_V1_LAYERS:
        if kind == "standard":
            layers.append(nn.Conv2d(c(c_in), c(c_out), 3, stride, 1, bias=False))
            layers += [nn.BatchNorm2d(c(c_out)), nn.ReLU()] if batchnorm else []
            continue
        layers.append(nn.Conv2d(c(c_in), c(c_in), 3, stride, 1, groups=c(c_in), bias=False))
        layers += [nn.BatchNorm2d(c(c_in)), nn.ReLU()] if batchnorm else []
        layers.append(nn.Conv2d(c(c_in), c(c_out), 1, bias=False))
        layers += [nn.BatchNorm2d(c(c_out)), nn.ReLU()] if batchnorm else []
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c(1024), 1000)]
    return nn.Sequential(*layers)


@pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5, 0.25, 0.3, 1 / 32])
def test_parameters_equal_pytorch(alpha):
    """params = weights + classifier (with bias); bn_params = the BatchNorms' gamma, beta."""
    cost = blocks.mobilenet_v1_cost(alpha)
    plain = mobilenet_v1_torch(alpha, batchnorm=False)
    full = mobilenet_v1_torch(alpha)
    assert cost.params == sum(p.numel() for p in plain.parameters())
    assert cost.params + cost.bn_params == sum(p.numel() for p in full.parameters())


def test_conv_mobilenet_table_4():
    """kind="standard": Conv MobileNet, counted as PyTorch counts it; Table 4's 4866 M
    mult-adds and 29.3 M parameters."""
    cost = blocks.mobilenet_v1_cost(kind="standard")
    assert abs(cost.macs / 1e6 - 4866) / 4866 < 0.001 and round(cost.params / 1e6, 1) == 29.3
    for alpha in (1.0, 0.5):
        cost = blocks.mobilenet_v1_cost(alpha, kind="standard")
        plain = mobilenet_v1_torch(alpha, batchnorm=False, kind="standard")
        full = mobilenet_v1_torch(alpha, kind="standard")
        assert cost.params == sum(p.numel() for p in plain.parameters())
        assert cost.params + cost.bn_params == sum(p.numel() for p in full.parameters())
    small = blocks.mobilenet_v1_cost(0.25, 64, kind="standard")
    net = mobilenet_v1_torch(0.25, batchnorm=False, kind="standard").eval()
    with torch.no_grad(), torch.utils.flop_counter.FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, 64, 64))
    assert small.macs == counter.get_total_flops() // 2


@pytest.mark.parametrize("alpha, resolution", [(1.0, 224), (0.5, 160), (0.25, 97), (0.75, 33)])
def test_macs_equal_pytorch(alpha, resolution):
    """The MACs equal FlopCounterMode's (convolutions and the classifier), layer sizes too."""
    cost = blocks.mobilenet_v1_cost(alpha, resolution)
    net = mobilenet_v1_torch(alpha, batchnorm=False).eval()
    with torch.no_grad(), torch.utils.flop_counter.FlopCounterMode(display=False) as counter:
        net(torch.zeros(1, 3, resolution, resolution))
    assert cost.macs == counter.get_total_flops() // 2
    sizes = [layer.output_size for layer in cost.layers[:-1]]
    side = resolution
    for layer, out in zip(cost.layers[:-1], sizes, strict=True):
        side = -(-side // layer.stride)  # padding 1, 3x3: a stride-2 layer halves, up
        assert out == side


def test_tables_6_and_7():
    """Within 1 % of the paper's mult-adds and equal to its parameters once rounded."""
    for alpha, (macs, params) in TABLE6.items():
        cost = blocks.mobilenet_v1_cost(alpha)
        assert abs(cost.macs / 1e6 - macs) / macs < 0.01
        assert round(cost.params / 1e6, 1) == params
        assert round((cost.params + cost.bn_params) / 1e6, 1) == params  # BN changes nothing
    for resolution, (macs, params) in TABLE7.items():
        cost = blocks.mobilenet_v1_cost(1.0, resolution)
        assert abs(cost.macs / 1e6 - macs) / macs < 0.01
        assert round(cost.params / 1e6, 1) == params


def test_layers_are_conv_cost():
    """Each layer's counts are conv_cost's; the cost falls close to alpha^2 and rho^2."""
    cost = blocks.mobilenet_v1_cost(0.5, 160)
    assert [la.name for la in cost.layers] == ["conv1"] + [
        f"separable{i}" for i in range(1, 14)
    ] + ["fc"]
    sep = cost.layers[4]  # Table 1: 128 -> 256, stride 2; at alpha = 0.5, 64 -> 128
    expected = ct.conv_cost("separable", 64, 128, 3, sep.input_size, stride=2, padding=1)
    assert (sep.params, sep.macs, sep.output_size) == (
        expected.params, expected.macs, expected.output_size[0]
    )  # fmt: skip
    base = blocks.mobilenet_v1_cost()
    for alpha in (0.75, 0.5, 0.25):
        ratio = blocks.mobilenet_v1_cost(alpha).macs / base.macs
        assert alpha**2 <= ratio < alpha**2 + 0.04  # the depth-wise part falls as alpha only
    for res in (192, 160, 128):
        ratio = blocks.mobilenet_v1_cost(1.0, res).macs / base.macs
        assert abs(ratio - (res / 224) ** 2) < 0.005  # the classifier does not shrink


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: blocks.mobilenet_v1_cost(0), ValueError, ["alpha", "[1/32, 1]", "0"]),
        (lambda: blocks.mobilenet_v1_cost(1.5), ValueError, ["alpha", "1.5"]),
        (lambda: blocks.mobilenet_v1_cost("1"), TypeError, ["alpha", "number", "'1'"]),
        (lambda: blocks.mobilenet_v1_cost(True), TypeError, ["alpha", "True"]),
        (lambda: blocks.mobilenet_v1_cost(float("nan")), ValueError, ["alpha", "nan"]),
        (lambda: blocks.mobilenet_v1_cost(1, 0), ValueError, ["resolution", ">= 1", "0"]),
        (lambda: blocks.mobilenet_v1_cost(1, 224.0), TypeError, ["resolution", "224.0"]),
        (
            lambda: blocks.mobilenet_v1_cost(kind="depthwise"),
            ValueError,
            ["kind", "'separable'", "'standard'", "depthwise"],
        ),
        (lambda: blocks.relu_spiral((1, 2)), ValueError, ["dims", ">= 2"]),
        (lambda: blocks.relu_spiral(15), TypeError, ["dims", "sequence", "15"]),
        (lambda: blocks.relu_spiral(draws=0), ValueError, ["draws", "0"]),
        (lambda: blocks.relu_spiral(seed=-1), TypeError, ["seed", "-1"]),
        (
            lambda: blocks.block_cost("separable", 4, 4, expansion=6),
            ValueError,
            ["expansion", "inverted residual", "6"],
        ),
        (
            lambda: blocks.block_cost("inverted_residual", 4, 4, depth_multiplier=2),
            ValueError,
            ["depth_multiplier", "inverted_residual", "2"],
        ),
        (
            lambda: blocks.block_cost("inverted_residual", 4, 4, expansion=0),
            ValueError,
            ["expansion", ">= 1", "0"],
        ),
        (
            lambda: blocks.build_block("inverted_residual", 4, 4, middle_relu=False),
            ValueError,
            ["middle_relu", "separable"],
        ),
    ],
)
def test_bad_input_is_named(call, error, words):
    """A wrong argument raises an error that names it, what was expected and what was given."""
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# ---- MobileNetV2's inverted residual ---------------------------------------------------


def inverted_residual_torch(c_in, c_out, k, stride, t):
    """The block written here from MobileNetV2's Table 1 (not by convtutor)."""
    nn = torch.nn
    hidden = c_in * t
    layers = []
    if t != 1:
        layers += [("expand", nn.Conv2d(c_in, hidden, 1, bias=False)),
                   ("bn1", nn.BatchNorm2d(hidden)), ("relu1", nn.ReLU6())]  # fmt: skip
    i = len(layers) // 3 + 1
    layers += [
        ("depthwise", nn.Conv2d(hidden, hidden, k, stride, k // 2, groups=hidden, bias=False)),
        (f"bn{i}", nn.BatchNorm2d(hidden)),
        (f"relu{i}", nn.ReLU6()),
        ("project", nn.Conv2d(hidden, c_out, 1, bias=False)),
        (f"bn{i + 1}", nn.BatchNorm2d(c_out)),
    ]
    return nn.Sequential(OrderedDict(layers))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10), st.integers(1, 10), st.sampled_from([1, 3, 5]), st.integers(1, 2),
    st.integers(1, 6), st.integers(1, 12), st.integers(1, 12),
)  # fmt: skip
def test_inverted_residual_counts_equal_pytorch(c_in, c_out, k, stride, t, h, w):
    """Layer by layer: parameters, MACs and output values equal PyTorch's; the residual is
    there exactly when stride is 1 and C_in = C_out."""
    cost = blocks.block_cost(
        "inverted_residual", c_in, c_out, (h, w), kernel_size=k, stride=stride, expansion=t
    )
    reference = inverted_residual_torch(c_in, c_out, k, stride, t).eval()
    x = torch.zeros(1, c_in, h, w)
    rows = []
    with torch.no_grad():
        for name, layer in reference.named_children():
            with torch.utils.flop_counter.FlopCounterMode(display=False) as counter:
                x = layer(x)
            rows.append((name, sum(p.numel() for p in layer.parameters()),
                         counter.get_total_flops() // 2, x.numel()))  # fmt: skip
    residual = stride == 1 and c_in == c_out
    if residual:
        rows.append(("add", 0, 0, x.numel()))
    assert [(la.name, la.params, la.macs, la.outputs) for la in cost.layers] == rows
    assert cost.residual == residual and cost.output_size == tuple(x.shape[2:])
    built = blocks.build_block(
        "inverted_residual", c_in, c_out, kernel_size=k, stride=stride, expansion=t
    )
    assert [n for n, _ in built.named_children()] == [n for n, *_ in rows if n != "add"]
    assert sum(p.numel() for p in built.parameters()) == cost.params
    assert getattr(built, "residual", False) == residual
    hidden = c_in * t
    expected = conv = (c_in * hidden if t != 1 else 0) + hidden * k * k + hidden * c_out
    assert cost.conv_params == conv == expected
    bn = 2 * (hidden * (2 if t != 1 else 1) + c_out)
    assert cost.bn_params == bn == cost.buffers


def test_inverted_residual_adds_its_input_and_its_projection_is_linear():
    """build_block's output is the layers' output plus x; no ReLU after the projection:
    the block's output takes negative values."""
    torch.manual_seed(0)
    block = blocks.build_block("inverted_residual", 8, 8, expansion=6, dtype=torch.float64)
    block.eval()
    x = torch.randn(2, 8, 9, 9, dtype=torch.float64)
    with torch.no_grad():
        inner = x
        for layer in block.children():
            inner = layer(inner)
        out = block(x)
    assert torch.equal(out, inner + x)
    assert (inner < 0).any() and isinstance(list(block.children())[-1], torch.nn.BatchNorm2d)
    assert not any(isinstance(m, torch.nn.ReLU) for m in block.modules())
    assert sum(isinstance(m, torch.nn.ReLU6) for m in block.modules()) == 2
    strided = blocks.build_block("inverted_residual", 8, 8, stride=2)
    assert not getattr(strided, "residual", False)
    assert strided(torch.zeros(1, 8, 9, 9)).shape == (1, 8, 5, 5)


def test_mobilenet_v2_block_table():
    """MobileNetV2 (Table 1): a 14x14, 96-channel bottleneck with t = 6; the first one
    (t = 1, 32 -> 16, 112x112) has no expansion layer."""
    inv = blocks.block_cost("inverted_residual", 96, 96, 14, expansion=6)
    assert inv.conv_params == 96 * 576 + 576 * 9 + 576 * 96
    assert inv.macs == inv.conv_params * 14 * 14 and inv.residual
    first = blocks.block_cost("inverted_residual", 32, 16, 112, expansion=1)
    assert [la.name for la in first.layers] == ["depthwise", "bn1", "relu1", "project", "bn2"]
    assert blocks.block_cost("inverted_residual", 4, 4).layers[0].params == 4 * 24  # t = 6


# ---- MobileNetV2's Figure 1 ----------------------------------------------------------


def test_relu_spiral_orders_as_the_paper_says():
    """Measured (seed 0, 25 draws of T): the median shape error falls as n grows, 2 and 3
    above 0.7, 15 and 30 below 0.45; in 15 and 30 every point is still recoverable, in 2
    and 3 at most about half."""
    r = blocks.relu_spiral()
    med = {n: r.median_error(n) for n in r.dims}
    assert med[2] > med[3] > med[5] > med[15] > med[30]
    assert min(med[2], med[3]) > 0.7 and max(med[15], med[30]) < 0.45
    assert (r.recovered[15] == 1).all() and (r.recovered[30] == 1).all()
    assert r.recovered[2].mean() < 0.35 and r.recovered[3].mean() < 0.55


def test_relu_spiral_computes_what_it_says():
    """Reconstruction = pinv(T) relu(T x) with the seeded T; seeded runs repeat; the
    shape error is 0 for a scaled copy; without the ReLU the spiral comes back exactly."""
    r = blocks.relu_spiral((2, 15), draws=3, seed=7, points=50)
    rng = np.random.default_rng(7)
    t = rng.standard_normal((2, 2))
    expected = np.linalg.pinv(t) @ np.maximum(t @ r.spiral, 0)
    assert np.allclose(r.reconstructions[2], expected)
    again = blocks.relu_spiral((2, 15), draws=3, seed=7, points=50)
    assert all(np.array_equal(r.errors[n], again.errors[n]) for n in (2, 15))
    assert blocks.shape_error(0.5 * r.spiral, r.spiral) < 1e-12
    t = np.random.default_rng(1).standard_normal((15, 2))
    assert np.allclose(np.linalg.pinv(t) @ (t @ r.spiral), r.spiral)
    assert r.spiral.shape == (2, 50) and np.abs(r.spiral).max() <= 1


def _rank_two(rows) -> bool:
    """np.linalg.matrix_rank(rows) == 2; no rows at all have rank 0 (numpy 2.2's
    matrix_rank refuses an empty matrix)."""
    return len(rows) > 0 and bool(np.linalg.matrix_rank(rows) == 2)


def test_recovered_share_is_the_rank_of_the_active_rows():
    """The share counted equals np.linalg.matrix_rank of the rows each point keeps == 2."""
    x = blocks.spiral_points(80)
    rng = np.random.default_rng(5)
    for n in (2, 3, 5, 15):
        for _ in range(4):
            t = rng.standard_normal((n, 2))
            active = (t @ x) > 0
            fast = blocks._recoverable(t, active)
            slow = [_rank_two(t[a]) for a in active.T]
            assert fast.tolist() == slow
    r = blocks.relu_spiral((2, 30), draws=2, seed=3, points=80)
    rng = np.random.default_rng(3)
    shares = []
    for _ in range(2):
        t = rng.standard_normal((2, 2))
        z = np.maximum(t @ r.spiral, 0)
        shares.append(np.mean([_rank_two(t[a]) for a in (z > 0).T]))
    assert r.recovered[2].tolist() == shares
