"""Convolution arithmetic: where the window sits, and how big the output is.

:class:`ConvArithmetic` has sliders for the input size, kernel size, padding, stride and
dilation, and one for the output position. The left panel shows the padded input with
the window and its taps; the right panel shows the output grid with the cell those taps
produce. Under them, the output-size formula with the numbers put in.

The page evaluates the formula and the window itself (``static/conv_arithmetic.js``):
they are a few additions. :meth:`ConvArithmetic.view` mirrors it, and the tests hold
both equal to :func:`convtutor.conv_cost` (the output size) and to PyTorch's
``unfold`` (which input cells each output cell reads) for every setting of the sliders.
"""

from __future__ import annotations

import numpy as np

from ..conv import output_length
from ._base import Widget, fill_template

__all__ = [
    "ConvArithmetic",
    "output_size",
    "formula_text",
    "output_title",
    "input_title",
    "position_text",
    "key_text",
    "window_taps",
    "describe",
    "MAX_SIZE",
    "MAX_PADDING",
    "CELL",
]

MAX_SIZE = 10
MAX_PADDING = 3
KERNEL_SIZES = (1, 5)
STRIDES = (1, 3)
DILATIONS = (1, 3)
#: Pixels per grid cell on the canvases.
CELL = 24
#: The largest output: 10 + 2·3 cells with a 1x1 kernel, stride 1.
MAX_OUTPUT = MAX_SIZE + 2 * MAX_PADDING

#: Paint colours by index (Okabe-Ito orange, red-orange and blue for the marks).
COLOURS = (
    "#ffffff",  # 0 blank (no output)
    "#f2f2f2",  # 1 an input pixel
    "#b3b3b3",  # 2 a padding cell (a zero)
    "#e69f00",  # 3 a tap on an input pixel (orange)
    "#d55e00",  # 4 a tap on a padding cell (red-orange)
    "#deebf7",  # 5 an output cell
    "#e69f00",  # 6 the output cell being computed (orange)
    "#808080",  # 7 grid lines
    "#000000",  # 8 the input's outline, the tap dots
    "#0072b2",  # 9 the window's frame, the current output cell's frame (blue)
)
PALETTE = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in COLOURS], np.uint8)
GRID, BLACK, BLUE = 7, 8, 9
DOT = (9, 6)  # a tap's dot: 6 x 6 pixels from 9 pixels into its cell (the centre)


