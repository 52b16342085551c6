"""What each kind of layer costs: parameters, multiply-accumulates and bytes, side by side.

:class:`CostCalculator` shows a standard, a depth-wise, a point-wise and a depth-wise
separable layer: a table of their parameters, MACs and the bytes each must read and
write in float32 (:func:`convtutor.conv_memory`), two bar charts comparing them, the
separable-to-standard ratio beside its formula, and what that ratio keeps and saves.

The page evaluates the counts itself (``static/cost_calculator.js``): they are a few
products. :meth:`CostCalculator.view` mirrors it, and the tests hold both equal to
:func:`convtutor.conv_cost` and to real PyTorch layers for every setting of the controls.
"""

from __future__ import annotations

import functools
import math
from types import MappingProxyType

import numpy as np

from ..cost import KINDS, conv_cost, conv_memory
from ._base import (
    BAR_CHART,
    Widget,
    bar_chart,
    draw_table,
    draw_texts,
    fill_template,
    format_count,
    format_significant,
    new_figure,
    text_lines,
)

__all__ = [
    "CostCalculator",
    "torch_parameter_counts",
    "layer_costs",
    "formula_costs",
    "formula_bytes",
    "layer_memory",
    "fill_template",
    "log_count",
    "LOG_PRIMES",
    "MEMORY_HEADER",
    "MEMORY_TEXT",
    "ratio_text",
    "ratio_line",
    "bar_lengths",
    "CHANNEL_CHOICES",
    "SIZE_CHOICES",
]

#: Channel counts on the menus: 3 (RGB), the article's 10 and 20, and powers of two.
CHANNEL_CHOICES = (1, 2, 3, 4, 8, 10, 16, 20, 32, 64, 128, 256, 512)
#: Input sizes on the menu: MobileNet's feature-map sizes.
SIZE_CHOICES = (7, 14, 28, 56, 112, 224)
#: The kernel sizes and depth multipliers on the sliders.
KERNEL_SIZES = (1, 7)
MULTIPLIERS = (1, 4)

#: The four layers, in the table's and the bars' order: (name, colour, text colour).
#: Okabe-Ito colours, told apart with every common colour-vision deficiency.
KIND_STYLES = (
    ("standard", "#999999", "#000000"),
    ("depth-wise", "#56b4e9", "#000000"),
    ("point-wise", "#009e73", "#000000"),  # black: 6.3:1 on this green, white only 3.4:1
    ("separable", "#0072b2", "#ffffff"),
)
WHITE, AXIS = "#ffffff", "#444444"

# The bar charts (_base.BAR_CHART): one bar per kind, top to bottom in the table's order.
BAR_CANVAS_WIDTH, BAR_CANVAS_HEIGHT, BAR_LENGTH, BAR_HEIGHT, BAR_GAP, BAR_PAD = (
    BAR_CHART[key] for key in ("width", "height", "length", "bar_height", "gap", "pad")
)


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


#: Paint colours as the page gets them: white, the axis, then the four kinds.
PALETTE = np.array([_rgb(WHITE), _rgb(AXIS), *(_rgb(c) for _, c, _ in KIND_STYLES)], np.uint8)


@functools.lru_cache(maxsize=256)
def torch_parameter_counts(
    in_channels: int, out_channels: int, kernel_size: int, depth_multiplier: int = 1
) -> dict:
    """``sum(p.numel() for p in layer.parameters())`` of real ``torch.nn.Conv2d`` layers.

    The layers (no bias) are built on PyTorch's ``"meta"`` device: they have shapes
    but no memory, so even 512 x 512 x 7 x 7 is instant. torch is imported here,
    not when convtutor is imported.

    Returns
    -------
    dict
        Kind (as in :data:`convtutor.KINDS`) -> parameter count.
    """
    from ..light import import_torch

    torch = import_torch()  # heavy: imported only when the check runs

    c, o, k, m = in_channels, out_channels, kernel_size, depth_multiplier
    meta = {"bias": False, "device": "meta"}
    layers = {
        "standard": torch.nn.Conv2d(c, o, k, **meta),
        "depthwise": torch.nn.Conv2d(c, c * m, k, groups=c, **meta),
        "pointwise": torch.nn.Conv2d(c, o, 1, **meta),
        "separable": torch.nn.Sequential(
            torch.nn.Conv2d(c, c * m, k, groups=c, **meta), torch.nn.Conv2d(c * m, o, 1, **meta)
        ),
    }
    return {kind: sum(p.numel() for p in layer.parameters()) for kind, layer in layers.items()}


