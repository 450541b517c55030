"""Is chibo working? The checks behind `/healthz` and `chibo status`, and the background
worker's heartbeat (docs/operations.md, "Watching chibo").

Four checks, each a handful of cheap steps (no table is counted):
- `database`: a connection answers `SELECT 1`;
- `migrations`: every migration in the code is applied (one read of django_migrations);
- `worker`: the background worker's heartbeat file is fresh (skipped when CHIBO_TASKS runs
  tasks in the request and there is no worker);
- `disk`: the disk holding CHIBO_DATA_DIR has at least CHIBO_MIN_FREE_MB free — the level
  below which chibo refuses attached files, imports and exports.

Each result carries a fixed word (`state`) that `/healthz` may show to anyone, and a sentence
with figures (`detail`) that only `chibo status` prints.

The heartbeat: `chibo db_worker` runs a thread that touches DATA_DIR/worker.heartbeat every
few seconds (a quarter of CHIBO_WORKER_STALE_SECONDS, at most 5 s) for as long as the worker
process lives; the file names the process. A worker that stops, crashes or is killed stops
touching it, and after CHIBO_WORKER_STALE_SECONDS the check fails. It says the worker process
is alive, not that each job is moving: a job that hangs is shown as stopped on its own page
after CHIBO_JOB_STALE_MINUTES (exchange)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

log = logging.getLogger("chibo.health")

HEARTBEAT_FILE = "worker.heartbeat"
MAX_BEAT_SECONDS = 5.0


@dataclass(frozen=True)
class Result:
    name: str  # database, migrations, worker, disk
    ok: bool
    state: str  # a fixed word, safe to show anyone: ok, unreachable, pending, unknown, stale, missing, low, not_used
    detail: str  # plain words with figures, for the operator (`chibo status`), never for /healthz


def run_checks() -> list[Result]:
    database = check_database()
    return [database, check_migrations(database_ok=database.ok), check_worker(), check_disk()]


# --- Database and migrations ---------------------------------------------------------------

def check_database() -> Result:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database is the answer, never a 500
        log.warning("health: the database did not answer", exc_info=True)
        return Result("database", False, "unreachable", _("The database does not answer (see the server log)."))
    return Result("database", True, "ok", _("The database answers."))


@functools.cache
def _code_migrations() -> tuple[frozenset[tuple[str, str]], dict[tuple[str, str], tuple[tuple[str, str], ...]]]:
    """The migrations in the code (they do not change while a process runs), and for a squashed
    one the migrations it replaces."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    nodes = frozenset(loader.graph.nodes)
    replaces = {key: tuple(loader.disk_migrations[key].replaces) for key in nodes
                if key in loader.disk_migrations and loader.disk_migrations[key].replaces}
    return nodes, replaces


def pending_migrations() -> list[str]:
    """`app.name` of every migration of the code not yet applied (all of them when the
    database has no tables yet)."""
    recorder = MigrationRecorder(connection)
    applied = set(recorder.applied_migrations()) if recorder.has_table() else set()
    nodes, replaces = _code_migrations()
    pending = [key for key in nodes if key not in applied
               and not (key in replaces and all(r in applied for r in replaces[key]))]
    return sorted(f"{app}.{name}" for app, name in pending)


def check_migrations(*, database_ok: bool = True) -> Result:
    if not database_ok:
        return Result("migrations", False, "unknown", _("Not checked: the database does not answer."))
    try:
        pending = pending_migrations()
    except Exception:
        log.warning("health: could not read the applied migrations", exc_info=True)
        return Result("migrations", False, "unknown", _("The applied migrations could not be read (see the server "
                                                        "log)."))
    if pending:
        return Result("migrations", False, "pending", _("%(n)s migrations not applied (%(names)s): run `chibo "
                                                        "upgrade`.") % {"n": len(pending),
                                                                         "names": ", ".join(pending[:5])})
    return Result("migrations", True, "ok", _("All %(n)s migrations applied.") % {"n": len(_code_migrations()[0])})


# --- Worker heartbeat ----------------------------------------------------------------------

def worker_expected() -> bool:
    """A background worker runs the tasks (the database queue), unless CHIBO_TASKS=immediate."""
    return "django_tasks_db" in str(settings.TASKS.get("default", {}).get("BACKEND", ""))


