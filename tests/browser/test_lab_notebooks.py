"""Every notebook, opened in JupyterLab in Chromium and run from the Run menu.

Each test copies one notebook into the throw-away server root, runs all cells, then
checks the page: every cell ran, no traceback or warning, no broken or still-loading
widget, no console error, and the rendered widget views, ipympl figures and sliders
are exactly those the notebook displayed (read from the widget state JupyterLab saves
into the copy). A full-page screenshot goes to ``screenshots/`` for a human to look at.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from lab_harness import NOTEBOOKS, expected_views, write_notebook

NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))

# Console messages that are not the notebook's fault (none seen so far).
BENIGN_CONSOLE = ()

# A cell whose last line shows a widget: `w.widget`, or display(...widget / canvas...).
SHOWS_WIDGET = re.compile(r"(^[A-Za-z_][\w.]*\.widget\s*$)|(display\(.*(widget|canvas))")


def widget_cells(path) -> list[int]:
    """0-based indices (among code cells) of cells whose source visibly shows a widget."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    shown = []
    for i, cell in enumerate(code):
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        if lines and SHOWS_WIDGET.search(lines[-1].strip()):
            shown.append(i)
    return shown


# What each notebook showed, for the layout test below (filled by the first test).
REPORTS = {}


def clipped_figures(report) -> list[str]:
    """One line per ipympl figure wider than its output area in the 1280x800 window."""
    return [
        f"cell {i}: a {width}-px-wide figure in a {area}-px output area: {over} px cut off"
        for i, cell in enumerate(report.cells, start=1)
        for width, area, over in cell.clipped
    ]


@pytest.fixture(scope="module")
def run_times():
    """Seconds each notebook took to run in the browser (printed at the end)."""
    times = {}
    yield times
    if times:
        print("\nrun-all in the browser:")
        for name, seconds in times.items():
            print(f"  {name}: {seconds:.1f} s")


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_notebook_runs_and_renders_in_lab(path, lab, browser, screenshots, run_times):
    """Run all cells in the browser: all run, nothing errors, every displayed widget renders."""
    name = lab.copy_notebook(path)
    browser.open(name)
    seconds = browser.run_all()
    run_times[path.stem] = seconds
    report = browser.report(path.stem, seconds)
    REPORTS[path.stem] = report
    browser.screenshot(screenshots / f"{path.stem}.png")
    saved = browser.save(name)
    expected = expected_views(saved)

    problems = []
    if report.not_run:
        problems.append(f"code cells that did not run: {report.not_run}")
    for i, cell in enumerate(report.cells, start=1):
        for text in cell.stderr:
            problems.append(f"cell {i} shows stderr (traceback or warning):\n{text[:1500]}")
        if cell.errorWidgets:
            problems.append(f"cell {i}: {cell.errorWidgets} widget(s) failed to display")
        if cell.loading:
            problems.append(f"cell {i}: a widget is still 'Loading widget...'")
        if cell.blank:
            problems.append(f"cell {i}: {cell.blank} ipympl figure(s) never painted (blank)")
        if cell.unrendered:
            problems.append(f"cell {i}: {cell.unrendered} widget output(s) rendered empty")
    console = [m for m in report.console_errors if not any(b in m for b in BENIGN_CONSOLE)]
    if console:
        problems.append("browser console errors:\n  " + "\n  ".join(console[:10]))

    assert len(expected) == len(report.cells), "saved copy and page disagree on code cells"
    for i, (want, got) in enumerate(zip(expected, report.cells, strict=True), start=1):
        if want["missing"]:
            problems.append(f"cell {i}: {want['missing']} displayed widget model(s) unknown")
        shown = (got.views, got.figures, got.sliders)
        displayed = (want["views"], want["figures"], want["sliders"])
        if shown != displayed:
            problems.append(
                f"cell {i}: page shows (views, figures, sliders) = {shown}, "
                f"the kernel displayed {displayed}"
            )
    for i in widget_cells(path):
        if expected[i]["views"] == 0:
            problems.append(f"cell {i + 1} shows a widget in its source but displayed none")

    assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=[p.stem for p in NOTEBOOK_PATHS])
def test_notebook_figures_fit_the_projector_window(path):
    """At 1280x800 with JupyterLab's default side bar, no figure is cut off on the right."""
    if path.stem not in REPORTS:
        pytest.skip("the notebook did not get as far as rendering in the browser test above")
    clipped = clipped_figures(REPORTS[path.stem])
    assert not clipped, (
        f"{path.name} at 1280x800 (see screenshots/{path.stem}.png):\n"
        + "\n".join(clipped)
        + "\nKeep a figure no wider than its output area (figsize width x dpi)."
    )


def test_harness_sees_a_broken_notebook(lab, browser):
    """The checks above can fail: a warning, a traceback, an unrun cell and a widget
    whose model does not exist are all reported."""
    write_notebook(
        lab.root / "broken_check.ipynb",
        [
            "%matplotlib widget\nimport warnings\nfrom IPython.display import display",
            "display({'application/vnd.jupyter.widget-view+json':"
            " {'model_id': 'no-such-model', 'version_major': 2, 'version_minor': 0}}, raw=True)",
            "warnings.warn('a warning a student would see')",
            "1 / 0",
            "print('never runs')",
        ],
    )
    browser.open("broken_check.ipynb")
    report = browser.report("broken_check", browser.run_all())
    assert report.not_run == [5]
    assert any("a warning a student would see" in t for t in report.cells[2].stderr)
    assert any("ZeroDivisionError" in t for t in report.cells[3].stderr)
    assert report.cells[1].errorWidgets + report.cells[1].loading + report.cells[1].unrendered
