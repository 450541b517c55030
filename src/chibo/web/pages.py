"""One page of a long list, whatever page number the address asks for.

A link kept from yesterday (`?page=40` when the list now has 12 pages), a typed `?page=-1` or
`?page=abc` never gives a 404 or a 500: past the end shows the last page, anything else that is
not a page number shows the first, and the page carries a note (`page.note`, shown by
`web/_page_note.html`) saying which page is shown instead and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from chibo.core.numbers import query_int


def paginate(request: HttpRequest, items: QuerySet[Any] | Sequence[Any], per_page: int) -> Page[Any]:
    """The page `?page=` asks for, or the nearest one with a note (`page.note`, "" when none)."""
    paginator = Paginator(items, per_page)
    raw = (request.GET.get("page") or "").strip()
    if not raw:
        page = paginator.page(1)
        page.note = ""  # type: ignore[attr-defined]
        return page
    asked = query_int(raw, 1, 10**9)
    last = paginator.num_pages
    if asked is not None and asked <= last:
        page = paginator.page(asked)
        page.note = ""  # type: ignore[attr-defined]
        return page
    if asked is not None:  # past the end (the list has shrunk, or the number was typed)
        page = paginator.page(last)
        page.note = _("There is no page %(asked)s: the list has %(n)s page(s) now, so its last page is shown.") % {  # type: ignore[attr-defined]
            "asked": asked, "n": last}
        return page
    page = paginator.page(1)
    page.note = _("“%(asked)s” is not a page number (pages are counted from 1), so the first page is shown.") % {  # type: ignore[attr-defined]
        "asked": raw[:20]}
    return page
