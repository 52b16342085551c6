"""How long the whole test suite takes: before (the last kernel-drawn version) and now.

Issue "A house a new maintainer can pick up" asks that ``make test`` not be slower than
it was before the suite grew (the sweeps of every widget in JupyterLab, with the kernel
shut down and in the static edition; the whole-grid widget tests). Here both test suites
run one after the other in one run on this machine, each from a git worktree of its
commit with this environment's Python (``PYTHONPATH`` points at the worktree, so the
tests, the kernels they start and the notebooks they execute use that commit's
package):

- before: ``OLD_COMMIT``, run as its Makefile ran it (``pytest``, one process);
- now: the committed ``HEAD``, run as ``make test`` runs it (``pytest -n auto --dist
  loadgroup``), and the same suite in one process (``-p no:xdist``), so the report
  shows what the faster tests give and what the second core gives.

Each run starts from its own fresh worktree: nothing is cached (the notebooks are
executed in every run). ``CI=true``, as ``.ci/run`` sets it: the browser tests must run.
Set-up (the environment, Chromium) is not in the time; it is the same for both.
The old suite needs ``ipympl`` (``pip install -e '.[bench]'``, as ``make bench`` does).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OLD_COMMIT = "e60689f"  # the last commit before the browser-drawn widgets (stop 9)
# pytest's last line: "967 passed in 279.14s (0:04:39)" (with -q; "=== ... ===" without)
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", re.M)


@contextlib.contextmanager
def worktree(commit: str):
    """A detached git worktree of ``commit`` in a temporary folder (removed after)."""
    folder = Path(tempfile.mkdtemp(prefix="convtutor-tests-"))
    tree = folder / "tree"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield tree
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def run_suite(commit: str, args: list[str]) -> dict:
    """Run pytest with ``args`` in a fresh worktree of ``commit``; wall time and summary."""
    with worktree(commit) as tree:
        sha = subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        env = dict(os.environ, CI="true", PYTHONPATH=str(tree))
        env.pop("CONVTUTOR_QUICK", None)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
    lines = [m.group(1) for m in SUMMARY.finditer(done.stdout)]
    return {
        "commit": sha,
        "command": " ".join(["pytest", *args]),
        "seconds": seconds,
        "summary": lines[-1] if lines else f"no summary (exit {done.returncode})",
        "ok": done.returncode == 0,
    }


def run() -> str:
    try:
        import ipympl  # noqa: F401
    except ImportError:
        return (
            "## make test: before and now\n\nNot measured: the old suite needs ipympl "
            "(pip install -e '.[bench]').\n"
        )
    rows = [
        ("before (last kernel-drawn version)", run_suite(OLD_COMMIT, [])),
        ("now, as make test runs it", run_suite("HEAD", ["-n", "auto", "--dist", "loadgroup"])),
        ("now, one process", run_suite("HEAD", ["-p", "no:xdist"])),
    ]
    before = rows[0][1]["seconds"]
    out = [
        "## make test: before and now",
        "",
        "The whole test suite, browser tests included (`CI=true`), each from a fresh git",
        "worktree with nothing cached, one after the other in one run on this machine",
        f"({os.cpu_count()} logical cores). Set-up (environment, Chromium) is not timed.",
        "",
        "| suite | commit | command | wall time | vs before | result |",
        "|---|---|---|---:|---:|---|",
    ]
    for label, r in rows:
        out.append(
            f"| {label} | {r['commit']} | `{r['command']}` | {r['seconds']:.0f} s | "
            f"{r['seconds'] / before:.2f} | {r['summary']}{'' if r['ok'] else ' (FAILED)'} |"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(run())
