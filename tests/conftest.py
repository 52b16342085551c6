"""Shared test set-up: headless matplotlib, and hypothesis profiles."""

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
