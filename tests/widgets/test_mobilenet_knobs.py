"""MobileNetKnobs: every state of the grid against convtutor.blocks.mobilenet_v1_cost and
the paper's Tables 6 and 7; the page (Node) equal to Python on every state, pixel for pixel."""

from __future__ import annotations

import hashlib
import itertools
import json
import math

import numpy as np
import pytest

from convtutor import blocks
from convtutor.widgets import ALL, MobileNetKnobs
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.mobilenet_knobs import (
    ALPHAS,
    BAR_CANVAS_HEIGHT,
    BAR_CANVAS_WIDTH,
    BAR_GAP,
    BAR_HEIGHT,
    BAR_LENGTH,
    BAR_PAD,
    PALETTE,
    PAPER,
    SIDES,
    state_index,
)
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    needs_node,
    run_node,
)

GRID = list(itertools.product(ALPHAS, SIDES))


@pytest.fixture(scope="module")
def knobs():
    return MobileNetKnobs()


def test_in_all_and_the_grid_is_every_control_value(knobs):
    """MobileNetKnobs is in ALL, and its grid of states is every value of its two controls."""
    assert ALL["mobilenet_knobs"] is MobileNetKnobs
    a, r = knobs.controls["alpha"], knobs.controls["resolution"]
    steps = round((a["max"] - a["min"]) / a["step"]) + 1
    assert tuple(round(a["min"] + i * a["step"], 6) for i in range(steps)) == ALPHAS
    assert tuple(range(r["min"], r["max"] + 1, r["step"])) == SIDES
    assert len(GRID) == 16 * 9 == len(knobs.meta["states"])
    assert sorted(state_index(a, s) for a, s in GRID) == list(range(len(GRID)))


def bars_of(rgba) -> list:
    """The four bars' lengths, after checking every pixel: white, the axis at x = 0, the
    full network's grey line at x = BAR_LENGTH, bar i in its colour from x = 1."""
    assert rgba.shape == (BAR_CANVAS_HEIGHT, BAR_CANVAS_WIDTH, 4)
    assert (rgba[..., 3] == 255).all()
    rgb = rgba[..., :3]
    lengths = []
    expected = np.broadcast_to(PALETTE[0], rgb.shape).copy()
    expected[:, BAR_LENGTH] = PALETTE[2]
    for i in range(4):
        y = BAR_PAD + i * (BAR_HEIGHT + BAR_GAP)
        row = rgb[y, 1:]
        length = int((row == PALETTE[3 + i]).all(axis=1).sum())
        expected[y : y + BAR_HEIGHT, 1 : 1 + length] = PALETTE[3 + i]
        lengths.append(length)
    expected[:, 0] = PALETTE[1]
    assert (rgb == expected).all()
    return lengths


def test_every_state_equals_mobilenet_v1_cost(knobs):
    """Table, bars and texts of all 144 states from the network's own counts."""
    full = blocks.mobilenet_v1_cost()
    for alpha, side in GRID:
        view = knobs.view({"alpha": alpha, "resolution": side})
        cost = blocks.mobilenet_v1_cost(alpha, side)
        rho = side / 224
        cells = [[c["text"] for c in row] for row in view["panels"][0]["cells"]]
        assert cells[1][1] == f"{cost.macs / 1e6:.1f} M" and cells[1][2] == "568.7 M"
        assert cells[2][1] == f"{cost.params / 1e6:.3f} M" and cells[2][2] == "4.210 M"
        shares = [cost.macs / full.macs, alpha**2 * rho**2, cost.params / full.params, alpha**2]
        lengths = bars_of(view["panels"][1]["rgba"])
        assert lengths == [max(1, math.floor(BAR_LENGTH * s + 0.5)) for s in shares]
        texts = view["texts"]
        assert f"{cost.macs:,} mult-adds ({shares[0]:.3f} of" in texts["cost"]
        assert f"{cost.params:,} parameters ({shares[2]:.3f})" in texts["cost"]
        assert (
            f"the first layer {int(alpha * 32)} of 32, the last {int(alpha * 1024)}"
            in (texts["setting"])
        )
        if (alpha, side) not in PAPER:
            assert "reports no row for this setting" in texts["paper"]


