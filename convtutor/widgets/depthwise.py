"""Depth-wise convolution, one channel at a time: :class:`ChannelFilter` and :class:`Stacking`.

* :class:`ChannelFilter` follows one channel of the photo through its own kernel:
  input channel ``c`` ⊛ kernel ``c`` -> output ``c``. No other channel takes part.
* :class:`Stacking` puts the per-channel outputs back together into a ``(C*M, H, W)``
  tensor, drawn as a stack of slices and as one picture, for a depth multiplier
  ``M`` of 1 to 3.

Both use no padding, so a ``k x k`` kernel makes each output ``k - 1`` pixels
smaller; every output is drawn over the input pixels it is centred on.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

import convtutor as ct

from ..viz.images import (
    CHANNEL_CMAPS,
    CHANNEL_COLORS,
    CHANNEL_NAMES,
    colour_key,
    fast_title,
    outline_text,
    outline_title,
    picture_axes,
    show_feature_map,
    show_image,
    show_kernel,
    show_stack,
    symmetric_limit,
    update_kernel,
    update_stack,
)
from ._legacy import Widget

__all__ = ["ChannelFilter", "Stacking", "KERNEL_SETS", "STYLE", "control_rows", "compact_html"]

#: Control style: the whole description shows ("green kernel", not "green ker...").
STYLE = {"description_width": "initial"}

#: The widest a figure may be, in inches at dpi 100: JupyterLab's output area at a
#: projector's 1280 x 800 with the file browser open is about 848 px wide.
MAX_WIDTH = 8.4


def compact_html(html: str) -> str:
    """``html`` at a text's line height: an ``ipywidgets.HTML`` spaces lines 28 px apart."""
    return f'<div style="line-height: 1.4">{html}</div>'


def control_rows(widget, rows) -> widgets.VBox:
    """The controls of ``widget`` laid out in ``rows`` (lists of names), readout under them.

    Every control appears in exactly one row; each row is chosen to fit 840 px.
    """
    names = [name for row in rows for name in row]
    if sorted(names) != sorted(widget.controls):
        raise ValueError(
            f"rows must name every control once: {sorted(widget.controls)}; got {names}"
        )
    boxes = [widgets.HBox([widget.controls[name] for name in row]) for row in rows]
    readout = getattr(widget, "readout", None)
    if readout is not None:
        boxes.append(readout)
    return widgets.VBox(boxes)


#: Kernel choices for :class:`Stacking`: kernel ``m`` of a set is the ``m``-th kernel
#: given to every channel (all of one size, so the outputs stack into one tensor).
KERNEL_SETS = {
    "edges: Sobel x, Sobel y, Laplacian": ("Sobel x", "Sobel y", "Laplacian"),
    "blur, sharpen, identity": ("box blur 3x3", "sharpen", "identity"),
    "Prewitt x, Scharr x, Prewitt y": ("Prewitt x", "Scharr x", "Prewitt y"),
}


