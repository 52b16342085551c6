"""What a convolution layer costs: its parameters and its multiply-accumulates (MACs).

A MAC is one multiply followed by one add, ``acc += w * x``. Papers often say
"mult-adds" for the same thing (MobileNet does); one MAC is about two FLOPs.
Bias additions are not counted as MACs.

For a ``k_H x k_W`` kernel, ``C_in`` input and ``C_out`` output channels and an
``H_out x W_out`` output:

* standard: ``C_in C_out k_H k_W`` parameters, times ``H_out W_out`` MACs; with
  ``groups = g``, ``(C_in / g) C_out k_H k_W`` (each filter sees its group's channels);
* depthwise: ``C_in M k_H k_W`` parameters, times ``H_out W_out`` MACs;
* pointwise: ``C_in C_out`` parameters, times ``H_out W_out`` MACs;
* separable: ``C_in M k_H k_W + C_in M C_out`` parameters, times ``H_out W_out`` MACs.

``M`` is the depth multiplier. The separable-to-standard ratio for ``M = 1`` is
``1/C_out + 1/(k_H k_W)``.

:func:`conv_memory` counts a third cost: the bytes a layer must read and write at the
least (its input, its weights and its output, each once; a separable pair also writes
its intermediate maps and reads them back).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from . import _validate as v
from .conv import output_length

__all__ = ["ConvCost", "conv_cost", "KINDS", "ConvMemory", "conv_memory"]

KINDS = ("standard", "depthwise", "pointwise", "separable")


@dataclass(frozen=True)
class ConvCost:
    """The cost of one convolution layer.

    Attributes
    ----------
    params : int
        Learnable numbers: weights, plus biases when ``bias=True``.
    macs : int or None
        Multiply-accumulates for one image; ``None`` when no ``input_size`` was given.
    output_size : (int, int) or None
        ``(H_out, W_out)``; ``None`` when no ``input_size`` was given.
    """

    params: int
    macs: int | None
    output_size: tuple[int, int] | None


def _channels(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 1; got {value!r}")
    if value < 1:
        raise ValueError(
            f"{name} must be a whole number >= 1 (a layer needs channels); got {value}"
        )
    return int(value)


def conv_cost(
    kind,
    in_channels,
    out_channels,
    kernel_size,
    input_size=None,
    *,
    stride=1,
    padding=0,
    dilation=1,
    depth_multiplier=1,
    groups=1,
    bias=False,
) -> ConvCost:
    r"""Parameters and multiply-accumulates (MACs) of one layer of a given kind.

    Parameters
    ----------
    kind : {"standard", "depthwise", "pointwise", "separable"}
        ``"separable"`` is a depth-wise ``k x k`` step with multiplier ``M``, then a
        point-wise step from ``C_in * M`` to ``C_out`` channels.
    in_channels : int
        ``C_in``.
    out_channels : int
        ``C_out``. For ``"depthwise"`` it must be ``C_in * M``; when it is a multiple of
        ``C_in`` and ``depth_multiplier`` is left at 1, ``M`` is taken as
        ``out_channels // in_channels`` (what PyTorch does with ``groups=C_in``).
    kernel_size : int or (int, int)
        ``k`` or ``(k_H, k_W)``. Ignored for ``"pointwise"``, which is always 1x1.
    input_size : int or (int, int), optional
        ``H`` or ``(H, W)`` of the input. Without it ``macs`` and ``output_size``
        are ``None``.
    stride, padding, dilation
        As in :func:`convtutor.conv2d`; for ``"separable"`` they belong to the
        depth-wise step. A ``"pointwise"`` layer uses the stride only (1x1: no padding,
        no dilation). ``H_out = (H + 2p - d(k - 1) - 1) // s + 1``
        (:func:`convtutor.output_length`).
    depth_multiplier : int, default 1
        ``M``, kernels per input channel in a depth-wise step.
    groups : int, default 1
        For ``"standard"`` only: ``g`` groups of channels that do not see each other,
        as ``torch.nn.Conv2d(groups=g)``. ``g`` must divide ``in_channels`` and
        ``out_channels``; each filter is ``k x k x C_in/g``. Every other kind takes 1.
    bias : bool, default False
        Count one bias per output channel (per step, for ``"separable"``).

    Returns
    -------
    ConvCost
        ``params``, ``macs`` and ``output_size``.

    Examples
    --------
    The article's layer, 10 -> 20 channels with 7x7 filters (the article says 2,800):

    >>> conv_cost("standard", 10, 20, 7).params
    9800

    Three channels, 3x3, three outputs: 81 weights, or 27 + 9 = 36 separable.

    >>> conv_cost("standard", 3, 3, 3).params, conv_cost("separable", 3, 3, 3).params
    (81, 36)

    MobileNet v1, Table 3: 3x3, 512 -> 512 channels on a 14x14 map.

    >>> conv_cost("standard", 512, 512, 3, 14, padding=1).macs
    462422016
    >>> conv_cost("separable", 512, 512, 3, 14, padding=1).macs
    52283392

    Grouped: 12 -> 12 channels, 3x3, in 4 groups of 3 channels.

    >>> conv_cost("standard", 12, 12, 3, groups=4).params
    324
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    c_in = _channels(in_channels, "in_channels")
    c_out = _channels(out_channels, "out_channels")
    m = v.positive_int(depth_multiplier, "depth_multiplier")
    kh, kw = v.pair(kernel_size, "kernel_size", minimum=1)
    stride = v.pair(stride, "stride", minimum=1)
    dilation = v.pair(dilation, "dilation", minimum=1)
    if not isinstance(bias, (bool, int)) or bias not in (0, 1):
        raise TypeError(f"bias must be True or False; got {bias!r}")
    g = v.positive_int(groups, "groups")
    if g != 1 and kind != "standard":
        raise ValueError(
            f"groups applies to kind 'standard' only (a {kind} layer fixes its own); "
            f"got groups={g} with kind={kind!r}"
        )
    if c_in % g or c_out % g:
        raise ValueError(
            f"groups must divide in_channels and out_channels; got groups={g} with "
            f"in_channels={c_in}, out_channels={c_out}"
        )

    if kind == "depthwise":
        if c_out != c_in * m:
            if m == 1 and c_out % c_in == 0:
                m = c_out // c_in
            else:
                raise ValueError(
                    f"out_channels of a depth-wise layer must be in_channels x depth_multiplier "
                    f"= {c_in} x {m} = {c_in * m}; got out_channels={c_out}"
                )
    if kind == "pointwise":
        kh = kw = 1
        dilation = (1, 1)

    kernel_area = kh * kw
    if kind == "standard":
        weights = (c_in // g) * c_out * kernel_area
        per_pixel = weights
        biases = c_out
    elif kind == "depthwise":
        weights = c_in * m * kernel_area
        per_pixel = weights
        biases = c_in * m
    elif kind == "pointwise":
        weights = c_in * c_out
        per_pixel = weights
        biases = c_out
    else:  # separable
        weights = c_in * m * kernel_area + c_in * m * c_out
        per_pixel = weights
        biases = c_in * m + c_out
    params = weights + (biases if bias else 0)

    # Padding is checked even when there is no input size, so a bad value never passes.
    if kind == "pointwise":
        v.padding_amounts(padding, (1, 1), (1, 1), (1, 1))  # checked, then unused: 1x1
        pads = ((0, 0), (0, 0))
    else:
        pads = v.padding_amounts(padding, (kh, kw), dilation, stride)
    if input_size is None:
        return ConvCost(params=params, macs=None, output_size=None)
    h, w = v.pair(input_size, "input_size", minimum=1)
    v.check_fits("input", (h, w), pads, (kh, kw), dilation)
    out = tuple(
        output_length(n, k, stride=s, padding=p, dilation=d)
        for n, p, k, s, d in zip((h, w), pads, (kh, kw), stride, dilation, strict=True)
    )
    return ConvCost(params=params, macs=per_pixel * out[0] * out[1], output_size=out)


@dataclass(frozen=True)
class ConvMemory:
    """The bytes one layer reads and writes for one image, each value moved once.

    Attributes
    ----------
    input : int
        The input read: ``C_in H W`` values.
    weights : int
        The weights (and biases) read: ``params`` values.
    intermediate : int
        A separable pair's depth-wise output, ``C_in M H_out W_out`` values: written by
        the first step, then read by the second, so it counts **twice** in ``total``.
        0 for a single layer.
    output : int
        The output written: ``C_out H_out W_out`` values.
    itemsize : int
        Bytes per value (4 for float32).
    """

    input: int
    weights: int
    intermediate: int
    output: int
    itemsize: int

    @property
    def total(self) -> int:
        """All bytes read and written: input + weights + 2 x intermediate + output."""
        return self.input + self.weights + 2 * self.intermediate + self.output


def conv_memory(
    kind,
    in_channels,
    out_channels,
    kernel_size,
    input_size,
    *,
    stride=1,
    padding=0,
    dilation=1,
    depth_multiplier=1,
    bias=False,
    itemsize=4,
) -> ConvMemory:
    r"""The bytes a layer must read and write for one image: input, weights and output.

    The least a layer can move: each value read or written once (a cache that holds the
    whole input and all weights). Real code moves more when they do not fit; what it
    takes in practice is measured in notebook 07. For ``"separable"``, the two steps run
    one after the other, as two layers do: the depth-wise step writes its
    ``C_in M`` maps and the point-wise step reads them back (a fused kernel that keeps
    them in a cache would skip that).

    Parameters
    ----------
    kind, in_channels, out_channels, kernel_size, stride, padding, dilation,
    depth_multiplier, bias
        As in :func:`conv_cost`.
    input_size : int or (int, int)
        ``H`` or ``(H, W)``; needed here.
    itemsize : int, default 4
        Bytes per value: 4 for float32 (2 for float16, 8 for float64).

    Returns
    -------
    ConvMemory
        ``input``, ``weights``, ``intermediate``, ``output`` and ``total`` in bytes.

    Examples
    --------
    MobileNet's 3x3, 512 -> 512 layer on a 14x14 map, in float32:

    >>> std = conv_memory("standard", 512, 512, 3, 14, padding=1)
    >>> std.input, std.weights, std.output, std.total
    (401408, 9437184, 401408, 10240000)
    >>> sep = conv_memory("separable", 512, 512, 3, 14, padding=1)
    >>> sep.weights, sep.intermediate, sep.total
    (1067008, 401408, 2672640)
    """
    if input_size is None:
        raise ValueError(
            "input_size is needed to count bytes (the maps are most of them); got None"
        )
    if isinstance(itemsize, bool) or not isinstance(itemsize, numbers.Integral) or itemsize < 1:
        raise TypeError(f"itemsize must be a whole number of bytes >= 1; got {itemsize!r}")
    cost = conv_cost(
        kind, in_channels, out_channels, kernel_size, input_size, stride=stride,
        padding=padding, dilation=dilation, depth_multiplier=depth_multiplier, bias=bias,
    )  # fmt: skip
    h, w = v.pair(input_size, "input_size", minimum=1)
    area = cost.output_size[0] * cost.output_size[1]
    c_in, c_out = int(in_channels), int(out_channels)
    m = int(depth_multiplier)
    if kind == "depthwise" and c_out != c_in * m:  # M taken from out_channels, as conv_cost does
        m = c_out // c_in
    intermediate = c_in * m * area if kind == "separable" else 0
    return ConvMemory(
        input=itemsize * c_in * h * w,
        weights=itemsize * cost.params,
        intermediate=itemsize * intermediate,
        output=itemsize * c_out * area,
        itemsize=int(itemsize),
    )
