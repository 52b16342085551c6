"""Point-wise (1x1) mixing, then the whole depth-wise separable layer.

* :class:`PointwiseMixer`: at every pixel, each output channel is a weighted sum of
  the input channels, ``out[o] = sum_c W[o, c] * x[c]``. Sliders set one row of
  ``W``; presets show classic mixes (grey, channel swap, edge magnitude).
* :class:`SeparablePipeline`: a depth-wise step then a point-wise step on the photo,
  beside the one standard convolution that does the same, with kernel
  ``W[o, i] = P[o, i] * D[i]``, and the largest difference between the two outputs.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

import convtutor as ct

from ..viz.images import (
    CHANNEL_COLORS,
    CHANNEL_NAMES,
    DIVERGING,
    colour_key,
    fast_title,
    format_number,
    outline_text,
    picture_axes,
    rgba_bytes,
    show_feature_map,
    show_image,
    show_kernel,
    show_stack,
    symmetric_limit,
    update_kernel,
    update_stack,
)
from ._legacy import Widget
from .depthwise import MAX_WIDTH, STYLE, _photo, control_rows

__all__ = ["PointwiseMixer", "SeparablePipeline", "MIXER_PRESETS", "POINTWISE_PRESETS"]

_GREY = (0.299, 0.587, 0.114)  # ITU-R BT.601 luminance weights, as ct.data.to_gray

#: Presets of :class:`PointwiseMixer`: name -> (input, weight rows).
MIXER_PRESETS = {
    "identity": ("photo", [(1, 0, 0), (0, 1, 0), (0, 0, 1)]),
    "luminance grey": ("photo", [_GREY]),
    "channel swap (red ↔ blue)": ("photo", [(0, 0, 1), (0, 1, 0), (1, 0, 0)]),
    "red minus green": ("photo", [(1, -1, 0)]),
    "colour + grey (4 outputs)": ("photo", [(1, 0, 0), (0, 1, 0), (0, 0, 1), _GREY]),
    "edge-magnitude mix": ("edges", [(1, 1, 0)]),
}

#: The inputs :class:`PointwiseMixer` can mix: name -> names of its three channels.
MIXER_INPUTS = {
    "photo": ("red", "green", "blue"),
    "edges": ("|Sobel x|", "|Sobel y|", "|Laplacian|"),
}

#: The input panel's title for each input (short enough for the panel's width).
INPUT_TITLES = {"photo": "input: red, green, blue", "edges": "input: 3 edge maps"}

#: Point-wise matrices ``P`` (C_out x 3) offered by :class:`SeparablePipeline`.
POINTWISE_PRESETS = {
    "luminance: 1 output": np.array([_GREY]),
    "sum: 1 output": np.ones((1, 3)),
    "differences: 2 outputs": np.array([(1.0, -1.0, 0.0), (0.0, 1.0, -1.0)]),
    "identity: 3 outputs": np.eye(3),
    "random: 4 outputs": np.random.default_rng(0).normal(size=(4, 3)).round(2),
}

#: The 3x3 kernels of ``ct.kernels.NAMED``: one depth-wise kernel size for every channel.
KERNELS_3x3 = [name for name, k in ct.kernels.NAMED.items() if k.shape == (3, 3)]


class SeparablePipeline(Widget):
    """Depth-wise then point-wise, end to end, against the one equivalent standard convolution.

    The depth-wise step filters channel ``i`` of the photo with kernel ``D[i]``; the
    point-wise step mixes the three results with the matrix ``P``. A standard
    convolution with kernel ``W[o, i] = P[o, i] * D[i]`` gives the same output; the
    figure prints the largest difference between the two, computed live with
    ``ct.separable_conv2d`` and ``ct.conv2d``.

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Default the sample photo at ``size`` pixels.
    size : int, default 96

    Controls
    --------
    kernel_0, kernel_1, kernel_2 : depth-wise kernel ``D[i]`` of each channel (3x3 ones)
    pointwise : a matrix ``P`` from :data:`POINTWISE_PRESETS`
    out_channel : which output ``o`` is drawn, with its kernel ``W[o]``
    """

    caption = (
        "Change a channel's depth-wise kernel or the point-wise mix: the two right-hand "
        "outputs stay identical, and W[o] is always P[o, i] times kernel i."
    )

    def __init__(self, image=None, *, size: int = 96):
        super().__init__()
        self.image = _photo(image, size)
        defaults = ("Sobel x", "Sobel y", "box blur 3x3")
        for i, name in enumerate(CHANNEL_NAMES):
            self.controls[f"kernel_{i}"] = widgets.Dropdown(
                options=KERNELS_3x3,
                value=defaults[i],
                description=f"{name} kernel",
                style=STYLE,
                layout=widgets.Layout(width="270px"),
            )
        self.controls["pointwise"] = widgets.Dropdown(
            options=list(POINTWISE_PRESETS),
            value="luminance: 1 output",
            description="point-wise P",
            style=STYLE,
            layout=widgets.Layout(width="320px"),
        )
        max_out = max(p.shape[0] for p in POINTWISE_PRESETS.values())
        self.controls["out_channel"] = widgets.IntSlider(
            value=0, min=0, max=0, description="output o", style=STYLE
        )
        self._max_out = max_out
        self._syncing = False

        fig = self._make_figure(figsize=(MAX_WIDTH, 4.6))
        grid = fig.add_gridspec(2, 4, height_ratios=[1, 1], hspace=0.32, wspace=0.1)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
        h, w = self.image.shape[1:]
        show_image(fig.add_subplot(grid[0, 0]), self.image, title="the photo")
        blank = np.zeros((h - 2, w - 2))
        self._depthwise = show_stack(
            fig.add_subplot(grid[0, 1]),
            np.zeros((3, h - 2, w - 2)),
            limit=1.0,
            offset=0.2,
            edgecolors=CHANNEL_COLORS,
            title="1. depth-wise: 3 maps",
        )
        ax_sep = fig.add_subplot(grid[0, 2])
        self._separable = show_feature_map(ax_sep, blank, title="2. then point-wise")
        self._separable_title = fast_title(ax_sep)
        ax_std = fig.add_subplot(grid[0, 3])
        self._standard = show_feature_map(ax_std, blank, title="one standard conv")
        self._standard_title = fast_title(ax_std)
        ax_w = fig.add_subplot(grid[1, 0:3])
        self._kernel = show_kernel(ax_w, np.full((3, 11), np.nan), title="W[o]", fontsize=9)
        self._kernel_title = fast_title(ax_w)
        ax_check = fig.add_subplot(grid[1, 3])
        picture_axes(ax_check, "check: the two outputs")
        self._check = outline_text(ax_check, 0.5, 0.5, "", ha="center", va="center", fontsize=10)
        colour_key(ax_check, y=0.01, va="bottom")
        for ax in fig.axes:
            if ax.get_title():
                fast_title(ax)
        #: The artists a test (or a curious student) can read back, by name.
        self.artists = {
            "depthwise": self._depthwise,
            "separable": self._separable,
            "standard": self._standard,
            "kernel": self._kernel,
            "check": self._check,
        }
        self._finish()

    def _controls_box(self):
        return control_rows(
            self, [["kernel_0", "kernel_1", "kernel_2"], ["pointwise", "out_channel"]]
        )

    # ---- state ----------------------------------------------------------------------
    def depthwise_weight(self) -> np.ndarray:
        """``D``: shape ``(3, 1, 3, 3)``, kernel ``i`` for channel ``i``."""
        names = [self.controls[f"kernel_{i}"].value for i in range(3)]
        return np.stack([ct.kernels.NAMED[n] for n in names])[:, None]

    def pointwise_weight(self) -> np.ndarray:
        """``P``: shape ``(C_out, 3)``."""
        return POINTWISE_PRESETS[self.controls["pointwise"].value]

    def standard_weight(self) -> np.ndarray:
        """``W = ct.separable_to_standard(D, P)``: shape ``(C_out, 3, 3, 3)``."""
        return ct.separable_to_standard(self.depthwise_weight(), self.pointwise_weight())[0]

    def kernel_strip(self, weight_o) -> np.ndarray:
        """``W[o]`` ``(3, 3, 3)`` as one ``3 x 11`` matrix: the three kernels, NaN between."""
        strip = np.full((3, 11), np.nan)
        for i in range(3):
            strip[:, 4 * i : 4 * i + 3] = weight_o[i]
        return strip

    def _on_change(self, change=None) -> None:
        if not self._syncing:
            self._run_update()

    def _update(self) -> None:
        p = self.pointwise_weight()
        self._syncing = True
        try:
            self.controls["out_channel"].max = p.shape[0] - 1
        finally:
            self._syncing = False
        o = self.controls["out_channel"].value
        d = self.depthwise_weight()
        mid = ct.depthwise_conv2d(self.image, d)
        separable = ct.separable_conv2d(self.image, d, p)
        weight = self.standard_weight()
        standard = ct.conv2d(self.image, weight)
        difference = float(np.max(np.abs(separable - standard)))

        update_stack(self._depthwise, mid, limit=symmetric_limit(mid))
        lim = symmetric_limit(separable[o], standard[o])
        for image, data in ((self._separable, separable[o]), (self._standard, standard[o])):
            image.set_data(data)
            image.set_clim(-lim, lim)
        self._separable_title.set_text(f"2. point-wise: output {o}")
        self._standard_title.set_text(f"standard conv: output {o}")
        strip = self.kernel_strip(weight[o])
        update_kernel(self._kernel, strip, limit=symmetric_limit(weight[o]))
        names = [self.controls[f"kernel_{i}"].value for i in range(3)]
        terms = ",  ".join(f"{p[o, i]:.2g}·{names[i]}" for i in range(3))
        self._kernel_title.set_text(f"W[{o}, i] = P[{o}, i] · D[i]:  {terms}")
        verdict = "the same output" if difference < 1e-9 else "NOT the same!"
        self._check.set_text(
            f"largest difference\n= {difference:.1e}\n\n{verdict}\n"
            f"({p.shape[0]} output{'s' if p.shape[0] > 1 else ''}, all checked)"
        )
