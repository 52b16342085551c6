"""GroupsContinuum: the counts, the drawn grid and the PyTorch checks, on every setting.

The page evaluates the counts, draws the block-diagonal grid and the bars, and writes
the table and texts itself (``static/groups_continuum.js``). Here, over the WHOLE control
grid (C = 6, 8, 12, 16, every divisor g of C, k = 1, 3, 5, 7, six input sizes):

* the counts equal :func:`convtutor.conv_cost` (which has no ``groups`` argument: a
  grouped layer is g standard layers of C/g -> C/g channels side by side; g = 1 is
  conv_cost's "standard" and g = C its "depthwise") and real PyTorch layers';
* the coloured cells are exactly the input channels each output channel of
  ``ct.conv2d(..., groups=g)`` depends on, found by feeding it one channel at a time;
* the shipped checks are what ct.conv2d and torch give, recomputed here;
* ``tests/js/groups_continuum.test.mjs`` (run by Node from here) gives Python's counts,
  states and pictures.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.groups_continuum import (
    BAR_MAX,
    BAR_PAD,
    BAR_SLOT,
    BAR_WIDTH,
    CHANNEL_CHOICES,
    CHECK_SEED,
    CHECK_SIZE,
    GRID_SIDE,
    KERNEL_SIZES,
    PALETTE,
    SIZE_CHOICES,
    GroupsContinuum,
    counts,
    divisors,
    shipped_torch_checks,
    torch_checks,
)
from tests.support.cases import cases
from tests.support.optional_torch import torch
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    needs_node,
    run_node,
)

GRID = [
    (c, g, k, h)
    for c in CHANNEL_CHOICES
    for g in divisors(c)
    for k in KERNEL_SIZES
    for h in SIZE_CHOICES
]
WHITE, BLUE, ORANGE = PALETTE[0], PALETTE[3], PALETTE[4]


def state_of(w, c, g, k, h):
    w.set(channels=c, groups=g, kernel_size=k, size=h)
    return w.state


@pytest.fixture(scope="module")
def widget():
    return GroupsContinuum()


@functools.cache
def conv_cost(*args, **kwargs):
    """``ct.conv_cost``, called once per distinct set of arguments (its result is frozen)."""
    return ct.conv_cost(*args, **kwargs)


class Views:
    """Python's view of each state, as the Node test compares it (:func:`expected`),
    computed once per state and read by every test that needs it: a view is a pure
    function of the state."""

    def __init__(self, widget):
        self.widget = widget
        self._seen = {}

    def __call__(self, state: dict) -> dict:
        key = tuple(sorted(state.items()))
        if key not in self._seen:
            self._seen[key] = expected(self.widget.view(state))
        return self._seen[key]


@pytest.fixture(scope="module")
def views(widget):
    return Views(widget)


# Under ``pytest -n`` (make test) this file's tests run on one worker (GROUPS in
# tests/conftest.py), so that each view is computed once in all.


def test_the_grid_is_every_control_value(widget):
    """GRID is the product of every control's values, nothing left out."""
    specs = widget.controls
    assert set(specs) == {"g_index", "kernel_size", "channels", "size"}
    assert tuple(specs["channels"]["options"]) == CHANNEL_CHOICES == (6, 8, 12, 16)
    assert tuple(specs["size"]["options"]) == SIZE_CHOICES
    k = specs["kernel_size"]
    assert tuple(range(k["min"], k["max"] + 1, k["step"])) == KERNEL_SIZES == (1, 3, 5, 7)
    for c in CHANNEL_CHOICES:
        w = GroupsContinuum(channels=c)
        low, high = w.limits(w.state, "g_index")
        assert [w.meta["divisors"][str(c)][j] for j in range(low, high + 1)] == [
            g for g in range(1, c + 1) if c % g == 0
        ]
    assert len(GRID) == (4 + 4 + 6 + 5) * 4 * 6


