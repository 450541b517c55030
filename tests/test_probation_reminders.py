"""The cell is reminded before a probation ends (issue 6 point 4): the daily digest of the cell
committee lists the cell's probationary members whose probation ends within the user's
due-soon days and those whose recognition is overdue — still one digest per person per day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from chibo.members import services as members
from chibo.notifications import services
from chibo.notifications.models import Notification
from tests.conftest import person_data

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def digest(user, day):
    return list(Notification.objects.filter(user=user, day=day, kind=Notification.Kind.DIGEST))


def test_the_cell_committee_is_reminded_of_a_probation_ending_within_its_days(world):
    sec = world.users["secretary_a"]
    services.set_preference(sec, due_soon_days=10, daily=True)
    m = world.m["a_woman"]  # admitted 03/02/2026: probation ends 03/02/2027
    day = D(2027, 1, 25)
    assert services.send_daily(day=day) >= 1
    [n] = digest(sec, day)
    texts = [line["text"] for line in n.lines]
    assert "Trần Thị Hoa: probation ends — due 03/02/2027" in texts
    line = next(line for line in n.lines if line["text"].startswith("Trần Thị Hoa"))
    assert line["url"] == reverse("member-recognition", args=[m.pk]) and line["urgency"] == "due_soon"
    for other in ("secretary_b", "commune_staff", "member"):
        assert not any("Trần Thị Hoa" in line["text"] for n in digest(world.users[other], day) for line in n.lines)
    assert services.send_daily(day=day) == 0  # one digest per person per day
    assert len(digest(sec, day)) == 1


def test_outside_the_users_days_nothing_is_sent(world):
    sec = world.users["secretary_a"]
    services.set_preference(sec, due_soon_days=3, daily=True)
    services.send_daily(day=D(2027, 1, 25))
    assert digest(sec, D(2027, 1, 25)) == []
    services.send_daily(day=D(2027, 2, 1))
    [n] = digest(sec, D(2027, 2, 1))
    assert [line["text"] for line in n.lines] == ["Trần Thị Hoa: probation ends — due 03/02/2027"]
    services.set_preference(sec, due_soon_days=10, daily=False)
    services.send_daily(day=D(2027, 1, 30))
    assert digest(sec, D(2027, 1, 30)) == []


def test_an_overdue_recognition_is_listed_and_does_not_count_as_an_overdue_task(world):
    sec = world.users["secretary_a"]
    m = members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                              organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))
    day = D(2026, 11, 2)  # recognition to be considered by 27/10/2026 (30 working days after 15/09/2026)
    services.send_daily(day=day)
    [n] = digest(sec, day)
    line = next(line for line in n.lines if line["text"].startswith("Lê Thị Mai"))
    assert line["text"] == "Lê Thị Mai: recognition as official member to consider — deadline 27/10/2026, 6 days late"
    assert line["urgency"] == "overdue" and line["url"] == reverse("member-recognition", args=[m.pk])
    with translation.override(settings.LANGUAGE_CODE):  # the title is in the site's language
        assert n.title == gettext("Your tasks for the coming days")
    assert not any("Lê Thị Mai" in line["text"] for n in digest(world.users["secretary_b"], day) for line in n.lines)


def test_once_the_cell_has_passed_its_resolution_the_recognition_is_no_longer_to_consider(world):
    from chibo.recruitment import services as recruitment

    sec = world.users["secretary_a"]
    m = members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                              organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))
    recruitment.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 10, 20), number="20-NQ/CB",
                                       votes_for=4, against=0, abstain=0, present=4, official=4)
    services.send_daily(day=D(2026, 11, 2))  # the committee's decision is awaited, not the cell's consideration
    assert not any(line["text"].startswith("Lê Thị Mai") for n in digest(sec, D(2026, 11, 2)) for line in n.lines)
