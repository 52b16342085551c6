"""Binder: the links open JupyterLab at notebooks that exist, and repo2docker finds the config.

The README and 00_start_here carry mybinder.org links of the form
``https://mybinder.org/v2/gh/OWNER/REPO/REF?urlpath=lab/tree/notebooks/NAME.ipynb``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
START = ROOT / "notebooks" / "00_start_here.ipynb"
BINDER_LINK = re.compile(
    r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w./-]+"
    r"\?urlpath=lab/tree/notebooks/([\w.-]+\.ipynb)"
)


def _start_here_binder_cell() -> str:
    nb = nbformat.read(START, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.search(r"^#+\s*Run it on Binder", cell.source, re.M):
            return cell.source
    raise AssertionError("00_start_here has no markdown cell titled 'Run it on Binder'")


def test_link_pattern_reads_a_binder_link():
    """The link pattern finds the notebook in a lab link, and ignores a link without urlpath."""
    text = (
        "[a](https://mybinder.org/v2/gh/OWNER/convtutor/HEAD?urlpath=lab/tree/notebooks/02_x.ipynb)"
        " [b](https://mybinder.org/v2/gh/OWNER/convtutor/HEAD)"
    )
    assert BINDER_LINK.findall(text) == ["02_x.ipynb"]


def test_readme_links_every_notebook_on_binder():
    """README has a Binder link opening JupyterLab at each notebook in notebooks/."""
    linked = set(BINDER_LINK.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    missing = [p.name for p in NOTEBOOKS if p.name not in linked]
    assert NOTEBOOKS, "no notebooks found"
    assert not missing, f"README has no Binder link for: {', '.join(missing)}"


@pytest.mark.parametrize("where", ["README.md", "notebooks/00_start_here.ipynb"])
def test_binder_links_point_to_existing_notebooks(where):
    """Every Binder link in the README and in 00_start_here opens a notebook that exists."""
    if where.endswith(".ipynb"):
        text = _start_here_binder_cell()
    else:
        text = (ROOT / where).read_text(encoding="utf-8")
    targets = BINDER_LINK.findall(text)
    assert targets, f"{where} has no Binder link that opens JupyterLab at a notebook"
    broken = sorted({t for t in targets if not (ROOT / "notebooks" / t).exists()})
    assert not broken, f"{where} links to notebooks that do not exist: {broken}"


def test_repo2docker_sees_environment_and_postbuild():
    """environment.yml and an executable postBuild sit at the top level, not hidden by binder/."""
    for hidden in ("binder", ".binder"):
        assert not (ROOT / hidden).exists(), (
            f"a {hidden}/ folder makes repo2docker ignore the top-level environment.yml"
        )
    assert (ROOT / "environment.yml").is_file()
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "postBuild must be executable (chmod +x postBuild)"
    scripts = re.findall(r"python\s+(\S+\.py)", post_build.read_text())
    assert scripts and all((ROOT / s).is_file() for s in scripts), scripts
