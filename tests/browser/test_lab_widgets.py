"""Every widget of ``convtutor.widgets.ALL`` in JupyterLab, moved by keyboard.

For every control (ranges: the ends, steps and pages; selects: every option, with the
arrow keys), after each key the canvases, tables and texts the page shows must equal
what Python computes for the state the page shows (``Widget.view``; exact). After the
sweep, ``w.state`` in the kernel equals the page's state. Then the kernel is shut
down and the sweep runs again: the page needs no kernel to repaint. Controls carry a
label and a readable value, and show a focus ring.
"""

from __future__ import annotations

import time

import pytest
from lab_harness import PANEL, WIDGETS_NOTEBOOK, controls_of, serious, sweep, write_widgets_notebook
from pixels import mismatches, read_widgets

from convtutor.widgets import ALL

NAMES = list(ALL)


@pytest.fixture(scope="module")
def widgets_page(lab, browser, screenshots):
    """The generated notebook with one cell per widget, run in the browser."""
    cells = write_widgets_notebook(lab, NAMES)
    browser.open(WIDGETS_NOTEBOOK)
    browser.run_all()
    browser.settle()
    browser.screenshot(screenshots / "widgets_check.png")
    return cells


def _root(browser, cells, name):
    return (
        browser.page.locator(f"{PANEL} .jp-CodeCell").nth(cells[name]).locator(".ct-widget").first
    )


def _sweep_and_compare(browser, root, name) -> tuple[int, list[str]]:
    reference = ALL[name]()
    problems: list[str] = []

    def check(what):
        shown = read_widgets(browser.page, root.element_handle())[0]
        found = mismatches(reference, shown)
        if found:
            problems.append(f"{what}: {found[:3]}")

    moves = sweep(root, check)
    return moves, problems


@pytest.mark.parametrize("name", NAMES)
def test_keyboard_sweep_paints_what_python_computes(name, widgets_page, browser, lab):
    """Each key on each control: the page equals Widget.view of the state it shows."""
    root = _root(browser, widgets_page, name)
    assert root.count() == 1, f"{name} did not render"
    moves, problems = _sweep_and_compare(browser, root, name)
    assert moves >= 10, f"{name}: only {moves} moves"
    assert not problems, f"{name}: " + "\n".join(problems[:10])
    # The page wrote its state back: the kernel's w.state is what the page shows.
    shown = read_widgets(browser.page, root.element_handle())[0]["state"]
    deadline = time.monotonic() + 10
    while True:
        kernel = lab.evaluate(WIDGETS_NOTEBOOK, f"w_{name}.state")
        if kernel == shown or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert kernel == shown
    assert not serious(browser.console_errors), browser.console_errors


@pytest.mark.parametrize("name", NAMES)
def test_controls_are_labelled_readable_and_show_focus(name, widgets_page, browser):
    """Every control has a label; ranges say their value (aria-valuetext); focus shows."""
    root = _root(browser, widgets_page, name)
    for control in controls_of(root):
        assert control["label"].strip(), f"{name}: control {control['name']} has no label"
        if control["kind"] == "range":
            assert control["valuetext"], f"{name}: {control['name']} has no aria-valuetext"
    first = root.locator(".ct-controls input, .ct-controls select").first
    first.focus()
    browser.page.keyboard.press("Tab")  # a keyboard focus: :focus-visible applies
    outline = browser.page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.dataset.name || e.tagName, s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[1] != "none" and outline[2] != "0px", f"{name}: no focus ring on {outline}"


@pytest.mark.parametrize("name", NAMES)
def test_without_a_kernel_the_sliders_still_repaint(name, widgets_page, browser, lab):
    """After the kernel is shut down, every control still repaints the right picture."""
    if lab.api("GET", "/api/kernels"):
        lab.shutdown_kernels()
        time.sleep(1.0)
    root = _root(browser, widgets_page, name)
    moves, problems = _sweep_and_compare(browser, root, name)
    assert moves >= 10
    assert not problems, f"{name} without a kernel: " + "\n".join(problems[:10])
