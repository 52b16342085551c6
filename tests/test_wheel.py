"""The package as everyone but `make` installs it: from an sdist or a wheel, not editable.

Colab, VS Code, a hub image or ``pip install "convtutor @ git+https://..."`` all get a
wheel built from the source distribution. Here, with no network: the sdist is built
from the clone's files, the wheel from that sdist (as pip does), and the wheel is
installed by pip (``--no-deps --no-index``) into a fresh venv in a temporary folder,
outside the clone. The venv then sees the shared environment's packages for the
dependencies (a ``.pth`` line, after its own site-packages), but not the clone, nor the
editable convtutor of ``.venv``: every test checks that ``convtutor`` comes from the
venv. From that install every widget is built and a standalone page written; the last
test sweeps a widget of that page in Chromium (marked ``browser``).

Neither Colab nor VS Code can be tried here; this is what is checked instead.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "convtutor" / "widgets" / "static"
pytestmark = pytest.mark.package

#: The widget swept in Chromium from the installed copy's page.
SWEPT = "channel_filter"

#: Run inside the fresh venv: where convtutor comes from, every widget built, a page.
INSIDE = """
import json, sys
from pathlib import Path
import convtutor
from convtutor.widgets import ALL
from convtutor.widgets._base import STATIC
from convtutor.widgets._standalone import page
built = {}
for name, cls in ALL.items():
    w = cls()
    built[name] = {"module": cls.MODULE, "esm": len(w.get_state()["_esm"])}
Path(sys.argv[1]).write_text(page(ALL[sys.argv[2]](), title=sys.argv[2]), encoding="utf-8")
print(json.dumps({
    "file": convtutor.__file__,
    "static": sorted(p.name for p in STATIC.iterdir()),
    "built": built,
}))
"""


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    """Run outside the clone, with the clone off the path (no PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_CONSTRAINT")}
    done = subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _source_files() -> list[str]:
    """The clone's files as git sees them (tracked, and new ones not ignored)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("git is needed to list the clone's files")
    out = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout
    return [f for f in out.split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """sdist -> wheel -> a fresh venv; what the venv's convtutor says of itself."""
    pytest.importorskip("setuptools", minversion="77", reason="the build backend (test extra)")
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, venv = tmp / "src", tmp / "dist", tmp / "venv"
    for name in _source_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    dist.mkdir()
    build_sdist = (
        "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))"
    )
    sdist = dist / _run([sys.executable, "-c", build_sdist, str(dist)], cwd=src).stdout.split()[-1]
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(sdist)], cwd=tmp)
    (wheel,) = dist.glob("convtutor-*.whl")

    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], cwd=tmp)
    # The dependencies: the running environment's site-packages, after the venv's own.
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp
        ).stdout.strip()
    )
    shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (purelib / "zz_shared_dependencies.pth").write_text("\n".join(sorted(shared)) + "\n")

    page = tmp / f"{SWEPT}.html"
    report = json.loads(_run([str(python), "-c", INSIDE, str(page), SWEPT], cwd=tmp).stdout)
    return {"sdist": sdist, "wheel": wheel, "venv": venv, "page": page, **report}


def test_sdist_and_wheel_carry_every_module_and_the_widgets_page_code(installed):
    """Every .py of the package and every file in convtutor/widgets/static (the ES modules
    and the style sheet) is in the sdist and in the wheel built from it."""
    package = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "convtutor").rglob("*")
        if p.is_file() and (p.suffix == ".py" or STATIC in p.parents)
    )
    assert any(p.endswith(".js") for p in package) and any(p.endswith(".css") for p in package)
    with zipfile.ZipFile(installed["wheel"]) as whl:
        in_wheel = set(whl.namelist())
    with tarfile.open(installed["sdist"]) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert not [p for p in package if p not in in_wheel], "missing from the wheel"
    assert not [p for p in package if p not in in_sdist], "missing from the sdist"
    for extra in ("LICENSE", "LICENSE-CONTENT.md", "README.md", "pyproject.toml"):
        assert extra in in_sdist, extra


def test_the_installed_wheel_builds_every_widget_with_its_page_code(installed):
    """convtutor comes from the venv (not the clone, not .venv's editable install), and
    every widget of ALL builds there with its ES module."""
    venv = installed["venv"].resolve()
    assert venv in Path(installed["file"]).resolve().parents, installed["file"]
    assert installed["static"] == sorted(p.name for p in STATIC.iterdir())
    from convtutor.widgets import ALL

    assert sorted(installed["built"]) == sorted(ALL)
    for name, info in installed["built"].items():
        assert info["esm"] > 1000, f"{name}: its ES module is {info['esm']} characters"
    text = installed["page"].read_text(encoding="utf-8")
    assert "data-ct-model" in text and "renderAll" in text


@pytest.mark.browser
def test_a_page_written_from_the_installed_wheel_is_live_and_exact(installed):
    """The installed copy's standalone page, opened offline in Chromium: the widget
    starts, and a keyboard sweep paints exactly what Python computes for each state."""
    from convtutor.widgets._standalone import unpacked
    from tests.support.lab_harness import Browser, browser_problem, serious, sweep_compared
    from tests.support.pixels import reference_widget

    problem = browser_problem()
    if problem:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"browser tests are required under CI but cannot run: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")

    html = installed["page"].read_text(encoding="utf-8")
    start = html.index('<script type="application/vnd.jupyter.widget-state+json">')
    saved = html[html.index(">", start) + 1 : html.index("</script>", start)]
    document = unpacked(json.loads(saved.replace("<\\/", "</")))  # the page's pool, unpacked
    ((model_id, entry),) = document["state"].items()

    def sweep() -> None:
        chromium = Browser()
        try:
            chromium.open_file(installed["page"])
            chromium.settle(scope="body")
            live = chromium.page.evaluate(
                "[...document.querySelectorAll('[data-ct-model]')].map(e => e.dataset.ctLive)"
            )
            assert live == ["true"], live
            root = chromium.page.locator(f"[data-ct-model='{model_id}'] .ct-widget").first
            moves, problems = sweep_compared(root, reference_widget(entry))
            assert moves >= 10, f"only {moves} moves"
            assert not problems, "\n".join(problems[:10])
            assert not chromium.requests, f"the page asked the network for {chromium.requests}"
            assert not serious(chromium.console_errors), chromium.console_errors
        finally:
            chromium.close()

    # In a thread of its own: Playwright's sync API refuses a thread that runs an event
    # loop, as this worker's main thread may (another test's browser or hub).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(sweep).result()
