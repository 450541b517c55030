"""Reading back what the audit recorded about one object, for pages that show it (a cancelled
meeting's reason lives only in its "cancel" row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models

from chibo.audit.models import AuditEvent


@dataclass(frozen=True)
class Recorded:
    at: dt.datetime
    actor_name: str
    after: dict[str, Any]


def last_recorded(obj: models.Model, action: str) -> Recorded | None:
    """The latest row of `action` on `obj` (one query, on the audit_object index), or None."""
    row = (AuditEvent.objects.filter(object_type=obj._meta.model_name or "", object_id=str(obj.pk), action=action)
           .order_by("-at", "-id").values_list("at", "actor_name", "after").first())
    if row is None:
        return None
    return Recorded(at=row[0], actor_name=row[1], after=row[2] if isinstance(row[2], dict) else {})
