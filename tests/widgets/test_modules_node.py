"""The ES modules, run by Node, against fixtures that convtutor writes.

For every widget: the module's ``normalise`` must reach the state Python reaches for
every move of :func:`cases.cases`, and its ``view`` must give the same panels (RGBA
bytes compared by SHA-256), tables and texts as :meth:`Widget.view`. Also runs any
hand-written ``tests/js/*.test.mjs``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cases import cases

from convtutor.widgets import ALL
from convtutor.widgets._standalone import saved_state

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "tests" / "js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def expected_view(view: dict) -> dict:
    panels = []
    for p in view["panels"]:
        q = {k: v for k, v in p.items() if k != "rgba"}
        if "rgba" in p and not p.get("hidden"):
            q["sha256"] = hashlib.sha256(p["rgba"].tobytes()).hexdigest()
            q["width"], q["height"] = p["rgba"].shape[1], p["rgba"].shape[0]
        panels.append(q)
    return {"panels": panels, "texts": view["texts"]}


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
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    result = subprocess.run(
        ["node", "--test", *files],
        env={"CONVTUTOR_FIXTURES": str(fixtures), "PATH": "/usr/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " fail 0" in result.stdout, result.stdout[-3000:]


def test_fixture_buffers_are_the_widget_arrays():
    """The saved buffers the Node tests read are the float32 arrays Python ships."""
    widget = ALL["pointwise_mixer"]()
    saved = saved_state(widget)["state"][widget.model_id]
    for buffer in saved["buffers"]:
        name = buffer["path"][-1]
        assert base64.b64decode(buffer["data"]) == widget.data[name].tobytes()
