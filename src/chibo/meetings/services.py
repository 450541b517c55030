"""Writes for meetings. Each function is atomic, validates with a message naming the field and
saying how to fix it, and writes its audit record. Offline edits carry the revision they were
based on; a stale one is returned as a conflict, never applied silently."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core import files
from chibo.core.dates import format_vn_date, today
from chibo.core.rules import RuleMissing, rule, rule_value
from chibo.core.text import nfc
from chibo.meetings import rules
from chibo.meetings.models import AgendaItem, Attendance, Material, Meeting, Minutes, Vote
from chibo.members import selectors as member_selectors
from chibo.members.models import Membership, MembershipEvent, Person, Status
from chibo.notifications import services as notifications
from chibo.organisations import services as org_services
from chibo.organisations.models import LEVEL_OF_KIND, Organisation

MEETING_FIELDS = ["organisation_id", "kind", "date", "start_time", "end_time", "place", "thematic_topic", "chair_id",
                  "recorder_id", "status"]
EDITABLE = ("kind", "date", "start_time", "end_time", "place", "thematic_topic", "chair", "recorder")
Upload = tuple[bytes, str]


def default_agenda() -> list[str]:
    """The four parts of a regular meeting (HD 12-HD/BTCTW 2018, II.2.1)."""
    return [
        _("Political and ideological situation: news, new documents of the Party and State, the mood of members "
          "and residents"),
        _("Results of last month's tasks: each member's work, strengths, weaknesses and causes"),
        _("Tasks for next month and who does them"),
        _("Party building: members, new members, inspection and supervision, party fees"),
    ]


def text_lines(value: str | None) -> str:
    """NFC with the line breaks kept: minutes, notes and decisions have paragraphs and numbered
    items (nfc() would run them into one line). Spaces within a line are collapsed."""
    lines = nfc_keep(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def nfc_keep(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "")


def rule_or(key: str, default: int, on: dt.date) -> int:
    try:
        return rule_value(key, on)
    except RuleMissing:
        return default


class Conflict(ValidationError):
    """The meeting (or one of its rows) changed since the user read it."""


def _claim(meeting: Meeting, version: int | None) -> None:
    if version is None:
        version = meeting.version
    if not Meeting.objects.filter(pk=meeting.pk, version=version).update(version=F("version") + 1):
        raise Conflict({"version": _("Someone else changed this meeting while you were working on it. Your change "
                                     "was not saved: look at the meeting as it is now, then make your change again.")})
    meeting.version = version + 1


def _clean(data: dict[str, Any], org: Organisation) -> dict[str, Any]:
    out = {**data, "place": nfc(data.get("place") or "").strip(),
           "thematic_topic": nfc(data.get("thematic_topic") or "").strip()}
    errors: dict[str, str] = {}
    if org.kind not in Organisation.MEMBER_KINDS or org.kind == Organisation.Kind.PARTY_GROUP:
        errors["organisation"] = _("Meetings are held by a party cell. Choose the cell.")
    if out.get("date") is None:
        errors["date"] = _("Enter the date of the meeting, as dd/mm/yyyy.")
    elif (ended := org_services.ended_on(org, out["date"])) is not None:
        errors["organisation"] = _("%(org)s ended on %(date)s (merged or dissolved): it holds no meetings from then. "
                                   "Prepare the meeting in the cell its members now belong to.") % {
            "org": org.name, "date": format_vn_date(ended)}
    if out.get("start_time") is None:
        errors["start_time"] = _("Enter the time the meeting starts, as hh:mm (for example 19:30).")
    if not out["place"]:
        errors["place"] = _("Write where the meeting is held, for example “Nhà văn hóa thôn”.")
    if out.get("kind") == Meeting.Kind.THEMATIC and not out["thematic_topic"]:
        errors["thematic_topic"] = _("Write the topic of the thematic meeting.")
    end = out.get("end_time")
    if end is not None and out.get("start_time") is not None and end <= out["start_time"]:
        errors["end_time"] = _("The meeting cannot end before it starts. Check both times.")
    if errors:
        raise ValidationError(errors)
    return out


def _members_of(org: Organisation, day: dt.date, kind: str = Meeting.Kind.REGULAR) -> list[Membership]:
    """The members a cell meeting calls: current members of the cell, not exempt from party work
    and meetings on the meeting's day (a meeting recorded for a past day follows the dated
    history: a member exempted since, or back in activity since, is called as they were then);
    for a cell committee meeting, only those who hold a committee post in the cell on the day."""
    qs = Membership.objects.filter(current=True, **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})
    if day >= today():
        qs = qs.filter(exempt=False)
    else:
        qs = qs.exclude(Exists(MembershipEvent.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day), membership=OuterRef("pk"), exempt=True,
            effective_date__lte=day)))
    if kind == Meeting.Kind.COMMITTEE:
        qs = qs.filter(person_id__in=member_selectors.committee_posts([org], on=day).values("person_id"))
    return list(qs.select_related("person").order_by("person__sort_key", "pk"))


@dataclass(frozen=True)
class Guest:
    person: Person
    title: str = ""


@transaction.atomic
def meeting_create(*, actor: Any, organisation: Organisation, agenda: Sequence[str] | None = None,
                   guests: Sequence[Guest] = (), **data: Any) -> Meeting:
    data = _clean({"kind": Meeting.Kind.REGULAR, **data}, organisation)
    meeting = Meeting(organisation=organisation, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                      **{k: data.get(k) for k in EDITABLE if k in data})
    meeting.save()
    titles = [nfc(t).strip() for t in (agenda if agenda is not None else default_agenda()) if nfc(t).strip()]
    if meeting.thematic_topic and meeting.kind == Meeting.Kind.REGULAR:
        titles.append(_("Thematic part: %(topic)s") % {"topic": meeting.thematic_topic})
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=i, title=t[:300])
                                    for i, t in enumerate(titles, start=1)])
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, person=m.person, role=Attendance.Role.MEMBER, official=m.status == Status.OFFICIAL,
                   temporary=m.temporary)
        for m in _members_of(organisation, meeting.date, meeting.kind)])
    for g in guests:
        _add_guest(meeting, g)
    audit.record(actor=actor, action="create", obj=meeting, object_repr=str(meeting), org_path=organisation.path,
                 after={**audit.snapshot(meeting, MEETING_FIELDS), "agenda": titles})
    return meeting


def other_regular_in_month(meeting: Meeting) -> list[Meeting]:
    """The cell's other regular meetings (not cancelled) in the same month as this regular
    meeting: a second one is allowed, but the secretary is warned (usually a wrong date)."""
    if meeting.kind != Meeting.Kind.REGULAR:
        return []
    return list(Meeting.objects.filter(organisation_id=meeting.organisation_id, kind=Meeting.Kind.REGULAR,
                                       date__year=meeting.date.year, date__month=meeting.date.month)
                .exclude(pk=meeting.pk).exclude(status=Meeting.Status.CANCELLED).order_by("date", "start_time"))


def same_month_warning(meeting: Meeting) -> str:
    """The warning for a second regular meeting in the month, naming the other meeting's date; "" if none."""
    others = other_regular_in_month(meeting)
    if not others:
        return ""
    return _("The cell already has a regular meeting this month, on %(dates)s. A cell holds one regular meeting a "
             "month: if this date is wrong, change it; if both meetings are intended, you can keep it.") % {
        "dates": ", ".join(format_vn_date(m.date) for m in others)}


