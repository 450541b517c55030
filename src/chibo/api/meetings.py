"""Cell meetings (issue 5): the meetings one may see, a meeting with its agenda, invitees and
attendance, quorum, votes (passed or not, with the arithmetic), materials and minutes;
preparing and changing it, announcing it (invitations), taking the attendance — one change, or a
batch made offline in the sync format of meetings.services.sync —, recording votes and that it
was held; and the required meetings an organisation's cells have not held.

The same rules as chibo.api.members: every meeting comes through chibo.access (404 outside the
user's scope, 403 when visible but not writable), input is checked field by field (400
invalid), and a write is one service call (audited). A meeting changed since the client read it
answers 409 naming "version"; an attendance row changed meanwhile answers 409 too (a single
change) or comes back under "conflicts" (a batch)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.db.models import Q as Where
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import create_model

from chibo import access
from chibo.api.core import (
    PAGE,
    PAGE_SIZE,
    ApiError,
    Bad,
    Day,
    Empty,
    In,
    Invalid,
    Moment,
    Parser,
    Q,
    WholeNumber,
    _missing_message,
    choice,
    code,
    date,
    enum,
    field,
    invalid,
    iso,
    object_id,
    page_number,
    page_of,
    paginated,
    query_choice,
    query_date,
    responses,
    text,
    validation_fields,
)
from chibo.core.dates import today
from chibo.core.rules import RuleBook, RuleMissing
from chibo.meetings import rules, selectors, services
from chibo.meetings.models import Attendance, Meeting, Vote
from chibo.members.models import Person
from chibo.organisations.models import Organisation

router = Router(tags=["meetings"])
MAX_CHANGES = 500  # changes in one offline batch
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# Offline changes (meetings.services.sync): each field and the JSON type it must have.
CHANGE_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "attendance": {"type": (str,), "person": (int,), "status": (str,), "reason": (str,), "base": (int, type(None))},
    "notes": {"type": (str,), "item": (int,), "notes": (str,), "conclusion": (str,), "base": (int, type(None))},
}


# --- Input fields ------------------------------------------------------------------------------

def _time_of_day(*, null: bool = False) -> Parser:
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



DateIn = date()
TIME_IN = {"type": "string", "description": "hh:mm", "examples": ["19:30"]}
Time = field(_time_of_day(), TIME_IN)
NullTime = field(_time_of_day(null=True), {**TIME_IN, "type": ["string", "null"]})
PersonRef = object_id(null=True, description="person id of a current member of the cell's commune")
Agenda = field(agenda, {"type": "array", "items": {"type": "string", "maxLength": 300}, "maxItems": 20,
                        "description": "default: the four parts of a regular meeting"})
Guests = field(guests, {"type": "array", "maxItems": 20, "items": {
    "type": "object", "properties": {"person": {"type": "integer", "minimum": 1}, "title": {"type": "string",
                                                                                            "maxLength": 120}},
    "required": ["person"], "additionalProperties": False}})
Version = field(version, {"type": "integer", "minimum": 1, "description": "the version you read (409 if stale)"})
Revision = field(revision, {"type": ["integer", "null"], "minimum": 1, "description": "the revision you read "
                                                                                      "(409 if stale)"})
Changes = field(lambda value: value, {
    "type": "array", "maxItems": MAX_CHANGES, "items": {"type": "object"},
    "description": "a batch made offline: {\"type\": \"attendance\", \"person\", \"status\", \"reason\", \"base\"} "
                   "or {\"type\": \"notes\", \"item\", \"notes\", \"conclusion\", \"base\"}; \"base\" is the "
                   "revision read"})


def required(name: str) -> Invalid:
    return invalid(name, _("This field is required. Add it to the request."))


def conflict(exc: ValidationError) -> ApiError:
    """409: the meeting (or an attendance row) changed since the client read it; the service's
    message under its field ("version" for the meeting)."""
    fields = validation_fields(exc)
    return ApiError("invalid", next(iter(fields.values()))[0], 409, fields)


def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


# --- Schemas ----------------------------------------------------------------------------------

TIME_OUT: Any = {"pattern": r"^\d{2}:\d{2}$", "examples": ["19:30"]}


class MeetingOut(Schema):
    """A meeting's own fields. select_related: organisation, chair, recorder."""

    id: int
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    kind: str = Field(json_schema_extra=enum(Meeting.Kind.values))
    date: Day
    start_time: str = Field(json_schema_extra=TIME_OUT)
    end_time: str | None = Field(json_schema_extra=TIME_OUT)
    place: str
    thematic_topic: str
    chair: int | None = Field(alias="chair_id")
    chair_name: str | None = Field(None, alias="chair.full_name")
    recorder: int | None = Field(alias="recorder_id")
    recorder_name: str | None = Field(None, alias="recorder.full_name")
    status: str = Field(json_schema_extra=enum(Meeting.Status.values))
    published_at: Moment | None
    version: int = Field(description="send it back with a change")

    @staticmethod
    def resolve_start_time(m: Meeting) -> str | None:
        return _time(m.start_time)

    @staticmethod
    def resolve_end_time(m: Meeting) -> str | None:
        return _time(m.end_time)


