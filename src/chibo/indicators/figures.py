"""The indicators users quote in every report, for any organisation's subtree on any date.

One function, `indicators()`, feeds the dashboard, `chibo indicators` and the API, so the
three always agree. Member figures for today come from the rollup (MemberStat) plus one
index-range query for age bands; figures for a past date are rebuilt from the dated
membership history (each state — probationary, official, exempt, here on temporary activity,
left — from the day it began), and nobody is counted in an organisation, or through a cell,
before its founding date (valid_from). Both paths give the same numbers for today (tested).

The figures of the work (issue 4), `Report.work`, come from the plans and tasks selectors
(docs/indicators.md has their definitions):
- targets_total, targets_achieved, targets_on_track, targets_at_risk, targets_off_track: the
  targets the organisation answers for in the resolutions in force on the date — every target
  whose responsible organisation is the organisation or inside its subtree, so its own targets
  and the parts given to its cells, each counted once — by their status on that date
  (plans.rules; the rest have no figure yet);
- tasks_open, tasks_overdue: the tasks assigned by the organisation or inside its subtree that
  are open (not started, in progress, waiting for verification, returned), and those of them
  not yet submitted whose deadline is before the date. A task's present state is counted
  (its history is not replayed for a past date);
- tasks_done, tasks_done_on_time_pct: the tasks completed in the period (by default 1 January
  of the date's year to the date) and the share of them completed by their deadline, work
  beyond what was expected counting as on time (one decimal; none completed → None).
They are computed when first read, so a page that does not show them does not pay for them
(about 0.15 s for a province of 14,000 targets and 48,000 tasks).

The figures of the cell meetings and documents (issue 5), `Report.meetings`, come from the
meetings and documents selectors, for the same period (by default 1 January of the date's
year to the date), and are likewise computed when first read:
- meetings_required, meetings_held, meetings_held_pct: the meetings the rules required of the
  subtree's active cells (a regular meeting each month, a cell committee meeting each month
  where the cell has a committee, a thematic meeting each quarter — meetings.rules) for the
  months and quarters that ended in the period, and how many of them were held (recorded as
  held on a date inside their month or quarter);
- thematic_meetings_held: thematic meetings, and regular ones with a thematic part, held in the
  period;
- attendance_pct: of the members invited to the meetings held in the period (exempt members are
  not invited; guests are not counted), the share present or late;
- documents_read_pct: of the (member, document) pairs where a document issued in the period
  reaches a current member of the subtree who is not exempt, the share the member has marked
  read (documents.selectors.read_counts).
A percentage without a denominator is None.

The figures of member development (issue 6), `Report.recruitment`, come from the recruitment
and members selectors, for the same period, and are likewise computed when first read:
- candidates_total: the people in the pipeline now (outstanding citizen, sympathiser,
  applicant) followed by a cell of the subtree — as they stand, also for a past date;
- members_admitted: the members of the subtree counted in đảng số now (probationary or official,
  not here on temporary activity) whose admission date is in the period — every membership,
  whether admitted through chibo's pipeline or imported with its admission date (most arrive by
  import); members who have left since (transferred out, removed, died) are not counted;
- admitted_under_30, admitted_women, admitted_ethnic_minority: of those, the members under 30
  on their admission date, the women, and those whose ethnicity is not Kinh."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from chibo.core.dates import add_years, today
from chibo.core.ethnicities import ETHNICITY_NAMES, KINH
from chibo.core.numbers import pct
from chibo.members.models import (
    MemberAgeStat,
    Membership,
    MembershipEvent,
    MemberStat,
    Post,
    Status,
)
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.plans import selectors as plan_selectors
from chibo.tasks import selectors as task_selectors

# Age bands (years): label, lower bound inclusive, upper bound exclusive.
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("< 30", 0, 30), ("30–40", 30, 41), ("41–50", 41, 51), ("51–60", 51, 61), ("61–70", 61, 71), ("> 70", 71, None),
]

INDICATOR_KEYS = [
    "organisations_total", "organisations_by_kind", "grassroots_organisations",
    "members_total", "members_official", "members_probationary", "members_women",
    "members_ethnic_minority", "members_under_30", "members_exempt",
    "residential_cells", "residential_cells_with_committee", "residential_cells_with_committee_pct",
    "localities_with_head", "heads_who_are_members", "heads_who_are_members_pct",
    "cell_secretaries", "secretaries_who_are_heads", "secretaries_who_are_heads_pct",
]
# The figures of the work (resolutions' targets and tasks): Report.work.
WORK_KEYS = [
    "targets_total", "targets_achieved", "targets_on_track", "targets_at_risk", "targets_off_track",
    "tasks_open", "tasks_overdue", "tasks_done", "tasks_done_on_time_pct",
]
INDICATOR_KEYS += WORK_KEYS
# The figures of the cell meetings and documents (issue 5): Report.meetings.
MEETING_KEYS = [
    "meetings_required", "meetings_held", "meetings_held_pct", "thematic_meetings_held", "attendance_pct",
    "documents_read_pct",
]
INDICATOR_KEYS += MEETING_KEYS
# The figures of member development (issue 6): Report.recruitment.
RECRUITMENT_KEYS = [
    "candidates_total", "members_admitted", "admitted_under_30", "admitted_women", "admitted_ethnic_minority",
]
INDICATOR_KEYS += RECRUITMENT_KEYS


@dataclass
class MemberFigures:
    by_key: Counter[tuple[str, str, str, bool]] = field(default_factory=Counter)  # (status, sex, ethnicity, exempt)
    age_bands: list[int] = field(default_factory=lambda: [0] * len(AGE_BANDS))

    def total(self, **match: Any) -> int:
        names = ("status", "sex", "ethnicity", "exempt")
        return sum(n for key, n in self.by_key.items()
                   if all(key[names.index(k)] == v for k, v in match.items()))


@dataclass
class Report:
    organisation: Organisation
    on: dt.date
    figures: dict[str, Any]
    members: MemberFigures
    start: dt.date | None = None  # the period of tasks_done and the meetings (default: 1 January of on's year … on)
    end: dt.date | None = None

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        end = self.end or self.on
        return self.start or dt.date(end.year, 1, 1), end

    @cached_property
    def work(self) -> dict[str, Any]:
        """The figures of the work (WORK_KEYS), read on first use."""
        return work_figures(self.organisation, self.on, *self.period)

    @cached_property
    def meetings(self) -> dict[str, Any]:
        """The figures of the meetings and documents (MEETING_KEYS), read on first use."""
        return meeting_figures(self.organisation, *self.period)

    @cached_property
    def recruitment(self) -> dict[str, Any]:
        """The figures of member development (RECRUITMENT_KEYS), read on first use."""
        return recruitment_figures(self.organisation, *self.period)

    def as_dict(self) -> dict[str, Any]:
        start, end = self.period
        return {
            "organisation": {"code": self.organisation.code, "name": self.organisation.name,
                             "kind": self.organisation.kind},
            "date": self.on.strftime("%d/%m/%Y"),
            **self.figures,
            **self.work,
            **self.meetings,
            **self.recruitment,
            "period": {"from": start.strftime("%d/%m/%Y"), "to": end.strftime("%d/%m/%Y")},
        }

    @property
    def by_ethnicity(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for (_s, _x, eth, _e), n in self.members.by_key.items():
            counts[eth] += n
        return [(ETHNICITY_NAMES.get(code, code), n) for code, n in counts.most_common() if n]

    @property
    def by_age_band(self) -> list[tuple[str, int]]:
        return [(label, n) for (label, _lo, _hi), n in zip(AGE_BANDS, self.members.age_bands, strict=True)]


def _band_bounds(on: dt.date) -> list[tuple[dt.date | None, dt.date]]:
    """Birth-date ranges (after, on-or-before) for each age band on `on`."""
    bounds: list[tuple[dt.date | None, dt.date]] = []
    for _label, lo, hi in AGE_BANDS:
        # age >= lo  <=> born on or before on - lo years;  age < hi <=> born after on - hi years
        latest = add_years(on, -lo)
        earliest = add_years(on, -hi) if hi is not None else None
        bounds.append((earliest, latest))
    return bounds


def _members_today(org: Organisation, on: dt.date) -> MemberFigures:
    figures = MemberFigures()
    for status, sex, eth, exempt, n in MemberStat.objects.filter(organisation=org, n__gt=0).values_list(
            "status", "sex", "ethnicity", "exempt", "n"):
        figures.by_key[(status, sex, eth, bool(exempt))] += n
    # Age bands: members born on or before each boundary date = whole birth years from the
    # age rollup + the part of the boundary's own year, one small index range each.
    by_year = dict(MemberAgeStat.objects.filter(organisation=org, n__gt=0).values_list("birth_year", "n"))
    bounds = _band_bounds(on)
    cutoffs = sorted({latest for _e, latest in bounds} | {e for e, _l in bounds if e})
    level = LEVEL_OF_KIND[org.kind]
    table = Membership._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    for cutoff in cutoffs:
        parts.append(f"(SELECT COUNT(*) FROM {table} WHERE {level}_id = %s AND current = %s "
                     f"AND birth_date >= %s AND birth_date <= %s AND temporary = %s)")
        params.extend([org.pk, True, dt.date(cutoff.year, 1, 1), cutoff, False])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        partial = dict(zip(cutoffs, cursor.fetchone(), strict=True))
    born_by = {c: sum(n for y, n in by_year.items() if y < c.year) + int(partial[c]) for c in cutoffs}
    figures.age_bands = [born_by[latest] - (born_by[earliest] if earliest else 0) for earliest, latest in bounds]
    return figures


def _periods_on(level: str, org_id: int, on: dt.date) -> Any:
    """The history rows in force on `on` of members counted (đảng số) in the organisation whose
    `level` id is `org_id` — none through a cell not yet founded on that day."""
    return MembershipEvent.objects.counted_on(on).filter(**{f"{level}_id": org_id})


def _members_on(org: Organisation, on: dt.date) -> MemberFigures:
    """Member figures on a past date from the dated history, in one pass: the counts by status,
    sex, ethnicity and exemption, each with its age bands (a province's history is read once)."""
    figures = MemberFigures()
    bands = _band_bounds(on)
    figures.age_bands = [0] * len(bands)
    if on < org.valid_from:  # not counted in an organisation before its founding
        return figures
    agg = {}
    for i, (earliest, latest) in enumerate(bands):
        cond = Q(membership__birth_date__lte=latest)
        if earliest is not None:
            cond &= Q(membership__birth_date__gt=earliest)
        agg[f"b{i}"] = Count("id", filter=cond)
    rows = (_periods_on(LEVEL_OF_KIND[org.kind], org.pk, on)
            .values("status", "membership__sex", "membership__ethnicity", "exempt")
            .annotate(n=Count("id"), **agg).order_by())
    for row in rows:
        figures.by_key[(row["status"], row["membership__sex"], row["membership__ethnicity"], bool(row["exempt"]))] += \
            row["n"]
        for i in range(len(bands)):
            figures.age_bands[i] += row[f"b{i}"]
    return figures


def _counted_member_exists(person_ref: Any, on: dt.date, live: bool) -> Exists:
    if live:
        return Exists(Membership.objects.counted().filter(person=person_ref))
    return Exists(MembershipEvent.objects.counted_on(on).filter(membership__person=person_ref))


def _active_posts(on: dt.date) -> Any:
    return Post.objects.active_on(on)


def annotate_cell_flags(cells: Any, on: dt.date, live: bool) -> Any:
    """Annotate a queryset of cells with the facts the residential indicators count, on a
    date. The one definition, used by the history path and to fill CellFacts."""
    posts = _active_posts(on)
    secretary = posts.filter(organisation=OuterRef("pk"), kind=Post.Kind.SECRETARY)
    head = posts.filter(locality=OuterRef("locality_id"), kind__in=Post.HEAD_KINDS)
    return cells.annotate(
        has_committee=Exists(posts.filter(organisation=OuterRef("pk"), kind=Post.Kind.COMMITTEE_MEMBER)),
        has_secretary=Exists(secretary),
        has_head=Exists(head),
        head_is_member=Exists(head.filter(_counted_member_exists(OuterRef("person"), on, live))),
        secretary_is_head=Exists(secretary.filter(
            Exists(posts.filter(locality=OuterRef(OuterRef("locality_id")), kind__in=Post.HEAD_KINDS,
                                person=OuterRef("person"))))),
    )


def _residential_counts() -> dict[str, Count]:
    """The counts of the residential indicators over rows carrying the cell flags (CellFacts,
    or cells annotated by `annotate_cell_flags`): the one definition."""
    return {
        "residential_cells": Count("pk"),
        "with_committee": Count("pk", filter=Q(has_committee=True)),
        "localities_with_head": Count("pk", filter=Q(has_head=True)),
        "heads_who_are_members": Count("pk", filter=Q(head_is_member=True)),
        "cell_secretaries": Count("pk", filter=Q(has_secretary=True)),
        "secretaries_who_are_heads": Count("pk", filter=Q(secretary_is_head=True)),
    }


def _residential_cells(org: Organisation, on: dt.date, live: bool) -> Any:
    if live:
        from chibo.indicators.services import current_cell_facts

        return current_cell_facts(org, on).filter(residential=True)
    return annotate_cell_flags(
        Organisation.objects.subtree(org).active_on(on)
        .filter(kind__in=Organisation.CELL_KINDS, sector=Organisation.Sector.RESIDENTIAL), on, live)


def _residential_figures(org: Organisation, on: dt.date, live: bool) -> dict[str, int]:
    result = _residential_cells(org, on, live).aggregate(**_residential_counts())
    return {k: int(v or 0) for k, v in result.items()}


def residential_figures_by(org: Organisation, depth: int, on: dt.date, live: bool) -> dict[str, dict[str, int]]:
    """`_residential_figures` of each organisation of `org`'s subtree whose path is `depth`
    characters long, keyed by that path (one grouped query)."""
    rows = (_residential_cells(org, on, live).annotate(group=Substr("path", 1, depth)).values("group")
            .annotate(**_residential_counts()).order_by())
    return {row.pop("group"): {k: int(v or 0) for k, v in row.items()} for row in rows}


def residential_shares(res: dict[str, int]) -> dict[str, Any]:
    """The residential indicators from their counts (`_residential_counts`); each share is of
    the residential cells."""
    cells = res.get("residential_cells", 0)
    return {
        "residential_cells": cells,
        "residential_cells_with_committee": res.get("with_committee", 0),
        "residential_cells_with_committee_pct": pct(res.get("with_committee", 0), cells),
        "localities_with_head": res.get("localities_with_head", 0),
        "heads_who_are_members": res.get("heads_who_are_members", 0),
        "heads_who_are_members_pct": pct(res.get("heads_who_are_members", 0), cells),
        "cell_secretaries": res.get("cell_secretaries", 0),
        "secretaries_who_are_heads": res.get("secretaries_who_are_heads", 0),
        "secretaries_who_are_heads_pct": pct(res.get("secretaries_who_are_heads", 0), cells),
    }


def work_figures(org: Organisation, on: dt.date, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Targets by status on `on`, open and overdue tasks on `on`, tasks completed in [start, end]
    (see the module's docstring) — through the plans and tasks selectors."""
    if start > end:
        raise ValueError("the period starts after it ends")
    targets = plan_selectors.status_counts(org, on)
    tasks = task_selectors.subtree_counts(org, start=start, end=end, day=on)
    return {
        "targets_total": sum(targets.values()),
        "targets_achieved": targets["achieved"],
        "targets_on_track": targets["on_track"],
        "targets_at_risk": targets["at_risk"],
        "targets_off_track": targets["off_track"],
        "tasks_open": tasks["tasks_open"],
        "tasks_overdue": tasks["tasks_overdue"],
        "tasks_done": tasks["tasks_done"],
        "tasks_done_on_time_pct": tasks["tasks_done_on_time_pct"],
    }


def meeting_figures(org: Organisation, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Required, held and thematic meetings, attendance and documents read in [start, end]
    (see the module's docstring) — through the meetings and documents selectors."""
    # Imported here: meetings.selectors reads the cell facts of indicators.services, which
    # imports this module.
    from chibo.documents.selectors import read_counts
    from chibo.meetings.selectors import indicator_figures

    if start > end:
        raise ValueError("the period starts after it ends")
    figures = indicator_figures(org, start=start, end=end)
    read, expected = read_counts(org, start, end)
    return {
        "meetings_required": figures["meetings_required"],
        "meetings_held": figures["meetings_held"],
        "meetings_held_pct": figures["meetings_held_pct"],
        "thematic_meetings_held": figures["thematic_meetings_held"],
        "attendance_pct": figures["attendance_pct"],
        "documents_read_pct": pct(read, expected),
    }


def recruitment_figures(org: Organisation, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The candidates in the pipeline now and the members admitted in [start, end] with their
    parts (see the module's docstring) — through the recruitment and members selectors."""
    from chibo.members.selectors import admitted_in
    from chibo.recruitment.selectors import candidates_total

    if start > end:
        raise ValueError("the period starts after it ends")
    admitted = admitted_in(org, start, end)
    return {
        "candidates_total": candidates_total(org),
        "members_admitted": admitted.total,
        "admitted_under_30": admitted.under_30,
        "admitted_women": admitted.women,
        "admitted_ethnic_minority": admitted.ethnic_minority,
    }


def indicators(org: Organisation, on: dt.date | None = None, *, start: dt.date | None = None,
               end: dt.date | None = None) -> Report:
    """The report of `org`'s subtree on `on` (default today); `start`/`end` bound the period of
    the completed-task figures (default: 1 January of the end's year to `on`)."""
    day = on or today()
    live = day == today()
    members = _members_today(org, day) if live else _members_on(org, day)

    kinds = dict(
        Organisation.objects.subtree(org, include_root=False).active_on(day)
        .values_list("kind").annotate(n=Count("pk")).order_by()
    )
    by_kind = {k.value: int(kinds.get(k.value, 0)) for k in Organisation.Kind if k != Organisation.Kind.PROVINCE}
    res = _residential_figures(org, day, live)
    figures: dict[str, Any] = {
        "organisations_total": sum(by_kind.values()),
        "organisations_by_kind": by_kind,
        "grassroots_organisations": by_kind[Organisation.Kind.GRASSROOTS_COMMITTEE] + by_kind[Organisation.Kind.GRASSROOTS_CELL],
        "members_total": members.total(),
        "members_official": members.total(status=Status.OFFICIAL),
        "members_probationary": members.total(status=Status.PROBATIONARY),
        "members_women": members.total(sex="F"),
        "members_ethnic_minority": members.total() - members.total(ethnicity=KINH),
        "members_under_30": members.age_bands[0],
        "members_exempt": members.total(exempt=True),
        **residential_shares(res),
    }
    report = Report(organisation=org, on=day, figures=figures, members=members, start=start, end=end)
    if report.period[0] > report.period[1]:
        raise ValueError("the period starts after it ends")
    return report


def summary(org: Organisation) -> dict[str, int]:
    """Today's member totals and sub-organisation count, for an organisation's own page."""
    counts: Counter[str] = Counter()
    for status, n in MemberStat.objects.filter(organisation=org).values_list("status", "n"):
        counts[status] += n
    return {
        "members_total": sum(counts.values()),
        "members_official": counts[Status.OFFICIAL],
        "members_probationary": counts[Status.PROBATIONARY],
        "organisations_total": Organisation.objects.subtree(org, include_root=False).active_on(today()).count(),
    }


def children_members(org: Organisation, on: dt.date | None = None) -> list[tuple[Organisation, int]]:
    """Each active child organisation with its member total (đảng số), for comparison charts."""
    day = on or today()
    children = list(Organisation.objects.filter(parent=org).active_on(day).order_by("sort_key"))
    if not children:
        return []
    if day == today():
        totals: dict[int, int] = {}
        for org_id, n in MemberStat.objects.filter(organisation__in=children).values_list("organisation_id", "n"):
            totals[org_id] = totals.get(org_id, 0) + n
    else:
        # One grouped pass over the parent's history when the children share a level (they do:
        # communes under a province, grassroots organisations under a commune, …).
        levels = {LEVEL_OF_KIND[c.kind] for c in children}
        if len(levels) == 1 and day >= org.valid_from:
            level = levels.pop()
            totals = dict(_periods_on(LEVEL_OF_KIND[org.kind], org.pk, day)
                          .filter(**{f"{level}_id__in": [c.pk for c in children]})
                          .values_list(f"{level}_id").annotate(n=Count("id")).order_by())
        else:
            totals = {child.pk: _members_on(child, day).total() for child in children}
    return [(c, totals.get(c.pk, 0)) for c in children]


def cells_needing_committee(org: Organisation, min_official: int, *, refresh: bool = True) -> list[tuple[Organisation, int]]:
    """Active cells in the subtree with at least `min_official` official members and no
    committee (chi ủy) — Điều lệ Đảng, Điều 24. `refresh=False` when indicators() for
    today has just brought the facts up to date in this request."""
    from chibo.indicators.services import current_cell_facts

    facts = (current_cell_facts(org, today(), refresh=refresh).filter(has_committee=False, official_count__gte=min_official)
             .select_related("organisation").order_by("path"))
    return [(f.organisation, f.official_count) for f in facts]
