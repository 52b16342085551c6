"""Slider move -> canvas repainted, in JupyterLab in a real Chromium.

Every widget of ``convtutor.widgets.ALL`` is shown under ``%matplotlib widget`` in a
throw-away JupyterLab (the harness of ``tests/browser``). For each enabled slider the
handle gets keyboard focus and an arrow key is pressed, as a person would; the time
is from the key going down to the first repaint of the ipympl canvas after it (both
on the page's clock: a capturing ``keydown`` listener and a hook on the canvas's
``drawImage``, which is how ipympl paints). One move at a time, the next only after
the canvas has been quiet for 150 ms.

    python benchmarks/run.py browser
"""

from __future__ import annotations

import sys
from pathlib import Path

MOVES = 15  # per slider, stepping right then left across part of its range
TARGET_MS = 100.0
REPO = Path(__file__).resolve().parents[1]


def _sweep(browser, area, index: int, moves: int, keys) -> list[float]:
    """``moves`` key presses on one slider, bouncing off the ends of its range."""
    latencies = []
    direction = 0
    handle = area.locator(".widget-slider .noUi-handle").nth(index)
    for _ in range(moves):
        now, low, high = (
            float(handle.get_attribute(a))
            for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
        )
        if (direction == 0 and now >= high) or (direction == 1 and now <= low):
            direction = 1 - direction
        browser.settle_canvas(area)
        latencies.append(browser.move_slider(area, index, keys[direction]))
    browser.settle_canvas(area)
    return latencies


def _movable(area, control) -> bool:
    if control["kind"] != "slider" or control["disabled"]:
        return False
    handle = area.locator(".widget-slider .noUi-handle").nth(control["index"])
    low, high = handle.get_attribute("aria-valuemin"), handle.get_attribute("aria-valuemax")
    return low != high


def _movable_sliders(browser, area) -> list[dict]:
    """The enabled sliders with more than one value; if there are none, pick menu
    options (first menu first) until some appear, as a student would."""
    import lab_harness as h

    found = [c for c in h.controls(area) if _movable(area, c)]
    menus = [c for c in h.controls(area) if c["kind"] == "dropdown" and not c["disabled"]]
    for menu in menus:
        for option in menu["options"]:
            if found:
                return found
            browser.select(area, menu["index"], option)
            browser.settle_canvas(area)
            found = [c for c in h.controls(area) if _movable(area, c)]
    return found


def measure(moves: int = MOVES) -> tuple[dict, dict]:
    """Per widget: {slider label: [ms, ...]}; and the run-all seconds of the page."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import lab_harness as h

    from convtutor.widgets import ALL

    results: dict[str, dict[str, list[float]]] = {}
    failures: list[str] = []
    with h.LabServer() as server:
        browser = h.Browser(server)
        try:
            cells = h.write_widgets_notebook(server, list(ALL), baseline=True)
            browser.open(h.WIDGETS_NOTEBOOK)
            run_seconds = browser.run_all()
            for name, cell in cells.items():
                area = browser.output_area(cell)
                results[name] = {}
                movable = _movable_sliders(browser, area)
                for control in movable:
                    label = control["label"] or f"slider {control['index']}"
                    try:
                        results[name][label] = _sweep(
                            browser, area, control["index"], moves, ("ArrowRight", "ArrowLeft")
                        )
                    except TimeoutError as exc:
                        cell_report = browser.report(h.WIDGETS_NOTEBOOK, 0.0).cells[cell]
                        errors = "; ".join(t[-300:] for t in cell_report.stderr)
                        failures.append(f"{name} / {label}: {exc} {errors}".strip())
                        print(failures[-1], flush=True)
        finally:
            browser.close()
    return results, {"run_all": run_seconds, "failures": failures}


def run() -> str:
    results, extra = measure()
    return report(results, extra)


def report(results: dict, extra: dict) -> str:
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from lab_harness import percentile

    lines = [
        "## Browser: slider key press -> ipympl canvas repainted",
        "",
        "JupyterLab 4 in headless Chromium (1280×800, software rendering), every widget under",
        "`%matplotlib widget`. Each slider is focused and stepped with the arrow keys",
        f"({MOVES} moves per slider, bouncing off the ends of its range); the time runs from",
        "`keydown` to the first `drawImage` on the figure's canvas, both on the page's clock.",
        "It covers the round trip page -> kernel -> `_update` -> Agg render -> PNG -> page.",
        f"Target: p95 ≤ {TARGET_MS:.0f} ms. Sliders with a one-value range are skipped.",
        "",
        "The `baseline` row is the smallest ipympl slider figure (a 64×64 `imshow`,",
        "`set_data` + `draw_idle`), measured on the same page: what any ipympl widget costs",
        "here before its own drawing. `p50 − baseline` is a widget's own share.",
        "",
        "| widget | moves | p50 (ms) | p95 (ms) | max (ms) | p50 − baseline | "
        "slowest slider (p50) | p95 ≤ 100 ms |",
        "|---|---:|---:|---:|---:|---:|---|:---:|",
    ]
    base = [ms for values in results.get("baseline", {}).values() for ms in values]
    base50 = percentile(base, 50) if base else None
    details = [
        "",
        "Per slider:",
        "",
        "| widget | slider | p50 (ms) | p95 (ms) |",
        "|---|---|---:|---:|",
    ]
    for name, sliders in results.items():
        every = [ms for values in sliders.values() for ms in values]
        if not every:
            lines.append(f"| {name} | 0 | – | – | – | – | (no movable slider) | – |")
            continue
        p50, p95 = percentile(every, 50), percentile(every, 95)
        slowest = max(sliders, key=lambda s: percentile(sliders[s], 50))
        ok = "yes" if p95 <= TARGET_MS else "**no**"
        over = "–" if base50 is None or name == "baseline" else f"{p50 - base50:+.0f}"
        lines.append(
            f"| {name} | {len(every)} | {p50:.0f} | {p95:.0f} | {max(every):.0f} | {over} | "
            f"{slowest} ({percentile(sliders[slowest], 50):.0f}) | {ok} |"
        )
        for label, values in sliders.items():
            details.append(
                f"| {name} | {label} | {percentile(values, 50):.0f} | "
                f"{percentile(values, 95):.0f} |"
            )
    every = [
        ms
        for name, sliders in results.items()
        if name != "baseline"
        for values in sliders.values()
        for ms in values
    ]
    if every:
        lines += [
            "",
            f"All {len(every)} widget moves: p50 {percentile(every, 50):.0f} ms, "
            f"p95 {percentile(every, 95):.0f} ms. Run-all of the 7-widget page: "
            f"{extra['run_all']:.1f} s.",
        ]
    if extra.get("failures"):
        lines += ["", "Sliders that stopped repainting (no measurement):", ""]
        lines += [f"- {f}" for f in extra["failures"]]
    return "\n".join(lines + details) + "\n"


if __name__ == "__main__":
    print(run())
