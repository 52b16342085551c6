"""The static HTML edition (``make html``, scripts/build_html.py).

The fast tests check the output rewriting on hand-made notebooks. The slow one builds
the edition from the notebooks executed once for the whole test run and checks each
page: every figure there as a picture, every convtutor widget live (its saved state,
its module and the runtime in the page, its PNG inside as the fallback), nothing
loaded from the internet, no traceback. tests/browser/test_static_edition.py opens the
pages in Chromium from disk and moves the sliders.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
build_html = load_script("build_html")

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a png").decode()
VIEW = {"version_major": 2, "version_minor": 0, "model_id": "abc"}


def _notebook():
    """A notebook with one output of each kind the rewriting has to handle."""
    outputs = {
        "live": new_output(
            "display_data",
            data={
                build_html.WIDGET_VIEW: {**VIEW, "model_id": "any"},
                "image/png": PNG,
                "text/plain": "PointwiseMixer widget. (This figure is interactive ...)",
            },
        ),
        "panel": new_output(
            "display_data",
            data={
                build_html.WIDGET_VIEW: VIEW,
                "image/png": PNG,
                "text/plain": "ChannelFilter widget. (This figure is interactive ...)",
            },
        ),
        "canvas": new_output(
            "display_data",
            data={
                build_html.WIDGET_VIEW: VIEW,
                "image/png": PNG,
                "text/html": "<div>Figure 1</div><img src='x'>",
                "text/plain": "Canvas(toolbar=Toolbar(...))",
            },
        ),
        "slider": new_output(
            "execute_result",
            data={build_html.WIDGET_VIEW: VIEW, "text/plain": "IntSlider(value=3)"},
            execution_count=3,
        ),
        "inline": new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        "progress": new_output(
            "display_data",
            data={build_html.WIDGET_VIEW: {**VIEW, "model_id": "bar"}, "text/plain": "  0%|"},
        ),
    }
    cells = [new_markdown_cell("# A title\n\nNext: [02](02_depthwise.ipynb)")]
    for output in outputs.values():
        cell = new_code_cell("x")
        cell.outputs = [output]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    models = {
        "any": {"model_name": "AnyModel", "state": {"_esm": "export default {}", "values": {}}},
        "abc": {"model_name": "IntSliderModel", "state": {"value": 5, "description": "k"}},
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_t", "IPY_MODEL_p"]}},
        "t": {"model_name": "HTMLModel", "state": {"value": "epochs: 100%"}},
        "p": {"model_name": "FloatProgressModel", "state": {"value": 3.0, "max": 3.0}},
    }
    nb.metadata["widgets"] = {build_html.WIDGET_STATE: {"state": models}}
    return nb


def test_widget_outputs_become_live_widgets_pictures_or_notes():
    """An anywidget becomes a live placeholder (PNG inside); others a picture or a note."""
    nb = _notebook()
    counts = build_html.make_live(nb, "https://mybinder.org/x")
    assert (counts["pictures"], counts["live"], counts["controls"]) == (3, 1, 2)
    live, panel, canvas, slider, inline, progress = (c.outputs[0]["data"] for c in nb.cells[1:])
    for data in (live, panel, canvas, slider, progress):
        assert build_html.WIDGET_VIEW not in data
    assert 'data-ct-model="any"' in live["text/html"]
    assert f"data:image/png;base64,{PNG}" in live["text/html"]
    assert "needs JavaScript to move its sliders" in live["text/html"]
    assert 'href="https://mybinder.org/x"' in live["text/html"]
    assert list(counts["state"]["state"]) == ["any"], "only live widgets are kept"
    assert "<img" in panel["text/html"] and "data-ct-model" not in panel["text/html"]
    assert "<img" in canvas["text/html"] and "Figure 1" not in canvas["text/html"]
    assert "IntSlider" in slider["text/html"] and "<img" not in slider["text/html"]
    assert "Its last value: k: <code>5</code>" in slider["text/html"]
    assert progress["text/html"] == (
        '<div class="static-progress">epochs: 100% '
        '<progress value="3.0" max="3.0"></progress></div>'
    )
    assert inline == {"image/png": PNG, "text/plain": "<Figure>"}
    assert "widgets" not in nb.metadata


def _png(width: int, height: int) -> bytes:
    """A real PNG file of ``width`` x ``height`` grey pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