def _add_guest(meeting: Meeting, guest: Guest) -> Attendance:
    if meeting.attendance.filter(person=guest.person).exists():
        raise ValidationError({"guest": _("%(name)s is already invited.") % {"name": guest.person.full_name}})
    return Attendance.objects.create(meeting=meeting, person=guest.person, role=Attendance.Role.GUEST,
                                     guest_title=nfc(guest.title).strip()[:120])


@transaction.atomic
def guest_add(meeting: Meeting, *, actor: Any, guest: Guest) -> Attendance:
    """Invite a guest explicitly (e.g. the commune committee member who follows the cell).
    Guests are not counted for the quorum or the votes."""
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        raise ValidationError({"guest": _("Guests are invited before the meeting is recorded as held.")})
    row = _add_guest(meeting, guest)
    audit.record(actor=actor, action="update", obj=meeting, object_repr=str(meeting),
                 org_path=meeting.organisation.path, after={"guest": guest.person.full_name, "as": row.guest_title})
    if meeting.status == Meeting.Status.PUBLISHED:
        _invite(meeting, [row.person_id])
    return row


@transaction.atomic
def meeting_update(meeting: Meeting, *, actor: Any, version: int | None = None, **data: Any) -> Meeting:
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        raise ValidationError({"status": _("A meeting that is %(status)s cannot be changed.") % {
            "status": meeting.get_status_display()}})
    _claim(meeting, version)
    merged = _clean({**{k: getattr(meeting, k) for k in EDITABLE}, **data}, meeting.organisation)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for key in EDITABLE:
        setattr(meeting, key, merged.get(key))
    meeting.save()
    old, new = audit.diff(before, audit.snapshot(meeting, MEETING_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=meeting, object_repr=str(meeting),
                     org_path=meeting.organisation.path, before=old, after=new)
        if meeting.status == Meeting.Status.PUBLISHED and {"date", "start_time", "place"} & set(new):
            _invite(meeting, list(meeting.attendance.values_list("person_id", flat=True)), changed=True)
    return meeting


def _invite(meeting: Meeting, person_ids: list[int], *, changed: bool = False) -> int:
    users = notifications.users_of_people(person_ids)
    when = f"{meeting.start_time:%H:%M} {format_vn_date(meeting.date)}"
    title = (_("Changed: %(meeting)s of %(org)s") if changed else _("Invitation: %(meeting)s of %(org)s")) % {
        "meeting": meeting.get_kind_display(), "org": meeting.organisation.name}
    lines = [{"text": _("%(when)s at %(place)s") % {"when": when, "place": meeting.place},
              "url": reverse("meeting", args=[meeting.pk]), "urgency": ""}]
    if meeting.thematic_topic:
        lines.append({"text": _("Topic: %(topic)s") % {"topic": meeting.thematic_topic},
                      "url": reverse("meeting", args=[meeting.pk]), "urgency": ""})
    key = f"meeting:{meeting.pk}" + (f":v{meeting.version}" if changed else "")
    return notifications.notify(users.values(), kind="invitation", key=key, title=title, lines=lines)


@transaction.atomic
def meeting_publish(meeting: Meeting, *, actor: Any, now: dt.datetime | None = None) -> int:
    """Announce the meeting: invitations to everyone invited; its materials become visible.
    Returns how many invitations were sent (people with an account)."""
    now = now or timezone.now()
    if meeting.status != Meeting.Status.DRAFT:
        raise ValidationError({"status": _("This meeting is already %(status)s.") % {
            "status": meeting.get_status_display()}})
    starts = timezone.make_aware(meeting.starts) if timezone.is_naive(meeting.starts) else meeting.starts
    if starts <= now:
        raise ValidationError({"date": _("The meeting on %(date)s has already started or passed; invitations are "
                                         "sent before a meeting. To record a meeting already held, open it and take "
                                         "the attendance.") % {"date": format_vn_date(meeting.date)}})
    _claim(meeting, None)
    meeting.status, meeting.published_at = Meeting.Status.PUBLISHED, now
    meeting.save(update_fields=["status", "published_at", "updated_at"])
    meeting.materials.filter(published_at__isnull=True).update(published_at=now)
    audit.record(actor=actor, action="publish", obj=meeting, object_repr=str(meeting),
                 org_path=meeting.organisation.path, after={"status": meeting.status})
    return _invite(meeting, list(meeting.attendance.values_list("person_id", flat=True)))


@transaction.atomic
def material_add(meeting: Meeting, *, actor: Any, title: str, upload: Upload | None) -> Material:
    title = nfc(title or "").strip()
    errors = {}
    if upload is None:
        errors["file"] = _("Choose the file to attach (PDF, Word, Excel, OpenDocument, JPEG or PNG).")
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        errors["file"] = _("Materials are added before the meeting is recorded as held.")
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    try:
        path, name = files.store(upload[0], upload[1], "meetings", allowed=files.DOCUMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    published = timezone.now() if meeting.status == Meeting.Status.PUBLISHED else None
    m = Material.objects.create(meeting=meeting, title=(title or name)[:200], file=path, file_name=name,
                                published_at=published, added_by=actor if getattr(actor, "is_authenticated", False)
                                else None)
    audit.record(actor=actor, action="create", obj=m, object_repr=f"{meeting}: {m.title}",
                 org_path=meeting.organisation.path, after={"title": m.title, "file_name": name})
    return m


def material_late(material: Material, meeting: Meeting) -> bool:
    if material.published_at is None:
        return False
    starts = timezone.make_aware(meeting.starts) if timezone.is_naive(meeting.starts) else meeting.starts
    return rules.materials_late(published=material.published_at, meeting_starts=starts,
                                lead_days=rule_or(rules.RULE_KEYS["lead_days"], 1, meeting.date))


# --- Attendance and notes (also from the offline screen) --------------------------------------

@dataclass
class SyncResult:
    applied: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    refused: list[dict[str, Any]]


def started(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """The meeting's start (its date and start time, in the server's local time zone) has come."""
    local = timezone.localtime(now) if now is not None else timezone.localtime()
    return local.replace(tzinfo=None) >= meeting.starts


def _not_started_error(meeting: Meeting) -> str:
    return _("The meeting starts at %(time)s on %(date)s; it can be recorded as held, and votes recorded, only once "
             "it has started. Check the date and start time of the meeting if they are wrong.") % {
        "time": meeting.start_time.strftime("%H:%M"), "date": format_vn_date(meeting.date)}


def _check_attendance_day(meeting: Meeting, day: dt.date) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": _("This meeting was cancelled.")})
    if meeting.date > day:
        raise ValidationError({"status": _("Attendance is taken on the day of the meeting (%(date)s).") % {
            "date": format_vn_date(meeting.date)}})


@transaction.atomic
def attendance_record(meeting: Meeting, *, actor: Any, person_id: int, status: str, reason: str = "",
                      base_revision: int | None = None, day: dt.date | None = None) -> Attendance:
    """One person's attendance. Only invited people: a guest who came uninvited is added with
    guest_add first. With `base_revision`, a row changed meanwhile is a Conflict."""
    _check_attendance_day(meeting, day or today())
    row = meeting.attendance.select_related("person").filter(person_id=person_id).first()
    if row is None:
        raise ValidationError({"person": _("This person was not invited to the meeting. Add them as a guest first "
                                           "if they took part.")})
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Choose present, came late, absent with reason or absent without "
                                           "reason.")})
    reason = nfc(reason or "").strip()[:200]
    if status == Attendance.Status.EXCUSED and not reason:
        raise ValidationError({"reason": _("Write the reason for the absence (for example “ốm”, “đi làm ăn xa”).")})
    if base_revision is not None and base_revision != row.revision:
        raise Conflict({"status": _("%(name)s's attendance was changed by someone else meanwhile.") % {
            "name": row.person.full_name}})
    before = {"status": row.status, "reason": row.reason}
    if before == {"status": status, "reason": reason}:
        return row
    row.status, row.reason, row.revision = status, reason, row.revision + 1
    row.save(update_fields=["status", "reason", "revision", "updated_at"])
    audit.record(actor=actor, action="attendance", obj=meeting, object_repr=f"{meeting}: {row.person.full_name}",
                 org_path=meeting.organisation.path, before=before, after={"status": status, "reason": reason})
    return row


