"""Helpers for tests that run chibo's own processes (`chibo serve`, `chibo db_worker`) on a
database of their own: a data directory migrated once per session and copied for each test
(a migration from scratch takes 20 s), and a look at processes through /proc.

These tests are about processes, not the database: they use SQLite even when the suite runs
on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def base_env(data: Path) -> dict[str, str]:
    env = {**os.environ, "DEBUG": "false", "CHIBO_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "chibo.settings",
           "CHIBO_IMPORT_MAX_MB": "100"}
    for name in ("SQLITE_PATH", "DATABASE_URL", "CHIBO_TASKS", "STATIC_ROOT"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated database and the static files collected."""
    data = tmp_path_factory.mktemp("migrated") / "data"
    env = base_env(data)
    for command in (["migrate", "-v0"], ["collectstatic", "-v0", "--noinput"]):
        subprocess.run([sys.executable, "-m", "chibo", *command], env=env, cwd=ROOT, check=True, timeout=300)
    return data


def fresh_env(migrated: Path, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    shutil.copytree(migrated, data)
    return base_env(data)


def python(env: dict[str, str], code: str, *args: str, timeout: float = 120) -> str:
    """Run `code` in a fresh Python with `env`; fail the test on a non-zero exit; return the
    last line it printed."""
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has stopped running)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[1] == str(pid) and fields[0] not in ("Z", "X"):
                found.append(int(entry))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found
