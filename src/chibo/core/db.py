"""The database seen from the outside: is an error a lock that timed out (answer 503 and
ask to retry, never a 500), and a private snapshot of the SQLite database for long reads
that must not hold its write lock (the import's check, docs/decisions.md)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection

RETRY_AFTER_SECONDS = 5  # what a busy answer tells the client to wait before trying again

# SQLite: SQLITE_BUSY after the busy timeout, SQLITE_LOCKED (shared cache). PostgreSQL:
# lock_not_available (lock_timeout) and query_canceled (statement_timeout).
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_PG_BUSY = {"55P03", "57014"}


def is_lock_timeout(exc: BaseException | None) -> bool:
    """Whether `exc` is a write that gave up waiting for the database's lock."""
    while exc is not None:
        if isinstance(exc, OperationalError | sqlite3.OperationalError):
            if any(text in str(exc).lower() for text in _SQLITE_BUSY):
                return True
            if getattr(exc, "sqlstate", None) in _PG_BUSY or getattr(exc, "pgcode", None) in _PG_BUSY:
                return True
        exc = exc.__cause__
    return False


def sqlite_file() -> Path | None:
    """The default database's file when it is a SQLite file (not in memory), else None."""
    if connection.vendor != "sqlite":
        return None
    from django.db.backends.sqlite3.creation import DatabaseCreation

    if DatabaseCreation.is_in_memory_db(connection.settings_dict["NAME"]):
        return None
    return Path(connection.settings_dict["NAME"])


def snapshot_possible() -> bool:
    return sqlite_file() is not None and not connection.in_atomic_block


@contextlib.contextmanager
def on_snapshot() -> Iterator[Path]:
    """Point this thread's connection at a private copy of the SQLite database for the
    block, then back. The copy is made with SQLite's backup API from a reader connection,
    which in WAL mode blocks no writer; whatever the block writes into the copy is thrown
    away with it. Other threads keep using the live database."""
    live_path = sqlite_file()
    if live_path is None or connection.in_atomic_block:
        raise RuntimeError("on_snapshot needs a SQLite file database outside a transaction")
    folder = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=live_path.parent))
    copy = folder / "snapshot.sqlite3"
    try:
        source = sqlite3.connect(str(live_path), timeout=float(connection.settings_dict["OPTIONS"].get("timeout", 5)))
        target = sqlite3.connect(str(copy))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        live = connection.settings_dict
        options = dict(live.get("OPTIONS", {}))
        # A throw-away copy: no fsync, no WAL file beside it.
        options["init_command"] = "PRAGMA foreign_keys=ON;PRAGMA journal_mode=MEMORY;PRAGMA synchronous=OFF;" \
                                  "PRAGMA temp_store=FILE;PRAGMA cache_size=-65536;PRAGMA mmap_size=0;"
        connection.close()
        connection.settings_dict = {**live, "NAME": str(copy), "OPTIONS": options}
        try:
            yield copy
        finally:
            connection.close()
            connection.settings_dict = live
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lock_folder() -> Path:
    """Where the import's lock file lives: beside a SQLite file, else in DATA_DIR."""
    path = sqlite_file()
    folder = path.parent if path is not None else Path(settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
