"""MobileNet's two knobs: the width multiplier alpha and the input resolution, live.

:class:`MobileNetKnobs` shows the whole of MobileNet v1 counted by
:func:`convtutor.blocks.mobilenet_v1_cost` for a width multiplier ``alpha`` and an
input side: its mult-adds and parameters, their share of the full network's, beside
``alpha²``, ``rho²`` and ``alpha² rho²``, as a table and as bars. Where the paper's
Tables 6 and 7 report a setting, its numbers and top-1 accuracy are shown, cited.

Everything the page shows is computed here for every state of the grid (16 widths x 9
sides) and shipped in ``meta["states"]``: the page looks the state up and paints the bars
from the shipped lengths; it computes nothing else.
"""

from __future__ import annotations

import math

import numpy as np

from ..blocks import mobilenet_v1_cost
from ._base import BAR_CHART, Widget, bar_chart, draw_table, draw_texts, new_figure, text_lines

__all__ = ["MobileNetKnobs", "ALPHAS", "SIDES", "PAPER", "state_index", "describe"]

#: The width multipliers on the slider: 0.25 to 1 in steps of 0.05.
ALPHA_RANGE = (0.25, 1.0, 0.05)
ALPHAS = tuple(round(0.25 + 0.05 * i, 2) for i in range(16))
#: The input sides on the slider: 96 to 224 in steps of 16 (224 is rho = 1).
SIDE_RANGE = (96, 224, 16)
SIDES = tuple(range(96, 225, 16))
FULL_SIDE = 224

#: The paper's Tables 6 and 7 (Howard et al. 2017), cited: (alpha, side) ->
#: (top-1 % on ImageNet, million mult-adds, million parameters, table).
PAPER = {
    (1.0, 224): (70.6, 569, 4.2, "Tables 6 and 7"),
    (0.75, 224): (68.4, 325, 2.6, "Table 6"),
    (0.5, 224): (63.7, 149, 1.3, "Table 6"),
    (0.25, 224): (50.6, 41, 0.5, "Table 6"),
    (1.0, 192): (69.1, 418, 4.2, "Table 7"),
    (1.0, 160): (67.2, 290, 4.2, "Table 7"),
    (1.0, 128): (64.4, 186, 4.2, "Table 7"),
}

#: The bars, top to bottom: (label, colour). Okabe-Ito colours, told apart with every
#: common colour-vision deficiency; each measured bar sits above its formula.
BARS = (
    ("mult-adds", "#0072b2"),
    ("α²ρ²", "#56b4e9"),
    ("parameters", "#d55e00"),
    ("α²", "#e69f00"),
)
WHITE, AXIS, GRID = "#ffffff", "#444444", "#bbbbbb"
# The bar chart (_base.BAR_CHART): the full network's bar is BAR_LENGTH long.
BAR_CANVAS_WIDTH, BAR_CANVAS_HEIGHT, BAR_LENGTH, BAR_HEIGHT, BAR_GAP, BAR_PAD = (
    BAR_CHART[key] for key in ("width", "height", "length", "bar_height", "gap", "pad")
)


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


#: Paint colours as the page gets them: white, the axis, the full-network line, the bars.
PALETTE = np.array([_rgb(WHITE), _rgb(AXIS), _rgb(GRID), *(_rgb(c) for _, c in BARS)], np.uint8)


def state_index(alpha: float, side: int) -> int:
    """Where a state sits in ``meta["states"]``: ``alpha`` major, ``side`` minor."""
    i = round((alpha - ALPHA_RANGE[0]) / ALPHA_RANGE[2])
    j = round((side - SIDE_RANGE[0]) / SIDE_RANGE[2])
    return i * len(SIDES) + j


def _length(share: float) -> int:
    """A bar's length in pixels for a share of the full network (at least 1)."""
    return max(1, math.floor(BAR_LENGTH * share + 0.5))


def describe(alpha: float, side: int, full=None) -> dict:
    """Everything the page shows for one state but the pixels: cells, texts, lengths."""
    full = mobilenet_v1_cost() if full is None else full
    cost = mobilenet_v1_cost(alpha, side)
    rho = side / FULL_SIDE
    shares = [cost.macs / full.macs, alpha**2 * rho**2, cost.params / full.params, alpha**2]
    plain = lambda text: {"text": text, "bg": WHITE, "fg": "#000000"}  # noqa: E731
    rows = [
        ["", "this setting", "full network (α = 1, 224)", "share of the full"],
        ["mult-adds", f"{cost.macs / 1e6:.1f} M", f"{full.macs / 1e6:.1f} M", f"{shares[0]:.3f}"],
        ["parameters", f"{cost.params / 1e6:.3f} M", f"{full.params / 1e6:.3f} M",
         f"{shares[2]:.3f}"],
        ["α², ρ², α²ρ²", f"{alpha**2:.4f}, {rho**2:.4f}, {shares[1]:.4f}", "1", ""],
    ]  # fmt: skip
    cells = [[plain(t) for t in row] for row in rows]
    first = cost.layers[0].out_channels
    last = cost.layers[-1].in_channels
    texts = {
        "setting": (
            f"Width multiplier α = {alpha:g}: every layer keeps int(α·C) channels "
            f"(the first layer {first} of 32, the last {last} of 1024). Input {side}×{side}: "
            f"ρ = {side}/224 = {rho:.3f}, and the last feature map is "
            f"{cost.layers[-2].output_size}×{cost.layers[-2].output_size}."
        ),
        "cost": (
            f"{cost.macs:,} mult-adds ({shares[0]:.3f} of the full network's) against "
            f"α²ρ² = {shares[1]:.3f}; {cost.params:,} parameters ({shares[2]:.3f}) "
            f"against α² = {alpha**2:.3f}. Close, not equal: the depth-wise layers shrink as "
            "α only, the classifier keeps its 1000 outputs, int(α·C) rounds channels down, "
            "and a stride-2 layer rounds an odd side up. The parameters do not depend on the "
            "input side."
        ),
    }
    paper = PAPER.get((alpha, side))
    if paper is None:
        texts["paper"] = (
            "The paper reports no row for this setting: these counts are computed here, and "
            "there is no accuracy to show (that needs training on ImageNet)."
        )
    else:
        top1, macs, params, table = paper
        texts["paper"] = (
            f"The paper ({table}) reports {macs} M mult-adds and {params} M parameters, and "
            f"{top1} % top-1 accuracy on ImageNet: cited, not measured here."
        )
    return {
        "cells": cells,
        "texts": texts,
        "lengths": [_length(s) for s in shares],
        "full_line": BAR_LENGTH,
    }


