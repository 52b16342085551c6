"""The docs name only what exists: files, ``convtutor`` names, ``make`` targets, flags.

README.md, CONTRIBUTING.md and docs/*.md are read for what they put in backticks (and
in fenced code blocks). The rules, so that new text is checked without a hand list:

* **A path** (a backticked word with a ``/``, or a file name with an extension) names
  a file or folder of the repository when its first part is a top-level entry of the
  repository; then it must exist. Paths under a git-ignored folder (``build/``,
  ``.venv/``, ``screenshots/``) are made by running something and are not checked.
  Placeholders: ``<word>``, ``NN`` (a lesson number) and ``x`` stand for any name; the
  path must then match at least one file. A bare file name must be some file's name.
* **"`NAME` in `file.py`"** (or ``file.py: NAME``): the file defines NAME.
* **A dotted name** whose first part is ``convtutor``, one of its modules or one of
  the public names of ``convtutor``/``convtutor.widgets`` must import and resolve.
* **``make TARGET``** must be a target of the Makefile.
* **Each test has a docstring**, as CONTRIBUTING and docs/style.md promise.
* **A command that runs pytest or a script of the repository** may only use flags that
  ``pytest --help`` lists, or that the script declares (``add_argument("--flag")``:
  the scripts read their command line with argparse); a JupyterLab command only flags
  that the browser-test harness passes (the docs show the harness's command).
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import importlib
import pkgutil
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import convtutor
import convtutor.widgets

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
# A fenced code block as CommonMark has it: an opening line of 3+ backticks and an info
# string with no backtick, then a closing line of at least as many backticks.
FENCE = re.compile(r"^[ \t]{0,3}(`{3,})[^`\n]*\n(.*?)^[ \t]{0,3}\1`*[ \t]*$", re.M | re.S)
FILE_NAME = re.compile(r"[\w.<>*-]+\.(py|md|js|mjs|css|toml|yml|yaml|txt|json|sh|cfg|ipynb)")


def read(doc: Path) -> str:
    return doc.read_text(encoding="utf-8")


def spans(text: str) -> list[str]:
    """What a page puts in backticks, outside fenced code blocks."""
    return re.findall(r"`([^`\n]+)`", FENCE.sub("", text))


def code_lines(text: str) -> list[str]:
    """Lines of fenced code blocks and backticked spans: where commands are shown."""
    blocks = [m.group(2).replace("\\\n", " ") for m in FENCE.finditer(text)]  # continued lines
    lines = [line for block in blocks for line in block.splitlines()]
    return lines + spans(text)


def named(kind):
    """(doc, name) pairs of every doc, for parametrize ids like ``README.md:make-test``."""
    pairs = sorted({(doc.relative_to(ROOT).as_posix(), n) for doc in DOCS for n in kind(read(doc))})
    return pytest.mark.parametrize(("doc", "name"), pairs, ids=[f"{d}:{n}" for d, n in pairs])


# ---- paths ---------------------------------------------------------------------------
@functools.cache
def tracked() -> list[str]:
    """Every file of the repository (as git lists it, with files not yet committed)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [line for line in out.splitlines() if (ROOT / line).exists()]


@functools.cache
def ignored(first: str) -> bool:
    """True for a top-level name git ignores (made by running something)."""
    for name in (first, first + "/"):
        if subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0:
            return True
    return False


def as_glob(path: str) -> str:
    """A path with its placeholders (``<word>``, ``NN``, ``x``) as glob wildcards."""
    path = re.sub(r"<[^>/]+>", "*", path)
    parts = []
    for part in path.split("/"):
        part = re.sub(r"^NN_\w+", "[0-9][0-9]_*", part)
        part = re.sub(
            r"^(\w*?_)?x(\.\w+)?$", lambda m: (m.group(1) or "") + "*" + (m.group(2) or ""), part
        )
        parts.append(part)
    return "/".join(parts)


def repo_paths(text: str) -> set[str]:
    top = {p.name for p in ROOT.iterdir()}
    found = set()
    for span in spans(text):
        span = span.split(":")[0].strip()  # `file.py: Name`
        if not re.fullmatch(r"[\w.<>*/-]+", span) or span.startswith("/"):
            continue
        first = span.split("/")[0]
        if "/" in span and first in top and not ignored(first):
            found.add(span)
        elif "/" not in span and FILE_NAME.fullmatch(span):
            found.add(span)
    return found


@named(repo_paths)
def test_every_path_the_docs_name_exists(doc, name):
    """A path in the docs is a file or folder of the repository (a pattern matches one)."""
    pattern = as_glob(name.rstrip("/"))
    files = tracked()
    if "/" not in name:  # a bare file name: some file is called that
        hits = [f for f in files if fnmatch.fnmatch(f.rsplit("/", 1)[-1], pattern)]
    else:
        folders = {f.rsplit("/", i)[0] for f in files for i in range(1, f.count("/") + 1)}
        hits = [f for f in [*files, *folders] if fnmatch.fnmatch(f, pattern)]
    assert hits, f"{doc} names `{name}`, which is not in the repository"


# ---- a name in a file ---------------------------------------------------------------
def names_in_files(text: str) -> set[str]:
    """``NAME @ path`` for each "`NAME` in `path.py`" and "`path.py: NAME`" of the docs."""
    prose = " ".join(FENCE.sub("", text).split())
    pairs = re.findall(r"`([A-Za-z_]\w*)` in `([\w/.-]+\.py)`", prose)
    pairs += [(n, p) for p, n in re.findall(r"`([\w/.-]+\.py): ([A-Za-z_]\w*)`", prose)]
    return {f"{name} @ {path}" for name, path in pairs}


