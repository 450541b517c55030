"""Write audit records. Callers are services, inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from chibo.audit.models import AuditEvent
from chibo.core.bulk import insert_rows

Snapshot = dict[str, Any]


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> Snapshot:
    """A JSON-safe dict of an instance's concrete field values (FKs as ids)."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _jsonable(getattr(instance, name)) for name in names}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Snapshot, Snapshot]:
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    prior_path: str = "",
    before: Snapshot | None = None,
    after: Snapshot | None = None,
    note: str = "",
) -> AuditEvent:
    """One audit row. `org_path` is where the object is now; `prior_path`, where it was before
    this change when that differs (else leave it empty): staff of both read the row."""
    return AuditEvent.objects.create(**_fields(actor, action, obj, object_type, object_id, object_repr,
                                               org_path, before, after, note, prior_path=prior_path))


def record_many(rows: list[dict[str, Any]], *, actor: Any) -> None:
    """Bulk paths write their audit rows in one statement."""
    insert_rows(AuditEvent, (
        _fields(actor, r["action"], r.get("obj"), r.get("object_type", ""), r.get("object_id", ""),
                r.get("object_repr", ""), r.get("org_path", ""), r.get("before"), r.get("after"), r.get("note", ""),
                attnames=True, prior_path=r.get("prior_path", "")) for r in rows))


def _fields(actor: Any, action: str, obj: models.Model | None, object_type: str, object_id: str,
            object_repr: str, org_path: str, before: Snapshot | None, after: Snapshot | None,
            note: str, attnames: bool = False, prior_path: str = "") -> dict[str, Any]:
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        **({"actor_id": user.pk if user else None} if attnames else {"actor": user}),
        "actor_name": (user.get_username() if user else "system")[:150],
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:200],
        "org_path": org_path,
        "prior_path": prior_path if prior_path != org_path else "",
        "before": before,
        "after": after,
        "note": note[:500],
    }