def test_figures_become_lazy_files_with_their_size_and_alt_text(tmp_path):
    """In the edition, an ordinary figure (a PNG output) is a file in figures/, shown by a
    lazy <img> sized before it loads, with the alt text of its output, else of its cell."""
    png = _png(30, 20)
    b64 = base64.b64encode(png).decode()
    outputs = [
        new_output("display_data", data={"image/png": b64, "text/plain": "<Figure>"}),
        new_output(
            "display_data",
            data={"image/png": b64, "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": "from the output", "width": 15}},
        ),
    ]
    cells = [new_code_cell("x", metadata={"alt": "Two bars <and> a line"}), new_code_cell("y")]
    cells[0].outputs, cells[1].outputs = [outputs[0]], [outputs[1]]
    cells.append(new_code_cell("z"))
    cells[2].outputs = [new_output("display_data", data={"image/png": b64, "text/plain": "f"})]
    nb = new_notebook(cells=cells)
    counts = build_html.make_live(nb, None, (tmp_path, "09_page"))
    assert counts["pictures"] == 3
    shown = [c.outputs[0]["data"]["text/html"] for c in nb.cells]
    assert shown[0] == (
        '<img src="figures/09_page-1.png" alt="Two bars &lt;and&gt; a line" width="30" '
        'height="20" loading="lazy" decoding="async">'
    )
    assert 'src="figures/09_page-2.png" alt="from the output" width="15" height="10"' in shown[1]
    assert f'alt="{build_html.NO_ALT}"' in shown[2]
    for n in (1, 2, 3):
        assert (tmp_path / "figures" / f"09_page-{n}.png").read_bytes() == png
    assert all("data:image" not in h and "image/png" not in c.outputs[0]["data"]
               for h, c in zip(shown, nb.cells, strict=True))  # fmt: skip
    assert build_html.png_size(png) == (30, 20)
    with pytest.raises(ValueError, match="expected the bytes of a PNG file"):
        build_html.png_size(b"GIF89a" + bytes(30))


def test_live_fallbacks_go_to_files_that_only_a_page_without_script_loads(tmp_path):
    """In the edition, a live widget's PNG is a file in fallback/, inside <noscript>."""
    nb = _notebook()
    inline = nb.cells[5].outputs[0]
    assert inline["data"]["text/plain"] == "<Figure>"
    inline["data"]["image/png"] = base64.b64encode(_png(4, 3)).decode()
    counts = build_html.make_live(nb, None, (tmp_path, "09_page"))
    assert counts["live"] == 1
    live = nb.cells[1].outputs[0]["data"]["text/html"]
    assert "data:image/png" not in live
    assert re.fullmatch(
        r'<div class="ct-live" data-ct-model="any"><noscript><figure class="static-widget">'
        r'<img src="fallback/09_page-1\.png" alt="PointwiseMixer">.*</figure></noscript></div>',
        live,
    )
    assert (tmp_path / "fallback" / "09_page-1.png").read_bytes() == base64.b64decode(PNG)
    panel = nb.cells[2].outputs[0]["data"]["text/html"]  # not live: its picture stays inline
    assert f"data:image/png;base64,{PNG}" in panel
    figure = inline["data"]["text/html"]  # an ordinary figure: a file, loaded lazily
    assert figure.startswith('<img src="figures/09_page-1.png"') and 'loading="lazy"' in figure


