"""Shared test set-up: headless matplotlib, hypothesis profiles, the executed notebooks,
and how ``pytest -n`` (pytest-xdist, as ``make test`` runs it) shares out the tests."""

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
# Widgets compute their arrays afresh in the tests (a test may patch what computes them);
# tests/test_light.py tests the cache in folders of its own.
os.environ.setdefault("CONVTUTOR_CACHE_DIR", "off")

import matplotlib  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

matplotlib.use("Agg")

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="browser tests write full-page screenshots to screenshots/ (to look at)",
    )


# ---- the notebooks, executed once per test run ---------------------------------------
# tests/test_notebooks.py, tests/test_static_html.py and tests/browser/ read the same
# executed copies (build/executed/, see scripts/execute_notebooks.py).
import pytest  # noqa: E402

from tests.support.optional_torch import pytest_runtest_makereport  # noqa: E402, F401  (skip: needs torch)
from tests.support.scripts import load_script  # noqa: E402


@pytest.fixture(scope="session")
def executed_notebooks():
    """Name -> record of each notebook executed once (quick settings); see execute_notebooks."""
    run = load_script("execute_notebooks")
    previous = os.environ.get("CONVTUTOR_QUICK")
    os.environ["CONVTUTOR_QUICK"] = "1"
    try:
        return run.executed()
    finally:
        if previous is None:
            os.environ.pop("CONVTUTOR_QUICK", None)
        else:
            os.environ["CONVTUTOR_QUICK"] = previous


@pytest.fixture(scope="session")
def static_edition(executed_notebooks, tmp_path_factory):
    """(folder, pages): the static HTML edition built from the executed notebooks."""
    build_html = load_script("build_html")
    out = tmp_path_factory.mktemp("html")
    pages = build_html.build(out=out, quick=True, jobs=2)
    return out, pages


# ---- sharing the tests out among pytest -n workers ---------------------------------------
# ``make test`` runs ``pytest -n auto --dist loadgroup``. A costly session or module
# fixture is built once per worker that uses it, so the tests that share one stay
# together on one worker: GROUPS names those files (a group is one unit of work). The
# rest go wherever a worker is free. The executed notebooks are shared through
# build/executed/ (one worker executes, the others wait for its lock and reuse them).
#
# The groups go by file, in our own scheduler (below), not by xdist_group marks: with
# pytest 9.2 and pytest-xdist 3.8 the marks are silently ignored (pytest-dev/
# pytest-xdist#1386: xdist renames ``item._nodeid``, which pytest 9.2 no longer reads).
GROUPS = {
    # a JupyterLab server and its Chromium (fixtures lab, browser) for each: the two
    # files can run side by side, each on its own server
    "tests/browser/test_lab_widgets.py": "jupyterlab-widgets",
    "tests/browser/test_lab_notebooks.py": "jupyterlab-notebooks",
    # a Notebook 7 server (fixture notebook7), with the session's Chromium
    "tests/browser/test_notebook7.py": "notebook7",
    # the static edition, built once (fixture static_edition)
    "tests/browser/test_static_edition.py": "static-edition",
    "tests/test_static_html.py": "static-edition",
    "tests/browser/test_firefox_static.py": "static-edition",
    "tests/browser/test_accessibility_static.py": "static-edition",
    # module fixtures that compute every state's view once for several tests
    "tests/widgets/test_pixel_provenance.py": "pixel-provenance",
    "tests/widgets/test_groups_continuum.py": "groups-continuum",
    # the sdist, wheel and fresh venv, built once (module fixture installed)
    "tests/test_wheel.py": "wheel",
}
#: Session fixtures too costly to build for every test: each of their users must be in
#: a group (checked at collection), so a worker builds one for a whole file or more.
COSTLY_FIXTURES = ("lab", "notebook7", "static_edition")


def group_of(nodeid: str) -> str | None:
    """The group of a test (by its file), or None for a test that can go anywhere."""
    return GROUPS.get(nodeid.split("::", 1)[0])


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture in COSTLY_FIXTURES:
            if fixture in getattr(item, "fixturenames", ()) and group_of(item.nodeid) is None:
                raise pytest.UsageError(
                    f"{item.nodeid} uses the session fixture {fixture!r}: add its file to "
                    "GROUPS in tests/conftest.py"
                )
    # What needs no executed notebook first: a worker starts on it while another
    # executes the notebooks (a stable sort keeps every module's own order).
    items.sort(key=lambda item: "executed_notebooks" in getattr(item, "fixturenames", ()))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under ``--dist loadgroup``: the tests of one group go to one worker, as a unit."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or super()._split_scope(nodeid)

    return FileGroups(config, log)


def one_torch_thread() -> None:
    """PyTorch on one thread in the tests: with every core busy running tests, its
    second thread made tiny convolutions wait ~40 ms each. (Float64 sums can also round
    differently on two threads, so a value computed once and one computed again must
    see the same count.)"""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread_for_module_fixtures():
    """Before a module's own fixtures (autouse comes first in its scope): a widget built
    once per module, as the first work of a pytest -n worker, is built on one thread too."""
    one_torch_thread()


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Before each test (a module may import torch only inside a test)."""
    one_torch_thread()
