"""PixelProvenance: every number shown is convtutor's, on every output pixel of every mode.

The grid is small (3 modes x 2 or 3 output channels x 6 x 6 pixels), so the tests walk
all of it: each window, weight, product, channel sum and output the page shows must be
convtutor's own float64 number (``ct.conv2d``, ``ct.depthwise_conv2d``,
``ct.pointwise_conv2d``, ``ct.separable_conv2d``; PyTorch agrees), the outlined block
must be exactly the window's cells of the channels that take part, and the ES module
must equal Python on every state (Node).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets._base import STATIC, format_number, lut, lut_index
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.pixel_provenance import MODES, PixelProvenance
from tests.support.cases import cases
from tests.support.optional_torch import F, torch
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    expected_view,
    needs_node,
    raises_naming,
    run_node,
)

#: The widgets the tests walk: the default, one with biases, the largest, a 1-channel one.
CONFIGS = {
    "default": {},
    "bias": {"bias": True},
    "largest": {"channels": 4, "size": 10, "kernel_size": 5, "out_channels": 4, "bias": True},
    "one_channel": {"channels": 1, "size": 5, "kernel_size": 2, "out_channels": 1, "seed": 3},
}


class Walk:
    """One config's widget and Python's view of every one of its states, each computed
    ONCE and read by every test that needs it (the numbers, the outlines, the Node
    fixture): a view is a pure function of the state, so reading it again gives nothing
    more. Kept as :func:`expected_view` gives it (each shown picture as its SHA-256, the
    form the Node test compares) and, for each distinct picture, what
    :func:`test_outlined_block_is_the_window_of_the_channels_used` reads off its pixels
    (:func:`measure`): equal digests, equal bytes, equal readings."""

    def __init__(self, name: str):
        self.name = name
        self.widget = PixelProvenance(**CONFIGS[name])
        self.initial = self.widget.state
        self._views: dict = {}
        self.frames: dict = {}  # state key -> {picture name: digest}, as Widget.frames's keys
        self.readings: dict = {}  # (picture name, digest) -> measure(...)

    def view(self, s: dict) -> dict:
        """Python's view of state ``s``, pictures as digests; computed on the first ask."""
        key = state_key(s)
        if key not in self._views:
            full = self.widget.view(s)
            shown = expected_view(full)
            frames = {}
            for p, q in zip(full["panels"], shown["panels"], strict=True):
                if "rgba" not in p:
                    continue
                digest = q.get("sha256") or hashlib.sha256(p["rgba"].tobytes()).hexdigest()
                frames[p["name"]] = digest
                if (p["name"], digest) not in self.readings:
                    self.readings[p["name"], digest] = measure(p["name"], p["rgba"], self.widget)
            self._views[key] = shown
            self.frames[key] = frames
        return self._views[key]

    @functools.cached_property
    def states(self) -> list:
        """Every state (:func:`every_state`), each with its view computed."""
        states = list(every_state(self.widget))
        for s in states:
            self.view(s)
        return states


def state_key(s: dict) -> tuple:
    return tuple(sorted(s.items()))


# Under ``pytest -n`` (make test) this file's tests run on one worker (GROUPS in
# tests/conftest.py), so that each view is computed once in all.


@pytest.fixture(scope="module")
def walks():
    """Config name -> its :class:`Walk`, made on first use, shared by this module's tests."""
    made = {}

    def get(name: str) -> Walk:
        if name not in made:
            made[name] = Walk(name)
        return made[name]

    return get


@pytest.fixture(scope="module", params=list(CONFIGS))
def walk(request, walks):
    return walks(request.param)


@pytest.fixture(scope="module")
def widget(walk):
    return walk.widget


@pytest.fixture(scope="module")
def default():
    return PixelProvenance()


def every_state(w):
    """Every (mode, output channel, row, col) of ``w``."""
    meta = w.meta
    for mode in MODES:
        top = meta["channels"] if mode == "depth-wise" else meta["out_channels"]
        for o in range(top):
            for i in range(meta["out_height"]):
                for j in range(meta["out_width"]):
                    yield {"mode": mode, "out_channel": o, "row": i, "col": j}


