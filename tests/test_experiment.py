"""Tests for convtutor.experiment (notebooks 06-07) and its exercise checks."""

import subprocess
import sys

import numpy as np
import pytest

import convtutor as ct
from convtutor import experiment as ex
from convtutor.checks import experiments as chk

torch = pytest.importorskip("torch")

SMALL = {"epochs": 3, "batch_size": 16, "progress": False, "widths": (4, 8)}


@pytest.fixture(scope="module")
def tiny_data():
    return ex.make_dataset(32, size=8, seed=3), ex.make_dataset(16, size=8, seed=4)


# ----------------------------------------------------------------- import


def test_experiment_import_does_not_import_torch():
    """Importing convtutor.experiment and its checks leaves torch unimported."""
    code = (
        "import sys, convtutor.experiment, convtutor.checks.experiments; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------- data


def test_dataset_is_deterministic_for_a_seed():
    """The same seed gives identical images and labels; another seed gives other images."""
    x1, y1 = ex.make_dataset(40, seed=5)
    x2, y2 = ex.make_dataset(40, seed=5)
    x3, _ = ex.make_dataset(40, seed=6)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("n", [4, 40, 42])
def test_dataset_shapes_and_balanced_labels(n):
    """Images are (n, 3, size, size) float32 and class counts differ by at most one."""
    x, y = ex.make_dataset(n, size=12, seed=0)
    assert x.shape == (n, 3, 12, 12) and x.dtype == np.float32
    assert y.dtype == np.int64 and set(np.unique(y)) <= {0, 1, 2, 3}
    counts = np.bincount(y, minlength=4)
    assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_dataset_colour_pattern_needs_two_channels():
    """Without noise, red equals green in 'together' classes and red = -green in 'against'."""
    x, y = ex.make_dataset(16, seed=2, noise=0.0)
    red, green = x[:, 0].astype(np.float64), x[:, 1].astype(np.float64)
    together = y % 2 == 0
    assert np.allclose(red[together], green[together], atol=1e-6)
    assert np.allclose(red[~together] + green[~together], 0.0, atol=1e-6)
    # each channel alone has the same spread in both patterns: no single-channel shortcut
    assert abs(red[together].std() - red[~together].std()) < 0.05


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"n": 3}, ValueError), ({"n": 2.5}, TypeError), ({"n": 8, "noise": -1}, ValueError)],
)
def test_dataset_rejects_bad_arguments(kwargs, error):
    """Bad n or noise raises an error naming the argument."""
    with pytest.raises(error, match="n|noise"):
        ex.make_dataset(**kwargs)


# ----------------------------------------------------------------- models


@pytest.mark.parametrize("kind", ex.MODEL_KINDS)
@pytest.mark.parametrize("widths", [(16, 32, 32), (4, 8), (5,)])
def test_parameter_count_equals_conv_cost_prediction(kind, widths):
    """sum(p.numel()) of each model equals the conv_cost(bias=True) sum plus the linear head."""
    model = ex.build_model(kind, widths)
    counted = sum(p.numel() for p in model.parameters())
    by_hand = 0
    c_in = 3
    for c_out in widths:
        by_hand += ct.conv_cost(kind, c_in, c_out, 3, bias=True).params
        c_in = c_out
    by_hand += c_in * 4 + 4
    assert counted == ex.predicted_params(kind, widths) == by_hand


def test_default_models_have_documented_counts():
    """The default networks hold 14,468 (standard) and 2,306 (separable) parameters."""
    assert [sum(p.numel() for p in ex.build_model(k).parameters()) for k in ex.MODEL_KINDS] == [
        14468,
        2306,
    ]


def test_models_have_same_depth_and_widths():
    """Both models map a batch to (N, 4) logits with the same channels after every block."""
    x = torch.zeros(2, 3, 16, 16)
    shapes = {}
    for kind in ex.MODEL_KINDS:
        model = ex.build_model(kind)
        out, seen = x, []
        for layer in model:
            out = layer(out)
            if isinstance(layer, torch.nn.ReLU):
                seen.append(tuple(out.shape))
        shapes[kind] = seen
        assert out.shape == (2, 4)
    assert (
        shapes["standard"] == shapes["separable"] == [(2, 16, 16, 16), (2, 32, 8, 8), (2, 32, 4, 4)]
    )


