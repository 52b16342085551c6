"""CostCalculator: the page's counts equal ct.conv_cost and PyTorch for every setting.

The page evaluates the counts, the ratio, its texts and the bar lengths itself
(``static/cost_calculator.js``). Here, over the WHOLE control grid (13 x 13 channel
counts, 7 kernel sizes, 6 input sizes, 4 depth multipliers, both scales):

* Python's mirror (:func:`describe`, :meth:`CostCalculator.view`) equals
  :func:`convtutor.conv_cost`, and its parameter counts equal real PyTorch layers';
* ``tests/js/cost_calculator.test.mjs`` (run by Node from here) gives what Python gives.
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
import math
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest

import convtutor as ct
from convtutor.widgets import CostCalculator
from convtutor.widgets._base import format_significant
from convtutor.widgets.cost_calculator import (
    BAR_CANVAS_HEIGHT,
    BAR_CANVAS_WIDTH,
    BAR_GAP,
    BAR_HEIGHT,
    BAR_LENGTH,
    BAR_PAD,
    CHANNEL_CHOICES,
    KIND_STYLES,
    LOG_PRIMES,
    MEMORY_HEADER,
    MEMORY_TEXT,
    PALETTE,
    SIZE_CHOICES,
    bar_lengths,
    describe,
    fill_template,
    formula_bytes,
    formula_costs,
    layer_costs,
    layer_memory,
    log_count,
    ratio_line,
    ratio_text,
    torch_parameter_counts,
)
from tests.support.widgets import assert_png_fallback, assert_refused, needs_node, run_node

KERNELS = range(1, 8)
MULTIPLIERS = range(1, 5)
GRID = list(itertools.product(CHANNEL_CHOICES, CHANNEL_CHOICES, KERNELS, SIZE_CHOICES, MULTIPLIERS))
GRID_ORDER = ["in_channels", "out_channels", "kernel_size", "input_size", "depth_multiplier"]
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


def state_of(c, o, k, h, m, log=True):
    return {"in_channels": c, "out_channels": o, "kernel_size": k, "input_size": h,
            "depth_multiplier": m, "log_scale": log}  # fmt: skip


@pytest.fixture(scope="module")
def calculator():
    return CostCalculator()


def test_the_grid_is_every_control_value(calculator):
    """GRID (x both scales) is the product of every control's values, nothing left out."""
    specs = calculator.controls
    assert tuple(specs["in_channels"]["options"]) == CHANNEL_CHOICES
    assert tuple(specs["out_channels"]["options"]) == CHANNEL_CHOICES
    assert tuple(specs["input_size"]["options"]) == SIZE_CHOICES
    assert (specs["kernel_size"]["min"], specs["kernel_size"]["max"]) == (1, 7)
    assert (specs["depth_multiplier"]["min"], specs["depth_multiplier"]["max"]) == (1, 4)
    assert specs["log_scale"]["options"] == [True, False]
    assert set(specs) == {"in_channels", "out_channels", "kernel_size", "input_size",
                          "depth_multiplier", "log_scale"}  # fmt: skip
    assert len(GRID) == 13 * 13 * 7 * 6 * 4


@pytest.fixture(scope="module")
def conv_costs():
    """GRID state -> (params, macs) as ct.conv_cost gives them; every output is H x H.

    The counts come through layer_costs (the widget's own calls to conv_cost). conv_cost
    is a pure function, so a call with the same arguments is made once: the depth-wise
    layer's (C_in, C_in·M, k, H, M) is the same for every C_out."""
    from convtutor.widgets import cost_calculator as cost

    conv_cost_once = functools.cache(cost.conv_cost)
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cost, "conv_cost", conv_cost_once)
        for c, o, k, h, m in GRID:
            costs = layer_costs(c, o, k, h, m)
            assert all(costs[kind].output_size == (h, h) for kind in ct.KINDS)
            out[c, o, k, h, m] = (
                [costs[kind].params for kind in ct.KINDS],
                [costs[kind].macs for kind in ct.KINDS],
            )
    return out