def test_the_papers_rows_are_cited_and_agree(knobs):
    """Tables 6 and 7: the widget cites the paper's numbers; ours agree within 1 %."""
    assert set(PAPER) == {(1.0, 224), (0.75, 224), (0.5, 224), (0.25, 224), (1.0, 192),
                          (1.0, 160), (1.0, 128)}  # fmt: skip
    for (alpha, side), (top1, macs, params, table) in PAPER.items():
        text = knobs.view({"alpha": alpha, "resolution": side})["texts"]["paper"]
        assert text == (
            f"The paper ({table}) reports {macs} M mult-adds and {params} M parameters, and "
            f"{top1} % top-1 accuracy on ImageNet: cited, not measured here."
        )
        cost = blocks.mobilenet_v1_cost(alpha, side)
        assert abs(cost.macs / 1e6 - macs) / macs < 0.01 and round(cost.params / 1e6, 1) == params


def test_defaults_and_cost(knobs):
    """The widget starts at alpha 1 and 224 px, or as given; its cost is mobilenet_v1_cost's."""
    w = MobileNetKnobs(alpha=0.5, resolution=160)
    assert w.state == {"alpha": 0.5, "resolution": 160}
    assert w.cost == blocks.mobilenet_v1_cost(0.5, 160)
    w.set(alpha=0.3)
    assert w.state["alpha"] == 0.3 and "α = 0.3:" in w.view()["texts"]["setting"]
    assert knobs.state == {"alpha": 1.0, "resolution": 224}


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"alpha": 0.2}, ValueError, ["alpha must be between 0.25 and 1.0", "0.2"]),
        ({"alpha": 0.33}, ValueError, ["alpha must be a multiple of 0.05", "0.33"]),
        ({"alpha": "0.5"}, TypeError, ["alpha must be a number", "'0.5'"]),
        ({"resolution": 100}, ValueError, ["resolution must be a multiple of 16", "100"]),
        ({"resolution": 256}, ValueError, ["resolution must be between 96 and 224", "256"]),
        ({"width": 1}, ValueError, ["no control named 'width'"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A refused value names the control and leaves the widget as it was."""
    assert_refused(MobileNetKnobs(), values, error, words)


def test_png_fallback_draws_every_text():
    """The PNG fallback is drawn and shows every text of the view."""
    w = MobileNetKnobs(0.75, 224)
    assert_png_fallback(w)
    assert_texts_drawn(w.figure(), w.view()["texts"])


@needs_node
def test_module_equals_python_on_the_whole_grid(knobs, tmp_path):
    """mobilenet_knobs.js's view (table, texts, bar pixels by SHA-256) equals Python's
    for every state, from the saved widget as a page gets it."""
    views = []
    for alpha, side in GRID:
        state = {"alpha": alpha, "resolution": side}
        v = knobs.view(state)
        panels = []
        for p in v["panels"]:
            q = {k: val for k, val in p.items() if k != "rgba"}
            if "rgba" in p:
                q["sha256"] = hashlib.sha256(p["rgba"].tobytes()).hexdigest()
                q["width"], q["height"] = p["rgba"].shape[1], p["rgba"].shape[0]
            panels.append(q)
        views.append({"state": state, "view": {"panels": panels, "texts": v["texts"]}})
    saved = saved_state(knobs)["state"][knobs.model_id]
    fixture = tmp_path / "mobilenet_knobs.json"
    fixture.write_text(json.dumps({"saved": saved, "controls": knobs.controls, "views": views}))
    run_node(["mobilenet_knobs.test.mjs"], {"CONVTUTOR_KNOBS_FIXTURE": str(fixture)}, passed=1)
