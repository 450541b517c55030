"""Safe by default (issue 11, point 9): DEBUG is off unless CHIBO_DEBUG=1, and a development
instance (the demo) still serves its static files and plain error pages with it off.

Errors in chibo's own words (issue 14, point 2): 400, 403, 404, 429, a refused form (CSRF) and
500 answer a page in Vietnamese with the way back (the home page), never Django's technical page;
the API answers its JSON error shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.test_translations import catalogues  # noqa: F401  (the fixture)

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
css = c.get("/static/chibo/chibo.css")
missing = c.get("/khong-co-trang-nay/")
print(json.dumps({"debug": settings.DEBUG, "css": css.status_code, "missing": missing.status_code,
                  "technical": b"Django tried these URL patterns" in missing.content}))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CHIBO_DEBUG", "CHIBO_ENV"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "chibo.settings", "CHIBO_DATA_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=120,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_debug_is_off_by_default_and_the_development_server_still_serves_static_files(tmp_path: Path) -> None:
    seen = probe(tmp_path)
    assert seen == {"debug": False, "css": 200, "missing": 404, "technical": False}


@pytest.mark.parametrize("value", ["1", "true"])
def test_chibo_debug_turns_debug_on(tmp_path: Path, value: str) -> None:
    assert probe(tmp_path, CHIBO_DEBUG=value)["debug"] is True


def test_the_old_debug_variable_alone_does_not_turn_debug_on(tmp_path: Path) -> None:
    assert probe(tmp_path, DEBUG="1")["debug"] is False


# --- Errors in chibo's own words ------------------------------------------------------------------

TECHNICAL = ("Traceback", "SECRET", "Django tried these URL patterns", "DEBUG = True", "CSRF verification failed")


def chibo_page(response: Any, status: int, *words: str) -> str:
    """The response is chibo's error page in Vietnamese, with the link home and none of Django's technical words."""
    page = response.content.decode()
    assert response.status_code == status, (response.status_code, page[:300])
    assert '<html lang="vi">' in page and 'href="/"' in page and "Trang chủ" in page
    for word in words:
        assert word in page, f"{word!r} missing"
    for word in TECHNICAL:
        assert word not in page, f"technical {word!r} shown"
    return page


@pytest.fixture
def failing(settings: Any) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


@pytest.mark.usefixtures("catalogues", "failing")
@pytest.mark.parametrize(("url", "status", "words"), [
    ("/thu-loi/400/", 400, ["Hệ thống không hiểu được yêu cầu", "Mã lỗi: 400"]),
    ("/thu-loi/403/", 403, ["Bạn được xem nhưng không được sửa", "Mã lỗi: 403"]),
    ("/thu-loi/404/", 404, ["Không tìm thấy trang", "Mã lỗi: 404"]),
    ("/khong-co-trang-nay/", 404, ["Không tìm thấy trang"]),
    ("/thu-loi/500/", 500, ["Đã có lỗi xảy ra", "Mã lỗi: 500"]),
])
def test_each_error_is_chibos_page_in_vietnamese_with_the_way_home(world: Any, url: str, status: int,
                                                                     words: list[str]) -> None:
    client = world.client("member")
    client.raise_request_exception = False  # as a real server: the handler answers, the test sees it
    chibo_page(client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), status, *words)


@pytest.mark.usefixtures("catalogues", "failing")
def test_an_anonymous_visitor_gets_the_same_pages(db: Any) -> None:
    client = Client(raise_request_exception=False)
    chibo_page(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")
    chibo_page(client.get("/thu-loi/500/"), 500, "Đã có lỗi xảy ra")


@pytest.mark.usefixtures("failing")
def test_the_api_answers_a_server_error_as_json(db: Any) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/thu-loi/500/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error" and b"Traceback" not in response.content


@pytest.mark.usefixtures("catalogues")
def test_a_refused_form_csrf_says_in_vietnamese_to_reload_and_send_again(world: Any, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    page = chibo_page(client.post("/dang-nhap/", {"username": "member", "password": PASSWORD}), 403,
                      "Biểu mẫu đã hết hạn", "Mã lỗi: 403")
    assert "tải lại" in page.lower()


@pytest.mark.usefixtures("catalogues")
def test_too_many_sign_in_tries_answer_429_on_the_sign_in_page_in_vietnamese(world: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", REMOTE_ADDR="192.0.2.44")
    for _ in range(5):
        response = client.post("/dang-nhap/", {"username": "member", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"]
    assert '<html lang="vi">' in page and "Chờ" in page and 'name="password"' in page  # wait, then sign in here
    assert not any(word in page for word in TECHNICAL)
