"""The depth-wise, point-wise and separable widgets, and the image figure builders.

Every control is moved through its whole range from code; after each move the arrays
and texts on screen must equal what convtutor's own functions compute for that state,
no artist may have been added, and no callback error may have been swallowed.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import convtutor as ct
from convtutor.viz.images import (
    CHANNEL_COLORS,
    fast_title,
    format_number,
    outline_text,
    outline_title,
    rgba_bytes,
    show_channels,
    show_feature_map,
    show_image,
    show_kernel,
    show_stack,
    symmetric_limit,
    update_kernel,
    update_stack,
)
from convtutor.widgets.depthwise import KERNEL_SETS, ChannelFilter, Stacking
from convtutor.widgets.pointwise import (
    MIXER_PRESETS,
    POINTWISE_PRESETS,
    KERNELS_3x3,
    PointwiseMixer,
    SeparablePipeline,
)

WIDGETS = [ChannelFilter, Stacking, PointwiseMixer, SeparablePipeline]
SIZE = 40  # small images keep the sweeps quick; the widgets' default is 96


# ---- helpers ----------------------------------------
def inventory(fig):
    """Everything a widget could add by mistake: axes, images, texts, collections, patches."""
    return (
        len(plt.get_fignums()),
        len(fig.axes),
        len(fig.texts),
        len(fig.artists),
        len(fig.patches),
        [
            (len(ax.images), len(ax.texts), len(ax.collections), len(ax.patches), len(ax.lines))
            for ax in fig.axes
        ],
    )


def expected_texts(kernel, max_shape):
    """The strings ``show_kernel`` should write, cell by cell of its ``max_shape`` grid."""
    mh, mw = max_shape
    texts = [""] * (mh * mw)
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            if np.isfinite(kernel[i, j]):
                texts[i * mw + j] = format_number(kernel[i, j])
    return texts


def assert_kernel_shows(artists, kernel):
    """The heat-map holds ``kernel`` and every cell's number is written."""
    shown = artists.shown()  # read back from the heat-map's cells
    assert shown.shape == kernel.shape
    assert np.array_equal(shown, kernel, equal_nan=True)
    assert artists.texts == expected_texts(kernel, artists.max_shape)
    assert len(artists.numbers.get_paths()) == int(np.isfinite(kernel).sum())


def assert_symmetric(image):
    """Colour limits are (-limit, +limit): 0 is the middle (white) of the diverging map."""
    vmin, vmax = image.get_clim()
    assert vmin == -vmax and vmax > 0


@pytest.fixture(params=WIDGETS, ids=lambda cls: cls.__name__)
def widget_class(request):
    return request.param


def build(cls):
    return cls(size=SIZE)


# ---- every widget ----------------------------------------
def test_builds_with_no_arguments(widget_class):
    """Each widget builds with no arguments, on the sample photo, with a caption."""
    w = widget_class()
    assert w.figure is not None and w.controls and w.widget is not None
    assert widget_class.caption
    assert w.errors == []
    width, height = w.figure.get_size_inches()
    # JupyterLab's output area at 1280 x 800 with the side bar open: ~848 px at dpi 100.
    assert width <= 8.4 and height <= 5.2


def test_state_reflects_set(widget_class):
    """``.state`` gives back every value put in with ``.set``."""
    w = build(widget_class)
    for name, control in w.controls.items():
        options = getattr(control, "options", None)
        if options:
            value = options[-1][1] if isinstance(options[-1], tuple) else options[-1]
        else:
            value = control.max
        w.set(**{name: value})
        assert w.state[name] == control.value == value
    assert w.errors == []


def test_unknown_control_is_refused(widget_class):
    """``.set`` with a name that is not a control raises ValueError naming it."""
    w = build(widget_class)
    with pytest.raises(ValueError, match="no_such_control"):
        w.set(no_such_control=1)


