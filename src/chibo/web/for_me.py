"""The member's own screen (issue 5, point 8): upcoming meetings with their materials, the
tasks waiting, documents to read, this year's attendance and open questions — on one phone
screen, each section from its app's selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chibo import access
from chibo.channel import selectors as channel_selectors
from chibo.core.dates import today
from chibo.documents import selectors as document_selectors
from chibo.meetings import selectors as meeting_selectors
from chibo.tasks import rules as task_rules
from chibo.tasks import selectors as task_selectors


@login_required
def for_me(request: HttpRequest) -> HttpResponse:
    day = today()
    user = request.user
    scope = access.scope_for(user)
    m = scope.own_membership
    person_id = getattr(user, "person_id", None)
    org_ids = [pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk] if m else []
    mine = task_selectors.my_tasks(access.tasks(user), person_id=person_id, org_ids=org_ids, day=day)
    soon = task_selectors.soon_days()
    for t in mine.doing:
        t.urgency = task_rules.urgency(due_on=t.due_on, day=day, soon_days=soon)  # type: ignore[attr-defined]
    meetings = meeting_selectors.upcoming_for(person_id, day=day) if person_id else []
    docs = document_selectors.my_documents(access.documents(user), m, limit=5, read_limit=0)
    return render(request, "web/for_me.html", {
        "m": m, "day": day,
        "meetings": meetings,
        "tasks": mine.doing[:5], "tasks_total": len(mine.doing),
        "overdue": len([t for t in mine.doing if getattr(t, "urgency", "") == "overdue"]),
        "to_verify": len(mine.to_verify),
        "documents": docs.to_read, "documents_total": docs.to_read_count,
        "attendance": meeting_selectors.attendance_record(person_id, day.year) if person_id else None,
        "threads": channel_selectors.my_open_threads(user),
    })
