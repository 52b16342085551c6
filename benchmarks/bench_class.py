"""A class on one server: N students on a real JupyterHub at once, before and after light kernels.

A real JupyterHub (PyPI ``jupyterhub``, with ``configurable-http-proxy`` from npm in
``build/chp``) runs on 127.0.0.1 with the configuration the README recommends,
``hub/jupyterhub_config.py``, plus only what a loopback test needs: ports on 127.0.0.1, a
password login for made-up users (DummyAuthenticator) and one local process per user under
this Unix account (SimpleLocalProcessSpawner, each user's home a folder of ``build/``), and
a short Jupyter runtime folder per user (in the system's temporary folder), so that the
configuration's kernels on Unix sockets fit the socket path's limit.

N students (N = 1, 10, 30) start together. Each, over HTTP and the kernel websocket as
JupyterLab does:

1. logs in (the hub's login form) and starts its server (the hub's REST API);
2. opens lessons 00 to 05 in turn: creates a session (a kernel), waits until the kernel
   answers, sends every code cell at once with ``stop_on_error`` (JupyterLab's "run all"),
   reads every message until the last cell has replied, then moves one slider of the first
   widget (the comm message the page sends when a slider moves) and waits for the kernel to
   be idle again; then shuts that kernel down (closing the lesson) and opens the next.
   Its kernel websocket is held as JupyterLab holds it (:class:`_KernelSocket`): on a close
   it connects again with the same session id (counted), and after a kernel restart too.

Recorded per student: time from "run all" to the first widget's display message, per lesson;
CPU-seconds of its server and all its kernels (``/proc``, children reaped); peak RSS of its
server and kernels together (sampled every second); failures (a cell that errs or is aborted,
a server that does not start, a kernel that dies or restarts once its lesson has begun, a
timeout). For N > 1, one of the N is a real Chromium instead (:func:`browser_student`,
lesson 02 only): a Chromium for each of 30 students would measure Chromium.
``bench_kernels.py`` gives one student's kernel figures. The hub's log is kept in
``build/hub-logs/``.

BEFORE runs the students' servers on a git worktree of ``OLD_COMMIT``; AFTER on a worktree of
this checkout's HEAD, with the class cache filled beforehand (as the README tells the
instructor).

Run: ``python benchmarks/bench_class.py [N ...]``; the hub's Python is this one, or
``$CONVTUTOR_HUB_PYTHON`` (an environment with jupyterhub, jupyterlab and convtutor's
dependencies). Loopback only; bounded: every student gives up after ``STUDENT_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

HUB_CONFIG = REPO / "hub" / "jupyterhub_config.py"
CHP_PREFIX = REPO / "build" / "chp"
CHP_VERSION = "5.3.0"
OLD_COMMIT = "2fd3dd6"  # main before light kernels (issue 21)
LESSONS = ["00_start_here", "01_standard_convolution", "02_depthwise", "03_pointwise",
           "04_depthwise_separable", "05_sobel_separability"]  # fmt: skip
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STUDENT_TIMEOUT = 1200  # seconds for one student's whole session
TARGET_P95 = 30.0  # seconds to 02's first widget, N = 30


# ---- set-up --------------------------------------------------------------------------------
def configurable_http_proxy() -> str:
    """The proxy from npm, installed into build/chp on first use (never globally)."""
    found = CHP_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if not found.exists():
        CHP_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(CHP_PREFIX), "--no-audit", "--no-fund",
             f"configurable-http-proxy@{CHP_VERSION}"],
            check=True, capture_output=True,
        )  # fmt: skip
    return str(found)


def hub_python() -> str:
    """A Python that has jupyterhub (and jupyterlab, and convtutor's dependencies)."""
    python = os.environ.get("CONVTUTOR_HUB_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import jupyterhub, jupyterlab"], capture_output=True)
    if probe.returncode:
        raise RuntimeError(
            f"{python} cannot import jupyterhub: install the test extra "
            '(pip install -e ".[test]") or set CONVTUTOR_HUB_PYTHON'
        )
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OVERLAY = """\
# What a test on loopback adds to the recommended configuration (bench_class.py).
import json, os
c = get_config()
load_subconfig({config!r})
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {work!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {work!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {work!r} + "/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = {singleuser!r}
c.Spawner.args = list(c.Spawner.args) + {extra_args!r}
c.Spawner.environment.update(json.loads({environment!r}))
# each student's Jupyter runtime folder short enough for the kernels' Unix sockets
c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: {runtime!r} + "/" + spawner.user.name
c.JupyterHub.services = [{{"name": "bench", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "bench", "services": ["bench"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
"""


