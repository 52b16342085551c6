"""PyTorch for the tests, or stand-ins that skip the test that reaches for it.

``make test-py`` runs the unit tests on Pythons for which no CPU build of torch is
installed (PyTorch's CPU wheel on our machines' disk is for Python 3.11 only, and PyPI's
Linux wheels are multi-GB CUDA builds). There, a test file that compares with PyTorch
still imports: ``torch``, ``F`` (``torch.nn.functional``) and ``nn`` are stand-ins, and
the first public attribute a test takes from one skips that test, naming what it wanted.
The file's tests that do not touch torch run as everywhere else. A test that fails only
because the package itself imported torch is reported as skipped too
(:func:`pytest_runtest_makereport`, imported by tests/conftest.py).

    from tests.support.optional_torch import F, torch
"""

from __future__ import annotations

import pytest

#: Why a test skipped (pytest -ra prints it).
REASON = (
    "torch is not installed for this Python (make test-py installs no torch: PyTorch's "
    "CPU wheel here is for Python 3.11 only); this test needs PyTorch"
)


class Absent:
    """Stands for a torch module that is not installed; using it skips the test."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        # Private and special names answer "no such attribute", so pytest and hypothesis
        # can look a module's globals over (fixture markers, __wrapped__) without skipping.
        if attr.startswith("_"):
            raise AttributeError(attr)
        pytest.skip(f"{REASON} (it uses {self._name}.{attr})", allow_module_level=True)

    def __call__(self, *args, **kwargs):
        pytest.skip(f"{REASON} (it calls {self._name})", allow_module_level=True)

    def __repr__(self) -> str:
        return f"<{self._name}: not installed>"


try:
    import torch
    import torch.nn.functional as F
    import torch.utils.flop_counter  # noqa: F401  (torch.utils.flop_counter.FlopCounterMode)
    from torch import nn
except ModuleNotFoundError:
    HAVE_TORCH = False
    torch, F, nn = Absent("torch"), Absent("torch.nn.functional"), Absent("torch.nn")
else:
    HAVE_TORCH = True


def needs_torch_error(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is 'No module named torch' (or torch.*)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == "torch":
            return True
        for inner in getattr(exc, "exceptions", ()):  # an exception group (hypothesis)
            if needs_torch_error(inner):
                return True
        exc = exc.__cause__ or exc.__context__
    return False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Without torch, a test (or its fixture) that fails only because the package needed
    torch (GroupsContinuum, the blocks, the PyTorch counts) is reported as skipped, with
    the reason. tests/conftest.py imports this hook; with torch installed it does nothing."""
    outcome = yield
    report = outcome.get_result()
    if HAVE_TORCH or not report.failed or call.excinfo is None:
        return
    if needs_torch_error(call.excinfo.value):
        report.outcome = "skipped"
        path, line, _ = item.location
        report.longrepr = (path, (line or 0) + 1, f"Skipped: {REASON} (the package imports it)")


#: ``@needs_torch`` for a test that needs torch through the package (e.g. a widget that
#: checks itself against PyTorch when built), not through these names.
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason=REASON)

__all__ = [
    "HAVE_TORCH",
    "REASON",
    "F",
    "needs_torch",
    "needs_torch_error",
    "nn",
    "pytest_runtest_makereport",
    "torch",
]
