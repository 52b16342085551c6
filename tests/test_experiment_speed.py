"""Tests for convtutor.experiment.speed: the timings and memory traffic of notebook 07."""

import pytest

import convtutor as ct
from convtutor.experiment import speed as ex

torch = pytest.importorskip("torch")


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


def test_bytes_are_the_tensors_pytorch_reads_and_writes():
    """The bytes of each layer are 4 x (input + output + weights) of the real PyTorch layer,
    plus the middle tensor written and read again for a separable layer, batch included."""
    c, k, s, n = 6, 5, 10, 3
    x = torch.zeros(n, c, s, s)
    dw = torch.nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False)
    pw = torch.nn.Conv2d(c, c, 1, bias=False)
    std = torch.nn.Conv2d(c, c, k, padding=k // 2, bias=False)
    mid = dw(x)
    sizes = {
        "standard": x.numel() + std(x).numel() + std.weight.numel(),
        "depthwise": x.numel() + mid.numel() + dw.weight.numel(),
        "pointwise": x.numel() + pw(x).numel() + pw.weight.numel(),
        "separable": x.numel() + 2 * mid.numel() + pw(mid).numel()
        + dw.weight.numel() + pw.weight.numel(),
    }  # fmt: skip
    for kind, values in sizes.items():
        macs, moved, ai = ex.arithmetic_intensity(kind, c, k, s, batch=n)
        pad = 0 if kind == "pointwise" else k // 2
        assert macs == n * ct.conv_cost(kind, c, c, k, s, padding=pad).macs
        assert moved == 4 * values, kind
        assert ai == macs / moved


def test_time_layers_rows_carry_flops_bytes_and_the_cost_of_a_call():
    """Each row has FLOPs = 2 MACs, the bytes of arithmetic_intensity, a half-size time and
    the fixed cost of a call read off the two real sizes."""
    (row,) = ex.time_layers((4,), (3,), size=8, batch=2, min_run_time=0.01, progress=False)
    for kind in ex.LAYER_KINDS:
        macs, moved, ai = ex.arithmetic_intensity(kind, 4, 3, 8, batch=2)
        assert (row[f"macs_{kind}"], row[f"bytes_{kind}"], row[f"ai_{kind}"]) == (macs, moved, ai)
        assert row[f"flops_{kind}"] == 2 * macs
        assert row[f"t_half_{kind}"] > 0
        assert row[f"t_call_{kind}"] == ex.call_cost(row[f"t_{kind}"], row[f"t_half_{kind}"], 8)
    assert (row["size"], row["batch"]) == (8, 2)


@pytest.mark.parametrize(("fixed", "per_pixel", "size"), [(1e-4, 1e-7, 32), (0.0, 2e-8, 9)])
def test_call_cost_is_where_the_line_through_two_sizes_meets_zero_pixels(fixed, per_pixel, size):
    """For times a + b * pixels on a size x size and a (size // 2)^2 input, call_cost gives a."""
    t_full, t_half = fixed + per_pixel * size**2, fixed + per_pixel * (size // 2) ** 2
    assert ex.call_cost(t_full, t_half, size) == pytest.approx(fixed, abs=1e-12)


def test_call_cost_says_when_the_times_do_not_fit_a_line():
    """A half-size call slower than the full one gives more than t_half (the caller's cue)."""
    assert ex.call_cost(1e-4, 2e-4, 32) > 2e-4
    with pytest.raises(ValueError, match="size"):
        ex.call_cost(1e-4, 1e-5, 1)
    with pytest.raises(ValueError, match="t_half"):
        ex.call_cost(1e-4, -1.0, 32)


def test_largest_cache_reads_the_system_and_says_none_when_it_cannot(tmp_path):
    """The largest data or unified cache, in bytes; instruction caches are left out."""
    for name, kind, size in [
        ("index0", "Data", "48K"),
        ("index1", "Instruction", "64K"),
        ("index2", "Unified", "2048K"),
        ("index3", "Unified", "32M"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "type").write_text(kind + "\n")
        (tmp_path / name / "size").write_text(size + "\n")
    assert ex.largest_cache(tmp_path) == 32 * 2**20
    assert ex.largest_cache(tmp_path / "missing") is None
    found = ex.largest_cache()
    assert found is None or found >= 2**10


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"size": 0}, ValueError, "size"),
        ({"batch": 1.5}, TypeError, "batch"),
        ({"min_run_time": -1}, ValueError, "min_run_time"),
        ({"threads": 0}, ValueError, "threads"),
    ],
)
def test_time_layers_rejects_bad_arguments(kwargs, error, name):
    """A bad size, batch, time budget or thread count raises an error naming it."""
    with pytest.raises(error, match=name):
        ex.time_layers((4,), (3,), progress=False, **kwargs)


