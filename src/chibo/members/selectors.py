"""Reads of memberships: the member list's filters, search and sort; the people of an
organisation that other apps may name for work."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from chibo.core.dates import add_years, full_years, today
from chibo.core.ethnicities import KINH
from chibo.core.text import fold
from chibo.members.models import Membership, Person, Post, Sex, Status
from chibo.organisations.models import LEVEL_OF_KIND, Organisation

# Each order follows its index column by column, down to the row id, so SQLite reads the
# page straight from the index (members.models.Membership.Meta.indexes).
SORTS = {
    "name": ("sort_key", "search_name", "id"), "-name": ("-sort_key", "-search_name", "-id"),
    "birth": ("birth_date", "temporary", "id"), "-birth": ("-birth_date", "-temporary", "-id"),
    "admission": ("admission_date", "id"), "-admission": ("-admission_date", "-id"),
}
AGE_RANGES: dict[str, tuple[int, int | None]] = {
    "u30": (0, 30), "30-40": (30, 41), "41-50": (41, 51), "51-60": (51, 61), "61-70": (61, 71), "o70": (71, None),
}
DIGITS = re.compile(r"^\d{3,}$")


def filter_members(qs: QuerySet[Membership], *, q: str = "", status: str = "", sex: str = "",
                   ethnicity: str = "", age: str = "", sort: str = "", on: dt.date | None = None) -> QuerySet[Membership]:
    status = status or "current"
    # `current__in` rather than `current=True`: Django writes a boolean equality as a bare
    # column ("WHERE current"), which SQLite cannot use as an index equality, so the list
    # would be sorted in a temporary B-tree (docs/decisions.md).
    if status == "former":
        qs = qs.filter(current__in=[False])
    elif status != "all":
        qs = qs.filter(current__in=[True])
        if status == "official":
            qs = qs.filter(status=Status.OFFICIAL)
        elif status == "probationary":
            qs = qs.filter(status=Status.PROBATIONARY)
        elif status == "exempt":
            qs = qs.filter(exempt=True)
        elif status == "temporary":
            qs = qs.filter(temporary=True)
    if sex:
        qs = qs.filter(sex=sex)
    if ethnicity == "minority":
        qs = qs.exclude(ethnicity=KINH)
    elif ethnicity:
        qs = qs.filter(ethnicity=ethnicity)
    if age in AGE_RANGES:
        day = on or today()
        lo, hi = AGE_RANGES[age]
        qs = qs.filter(birth_date__lte=add_years(day, -lo))
        if hi is not None:
            qs = qs.filter(birth_date__gt=add_years(day, -hi))
    text = (q or "").strip()
    if text:
        compact = text.replace(" ", "")
        if DIGITS.match(compact):
            qs = qs.filter(Q(person__citizen_id__startswith=compact) | Q(card_number__startswith=compact))
        else:
            for token in fold(text).split():
                qs = qs.filter(search_name__contains=token)
    return qs.order_by(*SORTS.get(sort or "name", SORTS["name"]))


def by_number(qs: QuerySet[Membership], number: str) -> QuerySet[Membership]:
    """The memberships whose person's citizen ID or whose party card number is exactly
    `number` (both unique, so at most two), by name."""
    # The two unique indexes first (one query, SQLite's multi-index OR), then the viewer's scope
    # on those few rows: asked together, SQLite walked the whole list index in name order (1 s
    # on 150,000 members).
    ids = list(Membership.objects.filter(Q(person_id__in=Person.objects.filter(citizen_id=number).values("pk"))
                                         | Q(card_number=number)).values_list("pk", flat=True)[:2])
    return qs.filter(pk__in=ids or [0], current__in=[True]).order_by(*SORTS["name"])


def member_rows(qs: QuerySet[Membership]) -> QuerySet[Membership]:
    """What a list row shows, without N+1."""
    return qs.select_related("person", "organisation").only(
        "id", "status", "exempt", "temporary", "admission_date", "official_date", "birth_date", "sex", "ethnicity",
        "card_number", "current",
        "person__id", "person__family_name", "person__middle_name", "person__given_name", "person__phone",
        "organisation__id", "organisation__code", "organisation__name",
    )



def people_of(org: Organisation, *, on: dt.date | None = None, limit: int = 500) -> list[Person]:
    """The people another app may name for work in `org` (e.g. a task's assignees): the
    current members of a cell or party group; for a committee above cells (a commune), the
    holders of its committee posts. Sorted by the Vietnamese name key."""
    day = on or today()
    if org.kind in Organisation.MEMBER_KINDS:
        ids = Membership.objects.filter(current=True, **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}).values("person_id")
        people = Person.objects.filter(pk__in=ids)
    else:
        people = Person.objects.filter(pk__in=committee_posts([org], on=day).values("person_id"))
    return list(people.order_by("sort_key", "pk")[:limit])


# A committee is listed Bí thư, Phó bí thư, cấp ủy viên, ủy viên ủy ban kiểm tra, then by name
# (issue 14 point 6): wherever it is shown, the page, the API and the PDFs read it in this order.
COMMITTEE_ORDER: list[str] = [Post.Kind.SECRETARY, Post.Kind.DEPUTY_SECRETARY, Post.Kind.COMMITTEE_MEMBER,
                              Post.Kind.INSPECTION_MEMBER]
COMMITTEE_RANK = Case(*[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(COMMITTEE_ORDER)],
                      default=Value(len(COMMITTEE_ORDER)), output_field=IntegerField())


def in_committee_order(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.order_by(COMMITTEE_RANK, "person__sort_key", "start_date", "pk")


def committee_posts(orgs: list[Organisation], *, on: dt.date | None = None) -> QuerySet[Post]:
    """The committee posts held in `orgs` on the day, Bí thư first (COMMITTEE_ORDER), then by name."""
    day = on or today()
    return in_committee_order(Post.objects.active_on(day).filter(organisation__in=orgs,
                                                                        kind__in=Post.COMMITTEE_KINDS))


# --- New members (issue 6 point 7: the indicators and the recruitment page) ------------------------

@dataclass
class Breakdown:
    """How many people, and of them how many under 30 (on the date that counts for each),
    women, and of an ethnic minority (not Kinh)."""
    total: int = 0
    under_30: int = 0
    women: int = 0
    ethnic_minority: int = 0

    def add(self, *, birth_date: dt.date, on: dt.date, sex: str, ethnicity: str) -> None:
        self.total += 1
        self.under_30 += full_years(birth_date, on) < 30
        self.women += sex == Sex.FEMALE
        self.ethnic_minority += ethnicity != KINH


def admitted_in(org: Organisation, start: dt.date, end: dt.date) -> Breakdown:
    """The members admitted in [start, end]: the memberships of `org`'s subtree now counted in
    đảng số (probationary or official, not here on temporary activity) whose admission date is
    in the period — whether admitted through chibo's pipeline or imported with their admission
    date. Age is counted on the admission date. One index range (ms_<level>_admi)."""
    found = Breakdown()
    rows = Membership.objects.counted().filter(
        **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}, admission_date__gte=start,
        admission_date__lte=end).values_list("birth_date", "admission_date", "sex", "ethnicity")
    for birth, admitted, sex, ethnicity in rows.order_by():
        found.add(birth_date=birth, on=admitted, sex=sex, ethnicity=ethnicity)
    return found


def admission_dates(org: Organisation, since: dt.date, until: dt.date) -> list[dt.date]:
    """The admission dates in [since, until] of the members of `org`'s subtree counted as in
    `admitted_in`, oldest first (one query, for several periods at once)."""
    return list(Membership.objects.counted().filter(
        **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}, admission_date__gte=since,
        admission_date__lte=until).order_by("admission_date").values_list("admission_date", flat=True))


def went_to(memberships: QuerySet[Membership], org: Organisation, limit: int = 8) -> list[dict[str, Any]]:
    """Where the members who once belonged to `org` (an ended organisation) are now: the
    organisations of the current memberships, among those given, that have an event recorded in
    `org`, with how many, most first (one query)."""
    return list(memberships.filter(current=True, events__organisation=org).exclude(organisation=org)
                .values("organisation__code", "organisation__name", "organisation__path")
                .annotate(n=Count("pk", distinct=True)).order_by("-n", "organisation__path")[:limit])
