"""Every widget of ``convtutor.widgets.ALL`` in JupyterLab, moved by keyboard.

For every control (ranges: the ends, steps and pages; selects: every option, with the
arrow keys), after each key the canvases, tables and texts the page shows must equal
what Python computes for the state the page shows (``Widget.view``; exact). After the
sweep, ``w.state`` in the kernel equals the page's state. Then the kernel is shut
down and the sweep runs again: the page needs no kernel to repaint. Controls carry a
label and a readable value, and show a focus ring.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from convtutor.widgets import ALL
from tests.support.a11y import MIN_TARGET, small_targets
from tests.support.lab_harness import (
    PANEL,
    WIDGETS_NOTEBOOK,
    controls_of,
    serious,
    sweep_compared,
    write_widgets_notebook,
)
from tests.support.pixels import mismatches, read_widgets

NAMES = list(ALL)


@pytest.fixture(scope="module")
def widgets_page(lab, browser, screenshots):
    """The generated notebook with one cell per widget, run in the browser."""
    cells = write_widgets_notebook(lab, NAMES)
    browser.open(WIDGETS_NOTEBOOK)
    browser.run_all()
    browser.settle()
    screenshots(browser, "widgets_check")
    return cells


def _root(browser, cells, name):
    return (
        browser.page.locator(f"{PANEL} .jp-CodeCell").nth(cells[name]).locator(".ct-widget").first
    )


@pytest.mark.parametrize("name", NAMES)
def test_keyboard_sweep_paints_what_python_computes(name, widgets_page, browser, lab):
    """Each key on each control: the page equals Widget.view of the state it shows."""
    root = _root(browser, widgets_page, name)
    assert root.count() == 1, f"{name} did not render"
    moves, problems = sweep_compared(root, ALL[name]())
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


def test_every_control_is_a_big_enough_pointer_target(widgets_page, browser):
    """Every input, select and button of every widget: at least 24 x 24 CSS px (WCAG 2.2,
    SC 2.5.8), measured in the page."""
    count, small = small_targets(browser.page, PANEL)
    assert count >= 2 * len(NAMES), f"only {count} controls in {len(NAMES)} widgets"
    assert not small, f"smaller than {MIN_TARGET}x{MIN_TARGET} CSS px: {small}"


def _png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buffer = io.BytesIO()
    Image.fromarray((rng.random((90, 120, 3)) * 255).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


PHOTO_NAMES = [n for n in NAMES if ALL[n].PHOTO]


@pytest.mark.parametrize("name", PHOTO_NAMES)
def test_your_own_photo_replaces_the_picture_and_a_bad_file_says_why(
    name, widgets_page, browser, lab, tmp_path
):
    """Upload a PNG: the page repaints on it, equal to Python built on that photo.
    Upload a text file: a visible message says why, and the picture stays."""
    root = _root(browser, widgets_page, name)
    upload = root.locator("input[type=file]")
    assert upload.count() == 1, f"{name} offers no photo upload"
    png = tmp_path / "mine.png"
    png.write_bytes(_png(1))
    before = read_widgets(browser.page, root.element_handle())[0]
    upload.set_input_files(str(png))
    browser.page.wait_for_function(
        "(w) => !w.querySelector('.ct-photo-status').textContent", arg=root.element_handle()
    )
    shown = read_widgets(browser.page, root.element_handle())[0]
    assert shown["state"] == before["state"], "the controls keep their values"
    reference = ALL[name]()
    reference.use_image(png)
    assert not mismatches(reference, shown), mismatches(reference, shown)[:3]
    assert mismatches(ALL[name](), shown), "the picture did not change"
    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture")
    upload.set_input_files(str(bad))
    error = root.locator(".ct-error")
    error.wait_for(state="visible")
    assert "notes.txt" in error.inner_text() and "not an image" in error.inner_text()
    assert not mismatches(reference, read_widgets(browser.page, root.element_handle())[0])
    # Back to the sample photo, from code this time: the page follows use_image too.
    lab.evaluate(
        WIDGETS_NOTEBOOK, f"w_{name}.use_image(__import__('convtutor').data.sample_image(96))"
    )
    default = ALL[name]()
    deadline = time.monotonic() + 15
    while mismatches(default, read_widgets(browser.page, root.element_handle())[0]):
        assert time.monotonic() < deadline, "the page did not follow use_image"
        time.sleep(0.2)


@pytest.mark.parametrize("name", NAMES)
def test_without_a_kernel_the_sliders_still_repaint(name, widgets_page, browser, lab):
    """After the kernel is shut down, every control still repaints the right picture."""
    if lab.api("GET", "/api/kernels"):
        lab.shutdown_kernels()
        time.sleep(1.0)
    root = _root(browser, widgets_page, name)
    moves, problems = sweep_compared(root, ALL[name]())
    assert moves >= 10
    assert not problems, f"{name} without a kernel: " + "\n".join(problems[:10])
