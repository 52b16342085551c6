"""Real blocks and a whole network: MobileNet v1 and MobileNetV2's inverted residual.

MobileNet v1 (Howard et al. 2017, Figure 3) never uses a bare separable layer. Each of
its two steps is followed by batch normalisation (BatchNorm) and a ReLU:

* **standard block**: ``k x k`` convolution -> BatchNorm -> ReLU;
* **separable block**: ``k x k`` depth-wise -> BatchNorm -> ReLU -> 1x1 point-wise ->
  BatchNorm -> ReLU.

MobileNetV2 (Sandler et al. 2018, Figure 3 and Table 1) turns the block inside out:

* **inverted residual**: 1x1 expansion to ``t C_in`` channels -> BatchNorm -> ReLU6 ->
  ``k x k`` depth-wise -> BatchNorm -> ReLU6 -> 1x1 **linear** projection to ``C_out`` ->
  BatchNorm, with no ReLU after the projection (the "linear bottleneck"), and the input
  added to the output when the shapes match (stride 1 and ``C_in = C_out``). With
  ``t = 1`` there is no expansion layer (as in the network's first bottleneck).

The convolutions have no bias (``bias=False``, as in MobileNet): the BatchNorm right after
each one adds a shift of its own, so a bias there would be one number too many.

What is counted (:func:`block_cost`):

* **parameters**: the numbers training learns. The convolutions' weights
  (:func:`convtutor.conv_cost`) and, for each BatchNorm, a scale ``gamma`` and a shift
  ``beta`` per channel: 2 per channel. A BatchNorm also keeps a running mean and a running
  variance per channel. Those are **buffers**, not parameters: they are averaged from the
  data during training, not learnt by gradient descent, and ``module.parameters()`` does
  not list them. They are counted apart, as ``buffers``.
* **MACs** (multiply-accumulates): the convolutions' only, as MobileNet's paper counts its
  mult-adds. A BatchNorm at inference is one multiply and one add per value (and nothing
  at all once folded into the convolution before it, see :func:`batchnorm_affine`); a
  ReLU is one comparison per value, no multiply; the residual addition is one add per
  value. None is a MAC here. How many values they touch is given as each layer's
  ``outputs``, so nothing is hidden.

:func:`build_block` builds the same blocks as PyTorch modules; the tests hold the counts
equal to PyTorch's own (``numel`` of the parameters, ``FlopCounterMode`` for the MACs).
:func:`mobilenet_v1_cost` counts the whole of MobileNet v1 (its Table 1) for a width
multiplier and an input resolution; :func:`relu_spiral` computes MobileNetV2's Figure 1.
torch is imported inside the functions that need it, not with this module.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .cost import conv_cost

__all__ = [
    "BLOCK_KINDS",
    "LayerCost",
    "BlockCost",
    "block_cost",
    "build_block",
    "batchnorm_affine",
    "MOBILENET_V1_LAYERS",
    "NetworkLayer",
    "NetworkCost",
    "mobilenet_v1_channels",
    "mobilenet_v1_cost",
    "SpiralResult",
    "spiral_points",
    "shape_error",
    "relu_spiral",
]

#: The blocks: a standard convolution, MobileNet's depth-wise separable block, and
#: MobileNetV2's inverted residual with a linear bottleneck.
BLOCK_KINDS = ("standard", "separable", "inverted_residual")


@dataclass(frozen=True)
class LayerCost:
    """One layer of a block, named as in :func:`build_block`'s ``Sequential``.

    Attributes
    ----------
    name : str
        ``"conv"``, ``"bn"``, ``"relu"`` (standard); ``"depthwise"``, ``"bn1"``,
        ``"relu1"``, ``"pointwise"``, ``"bn2"``, ``"relu2"`` (separable); ``"expand"``
        (left out when ``t = 1``), ``"bn1"``, ``"relu1"``, ``"depthwise"``, ``"bn2"``,
        ``"relu2"``, ``"project"``, ``"bn3"`` and, when the shapes match, ``"add"``
        (inverted residual; its ReLUs are ReLU6).
    params : int
        Learnable numbers: the weights of a convolution, ``gamma`` and ``beta`` of a
        BatchNorm (2 per channel), none for a ReLU or the residual addition.
    macs : int or None
        Multiply-accumulates for one image: a convolution's; 0 for BatchNorm, ReLU and
        the addition (not counted, as in MobileNet's paper). ``None`` without an input
        size.
    outputs : int or None
        Values the layer produces for one image, ``channels x H_out x W_out``: what a
        BatchNorm or a ReLU works through. ``None`` without an input size.
    """

    name: str
    params: int
    macs: int | None
    outputs: int | None


@dataclass(frozen=True)
class BlockCost:
    """What a block costs; :func:`block_cost` makes it.

    Attributes
    ----------
    kind : {"standard", "separable", "inverted_residual"}
    layers : tuple of LayerCost
        In the order of the block.
    buffers : int
        The BatchNorms' running means and variances (2 per channel): stored with the
        model but not parameters.
    output_size : (int, int) or None
        ``(H_out, W_out)``; ``None`` without an input size.
    """

    kind: str
    layers: tuple[LayerCost, ...]
    buffers: int
    output_size: tuple[int, int] | None

    @property
    def params(self) -> int:
        """All learnable numbers: convolution weights plus BatchNorm's ``gamma`` and ``beta``."""
        return sum(layer.params for layer in self.layers)

    @property
    def conv_params(self) -> int:
        """The convolutions' weights alone (what :func:`convtutor.conv_cost` counts)."""
        return sum(layer.params for layer in self.layers if not layer.name.startswith("bn"))

    @property
    def residual(self) -> bool:
        """Whether the input is added to the output (an inverted residual, shapes equal)."""
        return any(layer.name == "add" for layer in self.layers)

    @property
    def bn_params(self) -> int:
        """BatchNorm's ``gamma`` and ``beta``: 2 per channel of each BatchNorm."""
        return sum(layer.params for layer in self.layers if layer.name.startswith("bn"))

    @property
    def macs(self) -> int | None:
        """Multiply-accumulates of the convolutions for one image; ``None`` without a size."""
        if self.output_size is None:
            return None
        return sum(layer.macs for layer in self.layers)


def _kind(kind) -> str:
    if not isinstance(kind, str) or kind not in BLOCK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, BLOCK_KINDS))}; got {kind!r}")
    return kind


