"""The main menu on a phone and on a wide screen (issue 14, point 7): on a 360px phone a "Menu"
button opens every item as a list, nothing scrolls sideways, and a tapped item opens its page; on a
1366px screen every item stands in one row without opening anything. Both with and without
JavaScript (the menu is a <details>; chibo.js only helps)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LINKS = "#main-menu a"
BUTTON = "details[data-menu] > summary"


def no_horizontal_scroll(page: Any, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide on a {width}px screen"


def inside(page: Any, selector: str, width: int, height: int) -> None:
    items = page.locator(selector)
    assert items.count() >= 1, selector
    for i in range(items.count()):
        item = items.nth(i)
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{selector} #{i} sticks out sideways: {box}"
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} #{i} is below the screen: {box}"
        assert box["height"] >= 44, f"{selector} #{i} is {box['height']}px tall"


ITEMS = {"member": 6, "commune_staff": 7}  # a plain member has no member list to open


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("persona", ["member", "commune_staff"])
def test_menu_on_a_phone(new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Any,
                         persona: str, javascript: bool) -> None:
    phone["viewport"] = {"width": 360, "height": 800}
    page = new_context(user=browser_world.users[persona], java_script_enabled=javascript, **phone).new_page()
    page.goto("/")
    links = page.locator(LINKS)
    assert links.count() == ITEMS[persona]
    no_horizontal_scroll(page, 360)

    button = page.locator(BUTTON)
    expect(button).to_have_attribute("aria-controls", "main-menu")
    inside(page, BUTTON, 360, 800)
    box = button.bounding_box()
    assert box is not None and box["width"] >= 44
    for i in range(links.count()):
        expect(links.nth(i)).to_be_hidden()  # closed until tapped
    inside(page, ".topbar .bell, .topbar .me, .topbar form[data-signout] button, .topbar .quick-search button", 360, 800)
    expect(page.locator("#quick-q")).to_be_hidden()  # on a phone the magnifier opens the search page

    button.tap()
    expect(page.locator("details[data-menu]")).to_have_attribute("open", "")
    inside(page, LINKS, 360, 800)
    no_horizontal_scroll(page, 360)
    expect(page.locator(f'{LINKS}[aria-current="page"]')).to_have_attribute("href", "/")
    page.screenshot(path=str(artifacts / f"menu-phone-{persona}-{'js' if javascript else 'nojs'}.png"))

    if javascript:  # Escape closes it again, and gives the focus back to the button
        page.keyboard.press("Escape")
        expect(links.first).to_be_hidden()
        expect(button).to_be_focused()
        button.tap()
        expect(links.first).to_be_visible()

    page.locator(f'{LINKS}[href="/cua-toi/"]').tap()  # "For me": every persona may open it
    expect(page).to_have_url(re.compile(r"/cua-toi/$"))
    page.wait_for_load_state("load")  # measured before its stylesheet arrives, the page is wider
    expect(page.locator(f'{LINKS}[aria-current="page"]')).to_have_attribute("href", "/cua-toi/")
    expect(page.locator(f"{LINKS}").first).to_be_hidden()  # a new page starts with the menu closed
    no_horizontal_scroll(page, 360)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [1366, 1024])
@pytest.mark.parametrize("persona", ["member", "commune_staff"])
def test_menu_on_a_wide_screen_is_one_row(new_context: Any, browser_world: Any, artifacts: Any,
                                          persona: str, width: int, javascript: bool) -> None:
    page = new_context(user=browser_world.users[persona], java_script_enabled=javascript,
                       viewport={"width": width, "height": 768}).new_page()
    page.goto("/cua-toi/")
    expect(page.locator(BUTTON)).to_be_hidden()
    links = page.locator(LINKS)
    assert links.count() == ITEMS[persona]
    inside(page, LINKS, width, 768)
    tops = {links.nth(i).evaluate("a => a.offsetTop") for i in range(links.count())}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows at {width}px"
    no_horizontal_scroll(page, width)
    inside(page, ".topbar .bell, .topbar .me, .topbar form[data-signout] button, .topbar .quick-search button",
           width, 768)
    if width >= 1280:  # the search box itself from 1280px; below, its magnifier button
        expect(page.locator("#quick-q")).to_be_visible()
    expect(page.locator(f'{LINKS}[aria-current="page"]')).to_have_attribute("href", "/cua-toi/")
    if width == 1366 and javascript:
        page.screenshot(path=str(artifacts / f"menu-wide-{persona}.png"))
    links.first.click()
    expect(page).to_have_url(re.compile(r"/$"))
