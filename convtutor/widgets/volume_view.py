"""The layer as boxes, live: :class:`VolumeView`.

The input is drawn as ``C_in`` slabs of ``H x W`` cells, one colour per channel, stacked
top to bottom; beside it the filters, then the output, all in isometric view. For the
output value the controls choose (a channel, a row and a column), the input cells it
reads, the filter that reads them and the value itself are drawn in full colour; the
rest is pale. Five kinds of layer: standard, grouped, depth-wise, point-wise and
depth-wise separable (its two stages one after the other). Beside the picture: its
parameters and multiply-adds, which the tests hold equal to :func:`convtutor.conv_cost`
for every setting of the controls.

The picture is integer arithmetic only: every unit cube is one small sprite (its top and
two visible side faces, and the top face's edge; :func:`cube_sprite`) stamped at integer
pixel offsets in painter's order, its colours looked up in :data:`PALETTE`. The page
(``static/volume_view.js``) builds the same list of cubes in the same order and stamps
the same sprite, so both paint the same bytes. Every word comes from :attr:`VolumeView.TEXT`.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import (
    Widget,
    divisors,
    draw_table,
    draw_texts,
    fill_template,
    format_count,
    group_index,
    kept_group,
    new_figure,
    text_lines,
)

__all__ = [
    "VolumeView",
    "KINDS",
    "SIDE",
    "MAX_CHANNELS",
    "MAX_MULTIPLIER",
    "KERNEL_SIZES",
    "GEOMETRY",
    "PALETTE",
    "CHANNEL_COLOURS",
    "cube_sprite",
    "divisors",
    "counts",
    "receptive_field",
]

#: The kinds of layer on the menu.
KINDS = ("standard", "grouped", "depthwise", "pointwise", "separable")
#: The input's height and width (H = W): small enough to see every cell.
SIDE = 6
#: At most this many channels in any volume drawn (C_in, C_out, C_in·M).
MAX_CHANNELS = 8
MAX_MULTIPLIER = 3
KERNEL_SIZES = (1, 3, 5)

#: The isometric grid, in pixels: a column step is (+a, +b), a row step (-a, +b); a cube
#: is ``thick`` tall; panels have ``pad`` round them; filters stand ``gap_x`` apart;
#: a slab's level is ``pitch`` below the one before (room for a 6 x 6 slab and a gap).
GEOMETRY = {"a": 6, "b": 3, "thick": 3, "pad": 6, "gap_x": 8, "gap_y": 5}
GEOMETRY["pitch"] = 2 * GEOMETRY["b"] * SIDE + GEOMETRY["thick"] + GEOMETRY["gap_y"]

#: One colour per input channel (Okabe-Ito's eight, told apart with the common
#: colour-vision deficiencies), then the output's neutral grey.
CHANNEL_COLOURS = (
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000",
)  # fmt: skip
OUTPUT_COLOUR = "#707070"
NEUTRAL = len(CHANNEL_COLOURS)
# Each face's share of the colour (top, left, right, edge), in 1/100; pale = 70 % white.
_SHADES = (100, 82, 66, 45)
_PALE = 70


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _palette() -> np.ndarray:
    """Entry ``(colour * 2 + full) * 4 + face`` (face 0 top, 1 left, 2 right, 3 edge); the
    last entry is the white background."""
    rows = []
    for colour in (*CHANNEL_COLOURS, OUTPUT_COLOUR):
        rgb = _rgb(colour)
        for full in (0, 1):
            base = rgb if full else tuple(c + (255 - c) * _PALE // 100 for c in rgb)
            for shade in _SHADES:
                rows.append(tuple(c * shade // 100 for c in base))
    rows.append((255, 255, 255))
    return np.array(rows, dtype=np.uint8)


#: Paint colours as the page gets them (see :func:`_palette`).
PALETTE = _palette()
BACKGROUND = len(PALETTE) - 1


def cube_sprite(a: int = GEOMETRY["a"], b: int = GEOMETRY["b"], thick: int = GEOMETRY["thick"]):
    """One cube as a ``(2b + thick, 2a)`` uint8 mask: 0 nothing, 1 top, 2 left, 3 right,
    4 the top face's edge.

    The top face is the diamond with corners (a, 0), (2a, b), (a, 2b), (0, b); the side
    faces hang ``thick`` pixels below its two lower edges. A pixel belongs to the face its
    centre lies in (exact integer tests, doubled coordinates); a top pixel whose pixel
    above is not top is edge (the face's two upper sides: the cubes drawn after it
    cover its lower sides with their upper ones).
    """
    height, width = 2 * b + thick, 2 * a
    out = np.zeros((height, width), dtype=np.uint8)
    for y in range(height):
        for x in range(width):
            dx, dy = 2 * x + 1 - 2 * a, 2 * y + 1  # the centre, doubled, from the top corner
            if abs(dx) * b + abs(dy - 2 * b) * a < 2 * a * b:
                out[y, x] = 1
                continue
            # below a lower edge: y >= 2b - (b/a)|x|, and less than thick below it
            below = dy * a - (4 * a * b - abs(dx) * b)
            if 0 <= below < 2 * thick * a:
                out[y, x] = 3 if dx > 0 else 2
    top = out == 1
    above = np.zeros_like(top)
    above[1:] = top[:-1]
    out[top & ~above] = 4
    return out


SPRITE = cube_sprite()


def _out_side(state: dict) -> int:
    k = 1 if state["kind"] == "pointwise" else state["kernel_size"]
    return SIDE - k + 1


def _outputs(state: dict) -> int:
    if state["kind"] == "depthwise":
        return state["in_channels"] * state["multiplier"]
    return state["out_channels"]


def counts(state: dict) -> tuple:
    """``(params, macs, stages)`` as the page computes them (``counts`` in the module):
    no padding, stride 1, a ``SIDE x SIDE`` input. ``stages`` is ``[(params, macs)]``
    per stage (two for the separable layer)."""
    kind, c, o = state["kind"], state["in_channels"], state["out_channels"]
    m, g, k = state["multiplier"], state["groups"], state["kernel_size"]
    n = _out_side(state)
    if kind == "standard":
        stages = [c * o * k * k]
    elif kind == "grouped":
        stages = [(c // g) * o * k * k]
    elif kind == "depthwise":
        stages = [c * m * k * k]
    elif kind == "pointwise":
        stages = [c * o]
    else:
        stages = [c * m * k * k, c * m * o]
    params = sum(stages)
    return params, params * n * n, [(p, p * n * n) for p in stages]


def receptive_field(state: dict) -> np.ndarray:
    """The ``(C_in, SIDE, SIDE)`` input cells the chosen output value reads (True),
    as the page lights them (``receptiveField`` in the module)."""
    kind, c = state["kind"], state["in_channels"]
    k = 1 if kind == "pointwise" else state["kernel_size"]
    r, q, oc = state["row"], state["column"], state["out_channel"]
    lit = np.zeros((c, SIDE, SIDE), dtype=bool)
    if kind == "grouped":
        per = c // state["groups"]
        group = oc // (state["out_channels"] // state["groups"])
        channels = range(group * per, (group + 1) * per)
    elif kind == "depthwise":
        channels = [oc // state["multiplier"]]
    else:
        channels = range(c)
    for ch in channels:
        lit[ch, r : r + k, q : q + k] = True
    return lit


# ---- the scene: panels of cubes (the module's scene, the same order) -------------------
def _sheet(cubes, ox, oy, size, colour, full):
    """A ``size x size`` slab whose top corner is at (ox, oy); ``full(r, q)``: lit."""
    a, b = GEOMETRY["a"], GEOMETRY["b"]
    for r in range(size):
        for q in range(size):
            lit = 1 if full(r, q) else 0
            cubes.append((ox + a * (q - r) - a, oy + b * (q + r), (colour * 2 + lit) * 4, r + q))


def _level_y(level: int, size: int) -> int:
    g = GEOMETRY
    return g["pad"] + level * g["pitch"] + g["b"] * (SIDE - size)


def _stack(levels, size, colour_of, lit_of) -> dict:
    """Slabs of ``size x size``, one per level, centred in a column."""
    g = GEOMETRY
    cubes = []
    for level in range(levels):
        ox = g["pad"] + g["a"] * SIDE
        _sheet(cubes, ox, _level_y(level, size), size, colour_of(level),
               lambda r, q, lv=level: lit_of(lv, r, q))  # fmt: skip
    width = 2 * g["pad"] + 2 * g["a"] * SIDE
    return {"cubes": cubes, "width": width, "height": _height(levels)}


def _height(levels: int) -> int:
    g = GEOMETRY
    return 2 * g["pad"] + levels * g["pitch"] - g["gap_y"]


def _filters(slots, levels, size, plates) -> dict:
    """``plates``: ``(slot, level, colour, full)`` in drawing order: a ``size x size``
    slab at that slot and level."""
    g = GEOMETRY
    cubes = []
    step = 2 * g["a"] * size + g["gap_x"]
    for slot, level, colour, full in plates:
        ox = g["pad"] + slot * step + g["a"] * size
        _sheet(cubes, ox, _level_y(level, size), size, colour, lambda r, q, f=full: f)
    width = 2 * g["pad"] + slots * step - g["gap_x"]
    return {"cubes": cubes, "width": width, "height": _height(levels)}


def scene(state: dict) -> dict:
    """Panel name -> ``{cubes: [(x, y, base, d)], width, height}`` for the pictures shown:
    a cube's sprite goes at (x, y) with palette entries ``base + face - 1``; ``d = r + q``
    is its diagonal in its slab (see :func:`paint`)."""
    kind, c, o = state["kind"], state["in_channels"], state["out_channels"]
    m, g = state["multiplier"], state["groups"]
    k = 1 if kind == "pointwise" else state["kernel_size"]
    n = SIDE - k + 1
    r, q, oc = state["row"], state["column"], state["out_channel"]
    lit = receptive_field(state)
    out = {"input": _stack(c, SIDE, lambda lv: lv, lambda lv, i, j: lit[lv, i, j])}

    def chosen(lv, i, j):
        return lv == oc and i == r and j == q

    if kind in ("standard", "pointwise"):
        plates = [(j, i, i, j == oc) for j in range(o) for i in range(c)]
        out["filters"] = _filters(o, c, k, plates)
        out["output"] = _stack(o, n, lambda lv: NEUTRAL, chosen)
    elif kind == "grouped":
        per, outs = c // g, o // g
        plates = [(j, i, i, j == oc) for j in range(o)
                  for i in range((j // outs) * per, (j // outs + 1) * per)]  # fmt: skip
        out["filters"] = _filters(o, c, k, plates)
        out["output"] = _stack(o, n, lambda lv: NEUTRAL, chosen)
    elif kind == "depthwise":
        plates = [(s, i, i, i * m + s == oc) for i in range(c) for s in range(m)]
        out["filters"] = _filters(m, c, k, plates)
        out["output"] = _stack(c * m, n, lambda lv: lv // m, chosen)
    else:
        plates = [(s, i, i, True) for i in range(c) for s in range(m)]
        out["filters"] = _filters(m, c, k, plates)
        out["middle"] = _stack(c * m, n, lambda lv: lv // m, lambda lv, i, j: i == r and j == q)
        plates = [(j, i, i // m, j == oc) for j in range(o) for i in range(c * m)]
        out["filters2"] = _filters(o, c * m, 1, plates)
        out["output"] = _stack(o, n, lambda lv: NEUTRAL, chosen)
    return out


def paint(panel: dict, sprite: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The panel's ``(height, width, 4)`` RGBA: each cube's sprite stamped in order.

    The page stamps the cubes one by one in the scene's order. Here all cubes of one
    diagonal ``d = r + q`` are stamped at once, ``d`` rising: cubes of one ``d`` never
    overlap (nor do two slabs), and of two cubes that overlap the one stamped later in
    the page's order always has the larger ``d``, so every pixel ends the same.
    """
    idx = np.full((panel["height"], panel["width"]), len(palette) - 1, dtype=np.intp)
    rows, cols = np.nonzero(sprite)
    faces = sprite[rows, cols].astype(np.intp) - 1
    if panel["cubes"]:
        cubes = np.array(panel["cubes"], dtype=np.intp)
        for d in np.unique(cubes[:, 3]):
            x, y, base, _ = cubes[cubes[:, 3] == d].T
            idx[y[:, None] + rows, x[:, None] + cols] = base[:, None] + faces
    out = np.empty((*idx.shape, 4), dtype=np.uint8)
    out[..., :3] = palette[idx]
    out[..., 3] = 255
    return out


