"""The instructor's guide states only what the notebooks show.

* Every number in ``docs/instructor_guide.md`` is printed by a notebook (in the text
  outputs of the shared executed run), or is a count this file computes (the exit
  ticket's answers, the Python floor of ``pyproject.toml``), or is one of a few numbers
  about the setting, listed in :data:`SETTING` with the reason each is there.
* A number is looked for in the notebooks the guide's line names (``01``,
  ``02_depthwise``...), else in those its section heading names, else in all of them.
  Numbers of one digit are found almost anywhere, so for them the check says little;
  it bites on the counts, ratios and decimals (``9,800``, ``0.070``, ``52.3``), the
  numbers that can drift.
* Every ``§N`` the guide points to is a numbered section of that notebook; the
  50-minute plan runs without a gap from 0 to 50 over notebooks 00-05, covers 01-05,
  and sets 06, 07 and the output-size section as homework.
* What the guide says about how the notebooks are built holds: the first widget of
  00-05 comes after at most 250 words of prose, every widget has a "Predict first"
  line above it, and verification cells are tagged ``verify`` and folded.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

import convtutor as ct
from convtutor.widgets import ALL

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor_guide.md"
NOTEBOOKS = ROOT / "notebooks"
LESSONS = ["00", "01", "02", "03", "04", "05"]  # the notebooks taught in class

#: Numbers about the setting rather than about convolution: section -> {number: reason}.
SETTING = {
    "Instructor's guide": {"50": "the session's length (the plan's rows end at 50)"},
    "`CostCalculator` (04) — parameters and multiply-adds": {
        "2017": "the year of the MobileNet paper cited (Howard et al. 2017)"
    },
    "Before the class (15 minutes, the day before)": {
        "15": "the time the preparation takes, an estimate for the instructor",
        "125": "a browser zoom for a projector (a suggestion, not a result)",
        "150": "a browser zoom for a projector (a suggestion, not a result)",
    },
    "The 50-minute lesson plan": {
        "50": "the session's length; test_plan_covers_01_to_05 checks the rows end at 50",
        "90": "a longer session an instructor may have",
        "3": "minutes per exercise in the 90-minute variant",
    },
    "Troubleshooting": {
        "1": "mybinder.org's memory per session (1-2 GB), its published limit",
        "2": "mybinder.org's memory per session (1-2 GB), its published limit",
        "10": "mybinder.org's idle time-out in minutes, its published limit",
        "100": "mybinder.org's limit of users per repository, its published limit",
    },
    "Running it for a whole class": {
        "100": "mybinder.org's limit of users per repository, its published limit",
    },
    "Licence": {"4.0": "the licence's name, CC BY 4.0"},
    # Measured by benchmarks/bench_kernels.py and bench_class.py (benchmarks/REPORT.md),
    # not printed by a notebook.
    "How big a server": {
        "2": "the benchmark machine's cores; run all costs 2-4 CPU-seconds (bench_kernels)",
        "4": "run all costs 2-4 CPU-seconds per kernel (bench_kernels)",
        "0.5": "kernel CPU to the first widget, about 0.5 s (bench_kernels)",
        "200": "kernel USS after run-all, 200-280 MB (bench_kernels)",
        "280": "kernel USS after run-all, 200-280 MB (bench_kernels)",
        "70": "kernel USS before PyTorch, 70-120 MB (bench_kernels)",
        "120": "USS before PyTorch 70-120 MB; 60-120 CPU-s for thirty students (2-4 each)",
        "45": "an idle single-user server's USS, about 45 MB (measured once)",
        "0.25": "shared libraries: peak RSS 530 MB less about 300 MB own (bench_class)",
        "530": "peak RSS of a student's server and kernel (bench_class)",
        "300": "a student's own memory, kernel USS + server (bench_kernels)",
        "3": "students per GB, from about 300 MB each",
        "60": "thirty students x 2-4 CPU-seconds",
        "30": "the class of the benchmark (N = 30), seconds to the widgets, minutes idle",
        "15": "students per core: N = 30 on 2 cores within the 30 s target (bench_class)",
        "13": "p95 seconds to a lesson's first widget, N = 30, after (bench_class)",
        "12": "p95 seconds to 02's first widget, N = 30, after (bench_class)",
        "52.7": "p95 seconds to a lesson's first widget, N = 30, before (bench_class)",
        "39.9": "p95 seconds to 02's first widget, N = 30, before (bench_class)",
        "67": "p50 seconds for thirty servers starting together (bench_class)",
        "24": "CPU-seconds of one student's server and six lessons (bench_class, N = 1)",
        "0.013": "kernel CPU per slider update x 10 updates/s (bench_kernels, one run)",
        "0.019": "kernel CPU per slider update x 10 updates/s (bench_kernels, another run)",
        "50": "students dragging per core, from about 0.02 of a core each",
        "350": "a memory guarantee above a student's own ~300 MB (advice)",
        "1": "a memory limit of 1G, room for a second open lesson (advice)",
    },
}

#: A heading line; an ordered-list marker; a notebook named in the text.
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
LIST_MARKER = re.compile(r"^\s*\d+\.\s")
NOTEBOOK_NAME = re.compile(r"\b(0[0-7])_[a-z_]+\b")
NOTEBOOK_NUMBER = re.compile(r"(?<![\w.,])(0[0-7])(?![\w.,]*\d)")
SECTION_REF = re.compile(r"§(\d+)(?:[–-](\d+))?")
PLAN_ROW = re.compile(r"^\|\s*(\d+)[–-](\d+)\s*\|([^|]*)\|", re.M)
NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")


def _normal(token: str) -> str:
    return token.replace(",", "")


def numbers_in(text: str) -> list[str]:
    """The numbers in ``text`` as written, thousands separators dropped (``9,800`` -> ``9800``)."""
    return [_normal(m.group(0)) for m in NUMBER.finditer(text.replace("{,}", ","))]


def guide_numbers(text: str) -> list[dict]:
    """Each number of the guide with its section, line and the notebooks in scope.

    Notebook names and numbers (``01``, ``02_depthwise``), section references (``§4``),
    ordered-list markers and the minutes column of the plan are references, not claims:
    they are taken out before the numbers are read (and checked by their own tests).
    """
    found, section, heading_books = [], "", []
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            section = heading.group(2).strip()
            heading_books = sorted(set(NOTEBOOK_NAME.findall(line) + NOTEBOOK_NUMBER.findall(line)))
        rest = re.sub(r"\]\([^)]*\)", "]", line)  # link targets: URLs and anchors
        rest = LIST_MARKER.sub("", rest)
        row = PLAN_ROW.match(rest)
        if row:
            rest = rest[row.end(2) :]
        books = NOTEBOOK_NAME.findall(rest)
        rest = NOTEBOOK_NAME.sub(" ", rest)
        books += NOTEBOOK_NUMBER.findall(rest)
        rest = NOTEBOOK_NUMBER.sub(" ", rest)
        rest = SECTION_REF.sub(" ", rest)
        if heading:
            rest = rest[len(heading.group(1)) :]
        scope = sorted(set(books)) or heading_books or None
        for number in numbers_in(rest):
            found.append({"number": number, "section": section, "line": line, "scope": scope})
    return found


def output_numbers(nb) -> set[str]:
    """Every number in a notebook's text outputs (streams and plain-text results)."""
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            elif "text/plain" in output.get("data", {}):
                texts.append(output["data"]["text/plain"])
    return set(numbers_in("\n".join(texts)))