def test_formula_counts_equal_pytorch_on_the_whole_grid(monkeypatch):
    """What the page says ('PyTorch agrees ... for every setting'): all 4,732 settings,
    each counted by torch_parameter_counts from real torch.nn layers.

    A layer recurs in many settings (the depth-wise one in every C_out's), so each is
    built by torch.nn.Conv2d with those arguments once and handed out again; never twice
    to one setting (the j-th alike layer a setting asks for is the j-th one built), so no
    two of a setting's layers are one module."""
    import torch

    conv2d, built, asked = torch.nn.Conv2d, {}, collections.Counter()

    def conv2d_built_once(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        alike = built.setdefault(key, [])
        if asked[key] == len(alike):
            alike.append(conv2d(*args, **kwargs))
        asked[key] += 1
        return alike[asked[key] - 1]

    monkeypatch.setattr(torch.nn, "Conv2d", conv2d_built_once)
    checked = 0
    for c, o, k, m in itertools.product(CHANNEL_CHOICES, CHANNEL_CHOICES, KERNELS, MULTIPLIERS):
        params, _ = formula_costs(c, o, k, 7, m)
        asked.clear()
        torch_counts = torch_parameter_counts.__wrapped__(c, o, k, m)  # past its cache
        assert params == [torch_counts[kind] for kind in ct.KINDS], (c, o, k, m)
        checked += 1
    assert checked == 4732
    assert all(type(layer) is conv2d for alike in built.values() for layer in alike)


def test_bytes_moved_stay_exact_in_javascript_numbers(monkeypatch):
    """convtutor.conv_memory's bytes (float32), which the page's formulaBytes must give
    (test_module_equals_python_on_the_whole_grid), stay below 2^53 on the whole grid;
    the separable pair's maps are C_in·M·H² values. Each conv_memory call with the same
    arguments is made once (a pure function)."""
    from convtutor.widgets import cost_calculator as cost

    monkeypatch.setattr(cost, "conv_memory", functools.cache(cost.conv_memory))
    for c, o, k, h, m in GRID:
        memory = layer_memory(c, o, k, h, m)
        assert formula_bytes(c, o, k, h, m) == [memory[kind].total for kind in ct.KINDS]
        assert memory["separable"].intermediate == 4 * c * m * h * h
    assert max(max(formula_bytes(*g)) for g in GRID) < MAX_SAFE_INTEGER


def test_memory_column_and_sentence():
    """MobileNet's 512 -> 512, 3x3, 14x14 layer: 10,240,000 bytes against 2,672,640; the
    header and the sentence are Python's, shipped to the page in meta["text"]."""
    w = CostCalculator(512, 512, 3, 14)
    v = w.view()
    rows = v["panels"][0]["cells"]
    assert rows[0][4]["text"] == MEMORY_HEADER == w.meta["text"]["memory_header"]
    assert w.meta["text"]["memory"] == MEMORY_TEXT
    assert [r[4]["text"] for r in rows[1:]] == ["10,240,000", "821,248", "1,851,392", "2,672,640"]
    assert v["texts"]["memory"] == (
        "Bytes moved, in float32 (4 bytes a value), each value once: a layer reads its input "
        "(401,408 bytes) and its weights and writes its output; the separable pair also "
        "writes its depth-wise maps and reads them back (401,408 bytes each way). Standard "
        "10,240,000 bytes, separable 2,672,640: separable ÷ standard = 0.261 for bytes, "
        "0.1131 for MACs."
    )
    assert w.memory["standard"].total == 10_240_000
    slots = ["input", "intermediate", "standard", "separable", "ratio", "macs_ratio"]
    assert "{" not in fill_template(MEMORY_TEXT, **dict.fromkeys(slots, "1"))


def test_counts_stay_exact_in_javascript_numbers():
    """Every integer the page forms is below 2^53, so doubles hold it exactly."""
    largest = 0
    for c, o, k, h, m in GRID:
        params, macs = formula_costs(c, o, k, h, m)
        # the largest products the module forms: MACs, the bar length times a value,
        # and (standard - separable) * 100
        largest = max(largest, *macs, BAR_LENGTH * max(macs), abs(params[0] - params[3]) * 100)
    assert largest < MAX_SAFE_INTEGER
    assert largest == BAR_LENGTH * 512 * 512 * 49 * 224 * 224  # the standard 512 -> 512, 7x7


def test_ratio_is_the_formula_and_the_same_for_macs():
    """separable / standard = M (1/C_out + 1/k²), for parameters and MACs alike."""
    for c, o, k, h, m in GRID:
        params, macs = formula_costs(c, o, k, h, m)
        ratio = params[3] / params[0]
        assert math.isclose(ratio, m * (1 / o + 1 / k**2), rel_tol=1e-12)
        assert macs[3] * params[0] == params[3] * macs[0]


def check_rounding(x: float, text: str, digits: int) -> None:
    """``text`` is ``x`` to ``digits`` significant digits: Python's own ``.{digits}g`` text,
    or, where ``x`` is an exact tie, the tie rounded up (toPrecision's way)."""
    exact, shown = Decimal(x), Decimal(text)
    unit = Decimal(1).scaleb(exact.adjusted() - digits + 1)  # the last digit shown
    assert abs(shown - exact) <= unit / 2, (x, text)
    if text != f"{x:.{digits}g}":
        assert abs(shown - exact) == unit / 2 and shown > exact, (x, text)


def test_significant_rounds_every_number_shown_on_the_grid():
    """Every ratio, formula value and percentage shown is correctly rounded to 4 digits
    (the 'times fewer' to 3): Python's format's own text but at exact ties."""
    numbers, fewer = set(), set()
    for c, o, k, m in itertools.product(CHANNEL_CHOICES, CHANNEL_CHOICES, KERNELS, MULTIPLIERS):
        params, _ = formula_costs(c, o, k, 7, m)
        st, sp = params[0], params[3]
        numbers |= {sp / st, m * (1 / o + 1 / (k * k))}
        if sp < st:
            numbers |= {100 * (sp / st), (st - sp) * 100 / st}
            fewer.add(st / sp)
    assert len(numbers) > 700 and len(fewer) > 200
    ties = 0
    for x in numbers:
        check_rounding(x, format_significant(x), 4)
        ties += format_significant(x) != f"{x:.4g}"
    for x in fewer:
        check_rounding(x, format_significant(x, 3), 3)
    assert ties > 0  # e.g. 17 / 16 = 1.0625 -> 1.063 (Python: 1.062)


def test_significant_rounds_ties_up_as_javascript_does():
    """An exact tie (1.0625) rounds up, as toPrecision does (Python's format: to even)."""
    assert format_significant(1.0625) == "1.063" and f"{1.0625:.4g}" == "1.062"
    assert format_significant(9.99996) == "10" and format_significant(0.5) == "0.5"


def exact_log_length(v: int, top: int) -> int:
    """floor(L ln(2v) / ln(2 top)) in exact arithmetic: the largest n <= L with
    (2 top)^n <= (2v)^L, in Python's integers (at least 1, as a bar)."""
    power, base, n = 1, 2 * top, 0
    target = (2 * v) ** BAR_LENGTH
    while n < BAR_LENGTH and power * base <= target:
        power *= base
        n += 1
    return max(1, n)


@pytest.mark.grid
def test_log_bar_lengths_are_exact_on_the_whole_grid():
    """Every log bar the page can draw has the exact length: no logarithm on the page
    (it sums Python's logarithms of primes, LOG_PRIMES), no tolerance. Equal counts
    give the same sum, so the longest bars, and bars as long as them, are BAR_LENGTH."""
    pairs = set()
    for g in GRID:
        for values in formula_costs(*g):
            pairs |= {(v, max(values)) for v in values}
    assert len(pairs) > 25_000
    for v, top in pairs:
        assert bar_lengths([v, top], log=True)[0] == exact_log_length(v, top), (v, top)


def test_log_count_sums_the_logarithms_of_primes():
    """log_count(n) is n's prime factorisation read through LOG_PRIMES; the primes are
    every prime up to 7² + 512, the largest factor a count can have (k² + C_out)."""
    primes = [p for p, _ in LOG_PRIMES]
    assert primes[:5] == [2, 3, 5, 7, 11] and primes[-1] == 557 and len(primes) == 102
    assert all(ln == math.log(p) for p, ln in LOG_PRIMES)
    assert log_count(1) == 0 and log_count(12) == 2 * math.log(2) + math.log(3)
    assert math.isclose(log_count(2 * 9800), math.log(2 * 9800), rel_tol=1e-15)
    with pytest.raises(ValueError, match="prime factors up to 557 only; 563 is left"):
        log_count(2 * 563)


def test_bar_lengths():
    """Bars are proportional on a linear scale, at least 1 px, and logarithmic when asked."""
    assert bar_lengths([10, 5, 1, 10], log=False) == [BAR_LENGTH, BAR_LENGTH // 2, 37, BAR_LENGTH]
    assert bar_lengths([1, 10**12], log=False) == [1, BAR_LENGTH]  # never less than 1 px
    log = bar_lengths([1, 2, 4, 8], log=True)
    assert log[-1] == BAR_LENGTH and log[0] == math.floor(BAR_LENGTH / 4)


COLOURS = np.hstack([PALETTE, np.full((len(PALETTE), 1), 255, np.uint8)]).view(np.uint32)[:, 0]
BAR_TOPS = [BAR_PAD + i * (BAR_HEIGHT + BAR_GAP) for i in range(4)]  # each bar's first row
NO_BARS = np.full((BAR_CANVAS_HEIGHT, BAR_CANVAS_WIDTH), COLOURS[0], np.uint32)
NO_BARS[:, 0] = COLOURS[1]  # white, the axis at x = 0


@functools.lru_cache(maxsize=64)
def bars_with(lengths: tuple) -> np.ndarray:
    """The one picture (RGBA colours as 32-bit words) whose bars have these lengths:
    white, the axis at x = 0, bar i in its colour from x = 1 over its rows, white after it."""
    assert all(0 <= length < BAR_CANVAS_WIDTH for length in lengths)
    pixels = NO_BARS.copy()
    for i, (top, length) in enumerate(zip(BAR_TOPS, lengths, strict=True)):
        pixels[top : top + BAR_HEIGHT, 1 : 1 + length] = COLOURS[2 + i]
    return pixels


def read_bars(rgba) -> list:
    """The lengths of the four bars a picture shows, checked pixel by pixel: white, the
    axis at x = 0, bar i in its colour from x = 1 over its rows, white after it.

    A bar's length is the count of its colour on its first row; then every pixel must be
    that of the one picture with bars of those lengths."""
    assert rgba.shape == (BAR_CANVAS_HEIGHT, BAR_CANVAS_WIDTH, 4)
    pixels = np.ascontiguousarray(rgba).view(np.uint32)[..., 0]  # one RGBA colour each
    lengths = (pixels[BAR_TOPS, 1:] == COLOURS[2:6, None]).sum(axis=1).tolist()
    assert (pixels == bars_with(tuple(lengths))).all(), lengths
    return lengths


def shows_bars(rgba, lengths: tuple) -> bool:
    """``read_bars(rgba) == lengths``, in one comparison: the picture is, pixel for pixel,
    the one picture with bars of these lengths (the only one read_bars reads so)."""
    assert rgba.shape == (BAR_CANVAS_HEIGHT, BAR_CANVAS_WIDTH, 4)
    pixels = np.ascontiguousarray(rgba).view(np.uint32)[..., 0]
    return bool((pixels == bars_with(lengths)).all())


def said(rgba) -> str:
    """What read_bars makes of a picture (for a failure's message)."""
    try:
        return f"but the bars read {read_bars(rgba)}"
    except AssertionError as error:
        return f"but it is not a picture of bars: {error}"


@pytest.mark.grid
def test_view_equals_conv_cost_on_the_whole_grid(calculator, conv_costs):
    """What view shows (table, bars, texts) for every state, against ct.conv_cost."""
    names = [name for name, _, _ in KIND_STYLES]
    # pure functions of the numbers: each number is worked out once (a state's
    # parameters recur at every input size and on both scales)
    lengths_of = functools.cache(lambda values, log: tuple(bar_lengths(values, log)))
    significant_of = functools.cache(format_significant)
    for (c, o, k, h, m), log in itertools.product(GRID, (True, False)):
        view = calculator.view(state_of(c, o, k, h, m, log))
        params, macs = conv_costs[c, o, k, h, m]
        table, params_bars, macs_bars = view["panels"]
        rows = table["cells"][1:]
        assert [r[0]["text"] for r in rows] == names
        assert [int(r[2]["text"].replace(",", "")) for r in rows] == params
        assert [int(r[3]["text"].replace(",", "")) for r in rows] == macs
        for values, bars in ((params, params_bars["rgba"]), (macs, macs_bars["rgba"])):
            lengths = lengths_of(tuple(values), log)
            assert shows_bars(bars, lengths), f"{(c, o, k, h, m, log)}: {lengths}, {said(bars)}"
        texts = view["texts"]
        ratio = params[3] / params[0]
        assert f"{params[3]:,} ÷ {params[0]:,} = {significant_of(ratio)}," in texts["ratio"]
        assert texts["formula"].endswith(f" = {significant_of(m * (1 / o + 1 / k**2))}.")
        assert f"every output is {h}×{h}" in texts["size"]


def test_the_article_layer_and_its_texts():
    """10 -> 20, 7x7: 9,800 weights (not 2,800); separable 490 + 200 = 690."""
    w = CostCalculator()
    v = w.view()
    rows = v["panels"][0]["cells"]
    assert [c["text"] for c in rows[1]] == [
        "standard", "10·20·7²", "9,800", "30,732,800", "415,520"
    ]  # fmt: skip
    assert [c["text"] for c in rows[4]] == [
        "separable", "10·7² + 10·20", "690", "2,163,840", "629,960"
    ]  # fmt: skip
    t = v["texts"]
    assert t["ratio"] == (
        "separable ÷ standard = 690 ÷ 9,800 = 0.07041, for parameters and for MACs alike."
    )
    assert t["formula"] == "The formula: 1/C_out + 1/k² = 1/20 + 1/7² = 0.07041."
    assert t["saving"] == (
        "The ratio is the share of the cost a separable layer keeps: 7.041%. It saves one "
        "minus the ratio: 92.96% (14.2× fewer)."
    )
    assert t["sum"] == "separable = depth-wise + point-wise: 490 + 200 = 690 parameters."
    assert "× 3,136" in t["size"]


def test_mobilenet_layer():
    """MobileNet v1's 3x3, 512 -> 512 on 14x14: 462 million vs 52.3 million MACs."""
    w = CostCalculator(512, 512, 3, 14)
    rows = w.view()["panels"][0]["cells"]
    assert rows[1][3]["text"] == "462,422,016" and rows[4][3]["text"] == "52,283,392"
    assert "(8.84× fewer)" in w.view()["texts"]["saving"]


def test_saving_text_when_separable_costs_as_much_or_more():
    """The saving text says so when the separable layer saves nothing or costs more."""
    w = CostCalculator(in_channels=3, out_channels=4, kernel_size=2, depth_multiplier=2)
    params = formula_costs(3, 4, 2, 56, 2)[0]
    assert params[0] == params[3]  # 2 (1/4 + 1/2²) = 1
    assert "here all of it, so it saves nothing" in w.view()["texts"]["saving"]
    w.set(out_channels=1, kernel_size=1, depth_multiplier=4)
    assert "above 1: the separable layer costs 8× as much" in w.view()["texts"]["saving"]
    assert "C_in·M = 12 channels, not 3" in w.view()["texts"]["sum"]


def test_notebook_04_calculator():
    """What notebook 04 reads: .costs (conv_cost) and .torch_counts (PyTorch)."""
    calc = CostCalculator(in_channels=3, out_channels=3, kernel_size=3)
    assert {k: calc.costs[k].params for k in ("standard", "separable")} == {
        "standard": 81,
        "separable": 36,
    }
    assert calc.torch_counts["standard"] == 81 and calc.torch_counts["separable"] == 36
    calc.set(out_channels=64)
    assert calc.costs["standard"].params == 3 * 64 * 9 == calc.torch_counts["standard"]


def test_menus_from_the_page_become_numbers():
    """A <select> hands the page text; normalise (both sides) makes it a number or a flag."""
    w = CostCalculator()
    s = w.normalise({**w.state, "in_channels": "64", "log_scale": "false"}, "in_channels")
    assert s["in_channels"] == 64 and s["log_scale"] is False
    assert w.normalise({**w.state, "log_scale": "true"}, "log_scale")["log_scale"] is True


def test_kept_helpers():
    """The ratio helpers write the ratio and the formula with convtutor's numbers."""
    assert ratio_text(10, 20, 7, 1, 690 / 9800) == (
        "separable ÷ standard = 0.07041 (parameters and MACs alike); "
        "formula 1/C_out + 1/k² = 1/20 + 1/7² = 0.07041"
    )
    assert ratio_line(3, 3, 3, 2, 72 / 81).endswith("= 2·(1/3 + 1/3²)")


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"nope": 1}, ValueError, ["no control named 'nope'", "'in_channels'"]),
        ({"in_channels": 5}, ValueError, ["in_channels must be one of", "512", "got 5"]),
        ({"in_channels": "10"}, TypeError, ["in_channels must be a whole number", "'10'"]),
        ({"out_channels": 10.0}, TypeError, ["out_channels must be a whole number", "10.0"]),
        ({"input_size": 50}, ValueError, ["input_size must be one of", "224", "got 50"]),
        ({"kernel_size": 8}, ValueError, ["kernel_size must be between 1 and 7", "8"]),
        ({"kernel_size": "3"}, TypeError, ["kernel_size must be a number", "'3'"]),
        ({"depth_multiplier": 0}, ValueError, ["depth_multiplier must be between 1 and 4"]),
        ({"log_scale": 1}, TypeError, ["log_scale must be True or False", "1"]),
    ],
)
def test_bad_values_name_the_control_and_keep_the_state(values, error, words):
    """A bad control value is refused with a message naming it; the state stays."""
    assert_refused(CostCalculator(), values, error, words)


