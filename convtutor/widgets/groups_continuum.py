"""From standard to depth-wise convolution through the groups between: :class:`GroupsContinuum`.

A convolution with ``groups = g`` splits its ``C`` input and ``C`` output channels into
``g`` groups that do not see each other. Its weight, written as a ``C_out x C_in`` grid
of ``k x k`` kernels, is block-diagonal: ``g`` blocks of ``C/g x C/g`` kernels, zeros
elsewhere. ``g = 1`` is a standard convolution, ``g = C`` a depth-wise one. PyTorch
stores only the blocks: a weight of shape ``(C_out, C_in/g, k, k)``, and
``C_in C_out k^2 / g`` numbers.

The page draws the grid, the counts and the table itself (``static/groups_continuum.js``):
a few products and rectangles. :meth:`GroupsContinuum.view` mirrors it, and the tests hold
the counts equal to :func:`convtutor.conv_cost` and to PyTorch's layers for every setting.
What cannot be a formula -- that ``ct.conv2d(x, w, groups=g)`` is what PyTorch computes,
and how many parameters PyTorch's layer has -- is computed here, once, for every
``C``, ``g`` and ``k`` the controls offer (:func:`torch_checks`), and shipped to the page.
The package carries those checks, computed (:data:`SHIPPED_CHECKS`, recomputed and compared
by the tests), so that building the widget needs no PyTorch: the kernel stays light.
"""

from __future__ import annotations

import functools
import json
import numbers
from pathlib import Path

import numpy as np

from ..conv import conv2d
from ..cost import conv_cost
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
    "GroupsContinuum",
    "CHANNEL_CHOICES",
    "KERNEL_SIZES",
    "SIZE_CHOICES",
    "divisors",
    "counts",
    "torch_checks",
    "grid_picture",
    "bars_picture",
    "PALETTE",
]

#: The channel counts C (= C_in = C_out) on the menu: each has several divisors.
CHANNEL_CHOICES = (6, 8, 12, 16)
#: The kernel sizes k on the slider.
KERNEL_SIZES = (1, 3, 5, 7)
#: The input sizes H (= W) on the menu: MobileNet's feature-map sizes.
SIZE_CHOICES = (7, 14, 28, 56, 112, 224)

#: The input of the PyTorch check: one seeded image of C channels, CHECK_SIZE square.
CHECK_SIZE = 8
CHECK_SEED = 0
#: :func:`torch_checks`, computed and shipped with the package (written by
#: ``python -m convtutor.widgets.groups_continuum``; the tests recompute it and compare).
SHIPPED_CHECKS = Path(__file__).parent / "static" / "groups_torch_checks.json"

# The weight grid: C x C cells of GRID_SIDE // C pixels, a 1-pixel line between cells.
GRID_SIDE = 288
# The bar chart: one bar per divisor, left to right, the standard layer's the tallest.
BAR_PAD = 8
BAR_SLOT = 44
BAR_WIDTH = 30
BAR_MAX = 160

#: Paint colours (Okabe-Ito blue and orange, told apart with the common colour-vision
#: deficiencies): white, cell line, frame, group colours, other bars, the current bar.
_COLOURS = {
    "white": "#ffffff",
    "line": "#c8c8c8",
    "frame": "#444444",
    "blue": "#0072b2",
    "orange": "#e69f00",
    "bar": "#bbbbbb",
    "current": "#0072b2",
}
PALETTE = np.array(
    [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in _COLOURS.values()], dtype=np.uint8
)
_INDEX = {name: i for i, name in enumerate(_COLOURS)}

# Table cells: the header column, the current g's column, the others.
_HEADER_BG = "#eeeeee"
_CURRENT_BG = "#cce3f2"
_PLAIN_BG = "#ffffff"


