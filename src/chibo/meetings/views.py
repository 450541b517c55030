"""Pages for cell meetings (issue 5): a cell's meetings, the meeting page (details, agenda,
invitees with attendance and the quorum, materials, votes, minutes, and what the user may
do), the forms that prepare and record a meeting, the minutes editor and its PDF in the
official layout, and the commune's list of cells that have not held a required meeting.

Objects come only through chibo.access; every write is a call to meetings.services; an htmx
request gets the fragment that changes (the attendance and quorum, the past meetings, the
missing-meetings list) from the same view. The attendance screen itself, which works
offline, lives in meetings/offline*.py."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo import access
from chibo.audit import selectors as audit_selectors
from chibo.audit import services as audit
from chibo.core import pdf
from chibo.core.dates import add_months, format_vn_date, today
from chibo.core.models import Rule
from chibo.core.numbers import ID_MAX, query_int
from chibo.core.rules import RuleBook, RuleMissing
from chibo.core.text import fold
from chibo.meetings import rules, selectors, services
from chibo.meetings.forms import (
    AbsenceNoticeForm,
    CancelForm,
    ExemptAddForm,
    GapsForm,
    GuestForm,
    HeldForm,
    MaterialForm,
    MeetingForm,
    MinutesForm,
    VoteForm,
    VoterForm,
)
from chibo.meetings.models import Attendance, Material, Meeting, Minutes, Vote
from chibo.members import selectors as member_selectors
from chibo.members.models import Person, Post
from chibo.organisations import services as org_services
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.plans.exports import heading
from chibo.web.downloads import stored_file
from chibo.web.pages import paginate
from chibo.web.views import _template

OPEN = (Meeting.Status.DRAFT, Meeting.Status.PUBLISHED)
GUEST_LIMIT = 60


def _rule(book: RuleBook, key: str, on: dt.date) -> Rule | None:
    try:
        return book.rule(rules.RULE_KEYS[key], on)
    except RuleMissing:
        return None


def _url_or_none(name: str, *args: Any) -> str | None:
    """The URL of a page another part of chibo provides (the offline attendance screen), or
    None while it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _upload(form: MaterialForm) -> tuple[bytes, str] | None:
    f = form.cleaned_data.get("file")
    if f is None:
        return None
    return f.read(settings.CHIBO_UPLOAD_MAX_BYTES + 1), f.name or "tep"


def _service_errors(form: Any, exc: ValidationError) -> str:
    """Attach a service's errors to the form's fields; what no field shows comes back as text."""
    rest: list[str] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if name in form.fields and name not in ("version", "vote"):
                for e in errors:
                    form.add_error(name, e)
            else:
                rest.extend(errors)
    else:
        rest.extend(exc.messages)
    return " ".join(rest)


# --- A cell's meetings --------------------------------------------------------------------------

@login_required
@require_GET
def org_meetings(request: HttpRequest, code: str) -> HttpResponse:
    """A cell's meetings, upcoming first then the past ones; for a commune, its cells' meetings."""
    org = access.get_organisation(request.user, code)
    day = today()
    visible = access.meetings(request.user)
    qs = visible.filter(organisation=org) if org.is_cell else selectors.in_subtree(visible, org)
    qs = qs.select_related("organisation").annotate(
        called=Count("attendance", filter=Q(attendance__role=Attendance.Role.MEMBER)),
        came=Count("attendance", filter=Q(attendance__role=Attendance.Role.MEMBER,
                                          attendance__status__in=Attendance.PRESENT_STATUSES)))
    upcoming = list(qs.filter(date__gte=day, status__in=OPEN).order_by("date", "start_time", "pk")[:50])
    past = qs.filter(Q(date__lt=day) | ~Q(status__in=OPEN)).order_by("-date", "-start_time", "-pk")
    page = paginate(request, past, settings.CHIBO_PAGE_SIZE)
    context = {
        "org": org, "day": day, "upcoming": upcoming, "page": page, "show_org": not org.is_cell,
        "can_hold": org.is_cell and org.is_active and access.may_hold_meetings(request.user, org),
        "sees_gaps": not org.is_cell and access.sees_members_of(request.user, org),
    }
    return render(request, _template(request, "meetings/org_meetings.html", "meetings/_past_meetings.html"), context)


# --- Creating and changing a meeting -----------------------------------------------------------

def _people(org: Organisation) -> list[Person]:
    return member_selectors.people_of(org)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("org", "")
    if not code:
        cells = access.meeting_cells(request.user)
        if not cells:
            raise PermissionDenied
        code = cells[0].code
    org = access.get_organisation(request.user, code)
    if not access.may_hold_meetings(request.user, org):
        raise PermissionDenied
    if not org.is_cell:
        messages.info(request, _("Meetings are held by a party cell. Open the cell, then add its meeting."))
        return redirect("org-meetings", code=org.code)
    if (ended := org_services.ended_on(org)) is not None:
        messages.warning(request, _("%(org)s ended on %(date)s (merged or dissolved): it holds no new meetings. "
                                    "Prepare the meeting in the cell its members now belong to.") % {
            "org": org.name, "date": format_vn_date(ended)})
        return redirect("org-meetings", code=org.code)
    people = _people(org)
    day = today()
    last = access.meetings(request.user).filter(organisation=org).order_by("-date", "-pk").first()
    secretary = member_selectors.committee_posts([org], on=day).filter(kind=Post.Kind.SECRETARY).first()
    initial = {"kind": Meeting.Kind.REGULAR, "start_time": last.start_time if last else dt.time(19, 30),
               "place": last.place if last else "", "agenda": "\n".join(services.default_agenda()),
               "chair": str(secretary.person_id) if secretary else ""}
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial, people=people)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, organisation=org,
                                              agenda=form.agenda_items() or None, **form.meeting_data())
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("The meeting was prepared. Add its materials, then announce it to send the "
                                        "invitations."))
            if warning := services.same_month_warning(meeting):
                messages.warning(request, warning)
            return redirect("meeting", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {
        "form": form, "org": org, "error": error, "title": _("New meeting of %(org)s") % {"org": org.name},
        "back": reverse("org-meetings", args=[org.code])}, status=400 if form.errors or error else 200)


