"""Convolution arithmetic: where the window sits, and how big the output is.

Sliders for the input size, kernel size, padding, stride and dilation, and one for
the output position. The left panel shows the padded input with the window's taps;
the right panel shows the output grid with the cell those taps produce. Above the
figure, the output-size formula with today's numbers put in.

The formula and the notes are HTML beside the figure rather than text drawn in it:
the browser writes text for free, while each glyph matplotlib draws costs time on
every move (about 0.1 ms a glyph here).
"""

from __future__ import annotations

import ipywidgets as widgets

from ..viz.diagrams import output_length, path_title, sliding_window
from ._legacy import Widget
from .depthwise import compact_html, control_rows

__all__ = ["ConvArithmetic", "formula_text", "output_title"]

MAX_SIZE = 10
MAX_PADDING = 3


def formula_text(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> str:
    """The output-size formula with the numbers substituted, and its result.

    >>> formula_text(7, 3, 1, 2, 1)
    'H_out = (H + 2p − d(k − 1) − 1) // s + 1 = (7 + 2·1 − 1·(3 − 1) − 1) // 2 + 1 = 4'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    h_out = output_length(n, k, stride=s, padding=p, dilation=d)
    text = (
        f"H_out = (H + 2p − d(k − 1) − 1) // s + 1 = ({n} + 2·{p} − {d}·({k} − 1) − 1) // {s} "
        f"+ 1 = {h_out}"
    )
    if h_out < 1:
        text += (
            f": no output. The kernel spans d(k − 1) + 1 = {d * (k - 1) + 1} cells, "
            f"the padded input only {n + 2 * p}."
        )
    return text


def output_title(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> str:
    """The output panel's title: its size and the formula with the numbers put in.

    >>> output_title(7, 3, 1, 2, 1)
    'Output 4×4 = (7 + 2·1 − 1·(3 − 1) − 1) // 2 + 1'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    h_out = output_length(n, k, stride=s, padding=p, dilation=d)
    numbers = f"({n} + 2·{p} − {d}·({k} − 1) − 1) // {s} + 1"
    if h_out < 1:
        return f"No output: {numbers} = {h_out}"
    return f"Output {h_out}×{h_out} = {numbers}"


def position_text(
    size: int, kernel_size: int, padding: int, stride: int, dilation: int, position: int
) -> str:
    """Which output cell the window makes, and where its first tap sits in the input."""
    h_out = output_length(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if h_out < 1:
        return "Make the input or the padding larger, or the kernel or dilation smaller."
    i, j = divmod(min(position, h_out * h_out - 1), h_out)
    return (
        f"Output cell (row {i}, column {j}) adds up {kernel_size}×{kernel_size} = "
        f"{kernel_size**2} products; its first tap is input pixel "
        f"({i * stride - padding}, {j * stride - padding}) = (i·s − p, j·s − p). "
        f"Taps on grey cells multiply zeros."
    )


class ConvArithmetic(Widget):
    """Padding, stride and dilation on a small grid, with the output-size formula live.

    Controls: ``input_size`` (3-10), ``kernel_size`` (1-5), ``padding`` (0-3),
    ``stride`` (1-3), ``dilation`` (1-3), ``position`` (output cell, row by row; its
    maximum follows the output size).

    Attributes
    ----------
    diagram : convtutor.viz.diagrams.SlidingWindow
    readout : ipywidgets.HTML
        The output-size formula with the numbers put in (:func:`formula_text`) and
        which input pixels make the current output cell (:func:`position_text`).
    """

    caption = (
        "Try: raise the stride to 2 and watch the window jump two cells; set padding 0 and "
        "see the output shrink; set dilation 2 to spread the taps apart without adding "
        "weights; slide the output position to visit every cell."
    )

    def __init__(
        self,
        input_size: int = 7,
        kernel_size: int = 3,
        padding: int = 1,
        stride: int = 1,
        dilation: int = 1,
    ):
        super().__init__()
        self._adjusting = False
        style = {"description_width": "initial"}

        def slider(name, value, low, high):
            return widgets.IntSlider(
                value=value,
                min=low,
                max=high,
                description=name,
                continuous_update=True,
                style=style,
                layout=widgets.Layout(width="360px"),
            )

        self.controls = {
            "input_size": slider("input size H", input_size, 3, MAX_SIZE),
            "kernel_size": slider("kernel size k", kernel_size, 1, 5),
            "padding": slider("padding p", padding, 0, MAX_PADDING),
            "stride": slider("stride s", stride, 1, 3),
            "dilation": slider("dilation d", dilation, 1, 3),
            "position": slider("output position", 0, 0, 0),
        }
        self.readout = widgets.HTML()
        fig = self._make_figure(figsize=(8.4, 4.0))
        ax_in = fig.add_axes((0.05, 0.08, 0.42, 0.84))
        ax_out = fig.add_axes((0.55, 0.08, 0.42, 0.84))
        self.diagram = sliding_window(ax_in, ax_out, max_size=MAX_SIZE, max_padding=MAX_PADDING)
        self.ax_input, self.ax_output = ax_in, ax_out
        self.input_title = path_title(ax_in, "Input")
        self.output_title = path_title(ax_out, "Output")
        self._finish()

    def _controls_box(self):
        return control_rows(
            self,
            [["input_size", "kernel_size"], ["padding", "stride"], ["dilation", "position"]],
        )

    def _on_change(self, change=None) -> None:
        if not self._adjusting:  # moving the position's maximum is part of an update
            super()._on_change(change)

    def _update(self) -> None:
        st = self.state
        n, k, p = st["input_size"], st["kernel_size"], st["padding"]
        s, d = st["stride"], st["dilation"]
        h_out = output_length(n, k, stride=s, padding=p, dilation=d)
        last = max(h_out, 1) ** 2 - 1 if h_out >= 1 else 0
        position_control = self.controls["position"]
        if position_control.max != last:
            self._adjusting = True
            try:
                if position_control.value > last:
                    position_control.value = last
                position_control.max = last
            finally:
                self._adjusting = False
        position = position_control.value
        self.diagram.update(n, k, stride=s, padding=p, dilation=d, position=position)
        self.input_title.set_text(f"Input {n}×{n}, padding {p} (grey: zeros)")
        # The size with its formula, in the figure too: a static page shows no readout.
        self.output_title.set_text(output_title(n, k, p, s, d))
        formula = formula_text(n, k, p, s, d)
        self.readout.value = compact_html(
            f"<code>{formula}</code><br>{position_text(n, k, p, s, d, position)}"
        )
