"""The JSON API for cell meetings (issue 5), through HTTP with the personas of tests/conftest.py:
a secretary prepares a meeting (members invited, exempt ones not; a guest from the commune),
changes it with the version read (409 when stale), announces it (invitations), takes the
attendance one person at a time and as an offline batch (applied, conflicts, refused), records
votes by the right majority and that the meeting was held; the commune's missing meetings;
scope (404 outside, 403 read-only), errors naming the field and writing nothing, constant
query counts and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.meetings import services
from chibo.meetings.models import Attendance, Meeting, Vote
from chibo.members import services as members
from chibo.notifications.models import Notification
from tests.api_client import API, Api, error_of, fields_of
from tests.conftest import add_member

D = dt.date


@pytest.fixture
def api(world: Any) -> Api:
    return Api(world)


def payload(world: Any, day: dt.date | None = None, **over: Any) -> dict[str, Any]:
    data = {"organisation": "A", "kind": "regular", "date": (day or today() + dt.timedelta(days=3)).isoformat(),
            "start_time": "19:30", "place": "Nhà văn hóa thôn Đông", "chair": world.m["secretary_a"].person_id,
            "recorder": world.m["member"].person_id}
    data.update(over)
    return {k: v for k, v in data.items() if v is not ...}


def a_meeting(api: Api, world: Any, persona: str = "secretary_a", **over: Any) -> dict[str, Any]:
    response = api(persona, "POST", "meetings/", payload(world, **over))
    assert response.status_code == 201, response.content
    return response.json()


def names(meeting: dict[str, Any], role: str = "member") -> set[str]:
    return {a["person_name"] for a in meeting["invitees"] if a["role"] == role}


# --- Preparing and announcing -----------------------------------------------------------------------

def test_a_meeting_is_prepared_changed_and_announced(world, api):
    members.member_record_event(world.m["c1_staff"], actor=None, kind="exempted", effective_date=D(2026, 9, 1),
                                decision_number="05-QĐ/CB")
    guest = world.m["secretary_b"].person_id  # a member of the commune, not of the cell
    m = a_meeting(api, world, thematic_topic="Học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
                  guests=[{"person": guest, "title": "Đảng ủy viên phụ trách chi bộ"}])
    assert (m["organisation"], m["status"], m["version"], m["start_time"]) == ("A", "draft", 1, "19:30")
    assert names(m) == {"Nguyễn Văn Đức", "Ksor Thăng", "Trần Thị Hoa"}  # Đào Thị Ninh is exempt
    assert [(a["person_name"], a["guest_title"]) for a in m["invitees"] if a["role"] == "guest"] == [
        ("Rơ Châm H'Luyên", "Đảng ủy viên phụ trách chi bộ")]
    assert len(m["agenda"]) == 5 and m["agenda"][-1]["title"].endswith("Nghị quyết Đại hội XIV của Đảng")
    assert (m["chair_name"], m["recorder_name"], m["can_write"]) == ("Ksor Thăng", "Nguyễn Văn Đức", True)
    assert m["quorum"] == {"called": 3, "present": 0, "share_pct": 0.0, "valid": False,
                           "explanation": m["quorum"]["explanation"]}
    assert AuditEvent.objects.filter(object_type="meeting", action="create", object_id=str(m["id"]),
                                     actor=world.users["secretary_a"]).exists()
    seen = api("member", "GET", f"meetings/{m['id']}/").json()
    assert seen["can_write"] is False and seen["invitees"] == m["invitees"]

    url = f"meetings/{m['id']}/"
    first = api("secretary_a", "PATCH", url, {"version": 1, "place": "Nhà rông làng"})
    assert first.status_code == 200, first.content
    assert (first.json()["place"], first.json()["version"]) == ("Nhà rông làng", 2)
    error = error_of(api("commune_staff", "PATCH", url, {"version": 1, "start_time": "20:00"}), 409)
    assert list(error["fields"]) == ["version"] and error["message"] == error["fields"]["version"][0]
    assert Meeting.objects.get(pk=m["id"]).start_time == dt.time(19, 30)
    assert fields_of(api("secretary_a", "PATCH", url, {"place": "Khác"})) == ["version"]

    response = api("secretary_a", "POST", f"{url}publish/", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["invitations"] >= 2 and body["meeting"]["status"] == "published"
    assert Notification.objects.filter(user=world.users["member"], kind="invitation").exists()
    assert Notification.objects.filter(user=world.users["secretary_b"], kind="invitation").exists()  # the guest
    assert fields_of(api("secretary_a", "POST", f"{url}publish/", {})) == ["status"]  # already announced
    # the guest from another cell reads the meeting they are invited to
    assert api("secretary_b", "GET", url).status_code == 200


def test_a_meeting_in_the_past_is_not_announced(world, api):
    m = a_meeting(api, world, day=today() - dt.timedelta(days=1))
    assert fields_of(api("secretary_a", "POST", f"meetings/{m['id']}/publish/", {})) == ["date"]
    assert Meeting.objects.get(pk=m["id"]).status == "draft"


# --- Holding it -------------------------------------------------------------------------------------

def test_attendance_votes_and_held(world, api):
    m = a_meeting(api, world, day=today(), start_time="00:00")
    url = f"meetings/{m['id']}/"
    rows = {a["person_name"]: a for a in m["invitees"]}
    duc, thang, hoa, ninh = (rows[n]["person"] for n in ("Nguyễn Văn Đức", "Ksor Thăng", "Trần Thị Hoa",
                                                           "Đào Thị Ninh"))
    response = api("secretary_a", "POST", f"{url}attendance/", {"person": duc, "status": "present", "base": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["attendance"]["status"], body["attendance"]["revision"]) == ("present", 2)
    assert body["meeting"]["quorum"]["present"] == 1
    error = error_of(api("secretary_a", "POST", f"{url}attendance/", {"person": duc, "status": "late", "base": 1}),
                     409)  # based on the revision before the change above
    assert list(error["fields"]) == ["status"]
    assert fields_of(api("secretary_a", "POST", f"{url}attendance/", {"person": hoa, "status": "excused"})) == [
        "reason"]
    assert fields_of(api("secretary_a", "POST", f"{url}attendance/",
                         {"person": world.m["b_member"].person_id, "status": "present"})) == ["person"]
    assert fields_of(api("secretary_a", "POST", f"{url}attendance/", {"person": hoa, "status": "invited"})) == [
        "status"]
    assert fields_of(api("secretary_a", "POST", f"{url}attendance/", {"changes": {"person": hoa}})) == ["changes"]

    # the offline screen comes back online with a batch: one applied, one stale, two unreadable
    item = m["agenda"][0]
    response = api("secretary_a", "POST", f"{url}attendance/", {"changes": [
        {"type": "attendance", "person": thang, "status": "late", "reason": "", "base": 1},
        {"type": "notes", "item": item["id"], "notes": "Tình hình thôn ổn định", "conclusion": "", "base": 1},
        {"type": "attendance", "person": duc, "status": "unexcused", "base": 1},
        {"type": "attendance", "person": str(hoa), "status": "present"},
        "present"]})
    assert response.status_code == 200, response.content
    sync = response.json()
    assert [c.get("person", c.get("item")) for c in sync["applied"]] == [thang, item["id"]]
    assert [(c["person"], c["server"]["status"]) for c in sync["conflicts"]] == [(duc, "present")]
    assert len(sync["refused"]) == 2 and all(r["message"] for r in sync["refused"])
    assert Attendance.objects.get(meeting_id=m["id"], person_id=duc).status == "present"  # never silently lost
    assert sync["meeting"]["agenda"][0]["notes"] == "Tình hình thôn ổn định"

    assert fields_of(api("secretary_a", "POST", f"{url}held/", {"end_time": "21:15"})) == ["attendance"]
    for person, status, reason in ((hoa, "excused", "ốm"), (ninh, "present", "")):
        assert api("secretary_a", "POST", f"{url}attendance/",
                   {"person": person, "status": status, "reason": reason}).status_code == 200

    vote = {"kind": "general", "title": "Nghị quyết chi bộ tháng", "votes_for": 3, "votes_against": 0,
            "votes_abstain": 0, "decision": "Thông qua nghị quyết tháng"}
    response = api("secretary_a", "POST", f"{url}votes/", vote)
    assert response.status_code == 201, response.content
    assert response.json()["vote"]["passed"] is True and response.json()["vote"]["basis"]
    assert fields_of(api("secretary_a", "POST", f"{url}votes/", {**vote, "votes_for": 4})) == ["votes_for"]
    # admission needs two-thirds of the official members (3 official of 4 called: 2 needed)
    response = api("secretary_a", "POST", f"{url}votes/", {**vote, "kind": "admission", "votes_for": 1,
                                                            "votes_against": 2,
                                                            "title": "Đề nghị kết nạp quần chúng Siu Bơi"})
    assert response.status_code == 201 and response.json()["vote"]["passed"] is False  # marked failed
    assert fields_of(api("secretary_a", "POST", f"{url}votes/", {"kind": "admission", "votes_for": -1})) == [
        "title", "votes_abstain", "votes_against", "votes_for"]

    assert fields_of(api("secretary_a", "POST", f"{url}held/", {"end_time": "25:00"})) == ["end_time"]
    assert fields_of(api("secretary_a", "POST", f"{url}held/", {"end_time": "00:00"})) == ["end_time"]
    response = api("secretary_a", "POST", f"{url}held/", {"end_time": "09:00"})
    assert response.status_code == 200, response.content
    held = response.json()
    assert (held["status"], held["end_time"], held["too_short"]) == ("held", "09:00", None)
    assert held["quorum"]["called"] == 4 and held["quorum"]["present"] == 3 and held["quorum"]["valid"]
    assert [(v["kind"], v["passed"]) for v in held["votes"]] == [("general", True), ("admission", False)]
    assert Vote.objects.filter(meeting_id=m["id"]).count() == 2
    assert AuditEvent.objects.filter(action="held", object_id=str(m["id"])).exists()
    error_of(api("secretary_a", "PATCH", url, {"version": held["version"], "place": "x"}), 400)  # held: no changes


def test_votes_and_held_wait_for_the_start(world, api):
    m = a_meeting(api, world)  # in three days
    url = f"meetings/{m['id']}/"
    vote = {"kind": "general", "title": "Nghị quyết", "votes_for": 1, "votes_against": 0, "votes_abstain": 0}
    assert fields_of(api("secretary_a", "POST", f"{url}votes/", vote)) == ["date"]
    assert "date" in fields_of(api("secretary_a", "POST", f"{url}held/", {"end_time": "21:30"}))
    assert not Vote.objects.exists() and Meeting.objects.get(pk=m["id"]).status == "draft"


def test_minutes_drafts_are_for_the_committee_final_versions_for_everyone(world, api):
    m = a_meeting(api, world, day=today(), start_time="00:00")
    meeting = Meeting.objects.get(pk=m["id"])
    for row in meeting.attendance.all():
        services.attendance_record(meeting, actor=None, person_id=row.person_id, status="present")
    services.meeting_held(meeting, actor=None, end_time=dt.time(9, 0))
    draft = services.minutes_draft(meeting, actor=None)
    assert [x["version"] for x in api("secretary_a", "GET", f"meetings/{m['id']}/").json()["minutes"]] == [1]
    assert api("member", "GET", f"meetings/{m['id']}/").json()["minutes"] == []
    services.minutes_finalise(draft, actor=None)
    minutes = api("member", "GET", f"meetings/{m['id']}/").json()["minutes"]
    assert [(x["version"], x["final"]) for x in minutes] == [(1, True)] and minutes[0]["opening"]


# --- Scope ------------------------------------------------------------------------------------------

def test_who_sees_and_who_writes(world, api):
    m = a_meeting(api, world)
    url = f"meetings/{m['id']}/"
    before = (Meeting.objects.get(pk=m["id"]).version, AuditEvent.objects.count())
    for persona in ("secretary_b", "other_commune_staff"):
        error_of(api(persona, "GET", url), 404, "not_found")
        error_of(api(persona, "PATCH", url, {"version": 1, "place": "x"}), 404, "not_found")
        error_of(api(persona, "POST", f"{url}attendance/", {"person": 1, "status": "present"}), 404, "not_found")
    for persona in ("member", "province_staff"):
        assert api(persona, "GET", url).status_code == 200
        error_of(api(persona, "PATCH", url, {"version": 1, "place": "x"}), 403, "forbidden")
        error_of(api(persona, "POST", f"{url}publish/", {}), 403, "forbidden")
        error_of(api(persona, "POST", f"{url}votes/", {}), 403, "forbidden")
        error_of(api(persona, "POST", f"{url}held/", {"end_time": "21:00"}), 403, "forbidden")
        error_of(api(persona, "POST", "meetings/", payload(world)), 403, "forbidden")
    assert api("commune_staff", "PATCH", url, {"version": 1, "place": "Hội trường xã"}).status_code == 200
    assert (Meeting.objects.get(pk=m["id"]).version, AuditEvent.objects.count()) == (before[0] + 1, before[1] + 1)
    assert api("secretary_b", "GET", "meetings/").json()["count"] == 0
    assert api("other_commune_staff", "GET", "meetings/").json()["count"] == 0
    assert api("member", "GET", "meetings/").json()["count"] == 1
    # a draft's materials are for the committee only
    services.material_add(Meeting.objects.get(pk=m["id"]), actor=None, title="Dự thảo nghị quyết",
                          upload=(b"%PDF-1.4 x", "du-thao.pdf"))
    assert [x["title"] for x in api("secretary_a", "GET", url).json()["materials"]] == ["Dự thảo nghị quyết"]
    assert api("member", "GET", url).json()["materials"] == []


def test_bad_input_names_the_field_and_writes_nothing(world, api):
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"date": ...}, ["date"]),
        ({"date": "31/02/2026"}, ["date"]),
        ({"start_time": "25:00"}, ["start_time"]),
        ({"start_time": 1930}, ["start_time"]),
        ({"place": ""}, ["place"]),
        ({"end_time": "19:00"}, ["end_time"]),
        ({"kind": "thematic"}, ["thematic_topic"]),
        ({"kind": "weekly", "nickname": "x"}, ["kind", "nickname"]),
        ({"organisation": ...}, ["organisation"]),
        ({"organisation": "X"}, ["organisation"]),  # another commune's cell: out of scope
        ({"organisation": "B"}, ["organisation"]),  # another cell of the commune: out of a secretary's scope
        ({"organisation": "NONE"}, ["organisation"]),
        ({"chair": world.m["x_member"].person_id}, ["chair"]),  # not a member of the commune
        ({"recorder": "Đức"}, ["recorder"]),
        ({"guests": [{"person": world.m["x_member"].person_id}]}, ["guests"]),
        ({"guests": [world.m["b_member"].person_id]}, ["guests"]),
        ({"agenda": "Một; hai"}, ["agenda"]),
    ]
    for over, fields in cases:
        assert fields_of(api("secretary_a", "POST", "meetings/", payload(world, **over))) == fields, over
    assert fields_of(api("commune_staff", "POST", "meetings/", payload(world, organisation="A1"))) == [
        "organisation"]  # a party group holds no meeting of its own
    error_of(api("province_staff", "POST", "meetings/", payload(world)), 403, "forbidden")  # reads, may not write
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before


# --- Lists and the missing meetings -----------------------------------------------------------------

def held_meeting(world: Any, cell: str, day: dt.date, secretary: str = "secretary_a", **over: Any) -> Meeting:
    m = services.meeting_create(actor=world.users[secretary], organisation=world.org[cell], date=day,
                                start_time=dt.time(19, 30), place="Nhà văn hóa", **over)
    for row in m.attendance.all():
        services.attendance_record(m, actor=None, person_id=row.person_id, status="present")
    return services.meeting_held(m, actor=None, end_time=dt.time(21, 30))


def test_list_filters(world, api):
    day = today()
    old = held_meeting(world, "A", day - dt.timedelta(days=40))
    b = held_meeting(world, "B", day - dt.timedelta(days=10), "secretary_b")
    upcoming = a_meeting(api, world)

    def ids(persona: str = "commune_staff", **params: Any) -> list[int]:
        body = api(persona, "GET", "meetings/", params).json()
        assert body["count"] == len(body["results"]) and body["pages"] == 1
        return [r["id"] for r in body["results"]]

    assert ids() == [upcoming["id"], b.pk, old.pk]  # newest first
    assert ids(org="A") == [upcoming["id"], old.pk]
    assert ids(org="C1", status="held") == [b.pk, old.pk]
    assert ids(**{"from": (day - dt.timedelta(days=20)).isoformat(), "to": day.strftime("%d/%m/%Y")}) == [b.pk]
    assert ids(**{"from": day.isoformat()}) == [upcoming["id"]]  # the future is listed too
    row = api("commune_staff", "GET", "meetings/", {"org": "B"}).json()["results"][0]
    assert (row["invited"], row["present"], row["organisation_name"]) == (2, 2, "Chi bộ Làng Ia Rơ")
    error_of(api("commune_staff", "GET", "meetings/", {"org": "X"}), 404, "not_found")
    assert fields_of(api("commune_staff", "GET", "meetings/", {"status": "done"})) == ["status"]
    assert fields_of(api("commune_staff", "GET", "meetings/", {"from": "hôm qua"})) == ["from"]
    assert fields_of(api("commune_staff", "GET", "meetings/", {"from": "2026-02-01", "to": "2026-01-01"})) == [
        "from"]
    assert fields_of(api("commune_staff", "GET", "meetings/", {"page": "0"})) == ["page"]


def test_the_commune_sees_which_cells_did_not_meet(world, api):
    first = today().replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=10)
    held_meeting(world, "A", last_month)
    period = {"from": last_month.replace(day=1).isoformat(), "to": (first - dt.timedelta(days=1)).isoformat()}
    response = api("commune_staff", "GET", "organisations/C1/meeting-gaps/", period)
    assert response.status_code == 200, response.content
    gaps = response.json()
    missing = {c["organisation"]: {m["kind"] for m in c["missing"]} for c in gaps["results"]}
    assert "regular" in missing["B"] and "regular" not in missing.get("A", set())
    assert gaps["cells_total"] == 2 and gaps["count"] == len(gaps["results"]) and gaps["required"] >= 2
    figures = api("commune_staff", "GET", "organisations/C1/indicators/", period).json()
    assert (figures["meetings_required"], figures["meetings_held"]) == (gaps["required"], gaps["held"])
    error_of(api("other_commune_staff", "GET", "organisations/C1/meeting-gaps/"), 404, "not_found")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    assert fields_of(api("commune_staff", "GET", "organisations/C1/meeting-gaps/", {"to": tomorrow})) == ["to"]
    assert fields_of(api("commune_staff", "GET", "organisations/C1/meeting-gaps/",
                         {"from": "2026-02-01", "to": "2026-01-01"})) == ["from"]


# --- Query counts and the OpenAPI document -----------------------------------------------------------

def test_query_counts_do_not_grow_with_the_invitees(world, api, django_assert_max_num_queries):
    m = a_meeting(api, world, day=today(), start_time="00:00")
    meeting = Meeting.objects.get(pk=m["id"])
    services.vote_record(meeting, actor=None, kind="general", title="Nghị quyết", votes_for=0, votes_against=0,
                         votes_abstain=0)
    calls = [("secretary_a", f"meetings/{m['id']}/"), ("member", f"meetings/{m['id']}/"),
             ("commune_staff", "meetings/"), ("member", "meetings/")]

    def count(persona: str, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(persona, "GET", url).status_code == 200
        return len(ctx)

    for persona in ("secretary_a", "member", "commune_staff"):
        api(persona, "GET", "meetings/")  # the first call of the minute also records the token's last use
    few = {call: count(*call) for call in calls}
    for i in range(12):
        p = add_member(world.org["A"], "Siu", "", f"H'Bia {i}", ethnicity="10").person
        Attendance.objects.create(meeting=meeting, person=p, official=True)
        a_meeting(api, world)
    for persona, url in calls:
        with django_assert_max_num_queries(few[persona, url]):
            response = api(persona, "GET", url)
        assert response.status_code == 200


def test_the_openapi_document_describes_the_meeting_endpoints(world):
    doc = Client().get(API + "openapi.json").json()
    for path in ("/meetings/", "/meetings/{id}/", "/meetings/{id}/publish/", "/meetings/{id}/attendance/",
                 "/meetings/{id}/votes/", "/meetings/{id}/held/", "/organisations/{code}/meeting-gaps/"):
        assert path in doc["paths"], path
    patch = doc["paths"]["/meetings/{id}/"]["patch"]
    assert "409" in patch["responses"] and doc["components"]["schemas"]["MeetingUpdate"]["required"] == ["version"]
    assert {p["name"] for p in doc["paths"]["/meetings/"]["get"]["parameters"]} == {
        "org", "from", "to", "status", "page"}
    assert "meetings" in {t["name"] for t in doc["tags"]}
