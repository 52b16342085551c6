"""Lessons are edited as text: every notebook is generated from its MyST source, unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_notebook_is_generated_from_its_text_source():
    """scripts/sync_notebooks.py --check: each .ipynb equals what its .md builds."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync_notebooks.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    """The eight lessons each have a .ipynb and a .md, and nothing else is paired."""
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    sources = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.md")}
    assert notebooks == sources and len(notebooks) == 9
