"""A failed import leaves nothing, although SQLite publishes it in chunks (docs/decisions.md,
"Imports do not lock others out").

On SQLite an import publishes in short transactions, so other people's writes never wait
long. While it does, temporary triggers on the publishing connection — on that connection
only, so nobody else's writes are logged — write every row it inserts, changes or deletes
into an undo log (UndoStep), in the same transaction as the change: a chunk and its undo
steps commit together or not at all. Then:

* the import finishes: its Publish is marked done in one small transaction (the moment the
  import counts as made), and the log is deleted in chunks;
* the import fails (a row its check accepted is refused, an error, a full disk): the log is
  played backwards at once, in short transactions too, and the import leaves nothing;
* its process is killed: the next holder of the import slot — the next import, the worker or
  `chibo serve` starting again — plays it backwards first (`withdraw_abandoned`).

Playing back respects other people's work done meanwhile: a changed column is put back only
while it still holds what the import wrote; the rollups (counters everybody moves) are put
back by subtracting what the import added, never by restoring an old figure; the facts of the
cells touched are computed again at the end. What cannot be put back — a row the import
added that someone has since linked something to — leaves the publish "stuck", said in the
job's message and the log, and importing the same file again completes it.
PostgreSQL imports in one transaction and needs none of this."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chibo.exchange.models import Publish, UndoStep
from chibo.indicators.models import CellFacts
from chibo.members.models import MemberAgeStat, MemberStat

log = logging.getLogger(__name__)

# Counters that other people's writes move too (the rollups): undone by subtracting.
COUNTERS: dict[str, tuple[str, ...]] = {
    MemberStat._meta.db_table: ("n",),
    MemberAgeStat._meta.db_table: ("n",),
    CellFacts._meta.db_table: ("official_count",),
}
FACTS = CellFacts._meta.db_table  # derived rows: computed again for the cells touched
# Not part of what an import publishes: its own bookkeeping, Django's, and the audit trail,
# which is append-only — the import's rows stay, followed by one row saying it was withdrawn.
UNLOGGED_PREFIXES = ("exchange_", "django_", "sqlite_", "audit_")
JSON_ARGS = 120  # SQLite allows 127 arguments to a function: json_object() takes 2 per column
UNDO_SECONDS = 0.5
UNDO_FIRST_STEPS = 2000
PURGE_STEPS = 20000
PAUSE = 0.12  # as the publish: let the writers waiting for SQLite's lock in between chunks


@dataclass
class Withdrawal:
    reverted: int = 0
    kept: int = 0
    stuck: bool = False


def _tables() -> dict[str, list[str]]:
    """Every table of the database's models that an import may write, with its columns."""
    out: dict[str, list[str]] = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in existing and not table.startswith(UNLOGGED_PREFIXES):
            out[table] = [f.column for f in model._meta.local_concrete_fields]
    return out