class MeetingRow(MeetingOut):
    invited: int
    present: int


class Invitee(Schema):
    """select_related: person."""

    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.full_name")
    role: str = Field(json_schema_extra=enum(Attendance.Role.values))
    official: bool = Field(description="an official member (probationary members have no vote)")
    temporary: bool = Field(description="here on temporary activity: no vote here, not counted")
    exempt: bool = Field(description="exempt from party activity: counted only when they attended and voted")
    voted: bool = Field(description="an exempt member who attended and voted")
    excluded: str = Field(description="why the member is left out of the official members called (\"\" = counted)",
                          json_schema_extra=enum(Attendance.Excluded.values))
    excluded_note: str
    guest_title: str
    status: str = Field(json_schema_extra=enum(Attendance.Status.values))
    reason: str
    revision: int = Field(description="send it back as \"base\" with a change")


class LeftOut(Schema):
    name: str = ""
    reason: str = ""
    note: str = ""


class VoteOut(Schema):
    """prefetch: tasks."""

    id: int
    position: int
    kind: str = Field(json_schema_extra=enum(Vote.Kind.values))
    title: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    passed: bool
    basis: str = Field(description="the arithmetic, written out")
    official_called: int | None = Field(description="the denominator: official members called, less those left out "
                                                    "(null for votes recorded before it was kept)")
    voters_present: int | None = Field(description="official members with a vote present when recorded: the most "
                                                   "votes that can be cast")
    need: int | None = Field(description="the fewest votes for that pass")
    left_out: list[LeftOut] = Field(description="official members not counted, and why")
    rule_citation: str
    rule_confirmed: bool
    decision: str
    tasks: list[int] = Field(description="ids of the tasks given to carry out the decision")

    @staticmethod
    def resolve_tasks(v: Vote) -> list[int]:
        return sorted(t.pk for t in v.tasks.all())


class MeetingVote(VoteOut):
    roll_changed: bool = Field(description="the attendance changed after the vote was recorded; correcting the vote "
                                           "counts it again")


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    notes: str
    conclusion: str
    revision: int


class Quorum(Schema):
    called: int
    present: int
    share_pct: float | None
    valid: bool
    explanation: str


class Roll(Schema):
    official_called: int
    voters_present: int
    probationary_present: int
    temporary_present: int
    left_out: list[LeftOut]


class Material(Schema):
    id: int
    title: str
    file_name: str
    published_at: Moment | None
    late: bool = Field(description="published less than the required time before the meeting")


class MinutesOut(Schema):
    version: int
    final: bool
    finalised_at: Moment | None
    correction_note: str
    opening: str
    content: str
    conclusions: str
    closing: str


class MeetingDetail(MeetingOut):
    """Built by `_detail`, which sets what is computed (api_*)."""

    agenda: list[AgendaItemOut] = Field(alias="api_agenda")
    invitees: list[Invitee] = Field(alias="api_invitees")
    quorum: Quorum = Field(alias="api_quorum")
    roll: Roll = Field(alias="api_roll")
    votes: list[MeetingVote] = Field(alias="api_votes")
    materials: list[Material] = Field(alias="api_materials")
    minutes: list[MinutesOut] = Field(alias="api_minutes")
    too_short: int | None = Field(alias="api_too_short", description="the minimum length in minutes, when the "
                                                                     "meeting was shorter")
    can_write: bool = Field(alias="api_can_write")


class MeetingWarned(MeetingDetail):
    warnings: list[str] = Field(alias="api_warnings", description="advice such as a second regular meeting in the "
                                                                  "same month (never a refusal)")


class MeetingFields(In):
    """Only the fields sent are changed."""

    kind: choice(Meeting.Kind.values) = None
    date: DateIn = None
    start_time: Time = None
    end_time: NullTime = None
    place: text(200) = None
    thematic_topic: text(300) = Field(None, description="required for a thematic meeting; a regular meeting with a "
                                                        "topic also holds a thematic part")
    chair: PersonRef = None
    recorder: PersonRef = None


