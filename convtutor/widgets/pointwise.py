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
from ._base import Widget
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


class PointwiseMixer(Widget):
    """A 1x1 convolution: each output channel is a weighted sum of the input channels.

    ``out[o, y, x] = sum_c W[o, c] * in[c, y, x]`` -- the same weights at every
    pixel, so no neighbour takes part. ``out == ct.pointwise_conv2d(in, W)``.

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Default the sample photo at ``size`` pixels.
    size : int, default 96

    Controls
    --------
    preset : a name from :data:`MIXER_PRESETS`, or "custom" (set when you move a weight)
    input : "photo" (red, green, blue) or "edges" (|Sobel x|, |Sobel y|, |Laplacian| of
        the grey photo: what a depth-wise step could hand over)
    out_channels : 1 to 4, the rows of ``W``
    row : which output channel (row of ``W``) the weight sliders edit
    w_R, w_G, w_B : the weights of that row for input channels 0, 1, 2

    Attributes
    ----------
    weights : ndarray of shape (out_channels, 3)
        The matrix ``W`` in use.
    """

    caption = (
        "Pick a preset, then move w_R, w_G, w_B: every output pixel is the same weighted "
        "sum of that pixel's channels. Add output channels and choose which row to edit."
    )

    MAX_OUT = 4

    def __init__(self, image=None, *, size: int = 96):
        super().__init__()
        photo = _photo(image, size)
        grey = ct.data.to_gray(photo)[None]
        edge_kernels = [ct.kernels.SOBEL_X, ct.kernels.SOBEL_Y, ct.kernels.LAPLACIAN]
        edges = np.abs(ct.depthwise_conv2d(grey, np.stack(edge_kernels)[:, None]))
        # Both inputs the same size: the photo loses the one-pixel rim the edges lose.
        self.inputs = {"photo": photo[:, 1:-1, 1:-1], "edges": edges}
        self._limits = {"photo": 1.0, "edges": symmetric_limit(edges)}
        self._weights = np.zeros((self.MAX_OUT, 3))
        self._syncing = False
        self._changed: str | None = None

        first = "identity"
        self.controls["preset"] = widgets.Dropdown(
            options=[*MIXER_PRESETS, "custom"],
            value=first,
            description="preset",
            style=STYLE,
            layout=widgets.Layout(width="330px"),
        )
        self.controls["input"] = widgets.Dropdown(
            options=list(MIXER_INPUTS),
            value="photo",
            description="input",
            style=STYLE,
            layout=widgets.Layout(width="170px"),
        )
        self.controls["out_channels"] = widgets.IntSlider(
            value=1, min=1, max=self.MAX_OUT, description="out channels", style=STYLE
        )
        self.controls["row"] = widgets.IntSlider(
            value=0, min=0, max=0, description="edit row", style=STYLE
        )
        # Steps of 0.001 (readout to 3 places): a preset's weights, such as the
        # luminance grey 0.299, 0.587, 0.114, survive the round trip to the browser.
        for name in ("w_R", "w_G", "w_B"):
            self.controls[name] = widgets.FloatSlider(
                value=0.0, min=-2.0, max=2.0, step=0.001, description=name,
                readout_format=".3f", style=STYLE, layout=widgets.Layout(width="270px"),
            )  # fmt: skip
        self._names = {id(control): name for name, control in self.controls.items()}
        self._apply_preset(first)

        fig = self._make_figure(figsize=(MAX_WIDTH, 4.6))
        grid = fig.add_gridspec(2, 4, height_ratios=[1.1, 1], hspace=0.42, wspace=0.1)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
        x = self.input_array()
        ax_in = fig.add_subplot(grid[0, 0])
        self._input = show_image(ax_in, x, title="input")
        self._input_title = fast_title(ax_in)
        ax_w = fig.add_subplot(grid[0, 1:3])
        self._matrix = show_kernel(
            ax_w, self.weights, limit=2.0, max_shape=(self.MAX_OUT, 3), title="W", fontsize=10
        )
        self._matrix_title = fast_title(ax_w)
        self._row_mark = Rectangle((-0.5, -0.5), 3, 1, fill=False, linewidth=3, edgecolor="k")
        ax_w.add_patch(self._row_mark)
        ax_pic = fig.add_subplot(grid[0, 3])
        self._picture = show_image(ax_pic, x, title="outputs as a picture")
        self._out_axes = [fig.add_subplot(grid[1, o]) for o in range(self.MAX_OUT)]
        self._outputs = [
            show_feature_map(ax, np.zeros(x.shape[1:]), limit=1.0, title=f"output {o}")
            for o, ax in enumerate(self._out_axes)
        ]
        self._out_mark = Rectangle(
            (0, 0), 1, 1, transform=fig.transFigure, fill=False, linewidth=3, edgecolor="k"
        )
        fig.add_artist(self._out_mark)
        self._output_titles = [fast_title(ax) for ax in self._out_axes]
        for ax in fig.axes:
            if ax.get_title():
                fast_title(ax)
        #: The artists a test (or a curious student) can read back, by name.
        self.artists = {
            "input": self._input,
            "matrix": self._matrix,
            "row_mark": self._row_mark,
            "picture": self._picture,
            "outputs": self._outputs,
            "output_titles": self._output_titles,
        }
        self._finish()

    def _controls_box(self):
        return control_rows(
            self, [["preset", "input"], ["out_channels", "row"], ["w_R", "w_G", "w_B"]]
        )

    # ---- state ----------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """The weight matrix ``W`` in use, shape ``(out_channels, 3)`` (a copy)."""
        return self._weights[: self.controls["out_channels"].value].copy()

    def input_array(self) -> np.ndarray:
        """The ``(3, H, W)`` input being mixed."""
        return self.inputs[self.controls["input"].value]

    def output(self) -> np.ndarray:
        """``ct.pointwise_conv2d(input, W)``: shape ``(out_channels, H, W)``."""
        return ct.pointwise_conv2d(self.input_array(), self.weights)

    def picture(self, output=None) -> np.ndarray:
        """The outputs as an RGB picture ``(3, H, W)``, scaled like the input, in [0, 1].

        One output is shown grey; two fill red and green; three or more give red,
        green and blue from outputs 0, 1 and 2.
        """
        out = self.output() if output is None else np.asarray(output)
        scaled = out / self._limits[self.controls["input"].value]
        if scaled.shape[0] == 1:
            rgb = np.repeat(scaled, 3, axis=0)
        else:
            rgb = np.zeros((3, *scaled.shape[1:]))
            rgb[: min(3, scaled.shape[0])] = scaled[:3]
        return np.clip(rgb, 0.0, 1.0)

    # ---- control logic --------------------------------------------------------------
    def _on_change(self, change=None) -> None:
        if self._syncing:  # a control moved by this widget itself, below
            return
        owner = change["owner"] if change is not None else None
        self._changed = self._names.get(id(owner))
        self._run_update()

    def _sync(self, name: str, value) -> None:
        self._syncing = True
        try:
            self.controls[name].value = value
        finally:
            self._syncing = False

    def _apply_preset(self, name: str) -> None:
        source, rows = MIXER_PRESETS[name]
        self._weights[:] = 0.0
        self._weights[: len(rows)] = rows
        self._sync("input", source)
        self._sync("out_channels", len(rows))
        self._sync("row", 0)

    def _apply_change(self) -> None:
        """Keep the controls consistent with the one that just moved."""
        changed, self._changed = self._changed, None
        controls = self.controls
        if changed == "preset" and controls["preset"].value != "custom":
            self._apply_preset(controls["preset"].value)
        elif changed in ("w_R", "w_G", "w_B"):
            column = ("w_R", "w_G", "w_B").index(changed)
            row = controls["row"].value
            value = controls[changed].value
            # Less than half a step away is the browser echoing the value back
            # (rounded to the step): keep the exact weight and the preset.
            if abs(value - self._weights[row, column]) >= controls[changed].step / 2:
                self._weights[row, column] = value
                self._sync("preset", "custom")
        # A new input keeps the weights, so the preset (a name for them) stays.
        n = controls["out_channels"].value
        self._syncing = True
        try:
            controls["row"].max = n - 1  # clamps the row into range
        finally:
            self._syncing = False
        row = controls["row"].value
        for column, name in enumerate(("w_R", "w_G", "w_B")):
            self._sync(name, float(self._weights[row, column]))
        for column, label in enumerate(MIXER_INPUTS[controls["input"].value]):
            name = ("w_R", "w_G", "w_B")[column]
            controls[name].description = (
                name if controls["input"].value == "photo" else (f"w {label}")
            )

    def _colour_output(self, o: int, values, row_weights, limit: float) -> None:
        """Grey for an output that cannot be negative, the diverging map for a signed one.

        The inputs are never negative (a photo, or edge magnitudes), so output ``o`` is
        signed exactly when a weight of its row is: grey then reads as a picture (black
        0, white ``limit``), and blue-white-red shows the sign. The title says which.
        """
        image = self._outputs[o]
        if min(row_weights) < 0 or values.min() < 0:
            image.set_cmap(DIVERGING)
            image.set_clim(-limit, limit)
            key = "blue < 0 < red"
        else:
            image.set_cmap("gray")
            image.set_clim(0.0, limit)
            key = f"black 0 → white {format_number(limit)}"
        self._output_titles[o].set_text(f"output {o}\n{key}")

    def _update(self) -> None:
        self._apply_change()
        source = self.controls["input"].value
        n = self.controls["out_channels"].value
        row = self.controls["row"].value
        x = self.input_array()
        limit = self._limits[source]
        self._input.set_data(rgba_bytes(x / limit))
        self._input_title.set_text(INPUT_TITLES[source])
        weights = self.weights
        update_kernel(self._matrix, weights, limit=2.0)
        self._matrix_title.set_text(
            f"W: {n} output{'s' if n > 1 else ''} × 3 inputs (row {row} on the sliders)"
        )
        self._row_mark.set_y(row - 0.5)
        out = ct.pointwise_conv2d(x, weights)
        self._picture.set_data(rgba_bytes(self.picture(out)))
        for o, (ax, image) in enumerate(zip(self._out_axes, self._outputs, strict=True)):
            ax.set_visible(o < n)
            if o < n:
                image.set_data(out[o])
                self._colour_output(o, out[o], weights[o], limit)
        box = self._out_axes[row].get_position()
        self._out_mark.set_bounds(box.x0, box.y0, box.width, box.height)


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
