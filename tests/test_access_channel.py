"""Every two-way channel URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).

A thread is read by the member who wrote it, by those who answer for the organisation it
is sent to (cell A's committee for cell A, the commune staff for the commune), by the
commune staff for a thread sent to one of its cells (read-only), and by administrators
(read-only). Province staff do not read members' threads. Only members send (to their own
cell or commune); the inbox is for those who answer or oversee, and administrators."""

from __future__ import annotations

import pytest

from chibo.accounts.models import User
from chibo.channel import services
from tests.conftest import PASSWORD, PERSONAS

MATRIX: dict[str, list[int]] = {
    "/hoi-dap/":                        [200, 200, 200, 200, 200, 200, 200],
    "/hoi-dap/moi/":                    [200, 200, 200, 200, 403, 403, 403],
    "/hoi-dap/tra-loi/":                [403, 200, 200, 200, 200, 403, 200],
    "/hoi-dap/tra-loi/?to=others":      [403, 200, 200, 200, 200, 403, 200],
    "/hoi-dap/{thread}/":               [200, 200, 404, 200, 404, 404, 200],
    "/hoi-dap/{c1_thread}/":            [200, 404, 404, 200, 404, 404, 200],
    "/hoi-dap/{x_thread}/":             [404, 404, 404, 404, 200, 404, 200],
}
POSTS: dict[str, list[int]] = {  # a message in cell A's thread, then closing it (reopened between personas)
    "/hoi-dap/{thread}/gui/":           [302, 302, 404, 403, 404, 404, 403],
    "/hoi-dap/{thread}/dong/":          [302, 302, 404, 403, 404, 404, 403],
    "/hoi-dap/{c1_thread}/gui/":        [302, 404, 404, 302, 404, 404, 403],
}


@pytest.fixture
def ids(world):
    x_user = User.objects.create_user(username="x_member", password=PASSWORD, person=world.m["x_member"].person)
    common = {"kind": "question", "body": "Xin hỏi về đảng phí"}
    thread = services.thread_create(actor=world.users["member"], organisation=world.org["A"], **common)
    c1_thread = services.thread_create(actor=world.users["member"], organisation=world.org["C1"], **common)
    x_thread = services.thread_create(actor=x_user, organisation=world.org["X"], **common)
    return {"thread": thread.pk, "c1_thread": c1_thread.pk, "x_thread": x_thread.pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(POSTS))
def test_who_may_write_in_a_thread(world, ids, template):
    from chibo.channel.models import Thread

    url = template.format(**ids)
    got = []
    for p in PERSONAS:
        Thread.objects.update(status="new", closed_at=None, closed_by=None)  # open again for the next persona
        got.append(world.client(p).post(url, {"body": f"Tin nhắn của {p}"}).status_code)
    assert got == POSTS[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", [*MATRIX, *POSTS])
def test_anonymous_users_are_sent_to_sign_in(world, ids, template):
    response = world.client("anonymous").get(template.format(**ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_lists_show_only_what_the_persona_may_read(world, ids):
    for persona, box, shown in (("secretary_a", "mine", {"thread"}), ("secretary_b", "mine", set()),
                                ("commune_staff", "mine", {"c1_thread"}), ("commune_staff", "others", {"thread"}),
                                ("other_commune_staff", "others", {"x_thread"}),
                                ("admin", "others", {"thread", "c1_thread", "x_thread"})):
        page = world.client(persona).get(f"/hoi-dap/tra-loi/?to={box}")
        assert {k for k, pk in ids.items() if pk in {t.pk for t in page.context["page"].object_list}} == shown, \
            (persona, box)
        html = page.content.decode()
        assert all((f'href="/hoi-dap/{pk}/"' in html) == (k in shown) for k, pk in ids.items()), (persona, box)
