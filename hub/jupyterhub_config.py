"""JupyterHub for a class on one server: the configuration the README recommends.

Tested: ``benchmarks/bench_class.py`` (and its small run in the test suite) starts a real
JupyterHub with this file, adding only what a test on loopback needs (ports on 127.0.0.1,
a password-only login, all users under one Unix account). Use it as it is, or copy the
settings into your own ``jupyterhub_config.py``:

    jupyterhub -f hub/jupyterhub_config.py

One single-user server per student, started from the environment that has convtutor and
``jupyterhub`` installed (``pip install "convtutor[lessons]" jupyterhub jupyterlab``).
Students log in with their Unix accounts (JupyterHub's default PAM login and local
processes); for other logins and spawners, see JupyterHub's documentation.
"""

import os

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

# ---- the students' servers -------------------------------------------------------------
c.Spawner.default_url = "/lab"
# Thirty students pressing "start" together on two cores: a server takes a few seconds
# alone and up to a minute then (benchmarks/REPORT.md, the class benchmark).
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.concurrent_spawn_limit = 100
# A kernel left idle for 30 minutes is shut down, as is one whose notebook tab was closed
# without shutting it down: each open lesson keeps a kernel of 70-215 MB of its own.
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
# home longer than 21 characters, such as /home/ and a user name of 16 or more), that
# student's kernels stay on TCP; their restarts then at least take new ports
# (cache_ports=False above), which mends a taken shell, stdin or control port. To have Unix
# sockets for everyone, set JUPYTER_RUNTIME_DIR in c.Spawner.environment to a short folder
# of each student's own (a callable of the spawner, as benchmarks/bench_class.py does).
SOCKET_PATH_MAX = 107  # bytes in sun_path on Linux, the final NUL excluded
LONGEST_SOCKET = "kernel-" + "0" * 36 + "-ipc-99"  # a kernel id; the channels count 1-5


def runtime_dir(spawner) -> str:
    """The Jupyter runtime folder the student's server will use (kernels' files)."""
    chosen = spawner.environment.get("JUPYTER_RUNTIME_DIR")
    if callable(chosen):
        chosen = chosen(spawner)
    if chosen:
        return chosen
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
        spawner.args = [*spawner.args, "--KernelManager.transport=ipc"]
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
