"""Tests for the package convtutor.experiment: light to import, every public name re-exported."""

import subprocess
import sys

import convtutor.experiment as ex
from convtutor.experiment import data, overfitting, speed


def test_experiment_import_does_not_import_torch():
    """Importing convtutor.experiment, its modules and its checks leaves torch unimported."""
    code = (
        "import sys, convtutor.experiment, convtutor.experiment.data, "
        "convtutor.experiment.overfitting, convtutor.experiment.speed, "
        "convtutor.checks.experiments; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_public_name_of_the_modules_is_re_exported():
    """convtutor.experiment.X is the same object as in its module, for every public X."""
    assert len(ex.__all__) == len(set(ex.__all__)), "a name is exported twice"
    for module in (data, overfitting, speed):
        for name in module.__all__:
            assert getattr(ex, name) is getattr(module, name), name
