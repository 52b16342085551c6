"""Lint and format: the package, tests, benchmarks and scripts pass ruff (as in `make lint`).

The rules live in pyproject.toml ([tool.ruff]). To fix a failure locally:
    .venv/bin/ruff format convtutor tests benchmarks scripts
    .venv/bin/ruff check --fix convtutor tests benchmarks scripts
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["convtutor", "tests", "benchmarks", "scripts"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ruff_is_installed():
    """ruff (from the test extra) runs in this interpreter, so the lint tests below are real."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"ruff is missing: pip install -e '.[test]'\n{result.stderr}"


@pytest.mark.parametrize(
    ("args", "fix"),
    [
        (("check", "--no-fix", "--output-format=concise"), "ruff check --fix"),
        (("format", "--check", "--output-format=concise"), "ruff format"),
    ],
    ids=["check", "format"],
)
def test_ruff_passes(args, fix):
    """`ruff check` and `ruff format --check` find nothing in the package, tests and scripts."""
    result = _ruff(*args)
    assert result.returncode == 0, (
        f"ruff {args[0]} failed; run `.venv/bin/{fix} {' '.join(PATHS)}`, then review:\n"
        f"{result.stdout}{result.stderr}"
    )
