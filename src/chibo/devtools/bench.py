"""The import benchmark of `chibo bench --imports`: export the synthetic province to one
workbook, read it with python-calamine alone, then import it end to end into a new, empty
database with `chibo import` in a child process (so its wall time and peak memory are its
own), and check that the new database reports the same figures as the one exported from.
On SQLite, another writer meanwhile takes the database's write lock every 50 ms (and lets
it go at once): its longest wait is what a person saving a form during the import would
wait (docs/decisions.md, "Imports do not lock others out")."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from python_calamine import CalamineWorkbook

from chibo.exchange import services
from chibo.indicators.figures import MEETING_KEYS, WORK_KEYS, indicators
from chibo.organisations.models import Organisation


def import_benchmark(province: Organisation) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chibo-bench-") as tmp:
        path = Path(tmp) / "province.xlsx"
        start = time.perf_counter()
        services.export_workbook(actor=None, org=province, out=str(path), description="chibo bench --imports")
        export_seconds = time.perf_counter() - start
        file_mb = round(path.stat().st_size / 1048576, 1)

        start = time.perf_counter()
        book = CalamineWorkbook.from_path(str(path))
        rows = sum(len(book.get_sheet_by_index(i).to_python()) for i in range(len(book.sheet_names)))
        read_seconds = time.perf_counter() - start
        del book

        env, drop = empty_database_env(Path(tmp))
        try:
            run = [sys.executable, "-m", "chibo"]
            subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
            start = time.perf_counter()
            out_path = Path(tmp) / "result.json"
            with out_path.open("wb") as out:
                child = subprocess.Popen([*run, "import", str(path), "--json"], env=env, stdout=out)
                probe = _LockProbe(Path(env["CHIBO_DATA_DIR"]) / "chibo.sqlite3") if "DATABASE_URL" not in env else None
                peak_kb = 0
                while child.poll() is None:
                    peak_kb = max(peak_kb, _peak_kb(child.pid))
                    time.sleep(0.1)
                waits = probe.stop() if probe is not None else []
            import_seconds = time.perf_counter() - start
            if child.returncode != 0:
                raise RuntimeError(f"chibo import failed with status {child.returncode}")
            output = out_path.read_bytes()
            result = json.loads(output)
            figures = subprocess.run([*run, "indicators", province.code, "--json"], env=env, check=True,
                                     capture_output=True).stdout
        finally:
            drop()
    # The import carries the organisations, people and members, not plans, tasks, meetings or
    # documents, nor candidates (members_admitted and its parts come from the memberships'
    # admission dates, which it carries): compare those figures.
    skip = {*WORK_KEYS, *MEETING_KEYS, "candidates_total", "period"}
    mine = json.loads(json.dumps(indicators(province).as_dict(), ensure_ascii=False))
    same = {k: v for k, v in json.loads(figures).items() if k not in skip} == {
        k: v for k, v in mine.items() if k not in skip}
    return {
        "file_mb": file_mb,
        "rows": rows, "members": result["outcomes"]["members"]["create"],
        "export_seconds": round(export_seconds, 1), "read_seconds": round(read_seconds, 2),
        "import_seconds": round(import_seconds, 1), "peak_mb": round(peak_kb / 1024) if peak_kb else None,
        "ratio": round(import_seconds / read_seconds, 1) if read_seconds else None,
        "same_figures": same, "committed": result["committed"],
        "longest_write_seconds": result.get("longest_write_seconds"),
        "other_writer_max_wait_seconds": round(max(waits), 2) if waits else None,
        "other_writer_p95_wait_seconds": round(sorted(waits)[int(0.95 * (len(waits) - 1))], 3) if waits else None,
    }


class _LockProbe:
    """Another writer on a SQLite file: BEGIN IMMEDIATE (the write lock) then ROLLBACK, every
    50 ms, in a thread, recording how long each wait for the lock took."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.waits: list[float] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        db = None
        while not self.done.is_set():
            if db is None:
                if not self.path.exists():
                    time.sleep(0.05)
                    continue
                db = sqlite3.connect(str(self.path), timeout=300, isolation_level=None)
            start = time.perf_counter()
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass
            self.waits.append(time.perf_counter() - start)
            time.sleep(0.05)
        if db is not None:
            db.close()

    def stop(self) -> list[float]:
        self.done.set()
        self.thread.join(timeout=600)
        return self.waits


def _peak_kb(pid: int) -> int:
    """The process's peak resident memory so far (Linux). Not getrusage: a child's maxrss
    there starts from its parent's size at fork, which would count this command's memory."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def empty_database_env(tmp: Path) -> tuple[dict[str, str], Callable[[], None]]:
    """Environment for a child process (`python -m chibo …`) on a new, empty database of the
    same kind as this one, and a function that removes it. SQLite: a file under `tmp`.
    PostgreSQL: a new database on the same server, created and dropped through the
    server's maintenance database (so it works while Django's connection is elsewhere)."""
    env = {**os.environ, "CHIBO_IMPORT_MAX_MB": "100", "CHIBO_DEBUG": "0", "CHIBO_DATA_DIR": str(tmp / "data")}
    env.pop("SQLITE_PATH", None)
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return env, lambda: None
    import psycopg

    server: dict[str, Any] = {"host": db.get("HOST") or "localhost", "port": db.get("PORT") or 5432,
                              "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
                              "dbname": "postgres", "autocommit": True}
    name = f"chibo_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = (db.get("USER") or "") + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env["DATABASE_URL"] = f"postgres://{auth}@{server['host']}:{server['port']}/{name}"

    def drop() -> None:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop
