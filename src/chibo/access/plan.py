"""Resolutions, their targets and the targets' measurements."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.access.scope import (
    Viewer,
    _deny_or_404,
    one,
    plan_orgs_filter,
    scope_for,
    subtree_filter,
)
from chibo.organisations.models import Organisation
from chibo.plans.models import Measurement, Resolution, Target

# --- Resolutions and targets ------------------------------------------------------------
# A resolution reaches down: it is read by everyone in the issuing organisation's subtree
# (a cell carries out the commune's resolution) — and by those above who oversee it.

def resolutions(user: Viewer) -> QuerySet[Resolution]:
    return Resolution.objects.filter(plan_orgs_filter(scope_for(user), "organisation__"))


def get_resolution(user: Viewer, pk: int | str, *, write: bool = False) -> Resolution:
    res = one(resolutions(user).select_related("organisation"), pk)
    if write:
        _deny_or_404(True, scope_for(user).writes_org(res.organisation))
    return res


def may_issue_resolution(user: Viewer, org: Organisation) -> bool:
    """Resolutions and their targets are entered by those who write for the issuing organisation."""
    return scope_for(user).writes_org(org)


def resolution_issuers(user: Viewer) -> QuerySet[Organisation]:
    """Active organisations the user may issue resolutions for (party groups issue none)."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.write:
            q |= subtree_filter(g.org)
    return Organisation.objects.filter(q, valid_to__isnull=True).exclude(kind=Organisation.Kind.PARTY_GROUP)


def get_resolution_issuer(user: Viewer, code: str) -> Organisation:
    """The organisation a new resolution is issued by: 404 when its resolutions are outside
    the user's reach, 403 when the user reads them but may not issue for it."""
    scope = scope_for(user)
    org = Organisation.objects.filter(code=code).first()
    visible = org is not None and Organisation.objects.filter(
        plan_orgs_filter(scope, ""), pk=org.pk).exists()
    _deny_or_404(visible, org is not None and resolution_issuers(user).filter(pk=org.pk).exists())
    assert org is not None
    return org


def targets(user: Viewer) -> QuerySet[Target]:
    return Target.objects.filter(plan_orgs_filter(scope_for(user), "resolution__organisation__"))


def get_target(user: Viewer, pk: int | str, *, report: bool = False, write: bool = False) -> Target:
    """A target the user may read; with report=True, one whose figures the user may record
    (those who write for the responsible organisation or for the issuing one); with
    write=True, one the user may change or break down (those who issue its resolution)."""
    target = one(targets(user).select_related("resolution__organisation", "organisation", "parent"), pk)
    if report:
        _deny_or_404(True, may_report(user, target))
    if write:
        _deny_or_404(True, may_issue_resolution(user, target.resolution.organisation))
    return target


def openable_targets(user: Viewer, given: Iterable[Target]) -> set[int]:
    """The ids of those of `given` targets whose page the user may open (what `get_target` lets
    through), for a list's links: a target is read with its resolution, so one query over
    their few resolutions (none for an administrator)."""
    given = list(given)
    if not given or not getattr(user, "is_authenticated", False):
        return set()
    if scope_for(user).superuser:
        return {t.pk for t in given}
    readable = set(resolutions(user).filter(pk__in={t.resolution_id for t in given}).values_list("pk", flat=True))
    return {t.pk for t in given if t.resolution_id in readable}


def may_report(user: Viewer, target: Target) -> bool:
    scope = scope_for(user)
    return scope.writes_org(target.organisation) or scope.writes_org(target.resolution.organisation)


def get_measurement(user: Viewer, pk: int | str) -> Measurement:
    """A measurement of a target the user may read (for its evidence file)."""
    m = (Measurement.objects.select_related("target").filter(pk=pk, target__in=targets(user)).first()
         if str(pk).isdigit() else None)
    if m is None:
        raise Http404
    return m
