"""Organisations, memberships, persons, localities and posts: the structure of the party and
who may see and change it (see the package docstring for the roles)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.access.scope import (
    STRUCTURE_ROLES,
    Scope,
    Viewer,
    _deny_or_404,
    scope_for,
    subtree_filter,
)
from chibo.members.models import Membership, Person, Post, PostQuerySet
from chibo.organisations.models import LEVEL_OF_KIND, Locality, Organisation

# --- Organisations ----------------------------------------------------------------------

def organisations(user: Viewer) -> QuerySet[Organisation]:
    return Organisation.objects.filter(scope_for(user).org_filter())


def organisations_with_basics(user: Viewer) -> QuerySet[Organisation]:
    """Organisations whose page and figures the user may see: the scope, plus a member's own cell."""
    scope = scope_for(user)
    q = scope.org_filter()
    m = scope.own_membership
    if m is not None and not scope.superuser:
        q |= Q(pk__in=[pk for pk in (m.organisation_id, m.cell_id) if pk])
    return Organisation.objects.filter(q)


def get_organisation(user: Viewer, code: str, *, write: bool = False, structure: bool = False) -> Organisation:
    """The organisation with this code if the user may see it (its page and figures)."""
    org = Organisation.objects.select_related("parent", "locality").filter(code=code).first()
    scope = scope_for(user)
    if org is None or not scope.sees_org_basics(org):
        raise Http404
    if structure:
        _deny_or_404(True, scope.writes_structure(org))
    elif write:
        _deny_or_404(True, scope.writes_org(org))
    return org


def may_open_organisation(user: Viewer, org: Organisation) -> bool:
    """May the user open this organisation's page (what `get_organisation` lets through)? No query
    when `org.path` is loaded: templates ask it before linking to the page (issue 14, point 1)."""
    return bool(getattr(user, "is_authenticated", False)) and scope_for(user).sees_org_basics(org)


def sees_members_of(user: Viewer, org: Organisation) -> bool:
    """May the user list the members of this organisation (not only its basics)?"""
    return scope_for(user).sees_org(org)


def writable_member_orgs(user: Viewer) -> QuerySet[Organisation]:
    """Active organisations the user may place members in."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.write:
            q |= subtree_filter(g.org)
    return Organisation.objects.filter(q, kind__in=Organisation.MEMBER_KINDS, valid_to__isnull=True)


def structure_parent_orgs(user: Viewer) -> QuerySet[Organisation]:
    """Organisations under which the user may create new organisations."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.role in STRUCTURE_ROLES:
            q |= subtree_filter(g.org)
    return Organisation.objects.filter(q, valid_to__isnull=True).exclude(kind=Organisation.Kind.PARTY_GROUP)


# --- Members ----------------------------------------------------------------------------

def memberships(user: Viewer, within: Organisation | None = None) -> QuerySet[Membership]:
    """Memberships the user may see, optionally within one organisation's subtree."""
    qs = Membership.objects.filter(scope_for(user).member_filter())
    if within is not None:
        qs = qs.filter(**{f"{LEVEL_OF_KIND[within.kind]}_id": within.pk})
    return qs


def get_membership(user: Viewer, pk: int | str, *, write: bool = False) -> Membership:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    m = Membership.objects.select_related("person", "person__residence", "organisation", "cell", "commune").filter(pk=pk).first()
    if m is None:
        raise Http404
    scope = scope_for(user)
    visible = scope.sees_org(m.organisation) or (scope.own_membership is not None and scope.own_membership.pk == m.pk)
    _deny_or_404(visible, not write or scope.writes_org(m.organisation))
    return m


def persons(user: Viewer) -> QuerySet[Person]:
    """People the user may pick for posts: members in scope and residents of localities in scope."""
    return persons_in_scope(scope_for(user))


def persons_in_scope(scope: Scope) -> QuerySet[Person]:
    """`persons` for a scope (also a command's, which has no user)."""
    if scope.superuser:
        return Person.objects.all()
    return Person.objects.filter(
        Q(membership__in=Membership.objects.filter(scope.member_filter()))
        | Q(residence__in=_localities_in_scope(scope))
    ).distinct()


# --- Localities ---------------------------------------------------------------------------

