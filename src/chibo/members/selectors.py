"""Reads of memberships: the member list's filters, search and sort; the people of an
organisation that other apps may name for work."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet

from chibo.core.dates import add_years, today
from chibo.core.ethnicities import KINH
from chibo.core.text import fold
from chibo.members.models import Membership, Person, Post, Status
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


def committee_posts(orgs: list[Organisation], *, on: dt.date | None = None) -> QuerySet[Post]:
    day = on or today()
    return Post.objects.filter(organisation__in=orgs, kind__in=Post.COMMITTEE_KINDS, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=day))