def _edit_initial(meeting: Meeting) -> dict[str, Any]:
    return {"kind": meeting.kind, "date": meeting.date, "start_time": meeting.start_time,
            "end_time": meeting.end_time, "place": meeting.place, "thematic_topic": meeting.thematic_topic,
            "chair": str(meeting.chair_id or ""), "recorder": str(meeting.recorder_id or ""),
            "version": meeting.version}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk, write=True)
    if meeting.status not in OPEN:
        messages.error(request, _("A meeting that is %(status)s cannot be changed.") % {
            "status": meeting.get_status_display()})
        return redirect("meeting", pk=meeting.pk)
    people = _people(meeting.organisation)
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=_edit_initial(meeting),
                       people=people, editing=True)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        moved_from = (meeting.kind, meeting.date)
        try:
            services.meeting_update(meeting, actor=request.user, version=form.cleaned_data.get("version"),
                                    **form.meeting_data())
        except services.Conflict as exc:
            # the meeting as it is now, with the current version: the user looks, then changes again
            meeting = access.get_meeting(request.user, pk, write=True)
            form = MeetingForm(initial=_edit_initial(meeting), people=people, editing=True)
            error, status = " ".join(exc.messages), 409
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved.") + (
                " " + _("The invitees were told of the change.") if meeting.status == Meeting.Status.PUBLISHED
                else ""))
            if (meeting.kind, meeting.date) != moved_from and (warning := services.same_month_warning(meeting)):
                messages.warning(request, warning)
            return redirect("meeting", pk=meeting.pk)
    if status == 200 and (form.errors or error):
        status = 400
    return render(request, "meetings/meeting_form.html", {
        "form": form, "org": meeting.organisation, "meeting": meeting, "error": error,
        "title": _("Change the meeting"), "back": reverse("meeting", args=[meeting.pk])}, status=status)


# --- The meeting page -----------------------------------------------------------------------------

@dataclass
class Tally:
    called: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    unexcused: int = 0
    unrecorded: int = 0
    official: int = 0
    official_present: int = 0

    @property
    def absent(self) -> int:
        return self.excused + self.unexcused


def tally(rows: list[Attendance]) -> Tally:
    t = Tally()
    for r in rows:
        if r.role != Attendance.Role.MEMBER:
            continue
        t.called += 1
        t.official += r.official
        if r.status == Attendance.Status.PRESENT:
            t.present += 1
        elif r.status == Attendance.Status.LATE:
            t.late += 1
        elif r.status == Attendance.Status.EXCUSED:
            t.excused += 1
        elif r.status == Attendance.Status.UNEXCUSED:
            t.unexcused += 1
        else:
            t.unrecorded += 1
        t.official_present += r.official and r.came
    return t


def _attendance_context(meeting: Meeting, book: RuleBook, can_write: bool = False) -> dict[str, Any]:
    rows = list(meeting.attendance.select_related("person").order_by("role", "person__sort_key", "pk"))
    labels = {value: str(label) for value, label in Attendance.Status.choices}  # translated once, not per row
    for r in rows:
        r.status_label = labels.get(r.status, r.status)  # type: ignore[attr-defined]
    t = tally(rows)
    roll = rules.roll([*services.seats(rows), *services.absent_exempt(meeting)])
    quorum_rule = _rule(book, "quorum_pct", meeting.date)
    quorum = rules.quorum(called=roll.called, present=roll.present,
                          more_than_pct=quorum_rule.value if quorum_rule else 50)
    return {"members": [r for r in rows if r.role == Attendance.Role.MEMBER],
            "guests": [r for r in rows if r.role == Attendance.Role.GUEST],
            "tally": t, "roll": roll, "quorum": quorum, "quorum_rule": quorum_rule,
            "live": meeting.status in OPEN and meeting.date == today() and t.unrecorded > 0,
            # before the start the quorum is only expected: the verdict comes once the meeting has started
            "started": services.started(meeting),
            "can_all_present": can_write and meeting.status in OPEN and meeting.date <= today() and t.unrecorded > 0}


