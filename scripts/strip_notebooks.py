"""Strip outputs, execution counts and run-time metadata from the notebooks in git.

Usage: python scripts/strip_notebooks.py [paths...]   (default: notebooks/*.ipynb)
The tests fail when a committed notebook carries outputs; run this before committing.
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KEEP_METADATA = {"kernelspec", "language_info"}


def strip(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_METADATA}
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + ("" if after.endswith("\n") else "\n"))
        return True
    return False


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        if strip(path):
            print(f"stripped {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
