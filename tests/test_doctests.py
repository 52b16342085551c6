"""Every example in the package's docstrings runs and prints what it says.

This is the one place docstring examples run (once per test run): other test files
should not call doctest.testmod again.
"""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import convtutor
from tests.support.optional_torch import HAVE_TORCH, REASON

MODULES = sorted(m.name for m in pkgutil.walk_packages(convtutor.__path__, prefix="convtutor.")) + [
    "convtutor"
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """The module's docstring examples give the output written under them."""
    module = importlib.import_module(name)
    if not HAVE_TORCH and any(
        "torch" in example.source
        for test in doctest.DocTestFinder().find(module)
        for example in test.examples
    ):
        pytest.skip(f"{REASON} (the examples import it)")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_core_has_examples():
    """The convolution, cost and separability modules each carry checkable examples.

    The examples are counted, not run again: test_docstring_examples runs each once.
    """
    finder = doctest.DocTestFinder()
    for name in ("convtutor.conv", "convtutor.cost", "convtutor.spatial", "convtutor.kernels"):
        module = importlib.import_module(name)
        examples = sum(len(test.examples) for test in finder.find(module))
        assert examples >= 3, f"{name} has {examples} docstring examples"


def test_examples_run_only_here():
    """No other test file runs docstring examples again (doctest.testmod / --doctest-modules)."""
    tests = Path(__file__).resolve().parent
    again = [
        str(path.relative_to(tests))
        for path in sorted(tests.rglob("*.py"))
        if path.name != Path(__file__).name and "doctest.testmod" in path.read_text("utf-8")
    ]
    assert not again, f"these test files run docstring examples a second time: {again}"
    pyproject = (tests.parent / "pyproject.toml").read_text("utf-8")
    assert "--doctest-modules" not in pyproject
