"""ChannelFilter: every map the page shows equals ct.depthwise_conv2d; one kernel, one row."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from helpers import assert_png_fallback, assert_refused, needs_node, raises_naming, run_node
from test_modules_node import expected_view

import convtutor as ct
from convtutor.viz.images import CHANNEL_COLORS, CHANNEL_NAMES
from convtutor.widgets import ChannelFilter
from convtutor.widgets._base import format_number, lut, map_values
from convtutor.widgets._standalone import saved_state

NAMES = list(ct.kernels.NAMED)


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


@pytest.mark.parametrize("size", [3, 5])
def test_all_three_channels_at_once_equal_one_depthwise_call(size):
    """With three kernels of one size, the three maps are one ct.depthwise_conv2d call."""
    same = [n for n in NAMES if ct.kernels.NAMED[n].shape[0] == size]
    rng = np.random.default_rng(size)
    w = ChannelFilter()
    for _ in range(8):
        names = [str(n) for n in rng.choice(same, 3)]
        w.set(kernel_0=names[0], kernel_1=names[1], kernel_2=names[2])
        weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]
        want = ct.depthwise_conv2d(w.image, weight)
        np.testing.assert_allclose(np.stack(w.shown()), want, rtol=0, atol=1e-6 * 16)
        np.testing.assert_array_equal(np.stack([w.output(c) for c in range(3)]), want)


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
                assert (h - kh + 1, wd - kw + 1) == (ho, wo)  # the sum the text shows is true
                view = w.view()
                out = panel(view, f"output_{c}")
                assert out["title"].startswith(f"= output {c} ({ho}×{wo})\n")
                assert out["rgba"].shape == (ho, wo, 4)
                inp = panel(view, f"input_{c}")
                assert inp["rgba"].shape == (h, wd, 4) and inp["scale"] == out["scale"]
                assert panel(view, f"kernel_{c}")["title"] == f"⋆ kernel {c}: {name}\n{kh}×{kw}"
                assert view["texts"]["size"] == (
                    f"No padding, so output {c} is smaller than its input: "
                    f"{h} − {kh} + 1 = {ho} rows, {wd} − {kw} + 1 = {wo} columns."
                )
                limit = format_number(w.meta["limits"][name], 2)
                assert out["title"].endswith(f"blue −{limit} · white 0 · red +{limit}")
    finally:
        w.values = start


def test_a_student_picture_of_another_shape():
    rng = np.random.default_rng(1)
    image = rng.random((3, 30, 41))
    w = ChannelFilter(image, kernels=("Gaussian 5x5", "identity", "Scharr y"))
    view = w.view()
    assert panel(view, "output_0")["title"].startswith("= output 0 (26×37)")
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
    assert_refused(ChannelFilter(), values, error, words)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"kernels": ("Sobel x",)}, ValueError, ["kernels must be 3 names", "['Sobel x']"]),
        ({"kernels": ("a", "b", "c")}, ValueError, ["kernels must be 3 names", "'a'"]),
        ({"kernels": "Sobel x"}, TypeError, ["kernels must be a sequence", "'Sobel x'"]),
        ({"kernels": 3}, TypeError, ["kernels must be a sequence", "int 3"]),
        ({"image": np.zeros((4, 20, 20))}, ValueError, ["image must have shape (3, H, W)"]),
        ({"size": 4}, ValueError, ["size must be between 16 and 512", "4"]),
    ],
)
def test_bad_arguments_name_themselves(kwargs, error, words):
    raises_naming(error, words, ChannelFilter, **kwargs)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda w: w.kernel_name(3), ValueError, ["channel must be 0, 1 or 2", "3"]),
        (lambda w: w.output("red"), TypeError, ["channel must be 0, 1 or 2", "'red'"]),
    ],
)
def test_bad_channel_in_the_helpers(call, error, words):
    raises_naming(error, words, call, ChannelFilter())


def test_png_fallback_is_a_picture():
    w = ChannelFilter()
    data = assert_png_fallback(w)
    assert data["text/plain"].startswith("ChannelFilter widget.")
    # laid out as the page: the photo, then a row per channel; an unpadded output sits
    # over the input pixels its windows are centred on (Gaussian 5x5: 2 pixels in)
    fig = w.figure()
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [p["title"] for p in w.view()["panels"]]
    out = axes[-1]
    assert out.get_subplotspec().rowspan.start == 3 and out.get_subplotspec().colspan.start == 2
    assert out.images[0].get_extent() == [1.5, 93.5, 93.5, 1.5]
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