NOTICE_MAX = 200


def _notice_row(meeting: Meeting, person: Person, now: dt.datetime | None) -> Attendance:
    """The member's own invitation, while they may still tell the cell ahead: the meeting is
    announced and has not started."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": _("This meeting was cancelled.")})
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError({"status": _("This meeting is already recorded as held.")})
    if meeting.status != Meeting.Status.PUBLISHED:
        raise ValidationError({"status": _("This meeting is not announced yet.")})
    if started(meeting, now):
        raise ValidationError({"status": _("The meeting started at %(time)s on %(date)s. Absence can be told ahead "
                                           "only before it starts; tell the cell secretary directly.") % {
            "time": meeting.start_time.strftime("%H:%M"), "date": format_vn_date(meeting.date)}})
    row = (meeting.attendance.select_for_update().select_related("person")
           .filter(person_id=person.pk, role=Attendance.Role.MEMBER).first())
    if row is None:
        raise ValidationError({"person": _("You are not invited to this meeting as a member of the cell.")})
    return row


@transaction.atomic
def absence_notice(meeting: Meeting, *, person: Person, actor: Any, reason: str,
                   now: dt.datetime | None = None) -> Attendance:
    """The member tells the cell ahead that they will be absent, with the reason. It is only a
    notice: the secretary records the attendance at the meeting (it is suggested there)."""
    row = _notice_row(meeting, person, now)
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason you will be absent (for example “ốm”, “đi làm xa”).")})
    if len(reason) > NOTICE_MAX:
        raise ValidationError({"reason": _("Write the reason in at most %(n)s characters.") % {"n": NOTICE_MAX}})
    before = {"notice": row.notice}
    if row.notice == reason:
        return row
    row.notice, row.notice_at = reason, now or timezone.now()
    row.save(update_fields=["notice", "notice_at", "updated_at"])
    audit.record(actor=actor, action="absence_notice", obj=meeting, object_repr=f"{meeting}: {row.person.full_name}",
                 org_path=meeting.organisation.path, before=before, after={"notice": reason})
    return row


@transaction.atomic
def absence_notice_withdraw(meeting: Meeting, *, person: Person, actor: Any,
                            now: dt.datetime | None = None) -> Attendance:
    """The member withdraws their notice before the meeting: they will come after all."""
    row = _notice_row(meeting, person, now)
    if not row.notice:
        return row
    before = {"notice": row.notice}
    row.notice, row.notice_at = "", None
    row.save(update_fields=["notice", "notice_at", "updated_at"])
    audit.record(actor=actor, action="absence_withdraw", obj=meeting,
                 object_repr=f"{meeting}: {row.person.full_name}", org_path=meeting.organisation.path,
                 before=before, after={"notice": ""})
    return row


@transaction.atomic
def attendance_all_present(meeting: Meeting, *, actor: Any, day: dt.date | None = None) -> int:
    """"Everyone present": every invitee whose attendance is not recorded yet is recorded present
    (or absent with reason, for one who told the cell ahead with absence_notice), in one step, with one audit record naming them; the secretary then changes the few who did
    not come. Rows already recorded are left as they are. Returns how many were recorded."""
    _check_attendance_day(meeting, day or today())
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError({"status": _("This meeting is already recorded as held; change one person's "
                                           "attendance at a time.")})
    rows = list(meeting.attendance.select_for_update().select_related("person")
                .filter(status=Attendance.Status.INVITED).order_by("role", "person__sort_key", "pk"))
    if not rows:
        return 0
    # Those who told the cell ahead they would be absent are recorded absent with their reason.
    told = [r for r in rows if r.notice]
    came = [r for r in rows if not r.notice]
    stamp = timezone.now()
    Attendance.objects.filter(pk__in=[r.pk for r in came], status=Attendance.Status.INVITED).update(
        status=Attendance.Status.PRESENT, revision=F("revision") + 1, updated_at=stamp)
    for r in told:
        r.status, r.reason, r.revision = Attendance.Status.EXCUSED, r.notice[:200], r.revision + 1
        r.save(update_fields=["status", "reason", "revision", "updated_at"])
    after: dict[str, Any] = {"status": Attendance.Status.PRESENT, "people": [r.person.full_name for r in came]}
    if told:
        after["excused"] = [{"name": r.person.full_name, "reason": r.reason} for r in told]
    audit.record(actor=actor, action="attendance", obj=meeting, object_repr=f"{meeting}: {len(rows)}",
                 org_path=meeting.organisation.path, before={"status": Attendance.Status.INVITED}, after=after)
    return len(rows)


@transaction.atomic
def agenda_note(meeting: Meeting, *, actor: Any, item_id: int, notes: str, conclusion: str,
                base_revision: int | None = None) -> AgendaItem:
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        raise ValidationError({"item": _("This agenda item is not part of the meeting.")})
    if base_revision is not None and base_revision != item.revision:
        raise Conflict({"notes": _("The notes on “%(item)s” were changed by someone else meanwhile.") % {
            "item": item.title}})
    notes, conclusion = text_lines(notes), text_lines(conclusion)
    if (notes, conclusion) == (item.notes, item.conclusion):
        return item
    before = {"notes": item.notes, "conclusion": item.conclusion}
    item.notes, item.conclusion, item.revision = notes, conclusion, item.revision + 1
    item.save(update_fields=["notes", "conclusion", "revision"])
    audit.record(actor=actor, action="notes", obj=meeting, object_repr=f"{meeting}: {item.title}",
                 org_path=meeting.organisation.path, before=before, after={"notes": notes, "conclusion": conclusion})
    return item


def sync(meeting: Meeting, *, actor: Any, changes: Sequence[dict[str, Any]], day: dt.date | None = None) -> SyncResult:
    """Apply changes made offline, each in its own transaction: attendance
    {"type": "attendance", "person", "status", "reason", "base"} and notes
    {"type": "notes", "item", "notes", "conclusion", "base"}. A change whose base revision is
    stale is not applied: it comes back as a conflict with the server's value, for the person
    to choose; a change refused for bad input comes back with the message."""
    out = SyncResult([], [], [])
    for change in changes:
        try:
            if change.get("type") == "notes":
                item = agenda_note(meeting, actor=actor, item_id=int(change["item"]), notes=change.get("notes", ""),
                                   conclusion=change.get("conclusion", ""), base_revision=change.get("base"))
                out.applied.append({**change, "revision": item.revision})
            else:
                row = attendance_record(meeting, actor=actor, person_id=int(change["person"]),
                                        status=change.get("status", ""), reason=change.get("reason", ""),
                                        base_revision=change.get("base"), day=day)
                out.applied.append({**change, "revision": row.revision})
        except Conflict as exc:
            current = _current(meeting, change)
            out.conflicts.append({**change, "message": " ".join(exc.messages), "server": current})
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [_("This change could not be read.")]
            out.refused.append({**change, "message": " ".join(messages)})
    return out


def _current(meeting: Meeting, change: dict[str, Any]) -> dict[str, Any]:
    if change.get("type") == "notes":
        item = meeting.agenda.filter(pk=int(change.get("item") or 0)).first()
        return {"notes": item.notes, "conclusion": item.conclusion, "revision": item.revision} if item else {}
    row = meeting.attendance.filter(person_id=int(change.get("person") or 0)).first()
    return {"status": row.status, "reason": row.reason, "revision": row.revision} if row else {}


# --- Votes, closing, minutes -----------------------------------------------------------------------

def seats(rows: Sequence[Attendance]) -> list[rules.Seat]:
    """The members of the cell among `rows` (guests are not counted), for rules.roll."""
    return [rules.Seat(name=a.person.full_name, official=a.official, came=a.came, temporary=a.temporary,
                       exempt=a.exempt, voted=a.voted, excluded=a.excluded, note=a.excluded_note)
            for a in rows if a.role == Attendance.Role.MEMBER]


def roll(meeting: Meeting) -> rules.Roll:
    """Who the meeting counts now: members called and present (quorum), official members called
    (the votes' denominator), official members with a vote present, who is left out and why."""
    rows = seats(list(meeting.attendance.filter(role=Attendance.Role.MEMBER).select_related("person")
                      .order_by("person__sort_key", "pk")))
    return rules.roll([*rows, *absent_exempt(meeting)])


def absent_exempt(meeting: Meeting) -> list[rules.Seat]:
    """Official members of the cell exempt from party activity who are not on the roll: left out
    of the official members called, and named so (not for a cell committee meeting)."""
    if meeting.kind == Meeting.Kind.COMMITTEE:
        return []
    return [rules.Seat(name=m.person.full_name, official=True, came=False, exempt=True, temporary=m.temporary)
            for m in exempt_members(meeting) if m.status == Status.OFFICIAL]


def counts(meeting: Meeting) -> tuple[int, int, int, int]:
    """(members called, members present, official members called, official members with a vote present)."""
    r = roll(meeting)
    return r.called, r.present, r.official_called, r.voters


@dataclass(frozen=True)
class Majority:
    """The rule a vote of a kind is counted by on a day: its values and what sets them."""
    num: int
    den: int
    more_than_pct: int
    citation: str
    confirmed: bool


def majority(kind: str, on: dt.date) -> Majority:
    """More than half of the official members called for a general decision; num/den of them for
    admission and recognition; the removal rule (unconfirmed) for removing an official member."""
    keys = {"removal": ("removal_num", "removal_den")}.get(kind, ("special_num", "special_den"))
    try:
        if kind in rules.SPECIAL_KINDS:
            num, den = rule(rules.RULE_KEYS[keys[0]], on), rule(rules.RULE_KEYS[keys[1]], on)
            return Majority(num.value, den.value, 50, num.citation, num.confirmed and den.confirmed)
        pct = rule(rules.RULE_KEYS["general_pct"], on)
        return Majority(2, 3, pct.value, pct.citation, pct.confirmed)
    except RuleMissing:
        return Majority(2, 3, 50, "", False)


def roll_changed(vote: Vote, now: rules.Roll) -> bool:
    """The roll differs from the one the vote was counted on (an attendance or a member left out
    changed afterwards): the page says so; correcting the vote counts it again."""
    return vote.official_called is not None and (vote.official_called, vote.voters_present) != (
        now.official_called, now.voters)


VOTE_FIELDS = ["kind", "title", "votes_for", "votes_against", "votes_abstain", "passed", "basis", "official_called",
               "voters_present", "left_out"]


@transaction.atomic
def vote_record(meeting: Meeting, *, actor: Any, kind: str, title: str, votes_for: int | None,
                votes_against: int | None, votes_abstain: int | None, decision: str = "",
                vote: Vote | None = None, now: dt.datetime | None = None) -> Vote:
    """Record (or correct) an item voted on; whether it passed is computed by the rule of its kind
    against the official members called, and the arithmetic is kept with the vote. Only once the
    meeting has started."""
    title, decision = nfc(title or "").strip(), text_lines(decision)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": _("This meeting was cancelled.")})
    if not started(meeting, now):
        raise ValidationError({"date": _not_started_error(meeting)})
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Write what was voted on.")
    if kind not in Vote.Kind.values:
        errors["kind"] = _("Choose the kind of decision.")
    for name, value in (("votes_for", votes_for), ("votes_against", votes_against), ("votes_abstain", votes_abstain)):
        if value is None or value < 0:
            errors[name] = _("Enter the number of votes as a whole number (0 if none).")
    if errors:
        raise ValidationError(errors)
    assert votes_for is not None and votes_against is not None and votes_abstain is not None
    counted = roll(meeting)
    maj = majority(kind, meeting.date)
    result = rules.vote_result(kind=kind, votes_for=votes_for, against=votes_against, abstain=votes_abstain,
                               present=counted.voters, official=counted.official_called, num=maj.num, den=maj.den,
                               more_than_pct=maj.more_than_pct)
    if result.error:
        raise ValidationError({"votes_for": result.error})
    before = audit.snapshot(vote, VOTE_FIELDS) if vote else None
    vote = vote or Vote(meeting=meeting, position=meeting.votes.count() + 1)
    vote.kind, vote.title, vote.decision = kind, title[:300], decision
    vote.votes_for, vote.votes_against, vote.votes_abstain = votes_for, votes_against, votes_abstain
    vote.passed, vote.basis = result.passed, result.basis[:300]
    vote.official_called, vote.voters_present, vote.need = counted.official_called, counted.voters, result.need
    vote.left_out = [{"name": n, "reason": r, "note": t} for n, r, t in counted.left_out]
    vote.rule_citation, vote.rule_confirmed = maj.citation[:300], maj.confirmed
    vote.save()
    audit.record(actor=actor, action="vote", obj=meeting, object_repr=f"{meeting}: {vote.title}",
                 org_path=meeting.organisation.path, before=before, after=audit.snapshot(vote, VOTE_FIELDS))
    return vote


# --- Who is counted: members left out, exempt members who attend and vote ----------------------------

@transaction.atomic
def voter_record(meeting: Meeting, *, actor: Any, person_id: int, excluded: str = "", note: str = "",
                 voted: bool = False) -> Attendance:
    """Whether a member of the cell is left out of the official members called, and why (on
    temporary activity elsewhere, suspended, prosecuted, an absence the committee approved); for
    an exempt member who came, whether they voted (then they count). Votes already recorded keep
    the roll they were counted on; the meeting page shows when it has changed since."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError({"status": _("This meeting was cancelled.")})
    row = meeting.attendance.select_related("person").filter(person_id=person_id).first()
    if row is None or row.role != Attendance.Role.MEMBER:
        raise ValidationError({"person": _("This person is not a member called to the meeting.")})
    note = nfc(note or "").strip()[:200]
    errors: dict[str, str] = {}
    if excluded not in Attendance.Excluded.values:
        errors["excluded"] = _("Choose why the member is left out, or “counted”.")
    if excluded == Attendance.Excluded.APPROVED_ABSENCE and row.came:
        errors["excluded"] = _("%(name)s is recorded as present; an approved absence applies to a member who did not "
                               "come. Correct the attendance first.") % {"name": row.person.full_name}
    if voted and not row.exempt:
        errors["voted"] = _("Only a member exempt from party activity is marked as having voted; every other official "
                            "member called is counted anyway.")
    elif voted and not row.came:
        errors["voted"] = _("%(name)s is not recorded as present, so cannot have voted. Record the attendance first.") \
            % {"name": row.person.full_name}
    if errors:
        raise ValidationError(errors)
    note = note if excluded else ""
    before: dict[str, Any] = {"excluded": row.excluded, "excluded_note": row.excluded_note, "voted": row.voted}
    after: dict[str, Any] = {"excluded": excluded, "excluded_note": note, "voted": voted}
    if before == after:
        return row
    row.excluded, row.excluded_note, row.voted = excluded, note, voted
    row.revision += 1
    row.save(update_fields=["excluded", "excluded_note", "voted", "revision", "updated_at"])
    audit.record(actor=actor, action="attendance", obj=meeting, object_repr=f"{meeting}: {row.person.full_name}",
                 org_path=meeting.organisation.path, before=before, after=after)
    return row


def exempt_members(meeting: Meeting) -> list[Membership]:
    """Members of the cell exempt from party activity who are not on the meeting's roll."""
    org = meeting.organisation
    if org.kind not in LEVEL_OF_KIND:
        return []
    return list(Membership.objects.filter(current=True, exempt=True, **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})
                .exclude(person_id__in=meeting.attendance.values("person_id"))
                .select_related("person").order_by("person__sort_key", "pk"))


