"""The cell home's "Việc cần làm" (see the package's docstring): for those who write for the cell
(its secretary, its committee) — this month's meeting and the one step it needs next, overdue
tasks and results waiting for the viewer's verification, what is due under the rules (probation
ends, recognitions, badges, removal flags, transfers, candidates' deadlines), questions waiting
for an answer and targets behind; each a count linking to the list behind it. The viewer is a
member too: their own items, compactly (`member.mine`). A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.channel import selectors as channel_selectors
from chibo.core.dates import today
from chibo.lifecycle import selectors as lifecycle_selectors
from chibo.meetings import selectors as meeting_selectors
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.recruitment import selectors as recruitment_selectors
from chibo.tasks import selectors as task_selectors

from .member import mine


@dataclass
class Due:
    """What is due under the rules in the next `days` days (and overdue)."""
    overdue: int
    soon: int
    days: int

    @property
    def total(self) -> int:
        return self.overdue + self.soon


def due(user: Any, org: Organisation, day: dt.date) -> Due | None:
    """The lifecycle's statutory dates and the candidates' deadlines, counted as the page
    "What's due" (`/to-chuc/<code>/den-han/`) lists them; None for a viewer who may not read it."""
    if not access.sees_members_of(user, org):
        return None
    days = lifecycle_selectors.DEFAULT_DAYS
    items = lifecycle_selectors.due_items(org, day, days)
    candidates = recruitment_selectors.deadlines(access.candidates(user), org, day, day + dt.timedelta(days=days))
    overdue = sum(1 for i in items if i.date < day) + sum(1 for _c, n in candidates if n.overdue)
    return Due(overdue=overdue, soon=len(items) + len(candidates) - overdue, days=days)


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    """`day` is the figures' date; what to do is always as of today."""
    user = request.user
    now = today()
    person_id = getattr(user, "person_id", None)
    inbox = access.may_use_inbox(user)
    return {
        "month": meeting_selectors.month_meeting(access.meetings(user), org, now),
        "tasks": task_selectors.cell_work(access.tasks(user), org, person_id=person_id, day=now),
        "due": due(user, org, now),
        "questions": channel_selectors.waiting(user).answerable if inbox else None,
        "behind": plan_selectors.behind(access.targets(user), org, now),
        "mine": mine(user, now, meetings=1, tasks=3, documents=3) if person_id is not None else None,
        "now": now,
    }
