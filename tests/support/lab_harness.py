"""Drive a throw-away JupyterLab in Debian's Chromium (used by the browser tests and
by ``benchmarks/bench_browser.py``).

Nothing here knows about pytest. :class:`LabServer` starts JupyterLab on 127.0.0.1
with a random token, a temporary root (notebooks are *copied* into it) and temporary
settings; :class:`Browser` opens notebooks in one Chromium page, runs them, reads
what they show and moves sliders as a person would (keyboard focus + arrow keys).

Widgets are read and moved with ``tests/support/pixels.py`` and :func:`sweep`; the
notes on driving JupyterLab in Chromium are in ``docs/browser_testing.md``. Every
selector is scoped to the visible notebook panel.
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
WIDGET = ".ct-widget"

# Runs in every page before anything else: the latency clock. A key's own event time
# stamp (capture phase, the page's clock) starts a measurement; the first canvas paint
# (putImageData) after it asks for the next animation frame, and the time in that
# frame's callback ends it: key down -> the frame that shows the new picture.
INIT_SCRIPT = """
(() => {
  window.__ctLatencies = [];
  window.__ctPending = null;
  document.addEventListener('keydown', (e) => { window.__ctPending = e.timeStamp; }, true);
  const painted = (canvas) => {
    canvas.__ctDraws = (canvas.__ctDraws || 0) + 1;
    const start = window.__ctPending;
    if (start !== null && canvas.isConnected) {
      window.__ctPending = null;
      requestAnimationFrame(() => window.__ctLatencies.push(performance.now() - start));
    }
  };
  // convtutor's widgets paint with putImageData; ipympl (the old widgets, measured
  // side by side by benchmarks/bench_browser.py) with drawImage.
  for (const name of ['putImageData', 'drawImage']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      const result = original.apply(this, args);
      painted(this.canvas);
      return result;
    };
  }
})();
"""
#: Console messages that are not the suite's faults: none. (The static edition's MathJax
#: no longer probes for web fonts at 'about:blank', which Chromium logged as an error.)
BENIGN_CONSOLE: tuple[str, ...] = ()


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


#: The front ends :class:`LabServer` can start: name -> (module run with ``python -m``,
#: path of a notebook's page). Jupyter Notebook 7 is built from JupyterLab's parts, so
#: the same selectors, settings and Run menu work in both.
FRONT_ENDS = {
    "lab": ("jupyterlab", "lab/tree"),
    "notebook": ("notebook", "notebooks"),
}


class LabServer:
    """JupyterLab (or, ``front_end="notebook"``, Jupyter Notebook 7) on 127.0.0.1, a free
    port, a random token and a temporary root."""

    def __init__(self, *, quick: bool = True, front_end: str = "lab"):
        if front_end not in FRONT_ENDS:
            raise ValueError(f"front_end must be one of {sorted(FRONT_ENDS)}, not {front_end!r}")
        self.front_end = front_end
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
    def start(self, timeout: float = 120.0) -> LabServer:
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
            FRONT_ENDS[self.front_end][0],
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if self.front_end == "lab":
            cmd.append("--LabApp.news_url=")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.front_end} exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self.api("GET", "/api/status") is not None:
                    return self
            time.sleep(0.25)
        tail = self.log_tail()  # before stop() removes the log
        self.stop()
        raise RuntimeError(f"{self.front_end} did not answer in {timeout:.0f} s:\n{tail}")

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

    def shutdown_kernels(self) -> int:
        """Shut every kernel down (the page stays open); return how many there were."""
        kernels = self.api("GET", "/api/kernels") or []
        for kernel in kernels:
            with contextlib.suppress(Exception):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        return len(kernels)

    def kernel_client(self, name: str):
        """A second client of the kernel behind notebook ``name`` (jupyter_client)."""
        from jupyter_client import BlockingKernelClient

        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path", "").endswith(name) and session.get("kernel"):
                kernel_id = session["kernel"]["id"]
                break
        else:
            raise RuntimeError(f"no kernel runs {name}")
        runtime = self.tmp / "runtime"
        files = list(runtime.glob(f"kernel-{kernel_id}.json"))
        if not files:
            raise RuntimeError(f"no connection file for kernel {kernel_id} in {runtime}")
        client = BlockingKernelClient(connection_file=str(files[0]))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        return client

    def evaluate(self, name: str, expression: str, timeout: float = 30.0):
        """The JSON value of ``expression`` in the kernel of notebook ``name``."""
        client = self.kernel_client(name)
        try:
            code = f"import json as _j\nprint(_j.dumps({expression}))"
            out = []
            reply = client.execute_interactive(
                code,
                timeout=timeout,
                output_hook=lambda m: (
                    out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
                ),
                store_history=False,
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{expression!r} failed: {reply['content']}")
            return json.loads("".join(out))
        finally:
            client.stop_channels()

    # ---- files ----------------------------------------------------------------------
    def copy_notebook(self, source: Path, *, trust: bool = False) -> str:
        """Copy a notebook into the root (never open the original); return its name.

        ``trust`` signs the copy, as ``jupyter trust`` does: JupyterLab renders the saved
        outputs of a trusted notebook as they are (widgets included); an untrusted one
        gets safe fallbacks (the widgets' PNGs).
        """
        target = self.root / source.name
        shutil.copy2(source, target)
        if trust:
            from nbformat.sign import NotebookNotary

            nb = nbformat.read(target, as_version=4)
            NotebookNotary().sign(nb)
        return source.name

    def tree_url(self, name: str) -> str:
        """The page of notebook ``name`` (JupyterLab: from an empty workspace)."""
        reset = "reset&" if self.front_end == "lab" else ""
        return f"{self.base}/{FRONT_ENDS[self.front_end][1]}/{name}?{reset}token={self.token}"

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class CellView:
    """What one code cell shows in the page."""

    prompt: str
    stderr: list[str]
    errors: list[str]  # error outputs (tracebacks)
    errorWidgets: int  # noqa: N815 - the page's own names
    loading: int
    views: int
    unrendered: int
    widgets: int  # convtutor widgets painted
    clipped: list = field(default_factory=list)  # [widget px, output px, px cut off]


@dataclass
class RunReport:
    """What a notebook shows."""

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


def serious(console_errors: list[str]) -> list[str]:
    """Console errors less the known benign ones (:data:`BENIGN_CONSOLE`).

    Chromium follows a refused request with a bare "Failed to load resource" line; the
    one right after a benign message belongs to it and goes too.
    """
    kept, after_benign = [], False
    for error in console_errors:
        benign = any(b in error for b in BENIGN_CONSOLE)
        if not benign and not (after_benign and error.startswith("Failed to load resource")):
            kept.append(error)
        after_benign = benign
    return kept


class Browser:
    """One Chromium (persistent context in a temporary profile) with one page."""

    def __init__(self, server: LabServer | None = None, *, headless: bool = True):
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
        self.requests: list[str] = []
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

    # ---- a page from disk, offline ---------------------------------------------------
    def open_file(self, path: Path, timeout: float = 60.0) -> None:
        """Open ``path`` from disk with every request off this disk refused (recorded)."""
        page = self.page
        page.goto("about:blank")
        self.console_errors.clear()
        self.requests.clear()

        def only_local(route):
            url = route.request.url
            if url.startswith(("file:", "blob:", "data:", "about:")):
                route.continue_()
            else:
                self.requests.append(url)
                route.abort()

        self.context.unroute("**/*")
        self.context.route("**/*", only_local)
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_load_state("load", timeout=timeout * 1000)

    # ---- opening and running ------------------------------------------------------
    def open(self, name: str, timeout: float = 90.0) -> None:
        """Open ``name`` (already in the server root) and wait for an idle kernel."""
        page = self.page
        page.goto("about:blank")
        self.context.unroute("**/*")
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
        with contextlib.suppress(Exception):  # a widget that never paints is reported later
            self.settle(timeout=15.0)
        return seconds

    def settle(self, timeout: float = 30.0, scope: str = PANEL) -> None:
        """Wait until no widget is loading and every convtutor widget has painted."""
        self.page.wait_for_function(
            """(scope) => {
              const root = document.querySelector(scope);
              if (!root) return false;
              const loading = [...root.querySelectorAll('.jp-OutputArea-output')]
                .some(e => (e.textContent || '').includes('Loading widget'));
              const live = [...root.querySelectorAll('[data-ct-model]')]
                .some(e => !e.dataset.ctLive);
              const unpainted = [...root.querySelectorAll('.ct-widget')]
                .some(w => !(Number(w.dataset.painted) > 0));
              return !loading && !live && !unpainted;
            }""",
            arg=scope,
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
                  errors: q(".jp-OutputArea-output[data-mime-type="
                            + "'application/vnd.jupyter.error']")
                    .map(e => e.textContent.slice(0, 2000)),
                  errorWidgets: q('.jupyter-widgets-error-widget').length,
                  loading: q('.jp-OutputArea-output').filter(
                    e => (e.textContent || '').includes('Loading widget')).length,
                  views: views.length,
                  unrendered: views.filter(
                    e => !e.querySelector('.jupyter-widgets, .ct-widget, .widget-output'))
                    .length,
                  widgets: q('.ct-widget').filter(w => Number(w.dataset.painted) > 0).length,
                  // widgets reaching past the right edge of the output area
                  clipped: q('.ct-widget').map(w => {
                    const area = w.closest('.jp-OutputArea-output') || w;
                    const over = Math.max(w.scrollWidth - area.clientWidth,
                      w.getBoundingClientRect().right - area.getBoundingClientRect().right);
                    return [Math.round(w.scrollWidth), Math.round(area.clientWidth),
                            Math.round(over)];
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

    def screenshot(self, path: Path, scroller: str | None = None) -> Path:
        """The whole notebook (or page) at 1280 px wide: the window grows to fit, then back."""
        page = self.page
        path.parent.mkdir(parents=True, exist_ok=True)
        height = page.evaluate(
            """(panel) => {
              const root = document.querySelector(panel);
              if (!root) return document.documentElement.scrollHeight;
              const scroller = root.querySelector('.jp-WindowedPanel-outer')
                || root.querySelector('.jp-Notebook');
              if (!scroller || scroller === document.body) {
                return document.documentElement.scrollHeight;  // a plain page
              }
              return scroller.scrollHeight - scroller.clientHeight + window.innerHeight;
            }""",
            scroller or PANEL,
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

    # ---- latency ------------------------------------------------------------------------
    def latencies(self, clear: bool = True) -> list[float]:
        """Milliseconds from each key down to the frame after its canvas paint (page clock)."""
        values = self.page.evaluate("window.__ctLatencies.slice()")
        if clear:
            self.page.evaluate("window.__ctLatencies = []; window.__ctPending = null")
        return values


# ---- moving the widgets ----------------------------------------------------------------
#: Keys pressed on each range control, in order: the ends, steps, pages, and back.
RANGE_KEYS = ["End", "Home", "ArrowRight", "ArrowRight", "PageUp", "ArrowUp", "PageDown",
              "ArrowLeft", "ArrowDown", "End", "ArrowLeft", "Home"]  # fmt: skip


def controls_of(root) -> list[dict]:
    """The controls of one ``.ct-widget`` (a Playwright locator), in page order."""
    return root.evaluate(
        """(w) => [...w.querySelectorAll(
              '.ct-controls input[type=range], .ct-controls select')].map(
          (c) => ({name: c.dataset.name, kind: c.tagName === 'SELECT' ? 'select' : 'range',
                   disabled: c.disabled,
                   label: (c.labels && c.labels[0]) ? c.labels[0].textContent : '',
                   options: c.tagName === 'SELECT' ? [...c.options].map(o => o.value) : null,
                   min: c.min, max: c.max, value: c.value,
                   valuetext: c.getAttribute('aria-valuetext')}))"""
    )


def _ready(handle, name: str, key: str) -> bool:
    """False when the control is disabled now; raise when it lost the keyboard focus."""
    disabled, focused = handle.evaluate(
        "(e) => [e.disabled, e.isConnected && document.activeElement === e]"
    )
    if disabled:
        return False
    if not focused:
        raise AssertionError(f"{name!r} lost the keyboard focus before {key}")
    return True


def sweep(root, check, *, keys=RANGE_KEYS, select_keys: bool = True) -> int:
    """Move every control of the widget ``root`` by keyboard; ``check()`` after each key.

    Ranges get :data:`RANGE_KEYS`. A select is focused and walked with the arrow keys
    up to its first option, down to its last and back (each key changes the selection
    in Chromium). Controls disabled at the moment are skipped. Returns the moves made.

    Keys go to the focused control as a person's would (``page.keyboard``: trusted
    key events). Before each key one round trip asks whether the control is still
    enabled and still has the focus; a control that lost it is an error.
    """
    page = root.page
    moves = 0
    for control in controls_of(root):
        element = root.locator(f"[data-name='{control['name']}']").first
        if element.is_disabled():
            continue
        element.focus()
        handle = element.element_handle()

        if control["kind"] == "range":
            for key in keys:
                if not _ready(handle, control["name"], key):
                    break
                page.keyboard.press(key)
                moves += 1
                check(f"{control['name']} {key}")
        else:
            options = control["options"]
            at, last = options.index(element.input_value()), len(options) - 1
            # Up to the first option, down to the last, back up to where it was.
            for key in ["ArrowUp"] * at + ["ArrowDown"] * last + ["ArrowUp"] * (last - at):
                if not _ready(handle, control["name"], key):
                    break
                before = handle.input_value()
                page.keyboard.press(key)
                after = handle.input_value()
                if select_keys and after == before:
                    raise AssertionError(
                        f"{key} on select {control['name']!r} did not change it ({before!r})"
                    )
                moves += 1
                check(f"{control['name']} {key} -> {after!r}")
    return moves


def sweep_compared(root, reference) -> tuple[int, list[str]]:
    """:func:`sweep` the widget ``root``; after each key compare the page with
    ``reference.view`` of the state it shows (``pixels.page_mismatches``).

    Returns the moves made and, for each key after which the page differed, what differed.
    """
    from .pixels import page_mismatches

    page, handle = root.page, root.element_handle()
    problems: list[str] = []

    def check(what: str) -> None:
        found = page_mismatches(page, handle, reference)
        if found:
            problems.append(f"{what}: {found[:3]}")

    return sweep(root, check), problems


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


def convtutor_widget_outputs(nb) -> int:
    """How many convtutor widgets a run of notebook ``nb`` (nbformat) displayed."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "widget. (This figure is interactive" in str(out.get("data", {}).get("text/plain", ""))
    )


def write_widgets_notebook(server: LabServer, names: list[str]) -> dict[str, int]:
    """A notebook showing each widget of ``convtutor.widgets.ALL`` in its own cell.

    Returns name -> index of its code cell. A widget that fails to build prints its
    traceback (stderr) instead of stopping the run, so the others still get checked.
    """
    sources = ["from IPython.display import display\nfrom convtutor.widgets import ALL"]
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
            f"    display(w_{name})"
        )
    write_notebook(server.root / WIDGETS_NOTEBOOK, sources)
    return cells
