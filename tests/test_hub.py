"""A small class on a real JupyterHub (benchmarks/bench_class.py, N = 3): the README's hub
configuration (hub/jupyterhub_config.py) starts, three students log in at once, start their
servers, run all of lesson 02 and move a slider, with no failure. Where Chromium and
Playwright are there (the browser tests' condition), one of the three is a real browser:
the hub's login page, JupyterLab, Run All, the first widget painted, a slider moved by key.
The full class (N = 1, 10, 30, lessons 00-05, before and after) is a benchmark: make bench."""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _hub_problem() -> str | None:
    python = os.environ.get("CONVTUTOR_HUB_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import jupyterhub"], capture_output=True)
    if probe.returncode:
        return f"{python} cannot import jupyterhub (the test extra has it)"
    if shutil.which("npm") is None:
        return "npm is missing (configurable-http-proxy comes from npm)"
    return None


@pytest.mark.hub
@pytest.mark.notebook
def test_three_students_on_a_real_hub(tmp_path):
    """Three students on a real hub run lesson 02 without failure and fill one shared cache."""
    problem = _hub_problem()
    if problem:
        if _under_ci():
            pytest.fail(f"the hub test is required under CI but cannot run: {problem}")
        pytest.skip(problem)
    bench = _bench_class()
    # A cold cache shared by the three: they compute and write the same files at once.
    # In a thread of its own: the benchmark runs its students with asyncio.run(), which
    # refuses a thread that already runs an event loop (Playwright's, when a browser test
    # ran before this one on the same worker).
    from tests.support.lab_harness import browser_problem

    browsers = 0 if browser_problem() else 1
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        result = pool.submit(
            bench.run_class,
            ROOT,
            3,
            tmp_path / "cache",
            lessons=["02_depthwise"],
            browsers=browsers,
        ).result()
    students = result["students"]
    assert sum(bool(s.get("browser")) for s in students) == browsers
    for s in students[:browsers]:  # the browser student saw a widget painted and moved it
        assert s["painted"] is not None and s["key_ms"] is not None, s
    assert [s["failures"] for s in students] == [[], [], []]
    for s in students:
        assert s["start"] is not None
        assert s["first"].get("02_depthwise") is not None, s
        assert s["move"].get("02_depthwise") is not None, s  # the slider's update came back
        assert s["cpu"] and s["peak_rss"] > 0
    assert list((tmp_path / "cache").rglob("*.npz")), "the students' kernels filled the cache"
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_a_closed_kernel_websocket_is_opened_again_with_the_same_session():
    """The simulated student holds its kernel websocket as JupyterLab does: a close is
    followed by a new connection with the same ``session_id`` (the server replays what the
    kernel sent meanwhile), counted as a reconnect; after too many, the lesson fails."""
    import json

    bench = _bench_class()
    from tornado.websocket import WebSocketClosedError

    urls = []

    class Socket:  # one connection: its messages, then None (closed by the server)
        def __init__(self, messages, closed_on_write=False):
            self.messages, self.closed_on_write, self.sent = list(messages), closed_on_write, []

        async def read_message(self):
            return self.messages.pop(0) if self.messages else None

        async def write_message(self, text):
            if self.closed_on_write:
                raise WebSocketClosedError()
            self.sent.append(text)

        def close(self):
            pass

    def reply(n):
        return json.dumps({"msg_type": "status", "parent_header": {}, "content": {"n": n}})

    connections = [Socket([reply(1)], closed_on_write=True), Socket([]), Socket([reply(2)])]
    second_connection = connections[1]

    async def connect(request, max_message_size):
        urls.append(request.url)
        return connections.pop(0)

    def request(url, headers, connect_timeout, request_timeout):
        return type("Request", (), {"url": url})()

    record = {"reconnects": [], "restarts": []}
    ws = bench._KernelSocket("ws://h/k/channels", {}, record, "02_depthwise", connect, request)
    ws.PAUSE = 0

    async def go():
        await ws.connect()
        first = await ws.receive()  # from the first connection
        ws.stage = "run all"
        await ws.send({"x": 1})  # refused: closed; sent again on a second connection
        second = await ws.receive()  # the second is closed too: a third answers
        return first, second

    first, second = _run(go())
    assert first["content"] == {"n": 1} and second["content"] == {"n": 2}
    assert len(set(urls)) == 1 and urls[0] == f"ws://h/k/channels?session_id={ws.sid}"
    assert len(urls) == 3
    assert [json.loads(m) for m in second_connection.sent] == [{"x": 1}]
    assert record["reconnects"] == ["02_depthwise: run all", "02_depthwise: run all"]

    record = {"reconnects": [], "restarts": []}
    ws = bench._KernelSocket("ws://h/k/channels", {}, record, "03_pointwise", connect, request)
    ws.PAUSE = 0
    connections[:] = [Socket([]) for _ in range(ws.RETRIES + 2)]
    with pytest.raises(RuntimeError, match="5 reconnections"):
        _run(_receive_after_connect(ws))
    assert len(record["reconnects"]) == ws.RETRIES + 1

    # The server's "restarting": passed on before the first cell, a failure after it.
    def status(state, parent=None):
        return json.dumps({"msg_type": "status", "parent_header": parent or {},
                           "content": {"execution_state": state}})  # fmt: skip

    record = {"reconnects": [], "restarts": []}
    ws = bench._KernelSocket("ws://h/k/channels", {}, record, "04", connect, request)
    ws.PAUSE = 0
    connections[:] = [Socket([status("restarting")]), Socket([status("restarting")])]
    _run(ws.connect())
    ws.stage = "kernel_info"
    assert _run(ws.receive())["content"]["execution_state"] == "restarting"
    assert not connections  # connected again, as JupyterLab does after a restart
    ws.stage = "run all"
    with pytest.raises(RuntimeError, match="restarted during run all"):
        _run(ws.receive())
    assert record["restarts"] == ["04: kernel_info: restarting", "04: run all: restarting"]
    connections[:] = [Socket([status("restarting", {"msg_id": "m"}), status("dead")])]
    _run(ws.connect())
    assert _run(ws.receive())["parent_header"] == {"msg_id": "m"}  # the kernel's own
    ws.stage = "kernel_info"
    with pytest.raises(RuntimeError, match="died during kernel_info"):
        _run(ws.receive())


