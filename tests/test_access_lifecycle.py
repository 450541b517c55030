"""Every lifecycle URL × every persona (columns as in test_access_matrix.py: member,
secretary_a, secretary_b, commune_staff, other_commune_staff, province_staff, admin).

"What's due" and the badge list name members, so they are read by those who may list the
organisation's members — the member list's rule: a member sees their own cell's page but not
these lists (404, as the member list answers); outside the scope: 404. Nothing is written here."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

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
