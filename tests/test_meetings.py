"""Cell meetings through the services: who is called, publishing and invitations, attendance
(also offline changes with conflicts), quorum, votes by the right majority, minutes versions,
and the cadence of required meetings — the rules pinned to worked examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.meetings import rules, selectors, services
from chibo.meetings.models import Attendance, Meeting
from chibo.members import services as members
from chibo.notifications.models import Notification

D = dt.date
T = dt.time


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def a_meeting(world, day=None, **over):
    data = {"actor": world.users["secretary_a"], "organisation": world.org["A"], "kind": "regular",
                "date": day or timezone.localdate() + dt.timedelta(days=3), "place": "Nhà văn hóa thôn",
                # a meeting today has started (it can be held and voted on); others begin in the evening
                "start_time": T(0, 0) if day == timezone.localdate() else T(19, 30),
                "chair": world.m["secretary_a"].person, "recorder": world.m["member"].person}
    data.update(over)
    return services.meeting_create(**data)


def test_the_cell_members_are_called_exempt_ones_are_not(world):
    members.member_record_event(world.m["c1_staff"], actor=None, kind="exempted", effective_date=D(2026, 9, 1),
                                decision_number="05-QĐ/CB")
    m = a_meeting(world)
    called = set(m.attendance.values_list("person__given_name", flat=True))
    assert {"Đức", "Thăng", "Hoa"} <= called and "Ninh" not in called  # Ninh is exempt
    assert [a.title for a in m.agenda.all()][:1] and m.agenda.count() == 4  # the four-part agenda
    assert m.attendance.get(person=world.m["member"].person).official


def test_publish_invites_and_refuses_a_past_meeting(world):
    m = a_meeting(world)
    sent = services.meeting_publish(m, actor=world.users["secretary_a"])
    assert sent >= 2  # member, secretary and commune staff's person have accounts
    assert Notification.objects.filter(user=world.users["member"], kind="invitation").exists()
    past = a_meeting(world, day=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.meeting_publish(past, actor=world.users["secretary_a"])
    assert "already started or passed" in exc.value.message_dict["date"][0]


def test_materials_published_less_than_a_day_before_are_flagged(world):
    m = a_meeting(world, day=timezone.localdate() + dt.timedelta(days=5))
    services.meeting_publish(m, actor=None)
    mat = services.material_add(m, actor=None, title="Dự thảo nghị quyết", upload=(b"%PDF-1.4 x", "du-thao.pdf"))
    assert not services.material_late(mat, m)
    mat.published_at = timezone.make_aware(dt.datetime.combine(m.date, T(8, 0)))
    assert services.material_late(mat, m)
    with pytest.raises(ValidationError) as exc:
        services.material_add(m, actor=None, title="x", upload=(b"MZ\x90\x00 not a document", "x.pdf"))
    assert "file" in exc.value.message_dict


def test_attendance_quorum_votes_and_minutes(world):
    today = timezone.localdate()
    m = a_meeting(world, day=today)
    rows = list(m.attendance.select_related("person"))
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(m, actor=None, person_id=world.m["b_member"].person.pk, status="present")
    assert "not invited" in exc.value.message_dict["person"][0]
    with pytest.raises(ValidationError):
        services.attendance_record(m, actor=None, person_id=rows[0].person_id, status="excused", reason="")
    for i, row in enumerate(rows):
        services.attendance_record(m, actor=None, person_id=row.person_id,
                                   status="present" if i else "excused", reason="" if i else "ốm")
    called, present, official, voters = services.counts(m)
    assert (called, present) == (len(rows), len(rows) - 1)
    with pytest.raises(ValidationError) as exc:  # the probationary member present has no vote
        services.vote_record(m, actor=None, kind="general", title="Nghị quyết tháng", votes_for=voters + 1,
                             votes_against=0, votes_abstain=0)
    assert "only" in exc.value.message_dict["votes_for"][0]
    v = services.vote_record(m, actor=None, kind="admission", title="Đề nghị kết nạp quần chúng Siu Bơi",
                             votes_for=1, votes_against=voters - 1, votes_abstain=0)
    assert not v.passed and "not passed" in v.basis  # two-thirds of the official members not reached
    with pytest.raises(ValidationError) as exc:
        services.minutes_finalise(services.minutes_draft(m, actor=None), actor=None)
    assert "held" in exc.value.message_dict["content"][0]
    services.meeting_held(m, actor=None, end_time=T(21, 15))
    draft = services.minutes_draft(m, actor=None)
    # the attendance is printed from the record (the PDF's table, the minutes page): the text does not repeat it
    assert "ốm" not in draft.opening and draft.content.startswith("1. ")
    services.minutes_finalise(draft, actor=None)
    with pytest.raises(ValidationError):
        services.minutes_update(draft, actor=None, content="sửa")
    v2 = services.minutes_draft(m, actor=None)
    assert v2.version == 2 and v2.content == draft.content
    with pytest.raises(ValidationError) as exc:
        services.minutes_update(v2, actor=None, content="Nội dung đã sửa")
    assert "correction_note" in exc.value.message_dict
    services.minutes_update(v2, actor=None, content="Nội dung đã sửa", correction_note="Sửa tên người vắng")


def test_offline_changes_apply_or_come_back_as_conflicts(world):
    m = a_meeting(world, day=timezone.localdate())
    member = world.m["member"].person.pk
    row = m.attendance.get(person_id=member)
    item = m.agenda.first()
    result = services.sync(m, actor=None, changes=[
        {"type": "attendance", "person": member, "status": "present", "base": row.revision},
        {"type": "notes", "item": item.pk, "notes": "Tình hình thôn ổn định", "conclusion": "", "base": item.revision},
        {"type": "attendance", "person": world.m["b_member"].person.pk, "status": "present", "base": 1},
    ])
    assert len(result.applied) == 2 and len(result.refused) == 1
    stale = services.sync(m, actor=None, changes=[
        {"type": "attendance", "person": member, "status": "unexcused", "base": row.revision}])  # the old base
    assert not stale.applied and stale.conflicts[0]["server"]["status"] == "present"
    assert Attendance.objects.get(pk=row.pk).status == "present"  # never silently overwritten


@pytest.mark.parametrize(("kind", "votes_for", "present", "official", "passed"), [
    ("general", 7, 9, 12, True),      # 7 of the 12 official members called: more than half
    ("general", 6, 9, 12, False),     # 6 of 12: exactly half is not more than half
    ("general", 5, 9, 12, False),     # 5 is more than half of the 9 present, but not of the 12 called
    ("admission", 8, 9, 12, True),    # 8 ≥ ⌈12 × 2/3⌉ = 8
    ("admission", 7, 9, 12, False),   # 7 < 8
    ("removal", 6, 9, 9, True),       # 6 of 9 official = two-thirds exactly
    ("recognition", 6, 10, 10, False),  # 6 < ⌈20/3⌉ = 7
])
def test_vote_rules_worked_examples(kind, votes_for, present, official, passed):
    result = rules.vote_result(kind=kind, votes_for=votes_for, against=0, abstain=0, present=present,
                               official=official)
    assert result.passed is passed and not result.error


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60))
def test_a_special_vote_passes_exactly_at_two_thirds_of_the_official_members(votes_for, present, official):
    votes_for = min(votes_for, present)
    result = rules.vote_result(kind="admission", votes_for=votes_for, against=0, abstain=0, present=present,
                               official=official)
    assert result.passed == (official > 0 and 3 * votes_for >= 2 * official)


def test_quorum_is_more_than_half():
    assert rules.quorum(called=10, present=6).valid
    assert not rules.quorum(called=10, present=5).valid
    assert not rules.quorum(called=0, present=0).valid


def test_cadence_worked_example():
    """January–June 2026 for a cell with a committee: 6 regular, 6 committee, 2 thematic
    meetings required (the quarter still running at the end is not required yet)."""
    reqs = rules.required(start=D(2026, 1, 1), end=D(2026, 6, 15), has_committee=True, cadence=rules.Cadence())
    kinds = [r.kind for r in reqs]
    assert (kinds.count("regular"), kinds.count("committee"), kinds.count("thematic")) == (5, 5, 1)
    held = [rules.Held("regular", D(2026, m, 10), m == 2) for m in (1, 2, 3, 5)]
    missing = rules.missing(reqs, held)
    assert [(r.kind, r.start.month) for r in missing if r.kind != "committee"] == [("regular", 4)]
    no_committee = rules.required(start=D(2026, 1, 1), end=D(2026, 3, 31), has_committee=False,
                                  cadence=rules.Cadence())
    assert [r.kind for r in no_committee].count("committee") == 0 and len(no_committee) == 4


def test_the_commune_sees_which_cells_did_not_meet(world):
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=10)
    m = a_meeting(world, day=last_month)
    for row in m.attendance.all():
        services.attendance_record(m, actor=None, person_id=row.person_id, status="present")
    services.meeting_held(m, actor=None, end_time=T(21, 0))
    g = selectors.gaps(world.org["C1"], start=last_month.replace(day=1), end=first - dt.timedelta(days=1))
    missing = {gap.cell.code: [r.kind for r in gap.missing] for gap in g.cells}
    assert "regular" not in missing.get("A", []) and "regular" in missing["B"]
    figures = selectors.indicator_figures(world.org["C1"], start=last_month.replace(day=1),
                                          end=first - dt.timedelta(days=1))
    assert figures["attendance_pct"] == 100.0 and figures["meetings_required"] >= 2


def test_a_meeting_in_the_future_cannot_be_recorded_as_held(world):
    m = a_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.meeting_held(m, actor=None, end_time=T(21, 0))
    assert "date" in exc.value.message_dict and "attendance" in exc.value.message_dict
    assert Meeting.objects.get(pk=m.pk).status == "draft"


def test_held_and_votes_wait_for_the_start_time(world):
    """Today at 19:30: before that (server local time) nothing can be recorded as held or voted,
    the message names the date and time; from 19:30 both are accepted."""
    day = timezone.localdate()
    m = a_meeting(world, day=day, start_time=T(19, 30))
    for row in m.attendance.all():
        services.attendance_record(m, actor=None, person_id=row.person_id, status="present")
    before = timezone.make_aware(dt.datetime.combine(day, T(19, 29)))
    with pytest.raises(ValidationError) as exc:
        services.meeting_held(m, actor=None, end_time=T(21, 0), now=before)
    assert set(exc.value.message_dict) == {"date"} and "19:30" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as exc:
        services.vote_record(m, actor=None, kind="general", title="Nghị quyết tháng", votes_for=1, votes_against=0,
                             votes_abstain=0, now=before)
    assert set(exc.value.message_dict) == {"date"}
    m.refresh_from_db()
    assert (m.status, m.votes.count()) == ("draft", 0)
    at = timezone.make_aware(dt.datetime.combine(day, T(19, 30)))
    services.vote_record(m, actor=None, kind="general", title="Nghị quyết tháng", votes_for=1, votes_against=0,
                         votes_abstain=0, now=at)
    assert services.meeting_held(m, actor=None, end_time=T(21, 0), now=at).status == "held"


def test_the_start_is_compared_in_local_time(world, settings):
    """23:30 UTC is 06:30 the next day in Hà Nội: a meeting at 06:00 that day has started."""
    m = a_meeting(world, day=D(2026, 3, 2), start_time=T(6, 0))
    utc = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert services.started(m, utc)
    assert not services.started(m, utc - dt.timedelta(hours=1))


def test_everyone_present_is_refused_before_the_day_and_after_held(world):
    m = a_meeting(world)
    with pytest.raises(ValidationError) as exc:
        services.attendance_all_present(m, actor=None)
    assert "status" in exc.value.message_dict
    today_ = a_meeting(world, day=timezone.localdate())
    assert services.attendance_all_present(today_, actor=None) == today_.attendance.count()
    assert services.attendance_all_present(today_, actor=None) == 0


def test_a_committee_meeting_calls_the_committee_only(world):
    m = a_meeting(world, kind="committee")
    called = set(m.attendance.values_list("person_id", flat=True))
    # the secretary and the committee member of cell A hold committee posts; the others do not
    assert called == {world.m["secretary_a"].person.pk, world.m["member"].person.pk}


def test_materials_are_the_issues_file_kinds_checked_by_content(world):
    m = a_meeting(world)
    old_word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600  # an old .doc (OLE), not in the list
    with pytest.raises(ValidationError) as exc:
        services.material_add(m, actor=None, title="Công văn", upload=(old_word, "cong-van.doc"))
    assert "Save it as a PDF" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        services.material_add(m, actor=None, title="Ảnh", upload=(b"GIF89a....", "anh.png"))  # name lies
    assert not m.materials.exists()
