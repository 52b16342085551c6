"""ChannelFilter: one depth-wise layer (one kernel size); every map the page shows equals
ct.depthwise_conv2d and PyTorch; one kernel menu changes one row; the words are Python's."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convtutor as ct
from convtutor.viz.images import CHANNEL_COLORS, CHANNEL_NAMES
from convtutor.widgets import ChannelFilter
from convtutor.widgets._base import format_number, lut, map_values
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.channel_filter import LAYER_KERNELS
from tests.support.optional_torch import torch
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    expected_view,
    needs_node,
    raises_naming,
    run_node,
)

NAMES = list(LAYER_KERNELS)
K = ChannelFilter.KERNEL_SIZE


@pytest.fixture(scope="module")
def widget():
    return ChannelFilter()


def own_output(image, c, name):
    """Channel c of the photo filtered with kernel `name`, by convtutor, float64."""
    kernel = np.asarray(ct.kernels.NAMED[name], dtype=np.float64)
    return ct.depthwise_conv2d(image[c : c + 1], kernel[None, None])[0]


def panel(view, name):
    return next(p for p in view["panels"] if p["name"] == name)


def test_every_kernel_on_every_channel_equals_depthwise_conv2d(widget):
    """What the page paints (float32 shipped) equals convtutor's float64 result."""
    w = widget
    start = w.state
    try:
        for c in range(3):
            for name in NAMES:
                w.set(**{f"kernel_{c}": name})
                want = own_output(w.image, c, name)
                scale = max(1.0, float(np.abs(want).max()))
                np.testing.assert_allclose(w.shown()[c], want, rtol=0, atol=1e-6 * scale)
                np.testing.assert_array_equal(w.output(c), want)
                assert w.kernel_name(c) == name
                np.testing.assert_array_equal(w.kernel(c), ct.kernels.NAMED[name])
    finally:
        w.values = start


def test_the_menus_offer_every_named_kernel_of_the_layers_one_size():
    """A depth-wise layer has one kernel size: the menus hold every 3×3 kernel of
    ct.kernels.NAMED, and no other."""
    assert K == 3
    assert NAMES == [n for n, k in ct.kernels.NAMED.items() if k.shape == (K, K)]
    assert len(NAMES) >= 10 and "Gaussian 5x5" not in NAMES
    for c in range(3):
        assert ChannelFilter().controls[f"kernel_{c}"]["options"] == NAMES


def test_all_three_channels_at_once_equal_one_depthwise_call():
    """Any three kernels the menus give make one layer: one ct.depthwise_conv2d call,
    three outputs of one size."""
    rng = np.random.default_rng(3)
    w = ChannelFilter()
    h, wd = w.image.shape[1:]
    for _ in range(12):
        names = [str(n) for n in rng.choice(NAMES, 3)]
        w.set(kernel_0=names[0], kernel_1=names[1], kernel_2=names[2])
        weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]
        assert weight.shape == (3, 1, K, K)
        want = ct.depthwise_conv2d(w.image, weight)
        assert want.shape == (3, h - K + 1, wd - K + 1)
        np.testing.assert_allclose(np.stack(w.shown()), want, rtol=0, atol=1e-6 * 16)
        np.testing.assert_array_equal(np.stack([w.output(c) for c in range(3)]), want)


def test_every_state_shows_three_outputs_of_one_size(widget):
    """Whatever the menus say, the three output canvases have one size: the layer's."""
    h, wd = widget.image.shape[1:]
    for state in node_states(widget, np.random.default_rng(5), n_random=40):
        view = widget.view(state)
        shapes = {panel(view, f"output_{c}")["rgba"].shape for c in range(3)}
        assert shapes == {(h - K + 1, wd - K + 1, 4)}


