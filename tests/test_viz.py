"""convtutor.viz: the figure builders the notebooks' static figures use.

The diagram builders (sliding window, cost bars, singular values, kernel maps), their
formatters, and the text outlines they draw labels with.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import convtutor as ct
from convtutor import viz
from convtutor.viz.diagrams import (
    CELL_COLOURS,
    cost_bars,
    format_count,
    format_singular_value,
    format_tap,
    kernel_map,
    singular_value_bars,
    sliding_window,
)

RNG_INPUT = np.random.default_rng(7).random((10, 10))


# ---- helpers ---------------------------------------------------------------------------
def inventory(fig):
    """Everything a widget could add by mistake: figures, axes, images, texts, patches..."""
    return (
        len(plt.get_fignums()),
        len(fig.axes),
        len(fig.texts),
        len(fig.images),
        len(fig.patches),
        [
            (len(ax.images), len(ax.texts), len(ax.collections), len(ax.patches), len(ax.lines))
            for ax in fig.axes
        ],
    )


def test_sliding_window_taps_match_conv2d_at_every_position():
    """At every output cell of many settings, the taps cover exactly what conv2d adds up."""
    fig = Figure()
    diagram = sliding_window(*fig.subplots(1, 2), max_size=10, max_padding=3)
    for n, k, p, s, d in itertools.product((3, 6, 10), (1, 2, 3, 5), (0, 1, 3), (1, 2, 3), (1, 2)):
        x = RNG_INPUT[:n, :n]
        h_out = diagram.update(n, k, stride=s, padding=p, dilation=d)
        if h_out < 1:
            with pytest.raises(ValueError):
                ct.conv2d(x[None], np.ones((1, 1, k, k)), stride=s, padding=p, dilation=d)
            continue
        out = ct.conv2d(x[None], np.ones((1, 1, k, k)), stride=s, padding=p, dilation=d)[0]
        assert out.shape == (h_out, h_out)
        padded = np.pad(x, p)
        for position in range(h_out * h_out):
            diagram.update(n, k, stride=s, padding=p, dilation=d, position=position)
            kinds = diagram.cell_kinds
            assert (kinds >= 3).sum() == k * k
            assert np.isclose(padded[kinds >= 3].sum(), out[divmod(position, h_out)])


# ---- the diagram builders -----------------------------------------------------------------
def test_sliding_window_builder_updates_in_place():
    """sliding_window draws on given axes, updates in place and rejects sizes it cannot show."""
    fig = Figure()
    ax_in, ax_out = fig.subplots(1, 2)
    diagram = sliding_window(ax_in, ax_out, max_size=6, max_padding=2)
    before = inventory(fig)
    assert diagram.update(5, 3, padding=1, position=24) == 5
    assert diagram.cell_kinds[5, 5] == 3 and diagram.cell_kinds[6, 6] == 4
    assert diagram.update(4, 3, dilation=2) == 0
    assert not diagram.taps.get_visible()
    assert inventory(fig) == before
    assert all(a.axes in (ax_in, ax_out) for a in diagram.artists)
    with pytest.raises(ValueError, match="padding 0..2"):
        diagram.update(5, 3, padding=3)
    assert set(CELL_COLOURS) == set(range(7))


def test_cost_bars_switch_scale_without_new_artists():
    """cost_bars sets heights and labels in place, on a log or a linear axis."""
    fig = Figure()
    bars = cost_bars(fig.add_subplot(), ylabel="parameters")
    before = inventory(fig)
    bars.update([81, 27, 9, 36])
    assert bars.labels.strings == ["81", "27", "9", "36"]
    bars.update([9800, 490, 200, 690], log=False)
    assert bars.ax.get_yscale() == "linear"
    assert bars.ax.get_ylim()[1] > 9800
    bars.set_log(True)
    assert bars.ax.get_yscale() == "log"
    assert len(bars.ax.yaxis.get_minorticklocs()) == 0
    assert inventory(fig) == before
    with pytest.raises(ValueError, match="4 entries"):
        bars.update([1, 2])


def test_singular_value_bars_hide_unused():
    """singular_value_bars shows one bar per value and hides the rest."""
    fig = Figure()
    chart = singular_value_bars(fig.add_subplot(), 5)
    chart.update(ct.singular_values(ct.kernels.LAPLACIAN))
    assert [b.get_visible() for b in chart.bars] == [True] * 3 + [False] * 2
    assert chart.labels.strings[1] == format_singular_value(
        ct.singular_values(ct.kernels.LAPLACIAN)[1], 1
    )
    with pytest.raises(ValueError, match="1..5"):
        chart.update(np.ones(6))


def test_kernel_map_numbers_and_limits():
    """kernel_map writes each entry in its cell and uses symmetric colour limits."""
    fig = Figure()
    kmap = kernel_map(fig.add_subplot(), 3, 3)
    kmap.update(ct.kernels.SOBEL_X)
    assert kmap.numbers.strings == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    np.testing.assert_array_equal(kmap.numbers.positions[3], (0, 1))  # (x, y) = (column, row)
    assert kmap.mesh.get_clim() == (-2.0, 2.0)
    with pytest.raises(ValueError, match="at most 3x3"):
        kmap.update(np.ones((4, 4)))


def test_outline_labels_are_one_artist():
    """OutlineLabels draws many strings as one collection, updated in place."""
    fig = Figure()
    ax = fig.add_subplot()
    labels = viz.OutlineLabels(ax)
    before = inventory(fig)
    labels.set_labels(["1", "-2", "0.5"], [(0, 0), (1, 0), (2, 0)], ["black", "white", "black"])
    assert labels.strings == ["1", "-2", "0.5"]
    assert len(labels.get_paths()) == 3
    labels.set_labels([], [])
    assert len(labels.get_paths()) == 0
    title = viz.outline_title(ax, "Output 5×5")
    title.set_text("Output 3×3")
    assert title.get_text() == "Output 3×3"
    assert inventory(fig)[:-1] == before[:-1]  # the title added one collection, at build


def test_formatters():
    """Counts, taps and singular values are written the way the labels promise."""
    assert format_count(9800) == "9,800"
    assert format_count(1_573_519_360) == "1.57 billion"
    assert format_tap(-2.0) == "-2" and format_tap(1 / 9) == "0.11"
    assert format_singular_value(1e-17, 3.0) == "0"


def test_text_helpers_have_one_public_name_each():
    """One label, a title and many labels: one public name each, all the same artist class."""
    from convtutor.viz import _text

    assert sorted(_text.__all__) == ["OutlineLabels", "outline_text", "outline_title"]
    for gone in ("OutlineText", "fast_title", "PathLabels", "path_text", "path_title", "label"):
        assert not hasattr(viz, gone), gone
    fig = Figure(dpi=72)  # one point is one pixel
    ax = fig.add_subplot()
    made = [viz.outline_text(ax, 0.5, 0.5, "a"), viz.outline_title(ax, "b")]
    assert all(isinstance(m, viz.OutlineLabels) for m in made)
    assert [m.get_text() for m in made] == ["a", "b"]


def test_a_label_sits_gap_points_from_its_position():
    """A right-aligned label ends `gap` points left of its anchor; a left one starts after it."""
    ax = Figure(dpi=72).add_subplot()  # one point is one pixel
    for ha, sign in (("left", 1), ("right", -1)):
        lab = viz.OutlineLabels(ax, fontsize=10, ha=ha, gap=3)
        lab.set_labels(["Wide label"], [(0, 0)])
        xs = lab.get_paths()[0].vertices[:, 0]
        edge = xs.min() if ha == "left" else xs.max()
        assert edge == pytest.approx(sign * 3.0)


@pytest.mark.parametrize(
    "text", ["the stack: 3·2 = 6 slices of 94×94", "input: 3 channels", "Sobel y, ×0.5"]
)
def test_text_outlines_do_not_depend_on_other_text_drawn_before(text):
    """Glyph outlines are matplotlib's TextPath, even after other text was drawn.

    matplotlib shares one font object between everything that draws text; drawing a
    normal ``Text`` (here: a pyplot-style figure at another size and dpi, as a
    notebook cell does between two widget moves) resizes it. Outlines laid out after
    that must not come out squashed (glyphs crowded onto each other).
    """
    import io

    from matplotlib.textpath import TextPath, text_to_path

    from convtutor.viz import _text

    other = Figure(figsize=(2, 1), dpi=200)
    other.text(0.1, 0.5, "Some other figure's text", fontsize=7)
    _text._GLYPHS.clear()
    _text._text_path.cache_clear()
    other.savefig(io.BytesIO(), format="png")  # Agg resizes the shared font
    verts, _ = _text._line_outline(text)
    expected = TextPath((0, 0), text, size=text_to_path.FONT_SCALE).vertices
    assert verts.shape == expected.shape
    np.testing.assert_allclose(verts, expected, atol=1e-6)


def test_spiral_reconstruction_draws_the_spiral_and_the_best_scaled_points():
    """Two artists (and a title): the spiral as given; the reconstruction times the scale
    shape_error fits, so a half-size copy lands on the spiral; bad shapes are named."""
    from matplotlib.figure import Figure

    from convtutor.blocks import spiral_points
    from convtutor.viz import spiral_reconstruction

    x = spiral_points(60)
    ax = Figure().add_subplot()
    line, points, title = spiral_reconstruction(ax, x, 0.5 * x, title="n = 30")
    assert np.allclose(line.get_xydata().T, x)
    assert np.allclose(points.get_offsets().T, x)
    assert title.get_text() == "n = 30"
    assert len(spiral_reconstruction(Figure().add_subplot(), x, np.zeros_like(x))) == 2
    with pytest.raises(ValueError, match=r"shape \(2, P\).*\(2, 60\) and \(3, 60\)"):
        spiral_reconstruction(ax, x, np.zeros((3, 60)))
