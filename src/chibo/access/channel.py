"""Members' questions to their cell or commune (threads), and who answers them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chibo.access.scope import (
    WRITE_ROLES,
    Scope,
    Viewer,
    _deny_or_404,
    one,
    scope_for,
    subtree_filter,
)
from chibo.accounts.models import Role, RoleAssignment, User
from chibo.channel.models import Thread
from chibo.channel.rules import recipient_ids
from chibo.core.dates import today
from chibo.organisations.models import Organisation

# --- Two-way channel ----------------------------------------------------------------------------
# A member writes to their own cell or to their commune. A thread is read by the member who
# wrote it; by those who answer for the organisation it is sent to — a writing role held on
# exactly that organisation (the cell's committee for a cell, the commune staff for the
# commune); by the commune staff for threads sent to the cells of their commune (read-only:
# they answer only what is sent to the commune, unless they also sit on the cell's committee);
# and by administrators (read-only: they do not answer in an organisation's name). Province
# staff do not read members' threads. Nobody answers their own thread.

THREAD_OVERSEE_ROLES = {Role.COMMUNE_STAFF}  # read the threads sent to organisations below them


def _answer_org_ids(scope: Scope) -> set[int]:
    return {g.org.pk for g in scope.grants if g.role in WRITE_ROLES}


def threads(user: Viewer) -> QuerySet[Thread]:
    scope = scope_for(user)
    if scope.superuser:
        return Thread.objects.all()
    q = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        q |= Q(author_id=user.pk)
    if answer := _answer_org_ids(scope):
        q |= Q(organisation_id__in=sorted(answer))
    for g in scope.grants:
        if g.role in THREAD_OVERSEE_ROLES:
            q |= subtree_filter(g.org, "organisation__")
    return Thread.objects.filter(q)


def get_thread(user: Viewer, pk: int | str, *, answer: bool = False) -> Thread:
    """A thread the user may read; with answer=True, one the user answers for its organisation."""
    thread = one(threads(user).select_related("organisation", "author__person"), pk)
    if answer:
        _deny_or_404(True, may_answer(user, thread))
    return thread


def may_answer(user: Viewer, thread: Thread) -> bool:
    """Answers come from those who answer for the organisation, never from the thread's author."""
    return thread.author_id != getattr(user, "pk", None) and \
        thread.organisation_id in _answer_org_ids(scope_for(user))


def may_take_part(user: Viewer, thread: Thread) -> bool:
    """Add a message or close the thread: its author, or one who answers it."""
    return thread.author_id == getattr(user, "pk", None) or may_answer(user, thread)


def inbox_orgs(user: Viewer) -> list[Organisation]:
    """The organisations whose threads the user answers, in tree order."""
    scope = scope_for(user)
    return sorted({g.org.pk: g.org for g in scope.grants if g.role in WRITE_ROLES}.values(), key=lambda o: o.path)


def may_use_inbox(user: Viewer) -> bool:
    """The staff inbox: for those who answer or oversee threads, and administrators."""
    scope = scope_for(user)
    return scope.superuser or any(g.role in WRITE_ROLES | THREAD_OVERSEE_ROLES for g in scope.grants)


def thread_recipients(user: Viewer) -> list[Organisation]:
    """The active organisations the user may write to: their own cell and their commune."""
    m = scope_for(user).own_membership
    if m is None:
        return []
    ids = recipient_ids(cell_id=m.cell_id, base_id=m.base_id, commune_id=m.commune_id)
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, valid_to__isnull=True)}
    return [found[pk] for pk in ids if pk in found]


def thread_readers(org: Organisation) -> tuple[list[User], list[User]]:
    """Who reads a thread sent to `org`, to show the member before they send it: those who
    answer (a writing role on exactly `org`) and those who only read (the commune staff
    above it). Administrators read every thread; the pages say so in words."""
    rows = list(RoleAssignment.objects.active_on(today()).filter(
        Q(organisation=org, role__in=WRITE_ROLES)
        | Q(organisation__path__in=org.ancestor_paths(), role__in=THREAD_OVERSEE_ROLES),
        user__is_active=True).select_related("user__person").order_by("user__username"))
    answer = {r.user_id: r.user for r in rows if r.organisation_id == org.pk and r.role in WRITE_ROLES}
    read = {r.user_id: r.user for r in rows if r.user_id not in answer}
    return list(answer.values()), list(read.values())


def oversees_threads(user: Viewer) -> bool:
    """Does the user read threads they do not answer (commune staff over its cells, administrators)?"""
    scope = scope_for(user)
    return scope.superuser or any(g.role in THREAD_OVERSEE_ROLES for g in scope.grants)
