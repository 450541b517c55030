"""The member's own screen: coming meetings with materials, tasks, documents to read, this
year's attendance and questions — one page, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chibo.meetings import services as meetings
from chibo.tasks import services as tasks

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _meeting(world, days: int, title: str):
    m = meetings.meeting_create(actor=None, organisation=world.org["A"], kind="regular",
                                date=timezone.localdate() + dt.timedelta(days=days), start_time=dt.time(19, 30),
                                place="Nhà văn hóa thôn Đông")
    meetings.material_add(m, actor=None, title=title, upload=(PDF, "tai-lieu.pdf"))
    meetings.meeting_publish(m, actor=None)
    return m


def _task(world, title: str, due: int):
    day = timezone.localdate()
    return tasks.task_create(actor=None, organisation=world.org["A"], title=title, start_on=day - dt.timedelta(days=9),
                             due_on=day + dt.timedelta(days=due), expected_output="Kết quả",
                             verifier=world.m["secretary_a"].person, verify_by=day + dt.timedelta(days=due + 5),
                             assignees=[tasks.Assign(person=world.m["member"].person, lead=True)])


def test_the_member_sees_meetings_materials_tasks_and_what_to_do(world):
    _meeting(world, 3, "Dự thảo nghị quyết tháng 12")
    _task(world, "Rà soát hộ nghèo", -2)
    html = world.client("member").get("/cua-toi/").content.decode()
    assert "Nhà văn hóa thôn Đông" in html and "Dự thảo nghị quyết tháng 12" in html
    assert "Rà soát hộ nghèo" in html and 'class="tag warn"' in html  # overdue, shown as such
    material = world.client("member").get("/cua-toi/")
    assert material.status_code == 200
    # another cell's member does not see cell A's meeting
    assert "Nhà văn hóa thôn Đông" not in world.client("secretary_b").get("/cua-toi/").content.decode()


def test_the_screen_costs_the_same_queries_with_more_data(world):
    _meeting(world, 2, "Tài liệu 1")
    _task(world, "Việc 1", 3)
    client = world.client("member")
    client.get("/cua-toi/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cua-toi/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(4):
        _meeting(world, 4 + i, f"Tài liệu {i + 2}")
        _task(world, f"Việc {i + 2}", i)
    assert count() == small
    assert small <= 20
