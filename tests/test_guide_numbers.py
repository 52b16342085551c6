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

import ast
import builtins
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
    "How the notebooks are built for a projector": {
        "250": "the most words of prose above a first widget; test_first_widget_on_the_first_"
        "screen checks it"
    },
    "Before the class (15 minutes, the day before)": {
        "15": "the time the preparation takes, an estimate for the instructor",
        "125": "a browser zoom for a projector (a suggestion, not a result)",
        "150": "a browser zoom for a projector (a suggestion, not a result)",
    },
    "The 50-minute lesson plan": {
        "50": "the session's length; test_plan_covers_01_to_05 checks the rows end at 50",
        "130": "the reading-aloud pace the plan states; test_plan_is_timed_from_the_material "
        "reads it",
        "2": "minutes per widget and for the hook, as the plan states (read by the timing test)",
        "1": "minutes per other vote and per exit-ticket question (read by the timing test)",
        "45": "the most the computed plan may need (test_plan_is_timed_from_the_material)",
        "42.9": "the plan's computed total; test_plan_is_timed_from_the_material recomputes it",
        "7": "the slack, 50 minus the computed total, rounded (recomputed by the same test)",
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
        "2": "the benchmark machine's cores; run all costs 2-3 CPU-seconds (bench_kernels)",
        "3": "run all 2-3 CPU-s; students per GB; 1 to 3 students failing on TCP (bench_class)",
        "4.4": "run all's CPU for the kernel that fills the cache, at most (bench_kernels)",
        "0.5": "kernel CPU to the first widget, 0.53-0.64 s warm (bench_kernels)",
        "0.6": "kernel CPU to the first widget, 0.53-0.64 s warm (bench_kernels)",
        "199": "a kernel's own memory after run-all, 199-215 MB (bench_kernels)",
        "215": "a kernel's own memory after run-all, 199-215 MB (bench_kernels)",
        "280": "USS of a kernel alone after run-all, 281-304 MB (bench_kernels)",
        "305": "USS of a kernel alone after run-all, 281-304 MB (bench_kernels)",
        "0.2": "the libraries held once, an estimate: peak RSS ~454 MB less ~286 MB own",
        "22": "CPU-seconds of one student's server and six lessons: 21.6 and 25.0 (N = 30)",
        "25": "CPU-seconds of one student's server and six lessons: 21.6 and 25.0 (N = 30)",
        "120": "thirty students x about 4 CPU-seconds",
        "30": "the class of the benchmark (N = 30), seconds to the widgets, minutes idle",
        "15": "students per core: N = 30 on 2 cores within the 30 s target (bench_class)",
        "10": "p95 seconds to a lesson's first widget (10.4, 17.2) and to 02's (10.5, 20.8)",
        "17": "p95 s to a lesson's first widget (17.2); browser student painted 14.9-17.1 s",
        "21": "p95 seconds to 02's first widget, N = 30, runs 4 and 5: 10.5 and 20.8",
        "52.7": "p95 seconds to a lesson's first widget, N = 30, before (bench_class)",
        "39.9": "p95 seconds to 02's first widget, N = 30, before (bench_class)",
        "1": "1 to 3 students failing on TCP in three of four runs; a memory limit of 1G",
        "48": "p50 seconds for thirty servers starting together: 48.3-75.1 over six runs",
        "0.014": "kernel CPU per slider update x 10 updates/s (bench_kernels)",
        "73": "own memory before PyTorch, 73-99 MB (bench_kernels, warm and cold cache)",
        "99": "own memory before PyTorch, 73-99 MB (bench_kernels, warm and cold cache)",
        "70": "the kernels of about 70 students dragging fit a core: 1 / 0.014",
        "71": "an idle JupyterLab server's own memory, 71 MB (REPORT.md, measured once)",
        "290": "a student's own memory: kernel 215 MB + server 71 MB = 286 MB",
        "286": "a student's own memory: kernel 215 MB + server 71 MB",
        "8.6": "thirty students x 286 MB",
        "6": "six lessons open at once, 6 x 215 MB + 71 MB",
        "1.4": "six lessons open at once, 6 x 215 MB + 71 MB = 1.36 GB",
        "40": "thirty students with six lessons open, 30 x 1.36 GB",
        "450": "peak RSS per student, the mean of each run with the current lessons: 454-528 MB",
        "530": "peak RSS per student, the mean of each run with the current lessons: 454-528 MB",
        "538": "peak RSS per student, the largest with the current lessons (bench_class)",
        "75": "p50 seconds for thirty servers starting together: 48.3-75.1 over six runs",
        "550": "a memory guarantee above the 538 MB peak a student reached (advice)",
        "1.7": "the suite's environment on disk, 1.7 GB (README, measured)",
        "0.12": "a slider's round trip, p50, N = 30 with the current lessons: 0.12-0.15 s",
        "0.15": "a slider's round trip, p50, N = 30 with the current lessons: 0.12-0.15 s",
        "4": "CPU-seconds per lesson and student, server included: 21.6-25.0 / 6; a third",
    },
}