def _json(prefix: str, columns: list[str]) -> str:
    """SQL for a JSON array of objects holding the columns of NEW or OLD."""
    groups = [columns[i:i + JSON_ARGS // 2] for i in range(0, len(columns), JSON_ARGS // 2)]
    objects = [", ".join(f"'{c}', {prefix}.\"{c}\"" for c in group) for group in groups]
    return "json_array(" + ", ".join(f"json_object({o})" for o in objects) + ")"


def _trigger_sql(publish_id: int, table: str, columns: list[str]) -> list[str]:
    log_table = UndoStep._meta.db_table
    insert = f'INSERT INTO {log_table} (publish_id, tbl, op, row_id, old, new) VALUES ({int(publish_id)}, \'{table}\''
    counters = COUNTERS.get(table)
    new_on_insert = _json("NEW", list(counters)) if counters else "NULL"
    return [
        f'CREATE TEMP TRIGGER "chibo_undo_{table}_i" AFTER INSERT ON main."{table}" BEGIN '
        f"{insert}, 'I', NEW.rowid, NULL, {new_on_insert}); END",
        f'CREATE TEMP TRIGGER "chibo_undo_{table}_u" AFTER UPDATE ON main."{table}" BEGIN '
        f"{insert}, 'U', OLD.rowid, {_json('OLD', columns)}, {_json('NEW', columns)}); END",
        f'CREATE TEMP TRIGGER "chibo_undo_{table}_d" AFTER DELETE ON main."{table}" BEGIN '
        f"{insert}, 'D', OLD.rowid, {_json('OLD', columns)}, NULL); END",
    ]


@contextlib.contextmanager
def recording(*, job_id: int | None = None, org_path: str = "") -> Iterator[Publish]:
    """Log every change this connection makes in the block as undo steps of a new Publish
    (`org_path`: the importer's organisation, whose staff read the audit row of a withdrawal).
    The triggers are temporary: they live on this connection only and end with the block."""
    publish = Publish.objects.create(pid=os.getpid(), job_id=job_id, org_path=org_path)
    tables = _tables()
    with connection.cursor() as cursor:
        try:
            for table, columns in tables.items():
                for sql in _trigger_sql(publish.pk, table, columns):
                    cursor.execute(sql)
            yield publish
        finally:
            try:
                for table in tables:
                    for suffix in "iud":
                        cursor.execute(f'DROP TRIGGER IF EXISTS temp."chibo_undo_{table}_{suffix}"')
            except DatabaseError:
                connection.close()  # the temporary triggers end with the connection


def commit(publish: Publish) -> None:
    """The import is made: mark it done (one small transaction), then drop its undo log."""
    Publish.objects.filter(pk=publish.pk).update(state=Publish.State.DONE, finished_at=timezone.now())
    publish.state = Publish.State.DONE
    _purge(publish.pk)


def _purge(publish_id: int) -> None:
    table = UndoStep._meta.db_table
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE publish_id = %s "
                           f"ORDER BY id LIMIT %s)", [publish_id, PURGE_STEPS])
            if cursor.rowcount < PURGE_STEPS:
                return
        time.sleep(PAUSE)


def withdraw(publish: Publish) -> Withdrawal:
    """Play the publish's undo log backwards, in transactions of about UNDO_SECONDS each, then
    compute the facts of the cells touched again. Call with the import slot held."""
    outcome = Withdrawal()
    columns = _tables()
    cells: set[int] = set()
    size = UNDO_FIRST_STEPS
    while True:
        started = time.monotonic()
        try:
            with transaction.atomic():
                steps = list(UndoStep.objects.filter(publish_id=publish.pk).order_by("-id")
                             .values_list("id", "tbl", "op", "row_id", "old", "new")[:size])
                if not steps:
                    break
                with connection.cursor() as cursor:
                    for _id, table, op, row_id, old, new in steps:
                        if _undo(cursor, table, op, row_id, _merged(old), _merged(new), columns.get(table, []), cells):
                            outcome.reverted += 1
                        else:
                            outcome.kept += 1
                    UndoStep.objects.filter(publish_id=publish.pk, id__gte=steps[-1][0]).delete()
        except DatabaseError as exc:  # a row added by the import that others have since built on
            log.error("publish %s could not be withdrawn whole: %s", publish.pk, exc)
            outcome.stuck = True
            break
        took = max(time.monotonic() - started, 0.001)
        size = max(100, min(20000, int(len(steps) * UNDO_SECONDS / took)))
        time.sleep(PAUSE)
    if cells:
        from chibo.indicators.services import refresh_cells

        refresh_cells(cells)  # ids of cells no longer there match nothing
    state = Publish.State.STUCK if outcome.stuck else Publish.State.WITHDRAWN
    Publish.objects.filter(pk=publish.pk).update(state=state, finished_at=timezone.now(),
                                                 reverted=publish.reverted + outcome.reverted,
                                                 kept=publish.kept + outcome.kept)
    publish.state = state
    _record(publish, outcome)
    return outcome


def _record(publish: Publish, outcome: Withdrawal) -> None:
    from chibo.audit import services as audit

    audit.record(actor=None, action="withdraw", object_type="import", object_id=str(publish.job_id or ""),
                 object_repr=f"Lần nhập bị dừng: {outcome.reverted} thay đổi đã được hoàn lại", org_path=publish.org_path,
                 note=(f"{outcome.kept} thay đổi giữ nguyên vì đã được người khác sửa sau đó. " if outcome.kept else "")
                 + ("Không hoàn lại được hết: có bản ghi do lần nhập tạo ra đã được dùng ở nơi khác." if outcome.stuck
                    else ""))


def withdraw_abandoned() -> list[Publish]:
    """Withdraw every publish whose process died mid-way, and finish dropping the logs of those
    that were done. Only with the import slot held: then no publish is under way."""
    withdrawn = []
    for publish in Publish.objects.filter(state=Publish.State.PUBLISHING).order_by("-id"):
        log.warning("publish %s (job %s) was left part-way: withdrawing it", publish.pk, publish.job_id)
        withdraw(publish)
        withdrawn.append(publish)
    for publish_id in (UndoStep.objects.exclude(publish__state=Publish.State.PUBLISHING)
                       .values_list("publish_id", flat=True).distinct()):
        _purge(publish_id)
    return withdrawn


def _q(column: str) -> str:
    return f'"{column}"'


def _merged(value: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in json.loads(value) if value else []:
        out.update(part)
    return out


def _undo(cursor: Any, table: str, op: str, row_id: int, old: dict[str, Any], new: dict[str, Any],
          columns: list[str], cells: set[int]) -> bool:
    """Undo one step; False when it is left as it is (someone else changed the row since)."""
    quoted = _q(table)
    counters = COUNTERS.get(table, ())
    if table == FACTS:
        cells.add(row_id)
    if counters and op in ("I", "U"):
        added = {c: (new.get(c) or 0) - (old.get(c) or 0 if op == "U" else 0) for c in counters}
        if any(added.values()):
            sets = ", ".join(f'"{c}" = "{c}" - %s' for c in added)
            cursor.execute(f"UPDATE {quoted} SET {sets} WHERE rowid = %s", [*added.values(), row_id])
        if op == "I":  # a rollup row the import began: gone once it counts nothing again
            if table == FACTS:
                cursor.execute(f"DELETE FROM {quoted} WHERE rowid = %s", [row_id])
            else:
                zero = " AND ".join(f'"{c}" = 0' for c in counters)
                cursor.execute(f"DELETE FROM {quoted} WHERE rowid = %s AND {zero}", [row_id])
        return True
    if op == "I":
        cursor.execute(f"DELETE FROM {quoted} WHERE rowid = %s", [row_id])
        return True
    if op == "D":
        present = [c for c in columns if c in old]
        cursor.execute(f"INSERT OR IGNORE INTO {quoted} (rowid, {', '.join(_q(c) for c in present)}) "
                       f"VALUES (%s, {', '.join(['%s'] * len(present))})", [row_id, *(old[c] for c in present)])
        return bool(cursor.rowcount == 1)
    # op == "U": put back each column the import changed that still holds what it wrote
    changed = [c for c in columns if c in old and old[c] != new.get(c)]
    if not changed:
        return True
    cursor.execute(f"SELECT {', '.join(_q(c) for c in changed)} FROM {quoted} WHERE rowid = %s",
                   [row_id])
    current = cursor.fetchone()
    if current is None:
        return False
    back = [c for c, now in zip(changed, current, strict=True) if now == new.get(c)]
    if back:
        cursor.execute(f"UPDATE {quoted} SET {', '.join(f'{_q(c)} = %s' for c in back)} WHERE rowid = %s",
                       [*(old[c] for c in back), row_id])
    return len(back) == len(changed)
