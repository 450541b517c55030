"""Issue 14 point 3, a member's home page: "Việc cần làm" first — the next meeting with its
material and the member's notice of absence, tasks due or late, documents to read, answers to
questions — then the figures; each item links to a page the member may open; the same items as
"Của tôi" (one selector, shared partials); a fixed number of queries. The tests run on
DAY, for the whole app (the tests never depend on the real date)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.channel import services as channel
from chibo.documents import services as documents
from chibo.meetings import services as meetings
from chibo.tasks import services as tasks
from tests.conftest import instant_on

DAY = dt.date(2030, 3, 12)  # a Tuesday; meetings after it are in the future, so they may be announced
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.today(DAY)


def meeting(world, days: int, *, material: str = "", org: str = "A", publish: bool = True):
    """A meeting `days` after DAY; one before DAY was prepared and announced the day before it."""
    day = DAY + dt.timedelta(days=days)
    with time_machine.travel(instant_on(min(DAY, day - dt.timedelta(days=1)))):
        m = meetings.meeting_create(actor=None, organisation=world.org[org], kind="regular", date=day,
                                    start_time=dt.time(19, 30),
                                    place="Nhà văn hóa thôn Đông" if org == "A" else "Nhà văn hóa làng Ia Rơ")
        if material:
            meetings.material_add(m, actor=None, title=material, upload=(PDF, "tai-lieu.pdf"))
        if publish:
            meetings.meeting_publish(m, actor=None)
    return m


def task(world, title: str, due: int, *, who: str = "member", org: str = "A", verifier: str = "secretary_a"):
    return tasks.task_create(actor=None, organisation=world.org[org], title=title, start_on=DAY - dt.timedelta(days=20),
                             due_on=DAY + dt.timedelta(days=due), expected_output="Danh sách đã rà soát",
                             verifier=world.m[verifier].person, verify_by=DAY + dt.timedelta(days=due + 5),
                             assignees=[tasks.Assign(person=world.m[who].person, lead=True)])


def home(world, persona: str = "member") -> str:
    response = world.client(persona).get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, ident: str) -> str:
    """The HTML of <section ... id="ident"> up to its end (sections of the work part are not nested)."""
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def test_work_comes_first_then_the_figures(world):
    html = home(world)
    assert 'id="work"' in html and html.index('id="work"') < html.index('id="dashboard"')
    assert "Việc cần làm" in html or "To do" in html  # the lead compiles the new Vietnamese after merging


def test_the_next_meeting_with_its_material_and_the_way_to_say_one_cannot_come(world):
    later = meeting(world, 9, material="Dự thảo nghị quyết quý II")
    first = meeting(world, 2, material="Báo cáo tháng 3")
    meeting(world, 1, org="B", material="Tài liệu của chi bộ B")  # another cell's: never shown
    part = section(home(world), "work-meeting")
    assert f'href="/hop/{first.pk}/"' in part and "Báo cáo tháng 3" in part and "Nhà văn hóa thôn Đông" in part
    assert f'href="/hop/{first.pk}/#absence"' in part  # what to do if one cannot come
    assert f"/hop/{later.pk}/" not in part  # the next one only; "Của tôi" lists them all
    assert "Tài liệu của chi bộ B" not in part and "làng Ia Rơ" not in part
    material = re.search(r'href="(/hop/tai-lieu/\d+/)"', part)
    assert material and world.client("member").get(material.group(1)).status_code == 200
    mine = world.client("member").get("/cua-toi/").content.decode()
    assert f'href="/hop/{later.pk}/"' in mine and f'href="/hop/{first.pk}/"' in mine


def test_a_notice_of_absence_shows_on_the_home_page(world):
    m = meeting(world, 2)
    client = world.client("member")
    assert "my-notice" not in section(home(world), "work-meeting")
    assert client.post(f"/hop/{m.pk}/bao-vang/", {"reason": "Đi công tác huyện"}).status_code == 302
    part = section(home(world), "work-meeting")
    assert 'class="my-notice"' in part and "Đi công tác huyện" in part
    assert f'href="/hop/{m.pk}/#absence"' in part  # to change or withdraw it
    assert "Đi công tác huyện" in client.get("/cua-toi/").content.decode()  # the same partial


def test_tasks_due_or_late_with_their_count_and_link(world):
    late = task(world, "Rà soát hộ nghèo", -3)
    soon = task(world, "Nộp báo cáo thu đảng phí", 2)
    task(world, "Việc của đồng chí khác", -1, who="b_member", org="B", verifier="secretary_b")
    part = section(home(world), "work-tasks")
    assert '<span class="muted">(2)</span>' in part
    assert f'href="/viec/{late.pk}/"' in part and f'href="/viec/{soon.pk}/"' in part
    assert 'class="tag warn"' in part and 'href="/viec-cua-toi/"' in part
    assert "Việc của đồng chí khác" not in part


def test_documents_to_read_and_answers_to_questions(world):
    doc = documents.document_publish(actor=world.users["commune_staff"], organisation=world.org["C1"],
                                     kind="regulation", number="01-HD/ĐU", issuer="Đảng ủy xã",
                                     issued_on=dt.date(2026, 1, 5), title="Hướng dẫn sinh hoạt chi bộ")
    other = documents.document_publish(actor=world.users["other_commune_staff"], organisation=world.org["C2"],
                                       kind="regulation", number="02-HD/ĐU", issuer="Đảng ủy xã Hai",
                                       issued_on=dt.date(2026, 1, 5), title="Văn bản của xã khác")
    thread = channel.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                                   body="Xin hỏi chi bộ về việc chuyển sinh hoạt tạm thời?")
    html = home(world)
    docs = section(html, "work-documents")
    assert f'href="/van-ban/{doc.pk}/"' in docs and f"/van-ban/{other.pk}/" not in docs
    assert '<span class="muted">(1)</span>' in docs
    questions = section(html, "work-questions")
    assert f'href="/hoi-dap/{thread.pk}/"' in questions and "thread-answered" not in questions
    channel.thread_reply(thread, actor=world.users["secretary_a"], body="Đồng chí xin giấy giới thiệu ở chi bộ.")
    questions = section(home(world), "work-questions")
    assert "thread-answered" in questions and f'href="/hoi-dap/{thread.pk}/"' in questions
    assert world.client("member").get(f"/hoi-dap/{thread.pk}/").status_code == 200


def test_empty_states_say_so_and_say_what_to_do(world):
    html = home(world)
    assert "Chưa có buổi sinh hoạt nào được thông báo." in section(html, "work-meeting")
    assert "Đồng chí không có việc nào đang làm." in section(html, "work-tasks")
    assert "Không có văn bản mới." in section(html, "work-documents")
    assert 'href="/hoi-dap/"' in section(html, "work-questions")
    assert 'href="/cua-toi/"' in html


def publish(world, i: int):
    return documents.document_publish(actor=world.users["commune_staff"], organisation=world.org["C1"],
                                      kind="regulation", number=f"{i}-HD/ĐU", issuer="Đảng ủy xã",
                                      issued_on=dt.date(2026, 1, 5), title=f"Văn bản {i}")


def test_the_member_home_costs_the_same_queries_with_more_data(world):
    meeting(world, 2, material="Tài liệu 1")
    task(world, "Việc 1", 3)
    for i in range(3):  # a full short list: from here on its total is counted (one query)
        publish(world, i)
    client = world.client("member")
    client.get("/")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(4):
        meeting(world, 4 + i, material=f"Tài liệu {i + 2}")
        task(world, f"Việc {i + 2}", i - 2)
        publish(world, i + 3)
        channel.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                              body=f"Câu hỏi số {i}")
    assert count() == small
    assert small <= 24  # the figures (15) and the work
