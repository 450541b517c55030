"""Playwright fixtures: Debian's Chromium against pytest-django's live server.

The browser is session-scoped; each test gets fresh browser contexts (own cookies) from
`new_context`, which also records page errors, failed static/app requests and anything the
Content-Security-Policy blocked, and fails the test on teardown if any occurred."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an asyncio loop on the main thread; Django's ORM would refuse
# to run from the test body without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
                    "no browser is downloaded.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_world(transactional_db: None, _migration_data: None, world: Any) -> Any:
    """The `world` of tests/conftest.py, but committed so the live server's thread sees it.

    `world` asks for `db`; pytest-django gives `transactional_db` precedence when both are
    requested, so the test sees the session's committed world while no flush has removed it,
    and a world built (and committed) for it after that."""
    return world


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """new_context(user=None, **playwright_context_options) -> BrowserContext.

    With `user`, the context carries a session cookie for that user (force_login), so only
    the sign-in journey goes through the login form."""
    contexts: list[Any] = []
    problems: list[str] = []

    def response(r: Any) -> None:
        if r.status >= 500 or (r.status >= 400 and "/static/" in r.url):
            problems.append(f"HTTP {r.status} for {r.url}")

    def make(user: Any = None, **options: Any) -> Any:
        options.setdefault("locale", "vi-VN")
        options.setdefault("base_url", live_server.url)
        ctx = browser.new_context(**options)
        # The page's own Date stays the machine's: Playwright's ctx.clock.install() (fake timers)
        # stops htmx's delayed loads and the import page's polling. The server's day (TODAY) is
        # never after the machine's, so a meeting "today" has begun for the page too.
        ctx.set_default_timeout(10_000)
        ctx.on("weberror", lambda e: problems.append(f"JS error: {e.error}"))
        ctx.on("console", lambda m: problems.append(f"Blocked by the Content-Security-Policy: {m.text}")
               if m.type == "error" and "Content Security Policy" in m.text else None)
        ctx.on("response", response)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def phone() -> dict[str, Any]:
    return dict(PHONE)
