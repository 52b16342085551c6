"""VolumeView: the counts equal convtutor.conv_cost over the whole control grid; the lit
input cells equal the receptive field PyTorch's autograd finds; the picture lights
exactly those; bad values name the control; the page (Node) equals Python."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets import ALL, VolumeView
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.volume_view import (
    GEOMETRY,
    KERNEL_SIZES,
    KINDS,
    MAX_CHANNELS,
    MAX_MULTIPLIER,
    NEUTRAL,
    PALETTE,
    SIDE,
    SPRITE,
    divisors,
    receptive_field,
)
from tests.support.cases import cases
from tests.support.optional_torch import torch
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    expected_view,
    needs_node,
    run_node,
)

DYNAMIC = ("multiplier", "g_index", "row", "column", "out_channel")


@pytest.fixture(scope="module")
def widget():
    return VolumeView()


def layer_grid():
    """Every setting of the layer's controls that changes the layer: (kind, C_in, C_out,
    M, g, k), each once (a control a kind ignores held at its first value)."""
    for kind in KINDS:
        for c in range(1, MAX_CHANNELS + 1):
            outs = [c] if kind == "depthwise" else range(1, MAX_CHANNELS + 1)
            for o in outs:
                ms = range(1, min(MAX_MULTIPLIER, MAX_CHANNELS // c) + 1)
                ms = ms if kind in ("depthwise", "separable") else [1]
                gs = divisors(math.gcd(c, o)) if kind == "grouped" else [1]
                ks = [1] if kind == "pointwise" else KERNEL_SIZES
                for m, g, k in itertools.product(ms, gs, ks):
                    yield kind, c, o, m, g, k


def state_of(w, kind, c, o, m, g, k, rng=None) -> dict:
    """The widget's state for a setting, with an output value drawn by ``rng`` (or the
    first)."""
    g_index = divisors(math.gcd(c, o)).index(g)
    s = {"kind": kind, "in_channels": c, "out_channels": o, "multiplier": m,
         "g_index": g_index, "kernel_size": k, "out_channel": 0, "row": 0, "column": 0}  # fmt: skip
    s = w.normalise(s, None)
    if rng is not None:
        for name in ("out_channel", "row", "column"):
            s[name] = int(rng.integers(0, w.limits(s, name)[1] + 1))
    return w.normalise(s, None)


def conv_cost_of(kind, c, o, m, g, k) -> tuple:
    """(params, MACs, [(params, MACs) per stage]) from convtutor.conv_cost: a SIDE x SIDE
    input, no padding, stride 1."""
    if kind == "standard":
        stages = [ct.conv_cost("standard", c, o, k, SIDE)]
    elif kind == "grouped":
        stages = [ct.conv_cost("standard", c, o, k, SIDE, groups=g)]
    elif kind == "depthwise":
        stages = [ct.conv_cost("depthwise", c, c * m, k, SIDE, depth_multiplier=m)]
    elif kind == "pointwise":
        stages = [ct.conv_cost("pointwise", c, o, k, SIDE)]
    else:
        whole = ct.conv_cost("separable", c, o, k, SIDE, depth_multiplier=m)
        stages = [
            ct.conv_cost("depthwise", c, c * m, k, SIDE, depth_multiplier=m),
            ct.conv_cost("pointwise", c * m, o, 1, SIDE - k + 1),
        ]
        assert (whole.params, whole.macs) == (
            sum(s.params for s in stages),
            sum(s.macs for s in stages),
        )
    params = sum(s.params for s in stages)
    return params, sum(s.macs for s in stages), [[s.params, s.macs] for s in stages]


def test_in_all_and_built_with_no_arguments(widget):
    """VolumeView is ALL["volume_view"]; it starts on a standard 4 -> 4 layer, 3x3."""
    assert ALL["volume_view"] is VolumeView
    assert widget.state == {"kind": "standard", "in_channels": 4, "out_channels": 4,
                            "multiplier": 1, "g_index": 0, "groups": 1, "kernel_size": 3,
                            "out_channel": 0, "row": 1, "column": 1}  # fmt: skip


def test_counts_and_table_equal_conv_cost_over_the_whole_grid(widget):
    """Every setting: the widget's counts, its table and its formula texts show the
    parameters and MACs convtutor.conv_cost gives."""
    grid = list(layer_grid())
    assert len(grid) > 900
    for setting in grid:
        params, macs, stages = conv_cost_of(*setting)
        s = state_of(widget, *setting)
        assert widget.counts(s) == (params, macs, [tuple(x) for x in stages]), setting
        v = widget.view(s)
        last = [c["text"] for c in v["panels"][-1]["cells"][-1]]
        assert last[1:] == [f"{params:,}", f"{macs:,}"], setting
        end = f", where a standard layer has {setting[1] * setting[2] * setting[5] ** 2:,}."
        end = end if setting[0] == "grouped" else "."
        assert v["texts"]["params"].endswith(f"= {params:,}{end}"), setting
        assert v["texts"]["macs"].endswith(f"= {macs:,}."), setting


def autograd_field(state) -> np.ndarray:
    """The input cells whose gradient the chosen output value has, through
    torch.nn.functional.conv2d with every weight 1 (float64): the receptive field."""
    kind, c, o = state["kind"], state["in_channels"], state["out_channels"]
    m, g, k = state["multiplier"], state["groups"], state["kernel_size"]
    x = torch.zeros(1, c, SIDE, SIDE, dtype=torch.float64, requires_grad=True)
    conv = torch.nn.functional.conv2d
    ones = lambda *shape: torch.ones(*shape, dtype=torch.float64)  # noqa: E731
    if kind == "standard":
        y = conv(x + 1, ones(o, c, k, k))
    elif kind == "grouped":
        y = conv(x + 1, ones(o, c // g, k, k), groups=g)
    elif kind == "depthwise":
        y = conv(x + 1, ones(c * m, 1, k, k), groups=c)
    elif kind == "pointwise":
        y = conv(x + 1, ones(o, c, 1, 1))
    else:
        y = conv(conv(x + 1, ones(c * m, 1, k, k), groups=c), ones(o, c * m, 1, 1))
    y[0, state["out_channel"], state["row"], state["column"]].backward()
    return (x.grad[0] != 0).numpy()


def top_colour(rgba, level, size, r, q, left=None):
    """The colour at the centre of the top face of cell (r, q) of the slab at ``level``
    (``left``: the slab's top corner's x; default: centred in a volume panel)."""
    g = GEOMETRY
    ox = g["pad"] + g["a"] * SIDE if left is None else left
    oy = g["pad"] + level * g["pitch"] + g["b"] * (SIDE - size)
    return tuple(rgba[oy + g["b"] * (q + r) + g["b"], ox + g["a"] * (q - r), :3])


def top(colour, full):
    return tuple(PALETTE[(colour * 2 + int(full)) * 4])


def sample_states(w, per_setting=1, seed=0):
    rng = np.random.default_rng(seed)
    for setting in layer_grid():
        for _ in range(per_setting):
            yield state_of(w, *setting, rng)


def test_lit_cells_are_the_receptive_field_autograd_finds(widget):
    """For every setting (the output value drawn at random): the cells the widget lights
    are those the chosen output's gradient reaches, and the texts count them."""
    for s in sample_states(widget):
        lit = receptive_field(s)
        assert (lit == autograd_field(s)).all(), s
        texts = widget.view(s)["texts"]
        params, macs, _ = widget.counts(s)
        outputs = (
            s["in_channels"] * s["multiplier"] if s["kind"] == "depthwise" else (s["out_channels"])
        )
        n = SIDE - (1 if s["kind"] == "pointwise" else s["kernel_size"]) + 1
        if s["kind"] == "separable":
            k2, cm = s["kernel_size"] ** 2, s["in_channels"] * s["multiplier"]
            assert f"C_in·M = {cm} depth-wise maps" in texts["lit"]
            assert f"k² = {k2} for each map, C_in·M·k² = {cm * k2:,} in all" in texts["lit"]
            assert macs == (cm * k2 + cm * s["out_channels"]) * n * n
            # one output value: its C_in·M depth-wise values (k² each), then C_in·M
            # point-wise products; a standard layer's value reads C_in·k² inputs
            c = s["in_channels"]
            sum_text = f"{cm * k2:,} + {cm:,} = {cm * k2 + cm:,} multiply-adds"
            assert sum_text in texts["lit"], s
            assert f"a standard layer takes C_in·k² = {c * k2:,}." in texts["lit"], s
        else:
            # one multiply-add per input value read: the layer's MACs per output value
            assert int(lit.sum()) == macs // (outputs * n * n), s
            assert texts["lit"].endswith(f"{int(lit.sum()):,} in all."), s
        chosen = f"Output channel {s['out_channel']} "
        assert texts["lit"].startswith(chosen)
        assert f"at row {s['row']}, column {s['column']}" in texts["lit"]


