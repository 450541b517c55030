"""What is due under the rules, as the cell and commune homes count it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chibo import access
from chibo.core.rules import RuleBook
from chibo.lifecycle import selectors as lifecycle_selectors
from chibo.organisations.models import Organisation
from chibo.recruitment import selectors as recruitment_selectors

DAYS = 30  # overdue, and the next 30 days (the What's due page's default)


@dataclass(frozen=True)
class Due:
    """The procedures with a statutory deadline in an organisation's subtree — probation ends,
    recognitions, transfers, temporary activities, candidates' steps — overdue or due within
    `days` days, counted as What's due lists them with `?days=<days>&nhom=<group>` (badges and
    removal flags are not deadlines, and are left to that page)."""
    total: int
    overdue: int
    days: int
    group: str


def procedures_due(user: Any, org: Organisation, now: dt.date, days: int = DAYS) -> Due | None:
    """`Due` for the viewer, or None when they may not read the organisation's members."""
    if not access.sees_members_of(user, org):
        return None
    book, cal = RuleBook(), lifecycle_selectors.LifecycleCalendar()
    items = lifecycle_selectors.due_items(org, now, days, kinds=lifecycle_selectors.PROCEDURE_KINDS,
                                          book=book, cal=cal, lean=True)
    candidates = recruitment_selectors.deadlines(access.candidates(user), org, now, now + dt.timedelta(days=days),
                                                 cal=cal, book=book)
    overdue = sum(1 for i in items if i.date < now) + sum(1 for _c, n in candidates if n.overdue)
    return Due(total=len(items) + len(candidates), overdue=overdue, days=days,
               group=lifecycle_selectors.PROCEDURES)
