"""ConvArithmetic: the page's output size and window equal convtutor and PyTorch everywhere.

The page evaluates the output size, the window's taps and the texts itself
(``static/conv_arithmetic.js``). Here, over the WHOLE control grid (8 input sizes x 5
kernel sizes x 4 paddings x 3 strides x 3 dilations, and every output position of each):

* the output size is :func:`convtutor.conv_cost`'s (which refuses exactly the settings
  the widget shows as "no output");
* the taps of every output cell are the cells PyTorch's ``unfold`` reads for it;
* Python's :meth:`ConvArithmetic.view` paints exactly those cells, taps and frames;
* ``tests/js/conv_arithmetic.test.mjs`` (run by Node from here) gives what Python gives.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets import ConvArithmetic
from convtutor.widgets.conv_arithmetic import (
    CELL,
    MAX_OUTPUT,
    PALETTE,
    describe,
    formula_text,
    output_size,
    output_title,
    position_text,
    window_taps,
)
from tests.support.widgets import assert_png_fallback, assert_refused, needs_node, run_node

SETTINGS = list(
    itertools.product(range(3, 11), range(1, 6), range(0, 4), range(1, 4), range(1, 4))
)  # (n, k, p, s, d)
SETTING_NAMES = ["input_size", "kernel_size", "padding", "stride", "dilation"]


def state_of(n, k, p, s, d, position=0):
    return {"input_size": n, "kernel_size": k, "padding": p, "stride": s, "dilation": d,
            "position": position}  # fmt: skip


def all_states():
    for n, k, p, s, d in SETTINGS:
        h = output_size(n, k, p, s, d)
        for position in range(h * h if h >= 1 else 1):
            yield state_of(n, k, p, s, d, position)


@pytest.fixture(scope="module")
def unfolded():
    """(n, k, p, s, d) -> per output cell, the taps PyTorch's unfold reads, as
    [row, column] of the padded input, with those rows and columns as arrays
    (output cell x tap); None where PyTorch refuses (nothing fits)."""
    import torch
    import torch.nn.functional as F

    out = {}
    for n, k, p, s, d in SETTINGS:
        codes = torch.arange(1, n * n + 1, dtype=torch.float64).reshape(1, 1, n, n)
        try:
            inside = F.unfold(codes, k, dilation=d, padding=p, stride=s)[0]  # (k², L)
        except RuntimeError:
            out[n, k, p, s, d] = None
            continue
        # The same windows over a padded grid whose every cell has its own code: which
        # padded cell each tap reads. Then PyTorch's own padding must agree with it.
        full = n + 2 * p
        padded = torch.arange(full * full, dtype=torch.float64).reshape(1, 1, full, full)
        cells = F.unfold(padded, k, dilation=d, stride=s)[0].long()  # (k², L)
        rows, cols = cells // full, cells % full
        in_input = (rows >= p) & (rows < p + n) & (cols >= p) & (cols < p + n)
        expected_inside = torch.where(in_input, (rows - p) * n + (cols - p) + 1, 0)
        assert torch.equal(inside.long(), expected_inside), (n, k, p, s, d)
        taps = torch.stack([rows.T, cols.T], dim=-1).tolist()  # (L, k², [row, column])
        out[n, k, p, s, d] = taps, rows.T.numpy(), cols.T.numpy()
    return out


def test_the_grid_is_every_control_value():
    """The tested grid of settings is every value of every control."""
    w = ConvArithmetic()
    specs = w.controls
    ranges = {name: (specs[name]["min"], specs[name]["max"]) for name in specs}
    assert ranges == {"input_size": (3, 10), "kernel_size": (1, 5), "padding": (0, 3),
                      "stride": (1, 3), "dilation": (1, 3),
                      "position": (0, MAX_OUTPUT**2 - 1)}  # fmt: skip
    assert len(SETTINGS) == 8 * 5 * 4 * 3 * 3


def test_output_size_equals_conv_cost_on_the_whole_grid():
    """H_out is conv_cost's output size; conv_cost refuses exactly when H_out < 1."""
    refused = 0
    for n, k, p, s, d in SETTINGS:
        h = output_size(n, k, p, s, d)
        if h >= 1:
            cost = ct.conv_cost("standard", 1, 1, k, n, stride=s, padding=p, dilation=d)
            assert cost.output_size == (h, h), (n, k, p, s, d)
        else:
            refused += 1
            with pytest.raises(ValueError, match="kernel is larger than the padded input"):
                ct.conv_cost("standard", 1, 1, k, n, stride=s, padding=p, dilation=d)
    assert refused > 0


