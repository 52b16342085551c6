"""One student alone: what each lesson 00-05 costs its kernel, before and after light kernels.

Side by side in one run, each lesson from two trees: BEFORE, a git worktree of ``OLD_COMMIT``
(every imports cell imported PyTorch, every widget computed its arrays in each kernel), and
AFTER, this checkout. AFTER runs twice: with an empty widget-array cache (the first kernel
on a machine) and with the cache that run left (every other kernel: a class).

For each lesson and tree, a fresh kernel (``PYTHONPATH`` = the tree) started as JupyterLab
starts it when the notebook opens; then "run all", the cells executed in order (nbclient).
Measured:

* **first widget**: wall time from the first cell's execute request to the end of the first
  cell that shows a widget (its display message has reached the client). The kernel has
  started before (JupyterLab starts it on opening). The browser paints the widget after
  this; ``bench_class.py`` measures that in a real Chromium.
* **CPU**: the kernel process's user + system time from ``/proc`` after run-all, kernel
  start included.
* **USS after run-all, alone**: unique set size of the kernel (``/proc/<pid>/smaps``), run
  with no other process holding the libraries: the pages of their code that the kernel
  has read (PyTorch's alone is about 90 MB) count as its own, because nobody shares them.
* **Own memory after run-all** (the issue's "USS; shared libraries counted once"): the
  same without the read-only pages of mapped files (the libraries' code, ``Private_Clean``
  of file-backed mappings). In a class those pages are mapped by every kernel and held
  once for all; what is left (anonymous memory, the libraries' written pages) is what each
  further student adds. :func:`classmate_check` measures it the other way too: the USS of
  a kernel that runs the lesson while a classmate's kernel, which ran it first, is alive.
* **Own memory before PyTorch**: the same, after the last cell before the kernel loaded
  PyTorch (``libtorch`` mapped): the state of a student who only moves sliders. BEFORE
  has none (its imports cell loads it).
* **first widget painted, in Chromium** (:func:`painted`): a real JupyterLab on 127.0.0.1
  (token, default settings) and a headless Chromium (Playwright, ``/usr/bin/chromium``):
  the lesson opened (its kernel started and idle), Run All from the Run menu, and the time
  on the page's clock from the menu click to the first ``.ct-widget`` whose
  ``data-painted`` is set (``common.js`` sets it after each paint). Also the kernel's CPU
  over that span, and the run-all until every cell has run and every widget painted.

Each tree's ``convtutor`` is byte-compiled first (:func:`byte_compile`), as ``pip install``
leaves a package: a kernel that imports it from source with ``PYTHONDONTWRITEBYTECODE`` set
(this machine's setting) would compile it again every time.

Default settings (no ``CONVTUTOR_QUICK``). Targets (issue 21): first widget <= 1.5 s,
CPU <= 3 s, USS after run-all <= 300 MB, for each of 00-05.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_tests import worktree

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

OLD_COMMIT = "2fd3dd6"  # main before light kernels (issue 21)
LESSONS = [f"{n:02d}" for n in range(6)]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
TARGETS = {"first": 1.5, "cpu": 3.0, "uss": 300.0}
MB = 1024 * 1024


def byte_compile(tree: Path) -> None:
    """Write ``tree/convtutor``'s bytecode (``__pycache__``, ignored by git), as pip does."""
    import compileall

    compileall.compile_dir(str(tree / "convtutor"), quiet=1)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> tuple[float, float]:
    """(USS, own) of a process in MB, from ``/proc/<pid>/smaps``.

    USS: every private page (clean or dirty). Own: the same without the clean private
    pages of file-backed mappings (the libraries' code and read-only data, which another
    process mapping the same files shares): anonymous memory plus the pages it wrote.
    """
    uss = own = 0
    file_backed = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):  # a mapping
            file_backed = len(head) == 6 and head[5].startswith("/") and head[4] != "0"
        elif head[0] in ("Private_Clean:", "Private_Dirty:"):
            kb = int(head[1])
            uss += kb
            if not (file_backed and head[0] == "Private_Clean:"):
                own += kb
    return uss / 1024, own / 1024


