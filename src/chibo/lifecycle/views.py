"""Pages: what's due in an organisation (/to-chuc/<code>/den-han/), the members due a party
badge at the next award occasion (/to-chuc/<code>/huy-hieu/), a member's transfer letters
(/dang-vien/<pk>/chuyen-sinh-hoat/) and one letter's presentation (/chuyen-sinh-hoat/<pk>/), a
member's exemptions from party work and meetings (/dang-vien/<pk>/mien-sinh-hoat/) and one
exemption's steps (/mien-sinh-hoat/<pk>/).
Organisations and members come only through chibo.access; the dates from lifecycle.selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo import access
from chibo.core.calendar import Calendar, due
from chibo.core.dates import full_years, today
from chibo.core.models import Rule
from chibo.core.numbers import query_int
from chibo.core.rules import RuleMissing, rule
from chibo.lifecycle import exemptions, rules, selectors, services
from chibo.lifecycle import forms as f
from chibo.lifecycle.models import Exemption, TransferLetter
from chibo.lifecycle.selectors import DueItem, Kind
from chibo.members.models import Membership, Status
from chibo.organisations.models import Organisation
from chibo.recruitment import selectors as recruitment_selectors
from chibo.web.forms import ServiceFormMixin


def _act_url(item: DueItem) -> str:
    """Where to act: the recognition form when chibo has one, otherwise the member's page."""
    pk = item.membership.pk
    if item.letter is not None:
        return reverse("transfer-letter", args=[item.letter.pk])
    if item.kind in (Kind.RECOGNITION, Kind.RECOGNITION_DECISION):
        try:
            return reverse("member-recognition", args=[pk])
        except NoReverseMatch:
            pass
    return reverse("member", args=[pk])


def _days(raw: str) -> int:
    return query_int(raw, 1, selectors.MAX_DAYS) or selectors.DEFAULT_DAYS