@transaction.atomic
def exempt_member_add(meeting: Meeting, *, actor: Any, person_id: int, voted: bool = False,
                      day: dt.date | None = None) -> Attendance:
    """An exempt member of the cell who came to the meeting: recorded present, counted among the
    official members called when they vote (QĐ 24-QĐ/TW §9.3.2)."""
    _check_attendance_day(meeting, day or today())
    m = next((m for m in exempt_members(meeting) if m.person_id == person_id), None)
    if m is None:
        raise ValidationError({"person": _("Choose a member of the cell exempt from party activity who is not yet on "
                                           "the list.")})
    row = Attendance.objects.create(meeting=meeting, person=m.person, role=Attendance.Role.MEMBER,
                                    official=m.status == Status.OFFICIAL, temporary=m.temporary, exempt=True,
                                    status=Attendance.Status.PRESENT, voted=voted)
    audit.record(actor=actor, action="attendance", obj=meeting, object_repr=f"{meeting}: {m.person.full_name}",
                 org_path=meeting.organisation.path,
                 after={"status": row.status, "exempt": True, "voted": voted})
    return row


@transaction.atomic
def vote_link_task(vote: Vote, *, actor: Any, task: Any) -> None:
    """A "6 rõ" task created to carry out this decision."""
    vote.tasks.add(task)
    audit.record(actor=actor, action="update", obj=vote.meeting, object_repr=f"{vote.meeting}: {vote.title}",
                 org_path=vote.meeting.organisation.path, after={"task": task.pk})


