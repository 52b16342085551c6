"""Light kernels (convtutor.light): the array cache, PyTorch only where a cell checks against
it, and the lessons 00-05 in a kernel that cannot import PyTorch: every widget still shows,
and each PyTorch check says in one line what to install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import numpy as np
import pytest

from convtutor import light

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("0[0-5]_*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# Run in the kernel before any cell: "import torch" then fails as where it is not installed
# (an import hook; sys.modules["torch"] = None would confuse scipy, which looks there).
NO_TORCH = """
import sys


class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NoTorch())
"""


# ---- the cache ---------------------------------------------------------------------------
@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVTUTOR_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("array", np.arange(12.0).reshape(3, 4) / 7),
        ("arrays", {"a": np.ones((2, 2)), "b": np.array([1, 2, 3], dtype=np.int32)}),
        ("json", {"12/3/5": {"max_diff": 2.220446049250313e-16, "shape": [12, 4, 5, 5]}}),
    ],
)
def test_cached_computes_once_then_reads_the_same(cache, kind, value):
    """cached computes once, then reads back the same values and dtypes; no .tmp file is left."""
    compute, calls = _counting(value)
    first = light.cached("thing", {"x": np.ones(3)}, compute, kind=kind)
    second = light.cached("thing", {"x": np.ones(3)}, compute, kind=kind)
    assert len(calls) == 1
    for got in (first, second):
        if kind == "array":
            assert got.dtype == value.dtype and np.array_equal(got, value)
        elif kind == "arrays":
            assert sorted(got) == sorted(value)
            assert all(np.array_equal(got[k], value[k]) for k in value)
            assert all(got[k].dtype == value[k].dtype for k in value)
        else:
            assert got == value
    files = list(cache.rglob("*"))
    assert [p.name for p in files if p.is_file() and p.name.endswith(".tmp")] == []
    assert any(light._version() == p.name for p in files if p.is_dir())


@pytest.mark.parametrize(
    "other",
    [
        {"x": np.ones(3) * 2},  # other values
        {"x": np.ones(4)},  # another shape
        {"x": np.ones(3, dtype=np.float32)},  # another dtype
        {"y": np.ones(3)},  # another name
        {"x": np.ones(3), "n": 1},  # one more input
    ],
)
def test_other_inputs_are_another_entry(cache, other):
    """Other values, shape, dtype, names or one more input make another cache entry."""
    compute, calls = _counting(np.zeros(2))
    light.cached("thing", {"x": np.ones(3)}, compute)
    light.cached("thing", other, compute)
    assert len(calls) == 2


def test_another_version_is_another_entry(cache, monkeypatch):
    """Another version of convtutor makes another cache entry."""
    compute, calls = _counting(np.zeros(2))
    light.cached("thing", 1, compute)
    monkeypatch.setattr(light, "_version", lambda: "9.9.9")
    light.cached("thing", 1, compute)
    assert len(calls) == 2


def test_a_damaged_file_is_computed_again(cache):
    """A damaged cache file is computed again, and the right value returned."""
    compute, calls = _counting(np.arange(3.0))
    light.cached("thing", 1, compute)
    (stored,) = cache.rglob("*.npz")
    stored.write_bytes(b"half a file")
    assert np.array_equal(light.cached("thing", 1, compute), np.arange(3.0))
    assert len(calls) == 2


def test_off_and_unwritable_folders_compute_every_time(tmp_path, monkeypatch):
    """With the cache off or its folder unwritable, every call computes, and gives the value."""
    compute, calls = _counting(np.zeros(2))
    monkeypatch.setenv("CONVTUTOR_CACHE_DIR", "off")
    light.cached("thing", 1, compute)
    light.cached("thing", 1, compute)
    assert len(calls) == 2
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CONVTUTOR_CACHE_DIR", str(blocker / "cache"))
    assert np.array_equal(light.cached("thing", 1, compute), np.zeros(2))
    assert len(calls) == 3


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    """Without CONVTUTOR_CACHE_DIR the cache is convtutor/ in XDG_CACHE_HOME."""
    monkeypatch.delenv("CONVTUTOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert light.cache_dir() == tmp_path / "convtutor"


def test_bad_arguments_are_named(cache):
    """An unknown kind, or an input cached cannot key on, raises an error naming what is wrong."""
    with pytest.raises(ValueError, match="kind"):
        light.cached("thing", 1, lambda: 1, kind="pickle")
    with pytest.raises(TypeError, match="object"):
        light.cached("thing", object(), lambda: 1)


def test_concurrent_writers_never_leave_a_half_file(cache):
    """Many threads compute and write one entry at once: every reader gets the whole value."""
    value = np.random.default_rng(0).normal(size=(64, 64))
    results, errors = [], []

    def worker():
        try:
            for _ in range(20):
                results.append(light.cached("race", 1, lambda: value.copy()))
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 120 and all(np.array_equal(r, value) for r in results)
    assert [p for p in cache.rglob("*.tmp")] == []


def test_separable_pipeline_reads_its_differences_from_the_cache(cache):
    """SeparablePipeline's differences are stored once per photo and read back equal."""
    from convtutor.widgets import SeparablePipeline

    first = SeparablePipeline().differences
    assert len(list(cache.rglob("separable-differences-*.npz"))) == 1
    second = SeparablePipeline().differences
    assert np.array_equal(first, second)
    other = SeparablePipeline(np.random.default_rng(1).uniform(size=(3, 20, 20))).differences
    assert len(list(cache.rglob("separable-differences-*.npz"))) == 2
    assert other.shape == first.shape