@contextlib.contextmanager
def running_hub(tree: Path, cache: Path, work: Path):
    """A JupyterHub on 127.0.0.1 whose users run ``tree``'s convtutor; yields its details."""
    python = hub_python()
    port, hub_port, proxy_port = free_port(), free_port(), free_port()
    password, token = secrets.token_hex(8), secrets.token_hex(16)
    homes = work / "homes"
    homes.mkdir(parents=True, exist_ok=True)
    # the students' runtime folders (their kernels' sockets): a short path, see the hub's config
    runtime = Path(tempfile.mkdtemp(prefix="ct-"))
    # the module, not the jupyterhub-singleuser script: a script's first line names the
    # Python it was installed with, which a moved or shared environment may not have
    singleuser = [python, "-m", "jupyterhub.singleuser"]
    extra = ["--allow-root"] if os.geteuid() == 0 else []
    environment = {"PYTHONPATH": str(tree), "CONVTUTOR_CACHE_DIR": str(cache),
                   "CONVTUTOR_QUICK": "", "JUPYTER_PLATFORM_DIRS": "1"}  # fmt: skip
    config = work / "jupyterhub_config.py"
    config.write_text(
        OVERLAY.format(
            config=str(HUB_CONFIG),
            port=port,
            hub_port=hub_port,
            proxy_port=proxy_port,
            chp=configurable_http_proxy(),
            work=str(work),
            password=password,
            homes=str(homes),
            singleuser=singleuser,
            extra_args=extra,
            environment=json.dumps(environment),
            token=token,
            runtime=str(runtime),
        )  # fmt: skip
    )
    log = open(work / "hub.log", "wb")  # noqa: SIM115 - closed below
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CONVTUTOR_QUICK")}
    env["PATH"] = f"{Path(python).parent}:{env.get('PATH', '')}"
    hub = subprocess.Popen(
        [python, "-m", "jupyterhub", "-f", str(config)], cwd=work, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/hub/api/", hub, work)
        yield {"base": base, "password": password, "token": token, "homes": homes,
               "tree": tree, "work": work}  # fmt: skip
    finally:
        hub.send_signal(signal.SIGTERM)  # stops the users' servers and the proxy too
        try:
            hub.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
            hub.wait()
        log.close()
        shutil.rmtree(runtime, ignore_errors=True)


def _wait_for(url: str, hub: subprocess.Popen, work: Path, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited: see {work / 'hub.log'}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterHub did not answer within {timeout} s")


# ---- one student -------------------------------------------------------------------------
def _cookies(response, jar: dict) -> None:
    for header in response.headers.get_list("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _decode(message) -> dict:
    """A kernel websocket message: JSON text, or the binary form when it carries buffers."""
    if isinstance(message, str):
        return json.loads(message)
    (n,) = struct.unpack("!I", message[:4])
    offsets = struct.unpack(f"!{n}I", message[4 : 4 + 4 * n])
    end = offsets[1] if n > 1 else len(message)
    return json.loads(message[offsets[0] : end].decode("utf-8"))


def _request(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                   "session": session, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
        "buffers": [],
    }  # fmt: skip


async def student(hub: dict, name: str, lessons: list[str]) -> dict:
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.websocket import websocket_connect

    http = AsyncHTTPClient(
        force_instance=True, defaults={"request_timeout": 600, "connect_timeout": 600}
    )
    base, admin = hub["base"], {"Authorization": f"token {hub['token']}"}
    record = {
        "name": name,
        "first": {},
        "move": {},
        "failures": [],
        "reconnects": [],
        "restarts": [],
        "start": None,
    }
    t_begin = time.perf_counter()

    async def fetch(url, **kw):
        return await http.fetch(url, raise_error=False, follow_redirects=False, **kw)

    # 1. log in with the hub's form, as a browser does
    jar: dict = {}
    r = await fetch(f"{base}/hub/login")
    _cookies(r, jar)
    form = {"username": name, "password": hub["password"], "_xsrf": jar.get("_xsrf", "")}
    r = await fetch(
        f"{base}/hub/login", method="POST", body=urllib.parse.urlencode(form),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())},
    )  # fmt: skip
    if r.code != 302:
        record["failures"].append(f"login: HTTP {r.code}")
        return record
    # 2. start the server and wait until it is ready
    r = await fetch(f"{base}/hub/api/users/{name}/server", method="POST", body="{}",
                    headers=admin)  # fmt: skip
    if r.code not in (201, 202):
        record["failures"].append(f"start: HTTP {r.code} {r.body[:200]!r}")
        return record
    while True:
        r = await fetch(f"{base}/hub/api/users/{name}", headers=admin)
        server = json.loads(r.body).get("servers", {}).get("", {})
        if server.get("ready"):
            break
        if not server.get("pending") and not server.get("ready"):
            record["failures"].append("start: the server stopped")
            return record
        await asyncio.sleep(0.5)
    record["start"] = time.perf_counter() - t_begin
    r = await fetch(f"{base}/hub/api/users/{name}/tokens", method="POST",
                    body=json.dumps({"expires_in": 7200}), headers=admin)  # fmt: skip
    user = {"Authorization": f"token {json.loads(r.body)['token']}"}
    api = f"{base}/user/{name}/api"

    for lesson in lessons:
        body = json.dumps({"path": f"{lesson}.ipynb", "type": "notebook", "name": lesson,
                           "kernel": {"name": "python3"}})  # fmt: skip
        r = await fetch(f"{api}/sessions", method="POST", body=body, headers=user)
        if r.code != 201:
            record["failures"].append(f"{lesson}: session HTTP {r.code}")
            continue
        session = json.loads(r.body)
        try:
            await _run_lesson(hub, lesson, session, api, user, record, websocket_connect,
                              HTTPRequest)  # fmt: skip
        except Exception as error:  # noqa: BLE001 - a failure of this student, reported
            record["failures"].append(f"{lesson}: {type(error).__name__}: {error}")
        await fetch(f"{api}/sessions/{session['id']}", method="DELETE", headers=user)
    record["total"] = time.perf_counter() - t_begin
    http.close()
    return record


class _KernelSocket:
    """A kernel websocket as JupyterLab holds one: the client's session id in the URL, and
    on a close a new connection with the same id, on which the server replays what the
    kernel sent meanwhile (jupyter_server buffers a session's messages while it is
    disconnected). Each reconnection is counted in ``record["reconnects"]``."""

    RETRIES = 5
    PAUSE = 1.0  # seconds before connecting again: JupyterLab waits too
    SILENCE = 600.0  # seconds without any message from the kernel: a failure

    def __init__(self, url, user, record, lesson, websocket_connect, HTTPRequest):
        self.sid = uuid.uuid4().hex
        self.url = f"{url}?session_id={self.sid}"
        self.user, self.record, self.lesson = user, record, lesson
        self.connect_, self.request = websocket_connect, HTTPRequest
        self.ws = None
        self.stage = "connect"

    async def connect(self):
        # as patient as a browser: on a loaded server the handshake can take longer than
        # tornado's default 20 s
        request = self.request(self.url, headers=self.user, connect_timeout=600,
                               request_timeout=600)  # fmt: skip
        self.ws = await self.connect_(request, max_message_size=1 << 30)

    async def _reconnect(self):
        self.record["reconnects"].append(f"{self.lesson}: {self.stage}")
        if len(self.record["reconnects"]) > self.RETRIES:
            raise RuntimeError(f"the kernel websocket closed during {self.stage}, "
                               f"{self.RETRIES} reconnections already")  # fmt: skip
        await asyncio.sleep(self.PAUSE)
        await self.connect()

    async def send(self, msg: dict) -> None:
        from tornado.websocket import WebSocketClosedError

        try:
            await self.ws.write_message(json.dumps(msg))
        except WebSocketClosedError:
            await self._reconnect()
            await self.ws.write_message(json.dumps(msg))

    async def receive(self) -> dict:
        """The next message. The server's own "restarting" and "dead" (its kernel restarter)
        are a failure once the lesson has begun: the kernel lost what the cells made."""
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.read_message(), self.SILENCE)
            except asyncio.TimeoutError:
                raise RuntimeError(f"no message from the kernel in {self.SILENCE:.0f} s "
                                   f"during {self.stage}") from None  # fmt: skip
            if raw is None:
                await self._reconnect()
                continue
            msg = _decode(raw)
            state = msg["content"].get("execution_state") if msg["msg_type"] == "status" else None
            if state in ("restarting", "dead") and not msg["parent_header"]:
                self.record["restarts"].append(f"{self.lesson}: {self.stage}: {state}")
                if state == "dead" or self.stage != "kernel_info":
                    raise RuntimeError(f"the kernel {'died' if state == 'dead' else 'restarted'}"
                                       f" during {self.stage}")  # fmt: skip
                # as JupyterLab: a new connection to the restarted kernel; the caller asks again
                self.ws.close()
                await asyncio.sleep(self.PAUSE)
                await self.connect()
            return msg

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


