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
    fill_template,
    format_count,
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
    #: Every word the page shows, written once (``meta["text"]``): Python's :meth:`view`
    #: and the module fill the same templates. A key ending in ``_one`` is the form for a
    #: count of 1 (:func:`_counted`); a ``{bias}`` slot takes a ``*_bias*`` entry or "".
    TEXT = {
        # the controls and the output drawing's keyboard
        "out_channel_label": "output channel {symbol}",
        "output_hint": "Click a cell, or use the arrow keys, to pick the output pixel.",
        # the drawings
        "colour_key": "blue −{limit} · white 0 · red +{limit}",
        "input_title": "input x: {n} channels of {h}×{w}, channel 0 to {last} from the left\n{key}",
        "input_title_one": "input x: {n} channel of {h}×{w}\n{key}",
        "output_title": "output y[{o}]: {h}×{w} ({mode})\n{key}",
        "z_title": "z = D ⋆ x: {n}×{h}×{w}, after the\ndepth-wise step; z[·, {i}, {j}] outlined",
        # a channel's row of tables
        "window_title": "channel {c} window\nx[{c}, {i}:{i_end}, {j}:{j_end}]",
        "weight_title_standard": "× weights\nW[{o}, {c}]",
        "weight_title_depthwise": "× weights\nD[{c}]",
        "products_title": "= products\nentry by entry",
        "sum_title": "→ sum\nof the {n}",
        "sum_title_z": "→ z[{c}, {i}, {j}]\nsum of the {n}",
        # the total
        "y_name": "y[{o}, {i}, {j}]",
        "channel": "channel {c}",
        "head_bias": "bias b[{o}]",
        "head_bias_D": "bias b_D[{o}]",
        "head_bias_P": "bias b_P[{o}]",
        "row_window_sum": "window sum",
        "row_bias_D": "+ b_D[c]",
        "row_z": "z[c, {i}, {j}]",
        "row_weights": "× P[{o}, c]",
        "row_products": "= product",
        "total_standard": "{y} = the channel sums added{bias}",
        "total_depthwise": "{y} = channel {o}'s sum{bias} (no other channel)",
        "total_separable": "point-wise step: {y} = Σ_c P[{o}, c] · z[c, {i}, {j}]{bias}",
        "plus_the_bias": " + the bias",
        # the texts under the drawings
        "rule_standard": "Standard: y[o, i, j] = Σ_c Σ_u Σ_v W[o, c, u, v] · x[c, i+u, j+v]{bias}.",
        "rule_standard_all": "Every output channel adds up all {n} input channels.",
        "rule_standard_all_one": "Every output channel reads the only input channel.",
        "rule_depthwise": (
            "Depth-wise: y[c, i, j] = Σ_u Σ_v D[c, u, v] · x[c, i+u, j+v]{bias}. Output "
            "channel c reads input channel c only: no sum over channels."
        ),
        "rule_separable": (
            "Separable, in two steps. Depth-wise: z[c, i, j] = Σ_u Σ_v D[c, u, v] · "
            "x[c, i+u, j+v]{bias_D}, each channel on its own. Point-wise: y[o, i, j] = "
            "Σ_c P[o, c] · z[c, i, j]{bias_P}."
        ),
        "formula_bias": " + b[{o}]",
        "formula_bias_D": " + b_D[{c}]",
        "formula_bias_P": " + b_P[{o}]",
        "rows": "rows {i} to {i_last} and columns {j} to {j_last}",
        "input_values": "{n} input values",
        "input_values_one": "{n} input value",
        "block_standard": (
            "{y} reads {rows} of every input channel (outlined): {k}×{k}×{channels} = "
            "{values}, each times its own weight."
        ),
        "block_depthwise": (
            "{y} reads {rows} of input channel {o} only (outlined): {k}×{k} = {values}."
        ),
        "others": "Channels {list} (faded) take no part in it: each makes its own output channel.",
        "others_one": (
            "Channel {list} (faded) takes no part in it: each makes its own output channel."
        ),
        "list": "{items} and {last}",
        "block_separable": (
            "Step 1 reads {rows} of every input channel (outlined), each channel on its own: "
            "the window sums z[c, {i}, {j}]. Step 2 mixes them with row {o} of P."
        ),
        "block_separable_one": (
            "Step 1 reads {rows} of every input channel (outlined), each channel on its own: "
            "the window sum z[c, {i}, {j}]. Step 2 weighs it with row {o} of P."
        ),
        "numbers": "{y} = {sum} = {value}: the value of the outlined output pixel.",
        "numbers_depthwise": (
            "{y} = {value}: the sum of channel {o}'s products is the output value."
        ),
        "bias_term": "bias {value}",
        "cost_value": "{n} multiplications make this output value.",
        "cost_value_one": "{n} multiplication makes this output value.",
        "cost_layer": "At this pixel, the layer's {n} output channels take {all}.",
        "cost_layer_one": "At this pixel, the layer's {n} output channel takes {all}.",
        "multiplications": "{n} multiplications",
        "multiplications_one": "{n} multiplication",
        "output_channels": "{n} output channels",
        "output_channels_one": "{n} output channel",
        "cost_separable": (
            "The window sums z[c, {i}, {j}] take {multiplications}, shared by the layer's "
            "{channels}; each output channel adds {pointwise}."
        ),
        "cost_separable_one": (
            "The window sum z[c, {i}, {j}] takes {multiplications}, shared by the layer's "
            "{channels}; each output channel adds {pointwise}."
        ),
        "cost_separable_all": (
            "At this pixel the separable layer takes {separable} multiplications in all, a "
            "standard layer {standard}."
        ),
    }
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
            {"name": "out_channel", "label": _say("out_channel_label", symbol="o"),
             "kind": "range", "min": 0, "max": max(c_in, c_out) - 1, "step": 1, "row": 0},
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
        f, num = format_number, format_count
        x = d["x"]
        if mode == "standard":
            y = d["y_standard"][o]
        elif mode == "depth-wise":
            y = d["z"][o]
        else:
            y = d["y_separable"][o]
        value = float(y[i, j])
        key = _say("colour_key", limit=f(lims[mode], 2))
        xkey = _say("colour_key", limit=f(lims["x"], 2))
        input_title = _say(_counted("input_title", n), n=num(n), h=num(h), w=num(w),
                           last=num(n - 1), key=xkey)  # fmt: skip
        panels = [
            {
                "name": "input",
                "title": input_title,
                "rgba": self._drawing(x, lims["x"], meta["cell"], used, ((i, i + k), (j, j + k))),
                "scale": 1,
            },
            {
                "name": "output",
                "title": _say("output_title", o=num(o), h=num(ho), w=num(wo), mode=mode, key=key),
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
                kernel = d["W"][o, c]
                weight_title = _say("weight_title_standard", o=num(o), c=num(c))
                products = d["products_standard"][o, i, j, c]
                total = d["share"][o, c, i, j]
            else:
                kernel = d["D"][c]
                weight_title = _say("weight_title_depthwise", c=num(c))
                products = d["products_depthwise"][c, i, j]
                total = d["window_sums"][c, i, j]
            # without a bias, a separable layer's window sum is z[c, i, j]
            named = mode == "separable" and not bias
            sum_title = _say("sum_title_z" if named else "sum_title", c=num(c), i=num(i),
                             j=num(j), n=num(k * k))  # fmt: skip
            window_title = _say("window_title", c=num(c), i=num(i), i_end=num(i + k), j=num(j),
                                j_end=num(j + k))  # fmt: skip
            panels += [
                {
                    "name": f"window_{c}",
                    "row": row,
                    "kind": "table",
                    "title": window_title,
                    "cells": self._cells(window, "x"),
                },
                {
                    "name": f"weight_{c}",
                    "row": row,
                    "kind": "table",
                    "title": weight_title,
                    "cells": self._cells(kernel, "weights"),
                },
                {
                    "name": f"products_{c}",
                    "row": row,
                    "kind": "table",
                    "title": _say("products_title"),
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
            title = _say("z_title", n=num(n), h=num(ho), w=num(wo), i=num(i), j=num(j))
            panels.append({"name": "z", "row": last, "scale": 1, "rgba": zrgba, "title": title})
        else:
            panels.append({"name": "z", "row": last, "hidden": True, "title": ""})
        blank = _label("")
        yname = _say("y_name", o=num(o), i=num(i), j=num(j))
        plus_bias = _say("plus_the_bias") if bias else ""
        if mode == "standard":
            head = [_label(_say("channel", c=num(c))) for c in range(n)]
            cells = self._cells([[d["share"][o, c, i, j] for c in range(n)]], "values")[0]
            if bias:
                head.append(_label(_say("head_bias", o=num(o))))
                cells += self._cells([[d["b"][o]]], "weights")[0]
            head.append(_label(yname))
            cells += self._cells([[value]], "values")[0]
            rows = [head, cells]
            title = _say("total_standard", y=yname, bias=plus_bias)
        elif mode == "depth-wise":
            head = [_label(_say("channel", c=num(o)))]
            cells = self._cells([[d["window_sums"][o, i, j]]], "values")[0]
            if bias:
                head.append(_label(_say("head_bias_D", o=num(o))))
                cells += self._cells([[d["b_D"][o]]], "weights")[0]
            head.append(_label(yname))
            cells += self._cells([[value]], "values")[0]
            rows = [head, cells]
            title = _say("total_depthwise", y=yname, o=num(o), bias=plus_bias)
        else:
            extra = 2 if bias else 1
            pad = [blank] * extra
            head = [blank, *(_label(_say("channel", c=num(c))) for c in range(n))]
            head += [_label(_say("head_bias_P", o=num(o)))] if bias else []
            head.append(_label(yname))
            rows = [head]
            if bias:
                rows.append([_label(_say("row_window_sum")),
                             *self._cells([[d["window_sums"][c, i, j] for c in range(n)]],
                                          "values")[0], *pad])  # fmt: skip
                rows.append([_label(_say("row_bias_D")), *self._cells([d["b_D"]], "weights")[0],
                             *pad])  # fmt: skip
            rows.append([_label(_say("row_z", i=num(i), j=num(j))),
                         *self._cells([[d["z"][c, i, j] for c in range(n)]], "values")[0],
                         *pad])  # fmt: skip
            rows.append([_label(_say("row_weights", o=num(o))),
                         *self._cells([d["P"][o]], "weights")[0], *pad])  # fmt: skip
            products_row = [_label(_say("row_products")),
                            *self._cells([[d["mixed"][o, c, i, j] for c in range(n)]],
                                         "values")[0]]  # fmt: skip
            if bias:
                products_row += self._cells([[d["b_P"][o]]], "weights")[0]
            products_row += self._cells([[value]], "values")[0]
            rows.append(products_row)
            title = _say("total_separable", y=yname, o=num(o), i=num(i), j=num(j),
                         bias=_say("formula_bias_P", o=num(o)) if bias else "")  # fmt: skip
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
        """The texts under the drawings (mirror of the module's ``texts``)."""
        meta, d = self.meta, self.data
        mode, o, i, j = s["mode"], s["out_channel"], s["row"], s["col"]
        n, k, c_out, bias = meta["channels"], meta["k"], meta["out_channels"], meta["bias"]
        counts = meta["counts"]
        f, num = format_number, format_count
        rows = _say("rows", i=num(i), i_last=num(i + k - 1), j=num(j), j_last=num(j + k - 1))
        yname = _say("y_name", o=num(o), i=num(i), j=num(j))
        if mode == "standard":
            rule = " ".join([
                _say("rule_standard", bias=_say("formula_bias", o="o") if bias else ""),
                _say(_counted("rule_standard_all", n), n=num(n)),
            ])  # fmt: skip
            values = _say(_counted("input_values", counts["standard_one"]),
                          n=num(counts["standard_one"]))  # fmt: skip
            block = _say("block_standard", y=yname, rows=rows, k=num(k), channels=num(n),
                         values=values)  # fmt: skip
            total = " + ".join(_term(d["share"][o, c, i, j], first=c == 0) for c in range(n))
            if bias:
                total += " + " + _say("bias_term", value=_term(d["b"][o]))
            numbers = _say("numbers", y=yname, sum=total, value=f(value))
            cost = _layer_cost(counts["standard_one"], c_out, counts["standard_all"])
        elif mode == "depth-wise":
            rule = _say("rule_depthwise", bias=_say("formula_bias_D", c="c") if bias else "")
            values = _say(_counted("input_values", counts["depthwise_one"]),
                          n=num(counts["depthwise_one"]))  # fmt: skip
            block = _say("block_depthwise", y=yname, rows=rows, o=num(o), k=num(k),
                         values=values)  # fmt: skip
            others = [c for c in range(n) if c != o]
            if others:
                block += " " + _say(_counted("others", len(others)), list=_list(others))
            if bias:
                bias_term = _say("bias_term", value=_term(d["b_D"][o]))
                total = f(d["window_sums"][o, i, j]) + " + " + bias_term
                numbers = _say("numbers", y=yname, sum=total, value=f(value))
            else:
                numbers = _say("numbers_depthwise", y=yname, value=f(value), o=num(o))
            cost = _layer_cost(counts["depthwise_one"], n, counts["depthwise_all"])
        else:
            rule = _say(
                "rule_separable",
                bias_D=_say("formula_bias_D", c="c") if bias else "",
                bias_P=_say("formula_bias_P", o="o") if bias else "",
            )
            block = _say(_counted("block_separable", n), rows=rows, i=num(i), j=num(j), o=num(o))
            total = " + ".join(
                f"{_term(d['P'][o, c], first=c == 0)}·{_term(d['z'][c, i, j])}" for c in range(n)
            )
            if bias:
                total += " + " + _say("bias_term", value=_term(d["b_P"][o]))
            numbers = _say("numbers", y=yname, sum=total, value=f(value))
            cost = " ".join([
                _say(
                    _counted("cost_separable", n),
                    i=num(i),
                    j=num(j),
                    multiplications=_say(_counted("multiplications", counts["depthwise_all"]),
                                         n=num(counts["depthwise_all"])),
                    channels=_say(_counted("output_channels", c_out), n=num(c_out)),
                    pointwise=num(counts["pointwise_one"]),
                ),
                _say("cost_separable_all", separable=num(counts["separable_all"]),
                     standard=num(counts["standard_all"])),
            ])  # fmt: skip
        return {"rule": rule, "block": block, "numbers": numbers, "cost": cost}


def _say(entry: str, /, **slots: str) -> str:
    """``PixelProvenance.TEXT[entry]`` filled with ``slots`` (the module's ``say``)."""
    return fill_template(PixelProvenance.TEXT[entry], **slots)


def _counted(key: str, n: int) -> str:
    """The key of ``key``'s form for a count ``n``: ``key + "_one"`` for 1, else ``key``."""
    return f"{key}_one" if n == 1 else key


def _layer_cost(one: int, channels: int, every: int) -> str:
    """'{one} multiplications make this output value. At this pixel, the layer's
    {channels} output channels take {every}.' (each in its form for a count of 1)."""
    return " ".join([
        _say(_counted("cost_value", one), n=format_count(one)),
        _say(_counted("cost_layer", channels), n=format_count(channels), all=format_count(every)),
    ])  # fmt: skip


def _label(text: str) -> dict:
    """A table cell that names a row or a column: black on white."""
    return {"text": text, "bg": "#ffffff", "fg": "#000000"}


def _term(v, first: bool = False) -> str:
    """A number in a sum: negative numbers in brackets, except at the start."""
    text = format_number(float(v))
    return text if first or not text.startswith("-") else f"({text})"


def _list(items) -> str:
    """0 -> "0"; 0, 2 -> "0 and 2"; 0, 1, 3 -> "0, 1 and 3" (the words: TEXT["list"])."""
    words = [format_count(i) for i in items]
    if len(words) == 1:
        return words[0]
    return _say("list", items=", ".join(words[:-1]), last=words[-1])