def test_conv2d_output_shape_on_a_few_settings():
    """conv2d itself gives the same shape (a spot check of conv_cost's arithmetic)."""
    for n, k, p, s, d in [(7, 3, 1, 2, 1), (10, 5, 3, 3, 3), (3, 1, 0, 1, 1), (5, 2, 1, 2, 2)]:
        out = ct.conv2d(np.zeros((1, n, n)), np.zeros((1, 1, k, k)), stride=s, padding=p,
                        dilation=d)  # fmt: skip
        assert out.shape[-2:] == (output_size(n, k, p, s, d),) * 2


def test_window_taps_equal_torch_unfold_on_the_whole_grid(unfolded):
    """At every output cell of every setting, the taps are the cells unfold reads."""
    cells = 0
    for n, k, p, s, d in SETTINGS:
        h = output_size(n, k, p, s, d)
        if h < 1:
            assert unfolded[n, k, p, s, d] is None
            assert window_taps(n, k, p, s, d, 0) == []
            continue
        columns = unfolded[n, k, p, s, d][0]
        assert len(columns) == h * h
        for position, taps in enumerate(columns):
            assert window_taps(n, k, p, s, d, position) == taps, (n, k, p, s, d, position)
            cells += 1
    assert cells == 34973 - sum(output_size(*g) < 1 for g in SETTINGS)


WORDS = np.hstack([PALETTE, np.full((len(PALETTE), 1), 255, np.uint8)]).view(np.uint32)[:, 0]


def decode(words, indices):
    """The palette index (among ``indices``) of each pixel's colour (-1: none of them);
    ``words`` are pixels sampled 4 px into each cell, clear of lines and marks."""
    assert len({int(WORDS[i]) for i in indices}) == len(indices)
    codes = np.full(words.shape, -1)
    for i in indices:
        codes[words == WORDS[i]] = i
    return codes


def assert_each(got, want, what, states) -> None:
    """``got[q] == want[q]`` for every output position ``q`` of a setting; else the
    first state where they differ, and what it shows there."""
    if got.shape == want.shape and np.array_equal(got, want):
        return
    assert got.shape == want.shape, (what, states[0])
    q = int(np.flatnonzero((got != want).reshape(len(states), -1).any(axis=1))[0])
    pytest.fail(f"{what}, {states[q]}:\n{got[q]}\ninstead of\n{want[q]}")


