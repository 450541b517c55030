"""No link leads nowhere (issue 14, point 1): signed in as every persona, start at the home page
and follow every same-site link the pages show; none answers 403, 404 or a server error."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

import pytest

from tests.conftest import PERSONAS

MAX_PAGES = 250
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|zip|docx)$", re.IGNORECASE)
SKIP_PATH = re.compile(r"(logout|dang-xuat|/static/|/media/)", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _same_site(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url, _ = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if SKIP_PATH.search(parts.path):
        return None
    page = parse_qs(parts.query).get("page", ["1"])[0]
    if page.isdigit() and int(page) > 2:
        return None
    return path


def crawl(client: Any) -> tuple[list[tuple[str, int, str]], int]:
    """Breadth-first from "/": every (url, status, found on) that fails, and how many pages were read."""
    seen: set[str] = {"/"}
    queue: deque[tuple[str, str]] = deque([("/", "(start)")])
    broken: list[tuple[str, int, str]] = []
    pages = 0
    while queue and pages < MAX_PAGES:
        url, origin = queue.popleft()
        response = client.get(url)
        pages += 1
        status = response.status_code
        if status in (403, 404) or status >= 500:
            broken.append((url, status, origin))
            continue
        if status in (301, 302, 303, 307, 308):
            target = _same_site(url, response["Location"])
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
            continue
        if DOWNLOAD.search(urlsplit(url).path) or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.hrefs:
            target = _same_site(url, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
    return broken, pages


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_link_leads_nowhere(world: Any, persona: str) -> None:
    broken, pages = crawl(world.client(persona))
    report = "\n".join(f"  {status} {url}  (linked from {origin})" for url, status, origin in broken)
    assert not broken, f"{persona}: {len(broken)} broken link(s) in {pages} pages:\n{report}"


def test_residence_is_linked_only_for_those_who_may_open_it(world: Any) -> None:
    """A plain member sees their place of residence as text (its page would be a 404 for them);
    the cell's secretary, who may open it, gets the link."""
    url = f"/dang-vien/{world.m['member'].pk}/"
    locality = f'href="/dia-ban/{world.loc["A"].code}/"'
    mine = world.client("member").get(url)
    assert mine.status_code == 200
    assert world.loc["A"].name in mine.content.decode()
    assert locality not in mine.content.decode()
    assert world.client("member").get(f"/dia-ban/{world.loc['A'].code}/").status_code == 404
    theirs = world.client("secretary_a").get(url)
    assert locality in theirs.content.decode()