def test_the_layer_sentence_is_pytorchs_layer_and_conv_costs_count():
    """'weight shape (3, 1, 3, 3); in PyTorch Conv2d(3, 3, 3, groups=3)': that module has
    that weight, gives the maps shown, and ct.conv_cost counts its weights."""
    w = ChannelFilter(kernels=("Laplacian", "Scharr y", "identity"))
    assert w.view()["texts"]["layer"] == (
        "One depth-wise layer: each of the 3 channels has its own 3×3 kernel, "
        "weight shape (3, 1, 3, 3); in PyTorch Conv2d(3, 3, 3, groups=3)."
    )
    layer = torch.nn.Conv2d(3, 3, 3, groups=3, bias=False).double()
    assert tuple(layer.weight.shape) == (3, 1, 3, 3)
    weight = np.stack([w.kernel(c) for c in range(3)])[:, None]
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        got = layer(torch.from_numpy(w.image)[None])[0].numpy()
    np.testing.assert_allclose(np.stack([w.output(c) for c in range(3)]), got, atol=1e-12)
    cost = ct.conv_cost("depthwise", 3, 3, 3, w.image.shape[1:])
    assert cost.params == layer.weight.numel() == 27
    assert tuple(cost.output_size) == got.shape[1:]


def test_torch_groups_3_gives_the_same_maps():
    """PyTorch's grouped convolution (groups=C, float64) agrees with what is shown."""
    w = ChannelFilter(kernels=("Sobel x", "sharpen", "Laplacian"))
    weight = np.stack([ct.kernels.NAMED[w.kernel_name(c)] for c in range(3)])[:, None]
    want = torch.nn.functional.conv2d(
        torch.from_numpy(w.image)[None], torch.from_numpy(weight.astype(np.float64)), groups=3
    )[0].numpy()
    np.testing.assert_allclose(np.stack([w.output(c) for c in range(3)]), want, atol=1e-12)
    np.testing.assert_allclose(np.stack(w.shown()), want, rtol=0, atol=1e-5)


def test_painted_colours_are_convtutors_values_coloured(widget):
    """Each output canvas is convtutor's float64 map through RdBu_r on its symmetric scale.

    The page computes the maps from the photo as shipped (float32), so a pixel may take
    the next colour only where convtutor's value lies within float32 rounding of a
    colour step (a flat patch's 0, on the step at the middle of the scale, is one)."""
    table = lut("RdBu_r")
    view = widget.view()
    for c in range(3):
        name = widget.kernel_name(c)
        want = own_output(widget.image, c, name)
        limit = max(float(np.abs(own_output(widget.image, d, name)).max()) for d in range(3))
        assert widget.meta["limits"][name] == pytest.approx(limit, rel=1e-6)
        rgba = map_values(want, -limit, limit, table)
        differ = np.any(panel(view, f"output_{c}")["rgba"] != rgba, axis=-1)
        steps = (want + limit) / (2 * limit) * 256  # colour steps at the whole numbers
        from_step = np.abs(steps - np.round(steps)) * (2 * limit / 256)
        assert differ.mean() < 1e-2
        assert np.all(from_step[differ] < 1e-6 * limit), from_step[differ].max()


def test_kernel_tables_hold_the_kernels_numbers(widget):
    """Each kernel table writes the chosen kernel's numbers, cell by cell."""
    view = widget.view()
    for c in range(3):
        k = ct.kernels.NAMED[widget.kernel_name(c)]
        cells = panel(view, f"kernel_{c}")["cells"]
        assert [[cell["text"] for cell in row] for row in cells] == [
            [format_number(v) for v in row] for row in k
        ]


@pytest.mark.parametrize("c", [0, 1, 2])
def test_a_kernel_menu_changes_only_its_own_channels_panels(c):
    """Changing kernel c changes kernel c's table and output c, nothing else."""
    w = ChannelFilter()
    rng = np.random.default_rng(c)
    for start in range(3):
        w.set(
            channel=int(rng.integers(3)),
            **{f"kernel_{d}": str(rng.choice(NAMES)) for d in range(3)},
        )
        before = w.view()
        for name in NAMES:
            if name == w.kernel_name(c):
                continue
            state = {**w.state, f"kernel_{c}": name}
            after = w.view(state)
            changed = {
                p["name"]
                for p, q in zip(before["panels"], after["panels"], strict=True)
                if p["title"] != q["title"]
                or ("rgba" in p and not np.array_equal(p["rgba"], q["rgba"]))
                or p.get("cells") != q.get("cells")
            }
            assert changed == {f"kernel_{c}", f"output_{c}"}, (start, name, changed)
            texts_changed = before["texts"] != after["texts"]
            assert texts_changed == (w.state["channel"] == c)


