"""The communes of a province side by side (issue 14, point 3: the province staff's home and
`/to-chuc/<code>/so-sanh/`).

Each row holds, for one active child organisation of the parent (a commune or ward under a
province), the same figures `indicators(child, day)` gives — members (đảng số), the three
shares of the residential cells, meetings held %, attendance %, targets off track, tasks
overdue — but computed for all children at once: every figure comes from the grouped form of
the selector `indicators()` itself calls (`children_members`, `residential_figures_by`,
`meetings.selectors.indicator_figures_by`, `plans.selectors.status_counts_by`,
`tasks.selectors.subtree_counts_by`), grouped by the children's path, so the two cannot
disagree (tests/test_province_compare.py checks each row against `indicators()`). A fixed
number of queries, whatever the number of communes.

The trend of each commune is the share of its present cells that held their regular monthly
meeting, in each of the last 12 whole months (docs/decisions.md). The data-health score is
the province's data-quality run (`quality.checks.run_checks`, about a second at province
scale) and is read separately (`health_by_child`).

A province's comparison is a dated report: `services.snapshot_province` computes it in the
background (daily by `chibo remind`, and on demand) into `CommuneFigures`, and the page and the
home read that snapshot (`snapshot_rows`, `latest_snapshot`) — docs/decisions.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chibo.core.dates import add_months, today
from chibo.core.numbers import pct
from chibo.indicators.figures import children_members, residential_figures_by, residential_shares
from chibo.organisations.models import PATH_STEP, Organisation

# The figures of a row, in the order of the table's columns.
COMPARE_KEYS = [
    "members_total", "residential_cells_with_committee_pct", "heads_who_are_members_pct",
    "secretaries_who_are_heads_pct", "meetings_held_pct", "attendance_pct", "targets_off_track", "tasks_overdue",
]
TREND_MONTHS = 12


@dataclass
class Row:
    organisation: Organisation
    figures: dict[str, Any]
    cells: int = 0  # active cells (chi bộ) now
    trend: list[tuple[dt.date, float | None]] = field(default_factory=list)  # (first of month, % held)
    health: float | None = None  # the data-health score, when read (`health_by_child`)

    def value(self, key: str) -> Any:
        if key == "name":
            return self.organisation.sort_key
        if key == "health":
            return self.health
        return self.figures[key]


@dataclass
class Comparison:
    parent: Organisation
    day: dt.date
    start: dt.date  # the period of the meetings and completed tasks: 1 January … day
    rows: list[Row]
    months: list[dt.date]  # the trend's months (first days), oldest first
    computed_at: dt.datetime | None = None  # when read from a snapshot: when it was computed
    running_id: int | None = None  # when read from a snapshot: the recomputation under way (SnapshotRun)


def trend_months(day: dt.date) -> list[dt.date]:
    """The last TREND_MONTHS whole months before `day`'s month (first days, oldest first)."""
    first = day.replace(day=1)
    return [add_months(first, -n) for n in range(TREND_MONTHS, 0, -1)]


COMPARE_STEPS = 6  # the grouped reads of `compare`, each reported to its `progress`


def compare(parent: Organisation, day: dt.date | None = None, *,
            progress: Callable[[int], None] | None = None) -> Comparison:
    """The active children of `parent` on `day` (default today), each with its figures.
    `progress(n)` is told after each of the COMPARE_STEPS grouped reads."""
    # Imported here: these selectors read the cell facts of indicators.services, which imports figures.
    from chibo.meetings.selectors import indicator_figures_by, regular_held_by_month
    from chibo.plans.selectors import status_counts_by
    from chibo.tasks.selectors import subtree_counts_by

    day = day or today()
    start = dt.date(day.year, 1, 1)
    months = trend_months(day)
    step = progress or (lambda n: None)
    members = children_members(parent, day)
    if not members:
        return Comparison(parent=parent, day=day, start=start, rows=[], months=months)
    step(1)
    depth = len(members[0][0].path)
    live = day == today()
    residential = residential_figures_by(parent, depth, day, live)
    step(2)
    meetings = indicator_figures_by(parent, depth, start=start, end=day)
    step(3)
    targets = status_counts_by(parent, depth, day)
    step(4)
    tasks = subtree_counts_by(parent, depth, start=start, end=day, day=day)
    step(5)
    held = regular_held_by_month(parent, depth, start=months[0], end=day.replace(day=1) - dt.timedelta(days=1))
    step(6)
    rows = []
    for org, n in members:
        path = org.path
        res = residential_shares(residential.get(path, {}))
        meet = meetings.get(path, {})
        cells = meet.get("cells", 0)
        by_month = held.get(path, {})
        rows.append(Row(
            organisation=org, cells=cells,
            figures={
                "members_total": n,
                "residential_cells": res["residential_cells"],
                "residential_cells_with_committee_pct": res["residential_cells_with_committee_pct"],
                "heads_who_are_members_pct": res["heads_who_are_members_pct"],
                "secretaries_who_are_heads_pct": res["secretaries_who_are_heads_pct"],
                "meetings_held_pct": meet.get("meetings_held_pct"),
                "attendance_pct": meet.get("attendance_pct"),
                "targets_off_track": int(targets.get(path, {}).get("off_track", 0)),
                "tasks_overdue": int(tasks.get(path, {}).get("tasks_overdue", 0)),
            },
            trend=[(m, pct(by_month.get((m.year, m.month), 0), cells)) for m in months],
        ))
    return Comparison(parent=parent, day=day, start=start, rows=rows, months=months)


