"""Slider key press -> the frame that shows the new picture, in a real Chromium.

Side by side in one run, the same keyboard moves on every widget of
``convtutor.widgets.ALL``:

* **browser-drawn** (the widgets as they are): in JupyterLab with the kernel on this
  machine; with the kernel 100 ms of network away (a loopback proxy that holds every
  chunk 50 ms in each direction, as a student on Binder or a campus hub would see);
  with the kernel shut down; and in a static page opened from disk (no kernel at all);
* **kernel-drawn** (the old ipympl widgets, from the last commit before the rebuild,
  run from a git worktree of it): with the kernel near and 100 ms away.

Latency runs from the key event's own time stamp (a capturing ``keydown`` listener) to
the first animation frame after the canvas was painted (``putImageData`` for the new
widgets, ``drawImage`` for ipympl), all on the page's clock: what a student sees. One
move at a time; the next after the last one has painted. The kernel's CPU time and its
comm messages (in and out) per move are counted in the kernel process.

    python benchmarks/run.py browser

``CONVTUTOR_BENCH_WIDGETS`` (names of ``ALL``, comma-separated) measures only those
widgets; the kernel-drawn path then runs only if one of them existed in the old commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MOVES = int(os.environ.get("CONVTUTOR_BENCH_MOVES", 36))  # per widget and setting (>= 30)
DELAY_MS = 50  # each way: 100 ms round trip added
OLD_COMMIT = "e60689f"  # the last commit of the kernel-drawn (ipympl) widgets
TARGET_P50, TARGET_P95 = 25.0, 40.0
# The kernel-drawn widgets of OLD_COMMIT (the names of ALL then).
OLD_WIDGETS = ("channel_filter", "stacking", "pointwise_mixer", "separable_pipeline",
               "sobel_separability", "cost_calculator", "conv_arithmetic")  # fmt: skip

COUNT_MESSAGES = """\
import comm.base_comm as _cb, ipykernel.comm.comm as _ic
_ct_counts = {"in": 0, "out": 0}
def _ct_wrap(cls, name, key):
    original = cls.__dict__.get(name)
    if original is None:
        return
    def wrapped(self, *args, **kwargs):
        _ct_counts[key] += 1
        return original(self, *args, **kwargs)
    setattr(cls, name, wrapped)