def test_the_channel_slider_outlines_one_row_in_its_colour():
    """The channel slider outlines its row's input, kernel and output in its colour only."""
    w = ChannelFilter()
    for c in range(3):
        w.set(channel=c)
        view = w.view()
        for d in range(3):
            for kind in ("input", "kernel", "output"):
                want = CHANNEL_COLORS[c] if d == c else ""
                assert panel(view, f"{kind}_{d}")["mark"] == want
        assert f"Following the {CHANNEL_NAMES[c]} channel: input {c}" in view["texts"]["follow"]
        np.testing.assert_array_equal(w.output(), w.output(c))


def test_sizes_in_titles_and_texts_are_convtutors(widget):
    """'output c (94×94)' and '96 − 3 + 1 = 94' are the shapes convtutor gives, for every
    kernel followed on every channel; canvases are drawn at their true size, one scale."""
    w = widget
    start = w.state
    h, wd = w.image.shape[1:]
    try:
        for c in range(3):
            for name in NAMES:
                w.set(channel=c, **{f"kernel_{c}": name})
                ho, wo = own_output(w.image, c, name).shape
                kh, kw = ct.kernels.NAMED[name].shape
                assert (kh, kw) == (K, K)
                assert (h - kh + 1, wd - kw + 1) == (ho, wo)  # the sum the text shows is true
                view = w.view()
                out = panel(view, f"output_{c}")
                assert out["title"].startswith(f"= output {c} ({ho}×{wo})\n")
                assert out["rgba"].shape == (ho, wo, 4)
                inp = panel(view, f"input_{c}")
                assert inp["rgba"].shape == (h, wd, 4) and inp["scale"] == out["scale"]
                assert panel(view, f"kernel_{c}")["title"] == f"⋆ kernel {c}: {name}\n{kh}×{kw}"
                assert view["texts"]["size"] == (
                    f"No padding, so every output is smaller than its input: "
                    f"{h} − {kh} + 1 = {ho} rows, {wd} − {kw} + 1 = {wo} columns."
                )
                assert view["texts"]["follow"] == (
                    f"Following the {CHANNEL_NAMES[c]} channel: input {c} ⋆ kernel {c} "
                    f"({name}) = output {c}. No other channel takes part."
                )
                limit = format_number(w.meta["limits"][name], 2)
                assert out["title"].endswith(f"blue −{limit} · white 0 · red +{limit}")
    finally:
        w.values = start


