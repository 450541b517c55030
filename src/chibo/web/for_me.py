"""The member's own screen (issue 5, point 8): upcoming meetings with their materials, the
tasks waiting, documents to read, this year's attendance and open questions — on one phone
screen. The items are `homes.member.mine()`, shown through the partials the home page shares."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chibo.core.dates import today
from chibo.meetings import selectors as meeting_selectors
from chibo.web.homes.member import mine


@login_required
def for_me(request: HttpRequest) -> HttpResponse:
    day = today()
    items = mine(request.user, day)
    return render(request, "web/for_me.html", {
        "m": items.membership, "day": day, "mine": items,
        "attendance": meeting_selectors.attendance_record(items.person_id, day.year) if items.person_id else None,
    })
