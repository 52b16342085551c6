"""PixelProvenance in a standalone page from disk, in the session's Chromium.

Every control by keyboard, the output drawing by arrow keys and by clicks on every
cell; after each, the page equals Python's view exactly.
"""

from __future__ import annotations

import numpy as np

from convtutor.widgets import PixelProvenance
from convtutor.widgets._standalone import page
from tests.support.lab_harness import serious
from tests.support.pixels import mismatches, page_mismatches, read_widgets


def test_provenance_page_by_keyboard_and_clicks(chromium, tmp_path):
    """A standalone page from disk: keys and clicks; the page equals Python's view."""
    w = PixelProvenance(bias=True)
    path = tmp_path / "pixel_provenance.html"
    path.write_text(page(w, title="pixel_provenance"), encoding="utf-8")
    problems = []
    chromium.open_file(path)
    chromium.settle(scope="body")
    tab = chromium.page

    def check(where):
        shown = read_widgets(tab)[0]
        problems.extend(f"{where}: {m}" for m in mismatches(w, shown))
        return shown["state"]

    check("start")
    select = tab.locator(".ct-widget select")
    for mode in ("depth-wise", "separable", "standard", "separable"):
        select.select_option(mode)
        check(mode)
    for name in ("out_channel", "row", "col"):
        slider = tab.locator(f'.ct-widget input[data-name="{name}"]')
        slider.focus()
        for key in ("ArrowRight", "End", "ArrowLeft", "Home"):
            slider.press(key)
            check(f"{name} {key}")
    canvas = tab.locator('.ct-panel[data-name="output"] canvas')
    # it takes the arrow keys: Notebook 7's and JupyterLab's shortcuts must leave them
    assert canvas.get_attribute("data-lm-suppress-shortcuts") == "true"
    assert canvas.get_attribute("aria-description") == w.TEXT["output_hint"]
    canvas.focus()
    for key, want in (("ArrowDown", (1, 0)), ("ArrowRight", (1, 1)),
                      ("ArrowRight", (1, 2)), ("ArrowUp", (0, 2)),
                      ("ArrowLeft", (0, 1)), ("ArrowUp", (0, 1))):  # fmt: skip
        canvas.press(key)
        state = check(f"output {key}")
        assert (state["row"], state["col"]) == want, key
    meta, box = w.meta, canvas.bounding_box()
    scale = box["width"] / canvas.evaluate("c => c.width")
    for r in range(meta["out_height"]):
        for q in range(meta["out_width"]):
            centre = meta["margin"] + np.array([q, r]) * meta["out_cell"] + 10
            canvas.click(position={"x": centre[0] * scale, "y": centre[1] * scale})
            state = check(f"click {r}, {q}")
            assert (state["row"], state["col"]) == (r, q)
    width = tab.evaluate("() => document.querySelector('.ct-widget').scrollWidth")
    assert width <= 840
    assert not serious(chromium.console_errors), chromium.console_errors
    assert not problems, problems[:5]


def test_a_changed_pixel_is_caught_and_counted(chromium, tmp_path):
    """The sweeps compare digests; one pixel changed in the page must fail the check,
    and the message (from the pixels read after the digest differs) counts it."""
    w = PixelProvenance()
    path = tmp_path / "tampered.html"
    path.write_text(page(w, title="tampered"), encoding="utf-8")
    chromium.open_file(path)
    chromium.settle(scope="body")
    root = chromium.page.locator(".ct-widget").first.element_handle()
    assert page_mismatches(chromium.page, root, w) == []
    chromium.page.evaluate(
        """() => {
          const canvas = document.querySelector('.ct-panel:not([hidden]) canvas');
          const ctx = canvas.getContext('2d');
          const one = ctx.getImageData(0, 0, 1, 1);
          one.data[0] = 255 - one.data[0];
          ctx.putImageData(one, 0, 0);
        }"""
    )
    found = page_mismatches(chromium.page, root, w)
    assert len(found) == 1 and "1 pixels differ" in found[0], found