@functools.lru_cache(maxsize=4096)  # a pure function of five numbers, asked for again and again
def layer_costs(in_channels, out_channels, kernel_size, input_size, depth_multiplier=1):
    """The :class:`convtutor.ConvCost` of each kind for one widget state.

    Stride 1 and "same" padding, so every layer's output is ``input_size`` square
    (the depth-wise layer has ``in_channels x depth_multiplier`` outputs).
    """
    costs = {}
    for kind in KINDS:
        out = in_channels * depth_multiplier if kind == "depthwise" else out_channels
        costs[kind] = conv_cost(
            kind,
            in_channels,
            out,
            kernel_size,
            input_size,
            padding="same",
            depth_multiplier=depth_multiplier,
        )
    return MappingProxyType(costs)  # read-only: the cache hands out the same one


def formula_costs(in_channels, out_channels, kernel_size, input_size, depth_multiplier=1):
    """``(params, macs)``, lists in :data:`KINDS` order: :func:`layer_costs` (that is,
    :func:`convtutor.conv_cost`), the counts the page's ``formulaCosts`` evaluates.

    The tests hold ``formulaCosts`` equal to these, and these to PyTorch, over every
    setting of the controls.

    >>> formula_costs(10, 20, 7, 56)[0]
    [9800, 490, 200, 690]
    """
    costs = layer_costs(in_channels, out_channels, kernel_size, input_size, depth_multiplier)
    return [costs[kind].params for kind in KINDS], [costs[kind].macs for kind in KINDS]


#: Bytes per value: float32.
ITEMSIZE = 4
#: The table's memory column and the sentence under it (in :attr:`CostCalculator.TEXT`,
#: shipped to the page in ``meta["text"]``; both languages fill the ``{slot}``s).
MEMORY_HEADER = "bytes moved (float32)"
MEMORY_TEXT = (
    "Bytes moved, in float32 (4 bytes a value), each value once: a layer reads its input "
    "({input} bytes) and its weights and writes its output; the separable pair also writes "
    "its depth-wise maps and reads them back ({intermediate} bytes each way). Standard "
    "{standard} bytes, separable {separable}: separable ÷ standard = {ratio} for bytes, "
    "{macs_ratio} for MACs."
)


@functools.lru_cache(maxsize=4096)  # a pure function of five numbers, as layer_costs
def layer_memory(in_channels, out_channels, kernel_size, input_size, depth_multiplier=1):
    """The :class:`convtutor.ConvMemory` of each kind for one widget state, in float32."""
    out = {}
    for kind in KINDS:
        o = in_channels * depth_multiplier if kind == "depthwise" else out_channels
        out[kind] = conv_memory(
            kind, in_channels, o, kernel_size, input_size, padding="same",
            depth_multiplier=depth_multiplier, itemsize=ITEMSIZE,
        )  # fmt: skip
    return MappingProxyType(out)  # read-only: the cache hands out the same one


def formula_bytes(in_channels, out_channels, kernel_size, input_size, depth_multiplier=1):
    """Bytes moved, in :data:`KINDS` order: the totals of :func:`layer_memory` (that is,
    :func:`convtutor.conv_memory`), what the page's ``formulaBytes`` evaluates.

    Input ``C_in H²``, weights (the parameters), output ``C_out H²`` (``C_in M H²`` for
    the depth-wise layer) and, for the separable pair, its ``C_in M H²`` maps twice; all
    times 4.

    >>> formula_bytes(10, 20, 7, 56)[0]  # (10·56² + 9,800 + 20·56²) · 4
    415520
    """
    memory = layer_memory(in_channels, out_channels, kernel_size, input_size, depth_multiplier)
    return [memory[kind].total for kind in KINDS]


