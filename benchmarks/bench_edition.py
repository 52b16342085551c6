"""The static HTML edition: how big it is, and what makes it so.

Builds the edition (``scripts/build_html.py``, quick settings, reusing the executed
notebooks in ``build/executed`` when they are current) into a temporary folder and
reports its size: every page (with its live widgets' saved state), and MathJax.

    python benchmarks/run.py edition
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run() -> str:
    from tests.support.scripts import load_script

    build_html = load_script("build_html")
    out = Path(tempfile.mkdtemp(prefix="convtutor-edition-"))
    try:
        pages = build_html.build(out=out, quick=True, jobs=2)
        total = build_html.folder_size(out)
        mathjax = build_html.folder_size(out / "mathjax")
        lines = [
            "## The static HTML edition",
            "",
            "`make html` (here with quick experiments): every page, with its widgets' saved",
            "state and the runtime that makes them live, and a copy of MathJax. Nothing is",
            "fetched from the internet when a page is viewed (the browser tests open it from",
            "`file://` with every other request refused).",
            "",
            "| part | live widgets | size (MB) |",
            "|---|---:|---:|",
        ]
        for page in pages:
            size = (out / page["html"]).stat().st_size
            lines.append(f"| {page['html']} | {page['live']} | {size / 1e6:.1f} |")
        lines += [
            f"| `mathjax/` | – | {mathjax / 1e6:.1f} |",
            f"| **the whole edition** | **{sum(p['live'] for p in pages)}** | "
            f"**{total / 1e6:.1f}** |",
        ]
        return "\n".join(lines) + "\n"
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    print(run())
