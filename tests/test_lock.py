"""constraints.txt pins the tested set: every dependency pyproject.toml names is pinned there, and
every install path (scripts/bootstrap.sh, the Dockerfile) installs with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """A requirement's project name, normalised as PyPI does (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"constraints.txt: {line!r} is not pinned with =="
            pins[_name(name)] = version
    return pins


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + [r for group in project["optional-dependencies"].values() for r in group]
    pins = _pins()
    missing = sorted({_name(r) for r in wanted} - pins.keys())
    assert not missing, f"not pinned in constraints.txt (run scripts/lock): {missing}"


def test_installs_use_the_constraints() -> None:
    assert "-c constraints.txt" in (ROOT / "scripts" / "bootstrap.sh").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "constraints.txt" in dockerfile.split("COPY pyproject.toml", 1)[1].splitlines()[0]
    assert "-c constraints.txt ." in dockerfile
