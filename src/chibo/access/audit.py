"""The audit trail: read by the commune and province staff for their subtree."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chibo.access.scope import AUDIT_ROLES, Viewer, scope_for, subtree_filter
from chibo.audit.models import AuditEvent
from chibo.organisations.models import Organisation

# --- Audit --------------------------------------------------------------------------------

def audit_events(user: Viewer, within: Organisation | None = None) -> QuerySet[AuditEvent]:
    scope = scope_for(user)
    if scope.superuser:
        qs = AuditEvent.objects.all()
    else:
        q = Q(pk__in=[])
        for g in scope.grants:
            if g.role in AUDIT_ROLES:
                q |= _audit_within(g.org)
        qs = AuditEvent.objects.filter(q)
    if within is not None:
        qs = qs.filter(_audit_within(within))
    return qs


def _audit_within(org: Organisation) -> Q:
    """Rows of the organisation's subtree: where the object is, or where it was before the
    change (a member moved to another commune, a resident who moved, a resident made a member)."""
    return subtree_filter(org, "org_") | subtree_filter(org, "prior_")


def reads_audit_of(user: Viewer, org: Organisation) -> bool:
    """May the user read the audit trail of this organisation's subtree?"""
    return scope_for(user).reads_audit(org)


def reads_any_audit(user: Viewer) -> bool:
    """Does the user read some audit trail (commune or province staff, administrators)?"""
    scope = scope_for(user)
    return scope.superuser or any(g.role in AUDIT_ROLES for g in scope.grants)
