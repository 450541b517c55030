"""Reads for tasks: a person's tasks, an organisation's tasks, what is due soon or overdue,
and a member's record for a year — each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr

from chibo.core.dates import today
from chibo.core.numbers import pct
from chibo.organisations.models import PATH_STEP, Organisation
from chibo.tasks import rules
from chibo.tasks.models import Assignee, Task


def soon_days() -> int:
    """The default number of days before a deadline that a task counts as due soon."""
    return int(getattr(settings, "CHIBO_DUE_SOON_DAYS", 3))


def with_people(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("organisation", "verifier").prefetch_related(
        Prefetch("assignees", queryset=Assignee.objects.select_related("person", "organisation")))


def in_subtree(qs: QuerySet[Task], org: Organisation) -> QuerySet[Task]:
    return qs.filter(Organisation.subtree_q(org, "organisation__"))


@dataclass
class MyTasks:
    doing: list[Task] = field(default_factory=list)  # assigned to me (or to my cell), still open
    to_verify: list[Task] = field(default_factory=list)  # I am the verifier and it waits for me
    recently_done: list[Task] = field(default_factory=list)


def my_tasks(visible: QuerySet[Task], *, person_id: int | None, org_ids: list[int], day: dt.date | None = None,
             recent: bool = True) -> MyTasks:
    """A member's own list: tasks assigned to them or to their cell/group, and tasks waiting
    for their verification (with `recent`, also those done in the last 60 days). `visible` is
    access.tasks(user)."""
    day = day or today()
    out = MyTasks()
    if person_id is None and not org_ids:
        return out
    mine = Assignee.objects.filter(Q(person_id=person_id) | Q(organisation_id__in=org_ids)).values("task_id")
    qs = with_people(visible.filter(pk__in=mine))
    out.doing = list(qs.filter(status__in=Task.OPEN_STATUSES).order_by("due_on", "id")[:200])
    if recent:
        out.recently_done = list(qs.filter(status=Task.Status.DONE, completed_on__gte=day - dt.timedelta(days=60))
                                 .order_by("-completed_on", "-id")[:20])
    if person_id is not None:
        out.to_verify = list(with_people(visible.filter(verifier_id=person_id, status=Task.Status.SUBMITTED))
                             .order_by("verify_by", "id")[:200])
    return out


def my_task_counts(visible: QuerySet[Task], *, person_id: int | None, org_ids: list[int], day: dt.date
                   ) -> tuple[int, int]:
    """How many of `my_tasks`'s open tasks there are, and how many of them are past their
    deadline (the "overdue" of `rules.urgency`): one query, for a card that only counts."""
    if person_id is None and not org_ids:
        return 0, 0
    mine = Assignee.objects.filter(Q(person_id=person_id) | Q(organisation_id__in=org_ids)).values("task_id")
    row = visible.filter(pk__in=mine, status__in=Task.OPEN_STATUSES).aggregate(
        n=Count("id"), late=Count("id", filter=Q(due_on__lt=day)))
    return row["n"], row["late"]


WORKING = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)  # still to be done by the assignees


@dataclass
class Overdue:
    """Overdue tasks of an organisation's subtree (as the due list counts them): how many in all,
    how many the organisation gave itself, and per organisation directly under it (a commune's
    cells, each with its party groups), most first."""
    total: int
    own: int
    by_unit: list[tuple[Organisation, int]]


def overdue_by_unit(visible: QuerySet[Task], org: Organisation, *, day: dt.date | None = None) -> Overdue:
    """Two queries whatever the number of tasks: the overdue count per assigning organisation,
    then the organisations directly under `org` that have any. `visible` is access.tasks(user)."""
    day = day or today()
    step = len(org.path) + PATH_STEP
    per_unit: Counter[str] = Counter()
    own = 0
    for path, n in (in_subtree(visible, org).filter(status__in=WORKING, due_on__lt=day)
                    .values_list("organisation__path").annotate(n=Count("id")).order_by()):
        if len(path) < step:
            own += n
        else:
            per_unit[path[:step]] += n
    units = Organisation.objects.in_bulk(list(per_unit), field_name="path") if per_unit else {}
    ranked = sorted(((units[p], n) for p, n in per_unit.items() if p in units), key=lambda r: (-r[1], r[0].path))
    return Overdue(total=own + sum(per_unit.values()), own=own, by_unit=ranked)


@dataclass
class DueLists:
    overdue: list[Task]
    due_soon: list[Task]
    waiting: list[Task]  # submitted, waiting for the verifier past the verification date
    days: int


def due_lists(visible: QuerySet[Task], org: Organisation, *, day: dt.date | None = None,
              days: int | None = None, limit: int = 300) -> DueLists:
    day = day or today()
    days = soon_days() if days is None else days
    qs = with_people(in_subtree(visible, org))
    working = WORKING
    return DueLists(
        overdue=list(qs.filter(status__in=working, due_on__lt=day).order_by("due_on", "id")[:limit]),
        due_soon=list(qs.filter(status__in=working, due_on__gte=day, due_on__lte=day + dt.timedelta(days=days))
                      .order_by("due_on", "id")[:limit]),
        waiting=list(qs.filter(status=Task.Status.SUBMITTED, verify_by__lt=day).order_by("verify_by", "id")[:limit]),
        days=days)


def org_tasks(visible: QuerySet[Task], org: Organisation, *, status: str = "active", limit: int = 500) -> list[Task]:
    """The tasks of an organisation's own plan (assigned by it): "active" — every open status,
    by deadline; one status; or "" — all, latest deadline first."""
    qs = with_people(visible.filter(organisation=org))
    if status == "active":
        qs = qs.filter(status__in=Task.OPEN_STATUSES).order_by("due_on", "id")
    elif status:
        qs = qs.filter(status=status).order_by("-due_on", "-id")
    else:
        qs = qs.order_by("-due_on", "-id")
    return list(qs[:limit])


@dataclass
class Record:
    """A member's tasks in a year — the evidence the year-end rating uses (QĐ 366)."""
    year: int
    assigned: int
    led: int
    done_on_time: int
    done_late: int
    exceeded: int
    open: int
    overdue: int
    cancelled: int
    tasks: list[Task]

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late + self.exceeded

    @property
    def on_time_pct(self) -> int | None:
        return None if not self.done else round(100 * (self.done_on_time + self.exceeded) / self.done)


