"""The widget contract's rooms: one Python file per widget, named after its ES module."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from convtutor.widgets import ALL
from convtutor.widgets._base import STATIC, Widget, correlated, shifted

WIDGETS = Path(inspect.getfile(Widget)).parent
SHARED_JS = {"common", "standalone"}


def test_every_widget_lives_in_a_file_named_after_its_module():
    """ALL's key, the Python file, the class's MODULE and static/NAME.js are one name."""
    for name, cls in ALL.items():
        assert cls.MODULE == name
        assert Path(inspect.getfile(cls)).name == f"{name}.py"
        assert (STATIC / f"{name}.js").is_file()


def test_every_module_and_python_file_has_its_widget():
    """No ES module without a widget and no widget file without an entry in ALL; each
    file holds one widget class."""
    modules = {p.stem for p in STATIC.glob("*.js")} - SHARED_JS
    files = {p.stem for p in WIDGETS.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(ALL) == files
    for name in files:
        module = __import__(f"convtutor.widgets.{name}", fromlist=["_"])
        classes = [
            c
            for c in vars(module).values()
            if inspect.isclass(c) and issubclass(c, Widget) and c.__module__ == module.__name__
        ]
        assert classes == [ALL[name]], name


# ---- no English in an ES module ------------------------------------------------------
# Every word a widget shows is written once, in Python, and reaches the page as data
# (meta.text, meta.words, control labels). So an ES module's string and template
# literals hold only names: keys, CSS classes, tags, events. The scan below reads every
# literal (comments and regular expressions skipped; ``${...}`` read as code, so the
# literals inside count too) and fails on a word -- a run of two or more letters -- that
# is not one of these names:
#
# * a name the module's own code (or common.js's, which it imports) uses as an
#   identifier: a variable, a property, a key (``"photo"``, where ``data.photo`` is the
#   array); a snake_case name (``input_``, ``_meta``); the value of a ``name:`` key
#   (a panel's name);
# * a name the widget ships as data (:func:`shipped_names`): a key of its meta or view,
#   a control's name, a menu's option (``"depth-wise"``: the page compares the state
#   with it; the student reads it from Python's control);
# * a synced trait of :class:`Widget` (``values``, ``_arrays``, ``error``...), a derived
#   array's operation, a dtype, a ``{slot}`` of a template, the message kind the page
#   sends Python;
# * the browser's vocabulary the modules use: HTML tags and attributes (``aria-*``,
#   ``data-*``), ARIA values, event and key names, CSS properties, values, units,
#   ``ct-*`` classes, hex colours, MIME types, ``typeof``'s answers.
#
# Where two words stand in one literal with a space between them, both must be the
# browser's vocabulary (``"3px solid "``, ``' class="ct-em"'``): identifiers do not
# make a sentence.
BROWSER_WORDS = {
    # HTML tags and attributes
    *"div span label input select option output canvas figure figcaption table tr td".split(),
    *"script noscript style template class role type title".split(),
    # ARIA values, input types, events, KeyboardEvent keys
    *"alert img polite range file change keydown keyup keypress click focus blur".split(),
    *"ArrowLeft ArrowRight ArrowUp ArrowDown PageUp PageDown Home End".split(),
    # CSS properties, values and units; a canvas's context; typeof's answers; a boolean
    *"background color solid px em 2d number string true pointer".split(),
}
#: Names Python ships as data besides keys: array dtypes and the page's message kind.
DATA_WORDS = {"uint8", "float32", "image"}
_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\(.)", re.S)
_NOT_WORDS = re.compile(
    r"[a-z]+/[\w.+*-]+"  # a MIME type
    r"|\{[A-Za-z_]\w*\}"  # a {slot}
    r"|#[0-9a-fA-F]{3,8}\b"  # a colour
)
_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {"", "return", "typeof", "case", "throw"}


def es_literals(source: str) -> tuple[list, set]:
    """The literals of ES module ``source``, ``[(line, text, named)]`` (each static part
    of a template literal on its own; an import's module name left out; ``named``: the
    literal is the value of a ``name:`` key), and the identifiers its code uses."""
    out, names = [], set()
    i, n, start = 0, len(source), 0
    modes = [["code", 0]]  # a stack: code (with its open braces) or a template literal
    prev = ""  # the code's last token: says whether "/" starts a regular expression
    before = ""  # the token before it

    def line(k):
        return source.count("\n", 0, k) + 1

    while i < n:
        mode, c = modes[-1], source[i]
        if mode[0] == "template":
            if c == "\\":
                i += 2
            elif c == "`" or source.startswith("${", i):
                out.append((line(start), source[start:i], False))
                if c == "`":
                    modes.pop()
                    prev, i = "`", i + 1
                else:
                    modes.append(["code", 0])
                    prev, i = "", i + 2
            else:
                i += 1
        elif source.startswith("//", i):
            i = source.find("\n", i) % (n + 1)
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif c in "'\"":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            if prev not in ("from", "import"):
                out.append((line(i), source[i + 1 : j], (before, prev) == ("name", ":")))
            i, prev = j + 1, "'"
        elif c == "`":
            modes.append(["template", 0])
            i = start = i + 1
        elif c == "/" and prev in _REGEX_BEFORE:
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                j += 2 if source[j] == "\\" else 1
                in_class = {"[": True, "]": False}.get(source[j - 1], in_class)
            i, prev = re.match(r"/[a-z]*", source[j:]).end() + j, "/"
        elif c == "{":
            mode[1] += 1
            i, prev = i + 1, "{"
        elif c == "}" and mode[1] == 0 and len(modes) > 1:
            modes.pop()  # the end of a ${...}: back in the template literal
            i = start = i + 1
        elif c == "}":
            mode[1] -= 1
            i, prev = i + 1, "}"
        elif c.isspace():
            i += 1
        else:
            before, prev = prev, re.match(r"[A-Za-z_$][\w$]*|\d[\w.]*|.", source[i:]).group(0)
            if re.match(r"[A-Za-z_$]", prev):
                names.add(prev)
            i += len(prev)
    assert modes == [["code", 0]], "unbalanced template literals"
    return out, names


def _decoded(text: str) -> str:
    def one(m):
        if m.group(4) is not None:
            return " " if m.group(4) in "nrtbfv" else m.group(4)
        return chr(int(m.group(1) or m.group(2) or m.group(3), 16))

    return _ESCAPE.sub(one, text)


def shipped_names(name: str) -> set:
    """The names widget ``name`` ships as data, which its module may use as keys: every
    key in its meta (``meta.text``'s included) and its view, its controls' names and
    the options of its menus (a state's value, compared by the page, shown from Python)."""
    if name not in ALL:
        return set()
    w = ALL[name]()
    found = set()

    def walk(x):
        if isinstance(x, dict):
            found.update(k for k in x if isinstance(k, str))
            for v in x.values():
                walk(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v)

    walk(w.meta)
    view = w.view()
    walk([{k: v for k, v in p.items() if k != "rgba"} for p in view["panels"]])
    for panel in view["panels"]:  # a name, and its stem: weight_0 -> weight
        found.update({panel["name"], re.sub(r"_\d+$", "", panel["name"])})
    found.update(view["texts"])
    for control in w.controls.values():
        found.add(control["name"])
        found.update(o for o in control.get("options", ()) if isinstance(o, str))
    return found


def english(path: Path) -> list:
    """``[(line, literal, word)]``: each word of an ES module that is not a name."""
    common_names = es_literals((STATIC / "common.js").read_text(encoding="utf-8"))[1]
    literals, names = es_literals(path.read_text(encoding="utf-8"))
    data = (
        shipped_names(path.stem)
        | DATA_WORDS
        | set(Widget.class_traits(sync=True))
        | {correlated("x", [])["op"], shifted("x", 1)["op"]}
    )

    def browser(word):
        return (
            word in BROWSER_WORDS
            or word.startswith(("ct-", "aria-", "data-"))
            or re.fullmatch(r"\d*(px|em)", word) is not None
        )

    found = []
    for line, raw, named in literals:
        text = _NOT_WORDS.sub(" ", _decoded(raw))
        words = [w for w in re.findall(r"[\w$-]+", text) if re.search("[A-Za-z]{2}", w)]
        alone = len(re.findall(r"[A-Za-z]{2,}", text.replace("-", "").replace("_", ""))) < 2
        for word in words:
            if browser(word) or (
                (alone or not re.search(r"\s", text.strip()))
                and (named or "_" in word or word in names | common_names | data)
            ):
                continue
            found.append((line, raw, word))
    return found


@pytest.mark.parametrize("name", sorted(p.stem for p in STATIC.glob("*.js")))
def test_an_es_module_writes_no_english(name):
    """Each ES module's literals are names (keys, classes, tags, events), never words a
    student reads: those come from Python, in meta.text (CONTRACT: words as data)."""
    found = english(STATIC / f"{name}.js")
    assert not found, "\n".join(
        f"{name}.js:{line}: {word!r} in {text!r}" for line, text, word in found
    )


def test_the_english_scan_finds_english(tmp_path):
    """The scan fails on a sentence, a title, a unit word, in a string or a template
    literal and inside ``${...}``; it passes names, comments and regular expressions."""
    cases = {
        'const a = "Largest difference";': ["Largest", "difference"],
        "const a = `${n} kernels`;": ["kernels"],
        'const a = `${m > 1 ? "slices" : "sheet"}`;': ["slices", "sheet"],
        'const a = "per";': ["per"],
        'const a = { name: "photo", kind: "table" }; const photo = 1;': [],
        'el.className = "ct-panel"; el.setAttribute("aria-label", x); // "No English"': [],
        "const r = /Some words/g; /* Some words */ const s = `${a}×${b}`;": [],
        'const photo = 1; const a = "photo input";': ["photo"],
        'panels.push({ name: "separable", title: "separable" });': ["separable"],
    }
    probe = tmp_path / "probe.js"
    for source, words in cases.items():
        probe.write_text(source, encoding="utf-8")
        assert [w for _, _, w in english(probe)] == words, source
