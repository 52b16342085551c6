"""Drive a throw-away JupyterLab in Debian's Chromium (used by the browser tests and
by ``benchmarks/bench_browser.py``).

Nothing here knows about pytest. :class:`LabServer` starts JupyterLab on 127.0.0.1
with a random token, a temporary root (notebooks are *copied* into it) and temporary
settings; :class:`Browser` opens notebooks in one Chromium page, runs them, reads
what they show and moves sliders as a person would (keyboard focus + arrow keys).

The selectors follow ``/work/shared/BROWSER.md``: every one is scoped to the visible
notebook panel.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
# Debian's Chromium; CONVTUTOR_CHROMIUM points elsewhere (e.g. to check the skip rule).
CHROMIUM = Path(os.environ.get("CONVTUTOR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 800}

# User settings for the throw-away server: no autosave (nothing is written back), no
# news or update checks, no extension manager (it would query PyPI), every cell
# attached to the page (so counting and full-page screenshots see all of them).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    "@jupyter-widgets/jupyterlab-manager/plugin": {"saveState": True},
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "scrollPastEnd": False,
        "autoStartDefaultKernel": True,
    },
}

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
SLIDER = ".widget-slider"
CANVAS = ".jupyter-matplotlib-canvas-div canvas:first-child"
FIGURE = ".jupyter-matplotlib-figure"

# Runs in every page before JupyterLab loads: remember when each on-page canvas was
# last painted (ipympl paints its visible canvas with drawImage from an offscreen
# one) and when the last key went down, both on the page's own clock.
INIT_SCRIPT = """
(() => {
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const canvas = this.canvas;
    if (canvas && canvas.isConnected) {
      const now = performance.now();
      canvas.__ctDraws = (canvas.__ctDraws || 0) + 1;
      canvas.__ctLastDraw = now;
      if (!(canvas.__ctFirstDraw > window.__ctKeyDown)) canvas.__ctFirstDraw = now;
    }
    return draw.apply(this, args);
  };
  window.__ctKeyDown = 0;
  document.addEventListener('keydown', () => { window.__ctKeyDown = performance.now(); },
                            true);
})();
"""


class BrowserUnavailable(RuntimeError):
    """Chromium or Playwright is not installed here."""


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install it with: sudo apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright Python package is missing ({exc}); pip install playwright"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, sources: list[str]) -> Path:
    """Write a notebook of code cells (python3 kernel) to ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, str(path))
    return path


class LabServer:
    """JupyterLab on 127.0.0.1, a free port, a random token and a temporary root."""

    def __init__(self, *, quick: bool = True):
        self.tmp = Path(tempfile.mkdtemp(prefix="convtutor-lab-"))
        self.root = self.tmp / "root"
        self.root.mkdir()
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.quick = quick
        self.proc: subprocess.Popen | None = None
        self.log_path = self.tmp / "server.log"

    # ---- life cycle -------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> LabServer:
        settings = self.tmp / "user-settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # the kernel should start like a student's
        env.update(
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            PYTHONUNBUFFERED="1",
        )
        if self.quick:
            env.setdefault("CONVTUTOR_QUICK", "1")
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self.api("GET", "/api/status") is not None:
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(Exception):
                for session in self.api("GET", "/api/sessions") or []:
                    self.api("DELETE", f"/api/sessions/{session['id']}")
                for kernel in self.api("GET", "/api/kernels") or []:
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        with contextlib.suppress(Exception):
            self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    # ---- REST ---------------------------------------------------------------------
    def api(self, method: str, path: str, timeout: float = 10.0):
        request = urllib.request.Request(
            self.base + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def delete_sessions(self) -> None:
        """Shut down every kernel a notebook started (the next one starts clean)."""
        for session in self.api("GET", "/api/sessions") or []:
            with contextlib.suppress(Exception):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    # ---- files ----------------------------------------------------------------------
    def copy_notebook(self, source: Path) -> str:
        """Copy a notebook into the root (never open the original); return its name."""
        shutil.copy2(source, self.root / source.name)
        return source.name

    def tree_url(self, name: str) -> str:
        return f"{self.base}/lab/tree/{name}?reset&token={self.token}"

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class CellView:
    """What one code cell shows in the page."""

    prompt: str
    stderr: list[str]
    errorWidgets: int  # noqa: N815 - the page's own names
    loading: int
    views: int
    unrendered: int
    figures: int
    sliders: int
    blank: int = 0  # ipympl canvases never painted (size 0 or no image)
    clipped: list = field(default_factory=list)  # [canvas px, output px, px cut off]


@dataclass
class RunReport:
    """What a notebook showed after run-all."""

    name: str
    seconds: float
    cells: list[CellView]
    console_errors: list[str] = field(default_factory=list)

    @property
    def not_run(self) -> list[int]:
        """1-based numbers of code cells that show no execution count."""
        return [i + 1 for i, c in enumerate(self.cells) if not c.prompt.strip("[]: ").isdigit()]

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) for c in self.cells)


