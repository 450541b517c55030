"""Keep CellFacts true. Called by the organisation, post and member services inside their
transactions, and lazily for rows whose `valid_until` has come."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum

from chibo.core.dates import today
from chibo.indicators.figures import annotate_cell_flags
from chibo.indicators.models import CellFacts
from chibo.members.models import MemberStat, Post, Status
from chibo.organisations.models import PATH_END, Organisation

FLAGS = ("has_committee", "has_secretary", "has_head", "head_is_member", "secretary_is_head")


def _compute(cell_ids: Iterable[int], day: dt.date) -> list[CellFacts]:
    ids = list(set(cell_ids))
    if not ids:
        return []
    cells = list(annotate_cell_flags(
        Organisation.objects.filter(pk__in=ids, kind__in=Organisation.CELL_KINDS), day, live=True))
    if not cells:
        return []
    # The next date on which a fact may change: a post starting or ending, the cell starting or ending.
    changes: dict[int, list[dt.date]] = {c.pk: [] for c in cells}
    by_locality: dict[int, list[int]] = {}
    for c in cells:
        for d in (c.valid_from, c.valid_to):
            if d is not None and d > day:
                changes[c.pk].append(d)
        if c.locality_id:
            by_locality.setdefault(c.locality_id, []).append(c.pk)
    future = Q(start_date__gt=day) | Q(end_date__gte=day)
    for org_id, start, end in Post.objects.filter(future, organisation__in=[c.pk for c in cells]).values_list(
            "organisation_id", "start_date", "end_date"):
        changes[org_id].extend(_transitions(start, end, day))
    for loc_id, start, end in Post.objects.filter(future, locality__in=list(by_locality),
                                                  kind__in=Post.HEAD_KINDS).values_list("locality_id", "start_date", "end_date"):
        for cell_id in by_locality[loc_id]:
            changes[cell_id].extend(_transitions(start, end, day))
    officials = dict(MemberStat.objects.filter(organisation__in=[c.pk for c in cells], status=Status.OFFICIAL)
                     .values("organisation_id").annotate(n=Sum("n")).values_list("organisation_id", "n"))
    return [
        CellFacts(
            organisation_id=c.pk, path=c.path,
            active=c.valid_from <= day and (c.valid_to is None or c.valid_to > day),
            residential=c.sector == Organisation.Sector.RESIDENTIAL,
            official_count=int(officials.get(c.pk) or 0), computed_on=day,
            valid_until=min(changes[c.pk], default=None),
            **{flag: bool(getattr(c, flag)) for flag in FLAGS},
        )
        for c in cells
    ]


def _transitions(start: dt.date, end: dt.date | None, day: dt.date) -> list[dt.date]:
    out = []
    if start > day:
        out.append(start)
    if end is not None and end >= day:
        out.append(end + dt.timedelta(days=1))  # a post is held through its end date
    return out


def refresh_cells(cell_ids: Iterable[int], day: dt.date | None = None) -> None:
    """Recompute the facts of these cells (ids of other kinds are ignored)."""
    rows = _compute(cell_ids, day or today())
    if not rows:
        return
    fields = ["path", "active", "residential", *FLAGS, "official_count", "computed_on", "valid_until"]
    with transaction.atomic():
        CellFacts.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                      unique_fields=["organisation"], update_fields=fields)


def refresh_for_localities(locality_ids: Iterable[int]) -> None:
    refresh_cells(Organisation.objects.filter(locality__in=list(locality_ids), kind__in=Organisation.CELL_KINDS)
                  .values_list("pk", flat=True))


def refresh_for_persons(person_ids: Iterable[int]) -> None:
    """Cells whose village head is one of these people (their membership changed)."""
    localities = Post.objects.filter(person__in=list(person_ids), kind__in=Post.HEAD_KINDS).values_list(
        "locality_id", flat=True)
    refresh_for_localities(list(localities))


def refresh_for_post(post: Post) -> None:
    if post.organisation_id:
        refresh_cells([post.organisation_id])
    if post.locality_id:
        refresh_for_localities([post.locality_id])


def add_official(deltas: dict[int, int]) -> None:
    """Move official_count with the member rollup (members.services): {organisation id: delta}.
    Rows exist only for cells; ids of other organisations match nothing. One single-row
    statement per id: SQLite then needs no statement journal, which grows costly inside a
    large bulk transaction."""
    rows = [(delta, org_id) for org_id, delta in deltas.items() if delta]
    if rows:
        table = CellFacts._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET official_count = official_count + %s WHERE organisation_id = %s", rows)


def refresh_due(day: dt.date) -> None:
    """Refresh the rows whose facts may have changed since they were computed."""
    stale = list(CellFacts.objects.filter(Q(valid_until__lte=day) | Q(computed_on__gt=day))
                 .values_list("organisation_id", flat=True))
    if stale:
        refresh_cells(stale, day)


def current_cell_facts(org: Organisation, day: dt.date, *, refresh: bool = True) -> QuerySet[CellFacts]:
    """Active cells' facts in the org's subtree, refreshing any whose time has come."""
    if refresh:
        refresh_due(day)
    return CellFacts.objects.filter(path__gte=org.path, path__lt=org.path + PATH_END, active=True)


def rebuild_cell_facts() -> int:
    with transaction.atomic():
        CellFacts.objects.all().delete()
        ids = list(Organisation.objects.filter(kind__in=Organisation.CELL_KINDS).values_list("pk", flat=True))
        for i in range(0, len(ids), 2000):
            refresh_cells(ids[i:i + 2000])
    return CellFacts.objects.count()


def compare_cell_facts() -> list[tuple[Any, ...]]:
    """Differences between the stored facts and a fresh computation (empty when they agree)."""
    day = today()
    refresh_due(day)
    stored = {f.organisation_id: f for f in CellFacts.objects.all()}
    ids = list(Organisation.objects.filter(kind__in=Organisation.CELL_KINDS).values_list("pk", flat=True))
    diffs: list[tuple[Any, ...]] = []
    for i in range(0, len(ids), 2000):
        for fresh in _compute(ids[i:i + 2000], day):
            old = stored.get(fresh.organisation_id)
            for name in ("path", "active", "residential", *FLAGS, "official_count", "valid_until"):
                if old is None or getattr(old, name) != getattr(fresh, name):
                    diffs.append((fresh.organisation_id, name, getattr(old, name, None), getattr(fresh, name)))
    return diffs
