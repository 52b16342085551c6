"""The widget contract's rooms: one Python file per widget, named after its ES module."""

from __future__ import annotations

import inspect
from pathlib import Path

from convtutor.widgets import ALL
from convtutor.widgets._base import STATIC, Widget

WIDGETS = Path(inspect.getfile(Widget)).parent
SHARED_JS = {"common", "standalone"}


def test_every_widget_lives_in_a_file_named_after_its_module():
    """ALL's key, the Python file, the class's MODULE and static/NAME.js are one name."""
    for name, cls in ALL.items():
        assert cls.MODULE == name
        assert Path(inspect.getfile(cls)).name == f"{name}.py"
        assert (STATIC / f"{name}.js").is_file()


def test_every_module_and_python_file_has_its_widget():
    """No ES module without a widget and no widget file without an entry in ALL; each
    file holds one widget class."""
    modules = {p.stem for p in STATIC.glob("*.js")} - SHARED_JS
    files = {p.stem for p in WIDGETS.glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(ALL) == files
    for name in files:
        module = __import__(f"convtutor.widgets.{name}", fromlist=["_"])
        classes = [
            c
            for c in vars(module).values()
            if inspect.isclass(c) and issubclass(c, Widget) and c.__module__ == module.__name__
        ]
        assert classes == [ALL[name]], name
