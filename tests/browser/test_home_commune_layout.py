"""The commune home's "To do" on a 360px phone and a 1366px screen (issue 14, point 3): nothing
scrolls sideways, every count is a card at least 44px tall within the screen's width, two across
on the phone and all in one row on the wide screen, and a tapped card opens its list."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

CARDS = "a.work-card"


@pytest.mark.parametrize(("width", "height", "across"), [(360, 740, 2), (1366, 768, 6)], ids=["phone", "wide"])
def test_the_cards_fit_and_open_their_lists(new_context: Any, browser_world: Any, artifacts: Any, width: int,
                                            height: int, across: int) -> None:
    options: dict[str, Any] = {"viewport": {"width": width, "height": height}}
    if width < 400:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    page = new_context(browser_world.users["commune_staff"], **options).new_page()
    page.goto("/")
    cards = page.locator(CARDS)
    assert cards.count() == 6
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    tops = set()
    for i in range(cards.count()):
        box = cards.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"card {i} sticks out: {box}"
        assert box["height"] >= 44, f"card {i} is {box['height']}px tall"
        tops.add(round(box["y"]))
    assert len(tops) == -(-6 // across), f"{len(tops)} rows of cards on a {width}px screen"
    page.screenshot(path=str(artifacts / f"home-commune-{width}.png"), full_page=True)
    page.locator("#work-overdue").click()
    page.wait_for_url("**/to-chuc/C1/viec-den-han/")
