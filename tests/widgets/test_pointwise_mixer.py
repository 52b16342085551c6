"""PointwiseMixer: the page's mixing equals ct.pointwise_conv2d; presets and errors."""

from __future__ import annotations

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets import PointwiseMixer
from convtutor.widgets.pointwise_mixer import MIXER_PRESETS
from tests.support.cases import cases
from tests.support.widgets import assert_png_fallback, assert_refused


@pytest.fixture(scope="module")
def mixer():
    return PointwiseMixer()


def test_mixing_equals_pointwise_conv2d_on_every_move(mixer):
    """What the page mixes (float32 input, float64 sums) equals convtutor's float64 result."""
    moves = cases(mixer, per_control=9)
    assert len(moves) > 100
    for _, _, _, end in moves:
        mixer.values = end
        want = ct.pointwise_conv2d(mixer.input_array(), mixer.weights)
        np.testing.assert_allclose(mixer.mixed(), want, atol=2e-6)


@pytest.mark.parametrize("name", list(MIXER_PRESETS))
def test_preset_sets_its_weights_and_input(name):
    """A preset sets W's rows, the input and the number of outputs; editing row 0 starts."""
    w = PointwiseMixer()
    w.set(preset=name)
    source, rows = MIXER_PRESETS[name]
    np.testing.assert_array_equal(w.weights, np.array(rows, dtype=float))
    assert w.state["input"] == source and w.state["out_channels"] == len(rows)
    assert (w.state["w_R"], w.state["w_G"], w.state["w_B"]) == tuple(map(float, rows[0]))


def test_moving_a_weight_edits_the_chosen_row_and_says_custom():
    """Moving a weight edits the chosen output's row and turns the preset to custom."""
    w = PointwiseMixer()
    w.set(preset="colour + grey (4 outputs)", row=3, w_G=-1.5)
    assert w.state["preset"] == "custom"
    assert w.weights[3, 1] == -1.5
    w.set(row=0)
    assert (w.state["w_R"], w.state["w_G"]) == (1.0, 0.0)


def test_fewer_outputs_clamp_the_edited_row():
    """Fewer outputs pull the edited row back and hide the outputs beyond them."""
    w = PointwiseMixer()
    w.set(preset="colour + grey (4 outputs)", row=3)
    w.set(out_channels=2)
    assert w.state["row"] == 1
    view = w.view()
    assert [p.get("hidden", False) for p in view["panels"] if p["name"].startswith("output")] == [
        False, False, True, True,
    ]  # fmt: skip


def test_signed_outputs_use_the_diverging_map():
    """An output with a negative weight reads blue-white-red; otherwise black to white."""
    w = PointwiseMixer()
    w.set(preset="red minus green")
    title = next(p["title"] for p in w.view()["panels"] if p["name"] == "output_0")
    assert "blue < 0 < red" in title
    w.set(preset="luminance grey")
    title = next(p["title"] for p in w.view()["panels"] if p["name"] == "output_0")
    assert "black 0 → white 1" in title


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'w_R'"]),
        ({"w_R": 3.0}, ValueError, ["w_R must be between -2.0 and 2.0", "3.0"]),
        ({"w_R": "big"}, TypeError, ["w_R must be a number", "'big'"]),
        ({"preset": "sepia"}, ValueError, ["preset must be one of", "'sepia'"]),
        ({"out_channels": 1, "row": 2}, ValueError, ["row must be between 0 and 0", "2"]),
        ({"w_B": 0.0005}, ValueError, ["multiple of 0.001"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(PointwiseMixer(), values, error, words)


def test_png_fallback_is_a_picture():
    """Displaying the widget also gives a PNG picture of it."""
    assert_png_fallback(PointwiseMixer())