@named(names_in_files)
def test_every_name_the_docs_place_in_a_file_is_defined_there(doc, name):
    """A name the docs say is in a file is defined there (assigned, a def or a class)."""
    name, path = name.split(" @ ")
    source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
    defined = rf"^[ \t]*(?:def |class |async def )?{re.escape(name)}\b\s*(?:[:=(]|: )"
    assert re.search(defined, source, flags=re.M), f"{doc}: `{name}` is not defined in {path}"


# ---- convtutor names -----------------------------------------------------------------
@functools.cache
def roots() -> dict[str, str]:
    """First part of a dotted name -> the convtutor module or object it starts from."""
    found = {"convtutor": "convtutor"}
    for module in pkgutil.walk_packages(convtutor.__path__, "convtutor."):
        found.setdefault(module.name.rsplit(".", 1)[-1], module.name)
    for package in (convtutor, convtutor.widgets):
        for name in package.__all__:
            found.setdefault(name, f"{package.__name__}.{name}")
    return found


def dotted_names(text: str) -> set[str]:
    found = set()
    for span in spans(text):
        m = re.fullmatch(r"([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)(\(\))?", span)
        if m and m.group(1) in roots() and not FILE_NAME.fullmatch(span):
            found.add(m.group(1) + m.group(2))
    return found


def resolve(dotted: str):
    """The object ``a.b.c`` names: the longest importable module, then attributes."""
    first, *rest = dotted.split(".")
    parts = roots()[first].split(".") + rest
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


@named(dotted_names)
def test_every_convtutor_name_the_docs_use_resolves(doc, name):
    """A dotted convtutor name in the docs imports and resolves to an object."""
    try:
        resolve(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{doc} names `{name}`, which does not resolve: {exc}")


# ---- make targets --------------------------------------------------------------------
def make_targets(text: str) -> set[str]:
    return {
        m.group(1)
        for line in code_lines(text)
        for m in re.finditer(r"(?:^|[\s;&(])make ([a-z][\w-]*)", line)
    }


@functools.cache
def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, flags=re.M))


@named(make_targets)
def test_every_make_target_the_docs_name_exists(doc, name):
    """``make TARGET`` in the docs is a target of the Makefile."""
    assert name in makefile_targets(), f"{doc} runs `make {name}`, not in the Makefile"


# ---- flags of commands ---------------------------------------------------------------
PYTEST = r"(?:\.venv/bin/)?pytest|(?:\.venv/bin/)?python -m pytest"
SCRIPT = r"(?:\.venv/bin/)?python (?:-m )?((?:scripts|benchmarks)[/.]\w+)(?:\.py)?"
JUPYTERLAB = r"jupyter lab|python -m jupyterlab"
#: Where the JupyterLab command the docs show is run (the browser-test harness).
HARNESS = [ROOT / "tests" / "support" / "lab_harness.py"]


def commands(text: str) -> set[str]:
    """``program :: flags`` for each command line of the docs that gives flags."""
    found = set()
    for line in code_lines(text):
        line = line.split(" #")[0]
        for pattern in (PYTEST, SCRIPT, JUPYTERLAB):
            for m in re.finditer(rf"(?:^|[\s;&(])({pattern})(?=\s|$)((?:\s+[^\s;&|)]+)*)", line):
                program, rest = m.group(1), m.group(m.lastindex)
                flags = [t.split("=")[0] for t in shlex.split(rest)]
                flags = [f for f in flags if re.fullmatch(r"--?[A-Za-z][\w.-]*", f)]
                if flags:
                    found.add(f"{program} :: {' '.join(sorted(set(flags)))}")
    return found


@functools.cache
def pytest_help() -> str:
    """``pytest --help`` here: pytest's, its plugins' and our conftest's options."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def known_flags(program: str) -> tuple[str, str]:
    """(text the flags must appear in, where that text is) for one program of the docs."""
    if re.fullmatch(PYTEST, program):
        return pytest_help(), "`pytest --help`"
    if re.fullmatch(JUPYTERLAB, program):
        return " ".join(h.read_text(encoding="utf-8") for h in HARNESS), "the lab harness"
    script = re.fullmatch(SCRIPT, program).group(1).replace(".", "/") + ".py"
    assert (ROOT / script).is_file(), f"no script {script}"
    # the scripts read their command line with argparse: a flag is a literal there
    source = (ROOT / script).read_text(encoding="utf-8")
    return " ".join(re.findall(r"add_argument\(([^)]*)", source)), f"{script}'s add_argument"


@named(commands)
def test_every_flag_the_docs_give_a_command_exists(doc, name):
    """Each flag of a command in the docs is one the program (or the lab harness) takes."""
    program, flags = name.split(" :: ")
    text, where = known_flags(program)
    missing = [
        f for f in flags.split() if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)
    ]
    assert not missing, f"{doc} gives `{program}` the flags {missing}, not in {where}"


# ---- what the docs promise about the tests ---------------------------------------------
def test_every_test_has_the_docstring_the_docs_promise():
    """CONTRIBUTING and docs/style.md promise a docstring for each test: every test has one."""
    promise = "Each test has a docstring whose first line states the property"
    assert promise in read(ROOT / "CONTRIBUTING.md") and promise in read(ROOT / "docs/style.md")
    bare = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bare += [
            f"{path.relative_to(ROOT)}::{node.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test")
            and not ast.get_docstring(node)
        ]
    assert not bare, f"tests without a docstring: {bare}"
