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
# without shutting it down: each open lesson keeps a kernel of 100-250 MB.
#
# Each kernel listens on five TCP ports of 127.0.0.1 that its server picks free just before
# it starts the kernel. With thirty servers on one machine, another process can take such a
# port in between; the kernel then fails to start. By default a server keeps a kernel's
# ports ("cache_ports") and restarts it on the same ones: in the class benchmark a kernel
# failed five restarts on a port taken meanwhile and died. Without the cache, the restart
# after such a failure takes new ports and the kernel starts.
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1800",
    "--MappingKernelManager.cull_interval=300",
    "--MappingKernelManager.cull_connected=False",
    "--KernelManager.cache_ports=False",
]

# ---- convtutor ----------------------------------------------------------------------------
# The widgets keep arrays and pictures that are the same for everyone in a cache folder.
# One folder for the whole class, filled once by the instructor before the class
# (run every lesson once with this variable set, as the user who owns the folder), and
# readable by the students: their kernels then read it and compute nothing twice. A
# student's kernel never needs to write there (writes that fail are ignored).
c.Spawner.environment = {
    "CONVTUTOR_CACHE_DIR": os.environ.get("CONVTUTOR_CACHE_DIR", "/srv/convtutor/cache"),
}