def panel(view, name):
    return next(p for p in view["panels"] if p["name"] == name)


def texts_of(p):
    return [[c["text"] for c in row] for row in p["cells"]]


def numbers(values):
    return [[format_number(v) for v in row] for row in np.atleast_2d(values)]


def references(w):
    """convtutor's float64 results for w's input and weights."""
    x, W, D, P = w.x, w.weight, w.depthwise_weight, w.pointwise_weight
    b = w.biases
    bias = w.meta["bias"]
    n = x.shape[0]
    z = ct.depthwise_conv2d(x, D, b["b_D"] if bias else None)
    return {
        "standard": ct.conv2d(x, W, b["b"] if bias else None),
        "depth-wise": ct.depthwise_conv2d(x, D, b["b_D"] if bias else None),
        "separable": ct.separable_conv2d(
            x,
            D,
            P,
            depthwise_bias=b["b_D"] if bias else None,
            pointwise_bias=b["b_P"] if bias else None,
        ),  # fmt: skip
        # channel c's share of a standard output: that channel alone, no bias
        "share": [ct.conv2d(x[c : c + 1], W[:, c : c + 1]) for c in range(n)],
        "window_sum": ct.depthwise_conv2d(x, D),
        "z": z,
        # P[o, c] * z[c], the point-wise step of channel c alone: mixed[o][c][0, i, j]
        "mixed": [
            [ct.pointwise_conv2d(z[c : c + 1], P[o : o + 1, c : c + 1]) for c in range(n)]
            for o in range(P.shape[0])
        ],
    }


def test_every_number_shown_is_convtutors(walk):
    """Windows, weights, products, channel sums, the total and the sum written out:
    on every output pixel of every mode, each equals convtutor's float64 number."""
    w = walk.widget
    k, n = w.meta["k"], w.meta["channels"]
    ref = references(w)
    x, W, D, P = w.x, w.weight, w.depthwise_weight[:, 0], w.pointwise_weight
    checked = 0
    for s in every_state(w):
        mode, o, i, j = s["mode"], s["out_channel"], s["row"], s["col"]
        v = walk.view(s)
        used = [o] if mode == "depth-wise" else list(range(n))
        shown_sums = []
        for c in range(n):
            if c not in used:
                assert all(panel(v, f"{p}_{c}").get("hidden") for p in ("window", "weight",
                           "products", "sum"))  # fmt: skip
                continue
            window = x[c, i : i + k, j : j + k]
            kernel = W[o, c] if mode == "standard" else D[c]
            assert texts_of(panel(v, f"window_{c}")) == numbers(window)
            assert texts_of(panel(v, f"weight_{c}")) == numbers(kernel)
            assert texts_of(panel(v, f"products_{c}")) == numbers(window * kernel)
            want = ref["share"][c][o, i, j] if mode == "standard" else ref["window_sum"][c, i, j]
            assert texts_of(panel(v, f"sum_{c}")) == numbers(want)
            # a student adding the products shown finds the sum shown
            assert (window * kernel).sum() == pytest.approx(want, abs=1e-9)
            shown_sums.append(want)
        value = ref[mode][o, i, j]
        total = texts_of(panel(v, "total"))
        assert total[-1][-1] == format_number(value)
        if mode == "standard":
            assert total[1][:n] == numbers(shown_sums)[0]
            bias = w.biases["b"][o]
            assert sum(shown_sums) + bias == pytest.approx(value, abs=1e-9)
        elif mode == "depth-wise":
            assert total[1][0] == format_number(shown_sums[0])
        else:
            zs = ref["z"][:, i, j]
            z_row = next(row for row in total if row[0].startswith("z[c"))
            assert z_row[1 : n + 1] == numbers(zs)[0]
            p_row = next(row for row in total if row[0].startswith("× P"))
            assert p_row[1 : n + 1] == numbers(P[o])[0]
            mixed = [ref["mixed"][o][c][0, i, j] for c in range(n)]
            assert total[-1][1 : n + 1] == numbers(mixed)[0]
        check_sum_text(v["texts"]["numbers"], s, value)
        check_block_text(v["texts"]["block"], s, k)
        checked += 1
    assert checked == len(list(every_state(w)))