SLIDER_MODELS = {
    "IntSliderModel",
    "FloatSliderModel",
    "FloatLogSliderModel",
    "SelectionSliderModel",
    "IntRangeSliderModel",
    "FloatRangeSliderModel",
    "SelectionRangeSliderModel",
}


def expected_views(saved: dict) -> list[dict]:
    """Per code cell of a saved notebook: how many widget views, ipympl figures and
    sliders its outputs display, from the widget state the front end saved.

    A cell's figures and sliders are the ``CanvasModel`` and slider models reachable
    through ``children`` (and Output widgets' outputs) from its widget outputs.
    """
    state = (
        saved.get("metadata", {})
        .get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )

    def walk(model_id: str, seen: set) -> tuple[int, int, int]:
        if model_id in seen:
            return 0, 0, 0
        seen.add(model_id)
        model = state.get(model_id)
        if model is None:
            return 0, 0, 1
        name = model.get("model_name", "")
        figures = int(name in ("MPLCanvasModel", "CanvasModel"))
        sliders = int(name in SLIDER_MODELS)
        missing = 0
        refs = [c for c in model.get("state", {}).get("children", []) if isinstance(c, str)]
        for out in model.get("state", {}).get("outputs", []) or []:
            ref = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if ref:
                refs.append(ref["model_id"])
        for ref in refs:
            f, sl, mi = walk(ref.removeprefix("IPY_MODEL_"), seen)
            figures, sliders, missing = figures + f, sliders + sl, missing + mi
        return figures, sliders, missing

    cells = []
    for cell in saved.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        views = figures = sliders = missing = 0
        for out in cell.get("outputs", []):
            ref = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if not ref:
                continue
            views += 1
            f, sl, mi = walk(ref["model_id"], set())
            figures, sliders, missing = figures + f, sliders + sl, missing + mi
        cells.append({"views": views, "figures": figures, "sliders": sliders, "missing": missing})
    return cells


