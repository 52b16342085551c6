"""Read what a page shows of convtutor widgets, and hold it equal to Python's picture.

Used by the browser tests (JupyterLab, kernel shut down, static edition) and the
latency benchmark. ``read_widgets(page)`` returns, for every ``.ct-widget`` of the
page, the state the page shows, every canvas's pixels (``getImageData``: the
canvas's own pixels, whatever CSS scales it to), every table's cells and every text.
``mismatches(widget, shown)`` sets the Python widget to the state shown and lists
every way the page differs from :meth:`Widget.view` for that state.

A keyboard sweep reads the page after every key, so it reads each canvas's SHA-256
instead of its pixels (``read_widgets(..., pixels=False)``: the page hashes its own
``getImageData`` bytes with ``crypto.subtle``; a few dozen bytes cross the wire
instead of up to half a megabyte of base64). Equal digests mean equal bytes;
:func:`page_mismatches` reads the pixels themselves only when a digest differs, to
say which pixels and by how much.
"""

from __future__ import annotations

import base64
import hashlib

import numpy as np

READ_JS = """
async ([root, pixels]) => {
  const roots = root ? [root] : [...document.querySelectorAll('.ct-widget')];
  const hex = (digest) => [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, '0')).join('');
  const digests = [];
  const shown = roots.map((w) => {
    const canvases = {};
    for (const figure of w.querySelectorAll('.ct-panel')) {
      const name = figure.dataset.name;
      const caption = figure.querySelector('figcaption').textContent;
      const canvas = figure.querySelector('canvas');
      const table = figure.querySelector('table');
      const entry = {hidden: figure.hidden, title: caption};
      if (canvas && !figure.hidden) {
        const ctx = canvas.getContext('2d');
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        entry.width = canvas.width; entry.height = canvas.height;
        if (pixels) {
          let s = '';
          for (let i = 0; i < img.length; i += 0x8000) {
            s += String.fromCharCode.apply(null, img.subarray(i, i + 0x8000));
          }
          entry.rgba = btoa(s);
        } else {
          digests.push(crypto.subtle.digest('SHA-256', img).then((d) => {
            entry.sha256 = hex(d);
          }));
        }
      }
      if (table && !figure.hidden) {
        entry.cells = [...table.rows].map((r) => [...r.cells].map((c) => ({
          text: c.textContent, bg: c.style.backgroundColor, em: c.classList.contains('ct-em')})));
      }
      canvases[name] = entry;
    }
    const texts = {};
    for (const t of w.querySelectorAll('[data-text]')) texts[t.dataset.text] = t.textContent;
    const error = w.querySelector('.ct-error');
    return {widget: [...w.classList].find((c) => c.startsWith('ct-') && c !== 'ct-widget'),
            state: JSON.parse(w.dataset.state), panels: canvases, texts,
            error: error ? error.textContent : ''};
  });
  await Promise.all(digests);
  return shown;
}
"""


def read_widgets(page, root=None, *, pixels: bool = True) -> list[dict]:
    """Everything the page shows of its widgets (or of the one under ``root``).

    ``pixels=False``: each canvas's SHA-256 (``sha256``, hex) instead of its pixels.
    """
    shown = page.evaluate(READ_JS, [root, pixels])
    for w in shown:
        for p in w["panels"].values():
            if "rgba" in p:
                raw = np.frombuffer(base64.b64decode(p["rgba"]), dtype=np.uint8)
                p["rgba"] = raw.reshape(p["height"], p["width"], 4)
    return shown


def _css_rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def mismatches(widget, shown: dict) -> list[str]:
    """How the page differs from Python's picture of the state it shows (empty: equal)."""
    state = shown["state"]
    expected = widget.view(state)
    problems = []
    for p in expected["panels"]:
        got = shown["panels"].get(p["name"])
        if got is None:
            problems.append(f"panel {p['name']!r} missing from the page")
            continue
        if bool(p.get("hidden")) != bool(got["hidden"]):
            problems.append(
                f"panel {p['name']!r}: hidden {got['hidden']}, Python {p.get('hidden')}"
            )
            continue
        if p.get("hidden"):
            continue
        if got["title"] != p["title"]:
            problems.append(f"panel {p['name']!r}: title {got['title']!r} != {p['title']!r}")
        if "rgba" in p and "sha256" in got:
            b = p["rgba"]
            if (got["height"], got["width"]) != b.shape[:2]:
                problems.append(
                    f"panel {p['name']!r}: canvas {got['height']}x{got['width']} "
                    f"!= {b.shape[0]}x{b.shape[1]}"
                )
            elif got["sha256"] != hashlib.sha256(np.ascontiguousarray(b).tobytes()).hexdigest():
                problems.append(f"panel {p['name']!r}: pixels differ (SHA-256)")
        elif "rgba" in p:
            a, b = got.get("rgba"), p["rgba"]
            if a is None or a.shape != b.shape:
                problems.append(
                    f"panel {p['name']!r}: canvas {None if a is None else a.shape} != {b.shape}"
                )
            elif not np.array_equal(a, b):
                diff = np.abs(a.astype(int) - b.astype(int))
                problems.append(
                    f"panel {p['name']!r}: {int((diff.max(axis=-1) > 0).sum())} pixels differ, "
                    f"by up to {int(diff.max())}"
                )
        if "cells" in p:
            want = [[(c["text"], _css_rgb(c["bg"]), bool(c.get("em"))) for c in row]
                    for row in p["cells"]]  # fmt: skip
            have = [[(c["text"], c["bg"], c["em"]) for c in row] for row in got.get("cells", [])]
            if want != have:
                problems.append(f"panel {p['name']!r}: table {have} != {want}")
    for name, text in expected["texts"].items():
        if shown["texts"].get(name) != text:
            problems.append(f"text {name!r}: {shown['texts'].get(name)!r} != {text!r}")
    return problems


def page_mismatches(page, root, widget) -> list[str]:
    """How the widget under ``root`` differs from ``widget.view`` of the state it shows.

    Reads digests first (cheap); only when something differs are the pixels read, so
    the message says how many pixels differ and by how much.
    """
    found = mismatches(widget, read_widgets(page, root, pixels=False)[0])
    if found:
        found = mismatches(widget, read_widgets(page, root)[0]) or found
    return found


def reference_widget(entry: dict):
    """The Python widget to compare a saved widget's page with (the static edition).

    ``entry`` is one model of a saved-state document. The widget's class is rebuilt with
    no arguments, then given the saved arrays and metadata (and the arrays the page
    derives from them, computed as the page does), so that its ``view`` works on
    exactly what the page has.
    """
    import importlib

    from convtutor.widgets._base import derive

    state = entry["state"]
    module, _, name = state["_anywidget_id"].rpartition(".")
    widget = getattr(importlib.import_module(module), name)()
    meta = state["_meta"]
    for buffer in entry["buffers"]:
        key = buffer["path"][-1]
        dtype = np.uint8 if meta["dtypes"][key] == "uint8" else np.float32
        raw = np.frombuffer(base64.b64decode(buffer["data"]), dtype=dtype)
        widget.data[key] = raw.reshape(meta["shapes"][key])
    for key, spec in meta.get("derived", {}).items():
        widget.data[key] = derive(spec, widget.data).reshape(meta["shapes"][key])
    widget.meta = meta
    return widget
