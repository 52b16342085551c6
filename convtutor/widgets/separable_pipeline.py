"""The whole depth-wise separable layer, end to end: :class:`SeparablePipeline`.

A depth-wise step then a point-wise step on the photo, beside the one standard
convolution that does the same, with kernel ``W[o, i] = P[o, i] * D[i]``, and the
largest difference between the two outputs. The page does the point-wise mixing
(``static/separable_pipeline.js``); :meth:`SeparablePipeline.view` mirrors it.
"""

from __future__ import annotations

import itertools

import numpy as np

import convtutor as ct

from ..light import cached
from ._base import (
    Widget,
    correlated,
    fill_template,
    format_number,
    lut,
    map_values,
    rgb_planes,
    symmetric_limit,
    table_cells,
)
from ._photo import photo as _photo

__all__ = ["SeparablePipeline", "POINTWISE_PRESETS", "KERNELS_3x3", "CHANNELS"]

_GREY = (0.299, 0.587, 0.114)  # ITU-R BT.601 luminance weights, as ct.data.to_gray

#: Point-wise matrices ``P`` (C_out x 3) offered by :class:`SeparablePipeline`.
POINTWISE_PRESETS = {
    "luminance: 1 output": np.array([_GREY]),
    "sum: 1 output": np.ones((1, 3)),
    "differences: 2 outputs": np.array([(1.0, -1.0, 0.0), (0.0, 1.0, -1.0)]),
    "identity: 3 outputs": np.eye(3),
    "random: 4 outputs": np.random.default_rng(0).normal(size=(4, 3)).round(2),
}

#: The 3x3 kernels of ``ct.kernels.NAMED``: one depth-wise kernel size for every channel.
KERNELS_3x3 = [name for name, k in ct.kernels.NAMED.items() if k.shape == (3, 3)]

#: The photo's channels, in order.
CHANNELS = ("red", "green", "blue")

#: Largest canvas width (CSS pixels) that keeps four panels side by side in 840 px.
_CANVAS_PX = 168


