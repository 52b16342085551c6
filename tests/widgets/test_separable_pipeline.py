"""SeparablePipeline: what the page shows equals convtutor (and PyTorch) on every choice.

Every choice is 10 kernels on each of 3 channels (1,000) times the 11 rows of the five
point-wise presets: 11,000 outputs. For each, the page's numbers (float64 sums of the
float32 maps Python ships) must equal ``ct.separable_conv2d`` AND ``ct.conv2d`` with the
standard kernel, within float32 rounding; W[o] must equal ``ct.separable_to_standard``;
and the printed check must be convtutor's own float64 difference.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from matplotlib.colors import to_hex

import convtutor as ct
from convtutor.widgets import SeparablePipeline
from convtutor.widgets._base import table_cells
from convtutor.widgets._standalone import saved_state
from convtutor.widgets.separable_pipeline import POINTWISE_PRESETS, KERNELS_3x3
from tests.support.cases import cases
from tests.support.optional_torch import F, torch
from tests.support.widgets import (
    assert_png_fallback,
    assert_refused,
    assert_texts_drawn,
    expected_view,
    needs_node,
    run_node,
)

PRESETS = list(POINTWISE_PRESETS)
ROWS = np.vstack([POINTWISE_PRESETS[p] for p in PRESETS])  # (11, 3): every P's rows
STARTS = np.cumsum([0] + [len(POINTWISE_PRESETS[p]) for p in PRESETS])


@pytest.fixture(scope="module")
def pipeline():
    widget = SeparablePipeline()
    widget.initial = widget.state  # a new widget's state (test_module_in_node starts there)
    return widget


def state_of(triple, preset, o):
    return {
        "kernel_0": KERNELS_3x3[triple[0]],
        "kernel_1": KERNELS_3x3[triple[1]],
        "kernel_2": KERNELS_3x3[triple[2]],
        "pointwise": preset,
        "out_channel": o,
    }


def every_choice(chunk: int = 50):
    """Chunks of ``(triples, D)`` over all 1,000 choices of the three kernels, in order;
    ``D`` has shape ``(B, 3, 1, 3, 3)``."""
    kernels = np.stack([ct.kernels.NAMED[n] for n in KERNELS_3x3])
    triples = list(itertools.product(range(len(KERNELS_3x3)), repeat=3))
    for start in range(0, len(triples), chunk):
        part = triples[start : start + chunk]
        yield part, np.stack([kernels[list(t)][:, None] for t in part])


def test_painted_maps_are_convtutors_depthwise_conv(pipeline):
    """The maps the page computes from the shipped photo (float32) are
    ct.depthwise_conv2d of every kernel on every channel, within float32 rounding;
    they are not shipped."""
    x = pipeline.image
    assert np.array_equal(pipeline.data["photo"], x.astype(np.float32))
    assert "depthwise" not in pipeline._arrays and "depthwise" in pipeline.meta["derived"]
    bank = pipeline.data["depthwise"]
    assert bank.shape == (len(KERNELS_3x3), 3, 94, 94) and bank.dtype == np.float32
    for k, name in enumerate(KERNELS_3x3):
        d = np.stack([ct.kernels.NAMED[name]] * 3)[:, None]
        want = ct.depthwise_conv2d(x, d)
        np.testing.assert_allclose(bank[k], want, rtol=0, atol=2e-6 * np.abs(want).max())


def test_page_equals_separable_and_standard_conv_on_every_choice(pipeline):
    """11,000 outputs: page == ct.separable_conv2d == ct.conv2d(x, W); W exact; the check.

    The standard convolutions of 50 choices go through one ct.conv2d call (11 outputs
    each), which is the same arithmetic as one call per choice up to float64 rounding.
    """
    x = pipeline.image
    worst_error, checked = 0.0, 0
    for part, ds in every_choice():
        weights = np.stack([ct.separable_to_standard(d, ROWS)[0] for d in ds])  # (B, 11, 3, 3, 3)
        assert np.array_equal(weights, ROWS[None, :, :, None, None] * ds[:, None, :, 0])
        standard = ct.conv2d(x, weights.reshape(-1, 3, 3, 3)).reshape(len(part), len(ROWS), 94, 94)
        scales = np.maximum(1.0, np.abs(standard).max(axis=(2, 3)))  # (B, 11): each output's
        for b, triple in enumerate(part):
            separable = ct.separable_conv2d(x, ds[b], ROWS)  # every preset's rows at once
            apart = np.abs(separable - standard[b]).max(axis=(1, 2))  # (11,): each row's
            for j, preset in enumerate(PRESETS):
                # the printed check: convtutor's float64 difference over all outputs of P
                # (the widget groups its calls differently, which moves only the rounding)
                table = pipeline.difference(state_of(triple, preset, 0))
                worst = apart[STARTS[j] : STARTS[j + 1]].max()
                assert table < 1e-13 and abs(table - worst) < 1e-13, (triple, preset)
            # the 11 choices of o, in the order of ROWS: the page's output o and W[o]
            states = [state_of(triple, preset, o) for j, preset in enumerate(PRESETS)
                      for o in range(STARTS[j + 1] - STARTS[j])]  # fmt: skip
            shown = np.stack([pipeline.mixed(s) for s in states])
            error = np.maximum(
                np.abs(shown - separable).max(axis=(1, 2)),
                np.abs(shown - standard[b]).max(axis=(1, 2)),
            )
            worst_error = max(worst_error, (error / scales[b]).max())
            tables = np.stack([np.stack(pipeline.kernel_tables(s)) for s in states])
            assert np.array_equal(tables, weights[b]), [
                s for s, t, w in zip(states, tables, weights[b], strict=True)
                if not np.array_equal(t, w)
            ]  # fmt: skip
            checked += len(states)
    assert checked == 11_000
    assert worst_error < 5e-7  # float32 rounding of the shipped maps (seen: 1.6e-7)
    verdict = pipeline.view()["texts"]["verdict"]
    worst = f"{pipeline.differences.max():.1e}"
    assert f"The largest difference of all is {worst}: rounding. The two ways give" in verdict


def test_check_text_and_tables_shown(pipeline):
    """The texts and tables of the view print those numbers."""
    pipeline.set(kernel_0="Scharr x", kernel_1="Laplacian", kernel_2="sharpen")
    pipeline.set(pointwise="random: 4 outputs", out_channel=2)
    try:
        view = pipeline.view()
        d, p = pipeline.depthwise_weight(), pipeline.pointwise_weight()
        worst = np.abs(ct.separable_conv2d(pipeline.image, d, p)
                       - ct.conv2d(pipeline.image, pipeline.standard_weight())).max()  # fmt: skip
        check = view["texts"]["check"]
        assert check.startswith("Largest |separable − standard| over all 4 outputs: ")
        d = pipeline.difference()
        assert check.endswith(": 0" if d == 0 else f": {d:.1e}") and d < 1e-13
        assert abs(pipeline.difference() - worst) < 1e-13
        panels = {q["name"]: q for q in view["panels"]}
        w = pipeline.standard_weight()[2]
        limit = np.abs(w).max()
        diverging = pipeline.data["lut_diverging"]
        for i in range(3):
            assert panels[f"W_{i}"]["cells"] == table_cells(w[i], -limit, limit, diverging)
        assert panels["W_0"]["title"] == f"W[2, 0] = P[2, 0] · D[0]\n= {p[2, 0]:g} × Scharr x"
        assert [c["text"] for c in panels["P"]["cells"][2]] == [f"{v:g}" for v in p[2]]
        assert all(c.get("em") for c in panels["P"]["cells"][2])
        assert panels["D_1"]["title"] == "D[1] = Laplacian\n(green's kernel)"
        assert [[c["text"] for c in r] for r in panels["D_1"]["cells"]] == [
            ["0", "1", "0"], ["1", "-4", "1"], ["0", "1", "0"],
        ]  # fmt: skip
        assert np.array_equal(panels["separable"]["rgba"], panels["standard"]["rgba"])
    finally:
        pipeline.set(pointwise="luminance: 1 output", kernel_0="Sobel x", kernel_1="Sobel y",
                     kernel_2="box blur 3x3")  # fmt: skip


@pytest.fixture
def one_torch_thread():
    """Tiny convolutions run faster on one thread than two threads fighting for 2 cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_standard_weight_against_convtutor_and_torch(one_torch_thread):
    """standard_weight() is ct.separable_to_standard(D, P); torch's conv2d with it equals
    torch's two layers (groups=3, then 1x1) and the page's output: every P, every kernel
    on every channel."""
    w = SeparablePipeline(size=32)
    xt = torch.from_numpy(w.image)[None]
    for i, name in itertools.product(range(3), KERNELS_3x3):
        weights, shown = [], []
        for preset in PRESETS:
            w.set(pointwise=preset, **{f"kernel_{i}": name})
            d, p, weight = w.depthwise_weight(), w.pointwise_weight(), w.standard_weight()
            assert weight.shape == (len(p), 3, 3, 3)
            assert np.array_equal(weight, ct.separable_to_standard(d, p)[0])
            assert np.array_equal(weight, p[:, :, None, None] * d[None, :, 0])
            weights.append(weight)
            for o in range(len(p)):
                w.set(out_channel=o)
                shown.append(w.mixed())
            w.set(out_channel=0)
        # all five P at once: 11 outputs
        standard = F.conv2d(xt, torch.from_numpy(np.concatenate(weights)))[0].numpy()
        two_layers = F.conv2d(
            F.conv2d(xt, torch.from_numpy(d), groups=3), torch.from_numpy(ROWS)[:, :, None, None]
        )[0].numpy()
        np.testing.assert_allclose(standard, two_layers, rtol=0, atol=1e-12)
        scale = np.maximum(1.0, np.abs(standard).max(axis=(1, 2), keepdims=True))
        assert (np.abs(np.stack(shown) - standard) / scale).max() < 5e-7


