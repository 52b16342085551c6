"""Depth-wise convolution, one channel at a time: :class:`ChannelFilter` and :class:`Stacking`.

* :class:`ChannelFilter` filters each channel of the photo with its own kernel and
  shows all three at once: input channel ``c`` ⋆ kernel ``c`` = output ``c``. Change
  one channel's kernel and only that channel's output changes.
* :class:`Stacking` puts the per-channel outputs back together into a ``(C*M, H, W)``
  tensor, drawn slice by slice and as one picture, for a depth multiplier ``M`` of 1
  to 3.

Both use no padding, so a ``k x k`` kernel makes each output ``k - 1`` pixels
smaller than its input; the canvases show the true sizes. Every map is computed once,
here, with ``ct.depthwise_conv2d``; the pages (``static/channel_filter.js``,
``static/stacking.js``) only pick maps and colour them, and :meth:`ChannelFilter.view`
and :meth:`Stacking.view` mirror them.
"""

from __future__ import annotations

import numpy as np

import convtutor as ct

from ..viz.images import CHANNEL_COLORS, CHANNEL_NAMES
from ._base import (
    Widget,
    correlated,
    draw_table,
    draw_texts,
    format_number,
    lut,
    map_values,
    new_figure,
    rgb_planes,
    symmetric_limit,
    table_cells,
    text_lines,
)
from ._photo import photo as _photo

__all__ = ["ChannelFilter", "Stacking", "KERNEL_SETS", "LAYER_KERNELS"]

#: The kernel size of :class:`ChannelFilter`'s layer: one for all channels.
LAYER_KERNEL_SIZE = 3

#: The kernels :class:`ChannelFilter` offers each channel: every named kernel of the
#: layer's size, in menu order.
LAYER_KERNELS = tuple(n for n, k in ct.kernels.NAMED.items() if k.shape == (LAYER_KERNEL_SIZE,) * 2)

#: Kernel choices for :class:`Stacking`: kernel ``m`` of a set is the ``m``-th kernel
#: given to every channel (all of one size, so the outputs stack into one tensor).
KERNEL_SETS = {
    "edges: Sobel x, Sobel y, Laplacian": ("Sobel x", "Sobel y", "Laplacian"),
    "blur, sharpen, identity": ("box blur 3x3", "sharpen", "identity"),
    "Prewitt x, Scharr x, Prewitt y": ("Prewitt x", "Scharr x", "Prewitt y"),
}

#: How wide (CSS pixels) a photo-sized canvas is drawn: readable on a projector, and
#: three panels and a kernel table fit the 840 px the widgets may use.
PHOTO_PX = 144


def _scale(width: int, px: float = PHOTO_PX) -> float:
    """The CSS scale that draws a ``width``-pixel-wide map ``px`` pixels wide."""
    return round(px / width, 4)


def _size(h: int, w: int) -> str:
    return f"{h}×{w}"