def computed_numbers() -> dict[str, set[str]]:
    """Section -> the numbers this test computes itself, from convtutor and pyproject.toml."""
    standard = ct.conv_cost("standard", 32, 64, 3).params
    separable = ct.conv_cost("separable", 32, 64, 3).params
    assert separable == 32 * 9 + 32 * 64
    laplacian_rank = ct.kernel_rank(ct.kernels.LAPLACIAN)
    ticket = {32, 64, 3, 9, standard, separable, laplacian_rank}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    python_floor = re.search(r'^requires-python\s*=\s*">=\s*([\d.]+)"', pyproject, re.M).group(1)
    return {
        "Exit ticket (three questions, one minute each)": {str(n) for n in ticket},
        "Running it for a whole class": {python_floor},
    }


def unexplained(found: list[dict], printed: dict[str, set[str]], computed, setting) -> list:
    """The guide's numbers that no notebook in scope prints and nothing else accounts for."""
    missing = []
    for item in found:
        number, section = item["number"], item["section"]
        if number in setting.get(section, {}) or number in computed.get(section, set()):
            continue
        scope = item["scope"] or sorted(printed)
        if not any(number in printed.get(book, set()) for book in scope):
            missing.append(f"{number!r} in [{section}] (looked in {scope}): {item['line'][:120]}")
    return missing


def _printed(executed_notebooks) -> dict[str, set[str]]:
    printed = {}
    for name, record in executed_notebooks.items():
        printed[name[:2]] = output_numbers(nbformat.read(record["path"], as_version=4))
    return printed


