"""The per-channel outputs stacked back into one tensor: :class:`Stacking`.

Every channel of the photo goes through ``M`` kernels (the depth multiplier), and the
``C*M`` maps stack into one ``(C*M, H, W)`` tensor, drawn slice by slice and as one
picture, for ``M`` of 1 to 3. No padding: a ``k x k`` kernel makes each map ``k - 1``
pixels smaller. Every map is computed here with ``ct.depthwise_conv2d``; the page
(``static/stacking.js``) only picks maps and colours them, and :meth:`Stacking.view`
mirrors it.
"""

from __future__ import annotations

import numpy as np

import convtutor as ct

from ..viz.images import CHANNEL_COLORS, CHANNEL_NAMES
from ._base import (
    Widget,
    correlated,
    fill_template,
    format_number,
    lut,
    map_values,
    rgb_planes,
    symmetric_limit,
)
from ._photo import photo as _photo
from ._photo import scale_for as _scale
from ._photo import size_text as _size

__all__ = ["Stacking", "KERNEL_SETS"]

#: Kernel choices for :class:`Stacking`: kernel ``m`` of a set is the ``m``-th kernel
#: given to every channel (all of one size, so the outputs stack into one tensor).
KERNEL_SETS = {
    "edges: Sobel x, Sobel y, Laplacian": ("Sobel x", "Sobel y", "Laplacian"),
    "blur, sharpen, identity": ("box blur 3x3", "sharpen", "identity"),
    "Prewitt x, Scharr x, Prewitt y": ("Prewitt x", "Scharr x", "Prewitt y"),
}


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

    PHOTO = True
    CAPTION = (
        "Raise the depth multiplier M: each of the 3 input channels gets M kernels, so "
        "the stack grows to 3·M slices. The outlines and rows show which channel each "
        "came from."
    )
    TEXT = {
        "input": "input: {channels} channels\n{size}",
        "picture": (
            "the stack: {channels}·{m} = {slices} slices of {size},\n"
            "as one picture: rows {rows},\ncolumns {columns}"
        ),
        "picture_one": (
            "the stack: {channels}·{m} = {slices} slices of {size},\n"
            "as one picture: rows {rows},\ncolumn {columns}"
        ),
        "slice": "slice {slice}: {channel} ⋆ {kernel}",
        "weight": (
            "The weight has shape ({slices}, 1, {k}, {k}): {m} kernels for each of the "
            "{channels} input channels. In PyTorch: Conv2d({channels}, {slices}, {k}, "
            "groups={channels})."
        ),
        "weight_one": (
            "The weight has shape ({slices}, 1, {k}, {k}): {m} kernel for each of the "
            "{channels} input channels. In PyTorch: Conv2d({channels}, {slices}, {k}, "
            "groups={channels})."
        ),
        "range": "{slices} from {channel}",
        "origin": "Slices {ranges} and {last}.",
        "origin_one": "Slice {ranges} and {last}.",
        "scale": "{kernel} ±{limit}",
        "colours": "Colours: blue below 0, white at 0, red above; one scale per kernel: {scales}.",
    }
    MAX_M = 3
    GAP = 4  # pixels between the maps of the one picture
    GAP_RGB = (150, 150, 150)  # their colour: a grey, so white (zero) maps stay apart

    def __init__(self, image=None, *, size: int = 96):
        controls = [
            {"name": "depth_multiplier", "label": "depth multiplier M", "kind": "range",
             "min": 1, "max": self.MAX_M, "step": 1, "row": 0},
            {"name": "kernels", "label": "kernels", "kind": "select",
             "options": list(KERNEL_SETS), "row": 0},
        ]  # fmt: skip
        state = {"depth_multiplier": 1, "kernels": next(iter(KERNEL_SETS))}
        super().__init__(controls=controls, state=state, **self._build(image, size))

    def _build(self, image, size: int) -> dict:
        """Everything that depends on the photo (see :meth:`Widget._build`)."""
        # the photo, float64 (3, H, W), kept as ``self.image``
        image = _photo(image, size)
        channels = image.shape[0]
        w = image.shape[2]
        full_stacks = {}
        arrays = {"photo": image}
        derived = {}  # the maps painted: computed by the page from the photo, not shipped
        for i, (set_name, names) in enumerate(KERNEL_SETS.items()):
            weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]  # (3, 1, k, k)
            full = ct.depthwise_conv2d(image, np.tile(weight, (channels, 1, 1, 1)))
            full_stacks[set_name] = full  # slice c*3 + m: channel c, kernel m
            derived[f"stack_{i}"] = correlated(
                "photo",
                [(c, ct.kernels.NAMED[n]) for c in range(channels) for n in names],
            )
        arrays["lut_diverging"] = lut("RdBu_r")
        return {
            "arrays": arrays,
            "derived": derived,
            "attributes": {"image": image, "channels": channels, "_full": full_stacks},
            "meta": {
                "sets": list(KERNEL_SETS),
                "set_kernels": {k: list(v) for k, v in KERNEL_SETS.items()},
                "kernel_sizes": {
                    k: [ct.kernels.NAMED[n].shape[0] for n in v] for k, v in KERNEL_SETS.items()
                },
                "channels": channels,
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
                        symmetric_limit(full_stacks[s][m :: self.MAX_M].astype(np.float32))
                        for m in range(self.MAX_M)
                    ]
                    for i, s in enumerate(KERNEL_SETS)
                },  # fmt: skip
            },
        }

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
        text = meta["text"]
        one = "_one" if m == 1 else ""
        panels = [
            {
                "name": "input",
                "title": fill_template(
                    text["input"], channels=str(C), size=_size(*photo.shape[1:])
                ),
                "rgba": rgb_planes(photo),
                "scale": meta["scale"],
            },
            {
                "name": "picture",
                "title": fill_template(
                    text["picture" + one],
                    channels=str(C),
                    m=str(m),
                    slices=str(cm),
                    size=_size(ho, wo),
                    rows=", ".join(meta["channel_names"][:C]),
                    columns=", ".join(names[:m]),
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
                    "title": fill_template(
                        text["slice"],
                        slice=str(o),
                        channel=meta["channel_names"][c],
                        kernel=names[j],
                    ),
                    "rgba": tiles[o],
                    "scale": meta["scale"],
                    "mark": meta["channel_colors"][c],
                }
            )
        ranges = []
        for c in range(C):
            first, last = c * m, c * m + m - 1
            span = str(first) if m == 1 else f"{first}–{last}"
            ranges.append(
                fill_template(text["range"], slices=span, channel=meta["channel_names"][c])
            )
        scales = ", ".join(
            fill_template(text["scale"], kernel=names[j], limit=format_number(limits[j], 2))
            for j in range(m)
        )
        texts = {
            "weight": fill_template(
                text["weight" + one], slices=str(cm), k=str(k), m=str(m), channels=str(C)
            ),
            "origin": fill_template(
                text["origin" + one], ranges=", ".join(ranges[:-1]), last=ranges[-1]
            ),
            "colours": fill_template(text["colours"], scales=scales),
        }
        return {"panels": panels, "texts": texts}