def test_sobel_tables_from_the_cache_are_the_computed_ones(cache):
    """The Sobel widget's tables read from the cache equal the computed ones, dtypes too."""
    from convtutor import data
    from convtutor.widgets import sobel_separability as sobel

    grey = data.to_gray(data.sample_image(32))
    fresh = sobel._tables(grey)
    sobel._cached_tables.cache_clear()
    sobel._tables_for(grey)  # computes and stores
    sobel._cached_tables.cache_clear()
    stored = sobel._tables_for(grey)  # reads
    assert len(list(cache.rglob("sobel-tables-*.npz"))) == 1
    assert stored["configs"] == fresh["configs"] and stored["top"] == fresh["top"]
    assert sorted(stored["arrays"]) == sorted(fresh["arrays"])
    for name, array in fresh["arrays"].items():
        assert stored["arrays"][name].dtype == array.dtype
        assert np.array_equal(stored["arrays"][name], array)
    sobel._cached_tables.cache_clear()


def test_cache_files_are_readable_by_everyone(cache):
    """A class-wide cache (hub/jupyterhub_config.py) is filled by the instructor and read
    by every student's kernel."""
    light.cached("thing", 1, lambda: np.zeros(2))
    (stored,) = cache.rglob("*.npz")
    assert stored.stat().st_mode & 0o444 == 0o444


def test_groups_checks_shipped_are_the_ones_computed_here():
    """The GroupsContinuum widget reads its PyTorch checks from the package: they are the
    ones torch_checks() computes with the PyTorch installed here (counts and shapes exactly;
    the rounding-sized differences within 1e-12, and printed as the page prints them)."""
    from convtutor.widgets.groups_continuum import shipped_torch_checks, torch_checks

    shipped, computed = shipped_torch_checks(), torch_checks()
    assert sorted(shipped) == sorted(computed)
    for key, check in computed.items():
        got = shipped[key]
        assert got["torch_params"] == check["torch_params"]
        assert got["weight_shape"] == check["weight_shape"]
        assert abs(got["max_diff"] - check["max_diff"]) <= 1e-12
        assert got["diff_text"] == ("0" if got["max_diff"] == 0 else f"{got['max_diff']:.1e}")


# ---- PyTorch missing ---------------------------------------------------------------------
def test_import_torch_without_torch_raises_one_line():
    """Without PyTorch, import_torch raises PyTorchMissing, shown as one line on how to install."""
    code = (
        f"{NO_TORCH}\n"
        "import convtutor as ct\n"
        "try:\n"
        "    ct.import_torch()\n"
        "except ModuleNotFoundError as e:\n"
        "    print(type(e).__name__, e.name, repr(e._render_traceback_()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert out.startswith("PyTorchMissing torch [")
    (line,) = eval(out.split(" ", 2)[2])  # one line, no traceback
    assert light.INSTALL_TORCH in line and "\n" not in line


def test_import_torch_with_torch_is_torch():
    """With PyTorch installed, import_torch returns the torch module."""
    import torch

    assert light.import_torch() is torch


def _run_without_torch(path: Path, tmp_path: Path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "CONVTUTOR_QUICK": "1", "CONVTUTOR_CACHE_DIR": str(tmp_path)}
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=[f"--IPKernelApp.exec_lines={json.dumps([NO_TORCH])}"],
    )
    client.execute(env=env)  # raises CellExecutionError if a cell fails (run-all would stop)
    return nb


@pytest.mark.notebook
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_without_torch_shows_every_widget(path, tmp_path):
    """Run all in a kernel that cannot import PyTorch: no cell fails (so Jupyter's run-all
    goes on), every widget a normal run shows is there, and each PyTorch check shows one
    line with the install command instead of a traceback."""
    nb = _run_without_torch(path, tmp_path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    shown = [c for c in code if c.source.strip().endswith(".widget")]  # a widget's cell
    assert shown
    for cell in shown:
        assert any(WIDGET_MIME in o.get("data", {}) for o in cell.outputs), cell.source
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors, "no cell needed PyTorch: the test no longer tests the missing case"
    for error in errors:
        assert error.ename == "PyTorchMissing", error.traceback
        assert len(error.traceback) == 1 and light.INSTALL_TORCH in error.traceback[0]
    stderr = [o.text for c in code for o in c.outputs if o.get("name") == "stderr"]
    assert stderr == []