def test_broken_update_raises_through_set(widget_class, monkeypatch):
    """An error in the update reaches the caller of ``.set``; from the front end it is recorded."""
    w = build(widget_class)
    name, control = next(iter(w.controls.items()))

    def broken():
        raise RuntimeError("deliberately broken")

    monkeypatch.setattr(w, "_update", broken)
    options = getattr(control, "options", None)
    values = (
        [o[1] if isinstance(o, tuple) else o for o in options]
        if options
        else [control.min, control.max]
    )
    other = next(v for v in values if v != control.value)
    with pytest.raises(RuntimeError, match="deliberately broken"):
        w.set(**{name: other})
    # Moved as the browser would (no .set): the error is kept and shown, not lost.
    control.value = next(v for v in values if v != control.value)
    assert len(w.errors) == 1 and "deliberately broken" in str(w.errors[0])


# ---- ChannelFilter ----------------------------------------
def check_channel_filter(w):
    c = w.state["channel"]
    names = [w.state[f"kernel_{i}"] for i in range(3)]
    kernel = ct.kernels.NAMED[names[c]]
    expected = ct.depthwise_conv2d(w.image[c : c + 1], kernel[None, None])[0]
    a = w.artists
    assert np.array_equal(a["input"].get_array(), w.image[c])
    assert_kernel_shows(a["kernel"], kernel)
    assert np.allclose(a["output"].get_array(), expected)
    if len({ct.kernels.NAMED[n].shape for n in names}) == 1:  # one depth-wise layer
        weight = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]
        assert np.allclose(a["output"].get_array(), ct.depthwise_conv2d(w.image, weight)[c])
    assert_symmetric(a["output"])
    # The output sits over the pixels its windows are centred on.
    half = kernel.shape[0] // 2
    assert a["output"].get_extent()[0] == half - 0.5
    assert a["mark"].get_edgecolor()[:3] == pytest.approx(
        tuple(int(CHANNEL_COLORS[c][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    assert names[c] in a["kernel_title"].get_text()


def test_channel_filter_sweeps_every_control():
    """Every channel and every kernel of every channel shows input c ⊛ kernel c = output c."""
    w = build(ChannelFilter)
    before = inventory(w.figure)
    check_channel_filter(w)
    for c in range(3):
        w.set(channel=c)
        check_channel_filter(w)
        for name in ct.kernels.NAMED:
            w.set(**{f"kernel_{c}": name})
            check_channel_filter(w)
    assert inventory(w.figure) == before
    assert w.errors == []


def test_channel_filter_other_kernels_do_not_touch_the_shown_channel():
    """Changing another channel's kernel leaves the shown output as it was (depth-wise)."""
    w = build(ChannelFilter)
    w.set(channel=0)
    shown = np.array(w.artists["output"].get_array())
    w.set(kernel_1="Laplacian", kernel_2="identity")
    assert np.array_equal(w.artists["output"].get_array(), shown)


# ---- Stacking ----------------------------------------
def check_stacking(w):
    m = w.state["depth_multiplier"]
    names = KERNEL_SETS[w.state["kernels"]][:m]
    weight = np.tile(np.stack([ct.kernels.NAMED[n] for n in names])[:, None], (3, 1, 1, 1))
    expected = ct.depthwise_conv2d(w.image, weight)  # (3M, H', W')
    assert expected.shape[0] == 3 * m
    stack = w.artists["stack"]
    for o, (image, frame) in enumerate(zip(stack.images, stack.frames, strict=True)):
        assert image.get_visible() == frame.get_visible() == (o < 3 * m)
        if o < 3 * m:
            assert np.allclose(image.get_array(), expected[o])
            assert_symmetric(image)
            colour = CHANNEL_COLORS[o // m]  # outlined in the colour of its input channel
            assert frame.get_edgecolor()[:3] == pytest.approx(
                tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
            )
    picture = np.asarray(w.artists["picture"].get_array())
    _, h, wd = expected.shape
    gap = w.GAP
    for o in range(3 * m):
        c, j = divmod(o, m)
        block = picture[c * (h + gap) : c * (h + gap) + h, j * (wd + gap) : j * (wd + gap) + wd]
        assert np.allclose(block, expected[o])
    assert f"= {3 * m} slices" in w.artists["stack_title"].get_text()


def test_stacking_sweeps_every_control():
    """Every kernel set and M = 1..3 shows the 3·M depth-wise outputs, slice by slice."""
    w = build(Stacking)
    before = inventory(w.figure)
    check_stacking(w)
    for set_name in KERNEL_SETS:
        w.set(kernels=set_name)
        check_stacking(w)
        for m in range(1, 4):
            w.set(depth_multiplier=m)
            check_stacking(w)
    for m in (3, 2, 1):  # and back down: the extra slices hide again
        w.set(depth_multiplier=m)
        check_stacking(w)
    assert inventory(w.figure) == before
    assert w.errors == []


# ---- PointwiseMixer ----------------------------------------
def mixer_input(w):
    photo = ct.data.sample_image(SIZE)
    if w.state["input"] == "photo":
        return photo[:, 1:-1, 1:-1]
    kernels = np.stack([ct.kernels.SOBEL_X, ct.kernels.SOBEL_Y, ct.kernels.LAPLACIAN])
    return np.abs(ct.depthwise_conv2d(ct.data.to_gray(photo)[None], kernels[:, None]))


def check_mixer(w):
    n, row = w.state["out_channels"], w.state["row"]
    weights = w.weights
    assert weights.shape == (n, 3) and 0 <= row < n
    # The sliders show the row they edit.
    assert [w.state[k] for k in ("w_R", "w_G", "w_B")] == pytest.approx(weights[row])
    x = mixer_input(w)
    expected = ct.pointwise_conv2d(x, weights)
    # ... which is a matrix product per pixel, and conv2d with a 1x1 kernel.
    assert np.allclose(expected, np.einsum("oc,chw->ohw", weights, x))
    assert np.allclose(expected, ct.conv2d(x, weights[:, :, None, None]))
    a = w.artists
    for o, image in enumerate(a["outputs"]):
        assert image.axes.get_visible() == (o < n)
        if o < n:
            assert np.allclose(image.get_array(), expected[o])
            title = a["output_titles"][o].get_text()
            if weights[o].min() < 0:  # signed: diverging, 0 white, the key says so
                assert_symmetric(image)
                assert image.get_cmap().name == "RdBu_r" and "blue < 0 < red" in title
            else:  # cannot be negative: a grey picture from black 0
                assert image.get_cmap().name == "gray" and image.get_clim()[0] == 0
                assert expected[o].min() >= 0 and "black 0" in title
    assert_kernel_shows(a["matrix"], weights)
    assert a["row_mark"].get_y() == row - 0.5
    assert np.array_equal(a["picture"].get_array(), rgba_bytes(w.picture(expected)))
    scale = 1.0 if w.state["input"] == "photo" else symmetric_limit(x)  # edges: max -> 1
    assert np.array_equal(a["input"].get_array(), rgba_bytes(x / scale))


def test_mixer_sweeps_every_control():
    """Presets, inputs, channel counts, rows and every weight slider show W·x at each pixel."""
    w = build(PointwiseMixer)
    before = inventory(w.figure)
    check_mixer(w)
    for preset in MIXER_PRESETS:
        w.set(preset=preset)
        source, rows = MIXER_PRESETS[preset]
        assert w.state["input"] == source
        assert np.allclose(w.weights, rows)
        check_mixer(w)
    for source in ("photo", "edges"):
        w.set(input=source)
        check_mixer(w)
    for n in range(1, 5):
        w.set(out_channels=n)
        check_mixer(w)
        for row in range(n):
            w.set(row=row)
            check_mixer(w)
            for name in ("w_R", "w_G", "w_B"):
                for value in np.linspace(-2, 2, 5):
                    w.set(**{name: float(value)})
                    assert w.state["preset"] == "custom"
                    check_mixer(w)
    w.set(out_channels=1)  # fewer outputs: the edited row is pulled back into range
    assert w.state["row"] == 0
    check_mixer(w)
    assert inventory(w.figure) == before
    assert w.errors == []


def test_mixer_rows_keep_their_weights():
    """Each row keeps its own weights while another row is edited."""
    w = build(PointwiseMixer)
    w.set(preset="identity", row=1, w_R=0.5)
    w.set(row=2, w_B=-1.0)
    assert np.allclose(w.weights, [[1, 0, 0], [0.5, 1, 0], [0, 0, -1]])
    w.set(row=1)
    assert w.state["w_R"] == 0.5


def test_mixer_luminance_preset_is_to_gray():
    """The luminance preset's single output is ``ct.data.to_gray`` of the photo."""
    w = build(PointwiseMixer)
    w.set(preset="luminance grey")
    grey = ct.data.to_gray(ct.data.sample_image(SIZE))[1:-1, 1:-1]
    assert np.allclose(w.artists["outputs"][0].get_array(), grey)


def test_mixer_presets_survive_the_browser_round_trip():
    """Weights echoed back at the sliders' step (0.001) keep the preset and W exact."""
    w = build(PointwiseMixer)
    for preset, (_, rows) in MIXER_PRESETS.items():
        w.set(preset=preset)
        for name in ("w_R", "w_G", "w_B"):
            control = w.controls[name]
            assert control.step == 0.001 and control.readout_format == ".3f"
            echoed = round(control.value / control.step) * control.step
            w.set(**{name: echoed + 1e-12})  # as a browser might send it back
        assert w.state["preset"] == preset
        assert np.array_equal(w.weights, np.asarray(rows, dtype=float))
    w.set(preset="luminance grey")
    assert [w.state[n] for n in ("w_R", "w_G", "w_B")] == [0.299, 0.587, 0.114]


def test_mixer_new_input_keeps_the_preset():
    """Changing the input keeps the weights, so the preset is not turned into 'custom'."""
    w = build(PointwiseMixer)
    w.set(preset="luminance grey")
    w.set(input="edges")
    assert w.state["preset"] == "luminance grey"
    assert np.allclose(w.weights, [[0.299, 0.587, 0.114]])
    w.set(w_G=0.5)
    assert w.state["preset"] == "custom"


# ---- SeparablePipeline ----------------------------------------
def check_pipeline(w):
    names = [w.state[f"kernel_{i}"] for i in range(3)]
    d = np.stack([ct.kernels.NAMED[n] for n in names])[:, None]
    p = POINTWISE_PRESETS[w.state["pointwise"]]
    o = w.state["out_channel"]
    assert 0 <= o < p.shape[0] and w.controls["out_channel"].max == p.shape[0] - 1
    weight, _ = ct.separable_to_standard(d, p)
    assert np.allclose(weight, p[:, :, None, None] * d[None, :, 0])  # W[o, i] = P[o, i] D[i]
    separable = ct.separable_conv2d(w.image, d, p)
    standard = ct.conv2d(w.image, weight)
    a = w.artists
    mid = ct.depthwise_conv2d(w.image, d)
    for i, image in enumerate(a["depthwise"].images):
        assert np.allclose(image.get_array(), mid[i])
    assert np.allclose(a["separable"].get_array(), separable[o])
    assert np.allclose(a["standard"].get_array(), standard[o])
    assert a["separable"].get_clim() == a["standard"].get_clim()  # same colours, same numbers
    assert_symmetric(a["standard"])
    strip = np.full((3, 11), np.nan)
    for i in range(3):
        strip[:, 4 * i : 4 * i + 3] = weight[o, i]
    assert_kernel_shows(a["kernel"], strip)
    difference = np.max(np.abs(separable - standard))
    assert difference < 1e-9
    assert f"= {difference:.1e}" in a["check"].get_text()
    assert "the same output" in a["check"].get_text()


def test_pipeline_sweeps_every_control():
    """Every depth-wise kernel, point-wise matrix and output: both paths give the same output."""
    w = build(SeparablePipeline)
    before = inventory(w.figure)
    check_pipeline(w)
    for i in range(3):
        for name in KERNELS_3x3:
            w.set(**{f"kernel_{i}": name})
            check_pipeline(w)
    for preset, p in POINTWISE_PRESETS.items():
        w.set(pointwise=preset)
        check_pipeline(w)
        for o in range(p.shape[0]):
            w.set(out_channel=o)
            check_pipeline(w)
    w.set(pointwise="luminance: 1 output")  # fewer outputs: o is pulled back into range
    assert w.state["out_channel"] == 0
    check_pipeline(w)
    assert inventory(w.figure) == before
    assert w.errors == []


# ---- figure builders ----------------------------------------
def test_builders_return_artists_and_make_no_figure():
    """The builders draw into the given axes, return their artists, and open no figure."""
    figures = plt.get_fignums()
    fig = Figure()
    axes = fig.subplots(2, 4).ravel()
    image = ct.data.sample_image(32)
    rgb = show_image(axes[0], image, title="photo")
    assert np.array_equal(rgb.get_array(), rgba_bytes(image)) and not axes[0].axison
    channels = show_channels(axes[1:4], image)
    assert [np.array_equal(a.get_array(), image[c]) for c, a in enumerate(channels)] == [True] * 3
    assert [ax.get_title() for ax in axes[1:4]] == ["red", "green", "blue"]
    fmap = show_feature_map(axes[4], np.array([[-1.0, 3.0]]))
    assert fmap.get_clim() == (-3.0, 3.0)
    assert show_feature_map(axes[5], np.zeros((2, 2)), limit=2).get_clim() == (-2.0, 2.0)
    assert plt.get_fignums() == figures
    assert len(fig.axes) == 8


def test_update_kernel_changes_shape_in_place():
    """A 3x3 kernel then a 5x5 one then a 3x3 again reuse the same artists."""
    ax = Figure().add_subplot()
    artists = show_kernel(ax, ct.kernels.SOBEL_X, max_shape=(5, 5))
    assert_kernel_shows(artists, ct.kernels.SOBEL_X)
    assert artists.texts[:3] == ["-1", "0", "1"]
    assert artists.numbers.get_facecolors().shape[0] == 9
    counts = (len(ax.collections), len(ax.images), len(ax.texts))
    for kernel in (ct.kernels.gaussian(5, 1.0), ct.kernels.LAPLACIAN):
        update_kernel(artists, kernel)
        assert_kernel_shows(artists, kernel)
        assert ax.get_xlim() == (-0.5, kernel.shape[1] - 0.5)
    assert (len(ax.collections), len(ax.images), len(ax.texts)) == counts
    with pytest.raises(ValueError, match="max_shape"):
        update_kernel(artists, np.ones((6, 6)))


def test_kernel_numbers_are_white_on_dark_cells():
    """Numbers on strongly coloured cells are white, on pale cells black."""
    ax = Figure().add_subplot()
    artists = show_kernel(ax, np.array([[-2.0, 0.0, 2.0]]))
    colours = artists.numbers.get_facecolors()[:, :3]
    assert np.allclose(colours, [[1, 1, 1], [0, 0, 0], [1, 1, 1]])


def test_format_number():
    """Cells show two significant digits and never "-0"."""
    assert [format_number(v) for v in (-0.0, 1e-20 * -1, 0.5, -2, 1 / 3)] == [
        "0",
        "-1e-20",
        "0.5",
        "-2",
        "0.33",
    ]


def test_stack_hides_and_shows_preallocated_slices():
    """``update_stack`` shows C slices of the ones made, hides the rest, never adds any."""
    ax = Figure().add_subplot()
    tensor = np.random.default_rng(0).normal(size=(2, 4, 5))
    artists = show_stack(ax, tensor, max_slices=6, limit=3.0)
    assert [im.get_visible() for im in artists.images] == [True] * 2 + [False] * 4
    bigger = np.random.default_rng(1).normal(size=(5, 4, 5))
    update_stack(artists, bigger, edgecolors=["red"])
    assert [im.get_visible() for im in artists.images] == [True] * 5 + [False]
    for c in range(5):
        assert np.array_equal(artists.images[c].get_array(), bigger[c])
    assert artists.images[0].get_zorder() > artists.images[1].get_zorder()  # slice 0 in front
    assert len(ax.images) == 6 and len(ax.patches) == 6
    with pytest.raises(ValueError, match="1 <= C <= 6"):
        update_stack(artists, np.zeros((7, 4, 5)))


def test_builders_name_bad_shapes():
    """A wrongly shaped array gets a ValueError naming the argument and the shape given."""
    ax = Figure().add_subplot()
    with pytest.raises(ValueError, match=r"image must have shape .*\(4, 2, 2\)"):
        show_image(ax, np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match=r"kernel must have shape \(kH, kW\)"):
        show_kernel(ax, np.zeros(3))
    with pytest.raises(ValueError, match="fmap must have shape"):
        show_feature_map(ax, np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="one axes per channel"):
        show_channels([ax], np.zeros((3, 2, 2)))


def test_outline_text_reads_back_and_is_one_artist():
    """OutlineText shows, returns and replaces its string in place, lines and all."""
    fig = Figure()
    ax = fig.add_subplot()
    label = outline_text(ax, 0.5, 0.5, "max |difference|\n= 1e-16")
    title = outline_title(ax, "the photo")
    assert label.get_text() == "max |difference|\n= 1e-16"
    assert title.get_text() == "the photo" and len(title.get_paths()) == 1
    count = len(ax.collections)
    label.set_text("two\n\nlines")
    label.set_text("")
    assert label.get_text() == "" and label.get_paths() == []
    assert len(ax.collections) == count


def test_outline_text_matches_textpath():
    """A string built from cached glyph outlines has exactly TextPath's outline."""
    from matplotlib.textpath import TextPath

    from convtutor.viz._text import _glyph_path

    for text in ("W[0, i] = P[0, i] · D[i]", "-0.013", "Sobel x"):
        assert np.allclose(_glyph_path(text, 9.0).vertices, TextPath((0, 0), text, size=9).vertices)


def test_fast_title_moves_the_title():
    """fast_title replaces an axes title by an OutlineText with the same words."""
    ax = Figure().add_subplot()
    ax.set_title("input")
    title = fast_title(ax)
    assert ax.get_title() == "" and title.get_text() == "input"


def test_kernel_nan_cells_are_blank():
    """NaN cells (gaps) are drawn blank, with no number."""
    ax = Figure().add_subplot()
    kernel = np.array([[1.0, np.nan, -1.0]])
    artists = show_kernel(ax, kernel)
    assert artists.texts == ["1", "", "-1"]
    assert len(artists.numbers.get_paths()) == 2


@pytest.mark.parametrize("cls", [ChannelFilter, Stacking, SeparablePipeline])
def test_signed_maps_come_with_a_colour_key(cls):
    """A figure with blue-white-red maps says in words what the colours mean."""
    from convtutor.viz.images import SIGNED_KEY

    w = build(cls)
    texts = [
        a.get_text() for a in w.figure.findobj(lambda a: hasattr(a, "get_text")) if a.get_visible()
    ]
    assert SIGNED_KEY in texts and "blue < 0 < red" in SIGNED_KEY
