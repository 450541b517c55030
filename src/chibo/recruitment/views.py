"""Pages for member development (issue 6 points 3–4): a cell's or commune's candidates and
probationary members with what each needs next and by when (the rule and its citation
shown), adding an outstanding citizen, the candidate's page with the next step's form, the
step endpoint, and the recognition of a probationary member.

Objects come only through chibo.access; every write is one call to recruitment.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chibo import access
from chibo.core.calendar import Calendar
from chibo.core.dates import today
from chibo.core.numbers import pct
from chibo.core.rules import RuleBook
from chibo.members import selectors as member_selectors
from chibo.members.models import Membership, Person, Status
from chibo.members.selectors import Breakdown
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.recruitment import forms as f
from chibo.recruitment import rules, selectors, services
from chibo.recruitment.models import OPEN_STAGES, Candidate, Decider, Recognition, Stage
from chibo.web.charts import BarChart, bar_chart

# action → (form class, service, what the form's cleaned data is called in the service)
ACTIONS: dict[str, Any] = {
    "sympathiser": f.NumberedForm, "helper": f.HelperForm, "test_task": f.TestTaskForm,
    "applicant": f.OptionalNumberForm, "file": f.FileForm, "verification": f.VerificationForm,
    "consent": f.ConsentForm, "resolution": f.ResolutionForm, "extension": f.NumberedForm,
    "decision": f.DecisionForm, "received": f.ReceivedForm, "ceremony": f.OnForm, "withdraw": f.WithdrawForm,
}


def _official_people(c: Candidate) -> Any:
    return Person.objects.filter(membership__organisation=c.organisation, membership__status=Status.OFFICIAL,
                                 membership__current=True).order_by("sort_key", "pk")


def _form(action: str, c: Candidate, data: Any = None) -> Any:
    cls = ACTIONS[action]
    if cls is f.HelperForm:
        return cls(data, prefix=action, people=_official_people(c))
    if cls is f.DecisionForm and data is None and services.needs_provincial_decision(c):
        return cls(data, prefix=action, initial={"decider": Decider.PROVINCE, "decided_by": "Ban Thường vụ Tỉnh ủy"})
    return cls(data, prefix=action)


def _run(action: str, c: Candidate, actor: Any, d: dict[str, Any]) -> list[str]:
    """Call the service for `action` with the form's data; returns its warnings."""
    if action == "sympathiser":
        services.sympathiser_record(c, actor=actor, on=d["on"], number=d["number"])
    elif action == "helper":
        services.helper_assign(c, actor=actor, person=d["person"], on=d["on"])
    elif action == "test_task":
        services.test_task_give(c, actor=actor, title=d["title"], given_on=d["given_on"], due_on=d.get("due_on"))
    elif action == "applicant":
        services.applicant_record(c, actor=actor, on=d["on"], number=d.get("number") or "")
    elif action == "file":
        services.file_receive(c, actor=actor, code=d["code"], received_on=d["received_on"])
    elif action == "verification":
        services.verification_record(c, actor=actor, on=d["on"], result=d["result"])
    elif action == "consent":
        services.consent_record(c, actor=actor, number=d["number"], on=d["on"])
    elif action == "resolution":
        services.resolution_record(c, actor=actor, on=d["on"], number=d["number"], votes_for=d["votes_for"],
                                   against=d["against"], abstain=d["abstain"], present=d["present"],
                                   official=d["official"])
    elif action == "extension":
        services.extension_record(c, actor=actor, on=d["on"], number=d["number"])
    elif action == "decision":
        return services.decision_record(c, actor=actor, on=d["on"], number=d["number"], decided_by=d["decided_by"],
                                        decider=d["decider"], received_on=d.get("received_on"))[1]
    elif action == "received":
        services.decision_received_record(c, actor=actor, on=d["on"])
    elif action == "ceremony":
        return services.ceremony_record(c, actor=actor, on=d["on"])[1]
    elif action == "withdraw":
        services.withdraw(c, actor=actor, on=d["on"], reason=d["reason"])
    return []


