"""The member rules (members/rules.py), pure functions over values, checked by property; and the
one place a rule shows through a page: a post is still held on its last day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.dates import add_months, full_months, today
from chibo.members import rules
from chibo.members import services as members
from chibo.members.models import Status

STATUSES = [s.value for s in Status]
dates = st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 12, 31))
recent = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2090, 12, 31))
DAY = dt.date(2026, 6, 15)


@dataclass
class Reg:
    value: int
    citation: str = "Điều lệ Đảng"


@given(st.sampled_from(STATUSES), st.booleans())
def test_counted_means_on_the_rolls_and_not_on_temporary_activity(status: str, temporary: bool) -> None:
    assert rules.is_current(status) == (status in ("probationary", "official"))
    assert rules.is_counted(status, temporary) == (rules.is_current(status) and not temporary)


@given(dates, dates)
def test_a_date_of_birth_is_accepted_from_1900_up_to_today(birth: dt.date, day: dt.date) -> None:
    assert (rules.birth_date_error(birth, day) == "") == (birth.year >= 1900 and birth <= day)
    assert rules.birth_date_error(None, day) != ""


@given(dates, dates)
def test_an_admission_date_is_accepted_from_1930_up_to_today(admission: dt.date, day: dt.date) -> None:
    assert (rules.admission_date_error(admission, day) == "") == (admission.year >= 1930 and admission <= day)
    assert rules.admission_date_error(None, day) != ""


@given(dates, st.integers(min_value=16, max_value=30))
def test_the_minimum_age_is_reached_on_the_birthday_counted_in_months(birth: dt.date, years: int) -> None:
    birthday = add_months(birth, years * 12)
    # Born on 29 February: in a common year the birthday is counted as reached on 1 March.
    reached = birthday if birthday.day == birth.day else birthday + dt.timedelta(days=1)
    assert not rules.under_age(birth, reached, years)
    assert rules.admission_age_error(birth, reached, Reg(years)) == ""
    assert rules.under_age(birth, reached - dt.timedelta(days=1), years)
    assert rules.admission_age_error(birth, reached - dt.timedelta(days=1), Reg(years)) != ""
    assert rules.admission_age_error(None, birthday, Reg(years)) == ""


@given(recent, st.integers(min_value=1, max_value=24))
def test_the_official_date_is_on_or_after_the_end_of_probation(admission: dt.date, months: int) -> None:
    end = rules.probation_end(admission, months)
    assert end > admission
    # Whole months later, or the last day of a shorter month (31 January + 1 month: 28/29 February).
    assert full_months(admission, end) == months or (end.day < admission.day and end.month != (end + dt.timedelta(days=1)).month)
    far = dt.date(2100, 12, 31)
    assert rules.official_date_error(admission, end, Reg(months), far) == ""
    assert rules.official_date_error(admission, end - dt.timedelta(days=1), Reg(months), far) != ""
    assert rules.official_date_error(admission, end, Reg(months), end - dt.timedelta(days=1)) != ""  # future
    assert rules.official_date_error(admission, None, Reg(months), far) == ""


@given(st.sampled_from(STATUSES), recent, st.integers(min_value=1, max_value=24), dates)
def test_probation_is_overdue_only_for_a_probationary_member_past_its_end(status: str, admission: dt.date,
                                                                          months: int, day: dt.date) -> None:
    end = rules.probation_end(admission, months)
    overdue = rules.probation_overdue(status, admission, months, day)
    assert overdue == (end if status == "probationary" and end < day else None)


@given(st.sampled_from([*STATUSES, None]), st.one_of(st.none(), dates))
def test_an_official_member_has_an_official_date_and_a_probationary_one_none(status: str | None,
                                                                             official: dt.date | None) -> None:
    wrong = (status == "official" and official is None) or (status == "probationary" and official is not None)
    assert (rules.status_official_date_error(status, official) != "") == wrong
    assert rules.needs_official_date(status, official) == (status == "official" and official is None)


@given(st.booleans(), st.sampled_from([*STATUSES, None]))
def test_only_official_members_are_exempted(exempt: bool, status: str | None) -> None:
    assert (rules.exempt_error(exempt, status) != "") == (exempt and status != "official")


@given(recent, st.integers(min_value=-800, max_value=800))
def test_the_admission_decision_is_signed_within_a_year_before_the_ceremony(admission: dt.date, days: int) -> None:
    decided = admission + dt.timedelta(days=days)
    ok = decided <= admission and decided >= add_months(admission, -12)
    assert (rules.admission_decision_error(decided, admission) == "") == ok
    assert rules.admission_decision_error(None, admission) == rules.admission_decision_error(decided, None) == ""


@given(dates, st.one_of(st.none(), dates))
def test_a_post_may_end_on_the_day_it_starts_but_not_before(start: dt.date, end: dt.date | None) -> None:
    assert (rules.post_dates_error(start, end) == "") == (end is None or end >= start)


@given(st.sampled_from(STATUSES), recent, st.booleans(), st.booleans(), st.one_of(st.none(), recent))
def test_a_state_needs_the_day_it_began_on_or_after_admission_and_not_in_the_future(
        status: str, admission: dt.date, exempt: bool, temporary: bool, since: dt.date | None) -> None:
    official = rules.probation_end(admission, 12) if status != "probationary" else None
    leaving = not rules.is_current(status)
    errors = rules.state_date_errors(status=status, admission=admission, official=official, exempt=exempt,
                                     exempt_since=since if exempt else None, temporary=temporary,
                                     temporary_since=since if temporary else None,
                                     left_on=since if leaving else None, today=DAY)
    for field, marked, after in (("exempt_since", exempt, official), ("temporary_since", temporary, admission),
                                 ("left_on", leaving, None)):
        if not marked:
            assert field not in errors
        elif since is None or since > DAY or after is not None and since < after:
            assert field in errors
    assert ("temporary" in errors) == (leaving and temporary)
    # A date given for a state the record is not in is refused, whatever the date.
    stray = rules.state_date_errors(status="official", admission=admission, official=official, exempt=False,
                                    exempt_since=admission, temporary=False, temporary_since=admission,
                                    left_on=admission, today=DAY)
    assert set(stray) == {"exempt_since", "temporary_since", "left_on"}


# --- Through the pages: a post is held on its last day ------------------------------------------------

@pytest.mark.parametrize("ended_days_ago, held", [(0, True), (1, False)])
def test_a_post_is_still_held_on_its_end_date_and_not_after(world: Any, ended_days_ago: int, held: bool) -> None:
    """The cell's secretary whose post ends today still heads the committee list today and is
    proposed as the chair of a new meeting; ended yesterday, neither (docs/decisions.md)."""
    post = world.posts["secretary_a"]
    members.post_update(post, actor=None, end_date=today() - dt.timedelta(days=ended_days_ago))
    client = world.client("secretary_a")
    page = client.get(reverse("organisation", args=["A"])).content.decode()
    assert (reverse("post-end", args=[post.pk]) in page) == held
    form = client.get(reverse("meeting-create") + "?org=A").content.decode()
    chair = f'value="{world.m["secretary_a"].person.pk}" selected'
    assert (chair in form) == held
