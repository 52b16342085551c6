"""Widgets in a page with no kernel: saved state, and the runtime that renders it.

The static HTML edition (``scripts/build_html.py``) and the tests use these. A widget's
saved state is what Jupyter itself saves in a notebook's metadata
(``application/vnd.jupyter.widget-state+json``): its traits, with the arrays as
base64 buffers. :data:`RUNTIME` (``static/standalone.js``) renders it in the page:
no kernel, no server, no network.

In the page the buffers are packed (:func:`packed`): each distinct buffer once, in a
pool that every widget of the page draws from (so widgets on one photo carry it once),
compressed with deflate (zlib's format, which the browser's ``DecompressionStream``
reads). :func:`unpacked` gives Jupyter's document back.

Run ``python -m convtutor.widgets._standalone NAME [OUT.html]`` to write one widget
of :data:`convtutor.widgets.ALL` as a page of its own (handy while editing a module).
"""

from __future__ import annotations

import base64
import html
import json
import sys
import zlib
from pathlib import Path

from ipywidgets.widgets.widget import _remove_buffers

from ._base import STATIC

__all__ = [
    "RUNTIME",
    "saved_state",
    "packed",
    "unpacked",
    "state_script",
    "placeholder",
    "runtime_script",
    "page",
]

#: The page-side runtime (an ES module's source).
RUNTIME = (STATIC / "standalone.js").read_text(encoding="utf-8")

MIME = "application/vnd.jupyter.widget-state+json"


def saved_state(*widgets) -> dict:
    """Jupyter's saved-state document for ``widgets`` (and nothing else)."""
    state = {}
    for w in widgets:
        s, paths, buffers = _remove_buffers(w.get_state())
        state[w.model_id] = {
            "model_name": s["_model_name"],
            "model_module": s["_model_module"],
            "model_module_version": s["_model_module_version"],
            "state": s,
            "buffers": [
                {"path": p, "encoding": "base64", "data": base64.b64encode(b).decode("ascii")}
                for p, b in zip(paths, buffers, strict=True)
            ],
        }
    return {"version_major": 2, "version_minor": 0, "state": state}


#: Where a packed document keeps its buffers: ``[{"compression", "data"}, ...]``.
POOL = "convtutor_pool"


def packed(saved: dict) -> dict:
    """``saved`` with every buffer moved into one pool: each distinct buffer once,
    deflated (``"compression": "deflate"``) where that makes it smaller, base64.
    A widget's buffer becomes ``{"path": ..., "pool": index}``."""
    pool, index = [], {}
    state = {}
    for model_id, entry in saved["state"].items():
        buffers = []
        for buffer in entry.get("buffers", []):
            raw = base64.b64decode(buffer["data"])
            if raw not in index:
                small = zlib.compress(raw, 9)
                index[raw] = len(pool)
                pool.append(
                    {"compression": "deflate", "data": base64.b64encode(small).decode("ascii")}
                    if len(small) < len(raw)
                    else {"compression": None, "data": buffer["data"]}
                )
            buffers.append({"path": buffer["path"], "pool": index[raw]})
        state[model_id] = {**entry, "buffers": buffers}
    return {**saved, "state": state, POOL: pool}


def unpacked(document: dict) -> dict:
    """Jupyter's saved-state document from a :func:`packed` one (or itself, if not packed)."""
    pool = document.get(POOL)
    if pool is None:
        return document
    raw = [
        zlib.decompress(base64.b64decode(p["data"]))
        if p["compression"]
        else base64.b64decode(p["data"])
        for p in pool
    ]
    state = {}
    for model_id, entry in document["state"].items():
        buffers = [
            {
                "path": b["path"],
                "encoding": "base64",
                "data": base64.b64encode(raw[b["pool"]]).decode("ascii"),
            }
            for b in entry.get("buffers", [])
        ]
        state[model_id] = {**entry, "buffers": buffers}
    return {k: v for k, v in document.items() if k != POOL} | {"state": state}


def state_script(saved: dict) -> str:
    """The ``<script>`` holding a saved-state document, packed (safe inside HTML)."""
    text = json.dumps(packed(saved), separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="{MIME}">{text}</script>'


def placeholder(model_id: str, fallback_html: str = "") -> str:
    """Where a widget goes; ``fallback_html`` (the PNG) shows until it starts, or without JS."""
    return f'<div class="ct-live" data-ct-model="{html.escape(model_id)}">{fallback_html}</div>'


def runtime_script() -> str:
    """An inline module that renders every placeholder (works from ``file://``)."""
    source = RUNTIME.replace("</", "<\\/")  # a "</script>" in a comment would end it
    return f'<script type="module">\n{source}\nrenderAll();\n</script>'


def page(*widgets, title: str = "convtutor widget") -> str:
    """A complete page showing ``widgets``, live, with their PNGs as the fallback."""
    bodies = []
    for w in widgets:
        png = base64.b64encode(w.png()).decode("ascii")
        img = f'<img alt="{html.escape(type(w).__name__)}" src="data:image/png;base64,{png}">'
        bodies.append(placeholder(w.model_id, img))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>\n"
        + "\n".join(bodies)
        + "\n"
        + state_script(saved_state(*widgets))
        + "\n"
        + runtime_script()
        + "\n</body></html>\n"
    )


def main(argv=None) -> int:
    from . import ALL

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ALL:
        print(
            f"usage: python -m convtutor.widgets._standalone NAME [OUT.html]; NAME in {list(ALL)}"
        )
        return 2
    w = ALL[args[0]]()
    out = Path(args[1] if len(args) > 1 else f"{args[0]}.html")
    out.write_text(page(w, title=args[0]), encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