# ---- every number ------------------------------------------------------------------------
@pytest.mark.notebook
def test_every_guide_number_is_printed_by_a_notebook_or_justified(executed_notebooks):
    """Each number of the guide is in the outputs of a notebook it names, or accounted for."""
    failed = {n: r["error"] for n, r in executed_notebooks.items() if r["error"]}
    needed = {f"{n}_" for n in LESSONS}
    broken = {n: e for n, e in failed.items() if n[:3] in needed}
    assert not broken, f"notebooks the guide quotes did not run: {sorted(broken)}"
    found = guide_numbers(GUIDE.read_text(encoding="utf-8"))
    assert len(found) > 100, "the extractor found too few numbers: is the guide parsed?"
    missing = unexplained(found, _printed(executed_notebooks), computed_numbers(), SETTING)
    assert not missing, "numbers in the guide that no notebook prints:\n" + "\n".join(missing)


def test_the_check_catches_a_number_no_notebook_prints():
    """The old guide's '34x faster' and Sobel's '6 free' numbers are flagged; printed ones not."""
    text = (
        "## The widgets\n### `SobelSeparability` (05)\n- 9 numbers, but only 6 are free.\n"
        "### Misconceptions\n| a | 04 → 07 | 34× faster for 512 channels at 14×14 |\n"
    )
    printed = {"04": {"512", "14", "9"}, "05": {"9", "5"}, "07": {"2.7"}}
    missing = unexplained(guide_numbers(text), printed, {}, {})
    assert [m.split()[0] for m in missing] == ["'6'", "'34'"]


def test_numbers_are_read_as_written():
    """Separators, LaTeX thousands, decimals and percentages; references are not numbers."""
    assert numbers_in("9,800 and $9{,}800$, 0.070, 87.3 %, 462 M, 7×7") == [
        "9800",
        "9800",
        "0.070",
        "87.3",
        "462",
        "7",
        "7",
    ]
    [item] = guide_numbers("| 5–7 | `01` §1 | the output is 4 |")
    assert item["number"] == "4" and item["scope"] == ["01"]
    items = guide_numbers("## Plan\n1. Open `00_start_here`: 02–05 and 06, 07 are refs; 27")
    assert [i["number"] for i in items] == ["27"] and items[0]["scope"] == [
        "00",
        "02",
        "05",
        "06",
        "07",
    ]


def test_exit_ticket_answers_are_computed():
    """The exit ticket's answers: 18,432 standard, 2,336 separable weights; the Laplacian rank 2."""
    ticket = computed_numbers()["Exit ticket (three questions, one minute each)"]
    assert {"18432", "2336", "2"} <= ticket
    text = GUIDE.read_text(encoding="utf-8")
    assert "(18,432; 32·9 + 32·64 = 2,336.)" in text and "the Laplacian has rank 2" in text


# ---- references, and the plan --------------------------------------------------------------
def _sections(book: str) -> set[int]:
    source = next(NOTEBOOKS.glob(f"{book}_*.md")).read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^## (\d+)\.", source, re.M)}


def test_every_section_reference_exists():
    """Each '§N' (or '§N–M') of the guide is a numbered section of the notebook it names."""
    checked = 0
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        books = set(NOTEBOOK_NAME.findall(line)) | set(NOTEBOOK_NUMBER.findall(line))
        for match in SECTION_REF.finditer(line):
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            assert len(books) == 1, f"'§{first}' without exactly one notebook: {line}"
            (book,) = books
            missing = set(range(first, last + 1)) - _sections(book)
            assert not missing, f"{book} has no section {sorted(missing)}: {line}"
            checked += 1
    assert checked >= 20


def _plan(text: str) -> list[tuple[int, int, str]]:
    body = text.split("## The 50-minute lesson plan", 1)[1].split("\n## ", 1)[0]
    return [(int(a), int(b), rest) for a, b, rest in PLAN_ROW.findall(body)]


def test_plan_covers_01_to_05_in_fifty_minutes():
    """Minutes run 0-50 without a gap; every step names at most one notebook of 00-05, and
    01-05 all appear; 06, 07 and 01's output-size section are homework."""
    text = GUIDE.read_text(encoding="utf-8")
    rows = _plan(text)
    assert rows[0][0] == 0 and rows[-1][1] == 50
    assert all(a < b for a, b, _ in rows)
    assert all(b == a for (_, b, _), (a, _, _) in zip(rows, rows[1:], strict=False))
    taught = []
    for _, _, cell in rows:
        books = set(NOTEBOOK_NAME.findall(cell)) | set(NOTEBOOK_NUMBER.findall(cell))
        assert len(books) <= 1 and books <= set(LESSONS), cell
        taught += books
    assert {"01", "02", "03", "04", "05"} <= set(taught)
    homework = re.search(r"\*\*Homework:\*\*(.*?)\n\n", text, re.S).group(1)
    assert "06_overfitting_experiment" in homework and "07_speed_in_practice" in homework
    assert "§4 of `01_standard_convolution`" in homework and "output size" in homework
    source = (NOTEBOOKS / "01_standard_convolution.md").read_text(encoding="utf-8")
    assert "## 4. How big is the output?" in source