def ratio_text(in_channels, out_channels, kernel_size, depth_multiplier, params_ratio) -> str:
    """The separable / standard ratio beside its formula, with the numbers put in.

    The depth multiplier ``M`` is named where it multiplies, and left out when it is 1:

    >>> ratio_text(10, 20, 7, 1, 690 / 9800).split("; ")[1]
    'formula 1/C_out + 1/k² = 1/20 + 1/7² = 0.07041'
    >>> ratio_text(10, 20, 7, 2, 1380 / 9800).split("; ")[1]
    'formula M·(1/C_out + 1/k²) with depth multiplier M = 2: 2·(1/20 + 1/7²) = 0.1408'
    """
    o, k, m = out_channels, kernel_size, depth_multiplier
    formula = m * (1 / o + 1 / (k * k))
    if m == 1:
        numbers = f"1/C_out + 1/k² = 1/{o} + 1/{k}²"
    else:
        numbers = f"M·(1/C_out + 1/k²) with depth multiplier M = {m}: {m}·(1/{o} + 1/{k}²)"
    return (
        f"separable ÷ standard = {format_significant(params_ratio)} (parameters and MACs alike); "
        f"formula {numbers} = {format_significant(formula)}"
    )


def ratio_line(in_channels, out_channels, kernel_size, depth_multiplier, params_ratio) -> str:
    """:func:`ratio_text` short enough for one line.

    >>> ratio_line(10, 20, 7, 1, 690 / 9800)
    'separable ÷ standard = 0.07041 = 1/C_out + 1/k² = 1/20 + 1/7²'
    """
    o, k, m = out_channels, kernel_size, depth_multiplier
    r = format_significant(params_ratio)
    if m == 1:
        return f"separable ÷ standard = {r} = 1/C_out + 1/k² = 1/{o} + 1/{k}²"
    return f"separable ÷ standard = {r} = M·(1/C_out + 1/k²) = {m}·(1/{o} + 1/{k}²)"


#: The primes a count on the grid can have, each with its natural logarithm (Python's
#: ``math.log``), shipped to the page in ``meta["log_primes"]``: the page takes no
#: logarithm of its own. A count (times 2) is a product of 2, ``C_in``, ``C_out``, ``k``,
#: ``M``, ``H`` and ``k² + C_out``, so its prime factors are at most ``7² + 512``.
LOG_PRIMES = tuple(
    (p, math.log(p))
    for p in range(2, KERNEL_SIZES[1] ** 2 + max(CHANNEL_CHOICES) + 1)
    if all(p % q for q in range(2, math.isqrt(p) + 1))
)


@functools.cache
def log_count(n: int) -> float:
    """``ln n`` as the page computes it (``logCount``) from :data:`LOG_PRIMES`: over
    ``n``'s prime factors ``p`` (``e`` times each), smallest first, the sum of ``e · ln p``.

    Equal counts give equal sums, and both languages do the same float64 operations on
    the same shipped numbers, so the bars have the same pixels.

    >>> log_count(8) == 3 * math.log(2)
    True
    """
    total = 0.0
    for p, ln_p in LOG_PRIMES:
        e = 0
        while n % p == 0:
            n //= p
            e += 1
        if e:
            total += e * ln_p
        if n == 1:
            return total
    raise ValueError(f"n must have prime factors up to {LOG_PRIMES[-1][0]} only; {n} is left")


def bar_lengths(values, log: bool) -> list:
    """Bar lengths in pixels, the largest value :data:`BAR_LENGTH` (the page's barLengths).

    Linear: ``floor(L v / top)``. Log: ``floor(L (ln(2v) / ln(2 top)))``, the
    logarithms from :func:`log_count`, so a count of 1 still has a bar. Every bar is at
    least 1 pixel long. The tests hold each log length equal to the exact one, the
    largest ``n`` with ``(2 top)^n <= (2v)^L`` in integers, on the whole grid.
    """
    top = max(values)
    out = []
    for v in values:
        if log:
            length = math.floor(BAR_LENGTH * (log_count(2 * v) / log_count(2 * top)))
        else:
            length = math.floor(BAR_LENGTH * v / top)
        out.append(max(1, length))
    return out


def _formulas(c, o, k, m) -> list:
    """Each kind's parameter count as a product, with the numbers put in."""
    cm = f"{c}" if m == 1 else f"{c}·{m}"
    return [f"{c}·{o}·{k}²", f"{cm}·{k}²", f"{c}·{o}", f"{cm}·{k}² + {cm}·{o}"]


