"""Random convolution calls and PyTorch's answer to them (float64), for the tests that
compare a convolution of convtutor with ``torch.nn.functional.conv2d``."""

import warnings

import numpy as np
from hypothesis import strategies as st

from tests.support.optional_torch import F, torch

#: How far a float64 convolution may be from PyTorch's.
TOL = 1e-9


def _pair_or_int(draw, low, high):
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return (draw(st.integers(low, high)), draw(st.integers(low, high)))


def as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


@st.composite
def conv_case(draw, *, depthwise=False):
    """A random valid call: shapes, stride, padding (int/pair/valid/same), dilation, groups."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if depthwise:
        groups = c_in = draw(st.integers(1, 5))
        c_out = c_in * draw(st.integers(1, 3))
    else:
        groups = draw(st.integers(1, 3))
        c_in = groups * draw(st.integers(1, 3))
        c_out = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dilation = _pair_or_int(draw, 1, 3)
    kind = draw(st.sampled_from(["int", "pair", "valid", "same"]))
    stride = _pair_or_int(draw, 1, 3) if kind != "same" else 1
    if kind == "int":
        padding = draw(st.integers(0, 3))
    elif kind == "pair":
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    else:
        padding = kind
    dh, dw = as_pair(dilation)
    ph, pw = (0, 0) if isinstance(padding, str) else as_pair(padding)
    if padding == "same":
        ph = pw = 0  # same padding always fits; size only needs >= 1
    min_h = max(1, dh * (kh - 1) + 1 - 2 * ph)
    min_w = max(1, dw * (kw - 1) + 1 - 2 * pw)
    h = draw(st.integers(min_h, min_h + 8))
    w = draw(st.integers(min_w, min_w + 8))
    batched = draw(st.booleans())
    n = draw(st.integers(1, 3))
    x = rng.standard_normal((n, c_in, h, w) if batched else (c_in, h, w))
    weight = rng.standard_normal((c_out, c_in // groups, kh, kw))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, weight, bias, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


def torch_conv(x, weight, bias=None, **kw):
    xt = torch.from_numpy(np.array(x, dtype=np.float64))
    unbatched = xt.ndim == 3
    if unbatched:
        xt = xt[None]
    bt = None if bias is None else torch.from_numpy(np.array(bias, dtype=np.float64))
    wt = torch.from_numpy(np.array(weight, dtype=np.float64))
    with warnings.catch_warnings():
        # torch notes that 'same' with an even kernel copies the input; that is expected
        warnings.filterwarnings("ignore", message="Using padding='same'", category=UserWarning)
        out = F.conv2d(xt, wt, bt, **kw)
    out = out.numpy()
    return out[0] if unbatched else out