class MeetingCreate(MeetingFields):
    organisation: code("code of the cell")
    agenda: Agenda = None
    guests: Guests = None


class MeetingUpdate(MeetingFields):
    version: Version


class PublishResult(Schema):
    invitations: int = Field(description="invitations sent (people with an account)")
    meeting: MeetingDetail
    warnings: list[str] = Field(description="advice such as a second regular meeting in the same month (never a "
                                            "refusal)")


class AttendanceInput(In):
    """One person's attendance ({"person", "status", "reason", "base"}), or a batch of changes
    made offline ({"changes": [...]}) alone."""

    person: object_id() = None
    status: choice([s for s in Attendance.Status.values if s != Attendance.Status.INVITED]) = None
    reason: text(200) = Field(None, description="required when absent with reason")
    base: Revision = None
    changes: Changes = None


class AttendanceOne(Schema):
    attendance: Invitee
    meeting: MeetingDetail


class AttendanceBatch(Schema):
    applied: list[dict[str, Any]]
    conflicts: list[dict[str, Any]] = Field(description="each change with \"message\" and \"server\": the value now")
    refused: list[dict[str, Any]] = Field(description="each change with \"message\": why it was refused")
    meeting: MeetingDetail


class VoteCreate(In):
    kind: choice(Vote.Kind.values)
    title: text(300)
    votes_for: WholeNumber
    votes_against: WholeNumber
    votes_abstain: WholeNumber
    decision: text(5000) = None


class VoteResult(Schema):
    vote: VoteOut
    meeting: MeetingDetail


class Held(In):
    end_time: Time


DATE_TEXT: Any = (str, Field(json_schema_extra={"format": "date"}))
# "from" and "to" are Python keywords: these schemas are made by create_model.
Missing = create_model("Missing", __base__=Schema, kind=(str, Field(json_schema_extra=enum(
    ["regular", "committee", "thematic"]))), **{"from": DATE_TEXT, "to": DATE_TEXT})


class CellGaps(Schema):
    organisation: str = Field(alias="cell.code")
    organisation_name: str = Field(alias="cell.name")
    held: int
    missing: list[Missing]  # type: ignore[valid-type]

    @staticmethod
    def resolve_missing(g: Any) -> list[dict[str, Any]]:
        return [{"kind": r.kind, "from": iso(r.start), "to": iso(r.end)} for r in g.missing]


MeetingGaps = create_model(
    "MeetingGaps", __base__=Schema, organisation=(str, ...), **{"from": DATE_TEXT, "to": DATE_TEXT},
    required=(int, Field(description="meetings_required")), held=(int, Field(description="meetings_held")),
    cells_total=(int, ...), count=(int, Field(description="cells with a meeting missing")), page=(int, ...),
    pages=(int, ...), results=(list[CellGaps], ...))


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def _cell(user: Any, org_code: str | None) -> Organisation:
    """The cell a new meeting is for: 400 when out of the user's scope, 403 when the user sees
    it but may not hold its meetings."""
    if org_code is None:
        raise required("organisation")
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


def _rule(book: RuleBook, key: str, default: int, on: dt.date) -> int:
    try:
        return book.value(rules.RULE_KEYS[key], on)
    except RuleMissing:
        return default