def test_copy_bandwidth_is_bytes_read_and_written_over_the_median_time(monkeypatch):
    """With a clock whose copies take 1, 2 and 4 ms, the bandwidth is 2 x bytes / 2 ms."""
    ticks = iter([0.0, 0.001, 1.0, 1.002, 2.0, 2.004])
    monkeypatch.setattr(ex.time, "perf_counter", lambda: next(ticks))
    threads = torch.get_num_threads()
    assert ex.copy_bandwidth(4096, repeats=3) == pytest.approx(2 * 4096 / 0.002)
    assert torch.get_num_threads() == threads


def test_copy_bandwidth_measures_a_real_copy():
    """On this machine a 4 MB copy moves between 100 MB/s and 10 TB/s (a units check)."""
    assert 1e8 < ex.copy_bandwidth(4 * 2**20, repeats=3) < 1e13


def test_peak_flops_counts_two_flops_per_multiply_add(monkeypatch):
    """A size^3-MAC matrix product timed at 10 ms is 2 size^3 / 0.01 FLOP/s."""
    monkeypatch.setattr(ex, "_fastest", lambda timer, budget: 0.01)
    assert ex.peak_flops(64) == pytest.approx(2 * 64**3 / 0.01)


def test_peak_flops_measures_a_real_matrix_product():
    """On this machine a 128 x 128 product runs between 10 MFLOP/s and 100 TFLOP/s."""
    assert 1e7 < ex.peak_flops(128, min_run_time=0.02) < 1e14


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: ex.copy_bandwidth(2), ValueError, "nbytes"),
        (lambda: ex.copy_bandwidth(4096, repeats=0), ValueError, "repeats"),
        (lambda: ex.peak_flops(0), ValueError, "size"),
        (lambda: ex.peak_flops(8, min_run_time="long"), ValueError, "min_run_time"),
        (lambda: ex.roofline([], bandwidth=0, peak=1), ValueError, "bandwidth"),
        (lambda: ex.roofline([], bandwidth=1, peak=-1), ValueError, "peak"),
        (lambda: ex.roofline([{"channels": 1}], bandwidth=1, peak=1), ValueError, "rows"),
    ],
)
def test_measurements_reject_bad_arguments(call, error, name):
    """copy_bandwidth, peak_flops and roofline name the argument that is wrong."""
    with pytest.raises(error, match=name):
        call()


def _row(**times):
    row = {"channels": 8, "kernel_size": 3}
    for kind, (t, t_call, flops, moved) in times.items():
        row.update({f"t_{kind}": t, f"t_call_{kind}": t_call})
        row.update({f"flops_{kind}": flops, f"bytes_{kind}": moved})
    return row


def test_roofline_places_each_layer_under_the_lower_roof():
    """Intensity, roof, limit and the three comparison times follow from the definitions."""
    row = _row(
        depthwise=(1e-4, 5e-5, 1e6, 5e5),  # 2 FLOPs/byte: memory roof 2e9 < peak 1e10
        standard=(1e-3, 2e-5, 1e8, 1e6),  # 100 FLOPs/byte: memory roof 1e11 > peak
    )
    points = ex.roofline([row], bandwidth=1e9, peak=1e10)
    assert [p["kind"] for p in points] == ["standard", "depthwise"]  # LAYER_KINDS order
    points = {p["kind"]: p for p in points}
    dw, std = points["depthwise"], points["standard"]
    assert dw["intensity"] == 2 and dw["limit"] == "memory" and dw["roof"] == 2e9
    assert dw["achieved"] == pytest.approx(1e10) and dw["roof_share"] == pytest.approx(5)
    assert dw["t_memory"] == pytest.approx(5e-4) and dw["t_compute"] == pytest.approx(1e-4)
    assert dw["t_call"] == 5e-5 and dw["t"] == 1e-4
    assert std["intensity"] == 100 and std["limit"] == "compute" and std["roof"] == 1e10
    assert std["roof_share"] == pytest.approx(1e11 / 1e10)
    assert (std["channels"], std["kernel_size"]) == (8, 3)


def test_roofline_of_measured_layers():
    """Real timings: one point per layer kind, achieved FLOP/s = FLOPs / time."""
    rows = ex.time_layers((4,), (3,), size=8, min_run_time=0.01, progress=False)
    points = ex.roofline(rows, bandwidth=1e10, peak=1e11)
    assert [p["kind"] for p in points] == list(ex.LAYER_KINDS)
    for p in points:
        assert p["achieved"] == pytest.approx(rows[0][f"flops_{p['kind']}"] / p["t"])