class Browser:
    """One Chromium (persistent context in a temporary profile) with one page."""

    def __init__(self, server: LabServer, *, headless: bool = True):
        from playwright.sync_api import sync_playwright

        self.server = server
        self.profile = Path(tempfile.mkdtemp(prefix="convtutor-chromium-"))
        self._pw = sync_playwright().start()
        try:
            self.context = self._pw.chromium.launch_persistent_context(
                str(self.profile),
                executable_path=str(CHROMIUM),
                headless=headless,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
            )
        except Exception:
            self._pw.stop()
            raise
        self.context.add_init_script(INIT_SCRIPT)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.console_errors: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()
        with contextlib.suppress(Exception):
            self._pw.stop()
        shutil.rmtree(self.profile, ignore_errors=True)

    # ---- opening and running ------------------------------------------------------
    def open(self, name: str, timeout: float = 90.0) -> None:
        """Open ``name`` (already in the server root) and wait for an idle kernel."""
        page = self.page
        page.goto("about:blank")
        self.server.delete_sessions()
        self.console_errors.clear()
        page.goto(self.server.tree_url(name))
        page.wait_for_selector(f"{PANEL} .jp-Notebook", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while not self._kernel_idle(name):
            dialog = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
            if dialog.count():  # "Select Kernel": take the notebook's own (python3)
                dialog.first.click()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no idle kernel for {name} after {timeout:.0f} s")
            page.wait_for_timeout(100)
        self._wait_idle(timeout)

    def _kernel_idle(self, name: str) -> bool:
        for session in self.server.api("GET", "/api/sessions") or []:
            if session.get("path", "").endswith(name) and session.get("kernel"):
                return session["kernel"].get("execution_state") == "idle"
        return False

    def _wait_idle(self, timeout: float) -> None:
        self.page.wait_for_selector(
            f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
            timeout=timeout * 1000,
        )

    def run_all(self, timeout: float = 240.0) -> float:
        """Run every cell from the Run menu; return the seconds until all have run."""
        page = self.page
        start = time.monotonic()
        page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-item[data-command='runmenu:run-all']")
        # Done when the kernel is idle, no prompt shows [*], and either every code cell
        # shows [n] or an error stopped the run. Must hold twice in a row 250 ms apart
        # (the indicator is idle for an instant between cells).
        page.wait_for_function(
            """(panel) => {
              const root = document.querySelector(panel);
              if (!root) return false;
              const ind = root.querySelector('.jp-Notebook-ExecutionIndicator');
              const prompts = [...root.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent.trim());
              const idle = ind && ind.dataset.status === 'idle';
              const running = prompts.some(p => p.includes('*'));
              const allRun = prompts.every(p => /\\[\\d+\\]/.test(p));
              const failed = root.querySelector(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']");
              const ok = idle && !running && (allRun || failed);
              const now = performance.now();
              if (!ok) { window.__ctDoneSince = 0; return false; }
              if (!window.__ctDoneSince) { window.__ctDoneSince = now; return false; }
              return now - window.__ctDoneSince > 250;
            }""",
            arg=PANEL,
            timeout=timeout * 1000,
            polling=50,
        )
        seconds = time.monotonic() - start
        with contextlib.suppress(Exception):  # a blank or loading widget is reported later
            self.settle(timeout=15.0)
        return seconds

    def settle(self, quiet_ms: float = 400.0, timeout: float = 30.0) -> None:
        """Wait until no canvas has been painted for ``quiet_ms`` and no widget loads."""
        self.page.wait_for_function(
            """([panel, quiet]) => {
              const root = document.querySelector(panel);
              if (!root) return false;
              const loading = [...root.querySelectorAll('.jp-OutputArea-output')]
                .some(e => (e.textContent || '').includes('Loading widget'));
              if (loading) return false;
              const figures = [...root.querySelectorAll(
                '.jupyter-matplotlib-canvas-div canvas:first-child')];
              if (figures.some(c => !(c.__ctDraws > 0))) return false;
              const last = Math.max(0, ...[...root.querySelectorAll('canvas')]
                .map(c => c.__ctLastDraw || 0));
              return performance.now() - last > quiet;
            }""",
            arg=[PANEL, quiet_ms],
            timeout=timeout * 1000,
            polling=50,
        )

    def report(self, name: str, seconds: float) -> RunReport:
        """Read what the visible notebook shows, cell by cell."""
        cells = self.page.evaluate(
            """(panel) => {
              const root = document.querySelector(panel);
              return [...root.querySelectorAll('.jp-CodeCell')].map(cell => {
                const q = (s) => [...cell.querySelectorAll(s)];
                // A widget view is an output panel without a mime type.
                const views = q('.jp-OutputArea-output:not([data-mime-type])');
                const prompt = cell.querySelector('.jp-InputPrompt');
                return {
                  prompt: prompt ? prompt.textContent.trim() : '',
                  stderr: q(".jp-OutputArea-output[data-mime-type="
                            + "'application/vnd.jupyter.stderr']")
                    .map(e => e.textContent.slice(0, 2000)),
                  errorWidgets: q('.jupyter-widgets-error-widget').length,
                  loading: q('.jp-OutputArea-output').filter(
                    e => (e.textContent || '').includes('Loading widget')).length,
                  views: views.length,
                  unrendered: views.filter(
                    e => !e.querySelector('.jupyter-widgets, .jupyter-matplotlib')).length,
                  figures: q('.jupyter-matplotlib-figure').length,
                  sliders: q('.widget-slider').length,
                  // ipympl canvases never painted (ipympl skips a canvas of size 0)
                  blank: q('.jupyter-matplotlib-canvas-div canvas:first-child').filter(
                    c => c.width === 0 || c.height === 0 || !(c.__ctDraws > 0)).length,
                  // figures whose canvas reaches past the right edge of the output area
                  clipped: q('.jupyter-matplotlib-canvas-div canvas:first-child').map(c => {
                    const area = c.closest('.jp-OutputArea-output') || c;
                    const over = c.getBoundingClientRect().right
                      - area.getBoundingClientRect().right;
                    return [Math.round(c.getBoundingClientRect().width),
                            Math.round(area.getBoundingClientRect().width), Math.round(over)];
                  }).filter(([w, a, over]) => over > 1),
                };
              });
            }""",
            PANEL,
        )
        return RunReport(
            name=name,
            seconds=seconds,
            cells=[CellView(**c) for c in cells],
            console_errors=list(self.console_errors),
        )

    def save(self, name: str, timeout: float = 30.0) -> dict:
        """Save the copy (File > Save) and return it as JSON, outputs and widget state.

        The throw-away server's settings save the widget state into the notebook, so
        the saved file says which widgets the kernel displayed (``expected_views``).
        """
        page = self.page
        path = self.server.root / name
        before = path.stat().st_mtime_ns
        page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('File')")
        page.click(".lm-Menu-item[data-command='docmanager:save']")
        deadline = time.monotonic() + timeout
        while (
            path.stat().st_mtime_ns == before
            or page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} was not saved within {timeout:.0f} s")
            page.wait_for_timeout(100)
        page.wait_for_timeout(200)
        return json.loads(path.read_text())

    def screenshot(self, path: Path) -> Path:
        """The whole notebook at 1280 px wide: the window grows to fit, then shrinks back."""
        page = self.page
        path.parent.mkdir(parents=True, exist_ok=True)
        height = page.evaluate(
            """(panel) => {
              const root = document.querySelector(panel);
              const scroller = root.querySelector('.jp-WindowedPanel-outer')
                || root.querySelector('.jp-Notebook');
              return scroller.scrollHeight - scroller.clientHeight + window.innerHeight;
            }""",
            PANEL,
        )
        height = int(min(max(height, VIEWPORT["height"]), 30000))
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        try:
            page.wait_for_timeout(300)
            page.screenshot(path=str(path), full_page=True)
        finally:
            page.set_viewport_size(VIEWPORT)
            page.wait_for_timeout(200)
        return path

    # ---- widgets ----------------------------------------------------------------------
    def output_area(self, cell_index: int):
        """The output area of the ``cell_index``-th code cell (0-based)."""
        return (
            self.page.locator(f"{PANEL} .jp-CodeCell")
            .nth(cell_index)
            .locator(".jp-Cell-outputArea")
        )

    @staticmethod
    def canvas_png(area) -> str:
        """The first ipympl canvas in ``area`` as a data URL (its exact pixels)."""
        return area.locator(CANVAS).first.evaluate("c => c.toDataURL('image/png')")

    @staticmethod
    def draws(area) -> int:
        return area.locator(CANVAS).first.evaluate("c => c.__ctDraws || 0")

    def _after(self, area, action, timeout: float, *, required: bool = True) -> bool:
        """Do ``action()`` and wait until ``area``'s canvas is repainted.

        Returns False if it is not repainted within ``timeout`` seconds (raises a
        Playwright TimeoutError instead when ``required``).
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        element = area.locator(CANVAS).first.element_handle()
        before = element.evaluate("c => c.__ctDraws || 0")
        action()
        try:
            self.page.wait_for_function(
                "([c, n]) => (c.__ctDraws || 0) > n",
                arg=[element, before],
                timeout=timeout * 1000,
                polling="raf",
            )
        except PlaywrightTimeout:
            if required:
                raise
            return False
        return True

    def move_slider(self, area, index: int, key: str, timeout: float = 10.0) -> float:
        """Focus the ``index``-th slider handle in ``area`` and press ``key``, as a person
        would; wait for the canvas to be repainted.

        Returns the milliseconds from the key going down to the first repaint of the
        canvas after it (both on the page's clock). Raises a Playwright TimeoutError
        if the canvas is not repainted within ``timeout`` seconds.
        """
        handle = area.locator(f"{SLIDER} .noUi-handle").nth(index)
        shown = handle.get_attribute("aria-valuenow")
        try:
            self._after(area, lambda: handle.press(key), timeout)
        except Exception as exc:
            states = [
                s["kernel"]["execution_state"]
                for s in self.server.api("GET", "/api/sessions") or []
                if s.get("kernel")
            ]
            canvas = area.locator(CANVAS).first.evaluate(
                "c => [c.width, c.height, c.__ctDraws || 0, c.isConnected]"
            )
            text = " ".join(area.inner_text().split())[:400]
            raise TimeoutError(
                f"no repaint {timeout:.0f} s after {key} on a slider (value {shown} -> "
                f"{handle.get_attribute('aria-valuenow')}; kernel {states}; canvas "
                f"[width, height, paints, connected] {canvas}; the widget reads: {text!r}; "
                f"server and kernel log:\n{self.server.log_tail(25)})"
            ) from exc
        return area.locator(CANVAS).first.evaluate("c => c.__ctFirstDraw - window.__ctKeyDown")

    def select(self, area, index: int, value: str, timeout: float = 3.0) -> bool:
        """Choose ``value`` in the ``index``-th dropdown of ``area``; True once the canvas
        is repainted, False if it is not within ``timeout`` seconds."""
        select = area.locator(".widget-dropdown select").nth(index)
        return self._after(area, lambda: select.select_option(value), timeout, required=False)

    def toggle(self, area, index: int, timeout: float = 3.0) -> bool:
        """Click the ``index``-th checkbox of ``area``; True once the canvas is repainted."""
        box = area.locator(".widget-checkbox input[type='checkbox']").nth(index)
        return self._after(area, box.click, timeout, required=False)

    def settle_canvas(self, area, quiet_ms: float = 150.0, timeout: float = 15.0) -> None:
        """Wait until ``area``'s canvas has not been painted for ``quiet_ms``."""
        canvas = area.locator(CANVAS).first
        canvas.page.wait_for_function(
            "([c, q]) => performance.now() - (c.__ctLastDraw || 0) > q",
            arg=[canvas.element_handle(), quiet_ms],
            timeout=timeout * 1000,
            polling=20,
        )


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


WIDGETS_NOTEBOOK = "widgets_check.ipynb"


BASELINE_SOURCE = """\
import ipywidgets, matplotlib.pyplot as plt, numpy as np
with plt.ioff():
    baseline_fig, baseline_ax = plt.subplots(figsize=(3, 3))
for attr in ("header_visible", "footer_visible", "toolbar_visible", "resizable"):
    setattr(baseline_fig.canvas, attr, False)
# Sized before it is shown, as ipympl does for a bare canvas (in a box it would not be,
# and the page could size it 0 x 0; see convtutor/widgets/_ipympl.py).
baseline_fig.canvas._size = tuple(baseline_fig.bbox.size)
baseline_im = baseline_ax.imshow(np.zeros((64, 64)), vmin=0, vmax=1)
baseline_slider = ipywidgets.IntSlider(0, 0, 20, description="seed")
def baseline_move(change):
    baseline_im.set_data(np.random.default_rng(change["new"]).random((64, 64)))
    baseline_fig.canvas.draw_idle()
baseline_slider.observe(baseline_move, "value")
display(ipywidgets.VBox([baseline_slider, baseline_fig.canvas]))"""


def write_widgets_notebook(
    server: LabServer, names: list[str], *, baseline: bool = False
) -> dict[str, int]:
    """A notebook showing each widget of ``convtutor.widgets.ALL`` in its own cell.

    Returns name -> index of its code cell. A widget that fails to build prints its
    traceback (stderr) instead of stopping the run, so the others still get checked.
    With ``baseline``, a last cell ("baseline") shows the smallest ipympl slider
    figure (64x64 ``imshow``, ``set_data`` + ``draw_idle``) to compare against.
    """
    sources = [
        "%matplotlib widget\nfrom IPython.display import display\nfrom convtutor.widgets import ALL"
    ]
    cells = {}
    for name in names:
        cells[name] = len(sources)
        sources.append(
            "try:\n"
            f"    w_{name} = ALL[{name!r}]()\n"
            "except Exception:\n"
            "    import traceback\n"
            "    traceback.print_exc()\n"
            "else:\n"
            f"    display(w_{name}.widget)"
        )
    if baseline:
        cells["baseline"] = len(sources)
        sources.append(BASELINE_SOURCE)
    write_notebook(server.root / WIDGETS_NOTEBOOK, sources)
    return cells


def controls(area) -> list[dict]:
    """The sliders, dropdowns and checkboxes in ``area``, in page order, with labels."""
    return area.evaluate(
        """(area) => {
          const label = (el) => {
            const l = el.querySelector('.widget-label');
            return l ? l.textContent.trim() : '';
          };
          const off = (el) => !!el.closest('[disabled]') || !!el.querySelector('[disabled]')
            || el.offsetParent === null;
          const out = [];
          area.querySelectorAll('.widget-slider').forEach((el, i) => out.push(
            {kind: 'slider', index: i, label: label(el), disabled: off(el)}));
          area.querySelectorAll('.widget-dropdown').forEach((el, i) => out.push(
            {kind: 'dropdown', index: i, label: label(el), disabled: off(el),
             options: [...el.querySelectorAll('option')].map(o => o.value)}));
          area.querySelectorAll('.widget-checkbox').forEach((el, i) => out.push(
            {kind: 'checkbox', index: i, label: label(el), disabled: off(el)}));
          return out;
        }"""
    )


def readout(area, index: int) -> str:
    """The text readout of the ``index``-th slider in ``area``."""
    return area.locator(".widget-slider").nth(index).locator(".widget-readout").inner_text().strip()


def _movable(area, control) -> bool:
    if control["kind"] != "slider" or control["disabled"]:
        return False
    handle = area.locator(f"{SLIDER} .noUi-handle").nth(control["index"])
    low, high = handle.get_attribute("aria-valuemin"), handle.get_attribute("aria-valuemax")
    return low != high


def movable_sliders(browser: Browser, area) -> list[dict]:
    """The enabled sliders of ``area`` with more than one value. If there are none,
    pick menu options (first menu first) until some appear, as a student would."""
    found = [c for c in controls(area) if _movable(area, c)]
    menus = [c for c in controls(area) if c["kind"] == "dropdown" and not c["disabled"]]
    for menu in menus:
        for option in menu["options"]:
            if found:
                return found
            browser.select(area, menu["index"], option)
            browser.settle_canvas(area)
            found = [c for c in controls(area) if _movable(area, c)]
    return found