def output_size(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> int:
    """``H_out = (H + 2p − d(k − 1) − 1) // s + 1``: :func:`convtutor.output_length` (the
    page's outputSize).

    Below 1 the kernel does not fit (:func:`convtutor.conv_cost` refuses such a layer).

    >>> output_size(7, 3, 1, 2, 1), output_size(4, 3, 0, 1, 2)
    (4, 0)
    """
    return output_length(size, kernel_size, stride=stride, padding=padding, dilation=dilation)


def _numbers(n: int, k: int, p: int, s: int, d: int) -> str:
    """The formula with the controls put in (the module's numbers)."""
    slots = {"n": str(n), "k": str(k), "p": str(p), "s": str(s), "d": str(d)}
    return fill_template(ConvArithmetic.TEXT["numbers"], **slots)


def formula_text(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> str:
    """The output-size formula with the numbers substituted, and its result.

    >>> formula_text(7, 3, 1, 2, 1)
    'H_out = (H + 2p − d(k − 1) − 1) // s + 1 = (7 + 2·1 − 1·(3 − 1) − 1) // 2 + 1 = 4'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    h_out = output_size(n, k, p, s, d)
    words = ConvArithmetic.TEXT
    text = fill_template(words["formula"], h=str(h_out), numbers=_numbers(n, k, p, s, d))
    if h_out < 1:
        text += fill_template(words["no_fit"], span=str(d * (k - 1) + 1), padded=str(n + 2 * p))
    return text


def output_title(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> str:
    """The output panel's title: its size and the formula with the numbers put in.

    >>> output_title(7, 3, 1, 2, 1)
    'Output 4×4 = (7 + 2·1 − 1·(3 − 1) − 1) // 2 + 1'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    h_out = output_size(n, k, p, s, d)
    key = "output_title" if h_out >= 1 else "no_output_title"
    numbers = _numbers(n, k, p, s, d)
    return fill_template(ConvArithmetic.TEXT[key], h=str(h_out), numbers=numbers)


def input_title(size: int, padding: int) -> str:
    """The input panel's title.

    >>> input_title(7, 1)
    'Input 7×7, padding 1 (grey: zeros)'
    """
    return fill_template(ConvArithmetic.TEXT["input_title"], n=str(size), p=str(padding))


def position_text(
    size: int, kernel_size: int, padding: int, stride: int, dilation: int, position: int
) -> str:
    """Which output cell the window makes, and where its first tap sits in the input.

    >>> position_text(7, 3, 1, 2, 1, 5)
    'Output cell (row 1, column 1) adds up 3×3 = 9 products. Its first tap is at input \
row i·s − p = 1·2 − 1 = 1, column j·s − p = 1·2 − 1 = 1. Taps on the grey border \
(padding) multiply zeros.'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    words = ConvArithmetic.TEXT
    h_out = output_size(n, k, p, s, d)
    if h_out < 1:
        return words["no_position"]
    i, j = divmod(min(position, h_out * h_out - 1), h_out)
    row, col = i * s - p, j * s - p
    return fill_template(
        words["position"], i=str(i), j=str(j), k=str(k), kk=str(k * k), s=str(s), p=str(p),
        products=words["products" if k > 1 else "product"], row=str(row), col=str(col),
        where=words["in_padding"] if row < 0 or col < 0 else "",
    )  # fmt: skip


def key_text(size: int, kernel_size: int, padding: int, stride: int, dilation: int) -> str:
    """What the colours mean, and how wide the (dilated) window is.

    >>> key_text(7, 3, 1, 1, 2).split("The blue frame is the window: ")[1]
    'd(k − 1) + 1 = 2·(3 − 1) + 1 = 5 cells wide. It holds 3×3 = 9 taps, one per weight.'
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    words = ConvArithmetic.TEXT
    if output_size(n, k, p, s, d) < 1:
        return words["key"] + words["no_window"]
    return words["key"] + fill_template(
        words["window"], d=str(d), k=str(k), span=str(d * (k - 1) + 1),
        cells=words["cells" if d * (k - 1) else "cell"], kk=str(k * k),
        taps=words["taps" if k > 1 else "tap"],
    )  # fmt: skip


def window_taps(
    size: int, kernel_size: int, padding: int, stride: int, dilation: int, position: int
) -> list:
    """The taps of output cell ``position`` (row by row), as ``[row, column]`` of the PADDED
    input (add ``-padding`` for input indices), row by row; ``[]`` when nothing fits.

    >>> window_taps(5, 2, 1, 2, 2, 1)
    [[0, 2], [0, 4], [2, 2], [2, 4]]
    """
    n, k, p, s, d = size, kernel_size, padding, stride, dilation
    h_out = output_size(n, k, p, s, d)
    if h_out < 1:
        return []
    i, j = divmod(position, h_out)
    return [[i * s + d * a, j * s + d * b] for a in range(k) for b in range(k)]


def describe(state: dict) -> dict:
    """Everything the page shows for ``state`` but the pixels (the module's ``describe``)."""
    n, k, p = state["input_size"], state["kernel_size"], state["padding"]
    s, d, position = state["stride"], state["dilation"], state["position"]
    h_out = output_size(n, k, p, s, d)
    fits = h_out >= 1
    cell = list(divmod(position, h_out)) if fits else None
    return {
        "h_out": h_out,
        "cell": cell,
        "window": [cell[0] * s, cell[1] * s, d * (k - 1) + 1] if fits else None,
        "taps": window_taps(n, k, p, s, d, position),
        "titles": {"input": input_title(n, p), "output": output_title(n, k, p, s, d)},
        "texts": {
            "formula": formula_text(n, k, p, s, d),
            "position": position_text(n, k, p, s, d, position),
            "key": key_text(n, k, p, s, d),
        },
    }


def _words(palette: np.ndarray) -> np.ndarray:
    """Each palette colour, opaque, as one 32-bit word (RGBA bytes in memory order)."""
    rgba = np.hstack([palette, np.full((len(palette), 1), 255, np.uint8)])
    return np.ascontiguousarray(rgba).view(np.uint32)[:, 0]


def _frame(pixels, x0, y0, w, h, t, word) -> None:
    pixels[y0 : y0 + t, x0 : x0 + w] = word
    pixels[y0 + h - t : y0 + h, x0 : x0 + w] = word
    pixels[y0 : y0 + h, x0 : x0 + t] = word
    pixels[y0 : y0 + h, x0 + w - t : x0 + w] = word


def _cells(codes: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Cells of ``codes`` as CELL x CELL squares, with grid lines (the module's paintCells).

    Returns the pixels as 32-bit words, ``(rows * CELL, cols * CELL)``; the RGBA picture
    is ``pixels.view(np.uint8).reshape(*pixels.shape, 4)``.
    """
    rows, cols = codes.shape
    blocks = np.broadcast_to(words[codes][:, None, :, None], (rows, CELL, cols, CELL))
    pixels = np.array(blocks, order="C").reshape(rows * CELL, cols * CELL)  # one copy
    pixels[::CELL, :] = words[GRID]
    pixels[-1, :] = words[GRID]
    pixels[:, ::CELL] = words[GRID]
    pixels[:, -1] = words[GRID]
    return pixels


def _rgba(pixels: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(pixels).view(np.uint8).reshape(*pixels.shape, 4)


def input_picture(state: dict, d: dict, palette: np.ndarray) -> np.ndarray:
    """The padded input with the window, its taps and dots (the module's inputPicture)."""
    n, p = state["input_size"], state["padding"]
    words = _words(palette)
    full = n + 2 * p
    codes = np.full((full, full), 2, dtype=np.intp)
    codes[p : p + n, p : p + n] = 1
    for r, c in d["taps"]:
        codes[r, c] += 2
    pixels = _cells(codes, words)
    _frame(pixels, p * CELL, p * CELL, n * CELL, n * CELL, 2, words[BLACK])
    if d["window"] is not None:
        top, left, extent = d["window"]
        _frame(pixels, left * CELL, top * CELL, extent * CELL, extent * CELL, 3, words[BLUE])
    at, size = DOT
    for r, c in d["taps"]:
        y, x = r * CELL + at, c * CELL + at
        pixels[y : y + size, x : x + size] = words[BLACK]
    return _rgba(pixels)


def output_picture(d: dict, palette: np.ndarray) -> np.ndarray:
    """The output grid with the current cell (the module's outputPicture)."""
    words = _words(palette)
    if d["cell"] is None:
        return _rgba(np.full((CELL, CELL), words[0], dtype=np.uint32))
    h_out = d["h_out"]
    codes = np.full((h_out, h_out), 5, dtype=np.intp)
    i, j = d["cell"]
    codes[i, j] = 6
    pixels = _cells(codes, words)
    _frame(pixels, j * CELL, i * CELL, CELL, CELL, 3, words[BLUE])
    return _rgba(pixels)


class ConvArithmetic(Widget):
    """Padding, stride and dilation on a small grid, with the output-size formula live.

    Parameters (and controls)
    -------------------------
    input_size : 3 to 10, default 7
    kernel_size : 1 to 5, default 3
    padding : 0 to 3, default 1
    stride : 1 to 3, default 1
    dilation : 1 to 3, default 1
    position (control only) : the output cell, counted row by row from 0; its maximum
        follows the output size (``H_out² − 1``), and it is 0 when nothing fits.
    """

    CAPTION = (
        "Try: raise the stride to 2 and watch the window jump two cells; set padding 0 and "
        "see the output shrink; set dilation 2 to spread the taps apart without adding "
        "weights; slide the output position to visit every cell."
    )
    TEXT = {
        "numbers": "({n} + 2·{p} − {d}·({k} − 1) − 1) // {s} + 1",
        "formula": "H_out = (H + 2p − d(k − 1) − 1) // s + 1 = {numbers} = {h}",
        "no_fit": ": no output. The kernel spans d(k − 1) + 1 = {span} cells, the padded "
        "input only {padded}.",
        "input_title": "Input {n}×{n}, padding {p} (grey: zeros)",
        "output_title": "Output {h}×{h} = {numbers}",
        "no_output_title": "No output: {numbers} = {h}",
        "position": "Output cell (row {i}, column {j}) adds up {k}×{k} = {kk} {products}. Its "
        "first tap is at input row i·s − p = {i}·{s} − {p} = {row}, column j·s − p = "
        "{j}·{s} − {p} = {col}{where}. Taps on the grey border (padding) multiply zeros.",
        "product": "product",
        "products": "products",
        "in_padding": " (in the padding)",
        "no_position": "Make the input or the padding larger, or the kernel or dilation smaller.",
        "key": "Light cells: the input. Grey border: the padding (zeros).",
        "no_window": " The kernel does not fit, so there is no window.",
        "window": " Orange: a tap on an input pixel; red-orange: a tap on the padding. The "
        "blue frame is the window: d(k − 1) + 1 = {d}·({k} − 1) + 1 = {span} {cells} wide. It "
        "holds {k}×{k} = {kk} {taps}, one per weight.",
        "cell": "cell",
        "cells": "cells",
        "tap": "tap",
        "taps": "taps",
    }

    def __init__(
        self,
        input_size: int = 7,
        kernel_size: int = 3,
        padding: int = 1,
        stride: int = 1,
        dilation: int = 1,
    ):
        def whole(name, label, low, high, row):
            return {"name": name, "label": label, "kind": "range", "min": low, "max": high,
                    "step": 1, "row": row}  # fmt: skip

        controls = [
            whole("input_size", "input size H", 3, MAX_SIZE, 0),
            whole("kernel_size", "kernel size k", *KERNEL_SIZES, 0),
            whole("padding", "padding p", 0, MAX_PADDING, 1),
            whole("stride", "stride s", *STRIDES, 1),
            whole("dilation", "dilation d", *DILATIONS, 2),
            whole("position", "output position", 0, MAX_OUTPUT**2 - 1, 2),
        ]
        state = {"input_size": 7, "kernel_size": 3, "padding": 1, "stride": 1,
                 "dilation": 1, "position": 0}  # fmt: skip
        super().__init__(
            controls=controls,
            arrays={"palette": PALETTE},
            state=state,
            meta={"cell": CELL, "dot": list(DOT), "codes": {"grid": GRID, "black": BLACK,
                                                             "blue": BLUE}},
        )  # fmt: skip
        self.set(
            input_size=input_size,
            kernel_size=kernel_size,
            padding=padding,
            stride=stride,
            dilation=dilation,
        )

    # ---- state ----------------------------------------------------------------------
    @staticmethod
    def _last_position(s: dict) -> int:
        h_out = output_size(s["input_size"], s["kernel_size"], s["padding"], s["stride"],
                            s["dilation"])  # fmt: skip
        return h_out * h_out - 1 if h_out >= 1 else 0

    def limits(self, state, name):
        if name == "position":
            return 0, self._last_position(state)
        return super().limits(state, name)

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: the position stays on the output."""
        s = dict(state)
        s["position"] = min(s["position"], self._last_position(s))
        return s

    @property
    def output_size(self) -> int:
        """``H_out`` now (below 1: the kernel does not fit)."""
        s = self.values
        return output_size(s["input_size"], s["kernel_size"], s["padding"], s["stride"],
                           s["dilation"])  # fmt: skip

    # ---- what is shown --------------------------------------------------------------
    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        d = describe(s)
        palette = self.data["palette"]
        panels = [
            {"name": "input", "scale": 1, "title": d["titles"]["input"],
             "rgba": input_picture(s, d, palette)},
            {"name": "output", "scale": 1, "title": d["titles"]["output"],
             "rgba": output_picture(d, palette)},
        ]  # fmt: skip
        return {"panels": panels, "texts": d["texts"]}
