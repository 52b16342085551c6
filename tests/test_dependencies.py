"""The dependency contract: floors `make test-min` can install, and the reliances it checks.

See docs/dependencies.md. ``scripts/min_requirements.py`` turns pyproject.toml's ranges
into exact pins at the floors; these tests hold it to that, and check the behaviour of
the libraries that the widgets rely on, in whatever environment runs them (the newest
versions under ``make test``, the floors under ``make test-min``).
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
min_requirements = load_script("min_requirements")

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_every_dependency_becomes_a_pin_at_its_floor():
    """Each [project] dependency has one floor, and the pins list every one of them."""
    constraints = min_requirements.read_constraints(ROOT / "constraints.txt")
    for requirement in PROJECT["dependencies"]:
        req = Requirement(requirement)
        pin = min_requirements.floor_pin(requirement, constraints)
        name, _, version = pin.partition("#")[0].strip().partition("==")
        assert name == req.name, pin
        if req.name in min_requirements.FROM_CONSTRAINTS:
            assert version == constraints[req.name], pin
        else:
            floors = [s.version for s in req.specifier if s.operator == ">="]
            assert [version] == floors, pin
        assert Version(version) in req.specifier, f"{pin} is outside {requirement!r}"


@pytest.mark.parametrize(
    ("requirement", "pin"),
    [
        ("ipywidgets>=8.0,<9", "ipywidgets==8.0"),
        ("pillow >= 9.2", "pillow==9.2"),
        ("matplotlib>=3.10,<3.12", "matplotlib==3.10"),
    ],
)
def test_a_range_is_pinned_at_its_floor(requirement, pin):
    """'name>=X,<Y' becomes 'name==X', spaces or not."""
    assert min_requirements.floor_pin(requirement, {}) == pin


@pytest.mark.parametrize("requirement", ["numpy", "numpy<3", "numpy==2.0", "numpy>=1,>=2"])
def test_a_requirement_without_one_floor_is_refused_by_name(requirement):
    """No floor (or two) cannot be tested: the error quotes the requirement."""
    with pytest.raises(ValueError, match=re.escape(repr(requirement))):
        min_requirements.floor_pin(requirement, {})


def test_torch_comes_from_constraints_and_must_be_pinned_there():
    """torch is pinned as in constraints.txt; without a pin there the script says so."""
    assert min_requirements.floor_pin("torch>=2.1", {"torch": "2.13.0"}).startswith("torch==2.13.0")
    with pytest.raises(ValueError, match="constraints.txt"):
        min_requirements.floor_pin("torch>=2.1", {})


def test_the_script_prints_a_requirements_file(capsys):
    """Run as `make test-min` runs it: one pin or comment per line, pip's syntax."""
    assert min_requirements.main(["--extra", "test"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    pins = [line for line in lines if not line.startswith("#")]
    expected = len(PROJECT["dependencies"]) + len(PROJECT["optional-dependencies"]["test"])
    assert len(lines) - 1 == expected  # a heading comment, then one line each
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.+]*(  # .*)?", p) for p in pins)


def test_installed_versions_are_inside_the_ranges():
    """Every dependency installed here lies inside its range in pyproject.toml."""
    outside = []
    for requirement in PROJECT["dependencies"]:
        req = Requirement(requirement)
        installed = Version(importlib.metadata.version(req.name))
        if not req.specifier.contains(installed, prereleases=True):
            outside.append(f"{req.name} {installed} (wanted {req.specifier})")
    assert not outside, "installed outside pyproject.toml's ranges: " + ", ".join(outside)


def test_anywidget_sends_the_module_as_text_and_arrays_as_buffers():
    """What the widgets rely on: `_esm` given as a string is synced as a string, and bytes
    inside a Dict trait are lifted out as binary buffers by ipywidgets' _remove_buffers."""
    anywidget = pytest.importorskip("anywidget")
    import traitlets
    from ipywidgets.widgets.widget import _remove_buffers

    class Tiny(anywidget.AnyWidget):
        _esm = "export default { render({ model, el }) { el.textContent = 'hi'; } };"
        _arrays = traitlets.Dict().tag(sync=True)

    data = b"\x00\x00\x80\x3f" * 3  # three float32 ones
    widget = Tiny(_arrays={"ones": data})
    try:
        state, paths, buffers = _remove_buffers(widget.get_state())
        assert state["_esm"] == Tiny._esm
        assert paths == [["_arrays", "ones"]]
        assert [bytes(b) for b in buffers] == [data]
    finally:
        widget.close()