PANELS = ("input", "filters", "middle", "filters2", "output")


class VolumeView(Widget):
    """A convolution layer drawn as volumes: input, filters, output, and what one output
    value reads.

    Controls: ``kind`` (one of :data:`KINDS`), ``in_channels`` and ``out_channels``
    (1 to 8), ``multiplier`` (the depth multiplier M of the depth-wise and separable
    layers; ``C_in·M`` at most 8), ``g_index`` (the groups ``g`` of the grouped layer,
    as its place among the common divisors of ``C_in`` and ``C_out``; ``.set(groups=2)``
    moves it there, ``.state["groups"]`` is ``g``), ``kernel_size`` (1, 3 or 5; the
    point-wise layer is always 1x1), and the output value: ``out_channel``, ``row``,
    ``column``. The input is 6 x 6, no padding, stride 1.
    """

    CAPTION = (
        "Move the output row and column: the window slides over the input. Then change "
        "the kind: see which input channels each kind of filter reaches."
    )
    TEXT = {
        "title_input": "input\nC_in × H × W = {c} × {side} × {side}",
        "title_standard": "filters: C_out = {o},\neach a k×k×C_in = {k}×{k}×{c} box",
        "title_grouped": (
            "filters: C_out = {o}, groups g = {g},\neach a k×k×(C_in/g) = {k}×{k}×{per} box"
        ),
        "title_depthwise": "filters: C_in·M = {n},\neach a k×k×1 = {k}×{k}×1 plate",
        "title_pointwise": "filters: C_out = {o},\neach a 1×1×C_in = 1×1×{c} column",
        "title_dw_stage": "depth-wise stage:\nC_in·M = {n}, each a {k}×{k}×1 plate",
        "title_middle": "its output\nC_in·M × H_out × W_out = {n} × {h} × {h}",
        "title_pw_stage": "point-wise stage:\nC_out = {o}, each a 1×1×{n} column",
        "title_output": "output\nC_out × H_out × W_out = {o} × {h} × {h}",
        "title_counts": "the cost of this layer",
        "head_layer": "layer",
        "head_params": "parameters (no bias)",
        "head_macs": "multiply-adds (MACs)",
        "label_standard": "standard",
        "label_grouped": "grouped, g = {g}",
        "label_depthwise": "depth-wise, M = {m}",
        "label_pointwise": "point-wise",
        "label_dw_stage": "depth-wise stage",
        "label_pw_stage": "point-wise stage",
        "label_separable": "separable, in all",
        "channel_one": "channel {i}",
        "channel_span": "channels {first}–{last}",
        "row_one": "row {i}",
        "row_span": "rows {first}–{last}",
        "column_one": "column {i}",
        "column_span": "columns {first}–{last}",
        "lit_standard": (
            "Output channel {oc} at row {r}, column {q} is computed from input {channels}, "
            "{rows}, {columns}: one multiply-add per input value, {n} in all."
        ),
        "lit_grouped": (
            "Output channel {oc} at row {r}, column {q} is in group {group} (counting from 0) "
            "of g = {g}, so it is computed from its group's input {channels} only, {rows}, "
            "{columns}: one multiply-add per input value, {n} in all."
        ),
        "lit_depthwise": (
            "Output channel {oc} at row {r}, column {q} comes from filter {copy} of input "
            "channel {i} (M = {m} filters per channel) and is computed from input channel {i} "
            "only, {rows}, {columns}: one multiply-add per input value, {n} in all."
        ),
        "lit_pointwise": (
            "Output channel {oc} at row {r}, column {q} is computed from input {channels} at "
            "row {r}, column {q} only: one multiply-add per input value, {n} in all."
        ),
        "lit_separable": (
            "Output channel {oc} at row {r}, column {q} is computed from the C_in·M = {cm} "
            "depth-wise maps at row {r}, column {q}, one multiply-add each in the point-wise "
            "stage. Each of those values is computed from one input channel, {rows}, "
            "{columns}: one multiply-add per input value, k² = {kk} for each map, "
            "C_in·M·k² = {dw} in all, shared by every output channel. With the point-wise "
            "stage's C_in·M = {cm}, this value takes {dw} + {cm} = {total} multiply-adds, "
            "where a standard layer takes C_in·k² = {std}. Lit: input {channels}, {rows}, "
            "{columns}."
        ),
        "params_standard": "Parameters: C_in·C_out·k² = {c}·{o}·{k}² = {p}.",
        "params_grouped": (
            "Parameters: (C_in/g)·C_out·k² = ({c}/{g})·{o}·{k}² = {p}, where a standard "
            "layer has {std}."
        ),
        "params_depthwise": "Parameters: C_in·M·k² = {c}·{m}·{k}² = {p}.",
        "params_pointwise": "Parameters: C_in·C_out = {c}·{o} = {p}.",
        "params_separable": (
            "Parameters: C_in·M·k² + C_in·M·C_out = {c}·{m}·{k}² + {c}·{m}·{o} = {p1} + {p2} = {p}."
        ),
        "macs": "Multiply-adds: parameters × H_out·W_out = {p} × {h}·{h} = {macs}.",
        "setting": (
            "No padding, stride 1: the {side}×{side} input gives a {h}×{h} output. Full "
            "colour: the output value chosen, the filter that computes it and the input "
            "cells it reads; pale: the rest. One colour per input channel."
        ),
    }

    def __init__(self):
        controls = [
            {"name": "kind", "label": "kind of layer", "kind": "select",
             "options": list(KINDS), "row": 0},
            {"name": "in_channels", "label": "input channels C_in", "kind": "range",
             "min": 1, "max": MAX_CHANNELS, "step": 1, "row": 0},
            {"name": "out_channels", "label": "output channels C_out", "kind": "range",
             "min": 1, "max": MAX_CHANNELS, "step": 1, "row": 0},
            {"name": "multiplier", "label": "depth multiplier M", "kind": "range",
             "min": 1, "max": MAX_MULTIPLIER, "step": 1, "row": 1},
            {"name": "g_index", "label": "groups g", "kind": "range", "min": 0,
             "max": len(divisors(4)) - 1, "step": 1, "labels": [str(d) for d in divisors(4)],
             "row": 1},
            {"name": "kernel_size", "label": "kernel k", "kind": "range", "min": 1, "max": 5,
             "step": 2, "labels": [f"{k}×{k}" for k in KERNEL_SIZES], "row": 1},
            {"name": "out_channel", "label": "output channel", "kind": "range", "min": 0,
             "max": MAX_CHANNELS - 1, "step": 1, "row": 2},
            {"name": "row", "label": "output row", "kind": "range", "min": 0,
             "max": SIDE - 1, "step": 1, "row": 2},
            {"name": "column", "label": "output column", "kind": "range", "min": 0,
             "max": SIDE - 1, "step": 1, "row": 2},
        ]  # fmt: skip
        state = {"kind": "standard", "in_channels": 4, "out_channels": 4, "multiplier": 1,
                 "g_index": 0, "kernel_size": 3, "out_channel": 0, "row": 1,
                 "column": 1}  # fmt: skip
        super().__init__(
            controls=controls,
            arrays={"palette": PALETTE, "sprite": SPRITE},
            state=state,
            meta={
                "side": SIDE,
                "max_channels": MAX_CHANNELS,
                "max_multiplier": MAX_MULTIPLIER,
                "geometry": GEOMETRY,
                "neutral": NEUTRAL,
            },  # fmt: skip
        )

    # ---- state ----------------------------------------------------------------------
    def limits(self, state, name):
        c = state["in_channels"]
        if name == "multiplier":
            return 1, min(MAX_MULTIPLIER, MAX_CHANNELS // c)
        if name == "g_index":
            return 0, len(divisors(math.gcd(c, state["out_channels"]))) - 1
        if name in ("row", "column"):
            return 0, _out_side(state) - 1
        if name == "out_channel":
            return 0, _outputs(state) - 1
        return super().limits(state, name)

    ALIASES = ("groups",)

    def alias(self, name: str, value, state: dict) -> tuple:
        """``set(groups=g)`` (a divisor of both channel counts) moves ``g_index`` to g."""
        c, o = state["in_channels"], state["out_channels"]
        where = f"in_channels = {c} and out_channels = {o}"
        return "g_index", group_index(value, divisors(math.gcd(c, o)), where)

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: M keeps ``C_in·M <= 8``; new channel
        counts keep ``g`` if it still divides both, else take the largest divisor below
        it; the output value stays inside the output."""
        s = dict(state)
        s["multiplier"] = min(s["multiplier"], MAX_MULTIPLIER, MAX_CHANNELS // s["in_channels"])
        options = divisors(math.gcd(s["in_channels"], s["out_channels"]))
        if changed in ("in_channels", "out_channels"):
            s["g_index"] = kept_group(s.get("groups", 1), options)
        s["g_index"] = min(s["g_index"], len(options) - 1)
        s["groups"] = options[s["g_index"]]
        top = _out_side(s) - 1
        s["row"] = min(s["row"], top)
        s["column"] = min(s["column"], top)
        s["out_channel"] = min(s["out_channel"], _outputs(s) - 1)
        return s

    # ---- the numbers ----------------------------------------------------------------
    def counts(self, state: dict | None = None) -> tuple:
        """``(params, macs, stages)`` for ``state`` (default: now); see :func:`counts`."""
        return counts(self.values if state is None else state)

    def lit(self, state: dict | None = None) -> np.ndarray:
        """The input cells the chosen output value reads; see :func:`receptive_field`."""
        return receptive_field(self.values if state is None else state)

    # ---- what is shown --------------------------------------------------------------
    def _span(self, what: str, first: int, last: int) -> str:
        if first == last:
            return fill_template(self.TEXT[f"{what}_one"], i=str(first))
        return fill_template(self.TEXT[f"{what}_span"], first=str(first), last=str(last))

    def figure(self, state: dict | None = None):
        """The PNG fallback: the pictures side by side, the table under them across the
        width, then the texts (the base's layout squeezes the table into one cell)."""
        v = self.view(state)
        pictures = [p for p in v["panels"] if "rgba" in p and not p.get("hidden")]
        table = v["panels"][-1]
        lines = text_lines(v["texts"].values())
        text_height = 0.2 * len(lines) + 0.2
        fig = new_figure(4.6 + 0.25 * len(table["cells"]) + text_height)
        grid = fig.add_gridspec(2, len(pictures), height_ratios=[4, 0.35 * len(table["cells"])])
        for i, panel in enumerate(pictures):
            ax = fig.add_subplot(grid[0, i])
            ax.set_axis_off()
            ax.set_title(panel["title"], fontsize=7 if len(pictures) <= 3 else 5.5)
            ax.imshow(panel["rgba"], interpolation="nearest")
        ax = fig.add_subplot(grid[1, :])
        ax.set_axis_off()
        ax.set_title(table["title"], fontsize=8)
        draw_table(ax, table["cells"], col_widths=[0.3, 0.2, 0.3])
        bottom = text_height / fig.get_figheight()
        fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=bottom + 0.02, hspace=0.5)
        draw_texts(fig, lines, bottom)
        return fig

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        t = self.meta["text"]
        kind, c, o = s["kind"], s["in_channels"], s["out_channels"]
        m, g = s["multiplier"], s["groups"]
        k = 1 if kind == "pointwise" else s["kernel_size"]
        n = SIDE - k + 1
        r, q, oc = s["row"], s["column"], s["out_channel"]
        cm = c * m
        params, macs, stages = counts(s)
        pictures = scene(s)
        sprite, palette = self.data["sprite"], self.data["palette"]
        f = format_count
        titles = {
            "input": fill_template(t["title_input"], c=f(c), side=f(SIDE)),
            "output": fill_template(t["title_output"], o=f(_outputs(s)), h=f(n)),
        }
        if kind == "separable":
            titles["filters"] = fill_template(t["title_dw_stage"], n=f(cm), k=f(k))
            titles["middle"] = fill_template(t["title_middle"], n=f(cm), h=f(n))
            titles["filters2"] = fill_template(t["title_pw_stage"], o=f(o), n=f(cm))
        else:
            titles["filters"] = fill_template(
                t[f"title_{kind}"], o=f(o), c=f(c), k=f(k), per=f(c // g), g=f(g), n=f(cm)
            )
        panels = []
        for name in PANELS:
            if name not in pictures:
                panels.append({"name": name, "title": "", "hidden": True})
                continue
            panels.append(
                {
                    "name": name,
                    "title": titles[name],
                    "rgba": paint(pictures[name], sprite, palette),
                    "scale": 1,
                }
            )
        plain = {"bg": "#ffffff", "fg": "#000000"}
        cells = [[{"text": t[h], **plain} for h in ("head_layer", "head_params", "head_macs")]]
        if kind == "separable":
            labels = [t["label_dw_stage"], t["label_pw_stage"]]
            for label, (p_i, m_i) in zip(labels, stages, strict=True):
                cells.append([{"text": x, **plain} for x in (label, f(p_i), f(m_i))])
            label = t["label_separable"]
        else:
            label = fill_template(t[f"label_{kind}"], g=f(g), m=f(m))
        cells.append([{"text": x, "em": True, **plain} for x in (label, f(params), f(macs))])
        panels.append(
            {"name": "counts", "kind": "table", "row": 1, "title": t["title_counts"],
             "cells": cells}
        )  # fmt: skip
        lit = receptive_field(s)
        channels = [i for i in range(c) if lit[i].any()]
        span = {
            "channels": self._span("channel", channels[0], channels[-1]),
            "rows": self._span("row", r, r + k - 1),
            "columns": self._span("column", q, q + k - 1),
        }
        slots = {"oc": f(oc), "r": f(r), "q": f(q), "n": f(int(lit.sum())), **span}
        if kind == "grouped":
            slots.update(group=f(oc // (o // g)), g=f(g))
        elif kind == "depthwise":
            slots.update(copy=f(oc % m), i=f(oc // m), m=f(m))
        elif kind == "separable":
            del slots["n"]
            slots.update(
                cm=f(cm), kk=f(k * k), dw=f(cm * k * k), total=f(cm * k * k + cm), std=f(c * k * k)
            )
        formula = {"c": f(c), "o": f(o), "k": f(k), "g": f(g), "m": f(m), "p": f(params)}
        if kind == "grouped":
            formula["std"] = f(c * o * k * k)
        if kind == "separable":
            formula.update(p1=f(stages[0][0]), p2=f(stages[1][0]))
        texts = {
            "lit": fill_template(t[f"lit_{kind}"], **slots),
            "params": fill_template(t[f"params_{kind}"], **formula),
            "macs": fill_template(t["macs"], p=f(params), h=f(n), macs=f(macs)),
            "setting": fill_template(t["setting"], side=f(SIDE), h=f(n)),
        }
        return {"panels": panels, "texts": texts}