def check_sum_text(text, s, value):
    """'y[o, i, j] = a + (b) + bias c = v: ...': the terms add up to v, which is convtutor's."""
    name = f"y[{s['out_channel']}, {s['row']}, {s['col']}]"
    assert text.startswith(name + " = ")
    parts = text.split(":")[0][len(name) + 3 :].split(" = ")
    assert parts[-1] == format_number(value)
    if len(parts) == 2:
        total = 0.0
        for term in parts[0].split(" + "):
            factors = [float(f.strip("()")) for f in term.removeprefix("bias ").split("·")]
            total += float(np.prod(factors))
        assert total == pytest.approx(value, abs=1e-9)
    else:  # depth-wise without a bias: the sum is the value
        assert len(parts) == 1 and s["mode"] == "depth-wise"


def check_block_text(text, s, k):
    i, j = s["row"], s["col"]
    assert f"rows {i} to {i + k - 1} and columns {j} to {j + k - 1}" in text


def test_outputs_equal_pytorch(widget):
    """The three layers' outputs, as shipped, equal PyTorch's (float64)."""
    w = widget
    n = w.meta["channels"]
    t = lambda a: torch.from_numpy(np.asarray(a, dtype=np.float64))  # noqa: E731
    x = t(w.x)[None]
    b = w.biases if w.meta["bias"] else {k: None for k in w.biases}
    tb = {k: None if v is None else t(v) for k, v in b.items()}
    with torch.no_grad():
        standard = F.conv2d(x, t(w.weight), tb["b"])[0]
        z = F.conv2d(x, t(w.depthwise_weight), tb["b_D"], groups=n)
        separable = F.conv2d(z, t(w.pointwise_weight)[:, :, None, None], tb["b_P"])[0]
    for mode, want in (("standard", standard), ("depth-wise", z[0]), ("separable", separable)):
        np.testing.assert_allclose(w.output(mode), want.numpy(), rtol=0, atol=1e-12)
        shipped = w.data["y_standard" if mode == "standard" else
                          "z" if mode == "depth-wise" else "y_separable"]  # fmt: skip
        np.testing.assert_array_equal(shipped, want.numpy().astype(np.float32))


def test_default_numbers_are_small_integers(default):
    """Inputs -2..3, weights -2..2: every number shown is an integer a student can add."""
    w = default
    assert set(np.unique(w.x)) <= set(range(-2, 4))
    for a in (w.weight, w.depthwise_weight, w.pointwise_weight):
        assert set(np.unique(a)) <= set(range(-2, 3))
    for mode in MODES:
        out = w.output(mode)
        assert np.array_equal(out, np.round(out))
        assert np.abs(out).max() < 2**24  # exact in float32
    assert w.x.shape == (3, 8, 8) and w.weight.shape == (2, 3, 3, 3)


def cell_centre(meta, c, r, q, cols, cell):
    ox = meta["margin"] + c * (cols * cell + 1 + meta["gap"])
    return meta["margin"] + r * cell + cell // 2, ox + q * cell + cell // 2


def enclosed(black, meta, c, rows, cols, cell):
    """The cells of slice c whose centre lies inside the black outline's bounding box;
    ``black`` marks the picture's black pixels (RGB all 0)."""
    ox = meta["margin"] + c * (cols * cell + 1 + meta["gap"])
    left = max(ox - 2, 0)
    black = black[:, left : ox + cols * cell + 3]
    if not black.any():
        return set()
    ys, xs = np.nonzero(black)
    r, q = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    y, x = cell_centre(meta, c, r, q, cols, cell)
    inside = (ys.min() < y) & (y < ys.max()) & (left + xs.min() < x) & (x < left + xs.max())
    return {(int(a), int(b)) for a, b in zip(r[inside], q[inside], strict=True)}


