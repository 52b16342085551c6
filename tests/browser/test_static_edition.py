"""The static HTML edition, opened from disk with every network request refused.

Each page: every convtutor widget starts (its saved state, module and arrays are in
the page), nothing is fetched from anywhere but the disk, no console error; and every
widget, swept by keyboard, paints exactly what Python computes for the state it shows
(``Widget.view`` with the arrays saved in the page).
"""

from __future__ import annotations

import json
import re

from tests.support.lab_harness import serious, sweep_compared
from tests.support.pixels import reference_widget

STATE = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S
)


def test_every_page_is_live_offline_and_paints_what_python_computes(
    static_edition, chromium, screenshots
):
    """Every page from disk, offline (the session's Chromium; one Playwright per thread)."""
    out, pages = static_edition
    checked = 0
    for page in pages:
        html = (out / page["html"]).read_text(encoding="utf-8")
        chromium.open_file(out / page["html"])
        chromium.settle(scope="body")
        live = chromium.page.evaluate(
            "[...document.querySelectorAll('[data-ct-model]')].map(e => e.dataset.ctLive)"
        )
        assert live == ["true"] * page["live"], f"{page['name']}: widgets {live}"
        screenshots(chromium, f"static_{page['name']}", scroller="body")
        if not page["live"]:
            continue
        saved = json.loads(STATE.search(html).group(1).replace("<\\/", "</"))["state"]
        for model_id, entry in saved.items():
            reference = reference_widget(entry)
            root = chromium.page.locator(f"[data-ct-model='{model_id}'] .ct-widget").first
            moves, problems = sweep_compared(root, reference)
            assert moves >= 10, f"{page['name']}: only {moves} moves"
            assert not problems, f"{page['name']} {model_id}: " + "\n".join(problems[:10])
            checked += 1
        assert not chromium.requests, f"{page['name']} asked the network for {chromium.requests}"
        assert not serious(chromium.console_errors), f"{page['name']}: {chromium.console_errors}"
    assert checked >= 7, f"only {checked} live widgets in the whole edition"