async def _run_lesson(hub, lesson, session, api, user, record, websocket_connect, HTTPRequest):
    import nbformat

    nb = nbformat.read(hub["homes"] / record["name"] / f"{lesson}.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    ws_url = api.replace("http://", "ws://") + f"/kernels/{session['kernel']['id']}/channels"
    ws = _KernelSocket(ws_url, user, record, lesson, websocket_connect, HTTPRequest)
    await ws.connect()
    sid = ws.sid
    try:
        ws.stage = "kernel_info"
        info = _request("kernel_info_request", {}, sid)
        await ws.send(info)
        while True:  # the kernel answers: it has started
            msg = await ws.receive()
            if msg["parent_header"].get("msg_id") == info["header"]["msg_id"] and (
                msg["msg_type"] == "kernel_info_reply"
            ):
                break
            if msg["msg_type"] == "status" and not msg["parent_header"]:  # restarted: ask it
                info = _request("kernel_info_request", {}, sid)
                await ws.send(info)
        ws.stage = "run all"
        t0 = time.perf_counter()
        pending, comms, first_model = set(), {}, None
        for source in cells:  # run all: every cell sent at once
            req = _request("execute_request", {"code": source, "silent": False,
                           "store_history": True, "user_expressions": {}, "allow_stdin": False,
                           "stop_on_error": True}, sid)  # fmt: skip
            pending.add(req["header"]["msg_id"])
            await ws.send(req)
        while pending:
            msg = await ws.receive()
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply" and msg["parent_header"].get("msg_id") in pending:
                pending.discard(msg["parent_header"]["msg_id"])
                if content.get("status") != "ok":
                    record["failures"].append(f"{lesson}: a cell {content.get('status')}"
                                              f" ({content.get('ename', '')})")  # fmt: skip
            elif kind == "comm_open":
                comms[content["comm_id"]] = content.get("data", {}).get("state", {})
            elif kind in ("display_data", "execute_result") and WIDGET_MIME in content.get(
                "data", {}
            ):
                if first_model is None:
                    record["first"][lesson] = time.perf_counter() - t0
                    first_model = content["data"][WIDGET_MIME]["model_id"]
        if first_model is None:
            record["failures"].append(f"{lesson}: no widget shown")
            return
        # move one slider of the first widget, as the page does: the new values, synced
        ws.stage = "slider"
        state = comms.get(first_model, {})
        values = dict(state.get("values", {}))
        spec = next((s for s in state.get("_controls", []) if s.get("kind") == "range"), None)
        if spec is not None:
            value = values.get(spec["name"], spec["min"])
            step = spec.get("step", 1)
            values[spec["name"]] = value + step if value + step <= spec["max"] else value - step
        update = _request("comm_msg", {"comm_id": first_model, "data": {
            "method": "update", "state": {"values": values}, "buffer_paths": []}}, sid)  # fmt: skip
        t1 = time.perf_counter()
        await ws.send(update)
        while True:
            msg = await ws.receive()
            done = msg["parent_header"].get("msg_id") == update["header"]["msg_id"]
            if done and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                record["move"][lesson] = time.perf_counter() - t1
                break
    except Exception as error:
        raise RuntimeError(f"{ws.stage}: {type(error).__name__}: {error}") from error
    finally:
        ws.close()


# ---- one student in a real browser ---------------------------------------------------------
BROWSER_LESSON = "02_depthwise"


def browser_student(hub: dict, name: str, lesson: str = BROWSER_LESSON) -> dict:
    """One student in a real Chromium: the hub's login page, JupyterLab (its default
    settings), ``lesson`` opened, Run All from the Run menu, the first widget painted, one
    slider moved by keyboard (key -> the frame that shows the new picture).

    The same page clocks as ``bench_kernels.painted`` and ``bench_browser`` (Playwright
    with ``/usr/bin/chromium``; sync API, so run it in a thread of its own)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.bench_kernels import ALL_RUN, FIRST_PAINT_CLOCK, _wait_quiet
    from tests.support import lab_harness as h

    record = {"name": name, "browser": True, "first": {}, "move": {}, "failures": [],
              "start": None, "painted": None, "key_ms": None}  # fmt: skip
    t_begin = time.perf_counter()
    profile = Path(tempfile.mkdtemp(prefix="convtutor-chromium-"))
    pw = sync_playwright().start()
    try:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(h.CHROMIUM), headless=True,
            args=h.CHROMIUM_ARGS, viewport=h.VIEWPORT,
        )  # fmt: skip
        context.add_init_script(h.INIT_SCRIPT)  # the key -> paint clock
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(STUDENT_TIMEOUT * 1000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        # 1. the hub's login page, as a student types it
        page.goto(f"{hub['base']}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", hub["password"])
        page.click("#login_submit")
        page.wait_for_load_state()
        # 2. the lesson in JupyterLab: the hub starts the server (its spawn page waits)
        page.goto(f"{hub['base']}/user/{name}/lab/tree/{lesson}.ipynb?reset")
        page.wait_for_selector(f"{h.PANEL} .jp-Notebook")
        record["start"] = time.perf_counter() - t_begin
        page.wait_for_selector(f"{h.PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']")
        _wait_quiet(page, timeout=STUDENT_TIMEOUT)
        # 3. Run All, to the first widget painted
        page.evaluate(FIRST_PAINT_CLOCK, h.PANEL)
        page.click("#jp-MainMenu .lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-item[data-command='runmenu:run-all']")
        page.wait_for_function("window.__ctFirstPaint !== null", polling=20)
        record["painted"] = page.evaluate("(window.__ctFirstPaint - window.__ctRunAt) / 1000")
        record["first"][lesson] = record["painted"]
        page.wait_for_function(ALL_RUN, arg=h.PANEL, polling=100)
        # 4. one slider of the first widget, one arrow key
        slider = page.locator(f"{h.PANEL} .ct-widget .ct-controls input[type=range]").first
        slider.focus()
        page.evaluate("window.__ctLatencies = []")
        t1 = time.perf_counter()
        slider.press("ArrowRight")
        page.wait_for_function("window.__ctLatencies.length > 0", timeout=30_000)
        record["key_ms"] = page.evaluate("window.__ctLatencies[0]")
        record["move"][lesson] = time.perf_counter() - t1
        failed = page.locator(
            f"{h.PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).count()
        if failed:
            record["failures"].append(f"{lesson}: {failed} cell(s) wrote to stderr")
        record["failures"] += [f"{lesson}: console: {e}" for e in h.serious(errors)]
        context.close()
    except Exception as error:  # noqa: BLE001 - a failure of this student, reported
        record["failures"].append(f"{lesson} (browser): {type(error).__name__}: {error}")
    finally:
        pw.stop()
        shutil.rmtree(profile, ignore_errors=True)
    record["total"] = time.perf_counter() - t_begin
    return record


# ---- the class -----------------------------------------------------------------------------
class Sampler(threading.Thread):
    """Every second: each student's server and kernels, RSS summed; peak and CPU kept."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak: dict = {}
        self.cpu: dict = {}
        self.stop = threading.Event()

    def run(self):
        import psutil

        while not self.stop.is_set():
            for p in psutil.process_iter(["cmdline"]):
                try:
                    names = [a.rsplit("/", 1)[-1] for a in p.info["cmdline"] or []]
                    if not {"jupyterhub-singleuser", "jupyterhub.singleuser"} & set(names):
                        continue
                    user = p.environ().get("JUPYTERHUB_USER")
                    family = [p, *p.children(recursive=True)]
                    rss = sum(q.memory_info().rss for q in family)
                    t = p.cpu_times()
                    own = t.user + t.system + t.children_user + t.children_system
                    for q in family[1:]:
                        u = q.cpu_times()
                        own += u.user + u.system
                except (psutil.Error, OSError):
                    continue
                self.peak[user] = max(self.peak.get(user, 0), rss)
                self.cpu[user] = max(self.cpu.get(user, 0.0), own)
            self.stop.wait(1.0)


def run_class(
    tree: Path, n: int, cache: Path | None = None, lessons=LESSONS, browsers: int = 0
) -> dict:
    """N students at once on a fresh hub serving ``tree``; per-student records. The first
    ``browsers`` of them are real Chromiums (:func:`browser_student`, lesson 02 only)."""
    work = Path(tempfile.mkdtemp(prefix="convtutor-hub-", dir=REPO / "build"))
    cache = cache or work / "cache-unused"
    names = [f"student{i:02d}" for i in range(n)]
    try:
        with running_hub(tree, cache, work) as hub:
            for name in names:  # each student's home: a copy of the lessons
                home = hub["homes"] / name
                home.mkdir(parents=True, exist_ok=True)
                for lesson in lessons:
                    shutil.copy(tree / "notebooks" / f"{lesson}.ipynb", home)
            sampler = Sampler()
            sampler.start()
            started = time.perf_counter()

            async def everyone():
                tasks = [asyncio.wait_for(asyncio.to_thread(browser_student, hub, name)
                                          if i < browsers else student(hub, name, lessons),
                                          STUDENT_TIMEOUT)
                         for i, name in enumerate(names)]  # fmt: skip
                return await asyncio.gather(*tasks, return_exceptions=True)

            records = asyncio.run(everyone())
            wall = time.perf_counter() - started
            time.sleep(1.5)  # one more sample after the last kernel was reaped
            sampler.stop.set()
            sampler.join()
    finally:
        log = work / "hub.log"
        if log.exists():  # the hub's and the students' servers' log, for a failure's cause
            kept = REPO / "build" / "hub-logs" / f"hub-{n}-{time.strftime('%Y%m%d-%H%M%S')}.log"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, kept)
        shutil.rmtree(work, ignore_errors=True)
    out = []
    for name, rec in zip(names, records, strict=True):
        if isinstance(rec, BaseException):
            rec = {"name": name, "first": {}, "move": {}, "start": None, "reconnects": [],
                   "restarts": [], "failures": [f"{type(rec).__name__}: {rec}"]}  # fmt: skip
        rec["cpu"] = sampler.cpu.get(name)
        rec["peak_rss"] = sampler.peak.get(name, 0) / 2**20
        out.append(rec)
    return {"n": n, "wall": wall, "students": out}