def describe(state: dict) -> dict:
    """Everything the page shows for ``state`` but the pixels (the module's ``describe``)."""
    c, o, k = state["in_channels"], state["out_channels"], state["kernel_size"]
    h, m = state["input_size"], state["depth_multiplier"]
    words = CostCalculator.TEXT
    params, macs = formula_costs(c, o, k, h, m)
    moved = formula_bytes(c, o, k, h, m)
    header = [words[key] for key in ("layer", "product", "params", "macs", "memory_header")]
    cells = [[{"text": t, "bg": WHITE, "fg": "#000000"} for t in header]]
    formulas = _formulas(c, o, k, m)
    for i, (name, bg, fg) in enumerate(KIND_STYLES):
        row = [{"text": name, "bg": bg, "fg": fg}]
        for text in (formulas[i], format_count(params[i]), format_count(macs[i]),
                     format_count(moved[i])):  # fmt: skip
            row.append({"text": text, "bg": WHITE, "fg": "#000000"})
        cells.append(row)
    standard, separable = params[0], params[3]
    ratio = separable / standard
    formula = m * (1 / o + 1 / (k * k))
    o_, k_, m_ = str(o), str(k), str(m)
    texts = {
        "ratio": fill_template(
            words["ratio"], separable=format_count(separable), standard=format_count(standard),
            ratio=format_significant(ratio),
        ),
        "formula": fill_template(
            words["formula" if m == 1 else "formula_m"], o=o_, k=k_, m=m_,
            value=format_significant(formula),
        ),
    }  # fmt: skip
    if separable < standard:
        texts["saving"] = fill_template(
            words["saving"], percent=format_significant(100 * ratio),
            saved=format_significant((standard - separable) * 100 / standard),
            fewer=format_significant(standard / separable, 3),
        )  # fmt: skip
    elif separable == standard:
        texts["saving"] = words["saving_none"]
    else:
        texts["saving"] = fill_template(words["saving_more"], ratio=format_significant(ratio))
    if m == 1:
        texts["sum"] = fill_template(
            words["sum"], depthwise=format_count(params[1]), pointwise=format_count(params[2]),
            separable=format_count(separable),
        )  # fmt: skip
    else:
        texts["sum"] = fill_template(words["sum_m"], m=m_, cm=str(c * m), c=str(c))
    texts["size"] = fill_template(words["size"], h=str(h), area=format_count(h * h))
    texts["memory"] = fill_template(
        words["memory"],
        input=format_count(ITEMSIZE * c * h * h),
        intermediate=format_count(ITEMSIZE * c * m * h * h),
        standard=format_count(moved[0]),
        separable=format_count(moved[3]),
        ratio=format_significant(moved[3] / moved[0]),
        macs_ratio=format_significant(ratio),
    )
    texts["torch"] = words["torch"]
    return {
        "params": params,
        "macs": macs,
        "bytes": moved,
        "cells": cells,
        "texts": texts,
        "lengths": {
            "log": {"params": bar_lengths(params, True), "macs": bar_lengths(macs, True)},
            "linear": {"params": bar_lengths(params, False), "macs": bar_lengths(macs, False)},
        },
    }


def bars_picture(lengths, palette: np.ndarray) -> np.ndarray:
    """The bar chart's RGBA pixels: white, an axis at x = 0, one bar per kind."""
    return bar_chart(lengths, palette, first=2)


_NUMBER_MENUS = {"in_channels": CHANNEL_CHOICES, "out_channels": CHANNEL_CHOICES,
                 "input_size": SIZE_CHOICES}  # fmt: skip