#: A heading line; an ordered-list marker; a notebook named in the text.
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
LIST_MARKER = re.compile(r"^\s*\d+\.\s")
NOTEBOOK_NAME = re.compile(r"\b(0[0-8])_[a-z_]+\b")
NOTEBOOK_NUMBER = re.compile(r"(?<![\w.,])(0[0-8])(?![\w.,]*\d)")
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


def _plan_rows(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, notebook cell, what-happens cell) of each row of the plan."""
    body = text.split("## The 50-minute lesson plan", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*(\d+)[–-](\d+)\s*\|([^|]*)\|([^|]*)\|", body, re.M)
    return [(int(a), int(b), book, what) for a, b, book, what in rows]


def _pace(text: str) -> dict[str, float]:
    """The pace the guide states for the plan: words a minute, minutes per widget, per vote,
    and the minutes of the rows without a notebook (the hook, the exit ticket)."""
    body = text.split("## The 50-minute lesson plan", 1)[1].split("\n## ", 1)[0]
    found = {
        "words": re.search(r"read aloud at (\d+) words a minute", body),
        "widget": re.search(r"(\d+) minutes for each widget", body),
        "vote": re.search(r"(\d+) minute for each other \*\*Predict first:\*\* vote", body),
        "hook": re.search(r"the hook (\d+) minutes", body),
        "ticket": re.search(r"the exit ticket (\d+)", body),
        "budget": re.search(r"add up to at most (\d+) minutes", body),
    }
    missing = [name for name, match in found.items() if match is None]
    assert not missing, f"the plan does not state its pace: {missing}"
    return {name: float(match.group(1)) for name, match in found.items()}


def section_material(book: str) -> dict[int, dict[str, int]]:
    """Per numbered section of a notebook: words of prose (folded solutions left out),
    widgets built, and **Predict first:** votes not above a widget."""
    cells = _cells(book)
    found: dict[int, dict[str, int]] = {}
    section = None
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            heading = re.search(r"^## (\d+)\.", cell.source, re.M)
            if heading:
                section = int(heading.group(1))
            elif re.search(r"^## ", cell.source, re.M):
                section = None  # Key points, Exercises
            if section is None:
                continue
            text = re.sub(r"<details>.*?</details>", "", cell.source, flags=re.S)
            item = found.setdefault(section, {"words": 0, "widgets": 0, "votes": 0})
            item["words"] += len(text.split())
            below = cells[i + 1] if i + 1 < len(cells) else None
            above_widget = (
                below is not None
                and below.cell_type == "code"
                and BUILDS_WIDGET.search(below.source) is not None
            )
            item["votes"] += text.count("**Predict first:**") * (not above_widget)
        elif section is not None and BUILDS_WIDGET.search(cell.source):
            found.setdefault(section, {"words": 0, "widgets": 0, "votes": 0})["widgets"] += 1
    return found


def row_sections(book_cell: str) -> tuple[str, list[int]]:
    """The notebook and the sections a plan row names: '`04` §1, §3–4' -> ('04', [1, 3, 4])."""
    books = set(NOTEBOOK_NUMBER.findall(book_cell)) | set(NOTEBOOK_NAME.findall(book_cell))
    if not books:
        return "", []
    (book,) = books
    numbers = []
    for match in SECTION_REF.finditer(book_cell):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        numbers += range(first, last + 1)
    return book, numbers


def planned_minutes(text: str) -> list[tuple[str, float, int]]:
    """(row, minutes computed from the material, minutes the row gives) for every row."""
    pace = _pace(text)
    out = []
    for start, end, book_cell, what in _plan_rows(text):
        book, numbers = row_sections(book_cell)
        if book:
            material = section_material(book)
            need = 0.0
            for n in numbers:
                m = material[n]
                need += m["words"] / pace["words"] + m["widgets"] * pace["widget"]
                need += m["votes"] * pace["vote"]
        elif "Hook" in what:
            need = pace["hook"]
        else:
            assert "Exit ticket" in what, what
            need = pace["ticket"]
        out.append((f"{start}–{end} {book_cell.strip()}", need, end - start))
    return out


def test_plan_is_timed_from_the_material():
    """Each row gives at least the minutes its sections take at the stated pace (words read
    aloud, a time per widget and per vote); all of them add up to at most 45 of the 50."""
    text = GUIDE.read_text(encoding="utf-8")
    pace = _pace(text)
    rows = planned_minutes(text)
    short = [f"{row}: needs {need:.1f}, gets {got}" for row, need, got in rows if need > got]
    assert not short, "rows shorter than their material:\n" + "\n".join(short)
    total = sum(need for _, need, _ in rows)
    assert total <= pace["budget"] <= 45, f"the plan needs {total:.1f} minutes"
    stated = re.search(r"computed total is (\d+(?:\.\d)?) minutes", text)
    assert stated and float(stated.group(1)) == round(total, 1), (stated, round(total, 1))
    slack = re.search(r"so about (\d+) of\s+the 50 are slack", text)
    assert slack and int(slack.group(1)) == round(50 - total), (slack, 50 - total)


def test_plan_timing_counts_what_it_should():
    """A section's words, widgets and votes are counted; a vote above a widget only once."""
    material = section_material("03")
    assert material[1]["widgets"] == 1 and material[1]["votes"] == 0
    assert material[1]["words"] > 50
    assert row_sections("`04` §1, §3–4") == ("04", [1, 3, 4])
    assert row_sections("—") == ("", [])


