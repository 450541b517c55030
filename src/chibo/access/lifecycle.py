"""What's due in members' lives (probation, recognitions, badges), the rulebook, transfer
letters and exemptions from party work."""

from __future__ import annotations

from django.http import Http404

from chibo.access.organisation import get_organisation, sees_members_of
from chibo.access.scope import Viewer, one, scope_for
from chibo.lifecycle.models import Exemption, TransferLetter
from chibo.organisations.models import Organisation

# --- Lifecycle ---------------------------------------------------------------------------------------
# What's due (probation ends, recognitions, badges, removal flags) and the badge list name members,
# so they are read by exactly those who may list the organisation's members; others get 404, as
# the member list answers them. Nothing here is written: each item links to the member's page.

def get_lifecycle_organisation(user: Viewer, code: str) -> Organisation:
    """The organisation whose due dates and badge list the user may read."""
    org = get_organisation(user, code)
    if not sees_members_of(user, org):
        raise Http404
    return org


# --- Rulebook and working-day calendar ---------------------------------------------------------------
# Everyone signed in reads the rules and the holidays (the deadlines they see are computed from
# them); only an administrator adds a rule version or changes the holidays.

def may_edit_rulebook(user: Viewer) -> bool:
    return scope_for(user).superuser


# --- Transfer letters ------------------------------------------------------------------------------

def get_transfer_letter(user: Viewer, pk: int | str) -> tuple[TransferLetter, bool]:
    """A transfer letter if the user may list the members of its member's organisation or of
    either organisation it names (else 404), and whether they may record on it: those who write
    for the receiving organisation, or for the issuing one when the receiving organisation is
    outside chibo (or for a letter received from outside)."""
    letter = one(TransferLetter.objects.select_related("membership__person", "membership__organisation", "organisation",
                                                "other_organisation"), pk)
    orgs = [letter.organisation, letter.membership.organisation]
    if letter.other_organisation is not None:
        orgs.append(letter.other_organisation)
    if not any(sees_members_of(user, o) for o in orgs):
        raise Http404
    out_in_chibo = letter.direction == TransferLetter.Direction.OUT and letter.other_organisation is not None
    writer = letter.other_organisation if out_in_chibo else letter.organisation
    return letter, writer is not None and scope_for(user).writes_org(writer)


# --- Exemptions from party work and meetings -----------------------------------------------------

def get_exemption(user: Viewer, pk: int | str) -> tuple[Exemption, bool]:
    """An exemption procedure if the user may see its member (those who list the members of the
    member's organisation, or of the cell that recorded it; the member themselves), else 404; and
    whether they may record its steps: those who write for the member's organisation."""
    ex = one(Exemption.objects.select_related("membership__person", "membership__organisation", "organisation"), pk)
    scope = scope_for(user)
    own = scope.own_membership is not None and scope.own_membership.pk == ex.membership_id
    if not (own or sees_members_of(user, ex.membership.organisation) or sees_members_of(user, ex.organisation)):
        raise Http404
    return ex, scope.writes_org(ex.membership.organisation)
