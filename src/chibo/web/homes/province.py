"""The province home's "Việc cần làm" (see the package's docstring): the communes side by side.

The table (`web/compare.py`, `/to-chuc/<code>/so-sanh/`) is shown inline: its first rows by the
default sort, from the province's latest snapshot (a few queries), with a link to the whole
table. With `?date=`, the snapshot of that day if there is one, else the latest, saying its
date — never today's figures under a past date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.organisations.models import Organisation
from chibo.web.compare import HOME_ROWS, snapshot_context


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    if org.kind != Organisation.Kind.PROVINCE or not access.sees_members_of(request.user, org):
        return {"compares": False}
    return {"compares": True, **snapshot_context(request, org, day=day, limit=HOME_ROWS)}