def _detail(user: Any, meeting: Meeting, warned: bool = False) -> Meeting:
    """The whole meeting (its api_* attributes, for MeetingDetail), in a fixed number of queries
    whatever the number of invitees; with `warned`, also its "warnings" — what the web form warns
    about after a create, change or announcement (a second regular meeting in the month), which
    is advice and never a refusal."""
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
        materials = [{"id": x.pk, "title": x.title, "file_name": x.file_name, "published_at": x.published_at,
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
    for v in votes:
        v.roll_changed = services.roll_changed(v, roll)  # type: ignore[attr-defined]
    m: Any = meeting
    m.api_agenda = list(meeting.agenda.order_by("position", "id"))
    m.api_invitees = invitees
    m.api_quorum = {"called": quorum.called, "present": quorum.present,
                    "share_pct": None if quorum.share_pct is None else round(quorum.share_pct, 1),
                    "valid": quorum.valid, "explanation": quorum.explain()}
    m.api_roll = {"official_called": roll.official_called, "voters_present": roll.voters,
                  "probationary_present": roll.probationary_present, "temporary_present": roll.temporary_present,
                  "left_out": [{"name": n, "reason": r, "note": t} for n, r, t in roll.left_out]}
    m.api_votes = votes
    m.api_materials = materials
    m.api_minutes = list(minutes)
    m.api_too_short = short
    m.api_can_write = access.may_hold_meetings(user, meeting.organisation)
    if warned:
        warning = services.same_month_warning(meeting)
        m.api_warnings = [warning] if warning else []
    return meeting


def _meeting(user: Any, pk: int, warned: bool = False) -> Meeting:
    return _detail(user, access.get_meeting(user, pk), warned)


# --- Meetings ---------------------------------------------------------------------------------

@router.get("meetings/", response=responses(page_of(MeetingRow), 200, 400, 404), url_name="meetings",
            summary="Meetings you may see, newest first, 25 a page, with how many members were invited and came")
def meeting_list(request: HttpRequest,
                 org: str = Q("only the meetings of the organisation with this code and those below it"),
                 start: str = Q("only meetings on or after this date (dd/mm/yyyy or yyyy-mm-dd)", alias="from"),
                 end: str = Q("only meetings on or before this date", alias="to"),
                 status: str = Q("only meetings with this status", {"enum": Meeting.Status.values}),
                 page: str = PAGE) -> Any:
    user = request.user
    status = query_choice("status", status, Meeting.Status.values)
    first, last = query_date("from", start, future=True), query_date("to", end, future=True)
    if first is not None and last is not None and first > last:
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": last.strftime("%d/%m/%Y")})
    qs: QuerySet[Meeting] = access.meetings(user)
    if org.strip():
        qs = selectors.in_subtree(qs, access.get_organisation(user, org.strip()))
    if first is not None:
        qs = qs.filter(date__gte=first)
    if last is not None:
        qs = qs.filter(date__lte=last)
    if status:
        qs = qs.filter(status=status)
    members = Where(attendance__role=Attendance.Role.MEMBER)
    qs = (qs.select_related("organisation", "chair", "recorder")
          .annotate(invited=Count("attendance", filter=members),
                    present=Count("attendance",
                                  filter=members & Where(attendance__status__in=Attendance.PRESENT_STATUSES)))
          .order_by("-date", "-start_time", "-id"))
    return paginated(page, qs)


@router.get("meetings/{int:id}/", response=responses(MeetingDetail, 200, 404), url_name="meeting",
            summary="A meeting: agenda with notes and conclusions, invitees with their attendance, quorum, votes "
                    "(passed or not, with the arithmetic), materials (once announced) and minutes (drafts for those "
                    "who hold the cell in their scope)")
def meeting_detail(request: HttpRequest, id: int) -> Any:
    return _meeting(request.user, id)


@router.post("meetings/", response=responses(MeetingWarned, 201, 400, 403), url_name="meetings",
             summary="Prepare a meeting of a cell: its members are invited (not those exempt from party work), guests "
                     "added, and the agenda is the four-part regular agenda unless given")
def meeting_create(request: HttpRequest, payload: MeetingCreate) -> Any:
    user = request.user
    data = payload.sent()
    org = _cell(user, data.pop("organisation"))
    data = _people(user, org, data)
    meeting = services.meeting_create(actor=user, organisation=org, agenda=data.pop("agenda", None),
                                      guests=data.pop("guests", ()), **data)
    return Status(201, _meeting(user, meeting.pk, warned=True))


@router.patch("meetings/{int:id}/", response=responses(MeetingWarned, 200, 400, 403, 404, 409), url_name="meeting",
              summary="Change a meeting not yet held; send the \"version\" you read (409 if someone changed the "
                      "meeting since). Once announced, a new date, time or place is sent to the invitees")
def meeting_update(request: HttpRequest, id: int, payload: MeetingUpdate) -> Any:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    data = payload.sent()
    seen = data.pop("version")
    data = _people(user, meeting.organisation, data)
    try:
        services.meeting_update(meeting, actor=user, version=seen, **data)
    except services.Conflict as exc:
        raise conflict(exc) from None
    return _meeting(user, meeting.pk, warned=True)


@router.post("meetings/{int:id}/publish/", response=responses(PublishResult, 200, 400, 403, 404),
             url_name="meeting-publish",
             summary="Announce a meeting: invitations to everyone invited, and its materials become visible to them. "
                     "A meeting already started or past cannot be announced")
def meeting_publish(request: HttpRequest, id: int, payload: Empty) -> Any:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    payload.sent()  # {}: any field is refused
    sent = services.meeting_publish(meeting, actor=user)
    detail: Any = _meeting(user, meeting.pk, warned=True)
    return {"invitations": sent, "meeting": detail, "warnings": detail.api_warnings}


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



@router.post("meetings/{int:id}/attendance/", response=responses(AttendanceOne | AttendanceBatch, 200, 400, 403, 404,
                                                                  409),
             url_name="meeting-attendance",
             summary="Take the attendance: one person ({\"person\", \"status\", \"reason\", \"base\"}; 409 when "
                     "\"base\", the revision you read, is stale), or a batch of changes made offline "
                     "({\"changes\": [...]}, attendance and notes in the format of the offline screen), each applied, "
                     "returned as a conflict with the server's value, or refused with the reason — never silently "
                     "lost")
def attendance_create(request: HttpRequest, id: int, payload: AttendanceInput) -> Any:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    data = payload.sent()
    if "changes" in data:
        changes = data["changes"]
        if set(data) != {"changes"}:
            raise Invalid({name: [_("This field is not used with \"changes\". Remove it.")]
                           for name in sorted(set(data) - {"changes"})})
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
        return {"applied": result.applied, "conflicts": result.conflicts, "refused": refused + result.refused,
                "meeting": _detail(user, meeting)}
    missing = {name: [_missing_message(AttendanceInput, name) or ""] for name in ("person", "status")
               if name not in data}
    if missing:
        raise Invalid(missing)
    try:
        row = services.attendance_record(meeting, actor=user, person_id=data["person"], status=data["status"],
                                         reason=data.get("reason", ""), base_revision=data.get("base"))
    except services.Conflict as exc:
        raise conflict(exc) from None
    row = meeting.attendance.select_related("person").get(pk=row.pk)
    return {"attendance": row, "meeting": _meeting(user, meeting.pk)}


@router.post("meetings/{int:id}/votes/", response=responses(VoteResult, 201, 400, 403, 404),
             url_name="meeting-votes",
             summary="Record an item voted on: whether it passed is computed by the majority its kind needs, out of "
                     "the official members called (more than half for a resolution; two-thirds for admission, "
                     "recognition and removal). More votes than official members with a vote present is refused, "
                     "naming \"votes_for\"")
def vote_create(request: HttpRequest, id: int, payload: VoteCreate) -> Any:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    vote = services.vote_record(meeting, actor=user, kind=payload.kind, title=payload.title,
                                votes_for=payload.votes_for, votes_against=payload.votes_against,
                                votes_abstain=payload.votes_abstain, decision=payload.decision or "")
    vote = meeting.votes.prefetch_related("tasks").get(pk=vote.pk)
    return Status(201, {"vote": vote, "meeting": _meeting(user, meeting.pk)})


@router.post("meetings/{int:id}/held/", response=responses(MeetingDetail, 200, 400, 403, 404),
             url_name="meeting-held",
             summary="Record that the meeting was held, with the time it ended: every invitee's attendance must be "
                     "recorded; from then it counts for the required meetings")
def meeting_held(request: HttpRequest, id: int, payload: Held) -> Any:
    user = request.user
    meeting = access.get_meeting(user, id, write=True)
    services.meeting_held(meeting, actor=user, end_time=payload.end_time)
    return _meeting(user, meeting.pk)


# --- Missing meetings -------------------------------------------------------------------------

@router.get("organisations/{code}/meeting-gaps/", response=responses(MeetingGaps, 200, 400, 404),
            url_name="meeting-gaps",
            summary="The cells of an organisation's subtree that have not held a required meeting (a regular meeting "
                    "each month, a cell committee meeting each month where there is a committee, a thematic meeting "
                    "each quarter) in the months and quarters that ended in the period, 25 cells a page, with the "
                    "totals of the indicators meetings_required and meetings_held")
def meeting_gaps(request: HttpRequest, code: str,
                 start: str = Q("start of the period; default 1 January of the end's year", alias="from"),
                 end: str = Q("end of the period, not in the future; default today", alias="to"),
                 page: str = PAGE) -> Any:
    org = access.get_organisation(request.user, code)
    number = page_number(page)
    last = query_date("to", end) or today()
    first = query_date("from", start) or dt.date(last.year, 1, 1)
    if first > last:
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": last.strftime("%d/%m/%Y")})
    gaps = selectors.gaps(org, start=first, end=last)
    skip = (number - 1) * PAGE_SIZE
    return {
        "organisation": org.code, "from": iso(first), "to": iso(last),
        "required": gaps.required, "held": gaps.satisfied, "cells_total": gaps.cells_total,
        "count": len(gaps.cells), "page": number, "pages": max(1, math.ceil(len(gaps.cells) / PAGE_SIZE)),
        "results": gaps.cells[skip:skip + PAGE_SIZE],
    }
