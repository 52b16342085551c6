"""A small class on a real JupyterHub (benchmarks/bench_class.py, N = 3): the README's hub
configuration (hub/jupyterhub_config.py) starts, three students log in at once, start their
servers, run all of lesson 02 and move a slider, with no failure. Where Chromium and
Playwright are there (the browser tests' condition), one of the three is a real browser:
the hub's login page, JupyterLab, Run All, the first widget painted, a slider moved by key.
The full class (N = 1, 10, 30, lessons 00-05, before and after) is a benchmark: make bench."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _hub_problem() -> str | None:
    python = os.environ.get("CONVTUTOR_HUB_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import jupyterhub"], capture_output=True)
    if probe.returncode:
        return f"{python} cannot import jupyterhub (the test extra has it)"
    if shutil.which("npm") is None:
        return "npm is missing (configurable-http-proxy comes from npm)"
    return None


@pytest.mark.hub
@pytest.mark.notebook
def test_three_students_on_a_real_hub(tmp_path):
    """Three students on a real hub run lesson 02 without failure and fill one shared cache."""
    problem = _hub_problem()
    if problem:
        if _under_ci():
            pytest.fail(f"the hub test is required under CI but cannot run: {problem}")
        pytest.skip(problem)
    spec = importlib.util.spec_from_file_location(
        "bench_class", ROOT / "benchmarks" / "bench_class.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    # A cold cache shared by the three: they compute and write the same files at once.
    # In a thread of its own: the benchmark runs its students with asyncio.run(), which
    # refuses a thread that already runs an event loop (Playwright's, when a browser test
    # ran before this one on the same worker).
    from tests.support.lab_harness import browser_problem

    browsers = 0 if browser_problem() else 1
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        result = pool.submit(
            bench.run_class,
            ROOT,
            3,
            tmp_path / "cache",
            lessons=["02_depthwise"],
            browsers=browsers,
        ).result()
    students = result["students"]
    assert sum(bool(s.get("browser")) for s in students) == browsers
    for s in students[:browsers]:  # the browser student saw a widget painted and moved it
        assert s["painted"] is not None and s["key_ms"] is not None, s
    assert [s["failures"] for s in students] == [[], [], []]
    for s in students:
        assert s["start"] is not None
        assert s["first"].get("02_depthwise") is not None, s
        assert s["move"].get("02_depthwise") is not None, s  # the slider's update came back
        assert s["cpu"] and s["peak_rss"] > 0
    assert list((tmp_path / "cache").rglob("*.npz")), "the students' kernels filled the cache"
    assert not list((tmp_path / "cache").rglob("*.tmp"))