@transaction.atomic
def meeting_held(meeting: Meeting, *, actor: Any, end_time: dt.time | None, day: dt.date | None = None,
                 now: dt.datetime | None = None) -> Meeting:
    """Record the meeting as held: it has started (date and start time, local time), its
    attendance is complete, and it counts for the cadence. `day` (tests, simulations) stands for
    the end of that day."""
    if now is None and day is not None:
        now = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    errors: dict[str, str] = {}
    if not started(meeting, now):
        errors["date"] = _not_started_error(meeting)
    if end_time is None:
        errors["end_time"] = _("Enter the time the meeting ended, as hh:mm.")
    elif end_time <= meeting.start_time:
        errors["end_time"] = _("The meeting cannot end before it starts. Check the time.")
    missing = meeting.attendance.filter(status=Attendance.Status.INVITED).count()
    if missing:
        errors["attendance"] = _("The attendance of %(n)s people is not recorded yet. Mark each one present, late or "
                                 "absent first.") % {"n": missing}
    if meeting.status == Meeting.Status.CANCELLED:
        errors["status"] = _("This meeting was cancelled.")
    if errors:
        raise ValidationError(errors)
    _claim(meeting, None)
    meeting.status, meeting.end_time = Meeting.Status.HELD, end_time
    meeting.save(update_fields=["status", "end_time", "updated_at"])
    audit.record(actor=actor, action="held", obj=meeting, object_repr=str(meeting), org_path=meeting.organisation.path,
                 after={"status": meeting.status, "end_time": str(end_time)})
    return meeting


