"""Checks every widget's tests make the same way.

* :func:`raises_naming` and :func:`assert_refused`: bad input raises an error whose message
  holds the given words (the argument, what was expected, what was given); a refused
  control value leaves the widget's state as it was.
* :func:`assert_png_fallback`: where no JavaScript runs, the widget still shows a PNG.
* :func:`drawn_texts` and :func:`assert_texts_drawn`: the PNG figure draws every text.
* :func:`run_node`: ``tests/js/*.test.mjs`` files run by Node on a fixture a test wrote
  (:func:`node_test`: the same run, returned as it ended);
  :data:`needs_node` skips a test where Node.js is not installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "tests" / "js"
PNG = b"\x89PNG"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def raises_naming(error, words, call, *args, **kwargs) -> str:
    """``call(*args, **kwargs)`` raises ``error``; its message holds every one of ``words``."""
    with pytest.raises(error) as info:
        call(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, message
    return message


def assert_refused(widget, values: dict, error, words) -> None:
    """``widget.set(**values)`` raises ``error`` naming ``words``; the state stays as it was."""
    before = widget.state
    raises_naming(error, words, widget.set, **values)
    assert widget.state == before


def assert_png_fallback(widget) -> dict:
    """The widget's bundle holds a PNG picture beside the widget view; returns the bundle."""
    data = widget._repr_mimebundle_()
    assert data["image/png"].startswith(PNG)
    assert WIDGET_VIEW in data
    return data


def drawn_texts(fig) -> str:
    """Every text drawn on ``fig`` itself, one string, each run of whitespace one space."""
    return " ".join(" ".join(t.get_text() for t in fig.texts).split())


def assert_texts_drawn(fig, texts: dict) -> None:
    """Each of the view's ``texts`` stands in the figure (line breaks aside)."""
    drawn = drawn_texts(fig)
    for text in texts.values():
        assert " ".join(text.split()) in drawn


def node_test(tests, env: dict) -> subprocess.CompletedProcess:
    """``node --test`` on the ``tests/js`` files named ``tests`` with ``env`` set, as it ran."""
    return subprocess.run(
        [shutil.which("node"), "--test", *(str(JS_TESTS / name) for name in tests)],
        env={"PATH": os.environ.get("PATH", "/usr/bin"), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_node(tests, env: dict, *, passed: int | None = None, skips: bool = False) -> str:
    """``node --test`` on the ``tests/js`` files named ``tests`` with ``env`` set; returns
    its output. Node must exit 0 with no test failed, exactly ``passed`` passed (when
    given) and, unless ``skips``, none skipped."""
    result = node_test(tests, env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    counts = dict(re.findall(r"^# (pass|fail|skipped) (\d+)$", result.stdout, re.MULTILINE))
    assert counts.get("fail") == "0", result.stdout[-3000:]
    if passed is not None:
        assert counts.get("pass") == str(passed), result.stdout[-3000:]
    if not skips:
        assert counts.get("skipped") == "0", result.stdout[-3000:]
    return result.stdout


def expected_view(view: dict) -> dict:
    """A view as the Node replay compares it (``sameView`` in ``tests/js/fixture.mjs``):
    every key of every panel as it is, except a picture, which becomes its width and
    height and, when shown, the SHA-256 of its bytes; every text."""
    panels = []
    for p in view["panels"]:
        q = {k: v for k, v in p.items() if k != "rgba"}
        if "rgba" in p:
            q["width"], q["height"] = p["rgba"].shape[1], p["rgba"].shape[0]
            if not p.get("hidden"):
                q["sha256"] = hashlib.sha256(p["rgba"].tobytes()).hexdigest()
        panels.append(q)
    return {"panels": panels, "texts": view["texts"]}
