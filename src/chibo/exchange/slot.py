"""One import at a time per database (docs/decisions.md, "Imports do not lock others out").

SQLite: an exclusive `flock` on a file beside the database. PostgreSQL: a session-level
advisory lock. Both are let go by the operating system or the server when the process
dies (kill -9 included), so a crashed import never blocks the next one."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import time
from collections.abc import Callable, Iterator

from django.db import connection

from chibo.core.db import lock_folder, sqlite_file

POLL_SECONDS = 0.5
_ADVISORY_KEY = 0x63686962  # "chib": the one import lock of a PostgreSQL database


class _Busy(Exception):
    """Raised instead of waiting when the slot is taken and the caller would rather not wait."""


@contextlib.contextmanager
def import_slot(on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the database's import slot for the block. When another import holds it, call
    `on_wait` (to tell the person, and as a heartbeat) and wait, polling, until it is free."""
    if connection.vendor == "postgresql":
        with _advisory(on_wait):
            yield
        return
    with _file_lock(on_wait):
        yield


@contextlib.contextmanager
def free_import_slot() -> Iterator[bool]:
    """Hold the import slot for the block if nobody does (yields True), else do not wait
    (yields False): for the clean-up a starting worker does."""

    def busy() -> None:
        raise _Busy

    try:
        with import_slot(busy):
            yield True
            return
    except _Busy:
        pass
    yield False


@contextlib.contextmanager
def _file_lock(on_wait: Callable[[], None] | None) -> Iterator[None]:
    path = sqlite_file()
    name = path.name if path is not None else hashlib.sha1(str(connection.settings_dict["NAME"]).encode()).hexdigest()
    with (lock_folder() / f".{name}.import-lock").open("a") as handle:

        def take() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        _wait_for(take, on_wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _advisory(on_wait: Callable[[], None] | None) -> Iterator[None]:
    with connection.cursor() as cursor:

        def take() -> bool:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_KEY])
            row = cursor.fetchone()
            return bool(row and row[0])

        _wait_for(take, on_wait)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_KEY])


def _wait_for(take: Callable[[], bool], on_wait: Callable[[], None] | None) -> None:
    """Try `take` until it succeeds; between tries call `on_wait` (to tell the person, and as
    a heartbeat) and pause."""
    while not take():
        if on_wait is not None:
            on_wait()
        time.sleep(POLL_SECONDS)
