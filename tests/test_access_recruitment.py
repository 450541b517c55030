"""Every recruitment URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).
Candidates are seen by those whose scope holds their cell (not by the cell's members, as
with the member list) and managed by those who write for the cell or the commune; the
province reads. Recognition of a probationary member likewise."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.recruitment import services
from tests.conftest import PERSONAS, person_data

MATRIX: dict[str, list[int]] = {
    "/to-chuc/A/phat-trien-dang-vien/":   [404, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/phat-trien-dang-vien/":  [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/X/phat-trien-dang-vien/":   [404, 404, 404, 404, 200, 200, 200],
    "/ket-nap/moi/?org=A":                [404, 200, 404, 200, 404, 403, 200],
    "/ket-nap/moi/?org=X":                [404, 404, 404, 404, 200, 403, 200],
    "/ket-nap/{cand}/":                   [404, 200, 404, 200, 404, 200, 200],
    "/ket-nap/{x_cand}/":                 [404, 404, 404, 404, 200, 200, 200],
    "/dang-vien/{probationary}/cong-nhan/": [404, 200, 404, 200, 404, 200, 200],
    "/dang-vien/{official}/cong-nhan/":   [404, 404, 404, 404, 404, 404, 404],  # nothing to recognise
}
POSTS: dict[str, tuple[dict[str, str], list[int]]] = {
    "/ket-nap/{cand}/buoc/": ({"action": "withdraw", "withdraw-on": "01/06/2025", "withdraw-reason": "Chuyển đi"},
                              [404, 302, 404, 302, 404, 403, 302]),
    "/dang-vien/{probationary}/cong-nhan/": ({"action": "resolution"}, [404, 400, 404, 400, 404, 403, 400]),
}


@pytest.fixture
def ids(world):
    def cand(org: str) -> int:
        return services.candidate_create(actor=None, organisation=world.org[org], introduced_on=dt.date(2025, 3, 1),
                                         introduced_by="Chi đoàn", person_data=person_data("Y", "", org)).pk
    return {"cand": cand("A"), "x_cand": cand("X"), "probationary": world.m["a_woman"].pk,
            "official": world.m["member"].pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, ids, template):
    url = template.format(**ids)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(POSTS))
def test_who_may_record_a_step(world, ids, template):
    from chibo.recruitment.models import Candidate, Stage

    data, expected = POSTS[template]
    url = template.format(**ids)
    got = []
    for p in PERSONAS:
        Candidate.objects.filter(pk=ids["cand"]).update(stage=Stage.OUTSTANDING)
        got.append(world.client(p).post(url, data).status_code)
    assert got == expected, f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", [*MATRIX, *POSTS])
def test_anonymous_users_are_sent_to_sign_in(world, ids, template):
    response = world.client("anonymous").get(template.format(**ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
