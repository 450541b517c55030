"""Meetings, their materials and minutes, and the items voted on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.access.scope import Viewer, _deny_or_404, one, scope_for, subtree_filter
from chibo.meetings.models import Attendance, Material, Meeting, Minutes, Vote
from chibo.members.models import Person
from chibo.organisations.models import Organisation

# --- Meetings -------------------------------------------------------------------------------------
# A cell's meetings are seen by those whose scope holds the cell, by the cell's own members,
# and by everyone invited (a guest from the commune); prepared, recorded and minuted by those
# who write for the cell (its committee, the commune staff). A member sees a meeting's
# materials once it is announced, and its minutes once final.

def meetings(user: Viewer) -> QuerySet[Meeting]:
    scope = scope_for(user)
    if scope.superuser:
        return Meeting.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= subtree_filter(g.org, "organisation__")
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.organisation_id) if pk])
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(pk__in=Attendance.objects.filter(person_id=person_id).values("meeting_id"))
    return Meeting.objects.filter(q)


def get_meeting(user: Viewer, pk: int | str, *, write: bool = False) -> Meeting:
    meeting = one(meetings(user).select_related("organisation", "chair", "recorder"), pk)
    if write:
        _deny_or_404(True, scope_for(user).writes_org(meeting.organisation))
    return meeting


def may_hold_meetings(user: Viewer, org: Organisation) -> bool:
    """Meetings are prepared and recorded by those who write for the cell."""
    return scope_for(user).writes_org(org)


def sees_materials(user: Viewer, meeting: Meeting) -> bool:
    return meeting.status != Meeting.Status.DRAFT or scope_for(user).writes_org(meeting.organisation)


def sees_draft_minutes(user: Viewer, meeting: Meeting) -> bool:
    """Minutes not yet final are read by those whose scope holds the cell (its committee, the
    commune and province staff); a member, or a guest without such a role, reads the final
    versions only."""
    return scope_for(user).sees_org(meeting.organisation)


def get_vote(user: Viewer, pk: int | str, *, write: bool = False) -> Vote:
    """An item voted on, through its meeting: 404 when the meeting is outside the scope, 403
    on a write (e.g. giving a task from the decision) by someone who does not write for the
    cell."""
    vote = (Vote.objects.select_related("meeting", "meeting__organisation")
            .filter(pk=pk, meeting__in=meetings(user)).first() if str(pk).isdigit() else None)
    if vote is None:
        raise Http404
    if write:
        _deny_or_404(True, scope_for(user).writes_org(vote.meeting.organisation))
    return vote


def meeting_cells(user: Viewer) -> list[Organisation]:
    """The cells whose meetings the user prepares through a role held on the cell itself."""
    return [g.org for g in scope_for(user).grants if g.write and g.org.is_cell]


def get_called_member(user: Viewer, meeting: Meeting) -> Person:
    """The user's person when they are one of the members called to the meeting (not a guest):
    only they tell their own absence; anyone else gets 403."""
    person_id = getattr(user, "person_id", None)
    if person_id is None or not meeting.attendance.filter(person_id=person_id,
                                                          role=Attendance.Role.MEMBER).exists():
        raise PermissionDenied
    return Person.objects.get(pk=person_id)


def get_material(user: Viewer, pk: int | str) -> tuple[Material, Meeting]:
    """A meeting's material (for its file) and the meeting: the gatekeeper decides on the
    meeting (404 outside the scope); a draft meeting's materials are read by those who prepare
    it (403 for others)."""
    material = one(Material.objects.all(), pk)
    meeting = get_meeting(user, material.meeting_id)
    _deny_or_404(True, sees_materials(user, meeting))
    return material, meeting


def get_minutes(user: Viewer, pk: int | str) -> tuple[Minutes, Meeting]:
    """A version of a meeting's minutes and the meeting: 404 outside the meeting's scope; a
    version not yet final is read only by those whose scope holds the cell (403 for others)."""
    minutes = one(Minutes.objects.all(), pk)
    meeting = get_meeting(user, minutes.meeting_id)
    _deny_or_404(True, minutes.final or sees_draft_minutes(user, meeting))
    return minutes, meeting
