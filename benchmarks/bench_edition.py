"""The static HTML edition: how heavy it is, and how soon its first slider is live.

Side by side in one run, the edition as it was (``BEFORE``, before it was made light),
as it was last measured (``PREVIOUS``), each built from a git worktree of that commit
(its notebooks executed there), and as it is now (this checkout, reusing
``build/executed`` when it is current), all with quick experiments:

* the weight of every page: the HTML file, and everything the page loads when it is
  viewed over HTTP with nothing cached (MathJax's files, a shared style sheet, the
  figures a lazy ``<img>`` fetches at once, near the first screen), as Chromium reports
  it;
* the time from ``goto`` to the first live slider (an enabled ``input[type=range]``
  inside a widget the runtime has started), opened from disk, and served over HTTP on
  loopback through Chromium's network emulation at 10 Mbit/s down, 5 Mbit/s up and
  40 ms latency (a school network, one student); the median of ``RUNS`` loads, each in
  a fresh browser context (nothing cached);
* the console errors every page logs, from disk and over HTTP.

    python benchmarks/run.py edition
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEFORE = "2fd3dd6"  # main before the edition was made light
#: The edition last measured: figures inline in the page (data URLs), not files.
PREVIOUS = os.environ.get("CONVTUTOR_BENCH_PREVIOUS", "7e94a25")
RUNS = int(os.environ.get("CONVTUTOR_BENCH_RUNS", 5))
THROTTLE = {
    "offline": False,
    "latency": 40,
    "downloadThroughput": 10e6 / 8,
    "uploadThroughput": 5e6 / 8,
}
LIVE_SLIDER = "[data-ct-live='true'] input[type=range]:not([disabled])"
TIMEOUT_MS = 40_000
PAGE_LIMIT_MB, EDITION_LIMIT_MB, FIRST_SLIDER_LIMIT_S = 1.5, 10.0, 1.5


# ---- building ----------------------------------------------------------------------
def build_here(out: Path) -> None:
    from tests.support.scripts import load_script

    load_script("build_html").build(out=out, quick=True, jobs=2)


def build_at(commit: str, out: Path) -> None:
    """The edition of ``commit``, built in a fresh worktree with this environment."""
    from benchmarks.bench_tests import worktree

    with worktree(commit) as tree:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        subprocess.run(
            [sys.executable, str(tree / "scripts" / "build_html.py"), "--quick"],
            cwd=tree,
            env=env,
            check=True,
            capture_output=True,
        )
        shutil.copytree(tree / "build" / "html", out)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


# ---- serving and loading -----------------------------------------------------------
@contextlib.contextmanager
def serve(folder: Path):
    """``folder`` over HTTP on a free loopback port, by ``python -m http.server`` in a
    process of its own (served from a thread of this one, throttled loads stalled
    now and then); yields the base URL."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/pages.json", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def load(browser, url: str, *, throttle: bool, live: bool, tries: int = 4) -> dict:
    """One load of ``url`` in a fresh context: time to the first live slider, bytes, errors.

    Now and then (about one load in twenty, before and now alike) a throttled load of the
    loopback server stalls half-way and never ends; such a load is tried again, and
    counted (``stalls``).
    """
    from playwright.sync_api import TimeoutError as Timeout

    for attempt in range(tries):
        try:
            return {**_load(browser, url, throttle=throttle, live=live), "stalls": attempt}
        except Timeout:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def _load(browser, url: str, *, throttle: bool, live: bool) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    if throttle:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", THROTTLE)
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        first = None
        if live:
            page.wait_for_selector(LIVE_SLIDER, state="attached", timeout=TIMEOUT_MS)
            first = time.perf_counter() - start
        page.wait_for_load_state("load", timeout=TIMEOUT_MS)
        # MathJax has typeset the page (its startup's last signal) before errors are read.
        page.evaluate(
            """() => new Promise((resolve) => {
              const wait = () => {
                if (!(window.MathJax && MathJax.Hub && MathJax.Hub.Register))
                  return setTimeout(wait, 50);
                MathJax.Hub.Register.StartupHook("End", () => resolve(true));
              };
              wait();
            })"""
        )
        page.wait_for_timeout(300)
        resources = page.evaluate(
            "performance.getEntriesByType('resource').map(e => [e.name, e.encodedBodySize])"
        )
        nav = page.evaluate("performance.getEntriesByType('navigation')[0].encodedBodySize")
        return {
            "first": first,
            "bytes": nav
            + sum(size for url, size in resources if not url.startswith(("blob:", "data:"))),
            "errors": errors,
        }
    finally:
        context.close()