def _actions_for(c: Candidate) -> list[str]:
    """The steps offered on the candidate's page, the next one first."""
    if c.stage == Stage.OUTSTANDING:
        return ["sympathiser", "withdraw"]
    if c.stage == Stage.SYMPATHISER:
        return ["helper", "test_task", "file", "applicant", "consent", "withdraw"]
    if c.stage == Stage.APPLICANT:
        if not c.resolution_passed:
            return ["file", "verification", "resolution", "helper", "test_task", "consent", "withdraw"]
        if c.decision_on is None:
            return ["decision", "file", "extension", "withdraw"] if not c.extended else ["decision", "file", "withdraw"]
        return ["ceremony", "withdraw"] if c.decision_received_on else ["received", "ceremony", "withdraw"]
    return []


TITLES = {
    "sympathiser": gettext_lazy("Cell resolution: party sympathiser"), "helper": gettext_lazy("Assign a member to help"),
    "test_task": gettext_lazy("Give a test task"), "applicant": gettext_lazy("Allow the admission file"),
    "file": gettext_lazy("Record a document of the file"), "verification": gettext_lazy("Verification of personal history"),
    "consent": gettext_lazy("Written consent (applicant over 60)"), "resolution": gettext_lazy("Cell resolution proposing admission"),
    "extension": gettext_lazy("Extend the decision deadline"), "decision": gettext_lazy("Admission decision"),
    "received": gettext_lazy("The cell received the decision"),
    "ceremony": gettext_lazy("Admission ceremony"), "withdraw": gettext_lazy("Take off the list"),
}


# --- The list -------------------------------------------------------------------------------------

def _within(qs: Any, org: Organisation, prefix: str = "organisation__") -> Any:
    return qs.filter(Organisation.subtree_q(org, prefix))


def _breakdown_chart(title: str, b: Breakdown) -> BarChart:
    """A bar per part (under 30, women, ethnic minorities), each as a share of all the people
    counted (the parts overlap: a young Jrai woman is in all three)."""
    chart = bar_chart(f"{title}: {b.total}", [(_("under 30"), b.under_30), (_("women"), b.women),
                                               (_("ethnic minorities"), b.ethnic_minority)])
    chart.total = b.total
    for bar in chart.bars:
        share = pct(bar.value, b.total)
        bar.width = float(share or 0)
        bar.note = f"{formats.number_format(share, 1)}%" if share is not None else ""
    return chart


@login_required
@require_GET
def recruitment(request: HttpRequest, code: str) -> HttpResponse:
    """The candidates of a cell or commune, the most urgent first, and its probationary members
    with the end of their probation and the date recognition must be considered by."""
    org = access.get_organisation(request.user, code)
    if not access.sees_members_of(request.user, org):
        raise Http404
    day, cal, book = today(), Calendar(), RuleBook()
    rows = selectors.next_steps(access.candidates(request.user), org, day)
    probation = []
    level = LEVEL_OF_KIND.get(org.kind)
    if level:
        ms = list(access.memberships(request.user, within=org).filter(status=Status.PROBATIONARY)
                  .select_related("person", "organisation").order_by("admission_date", "pk"))
        recs = selectors.recognitions_of(m.pk for m in ms)
        for m in ms:
            w = rules.recognition_window(m.admission_date, recs.get(m.pk, []), cal, book)
            probation.append({"m": m, "end": w.end, "due": w.due, "rule": w.rule, "w": w, "overdue": w.overdue(day),
                              "open": w.end <= day})
    # Targets and breakdowns (point 7): the new-member targets of resolutions in force with
    # their progress, and candidates and this year's new members by age, sex and ethnicity.
    targets = selectors.new_member_targets(access.targets(request.user), org, day)
    year_start = dt.date(day.year, 1, 1)
    admitted = member_selectors.admitted_in(org, year_start, day)
    breakdowns = [
        _breakdown_chart(_("Candidates"), selectors.candidate_breakdown([c for c, _next in rows], day)),
        _breakdown_chart(_("Members admitted %(start)s–%(end)s") % {
            "start": year_start.strftime("%d/%m/%Y"), "end": day.strftime("%d/%m/%Y")}, admitted),
    ]
    context = {"org": org, "day": day, "rows": rows, "probation": probation, "targets": targets,
               "breakdowns": breakdowns, "can_add": org.is_cell and access.may_manage_candidates(request.user, org)}
    return render(request, "recruitment/recruitment.html", context)