def health_by_child(parent: Organisation, children: list[Organisation]) -> dict[int, float | None]:
    """Each child's data-health score as the parent's data-quality run counts it (its cells'
    members, the cells and their problems, as the province's data-quality page breaks it down
    by commune): child id → score (None when nothing was checked)."""
    from chibo.quality.checks import health_score, run_checks

    report = run_checks(parent)
    totals: dict[str, list[int]] = {c.path: [0, 0, 0] for c in children}
    for score in report.cells.values():
        total = totals.get(score.organisation.path[:len(parent.path) + PATH_STEP])
        if total is not None:
            total[0] += score.records
            total[1] += score.errors
            total[2] += score.warnings
    return {c.pk: health_score(*totals[c.path]) for c in children}


def row_json(row: Row) -> dict[str, Any]:
    """A row as a snapshot keeps it (`CommuneFigures.figures`): its figures, cells, trend, health."""
    return {**row.figures, "cells": row.cells, "trend": [[m.isoformat(), v] for m, v in row.trend],
            "health": row.health}


def _row_from(record: Any) -> Row:
    data = dict(record.figures)
    trend = [(dt.date.fromisoformat(m), v) for m, v in data.pop("trend", [])]
    cells = int(data.pop("cells", 0))
    health = data.pop("health", None)
    return Row(organisation=record.organisation, figures=data, cells=cells, trend=trend, health=health)


def latest_snapshot(parent: Organisation, on: dt.date | None = None) -> Comparison | None:
    """The snapshot of `parent`'s comparison (`services.snapshot_province`): that of `on` if
    there is one, else the latest; None before the first. One query (two when `on` has none),
    which also tells the recomputation under way (`running_id`)."""
    from django.db.models import Subquery

    from chibo.indicators.models import CommuneFigures

    own = CommuneFigures.objects.filter(province=parent).select_related("organisation").annotate(
        running_id=_running_id())
    records: list[Any] = []
    if on is not None:
        records = list(own.filter(on=on))
    if not records:
        newest = CommuneFigures.objects.filter(province=parent).order_by("-on").values("on")[:1]
        records = list(own.filter(on=Subquery(newest)))
    if not records:
        return None
    day = records[0].on
    return Comparison(parent=parent, day=day, start=dt.date(day.year, 1, 1), rows=[_row_from(r) for r in records],
                      months=trend_months(day), computed_at=max(r.computed_at for r in records),
                      running_id=records[0].running_id)


def _running_id() -> Any:
    return _running_id_of("province")


def no_snapshot_state(parent: Organisation, day: dt.date) -> tuple[int | None, bool]:
    """Before `parent`'s first snapshot: (the recomputation under way, if any; whether it has
    active children on `day`) — one query."""
    from django.db.models import Exists, OuterRef

    row = (Organisation.objects.filter(pk=parent.pk)
           .annotate(running_id=_running_id_of("pk"),
                     has_children=Exists(Organisation.objects.filter(parent=OuterRef("pk")).active_on(day)))
           .values_list("running_id", "has_children").first())
    return (row[0], bool(row[1])) if row else (None, False)


def _running_id_of(field: str) -> Any:
    from django.db.models import OuterRef, Subquery

    from chibo.indicators.models import SnapshotRun

    return Subquery(SnapshotRun.objects.filter(province=OuterRef(field), status__in=SnapshotRun.RUNNING)
                    .values("pk")[:1])


SORT_KEYS = ["name", *COMPARE_KEYS, "health"]


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Rows sorted by a column (`SORT_KEYS`); rows without a figure always last; ties keep the
    order of the names (Vietnamese order: the organisations' sort keys). Stable."""
    by_name = sorted(rows, key=lambda r: (r.organisation.sort_key, r.organisation.code))
    if key == "name":
        return list(reversed(by_name)) if descending else by_name
    present = [r for r in by_name if r.value(key) is not None]
    missing = [r for r in by_name if r.value(key) is None]
    present.sort(key=lambda r: r.value(key), reverse=descending)  # stable: equal values keep the name order
    return present + missing
