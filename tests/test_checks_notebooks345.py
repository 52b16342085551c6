"""The exercise checks of notebooks 03-05: right answers pass; each known mistake gets its hint."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import convtutor as ct
from convtutor.checks import Feedback
from convtutor.checks import pointwise as pw_check
from convtutor.checks import separable as sep_check
from convtutor.checks import sobel as sobel_check
from tests.support.optional_torch import torch


def assert_right(fb):
    assert isinstance(fb, Feedback)
    assert fb.ok, fb.message
    assert str(fb).startswith("Correct!")


def assert_hint(fb, *words):
    assert isinstance(fb, Feedback)
    assert not fb.ok, "a wrong answer was accepted"
    for word in words:
        assert word.lower() in fb.message.lower(), (word, fb.message)


# ---- notebook 03: point-wise ------------------------------------------------------------


def test_pointwise_params_right():
    """C_in * C_out is accepted, for the defaults and for other sizes."""
    assert_right(pw_check.params(48 * 40))
    assert_right(pw_check.params(3 * 5, in_channels=3, depth_multiplier=1, out_channels=5))
    assert pw_check.params(48 * 40).message.startswith("48 x 40")
    dw = torch.nn.Conv2d(24, 48, 3, groups=24, bias=False)
    pw = torch.nn.Conv2d(dw.out_channels, 40, 1, bias=False)
    assert pw.weight.numel() == 48 * 40  # the 1x1 layer after a depth multiplier of 2


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (24 * 40, ["what the depth-wise layer puts out", "48 channels"]),
        (48 * 40 + 24 * 2 * 9, ["depth-wise layer's weights", "1x1 layer only"]),
        (40, ["forgot C_in"]),
        (48, ["per-channel scaling", "mixes channels", "all 48 input channels"]),
        (24, ["per-channel scaling"]),
        (48 * 40 * 9, ["1x1"]),
        (48 * 40 + 40, ["bias"]),
        (0, ["not 'doing nothing'"]),
        (48 + 40, ["added C_in and C_out", "Multiply"]),
        (1234, ["weight matrix"]),
        ("1920", ["whole number"]),
    ],
)
def test_pointwise_params_hints(answer, words):
    """Each likely mistake in counting 1x1 weights gets its own hint."""
    assert_hint(pw_check.params(answer), *words)


def test_pointwise_macs_right():
    """C_in * C_out * H * W multiply-accumulates is accepted."""
    assert_right(pw_check.macs(32 * 64 * 56 * 56))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (64 * 56 * 56, ["forgot C_in"]),
        (32 * 64, ["number of weights"]),
        (32 * 56 * 56, ["only one output channel"]),
        (32 * 64 * 56 * 56 * 9, ["3x3 kernel", "1x1"]),
        (48 * 40 * 56 * 56, ["previous exercise", "32 channels to 64"]),
        (5, ["every pixel"]),
        ("many", ["whole number"]),
    ],
)
def test_pointwise_macs_hints(answer, words):
    """Forgetting C_in, the pixels or the output channels each gets its hint."""
    assert_hint(pw_check.macs(answer), *words)


def test_output_shape_right():
    """(C_out, H, W) is accepted; a numpy shape tuple works too."""
    assert_right(pw_check.output_shape((3, 32, 32)))
    x = np.zeros((5, 32, 32))
    assert_right(pw_check.output_shape(ct.pointwise_conv2d(x, np.ones((3, 5))).shape))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((5, 32, 32), ["input's shape", "does not leave"]),
        ((3, 30, 30), ["no border"]),
        ((32, 32, 3), ["(C, H, W)", "channels come first"]),
        ((3, 32), ["three axes"]),
        ("shape", ["three whole numbers"]),
        ((1, 32, 32), ["W's rows"]),
    ],
)
def test_output_shape_hints(answer, words):
    """Answering the input's shape (a 1x1 conv does nothing) or a shrunk size gets a hint."""
    assert_hint(pw_check.output_shape(answer), *words)


