"""Reads for member development (issue 6 point 7): the candidates in the pipeline of a subtree,
the breakdowns of candidates by age, sex and ethnicity, and an organisation's new-member
targets with their progress.

A new-member target is a target of a resolution or plan (plans app) that is counted in people
(kind "count") and whose folded name contains "ket nap" ("Kết nạp đảng viên mới", "Kết nạp
ít nhất 2 đảng viên"): the plans app already gives its figure and progress from what the cell
reports; beside it we show the members the records say were admitted in the resolution's
period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from chibo.members import selectors as member_selectors
from chibo.members.selectors import Breakdown
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.plans.models import Resolution, Target
from chibo.recruitment.models import OPEN_STAGES, Candidate, Recognition

NEW_MEMBER_WORDS = "ket nap"  # folded (chibo.core.text.fold), as Target.search_text


def open_candidates(org: Organisation) -> QuerySet[Candidate]:
    """The people in the pipeline now (outstanding citizen, sympathiser, applicant) followed by
    a cell of `org`'s subtree."""
    return Candidate.objects.filter(Organisation.subtree_q(org, "organisation__"),
                                    stage__in=OPEN_STAGES)


def candidates_total(org: Organisation) -> int:
    return open_candidates(org).count()


def candidate_breakdown(candidates: Iterable[Candidate], day: dt.date) -> Breakdown:
    """Candidates (with their person loaded) by age on `day`, sex and ethnicity: no query."""
    found = Breakdown()
    for c in candidates:
        found.add(birth_date=c.person.birth_date, on=day, sex=c.person.sex, ethnicity=c.person.ethnicity)
    return found


def new_member_targets_of(targets: QuerySet[Target], org: Organisation, day: dt.date) -> QuerySet[Target]:
    """Of `targets`, `org`'s new-member targets in resolutions in force on `day` (status "in
    force", issued by then, the day's year within the period)."""
    return targets.filter(
        organisation=org, kind=Target.Kind.COUNT, search_text__contains=NEW_MEMBER_WORDS,
        resolution__status=Resolution.Status.IN_FORCE, resolution__issued_on__lte=day,
        resolution__period_start__lte=day.year, resolution__period_end__gte=day.year)


@dataclass
class TargetRow:
    target: Target
    figure: plan_selectors.Figure
    admitted: int  # members of the organisation's subtree admitted from the period's start to the day

    @property
    def period(self) -> str:
        res = self.target.resolution
        return f"{res.period_start}–{res.period_end}"


def new_member_targets(targets: QuerySet[Target], org: Organisation, day: dt.date) -> list[TargetRow]:
    """`org`'s new-member targets with their figure and progress (plans.selectors.figures) and
    the members admitted in each one's period up to `day`, in a fixed number of queries."""
    found = list(new_member_targets_of(targets, org, day).select_related("resolution", "organisation")
                 .order_by("-resolution__issued_on", "resolution_id", "position", "pk"))
    if not found:
        return []
    figs = plan_selectors.figures(found, day)
    since = min(t.resolution.start for t in found)
    dates = member_selectors.admission_dates(org, since, day)
    rows = []
    for t in found:
        start, end = t.resolution.start, min(t.resolution.end, day)
        rows.append(TargetRow(target=t, figure=figs[t.pk], admitted=sum(start <= d <= end for d in dates)))
    return rows


def breakdown_rows(b: Breakdown, labels: dict[str, Any]) -> list[tuple[Any, int]]:
    """The parts of a breakdown as (label, count) rows for a chart."""
    return [(labels["under_30"], b.under_30), (labels["women"], b.women),
            (labels["ethnic_minority"], b.ethnic_minority)]


def recognitions_of(membership_ids: Iterable[int]) -> dict[int, list[Recognition]]:
    """The recognition records of these members (one query), by membership id, oldest first:
    what recruitment.rules.recognition_window reads."""
    found: dict[int, list[Recognition]] = {}
    for r in Recognition.objects.filter(membership_id__in=list(membership_ids)).order_by("resolution_on", "pk"):
        found.setdefault(r.membership_id, []).append(r)
    return found


def next_steps(visible: QuerySet[Candidate], org: Organisation, day: dt.date, *, cal: Any = None,
               book: Any = None) -> list[tuple[Candidate, Any]]:
    """The candidates in the pipeline in `org`'s subtree with what each needs next and by when
    (recruitment.rules.Next), overdue first, then by date. `visible` is access.candidates(user);
    `cal` and `book` (core.calendar.Calendar, core.rules.RuleBook) when the caller has them."""
    from django.db.models import Prefetch

    from chibo.core.calendar import Calendar
    from chibo.core.rules import RuleBook
    from chibo.recruitment import rules
    from chibo.recruitment.models import FileItem

    cal, book = cal or Calendar(), book or RuleBook()
    cands = list(visible.filter(Organisation.subtree_q(org, "organisation__"), stage__in=OPEN_STAGES)
                 .select_related("person", "organisation").prefetch_related(Prefetch("files", FileItem.objects.all()))
                 .order_by("pk"))
    rows = [(c, rules.next_for_candidate(c, list(c.files.all()), day, cal, book)) for c in cands]
    rows.sort(key=lambda r: (not r[1].overdue, r[1].due or dt.date.max, r[0].pk))
    return rows


def deadlines(visible: QuerySet[Candidate], org: Organisation, day: dt.date, horizon: dt.date, *, cal: Any = None,
              book: Any = None) -> list[tuple[Candidate, Any]]:
    """Of `next_steps`, those with a statutory date that is overdue or falls by `horizon`."""
    return [(c, n) for c, n in next_steps(visible, org, day, cal=cal, book=book)
            if n.due is not None and (n.overdue or n.due <= horizon)]
