"""The JSON API for the document library, through HTTP with the named personas of
tests/conftest.py: publishing (audited, members told), field-named errors, scope (404
outside, 403 read-only), accent-insensitive search, "documents for me", marking read
(idempotent, addressees only), who has not read (for the persona's own cell only), the
OpenAPI description, and constant query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.documents import services
from chibo.documents.models import Document, Receipt
from chibo.notifications.models import Notification
from tests.api_client import API, Api, error_of

DOC = {"organisation": "C1", "kind": "regulation", "number": "339-QĐ/TW", "issuer": "Ban Bí thư Trung ương",
       "issued_on": "10/07/2025", "title": "Quy định về sử dụng Sổ tay đảng viên điện tử"}



@pytest.fixture
def api(world: Any) -> Api:
    return Api(world, language="en")


def publish(world: Any, org: str = "C1", number: str = "339-QĐ/TW", title: str = "Quy định về Sổ tay",
            by: str = "commune_staff") -> Document:
    return services.document_publish(actor=world.users[by], organisation=world.org[org], kind="regulation",
                                     number=number, issuer="Ban Bí thư", issued_on=dt.date(2025, 7, 10), title=title)


def test_a_document_is_published_read_and_followed_up_through_the_api(world, api):
    response = api("commune_staff", "POST", "documents/", DOC)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["organisation"], body["issued_on"], body["can_write"]) == (
        "339-QĐ/TW", "C1", "2025-07-10", True)
    assert body["reading"] == {"read": 0, "expected": 6, "organisations": ["C1"]}
    pk = body["id"]
    assert AuditEvent.objects.filter(object_type="document", object_id=str(pk), action="create").exists()
    assert Notification.objects.filter(kind="document", key=f"document:{pk}").count() == 3

    mine = api("member", "GET", "documents/", {"mine": 1}).json()
    assert [(d["id"], d["for_me"], d["read_at"]) for d in mine["results"]] == [(pk, True, None)]
    first = api("member", "POST", f"documents/{pk}/read/", {})
    assert first.status_code == 200 and first.json()["read_at"]
    again = api("member", "POST", f"documents/{pk}/read/", {})
    assert again.json()["read_at"] == first.json()["read_at"] and Receipt.objects.count() == 1
    assert api("member", "GET", "documents/", {"unread": 1}).json()["results"] == []
    detail = api("member", "GET", f"documents/{pk}/").json()
    assert detail["read_at"] == first.json()["read_at"] and detail["reading"] is None and not detail["can_write"]

    unread = api("secretary_a", "GET", f"documents/{pk}/unread/").json()
    assert (unread["read"], unread["expected"], unread["organisations"]) == (1, 4, ["A"])
    assert {r["full_name"] for r in unread["results"]} == {"Ksor Thăng", "Trần Thị Hoa", "Đào Thị Ninh"}
    commune = api("commune_staff", "GET", f"documents/{pk}/unread/").json()
    assert commune["count"] == 5 and {r["organisation"] for r in commune["results"]} == {"A", "B"}
    error_of(api("member", "GET", f"documents/{pk}/unread/"), 403, "forbidden")
    error_of(api("province_staff", "GET", f"documents/{pk}/unread/"), 403, "forbidden")
    error_of(api("other_commune_staff", "GET", f"documents/{pk}/unread/"), 404, "not_found")


def test_who_may_publish_correct_and_mark_what(world, api):
    doc = publish(world)
    for persona, status in (("member", 403), ("secretary_a", 403), ("province_staff", 403), ("commune_staff", 201)):
        response = api(persona, "POST", "documents/", {**DOC, "number": f"{persona}-CV"})
        assert response.status_code == status, (persona, response.content)
    error_of(api("other_commune_staff", "POST", "documents/", {**DOC, "number": "9-CV"}), 400)
    assert api("secretary_a", "POST", "documents/", {**DOC, "organisation": "A", "number": "1-TB"}).status_code == 201
    error_of(api("secretary_a", "PATCH", f"documents/{doc.pk}/", {"title": "Sửa"}), 403, "forbidden")
    error_of(api("other_commune_staff", "PATCH", f"documents/{doc.pk}/", {"title": "Sửa"}), 404, "not_found")
    response = api("commune_staff", "PATCH", f"documents/{doc.pk}/", {"title": "Quy định 339 (sửa)"})
    assert response.status_code == 200 and response.json()["title"] == "Quy định 339 (sửa)"
    error_of(api("province_staff", "POST", f"documents/{doc.pk}/read/", {}), 403, "forbidden")
    error_of(api("admin", "POST", f"documents/{doc.pk}/read/", {}), 403, "forbidden")
    error_of(api("other_commune_staff", "POST", f"documents/{doc.pk}/read/", {}), 404, "not_found")
    error_of(api("other_commune_staff", "GET", f"documents/{doc.pk}/"), 404, "not_found")
    assert api("province_staff", "GET", f"documents/{doc.pk}/").status_code == 200


def test_bad_input_names_the_field_and_writes_nothing(world, api):
    cases = [
        ({**DOC, "number": ""}, ["number"]),
        ({**DOC, "issued_on": "31/02/2025"}, ["issued_on"]),
        ({**DOC, "issued_on": "01/01/2099"}, ["issued_on"]),
        ({**DOC, "kind": "poem"}, ["kind"]),
        ({**DOC, "title": 12}, ["title"]),
        ({**DOC, "file": "x.pdf"}, ["file"]),  # files are attached in the web pages
        ({k: v for k, v in DOC.items() if k != "organisation"}, ["organisation"]),
        ({**DOC, "organisation": "X"}, ["organisation"]),
        ({**DOC, "issuer": "", "title": ""}, ["issuer", "title"]),
    ]
    for body, fields in cases:
        error = error_of(api("commune_staff", "POST", "documents/", body), 400)
        assert sorted(error["fields"]) == fields, (body, error)
        assert all(m.endswith(".") for ms in error["fields"].values() for m in ms)
    error = error_of(api("commune_staff", "POST", "documents/", {**DOC, "number": ""}), 400)
    assert "339-QĐ/TW" in error["fields"]["number"][0]
    assert not Document.objects.exists() and not Notification.objects.exists()
    doc = publish(world)
    error = error_of(api("member", "POST", f"documents/{doc.pk}/read/", {"when": "now"}), 400)
    assert list(error["fields"]) == ["when"]
    assert "already in the library" in error_of(api("commune_staff", "POST", "documents/", DOC), 400)[
        "fields"]["number"][0]
    assert list(error_of(api("commune_staff", "GET", "documents/", {"kind": "poem"}), 400)["fields"]) == ["kind"]
    assert list(error_of(api("commune_staff", "GET", "documents/", {"mine": "yes"}), 400)["fields"]) == ["mine"]


def test_search_and_filters(world, api):
    publish(world, number="339-QĐ/TW", title="Quy định về sử dụng Sổ tay đảng viên điện tử")
    publish(world, "A", number="05-HD/CB", title="Hướng dẫn Học tập chuyên đề", by="secretary_a")
    publish(world, "X", number="07-KH/CB", title="Kế hoạch học tập", by="other_commune_staff")

    def numbers(persona: str, **query: Any) -> set[str]:
        response = api(persona, "GET", "documents/", query)
        assert response.status_code == 200, response.content
        return {d["number"] for d in response.json()["results"]}

    assert numbers("member", q="339 qd") == {"339-QĐ/TW"}
    assert numbers("member", q="hoc tap") == {"05-HD/CB"}  # X's plan does not reach cell A
    assert numbers("province_staff", q="hoc tap") == {"05-HD/CB", "07-KH/CB"}
    assert numbers("commune_staff", org="A") == {"05-HD/CB"}
    assert numbers("secretary_b", mine=1) == {"339-QĐ/TW"}
    assert numbers("province_staff", mine=1) == set()  # nothing is addressed to a user who is not a member
    assert numbers("member", kind="guidance") == set()


def test_list_query_counts_do_not_grow_with_the_rows(world, api, django_assert_max_num_queries):
    def add(n: int) -> None:
        start = Document.objects.count()
        for i in range(n):
            doc = publish(world, "C1" if i % 2 else "A", number=f"{start + i}-CV",
                          by="commune_staff" if i % 2 else "secretary_a")
            services.document_mark_read(doc, actor=world.users["member"])

    first = publish(world, number="0-CV")
    calls = [("member", "documents/"), ("member", "documents/?mine=1"), ("commune_staff", "documents/?q=cv"),
             ("secretary_a", f"documents/{first.pk}/unread/"), ("commune_staff", f"documents/{first.pk}/")]

    def count(persona: str, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(persona, "GET", url).status_code == 200
        return len(ctx)

    for persona in ("member", "commune_staff", "secretary_a"):
        api(persona, "GET", "documents/")  # the first call of the minute also records the token's last use
    add(2)
    with_two = {call: count(*call) for call in calls}
    add(8)
    for persona, url in calls:
        with django_assert_max_num_queries(with_two[persona, url]):
            assert api(persona, "GET", url).status_code == 200
    assert api("member", "GET", "documents/").json()["count"] == 11


def test_the_openapi_document_describes_the_document_endpoints(world):
    doc = Client().get(API + "openapi.json").json()
    for path in ("/documents/", "/documents/{id}/", "/documents/{id}/read/", "/documents/{id}/unread/"):
        assert path in doc["paths"], path
    assert doc["components"]["schemas"]["DocumentCreate"]["required"] == ["organisation"]
    assert {p["name"] for p in doc["paths"]["/documents/"]["get"]["parameters"]} == {
        "q", "kind", "org", "mine", "unread", "page"}
    assert "403" in doc["paths"]["/documents/{id}/read/"]["post"]["responses"]
    assert {t["name"] for t in doc["tags"]} >= {"documents"}
    import re

    refs = set(re.findall(r'"#/components/schemas/(\w+)"', json.dumps(doc)))
    assert refs <= set(doc["components"]["schemas"])