def test_the_picture_lights_the_receptive_field_the_filter_and_the_output_value(widget):
    """Input panel: each cell's top face is its channel's full colour where it is read,
    pale elsewhere. Output panel: only the chosen value full. Every channel's slab is
    drawn, in its own colour."""
    for s in sample_states(widget, seed=1):
        frames = widget.frames(s)
        lit = receptive_field(s)
        for ch in range(s["in_channels"]):
            for r in range(SIDE):
                for q in range(SIDE):
                    got = top_colour(frames["input"], ch, SIDE, r, q)
                    assert got == top(ch, lit[ch, r, q]), (s, ch, r, q)
        k = 1 if s["kind"] == "pointwise" else s["kernel_size"]
        n = SIDE - k + 1
        m = s["multiplier"]
        levels = s["in_channels"] * m if s["kind"] == "depthwise" else s["out_channels"]
        for level in range(levels):
            colour = level // m if s["kind"] == "depthwise" else NEUTRAL
            for r in range(n):
                for q in range(n):
                    full = (level, r, q) == (s["out_channel"], s["row"], s["column"])
                    got = top_colour(frames["output"], level, n, r, q)
                    assert got == top(colour, full), (s, level, r, q)


def test_filters_reach_their_groups_channels_only():
    """Grouped, C_in = C_out = 8, g = 4: filter j has plates at the levels of its group's
    two channels only, full colour for the chosen filter."""
    w = VolumeView()
    w.set(kind="grouped", in_channels=8, out_channels=8, groups=4, kernel_size=3, out_channel=5)
    rgba = w.frames()["filters"]
    g, k = GEOMETRY, 3
    step = 2 * g["a"] * k + g["gap_x"]
    for j in range(8):
        left = g["pad"] + j * step + g["a"] * k
        for level in range(8):
            got = top_colour(rgba, level, k, 1, 1, left=left)
            if level // 2 == j // 2:
                assert got == top(level, j == 5), (j, level)
            else:
                assert got == (255, 255, 255), (j, level)