def test_plan_covers_01_to_05_in_fifty_minutes():
    """Minutes run 0-50 without a gap; every step names at most one notebook of 00-05, and
    01-05 all appear; 06, 07 and every section left out are homework, named."""
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
    in_class = {}
    for _, _, book_cell, _ in _plan_rows(text):
        book, numbers = row_sections(book_cell)
        if book:
            in_class.setdefault(book, set()).update(numbers)
    for book in ["01", "02", "03", "04", "05"]:
        left_out = _sections(book) - in_class.get(book, set())
        line = next((x for x in homework.split("\n- ") if f"`{book}" in x), "")
        named = set()
        for match in SECTION_REF.finditer(line):
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
            named.update(range(first, last + 1))
        assert left_out <= named, f"{book}: sections {sorted(left_out - named)} not homework"


def test_the_output_size_is_explained_where_its_formula_is_shown():
    """01's first widget shows the output-size formula; the very next section explains it,
    and the plan teaches both in class."""
    source = (NOTEBOOKS / "01_standard_convolution.md").read_text(encoding="utf-8")
    first = source.index("ConvArithmetic(")
    sections = [(m.start(), m.group(0)) for m in re.finditer(r"^## \d+\. .*$", source, re.M)]
    after = [title for start, title in sections if start > first]
    assert after[0] == "## 2. How big is the output?", after[:1]
    taught = set()
    for _, _, book_cell, _ in _plan_rows(GUIDE.read_text(encoding="utf-8")):
        book, numbers = row_sections(book_cell)
        if book == "01":
            taught.update(numbers)
    assert {1, 2} <= taught


