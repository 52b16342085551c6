"""Shared test set-up: headless matplotlib, hypothesis profiles, the executed notebooks,
and how ``pytest -n`` (pytest-xdist, as ``make test`` runs it) shares out the tests."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

matplotlib.use("Agg")

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")


# ---- the notebooks, executed once per test run ---------------------------------------
# tests/test_notebooks.py, tests/test_static_html.py and tests/browser/ read the same
# executed copies (build/executed/, see scripts/execute_notebooks.py).
import pytest  # noqa: E402
from scripts_loader import load_script  # noqa: E402


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
# ``make test`` runs ``pytest -n auto --dist loadgroup``. A session fixture is built once
# per worker that uses it, so the tests of each costly one stay together: everything
# that drives JupyterLab (``lab``) on one worker, everything that reads the static
# edition (``static_edition``) on one worker; the rest go wherever a worker is free.
# The executed notebooks are shared through build/executed/ (one worker executes, the
# others wait for its lock and reuse the copies).
GROUPS = {"lab": "jupyterlab", "static_edition": "static-edition"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, group in GROUPS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))
                break
    # Within a group, what needs no executed notebook first: a worker starts on it while
    # another executes the notebooks (a stable sort keeps every module's own order).
    items.sort(key=lambda item: "executed_notebooks" in getattr(item, "fixturenames", ()))