def test_channel_cycle_right():
    """The permutation that reads (G, B, R) from (R, G, B) is accepted, also as (3, 3, 1, 1)."""
    w = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert_right(pw_check.channel_cycle(w))
    assert_right(pw_check.channel_cycle(w[:, :, None, None]))
    rgb = ct.data.sample_image(16)
    assert np.allclose(ct.pointwise_conv2d(rgb, w), rgb[[1, 2, 0]])


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (np.eye(3), ["identity", "does nothing"]),
        (np.eye(3)[[2, 1, 0]], ["red <-> blue swap", "(B, G, R)"]),
        (np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), ["transpose"]),
        (np.ones(3), ["shape (3, 3)"]),
        (np.ones((3, 3)), ["one 1 in each row"]),
        ("abc", ["3x3 array"]),
    ],
)
def test_channel_cycle_hints(answer, words):
    """The identity (1x1 does nothing) and the transposed matrix each get a hint."""
    assert_hint(pw_check.channel_cycle(answer), *words)


# ---- notebook 04: separable ----------------------------------------------------------------


def test_separable_params_right():
    """C_in k^2 + C_in C_out is accepted and agrees with conv_cost."""
    assert_right(sep_check.params(656))
    assert ct.conv_cost("separable", 16, 32, 3).params == 656
    assert_right(sep_check.params(36, in_channels=3, out_channels=3, kernel_size=3))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (16 * 32 * 9, ["STANDARD"]),
        (16 * 9, ["depth-wise step only"]),
        (16 * 32, ["point-wise step only"]),
        (16 * 9 + 32, ["forgot C_in"]),
        (9 + 16 * 32, ["ONE k x k kernel shared"]),
        (16 * 3 + 16 * 32, ["not k or 2k"]),
        (16 * 6 + 16 * 32, ["not k or 2k"]),
        (32 * 9 + 16 * 32, ["per INPUT channel"]),
        (656 + 16 + 32, ["biases"]),
        (656 + 32, ["biases"]),
        (1, ["Add the two steps"]),
        ([656], ["whole number"]),
    ],
)
def test_separable_params_hints(answer, words):
    """Each mistake in counting a separable layer's weights gets its own hint."""
    assert_hint(sep_check.params(answer), *words)


def test_cost_ratio_right():
    """1/C_out + 1/k^2 is accepted exactly and to three digits (0.132, as the solution rounds);
    the verdict calls it the fraction kept and gives the saving as one minus it. The
    exercise asks for C_out = 48, a value 04's table (C_out = 3, 16, 64...) does not print."""
    assert_right(sep_check.cost_ratio(1 / 48 + 1 / 9))
    assert_right(sep_check.cost_ratio(0.13194))
    assert_right(sep_check.cost_ratio(0.132))
    assert_hint(sep_check.cost_ratio(0.127), "rounded too far")  # C_out = 64's, from the table
    message = sep_check.cost_ratio(0.132).message
    assert "keeps 13.2%" in message and "saves 86.8%" in message


def test_cost_ratio_agrees_with_conv_cost():
    """The fraction the check accepts is separable / standard as ct.conv_cost counts it."""
    for c_out, k in ((64, 3), (16, 5), (3, 7)):
        kept = (
            ct.conv_cost("separable", 8, c_out, k, 14, padding=k // 2).macs
            / ct.conv_cost("standard", 8, c_out, k, 14, padding=k // 2).macs
        )
        assert_right(sep_check.cost_ratio(kept, out_channels=c_out, kernel_size=k))
        assert_hint(sep_check.cost_ratio(1 - kept, out_channels=c_out, kernel_size=k), "saving")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (1 / (1 / 48 + 1 / 9), ["upside down"]),
        (1 / 48 + 1 / 3, ["k^2 with k", "second term", "point-wise step only 1"]),
        (0.13, ["rounded too far"]),
        (1 - (1 / 48 + 1 / 9), ["the saving", "fraction kept"]),
        (13.19, ["percentage"]),
        (1 / 9, ["point-wise part only", "1/C_out = 1/48"]),
        (1 / 48, ["depth-wise part only", "1/k^2 = 1/9"]),
        (1 / (48 * 9), ["do not multiply"]),
        (0.5, ["term by term"]),
        ("1/48", ["number"]),
    ],
)
def test_cost_ratio_hints(answer, words):
    """An inverted ratio, 1/k for 1/k^2, one term only, or a product each gets a hint."""
    assert_hint(sep_check.cost_ratio(answer), *words)