def _differences(x: np.ndarray, kernels: np.ndarray, bank: np.ndarray, presets: dict) -> np.ndarray:
    """Largest ``|separable - standard|`` (float64, convtutor) for every choice.

    Shape ``(K**3, len(presets))``: kernels ``k0, k1, k2`` at index
    ``(k0 * K + k1) * K + k2``, the presets in order; the largest over every pixel of
    every output of ``P``. The separable path is ``ct.separable_conv2d``'s own two
    steps, ``ct.pointwise_conv2d(ct.depthwise_conv2d(x, D), P)``, on ``bank``
    (``bank[k, i]``: channel ``i`` filtered with kernel ``k`` by ``ct.depthwise_conv2d``,
    computed once). The standard path is ``ct.conv2d(x, W)`` with
    ``W = ct.separable_to_standard(D, P)``. To keep this near a second, many choices
    and all five ``P`` go through each call together. The sums are then grouped a
    little differently than in one call per choice, so the last digits of these
    rounding-sized numbers can differ from such a call (e.g. 2.2e-16 instead of 0).
    """
    k = len(kernels)
    rows = np.vstack(list(presets.values()))  # every preset's rows, stacked: (R, 3)
    ends = np.cumsum([len(p) for p in presets.values()])
    triples = np.array(list(itertools.product(range(k), repeat=3)))
    h, w = bank.shape[2:]
    batch = max(1, 2_000_000 // (len(rows) * h * w))  # keeps each array near 16 MB
    per_row = np.empty((len(triples), len(rows)))
    for start in range(0, len(triples), batch):
        chunk = triples[start : start + batch]
        weights = np.stack(
            [ct.separable_to_standard(kernels[t][:, None], rows)[0] for t in chunk]
        )  # (B, R, 3, 3, 3)
        standard = ct.conv2d(x, weights.reshape(-1, 3, 3, 3)).reshape(len(chunk), len(rows), h, w)
        separable = ct.pointwise_conv2d(bank[chunk, [0, 1, 2]], rows)  # (B, R, h, w)
        np.subtract(separable, standard, out=separable)
        np.abs(separable, out=separable)
        per_row[start : start + len(chunk)] = separable.max(axis=(2, 3))
    return np.stack([per_row[:, e - len(p) : e].max(axis=1)
                     for e, p in zip(ends, presets.values(), strict=True)], axis=1)  # fmt: skip


def _difference_text(value: float) -> str:
    """A difference as the widget prints it: ``"0"`` or two significant digits, ``"4.4e-16"``."""
    return "0" if value == 0 else f"{value:.1e}"


#: The largest difference, per unit of the photo's largest ``|value|``, that the widget
#: calls rounding. Float64 rounding of these 27-term sums (entries of W up to 13) is at
#: most about 2e-12 per unit; a real disagreement would be far larger.
ROUNDING = 1e-9


def _verdict(differences: np.ndarray, x: np.ndarray) -> str:
    """The sentence under the check: rounding for every choice, or how far apart they are."""
    bound = ROUNDING * max(1.0, float(np.abs(x).max()))
    worst = float(differences.max())
    if worst <= bound:
        return (
            f"The largest difference of all is {_difference_text(worst)}: rounding. "
            "The two ways give the same output."
        )
    return (
        f"Some differ by up to {_difference_text(worst)}: more than rounding. "
        "The two outputs are NOT the same."
    )


#: The line between the check and the verdict: where the numbers come from.
HOW = (
    "Both ways were computed by convtutor in float64 when the widget was made, for every "
    "choice of kernels and P."
)


class SeparablePipeline(Widget):
    """Depth-wise then point-wise, end to end, against the one equivalent standard convolution.

    The depth-wise step filters channel ``i`` of the photo with its own kernel ``D[i]``:
    ``z[i] = D[i] ⋆ x[i]``. The point-wise step mixes the three maps with the matrix
    ``P``: ``y[o] = sum_i P[o, i] * z[i]``. One standard convolution with kernel
    ``W[o, i] = P[o, i] * D[i]`` gives the same output.

    What is computed where. Python computes, once, every map ``z`` the page can show:
    each 3x3 kernel of :data:`KERNELS_3x3` on each channel, with ``ct.depthwise_conv2d``
    (float64, shipped as float32). The page adds ``P[o, i] * z[i]`` (float64 sums) for
    the separable output and multiplies ``P[o, i] * D[i]`` for the tables of ``W[o]``.

    The standard output. There are ``10**3`` kernel choices times 11 outputs, too many
    pictures to ship, so the page draws the standard output from the same three maps.
    That is exact arithmetic, not a shortcut: a standard convolution adds up one 2-D
    correlation per input channel, ``conv2d(x, W)[o] = sum_i W[o, i] ⋆ x[i]``, and a
    correlation is linear in its kernel, so ``W[o, i] ⋆ x[i] = (P[o, i] D[i]) ⋆ x[i] =
    P[o, i] (D[i] ⋆ x[i]) = P[o, i] z[i]``. The tests hold the page's numbers equal to
    ``ct.conv2d(x, standard_weight())`` (float64) for every kernel choice, ``P`` and
    ``o``, within float32 rounding.

    The check printed under the panels is not the page's: when the widget is made,
    convtutor runs both paths in float64 for every choice of kernels and ``P`` -- the
    depth-wise then point-wise steps of ``ct.separable_conv2d``, and ``ct.conv2d`` with
    ``ct.separable_to_standard``'s kernel -- and the page looks up the largest
    ``|difference|`` over all outputs: 0 to about 1e-14, float64 rounding (see
    :func:`_differences` for how the calls are grouped). This takes about a second at
    96 pixels and grows with the number of pixels.

    Parameters
    ----------
    image : array_like of shape (3, H, W), optional
        Values in [0, 1] (others are clipped in the pictures). Default the sample
        photo at ``size`` pixels.
    size : int, default 96

    Controls
    --------
    kernel_0, kernel_1, kernel_2 : depth-wise kernel ``D[i]`` of each channel, a name
        from :data:`KERNELS_3x3`
    pointwise : a matrix ``P`` from :data:`POINTWISE_PRESETS`
    out_channel : which output ``o`` is drawn, with its kernel ``W[o]`` (0 to C_out - 1)
    """

    PHOTO = True
    CAPTION = (
        "Change a channel's depth-wise kernel or the point-wise matrix P, and step output o: "
        "the two outputs on the right stay the same, and each table W[o, i] is kernel D[i] "
        "times the one number P[o, i]."
    )
    TEXT = {
        "x": "x[{i}]: {channel} channel\nblack 0 → white 1",
        "photo": "the photo x:\nall three channels",
        "D": "D[{i}] = {kernel}\n({channel}'s kernel)",
        "P": "P: {n} outputs × 3\n(row {o} marked)",
        "P_one": "P: {n} output × 3\n(row {o} marked)",
        "key": "blue < 0 < red, ±{limit}",
        "z": "1. depth-wise\nz[{i}] = D[{i}] ⋆ x[{i}]\n{key}",
        "separable": "2. point-wise: output {o}\ny[{o}] = Σ P[{o}, i] · z[i]\n{key}",
        "W": "W[{o}, {i}] = P[{o}, {i}] · D[{i}]\n= {p} × {kernel}",
        "standard": "standard conv: output {o}\ny[{o}] = Σ W[{o}, i] ⋆ x[i]\n{key}",
        "check": "Largest |separable − standard| over all {n} outputs: {value}",
        "check_one": "Largest |separable − standard| over the one output: {value}",
    }
    MAX_OUT = max(len(p) for p in POINTWISE_PRESETS.values())
    #: P's marked row o stands out in the PNG as on the page.
    TABLE_EM_WIDTH = 2.5

    def __init__(self, image=None, *, size: int = 96):
        controls = [
            *({"name": f"kernel_{i}", "label": f"{CHANNELS[i]} kernel D[{i}]", "kind": "select",
               "options": list(KERNELS_3x3), "row": 0} for i in range(3)),
            {"name": "pointwise", "label": "point-wise P", "kind": "select",
             "options": list(POINTWISE_PRESETS), "row": 1},
            {"name": "out_channel", "label": "output o", "kind": "range", "min": 0,
             "max": self.MAX_OUT - 1, "step": 1, "row": 1},
        ]  # fmt: skip
        state = {
            "kernel_0": "Sobel x", "kernel_1": "Sobel y", "kernel_2": "box blur 3x3",
            "pointwise": "luminance: 1 output", "out_channel": 0,
        }  # fmt: skip
        super().__init__(controls=controls, state=state, **self._build(image, size))

    def _build(self, image, size: int) -> dict:
        """Everything that depends on the photo (see :meth:`Widget._build`)."""
        # the photo, float64 as given, kept as ``self.image`` (the page gets float32)
        x = _photo(image, size)
        kernels = np.stack([ct.kernels.NAMED[name] for name in KERNELS_3x3])
        bank = np.stack([ct.depthwise_conv2d(x, np.repeat(k[None, None], 3, axis=0))
                         for k in kernels])  # fmt: skip
        # ``self.differences[k0, k1, k2, p]``: the float64 check for kernels k0, k1, k2
        # and the p-th preset of :data:`POINTWISE_PRESETS`.
        # The same for every kernel on this machine (and convtutor version) that shows this
        # photo: computed by the first, read from the user's cache by the others.
        differences = cached(
            "separable-differences",
            {"photo": x, "kernels": kernels, "presets": POINTWISE_PRESETS},
            lambda: _differences(x, kernels, bank, POINTWISE_PRESETS),
        ).reshape(len(kernels), len(kernels), len(kernels), len(POINTWISE_PRESETS))
        flat = differences.reshape(-1, len(POINTWISE_PRESETS))
        scale = max(0.25, np.floor(_CANVAS_PX / x.shape[2] * 4) / 4)
        return {
            "arrays": {"photo": x, "lut_diverging": lut("RdBu_r"), "lut_grey": lut("gray")},
            # bank[k, i], as the page paints it: computed there from the photo, not shipped
            "derived": {
                "depthwise": {
                    **correlated("photo", [(i, k) for k in kernels for i in range(3)]),
                    "shape": list(bank.shape),
                }
            },
            "attributes": {"image": x, "differences": differences},
            "meta": {
                "kernel_names": list(KERNELS_3x3),
                "kernels": kernels.tolist(),
                "presets": {name: p.tolist() for name, p in POINTWISE_PRESETS.items()},
                "differences": {
                    name: [_difference_text(d) for d in flat[:, j]]
                    for j, name in enumerate(POINTWISE_PRESETS)
                },
                "how": HOW,
                "verdict": _verdict(differences, x),
                "channels": list(CHANNELS),
                "scale": float(scale),
            },
        }

    # ---- state ----------------------------------------------------------------------
    def depthwise_weight(self) -> np.ndarray:
        """``D``: shape ``(3, 1, 3, 3)``, kernel ``i`` for channel ``i``."""
        names = [self.values[f"kernel_{i}"] for i in range(3)]
        return np.stack([ct.kernels.NAMED[n] for n in names])[:, None]

    def pointwise_weight(self) -> np.ndarray:
        """``P``: shape ``(C_out, 3)`` (a copy)."""
        return POINTWISE_PRESETS[self.values["pointwise"]].copy()

    def standard_weight(self) -> np.ndarray:
        """``W = ct.separable_to_standard(D, P)``: shape ``(C_out, 3, 3, 3)``.

        ``W[o, i] = P[o, i] * D[i]``: each slice is its channel's kernel, scaled.
        """
        return ct.separable_to_standard(self.depthwise_weight(), self.pointwise_weight())[0]

    def difference(self, state: dict | None = None) -> float:
        """The float64 check the page prints: largest ``|separable - standard|``, all outputs."""
        s = self.values if state is None else state
        k = [KERNELS_3x3.index(s[f"kernel_{i}"]) for i in range(3)]
        return float(
            self.differences[k[0], k[1], k[2], list(POINTWISE_PRESETS).index(s["pointwise"])]
        )

    def limits(self, state, name):
        if name == "out_channel":
            return 0, len(self.meta["presets"][state["pointwise"]]) - 1
        return super().limits(state, name)

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: output o stays below C_out."""
        s = dict(state)
        s["out_channel"] = min(s["out_channel"], len(self.meta["presets"][s["pointwise"]]) - 1)
        return s

    # ---- what is shown --------------------------------------------------------------
    def maps(self, state: dict | None = None) -> list:
        """The three depth-wise maps ``z[i]`` the page shows (float32, as shipped)."""
        s = self.values if state is None else state
        names = self.meta["kernel_names"]
        return [self.data["depthwise"][names.index(s[f"kernel_{i}"]), i] for i in range(3)]

    def mixed(self, state: dict | None = None) -> np.ndarray:
        """Output o as the page computes it: ``P[o,0] z[0] + P[o,1] z[1] + P[o,2] z[2]``.

        Float64 operations on the float32 maps, in that order. The page shows this array
        as the separable output and, by the identity in the class docstring, as the
        standard convolution's output.
        """
        s = self.values if state is None else state
        row = self.meta["presets"][s["pointwise"]][s["out_channel"]]
        z = [m.astype(np.float64) for m in self.maps(s)]
        return row[0] * z[0] + row[1] * z[1] + row[2] * z[2]

    def kernel_tables(self, state: dict | None = None) -> list:
        """``W[o, i] = P[o, i] * D[i]`` for i = 0, 1, 2 as the page computes them (float64)."""
        s = self.values if state is None else state
        meta = self.meta
        row = meta["presets"][s["pointwise"]][s["out_channel"]]
        d = [np.array(meta["kernels"][meta["kernel_names"].index(s[f"kernel_{i}"])])
             for i in range(3)]  # fmt: skip
        return [row[i] * d[i] for i in range(3)]

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta = self.meta
        scale = meta["scale"]
        x = self.data["photo"].astype(np.float64)
        diverging, grey = self.data["lut_diverging"], self.data["lut_grey"]
        names = [s[f"kernel_{i}"] for i in range(3)]
        d = [np.array(meta["kernels"][meta["kernel_names"].index(n)]) for n in names]
        p = np.array(meta["presets"][s["pointwise"]])
        n_out = p.shape[0]
        o = s["out_channel"]
        z = [m.astype(np.float64) for m in self.maps(s)]
        y = self.mixed(s)
        w = self.kernel_tables(s)
        text = meta["text"]
        panels = []
        # row 0: the input, one column per channel, then the photo itself
        for i in range(3):
            panels.append({
                "name": f"x_{i}", "row": 0, "scale": scale,
                "title": fill_template(text["x"], i=str(i), channel=CHANNELS[i]),
                "rgba": map_values(x[i], 0.0, 1.0, grey),
            })  # fmt: skip
        panels.append({
            "name": "photo", "row": 0, "scale": scale,
            "title": text["photo"], "rgba": rgb_planes(x),
        })  # fmt: skip
        # row 1: the depth-wise kernels, then the point-wise matrix
        for i in range(3):
            limit = symmetric_limit(d[i])
            panels.append({
                "name": f"D_{i}", "row": 1, "kind": "table",
                "title": fill_template(text["D"], i=str(i), kernel=names[i], channel=CHANNELS[i]),
                "cells": table_cells(d[i], -limit, limit, diverging),
            })  # fmt: skip
        limit = symmetric_limit(p)
        cells = table_cells(p, -limit, limit, diverging)
        for cell in cells[o]:
            cell["em"] = True
        panels.append({
            "name": "P", "row": 1, "kind": "table",
            "title": fill_template(text["P" if n_out > 1 else "P_one"], n=str(n_out), o=str(o)),
            "cells": cells,
        })  # fmt: skip
        # row 2: the depth-wise maps, then the point-wise mix of them: output o
        for i in range(3):
            limit = symmetric_limit(z[i])
            key = fill_template(text["key"], limit=format_number(limit, 2))
            panels.append({
                "name": f"z_{i}", "row": 2, "scale": scale,
                "title": fill_template(text["z"], i=str(i), key=key),
                "rgba": map_values(z[i], -limit, limit, diverging),
            })  # fmt: skip
        limit = symmetric_limit(y)
        rgba = map_values(y, -limit, limit, diverging)
        key = fill_template(text["key"], limit=format_number(limit, 2))
        panels.append({
            "name": "separable", "row": 2, "scale": scale,
            "title": fill_template(text["separable"], o=str(o), key=key),
            "rgba": rgba,
        })  # fmt: skip
        # row 3: the one standard kernel W[o], then its output (the same numbers)
        limit = symmetric_limit(np.stack(w))
        for i in range(3):
            panels.append({
                "name": f"W_{i}", "row": 3, "kind": "table",
                "title": fill_template(text["W"], o=str(o), i=str(i),
                                       p=format_number(p[o, i]), kernel=names[i]),
                "cells": table_cells(w[i], -limit, limit, diverging),
            })  # fmt: skip
        panels.append({
            "name": "standard", "row": 3, "scale": scale,
            "title": fill_template(text["standard"], o=str(o), key=key),
            "rgba": rgba,
        })  # fmt: skip
        value = meta["differences"][s["pointwise"]][self._choice(s)]
        texts = {
            "check": fill_template(
                text["check" if n_out > 1 else "check_one"], n=str(n_out), value=value
            ),
            "how": meta["how"],
            "verdict": meta["verdict"],
        }
        return {"panels": panels, "texts": texts}

    def _choice(self, state: dict) -> int:
        """The index of the three kernels in the difference tables: ``(k0 * K + k1) * K + k2``."""
        names = self.meta["kernel_names"]
        k = [names.index(state[f"kernel_{i}"]) for i in range(3)]
        return (k[0] * len(names) + k[1]) * len(names) + k[2]
