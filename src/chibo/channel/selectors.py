"""Reads for the two-way channel: a member's own threads, the staff inbox with its counts of
threads waiting for an answer, and a thread's messages — each in a fixed number of queries,
whatever the number of threads. Every read starts from access.threads(user)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from chibo import access
from chibo.channel.models import Message, Thread


def with_people(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    return qs.select_related("organisation", "author__person")


def waiting_first(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    """Threads waiting for an answer first, then answered, then closed; newest first in each."""
    rank = Case(When(status=Thread.Status.NEW, then=Value(0)), When(status=Thread.Status.ANSWERED, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return qs.annotate(rank=rank).order_by("rank", "-last_at", "-id")


def answers_first(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    """For the member: threads with an answer to read first, then those still waiting, then closed."""
    rank = Case(When(status=Thread.Status.ANSWERED, then=Value(0)), When(status=Thread.Status.NEW, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return qs.annotate(rank=rank).order_by("rank", "-last_at", "-id")


def my_threads(user: Any, *, limit: int = 100) -> list[Thread]:
    """The threads the user wrote: answered first, then waiting, then closed."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = access.threads(user).filter(author_id=user.pk)
    return list(answers_first(with_people(qs))[:limit])


def my_open_threads(user: Any, limit: int = 3) -> list[Thread]:
    """For a member's home screen: their open threads, those with an answer to read first,
    newest first. Each has `organisation` loaded; `status` is "answered" or "new"."""
    if not getattr(user, "is_authenticated", False):
        return []
    qs = access.threads(user).filter(author_id=user.pk, status__in=Thread.OPEN_STATUSES)
    return list(answers_first(qs.select_related("organisation"))[:limit])


def inbox(user: Any, *, answerable: bool = True, status: str = "") -> QuerySet[Thread]:
    """Threads sent to others that the user reads: with answerable=True those sent to the
    organisations the user answers for, otherwise those the user may only read (the commune
    staff's view of its cells; the administrators'). Waiting first, newest first."""
    org_ids = [o.pk for o in access.inbox_orgs(user)]
    qs = access.threads(user).exclude(author_id=user.pk)
    qs = qs.filter(organisation_id__in=org_ids) if answerable else qs.exclude(organisation_id__in=org_ids)
    if status:
        qs = qs.filter(status=status)
    return waiting_first(with_people(qs))


@dataclass
class Waiting:
    """How many threads wait for an answer: per organisation the user answers for, and in all
    the threads the user may only read. Counts of threads, never of people."""
    by_org: list[tuple[Any, int]] = field(default_factory=list)
    answerable: int = 0
    read_only: int = 0


def waiting(user: Any) -> Waiting:
    orgs = access.inbox_orgs(user)
    counts = dict(access.threads(user).exclude(author_id=user.pk).filter(status=Thread.Status.NEW)
                  .values_list("organisation_id").annotate(n=Count("id")).order_by())
    mine = {o.pk for o in orgs}
    return Waiting(by_org=[(o, counts.get(o.pk, 0)) for o in orgs],
                   answerable=sum(n for pk, n in counts.items() if pk in mine),
                   read_only=sum(n for pk, n in counts.items() if pk not in mine))


def messages(thread: Thread) -> list[Message]:
    return list(thread.messages.select_related("author__person").order_by("created_at", "id"))
