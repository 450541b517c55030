"""The main menu in the top bar: a labelled "Menu" disclosure (<details>/<summary>, so it opens
without JavaScript) around the same items for every signed-in persona (the member list only for those who may open it); the current page's
item is marked. Layout on a phone and a wide screen: tests/browser/test_menu_layout.py."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

ITEMS = ["home", "for-me", "tree", "members", "resolutions", "documents", "threads"]


class Header(HTMLParser):
    """What the top bar holds: the <details data-menu>, its <summary>, the links of the main <nav>."""

    def __init__(self) -> None:
        super().__init__()
        self.details: dict[str, str | None] | None = None
        self.summary: dict[str, str | None] | None = None
        self.summary_text = ""
        self.nav: dict[str, str | None] | None = None
        self.links: list[dict[str, str | None]] = []
        self.in_summary = self.in_nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "details" and "data-menu" in a:
            self.details = a
        elif tag == "summary" and self.details is not None and self.summary is None:
            self.summary, self.in_summary = a, True
        elif tag == "nav" and a.get("id") == "main-menu":
            self.nav, self.in_nav = a, True
        elif tag == "a" and self.in_nav:
            self.links.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "summary":
            self.in_summary = False
        elif tag == "nav":
            self.in_nav = False

    def handle_data(self, data: str) -> None:
        if self.in_summary:
            self.summary_text += data


def header(client: Any, url: str) -> Header:
    r = client.get(url)
    assert r.status_code == 200
    h = Header()
    h.feed(r.content.decode())
    return h


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_has_the_labelled_menu_button_and_the_same_items(world: Any, persona: str) -> None:
    h = header(world.client(persona), reverse("home"))
    assert h.details is not None, "no <details data-menu> in the top bar"
    assert "open" not in h.details  # closed on a phone until tapped; chibo.js holds it open from 1024px
    assert h.summary is not None, "the menu has no <summary> button"
    assert h.summary_text.strip() in ("Menu", "Trình đơn")
    assert h.summary.get("aria-controls") == "main-menu"
    assert "aria-expanded" not in h.summary  # a <summary> states it itself (ARIA in HTML)
    assert h.nav is not None and h.nav.get("aria-label")
    # every item leads somewhere the persona may open: a plain member has no member list
    expected = [n for n in ITEMS if not (persona == "member" and n == "members")]
    assert [a["href"] for a in h.links] == [reverse(n) for n in expected]
    client = world.client(persona)
    for a in h.links:
        assert client.get(a["href"]).status_code == 200, (persona, a["href"])


@pytest.mark.parametrize(("persona", "url", "item"), [
    ("member", "home", "home"), ("member", "for-me", "for-me"), ("commune_staff", "members", "members"),
    ("commune_staff", "documents", "documents"), ("secretary_a", "threads", "threads"),
])
def test_the_current_page_is_marked(world: Any, persona: str, url: str, item: str) -> None:
    h = header(world.client(persona), reverse(url))
    current = [a["href"] for a in h.links if a.get("aria-current") == "page"]
    assert current == [reverse(item)]


def test_signed_out_pages_have_no_menu(client: Any, db: None) -> None:
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert b"data-menu" not in r.content
