"""Every meeting URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).

A cell A meeting is read by its members, by the commune and the province (and by anyone
invited); prepared, recorded and minuted by cell A's committee, the commune staff and the
administrator. A member downloads its materials once the meeting is announced, and reads its
minutes once final; drafts of the minutes are read by those whose scope holds the cell.
Outside the scope: 404; visible but not theirs to change: 403."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.core import pdf
from chibo.core.dates import today
from chibo.meetings import services
from chibo.meetings.models import Meeting
from tests.conftest import PERSONAS

MATRIX: dict[str, list[int]] = {
    "/to-chuc/A/sinh-hoat/":                [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/sinh-hoat/":               [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/X/sinh-hoat/":                [404, 404, 404, 404, 200, 200, 200],
    "/to-chuc/A/sinh-hoat/con-thieu/":      [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/sinh-hoat/con-thieu/":     [404, 404, 404, 200, 404, 200, 200],
    "/hop/moi/?org=A":                      [403, 200, 404, 200, 404, 403, 200],
    "/hop/moi/?org=C1":                     [404, 404, 404, 302, 404, 403, 302],  # not a cell: to its meetings
    "/hop/{meeting}/":                      [200, 200, 404, 200, 404, 200, 200],
    "/hop/{x_meeting}/":                    [404, 404, 404, 404, 200, 200, 200],
    "/hop/{meeting}/sua/":                  [403, 200, 404, 200, 404, 403, 200],
    "/hop/{meeting}/khach-moi/":            [403, 200, 404, 200, 404, 403, 200],
    "/hop/{meeting}/bieu-quyet/":           [403, 200, 404, 200, 404, 403, 200],
    "/hop/{meeting}/bieu-quyet/tinh-so/":   [403, 200, 404, 200, 404, 403, 200],
    "/hop/{held}/bien-ban/":                 [200, 200, 404, 200, 404, 200, 200],
    "/hop/tai-lieu/{material}/":            [200, 200, 404, 200, 404, 200, 200],
    "/hop/tai-lieu/{draft_material}/":      [403, 200, 404, 200, 404, 403, 200],  # not announced yet
    "/hop/tai-lieu/{x_material}/":          [404, 404, 404, 404, 200, 200, 200],
    "/hop/bien-ban/{final}.pdf":            [200, 200, 404, 200, 404, 200, 200],
    "/hop/bien-ban/{draft}.pdf":            [403, 200, 404, 200, 404, 200, 200],
}
# Each write, sent with what the service refuses (400), so that every persona meets the same state.
POSTS: dict[str, tuple[dict[str, str], list[int]]] = {
    "/hop/{meeting}/sua/":        ({"kind": "regular", "date": "", "start_time": "19:30", "place": ""},
                                   [403, 400, 404, 400, 404, 403, 400]),
    "/hop/{meeting}/cong-bo/":    ({}, [403, 400, 404, 400, 404, 403, 400]),  # already announced
    "/hop/{meeting}/tai-lieu/":   ({"title": "Không có tệp"}, [403, 400, 404, 400, 404, 403, 400]),
    "/hop/{meeting}/khach-moi/":  ({"guest": ""}, [403, 400, 404, 400, 404, 403, 400]),
    "/hop/{meeting}/bieu-quyet/": ({"kind": "general", "title": ""}, [403, 400, 404, 400, 404, 403, 400]),
    "/hop/{meeting}/bieu-quyet/tinh-so/": ({"person": "", "excluded": "suspended"},
                                           [403, 400, 404, 400, 404, 403, 400]),
    "/hop/{meeting}/ket-thuc/":   ({"end_time": "21:00"}, [403, 400, 404, 400, 404, 403, 400]),  # a future day
    "/hop/{meeting}/co-mat-ca/":  ({}, [403, 400, 404, 400, 404, 403, 400]),  # a future day: nothing recorded
    "/hop/{meeting}/huy/":        ({"reason": ""}, [403, 400, 404, 400, 404, 403, 400]),
    # Only the member themself, when invited (the staff user c1_staff is a member of cell A);
    # a user with no invitation of their own: 403.
    "/hop/{meeting}/bao-vang/":   ({"reason": ""}, [400, 400, 404, 400, 404, 403, 403]),
    "/hop/{meeting}/bao-vang/rut/": ({}, [302, 302, 404, 302, 404, 403, 403]),  # no notice given: nothing to do
    "/hop/{held}/bien-ban/":      ({"action": "save", "minutes": "{final}", "content": "sửa"},
                                   [403, 400, 404, 400, 404, 403, 400]),  # final minutes
}


def _meeting(world, org, day, **over):
    data = {"actor": None, "organisation": world.org[org], "kind": "regular", "date": day,
            "start_time": dt.time(19, 30), "place": "Nhà văn hóa", **over}
    return services.meeting_create(**data)


@pytest.fixture
def ids(world):
    future = today() + dt.timedelta(days=3)
    document = (pdf.render_html("<p>Tài liệu</p>"), "tai-lieu.pdf")
    meeting = _meeting(world, "A", future)
    material = services.material_add(meeting, actor=None, title="Dự thảo", upload=document)
    services.meeting_publish(meeting, actor=None)
    draft_meeting = _meeting(world, "A", future + dt.timedelta(days=7), kind="committee")
    draft_material = services.material_add(draft_meeting, actor=None, title="Chuẩn bị", upload=document)
    x_meeting = _meeting(world, "X", future)
    x_material = services.material_add(x_meeting, actor=None, title="Tài liệu X", upload=document)
    services.meeting_publish(x_meeting, actor=None)
    held = _meeting(world, "A", today(), start_time=dt.time(0, 0))
    for row in held.attendance.all():
        services.attendance_record(held, actor=None, person_id=row.person_id, status="present")
    services.meeting_held(held, actor=None, end_time=dt.time(23, 59))
    final = services.minutes_finalise(services.minutes_draft(held, actor=None), actor=None)
    draft = services.minutes_draft(held, actor=None)  # version 2, open
    return {"meeting": meeting.pk, "material": material.pk, "draft_material": draft_material.pk,
            "x_meeting": x_meeting.pk, "x_material": x_material.pk, "held": held.pk, "final": final.pk,
            "draft": draft.pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(POSTS))
def test_who_may_change_a_meeting(world, ids, template):
    url = template.format(**ids)
    data, expected = POSTS[template]
    data = {k: v.format(**ids) for k, v in data.items()}
    got = [world.client(p).post(url, data).status_code for p in PERSONAS]
    assert got == expected, f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", [*MATRIX, *POSTS])
def test_anonymous_users_are_sent_to_sign_in(world, ids, template):
    response = world.client("anonymous").get(template.format(**ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_an_invited_guest_from_another_cell_sees_the_meeting_but_not_its_draft_minutes(world, ids):
    meeting = Meeting.objects.get(pk=ids["meeting"])
    services.guest_add(meeting, actor=None, guest=services.Guest(world.m["secretary_b"].person, "Bí thư chi bộ B"))
    c = world.client("secretary_b")
    assert c.get(f"/hop/{meeting.pk}/").status_code == 200
    assert c.get(f"/hop/tai-lieu/{ids['material']}/").status_code == 200
    assert c.get(f"/hop/{meeting.pk}/sua/").status_code == 403
    assert c.get(f"/hop/{ids['held']}/").status_code == 404  # not invited to that one
