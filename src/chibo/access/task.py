"""Tasks ("6 rõ"): who sees a task, changes it, reports on it and verifies it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chibo.access.scope import Scope, Viewer, _deny_or_404, one, scope_for, subtree_filter
from chibo.members.models import Person
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.tasks.models import Assignee, Task

# --- Tasks ("6 rõ") ---------------------------------------------------------------------------
# A task is seen by those whose scope holds the organisation that assigned it, by its
# assignees and its verifier, and by the members of the cell whose plan it is part of.
# It is changed (edited, cancelled) by those who write for that organisation; progress is
# reported by an assignee (or for an assigned organisation, by those who write for it); the
# verifier decides — or someone writing for the organisation records the verifier's
# decision, unless they are themselves assigned to the task.

def tasks(user: Viewer) -> QuerySet[Task]:
    scope = scope_for(user)
    if scope.superuser:
        return Task.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= subtree_filter(g.org, "organisation__")
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(verifier_id=person_id) | Q(pk__in=_assigned_to(person_id, scope))
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk])
    return Task.objects.filter(q)


def tasks_in(user: Viewer, org: Organisation) -> QuerySet[Task]:
    """The tasks of `org`'s subtree the user may see (`tasks(user)` within the subtree): one index
    range when the user's scope holds the whole subtree, as a commune's staff hold their commune."""
    subtree = subtree_filter(org, "organisation__")
    if scope_for(user).sees_org(org):
        return Task.objects.filter(subtree)
    return tasks(user).filter(subtree)


def _assigned_to(person_id: int, scope: Scope) -> QuerySet[Assignee, Any]:
    q = Q(person_id=person_id)
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk])
    return Assignee.objects.filter(q).values("task_id")


def get_task(user: Viewer, pk: int | str, *, edit: bool = False) -> Task:
    task = one(tasks(user).select_related("organisation", "verifier", "target", "series"), pk)
    if edit:
        _deny_or_404(True, scope_for(user).writes_org(task.organisation))
    return task


def may_assign(user: Viewer, org: Organisation) -> bool:
    """Tasks are given by those who write for the organisation (its committee, the commune staff)."""
    return scope_for(user).writes_org(org)


def task_people(user: Viewer, org: Organisation) -> QuerySet[Person]:
    """People a user who may assign tasks for `org` can name on one (assignees, verifier):
    the current members of the commune above `org` (or of `org` itself at commune level and
    above) — a cell's task may be verified by a commune committee member. The task services
    then check who fits which role. Nobody for a user who may not assign there."""
    if not may_assign(user, org):
        return Person.objects.none()
    tops = (Organisation.Kind.PROVINCE, Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE)
    anchor = org if org.kind in tops else (
        Organisation.objects.filter(path__in=org.ancestor_paths(), kind__in=tops).order_by("-path").first() or org)
    return Person.objects.filter(membership__current=True,
                                 **{f"membership__{LEVEL_OF_KIND[anchor.kind]}_id": anchor.pk})


def may_edit_task(user: Viewer, task: Task) -> bool:
    return scope_for(user).writes_org(task.organisation)


def may_report_task(user: Viewer, task: Task, assignees: list[Assignee] | None = None) -> bool:
    scope = scope_for(user)
    person_id = getattr(user, "person_id", None)
    rows = assignees if assignees is not None else list(task.assignees.select_related("organisation"))
    if any(a.person_id is not None and a.person_id == person_id for a in rows):
        return True
    if any(a.organisation is not None and scope.writes_org(a.organisation) for a in rows):
        return True
    return scope.writes_org(task.organisation)


def may_verify_task(user: Viewer, task: Task, assignees: list[Assignee] | None = None) -> bool:
    person_id = getattr(user, "person_id", None)
    if person_id is not None and person_id == task.verifier_id:
        return True
    rows = assignees if assignees is not None else list(task.assignees.all())
    if person_id is not None and any(a.person_id == person_id for a in rows):
        return False
    return scope_for(user).writes_org(task.organisation)
