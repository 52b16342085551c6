"""Stacking: the slices shown are ct.depthwise_conv2d's; every number in a text is convtutor's."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convtutor as ct
from convtutor.viz.images import CHANNEL_COLORS, CHANNEL_NAMES
from convtutor.widgets import Stacking
from convtutor.widgets._base import format_number
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.stacking import KERNEL_SETS
from tests.support.optional_torch import torch
from tests.support.widgets import assert_png_fallback, assert_refused, needs_node, run_node

GRID = [(m, s) for s in KERNEL_SETS for m in (1, 2, 3)]


@pytest.fixture(scope="module")
def widget():
    return Stacking()


def panel(view, name):
    return next(p for p in view["panels"] if p["name"] == name)


def channel_of_slices(image, weight) -> list:
    """Which input channel each output slice comes from, found by experiment: keep one
    channel of the photo, zero the others, and see which slices are not all zero."""
    owner = [None] * weight.shape[0]
    for c in range(image.shape[0]):
        alone = np.zeros_like(image)
        alone[c] = image[c]
        out = ct.depthwise_conv2d(alone, weight)
        for o in np.flatnonzero(np.abs(out).reshape(len(out), -1).max(axis=1) > 0):
            assert owner[o] is None
            owner[o] = c
    return owner


def truths(w, m, set_name) -> dict:
    """What the widget must say in state (m, set_name), from convtutor and PyTorch alone."""
    names = KERNEL_SETS[set_name][:m]
    kernels = np.stack([ct.kernels.NAMED[n] for n in names]).astype(np.float64)
    # channel c's kernels are slices c*M ... c*M + M - 1 of the weight
    weight = np.stack([kernels[o % m] for o in range(3 * m)])[:, None]
    out = ct.depthwise_conv2d(w.image, weight)
    cm, ho, wo = out.shape
    k = kernels.shape[-1]
    layer = torch.nn.Conv2d(3, cm, k, groups=3, bias=False)
    owner = channel_of_slices(w.image, weight)
    spans = []
    for c in range(3):
        mine = [o for o in range(cm) if owner[o] == c]
        span = str(mine[0]) if len(mine) == 1 else f"{mine[0]}–{mine[-1]}"
        spans.append(f"{span} from {CHANNEL_NAMES[c]}")
    word = "Slice" if m == 1 else "Slices"
    limits = [float(np.abs(out[j::m]).max()) for j in range(m)]  # kernel j, all channels
    scales = ", ".join(f"{names[j]} ±{format_number(limits[j], 2)}" for j in range(m))
    return {
        "weight": weight,
        "out": out,
        "owner": owner,
        "limits": limits,
        "title": (
            f"the stack: 3·{m} = {cm} slices of {ho}×{wo},\n"
            f"as one picture: rows {', '.join(CHANNEL_NAMES[c] for c in sorted(set(owner)))},\n"
            f"column{'s' if m > 1 else ''} {', '.join(names)}"
        ),
        "slice_titles": [
            f"slice {o}: {CHANNEL_NAMES[owner[o]]} ⋆ {names[o % m]}" for o in range(cm)
        ],
        "texts": {
            "weight": (
                f"The weight has shape {tuple(layer.weight.shape)}: {m} kernel"
                f"{'s' if m > 1 else ''} for each of the 3 input channels. In PyTorch: "
                f"Conv2d(3, {cm}, {k}, groups=3)."
            ),
            "origin": f"{word} {', '.join(spans[:-1])} and {spans[-1]}.",
            "colours": f"Colours: blue below 0, white at 0, red above; one scale per kernel: "
            f"{scales}.",
        },
    }


@pytest.mark.parametrize(("m", "set_name"), GRID)
def test_every_state_shows_depthwise_conv2d(widget, m, set_name):
    """weight(), outputs() and the painted slices equal convtutor's depth-wise layer."""
    w = widget
    w.set(depth_multiplier=m, kernels=set_name)
    t = truths(w, m, set_name)
    np.testing.assert_array_equal(w.weight(), t["weight"])
    np.testing.assert_allclose(w.outputs(), ct.depthwise_conv2d(w.image, w.weight()), atol=1e-12)
    np.testing.assert_allclose(w.outputs(), t["out"], atol=1e-12)
    scale = float(np.abs(t["out"]).max())
    np.testing.assert_allclose(w.shown(), t["out"], rtol=0, atol=1e-6 * scale)
    for j in range(m):
        assert w.meta["limits"][set_name][j] == pytest.approx(t["limits"][j], rel=1e-6)


@pytest.mark.parametrize(("m", "set_name"), GRID)
def test_every_title_and_text_is_convtutors(widget, m, set_name):
    """Every title and text of the view says convtutor's numbers for each M and kernel set."""
    w = widget
    w.set(depth_multiplier=m, kernels=set_name)
    t = truths(w, m, set_name)
    view = w.view()
    assert view["texts"] == t["texts"]
    assert panel(view, "picture")["title"] == t["title"]
    for o in range(9):
        p = panel(view, f"slice_{o}")
        if o < 3 * m:
            assert p["title"] == t["slice_titles"][o]
            assert p["mark"] == CHANNEL_COLORS[t["owner"][o]]
            assert p["rgba"].shape[:2] == t["out"].shape[1:]
        else:
            assert p["hidden"]