def test_separable_blocks_are_depthwise_then_pointwise():
    """Each separable block is a groups=C_in k x k convolution followed by a 1x1 convolution."""
    convs = [m for m in ex.build_model("separable") if isinstance(m, torch.nn.Conv2d)]
    for dw, pw in zip(convs[::2], convs[1::2], strict=True):
        assert dw.groups == dw.in_channels == dw.out_channels and dw.kernel_size == (3, 3)
        assert pw.groups == 1 and pw.kernel_size == (1, 1) and pw.in_channels == dw.out_channels


def test_bad_kind_is_rejected():
    """An unknown network kind raises ValueError listing the valid ones."""
    with pytest.raises(ValueError, match="standard"):
        ex.build_model("depthwise")


# ----------------------------------------------------------------- training


@pytest.mark.parametrize("kind", ex.MODEL_KINDS)
def test_training_lowers_the_loss(kind):
    """A few epochs of training lower the training loss of either network."""
    data = ex.make_dataset(64, size=12, seed=0, noise=0.2)
    val = ex.make_dataset(16, size=12, seed=1, noise=0.2)
    h = ex.train(kind, data, val, seed=0, epochs=6, batch_size=16, progress=False, widths=(8, 8))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        untrained = ex.build_model(kind, (8, 8))
    initial, _ = ex._evaluate(untrained, torch.as_tensor(data[0]), torch.as_tensor(data[1]))
    assert h.train_loss[-1] < initial


def test_same_seed_gives_identical_curves(tiny_data):
    """Training twice with one seed gives exactly equal loss and accuracy curves."""
    train, val = tiny_data
    a = ex.train("separable", train, val, seed=7, **SMALL)
    b = ex.train("separable", train, val, seed=7, **SMALL)
    assert a.curves() == b.curves()
    assert len(a.train_loss) == SMALL["epochs"]


def test_different_seeds_give_different_curves(tiny_data):
    """Two seeds give different curves (different initial weights and batch order)."""
    train, val = tiny_data
    a = ex.train("standard", train, val, seed=0, **SMALL)
    b = ex.train("standard", train, val, seed=1, **SMALL)
    assert a.curves() != b.curves()


def test_training_restores_global_torch_state(tiny_data):
    """train() leaves the caller's random state, thread count and determinism flag unchanged."""
    train, val = tiny_data
    torch.manual_seed(123)
    before = torch.get_rng_state()
    threads = torch.get_num_threads()
    flag = torch.are_deterministic_algorithms_enabled()
    ex.train("standard", train, val, seed=0, threads=1, **SMALL)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == flag


def test_run_experiment_and_gaps():
    """run_experiment trains each kind per seed; final_gaps is the last train - val gap."""
    res = ex.run_experiment(n_train=16, n_val=8, seeds=(0, 1), size=8, **SMALL)
    assert set(res) == set(ex.MODEL_KINDS)
    for hs in res.values():
        assert [h.seed for h in hs] == [0, 1]
        expected = [h.train_acc[-1] - h.val_acc[-1] for h in hs]
        assert np.allclose(ex.final_gaps(hs), expected)
        loss = [h.val_loss[-1] - h.train_loss[-1] for h in hs]
        assert np.allclose(ex.final_gaps(hs, measure="loss"), loss)


@pytest.mark.parametrize(
    ("std", "sep", "verdict"),
    [
        ([0.3, 0.25, 0.28], [0.1, 0.12, 0.08], "held"),
        ([0.1, 0.12, 0.08], [0.3, 0.25, 0.28], "reversed"),
        ([0.3, 0.1, 0.2], [0.15, 0.12, 0.18], "inconclusive"),
        ([0.2], [0.2], "inconclusive"),
    ],
)
def test_compare_gaps_verdicts(std, sep, verdict):
    """compare_gaps says 'held' or 'reversed' only when the seed ranges do not overlap."""
    result = ex.compare_gaps(std, sep)
    assert result["verdict"] == verdict
    assert result["difference"] == pytest.approx(np.mean(std) - np.mean(sep))


def test_compare_gaps_rejects_empty():
    """An empty set of gaps raises ValueError naming it."""
    with pytest.raises(ValueError, match="gaps_separable"):
        ex.compare_gaps([0.1], [])