def measure(folders: dict, browser, runs: int = RUNS) -> dict:
    """Per edition and page: weight, first live slider (disk, throttled HTTP), console
    errors. The editions take turns, load by load, so a busy moment slows both."""
    import json

    results = {key: {} for key in folders}
    with contextlib.ExitStack() as stack:
        bases = {key: stack.enter_context(serve(folder)) for key, folder in folders.items()}
        pages = {key: json.loads((f / "pages.json").read_text()) for key, f in folders.items()}
        names = [p["html"] for p in pages["now"]]
        for name in names:
            loads = {key: {"disk": [], "http": []} for key in folders}
            for _ in range(runs):
                for key, folder in folders.items():
                    page = next((p for p in pages[key] if p["html"] == name), None)
                    if page is None:
                        continue
                    live = page["live"] > 0
                    uri = (folder / name).resolve().as_uri()
                    loads[key]["disk"].append(load(browser, uri, throttle=False, live=live))
                    url = f"{bases[key]}/{name}"
                    loads[key]["http"].append(load(browser, url, throttle=True, live=live))
            for key, folder in folders.items():
                disk, http_ = loads[key]["disk"], loads[key]["http"]
                if not disk:
                    continue
                live = next(p for p in pages[key] if p["html"] == name)["live"]
                results[key][name] = {
                    "live": live,
                    "html": (folder / name).stat().st_size,
                    "loaded": statistics.median(r["bytes"] for r in http_),
                    "disk": statistics.median(r["first"] for r in disk) if live else None,
                    "http": statistics.median(r["first"] for r in http_) if live else None,
                    "errors": sorted({e for r in disk + http_ for e in r["errors"]}),
                    "stalls": sum(r["stalls"] for r in disk + http_),
                }
    return results


def launch():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
    return pw, browser


# ---- the report --------------------------------------------------------------------
#: The editions, in the order the report shows them.
KEYS = ("before", "previous", "now")


