"""The dependency contract: floors `make test-min` can install, and the reliances it checks.

See docs/dependencies.md. ``scripts/min_requirements.py`` turns pyproject.toml's ranges
into exact pins at the floors; these tests hold it to that, and check the behaviour of
the libraries that the widgets rely on, in whatever environment runs them (the newest
versions under ``make test``, the floors under ``make test-min``).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (make test-py): the copy of tomli that pip carries
    from pip._vendor import tomli as tomllib

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
min_requirements = load_script("min_requirements")

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]
#: What `make setup` installs: the package, the lessons and the tests.
INSTALLED_BY_MAKE = PROJECT["dependencies"] + EXTRAS["lessons"] + EXTRAS["test"]


def _name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def test_every_dependency_becomes_a_pin_at_its_floor():
    """Each dependency and lessons requirement has one floor, and becomes a pin at it."""
    constraints = min_requirements.read_constraints(ROOT / "constraints.txt")
    for requirement in PROJECT["dependencies"] + EXTRAS["lessons"]:
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
    """Run as `make test-min` runs it: one pin or comment per package, pip's syntax."""
    assert min_requirements.main(["--extra", "lessons", "--extra", "test"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    pins = [line for line in lines if not line.startswith("#")]
    expected = {_name(r) for r in INSTALLED_BY_MAKE}  # scipy is in two lists: pinned once
    assert len(lines) - 1 == len(expected)  # a heading comment, then one line each
    assert {canonicalize_name(p.split("==")[0]) for p in pins} <= expected
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.+]*(  # .*)?", p) for p in pins)


def test_installed_versions_are_inside_the_ranges():
    """Every requirement installed here lies inside its range in pyproject.toml (the
    lessons extra is absent under `make test-py`, Playwright and ruff under `make
    test-min`: those are not checked there)."""
    outside = []
    for requirement in INSTALLED_BY_MAKE:
        req = Requirement(requirement)
        try:
            installed = Version(importlib.metadata.version(req.name))
        except importlib.metadata.PackageNotFoundError:
            # the lessons extra (not in make test-py), or the browser and lint tools
            # (not in make test-min)
            absent_allowed = {_name(r) for r in EXTRAS["lessons"]} | min_requirements.LEFT_OUT
            assert _name(requirement) in absent_allowed, f"{req.name} is not installed"
            continue
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


# ---- light dependencies: what `pip install convtutor` brings, and the extras ----------

#: Imported by the package but installed by a core dependency that requires it.
COMES_WITH = {"traitlets": "ipywidgets"}
#: Imported by the package only inside the functions that need them (the experiments of
#: notebooks 06-07, the PyTorch checks): the `lessons` extra brings them.
LESSONS_ONLY = {"torch", "tqdm"}


def _imports(tree) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level?) for each import in a parsed file."""
    import ast

    found = []

    def visit(node, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], top) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], top))
            visit(child, inner)

    visit(tree, True)
    return found


def package_imports() -> dict[str, bool]:
    """Third-party module -> True if some file of convtutor imports it at module level."""
    import ast

    modules: dict[str, bool] = {}
    for path in (ROOT / "convtutor").rglob("*.py"):
        for module, top in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module in sys.stdlib_module_names or module in ("convtutor", "__future__"):
                continue
            modules[module] = modules.get(module, False) or top
    return modules


def test_the_core_dependencies_are_what_the_package_imports():
    """`pip install convtutor` brings every package convtutor imports at module level,
    and nothing for the lessons only (no JupyterLab, torch, tqdm, scipy)."""
    core = {_name(r) for r in PROJECT["dependencies"]}
    lessons = {_name(r) for r in EXTRAS["lessons"]}
    imports = package_imports()
    dist = {"PIL": "pillow"}
    at_top = {canonicalize_name(dist.get(m, m)) for m, top in imports.items() if top}
    missing = sorted(at_top - core - set(COMES_WITH))
    assert not missing, f"imported at module level but not a core dependency: {missing}"
    for name, parent in COMES_WITH.items():
        assert name in at_top and parent in core, (name, parent)
    inside = {canonicalize_name(dist.get(m, m)) for m, top in imports.items() if not top}
    assert inside - core == LESSONS_ONLY, inside - core
    assert LESSONS_ONLY <= lessons
    assert not core & {"jupyterlab", "torch", "tqdm", "scipy"}, core
    unused = sorted(core - at_top - inside)
    assert not unused, f"core dependencies the package does not import: {unused}"


def test_the_lessons_extra_has_what_the_notebooks_import():
    """Each lesson's imports are the package, the standard library, a core dependency or
    the `lessons` extra (IPython comes with JupyterLab's kernel)."""
    import ast

    allowed = {_name(r) for r in PROJECT["dependencies"] + EXTRAS["lessons"]}
    allowed |= {"ipython", "traitlets"}
    dist = {"PIL": "pillow", "IPython": "ipython"}
    jupytext = pytest.importorskip("jupytext")
    problems = []
    for source in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.md")):
        nb = jupytext.read(source)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            code = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line
                for line in cell.source.splitlines()
            )
            for module, _ in _imports(ast.parse(code)):
                if module in sys.stdlib_module_names or module == "convtutor":
                    continue
                if canonicalize_name(dist.get(module, module)) not in allowed:
                    problems.append(f"{source.name}: {module}")
    assert not problems, "lessons import what neither the package nor `lessons` brings: " + str(
        problems
    )


def test_import_convtutor_and_its_widgets_without_the_lessons_extra():
    """With torch, tqdm, scipy and JupyterLab made unimportable, the package, its plots,
    checks and experiments import, and every widget builds (GroupsContinuum reads its
    PyTorch checks from the copy shipped in the package)."""
    import subprocess

    code = (
        "import sys\n"
        "for m in ('torch', 'tqdm', 'scipy', 'jupyterlab'): sys.modules[m] = None\n"
        "import pkgutil, convtutor, convtutor.viz, convtutor.checks, convtutor.experiment\n"
        "for m in pkgutil.iter_modules(convtutor.checks.__path__):\n"
        "    __import__('convtutor.checks.' + m.name)\n"
        "from convtutor.widgets import ALL\n"
        "built = []\n"
        "for name, cls in ALL.items():\n"
        "    try:\n"
        "        cls(); built.append(name)\n"
        "    except ImportError as exc:\n"
        "        print('needs', name, exc.name)\n"
        "print('built', len(built))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    from convtutor.widgets import ALL

    assert out == [f"built {len(ALL)}"], out


# ---- PyTorch's CPU build: the command lines `make` builds --------------------------------
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _make_pip_lines(target: str, **variables: str) -> list[list[str]]:
    """The pip commands `make -n -B TARGET VAR=...` would run (nothing runs), as words."""
    import shlex
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in __import__("os").environ.items() if k != "TORCH_INDEX"}
    args = ["make", "-n", "-B", target] + [f"{k}={v}" for k, v in variables.items()]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, check=True)
    return [shlex.split(line) for line in out.stdout.splitlines() if " pip install " in line]


