"""The English an ES module writes of its own: the words in its string and template literals.

Issue 19: every word a widget shows comes from Python (``meta.text``), so a module's
literals hold keys, CSS classes, selectors, numbers, punctuation and symbols only.
:func:`english_literals` reads a module's literals (comments and regular expressions
skipped, a template's ``${...}`` read as code, its strings read too) and returns each
word (a name with two letters or more, ``_`` and digits allowed) that is not a key the
caller allows (the widget's ``TEXT`` keys, control and panel names, ...) nor in
:data:`ALLOWED`.
"""

from __future__ import annotations

import re

#: Names a module may write in any literal: its import ("./common.js") and the DOM's
#: tag, attribute and value names.
ALLOWED = frozenset({"common", "js", "true", "false", "input", "output", "data", "name",
                     "aria", "valuetext"})  # fmt: skip

_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^")


def literals(source: str) -> list:
    """The text of every string and template literal in ``source``, in order (a
    template's text between its ``${...}`` parts, each part one item)."""
    out, i, n = [], 0, len(source)
    last = ""  # the last significant character, to tell a regex from a division

    def skip_string(i, quote):
        j, text = i + 1, []
        while source[j] != quote:
            if source[j] == "\\":
                text.append(source[j : j + 2])
                j += 2
                continue
            text.append(source[j])
            j += 1
        out.append("".join(text))
        return j + 1

    def skip_template(i):
        j, text = i + 1, []
        while source[j] != "`":
            if source[j] == "\\":
                text.append(source[j : j + 2])
                j += 2
            elif source.startswith("${", j):
                out.append("".join(text))
                text = []
                j = skip_code(j + 2, closing="}")
            else:
                text.append(source[j])
                j += 1
        out.append("".join(text))
        return j + 1

    def skip_code(i, closing=None):
        nonlocal last
        depth = 0
        while i < n:
            c = source[i]
            if source.startswith("//", i):
                i = source.find("\n", i)
                i = n if i < 0 else i
            elif source.startswith("/*", i):
                i = source.index("*/", i) + 2
            elif c in "\"'":
                i, last = skip_string(i, c), "a"
            elif c == "`":
                i, last = skip_template(i), "a"
            elif c == "/" and (
                last in _REGEX_BEFORE or last == "" or source[:i].rstrip().endswith("return")
            ):
                j = i + 1
                in_class = False
                while in_class or source[j] != "/":
                    if source[j] == "\\":
                        j += 1
                    elif source[j] == "[":
                        in_class = True
                    elif source[j] == "]":
                        in_class = False
                    j += 1
                i, last = j + 1, "a"
            elif c == "{":
                depth += 1
                i, last = i + 1, c
            elif c == "}" and closing and depth == 0:
                return i + 1
            else:
                if c == "}":
                    depth -= 1
                if not c.isspace():
                    last = c
                i += 1
        return i

    skip_code(i)
    return out


def english_literals(source: str, allowed=()) -> list:
    """``(literal, words)`` for each literal of ``source`` with words neither in
    ``allowed`` nor in :data:`ALLOWED` (see the module's docstring)."""
    keep = ALLOWED | set(allowed)
    found = []
    for text in literals(source.replace("\\n", " ")):
        names = re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)
        words = [w for w in names if len(re.sub(r"[^A-Za-z]", "", w)) >= 2 and w not in keep]
        if words:
            found.append((text, words))
    return found


def assert_module_writes_no_english(widget, *names) -> None:
    """``widget``'s ES module holds no English: every word of its literals is a key of
    its ``TEXT``, a control or state name, a panel or text name, one of ``names`` or in
    :data:`ALLOWED`."""
    from convtutor.widgets._base import STATIC

    view = widget.view()
    keys = {*widget.TEXT, *widget.controls, *widget.state, *view["texts"], *names}
    keys |= {panel["name"] for panel in view["panels"]}
    source = (STATIC / f"{widget.MODULE}.js").read_text(encoding="utf-8")
    found = english_literals(source, keys)
    assert not found, f"{widget.MODULE}.js writes English of its own: {found}"
