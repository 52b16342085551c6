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
