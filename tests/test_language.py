"""Vietnamese for everyone whatever the browser's Accept-Language says; English only for
someone who chose it ("My account", remembered in the browser); the API follows
Accept-Language (issue 14, point 8; docs/decisions.md, "Vietnamese unless the person chose English")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api_client import Api
from tests.test_translations import catalogues  # noqa: F401  (the fixture)

BROWSER_IN_ENGLISH = "en-US,en;q=0.9"

pytestmark = pytest.mark.usefixtures("catalogues")


def test_the_sign_in_page_is_vietnamese_for_a_browser_in_english(db: Any) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH).get("/dang-nhap/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "vi"
    assert '<html lang="vi">' in page and "Đăng nhập" in page and "Sign in" not in page


def test_the_home_page_is_vietnamese_for_a_signed_in_browser_in_english(world: Any) -> None:
    client = world.client("commune_staff")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH)
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="vi">' in page and "Sign out" not in page
    assert "Đăng xuất" in page


def test_an_error_page_is_vietnamese_for_a_browser_in_english(db: Any) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=BROWSER_IN_ENGLISH).get("/khong-co-trang-nay/")
    assert response.status_code == 404 and '<html lang="vi">' in response.content.decode()


def test_someone_who_chose_english_gets_english_on_any_device(world: Any) -> None:
    user = world.users["commune_staff"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")  # a new device, no remembered choice
    client.force_login(user)
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Sign out" in page and "Đăng xuất" not in page


def test_the_choice_remembered_in_the_browser_holds_after_signing_out(db: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.cookies["django_language"] = "en"
    page = client.get("/dang-nhap/").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    client.cookies["django_language"] = "xx"  # not a language chibo speaks: Vietnamese
    assert '<html lang="vi">' in client.get("/dang-nhap/").content.decode()


def test_the_api_follows_accept_language(world: Any) -> None:
    english = Api(world, language="en")("commune_staff", "GET", "khong-co/")
    vietnamese = Api(world)("commune_staff", "GET", "khong-co/")
    assert english.status_code == vietnamese.status_code == 404
    assert english["Content-Language"] == "en" and vietnamese["Content-Language"] == "vi"
    assert english.json()["error"]["message"] != vietnamese.json()["error"]["message"]