def too_short(meeting: Meeting) -> int | None:
    """The minimum length (minutes) when the meeting ended sooner, per the rule in force."""
    if meeting.end_time is None:
        return None
    try:
        floor = rule_value(rules.RULE_KEYS["min_minutes"], meeting.date)
        combined_floor = rule_value(rules.RULE_KEYS["combined_min_minutes"], meeting.date)
    except RuleMissing:
        return None
    return rules.too_short(start=meeting.start_time, end=meeting.end_time, combined=meeting.combined,
                           min_minutes=floor, combined_min_minutes=combined_floor)


@transaction.atomic
def minutes_draft(meeting: Meeting, *, actor: Any) -> Minutes:
    """The open draft of the minutes, or a new one written from the agenda, attendance and votes."""
    draft = meeting.minutes.filter(finalised_at__isnull=True).first()
    if draft is not None:
        return draft
    latest = meeting.minutes.order_by("-version").first()
    # The time, place, chair, recorder, attendance, guests, voting roll and votes are printed from
    # the meeting's record (the PDF's tables, the minutes page's facts): the text says only what
    # the record does not, so that no fact is written twice (issue 14, point 5).
    opening = _("The chair declared the reason for the meeting, introduced the guests and put the agenda to the "
                "meeting, which agreed to it.")
    agenda = list(meeting.agenda.all())
    content = "\n\n".join(f"{i}. {a.title}\n{a.notes}".rstrip() for i, a in enumerate(agenda, start=1))
    conclusions = "\n".join(f"- {a.conclusion}" for a in agenda if a.conclusion)
    closing = _("The meeting ended at %(end)s on the same day.") % {
        "end": meeting.end_time.strftime("%H:%M") if meeting.end_time else "…"}
    m = Minutes.objects.create(meeting=meeting, version=(latest.version + 1) if latest else 1,
                               opening=latest.opening if latest else opening,
                               content=latest.content if latest else content,
                               conclusions=latest.conclusions if latest else conclusions,
                               closing=latest.closing if latest else closing)
    audit.record(actor=actor, action="create", obj=m, object_repr=_("Minutes of %(meeting)s, version %(v)s") % {
        "meeting": meeting, "v": m.version}, org_path=meeting.organisation.path)
    return m


