"""The static HTML edition in Chromium: from disk with every network request refused,
and served over HTTP.

Each page, both ways: every convtutor widget starts (its saved state, module and arrays
are in the page), every formula is typeset (no TeX left as text, no MathJax error),
and not one console error. From disk, also: nothing is fetched from anywhere but the
disk, and every widget, swept by keyboard, paints exactly what Python computes for the
state it shows (``Widget.view`` with the arrays saved in the page, and the arrays the
page derives from them).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading

from convtutor.widgets._standalone import unpacked
from tests.support.lab_harness import sweep_compared
from tests.support.pixels import reference_widget

STATE = re.compile(
    r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S
)

#: Resolves when MathJax has typeset the page (its startup's last signal, "End", which
#: follows the first typesetting of the whole page).
MATHJAX_DONE = """() => new Promise((resolve) => {
  const wait = () => {
    if (!(window.MathJax && MathJax.Hub && MathJax.Hub.Register)) return setTimeout(wait, 50);
    MathJax.Hub.Register.StartupHook("End", () => resolve(true));
  };
  wait();
})"""

#: What is left of the formulas as text: TeX delimiters in what a reader sees (scripts
#: and styles are not seen: innerText), and MathJax's error marks.
LEFT_OVER_TEX = """() => {
  const text = [...document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedHTMLCommon')]
    .map((e) => e.innerText).join('\\n');
  const raw = [];
  for (const pattern of [/\\$[^$\\n]{1,80}\\$/g, /\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]/g,
                         /\\\\(frac|times|sum|cdot|mathrm|text)\\b/g]) {
    raw.push(...(text.match(pattern) || []));
  }
  const errors = [...document.querySelectorAll('.MathJax_Error, .merror, .noError')]
    .map((e) => e.textContent);
  const typeset = document.querySelectorAll('.MathJax, .MathJax_Display').length;
  return {raw, errors, typeset};
}"""


def check_page(chromium, page: dict, where: str) -> None:
    """Widgets live, every formula typeset, no console error: one page, already open."""
    chromium.settle(scope="body")
    live = chromium.page.evaluate(
        "[...document.querySelectorAll('[data-ct-model]')].map(e => e.dataset.ctLive)"
    )
    assert live == ["true"] * page["live"], f"{page['name']} ({where}): widgets {live}"
    chromium.page.evaluate(MATHJAX_DONE)
    math = chromium.page.evaluate(LEFT_OVER_TEX)
    assert not math["raw"], f"{page['name']} ({where}): TeX left as text: {math['raw'][:5]}"
    assert not math["errors"], f"{page['name']} ({where}): MathJax errors {math['errors'][:5]}"
    assert chromium.console_errors == [], f"{page['name']} ({where}): {chromium.console_errors}"


def test_every_page_is_live_offline_and_paints_what_python_computes(
    static_edition, chromium, screenshots
):
    """Every page from disk, offline (the session's Chromium; one Playwright per thread)."""
    out, pages = static_edition
    checked = formulas = 0
    for page in pages:
        html = (out / page["html"]).read_text(encoding="utf-8")
        chromium.open_file(out / page["html"])
        check_page(chromium, page, "from disk")
        formulas += chromium.page.evaluate(LEFT_OVER_TEX)["typeset"]
        screenshots(chromium, f"static_{page['name']}", scroller="body")
        if page["live"]:
            packed = json.loads(STATE.search(html).group(1).replace("<\\/", "</"))
            saved = unpacked(packed)["state"]
            for model_id, entry in saved.items():
                reference = reference_widget(entry)
                root = chromium.page.locator(f"[data-ct-model='{model_id}'] .ct-widget").first
                moves, problems = sweep_compared(root, reference)
                assert moves >= 10, f"{page['name']}: only {moves} moves"
                assert not problems, f"{page['name']} {model_id}: " + "\n".join(problems[:10])
                checked += 1
        assert not chromium.requests, f"{page['name']} asked the network for {chromium.requests}"
        assert chromium.console_errors == [], f"{page['name']}: {chromium.console_errors}"
    assert checked >= 7, f"only {checked} live widgets in the whole edition"
    assert formulas >= 100, f"only {formulas} formulas typeset in the whole edition"


@contextlib.contextmanager
def served(folder):
    """``folder`` over HTTP on a free loopback port; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_page_served_over_http_is_live_typeset_and_quiet(static_edition, chromium):
    """Over HTTP (as a school's web server gives it): the same pages, no console error."""
    out, pages = static_edition
    chromium.context.unroute("**/*")
    with served(out) as base:
        for page in pages:
            chromium.page.goto("about:blank")
            chromium.console_errors.clear()
            chromium.page.goto(f"{base}/{page['html']}")
            chromium.page.wait_for_load_state("load")
            check_page(chromium, page, "over HTTP")
