"""Where one output pixel comes from: :class:`PixelProvenance`.

Pick an output pixel. The widget outlines the input values it is made of, in a drawing
of the whole ``C_in x H x W`` input (one slice per channel), and lists every product of
an input value and its weight, each channel's sum, and the total, which is the output
value shown. A menu switches between three kinds of layer:

* **standard**: output channel ``o`` adds up a ``k x k`` window of *every* input channel,
  ``y[o, i, j] = sum_c sum_u sum_v W[o, c, u, v] * x[c, i+u, j+v]``;
* **depth-wise**: output channel ``c`` uses input channel ``c`` only,
  ``y[c, i, j] = sum_u sum_v D[c, u, v] * x[c, i+u, j+v]``;
* **separable**: first the depth-wise window sums of every channel,
  ``z[c, i, j] = sum_u sum_v D[c, u, v] * x[c, i+u, j+v]``, then the point-wise mix
  ``y[o, i, j] = sum_c P[o, c] * z[c, i, j]``.

The input and the weights are small seeded integers, so a student can redo each sum by
hand. Every number is computed here, once, by convtutor (``ct.conv2d``,
``ct.depthwise_conv2d``, ``ct.pointwise_conv2d``, ``ct.separable_conv2d``) for every
output pixel of every mode; the page (``static/pixel_provenance.js``) only looks
numbers up, outlines cells and paints. :meth:`PixelProvenance.view` mirrors it.
"""

from __future__ import annotations

import numpy as np

import convtutor as ct

from ._base import (
    Widget,
    draw_table,
    draw_texts,
    format_number,
    lut,
    lut_index,
    new_figure,
    symmetric_limit,
    table_cells,
    text_lines,
)

__all__ = ["PixelProvenance", "MODES"]

#: The kinds of layer the widget explains, in the menu's order.
MODES = ("standard", "depth-wise", "separable")

#: Largest width (pixels) of the input drawing, so the output fits beside it in 840 px.
INPUT_PX = 560
#: Largest side of a cell (pixels, grid line included).
CELL_PX = 20
#: Gap between two slices of a drawing, and the blank margin around it (pixels).
GAP_PX = 12
MARGIN_PX = 2
#: Colours of the drawings (RGB).
GRID_RGB = (150, 150, 150)
FRAME_RGB = (0, 0, 0)
INNER_RGB = (255, 255, 255)
BLANK_RGB = (255, 255, 255)


def _int_arg(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}; got {value!r}")
    return int(value)


