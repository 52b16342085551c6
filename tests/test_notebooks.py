"""Every notebook in notebooks/: clean in git, runs top to bottom without an error or a
warning, and follows the lesson skeleton (CONTRIBUTING.md) with working links."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from convtutor.widgets import ALL
from tests.support.notebooks import SEQUENCE

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|href=\"([^\"]+)\"")
CHECK_IMPORT = re.compile(
    r"^[ \t]*from\s+convtutor\.checks(?:\.(\w+))?\s+import\s+(\([^)]*\)|[^\n#]+)", re.M
)


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _markdown(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _relative_links(text: str) -> list[str]:
    """Link targets in markdown/HTML that point into the repository (no URL, no bare anchor)."""
    targets = []
    for match in LINK.finditer(text):
        target = match.group(1) or match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http:, https:, mailto:, data: ... or an anchor in the same page
        targets.append(target.split("#", 1)[0])
    return targets


def _check_calls(code: str) -> int:
    """How many calls go to the exercise checks (``convtutor.checks``), under any alias."""
    modules, functions = set(), set()
    for match in CHECK_IMPORT.finditer(code):
        listed = re.sub(r"#[^\n]*", "", match.group(2)).strip("() \n")
        names = [n.split(" as ")[-1].strip() for n in listed.split(",") if n.strip()]
        # from convtutor.checks import standard as check -> a module alias;
        # from convtutor.checks.standard import parameter_count -> a function.
        (functions if match.group(1) else modules).update(names)
    calls = 0
    for name in modules:
        calls += len(re.findall(rf"\b{re.escape(name)}\.\w+\s*\(", code))
    for name in functions:
        calls += len(re.findall(rf"(?<![.\w]){re.escape(name)}\s*\(", code))
    return calls


def _number(path_or_name) -> int:
    return int(Path(str(path_or_name)).name[:2])


def test_sequence_is_complete():
    """Every notebook of the sequence exists, and no notebook outside it."""
    assert [p.stem for p in NOTEBOOKS] == SEQUENCE


# ---- (1) clean in git ----------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    """No code cell carries outputs or an execution count (make notebooks rebuilds them)."""
    nb = _read(path)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts"


# ---- (2) runs top to bottom ------------------------------------------------------------
def _output_texts(output) -> list[str]:
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return [f"{output.ename}: {output.evalue}"]
    data = output.get("data", {})
    return [
        value if isinstance(value, str) else "".join(value)
        for key, value in data.items()
        if key.startswith("text/")
    ]


def _problems(nb) -> list[str]:
    """Errors, stderr output and anything that says 'Warning', with the cell it came from."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            where = f"cell {i} ({cell.source.splitlines()[0][:60] if cell.source else ''!r})"
            if output.output_type == "error":
                found.append(f"{where}: error {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"{where}: stderr: {output.text[:500]}")
            for text in _output_texts(output):
                if "Warning" in text:
                    found.append(f"{where}: a warning in the output: {text[:500]}")
    return found


@pytest.mark.notebook
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_without_error_or_warning(path, executed_notebooks):
    """The notebook ran top to bottom in a fresh python3 kernel with no error and no warning.

    The run is shared with the static edition and the browser tests (executed once per
    test run, quick settings; see scripts/execute_notebooks.py).
    """
    record = executed_notebooks[path.stem]
    if record["error"]:
        pytest.fail(f"{path.name} raised an error:\n{record['error']}")
    problems = _problems(_read(Path(record["path"])))
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# ---- (3) the skeleton ------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_skeleton(path):
    """Title, 'You will learn', prerequisites, one imports cell, Key points, >= 3 exercises."""
    nb = _read(path)
    markdown = _markdown(nb)
    text = "\n".join(markdown)
    assert nb.cells and nb.cells[0].cell_type == "markdown", "the first cell is the title"
    assert nb.cells[0].source.lstrip().startswith("# "), "the first cell starts with '# Title'"
    assert re.search(r"you will learn", text, re.I), "no 'You will learn' cell"
    assert re.search(r"prerequisite", text, re.I), "no prerequisites line"
    assert re.search(r"key points", text, re.I), "no 'Key points' cell"

    # the generated install cell (scripts/sync_notebooks.py, tests/test_binder.py) aside
    code = [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "code" and "install" not in cell.metadata.get("tags", [])
    ]
    assert code and code[0].lstrip().startswith("%matplotlib inline"), (
        "the imports cell (the first code cell) starts with %matplotlib inline"
    )

    solutions = [m for m in markdown if "<details" in m and re.search(r"solution", m, re.I)]
    assert len(solutions) >= 3, f"{len(solutions)} folded solutions; at least 3 exercises needed"
    checks = _check_calls("\n".join(code))
    assert checks >= 3, f"{checks} calls to convtutor.checks; every exercise needs one"


WIDGET_CLASSES = tuple(cls.__name__ for cls in ALL.values())  # every widget of the suite
BUILDS_WIDGET = re.compile(rf"(?<![\w.])(?:{'|'.join(WIDGET_CLASSES)})\s*\(")


def _uncaptioned_widgets(cells) -> list[str]:
    """Cells that build a suite widget with no 'try' in the markdown cell above or below."""
    missing = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or not BUILDS_WIDGET.search(cell.source):
            continue
        neighbours = [cells[j] for j in (i - 1, i + 1) if 0 <= j < len(cells)]
        if not any(
            n.cell_type == "markdown" and re.search(r"\btry\b", n.source, re.I) for n in neighbours
        ):
            missing.append(f"cell {i}: {cell.source.strip().splitlines()[0][:60]!r}")
    return missing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_widget_has_a_caption(path):
    """Each cell that builds a suite widget has a markdown cell next to it saying what to try."""
    missing = _uncaptioned_widgets(_read(path).cells)
    assert not missing, f"{path.name}: widgets without a 'Try ...' caption next to them: {missing}"


def test_caption_finder():
    """A widget cell with a 'Try' line beside it passes; one without, or a bare import, as said."""
    new = nbformat.v4
    imports = new.new_code_cell("from convtutor.widgets import ChannelFilter")
    build = new.new_code_cell("w = ChannelFilter()\nw.widget")
    caption = new.new_markdown_cell("**Try it.** Move the channel slider.")
    other = new.new_markdown_cell("Some prose.")
    assert _uncaptioned_widgets([imports, caption, build]) == []
    assert _uncaptioned_widgets([imports, build, caption]) == []
    assert len(_uncaptioned_widgets([imports, other, build, other])) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_previous_next_links(path):
    """The last cell links to the previous notebook and the next one (00: next only)."""
    nb = _read(path)
    last = nb.cells[-1]
    assert last.cell_type == "markdown", "the last cell holds the previous/next links"
    numbers = {_number(t) for t in _relative_links(last.source) if re.match(r"\d\d_", Path(t).name)}
    position = _number(path)
    first, final = _number(SEQUENCE[0]), _number(SEQUENCE[-1])
    if position > first:
        assert position - 1 in numbers, "no link to the previous notebook"
    if position < final:
        assert position + 1 in numbers, "no link to the next notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_relative_links_exist(path):
    """Every relative link in the notebook's text points to a file that exists."""
    nb = _read(path)
    broken = [
        target
        for source in _markdown(nb)
        for target in _relative_links(source)
        if not (path.parent / target).exists()
    ]
    assert not broken, f"{path.name} links to missing files: {broken}"


def test_link_finder_finds_links():
    """The link finder sees markdown and HTML links and skips URLs and anchors."""
    text = (
        "[next](01_standard_convolution.ipynb) [a](<02_depthwise.ipynb#top>) "
        '[web](https://example.org) [here](#key-points) <a href="../README.md">r</a>'
    )
    assert _relative_links(text) == [
        "01_standard_convolution.ipynb",
        "02_depthwise.ipynb",
        "../README.md",
    ]


def test_check_call_counter_follows_aliases():
    """Calls to convtutor.checks count under any alias; other calls and the import do not."""
    code = (
        "from convtutor.checks import standard as check, sobel\n"
        "from convtutor.checks.depthwise import torch_weight_shape\n"
        "check.parameter_count(1)\nsobel.rank(2)\ntorch_weight_shape((1,))\n"
        "np.sum(x)\nmy_check.foo(1)\n"
    )
    assert _check_calls(code) == 3


def test_problem_finder_flags_warnings_and_stderr():
    """An output with stderr text or the word 'Warning' counts as a problem; clean output not."""
    nb = nbformat.v4.new_notebook()
    clean = nbformat.v4.new_code_cell("print(1)")
    clean.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    noisy = nbformat.v4.new_code_cell("import warnings")
    noisy.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="oops\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "UserWarning: careful"}),
    ]
    nb.cells = [clean]
    assert _problems(nb) == []
    nb.cells = [clean, noisy]
    assert len(_problems(nb)) == 2  # the stderr stream, and the text with 'Warning' in it
