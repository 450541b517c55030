"""Reads of memberships: the member list's filters, search and sort."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q, QuerySet

from chibo.core.dates import add_years, today
from chibo.core.ethnicities import KINH
from chibo.core.text import fold
from chibo.members.models import Membership, Status

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

