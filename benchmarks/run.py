"""Run the benchmarks and write benchmarks/REPORT.md.

    python -m benchmarks.run            # every benchmark (make bench), from the repository
    python -m benchmarks.run core       # only bench_core.py; other sections kept

(``python benchmarks/run.py`` runs the same as ``python -m benchmarks.run``.) Run as a
module of the repository, the benchmarks import the tests' helpers from
``tests.support``, with nothing added to ``sys.path``.

Each ``benchmarks/bench_<name>.py`` has ``run() -> str`` returning a Markdown section.
Sections are kept in ``benchmarks/results/<name>.md`` and assembled, in a fixed order,
under a header that records the machine, the versions and the date. Speed is always
reported as ratios measured side by side in one run; nothing here asserts a time.
"""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
ORDER = ["core", "widgets", "notebooks", "experiments", "browser", "edition"]


def available() -> list[str]:
    names = [p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py")]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def header() -> str:
    import numpy

    versions = {"python": platform.python_version(), "numpy": numpy.__version__}
    for mod in ("scipy", "torch", "matplotlib", "anywidget", "ipywidgets", "jupyterlab"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        "# convtutor benchmark report",
        "",
        "Written by `make bench` (`python -m benchmarks.run`). Every speed figure is a ratio",
        "or a distribution measured side by side in one run on the machine below; the",
        "machines here are noisy, so read ratios, not absolute times. Nothing in the test",
        "suite asserts a time.",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {cpu}, {os.cpu_count()} logical cores, {platform.system()} "
        f"{platform.release()}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    RESULTS.mkdir(exist_ok=True)
    chosen = argv or available()
    for name in chosen:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name}", flush=True)
        section = module.run()
        (RESULTS / f"{name}.md").write_text(section.rstrip() + "\n")
    parts = [header()]
    for name in available():
        path = RESULTS / f"{name}.md"
        if path.exists():
            parts.append(path.read_text())
    (HERE / "REPORT.md").write_text("\n".join(parts))
    print(f"wrote {HERE / 'REPORT.md'}")


if __name__ == "__main__":
    if not __package__:  # run as a file: run as the module, from the repository's root
        sys.exit(subprocess.call([sys.executable, "-m", "benchmarks.run", *sys.argv[1:]], cwd=ROOT))
    main(sys.argv[1:])
