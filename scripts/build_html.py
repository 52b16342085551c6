"""Build the static HTML edition of the suite: ``make html``.

Takes the notebooks as executed once by ``scripts/execute_notebooks.py`` (in reading
order, each in a fresh kernel; reused when current) and writes one HTML page per
notebook and an ``index.html`` to ``build/html/`` (ignored by git). Open
``build/html/index.html`` in any browser, from disk: no Jupyter, no server and no
network are needed.

**The widgets are live.** Every convtutor widget is saved with its state, its arrays
and its ES module (as Jupyter saves widget state in a notebook), and a small runtime
(``convtutor/widgets/static/standalone.js``) renders it in the page: the sliders move
and the figures recompute in the browser with no kernel. Where JavaScript is off, the
widget's PNG (its picture at its starting position, ``fallback/``) shows instead.
Formulas are typeset by a copy of MathJax inside the build folder (``mathjax/``, from
the ``jupyter-server-mathjax`` package).

**Light enough for a school network**: the arrays of a page sit in one pool, each
distinct buffer once and deflated (``_standalone.packed``); the maps a kernel makes of
the photo are computed by the page, not shipped (``_base.derive``); the fallback
pictures load only where no script runs; the other figures are files next to the page
(``figures/``), loaded lazily, so the text and the widgets come first; JupyterLab's
style sheets are one shared file; MathJax is cut to what the pages use.
``benchmarks/bench_edition.py`` measures the weight and the time to the first live
slider on a slow link.

Other widgets (a tqdm progress bar, a plain slider) cannot run without a kernel: they
become their final value, or a one-line note.

Usage::

    python scripts/build_html.py [--quick] [--jobs N] [--out DIR] [NAME ...]

``NAME`` selects notebooks by file name (``02_depthwise`` or ``02``); default: all.
``--quick`` sets ``CONVTUTOR_QUICK=1`` for the kernels (smaller experiments).
``--binder-repo OWNER/REPO`` puts a "run it on Binder" link on every page (default:
``$CONVTUTOR_BINDER_REPO``, else pyproject.toml's ``[project.urls] Repository``, the one
setting the notebooks' Binder and Colab links are built from).
The exit status is 1 when a notebook fails; its page is still written, with the error.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# Its sibling script: found next to this one when run (the tests load both by file).
import execute_notebooks
import nbformat
import sync_notebooks

ROOT = Path(__file__).resolve().parents[1]

NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "build" / "html"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
TRACEBACK_MARK = "Traceback (most recent call last)"


@dataclass
class Page:
    """What was built for one notebook."""

    name: str
    title: str
    html: str
    pictures: int  # figure outputs shown as pictures (live widgets not counted)
    live: int  # convtutor widgets that run in the page
    controls: int  # other widgets (a progress bar, a bare slider): final value or a note
    error: str | None
    seconds: float


# ---- finding the notebooks ----------------------------------------------------------
def reading_order(names: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks in reading order (by their number prefix), optionally a subset."""
    try:
        return execute_notebooks.reading_order(names, folder)
    except SystemExit as exc:
        raise SystemExit(f"build_html: {exc}") from None