def localities(user: Viewer) -> QuerySet[Locality]:
    return _localities_in_scope(scope_for(user))


def _localities_in_scope(scope: Scope) -> QuerySet[Locality]:
    if scope.superuser:
        return Locality.objects.all()
    orgs = Organisation.objects.filter(scope.org_filter())
    return Locality.objects.filter(
        Q(organisation__in=orgs) | Q(organisations__in=orgs) | Q(parent__organisation__in=orgs)
    ).distinct()


def may_open_locality(user: Viewer, loc: Locality) -> bool:
    """May the user open this locality's page (what `get_locality` lets through)? One query; a
    template asks it before linking to the page (issue 14, point 1)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).superuser or localities(user).filter(pk=loc.pk).exists()


def openable_localities(user: Viewer, locs: Iterable[Locality]) -> set[int]:
    """The ids of those of `locs` whose page the user may open, in one query (for lists)."""
    ids = [loc.pk for loc in locs]
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    if scope_for(user).superuser:
        return set(ids)
    return set(localities(user).filter(pk__in=ids).values_list("pk", flat=True))


def get_locality(user: Viewer, code: str, *, write: bool = False) -> Locality:
    loc = Locality.objects.select_related("parent", "organisation").filter(code=code).first()
    if loc is None or not localities(user).filter(pk=loc.pk).exists():
        raise Http404
    if write:
        owner = loc.organisation or (loc.parent.organisation if loc.parent else None)
        if owner is None or not scope_for(user).writes_structure(owner):
            raise PermissionDenied
    return loc


# --- Posts --------------------------------------------------------------------------------

def posts(user: Viewer) -> PostQuerySet:
    scope = scope_for(user)
    if scope.superuser:
        return Post.objects.all()
    return Post.objects.filter(Q(organisation__in=organisations(user)) | Q(locality__in=localities(user)))


def get_post(user: Viewer, pk: int | str, *, write: bool = False) -> Post:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    post = Post.objects.select_related("person", "organisation", "locality", "locality__organisation",
                                       "locality__parent__organisation").filter(pk=pk).first()
    if post is None or not posts(user).filter(pk=pk).exists():
        raise Http404
    if write and not may_write_post_in(user, organisation=post.organisation, locality=post.locality):
        raise PermissionDenied
    return post


def may_write_post_in(user: Viewer, *, organisation: Organisation | None, locality: Locality | None) -> bool:
    scope = scope_for(user)
    if organisation is not None:
        return scope.writes_org(organisation)
    if locality is not None:
        owner = locality.organisation or (locality.parent.organisation if locality.parent else None)
        return owner is not None and scope.writes_structure(owner)
    return False


def writes_for(user: Viewer, org: Organisation) -> bool:
    """May the user change what belongs to this organisation — its members, posts, party groups
    (the cell's committee, the commune staff above it)? Pages ask it before offering a change."""
    return scope_for(user).writes_org(org)


def may_change_structure(user: Viewer, org: Organisation) -> bool:
    """May the user create and edit organisations and localities under this one (commune staff)?"""
    return scope_for(user).writes_structure(org)


def may_edit_locality(user: Viewer, loc: Locality) -> bool:
    """May the user edit this locality (what `get_locality(write=True)` lets through once seen):
    those who manage the structure of the organisation that owns it, or owns its parent."""
    owner = loc.organisation or (loc.parent.organisation if loc.parent else None)
    return owner is not None and scope_for(user).writes_structure(owner)


def home_orgs(user: Viewer) -> list[Organisation]:
    """The organisations the user's pages start from (the top of each of their roles)."""
    return scope_for(user).home_orgs()


def own_membership(user: Viewer) -> Membership | None:
    """The user's own current membership, if they are a party member."""
    return scope_for(user).own_membership


def holds_a_role(user: Viewer) -> bool:
    """Does the user act on the rules: a committee, the staff or an administrator (not a plain member)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    return scope.superuser or bool(scope.grants)


def writable_orgs(user: Viewer) -> list[Organisation]:
    """The organisations the user's writing roles are held on, in the order of their roles (a
    page that needs an organisation and was given none starts from the first)."""
    return [g.org for g in scope_for(user).grants if g.write]
