"""The search from any page (issue 14 point 10): `/tim-kiem/?q=` finds members, organisations,
documents, meetings and resolutions — each through `chibo.access`, so nothing outside the
viewer's scope is found, counted or hinted at (a query naming someone out of scope is answered
exactly as one naming nobody).

**The query.** Control and format characters become spaces, then NFC with whitespace collapsed
(`core.text.nfc`), then at most `MAX_LENGTH` characters (what every list's `q` field accepts).
Shorter than `MIN_LENGTH` characters: a plain message, no search.

**Matching** (accent-, case- and đ-insensitive, always on the folded columns):
- members: the member list's own filter (`members.selectors.filter_members`: current members,
  every folded word of the query occurs in `search_name`), so the group's count is the count of
  the list its link opens; a query of digits only is a citizen ID or party card number, matched
  exactly (`members.selectors.by_number`);
- organisations: every folded word occurs in `search_name`, among the organisations whose page
  the viewer may open (`access.organisations_with_basics`);
- documents: `documents.selectors.search` (punctuation-insensitive: "339 qd" finds 339-QĐ/TW);
- resolutions: `plans.selectors.search` (the folded query occurs in number and title);
- meetings: those of the organisations matched by name among those whose page the viewer may
  open (a meeting has no text of its own worth searching: its kind, date and place), among
  `access.meetings`.

Words are matched anywhere in the folded name (`LIKE '%word%'`), as the member list does, rather
than by word prefix on an index: the scan stays inside the viewer's own index range
(`ms_<level>_sort` holds `search_name`), and the figures are in docs/decisions.md.

Each group shows its first `SHOWN` rows and its count up to `COUNT_CAP` ("more than 100"
beyond: the list behind "See all" counts them all). Two queries per group whatever is found, so
the page's query count is constant: the matching ids in order, at most COUNT_CAP + 1 (one pass
over the index, which stops early for a common name), then the first rows by id. "See all" opens the list page with its `q` filter
(members, documents, resolutions) or, for organisations and meetings, which have no such list,
this page with `?nhom=` (the whole group, paged)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import pgettext_lazy

from chibo import access
from chibo.core.text import fold, nfc
from chibo.documents import selectors as document_selectors
from chibo.members import selectors as member_selectors
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.web.templatetags.layout import lists_members
from chibo.web.views import _template

MIN_LENGTH = 2
MAX_LENGTH = 100  # the `q` field of the member, document and resolution lists takes 100 characters
SHOWN = 5
COUNT_CAP = 100  # a group counts up to this many; beyond, "more than 100" (its list page counts them all)
MAX_WORDS = 8
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # control, format (zero-width, BOM), surrogate, private, unassigned
_NUMBER = re.compile(r"[0-9]{3,20}")

TITLES = {
    "members": pgettext_lazy("search group", "Party members"),
    "organisations": pgettext_lazy("search group", "Party organisations"),
    "documents": pgettext_lazy("search group", "Documents"),
    "meetings": pgettext_lazy("search group", "Meetings"),
    "resolutions": pgettext_lazy("search group", "Resolutions and plans"),
}
GROUP_PAGES = {"to-chuc": "organisations", "hop": "meetings"}  # ?nhom= → the group shown whole


def clean_query(raw: object) -> str:
    """The query as searched: any string in, NFC out, without control characters, stripped, at
    most MAX_LENGTH characters."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(" " if unicodedata.category(ch) in _DROPPED else ch for ch in text[:MAX_LENGTH * 4])
    return nfc(nfc(text)[:MAX_LENGTH])


@dataclass
class Group:
    key: str
    title: Any
    rows: list[Any] = field(default_factory=list)
    count: int = 0
    capped: bool = False  # more than COUNT_CAP found: the count says "more than COUNT_CAP"
    more_url: str | None = None


def _words(q: str) -> list[str]:
    return fold(q).split()[:MAX_WORDS]


def _number(q: str) -> str | None:
    compact = q.replace(" ", "")
    return compact if _NUMBER.fullmatch(compact) else None


# --- Each group's query (scoped through chibo.access) -----------------------------------------------

def member_query(user: Any, q: str) -> QuerySet[Any]:
    visible = access.memberships(user)
    number = _number(q)
    qs = member_selectors.by_number(visible, number) if number else member_selectors.filter_members(visible, q=q)
    return qs.select_related("person", "organisation", "commune").only(
        "id", "status", "exempt", "temporary", "current",
        "person__id", "person__family_name", "person__middle_name", "person__given_name",
        "organisation__id", "organisation__code", "organisation__name", "organisation__path",
        "commune__id", "commune__code", "commune__name", "commune__path")