# ---- how the notebooks are built (what the guide's projector section says) ---------------
WIDGETS = tuple(cls.__name__ for cls in ALL.values())  # every widget of the suite
BUILDS_WIDGET = re.compile(rf"(?<![\w.])(?:{'|'.join(WIDGETS)})\s*\(")
FIRST_SCREEN_WORDS = 250


def _cells(book: str):
    return nbformat.read(next(NOTEBOOKS.glob(f"{book}_*.ipynb")), as_version=4).cells


def words_before_first_widget(cells) -> int:
    """Words of prose (markdown cells, split on white space) above the first widget."""
    words = 0
    for cell in cells:
        if cell.cell_type == "code" and BUILDS_WIDGET.search(cell.source):
            return words
        if cell.cell_type == "markdown":
            words += len(cell.source.split())
    raise AssertionError("no widget in the notebook")


def unprompted_widgets(cells) -> list[str]:
    """Widget cells without a '**Predict first:**' line in the markdown cell right above."""
    missing = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and BUILDS_WIDGET.search(cell.source):
            above = cells[i - 1] if i else None
            if not (
                above and above.cell_type == "markdown" and "**Predict first:**" in above.source
            ):
                missing.append(f"cell {i}: {cell.source.strip().splitlines()[0][:60]!r}")
    return missing


def only_checks(source: str) -> bool:
    """A cell that is mostly asserts: at least half its statements start with 'assert'."""
    lines = [
        line.strip()
        for line in source.splitlines()
        if line.strip() and not line.strip().startswith("#") and not line.startswith((" ", ")"))
    ]
    asserts = sum(line.startswith("assert ") for line in lines)
    return asserts > 0 and asserts * 2 >= len(lines)


@pytest.mark.parametrize("book", LESSONS)
def test_first_widget_on_the_first_screen(book):
    """At most 250 words of prose come before the notebook's first widget."""
    words = words_before_first_widget(_cells(book))
    assert words <= FIRST_SCREEN_WORDS, f"{book}: {words} words before the first widget"


@pytest.mark.parametrize("book", LESSONS)
def test_every_widget_has_a_predict_first_prompt(book):
    """The markdown cell above each widget asks a '**Predict first:**' question."""
    assert not unprompted_widgets(_cells(book))


@pytest.mark.parametrize("book", LESSONS)
def test_verification_cells_are_tagged_and_folded(book):
    """Cells tagged 'verify' assert something and are folded; mostly-assert cells are tagged."""
    cells = _cells(book)
    tagged = [c for c in cells if "verify" in c.metadata.get("tags", [])]
    assert tagged, f"{book} has no verification cell tagged 'verify'"
    for cell in tagged:
        assert cell.cell_type == "code" and "assert" in cell.source, cell.source[:80]
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, cell.source[:80]
    exercise = re.compile(r"^check\.\w+\(", re.M)
    untagged = [
        c.source.splitlines()[0]
        for c in cells
        if c.cell_type == "code"
        and c not in tagged
        and only_checks(c.source)
        and not exercise.search(c.source)
    ]
    assert not untagged, f"{book}: cells that only check, without the 'verify' tag: {untagged}"


def test_flow_helpers_catch_what_they_should():
    """A widget with 300 words above it, without a prompt, and an untagged assert cell fail."""
    new = nbformat.v4
    cells = [
        new.new_markdown_cell("word " * 300),
        new.new_code_cell("w = ConvArithmetic()\nw.widget"),
    ]
    assert words_before_first_widget(cells) == 300
    assert len(unprompted_widgets(cells)) == 1
    cells[0] = new.new_markdown_cell("**Predict first:** how many?")
    assert unprompted_widgets(cells) == []
    assert only_checks("x = f()\nassert x == 1\nprint('ok')") is False
    assert only_checks("assert f() == 1\nprint('ok')") is True
    assert only_checks("y = f()\nprint(y)") is False


def test_guide_describes_the_verify_tag_and_the_prompts():
    """The guide tells instructors about the 'verify' tag, the folding and 'Predict first'."""
    text = GUIDE.read_text(encoding="utf-8")
    assert "`verify`" in text and "source_hidden: true" in text and "tags: [verify]" in text
    assert "**Predict first:**" in text