def vote_roll_text(vote: Vote) -> str:
    """The denominator of a recorded vote written out: "official members called: 12 (left out: 1
    on temporary activity elsewhere (Nguyễn Văn A)); with a vote present: 10; rule: …"."""
    if vote.official_called is None:
        return ""
    text = _("official members called: %(called)s") % {"called": vote.official_called}
    if vote.left_out:
        text += " " + _("(not counted: %(who)s)") % {"who": rules.left_out_text(vote.left_out)}
    text += "; " + _("official members with a vote present: %(n)s") % {"n": vote.voters_present}
    if vote.rule_citation:
        text += "; " + (_("rule: %(citation)s") if vote.rule_confirmed else _("rule (not confirmed): %(citation)s")) \
            % {"citation": vote.rule_citation}
    return text


MINUTES_FIELDS = ("opening", "content", "conclusions", "closing", "correction_note")


@transaction.atomic
def minutes_update(minutes: Minutes, *, actor: Any, **data: Any) -> Minutes:
    if minutes.final:
        raise ValidationError({"content": _("These minutes are final and cannot be edited. To correct them, start a "
                                            "new version.")})
    before = audit.snapshot(minutes, list(MINUTES_FIELDS))
    for key in MINUTES_FIELDS:
        if key in data:
            clean = nfc if key == "correction_note" else text_lines
            setattr(minutes, key, clean(data[key] or "").strip())
    if minutes.version > 1 and not minutes.correction_note:
        raise ValidationError({"correction_note": _("Say what this version corrects.")})
    minutes.save()
    old, new = audit.diff(before, audit.snapshot(minutes, list(MINUTES_FIELDS)))
    if new:
        audit.record(actor=actor, action="update", obj=minutes, object_repr=str(minutes.meeting),
                     org_path=minutes.meeting.organisation.path, before=old, after=new)
    return minutes