# ---- the plan skips sections: what it shows must run without them -------------------------
#: Names a Jupyter kernel defines besides Python's builtins.
KERNEL_NAMES = {"display", "get_ipython", "In", "Out"}


def cell_names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines, names it reads), by static analysis. A name the cell defines
    anywhere counts as its own (a loose but safe reading for straight-line cells)."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    defined, used = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
    return defined, used


def missing_names(imports: str, cells: list[str]) -> list[str]:
    """Names the cells read, in order after the imports cell, that nothing before defines."""
    known = set(dir(builtins)) | KERNEL_NAMES | cell_names(imports)[0]
    missing = []
    for number, source in enumerate(cells):
        defined, used = cell_names(source)
        missing += [f"cell {number}: {name}" for name in sorted(used - defined - known)]
        known |= defined
    return missing


def planned_cells(book: str, sections: set[int]) -> tuple[str, list[str]]:
    """The imports cell (the first code cell) and the code cells of the given sections."""
    imports, cells, section = None, [], None
    for cell in _cells(book):
        if cell.cell_type == "markdown":
            heading = re.search(r"^## (\d+)\.", cell.source, re.M)
            if heading:
                section = int(heading.group(1))
            elif re.search(r"^## ", cell.source, re.M):
                section = None
        elif cell.cell_type == "code":
            if imports is None:
                imports = cell.source
            elif section in sections:
                cells.append(cell.source)
    return imports, cells


@pytest.mark.parametrize("book", ["01", "02", "03", "04", "05"])
def test_planned_sections_run_without_the_skipped_ones(book):
    """The cells of the sections the 50-minute plan shows read no name that only a skipped
    section defines: after the imports cell, they run on their own, in order."""
    sections = set()
    for _, _, book_cell, _ in _plan_rows(GUIDE.read_text(encoding="utf-8")):
        found, numbers = row_sections(book_cell)
        if found == book:
            sections.update(numbers)
    assert sections, f"the plan shows no section of {book}"
    imports, cells = planned_cells(book, sections)
    assert cells, f"no code cells in {book}'s planned sections {sorted(sections)}"
    missing = missing_names(imports, cells)
    assert not missing, f"{book} §{sorted(sections)} need names from skipped sections: {missing}"


def test_missing_names_catches_a_name_from_a_skipped_section():
    """01's old §4 read `sobel`, defined in §3 (homework): flagged. Local names, function
    arguments, imports, loop variables and builtins are not."""
    imports = "%matplotlib inline\nimport numpy as np\nimport convtutor as ct"
    old = ["edge = np.zeros((5, 6))\nours = ct.conv2d(edge[None], sobel[None, None])"]
    assert missing_names(imports, old) == ["cell 0: sobel"]
    fixed = ["sobel = ct.kernels.SOBEL_X\n" + old[0]]
    assert missing_names(imports, fixed) == []
    fine = [
        "def f(x, *a, k=1):\n    return [y for y in x] + list(a)\nprint(len(f(range(3))))",
        "for i in range(2):\n    total = f([i])\ntry:\n    pass\nexcept ValueError as e:\n"
        "    print(e, total)",
    ]
    assert missing_names(imports, fine) == []
    assert missing_names(imports, ["print(later)", "later = 1"]) == ["cell 0: later"]


# ---- how the notebooks are built (what the guide's projector section says) ---------------
WIDGETS = tuple(cls.__name__ for cls in ALL.values())  # every widget of the suite
BUILDS_WIDGET = re.compile(rf"(?<![\w.])(?:{'|'.join(WIDGETS)})\s*\(")
FIRST_SCREEN_WORDS = 250