def _factors(weight):
    """D and P recovered from a weight that is rank 1 per input channel (the solution)."""
    c_out, c_in = weight.shape[:2]
    d, p = np.zeros((c_in, 1, 3, 3)), np.zeros((c_out, c_in))
    for c in range(c_in):
        slices = weight[:, c]
        o = int(np.argmax(np.abs(slices).sum(axis=(1, 2))))
        d[c, 0] = slices[o]
        p[:, c] = (slices * slices[o]).sum(axis=(1, 2)) / (slices[o] ** 2).sum()
    return d, p


def test_rank_one_weight_is_what_a_separable_layer_makes():
    """The exercise's W is rank 1 per input channel and has zero slices to trip a naive pick."""
    w = sep_check.RANK_ONE_WEIGHT
    assert w.shape == (4, 3, 3, 3)
    assert all(ct.kernel_rank(w[:, c].reshape(4, -1)) == 1 for c in range(3))
    assert not np.any(w[0, 0]) and not np.any(w[0, 1])


def test_recover_factors_right():
    """The folded solution is right, and so is any per-channel rescaling of it."""
    d, p = _factors(sep_check.RANK_ONE_WEIGHT)
    assert_right(sep_check.recover_factors(d, p))
    scale = np.array([2.0, -0.5, 3.0])
    assert_right(sep_check.recover_factors(d * scale[:, None, None, None], p / scale))
    assert np.allclose(ct.separable_to_standard(d, p)[0], sep_check.RANK_ONE_WEIGHT)


def test_recover_factors_hints():
    """A zero slice as pattern, a right pattern with a wrong P, a wrong pattern, flipped
    kernels, a transposed P and missing axes each get their own hint."""
    w = sep_check.RANK_ONE_WEIGHT
    d, p = _factors(w)
    naive = w[0][:, None].copy()  # D[c] = W[0, c]: zero for channels 0 and 1
    assert_hint(sep_check.recover_factors(naive, p), "D_ex3[0] is all zeros", "W[0, 0]")
    assert_hint(sep_check.recover_factors(d, np.ones((4, 3))), "has channel 0's pattern")
    assert_hint(sep_check.recover_factors(np.ones((3, 1, 3, 3)), p), "not a multiple")
    assert_hint(sep_check.recover_factors(d[:, :, ::-1, ::-1], p), "flipped")
    assert_hint(sep_check.recover_factors(d, p.T), "transpose", "P_ex3.T would be right")
    assert_hint(sep_check.recover_factors(d[:, 0], p), "length-1 axis")
    assert_hint(sep_check.recover_factors(np.ones((3, 3)), p), "(3, 1, 3, 3)")
    assert_hint(sep_check.recover_factors(d, np.ones(4)), "(4, 3)")
    assert_hint(sep_check.recover_factors("D", p), "arrays of numbers")
    assert_hint(sep_check.recover_factors(d, None), "Replace None")


@pytest.fixture
def small_layer():
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 1, 3, 3)), rng.normal(size=(4, 3))


