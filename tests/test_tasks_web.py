"""Tasks through HTTP: the form names the unclear "rõ", one-tap progress, verification,
conflicts, scope, the plan, due lists, a member's record and reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.notifications import services as notify
from chibo.tasks import services as tasks
from chibo.tasks.models import Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(world, **over):
    day = today()
    data = {"title": "Vận động 5 hộ làm nhà vệ sinh", "lead": f"p{world.m['member'].person.pk}",
            "coordinating": [f"p{world.m['a_woman'].person.pk}"], "start_on": day.strftime("%d/%m/%Y"),
            "due_on": (day + dt.timedelta(days=20)).strftime("%d/%m/%Y"),
            "expected_output": "5 hộ có nhà vệ sinh", "measure_value": "5", "measure_unit": "hộ",
            "verifier": str(world.m["secretary_a"].person.pk),
            "verify_by": (day + dt.timedelta(days=25)).strftime("%d/%m/%Y"), "recurrence": ""}
    data.update(over)
    return data


def make_task(world, **over):
    day = today()
    data = {"actor": world.users["secretary_a"], "organisation": world.org["A"], "title": "Rà soát hộ nghèo thôn Đông",
                "start_on": day - dt.timedelta(days=10), "due_on": day + dt.timedelta(days=2),
                "expected_output": "Danh sách hộ nghèo được cập nhật", "verifier": world.m["secretary_a"].person,
                "verify_by": day + dt.timedelta(days=5),
                "assignees": [tasks.Assign(person=world.m["member"].person, lead=True)]}
    data.update(over)
    return tasks.task_create(**data)


def test_a_task_without_a_deadline_is_refused_naming_rõ_thời_gian(world):
    client = world.client("secretary_a")
    response = client.post("/viec/moi/?org=A", form_data(world, due_on=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rõ thời gian" in html
    assert not Task.objects.exists()
    response = client.post("/viec/moi/?org=A", form_data(world))
    assert response.status_code == 302
    task = Task.objects.get()
    assert [a.role for a in task.assignees.all()] == ["lead", "coordinating"]
    assert AuditEvent.objects.filter(action="create", object_id=str(task.pk)).exists()


def test_the_verifier_as_the_only_assignee_is_refused(world):
    response = world.client("secretary_a").post("/viec/moi/?org=A", form_data(
        world, lead=f"p{world.m['secretary_a'].person.pk}", coordinating=[]))
    assert response.status_code == 400
    assert "Rõ kiểm tra" in response.content.decode()


def test_one_tap_progress_from_my_tasks_returns_the_card(world):
    task = make_task(world)
    client = world.client("member")
    page = client.get("/viec-cua-toi/").content.decode()
    assert "Rà soát hộ nghèo thôn Đông" in page and 'value="25"' in page
    response = client.post(f"/viec/{task.pk}/cap-nhat/", {"action": "progress", "progress": "50", "from": "card",
                                                          "version": task.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-valuenow="50"' in response.content.decode()
    task.refresh_from_db()
    assert (task.progress, task.status) == (50, "in_progress")
    # the same stale card again: a conflict, nothing lost, the card shows the current state
    stale = client.post(f"/viec/{task.pk}/cap-nhat/", {"action": "progress", "progress": "75", "from": "card",
                                                       "version": task.version - 1}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert 'aria-valuenow="50"' in stale.content.decode()
    task.refresh_from_db()
    assert task.progress == 50


def test_submit_with_evidence_return_then_accept(world):
    task = make_task(world)
    member, verifier = world.client("member"), world.client("secretary_a")
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = member.post(f"/viec/{task.pk}/cap-nhat/", {"action": "submit", "note": "Đã rà soát 120 hộ",
                                                   "version": task.version,
                                                   "file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "submitted"
    # the assignee cannot accept their own work
    assert member.post(f"/viec/{task.pk}/cap-nhat/", {"action": "accept", "version": task.version}).status_code == 403
    page = verifier.get(f"/viec/{task.pk}/").content.decode()
    assert "Verify the result" in page or "Kiểm tra kết quả" in page
    evidence = task.updates.get(kind="submit")
    download = verifier.get(f"/viec/minh-chung/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert world.client("secretary_b").get(f"/viec/minh-chung/{evidence.pk}/").status_code == 404
    r = verifier.post(f"/viec/{task.pk}/cap-nhat/", {"action": "return", "note": "", "version": task.version})
    assert r.status_code == 400  # a return needs a comment
    verifier.post(f"/viec/{task.pk}/cap-nhat/", {"action": "return", "note": "Thiếu danh sách ký", "version": task.version})
    task.refresh_from_db()
    assert task.status == "returned"
    member.post(f"/viec/{task.pk}/cap-nhat/", {"action": "submit", "note": "Đã bổ sung", "version": task.version})
    task.refresh_from_db()
    verifier.post(f"/viec/{task.pk}/cap-nhat/", {"action": "accept", "note": "Tốt", "version": task.version})
    task.refresh_from_db()
    assert task.status == "done" and task.outcome == "on_time"


def test_another_cells_task_is_not_found_and_read_only_for_its_member(world):
    task = make_task(world)
    assert world.client("secretary_b").get(f"/viec/{task.pk}/").status_code == 404
    assert world.client("secretary_b").get(f"/viec/{task.pk}/sua/").status_code == 404
    assert world.client("secretary_b").post(f"/viec/{task.pk}/cap-nhat/", {"action": "cancel", "note": "x"}).status_code == 404
    assert world.client("member").get(f"/viec/{task.pk}/sua/").status_code == 403
    assert world.client("other_commune_staff").get("/to-chuc/A/ke-hoach/").status_code == 404


def test_editing_with_a_stale_form_is_a_conflict(world):
    task = make_task(world)
    client = world.client("secretary_a")
    first = form_data(world, title="Tên mới", version=str(task.version))
    second = form_data(world, title="Tên khác", version=str(task.version))
    assert client.post(f"/viec/{task.pk}/sua/", first).status_code == 302
    response = client.post(f"/viec/{task.pk}/sua/", second)
    assert response.status_code == 400
    assert "Someone else changed this task" in response.content.decode() or "Người khác" in response.content.decode()
    task.refresh_from_db()
    assert task.title == "Tên mới"


def test_plan_due_lists_record_and_reminders(world):
    soon = make_task(world)
    late = make_task(world, title="Nộp báo cáo quý", start_on=today() - dt.timedelta(days=30),
                     due_on=today() - dt.timedelta(days=3))
    plan = world.client("member").get("/to-chuc/A/ke-hoach/").content.decode()
    assert soon.title in plan and late.title in plan
    due = world.client("commune_staff").get("/to-chuc/C1/viec-den-han/").content.decode()
    assert due.index(late.title) < due.index(soon.title)  # overdue listed first
    record = world.client("secretary_a").get(f"/dang-vien/{world.m['member'].pk}/viec/")
    assert record.status_code == 200
    assert world.client("secretary_b").get(f"/dang-vien/{world.m['member'].pk}/viec/").status_code == 404
    notify.send_daily()
    page = world.client("member").get("/").content.decode()
    assert 'class="count"' in page
    reminders = world.client("member").get("/nhac-viec/").content.decode()
    assert late.title in reminders and soon.title in reminders
    assert 'class="count"' not in world.client("member").get("/").content.decode()  # read once seen
    bad = world.client("member").post("/nhac-viec/", {"due_soon_days": "45", "daily": "on"})
    assert bad.status_code == 400
    assert world.client("member").post("/nhac-viec/", {"due_soon_days": "5", "daily": "on"}).status_code == 302


@pytest.mark.parametrize(("persona", "url"), [("member", "/viec-cua-toi/"), ("secretary_a", "/to-chuc/A/ke-hoach/"),
                                              ("commune_staff", "/to-chuc/C1/viec-den-han/")])
def test_task_pages_query_count_does_not_grow(world, persona, url):
    client = world.client(persona)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_task(world)
    make_task(world, title="Quá hạn", due_on=today() - dt.timedelta(days=1))
    count()
    small = count()
    for i in range(12):
        make_task(world, title=f"Việc {i}", due_on=today() + dt.timedelta(days=i % 4 - 1),
                  assignees=[tasks.Assign(person=world.m["member"].person, lead=True),
                             tasks.Assign(person=world.m["a_woman"].person)])
    large = count()
    assert large == small, f"{url}: {small} → {large}"
    assert small <= 20