class CostCalculator(Widget):
    """Parameters and MACs of standard, depth-wise, point-wise and separable layers.

    Every layer has stride 1, "same" padding and no bias; the depth-wise layer has
    ``C_in x M`` outputs, the others ``C_out``. The separable layer is a depth-wise
    ``k x k`` step (multiplier ``M``) then a point-wise step from ``C_in x M`` channels.

    Parameters (and controls)
    -------------------------
    in_channels, out_channels : one of :data:`CHANNEL_CHOICES`, default 10 and 20
    kernel_size : 1 to 7, default 7
    input_size : one of :data:`SIZE_CHOICES`, default 56
    depth_multiplier : 1 to 4, default 1
    log_scale (control only) : True or False, the bars' scale; default True

    Attributes
    ----------
    costs : dict
        Kind -> :class:`convtutor.ConvCost` for the current state (from
        :func:`convtutor.conv_cost`).
    memory : dict
        Kind -> :class:`convtutor.ConvMemory` in float32 (from :func:`convtutor.conv_memory`).
    torch_counts : dict
        Kind -> parameter count of the matching PyTorch layers (imports torch).
    """

    CAPTION = (
        "Try: 10 → 20 channels with a 7×7 kernel (the article's layer: 9,800 weights); then "
        "raise the output channels and watch the separable/standard ratio fall towards 1/k²; "
        "set the depth multiplier to 2 and see it double."
    )
    TEXT = {
        "layer": "layer (no bias)",
        "product": "parameters, as a product",
        "params": "parameters",
        "macs": "MACs per image",
        "memory_header": MEMORY_HEADER,
        "table_title": "One layer, C_in = {c} → C_out = {o}, k = {k}, input {h}×{h}",
        "params_title": "parameters{scale}\nbars top to bottom: the table's rows",
        "macs_title": "MACs per image{scale}\nbars top to bottom: the table's rows",
        "log_scale": " (log scale)",
        "ratio": "separable ÷ standard = {separable} ÷ {standard} = {ratio}, for parameters and "
        "for MACs alike.",
        "formula": "The formula: 1/C_out + 1/k² = 1/{o} + 1/{k}² = {value}.",
        "formula_m": "The formula, with depth multiplier M = {m}: M·(1/C_out + 1/k²) "
        "= {m}·(1/{o} + 1/{k}²) = {value}.",
        "saving": "The ratio is the share of the cost a separable layer keeps: {percent}%. It "
        "saves one minus the ratio: {saved}% ({fewer}× fewer).",
        "saving_none": "The ratio is the share of the cost a separable layer keeps: here all "
        "of it, so it saves nothing.",
        "saving_more": "The ratio is the share of the cost a separable layer keeps. Here it is "
        "above 1: the separable layer costs {ratio}× as much, so it saves nothing.",
        "sum": "separable = depth-wise + point-wise: {depthwise} + {pointwise} = {separable} "
        "parameters.",
        "sum_m": "With M = {m}, the separable layer's point-wise step mixes C_in·M = {cm} "
        "channels, not {c}: its row is not the sum of the two rows above it.",
        "size": "Stride 1 and 'same' padding: every output is {h}×{h}, so each layer's MACs "
        "= its parameters × {h}·{h} = parameters × {area}.",
        "memory": MEMORY_TEXT,
        "torch": "PyTorch agrees: sum(p.numel() for p in layer.parameters()) of these layers "
        "built as torch.nn.Conv2d (no bias) gives the same parameter counts, for every "
        "setting of the controls (the test suite checks them all).",
    }

    def __init__(
        self,
        in_channels: int = 10,
        out_channels: int = 20,
        kernel_size: int = 7,
        input_size: int = 56,
        depth_multiplier: int = 1,
    ):
        controls = [
            {"name": "in_channels", "label": "in channels C_in", "kind": "select",
             "options": list(CHANNEL_CHOICES), "row": 0},
            {"name": "out_channels", "label": "out channels C_out", "kind": "select",
             "options": list(CHANNEL_CHOICES), "row": 0},
            {"name": "kernel_size", "label": "kernel size k", "kind": "range",
             "min": KERNEL_SIZES[0], "max": KERNEL_SIZES[1], "step": 1, "row": 0},
            {"name": "input_size", "label": "input size H = W", "kind": "select",
             "options": list(SIZE_CHOICES), "row": 1},
            {"name": "depth_multiplier", "label": "depth multiplier M", "kind": "range",
             "min": MULTIPLIERS[0], "max": MULTIPLIERS[1], "step": 1, "row": 1},
            {"name": "log_scale", "label": "bars on a log scale", "kind": "select",
             "options": [True, False], "row": 1},
        ]  # fmt: skip
        state = {"in_channels": 10, "out_channels": 20, "kernel_size": 7, "input_size": 56,
                 "depth_multiplier": 1, "log_scale": True}  # fmt: skip
        super().__init__(
            controls=controls,
            arrays={"palette": PALETTE},
            state=state,
            meta={
                "kinds": [list(style) for style in KIND_STYLES],
                "white": WHITE,
                "bar": BAR_CHART,
                "log_primes": [list(pair) for pair in LOG_PRIMES],
            },
        )
        self.set(
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=kernel_size,
            input_size=input_size,
            depth_multiplier=depth_multiplier,
        )

    # ---- state ----------------------------------------------------------------------
    def check_value(self, name: str, value, state: dict | None = None):
        """As :meth:`Widget.check_value`; menus of numbers take whole numbers, not text."""
        if name in _NUMBER_MENUS and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer))
        ):
            raise TypeError(
                f"{name} must be a whole number, one of "
                f"{', '.join(map(str, _NUMBER_MENUS[name]))}; got {type(value).__name__} "
                f"{value!r}"
            )
        if name == "log_scale" and not isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"log_scale must be True or False; got {type(value).__name__} {value!r}"
            )
        value = super().check_value(name, value, state)
        if name in _NUMBER_MENUS:
            return int(value)
        if name == "log_scale":
            return bool(value)
        return value

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: a menu's text becomes its number or flag."""
        s = dict(state)
        for name in _NUMBER_MENUS:
            s[name] = int(s[name])
        s["log_scale"] = s["log_scale"] is True or s["log_scale"] == "true"
        return s

    @property
    def costs(self) -> dict:
        """Kind -> :class:`convtutor.ConvCost` for the current state."""
        s = self.values
        return layer_costs(
            s["in_channels"], s["out_channels"], s["kernel_size"], s["input_size"],
            s["depth_multiplier"],
        )  # fmt: skip

    @property
    def memory(self) -> dict:
        """Kind -> :class:`convtutor.ConvMemory` (float32) for the current state."""
        s = self.values
        return layer_memory(
            s["in_channels"], s["out_channels"], s["kernel_size"], s["input_size"],
            s["depth_multiplier"],
        )  # fmt: skip

    @property
    def torch_counts(self) -> dict:
        """Kind -> ``sum(p.numel() ...)`` of the matching PyTorch layers (imports torch)."""
        s = self.values
        return torch_parameter_counts(
            s["in_channels"], s["out_channels"], s["kernel_size"], s["depth_multiplier"]
        )

    # ---- what is shown --------------------------------------------------------------
    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        d = describe(s)
        c, o, k, h = s["in_channels"], s["out_channels"], s["kernel_size"], s["input_size"]
        lengths = d["lengths"]["log" if s["log_scale"] else "linear"]
        words = self.TEXT
        scale = words["log_scale"] if s["log_scale"] else ""
        palette = self.data["palette"]
        panels = [
            {
                "name": "table",
                "kind": "table",
                "title": fill_template(
                    words["table_title"], c=str(c), o=str(o), k=str(k), h=str(h)
                ),  # fmt: skip
                "cells": d["cells"],
            },
            {
                "name": "params_bars",
                "row": 1,
                "scale": 1,
                "title": fill_template(words["params_title"], scale=scale),
                "rgba": bars_picture(lengths["params"], palette),
            },
            {
                "name": "macs_bars",
                "row": 1,
                "scale": 1,
                "title": fill_template(words["macs_title"], scale=scale),
                "rgba": bars_picture(lengths["macs"], palette),
            },
        ]
        return {"panels": panels, "texts": d["texts"]}

    def figure(self, state: dict | None = None):
        """The PNG fallback: the table across the top, the two bar charts under it, the
        texts (what :meth:`Widget.figure` draws, laid out for a wide table)."""
        v = self.view(state)
        table, *bars = v["panels"]
        lines = text_lines(v["texts"].values())
        text_height = 0.2 * len(lines) + 0.2
        height = 1.9 + 2.0 + text_height
        fig = new_figure(height)
        grid = fig.add_gridspec(
            2, 2, top=1 - 0.3 / height, bottom=(text_height + 0.1) / height, hspace=0.45
        )
        ax = fig.add_subplot(grid[0, :])
        ax.set_axis_off()
        ax.set_title(table["title"], fontsize=9)
        widths = [0.15, 0.25, 0.16, 0.22, 0.22]
        draw_table(ax, table["cells"], fontsize=9, scale=1.35, col_widths=widths, cell_loc="right")
        for i, panel in enumerate(bars):
            ax = fig.add_subplot(grid[1, i])
            ax.set_axis_off()
            ax.set_title(panel["title"], fontsize=9)
            ax.imshow(panel["rgba"], interpolation="nearest")
        draw_texts(fig, lines, text_height / height)
        return fig
