"""The plans and tasks bulk services (issue 15, point 5: the demo and `chibo synth` write through
them): what they write is found by the accent-insensitive search like what the one-at-a-time
services write, with one audit row for each created object, and all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from chibo.audit.models import AuditEvent
from chibo.plans import services as plans
from chibo.plans.models import Measurement, Milestone, Resolution, Target
from chibo.tasks import services as tasks
from chibo.tasks.models import Assignee, Task, Update

pytestmark = pytest.mark.django_db


def test_resolutions_targets_and_tasks_written_in_bulk_are_found_and_audited(world):
    res = Resolution(organisation=world.org["C1"], body=Resolution.Body.CONGRESS, number="01-NQ/ĐH",
                     issued_on=dt.date(2025, 8, 20), period_start=2025, period_end=2030,
                     title="Nghị quyết Đại hội Đảng bộ xã Một về nông thôn mới")
    plans.bulk_create_resolutions([res], actor=None)
    target = Target(resolution=res, organisation=world.org["C1"], name="Kết nạp đảng viên mới", unit="đảng viên",
                    target_value=Decimal(40))
    plans.bulk_create_targets([(target, {2026: Decimal(8), 2027: Decimal(16)})], actor=None)
    part = Target(resolution=res, organisation=world.org["A"], parent=target, name="Kết nạp đảng viên (thôn Đông)",
                  target_value=Decimal(10))
    plans.bulk_create_targets([(part, {})], actor=None)
    plans.bulk_create_measurements([Measurement(target=target, measured_on=dt.date(2026, 1, 5), value=Decimal(3))],
                                   actor=None)
    first = Task(organisation=world.org["A"], title="Thu đảng phí tháng", start_on=dt.date(2026, 1, 1),
                 due_on=dt.date(2026, 1, 25))
    second = Task(organisation=world.org["A"], title="Thu đảng phí tháng", start_on=dt.date(2026, 2, 1),
                  due_on=dt.date(2026, 2, 25))
    lead, other = world.m["secretary_a"].person.pk, world.m["member"].person.pk
    tasks.bulk_create_tasks([
        tasks.BulkTask(task=first, lead=lead, coordinating=[other],
                       updates=[{"kind": Update.Kind.PROGRESS, "progress": 50, "note": "Đã thu một nửa"}]),
        tasks.BulkTask(task=second, lead=lead, series=first)], actor=None)

    page = world.client("commune_staff").get("/tim-kiem/", {"q": "nong thon moi"}).content.decode()
    assert "Nghị quyết Đại hội Đảng bộ xã Một về nông thôn mới" in page
    assert Target.objects.filter(search_text__contains="ket nap dang vien").count() == 2
    assert Task.objects.get(pk=first.pk).search_text == "thu dang phi thang"
    assert Task.objects.get(pk=second.pk).series_id == first.pk
    assert list(Milestone.objects.filter(target=target).values_list("year", flat=True)) == [2026, 2027]
    assert Assignee.objects.filter(task=first).count() == 2 and Update.objects.filter(task=first).count() == 1
    audited = {(e.object_type, e.object_id) for e in AuditEvent.objects.filter(action="create")}
    assert {("resolution", str(res.pk)), ("target", str(target.pk)), ("target", str(part.pk)),
            ("task", str(first.pk)), ("task", str(second.pk))} <= audited
    assert AuditEvent.objects.get(object_type="target", object_id=str(target.pk)).after["milestones"] == {
        "2026": "8", "2027": "16"}


def test_a_failed_bulk_write_leaves_nothing(world):
    good = Task(organisation=world.org["A"], title="Việc đầu chuỗi", start_on=dt.date(2026, 1, 1),
                due_on=dt.date(2026, 1, 25))
    broken = Task(organisation=world.org["A"], title=None, start_on=dt.date(2026, 2, 1), due_on=dt.date(2026, 2, 25))
    lead = world.m["secretary_a"].person.pk
    with pytest.raises(IntegrityError):  # the later occurrence has no title: refused after the first is inserted
        tasks.bulk_create_tasks([tasks.BulkTask(task=good, lead=lead),
                                 tasks.BulkTask(task=broken, lead=lead, series=good)], actor=None)
    assert not Task.objects.filter(title="Việc đầu chuỗi").exists()
    assert not AuditEvent.objects.filter(object_type="task").exists()