def test_saved_state_is_packed_once_per_buffer_and_unpacks_to_jupyters():
    """Two widgets on one photo carry it once; deflated buffers come back byte for byte."""
    from convtutor.widgets import ChannelFilter, Stacking
    from convtutor.widgets._standalone import packed, saved_state, state_script, unpacked

    widgets = ChannelFilter(), Stacking()
    saved = saved_state(*widgets)
    document = packed(saved)
    photos = [
        b["pool"]
        for w in widgets
        for b in document["state"][w.model_id]["buffers"]
        if b["path"][-1] == "photo"
    ]
    assert len(photos) == 2 and photos[0] == photos[1], "one photo for both widgets"
    raw = {bytes(w._arrays[k]) for w in widgets for k in w._arrays}
    assert len(document["convtutor_pool"]) == len(raw)
    assert {p["compression"] for p in document["convtutor_pool"]} <= {"deflate", None}
    assert unpacked(document) == saved
    # The maps the page computes are not shipped at all.
    for w in widgets:
        shipped = {b["path"][-1] for b in saved["state"][w.model_id]["buffers"]}
        assert shipped.isdisjoint(w.meta["derived"]) and w.meta["derived"]
    script = state_script(saved)
    assert (
        len(script)
        < 0.2 * sum(len(b["data"]) for e in saved["state"].values() for b in e["buffers"]) + 200_000
    )


def test_page_carries_the_state_and_runtime_and_links_to_pages():
    """The page holds the live widget's state and the runtime; links go to pages."""
    nb = _notebook()
    counts = build_html.make_live(nb)
    page = build_html.to_html(nb, "A title", counts["state"])
    assert len(re.findall(r"<img\b", page)) == 4  # 3 pictures + the live widget's fallback
    assert build_html.WIDGET_VIEW not in page
    assert '<script type="application/vnd.jupyter.widget-state+json">' in page
    assert "renderAll();" in page
    assert "on Binder (see the README)" in page
    assert 'href="02_depthwise.html"' in page and "02_depthwise.ipynb" not in page


def test_reading_order_follows_the_number_prefix(tmp_path):
    """Notebooks are built 00, 01, 02 ...; a subset can be named by number or stem."""
    for stem in ["02_c", "00_a", "01_b", "notes"]:
        nbformat.write(new_notebook(), tmp_path / f"{stem}.ipynb")
    assert [p.stem for p in build_html.reading_order(None, tmp_path)] == ["00_a", "01_b", "02_c"]
    assert [p.stem for p in build_html.reading_order(["02", "00_a"], tmp_path)] == ["00_a", "02_c"]
    with pytest.raises(SystemExit, match="no notebook named '09'"):
        build_html.reading_order(["09"], tmp_path)


def _picture_outputs(nb, widgets: bool = True) -> int:
    """Outputs a reader should see as a picture: anything that carries a PNG or SVG
    (``widgets=False``: only the ordinary figures, not the widgets' pictures)."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("display_data", "execute_result")
        and ({"image/png", "image/svg+xml"} & set(out.get("data", {})))
        and (widgets or build_html.WIDGET_VIEW not in out.get("data", {}))
    )


def _live_widget_outputs(nb) -> int:
    """Outputs of convtutor widgets: the ones the page must render live."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if build_html.WIDGET_VIEW in out.get("data", {})
        and "widget. (This figure is interactive" in str(out["data"].get("text/plain", ""))
    )


#: What a school network can carry: a page (its HTML, and its widgets' fallback pictures),
#: and the whole edition, MathJax included.
PAGE_LIMIT, EDITION_LIMIT = 1_500_000, 10_000_000

#: Where a page may point at the internet: links a reader can follow, never a resource.
EXTERNAL_RESOURCE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*(?:src|href)=["']https?:""")


