"""The home page's "Việc cần làm" on a phone (issue 14 point 3): the member signs in, sees the
next meeting, tells the cell ahead they will be absent, and the home page shows it; the secretary
sees this month's meeting is not prepared, taps the one button, prepares and announces it, and
the home page shows it announced. The tests run on DAY, as in tests/test_home_member.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.meetings.models import Meeting
from tests.browser.test_journeys import no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.test_home_member import DAY, meeting

pytestmark = [pytest.mark.browser, pytest.mark.today(DAY)]


def test_the_member_tells_the_cell_from_the_home_page(new_context: Any, browser_world: Any, phone: dict[str, Any],
                                                      live_server: Any) -> None:
    w = browser_world
    m = meeting(w, 2, material="Dự thảo nghị quyết tháng 3")
    page = new_context(**phone).new_page()
    page.goto("/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    work = page.locator("#work-meeting")
    expect(work).to_contain_text("Nhà văn hóa thôn Đông")
    expect(work).to_contain_text("Dự thảo nghị quyết tháng 3")
    no_horizontal_scroll(page, 360)

    work.locator(f"a[href='/hop/{m.pk}/#absence']").click()
    expect(page).to_have_url(re.compile(rf"/hop/{m.pk}/#absence$"))
    page.locator("#absence textarea, #absence input[name=reason]").first.fill("Đi công tác huyện")
    page.locator("#absence button[type=submit]").click()
    expect(page.locator("#my-notice")).to_contain_text("Đi công tác huyện")

    page.goto("/")
    expect(page.locator("#work-meeting .my-notice")).to_contain_text("Đi công tác huyện")
    no_horizontal_scroll(page, 360)


def test_the_secretary_prepares_and_announces_this_months_meeting(new_context: Any, browser_world: Any,
                                                                  phone: dict[str, Any]) -> None:
    w = browser_world
    page = new_context(user=w.users["secretary_a"], **phone).new_page()
    page.goto("/")
    expect(page.locator("#month-state")).to_have_attribute("data-state", "none")
    no_horizontal_scroll(page, 360)
    page.locator("#work-meeting a[href='/hop/moi/?org=A']").click()

    day = DAY + dt.timedelta(days=5)
    page.fill("#id_date", day.strftime("%d/%m/%Y"))
    page.fill("#id_start_time", "19:30")
    page.fill("#id_place", "Nhà văn hóa thôn Đông")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/hop/*/")
    prepared = Meeting.objects.get(organisation=w.org["A"], date=day)

    page.goto("/")
    expect(page.locator("#month-state")).to_have_attribute("data-state", "draft")
    page.locator(f"#work-meeting a[href='/hop/{prepared.pk}/']").first.click()
    page.locator(f"form[action='/hop/{prepared.pk}/cong-bo/'] button").click()
    page.wait_for_url(f"**/hop/{prepared.pk}/")
    prepared.refresh_from_db()
    assert prepared.status == Meeting.Status.PUBLISHED

    page.goto("/")
    expect(page.locator("#month-state")).to_have_attribute("data-state", "announced")
    expect(page.locator("#work-meeting")).to_contain_text(day.strftime("%d/%m/%Y"))
    no_horizontal_scroll(page, 360)
