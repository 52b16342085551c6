"""Execute the notebooks once, into ``build/executed/``, for everything that needs them.

The notebook tests, the static HTML edition and the browser tests all read the same
executed copies, so one ``make test`` runs each notebook once. A copy is reused while
it is current: its record holds a hash of what the notebook's kernel can see -- the
notebook, the ``convtutor`` package's Python and data (every file but the page code in
``convtutor/widgets/static/``) and the settings (``CONVTUTOR_QUICK``); when any of them
changes, the notebook runs again. The page code (each widget's ES module and style
sheet, saved in the copy's widget state) runs in the browser, not in the kernel: it is
written afresh into every copy handed out, so editing a module, even a comment in it,
re-executes nothing.

Each notebook runs in a fresh ``python3`` kernel with its folder as the working
directory, and the widget state is saved in the executed copy's metadata (as Jupyter
saves it): the static edition renders the widgets from it with no kernel.

Usage: ``python scripts/execute_notebooks.py [--quick] [--jobs N] [--force] [NAME ...]``
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ROOT / "build" / "executed"


def reading_order(names=None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks in reading order (by their number prefix), optionally a subset."""
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return paths
    chosen = []
    for name in names:
        stem = Path(name).stem
        hits = [p for p in paths if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if not hits:
            known = ", ".join(p.stem for p in paths) or "none"
            raise SystemExit(f"no notebook named {name!r}; there are: {known}")
        chosen.extend(h for h in hits if h not in chosen)
    return sorted(chosen)


#: The page code: runs in the browser, never in a notebook's kernel (see page_code).
PAGE_CODE = ROOT / "convtutor" / "widgets" / "static"


def kernel_files(package: Path = ROOT / "convtutor") -> list[Path]:
    """The package's files a kernel can read: its Python and data, not the page code."""
    page = package / PAGE_CODE.relative_to(ROOT / "convtutor")
    return [
        path
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and page not in path.parents
    ]


def _package_digest(package: Path = ROOT / "convtutor") -> str:
    h = hashlib.sha256()
    for path in kernel_files(package):
        h.update(str(path.relative_to(package)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def page_code() -> dict[str, dict]:
    """Module name -> ``{"_esm", "_css"}`` of each widget, as the package holds them now."""
    from convtutor.widgets import ALL

    return {cls.MODULE: {"_esm": cls._esm, "_css": cls._css} for cls in ALL.values()}


def refresh_page_code(path: Path, code: dict[str, dict]) -> bool:
    """Write the current page code into the widget state saved in ``path``; True if it changed.

    A saved widget names its module in ``_meta["name"]``; one whose module the package
    no longer has is left as it is (its notebook re-executes anyway: the Python changed).
    """
    nb = nbformat.read(path, as_version=4)
    saved = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    changed = False
    for model in saved.get("state", {}).values():
        state = model.get("state", {})
        current = code.get(state.get("_meta", {}).get("name"))
        if "_esm" in state and current:
            for key, text in current.items():
                if state.get(key) != text:
                    state[key] = text
                    changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def key_of(path: Path, package: str) -> str:
    """What an executed copy depends on: the notebook, the package, the settings."""
    h = hashlib.sha256(path.read_bytes())
    h.update(package.encode())
    h.update(os.environ.get("CONVTUTOR_QUICK", "").encode())
    return h.hexdigest()


def execute(nb, cwd: Path, timeout: int, env: dict | None = None) -> str | None:
    """Run a notebook in a fresh python3 kernel (widget state saved); the error, or None."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        store_widget_state=True,
    )
    try:
        client.execute(**({"env": env} if env is not None else {}))
    except CellExecutionError as exc:
        return str(exc)
    except Exception as exc:  # a dead kernel, a timeout: report it, run the rest
        return f"{type(exc).__name__}: {exc}"
    return None


def _run_one(path: str, out: str, key: str, timeout: int) -> dict:
    start = time.perf_counter()
    source = Path(path)
    nb = nbformat.read(source, as_version=4)
    # The kernel's environment: this one, without a matplotlib backend forced on it.
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    error = execute(nb, source.parent, timeout, env)
    target = Path(out) / source.name
    nbformat.write(nb, target)
    record = {
        "name": source.stem,
        "key": key,
        "error": error,
        "seconds": round(time.perf_counter() - start, 1),
    }
    target.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def executed(
    names=None,
    *,
    out: Path = EXECUTED,
    jobs: int = 2,
    timeout: int = 900,
    force: bool = False,
    folder: Path = NOTEBOOKS,
) -> dict[str, dict]:
    """Name -> record ``{name, key, error, seconds, path, reused}``; runs what is stale.

    Holds a lock on ``out`` meanwhile: when several processes ask at once (the test
    workers of ``pytest -n``), one executes and the others wait, then reuse its copies.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out / ".lock"):
        return _executed(names, out, jobs, timeout, force, folder)


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` (POSIX ``flock``; elsewhere no lock is taken)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: one process at a time is up to the caller
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _executed(names, out: Path, jobs: int, timeout: int, force: bool, folder: Path):
    package = _package_digest()
    records, todo = {}, []
    for path in reading_order(names, folder):
        key = key_of(path, package)
        record_path = out / f"{path.stem}.json"
        record = json.loads(record_path.read_text()) if record_path.exists() else None
        if (
            not force
            and record is not None
            and record.get("key") == key
            and (out / path.name).exists()
        ):
            records[path.stem] = {**record, "reused": True}
        else:
            todo.append((str(path), str(out), key, timeout))
    if todo:
        if jobs > 1 and len(todo) > 1:
            # The longest first (06, 07), so the two workers finish together.
            todo.sort(key=lambda a: -Path(a[0]).stat().st_size)
            with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
                done = list(pool.map(_run_one, *zip(*todo, strict=True)))
        else:
            done = [_run_one(*a) for a in todo]
        for record in done:
            records[record["name"]] = {**record, "reused": False}
    code = page_code() if records else {}
    for name, record in records.items():
        record["path"] = str(out / f"{name}.ipynb")
        if record["reused"]:
            refresh_page_code(Path(record["path"]), code)
    return dict(sorted(records.items()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--quick", action="store_true", help="set CONVTUTOR_QUICK=1")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--force", action="store_true", help="run even if current")
    parser.add_argument("--out", type=Path, default=EXECUTED)
    args = parser.parse_args(argv)
    if args.quick:
        os.environ["CONVTUTOR_QUICK"] = "1"
    start = time.perf_counter()
    records = executed(args.names, out=args.out, jobs=args.jobs, force=args.force)
    for r in records.values():
        status = "FAILED" if r["error"] else ("reused" if r["reused"] else "ran")
        print(f"{status:6} {r['name']:28} {r['seconds']:6.1f} s")
    print(f"{len(records)} notebooks in {time.perf_counter() - start:.0f} s -> {args.out}")
    return 1 if any(r["error"] for r in records.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