def measure(name: str, rgba, w) -> dict:
    """What the outline test reads off picture ``name`` of ``w``'s view: for each slice,
    the cells the black outline encloses and (input) the colour at each cell's centre."""
    meta, n = w.meta, w.meta["channels"]
    shape = {
        "input": (n, meta["height"], meta["width"], meta["cell"]),
        "output": (1, meta["out_height"], meta["out_width"], meta["out_cell"]),
        "z": (n, meta["out_height"], meta["out_width"], meta["z_cell"]),
    }[name]
    slices, rows, cols, cell = shape
    # black: R, G and B all 0 (each pixel's 4 bytes read as one little-endian integer,
    # alpha masked off: one pass instead of three comparisons)
    black = (np.ascontiguousarray(rgba).view("<u4")[..., 0] & 0xFFFFFF) == 0
    reading = {"enclosed": [enclosed(black, meta, c, rows, cols, cell) for c in range(slices)]}
    if name == "input":
        r, q = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        reading["centres"] = [rgba[(*cell_centre(meta, c, r, q, cols, cell), slice(0, 3))]
                              for c in range(slices)]  # fmt: skip
    return reading


def test_outlined_block_is_the_window_of_the_channels_used(walk):
    """In the input drawing, the black outline encloses exactly rows i..i+k-1 and columns
    j..j+k-1 of each channel that takes part, and nothing of the others (which are
    faded); every cell shows its own value's colour. The output (and z) drawings
    outline exactly pixel (i, j)."""
    w = walk.widget
    meta, k, n = w.meta, w.meta["k"], w.meta["channels"]
    table = lut("RdBu_r")
    lims = meta["limits"]
    for s in walk.states:
        mode, o, i, j = s["mode"], s["out_channel"], s["row"], s["col"]
        # each picture of w.frames(s), read once per distinct picture (Walk)
        frames = {name: walk.readings[name, digest]
                  for name, digest in walk.frames[state_key(s)].items()}  # fmt: skip
        used = [o] if mode == "depth-wise" else list(range(n))
        window = {(r, q) for r in range(i, i + k) for q in range(j, j + k)}
        for c in range(n):
            got = frames["input"]["enclosed"][c]
            assert got == (window if c in used else set()), (s, c)
        # colours: cell (r, q) of slice c shows x[c, r, q] (faded where c takes no part)
        if s["row"] == 0 and s["col"] == 0:
            for c in range(n):
                rgb = table[lut_index(w.x[c], -lims["x"], lims["x"])].astype(int)
                if c not in used:
                    rgb = (rgb + 510) // 3
                centres = frames["input"]["centres"][c]
                np.testing.assert_array_equal(centres, rgb, err_msg=f"{s}, channel {c}")
        assert frames["output"]["enclosed"] == [{(i, j)}]
        if mode == "separable":
            assert frames["z"]["enclosed"] == [{(i, j)}] * n
        else:
            assert "z" not in frames


def test_output_drawing_shows_the_output(default):
    """Cell (r, q) of the output drawing has the colour of y[o, r, q] of the mode shown."""
    w = default
    meta = w.meta
    table = lut("RdBu_r")
    for mode in MODES:
        s = {"mode": mode, "out_channel": 1, "row": 5, "col": 5}
        y = w.output(mode)[1]
        lim = meta["limits"][mode]
        assert lim == np.abs(w.output(mode)).max()
        rgb = table[lut_index(y, -lim, lim)]
        picture = w.frames(s)["output"]
        for r in range(meta["out_height"]):
            for q in range(meta["out_width"]):
                yy, xx = cell_centre(meta, 0, r, q, meta["out_width"], meta["out_cell"])
                assert tuple(picture[yy, xx, :3]) == tuple(rgb[r, q])


