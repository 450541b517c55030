"""Insert many rows without building an ORM statement per batch.

Django's bulk_create prepares every value through the field API and compiles SQL per batch,
and on SQLite it sends at most 999 parameters per statement (about 40 members at a time);
for the hundreds of thousands of rows of an import that costs more than the database work.
Here each field gets one preparer, chosen once: values that the database driver takes as
they are (text, integers, booleans, None in plain columns) pass straight through, anything
else goes through the field's `get_db_prep_save`. Only for models without custom save logic.

- `insert_rows` sends rows (model instances, or dicts of attribute names to values, which
  skip building a model instance) with executemany, when the ids are not needed back;
- `insert_returning` sends multi-row INSERT … RETURNING and sets each object's primary key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

# Parameters per statement: under SQLite's default limit since 3.32 (32,766) and PostgreSQL's (65,535).
MAX_PARAMS = 30000
PLAIN_TYPES = (str, int, bool, type(None))  # bool is an int; both drivers take these as they are


def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField | models.BigAutoField)]


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def slow(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.CharField | models.TextField):
        def text(value: Any) -> Any:  # enum members are str too; Django passes them on as they are
            return value if value is None or isinstance(value, str) else slow(value)
        return text
    if isinstance(field, models.IntegerField | models.BooleanField | models.ForeignKey):
        def plain(value: Any) -> Any:
            return value if type(value) in PLAIN_TYPES else slow(value)
        return plain
    if isinstance(field, models.DateTimeField):
        last: list[Any] = [object(), None]  # the rows of one call share their timestamps: prepare each once

        def moment(value: Any) -> Any:
            if value is not last[0]:
                last[:] = [value, slow(value)]
            return last[1]
        return moment
    if isinstance(field, models.DateField):
        adapt = connection.ops.adapt_datefield_value

        def date(value: Any) -> Any:
            return adapt(value) if type(value) is dt.date else slow(value)
        return date
    return slow


Row = models.Model | dict[str, Any]


def _prepare_rows(fields: Sequence[models.Field[Any, Any]], objects: Iterable[Row]) -> Iterator[list[Any]]:
    """Database values for each object: a model instance, or a dict of attribute names to
    values in which a missing field takes its default. Timestamps that the model sets on
    creation (auto_now, auto_now_add) are one moment for the whole call."""
    now = timezone.now()
    preparers = [(f.attname, _preparer(f)) for f in fields]
    stamped = {f.attname for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)}
    defaults = {f.attname: now if f.attname in stamped else f.get_default() for f in fields}
    for obj in objects:
        if isinstance(obj, dict):
            values = {**defaults, **obj}
        else:
            values = obj.__dict__
            for attname in stamped:
                if values.get(attname) is None:
                    values[attname] = now
        yield [prepare(values[attname]) for attname, prepare in preparers]


def insert_rows(model: type[models.Model], objects: Iterable[Row], batch: int = 2000) -> int:
    fields = _insert_fields(model)
    if connection.vendor == "postgresql":
        return _copy(model, fields, _prepare_rows(fields, objects))
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    count = 0
    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in _prepare_rows(fields, objects):
            rows.append(row)
            if len(rows) >= batch:
                cursor.executemany(sql, rows)
                count += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            count += len(rows)
    return count


def insert_returning(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert the objects and set their primary keys, as bulk_create does, in far fewer
    statements. Ids are assigned in ascending order of the rows within a statement on both
    databases, so they are matched to the objects by sorting, whatever order RETURNING uses."""
    fields = _insert_fields(model)
    pk = model._meta.pk
    assert pk is not None
    if connection.vendor == "postgresql":
        _copy_returning(model, pk, fields, objects)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = f"({', '.join(['%s'] * len(fields))})"
    batch = max(1, min(1000, MAX_PARAMS // len(fields)))
    statements: dict[int, str] = {}
    rows = _prepare_rows(fields, objects)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start:start + batch]
            params: list[Any] = []
            for _obj in chunk:
                params.extend(next(rows))
            n = len(chunk)
            if n not in statements:
                statements[n] = (f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * n)} "
                                 f"RETURNING {connection.ops.quote_name(pk.column)}")
            cursor.execute(statements[n], params)
            ids = sorted(r[0] for r in cursor.fetchall())
            if len(ids) != n:  # pragma: no cover - a database that did not insert every row
                raise RuntimeError(f"{model.__name__}: inserted {len(ids)} rows of {n}")
            for obj, new_id in zip(chunk, ids, strict=True):
                setattr(obj, pk.attname, new_id)
                obj._state.adding = False
                obj._state.db = connection.alias


# PostgreSQL: COPY, the server's bulk path. A multi-row INSERT with thousands of parameters
# is slow there for another reason: psycopg rewrites each long statement's placeholders in
# Python (it caches only short statements), which took longer than the inserts themselves.

def _copy(model: type[models.Model], fields: Sequence[models.Field[Any, Any]], rows: Iterable[list[Any]]) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    # wrap_database_errors: a refused row raises Django's IntegrityError (as an INSERT would),
    # not psycopg's own, so callers catch one kind on both databases.
    with (connection.wrap_database_errors, connection.cursor() as cursor,
          cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _copy_returning(model: type[models.Model], pk: models.Field[Any, Any], fields: Sequence[models.Field[Any, Any]],
                    objects: Sequence[models.Model]) -> None:
    """Take the ids from the table's sequence first, then COPY the rows with them."""
    if not objects:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(objects)])
        ids = [r[0] for r in cursor.fetchall()]
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, pk.attname, new_id)
    _copy(model, [pk, *fields], _prepare_rows([pk, *fields], objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
