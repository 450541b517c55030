"""Issue 14 point 3, the home page of a cell's secretary or committee: this month's meeting and
the one step it needs next; overdue tasks and results waiting for the viewer's verification; what
is due under the rules; questions waiting for an answer; targets behind — each a count linking to
its list, zero said calmly; the secretary's own items compactly; another cell's work never shown;
a fixed number of queries. The tests run on DAY (tests/test_home_member.py)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.channel import services as channel
from chibo.meetings import services as meetings
from chibo.meetings.models import Attendance
from chibo.plans import services as plans
from chibo.plans.models import Resolution, Target
from chibo.tasks import services as tasks
from tests.conftest import add_member
from tests.test_home_member import DAY, meeting, section, task

pytestmark = pytest.mark.today(DAY)


def home(world, persona: str = "secretary_a") -> str:
    response = world.client(persona).get("/")
    assert response.status_code == 200
    return response.content.decode()


def state(html: str) -> str:
    found = re.search(r'id="month-state" data-state="(\w+)"', html)
    assert found, "no state of this month's meeting"
    return found.group(1)


def stat(html: str, ident: str) -> tuple[int, str]:
    """(the count, the link) of a count on the page."""
    found = re.search(rf'<a class="stat" id="{ident}" href="([^"]+)"><div class="n">(\d+)</div>', html)
    assert found, ident
    return int(found.group(2)), found.group(1)


def held(m, world) -> None:
    Attendance.objects.filter(meeting=m).update(status=Attendance.Status.PRESENT)
    meetings.meeting_held(m, actor=None, end_time=dt.time(21, 45), day=DAY)


# --- This month's meeting ---------------------------------------------------------------------

def test_not_prepared_offers_to_prepare_it_for_the_right_cell(world):
    meeting(world, -30)  # last month's: does not count for this month
    html = home(world)
    assert state(html) == "none" and 'href="/hop/moi/?org=A"' in section(html, "work-meeting")
    assert "03/2030" in section(html, "work-meeting")
    other = home(world, "secretary_b")
    assert state(other) == "none" and 'href="/hop/moi/?org=B"' in other and "/hop/moi/?org=A" not in other
    assert world.client("secretary_a").get("/hop/moi/?org=A").status_code == 200


def test_prepared_then_announced_then_due_to_record(world):
    m = meeting(world, 5, publish=False)
    part = section(home(world), "work-meeting")
    assert state(part) == "draft" and f'href="/hop/{m.pk}/"' in part
    meetings.meeting_publish(m, actor=None)
    assert world.client("member").post(f"/hop/{m.pk}/bao-vang/", {"reason": "Ốm"}).status_code == 302
    part = section(home(world), "work-meeting")
    assert state(part) == "announced" and f'href="/hop/{m.pk}/"' in part and "1 " in part  # one notice
    assert f"/hop/{m.pk}/" not in home(world, "secretary_b")  # never another cell's meeting

    earlier = meeting(world, -1)  # announced, its day has come
    part = section(home(world), "work-meeting")
    assert state(part) == "announced"  # a meeting still to come is not the one due: the latest of the month
    meetings.meeting_cancel(m, actor=None, reason="Trùng lịch họp xã")
    part = section(home(world), "work-meeting")
    assert state(part) == "to_record" and f'href="/hop/{earlier.pk}/#held"' in part


def test_held_with_minutes_unfinished_then_done(world):
    m = meeting(world, -2)
    held(m, world)
    part = section(home(world), "work-meeting")
    assert state(part) == "minutes" and f'href="/hop/{m.pk}/bien-ban/"' in part
    minutes = meetings.minutes_draft(m, actor=None)
    minutes = meetings.minutes_update(minutes, actor=None, content="Chi bộ đã thảo luận và thống nhất.")
    meetings.minutes_finalise(minutes, actor=None)
    part = section(home(world), "work-meeting")
    assert state(part) == "done" and f'href="/hop/{m.pk}/"' in part


def test_a_cancelled_meeting_alone_leaves_the_month_unprepared(world):
    m = meeting(world, 4)
    meetings.meeting_cancel(m, actor=None, reason="Mưa bão")
    part = section(home(world), "work-meeting")
    assert state(part) == "none" and 'href="/hop/moi/?org=A"' in part and "/04/2030" not in part


# --- The counts -------------------------------------------------------------------------------

def test_zero_counts_are_said_calmly_and_still_link_to_their_lists(world):
    html = home(world, "secretary_b")
    assert stat(html, "work-overdue") == (0, "/to-chuc/B/viec-den-han/")
    assert stat(html, "work-verify") == (0, "/viec-cua-toi/")
    assert stat(html, "work-due") == (0, "/to-chuc/B/den-han/?days=30&amp;nhom=thu-tuc")
    assert stat(html, "work-questions") == (0, "/hoi-dap/tra-loi/")
    assert stat(html, "work-targets") == (0, "/to-chuc/B/chi-tieu/")
    assert "tag warn" not in section(html, "work-counts")  # nothing alarming when there is nothing to do


def test_overdue_tasks_and_results_waiting_for_my_verification(world):
    task(world, "Rà soát hộ nghèo", -3)
    task(world, "Thu đảng phí quý I", -1, who="a_woman")
    task(world, "Nộp báo cáo", 4)
    done = task(world, "Vận động hiến đất làm đường", 1)
    tasks.task_submit(done, actor=world.users["member"], note="Đã vận động được 5 hộ.")
    task(world, "Việc ở chi bộ B", -5, who="b_member", org="B", verifier="secretary_b")
    html = home(world)
    assert stat(html, "work-overdue") == (2, "/to-chuc/A/viec-den-han/")
    assert stat(html, "work-verify") == (1, "/viec-cua-toi/")
    other = home(world, "secretary_b")
    assert stat(other, "work-overdue") == (1, "/to-chuc/B/viec-den-han/")
    assert stat(other, "work-verify") == (0, "/viec-cua-toi/")
    assert "Vận động hiến đất làm đường" in world.client("secretary_a").get("/viec-cua-toi/").content.decode()


def test_what_is_due_under_the_rules_counts_the_cells_own(world):
    # a_woman of cell A was admitted on 3/2/2026: by DAY her probation has long ended, recognition overdue
    n, link = stat(home(world), "work-due")
    assert n >= 1 and link == "/to-chuc/A/den-han/?days=30&amp;nhom=thu-tuc"
    # the count is the rows of the list it opens (procedures only: badges are not deadlines)
    listed = world.client("secretary_a").get(link.replace("&amp;", "&")).content.decode()
    assert len(re.findall(r'<tr class="due-', listed)) == n
    assert stat(home(world, "secretary_b"), "work-due")[0] == 0
    add_member(world.org["B"], "Lê", "Thị", "Mai", status="probationary", admission=dt.date(2026, 6, 1))
    n_b, link_b = stat(home(world, "secretary_b"), "work-due")
    assert n_b >= 1 and link_b == "/to-chuc/B/den-han/?days=30&amp;nhom=thu-tuc"  # her probation ended on 1/6/2027: overdue by DAY
    assert "tag warn" in section(home(world, "secretary_b"), "work-due")
    assert stat(home(world), "work-due")[0] == n  # cell B's member is not cell A's business


def test_questions_waiting_for_an_answer(world):
    thread = channel.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                                   body="Xin hỏi về thời gian sinh hoạt chi bộ tháng tới?")
    assert stat(home(world), "work-questions") == (1, "/hoi-dap/tra-loi/")
    assert stat(home(world, "secretary_b"), "work-questions")[0] == 0
    channel.thread_reply(thread, actor=world.users["secretary_a"], body="Ngày 15 hằng tháng.")
    assert stat(home(world), "work-questions")[0] == 0


def test_targets_behind(world):
    staff = world.users["commune_staff"]
    res = plans.resolution_create(
        actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS, kind=Resolution.Kind.RESOLUTION,
        number="01-NQ/ĐH", issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030,
        title="Nghị quyết Đại hội Đảng bộ xã lần thứ I, nhiệm kỳ 2025–2030")
    admit = plans.target_create(actor=staff, resolution=res, organisation=world.org["C1"],
                                name="Kết nạp đảng viên mới", unit="đảng viên", kind=Target.Kind.COUNT,
                                target_value=D(30), roll_up=Target.RollUp.SUM)
    a, _b = plans.target_break_down(admit, actor=staff, shares={world.org["A"]: D(20), world.org["B"]: D(10)})
    plans.measurement_record(actor=world.users["secretary_a"], target=a, measured_on=dt.date(2026, 6, 30),
                             value=D(1))
    html = home(world)
    assert stat(html, "work-targets") == (1, "/to-chuc/A/chi-tieu/")
    assert f'href="/chi-tieu/{a.pk}/"' in html
    assert world.client("secretary_a").get(f"/chi-tieu/{a.pk}/").status_code == 200
    other = home(world, "secretary_b")
    assert stat(other, "work-targets")[0] == 0  # no figure yet is not "behind"
    assert f"/chi-tieu/{a.pk}/" not in other


def test_the_secretary_sees_their_own_items_compactly(world):
    m = meeting(world, 3)
    task(world, "Việc của đồng chí bí thư", -1, who="secretary_a", verifier="member")
    part = section(home(world), "work-mine")
    assert 'href="/cua-toi/"' in part and 'href="/viec-cua-toi/"' in part  # the rest is on "Của tôi"
    assert f'href="/hop/{m.pk}/"' in world.client("secretary_a").get("/cua-toi/").content.decode()
    assert "tag warn" in part  # their own task is late


def test_every_link_of_the_work_opens(world):
    m = meeting(world, -2)
    held(m, world)
    task(world, "Rà soát hộ nghèo", -3)
    html = home(world)
    work = html[html.index('id="work"'):html.index('id="dashboard"')]
    client = world.client("secretary_a")
    for href in set(re.findall(r'href="([^"#]+)', work)):
        assert client.get(href).status_code == 200, href


def test_the_cell_home_costs_the_same_queries_with_more_data(world):
    meeting(world, 3)
    task(world, "Việc 1", -1)
    channel.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question", body="Hỏi 1")
    client = world.client("secretary_a")
    client.get("/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(4):
        task(world, f"Việc {i + 2}", i - 3)
        add_member(world.org["A"], "Nguyễn", "Văn", f"Thêm{i}", status="probationary", admission=dt.date(2026, 5, i + 1))
        channel.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                              body=f"Hỏi {i + 2}")
    assert count() == small
    assert small <= 40
