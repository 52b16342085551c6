"""The ES modules, run by Node, against fixtures that convtutor writes.

For every widget: the module's ``normalise`` must reach the state Python reaches for
every move of :func:`cases.cases`, and its ``view`` must give the same panels (RGBA
bytes compared by SHA-256), tables and texts as :meth:`Widget.view`. Also runs any
hand-written ``tests/js/*.test.mjs``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from convtutor.widgets import ALL
from convtutor.widgets._base import module_source
from convtutor.widgets._standalone import saved_state
from tests.support.cases import cases
from tests.support.widgets import JS_TESTS, expected_view, needs_node, node_test, run_node

pytestmark = needs_node


def write_fixture(name: str, folder: Path, per_control: int = 12) -> Path:
    widget = ALL[name]()
    saved = saved_state(widget)["state"][widget.model_id]
    moves = [
        {"start": s, "name": n, "value": v, "end": e, "view": expected_view(widget.view(e))}
        for s, n, v, e in cases(widget, per_control=per_control)
    ]
    path = folder / f"{name}.json"
    path.write_text(
        json.dumps({"widget": name, "module": widget.MODULE, "saved": saved, "moves": moves})
    )
    return path


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("js-fixtures")
    for name, cls in ALL.items():
        if getattr(cls, "MODULE", ""):
            write_fixture(name, folder)
    return folder


def test_node_module_tests(fixtures):
    """node --test over tests/js: every module equals Python on every fixture move."""
    # the other files skip here: each widget's own test runs them on its own fixture
    files = sorted(p.name for p in JS_TESTS.glob("*.test.mjs"))
    run_node(files, {"CONVTUTOR_FIXTURES": str(fixtures)}, skips=True)


def test_fixture_buffers_are_the_widget_arrays():
    """The saved buffers the Node tests read are the float32 arrays Python ships."""
    widget = ALL["pointwise_mixer"]()
    saved = saved_state(widget)["state"][widget.model_id]
    for buffer in saved["buffers"]:
        name = buffer["path"][-1]
        assert base64.b64decode(buffer["data"]) == widget.data[name].tobytes()


@pytest.mark.parametrize(
    "change",
    [
        "a key only Python has",
        "a key only the module has",
        "a value differs",
        "a text only Python has",
    ],
)
def test_the_replay_fails_on_any_difference(tmp_path, change):
    """The replay compares every key of every panel and every text, as the data has them:
    a fixture that differs from the module in one key, one value or one text fails."""
    path = write_fixture("pointwise_mixer", tmp_path, per_control=2)
    fixture = json.loads(path.read_text())
    view = fixture["moves"][0]["view"]
    picture = next(p for p in view["panels"] if "sha256" in p)
    if change == "a key only Python has":
        picture["scale"] = 2
        said = "key scale only in Python"
    elif change == "a key only the module has":
        del picture["width"]
        said = "key width only in the module"
    elif change == "a value differs":
        picture["sha256"] = "0" * 64
        said = "sha256"
    else:
        view["texts"]["extra"] = "a sentence the page does not show"
        said = "text extra only in Python"
    path.write_text(json.dumps(fixture))
    result = node_test(["widgets.test.mjs"], {"CONVTUTOR_FIXTURES": str(tmp_path)})
    assert result.returncode != 0, result.stdout[-3000:]
    assert re.search(r"^# fail 1$", result.stdout, re.MULTILINE), result.stdout[-3000:]
    assert said in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_shipped_module_parses(name, tmp_path):
    """The one module a widget ships (common.js, then its own file, the import removed)
    parses: a name the widget's file declares again beside common.js's stops the page."""
    path = tmp_path / f"{name}.mjs"
    path.write_text(module_source(name), encoding="utf-8")
    result = subprocess.run(
        [shutil.which("node"), "--check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
