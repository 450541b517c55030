"""The province home's "Việc cần làm" (see the package's docstring): the communes side by side.

The table itself (`web/compare.py`, `/to-chuc/<code>/so-sanh/`) is loaded into the home by htmx
once the page is shown — at province scale its figures take a few seconds, which the rest of
the home must not wait for. Here only whether the province has communes yet (one query): an
empty province is told what to do next."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.core.dates import today
from chibo.organisations.models import Organisation
from chibo.web.compare import HOME_ROWS


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    if not access.sees_members_of(request.user, org):
        return {"compares": False}
    has_communes = Organisation.objects.filter(parent=org).active_on(day or today()).exists()
    return {"compares": True, "has_communes": has_communes, "home_rows": HOME_ROWS}