def _meeting_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    user = request.user
    org = meeting.organisation
    day = today()
    book = RuleBook()
    can_write = access.may_hold_meetings(user, org)
    is_open = meeting.status in OPEN
    day_come = meeting.date <= day
    starts = timezone.make_aware(meeting.starts) if timezone.is_naive(meeting.starts) else meeting.starts
    context: dict[str, Any] = {"meeting": meeting, "org": org, "day": day, "can_write": can_write,
                               **_attendance_context(meeting, book, can_write)}

    lead_rule = _rule(book, "lead_days", meeting.date)
    materials: list[Material] = []
    if access.sees_materials(user, meeting):
        materials = list(meeting.materials.all())
        for m in materials:
            m.late = m.published_at is not None and rules.materials_late(  # type: ignore[attr-defined]
                published=m.published_at, meeting_starts=starts, lead_days=lead_rule.value if lead_rule else 1)
    votes = list(meeting.votes.prefetch_related(Prefetch("tasks", queryset=access.tasks(user).order_by("due_on"))))
    may_assign = access.may_assign(user, org)
    for v in votes:
        v.task_url = (f"{reverse('task-create')}?org={org.code}&vote={v.pk}"  # type: ignore[attr-defined]
                      if may_assign and v.passed else "")
        _explain_vote(v, context["roll"])
    minutes = list(meeting.minutes.all())
    if not access.sees_draft_minutes(user, meeting):
        minutes = [m for m in minutes if m.final]
    short = None
    if meeting.end_time is not None:
        floor, combined = _rule(book, "min_minutes", meeting.date), _rule(book, "combined_min_minutes", meeting.date)
        if floor and combined:
            need = rules.too_short(start=meeting.start_time, end=meeting.end_time, combined=meeting.combined,
                                   min_minutes=floor.value, combined_min_minutes=combined.value)
            short = (need, combined if meeting.combined else floor) if need else None
    guest_form = extra.pop("guest_form", None)
    if guest_form is None and can_write and is_open:
        groups = _guest_groups(meeting, None, None, request)
        if groups[0][1]:  # one tap for the commune's committee members; anyone else from the guest page
            guest_form = GuestForm(people=groups)
    mine = _own_invitation(user, meeting, context["members"])
    context.update({
        "mine": mine,
        "can_notice": mine is not None and meeting.status == Meeting.Status.PUBLISHED
        and not services.started(meeting),
        "notice_form": extra.pop("notice_form", None) or AbsenceNoticeForm(),
        "agenda": list(meeting.agenda.all()), "materials": materials, "lead_rule": lead_rule,
        "sees_materials": access.sees_materials(user, meeting), "votes": votes, "minutes": minutes,
        "short": short,
        "cancelled": audit_selectors.last_recorded(meeting, "cancel")
        if meeting.status == Meeting.Status.CANCELLED else None,
        "can_edit": can_write and is_open,
        "can_publish": can_write and meeting.status == Meeting.Status.DRAFT and starts > timezone.now(),
        "can_add": can_write and is_open,
        "can_record": can_write and is_open and day_come,
        "can_vote": can_write and meeting.status != Meeting.Status.CANCELLED and day_come,
        "can_cancel": can_write and is_open,
        "attendance_url": _url_or_none("meeting-attendance", meeting.pk) if can_write and is_open and day_come
        else None,
        "minutes_open": bool(minutes) or (can_write and day_come and meeting.status != Meeting.Status.CANCELLED),
        "material_form": extra.pop("material_form", None) or MaterialForm(),
        "guest_form": guest_form,
        "held_form": extra.pop("held_form", None) or HeldForm(initial={"end_time": meeting.end_time}),
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
    })
    context.update(extra)
    return context


def _own_invitation(user: Any, meeting: Meeting, members: list[Attendance]) -> Attendance | None:
    """The user's own invitation to the meeting as a member of the cell, if any."""
    person_id = getattr(user, "person_id", None)
    return next((a for a in members if person_id is not None and a.person_id == person_id), None)


def _meeting_page(request: HttpRequest, meeting: Meeting, status: int = 200, **extra: Any) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and request.method == "GET":  # the attendance and quorum, refreshed
        return render(request, "meetings/_attendance.html",
                      {"meeting": meeting, **_attendance_context(
                          meeting, RuleBook(), access.may_hold_meetings(request.user, meeting.organisation))})
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting, **extra), status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, access.get_meeting(request.user, pk))


@login_required
@require_POST
def meeting_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk, write=True)
    try:
        sent = services.meeting_publish(meeting, actor=request.user)
    except ValidationError as exc:
        return _meeting_page(request, meeting, status=400, error=" ".join(exc.messages))
    messages.success(request, _("The meeting was announced; %(n)s invitations were sent in chibo. Its materials "
                                "are now open to the invitees.") % {"n": sent})
    return redirect("meeting", pk=meeting.pk)


@login_required
@require_POST
def meeting_material(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk, write=True)
    form = MaterialForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            material = services.material_add(meeting, actor=request.user, title=form.cleaned_data.get("title") or "",
                                             upload=_upload(form))
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” was attached.") % {"title": material.title})
            return redirect(reverse("meeting", args=[meeting.pk]) + "#materials")
    return _meeting_page(request, meeting, status=400, material_form=form, error=error, failed="material")


@login_required
@require_GET
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    material, meeting = access.get_material(request.user, pk)
    return stored_file(request, material.file, material.file_name, obj=material,
                       object_repr=f"{meeting}: {material.title}", org_path=meeting.organisation.path,
                       note=_("Meeting material downloaded: %(name)s") % {"name": material.file_name})


# --- Guests -------------------------------------------------------------------------------------------

