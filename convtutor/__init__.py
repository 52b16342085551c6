"""convtutor: depth-wise and depth-wise separable convolution, taught with sliders.

The core imports numpy only. Everything a notebook needs from the maths is here:

* :func:`conv2d`, :func:`depthwise_conv2d`, :func:`pointwise_conv2d`,
  :func:`separable_conv2d` -- PyTorch's semantics (cross-correlation, no flip);
* :func:`conv2d_loop` -- the same thing written as plain loops, to read;
* :func:`output_length` -- the output size, ``H_out = (H + 2p - d(k - 1) - 1) // s + 1``;
* :func:`conv_cost` -- parameters and multiply-accumulates of each kind of layer;
* :func:`separate`, :func:`kernel_rank`, :func:`low_rank_approximation`,
  :func:`separable_filter2d` -- spatial separability (Sobel = column x row);
* :mod:`convtutor.kernels` and :mod:`convtutor.data` -- kernels and images;
* :func:`import_torch` -- PyTorch for a cell that checks against it (one line, not a
  traceback, where it is not installed).

Plots live in ``convtutor.viz`` and sliders in ``convtutor.widgets``; import them
yourself (they need matplotlib and ipywidgets).
"""

from . import data, kernels
from .conv import (
    conv2d,
    depthwise_conv2d,
    depthwise_to_standard,
    output_length,
    pointwise_conv2d,
    separable_conv2d,
    separable_to_standard,
)
from .cost import KINDS, ConvCost, ConvMemory, conv_cost, conv_memory
from .light import import_torch
from .reference import conv2d_loop
from .spatial import (
    NotSeparableError,
    filter2d,
    kernel_rank,
    low_rank_approximation,
    separable_filter2d,
    separable_terms,
    separate,
    singular_values,
)

__version__ = "0.1.0"

__all__ = [
    "output_length",
    "conv2d",
    "conv2d_loop",
    "depthwise_conv2d",
    "pointwise_conv2d",
    "separable_conv2d",
    "depthwise_to_standard",
    "separable_to_standard",
    "conv_cost",
    "conv_memory",
    "ConvMemory",
    "ConvCost",
    "KINDS",
    "separate",
    "NotSeparableError",
    "singular_values",
    "kernel_rank",
    "low_rank_approximation",
    "separable_terms",
    "separable_filter2d",
    "filter2d",
    "kernels",
    "data",
    "import_torch",
]
