"""Notebook 07: is a depth-wise separable layer faster in practice, and why (not)?

* :func:`time_layers` times standard, depth-wise and separable layers with
  ``torch.utils.benchmark``, beside the multiply-accumulates (MACs) that
  :func:`convtutor.conv_cost` predicts, the bytes each layer must move
  (:func:`arithmetic_intensity`), and the fixed cost of a call: the time the same layer
  would take on no pixels at all, read off two real sizes of input (:func:`call_cost`).
* :func:`largest_cache` reads the size of the processor's largest cache, when the system
  tells it.
* :func:`copy_bandwidth` measures how many bytes per second this machine copies, and
  :func:`peak_flops` how many floating-point operations per second a matrix product
  reaches: the two roofs of a roofline plot. :func:`roofline` places every timed layer
  under them.
* :func:`time_filters` times the two-pass separable filter against the direct 2-D filter
  in numpy.

A MAC is one multiply and one add: 2 floating-point operations (FLOPs). The roofline
counts FLOPs, as processor speeds are quoted; the layer tables count MACs, as
:func:`convtutor.conv_cost` does.

PyTorch is imported inside the functions that need it, never at module level.
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from ..cost import conv_cost
from ._common import progress as _progress
from ._common import whole as _whole

__all__ = [
    "LAYER_KINDS",
    "arithmetic_intensity",
    "call_cost",
    "largest_cache",
    "time_layers",
    "copy_bandwidth",
    "peak_flops",
    "roofline",
    "time_filters",
]

#: The layers :func:`time_layers` times, in its column order.
LAYER_KINDS = ("standard", "depthwise", "separable")

_BYTES_PER_FLOAT32 = 4


def _seconds(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number of seconds >= 0; got {value!r}")
    return float(value)


def arithmetic_intensity(kind, channels, kernel_size, size, *, batch=1, bytes_per_value=4):
    """MACs per byte moved for one ``same``-padded layer on a ``(batch, C, size, size)`` input.

    The layer maps ``C`` channels to ``C`` (``C_in = C_out = C``). The bytes are the least
    any implementation must move: read the input and the weights once, write the output
    once (``bytes_per_value`` each; 4 for float32). A separable layer also writes and
    reads its ``C x H x W`` middle tensor.

    A depth-wise layer does ``k^2`` MACs per output value and must read and write each
    value, so its intensity is about ``k^2 / 8`` MACs per byte for float32; a standard
    layer does ``C k^2`` MACs per output value. Whether a low intensity makes a layer
    wait for memory depends on the machine: :func:`roofline` compares it with measured
    roofs.

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
    n = _whole(batch, "batch", 1)
    if kind not in ("standard", "depthwise", "pointwise", "separable"):
        raise ValueError(
            f"kind must be 'standard', 'depthwise', 'pointwise' or 'separable'; got {kind!r}"
        )
    cost = conv_cost(kind, c, c, k, s, padding=k // 2 if kind != "pointwise" else 0)
    values = n * c * s * s
    moved = values + values + cost.params  # read input, write output, read weights once
    if kind == "separable":
        moved += 2 * values  # the depth-wise result is written, then read by the 1x1 step
    moved *= bytes_per_value
    macs = n * cost.macs
    return macs, moved, macs / moved


def call_cost(t_full, t_half, size):
    """The fixed cost of one call, from the same layer timed on two input sizes.

    A layer's time is modelled as ``t = a + b * pixels``: ``a`` is what a call costs before
    any work (checking arguments, picking a kernel, allocating the output), ``b`` the cost
    of each pixel. Two real measurements, ``t_full`` on a ``size x size`` input and
    ``t_half`` on a ``(size // 2) x (size // 2)`` one, give the line, and ``a`` is where it
    meets zero pixels. (A call on a 1 x 1 image would be a guess: nothing says PyTorch
    runs it the way it runs a real feature map.)

    The result can come out negative, or larger than ``t_half``, when the two times do not
    fit a line (noise, or a layer whose cost per pixel changes with the size). The caller
    should then say that the fixed cost could not be measured; :func:`roofline` passes
    the value on unchanged.

    Examples
    --------
    >>> call_cost(t_full=5e-4, t_half=2e-4, size=32)  # a = 1e-4, b = 4e-4 per 1024 pixels
    0.0001
    """
    size = _whole(size, "size", 2)
    for name, value in (("t_full", t_full), ("t_half", t_half)):
        _seconds(value, name)
    full, half = size * size, (size // 2) ** 2
    slope = (t_full - t_half) / (full - half)
    return round(t_full - slope * full, 15)


def largest_cache(root="/sys/devices/system/cpu/cpu0/cache"):
    """Bytes of the largest data or unified cache of the first processor, or None.

    Read from Linux's ``/sys/devices/system/cpu/cpu0/cache/index*/size`` (for example
    ``"32768K"``). Other systems, or a machine that does not say, give None: the caller
    then says that the size is unknown.
    """
    from pathlib import Path

    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    sizes = []
    for index in sorted(Path(root).glob("index*")):
        try:
            kind = (index / "type").read_text().strip()
            text = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind == "Instruction" or not text:
            continue
        number, unit = (text[:-1], text[-1]) if text[-1] in units else (text, "")
        if number.isdigit():
            sizes.append(int(number) * units.get(unit, 1))
    return max(sizes) if sizes else None


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

    Each layer is also timed on a ``(batch, C, size // 2, size // 2)`` input (half the
    time budget). From the two times :func:`call_cost` reads off what one call costs
    before any real work: the per-call overhead.

    Returns
    -------
    list of dict
        One row per ``(C, k)``: ``channels``, ``kernel_size``, ``size``, ``batch``, and
        for each kind in :data:`LAYER_KINDS` (``standard``, ``depthwise``,
        ``separable``): the per-call seconds ``t_<kind>`` (fastest run), the seconds on
        the half-size input ``t_half_<kind>``, the fixed cost of a call ``t_call_<kind>``
        (:func:`call_cost`), the MACs from :func:`convtutor.conv_cost`
        ``macs_<kind>``, the FLOPs ``flops_<kind>`` (2 per MAC), the bytes moved
        ``bytes_<kind>`` and the arithmetic intensity ``ai_<kind>`` (MACs per byte, from
        :func:`arithmetic_intensity`). Then the predicted MAC ratio
        ``mac_ratio = macs_standard / macs_separable`` and the measured
        ``speedup = t_standard / t_separable``.
    """
    import torch
    import torch.nn as nn
    from torch.utils import benchmark

    threads = _whole(threads, "threads", 1)
    size = _whole(size, "size", 2)
    batch = _whole(batch, "batch", 1)
    budget = _seconds(min_run_time, "min_run_time")
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
            half = size // 2
            inputs = {
                "t": torch.randn(batch, c, size, size),
                "t_half": torch.randn(batch, c, half, half),
            }
            layers = {
                "standard": nn.Conv2d(c, c, k, padding=k // 2, bias=False),
                "depthwise": nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                "separable": nn.Sequential(
                    nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                    nn.Conv2d(c, c, 1, bias=False),
                ),
            }
            row = {"channels": c, "kernel_size": k, "size": size, "batch": batch}
            for name, layer in layers.items():
                layer.eval()
                for key, x in inputs.items():
                    timer = benchmark.Timer(
                        stmt="with torch.no_grad(): layer(x)",
                        globals={"layer": layer, "x": x, "torch": torch},
                        num_threads=threads,
                    )
                    share = budget if key == "t" else budget / 2
                    row[f"{key}_{name}"] = _fastest(timer, share)
                row[f"t_call_{name}"] = call_cost(row[f"t_{name}"], row[f"t_half_{name}"], size)
                macs, moved, ai = arithmetic_intensity(name, c, k, size, batch=batch)
                row[f"macs_{name}"] = macs
                row[f"flops_{name}"] = 2 * macs
                row[f"bytes_{name}"] = moved
                row[f"ai_{name}"] = ai
            row["mac_ratio"] = row["macs_standard"] / row["macs_separable"]
            row["speedup"] = row["t_standard"] / row["t_separable"]
            rows.append(row)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return rows


def copy_bandwidth(nbytes=64 * 2**20, *, repeats=9, threads=1):
    """Bytes per second this machine copies: the memory roof of a roofline plot.

    A float32 tensor of ``nbytes`` bytes is copied into another (PyTorch's
    ``Tensor.copy_`` on ``threads`` threads, as the layers of :func:`time_layers` run),
    once to warm up and then ``repeats`` times. Each copy reads ``nbytes`` and writes
    ``nbytes``, so the result is ``2 * nbytes / (median time)``.

    The size decides which memory is measured. A copy larger than the processor's
    largest cache (:func:`largest_cache`) must come from main memory; a copy of a few
    hundred kilobytes stays in the caches, which are faster. Some processors have caches
    of hundreds of megabytes, so 64 MB (the default) is not always beyond them.

    Returns
    -------
    float
        Bytes per second (read + written).
    """
    import torch

    nbytes = _whole(nbytes, "nbytes", _BYTES_PER_FLOAT32)
    repeats = _whole(repeats, "repeats", 1)
    threads = _whole(threads, "threads", 1)
    source = torch.ones(nbytes // _BYTES_PER_FLOAT32, dtype=torch.float32)
    target = torch.empty_like(source)
    moved = 2 * source.numel() * _BYTES_PER_FLOAT32
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        target.copy_(source)  # warm-up: the first copy also maps the target's pages
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            target.copy_(source)
            times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(old_threads)
    return moved / max(float(np.median(times)), 1e-12)


def peak_flops(size=512, *, min_run_time=0.2, threads=1):
    """FLOPs per second of a float32 matrix product: the compute roof of a roofline plot.

    A ``(size x size) @ (size x size)`` product does ``size^3`` MACs, ``2 size^3``
    FLOPs. It is the operation processors and math libraries are best at, so it is a
    practical ceiling for what any layer reaches on ``threads`` threads. Timed like
    :func:`time_layers`: the per-call time of the fastest of several short runs.

    Returns
    -------
    float
        FLOPs per second.
    """
    import torch
    from torch.utils import benchmark

    size = _whole(size, "size", 1)
    threads = _whole(threads, "threads", 1)
    budget = _seconds(min_run_time, "min_run_time")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        a, b = torch.randn(size, size), torch.randn(size, size)
    out = torch.empty(size, size)
    timer = benchmark.Timer(
        stmt="torch.mm(a, b, out=out)",
        globals={"a": a, "b": b, "out": out, "torch": torch},
        num_threads=threads,
    )
    return 2 * size**3 / _fastest(timer, budget)


def roofline(rows, bandwidth, peak):
    """Place every layer timed by :func:`time_layers` under the two measured roofs.

    For a layer that does ``F`` FLOPs and moves ``B`` bytes in ``t`` seconds:

    * intensity ``I = F / B`` (FLOPs per byte) and achieved ``F / t`` (FLOPs per second);
    * the roof ``min(peak, bandwidth * I)``: the fastest the layer could run if only
      arithmetic (``peak``) or only moving its bytes (``bandwidth``) limited it. Left of
      the ridge ``I = peak / bandwidth`` the roof is the memory line, right of it the
      compute line;
    * three times to compare with ``t``: moving the bytes at ``bandwidth``
      (``t_memory = B / bandwidth``), doing the arithmetic at ``peak``
      (``t_compute = F / peak``), and the fixed cost of a call (``t_call``, from
      :func:`call_cost`).

    Parameters
    ----------
    rows : list of dict
        As returned by :func:`time_layers`.
    bandwidth : float
        Bytes per second, e.g. from :func:`copy_bandwidth`.
    peak : float
        FLOPs per second, e.g. from :func:`peak_flops`.

    Returns
    -------
    list of dict
        One per layer (row by row, in the order of :data:`LAYER_KINDS`): ``kind``,
        ``channels``, ``kernel_size``, ``flops``, ``bytes``, ``intensity``, ``achieved``,
        ``roof``, ``limit`` (``"memory"`` or ``"compute"``: the lower roof at this
        intensity), ``roof_share = achieved / roof``, ``t``, ``t_memory``,
        ``t_compute``, ``t_call`` and ``t_half`` (None when the row has none).

    Examples
    --------
    >>> row = {"channels": 1, "kernel_size": 3, "t_depthwise": 1e-6, "t_call_depthwise": 5e-7,
    ...        "flops_depthwise": 1000, "bytes_depthwise": 500}
    >>> (point,) = roofline([row], bandwidth=1e9, peak=1e10)
    >>> point["intensity"], point["limit"], point["roof"], point["roof_share"]
    (2.0, 'memory', 2000000000.0, 0.5)
    """
    for name, value in (("bandwidth", bandwidth), ("peak", peak)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"{name} must be a number > 0; got {value!r}")
    points = []
    for row in rows:
        for kind in LAYER_KINDS:
            if f"t_{kind}" not in row:
                continue
            flops, moved, t = row[f"flops_{kind}"], row[f"bytes_{kind}"], row[f"t_{kind}"]
            intensity = flops / moved
            memory_roof = bandwidth * intensity
            roof = min(peak, memory_roof)
            achieved = flops / t
            points.append(
                {
                    "kind": kind,
                    "channels": row["channels"],
                    "kernel_size": row["kernel_size"],
                    "flops": flops,
                    "bytes": moved,
                    "intensity": intensity,
                    "achieved": achieved,
                    "roof": roof,
                    "limit": "memory" if memory_roof < peak else "compute",
                    "roof_share": achieved / roof,
                    "t": t,
                    "t_memory": moved / bandwidth,
                    "t_compute": flops / peak,
                    "t_call": row[f"t_call_{kind}"],
                    "t_half": row.get(f"t_half_{kind}"),
                }
            )
    if not points:
        raise ValueError("rows must be time_layers() rows with t_<kind> entries; got none")
    return points


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
    from ..spatial import filter2d, separable_filter2d

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
