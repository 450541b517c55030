"""Every document and study-session URL × every persona (columns as in test_access_matrix.py:
member, secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).

A document distributed to commune C1 reaches its whole subtree: it is read by the members of
C1's cells, by the cells' committees, by the commune and province staff; corrected by the
commune staff (who write for C1) and the administrator; who has not read it is listed for
those who write for C1 or for one of its cells (each for their own members). A document of
cell A is read by cell A's members, the commune and the province. A study session of cell A
is read like cell A's document; changed by those who write for cell A; a reflection is
written only by a participant (the member and cell A's secretary)."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.documents import services
from tests.conftest import PERSONAS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

MATRIX: dict[str, list[int]] = {
    "/van-ban/":                        [200, 200, 200, 200, 200, 200, 200],
    "/van-ban/?q=339+qd":               [200, 200, 200, 200, 200, 200, 200],
    "/van-ban/cua-toi/":                [200, 200, 200, 200, 200, 200, 200],
    "/van-ban/{c1_doc}/":               [200, 200, 200, 200, 404, 200, 200],
    "/van-ban/{c1_doc}/tep/":           [200, 200, 200, 200, 404, 200, 200],
    "/van-ban/{c1_doc}/sua/":           [403, 403, 403, 200, 404, 403, 200],
    "/van-ban/{c1_doc}/chua-doc/":      [403, 200, 200, 200, 404, 403, 200],
    "/van-ban/{a_doc}/":                [200, 200, 404, 200, 404, 200, 200],
    "/van-ban/{a_doc}/sua/":            [403, 200, 404, 200, 404, 403, 200],
    "/van-ban/{a_doc}/chua-doc/":       [403, 200, 404, 200, 404, 403, 200],
    "/van-ban/{x_doc}/":                [404, 404, 404, 404, 200, 200, 200],
    "/van-ban/{x_doc}/tep/":            [404, 404, 404, 404, 200, 200, 200],
    "/van-ban/moi/":                    [403, 200, 200, 200, 200, 403, 200],
    "/van-ban/moi/?org=A":              [403, 200, 404, 200, 404, 403, 200],
    "/van-ban/moi/?org=C1":             [403, 403, 403, 200, 404, 403, 200],
    "/van-ban/moi/?org=X":              [404, 404, 404, 404, 200, 403, 200],
    "/hoc-tap/":                        [200, 200, 200, 200, 200, 200, 200],
    "/hoc-tap/{a_session}/":            [200, 200, 404, 200, 404, 200, 200],
    "/hoc-tap/{a_session}/sua/":        [403, 200, 404, 200, 404, 403, 200],
    "/hoc-tap/{a_session}/thu-hoach/":  [200, 200, 404, 403, 404, 403, 403],
    "/hoc-tap/{x_session}/":            [404, 404, 404, 404, 200, 200, 200],
    "/hoc-tap/moi/":                    [403, 200, 200, 200, 200, 403, 200],
    "/hoc-tap/moi/?org=A":              [403, 200, 404, 200, 404, 403, 200],
    "/hoc-tap/moi/?org=C1":             [403, 403, 403, 200, 404, 403, 200],
}
POSTS: dict[str, list[int]] = {
    "/van-ban/{c1_doc}/da-doc/":        [302, 302, 302, 302, 404, 403, 403],  # commune_staff is a member of A
    "/van-ban/{a_doc}/da-doc/":         [302, 302, 404, 302, 404, 403, 403],
    "/hoc-tap/{a_session}/thu-hoach/":  [302, 302, 404, 403, 404, 403, 403],
}


@pytest.fixture
def ids(world):
    def publish(org: str, number: str, by: str) -> int:
        return services.document_publish(actor=world.users[by], organisation=world.org[org], kind="regulation",
                                         number=number, issuer="Ban Bí thư", issued_on=dt.date(2025, 7, 10),
                                         title="Quy định về Sổ tay đảng viên điện tử", file=(PDF, "van-ban.pdf")).pk

    c1_doc = publish("C1", "339-QĐ/TW", "commune_staff")
    a_session = services.study_session_create(
        actor=world.users["secretary_a"], organisation=world.org["A"], title="Học tập Quy định 339",
        held_on=dt.date(2025, 9, 1), participants=[world.m["member"].person, world.m["secretary_a"].person])
    x_session = services.study_session_create(actor=world.users["other_commune_staff"], organisation=world.org["X"],
                                              title="Học tập", held_on=dt.date(2025, 9, 1))
    return {"c1_doc": c1_doc, "a_doc": publish("A", "01-TB/CB", "secretary_a"),
            "x_doc": publish("X", "02-TB/CB", "other_commune_staff"), "a_session": a_session.pk,
            "x_session": x_session.pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(POSTS))
def test_who_may_mark_read_and_write_a_reflection(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).post(url, {"reflection": f"Thu hoạch của {p}"}).status_code for p in PERSONAS]
    assert got == POSTS[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", [*MATRIX, *POSTS])
def test_anonymous_users_are_sent_to_sign_in(world, ids, template):
    response = world.client("anonymous").get(template.format(**ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_lists_show_only_what_reaches_the_persona(world, ids):
    expected = {
        "member": {"339-QĐ/TW", "01-TB/CB"},
        "secretary_b": {"339-QĐ/TW"},
        "commune_staff": {"339-QĐ/TW", "01-TB/CB"},
        "other_commune_staff": {"02-TB/CB"},
        "province_staff": {"339-QĐ/TW", "01-TB/CB", "02-TB/CB"},
    }
    for persona, numbers in expected.items():
        page = world.client(persona).get("/van-ban/").context["page"]
        assert {d.number for d in page.object_list} == numbers, persona
    sessions = {p: {s.pk for s in world.client(p).get("/hoc-tap/").context["page"].object_list}
                for p in ("member", "secretary_b", "other_commune_staff", "province_staff")}
    assert sessions == {"member": {ids["a_session"]}, "secretary_b": set(), "other_commune_staff": {ids["x_session"]},
                        "province_staff": {ids["a_session"], ids["x_session"]}}