# ----------------------------------------------------------------- speed helpers


def test_arithmetic_intensity_of_depthwise_is_below_k2_over_8():
    """Depth-wise float32 intensity is MACs / bytes and stays below k^2 / 8."""
    for k in (3, 5, 7):
        macs, moved, ai = ex.arithmetic_intensity("depthwise", 32, k, 16)
        assert macs == ct.conv_cost("depthwise", 32, 32, k, 16, padding=k // 2).macs
        assert moved == 4 * (2 * 32 * 16 * 16 + 32 * k * k)
        assert ai == pytest.approx(macs / moved) and ai < k * k / 8
    assert (
        ex.arithmetic_intensity("standard", 64, 3, 16)[2]
        > 10 * ex.arithmetic_intensity("depthwise", 64, 3, 16)[2]
    )


def test_time_layers_rows_carry_conv_cost_ratios():
    """time_layers returns positive times and the MAC ratio that conv_cost predicts."""
    rows = ex.time_layers((8,), (3,), size=8, min_run_time=0.01, progress=False)
    (row,) = rows
    assert all(row[f"t_{n}"] > 0 for n in ("standard", "depthwise", "separable"))
    expected = (
        ct.conv_cost("standard", 8, 8, 3, 8, padding=1).macs
        / ct.conv_cost("separable", 8, 8, 3, 8, padding=1).macs
    )
    assert row["mac_ratio"] == pytest.approx(expected)
    assert row["speedup"] == pytest.approx(row["t_standard"] / row["t_separable"])


def test_time_filters_predicts_k_over_2():
    """time_filters reports the predicted k/2 speed-up and positive times."""
    rows = ex.time_filters((3, 7), size=32, repeats=1, min_run_time=0)
    assert [r["predicted"] for r in rows] == [1.5, 3.5]
    assert all(r["t_2d"] > 0 and r["t_two_pass"] > 0 for r in rows)


# ----------------------------------------------------------------- checks


def _history(train_acc, val_acc, train_loss=(1.0, 0.5), val_loss=(1.1, 0.9)):
    h = ex.History("standard", 0, 10, 1)
    h.train_acc, h.val_acc = list(train_acc), list(val_acc)
    h.train_loss, h.val_loss = list(train_loss), list(val_loss)
    return h


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (0.25, True, "over-fits"),
        (-0.25, False, "sign"),
        (25, False, "percent"),
        (0.4, False, "loss gap"),
        (0.1, False, "FIRST"),
        (0.7, False, "last entries"),
        ("0.25", False, "one number"),
    ],
)
def test_check_gap(answer, ok, hint):
    """check_gap accepts train - val at the last epoch and names each likely mistake."""
    fb = chk.check_gap(answer, _history([0.5, 0.95], [0.4, 0.70]))
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        ("inconclusive", True, "overlap"),
        (" Inconclusive ", True, "overlap"),
        ("held", False, "seed 0 only"),
        ("reversed", False, "overlap?"),
        (3, False, "'held'"),
    ],
)
def test_check_seed_reading(answer, ok, hint):
    """check_seed_reading wants 'inconclusive' and warns against reading one seed."""
    fb = chk.check_seed_reading(answer)
    assert bool(fb) is ok and hint in fb.message


def test_seed_puzzle_agrees_with_compare_gaps():
    """The puzzle's right answer is what compare_gaps says about the same numbers."""
    verdict = ex.compare_gaps(chk.SEED_PUZZLE["standard"], chk.SEED_PUZZLE["separable"])
    assert verdict["verdict"] == "inconclusive"
    assert chk.check_seed_reading(verdict["verdict"])


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (1376, True, "1376"),
        (1312, False, "weights only"),
        (1344, False, "One bias vector"),
        (9248, False, "standard"),
        (320, False, "depth-wise step alone"),
        (1056, False, "point-wise step alone"),
        (1000, False, "four terms"),
        ("1376", False, "whole number"),
    ],
)
def test_check_block_params(answer, ok, hint):
    """check_block_params wants both steps' weights and biases and names each omission."""
    fb = chk.check_block_params(answer)
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [
        (1 / (1 / 64 + 1 / 9), True, "cancels"),
        (7.89, True, "cancels"),
        (1 / 64 + 1 / 9, False, "FEWER"),
        (9, False, "depth-wise step"),
        (64, False, "point-wise step"),
        (2.0, False, "Divide"),
        (None, False, "one number"),
    ],
)
def test_check_mac_ratio(answer, ok, hint):
    """check_mac_ratio wants standard / separable MACs and spots the usual slips."""
    fb = chk.check_mac_ratio(answer)
    assert bool(fb) is ok and hint in fb.message


