"""Tests for convtutor.experiment.overfitting: the networks, training and gaps of notebook 06."""

import numpy as np
import pytest

import convtutor as ct
from convtutor.experiment import data
from convtutor.experiment import overfitting as ex

torch = pytest.importorskip("torch")

SMALL = {"epochs": 3, "batch_size": 16, "progress": False, "widths": (4, 8)}


@pytest.fixture(scope="module")
def tiny_data():
    return data.make_dataset(32, size=8, seed=3), data.make_dataset(16, size=8, seed=4)


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


def test_separable_block_is_a_standard_convolution_with_w_equal_p_times_d():
    """Nothing sits between the two steps, so a block equals one conv with W[o, c] = P[o, c] D[c]
    and bias P b_D + b_P (the identity notebook 06 relies on), checked with non-zero biases."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        model = ex.build_model("separable", (6, 5))
        for m in model:
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.normal_(m.bias)
        x = torch.randn(2, 6, 8, 8)
    dw, pw = model[4], model[5]  # block 2: depth-wise 6 -> 6, then point-wise 6 -> 5
    assert dw.groups == 6 and pw.kernel_size == (1, 1)
    d, p = dw.weight.detach()[:, 0], pw.weight.detach()[:, :, 0, 0]
    w = p[:, :, None, None] * d[None]
    b = p @ dw.bias.detach() + pw.bias.detach()
    with torch.no_grad():
        assert torch.allclose(pw(dw(x)), torch.nn.functional.conv2d(x, w, b, padding=1), atol=1e-5)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in model)


def test_bad_kind_is_rejected():
    """An unknown network kind raises ValueError listing the valid ones."""
    with pytest.raises(ValueError, match="standard"):
        ex.build_model("depthwise")


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


# ----------------------------------------------------------------- training


@pytest.mark.parametrize("kind", ex.MODEL_KINDS)
def test_training_lowers_the_loss(kind):
    """A few epochs of training lower the training loss of either network."""
    train = data.make_dataset(64, size=12, seed=0, noise=0.2)
    val = data.make_dataset(16, size=12, seed=1, noise=0.2)
    h = ex.train(kind, train, val, seed=0, epochs=6, batch_size=16, progress=False, widths=(8, 8))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        untrained = ex.build_model(kind, (8, 8))
    initial, _ = ex._evaluate(untrained, torch.as_tensor(train[0]), torch.as_tensor(train[1]))
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
    original = torch.get_num_threads()
    torch.set_num_threads(2)  # not the 1 train() uses here, so a missed restore shows
    flag = torch.are_deterministic_algorithms_enabled()
    try:
        ex.train("standard", train, val, seed=0, threads=1, **SMALL)
        assert torch.equal(torch.get_rng_state(), before)
        assert torch.get_num_threads() == 2
        assert torch.are_deterministic_algorithms_enabled() == flag
    finally:
        torch.set_num_threads(original)


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
