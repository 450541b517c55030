"""Bad input says what to do next, never an error (issue 14, "Bad input").

A page number past the end or not a number on every paginated list; deep links to objects out
of scope, to ended organisations and to deleted things."""

from __future__ import annotations

import datetime as D
from typing import Any

import pytest

from chibo.documents import services as documents

# Every paginated list, with the persona who reads it. Lists of a fixed page size of 50 or
# more have one page in the test world; the members list is read with a page size of 1, so
# "past the end" lands on a real last page.
LISTS = [
    ("/dang-vien/?org=A", "secretary_a"),
    ("/nhat-ky/", "admin"),
    ("/tai-khoan/", "admin"),
    ("/van-ban/", "commune_staff"),
    ("/van-ban/{doc}/chua-doc/", "commune_staff"),
    ("/hoc-tap/", "commune_staff"),
    ("/nghi-quyet/", "commune_staff"),
    ("/hoi-dap/tra-loi/", "secretary_a"),
    ("/to-chuc/A/sinh-hoat/", "secretary_a"),
]


def _url(world: Any, url: str) -> str:
    if "{doc}" in url:
        doc = documents.document_publish(actor=world.users["commune_staff"], organisation=world.org["C1"],
                                         kind="regulation", number="339-QĐ/TW", issuer="Ban Bí thư",
                                         issued_on=D.date(2025, 7, 10), title="Quy định về Sổ tay")
        url = url.format(doc=doc.pk)
    return url


def _with(url: str, page: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}page={page}"


@pytest.mark.parametrize(("url", "persona"), LISTS)
@pytest.mark.parametrize("page", ["999", "-1", "abc", "99999999999999999999"])
def test_a_page_number_that_is_not_a_page_shows_a_page_with_a_note(world, settings, url, persona, page):
    settings.CHIBO_PAGE_SIZE = 1
    url = _url(world, url)
    c = world.client(persona)
    response = c.get(_with(url, page))
    assert response.status_code == 200, (url, page, response.status_code)
    note = response.context["page"].note
    assert note, (url, page)
    assert note in response.content.decode()
    # The same list without a page number has no note, and its page 1 is not an error.
    plain = c.get(url)
    assert plain.status_code == 200 and plain.context["page"].note == ""
    assert c.get(_with(url, "1")).context["page"].note == ""


@pytest.mark.parametrize(("url", "persona"), LISTS)
def test_htmx_fragment_of_a_list_also_carries_the_note(world, settings, url, persona):
    settings.CHIBO_PAGE_SIZE = 1
    url = _url(world, url)
    response = world.client(persona).get(_with(url, "999"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["page"].note in response.content.decode()


def test_past_the_end_shows_the_last_page_and_not_a_number_the_first(world, settings):
    settings.CHIBO_PAGE_SIZE = 1
    c = world.client("secretary_a")
    first = c.get("/dang-vien/?org=A")
    last_number = first.context["page"].paginator.num_pages
    assert last_number > 1
    past = c.get("/dang-vien/?org=A&page=999")
    assert past.context["page"].number == last_number
    assert "999" in past.context["page"].note
    for bad in ("abc", "-1", "0"):
        assert c.get(f"/dang-vien/?org=A&page={bad}").context["page"].number == 1
    # An existing page is shown as asked, without a note.
    second = c.get("/dang-vien/?org=A&page=2")
    assert second.context["page"].number == 2 and second.context["page"].note == ""
