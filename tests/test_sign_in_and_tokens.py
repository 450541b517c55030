"""Attacks on sign-in and on API tokens (issue 11, points 5 and 6), through HTTP.

Sign-in: a stranger spraying wrong passwords for the administrator's username must not keep
the administrator out; X-Forwarded-For counts only when a configured proxy sent it; one
address may not spray a few guesses at every account; a person who mistypes waits a short,
growing pause (told in Vietnamese, with the tries left), never a 15-minute lock.

Tokens: they expire after CHIBO_API_TOKEN_TTL_DAYS, can be listed and revoked from the
command line and by their owner, die with a password change or a deactivated account, and
recording their last use never makes a read fail."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chibo.accounts.models import ApiToken
from chibo.accounts.tokens import api_token_create
from tests.conftest import PASSWORD

LOGIN = "/dang-nhap/"
API = "/api/v1/organisations/"
PROXY = "127.0.0.1"  # the reverse proxy in front of chibo (nginx on the same machine)
UNAUTHORIZED_HINT = "Authorization: Bearer"


class Clock:
    """django.utils.timezone.now, held still and moved on by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += dt.timedelta(**kw)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC))
    monkeypatch.setattr(timezone, "now", c)
    yield c


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.CHIBO_TRUSTED_PROXIES = PROXY


def sign_in(username: str, password: str, *, ip: str, forwarded: str | None = None,
            client: Client | None = None) -> Any:
    """A sign-in from `ip`: directly, or through the trusted proxy when `forwarded` is given
    (the proxy appends the address it saw, after whatever the client sent)."""
    headers: dict[str, str] = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, **headers)


def via_proxy(client_ip: str, spoofed: str = "") -> str:
    return f"{spoofed}, {client_ip}" if spoofed else client_ip


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Sign-in throttling -----------------------------------------------------------------

def test_a_stranger_spraying_the_admin_cannot_keep_them_out_of_their_usual_place(world, behind_proxy):
    office = "14.161.10.5"  # the provincial office's public address
    assert sign_in("admin", PASSWORD, ip="", forwarded=via_proxy(office)).status_code == 302
    # From 20 addresses, 60 wrong passwords for "admin", half of them claiming to come from the office.
    for i in range(60):
        stranger = f"45.32.0.{i % 20 + 1}"
        sign_in("admin", f"guess-{i}", ip="", forwarded=via_proxy(stranger, spoofed=office if i % 2 else ""))
    response = sign_in("admin", PASSWORD, ip="", forwarded=via_proxy(office))
    assert response.status_code == 302, text(response)
    # The stranger, meanwhile, is slowed down: even the right password waits from elsewhere.
    elsewhere = sign_in("admin", PASSWORD, ip="", forwarded=via_proxy("45.32.0.99"))
    assert elsewhere.status_code == 429
    assert "Chờ" in text(elsewhere)


def test_a_person_who_mistypes_waits_a_short_growing_pause_not_a_lock(world, clock):
    home = "192.0.2.10"
    first = sign_in("member", "wrong", ip=home)
    assert first.status_code == 200
    assert "Còn 4 lần thử" in text(first)  # the tries left, in Vietnamese
    for _ in range(3):
        sign_in("member", "wrong", ip=home)
    fifth = sign_in("member", "wrong", ip=home)
    assert fifth.status_code == 429 and "Chờ 30 giây" in text(fifth)
    refused = sign_in("member", PASSWORD, ip=home)  # even the right password waits ...
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    assert "Chờ 30 giây" in text(refused)
    clock.advance(seconds=31)  # ... but only the stated 30 seconds, not 15 minutes
    assert sign_in("member", PASSWORD, ip=home).status_code == 302


def test_the_pause_doubles_and_refused_tries_do_not_lengthen_it(world, clock):
    home = "192.0.2.11"
    for _ in range(5):
        sign_in("member", "wrong", ip=home)
    for _ in range(10):  # hammering while paused does not count
        assert sign_in("member", "wrong", ip=home).status_code == 429
    clock.advance(seconds=31)
    sixth = sign_in("member", "wrong", ip=home)
    assert sixth.status_code == 429 and "Chờ 1 phút" in text(sixth)
    clock.advance(seconds=61)
    assert sign_in("member", PASSWORD, ip=home).status_code == 302
    # A success from here forgets this place's failures: the next mistake has its tries again.
    assert "Còn 4 lần thử" in text(sign_in("member", "wrong", ip=home))


