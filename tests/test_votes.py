"""Who votes, and out of how many (issue 13 point 1). A resolution needs more than half of the
official members called, admission and recognition two-thirds of them — not of those present.
Left out: members on temporary activity elsewhere, suspended or prosecuted members, absences
the committee approved, exempt members unless they attend and vote; members here on temporary
activity and probationary members have no vote. The arithmetic is kept with each vote and shown
on the meeting page, the vote form, the minutes and the API; counts above the members who may
vote are refused naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.rules import rule
from chibo.meetings import rules, services
from chibo.meetings.models import Attendance, Vote
from chibo.meetings.views import minutes_pdf
from chibo.members import services as members
from chibo.members.models import Membership
from tests.api_client import Api, fields_of
from tests.conftest import add_member
from tests.test_meetings_web import pdf_text

T = dt.time


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


# --- The arithmetic, without the database ---------------------------------------------------------------

@given(st.integers(0, 80), st.integers(0, 80))
def test_a_resolution_passes_with_more_than_half_of_the_official_members_called(votes_for, called):
    result = rules.vote_result(kind="general", votes_for=votes_for, against=0, abstain=0, present=votes_for,
                               official=called)
    assert not result.error
    assert result.passed == (called > 0 and votes_for * 2 > called)
    assert result.need == called // 2 + 1  # the fewest that is more than half


@given(st.integers(0, 80), st.integers(0, 80), st.sampled_from(["admission", "recognition", "removal"]))
def test_two_thirds_of_the_official_members_called_rounded_up(votes_for, called, kind):
    result = rules.vote_result(kind=kind, votes_for=votes_for, against=0, abstain=0, present=votes_for,
                               official=called)
    assert result.passed == (called > 0 and 3 * votes_for >= 2 * called)
    assert result.need * 3 >= 2 * called > (result.need - 1) * 3  # ⌈called × 2/3⌉


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 60))
def test_more_votes_than_members_who_may_vote_is_an_error(f, a, b, voters):
    result = rules.vote_result(kind="general", votes_for=f, against=a, abstain=b, present=voters, official=60)
    assert bool(result.error) == (f + a + b > voters)
    if result.error:
        assert not result.passed and str(voters) in result.error


seat = st.builds(rules.Seat, name=st.sampled_from(["A", "B", "C"]), official=st.booleans(), came=st.booleans(),
                 temporary=st.booleans(), exempt=st.booleans(), voted=st.booleans(),
                 excluded=st.sampled_from(["", *rules.EXCLUSIONS]))


@given(st.lists(seat, max_size=25))
def test_the_official_members_called(seats):
    r = rules.roll(seats)

    def counted(s: rules.Seat) -> bool:
        return (s.official and not s.temporary and not s.excluded
                and (not s.exempt or (s.came and s.voted)))

    assert r.official_called == sum(1 for s in seats if counted(s))
    assert r.voters == sum(1 for s in seats if counted(s) and s.came) <= r.official_called
    # every official member of the cell is either counted or named with the reason
    assert r.official_called + len(r.left_out) == sum(1 for s in seats if s.official)
    assert {reason for _n, reason, _t in r.left_out} <= {"exempt", "temporary_here", *rules.EXCLUSIONS}


def test_worked_example_of_the_issue():
    """12 official members called, 1 exempt and 1 on temporary activity elsewhere left out."""
    seats = [rules.Seat(f"M{i}", official=True, came=i < 10) for i in range(12)]
    seats += [rules.Seat("Trần Thị B", official=True, came=False, exempt=True),
              rules.Seat("Nguyễn Văn A", official=True, came=False, excluded="temporary_elsewhere"),
              rules.Seat("Hoa", official=False, came=True), rules.Seat("Tạm", official=True, came=True, temporary=True)]
    r = rules.roll(seats)
    assert (r.official_called, r.voters, r.probationary_present, r.temporary_present) == (12, 10, 1, 1)
    assert "1 on temporary activity elsewhere (Nguyễn Văn A)" in r.left_out_text()
    result = rules.vote_result(kind="admission", votes_for=9, against=1, abstain=0, present=r.voters,
                               official=r.official_called)
    assert result.passed and result.need == 8
    assert not rules.vote_result(kind="general", votes_for=6, against=0, abstain=0, present=10, official=12).passed


# --- Through the services and the pages --------------------------------------------------------------------

@pytest.fixture
def cell(world):
    """Cell A with, besides Đức and Thăng (official) and Hoa (probationary): Ninh, exempt; Tạm,
    here on temporary activity; Xa, who will be on temporary activity elsewhere; Vắng, absent
    with the committee's approval. A meeting today with everyone's attendance recorded."""
    day = timezone.localdate()
    members.member_record_event(world.m["c1_staff"], actor=None, kind="exempted", effective_date=day,
                                decision_number="05-QĐ/CB")
    extra = {key: add_member(world.org["A"], family, "Văn", given, residence=world.loc["A"])
             for key, family, given in (("tam", "Lò", "Tạm"), ("xa", "Hà", "Xa"), ("vang", "Vi", "Vắng"))}
    Membership.objects.filter(pk=extra["tam"].pk).update(temporary=True)
    meeting = services.meeting_create(actor=None, organisation=world.org["A"], kind="regular", date=day,
                                      start_time=T(0, 0), place="Nhà văn hóa thôn", chair=world.m["secretary_a"].person,
                                      recorder=world.m["member"].person)
    status = {extra["xa"].person_id: "excused", extra["vang"].person_id: "excused"}
    for row in meeting.attendance.all():
        services.attendance_record(meeting, actor=None, person_id=row.person_id,
                                   status=status.get(row.person_id, "present"),
                                   reason="ốm" if row.person_id in status else "")
    return meeting, extra


def test_the_denominator_leaves_out_who_the_texts_leave_out(world, cell):
    meeting, extra = cell
    ninh = world.m["c1_staff"].person
    assert not meeting.attendance.filter(person=ninh).exists()  # exempt members are not called
    assert meeting.attendance.get(person_id=extra["tam"].person_id).temporary
    c = world.client("secretary_a")
    url = f"/hop/{meeting.pk}/bieu-quyet/tinh-so/"
    page = c.get(url)
    assert page.status_code == 200 and ninh.full_name in page.content.decode()  # offered as an exempt who came
    for key, reason in (("xa", "temporary_elsewhere"), ("vang", "approved_absence")):
        response = c.post(url, {"person": extra[key].person_id, "excluded": reason, "note": "Nghị quyết chi ủy số 3"})
        assert response.status_code == 302, response.content.decode()
    r = services.roll(meeting)
    # Đức and Thăng: Hoa is probationary, Tạm is here on temporary activity, Ninh exempt and absent
    assert (r.official_called, r.voters, r.probationary_present, r.temporary_present) == (2, 2, 1, 1)
    reasons = {name: reason for name, reason, _n in r.left_out}
    assert reasons == {ninh.full_name: "exempt", extra["tam"].person.full_name: "temporary_here",
                       extra["xa"].person.full_name: "temporary_elsewhere",
                       extra["vang"].person.full_name: "approved_absence"}
    # the quorum counts members called less those left out: 4 called (Đức, Thăng, Hoa, Tạm), 4 present
    assert (r.called, r.present) == (4, 4)

    # 3 votes cast with 2 official members who may vote: refused, naming the field, nothing written
    vote_url = f"/hop/{meeting.pk}/bieu-quyet/"
    form = c.get(vote_url).content.decode()
    assert "Đảng viên chính thức được triệu tập: <strong>2</strong>" in form and extra["xa"].person.full_name in form
    refused = c.post(vote_url, {"kind": "general", "title": "Nghị quyết tháng", "votes_for": "3", "votes_against": "0",
                                "votes_abstain": "0"})
    assert refused.status_code == 400 and "votes_for" in refused.context["form"].errors
    assert "Có 3 phiếu nhưng chỉ 2 đảng viên chính thức có quyền biểu quyết có mặt" in refused.content.decode()
    assert not Vote.objects.exists()

    # Ninh came and voted: then she counts
    added = c.post(url, {"action": "add", "person": ninh.pk, "voted": "on"})
    assert added.status_code == 302
    row = meeting.attendance.get(person=ninh)
    assert row.exempt and row.voted and row.came and row.official
    assert (services.roll(meeting).official_called, services.roll(meeting).voters) == (3, 3)
    ok = c.post(vote_url, {"kind": "general", "title": "Nghị quyết tháng", "votes_for": "2", "votes_against": "1",
                           "votes_abstain": "0", "decision": "Vận động làm đường"})
    assert ok.status_code == 302
    vote = Vote.objects.get()
    assert vote.passed and (vote.official_called, vote.voters_present, vote.need) == (3, 3, 2)
    assert "2 tán thành trên 3 đảng viên chính thức được triệu tập" in vote.basis
    assert {x["name"] for x in vote.left_out} == {extra["tam"].person.full_name, extra["xa"].person.full_name,
                                                  extra["vang"].person.full_name}
    assert vote.rule_citation == rule("vote_general_more_than_pct", meeting.date).citation
    page = c.get(f"/hop/{meeting.pk}/").content.decode()
    assert "Tán thành: 2/3 = 66,7%" in page and "roll-changed" not in page

    # she attended but did not vote: not counted. The recorded vote keeps its figures; the page says so
    assert c.post(url, {"person": ninh.pk, "excluded": ""}).status_code == 302
    assert services.roll(meeting).official_called == 2
    vote.refresh_from_db()
    assert vote.passed and vote.official_called == 3
    page = c.get(f"/hop/{meeting.pk}/").content.decode()
    assert "roll-changed" in page and "nay có 2 đảng viên chính thức được triệu tập" in page

    # admission: two-thirds of the 2 official members called is 2
    c.post(vote_url, {"kind": "admission", "title": "Kết nạp quần chúng Siu Bơi", "votes_for": "1",
                      "votes_against": "1", "votes_abstain": "0"})
    admission = Vote.objects.get(kind="admission")
    assert not admission.passed and admission.need == 2 and admission.official_called == 2


def test_bad_roll_input_names_the_field(world, cell):
    meeting, extra = cell
    c = world.client("secretary_a")
    url = f"/hop/{meeting.pk}/bieu-quyet/tinh-so/"
    # "voted" is only for an exempt member; an approved absence only for a member who did not come
    response = c.post(url, {"person": world.m["member"].person_id, "excluded": "", "voted": "on"})
    assert response.status_code == 400 and "voted" in response.content.decode()
    response = c.post(url, {"person": world.m["member"].person_id, "excluded": "approved_absence"})
    assert response.status_code == 400
    assert not meeting.attendance.filter(person=world.m["member"].person, excluded="approved_absence").exists()
    response = c.post(url, {"person": world.m["member"].person_id, "excluded": "holiday"})
    assert response.status_code == 400
    # only a secretary of the cell
    assert world.client("secretary_b").get(url).status_code in (403, 404)
    assert world.client("member").post(url, {"person": extra["xa"].person_id, "excluded": "suspended"}
                                       ).status_code in (403, 404)
    assert not meeting.attendance.exclude(excluded="").exists()


def test_suspended_and_prosecuted_members_are_left_out(world, cell):
    meeting, _extra = cell
    services.voter_record(meeting, actor=None, person_id=world.m["member"].person_id, excluded="suspended")
    services.voter_record(meeting, actor=None, person_id=world.m["secretary_a"].person_id, excluded="prosecuted",
                          note="Quyết định khởi tố số 12")
    r = services.roll(meeting)
    assert r.official_called == 2 and r.voters == 0  # Xa and Vắng, absent (no approval recorded): still counted
    assert {reason for _n, reason, _t in r.left_out} >= {"suspended", "prosecuted"}
    with pytest.raises(ValidationError) as exc:
        services.vote_record(meeting, actor=None, kind="general", title="x", votes_for=1, votes_against=0,
                             votes_abstain=0)
    assert "votes_for" in exc.value.message_dict


def test_the_minutes_show_the_arithmetic(world, cell, tmp_path):
    meeting, extra = cell
    services.voter_record(meeting, actor=None, person_id=extra["xa"].person_id, excluded="temporary_elsewhere")
    services.vote_record(meeting, actor=None, kind="general", title="Nghị quyết tháng", votes_for=2, votes_against=0,
                         votes_abstain=0)
    services.meeting_held(meeting, actor=None, end_time=T(21, 30))
    draft = services.minutes_draft(meeting, actor=None)
    # the roll and the arithmetic are printed from the record (below), never repeated in the text
    assert "official members called" not in draft.conclusions.lower() + draft.opening.lower()
    services.minutes_finalise(draft, actor=None)  # no watermark in the text
    text = " ".join(pdf_text(minutes_pdf(draft), tmp_path).split())
    assert "Đảng viên chính thức được triệu tập (để tính biểu quyết): 3" in text
    assert "sinh hoạt tạm thời ở đảng bộ khác" in text
    assert "Tán thành 2/3 = 66,7%; cần ít nhất 2 (quá 50%)" in text


# --- The API ---------------------------------------------------------------------------------------------

def test_the_api_gives_the_denominator_and_refuses_too_many_votes(world, cell):
    meeting, extra = cell
    api = Api(world)
    services.voter_record(meeting, actor=None, person_id=extra["xa"].person_id, excluded="temporary_elsewhere",
                          note="Đi làm ăn ở Bình Dương")
    url = f"meetings/{meeting.pk}/votes/"
    too_many = api("secretary_a", "POST", url, {"kind": "general", "title": "Nghị quyết", "votes_for": 2,
                                                 "votes_against": 1, "votes_abstain": 0})
    assert too_many.status_code == 400 and fields_of(too_many) == ["votes_for"]
    assert not Vote.objects.exists()
    created = api("secretary_a", "POST", url, {"kind": "recognition", "title": "Công nhận chính thức",
                                               "votes_for": 2, "votes_against": 0, "votes_abstain": 0})
    assert created.status_code == 201
    vote: dict[str, Any] = created.json()["vote"]
    # Đức, Thăng and Vắng (absent, no approval recorded) are called; Đức and Thăng may vote
    assert vote["passed"] and (vote["official_called"], vote["voters_present"], vote["need"]) == (3, 2, 2)
    assert {"name": extra["xa"].person.full_name, "reason": "temporary_elsewhere",
            "note": "Đi làm ăn ở Bình Dương"} in vote["left_out"]
    detail = api("secretary_a", "GET", f"meetings/{meeting.pk}/").json()
    assert detail["roll"]["official_called"] == 3 and detail["roll"]["probationary_present"] == 1
    assert detail["votes"][0]["roll_changed"] is False
    tam = next(i for i in detail["invitees"] if i["person"] == extra["tam"].person_id)
    assert tam["temporary"] is True and tam["excluded"] == ""
    xa = next(i for i in detail["invitees"] if i["person"] == extra["xa"].person_id)
    assert xa["excluded"] == "temporary_elsewhere"


def test_the_removal_rule_is_marked_unconfirmed_and_the_resolution_rule_cites_its_text(db):
    removal = rule("vote_removal_numerator", dt.date(2026, 1, 1))
    assert not removal.confirmed and "Chưa tìm thấy" in removal.citation
    before = rule("vote_general_more_than_pct", dt.date(2024, 1, 1))
    assert before.value == 50 and "24-QĐ/TW" in before.citation and "9.3.2" in before.citation and before.confirmed
    now = rule("vote_general_more_than_pct", dt.date(2026, 1, 1))
    assert "294-QĐ/TW" in now.citation and "Điều 10" in now.citation and "chưa đối chiếu" in now.note
    special = rule("vote_special_numerator", dt.date(2026, 1, 1))
    assert "Điều 8" not in special.citation and special.value == 2
    assert Attendance.Excluded.values == ["", *rules.EXCLUSIONS]


def test_existing_invitees_take_their_flags_from_the_membership_history(world):
    """Migration 0003: rows written before it get `temporary` and `exempt` as the history had them
    on the meeting's day."""
    from importlib import import_module

    from django.apps import apps

    day = timezone.localdate()
    earlier = services.meeting_create(actor=None, organisation=world.org["A"], kind="regular",
                                      date=day - dt.timedelta(days=40), start_time=T(19, 30), place="Nhà văn hóa")
    members.member_record_event(world.m["member"], actor=None, kind="temporary_in", effective_date=day)
    members.member_record_event(world.m["secretary_a"], actor=None, kind="exempted",
                                effective_date=day - dt.timedelta(days=60))
    later = services.meeting_create(actor=None, organisation=world.org["A"], kind="regular", date=day,
                                    start_time=T(19, 30), place="Nhà văn hóa")
    Attendance.objects.create(meeting=later, person=world.m["secretary_a"].person, official=True)  # as old rows were
    Attendance.objects.update(temporary=False, exempt=False)
    import_module("chibo.meetings.migrations.0003_vote_roll").snapshot(apps, None)
    flags = {(a.meeting_id, a.person_id): (a.temporary, a.exempt) for a in Attendance.objects.all()}
    assert flags[(earlier.pk, world.m["member"].person_id)] == (False, False)  # not yet temporary then
    assert flags[(later.pk, world.m["member"].person_id)] == (True, False)
    assert flags[(later.pk, world.m["secretary_a"].person_id)] == (False, True)
    assert flags[(earlier.pk, world.m["secretary_a"].person_id)] == (False, True)  # exempt since 60 days
