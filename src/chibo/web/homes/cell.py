"""The cell home's "Việc cần làm" (see the package's docstring): for those who write for the cell
(its secretary, its committee) — this month's meeting and the one step it needs next, overdue
tasks and results waiting for the viewer's verification, the procedures due under the rules
(probation ends, recognitions, transfers, candidates' deadlines: `due.procedures_due`), questions waiting
for an answer and targets behind; each a count linking to the list behind it. The viewer is a
member too: their own open tasks, counted, and the way to "Của tôi". A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.channel import selectors as channel_selectors
from chibo.core.dates import today
from chibo.meetings import selectors as meeting_selectors
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.tasks import selectors as task_selectors

from .due import procedures_due


def own_tasks(user: Any, now: dt.date) -> dict[str, int]:
    """The secretary's own open tasks and how many are late, counted (one query): the rest of
    what concerns them as a member is one tap away, on "Của tôi"."""
    m = access.scope_for(user).own_membership
    org_ids = [pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk] if m else []
    total, late = task_selectors.my_task_counts(access.tasks(user), person_id=user.person_id, org_ids=org_ids, day=now)
    return {"tasks_total": total, "overdue": late}


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    """`day` is the figures' date; what to do is always as of today."""
    user = request.user
    now = today()
    person_id = getattr(user, "person_id", None)
    inbox = access.may_use_inbox(user)
    return {
        "month": meeting_selectors.month_meeting(access.meetings(user), org, now),
        "tasks": task_selectors.cell_work(access.tasks(user), org, person_id=person_id, day=now),
        "due": procedures_due(user, org, now),
        "questions": channel_selectors.waiting(user).answerable if inbox else None,
        "behind": plan_selectors.behind(access.targets(user), org, now),
        "mine": own_tasks(user, now) if person_id is not None else None,
        "now": now,
    }