def warm_cache(tree: Path, cache: Path) -> None:
    """What the README asks of the instructor: run every lesson once with the class cache."""
    import nbformat
    from nbclient import NotebookClient

    env = {**os.environ, "PYTHONPATH": str(tree), "CONVTUTOR_CACHE_DIR": str(cache)}
    env.pop("CONVTUTOR_QUICK", None)
    for lesson in LESSONS:
        path = tree / "notebooks" / f"{lesson}.ipynb"
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
        client.execute(env=env)


def _pct(values, q):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def summarize(result: dict) -> dict:
    """The simulated students' figures, and the browser student's (``browser_*``)."""
    s = [r for r in result["students"] if not r.get("browser")]
    b = next((r for r in result["students"] if r.get("browser")), None)
    first02 = [r["first"].get("02_depthwise") for r in s]
    first_all = [v for r in s for v in r["first"].values()]
    failures = [f"{r['name']}: {f}" for r in result["students"] for f in r["failures"]]
    return {
        "n": result["n"],
        "wall": result["wall"],
        "start_p50": _pct([r["start"] for r in s], 50),
        "first02_p50": _pct(first02, 50),
        "first02_p95": _pct(first02, 95),
        "first_p50": _pct(first_all, 50),
        "first_p95": _pct(first_all, 95),
        "move_p50": _pct([v for r in s for v in r["move"].values()], 50),
        "cpu": statistics.mean([r["cpu"] for r in s if r["cpu"] is not None] or [0]),
        "rss": statistics.mean([r["peak_rss"] for r in s] or [0]),
        "rss_max": max([r["peak_rss"] for r in s] or [0]),
        "failures": failures,
        "reconnects": [f"{r['name']}: {x}" for r in s for x in r.get("reconnects", [])],
        "restarts": [f"{r['name']}: {x}" for r in s for x in r.get("restarts", [])],
        "missing_02": sum(v is None for v in first02),
        "browser": b is not None,
        "browser_start": b and b["start"],
        "browser_painted": b and b["painted"],
        "browser_key_ms": b and b["key_ms"],
        "browser_cpu": b and b["cpu"],
    }