def test_counts_are_conv_cost_and_the_products_shown(widget):
    """The multiplications the texts count are ct.conv_cost's, per output pixel, and
    equal the number of products the tables show."""
    w = widget
    m = w.meta
    n, c_out, k, counts = m["channels"], m["out_channels"], m["k"], m["counts"]
    assert counts == {
        "standard_all": c_out * n * k * k,
        "standard_one": n * k * k,
        "depthwise_all": n * k * k,
        "depthwise_one": k * k,
        "pointwise_one": n,
        "separable_all": n * k * k + c_out * n,
    }
    for mode, key in (("standard", "standard_one"), ("depth-wise", "depthwise_one"),
                      ("separable", "depthwise_all")):  # fmt: skip
        v = w.view({"mode": mode, "out_channel": 0, "row": 0, "col": 0})
        shown = sum(len(p["cells"]) * len(p["cells"][0]) for p in v["panels"]
                    if p["name"].startswith("products_") and not p.get("hidden"))  # fmt: skip
        assert shown == counts[key]
        assert str(counts[key]) in v["texts"]["cost"]


def test_texts_say_what_the_mode_does(default):
    """The texts say which input channels each mode uses and how the value is summed."""
    w = default
    v = w.view({"mode": "depth-wise", "out_channel": 1, "row": 2, "col": 3})
    assert "input channel 1 only" in v["texts"]["block"]
    assert "Channels 0 and 2 (faded) take no part" in v["texts"]["block"]
    assert v["texts"]["numbers"] == f"y[1, 2, 3] = {format_number(w.z[1, 2, 3])}: the sum of " \
        "channel 1's products is the output value."  # fmt: skip
    v = w.view({"mode": "separable", "out_channel": 0, "row": 2, "col": 3})
    assert "Step 2 mixes them with row 0 of P" in v["texts"]["block"]
    assert "33 multiplications in all, a standard layer 54" in v["texts"]["cost"]
    one = PixelProvenance(channels=2)
    v = one.view({"mode": "depth-wise", "out_channel": 0, "row": 0, "col": 0})
    assert "Channel 1 (faded) takes no part" in v["texts"]["block"]


def test_mode_switch_keeps_the_output_channel_in_range():
    """Switching the mode pulls the output channel back into the new mode's range."""
    w = PixelProvenance()  # C_in = 3, C_out = 2
    w.set(mode="depth-wise", out_channel=2, row=5, col=1)
    w.set(mode="standard")
    assert w.state == {"mode": "standard", "out_channel": 1, "row": 5, "col": 1}
    assert w.limits(w.state, "out_channel") == (0, 1)
    w.set(mode="separable", out_channel=0)
    assert w.limits(w.state, "out_channel") == (0, 1)


def test_helpers_return_convtutors_numbers(default):
    """value, block and used_channels return convtutor's numbers for the chosen pixel."""
    w = default
    w.set(mode="standard", out_channel=1, row=2, col=4)
    assert w.value() == ct.conv2d(w.x, w.weight)[1, 2, 4]
    np.testing.assert_array_equal(w.block(), w.x[:, 2:5, 4:7])
    assert (w.weight[1] * w.block()).sum() == w.value()
    w.set(mode="depth-wise", out_channel=2)
    np.testing.assert_array_equal(w.block(), w.x[2:3, 2:5, 4:7])
    assert w.used_channels() == [2]
    assert w.value() == ct.depthwise_conv2d(w.x, w.depthwise_weight)[2, 2, 4]
    w.set(mode="separable", out_channel=0)
    want = ct.separable_conv2d(w.x, w.depthwise_weight, w.pointwise_weight)[0, 2, 4]
    assert w.value() == want
    with pytest.raises(ValueError, match="mode must be one of 'standard'.*got 'grouped'"):
        w.output("grouped")
    w.set(mode="standard", out_channel=0, row=0, col=0)