def record(person_id: int, year: int, *, day: dt.date | None = None) -> Record:
    """Tasks assigned to the person (leading or coordinating) whose deadline falls in `year`."""
    day = day or today()
    rows = list(Assignee.objects.filter(person_id=person_id, task__due_on__year=year)
                .select_related("task", "task__organisation", "task__verifier").order_by("task__due_on", "task_id"))
    tasks = [a.task for a in rows]
    outcomes = Counter(t.outcome for t in tasks if t.status == Task.Status.DONE)
    open_tasks = [t for t in tasks if t.is_open]
    return Record(
        year=year, assigned=len(tasks), led=sum(1 for a in rows if a.role == Assignee.Role.LEAD),
        done_on_time=outcomes[Task.Outcome.ON_TIME], done_late=outcomes[Task.Outcome.LATE],
        exceeded=outcomes[Task.Outcome.EXCEEDED], open=len(open_tasks),
        overdue=sum(1 for t in open_tasks if rules.urgency(due_on=t.due_on, day=day, soon_days=0) == "overdue"),
        cancelled=sum(1 for t in tasks if t.status == Task.Status.CANCELLED), tasks=tasks)


def counts(qs: QuerySet[Task], *, start: dt.date, end: dt.date, day: dt.date) -> dict[str, Any]:
    """Indicator figures for a set of tasks: open now, overdue now, and of the tasks completed
    in [start, end], the share completed by their deadline (exceeded counts as on time)."""
    open_now = qs.filter(status__in=Task.OPEN_STATUSES)
    overdue = open_now.exclude(status=Task.Status.SUBMITTED).filter(due_on__lt=day).count()
    done = Counter(qs.filter(status=Task.Status.DONE, completed_on__gte=start, completed_on__lte=end)
                   .values_list("outcome", flat=True))
    total = sum(done.values())
    on_time = done[Task.Outcome.ON_TIME] + done[Task.Outcome.EXCEEDED]
    return {"tasks_open": open_now.count(), "tasks_overdue": overdue,
            "tasks_done": total, "tasks_done_on_time_pct": pct(on_time, total)}


