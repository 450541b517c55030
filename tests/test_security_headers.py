"""Issue 11, points 7 and 8: nothing personal cached, and the headers that keep a page to itself.

Every page the access-matrix tests know (tests/test_access_*.py), fetched by every persona,
answers with a Content-Security-Policy that allows no inline script or style, a
Permissions-Policy switching off the features chibo never uses, and `Cache-Control: private,
no-store`; and no page's HTML carries an inline script, a style attribute or element, an
event-handler attribute, hx-on or a javascript: address (the policy would block them, so the
page would break). Sign-out answers with Clear-Site-Data. Production refuses ALLOWED_HOSTS=*
and a weak SECRET_KEY, and preloads HSTS only when asked."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chibo.web.templatetags.layout import pct
from tests import (
    test_access_channel,
    test_access_documents,
    test_access_lifecycle,
    test_access_matrix,
    test_access_meetings,
    test_access_plans,
    test_access_recruitment,
    test_access_tasks,
)
from tests.conftest import PERSONAS

SRC = Path(__file__).resolve().parents[1] / "src"

# Each access-matrix module: its URL templates and the fixture that makes the objects they name.
MATRICES: dict[str, tuple[ModuleType, Callable[[Any], dict[str, int]] | None]] = {
    "matrix": (test_access_matrix, None),
    "channel": (test_access_channel, test_access_channel.ids.__wrapped__),
    "documents": (test_access_documents, test_access_documents.ids.__wrapped__),
    "lifecycle": (test_access_lifecycle, None),
    "meetings": (test_access_meetings, test_access_meetings.ids.__wrapped__),
    "plans": (test_access_plans, test_access_plans.plans.__wrapped__),
    "recruitment": (test_access_recruitment, test_access_recruitment.ids.__wrapped__),
    "tasks": (test_access_tasks, test_access_tasks.ids.__wrapped__),
}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class InlineCode(HTMLParser):
    """What in a page the Content-Security-Policy would block: inline scripts (data blocks such
    as json_script are not run, so they are allowed), style elements and attributes,
    event-handler attributes, htmx's hx-on (run by eval) and javascript: addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        where = f"<{tag} {' '.join(f'{n}={v!r}' for n, v in attrs)}>"[:160]
        if tag == "script" and not values.get("src") and values.get("type", "").lower() not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline script: {where}")
        if tag == "style":
            self.found.append(f"style element: {where}")
        for name, value in values.items():
            if name == "style":
                self.found.append(f"style attribute: {where}")
            elif re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"event-handler attribute {name}: {where}")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"hx-on: {where}")
            elif name in URL_ATTRIBUTES and re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:"):
                self.found.append(f"javascript: address: {where}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response: Any) -> list[str]:
    problems = []
    csp = policy(response.get("Content-Security-Policy", ""))
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        for directive in ("default-src", "script-src", "style-src", "connect-src", "base-uri", "form-action"):
            if csp.get(directive) != ["'self'"]:
                problems.append(f"CSP {directive} is {csp.get(directive)}, not 'self' only")
        if csp.get("frame-ancestors") != ["'none'"]:
            problems.append(f"CSP frame-ancestors is {csp.get('frame-ancestors')}")
        if not response.get("Content-Type", "").startswith("application/pdf") and csp.get("object-src") != ["'none'"]:
            problems.append(f"CSP object-src is {csp.get('object-src')}")
        unsafe = [s for sources in csp.values() for s in sources if s.startswith("'unsafe-") or s == "*"]
        if unsafe:
            problems.append(f"CSP allows {unsafe}")
    features = {p.strip() for p in response.get("Permissions-Policy", "").split(",")}
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        if f"{feature}=()" not in features:
            problems.append(f"Permissions-Policy does not switch off {feature}")
    cache = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    if not {"private", "no-store"} <= cache:
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}, not private, no-store")
    return problems


def check(client: Client, url: str) -> tuple[int, list[str]]:
    response = client.get(url)
    problems = header_problems(response)
    if response.get("Content-Type", "").startswith("text/html"):
        problems += inline_code(response.content.decode())
    return response.status_code, problems


# --- The checker finds what it must (so the walk below can fail) ------------------------------

@pytest.mark.parametrize("html", [
    '<p>x</p><script>alert(1)</script>',
    '<script type="module">import "x";</script>',
    '<style>p{color:red}</style>',
    '<svg><style>rect{fill:red}</style></svg>',
    '<h2 style="margin-top:0">x</h2>',
    '<select onchange="this.form.submit()"></select>',
    '<body onload="go()">',
    '<button hx-on::after-request="x()">+</button>',
    '<button hx-on:click="x()">+</button>',
    '<a href=" javascript:alert(1)">x</a>',
    '<img src=x onerror=alert(1)>',
])
def test_the_checker_finds_inline_code(html):
    assert inline_code(html)


def test_the_checker_lets_through_what_the_policy_allows():
    html = ('<script src="/static/chibo/chibo.js" defer></script>'
            '<script id="att-strings" type="application/json">{"a": 1}</script>'
            '<link rel="stylesheet" href="/static/chibo/chibo.css"><p class="mt-0" data-on="x">style= onclick=</p>')
    assert inline_code(html) == []


# --- Every page, every persona ----------------------------------------------------------------