async def _receive_after_connect(ws):
    await ws.connect()
    return await ws.receive()


def _bench_class():
    """benchmarks/bench_class.py, loaded from its file."""
    spec = importlib.util.spec_from_file_location(
        "bench_class", ROOT / "benchmarks" / "bench_class.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def _hub_config():
    """(config, names) of the README's hub configuration, read as JupyterHub reads it:
    the traitlets Config it fills, and the names the file defines."""
    from traitlets.config import Config

    config = Config()
    source = (ROOT / "hub" / "jupyterhub_config.py").read_text()
    names = {"get_config": lambda: config}
    exec(compile(source, "jupyterhub_config.py", "exec"), names)
    return config, names


def _restart_on_a_taken_port(cache_ports: bool) -> tuple[bool, bool]:
    """A kernel dies, and another process takes its shell port before its server restarts
    it: (whether the restarted kernel answers, whether it moved to new ports)."""
    import asyncio
    import socket
    import time

    from jupyter_client.ioloop import AsyncIOLoopKernelManager

    async def scenario():
        km = AsyncIOLoopKernelManager(kernel_name="python3", cache_ports=cache_ports)
        await km.start_kernel()
        port, dead = km.shell_port, []
        km.add_restart_callback(lambda: dead.append(True), "dead")
        km.start_restarter()
        km._restarter.time_to_dead = 0.3
        km._restarter.restart_limit = 2
        with socket.socket() as taken:
            await km.provisioner.kill()
            await asyncio.sleep(0.2)
            taken.bind(("127.0.0.1", port))
            taken.listen()
            answered, deadline = False, time.monotonic() + 60
            while not dead and time.monotonic() < deadline:
                await asyncio.sleep(0.3)
                if km.shell_port != port and await km.is_alive():
                    client = km.client()
                    client.start_channels()
                    try:
                        await client.wait_for_ready(timeout=60)
                        answered = True
                    finally:
                        client.stop_channels()
                    break
        moved = km.shell_port != port
        km.stop_restarter()
        await km.shutdown_kernel(now=True)
        return answered, moved

    return _run(scenario())


@pytest.mark.notebook
def test_the_hub_restarts_a_kernel_on_new_ports():
    """The hub configuration turns the servers' port cache off, so a kernel that could not
    listen on a port taken by another process starts again on new ports; with the cache (the
    default) it is restarted on the same ports and dies, as in the class benchmark."""
    args = list(_hub_config()[0].Spawner.args)
    assert "--KernelManager.cache_ports=False" in args
    assert _restart_on_a_taken_port(cache_ports=False) == (True, True)
    assert _restart_on_a_taken_port(cache_ports=True) == (False, False)


def test_the_hub_puts_kernels_on_unix_sockets_where_the_paths_fit(caplog):
    """The hub configuration's pre-spawn hook adds --KernelManager.transport=ipc when the
    longest kernel socket path in the student's runtime folder fits in 107 bytes, and
    keeps TCP (with a warning naming the student) when it does not."""
    import logging
    from types import SimpleNamespace

    config, namespace = _hub_config()
    hook = config.Spawner.pre_spawn_hook

    def spawner(home, environment=None, name="ada"):
        return SimpleNamespace(
            home_dir=home, environment=environment or {}, args=["--x"],
            user=SimpleNamespace(name=name), log=logging.getLogger("hub-test"),
        )  # fmt: skip

    short = spawner("/home/ada")
    hook(short)
    hook(short)  # the student's next start: the same spawner, the flag once
    assert short.args == ["--x", "--KernelManager.transport=ipc"]
    data = spawner("/home/ada", {"JUPYTER_DATA_DIR": "/d", "XDG_DATA_HOME": "/x"})
    assert namespace["runtime_dir"](data) == "/d/runtime"
    assert namespace["runtime_dir"](spawner("/h", {"XDG_DATA_HOME": "/x"})) == "/x/jupyter/runtime"
    # /home/<21 characters>/.local/share/jupyter/runtime/kernel-<id>-ipc-99: 107 bytes
    edge = spawner("/home/" + "a" * 21)
    hook(edge)
    assert edge.args[-1] == "--KernelManager.transport=ipc"
    over = spawner("/home/" + "a" * 22, name="a" * 22)
    with caplog.at_level(logging.WARNING, logger="hub-test"):
        hook(over)
    assert over.args == ["--x"]
    assert "a" * 22 + "'s kernels use TCP" in caplog.text
    # a short runtime folder of one's own, as a callable of the spawner, brings them back
    fixed = spawner(
        "/home/" + "a" * 40, {"JUPYTER_RUNTIME_DIR": lambda s: "/run/ct/" + s.user.name}
    )
    hook(fixed)
    assert fixed.args[-1] == "--KernelManager.transport=ipc"
    assert namespace["runtime_dir"](fixed) == "/run/ct/ada"
    # no home_dir and no local account of that name: TCP, said, and the spawn goes on
    stranger = spawner(None, name="no-such-user-convtutor")
    with caplog.at_level(logging.WARNING, logger="hub-test"):
        hook(stranger)
    assert stranger.args == ["--x"]
    assert "no-such-user-convtutor's kernels use TCP: no local home folder" in caplog.text


def _run(coroutine):
    """``asyncio.run`` in a thread of its own: a browser test that ran before on the same
    worker leaves Playwright's event loop running in this one, where asyncio.run refuses."""
    import asyncio

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