def _fade(rgb):
    """A colour two thirds of the way to white: a channel that takes no part."""
    return tuple((int(c) + 510) // 3 for c in rgb)


def _fill(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, rgb) -> None:
    img[y0:y1, x0:x1, :3] = rgb


def _ring(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, t: int, rgb) -> None:
    """A rectangle's border ``t`` pixels thick inside ``[x0, x1) x [y0, y1)``."""
    _fill(img, x0, y0, x1, y0 + t, rgb)
    _fill(img, x0, y1 - t, x1, y1, rgb)
    _fill(img, x0, y0, x0 + t, y1, rgb)
    _fill(img, x1 - t, y0, x1, y1, rgb)


def _frame(img: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Outline the cells between grid lines ``x0..x1`` and ``y0..y1``: black, 3 px on the
    grid line, then a white line inside, so it shows on dark and light cells alike."""
    _ring(img, x0 - 1, y0 - 1, x1 + 2, y1 + 2, 3, FRAME_RGB)
    _ring(img, x0 + 2, y0 + 2, x1 - 1, y1 - 1, 1, INNER_RGB)


def slices_size(meta: dict, n: int, rows: int, cols: int, cell: int) -> tuple:
    """Width and height (pixels) of a drawing of ``n`` slices of ``rows x cols`` cells."""
    side = cols * cell + 1
    width = 2 * MARGIN_PX + n * side + (n - 1) * GAP_PX
    return width, 2 * MARGIN_PX + rows * cell + 1


def slice_origin(c: int, cols: int, cell: int) -> tuple:
    """Top-left pixel (the first grid line) of slice ``c`` in a drawing."""
    return MARGIN_PX + c * (cols * cell + 1 + GAP_PX), MARGIN_PX


def _cell_size(n: int, cols: int, width: int = INPUT_PX) -> int:
    """The largest cell (at most :data:`CELL_PX`) that keeps ``n`` slices within ``width``."""
    room = width - 2 * MARGIN_PX - (n - 1) * GAP_PX - n
    return int(min(CELL_PX, room // (n * cols)))


class PixelProvenance(Widget):
    """Provenance of one output pixel: the input block it reads, the products, the sums.

    The input ``x`` has ``C_in`` channels of ``H x W`` cells; every layer uses ``k x k``
    kernels, stride 1 and no padding, so the output is ``(H - k + 1) x (W - k + 1)``.
    The weights are ``W`` (standard, ``(C_out, C_in, k, k)``), ``D`` (depth-wise, one
    ``k x k`` kernel per input channel, ``(C_in, 1, k, k)``) and ``P`` (point-wise,
    ``(C_out, C_in)``). The separable layer uses the same ``D`` as the depth-wise one,
    so its window sums ``z`` are the depth-wise layer's output.

    What is computed where. When the widget is made, convtutor computes, in float64,
    every output of the three layers (``ct.conv2d``, ``ct.depthwise_conv2d``,
    ``ct.separable_conv2d``), each input channel's share of every output pixel
    (``ct.conv2d`` of that channel alone, ``ct.pointwise_conv2d`` of ``z[c]`` alone)
    and every product ``weight * input`` of every window. The page gets them once (as
    float32: the default integers are exact) and only looks them up.

    Parameters
    ----------
    image : array_like of shape (C_in, H, W), optional
        The input values: 1 to 4 channels, ``k`` to 10 cells a side, finite numbers
        (for your own photo, e.g. ``ct.data.load_image(path, size=8)``). Default:
        seeded integers from -2 to 3.
    size : int, default 8
        ``H = W`` of the default input (``k`` to 10).
    channels : int, default 3
        ``C_in`` of the default input (1 to 4).
    kernel_size : int, default 3
        ``k``, from 1 to 5 (at most ``H`` and ``W``).
    out_channels : int, default 2
        ``C_out`` of the standard and separable layers (1 to 4).
    bias : bool, default False
        Give every layer seeded integer biases: ``b[o]`` (standard), ``b_D[c]``
        (depth-wise, and the separable layer's first step) and ``b_P[o]`` (the separable
        layer's point-wise step).
    seed : int, default 0
        Seed of the integers (weights from -2 to 2).

    Controls
    --------
    mode : "standard", "depth-wise" or "separable"
    out_channel : the output channel: ``o`` (0 to ``C_out - 1``), or ``c`` in
        depth-wise mode (0 to ``C_in - 1``)
    row, col : the output pixel ``(i, j)``, 0 to ``H - k`` and 0 to ``W - k``

    Clicking a cell of the output drawing sets ``row`` and ``col``; so do the arrow keys
    when the output drawing has the focus.
    """

    CAPTION = (
        "Click a cell of the output, or move row and column (sliders, or arrow keys on the "
        "output), to see which inputs make it. Switch the mode to compare the layers."
    )
    MAX_CHANNELS = 4
    MAX_SIZE = 10
    MAX_KERNEL = 5

    def __init__(
        self,
        image=None,
        *,
        size: int = 8,
        channels: int = 3,
        kernel_size: int = 3,
        out_channels: int = 2,
        bias: bool = False,
        seed: int = 0,
    ):
        k = _int_arg(kernel_size, "kernel_size", 1, self.MAX_KERNEL)
        c_out = _int_arg(out_channels, "out_channels", 1, self.MAX_CHANNELS)
        seed = _int_arg(seed, "seed", 0, 2**32 - 1)
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"bias must be True or False; got {type(bias).__name__} {bias!r}")
        rng = np.random.default_rng(seed)
        if image is None:
            side = _int_arg(size, "size", max(k, 2), self.MAX_SIZE)
            c_in = _int_arg(channels, "channels", 1, self.MAX_CHANNELS)
            x = rng.integers(-2, 4, size=(c_in, side, side)).astype(np.float64)
        else:
            x = self._image(image, k)
            rng.integers(-2, 4, size=x.shape)  # the weights stay those of the default input
        c_in, h, w = x.shape
        weight = rng.integers(-2, 3, size=(c_out, c_in, k, k)).astype(np.float64)
        depthwise = rng.integers(-2, 3, size=(c_in, 1, k, k)).astype(np.float64)
        pointwise = rng.integers(-2, 3, size=(c_out, c_in)).astype(np.float64)
        biases = {
            "b": rng.integers(-2, 3, size=c_out).astype(np.float64),
            "b_D": rng.integers(-2, 3, size=c_in).astype(np.float64),
            "b_P": rng.integers(-2, 3, size=c_out).astype(np.float64),
        }
        if not bias:
            biases = {name: np.zeros_like(b) for name, b in biases.items()}
        b = biases["b"] if bias else None
        b_d = biases["b_D"] if bias else None
        b_p = biases["b_P"] if bias else None

        # ---- every number the page shows, by convtutor (float64) -----------------------
        y_standard = ct.conv2d(x, weight, b)
        # channel c's share of y[o]: a standard convolution of that channel alone
        share = np.stack([ct.conv2d(x[c : c + 1], weight[:, c : c + 1]) for c in range(c_in)], 1)
        window_sums = ct.depthwise_conv2d(x, depthwise)
        z = ct.depthwise_conv2d(x, depthwise, b_d)
        # P[o, c] * z[c]: the point-wise step of channel c alone
        mixed = np.stack([ct.pointwise_conv2d(z[c : c + 1], pointwise[:, c : c + 1])
                          for c in range(c_in)], 1)  # fmt: skip
        y_separable = ct.separable_conv2d(
            x, depthwise, pointwise, depthwise_bias=b_d, pointwise_bias=b_p
        )
        ho, wo = y_standard.shape[1:]
        # every window: windows[c, i, j, u, v] = x[c, i + u, j + v]
        windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))
        products_standard = np.einsum("ocuv,cijuv->oijcuv", weight, windows)
        products_depthwise = depthwise[:, 0, None, None] * windows  # (C_in, Ho, Wo, k, k)

        # ---- multiplications per output pixel, from ct.conv_cost -------------------------
        # ``*_all``: every output channel at one pixel; ``*_one``: one output value.
        pixels = ho * wo
        standard_all = ct.conv_cost("standard", c_in, c_out, k, (h, w)).macs // pixels
        depthwise_all = ct.conv_cost("depthwise", c_in, c_in, k, (h, w)).macs // pixels
        pointwise_all = ct.conv_cost("pointwise", c_in, c_out, 1, (ho, wo)).macs // pixels
        counts = {
            "standard_all": standard_all,
            "standard_one": standard_all // c_out,
            "depthwise_all": depthwise_all,
            "depthwise_one": depthwise_all // c_in,
            "pointwise_one": pointwise_all // c_out,
            "separable_all": ct.conv_cost("separable", c_in, c_out, k, (h, w)).macs // pixels,
        }

        cell = _cell_size(c_in, w)
        values = [share, window_sums, z, mixed, y_standard, y_separable]
        meta = {
            "channels": c_in,
            "out_channels": c_out,
            "height": h,
            "width": w,
            "k": k,
            "out_height": ho,
            "out_width": wo,
            "bias": bool(bias),
            "cell": cell,
            "out_cell": CELL_PX,
            "z_cell": _cell_size(c_in, wo, 400),
            "gap": GAP_PX,
            "margin": MARGIN_PX,
            "counts": counts,
            "limits": {
                "x": symmetric_limit(x),
                "weights": symmetric_limit(
                    np.concatenate(
                        [a.ravel() for a in (weight, depthwise, pointwise, *biases.values())]
                    )  # fmt: skip
                ),
                "products": symmetric_limit(
                    np.concatenate([products_standard.ravel(), products_depthwise.ravel()])
                ),
                "values": symmetric_limit(np.concatenate([a.ravel() for a in values])),
                "standard": symmetric_limit(y_standard),
                "depth-wise": symmetric_limit(z),
                "separable": symmetric_limit(y_separable),
            },
        }
        controls = [
            {"name": "mode", "label": "layer", "kind": "select", "options": list(MODES),
             "row": 0},
            {"name": "out_channel", "label": "output channel o", "kind": "range", "min": 0,
             "max": max(c_in, c_out) - 1, "step": 1, "row": 0},
            {"name": "row", "label": "row i", "kind": "range", "min": 0, "max": ho - 1,
             "step": 1, "row": 1},
            {"name": "col", "label": "column j", "kind": "range", "min": 0, "max": wo - 1,
             "step": 1, "row": 1},
        ]  # fmt: skip
        arrays = {
            "x": x,
            "W": weight,
            "D": depthwise[:, 0],
            "P": pointwise,
            "b": biases["b"],
            "b_D": biases["b_D"],
            "b_P": biases["b_P"],
            "products_standard": products_standard,
            "products_depthwise": products_depthwise,
            "share": share,
            "window_sums": window_sums,
            "z": z,
            "mixed": mixed,
            "y_standard": y_standard,
            "y_separable": y_separable,
            "lut": lut("RdBu_r"),
        }
        state = {"mode": "standard", "out_channel": 0, "row": 0, "col": 0}
        super().__init__(controls=controls, arrays=arrays, state=state, meta=meta)
        #: The input, the weights and the biases (float64; zeros when ``bias=False``).
        self.x = x
        self.weight = weight
        self.depthwise_weight = depthwise
        self.pointwise_weight = pointwise
        self.biases = biases
        #: The depth-wise step's output ``z`` (the depth-wise layer's output, too).
        self.z = z
        #: Every layer's whole output, by convtutor: mode -> ``(C, H - k + 1, W - k + 1)``.
        self.outputs = {"standard": y_standard, "depth-wise": z, "separable": y_separable}

    @staticmethod
    def _image(image, k: int) -> np.ndarray:
        try:
            x = np.array(image, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"image must be an array of numbers of shape (C_in, H, W); got "
                f"{type(image).__name__} ({error})"
            ) from None
        if (
            x.ndim != 3
            or not 1 <= x.shape[0] <= PixelProvenance.MAX_CHANNELS
            or not k <= min(x.shape[1:])
            or max(x.shape[1:]) > PixelProvenance.MAX_SIZE
        ):
            raise ValueError(
                f"image must have shape (C_in, H, W) with 1 to {PixelProvenance.MAX_CHANNELS} "
                f"channels and H, W from kernel_size = {k} to {PixelProvenance.MAX_SIZE}; "
                f"got shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise ValueError("image must hold finite numbers; got NaN or infinity")
        return x

    # ---- state ----------------------------------------------------------------------
    def limits(self, state, name):
        if name == "out_channel":
            return 0, self._out_max(state["mode"])
        return super().limits(state, name)

    def _out_max(self, mode: str) -> int:
        meta = self.meta
        return (meta["channels"] if mode == "depth-wise" else meta["out_channels"]) - 1

    def normalise(self, state: dict, changed: str | None) -> dict:
        """Mirror of the module's ``normalise``: the output channel stays in range."""
        s = dict(state)
        s["out_channel"] = min(s["out_channel"], self._out_max(s["mode"]))
        return s

    def output(self, mode: str | None = None) -> np.ndarray:
        """The whole output of layer ``mode`` (default: the one shown), convtutor's float64."""
        mode = self.values["mode"] if mode is None else mode
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}; got {mode!r}")
        return self.outputs[mode].copy()

    def value(self) -> float:
        """The output value of the chosen pixel, convtutor's float64."""
        s = self.values
        return float(self.outputs[s["mode"]][s["out_channel"], s["row"], s["col"]])

    def block(self) -> np.ndarray:
        """The input values the chosen pixel reads: ``(C_in, k, k)``, or ``(1, k, k)`` for
        the depth-wise layer (its own channel only)."""
        s = self.values
        k, i, j = self.meta["k"], s["row"], s["col"]
        block = self.x[:, i : i + k, j : j + k]
        if s["mode"] == "depth-wise":
            block = block[s["out_channel"] : s["out_channel"] + 1]
        return block.copy()

    def used_channels(self, state: dict | None = None) -> list:
        """The input channels the chosen pixel reads."""
        s = self.values if state is None else state
        if s["mode"] == "depth-wise":
            return [s["out_channel"]]
        return list(range(self.meta["channels"]))

    # ---- what is shown (mirror of pixel_provenance.js) ---------------------------------
    def _grid(self, img, ox, oy, values, limit, cell, faded=False) -> None:
        """One slice: grid lines every ``cell`` pixels from ``(ox, oy)``, each cell's
        inside (``cell - 1`` pixels square) in its value's colour. The module fills the
        same rectangles one by one; this paints them at once."""
        rgb = self.data["lut"][lut_index(values, -limit, limit)].astype(np.int64)
        grid = np.array(GRID_RGB)
        if faded:
            rgb, grid = (rgb + 510) // 3, (grid + 510) // 3  # as _fade
        rows, cols = values.shape
        block = img[oy : oy + rows * cell + 1, ox : ox + cols * cell + 1, :3]
        block[:-1, :-1] = rgb.repeat(cell, axis=0).repeat(cell, axis=1)
        block[::cell, :] = grid
        block[:, ::cell] = grid

    def _drawing(self, planes, limit, cell, used, box) -> np.ndarray:
        """Slices side by side; ``used`` slices get ``box`` (rows, cols of cells) outlined,
        the others are faded."""
        n, rows, cols = planes.shape
        width, height = slices_size(self.meta, n, rows, cols, cell)
        img = np.empty((height, width, 4), dtype=np.uint8)
        img[..., :3] = BLANK_RGB
        img[..., 3] = 255
        (r0, r1), (q0, q1) = box
        for c in range(n):
            ox, oy = slice_origin(c, cols, cell)
            self._grid(img, ox, oy, planes[c], limit, cell, faded=c not in used)
            if c in used:
                _frame(img, ox + q0 * cell, oy + r0 * cell, ox + q1 * cell, oy + r1 * cell)
        return img

    def _cells(self, values, family: str) -> list:
        limit = self.meta["limits"][family]
        return table_cells(np.asarray(values, dtype=np.float64), -limit, limit, self.data["lut"])

    def view(self, state: dict | None = None) -> dict:
        s = self.values if state is None else state
        meta, d = self.meta, self.data
        mode, o, i, j = s["mode"], s["out_channel"], s["row"], s["col"]
        n, k, h, w = meta["channels"], meta["k"], meta["height"], meta["width"]
        ho, wo, bias = meta["out_height"], meta["out_width"], meta["bias"]
        used = self.used_channels(s)
        lims = meta["limits"]
        f = format_number
        x = d["x"]
        if mode == "standard":
            y = d["y_standard"][o]
        elif mode == "depth-wise":
            y = d["z"][o]
        else:
            y = d["y_separable"][o]
        value = float(y[i, j])
        key = f"blue −{f(lims[mode], 2)} · white 0 · red +{f(lims[mode], 2)}"
        xkey = f"blue −{f(lims['x'], 2)} · white 0 · red +{f(lims['x'], 2)}"
        panels = [
            {
                "name": "input",
                "title": f"input x: {n} channel{'s' if n > 1 else ''} of {h}×{w}"
                f"{f', channel 0 to {n - 1} from the left' if n > 1 else ''}\n{xkey}",
                "rgba": self._drawing(x, lims["x"], meta["cell"], used, ((i, i + k), (j, j + k))),
                "scale": 1,
            },
            {
                "name": "output",
                "title": f"output y[{o}]: {ho}×{wo} ({mode})\n{key}",
                "rgba": self._drawing(
                    y[None], lims[mode], meta["out_cell"], [0], ((i, i + 1), (j, j + 1))
                ),  # fmt: skip
                "scale": 1,
            },
        ]
        for c in range(n):
            row = 1 + c
            if c not in used:
                panels += [{"name": f"{part}_{c}", "row": row, "hidden": True, "title": ""}
                           for part in ("window", "weight", "products", "sum")]  # fmt: skip
                continue
            window = x[c, i : i + k, j : j + k]
            if mode == "standard":
                kernel, kname = d["W"][o, c], f"W[{o}, {c}]"
                products = d["products_standard"][o, i, j, c]
                total = d["share"][o, c, i, j]
            else:
                kernel, kname = d["D"][c], f"D[{c}]"
                products = d["products_depthwise"][c, i, j]
                total = d["window_sums"][c, i, j]
            # without a bias, a separable layer's window sum is z[c, i, j]
            named = mode == "separable" and not bias
            sum_title = f"→ z[{c}, {i}, {j}]\n" if named else "→ sum\n"
            sum_title += f"{'sum ' if named else ''}of the {k * k}"
            panels += [
                {
                    "name": f"window_{c}",
                    "row": row,
                    "kind": "table",
                    "title": f"channel {c} window\nx[{c}, {i}:{i + k}, {j}:{j + k}]",
                    "cells": self._cells(window, "x"),
                },
                {
                    "name": f"weight_{c}",
                    "row": row,
                    "kind": "table",
                    "title": f"× weights\n{kname}",
                    "cells": self._cells(kernel, "weights"),
                },
                {
                    "name": f"products_{c}",
                    "row": row,
                    "kind": "table",
                    "title": "= products\nentry by entry",
                    "cells": self._cells(products, "products"),
                },
                {
                    "name": f"sum_{c}",
                    "row": row,
                    "kind": "table",
                    "title": sum_title,
                    "cells": self._cells([[total]], "values"),
                },
            ]
        # ---- the total ----
        last = 1 + n
        if mode == "separable":
            zrgba = self._drawing(d["z"], lims["depth-wise"], meta["z_cell"], list(range(n)),
                                  ((i, i + 1), (j, j + 1)))  # fmt: skip
            title = f"z = D ⋆ x: {n}×{ho}×{wo}, after the\ndepth-wise step; z[·, {i}, {j}] outlined"
            panels.append({"name": "z", "row": last, "scale": 1, "rgba": zrgba, "title": title})
        else:
            panels.append({"name": "z", "row": last, "hidden": True, "title": ""})
        blank = _label("")
        yname = f"y[{o}, {i}, {j}]"
        if mode == "standard":
            head = [_label(f"channel {c}") for c in range(n)]
            cells = self._cells([[d["share"][o, c, i, j] for c in range(n)]], "values")[0]
            if bias:
                head.append(_label(f"bias b[{o}]"))
                cells += self._cells([[d["b"][o]]], "weights")[0]
            head.append(_label(yname))
            cells += self._cells([[value]], "values")[0]
            rows = [head, cells]
            title = f"{yname} = the channel sums added" + (" + the bias" if bias else "")
        elif mode == "depth-wise":
            head = [_label(f"channel {o}")]
            cells = self._cells([[d["window_sums"][o, i, j]]], "values")[0]
            if bias:
                head.append(_label(f"bias b_D[{o}]"))
                cells += self._cells([[d["b_D"][o]]], "weights")[0]
            head.append(_label(yname))
            cells += self._cells([[value]], "values")[0]
            rows = [head, cells]
            title = (
                f"{yname} = channel {o}'s sum"
                + (" + the bias" if bias else "")
                + " (no other channel)"
            )
        else:
            extra = 2 if bias else 1
            pad = [blank] * extra
            head = [blank, *(_label(f"channel {c}") for c in range(n))]
            head += [_label(f"bias b_P[{o}]")] if bias else []
            head.append(_label(yname))
            rows = [head]
            if bias:
                rows.append([_label("window sum"),
                             *self._cells([[d["window_sums"][c, i, j] for c in range(n)]],
                                          "values")[0], *pad])  # fmt: skip
                rows.append([_label("+ b_D[c]"), *self._cells([d["b_D"]], "weights")[0], *pad])
            rows.append([_label(f"z[c, {i}, {j}]"),
                         *self._cells([[d["z"][c, i, j] for c in range(n)]], "values")[0],
                         *pad])  # fmt: skip
            rows.append([_label(f"× P[{o}, c]"), *self._cells([d["P"][o]], "weights")[0], *pad])
            products_row = [_label("= product"),
                            *self._cells([[d["mixed"][o, c, i, j] for c in range(n)]],
                                         "values")[0]]  # fmt: skip
            if bias:
                products_row += self._cells([[d["b_P"][o]]], "weights")[0]
            products_row += self._cells([[value]], "values")[0]
            rows.append(products_row)
            title = f"point-wise step: {yname} = Σ_c P[{o}, c] · z[c, {i}, {j}]"
            title += f" + b_P[{o}]" if bias else ""
        panels.append({"name": "total", "row": last, "kind": "table", "title": title,
                       "cells": rows})  # fmt: skip
        texts = self._texts(s, value)
        return {"panels": panels, "texts": texts}

    def figure(self, state: dict | None = None):
        """The PNG fallback, laid out as the page is: the input and the output, a row of
        tables per channel taking part, then the total (and ``z`` for separable)."""
        v = self.view(state)
        shown = {p["name"]: p for p in v["panels"] if not p.get("hidden")}
        channels = [c for c in range(self.meta["channels"]) if f"window_{c}" in shown]
        lines = text_lines(v["texts"].values(), 120, break_on_hyphens=False)
        heights = [2.2, *([1.5] * len(channels)), 1.9]
        text_height = 0.17 * len(lines) + 0.15
        fig = new_figure(sum(heights) + text_height)
        bottom = text_height / fig.get_figheight()
        grid = fig.add_gridspec(
            len(heights), 4, height_ratios=heights, left=0.02, right=0.98, top=0.96,
            bottom=bottom + 0.01, hspace=0.7, wspace=0.15,
        )  # fmt: skip
        places = {"input": grid[0, 0:3], "output": grid[0, 3]}
        for r, c in enumerate(channels, start=1):
            for column, part in enumerate(("window", "weight", "products", "sum")):
                places[f"{part}_{c}"] = grid[r, column]
        if "z" in shown:
            places["z"], places["total"] = grid[-1, 0:2], grid[-1, 2:4]
        else:
            places["total"] = grid[-1, :]
        for name, place in places.items():
            p = shown[name]
            ax = fig.add_subplot(place)
            ax.set_axis_off()
            ax.set_title(p["title"], fontsize=8)
            if "rgba" in p:
                ax.imshow(p["rgba"], interpolation="nearest")
                continue
            cells = p["cells"]
            # columns as wide as their longest text (a lone sum does not fill the panel)
            room = [max(len(row[q]["text"]) for row in cells) + 3 for q in range(len(cells[0]))]
            draw_table(ax, cells, scale=1.2, col_widths=[r / max(sum(room), 12) for r in room])
        draw_texts(fig, lines, bottom, step=0.17)
        return fig

    def _texts(self, s: dict, value: float) -> dict:
        meta, d = self.meta, self.data
        mode, o, i, j = s["mode"], s["out_channel"], s["row"], s["col"]
        n, k, c_out, bias = meta["channels"], meta["k"], meta["out_channels"], meta["bias"]
        counts = meta["counts"]
        f = format_number
        rows = f"rows {i} to {i + k - 1} and columns {j} to {j + k - 1}"
        yname = f"y[{o}, {i}, {j}]"
        if mode == "standard":
            rule = (
                "Standard: y[o, i, j] = Σ_c Σ_u Σ_v W[o, c, u, v] · x[c, i+u, j+v]"
                + (" + b[o]" if bias else "")
                + f". Every output channel adds up all {n} input channels."
            )
            block = (
                f"{yname} reads {rows} of every input channel (outlined): "
                f"{k}×{k}×{n} = {counts['standard_one']} input values, each times its own "
                "weight."
            )
            total = " + ".join(_term(d["share"][o, c, i, j], first=c == 0) for c in range(n))
            if bias:
                total += f" + bias {_term(d['b'][o])}"
            numbers = f"{yname} = {total} = {f(value)}: the value of the outlined output pixel."
            cost = (
                f"{counts['standard_one']} multiplications make this output value. At this "
                f"pixel, the layer's {_count(c_out, 'output channel')} take"
                f"{'s' if c_out == 1 else ''} {counts['standard_all']}."
            )
        elif mode == "depth-wise":
            rule = (
                "Depth-wise: y[c, i, j] = Σ_u Σ_v D[c, u, v] · x[c, i+u, j+v]"
                + (" + b_D[c]" if bias else "")
                + ". Output channel c reads input channel c only: no sum over channels."
            )
            block = (
                f"{yname} reads {rows} of input channel {o} only (outlined): "
                f"{k}×{k} = {counts['depthwise_one']} input values."
            )
            others = [c for c in range(n) if c != o]
            if others:
                one = len(others) == 1
                block += (
                    f" {'Channel' if one else 'Channels'} {_list(others)} (faded) "
                    f"{'takes' if one else 'take'} no part in it: each makes its own output "
                    "channel."
                )
            if bias:
                numbers = (
                    f"{yname} = {f(d['window_sums'][o, i, j])} + bias {_term(d['b_D'][o])} "
                    f"= {f(value)}: the value of the outlined output pixel."
                )
            else:
                numbers = (
                    f"{yname} = {f(value)}: the sum of channel {o}'s products is the output value."
                )
            cost = (
                f"{counts['depthwise_one']} multiplications make this output value. At this "
                f"pixel, the layer's {_count(n, 'output channel')} take"
                f"{'s' if n == 1 else ''} {counts['depthwise_all']}."
            )
        else:
            rule = (
                "Separable, in two steps. Depth-wise: z[c, i, j] = Σ_u Σ_v D[c, u, v] · "
                "x[c, i+u, j+v]" + (" + b_D[c]" if bias else "") + ", each channel on its "
                "own. Point-wise: y[o, i, j] = Σ_c P[o, c] · z[c, i, j]"
                + (" + b_P[o]" if bias else "")
                + "."
            )
            block = (
                f"Step 1 reads {rows} of every input channel (outlined), each channel on "
                f"its own: the window sum{'s' if n > 1 else ''} z[c, {i}, {j}]. "
                f"Step 2 mixes them with row {o} of P."
            )
            total = " + ".join(
                f"{_term(d['P'][o, c], first=c == 0)}·{_term(d['z'][c, i, j])}" for c in range(n)
            )
            if bias:
                total += f" + bias {_term(d['b_P'][o])}"
            numbers = f"{yname} = {total} = {f(value)}: the value of the outlined output pixel."
            cost = (
                f"The window sums z[c, {i}, {j}] take {counts['depthwise_all']} "
                f"multiplications, shared by the layer's {_count(c_out, 'output channel')}; "
                f"each output channel adds {counts['pointwise_one']}. At this pixel the "
                f"separable layer takes {counts['separable_all']} multiplications in all, a "
                f"standard layer {counts['standard_all']}."
            )
        return {"rule": rule, "block": block, "numbers": numbers, "cost": cost}


def _label(text: str) -> dict:
    """A table cell that names a row or a column: black on white."""
    return {"text": text, "bg": "#ffffff", "fg": "#000000"}


def _term(v, first: bool = False) -> str:
    """A number in a sum: negative numbers in brackets, except at the start."""
    text = format_number(float(v))
    return text if first or not text.startswith("-") else f"({text})"


def _count(n: int, word: str) -> str:
    """1, "channel" -> "1 channel"; 2, "channel" -> "2 channels"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _list(items) -> str:
    """0 -> "0"; 0, 2 -> "0 and 2"; 0, 1, 3 -> "0, 1 and 3"."""
    words = [str(i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
