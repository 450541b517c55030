"""Reads for meetings: which required meetings each cell has not held, the figures for the
indicators, a member's upcoming meetings and attendance record — each in a fixed number of
queries, whatever the number of cells and months."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Substr

from chibo.core.dates import today
from chibo.core.numbers import pct
from chibo.core.rules import RuleBook, RuleMissing
from chibo.indicators.models import CellFacts
from chibo.indicators.services import current_cell_facts
from chibo.meetings import rules
from chibo.meetings.models import Attendance, Meeting, Minutes
from chibo.members.models import MembershipEvent
from chibo.organisations.models import Organisation


def cadence(on: dt.date, book: RuleBook | None = None) -> rules.Cadence:
    book = book or RuleBook()

    def value(key: str, default: int) -> int:
        try:
            return book.value(rules.RULE_KEYS[key], on)
        except RuleMissing:
            return default

    return rules.Cadence(regular_months=value("regular", 1), committee_months=value("committee", 1),
                         thematic_months=value("thematic", 3))


def in_subtree(qs: QuerySet[Meeting], org: Organisation) -> QuerySet[Meeting]:
    return qs.filter(Organisation.subtree_q(org, "organisation__"))


@dataclass
class CellGap:
    cell: Organisation
    missing: list[rules.Required]
    held: int


@dataclass
class Gaps:
    start: dt.date
    end: dt.date
    cells: list[CellGap] = field(default_factory=list)  # only the cells with something missing
    required: int = 0
    satisfied: int = 0
    cells_total: int = 0
    # Every active cell's path with its (required, satisfied) counts, for the figures grouped
    # by a level of the tree (`indicator_figures_by`).
    per_cell: list[tuple[str, int, int]] = field(default_factory=list)


def gaps(org: Organisation, *, start: dt.date, end: dt.date) -> Gaps:
    """Each active cell of the subtree and the required meetings of periods ending in
    [start, end] that it has not held (status held; a cancelled or unrecorded one does not count)."""
    book = RuleBook()
    cad = cadence(end, book)
    facts = list(current_cell_facts(org, today()).select_related("organisation").order_by("path"))
    cell_ids = [f.organisation_id for f in facts]
    held: dict[int, list[rules.Held]] = defaultdict(list)
    for org_id, kind, date, topic in Meeting.objects.filter(
            organisation_id__in=cell_ids, status=Meeting.Status.HELD, date__gte=start - dt.timedelta(days=366),
            date__lte=end).values_list("organisation_id", "kind", "date", "thematic_topic"):
        held[org_id].append(rules.Held(kind, date, kind == Meeting.Kind.THEMATIC or bool(topic)))
    out = Gaps(start=start, end=end, cells_total=len(facts))
    for f in facts:
        reqs = rules.required(start=start, end=end, has_committee=f.has_committee, cadence=cad)
        missing = rules.missing(reqs, held[f.organisation_id])
        out.required += len(reqs)
        out.satisfied += len(reqs) - len(missing)
        out.per_cell.append((f.path, len(reqs), len(reqs) - len(missing)))
        if missing:
            out.cells.append(CellGap(cell=f.organisation, missing=missing,
                                     held=sum(1 for h in held[f.organisation_id] if start <= h.date <= end)))
    return out


def not_met(org: Organisation, *, start: dt.date, end: dt.date, refresh: bool = True) -> QuerySet[CellFacts]:
    """The active cells of the subtree (their CellFacts, with the organisation) that have held no
    regular meeting between `start` and `end` — "cells that have not met this month" while the
    month runs, which `gaps` (periods that have ended) cannot say yet. Each row carries
    `announced`: the first announced regular meeting still to come in the period, if any. One
    query, whatever the number of cells (`.count()` for the figure alone)."""
    regular = Meeting.objects.filter(organisation_id=OuterRef("organisation_id"), kind=Meeting.Kind.REGULAR,
                                     date__gte=start, date__lte=end)
    announced = (regular.filter(status=Meeting.Status.PUBLISHED, date__gte=min(max(today(), start), end))
                 .order_by().values("organisation_id").annotate(first=Min("date")).values("first"))
    return (current_cell_facts(org, today(), refresh=refresh)
            .exclude(Exists(regular.filter(status=Meeting.Status.HELD)))
            .annotate(announced=announced)
            .select_related("organisation").order_by("path"))


def not_met_count(org: Organisation, *, start: dt.date, end: dt.date, refresh: bool = True) -> tuple[int, int]:
    """(active cells of the subtree, those of them `not_met` lists): one query."""
    regular = Meeting.objects.filter(organisation_id=OuterRef("organisation_id"), kind=Meeting.Kind.REGULAR,
                                     status=Meeting.Status.HELD, date__gte=start, date__lte=end)
    found = current_cell_facts(org, today(), refresh=refresh).aggregate(
        cells=Count("organisation_id"), not_met=Count("organisation_id", filter=~Exists(regular)))
    return found["cells"], found["not_met"]


def indicator_figures(org: Organisation, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """meetings_required / meetings_held / meetings_held_pct (required meetings of periods ending
    in the period, and how many of them were held), thematic_meetings_held (thematic meetings,
    or regular ones with a thematic part, held in the period) and attendance_pct (members
    present or late ÷ members called, in the meetings held in the period; exempt members are not
    called, guests not counted)."""
    figures = indicator_figures_by(org, len(org.path), start=start, end=end).get(org.path, _no_figures())
    del figures["cells"]
    return figures


def _no_figures() -> dict[str, Any]:
    return {"meetings_required": 0, "meetings_held": 0, "meetings_held_pct": None, "thematic_meetings_held": 0,
            "attendance_pct": None, "cells": 0}


def indicator_figures_by(org: Organisation, depth: int, *, start: dt.date, end: dt.date) -> dict[str, dict[str, Any]]:
    """`indicator_figures` of each organisation of `org`'s subtree whose path is `depth`
    characters long (e.g. every commune of a province), keyed by that path, in the same fixed
    number of queries as for one organisation — the one definition of these figures; "cells"
    is the number of its active cells. A group without cells or meetings is absent."""
    g = gaps(org, start=start, end=end)
    figures: dict[str, dict[str, Any]] = defaultdict(_no_figures)
    for path, required, satisfied in g.per_cell:
        row = figures[path[:depth]]
        row["meetings_required"] += required
        row["meetings_held"] += satisfied
        row["cells"] += 1
    held = in_subtree(Meeting.objects.filter(status=Meeting.Status.HELD, date__gte=start, date__lte=end), org)
    # Grouped by the meeting's organisation (an integer: much cheaper than grouping a province's
    # attendance by a slice of the path), then summed by group here.
    for _org_id, path, n in (held.filter(Q(kind=Meeting.Kind.THEMATIC) | ~Q(thematic_topic=""))
                             .values_list("organisation_id", "organisation__path").annotate(n=Count("id")).order_by()):
        figures[path[:depth]]["thematic_meetings_held"] += n
    came_called: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _org_id, path, present, called in (
            Attendance.objects.filter(meeting__in=held, role=Attendance.Role.MEMBER)
            .values_list("meeting__organisation_id", "meeting__organisation__path")
            .annotate(n_came=Count("id", filter=Q(status__in=Attendance.PRESENT_STATUSES)), n_called=Count("id"))
            .order_by()):
        came_called[path[:depth]][0] += present
        came_called[path[:depth]][1] += called
    for prefix, (came, called) in came_called.items():
        figures[prefix]["attendance_pct"] = pct(came, called)
    for row in figures.values():
        row["meetings_held_pct"] = pct(row["meetings_held"], row["meetings_required"])
    return dict(figures)


def regular_held_by_month(org: Organisation, depth: int, *, start: dt.date, end: dt.date
                          ) -> dict[str, dict[tuple[int, int], int]]:
    """For each organisation of `org`'s subtree whose path is `depth` long: how many of its
    cells active now held a regular meeting (status held) in each month of [start, end], keyed
    by (year, month). One query."""
    rows = (in_subtree(Meeting.objects.filter(status=Meeting.Status.HELD, kind=Meeting.Kind.REGULAR,
                                              date__gte=start, date__lte=end, organisation__facts__active=True), org)
            .annotate(group=Substr("organisation__path", 1, depth), year=ExtractYear("date"),
                      month=ExtractMonth("date"))
            .values_list("group", "year", "month").annotate(n=Count("organisation_id", distinct=True)).order_by())
    out: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for group, year, month, n in rows:
        out[group][(year, month)] = n
    return dict(out)


def upcoming_for(person_id: int, *, day: dt.date | None = None, limit: int = 5) -> list[Meeting]:
    """Announced meetings a person is invited to, from today on. Each carries `my_notice`: the
    reason the person gave ahead for being absent ("" when none; meetings.services.absence_notice)."""
    day = day or today()
    notice = Attendance.objects.filter(meeting_id=OuterRef("pk"), person_id=person_id).values("notice")[:1]
    return list(Meeting.objects.filter(attendance__person_id=person_id, status=Meeting.Status.PUBLISHED,
                                       date__gte=day).select_related("organisation")
                .annotate(my_notice=Coalesce(Subquery(notice), Value("")))
                .prefetch_related("materials").order_by("date", "start_time")[:limit])


class MonthState:
    """Where a cell's regular meeting of the month stands, for the secretary's home page."""
    NONE = "none"  # not prepared (or only cancelled ones)
    DRAFT = "draft"  # prepared, not announced
    ANNOUNCED = "announced"  # announced, its day not come
    TO_RECORD = "to_record"  # announced and its day has come: attendance, held
    MINUTES = "minutes"  # held, minutes not final
    DONE = "done"  # held, minutes final


@dataclass
class MonthMeeting:
    month: dt.date  # the first day of the month
    state: str
    meeting: Meeting | None = None
    notices: int = 0  # members who told the cell ahead they will be absent
    cancelled: bool = False  # a meeting of the month was cancelled (and none other holds)


def month_meeting(visible: QuerySet[Meeting], org: Organisation, day: dt.date) -> MonthMeeting:
    """The cell's regular meeting in `day`'s month and what it needs next: one query. A cancelled
    meeting counts only when nothing else is there. `visible` is access.meetings(user)."""
    first = day.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    final = Minutes.objects.filter(meeting_id=OuterRef("pk"), finalised_at__isnull=False)
    meeting = (visible.filter(organisation=org, kind=Meeting.Kind.REGULAR, date__gte=first, date__lt=after)
               .annotate(cancelled=Case(When(status=Meeting.Status.CANCELLED, then=Value(1)), default=Value(0),
                                        output_field=IntegerField()),
                         minutes_final=Exists(final),
                         notices=Count("attendance", filter=~Q(attendance__notice="")))
               .order_by("cancelled", "-date", "-pk").first())
    if meeting is None:
        return MonthMeeting(month=first, state=MonthState.NONE)
    out = MonthMeeting(month=first, state=MonthState.NONE, meeting=meeting, notices=meeting.notices)  # type: ignore[attr-defined]
    status = meeting.status
    if status == Meeting.Status.CANCELLED:
        out.cancelled = True
    elif status == Meeting.Status.DRAFT:
        out.state = MonthState.DRAFT
    elif status == Meeting.Status.PUBLISHED:
        out.state = MonthState.TO_RECORD if meeting.date <= day else MonthState.ANNOUNCED
    else:
        out.state = MonthState.DONE if meeting.minutes_final else MonthState.MINUTES  # type: ignore[attr-defined]
    return out


@dataclass
class AttendanceRecord:
    year: int
    called: int
    present: int
    late: int
    excused: int
    unexcused: int

    @property
    def pct(self) -> int | None:
        return None if not self.called else round(100 * (self.present + self.late) / self.called)


def attendance_record(person_id: int, year: int) -> AttendanceRecord:
    rows = Attendance.objects.filter(person_id=person_id, role=Attendance.Role.MEMBER, meeting__date__year=year,
                                     meeting__status=Meeting.Status.HELD).values("status").annotate(n=Count("id"))
    by = {r["status"]: r["n"] for r in rows}
    return AttendanceRecord(year=year, called=sum(by.values()), present=by.get(Attendance.Status.PRESENT, 0),
                            late=by.get(Attendance.Status.LATE, 0), excused=by.get(Attendance.Status.EXCUSED, 0),
                            unexcused=by.get(Attendance.Status.UNEXCUSED, 0))


def unexcused_months(org: Organisation, *, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """For the removal flag (chibo.lifecycle.rules.removal_flag): every calendar month in
    [start, end] in which a member was called, as a member of the cell, to at least one held
    meeting of a cell in `org`'s subtree (cell committee meetings left out) and was recorded
    "absent without reason" at every one of them. A meeting on a day the member was exempt from
    party work and meetings (dated from the membership history) does not count: the member was
    not to be called, even when the invitation was sent before the exemption was recorded.
    Rows {"person_id", "year", "month", "last"} (`last` the month's last such meeting). One
    query, whatever the number of meetings."""
    exempt_that_day = MembershipEvent.objects.filter(
        membership__person_id=OuterRef("person_id"), exempt=True, effective_date__lte=OuterRef("meeting__date"),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=OuterRef("meeting__date")))
    return list(
        Attendance.objects.filter(Organisation.subtree_q(org, "meeting__organisation__"),
                                  role=Attendance.Role.MEMBER, meeting__status=Meeting.Status.HELD,
                                  meeting__date__gte=start, meeting__date__lte=end)
        .exclude(meeting__kind=Meeting.Kind.COMMITTEE)
        .exclude(Exists(exempt_that_day))
        .annotate(year=ExtractYear("meeting__date"), month=ExtractMonth("meeting__date"))
        .values("person_id", "year", "month")
        .annotate(called=Count("id"), missed=Count("id", filter=Q(status=Attendance.Status.UNEXCUSED)),
                  last=Max("meeting__date"))
        .filter(called=F("missed"))
        .order_by("person_id", "year", "month"))