class ChannelFilter(Widget):
    """Depth-wise filtering: each channel of the photo through its own kernel.

    One depth-wise layer, ``Conv2d(3, 3, 3, groups=3)``: all three channels are shown,
    one row each, input channel ``c`` ⋆ kernel ``c`` = output ``c``. The layer has one
    kernel size, :attr:`KERNEL_SIZE` (3×3), so every output has the same size; what
    each channel gets is its own kernel, chosen from :data:`LAYER_KERNELS` with its
    menu. The slider picks the channel to follow, whose row is outlined in its colour.
    Output ``c`` is channel ``c`` of ``ct.depthwise_conv2d`` (no padding), so it is
    ``k - 1`` pixels smaller than its input.

    Parameters
    ----------
    image : optional
        The photo: anything :func:`convtutor.widgets._photo.photo` takes (an array,
        a path, bytes, a file, a PIL image); default the sample photo at ``size`` pixels.
    size : int, default 96
    kernels : sequence of 3 str, default ("Sobel x", "Sobel y", "box blur 3x3")
        Starting kernel of each channel, names from :data:`LAYER_KERNELS`.

    Controls
    --------
    channel : 0, 1, 2 (shown as red, green, blue): the channel followed
    kernel_0, kernel_1, kernel_2 : names from :data:`LAYER_KERNELS`
    """

    MODULE = "channel_filter"
    PHOTO = True
    CAPTION = (
        "Give each channel its own kernel with the menus: only that channel's output "
        "changes. The slider picks the channel to follow; its row is outlined."
    )
    #: The layer's kernel size: one for all channels, as in any depth-wise layer.
    KERNEL_SIZE = LAYER_KERNEL_SIZE

    def __init__(
        self, image=None, *, size: int = 96, kernels=("Sobel x", "Sobel y", "box blur 3x3")
    ):
        names = list(LAYER_KERNELS)
        k = self.KERNEL_SIZE
        if isinstance(kernels, str) or not hasattr(kernels, "__iter__"):
            raise TypeError(
                f"kernels must be a sequence of 3 names of {k}×{k} kernels; "
                f"got {type(kernels).__name__} {kernels!r}"
            )
        kernels = list(kernels)
        if len(kernels) != 3 or any(not isinstance(n, str) or n not in names for n in kernels):
            other = [n for n in kernels if isinstance(n, str) and n in ct.kernels.NAMED]
            other = [n for n in other if n not in names]
            why = (
                f" ({', '.join(map(repr, other))} is not {k}×{k}: a depth-wise layer has "
                "one kernel size)"
                if other
                else ""
            )
            raise ValueError(
                f"kernels must be 3 names of {k}×{k} kernels ({', '.join(names)}); "
                f"got {kernels!r}{why}"
            )
        #: The photo, float64 ``(3, H, W)`` (the page gets it as float32).
        self.image = _photo(image, size)
        h, w = self.image.shape[1:]
        ho, wo = h - k + 1, w - k + 1
        # Every kernel on every channel, computed once: a move is then a look-up.
        self._outputs = {}
        arrays = {"photo": self.image}
        # The page computes the maps it paints from the photo (``derived``): they are
        # not shipped. ``self._outputs`` (float64, from convtutor) is the authority.
        derived = {}
        for i, name in enumerate(names):
            kernel = np.asarray(ct.kernels.NAMED[name], dtype=np.float64)
            weight = np.repeat(kernel[None, None], 3, axis=0)
            self._outputs[name] = ct.depthwise_conv2d(self.image, weight)
            derived[f"out_{i}"] = correlated("photo", [(c, kernel) for c in range(3)])
        arrays["lut_diverging"] = lut("RdBu_r")
        for c, colour in enumerate(CHANNEL_NAMES):
            arrays[f"lut_{c}"] = lut(f"black_to_{colour}")
        controls = [
            {"name": "channel", "label": "channel followed", "kind": "range", "min": 0,
             "max": 2, "step": 1, "labels": list(CHANNEL_NAMES), "row": 0},
            *({"name": f"kernel_{c}", "label": f"{n} kernel ({k}×{k})", "kind": "select",
               "options": names, "row": 1} for c, n in enumerate(CHANNEL_NAMES)),
        ]  # fmt: skip
        state = {"channel": 0, **{f"kernel_{c}": str(kernels[c]) for c in range(3)}}
        kernel_values = {n: np.asarray(ct.kernels.NAMED[n], np.float64).tolist() for n in names}
        # symmetric colour limits: a kernel's table by its largest |entry|, its outputs
        # by their largest |value| over all three channels (as shipped)
        kernel_limits = {n: symmetric_limit(v) for n, v in kernel_values.items()}
        limits = {n: symmetric_limit(self._outputs[n].astype(np.float32)) for n in names}
        # Every sentence the page shows, written here once: the page looks them up.
        words = {
            "photo": f"the photo ({_size(h, w)}): 3 channels,\neach filtered on its own below",
            "input": [f"input {c}: {n}\n{_size(h, w)}" for c, n in enumerate(CHANNEL_NAMES)],
            "kernel": [
                {n: f"⋆ kernel {c}: {n}\n{_size(k, k)}" for n in names} for c in range(3)
            ],
            "output": [
                {
                    n: (
                        f"= output {c} ({_size(ho, wo)})\nblue −{format_number(limits[n], 2)} "
                        f"· white 0 · red +{format_number(limits[n], 2)}"
                    )
                    for n in names
                }
                for c in range(3)
            ],
            "follow": [
                {
                    n: (
                        f"Following the {colour} channel: input {c} ⋆ kernel {c} ({n}) = "
                        f"output {c}. No other channel takes part."
                    )
                    for n in names
                }
                for c, colour in enumerate(CHANNEL_NAMES)
            ],
            "layer": (
                f"One depth-wise layer: each of the 3 channels has its own {k}×{k} kernel, "
                f"weight shape (3, 1, {k}, {k}); in PyTorch Conv2d(3, 3, {k}, groups=3)."
            ),
            "size": (
                f"No padding, so every output is smaller than its input: "
                f"{h} − {k} + 1 = {ho} rows, {w} − {k} + 1 = {wo} columns."
            ),
        }  # fmt: skip
        super().__init__(
            controls=controls,
            arrays=arrays,
            derived=derived,
            state=state,
            meta={
                "kernels": names,
                "kernel_values": kernel_values,
                "kernel_limits": kernel_limits,
                "limits": limits,
                "words": words,
                "channel_colors": list(CHANNEL_COLORS),
                "scale": _scale(w),
            },
        )

    # ---- what the notebooks call ------------------------------------------------------
    def _channel(self, channel) -> int:
        if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)):
            raise TypeError(f"channel must be 0, 1 or 2; got {type(channel).__name__} {channel!r}")
        if not 0 <= channel <= 2:
            raise ValueError(f"channel must be 0, 1 or 2; got {channel!r}")
        return int(channel)

    def kernel_name(self, channel: int) -> str:
        """The name of the kernel channel ``channel`` is filtered with now."""
        return self.values[f"kernel_{self._channel(channel)}"]

    def kernel(self, channel: int) -> np.ndarray:
        """The kernel channel ``channel`` is filtered with now (float64, a copy)."""
        return np.array(ct.kernels.NAMED[self.kernel_name(channel)], dtype=np.float64)

    def output(self, channel: int | None = None) -> np.ndarray:
        """Output channel ``channel`` (default: the one followed), float64, no padding.

        Channel ``channel`` of ``ct.depthwise_conv2d(image, weight)`` for the kernels
        chosen now: ``H - k + 1`` by ``W - k + 1`` for a ``k x k`` kernel.
        """
        c = self.values["channel"] if channel is None else self._channel(channel)
        return self._outputs[self.kernel_name(c)][c].copy()

    # ---- what is shown (mirror of channel_filter.js) ---------------------------------
    def shown(self, state: dict | None = None) -> list:
        """The three output maps as the page paints them (float32 values, as float64)."""
        s = self.values if state is None else state
        kernels = self.meta["kernels"]
        return [
            self.data[f"out_{kernels.index(s[f'kernel_{c}'])}"][c].astype(np.float64)
            for c in range(3)
        ]

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta = self.meta
        words = meta["words"]
        photo = self.data["photo"].astype(np.float64)
        diverging = self.data["lut_diverging"]
        scale = meta["scale"]
        followed = s["channel"]
        panels = [
            {"name": "photo", "title": words["photo"], "rgba": rgb_planes(photo), "scale": scale}
        ]
        maps = self.shown(s)
        for c in range(3):
            mark = meta["channel_colors"][c] if c == followed else ""
            name = s[f"kernel_{c}"]
            k = np.array(meta["kernel_values"][name], dtype=np.float64)
            kl = meta["kernel_limits"][name]
            limit = meta["limits"][name]
            panels += [
                {
                    "name": f"input_{c}",
                    "row": c + 1,
                    "title": words["input"][c],
                    "rgba": map_values(photo[c], 0.0, 1.0, self.data[f"lut_{c}"]),
                    "scale": scale,
                    "mark": mark,
                },
                {
                    "name": f"kernel_{c}",
                    "row": c + 1,
                    "kind": "table",
                    "title": words["kernel"][c][name],
                    "cells": table_cells(k, -kl, kl, diverging),
                    "mark": mark,
                },
                {
                    "name": f"output_{c}",
                    "row": c + 1,
                    "title": words["output"][c][name],
                    "rgba": map_values(maps[c], -limit, limit, diverging),
                    "scale": scale,
                    "mark": mark,
                },
            ]
        texts = {
            "layer": words["layer"],
            "follow": words["follow"][followed][s[f"kernel_{followed}"]],
            "size": words["size"],
        }
        return {"panels": panels, "texts": texts}

    def figure(self, state: dict | None = None):
        """The PNG fallback, laid out as the page is: the photo, then a row per channel
        (input ⋆ kernel = output), the followed row framed in its channel's colour."""
        v = self.view(state)
        h, w = self.image.shape[1:]
        texts = text_lines(v["texts"].values(), 112)
        fig = new_figure(9.6)
        bottom = (0.22 * len(texts) + 0.2) / fig.get_figheight()
        grid = fig.add_gridspec(4, 3, left=0.02, right=0.98, top=0.95, bottom=bottom,
                                hspace=0.45, wspace=0.1)  # fmt: skip
        for p in v["panels"]:
            column = {"photo": 0, "input": 0, "kernel": 1, "output": 2}[p["name"].split("_")[0]]
            ax = fig.add_subplot(grid[p.get("row", 0), column])
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(p["title"], fontsize=9)
            for spine in ax.spines.values():
                spine.set_visible(bool(p.get("mark")))
                spine.set_edgecolor(p.get("mark") or "none")
                spine.set_linewidth(3)
            if "rgba" in p:
                # an output sits over the input pixels its windows are centred on
                ho, wo = p["rgba"].shape[:2]
                top, left = (h - ho) // 2, (w - wo) // 2
                extent = (left - 0.5, left + wo - 0.5, top + ho - 0.5, top - 0.5)
                ax.imshow(p["rgba"], interpolation="nearest", extent=extent)
                ax.set_xlim(-0.5, w - 0.5)
                ax.set_ylim(h - 0.5, -0.5)
                continue
            draw_table(ax, p["cells"], fontsize=None)
        draw_texts(fig, texts, bottom, step=0.22, fontsize=9)
        return fig