def test_torch_groups_3_gives_the_same_stack():
    """PyTorch's Conv2d(3, 3*M, k, groups=3) with the widget's weight, float64."""
    w = Stacking()
    w.set(depth_multiplier=2, kernels="blur, sharpen, identity")
    want = torch.nn.functional.conv2d(
        torch.from_numpy(w.image)[None], torch.from_numpy(w.weight()), groups=3
    )[0].numpy()
    np.testing.assert_allclose(w.outputs(), want, atol=1e-12)
    np.testing.assert_allclose(w.shown(), want, rtol=0, atol=1e-5)


def test_the_one_picture_has_a_row_per_channel_of_the_slices():
    """Row c of the picture holds slices c*M ... c*M + M - 1, as painted in their panels."""
    w = Stacking()
    w.set(depth_multiplier=2)
    view = w.view()
    pic = panel(view, "picture")["rgba"]
    h, wd = w.outputs().shape[1:]
    gap = w.GAP
    owner = channel_of_slices(w.image, w.weight())
    assert pic.shape[:2] == (3 * h + 2 * gap, 2 * wd + gap)
    for o in range(6):
        c, j = divmod(o, 2)
        assert owner[o] == c  # row c of the picture is input channel c's
        y, x = c * (h + gap), j * (wd + gap)
        np.testing.assert_array_equal(pic[y : y + h, x : x + wd], panel(view, f"slice_{o}")["rgba"])
    assert (pic[h : h + gap, :, :3] == w.GAP_RGB).all()
    mosaic = w.mosaic()
    assert mosaic.shape == pic.shape[:2]
    np.testing.assert_array_equal(mosaic[h + gap : 2 * h + gap, :wd], w.outputs()[2])
    assert np.isnan(mosaic[h : h + gap]).all()


def test_a_slice_keeps_its_colours_when_m_changes():
    """A slice keeps its pixels when the depth multiplier changes."""
    w = Stacking()
    first = panel(w.view(), "slice_1")["rgba"]  # M = 1: green ⋆ kernel 0
    w.set(depth_multiplier=3)
    np.testing.assert_array_equal(panel(w.view(), "slice_3")["rgba"], first)


def test_a_student_picture_of_another_shape():
    """A picture of another shape gives convtutor's depth-wise outputs and the right title."""
    image = np.random.default_rng(2).random((3, 20, 33))
    w = Stacking(image)
    w.set(depth_multiplier=3)
    assert w.outputs().shape == (9, 18, 31)
    np.testing.assert_allclose(w.outputs(), ct.depthwise_conv2d(image, w.weight()), atol=1e-12)
    assert "9 slices of 18×31,\n" in panel(w.view(), "picture")["title"]


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"depth_multiplier": 4}, ValueError, ["depth_multiplier must be between 1 and 3", "4"]),
        ({"depth_multiplier": 1.5}, ValueError, ["depth_multiplier must be a multiple of 1"]),
        ({"depth_multiplier": "two"}, TypeError, ["depth_multiplier must be a number", "'two'"]),
        ({"kernels": "Sobel x"}, ValueError, ["kernels must be one of", "'Sobel x'"]),
        ({"M": 2}, ValueError, ["no control named 'M'", "'depth_multiplier'"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(Stacking(), values, error, words)


def test_bad_arguments_name_themselves():
    """A bad picture, size or output stack raises an error that names it."""
    with pytest.raises(ValueError, match=r"image must have shape \(3, H, W\)"):
        Stacking(np.zeros((3, 5, 40)))
    with pytest.raises(ValueError, match="size must be between 16 and 512"):
        Stacking(size=1000)
    with pytest.raises(ValueError, match=r"outputs must have shape \(C\*M, H, W\) with C = 3"):
        Stacking().mosaic(np.zeros((4, 5, 5)))


def test_png_fallback_is_a_picture():
    """Displaying the widget also gives a PNG picture of it."""
    w = Stacking()
    w.set(depth_multiplier=3)
    assert_png_fallback(w)


@needs_node
def test_node_stacking_texts_are_convtutors(tmp_path):
    """The page's own titles and texts (it multiplies C·M and counts slice ranges) equal
    what convtutor and PyTorch say, over the whole control grid, in Node."""
    w = Stacking()
    cases = []
    for m, set_name in GRID:
        t = truths(w, m, set_name)
        cases.append(
            {
                "state": {"depth_multiplier": m, "kernels": set_name},
                "title": t["title"],
                "slice_titles": t["slice_titles"],
                "marks": [CHANNEL_COLORS[c] for c in t["owner"]],
                "size": list(t["out"].shape[1:]),
                "texts": t["texts"],
            }
        )
    path = tmp_path / "stacking.json"
    path.write_text(json.dumps({"saved": saved_state(w)["state"][w.model_id], "cases": cases}))
    run_node(["stacking.test.mjs"], {"CONVTUTOR_STACKING": str(path)}, passed=1)


def test_the_photo_and_every_slice_are_drawn_at_one_scale():
    """One CSS scale for every canvas, so a slice's 94 pixels look 2 pixels short of 96."""
    w = Stacking()
    w.set(depth_multiplier=3)
    scales = {p["scale"] for p in w.view()["panels"] if "rgba" in p}
    assert scales == {1.0}
    assert {p["scale"] for p in Stacking(size=48).view()["panels"] if "rgba" in p} == {2.0}
