"""The convolution family: standard, depth-wise, point-wise and depth-wise separable.

All four follow PyTorch's ``torch.nn.functional.conv2d``:

* "convolution" here is **cross-correlation**, as in every deep-learning library:
  the kernel slides over the image *without* being flipped;
* an image is ``(C, H, W)`` or a batch ``(N, C, H, W)``; the result has the same rank;
* a weight is ``(C_out, C_in / groups, kH, kW)``;
* the output size along each axis is

  ``H_out = (H + 2p - d(k - 1) - 1) // s + 1``

  for padding ``p``, dilation ``d``, kernel size ``k`` and stride ``s``.

The module imports numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import _validate as v

__all__ = [
    "output_length",
    "conv2d",
    "depthwise_conv2d",
    "pointwise_conv2d",
    "separable_conv2d",
    "depthwise_to_standard",
    "separable_to_standard",
]


def output_length(size, kernel_size, *, stride=1, padding=0, dilation=1) -> int:
    """How many outputs a convolution gives along one axis.

    ``H_out = (H + 2p - d(k - 1) - 1) // s + 1`` for an input of ``H`` pixels, a kernel
    of ``k`` taps, padding ``p`` on each side, dilation ``d`` and stride ``s``: the
    number of places the (dilated) kernel fits in the padded input, stepping by ``s``.
    0 or less means the kernel does not fit at all.

    Parameters
    ----------
    size : int
        ``H``, pixels along the axis (>= 1).
    kernel_size : int
        ``k``, taps of the kernel along the axis (>= 1).
    stride, dilation : int, default 1
        ``s`` and ``d`` (>= 1).
    padding : int or (int, int), default 0
        Zeros on each side, or ``(before, after)`` when they differ (``padding="same"``
        with an even kernel puts one more after).

    Examples
    --------
    A 7-pixel row and a 3-tap kernel: 5 places; 7 with one zero on each side; 3 with
    stride 2 (taps at 0, 2, 4). A 3-tap kernel with dilation 2 spans 5 pixels: too wide
    for 4.

    >>> output_length(7, 3), output_length(7, 3, padding=1), output_length(7, 3, stride=2)
    (5, 7, 3)
    >>> output_length(4, 3, dilation=2)
    0
    """
    size = v.positive_int(size, "size")
    kernel_size = v.positive_int(kernel_size, "kernel_size")
    stride = v.positive_int(stride, "stride")
    dilation = v.positive_int(dilation, "dilation")
    before, after = v.pair(padding, "padding", minimum=0)
    return (size + before + after - dilation * (kernel_size - 1) - 1) // stride + 1


@dataclass(frozen=True)
class _Plan:
    """A validated convolution call: arrays in (N, C, H, W) form and resolved options."""

    x: np.ndarray  # (N, C, H, W)
    weight: np.ndarray  # (C_out, C_in/groups, kH, kW)
    bias: np.ndarray | None
    stride: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int]
    groups: int
    unbatched: bool
    dtype: np.dtype
    out_size: tuple[int, int]


def _plan(x, weight, bias, stride, padding, dilation, groups) -> _Plan:
    """Check every argument of a conv2d call; raise clear errors; resolve the options."""
    x4, unbatched = v.image_batch(x, "x")
    w = v.as_array(weight, "weight")
    if w.ndim != 4:
        raise ValueError(
            f"weight must have shape (C_out, C_in/groups, kH, kW); got {w.ndim} dimensions, "
            f"shape {w.shape}"
        )
    groups = v.positive_int(groups, "groups")
    stride = v.pair(stride, "stride", minimum=1)
    dilation = v.pair(dilation, "dilation", minimum=1)
    c_in = x4.shape[1]
    c_out, c_per_group, kh, kw = w.shape
    if c_in == 0 or c_out == 0 or 0 in (kh, kw):
        raise ValueError(
            f"channels and kernel sizes must be at least 1; got x with {c_in} channels and "
            f"weight of shape {w.shape}"
        )
    if c_in % groups:
        raise ValueError(
            f"groups must divide the input channels: x has {c_in} channels, groups={groups}"
        )
    if c_out % groups:
        raise ValueError(
            f"groups must divide the output channels: weight has {c_out} filters "
            f"(shape {w.shape}), groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"weight must have shape (C_out, C_in/groups, kH, kW) = "
            f"({c_out}, {c_in // groups}, {kh}, {kw}) for x with {c_in} channels and "
            f"groups={groups}; got {w.shape}"
        )
    b = v.bias_vector(bias, c_out)
    pads = v.padding_amounts(padding, (kh, kw), dilation, stride)
    size = x4.shape[2:]
    v.check_fits("input x", size, pads, (kh, kw), dilation)
    out_size = tuple(
        output_length(n, k, stride=s, padding=p, dilation=d)
        for n, p, k, s, d in zip(size, pads, (kh, kw), stride, dilation, strict=True)
    )
    return _Plan(
        x4, w, b, stride, pads, dilation, groups, unbatched, v.float_dtype(x4, w, b), out_size
    )


def _padded(plan: _Plan) -> np.ndarray:
    x = plan.x.astype(plan.dtype, copy=False)
    (top, bottom), (left, right) = plan.pads
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    return x


def _windows(xp: np.ndarray, plan: _Plan) -> np.ndarray:
    """Every kernel-sized window as a view: (..., H_out, W_out, kH, kW). No copy."""
    kh, kw = plan.weight.shape[2:]
    (dh, dw), (sh, sw) = plan.dilation, plan.stride
    ho, wo = plan.out_size
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    win = sliding_window_view(xp, span, axis=(-2, -1))
    return win[..., : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw, ::dh, ::dw]


def _finish(out: np.ndarray, plan: _Plan) -> np.ndarray:
    if plan.bias is not None:
        out += plan.bias.astype(plan.dtype, copy=False)[:, None, None]
    return out[0] if plan.unbatched else out


def _run_gemm(plan: _Plan) -> np.ndarray:
    """Vectorised path: gather windows into columns ("im2col"), one matrix product per group."""
    xp = _padded(plan)
    n, c_in = xp.shape[:2]
    g = plan.groups
    c_out, cg, kh, kw = plan.weight.shape
    ho, wo = plan.out_size
    win = _windows(xp.reshape(n, g, cg, *xp.shape[2:]), plan)  # (N, G, Cg, Ho, Wo, kH, kW)
    cols = np.ascontiguousarray(win.transpose(0, 1, 2, 5, 6, 3, 4))  # (N, G, Cg, kH, kW, Ho, Wo)
    cols = cols.reshape(n, g, cg * kh * kw, ho * wo)
    w = plan.weight.astype(plan.dtype, copy=False).reshape(g, c_out // g, cg * kh * kw)
    out = np.matmul(w, cols)  # (N, G, C_out/G, Ho*Wo)
    return _finish(out.reshape(n, c_out, ho, wo), plan)


def _run_depthwise(plan: _Plan) -> np.ndarray:
    """Vectorised path for one input channel per group: add up kH*kW shifted, scaled copies."""
    xp = _padded(plan)
    n, c = xp.shape[:2]
    c_out, _, kh, kw = plan.weight.shape
    m = c_out // c
    ho, wo = plan.out_size
    win = _windows(xp, plan)  # (N, C, Ho, Wo, kH, kW)
    w = plan.weight.astype(plan.dtype, copy=False).reshape(c, m, kh, kw)
    out = np.zeros((n, c, m, ho, wo), dtype=plan.dtype)
    # Work in bands of output rows small enough to stay in the CPU cache (~64k values):
    # on a 224x224 image this is several times faster than whole-image passes.
    rows = max(1, min(ho, _BAND_VALUES // max(1, n * c_out * wo)))
    scratch = np.empty((n, c, m, rows, wo), dtype=plan.dtype)
    taps = w[None, :, :, :, :, None, None]  # (1, C, M, kH, kW, 1, 1)
    for top in range(0, ho, rows):
        bottom = min(ho, top + rows)
        band, tmp = out[:, :, :, top:bottom], scratch[:, :, :, : bottom - top]
        for i in range(kh):
            for j in range(kw):
                tap = win[:, :, None, top:bottom, :, i, j]  # (N, C, 1, rows, Wo)
                np.multiply(tap, taps[:, :, :, i, j], out=tmp)
                band += tmp
    return _finish(out.reshape(n, c_out, ho, wo), plan)


_BAND_VALUES = 1 << 16


def conv2d(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
    r"""2-D convolution (cross-correlation, no kernel flip), exactly as PyTorch computes it.

    Parameters
    ----------
    x : array_like of shape (C, H, W) or (N, C, H, W)
        The image, or a batch of images. Integers are allowed.
    weight : array_like of shape (C_out, C_in / groups, kH, kW)
        One filter per output channel; each sees ``C_in / groups`` input channels.
    bias : array_like of shape (C_out,), optional
        Added to every pixel of each output channel.
    stride : int or (int, int), default 1
        Step of the window, down and across.
    padding : int, (int, int), "valid" or "same", default 0
        Zeros added around the image. ``"valid"`` is 0. ``"same"`` keeps the size
        (stride 1 only): a total of ``d(k - 1)`` per axis, ``total // 2`` before and the
        rest after, so an even kernel puts its extra zero row/column at the end, as in
        PyTorch.
    dilation : int or (int, int), default 1
        Spacing between the kernel's taps.
    groups : int, default 1
        Split channels into this many groups that do not see each other.
        ``groups = C_in`` is a depth-wise convolution.

    Returns
    -------
    ndarray of shape (C_out, H_out, W_out) or (N, C_out, H_out, W_out)
        Same rank as ``x``. Float64 unless every input is a float type, where
        numpy's promotion rules decide (float32 stays float32).
        ``H_out = (H + 2p - d(kH - 1) - 1) // s + 1`` and likewise for the width.

    Notes
    -----
    Output pixel ``(o, y, x)`` is

    .. math:: b_o + \sum_{c}\sum_{i,j} w_{o,c,i,j}\; x_{c,\; s y + d i - p,\; s x + d j - p}

    where ``c`` runs over the input channels of ``o``'s group. There is no flip of
    ``w``: a true convolution would use ``w[..., ::-1, ::-1]``.

    Examples
    --------
    One 3x3 image, one 2x2 kernel, no padding: the output is 2x2.

    >>> import numpy as np
    >>> x = np.arange(9).reshape(1, 3, 3)
    >>> w = np.array([[[[1, 0], [0, -1]]]])
    >>> conv2d(x, w)
    array([[[-4., -4.],
            [-4., -4.]]])

    The top-left value is ``0*1 + 1*0 + 3*0 + 4*(-1) = -4``.
    """
    plan = _plan(x, weight, bias, stride, padding, dilation, groups)
    if plan.weight.shape[1] == 1 and plan.groups == plan.x.shape[1]:
        return _run_depthwise(plan)
    return _run_gemm(plan)


def depthwise_conv2d(x, weight, bias=None, *, stride=1, padding=0, dilation=1):
    r"""Depth-wise convolution: each input channel filtered on its own, results stacked.

    Channel ``c`` of the input is cross-correlated (no flip) with its own ``M`` kernels,
    giving output channels ``c*M, ..., c*M + M - 1``; ``M`` is the depth multiplier.
    This is ``conv2d(..., groups=C)``, PyTorch's ``groups=in_channels``.

    Parameters
    ----------
    x : array_like of shape (C, H, W) or (N, C, H, W)
    weight : array_like of shape (C*M, 1, kH, kW)
        ``M`` kernels per input channel, in channel order.
    bias : array_like of shape (C*M,), optional
    stride, padding, dilation
        As in :func:`conv2d`; ``H_out = (H + 2p - d(kH - 1) - 1) // s + 1``.

    Returns
    -------
    ndarray of shape (C*M, H_out, W_out) or (N, C*M, H_out, W_out)

    Examples
    --------
    Two channels, a 1x2 kernel each: channel 0 adds neighbours, channel 1 subtracts.

    >>> import numpy as np
    >>> x = np.array([[[1, 2, 4]], [[1, 2, 4]]])
    >>> w = np.array([[[[1, 1]]], [[[-1, 1]]]])
    >>> depthwise_conv2d(x, w)
    array([[[3., 6.]],
    <BLANKLINE>
           [[1., 2.]]])
    """
    x4, _ = v.image_batch(x, "x")
    c = x4.shape[1]
    w = _depthwise_weight(weight, "weight", per=c, known=f"C={c} (the channels of x)")
    return conv2d(x, w, bias, stride=stride, padding=padding, dilation=dilation, groups=c)


def _depthwise_weight(weight, name: str, *, per: int, known: str) -> np.ndarray:
    """``weight`` as a depth-wise weight ``(C*M, 1, kH, kW)``, or a ValueError naming ``name``.

    A depth-wise weight holds ``M >= 1`` kernels for each of ``C`` input channels, so its
    first axis is a positive multiple of ``per`` (``C`` or ``M``, whichever the caller
    knows); ``known`` says where that number comes from, for the message.
    """
    w = v.as_array(weight, name)
    if w.ndim != 4 or w.shape[1] != 1 or per < 1 or w.shape[0] == 0 or w.shape[0] % per:
        raise ValueError(
            f"{name} must have shape (C*M, 1, kH, kW) for a depth-wise convolution, "
            f"M >= 1 kernels for each of C input channels, where {known}; got shape {w.shape}"
        )
    return w


def _pointwise_matrix(weight, name: str = "weight") -> np.ndarray:
    w = v.as_array(weight, name)
    if w.ndim == 4 and w.shape[2:] == (1, 1):
        w = w[:, :, 0, 0]
    if w.ndim != 2:
        raise ValueError(
            f"{name} must have shape (C_out, C_in) or (C_out, C_in, 1, 1) for a point-wise "
            f"(1x1) convolution; got shape {w.shape}"
        )
    return w


def pointwise_conv2d(x, weight, bias=None):
    r"""Point-wise (1x1) convolution: at every pixel, mix the channels with one matrix.

    Output channel ``o`` at pixel ``(y, x)`` is ``b_o + sum_c W[o, c] * x[c, y, x]``:
    a matrix product applied to the channel vector of each pixel. It is the same as
    :func:`conv2d` with a ``(C_out, C_in, 1, 1)`` kernel (cross-correlation; with a 1x1
    kernel flipping changes nothing). The size is unchanged: ``H_out = H``.

    Parameters
    ----------
    x : array_like of shape (C_in, H, W) or (N, C_in, H, W)
    weight : array_like of shape (C_out, C_in) or (C_out, C_in, 1, 1)
    bias : array_like of shape (C_out,), optional

    Returns
    -------
    ndarray of shape (C_out, H, W) or (N, C_out, H, W)

    Examples
    --------
    Average two channels into one:

    >>> import numpy as np
    >>> x = np.array([[[2, 4]], [[0, 8]]])
    >>> pointwise_conv2d(x, [[0.5, 0.5]])
    array([[[1., 6.]]])
    """
    x4, unbatched = v.image_batch(x, "x")
    w = _pointwise_matrix(weight)
    c_in = x4.shape[1]
    if w.shape[1] != c_in or c_in == 0 or w.shape[0] == 0:
        raise ValueError(
            f"weight must have shape (C_out, C_in) with C_in = {c_in}, the channels of x; "
            f"got shape {w.shape}"
        )
    b = v.bias_vector(bias, w.shape[0])
    dtype = v.float_dtype(x4, w, b)
    n, _, h, wd = x4.shape
    flat = x4.astype(dtype, copy=False).reshape(n, c_in, h * wd)
    out = np.matmul(w.astype(dtype, copy=False), flat).reshape(n, w.shape[0], h, wd)
    if b is not None:
        out += b.astype(dtype, copy=False)[:, None, None]
    return out[0] if unbatched else out


def separable_conv2d(
    x,
    depthwise_weight,
    pointwise_weight,
    *,
    stride=1,
    padding=0,
    dilation=1,
    depthwise_bias=None,
    pointwise_bias=None,
):
    r"""Depth-wise separable convolution: a depth-wise step, then a point-wise (1x1) step.

    The depth-wise step filters each of the ``C`` channels with its own ``M`` kernels
    (space); the point-wise step mixes the ``C*M`` results into ``C_out`` channels
    (depth). Both are cross-correlations (no flip). Stride, padding and dilation belong
    to the depth-wise step; ``H_out = (H + 2p - d(kH - 1) - 1) // s + 1``.

    Parameters
    ----------
    x : array_like of shape (C, H, W) or (N, C, H, W)
    depthwise_weight : array_like of shape (C*M, 1, kH, kW)
    pointwise_weight : array_like of shape (C_out, C*M) or (C_out, C*M, 1, 1)
    stride, padding, dilation
        As in :func:`conv2d`, applied by the depth-wise step.
    depthwise_bias : array_like of shape (C*M,), optional
    pointwise_bias : array_like of shape (C_out,), optional

    Returns
    -------
    ndarray of shape (C_out, H_out, W_out) or (N, C_out, H_out, W_out)

    Examples
    --------
    Two channels, each summed over a 1x2 window, then added together:

    >>> import numpy as np
    >>> x = np.array([[[1, 2, 3]], [[10, 20, 30]]])
    >>> dw = np.ones((2, 1, 1, 2))
    >>> separable_conv2d(x, dw, [[1, 1]])
    array([[[33., 55.]]])
    """
    x4, _ = v.image_batch(x, "x")
    c = x4.shape[1]
    dw = _depthwise_weight(
        depthwise_weight, "depthwise_weight", per=c, known=f"C={c} (the channels of x)"
    )
    pw = _pointwise_matrix(pointwise_weight, "pointwise_weight")
    if pw.shape[1] != dw.shape[0] or pw.shape[0] == 0:
        raise ValueError(
            f"pointwise_weight must have shape (C_out, C*M) with C*M = {dw.shape[0]}, the "
            f"depth-wise outputs; got shape {pw.shape}"
        )
    bias_d = v.bias_vector(depthwise_bias, dw.shape[0], "depthwise_bias")
    bias_p = v.bias_vector(pointwise_bias, pw.shape[0], "pointwise_bias")
    mid = depthwise_conv2d(x, dw, bias_d, stride=stride, padding=padding, dilation=dilation)
    return pointwise_conv2d(mid, pw, bias_p)


def depthwise_to_standard(weight, in_channels: int) -> np.ndarray:
    r"""The standard-convolution weight that does what a depth-wise weight does.

    Filter ``o`` (built from input channel ``c = o // M``) keeps its kernel in slot
    ``c`` and has zeros in every other input channel, so
    ``conv2d(x, depthwise_to_standard(w, C)) == depthwise_conv2d(x, w)``.

    Parameters
    ----------
    weight : array_like of shape (C*M, 1, kH, kW)
    in_channels : int
        ``C``.

    Returns
    -------
    ndarray of shape (C*M, C, kH, kW)
        Mostly zeros: only ``1/C`` of its entries can be non-zero.

    Examples
    --------
    >>> import numpy as np
    >>> depthwise_to_standard(np.array([[[[2]]], [[[3]]]]), 2)[:, :, 0, 0]
    array([[2, 0],
           [0, 3]])
    """
    c = v.positive_int(in_channels, "in_channels")
    w = _depthwise_weight(weight, "weight", per=c, known=f"C = in_channels = {c}")
    m = w.shape[0] // c
    full = np.zeros((w.shape[0], c, *w.shape[2:]), dtype=w.dtype)
    for o in range(w.shape[0]):
        full[o, o // m] = w[o, 0]
    return full


def separable_to_standard(
    depthwise_weight,
    pointwise_weight,
    depthwise_bias=None,
    pointwise_bias=None,
    *,
    depth_multiplier=1,
):
    r"""The single standard convolution that equals a depth-wise separable one.

    With depth-wise kernels ``D`` (one per channel ``c``, ``M`` per channel) and
    point-wise matrix ``P``, the equivalent kernel is

    .. math:: W[o, c] = \sum_{m} P[o, cM + m]\, D[cM + m]

    (for ``M = 1`` simply ``W[o, c] = P[o, c] D[c]``), and the bias is ``P b_D + b_P``.
    Each slice ``W[:, :, i, j]`` is ``P`` times a diagonal: the spatial pattern of
    filter ``o`` in channel ``c`` is a scaled copy of ``D[c]`` -- the rank structure a
    separable layer cannot escape.

    Parameters
    ----------
    depthwise_weight : array_like of shape (C*M, 1, kH, kW)
    pointwise_weight : array_like of shape (C_out, C*M) or (C_out, C*M, 1, 1)
    depthwise_bias : array_like of shape (C*M,), optional
    pointwise_bias : array_like of shape (C_out,), optional
    depth_multiplier : int, default 1
        ``M``: how many depth-wise kernels each input channel has.

    Returns
    -------
    weight : ndarray of shape (C_out, C, kH, kW)
    bias : ndarray of shape (C_out,) or None (None when both biases are None)

    Examples
    --------
    >>> import numpy as np
    >>> w, b = separable_to_standard(np.ones((2, 1, 1, 1)), [[1, 2]])
    >>> w[:, :, 0, 0]
    array([[1., 2.]])
    """
    m = v.positive_int(depth_multiplier, "depth_multiplier")
    dw = _depthwise_weight(
        depthwise_weight, "depthwise_weight", per=m, known=f"M = depth_multiplier = {m}"
    )
    pw = _pointwise_matrix(pointwise_weight, "pointwise_weight")
    if pw.shape[1] != dw.shape[0]:
        raise ValueError(
            f"pointwise_weight must have shape (C_out, C*M) with C*M = {dw.shape[0]}; "
            f"got shape {pw.shape}"
        )
    bd = v.bias_vector(depthwise_bias, dw.shape[0], "depthwise_bias")
    bp = v.bias_vector(pointwise_bias, pw.shape[0], "pointwise_bias")
    dtype = v.float_dtype(dw, pw, bd, bp)
    c_out, cm = pw.shape
    kh, kw = dw.shape[2:]
    # One scaled copy of each depth-wise kernel per output channel, then the M copies
    # that come from the same input channel are added up.
    per_slot = pw.astype(dtype)[:, :, None, None] * dw.astype(dtype)[None, :, 0]  # (O, CM, kH, kW)
    weight = per_slot.reshape(c_out, cm // m, m, kh, kw).sum(axis=2)
    bias = None
    if bd is not None or bp is not None:
        bias = np.zeros(c_out, dtype=dtype)
        if bd is not None:
            bias += pw.astype(dtype) @ bd.astype(dtype)
        if bp is not None:
            bias += bp.astype(dtype)
    return weight, bias
