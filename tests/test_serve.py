"""`chibo serve` supervises its children (issue 11, point 3). It used to start the worker and
the reminder pass with Popen and then exec gunicorn: SIGTERM to it stopped gunicorn and left
the other two running, orphaned, and a worker that died stayed dead with its job "checking"
for ever. Now one process starts gunicorn, the worker and the reminder pass, restarts one that
dies, marks failed the jobs a dead worker had started, and stops every child within 10 s."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.served import (
    ROOT,
    alive,
    children,
    cmdline,
    descendants,
    free_port,
    fresh_env,
    migrated,
    python,
)

__all__ = ["migrated"]  # the session fixture

JOBS = """
import json, sys
import django
django.setup()
from chibo.accounts import services as accounts
from chibo.accounts.models import User
from chibo.exchange.models import ImportJob

user = (User.objects.filter(username="canbo").first()
        or accounts.user_create(actor=None, username="canbo", password="not-used-here-1"))
jobs = []
for pid in sys.argv[1:]:
    job = ImportJob.objects.create(user=user, filename="ds.xlsx", status=ImportJob.Status.CHECKING)
    if pid != "-":  # started by that process (its progress names it); "-": still waiting for a worker
        (job.folder / "progress.json").write_text(json.dumps({"kind": "", "done": 0, "total": 0, "pid": int(pid)}))
    jobs.append(job.pk)
print(json.dumps(jobs))
"""

STATES = """
import json
import django
django.setup()
from chibo.exchange.models import ImportJob
print(json.dumps({j.pk: [j.status, j.error] for j in ImportJob.objects.all()}))
"""


def _serve(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**env, "CHIBO_BIND": f"127.0.0.1:{port}", "CHIBO_WORKERS": "1"}
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([sys.executable, "-m", "chibo", "serve"], env=env, cwd=ROOT, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and serve.poll() is None:
        kinds = " ".join(cmdline(pid) for pid in children(serve.pid))
        if all(k in kinds for k in ("gunicorn", "db_worker", "remind")):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return serve, port
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"chibo serve did not start: {(tmp_path / 'serve.log').read_text()[-3000:]}")


def _clean_up(serve: subprocess.Popen[bytes], pids: list[int]) -> None:
    for pid in [serve.pid, *pids]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    serve.wait(timeout=10)


def _worker(serve: subprocess.Popen[bytes]) -> int | None:
    return next((pid for pid in children(serve.pid) if "db_worker" in cmdline(pid)), None)


def test_sigterm_ends_every_child_within_ten_seconds(migrated, tmp_path):
    serve, _port = _serve(fresh_env(migrated, tmp_path), tmp_path)
    family = descendants(serve.pid)
    try:
        kinds = " ".join(cmdline(pid) for pid in family)
        assert all(k in kinds for k in ("gunicorn", "db_worker", "remind"))  # and gunicorn's own worker
        serve.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in family):
            time.sleep(0.1)
        left = [cmdline(pid) for pid in family if alive(pid)]
        assert left == [], f"still running 10 s after SIGTERM: {left}"
        serve.wait(timeout=5)
    finally:
        _clean_up(serve, family)


def test_sigint_too_and_no_autoreloader_even_with_debug_on(migrated, tmp_path):
    serve, _port = _serve({**fresh_env(migrated, tmp_path), "DEBUG": "true"}, tmp_path)
    family = descendants(serve.pid)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and b"Starting worker" not in (tmp_path / "serve.log").read_bytes():
            time.sleep(0.2)  # the worker runs (under an autoreloader, that is the reloader's child)
        worker = _worker(serve)
        assert worker is not None and children(worker) == []  # no autoreloader above the worker
        serve.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in family):
            time.sleep(0.1)
        assert [cmdline(pid) for pid in family if alive(pid)] == []
    finally:
        _clean_up(serve, family)


def test_a_dead_worker_is_restarted_and_the_jobs_it_left_are_failed_not_rerun(migrated, tmp_path):
    env = fresh_env(migrated, tmp_path)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs: the worker of before the restart
    before, waiting = json.loads(python(env, JOBS, str(gone.pid), "-"))
    serve, _port = _serve(env, tmp_path)
    family = descendants(serve.pid)
    try:
        states = json.loads(python(env, STATES))
        assert states[str(before)][0] == "failed" and "tự" in states[str(before)][1]  # marked at start, in Vietnamese
        assert states[str(waiting)] == ["checking", ""]  # not started: left for the worker

        worker = _worker(serve)
        assert worker is not None
        running = json.loads(python(env, JOBS, str(worker)))[0]
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 15
        restarted = None
        while time.monotonic() < deadline:
            restarted = _worker(serve)
            if restarted not in (None, worker):
                break
            time.sleep(0.2)
        assert restarted not in (None, worker), "the worker was not started again"
        family += descendants(serve.pid)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            states = json.loads(python(env, STATES))
            if states[str(running)][0] != "checking":
                break
            time.sleep(0.3)
        assert states[str(running)][0] == "failed"
        assert states[str(running)][1] == states[str(before)][1]
        assert states[str(waiting)] == ["checking", ""]
    finally:
        _clean_up(serve, family)
