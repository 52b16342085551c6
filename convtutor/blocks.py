"""A real block: MobileNet v1's depth-wise separable block beside a standard one.

MobileNet v1 (Howard et al. 2017, Figure 3) never uses a bare separable layer. Each of
its two steps is followed by batch normalisation (BatchNorm) and a ReLU:

* **standard block**: ``k x k`` convolution -> BatchNorm -> ReLU;
* **separable block**: ``k x k`` depth-wise -> BatchNorm -> ReLU -> 1x1 point-wise ->
  BatchNorm -> ReLU.

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
  ReLU is one comparison per value, no multiply. Neither is a MAC here. How many values
  they touch is given as each layer's ``outputs``, so nothing is hidden.

:func:`build_block` builds the same blocks as PyTorch modules; the tests hold the counts
equal to PyTorch's own (``numel`` of the parameters, ``FlopCounterMode`` for the MACs).
torch is imported inside the functions that need it, not with this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .cost import conv_cost

__all__ = ["BLOCK_KINDS", "LayerCost", "BlockCost", "block_cost", "build_block", "batchnorm_affine"]

#: The two blocks: a standard convolution, and MobileNet's depth-wise separable block.
BLOCK_KINDS = ("standard", "separable")


@dataclass(frozen=True)
class LayerCost:
    """One layer of a block, named as in :func:`build_block`'s ``Sequential``.

    Attributes
    ----------
    name : str
        ``"conv"``, ``"bn"``, ``"relu"`` (standard) or ``"depthwise"``, ``"bn1"``,
        ``"relu1"``, ``"pointwise"``, ``"bn2"``, ``"relu2"`` (separable).
    params : int
        Learnable numbers: the weights of a convolution, ``gamma`` and ``beta`` of a
        BatchNorm (2 per channel), none for a ReLU.
    macs : int or None
        Multiply-accumulates for one image: a convolution's; 0 for BatchNorm and ReLU
        (not counted, as in MobileNet's paper). ``None`` without an input size.
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
    kind : {"standard", "separable"}
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
) -> BlockCost:
    r"""Parameters and MACs of MobileNet's separable block, or of a standard block.

    Parameters
    ----------
    kind : {"standard", "separable"}
        ``"standard"``: ``k x k`` convolution -> BatchNorm -> ReLU. ``"separable"``:
        ``k x k`` depth-wise -> BatchNorm -> ReLU -> 1x1 -> BatchNorm -> ReLU.
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
    """
    kind = _kind(kind)
    in_channels = v.positive_int(in_channels, "in_channels")
    out_channels = v.positive_int(out_channels, "out_channels")
    padding = _padding(kernel_size)
    m = v.positive_int(depth_multiplier, "depth_multiplier")
    if kind == "standard" and m != 1:
        raise ValueError(
            "depth_multiplier belongs to the separable block (its depth-wise step); "
            f"a standard block has none: leave it at 1; got {depth_multiplier!r}"
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


def build_block(
    kind,
    in_channels,
    out_channels,
    *,
    kernel_size=3,
    stride=1,
    depth_multiplier=1,
    middle_relu=True,
    dtype=None,
):
    """The block as a ``torch.nn.Sequential``, its layers named as in :func:`block_cost`.

    Parameters
    ----------
    kind, in_channels, out_channels, kernel_size, stride, depth_multiplier
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
        ``.eval()`` to use the BatchNorms' running statistics).

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
        depth_multiplier=depth_multiplier,
    )  # fmt: skip
    if not isinstance(middle_relu, bool):
        raise TypeError(f"middle_relu must be True or False; got {middle_relu!r}")
    if cost.kind == "standard" and not middle_relu:
        raise ValueError(
            "middle_relu=False is for the separable block (the ReLU between its two steps); "
            "a standard block has one step"
        )
    from collections import OrderedDict

    import torch  # heavy: imported only when a block is built

    nn = torch.nn
    k = v.pair(kernel_size, "kernel_size", minimum=1)
    s = v.pair(stride, "stride", minimum=1)
    padding = _padding(kernel_size)
    c_in, c_out = int(in_channels), int(out_channels)
    opts = {"bias": False, "dtype": dtype}
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
