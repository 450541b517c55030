"""Attendance on a phone without a connection: the secretary opens the attendance page on the
meeting's day, the network is cut, she marks several people (one absent with a reason) and
writes a note; she reloads the page still offline (the service worker serves it, the queued
changes come back from localStorage); when the connection returns everything is sent and the
database has it. Then a conflict: the commune staff change a row online while she, offline,
changes the same row; on reconnecting she sees both values, keeps hers, and the database ends
with her choice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.core.dates import today
from chibo.core.seed import seed_reference_data
from chibo.meetings import services
from chibo.meetings.models import AgendaItem, Attendance
from tests.browser.test_journeys import no_horizontal_scroll

pytestmark = pytest.mark.browser


def _meeting_rules() -> None:
    """The meetings' rules (quorum and the rest), which the flush after a transactional test removes."""
    seed_reference_data()


def _statuses(meeting: Any) -> dict[str, tuple[str, str]]:
    return {a.person.given_name: (a.status, a.reason)
            for a in Attendance.objects.filter(meeting=meeting).select_related("person")}


def test_attendance_taken_offline_is_synced_and_a_conflict_is_chosen_on_a_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path) -> None:
    w = browser_world
    _meeting_rules()
    meeting = services.meeting_create(actor=w.users["secretary_a"], organisation=w.org["A"], kind="regular",
                                      date=today(), start_time=dt.time(19, 30),
                                      place="Nhà văn hóa thôn Đông", chair=w.m["secretary_a"].person)
    url = f"/hop/{meeting.pk}/diem-danh/"
    pid = {key: w.m[key].person.pk for key in ("member", "secretary_a", "a_woman", "c1_staff")}
    item = meeting.agenda.first()
    assert item is not None

    context = new_context(user=w.users["secretary_a"], **phone)
    page = context.new_page()
    page.goto(url)
    row = lambda key: page.locator(f"#p-{pid[key]}")  # noqa: E731
    expect(page.locator("#attendance")).to_have_attribute("data-offline-ready", "1")  # no eval: the CSP forbids it
    expect(page.locator("#att-ready")).to_be_visible()  # "works without a connection on this phone"
    no_horizontal_scroll(page, 360)
    for button in row("member").locator(".att-buttons button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    expect(page.locator("[data-count=called]")).to_have_text("4")

    # --- The network is cut; she takes the attendance -------------------------------------------
    context.set_offline(True)
    row("member").locator(".att-buttons button[value=present]").click()
    expect(page.locator("#att-offline")).to_be_visible()
    expect(row("member").locator(".att-sync")).to_have_attribute("data-state", "queued")
    row("secretary_a").locator(".att-buttons button[value=present]").click()
    row("c1_staff").locator(".att-buttons button[value=late]").click()
    row("a_woman").locator(".att-buttons button[value=excused]").click()  # asks the reason first
    reason = row("a_woman").locator(f"#reason-{pid['a_woman']}")
    expect(reason).to_be_focused()
    reason.fill("Ốm, nằm viện")
    row("a_woman").locator(".att-reason .btn.att-save-reason").click()
    expect(row("a_woman").locator(".att-sync")).to_have_attribute("data-state", "queued")
    page.fill(f"#notes-{item.pk}", "Thôn ổn định; bà con đồng tình làm đường bê tông.")
    page.fill(f"#conclusion-{item.pk}", "Giao tổ đảng số 1 vận động.")
    expect(page.locator("[data-count=present]")).to_have_text("3")
    expect(page.locator("[data-count=pct]")).to_have_text("75%")
    expect(page.locator(".att-quorum")).to_have_attribute("data-valid", "1")
    expect(page.locator("#att-status")).to_have_attribute("data-pending", "5")
    assert set(_statuses(meeting).values()) == {("invited", "")}  # nothing reached the server

    # --- Reloaded while still offline: the worker serves the page, the phone its changes --------
    response = page.reload()
    assert response is not None and response.ok and response.from_service_worker
    assert response.headers.get("x-chibo-copy") == "phone"  # the kept copy, not the network
    expect(page.locator("#att-offline")).to_be_visible()
    expect(row("member").locator(".att-buttons button[value=present]")).to_have_attribute("aria-pressed", "true")
    expect(row("c1_staff").locator(".att-buttons button[value=late]")).to_have_attribute("aria-pressed", "true")
    expect(row("a_woman").locator(".att-current-reason")).to_contain_text("Ốm, nằm viện")
    expect(row("a_woman").locator(".att-sync")).to_have_attribute("data-state", "queued")
    expect(page.locator(f"#notes-{item.pk}")).to_have_value("Thôn ổn định; bà con đồng tình làm đường bê tông.")
    expect(page.locator("[data-count=pct]")).to_have_text("75%")
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "attendance-offline-phone.png"), full_page=True)

    # --- Back online: everything is sent -------------------------------------------------------
    context.set_offline(False)
    expect(page.locator("#att-status")).to_have_attribute("data-pending", "0")
    expect(row("member").locator(".att-sync")).to_have_attribute("data-state", "sent")
    expect(row("a_woman").locator(".att-sync")).to_have_attribute("data-state", "sent")
    expect(page.locator("#att-offline")).to_be_hidden()
    assert _statuses(meeting) == {"Đức": ("present", ""), "Thăng": ("present", ""), "Ninh": ("late", ""),
                                  "Hoa": ("excused", "Ốm, nằm viện")}
    saved = AgendaItem.objects.get(pk=item.pk)
    assert (saved.notes, saved.conclusion) == ("Thôn ổn định; bà con đồng tình làm đường bê tông.",
                                               "Giao tổ đảng số 1 vận động.")
    page.screenshot(path=str(artifacts / "attendance-synced-phone.png"), full_page=True)

    # --- A conflict: the commune changes a row online while she is offline ----------------------
    commune = new_context(user=w.users["commune_staff"]).new_page()
    commune.goto(url)
    context.set_offline(True)
    row("member").locator(".att-buttons button[value=unexcused]").click()
    expect(row("member").locator(".att-sync")).to_have_attribute("data-state", "queued")
    commune_row = commune.locator(f"#p-{pid['member']}")
    commune_row.locator(".att-buttons button[value=late]").click()
    expect(commune_row.locator(".att-sync")).to_have_attribute("data-state", "sent")
    assert _statuses(meeting)["Đức"] == ("late", "")

    context.set_offline(False)
    conflict = row("member").locator(".att-js-conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator("[data-version=mine]")).not_to_be_empty()
    expect(conflict.locator("[data-version=theirs]")).not_to_be_empty()
    mine = conflict.locator("[data-version=mine]").inner_text()
    theirs = conflict.locator("[data-version=theirs]").inner_text()
    assert mine != theirs
    expect(row("member").locator(".att-sync")).to_have_attribute("data-state", "conflict")
    expect(row("member").locator(".att-buttons button[value=late]")).to_have_attribute("aria-pressed", "true")
    assert _statuses(meeting)["Đức"] == ("late", "")  # not overwritten, not lost: waiting for her choice
    no_horizontal_scroll(page, 360)
    conflict.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "attendance-conflict-phone.png"), full_page=True)

    conflict.locator("[data-keep=mine]").click()
    expect(row("member").locator(".att-sync")).to_have_attribute("data-state", "sent")
    expect(conflict).to_have_count(0)
    expect(row("member").locator(".att-buttons button[value=unexcused]")).to_have_attribute("aria-pressed", "true")
    assert _statuses(meeting)["Đức"] == ("unexcused", "")
    expect(page.locator("#att-status")).to_have_attribute("data-conflicts", "0")

    # --- Notes: both wrote on the same agenda item; she keeps the other text ---------------------
    other = meeting.agenda.all()[1]
    context.set_offline(True)
    page.fill(f"#notes-{other.pk}", "Ghi của chi bộ: đường liên thôn")
    expect(page.locator(f"#i-{other.pk} .att-sync")).to_have_attribute("data-state", "queued")
    commune.fill(f"#notes-{other.pk}", "Ghi của xã: đường liên thôn, kinh phí nhân dân góp")
    expect(commune.locator(f"#i-{other.pk} .att-sync")).to_have_attribute("data-state", "sent")
    context.set_offline(False)
    box = page.locator(f"#i-{other.pk} .att-js-conflict")
    expect(box.locator("[data-version=theirs]")).to_contain_text("kinh phí nhân dân góp")
    expect(box.locator("[data-version=mine]")).to_contain_text("Ghi của chi bộ")
    expect(page.locator(f"#notes-{other.pk}")).to_have_value("Ghi của chi bộ: đường liên thôn")  # hers stays in view
    box.locator("[data-keep=theirs]").click()
    expect(page.locator(f"#notes-{other.pk}")).to_have_value("Ghi của xã: đường liên thôn, kinh phí nhân dân góp")
    expect(page.locator("#att-status")).to_have_attribute("data-conflicts", "0")
    expect(page.locator("#att-status")).to_have_attribute("data-pending", "0")
    assert AgendaItem.objects.get(pk=other.pk).notes == "Ghi của xã: đường liên thôn, kinh phí nhân dân góp"
