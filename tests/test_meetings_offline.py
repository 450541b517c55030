"""The attendance and notes screen that works offline, over HTTP: who may open it and sync,
the sync endpoint (applied, conflicts with the server's value, refusals with the message),
the plain-form path without JavaScript, and the service worker's script."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from chibo.audit.models import AuditEvent
from chibo.meetings import services
from chibo.meetings.models import AgendaItem, Attendance, Meeting
from tests.conftest import PERSONAS


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """Messages are checked in English, the msgids; pages are asked for in English too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def a_meeting(world: Any, day: dt.date | None = None) -> Meeting:
    return services.meeting_create(actor=world.users["secretary_a"], organisation=world.org["A"], kind="regular",
                                   date=day or timezone.localdate(), start_time=dt.time(19, 30),
                                   place="Nhà văn hóa thôn", chair=world.m["secretary_a"].person)


def page(m: Meeting) -> str:
    return f"/hop/{m.pk}/diem-danh/"


def sync(client: Any, m: Meeting, changes: Any) -> Any:
    return client.post(f"/hop/{m.pk}/diem-danh/dong-bo/", data=json.dumps({"changes": changes}),
                       content_type="application/json")


def row(m: Meeting, world: Any, key: str) -> Attendance:
    return m.attendance.get(person=world.m[key].person)


# --- Who may open it --------------------------------------------------------------------------

EXPECTED = [403, 200, 404, 200, 404, 403, 200]  # member … admin, as in tests/test_access_matrix.py


def test_every_persona_gets_what_its_scope_allows(world):
    m = a_meeting(world)
    got = [world.client(p).get(page(m)).status_code for p in PERSONAS]
    assert got == EXPECTED, dict(zip(PERSONAS, got, strict=True))
    got = [sync(world.client(p), m, []).status_code for p in PERSONAS]
    assert got == EXPECTED, dict(zip(PERSONAS, got, strict=True))
    r = row(m, world, "member")
    assert sync(world.client("member"), m, [{"type": "attendance", "person": r.person_id, "status": "present",
                                             "base": r.revision}]).status_code == 403
    assert Attendance.objects.get(pk=r.pk).status == "invited"  # a read-only persona changed nothing


def test_anonymous_users_are_sent_to_sign_in_and_sync_takes_only_post(world):
    m = a_meeting(world)
    for url in (page(m), f"/hop/{m.pk}/diem-danh/dong-bo/"):
        response = world.client("anonymous").get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert world.client("secretary_a").get(f"/hop/{m.pk}/diem-danh/dong-bo/").status_code == 405
    assert world.client("secretary_a").get("/hop/999999/diem-danh/").status_code == 404


# --- The sync endpoint ------------------------------------------------------------------------

def test_sync_applies_changes_and_returns_the_counts_and_every_row(world):
    m = a_meeting(world)
    rows = list(m.attendance.all())
    item = m.agenda.first()
    changes = [{"id": f"a:{r.person_id}:1", "type": "attendance", "person": r.person_id,
                "status": "present" if i else "excused", "reason": "" if i else "ốm", "base": r.revision}
               for i, r in enumerate(rows)]
    changes.append({"id": "n:1", "type": "notes", "item": item.pk, "notes": "Tình hình thôn ổn định",
                    "conclusion": "Giao tổ đảng theo dõi", "base": item.revision})
    data = sync(world.client("secretary_a"), m, changes).json()
    assert len(data["applied"]) == len(rows) + 1 and not data["conflicts"] and not data["refused"]
    assert {a["id"] for a in data["applied"]} == {c["id"] for c in changes}  # the page matches its queue by id
    assert all(a["revision"] == 2 for a in data["applied"])
    assert data["counts"] == {"called": 4, "present": 3, "pct": 75, "valid": True, "more_than_pct": 50,
                              "rule_confirmed": False, "unrecorded": 0}
    assert {s["person"]: s["status"] for s in data["state"]["attendance"]}[rows[0].person_id] == "excused"
    assert AgendaItem.objects.get(pk=item.pk).conclusion == "Giao tổ đảng theo dõi"
    assert Attendance.objects.get(pk=rows[0].pk).reason == "ốm"
    assert AuditEvent.objects.filter(action="attendance").count() == len(rows)
    assert AuditEvent.objects.filter(action="attendance").first().actor_id == world.users["secretary_a"].pk