@pytest.mark.parametrize("name", list(MATRICES))
def test_every_page_has_the_headers_and_no_inline_script_or_style(world, name):
    module, make_ids = MATRICES[name]
    ids = make_ids(world) if make_ids else {}
    clients = {p: world.client(p) for p in PERSONAS}
    seen: dict[int, int] = {}
    failures = []
    for template in module.MATRIX:
        url = test_access_matrix._url(template, world) if name == "matrix" else template.format(**ids)
        for persona, client in clients.items():
            status, problems = check(client, url)
            seen[status] = seen.get(status, 0) + 1
            failures += [f"{persona} {url} ({status}): {p}" for p in problems]
    assert not failures, "\n".join(failures[:40]) + f"\n… {len(failures)} in all"
    assert seen.get(200), seen  # pages were rendered, not only refusals


def test_the_sign_in_page_error_pages_and_the_offline_screen_have_them_too(world):
    anonymous = world.client("anonymous")
    for url in ("/dang-nhap/", "/khong-co-trang-nay/", "/hop/sw.js"):
        status, problems = check(anonymous, url)
        assert not problems, (url, status, problems)
    ids = test_access_meetings.ids.__wrapped__(world)
    status, problems = check(world.client("secretary_a"), f"/hop/{ids['meeting']}/diem-danh/")
    assert status == 200 and not problems, problems


def test_exports_and_pdfs_are_not_kept(world):
    ids = test_access_meetings.ids.__wrapped__(world)
    staff = world.client("commune_staff")
    for url in ("/dang-vien/xuat/?org=A&format=csv", "/to-chuc/xuat/?org=C1&format=xlsx",
                f"/hop/bien-ban/{ids['final']}.pdf", f"/hop/tai-lieu/{ids['material']}/"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        assert not header_problems(response), (url, header_problems(response))


def test_static_assets_keep_their_caching(world):
    response = world.client("secretary_a").get("/static/chibo/chibo.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" not in response


def test_the_htmx_indicator_style_and_eval_are_off(world):
    html = world.client("secretary_a").get("/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'", html)
    assert meta is not None
    assert '"includeIndicatorStyles":false' in meta.group(1) and '"allowEval":false' in meta.group(1)
    assert '"historyCacheSize":0' in meta.group(1)  # no copy of pages in localStorage


# --- Sign-out ---------------------------------------------------------------------------------

def test_sign_out_tells_the_browser_to_drop_its_cache_and_storage(world):
    client = world.client("secretary_a")
    assert client.get("/").status_code == 200
    response = client.post("/dang-xuat/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    cleared = {p.strip() for p in response["Clear-Site-Data"].split(",")}
    assert {'"cache"', '"storage"'} <= cleared
    assert response["Cache-Control"] == "private, no-store"
    assert client.get("/").status_code == 302  # signed out


def test_every_page_offers_the_refusal_and_the_discard_path(world):
    html = world.client("secretary_a").get("/").content.decode()
    assert 'data-signout' in html and 'id="signout-refused"' in html and "data-signout-discard" in html
    assert "/static/chibo/chibo.js" in html


# --- The bar widths that replace inline styles ------------------------------------------------

@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                 st.decimals(allow_nan=False)))
def test_a_bar_width_is_a_whole_percentage(value):
    width = pct(value)
    assert isinstance(width, int) and 0 <= width <= 100


@pytest.mark.parametrize(("value", "width"), [(None, 0), (0, 0), (37, 37), (87.5, 88), (87.4, 87), ("64.5", 65),
                                              (-3, 0), (250, 100), ("x", 0)])
def test_bar_widths(value, width):
    assert pct(value) == width


# --- Production settings ----------------------------------------------------------------------

STRONG = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)")
                 for _ in range(60))


def clean_environment() -> dict[str, str]:
    """The environment of a server being started: none of chibo's settings nor the test run's
    own (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy checks refuse)."""
    return {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}


def production(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings as `chibo serve` would, in a fresh interpreter with ENV."""
    full = clean_environment() | {"PYTHONPATH": str(SRC), "CHIBO_ENV": "production", "SECRET_KEY": STRONG,
             "ALLOWED_HOSTS": "chibo.example.org"} | env
    code = ("import chibo.settings as s; print(s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_SECONDS, "
            "getattr(s, 'SILENCED_SYSTEM_CHECKS', []))")
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)


def test_production_starts_with_a_strong_key_and_named_hosts():
    for key in (STRONG, secrets.token_hex(32), secrets.token_urlsafe(50)):
        result = production(SECRET_KEY=key)
        assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"  # no HSTS preload unless asked


@pytest.mark.parametrize("hosts", ["*", "chibo.example.org,*", "chibo.example.org, *"])
def test_production_refuses_any_host(hosts):
    result = production(ALLOWED_HOSTS=hosts)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ALLOWED_HOSTS must not be '*'" in result.stderr


@pytest.mark.parametrize("key", [
    "short-key",
    "x" * 80,
    "abcdefghij" * 6,  # 60 characters, ten different, a pattern repeated
    "development-only-key-not-for-production-use-0123456789abcdefghijklmnop",
    "django-insecure-" + "k3#9x!v@q2m$w8z^e7r&t6y*u5i(o4p)a1s-d0f=g" ,
])
def test_production_refuses_a_weak_secret_key(key):
    result = production(SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr, result.stderr


def test_hsts_preload_only_when_asked():
    asked = production(CHIBO_HSTS_PRELOAD="1")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.split()[0] == "True" and "security.W021" not in asked.stdout
    default = production()
    assert default.stdout.split()[0] == "False" and "security.W021" in default.stdout


def test_the_deployment_checks_pass_as_in_ci(tmp_path):
    env = clean_environment() | {"PYTHONPATH": str(SRC), "CHIBO_ENV": "production", "SECRET_KEY": STRONG,
            "ALLOWED_HOSTS": "chibo.example.org", "CHIBO_DATA_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "chibo", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
