"""Help where it is needed (issue 14, point 10): a short guide per area — what the page is for,
what to do there, and the rule behind it — and a one-page guide for cell secretaries.

The guides never write a regulation's number or citation as text: an area names the keys of
its rules and the pages read their current version from the rulebook (`core.rules.in_force`),
so a new version of a rule changes the guides the day it applies. Where chibo holds no number
for an area (tasks, documents, questions…), the guide says the principle chibo follows in
words, without a citation.

Every area page shows the guide as a closed `<details class="help">` (`{% help_panel %}`,
web/templatetags/guide.py): its words cost no query; the rules it names are fetched by htmx when
the panel is first opened (the area's guide page answers the fragment), and without JavaScript
the panel links to that page. The guides are open to everyone signed in and link only to the
rulebook and to each other, which every signed-in person may open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from chibo.core import pdf
from chibo.core.dates import today
from chibo.core.models import Rule
from chibo.core.rules import in_force


@dataclass(frozen=True)
class Area:
    key: str
    slug: str
    title: Promise
    purpose: Promise
    steps: tuple[Promise, ...]
    principle: Promise
    rules: tuple[str, ...] = ()


AREAS: tuple[Area, ...] = (
    Area("organisations", "to-chuc", _("Party organisations and the tree"),
         _("See the party organisations you are responsible for as a tree — province, communes, cells, party "
           "groups — and open any of them."),
         (_("Tap a name to open the organisation: its members, committee, villages and figures."),
          _("Open the organisations under it from the tree."),
          _("Only commune and province staff create or close an organisation. An organisation is never deleted: "
            "it is closed from a date.")),
         _("A cell must have enough official members; a cell with enough official members elects a cell "
           "committee."),
         ("cell_min_official", "cell_committee_min_official")),
    Area("members", "dang-vien", _("Party members: list, record and events"),
         _("Find a member, read their record, and record what happens to them: admission, recognition, transfer, "
           "exemption, leaving the Party."),
         (_("Type part of a name (accents are not needed) or use the filters to find a member."),
          _("Open the member to read the record and the history of events."),
          _("A change of status or of cell is recorded as an event with its date and decision number; the record "
            "is never written over.")),
         _("A newly admitted member is probationary for the time the Party's rules set; a member who misses "
           "meetings without good reason may be removed."),
         ("probation_months", "removal_absence_months")),
    Area("committees", "cap-uy-chuc-vu", _("Committees and posts"),
         _("Record who holds a post — secretary, deputy secretary, committee member, village head — and from "
           "when. Holding a post gives the matching rights in chibo."),
         (_("From the organisation's page, assign the post to a member and give the start date."),
          _("When the term ends or the member leaves the post, end the post with its date: the rights in chibo end "
            "with it.")),
         _("A cell elects a cell committee only when it has enough official members; otherwise it elects a "
           "secretary, and a deputy secretary if needed."),
         ("cell_committee_min_official",)),
    Area("plans", "nghi-quyet-chi-tieu", _("Resolutions and targets"),
         _("Keep the resolutions and plans in force, their targets, and how far each target has come."),
         (_("Open a resolution to see its targets and their progress."),
          _("The commune gives each cell its part of a target; the cell records its result with the date and the "
            "evidence."),
          _("Turn a target into tasks under the “6 rõ”, so that someone answers for it.")),
         _("A superior's target is made up of its cells' parts, in the way the target says: added up, averaged, "
           "or reached by all.")),
    Area("tasks", "nhiem-vu", _("Tasks under the “6 rõ”"),
         _("Give a task so that it is clear who does it, what, by when, who answers for it, what result is "
           "expected and who checks it; then follow it to the end."),
         (_("Write the task; choose one member or organisation to lead and others to coordinate."),
          _("Set the start, the deadline, the expected result, the person who checks it and by when."),
          _("The people assigned report progress with evidence and submit the result; the checker accepts it or "
            "returns it.")),
         _("Every task must be clear on all six points, and nobody checks their own work.")),
    Area("meetings", "sinh-hoat", _("Cell meetings"),
         _("Prepare and announce the cell's meetings, take attendance, record the votes, write and finalise the "
           "minutes."),
         (_("Create the meeting with its date, place and agenda, add the materials, then announce it: members "
            "receive the invitation in chibo."),
          _("At the meeting, take attendance (it works without internet) and check that enough members are "
            "present."),
          _("Record each vote with its counts; a decision passed can be given as a task."),
          _("Write the minutes, then finalise them; a correction is a new version.")),
         _("The cell meets regularly and holds thematic meetings; a meeting is valid only with enough members "
           "present; a resolution needs the majority the rules set."),
         ("meeting_regular_every_months", "meeting_thematic_every_months", "meeting_materials_lead_days",
          "meeting_quorum_more_than_pct", "vote_general_more_than_pct")),
    Area("documents", "van-ban-hoc-tap", _("Documents and study sessions"),
         _("Read the party documents sent to your organisation, and record the study sessions and who took "
           "part."),
         (_("Open the documents sent to you, read each one and mark it as read."),
          _("A committee publishes a document to an organisation: every member under it receives it."),
          _("After a study session, record it with the documents studied; each participant may write a short "
            "reflection."),
          _("The committee sees who has not read a document yet, to remind them.")),
         _("Resolutions must reach every member: the list of who has not read is for reminding, never for "
           "ranking.")),
    Area("recruitment", "phat-trien-dang-vien", _("Recruitment: candidates, admission and recognition"),
         _("Follow each person the cell prepares for admission, step by step, and each probationary member until "
           "recognition."),
         (_("Add the candidate, name the members who help them, and record each step with its date and number."),
          _("Tick the documents of the admission file as they arrive; chibo says what is missing or out of "
            "date."),
          _("Record the cell's resolution, the committee's decision and the ceremony; the next deadline is shown "
            "at the top of the page."),
          _("When the probation ends, the cell considers recognition and votes on it.")),
         _("The rules set the ages for admission, how long the file's documents stay valid, the time limits for "
           "the decision, the ceremony and recognition, and the larger majority the vote needs."),
         ("admission_min_age", "admission_file_months", "admission_decision_working_days",
          "admission_ceremony_working_days", "probation_months", "recognition_consider_working_days",
          "vote_special_numerator", "vote_special_denominator")),
    Area("lifecycle", "chuyen-sinh-hoat-mien-sinh-hoat", _("Transfers and exemptions"),
         _("Issue and record transfer letters, official or temporary, and handle a member's exemption from party "
           "work and meetings."),
         (_("From the member's page, issue the transfer letter with its date and the organisation that receives "
            "the member."),
          _("Record the day the letter is presented: only then does the member move."),
          _("For an exemption, record the request, the cell's resolution and the decision with its start date; "
            "record the return when it ends.")),
         _("A transfer letter must be presented within the time limit; an exempt member is not invited to the "
           "meetings nor counted for the quorum."),
         ("transfer_start_working_days", "transfer_present_days", "temporary_transfer_max_months",
          "exemption_age_men", "exemption_age_women")),
    Area("due", "den-han", _("What's due"),
         _("See, cell by cell, what is overdue and what falls due soon: probation ends, recognitions, Party "
           "badges, candidates' next steps, members who may be removed."),
         (_("Deal first with what is overdue, at the top of the list."),
          _("Each line names its rule; open it to act."),
          _("Choose how many days ahead to look.")),
         _("Each date is counted with the rules in force on the day it counts from, in working days where the "
           "rule says so."),
         ("probation_months", "recognition_consider_working_days", "removal_absence_months", "badge_first_years")),
    Area("questions", "hoi-dap", _("Questions and opinions"),
         _("A member sends a question, an opinion or a suggestion to their cell or commune; the committee answers "
           "in chibo."),
         (_("Write the subject and the question; before you send it, the page shows who will read it."),
          _("Committees open the questions to answer, those waiting longest first, and reply."),
          _("Close the question when it is settled; to ask again, send a new question.")),
         _("Questions are not public: only the member and those who answer for the cell or commune read them.")),
    Area("exchange", "nhap-xuat", _("Import and export"),
         _("Bring lists of members and organisations in from a spreadsheet, and take lists out as spreadsheets."),
         (_("Download the template and fill it in; its guide sheet explains each column."),
          _("Upload the file: chibo checks every row first and shows what the import would do."),
          _("Import when the check finds no error: one wrong row and nothing is written, unless you choose to "
            "import only the valid rows."),
          _("Every export is written to the change log.")),
         _("Imported rows are checked with the same rules as the forms, and every export of party data is "
           "recorded.")),
    Area("audit", "nhat-ky", _("Change log"),
         _("See every change to people, members, posts and organisations, and every export: who made it and "
           "when."),
         (_("The latest changes come first; open what a change was made to, where you may."),
          _("Open the change log from an organisation's page to see only the changes there.")),
         _("Nothing changes without a trace: the change log cannot be edited or deleted.")),
    Area("rulebook", "quy-dinh", _("Rules and time limits"),
         _("Every number chibo uses — time limits, thresholds, counts — with the document and article that set "
           "it, and the days off that working days skip."),
         (_("Find the rule by its name: its current value and its source are shown."),
          _("A rule marked “not confirmed” could not be checked against the texts: read the document before "
            "deciding."),
          _("When a regulation changes, an administrator adds a new version from the day it applies; earlier "
            "dates keep the earlier value.")),
         _("A date is always counted with the version of the rule in force on the day it counts from.")),
)

BY_KEY = {a.key: a for a in AREAS}
BY_SLUG = {a.slug: a for a in AREAS}

# The pages whose shared template (web/form.html) does not name its area: `{% help_panel %}` without an
# area finds it from the page's URL name.
AREA_OF_PAGE = {
    "member-event": "members", "member-create": "members", "member-edit": "members",
    "post-create": "committees", "post-end": "committees",
    "organisation-create": "organisations", "organisation-edit": "organisations",
}

# The cell secretary's month (/huong-dan/bi-thu-chi-bo/): each step with the rules it follows.
SECRETARY: tuple[tuple[Promise, tuple[tuple[Promise, tuple[str, ...]], ...]], ...] = (
    (_("Before the meeting"), (
        (_("Agree the agenda with the cell committee; create the meeting in chibo with its date, place, chair and "
           "recorder."), ("meeting_regular_every_months", "meeting_committee_every_months")),
        (_("Put up the materials in time and announce the meeting: members receive the invitation in chibo."),
         ("meeting_materials_lead_days",)),
        (_("Plan the thematic meetings of the year."), ("meeting_thematic_every_months",)),
    )),
    (_("At the meeting"), (
        (_("Take attendance; chibo shows whether enough members are present."), ("meeting_quorum_more_than_pct",)),
        (_("Record each vote with its counts. Admission, recognition and removal need a larger majority of the "
           "official members."), ("vote_general_more_than_pct", "vote_special_numerator", "vote_special_denominator")),
    )),
    (_("After the meeting"), (
        (_("Finish the minutes and finalise them; print the PDF to sign and file."), ()),
        (_("Give each decision as a task under the “6 rõ”: who, what, by when, who answers for it, what result, "
           "who checks it."), ()),
        (_("Check the results submitted by their deadline: accept them, or return them saying what is missing."),
         ()),
    )),
    (_("Members and candidates (open “What's due”)"), (
        (_("Probationary members: when the probation ends, the cell considers recognition in time."),
         ("probation_months", "recognition_consider_working_days")),
        (_("Candidates: record each step; after the decision, hold the admission ceremony in time."),
         ("admission_ceremony_working_days",)),
        (_("Members who miss meetings: talk with them before it is too late."), ("removal_absence_months",)),
        (_("Members moving in: the transfer letter is presented in time."), ("transfer_present_days",)),
    )),
    (_("Every week"), (
        (_("Answer the members' questions and opinions; close those that are settled."), ()),
        (_("Read the new documents, pass them on at the meeting, remind those who have not read them; record the "
           "study sessions."), ()),
    )),
)


def secretary_rule_keys() -> list[str]:
    return [k for _title, steps in SECRETARY for _text, keys in steps for k in keys]


def area_for(key: str | None, url_name: str | None) -> Area | None:
    """The area a page's help panel shows: the one named, else the one of the page's URL name."""
    return BY_KEY.get(key or AREA_OF_PAGE.get(url_name or "", ""))


def _rules(keys: tuple[str, ...] | list[str], day: dt.date) -> list[tuple[str, Rule | None]]:
    found = in_force(keys, day) if keys else {}
    return [(k, found.get(k)) for k in keys]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help/index.html", {"areas": AREAS})


@login_required
@require_GET
def area(request: HttpRequest, slug: str) -> HttpResponse:
    """One area's guide; to htmx (the panel opened on an area page), only its rules."""
    found = BY_SLUG.get(slug)
    if found is None:
        raise Http404
    context = {"area": found, "rules": _rules(found.rules, today()), "day": today()}
    fragment = getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
    return render(request, "web/help/_rules.html" if fragment else "web/help/area.html", context)


def _secretary_context() -> dict[str, object]:
    day = today()
    rules = dict(_rules(secretary_rule_keys(), day))
    sections = [(title, [(text, [(k, rules[k]) for k in keys]) for text, keys in steps]) for title, steps in SECRETARY]
    return {"sections": sections, "day": day}


@login_required
@require_GET
def secretary(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help/secretary.html", _secretary_context())


def secretary_pdf_bytes() -> bytes:
    return pdf.render("web/help/secretary_print.html", _secretary_context())


@login_required
@require_GET
def secretary_pdf(request: HttpRequest) -> HttpResponse:
    """The same guide as a one-page A4 PDF. It holds no party data (the rules and what to do), so,
    like the import template, its download is not written to the change log."""
    response = HttpResponse(secretary_pdf_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="huong-dan-bi-thu-chi-bo.pdf"'
    return response
