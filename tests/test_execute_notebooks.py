"""scripts/execute_notebooks.py: the executed copies are keyed on what a kernel can see.

The notebook, the package's Python and data and the settings decide whether a notebook
runs again; the page code (ES modules, style sheet) does not, and is written afresh
into every copy handed out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from convtutor.widgets import ALL
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture(scope="module")
def run():
    return load_script("execute_notebooks")


@pytest.fixture
def package(tmp_path):
    """A copy of the convtutor package to edit."""
    copy = tmp_path / "convtutor"
    shutil.copytree(ROOT / "convtutor", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_key_ignores_page_code_and_follows_python_and_data(run, package):
    """A JS or CSS edit keeps the package's key; a Python edit or a new data file changes it."""
    files = {p.relative_to(package).as_posix() for p in run.kernel_files(package)}
    assert "conv.py" in files and "widgets/_base.py" in files
    assert not any(f.startswith("widgets/static/") for f in files), files
    key = run._package_digest(package)
    module = package / "widgets" / "static" / "stacking.js"
    module.write_text("// a comment\n" + module.read_text(encoding="utf-8"), encoding="utf-8")
    (package / "widgets" / "static" / "common.css").write_text("/* restyled */\n")
    assert run._package_digest(package) == key
    (package / "conv.py").write_text((package / "conv.py").read_text() + "\n# a comment\n")
    changed = run._package_digest(package)
    assert changed != key
    (package / "photo.npy").write_bytes(b"data a kernel can read")
    assert run._package_digest(package) != changed


def saved_notebook(path: Path, esm: str, name: str = "stacking") -> None:
    """A notebook whose saved widget state holds one widget with page code ``esm``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {
        STATE: {
            "version_major": 2,
            "version_minor": 0,
            "state": {
                "m1": {
                    "model_name": "AnyModel",
                    "state": {"_esm": esm, "_css": "old", "_meta": {"name": name}},
                },
                "m2": {"model_name": "IntSliderModel", "state": {"value": 3}},
            },
        }
    }
    nbformat.write(nb, path)


def test_a_reused_copy_gets_the_current_page_code(run, tmp_path):
    """A current copy is reused without a kernel, and its saved widgets carry today's modules."""
    folder, out = tmp_path / "notebooks", tmp_path / "executed"
    folder.mkdir()
    out.mkdir()
    source = folder / "00_a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), source)
    saved_notebook(out / "00_a.ipynb", "export default {}; // last week's module")
    key = run.key_of(source, run._package_digest())
    record = {"name": "00_a", "key": key, "error": None, "seconds": 1.0}
    (out / "00_a.json").write_text(json.dumps(record))

    records = run.executed(out=out, folder=folder, jobs=1)

    assert records["00_a"]["reused"] is True
    state = nbformat.read(out / "00_a.ipynb", 4).metadata["widgets"][STATE]["state"]
    assert state["m1"]["state"]["_esm"] == ALL["stacking"]._esm
    assert state["m1"]["state"]["_css"] == ALL["stacking"]._css
    assert state["m2"]["state"] == {"value": 3}
    assert run.refresh_page_code(out / "00_a.ipynb", run.page_code()) is False


def test_a_widget_whose_module_is_gone_is_left_alone(run, tmp_path):
    """A saved widget naming no module the package has keeps its saved page code."""
    path = tmp_path / "n.ipynb"
    saved_notebook(path, "export default {};", name="no_such_module")
    assert run.refresh_page_code(path, run.page_code()) is False
    state = nbformat.read(path, 4).metadata["widgets"][STATE]["state"]["m1"]["state"]
    assert state["_esm"] == "export default {};"