def test_a_stale_base_comes_back_as_a_conflict_with_the_servers_value(world):
    m = a_meeting(world)
    r = row(m, world, "member")
    item = m.agenda.first()
    commune = world.client("commune_staff")
    sync(commune, m, [{"type": "attendance", "person": r.person_id, "status": "late", "base": r.revision},
                      {"type": "notes", "item": item.pk, "notes": "Ghi của xã", "conclusion": "", "base": 1}])
    data = sync(world.client("secretary_a"), m, [
        {"id": "x", "type": "attendance", "person": r.person_id, "status": "unexcused", "base": r.revision},
        {"id": "y", "type": "notes", "item": item.pk, "notes": "Ghi của chi bộ", "conclusion": "", "base": 1}]).json()
    assert not data["applied"] and len(data["conflicts"]) == 2
    by_id = {c["id"]: c for c in data["conflicts"]}
    assert by_id["x"]["server"] == {"status": "late", "reason": "", "revision": 2}
    assert by_id["x"]["status"] == "unexcused" and "changed by someone else" in by_id["x"]["message"]
    assert by_id["y"]["server"]["notes"] == "Ghi của xã"
    assert Attendance.objects.get(pk=r.pk).status == "late"  # never overwritten silently
    chosen = sync(world.client("secretary_a"), m, [
        {"id": "x2", "type": "attendance", "person": r.person_id, "status": "unexcused", "base": 2}]).json()
    assert chosen["applied"][0]["revision"] == 3  # "keep mine", on the revision shown in the conflict
    assert Attendance.objects.get(pk=r.pk).status == "unexcused"


def test_someone_not_invited_is_refused_with_the_message(world):
    m = a_meeting(world)
    data = sync(world.client("commune_staff"), m, [
        {"id": "z", "type": "attendance", "person": world.m["b_member"].person.pk, "status": "present", "base": 1},
        {"id": "w", "type": "attendance", "person": world.outsider.pk, "status": "present"}]).json()
    assert not data["applied"] and [r["id"] for r in data["refused"]] == ["z", "w"]
    assert "not invited" in data["refused"][0]["message"] and "guest" in data["refused"][0]["message"]
    assert not m.attendance.filter(person=world.m["b_member"].person).exists()


def test_unreadable_changes_are_refused_not_applied(world):
    m = a_meeting(world)
    client = world.client("secretary_a")
    r = row(m, world, "member")
    data = sync(client, m, ["present", {"type": "vote"}, {"type": "attendance", "person": "abc", "status": "late"},
                            {"type": "attendance", "person": r.person_id, "status": "late", "base": True},
                            {"id": "sick", "type": "attendance", "person": r.person_id, "status": "sick", "base": 1},
                            {"id": "why", "type": "attendance", "person": r.person_id, "status": "excused",
                             "reason": "", "base": 1},
                            {"id": "long", "type": "notes", "item": m.agenda.first().pk, "notes": "x" * 20_001,
                             "base": 1}]).json()
    assert len(data["refused"]) == 7 and not data["applied"]
    by_id = {x.get("id"): x["message"] for x in data["refused"]}
    assert "Choose present" in by_id["sick"] and "reason" in by_id["why"] and "too long" in by_id["long"]
    assert Attendance.objects.get(pk=r.pk).status == "invited"
    for body in ("not json", json.dumps({"changes": "all"}), json.dumps([1]),
                 json.dumps({"changes": [{}] * 501})):
        response = client.post(f"/hop/{m.pk}/diem-danh/dong-bo/", data=body, content_type="application/json")
        assert response.status_code == 400 and "stay on this phone" in response.json()["error"]["message"]


def test_attendance_is_taken_from_the_meetings_day(world):
    m = a_meeting(world, day=timezone.localdate() + dt.timedelta(days=2))
    client = world.client("secretary_a")
    html = client.get(page(m)).content.decode()
    assert "Attendance is taken on the day of the meeting" in html
    assert html.count('class="att-btn att-present" aria-pressed="false" disabled') == 4
    r = row(m, world, "member")
    data = sync(client, m, [{"type": "attendance", "person": r.person_id, "status": "present", "base": 1}]).json()
    assert "day of the meeting" in data["refused"][0]["message"]
    assert Attendance.objects.get(pk=r.pk).status == "invited"


# --- The page and its plain-form path ---------------------------------------------------------