def torch_loaded(kernel) -> bool:
    """Whether the kernel process has PyTorch's library mapped (it imported torch)."""
    return any("libtorch" in m.path for m in kernel.memory_maps())


def _client(tree: Path, number: str, cache: Path):
    """(client, notebook, kernel environment) for lesson ``number`` of ``tree``."""
    import nbformat
    from nbclient import NotebookClient

    path = next((tree / "notebooks").glob(f"{number}_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("CONVTUTOR_QUICK", "MPLBACKEND")}
    env.update(PYTHONPATH=str(tree), CONVTUTOR_CACHE_DIR=str(cache))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    return client, nb, env


def run_lesson(tree: Path, number: str, cache: Path, new: bool) -> dict:
    """Start a kernel on ``tree``, run all of lesson ``number``; the figures above."""
    import psutil

    client, nb, env = _client(tree, number, cache)
    out = {"first": None, "first_cpu": None, "own_light": None, "errors": 0}
    with client.setup_kernel(env=env):
        pid = client.km.provisioner.process.pid
        kernel = psutil.Process(pid)
        start, cpu_start = time.perf_counter(), _cpu_seconds(pid)
        light = new  # no PyTorch in the kernel yet
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if light:
                own = memory(pid)[1]
            client.execute_cell(cell, index)
            if light and torch_loaded(kernel):  # this cell loaded it: the state before
                out["own_light"], light = own, False
            if out["first"] is None and any(
                WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])
            ):
                out["first"] = time.perf_counter() - start
                out["first_cpu"] = _cpu_seconds(pid) - cpu_start
        out["wall"] = time.perf_counter() - start
        out["cpu"] = _cpu_seconds(pid)
        out["uss"], out["own"] = memory(pid)
        out["torch"] = torch_loaded(kernel)
    out["errors"] = sum(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    return out


def classmate_check(tree: Path, number: str, cache: Path) -> dict:
    """:func:`run_lesson` while a classmate's kernel, which has run the same lesson first,
    is alive: the libraries' pages are then mapped twice, so the measured kernel's USS no
    longer counts them, as in a class. Its ``uss`` should match ``own`` of a kernel alone."""
    client, nb, env = _client(tree, number, cache)
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        return run_lesson(tree, number, cache, new=True)


# Run on the page before "Run all": the menu click's time, and the time the first
# convtutor widget of the notebook is painted (data-painted set by common.js).
FIRST_PAINT_CLOCK = """(panel) => {
  const root = document.querySelector(panel);
  window.__ctRunAt = null;
  window.__ctFirstPaint = null;
  document.addEventListener('pointerup', (e) => {
    if (window.__ctRunAt === null && e.target.closest("[data-command='runmenu:run-all']"))
      window.__ctRunAt = performance.now();
  }, true);
  const seen = () => {
    if (window.__ctFirstPaint === null && root.querySelector('.ct-widget[data-painted]')) {
      window.__ctFirstPaint = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(root, {subtree: true, childList: true, attributes: true,
                          attributeFilter: ['data-painted']});
}"""


# Every code cell has run: the kernel idle, no [*] prompt, each shown prompt [n] (hidden
# inputs show none), or an error stopped the run.
ALL_RUN = """(panel) => {
  const root = document.querySelector(panel);
  const indicator = root.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...root.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(p => p.textContent.trim()).filter(p => p);
  const failed = root.querySelector(
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']");
  return Boolean(indicator && indicator.dataset.status === 'idle'
    && !prompts.some(p => p.includes('*'))
    && (prompts.every(p => /\\[\\d+\\]/.test(p)) || failed));
}"""


def _wait_quiet(page, quiet_ms: int = 1000, timeout: float = 120.0) -> float:
    """Wait until the page has had no long task (> 50 ms: rendering the lesson's text and
    formulas) for ``quiet_ms``, as a student reads before pressing Run All; return the
    seconds waited."""
    start = time.perf_counter()
    page.evaluate("""() => {
      window.__ctLastLong = performance.now();
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          window.__ctLastLong = Math.max(window.__ctLastLong, e.startTime + e.duration);
      }).observe({type: 'longtask', buffered: true});
    }""")
    page.wait_for_function(f"performance.now() - window.__ctLastLong > {quiet_ms}",
                           timeout=timeout * 1000, polling=100)  # fmt: skip
    return time.perf_counter() - start


def painted(tree: Path, numbers: list[str], cache: Path, rounds: int = 1) -> dict:
    """{number: [result, ...]}: each lesson of ``tree`` opened in a real JupyterLab and
    Chromium, Run All, timed to the first widget painted (see the module's docstring)."""
    from benchmarks.bench_browser import _kernel_pid
    from tests.support import lab_harness as h

    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "CONVTUTOR_CACHE_DIR")}
    os.environ.update(PYTHONPATH=str(tree), CONVTUTOR_CACHE_DIR=str(cache))
    try:
        server = h.LabServer(quick=False).start()  # its kernels inherit the two above
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    browser = h.Browser(server)
    results: dict = {}
    try:
        for _ in range(rounds):
            for number in numbers:
                source = next((tree / "notebooks").glob(f"{number}_*.ipynb"))
                name = server.copy_notebook(source)
                browser.open(name, timeout=180)
                pid = _kernel_pid(server)
                page = browser.page
                quiet = _wait_quiet(page)
                cpu0 = _cpu_seconds(pid)
                page.evaluate(FIRST_PAINT_CLOCK, h.PANEL)
                wall = time.perf_counter()
                page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')")
                page.click(".lm-Menu-item[data-command='runmenu:run-all']")
                page.wait_for_function("window.__ctFirstPaint !== null", timeout=300_000,
                                       polling=20)  # fmt: skip
                cpu_first = _cpu_seconds(pid) - cpu0
                first = page.evaluate("(window.__ctFirstPaint - window.__ctRunAt) / 1000")
                page.wait_for_function(ALL_RUN, arg=h.PANEL, timeout=300_000, polling=100)
                with contextlib.suppress(Exception):
                    browser.settle(timeout=60)
                results.setdefault(number, []).append({
                    "painted": first, "painted_cpu": cpu_first,
                    "run_all": time.perf_counter() - wall,
                    "quiet": quiet,
                    "widgets": page.locator(f"{h.PANEL} .ct-widget[data-painted]").count(),
                    "errors": len(h.serious(browser.console_errors)),
                })  # fmt: skip
                print(f"  {number} painted {first:.2f} s (kernel CPU {cpu_first:.2f} s)",
                      flush=True)  # fmt: skip
                server.delete_sessions()
    finally:
        browser.close()
        server.stop()
    return results


