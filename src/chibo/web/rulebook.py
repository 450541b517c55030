"""The rulebook and the working-day calendar: every regulation number chibo uses, with its
citation, versions and dates in force (unconfirmed ones marked), and the holidays per year.
Read by everyone signed in; changed only by an administrator, through chibo.core.services."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from chibo import access
from chibo.core import calendar, services
from chibo.core.dates import today
from chibo.core.models import Holiday, Rule
from chibo.core.numbers import query_int
from chibo.web.forms import ServiceFormMixin, date_field


class RuleVersionForm(ServiceFormMixin, forms.Form):
    value = forms.IntegerField(label=gettext_lazy("new value"), required=False,
                               error_messages={"invalid": gettext_lazy("Enter the new value as a whole number.")})
    effective_from = date_field(gettext_lazy("applies from"), required=False)
    citation = forms.CharField(label=gettext_lazy("document and article"), max_length=300, required=False)
    confirmed = forms.BooleanField(label=gettext_lazy("confirmed from the text of the document"), required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HolidayForm(ServiceFormMixin, forms.Form):
    date = date_field(gettext_lazy("date"), required=False)
    name = forms.CharField(label=gettext_lazy("holiday"), max_length=120, required=False)
    confirmed = forms.BooleanField(label=gettext_lazy("announced by the Government"), required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("source"), max_length=300, required=False)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    day = today()
    rows = list(Rule.objects.order_by("key", "-effective_from"))
    groups = []
    for key, versions in groupby(rows, key=lambda r: r.key):
        vs = list(versions)
        current = next((v for v in vs if v.in_force_on(day)), None)
        groups.append({"key": key, "name": vs[0].name, "current": current, "versions": vs})
    groups.sort(key=lambda g: g["name"])
    return render(request, "web/rules.html", {"groups": groups, "day": day,
                                              "can_edit": access.may_edit_rulebook(request.user),
                                              "form": RuleVersionForm()})


@login_required
@require_POST
def rule_version(request: HttpRequest, key: str) -> HttpResponse:
    if not Rule.objects.filter(key=key).exists():
        raise Http404
    if not access.may_edit_rulebook(request.user):
        raise PermissionDenied
    form = RuleVersionForm(request.POST)
    if form.is_valid():
        try:
            rule = services.rule_add_version(actor=request.user, key=key, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The new value of “%(name)s” applies from %(day)s; dates before it keep the "
                                        "earlier value.") % {"name": rule.name,
                                                             "day": rule.effective_from.strftime("%d/%m/%Y")})
            return redirect("rules")
    versions = list(Rule.objects.filter(key=key).order_by("-effective_from"))
    return render(request, "web/rule_version.html", {"form": form, "key": key, "versions": versions,
                                                     "name": versions[0].name}, status=400)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("nam", "")
    this = today().year
    return query_int(raw, 2000, this + 5) or this


@login_required
def holidays(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    can_edit = access.may_edit_rulebook(request.user)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                h = services.holiday_set(actor=request.user, day=form.cleaned_data["date"],
                                         name=form.cleaned_data["name"], confirmed=form.cleaned_data["confirmed"],
                                         note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("%(date)s is recorded as a day off: %(name)s.") % {
                    "date": h.date.strftime("%d/%m/%Y"), "name": h.name})
                return redirect(f"{request.path}?nam={h.date.year}")
    days = list(Holiday.objects.filter(date__year=year))
    years = sorted({*Holiday.objects.dates("date", "year").values_list("date__year", flat=True), year,
                    today().year, today().year + 1})
    context: dict[str, Any] = {"year": year, "days": days, "years": years, "can_edit": can_edit, "form": form,
                               "unconfirmed": any(not d.confirmed for d in days),
                               "working": _working_days(year, {d.date for d in days})}
    return render(request, "web/holidays.html", context, status=400 if form.errors else 200)


def _working_days(year: int, off: set[dt.date]) -> int:
    day, end, n = dt.date(year, 1, 1), dt.date(year, 12, 31), 0
    while day <= end:
        n += day.weekday() < 5 and day not in off
        day += dt.timedelta(days=1)
    return n


class ProposalForm(ServiceFormMixin, forms.Form):
    days = forms.TypedMultipleChoiceField(label=gettext_lazy("days to add"), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          coerce=lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v)
    confirmed = forms.BooleanField(label=gettext_lazy("checked against the Government's announcement"),
                                   required=False)

    def __init__(self, *args: Any, proposal: calendar.Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(d.date.isoformat(), f"{d.date:%d/%m/%Y} {d.name}") for d in proposal.new]
        self.fields["days"].choices = choices  # type: ignore[attr-defined]
        self.fields["days"].initial = [value for value, _label in choices]


@login_required
def holiday_propose(request: HttpRequest) -> HttpResponse:
    """A year's days off proposed from Vietnam's calendar (the `holidays` package), beside what is
    recorded: the administrator adds the days they confirm; what is recorded is never changed."""
    if not access.may_edit_rulebook(request.user):
        raise PermissionDenied
    year = _year(request)
    proposal = calendar.propose_days_off(year)
    form = ProposalForm(request.POST if request.method == "POST" else None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.holiday_add_proposed(actor=request.user, year=year, days=form.cleaned_data["days"],
                                                  confirmed=form.cleaned_data["confirmed"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, ngettext(
                "%(n)d day off of %(year)d added from the proposal.",
                "%(n)d days off of %(year)d added from the proposal.", len(added)) % {"n": len(added), "year": year})
            return redirect(f"{reverse('holidays')}?nam={year}")
    return render(request, "web/holiday_propose.html", {"year": year, "proposal": proposal, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def holiday_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.may_edit_rulebook(request.user):
        raise PermissionDenied
    holiday = Holiday.objects.filter(pk=pk).first()
    if holiday is None:  # removed already (a second tap, or another administrator): nothing to do
        messages.info(request, _("That day off is no longer in the list: it had already been removed. Nothing "
                                 "was changed."))
        return redirect("holidays")
    year = holiday.date.year
    services.holiday_remove(actor=request.user, holiday=holiday)
    messages.success(request, _("The day off was removed; deadlines are counted without it from now on."))
    return redirect(f"/ngay-nghi/?nam={year}")
