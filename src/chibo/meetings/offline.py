"""The attendance and notes screen that keeps working without a connection (issue 5.3).

Three views: the page (/hop/<pk>/diem-danh/), which is also a plain form without JavaScript
(one POST per row); the sync endpoint the page's script sends its queue to
(/hop/<pk>/diem-danh/dong-bo/, JSON in and out); and the service worker (/hop/sw.js, scope
/hop/), which keeps the page and its assets on the phone. Meetings come only through
chibo.access (those who write for the cell); writes only through chibo.meetings.services,
which refuse a stale base revision as a conflict and never overwrite it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo import access
from chibo.core import rules as core_rules
from chibo.core.dates import format_vn_date, today
from chibo.meetings import rules, services
from chibo.meetings.models import AgendaItem, Attendance, Meeting
from chibo.web import security

MAX_CHANGES = 500  # one queue holds at most one change per row; a cell has a few dozen rows
MAX_TEXT = 20_000  # characters of notes or conclusion in one change
SW_SCOPE = "/hop/"
SW_ASSETS = ("chibo/chibo.css", "chibo/chibo.js", "chibo/attendance.js", "django_htmx/htmx-2.min.js")
BUTTONS = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.EXCUSED,
           Attendance.Status.UNEXCUSED)


# --- Counts and the quorum ---------------------------------------------------------------------

def _quorum_rule(day: dt.date) -> tuple[int, bool, str]:
    """(more-than percentage, confirmed, citation); without the rule, more than half, unconfirmed."""
    try:
        found = core_rules.rule(rules.RULE_KEYS["quorum_pct"], day)
    except core_rules.RuleMissing:
        return 50, False, ""
    return found.value, found.confirmed, found.citation


def _percent(present: int, called: int) -> int | None:
    """Whole per cent, halves rounded up (the page's script rounds the same way)."""
    return int(100 * present / called + 0.5) if called else None


def counts(meeting: Meeting) -> dict[str, Any]:
    called, present, _official, _official_present = services.counts(meeting)
    more_than, confirmed, _citation = _quorum_rule(meeting.date)
    q = rules.quorum(called=called, present=present, more_than_pct=more_than)
    unrecorded = meeting.attendance.filter(status=Attendance.Status.INVITED).count()
    return {"called": called, "present": present, "pct": _percent(present, called), "valid": q.valid,
            "more_than_pct": more_than, "rule_confirmed": confirmed, "unrecorded": unrecorded}


def _verdicts(more_than: int) -> tuple[str, str]:
    threshold = _("more than half") if more_than == 50 else _("more than %(pct)s%%") % {"pct": more_than}
    return (_("Quorum reached: %(threshold)s of the members called are present.") % {"threshold": threshold},
            _("No quorum yet: %(threshold)s of the members called must be present.") % {"threshold": threshold})


def _state(meeting: Meeting) -> dict[str, list[dict[str, Any]]]:
    """Every row as the server has it now, so the page shows what others changed."""
    return {
        "attendance": [{"person": p, "status": s, "reason": r, "revision": v} for p, s, r, v in
                       meeting.attendance.values_list("person_id", "status", "reason", "revision")],
        "notes": [{"item": i, "notes": n, "conclusion": c, "revision": v} for i, n, c, v in
                  meeting.agenda.values_list("pk", "notes", "conclusion", "revision")],
    }


# --- The page ------------------------------------------------------------------------------------

def _locked(meeting: Meeting, day: dt.date) -> str:
    """Why attendance cannot be taken today, or ""."""
    if meeting.status == Meeting.Status.CANCELLED:
        return _("This meeting was cancelled; its attendance is not taken.")
    if meeting.date > day:
        return _("Attendance is taken on the day of the meeting (%(date)s). The buttons work from that day.") % {
            "date": format_vn_date(meeting.date)}
    return ""


def _strings(more_than: int) -> dict[str, Any]:
    """What the page's script writes, translated here (the script has no catalogue of its own)."""
    valid, invalid = _verdicts(more_than)
    return {
        "queued": _("Saved on this phone — not sent yet"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "conflict": _("Changed by someone else meanwhile — choose which to keep"),
        "refused": _("Not saved"),
        "kept_theirs": _("Kept the one saved by someone else"),
        "pending_one": _("1 change is saved on this phone and not sent yet."),
        "pending_many": _("%(n)s changes are saved on this phone and not sent yet."),
        "conflicts_one": _("1 change needs your choice: someone else changed the same thing."),
        "conflicts_many": _("%(n)s changes need your choice: someone else changed the same thing."),
        "all_sent": _("All changes are sent."),
        "offline": _("No connection. Your changes are kept on this phone and sent when the connection is back."),
        "signed_out": _("You are signed out. Sign in again to send; your changes stay on this phone."),
        "sign_in": _("Sign in"),
        "not_allowed": _("The server refused the changes (your post may have changed). They stay on this phone."),
        "server_problem": _("The server did not take the changes just now. They stay on this phone and will be "
                            "sent again."),
        "storage_failed": _("This phone could not keep the change (storage full or private browsing). It is "
                            "sent only while there is a connection."),
        "ready": _("This page also works without a connection on this phone."),
        "ask_reason": _("Write the reason, then press “Save: absent with this reason”."),
        "yours": _("Yours"),
        "theirs": _("Saved by someone else"),
        "keep_mine": _("Keep mine"),
        "keep_theirs": _("Keep theirs"),
        "notes": _("Discussion notes"),
        "conclusion": _("Conclusion"),
        "empty": _("(empty)"),
        "statuses": {value: str(label) for value, label in Attendance.Status.choices},
        "valid": valid,
        "invalid": invalid,
    }


def _render(request: HttpRequest, meeting: Meeting, *, rows_state: dict[str, dict[str, Any]] | None = None,
            page_error: str = "", status: int = 200) -> HttpResponse:
    rows_state = rows_state or {}
    day = today()
    rows = list(meeting.attendance.select_related("person"))
    rows.sort(key=lambda a: (a.role != Attendance.Role.MEMBER, a.person.sort_key, a.pk))
    for a in rows:
        st = rows_state.get(f"a:{a.person_id}", {})
        a.error, a.conflict = st.get("error", ""), st.get("conflict")  # type: ignore[attr-defined]
        # a reason told ahead (absence_notice) is suggested until the attendance is recorded
        suggested = a.notice if a.status == Attendance.Status.INVITED and not a.reason else a.reason
        a.shown_reason = st.get("mine", {}).get("reason", suggested)  # type: ignore[attr-defined]
    items = list(meeting.agenda.all())
    for item in items:
        st = rows_state.get(f"n:{item.pk}", {})
        mine = st.get("mine", {})
        item.error, item.conflict = st.get("error", ""), st.get("conflict")  # type: ignore[attr-defined]
        item.shown_notes = mine.get("notes", item.notes)  # type: ignore[attr-defined]
        item.shown_conclusion = mine.get("conclusion", item.conclusion)  # type: ignore[attr-defined]
    figures = counts(meeting)
    more_than, confirmed, citation = _quorum_rule(meeting.date)
    valid, invalid = _verdicts(more_than)
    page_url = reverse("meeting-attendance", args=[meeting.pk])
    return render(request, "meetings/attendance.html", {
        "meeting": meeting, "rows": rows, "items": items, "figures": figures, "verdict": valid if figures["valid"]
        else invalid, "rule_confirmed": confirmed, "citation": citation, "locked": _locked(meeting, day),
        "buttons": [(value, Attendance.Status(value).label) for value in BUTTONS], "page_url": page_url,
        "sync_url": reverse("meeting-attendance-sync", args=[meeting.pk]), "sw_url": reverse("meeting-sw"),
        "sw_scope": SW_SCOPE, "strings": _strings(more_than), "page_error": page_error,
    }, status=status)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _display(row: dict[str, Any]) -> str:
    label = capfirst(str(Attendance.Status(row["status"]).label)) if row.get("status") in Attendance.Status.values \
        else "—"
    return f"{label} ({row['reason']})" if row.get("reason") else label


def _server_value(meeting: Meeting, kind: str, data: Any) -> dict[str, Any]:
    if kind == "notes":
        item = meeting.agenda.filter(pk=_int(data.get("item")) or 0).first()
        return {"notes": item.notes, "conclusion": item.conclusion, "revision": item.revision} if item else {}
    row = meeting.attendance.filter(person_id=_int(data.get("person")) or 0).first()
    return {"status": row.status, "reason": row.reason, "revision": row.revision} if row else {}


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The page; without JavaScript each row (a person, or an agenda item's notes) is a form
    posted here, carrying the revision it was read at."""
    meeting = access.get_meeting(request.user, pk, write=True)
    if request.method == "GET":
        return _render(request, meeting)
    kind, base = request.POST.get("kind", ""), _int(request.POST.get("base"))
    try:
        if kind == "notes":
            item_id = _int(request.POST.get("item"))
            key = f"n:{item_id}"
            mine = {"notes": request.POST.get("notes", ""), "conclusion": request.POST.get("conclusion", "")}
            item = services.agenda_note(meeting, actor=request.user, item_id=item_id or 0, notes=mine["notes"],
                                        conclusion=mine["conclusion"], base_revision=base)
            messages.success(request, _("Notes saved: %(item)s.") % {"item": item.title})
            return redirect(f"{reverse('meeting-attendance', args=[meeting.pk])}#i-{item.pk}")
        person_id = _int(request.POST.get("person"))
        key = f"a:{person_id}"
        status = request.POST.get("status", "")
        # the reason box stays filled without JavaScript; it belongs only to "absent with reason"
        mine = {"status": status, "reason": request.POST.get("reason", "") if status == "excused" else ""}
        row = services.attendance_record(meeting, actor=request.user, person_id=person_id or 0,
                                         status=mine["status"], reason=mine["reason"], base_revision=base)
        messages.success(request, _("Saved: %(name)s — %(status)s.") % {"name": row.person.full_name,
                                                                       "status": _display(mine)})
        return redirect(f"{reverse('meeting-attendance', args=[meeting.pk])}#p-{row.person_id}")
    except services.Conflict as exc:
        server = _server_value(meeting, kind, request.POST)
        if kind != "notes":
            server["shown"], mine["shown"] = _display(server), _display(mine)
        state = {key: {"mine": mine, "conflict": {"message": " ".join(exc.messages), "server": server,
                                                  "mine": mine}}}
        return _render(request, meeting, rows_state=state, status=409)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        exists = (AgendaItem.objects.filter(meeting=meeting, pk=_int(request.POST.get("item")) or 0).exists()
                  if kind == "notes" else
                  meeting.attendance.filter(person_id=_int(request.POST.get("person")) or 0).exists())
        if not exists:  # a person not invited, an item not on the agenda: no row to show it on
            return _render(request, meeting, page_error=message, status=400)
        return _render(request, meeting, rows_state={key: {"mine": mine, "error": message}}, status=400)


# --- The sync endpoint ----------------------------------------------------------------------------

def _clean_change(raw: Any) -> tuple[dict[str, Any], str]:
    """The change with only the fields the service reads, and "" — or what is wrong with it."""
    if not isinstance(raw, dict):
        return {}, _("This change could not be read.")
    kind = raw.get("type")
    change: dict[str, Any] = {"type": kind}
    if isinstance(raw.get("id"), str) and len(raw["id"]) <= 64:
        change["id"] = raw["id"]
    base = raw.get("base")
    change["base"] = _int(base) if base is not None else None
    if kind == "attendance":
        change["person"] = _int(raw.get("person"))
        texts = ("status", "reason")
    elif kind == "notes":
        change["item"] = _int(raw.get("item"))
        texts = ("notes", "conclusion")
    else:
        return change, _("This change could not be read.")
    for name in texts:
        value = raw.get(name, "")
        change[name] = value if isinstance(value, str) else ""
        if len(change[name]) > MAX_TEXT:
            return change, _("This text is too long to save (at most %(n)s characters).") % {"n": MAX_TEXT}
    if (base is not None and change["base"] is None) or change.get("person", change.get("item")) is None:
        return change, _("This change could not be read.")
    return change, ""


@login_required
@require_POST
def attendance_sync(request: HttpRequest, pk: int) -> JsonResponse:
    """Apply the page's queue: {"changes": [...]} → {applied, conflicts, refused, counts, state}.
    Each change is applied on its own; a stale one comes back as a conflict with the server's
    value, a wrong one as refused with the message."""
    meeting = access.get_meeting(request.user, pk, write=True)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        payload = None
    raw = payload.get("changes") if isinstance(payload, dict) else None
    if not isinstance(raw, list) or len(raw) > MAX_CHANGES:
        return JsonResponse({"error": {"code": "bad_request", "message": _(
            "The changes could not be read. They stay on this phone; reload the page and try again.")}}, status=400)
    changes, refused = [], []
    for item in raw:
        change, problem = _clean_change(item)
        if problem:
            refused.append({**change, "message": problem})
        else:
            changes.append(change)
    result = services.sync(meeting, actor=request.user, changes=changes)
    return JsonResponse({"applied": result.applied, "conflicts": result.conflicts,
                         "refused": refused + result.refused, "counts": counts(meeting), "state": _state(meeting)})


# --- The service worker ---------------------------------------------------------------------------

@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at /hop/ so that its scope covers the meeting pages. It holds no
    data of anyone's (the page is cached by the worker in the browser that opened it), so it
    is served without signing in; its name changes with its code and its assets' names."""
    config = {
        "assets": [static(path) for path in SW_ASSETS], "scope": SW_SCOPE,
        "page": r"^/hop/\d+/diem-danh/$", "csp": security.CONTENT_SECURITY_POLICY, "lang": request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "vi",
        "offline_title": _("No connection"),
        "offline_text": _("This page has not been opened on this phone before, so it cannot be shown without a "
                          "connection. The attendance pages opened on this phone before still work."),
    }
    body = loader.render_to_string("meetings/sw.js", {"config": json.dumps(config, indent=1)})
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    response = HttpResponse(body.replace("__VERSION__", version), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SW_SCOPE
    return response  # Cache-Control: private, no-store (chibo.web.security), so updates arrive at once