def _padding(kernel_size) -> tuple[int, int]:
    """MobileNet's padding, ``k // 2`` on each side ("same" for odd ``k`` at stride 1)."""
    kh, kw = v.pair(kernel_size, "kernel_size", minimum=1)
    return kh // 2, kw // 2


def block_cost(
    kind,
    in_channels,
    out_channels,
    input_size=None,
    *,
    kernel_size=3,
    stride=1,
    depth_multiplier=1,
    expansion=None,
) -> BlockCost:
    r"""Parameters and MACs of a standard block, MobileNet's separable block or
    MobileNetV2's inverted residual.

    Parameters
    ----------
    kind : {"standard", "separable", "inverted_residual"}
        ``"standard"``: ``k x k`` convolution -> BatchNorm -> ReLU. ``"separable"``:
        ``k x k`` depth-wise -> BatchNorm -> ReLU -> 1x1 -> BatchNorm -> ReLU.
        ``"inverted_residual"``: 1x1 to ``t C_in`` -> BatchNorm -> ReLU6 -> ``k x k``
        depth-wise -> BatchNorm -> ReLU6 -> 1x1 to ``C_out`` -> BatchNorm (linear: no
        ReLU), plus the input when ``stride = 1`` and ``C_in = C_out``.
    in_channels, out_channels : int
        ``C_in`` and ``C_out``.
    input_size : int or (int, int), optional
        ``H`` or ``(H, W)``. Without it the MACs, outputs and output size are ``None``.
    kernel_size : int or (int, int), default 3
        ``k``; the padding is ``k // 2`` on each side, as in MobileNet.
    stride : int or (int, int), default 1
        Of the ``k x k`` convolution (the depth-wise one in a separable block).
    depth_multiplier : int, default 1
        ``M``, kernels per input channel in the depth-wise step (separable only; its
        BatchNorm then has ``C_in M`` channels).
    expansion : int, optional
        ``t``, the inverted residual's expansion factor (default 6, as in MobileNetV2);
        ``t = 1`` has no expansion layer. Inverted residual only.

    Returns
    -------
    BlockCost
        ``params`` (weights plus ``gamma`` and ``beta``), ``macs`` (the convolutions'),
        ``buffers``, ``output_size`` and each layer's numbers in ``layers``.

    Examples
    --------
    MobileNet's 3x3, 512 -> 512 layer on a 14x14 map, as a real block:

    >>> sep = block_cost("separable", 512, 512, 14)
    >>> sep.conv_params, sep.bn_params, sep.params
    (266752, 2048, 268800)
    >>> sep.macs  # the convolutions' mult-adds, as the paper counts them
    52283392
    >>> std = block_cost("standard", 512, 512, 14)
    >>> std.params, std.macs, std.buffers
    (2360320, 462422016, 1024)

    MobileNetV2's 14x14 bottleneck with 96 channels, expanded six times:

    >>> inv = block_cost("inverted_residual", 96, 96, 14, expansion=6)
    >>> inv.conv_params, inv.macs, inv.residual
    (115776, 22692096, True)
    """
    kind = _kind(kind)
    in_channels = v.positive_int(in_channels, "in_channels")
    out_channels = v.positive_int(out_channels, "out_channels")
    padding = _padding(kernel_size)
    m = v.positive_int(depth_multiplier, "depth_multiplier")
    if kind == "inverted_residual":
        t = 6 if expansion is None else v.positive_int(expansion, "expansion")
    elif expansion is not None:
        raise ValueError(
            "expansion belongs to the inverted residual (its 1x1 expansion); a "
            f"{kind} block has none: leave it out; got expansion={expansion!r}"
        )
    if kind != "separable" and m != 1:
        raise ValueError(
            "depth_multiplier belongs to the separable block (its depth-wise step); "
            f"a {kind} block has none: leave it at 1; got {depth_multiplier!r}"
        )
    if kind == "inverted_residual":
        return _inverted_residual_cost(
            in_channels, out_channels, input_size, kernel_size, stride, padding, t
        )
    if kind == "standard":
        conv = conv_cost(
            "standard", in_channels, out_channels, kernel_size, input_size,
            stride=stride, padding=padding,
        )  # fmt: skip
        steps = [("conv", conv, out_channels, "bn", "relu")]
    else:
        depthwise = conv_cost(
            "depthwise", in_channels, in_channels * m, kernel_size, input_size,
            stride=stride, padding=padding, depth_multiplier=m,
        )  # fmt: skip
        # The point-wise step sees the depth-wise output; its size is known only with one.
        pointwise = conv_cost("pointwise", in_channels * m, out_channels, 1, depthwise.output_size)
        steps = [
            ("depthwise", depthwise, in_channels * m, "bn1", "relu1"),
            ("pointwise", pointwise, out_channels, "bn2", "relu2"),
        ]
    layers, buffers = [], 0
    for name, cost, channels, bn, relu in steps:
        outputs = None if cost.output_size is None else channels * int(np.prod(cost.output_size))
        bn_macs = None if outputs is None else 0
        layers += [
            LayerCost(name, cost.params, cost.macs, outputs),
            LayerCost(bn, 2 * channels, bn_macs, outputs),  # gamma and beta
            LayerCost(relu, 0, bn_macs, outputs),
        ]
        buffers += 2 * channels  # running mean and running variance
    return BlockCost(kind, tuple(layers), buffers, steps[-1][1].output_size)


