"""The JSON API's handlers for cell meetings (issue 5): the meetings one may see, a meeting with
its agenda, invitees and attendance, quorum, votes (passed or not, with the arithmetic),
materials and minutes; preparing and changing it, announcing it (invitations), taking the
attendance — one change, or a batch made offline in the sync format of meetings.services.sync
—, recording votes and that it was held; and the required meetings an organisation's cells
have not held.

The same rules as chibo.api.views and chibo.api.plans: every meeting comes through chibo.access
(404 outside the user's scope, 403 when visible but not writable), input types are checked
field by field (400 invalid), and a write is one service call (audited). A meeting changed
since the client read it answers 409 naming "version"; an attendance row changed meanwhile
answers 409 too (a single change) or comes back under "conflicts" (a batch). The component
schemas are at the end (`schemas()`, read by chibo.api.schema)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo import access
from chibo.api.auth import ApiError, Invalid, ok, validation_fields
from chibo.api.schema import BOOL, DATE_IN, DATE_OUT, INT, STR, _null, _obj, _page_of, _ref
from chibo.api.serializers import datetime_iso, iso
from chibo.api.views import (
    EARLIEST_DATE,
    LATEST_DATE,
    PAGE_SIZE,
    Bad,
    Param,
    Parser,
    _page_number,
    _query_date,
    choice,
    code,
    date,
    doc,
    invalid,
    object_id,
    paginated,
    parse,
    text,
    whole_number,
)
from chibo.core.dates import parse_vn_date, today
from chibo.core.rules import RuleBook, RuleMissing
from chibo.meetings import rules, selectors, services
from chibo.meetings.models import AgendaItem, Attendance, Meeting, Minutes, Vote
from chibo.members.models import Person
from chibo.organisations.models import Organisation

PAGE = Param("page", "page number, from 1", {"type": "integer", "minimum": 1})
MAX_CHANGES = 500  # changes in one offline batch
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


# --- Input parsing ---------------------------------------------------------------------------

def time_of_day(*, null: bool = False) -> Parser:
    def parse_time(value: Any) -> Any:
        if value is None and null:
            return None
        match = TIME_RE.match(value.strip()) if isinstance(value, str) else None
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return dt.time(int(match[1]), int(match[2]))
        raise Bad(_("Enter the time as \"hh:mm\", for example \"19:30\"."))
    return parse_time


def agenda(value: Any) -> list[str]:
    message = _("Give the agenda as a list of items (JSON strings of at most 300 characters), at most 20.")
    if not isinstance(value, list) or len(value) > 20 or not all(isinstance(t, str) and len(t) <= 300 for t in value):
        raise Bad(message)
    return value


def guests(value: Any) -> list[tuple[int, str]]:
    message = _("Give a list of guests, each {\"person\": person id, \"title\": \"what they come as\"}, at most 20.")
    if not isinstance(value, list) or len(value) > 20:
        raise Bad(message)
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"person", "title"} or "person" not in item:
            raise Bad(message)
        person, title = item["person"], item.get("title", "")
        if isinstance(person, bool) or not isinstance(person, int) or person < 1 \
                or not isinstance(title, str) or len(title) > 120:
            raise Bad(message)
        out.append((person, title))
    return out


def version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad(_("Send the meeting's \"version\" as you last read it (a whole number, given by "
                    "GET /api/v1/meetings/<id>/), so that nobody's change is lost."))
    return value


def revision(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad(_("Send the \"revision\" of the row as you last read it (a whole number), or leave it out."))
    return value


MEETING_SPEC: dict[str, Parser] = {
    "kind": choice(Meeting.Kind.values), "date": date(), "start_time": time_of_day(),
    "end_time": time_of_day(null=True), "place": text(200), "thematic_topic": text(300),
    "chair": object_id(null=True), "recorder": object_id(null=True),
}
MEETING_CREATE_SPEC = {"organisation": code, **MEETING_SPEC, "agenda": agenda, "guests": guests}
MEETING_UPDATE_SPEC = {**MEETING_SPEC, "version": version}
ATTENDANCE_SPEC: dict[str, Parser] = {
    "person": object_id(), "status": choice([s for s in Attendance.Status.values if s != Attendance.Status.INVITED]),
    "reason": text(200), "base": revision,
}
VOTE_SPEC: dict[str, Parser] = {
    "kind": choice(Vote.Kind.values), "title": text(300), "votes_for": whole_number, "votes_against": whole_number,
    "votes_abstain": whole_number, "decision": text(5000),
}
HELD_SPEC: dict[str, Parser] = {"end_time": time_of_day()}
PUBLISH_SPEC: dict[str, Parser] = {}
# Offline changes (meetings.services.sync): each field and the JSON type it must have.
CHANGE_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "attendance": {"type": (str,), "person": (int,), "status": (str,), "reason": (str,), "base": (int, type(None))},
    "notes": {"type": (str,), "item": (int,), "notes": (str,), "conclusion": (str,), "base": (int, type(None))},
}


def _required(name: str) -> Invalid:
    return invalid(name, _("This field is required. Add it to the request."))


def _conflict(exc: ValidationError) -> ApiError:
    """409: the meeting (or an attendance row) changed since the client read it; the service's
    message under its field ("version" for the meeting)."""
    fields = validation_fields(exc)
    return ApiError("invalid", next(iter(fields.values()))[0], 409, fields)


def _query_day(request: HttpRequest, name: str) -> dt.date | None:
    """A date filter: past or future (meetings are also planned ahead)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        day = parse_vn_date(raw)
    except ValueError:
        raise invalid(name, _("Give the date as dd/mm/yyyy or yyyy-mm-dd, for example 31/12/2024.")) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise invalid(name, _("The year must be between 1900 and 2099. Check the year."))
    return day


