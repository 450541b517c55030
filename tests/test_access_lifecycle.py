"""Every lifecycle URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).

"What's due" and the badge list name members, so they are read by those who may list the
organisation's members — the member list's rule: a member sees their own cell's page but not
these lists (404, as the member list answers); outside the scope: 404. Nothing is written here.

The exemption pages (a member's exemptions, one procedure) are read by those who see the member
(the member themselves too) and written by those who write for the member's cell: the member
and the province staff get 403 on a POST, other cells and communes 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from chibo.lifecycle import exemptions
from tests.conftest import PERSONAS

MATRIX: dict[str, list[int]] = {
    "/to-chuc/A/den-han/":       [404, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/den-han/":      [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/X/den-han/":       [404, 404, 404, 404, 200, 200, 200],
    "/to-chuc/P/den-han/":       [404, 404, 404, 404, 404, 200, 200],
    "/to-chuc/KHONG/den-han/":   [404, 404, 404, 404, 404, 404, 404],
    "/to-chuc/A/huy-hieu/":      [404, 200, 404, 200, 404, 200, 200],
    "/to-chuc/C1/huy-hieu/":     [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/X/huy-hieu/":      [404, 404, 404, 404, 200, 200, 200],
    "/to-chuc/A1/huy-hieu/":     [404, 200, 404, 200, 404, 200, 200],
}


@pytest.mark.parametrize("url", list(MATRIX))
def test_matrix(world, url):
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[url], url


@pytest.mark.parametrize("url", ["/to-chuc/A/den-han/", "/to-chuc/A/huy-hieu/"])
def test_anonymous_is_sent_to_sign_in(world, url):
    response = world.client("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- Exemptions from party work and meetings ------------------------------------------------------

@pytest.fixture
def exemption(world):
    """A request for the member persona's own record (member of cell A)."""
    return exemptions.exemption_request(world.m["member"], actor=None, origin="request", request_on=dt.date(2026, 3, 2),
                                        grounds="age_health")[0]


# member, secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin
ACCESS = {
    ("get", "member"):    [200, 200, 404, 200, 404, 200, 200],
    ("post", "member"):   [403, 400, 404, 400, 404, 403, 400],
    ("get", "procedure"): [200, 200, 404, 200, 404, 200, 200],
    ("post", "procedure"): [403, 400, 404, 400, 404, 403, 400],
    ("get", "other"):     [404, 200, 404, 200, 404, 200, 200],
}


@pytest.mark.parametrize("key", list(ACCESS))
def test_access_by_persona(world, exemption, key):
    method, page = key
    url = {"member": f"/dang-vien/{world.m['member'].pk}/mien-sinh-hoat/", "procedure": f"/mien-sinh-hoat/{exemption.pk}/",
           "other": f"/dang-vien/{world.m['c1_staff'].pk}/mien-sinh-hoat/"}[page]
    data = {"action": "resolve"} if page == "procedure" else {"action": "request"}
    got = [(world.client(p).post(url, data) if method == "post" else world.client(p).get(url)).status_code
           for p in PERSONAS]
    assert got == ACCESS[key], key
    exemption.refresh_from_db()
    assert exemption.state == "requested"