@pytest.mark.grid
def test_view_paints_the_unfold_taps_on_the_whole_grid(unfolded):
    """Every state's pictures: input cells (grey padding, light input), the taps unfold
    reads (orange / red-orange with a dot), the window's blue frame, the output grid
    with the current cell orange and framed; and the titles and texts."""
    w = ConvArithmetic()
    black, blue = PALETTE[8], PALETTE[9]
    at, dot = 4, CELL // 2  # where a cell's colour is sampled; its dot's centre
    states = 0
    for n, k, p, s, d in SETTINGS:
        # What each output position's pictures show is gathered first, then compared
        # with what it should show: position by position, a setting's all at once.
        h = output_size(n, k, p, s, d)
        full, edge = n + 2 * p, p * CELL
        title, formula = output_title(n, k, p, s, d), formula_text(n, k, p, s, d)
        assert re.search(rf"// {s} \+ 1 = (-?\d+)", formula)[1] == str(h)
        if h < 1:
            assert unfolded[n, k, p, s, d] is None
            positions = 1
            rows = cols = np.zeros((1, 0), np.intp)  # no taps
        else:
            _, rows, cols = unfolded[n, k, p, s, d]  # (position, tap)
            positions = h * h
            # the window's frame: a 3 px ring from its first tap to its last
            y0, x0 = rows[:, 0] * CELL, cols[:, 0] * CELL
            y1, x1 = (rows[:, -1] + 1) * CELL, (cols[:, -1] + 1) * CELL
            # pixels of it 3 px inside its edge; the output cell (i, j) framed
            frame_y = np.stack([y0 + 2, y1 - 3, y0 + 5, y1 - 5], axis=1)
            frame_x = np.stack([x0 + 5, x1 - 5, x0, x1 - 1], axis=1)
            cell_i, cell_j = np.divmod(np.arange(positions), h)
        shown = [state_of(n, k, p, s, d, q) for q in range(positions)]
        cells = np.empty((positions, full, full), np.uint32)
        dots = np.empty((positions, full, full), np.uint32)
        outline = np.empty((positions, n * CELL, 3), np.uint8)  # the outline's 2nd row
        frame = np.empty((positions, 4, 3), np.uint8)
        out_cells = np.empty((positions, max(h, 0), max(h, 0)), np.uint32)
        out_dots = np.empty_like(out_cells)
        out_frame = np.empty((positions, 3), np.uint8)
        for q, st in enumerate(shown):
            v = w.view(st)
            picture_in, picture_out = (panel["rgba"] for panel in v["panels"])
            assert picture_in.shape == (full * CELL, full * CELL, 4), st
            pixels = np.ascontiguousarray(picture_in).view(np.uint32)[..., 0]
            cells[q] = pixels[at::CELL, at::CELL]
            dots[q] = pixels[dot::CELL, dot::CELL]
            outline[q] = picture_in[edge + 1, edge : edge + n * CELL, :3]
            if h < 1:
                assert picture_out.shape == (CELL, CELL, 4) and (picture_out[..., :3] == 255).all()
                assert v["panels"][1]["title"].startswith("No output: (")
            else:
                frame[q] = picture_in[frame_y[q], frame_x[q], :3]
                assert picture_out.shape == (h * CELL, h * CELL, 4), st
                pixels = np.ascontiguousarray(picture_out).view(np.uint32)[..., 0]
                out_cells[q] = pixels[at::CELL, at::CELL]
                out_dots[q] = pixels[dot::CELL, dot::CELL]
                out_frame[q] = picture_out[cell_i[q] * CELL + 1, cell_j[q] * CELL + 1, :3]
                assert v["panels"][1]["title"] == title
                assert v["panels"][1]["title"].startswith(f"Output {h}×{h} = ")
            assert v["texts"]["formula"] == formula
            assert v["texts"]["position"] == position_text(n, k, p, s, d, q)
        states += positions

        # the input's cells: grey padding (2), light input (1); a tap adds 2 (orange on
        # the input, red-orange on the padding) and a black dot at the cell's centre
        tapped = np.zeros((positions, full, full), bool)
        tapped[np.arange(positions)[:, None], rows, cols] = True
        expected = np.full((positions, full, full), 2)
        expected[:, p : p + n, p : p + n] = 1
        expected[tapped] += 2
        assert_each(decode(cells, (1, 2, 3, 4)), expected, "the input's cells", shown)
        assert_each(dots == WORDS[8], tapped, "the dots on the input", shown)
        # the input's outline, 2 px, black (blue where the window's frame lies over it)
        ring = np.zeros((positions, n * CELL), bool)
        if h >= 1:
            y, x = edge + 1, np.arange(edge, edge + n * CELL)
            y0, y1, x0, x1 = (a[:, None] for a in (y0, y1, x0, x1))
            band = (y < y0 + 3) | (y >= y1 - 3)
            ring = (
                (y0 <= y) & (y < y1) & (x >= x0) & (x < x1) & (band | (x < x0 + 3) | (x >= x1 - 3))
            )
        assert_each(outline, np.where(ring[..., None], blue, black), "the outline", shown)
        if h >= 1:
            assert_each(frame, np.broadcast_to(blue, frame.shape), "the window's frame", shown)
            # the output grid: the current cell orange (6), framed blue; no dots
            expected_out = np.full((positions, h, h), 5)
            expected_out[np.arange(positions), cell_i, cell_j] = 6
            assert_each(decode(out_cells, (5, 6)), expected_out, "the output's cells", shown)
            assert_each(out_dots == WORDS[8], np.zeros(out_dots.shape, bool), "dots", shown)
            assert_each(out_frame, np.broadcast_to(blue, out_frame.shape), "its frame", shown)
    assert states == 34973


def test_position_text_names_the_first_tap():
    """(i·s − p, j·s − p) is the first tap's input index, as unfold's first row says."""
    text = position_text(7, 3, 1, 2, 1, 5)  # output (1, 1)
    assert "input row i·s − p = 1·2 − 1 = 1, column j·s − p = 1·2 − 1 = 1." in text
    assert "(in the padding)" in position_text(7, 3, 1, 1, 1, 0)
    assert position_text(7, 1, 0, 1, 1, 3).startswith(
        "Output cell (row 0, column 3) adds up 1×1 = 1 product."
    )
    assert "Make the input or the padding larger" in position_text(3, 5, 0, 1, 1, 0)


