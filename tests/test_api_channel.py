"""The JSON API of the two-way channel, through HTTP with the personas of tests/conftest.py:
a member asks their cell, the secretary answers (the member is notified), the member writes
again and closes; scope (404 outside, 403 read-only); errors naming the field; flat query
counts; the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.accounts.models import User
from chibo.audit.models import AuditEvent
from chibo.channel import rules, services
from chibo.channel.models import Thread
from chibo.notifications.models import Notification
from tests.api_client import API, Api, error_of, fields_of
from tests.conftest import PASSWORD

QUESTION = "Xin hỏi: mức đóng đảng phí của đảng viên hưu trí là bao nhiêu?"
ANSWER = "Đảng viên hưu trí đóng 0,5% lương hưu hằng tháng."


@pytest.fixture
def api(world: Any) -> Api:
    return Api(world)


def test_a_question_is_asked_answered_continued_and_closed(world, api):
    response = api("member", "POST", "threads/", {"organisation": "A", "kind": "question", "body": QUESTION})
    assert response.status_code == 201, response.content
    thread = response.json()
    assert (thread["status"], thread["organisation"], thread["author_name"]) == ("new", "A", "Nguyễn Văn Đức")
    assert [m["body"] for m in thread["messages"]] == [QUESTION]
    assert thread["can_take_part"] and not thread["can_answer"]
    pk = thread["id"]

    inbox = api("secretary_a", "GET", "threads/", {"box": "answer"}).json()
    assert [t["id"] for t in inbox["results"]] == [pk]
    detail = api("secretary_a", "GET", f"threads/{pk}/").json()
    assert detail["can_answer"]
    response = api("secretary_a", "POST", f"threads/{pk}/messages/", {"body": ANSWER})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["from_staff"] and body["thread"]["status"] == "answered"
    assert Notification.objects.filter(user=world.users["member"], kind="reply", key=f"thread:{pk}").exists()

    mine = api("member", "GET", "threads/").json()
    assert [(t["id"], t["status"]) for t in mine["results"]] == [(pk, "answered")]
    response = api("member", "POST", f"threads/{pk}/messages/", {"body": "Cảm ơn đồng chí."})
    assert response.json()["thread"]["status"] == "new"
    response = api("member", "POST", f"threads/{pk}/close/", {})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert fields_of(api("member", "POST", f"threads/{pk}/messages/", {"body": "Còn nữa"})) == ["body"]
    assert fields_of(api("member", "POST", f"threads/{pk}/close/", {})) == ["status"]
    assert AuditEvent.objects.filter(object_type="thread", object_id=str(pk)).count() == 4


def test_scope_of_a_cell_thread(world, api):
    thread = services.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                                    body=QUESTION)
    got = {p: api(p, "GET", f"threads/{thread.pk}/").status_code for p in world.users}
    assert got == {"member": 200, "secretary_a": 200, "secretary_b": 404, "commune_staff": 200,
                   "other_commune_staff": 404, "province_staff": 404, "admin": 200}
    error_of(api("commune_staff", "POST", f"threads/{thread.pk}/messages/", {"body": "x"}), 403, "forbidden")
    error_of(api("admin", "POST", f"threads/{thread.pk}/close/", {}), 403, "forbidden")
    error_of(api("province_staff", "POST", f"threads/{thread.pk}/messages/", {"body": "x"}), 404, "not_found")
    error_of(api("member", "GET", "threads/", {"box": "answer"}), 403, "forbidden")
    error_of(api("province_staff", "GET", "threads/", {"box": "read"}), 403, "forbidden")
    read = api("commune_staff", "GET", "threads/", {"box": "read"}).json()
    assert [t["id"] for t in read["results"]] == [thread.pk]
    assert api("commune_staff", "GET", "threads/", {"box": "answer"}).json()["results"] == []
    assert api("province_staff", "GET", "threads/").json()["results"] == []
    error_of(api("province_staff", "POST", "threads/", {"organisation": "A", "kind": "question", "body": "x"}),
             403, "forbidden")


@pytest.mark.parametrize(("data", "fields"), [
    ({"organisation": "A", "kind": "question", "body": ""}, ["body"]),
    ({"organisation": "A", "kind": "question"}, ["body"]),
    ({"organisation": "A", "kind": "question", "body": "ý" * (rules.MAX_BODY + 1)}, ["body"]),
    ({"organisation": "A", "kind": "question", "body": QUESTION, "subject": "x" * (rules.MAX_SUBJECT + 1)},
     ["subject"]),
    ({"organisation": "B", "kind": "question", "body": QUESTION}, ["organisation"]),
    ({"organisation": "X", "kind": "question", "body": QUESTION}, ["organisation"]),
    ({"kind": "question", "body": QUESTION}, ["organisation"]),
    ({"organisation": "A", "kind": "complaint", "body": QUESTION}, ["kind"]),
    ({"organisation": "A", "kind": "question", "body": 12}, ["body"]),
    ({"organisation": "A", "kind": "question", "body": QUESTION, "anonymous": True}, ["anonymous"]),
])
def test_bad_input_names_the_field_and_writes_nothing(world, api, data, fields):
    assert fields_of(api("member", "POST", "threads/", data)) == fields
    assert not Thread.objects.exists()


def test_list_filters_are_checked(world, api):
    assert fields_of(api("member", "GET", "threads/", {"box": "all"})) == ["box"]
    assert fields_of(api("member", "GET", "threads/", {"status": "open"})) == ["status"]
    t = services.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="opinion", body="Ý kiến")
    assert api("member", "GET", "threads/", {"status": "closed"}).json()["results"] == []
    assert [r["id"] for r in api("member", "GET", "threads/", {"status": "new"}).json()["results"]] == [t.pk]


def test_list_query_counts_do_not_grow_with_the_threads(world, api, django_assert_max_num_queries):
    x_user = User.objects.create_user(username="x_member", password=PASSWORD, person=world.m["x_member"].person)

    def add(n: int) -> None:
        for i in range(n):
            t = services.thread_create(actor=world.users["member"], organisation=world.org["A"], kind="question",
                                       body=f"Câu hỏi {i}")
            services.thread_reply(t, actor=world.users["secretary_a"], body=ANSWER)
            services.thread_create(actor=world.users["member"], organisation=world.org["C1"], kind="opinion",
                                   body=f"Ý kiến {i}")
            services.thread_create(actor=x_user, organisation=world.org["X"], kind="question", body=f"Hỏi {i}")

    calls = [("member", "threads/"), ("secretary_a", "threads/?box=answer"), ("commune_staff", "threads/?box=answer"),
             ("commune_staff", "threads/?box=read"), ("admin", "threads/?box=read")]

    def count(persona: str, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(persona, "GET", url).status_code == 200
        return len(ctx)

    for persona in {p for p, _u in calls}:
        api(persona, "GET", "threads/")  # the first call of the minute also records the token's last use
    add(2)
    with_two = {call: count(*call) for call in calls}
    add(8)
    for persona, url in calls:
        with django_assert_max_num_queries(with_two[persona, url]):
            response = api(persona, "GET", url)
        assert len(response.json()["results"]) >= 10, url
    first = Thread.objects.order_by("id").first()
    with CaptureQueriesContext(connection) as ctx:
        assert api("member", "GET", f"threads/{first.pk}/").status_code == 200
    assert len(ctx) <= 10


def test_the_openapi_document_describes_the_channel(world):
    doc = Client().get(API + "openapi.json").json()
    for path in ("/threads/", "/threads/{id}/", "/threads/{id}/messages/", "/threads/{id}/close/"):
        assert path in doc["paths"], path
    create = doc["paths"]["/threads/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ThreadCreate")
    assert doc["components"]["schemas"]["ThreadCreate"]["required"] == ["organisation", "kind", "body"]
    assert {p["name"] for p in doc["paths"]["/threads/"]["get"]["parameters"]} == {"box", "status", "page"}
    assert "threads" in {t["name"] for t in doc["tags"]}
