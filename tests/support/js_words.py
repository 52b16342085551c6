"""The words an ES module writes itself: its string and template literals, read from source.

A widget's words live in Python (``TEXT``, shipped in ``meta["text"]``); its module may
hold keys, CSS class names, numbers, punctuation and symbols, but no English of its own.
:func:`stray_words` reads every string literal and the text parts of every template
literal of a module (comments skipped; a template's ``${...}`` is read as code, its own
literals included) and returns the words in them that no allow-list names.
"""

from __future__ import annotations

import itertools
import re

from convtutor.widgets._base import STATIC

#: A CSS colour such as #ffffff: its letters are hex digits, not a word.
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b")
#: A character after which "/" starts a regular expression, not a division.
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {""}


def _quoted(source: str, i: int, quote: str) -> tuple[str, int]:
    """The text of the literal whose opening ``quote`` is at ``i - 1``, and the index after it."""
    text = []
    while source[i] != quote:
        step = 2 if source[i] == "\\" else 1
        text.append(source[i : i + step])
        i += step
    return "".join(text), i + 1


def _template_part(source: str, i: int) -> tuple[str, int, bool]:
    """A template's text from ``i`` to its closing backtick or its next ``${``: the text,
    the index after that mark, and whether a ``${`` opened."""
    text = []
    while True:
        if source[i] == "\\":
            text.append(source[i : i + 2])
            i += 2
        elif source[i] == "`":
            return "".join(text), i + 1, False
        elif source.startswith("${", i):
            return "".join(text), i + 2, True
        else:
            text.append(source[i])
            i += 1


def literals(source: str) -> list[str]:
    """Every string literal of ES ``source`` and the text parts of its template literals."""
    out = []
    opened = []  # the brace depth at which each open ${ ... } of a template closes
    depth = 0
    last = ""  # the last character of code that is not a space
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            i = source.index("*/", i) + 2
            continue
        if c in "'\"":
            text, i = _quoted(source, i + 1, c)
            out.append(text)
            last = c
            continue
        if c == "`" or (c == "}" and opened and depth == opened[-1]):
            if c == "}":
                opened.pop()
            text, i, more = _template_part(source, i + 1)
            out.append(text)
            if more:
                opened.append(depth)
                last = "{"
            else:
                last = "`"
            continue
        if c == "/" and last in REGEX_AFTER:  # a regular expression: skip it
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                if source[j] == "\\":
                    j += 1
                elif source[j] in "[]":
                    in_class = source[j] == "["
                j += 1
            i = j + 1
            last = "/"
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if not c.isspace():
            last = c
        i += 1
    return out


def words_of(text: str) -> list[str]:
    """The words of ``text``: its runs of two or more letters (``str.isalpha``, any
    script), so digits, subscripts such as ₁, symbols and punctuation are no words."""
    runs = ("".join(run) for letter, run in itertools.groupby(text, str.isalpha) if letter)
    return [run for run in runs if len(run) >= 2]


def stray_words(source: str, keys, allowed) -> list[str]:
    """The literals of ES ``source`` holding a word that is not allowed, each as
    ``"literal: word, word"``. A literal that is one of ``keys`` (a TEXT entry's name) is
    allowed whole; in any other, every word (:func:`words_of`, colours such as ``#ffffff``
    left out) must be in ``allowed``."""
    found = []
    for text in literals(source):
        if text in keys:
            continue
        words = [w for w in words_of(HEX_COLOUR.sub(" ", text)) if w not in allowed]
        if words:
            found.append(f"{text!r}: {', '.join(words)}")
    return found


def module_source(name: str) -> str:
    """The source of ``convtutor/widgets/static/NAME.js``."""
    return (STATIC / f"{name}.js").read_text(encoding="utf-8")