def _values(channels, cost) -> int | None:
    return None if cost.output_size is None else channels * int(np.prod(cost.output_size))


def _inverted_residual_cost(c_in, c_out, input_size, kernel_size, stride, padding, t):
    """:func:`block_cost` for ``"inverted_residual"`` (arguments checked there)."""
    hidden = c_in * t
    layers, buffers = [], 0
    if t != 1:  # MobileNetV2's first bottleneck (t = 1) has no expansion layer
        expand = conv_cost("pointwise", c_in, hidden, 1, input_size)
        layers.append(("expand", expand, hidden))
    depthwise = conv_cost(
        "depthwise", hidden, hidden, kernel_size, input_size, stride=stride, padding=padding
    )
    project = conv_cost("pointwise", hidden, c_out, 1, depthwise.output_size)
    layers += [("depthwise", depthwise, hidden), ("project", project, c_out)]
    out = []
    for i, (name, cost, channels) in enumerate(layers, start=1):
        outputs = _values(channels, cost)
        zero = None if outputs is None else 0
        out += [
            LayerCost(name, cost.params, cost.macs, outputs),
            LayerCost(f"bn{i}", 2 * channels, zero, outputs),  # gamma and beta
        ]
        if name != "project":  # the projection is linear: no ReLU after it
            out.append(LayerCost(f"relu{i}", 0, zero, outputs))
        buffers += 2 * channels  # running mean and running variance
    if v.pair(stride, "stride", minimum=1) == (1, 1) and c_in == c_out:
        outputs = _values(c_out, project)
        out.append(LayerCost("add", 0, None if outputs is None else 0, outputs))
    return BlockCost("inverted_residual", tuple(out), buffers, project.output_size)