def test_bad_keyword_at_construction_names_it():
    """A constructor keyword out of range raises an error naming it."""
    with pytest.raises(ValueError, match="kernel_size must be between 1 and 7; got 9"):
        CostCalculator(kernel_size=9)
    with pytest.raises(ValueError, match="out_channels must be one of"):
        CostCalculator(out_channels=7)


def test_fits_840_pixels(calculator):
    """Two bar charts side by side (and their frames' padding) fit 840 px."""
    bars = [p for p in calculator.view()["panels"] if "rgba" in p]
    assert sum(p["rgba"].shape[1] * p["scale"] + 8 for p in bars) + 18 <= 840


def test_png_fallback_is_a_picture():
    """Displaying the widget also gives a PNG picture of it."""
    assert_png_fallback(CostCalculator())


def test_module_import_does_not_import_torch():
    """Importing the cost widget's module does not import torch."""
    code = "import sys, convtutor.widgets.cost_calculator; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"MPLBACKEND": "Agg", "PATH": ""},
    )  # fmt: skip
    assert result.stdout.strip() == "False"


# ---- the module, in Node, over the whole grid -------------------------------------------
@pytest.mark.grid
@needs_node
def test_module_equals_python_on_the_whole_grid(calculator, tmp_path):
    """cost_calculator.js's describe (counts, table, texts, bar lengths on both scales)
    equals Python's for every state; its normalise and pixels are checked too. Python's
    counts and bytes are convtutor.conv_cost's and conv_memory's: this test holds the
    page's formulaCosts and formulaBytes equal to them.

    The module builds the grid from the controls (in GRID's order); the fixture holds
    Python's describe of each state, one JSON line each, as JSON.stringify writes it."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    every = 97  # the table's colours are the same in every state: check them in some
    head = {"meta": calculator.meta, "palette": PALETTE.tolist(), "controls": calculator.controls,
            "order": GRID_ORDER, "colours_every": every}  # fmt: skip
    lines = [encode(head)]
    for i, g in enumerate(GRID):
        d = describe(state_of(*g))
        if i % every:
            d["cells"] = [[cell["text"] for cell in row] for row in d["cells"]]
        lines.append(encode(d))
    fixture = tmp_path / "cost_calculator_grid.jsonl"
    fixture.write_text("\n".join(lines), encoding="utf-8")
    run_node(["cost_calculator.test.mjs"], {"CONVTUTOR_COST_FIXTURE": str(fixture)}, passed=2)