@pytest.mark.notebook
@pytest.mark.timeout(1800)
def test_static_edition_has_every_figure_live_widgets_and_no_traceback(static_edition):
    """Each page: all figures as <img>, every convtutor widget live, no traceback, no CDN."""
    out, pages = static_edition
    notebooks = build_html.reading_order()
    assert [p["name"] for p in pages] == [p.stem for p in notebooks]
    failures = {p["name"]: p["error"] for p in pages if p["error"]}
    assert not failures, f"notebooks failed while building the HTML edition: {failures}"
    for page in pages:
        html = (out / page["html"]).read_text(encoding="utf-8")
        executed = nbformat.read(build_html.execute_notebooks.EXECUTED / f"{page['name']}.ipynb", 4)
        expected = _picture_outputs(executed)
        images = len(re.findall(r"<img\b", html))
        assert images >= expected, f"{page['name']}: {images} <img> for {expected} figures"
        live = _live_widget_outputs(executed)
        assert page["live"] == live, f"{page['name']}: {page['live']} live of {live} widgets"
        assert html.count('class="ct-live" data-ct-model=') == live
        if live:
            assert "renderAll();" in html
        assert build_html.TRACEBACK_MARK not in html, f"{page['name']} shows a traceback"
        assert build_html.WIDGET_VIEW not in html, f"{page['name']} has an empty widget box"
        assert not EXTERNAL_RESOURCE.findall(html), f"{page['name']} loads from the internet"
        assert '<script defer src="mathjax/MathJax.js' in html
        # A school network can carry it: every page, with the files only it uses.
        own = [
            *(out / "fallback").glob(f"{page['name']}-*"),
            *(out / "figures").glob(f"{page['name']}-*"),
        ]
        size = (out / page["html"]).stat().st_size + sum(f.stat().st_size for f in own)
        assert size <= PAGE_LIMIT, f"{page['name']}: {size:,} bytes"
        # Its figures are files next to it, loaded lazily, each with the alt text its
        # lesson gives (the cell's ``alt``), none with a stand-in.
        figures = re.findall(r"<img\b[^>]*\bsrc=\"figures/[^>]*>", html)
        plain = _picture_outputs(executed, widgets=False)
        assert len(figures) == plain, f"{page['name']}: {len(figures)} files of {plain} figures"
        for img in figures:
            assert 'loading="lazy"' in img, img
            assert re.search(r'\bwidth="\d+"', img) and re.search(r'\bheight="\d+"', img), img
            alt = re.search(r'\balt="([^"]+)"', img)
            assert alt and alt[1] != build_html.NO_ALT, f"{page['name']}: {img[:80]} has no alt"
            assert (out / re.search(r'src="([^"]+)"', img)[1]).is_file()
        assert "data:image/png" not in html and "No description has been provided" not in html
        for sheet in re.findall(r'<link rel="stylesheet" href="([^"]+)">', html):
            assert (out / sheet).is_file(), f"{page['name']}: {sheet} is missing"
    assert (out / "mathjax" / "MathJax.js").exists()
    config = (out / "mathjax" / "config" / "local" / "convtutor.js").read_text()
    assert "url('about:blank')" not in config and "local('MathJax_Blank')" in config
    assert build_html.folder_size(out) <= EDITION_LIMIT, f"{build_html.folder_size(out):,} bytes"
    assert build_html.folder_size(out / "mathjax") <= 3_000_000
    index = (out / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{p["html"]}"') for p in pages]
    assert positions == sorted(positions), "index.html lists the notebooks out of order"


def test_building_one_notebook_keeps_the_others_in_the_index(tmp_path):
    """Rebuilding a subset updates its pages and keeps earlier pages listed, in reading order."""
    folder, out = tmp_path / "nb", tmp_path / "html"
    folder.mkdir()
    for stem in ["00_first", "01_second"]:
        nb = new_notebook(cells=[new_markdown_cell(f"# Title {stem}"), new_code_cell("1 + 1")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, folder / f"{stem}.ipynb")
    executed = tmp_path / "executed"
    build_html.build(["01"], out, jobs=1, folder=folder, executed=executed)
    build_html.build(["00"], out, jobs=1, folder=folder, executed=executed)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index('href="00_first.html"') < index.index('href="01_second.html"')
    assert "Title 01_second" in index and "failed" not in index.split("<ul>")[1]
