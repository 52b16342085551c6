"""Slider widgets, one per idea of the suite. Each is built with no arguments.

>>> from convtutor.widgets import ALL
>>> w = ALL["channel_filter"]()
>>> w.set(channel=1)
>>> w.state["channel"]
1

Every widget is drawn in the browser from arrays Python computed once, so a slider
answers without a kernel round trip (see ``docs/widgets.md``). Display the widget
(or ``w.widget``); ``w.state`` is name -> value, as the page shows it;
``w.set(**values)`` moves controls from code, and the page follows. Where no
JavaScript runs, the widget shows a PNG of its current picture.
"""

from ._base import Widget
from .channel_filter import ChannelFilter
from .conv_arithmetic import ConvArithmetic
from .cost_calculator import CostCalculator
from .groups_continuum import GroupsContinuum
from .mobilenet_knobs import MobileNetKnobs
from .pixel_provenance import PixelProvenance
from .pointwise_mixer import PointwiseMixer
from .separable_pipeline import SeparablePipeline
from .sobel_separability import SobelSeparability
from .stacking import Stacking
from .volume_view import VolumeView

ALL = {
    "channel_filter": ChannelFilter,
    "stacking": Stacking,
    "pointwise_mixer": PointwiseMixer,
    "separable_pipeline": SeparablePipeline,
    "sobel_separability": SobelSeparability,
    "cost_calculator": CostCalculator,
    "conv_arithmetic": ConvArithmetic,
    "groups_continuum": GroupsContinuum,
    "pixel_provenance": PixelProvenance,
    "mobilenet_knobs": MobileNetKnobs,
    "volume_view": VolumeView,
}

__all__ = [
    "ALL",
    "Widget",
    "ChannelFilter",
    "Stacking",
    "PointwiseMixer",
    "SeparablePipeline",
    "SobelSeparability",
    "CostCalculator",
    "ConvArithmetic",
    "GroupsContinuum",
    "PixelProvenance",
    "MobileNetKnobs",
    "VolumeView",
]
