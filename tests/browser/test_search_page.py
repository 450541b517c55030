"""The search from any page in a browser (web/search.py): on a 360px phone the magnifier in the
top bar opens the search page, whose results read without sideways scrolling; on a wide screen
the box in the top bar searches at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_search_on_a_phone(new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Any,
                           javascript: bool) -> None:
    page = new_context(user=browser_world.users["commune_staff"], java_script_enabled=javascript, **phone).new_page()
    page.goto("/cua-toi/")
    page.locator(".topbar .quick-search button").tap()
    expect(page).to_have_url(re.compile(r"/tim-kiem/"))
    box = page.locator("#search-q")
    box.fill("nguyen van")
    if javascript:  # htmx fetches the results as one types
        expect(page.locator("#results a[href^='/dang-vien/']").first).to_be_visible()
    page.locator(".search-form button[type=submit]").tap()
    expect(page).to_have_url(re.compile(r"q=nguyen"))
    member = page.locator(f"#results a[href='/dang-vien/{browser_world.m['member'].pk}/']")
    expect(member).to_be_visible()
    page.wait_for_load_state("networkidle")  # htmx swaps the results once per request: measure the last
    expect(member).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    found = member.bounding_box()
    assert found is not None and found["height"] >= 44
    page.screenshot(path=str(artifacts / f"search-phone-{'js' if javascript else 'nojs'}.png"), full_page=True)
    box.fill("a")
    page.locator(".search-form button[type=submit]").tap()
    expect(page.locator("#results .alert")).to_be_visible()  # at least 2 characters


def test_search_from_the_top_bar_on_a_wide_screen(new_context: Any, browser_world: Any) -> None:
    page = new_context(user=browser_world.users["province_staff"], viewport={"width": 1366, "height": 768}).new_page()
    page.goto("/")
    page.locator("#quick-q").fill("Buôn Ma")
    page.locator("#quick-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q=Bu"))
    expect(page.locator("#results a[href='/to-chuc/X/']")).to_be_visible()
    page.goto("/cua-toi/")
    page.locator(".topbar .quick-search button").click()
    expect(page.locator("#search-q")).to_be_focused()  # the page opens ready to type
    page.keyboard.type("Buôn Ma")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/tim-kiem/\?q=Bu"))
    expect(page.locator("#results a[href='/to-chuc/X/']")).to_be_visible()