class Stacking(Widget):
    """The per-channel outputs stacked back into one ``(C*M, H, W)`` tensor.

    Every channel ``c`` of the photo is filtered with the first ``M`` kernels of the
    chosen set (``M`` is the depth multiplier), giving slices ``c*M ... c*M + M - 1``,
    exactly ``ct.depthwise_conv2d(image, weight)`` with ``weight[c*M + m] = set[m]``.
    They are drawn slice by slice, in the tensor's order and outlined in the colour of
    their input channel, and as one picture with a row per input channel.

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

    MODULE = "stacking"
    PHOTO = True
    CAPTION = (
        "Raise the depth multiplier M: each of the 3 input channels gets M kernels, so "
        "the stack grows to 3·M slices. The outlines and rows show which channel each "
        "came from."
    )
    MAX_M = 3
    GAP = 4  # pixels between the maps of the one picture
    GAP_RGB = (150, 150, 150)  # their colour: a grey, so white (zero) maps stay apart

    def __init__(self, image=None, *, size: int = 96):
        #: The photo, float64 ``(3, H, W)``.
        self.image = _photo(image, size)
        self.channels = self.image.shape[0]
        w = self.image.shape[2]
        self._full = {}
        arrays = {"photo": self.image}
        derived = {}  # the maps painted: computed by the page from the photo, not shipped
        for i, (set_name, names) in enumerate(KERNEL_SETS.items()):
            weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]  # (3, 1, k, k)
            full = ct.depthwise_conv2d(self.image, np.tile(weight, (self.channels, 1, 1, 1)))
            self._full[set_name] = full  # slice c*3 + m: channel c, kernel m
            derived[f"stack_{i}"] = correlated(
                "photo",
                [(c, ct.kernels.NAMED[n]) for c in range(self.channels) for n in names],
            )
        arrays["lut_diverging"] = lut("RdBu_r")
        controls = [
            {"name": "depth_multiplier", "label": "depth multiplier M", "kind": "range",
             "min": 1, "max": self.MAX_M, "step": 1, "row": 0},
            {"name": "kernels", "label": "kernels", "kind": "select",
             "options": list(KERNEL_SETS), "row": 0},
        ]  # fmt: skip
        state = {"depth_multiplier": 1, "kernels": next(iter(KERNEL_SETS))}
        super().__init__(
            controls=controls,
            arrays=arrays,
            derived=derived,
            state=state,
            meta={
                "sets": list(KERNEL_SETS),
                "set_kernels": {k: list(v) for k, v in KERNEL_SETS.items()},
                "kernel_sizes": {
                    k: [ct.kernels.NAMED[n].shape[0] for n in v] for k, v in KERNEL_SETS.items()
                },
                "channels": self.channels,
                "channel_names": list(CHANNEL_NAMES),
                "channel_colors": list(CHANNEL_COLORS),
                "max_m": self.MAX_M,
                "gap": self.GAP,
                # one scale for the photo and every slice: sizes compare truthfully
                "scale": _scale(w, 96),
                "gap_rgb": list(self.GAP_RGB),
                # Colour scales as in ChannelFilter: one per kernel, its largest |value|
                # over the three channels (as shipped), so a slice keeps its colours
                # when M changes and the channels of one kernel compare fairly.
                "limits": {
                    s: [
                        symmetric_limit(self._full[s][m :: self.MAX_M].astype(np.float32))
                        for m in range(self.MAX_M)
                    ]
                    for i, s in enumerate(KERNEL_SETS)
                },  # fmt: skip
            },
        )

    # ---- what the notebooks call ------------------------------------------------------
    def weight(self) -> np.ndarray:
        """The depth-wise weight now in use, shape ``(C*M, 1, k, k)``, float64."""
        m = self.values["depth_multiplier"]
        names = KERNEL_SETS[self.values["kernels"]][:m]
        kernels = np.stack([ct.kernels.NAMED[n] for n in names]).astype(np.float64)[:, None]
        return np.tile(kernels, (self.channels, 1, 1, 1))

    def outputs(self) -> np.ndarray:
        """The ``(C*M, H_out, W_out)`` tensor shown: ``ct.depthwise_conv2d(image, weight())``."""
        return self._select(self._full[self.values["kernels"]], self.values["depth_multiplier"])

    def _select(self, full: np.ndarray, m: int) -> np.ndarray:
        """Slices ``c*MAX_M + j`` (``j < m``) of a full stack: channel ``c``'s first ``m``."""
        c, ho, wo = self.channels, *full.shape[1:]
        return full.reshape(c, self.MAX_M, ho, wo)[:, :m].reshape(c * m, ho, wo).copy()

    def mosaic(self, outputs=None) -> np.ndarray:
        """``(C*M, h, w)`` outputs (default: now) as one picture: a row per input channel.

        Row ``c`` holds slices ``c*M ... c*M + M - 1`` left to right; NaN fills the gaps.
        """
        outputs = self.outputs() if outputs is None else np.asarray(outputs, dtype=np.float64)
        cm, h, w = outputs.shape
        if outputs.ndim != 3 or cm % self.channels:
            raise ValueError(
                f"outputs must have shape (C*M, H, W) with C = {self.channels}; "
                f"got shape {outputs.shape}"
            )
        m = cm // self.channels
        gap = self.GAP
        picture = np.full((self.channels * (h + gap) - gap, m * (w + gap) - gap), np.nan)
        for o in range(cm):
            c, j = divmod(o, m)
            y, x = c * (h + gap), j * (w + gap)
            picture[y : y + h, x : x + w] = outputs[o]
        return picture

    # ---- what is shown (mirror of stacking.js) ---------------------------------------
    def shown(self, state: dict | None = None) -> np.ndarray:
        """The ``(C*M, h, w)`` slices as the page paints them (float32 values, as float64)."""
        s = self.values if state is None else state
        i = self.meta["sets"].index(s["kernels"])
        return self._select(self.data[f"stack_{i}"].astype(np.float64), s["depth_multiplier"])

    def _picture(self, tiles: list, h: int, w: int) -> np.ndarray:
        """Painted ``(h, w, 4)`` slices as one RGBA picture, a row per channel, grey gaps."""
        m = len(tiles) // self.channels
        gap = self.GAP
        rgba = np.empty((self.channels * (h + gap) - gap, m * (w + gap) - gap, 4), np.uint8)
        rgba[..., :3] = self.GAP_RGB
        rgba[..., 3] = 255
        for o, tile in enumerate(tiles):
            y, x = (o // m) * (h + gap), (o % m) * (w + gap)
            rgba[y : y + h, x : x + w] = tile
        return rgba

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta = self.meta
        photo = self.data["photo"].astype(np.float64)
        C, m = meta["channels"], s["depth_multiplier"]
        names = meta["set_kernels"][s["kernels"]]
        k = meta["kernel_sizes"][s["kernels"]][0]
        limits = meta["limits"][s["kernels"]]
        diverging = self.data["lut_diverging"]
        slices = self.shown(s)
        cm, ho, wo = slices.shape
        tiles = [map_values(slices[o], -limits[o % m], limits[o % m], diverging) for o in range(cm)]
        panels = [
            {
                "name": "input",
                "title": f"input: {C} channels\n{_size(*photo.shape[1:])}",
                "rgba": rgb_planes(photo),
                "scale": meta["scale"],
            },
            {
                "name": "picture",
                "title": (
                    f"the stack: {C}·{m} = {cm} slices of {_size(ho, wo)},\n"
                    f"as one picture: rows {', '.join(meta['channel_names'][:C])},\n"
                    f"column{'s' if m > 1 else ''} {', '.join(names[:m])}"
                ),
                "rgba": self._picture(tiles, ho, wo),
                "scale": meta["scale"],
            },
        ]
        for o in range(C * meta["max_m"]):
            row = 1 + o // 3
            if o >= cm:
                panels.append({"name": f"slice_{o}", "row": row, "hidden": True, "title": ""})
                continue
            c, j = o // m, o % m
            panels.append(
                {
                    "name": f"slice_{o}",
                    "row": row,
                    "title": f"slice {o}: {meta['channel_names'][c]} ⋆ {names[j]}",
                    "rgba": tiles[o],
                    "scale": meta["scale"],
                    "mark": meta["channel_colors"][c],
                }
            )
        ranges = []
        for c in range(C):
            first, last = c * m, c * m + m - 1
            span = str(first) if m == 1 else f"{first}–{last}"
            ranges.append(f"{span} from {meta['channel_names'][c]}")
        word = "Slice" if m == 1 else "Slices"
        scales = ", ".join(f"{names[j]} ±{format_number(limits[j], 2)}" for j in range(m))
        texts = {
            "weight": (
                f"The weight has shape ({cm}, 1, {k}, {k}): {m} kernel{'s' if m > 1 else ''} "
                f"for each of the {C} input channels. In PyTorch: "
                f"Conv2d({C}, {cm}, {k}, groups={C})."
            ),
            "origin": f"{word} {', '.join(ranges[:-1])} and {ranges[-1]}.",
            "colours": (
                f"Colours: blue below 0, white at 0, red above; one scale per kernel: {scales}."
            ),
        }
        return {"panels": panels, "texts": texts}