def _query_choice(request: HttpRequest, name: str, choices: list[str]) -> str:
    value = request.GET.get(name, "").strip()
    if value and value not in choices:
        raise invalid(name, _("Give one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def _cell(user: Any, org_code: str | None) -> Organisation:
    """The cell a new meeting is for: 400 when out of the user's scope, 403 when the user sees
    it but may not hold its meetings."""
    if org_code is None:
        raise _required("organisation")
    try:
        org = access.get_organisation(user, org_code)
    except Http404:
        raise invalid("organisation", _("No party organisation with the code %(code)s within your scope. "
                                        "Use a code listed by /api/v1/organisations/.") % {"code": org_code}) from None
    if not access.may_hold_meetings(user, org):
        raise PermissionDenied
    return org


def _people(user: Any, org: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    """Person ids of the chair, the recorder and the guests → people: current members of the
    cell's commune (the commune committee member who follows the cell included), as a cell's
    tasks may name (access.task_people)."""
    out = dict(data)
    wanted = [out[k] for k in ("chair", "recorder") if out.get(k) is not None]
    wanted += [p for p, _t in out.get("guests", [])]
    found: dict[int, Person] = {p.pk: p for p in access.task_people(user, org).filter(pk__in=wanted)} if wanted else {}
    for name in ("chair", "recorder"):
        if out.get(name) is not None:
            if out[name] not in found:
                raise invalid(name, _("No current member with the person id %(id)s in the commune of %(org)s. Give the "
                                      "person id of a member (\"person\" in the meeting's invitees).")
                              % {"id": out[name], "org": org.name})
            out[name] = found[out[name]]
    if "guests" in out:
        for person_id, _title in out["guests"]:
            if person_id not in found:
                raise invalid("guests", _("No current member with the person id %(id)s in the commune of %(org)s. "
                                          "Guests are members of the commune, such as the commune committee member "
                                          "who follows the cell.") % {"id": person_id, "org": org.name})
        out["guests"] = [services.Guest(person=found[p], title=t) for p, t in out["guests"]]
    return out


# --- Model → JSON ----------------------------------------------------------------------------

def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def meeting_to_dict(m: Meeting) -> dict[str, Any]:
    """A meeting's own fields. select_related: organisation, chair, recorder."""
    return {
        "id": m.pk,
        "organisation": m.organisation.code,
        "organisation_name": m.organisation.name,
        "kind": m.kind,
        "date": iso(m.date),
        "start_time": _time(m.start_time),
        "end_time": _time(m.end_time),
        "place": m.place,
        "thematic_topic": m.thematic_topic,
        "chair": m.chair_id,
        "chair_name": m.chair.full_name if m.chair is not None else None,
        "recorder": m.recorder_id,
        "recorder_name": m.recorder.full_name if m.recorder is not None else None,
        "status": m.status,
        "published_at": datetime_iso(m.published_at),
        "version": m.version,
    }


def attendance_to_dict(a: Attendance) -> dict[str, Any]:
    """select_related: person."""
    return {
        "person": a.person_id,
        "person_name": a.person.full_name,
        "role": a.role,
        "official": a.official,
        "temporary": a.temporary,
        "exempt": a.exempt,
        "voted": a.voted,
        "excluded": a.excluded,
        "excluded_note": a.excluded_note,
        "guest_title": a.guest_title,
        "status": a.status,
        "reason": a.reason,
        "revision": a.revision,
    }


def vote_to_dict(v: Vote) -> dict[str, Any]:
    """prefetch: tasks."""
    return {
        "id": v.pk,
        "position": v.position,
        "kind": v.kind,
        "title": v.title,
        "votes_for": v.votes_for,
        "votes_against": v.votes_against,
        "votes_abstain": v.votes_abstain,
        "passed": v.passed,
        "basis": v.basis,
        "official_called": v.official_called,
        "voters_present": v.voters_present,
        "need": v.need,
        "left_out": [{"name": x.get("name", ""), "reason": x.get("reason", ""), "note": x.get("note", "")}
                     for x in v.left_out],
        "rule_citation": v.rule_citation,
        "rule_confirmed": v.rule_confirmed,
        "decision": v.decision,
        "tasks": sorted(t.pk for t in v.tasks.all()),
    }


def _agenda_to_dict(a: AgendaItem) -> dict[str, Any]:
    return {"id": a.pk, "position": a.position, "title": a.title, "notes": a.notes, "conclusion": a.conclusion,
            "revision": a.revision}


def _minutes_to_dict(m: Minutes) -> dict[str, Any]:
    return {"version": m.version, "final": m.final, "finalised_at": datetime_iso(m.finalised_at),
            "correction_note": m.correction_note, "opening": m.opening, "content": m.content,
            "conclusions": m.conclusions, "closing": m.closing}


def _rule(book: RuleBook, key: str, default: int, on: dt.date) -> int:
    try:
        return book.value(rules.RULE_KEYS[key], on)
    except RuleMissing:
        return default


def _detail(user: Any, meeting: Meeting) -> dict[str, Any]:
    """The whole meeting, in a fixed number of queries whatever the number of invitees."""
    book = RuleBook()
    invitees = list(meeting.attendance.select_related("person").order_by("role", "person__sort_key", "id"))
    roll = rules.roll([*services.seats(invitees), *services.absent_exempt(meeting)])
    quorum = rules.quorum(called=roll.called, present=roll.present,
                          more_than_pct=_rule(book, "quorum_pct", 50, meeting.date))
    votes = list(meeting.votes.prefetch_related("tasks").order_by("position", "id"))
    materials: list[dict[str, Any]] = []
    if access.sees_materials(user, meeting):
        lead = _rule(book, "lead_days", 1, meeting.date)
        starts = timezone.make_aware(meeting.starts) if timezone.is_naive(meeting.starts) else meeting.starts
        materials = [{"id": x.pk, "title": x.title, "file_name": x.file_name, "published_at": datetime_iso(x.published_at),
                      "late": x.published_at is not None and rules.materials_late(
                          published=x.published_at, meeting_starts=starts, lead_days=lead)}
                     for x in meeting.materials.order_by("id")]
    minutes = meeting.minutes.order_by("-version")
    if not access.sees_draft_minutes(user, meeting):
        minutes = minutes.filter(finalised_at__isnull=False)
    short = None
    if meeting.end_time is not None:
        try:
            short = rules.too_short(start=meeting.start_time, end=meeting.end_time, combined=meeting.combined,
                                    min_minutes=book.value(rules.RULE_KEYS["min_minutes"], meeting.date),
                                    combined_min_minutes=book.value(rules.RULE_KEYS["combined_min_minutes"],
                                                                    meeting.date))
        except RuleMissing:
            short = None
    return {
        **meeting_to_dict(meeting),
        "agenda": [_agenda_to_dict(a) for a in meeting.agenda.order_by("position", "id")],
        "invitees": [attendance_to_dict(a) for a in invitees],
        "quorum": {"called": quorum.called, "present": quorum.present,
                   "share_pct": None if quorum.share_pct is None else round(quorum.share_pct, 1),
                   "valid": quorum.valid, "explanation": quorum.explain()},
        "roll": {"official_called": roll.official_called, "voters_present": roll.voters,
                 "probationary_present": roll.probationary_present, "temporary_present": roll.temporary_present,
                 "left_out": [{"name": n, "reason": r, "note": t} for n, r, t in roll.left_out]},
        "votes": [{**vote_to_dict(v), "roll_changed": services.roll_changed(v, roll)} for v in votes],
        "materials": materials,
        "minutes": [_minutes_to_dict(m) for m in minutes],
        "too_short": short,
        "can_write": access.may_hold_meetings(user, meeting.organisation),
    }


def _meeting_response(user: Any, pk: int, status: int = 200, warned: bool = False, **extra: Any) -> HttpResponse:
    """The meeting; with `warned`, also its "warnings" — what the web form warns about after a
    create, change or announcement (a second regular meeting in the month), which is advice and
    never a refusal."""
    meeting = access.get_meeting(user, pk)
    body = _detail(user, meeting)
    if warned:
        warning = services.same_month_warning(meeting)
        if extra:
            extra["warnings"] = [warning] if warning else []
        else:
            body["warnings"] = [warning] if warning else []
    return ok({**extra, "meeting": body} if extra else body, status=status)


# --- Meetings ---------------------------------------------------------------------------------

def _rows(meetings: list[Meeting]) -> list[dict[str, Any]]:
    return [{**meeting_to_dict(m), "invited": m.invited, "present": m.present}  # type: ignore[attr-defined]
            for m in meetings]


@doc("Meetings you may see, newest first, 25 a page, with how many members were invited and came",
     "meetings", "MeetingList", errors=(400, 401, 404),
     query=(Param("org", "only the meetings of the organisation with this code and those below it"),
            Param("from", "only meetings on or after this date (dd/mm/yyyy or yyyy-mm-dd)"),
            Param("to", "only meetings on or before this date"),
            Param("status", "only meetings with this status", {"type": "string", "enum": Meeting.Status.values}),
            PAGE))
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = _query_choice(request, "status", Meeting.Status.values)
    start, end = _query_day(request, "from"), _query_day(request, "to")
    if start is not None and end is not None and start > end:
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": end.strftime("%d/%m/%Y")})
    qs: QuerySet[Meeting] = access.meetings(user)
    if org_code := request.GET.get("org", "").strip():
        qs = selectors.in_subtree(qs, access.get_organisation(user, org_code))
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    if status:
        qs = qs.filter(status=status)
    members = Q(attendance__role=Attendance.Role.MEMBER)
    qs = (qs.select_related("organisation", "chair", "recorder")
          .annotate(invited=Count("attendance", filter=members),
                    present=Count("attendance", filter=members & Q(attendance__status__in=Attendance.PRESENT_STATUSES)))
          .order_by("-date", "-start_time", "-id"))
    return ok(paginated(request, qs, _rows))


@doc("A meeting: agenda with notes and conclusions, invitees with their attendance, quorum, votes (passed or "
     "not, with the arithmetic), materials (once announced) and minutes (drafts for those who hold the cell in "
     "their scope)", "meetings", "MeetingDetail")
def meeting_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _meeting_response(request.user, id)


@doc("Prepare a meeting of a cell: its members are invited (not those exempt from party work), guests added, "
     "and the agenda is the four-part regular agenda unless given", "meetings", "MeetingDetail", status=201,
     body="MeetingCreate", errors=(400, 401, 403))
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = parse(request.json, MEETING_CREATE_SPEC, ("organisation",))  # type: ignore[attr-defined]
    org = _cell(user, data.pop("organisation"))
    data = _people(user, org, data)
    meeting = services.meeting_create(actor=user, organisation=org, agenda=data.pop("agenda", None),
                                      guests=data.pop("guests", ()), **data)
    return _meeting_response(user, meeting.pk, status=201, warned=True)


@doc("Change a meeting not yet held; send the \"version\" you read (409 if someone changed the meeting since). "
     "Once announced, a new date, time or place is sent to the invitees", "meetings", "MeetingDetail",
     body="MeetingUpdate", errors=(400, 401, 403, 404, 409))
def meeting_update(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    data = parse(request.json, MEETING_UPDATE_SPEC, ("version",))  # type: ignore[attr-defined]
    seen = data.pop("version")
    data = _people(user, meeting.organisation, data)
    try:
        services.meeting_update(meeting, actor=user, version=seen, **data)
    except services.Conflict as exc:
        raise _conflict(exc) from None
    return _meeting_response(user, meeting.pk, warned=True)


@doc("Announce a meeting: invitations to everyone invited, and its materials become visible to them. "
     "A meeting already started or past cannot be announced", "meetings", "PublishResult", body="Publish",
     errors=(400, 401, 403, 404))
def meeting_publish(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    parse(request.json, PUBLISH_SPEC)  # type: ignore[attr-defined]
    sent = services.meeting_publish(meeting, actor=user)
    return _meeting_response(user, meeting.pk, warned=True, invitations=sent)


def _check_change(change: Any) -> str:
    """Why an offline change cannot be read ("" when it can)."""
    if not isinstance(change, dict):
        return _("Each change is a JSON object.")
    kind = change.get("type", "attendance")
    fields = CHANGE_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        return _("The \"type\" of a change is \"attendance\" or \"notes\".")
    for name, value in change.items():
        if name not in fields:
            return _("The field \"%(name)s\" is not part of a change of type \"%(type)s\".") % {
                "name": name, "type": kind}
        if isinstance(value, bool) or not isinstance(value, fields[name]):
            return _("The field \"%(name)s\" has the wrong type.") % {"name": name}
    return ""


@doc("Take the attendance: one person ({\"person\", \"status\", \"reason\", \"base\"}; 409 when \"base\", the "
     "revision you read, is stale), or a batch of changes made offline ({\"changes\": [...]}, attendance and "
     "notes in the format of the offline screen), each applied, returned as a conflict with the server's value, "
     "or refused with the reason — never silently lost", "meetings", "AttendanceResult", body="AttendanceInput",
     errors=(400, 401, 403, 404, 409))
def attendance_create(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    body = request.json  # type: ignore[attr-defined]
    if "changes" in body:
        changes = body["changes"]
        if set(body) != {"changes"}:
            raise Invalid({name: [_("This field is not used with \"changes\". Remove it.")]
                           for name in sorted(set(body) - {"changes"})})
        if not isinstance(changes, list) or len(changes) > MAX_CHANGES:
            raise invalid("changes", _("Give the changes as a list of at most %(n)s objects.") % {"n": MAX_CHANGES})
        readable, refused = [], []
        for change in changes:
            problem = _check_change(change)
            if problem:
                refused.append({**(change if isinstance(change, dict) else {"change": change}), "message": problem})
            else:
                readable.append(change)
        result = services.sync(meeting, actor=user, changes=readable)
        return ok({"applied": result.applied, "conflicts": result.conflicts, "refused": refused + result.refused,
                   "meeting": _detail(user, meeting)})
    data = parse(body, ATTENDANCE_SPEC, ("person", "status"))
    try:
        row = services.attendance_record(meeting, actor=user, person_id=data["person"], status=data["status"],
                                         reason=data.get("reason", ""), base_revision=data.get("base"))
    except services.Conflict as exc:
        raise _conflict(exc) from None
    row = meeting.attendance.select_related("person").get(pk=row.pk)
    return _meeting_response(user, meeting.pk, attendance=attendance_to_dict(row))


@doc("Record an item voted on: whether it passed is computed by the majority its kind needs, out of the official "
     "members called (more than half for a resolution; two-thirds for admission, recognition and removal). More "
     "votes than official members with a vote present is refused, naming \"votes_for\"", "meetings", "VoteResult", status=201, body="VoteCreate",
     errors=(400, 401, 403, 404))
def vote_create(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    data = parse(request.json, VOTE_SPEC, ("kind", "title", "votes_for", "votes_against", "votes_abstain"))  # type: ignore[attr-defined]
    vote = services.vote_record(meeting, actor=user, kind=data["kind"], title=data["title"],
                                votes_for=data["votes_for"], votes_against=data["votes_against"],
                                votes_abstain=data["votes_abstain"], decision=data.get("decision", ""))
    vote = meeting.votes.prefetch_related("tasks").get(pk=vote.pk)
    return _meeting_response(user, meeting.pk, status=201, vote=vote_to_dict(vote))


@doc("Record that the meeting was held, with the time it ended: every invitee's attendance must be recorded; "
     "from then it counts for the required meetings", "meetings", "MeetingDetail", body="Held",
     errors=(400, 401, 403, 404))
def meeting_held(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    data = parse(request.json, HELD_SPEC, ("end_time",))  # type: ignore[attr-defined]
    services.meeting_held(meeting, actor=user, end_time=data["end_time"])
    return _meeting_response(user, meeting.pk)


# --- Missing meetings -------------------------------------------------------------------------

@doc("The cells of an organisation's subtree that have not held a required meeting (a regular meeting each "
     "month, a cell committee meeting each month where there is a committee, a thematic meeting each quarter) "
     "in the months and quarters that ended in the period, 25 cells a page, with the totals of the "
     "indicators meetings_required and meetings_held", "meetings", "MeetingGaps", errors=(400, 401, 404),
     query=(Param("from", "start of the period; default 1 January of the end's year"),
            Param("to", "end of the period, not in the future; default today"), PAGE))
def meeting_gaps(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code)
    page = _page_number(request)
    end = _query_date(request, "to") or today()
    start = _query_date(request, "from") or dt.date(end.year, 1, 1)
    if start > end:
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": end.strftime("%d/%m/%Y")})
    gaps = selectors.gaps(org, start=start, end=end)
    first = (page - 1) * PAGE_SIZE
    cells = gaps.cells[first:first + PAGE_SIZE]
    return ok({
        "organisation": org.code, "from": iso(start), "to": iso(end),
        "required": gaps.required, "held": gaps.satisfied, "cells_total": gaps.cells_total,
        "count": len(gaps.cells), "page": page, "pages": max(1, math.ceil(len(gaps.cells) / PAGE_SIZE)),
        "results": [{"organisation": g.cell.code, "organisation_name": g.cell.name, "held": g.held,
                     "missing": [{"kind": r.kind, "from": iso(r.start), "to": iso(r.end)} for r in g.missing]}
                    for g in cells],
    })


# --- OpenAPI components -----------------------------------------------------------------------

def schemas() -> dict[str, Any]:
    when = {**STR, "format": "date-time"}
    time_out = {**STR, "pattern": r"^\d{2}:\d{2}$", "examples": ["19:30"]}
    time_in = {**STR, "description": "hh:mm", "examples": ["19:30"]}
    person_ref = {**INT, "minimum": 1, "description": "person id of a current member of the cell's commune"}
    meeting = {
        "id": INT, "organisation": STR, "organisation_name": STR, "kind": {**STR, "enum": Meeting.Kind.values},
        "date": DATE_OUT, "start_time": time_out, "end_time": _null(time_out), "place": STR, "thematic_topic": STR,
        "chair": _null(INT), "chair_name": _null(STR), "recorder": _null(INT), "recorder_name": _null(STR),
        "status": {**STR, "enum": Meeting.Status.values}, "published_at": _null(when),
        "version": {**INT, "description": "send it back with a change"},
    }
    meeting_in = {
        "kind": {**STR, "enum": Meeting.Kind.values}, "date": DATE_IN, "start_time": time_in,
        "end_time": _null(time_in), "place": {**STR, "maxLength": 200},
        "thematic_topic": {**STR, "maxLength": 300, "description": "required for a thematic meeting; a regular "
                                                                    "meeting with a topic also holds a thematic part"},
        "chair": _null(person_ref), "recorder": _null(person_ref),
    }
    invitee = _obj({
        "person": INT, "person_name": STR, "role": {**STR, "enum": Attendance.Role.values},
        "official": {**BOOL, "description": "an official member (probationary members have no vote)"},
        "temporary": {**BOOL, "description": "here on temporary activity: no vote here, not counted"},
        "exempt": {**BOOL, "description": "exempt from party activity: counted only when they attended and voted"},
        "voted": {**BOOL, "description": "an exempt member who attended and voted"},
        "excluded": {**STR, "enum": Attendance.Excluded.values,
                     "description": "why the member is left out of the official members called (\"\" = counted)"},
        "excluded_note": STR,
        "guest_title": STR, "status": {**STR, "enum": Attendance.Status.values}, "reason": STR,
        "revision": {**INT, "description": "send it back as \"base\" with a change"},
    })
    vote = _obj({
        "id": INT, "position": INT, "kind": {**STR, "enum": Vote.Kind.values}, "title": STR, "votes_for": INT,
        "votes_against": INT, "votes_abstain": INT, "passed": BOOL,
        "basis": {**STR, "description": "the arithmetic, written out"},
        "official_called": _null({**INT, "description": "the denominator: official members called, less those left "
                                                        "out (null for votes recorded before it was kept)"}),
        "voters_present": _null({**INT, "description": "official members with a vote present when recorded: the "
                                                       "most votes that can be cast"}),
        "need": _null({**INT, "description": "the fewest votes for that pass"}),
        "left_out": {"type": "array", "items": _obj({"name": STR, "reason": {**STR, "enum": [
            "exempt", "temporary_here", *rules.EXCLUSIONS]}, "note": STR}),
            "description": "official members not counted, and why"},
        "rule_citation": STR, "rule_confirmed": BOOL,
        "roll_changed": {**BOOL, "description": "only in a meeting: the attendance changed after the vote was "
                                                 "recorded; correcting the vote counts it again"},
        "decision": STR,
        "tasks": {"type": "array", "items": INT, "description": "ids of the tasks given to carry out the decision"},
    })
    change = {"type": "object", "description": "{\"type\": \"attendance\", \"person\", \"status\", \"reason\", "
                                               "\"base\"} or {\"type\": \"notes\", \"item\", \"notes\", "
                                               "\"conclusion\", \"base\"}; \"base\" is the revision read"}
    return {
        "Meeting": _obj({**meeting, "invited": INT, "present": INT}),
        "MeetingList": _page_of("Meeting"),
        "Invitee": invitee,
        "Vote": vote,
        "MeetingDetail": _obj({
            **meeting,
            "agenda": {"type": "array", "items": _obj({"id": INT, "position": INT, "title": STR, "notes": STR,
                                                       "conclusion": STR, "revision": INT})},
            "invitees": {"type": "array", "items": _ref("Invitee")},
            "quorum": _obj({"called": INT, "present": INT, "share_pct": _null({"type": "number"}), "valid": BOOL,
                            "explanation": STR}),
            "roll": _obj({"official_called": INT, "voters_present": INT, "probationary_present": INT,
                          "temporary_present": INT,
                          "left_out": {"type": "array", "items": _obj({"name": STR, "reason": STR, "note": STR})}}),
            "votes": {"type": "array", "items": _ref("Vote")},
            "materials": {"type": "array", "items": _obj({
                "id": INT, "title": STR, "file_name": STR, "published_at": _null(when),
                "late": {**BOOL, "description": "published less than the required time before the meeting"}})},
            "minutes": {"type": "array", "items": _obj({
                "version": INT, "final": BOOL, "finalised_at": _null(when), "correction_note": STR, "opening": STR,
                "content": STR, "conclusions": STR, "closing": STR})},
            "too_short": _null({**INT, "description": "the minimum length in minutes, when the meeting was shorter"}),
            "can_write": BOOL,
            "warnings": {"type": "array", "items": STR, "description": "only in the answer to a create or a change: "
                         "advice such as a second regular meeting in the same month (never a refusal)"}}),
        "MeetingCreate": _obj({
            "organisation": {**STR, "maxLength": 32, "description": "code of the cell"}, **meeting_in,
            "agenda": {"type": "array", "items": {**STR, "maxLength": 300}, "maxItems": 20,
                       "description": "default: the four parts of a regular meeting"},
            "guests": {"type": "array", "maxItems": 20, "items": _obj(
                {"person": person_ref, "title": {**STR, "maxLength": 120}}, ["person"], additionalProperties=False)},
        }, ["organisation", "date", "start_time", "place"], additionalProperties=False),
        "MeetingUpdate": _obj({**meeting_in, "version": {**INT, "minimum": 1}}, ["version"],
                              additionalProperties=False, description="Only the fields sent are changed."),
        "Publish": _obj({}, additionalProperties=False),
        "PublishResult": _obj({"invitations": {**INT, "description": "invitations sent (people with an account)"},
                               "meeting": _ref("MeetingDetail"),
                               "warnings": {"type": "array", "items": STR, "description": "advice such as a second "
                                            "regular meeting in the same month (never a refusal)"}},
                              ["invitations", "meeting", "warnings"]),
        "AttendanceInput": {"oneOf": [
            _obj({"person": {**INT, "minimum": 1},
                  "status": {**STR, "enum": [s for s in Attendance.Status.values if s != Attendance.Status.INVITED]},
                  "reason": {**STR, "maxLength": 200, "description": "required when absent with reason"},
                  "base": _null({**INT, "minimum": 1, "description": "the revision you read (409 if stale)"})},
                 ["person", "status"], additionalProperties=False),
            _obj({"changes": {"type": "array", "maxItems": MAX_CHANGES, "items": change}}, ["changes"],
                 additionalProperties=False)]},
        "AttendanceResult": {"oneOf": [
            _obj({"attendance": _ref("Invitee"), "meeting": _ref("MeetingDetail")}, ["attendance", "meeting"]),
            _obj({"applied": {"type": "array", "items": {"type": "object"}},
                  "conflicts": {"type": "array", "items": {"type": "object"},
                                "description": "each change with \"message\" and \"server\": the value now"},
                  "refused": {"type": "array", "items": {"type": "object"},
                              "description": "each change with \"message\": why it was refused"},
                  "meeting": _ref("MeetingDetail")}, ["applied", "conflicts", "refused", "meeting"])]},
        "VoteCreate": _obj({
            "kind": {**STR, "enum": Vote.Kind.values}, "title": {**STR, "maxLength": 300},
            "votes_for": {**INT, "minimum": 0}, "votes_against": {**INT, "minimum": 0},
            "votes_abstain": {**INT, "minimum": 0}, "decision": {**STR, "maxLength": 5000}},
            ["kind", "title", "votes_for", "votes_against", "votes_abstain"], additionalProperties=False),
        "VoteResult": _obj({"vote": _ref("Vote"), "meeting": _ref("MeetingDetail")}, ["vote", "meeting"]),
        "Held": _obj({"end_time": time_in}, ["end_time"], additionalProperties=False),
        "MeetingGaps": _obj({
            "organisation": STR, "from": DATE_OUT, "to": DATE_OUT,
            "required": {**INT, "description": "meetings_required"}, "held": {**INT, "description": "meetings_held"},
            "cells_total": INT, "count": {**INT, "description": "cells with a meeting missing"}, "page": INT,
            "pages": INT, "results": {"type": "array", "items": _obj({
                "organisation": STR, "organisation_name": STR, "held": INT,
                "missing": {"type": "array", "items": _obj({
                    "kind": {**STR, "enum": ["regular", "committee", "thematic"]}, "from": DATE_OUT,
                    "to": DATE_OUT})}})},
        }),
    }
