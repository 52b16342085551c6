"""Every widget of ``convtutor.widgets.ALL``, shown under ``%matplotlib widget`` in
JupyterLab and moved as a person would: keyboard on the slider handles, the mouse on
dropdowns and checkboxes.

For every enabled control: one step changes the figure's pixels and the readout; a
step back restores both exactly (pixel-identical canvas); a step forward again gives
the same picture as the first time. So the picture follows the controls and is a
function of their state.
"""

from __future__ import annotations

import pytest
from lab_harness import CANVAS, controls, movable_sliders, readout, write_widgets_notebook

try:
    from convtutor.widgets import ALL

    WIDGET_NAMES = list(ALL)
    IMPORT_ERROR = None
except Exception as exc:  # noqa: BLE001 - reported as the skip reason below
    WIDGET_NAMES = []
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

PARAMS = WIDGET_NAMES or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"convtutor.widgets: {IMPORT_ERROR}"))
]


@pytest.fixture(scope="module")
def widgets_page(lab, browser, screenshots):
    """The generated notebook with one cell per widget, run in the browser."""
    cells = write_widgets_notebook(lab, WIDGET_NAMES)
    browser.open("widgets_check.ipynb")
    browser.run_all()
    yield cells
    # Last: growing the window for the full-page shot makes ipympl resize its figures,
    # which must not overlap the moves measured above.
    browser.screenshot(screenshots / "widgets_check.png")


def _png(area) -> str:
    return area.locator(CANVAS).first.evaluate("c => c.toDataURL('image/png')")


def _slider_keys(area, index: int) -> tuple[str, str] | None:
    """(forward, back) keys for a slider: right unless it sits at its maximum; None
    when it cannot move at all (its range is one value)."""
    handle = area.locator(".widget-slider .noUi-handle").nth(index)
    now, low, high = (
        float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
    )
    if low == high:
        return None
    return ("ArrowRight", "ArrowLeft") if now < high else ("ArrowLeft", "ArrowRight")


class Control:
    """One control of a widget on the page: a step forward, a step back, its readout."""

    def __init__(self, browser, area, info: dict):
        self.browser, self.area, self.info = browser, area, info
        self.kind, self.index = info["kind"], info["index"]
        self.name = f"{self.kind} {info['label'] or self.index!r}"
        self.last = None  # (forward, back) of the step that changed the picture

    def shown(self) -> str:
        """What the control itself shows: slider readout, dropdown value, checkbox state."""
        if self.kind == "slider":
            return readout(self.area, self.index)
        if self.kind == "dropdown":
            return self.area.locator(".widget-dropdown select").nth(self.index).input_value()
        box = self.area.locator(".widget-checkbox input[type='checkbox']").nth(self.index)
        return str(box.is_checked())

    def movable(self) -> bool:
        if self.kind == "slider":
            return _slider_keys(self.area, self.index) is not None
        if self.kind == "dropdown":
            return len(self.info["options"]) > 1
        return True

    def steps(self, choice: str | None = None):
        """(forward, back) callables from the current state."""
        b, area, i = self.browser, self.area, self.index
        if self.kind == "slider":
            fwd, bwd = _slider_keys(area, i)
            return (lambda: b.move_slider(area, i, fwd)), (lambda: b.move_slider(area, i, bwd))
        if self.kind == "dropdown":
            current = self.shown()
            return (lambda: b.select(area, i, choice)), (lambda: b.select(area, i, current))
        return (lambda: b.toggle(area, i)), (lambda: b.toggle(area, i))


def _changes_picture(browser, area, control: Control, tries: int = 4) -> tuple[str, str] | None:
    """Step ``control`` forward; if the picture changed, return (before, after) pixels
    (left stepped forward); otherwise step back and return None."""
    browser.settle_canvas(area)
    before = _png(area)
    options = [None]
    if control.kind == "dropdown":
        options = [v for v in control.info["options"] if v != control.shown()][:tries]
    for choice in options:
        forward, back = control.steps(choice)
        forward()
        browser.settle_canvas(area)
        after = _png(area)
        if after != before:
            control.last = (forward, back)
            return before, after
        back()
        browser.settle_canvas(area)
    return None


@pytest.mark.parametrize("name", PARAMS)
def test_widget_fits_the_projector_window(name, widgets_page, browser):
    """At 1280x800 with JupyterLab's default side bar, the widget's figure is not cut off."""
    cell = browser.report("widgets_check", 0.0).cells[widgets_page[name]]
    assert cell.figures == 1, f"{name}: expected one ipympl figure"
    assert not cell.clipped, (
        f"{name} at 1280x800 (see screenshots/widgets_check.png): a {cell.clipped[0][0]}-px-wide "
        f"figure in a {cell.clipped[0][1]}-px output area, {cell.clipped[0][2]} px cut off; "
        "keep figsize width x dpi within the output area"
    )


