"""The member home's "Việc cần làm" (see the package's docstring), and `mine()`: the member's
own items — coming meetings with their material and the member's notice of absence, tasks,
documents to read, questions — which the home page and "Của tôi" (`web/for_me.py`) both show,
through the partials in `web/templates/web/mine/`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.channel import selectors as channel_selectors
from chibo.channel.models import Thread
from chibo.core.dates import today
from chibo.documents import selectors as document_selectors
from chibo.documents.models import Document
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings.models import Meeting
from chibo.members.models import Membership
from chibo.organisations.models import Organisation
from chibo.tasks import rules as task_rules
from chibo.tasks import selectors as task_selectors
from chibo.tasks.models import Task


@dataclass
class Mine:
    """What concerns the member themself, each list short, with its full count."""
    membership: Membership | None
    person_id: int | None
    meetings: list[Meeting] = field(default_factory=list)  # announced, from today; each with `my_notice`
    tasks: list[Task] = field(default_factory=list)  # open, by deadline; each with `urgency`
    tasks_total: int = 0
    overdue: int = 0
    to_verify: int = 0  # results waiting for the member's verification
    documents: list[Document] = field(default_factory=list)  # not read yet, newest first
    documents_total: int = 0
    threads: list[Thread] = field(default_factory=list)  # open questions, answered ones first
    answered: int = 0  # of those, with an answer to read

    @property
    def next_meeting(self) -> Meeting | None:
        return self.meetings[0] if self.meetings else None


def mine(user: Any, day: dt.date, *, meetings: int = 5, tasks: int = 5, documents: int = 5,
         questions: int = 3) -> Mine:
    """The member's own items on `day`, read through chibo.access, in a fixed number of queries.
    With `tasks=0` the tasks are only counted (a card that lists none)."""
    m = access.scope_for(user).own_membership
    person_id = getattr(user, "person_id", None)
    out = Mine(membership=m, person_id=person_id)
    org_ids = [pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk] if m else []
    if tasks:
        doing = task_selectors.my_tasks(access.tasks(user), person_id=person_id, org_ids=org_ids, day=day,
                                        recent=False)
        soon = task_selectors.soon_days()
        for t in doing.doing:
            t.urgency = task_rules.urgency(due_on=t.due_on, day=day, soon_days=soon)  # type: ignore[attr-defined]
        out.tasks, out.tasks_total = doing.doing[:tasks], len(doing.doing)
        out.overdue = len([t for t in doing.doing if getattr(t, "urgency", "") == "overdue"])
        out.to_verify = len(doing.to_verify)
    else:
        out.tasks_total, out.overdue = task_selectors.my_task_counts(
            access.tasks(user), person_id=person_id, org_ids=org_ids, day=day)
    if person_id is not None:
        out.meetings = meeting_selectors.upcoming_for(person_id, day=day, limit=meetings)
    docs = document_selectors.my_documents(access.documents(user), m, limit=documents, read_limit=0)
    out.documents, out.documents_total = docs.to_read, docs.to_read_count
    threads = channel_selectors.my_open_threads(user, limit=50)
    out.threads = threads[:questions]
    out.answered = sum(1 for t in threads if t.status == Thread.Status.ANSWERED)
    return out


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    """`day` is the figures' date; what to do is always as of today."""
    return {"mine": mine(request.user, today(), meetings=1, tasks=3, documents=3)}