def bars_picture(lengths, palette: np.ndarray) -> np.ndarray:
    """The bars' RGBA pixels: white, an axis at x = 0, the full network's length marked
    by a grey line at x = BAR_LENGTH, one bar per share (the page's barsPicture)."""
    return bar_chart(lengths, palette, first=3, end=2)


class MobileNetKnobs(Widget):
    """MobileNet v1's cost at a width multiplier and an input side, against the full one.

    Parameters (and controls)
    -------------------------
    alpha : 0.25 to 1 in steps of 0.05, default 1
        The width multiplier.
    resolution : 96 to 224 in steps of 16, default 224
        The input image's side (``rho = resolution / 224``).

    Attributes
    ----------
    cost : convtutor.blocks.NetworkCost
        :func:`convtutor.blocks.mobilenet_v1_cost` for the current state.
    """

    CAPTION = (
        "Try: halve α and watch the mult-adds fall to about a quarter; then lower the "
        "input side and see the parameters stay put while the mult-adds fall with ρ²."
    )
    #: The panels' titles; each state's cells and texts are in ``meta["states"]``.
    TEXT = {
        "table_title": "MobileNet v1, counted layer by layer (ct.conv_cost)",
        "bars_title": (
            "share of the full network, top to bottom: mult-adds, α²ρ², parameters, α²\n"
            "(grey line: the full network)"
        ),
    }

    def __init__(self, alpha: float = 1.0, resolution: int = 224):
        controls = [
            {"name": "alpha", "label": "width multiplier α", "kind": "range",
             "min": ALPHA_RANGE[0], "max": ALPHA_RANGE[1], "step": ALPHA_RANGE[2],
             "digits": 2},
            {"name": "resolution", "label": "input side (224 is ρ = 1)", "kind": "range",
             "min": SIDE_RANGE[0], "max": SIDE_RANGE[1], "step": SIDE_RANGE[2], "unit": "px"},
        ]  # fmt: skip
        full = mobilenet_v1_cost()
        states = [describe(a, s, full) for a in ALPHAS for s in SIDES]
        super().__init__(
            controls=controls,
            arrays={"palette": PALETTE},
            state={"alpha": 1.0, "resolution": 224},
            meta={
                "states": states,
                "grid": {
                    "alpha": list(ALPHA_RANGE),
                    "resolution": list(SIDE_RANGE),
                    "sides": len(SIDES),
                },
                "bar": BAR_CHART,
            },
        )
        self.set(alpha=alpha, resolution=resolution)

    @property
    def cost(self):
        """:func:`convtutor.blocks.mobilenet_v1_cost` for the current state."""
        return mobilenet_v1_cost(self.values["alpha"], self.values["resolution"])

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        d = self.meta["states"][state_index(s["alpha"], s["resolution"])]
        words = self.TEXT
        panels = [
            {
                "name": "table",
                "kind": "table",
                "title": words["table_title"],
                "cells": d["cells"],
            },  # fmt: skip
            {
                "name": "bars",
                "row": 1,
                "scale": 1,
                "title": words["bars_title"],
                "rgba": bars_picture(d["lengths"], self.data["palette"]),
            },
        ]
        return {"panels": panels, "texts": dict(d["texts"])}

    def figure(self, state: dict | None = None):
        """The PNG fallback: the table, the bars under it, the texts."""
        v = self.view(state)
        table, bars = v["panels"]
        lines = text_lines(v["texts"].values())
        text_height = 0.2 * len(lines) + 0.2
        height = 1.6 + 1.8 + text_height
        fig = new_figure(height)
        grid = fig.add_gridspec(
            2, 1, top=1 - 0.3 / height, bottom=(text_height + 0.1) / height, hspace=0.5
        )
        ax = fig.add_subplot(grid[0])
        ax.set_axis_off()
        ax.set_title(table["title"], fontsize=9)
        draw_table(ax, table["cells"], fontsize=9, scale=1.3, cell_loc="right")
        ax = fig.add_subplot(grid[1])
        ax.set_axis_off()
        ax.set_title(bars["title"], fontsize=8)
        ax.imshow(bars["rgba"], interpolation="nearest")
        draw_texts(fig, lines, text_height / height)
        return fig
