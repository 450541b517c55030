"""Candidates for admission, and the provincial committee's decisions on them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chibo.access.scope import Viewer, _deny_or_404, one, scope_for, subtree_filter
from chibo.accounts.models import Role
from chibo.organisations.models import Organisation
from chibo.recruitment.models import Candidate

# --- Recruitment ----------------------------------------------------------------------------------
# Candidates (people who are not members yet) are seen by those whose scope holds their cell
# (the cell committee, the commune and the province staff) — not by the cell's members, as
# with the member list; they are managed by those who write for the cell or the commune.
# Recognition of a probationary member is recorded by those who write for the member's cell.

def candidates(user: Viewer) -> QuerySet[Candidate]:
    scope = scope_for(user)
    if scope.superuser:
        return Candidate.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= subtree_filter(g.org, "organisation__")
    return Candidate.objects.filter(q)


def get_candidate(user: Viewer, pk: int | str, *, write: bool = False) -> Candidate:
    c = one(candidates(user).select_related("person", "organisation", "membership"), pk)
    if write:
        _deny_or_404(True, scope_for(user).writes_org(c.organisation))
    return c


def may_manage_candidates(user: Viewer, org: Organisation) -> bool:
    """Candidates are entered and moved on by those who write for the cell or the commune."""
    return scope_for(user).writes_org(org)


def may_record_provincial_decision(user: Viewer, org: Organisation) -> bool:
    """An admission the provincial committee decides (an applicant over 60) is recorded by the
    province's staff whose scope holds the cell (they otherwise only read), or an administrator."""
    scope = scope_for(user)
    return scope.superuser or any(g.role == Role.PROVINCE_STAFF and g.covers(org.path) for g in scope.grants)
