"""The repository's scripts/ as modules, for tests and benchmarks (scripts, not a package)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def load_script(name: str):
    """``scripts/<name>.py`` as the module ``name`` (once; worker processes find it by name).

    A script imports a sibling script plainly (``import execute_notebooks``), as Python
    finds it when the script is run; here such siblings are loaded first, the same way.
    """
    if name in sys.modules:
        return sys.modules[name]
    path = SCRIPTS / f"{name}.py"
    for sibling in re.findall(r"^import (\w+)$", path.read_text(encoding="utf-8"), flags=re.M):
        if (SCRIPTS / f"{sibling}.py").is_file():
            load_script(sibling)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