# --- Adding a candidate ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def candidate_create(request: HttpRequest) -> HttpResponse:
    org = access.get_organisation(request.user, request.GET.get("org", ""))
    if not access.sees_members_of(request.user, org):
        raise Http404
    if not access.may_manage_candidates(request.user, org):
        raise PermissionDenied
    if not org.is_cell:
        messages.info(request, _("Candidates are followed by a party cell. Open the cell, then add the candidate."))
        return redirect("recruitment", code=org.code)
    people = access.persons(request.user).filter(membership__isnull=True).exclude(
        candidacies__stage__in=OPEN_STAGES).order_by("sort_key", "pk")
    form = f.CandidateForm(request.POST or None, people=people, localities=access.localities(request.user),
                           initial={"introduced_on": today(), "residence": org.locality_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.candidate_create(actor=request.user, organisation=org, introduced_on=d["introduced_on"],
                                          introduced_by=d["introduced_by"], number=d.get("number") or "",
                                          person=d.get("existing"),
                                          person_data=None if d.get("existing") else form.person_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s was added as an outstanding citizen.") % {"name": c.person.full_name})
            return redirect("candidate", pk=c.pk)
    return render(request, "recruitment/candidate_form.html", {"form": form, "org": org},
                  status=400 if form.errors else 200)


# --- The candidate --------------------------------------------------------------------------------

def _detail(request: HttpRequest, c: Candidate, bound: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    day, cal, book = today(), Calendar(), RuleBook()
    items = list(c.files.all())
    can = access.may_manage_candidates(request.user, c.organisation)
    provincial = services.needs_provincial_decision(c)
    forms_ = []
    actions = _actions_for(c) if can else []
    if provincial and access.may_record_provincial_decision(request.user, c.organisation):
        actions = actions or ["decision"]
    if actions:
        for action in actions:
            form = (bound or {}).get(action) or _form(action, c)
            forms_.append({"action": action, "title": TITLES[action], "form": form})
    nxt = rules.next_for_candidate(c, items, day, cal, book)
    # The file counts on the day the cell considered it; until then, today.
    checked_on = c.resolution_on if c.resolution_passed and c.resolution_on else day
    decision = rules.decision_due(c, cal, book) if c.resolution_passed else None
    ceremony = rules.ceremony_due(rules.ceremony_start(c)[0], cal, book) if c.decision_on else None
    return render(request, "recruitment/candidate.html", {
        "c": c, "next": nxt, "files": rules.file_rows(items, checked_on, book), "checked_on": checked_on, "forms": forms_, "can": can,
        "helpers": list(c.helpers.select_related("person")), "test_tasks": list(c.test_tasks.all()),
        "steps": list(c.steps.select_related("recorded_by")), "decision": decision, "ceremony": ceremony,
        "day": day, "provincial": provincial,
    }, status=status)


@login_required
@require_GET
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_candidate(request.user, pk))


@login_required
@require_POST
def candidate_act(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    c = access.get_candidate(request.user, pk)
    provincial = action == "decision" and services.needs_provincial_decision(c)
    province_staff = provincial and access.may_record_provincial_decision(request.user, c.organisation)
    if not province_staff:
        c = access.get_candidate(request.user, pk, write=True)
    if action not in ACTIONS:
        raise Http404
    form = _form(action, c, request.POST)
    # An applicant over the age limit is decided by the provincial standing committee: its staff may
    # record the decision, and so may the commune or cell that records the others (the service
    # refuses any decider but the province's, so the record says who decided).
    if form.is_valid():
        try:
            warnings = _run(action, c, request.user, form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(step)s: recorded.") % {"step": TITLES[action]})
            for w in warnings:
                messages.warning(request, w)
            return redirect("candidate", pk=c.pk)
    c = access.get_candidate(request.user, pk)
    return _detail(request, c, bound={action: form}, status=400)


# --- Recognition ----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def member_recognition(request: HttpRequest, pk: int) -> HttpResponse:
    """The cell's resolution, then the committee's decision within its window (once extended in
    a special case); after the rule's number of votes without two-thirds, the superior
    committee's decision."""
    m: Membership = access.get_membership(request.user, pk)
    if not access.sees_members_of(request.user, m.organisation):
        raise Http404
    recs = list(Recognition.objects.filter(membership=m))
    if m.status != Status.PROBATIONARY and not recs:
        raise Http404
    can = access.may_manage_candidates(request.user, m.organisation)
    if request.method == "POST" and not can:
        raise PermissionDenied
    book, cal = RuleBook(), Calendar()
    window = rules.recognition_window(m.admission_date, recs, cal, book)
    pending = window.pending
    initial = {"recognition": pending.pk if pending else None}
    forms_: dict[str, Any] = {
        "resolution": f.RecognitionForm(None, prefix="resolution"),
        "decision": f.RecognitionDecisionForm(None, prefix="decision", initial=initial),
        "extension": f.RecognitionExtensionForm(None, prefix="extension", initial=initial),
        "superior": f.SuperiorDecisionForm(None, prefix="superior"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_:
            raise Http404
        form = forms_[action] = type(forms_[action])(request.POST, prefix=action)
        try:
            if form.is_valid():
                d = form.cleaned_data
                if action == "resolution":
                    rec = services.recognition_resolution(
                        m, actor=request.user, proposal=d["proposal"], grounds=d["grounds"], on=d["on"],
                        number=d["number"], votes_for=d["votes_for"], against=d["against"], abstain=d["abstain"],
                        present=d["present"], official=d["official"])
                    (messages.success if rec.passed else messages.warning)(request, rec.basis)
                    return redirect("member-recognition", pk=m.pk)
                if action == "superior":
                    _rec, warnings = services.recognition_superior_decide(
                        m, actor=request.user, proposal=d["proposal"], grounds=d["grounds"], on=d["on"],
                        number=d["number"], decided_by=d["decided_by"])
                else:
                    chosen = next((r for r in recs if r.pk == d["recognition"]), None)
                    if chosen is None:
                        raise Http404
                    if action == "extension":
                        services.recognition_extend(chosen, actor=request.user, on=d["on"], number=d["number"],
                                                    reason=d["reason"])
                        messages.success(request, _("The extension is recorded."))
                        return redirect("member-recognition", pk=m.pk)
                    _rec, warnings = services.recognition_decide(chosen, actor=request.user, on=d["on"],
                                                                 number=d["number"], decided_by=d["decided_by"])
                messages.success(request, _("The decision is recorded."))
                for w in warnings:
                    messages.warning(request, w)
                return redirect("member-recognition", pk=m.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        status = 400
    return render(request, "recruitment/recognition.html", {
        "m": m, "recs": recs, "pending": pending, "can": can and m.status == Status.PROBATIONARY,
        "w": window, "end": window.end, "consider_by": window.cell_due, "rule": window.cell_rule,
        "overdue": window.overdue(today()), "probation_rule": window.probation_rule,
        "superior_message": services.superior_message(window) if window.stage == rules.Window.SUPERIOR else "",
        "resolution_form": forms_["resolution"], "decision_form": forms_["decision"],
        "extension_form": forms_["extension"], "superior_form": forms_["superior"], "day": today(),
        "back": reverse("recruitment", args=[(m.cell or m.organisation).code]),
    }, status=status)