def _torch_line(lines: list[list[str]]) -> list[str]:
    (line,) = [words for words in lines if any(w.startswith("torch") for w in words)]
    return line


@pytest.mark.parametrize("target", ["setup", "test-min"])
def test_make_takes_torch_from_the_cpu_index_only_and_first(target):
    """With TORCH_INDEX set, torch is installed on its own, before anything else pulls it
    in, as constraints.txt's version with the local label +cpu (which PyPI never carries),
    from that index alone (--index-url, no extra index)."""
    pin = min_requirements.read_constraints(ROOT / "constraints.txt")["torch"]
    lines = _make_pip_lines(target, TORCH_INDEX=CPU_INDEX)
    torch = _torch_line(lines)
    assert f"torch=={pin}+cpu" in torch
    assert torch[torch.index("--index-url") + 1] == CPU_INDEX
    assert not [w for w in torch if "extra-index" in w], torch
    # the package and the requirements come after, so torch is there when they need it
    after = [i for i, words in enumerate(lines) if "-e" in words or "-r" in words]
    assert after and min(after) > lines.index(torch), lines
    if target == "setup":
        assert lines[-1][-4:] == ["-c", "constraints.txt", "-e", ".[lessons,test]"]


def test_make_uses_the_cpu_index_by_default_on_linux():
    """On Linux, with TORCH_INDEX unset (neither given nor in the environment), set-up
    uses PyTorch's CPU index."""
    if sys.platform != "linux":
        pytest.skip("the default applies on Linux")
    torch = _torch_line(_make_pip_lines("setup"))
    assert torch[torch.index("--index-url") + 1] == CPU_INDEX


def test_make_with_torch_index_empty_installs_the_pinned_torch_from_the_usual_indexes():
    """TORCH_INDEX= (as .ci/run sets it): constraints.txt's torch, no index option."""
    pin = min_requirements.read_constraints(ROOT / "constraints.txt")["torch"]
    torch = _torch_line(_make_pip_lines("setup", TORCH_INDEX=""))
    assert f"torch=={pin}" in torch and not [w for w in torch if "index" in w], torch
    assert "TORCH_INDEX=" in (ROOT / ".ci" / "run").read_text()