def _intensity_parts(c=64, k=3, s=32):
    macs = c * k * k * s * s
    return macs, c * s * s, c * k * k


@pytest.mark.parametrize(
    ("which", "ok", "hint"),
    [
        ("right", True, "memory"),
        ("no_weights", True, "memory"),
        ("flops", False, "FLOPs"),
        ("no_output", False, "written too"),
        ("values", False, "4 bytes"),
        ("bits", False, "bits"),
        ("other", False, "Divide MACs"),
    ],
)
def test_check_intensity(which, ok, hint):
    """check_intensity wants MACs per byte with input, output and weights counted."""
    macs, values, weights = _intensity_parts()
    good = macs / (4 * (2 * values + weights))
    answer = {
        "right": good,
        "no_weights": macs / (4 * 2 * values),
        "flops": 2 * good,
        "no_output": macs / (4 * (values + weights)),
        "values": macs / (2 * values + weights),
        "bits": good / 8,
        "other": 100.0,
    }[which]
    assert ex.arithmetic_intensity("depthwise", 64, 3, 32)[2] == pytest.approx(good)
    fb = chk.check_intensity(answer)
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [("b", True, "best case"), ("B", True, "best case"), ("a", False, "trap"),
     ("c", False, "pessimistic"), ("d", False, "'a', 'b' or 'c'")],
)  # fmt: skip
def test_check_speed_claim(answer, ok, hint):
    """check_speed_claim rejects 'fewer MACs => proportionally faster' and 'always slower'."""
    fb = chk.check_speed_claim(answer)
    assert bool(fb) is ok and hint in fb.message


@pytest.mark.parametrize(
    ("answer", "ok", "hint"),
    [(4.5, True, "81"), (9, False, "Two passes"), (2 / 9, False, "Upside down"),
     (63, False, "difference"), (3, False, "k + k"), ([4.5], False, "one number")],
)  # fmt: skip
def test_check_two_pass(answer, ok, hint):
    """check_two_pass wants k^2 / (2k) and names the forgotten pass, inversion or difference."""
    fb = chk.check_two_pass(answer)
    assert bool(fb) is ok and hint in fb.message


