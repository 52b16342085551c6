"""Open the convtutor suite in JupyterLab at the start notebook.

Binds to 127.0.0.1 only and always uses a token (a fresh random one unless
JUPYTER_TOKEN is set). Run through `make lab`.
"""

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"


def main() -> None:
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    port = os.environ.get("CONVTUTOR_PORT", "8888")
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    args.append(START)
    print(f"Opening {START} at http://127.0.0.1:{port}/lab/tree/{START}?token={token}", flush=True)
    os.execv(sys.executable, args)


if __name__ == "__main__":
    main()
