"""Diagrams: the sliding window on a grid, cost bars and singular-value bars.

Each builder takes the ``ax`` (or axes) to draw on, creates its artists once and
returns an object holding them. The object's ``update(...)`` method changes those
same artists in place (``set_data``, ``set_height``, ``set_text``, ...), so a slider
widget can redraw without creating anything new. Nothing here creates a figure or
calls ``plt.show()``.

>>> from matplotlib.figure import Figure
>>> fig = Figure()
>>> bars = cost_bars(fig.add_subplot(), ylabel="parameters")
>>> bars.update([81, 27, 9, 36])
>>> [b.get_height() for b in bars.bars]
[81, 27, 9, 36]
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, to_rgb
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullLocator

from ..conv import output_length
from ._text import OutlineLabels, outline_text, outline_title
from .images import KernelMap, format_tap

__all__ = [
    "SlidingWindow",
    "sliding_window",
    "CostBars",
    "cost_bars",
    "format_count",
    "SingularValueBars",
    "singular_value_bars",
    "format_singular_value",
    "KernelMap",
    "kernel_map",
    "format_tap",
]

# Okabe-Ito colours: distinguishable with every common form of colour blindness.
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
BLUE = "#0072B2"
SKY = "#56B4E9"
GREEN = "#009E73"
PURPLE = "#CC79A7"
GREY = "#999999"

#: Colour of each kind of cell in the sliding-window diagram, by code in ``cell_kinds``.
CELL_COLOURS = {
    0: "#ffffff",  # outside the (padded) grid: blank
    1: "#f2f2f2",  # an input pixel
    2: "#b3b3b3",  # a padding cell (a zero)
    3: ORANGE,  # a kernel tap on an input pixel
    4: VERMILLION,  # a kernel tap on a padding cell
    5: "#deebf7",  # an output cell
    6: ORANGE,  # the output cell being computed
}
_PALETTE = np.array([to_rgb(CELL_COLOURS[i]) for i in range(len(CELL_COLOURS))])


def _grid_segments(lo: float, hi: float) -> list:
    """Lines between unit cells covering ``[lo, hi] x [lo, hi]`` (cell edges at halves)."""
    edges = np.arange(lo, hi + 0.5)
    segments = [((x, lo), (x, hi)) for x in edges]
    segments += [((lo, y), (hi, y)) for y in edges]
    return segments


class SlidingWindow:
    """The sliding window on an input grid and the output cell it produces.

    Built by :func:`sliding_window`. The input panel shows the input pixels (light),
    the padding (grey: zeros), the window's extent (blue rectangle) and its taps
    (orange; vermillion where a tap lands on padding; a dot marks each tap, so
    dilation's gaps are visible). The output panel shows the output grid with the
    current cell highlighted. Cells sit at input indices: padding cells have
    negative indices or indices ``>= H``.

    The cells are a :class:`~matplotlib.collections.QuadMesh` (``pcolormesh``)
    made once for the largest grid; cells outside the current grid get the blank
    colour. On Agg a 16x16 mesh draws in about a tenth of the time of the same
    cells as an up-sampled ``imshow``.

    Attributes
    ----------
    input_cells, output_cells : matplotlib.collections.QuadMesh
        The cell colours; ``get_array()`` holds codes of :data:`CELL_COLOURS`
        (row ``r`` of the input mesh is input row ``r - max_padding``).
    input_grid, output_grid : LineCollection
        The cell borders of the current grids.
    input_outline : Rectangle
        The border of the unpadded input.
    window : Rectangle
        The extent of the (dilated) kernel at the current output position.
    taps : Line2D
        A dot on each of the ``k x k`` taps.
    output_cell : Rectangle
        A frame around the current output cell.
    cell_kinds : ndarray of int, shape (H + 2p, H + 2p)
        Codes of :data:`CELL_COLOURS` for the padded input, as last drawn.
    output_size : int
        ``H_out`` as last drawn (0 or less: no output).
    """

    def __init__(self, ax_input, ax_output, *, max_size: int = 10, max_padding: int = 3):
        self.ax_input = ax_input
        self.ax_output = ax_output
        self.max_size = int(max_size)
        self.max_padding = int(max_padding)
        span = self.max_size + 2 * self.max_padding
        self._span = span
        cmap = ListedColormap(_PALETTE)
        style = {"cmap": cmap, "vmin": -0.5, "vmax": len(_PALETTE) - 0.5}
        lo = -self.max_padding - 0.5
        edges = lo + np.arange(span + 1)
        self.input_cells = ax_input.pcolormesh(edges, edges, np.zeros((span, span)), **style)
        self.input_grid = LineCollection([], colors="#808080", linewidths=0.6)
        ax_input.add_collection(self.input_grid)
        self.input_outline = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="black", lw=1.6)
        ax_input.add_patch(self.input_outline)
        self.window = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=BLUE, lw=2.5)
        ax_input.add_patch(self.window)
        (self.taps,) = ax_input.plot([], [], "o", color="black", markersize=3.5)
        ax_input.set_xlim(lo, lo + span)
        ax_input.set_ylim(lo + span, lo)

        out_edges = np.arange(span + 1) - 0.5
        self.output_cells = ax_output.pcolormesh(
            out_edges, out_edges, np.zeros((span, span)), **style
        )
        self.output_grid = LineCollection([], colors="#808080", linewidths=0.6)
        ax_output.add_collection(self.output_grid)
        self.output_cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=BLUE, lw=2.5)
        ax_output.add_patch(self.output_cell)
        ax_output.set_xlim(-0.5, span - 0.5)
        ax_output.set_ylim(span - 0.5, -0.5)
        self.axis_labels = []
        for ax in (ax_input, ax_output):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_frame_on(False)  # the grids draw their own borders; spines cost a draw
            ax.set_aspect("equal")
            # Axis labels as glyph outlines: one cheap artist each (see convtutor.viz._text).
            self.axis_labels.append(
                outline_text(ax, 0.5, 0, "column", fontsize=10, va="top", gap=10 * _GAP)
            )
            self.axis_labels.append(
                outline_text(
                    ax,
                    0,
                    0.5,
                    "row",
                    fontsize=10,
                    ha="right",
                    va="center",
                    rotation=90,
                    gap=10 * _GAP,
                )
            )
        self.cell_kinds = np.zeros((1, 1), dtype=int)
        self.output_size = 0

    @property
    def artists(self) -> list:
        """Every artist this diagram owns."""
        return [
            self.input_cells,
            self.input_grid,
            self.input_outline,
            self.window,
            self.taps,
            self.output_cells,
            self.output_grid,
            self.output_cell,
            *self.axis_labels,
        ]

    def update(
        self, size: int, kernel_size: int, *, stride=1, padding=0, dilation=1, position=0
    ) -> int:
        """Redraw for a ``size x size`` input; put the window at output cell ``position``.

        ``position`` counts output cells row by row (0 is top-left) and is clipped to
        the last cell. Returns ``H_out`` (0 or less when the kernel does not fit).
        """
        n, k, s, p, d = int(size), int(kernel_size), int(stride), int(padding), int(dilation)
        if not (1 <= n <= self.max_size and 0 <= p <= self.max_padding):
            raise ValueError(
                f"size must be 1..{self.max_size} and padding 0..{self.max_padding} for this "
                f"diagram; got size={n}, padding={p}"
            )
        full = n + 2 * p
        kinds = np.full((full, full), 2, dtype=int)
        kinds[p : p + n, p : p + n] = 1
        lo, hi = -p - 0.5, n + p - 0.5
        self.input_grid.set_segments(_grid_segments(lo, hi))
        self.input_outline.set_bounds(-0.5, -0.5, n, n)

        h_out = output_length(n, k, stride=s, padding=p, dilation=d)
        self.output_size = h_out
        fits = h_out >= 1
        for artist in (self.window, self.taps, self.output_cell, self.output_grid):
            artist.set_visible(fits)
        out_mesh = np.zeros((self._span, self._span))
        if fits:
            position = min(max(int(position), 0), h_out * h_out - 1)
            i, j = divmod(position, h_out)
            top, left = i * s - p, j * s - p  # input index of the window's first tap
            offsets = d * np.arange(k)
            rows, cols = top + offsets, left + offsets
            grid_rows, grid_cols = np.meshgrid(rows + p, cols + p, indexing="ij")
            kinds[grid_rows, grid_cols] += 2  # 1 -> 3 (tap on input), 2 -> 4 (tap on padding)
            extent = d * (k - 1) + 1
            self.window.set_bounds(left - 0.5, top - 0.5, extent, extent)
            tap_y, tap_x = np.meshgrid(rows, cols, indexing="ij")
            self.taps.set_data(tap_x.ravel(), tap_y.ravel())
            out_mesh[:h_out, :h_out] = 5
            out_mesh[i, j] = 6
            self.output_grid.set_segments(_grid_segments(-0.5, h_out - 0.5))
            self.output_cell.set_bounds(j - 0.5, i - 0.5, 1, 1)
        self.output_cells.set_array(out_mesh)
        in_mesh = np.zeros((self._span, self._span))
        start = self.max_padding - p
        in_mesh[start : start + full, start : start + full] = kinds
        self.input_cells.set_array(in_mesh)
        self.cell_kinds = kinds
        # Each panel shows exactly its current grid (padded input; output), so a small
        # grid fills its panel instead of sitting in the corner of the largest one.
        # A sliver of margin keeps the outer grid lines whole.
        margin = 0.02 * full
        self.ax_input.set_xlim(lo - margin, hi + margin)
        self.ax_input.set_ylim(hi + margin, lo - margin)
        shown = max(h_out, 1)
        margin = 0.02 * shown
        self.ax_output.set_xlim(-0.5 - margin, shown - 0.5 + margin)
        self.ax_output.set_ylim(shown - 0.5 + margin, -0.5 - margin)
        return h_out


def sliding_window(ax_input, ax_output, *, max_size: int = 10, max_padding: int = 3):
    """Draw a sliding-window diagram on two axes; returns a :class:`SlidingWindow`.

    Call ``.update(size, kernel_size, stride=, padding=, dilation=, position=)`` to
    move it. Each update sets the axes' limits to the current padded input and output
    grids, so each grid fills its panel (the cells are made once for ``max_size`` and
    ``max_padding``).
    """
    return SlidingWindow(ax_input, ax_output, max_size=max_size, max_padding=max_padding)


def format_count(n) -> str:
    """A count written for a slide: exact with commas below ten million, else rounded.

    >>> format_count(9800), format_count(462422016), format_count(64_424_509_440)
    ('9,800', '462 million', '64.4 billion')
    """
    n = int(n)
    if abs(n) < 10_000_000:
        return f"{n:,}"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(n) >= size:
            return f"{n / size:.3g} {word}"
    return f"{n:,}"  # pragma: no cover - unreachable


#: Space between a label's position and its nearest side, in ems of its font size.
_GAP = 0.3


#: Bar colours of the four layer kinds, in ``convtutor.KINDS`` order.
KIND_COLOURS = (GREY, SKY, GREEN, BLUE)
KIND_LABELS = ("standard", "depth-wise", "point-wise", "separable")


class CostBars:
    """Bars of a cost (parameters or MACs) per layer kind, with the number on each bar.

    Built by :func:`cost_bars`; ``update(values)`` sets the heights and labels in place.
    With ``value_ticks=False`` (the default) the value axis has no ticks at all (not
    even a log axis' minor ones): the numbers are on the bars, and every tick and
    label drawn costs time on each move.

    Attributes
    ----------
    bars : list of Rectangle
    labels : OutlineLabels
        The number above each bar (``labels.strings``), written by :func:`format_count`.
    kind_labels : OutlineLabels
        The names under the bars.
    ylabel : OutlineLabels
        The value axis' label (``ylabel.set_text`` to change it).
    values : list of int
        As last drawn.
    """

    def __init__(
        self,
        ax,
        *,
        labels=KIND_LABELS,
        colours=KIND_COLOURS,
        ylabel="",
        title="",
        log=True,
        value_ticks=False,
        kind_labels=True,
    ):
        self.ax = ax
        x = np.arange(len(labels))
        container = ax.bar(x, np.ones(len(labels)), color=colours, width=0.7)
        self.bars = list(container.patches)
        self.labels = OutlineLabels(ax, fontsize=9, va="bottom", gap=9 * _GAP)
        ax.set_xticks([])
        self.kind_labels = OutlineLabels(ax, fontsize=9, va="top", coords="xaxis", gap=9 * _GAP)
        if kind_labels:
            self.kind_labels.set_labels(labels, [(i, 0) for i in x])
        self.ylabel = outline_text(
            ax, 0, 0.5, ylabel, fontsize=10, ha="right", va="center", rotation=90, gap=10 * _GAP
        )
        self.title = outline_title(ax, title, fontsize=10, pad=10 * _GAP) if title else None
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.value_ticks = bool(value_ticks)
        if not self.value_ticks:
            ax.spines["left"].set_visible(False)
        self.log = None
        self.set_log(log)
        self.values = [1] * len(labels)

    @property
    def artists(self) -> list:
        """Every artist this chart owns."""
        return [
            *self.bars,
            self.labels,
            self.kind_labels,
            self.ylabel,
        ]

    def set_log(self, log: bool) -> None:
        """Switch the value axis between a log and a linear scale (no new artists)."""
        log = bool(log)
        if log != self.log:
            self.ax.set_yscale("log" if log else "linear")
            if not self.value_ticks:  # a new scale brings its own locators: silence them
                self.ax.yaxis.set_major_locator(NullLocator())
                self.ax.yaxis.set_minor_locator(NullLocator())
            self.log = log
            self._rescale()

    def _rescale(self) -> None:
        top = max(max(getattr(self, "values", [1])), 1)
        if self.log:
            self.ax.set_ylim(0.8, top * 8)
        else:
            self.ax.set_ylim(0, top * 1.18)

    def update(self, values, *, log=None) -> None:
        """Set each bar's height to its value and write the value above it."""
        values = [int(v) for v in values]
        if len(values) != len(self.bars):
            raise ValueError(f"values must have {len(self.bars)} entries; got {len(values)}")
        if min(values) < 0:
            raise ValueError(f"values must be counts >= 0; got {values}")
        self.values = values
        for bar, value in zip(self.bars, values, strict=True):
            bar.set_height(max(value, 1e-9) if self.log else value)
        self.labels.set_labels(
            [format_count(v) for v in values],
            [(i, max(v, 1)) for i, v in enumerate(values)],
        )
        if log is not None and bool(log) != self.log:
            self.set_log(log)
        else:
            self._rescale()


def cost_bars(
    ax,
    *,
    labels=KIND_LABELS,
    colours=KIND_COLOURS,
    ylabel="",
    title="",
    log=True,
    value_ticks=False,
    kind_labels=True,
):
    """Draw one bar per layer kind; returns a :class:`CostBars` to ``update(values)``.

    ``kind_labels=False`` leaves the bars unnamed (e.g. a second chart beside a first
    one in the same order and colours).
    """
    return CostBars(
        ax,
        labels=labels,
        colours=colours,
        ylabel=ylabel,
        title=title,
        log=log,
        value_ticks=value_ticks,
        kind_labels=kind_labels,
    )


class SingularValueBars:
    """Bars of a kernel's singular values, largest first, each with its value written.

    Built by :func:`singular_value_bars` with room for ``max_count`` values;
    ``update(values)`` shows the first ``len(values)`` bars and hides the rest. The
    first ``labelled`` bars carry their value (the first two tell whether a kernel
    is separable: is the second one 0?).

    Attributes
    ----------
    bars : list of Rectangle
    labels : OutlineLabels
        The values written on the first ``labelled`` bars (``labels.strings``).
    values : ndarray
        As last drawn.
    """

    def __init__(self, ax, max_count: int = 7, *, labelled: int = 2, title=""):
        self.ax = ax
        self.max_count = int(max_count)
        self.labelled = int(labelled)
        x = np.arange(1, self.max_count + 1)
        container = ax.bar(
            x,
            np.zeros(self.max_count),
            color=[BLUE] + [VERMILLION] * (self.max_count - 1),
            width=0.7,
        )
        self.bars = list(container.patches)
        self.labels = OutlineLabels(ax, fontsize=9, va="bottom", gap=9 * _GAP)
        # Each bar carries its value, so the axes need no tick labels.
        self.xlabel = outline_text(
            ax, 0.5, 0, "singular values, largest first", fontsize=10, va="top", gap=10 * _GAP
        )
        ax.set_xticks([])
        ax.set_yticks([])
        self.title = outline_title(ax, title, fontsize=10, pad=10 * _GAP) if title else None
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        self.values = np.zeros(0)
        self._shown = 0

    @property
    def artists(self) -> list:
        """Every artist this chart owns."""
        return [*self.bars, self.labels, self.xlabel]

    def update(self, values) -> None:
        """Show these singular values (at most ``max_count``); hide the unused bars."""
        values = np.asarray(values, dtype=float)
        if values.ndim != 1 or not 1 <= values.size <= self.max_count:
            raise ValueError(
                f"values must be a 1-D array of 1..{self.max_count} singular values; "
                f"got shape {values.shape}"
            )
        self.values = values
        n = values.size
        for i, bar in enumerate(self.bars):
            bar.set_visible(i < n)
            if i < n:
                bar.set_height(values[i])
        labelled = range(min(n, self.labelled))
        self.labels.set_labels(
            [format_singular_value(values[i], values[0]) for i in labelled],
            [(i + 1, values[i]) for i in labelled],
        )
        top = values[0] if values[0] > 0 else 1.0
        self.ax.set_ylim(0, top * 1.2)
        if n != self._shown:
            self.ax.set_xlim(0.4, n + 0.6)
            self._shown = n


def format_singular_value(value: float, largest: float) -> str:
    """A singular value for a bar label: "0" when it is zero up to rounding, else 3 digits.

    >>> format_singular_value(3.4641, 3.4641), format_singular_value(1e-17, 3.46)
    ('3.46', '0')
    """
    if value <= 1e-10 * largest:
        return "0"
    return f"{value:.3g}"


def singular_value_bars(ax, max_count: int = 7, *, labelled: int = 2, title=""):
    """Draw bars for up to ``max_count`` singular values; returns :class:`SingularValueBars`."""
    return SingularValueBars(ax, max_count, labelled=labelled, title=title)


def kernel_map(
    ax,
    max_rows: int,
    max_cols: int,
    *,
    max_numbers: int = 25,
    cmap="RdBu_r",
    fontsize=8,
    title="",
    box=None,
):
    """Draw a kernel heat-map with numbers; returns a :class:`KernelMap` to ``update(k)``.

    The same heat-map as :func:`convtutor.viz.images.show_kernel` (one
    :class:`~convtutor.viz.images.KernelMap`), with the diagrams' defaults: numbers
    written whole where they are whole (:func:`format_tap`), at most ``max_numbers``.
    """
    return KernelMap(
        ax,
        max_rows,
        max_cols,
        max_numbers=max_numbers,
        cmap=cmap,
        fontsize=fontsize,
        title=title,
        box=box,
    )
