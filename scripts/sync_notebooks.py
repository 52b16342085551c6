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

Two cells are added to every notebook here, after its title, and are in no source:

* ``open`` (markdown): the notebook's links to Binder and to Colab;
* ``install`` (code, folded): installs the suite from the repository with the
  ``lessons`` extra, only where ``convtutor`` is missing (Colab, VS Code, any Jupyter);
  in a prepared environment (``make lab``, Binder, a hub) it does nothing.

Both are built from ONE setting, the repository's address in ``pyproject.toml``
(``[project.urls] Repository``): change it there when you publish the suite, then run
this script. ``tests/test_binder.py`` checks the README's links against it too.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FORMAT = "md:myst"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
#: PyTorch's CPU wheels (the Makefile's TORCH_INDEX): the install cell takes torch from
#: there on Linux, where PyPI's wheels are multi-GB CUDA builds.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``OWNER/REPO``: the GitHub repository of the suite, the one setting for the links."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the copy of tomli that pip carries
        from pip._vendor import tomli as tomllib

    url = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(\.git)?/?", url)
    if match is None:
        raise ValueError(
            f"pyproject.toml's [project.urls] Repository must be https://github.com/OWNER/REPO; "
            f"got {url!r}"
        )
    return match.group(1)


def binder_url(repo: str, notebook: str) -> str:
    """A mybinder.org link that opens JupyterLab at ``notebooks/<notebook>``."""
    return f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/notebooks/{notebook}"


def colab_url(repo: str, notebook: str) -> str:
    """A Colab link that opens ``notebooks/<notebook>`` from the main branch on GitHub."""
    return f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/{notebook}"


def pip_target(repo: str) -> str:
    """What the install cell gives pip: the package with the lessons' extra, from GitHub."""
    return f"convtutor[lessons] @ git+https://github.com/{repo}"


def open_cell(repo: str, notebook: str):
    """The markdown cell with this notebook's Binder and Colab links."""
    text = (
        f"*Open this notebook [on Binder]({binder_url(repo, notebook)}) or "
        f"[in Colab]({colab_url(repo, notebook)}).*"
    )
    cell = nbformat.v4.new_markdown_cell(text, id="open")
    cell.metadata["tags"] = ["open"]
    return cell


def install_cell(repo: str):
    """The code cell that installs the suite where it is missing, and else does nothing."""
    code = f"""\
#@title Colab, VS Code: install convtutor if it is missing
# Where convtutor is installed already (make lab, Binder, a hub) this does nothing.
# Elsewhere it installs the suite and what the lessons need from the repository, and on
# Linux, if torch is missing, PyTorch's CPU build (PyPI's is a multi-GB CUDA build).
import importlib.util
import sys

if importlib.util.find_spec("convtutor") is None:
    if sys.platform == "linux" and importlib.util.find_spec("torch") is None:
        %pip install --quiet torch --index-url {TORCH_CPU_INDEX}
    %pip install --quiet "{pip_target(repo)}"
"""
    cell = nbformat.v4.new_code_cell(code.rstrip("\n"), id="install")
    # Folded in JupyterLab, a one-line form in Colab.
    cell.metadata.update({"cellView": "form", "jupyter": {"source_hidden": True}})
    cell.metadata["tags"] = ["install"]
    return cell


def build(source: Path, repo: str | None = None) -> str:
    """The ``.ipynb`` text generated from the MyST source ``source``."""
    repo = repo or repository()
    nb = jupytext.reads(source.read_text(encoding="utf-8"), fmt=FORMAT)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03d}"
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    name = source.with_suffix(".ipynb").name
    nb.cells[1:1] = [open_cell(repo, name), install_cell(repo)]
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
    repo = repository()
    for source in sources():
        target = source.with_suffix(".ipynb")
        text = build(source, repo)
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