def test_the_page_lists_each_invitee_with_counts_and_the_unconfirmed_quorum_rule(world):
    m = a_meeting(world)
    services.guest_add(m, actor=None, guest=services.Guest(world.outsider, "Trưởng thôn"))
    html = world.client("secretary_a").get(page(m)).content.decode()
    assert html.count('class="card att-row"') == 5 and 'data-role="guest"' in html
    for value in ("present", "late", "excused", "unexcused"):
        assert f'name="status" value="{value}" class="att-btn' in html
    assert 'data-count="called">4<' in html and 'data-count="present">0<' in html
    assert "No quorum yet: more than half" in html and "(rule not confirmed yet)" in html
    assert 'role="status" aria-live="polite"' in html and 'id="att-strings"' in html
    assert '<label for="reason-' in html and '<label for="notes-' in html and '<label for="conclusion-' in html
    assert "/static/chibo/attendance.js" in html and "http://" not in html and "https://" not in html


def test_without_javascript_each_row_is_a_form(world):
    m = a_meeting(world)
    client = world.client("secretary_a")
    r = row(m, world, "member")
    response = client.post(page(m), {"kind": "attendance", "person": r.person_id, "status": "present",
                                     "base": r.revision, "reason": "ốm"})  # the reason box, left filled
    assert response.status_code == 302 and response["Location"].endswith(f"#p-{r.person_id}")
    assert (Attendance.objects.get(pk=r.pk).status, Attendance.objects.get(pk=r.pk).reason) == ("present", "")
    assert "Saved: Nguyễn Văn Đức — Present." in client.get(page(m)).content.decode()

    response = client.post(page(m), {"kind": "attendance", "person": r.person_id, "status": "excused",
                                     "base": 2, "reason": " "})
    assert response.status_code == 400 and "Write the reason for the absence" in response.content.decode()

    item = m.agenda.first()
    response = client.post(page(m), {"kind": "notes", "item": item.pk, "notes": "Ý kiến: làm đường",
                                     "conclusion": "Đồng ý", "base": item.revision})
    assert response.status_code == 302 and AgendaItem.objects.get(pk=item.pk).notes == "Ý kiến: làm đường"

    response = client.post(page(m), {"kind": "attendance", "person": world.m["b_member"].person.pk,
                                     "status": "present", "base": 1})
    assert response.status_code == 400 and "not invited" in response.content.decode()


def test_without_javascript_a_conflict_shows_both_values_and_keeps_mine_on_request(world):
    m = a_meeting(world)
    r = row(m, world, "member")
    sync(world.client("commune_staff"), m, [{"type": "attendance", "person": r.person_id, "status": "late",
                                             "base": 1}])
    client = world.client("secretary_a")
    response = client.post(page(m), {"kind": "attendance", "person": r.person_id, "status": "excused",
                                     "reason": "đi rẫy", "base": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Absent with reason (đi rẫy)" in html and "<dd>Came late</dd>" in html  # yours / someone else's
    assert 'value="đi rẫy"' in html and "Keep mine" in html and "Keep theirs" in html
    assert Attendance.objects.get(pk=r.pk).status == "late"
    response = client.post(page(m), {"kind": "attendance", "person": r.person_id, "status": "excused",
                                     "reason": "đi rẫy", "base": 2})  # "Keep mine": the form now carries revision 2
    assert response.status_code == 302
    assert (Attendance.objects.get(pk=r.pk).status, Attendance.objects.get(pk=r.pk).reason) == ("excused", "đi rẫy")

    item = m.agenda.first()
    sync(world.client("commune_staff"), m, [{"type": "notes", "item": item.pk, "notes": "Của xã", "base": 1}])
    response = client.post(page(m), {"kind": "notes", "item": item.pk, "notes": "Của chi bộ", "conclusion": "",
                                     "base": 1})
    html = response.content.decode()
    assert response.status_code == 409 and ">Của chi bộ</textarea>" in html and "Của xã" in html


# --- The service worker -----------------------------------------------------------------------

def test_the_service_worker_is_served_at_hop_with_the_assets_it_keeps(world):
    response = world.client("anonymous").get("/hop/sw.js")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/hop/" and response["Cache-Control"] == "private, no-store"
    for asset in ("/static/chibo/chibo.css", "/static/chibo/attendance.js", "/static/django_htmx/htmx-2.min.js"):
        assert asset in body
    assert "__VERSION__" not in body and "chibo-assets-" in body
    assert "http://" not in body and "https://" not in body  # nothing from the internet
