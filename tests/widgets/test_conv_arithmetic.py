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
from helpers import assert_png_fallback, assert_refused, needs_node, run_node

import convtutor as ct
from convtutor.widgets import ConvArithmetic
from convtutor.widgets.arithmetic import (
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

SETTINGS = list(
    itertools.product(range(3, 11), range(1, 6), range(0, 4), range(1, 4), range(1, 4))
)  # (n, k, p, s, d)


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
    [row, column] of the padded input; None where PyTorch refuses (nothing fits)."""
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
        out[n, k, p, s, d] = [
            [[r, c] for r, c in zip(rr, cc, strict=True)]
            for rr, cc in zip(rows.T.tolist(), cols.T.tolist(), strict=True)
        ]
    return out


def test_the_grid_is_every_control_value():
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
        columns = unfolded[n, k, p, s, d]
        if h < 1:
            assert columns is None
            assert window_taps(n, k, p, s, d, 0) == []
            continue
        assert len(columns) == h * h
        for position, taps in enumerate(columns):
            assert window_taps(n, k, p, s, d, position) == taps, (n, k, p, s, d, position)
            cells += 1
    assert cells == 34973 - sum(output_size(*g) < 1 for g in SETTINGS)


WORDS = np.hstack([PALETTE, np.full((len(PALETTE), 1), 255, np.uint8)]).view(np.uint32)[:, 0]


def decode(picture, rows, cols, indices):
    """The palette index (among ``indices``) of each cell, sampled 4 px into it, clear of
    lines and marks; and whether a (black) dot sits at its centre."""
    assert picture.shape == (rows * CELL, cols * CELL, 4)
    pixels = np.ascontiguousarray(picture).view(np.uint32)[..., 0]
    body = pixels[4::CELL, 4::CELL]
    codes = np.full(body.shape, -1)
    for i in indices:
        codes[body == WORDS[i]] = i
    assert len({int(WORDS[i]) for i in indices}) == len(indices)
    assert (codes >= 0).all(), "a cell in a colour it should not have"
    dots = pixels[CELL // 2 :: CELL, CELL // 2 :: CELL] == WORDS[8]
    return codes, dots


def test_view_paints_the_unfold_taps_on_the_whole_grid(unfolded):
    """Every state's pictures: input cells (grey padding, light input), the taps unfold
    reads (orange / red-orange with a dot), the window's blue frame, the output grid
    with the current cell orange and framed; and the titles and texts."""
    w = ConvArithmetic()
    blue, black = PALETTE[9], PALETTE[8]
    states = 0
    for st in all_states():
        n, k, p, s, d, q = st.values()
        v = w.view(st)
        picture_in, picture_out = (panel["rgba"] for panel in v["panels"])
        full = n + 2 * p
        expected = np.full((full, full), 2)
        expected[p : p + n, p : p + n] = 1
        taps = [] if unfolded[n, k, p, s, d] is None else unfolded[n, k, p, s, d][q]
        tapped = np.zeros((full, full), bool)
        for r, c in taps:
            tapped[r, c] = True
        expected[tapped] += 2
        codes, dots = decode(picture_in, full, full, (1, 2, 3, 4))
        np.testing.assert_array_equal(codes, expected, err_msg=str(st))
        np.testing.assert_array_equal(dots, tapped, err_msg=str(st))
        h = output_size(n, k, p, s, d)
        # the input's outline, 2 px, black (blue where the window's frame lies over it)
        edge = p * CELL
        row = picture_in[edge + 1, edge : edge + n * CELL, :3]
        want = np.tile(black, (n * CELL, 1))
        if h >= 1:  # the window's frame: a 3 px ring from its first tap to its last
            (top, left), (bottom, right) = taps[0], taps[-1]
            y, (y0, y1) = edge + 1, (top * CELL, (bottom + 1) * CELL)
            x, (x0, x1) = np.arange(edge, edge + n * CELL), (left * CELL, (right + 1) * CELL)
            band = y < y0 + 3 or y >= y1 - 3
            ring = (y0 <= y < y1) & (x >= x0) & (x < x1) & (band | (x < x0 + 3) | (x >= x1 - 3))
            want[ring] = blue
        np.testing.assert_array_equal(row, want, err_msg=str(st))
        if h < 1:
            assert picture_out.shape == (CELL, CELL, 4) and (picture_out[..., :3] == 255).all()
            assert v["panels"][1]["title"].startswith("No output: (")
        else:
            # the window's blue frame: from the first tap to the last, 3 px inside its edge
            (top, left), (bottom, right) = taps[0], taps[-1]
            y0, x0, y1, x1 = top * CELL, left * CELL, (bottom + 1) * CELL, (right + 1) * CELL
            for y, x in [(y0 + 2, x0 + 5), (y1 - 3, x1 - 5), (y0 + 5, x0), (y1 - 5, x1 - 1)]:
                assert (picture_in[y, x, :3] == blue).all(), st
            i, j = divmod(q, h)
            expected_out = np.full((h, h), 5)
            expected_out[i, j] = 6
            out_codes, out_dots = decode(picture_out, h, h, (5, 6))
            np.testing.assert_array_equal(out_codes, expected_out, err_msg=str(st))
            assert not out_dots.any()
            assert (picture_out[i * CELL + 1, j * CELL + 1, :3] == blue).all()
            assert v["panels"][1]["title"] == output_title(n, k, p, s, d)
            assert v["panels"][1]["title"].startswith(f"Output {h}×{h} = ")
        assert v["texts"]["formula"] == formula_text(n, k, p, s, d)
        assert re.search(rf"// {s} \+ 1 = (-?\d+)", v["texts"]["formula"])[1] == str(h)
        assert v["texts"]["position"] == position_text(n, k, p, s, d, q)
        states += 1
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
    assert_refused(ConvArithmetic(), values, error, words)


def test_bad_keyword_at_construction_names_it():
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
    assert_png_fallback(ConvArithmetic())


# ---- the module, in Node, over the whole grid -------------------------------------------
@needs_node
def test_module_equals_python_on_the_whole_grid(tmp_path):
    """conv_arithmetic.js's describe (output size, window, taps, titles, texts), normalise
    and limits equal Python's for every state."""
    w = ConvArithmetic()
    rows = []
    for st in all_states():
        far = w.normalise({**st, "position": MAX_OUTPUT**2 - 1}, "position")["position"]
        rows.append({"state": st, "describe": describe(st), "last": far})
    assert len(rows) == 34973
    fixture = tmp_path / "conv_arithmetic_grid.json"
    fixture.write_text(json.dumps({"rows": rows}), encoding="utf-8")
    run_node(["conv_arithmetic.test.mjs"], {"CONVTUTOR_ARITHMETIC_FIXTURE": str(fixture)}, passed=1)
