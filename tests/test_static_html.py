"""The static HTML edition (``make html``, scripts/build_html.py).

The fast tests check the output rewriting on hand-made notebooks. The slow one
executes every notebook (with CONVTUTOR_QUICK=1), builds the edition into a
temporary folder and checks each page: all its figures are there as pictures,
and no traceback.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build_html", ROOT / "scripts" / "build_html.py")
build_html = importlib.util.module_from_spec(_spec)
sys.modules["build_html"] = build_html  # the worker processes find build_one by this name
_spec.loader.exec_module(build_html)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a png").decode()
VIEW = {"version_major": 2, "version_minor": 0, "model_id": "abc"}


def _notebook():
    """A notebook with one output of each kind the rewriting has to handle."""
    outputs = {
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
        "abc": {"model_name": "IntSliderModel", "state": {"value": 5, "description": "k"}},
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_t", "IPY_MODEL_p"]}},
        "t": {"model_name": "HTMLModel", "state": {"value": "epochs: 100%"}},
        "p": {"model_name": "FloatProgressModel", "state": {"value": 3.0, "max": 3.0}},
    }
    nb.metadata["widgets"] = {build_html.WIDGET_STATE: {"state": models}}
    return nb


def test_widget_outputs_become_pictures_with_a_note():
    """Widget views are replaced by their PNG; convtutor widgets get the 'live' note."""
    nb = _notebook()
    pictures, controls = build_html.make_static(nb, "https://mybinder.org/x")
    assert (pictures, controls) == (3, 2)
    panel, canvas, slider, inline, progress = (c.outputs[0]["data"] for c in nb.cells[1:])
    for data in (panel, canvas, slider, progress):
        assert build_html.WIDGET_VIEW not in data
    assert f"data:image/png;base64,{PNG}" in panel["text/html"]
    assert "Its sliders work when the notebook runs in Jupyter" in panel["text/html"]
    assert 'href="https://mybinder.org/x"' in panel["text/html"]
    assert "<img" in canvas["text/html"] and "sliders work" not in canvas["text/html"]
    assert "Figure 1" not in canvas["text/html"]
    assert "IntSlider" in slider["text/html"] and "<img" not in slider["text/html"]
    assert "Its last value: k: <code>5</code>" in slider["text/html"]
    assert progress["text/html"] == (
        '<div class="static-progress">epochs: 100% '
        '<progress value="3.0" max="3.0"></progress></div>'
    )
    assert inline == {"image/png": PNG, "text/plain": "<Figure>"}
    assert "widgets" not in nb.metadata


def test_page_shows_every_picture_and_links_to_pages_not_notebooks():
    """The exported page has one <img> per picture output and no empty widget placeholder."""
    nb = _notebook()
    pictures, _ = build_html.make_static(nb)
    page = build_html.to_html(nb, "A title")
    assert len(re.findall(r"<img\b", page)) == pictures == 3
    assert build_html.WIDGET_VIEW not in page
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


def _picture_outputs(nb) -> int:
    """Outputs a reader should see as a picture: anything that carries a PNG or SVG."""
    return sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") in ("display_data", "execute_result")
        and ({"image/png", "image/svg+xml"} & set(out.get("data", {})))
    )


@pytest.mark.notebook
@pytest.mark.timeout(1800)
def test_static_edition_has_every_figure_and_no_traceback(tmp_path):
    """`make html` (quick mode): each page has all its figures as <img>, and no traceback."""
    notebooks = build_html.reading_order()
    assert notebooks, "no notebooks in notebooks/ to build"
    pages = build_html.build(out=tmp_path, quick=True, jobs=2)
    assert [p["name"] for p in pages] == [p.stem for p in notebooks]
    failures = {p["name"]: p["error"] for p in pages if p["error"]}
    assert not failures, f"notebooks failed while building the HTML edition: {failures}"
    for page in pages:
        html = (tmp_path / page["html"]).read_text(encoding="utf-8")
        executed = nbformat.read(tmp_path / "executed" / f"{page['name']}.ipynb", as_version=4)
        expected = _picture_outputs(executed)
        images = len(re.findall(r"<img\b", html))
        assert images >= expected, f"{page['name']}: {images} <img> for {expected} figures"
        assert build_html.TRACEBACK_MARK not in html, f"{page['name']} shows a traceback"
        assert build_html.WIDGET_VIEW not in html, f"{page['name']} has an empty widget box"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
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
    build_html.build(["01"], out, jobs=1, folder=folder)
    build_html.build(["00"], out, jobs=1, folder=folder)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index('href="00_first.html"') < index.index('href="01_second.html"')
    assert "Title 01_second" in index and "failed" not in index.split("<ul>")[1]
