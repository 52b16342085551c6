"""The ipympl canvas of the widgets (convtutor/widgets/_ipympl.py).

What a page receives is checked by decoding the frames the canvas sends: each must
carry exactly the figure's pixels, as matplotlib's own encoder would. The browser
tests check the same in JupyterLab; these run without one.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

pytest.importorskip("ipympl")
from PIL import Image  # noqa: E402

from convtutor.widgets import ALL, _base  # noqa: E402
from convtutor.widgets._ipympl import LiveCanvas, encode_png, live_figure  # noqa: E402


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.uint8,
        st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(4)),
        elements=st.integers(0, 255),
    )
)
def test_encode_png_round_trips_exactly(rgba):
    """Any PNG reader (here Pillow) gives back the very pixels that went in."""
    assert np.array_equal(decode(encode_png(rgba)), rgba)


def test_encode_png_handles_large_flat_frames_and_compresses_them():
    rgba = np.zeros((460, 840, 4), np.uint8)
    rgba[100:200, 300:500] = (12, 34, 56, 255)
    png = encode_png(rgba)
    assert np.array_equal(decode(png), rgba)
    assert len(png) < rgba.nbytes / 50


@pytest.mark.parametrize(
    ("bad", "given_text"),
    [
        (np.zeros((4, 4, 3), np.uint8), "(4, 4, 3)"),
        (np.zeros((4, 4), np.uint8), "(4, 4)"),
        (np.zeros((4, 4, 4), np.float64), "float64"),
    ],
)
def test_encode_png_rejects_what_is_not_rgba_bytes(bad, given_text):
    with pytest.raises(
        ValueError, match=r"rgba must be a uint8 array of shape \(height, width, 4\)"
    ) as err:
        encode_png(bad)
    assert given_text in str(err.value)


@pytest.fixture
def sent(monkeypatch):
    """Frames the canvases would send to the page: (canvas, png bytes)."""
    frames = []
    monkeypatch.setattr(LiveCanvas, "send_binary", lambda self, data: frames.append((self, data)))
    return frames


@pytest.fixture
def live(monkeypatch):
    """Build widgets as under ``%matplotlib widget``, without a kernel or a page."""
    monkeypatch.setattr(_base, "using_ipympl", lambda: True)


def attach_page(canvas):
    """What ipympl does when a page's canvas model says "initialized"."""
    canvas._handle_message(canvas, {"type": "initialized"}, [])


def test_canvas_is_sized_before_it_is_shown():
    """The page sizes its canvas from ``_size``: it must be right from the start."""
    fig = live_figure((8.4, 4.0))
    assert isinstance(fig.canvas, LiveCanvas)
    assert fig.canvas._size == (840.0, 400.0)


def test_push_waits_for_a_page_then_sends_frames_at_once(live, sent):
    w = ALL["conv_arithmetic"]()
    canvas = w.figure.canvas
    requested = []
    canvas.draw_idle = lambda: requested.append(True)  # ipympl's "please ask me"
    w.set(padding=2)
    assert requested and not sent  # no page yet: nothing drawn, nothing sent

    attach_page(canvas)
    w.set(padding=3)
    assert len(sent) == 1 and sent[0][0] is canvas
    w.set(padding=0)
    assert len(sent) == 2


def test_every_frame_is_the_whole_figure(live, sent):
    """Frames are full frames: whatever frame the page dropped, the last one it paints
    is the figure as it stands (a diff would be laid over a frame it may never have
    painted)."""
    w = ALL["channel_filter"]()
    canvas = w.figure.canvas
    attach_page(canvas)
    for channel in (1, 2, 0):
        w.set(channel=channel)
        assert canvas._current_image_mode == "full"
        frame = decode(sent[-1][1])
        assert np.array_equal(frame, np.asarray(canvas.get_renderer().buffer_rgba()))
    # ...and each is the figure of its own state: the frames differ.
    assert not np.array_equal(decode(sent[-1][1]), decode(sent[-2][1]))


def test_a_preset_ends_on_a_frame_of_the_final_figure(live, sent):
    """A preset moves several sliders at once; the frame that follows is the final
    figure all by itself, whatever the page did with frames before it."""
    w = ALL["pointwise_mixer"]()
    canvas = w.figure.canvas
    attach_page(canvas)
    before = len(sent)
    w.set(preset="colour + grey (4 outputs)")
    assert len(sent) > before
    last = decode(sent[-1][1])
    canvas.draw()  # the figure as it stands, drawn afresh
    assert np.array_equal(last, np.asarray(canvas.get_renderer().buffer_rgba()))


def test_frames_match_matplotlibs_own_full_frames(live, sent):
    """Same pixels as FigureCanvasWebAggCore.get_diff_image sends for a full frame."""
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore

    w = ALL["sobel_separability"]()
    canvas = w.figure.canvas
    attach_page(canvas)
    w.set(size=3)
    w.set(size=7)
    ours = decode(sent[-1][1])
    canvas._force_full = True
    canvas._png_is_old = True
    theirs = decode(FigureCanvasWebAggCore.get_diff_image(canvas))
    assert np.array_equal(ours, theirs)


def test_widget_figures_are_not_pyplot_figures(live):
    """A class re-running a cell 25 times sees no "more than 20 figures" warning."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        widgets = [ALL["cost_calculator"]() for _ in range(25)]
    assert plt.get_fignums() == before
    assert all(isinstance(w.figure.canvas, LiveCanvas) for w in widgets)