def test_a_student_picture_of_another_shape():
    """A picture of another shape and other kernels gives the right sizes and outputs."""
    rng = np.random.default_rng(1)
    image = rng.random((3, 30, 41))
    w = ChannelFilter(image, kernels=("box blur 3x3", "identity", "Scharr y"))
    view = w.view()
    assert panel(view, "output_0")["title"].startswith("= output 0 (28×39)")
    assert "30 − 3 + 1 = 28 rows, 41 − 3 + 1 = 39 columns" in view["texts"]["size"]
    assert panel(view, "photo")["rgba"].shape == (30, 41, 4)
    np.testing.assert_array_equal(w.output(1), image[1, 1:-1, 1:-1])


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"channel": 3}, ValueError, ["channel must be between 0 and 2", "3"]),
        ({"channel": "red"}, TypeError, ["channel must be a number", "'red'"]),
        ({"channel": 0.5}, ValueError, ["channel must be a multiple of 1"]),
        ({"kernel_1": "emboss"}, ValueError, ["kernel_1 must be one of", "'Sobel x'", "'emboss'"]),
        ({"kernel": "Sobel x"}, ValueError, ["no control named 'kernel'", "'kernel_0'"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(ChannelFilter(), values, error, words)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"kernels": ("Sobel x",)}, ValueError, ["kernels must be 3 names", "['Sobel x']"]),
        ({"kernels": ("a", "b", "c")}, ValueError, ["kernels must be 3 names", "'a'"]),
        (
            {"kernels": ("Sobel x", "Sobel y", "Gaussian 5x5")},
            ValueError,
            ["3×3 kernels", "'Gaussian 5x5' is not 3×3", "one kernel size"],
        ),
        ({"kernels": "Sobel x"}, TypeError, ["kernels must be a sequence", "'Sobel x'"]),
        ({"kernels": 3}, TypeError, ["kernels must be a sequence", "int 3"]),
        ({"image": np.zeros((4, 20, 20))}, ValueError, ["image", "(3, H, W)", "(4, 20, 20)"]),
        ({"size": 4}, ValueError, ["size must be between 16 and 512", "4"]),
    ],
)
def test_bad_arguments_name_themselves(kwargs, error, words):
    """A bad constructor argument raises an error that names it."""
    raises_naming(error, words, ChannelFilter, **kwargs)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda w: w.kernel_name(3), ValueError, ["channel must be 0, 1 or 2", "3"]),
        (lambda w: w.output("red"), TypeError, ["channel must be 0, 1 or 2", "'red'"]),
    ],
)
def test_bad_channel_in_the_helpers(call, error, words):
    """The helpers refuse a channel out of range, naming it."""
    raises_naming(error, words, call, ChannelFilter())


def test_png_fallback_is_a_picture():
    """The PNG fallback is a picture laid out as the page, with the page's titles."""
    w = ChannelFilter()
    data = assert_png_fallback(w)
    assert data["text/plain"].startswith("ChannelFilter widget.")
    # laid out as the page: the photo, then a row per channel; an unpadded output sits
    # over the input pixels its windows are centred on (3×3: 1 pixel in)
    fig = w.figure()
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [p["title"] for p in w.view()["panels"]]
    out = axes[-1]
    assert out.get_subplotspec().rowspan.start == 3 and out.get_subplotspec().colspan.start == 2
    assert out.images[0].get_extent() == [0.5, 94.5, 94.5, 0.5]
    assert_texts_drawn(fig, w.view()["texts"])
    assert [s.get_edgecolor() for s in axes[1].spines.values()][0][:3] == pytest.approx(
        tuple(int(CHANNEL_COLORS[0][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )


# ---- the page's own Node test (tests/js/channel_filter.test.mjs) -----------------------
def node_states(w, rng, n_random: int = 120) -> list:
    """Every channel followed with every kernel, other kernels at random; then random states."""
    states = []
    for c in range(3):
        for name in NAMES:
            s = {f"kernel_{d}": str(rng.choice(NAMES)) for d in range(3)}
            states.append({**s, "channel": c, f"kernel_{c}": name})
    for _ in range(n_random):
        s = {f"kernel_{d}": str(rng.choice(NAMES)) for d in range(3)}
        states.append({**s, "channel": int(rng.integers(3))})
    return states


@needs_node
def test_node_channel_filter(tmp_path):
    """The module, in Node: Python's view in every (channel, kernel followed) state and 120
    random ones; a kernel menu changes only its own row, in the page's own view."""
    w = ChannelFilter()
    states = node_states(w, np.random.default_rng(0))
    fixture = {
        "saved": saved_state(w)["state"][w.model_id],
        "names": NAMES,
        "cases": [{"state": s, "view": expected_view(w.view(s))} for s in states],
    }
    path = tmp_path / "channel_filter.json"
    path.write_text(json.dumps(fixture))
    run_node(["channel_filter.test.mjs"], {"CONVTUTOR_CHANNEL_FILTER": str(path)}, passed=2)
