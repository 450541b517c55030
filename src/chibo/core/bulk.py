"""Insert many rows whose ids nobody needs back, without building an ORM statement per batch.

Django's bulk_create prepares every value through the field API and compiles SQL per batch;
for the hundreds of thousands of history and audit rows of an import that costs more than
the database work. Values go through each field's `get_db_prep_save` once, in one pass, and
the rows are sent with executemany. Only for models without custom save logic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: Iterable[models.Model], batch: int = 2000) -> int:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not isinstance(f, models.AutoField)]
    fields = [f for f in fields if not isinstance(f, models.AutoField | models.BigAutoField)]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    prepare = [(f.attname, f) for f in fields]
    count = 0
    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
        for obj in objects:
            for f in fields:
                if getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None:
                    f.pre_save(obj, add=True)
            rows.append([field.get_db_prep_save(getattr(obj, attname), connection) for attname, field in prepare])
            if len(rows) >= batch:
                cursor.executemany(sql, rows)
                count += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            count += len(rows)
    return count