@pytest.mark.parametrize("name", PARAMS)
def test_widget_controls_change_and_restore_figure(name, widgets_page, browser):
    """Each control's step changes the canvas; stepping back restores it pixel for pixel."""
    area = browser.output_area(widgets_page[name])
    page_report = browser.report("widgets_check", 0.0).cells[widgets_page[name]]
    assert not page_report.stderr, f"{name} failed to build:\n{page_report.stderr[0]}"
    assert page_report.errorWidgets == 0, f"{name}: widget failed to display"
    assert page_report.figures == 1, f"{name}: expected one ipympl figure"
    assert page_report.blank == 0, (
        f"{name}: its ipympl figure was never painted (canvas of size 0): the student sees "
        "no figure, while the sliders and text still work"
    )

    # Menus first: a preset menu restores exactly only from a preset, and moving a
    # slider may switch it to "custom" (whatever the sliders say).
    order = {"dropdown": 0, "checkbox": 1, "slider": 2}
    found = [Control(browser, area, c) for c in controls(area) if not c["disabled"]]
    found.sort(key=lambda c: order[c.kind])
    assert any(c.kind == "slider" for c in found), f"{name}: no enabled slider found"

    problems = []
    for control in found:
        if not control.movable():
            continue
        try:
            problems += _check_control(browser, area, control, found)
        except Exception as exc:  # noqa: BLE001 - a stuck control is one problem, go on
            problems.append(f"{control.name}: {type(exc).__name__}: {str(exc)[:300]}")
    after = browser.report("widgets_check", 0.0).cells[widgets_page[name]]
    for text in after.stderr:
        problems.append(f"the widget printed an error while its controls moved:\n{text[:1500]}")
    assert not problems, f"{name}:\n" + "\n".join(problems)


def _check_control(browser, area, control: Control, found: list[Control]) -> list[str]:
    problems = []
    shown = control.shown()
    seen = _changes_picture(browser, area, control)
    helper = None  # another slider moved so that this control's effect shows
    if seen is None:
        # Some controls act on what another control selects (the green channel's kernel
        # shows when the channel slider is on green): try a few steps of each slider.
        for other in found:
            if other is control or other.kind != "slider" or not other.movable():
                continue
            undo = []
            for _ in range(3):
                if not other.movable():
                    break
                forward, back = other.steps()
                forward()
                undo.append(back)
                shown = control.shown()
                seen = _changes_picture(browser, area, control, tries=2)
                if seen is not None:
                    break
            if seen is not None:
                helper = (other, undo)
                break
            for back in reversed(undo):
                back()
        if seen is None:
            return [f"{control.name}: a step never changes the figure's pixels"]
    before, after = seen
    forward, back = control.last
    if control.kind == "slider" and control.shown() == shown:
        problems.append(f"{control.name}: the readout did not change ({shown})")
    back()
    browser.settle_canvas(area)
    if _png(area) != before:
        problems.append(f"{control.name}: stepping back did not restore the same picture")
    if control.shown() != shown:
        problems.append(f"{control.name}: stepping back did not restore {shown!r}")
    forward()
    browser.settle_canvas(area)
    if _png(area) != after:
        problems.append(f"{control.name}: the same state drew a different picture twice")
    back()
    browser.settle_canvas(area)
    if helper is not None:
        for undo in reversed(helper[1]):
            undo()
        browser.settle_canvas(area)
    return problems


@pytest.mark.parametrize("name", PARAMS)
def test_key_burst_ends_on_the_right_picture(name, widgets_page, browser):
    """A burst of key presses, faster than the kernel can draw (a student holding an
    arrow key), ends on the picture of the slider's final value, pixel for pixel.

    The frames of such a burst cross on the way (the page sends the next value while
    the kernel still draws the last one) and arrive as diffs against each other; any
    frame lost or applied out of order would leave a wrong picture behind.
    """
    area = browser.output_area(widgets_page[name])
    sliders = movable_sliders(browser, area)
    assert sliders, f"{name}: no movable slider, whatever its menus say"
    handle = area.locator(".widget-slider .noUi-handle").nth(sliders[0]["index"])
    low = handle.get_attribute("aria-valuemin")

    handle.press("Home")
    browser.settle_canvas(area, quiet_ms=400)
    assert handle.get_attribute("aria-valuenow") == low, f"{name}: Home did not reach {low}"
    before, shown = _png(area), readout(area, sliders[0]["index"])

    burst = ["ArrowRight"] * 4 + ["End"] + ["ArrowLeft"] * 3 + ["Home"] + ["ArrowRight"] * 2
    burst += ["Home"]
    painted = browser.draws(area)
    for key in burst:  # no waiting in between
        handle.press(key)
    browser.settle_canvas(area, quiet_ms=600)
    browser._wait_idle(30)
    browser.settle_canvas(area, quiet_ms=400)
    painted = browser.draws(area) - painted
    # At least one frame came (else the check below would pass on the old picture).
    # Usually several do; frames that arrive back to back may be painted only once.
    assert painted >= 1, f"{name}: no repaint for a burst of {len(burst)} key presses"
    assert readout(area, sliders[0]["index"]) == shown
    assert _png(area) == before, (
        f"{name}: after a burst of {len(burst)} key presses on {sliders[0]['label']!r} "
        "ending where it started, the figure differs from the one drawn before"
    )