def test_reachable_kernels_are_the_rank_one_per_input_channel_ones():
    """K1 and K2 are separable layers (found by factoring them), K3 and K4 are not."""
    assert sorted(sep_check.CANDIDATE_KERNELS) == ["K1", "K2", "K3", "K4"]
    for name, w in sep_check.CANDIDATE_KERNELS.items():
        ranks = [ct.kernel_rank(w[:, c].reshape(3, -1)) for c in range(2)]
        assert (ranks == [1, 1]) == (name in {"K1", "K2"}), (name, ranks)
    d = np.stack([ct.kernels.SOBEL_X, ct.kernels.SHARPEN])[:, None]
    p = np.array([[1.0, -2.0], [0.5, 1.0], [-3.0, 0.0]])
    assert np.allclose(ct.separable_to_standard(d, p)[0], sep_check.CANDIDATE_KERNELS["K1"])
    assert_right(sep_check.reachable_kernels({"K1", "K2"}))
    assert_right(sep_check.reachable_kernels("k2, K1"))
    assert_right(sep_check.reachable_kernels([1, "k2"]))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"K1", "K2", "K3"}, ["one pattern per OUTPUT", "INPUT channel"]),
        ({"K3"}, ["OUTPUT"]),
        ({"K1", "K2", "K4"}, ["input channel 0 of K4", "rank 2"]),
        ({"K1"}, ["K2 is reachable", "D[0] and D[1]"]),
        ({"K2"}, ["K1 is reachable", "negative"]),
        (set(), ["is reachable"]),
        ({"K5"}, ["not one"]),
        ({"A", "B"}, ["not one"]),
        (3, ["set of names"]),
    ],
)
def test_reachable_kernels_hints(answer, words):
    """Patterns per output channel, a broken slice and a shared pattern each get a hint."""
    assert_hint(sep_check.reachable_kernels(answer), *words)


def test_block_params_right():
    """MobileNet's separable block: weights plus gamma and beta, as blocks and PyTorch count."""
    from convtutor import blocks

    assert_right(sep_check.block_params(2528))
    block = blocks.build_block("separable", 32, 64)
    assert sum(p.numel() for p in block.parameters()) == 2528
    assert blocks.block_cost("separable", 32, 64).params == 2528
    assert_right(sep_check.block_params(268_800, in_channels=512, out_channels=512))


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (2336, ["convolutions' weights only", "gamma"]),
        (2528 + 2 * 32 + 2 * 64, ["buffers", "running mean"]),
        (2336 + 32 + 64, ["TWO numbers per channel"]),
        (2336 + 2 * 64, ["one BatchNorm", "after the depth-wise step"]),
        (2336 + 2 * 32, ["one BatchNorm", "after the point-wise step"]),
        (2336 + 4 * 64, ["32 channels (C_in)"]),
        (2528 + 32 + 64, ["no bias"]),
        (32 * 64 * 9 + 2 * 64, ["STANDARD block"]),
        (32 * 64 * 9, ["standard layer's weights"]),
        (7, ["four parts"]),
        (2528.5, ["whole number"]),
        ("2528", ["without quotes"]),
    ],
)
def test_block_params_hints(answer, words):
    """Each mistake in counting a real block's parameters gets its own hint."""
    assert_hint(sep_check.block_params(answer), *words)


# ---- notebook 05: Sobel -----------------------------------------------------------------------


def test_kernel_factors_right():
    """[1, 3, 1] and [2, 0, -2] are accepted, and so is any rescaled pair."""
    assert_right(sobel_check.kernel_factors([1, 3, 1], [2, 0, -2]))
    assert_right(sobel_check.kernel_factors([2, 6, 2], [1, 0, -1]))
    assert_right(sobel_check.kernel_factors([-1, -3, -1], [-2, 0, 2]))
    assert_right(sobel_check.kernel_factors(*ct.separate(sobel_check.KERNEL_TO_FACTOR)))
    # a column vector and a row vector, as a student may write them
    assert_right(sobel_check.kernel_factors([[1], [3], [1]], [[2, 0, -2]]))
    assert ct.kernel_rank(sobel_check.KERNEL_TO_FACTOR) == 1


