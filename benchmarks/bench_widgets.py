"""What each widget costs now that the page draws it: once in Python, per move in the page.

For every widget of ``convtutor.widgets.ALL``:

* **construction** in Python (everything authoritative is computed here, once): the
  first build in the process, and the median of two more (a widget may cache what it
  computed for the same picture), wall time;
* **payload**: the bytes shipped to the page once (arrays as float32, the module, the
  rest of the state), and as base64 in a static page;
* **per move in the page's code**: the module's ``view(data, state)`` (look-ups, linear
  combinations, colour maps; the paint itself is not included) timed in Node over the
  moves of ``tests/support/cases.py``, each move repeated 5 times, median and p95;
* **per move in Python**, for comparison: ``Widget.view`` (the same arithmetic in
  numpy) on the same moves.

    python benchmarks/run.py widgets
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

NODE_TIMER = r"""
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
const [fixture, staticDir] = process.argv.slice(2);
const f = JSON.parse(readFileSync(fixture, "utf8"));
const common = await import(pathToFileURL(join(staticDir, "common.js")));
const mod = await import(pathToFileURL(join(staticDir, `${f.module}.js`)));
const arrays = {};
for (const { path, data } of f.saved.buffers) {
  const bytes = Buffer.from(data, "base64");
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  arrays[path[path.length - 1]] = new DataView(copy.buffer);
}
const data = common.unpack(arrays, f.saved.state._meta);
data.meta = f.saved.state._meta;
const times = [];
for (let round = 0; round < 6; round++) {
  for (const move of f.moves) {
    let state = { ...move.start, [move.name]: move.value };
    const t0 = performance.now();
    if (mod.normalise) state = mod.normalise(state, data, move.name);
    mod.view(data, state);
    const t1 = performance.now();
    if (round > 0) times.push(t1 - t0);  // round 0 warms the JIT up
  }
}
console.log(JSON.stringify(times));
"""


def _percentile(values, q):
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def measure() -> list[dict]:
    from convtutor.widgets import ALL
    from convtutor.widgets._base import STATIC
    from convtutor.widgets._standalone import saved_state
    from tests.support.cases import cases

    node = shutil.which("node")
    folder = Path(tempfile.mkdtemp(prefix="convtutor-bench-"))
    rows = []
    try:
        timer = folder / "timer.mjs"
        timer.write_text(NODE_TIMER)
        for name, cls in ALL.items():
            print(f"  {name}", flush=True)
            builds = []
            for _ in range(3):
                start = time.perf_counter()
                widget = cls()
                builds.append(time.perf_counter() - start)
            arrays = sum(a.nbytes for a in widget.data.values())
            saved = saved_state(widget)["state"][widget.model_id]
            in_page = len(json.dumps(saved))
            moves = cases(widget, per_control=6)
            python_ms = []
            for _, _, _, end in moves:
                start = time.perf_counter()
                widget.view(end)
                python_ms.append((time.perf_counter() - start) * 1e3)
            row = {
                "widget": name,
                "first_build_s": builds[0],
                "build_s": statistics.median(builds[1:]),
                "arrays_mb": arrays / 1e6,
                "module_kb": len(widget._esm) / 1e3,
                "page_mb": in_page / 1e6,
                "moves": len(moves),
                "python_p50": _percentile(python_ms, 50),
                "python_p95": _percentile(python_ms, 95),
            }
            if node:
                fixture = folder / f"{name}.json"
                fixture.write_text(
                    json.dumps(
                        {
                            "module": widget.MODULE,
                            "saved": saved,
                            "moves": [{"start": s, "name": n, "value": v} for s, n, v, _ in moves],
                        }
                    )
                )
                out = subprocess.run(
                    [node, str(timer), str(fixture), str(STATIC)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                js = json.loads(out.stdout)
                row["js_p50"], row["js_p95"] = _percentile(js, 50), _percentile(js, 95)
            rows.append(row)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def run() -> str:
    rows = measure()
    lines = [
        "## Widgets: computed once in Python, blended and painted in the page",
        "",
        "Per widget: the one-off cost in Python (building it: every convolution, SVD and",
        "table the page will look up), what is shipped to the page once, and the per-move",
        "cost of the module's `view` (look-ups, linear combinations, colour maps; not the",
        "paint) in Node, beside the same arithmetic in Python's mirror `Widget.view`, on",
        "the same moves (every control through its values, `tests/support/cases.py`).",
        "",
        "| widget | first build (s) | again (s) | arrays (MB) | module (kB) | "
        "in a static page (MB) | moves | "
        "page `view` p50 / p95 (ms) | Python `view` p50 / p95 (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        js = f"{r['js_p50']:.2f} / {r['js_p95']:.2f}" if "js_p50" in r else "(no Node)"
        lines.append(
            f"| {r['widget']} | {r['first_build_s']:.2f} | {r['build_s']:.2f} | "
            f"{r['arrays_mb']:.2f} | "
            f"{r['module_kb']:.0f} | {r['page_mb']:.2f} | {r['moves']} | {js} | "
            f"{r['python_p50']:.2f} / {r['python_p95']:.2f} |"
        )
    total = sum(r["page_mb"] for r in rows)
    lines += [
        "",
        f"All {len(rows)} in one page: {total:.1f} MB of saved state. The static edition's",
        "size is in its own section.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
