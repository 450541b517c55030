"""The member lifecycle's dates (chibo.lifecycle): pure rules pinned to worked examples, the
"What's due" list and the badge list through the personas, and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.calendar import Calendar, due
from chibo.core.dates import today
from chibo.lifecycle import rules
from chibo.lifecycle import selectors as lifecycle
from chibo.lifecycle.rules import BADGE_OCCASIONS, Badge, BadgeYears, MissedMonth, PartyAge
from chibo.meetings import selectors as meeting_selectors
from chibo.meetings import services as meetings
from chibo.members.models import Membership, Status
from tests.conftest import add_member

D = dt.date
OLD = D(1950, 1, 1)
BADGES = BadgeYears(first=30, second=40, step=5, last=90)


# --- Pure rules ----------------------------------------------------------------------------------

def test_party_age_counts_from_admission_less_interrupted_months():
    assert rules.party_age(D(1996, 5, 19), 0, D(2026, 5, 19)) == PartyAge(360)
    assert rules.party_age(D(1996, 5, 19), 0, D(2026, 5, 18)).years == 29
    age = rules.party_age(D(1996, 5, 19), 14, D(2026, 5, 19))  # 14 months without activity
    assert (age.years, age.months) == (28, 10)
    assert rules.party_age_reached(D(1996, 5, 19), 14, 30) == D(2027, 7, 19)
    assert rules.party_age(D(2026, 2, 3), 0, D(2025, 1, 1)) == PartyAge(0)  # never negative


def test_badge_milestones_come_from_the_rules():
    assert BADGES.milestones() == [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]


def test_thirty_year_badge_of_a_member_admitted_19_05_1996_at_the_19_05_2026_occasion():
    badge = rules.next_badge(D(1996, 5, 19), 0, D(2026, 3, 1), BADGES)
    assert badge == Badge(30, D(2026, 5, 19))
    assert rules.badge_occasion(badge.reached) == D(2026, 5, 19)
    assert rules.next_badge(D(1996, 5, 19), 0, D(2026, 5, 20), BADGES) == Badge(40, D(2036, 5, 19))


def test_award_occasions_are_cited_data():
    assert BADGE_OCCASIONS.citation.startswith("Hướng dẫn 01-HD/TW (2021), điểm 18")
    assert "06-HD/TW" in BADGE_OCCASIONS.citation  # the text in force, not yet compared
    assert [(o.day, o.month) for o in BADGE_OCCASIONS.days] == [(3, 2), (19, 5), (2, 9), (7, 11)]
    assert BADGE_OCCASIONS.next_on_or_after(D(2026, 5, 20)) == D(2026, 9, 2)
    assert BADGE_OCCASIONS.next_on_or_after(D(2026, 5, 19)) == D(2026, 5, 19)
    assert BADGE_OCCASIONS.next_on_or_after(D(2026, 11, 8)) == D(2027, 2, 3)
    assert BADGE_OCCASIONS.previous_before(D(2026, 2, 3)) == D(2025, 11, 7)
    assert BADGE_OCCASIONS.between(D(2026, 5, 1), D(2026, 9, 30)) == [D(2026, 5, 19), D(2026, 9, 2)]


def test_removal_flag_needs_three_missed_months_in_the_year():
    months = [MissedMonth(1, D(2026, 1, 15)), MissedMonth(4, D(2026, 4, 20)), MissedMonth(3, D(2026, 3, 16))]
    assert rules.removal_flag(months[:2], 3) is None
    assert rules.removal_flag(months, 3) == D(2026, 4, 20)  # not consecutive: still three in the year
    assert rules.removal_flag(months, 4) is None


@pytest.mark.django_db
def test_probation_and_recognition_of_a_member_admitted_03_02_2026():
    end = due("probation_months", D(2026, 2, 3))
    assert end.date == D(2027, 2, 3) and end.rule.citation == "Điều lệ Đảng (2011), Điều 5"
    consider = due("recognition_consider_working_days", end.date)
    # 30 working days after Wednesday 03/02/2027, Tết Đinh Mùi (5 and 8–11/02/2027) not counted;
    # without the days off it would be 17/03/2027.
    assert consider.date == D(2027, 3, 24)
    assert consider.rule.value == 30 and consider.rule.unit == "working_days"
    assert lifecycle.LifecycleCalendar().unconfirmed_between(end.date, consider.date) == [
        D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10), D(2027, 2, 11)]
    assert Calendar().add(end.date, 30) == consider.date


dates = st.dates(min_value=D(1930, 1, 1), max_value=D(2100, 12, 31))
interruptions = st.integers(min_value=0, max_value=240)


@given(admission=dates, interrupted=interruptions, a=dates, b=dates)
def test_party_age_never_goes_back(admission, interrupted, a, b):
    a, b = sorted((a, b))
    assert rules.party_age(admission, interrupted, a) <= rules.party_age(admission, interrupted, b)


@given(admission=st.dates(min_value=D(1930, 1, 1), max_value=D(2000, 12, 31)), interrupted=interruptions,
       years=st.integers(min_value=1, max_value=90))
def test_the_day_a_party_age_is_reached_is_the_first_such_day(admission, interrupted, years):
    reached = rules.party_age_reached(admission, interrupted, years)
    assert rules.party_age(admission, interrupted, reached).years >= years
    assert rules.party_age(admission, interrupted, reached - dt.timedelta(days=1)).years < years


@given(admission=st.dates(min_value=D(1930, 1, 1), max_value=D(2000, 12, 31)), interrupted=interruptions,
       a=st.dates(min_value=D(1960, 1, 1), max_value=D(2080, 12, 31)),
       b=st.dates(min_value=D(1960, 1, 1), max_value=D(2080, 12, 31)))
def test_next_badge_never_goes_back(admission, interrupted, a, b):
    a, b = sorted((a, b))
    first, second = (rules.next_badge(admission, interrupted, d, BADGES) for d in (a, b))
    if first is None:
        assert second is None
        return
    assert first.reached >= a and first.years in BADGES.milestones()
    assert second is None or (second.years >= first.years and second.reached >= first.reached)
    assert rules.party_age(admission, interrupted, first.reached).years == first.years


# --- The lists ------------------------------------------------------------------------------------

def _kinds(items, membership):
    return {i.kind: i for i in items if i.membership.pk == membership.pk}


def test_probationary_member_shows_probation_end_then_recognition(world):
    a_woman = world.m["a_woman"]  # admitted 03/02/2026
    items = _kinds(lifecycle.due_items(world.org["C1"], D(2027, 1, 20), 30), a_woman)
    assert set(items) == {"probation_end"}
    assert items["probation_end"].date == D(2027, 2, 3)
    items = _kinds(lifecycle.due_items(world.org["A"], D(2027, 3, 10), 30), a_woman)
    assert set(items) == {"recognition"}
    rec = items["recognition"]
    assert rec.date == D(2027, 3, 24) and rec.start == D(2027, 2, 3)
    assert [r.key for r in rec.rules] == ["recognition_consider_working_days", "probation_months"]
    assert D(2027, 2, 5) in rec.unconfirmed_days and rec.unconfirmed  # Tết 2027 not announced yet
    later = _kinds(lifecycle.due_items(world.org["A"], D(2027, 4, 1), 30), a_woman)
    assert lifecycle.by_cell(list(later.values()), D(2027, 4, 1))[0].overdue[0].kind == "recognition"


def test_badges_include_exempt_members_and_leave_out_the_deceased(world):
    veteran = add_member(world.org["A"], "Hoàng", "Văn", "Lão", birth=OLD, admission=D(1996, 5, 19))
    exempt = add_member(world.org["B"], "Võ", "Thị", "Sen", sex="F", birth=OLD, admission=D(1986, 5, 10))
    dead = add_member(world.org["B"], "Đinh", "Văn", "Mất", birth=OLD, admission=D(1996, 4, 1))
    interrupted = add_member(world.org["A"], "Lý", "Văn", "Gián", birth=OLD, admission=D(1995, 3, 1))
    Membership.objects.filter(pk=exempt.pk).update(exempt=True)
    Membership.objects.filter(pk=dead.pk).update(status=Status.DECEASED, current=False)
    Membership.objects.filter(pk=interrupted.pk).update(interrupted_months=14)  # 30 years on 01/05/2026
    occasion, badge_rules, items = lifecycle.badges_due(world.org["C1"], D(2026, 3, 1))
    assert occasion == D(2026, 5, 19)
    assert [r.key for r in badge_rules] == list(lifecycle.BADGE_RULE_KEYS)
    got = {i.membership.pk: (i.badge.years, i.badge.reached, i.party_age.years) for i in items}
    assert got == {veteran.pk: (30, D(2026, 5, 19), 30), exempt.pk: (40, D(2026, 5, 10), 40),
                   interrupted.pk: (30, D(2026, 5, 1), 30)}
    # After the occasion the next one is 02/09/2026, at which none of them is due.
    assert lifecycle.badges_due(world.org["C1"], D(2026, 5, 20))[2] == []
    # In "What's due" they are listed at the occasion; not in another commune's list.
    due_items = lifecycle.due_items(world.org["C1"], D(2026, 5, 1), 30)
    assert {i.membership.pk for i in due_items if i.kind == "badge"} == set(got)
    assert not [i for i in lifecycle.due_items(world.org["C2"], D(2026, 5, 1), 30) if i.kind == "badge"]


def _held(world, cell, day, statuses, kind="regular"):
    m = meetings.meeting_create(actor=None, organisation=world.org[cell], kind=kind, date=day,
                                start_time=dt.time(8, 0), place="Nhà văn hóa")
    for row in m.attendance.all():
        status = statuses.get(row.person_id, "present")
        meetings.attendance_record(m, actor=None, person_id=row.person_id, status=status,
                                   reason="ốm" if status == "excused" else "", day=day)
    meetings.meeting_held(m, actor=None, end_time=dt.time(10, 0), day=day)
    return m


def test_removal_flag_from_three_months_missed_without_reason(world):
    member, other = world.m["member"].person_id, world.m["c1_staff"].person_id
    _held(world, "A", D(2026, 1, 15), {member: "unexcused", other: "unexcused"})
    _held(world, "A", D(2026, 2, 10), {member: "unexcused", other: "excused"})
    _held(world, "A", D(2026, 3, 5), {member: "unexcused", other: "unexcused"})
    _held(world, "A", D(2026, 3, 20), {member: "unexcused"})
    _held(world, "A", D(2026, 4, 9), {other: "unexcused"})
    _held(world, "A", D(2026, 4, 23), {other: "unexcused"})
    rows = meeting_selectors.unexcused_months(world.org["C1"], start=D(2026, 1, 1), end=D(2026, 6, 30))
    assert {(r["person_id"], r["month"]) for r in rows} == {(member, 1), (member, 2), (member, 3), (other, 1),
                                                            (other, 4)}
    items = [i for i in lifecycle.due_items(world.org["A"], D(2026, 6, 1), 30) if i.kind == "removal_flag"]
    assert [(i.membership.person_id, i.date, i.year) for i in items] == [(member, D(2026, 3, 20), 2026)]
    assert items[0].rule.key == "removal_absence_months" and items[0].rule.value == 3
    assert [m.month for m in items[0].missed_months] == [1, 2, 3]
    assert not [i for i in lifecycle.due_items(world.org["B"], D(2026, 6, 1), 30) if i.kind == "removal_flag"]


# --- Pages ----------------------------------------------------------------------------------------

def test_due_page_shows_dates_rules_citations_and_links(world):
    # Probation ends on 20/01/2027; the recognition is considered by 10/03/2027 at the latest,
    # counted across Tết 2027 (not announced yet): listed until recognised, overdue afterwards.
    m = add_member(world.org["A"], "Mai", "Văn", "Mới", status="probationary", admission=D(2026, 1, 20))
    html = world.client("secretary_a").get("/to-chuc/A/den-han/?days=366").content.decode()
    assert "Mai Văn Mới" in html and world.org["A"].name in html
    assert "10/03/2027" in html and "Quy định 294-QĐ/TW" in html and "Điều lệ Đảng (2011), Điều 5" in html
    assert 'class="tag unconfirmed"' in html and "05/02/2027" in html  # Tết's days off, not announced yet
    try:
        act = reverse("member-recognition", args=[m.pk])
    except NoReverseMatch:
        act = reverse("member", args=[m.pk])
    assert f'href="{act}"' in html
    html = world.client("commune_staff").get("/to-chuc/C1/den-han/?days=366").content.decode()
    assert "Mai Văn Mới" in html and world.org["A"].name in html


def test_badge_page_is_a_table_with_party_age(world):
    day = today()
    occasion = BADGE_OCCASIONS.next_on_or_after(day)
    add_member(world.org["B"], "Hồ", "Văn", "Cựu", birth=OLD, admission=D(occasion.year - 30, occasion.month, occasion.day))
    html = world.client("commune_staff").get("/to-chuc/C1/huy-hieu/").content.decode()
    assert "Hồ Văn Cựu" in html and "badge-table" in html and occasion.strftime("%d/%m/%Y") in html
    assert "Hướng dẫn 01-HD/TW (2021), điểm 18" in html
    html = world.client("secretary_a").get("/to-chuc/A/huy-hieu/").content.decode()
    assert "Hồ Văn Cựu" not in html


def test_organisation_page_links_to_the_lists(world):
    html = world.client("secretary_a").get("/to-chuc/A/").content.decode()
    assert "/to-chuc/A/den-han/" in html and "/to-chuc/A/huy-hieu/" in html
    html = world.client("member").get("/to-chuc/A/").content.decode()
    assert "/to-chuc/A/den-han/" not in html


def _fill(world, cell, n):
    """n probationary members, n members reaching 30 years of party age in May 2026, and n members
    who missed every meeting of January–March 2026 without reason."""
    absent = []
    for i in range(n):
        add_member(world.org[cell], "Phan", "Văn", f"Dự {i}", status="probationary", admission=D(2026, 1, 5))
        add_member(world.org[cell], "Phan", "Văn", f"Lão {i}", birth=OLD, admission=D(1996, 5, 1 + i % 18))
        absent.append(add_member(world.org[cell], "Phan", "Thị", f"Vắng {i}", sex="F").person_id)
    for month in (1, 2, 3):
        _held(world, cell, D(2026, month, 12), dict.fromkeys(absent, "unexcused"))


def _count(world, org, persona, n):
    with CaptureQueriesContext(connection) as ctx:
        items = lifecycle.due_items(world.org[org], D(2026, 5, 1), 366)
    assert {k: len([i for i in items if i.kind == k]) for k in ("badge", "probation_end", "removal_flag")} == {
        "badge": n, "probation_end": n, "removal_flag": n}
    selector = len(ctx.captured_queries)
    client = world.client(persona)
    client.get(f"/to-chuc/{org}/den-han/")
    counts = [selector]
    for url in (f"/to-chuc/{org}/den-han/?days=366", f"/to-chuc/{org}/huy-hieu/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts


def test_query_counts_do_not_grow_with_the_members(world):
    _fill(world, "B", 2)
    _fill(world, "X", 20)
    small, large = _count(world, "B", "admin", 2), _count(world, "X", "admin", 20)
    assert small == large
    assert small[0] == 9  # rules, holidays, probationary members, their recognitions, badge candidates,
    #                      missed months, flagged members, transfer letters, temporary activities ending


def test_whats_due_lists_the_candidates_deadlines_with_their_rules(world):
    from chibo.recruitment import services as recruitment
    from chibo.recruitment.models import REQUIRED_FILES, FileCode
    from tests.conftest import person_data

    c = recruitment.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                                     introduced_by="Chi đoàn thôn Đông",
                                     person_data=person_data("Đinh", "Thị", "Hương", sex="F", birth=D(2000, 1, 1),
                                                             residence=world.loc["A"]))
    recruitment.sympathiser_record(c, actor=None, on=D(2025, 5, 1), number="05-NQ/CB")
    recruitment.file_receive(c, actor=None, code=FileCode.CERTIFICATE, received_on=D(2025, 6, 1))
    recruitment.applicant_record(c, actor=None, on=D(2025, 8, 1))
    for code in REQUIRED_FILES:
        if code != FileCode.CERTIFICATE:
            recruitment.file_receive(c, actor=None, code=code, received_on=D(2025, 9, 1))
    recruitment.verification_record(c, actor=None, on=D(2025, 12, 1), result="Lý lịch rõ ràng")
    recruitment.resolution_record(c, actor=None, on=D(2026, 1, 15), number="12-NQ/CB", votes_for=4, against=0,
                                  abstain=0, present=4, official=4)
    html = world.client("secretary_a").get("/to-chuc/A/den-han/").content.decode()
    assert "Đinh Thị Hương" in html and "16/04/2026" in html  # the decision, 60 working days after 15/01/2026
    assert "294-QĐ/TW" in html
    assert "Đinh Thị Hương" not in world.client("secretary_b").get("/to-chuc/B/den-han/").content.decode()