def test_fewer_outputs_pull_o_back():
    """A point-wise choice with fewer outputs pulls the output channel back into range."""
    w = SeparablePipeline(size=16)
    w.set(pointwise="random: 4 outputs", out_channel=3)
    assert w.limits(w.state, "out_channel") == (0, 3)
    w.set(pointwise="differences: 2 outputs")
    assert w.state["out_channel"] == 1
    w.set(pointwise="sum: 1 output")
    assert w.state["out_channel"] == 0
    assert w.limits(w.state, "out_channel") == (0, 0)
    assert w.pointwise_weight().shape == (1, 3)


def test_a_real_disagreement_would_be_printed(monkeypatch):
    """The sentence under the check follows convtutor's numbers: a wrong conv2d shows."""
    real = ct.conv2d
    monkeypatch.setattr(ct, "conv2d", lambda x, w: real(x, w) + 1e-3)
    w = SeparablePipeline(size=16)
    assert w.differences.min() == pytest.approx(1e-3)
    verdict = w.view()["texts"]["verdict"]
    assert "Some differ by up to 1.0e-03: more than rounding. The two outputs are NOT" in verdict
    assert w.view()["texts"]["check"].endswith(": 1.0e-03")


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'kernel_0'"]),
        ({"kernel_0": "Gaussian 5x5"}, ValueError, ["kernel_0 must be one of", "'Gaussian 5x5'"]),
        ({"kernel_2": 3}, ValueError, ["kernel_2 must be one of", "got 3"]),
        ({"pointwise": "half"}, ValueError, ["pointwise must be one of", "'half'"]),
        ({"out_channel": 1}, ValueError, ["out_channel must be between 0 and 0", "got 1"]),
        ({"out_channel": "0"}, TypeError, ["out_channel must be a number", "'0'"]),
        (
            {"pointwise": "random: 4 outputs", "out_channel": 0.5},
            ValueError,
            ["out_channel must be a multiple of 1"],
        ),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(pipeline, values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(pipeline, values, error, words)


def test_bad_image_and_size_name_the_argument():
    """A bad image or size raises an error naming the argument and what was given."""
    with pytest.raises(
        ValueError, match=r"image must have shape \(3, H, W\).*got shape \(2, 9, 9\)"
    ):
        SeparablePipeline(image=np.zeros((2, 9, 9)))
    with pytest.raises(ValueError, match="size must be between 16 and 512 pixels; got 4"):
        SeparablePipeline(size=4)


def test_own_image_sets_the_sizes():
    """A student's picture sets the panels' sizes and gives convtutor's separable output."""
    image = np.random.default_rng(1).random((3, 20, 30))
    w = SeparablePipeline(image=image)
    view = w.view()
    frames = w.frames()
    assert frames["photo"].shape == (20, 30, 4) and frames["standard"].shape == (18, 28, 4)
    d, p = w.depthwise_weight(), w.pointwise_weight()
    np.testing.assert_allclose(w.mixed(), ct.separable_conv2d(image, d, p)[0], atol=1e-5)
    assert {q["scale"] for q in view["panels"] if "rgba" in q} == {5.5}  # 30 px -> 165 px


def test_panels_fit_the_column(pipeline):
    """Canvases at most 168 CSS px wide, so four 190 px columns fit in 840 px."""
    for q in pipeline.view()["panels"]:
        if "rgba" in q:
            assert q["rgba"].shape[1] * q["scale"] <= 168
    assert len(pipeline.view()["panels"]) == 16


def test_png_fallback_is_a_picture(pipeline):
    """Displaying the widget also gives a PNG picture of it."""
    assert_png_fallback(pipeline)


def test_png_tables_are_readable(pipeline):
    """In the PNG, table text takes the page's colour (white on dark cells); P's row o is
    outlined; every text is drawn."""
    pipeline.set(pointwise="random: 4 outputs", out_channel=2)
    try:
        fig = pipeline.figure()
        view = pipeline.view()
        tables = [p for p in view["panels"] if p.get("kind") == "table"]
        drawn = [ax.tables[0] for ax in fig.axes if ax.tables]
        assert len(drawn) == len(tables) == 7
        for panel, table in zip(tables, drawn, strict=True):
            for (r, c), cell in table.get_celld().items():
                want = panel["cells"][r][c]
                assert cell.get_text().get_text() == want["text"]
                assert to_hex(cell.get_text().get_color()) == want["fg"]
                assert (cell.get_linewidth() == 2.5) == bool(want.get("em"))
        assert "#ffffff" in {c["fg"] for p in tables for row in p["cells"] for c in row}
        assert_texts_drawn(fig, view["texts"])
    finally:
        pipeline.set(pointwise="luminance: 1 output")


@needs_node
def test_module_in_node(pipeline, tmp_path):
    """The ES module: every fixture move equals Python (state, pictures, tables, texts),
    and its W[o], check text and o's range equal convtutor's on all 11,000 choices."""
    # the moves fixture test_modules_node.write_fixture writes, of this widget (made once)
    # put back in a new widget's state, where cases() starts
    pipeline.values = dict(pipeline.initial)
    saved = saved_state(pipeline)["state"][pipeline.model_id]
    moves = [
        {"start": s, "name": n, "value": v, "end": e, "view": expected_view(pipeline.view(e))}
        for s, n, v, e in cases(pipeline, per_control=12)
    ]
    assert len(moves) > 50
    (tmp_path / "separable_pipeline.json").write_text(json.dumps(
        {"widget": "separable_pipeline", "module": pipeline.MODULE, "saved": saved,
         "moves": moves}))  # fmt: skip
    choices = []
    for part, ds in every_choice():
        for triple, d in zip(part, ds, strict=True):
            weight = ct.separable_to_standard(d, ROWS)[0].tolist()
            for j, preset in enumerate(PRESETS):
                # the table itself is held to convtutor's numbers by the test above
                value = pipeline.differences[(*triple, j)]
                for o in range(STARTS[j + 1] - STARTS[j]):
                    choices.append({
                        "kernels": [KERNELS_3x3[k] for k in triple], "pointwise": preset,
                        "out_channel": o, "outputs": int(STARTS[j + 1] - STARTS[j]),
                        "weight": weight[STARTS[j] + o],
                        "check": "0" if value == 0 else f"{value:.1e}",
                    })  # fmt: skip
    (tmp_path / "choices").mkdir()
    fixture = tmp_path / "choices" / "separable_choices.json"
    fixture.write_text(json.dumps({"saved": saved, "choices": choices, "count": len(choices)}))
    run_node(
        ["widgets.test.mjs", "separable_pipeline.test.mjs"],
        {"CONVTUTOR_FIXTURES": str(tmp_path), "CONVTUTOR_SEPARABLE_FIXTURE": str(fixture)},
        passed=3,
    )