def test_the_sprite_is_a_cube_seen_from_above():
    """The shipped sprite: a top diamond with an edge along its two upper sides, a left
    and a right face below it, nothing outside."""
    a, b, thick = GEOMETRY["a"], GEOMETRY["b"], GEOMETRY["thick"]
    assert SPRITE.shape == (2 * b + thick, 2 * a)
    assert set(np.unique(SPRITE)) == {0, 1, 2, 3, 4}
    assert (SPRITE[:, :a][SPRITE[:, :a] >= 2] != 3).all()  # left half: no right face
    assert (SPRITE[:, a:][SPRITE[:, a:] >= 2] != 2).all()
    assert SPRITE[b, a] == 1 and SPRITE[0, a] == 4 and SPRITE[-1, 0] == 0


def test_normalise_keeps_the_state_inside_its_ranges():
    """M keeps C_in·M <= 8; g follows C_in and C_out; the output value stays inside."""
    w = VolumeView()
    w.set(kind="separable", in_channels=2, multiplier=3)
    w.set(in_channels=5)
    assert w.state["multiplier"] == 1
    w.set(kind="grouped", in_channels=8, out_channels=8, groups=4)
    w.set(in_channels=6)
    assert w.state["groups"] == 2  # the largest divisor of gcd(6, 8) = 2 below 4
    w.set(kernel_size=1, row=5, column=5)
    w.set(kernel_size=5)
    assert (w.state["row"], w.state["column"]) == (1, 1)
    w.set(kind="depthwise", in_channels=2, multiplier=3, out_channel=5)
    w.set(multiplier=1)
    assert w.state["out_channel"] == 1
    w.set(kind="pointwise", row=5)
    assert w.state["row"] == 5 and "1×1×2" in w.view()["panels"][1]["title"]


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"kind": "dense"}, ValueError, ["kind must be one of", "'dense'"]),
        ({"in_channels": 9}, ValueError, ["in_channels must be between 1 and 8", "9"]),
        ({"in_channels": 2.5}, ValueError, ["in_channels must be a multiple of 1", "2.5"]),
        ({"out_channels": "3"}, TypeError, ["out_channels must be a number", "'3'"]),
        ({"multiplier": 3}, ValueError, ["multiplier must be between 1 and 2", "3"]),
        ({"kernel_size": 2}, ValueError, ["kernel_size must be a multiple of 2", "2"]),
        ({"kernel_size": 7}, ValueError, ["kernel_size must be between 1 and 5", "7"]),
        ({"row": 4}, ValueError, ["row must be between 0 and 3", "4"]),
        ({"column": -1}, ValueError, ["column must be between 0 and 3", "-1"]),
        ({"out_channel": 4}, ValueError, ["out_channel must be between 0 and 3", "4"]),
        ({"groups": 3}, ValueError, ["groups must divide in_channels = 4", "1, 2, 4", "3"]),
        ({"groups": 2.0}, TypeError, ["groups must be a whole number", "2.0"]),
        ({"g_index": 3}, ValueError, ["g_index must be between 0 and 2", "3"]),
        ({"padding": 1}, ValueError, ["no control named 'padding'"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A refused value names the control, what it takes and what was given; nothing moves."""
    assert_refused(VolumeView(), values, error, words)


def test_png_fallback_draws_every_text():
    """The PNG fallback is drawn and shows every text of the view."""
    w = VolumeView()
    w.set(kind="separable", in_channels=3, multiplier=2, out_channels=4)
    assert_png_fallback(w)
    assert_texts_drawn(w.figure(), w.view()["texts"])


@needs_node
def test_module_equals_python(widget, tmp_path):
    """volume_view.js: counts on the whole grid, view (pictures by SHA-256) and lit cells
    on a state of every setting, and normalise, limits and view on every move of
    cases(), all equal to Python's."""
    grid = []
    for setting in layer_grid():
        params, macs, stages = conv_cost_of(*setting)
        state = state_of(widget, *setting)
        grid.append({"state": state, "params": params, "macs": macs, "stages": stages})
    views = [
        {"state": s, "view": expected_view(widget.view(s)),
         "lit": receptive_field(s).astype(int).ravel().tolist()}
        for s in sample_states(widget, seed=2)
    ]  # fmt: skip
    moves = []
    for start, name, value, end in cases(widget, per_control=8):
        limits = {n: widget.limits(end, n)[1] for n in DYNAMIC}
        moves.append({"start": start, "name": name, "value": value, "end": end,
                      "limits": limits, "view": expected_view(widget.view(end))})  # fmt: skip
    saved = saved_state(widget)["state"][widget.model_id]
    fixture = tmp_path / "volume_view.json"
    fixture.write_text(json.dumps({"saved": saved, "grid": grid, "views": views, "moves": moves}))
    run_node(["volume_view.test.mjs"], {"CONVTUTOR_VOLUME_FIXTURE": str(fixture)}, passed=3)


def test_the_walk_through_counts_the_lines_the_files_have():
    """docs/widgets.md's walk-through gives each VolumeView file's line count (wc -l)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "widgets.md").read_text(encoding="utf-8")
    section = text.split("## Adding a widget: a walk-through", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == 4
    for row in rows:
        paths = [p for p in row.split("|")[1].replace("`", "").split(",") if p.strip()]
        counts = [int(n) for n in row.rstrip(" |").rsplit("|", 1)[1].split("+")]
        if paths[0].strip() == "convtutor/widgets/__init__.py":
            added = sum(
                "VolumeView" in line or "volume_view" in line
                for line in (root / paths[0].strip()).read_text(encoding="utf-8").splitlines()
            )
            assert counts == [added], row  # fmt: skip
            continue
        lines = [len((root / p.strip()).read_text(encoding="utf-8").splitlines()) for p in paths]
        assert lines == counts, row
