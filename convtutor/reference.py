"""A plain-loop 2-D convolution to read line by line.

This is the definition, written out with ``for`` loops and nothing clever. It is slow
(use :func:`convtutor.conv2d` for real work) but every multiply is in plain sight.
The tests hold it equal to :func:`convtutor.conv2d` and to PyTorch.
"""

from __future__ import annotations

import numpy as np

from .conv import _plan

__all__ = ["conv2d_loop"]


def conv2d_loop(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1):
    r"""Multi-channel 2-D cross-correlation with explicit loops (the readable definition).

    Same arguments, checks and result as :func:`convtutor.conv2d`: ``x`` is
    ``(C, H, W)`` or ``(N, C, H, W)``, ``weight`` is ``(C_out, C_in/groups, kH, kW)``,
    there is no kernel flip, and ``H_out = (H + 2p - d(kH - 1) - 1) // s + 1``.

    .. math:: y_{o,r,q} = b_o + \sum_{c}\sum_{i}\sum_{j}
              w_{o,c,i,j}\; x^{\text{padded}}_{c,\; s r + d i,\; s q + d j}

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9).reshape(1, 3, 3)
    >>> conv2d_loop(x, np.ones((1, 1, 2, 2)))
    array([[[ 8., 12.],
            [20., 24.]]])

    ``8 = 0 + 1 + 3 + 4``: the 2x2 window at the top left, summed.
    """
    plan = _plan(x, weight, bias, stride, padding, dilation, groups)
    (top, bottom), (left, right) = plan.pads
    (sh, sw), (dh, dw) = plan.stride, plan.dilation
    images = plan.x.astype(plan.dtype)
    n_images, c_in = images.shape[:2]
    c_out, c_per_group, kh, kw = plan.weight.shape
    h_out, w_out = plan.out_size
    out_per_group = c_out // plan.groups

    result = np.zeros((n_images, c_out, h_out, w_out), dtype=plan.dtype)
    for n in range(n_images):
        # Zero padding: a border of zeros around every channel.
        padded = np.pad(images[n], ((0, 0), (top, bottom), (left, right)))
        for o in range(c_out):  # each output channel has its own filter
            group = o // out_per_group  # ... which sees only its group's channels
            for r in range(h_out):  # each output row
                for q in range(w_out):  # each output column
                    total = 0.0
                    for c in range(c_per_group):  # every input channel of the group
                        channel = group * c_per_group + c
                        for i in range(kh):  # every kernel row
                            for j in range(kw):  # every kernel column (no flip!)
                                pixel = padded[channel, r * sh + i * dh, q * sw + j * dw]
                                total += plan.weight[o, c, i, j] * pixel
                    if plan.bias is not None:
                        total += plan.bias[o]
                    result[n, o, r, q] = total
    return result[0] if plan.unbatched else result
