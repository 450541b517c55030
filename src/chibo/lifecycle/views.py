"""Pages: what's due in an organisation (/to-chuc/<code>/den-han/) and the members due a party
badge at the next award occasion (/to-chuc/<code>/huy-hieu/). Organisations come only through
chibo.access; the dates from lifecycle.selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from chibo import access
from chibo.core.dates import today
from chibo.lifecycle import rules, selectors
from chibo.lifecycle.selectors import DueItem, Kind


def _act_url(item: DueItem) -> str:
    """Where to act: the recognition form when chibo has one, otherwise the member's page."""
    pk = item.membership.pk
    if item.kind == Kind.RECOGNITION:
        try:
            return reverse("member-recognition", args=[pk])
        except NoReverseMatch:
            pass
    return reverse("member", args=[pk])


def _days(raw: str) -> int:
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= selectors.MAX_DAYS else selectors.DEFAULT_DAYS


@login_required
def org_due_dates(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_lifecycle_organisation(request.user, code)
    day = today()
    days = _days(request.GET.get("days", ""))
    items = selectors.due_items(org, day, days)
    for item in items:
        item.url = _act_url(item)
    context = {
        "org": org, "day": day, "days": days, "groups": selectors.by_cell(items, day), "count": len(items),
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