def heartbeat_path() -> Path:
    return Path(settings.DATA_DIR) / HEARTBEAT_FILE


def stale_seconds() -> float:
    return float(settings.CHIBO_WORKER_STALE_SECONDS)


def beat_seconds() -> float:
    return max(0.05, min(MAX_BEAT_SECONDS, stale_seconds() / 4))


def read_heartbeat() -> tuple[float, dict[str, Any]] | None:
    """The heartbeat's age in seconds and what the file says (pid, started), or None."""
    path = heartbeat_path()
    try:
        age = time.time() - path.stat().st_mtime
        facts: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            facts = loaded if isinstance(loaded, dict) else {}
    except OSError:
        return None
    return max(0.0, age), facts


def check_worker() -> Result:
    if not worker_expected():
        return Result("worker", True, "not_used", _("No background worker: CHIBO_TASKS runs tasks in the request."))
    beat = read_heartbeat()
    if beat is None:
        return Result("worker", False, "missing", _("The background worker has never run here (no heartbeat): "
                                                     "start chibo with `chibo serve`."))
    age, facts = beat
    figures = {"age": _duration(age), "pid": facts.get("pid", "?"), "limit": _duration(stale_seconds())}
    if age > stale_seconds():
        return Result("worker", False, "stale", _("The background worker's last heartbeat was %(age)s ago (process "
                                                  "%(pid)s), more than %(limit)s: it has stopped. Restart chibo.")
                      % figures)
    return Result("worker", True, "ok", _("The background worker is alive (process %(pid)s, heartbeat %(age)s ago).")
                  % figures)


class Heartbeat:
    """Touches DATA_DIR/worker.heartbeat every `beat_seconds()` from a daemon thread, for as
    long as the process (its main thread) lives. `stop()` ends the beats and leaves the file,
    which then grows stale like that of a worker that was killed."""

    def __init__(self, path: Path | None = None, interval: float | None = None) -> None:
        self.path = path or heartbeat_path()
        self.interval = interval or beat_seconds()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._write()
        self._thread = threading.Thread(target=self._run, name="chibo-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval) and threading.main_thread().is_alive():
            self.beat()

    def beat(self) -> None:
        try:
            os.utime(self.path)
        except FileNotFoundError:  # the data folder was cleaned meanwhile: write it again
            self._write()
        except OSError:
            log.warning("worker heartbeat: cannot touch %s", self.path, exc_info=True)

    def _write(self) -> None:
        facts = {"pid": os.getpid(), "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            partial.write_text(json.dumps(facts), encoding="utf-8")
            os.replace(partial, self.path)
        except OSError:
            log.warning("worker heartbeat: cannot write %s", self.path, exc_info=True)


# --- Disk ----------------------------------------------------------------------------------

def free_bytes() -> int:
    return shutil.disk_usage(Path(settings.DATA_DIR)).free


def check_disk() -> Result:
    minimum = int(settings.CHIBO_MIN_FREE_BYTES)
    try:
        free = free_bytes()
    except OSError:
        return Result("disk", False, "missing", _("The data folder (CHIBO_DATA_DIR) does not exist or cannot be "
                                                   "read."))
    figures = {"free": megabytes(free), "min": megabytes(minimum)}
    if free < minimum:
        return Result("disk", False, "low", _("Only %(free)s MB free on the data folder's disk, less than "
                                              "CHIBO_MIN_FREE_MB (%(min)s MB): chibo refuses files, imports and "
                                              "exports. Free some space.") % figures)
    return Result("disk", True, "ok", _("%(free)s MB free on the data folder's disk (at least %(min)s MB needed).")
                  % figures)


def folder_bytes(root: Path) -> int:
    """The size of everything under `root` (for `chibo status`; walks the folder)."""
    total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / name).lstat().st_size
    return total


def megabytes(n: float) -> str:
    return f"{n / 1048576:.0f}"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return _("%(n)s s") % {"n": int(seconds)}
    if seconds < 7200:
        return _("%(n)s min") % {"n": int(seconds // 60)}
    return _("%(n)s h") % {"n": int(seconds // 3600)}