def _photo(image, size: int) -> np.ndarray:
    if image is None:
        return ct.data.sample_image(size)
    arr = np.asarray(image, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[0] != 3 or min(arr.shape[1:]) < 8:
        raise ValueError(
            f"image must have shape (3, H, W) with H, W >= 8 (an RGB picture, channels "
            f"first); got shape {arr.shape}"
        )
    return arr


def _aligned_extent(kernel_shape, out_shape) -> tuple[float, float, float, float]:
    """Where an unpadded output sits over its input: each value on its window's centre."""
    top, left = kernel_shape[0] // 2, kernel_shape[1] // 2
    h, w = out_shape
    return (left - 0.5, left + w - 0.5, top + h - 0.5, top - 0.5)


def _channel_strip(image: np.ndarray, gap: int) -> np.ndarray:
    """``(H, W', 3)``: the RGB photo, then each channel alone in its colour, white gaps."""
    c, h, w = image.shape
    strip = np.ones((h, (c + 1) * (w + gap) - gap, 3))
    strip[:, :w] = np.moveaxis(image, 0, -1)
    for i in range(c):
        x0 = (i + 1) * (w + gap)
        strip[:, x0 : x0 + w] = 0.0
        strip[:, x0 : x0 + w, i] = image[i]
    return np.clip(strip, 0.0, 1.0)


class ChannelFilter(Widget):
    """Depth-wise filtering, one channel at a time.

    Each channel of the photo gets its own kernel (the drop-downs); the slider picks
    the channel to follow: input channel ``c`` ⊛ kernel ``c`` = output channel ``c``.
    The output is ``ct.depthwise_conv2d`` restricted to channel ``c`` (no padding).

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Values in ``[0, 1]``; default the sample photo at ``size`` pixels.
    size : int, default 96
    kernels : sequence of 3 str, default ("Sobel x", "Sobel y", "Gaussian 5x5")
        Starting kernel of each channel, names from ``ct.kernels.NAMED``.

    Controls
    --------
    channel : 0, 1, 2 (shown as red, green, blue)
    kernel_0, kernel_1, kernel_2 : names from ``ct.kernels.NAMED``
    """

    GAP = 6  # white pixels between the pictures of the top strip

    caption = (
        "Move the channel slider to follow one channel through its own kernel; "
        "give each channel a different kernel and see that only its own output changes."
    )

    def __init__(
        self, image=None, *, size: int = 96, kernels=("Sobel x", "Sobel y", "Gaussian 5x5")
    ):
        super().__init__()
        self.image = _photo(image, size)
        names = list(ct.kernels.NAMED)
        kernels = list(kernels)
        if len(kernels) != 3 or any(k not in ct.kernels.NAMED for k in kernels):
            raise ValueError(
                f"kernels must be 3 names from ct.kernels.NAMED ({', '.join(names)}); "
                f"got {kernels!r}"
            )
        # Every kernel on every channel, computed once: a move is then a look-up.
        self._outputs = {}
        self._limits = {}
        for name, k in ct.kernels.NAMED.items():
            weight = np.repeat(np.asarray(k)[None, None], 3, axis=0)
            out = ct.depthwise_conv2d(self.image, weight)
            self._outputs[name] = out
            self._limits[name] = symmetric_limit(out)
        max_k = max(k.shape[0] for k in ct.kernels.NAMED.values())

        self.controls["channel"] = widgets.SelectionSlider(
            options=[(n, c) for c, n in enumerate(CHANNEL_NAMES)],
            value=0,
            description="channel followed",
            style=STYLE,
        )
        for c, name in enumerate(CHANNEL_NAMES):
            self.controls[f"kernel_{c}"] = widgets.Dropdown(
                options=names,
                value=kernels[c],
                description=f"{name} kernel",
                style=STYLE,
                layout=widgets.Layout(width="270px"),
            )

        fig = self._make_figure(figsize=(MAX_WIDTH, 4.4))
        grid = fig.add_gridspec(2, 3, height_ratios=[1, 1.7], hspace=0.24, wspace=0.12)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
        # The photo and its three channels as ONE picture: one image to draw, not four.
        ax_top = fig.add_subplot(grid[0, :])
        h, w = self.image.shape[1:]
        self.strip = _channel_strip(self.image, self.GAP)
        show_image(
            ax_top, np.moveaxis(self.strip, -1, 0),
            title="the photo, then its red, green and blue channels",
        )  # fmt: skip
        self._mark = Rectangle(
            (0, -2.5), w + 4, h + 4, fill=False, linewidth=3, clip_on=False
        )  # moved onto the channel followed
        ax_top.add_patch(self._mark)

        ax_in, ax_k, ax_out = (fig.add_subplot(grid[1, i]) for i in range(3))
        self._input = ax_in.imshow(
            self.image[0],
            cmap=CHANNEL_CMAPS[0],
            vmin=0,
            vmax=1,
            interpolation="nearest",
            interpolation_stage="data",
        )
        picture_axes(ax_in, "input")
        self._input_title = fast_title(ax_in, fontsize=10)
        self._kernel = show_kernel(
            ax_k, ct.kernels.NAMED[kernels[0]], max_shape=(max_k, max_k), title="kernel"
        )
        self._kernel_title = fast_title(ax_k, fontsize=10)
        self._result = show_feature_map(ax_out, self._outputs[kernels[0]][0], title="output")
        ax_out.set_xlim(-0.5, w - 0.5)
        ax_out.set_ylim(h - 0.5, -0.5)
        self._output_title = fast_title(ax_out, fontsize=10)
        fast_title(ax_top)
        colour_key(ax_top)  # what blue and red mean in the kernel and the output
        #: The artists a test (or a curious student) can read back, by name.
        self.artists = {
            "strip": ax_top.images[0],
            "mark": self._mark,
            "input": self._input,
            "kernel": self._kernel,
            "kernel_title": self._kernel_title,
            "output": self._result,
        }
        self._finish()

    def _controls_box(self):
        return control_rows(self, [["channel"], ["kernel_0", "kernel_1", "kernel_2"]])

    def kernel_name(self, channel: int) -> str:
        """The name of the kernel channel ``channel`` is filtered with now."""
        return self.controls[f"kernel_{channel}"].value

    def output(self, channel: int | None = None) -> np.ndarray:
        """Output channel ``channel`` (default: the one shown) for the current kernels."""
        c = self.controls["channel"].value if channel is None else channel
        return self._outputs[self.kernel_name(c)][c]

    def _update(self) -> None:
        c = self.controls["channel"].value
        name = self.kernel_name(c)
        kernel = ct.kernels.NAMED[name]
        w = self.image.shape[2]
        self._mark.set_x((c + 1) * (w + self.GAP) - 2.5)
        self._mark.set_edgecolor(CHANNEL_COLORS[c])
        self._input.set_data(self.image[c])
        self._input.set_cmap(CHANNEL_CMAPS[c])
        self._input_title.set_text(f"input {c}: the {CHANNEL_NAMES[c]} channel")
        update_kernel(self._kernel, kernel)
        self._kernel_title.set_text(f"⊛  kernel {c}: {name}")
        out = self._outputs[name][c]
        self._result.set_data(out)
        self._result.set_extent(_aligned_extent(kernel.shape, out.shape))
        limit = self._limits[name]
        self._result.set_clim(-limit, limit)
        self._output_title.set_text(f"=  output {c} ({out.shape[0]}×{out.shape[1]})")


class Stacking(Widget):
    """The per-channel outputs stacked back into one ``(C*M, H, W)`` tensor.

    Every channel ``c`` of the photo is filtered with the first ``M`` kernels of the
    chosen set (``M`` is the depth multiplier), giving outputs ``c*M ... c*M + M - 1``,
    exactly ``ct.depthwise_conv2d(image, weight)`` with ``weight[c*M + m] = set[m]``.
    They are drawn as a stack of slices (outlined in the colour of their input
    channel) and as one picture, a row per input channel.

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Default the sample photo at ``size`` pixels.
    size : int, default 96

    Controls
    --------
    depth_multiplier : 1, 2, 3
    kernels : a name from :data:`KERNEL_SETS`
    """

    caption = (
        "Raise the depth multiplier M: each of the 3 input channels gets M kernels, so "
        "the stack grows to 3·M slices; the outlines and rows show which channel each came from."
    )

    MAX_M = 3
    GAP = 3  # blank pixels between the maps of the picture

    def __init__(self, image=None, *, size: int = 96):
        super().__init__()
        self.image = _photo(image, size)
        self.channels = self.image.shape[0]
        self._full = {}
        self._limits = {}
        for set_name, names in KERNEL_SETS.items():
            weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]  # (3, 1, k, k)
            full = ct.depthwise_conv2d(self.image, np.tile(weight, (self.channels, 1, 1, 1)))
            self._full[set_name] = full
            self._limits[set_name] = symmetric_limit(full)

        self.controls["depth_multiplier"] = widgets.IntSlider(
            value=1, min=1, max=self.MAX_M, description="depth multiplier M", style=STYLE
        )
        self.controls["kernels"] = widgets.Dropdown(
            options=list(KERNEL_SETS),
            value=next(iter(KERNEL_SETS)),
            description="kernels",
            style=STYLE,
            layout=widgets.Layout(width="380px"),
        )

        fig = self._make_figure(figsize=(MAX_WIDTH, 3.5))
        grid = fig.add_gridspec(1, 3, width_ratios=[1, 1.1, 1.3], wspace=0.16)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.86, bottom=0.02)
        ax_photo, ax_stack, ax_grid = (fig.add_subplot(grid[0, i]) for i in range(3))
        show_image(ax_photo, self.image, title=f"input: {self.channels} channels")
        first = self.outputs()
        self._stack = show_stack(
            ax_stack,
            first,
            max_slices=self.channels * self.MAX_M,
            limit=self._limits[self.controls["kernels"].value],
            title="the stack",
        )
        self._stack_title = fast_title(ax_stack)
        ho, wo = first.shape[1:]
        cmap = ax_stack.images[0].get_cmap().with_extremes(bad="white")
        self._picture = ax_grid.imshow(
            self.mosaic(first),
            cmap=cmap,
            interpolation="nearest",
            interpolation_stage="data",
            vmin=-1,
            vmax=1,
        )
        self._picture_title = outline_title(ax_grid, "as one picture", pad=16)
        picture_axes(ax_grid)
        step = wo + self.GAP
        self._column_labels = [
            outline_text(
                ax_grid,
                m * step + wo / 2,
                -3,
                "",
                ha="center",
                va="bottom",
                fontsize=10,
                transform=ax_grid.transData,
            )  # fmt: skip
            for m in range(self.MAX_M)
        ]
        for c, name in enumerate(CHANNEL_NAMES[: self.channels]):
            outline_text(
                ax_grid, -3, c * (ho + self.GAP) + ho / 2, name, ha="right", va="center",
                fontsize=10, color=CHANNEL_COLORS[c], transform=ax_grid.transData, pad=4,
            )  # fmt: skip
        fast_title(ax_photo)
        colour_key(ax_photo, x=0.01, ha="left")
        #: The artists a test (or a curious student) can read back, by name.
        self.artists = {
            "stack": self._stack,
            "stack_title": self._stack_title,
            "picture": self._picture,
        }
        self._finish()

    def weight(self) -> np.ndarray:
        """The depth-wise weight now in use, shape ``(C*M, 1, k, k)``."""
        m = self.controls["depth_multiplier"].value
        names = KERNEL_SETS[self.controls["kernels"].value][:m]
        kernels = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]
        return np.tile(kernels, (self.channels, 1, 1, 1))

    def outputs(self) -> np.ndarray:
        """The ``(C*M, H_out, W_out)`` tensor shown, from the cached full computation."""
        m = self.controls["depth_multiplier"].value
        full = self._full[self.controls["kernels"].value]
        c, ho, wo = self.channels, *full.shape[1:]
        return full.reshape(c, self.MAX_M, ho, wo)[:, :m].reshape(c * m, ho, wo)

    def mosaic(self, outputs) -> np.ndarray:
        """``(C*M, h, w)`` outputs as one picture: a row per input channel, NaN gaps."""
        outputs = np.asarray(outputs)
        cm, h, w = outputs.shape
        m = cm // self.channels
        gap = self.GAP
        picture = np.full((self.channels * (h + gap) - gap, m * (w + gap) - gap), np.nan)
        for o in range(cm):
            c, j = divmod(o, m)
            picture[c * (h + gap) : c * (h + gap) + h, j * (w + gap) : j * (w + gap) + w] = outputs[
                o
            ]
        return picture

    def _update(self) -> None:
        m = self.controls["depth_multiplier"].value
        set_name = self.controls["kernels"].value
        outputs = self.outputs()
        limit = self._limits[set_name]
        colours = [CHANNEL_COLORS[o // m] for o in range(outputs.shape[0])]
        update_stack(self._stack, outputs, limit=limit, edgecolors=colours)
        cm, h, w = outputs.shape
        self._stack_title.set_text(f"the stack: {self.channels}·{m} = {cm} slices of {h}×{w}")
        picture = self.mosaic(outputs)
        self._picture.set_data(picture)
        self._picture.set_extent((-0.5, picture.shape[1] - 0.5, picture.shape[0] - 0.5, -0.5))
        self._picture.set_clim(-limit, limit)
        ax = self._picture.axes
        # Limits on the maps shown: the axes (equal aspect) shrinks to them and stays
        # centred in its slot, so the title stays centred over the picture.
        ax.set_xlim(-0.5, picture.shape[1] - 0.5)
        ax.set_ylim(picture.shape[0] - 0.5, -0.5)
        names = KERNEL_SETS[set_name]
        for j, label in enumerate(self._column_labels):
            label.set_visible(j < m)
            label.set_text(names[j])
        self._picture_title.set_text(f"as one picture: {cm} maps")
