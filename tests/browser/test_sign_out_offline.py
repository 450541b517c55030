"""Signing out empties the phone (issue 11, point 7). The secretary marks attendance with no
connection, so the change waits in the phone's queue; she presses "Sign out": she is not
signed out, and told to connect and open the attendance page so that it is sent. She chooses
to sign out anyway and throw the change away: she is signed out, and the phone keeps nothing
of chibo's (no queue in localStorage, no kept pages, no service worker). With nothing waiting,
sign-out goes straight through and empties the phone the same way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.core.dates import today
from chibo.meetings import services
from chibo.meetings.models import Attendance
from tests.browser.test_attendance_offline import _meeting_rules

pytestmark = pytest.mark.browser

KEPT = """async () => {
  const keys = Object.keys(localStorage).filter((k) => k.startsWith("chibo:"));
  const caches_ = (await caches.keys()).filter((k) => k.startsWith("chibo-"));
  const workers = (await navigator.serviceWorker.getRegistrations()).length;
  return {keys, caches: caches_, workers};
}"""


def _attendance_page(w: Any, context: Any) -> tuple[Any, Any, int]:
    _meeting_rules()
    meeting = services.meeting_create(actor=w.users["secretary_a"], organisation=w.org["A"], kind="regular",
                                      date=today(), start_time=dt.time(19, 30),
                                      place="Nhà văn hóa thôn Đông", chair=w.m["secretary_a"].person)
    page = context.new_page()
    page.goto(f"/hop/{meeting.pk}/diem-danh/")
    expect(page.locator("#attendance")).to_have_attribute("data-offline-ready", "1")  # no eval: the CSP forbids it
    return page, meeting, w.m["member"].person.pk


def test_sign_out_is_refused_while_changes_wait_then_discarding_empties_the_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path) -> None:
    w = browser_world
    context = new_context(user=w.users["secretary_a"], **phone)
    page, meeting, member = _attendance_page(w, context)
    kept = page.evaluate(KEPT)
    assert kept["caches"] and kept["workers"] == 1  # the page is kept on the phone for offline use

    context.set_offline(True)
    page.locator(f"#p-{member} .att-buttons button[value=present]").click()
    expect(page.locator("#att-status")).to_have_attribute("data-pending", "1")
    assert page.evaluate(KEPT)["keys"]

    # --- Sign-out with a change waiting: refused, saying how to send it ---------------------------
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    refused = page.locator("#signout-refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Chưa đăng xuất")
    expect(refused).to_contain_text("Hãy kết nối mạng rồi mở trang điểm danh")
    expect(refused.get_by_role("link", name="Mở trang điểm danh để gửi")).to_have_attribute(
        "href", f"/hop/{meeting.pk}/diem-danh/")
    assert page.url.endswith(f"/hop/{meeting.pk}/diem-danh/")
    assert page.evaluate(KEPT)["keys"]  # nothing was thrown away
    page.screenshot(path=str(artifacts / "sign-out-refused-phone.png"), full_page=False)

    # --- Back online, but the sync address does not answer: she throws the change away ------------
    context.route("**/diem-danh/dong-bo/", lambda route: route.abort())
    context.set_offline(False)
    refused.get_by_role("button", name="Vẫn đăng xuất và bỏ các thay đổi này").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"), timeout=10_000)
    expect(page.locator("input[name=username]")).to_be_visible()
    assert page.evaluate(KEPT) == {"keys": [], "caches": [], "workers": 0}
    assert Attendance.objects.get(meeting=meeting, person_id=member).status == "invited"  # never sent
    assert context.new_page().goto("/").url.endswith("/dang-nhap/?next=/")  # signed out on the server


def test_sign_out_with_nothing_waiting_goes_through_and_empties_the_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any]) -> None:
    w = browser_world
    context = new_context(user=w.users["secretary_a"], **phone)
    page, meeting, member = _attendance_page(w, context)
    page.locator(f"#p-{member} .att-buttons button[value=present]").click()
    expect(page.locator(f"#p-{member} .att-sync")).to_have_attribute("data-state", "sent")
    assert page.evaluate(KEPT)["keys"]  # the known revisions are kept, nothing waits

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"), timeout=10_000)
    assert page.evaluate(KEPT) == {"keys": [], "caches": [], "workers": 0}
    assert Attendance.objects.get(meeting=meeting, person_id=member).status == "present"


def test_htmx_keeps_no_copy_of_pages_on_the_phone_and_back_still_works(new_context: Any, browser_world: Any) -> None:
    """htmx would keep each page it replaces in the tab's sessionStorage for the back button (a
    member list, with names, left on the phone): it keeps none, and going back loads the page again."""
    page = new_context(user=browser_world.users["commune_staff"]).new_page()
    page.goto("/dang-vien/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Lê Văn Bình")).to_be_visible()
    page.locator("#id_q").press_sequentially("nguyen van duc", delay=25)
    expect(page).to_have_url(re.compile(r"[?&]q=nguyen"))
    expect(results.get_by_role("link", name="Lê Văn Bình")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/dang-vien/$"))
    expect(results.get_by_role("link", name="Lê Văn Bình")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None  # no copy of the list
    assert page.evaluate("() => Object.keys(localStorage)") == []
