"""Every task URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).
A cell A task is read by its cell (the plan is the cell's own), the commune and the
province; changed by cell A's committee, the commune staff and the administrator;
progress is reported by its assignee (the member) or those who write for the cell."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.core.dates import today
from chibo.tasks import services as tasks
from tests.conftest import PERSONAS

MATRIX: dict[str, list[int]] = {
    "/viec-cua-toi/":                   [200, 200, 200, 200, 200, 200, 200],
    "/viec/{task}/":                    [200, 200, 404, 200, 404, 200, 200],
    "/viec/{task}/sua/":                [403, 200, 404, 200, 404, 403, 200],
    "/viec/moi/?org=A":                 [403, 200, 404, 200, 404, 403, 200],
    "/viec/moi/?org=C1":                [404, 404, 404, 200, 404, 403, 200],
    "/viec/{x_task}/":                  [404, 404, 404, 404, 200, 200, 200],
    "/viec/minh-chung/{evidence}/":     [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/A/ke-hoach/":             [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/ke-hoach/":            [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/A/viec-den-han/":         [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/X/viec-den-han/":         [404, 404, 404, 404, 200, 200, 200],
    "/dang-vien/{member}/viec/":        [200, 200, 404, 200, 404, 200, 200],
    "/nhac-viec/":                      [200, 200, 200, 200, 200, 200, 200],
}
POSTS: dict[str, list[int]] = {  # a progress report on the cell A task
    "/viec/{task}/cap-nhat/":           [302, 302, 404, 302, 404, 403, 302],
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ids(world):
    day = today()
    common = {"start_on": day - dt.timedelta(days=5), "due_on": day + dt.timedelta(days=10),
                  "expected_output": "Kết quả", "verify_by": day + dt.timedelta(days=12)}
    task = tasks.task_create(actor=None, organisation=world.org["A"], title="Việc chi bộ A",
                             verifier=world.m["secretary_a"].person,
                             assignees=[tasks.Assign(person=world.m["member"].person, lead=True)], **common)
    x_task = tasks.task_create(actor=None, organisation=world.org["X"], title="Việc chi bộ X",
                               verifier=world.m["x_secretary"].person,
                               assignees=[tasks.Assign(person=world.m["x_member"].person, lead=True)], **common)
    update = tasks.task_progress(task, actor=world.users["member"], progress=10, note="ảnh", file=(PDF, "anh.pdf"))
    return {"task": task.pk, "x_task": x_task.pk, "evidence": update.pk, "member": world.m["member"].pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(POSTS))
def test_who_may_report_progress(world, ids, template):
    from chibo.tasks.models import Task

    url = template.format(**ids)
    got = []
    for i, p in enumerate(PERSONAS):
        version = Task.objects.get(pk=ids["task"]).version
        got.append(world.client(p).post(url, {"action": "progress", "progress": str(20 + i), "version": version})
                   .status_code)
    assert got == POSTS[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", [*MATRIX, *POSTS])
def test_anonymous_users_are_sent_to_sign_in(world, ids, template):
    response = world.client("anonymous").get(template.format(**ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
