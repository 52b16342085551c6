"""Light kernels: PyTorch only where a cell checks against it; widget arrays once per machine.

A class on one server runs one kernel per student. Two things keep each kernel small:

* :func:`import_torch` imports PyTorch in the cells that check against it, not in a lesson's
  imports cell, so the widgets appear before PyTorch has loaded (about 2 s of CPU and
  150 MB of memory per kernel). Where PyTorch is not installed, such a cell prints one line
  that says how to install it, and "Run all" goes on to the next cell.
* :func:`cached` keeps what a widget computes from fixed inputs (arrays from the sample
  photo and the kernels its menus offer, its PNG fallback) in a cache folder of the user,
  keyed on convtutor's version, a digest of its source files and a digest of the inputs.
  The first kernel on a machine computes them; the others read them. Files are written
  to a temporary name and renamed, so kernels that start together never read half a file.

The cache folder is ``$CONVTUTOR_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/convtutor``
(``~/.cache/convtutor``), or ``%LOCALAPPDATA%\\convtutor`` on Windows.
``CONVTUTOR_CACHE_DIR=off`` turns the cache off. A folder that cannot be written is
no error: the arrays are then computed in each kernel, as without a cache.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["INSTALL_TORCH", "PyTorchMissing", "cache_dir", "cached", "import_torch"]

#: The command that installs what the lessons' PyTorch checks need.
INSTALL_TORCH = 'pip install "convtutor[lessons]"'


class PyTorchMissing(ModuleNotFoundError):
    """PyTorch cannot be imported. Jupyter shows it as one line, not a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for how an error is shown
        return [str(self)]


def _skip_cell_on_missing_torch(result) -> None:
    """IPython ``post_run_cell`` hook: a cell stopped by :class:`PyTorchMissing` counts as done.

    The cell has printed its one line; without this, Jupyter's "Run all" would stop
    there and the widgets further down would never appear.
    """
    if isinstance(getattr(result, "error_in_exec", None), PyTorchMissing):
        result.error_in_exec = None


def import_torch():
    """``import torch``, for a cell that checks against PyTorch.

    Returns
    -------
    module
        :mod:`torch`.

    Raises
    ------
    PyTorchMissing
        When PyTorch cannot be imported. In a Jupyter kernel the cell then shows one
        line (what is missing and how to install it) and "Run all" goes on with the
        next cell: only the PyTorch checks are skipped.
    """
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        missing = PyTorchMissing(
            "This cell checks against PyTorch, which this kernel cannot import. "
            f"To run it: {INSTALL_TORCH}, then restart the kernel.",
            name="torch",
        )
        shell = _ipython()
        if shell is not None:
            callbacks = shell.events.callbacks["post_run_cell"]
            if _skip_cell_on_missing_torch not in callbacks:
                shell.events.register("post_run_cell", _skip_cell_on_missing_torch)
        raise missing from error


def _ipython():
    """The running IPython shell, or None (plain Python; IPython not even imported)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # noqa: BLE001 - no shell is as good as none
        return None


# ---- the cache ---------------------------------------------------------------------------


def cache_dir() -> Path | None:
    """The folder of the array cache, or None when ``CONVTUTOR_CACHE_DIR=off``."""
    chosen = os.environ.get("CONVTUTOR_CACHE_DIR")
    if chosen:
        return None if chosen.lower() == "off" else Path(chosen)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "convtutor"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "convtutor"


def _version() -> str:
    from convtutor import __version__

    return __version__


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """sha256 of convtutor's Python sources: a changed checkout is a new key, as a new version."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _digest(name: str, inputs) -> str:
    """sha256 of the version, convtutor's sources, the name and the inputs (arrays by
    dtype, shape and bytes)."""
    h = hashlib.sha256()
    h.update(f"{_version()}\0{_code()}\0{name}\0".encode())

    def feed(value) -> None:
        if isinstance(value, np.ndarray):
            value = np.ascontiguousarray(value)
            h.update(f"array {value.dtype.str} {value.shape}\0".encode())
            h.update(value.tobytes())
        elif isinstance(value, dict):
            h.update(b"dict\0")
            for key in value:
                feed(str(key))
                feed(value[key])
        elif isinstance(value, (list, tuple)):
            h.update(f"seq {len(value)}\0".encode())
            for item in value:
                feed(item)
        elif isinstance(value, np.generic):
            feed(value.item())
        elif isinstance(value, (str, int, float, bool, type(None))):
            h.update(f"{type(value).__name__} {value!r}\0".encode())
        else:
            raise TypeError(f"cached: cannot key on a {type(value).__name__}")

    feed(inputs)
    return h.hexdigest()[:32]


def _read(path: Path, kind: str):
    if kind == "json":
        return json.loads(path.read_text(encoding="utf-8"))
    with np.load(path, allow_pickle=False) as stored:
        if kind == "array":
            return stored["array"]
        return {key: stored[key] for key in stored.files}


def _write(path: Path, value, kind: str) -> None:
    """Write to a temporary file in the same folder, then rename: atomic on one file system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # a class-wide cache is read by every student's kernel
        with os.fdopen(fd, "wb") as out:
            if kind == "json":
                out.write(json.dumps(value).encode("utf-8"))
            elif kind == "array":
                np.savez(out, array=value)
            else:
                np.savez(out, **value)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached(name: str, inputs, compute: Callable[[], object], kind: str = "array"):
    """``compute()``, kept on disk for every kernel of this machine and convtutor version.

    Parameters
    ----------
    name : str
        What is computed (part of the file name), e.g. ``"groups-torch-checks"``.
    inputs
        Everything the result depends on besides convtutor's code: arrays, numbers,
        strings, and lists, tuples and dicts of them. The key is a digest of these and
        of convtutor's version.
    compute : callable
        Computes the value when it is not in the cache.
    kind : {"array", "arrays", "json"}
        The value: one array, a dict of arrays (str -> ndarray), or JSON data.

    Returns
    -------
    The value, read from the cache or computed (and then stored).
    """
    if kind not in ("array", "arrays", "json"):
        raise ValueError(f'cached: kind must be "array", "arrays" or "json"; got {kind!r}')
    folder = cache_dir()
    if folder is None:
        return compute()
    suffix = ".json" if kind == "json" else ".npz"
    path = folder / _version() / f"{name}-{_digest(name, inputs)}{suffix}"
    try:
        return _read(path, kind)
    except Exception:  # noqa: BLE001 - absent, half-written by an old version, unreadable
        pass
    value = compute()
    try:
        _write(path, value, kind)
    except OSError:  # a read-only home, a full disk: the value is still right
        pass
    return value