def test_he_initialisation():
    """Conv biases start at 0; weights have std sqrt(gain^2 / fan_in) (ReLU gain 2, else 1)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = ex.build_model("separable", (64, 64))
    modules = list(model)
    for i, m in enumerate(modules):
        if isinstance(m, torch.nn.Conv2d):
            assert torch.count_nonzero(m.bias) == 0
            fan_in = m.weight[0].numel()
            gain2 = 2.0 if isinstance(modules[i + 1], torch.nn.ReLU) else 1.0
            expected = (gain2 / fan_in) ** 0.5
            assert abs(m.weight.std().item() / expected - 1) < 0.2


@pytest.mark.parametrize("kind", ex.MODEL_KINDS)
def test_standard_first_block_counts(kind):
    """With standard_first, block 1 is a standard conv and the count still matches conv_cost."""
    model = ex.build_model(kind, (8, 16), standard_first=True)
    first = next(m for m in model if isinstance(m, torch.nn.Conv2d))
    assert first.groups == 1 and first.kernel_size == (3, 3) and first.out_channels == 8
    expected = (
        ct.conv_cost("standard", 3, 8, 3, bias=True).params
        + ct.conv_cost(kind, 8, 16, 3, bias=True).params
        + 16 * 4
        + 4
    )
    counted = sum(p.numel() for p in model.parameters())
    assert counted == ex.predicted_params(kind, (8, 16), standard_first=True) == expected


# ----------------------------------------------------------------- notebook 06's conclusion


def _conclusion(std_gap, sep_gap, std_val, sep_val, std_train, sep_train, big_std, big_sep):
    """Run notebook 06's summary helper and conclusion cell on made-up final numbers."""
    import time
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "06_overfitting_experiment.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    helpers = next(s for s in code if s.startswith("def pm(")).split("def summary")[0]
    cell = next(s for s in code if "**Setting.**" in s)
    seeds = tuple(range(len(std_gap)))
    shown = []
    ns = {
        "np": np,
        "ex": ex,
        "time": time,
        "start_of_notebook": time.perf_counter(),
        "QUICK": False,
        "N_TRAIN": 128,
        "N_VAL": 256,
        "EPOCHS": 30,
        "SEEDS": seeds,
        "BIGGER_N_TRAIN": 256,
        "counted": {"standard": 14468, "separable": 2306},
        "ratio": 14468 / 2306,
        "Markdown": str,
        "display": shown.append,
    }
    exec(helpers, ns)
    a = np.asarray
    ns["final"] = {
        "standard": {"acc_gap": a(std_gap), "val_acc": a(std_val), "train_acc": a(std_train)},
        "separable": {"acc_gap": a(sep_gap), "val_acc": a(sep_val), "train_acc": a(sep_train)},
    }
    ns["verdict"] = ex.compare_gaps(std_gap, sep_gap)
    ns["by_size"] = {"standard": [a(std_gap), a(big_std)], "separable": [a(sep_gap), a(big_sep)]}
    ns["val_by_size"] = {"standard": [a(std_val)] * 2, "separable": [a(sep_val)] * 2}
    ns["bigger_verdict"] = ex.compare_gaps(big_std, big_sep)
    exec(cell, ns)
    return shown[0]


@pytest.mark.parametrize(
    ("numbers", "phrases"),
    [
        (  # held, but only because the separable net fits its training set less
            (
                [0.3, 0.28, 0.25],
                [0.1, 0.12, 0.08],
                [0.9, 0.91, 0.92],
                [0.6, 0.62, 0.63],
                [1, 1, 1],
                [0.7, 0.72, 0.71],
                [0.1, 0.12, 0.11],
                [0.1, 0.12, 0.11],
            ),
            ["claim held", "LOWER validation", "fits the training set less", "'inconclusive'"],
        ),
        (  # held, and better on new images
            (
                [0.3, 0.28, 0.25],
                [0.1, 0.12, 0.08],
                [0.6, 0.61, 0.62],
                [0.8, 0.82, 0.83],
                [0.9, 0.9, 0.9],
                [0.9, 0.92, 0.91],
                [0.3, 0.32, 0.31],
                [0.1, 0.12, 0.11],
            ),
            ["claim held", "HIGHER validation", "the same verdict"],
        ),
        (  # reversed, as in the default run of notebook 06
            (
                [0.08, 0.07, 0.1],
                [0.2, 0.21, 0.25],
                [0.92, 0.9, 0.93],
                [0.63, 0.62, 0.65],
                [1, 1, 1],
                [0.85, 0.86, 0.87],
                [0.04, 0.02, 0.06],
                [0.18, 0.2, 0.15],
            ),
            ["did not hold", "MORE on every seed", "training accuracy was lower too"],
        ),
        (  # overlapping ranges; a different verdict with more data
            (
                [0.2, 0.1, 0.15],
                [0.12, 0.18, 0.09],
                [0.8, 0.82, 0.81],
                [0.81, 0.8, 0.82],
                [1, 1, 1],
                [0.99, 1, 1],
                [0.1, 0.12, 0.11],
                [0.2, 0.22, 0.21],
            ),
            ["Inconclusive", "about the same", "a different verdict"],
        ),
        (  # one seed: an anecdote
            ([0.2], [0.1], [0.8], [0.7], [1], [0.8], [0.1], [0.05]),
            ["claim held", "1 seed per network", "single seed", "anecdote"],
        ),
    ],
)
def test_notebook_06_conclusion_follows_the_numbers(numbers, phrases):
    """Notebook 06's conclusion says held / reversed / inconclusive as the numbers say."""
    text = _conclusion(*numbers)
    for phrase in phrases:
        assert phrase in text, (phrase, text)
    for other in {"claim held", "did not hold", "Inconclusive"} - set(phrases):
        assert other not in text
