"""The Sobel, cost and arithmetic widgets, and the diagram builders.

Every control is moved through its whole range from code; after each move the arrays
and texts on screen must equal what convtutor's own functions compute for that state,
no artist may have been added, and no callback error may have been swallowed.
"""

import doctest
import itertools

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import convtutor as ct
import convtutor.viz.diagrams as diagrams
import convtutor.viz.images as images
import convtutor.widgets.arithmetic as arithmetic
import convtutor.widgets.cost as cost
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
from convtutor.widgets import ALL
from convtutor.widgets.arithmetic import ConvArithmetic
from convtutor.widgets.cost import CostCalculator, torch_parameter_counts
from convtutor.widgets.sobel import KERNEL_CHOICES, SobelSeparability

IMAGE = ct.data.to_gray(ct.data.sample_image(32))  # small: keeps the sweeps quick


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


def values_of(control):
    """Every value a control can take, in order."""
    if isinstance(control, ipywidgets.Checkbox):
        return [not control.value, control.value]
    if isinstance(control, ipywidgets.widgets.widget_selection._Selection):
        return list(control._options_values)  # the values, also for (label, value) options
    if isinstance(control, ipywidgets.FloatSlider):
        count = int(round((control.max - control.min) / control.step))
        return [round(control.min + i * control.step, 10) for i in range(count + 1)]
    if isinstance(control, ipywidgets.IntSlider):
        return list(range(control.min, control.max + 1, control.step))
    raise TypeError(f"no sweep for {type(control).__name__}")


def sweep(w, check, names=None):
    """Move each control through all its values, checking the figure after every move."""
    before = inventory(w.figure)
    moves = 0
    for name in names or list(w.controls):
        start = w.controls[name].value
        for value in values_of(w.controls[name]):
            w.set(**{name: value})
            assert w.controls[name].value == value
            check(w)
            moves += 1
        w.set(**{name: start})
    assert inventory(w.figure) == before
    assert w.errors == []
    return moves


# ---- ConvArithmetic ----------------------------------------------------------------------
RNG_INPUT = np.random.default_rng(7).random((10, 10))


def check_arithmetic(w):
    """The grid, taps, output cell and formula agree with ct.conv2d for the state."""
    st = w.state
    n, k, p, s, d = (
        st[key] for key in ("input_size", "kernel_size", "padding", "stride", "dilation")
    )
    x = RNG_INPUT[:n, :n][None]
    ones = np.ones((1, 1, k, k))
    try:
        out = ct.conv2d(x, ones, stride=s, padding=p, dilation=d)[0]
    except ValueError:
        out = None  # the kernel does not fit
    diagram = w.diagram
    kinds = diagram.cell_kinds
    assert kinds.shape == (n + 2 * p, n + 2 * p)
    span = diagram._span
    start = diagram.max_padding - p
    mesh = np.asarray(diagram.input_cells.get_array()).reshape(span, span)
    np.testing.assert_array_equal(mesh[start : start + n + 2 * p, start : start + n + 2 * p], kinds)
    assert (mesh != 0).sum() == kinds.size  # nothing drawn outside the padded grid
    np.testing.assert_array_equal(kinds[p : p + n, p : p + n] % 2, 1)  # input cells: 1 or 3
    if out is None:
        assert diagram.output_size < 1
        assert "no output" in w.readout.value
        assert w.output_title.get_text().startswith("No output: (")
        assert not diagram.window.get_visible()
        return
    h_out = out.shape[0]
    assert diagram.output_size == h_out
    assert f"// {s} + 1 = {h_out}</code>" in w.readout.value
    position = st["position"]
    assert w.controls["position"].max == h_out * h_out - 1
    i, j = divmod(position, h_out)
    # The taps: k*k cells; the input pixels under them add up to the conv2d output.
    assert ((kinds == 3) | (kinds == 4)).sum() == k * k
    padded = np.pad(x[0], p)
    assert np.isclose(padded[kinds >= 3].sum(), out[i, j])
    out_mesh = np.asarray(diagram.output_cells.get_array()).reshape(span, span)
    expected = np.zeros((span, span))
    expected[:h_out, :h_out] = 5
    expected[i, j] = 6
    np.testing.assert_array_equal(out_mesh, expected)
    x0, y0 = diagram.output_cell.get_xy()
    assert (x0, y0) == (j - 0.5, i - 0.5)
    assert w.output_title.get_text() == (
        f"Output {h_out}×{h_out} = ({n} + 2·{p} − {d}·({k} − 1) − 1) // {s} + 1"
    )


