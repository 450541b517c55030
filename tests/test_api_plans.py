"""The JSON API for resolutions, targets, measurements, tasks and task updates (issue 4),
through HTTP with the named personas of tests/conftest.py: writes through the services
(audited), figures and roll-up explanations, field-named errors, scope (404 outside,
403 read-only), the "6 rõ", verification, stale versions (409) and constant query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.plans import services as plans
from chibo.plans.models import Measurement, Resolution, Target
from chibo.tasks import services as tasks
from chibo.tasks.models import Task, Update
from tests.api_client import API, Api, error_of, fields_of

D = dt.date



@pytest.fixture
def api(world: Any) -> Api:
    return Api(world)


RESOLUTION = {"organisation": "C1", "body": "congress", "kind": "resolution", "number": "01-NQ/ĐH",
              "issued_on": "20/07/2025", "period_start": 2025, "period_end": 2030,
              "title": "Nghị quyết Đại hội Đảng bộ xã lần thứ I, nhiệm kỳ 2025–2030"}


def a_plan(api: Api) -> dict[str, int]:
    """Through the API: the commune's resolution, a commune target with a 2026 milestone,
    and its parts given to cells A (20) and B (10)."""
    response = api("commune_staff", "POST", "resolutions/", RESOLUTION)
    assert response.status_code == 201, response.content
    res = response.json()["id"]
    response = api("commune_staff", "POST", "targets/", {
        "resolution": res, "organisation": "C1", "name": "Kết nạp đảng viên mới", "unit": "đảng viên",
        "kind": "count", "target_value": 30, "roll_up": "sum", "milestones": {"2026": "10"}})
    assert response.status_code == 201, response.content
    whole = response.json()["id"]
    parts = {}
    for cell, share in (("A", "20"), ("B", "10")):
        response = api("commune_staff", "POST", "targets/", {"parent": whole, "organisation": cell,
                                                              "target_value": share})
        assert response.status_code == 201, response.content
        parts[cell] = response.json()["id"]
    return {"res": res, "whole": whole, "a": parts["A"], "b": parts["B"]}


# --- Resolutions, targets, measurements -----------------------------------------------------------

def test_a_plan_is_entered_broken_down_and_measured_through_the_api(world, api):
    ids = a_plan(api)
    res = Resolution.objects.get(pk=ids["res"])
    assert res.organisation == world.org["C1"] and res.search_text.startswith("01-nq/dh")
    part = api("commune_staff", "GET", f"targets/{ids['a']}/").json()
    # a part takes its whole's name, unit, kind and direction, and is measured on its own
    assert (part["name"], part["unit"], part["kind"], part["parent"], part["roll_up"], part["target_value"]) == (
        "Kết nạp đảng viên mới", "đảng viên", "count", ids["whole"], "none", "20")

    response = api("secretary_a", "POST", f"targets/{ids['a']}/measurements/",
                   {"measured_on": "30/06/2026", "value": 12, "note": "Quyết định kết nạp số 12, 15, 21"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["measurement"]["value"] == "12" and body["measurement"]["measured_on"] == "2026-06-30"
    assert body["measurement"]["reported_by"] == "Ksor Thăng"
    assert body["figure"]["value"] == "12" and body["figure"]["progress"] == "0.6" and body["figure"]["percent"] == 60
    assert api("secretary_b", "POST", f"targets/{ids['b']}/measurements/",
               {"measured_on": "2026-09-30", "value": "3"}).status_code == 201

    whole = api("member", "GET", f"targets/{ids['whole']}/").json()
    assert whole["target_value"] == "30" and whole["milestones"] == {"2026": "10"}
    assert whole["figure"]["value"] == "15" and whole["figure"]["measured_on"] == "2026-09-30"
    assert whole["figure"]["progress"] == "0.5" and whole["figure"]["status"] in (
        "on_track", "at_risk", "off_track")
    assert whole["figure"]["roll_up"] == {"rule": "sum", "explanation": "12 + 3 = 15", "parts": 2, "reported": 2}
    assert [(p["organisation"], p["figure"]["value"]) for p in whole["parts"]] == [("A", "12"), ("B", "3")]
    assert whole["can_write"] is False and whole["can_report"] is False  # a member reads

    detail = api("secretary_a", "GET", f"resolutions/{ids['res']}/").json()
    assert detail["number"] == "01-NQ/ĐH" and detail["issued_on"] == "2025-07-20" and detail["can_write"] is False
    assert [t["id"] for t in detail["targets"]] == [ids["whole"]]  # the parts are under their whole
    history = api("secretary_a", "GET", f"targets/{ids['a']}/measurements/").json()
    assert history["count"] == 1 and history["results"][0]["note"] == "Quyết định kết nạp số 12, 15, 21"

    staff, sec_a = world.users["commune_staff"], world.users["secretary_a"]
    assert AuditEvent.objects.filter(object_type="resolution", action="create", actor=staff).count() == 1
    assert AuditEvent.objects.filter(object_type="target", action="create", actor=staff).count() == 3
    assert AuditEvent.objects.filter(object_type="measurement", action="create", actor=sec_a).count() == 1


def test_who_may_write_what_on_a_plan(world, api):
    ids = a_plan(api)
    before = (Measurement.objects.count(), AuditEvent.objects.count())
    # visible but not writable: 403
    error_of(api("secretary_a", "PATCH", f"resolutions/{ids['res']}/", {"status": "completed"}), 403, "forbidden")
    error_of(api("secretary_a", "PATCH", f"targets/{ids['a']}/", {"target_value": 25}), 403, "forbidden")
    error_of(api("secretary_b", "POST", f"targets/{ids['a']}/measurements/",
                 {"measured_on": "2026-06-30", "value": 1}), 403, "forbidden")
    error_of(api("province_staff", "POST", "resolutions/", RESOLUTION), 403, "forbidden")
    error_of(api("secretary_a", "POST", "targets/", {"resolution": ids["res"], "organisation": "A",
                                                     "name": "Khác", "target_value": 1}), 403, "forbidden")
    # a target added up from its parts takes no figure of its own
    assert fields_of(api("commune_staff", "POST", f"targets/{ids['whole']}/measurements/",
                         {"measured_on": "2026-06-30", "value": 5})) == ["value"]
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == before

    response = api("commune_staff", "PATCH", f"resolutions/{ids['res']}/", {"status": "completed"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    response = api("commune_staff", "PATCH", f"targets/{ids['whole']}/",
                   {"target_value": "32.5", "milestones": {"2026": 12, "2028": "20.25"}})
    assert response.status_code == 200, response.content
    assert response.json()["target_value"] == "32.5"
    assert response.json()["milestones"] == {"2026": "12", "2028": "20.25"}
    assert AuditEvent.objects.filter(object_type="target", action="update", object_id=str(ids["whole"])).exists()


def test_other_communes_staff_get_404_for_c1s_plan(world, api):
    ids = a_plan(api)
    for url in (f"resolutions/{ids['res']}/", f"targets/{ids['whole']}/", f"targets/{ids['a']}/measurements/"):
        error_of(api("other_commune_staff", "GET", url), 404, "not_found")
    error_of(api("other_commune_staff", "PATCH", f"resolutions/{ids['res']}/", {"status": "completed"}),
             404, "not_found")
    error_of(api("other_commune_staff", "POST", f"targets/{ids['a']}/measurements/",
                 {"measured_on": "2026-06-30", "value": 1}), 404, "not_found")
    error_of(api("other_commune_staff", "GET", "targets/", {"resolution": ids["res"]}), 404, "not_found")
    assert api("other_commune_staff", "GET", "resolutions/").json()["count"] == 0
    assert api("other_commune_staff", "GET", "targets/").json()["count"] == 0
    # and a target's resolution out of scope is bad input, not a hint that it exists
    assert fields_of(api("other_commune_staff", "POST", "targets/", {
        "resolution": ids["res"], "organisation": "X", "name": "Khác", "target_value": 1})) == ["resolution"]
    assert fields_of(api("other_commune_staff", "POST", "resolutions/", {**RESOLUTION})) == ["organisation"]


def test_a_percentage_above_100_is_refused_naming_value(world, api):
    ids = a_plan(api)
    response = api("commune_staff", "POST", "targets/", {
        "resolution": ids["res"], "organisation": "C1", "name": "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ",
        "kind": "percent", "target_value": "95.5", "roll_up": "none"})
    assert response.status_code == 201, response.content
    rate = response.json()
    assert rate["target_value"] == "95.5" and rate["figure"]["status"] == "no_data"
    before = (Measurement.objects.count(), AuditEvent.objects.count())
    response = api("commune_staff", "POST", f"targets/{rate['id']}/measurements/",
                   {"measured_on": "2026-06-30", "value": 120})
    assert fields_of(response) == ["value"]
    assert "100" in response.json()["error"]["fields"]["value"][0]
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == before


def test_bad_plan_input_names_the_field_and_writes_nothing(world, api):
    ids = a_plan(api)
    before = (Resolution.objects.count(), Target.objects.count(), Measurement.objects.count(),
              AuditEvent.objects.count())
    cases = [
        ("resolutions/", {**RESOLUTION, "issued_on": (today() + dt.timedelta(days=2)).isoformat()}, ["issued_on"]),
        ("resolutions/", {**RESOLUTION, "period_end": 2020}, ["period_end"]),
        ("resolutions/", {**RESOLUTION, "body": "politburo", "nickname": "x"}, ["body", "nickname"]),
        ("resolutions/", {**RESOLUTION, "period_start": "2025"}, ["period_start"]),
        ("resolutions/", {k: v for k, v in RESOLUTION.items() if k != "organisation"}, ["organisation"]),
        ("resolutions/", {**RESOLUTION, "organisation": "A1"}, ["organisation"]),  # a party group issues none
        ("targets/", {"organisation": "A", "target_value": 1, "name": "x"}, ["resolution"]),
        ("targets/", {"resolution": ids["res"], "organisation": "C1", "name": "x", "target_value": "1,5"},
         ["target_value"]),
        ("targets/", {"resolution": ids["res"], "organisation": "C1", "name": "x", "target_value": "0.125"},
         ["target_value"]),
        ("targets/", {"resolution": ids["res"], "organisation": "C1", "name": "x", "target_value": 1,
                      "milestones": {"2040": 1}}, ["milestones"]),
        ("targets/", {"resolution": ids["res"], "organisation": "C1", "name": "x", "target_value": 1,
                      "milestones": ["2026", 1]}, ["milestones"]),
        ("targets/", {"resolution": ids["res"], "organisation": "X", "name": "x", "target_value": 1},
         ["organisation"]),
        ("targets/", {"parent": 999999, "organisation": "A", "target_value": 1}, ["parent"]),
        ("targets/", {"parent": ids["whole"], "organisation": "A", "target_value": 1, "kind": "percent"},
         ["kind"]),
        (f"targets/{ids['a']}/measurements/", {"measured_on": "2099-01-01", "value": 1}, ["measured_on"]),
        (f"targets/{ids['a']}/measurements/", {"value": True}, ["measured_on", "value"]),
    ]
    for url, data, fields in cases:
        assert fields_of(api("commune_staff", "POST", url, data)) == sorted(fields), (url, data)
    assert fields_of(api("commune_staff", "PATCH", f"resolutions/{ids['res']}/", {"organisation": "C2"})) == [
        "organisation"]
    assert (Resolution.objects.count(), Target.objects.count(), Measurement.objects.count(),
            AuditEvent.objects.count()) == before


def test_resolution_and_target_lists_filter(world, api):
    ids = a_plan(api)
    other = dict(RESOLUTION, organisation="A", body="cell", number="05-NQ/CB", title="Nghị quyết chi bộ tháng 10",
                 issued_on="2026-10-05", period_start=2026, period_end=2026)
    assert api("secretary_a", "POST", "resolutions/", other).status_code == 201

    def numbers(persona: str, **params: Any) -> list[str]:
        body = api(persona, "GET", "resolutions/", params).json()
        assert body["count"] == len(body["results"]) and body["page"] == 1 and body["pages"] == 1
        return [r["number"] for r in body["results"]]

    assert numbers("commune_staff") == ["05-NQ/CB", "01-NQ/ĐH"]
    assert numbers("secretary_b") == ["01-NQ/ĐH"]  # the commune's resolution reaches every cell
    assert numbers("commune_staff", org="A") == ["05-NQ/CB"]
    assert numbers("commune_staff", q="dai hoi") == ["01-NQ/ĐH"]
    assert numbers("commune_staff", q="CHI BỘ") == ["05-NQ/CB"]
    assert numbers("commune_staff", status="completed") == []
    assert fields_of(api("commune_staff", "GET", "resolutions/", {"status": "repealed"})) == ["status"]
    assert fields_of(api("commune_staff", "GET", "resolutions/", {"page": "0"})) == ["page"]

    def target_ids(**params: Any) -> list[int]:
        return [t["id"] for t in api("commune_staff", "GET", "targets/", params).json()["results"]]

    assert target_ids(resolution=ids["res"]) == [ids["whole"], ids["a"], ids["b"]]
    assert target_ids(org="B") == [ids["b"]]
    assert fields_of(api("commune_staff", "GET", "targets/", {"resolution": "one"})) == ["resolution"]


# --- Tasks ------------------------------------------------------------------------------------------

def task_payload(world: Any, **over: Any) -> dict[str, Any]:
    start = today() - dt.timedelta(days=5)
    data = {"organisation": "A", "title": "Vận động 5 hộ làm nhà vệ sinh",
            "assignees": [{"person": world.m["member"].person_id, "lead": True},
                          {"person": world.m["a_woman"].person_id}],
            "start_on": start.isoformat(), "due_on": (start + dt.timedelta(days=30)).isoformat(),
            "expected_output": "5 hộ có nhà vệ sinh hợp vệ sinh", "measure_value": 5, "measure_unit": "hộ",
            "verifier": world.m["secretary_a"].person_id,
            "verify_by": (start + dt.timedelta(days=35)).isoformat(), "decision": "Nghị quyết chi bộ tháng 10"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not ...}


def a_task(api: Api, world: Any, **over: Any) -> dict[str, Any]:
    response = api("secretary_a", "POST", "tasks/", task_payload(world, **over))
    assert response.status_code == 201, response.content
    return response.json()


def test_a_task_is_assigned_through_the_api(world, api):
    task = a_task(api, world)
    assert task["organisation"] == "A" and task["status"] == "open" and task["version"] == 1
    assert task["measure_value"] == "5" and task["verifier_name"] == "Ksor Thăng" and task["outcome"] is None
    assert [(a["person_name"], a["role"]) for a in task["assignees"]] == [
        ("Nguyễn Văn Đức", "lead"), ("Trần Thị Hoa", "coordinating")]
    assert (task["can_edit"], task["can_report"], task["can_verify"]) == (True, True, True)
    assert AuditEvent.objects.filter(object_type="task", action="create", object_id=str(task["id"]),
                                     actor=world.users["secretary_a"]).exists()
    seen = api("member", "GET", f"tasks/{task['id']}/").json()
    assert (seen["can_edit"], seen["can_report"], seen["can_verify"]) == (False, True, False)
    # a commune task given to a cell
    response = api("commune_staff", "POST", "tasks/", task_payload(
        world, organisation="C1", assignees=[{"organisation": "A", "lead": True}]))
    assert response.status_code == 201, response.content
    assert response.json()["assignees"][0]["organisation"] == "A"


def test_a_task_without_its_deadline_is_refused_naming_due_on(world, api):
    before = (Task.objects.count(), AuditEvent.objects.count())
    response = api("secretary_a", "POST", "tasks/", task_payload(world, due_on=...))
    assert fields_of(response) == ["due_on"]
    assert "Rõ thời gian" in response.json()["error"]["fields"]["due_on"][0]
    cases = [
        ({"assignees": []}, ["assignees"]),
        ({"assignees": [{"person": world.m["member"].person_id}]}, ["lead"]),
        ({"assignees": [{"person": world.m["b_member"].person_id, "lead": True}]}, ["assignees"]),
        ({"assignees": [{"person": world.m["x_member"].person_id, "lead": True}]}, ["assignees"]),
        ({"assignees": [{"person": "Đức", "lead": True}]}, ["assignees"]),
        ({"assignees": [{"organisation": "X", "lead": True}]}, ["assignees"]),
        ({"verifier": world.m["x_member"].person_id}, ["verifier"]),
        ({"verifier": ...}, ["verifier"]),
        ({"expected_output": ""}, ["expected_output"]),
        ({"measure_value": "năm"}, ["measure_value"]),
        ({"recurrence": "weekly"}, ["recurrence"]),
        ({"organisation": "X"}, ["organisation"]),
        ({"target": 999999}, ["target"]),
    ]
    for over, fields in cases:
        assert fields_of(api("secretary_a", "POST", "tasks/", task_payload(world, **over))) == fields, over
    error_of(api("province_staff", "POST", "tasks/", task_payload(world)), 403, "forbidden")
    error_of(api("member", "POST", "tasks/", task_payload(world)), 403, "forbidden")
    assert (Task.objects.count(), AuditEvent.objects.count()) == before


def test_progress_submit_return_accept_and_the_assignee_cannot_accept(world, api):
    """The assignee asking to accept their own task gets 403 (forbidden): access.may_verify_task
    refuses an assignee, before the service would."""
    task = a_task(api, world)
    url = f"tasks/{task['id']}/updates/"

    def post(persona: str, data: dict[str, Any]) -> Any:
        return api(persona, "POST", url, data)

    response = post("member", {"kind": "progress", "progress": 40, "note": "2 hộ đã làm xong"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["update"]["kind"] == "progress" and body["update"]["author"] == "Nguyễn Văn Đức"
    assert (body["task"]["status"], body["task"]["progress"], body["task"]["version"]) == ("in_progress", 40, 2)
    assert fields_of(post("member", {"kind": "progress", "progress": 140})) == ["progress"]
    assert fields_of(post("member", {"kind": "submit", "exceeded": True})) == ["exceeded"]
    assert fields_of(post("member", {"kind": "submit"})) == ["note"]
    assert post("member", {"kind": "submit", "note": "5 hộ xong, có ảnh"}).status_code == 201
    error_of(post("member", {"kind": "accept"}), 403, "forbidden")  # nobody verifies their own work
    error_of(post("member", {"kind": "cancel", "note": "thôi"}), 403, "forbidden")
    assert fields_of(post("secretary_a", {"kind": "return", "note": " "})) == ["note"]
    response = post("secretary_a", {"kind": "return", "note": "Thiếu ảnh hộ thứ 5"})
    assert response.status_code == 201 and response.json()["task"]["status"] == "returned"
    assert post("member", {"kind": "submit", "note": "Đã bổ sung ảnh"}).status_code == 201
    response = post("secretary_a", {"kind": "accept", "exceeded": True, "note": "Đạt"})
    assert response.status_code == 201, response.content
    done = response.json()["task"]
    assert done["status"] == "done" and done["outcome"] == "exceeded" and done["completed_on"] == today().isoformat()
    assert fields_of(post("member", {"kind": "progress", "progress": 50})) == ["progress"]  # closed

    history = api("member", "GET", url).json()
    assert [u["kind"] for u in history["results"]] == ["progress", "submit", "return", "submit", "accept"]
    assert AuditEvent.objects.filter(action="task_accept", object_id=str(task["id"]),
                                     actor=world.users["secretary_a"]).exists()


def test_two_patches_with_the_same_version_the_second_gets_409(world, api):
    task = a_task(api, world)
    url = f"tasks/{task['id']}/"
    first = api("secretary_a", "PATCH", url, {"version": task["version"], "title": "Vận động 6 hộ"})
    assert first.status_code == 200, first.content
    assert first.json()["title"] == "Vận động 6 hộ" and first.json()["version"] == task["version"] + 1
    second = api("commune_staff", "PATCH", url, {"version": task["version"], "decision": "Khác"})
    error = error_of(second, 409)
    assert list(error["fields"]) == ["version"] and error["message"] == error["fields"]["version"][0]
    assert Task.objects.get(pk=task["id"]).decision == "Nghị quyết chi bộ tháng 10"
    # a stale version on an update is refused the same way
    error_of(api("member", "POST", f"{url}updates/", {"kind": "progress", "progress": 10, "version": 1}), 409)
    assert not Update.objects.filter(kind="progress").exists()
    assert fields_of(api("secretary_a", "PATCH", url, {"title": "Không có phiên bản"})) == ["version"]
    response = api("secretary_a", "PATCH", url, {"version": first.json()["version"], "assignees": [
        {"person": world.m["a_woman"].person_id, "lead": True}]})
    assert response.status_code == 200, response.content
    assert [a["person_name"] for a in response.json()["assignees"]] == ["Trần Thị Hoa"]


def test_another_cells_secretary_gets_404_for_the_task(world, api):
    task = a_task(api, world)
    url = f"tasks/{task['id']}/"
    error_of(api("secretary_b", "GET", url), 404, "not_found")
    error_of(api("secretary_b", "PATCH", url, {"version": 1, "title": "Đổi"}), 404, "not_found")
    error_of(api("secretary_b", "GET", f"{url}updates/"), 404, "not_found")
    error_of(api("secretary_b", "POST", f"{url}updates/", {"kind": "cancel", "note": "x"}), 404, "not_found")
    error_of(api("other_commune_staff", "GET", url), 404, "not_found")
    assert api("secretary_b", "GET", "tasks/").json()["count"] == 0
    error_of(api("member", "PATCH", url, {"version": 1, "title": "Đổi"}), 403, "forbidden")  # sees, may not edit
    error_of(api("province_staff", "PATCH", url, {"version": 1, "title": "Đổi"}), 403, "forbidden")
    assert Task.objects.get(pk=task["id"]).title == "Vận động 5 hộ làm nhà vệ sinh"


def test_task_list_filters(world, api):
    mine = a_task(api, world)
    late_start = today() - dt.timedelta(days=30)
    late = a_task(api, world, title="Rà soát hộ nghèo", start_on=late_start.isoformat(),
                  due_on=(today() - dt.timedelta(days=1)).isoformat(), verify_by=today().isoformat(),
                  assignees=[{"person": world.m["a_woman"].person_id, "lead": True}])

    def titles(persona: str, **params: Any) -> list[str]:
        return [t["title"] for t in api(persona, "GET", "tasks/", params).json()["results"]]

    assert titles("secretary_a") == [late["title"], mine["title"]]  # by deadline
    assert titles("member", mine=1) == [mine["title"]]
    assert titles("commune_staff", mine=1) == []
    assert titles("commune_staff", overdue=1) == [late["title"]]
    assert titles("commune_staff", org="C1") == [late["title"], mine["title"]]
    assert titles("commune_staff", org="B") == []
    assert titles("commune_staff", status="in_progress") == []
    assert titles("commune_staff", status="active") == [late["title"], mine["title"]]
    error_of(api("commune_staff", "GET", "tasks/", {"org": "X"}), 404, "not_found")
    assert fields_of(api("commune_staff", "GET", "tasks/", {"status": "late"})) == ["status"]
    assert fields_of(api("commune_staff", "GET", "tasks/", {"mine": "yes"})) == ["mine"]


# --- Query counts -----------------------------------------------------------------------------------

def test_list_query_counts_do_not_grow_with_the_rows(world, api, django_assert_max_num_queries):
    staff = world.users["commune_staff"]
    res = plans.resolution_create(actor=staff, organisation=world.org["C1"], body="committee", number="02-NQ/ĐU",
                                  issued_on=D(2025, 8, 1), period_start=2025, period_end=2030, title="Kế hoạch")

    def add(n: int) -> None:
        for _i in range(n):
            whole = plans.target_create(actor=staff, resolution=res, organisation=world.org["C1"], name="Chỉ tiêu",
                                        target_value=Decimal(10), milestones={2026: Decimal(4)})
            part, = plans.target_break_down(whole, actor=staff, shares={world.org["A"]: Decimal(6)})
            plans.measurement_record(actor=staff, target=part, measured_on=D(2026, 6, 1), value=Decimal(2))
            plans.resolution_create(actor=staff, organisation=world.org["C1"], body="committee", number="03-KH",
                                    issued_on=D(2025, 8, 1), period_start=2025, period_end=2030, title="Kế hoạch")
            tasks.task_create(actor=staff, organisation=world.org["A"], title="Việc", start_on=today(),
                              due_on=today(), expected_output="Xong", verifier=world.m["secretary_a"].person,
                              verify_by=today(), target=part,
                              assignees=[tasks.Assign(person=world.m["member"].person, lead=True),
                                         tasks.Assign(organisation=world.org["A1"])])

    calls = [("commune_staff", "resolutions/"), ("commune_staff", "targets/"),
             ("commune_staff", f"targets/?resolution={res.pk}"), ("commune_staff", "tasks/"),
             ("member", "tasks/?mine=1&overdue=0"), ("member", "resolutions/")]

    def count(persona: str, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(persona, "GET", url).status_code == 200
        return len(ctx)

    for persona in ("commune_staff", "member"):
        api(persona, "GET", "resolutions/")  # the first call of the minute also records the token's last use
    add(2)
    with_two = {call: count(*call) for call in calls}
    add(8)
    for persona, url in calls:
        with django_assert_max_num_queries(with_two[persona, url]):
            response = api(persona, "GET", url)
        assert len(response.json()["results"]) >= 10, url


# --- The OpenAPI document ---------------------------------------------------------------------------

def test_the_openapi_document_describes_the_new_endpoints(world):
    doc = Client().get(API + "openapi.json").json()
    for path in ("/resolutions/", "/resolutions/{id}/", "/targets/", "/targets/{id}/", "/targets/{id}/measurements/",
                 "/tasks/", "/tasks/{id}/", "/tasks/{id}/updates/"):
        assert path in doc["paths"], path
    task_patch = doc["paths"]["/tasks/{id}/"]["patch"]
    assert "409" in task_patch["responses"]
    assert task_patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TaskUpdate")
    assert doc["components"]["schemas"]["TaskUpdate"]["required"] == ["version"]
    assert {p["name"] for p in doc["paths"]["/tasks/"]["get"]["parameters"]} == {
        "org", "status", "mine", "overdue", "page"}
    assert {t["name"] for t in doc["tags"]} >= {"resolutions", "targets", "tasks"}

    def types(node: Any) -> list[Any]:  # every "type" keyword in the document
        if isinstance(node, dict):
            return ([node["type"]] if "type" in node else []) + [t for v in node.values() for t in types(v)]
        return [t for v in node for t in types(v)] if isinstance(node, list) else []

    assert all(isinstance(t, str) or all(isinstance(i, str) for i in t) for t in types(doc["components"]))
