"""Who the user is to chibo's gatekeeper, and what their roles reach: `Grant`, `Scope`,
`scope_for`, the subtree filters and `_deny_or_404`, shared by every domain module of
chibo.access (see its package docstring for the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.core.dates import today
from chibo.members.models import Membership, Person
from chibo.organisations.models import LEVEL_OF_KIND, Organisation, subtree_q

# The user a request is made by, as the gatekeeper takes them: a signed-in account or an
# anonymous visitor (who sees nothing). Access reads `is_authenticated`, `is_active`,
# `is_superuser`, `pk` and, for an account, `person_id`.
Viewer: TypeAlias = User | AnonymousUser

WRITE_ROLES = {Role.CELL_COMMITTEE, Role.COMMUNE_STAFF}
AUDIT_ROLES = {Role.COMMUNE_STAFF, Role.PROVINCE_STAFF}
STRUCTURE_ROLES = {Role.COMMUNE_STAFF}  # may create/edit organisations and localities


@dataclass(frozen=True)
class Grant:
    org: Organisation
    role: str

    @property
    def write(self) -> bool:
        return self.role in WRITE_ROLES

    def covers(self, path: str) -> bool:
        return path.startswith(self.org.path)


@dataclass
class Scope:
    user: Viewer | None  # None: a command run on the server (`scope_for_command`)
    superuser: bool = False
    grants: list[Grant] = field(default_factory=list)
    own_membership: Membership | None = None

    # --- organisations ---
    def sees_org(self, org: Organisation) -> bool:
        return self.superuser or any(g.covers(org.path) for g in self.grants)

    def sees_org_basics(self, org: Organisation) -> bool:
        if self.sees_org(org):
            return True
        m = self.own_membership
        return m is not None and org.pk in {m.organisation_id, m.cell_id}

    def writes_org(self, org: Organisation) -> bool:
        return self.superuser or any(g.write and g.covers(org.path) for g in self.grants)

    def writes_structure(self, org: Organisation) -> bool:
        return self.superuser or any(g.role in STRUCTURE_ROLES and g.covers(org.path) for g in self.grants)

    def writes_person(self, person: Person, *, membership: Membership | None,
                      candidacy_orgs: Iterable[Organisation] = ()) -> bool:
        """May this scope change the person's record (and so match them in an import)? A member:
        those who write for the member's organisation; a candidate followed by cells: those who
        write for each of those cells; anyone else (a resident): those who manage the localities
        of their place of residence (the commune staff). `person.residence` with its
        `organisation` and `parent.organisation` should be loaded (select_related)."""
        if self.superuser:
            return True
        if membership is not None:
            return self.writes_org(membership.organisation)
        cells = list(candidacy_orgs)
        if cells:
            return all(self.writes_org(org) for org in cells)
        loc = person.residence
        owner = (loc.organisation or (loc.parent.organisation if loc.parent else None)) if loc is not None else None
        return owner is not None and self.writes_structure(owner)

    def reads_audit(self, org: Organisation) -> bool:
        return self.superuser or any(g.role in AUDIT_ROLES and g.covers(org.path) for g in self.grants)

    def home_orgs(self) -> list[Organisation]:
        """The organisations a user's home page starts from (the top of each grant)."""
        if self.superuser:
            return list(Organisation.objects.filter(parent__isnull=True))
        tops = sorted({g.org.path: g.org for g in self.grants}.items())
        result: list[Organisation] = []
        for path, org in tops:
            if not any(path.startswith(r.path) for r in result):
                result.append(org)
        if not result and self.own_membership is not None:
            result.append(self.own_membership.cell or self.own_membership.organisation)
        return result

    def org_filter(self) -> Q:
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for g in self.grants:
            q |= subtree_filter(g.org)
        return q

    def member_filter(self) -> Q:
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for g in self.grants:
            q |= Q(**{f"{LEVEL_OF_KIND[g.org.kind]}_id": g.org.pk})
        if self.own_membership is not None:
            q |= Q(pk=self.own_membership.pk)
        return q


def scope_for(user: Viewer) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached: Scope | None = getattr(user, "_chibo_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(user=user)
    elif user.is_superuser:
        scope = Scope(user=user, superuser=True)
    else:
        grants = [Grant(org=ra.organisation, role=ra.role)  # in force today: a role ends with its post
                  for ra in RoleAssignment.objects.active_on(today()).filter(user=user).select_related("organisation")
                  if ra.organisation.valid_to is None]
        own = None
        person_id = getattr(user, "person_id", None)
        if person_id:
            own = Membership.objects.filter(person_id=person_id, current=True).select_related(
                "organisation", "cell").first()
        scope = Scope(user=user, grants=grants, own_membership=own)
    setattr(user, "_chibo_scope", scope)  # noqa: B010 - an attribute no user class declares
    return scope


def signed_in(user: Viewer) -> User | None:
    """The account behind `user`, or None for an anonymous visitor."""
    if isinstance(user, AnonymousUser) or not getattr(user, "is_authenticated", False):
        return None
    return user


def scope_for_command(org: Organisation | None) -> Scope:
    """The scope of a command run on the server (`chibo import --org`): commune-staff rights
    over ORG's subtree, or an administrator's without ORG."""
    if org is None:
        return Scope(user=None, superuser=True)
    return Scope(user=None, grants=[Grant(org=org, role=Role.COMMUNE_STAFF)])


M = TypeVar("M", bound=Model)


def one(rows: QuerySet[M], pk: int | str) -> M:
    """The row `pk` of `rows` (a queryset already limited to what the viewer may see), else 404;
    a `pk` that is not a whole number is 404 too."""
    found = rows.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


def _deny_or_404(visible: bool, allowed: bool) -> None:
    """Out of scope answers 404 (the object's existence is not revealed); in scope but not
    allowed, 403."""
    if not visible:
        raise Http404
    if not allowed:
        raise PermissionDenied


# --- Subtree filters ------------------------------------------------------------------------

def subtree_filter(org: Organisation, prefix: str = "") -> Q:
    """Rows whose organisation (reached through `prefix`, e.g. "organisation__") lies in `org`'s
    subtree: one index range over the materialised path."""
    return subtree_q(org, prefix)


def plan_orgs_filter(scope: Scope, prefix: str) -> Q:
    """Issuing organisations whose resolutions the scope may read: those in scope, and every
    ancestor of an organisation in scope or of the user's own cell."""
    if scope.superuser:
        return Q()
    starts = [g.org for g in scope.grants]
    m = scope.own_membership
    if m is not None:
        starts.append(m.cell or m.organisation)
    ancestors = {p for org in starts for p in org.ancestor_paths()}
    q = Q(**{f"{prefix}path__in": sorted(ancestors)})
    for g in scope.grants:
        q |= subtree_filter(g.org, prefix)
    return q


def reach_filter(scope: Scope, prefix: str) -> Q:
    """Organisations whose documents and study sessions reach the scope: each organisation in
    scope and every one above it, and the user's own organisation and every one above it."""
    if scope.superuser:
        return Q()
    starts = [g.org for g in scope.grants]
    m = scope.own_membership
    if m is not None:
        starts.append(m.organisation)
    q = Q(**{f"{prefix}path__in": sorted({p for org in starts for p in org.ancestor_paths()})})
    for g in scope.grants:
        q |= subtree_filter(g.org, prefix)
    return q