def test_arithmetic_sweeps_every_control():
    """Each ConvArithmetic control, moved over its range, keeps the figure equal to conv2d."""
    w = ConvArithmetic()
    check_arithmetic(w)
    moves = sweep(w, check_arithmetic)
    assert moves > 60


def test_arithmetic_corners_in_many_settings():
    """For extreme settings, the corner and middle output cells read where conv2d reads."""
    w = ConvArithmetic()
    before = inventory(w.figure)
    for n, k, p, s, d in itertools.product((3, 10), (1, 3, 5), (0, 3), (1, 3), (1, 3)):
        w.set(input_size=n, kernel_size=k, padding=p, stride=s, dilation=d)
        check_arithmetic(w)
        last = w.controls["position"].max
        h_out = max(w.diagram.output_size, 1)
        for position in sorted({0, h_out - 1, last - h_out + 1, last, last // 2}):
            w.set(position=position)
            check_arithmetic(w)
    assert inventory(w.figure) == before
    assert w.errors == []


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


@pytest.mark.parametrize(
    ("n", "k", "p", "s", "d"), [(3, 1, 0, 1, 1), (10, 5, 3, 1, 3), (4, 5, 0, 1, 1)]
)
def test_arithmetic_panels_fit_their_grids(n, k, p, s, d):
    """Each panel's limits are its current grid (padded input; output), plus a sliver."""
    w = ConvArithmetic()
    w.set(input_size=n, kernel_size=k, padding=p, stride=s, dilation=d)
    h_out = max(arithmetic.output_length(n, k, stride=s, padding=p, dilation=d), 1)
    for ax, lo, hi in ((w.ax_input, -p - 0.5, n + p - 0.5), (w.ax_output, -0.5, h_out - 0.5)):
        margin = 0.02 * (hi - lo)
        assert ax.get_xlim() == pytest.approx((lo - margin, hi + margin))
        assert ax.get_ylim() == pytest.approx((hi + margin, lo - margin))


def test_arithmetic_position_follows_a_shrinking_output():
    """When the output shrinks, the position is clipped to the last cell, with no error."""
    w = ConvArithmetic()
    w.set(position=w.controls["position"].max)
    w.set(padding=0)
    assert w.state["position"] == 24  # 5 x 5 output, last cell
    check_arithmetic(w)


def test_arithmetic_formula_text():
    """The formula has the numbers substituted and the conv2d result at the end."""
    text = arithmetic.formula_text(7, 3, 1, 2, 1)
    assert "(7 + 2·1 − 1·(3 − 1) − 1) // 2 + 1 = 4" in text
    assert (
        ct.conv2d(np.zeros((1, 7, 7)), np.zeros((1, 1, 3, 3)), stride=2, padding=1).shape[-1] == 4
    )
    assert "no output" in arithmetic.formula_text(3, 5, 0, 1, 1)


# ---- SobelSeparability ------------------------------------------------------------------
def check_sobel(w):
    """Kernel, factors, both results, singular values and readout agree with convtutor."""
    st = w.state
    if st["kernel"] == "Gaussian":
        base = ct.kernels.gaussian(st["size"], st["sigma"])
    else:
        base = ct.kernels.get(st["kernel"])
    kernel = w.kernel
    k = base.shape[0]
    assert kernel.shape == base.shape
    if st["perturb"] == 0:
        np.testing.assert_array_equal(kernel, base)
    else:
        relative = np.linalg.norm(kernel - base) / np.linalg.norm(base)
        assert np.isclose(relative, st["perturb"])
    shown = np.ma.getdata(w.kernel_map.mesh.get_array())[:k, :k]
    np.testing.assert_array_equal(shown, kernel)
    column = np.ma.getdata(w.column_map.mesh.get_array())[:k, 0]
    row = np.ma.getdata(w.row_map.mesh.get_array())[0, :k]
    rank1 = ct.low_rank_approximation(kernel, 1)
    np.testing.assert_allclose(np.outer(column, row), rank1, atol=1e-12)
    pad = k // 2
    np.testing.assert_allclose(w.result_2d.get_array(), ct.filter2d(w.image, kernel, padding=pad))
    np.testing.assert_allclose(
        w.result_passes.get_array(), ct.separable_filter2d(w.image, column, row, padding=pad)
    )
    s = ct.singular_values(kernel)
    bars = w.sv_bars.bars
    assert [b.get_visible() for b in bars] == [i < k for i in range(len(bars))]
    np.testing.assert_allclose([b.get_height() for b in bars[:k]], s)
    assert w.sv_bars.labels.strings == [format_singular_value(v, s[0]) for v in s[:2]]
    rank = ct.kernel_rank(kernel)
    difference = np.max(
        np.abs(
            ct.filter2d(w.image, kernel, padding=pad)
            - ct.separable_filter2d(w.image, column, row, padding=pad)
        )
    )
    if rank == 1:
        assert "<b>Separable</b>" in w.readout.value
        assert "max |2-D − two passes| = 0" in w.readout.value
        assert difference < 1e-12
        assert w.sv_bars.labels.strings[1] == "0"
    else:
        assert "<b>Not separable</b>" in w.readout.value
        error = np.linalg.norm(kernel - rank1)
        assert f"‖K − K₁‖ = {error:.3g}" in w.readout.value
        assert f"max |2-D − two passes| = {difference:.3g}" in w.readout.value
    assert f"2-D k² = {k}² = {k * k}; two passes k + k = {2 * k}" in w.readout.value
    summary = w.summary.get_text()  # the same facts in the figure, for static pages
    assert SobelSeparability.difference_text(difference) in summary
    assert ("Separable" if rank == 1 else f"Not separable (rank {rank})") in summary
    assert f"{k * k} vs {2 * k} multiplies" in summary
    # Numbers in the kernel's cells (written up to 3x3).
    texts = w.kernel_map.numbers.strings
    if k <= 3:
        assert texts == [format_tap(v) for v in kernel.ravel()]
    else:
        assert texts == []
    assert w.column_map.numbers.strings == [format_tap(v) for v in column]
    assert w.row_map.numbers.strings == [format_tap(v) for v in row]


def test_sobel_sweeps_every_control():
    """Each SobelSeparability control, over its range, keeps the figure equal to convtutor."""
    w = SobelSeparability(image=IMAGE)
    check_sobel(w)
    moves = sweep(w, check_sobel)
    w.set(kernel="Gaussian")
    moves += sweep(w, check_sobel, ["size", "sigma", "perturb"])
    assert moves > 70


def test_sobel_x_factors_are_the_textbook_ones():
    """Sobel x shows column [1, 2, 1] and row [-1, 0, 1], and a zero difference."""
    w = SobelSeparability(image=IMAGE)
    assert w.column_map.numbers.strings == ["1", "2", "1"]
    assert w.row_map.numbers.strings == ["-1", "0", "1"]
    assert "max |2-D − two passes| = 0" in w.readout.value


def test_sobel_panels_say_column_times_row_is_the_kernel():
    """The factor panels are titled column and row; the kernel panel 'column × row ='."""
    w = SobelSeparability()
    assert (w.column_title.get_text(), w.row_title.get_text()) == ("column", "row")
    assert w.kernel_title.get_text() == "column × row = kernel"
    w.set(kernel="Laplacian")
    assert (w.column_title.get_text(), w.row_title.get_text()) == ("best column", "best row")
    assert w.kernel_title.get_text() == "column × row ≈ kernel (rank 2)"


def test_sobel_perturb_grows_the_second_singular_value():
    """Noise makes s2 grow from 0 and the kernel not separable; the rank-1 error grows too."""
    w = SobelSeparability(image=IMAGE)
    seconds = []
    for value in (0.0, 0.1, 0.2, 0.4):
        w.set(perturb=value)
        seconds.append(w.sv_bars.bars[1].get_height())
    assert seconds[0] < 1e-12
    assert all(a < b for a, b in itertools.pairwise(seconds))
    assert "Not separable" in w.readout.value


def test_sobel_offers_every_named_separable_kernel():
    """The menu lists the named kernels (Gaussian by sliders) and the rank-2 ones."""
    for name in ("Sobel x", "Sobel y", "Scharr x", "Prewitt y", "Laplacian", "Gaussian"):
        assert name in KERNEL_CHOICES
    w = SobelSeparability(image=IMAGE)
    w.set(kernel="Laplacian")
    assert "rank 2" in w.readout.value


# ---- CostCalculator --------------------------------------------------------------------
def check_cost(w):
    """Bars, labels, ratio and the PyTorch count agree with ct.conv_cost for the state."""
    st = w.state
    c, o, k = st["in_channels"], st["out_channels"], st["kernel_size"]
    h, m = st["input_size"], st["depth_multiplier"]
    expected = {
        "standard": ct.conv_cost("standard", c, o, k, h, padding="same"),
        "depthwise": ct.conv_cost("depthwise", c, c * m, k, h, padding="same", depth_multiplier=m),
        "pointwise": ct.conv_cost("pointwise", c, o, 1, h),
        "separable": ct.conv_cost("separable", c, o, k, h, padding="same", depth_multiplier=m),
    }
    params = [expected[kind].params for kind in ct.KINDS]
    macs = [expected[kind].macs for kind in ct.KINDS]
    assert [b.get_height() for b in w.params_bars.bars] == params
    assert [b.get_height() for b in w.macs_bars.bars] == macs
    assert w.params_bars.labels.strings == [format_count(v) for v in params]
    assert w.macs_bars.labels.strings == [format_count(v) for v in macs]
    np.testing.assert_array_equal(
        w.params_bars.labels.positions, [(i, v) for i, v in enumerate(params)]
    )
    assert w.torch_counts == dict(zip(ct.KINDS, params, strict=True))
    assert "all four agree ✓" in w.readout.value
    ratio = params[3] / params[0]
    assert np.isclose(ratio, m * (1 / o + 1 / k**2))
    assert np.isclose(macs[3] / macs[0], ratio)
    assert f"= {ratio:.4g} (parameters and MACs alike)" in w.readout.value
    assert f"= {m * (1 / o + 1 / k**2):.4g}" in w.readout.value
    # In the figure too, in one line: the ratio, its formula, the numbers put in.
    line = w.ratio_label.get_text()
    assert line.startswith(f"separable ÷ standard = {ratio:.4g} = ")
    assert line.endswith(f"(1/{o} + 1/{k}²)" if m > 1 else f"= 1/{o} + 1/{k}²")
    assert w.params_bars.ax.get_yscale() == ("log" if st["log_scale"] else "linear")
    for value in params + macs:
        assert f"{value:,}" in w.readout.value


def test_cost_sweeps_every_control():
    """Each CostCalculator control, over its range, keeps bars and texts equal to conv_cost."""
    w = CostCalculator()
    check_cost(w)
    moves = sweep(w, check_cost)
    assert moves > 40


def test_cost_article_layer():
    """The article's layer, 10 -> 20 channels, 7x7: 9,800 weights (not 2,800)."""
    w = CostCalculator()
    w.set(in_channels=10, out_channels=20, kernel_size=7)
    assert w.params_bars.labels.strings[0] == "9,800"


@pytest.mark.parametrize(("c", "o", "k", "m"), [(3, 3, 3, 1), (10, 20, 7, 1), (16, 32, 5, 3)])
def test_torch_meta_counts_equal_real_layers(c, o, k, m):
    """Counting parameters on the meta device gives what real CPU layers give."""
    import torch

    real = {
        "standard": torch.nn.Conv2d(c, o, k, bias=False),
        "depthwise": torch.nn.Conv2d(c, c * m, k, groups=c, bias=False),
        "pointwise": torch.nn.Conv2d(c, o, 1, bias=False),
        "separable": torch.nn.Sequential(
            torch.nn.Conv2d(c, c * m, k, groups=c, bias=False),
            torch.nn.Conv2d(c * m, o, 1, bias=False),
        ),
    }
    counts = {kind: sum(p.numel() for p in layer.parameters()) for kind, layer in real.items()}
    assert torch_parameter_counts(c, o, k, m) == counts


def test_torch_meta_layer_allocates_nothing():
    """The check's layers live on the meta device, even for 512 x 512 x 7 x 7."""
    import torch

    layer = torch.nn.Conv2d(512, 512, 7, bias=False, device="meta")
    assert layer.weight.device.type == "meta"
    assert sum(p.numel() for p in layer.parameters()) == 512 * 512 * 49
    assert torch_parameter_counts(512, 512, 7, 1)["standard"] == 512 * 512 * 49


def test_cost_module_does_not_import_torch():
    """Importing the widget modules does not import torch (only the check does)."""
    import subprocess
    import sys

    code = (
        "import sys, convtutor.widgets.cost, convtutor.widgets.sobel, "
        "convtutor.widgets.arithmetic; print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MPLBACKEND": "Agg", "PATH": ""},
    )
    assert result.stdout.strip() == "False"


# ---- errors are never swallowed -----------------------------------------------------------
@pytest.mark.parametrize("cls", [ConvArithmetic, SobelSeparability, CostCalculator])
def test_broken_update_raises_through_set(cls, monkeypatch):
    """An error in an update raises through .set, and is recorded when it comes from the UI."""
    w = cls()
    name, control = next(iter(w.controls.items()))
    values = [v for v in values_of(control) if v != control.value]

    def broken():
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(w, "_update", broken)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        w.set(**{name: values[0]})
    assert w.errors == []
    control.value = values[-1]  # as the front end would: recorded, not raised
    assert len(w.errors) == 1


@pytest.mark.parametrize("cls", [ConvArithmetic, SobelSeparability, CostCalculator])
def test_widget_contract(cls):
    """No-argument build; a caption; one figure of at most 10 inches; a readout, shown."""
    before = len(plt.get_fignums())
    w = cls()
    assert w.caption.startswith("Try")
    assert w.figure.get_figwidth() <= 10
    assert isinstance(w.widget, ipywidgets.VBox)
    assert w.readout.value
    assert w.readout in w.widget.children[0].children  # shown under the sliders
    assert len(plt.get_fignums()) == before
    assert w.png().startswith(b"\x89PNG")


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


def test_path_labels_are_one_artist():
    """PathLabels draws many strings as one collection, updated in place."""
    fig = Figure()
    ax = fig.add_subplot()
    labels = diagrams.PathLabels(ax)
    before = inventory(fig)
    labels.set(["1", "-2", "0.5"], [(0, 0), (1, 0), (2, 0)], ["black", "white", "black"])
    assert labels.strings == ["1", "-2", "0.5"]
    assert len(labels.collection.get_paths()) == 3
    labels.set([], [])
    assert len(labels.collection.get_paths()) == 0
    title = diagrams.path_title(ax, "Output 5×5")
    title.set_text("Output 3×3")
    assert title.get_text() == "Output 3×3"
    assert inventory(fig)[:-1] == before[:-1]  # the title added one collection, at build


def test_formatters():
    """Counts, taps and singular values are written the way the labels promise."""
    assert format_count(9800) == "9,800"
    assert format_count(1_573_519_360) == "1.57 billion"
    assert format_tap(-2.0) == "-2" and format_tap(1 / 9) == "0.11"
    assert format_singular_value(1e-17, 3.0) == "0"


@pytest.mark.parametrize("module", [diagrams, arithmetic, images, cost])
def test_docstring_examples(module):
    """The examples in the docstrings run and print what they say."""
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.notebook
def test_widgets_run_under_ipympl():
    """Under %matplotlib widget each widget builds, moves and reports no error or warning."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "%matplotlib widget",
        "from convtutor.widgets import ALL, using_ipympl\nassert using_ipympl()",
        "w = ALL['sobel_separability']()\ndisplay(w.widget)\n"
        "w.set(kernel='Gaussian', size=7, perturb=0.2)\nassert w.errors == []",
        "w = ALL['cost_calculator']()\ndisplay(w.widget)\n"
        "w.set(in_channels=512, out_channels=512, kernel_size=7, log_scale=False)\n"
        "assert w.errors == []",
        "w = ALL['conv_arithmetic']()\ndisplay(w.widget)\n"
        "w.set(input_size=10, padding=0, stride=2, dilation=2, position=3)\n"
        "assert w.errors == []\nprint(type(w.figure.canvas).__module__)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=180).execute()
    outputs = [out for cell in nb.cells for out in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # A warning would show as a stderr stream.
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert any("ipympl" in o.get("text", "") for o in outputs)


# ---- nothing is cut off ---------------------------------------------------------------------
def text_boxes(fig):
    """(words, display box) of every visible string: Text artists and glyph-outline labels."""
    from matplotlib.collections import PathCollection
    from matplotlib.text import Text

    fig.canvas.draw()  # places the axes (equal aspect) as they will be shown
    boxes = []
    for artist in fig.findobj(lambda a: isinstance(a, Text | PathCollection)):
        ax = artist.axes
        if not artist.get_visible() or (ax is not None and not ax.get_visible()):
            continue
        if isinstance(artist, Text):
            if artist.get_text().strip():
                box = artist.get_window_extent()
                boxes.append((artist.get_text(), (box.x0, box.y0, box.x1, box.y1)))
            continue
        if not hasattr(artist, "get_text"):  # markers or heat-map numbers inside their axes
            continue
        offsets = artist.get_offset_transform().transform(artist.get_offsets())
        for path, offset in zip(artist.get_paths(), offsets, strict=False):
            if len(path.vertices):
                v = artist.get_transform().transform(path.vertices) + offset
                lo, hi = v.min(axis=0), v.max(axis=0)
                boxes.append((artist.get_text(), (lo[0], lo[1], hi[0], hi[1])))
    return boxes


@pytest.mark.parametrize("key", list(ALL))
def test_figure_fits_the_projector_output_area(key):
    """Each figure is at most 840 px wide at dpi 100: JupyterLab's output area at 1280x800."""
    w = ALL[key]()
    width, height = w.figure.get_size_inches() * w.figure.dpi
    assert w.figure.dpi == 100
    assert width <= 840, f"{key}: figure {width:.0f} px wide; the output area is ~848 px"
    assert height <= 520, f"{key}: figure {height:.0f} px tall; controls need room in ~700 px"
    size = round(width).to_bytes(4, "big") + round(height).to_bytes(4, "big")
    assert w.png()[16:24] == size  # the PNG (what a static page shows) has that size too


@pytest.mark.parametrize("key", list(ALL))
def test_control_labels_show_in_full(key):
    """Every control with a description shows all of it (description_width 'initial')."""
    import ipywidgets as widgets

    w = ALL[key]()
    for name, control in w.controls.items():
        if control.description and not isinstance(control, widgets.Checkbox):
            assert control.style.description_width == "initial", (key, name)


@pytest.mark.parametrize("key", list(ALL))
def test_no_text_is_cut_off(key):
    """Every title and label lies inside the figure, at each control's first and last value."""
    w = ALL[key]()
    width, height = w.figure.bbox.width, w.figure.bbox.height
    for name, control in list(w.controls.items()):
        for value in [values_of(control)[0], values_of(control)[-1]]:
            w.set(**{name: value})
            boxes = text_boxes(w.figure)
            assert boxes
            for words, (x0, y0, x1, y1) in boxes:
                margin = 2  # pixels: touching the edge reads as cut off
                inside = x0 >= margin and y0 >= margin
                inside = inside and x1 <= width - margin and y1 <= height - margin
                assert inside, (
                    f"{key}, {name}={value!r}: {words!r} at x {x0:.0f}..{x1:.0f}, "
                    f"y {y0:.0f}..{y1:.0f} leaves the {width:.0f}x{height:.0f} figure"
                )


def test_text_outlines_are_one_implementation():
    """images' and diagrams' outline labels are the same artist class, aligned as asked."""
    from convtutor.viz._text import OutlineLabels
    from convtutor.viz.images import fast_title, outline_text, outline_title

    fig = Figure(dpi=72)  # one point is one pixel
    ax = fig.add_subplot()
    ax.set_title("t")
    made = [
        outline_text(ax, 0.5, 0.5, "a"),
        outline_title(ax, "b"),
        fast_title(ax),
        diagrams.path_text(ax, 0.5, 0.5, "c"),
        diagrams.path_title(ax, "d"),
        diagrams.PathLabels(ax),
    ]
    assert all(isinstance(m, OutlineLabels) for m in made)
    # A right-aligned label ends `gap` points left of its anchor; a left one starts after it.
    for ha, sign in (("left", 1), ("right", -1)):
        lab = diagrams.PathLabels(ax, fontsize=10, ha=ha)  # gap 3 points
        lab.set(["Wide label"], [(0, 0)])
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
