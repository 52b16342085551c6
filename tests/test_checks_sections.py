"""The hints of the exercise checks send the student to sections that hold what they name."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from convtutor.checks import pointwise as pw_check

ROOT = Path(__file__).resolve().parents[1]
#: check module -> the notebook(s) whose sections its hints name
MODULES = {
    "standard": ["01"],
    "depthwise": ["02"],
    "pointwise": ["03"],
    "separable": ["04"],
    "sobel": ["05"],
    "experiments": ["06", "07"],
}
SECTION = re.compile(r"section (\d+)")


def _section(book: str, number: int) -> str:
    """The text of section ``number`` ('## N. ...') of notebook ``book``, or ''."""
    source = next((ROOT / "notebooks").glob(f"{book}_*.md")).read_text(encoding="utf-8")
    match = re.search(rf"^## {number}\. .*?(?=^## |\Z)", source, re.M | re.S)
    return match.group(0) if match else ""


def test_every_section_a_hint_names_exists():
    """Each 'section N' in a check module is a numbered section of one of its notebooks."""
    checked = 0
    for module, books in MODULES.items():
        text = (ROOT / "convtutor" / "checks" / f"{module}.py").read_text(encoding="utf-8")
        for number in {int(n) for n in SECTION.findall(text)}:
            assert any(_section(b, number) for b in books), f"{module}: section {number}"
            checked += 1
    assert checked >= 3


def test_the_swap_hint_points_at_the_swap():
    """channel_cycle's hint for the red <-> blue swap names the section that shows W_swap."""
    hint = pw_check.channel_cycle(np.eye(3)[[2, 1, 0]]).message
    (number,) = {int(n) for n in SECTION.findall(hint)}
    assert "W_swap" in _section("03", number) and "Channel swap" in _section("03", number)