#: Cells scripts/sync_notebooks.py writes into every notebook (the Binder and Colab links,
#: the install cell): generated, not the lesson's own prose or code.
GENERATED = {"open", "install"}


def _cells(book: str):
    """The lesson's own cells: the notebook's, less the generated ones."""
    cells = nbformat.read(next(NOTEBOOKS.glob(f"{book}_*.ipynb")), as_version=4).cells
    return [c for c in cells if not GENERATED & set(c.metadata.get("tags", []))]


def words_before_first_widget(cells) -> int:
    """Words of prose (markdown cells, split on white space) above the first widget.
    The generated line of links after the title (tag "open", scripts/sync_notebooks.py)
    is not the lesson's prose."""
    words = 0
    for cell in cells:
        if cell.cell_type == "code" and BUILDS_WIDGET.search(cell.source):
            return words
        if cell.cell_type == "markdown" and "open" not in cell.metadata.get("tags", []):
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


def test_guide_names_the_notebooks_without_a_widget():
    """The projector section says which notebooks have no widget, and they are exactly those."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## How the notebooks are built for a projector", 1)[1].split("\n## ")[0]
    claim = section.split("**The first widget is on the first screen.**", 1)[1].split("\n- ")[0]
    none = {
        path.stem[:2]
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
        if not any(
            c.cell_type == "code" and BUILDS_WIDGET.search(c.source)
            for c in nbformat.read(path, as_version=4).cells
        )
    }
    named = set(re.findall(r"`(0\d)_\w+`\s+and\s+`(0\d)_\w+`\s+have no widget", claim)[0])
    assert none and named == none, (named, none)
    assert "Every notebook puts its first widget" not in text


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


PROJECTOR_WORDS = 2100  # about 2,000 words of prose a lesson on the projector


def projector_words(book: str) -> int:
    """Words of prose on the projector path: every markdown cell but the exercises, the
    folded solutions and the sections whose heading says 'Optional'."""
    words, skip = 0, False
    for cell in _cells(book):
        if cell.cell_type != "markdown":
            continue
        heading = re.search(r"^## (.*)$", cell.source, re.M)
        if heading:
            skip = heading.group(1).startswith("Exercises") or "Optional" in heading.group(1)
        if not skip:
            words += len(re.sub(r"<details>.*?</details>", "", cell.source, flags=re.S).split())
    return words


@pytest.mark.parametrize("book", ["01", "02", "03", "04", "05"])
def test_a_lesson_fits_a_projector(book):
    """At most about 2,000 words of prose on the projector path; the rest is optional."""
    assert projector_words(book) <= PROJECTOR_WORDS, projector_words(book)


def test_04_makes_the_relu_point_once():
    """One linearity test for the ReLU between the steps (f(x) + f(-x) = 2 f(0)), not two."""
    source = (NOTEBOOKS / "04_depthwise_separable.md").read_text(encoding="utf-8")
    assert "f(x) + f(-x)" in source
    assert "x1 + x2" not in source and "g(x_1 + x_2)" not in source


def test_04_bytes_sentence_matches_the_count():
    """04 §5 says the bytes moved shrink only 3.8 times (the guide quotes it): the count of
    convtutor.experiment.arithmetic_intensity for Table 3's layer, as the cell prints it."""
    from convtutor.experiment import arithmetic_intensity

    moved = [arithmetic_intensity(kind, 512, 3, 14)[1] for kind in ("standard", "separable")]
    ratio = f"{moved[0] / moved[1]:.1f}"
    source = (NOTEBOOKS / "04_depthwise_separable.md").read_text(encoding="utf-8")
    assert f"The bytes moved shrink only {ratio} times" in source
    assert f"the bytes moved fall only {ratio} times" in GUIDE.read_text(encoding="utf-8")
