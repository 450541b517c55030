"""A person's own API tokens, and the administration of accounts by the staff."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.access.organisation import get_organisation
from chibo.access.scope import Viewer, one, scope_for, signed_in
from chibo.accounts.models import ApiToken, Role, RoleAssignment, User
from chibo.core.dates import today
from chibo.members.models import Membership, Person
from chibo.organisations.models import Organisation

# --- API tokens -------------------------------------------------------------------------
# A person sees and revokes only their own tokens (the administrator uses `chibo apitoken`).

def own_api_tokens(user: Viewer) -> QuerySet[ApiToken]:
    account = signed_in(user)
    if account is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=account)


def get_own_api_token(user: Viewer, pk: int | str) -> ApiToken:
    return one(own_api_tokens(user).select_related("user"), pk)


# --- Accounts administration -------------------------------------------------------------------
# Commune and province staff administer the accounts of the people in their subtree (members of
# its cells, and anyone holding a role on it); an administrator, every account. An account that
# holds a role its viewer could not grant — a higher one, or one elsewhere — or an administrator's
# is not theirs to open (404): otherwise a commune clerk could reset a province officer's
# password because the officer's party membership is kept in a cell of the commune.

ACCOUNT_ADMIN_ROLES = {Role.COMMUNE_STAFF, Role.PROVINCE_STAFF}
_RANK: dict[str, int] = {Role.CELL_COMMITTEE: 1, Role.COMMUNE_STAFF: 2, Role.PROVINCE_STAFF: 3}


def may_administer_accounts(user: Viewer) -> bool:
    scope = scope_for(user)
    return scope.superuser or any(g.role in ACCOUNT_ADMIN_ROLES for g in scope.grants)


def accounts(user: Viewer) -> QuerySet[User]:
    scope = scope_for(user)
    if scope.superuser:
        return User.objects.all()
    admin = [g for g in scope.grants if g.role in ACCOUNT_ADMIN_ROLES]
    if not admin:
        return User.objects.none()
    reach = Q(pk__in=[])
    grantable = Q(pk__in=[])
    for g in admin:
        member_orgs = Organisation.objects.subtree(g.org).values("pk")
        reach |= Q(person__membership__organisation__in=member_orgs) | Q(roles__organisation__in=member_orgs)
        grantable |= Q(organisation__in=member_orgs, role__in=[r for r, n in _RANK.items() if n <= _RANK[g.role]])
    not_theirs = RoleAssignment.objects.active_on(today()).exclude(grantable).values("user_id")
    return (User.objects.filter(pk__in=User.objects.filter(reach).values("pk"))
            .exclude(is_superuser=True).exclude(pk__in=not_theirs))


def get_account(user: Viewer, pk: int | str) -> User:
    """An account the user administers (404 otherwise, and for anyone who administers none)."""
    return one(accounts(user).select_related("person"), pk)


def get_account_person(user: Viewer, pk: int | str) -> Person:
    """A member to open an account for: one whose record the user administers accounts for."""
    if not may_administer_accounts(user) or not str(pk).isdigit():
        raise Http404
    scope = scope_for(user)
    m = Membership.objects.select_related("organisation", "person").filter(person_id=pk).first()
    if m is None or not (scope.superuser or any(g.role in ACCOUNT_ADMIN_ROLES and g.covers(m.organisation.path)
                                                 for g in scope.grants)):
        raise Http404
    return m.person


def get_account_role(user: Viewer, account: User, pk: int | str) -> RoleAssignment:
    ra = RoleAssignment.objects.select_related("organisation").filter(user=account, pk=pk).first() \
        if str(pk).isdigit() else None
    if ra is None:
        raise Http404
    return ra


def get_onboarding_organisation(user: Viewer, code: str) -> Organisation:
    """A cell (or party group) whose members' accounts the user may open and print slips for:
    its committee and the commune staff above it (those who write for it)."""
    org = get_organisation(user, code)
    if not org.holds_members or not scope_for(user).writes_org(org):
        raise Http404
    return org


def grantable_roles(user: Viewer) -> list[Role]:
    """The roles the user may grant: up to the rank of a role they administer accounts with
    (every role for an administrator)."""
    scope = scope_for(user)
    return [r for r in Role if scope.superuser or any(
        g.role in ACCOUNT_ADMIN_ROLES and _RANK[g.role] >= _RANK[r] for g in scope.grants)]


def account_membership(user: Viewer, account: User) -> Membership | None:
    """The membership of an account the user administers, if the user may open the member's page
    (an account reached through its role elsewhere has none to link to)."""
    if not account.person_id:
        return None
    m = Membership.objects.filter(person_id=account.person_id).select_related("organisation").first()
    return m if m is not None and scope_for(user).sees_org(m.organisation) else None


def account_of_person(user: Viewer, person: Person) -> User | None:
    """The account a person already has, for one whose account the user may open
    (`get_account_person`): the page then goes to that account instead."""
    return User.objects.filter(person=person).first()


def onboarding_accounts(user: Viewer, org: Organisation, person_ids: list[int]) -> dict[int, User]:
    """The accounts of these members of a cell the user onboards (`get_onboarding_organisation`),
    by person: 404 for a user who does not write for the cell."""
    if not scope_for(user).writes_org(org):
        raise Http404
    return {u.person_id: u for u in User.objects.filter(person__in=person_ids) if u.person_id is not None}