def _guest_groups(meeting: Meeting, query: str | None, chosen: str | None,
                  request: HttpRequest) -> list[tuple[str, list[Person]]]:
    """Whom a cell may invite: the holders of committee posts of the organisation above it (the
    commune committee member who follows the cell among them), then members of the commune's
    other cells — those matching `query`, or the one `chosen` in a posted form."""
    org = meeting.organisation
    invited = set(meeting.attendance.values_list("person_id", flat=True))
    parent = org.parent
    committee = [p for p in member_selectors.people_of(parent) if p.pk not in invited] if parent is not None else []
    others: list[Person] = []
    if query or chosen:
        qs = access.task_people(request.user, org).exclude(pk__in=invited).exclude(
            pk__in=[p.pk for p in committee]).exclude(**{f"membership__{LEVEL_OF_KIND[org.kind]}_id": org.pk})
        if chosen:
            pk_chosen = query_int(chosen, 1, ID_MAX)
            qs = qs.filter(pk=pk_chosen) if pk_chosen else qs.none()
        else:
            qs = qs.filter(search_name__contains=fold(query or ""))
        others = list(qs.order_by("sort_key", "pk")[:GUEST_LIMIT])
    return [(_("Committee of %(org)s") % {"org": parent.name} if parent else _("Committee"), committee),
            (_("Members of other cells"), others)]


