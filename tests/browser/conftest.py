"""One JupyterLab server and one headless Chromium for the whole browser-test session.

Without /usr/bin/chromium or the playwright package the browser tests are skipped
with the reason; under CI (environment variable ``CI`` set, as ``.ci/run`` does) a
missing browser fails the run instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lab_harness import REPO, Browser, LabServer, browser_problem

SCREENSHOTS = REPO / "screenshots"
HERE = Path(__file__).resolve().parent


def under_ci() -> bool:
    """True when the environment variable CI is set to anything but a false value."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def lab():
    """A throw-away JupyterLab (127.0.0.1, random token, temporary root and settings)."""
    problem = browser_problem()
    if problem:
        if under_ci():
            pytest.fail(f"browser tests are required under CI but cannot run: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")
    server = LabServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(lab):
    """Headless Chromium at 1280x800 with one page, shared by every browser test."""
    chromium = Browser(lab)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
