"""Every example in the package's docstrings runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import convtutor

MODULES = sorted(m.name for m in pkgutil.walk_packages(convtutor.__path__, prefix="convtutor.")) + [
    "convtutor"
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """The module's docstring examples give the output written under them."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_core_has_examples():
    """The convolution, cost and separability modules each carry checkable examples."""
    for name in ("convtutor.conv", "convtutor.cost", "convtutor.separable", "convtutor.kernels"):
        assert doctest.testmod(importlib.import_module(name)).attempted >= 3
