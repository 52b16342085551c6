"""Build the notebooks from their text sources: ``notebooks/NN_name.md`` -> ``.ipynb``.

Each lesson's editable source is a MyST Markdown file (jupytext's ``md:myst`` format):
prose is plain Markdown and code cells are ```` ```{code-cell} ipython3 ```` blocks, so a
change to a lesson reads as an ordinary diff. The ``.ipynb`` files are generated from
them (outputs empty, execution counts empty, cell ids numbered) and committed, so that
Binder, JupyterLab and GitHub open them directly.

Usage:
    python scripts/sync_notebooks.py            # write every .ipynb from its .md
    python scripts/sync_notebooks.py --check    # exit 1 (and say which) if any differs
    python scripts/sync_notebooks.py --from-ipynb NAME.ipynb  # one-off: .ipynb -> .md

``tests/test_notebook_sources.py`` runs the check, so a notebook edited without its
source (or the reverse) fails the tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FORMAT = "md:myst"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def build(source: Path) -> str:
    """The ``.ipynb`` text generated from the MyST source ``source``."""
    nb = jupytext.reads(source.read_text(encoding="utf-8"), fmt=FORMAT)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03d}"
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def to_source(notebook: Path) -> Path:
    """Write the MyST source of ``notebook`` beside it (used once, to convert)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata = {"kernelspec": KERNELSPEC}
    out = notebook.with_suffix(".md")
    out.write_text(jupytext.writes(nb, fmt=FORMAT), encoding="utf-8")
    return out


def sources() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.md"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    parser.add_argument("--from-ipynb", nargs="+", type=Path, default=[])
    args = parser.parse_args(argv)
    for nb in args.from_ipynb:
        print(to_source(nb))
    if args.from_ipynb:
        return 0
    stale = []
    for source in sources():
        target = source.with_suffix(".ipynb")
        text = build(source)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(target)
            if not args.check:
                target.write_text(text, encoding="utf-8")
    orphans = [p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if not p.with_suffix(".md").exists()]
    for p in orphans:
        print(f"{p.relative_to(ROOT)} has no text source {p.with_suffix('.md').name}")
    if args.check and stale:
        for p in stale:
            print(f"{p.relative_to(ROOT)} differs from its source; run scripts/sync_notebooks.py")
    elif stale:
        for p in stale:
            print(f"wrote {p.relative_to(ROOT)}")
    return 1 if (args.check and stale) or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