def test_forwarded_for_from_an_untrusted_address_is_ignored(world, clock, behind_proxy, settings):
    settings.CHIBO_SIGNIN_IP_LIMIT = 10
    attacker = "198.51.100.7"  # not the proxy: whatever it writes in X-Forwarded-For is its own claim
    for i in range(10):
        Client().post(LOGIN, {"username": f"user{i}", "password": "guess"},
                      REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}")
    response = Client().post(LOGIN, {"username": "member", "password": PASSWORD},
                             REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
    assert "Từ nơi này đã có quá nhiều lần đăng nhập sai" in text(response)
    # The member, from their own address, is not affected.
    assert sign_in("member", PASSWORD, ip="192.0.2.200").status_code == 302


def test_one_address_cannot_spray_fifty_usernames(world, clock, settings):
    settings.CHIBO_SIGNIN_IP_LIMIT = 30
    sprayer = "198.51.100.20"
    codes = []
    for i in range(50):
        codes.append(sign_in(f"person{i}", "Matkhau@123", ip=sprayer).status_code)
        clock.advance(seconds=2)
    # 30 guesses are checked; the 30th is told to wait, and so is every later one, unchecked.
    assert codes[:29] == [200] * 29 and codes[29:] == [429] * 21
    assert sign_in("member", PASSWORD, ip=sprayer).status_code == 429  # no guess gets checked
    assert sign_in("member", PASSWORD, ip="198.51.100.21").status_code == 302
    clock.advance(minutes=15)  # the window passes, the address may try again
    assert sign_in("person0", "Matkhau@123", ip=sprayer).status_code == 200


def test_the_usual_place_is_exempt_from_the_address_limit(world, clock, settings):
    """A commune office behind one address: a colleague's mistakes do not lock out the others."""
    settings.CHIBO_SIGNIN_IP_LIMIT = 5
    office = "192.0.2.50"
    assert sign_in("secretary_a", PASSWORD, ip=office).status_code == 302
    for i in range(8):
        sign_in(f"typo{i}", "wrong", ip=office)
    assert sign_in("member", PASSWORD, ip=office).status_code == 429  # never signed in here
    assert sign_in("secretary_a", PASSWORD, ip=office).status_code == 302  # signs in here every day


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_free_tries(_migration_data, world):
    """Twenty wrong passwords sent at the same moment: only the free tries are checked."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(20)
    answers: list[str] = []

    def guess(i: int) -> None:
        try:
            barrier.wait()
            answers.append(text(sign_in("member", f"guess-{i}", ip="45.32.1.1")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 20
    checked = [a for a in answers if "Tên đăng nhập hoặc mật khẩu không đúng" in a]
    assert len(checked) == 5


@hypothesis_settings(deadline=None)
@given(chain=st.lists(st.ip_addresses(v=4).map(str), max_size=4), remote=st.ip_addresses(v=4).map(str))
def test_the_client_address_is_remote_addr_unless_a_trusted_proxy_forwarded_it(chain, remote):
    from django.test import RequestFactory, override_settings

    from chibo.accounts.throttle import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=", ".join(chain))
    with override_settings(CHIBO_TRUSTED_PROXIES="10.9.0.0/16"):
        trusted = ipaddress.ip_address(remote) in ipaddress.ip_network("10.9.0.0/16")
        if not trusted:
            assert client_ip(request) == remote
        # Through two trusted proxies: the address the first one saw, whatever came before it.
        via = RequestFactory().get("/", REMOTE_ADDR="10.9.0.1",
                                   HTTP_X_FORWARDED_FOR=", ".join([*chain, "203.0.113.5", "10.9.0.2"]))
        assert client_ip(via) == "203.0.113.5"
    with override_settings(CHIBO_TRUSTED_PROXIES=""):
        assert client_ip(request) == remote


# --- API tokens -----------------------------------------------------------------------------

def api_get(token: str) -> Any:
    return Client().get(API, HTTP_AUTHORIZATION=f"Bearer {token}")


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert UNAUTHORIZED_HINT in response.json()["error"]["message"]


def new_token(username: str, *args: str) -> str:
    out = StringIO()
    call_command("apitoken", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_tokens_expire_after_the_configured_days(world, clock, settings):
    settings.CHIBO_API_TOKEN_TTL_DAYS = 30
    plain = new_token("province_staff", "--name", "report sheet")
    assert api_get(plain).status_code == 200
    clock.advance(days=29, hours=23)
    assert api_get(plain).status_code == 200
    clock.advance(hours=2)
    assert_unauthorized(api_get(plain))
    longer = new_token("province_staff", "--days", "90")  # --days still chooses another length
    clock.advance(days=89)
    assert api_get(longer).status_code == 200


def test_apitoken_lists_tokens_without_secrets_and_revokes_by_prefix_or_id(world, clock):
    first = new_token("province_staff", "--name", "report sheet")
    second = new_token("commune_staff", "--name", "phone")
    api_get(first)
    out = StringIO()
    call_command("apitoken", "--list", stdout=out)
    listing = out.getvalue()
    assert "report sheet" in listing and "phone" in listing and first[:8] in listing and second[:8] in listing
    assert first not in listing and second not in listing and first[8:20] not in listing
    assert "02/03/2026 08:00" in listing  # created and last used, in local time
    call_command("apitoken", "--revoke", first[:8], stderr=StringIO())
    assert_unauthorized(api_get(first))
    assert api_get(second).status_code == 200
    second_id = ApiToken.objects.get(prefix=second[:8]).pk
    call_command("apitoken", "--revoke", str(second_id), stderr=StringIO())
    assert_unauthorized(api_get(second))
    out = StringIO()
    call_command("apitoken", "--list", "province_staff", stdout=out)
    assert "revoked" in out.getvalue() and "phone" not in out.getvalue()


def test_a_password_change_revokes_the_accounts_tokens(world, clock):
    user = world.users["commune_staff"]
    _t, plain = api_token_create(user, "sheet")
    _o, other = api_token_create(world.users["province_staff"], "sheet")
    assert api_get(plain).status_code == 200
    user.set_password("another-long-password-77")  # what `chibo changepassword` does
    user.save()
    assert_unauthorized(api_get(plain))
    assert api_get(other).status_code == 200
    assert ApiToken.objects.get(user=user).revoked_at is not None
    from chibo.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="apitoken", note="revoked: password changed").exists()
    # Saving the account for other reasons (the last sign-in) revokes nothing.
    _n, fresh = api_token_create(user, "new")
    Client().post(LOGIN, {"username": "commune_staff", "password": "another-long-password-77"}, REMOTE_ADDR="192.0.2.9")
    assert api_get(fresh).status_code == 200


def test_deactivating_an_account_revokes_its_tokens(world, clock):
    user = world.users["secretary_a"]
    _t, plain = api_token_create(user, "sheet")
    user.is_active = False
    user.save()
    user.is_active = True  # reactivated later: the old token stays dead
    user.save()
    assert_unauthorized(api_get(plain))


def test_recording_the_last_use_never_makes_a_read_fail(world, clock):
    _t, plain = api_token_create(world.users["province_staff"], "sheet")

    def read_only(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            raise OperationalError("attempt to write a readonly database")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(read_only):
        response = api_get(plain)
    assert response.status_code == 200, response.content
    assert response.json()


def test_my_tokens_page_creates_shows_once_and_revokes(world, clock):
    c = world.client("member")
    page = c.get("/ma-api/")
    assert page.status_code == 200 and "Mã API của tôi" in text(page)
    assert 'href="/ma-api/"' in text(c.get("/"))  # linked from every page
    created = c.post("/ma-api/", {"name": "bảng tính của chi bộ"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    plain = re.search(r'value="(chb_[^"]+)"', created.content.decode()).group(1)
    assert api_get(plain).status_code == 200
    token = ApiToken.objects.get(digest=ApiToken.digest_of(plain))
    assert token.user == world.users["member"] and token.expires_at is not None
    again = c.get("/ma-api/")
    assert plain not in again.content.decode() and token.prefix in again.content.decode()
    assert "bảng tính của chi bộ" in text(again)
    # Nobody else sees or revokes it.
    other = world.client("province_staff")
    assert token.prefix not in other.get("/ma-api/").content.decode()
    assert other.post(f"/ma-api/{token.pk}/thu-hoi/").status_code == 404
    assert api_get(plain).status_code == 200
    assert c.post(f"/ma-api/{token.pk}/thu-hoi/").status_code == 302
    assert_unauthorized(api_get(plain))
    from chibo.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="apitoken", object_id=str(token.pk),
                                     actor=world.users["member"], note="revoked: by its owner").exists()
    assert c.post("/ma-api/", {"name": ""}).status_code == 400


def test_my_tokens_page_needs_sign_in(world):
    anonymous = Client()
    assert anonymous.get("/ma-api/")["Location"].startswith(LOGIN)
    assert anonymous.post("/ma-api/1/thu-hoi/")["Location"].startswith(LOGIN)
