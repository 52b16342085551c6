"""Every notebook, as executed once for this test run, opened in JupyterLab.

The executed copy (trusted, as its author's would be) shows what the kernel produced:
no error output, no stderr, every widget output rendered as a live convtutor widget
from the saved widget state (as many as the run displayed), none wider than the
output area at 1280x800, no console error, and no serious or critical axe-core
violation in the suite's own DOM (``a11y.JUPYTER_OWN``: outputs and rendered Markdown;
JupyterLab's own chrome reports issues of its own, see ``a11y.JUPYTER_CHROME``).
With ``pytest --screenshots``, a full-page screenshot of each is written to
``screenshots/`` for a person to look at.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import nbformat
import pytest

from tests.support.a11y import JUPYTER_CHROME, JUPYTER_OWN, axe_violations, grave
from tests.support.lab_harness import PANEL, convtutor_widget_outputs, serious
from tests.support.notebooks import SEQUENCE


@pytest.mark.parametrize("name", SEQUENCE)
def test_executed_notebook_shows_clean_in_lab(
    name, executed_notebooks, lab, browser, screenshots, axe_available
):
    """An executed lesson opens in JupyterLab: every cell run, every widget painted, no error."""
    record = executed_notebooks[name]
    assert not record["error"], record["error"]
    path = Path(record["path"])
    copy = lab.copy_notebook(path, trust=True)
    nb = nbformat.read(path, as_version=4)
    expected = convtutor_widget_outputs(nb)
    browser.open(copy)
    # Widgets start one by one (the larger their arrays, the later): wait for all.
    with contextlib.suppress(Exception):  # if one never paints, the count below says so
        browser.page.wait_for_function(
            "([panel, n]) => document.querySelectorAll(panel + ' .ct-widget[data-painted]')"
            ".length >= n",
            arg=[PANEL, expected],
            timeout=60_000,
        )
    browser.settle()
    report = browser.report(name, record["seconds"])
    screenshots(browser, name)
    # Every code cell ran (the page hides the prompts of folded cells, so read the file).
    not_run = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not c.execution_count]
    assert not not_run, f"cells without an execution count: {not_run}"
    assert report.total("widgets") == expected, (
        f"{report.total('widgets')} live widgets painted, {expected} displayed by the run"
    )
    for i, cell in enumerate(report.cells, 1):
        assert not cell.errors, f"code cell {i} shows an error: {cell.errors}"
        assert not cell.stderr, f"code cell {i} wrote to stderr: {cell.stderr}"
        assert not cell.errorWidgets, f"code cell {i} shows a broken widget"
        assert not cell.loading and not cell.unrendered, f"code cell {i}: widget not rendered"
        assert not cell.clipped, f"code cell {i}: a widget is cut off {cell.clipped}"
    assert not serious(report.console_errors), report.console_errors
    audit = grave(axe_violations(browser.page, JUPYTER_OWN, JUPYTER_CHROME))
    assert not audit, "axe-core: " + "\n".join(str(v) for v in audit)
