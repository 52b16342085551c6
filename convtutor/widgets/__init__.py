"""Slider widgets, one per idea of the suite. Each is built with no arguments.

>>> from convtutor.widgets import ALL
>>> w = ALL["channel_filter"]()
>>> w.set(channel=1)
>>> w.state["channel"]
1

Every widget has ``.widget`` (display it), ``.figure``, ``.controls`` (name ->
ipywidgets control), ``.state`` (name -> value) and ``.set(**values)``. The figure
is built once and updated in place. Use ``%matplotlib widget`` (ipympl) for the
fastest redraws; any other backend falls back to a PNG image that still follows
the sliders.
"""

from ._base import Widget
from ._legacy import using_ipympl
from .arithmetic import ConvArithmetic
from .cost import CostCalculator
from .depthwise import ChannelFilter, Stacking
from .pointwise import PointwiseMixer, SeparablePipeline
from .sobel import SobelSeparability

ALL = {
    "channel_filter": ChannelFilter,
    "stacking": Stacking,
    "pointwise_mixer": PointwiseMixer,
    "separable_pipeline": SeparablePipeline,
    "sobel_separability": SobelSeparability,
    "cost_calculator": CostCalculator,
    "conv_arithmetic": ConvArithmetic,
}

__all__ = [
    "ALL",
    "Widget",
    "using_ipympl",
    "ChannelFilter",
    "Stacking",
    "PointwiseMixer",
    "SeparablePipeline",
    "SobelSeparability",
    "CostCalculator",
    "ConvArithmetic",
]