def build_block(
    kind,
    in_channels,
    out_channels,
    *,
    kernel_size=3,
    stride=1,
    depth_multiplier=1,
    expansion=None,
    middle_relu=True,
    dtype=None,
):
    """The block as a ``torch.nn.Sequential``, its layers named as in :func:`block_cost`.

    Parameters
    ----------
    kind, in_channels, out_channels, kernel_size, stride, depth_multiplier, expansion
        As in :func:`block_cost`. The convolutions have ``bias=False`` and padding
        ``k // 2``, as in MobileNet.
    middle_relu : bool, default True
        Separable block only: ``False`` leaves out ``relu1``, the ReLU between the two
        steps (what Xception found better; the block's other layers are unchanged).
    dtype : torch.dtype, optional
        Of the parameters and buffers (``torch.float64`` to compare with convtutor).

    Returns
    -------
    torch.nn.Sequential
        A freshly initialised block (in training mode, as PyTorch makes it; call
        ``.eval()`` to use the BatchNorms' running statistics). An inverted residual
        whose shapes match is a ``Sequential`` that adds its input to its output
        (``block.residual`` is True); its children are run in order as usual.

    Examples
    --------
    >>> block = build_block("separable", 32, 64)
    >>> [name for name, _ in block.named_children()]
    ['depthwise', 'bn1', 'relu1', 'pointwise', 'bn2', 'relu2']
    >>> sum(p.numel() for p in block.parameters()) == block_cost("separable", 32, 64).params
    True
    """
    cost = block_cost(  # checks every argument
        kind, in_channels, out_channels, kernel_size=kernel_size, stride=stride,
        depth_multiplier=depth_multiplier, expansion=expansion,
    )  # fmt: skip
    if not isinstance(middle_relu, bool):
        raise TypeError(f"middle_relu must be True or False; got {middle_relu!r}")
    if cost.kind != "separable" and not middle_relu:
        raise ValueError(
            "middle_relu=False is for the separable block (the ReLU between its two steps); "
            f"a {cost.kind} block has none to leave out"
        )
    from collections import OrderedDict

    import torch  # heavy: imported only when a block is built

    nn = torch.nn
    k = v.pair(kernel_size, "kernel_size", minimum=1)
    s = v.pair(stride, "stride", minimum=1)
    padding = _padding(kernel_size)
    c_in, c_out = int(in_channels), int(out_channels)
    opts = {"bias": False, "dtype": dtype}
    if cost.kind == "inverted_residual":
        hidden = c_in * (6 if expansion is None else int(expansion))
        layers = []
        if hidden != c_in:
            layers += [
                ("expand", nn.Conv2d(c_in, hidden, 1, **opts)),
                ("bn1", nn.BatchNorm2d(hidden, dtype=dtype)),
                ("relu1", nn.ReLU6()),
            ]
        i = len(layers) // 3 + 1
        layers += [
            ("depthwise", nn.Conv2d(hidden, hidden, k, s, padding, groups=hidden, **opts)),
            (f"bn{i}", nn.BatchNorm2d(hidden, dtype=dtype)),
            (f"relu{i}", nn.ReLU6()),
            ("project", nn.Conv2d(hidden, c_out, 1, **opts)),
            (f"bn{i + 1}", nn.BatchNorm2d(c_out, dtype=dtype)),
        ]
        block = _residual_class() if cost.residual else nn.Sequential
        return block(OrderedDict(layers))
    if cost.kind == "standard":
        layers = [
            ("conv", nn.Conv2d(c_in, c_out, k, s, padding, **opts)),
            ("bn", nn.BatchNorm2d(c_out, dtype=dtype)),
            ("relu", nn.ReLU()),
        ]
    else:
        cm = c_in * int(depth_multiplier)
        layers = [
            ("depthwise", nn.Conv2d(c_in, cm, k, s, padding, groups=c_in, **opts)),
            ("bn1", nn.BatchNorm2d(cm, dtype=dtype)),
            ("relu1", nn.ReLU()),
            ("pointwise", nn.Conv2d(cm, c_out, 1, **opts)),
            ("bn2", nn.BatchNorm2d(c_out, dtype=dtype)),
            ("relu2", nn.ReLU()),
        ]
        if not middle_relu:
            layers = [layer for layer in layers if layer[0] != "relu1"]
    return nn.Sequential(OrderedDict(layers))


