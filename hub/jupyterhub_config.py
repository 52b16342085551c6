"""JupyterHub for a class on one server: the configuration the README recommends.

Tested: ``benchmarks/bench_class.py`` (and its small run in the test suite) starts a real
JupyterHub with this file, adding only what a test on loopback needs (ports on 127.0.0.1,
a password-only login, all users under one Unix account with a home folder each, a
short runtime folder per student, and the single-user server started as ``python -m
jupyterhub.singleuser``, which does not depend on the first line of the
``jupyterhub-singleuser`` script). Use it as it is, or copy the settings into your own
``jupyterhub_config.py``:

    jupyterhub -f hub/jupyterhub_config.py

One single-user server per student. The set-up, on the class's machine:

1. One environment for everyone, with convtutor, JupyterHub and JupyterLab: in a clone of
   the repository, ``python -m venv /opt/convtutor && /opt/convtutor/bin/pip install
   ".[lessons]" jupyterhub jupyterlab`` (or ``conda env update -f environment.yml`` into
   a conda environment, then ``pip install jupyterhub`` in it).
2. JupyterHub's proxy, from npm: ``npm install -g configurable-http-proxy``.
3. A Unix account for each student: they log in with it (JupyterHub's default PAM login)
   and their servers run as them (local processes).
4. Start the hub as root, with the environment's own ``jupyterhub`` (sudo's PATH does not
   have it): ``sudo /opt/convtutor/bin/jupyterhub -f hub/jupyterhub_config.py``.

For other logins and spawners, see JupyterHub's documentation.
"""

import os

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

# ---- the students' servers -------------------------------------------------------------
c.Spawner.default_url = "/lab"
# Thirty students pressing "start" together on two cores: a server takes a few seconds
# alone, and a minute or more then (p50 48-75 s; benchmarks/REPORT.md, the class
# benchmark).
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.concurrent_spawn_limit = 100  # JupyterHub's default; a class of 30 is below it
# A kernel whose notebook tab was closed without shutting it down is shut down after 30
# idle minutes (checked every 5): each lesson left open that way keeps a kernel of
# 70-215 MB of its own. A kernel whose tab is still open is kept (cull_connected=False),
# so a student who pauses does not lose the lesson's state.
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=False",
    # see "Kernels over Unix sockets" below
    "--KernelManager.cache_ports=False",
]

# ---- kernels over Unix sockets ------------------------------------------------------------
# By default a kernel listens on five TCP ports of 127.0.0.1, which its server picks free
# just before it starts the kernel. With thirty servers on one machine, another process
# can take such a port in between, and then the kernel cannot start. In the class
# benchmark (N = 30) this happened to 3 kernels in one run. Worse, a kernel whose iopub or
# heartbeat port is taken does not exit (ipykernel), so its server never restarts it and
# the student waits for ever.
# Here each kernel talks to its server over Unix sockets in the student's Jupyter runtime
# folder instead: files, not ports, so nothing can take them. A socket's path holds at most
# 107 bytes. Where the runtime folder's path is too long for that (the default folder of a
# home longer than 27 characters, such as /home/ and a user name of 22 or more), that
# student's kernels stay on TCP, and the hub's log says so ("kernels use TCP"); their
# restarts then at least take new ports (cache_ports=False above), which mends a taken
# shell, stdin or control port, but not a taken iopub or heartbeat port. To have Unix
# sockets for everyone, give each student a short runtime folder of their own, made by
# root, owned by the student, mode 700 (not a predictable name in /tmp, which another
# user could make first), e.g. for each student's account:
#     sudo install -d -m 755 /srv/jupyter-run
#     sudo install -d -o "$student" -m 700 "/srv/jupyter-run/$student"
# and add this line at the END of this file (c.Spawner.environment is set below):
#     c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: (
#         "/srv/jupyter-run/" + spawner.user.name)
# The hook reads JUPYTER_RUNTIME_DIR, JUPYTER_DATA_DIR and XDG_DATA_HOME from
# c.Spawner.environment, as Jupyter does; set elsewhere, it cannot see them. Nor does it
# follow JUPYTER_PLATFORM_DIRS=1 (jupyter_core's opt-in to other folders): with that set,
# give JUPYTER_RUNTIME_DIR as above.
SOCKET_PATH_MAX = 107  # bytes in sun_path on Linux, the final NUL excluded
LONGEST_SOCKET = "kernel-" + "0" * 36 + "-ipc-99"  # a kernel id; the channels count 1-5
IPC = "--KernelManager.transport=ipc"


def runtime_dir(spawner) -> str:
    """The Jupyter runtime folder the student's server will use (kernels' files), as
    jupyter_core finds it: $JUPYTER_RUNTIME_DIR, else the data folder's "runtime"."""

    def env(name):
        value = spawner.environment.get(name)
        return value(spawner) if callable(value) else value

    if env("JUPYTER_RUNTIME_DIR"):
        return env("JUPYTER_RUNTIME_DIR")
    if env("JUPYTER_DATA_DIR"):
        return os.path.join(env("JUPYTER_DATA_DIR"), "runtime")
    if env("XDG_DATA_HOME"):
        return os.path.join(env("XDG_DATA_HOME"), "jupyter", "runtime")
    home = getattr(spawner, "home_dir", None)  # SimpleLocalProcessSpawner
    if not home:
        import pwd

        home = pwd.getpwnam(spawner.user.name).pw_dir
    return os.path.join(home, ".local", "share", "jupyter", "runtime")


def kernels_over_unix_sockets(spawner) -> None:
    """Before a server starts: its kernels on Unix sockets where the paths fit."""
    try:
        longest = os.path.join(runtime_dir(spawner), LONGEST_SOCKET)
    except KeyError:  # no local account (another spawner): its folders are unknown here
        spawner.log.warning("%s's kernels use TCP: no local home folder", spawner.user.name)
        return
    if len(os.fsencode(longest)) <= SOCKET_PATH_MAX:
        if IPC not in spawner.args:  # a spawner is used again for the student's next start
            spawner.args = [*spawner.args, IPC]
    else:
        spawner.log.warning(
            "%s's kernels use TCP: %s is too long for a Unix socket", spawner.user.name, longest
        )


c.Spawner.pre_spawn_hook = kernels_over_unix_sockets

# ---- convtutor ----------------------------------------------------------------------------
# The widgets keep arrays and pictures that are the same for everyone in a cache folder.
# One folder for the whole class, filled once by the instructor before the class
# (run every lesson once with this variable set, as the user who owns the folder), and
# readable by the students: their kernels then read it and compute nothing twice. A
# student's kernel never needs to write there (writes that fail are ignored).
c.Spawner.environment = {
    "CONVTUTOR_CACHE_DIR": os.environ.get("CONVTUTOR_CACHE_DIR", "/srv/convtutor/cache"),
}
