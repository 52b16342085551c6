"""Core speed: convtutor's numpy convolutions against torch (CPU) and per-channel SciPy.

Every row times all implementations in interleaved rounds (A, B, C, A, B, C, ...)
and reports the ratio of medians, so a noisy machine slows them all alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import numpy as np

ROUNDS = 15


def _median_times(funcs: dict, rounds: int = ROUNDS) -> dict:
    for f in funcs.values():  # warm up
        f()
    times = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, f in funcs.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _cases():
    rng = np.random.default_rng(0)
    cases = []
    for c, h, c_out, k in [(3, 224, 16, 3), (3, 224, 16, 7), (32, 56, 64, 3)]:
        x = rng.standard_normal((c, h, h))
        cases.append(
            dict(
                label=f"{c}x{h}x{h} -> {c_out}, {k}x{k}",
                x=x,
                w=rng.standard_normal((c_out, c, k, k)),
                dw=rng.standard_normal((c, 1, k, k)),
                pw=rng.standard_normal((c_out, c)),
                pad=k // 2,
            )
        )
    return cases


def _rows():
    import torch
    import torch.nn.functional as F
    from scipy.signal import correlate2d

    import convtutor as ct

    torch.set_num_threads(2)
    rows = []
    for case in _cases():
        for fn, funcs in _implementations(case, ct, torch, F, correlate2d).items():
            rows.append((fn, case["label"], _median_times(funcs)))
    return rows


def _implementations(case, ct, torch, F, correlate2d) -> dict:
    """For one shape: function name -> {implementation name -> zero-argument callable}."""
    x, w, dw, pw, p = case["x"], case["w"], case["dw"], case["pw"], case["pad"]
    xt = torch.from_numpy(x)[None]
    wt, dwt = torch.from_numpy(w), torch.from_numpy(dw)
    pwt = torch.from_numpy(pw)[:, :, None, None]
    xt32, wt32, dwt32, pwt32 = (t.float() for t in (xt, wt, dwt, pwt))
    c = x.shape[0]

    def scipy_standard():
        return np.stack(
            [sum(correlate2d(x[i], w[o, i], mode="same") for i in range(c)) for o in range(len(w))]
        )

    def scipy_depthwise():
        return np.stack([correlate2d(x[i], dw[i, 0], mode="same") for i in range(c)])

    def scipy_separable():
        return np.tensordot(pw, scipy_depthwise(), axes=1)

    groups = {
        "conv2d": {
            "convtutor": lambda: ct.conv2d(x, w, padding=p),
            "torch f64": lambda: F.conv2d(xt, wt, padding=p),
            "torch f32": lambda: F.conv2d(xt32, wt32, padding=p),
            "scipy": scipy_standard,
        },
        "depthwise_conv2d": {
            "convtutor": lambda: ct.depthwise_conv2d(x, dw, padding=p),
            "torch f64": lambda: F.conv2d(xt, dwt, padding=p, groups=c),
            "torch f32": lambda: F.conv2d(xt32, dwt32, padding=p, groups=c),
            "scipy": scipy_depthwise,
        },
        "separable_conv2d": {
            "convtutor": lambda: ct.separable_conv2d(x, dw, pw, padding=p),
            "torch f64": lambda: F.conv2d(F.conv2d(xt, dwt, padding=p, groups=c), pwt),
            "torch f32": lambda: F.conv2d(F.conv2d(xt32, dwt32, padding=p, groups=c), pwt32),
            "scipy": scipy_separable,
        },
    }
    # they agree before anything is timed
    for funcs in groups.values():
        ours = funcs["convtutor"]()
        assert np.allclose(ours, funcs["scipy"](), atol=1e-8)
        assert np.allclose(ours, funcs["torch f64"]().numpy()[0], atol=1e-8)
    return groups


def _import_time() -> float:
    code = "import time; t = time.perf_counter(); import convtutor; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(7)
    ]
    return statistics.median(runs)


TARGETS = {"conv2d": 3.0, "depthwise_conv2d": 6.0, "separable_conv2d": 3.0}


def run() -> str:
    rows = _rows()
    lines = [
        "## Core convolutions: numpy vs torch CPU vs per-channel SciPy",
        "",
        f"Median of {ROUNDS} interleaved rounds per implementation; zero padding keeping the",
        "size. `convtutor` computes in float64, so the fair comparison is `torch f64`",
        "(PyTorch's float32 path, which uses oneDNN, is shown for reference). SciPy is",
        "`scipy.signal.correlate2d` called once per channel pair (standard) or per channel",
        "(depth-wise), plus a `tensordot` for the 1x1 step.",
        "",
        "| function | shape | convtutor ms | torch f64 ms | torch f32 ms | scipy ms "
        "| convtutor / torch f64 | target | scipy / convtutor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    met = True
    for fn, label, t in rows:
        ratio = t["convtutor"] / t["torch f64"]
        speedup = t["scipy"] / t["convtutor"]
        ok = ratio <= TARGETS[fn] and speedup > 1
        met &= ok
        lines.append(
            f"| `{fn}` | {label} | {t['convtutor'] * 1e3:.2f} | {t['torch f64'] * 1e3:.2f} | "
            f"{t['torch f32'] * 1e3:.2f} | {t['scipy'] * 1e3:.2f} | {ratio:.2f}x | "
            f"<= {TARGETS[fn]:.0f}x {'met' if ratio <= TARGETS[fn] else 'MISSED'} | "
            f"{speedup:.1f}x |"
        )
    imp = _import_time()
    lines += [
        "",
        f"`import convtutor` in a fresh interpreter (median of 7): **{imp * 1e3:.0f} ms** "
        f"(target <= 300 ms: {'met' if imp <= 0.3 else 'MISSED'}).",
        "",
        "All targets met (within 3x of torch f64 for standard and separable, 6x for depth-wise, "
        "faster than per-channel SciPy on every row)."
        if met and imp <= 0.3
        else "Some targets were missed in this run; see the rows marked MISSED.",
        "",
        "How: standard convolutions gather every window into columns (im2col, one copy) and",
        "do one matrix product per group (BLAS); depth-wise convolutions add up kH*kW",
        "shifted, scaled views of the padded input, never copying windows.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
