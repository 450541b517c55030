"""/healthz and `chibo status` (issue 12, point 6): four checks — the database answers, every
migration is applied, the background worker's heartbeat is fresh, the data folder's disk has
CHIBO_MIN_FREE_MB free — answered 200 when all pass and 503 naming the failing ones, to anyone,
without personal data, never cached. One test runs a real `chibo db_worker` and stops it."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import translation

from chibo.operations import health, services
from tests.served import ROOT, fresh_env, migrated  # noqa: F401 (the fixture)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STATES = {"ok", "unreachable", "pending", "unknown", "stale", "missing", "low", "not_used"}


@pytest.fixture
def healthy(settings: Any, tmp_path: Path) -> Path:
    """As in production: the database queue with a worker beating just now, room on the disk."""
    settings.TASKS = DB_QUEUE
    settings.CHIBO_MIN_FREE_BYTES = 1
    health.Heartbeat()._write()
    return tmp_path / health.HEARTBEAT_FILE


def _get(client: Client | None = None, **extra: Any) -> Any:
    return (client or Client()).get("/healthz", **extra)


def test_healthy_answers_200_with_every_check_ok_in_a_few_queries(db: Any, healthy: Path,
                                                                  django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(3):
        response = _get()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "worker": "ok",
                                                          "disk": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response  # the security headers apply here too
    assert not response.cookies  # no session, no CSRF cookie, no language cookie


def test_anyone_may_ask_from_the_server_itself_over_plain_http(db: Any, healthy: Path, settings: Any) -> None:
    """As in production: HTTPS redirect on, only the public host name allowed. A monitor on the
    server asking http://127.0.0.1:8000/healthz gets the answer, not a redirect or a 400."""
    settings.ALLOWED_HOSTS = ["chibo.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = _get(HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert Client().get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # other pages keep the rules
    assert Client().get("/", HTTP_HOST="chibo.example.org").status_code == 301  # and the redirect
    assert Client().post("/healthz").status_code == 405


def test_an_unapplied_migration_answers_503_naming_migrations(db: Any, healthy: Path) -> None:
    MigrationRecorder(connection).migration_qs.filter(app="channel", name="0001_initial").delete()
    response = _get()
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["migrations"],
                               "checks": {"database": "ok", "migrations": "pending", "worker": "ok", "disk": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_a_stale_heartbeat_answers_503_naming_the_worker(db: Any, healthy: Path, settings: Any) -> None:
    old = time.time() - settings.CHIBO_WORKER_STALE_SECONDS - 5
    os.utime(healthy, (old, old))
    response = _get()
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"] == "stale"
    os.utime(healthy)  # beating again
    assert _get().status_code == 200


def test_a_worker_that_never_ran_answers_503_and_no_worker_is_needed_without_the_queue(
        db: Any, healthy: Path, settings: Any) -> None:
    healthy.unlink()
    assert _get().json()["checks"]["worker"] == "missing"
    assert _get().status_code == 503
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = _get()
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "not_used"


def test_low_disk_space_answers_503_naming_the_disk(db: Any, healthy: Path, settings: Any) -> None:
    settings.CHIBO_MIN_FREE_BYTES = health.free_bytes() + 1024 ** 4
    response = _get()
    assert response.status_code == 503
    assert response.json()["failing"] == ["disk"]
    assert response.json()["checks"]["disk"] == "low"


def test_an_unreachable_database_answers_503_without_the_error_text(db: Any, healthy: Path) -> None:
    refused = OperationalError("unable to open database file /srv/chibo/data/chibo.sqlite3")
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = _get()
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "failing": ["database", "migrations"],
                               "checks": {"database": "unreachable", "migrations": "unknown", "worker": "ok",
                                          "disk": "ok"}}
    assert b"unable" not in response.content and b"/srv" not in response.content


def test_the_answer_holds_no_personal_data_nor_figures(world: Any, healthy: Path, settings: Any) -> None:
    os.utime(healthy, (0, 0))  # failing too: the body is no richer then
    for client in (Client(), world.client("admin")):
        response = _get(client)
        body = response.json()
        assert set(body) <= {"status", "failing", "checks"}
        assert set(body["checks"].values()) <= STATES
        text = response.content.decode()
        for membership in world.m.values():
            person = membership.person
            assert person.given_name not in text and person.citizen_id not in text
        assert str(settings.DATA_DIR) not in text and not any(ch.isdigit() for ch in text)


def test_the_heartbeat_beats_while_it_runs_and_stops_when_stopped(tmp_path: Path, settings: Any) -> None:
    beat = health.Heartbeat(interval=0.05)
    beat.start()
    try:
        assert json.loads(beat.path.read_text())["pid"] == os.getpid()
        os.utime(beat.path, (1, 1))
        deadline = time.monotonic() + 5
        while beat.path.stat().st_mtime < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert beat.path.stat().st_mtime > time.time() - 5  # touched again
    finally:
        beat.stop()
    os.utime(beat.path, (1, 1))
    time.sleep(0.2)
    assert beat.path.stat().st_mtime == 1  # nobody touches it any more


def test_status_prints_the_figures_and_the_last_backup(db: Any, healthy: Path, tmp_path: Path) -> None:
    archive = tmp_path / "chibo-2026-12-07.tar.gz"
    archive.write_bytes(b"x" * 3 * 1048576)
    services.record_backup(archive=str(archive), size=3 * 1048576, sha256="0" * 64)
    out = io.StringIO()
    with translation.override("en"):
        call_command("status", stdout=out)
    text = out.getvalue()
    assert "chibo " in text.splitlines()[0]
    assert f"Database: {'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'}" in text
    assert f"Data folder: {tmp_path}" in text and "MB free on its disk" in text
    assert "Last backup: " in text and f"{archive} (3.0 MB)" in text
    for name in ("database", "migrations", "worker", "disk"):
        assert f"PASSED: {name} — " in text
    assert "All " in text and "migrations applied" in text


def test_status_exits_1_naming_the_failing_check(db: Any, healthy: Path) -> None:
    os.utime(healthy, (0, 0))
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="worker"):
        call_command("status", stdout=out)
    assert "FAILED: worker — The background worker's last heartbeat was" in out.getvalue()
    assert "Last backup: none recorded" in out.getvalue()


