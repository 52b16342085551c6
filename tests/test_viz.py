"""convtutor.viz: the figure builders the lessons' static figures use.

``show_image``, ``show_channels``, ``show_kernel``, ``show_feature_map`` and
``symmetric_limit`` (notebooks 01 and 02), and the channel colours the widgets borrow.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from convtutor import viz

ROOT = Path(__file__).resolve().parents[1]


def new_ax():
    return Figure().add_subplot()


def test_every_viz_name_a_lesson_calls_exists():
    """Each ``viz.name`` a lesson calls is one of viz's public names."""
    called = set()
    for source in sorted((ROOT / "notebooks").glob("*.md")):
        called |= set(re.findall(r"\bviz\.([A-Za-z_]\w*)", source.read_text(encoding="utf-8")))
    assert called, "no lesson calls convtutor.viz: this test lost its subject"
    assert called <= set(viz.__all__), called - set(viz.__all__)


def test_builders_draw_in_the_given_axes_and_make_no_figure():
    """No builder opens a pyplot figure; each draws its artists in the axes it was given."""
    before = plt.get_fignums()
    fig = Figure()
    axes = fig.subplots(2, 4)
    photo = np.random.default_rng(0).random((3, 5, 6))
    image = viz.show_image(axes[0, 0], photo, title="photo")
    channels = viz.show_channels(axes[0, 1:], photo)
    kernel = viz.show_kernel(axes[1, 0], [[1.0, -2.0], [0.5, 0.0]])
    fmap = viz.show_feature_map(axes[1, 1], photo[0] - 0.5)
    assert plt.get_fignums() == before
    assert image.axes is axes[0, 0] and [a.axes for a in channels] == list(axes[0, 1:])
    assert kernel.mesh.axes is axes[1, 0] and fmap.axes is axes[1, 1]
    assert axes[0, 0].get_title() == "photo"
    assert [a.get_title() for a in axes[0, 1:]] == ["red", "green", "blue"]
    assert not any(a.axison for a in axes.ravel()[:6])


def test_show_image_shows_the_picture_clipped_channels_last():
    """RGB ``(3, H, W)`` is drawn as ``(H, W, 3)`` clipped to [0, 1]; a grey picture as it is."""
    photo = np.random.default_rng(1).uniform(-0.2, 1.2, (3, 4, 5))
    shown = viz.show_image(new_ax(), photo).get_array()
    np.testing.assert_array_equal(shown, np.clip(np.moveaxis(photo, 0, -1), 0, 1))
    grey = viz.show_image(new_ax(), photo[1])
    np.testing.assert_array_equal(grey.get_array(), photo[1])
    assert grey.get_clim() == (0.0, 1.0) and grey.get_cmap().name == "gray"


def test_show_channels_tints_three_channels_and_names_others():
    """Three channels go black-to-red/green/blue; other counts are grey, titled by number."""
    photo = np.random.default_rng(2).random((3, 4, 4))
    fig = Figure()
    artists = viz.show_channels(fig.subplots(1, 3), photo)
    for c, artist in enumerate(artists):
        np.testing.assert_array_equal(artist.get_array(), photo[c])
        assert to_hex(artist.get_cmap()(1.0)) == to_hex(viz.CHANNEL_NAMES[c])
        assert to_hex(artist.get_cmap()(0.0)) == "#000000"
    two = Figure().subplots(1, 2)
    artists = viz.show_channels(two, photo[:2])
    assert [a.get_cmap().name for a in artists] == ["gray", "gray"]
    assert [a.get_title() for a in two] == ["channel 0", "channel 1"]


def test_show_kernel_writes_each_entry_in_its_cell():
    """Each finite entry is written at its cell (2 significant digits); NaN cells stay blank."""
    kernel = np.array([[1.0, -2.0, np.nan], [0.299, 1 / 9, -0.0]])
    drawn = viz.show_kernel(new_ax(), kernel)
    assert drawn.texts == ["1", "-2", "0.3", "0.11", "0"]
    assert [t.get_position() for t in drawn.numbers] == [(0, 0), (1, 0), (0, 1), (1, 1), (2, 1)]
    np.testing.assert_array_equal(drawn.shown(), kernel)
    assert drawn.mesh.get_clim() == (-2.0, 2.0)
    # white on the dark cells (|value| > 0.6 limit), black on the light ones
    assert [t.get_color() for t in drawn.numbers][:3] == ["black", "white", "black"]


def test_show_kernel_and_feature_map_share_a_given_limit():
    """A given limit fixes the colours to ``(-limit, limit)``, so panels side by side agree."""
    ax = new_ax()
    assert viz.show_kernel(ax, [[1, 0, -1]], limit=4).mesh.get_clim() == (-4.0, 4.0)
    fmap = np.array([[0.5, -3.0], [1.0, 0.0]])
    assert viz.show_feature_map(new_ax(), fmap).get_clim() == (-3.0, 3.0)
    assert viz.show_feature_map(new_ax(), fmap, limit=6).get_clim() == (-6.0, 6.0)
    assert viz.show_feature_map(new_ax(), fmap).get_cmap().name == viz.DIVERGING


def test_symmetric_limit_takes_the_largest_finite_size():
    """The largest finite ``|value|`` of all arrays; 1 for all-zero or all-NaN input."""
    assert viz.symmetric_limit([1, -3], [2]) == 3.0
    assert viz.symmetric_limit([np.nan, -0.5, np.inf]) == 0.5
    assert viz.symmetric_limit(np.zeros(3)) == 1.0
    assert viz.symmetric_limit([np.nan]) == 1.0


def test_format_entry_writes_two_significant_digits_and_no_minus_zero():
    """Kernel entries: two significant digits, whole numbers plain, never "-0"."""
    values = (2.0, -0.0, 0.299, 1 / 9, 0.00296, -1e-20, 123.0)
    assert [viz.format_entry(v) for v in values] == ["2", "0", "0.3", "0.11", "0.003", "-1e-20",
                                                    "1.2e+02"]  # fmt: skip


def _shape(text: str) -> str:
    return re.escape(f"must have shape {text}")


@pytest.mark.parametrize(
    ("builder", "value", "message"),
    [
        ("show_image", np.zeros((2, 3, 3)), "^image " + _shape("(3, H, W) or (H, W); got")),
        ("show_image", np.array([["a"]]), "^image must be a numeric array; got dtype <U1$"),
        ("show_channels", np.zeros((2, 2)), "^image " + _shape("(C, H, W); got shape (2, 2)")),
        ("show_channels", np.zeros((3, 2, 2)), "^axes must hold one axes per channel: 3 .*got 1$"),
        ("show_kernel", np.zeros((2, 0)), "^kernel " + _shape("(kH, kW); got shape (2, 0)")),
        ("show_kernel", np.array([[True]]), "^kernel must be a numeric array; got dtype bool$"),
        ("show_feature_map", np.zeros(3), "^fmap " + _shape("(H, W); got shape (3,)")),
    ],
)  # fmt: skip
def test_bad_input_names_the_argument(builder, value, message):
    """Wrong shapes and dtypes raise ValueError/TypeError naming the argument and what came."""
    ax = new_ax()
    with pytest.raises((ValueError, TypeError), match=message):
        getattr(viz, builder)([ax] if builder == "show_channels" else ax, value)


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
