"""The home page's first part, "Việc cần làm" (issue 14, point 3): what the person must do,
before the figures. Which kind of work is shown depends on the organisation the page is about
and the viewer's scope:

- a province (or the administrator's top): the communes side by side (`province.py`);
- a commune or ward committee (or a grassroots committee with cells under it): the cells' work at a glance, each count opening its list
  (`commune.py`);
- a cell (or grassroots organisation) the viewer runs as its committee: this month's meeting,
  tasks, what is due, questions, targets (`cell.py`);
- a plain member's own cell: the member's own next meeting, tasks, documents, answers
  (`member.py`).

Each module has `work(request, org, day) -> dict`, whose keys its template
`web/home/_work_<kind>.html` reads; everything it reads comes through `chibo.access`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.organisations.models import Organisation

from . import cell, commune, member, province

WORK = {"province": province.work, "commune": commune.work, "cell": cell.work, "member": member.work}


def kind_for(user: Any, org: Organisation) -> str:
    """Which home the viewer gets for `org`."""
    if org.kind == Organisation.Kind.PROVINCE:
        return "province"
    if org.kind in (Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE):
        return "commune"
    if access.writes_for(user, org):
        return "cell"
    return "member"


def work_context(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    kind = kind_for(request.user, org)
    context = WORK[kind](request, org, day)
    context["work_kind"] = kind
    context["work_template"] = f"web/home/_work_{kind}.html"
    return context
