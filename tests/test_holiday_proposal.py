"""An administrator pre-fills a year's days off from Vietnam's public-holiday calendar (the
`holidays` package), as a proposal checked against the Government's announcement (issue 15,
point 6): the page marks where the calendar and the recorded days differ, adds only the days
chosen that are not recorded yet, never changes a recorded one, and writes the audit record.
Only an administrator may see or use it, as with the rest of the rulebook."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.audit.models import AuditEvent
from chibo.core.models import Holiday

pytestmark = pytest.mark.django_db
D = dt.date
URL = "/ngay-nghi/de-xuat/"


def test_the_proposal_shows_where_the_calendar_and_the_recorded_days_differ(world):
    page = world.client("admin").get(URL, {"nam": "2027"})
    assert page.status_code == 200
    html = page.content.decode()
    # In the calendar, not recorded: offered to add, ticked.
    assert 'value="2027-11-24"' in html and 'value="2027-02-04"' in html
    # Recorded and in the calendar: shown with the recorded name, not offered again.
    assert 'value="2027-02-05"' not in html and "Tết Nguyên đán" in html
    # Recorded here only (a Tết day the calendar counts differently): shown, kept.
    assert "11/02/2027" in html
    assert world.client("admin").get("/ngay-nghi/", {"nam": "2027"}).content.decode().count(URL) == 1


def test_an_administrator_adds_the_days_they_confirm_and_nothing_recorded_changes(world):
    before = list(Holiday.objects.filter(date__year=2026).values_list("date", "name", "confirmed", "note"))
    response = world.client("admin").post(f"{URL}?nam=2026", {"days": ["2026-11-24"]})
    assert response.status_code == 302 and response["Location"] == "/ngay-nghi/?nam=2026"
    added = Holiday.objects.get(date=D(2026, 11, 24))
    assert added.name == "Ngày Văn hóa Việt Nam" and not added.confirmed and "holidays" in added.note
    assert list(Holiday.objects.filter(date__year=2026).exclude(pk=added.pk).values_list(
        "date", "name", "confirmed", "note")) == before
    event = AuditEvent.objects.get(object_type="holiday", object_id=str(added.pk))
    assert event.action == "create" and event.actor == world.users["admin"]
    # Checked against the announcement: recorded as announced.
    assert world.client("admin").post(f"{URL}?nam=2026", {"days": ["2026-08-31"], "confirmed": "on"}).status_code == 302
    assert Holiday.objects.get(date=D(2026, 8, 31)).confirmed
    # Nothing left to add for those days; the page says the two now agree only on what it shows.
    html = world.client("admin").get(URL, {"nam": "2026"}).content.decode()
    assert 'value="2026-11-24"' not in html and 'value="2026-08-31"' not in html


def test_a_recorded_day_is_never_overwritten_and_a_choice_is_needed(world):
    recorded = Holiday.objects.get(date=D(2026, 2, 16))  # the calendar calls it "Giao thừa Tết Nguyên Đán"
    again = world.client("admin").post(f"{URL}?nam=2026", {"days": ["2026-02-16"]})
    assert again.status_code == 400
    assert Holiday.objects.get(date=D(2026, 2, 16)).name == recorded.name == "Tết Nguyên đán"
    none = world.client("admin").post(f"{URL}?nam=2026", {})
    assert none.status_code == 400
    assert 'class="field has-error"' in none.content.decode()  # the days field is marked
    assert not AuditEvent.objects.filter(object_type="holiday").exists()


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "province_staff"])
def test_only_an_administrator_may_see_or_use_the_proposal(world, persona):
    assert world.client(persona).get(URL, {"nam": "2026"}).status_code == 403
    assert world.client(persona).post(f"{URL}?nam=2026", {"days": ["2026-11-24"]}).status_code == 403
    assert not Holiday.objects.filter(date=D(2026, 11, 24)).exists()
    assert URL not in world.client(persona).get("/ngay-nghi/", {"nam": "2026"}).content.decode()
    assert world.client("anonymous").get(URL).status_code == 302