def _f(value, fmt="{:.1f} s") -> str:
    return "—" if value is None else fmt.format(value)


def _browser(s: dict) -> str:
    """The browser student's cell: in JupyterLab, 02 painted, key -> paint, CPU."""
    if not s["browser"]:
        return "—"
    return (f"{_f(s['browser_start'])} / {_f(s['browser_painted'], '{:.2f} s')} / "
            f"{_f(s['browser_key_ms'], '{:.0f} ms')} / {_f(s['browser_cpu'])}")  # fmt: skip


def run(
    sizes=(1, 10, 30), variants=("after", "before"), partial: Path | None = None, browsers=1
) -> str:
    from benchmarks.bench_kernels import byte_compile
    from benchmarks.bench_tests import worktree

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    (REPO / "build").mkdir(exist_ok=True)
    rows, notes = [], []
    cache = Path(tempfile.mkdtemp(prefix="convtutor-class-cache-", dir=REPO / "build"))
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    try:
        with worktree(OLD_COMMIT) as old, worktree(head) as new:
            byte_compile(old)  # as pip install leaves a package
            byte_compile(new)
            warm_cache(new, cache)
            for n in sizes:
                chosen = {"after": (new, cache), "before": (old, None)}
                for label, (tree, use) in ((v, chosen[v]) for v in variants):
                    print(f"  N = {n}, {label}", flush=True)
                    s = summarize(run_class(tree, n, use, browsers=min(browsers, n - 1)))
                    verdict = ""
                    if n == 30 and label == "after":
                        ok = s["first02_p95"] is not None and s["first02_p95"] <= TARGET_P95
                        verdict = " (met)" if ok and not s["failures"] else " (MISSED)"
                    rows.append(
                        f"| {n} | {label} | {_f(s['start_p50'])} | {_f(s['first02_p50'])} "
                        f"| {_f(s['first02_p95'])}{verdict} | {_f(s['first_p50'])} "
                        f"| {_f(s['first_p95'])} | {_f(s['move_p50'], '{:.2f} s')} "
                        f"| {s['cpu']:.1f} s | {s['rss']:.0f} MB ({s['rss_max']:.0f}) "
                        f"| {len(s['failures'])} | {len(s['reconnects'])} | {s['wall']:.0f} s "
                        f"| {_browser(s)} |"
                    )
                    for what, key in (("", "failures"), ("reconnected: ", "reconnects"),
                                      ("kernel restarted: ", "restarts")):  # fmt: skip
                        notes += [f"- N = {n}, {label}: {what}{x}" for x in s[key][:5]]
                    print(rows[-1], flush=True)
                    (partial or PARTIAL).write_text(_section(rows, notes, load_before, head))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return _section(rows, notes, load_before, head)


