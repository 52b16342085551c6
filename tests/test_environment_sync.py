"""environment.yml (Binder / conda) and pyproject.toml must list the same packages.

Binder builds from ``environment.yml``; ``make`` and CI install from ``pyproject.toml``:
the package's dependencies and its ``lessons`` extra (what the notebooks need).
If one gains a dependency and the other does not, the notebooks break on Binder only,
in front of a class. These tests read both files and list every difference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (make test-py): the copy of tomli that pip carries
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

#: pip (PyPI) name -> conda-forge name, where they differ.
PIP_TO_CONDA = {"torch": "pytorch"}
#: Packages conda needs that are not Python dependencies of the package.
CONDA_ONLY = {"python", "pip"}


def _normalise(name: str) -> str:
    """PEP 503 name normalisation: case-insensitive, runs of -_. are one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _split_pip(requirement: str) -> tuple[str, str]:
    """'ipywidgets>=8.0,<9' -> ('ipywidgets', '>=8.0,<9')."""
    match = re.fullmatch(
        r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*", requirement
    )
    if match is None:
        raise ValueError(f"cannot read the pip requirement {requirement!r}")
    return _normalise(match.group(1)), match.group(2).replace(" ", "")


def _split_conda(spec: str) -> tuple[str, str, str]:
    """'pytorch >=2.1 cpu_*' -> ('pytorch', '>=2.1', 'cpu_*')"""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*([^\s]*)\s*([^\s]*)\s*", spec)
    if match is None:
        raise ValueError(f"cannot read the conda spec {spec!r}")
    return _normalise(match.group(1)), match.group(2), match.group(3)


def read_pyproject(path: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """pip name -> version range, from [project] dependencies and the ``lessons`` extra."""
    project = tomllib.loads(path.read_text())["project"]
    lessons = project["optional-dependencies"]["lessons"]
    return dict(_split_pip(req) for req in project["dependencies"] + lessons)


def read_environment(path: Path = ROOT / "environment.yml") -> dict:
    """The parts of environment.yml that matter: conda packages, pip lines, channels."""
    env = yaml.safe_load(path.read_text())
    conda: dict[str, tuple[str, str]] = {}
    pip: list[str] = []
    for dep in env.get("dependencies") or []:
        if isinstance(dep, dict):
            pip.extend(str(line).strip() for line in dep.get("pip") or [])
        else:
            name, version, build = _split_conda(str(dep))
            conda[name] = (version, build)
    return {"conda": conda, "pip": pip, "channels": env.get("channels") or []}


def differences(pyproject: dict[str, str], environment: dict) -> list[str]:
    """Every way the two files disagree, one plain sentence each (empty when in sync)."""
    problems = []
    conda = {k: v for k, v in environment["conda"].items() if k not in CONDA_ONLY}
    wanted = {PIP_TO_CONDA.get(name, name): (name, spec) for name, spec in pyproject.items()}
    for conda_name, (pip_name, spec) in sorted(wanted.items()):
        if conda_name not in conda:
            alias = f" (as {conda_name!r} on conda-forge)" if conda_name != pip_name else ""
            problems.append(
                f"{pip_name!r} is required by pyproject.toml but missing from "
                f"environment.yml{alias}"
            )
        elif conda[conda_name][0] != spec:
            problems.append(
                f"{pip_name!r}: pyproject.toml asks for {spec or 'any version'!r}, "
                f"environment.yml for {conda[conda_name][0] or 'any version'!r}"
            )
    for conda_name in sorted(set(conda) - set(wanted)):
        problems.append(
            f"{conda_name!r} is in environment.yml but not in pyproject.toml's dependencies "
            "or its lessons extra"
        )
    if not any(re.fullmatch(r"(-e\s+)?\.(\[[^\]]*\])?/?", line) for line in environment["pip"]):
        problems.append(
            "environment.yml does not install the package itself: add '- pip: [\"-e .\"]'"
        )
    return problems


def _report(problems: list[str]) -> str:
    return "environment.yml and pyproject.toml disagree:\n  - " + "\n  - ".join(problems)


def test_environment_and_pyproject_list_the_same_packages():
    """Every pyproject dependency and lessons requirement is in environment.yml with the same
    range, and vice versa."""
    problems = differences(read_pyproject(), read_environment())
    assert not problems, _report(problems)


def test_environment_builds_on_conda_forge_with_python_311_and_cpu_torch():
    """environment.yml uses conda-forge, pins Python 3.11, asks for pip and a CPU PyTorch."""
    env = read_environment()
    assert env["channels"][:1] == ["conda-forge"], env["channels"]
    assert env["conda"].get("python") == ("=3.11", ""), env["conda"].get("python")
    assert "pip" in env["conda"], "list 'pip' itself so the pip section can run under micromamba"
    version, build = env["conda"]["pytorch"]
    assert build.startswith("cpu"), f"pytorch build should be a CPU build, got {build!r}"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda p, e: p.update({"rich": ">=13"}), "'rich' is required by pyproject.toml"),
        (lambda p, e: p.pop("torch"), "'pytorch' is in environment.yml but not in pyproject"),
        (lambda p, e: e["conda"].pop("pytorch"), "(as 'pytorch' on conda-forge)"),
        (lambda p, e: p.update({"numpy": ">=2"}), "'numpy': pyproject.toml asks for '>=2'"),
        (lambda p, e: e["pip"].clear(), "does not install the package itself"),
    ],
)
def test_a_drift_is_reported_by_name(edit, expected):
    """Each kind of drift (missing, extra, other range, no self-install) is named in the message."""
    pyproject, environment = read_pyproject(), read_environment()
    assert differences(pyproject, environment) == []
    edit(pyproject, environment)
    message = _report(differences(pyproject, environment))
    assert expected in message, message