@pytest.mark.parametrize(
    ("column", "row", "words"),
    [
        ([1, 2, 1], [-1, 0, 1], ["Sobel's Gx", "3 times its top row"]),
        ([2, 0, -2], [1, 3, 1], ["TRANSPOSE"]),
        ([1, 3, 1], [-2, 0, 2], ["sign is reversed"]),
        ([1, 3, 1], [1, 0, -1], ["0.5 times the kernel", "scale"]),
        ([1, 0, 1], [-1, 0, 1], ["first column"]),
        ([1, 2], [-1, 0, 1], ["3 numbers each"]),
        (np.ones((3, 3)), [-1, 0, 1], ["flat list"]),
        ("x", [-1, 0, 1], ["list of 3 numbers"]),
        ([1, 2, 1], None, ["Replace None"]),
    ],
)
def test_kernel_factors_hints(column, row, words):
    """Sobel's own pair, the transpose, a flipped sign and a wrong scale each get a hint."""
    assert_hint(sobel_check.kernel_factors(column, row), *words)


def test_multiplies_right():
    """k^2 directly and r * 2k as r separable terms; the Laplacian's 9 and 12 at k = 3."""
    assert_right(sobel_check.multiplies(81, 36))
    assert_right(sobel_check.multiplies(9, 12, kernel_size=3))
    assert_right(sobel_check.multiplies(25, 10, kernel_size=5, rank=1))
    lap = ct.kernels.LAPLACIAN  # rank 2: two separable terms, as notebook 05 section 6 says
    assert ct.kernel_rank(lap) == 2


@pytest.mark.parametrize(
    ("direct", "separable", "words"),
    [
        (81, 18, ["ONE column times a row", "sum of 2"]),
        (36, 81, ["swapped"]),
        (18, 81, ["swapped"]),
        (81, 9, ["TWO passes"]),
        (81, 81, ["Count the passes"]),
        (9, 12, ["another kernel size", "9x9"]),
        (49, 14, ["another kernel size"]),
        (9, 3, ["k x k = 81"]),
        (10, 3, ["one multiply per tap"]),
        (81, None, ["Replace None"]),
        ("81", 36, ["two whole numbers"]),
    ],
)
def test_multiplies_hints(direct, separable, words):
    """One term for two, k^2 swapped with 2k, and another size's numbers each get a hint."""
    assert_hint(sobel_check.multiplies(direct, separable), *words)


def test_kernels_to_sort_are_what_the_check_says():
    """A, C and E are rank 1 (each is np.outer of a column and a row); B and D are rank 2."""
    kernels = sobel_check.KERNELS_TO_SORT
    assert {n: ct.kernel_rank(k) for n, k in kernels.items()} == {
        "A": 1,
        "B": 2,
        "C": 1,
        "D": 2,
        "E": 1,
    }
    for name in "ACE":
        column, row = ct.separate(kernels[name])
        assert np.allclose(np.outer(column, row), kernels[name])
    for name in "BD":
        with pytest.raises(ct.NotSeparableError):
            ct.separate(kernels[name])


@pytest.mark.parametrize("answer", [{"A", "C", "E"}, "ACE", ["a", "c", "e"], ("E", "C", "A")])
def test_separable_kernels_right(answer):
    """The rank-1 kernels are accepted as a set, a string or a list of letters."""
    fb = sobel_check.separable_kernels(answer)
    assert_right(fb)
    assert "B and D have rank 2" in fb.message


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"A", "C"}, ["E is separable too", "a row of zeros is 0 times it"]),
        ({"A", "E"}, ["C is separable too"]),
        ({"A", "C", "D", "E"}, ["D is not a column times a row", "Being symmetric is not enough"]),
        ({"A", "B", "C", "E"}, ["B is not a column times a row", "rank gives 2"]),
        (set(), ["A is separable too"]),
        ("ACEZ", ["Z is not one"]),
        (3, ["letters of the separable kernels"]),
        ([1, 2], ["letters"]),
    ],
)
def test_separable_kernels_hints(answer, words):
    """A missed rank-1 kernel and a symmetric rank-2 one each get a hint naming its rows."""
    assert_hint(sobel_check.separable_kernels(answer), *words)


