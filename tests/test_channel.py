"""The two-way channel through HTTP, with the personas of tests/conftest.py: a member asks
their cell, the secretary answers, the member is told and reads the answer, writes again
(the thread waits again) and closes it; who reads what; the text is never audited; empty
and oversized messages are refused naming the field; query counts stay flat."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from chibo.accounts.models import User
from chibo.audit.models import AuditEvent
from chibo.channel import rules, selectors, services
from chibo.channel.models import Message, Thread
from chibo.notifications.models import Notification
from tests.conftest import PASSWORD

QUESTION = "Xin hỏi chi bộ: đảng viên đi làm ăn xa thì sinh hoạt tạm thời ở đâu?"
ANSWER = "Đồng chí xin giấy giới thiệu sinh hoạt tạm thời ở chi bộ, nộp cho chi bộ nơi làm việc."


def ask(world, persona="member", org="A", body=QUESTION, **over):
    data = {"kind": "question", "organisation": str(world.org[org].pk), "body": body, "subject": ""}
    data.update(over)
    return world.client(persona).post("/hoi-dap/moi/", data)


def a_thread(world, persona="member", org="A", body=QUESTION, **over) -> Thread:
    return services.thread_create(actor=world.users[persona], organisation=world.org[org],
                                  kind=over.pop("kind", "question"), body=body, **over)


def test_a_member_asks_the_cell_the_secretary_answers_and_the_member_is_told(world):
    member = world.client("member")
    form = member.get("/hoi-dap/moi/")
    assert form.status_code == 200
    page = form.content.decode()
    # who will read it is shown before sending: the cell's secretary, the commune staff
    assert "Ksor Thăng" in page and "Đào Thị Ninh" in page
    assert world.org["A"].name in page and world.org["C1"].name in page

    response = ask(world)
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hoi-dap/{thread.pk}/"
    assert (thread.status, thread.kind, thread.organisation, thread.author) == (
        "new", "question", world.org["A"], world.users["member"])
    assert thread.subject == rules.subject_from(QUESTION) and len(thread.subject) <= rules.SUBJECT_FROM_BODY + 1
    assert QUESTION in member.get(f"/hoi-dap/{thread.pk}/").content.decode()

    secretary = world.client("secretary_a")
    inbox = secretary.get("/hoi-dap/tra-loi/").content.decode()
    assert thread.subject in inbox and "Nguyễn Văn Đức" in inbox
    assert selectors.waiting(world.users["secretary_a"]).by_org == [(world.org["A"], 1)]
    assert secretary.post(f"/hoi-dap/{thread.pk}/gui/", {"body": ANSWER}).status_code == 302
    thread.refresh_from_db()
    assert thread.status == "answered"
    assert [m.from_staff for m in thread.messages.all()] == [False, True]
    assert selectors.waiting(world.users["secretary_a"]).answerable == 0

    note = Notification.objects.get(user=world.users["member"])
    assert (note.kind, note.key) == ("reply", f"thread:{thread.pk}")
    assert note.lines[0]["url"] == f"/hoi-dap/{thread.pk}/"
    assert world.org["A"].name in note.title
    reminders = member.get("/nhac-viec/").content.decode()
    assert f"/hoi-dap/{thread.pk}/" in reminders
    mine = member.get("/hoi-dap/").content.decode()
    assert thread.subject in mine and f'href="/hoi-dap/{thread.pk}/"' in mine
    assert ANSWER in member.get(f"/hoi-dap/{thread.pk}/").content.decode()

    # the member writes again: the thread waits for an answer again; then closes it
    assert member.post(f"/hoi-dap/{thread.pk}/gui/", {"body": "Cảm ơn, còn giấy tờ gì nữa không?"}).status_code == 302
    thread.refresh_from_db()
    assert thread.status == "new"
    assert Notification.objects.filter(user=world.users["member"]).count() == 1  # nobody is told of their own message
    assert member.post(f"/hoi-dap/{thread.pk}/dong/").status_code == 302
    thread.refresh_from_db()
    assert (thread.status, thread.closed_by) == ("closed", world.users["member"])
    # a closed thread takes no more messages, from either side
    refused = secretary.post(f"/hoi-dap/{thread.pk}/gui/", {"body": "Bổ sung"})
    assert refused.status_code == 400 and "body" in refused.context["form"].errors
    assert thread.messages.count() == 3


def test_who_reads_a_thread_sent_to_a_cell(world):
    thread = a_thread(world)
    url = f"/hoi-dap/{thread.pk}/"
    got = {p: world.client(p).get(url).status_code for p in
           ("secretary_b", "other_commune_staff", "province_staff", "commune_staff", "admin", "secretary_a")}
    assert got == {"secretary_b": 404, "other_commune_staff": 404, "province_staff": 404,
                   "commune_staff": 200, "admin": 200, "secretary_a": 200}
    # the commune staff read a cell's thread but do not answer it; nor do administrators
    staff = world.client("commune_staff")
    page = staff.get(url)
    assert QUESTION in page.content.decode() and not page.context["can_take_part"]
    assert staff.post(f"{url}gui/", {"body": "Xã trả lời"}).status_code == 403
    assert staff.post(f"{url}dong/").status_code == 403
    assert world.client("admin").post(f"{url}gui/", {"body": "Quản trị trả lời"}).status_code == 403
    assert world.client("province_staff").post(f"{url}gui/", {"body": "x"}).status_code == 404
    assert thread.messages.count() == 1
    # the cell's thread is in the commune staff's read-only list, not in the one they answer
    assert thread.subject not in staff.get("/hoi-dap/tra-loi/?to=mine").content.decode()
    assert thread.subject in staff.get("/hoi-dap/tra-loi/?to=others").content.decode()
    assert world.client("province_staff").get("/hoi-dap/tra-loi/").status_code == 403
    assert world.client("member").get("/hoi-dap/tra-loi/").status_code == 403


def test_a_thread_to_the_commune_is_answered_by_its_staff_not_by_the_cell(world):
    thread = a_thread(world, org="C1", kind="opinion", body="Đề nghị xã sửa đoạn đường vào thôn Đông.")
    url = f"/hoi-dap/{thread.pk}/"
    assert world.client("secretary_a").get(url).status_code == 404
    assert thread.subject in world.client("commune_staff").get("/hoi-dap/tra-loi/").content.decode()
    response = world.client("commune_staff").post(f"{url}gui/", {"body": "Xã đã đưa vào kế hoạch năm 2027."})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == "answered"
    assert world.client("commune_staff").post(f"{url}dong/").status_code == 302  # those who answer may close it
    thread.refresh_from_db()
    assert (thread.status, thread.closed_by) == ("closed", world.users["commune_staff"])


def test_nobody_answers_their_own_thread(world):
    # the commune staff member is also a member of cell A; what she sends to her own commune is hers
    thread = a_thread(world, persona="commune_staff", org="C1")
    client = world.client("commune_staff")
    page = client.get(f"/hoi-dap/{thread.pk}/")
    assert page.context["is_author"] and not page.context["can_answer"]
    assert thread.subject not in client.get("/hoi-dap/tra-loi/").content.decode()
    client.post(f"/hoi-dap/{thread.pk}/gui/", {"body": "Bổ sung thêm"})
    thread.refresh_from_db()
    assert thread.status == "new" and not thread.messages.filter(from_staff=True).exists()


def test_only_a_member_sends_and_only_to_their_own_cell_or_commune(world):
    assert world.client("province_staff").get("/hoi-dap/moi/").status_code == 403
    assert world.client("admin").get("/hoi-dap/moi/").status_code == 403
    assert world.client("province_staff").get("/hoi-dap/").status_code == 200
    response = ask(world, org="B")
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    response = ask(world, org="X")
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    response = ask(world, kind="complaint")
    assert response.status_code == 400 and "kind" in response.context["form"].errors
    assert not Thread.objects.exists()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.thread_create(actor=world.users["province_staff"], organisation=world.org["A"], kind="question",
                               body=QUESTION)
    assert "current party member" in exc.value.message_dict["organisation"][0]


@pytest.mark.parametrize(("over", "field"), [
    ({"body": ""}, "body"),
    ({"body": "   \n  "}, "body"),
    ({"body": "ý" * (rules.MAX_BODY + 1)}, "body"),
    ({"subject": "Đ" * (rules.MAX_SUBJECT + 1)}, "subject"),
])
def test_empty_or_oversized_text_is_refused_naming_the_field(world, over, field):
    response = ask(world, **over)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_service_messages_name_the_field_and_say_how_to_fix_it(world):
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            a_thread(world, body="")
        assert exc.value.message_dict == {"body": ["Write your message before sending it."]}
        with pytest.raises(ValidationError) as exc:
            a_thread(world, body="a" * (rules.MAX_BODY + 5))
        assert "4000" in exc.value.message_dict["body"][0] and "4005" in exc.value.message_dict["body"][0]
        thread = a_thread(world)
        with pytest.raises(ValidationError) as exc:
            services.thread_reply(thread, actor=world.users["secretary_a"], body=" ")
        assert list(exc.value.message_dict) == ["body"]
        services.thread_close(thread, actor=world.users["secretary_a"])
        with pytest.raises(ValidationError) as exc:
            services.thread_close(thread, actor=world.users["member"])
        assert list(exc.value.message_dict) == ["status"]


def test_text_is_normalised_to_nfc(world):
    decomposed = "Xin hỏi ve\u0302\u0300 đảng phí"  # "về" typed as e + combining marks
    thread = a_thread(world, body=decomposed)
    assert thread.messages.get().body == "Xin hỏi về đảng phí"
    assert thread.subject == "Xin hỏi về đảng phí"


def test_the_audit_trail_records_the_fact_never_the_text(world):
    thread = a_thread(world, subject="Chuyện gia đình riêng")
    services.thread_reply(thread, actor=world.users["secretary_a"], body=ANSWER)
    services.thread_close(thread, actor=world.users["member"])
    events = list(AuditEvent.objects.filter(object_type="thread", object_id=str(thread.pk)).order_by("id"))
    assert [e.action for e in events] == ["create", "thread_answer", "thread_close"]
    assert events[0].after["organisation_id"] == world.org["A"].pk and events[0].after["length"] == len(QUESTION)
    dumped = json.dumps([[e.object_repr, e.note, e.before, e.after] for e in events], ensure_ascii=False)
    for secret in ("Chuyện gia đình", QUESTION[:30], ANSWER[:30]):
        assert secret not in dumped
    # province staff read the audit trail of their subtree, and still never the text
    log = world.client("province_staff").get("/nhat-ky/").content.decode()
    assert f"#{thread.pk}" in log and "Chuyện gia đình" not in log


def test_htmx_reply_returns_the_conversation(world):
    thread = a_thread(world)
    client = world.client("secretary_a")
    response = client.post(f"/hoi-dap/{thread.pk}/gui/", {"body": ANSWER}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert ANSWER in html and "<html" not in html and 'role="status"' in html
    bad = client.post(f"/hoi-dap/{thread.pk}/gui/", {"body": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "<html" not in bad.content.decode()
    closed = client.post(f"/hoi-dap/{thread.pk}/dong/", HTTP_HX_REQUEST="true")
    assert closed.status_code == 200 and "<html" not in closed.content.decode()
    again = client.post(f"/hoi-dap/{thread.pk}/dong/", HTTP_HX_REQUEST="true")
    assert again.status_code == 400


def test_the_inbox_lists_waiting_threads_first_newest_first(world):
    first = a_thread(world, body="Câu hỏi thứ nhất")
    second = a_thread(world, body="Câu hỏi thứ hai")
    answered = a_thread(world, body="Câu hỏi đã trả lời")
    services.thread_reply(answered, actor=world.users["secretary_a"], body=ANSWER)
    page = world.client("secretary_a").get("/hoi-dap/tra-loi/")
    assert [t.pk for t in page.context["page"].object_list] == [second.pk, first.pk, answered.pk]
    only = world.client("secretary_a").get("/hoi-dap/tra-loi/?status=answered", HTTP_HX_REQUEST="true")
    assert [t.pk for t in only.context["page"].object_list] == [answered.pk]
    assert "<html" not in only.content.decode()
    # the member sees the answered one first
    assert [t.pk for t in selectors.my_threads(world.users["member"])] == [answered.pk, second.pk, first.pk]


def test_my_open_threads_for_the_home_screen(world):
    threads = [a_thread(world, body=f"Câu hỏi {i}") for i in range(5)]
    services.thread_reply(threads[1], actor=world.users["secretary_a"], body=ANSWER)
    services.thread_close(threads[4], actor=world.users["member"])
    a_thread(world, persona="secretary_a", body="Câu hỏi của người khác")
    shown = selectors.my_open_threads(world.users["member"])
    assert [t.pk for t in shown] == [threads[1].pk, threads[3].pk, threads[2].pk]
    assert [t.pk for t in selectors.my_open_threads(world.users["member"], limit=10)] == [
        threads[1].pk, threads[3].pk, threads[2].pk, threads[0].pk]
    assert selectors.my_open_threads(world.users["province_staff"]) == []


def _x_member(world) -> User:
    return User.objects.create_user(username="x_member", password=PASSWORD, person=world.m["x_member"].person)


def _threads(world, n: int) -> None:
    x_user = _x_member(world) if not User.objects.filter(username="x_member").exists() else \
        User.objects.get(username="x_member")
    for i in range(n):
        t = a_thread(world, body=f"Câu hỏi số {i}")
        services.thread_reply(t, actor=world.users["secretary_a"], body=ANSWER)
        services.thread_reply(t, actor=world.users["member"], body="Cảm ơn đồng chí")
        a_thread(world, org="C1", body=f"Ý kiến số {i}", kind="opinion")
        services.thread_create(actor=x_user, organisation=world.org["X"], kind="question", body=f"Hỏi {i}")


@pytest.mark.parametrize(("persona", "url"), [
    ("member", "/hoi-dap/"), ("secretary_a", "/hoi-dap/tra-loi/"), ("commune_staff", "/hoi-dap/tra-loi/"),
    ("commune_staff", "/hoi-dap/tra-loi/?to=others"), ("admin", "/hoi-dap/tra-loi/?to=others"),
    ("secretary_a", "/hoi-dap/"), ("member", "/hoi-dap/moi/"), ("member", "/hoi-dap/{first}/"),
    ("secretary_a", "/hoi-dap/{first}/"),
])
def test_query_counts_do_not_grow_with_the_threads(world, persona, url):
    client = world.client(persona)

    def count() -> int:
        first = Thread.objects.order_by("id").first()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url.format(first=first.pk)).status_code == 200
        return len(ctx.captured_queries)

    _threads(world, 2)
    count()
    small = count()
    _threads(world, 8)
    first = Thread.objects.order_by("id").first()
    for _i in range(8):  # the first thread gets longer too
        services.thread_reply(first, actor=world.users["member"], body="Thêm một ý")
    large = count()
    assert large == small, f"{url}: {small} → {large}"
    assert small <= 20
