"""Benchmark of notebooks 06-07: their run time at DEFAULT settings, and their speed tables.

* Each notebook is executed top to bottom in a fresh kernel with nbclient, without
  ``CONVTUTOR_QUICK``, and its wall time (kernel start included) is recorded against the
  60 s target.
* The numpy table: two 1-D passes (``ct.separable_filter2d``) against one 2-D filter
  (``ct.filter2d``) for k = 3, 5, ..., 15, measured beside the predicted k/2.
* The layer table: standard, depth-wise and separable PyTorch layers (forward, one
  thread) beside the MAC ratio ``ct.conv_cost`` predicts and each layer's arithmetic
  intensity.

The machine's load average is recorded too: other programs on a 2-core machine change
every absolute time, so read the ratios.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["06_overfitting_experiment.ipynb", "07_speed_in_practice.ipynb"]
TARGET_SECONDS = 60


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_notebook(name: str) -> tuple[float, float, str, str]:
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    saved = os.environ.pop("CONVTUTOR_QUICK", None)
    try:
        cpu_start = _children_cpu()
        start = time.perf_counter()
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - cpu_start  # the kernel, reaped when it shut down
    finally:
        if saved is not None:
            os.environ["CONVTUTOR_QUICK"] = saved
    problems = [
        o.output_type if o.output_type == "error" else "stderr"
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")
    ]
    status = "clean" if not problems else f"{len(problems)} error/stderr output(s)"
    settings = next(  # the first line the notebook prints: its settings cell
        (
            o.text.strip().splitlines()[0]
            for cell in nb.cells
            for o in cell.get("outputs", [])
            if o.output_type == "stream" and o.name == "stdout" and o.text.strip()
        ),
        "",
    )
    return seconds, cpu, status, settings


def run() -> str:
    from convtutor import experiment as ex

    lines = [
        "## Experiments (notebooks 06-07)",
        "",
        "Notebooks executed at their default settings (no `CONVTUTOR_QUICK`), fresh kernel,",
        f"wall time including kernel start; target <= {TARGET_SECONDS} s each.",
        f"Load average before the run: {_load()} (2 logical cores; other programs slow",
        "everything down).",
        "",
        "Kernel CPU time (user + system of the kernel process) is what the run costs",
        "whatever else is running; the training runs on one thread, so on a quiet machine",
        "the wall time is close to it.",
        "",
        "| notebook | default settings (printed by the notebook) | wall time | kernel CPU time "
        "| target | outputs |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name in NOTEBOOKS:
        seconds, cpu, status, settings = _run_notebook(name)
        wall = "ok" if seconds <= TARGET_SECONDS else "over"
        quiet = "ok" if cpu <= TARGET_SECONDS else "over"
        lines.append(
            f"| {name} | {settings} | {seconds:.1f} s ({wall}) | {cpu:.1f} s ({quiet}) "
            f"| {TARGET_SECONDS} s | {status} |"
        )
    lines += ["", f"Load average after the notebooks: {_load()}.", ""]

    filters = ex.time_filters(tuple(range(3, 16, 2)), size=256, repeats=7)
    lines += [
        "### Two 1-D passes vs one 2-D filter (numpy, 256 x 256 float64, fastest of >= 7 runs)",
        "",
        "| k | 2-D | two-pass | measured speed-up | predicted k/2 | measured / predicted |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in filters:
        lines.append(
            f"| {r['kernel_size']} | {r['t_2d'] * 1e3:.2f} ms | {r['t_two_pass'] * 1e3:.2f} ms | "
            f"{r['speedup']:.2f} | {r['predicted']:.1f} | {r['speedup'] / r['predicted']:.2f} |"
        )

    rows = ex.time_layers((16, 64, 128), (3, 5, 7), size=32, min_run_time=0.3, progress=False)
    lines += [
        "",
        "### PyTorch layers, C -> C channels, 1 x C x 32 x 32 input, forward, one thread",
        "",
        "Fastest of several short `torch.utils.benchmark.Timer.timeit` runs (~0.3 s per layer).",
        "Intensity = MACs per byte moved (float32: input read, output written, weights read).",
        "",
        "| C | k | standard | depth-wise | separable | MAC ratio | measured speed-up | "
        "intensity std / dw / sep |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['channels']} | {r['kernel_size']} | {r['t_standard'] * 1e6:.0f} us | "
            f"{r['t_depthwise'] * 1e6:.0f} us | {r['t_separable'] * 1e6:.0f} us | "
            f"{r['mac_ratio']:.2f} | {r['speedup']:.2f} | {r['ai_standard']:.1f} / "
            f"{r['ai_depthwise']:.2f} / {r['ai_separable']:.2f} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