def test_box_factors_right():
    """Two 1/5 averages make the 5x5 box blur."""
    f = np.full(5, 0.2)
    assert_right(sobel_check.box_factors(f, f))
    assert_right(sobel_check.box_factors(*ct.separate(ct.kernels.box(5))))


@pytest.mark.parametrize(
    ("column", "row", "words"),
    [
        (np.ones(5), np.full(5, 0.2), ["sums to 5"]),
        (np.ones(5), np.ones(5), ["sums the window"]),
        (np.ones(3), np.ones(3), ["has 5 numbers"]),
        (np.arange(5), np.ones(5), ["sum to 1"]),
        ("x", np.ones(5), ["list of 5 numbers"]),
        (np.ones(5), np.full((5, 5), 0.2), ["flat list"]),
        (np.full(5, 1 / 25), np.full(5, 1 / 25), ["25 times too small", "1/5"]),
        (np.full(5, 0.2), None, ["row is still None"]),
    ],
)
def test_box_factors_hints(column, row, words):
    """A product that sums to 5 or 25 instead of 1 gets a hint about averaging."""
    assert_hint(sobel_check.box_factors(column, row), *words)


@pytest.mark.parametrize(
    "call",
    [
        lambda: pw_check.params(None),
        lambda: pw_check.macs(None),
        lambda: pw_check.output_shape(None),
        lambda: pw_check.channel_cycle(None),
        lambda: sep_check.params(None),
        lambda: sep_check.cost_ratio(None),
        lambda: sep_check.recover_factors(None, None),
        lambda: sep_check.reachable_kernels(None),
        lambda: sobel_check.kernel_factors(None, None),
        lambda: sobel_check.multiplies(None, None),
        lambda: sobel_check.separable_kernels(None),
        lambda: sobel_check.box_factors(None, None),
    ],
)
def test_unanswered_exercise_says_replace_none(call):
    """An exercise left at None (as the notebooks ship) asks for an answer instead of erring."""
    assert_hint(call(), "Replace None")


# ---- the notebooks' own exercises ---------------------------------------------------------

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
EXERCISE_NOTEBOOKS = [
    "01_standard_convolution",
    "02_depthwise",
    "03_pointwise",
    "04_depthwise_separable",
    "05_sobel_separability",
]
SOLUTION_CODE = re.compile(r"```python\n(.*?)```", re.S)


def _exercises(name):
    """(imports cell, exercise cell, solution code) for every exercise of a notebook."""
    cells = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4).cells
    # the first code cell after the generated install cell (scripts/sync_notebooks.py)
    imports = next(
        c.source
        for c in cells
        if c.cell_type == "code" and "install" not in c.metadata.get("tags", [])
    )
    imports = "\n".join(line for line in imports.splitlines() if not line.startswith("%"))
    found = []
    for cell, after in zip(cells, cells[1:], strict=False):
        if cell.cell_type == "code" and re.search(r"^check\.\w+\(", cell.source, re.M):
            assert "<details>" in after.source, f"{name}: no folded solution under an exercise"
            found.append((imports, cell.source, SOLUTION_CODE.search(after.source).group(1)))
    return found


@pytest.mark.parametrize("name", EXERCISE_NOTEBOOKS)
def test_folded_solutions_pass_their_checks(name):
    """Each exercise as shipped is 'not yet'; with its folded solution pasted in, it is right."""
    exercises = _exercises(name)
    assert len(exercises) >= 3
    namespace = {}
    exec(exercises[0][0], namespace)  # the imports cell, without %matplotlib
    for _, cell, solution in exercises:
        *setup, call = cell.strip().splitlines()
        exec("\n".join(setup), namespace)
        assert_hint(eval(call, namespace), "Replace None")
        exec(solution, namespace)
        assert_right(eval(call, namespace))