SYNC_PER_SECOND = 10  # the page sends a moving control's values at most every 100 ms


def slider_cost(moves: int = 200) -> dict:
    """Kernel CPU per slider update: a ChannelFilter in a fresh kernel, ``moves`` comm
    updates of its kernel-size slider as the page sends them, each waited for (idle)."""
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k not in ("CONVTUTOR_QUICK", "MPLBACKEND")}
    env["PYTHONPATH"] = str(REPO)
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        pid = km.provisioner.process.pid
        code = "from convtutor.widgets import ChannelFilter\nw = ChannelFilter()\n"
        reply = kc.execute_interactive(
            code, user_expressions={"id": "w.comm.comm_id", "v": "dict(w.values)"}, timeout=120
        )
        found = reply["content"]["user_expressions"]
        comm_id = found["id"]["data"]["text/plain"].strip("'")
        values = eval(found["v"]["data"]["text/plain"])  # a dict literal from the kernel
        spec = next(s for s in _controls(kc) if s["kind"] == "range")
        start = _cpu_seconds(pid)
        wall = time.perf_counter()
        for i in range(moves):
            state = {**values, spec["name"]: spec["min"] + (i % 2) * spec.get("step", 1)}
            content = {"comm_id": comm_id, "data": {"method": "update", "state": {"values": state},
                       "buffer_paths": []}}  # fmt: skip
            msg = kc.session.msg("comm_msg", content)
            kc.shell_channel.send(msg)
            while True:
                out = kc.get_iopub_msg(timeout=30)
                if (out["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                        and out["content"].get("execution_state") == "idle"):  # fmt: skip
                    break
        per = (_cpu_seconds(pid) - start) / moves
        return {"per_move": per, "core": per * SYNC_PER_SECOND,
                "latency": (time.perf_counter() - wall) / moves}  # fmt: skip
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _controls(kc) -> list:
    reply = kc.execute_interactive("", user_expressions={"c": "w._controls"}, timeout=60)
    return eval(reply["content"]["user_expressions"]["c"]["data"]["text/plain"])


def measure(repeat: int = 1) -> dict:
    """{(lesson, variant): [result, ...]} for the variants before, after-cold, after-warm."""
    results: dict = {}
    work = Path(tempfile.mkdtemp(prefix="convtutor-kernels-"))
    try:
        with worktree(OLD_COMMIT) as old:
            byte_compile(old)
            byte_compile(REPO)
            for r in range(repeat):
                for number in LESSONS:
                    print(f"  {number} round {r + 1}", flush=True)
                    cold = work / f"cold-{number}-{r}"
                    results.setdefault((number, "before"), []).append(
                        run_lesson(old, number, work / "unused", new=False)
                    )
                    results.setdefault((number, "after, cold cache"), []).append(
                        run_lesson(REPO, number, cold, new=True)
                    )
                    results.setdefault((number, "after, warm cache"), []).append(
                        run_lesson(REPO, number, cold, new=True)
                    )
                    results.setdefault((number, "classmate"), []).append(
                        classmate_check(REPO, number, cold)
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def measure_painted() -> dict:
    """{(lesson, variant): [result]} in Chromium: before, after-cold, after-warm."""
    results: dict = {}
    work = Path(tempfile.mkdtemp(prefix="convtutor-painted-"))
    try:
        with worktree(OLD_COMMIT) as old:
            byte_compile(old)
            byte_compile(REPO)
            print("  in Chromium: before", flush=True)
            for number, runs in painted(old, LESSONS, work / "unused").items():
                results[(number, "before")] = runs
        print("  in Chromium: after (a cold cache, then warm)", flush=True)
        for number, runs in painted(REPO, LESSONS, work / "cache", rounds=2).items():
            results[(number, "after, cold cache")] = runs[:1]
            results[(number, "after, warm cache")] = runs[1:]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def _cell(values, fmt, target=None) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    m = statistics.median(values)
    text = fmt.format(m)
    if target is not None and m > target:
        text += " ✗"
    return text


def run(repeat: int = 1) -> str:
    load_before = _load()
    started = time.perf_counter()
    results = measure(repeat)
    browser = measure_painted()
    slider = slider_cost()
    rows, classmate = [], []
    for (number, variant), runs in results.items():
        if variant == "classmate":
            alone = results[(number, "after, warm cache")]
            classmate.append(
                f"| {number} | {_cell([r['uss'] for r in alone], '{:.0f} MB')} "
                f"| {_cell([r['own'] for r in alone], '{:.0f} MB', TARGETS['uss'])} "
                f"| {_cell([r['uss'] for r in runs], '{:.0f} MB', TARGETS['uss'])} |"
            )
            continue
        first = _cell([r["first"] for r in runs], "{:.2f} s", TARGETS["first"])
        rows.append(
            f"| {number} | {variant} | {first} "
            f"| {_cell([r['first_cpu'] for r in runs], '{:.2f} s')} "
            f"| {_cell([r['cpu'] for r in runs], '{:.2f} s', TARGETS['cpu'])} "
            f"| {_cell([r['wall'] for r in runs], '{:.1f} s')} "
            f"| {_cell([r['own_light'] for r in runs], '{:.0f} MB')} "
            f"| {_cell([r['uss'] for r in runs], '{:.0f} MB')} "
            f"| {_cell([r['own'] for r in runs], '{:.0f} MB', TARGETS['uss'])} "
            f"| {'yes' if runs[-1]['torch'] else 'no'} "
            f"| {sum(r['errors'] for r in runs)} |"
        )
    painted_rows = []
    for (number, variant), runs in browser.items():
        side = results.get((number, variant), [])
        painted_rows.append(
            f"| {number} | {variant} "
            f"| {_cell([r['first'] for r in side], '{:.2f} s', TARGETS['first'])} "
            f"| {_cell([r['painted'] for r in runs], '{:.2f} s', TARGETS['first'])} "
            f"| {_cell([r['painted_cpu'] for r in runs], '{:.2f} s')} "
            f"| {_cell([r['run_all'] for r in runs], '{:.1f} s')} "
            f"| {runs[-1]['widgets']} | {sum(r['errors'] for r in runs)} |"
        )
    lines = [
        "## Light kernels: one student, lessons 00-05 (bench_kernels.py)",
        "",
        f"Each lesson run all in a fresh kernel, side by side in one run: before ({OLD_COMMIT},",
        "a worktree of main; torch in every imports cell, widget arrays computed in every",
        "kernel) and after (this checkout), the latter with an empty widget-array cache (the",
        "first kernel on a machine) and with the cache it left (everyone else in a class).",
        f"Median of {repeat} run(s). The machine was shared with other jobs (2 cores):",
        f"load average {load_before} before, {_load()} after; the whole run took",
        f"{time.perf_counter() - started:.0f} s.",
        "",
        "- *first widget*: from the run-all's first execute request to the end of the first",
        "  cell that shows a widget, the kernel already started (JupyterLab starts it when",
        "  the notebook opens). The browser paints it after that (see the hub benchmark).",
        "  *Its kernel CPU*: the kernel's CPU time over that span, which the load of other",
        "  jobs on the machine does not inflate as it does the wall time.",
        "- *CPU*: the kernel process's user + system time (`/proc`), kernel start included.",
        "- *USS, alone*: the kernel's unique memory (`/proc/<pid>/smaps`) after run-all,",
        "  with no other process holding the libraries, so the pages of their code it has",
        "  read count as its own (PyTorch's alone is about 90 MB).",
        '- *Own memory*: the issue\'s "USS, shared libraries counted once": the same without',
        "  the clean pages of mapped files (the libraries' code), which every kernel of a",
        "  class maps and the server holds once. What is left (anonymous memory and the",
        "  libraries' pages the kernel wrote) is what each further student adds. After",
        "  run-all, and before the cell that loaded PyTorch (a student who only moves sliders).",
        "",
        f"Targets: first widget <= {TARGETS['first']} s, CPU <= {TARGETS['cpu']:.0f} s, own "
        f"memory after run-all <= {TARGETS['uss']:.0f} MB (✗ marks a miss).",
        "",
        "| lesson | kernel | first widget | its kernel CPU | CPU (run all) | wall (run all) "
        "| own memory before PyTorch | USS after run-all, alone | own memory after run-all "
        "| torch loaded | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        *rows,
        "",
        "**Own memory, measured the other way.** The same lesson again (warm cache), now while",
        "a classmate's kernel that has run it first is alive: the libraries' pages are then",
        "mapped by two processes, and the USS of the second kernel is what a further student",
        "adds. It should match the own memory of the kernel alone.",
        "",
        "| lesson | USS alone | own memory alone | USS beside a classmate |",
        "|---|---:|---:|---:|",
        *classmate,
        "",
        "**First widget painted, in Chromium.** A real JupyterLab on 127.0.0.1 (a token,",
        "default settings) and a headless Chromium: the lesson opened (kernel started and",
        "idle, the page quiet), Run All from the Run menu, and the time on the page's clock",
        "from that click to the first convtutor widget painted (its `data-painted` set).",
        "*Kernel side*: the *first widget* column above (nbclient, no browser). *Its kernel",
        "CPU*: the kernel's CPU time from the click to the paint. *Run all*: from the click",
        "until every cell has run and every widget painted. Before: the tree of the first",
        "column; after: a cold cache, then the cache it left.",
        "",
        "| lesson | kernel | first widget, kernel side | first widget painted (Chromium) "
        "| its kernel CPU | run all (Chromium) | widgets painted | console errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *painted_rows,
        "",
        "**A slider while it moves.** The page sends the values to the kernel at most",
        f"{SYNC_PER_SECOND} times a second while a control moves. A ChannelFilter in a fresh",
        f"kernel, 200 such updates sent and each waited for: {slider['per_move'] * 1000:.1f} ms"
        f" of kernel CPU each, so {slider['core']:.3f} of a core while a student drags",
        f"(round trip {slider['latency'] * 1000:.0f} ms each on this busy machine).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1))