@login_required
def org_due_dates(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_lifecycle_organisation(request.user, code)
    day = today()
    days = _days(request.GET.get("days", ""))
    procedures = request.GET.get("nhom") == selectors.PROCEDURES  # the commune home's count opens this
    items = selectors.due_items(org, day, days, kinds=selectors.PROCEDURE_KINDS if procedures else None)
    for item in items:
        item.url = _act_url(item)
    candidates = recruitment_selectors.deadlines(access.candidates(request.user), org, day,
                                                 day + dt.timedelta(days=days))
    groups = selectors.by_cell(items, day)
    communes: dict[int, Organisation] = {}
    if org.kind == Organisation.Kind.PROVINCE:  # the list spans communes: say which each cell is in
        communes = Organisation.objects.communes_above([g.cell for g in groups] + [c.organisation for c, _n in candidates])
        for g in groups:
            g.commune = communes.get(g.cell.pk)
    context = {
        "org": org, "day": day, "days": days, "groups": groups, "count": len(items),
        "candidates": candidates, "procedures": procedures, "procedures_value": selectors.PROCEDURES,
        "candidate_rows": [(c, n, communes.get(c.organisation_id)) for c, n in candidates],
        "occasions": rules.BADGE_OCCASIONS, "party_age_note": rules.PARTY_AGE_NOTE,
        "day_choices": (7, 30, 60, 90),
    }
    return render(request, "lifecycle/due.html", context)


@login_required
def org_badges(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_lifecycle_organisation(request.user, code)
    day = today()
    occasion, badge_rules, items = selectors.badges_due(org, day)
    context = {
        "org": org, "day": day, "occasion": occasion, "occasion_name": rules.BADGE_OCCASIONS.name_of(occasion),
        "items": items, "occasions": rules.BADGE_OCCASIONS, "party_age_note": rules.PARTY_AGE_NOTE,
        "badge_rules": badge_rules,
    }
    return render(request, "lifecycle/badges.html", context)


# --- Transfers of party activity ---------------------------------------------------------------

def _letter_rows(letters: list[TransferLetter]) -> list[dict[str, object]]:
    cal = Calendar()  # working days: the holidays read once for every letter
    return [{"letter": x, "present_by": due("transfer_present_days", x.letter_date, calendar=cal)} for x in letters]


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (or record) an introduction letter for the member, and list the member's letters.
    Those who write for the member's organisation."""
    m = access.get_membership(request.user, pk, write=True)
    orgs = Organisation.objects.filter(kind__in=Organisation.MEMBER_KINDS, valid_to__isnull=True).exclude(
        pk=m.organisation_id).order_by("path")
    form = f.LetterForm(request.POST or None, orgs=orgs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                letter, warnings = services.letter_issue(
                    m, actor=request.user, kind=d["kind"], direction=d["direction"], reason_date=d["reason_date"],
                    number=d["number"], letter_date=d["letter_date"], other_organisation=d["other_organisation"],
                    other_name=d["other_name"], temporary_end=d["temporary_end"], study=d["study"], note=d["note"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The transfer letter is recorded."))
                for w in warnings:
                    messages.warning(request, w)
                return redirect("transfer-letter", pk=letter.pk)
        status = 400
    letters = list(TransferLetter.objects.filter(membership=m).select_related("other_organisation", "organisation"))
    return render(request, "lifecycle/member_transfer.html", {
        "m": m, "form": form, "rows": _letter_rows(letters), "day": today(),
        "start_rule": rule("transfer_start_working_days"), "present_rule": rule("transfer_present_days"),
    }, status=status)


def _letter_access(request: HttpRequest, pk: int) -> tuple[TransferLetter, bool]:
    return access.get_transfer_letter(request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter, can = _letter_access(request, pk)
    if request.method == "POST" and not can:
        raise PermissionDenied
    present_form = f.PresentForm(None, prefix="present")
    end_form = f.EndForm(None, prefix="end")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "present":
                present_form = f.PresentForm(request.POST, prefix="present")
                if present_form.is_valid():
                    d = present_form.cleaned_data
                    _l, warnings = services.letter_present(letter, actor=request.user, on=d["presented_on"],
                                                           late_reason=d["late_reason"])
                    messages.success(request, _("The presentation is recorded."))
                    for w in warnings:
                        messages.warning(request, w)
                    return redirect("transfer-letter", pk=letter.pk)
            elif action == "end":
                end_form = f.EndForm(request.POST, prefix="end")
                if end_form.is_valid():
                    services.temporary_end(letter, actor=request.user, on=end_form.cleaned_data["ended_on"])
                    messages.success(request, _("The end of the temporary activity is recorded."))
                    return redirect("transfer-letter", pk=letter.pk)
            else:
                raise Http404
        except ValidationError as exc:
            (present_form if action == "present" else end_form).add_service_errors(exc)
        status = 400
    limit_rule = (services.temporary_limit_rule(letter.letter_date, letter.study)
                  if letter.kind == TransferLetter.Kind.TEMPORARY else None)
    return render(request, "lifecycle/transfer_letter.html", {
        "letter": letter, "m": letter.membership, "can": can, "day": today(),
        "present_by": due("transfer_present_days", letter.letter_date),
        "start_by": due("transfer_start_working_days", letter.reason_date), "limit_rule": limit_rule,
        "present_form": present_form, "end_form": end_form,
        "member_url": reverse("member-transfer", args=[letter.membership.pk]),
    }, status=status)


# --- Exemption from party work and meetings --------------------------------------------------------

def _exemption_guidance(m: Membership, day: dt.date) -> dict[str, object]:
    """The conditions of HD 27 (as rules) and the member's age, shown as guidance."""
    found = [r for r in (_rule_or_none(k, day) for k in ("exemption_age_men", "exemption_age_women",
                                                          "exemption_health_months", "exemption_travel_months")) if r]
    age_rule = exemptions.age_rule(m, day)
    return {"condition_rules": found, "age": full_years(m.birth_date, day),
            "age_rule": age_rule, "age_below": age_rule is not None and full_years(m.birth_date, day) < age_rule.value}


def _rule_or_none(key: str, day: dt.date) -> Rule | None:
    try:
        return rule(key, day)
    except RuleMissing:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def member_exemption(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's exemptions: the effects, the conditions, the history, and the request (or the
    committee's proposal) that opens a procedure; for a member exempted before the procedure,
    the return. Read by those who see the member; written by those who write for the member's
    organisation."""
    m = access.get_membership(request.user, pk, write=request.method == "POST")
    can = access.writes_for(request.user, m.organisation)
    request_form = f.ExemptionRequestForm(None, prefix="request")
    return_form = f.ExemptionReturnForm(None, prefix="return")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request":
                request_form = f.ExemptionRequestForm(request.POST, prefix="request")
                if request_form.is_valid():
                    d = request_form.cleaned_data
                    ex, warnings = exemptions.exemption_request(
                        m, actor=request.user, origin=d["origin"], request_on=d["request_on"], grounds=d["grounds"],
                        reason=d["reason"], note=d["note"])
                    messages.success(request, _("The request is recorded. Record the cell's resolution next."))
                    for w in warnings:
                        messages.warning(request, w)
                    return redirect("exemption", pk=ex.pk)
            elif action == "return":
                return_form = f.ExemptionReturnForm(request.POST, prefix="return")
                if return_form.is_valid():
                    ex = _return(request, m, return_form)
                    return redirect("exemption", pk=ex.pk)
            else:
                raise Http404
        except ValidationError as exc:
            (request_form if action == "request" else return_form).add_service_errors(exc)
        status = 400
    day = today()
    items = list(Exemption.objects.filter(membership=m).order_by("-id"))
    open_ = next((x for x in items if x.is_open), None)
    return render(request, "lifecycle/member_exemption.html", {
        "m": m, "can": can, "day": day, "items": items, "open": open_,
        "request_form": request_form, "return_form": return_form,
        "may_request": m.status == Status.OFFICIAL and not m.exempt and open_ is None,
        "history_return": m.exempt and open_ is None,
        **_exemption_guidance(m, day),
    }, status=status)


def _return(request: HttpRequest, m: Membership, form: f.ExemptionReturnForm) -> Exemption:
    d = form.cleaned_data
    ex = exemptions.exemption_return(m, actor=request.user, end_on=d["end_on"], return_on=d["return_on"],
                                     return_number=d["return_number"], return_request_on=d["return_request_on"])
    messages.success(request, _("The return to activity is recorded: the member is invited to meetings again."))
    return ex


@login_required
@require_http_methods(["GET", "POST"])
def exemption(request: HttpRequest, pk: int) -> HttpResponse:
    """One exemption procedure, its steps so far and the form of the next one."""
    ex, can = access.get_exemption(request.user, pk)
    if request.method == "POST" and not can:
        raise PermissionDenied
    m = ex.membership
    resolve_form = f.ExemptionResolveForm(None, prefix="resolve")
    decide_form = f.ExemptionDecideForm(None, prefix="decide")
    return_form = f.ExemptionReturnForm(None, prefix="return")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form: ServiceFormMixin | None = None
        try:
            if action == "resolve":
                form = resolve_form = f.ExemptionResolveForm(request.POST, prefix="resolve")
                if form.is_valid():
                    d = form.cleaned_data
                    exemptions.exemption_resolve(ex, actor=request.user, agreed=d["agreed"] == "yes",
                                                 resolution_on=d["resolution_on"],
                                                 resolution_number=d["resolution_number"],
                                                 votes_for=d["votes_for"], votes_against=d["votes_against"])
                    messages.success(request, _("The cell's resolution is recorded."))
                    return redirect("exemption", pk=ex.pk)
            elif action == "decide":
                form = decide_form = f.ExemptionDecideForm(request.POST, prefix="decide")
                if form.is_valid():
                    d = form.cleaned_data
                    exemptions.exemption_decide(ex, actor=request.user, agreed=d["agreed"] == "yes",
                                                decision_on=d["decision_on"], decided_by=d["decided_by"],
                                                decision_number=d["decision_number"], start_on=d["start_on"])
                    messages.success(request, _("The decision is recorded."))
                    return redirect("exemption", pk=ex.pk)
            elif action == "return":
                form = return_form = f.ExemptionReturnForm(request.POST, prefix="return")
                if form.is_valid():
                    _return(request, m, form)
                    return redirect("exemption", pk=ex.pk)
            else:
                raise Http404
        except ValidationError as exc:
            assert form is not None
            form.add_service_errors(exc)
        status = 400
    return render(request, "lifecycle/exemption.html", {
        "ex": ex, "m": m, "can": can, "day": today(),
        "resolve_form": resolve_form, "decide_form": decide_form, "return_form": return_form,
    }, status=status)
