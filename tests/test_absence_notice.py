"""Issue 14 point 5: a member tells the cell ahead that they will be absent, with the reason; the
secretary sees it on the meeting page and when taking attendance it is suggested."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.meetings import services
from chibo.meetings.models import Attendance, Meeting


def _meeting(world, day, start=dt.time(19, 30), publish=True, org="A"):
    m = services.meeting_create(actor=None, organisation=world.org[org], kind="regular", date=day, start_time=start,
                                place="Nhà văn hóa")
    if publish:
        services.meeting_publish(m, actor=None)
    return m


@pytest.fixture
def future(world):
    return _meeting(world, today() + dt.timedelta(days=3))


def _row(meeting, world, who="member"):
    return Attendance.objects.get(meeting=meeting, person=world.m[who].person)


def test_member_gives_a_notice_and_the_secretary_sees_it(world, future):
    c = world.client("member")
    page = c.get(f"/hop/{future.pk}/").content.decode()
    assert f"/hop/{future.pk}/bao-vang/" in page
    r = c.post(f"/hop/{future.pk}/bao-vang/", {"reason": "  Đi làm xa  "})
    assert r.status_code == 302
    row = _row(future, world)
    assert row.notice == "Đi làm xa" and row.notice_at is not None
    assert row.status == Attendance.Status.INVITED  # only a notice: the attendance is recorded at the meeting
    assert AuditEvent.objects.filter(action="absence_notice").count() == 1
    mine = c.get(f"/hop/{future.pk}/").content.decode()
    assert 'id="my-notice"' in mine and "Đi làm xa" in mine
    assert f"/hop/{future.pk}/bao-vang/rut/" in mine
    secretary = world.client("secretary_a").get(f"/hop/{future.pk}/").content.decode()
    assert "Đi làm xa" in secretary and timezone.localtime(row.notice_at).strftime("%H:%M") in secretary
    assert 'id="my-notice"' not in secretary  # the secretary is invited too, and gave none of their own


def test_an_empty_reason_is_refused_naming_the_field(world, future):
    r = world.client("member").post(f"/hop/{future.pk}/bao-vang/", {"reason": "   "})
    assert r.status_code == 400
    assert r.context["notice_form"].errors["reason"]
    assert _row(future, world).notice == ""
    with pytest.raises(ValidationError) as exc:
        services.absence_notice(future, person=world.m["member"].person, actor=None, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.absence_notice(future, person=world.m["member"].person, actor=None, reason="x" * 201)
    assert "reason" in exc.value.message_dict


def test_too_late_once_the_meeting_has_started(world, future):
    after = timezone.make_aware(future.starts) + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as exc:
        services.absence_notice(future, person=world.m["member"].person, actor=None, reason="Ốm", now=after)
    assert "status" in exc.value.message_dict
    started = _meeting(world, today() + dt.timedelta(days=1))
    Meeting.objects.filter(pk=started.pk).update(date=today(), start_time=dt.time(0, 0))  # announced, then begun
    c = world.client("member")
    assert f"/hop/{started.pk}/bao-vang/" not in c.get(f"/hop/{started.pk}/").content.decode()
    r = c.post(f"/hop/{started.pk}/bao-vang/", {"reason": "Ốm"})
    assert r.status_code == 400 and _row(started, world).notice == ""


def test_not_for_drafts_cancelled_or_held_meetings(world, future):
    draft = _meeting(world, today() + dt.timedelta(days=5), publish=False)
    with pytest.raises(ValidationError):
        services.absence_notice(draft, person=world.m["member"].person, actor=None, reason="Ốm")
    services.meeting_cancel(future, actor=None, reason="Bão")
    future.refresh_from_db()
    with pytest.raises(ValidationError):
        services.absence_notice(future, person=world.m["member"].person, actor=None, reason="Ốm")


def test_only_the_member_themself(world, future):
    # Someone invited gives a notice only for themself: a person field in the request is ignored.
    r = world.client("secretary_a").post(f"/hop/{future.pk}/bao-vang/",
                                         {"reason": "Ốm", "person": world.m["member"].person.pk})
    assert r.status_code == 302
    assert _row(future, world).notice == ""
    assert _row(future, world, "secretary_a").notice == "Ốm"
    # Not invited (no person of their own): 403; outside the scope: 404.
    assert world.client("province_staff").post(f"/hop/{future.pk}/bao-vang/", {"reason": "Ốm"}).status_code == 403
    assert world.client("secretary_b").post(f"/hop/{future.pk}/bao-vang/", {"reason": "Ốm"}).status_code == 404
    services.absence_notice(future, person=world.m["member"].person, actor=None, reason="Ốm")
    assert world.client("secretary_a").post(f"/hop/{future.pk}/bao-vang/rut/").status_code == 302
    assert _row(future, world).notice == "Ốm"  # the secretary withdrew their own, not the member's
    with pytest.raises(ValidationError) as exc:
        services.absence_notice(future, person=world.m["b_member"].person, actor=None, reason="Ốm")
    assert "person" in exc.value.message_dict


def test_withdraw_before_the_meeting(world, future):
    c = world.client("member")
    c.post(f"/hop/{future.pk}/bao-vang/", {"reason": "Ốm"})
    assert c.post(f"/hop/{future.pk}/bao-vang/rut/").status_code == 302
    row = _row(future, world)
    assert row.notice == "" and row.notice_at is None
    assert AuditEvent.objects.filter(action="absence_withdraw").count() == 1
    assert "Ốm" not in world.client("secretary_a").get(f"/hop/{future.pk}/").content.decode()
    services.absence_notice(future, person=world.m["member"].person, actor=None, reason="Ốm")
    after = timezone.make_aware(future.starts) + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError):
        services.absence_notice_withdraw(future, person=world.m["member"].person, actor=None, now=after)


def test_recording_attendance_uses_the_notice(world, future):
    services.absence_notice(future, person=world.m["member"].person, actor=None, reason="Đi viện")
    # the attendance screen suggests it
    page = world.client("secretary_a").get(f"/hop/{future.pk}/diem-danh/").content.decode()
    assert 'value="Đi viện"' in page
    # "Everyone present" records the member who told ahead as absent with that reason
    n = services.attendance_all_present(future, actor=None, day=future.date)
    assert n == future.attendance.count()
    row = _row(future, world)
    assert (row.status, row.reason) == (Attendance.Status.EXCUSED, "Đi viện")
    others = future.attendance.exclude(pk=row.pk)
    assert all(a.status == Attendance.Status.PRESENT for a in others)
    assert Meeting.objects.get(pk=future.pk).status == Meeting.Status.PUBLISHED
