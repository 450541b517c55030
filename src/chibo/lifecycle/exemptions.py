"""Writes for the exemption from party work and meetings (miễn công tác và sinh hoạt đảng,
domain-rules.md §5.2 and §0).

The procedure chibo records, one step per function, each atomic and audited:

1. exemption_request: the member's request (in writing or in person) or the cell committee's
   proposal, with its grounds. Only an official member who is not exempt and has no procedure
   under way. The conditions of HD 27-HD/BTCTW (2009) — men over 60, women over 55 (rules
   exemption_age_men / exemption_age_women), poor health, a voluntary request — are guidance:
   an age below them is a warning, since there are other cases (long travel, mobile work).
2. exemption_resolve: the cell's resolution (recorded in the resolution book), agreed or not.
3. exemption_decide: the decision, who made it (the texts differ: the committee on the cell's
   resolution, or the cell reporting to the superior committee) and the start date, given
   explicitly. Agreed: the member's event "exempted" is recorded through chibo.members, effective
   on the start date, and the member is taken off the invitations of the cell's meetings not
   held yet dated from then on.
4. exemption_return: the return to activity (the member asks, the cell or committee records it):
   the event "exemption ended" on the end date, and the member is invited again to the meetings
   not held yet from then on. A member exempted before chibo had this procedure (an event or an
   import) returns the same way: the procedure is then opened from the history.

Errors are ValidationError naming the field (those of chibo.members are moved onto the date
field of the step); nothing is written when one is raised. Who may call them is decided by the
views through chibo.access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core.dates import format_vn_date, full_years, today
from chibo.core.models import Rule
from chibo.core.rules import RuleMissing, rule
from chibo.core.text import nfc
from chibo.lifecycle.models import Exemption
from chibo.meetings.models import Attendance, Meeting
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent, Sex, Status

FIELDS = ["origin", "request_on", "grounds", "reason", "resolution_on", "resolution_number", "votes_for",
          "votes_against", "decision_on", "decision_number", "decided_by", "start_on", "return_request_on",
          "return_on", "return_number", "end_on", "refused_on", "state", "note"]

NOT_HELD = (Meeting.Status.DRAFT, Meeting.Status.PUBLISHED)


def _cite(r: Rule) -> str:
    return r.citation if r.confirmed else _("%(cite)s — not confirmed") % {"cite": r.citation}


def age_rule(m: Membership, on: dt.date) -> Rule | None:
    """The age past which a member counts as "old" for an exemption (HD 27), on `on`."""
    try:
        return rule("exemption_age_women" if m.sex == Sex.FEMALE else "exemption_age_men", on)
    except RuleMissing:
        return None


def condition_warnings(m: Membership, grounds: str, on: dt.date) -> list[str]:
    """Guidance, never a refusal: the member's age against the age of HD 27 when the grounds are
    old age and poor health."""
    if grounds != Exemption.Grounds.AGE_HEALTH:
        return []
    r = age_rule(m, on)
    age = full_years(m.birth_date, on)
    if r is None or age >= r.value:
        return []
    return [_("%(name)s is %(age)s on %(date)s, below the age the guidance takes as old (%(value)s, %(cite)s). "
              "The exemption can still be recorded for another case: write the reason.") % {
        "name": m.person.full_name, "age": age, "date": format_vn_date(on), "value": r.value, "cite": _cite(r)}]


def _check_day(errors: dict[str, str], name: str, day: dt.date | None, *, after: dt.date | None,
               after_text: str, missing: str) -> None:
    if day is None:
        errors[name] = missing
    elif day > today():
        errors[name] = _("This date cannot be in the future; record the step on the day it happens.")
    elif after is not None and day < after:
        errors[name] = after_text % {"date": format_vn_date(after)}


def _open(m: Membership) -> Exemption | None:
    return Exemption.objects.filter(membership=m, state__in=Exemption.OPEN_STATES).first()


def procedure_under_way(m: Membership) -> bool:
    """An exemption procedure is open for the member: its steps, not a bare event, record the
    exemption and the return (the API's event endpoint asks)."""
    return _open(m) is not None


def _lock(ex: Exemption) -> Exemption:
    return Exemption.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__organisation", "organisation").get(pk=ex.pk)


def _record(ex: Exemption, actor: Any, before: dict[str, Any] | None, note: str) -> None:
    after = audit.snapshot(ex, FIELDS)
    if before is None:
        audit.record(actor=actor, action="create", obj=ex, object_repr=ex.membership.person.full_name,
                     org_path=ex.membership.organisation.path, after=after, note=note)
        return
    old, new = audit.diff(before, after)
    audit.record(actor=actor, action="update", obj=ex, object_repr=ex.membership.person.full_name,
                 org_path=ex.membership.organisation.path, before=old, after=new, note=note)


def _event(ex: Exemption, actor: Any, kind: str, on: dt.date, field: str, number: str) -> None:
    try:
        members.member_record_event(ex.membership, actor=actor, kind=kind, effective_date=on, decision_number=number,
                                    note=_("Exemption from party work and meetings"))
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, msgs in exc.message_dict.items():
            errors.setdefault(field if name == "effective_date" else "membership", []).extend(msgs)
        raise ValidationError(errors) from exc


def _exempt_since(m: Membership) -> MembershipEvent | None:
    return m.events.filter(kind=MembershipEvent.Kind.EXEMPTED).order_by("-effective_date", "-id").first()


@transaction.atomic
def exemption_request(m: Membership, *, actor: Any, origin: str, request_on: dt.date | None, grounds: str,
                      reason: str = "", note: str = "") -> tuple[Exemption, list[str]]:
    """Record the member's request or the committee's proposal; returns it with the guidance
    warnings (an age below the one of HD 27)."""
    m = Membership.objects.select_for_update().select_related("person", "organisation").get(pk=m.pk)
    reason, note = nfc(reason or "").strip(), nfc(note or "").strip()
    errors: dict[str, str] = {}
    if m.status != Status.OFFICIAL:
        errors["membership"] = _("Only an official member can be exempted from party work and meetings; "
                                 "this member is %(status)s.") % {"status": m.get_status_display()}
    elif m.exempt:
        since = _exempt_since(m)
        errors["membership"] = _("The member is already exempt (since %(date)s). Record the return to activity "
                                 "first.") % {"date": format_vn_date(since.effective_date) if since else "—"}
    elif (current := _open(m)) is not None:
        errors["membership"] = _("An exemption procedure is already under way (%(state)s); continue it instead.") % {
            "state": current.get_state_display()}
    if origin not in (Exemption.Origin.REQUEST, Exemption.Origin.PROPOSAL):
        errors["origin"] = _("Choose whether the member asked or the cell committee proposed it.")
    if grounds not in Exemption.Grounds.values:
        errors["grounds"] = _("Choose the grounds of the exemption.")
    elif grounds == Exemption.Grounds.OTHER and not reason:
        errors["reason"] = _("Write the reason when the grounds are “other”.")
    _check_day(errors, "request_on", request_on, after=m.official_date or m.admission_date,
               after_text=_("The request cannot be before the member became official (%(date)s)."),
               missing=_("Enter the date of the request or proposal as dd/mm/yyyy."))
    if errors:
        raise ValidationError(errors)
    assert request_on is not None
    ex = Exemption.objects.create(membership=m, organisation=m.organisation, origin=origin, request_on=request_on,
                                  grounds=grounds, reason=reason, note=note,
                                  created_by=actor if getattr(actor, "pk", None) else None)
    _record(ex, actor, None, f"{ex.get_origin_display()} {format_vn_date(request_on)}")
    return ex, condition_warnings(m, grounds, request_on)


@transaction.atomic
def exemption_resolve(ex: Exemption, *, actor: Any, agreed: bool, resolution_on: dt.date | None,
                      resolution_number: str = "", votes_for: int | None = None,
                      votes_against: int | None = None) -> Exemption:
    """Record the cell's resolution: agreed (the committee then decides) or not agreed."""
    ex = _lock(ex)
    before = audit.snapshot(ex, FIELDS)
    errors: dict[str, str] = {}
    if ex.state != Exemption.State.REQUESTED:
        errors["resolution_on"] = _("The cell's resolution on this exemption is already recorded.")
    else:
        _check_day(errors, "resolution_on", resolution_on, after=ex.request_on,
                   after_text=_("The resolution cannot be before the request or proposal (%(date)s)."),
                   missing=_("Enter the date of the cell's resolution as dd/mm/yyyy."))
    for name, value in (("votes_for", votes_for), ("votes_against", votes_against)):
        if value is not None and value < 0:
            errors[name] = _("Enter a number of votes, 0 or more.")
    if errors:
        raise ValidationError(errors)
    assert resolution_on is not None
    ex.resolution_on, ex.resolution_number = resolution_on, nfc(resolution_number or "").strip()
    ex.votes_for, ex.votes_against = votes_for, votes_against
    if agreed:
        ex.state = Exemption.State.RESOLVED
    else:
        ex.state, ex.refused_on = Exemption.State.REFUSED, resolution_on
    ex.save()
    _record(ex, actor, before, f"{ex.get_state_display()} {format_vn_date(resolution_on)} {ex.resolution_number}".strip())
    return ex


def _overlap(ex: Exemption, start: dt.date) -> Exemption | None:
    """An earlier exemption of the member that ends on or after `start`."""
    return (Exemption.objects.filter(membership_id=ex.membership_id, state=Exemption.State.ENDED, end_on__gte=start)
            .exclude(pk=ex.pk).order_by("-end_on").first())


def _uninvite(m: Membership, since: dt.date) -> int:
    """Take the member off the invitations of meetings not held yet dated `since` or later."""
    rows = Attendance.objects.filter(person_id=m.person_id, role=Attendance.Role.MEMBER,
                                     status=Attendance.Status.INVITED, meeting__status__in=NOT_HELD,
                                     meeting__date__gte=since)
    return rows.delete()[0]


def _reinvite(m: Membership, since: dt.date) -> int:
    """Invite the member again to the cell's meetings (not the committee's) not held yet from `since`."""
    if m.cell_id is None:
        return 0
    meetings = (Meeting.objects.filter(organisation_id=m.cell_id, status__in=NOT_HELD, date__gte=since)
                .exclude(kind=Meeting.Kind.COMMITTEE).exclude(attendance__person_id=m.person_id))
    rows = Attendance.objects.bulk_create([
        Attendance(meeting=meeting, person_id=m.person_id, role=Attendance.Role.MEMBER,
                   official=m.status == Status.OFFICIAL) for meeting in meetings])
    return len(rows)


@transaction.atomic
def exemption_decide(ex: Exemption, *, actor: Any, agreed: bool, decision_on: dt.date | None,
                     decided_by: str, decision_number: str = "", start_on: dt.date | None = None) -> Exemption:
    """Record the decision. Agreed: the member is exempt from `start_on` (given explicitly; it
    may be before the decision, never after today nor before the member's latest event)."""
    ex = _lock(ex)
    m = ex.membership
    before = audit.snapshot(ex, FIELDS)
    decision_number = nfc(decision_number or "").strip()
    errors: dict[str, str] = {}
    if ex.state != Exemption.State.RESOLVED:
        errors["decision_on"] = (_("Record the cell's resolution first.") if ex.state == Exemption.State.REQUESTED
                                 else _("The decision on this exemption is already recorded."))
        raise ValidationError(errors)
    _check_day(errors, "decision_on", decision_on, after=ex.resolution_on,
               after_text=_("The decision cannot be before the cell's resolution (%(date)s)."),
               missing=_("Enter the date of the decision as dd/mm/yyyy."))
    if decided_by not in Exemption.DecidedBy.values:
        errors["decided_by"] = _("Choose who decided.")
    if agreed:
        if start_on is None:
            errors["start_on"] = _("Enter the day the exemption starts as dd/mm/yyyy (usually the decision date).")
        elif start_on < m.admission_date:
            errors["start_on"] = _("The exemption cannot start before the member's admission (%(date)s).") % {
                "date": format_vn_date(m.admission_date)}
        elif m.official_date and start_on < m.official_date:
            errors["start_on"] = _("The exemption cannot start before the member became official (%(date)s).") % {
                "date": format_vn_date(m.official_date)}
        elif start_on > today():
            errors["start_on"] = _("The exemption cannot start after today: record the decision on the day it "
                                   "takes effect.")
        elif ex.request_on and start_on < ex.request_on:
            errors["start_on"] = _("The exemption cannot start before the request or proposal (%(date)s).") % {
                "date": format_vn_date(ex.request_on)}
        elif (other := _overlap(ex, start_on)) is not None:
            errors["start_on"] = _("The exemption would overlap the earlier one (%(start)s – %(end)s). Start it after "
                                   "%(end)s.") % {"start": format_vn_date(other.start_on) if other.start_on else "—",
                                                  "end": format_vn_date(other.end_on) if other.end_on else "—"}
        if m.exempt:
            errors["membership"] = _("The member is already exempt. Record the return to activity first.")
    if errors:
        raise ValidationError(errors)
    assert decision_on is not None
    ex.decision_on, ex.decision_number, ex.decided_by = decision_on, decision_number, decided_by
    if not agreed:
        ex.state, ex.refused_on = Exemption.State.REFUSED, decision_on
        ex.save()
        _record(ex, actor, before, f"{ex.get_state_display()} {format_vn_date(decision_on)} {decision_number}".strip())
        return ex
    assert start_on is not None
    ex.start_on, ex.state = start_on, Exemption.State.DECIDED
    ex.save()
    _event(ex, actor, MembershipEvent.Kind.EXEMPTED, start_on, "start_on", decision_number or ex.resolution_number)
    dropped = _uninvite(m, start_on)
    _record(ex, actor, before, f"{format_vn_date(start_on)} {decision_number}".strip()
            + (f"; {dropped} meeting invitation(s) withdrawn" if dropped else ""))
    return ex


def _from_history(m: Membership, actor: Any) -> Exemption:
    """A member exempted before the procedure (an event, an import): open the procedure from the
    history, so that the return is recorded the same way."""
    since = _exempt_since(m)
    ex = Exemption.objects.create(
        membership=m, organisation=m.organisation, origin=Exemption.Origin.HISTORY, state=Exemption.State.DECIDED,
        start_on=since.effective_date if since else None, decision_number=since.decision_number if since else "",
        created_by=actor if getattr(actor, "pk", None) else None)
    _record(ex, actor, None, "from the history")
    return ex


@transaction.atomic
def exemption_return(m: Membership, *, actor: Any, end_on: dt.date | None, return_on: dt.date | None,
                     return_number: str = "", return_request_on: dt.date | None = None) -> Exemption:
    """Record the return to activity: the member is no longer exempt from `end_on`."""
    m = Membership.objects.select_for_update().select_related("person", "organisation").get(pk=m.pk)
    errors: dict[str, str] = {}
    ex = Exemption.objects.filter(membership=m, state=Exemption.State.DECIDED).first()
    if not m.exempt:
        errors["end_on"] = _("The member is not exempt: there is no return to record.")
        raise ValidationError(errors)
    if ex is None:
        ex = _from_history(m, actor)
    ex = _lock(ex)
    before = audit.snapshot(ex, FIELDS)
    start = ex.start_on
    if return_request_on is not None:
        _check_day(errors, "return_request_on", return_request_on, after=start,
                   after_text=_("The request to return cannot be before the start of the exemption (%(date)s)."),
                   missing="")
    _check_day(errors, "return_on", return_on, after=return_request_on or start,
               after_text=_("The return decision cannot be before %(date)s (the start of the exemption or the "
                            "request to return)."),
               missing=_("Enter the date of the decision on the return as dd/mm/yyyy."))
    if end_on is None:
        errors["end_on"] = _("Enter the day the member is back in activity as dd/mm/yyyy.")
    elif end_on > today():
        errors["end_on"] = _("The return cannot take effect after today: record it on the day it takes effect.")
    elif start is not None and end_on <= start:
        errors["end_on"] = _("The return must be after the start of the exemption (%(date)s).") % {
            "date": format_vn_date(start)}
    if errors:
        raise ValidationError(errors)
    assert end_on is not None
    ex.return_request_on, ex.return_on, ex.end_on = return_request_on, return_on, end_on
    ex.return_number, ex.state = nfc(return_number or "").strip(), Exemption.State.ENDED
    ex.save()
    _event(ex, actor, MembershipEvent.Kind.EXEMPTION_ENDED, end_on, "end_on", ex.return_number)
    added = _reinvite(m, end_on)
    _record(ex, actor, before, f"{format_vn_date(end_on)} {ex.return_number}".strip()
            + (f"; invited to {added} meeting(s)" if added else ""))
    return ex