PARTIAL = HERE / "results" / "class.md"  # rewritten after each row: a long run leaves its rows


def _section(rows, notes, load_before, head) -> str:
    lines = [
        "## A class on one server: a real JupyterHub (bench_class.py)",
        "",
        "A real JupyterHub on 127.0.0.1 with `hub/jupyterhub_config.py` (the README's),",
        "one local server per student. N students start together; each logs in, starts",
        "its server, and opens lessons 00-05 in turn: run all (every cell sent at once, as",
        "JupyterLab's Run All), one slider moved (the comm message a slider sends), kernel",
        f"shut down. Before: the students' servers on a worktree of {OLD_COMMIT}; after: on a",
        f"worktree of {head} (this branch), the class cache filled beforehand by the",
        "instructor (the README's advice). Simulated students over the Jupyter REST and",
        "kernel websocket protocols: *first widget* is from run all to the widget's",
        "display message at the client. CPU: the student's server and kernels (`/proc`,",
        "mean per student). Peak RSS: server and kernels together (sampled each second;",
        "mean, and the largest in brackets). For N > 1, one of the N (from this run on) is a real",
        "Chromium instead: it logs in on the hub's login page, opens 02 in JupyterLab",
        "(the hub starts its server), presses Run All, waits for the first widget painted",
        "and moves one slider by keyboard. Its cell, *browser student*: JupyterLab shown",
        "with the lesson (from the login page) / Run All to the first widget painted /",
        "key -> the frame that shows the new picture / CPU of its server and kernel. The",
        "other columns are the simulated students'. A simulated student holds its kernel",
        "websocket as JupyterLab does: with its session id, and on a close it connects",
        "again with the same id, and the server replays what the kernel sent meanwhile;",
        "*reconnects* counts these (a lesson still completes), *failures* what did not.",
        "A kernel that the server restarts before the lesson's first cell is asked again",
        "(listed below); a restart after that is a failure: the cells' work is lost.",
        f"Measured on a busy shared machine (2 cores; load average {load_before} before,",
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} after).",
        "",
        "| N | kernels | server start p50 | 02 first widget p50 | 02 first widget p95 "
        "| any lesson p50 | any lesson p95 | slider move p50 | CPU / student "
        "| peak RSS / student | failures | reconnects | whole run | browser student |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
        f"Target: N = 30, after: p95 of 02's first widget <= {TARGET_P95:.0f} s, no failures.",
        *([""] + notes if notes else []),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # bench_class.py [N ...] [after|before]: a part of the run
    sizes = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or (1, 10, 30)
    variants = tuple(a for a in sys.argv[1:] if a in ("after", "before")) or ("after", "before")
    partial = HERE / "results" / f"class-{'-'.join(map(str, sizes))}-{'-'.join(variants)}.md"
    print(run(sizes, variants, partial))
