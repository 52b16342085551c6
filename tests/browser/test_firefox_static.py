"""A second engine: every page of the static edition in Debian's Firefox, headless.

Firefox takes one screenshot of each page, in a window as tall as the page (see
``firefox.py``: Playwright cannot drive Debian's Firefox). Chromium, at the same width,
reports where each canvas of each convtutor widget is and takes its own full-page
picture. Every canvas must be painted in Firefox (not one flat colour where Chromium
shows a picture) and match Chromium's picture of the same state: at most
``MAX_MISSING`` (1 %) of its pixels further than ``TOLERANCE`` (8 of 255 levels) from
what Chromium shows within one pixel of the same place. The tolerance allows only for
the two engines placing the boundary between two up-scaled canvas pixels one screen
pixel apart; measured, the two pictures are equal once placed (0 %, once 0.32 %). A
page without widgets must still show something (not a blank window).
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from tests.support.firefox import CANVAS_RECTS, MAX_MISSING, TOLERANCE, compare_page, screenshot

WIDTH = 1280
#: A 1x1 transparent PNG.
DOT = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@contextlib.contextmanager
def holding_server():
    """A server on 127.0.0.1 that answers ``/hold/S.png`` after S seconds (a 1x1 PNG).

    Firefox's ``--screenshot`` takes its picture at the load event and has no delay
    option, but a page's widgets start after that event (their ES modules are imported
    and their arrays unpacked asynchronously), and MathJax typesets after it. An image
    that the page is still loading holds the load event back; the widgets and MathJax
    meanwhile start as usual. Loopback only.
    """

    class Hold(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            with contextlib.suppress(ValueError):
                time.sleep(min(float(Path(self.path).stem), 30.0))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(DOT)))
            self.end_headers()
            self.wfile.write(DOT)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hold)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hold"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def held_copies(hold: str):
    """``copy(page, seconds)``: a copy of ``page`` beside it (so its relative links work)
    whose load event waits ``seconds`` for one image; the copies go when the block ends,
    so the edition's folder is as it was for the tests that read it after this one."""
    made = []

    def copy(page: Path, seconds: float) -> Path:
        html = page.read_text(encoding="utf-8")
        dot = (
            f'<img src="{hold}/{seconds:g}.png" alt="" width="1" height="1" '
            'style="position:absolute;left:0;top:0">'
        )
        at = html.rindex("</body>")
        held = page.with_name(f"{page.stem}.firefox-{seconds:g}s.html")
        held.write_text(html[:at] + dot + html[at:], encoding="utf-8")
        made.append(held)
        return held

    try:
        yield copy
    finally:
        for held in made:
            held.unlink(missing_ok=True)


def _picture(data) -> np.ndarray:
    return np.asarray(Image.open(data).convert("RGB")).astype(np.int16)


def _fine(match) -> bool:
    """A canvas painted, and within the tolerance of Chromium's picture."""
    return not match.blank and match.missing <= MAX_MISSING


def test_every_page_paints_its_canvases_in_firefox_as_in_chromium(
    static_edition, chromium, firefox_available, tmp_path
):
    """Every page in Firefox: each widget canvas painted and as Chromium paints it, none blank."""
    out, pages = static_edition
    profile = tmp_path / "firefox-profile"
    profile.mkdir()
    problems, canvases, summary = [], 0, []
    # Firefox runs in the background (one page at a time) while Chromium takes its own
    # pictures: the two engines overlap.
    with (
        holding_server() as hold,
        held_copies(hold) as held_copy,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        jobs = []
        for page in pages:
            path = out / page["html"]
            chromium.open_file(path)
            chromium.settle(scope="body")
            rects = chromium.page.evaluate(CANVAS_RECTS)
            height = chromium.page.evaluate("document.documentElement.scrollHeight")
            # Text wraps a little differently in Firefox: room for the page to grow.
            window = int(height * 1.05) + 200 if rects else 800
            png = tmp_path / f"{page['name']}.png"
            held = held_copy(path, 3)
            future = pool.submit(screenshot, held, png, WIDTH, window, profile)
            reference = _picture(io.BytesIO(chromium.page.screenshot(full_page=True)))
            jobs.append((page["name"], path, future, reference, rects))
        for name, path, future, reference, rects in jobs:
            picture = _picture(future.result())
            if not rects:
                if len(np.unique(picture.reshape(-1, 3), axis=0)) <= 1:
                    problems.append(f"{name}: Firefox shows a blank window")
                continue
            matches = compare_page(picture, reference, rects)
            # Firefox takes its picture soon after the load event, while a page's widgets
            # may still be starting (their ES modules are imported and their arrays
            # unpacked after it): a canvas may not have painted yet. Ask again, up to four
            # times; each canvas must match Chromium's in one of the pictures, so a canvas
            # Firefox paints wrong fails every time.
            for attempt in range(4):
                if all(_fine(m) for m in matches):
                    break
                again = tmp_path / f"{name}-again{attempt}.png"
                window = int(reference.shape[0] * 1.05) + 200
                held = held_copy(path, 3 * (attempt + 2))
                picture = _picture(screenshot(held, again, WIDTH, window, profile))
                matches = [
                    m if _fine(m) else min(m, n, key=lambda x: (x.blank, x.missing))
                    for m, n in zip(matches, compare_page(picture, reference, rects), strict=True)
                ]
            canvases += len(matches)
            worst = max(m.missing for m in matches)
            summary.append(f"{name}: {len(matches)} canvases, worst {worst:.2%} missing")
            for m in matches:
                if m.blank:
                    problems.append(f"{name}: canvas at {m.rect} is blank in Firefox")
                elif m.missing > MAX_MISSING:
                    problems.append(
                        f"{name}: canvas at {m.rect} (found {m.shift} px off): "
                        f"{m.missing:.1%} of pixels beyond {TOLERANCE} levels of Chromium's"
                    )
    print("\n".join(summary))
    assert not problems, "\n".join(problems)
    assert canvases >= 20, f"only {canvases} widget canvases in the whole edition"
