"""Build the static HTML edition of the suite: ``make html``.

Executes every notebook in ``notebooks/`` in reading order (00, 01, ...) in a fresh
kernel, then writes one HTML page per notebook and an ``index.html`` to
``build/html/`` (ignored by git). Open ``build/html/index.html`` in any browser; no
Jupyter, no internet needed for the figures (they are embedded as PNG).

Widgets cannot move in a static page. Each one appears as a picture of its figure
at its starting position, with a note that it is live when the notebook runs in
Jupyter (for example on Binder). Technically: nbconvert prefers a widget's
``application/vnd.jupyter.widget-view+json`` output, which renders as an empty box
without a kernel, so this script removes that mimetype and shows the PNG the
widget put beside it.

Usage::

    python scripts/build_html.py [--quick] [--jobs N] [--out DIR] [NAME ...]

``NAME`` selects notebooks by file name (``02_depthwise`` or ``02``); default: all.
``--quick`` sets ``CONVTUTOR_QUICK=1`` for the kernels (smaller experiments).
``--binder-repo OWNER/REPO`` puts a "run it on Binder" link on every page (default:
``$CONVTUTOR_BINDER_REPO``, else the GitHub ``origin`` remote, else no link).
The exit status is 1 when a notebook fails; its page is still written, with the error.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

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
    pictures: int  # figure and widget outputs shown as pictures
    controls: int  # widgets without a picture (e.g. a bare slider), shown as a note
    error: str | None
    seconds: float


# ---- finding the notebooks ----------------------------------------------------------
def reading_order(names: list[str] | None = None, folder: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks in reading order (by their number prefix), optionally a subset."""
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return paths
    chosen = []
    for name in names:
        stem = Path(name).stem
        hits = [p for p in paths if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if not hits:
            known = ", ".join(p.stem for p in paths) or "none"
            raise SystemExit(f"build_html: no notebook named {name!r}; there are: {known}")
        chosen.extend(h for h in hits if h not in chosen)
    return sorted(chosen)


def title_of(nb) -> str:
    """The first Markdown heading of a notebook, without the hashes."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def binder_repo_default() -> str | None:
    """OWNER/REPO for Binder links: $CONVTUTOR_BINDER_REPO, else a GitHub origin remote."""
    if os.environ.get("CONVTUTOR_BINDER_REPO"):
        return os.environ["CONVTUTOR_BINDER_REPO"]
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"github\.com[:/]([^/]+/[^/]+?)(?:\.git)?$", url)
    return match.group(1) if match else None


def binder_url(repo: str, notebook: str) -> str:
    """A mybinder.org link that opens JupyterLab at ``notebooks/<notebook>``."""
    return f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/notebooks/{notebook}"


# ---- turning live outputs into static ones ------------------------------------------
def static_note(binder_link: str | None) -> str:
    where = (
        f'<a href="{html.escape(binder_link)}">on Binder</a>'
        if binder_link
        else "on Binder (see the README)"
    )
    return (
        "A picture of this interactive figure at its starting position. "
        f"Its sliders work when the notebook runs in Jupyter, for example {where}."
    )


def _png_html(png_b64: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{png_b64}" alt="{html.escape(alt)}">'


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


def make_static(nb, binder_link: str | None = None) -> tuple[int, int]:
    """Rewrite a notebook's widget outputs so a static page shows them (in place).

    * A widget that carries a PNG (every convtutor widget; an ipympl figure) becomes
      that picture; a convtutor widget also gets the note that it is live in Jupyter.
    * A widget without a picture (a bare slider) becomes a one-line note.
    * The saved widget state is dropped, so the page does not try to load the widget
      JavaScript from the internet to draw empty boxes.

    Returns (pictures, controls): how many outputs became pictures and notes.
    """
    pictures = controls = 0
    models = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
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
                continue
            text = str(data.get("text/plain", ""))
            kind = text.split("(", 1)[0].split(" ", 1)[0] or "widget"
            png = data.get("image/png")
            if png:
                pictures += 1
                png = png if isinstance(png, str) else base64.b64encode(png).decode()
                if text.startswith("Canvas("):  # a plain ipympl figure: just the picture
                    body = f'<div class="static-figure">{_png_html(png, "figure")}</div>'
                else:
                    body = (
                        f'<figure class="static-widget">{_png_html(png, kind)}'
                        f"<figcaption><em>{static_note(binder_link)}</em></figcaption></figure>"
                    )
            else:
                controls += 1
                final, progress = _final_state(data[WIDGET_VIEW].get("model_id", ""), models)
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
    return pictures, controls


# ---- executing and exporting --------------------------------------------------------
def execute(nb, cwd: Path, timeout: int) -> str | None:
    """Run a notebook in a fresh python3 kernel; return the error text, or None."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        return str(exc)
    except Exception as exc:  # a dead kernel, a timeout: report it, build the rest
        return f"{type(exc).__name__}: {exc}"
    return None


def to_html(nb, title: str) -> str:
    """The page for one executed notebook, with figures embedded and local links fixed."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # Links between notebooks ("next: 02_depthwise.ipynb") go to the HTML pages instead.
    return re.sub(r'href="(\./)?(\d\d_[\w-]+)\.ipynb(#[^"]*)?"', r'href="\2.html\3"', body)


def build_one(path: str, out: str, timeout: int, binder_repo: str | None) -> dict:
    """Execute one notebook and write its page; runs in a worker process."""
    start = time.perf_counter()
    path_, out_ = Path(path), Path(out)
    nb = nbformat.read(path_, as_version=4)
    title = title_of(nb) or path_.stem
    error = execute(nb, path_.parent, timeout)
    executed = out_ / "executed"
    executed.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed / path_.name)  # kept for tests and for download
    link = binder_url(binder_repo, path_.name) if binder_repo else None
    pictures, controls = make_static(nb, link)
    page = out_ / f"{path_.stem}.html"
    page.write_text(to_html(nb, title), encoding="utf-8")
    return asdict(
        Page(
            name=path_.stem,
            title=title,
            html=page.name,
            pictures=pictures,
            controls=controls,
            error=error,
            seconds=round(time.perf_counter() - start, 1),
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
page. The figures are pictures of each slider widget at its starting position.
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
        live = f'To move the sliders, <a href="{html.escape(url)}">open the suite on Binder</a>.'
    else:
        live = "To move the sliders, run the notebooks in Jupyter (see the README)."
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
) -> list[dict]:
    """Build the edition; return one record per page (see :class:`Page`)."""
    paths = reading_order(names, folder)
    if not paths:
        raise SystemExit(f"build_html: no notebooks found in {folder}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    args = [(str(p), str(out), timeout, binder_repo) for p in paths]
    previous = os.environ.get("CONVTUTOR_QUICK")
    if quick:
        os.environ["CONVTUTOR_QUICK"] = "1"  # inherited by the workers and their kernels
    try:
        if jobs > 1 and len(paths) > 1:
            with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
                pages = list(pool.map(build_one, *zip(*args, strict=True)))
        else:
            pages = [build_one(*a) for a in args]
    finally:
        if previous is None:
            os.environ.pop("CONVTUTOR_QUICK", None)
        else:
            os.environ["CONVTUTOR_QUICK"] = previous
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
            f"{status:6} {page['name']:28} {page['pictures']:3} pictures  {page['seconds']:6.1f} s"
        )
    failed = [p for p in pages if p["error"]]
    for page in failed:
        print(f"\n--- {page['name']} failed ---\n{page['error']}", file=sys.stderr)
    total = time.perf_counter() - start
    print(f"\nWrote {len(pages)} pages to {args.out}/index.html in {total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
