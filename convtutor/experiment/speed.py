"""Notebook 07: is a depth-wise separable layer faster in practice?

:func:`time_layers` times standard, depth-wise and separable layers with
``torch.utils.benchmark`` next to the multiply-accumulates (MACs) that
:func:`convtutor.conv_cost` predicts and the arithmetic intensity (MACs per byte
moved) of each layer; :func:`time_filters` times the two-pass separable filter
against the direct 2-D filter in numpy.

PyTorch is imported inside the functions that need it, never at module level.
"""

from __future__ import annotations

import time

import numpy as np

from ..cost import conv_cost
from ._common import progress as _progress
from ._common import whole as _whole

__all__ = ["arithmetic_intensity", "time_layers", "time_filters"]


def arithmetic_intensity(kind, channels, kernel_size, size, *, bytes_per_value=4):
    """MACs per byte moved for one ``same``-padded layer on a ``(channels, size, size)`` input.

    The bytes are the least any implementation must move: read the input and the
    weights once, write the output once (``bytes_per_value`` each; 4 for float32). A
    separable layer also writes and reads its ``C x H x W`` middle tensor.

    A depth-wise layer does ``k^2`` MACs per output value but must still read and
    write each value, so its intensity is about ``k^2 / 8`` for float32: it is
    *memory-bound*. A standard layer does ``C k^2`` MACs per value.

    Returns
    -------
    (macs, bytes_moved, intensity) : (int, int, float)

    Examples
    --------
    >>> macs, moved, ai = arithmetic_intensity("depthwise", 64, 3, 32)
    >>> macs, moved, round(ai, 3)
    (589824, 526592, 1.12)
    """
    c = _whole(channels, "channels", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    s = _whole(size, "size", 1)
    if kind not in ("standard", "depthwise", "pointwise", "separable"):
        raise ValueError(
            f"kind must be 'standard', 'depthwise', 'pointwise' or 'separable'; got {kind!r}"
        )
    cost = conv_cost(kind, c, c, k, s, padding=k // 2 if kind != "pointwise" else 0)
    values = c * s * s
    weights = cost.params
    moved = values + values + weights  # read input, write output, read weights
    if kind == "separable":
        moved += 2 * values  # the depth-wise result is written, then read by the 1x1 step
    moved *= bytes_per_value
    return cost.macs, moved, cost.macs / moved


def time_layers(
    channels=(16, 64, 128),
    kernel_sizes=(3, 5, 7),
    *,
    size=32,
    batch=1,
    min_run_time=0.2,
    threads=1,
    progress=True,
):
    """Time standard, depth-wise and separable layers with ``torch.utils.benchmark``.

    Each layer maps ``C`` to ``C`` channels with a ``k x k`` kernel (``same``
    padding, no bias) on a ``(batch, C, size, size)`` float32 input, forward only,
    under ``torch.no_grad()``, with ``torch.utils.benchmark.Timer``: after a warm-up,
    about ``min_run_time`` seconds of short ``Timer.timeit`` runs (about 5 ms each);
    each time reported is the per-call time of the fastest run, the one least disturbed
    by other programs (as :mod:`timeit` advises). On a busy machine this is far steadier
    than a median over long blocks.

    Returns
    -------
    list of dict
        One row per ``(C, k)``: ``channels``, ``kernel_size``, the per-call seconds (fastest run)
        ``t_standard``, ``t_depthwise``, ``t_separable``, the MACs of each from
        :func:`convtutor.conv_cost` (``macs_standard`` ...), the predicted MAC ratio
        ``mac_ratio = macs_standard / macs_separable``, the measured
        ``speedup = t_standard / t_separable`` and the arithmetic intensities
        ``ai_standard``, ``ai_depthwise``, ``ai_separable`` (MACs per byte).
    """
    import torch
    import torch.nn as nn
    from torch.utils import benchmark

    threads = _whole(threads, "threads", 1)
    configs = [
        (_whole(c, "channels", 1), _whole(k, "kernel_size", 1))
        for c in channels
        for k in kernel_sizes
    ]
    bar = _progress(len(configs), "timing layers", enabled=progress, unit="setting")
    rows = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for c, k in configs:
            x = torch.randn(batch, c, size, size)
            layers = {
                "standard": nn.Conv2d(c, c, k, padding=k // 2, bias=False),
                "depthwise": nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                "separable": nn.Sequential(
                    nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                    nn.Conv2d(c, c, 1, bias=False),
                ),
            }
            row = {"channels": c, "kernel_size": k}
            for name, layer in layers.items():
                layer.eval()
                timer = benchmark.Timer(
                    stmt="with torch.no_grad(): layer(x)",
                    globals={"layer": layer, "x": x, "torch": torch},
                    num_threads=threads,
                )
                row[f"t_{name}"] = _fastest(timer, min_run_time)
                macs, _, ai = arithmetic_intensity(name, c, k, size)
                row[f"macs_{name}"] = macs * batch
                row[f"ai_{name}"] = ai
            row["mac_ratio"] = row["macs_standard"] / row["macs_separable"]
            row["speedup"] = row["t_standard"] / row["t_separable"]
            rows.append(row)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return rows


def _fastest(timer, budget: float) -> float:
    """Per-call seconds of the fastest of several short ``timer.timeit`` runs."""
    timer.timeit(3)  # warm-up: first calls allocate and pick kernels
    per_call = max(timer.timeit(5).mean, 1e-7)
    number = max(1, int(0.005 / per_call))
    repeats = min(200, max(5, int(budget / (number * per_call))))
    return min(timer.timeit(number).mean for _ in range(repeats))


def time_filters(
    kernel_sizes=(3, 5, 7, 9, 11, 13, 15), *, size=256, repeats=5, min_run_time=0.1, seed=0
):
    """Time two 1-D passes (:func:`~convtutor.separable_filter2d`) against one 2-D filter.

    Each filter runs on a ``(size, size)`` float64 image with a ``k x k`` Gaussian
    (``same`` padding) at least ``repeats`` times and until ``min_run_time`` seconds
    have passed (at most 200 runs); the best time of each is kept.

    Returns
    -------
    list of dict
        One row per ``k``: ``kernel_size``, ``t_2d``, ``t_two_pass`` (seconds),
        ``speedup = t_2d / t_two_pass`` and the predicted ``k^2 / (2k) = k / 2``
        multiplies-per-pixel ratio, ``predicted``.
    """
    from .. import kernels
    from ..separable import filter2d, separable_filter2d

    repeats = _whole(repeats, "repeats", 1)
    size = _whole(size, "size", 8)
    image = np.random.default_rng(seed).random((size, size))
    rows = []
    for k in kernel_sizes:
        k = _whole(k, "kernel_size", 1)
        g1 = kernels.gaussian_1d(k, k / 5)
        g2 = np.outer(g1, g1)
        t2 = _best(filter2d, (image, g2), repeats, min_run_time)
        t1 = _best(separable_filter2d, (image, g1, g1), repeats, min_run_time)
        rows.append(
            {
                "kernel_size": k,
                "t_2d": t2,
                "t_two_pass": t1,
                "speedup": t2 / t1,
                "predicted": k * k / (2 * k),
            }
        )
    return rows


def _best(fn, args, repeats: int, budget: float) -> float:
    """Fastest single call of ``fn(*args, padding="same")``."""
    times: list[float] = []
    spent = 0.0
    while len(times) < 200 and (len(times) < repeats or spent < budget):
        start = time.perf_counter()
        fn(*args, padding="same")
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return min(times)
