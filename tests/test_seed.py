"""The reference data (rules, days off) is written by one function, chibo.core.seed (issue 15,
point 6): the migrations of a new database write exactly each domain's reference rows, and
seeding again changes nothing — neither a second run nor one after an administrator's changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chibo.core.models import Holiday, Rule
from chibo.core.seed import reference_holidays, reference_rules, seed_reference_data

pytestmark = pytest.mark.django_db

FIELDS = ["key", "name", "value", "unit", "citation", "effective_from", "effective_to", "confirmed", "note"]


def rules() -> list[tuple[Any, ...]]:
    return sorted(Rule.objects.values_list("id", *FIELDS))


def holidays() -> list[tuple[Any, ...]]:
    return list(Holiday.objects.order_by("date").values_list("id", "date", "name", "confirmed", "note"))


def expected_rules() -> list[tuple[Any, ...]]:
    return sorted(tuple(row[f] for f in FIELDS) for row in reference_rules())


def test_the_migrations_wrote_each_domains_reference_rows() -> None:
    assert sorted(Rule.objects.values_list(*FIELDS)) == expected_rules()
    assert len(expected_rules()) == 61
    assert list(Holiday.objects.order_by("date").values_list("date", "name", "confirmed", "note")) == [
        tuple(h) for h in reference_holidays()]
    # Versions follow each other: the one before 1/7/2025 ends when the next begins.
    assert Rule.objects.get(key="transfer_present_days", effective_from__lt=dt.date(2025, 7, 1)).effective_to == (
        dt.date(2025, 7, 1))


def test_seeding_twice_changes_nothing() -> None:
    before_rules, before_holidays = rules(), holidays()
    assert seed_reference_data() == {"rules": 0, "holidays": 0}
    assert seed_reference_data() == {"rules": 0, "holidays": 0}
    assert (rules(), holidays()) == (before_rules, before_holidays)


def test_an_empty_database_is_seeded_once() -> None:
    Rule.objects.all().delete()
    Holiday.objects.all().delete()
    assert seed_reference_data() == {"rules": 61, "holidays": len(reference_holidays())}
    assert sorted(Rule.objects.values_list(*FIELDS)) == expected_rules()
    after = (rules(), holidays())
    assert seed_reference_data() == {"rules": 0, "holidays": 0}
    assert (rules(), holidays()) == after


def test_the_administrators_word_stays() -> None:
    """A corrected rule keeps its correction, a day removed from a year stays removed, and a
    missing version comes back, closing the open version before it."""
    Rule.objects.filter(key="probation_months").update(note="Sửa bởi quản trị viên")
    Holiday.objects.filter(date=dt.date(2027, 1, 1)).delete()
    Holiday.objects.filter(date=dt.date(2026, 9, 2)).update(name="Quốc khánh (đã đối chiếu)")
    Rule.objects.filter(key="meeting_min_minutes").delete()
    Rule.objects.filter(key="badge_first_years", effective_from=dt.date(2025, 7, 1)).delete()
    Rule.objects.filter(key="badge_first_years").update(effective_to=None)

    assert seed_reference_data() == {"rules": 2, "holidays": 0}
    assert Rule.objects.get(key="probation_months").note == "Sửa bởi quản trị viên"
    assert not Holiday.objects.filter(date=dt.date(2027, 1, 1)).exists()
    assert Holiday.objects.get(date=dt.date(2026, 9, 2)).name == "Quốc khánh (đã đối chiếu)"
    assert Rule.objects.filter(key="meeting_min_minutes").count() == 1
    assert list(Rule.objects.filter(key="badge_first_years").order_by("effective_from").values_list(
        "effective_from", "effective_to")) == [(dt.date(1900, 1, 1), dt.date(2025, 7, 1)), (dt.date(2025, 7, 1), None)]
