"""The whole notebook sequence, 00 to the last, executed as a student meets it.

Each notebook runs top to bottom in a fresh kernel (nbclient) at its DEFAULT settings
(no ``CONVTUTOR_QUICK``), one after the other, as "Run all" would. Recorded: wall time
(kernel start included) and the kernel's CPU time, against the target of 120 s for the
whole sequence. The notebook runner is the one in ``bench_experiments``.
"""

from __future__ import annotations

from .bench_experiments import ROOT, _load, _run_notebook

TARGET_SECONDS = 120


def run() -> str:
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    load_before = _load()
    rows, total_wall, total_cpu = [], 0.0, 0.0
    for name in names:
        print(f"  {name}", flush=True)
        seconds, cpu, status, _ = _run_notebook(name)
        total_wall += seconds
        total_cpu += cpu
        rows.append(f"| {name} | {seconds:.1f} s | {cpu:.1f} s | {status} |")
    span = f"{names[0][:2]}-{names[-1][:2]}"
    verdict = "met" if total_wall <= TARGET_SECONDS else "MISSED"
    cpu_verdict = "met" if total_cpu <= TARGET_SECONDS else "MISSED"
    lines = [
        f"## The notebook sequence ({span}) at default settings",
        "",
        "Each notebook executed top to bottom in a fresh kernel with nbclient, default",
        "settings, one after the other. Wall time includes starting the kernel (a few",
        "seconds each: matplotlib, torch and the widgets are imported).",
        f"Load average before the run: {load_before} (2 logical cores).",
        "",
        "| notebook | wall time | kernel CPU time | outputs |",
        "|---|---:|---:|---|",
        *rows,
        f"| **all {len(names)}** | **{total_wall:.1f} s** | **{total_cpu:.1f} s** | |",
        "",
        f"Target: the whole sequence in <= {TARGET_SECONDS} s. Wall time: {verdict}; "
        f"kernel CPU time: {cpu_verdict}.",
        f"Load average after the run: {_load()}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