def for_target(visible: QuerySet[Task], target_id: int, *, limit: int = 100) -> list[Task]:
    """The tasks that carry out a target, open ones first."""
    return list(with_people(visible.filter(target_id=target_id)).order_by("status", "due_on", "id")[:limit])


def subtree_counts(org: Organisation, *, start: dt.date, end: dt.date, day: dt.date) -> dict[str, Any]:
    """`counts()` for the tasks assigned by `org` or by any organisation in its subtree (the indicators)."""
    return subtree_counts_by(org, len(org.path), start=start, end=end, day=day).get(org.path, _no_counts())


def _no_counts() -> dict[str, Any]:
    return {"tasks_open": 0, "tasks_overdue": 0, "tasks_done": 0, "tasks_done_on_time_pct": None}


def subtree_counts_by(org: Organisation, depth: int, *, start: dt.date, end: dt.date, day: dt.date
                      ) -> dict[str, dict[str, Any]]:
    """`subtree_counts` of each organisation of `org`'s subtree whose path is `depth` characters
    long (e.g. every commune of a province), keyed by that path: the definition of `counts()`
    (open now; overdue now — open, not submitted, deadline before `day`; completed in [start,
    end] and the share by the deadline, exceeded counting as on time), grouped in SQL — two
    queries whatever the number of groups."""
    qs = in_subtree(Task.objects.all(), org).annotate(group=Substr("organisation__path", 1, depth))
    out: dict[str, dict[str, Any]] = defaultdict(_no_counts)
    overdue = ~Q(status=Task.Status.SUBMITTED) & Q(due_on__lt=day)
    for row in (qs.filter(status__in=Task.OPEN_STATUSES).values("group")
                .annotate(n=Count("id"), overdue=Count("id", filter=overdue)).order_by()):
        out[row["group"]].update(tasks_open=row["n"], tasks_overdue=row["overdue"])
    on_time = Q(outcome__in=[Task.Outcome.ON_TIME, Task.Outcome.EXCEEDED])
    for row in (qs.filter(status=Task.Status.DONE, completed_on__gte=start, completed_on__lte=end).values("group")
                .annotate(n=Count("id"), on_time=Count("id", filter=on_time)).order_by()):
        out[row["group"]].update(tasks_done=row["n"], tasks_done_on_time_pct=pct(row["on_time"], row["n"]))
    return dict(out)


@dataclass
class CellWork:
    overdue: int  # tasks of the organisation's subtree past their deadline, not submitted
    to_verify: int  # results submitted that wait for the person's verification


WORKING = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)


def cell_work(visible: QuerySet[Task], org: Organisation, *, person_id: int | None, day: dt.date) -> CellWork:
    """For a committee's home page, in two queries (each one index range; together in one query
    with OR, SQLite scans every task): the overdue tasks in `org`'s subtree (as `due_lists`
    counts them) and the results waiting for the person's verification (as `my_tasks` lists
    them). `visible` is access.tasks(user)."""
    overdue = in_subtree(visible, org).filter(status__in=WORKING, due_on__lt=day).count()
    to_verify = (visible.filter(verifier_id=person_id, status=Task.Status.SUBMITTED).count()
                 if person_id is not None else 0)
    return CellWork(overdue=overdue, to_verify=to_verify)
