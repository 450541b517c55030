"""The exemption from party work and meetings on a phone: the cell secretary records the request,
the cell's resolution and the decision through the pages at 360 px, without horizontal scroll."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.lifecycle.models import Exemption
from chibo.members.models import Membership
from tests.browser.test_journeys import no_horizontal_scroll
from tests.conftest import add_member

pytestmark = pytest.mark.browser


def test_exemption_on_phone(new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Any) -> None:
    w = browser_world
    old = add_member(w.org["A"], "Lê", "Văn", "Cao", birth=dt.date(1950, 4, 2), admission=dt.date(1980, 5, 19))
    page = new_context(user=w.users["secretary_a"], **phone).new_page()
    page.goto(f"/dang-vien/{old.pk}/")
    page.locator("#exemption-link").click()
    expect(page.locator("#request-form")).to_be_visible()
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "exemption-member-phone.png"), full_page=True)
    page.locator("#id_request-request_on").fill("02/03/2026")
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator("#resolve-form")).to_be_visible()
    page.locator("#id_resolve-resolution_on").fill("10/03/2026")
    page.locator("#resolve-form button[type=submit]").click()
    expect(page.locator("#decide-form")).to_be_visible()
    no_horizontal_scroll(page, 360)
    page.locator("#id_decide-decision_on").fill("15/03/2026")
    page.locator("#id_decide-start_on").fill("15/03/2026")
    page.locator("#decide-form button[type=submit]").click()
    expect(page.locator("#return-form")).to_be_visible()
    expect(page.locator("#start-on")).to_have_text("15/03/2026")
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "exemption-procedure-phone.png"), full_page=True)
    assert Exemption.objects.get(membership=old).state == "decided" and Membership.objects.get(pk=old.pk).exempt
