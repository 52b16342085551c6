"""Depth-wise filtering, one channel at a time: :class:`ChannelFilter`.

It filters each channel of the photo with its own kernel and shows all three at once:
input channel ``c`` ⋆ kernel ``c`` = output ``c``. Change one channel's kernel and only
that channel's output changes. No padding, so a ``k x k`` kernel makes each output
``k - 1`` pixels smaller than its input; the canvases show the true sizes. Every map is
computed here with ``ct.depthwise_conv2d``; the page (``static/channel_filter.js``)
only picks maps and colours them, and :meth:`ChannelFilter.view` mirrors it.
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
from ._photo import scale_for as _scale
from ._photo import size_text as _size

__all__ = ["ChannelFilter", "LAYER_KERNELS", "LAYER_KERNEL_SIZE"]

#: The kernel size of :class:`ChannelFilter`'s layer: one for all channels.
LAYER_KERNEL_SIZE = 3

#: The kernels :class:`ChannelFilter` offers each channel: every named kernel of the
#: layer's size, in menu order.
LAYER_KERNELS = tuple(n for n, k in ct.kernels.NAMED.items() if k.shape == (LAYER_KERNEL_SIZE,) * 2)


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
        controls = [
            {"name": "channel", "label": "channel followed", "kind": "range", "min": 0,
             "max": 2, "step": 1, "labels": list(CHANNEL_NAMES), "row": 0},
            *({"name": f"kernel_{c}", "label": f"{n} kernel ({k}×{k})", "kind": "select",
               "options": names, "row": 1} for c, n in enumerate(CHANNEL_NAMES)),
        ]  # fmt: skip
        state = {"channel": 0, **{f"kernel_{c}": str(kernels[c]) for c in range(3)}}
        super().__init__(controls=controls, state=state, **self._build(image, size))

    def _build(self, image, size: int) -> dict:
        """Everything that depends on the photo (see :meth:`Widget._build`)."""
        names = list(LAYER_KERNELS)
        k = self.KERNEL_SIZE
        # the photo, float64 (3, H, W), kept as ``self.image`` (the page gets float32)
        image = _photo(image, size)
        h, w = image.shape[1:]
        ho, wo = h - k + 1, w - k + 1
        # Every kernel on every channel, computed once: a move is then a look-up.
        outputs = {}
        arrays = {"photo": image}
        # The page computes the maps it paints from the photo (``derived``): they are
        # not shipped. ``self._outputs`` (float64, from convtutor) is the authority.
        derived = {}
        for i, name in enumerate(names):
            kernel = np.asarray(ct.kernels.NAMED[name], dtype=np.float64)
            weight = np.repeat(kernel[None, None], 3, axis=0)
            outputs[name] = ct.depthwise_conv2d(image, weight)
            derived[f"out_{i}"] = correlated("photo", [(c, kernel) for c in range(3)])
        arrays["lut_diverging"] = lut("RdBu_r")
        for c, colour in enumerate(CHANNEL_NAMES):
            arrays[f"lut_{c}"] = lut(f"black_to_{colour}")
        kernel_values = {n: np.asarray(ct.kernels.NAMED[n], np.float64).tolist() for n in names}
        # symmetric colour limits: a kernel's table by its largest |entry|, its outputs
        # by their largest |value| over all three channels (as shipped)
        kernel_limits = {n: symmetric_limit(v) for n, v in kernel_values.items()}
        limits = {n: symmetric_limit(outputs[n].astype(np.float32)) for n in names}
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
        return {
            "arrays": arrays,
            "derived": derived,
            "attributes": {"image": image, "_outputs": outputs},
            "meta": {
                "kernels": names,
                "kernel_values": kernel_values,
                "kernel_limits": kernel_limits,
                "limits": limits,
                "words": words,
                "channel_colors": list(CHANNEL_COLORS),
                "scale": _scale(w),
            },
        }

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