for _cls in {_cb.BaseComm, _ic.BaseComm, _ic.Comm}:
    _ct_wrap(_cls, "handle_msg", "in")
    _ct_wrap(_cls, "publish_msg", "out")"""


# ---- a kernel far away, on loopback ---------------------------------------------------
class DelayProxy:
    """A TCP proxy on 127.0.0.1 that holds every chunk ``delay`` seconds each way.

    WebSockets pass through it untouched, only later. Loopback only, and it stops
    with :meth:`close`.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.delay = 0.0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", 0)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _pipe(self, reader, writer):
        queue: asyncio.Queue = asyncio.Queue()

        async def read():
            while data := await reader.read(65536):
                await queue.put((time.monotonic() + self.delay, data))
            await queue.put((0.0, b""))

        async def write():
            while True:
                due, data = await queue.get()
                if not data:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            with contextlib.suppress(Exception):
                writer.close()

        await asyncio.gather(read(), write(), return_exceptions=True)

    async def _client(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    def close(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


# ---- measuring ---------------------------------------------------------------------------
def _kernel_pid(server) -> int | None:
    kernels = server.api("GET", "/api/kernels") or []
    if not kernels:
        return None
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if f"kernel-{kernels[0]['id']}.json" in line:
            return int(line.split()[0])
    return None


def _cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_painted(browser, count: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.page.evaluate("window.__ctLatencies.length") > count:
            return True
        time.sleep(0.01)
    return False


def _moves(browser, handles, moves: int) -> tuple[list[float], int]:
    """``moves`` arrow-key presses spread over ``handles`` (bouncing off their ends)."""
    browser.latencies()  # clear
    lost = 0
    direction = {}
    for i in range(moves):
        handle, read = handles[i % len(handles)]
        now, low, high = read(handle)
        key = direction.get(i % len(handles), "ArrowRight")
        if key == "ArrowRight" and now >= high:
            key = "ArrowLeft"
        elif key == "ArrowLeft" and now <= low:
            key = "ArrowRight"
        direction[i % len(handles)] = key
        count = browser.page.evaluate("window.__ctLatencies.length")
        handle.press(key)
        if not _wait_painted(browser, count):
            lost += 1
        time.sleep(0.06)
    return browser.latencies(), lost


def _new_handles(root):
    def read(handle):
        low, high = (float(handle.get_attribute(a)) for a in ("min", "max"))
        return float(handle.input_value()), low, high

    out = []
    for control in root.locator(".ct-controls input[type=range]").all():
        if not control.is_disabled() and control.get_attribute("min") != control.get_attribute(
            "max"
        ):
            out.append((control, read))
    return out


def _old_handles(area):
    def read(handle):
        return tuple(
            float(handle.get_attribute(a))
            for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
        )

    out = []
    for handle in area.locator(".widget-slider .noUi-handle").all():
        low, high = handle.get_attribute("aria-valuemin"), handle.get_attribute("aria-valuemax")
        if low != high and handle.get_attribute("disabled") is None:
            out.append((handle, read))
    return out


def _notebook(h, server, names, old: bool) -> dict[str, int]:
    sources = [COUNT_MESSAGES]
    sources.append(
        ("%matplotlib widget\n" if old else "")
        + "from IPython.display import display\nfrom convtutor.widgets import ALL"
    )
    cells = {}
    for name in names:
        cells[name] = len(sources)
        sources.append(f"w_{name} = ALL[{name!r}]()\ndisplay(w_{name}.widget)")
    h.write_notebook(server.root / "bench.ipynb", sources)
    return cells


def measure_lab(h, names, *, old: bool, env: dict | None = None) -> dict:
    """Per setting and widget: latencies, lost moves, kernel CPU and messages per move."""
    results: dict = {}
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        server = h.LabServer().start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    proxy = DelayProxy(server.port)
    browser = h.Browser(server)
    direct = server.base
    try:
        cells = _notebook(h, server, names, old)
        server.base = f"http://127.0.0.1:{proxy.port}"  # the page talks through the proxy
        browser.open("bench.ipynb")
        browser.run_all()
        time.sleep(2.0)
        settings = [("kernel near", 0.0), ("kernel 100 ms away", DELAY_MS / 1000)]
        if not old:
            settings.append(("kernel shut down", None))
        for label, delay in settings:
            if delay is None:
                server.base = direct
                server.shutdown_kernels()
                time.sleep(1.0)
            else:
                proxy.delay = delay
            results[label] = {}
            pid = _kernel_pid(server) if delay is not None else None
            for name, cell in cells.items():
                area = browser.page.locator(f"{h.PANEL} .jp-CodeCell").nth(cell)
                handles = _old_handles(area) if old else _new_handles(area.locator(".ct-widget"))
                if not handles:
                    continue
                counts0 = _counts(server, delay)
                cpu0 = _cpu_seconds(pid)
                latencies, lost = _moves(browser, handles, MOVES)
                time.sleep(0.5 + 2 * (delay or 0))
                cpu1 = _cpu_seconds(pid)
                counts1 = _counts(server, delay)
                n = len(latencies) + lost
                entry = {"ms": latencies, "lost": lost, "moves": n}
                if delay is not None:
                    entry["cpu_ms"] = (cpu1 - cpu0) * 1000 / n
                    entry["msgs_in"] = (counts1["in"] - counts0["in"]) / n
                    entry["msgs_out"] = (counts1["out"] - counts0["out"]) / n
                results[label][name] = entry
            proxy.delay = 0.0
    finally:
        browser.close()
        server.base = direct
        proxy.close()
        server.stop()
    return results


def _counts(server, delay) -> dict:
    """The kernel's comm message counts so far (asked directly, not through the proxy)."""
    if delay is None:
        return {"in": 0, "out": 0}
    return server.evaluate("bench.ipynb", "_ct_counts")


def measure_static(h, names) -> dict:
    """The widgets in one standalone page opened from disk: no kernel, no server."""
    from convtutor.widgets import ALL, _standalone

    folder = Path(tempfile.mkdtemp(prefix="convtutor-static-"))
    page = folder / "widgets.html"
    page.write_text(_standalone.page(*[ALL[n]() for n in names]), encoding="utf-8")
    browser = h.Browser(None)
    results = {}
    try:
        browser.open_file(page)
        browser.settle(scope="body")
        roots = browser.page.locator(".ct-widget")
        for i, name in enumerate(names):
            handles = _new_handles(roots.nth(i))
            if not handles:
                continue
            latencies, lost = _moves(browser, handles, MOVES)
            results[name] = {"ms": latencies, "lost": lost, "moves": len(latencies) + lost}
    finally:
        browser.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"static page, no kernel": results}


def run() -> str:
    from convtutor.widgets import ALL
    from tests.support import lab_harness as h

    chosen = os.environ.get("CONVTUTOR_BENCH_WIDGETS", "")
    names = [n.strip() for n in chosen.split(",") if n.strip()] or list(ALL)
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        raise ValueError(f"CONVTUTOR_BENCH_WIDGETS: no widget {unknown}; choose from {list(ALL)}")
    results = {}
    results.update({f"browser-drawn, {k}": v for k, v in measure_lab(h, names, old=False).items()})
    results.update({f"browser-drawn, {k}": v for k, v in measure_static(h, names).items()})
    try:
        import ipympl  # noqa: F401

        if not set(names) & set(OLD_WIDGETS):
            raise LookupError

        from .bench_tests import worktree  # a git worktree of a commit

        with worktree(OLD_COMMIT) as tree:
            old = measure_lab(h, names, old=True, env={"PYTHONPATH": str(tree)})
        results.update({f"kernel-drawn (old), {k}": v for k, v in old.items()})
        old_note = ""
    except ImportError:
        old_note = "ipympl is not installed (pip install -e '.[bench]'): the old path was not run."
    except LookupError:
        old_note = f"The old commit {OLD_COMMIT} had none of these widgets: no kernel-drawn run."
    return report(results, old_note, h.percentile)


def report(results: dict, old_note: str, percentile) -> str:
    lines = [
        "## Browser: key press -> the frame that shows the new picture",
        "",
        "JupyterLab 4 and a static page in headless Chromium (1280×800, software rendering).",
        f"Every widget gets {MOVES} arrow-key presses spread over its sliders (bouncing off",
        "their ends), one at a time. Time: from the key event's own time stamp to the first",
        "animation frame after the canvas was painted, on the page's clock. 'Kernel 100 ms",
        f"away': a loopback proxy holds every chunk {DELAY_MS} ms each way. 'Kernel-drawn",
        f"(old)': the ipympl widgets of commit {OLD_COMMIT}, run side by side in the same",
        "run. Kernel CPU and comm messages are counted in the kernel process per move.",
        f"Targets for the browser-drawn widgets: p50 ≤ {TARGET_P50:.0f} ms, p95 ≤ "
        f"{TARGET_P95:.0f} ms in every setting.",
        "",
        "| setting | moves | p50 (ms) | p95 (ms) | max (ms) | kernel CPU per move (ms) | "
        "messages in / out per move | lost |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    details = [
        "",
        "Per widget:",
        "",
        "| setting | widget | moves | p50 (ms) | p95 (ms) | max (ms) | targets met |",
        "|---|---|---:|---:|---:|---:|:---:|",
    ]
    for setting, widgets in results.items():
        every = [ms for w in widgets.values() for ms in w["ms"]]
        moves = sum(w["moves"] for w in widgets.values())
        lost = sum(w["lost"] for w in widgets.values())
        cpu = [w["cpu_ms"] for w in widgets.values() if "cpu_ms" in w]
        msg_in = [w["msgs_in"] for w in widgets.values() if "msgs_in" in w]
        msg_out = [w["msgs_out"] for w in widgets.values() if "msgs_out" in w]
        cpu_text = f"{sum(cpu) / len(cpu):.1f}" if cpu else "–"
        msg_text = (
            f"{sum(msg_in) / len(msg_in):.1f} / {sum(msg_out) / len(msg_out):.1f}"
            if msg_in
            else "–"
        )
        if every:
            lines.append(
                f"| {setting} | {moves} | {percentile(every, 50):.0f} | "
                f"{percentile(every, 95):.0f} | {max(every):.0f} | {cpu_text} | {msg_text} | "
                f"{lost} |"
            )
        for name, w in widgets.items():
            if not w["ms"]:
                continue
            p50, p95 = percentile(w["ms"], 50), percentile(w["ms"], 95)
            ok = "yes" if p50 <= TARGET_P50 and p95 <= TARGET_P95 else "no"
            if setting.startswith("kernel-drawn"):
                ok = "–"
            details.append(
                f"| {setting} | {name} | {w['moves']} | {p50:.0f} | {p95:.0f} | "
                f"{max(w['ms']):.0f} | {ok} |"
            )
    if old_note:
        lines += ["", old_note]
    return "\n".join(lines + details) + "\n"


if __name__ == "__main__":
    print(run())