def test_own_image():
    """A float input (say, a photo at 8 pixels) works; the numbers are still convtutor's."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    pixels = (ct.data.sample_image(64) * 255).round().astype(np.uint8)
    Image.fromarray(pixels.transpose(1, 2, 0)).save(buffer, format="PNG")
    photo = ct.data.load_image(buffer.getvalue(), size=8)  # as the docstring suggests
    w = PixelProvenance(photo, kernel_size=3)
    assert w.meta["channels"] == 3 and w.meta["out_height"] == 6
    np.testing.assert_allclose(w.output("standard"), ct.conv2d(photo, w.weight))
    v = w.view({"mode": "standard", "out_channel": 0, "row": 1, "col": 2})
    assert texts_of(panel(v, "window_0")) == numbers(photo[0, 1:4, 2:5].astype(np.float32))
    shown = float(texts_of(panel(v, "total"))[-1][-1])
    assert shown == pytest.approx(ct.conv2d(photo, w.weight)[0, 1, 2], abs=5e-4)


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'mode'"]),
        ({"mode": "grouped"}, ValueError, ["mode must be one of", "'grouped'"]),
        ({"out_channel": 2}, ValueError, ["out_channel must be between 0 and 1", "2"]),
        ({"row": 6}, ValueError, ["row must be between 0 and 5", "6"]),
        ({"col": -1}, ValueError, ["col must be between 0 and 5", "-1"]),
        ({"row": "top"}, TypeError, ["row must be a number", "'top'"]),
        ({"col": 1.5}, ValueError, ["col must be a multiple of 1"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(PixelProvenance(), values, error, words)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"image": np.zeros((3, 8))}, ValueError, ["image must have shape (C_in, H, W)", "(3, 8)"]),
        ({"image": np.zeros((5, 8, 8))}, ValueError, ["1 to 4 channels", "(5, 8, 8)"]),
        ({"image": np.zeros((3, 12, 12))}, ValueError, ["to 10", "(3, 12, 12)"]),
        ({"image": np.zeros((3, 2, 8))}, ValueError, ["kernel_size = 3", "(3, 2, 8)"]),
        ({"image": np.full((3, 8, 8), np.nan)}, ValueError, ["finite numbers"]),
        ({"image": [["a"]]}, TypeError, ["image must be an array of numbers"]),
        ({"kernel_size": 6}, ValueError, ["kernel_size must be from 1 to 5", "6"]),
        ({"kernel_size": 3.0}, TypeError, ["kernel_size must be an integer", "3.0"]),
        ({"out_channels": 0}, ValueError, ["out_channels must be from 1 to 4", "0"]),
        ({"channels": 5}, ValueError, ["channels must be from 1 to 4", "5"]),
        ({"size": 11}, ValueError, ["size must be from 3 to 10", "11"]),
        ({"size": 2}, ValueError, ["size must be from 3 to 10", "2"]),
        ({"bias": "yes"}, TypeError, ["bias must be True or False", "'yes'"]),
        ({"seed": -1}, ValueError, ["seed must be from 0", "-1"]),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, words):
    """A bad constructor argument raises an error that names it."""
    raises_naming(error, words, PixelProvenance, **kwargs)


def test_drawings_fit_the_column():
    """Input and output side by side fit 840 px for every allowed size; the z drawing
    leaves room for the point-wise table."""
    for n in range(1, 5):
        for side in (3, 6, 10):
            w = PixelProvenance(channels=n, size=side, kernel_size=3, out_channels=4)
            v = w.view({"mode": "separable", "out_channel": 0, "row": 0, "col": 0})
            frames = {p["name"]: p for p in v["panels"] if "rgba" in p}
            width = frames["input"]["rgba"].shape[1] + frames["output"]["rgba"].shape[1]
            assert width + 60 <= 840, (n, side, width)
            assert frames["z"]["rgba"].shape[1] <= 400
            assert w.meta["cell"] >= 10 and w.meta["out_cell"] == 20


def test_png_fallback_draws_every_panel_and_text(default):
    """The PNG fallback draws every visible panel and every text of the view."""
    w = default
    assert_png_fallback(w)
    w.set(mode="separable", row=1, col=2)
    try:
        fig = w.figure()
        v = w.view()
        visible = [p for p in v["panels"] if not p.get("hidden")]
        assert len(fig.axes) == len(visible) == 2 + 4 * 3 + 2
        titles = {ax.get_title() for ax in fig.axes}
        assert titles == {p["title"] for p in visible}
        assert_texts_drawn(fig, v["texts"])
        cells = {cell.get_text().get_text() for ax in fig.axes for t in ax.tables
                 for cell in t.get_celld().values()}  # fmt: skip
        assert format_number(w.value()) in cells
    finally:
        w.set(mode="standard", row=0, col=0)


def module_file(name: str) -> str:
    """The source of ``convtutor/widgets/static/NAME.js``."""
    return (STATIC / f"{name}.js").read_text(encoding="utf-8")


def test_output_drawing_keeps_its_keys_from_notebook_shortcuts():
    """The output drawing takes the arrow keys: like every control (common.js), it carries
    data-lm-suppress-shortcuts, which Notebook 7 and JupyterLab (Lumino) honour before any
    listener of the page runs."""
    source = module_file("pixel_provenance")
    canvas = re.search(r"const canvas = el\.querySelector\('([^']*)'\);", source)
    assert canvas and 'data-name="output"' in canvas.group(1)
    assert 'canvas.addEventListener("keydown"' in source
    assert 'canvas.setAttribute("data-lm-suppress-shortcuts", "true");' in source
    common = module_file("common")
    assert common.count('setAttribute("data-lm-suppress-shortcuts", "true")') >= 2


# ---- the ES module (Node) -------------------------------------------------------------
def write_fixtures(folder: Path, walks) -> int:
    """For each config: the cases() moves (for tests/js/widgets.test.mjs) in ``folder``,
    and every state with Python's view in ``folder/states`` (pixel_provenance.test.mjs).
    Each view is the config's :class:`Walk`'s, computed once per state."""
    (folder / "states").mkdir()
    moves = 0
    for name in CONFIGS:
        walk = walks(name)
        w = walk.widget
        w.values = dict(walk.initial)  # as a new widget: cases() starts from its state
        saved = saved_state(w)["state"][w.model_id]
        spec_max = w.controls["out_channel"]["max"]
        made = [
            {"start": s, "name": n, "value": v, "end": e, "view": walk.view(e)}
            for s, n, v, e in cases(w, per_control=12)
        ]
        moves += len(made)
        (folder / f"pixel_provenance_{name}.json").write_text(json.dumps(
            {"widget": f"pixel_provenance ({name})", "module": w.MODULE, "saved": saved,
             "moves": made}))  # fmt: skip
        states = []
        for s in walk.states:
            top = w.limits(s, "out_channel")[1]
            states.append({
                "state": s, "out_max": top,
                "from_channel": s["out_channel"] if s["out_channel"] < top else spec_max,
                "view": walk.view(s),
            })  # fmt: skip
        m, cell = w.meta["margin"], w.meta["out_cell"]
        clicks = [
            [m + q * cell + 1 + dx, m + r * cell + 1 + dy, r, q]
            for r in range(w.meta["out_height"])
            for q in range(w.meta["out_width"])
            for dy in range(cell - 1)
            for dx in range(cell - 1)
        ]
        (folder / "states" / f"{name}.json").write_text(
            json.dumps({"saved": saved, "states": states, "clicks": clicks})
        )
    return moves


@needs_node
def test_module_in_node(tmp_path, walks):
    """The ES module equals Python: every cases() move of every config (state, pictures,
    tables, texts), every state of the whole grid, the control limits and the click
    mapping on every pixel inside every output cell."""
    moves = write_fixtures(tmp_path, walks)
    assert moves > 150
    run_node(
        ["widgets.test.mjs", "pixel_provenance.test.mjs"],
        {"CONVTUTOR_FIXTURES": str(tmp_path),
         "CONVTUTOR_PROVENANCE_FIXTURES": str(tmp_path / "states")},
        passed=len(CONFIGS) + 2,
    )  # fmt: skip
