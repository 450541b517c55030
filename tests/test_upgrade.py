"""`chibo upgrade` (issue 12, point 7), run as the operator runs it, on a database of its own:
on a new install it backs up, migrates and checks, and the backup it leaves is one `chibo
restore` accepts; `--dry-run` changes nothing; a migration that fails stops it with exit 1,
the database as the backup left it. (The dry run on a migrated database and the refusal while
chibo runs are in tests/test_health.py.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chibo.devtools.bench import empty_database_env
from tests.served import ROOT, python

TABLES = """
import django
django.setup()
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
applied = MigrationRecorder(connection).applied_migrations() if MigrationRecorder(connection).has_table() else {}
print(len(connection.introspection.table_names()), ("channel", "0001_initial") in applied)
"""

CONFLICT = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE channel_thread (id integer)")
"""


# `chibo …` speaking English (chibo speaks Vietnamese by default), with its exit status.
IN_ENGLISH = """
import sys
import django
django.setup()
from django.core.management import execute_from_command_line
from django.utils import translation
translation.activate("en")
execute_from_command_line(["chibo", *sys.argv[1:]])
"""


def _chibo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", IN_ENGLISH, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _environment(tmp: Path) -> Iterator[dict[str, str]]:
    env, drop = empty_database_env(tmp)
    env.update(DJANGO_SETTINGS_MODULE="chibo.settings")
    env.pop("CHIBO_TASKS", None)
    try:
        yield env
    finally:
        drop()


@pytest.fixture
def new_install(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _environment(tmp_path / "server")


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _environment(tmp_path / "elsewhere")


def test_upgrade_backs_up_migrates_checks_and_stops_on_a_failing_migration(new_install: dict[str, str],
                                                                          empty: dict[str, str]) -> None:
    data = Path(new_install["CHIBO_DATA_DIR"])
    backups = data / "backups"

    dry = _chibo(new_install, "upgrade", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "  members.0001_initial\n" in dry.stdout and "  channel.0001_initial\n" in dry.stdout
    assert not (data / "chibo.sqlite3").exists() and not backups.exists()
    assert python(new_install, TABLES) == "0 False"  # no table made

    done = _chibo(new_install, "upgrade")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Applying members.0001_initial" in done.stdout and "Upgrade complete" in done.stdout
    assert "System check identified no issues" in done.stdout and "Rollups match a fresh count" in done.stdout
    assert "To roll back" in done.stdout and "chibo restore " in done.stdout
    first = sorted(backups.glob("chibo-before-upgrade-*.tar.gz"))
    assert len(first) == 1 and f"chibo restore {data}.old/backups/{first[0].name}" in done.stdout
    assert python(new_install, TABLES).endswith(" True")
    assert "No migration to apply" in _chibo(new_install, "upgrade", "--dry-run").stdout

    restored = _chibo(empty, "restore", str(first[0]))
    assert restored.returncode == 0, restored.stdout + restored.stderr

    # A migration that fails: the channel app's table is in the way.
    assert _chibo(new_install, "migrate", "channel", "zero", "-v0").returncode == 0
    python(new_install, CONFLICT)
    failed = _chibo(new_install, "upgrade")
    assert failed.returncode == 1
    assert "Migrating failed" in failed.stdout and "already exists" in failed.stdout
    assert "the database is as the backup left it" in failed.stdout
    assert "The upgrade stopped" in failed.stderr
    assert python(new_install, TABLES).endswith(" False")  # channel.0001_initial still not applied
    assert len(list(backups.glob("chibo-before-upgrade-*.tar.gz"))) == 2  # taken before it tried
