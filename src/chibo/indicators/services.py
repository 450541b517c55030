"""Keep CellFacts true. Called by the organisation, post and member services inside their
transactions, and lazily for rows whose `valid_until` has come.

`snapshot_province`: a province's comparison of its communes, computed into `CommuneFigures`
(daily by `chibo remind`, after `chibo demo`/`synth`, and on demand in the background)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from chibo.audit import services as audit
from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.indicators.compare import COMPARE_STEPS, compare, health_by_child, row_json
from chibo.indicators.figures import annotate_cell_flags
from chibo.indicators.models import CellFacts, CommuneFigures, SnapshotRun
from chibo.members.models import MemberStat, Post, Status
from chibo.organisations.models import Organisation

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
    return CellFacts.objects.filter(Organisation.subtree_q(org), active=True)


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


SNAPSHOT_STEPS = COMPARE_STEPS + 2  # compare's grouped reads, the data-health run, the writing


def snapshot_province(province: Organisation, day: dt.date, *, actor: Any = None,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """Compute the comparison of `province`'s communes as of `day` (`compare.compare`, with the
    data-health score) and put it in place of that day's snapshot, in one transaction, audited
    (as `actor`, or the system). `progress(step, SNAPSHOT_STEPS)` is told as it goes. Returns
    the number of communes."""
    report = progress or (lambda step, total: None)
    report(0, SNAPSHOT_STEPS)
    c = compare(province, day, progress=lambda n: report(n, SNAPSHOT_STEPS))
    if c.rows:
        health = health_by_child(province, [r.organisation for r in c.rows])
        for row in c.rows:
            row.health = health.get(row.organisation.pk)
    report(COMPARE_STEPS + 1, SNAPSHOT_STEPS)
    now = timezone.now()
    with transaction.atomic():
        CommuneFigures.objects.filter(province=province, on=day).delete()
        CommuneFigures.objects.bulk_create([
            CommuneFigures(organisation=r.organisation, province=province, on=day, computed_at=now, figures=row_json(r))
            for r in c.rows])
        audit.record(actor=actor, action=AuditEvent.Action.CREATE, obj=province, object_type="commune_figures",
                     org_path=province.path,
                     note=f"Số liệu so sánh các xã tính đến ngày {day:%d/%m/%Y}: {len(c.rows)} xã")
    report(SNAPSHOT_STEPS, SNAPSHOT_STEPS)
    return len(c.rows)


def snapshot_all(day: dt.date, *, actor: Any = None) -> list[tuple[Organisation, int]]:
    """The snapshot of every province active on `day`, each in its own transaction."""
    return [(p, snapshot_province(p, day, actor=actor))
            for p in Organisation.objects.filter(kind=Organisation.Kind.PROVINCE).active_on(day).order_by("path")]


def request_snapshot(province: Organisation, *, actor: Any) -> tuple[SnapshotRun, bool]:
    """Ask for the province's comparison to be computed again, in the background, as of today:
    (the run, True) when a job was queued; (the run already queued or running, False) when one
    is — a second press joins it. A run silent for CHIBO_JOB_STALE_MINUTES (its worker died) is
    marked failed and a new one started."""
    from chibo.indicators.tasks import snapshot_job

    stale = timezone.now() - dt.timedelta(minutes=settings.CHIBO_JOB_STALE_MINUTES)
    SnapshotRun.objects.filter(province=province, status__in=SnapshotRun.RUNNING, updated_at__lt=stale).update(
        status=SnapshotRun.Status.FAILED, error="stalled")
    try:
        with transaction.atomic():
            run = SnapshotRun.objects.create(province=province, on=today(), steps=SNAPSHOT_STEPS,
                                             requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        current = SnapshotRun.objects.filter(province=province, status__in=SnapshotRun.RUNNING).first()
        if current is None:  # it finished in between: ask again
            return request_snapshot(province, actor=actor)
        return current, False
    snapshot_job.enqueue(run.pk)
    return run, True