def _s(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _row(results: dict, name: str, get) -> str:
    return " → ".join(get(results[k].get(name, {})) for k in KEYS)


def table(results: dict, sizes: dict) -> list[str]:
    arrow = " → ".join(KEYS)
    lines = [
        f"| page | live widgets | HTML (MB) {arrow} | loaded (MB) {arrow} | "
        f"first live slider, disk (s) {arrow} | first live slider, 10 Mbit/s + 40 ms "
        f"(s) {arrow} | console errors {arrow} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    columns = [
        lambda r: f"{r.get('html', 0) / 1e6:.2f}",
        lambda r: f"{r.get('loaded', 0) / 1e6:.2f}",
        lambda r: _s(r.get("disk")),
        lambda r: _s(r.get("http")),
        lambda r: str(len(r.get("errors", []))),
    ]
    for name, n in results["now"].items():
        cells = " | ".join(_row(results, name, get) for get in columns)
        lines.append(f"| {name} | {n['live']} | {cells} |")
    whole = " → ".join(f"{sizes[k] / 1e6:.1f}" for k in KEYS)
    lines.append(f"| **the whole edition** | | | **{whole}** (folder) | | | |")
    return lines


def run() -> str:
    work = Path(tempfile.mkdtemp(prefix="convtutor-edition-"))
    try:
        folders = {key: work / key for key in KEYS}
        build_at(BEFORE, folders["before"])
        build_at(PREVIOUS, folders["previous"])
        build_here(folders["now"])
        pw, browser = launch()
        try:
            results = measure(folders, browser)
        finally:
            browser.close()
            pw.stop()
        sizes = {k: folder_size(d) for k, d in folders.items()}
        mathjax = {k: folder_size(d / "mathjax") for k, d in folders.items()}
        parts = {k: anatomy(d) for k, d in folders.items()}
        return report(results, sizes, mathjax, parts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def anatomy(folder: Path) -> dict:
    """What each page is made of, in bytes: the live widgets' saved state (their arrays;
    their modules and CSS), pictures inline, the rest of the file (text, code, styles),
    and the figure files next to it (``figures/``, loaded lazily)."""
    import json
    import re

    parts = {}
    for page in sorted(folder.glob("0*.html")):
        html = page.read_text(encoding="utf-8")
        found = re.search(r'widget-state\+json">(.*?)</script>', html, re.S)
        state = arrays = code = 0
        if found:
            state = len(found.group(1))
            saved = json.loads(found.group(1).replace("<\\/", "</"))
            code = sum(
                len(e["state"].get("_esm", "")) + len(e["state"].get("_css", ""))
                for e in saved["state"].values()
            )
            arrays = state - code  # the buffers and the rest of the widgets' state
        pictures = sum(len(x) for x in re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", html))
        files = sum(f.stat().st_size for f in folder.glob(f"figures/{page.stem}-*"))
        parts[page.name] = {
            "arrays": arrays,
            "code": code,
            "pictures": pictures,
            "rest": len(html) - state - pictures,
            "files": files,
        }
    return parts


def report(results: dict, sizes: dict, mathjax: dict, parts: dict | None = None) -> str:
    now = results["now"]
    heaviest = max(n["loaded"] for n in now.values()) / 1e6
    heaviest_file = max(n["html"] for n in now.values()) / 1e6
    slowest = max(n["http"] or 0 for n in now.values())
    errors = sum(len(n["errors"]) for n in now.values())
    stalls = sum(n.get("stalls", 0) for d in results.values() for n in d.values())
    lines = [
        "## The static HTML edition",
        "",
        f"`make html` with quick experiments, side by side in one run: *before* (main at {BEFORE},",
        f"before the edition was made light), *previous* (at {PREVIOUS}: figures inline in the",
        "page) and *now* (figures as files next to the page, loaded lazily), the first two",
        "built in git worktrees of those commits. *HTML*: the page's file; *loaded*: every",
        "byte the page fetches when viewed over HTTP with nothing cached (the HTML, the shared",
        "style sheet, MathJax's files, the figures near the first screen; a second page finds",
        "the style sheet and MathJax in the cache). First live slider: from `goto` to the",
        f"first enabled slider in a widget the runtime started, median of {RUNS} loads, each",
        "in a fresh browser context; over HTTP through Chromium's network emulation at",
        "10 Mbit/s down, 5 Mbit/s up, 40 ms latency. Console errors: distinct messages over",
        "all loads, from disk and over HTTP. The machine is shared (2 cores): times vary by a",
        "few tenths of a second from run to run.",
        "",
        *table(results, sizes),
        "",
        "MathJax: " + ", ".join(f"{mathjax[k] / 1e6:.1f} MB {k}" for k in KEYS) + ".",
        f"Targets: every page <= {PAGE_LIMIT_MB} MB (now: files at most {heaviest_file:.2f} MB,"
        f" at most {heaviest:.2f} MB loaded with nothing cached); the whole edition <= "
        f"{EDITION_LIMIT_MB:.0f} MB (now {sizes['now'] / 1e6:.1f} MB); first live slider <= "
        f"{FIRST_SLIDER_LIMIT_S} s at 10 Mbit/s + 40 ms (now at most {slowest:.2f} s); "
        f"console errors: {errors} now.",
    ]
    if stalls:
        lines.append(f"Loads that stalled and were tried again: {stalls}.")
    example = next((e for b in results["before"].values() for e in b["errors"]), None)
    if example:
        lines.append(f"Before, every page logged, e.g.: `{example[:110]}`")
    for name, n in now.items():
        for error in n["errors"]:
            lines.append(f"Now, {name} logged: `{error[:110]}`")
    if parts:
        lines += [
            "",
            "What the pages are made of (MB): the live widgets' arrays (their saved state",
            "less code), their modules and CSS, pictures inline, the rest of the file, and",
            "the figure files next to it (fetched lazily, as they come near the screen).",
            "",
            f"| page | arrays {' → '.join(KEYS)} | widget code | pictures inline "
            f"{' → '.join(KEYS)} | rest {' → '.join(KEYS)} | figure files now |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, n in parts["now"].items():

            def row(what, name=name):
                return " → ".join(f"{parts[k].get(name, {}).get(what, 0) / 1e6:.2f}" for k in KEYS)

            lines.append(
                f"| {name} | {row('arrays')} | {n['code'] / 1e6:.2f} | {row('pictures')} | "
                f"{row('rest')} | {n['files'] / 1e6:.2f} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