def test_counts_equal_conv_cost_on_the_whole_grid():
    """counts (g standard layers of C/g channels, by convtutor.conv_cost) are
    C·C·k²/g weights and weights·H·W MACs; for g = 1 the standard layer's, for g = C the
    depth-wise one's (test_module_in_node holds the page's counts equal to them)."""
    for c, g, k, h in GRID:
        weights, macs, standard = counts(c, g, k, h)
        part = ct.conv_cost("standard", c // g, c // g, k, h, padding="same")
        assert part.output_size == (h, h)
        assert (weights, macs) == (g * part.params, g * part.macs), (c, g, k, h)
        assert (weights, macs) == (c * c * k * k // g, c * c * k * k // g * h * h)
        whole = ct.conv_cost("standard", c, c, k, h, padding="same")
        assert standard == whole.params == g * weights
        if g == 1:
            assert (weights, macs) == (whole.params, whole.macs)
        if g == c:
            depthwise = ct.conv_cost("depthwise", c, c, k, h, padding="same")
            assert (weights, macs) == (depthwise.params, depthwise.macs)
        assert macs < 2**53  # exact in JavaScript's numbers


def test_counts_equal_pytorch_layers():
    """PyTorch's Conv2d(C, C, k, groups=g): its parameters, its weight's shape, and the
    MACs of its forward pass (counted as output elements x C/g·k² taps each)."""
    checks = torch_checks()
    for c in CHANNEL_CHOICES:
        for g in divisors(c):
            for k in KERNEL_SIZES:
                layer = torch.nn.Conv2d(c, c, k, groups=g, bias=False, padding="same")
                n = sum(p.numel() for p in layer.parameters())
                assert counts(c, g, k, 8)[0] == n == checks[f"{c}/{g}/{k}"]["torch_params"]
                assert tuple(layer.weight.shape) == (c, c // g, k, k)
                assert checks[f"{c}/{g}/{k}"]["weight_shape"] == [c, c // g, k, k]
                out = layer(torch.zeros(1, c, 5, 5))
                taps = layer.weight.shape[1] * k * k
                assert counts(c, g, k, 5)[1] == out.numel() * taps


def test_shipped_checks_are_recomputed_here():
    """Every shipped |ct.conv2d - torch| is what this test finds with the same seed, is
    within float64's rounding bound (n·2⁻⁵³·Σ|w·x| per output, n taps), and is printed
    to 2 significant digits."""
    checks = torch_checks()
    assert len(checks) == 19 * 4
    rng = np.random.default_rng(CHECK_SEED)
    for c in CHANNEL_CHOICES:
        x = rng.standard_normal((1, c, CHECK_SIZE, CHECK_SIZE))
        for g in divisors(c):
            for k in KERNEL_SIZES:
                w = rng.standard_normal((c, c // g, k, k))
                ours = ct.conv2d(x, w, groups=g, padding="same")
                theirs = torch.nn.functional.conv2d(
                    torch.from_numpy(x), torch.from_numpy(w), groups=g, padding="same"
                ).numpy()
                assert theirs.shape == ours.shape == (1, c, CHECK_SIZE, CHECK_SIZE)
                diff = np.abs(ours - theirs)
                check = checks[f"{c}/{g}/{k}"]
                assert check["max_diff"] == diff.max()
                taps = c // g * k * k
                bound = (
                    2 * taps * 2.0**-53 * ct.conv2d(np.abs(x), np.abs(w), groups=g, padding="same")
                )
                assert (diff <= bound).all(), (c, g, k)
                text = check["diff_text"]
                if check["max_diff"] == 0:
                    assert text == "0"
                else:
                    assert re.fullmatch(r"\d\.\de-\d+", text), text
                    assert abs(float(text) - diff.max()) <= 0.05 * 10 ** np.floor(
                        np.log10(diff.max())
                    )


def connections(c: int, g: int, k: int) -> np.ndarray:
    """Which input channels each output channel of ct.conv2d(..., groups=g) depends on:
    feed one input channel of ones at a time, look where the output is not zero."""
    w = 1.0 + np.random.default_rng(1).random((c, c // g, k, k))  # no zero weight
    seen = np.zeros((c, c), dtype=bool)
    for i in range(c):
        x = np.zeros((c, k, k))
        x[i] = 1.0
        seen[:, i] = ct.conv2d(x, w, groups=g)[:, 0, 0] != 0
    return seen


def test_drawn_grid_is_the_block_diagonal_of_a_grouped_weight(widget):
    """The coloured cells are exactly where W (C_out, C_in/g, k, k), expanded to
    C_out x C_in, is not zero: what ct.conv2d's output depends on; each cell is uniform,
    blue and orange alternate by group, the lines lie between cells."""
    for c in CHANNEL_CHOICES:
        for g in divisors(c):
            state = state_of(widget, c, g, 3, 56)
            assert widget.state["groups"] == g
            mask = widget.mask(state)
            np.testing.assert_array_equal(mask, connections(c, g, 3), err_msg=f"C={c} g={g}")
            assert mask.sum() == c * c // g  # C/g x C/g cells in each of g blocks
            rgba = widget.frames(state)["grid"]
            cell = GRID_SIDE // c
            assert rgba.shape == (c * cell + 1, c * cell + 1, 4) and (rgba[..., 3] == 255).all()
            per = c // g
            for o, i in itertools.product(range(c), range(c)):
                inside = rgba[o * cell + 1 : (o + 1) * cell, i * cell + 1 : (i + 1) * cell, :3]
                want = (BLUE if (o // per) % 2 == 0 else ORANGE) if mask[o, i] else WHITE
                assert (inside == want).all(), (c, g, o, i)
            lines = rgba[np.arange(c + 1) * cell][:, :, :3]
            assert not (lines == WHITE).all(axis=-1).any()


def test_grid_does_not_depend_on_k_or_the_size(widget):
    """The grid of channel blocks depends on C and g only, not on k or the input size."""
    base = widget.frames(state_of(widget, 12, 3, 1, 7))["grid"]
    for k, h in itertools.product(KERNEL_SIZES, SIZE_CHOICES):
        np.testing.assert_array_equal(widget.frames(state_of(widget, 12, 3, k, h))["grid"], base)


def bar_heights(rgba: np.ndarray, n: int) -> list:
    axis = BAR_PAD + BAR_MAX
    assert (rgba[axis, :, :3] == PALETTE[2]).all()
    heights = []
    for j in range(n):
        column = rgba[:axis, BAR_PAD + j * BAR_SLOT + BAR_WIDTH // 2, :3]
        filled = ~(column == WHITE).all(axis=-1)
        h = int(filled.sum())
        assert filled[axis - h :].all()
        heights.append((h, tuple(column[-1])))
    return heights


def test_bars_are_the_weights_of_every_g(widget):
    """Bar j is floor(BAR_MAX / g_j) tall (the weights are 1/g of the standard layer's);
    only the current g's bar is blue."""
    for c in CHANNEL_CHOICES:
        options = divisors(c)
        for j, g in enumerate(options):
            state = state_of(widget, c, g, 5, 14)
            heights = bar_heights(widget.frames(state)["bars"], len(options))
            assert [h for h, _ in heights] == [BAR_MAX // d for d in options]
            colours = [colour for _, colour in heights]
            assert colours[j] == tuple(PALETTE[6])
            assert all(colour == tuple(PALETTE[5]) for i, colour in enumerate(colours) if i != j)


def test_texts_and_table_on_the_whole_grid(widget, views):
    """Every number the texts and the table show is convtutor's or PyTorch's (the checks
    as shipped; tests/test_light.py holds them equal to torch_checks() up to rounding)."""
    checks = shipped_torch_checks()
    for c, g, k, h in GRID:
        state = state_of(widget, c, g, k, h)
        view = views(state)
        texts = view["texts"]
        cost = conv_cost("standard", c // g, c // g, k, h, padding="same")
        weights, macs = f"{g * cost.params:,}", f"{g * cost.macs:,}"
        assert f"= {weights}" in texts["weights"]
        assert texts["macs"].endswith(f"= {macs}.")
        assert f"{c}×{h}×{h} output" in texts["macs"]
        check = checks[f"{c}/{g}/{k}"]
        assert f"({', '.join(map(str, check['weight_shape']))})." in texts["shape"]
        assert (
            f"has {check['torch_params']:,} parameters, the number counted above"
            in (texts["check"])
        )
        assert texts["check"].count(f"groups={g}") == 2
        if check["diff_text"] == "0":
            assert texts["check"].endswith("agree exactly.")
        else:
            assert texts["check"].endswith(f"at most {check['diff_text']} (float64 rounding).")
        if g == 1:
            assert texts["kind"].startswith("g = 1: a standard convolution.")
        elif g == c:
            assert texts["kind"].startswith(f"g = C = {c}: a depth-wise convolution.")
        else:
            assert texts["kind"].startswith(f"g = {g}: a grouped convolution")
            assert f"1/{g} of the standard layer's {c * c * k * k:,}." in texts["weights"]
        table = next(p for p in view["panels"] if p["name"] == "table")["cells"]
        options = divisors(c)
        assert [cell["text"] for cell in table[0][1:]] == [str(d) for d in options]
        for j, d in enumerate(options, start=1):
            part = conv_cost("standard", c // d, c // d, k, h, padding="same")
            assert table[2][j]["text"] == f"{d * part.params:,}"
            assert table[3][j]["text"] == f"{d * part.macs:,}"
            assert table[1][j]["text"] == f"({c}, {c // d}, {k}, {k})"
            assert all(bool(row[j].get("em")) == (d == g) for row in table)


def test_changing_c_keeps_g_or_takes_the_largest_divisor_below():
    """A new C keeps g when g divides it, else takes the largest divisor below g."""
    w = GroupsContinuum()
    w.set(groups=4)
    w.set(channels=16)
    assert w.state["groups"] == 4
    w.set(channels=6)
    assert w.state["groups"] == 3
    w.set(groups=6, channels=16)  # depth-wise at C = 6 -> 4 at C = 16
    assert w.state["groups"] == 4
    w.set(channels=16, groups=16)
    w.set(channels=12)
    assert w.state["groups"] == 12  # the largest divisor of 12 below 16: still depth-wise
    for _, _, _, end in cases(w, per_control=12):
        assert end["groups"] == divisors(end["channels"])[end["g_index"]]


def test_constructor_keywords():
    """Constructor keywords set the first state; the defaults are C = 12, g = 1, k = 3, 56."""
    w = GroupsContinuum(channels=8, groups=2, kernel_size=5, size=14)
    assert w.state == {"channels": 8, "groups": 2, "g_index": 1, "kernel_size": 5, "size": 14}
    assert GroupsContinuum().state == {
        "channels": 12, "groups": 1, "g_index": 0, "kernel_size": 3, "size": 56,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"groups": 5}, ValueError, ["groups must divide channels = 12", "1, 2, 3, 4, 6, 12",
                                      "got 5"]),
        ({"channels": 16, "groups": 12}, ValueError, ["channels = 16", "got 12"]),
        ({"groups": 2.0}, TypeError, ["groups must be a whole number", "2.0"]),
        ({"channels": 10}, ValueError, ["channels must be one of 6, 8, 12, 16", "10"]),
        ({"channels": "12"}, TypeError, ["channels must be a whole number", "'12'"]),
        ({"size": 50}, ValueError, ["size must be one of", "50"]),
        ({"kernel_size": 4}, ValueError, ["kernel_size must be 1, 3, 5 or 7", "4"]),
        ({"kernel_size": "3"}, TypeError, ["kernel_size must be 1, 3, 5 or 7", "'3'"]),
        ({"g_index": 6}, ValueError, ["g_index must be between 0 and 5", "6"]),
        ({"channels": 8, "g_index": 4}, ValueError, ["g_index must be between 0 and 3"]),
        ({"groupz": 2}, ValueError, ["no control named 'groupz'", "'groups'"]),
    ],
)  # fmt: skip
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(GroupsContinuum(), values, error, words)


def test_bad_constructor_values_name_the_argument():
    """A bad constructor value raises an error naming the argument."""
    with pytest.raises(ValueError, match="groups must divide channels = 8"):
        GroupsContinuum(channels=8, groups=3)
    with pytest.raises(ValueError, match="channels must be one of"):
        GroupsContinuum(channels=7)


def test_png_fallback_draws_the_panels_and_texts():
    """Where no JavaScript runs: a PNG with both pictures, the table and every text."""
    w = GroupsContinuum(groups=4)
    assert_png_fallback(w)
    fig = w.figure()
    assert_texts_drawn(fig, w.view()["texts"])
    assert len([ax for ax in fig.axes if ax.images]) == 2  # the grid and the bars
    assert len([ax for ax in fig.axes if ax.tables]) == 1


# ---- the module in Node ---------------------------------------------------------------
def expected(view: dict) -> dict:
    """What the Node test compares: as tests/widgets/test_modules_node.py, plus hashes."""
    keys = ("kind", "cells", "row", "hidden", "mark")
    panels = []
    for p in view["panels"]:
        q = {"name": p["name"], "title": p["title"], **{k: p[k] for k in keys if k in p}}
        if "rgba" in p:
            q["sha256"] = hashlib.sha256(p["rgba"].tobytes()).hexdigest()
            q["height"], q["width"] = p["rgba"].shape[:2]
        panels.append(q)
    return {"panels": panels, "texts": view["texts"]}


@needs_node
def test_module_in_node(tmp_path, views):
    """Node runs the ES module on the grid and on moves: it shows Python's view and conv_cost."""
    w = GroupsContinuum()
    saved = saved_state(w)["state"][w.model_id]
    grid = []
    for c, g, k, h in GRID:
        state = state_of(w, c, g, k, h)
        part = conv_cost("standard", c // g, c // g, k, h, padding="same")
        standard = conv_cost("standard", c, c, k, h, padding="same").params
        grid.append(
            {
                "state": state,
                "conv_cost": {"weights": g * part.params, "macs": g * part.macs,
                              "standard": standard},
                "view": views(state),
            }
        )  # fmt: skip
    w.set(channels=12, groups=1, kernel_size=3, size=56)
    moves = [
        {"start": s, "name": n, "value": v, "end": e, "g_max": w.limits(e, "g_index")[1],
         "view": views(e)}
        for s, n, v, e in cases(w, per_control=12)
    ]  # fmt: skip
    fixture = tmp_path / "groups_continuum.json"
    fixture.write_text(json.dumps({"saved": saved, "grid": grid, "moves": moves}))
    run_node(["groups_continuum.test.mjs"], {"CONVTUTOR_GROUPS_FIXTURE": str(fixture)}, passed=3)