def test_position_follows_a_shrinking_output():
    """Moving to a smaller output clips the position to its last cell; no output: 0."""
    w = ConvArithmetic()
    w.set(position=48)
    w.set(padding=0)
    assert w.state["position"] == 24  # 5 x 5 output, last cell
    assert w.limits(w.state, "position") == (0, 24)
    w.set(input_size=3, kernel_size=5)
    assert w.output_size < 1 and w.state["position"] == 0
    assert w.limits(w.state, "position") == (0, 0)
    assert "no output" in w.view()["texts"]["formula"]


def test_keywords_and_notebook_calls():
    """ConvArithmetic(input_size=7, kernel_size=3, padding=1) (notebook 05); .set and
    .state as notebooks 00 and 01 use them."""
    w = ConvArithmetic(input_size=7, kernel_size=3, padding=1)
    w.set(input_size=7, kernel_size=3, padding=1, stride=2, dilation=1)
    assert w.state == {"input_size": 7, "kernel_size": 3, "padding": 1, "stride": 2,
                       "dilation": 1, "position": 0}  # fmt: skip
    assert w.output_size == 4
    assert w.view()["texts"]["formula"].endswith("// 2 + 1 = 4")


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'input_size'"]),
        ({"input_size": 11}, ValueError, ["input_size must be between 3 and 10", "11"]),
        ({"kernel_size": "3"}, TypeError, ["kernel_size must be a number", "'3'"]),
        ({"padding": 1.5}, ValueError, ["padding must be a multiple of 1", "1.5"]),
        ({"stride": 0}, ValueError, ["stride must be between 1 and 3", "0"]),
        ({"dilation": True}, TypeError, ["dilation must be a number", "True"]),
        ({"position": 49}, ValueError, ["position must be between 0 and 48", "49"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(ConvArithmetic(), values, error, words)


def test_bad_keyword_at_construction_names_it():
    """A constructor keyword out of range raises an error naming it and its range."""
    with pytest.raises(ValueError, match="input_size must be between 3 and 10; got 2"):
        ConvArithmetic(input_size=2)


def test_largest_grids_fit_840_pixels():
    """The largest input (10 + 2·3) and output (16 x 16) side by side fit 840 px."""
    w = ConvArithmetic(input_size=10, kernel_size=1, padding=3)
    panels = w.view()["panels"]
    widths = [p["rgba"].shape[1] * p["scale"] for p in panels]
    assert widths == [16 * CELL, 16 * CELL]
    assert sum(widths) + 2 * 8 + 18 <= 840


def test_png_fallback_is_a_picture():
    """Displaying the widget also gives a PNG picture of it."""
    assert_png_fallback(ConvArithmetic())


# ---- the module, in Node, over the whole grid -------------------------------------------
@pytest.mark.grid
@needs_node
def test_module_equals_python_on_the_whole_grid(tmp_path):
    """conv_arithmetic.js's describe (output size, window, taps, titles, texts), normalise
    and limits equal Python's for every state.

    The module builds the states from the controls (SETTINGS' order, each setting's
    positions from 0 to its last, as Python's normalise gives it); the fixture holds
    Python's describe of each state, one JSON line each, as JSON.stringify writes it."""
    w = ConvArithmetic()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    # where a position beyond the output goes: its last cell (what the slider reaches)
    last = [
        w.normalise({**state_of(*g), "position": MAX_OUTPUT**2 - 1}, "position")["position"]
        for g in SETTINGS
    ]
    assert sum(q + 1 for q in last) == 34973
    head = {"meta": w.meta, "controls": w.controls, "order": SETTING_NAMES, "last": last}
    lines = [encode(head)] + [encode(describe(st)) for st in all_states()]
    assert len(lines) == 1 + 34973
    fixture = tmp_path / "conv_arithmetic_grid.jsonl"
    fixture.write_text("\n".join(lines), encoding="utf-8")
    run_node(["conv_arithmetic.test.mjs"], {"CONVTUTOR_ARITHMETIC_FIXTURE": str(fixture)}, passed=1)