def test_upgrade_dry_run_lists_the_pending_migrations_and_changes_nothing(db: Any, healthy: Path,
                                                                        tmp_path: Path) -> None:
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.filter(app="channel", name="0001_initial").delete()
    applied = set(recorder.applied_migrations())
    out = io.StringIO()
    with translation.override("en"):
        call_command("upgrade", "--dry-run", stdout=out)
    assert "Migrations to apply (1):\n  channel.0001_initial\n" in out.getvalue()
    assert "nothing was changed" in out.getvalue()
    assert set(recorder.applied_migrations()) == applied
    assert not (tmp_path / "backups").exists()


def test_upgrade_refuses_while_chibo_runs(db: Any, healthy: Path, tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        healthy.write_text(json.dumps({"pid": sleeper.pid}))
        with translation.override("en"), pytest.raises(CommandError, match="chibo is running"):
            call_command("upgrade", stdout=io.StringIO())
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not (tmp_path / "backups").exists()


@pytest.mark.real_clock  # the worker is another process, on the machine's clock
def test_a_real_worker_beats_and_turns_stale_once_stopped(migrated: Path, tmp_path: Path, db: Any,  # noqa: F811
                                                          settings: Any) -> None:
    env = fresh_env(migrated, tmp_path)
    env["CHIBO_WORKER_STALE_SECONDS"] = "2"  # beats every 0.5 s
    data = Path(env["CHIBO_DATA_DIR"])
    settings.DATA_DIR, settings.TASKS, settings.CHIBO_MIN_FREE_BYTES = data, DB_QUEUE, 1
    settings.CHIBO_WORKER_STALE_SECONDS = 2
    assert _get().json()["checks"]["worker"] == "missing"
    worker = subprocess.Popen([sys.executable, "-m", "chibo", "db_worker", "--queue-name", "*", "--no-reload",
                               "--no-startup-delay"], env=env, cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (data / health.HEARTBEAT_FILE).exists():
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never beat"
            time.sleep(0.1)
        assert json.loads((data / health.HEARTBEAT_FILE).read_text())["pid"] == worker.pid
        for _ in range(8):  # 4 s, twice the limit: it keeps beating
            assert _get().status_code == 200
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert _get().status_code == 200  # stopped just now: not yet stale
    time.sleep(2.5)
    response = _get()
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"] and response.json()["checks"]["worker"] == "stale"