def title_of(nb) -> str:
    """The first Markdown heading of a notebook, without the hashes."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def binder_repo_default() -> str:
    """OWNER/REPO for Binder links: $CONVTUTOR_BINDER_REPO, else the one setting the
    notebooks' links come from (pyproject.toml's ``[project.urls] Repository``)."""
    return os.environ.get("CONVTUTOR_BINDER_REPO") or sync_notebooks.repository()


binder_url = sync_notebooks.binder_url

#: Cells a static page leaves out: the install cell (scripts/sync_notebooks.py) is for a
#: notebook opened where convtutor is missing; a page installs nothing.
NOT_ON_A_PAGE = {"install"}


# ---- turning live outputs into static ones ------------------------------------------
def static_note(binder_link: str | None) -> str:
    where = (
        f'<a href="{html.escape(binder_link)}">on Binder</a>'
        if binder_link
        else "on Binder (see the README)"
    )
    return (
        "A picture of this interactive figure at its starting position: this page needs "
        f"JavaScript to move its sliders. They also work in Jupyter, for example {where}."
    )


def _png_html(png_b64: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{png_b64}" alt="{html.escape(alt)}">'


#: Where the pages' fallback pictures of live widgets go, inside the build folder.
FALLBACKS = "fallback"
#: Where the pages' other figures (matplotlib's) go: files next to the pages, fetched
#: lazily, so that a page's text and widgets come first on a slow network.
FIGURES = "figures"
#: A figure's alt text when its output and its cell give none (the lessons give one to
#: every figure; a test holds them to it).
NO_ALT = "A figure drawn by the code above"


def figure_alt(output, cell) -> str:
    """A figure's alt text: its output's ``image/png`` metadata ``alt`` (IPython's
    ``Image(alt=...)``, ``display(fig, metadata={"image/png": {"alt": ...}})``), else its
    cell's metadata ``alt`` (in a lesson's MyST source: ``alt:`` in the cell's front
    matter), else :data:`NO_ALT`.

    JupyterLab and Notebook 7 read neither: their renderer of ``image/png`` outputs
    (``renderImage`` in @jupyterlab/rendermime) sets no ``alt``; only these pages show it.
    """
    meta = output.get("metadata", {}).get("image/png", {})
    alt = meta.get("alt") if isinstance(meta, dict) else None
    return str(alt or cell.get("metadata", {}).get("alt") or NO_ALT)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from a PNG's header (its IHDR chunk)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("png_size: expected the bytes of a PNG file")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _figure_file(output, cell, out: Path, page: str, n: int) -> str:
    """An ordinary figure (a PNG output) as a file of its own, ``figures/<page>-<n>.png``,
    and the ``<img>`` that shows it: loaded lazily, decoded off the main thread, its box
    sized before it arrives (``width``, ``height``: the PNG's pixels, or the output's
    ``image/png`` metadata where it sets them, as Jupyter does), with its alt text."""
    png = output["data"]["image/png"]
    png = base64.b64decode(png) if isinstance(png, str) else bytes(png)
    meta = output.get("metadata", {}).get("image/png", {})
    meta = meta if isinstance(meta, dict) else {}
    width, height = png_size(png)
    if meta.get("width") and meta.get("height"):
        width, height = meta["width"], meta["height"]
    elif meta.get("width"):
        width, height = meta["width"], round(height * meta["width"] / width)
    path = out / FIGURES / f"{page}-{n}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    alt = html.escape(figure_alt(output, cell))
    return (
        f'<img src="{FIGURES}/{path.name}" alt="{alt}" width="{width}" height="{height}" '
        'loading="lazy" decoding="async">'
    )


def _fallback_picture(png_b64: str, alt: str, files, n: int) -> str:
    """A live widget's fallback picture: inline (a data URL), or with ``files = (build
    folder, page name)`` a file of its own, ``fallback/<page>-<n>.png``."""
    if files is None:
        return _png_html(png_b64, alt)
    out, page = files
    path = out / FALLBACKS / f"{page}-{n}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(png_b64))
    return f'<img src="{html.escape(FALLBACKS + "/" + path.name)}" alt="{html.escape(alt)}">'


def _final_state(model_id: str, models: dict, depth: int = 0) -> tuple[str, bool]:
    """A widget's last state as static HTML, from the state saved in the notebook.

    Returns (html, is_progress). Boxes join their children; HTML and labels show
    their text; progress bars (tqdm's) become an HTML ``<progress>`` at their final
    value; controls show ``description: value``. Unknown widgets give "".
    """
    model = models.get(model_id)
    if model is None or depth > 5:
        return "", False
    name, state = model.get("model_name", ""), model.get("state", {})
    if name in ("HBoxModel", "VBoxModel", "BoxModel"):
        parts = [
            _final_state(str(child).removeprefix("IPY_MODEL_"), models, depth + 1)
            for child in state.get("children", [])
        ]
        return " ".join(h for h, _ in parts if h), any(p for _, p in parts)
    if name in ("HTMLModel", "HTMLMathModel"):
        return str(state.get("value", "")), False
    if name == "LabelModel":
        return html.escape(str(state.get("value", ""))), False
    if name in ("FloatProgressModel", "IntProgressModel"):
        value, top = state.get("value", 0), state.get("max", 100)
        return f'<progress value="{value}" max="{top}"></progress>', True
    if "value" in state and not isinstance(state["value"], dict | list):
        label = html.escape(str(state.get("description") or name.removesuffix("Model")))
        return f"{label}: <code>{html.escape(str(state['value']))}</code>", False
    return "", False


def make_live(nb, binder_link: str | None = None, files: tuple[Path, str] | None = None) -> dict:
    """Rewrite a notebook's widget outputs for a page with no kernel (in place).

    * A convtutor widget (an anywidget: its saved state carries its ES module) becomes
      a placeholder the page's runtime renders live, with the widget's PNG inside it
      as the fallback (shown until the runtime starts, or where JavaScript is off):
      inline, or with ``files = (build folder, page name)`` a file of its own there,
      in a ``<noscript>``: a browser that runs the page's script never fetches it (it
      draws the widget), one that does not shows it; where a widget cannot start, the
      runtime shows it (standalone.js).
    * Another widget with a PNG becomes that picture; a progress bar (tqdm) its final
      value; any other control a one-line note.
    * With ``files``, every other figure (a PNG output: matplotlib's) becomes a file of
      its own, ``figures/<page>-<n>.png``, shown by a lazy ``<img>`` with its alt text
      (:func:`figure_alt`): the page's text and widgets arrive first.
    * The saved widget state is dropped from the metadata (so nbconvert adds no
      widget scripts from the internet) and returned, reduced to the live widgets.

    Returns ``{"pictures", "live", "controls", "state"}``: counts, and the saved-state
    document of the live widgets (None when there are none).
    """
    pictures = controls = shown = figures = 0
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    models = saved.get("state", {})
    live = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                if "image/png" in data or "image/svg+xml" in data:
                    pictures += 1
                if "image/png" in data and files is not None:
                    figures += 1
                    picture = _figure_file(output, cell, *files, figures)
                    output["data"] = {
                        "text/html": picture,
                        "text/plain": data.get("text/plain", ""),
                    }
                    output["metadata"] = {}
                continue
            text = str(data.get("text/plain", ""))
            kind = text.split("(", 1)[0].split(" ", 1)[0] or "widget"
            model_id = data[WIDGET_VIEW].get("model_id", "")
            png = data.get("image/png")
            if png:
                png = png if isinstance(png, str) else base64.b64encode(png).decode()
            model = models.get(model_id, {})
            if "_esm" in model.get("state", {}):
                live[model_id] = model
                fallback = ""
                if png:
                    shown += 1
                    picture = _fallback_picture(png, kind, files, shown)
                    fallback = (
                        f'<figure class="static-widget">{picture}'
                        f"<figcaption><em>{static_note(binder_link)}</em></figcaption></figure>"
                    )
                    if files is not None:  # fetched and shown only where no script runs
                        fallback = f"<noscript>{fallback}</noscript>"
                body = (
                    f'<div class="ct-live" data-ct-model="{html.escape(model_id)}">{fallback}</div>'
                )
            elif png:
                pictures += 1
                body = f'<div class="static-figure">{_png_html(png, kind)}</div>'
            else:
                controls += 1
                final, progress = _final_state(model_id, models)
                if progress:  # a progress bar (tqdm): show where it ended
                    body = f'<div class="static-progress">{final}</div>'
                else:
                    shown = f" Its last value: {final}." if final else ""
                    body = (
                        f'<p class="static-control"><em>[An interactive control '
                        f"({html.escape(kind)}) appears here when the notebook runs in "
                        f"Jupyter.{shown}]</em></p>"
                    )
            output["data"] = {"text/html": body, "text/plain": text}
    nb.metadata.pop("widgets", None)
    state = None
    if live:
        state = {
            "version_major": saved.get("version_major", 2),
            "version_minor": saved.get("version_minor", 0),
            "state": live,
        }
    return {"pictures": pictures, "live": len(live), "controls": controls, "state": state}


# ---- executing and exporting --------------------------------------------------------
MATHJAX_CONFIG = """MathJax.Hub.Config({
  "HTML-CSS": {
    availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
    styles: { "@font-face": { "font-family": "MathJax_Blank", src: "local('MathJax_Blank')" } }
  },
  MathMenu: { showRenderer: false, showFontMenu: false, showLocale: false }
});
MathJax.Ajax.loadComplete("[MathJax]/config/local/convtutor.js");
"""
#: The parts of MathJax 2.7 (from ``jupyter-server-mathjax``) the pages use: TeX in,
#: HTML-CSS out with the STIX web fonts, which load from the build folder; the TeX
#: extensions a formula may pull in; the menu and zoom. About 2.5 MB of the package's
#: 12: its SVG font tables (without the SVG output itself), the speech and explorer
#: tools of ``a11y`` and the translations are left out, and the menu does not offer
#: them (``MATHJAX_CONFIG``). Every page gets a tiny local config
#: (``config/local/convtutor.js``) that replaces MathJax's web-font probe, a font at
#: ``about:blank`` that Chromium refuses (and logs as a CORS error) from ``file://``
#: and over HTTP alike, by a font that is simply absent (``local()``): the same test,
#: no request, no error.
MATHJAX_PARTS = [
    "MathJax.js",
    "LICENSE",
    "config/TeX-AMS-MML_HTMLorMML-full.js",
    "jax/input",
    "jax/element",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web/woff",
    "extensions/*.js",
    "extensions/TeX",
    "extensions/HTML-CSS",
    "extensions/MathML",
]
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,local/convtutor"
#: The lab template loads require.js from a CDN for widget managers; these pages need none.
REQUIRE_JS = re.compile(r'<script[^>]*src="[^"]*require(?:\.min)?\.js"[^>]*>\s*</script>\n?')
#: MathJax is loaded ``defer``: the page is parsed and its widgets start while MathJax
#: loads (it reads its ``text/x-mathjax-config`` blocks itself, whenever it starts).
MATHJAX_SCRIPT = re.compile(r'<script src="(mathjax/MathJax\.js[^"]*)">\s*</script>')
#: JupyterLab's style sheets, the same on every page (about 260 kB): one shared file,
#: fetched once and cached, instead of a copy inside every page.
HEAD_STYLE = re.compile(r'<style type="text/css">(.*?)</style>\n?', re.S)
#: No icon: without one, browsers ask the server for /favicon.ico and log its 404.
NO_ICON = '<link rel="icon" href="data:,">'
#: The pages' own style, after JupyterLab's: links in running text are underlined
#: (JupyterLab's theme tells them from the text by colour alone, #0d47a1 in #212121,
#: 1.9:1; axe's ``link-in-text-block``).
PAGE_STYLE = """<style>
.jp-RenderedHTMLCommon :is(p, li, td, th, dd, blockquote, figcaption) a:is(:link, :visited) {
  text-decoration: underline;
}
</style>
"""


def copy_mathjax(out: Path) -> Path:
    """A copy of MathJax in ``out/mathjax`` (from jupyter-server-mathjax): typeset offline."""
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = out / "mathjax"
    shutil.rmtree(target, ignore_errors=True)  # no part left over from an older build
    for part in MATHJAX_PARTS:
        for src in sorted(source.glob(part)):
            dst = target / src.relative_to(source)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
    config = target / "config" / "local" / "convtutor.js"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(MATHJAX_CONFIG, encoding="utf-8")
    return target


def share_styles(body: str, out: Path | None) -> str:
    """The page with its head's style sheets moved into one shared file in ``out``.

    The file is named by its content (``style-<hash>.css``), so pages built with other
    style sheets never share a wrong one. ``out=None`` leaves the page as it is.
    """
    if out is None:
        return body
    head, rest = body.split("</head>", 1)
    sheets = HEAD_STYLE.findall(head)
    if not sheets:
        return body
    css = "\n".join(sheets)
    name = f"style-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    if not (out / name).exists():
        (out / name).write_text(css, encoding="utf-8")
    head = HEAD_STYLE.sub("", head, count=len(sheets) - 1)
    head = HEAD_STYLE.sub(f'{NO_ICON}\n<link rel="stylesheet" href="{name}">\n', head, count=1)
    return head + "</head>" + rest


#: Cells tagged "verify" (the checks that end each section) show their output, with
#: their code folded, as JupyterLab folds them (``jupyter.source_hidden``).
FOLD_VERIFY = """<style>
details.ct-verify > summary { cursor: pointer; color: #555; font-size: 0.9em; margin: 2px 0; }
</style>
<script>
for (const cell of document.querySelectorAll(".celltag_verify")) {
  const input = cell.querySelector(".jp-Cell-inputWrapper");
  if (!input) continue;
  const fold = document.createElement("details");
  fold.className = "ct-verify";
  const summary = document.createElement("summary");
  summary.textContent = "The check's code (click to show)";
  input.replaceWith(fold);
  fold.append(summary, input);
}
</script>"""


def to_html(nb, title: str, live_state: dict | None = None, out: Path | None = None) -> str:
    """The page for one executed notebook: figures embedded, widgets live, links fixed.

    With ``out`` (the build folder), the style sheets go to a shared file there.
    """
    from nbconvert import HTMLExporter

    from convtutor.widgets import _standalone

    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX_URL)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # Links between notebooks ("next: 02_depthwise.ipynb") go to the HTML pages instead.
    body = re.sub(r'href="(\./)?(\d\d_[\w-]+)\.ipynb(#[^"]*)?"', r'href="\2.html\3"', body)
    body = REQUIRE_JS.sub("", body)
    body = MATHJAX_SCRIPT.sub(r'<script defer src="\1"></script>', body)
    body = share_styles(body, out)
    body = body.replace("</head>", PAGE_STYLE + "</head>", 1)
    body = body.replace("</body>", FOLD_VERIFY + "\n</body>", 1)
    if live_state:
        scripts = _standalone.state_script(live_state) + "\n" + _standalone.runtime_script()
        body = body.replace("</body>", scripts + "\n</body>", 1)
    return body


def write_page(record: dict, out: Path, binder_repo: str | None) -> dict:
    """The page of one executed notebook (``record`` from execute_notebooks.executed)."""
    start = time.perf_counter()
    nb = nbformat.read(record["path"], as_version=4)
    nb.cells = [c for c in nb.cells if not NOT_ON_A_PAGE & set(c.metadata.get("tags", []))]
    name = record["name"]
    title = title_of(nb) or name
    link = binder_url(binder_repo, f"{name}.ipynb") if binder_repo else None
    for stale in [*(out / FALLBACKS).glob(f"{name}-*.png"), *(out / FIGURES).glob(f"{name}-*.png")]:
        stale.unlink()
    counts = make_live(nb, link, (out, name))
    page = out / f"{name}.html"
    page.write_text(to_html(nb, title, counts["state"], out), encoding="utf-8")
    return asdict(
        Page(
            name=name,
            title=title,
            html=page.name,
            pictures=counts["pictures"],
            live=counts["live"],
            controls=counts["controls"],
            error=record["error"],
            seconds=round(record["seconds"] + time.perf_counter() - start, 1),
        )
    )


INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convtutor: depth-wise separable convolution, the static edition</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
        padding: 0 1rem; line-height: 1.5; color: #222; }}
li {{ margin: 0.4rem 0; }}
.note {{ background: #f4f6fa; border-left: 4px solid #4a6fa5; padding: 0.6rem 1rem; }}
.failed {{ color: #a00; }}
</style>
</head>
<body>
<h1>convtutor: depth-wise separable convolution</h1>
<p class="note">This is the static edition: every notebook was run once and saved as a
page. Its slider widgets are live: move a slider and the figure recomputes in your
browser, with no Python and no network. The code cells cannot be changed or run here.
{live}</p>
<h2>The notebooks, in reading order</h2>
<ul>
{items}
</ul>
<p><small>Built {when}. Code: MIT licence. Text and figures: CC BY 4.0.</small></p>
</body>
</html>
"""


def write_index(pages: list[dict], out: Path, binder_repo: str | None) -> Path:
    """index.html: the pages in reading order, with a link to the live version."""
    items = []
    for page in pages:
        label = html.escape(page["title"] or page["name"])
        failed = ' <span class="failed">(this notebook failed to run)</span>'
        items.append(
            f'<li><a href="{page["html"]}">{label}</a> '
            f"<small>({page['name']}.ipynb)</small>{failed if page['error'] else ''}</li>"
        )
    if binder_repo:
        url = binder_url(binder_repo, "00_start_here.ipynb")
        live = f'To run the code too, <a href="{html.escape(url)}">open the suite on Binder</a>.'
    else:
        live = "To run the code too, open the notebooks in Jupyter (see the README)."
    index = out / "index.html"
    index.write_text(
        INDEX_TEMPLATE.format(
            live=live, items="\n".join(items), when=time.strftime("%Y-%m-%d %H:%M")
        ),
        encoding="utf-8",
    )
    return index


def build(
    names: list[str] | None = None,
    out: Path = DEFAULT_OUT,
    *,
    quick: bool = False,
    jobs: int = 2,
    timeout: int = 900,
    binder_repo: str | None = None,
    folder: Path = NOTEBOOKS,
    executed: Path | None = None,
) -> list[dict]:
    """Build the edition; return one record per page (see :class:`Page`).

    Notebooks are executed by ``execute_notebooks.executed`` into ``executed``
    (default ``build/executed``; reused while current).
    """
    paths = reading_order(names, folder)
    if not paths:
        raise SystemExit(f"build_html: no notebooks found in {folder}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("CONVTUTOR_QUICK")
    if quick:
        os.environ["CONVTUTOR_QUICK"] = "1"  # inherited by the workers and their kernels
    try:
        records = execute_notebooks.executed(
            [p.stem for p in paths],
            out=executed or execute_notebooks.EXECUTED,
            jobs=jobs,
            timeout=timeout,
            folder=folder,
        )
    finally:
        if previous is None:
            os.environ.pop("CONVTUTOR_QUICK", None)
        else:
            os.environ["CONVTUTOR_QUICK"] = previous
    copy_mathjax(out)
    pages = [write_page(records[p.stem], out, binder_repo) for p in paths]
    # Building a few notebooks keeps the pages built earlier in the index.
    record = out / "pages.json"
    earlier = json.loads(record.read_text()) if record.exists() else []
    existing = {p.stem for p in reading_order(None, folder)}
    merged = {p["name"]: p for p in earlier if p["name"] in existing and (out / p["html"]).exists()}
    merged.update({p["name"]: p for p in pages})
    listed = [merged[name] for name in sorted(merged)]
    write_index(listed, out, binder_repo)
    record.write_text(json.dumps(listed, indent=2) + "\n")
    return pages


def folder_size(folder: Path) -> int:
    """Bytes in ``folder`` (the edition's size, reported by main)."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--quick", action="store_true", help="set CONVTUTOR_QUICK=1")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--binder-repo", default=binder_repo_default(), help="OWNER/REPO")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages = build(
        args.names,
        args.out,
        quick=args.quick,
        jobs=args.jobs,
        timeout=args.timeout,
        binder_repo=args.binder_repo,
    )
    for page in pages:
        status = "FAILED" if page["error"] else "ok"
        print(
            f"{status:6} {page['name']:28} {page['pictures']:3} pictures {page['live']:2} live "
            f"widgets {page['seconds']:6.1f} s"
        )
    failed = [p for p in pages if p["error"]]
    for page in failed:
        print(f"\n--- {page['name']} failed ---\n{page['error']}", file=sys.stderr)
    total = time.perf_counter() - start
    size = folder_size(args.out) / 1e6
    print(f"\nWrote {len(pages)} pages to {args.out}/index.html in {total:.0f} s ({size:.1f} MB)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