@functools.lru_cache(maxsize=1)
def _residual_class():
    """A ``torch.nn.Sequential`` that adds its input to its output (made once torch is in)."""
    import torch

    class Residual(torch.nn.Sequential):
        """The layers in order, then ``+ x`` (MobileNetV2's shortcut)."""

        residual = True

        def forward(self, x):
            return super().forward(x) + x

    return Residual


def batchnorm_affine(bn) -> tuple[np.ndarray, np.ndarray]:
    r"""A trained BatchNorm as a per-channel scale and shift: ``y = scale * x + shift``.

    At inference (``.eval()``) a BatchNorm uses its running statistics, so it is

    .. math:: y[c] = \gamma_c \frac{x[c] - \mu_c}{\sqrt{\sigma^2_c + \varepsilon}} + \beta_c
              = s_c\, x[c] + t_c, \quad s_c = \frac{\gamma_c}{\sqrt{\sigma^2_c +
              \varepsilon}}, \quad t_c = \beta_c - s_c \mu_c .

    A convolution followed by it is one convolution: its filter ``o`` times ``s_o``, plus
    the bias ``t`` ("folding" the BatchNorm).

    Parameters
    ----------
    bn : torch.nn.BatchNorm2d
        With running statistics (``track_running_stats=True``, PyTorch's default).

    Returns
    -------
    scale, shift : ndarray of shape (channels,), float64

    Examples
    --------
    >>> import torch
    >>> bn = torch.nn.BatchNorm2d(2)
    >>> scale, shift = batchnorm_affine(bn)  # fresh: mean 0, variance 1, gamma 1, beta 0
    >>> scale.round(4).tolist(), shift.tolist()
    ([1.0, 1.0], [0.0, 0.0])
    """
    needed = ("weight", "bias", "running_mean", "running_var", "eps")
    if not all(hasattr(bn, name) for name in needed):
        raise TypeError(
            f"bn must be a torch.nn.BatchNorm2d (with weight, bias, running_mean, running_var "
            f"and eps); got {type(bn).__name__}"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(
            "bn must keep running statistics (track_running_stats=True) to act as a fixed "
            "scale and shift; got a BatchNorm without running_mean and running_var"
        )

    def numbers(tensor, default):
        if tensor is None:  # affine=False: gamma 1, beta 0
            return np.full(bn.running_mean.shape[0], default, dtype=np.float64)
        return tensor.detach().cpu().double().numpy()

    gamma, beta = numbers(bn.weight, 1.0), numbers(bn.bias, 0.0)
    mean, var = numbers(bn.running_mean, 0.0), numbers(bn.running_var, 1.0)
    scale = gamma / np.sqrt(var + float(bn.eps))
    return scale, beta - scale * mean


# ---- MobileNet v1, the whole network ------------------------------------------------

#: MobileNet v1's body (Howard et al. 2017, Table 1) at width multiplier 1, after its first
#: layer (a standard 3x3 convolution, 3 -> 32 channels, stride 2): ``(C_in, C_out, stride)``
#: of each depth-wise separable layer, 3x3. The table prints stride 2 for the last one,
#: but its input and output are both 7x7: it is stride 1. Then a 7x7 average pool and a
#: 1024 -> 1000 fully connected classifier.
MOBILENET_V1_LAYERS = (
    (32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1), (256, 512, 2),
    (512, 512, 1), (512, 512, 1), (512, 512, 1), (512, 512, 1), (512, 512, 1),
    (512, 1024, 2), (1024, 1024, 1),
)  # fmt: skip
#: The first layer's output channels and the classifier's classes (ImageNet).
MOBILENET_V1_STEM, MOBILENET_V1_CLASSES = 32, 1000


@dataclass(frozen=True)
class NetworkLayer:
    """One layer of :func:`mobilenet_v1_cost`.

    Attributes
    ----------
    name : str
        ``"conv1"`` (the standard first layer), ``"separable1"`` ... ``"separable13"``
        (``"standard1"`` ... with ``kind="standard"``), ``"fc"`` (the classifier).
    in_channels, out_channels, stride : int
    input_size, output_size : int
        The square feature map's side before and after the layer (1 for the classifier).
    params : int
        Weights (and, for the classifier, its 1000 biases); BatchNorm apart.
    macs : int
        Multiply-accumulates for one image.
    """

    name: str
    in_channels: int
    out_channels: int
    stride: int
    input_size: int
    output_size: int
    params: int
    macs: int


@dataclass(frozen=True)
class NetworkCost:
    """What MobileNet v1 costs at one width multiplier and resolution.

    Attributes
    ----------
    alpha : float
    resolution : int
    layers : tuple of NetworkLayer
    bn_params : int
        ``gamma`` and ``beta`` of the BatchNorm after every convolution (2 per channel),
        not in ``params``: the paper does not say whether it counts them, and they change
        its rounded totals by less than a unit of the last digit.
    """

    alpha: float
    resolution: int
    layers: tuple[NetworkLayer, ...]
    bn_params: int

    @property
    def params(self) -> int:
        """Convolution weights plus the classifier's weights and biases."""
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        """Multiply-accumulates for one image: convolutions and the classifier."""
        return sum(layer.macs for layer in self.layers)


def mobilenet_v1_channels(channels, alpha=1.0) -> int:
    """A layer's channels at width multiplier ``alpha``: ``int(alpha * channels)``.

    Rounded down, as the Keras MobileNet does. Every channel count of the table is a
    power of two, so ``alpha * channels`` is exact in floating point and rounding down
    is rounding down of the exact product.

    >>> [mobilenet_v1_channels(c, 0.75) for c in (32, 64, 1024)]
    [24, 48, 768]
    """
    return int(_alpha(alpha) * v.positive_int(channels, "channels"))


def _alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a number in [1/32, 1]; got {alpha!r}")
    if not 1 / 32 <= float(alpha) <= 1:
        raise ValueError(
            "alpha must be a number in [1/32, 1] (a width multiplier keeps at least one of "
            f"the first layer's 32 channels and at most all of them); got {alpha!r}"
        )
    return float(alpha)


def mobilenet_v1_cost(alpha=1.0, resolution=224, *, kind="separable") -> NetworkCost:
    r"""The whole of MobileNet v1 counted: every layer of its Table 1 by :func:`conv_cost`.

    The width multiplier :math:`\alpha` thins every layer to ``int(alpha * C)`` channels
    (:func:`mobilenet_v1_channels`); the resolution multiplier :math:`\rho` is set through
    the input size ``resolution`` (224 is :math:`\rho = 1`). The cost falls roughly as
    :math:`\alpha^2` and :math:`\rho^2`: the point-wise layers, which hold most of it, have
    :math:`\alpha C_\text{in} \cdot \alpha C_\text{out}` weights, used at every one of the
    :math:`\rho^2`-times-fewer positions.

    Parameters
    ----------
    alpha : float in [1/32, 1], default 1.0
        Width multiplier.
    resolution : int >= 1, default 224
        The input image's side. Every 3x3 layer has padding 1, so a stride-2 layer
        halves the side, rounding up.
    kind : {"separable", "standard"}, default "separable"
        ``"standard"`` replaces every separable layer by a standard 3x3 convolution:
        the paper's "Conv MobileNet" (Table 4: 4866 M mult-adds, 29.3 M parameters).

    Returns
    -------
    NetworkCost
        ``macs`` and ``params`` of the network (``params``: convolution weights plus the
        classifier's weights and biases), each layer in ``layers``, BatchNorm's learnable
        numbers in ``bn_params``.

    Examples
    --------
    Table 6 and Table 7 of the paper: 569 M mult-adds and 4.2 M parameters at
    :math:`\alpha = 1` and 224; 41 M and 0.5 M at :math:`\alpha = 0.25`.

    >>> net = mobilenet_v1_cost()
    >>> round(net.macs / 1e6), round(net.params / 1e6, 1)
    (569, 4.2)
    >>> small = mobilenet_v1_cost(0.25)
    >>> round(small.macs / 1e6), round(small.params / 1e6, 1)
    (41, 0.5)
    >>> conv = mobilenet_v1_cost(kind="standard")  # Table 4: 4866 M and 29.3 M
    >>> round(conv.macs / 1e6, 1), round(conv.params / 1e6, 1)
    (4867.3, 29.3)
    """
    if kind not in ("separable", "standard"):
        raise ValueError(
            f"kind must be 'separable' (MobileNet) or 'standard' (Conv MobileNet); got {kind!r}"
        )
    alpha = _alpha(alpha)
    resolution = v.positive_int(resolution, "resolution")

    def ch(c):
        return int(alpha * c)

    layers, bn = [], 0
    first = conv_cost("standard", 3, ch(MOBILENET_V1_STEM), 3, resolution, stride=2, padding=1)
    size = first.output_size[0]
    layers.append(NetworkLayer("conv1", 3, ch(32), 2, resolution, size, first.params, first.macs))
    bn += 2 * ch(MOBILENET_V1_STEM)
    for i, (c_in, c_out, stride) in enumerate(MOBILENET_V1_LAYERS, start=1):
        cost = conv_cost(kind, ch(c_in), ch(c_out), 3, size, stride=stride, padding=1)
        out = cost.output_size[0]
        layers.append(
            NetworkLayer(
                f"{kind}{i}", ch(c_in), ch(c_out), stride, size, out, cost.params, cost.macs
            )
        )
        # a BatchNorm after each convolution: the depth-wise and the point-wise step
        bn += 2 * ch(c_out) + (2 * ch(c_in) if kind == "separable" else 0)
        size = out
    features, classes = ch(MOBILENET_V1_LAYERS[-1][1]), MOBILENET_V1_CLASSES
    fc = features * classes  # after the global average pool: one multiply-add per weight
    layers.append(NetworkLayer("fc", features, classes, 1, 1, 1, fc + classes, fc))
    return NetworkCost(alpha, resolution, tuple(layers), bn)


# ---- MobileNetV2, Figure 1: a ReLU in few or in many dimensions ---------------------


@dataclass(frozen=True)
class SpiralResult:
    """What :func:`relu_spiral` computed.

    Attributes
    ----------
    spiral : ndarray of shape (2, P)
        The points, one column each.
    dims : tuple of int
        The dimensions ``n`` tried.
    reconstructions : dict
        ``n`` -> ``(2, P)`` array: ``pinv(T) ReLU(T x)`` for the first random ``T``.
    errors : dict
        ``n`` -> ndarray of shape ``(draws,)``: the shape error of each draw of ``T``.
    recovered : dict
        ``n`` -> ndarray of shape ``(draws,)``: the share of points whose ``x`` can still
        be read back exactly from ``ReLU(T x)`` (the rows of ``T`` where ``T x > 0`` still
        have rank 2), for each draw.
    seed : int
    """

    spiral: np.ndarray
    dims: tuple[int, ...]
    reconstructions: dict
    errors: dict
    recovered: dict
    seed: int

    def median_error(self, n) -> float:
        """The median shape error over the draws for dimension ``n``."""
        return float(np.median(self.errors[n]))


def spiral_points(points=400) -> np.ndarray:
    """A 2-D spiral around the origin, two turns, radius up to 1: shape ``(2, points)``."""
    points = v.positive_int(points, "points")
    t = np.linspace(0.5, 4 * np.pi, points)
    return np.stack([t * np.cos(t), t * np.sin(t)]) / (4 * np.pi)


def shape_error(reconstruction, spiral) -> float:
    r"""``||s Y - X|| / ||X||`` with the best single scale ``s`` (least squares).

    A ReLU after :math:`T` zeroes about half of the ``n`` coordinates, so ``pinv(T)``
    brings back a spiral about half as large even when its shape survives. The scale
    that fits best is allowed; what is left is the damage to the shape.
    """
    y, x = np.asarray(reconstruction, float), np.asarray(spiral, float)
    yy = float((y * y).sum())
    s = float((y * x).sum()) / yy if yy > 0 else 0.0
    return float(np.linalg.norm(s * y - x) / np.linalg.norm(x))


def _recoverable(t, active) -> np.ndarray:
    """Per point: do the rows of ``t`` the ReLU let through (``active[:, p]``) have rank 2?

    Then ``x`` is their least-squares solution: nothing was lost. Rank 2 is a Gram
    matrix ``sum of t_i t_i^T`` over those rows with a determinant clearly above 0.
    """
    outer = t[:, :, None] * t[:, None, :]  # (n, 2, 2): t_i t_i^T
    gram = np.einsum("np,nij->pij", active.astype(float), outer)
    det = gram[:, 0, 0] * gram[:, 1, 1] - gram[:, 0, 1] * gram[:, 1, 0]
    trace = gram[:, 0, 0] + gram[:, 1, 1]
    return det > 1e-12 * trace**2


def relu_spiral(dims=(2, 3, 5, 15, 30), *, points=400, draws=25, seed=0) -> SpiralResult:
    r"""MobileNetV2's Figure 1, computed: a spiral through a ReLU in ``n`` dimensions.

    For each ``n``: draw a random ``n x 2`` matrix :math:`T` (standard normal entries),
    embed the spiral's points :math:`x` as :math:`T x`, apply a ReLU, and map back with
    the pseudo-inverse: :math:`T^{+}\,\mathrm{ReLU}(T x)`. In 2 or 3 dimensions the ReLU
    folds most of the spiral onto a few lines; in 15 or 30 its shape survives. Repeated
    for ``draws`` matrices, seeded: the same numbers on every run.

    Parameters
    ----------
    dims : sequence of int >= 2, default (2, 3, 5, 15, 30)
        The paper's dimensions.
    points : int, default 400
    draws : int, default 25
        Random matrices per ``n``.
    seed : int, default 0

    Returns
    -------
    SpiralResult
        The spiral, the first draw's reconstruction for each ``n``, each draw's shape
        error (:func:`shape_error`) and share of points recovered exactly.

    Examples
    --------
    >>> r = relu_spiral(draws=5)
    >>> r.median_error(2) > 0.5 > r.median_error(30)
    True
    """
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
        raise TypeError(f"dims must be a sequence of whole numbers >= 2; got {dims!r}")
    dims = tuple(v.positive_int(n, "dims") for n in dims)
    if not dims or min(dims) < 2:
        raise ValueError(
            f"dims must be a non-empty sequence of whole numbers >= 2 (the spiral is 2-D); "
            f"got {dims!r}"
        )
    draws = v.positive_int(draws, "draws")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a whole number >= 0; got {seed!r}")
    x = spiral_points(points)
    rng = np.random.default_rng(int(seed))
    reconstructions, errors, recovered = {}, {}, {}
    for n in dims:
        errs, shares = [], []
        for draw in range(draws):
            t = rng.standard_normal((n, 2))
            z = np.maximum(t @ x, 0.0)
            y = np.linalg.pinv(t) @ z
            if draw == 0:
                reconstructions[n] = y
            errs.append(shape_error(y, x))
            shares.append(float(np.mean(_recoverable(t, z > 0))))
        errors[n], recovered[n] = np.array(errs), np.array(shares)
    return SpiralResult(x, dims, reconstructions, errors, recovered, int(seed))
