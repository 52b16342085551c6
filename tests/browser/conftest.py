"""One JupyterLab server (and one Notebook 7) and one headless Chromium for the whole
browser-test session.

Without /usr/bin/chromium or the playwright package the browser tests are skipped
with the reason; under CI (environment variable ``CI`` set, as ``.ci/run`` does) a
missing browser fails the run instead. The same goes for Debian's firefox-esr (the
second engine) and for the Notebook 7 and axe-core packages, for the tests that use them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.a11y import axe_problem
from tests.support.firefox import firefox_problem
from tests.support.lab_harness import REPO, Browser, LabServer, browser_problem

HERE = Path(__file__).resolve().parent

SCREENSHOTS = REPO / "screenshots"


def under_ci() -> bool:
    """True when the environment variable CI is set to anything but a false value."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def require(problem: str | None) -> None:
    """Skip with ``problem`` (or, under CI, fail) when there is one."""
    if problem:
        if under_ci():
            pytest.fail(f"browser tests are required under CI but cannot run: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")


def require_browser() -> None:
    """Skip (or, under CI, fail) when Chromium or Playwright is missing."""
    require(browser_problem())


def module_problem(module: str, package: str) -> str | None:
    """Why ``import module`` fails (pip install ``package``), or None."""
    try:
        __import__(module)
    except ImportError as exc:
        return f"the {package} package is missing ({exc}); pip install {package}"
    return None


@pytest.fixture(scope="session")
def axe_available() -> None:
    """axe-core (the axe-playwright-python package) is here (else skip, or fail under CI)."""
    require(axe_problem())


@pytest.fixture(scope="session")
def firefox_available() -> None:
    """Debian's firefox-esr is here (else skip, or fail under CI)."""
    require(firefox_problem())


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Chromium and Playwright are here (else skip, or fail under CI)."""
    require_browser()


@pytest.fixture(scope="session")
def lab():
    """A throw-away JupyterLab (127.0.0.1, random token, temporary root and settings)."""
    require_browser()
    server = LabServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def notebook7_server():
    """A throw-away Jupyter Notebook 7 (as ``lab``)."""
    require_browser()
    require(module_problem("notebook.app", "notebook"))
    server = LabServer(front_end="notebook").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def notebook7(chromium, notebook7_server):
    """(server, browser): the session's Chromium, now opening notebooks in Notebook 7.
    (One Playwright per process: a second sync one in the same thread fails.)"""
    chromium.server = notebook7_server
    return notebook7_server, chromium


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium at 1280x800 with one page, for pages opened from disk."""
    require_browser()
    browser = Browser()
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="module")
def browser(chromium, lab):
    """The same Chromium, now opening notebooks in the session's JupyterLab (set for
    each module: a Notebook 7 module points it at its own server)."""
    chromium.server = lab
    return chromium


@pytest.fixture(scope="session")
def screenshots(request):
    """``take(browser, name, scroller=None)``: a full-page screenshot, screenshots/NAME.png,
    when pytest runs with ``--screenshots``. They are for a person to look at (no test
    reads them), and each costs one to four seconds, so ``make test`` takes none."""
    wanted = request.config.getoption("--screenshots")

    def take(browser, name: str, scroller: str | None = None) -> None:
        if wanted:
            SCREENSHOTS.mkdir(exist_ok=True)
            browser.screenshot(SCREENSHOTS / f"{name}.png", scroller=scroller)

    return take
