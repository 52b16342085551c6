"""Point-wise (1x1) mixing: :class:`PointwiseMixer`.

At every pixel, each output channel is a weighted sum of the input channels,
``out[o] = sum_c W[o, c] * x[c]``. Sliders set one row of ``W``; presets show classic
mixes (grey, channel swap, edge magnitude). The page does the mixing
(``static/pointwise_mixer.js``); :meth:`PointwiseMixer.view` mirrors it.

"""

from __future__ import annotations

import numpy as np

import convtutor as ct

from ._base import (
    Widget,
    fill_template,
    format_number,
    lut,
    map_values,
    rgb_planes,
    symmetric_limit,
    table_cells,
    to_byte,
)
from ._photo import photo as _photo

__all__ = ["PointwiseMixer", "MIXER_PRESETS", "MIXER_INPUTS", "INPUT_TITLES"]

_GREY = (0.299, 0.587, 0.114)  # ITU-R BT.601 luminance weights, as ct.data.to_gray

#: Presets of :class:`PointwiseMixer`: name -> (input, weight rows).
MIXER_PRESETS = {
    "identity": ("photo", [(1, 0, 0), (0, 1, 0), (0, 0, 1)]),
    "luminance grey": ("photo", [_GREY]),
    "channel swap (red ↔ blue)": ("photo", [(0, 0, 1), (0, 1, 0), (1, 0, 0)]),
    "red minus green": ("photo", [(1, -1, 0)]),
    "colour + grey (4 outputs)": ("photo", [(1, 0, 0), (0, 1, 0), (0, 0, 1), _GREY]),
    "edge-magnitude mix": ("edges", [(1, 1, 0)]),
}

#: The inputs :class:`PointwiseMixer` can mix: name -> names of its three channels.
MIXER_INPUTS = {
    "photo": ("red", "green", "blue"),
    "edges": ("|Sobel x|", "|Sobel y|", "|Laplacian|"),
}

#: The input panel's title for each input (short enough for the panel's width).
INPUT_TITLES = {"photo": "input: red, green, blue", "edges": "input: 3 edge maps"}