@login_required
@require_http_methods(["GET", "POST"])
def meeting_guest(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a guest: a committee member of the commune (one tap on the meeting page), or a
    member of another cell found by name here."""
    meeting = access.get_meeting(request.user, pk, write=True)
    query = request.GET.get("q", "").strip()[:80]
    if request.method == "POST":
        form = GuestForm(request.POST, people=_guest_groups(meeting, None, request.POST.get("guest", ""), request))
        error = ""
        if meeting.status not in OPEN:
            error = _("Guests are invited before the meeting is recorded as held.")
        elif form.is_valid():
            person = form.person()
            if person is None:
                form.add_error("guest", _("Choose the guest from the list."))
            else:
                try:
                    services.guest_add(meeting, actor=request.user,
                                       guest=services.Guest(person, form.cleaned_data.get("title") or ""))
                except ValidationError as exc:
                    error = _service_errors(form, exc)
                else:
                    messages.success(request, _("%(name)s is invited.") % {"name": person.full_name})
                    return redirect(reverse("meeting", args=[meeting.pk]) + "#invitees")
        if request.POST.get("from") == "meeting":
            return _meeting_page(request, meeting, status=400, guest_form=form, error=error, failed="guest")
        return render(request, "meetings/guest.html", {"meeting": meeting, "form": form, "query": query,
                                                       "error": error}, status=400)
    groups = _guest_groups(meeting, query, None, request)
    form = GuestForm(people=groups)
    return render(request, "meetings/guest.html", {"meeting": meeting, "form": form, "query": query,
                                                   "searched": bool(query), "found": len(groups[1][1])})


# --- Votes ----------------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> str:
    """75% / 66,7% as Vietnamese writes it."""
    return f"{part * 100 / whole:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "%" if whole else "—"


def _explain_vote(v: Vote, now: rules.Roll) -> None:
    """The arithmetic of a recorded vote for the page: who was left out, the share, the need,
    and whether the roll has changed since it was recorded."""
    v.left_out_text = rules.left_out_text(v.left_out)  # type: ignore[attr-defined]
    v.share = _share(v.votes_for, v.official_called or 0)  # type: ignore[attr-defined]
    v.roll_changed = services.roll_changed(v, now)  # type: ignore[attr-defined]
    v.now_called = now.official_called  # type: ignore[attr-defined]


def _majorities(meeting: Meeting, official: int) -> list[dict[str, Any]]:
    """Each kind's rule on the meeting's day and the fewest votes for it needs now."""
    out = []
    for kind, label in ((Vote.Kind.GENERAL, _("A resolution or other decision")),
                        (Vote.Kind.ADMISSION, _("Admission and recognition as an official member")),
                        (Vote.Kind.REMOVAL, _("Removal of an official member from the rolls"))):
        maj = services.majority(kind, meeting.date)
        share = (_("more than %(pct)s%%") % {"pct": maj.more_than_pct} if kind == Vote.Kind.GENERAL
                 else f"{maj.num}/{maj.den}")
        out.append({"label": label, "share": share, "citation": maj.citation, "confirmed": maj.confirmed,
                    "need": rules.need_for(kind=kind, official=official, num=maj.num, den=maj.den,
                                           more_than_pct=maj.more_than_pct)})
    return out


@login_required
@require_http_methods(["GET", "POST"])
def meeting_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an item voted on (or correct one, `?vote=<id>`); whether it passed is computed by
    the rule of its kind and written out."""
    meeting = access.get_meeting(request.user, pk, write=True)
    raw = request.POST.get("vote") if request.method == "POST" else request.GET.get("vote")
    vote_pk = query_int(raw, 1, ID_MAX)
    vote = meeting.votes.filter(pk=vote_pk).first() if vote_pk else None
    if raw and vote is None:
        raise Http404
    initial: dict[str, Any] = {"kind": Vote.Kind.GENERAL}
    if vote is not None:
        initial = {"kind": vote.kind, "title": vote.title, "votes_for": vote.votes_for,
                   "votes_against": vote.votes_against, "votes_abstain": vote.votes_abstain,
                   "decision": vote.decision, "vote": vote.pk}
    form = VoteForm(request.POST if request.method == "POST" else None, initial=initial)
    error = ""
    if meeting.status == Meeting.Status.CANCELLED:
        error = _("This meeting was cancelled.")
    elif request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_record(meeting, actor=request.user, vote=vote, **form.vote_data())
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            done = _("Passed") if vote.passed else _("Not passed")
            messages.success(request, f"{vote.title}: {done}. {vote.basis}")
            return redirect(reverse("meeting", args=[meeting.pk]) + "#votes")
    roll = services.roll(meeting)
    return render(request, "meetings/vote.html", {
        "meeting": meeting, "form": form, "vote": vote, "error": error, "roll": roll,
        "left_out": roll.left_out_text(), "majorities": _majorities(meeting, roll.official_called),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_voters(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is counted for the votes: each member called, with what leaves them out of the official
    members called (temporary activity elsewhere, suspension, prosecution, an approved absence);
    an exempt member of the cell who came, added here and counted when they vote."""
    meeting = access.get_meeting(request.user, pk, write=True)
    exempt = [m.person for m in services.exempt_members(meeting)]
    add_form = ExemptAddForm(people=exempt)
    failed: tuple[int, VoterForm] | None = None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "add":
                add_form = ExemptAddForm(request.POST, people=exempt)
                if add_form.is_valid():
                    row = services.exempt_member_add(meeting, actor=request.user,
                                                     person_id=int(add_form.cleaned_data["person"]),
                                                     voted=bool(add_form.cleaned_data.get("voted")))
                    messages.success(request, _("%(name)s is recorded as present.") % {"name": row.person.full_name})
                    return redirect("meeting-voters", pk=meeting.pk)
            else:
                form = VoterForm(request.POST, auto_id=f"v{request.POST.get('person', '')[:12]}_%s")
                if form.is_valid():
                    row = services.voter_record(meeting, actor=request.user, **form.voter_data())
                    messages.success(request, _("Saved for %(name)s.") % {"name": row.person.full_name})
                    return redirect(reverse("meeting-voters", args=[meeting.pk]) + f"#voter-{row.person_id}")
                failed = (query_int(request.POST.get("person"), 1, ID_MAX) or 0, form)
        except ValidationError as exc:
            if request.POST.get("action") == "add":
                error = _service_errors(add_form, exc)
            else:
                failed = (query_int(request.POST.get("person"), 1, ID_MAX) or 0, form)
                error = _service_errors(form, exc)
    rows = list(meeting.attendance.filter(role=Attendance.Role.MEMBER).select_related("person")
                .order_by("person__sort_key", "pk"))
    for r in rows:
        r.form = (failed[1] if failed and failed[0] == r.person_id else  # type: ignore[attr-defined]
                  VoterForm(initial={"person": r.person_id, "excluded": r.excluded, "note": r.excluded_note,
                                     "voted": r.voted}, auto_id=f"v{r.person_id}_%s"))
    roll = rules.roll([*services.seats(rows), *services.absent_exempt(meeting)])
    return render(request, "meetings/voters.html", {
        "meeting": meeting, "rows": rows, "roll": roll, "add_form": add_form, "exempt": exempt, "error": error,
        "can_add": meeting.status != Meeting.Status.CANCELLED and meeting.date <= today(),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def meeting_all_present(request: HttpRequest, pk: int) -> HttpResponse:
    """"Everyone present": each invitee not recorded yet is recorded present; then the secretary
    changes the few who did not come on the attendance screen."""
    meeting = access.get_meeting(request.user, pk, write=True)
    told = meeting.attendance.filter(status=Attendance.Status.INVITED).exclude(notice="").count()
    try:
        n = services.attendance_all_present(meeting, actor=request.user)
    except ValidationError as exc:
        return _meeting_page(request, meeting, status=400, error=" ".join(exc.messages))
    if n - told:
        messages.success(request, _("%(n)s people were recorded as present. Now change those who did not come: "
                                    "tap “Take attendance”.") % {"n": n - told})
        if told:
            messages.info(request, _("%(n)s people who told the cell ahead that they would be absent were recorded "
                                     "as absent with their reason.") % {"n": told})
    return redirect(reverse("meeting", args=[meeting.pk]) + "#invitees")


@login_required
@require_POST
def meeting_absence(request: HttpRequest, pk: int) -> HttpResponse:
    """A member tells the cell ahead that they will be absent, with the reason: only for
    themself, on a meeting they see and are invited to (403 otherwise)."""
    meeting = access.get_meeting(request.user, pk)
    person = _notice_person(request, meeting)
    form = AbsenceNoticeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.absence_notice(meeting, person=person, actor=request.user,
                                    reason=form.cleaned_data.get("reason") or "")
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("The cell secretary will see that you will be absent, with your reason. "
                                        "If you can come after all, withdraw it here before the meeting."))
            return redirect(reverse("meeting", args=[meeting.pk]) + "#absence")
    return _meeting_page(request, meeting, status=400, notice_form=form, error=error, failed="absence")


@login_required
@require_POST
def meeting_absence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk)
    person = _notice_person(request, meeting)
    try:
        services.absence_notice_withdraw(meeting, person=person, actor=request.user)
    except ValidationError as exc:
        return _meeting_page(request, meeting, status=400, error=" ".join(exc.messages), failed="absence")
    messages.success(request, _("Your absence notice was withdrawn: you are expected at the meeting."))
    return redirect(reverse("meeting", args=[meeting.pk]) + "#absence")


def _notice_person(request: HttpRequest, meeting: Meeting) -> Person:
    """Only the member themself tells their absence: one without an invitation of their own
    may see the meeting but not do this (403)."""
    return access.get_called_member(request.user, meeting)


# --- Held, cancelled ------------------------------------------------------------------------------

@login_required
@require_POST
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk, write=True)
    form = HeldForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.meeting_held(meeting, actor=request.user, end_time=form.cleaned_data.get("end_time"))
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is recorded as held. Now write its minutes."))
            floor = services.too_short(meeting)
            if floor:
                messages.warning(request, _("The meeting lasted less than the %(n)s minutes a meeting should last.")
                                 % {"n": floor})
            return redirect("meeting-minutes", pk=meeting.pk)
    return _meeting_page(request, meeting, status=400, held_form=form, error=error, failed="held")


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.get_meeting(request.user, pk, write=True)
    form = CancelForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.meeting_cancel(meeting, actor=request.user, reason=form.cleaned_data.get("reason") or "")
        except ValidationError as exc:
            error = _service_errors(form, exc)
        else:
            messages.success(request, _("The meeting was cancelled."))
            return redirect("meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, status=400, cancel_form=form, error=error, failed="cancel")


# --- Minutes ----------------------------------------------------------------------------------------

MINUTES_ACTIONS = {"draft", "save", "finalise"}


def _minutes_versions(request: HttpRequest, meeting: Meeting) -> list[Minutes]:
    versions = list(meeting.minutes.select_related("finalised_by").all())
    if not access.sees_draft_minutes(request.user, meeting):
        versions = [m for m in versions if m.final]
    return versions


@login_required
@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes: write the draft from the agenda, attendance and votes; edit it; finalise
    it (then it is read-only); correct a final version by starting a new one that says what it
    corrects. Those who read the meeting read the final versions."""
    meeting = access.get_meeting(request.user, pk, write=request.method == "POST")
    can_write = access.may_hold_meetings(request.user, meeting.organisation)
    raw_v = request.GET.get("v", "")
    selected = query_int(raw_v, 1, ID_MAX)
    form: MinutesForm | None = None
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in MINUTES_ACTIONS:
            raise Http404
        if action == "draft":
            if meeting.status == Meeting.Status.CANCELLED:
                error = _("This meeting was cancelled.")
            else:
                draft = services.minutes_draft(meeting, actor=request.user)
                messages.success(request, _("Version %(v)s of the minutes is open for editing.") % {"v": draft.version})
                return redirect(reverse("meeting-minutes", args=[meeting.pk]) + f"?v={draft.version}")
        else:
            raw = request.POST.get("minutes", "")
            minutes_pk = query_int(raw, 1, ID_MAX)
            minutes = meeting.minutes.filter(pk=minutes_pk).first() if minutes_pk else None
            if minutes is None:
                raise Http404
            selected = minutes.version
            form = MinutesForm(request.POST, correction=minutes.version > 1)
            if form.is_valid():
                try:
                    with transaction.atomic():  # the text as sent, then final: both or neither
                        services.minutes_update(minutes, actor=request.user, **form.minutes_data())
                        if action == "finalise":
                            services.minutes_finalise(minutes, actor=request.user)
                except ValidationError as exc:
                    error = _service_errors(form, exc)
                else:
                    done = _("The minutes are final. They can no longer be edited; a correction is a new "
                             "version.") if action == "finalise" else _("The draft was saved.")
                    messages.success(request, done)
                    return redirect(reverse("meeting-minutes", args=[meeting.pk]) + f"?v={minutes.version}")
    versions = _minutes_versions(request, meeting)
    current = next((m for m in versions if m.version == selected), versions[0] if versions else None)
    if form is None and current is not None and not current.final and can_write:
        form = MinutesForm(initial={k: getattr(current, k) for k in services.MINUTES_FIELDS},
                           correction=current.version > 1)
    open_draft = next((m for m in versions if not m.final), None)
    return render(request, "meetings/minutes.html", {
        **(_minutes_record(meeting) if current is not None else {}),
        "meeting": meeting, "org": meeting.organisation, "versions": versions, "current": current, "form": form,
        "error": error, "can_write": can_write, "open_draft": open_draft,
        "can_start": can_write and open_draft is None and meeting.status != Meeting.Status.CANCELLED,
        "held": meeting.status == Meeting.Status.HELD,
    }, status=400 if request.method == "POST" else 200)


def _minutes_record(meeting: Meeting) -> dict[str, Any]:
    """What the minutes page shows from the meeting's record, as the PDF prints it in its tables
    (attendance, guests, votes), so the minutes' text need not repeat it (two queries)."""
    rows = list(meeting.attendance.select_related("person").order_by("role", "person__sort_key", "pk"))
    labels = {value: str(label) for value, label in Attendance.Status.choices}
    for r in rows:
        r.status_label = labels.get(r.status, r.status)  # type: ignore[attr-defined]
    members = [r for r in rows if r.role == Attendance.Role.MEMBER]
    return {"record_tally": tally(rows), "record_absent": [r for r in members if not r.came],
            "record_guests": [r for r in rows if r.role == Attendance.Role.GUEST and r.came],
            "record_votes": list(meeting.votes.order_by("position", "id"))}


# --- The minutes PDF ------------------------------------------------------------------------------------

ATTENDANCE_TEXT: dict[str, str] = {
    Attendance.Status.INVITED: "Chưa ghi nhận",
    Attendance.Status.PRESENT: "Có mặt",
    Attendance.Status.LATE: "Có mặt (đến muộn)",
    Attendance.Status.EXCUSED: "Vắng có lý do",
    Attendance.Status.UNEXCUSED: "Vắng không lý do",
}
VOTE_KIND_TEXT: dict[str, str] = {
    Vote.Kind.GENERAL: "Nghị quyết, quyết định của chi bộ",
    Vote.Kind.ADMISSION: "Kết nạp đảng viên",
    Vote.Kind.RECOGNITION: "Công nhận đảng viên chính thức",
    Vote.Kind.REMOVAL: "Xóa tên đảng viên",
}


LEFT_OUT_TEXT: dict[str, str] = {
    "exempt": "miễn công tác và sinh hoạt đảng, không dự và biểu quyết",
    "temporary_here": "sinh hoạt tạm thời tại chi bộ, không biểu quyết",
    "temporary_elsewhere": "sinh hoạt tạm thời ở đảng bộ khác",
    "suspended": "bị đình chỉ sinh hoạt đảng",
    "prosecuted": "bị khởi tố, truy tố, tạm giam",
    "approved_absence": "vắng mặt có lý do được cấp ủy đồng ý",
}


def left_out_vi(rows: list[dict[str, str]] | tuple[tuple[str, str, str], ...]) -> str:
    """Who is not counted, grouped by reason, in Vietnamese whatever the reader's language (the
    printed minutes): "1 sinh hoạt tạm thời ở đảng bộ khác (Nguyễn Văn A)"."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        name, reason, note = (row["name"], row["reason"], row.get("note", "")) if isinstance(row, dict) else row
        groups.setdefault(reason, []).append(f"{name} — {note}" if note else name)
    return "; ".join(f"{len(n)} {LEFT_OUT_TEXT.get(r, r)} ({', '.join(n)})" for r, n in groups.items())


def _vote_print(v: Vote) -> None:
    """The arithmetic of a vote as the minutes print it."""
    v.kind_text = VOTE_KIND_TEXT.get(v.kind, "")  # type: ignore[attr-defined]
    if v.official_called is None:
        v.arith = ""  # type: ignore[attr-defined]
        return
    share = (f"quá {services.majority(v.kind, v.meeting.date).more_than_pct}%" if v.kind == Vote.Kind.GENERAL
             else "hai phần ba")
    text = (f"Đảng viên chính thức được triệu tập: {v.official_called}"
            + (f" (không tính: {left_out_vi(v.left_out)})" if v.left_out else "")
            + f"; có quyền biểu quyết có mặt: {v.voters_present}. Tán thành {v.votes_for}/{v.official_called}"
            + f" = {_share(v.votes_for, v.official_called)}; cần ít nhất {v.need} ({share})")
    if v.rule_citation:
        text += f"; căn cứ: {v.rule_citation}" + ("" if v.rule_confirmed else " (quy định chưa xác nhận)")
    v.arith = text + "."  # type: ignore[attr-defined]


def _titles(meeting: Meeting) -> tuple[str, str]:
    """The title of the minutes and the line under it, as the party writes them."""
    month = f"tháng {meeting.date.month:02d}/{meeting.date.year}"
    if meeting.kind == Meeting.Kind.THEMATIC:
        return "BIÊN BẢN SINH HOẠT CHI BỘ CHUYÊN ĐỀ", f"Chuyên đề: {meeting.thematic_topic}"
    if meeting.kind == Meeting.Kind.COMMITTEE:
        return "BIÊN BẢN HỌP CHI ỦY", f"Kỳ họp thường kỳ {month}"
    if meeting.kind == Meeting.Kind.EXTRAORDINARY:
        return "BIÊN BẢN SINH HOẠT CHI BỘ", "Sinh hoạt bất thường"
    if meeting.kind == Meeting.Kind.ADMISSION:
        return "BIÊN BẢN SINH HOẠT CHI BỘ", "Lễ kết nạp đảng viên"
    if meeting.thematic_topic:
        return "BIÊN BẢN SINH HOẠT CHI BỘ", f"Kỳ sinh hoạt thường kỳ {month}, kết hợp sinh hoạt chuyên đề: " \
                                            f"{meeting.thematic_topic}"
    return "BIÊN BẢN SINH HOẠT CHI BỘ", f"Kỳ sinh hoạt thường kỳ {month}"


def _clock(t: dt.time | None) -> str:
    return "… giờ …" if t is None else f"{t.hour} giờ {t.minute:02d}"


def minutes_pdf(minutes: Minutes) -> bytes:
    """The minutes in the official layout (biên bản sinh hoạt chi bộ); a draft is watermarked."""
    meeting = minutes.meeting
    rows = list(meeting.attendance.select_related("person").order_by("role", "person__sort_key", "pk"))
    members = [r for r in rows if r.role == Attendance.Role.MEMBER]
    guests = [r for r in rows if r.role == Attendance.Role.GUEST and r.status != Attendance.Status.UNEXCUSED
              and r.status != Attendance.Status.EXCUSED]
    for r in rows:
        r.text = ATTENDANCE_TEXT.get(r.status, "")  # type: ignore[attr-defined]
        r.excluded_label = LEFT_OUT_TEXT.get(r.excluded, "")  # type: ignore[attr-defined]
    votes = list(meeting.votes.all())
    for v in votes:
        v.meeting = meeting
        _vote_print(v)
    roll = rules.roll([*services.seats(rows), *services.absent_exempt(meeting)])
    title, subtitle = _titles(meeting)
    d = meeting.date
    return pdf.render("meetings/minutes_print.html", {
        "heading": heading(meeting.organisation, d), "meeting": meeting, "minutes": minutes, "title": title,
        "subtitle": subtitle, "members": members, "guests": guests, "tally": tally(rows), "votes": votes,
        "roll": roll, "left_out": left_out_vi(roll.left_out), "excluded_text": LEFT_OUT_TEXT,
        "draft": not minutes.final,
        "when": f"Bắt đầu lúc {_clock(meeting.start_time)}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
        "ended": _clock(meeting.end_time),
        "chair": meeting.chair.full_name if meeting.chair else "",
        "recorder": meeting.recorder.full_name if meeting.recorder else "",
    })


@login_required
@require_GET
def minutes_file(request: HttpRequest, pk: int) -> FileResponse:
    minutes, meeting = access.get_minutes(request.user, pk)
    minutes.meeting = meeting
    content = minutes_pdf(minutes)
    audit.record(actor=request.user, action="export", obj=minutes, object_repr=str(meeting),
                 org_path=meeting.organisation.path, after={"version": minutes.version, "final": minutes.final,
                                                            "format": "pdf"},
                 note=_("Minutes of %(meeting)s, version %(v)s (PDF)") % {"meeting": meeting, "v": minutes.version})
    name = f"bien-ban-{meeting.organisation.code}-{meeting.date:%Y%m%d}-v{minutes.version}" + (
        "" if minutes.final else "-nhap")
    response = FileResponse(io.BytesIO(content), as_attachment=False, filename=f"{name}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- The commune's missing meetings ---------------------------------------------------------------------

KIND_LABELS = {"regular": gettext_lazy("regular monthly meeting"), "committee": gettext_lazy("cell committee meeting"),
               "thematic": gettext_lazy("thematic meeting")}


def period_label(req: rules.Required) -> str:
    """04/2026 for a month; 04–06/2026 for a quarter; 11/2025–01/2026 across a new year."""
    a, b = req.start, req.end
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.month:02d}/{a.year}"
    if a.year == b.year:
        return f"{a.month:02d}–{b.month:02d}/{a.year}"
    return f"{a.month:02d}/{a.year}–{b.month:02d}/{b.year}"


def _missing_tags(missing: list[rules.Required]) -> SafeString:
    """The missing meetings of a cell, one line per kind with its periods ("regular monthly
    meeting: 04/2026, 05/2026"), written here rather than by the template: 60 cells × a dozen
    missing meetings take the template engine ~20 ms and this loop well under 1 ms. Every
    piece is an escaped label, a fixed kind code or digits."""
    labels = {k: escape(str(v)) for k, v in KIND_LABELS.items()}
    periods: dict[str, list[str]] = {}
    for r in missing:
        periods.setdefault(r.kind, []).append(period_label(r))
    return mark_safe("".join(  # noqa: S308 — built from escaped parts above
        f'<div class="missing"><span class="tag missing-{kind}">{labels[kind]}</span> {", ".join(when)}</div>'
        for kind, when in periods.items()))


@login_required
@require_GET
def org_meeting_gaps(request: HttpRequest, code: str) -> HttpResponse:
    """The cells of an organisation that have not held (or not recorded) a meeting the rules
    require, over a period (default: the last 12 months up to today)."""
    org = access.get_organisation(request.user, code)
    day = today()
    month = month_param(request.GET.get("thang", ""), day)
    if month is not None:
        return _not_met(request, org, month, day)
    default_start = add_months(day.replace(day=1), -12)  # the last 12 whole months, and this one so far
    form = GapsForm(request.GET or None, initial={"start": default_start, "end": day})
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or default_start
    end = min(data.get("end") or day, day)
    if start > end:
        start = add_months(end.replace(day=1), -12)
    kind = data.get("kind") or ""
    gaps = selectors.gaps(org, start=start, end=end)
    rows = [(g, _missing_tags(missing)) for g in gaps.cells
            if (missing := [r for r in g.missing if not kind or r.kind == kind])]
    book = RuleBook()
    cadence_rules = [r for r in (_rule(book, k, end) for k in ("regular", "committee", "thematic")) if r]
    context = {"org": org, "form": form, "start": start, "end": end, "kind": kind, "gaps": gaps, "rows": rows,
               "met": gaps.cells_total - len(gaps.cells), "cadence_rules": cadence_rules,
               "pct": round(100 * gaps.satisfied / gaps.required, 1) if gaps.required else None,
               "start_text": format_vn_date(start), "end_text": format_vn_date(end)}
    return render(request, _template(request, "meetings/gaps.html", "meetings/_gaps.html"), context)


def month_param(raw: str, day: dt.date) -> dt.date | None:
    """`?thang=2026-12` (or 12/2026): the first day of that month, if it is not after `day`'s."""
    text = raw.strip()
    parts = text.split("-") if "-" in text else text.split("/")[::-1]
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1900 <= year <= 2099 and 1 <= month <= 12):
        return None
    first = dt.date(year, month, 1)
    return first if first <= day else None


def _not_met(request: HttpRequest, org: Organisation, month: dt.date, day: dt.date) -> HttpResponse:
    """The cells that have held no regular meeting in one month (this month: so far) — the list
    behind the commune home's "cells that have not met this month"."""
    end = min(add_months(month, 1) - dt.timedelta(days=1), day)
    rows = list(selectors.not_met(org, start=month, end=end))
    cells = [f.organisation for f in rows]
    communes = (Organisation.objects.communes_above(cells)
                if org.kind not in (Organisation.Kind.COMMUNE, *Organisation.CELL_KINDS) else {})
    context = {"org": org, "month": month, "end": end, "current": end == day,
               "rows": [(f, communes.get(f.organisation_id)) for f in rows], "show_commune": bool(communes),
               "month_text": f"{month.month:02d}/{month.year}",
               "previous": previous if (previous := add_months(month, -1)) >= add_months(day.replace(day=1), -12) else None}
    return render(request, "meetings/not_met.html", context)