@transaction.atomic
def minutes_finalise(minutes: Minutes, *, actor: Any) -> Minutes:
    if minutes.final:
        raise ValidationError({"content": _("These minutes are already final.")})
    if minutes.meeting.status != Meeting.Status.HELD:
        raise ValidationError({"content": _("Record the meeting as held (attendance complete, end time) before "
                                            "finalising its minutes.")})
    if not minutes.content.strip():
        raise ValidationError({"content": _("Write the content of the meeting before finalising the minutes.")})
    minutes.finalised_at = timezone.now()
    minutes.finalised_by = actor if getattr(actor, "is_authenticated", False) else None
    minutes.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
    audit.record(actor=actor, action="finalise", obj=minutes, object_repr=str(minutes.meeting),
                 org_path=minutes.meeting.organisation.path, after={"version": minutes.version})
    return minutes


@transaction.atomic
def meeting_cancel(meeting: Meeting, *, actor: Any, reason: str) -> Meeting:
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the meeting is cancelled; the invitees will be told.")})
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        raise ValidationError({"status": _("This meeting is already %(status)s.") % {
            "status": meeting.get_status_display()}})
    _claim(meeting, None)
    was_published = meeting.status == Meeting.Status.PUBLISHED
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="cancel", obj=meeting, object_repr=str(meeting),
                 org_path=meeting.organisation.path, after={"reason": reason})
    if was_published:
        users = notifications.users_of_people(meeting.attendance.values_list("person_id", flat=True))
        notifications.notify(users.values(), kind="invitation", key=f"meeting:{meeting.pk}:cancelled",
                             title=_("Cancelled: %(meeting)s of %(org)s") % {"meeting": meeting.get_kind_display(),
                                                                            "org": meeting.organisation.name},
                             lines=[{"text": reason, "url": reverse("meeting", args=[meeting.pk]), "urgency": ""}])
    return meeting