class PointwiseMixer(Widget):
    """A 1x1 convolution: each output channel is a weighted sum of the input channels.

    ``out[o, y, x] = sum_c W[o, c] * in[c, y, x]`` -- the same weights at every
    pixel, so no neighbour takes part. ``out == ct.pointwise_conv2d(in, W)``.

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Default the sample photo at ``size`` pixels.
    size : int, default 96

    Controls
    --------
    preset : a name from :data:`MIXER_PRESETS`, or "custom" (set when you move a weight)
    input : "photo" (red, green, blue) or "edges" (|Sobel x|, |Sobel y|, |Laplacian| of
        the grey photo: what a depth-wise step could hand over)
    out_channels : 1 to 4, the rows of ``W``
    row : which output channel (row of ``W``) the weight sliders edit
    w_R, w_G, w_B : the weights of that row for input channels 0, 1, 2
    """

    PHOTO = True
    CAPTION = (
        "Pick a preset, then move w_R, w_G, w_B: every output pixel is the same weighted "
        "sum of that pixel's channels. Add output channels and choose which row to edit."
    )
    TEXT = {
        "weights": "W: {n} outputs × 3 inputs\n(row {row} on the sliders)",
        "weights_one": "W: {n} output × 3 inputs\n(row {row} on the sliders)",
        "picture": "outputs as a picture",
        "output": "output {o}\n{key}",
        "key_signed": "blue < 0 < red",
        "key_grey": "black 0 → white {limit}",
    }
    MAX_OUT = 4
    WEIGHT_LIMIT = 2.0
    #: The preset the menu shows once a weight is moved by hand.
    CUSTOM = "custom"

    def __init__(self, image=None, *, size: int = 96):
        weight = {"kind": "range", "min": -2.0, "max": 2.0, "step": 0.001, "digits": 3, "row": 2}
        controls = [
            {"name": "preset", "label": "preset", "kind": "select",
             "options": [*MIXER_PRESETS, self.CUSTOM], "row": 0},
            {"name": "input", "label": "input", "kind": "select", "options": list(MIXER_INPUTS),
             "row": 0},
            {"name": "out_channels", "label": "out channels", "kind": "range", "min": 1,
             "max": self.MAX_OUT, "step": 1, "row": 1},
            {"name": "row", "label": "edit row", "kind": "range", "min": 0,
             "max": self.MAX_OUT - 1, "step": 1, "row": 1},
            *({"name": n, "label": n, **weight} for n in ("w_R", "w_G", "w_B")),
        ]  # fmt: skip
        state = {
            "preset": "identity", "input": "photo", "out_channels": 3, "row": 0,
            "w_R": 1.0, "w_G": 0.0, "w_B": 0.0,
            "weights": [[0.0, 0.0, 0.0] for _ in range(self.MAX_OUT)],
        }  # fmt: skip
        super().__init__(controls=controls, state=state, **self._build(image, size))

    def _build(self, image, size: int) -> dict:
        """Everything that depends on the photo (see :meth:`Widget._build`)."""
        # the photo, float64 (3, H, W), kept as ``self.image``; ``self.inputs``: the two
        # inputs, float64 as computed (the page gets them as float32)
        photo = _photo(image, size)
        grey = ct.data.to_gray(photo)[None]
        edge_kernels = [ct.kernels.SOBEL_X, ct.kernels.SOBEL_Y, ct.kernels.LAPLACIAN]
        edges = np.abs(ct.depthwise_conv2d(grey, np.stack(edge_kernels)[:, None]))
        # Both inputs the same size: the photo loses the one-pixel rim the edges lose.
        inputs = {"photo": photo[:, 1:-1, 1:-1], "edges": edges}
        limits = {"photo": 1.0, "edges": symmetric_limit(edges)}
        presets = {
            name: {"input": source, "rows": [list(map(float, row)) for row in rows]}
            for name, (source, rows) in MIXER_PRESETS.items()
        }
        return {
            "arrays": {
                "input_photo": inputs["photo"],
                "input_edges": inputs["edges"],
                "lut_diverging": lut("RdBu_r"),
                "lut_grey": lut("gray"),
            },
            "attributes": {"image": photo, "inputs": inputs},
            "meta": {
                "presets": presets,
                "inputs": {k: list(v) for k, v in MIXER_INPUTS.items()},
                "input_titles": INPUT_TITLES,
                "limits": limits,
                "max_out": self.MAX_OUT,
                "weight_limit": self.WEIGHT_LIMIT,
                "custom": self.CUSTOM,
            },
        }

    # ---- state ----------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """The weight matrix ``W`` in use, shape ``(out_channels, 3)`` (a copy)."""
        return np.array(self.values["weights"][: self.values["out_channels"]], dtype=float)

    def input_array(self) -> np.ndarray:
        """The ``(3, H, W)`` input being mixed (float64)."""
        return self.inputs[self.values["input"]]

    def output(self) -> np.ndarray:
        """``ct.pointwise_conv2d(input, W)``: shape ``(out_channels, H, W)``."""
        return ct.pointwise_conv2d(self.input_array(), self.weights)

    def limits(self, state, name):
        if name == "row":
            return 0, state["out_channels"] - 1
        return super().limits(state, name)

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: presets set W; a weight move edits W."""
        s = dict(state)
        s["weights"] = [list(row) for row in state["weights"]]
        columns = ("w_R", "w_G", "w_B")
        if changed in ("preset", None) and s["preset"] != self.CUSTOM:
            preset = self.meta["presets"][s["preset"]]
            rows = preset["rows"]
            s["weights"] = [list(rows[o]) if o < len(rows) else [0.0, 0.0, 0.0]
                            for o in range(self.MAX_OUT)]  # fmt: skip
            s["input"] = preset["input"]
            s["out_channels"] = len(rows)
            s["row"] = 0
        elif changed in columns:
            s["weights"][s["row"]][columns.index(changed)] = s[changed]
            s["preset"] = self.CUSTOM
        s["row"] = min(s["row"], s["out_channels"] - 1)
        for c, name in enumerate(columns):
            s[name] = s["weights"][s["row"]][c]
        return s

    # ---- what is shown --------------------------------------------------------------
    def mixed(self, state: dict | None = None) -> np.ndarray:
        """The outputs as the page computes them: float64 sums of the float32 input."""
        s = self.values if state is None else state
        x = self.data[f"input_{s['input']}"].astype(np.float64)
        rows = s["weights"][: s["out_channels"]]
        return np.stack([w[0] * x[0] + w[1] * x[1] + w[2] * x[2] for w in rows])

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta = self.meta
        x = self.data[f"input_{s['input']}"].astype(np.float64)
        limit = meta["limits"][s["input"]]
        n = s["out_channels"]
        weights = np.array(s["weights"][:n], dtype=np.float64)
        outputs = self.mixed(s)
        diverging, grey = self.data["lut_diverging"], self.data["lut_grey"]
        panels = [
            {"name": "input", "title": INPUT_TITLES[s["input"]], "rgba": rgb_planes(x, limit)}
        ]
        cells = table_cells(weights, -self.WEIGHT_LIMIT, self.WEIGHT_LIMIT, diverging)
        for cell in cells[s["row"]]:
            cell["em"] = True
        text = meta["text"]
        panels.append(
            {
                "name": "weights",
                "kind": "table",
                "title": fill_template(
                    text["weights" if n > 1 else "weights_one"], n=str(n), row=str(s["row"])
                ),
                "cells": cells,
            }
        )
        picture = np.zeros((*x.shape[1:], 4), dtype=np.uint8)
        for c in range(3):
            o = 0 if n == 1 else c
            if o < n:
                picture[..., c] = to_byte(outputs[o] / limit)
        picture[..., 3] = 255
        panels.append({"name": "picture", "title": text["picture"], "rgba": picture})
        for o in range(self.MAX_OUT):
            if o >= n:
                panels.append({"name": f"output_{o}", "row": 1, "hidden": True, "title": ""})
                continue
            negative = weights[o].min() < 0 or bool((outputs[o] < 0).any())
            if negative:
                rgba = map_values(outputs[o], -limit, limit, diverging)
                key = text["key_signed"]
            else:
                rgba = map_values(outputs[o], 0.0, limit, grey)
                key = fill_template(text["key_grey"], limit=format_number(limit))
            panels.append(
                {
                    "name": f"output_{o}",
                    "row": 1,
                    "title": fill_template(text["output"], o=str(o), key=key),
                    "rgba": rgba,
                    "mark": "#000000" if o == s["row"] else "",
                }
            )
        return {"panels": panels, "texts": {}}