def counts(c: int, g: int, k: int, size: int) -> tuple:
    """``(weights, macs, standard)``, what the page's ``counts`` evaluates, from
    :func:`convtutor.conv_cost` (which has no ``groups``: a layer of ``g`` groups is ``g``
    standard layers of ``C/g`` channels).

    ``weights = C_in C_out k^2 / g`` with ``C_in = C_out = c``; ``macs`` is that times the
    ``size x size`` output ("same" padding, stride 1); ``standard`` is the weights of the
    same layer with ``g = 1``.

    >>> counts(12, 4, 3, 56)
    (324, 1016064, 1296)
    """
    part = conv_cost("standard", c // g, c // g, k, size, padding="same")
    standard = conv_cost("standard", c, c, k).params
    return g * part.params, g * part.macs, standard


def _text_exponent(x: float) -> str:
    """A small non-negative number as ``4.4e-16`` (or ``0``), for the check line."""
    if x == 0:
        return "0"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


@functools.lru_cache(maxsize=1)
def torch_checks() -> dict:
    """``ct.conv2d`` against PyTorch for every ``C``, ``g`` and ``k`` the controls offer.

    For each ``C`` one seeded input ``x`` of shape ``(1, C, 8, 8)``; for each ``g`` and
    ``k`` a seeded weight ``w`` of shape ``(C, C/g, k, k)`` (float64). Key ``"C/g/k"``:

    * ``max_diff``: ``max |ct.conv2d(x, w, groups=g, padding="same") -
      torch.nn.functional.conv2d(x, w, groups=g, padding="same")|``;
    * ``diff_text``: that number as the page prints it;
    * ``torch_params``: ``sum(p.numel() for p in torch.nn.Conv2d(C, C, k, groups=g,
      bias=False).parameters())``;
    * ``weight_shape``: the shape of that layer's weight, as PyTorch gives it.

    torch is imported here, not when convtutor is imported.
    """
    import torch  # heavy: imported only when a widget is built

    rng = np.random.default_rng(CHECK_SEED)
    out = {}
    for c in CHANNEL_CHOICES:
        x = rng.standard_normal((1, c, CHECK_SIZE, CHECK_SIZE))
        for g in divisors(c):
            for k in KERNEL_SIZES:
                w = rng.standard_normal((c, c // g, k, k))
                ours = conv2d(x, w, groups=g, padding="same")
                theirs = torch.nn.functional.conv2d(
                    torch.from_numpy(x), torch.from_numpy(w), groups=g, padding="same"
                ).numpy()
                diff = float(np.max(np.abs(ours - theirs)))
                layer = torch.nn.Conv2d(c, c, k, groups=g, bias=False, device="meta")
                out[f"{c}/{g}/{k}"] = {
                    "max_diff": diff,
                    "diff_text": _text_exponent(diff),
                    "torch_params": int(sum(p.numel() for p in layer.parameters())),
                    "weight_shape": list(layer.weight.shape),
                }
    return out


def shipped_torch_checks() -> dict:
    """:func:`torch_checks` as shipped in :data:`SHIPPED_CHECKS` (no PyTorch needed)."""
    return json.loads(SHIPPED_CHECKS.read_text(encoding="utf-8"))


# ---- the pictures (mirrors of gridPicture and barsPicture in the module) ---------------
def grid_picture(c: int, g: int, palette: np.ndarray) -> np.ndarray:
    """The ``C_out x C_in`` grid of kernels as RGBA: group blocks coloured, zeros white.

    Cell ``(o, i)`` (row ``o``, column ``i``) covers pixels ``o * cell + 1 ... (o + 1) *
    cell - 1`` down and ``i * cell + 1 ... (i + 1) * cell - 1`` across, ``cell = 288 // C``;
    the lines between cells are light grey, the frame dark. Cell ``(o, i)`` is coloured
    when ``o`` and ``i`` are in the same group, ``o // (C/g) == i // (C/g)``: blue for even
    groups, orange for odd ones.
    """
    cell = GRID_SIDE // c
    side = c * cell + 1
    idx = np.full((side, side), _INDEX["white"], dtype=np.intp)
    for j in range(c + 1):
        idx[j * cell, :] = _INDEX["line"]
        idx[:, j * cell] = _INDEX["line"]
    for j in (0, c):
        idx[j * cell, :] = _INDEX["frame"]
        idx[:, j * cell] = _INDEX["frame"]
    per = c // g
    for o in range(c):
        for i in range(c):
            group = o // per
            if group == i // per:
                colour = _INDEX["blue"] if group % 2 == 0 else _INDEX["orange"]
                idx[o * cell + 1 : (o + 1) * cell, i * cell + 1 : (i + 1) * cell] = colour
    return _rgba(idx, palette)


def bars_picture(values: list, current: int, palette: np.ndarray) -> np.ndarray:
    """One bar per value, left to right, the largest ``BAR_MAX`` pixels tall.

    Bar ``j`` is ``max(1, floor(BAR_MAX * v_j / max(v)))`` pixels tall, ``BAR_WIDTH``
    wide, from ``x = BAR_PAD + j * BAR_SLOT``, standing on a dark axis; bar ``current`` is
    blue, the others grey.
    """
    n = len(values)
    width = 2 * BAR_PAD + (n - 1) * BAR_SLOT + BAR_WIDTH
    height = 2 * BAR_PAD + BAR_MAX + 1
    axis = BAR_PAD + BAR_MAX
    top = max(values)
    idx = np.full((height, width), _INDEX["white"], dtype=np.intp)
    idx[axis, :] = _INDEX["frame"]
    for j, v in enumerate(values):
        h = max(1, (BAR_MAX * v) // top)
        x0 = BAR_PAD + j * BAR_SLOT
        idx[axis - h : axis, x0 : x0 + BAR_WIDTH] = (
            _INDEX["current"] if j == current else _INDEX["bar"]
        )
    return _rgba(idx, palette)


def _rgba(idx: np.ndarray, palette: np.ndarray) -> np.ndarray:
    out = np.empty((*idx.shape, 4), dtype=np.uint8)
    out[..., :3] = palette[idx]
    out[..., 3] = 255
    return out


def _kind_text(c: int, g: int) -> str:
    words = GroupsContinuum.TEXT
    if g == 1:
        return fill_template(words["kind_standard"], c=str(c))
    if g == c:
        return fill_template(words["kind_depthwise"], c=str(c))
    return fill_template(words["kind_grouped"], c=str(c), g=str(g), per=str(c // g))


class GroupsContinuum(Widget):
    """Grouped convolution, from standard (``g = 1``) to depth-wise (``g = C``).

    ``C`` input and ``C`` output channels split into ``g`` groups; each output channel
    sees only the ``C/g`` input channels of its group. The weight, drawn as a
    ``C_out x C_in`` grid of ``k x k`` kernels, is block-diagonal; PyTorch stores it as
    ``(C_out, C_in/g, k, k)``: ``C_in C_out k^2 / g`` numbers, and as many MACs per output
    pixel.

    Parameters
    ----------
    channels : one of :data:`CHANNEL_CHOICES`, default 12
        ``C = C_in = C_out``.
    groups : a divisor of ``channels``, default 1
    kernel_size : one of :data:`KERNEL_SIZES`, default 3
    size : one of :data:`SIZE_CHOICES`, default 56
        The input's height and width ("same" padding, stride 1: the output's too).

    Controls
    --------
    g_index : the position of ``g`` among the divisors of ``C`` (0: ``g = 1``, the last:
        ``g = C``). ``.set(groups=4)`` moves it to ``g = 4``; ``.state["groups"]`` is ``g``.
    channels, kernel_size, size : as above.
    """

    CAPTION = (
        "Move g from 1 to C: the blocks shrink along the diagonal, and the weights and "
        "MACs fall to 1/g of a standard layer's. Change k and C, and watch the shape."
    )
    TEXT = {
        "grid_title": "the weight as a {c} × {c} grid: row = output channel, column = input "
        "channel\ncoloured: a {k}×{k} kernel ({blocks}); white: always 0",
        "block": "{g} block of {per} × {per}",
        "blocks": "{g} blocks of {per} × {per}",
        "bars_title": "weights for g = {options}\n(left to right; g = {g} in blue)",
        "table_title": "every g for C = {c}, k = {k}, a {size}×{size} input (g = {g} outlined)",
        "row_g": "g",
        "row_shape": "weight shape",
        "row_weights": "weights",
        "row_macs": "MACs",
        "kind_standard": "g = 1: a standard convolution. Each of the {c} filters sees all {c} "
        "input channels.",
        "kind_depthwise": "g = C = {c}: a depth-wise convolution. Each filter sees only its own "
        "input channel.",
        "kind_grouped": "g = {g}: a grouped convolution, between the two. The {c} channels split "
        "into {g} groups of {per}; each filter sees only the {per} input channels of its group.",
        "shape": "PyTorch's weight shape: (C_out, C_in/g, k, k) = ({c}, {per}, {k}, {k}).",
        "weights": "Weights: C_in·C_out·k²/g = {c}·{c}·{kk}/1 = {weights}.",
        "weights_grouped": "Weights: C_in·C_out·k²/g = {c}·{c}·{kk}/{g} = {weights}, 1/{g} of "
        "the standard layer's {standard}.",
        "macs": 'MACs for a {size}×{size} input (padding "same", stride 1, so a {c}×{size}×{size} '
        "output): {weights} × {size}·{size} = {macs}.",
        "check": "Checked in Python: torch.nn.Conv2d({c}, {c}, {k}, groups={g}, bias=False) has "
        "{params} parameters, {agree}; on a seeded 1×{c}×{n}×{n} input, ct.conv2d and "
        'torch.nn.functional.conv2d (groups={g}, padding "same") {same}.',
        "agree": "the number counted above",
        "disagree": "NOT the number counted above",
        "same": "agree exactly",
        "differ": "differ by at most {diff} (float64 rounding)",
        "say_group": "{g} group",
        "say_groups": "{g} groups",
    }

    def __init__(self, channels: int = 12, groups: int = 1, kernel_size: int = 3, size: int = 56):
        checks = shipped_torch_checks()
        controls = [
            {"name": "g_index", "label": "groups g", "kind": "range", "min": 0,
             "max": len(divisors(12)) - 1, "step": 1, "row": 0},
            {"name": "kernel_size", "label": "kernel k", "kind": "range", "min": 1, "max": 7,
             "step": 2, "labels": [f"{k}×{k}" for k in KERNEL_SIZES], "row": 0},
            {"name": "channels", "label": "channels C = C_in = C_out", "kind": "select",
             "options": list(CHANNEL_CHOICES), "row": 1},
            {"name": "size", "label": "input H = W", "kind": "select",
             "options": list(SIZE_CHOICES), "row": 1},
        ]  # fmt: skip
        state = {"g_index": 0, "kernel_size": 3, "channels": 12, "size": 56}
        super().__init__(
            controls=controls,
            arrays={"palette": PALETTE},
            state=state,
            meta={
                "divisors": {str(c): divisors(c) for c in CHANNEL_CHOICES},
                "checks": checks,
                "check_size": CHECK_SIZE,
                "colours": _INDEX,
                "grid_side": GRID_SIDE,
                "bars": {"pad": BAR_PAD, "slot": BAR_SLOT, "width": BAR_WIDTH,
                         "max": BAR_MAX},
                "table_bg": {"header": _HEADER_BG, "current": _CURRENT_BG,
                             "plain": _PLAIN_BG},
            },
        )  # fmt: skip
        self.set(channels=channels, groups=groups, kernel_size=kernel_size, size=size)

    # ---- state ----------------------------------------------------------------------
    def limits(self, state, name):
        if name == "g_index":
            return 0, len(self.meta["divisors"][str(state["channels"])]) - 1
        return super().limits(state, name)

    def check_value(self, name: str, value, state: dict | None = None):
        """As :meth:`Widget.check_value`; menus of numbers take whole numbers, not text."""
        if name in ("channels", "size") and (
            isinstance(value, bool) or not isinstance(value, numbers.Integral)
        ):
            options = ", ".join(map(str, self._specs[name]["options"]))
            raise TypeError(
                f"{name} must be a whole number, one of {options}; "
                f"got {type(value).__name__} {value!r}"
            )
        if name == "kernel_size" and (
            isinstance(value, bool)
            or not isinstance(value, numbers.Integral)
            or value not in KERNEL_SIZES
        ):
            error = TypeError if not isinstance(value, numbers.Real) else ValueError
            raise error(f"kernel_size must be 1, 3, 5 or 7; got {value!r}")
        value = super().check_value(name, value, state)
        return int(value) if name in ("channels", "size") else value

    ALIASES = ("groups",)

    def alias(self, name: str, value, state: dict) -> tuple:
        """``set(groups=g)`` (a divisor of the channels) moves the ``g_index`` slider to g."""
        c = state["channels"]
        return "g_index", group_index(value, self.meta["divisors"][str(c)], f"channels = {c}")

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``.

        A new ``C`` keeps ``g`` if it divides ``C``, else takes the largest divisor below
        it; ``groups`` is always the divisor ``g_index`` points at.
        """
        s = dict(state)
        options = self.meta["divisors"][str(s["channels"])]
        if changed == "channels":
            s["g_index"] = kept_group(s.get("groups", 1), options)
        s["g_index"] = min(s["g_index"], len(options) - 1)
        s["groups"] = options[s["g_index"]]
        return s

    # ---- the numbers --------------------------------------------------------------
    @property
    def groups(self) -> int:
        """``g`` now."""
        return self.values["groups"]

    def counts(self, state: dict | None = None) -> tuple:
        """``(weights, macs, standard)`` for ``state`` (default: now); see :func:`counts`."""
        s = self.values if state is None else state
        return counts(s["channels"], s["groups"], s["kernel_size"], s["size"])

    def check(self, state: dict | None = None) -> dict:
        """The PyTorch check of ``state`` (default: now); see :func:`torch_checks`."""
        s = self.values if state is None else state
        return self.meta["checks"][f"{s['channels']}/{s['groups']}/{s['kernel_size']}"]

    def mask(self, state: dict | None = None) -> np.ndarray:
        """The ``C_out x C_in`` cells the grid colours (True: a kernel, False: zeros).

        Read back from the picture :meth:`view` draws, at each cell's centre.
        """
        s = self.values if state is None else state
        c = s["channels"]
        cell = GRID_SIDE // c
        rgba = self.frames(s)["grid"]
        centres = np.arange(c) * cell + cell // 2
        colours = rgba[np.ix_(centres, centres)][..., :3]
        return ~(colours == PALETTE[_INDEX["white"]]).all(axis=-1)

    # ---- what is shown --------------------------------------------------------------
    def figure(self, state: dict | None = None):
        """The PNG fallback: the grid and the bars side by side, the table under them
        across the whole width, then the texts (the base's layout squeezes a wide table)."""
        v = self.view(state)
        grid, bars, table = v["panels"]
        lines = text_lines(v["texts"].values())
        text_height = 0.2 * len(lines) + 0.2
        fig = new_figure(5.6 + text_height)
        spec = fig.add_gridspec(2, 2, height_ratios=[3.4, 1.4], hspace=0.45, wspace=0.15)
        for where, panel in ((spec[0, 0], grid), (spec[0, 1], bars)):
            ax = fig.add_subplot(where)
            ax.set_axis_off()
            ax.set_title("\n".join(text_lines([panel["title"]], 60)), fontsize=8)
            ax.imshow(panel["rgba"], interpolation="nearest")
        ax = fig.add_subplot(spec[1, :])
        ax.set_axis_off()
        ax.set_title(table["title"], fontsize=8)
        draw_table(ax, table["cells"])
        bottom = text_height / fig.get_figheight()
        fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=bottom + 0.02)
        draw_texts(fig, lines, bottom)
        return fig

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta = self.meta
        palette = self.data["palette"]
        c, g, k, size = s["channels"], s["groups"], s["kernel_size"], s["size"]
        options = meta["divisors"][str(c)]
        weights, macs, standard = counts(c, g, k, size)
        per = c // g
        words = self.TEXT
        c_, g_, k_, size_ = str(c), str(g), str(k), str(size)
        blocks = fill_template(words["blocks" if g > 1 else "block"], g=g_, per=str(per))
        panels = [
            {
                "name": "grid",
                "title": fill_template(words["grid_title"], c=c_, k=k_, blocks=blocks),
                "rgba": grid_picture(c, g, palette),
                "scale": 1,
            }
        ]
        all_weights = [counts(c, d, k, size)[0] for d in options]
        panels.append(
            {
                "name": "bars",
                "title": fill_template(
                    words["bars_title"], options=", ".join(map(str, options)), g=g_
                ),
                "rgba": bars_picture(all_weights, s["g_index"], palette),
                "scale": 1,
            }
        )
        bg = meta["table_bg"]
        header = {"bg": bg["header"], "fg": "#000000"}
        rows = [[{"text": words[key], **header}]
                for key in ("row_g", "row_shape", "row_weights", "row_macs")]  # fmt: skip
        for j, d in enumerate(options):
            w_d, m_d, _ = counts(c, d, k, size)
            cell = {"bg": bg["current"] if j == s["g_index"] else bg["plain"], "fg": "#000000"}
            if j == s["g_index"]:
                cell["em"] = True
            texts = [str(d), f"({c}, {c // d}, {k}, {k})", format_count(w_d), format_count(m_d)]
            for row, text in zip(rows, texts, strict=True):
                row.append({"text": text, **cell})
        panels.append(
            {
                "name": "table",
                "kind": "table",
                "row": 1,
                "title": fill_template(words["table_title"], c=c_, k=k_, size=size_, g=g_),
                "cells": rows,
            }
        )
        check = meta["checks"][f"{c}/{g}/{k}"]
        weights_text = fill_template(
            words["weights" if g == 1 else "weights_grouped"], c=c_, kk=str(k * k), g=g_,
            weights=format_count(weights), standard=format_count(standard),
        )  # fmt: skip
        diff = check["diff_text"]
        texts = {
            "kind": _kind_text(c, g),
            "shape": fill_template(words["shape"], c=c_, per=str(per), k=k_),
            "weights": weights_text,
            "macs": fill_template(
                words["macs"], size=size_, c=c_, weights=format_count(weights),
                macs=format_count(macs),
            ),
            "check": fill_template(
                words["check"], c=c_, k=k_, g=g_, params=format_count(check["torch_params"]),
                agree=words["agree" if check["torch_params"] == weights else "disagree"],
                n=str(meta["check_size"]),
                same=words["same"] if diff == "0" else fill_template(words["differ"], diff=diff),
            ),
        }  # fmt: skip
        return {"panels": panels, "texts": texts}


if __name__ == "__main__":  # python -m convtutor.widgets.groups_continuum: write SHIPPED_CHECKS
    SHIPPED_CHECKS.write_text(json.dumps(torch_checks(), indent=0) + "\n", encoding="utf-8")