def _named(qs: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    words = _words(q)
    if not words:
        return qs.none()
    for word in words:
        qs = qs.filter(search_name__contains=word)
    return qs


def organisation_query(user: Any, q: str) -> QuerySet[Organisation]:
    return _named(access.organisations_with_basics(user), q).select_related("parent").only(
        "id", "code", "name", "kind", "path", "depth", "valid_to", "parent__id", "parent__name").order_by(
        F("valid_to").asc(nulls_first=True), "depth", "sort_key", "pk")


def meeting_query(user: Any, q: str) -> QuerySet[Any]:
    # Matched among the organisations whose page the viewer may open, so SQLite starts from
    # those few (a commune's 40) rather than walking every meeting by date; a meeting seen only
    # as an invited guest of another cell is not found here (it is on the guest's own page).
    orgs = _named(access.organisations_with_basics(user), q).values("pk")
    return access.meetings(user).filter(organisation__in=orgs).select_related("organisation").only(
        "id", "kind", "date", "start_time", "status", "place",
        "organisation__id", "organisation__code", "organisation__name", "organisation__path").order_by(
        "-date", "-start_time", "-pk")


def document_query(user: Any, q: str) -> QuerySet[Any]:
    return document_selectors.search(access.documents(user), q).select_related("organisation").only(
        "id", "number", "title", "kind", "issued_on", "issuer", "organisation__id", "organisation__name").order_by(
        "-issued_on", "-id")


def resolution_query(user: Any, q: str) -> QuerySet[Any]:
    return plan_selectors.search(access.resolutions(user), q).select_related("organisation").only(
        "id", "number", "title", "kind", "issued_on", "status", "organisation__id", "organisation__name").order_by(
        "-issued_on", "number", "pk")


def _list_url(name: str, q: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': q})}"


def _group_url(key: str, q: str) -> str:
    return f"{reverse('search')}?{urlencode({'q': q, 'nhom': key})}"


def find(user: Any, q: str) -> list[Group]:
    """The groups with something found, in a fixed order; two queries per group."""
    groups = [
        Group("members", TITLES["members"], more_url=_list_url("members", q) if lists_members(user) else None),
        Group("organisations", TITLES["organisations"], more_url=_group_url("to-chuc", q)),
        Group("documents", TITLES["documents"], more_url=_list_url("documents", q)),
        Group("meetings", TITLES["meetings"], more_url=_group_url("hop", q)),
        Group("resolutions", TITLES["resolutions"], more_url=_list_url("resolutions", q)),
    ]
    queries = {"members": member_query, "organisations": organisation_query, "documents": document_query,
               "meetings": meeting_query, "resolutions": resolution_query}
    for g in groups:
        qs = queries[g.key](user, q)
        # One pass over the index gives the count (up to COUNT_CAP) and the first rows' ids, which
        # the second query reads in full; `[0]` when nothing is found keeps it one query.
        ids = list(qs.values_list("pk", flat=True)[:COUNT_CAP + 1])
        g.capped = len(ids) > COUNT_CAP
        g.count = min(len(ids), COUNT_CAP)
        g.rows = list(qs.filter(pk__in=ids[:SHOWN] or [0]))
        if not g.capped and g.count <= len(g.rows):
            g.more_url = None
    return [g for g in groups if g.count]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search page and its results (the htmx fragment); `?nhom=` shows one group whole."""
    q = clean_query(request.GET.get("q", ""))
    group = GROUP_PAGES.get(request.GET.get("nhom", ""))
    context: dict[str, Any] = {"q": q, "cap": COUNT_CAP, "too_short": 0 < len(q) < MIN_LENGTH, "groups": [], "group": None,
                               "page": None, "min_length": MIN_LENGTH, "max_length": MAX_LENGTH,
                               "searched": len(q) >= MIN_LENGTH}
    if context["searched"]:
        if group is not None:
            qs = organisation_query(request.user, q) if group == "organisations" else meeting_query(request.user, q)
            context["group"] = group
            context["group_title"] = TITLES[group]
            context["page"] = Paginator(qs, settings.CHIBO_PAGE_SIZE).get_page(request.GET.get("page"))
            context["query"] = urlencode({"q": q, "nhom": request.GET.get("nhom", "")})
        else:
            context["groups"] = find(request.user, q)
    return render(request, _template(request, "web/search.html", "web/_search_results.html"), context)
