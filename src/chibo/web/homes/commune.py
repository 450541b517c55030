"""The commune home's "Việc cần làm" (see the package's docstring): for the commune staff (and
those above who look at a commune, read-only), the cells' work at a glance — each figure a count
that opens the list behind it, filtered so that the list shows exactly what was counted:

- cells that have not held their regular meeting this month → the missing-meetings page for the
  month (`meetings.selectors.not_met`);
- overdue tasks, with the cells that have the most → the due lists (`tasks.selectors.overdue_by_unit`);
- targets off track → the targets at that status (`plans.selectors.with_status`);
- the procedures with a deadline that are overdue or due in the next 30 days (probation ends,
  recognitions, transfers, temporary activities, candidates' steps) → What's due, procedures only;
- the viewer's own imports and downloads still waiting → the import page;
- the data-health score of the last check (the checks are too slow to run on every visit:
  docs/decisions.md) → the data-quality page, which checks again.

A commune without cells yet gets what to do first instead. Everything is read through
`chibo.access`, as of today (the `?date=` of the figures below does not move the work), in a
fixed number of queries whatever the number of cells and members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo import access
from chibo.core.dates import today
from chibo.exchange import selectors as exchange_selectors
from chibo.meetings import selectors as meeting_selectors
from chibo.organisations.models import Organisation
from chibo.plans import rules as plan_rules
from chibo.plans import selectors as plan_selectors
from chibo.quality import selectors as quality_selectors
from chibo.tasks import selectors as task_selectors

from .due import procedures_due

TOP_UNITS = 3  # the cells with the most overdue tasks, named under the count


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    user = request.user
    if not access.sees_members_of(user, org):  # the basics of an organisation are not its work
        return {"commune": None}
    now = today()
    month = now.replace(day=1)
    cells, not_met = meeting_selectors.not_met_count(org, start=month, end=now, refresh=False)  # refreshed above
    context: dict[str, Any] = {
        "commune": org, "cells": cells, "month": month,
        "may_create_cell": access.may_change_structure(user, org), "may_import": access.may_import(user),
    }
    if cells == 0:  # nothing to count yet: say what to do first
        return context
    overdue = task_selectors.overdue_by_unit(access.tasks_in(user, org), org, day=now)
    off_track = plan_selectors.status_counts(org, now, within=access.targets(user))[plan_rules.Status.OFF_TRACK]
    due = procedures_due(user, org, now)
    assert due is not None  # the viewer reads the commune's members (above)
    context.update({
        "not_met": not_met,
        "overdue": overdue, "top_units": overdue.by_unit[:TOP_UNITS],
        "off_track": off_track,
        "due": due,
        "waiting": (exchange_selectors.waiting_count(access.import_jobs(user), access.export_jobs(user))
                    if context["may_import"] else None),
        "health": quality_selectors.last_check(org),
    })
    return context
