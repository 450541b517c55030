"""Two-step sign-in (issue 12, point 4): the TOTP arithmetic against RFC 4226 and RFC 6238 and as
properties; set-up, sign-in with a code or a recovery code, replay, drift, throttling; those
whose role needs it forced to set it up first (the API untouched); the staff's reset; and the
"My account" page (password, other sessions, language).

The clock the codes are checked against is `chibo.accounts.totp.now`, fixed here per test.
Pages are read in English (the language cookie, as chosen in a browser) where a test reads their words."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from hypothesis import assume, given
from hypothesis import strategies as st

from chibo.accounts import totp
from chibo.accounts.models import ApiToken, RecoveryCode, TwoStep, User
from chibo.accounts.tokens import api_token_create
from chibo.audit.models import AuditEvent
from tests.conftest import PASSWORD

T = 1_780_000_015.0  # a fixed instant, 15 s into its 30-second step
LOGIN = "/dang-nhap/"
CODE_PAGE = "/dang-nhap/ma-xac-thuc/"
MINE = "/tai-khoan-cua-toi/"
SETUP = "/tai-khoan-cua-toi/xac-thuc-hai-buoc/"


def unb32(shown: str) -> bytes:
    text = shown.replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


# --- The arithmetic ---------------------------------------------------------------------------------

RFC6238 = [  # RFC 6238, Appendix B: time, SHA-1, SHA-256, SHA-512 (8 digits)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
SEED = b"12345678901234567890"


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_gives_the_rfc_6238_test_vectors(at, sha1, sha256, sha512):
    assert totp.totp(SEED, at, digits=8) == sha1
    assert totp.totp((SEED * 2)[:32], at, digits=8, digest="sha256") == sha256
    assert totp.totp((SEED * 4)[:64], at, digits=8, digest="sha512") == sha512


def test_hotp_gives_the_rfc_4226_test_vectors():
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(SEED, counter) for counter in range(10)] == expected


keys = st.binary(min_size=10, max_size=64)
instants = st.floats(min_value=100, max_value=2 ** 34, allow_nan=False, allow_infinity=False)


@given(key=keys, at=instants, drift=st.sampled_from([-1, 0, 1]))
def test_a_code_is_six_digits_and_accepted_within_one_step_of_drift(key, at, drift):
    code = totp.totp(key, at + drift * totp.STEP_SECONDS)
    assert len(code) == 6 and code.isdigit()
    step = totp.match_step(key, code, at)
    assert step is not None and abs(step - totp.time_step(at)) <= 1
    assert totp.match_step(key, code, at, after=step) is None  # never twice


@given(key=keys, at=instants, drift=st.sampled_from([-3, -2, 2, 3]))
def test_a_code_two_steps_away_is_refused(key, at, drift):
    code = totp.totp(key, at + drift * totp.STEP_SECONDS)
    current = totp.time_step(at)
    assume(code not in {totp.hotp(key, s) for s in range(current - 1, current + 2)})  # a 1-in-a-million twin
    assert totp.match_step(key, code, at) is None


@given(secret=st.binary(min_size=1, max_size=64), other=st.binary(min_size=1, max_size=1))
def test_a_sealed_secret_opens_only_unchanged(secret, other):
    sealed = totp.seal(secret)
    assert totp.unseal(sealed) == secret
    raw = bytearray(base64.urlsafe_b64decode(sealed[2:]))
    raw[20 % len(raw)] ^= other[0] or 1
    with pytest.raises(totp.SealBroken):
        totp.unseal("1$" + base64.urlsafe_b64encode(bytes(raw)).decode())


def test_a_secret_sealed_under_a_retired_key_still_opens(settings):
    sealed = totp.seal(b"twenty-bytes-secret!")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert totp.unseal(sealed) == b"twenty-bytes-secret!"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(totp.SealBroken):
        totp.unseal(sealed)


@given(secret=st.binary(min_size=20, max_size=20))
def test_the_typed_key_is_the_secret_in_groups_of_four(secret):
    shown = totp.grouped(totp.b32(secret))
    assert all(len(group) <= 4 for group in shown.split(" "))
    assert unb32(shown) == secret


# --- Through the pages ------------------------------------------------------------------------------

@pytest.fixture
def clock(monkeypatch):
    now = {"t": T}
    monkeypatch.setattr(totp, "now", lambda: now["t"])
    return now


def english(client: Client | None = None) -> Client:
    client = client or Client()
    client.cookies["django_language"] = "en"  # English chosen in this browser
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def set_up(client: Client, at: float = T) -> tuple[bytes, list[str]]:
    """Open the set-up page, read the key as the person would, confirm with the current code."""
    page = client.get(SETUP)
    assert page.status_code == 200 and 'class="qr"' in page.content.decode() and "<svg" in page.content.decode()
    shown = re.search(r'id="twostep-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", shown)
    secret = unb32(shown)
    done = client.post(SETUP, {"code": totp.totp(secret, at)})
    assert done.status_code == 200, text(done)
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.content.decode())
    return secret, codes


def signed_in_as(client: Client) -> str | None:
    response = client.get("/tai-khoan-cua-toi/")
    if response.status_code != 200:
        return None
    return re.search(r"<code>([^<]+)</code>", response.content.decode()).group(1)


def password_step(client: Client, username: str, ip: str = "10.0.0.7") -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def code_step(client: Client, code: str, ip: str = "10.0.0.7") -> Any:
    return client.post(CODE_PAGE, {"code": code}, REMOTE_ADDR=ip)


def test_setting_up_shows_the_key_confirms_with_a_code_and_gives_ten_recovery_codes(world, clock):
    client = english()
    client.force_login(world.users["member"])
    assert "off" in text(client.get(MINE))
    wrong = client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 400 and "date and time are set automatically" in text(wrong)
    assert not TwoStep.objects.filter(user=world.users["member"]).exists()
    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    ts = TwoStep.objects.get(user=world.users["member"])
    assert totp.unseal(ts.sealed_secret) == secret and totp.b32(secret) not in ts.sealed_secret
    assert ts.last_step == totp.time_step(T)  # the confirming code is used up
    assert RecoveryCode.objects.filter(user=world.users["member"], used_at__isnull=True).count() == 10
    assert not any(codes[0].replace("-", "") in rc.digest for rc in RecoveryCode.objects.all())
    assert AuditEvent.objects.filter(object_id=str(world.users["member"].pk), note="two-step sign-in turned on").exists()
    assert client.get(SETUP).status_code == 302  # already on


def test_sign_in_asks_for_the_code_after_the_password_and_only_then_signs_in(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    secret, _codes = set_up(owner)
    clock["t"] = T + 60
    client = english()
    response = password_step(client, "member")
    assert response.status_code == 302 and response["Location"] == CODE_PAGE
    assert signed_in_as(client) is None  # the password alone signs nobody in
    wrong = code_step(client, "123456" if totp.totp(secret, T + 60) != "123456" else "654321")
    assert wrong.status_code == 400 and "not right" in text(wrong) and signed_in_as(client) is None
    done = code_step(client, totp.totp(secret, T + 60))
    assert done.status_code == 302 and done["Location"] == "/"
    assert signed_in_as(client) == "member"


def test_a_code_is_accepted_once(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    secret, _codes = set_up(owner)
    clock["t"] = T + 30
    code = totp.totp(secret, T + 30)
    first = english()
    password_step(first, "member")
    assert code_step(first, code).status_code == 302
    again = english()
    password_step(again, "member")
    replayed = code_step(again, code)
    assert replayed.status_code == 400 and "already been used" in text(replayed)
    assert signed_in_as(again) is None


def test_one_step_of_clock_drift_either_way_is_accepted_two_are_not(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    secret, _codes = set_up(owner)
    base = T + 300
    clock["t"] = base
    for offset, accepted in ((-2, False), (-1, True), (+2, False), (+1, True)):
        client = english()
        password_step(client, "member")
        response = code_step(client, totp.totp(secret, base + offset * 30))
        assert (response.status_code == 302) is accepted, (offset, text(response))


def test_a_recovery_code_signs_in_once_and_is_audited(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    _secret, codes = set_up(owner)
    client = english()
    password_step(client, "member")
    done = code_step(client, codes[3].upper().replace("-", " "))  # typed loosely
    assert done.status_code == 302 and signed_in_as(client) == "member"
    assert "Recovery codes left: 9." in text(client.get(MINE))
    assert AuditEvent.objects.filter(note="two-step sign-in: recovery code used (9 left)").count() == 1
    again = english()
    password_step(again, "member")
    refused = code_step(again, codes[3])
    assert refused.status_code == 400 and "used already" in text(refused) and signed_in_as(again) is None


def test_wrong_codes_are_throttled_like_wrong_passwords(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    secret, _codes = set_up(owner)
    clock["t"] = T + 600
    right = totp.totp(secret, T + 600)
    wrong = "000000" if right != "000000" else "111111"
    client = english()
    password_step(client, "member")
    statuses = [code_step(client, wrong).status_code for _i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    paused = code_step(client, right)
    assert paused.status_code == 429 and int(paused["Retry-After"]) > 0 and "Wait" in text(paused)
    assert signed_in_as(client) is None


def test_the_code_page_without_a_password_first_sends_back_to_sign_in(world):
    response = english().post(CODE_PAGE, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_activating_with_a_code_does_not_skip_the_second_step(world, clock):
    from chibo.accounts import services

    owner = english()
    owner.force_login(world.users["member"])
    secret, _codes = set_up(owner)
    code = services.password_reset(actor=world.users["commune_staff"], user=world.users["member"])
    client = english()
    response = client.post("/kich-hoat/", {"username": "member", "code": code, "password1": "a-new-long-password-7",
                                           "password2": "a-new-long-password-7"})
    assert response.status_code == 302 and response["Location"] == CODE_PAGE and signed_in_as(client) is None
    clock["t"] = T + 30
    assert code_step(client, totp.totp(secret, T + 30)).status_code == 302 and signed_in_as(client) == "member"


# --- Who must have it ------------------------------------------------------------------------------

def test_required_roles_must_set_it_up_before_opening_anything_else(world, clock, settings):
    settings.CHIBO_REQUIRE_2FA_FOR = "commune_staff,province_staff,admin"
    staff = world.client("commune_staff")
    for url in ("/", "/dang-vien/", MINE, "/ma-api/", "/tai-khoan/"):
        response = staff.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP, url
    htmx = staff.get("/dang-vien/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == SETUP
    assert staff.get(SETUP).status_code == 200
    assert world.client("admin").get("/").status_code == 302
    assert world.client("member").get("/").status_code == 200  # a member may, not must
    assert world.client("secretary_a").get("/").status_code == 200
    set_up(staff)
    assert staff.get("/dang-vien/").status_code == 200
    assert staff.post("/dang-xuat/").status_code == 302


def test_sign_out_is_open_before_the_set_up(world, settings):
    settings.CHIBO_REQUIRE_2FA_FOR = "admin"
    admin = world.client("admin")
    response = admin.post("/dang-xuat/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert admin.get("/")["Location"].startswith(LOGIN)


def test_the_setting_can_require_it_of_every_member(world, settings):
    settings.CHIBO_REQUIRE_2FA_FOR = "member"
    assert world.client("member").get("/")["Location"] == SETUP
    settings.CHIBO_REQUIRE_2FA_FOR = "cell_committee"
    assert world.client("member").get("/").status_code == 200
    assert world.client("secretary_a").get("/")["Location"] == SETUP


def test_the_api_is_not_affected(world, settings):
    settings.CHIBO_REQUIRE_2FA_FOR = "commune_staff,province_staff,admin"
    _token, plaintext = api_token_create(world.users["commune_staff"], "report")
    response = Client().get("/api/v1/organisations/C1/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200 and response.json()["code"] == "C1"


# --- The staff's reset ------------------------------------------------------------------------------

def test_staff_reset_a_lost_phone_in_their_scope_only(world, clock):
    member = world.users["member"]
    phone = english()
    phone.force_login(member)
    set_up(phone)
    staff = english(world.client("commune_staff"))
    detail = staff.get(f"/tai-khoan/{member.pk}/")
    assert detail.status_code == 200 and "twostep-reset" in text(detail)
    listing = text(staff.get("/tai-khoan/"))
    assert re.search(r">member</span>.*?<span class=\"tag done\">on</span>", listing)
    assert world.client("other_commune_staff").post(f"/tai-khoan/{member.pk}/twostep-reset/").status_code == 404
    assert world.client("secretary_a").post(f"/tai-khoan/{member.pk}/twostep-reset/").status_code == 404
    assert TwoStep.objects.filter(user=member).exists()
    response = staff.post(f"/tai-khoan/{member.pk}/twostep-reset/")
    assert response.status_code == 302
    assert not TwoStep.objects.filter(user=member).exists() and not RecoveryCode.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(note="two-step sign-in reset by the staff")
    assert event.actor_id == world.users["commune_staff"].pk and event.object_id == str(member.pk)
    assert signed_in_as(phone) is None  # signed out everywhere
    client = english()
    assert password_step(client, "member")["Location"] == "/"  # the password alone again


# --- My account -------------------------------------------------------------------------------------

def test_my_account_is_linked_from_the_top_bar_and_the_footer(world):
    page = world.client("member").get("/").content.decode()
    assert page.count(f'href="{MINE}"') == 2


def test_changing_my_password_keeps_me_here_signs_out_elsewhere_and_revokes_tokens(world):
    user = world.users["member"]
    here, elsewhere = english(), english()
    here.force_login(user)
    elsewhere.force_login(user)
    api_token_create(user, "sheet")
    page = text(here.get(MINE))
    assert "API tokens are revoked" in page
    weak = here.post("/tai-khoan-cua-toi/mat-khau/", {"old_password": PASSWORD, "new_password1": "1234567890",
                                                      "new_password2": "1234567890"})
    assert weak.status_code == 400
    done = here.post("/tai-khoan-cua-toi/mat-khau/", {"old_password": PASSWORD, "new_password1": "a-fresh-long-pass-99",
                                                      "new_password2": "a-fresh-long-pass-99"})
    assert done.status_code == 302
    assert signed_in_as(here) == "member" and signed_in_as(elsewhere) is None
    assert User.objects.get(pk=user.pk).check_password("a-fresh-long-pass-99")
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(note="password changed by its owner", object_id=str(user.pk)).exists()


def test_signing_out_my_other_sessions(world):
    user = world.users["member"]
    here, phone, laptop, other_person = english(), english(), english(), english()
    for client in (here, phone, laptop):
        client.force_login(user)
    other_person.force_login(world.users["secretary_a"])
    assert here.post("/tai-khoan-cua-toi/dang-xuat-noi-khac/").status_code == 302
    assert signed_in_as(here) == "member"
    assert signed_in_as(phone) is None and signed_in_as(laptop) is None
    assert signed_in_as(other_person) == "secretary_a"
    assert AuditEvent.objects.filter(note="signed out of the other sessions (2)").exists()
    assert Session.objects.count() == 2


def test_my_language_sticks_across_devices(world):
    user = world.users["member"]
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    response = client.post("/tai-khoan-cua-toi/ngon-ngu/", {"language": "en"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    other = Client(HTTP_ACCEPT_LANGUAGE="vi")  # another device, asking for Vietnamese
    other.force_login(user)
    assert '<html lang="en">' in other.get(MINE).content.decode()
    assert client.post("/tai-khoan-cua-toi/ngon-ngu/", {"language": "xx"}).status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    back = client.post("/tai-khoan-cua-toi/ngon-ngu/", {"language": "vi"})
    assert back.cookies["django_language"].value == "vi"
    assert '<html lang="vi">' in other.get(MINE).content.decode()


def test_turning_it_off_needs_the_password_and_a_required_role_sets_it_up_again(world, clock, settings):
    owner = english()
    owner.force_login(world.users["member"])
    set_up(owner)
    refused = owner.post("/tai-khoan-cua-toi/xac-thuc-hai-buoc/tat/", {"password": "wrong"})
    assert refused.status_code == 400 and TwoStep.objects.filter(user=world.users["member"]).exists()
    done = owner.post("/tai-khoan-cua-toi/xac-thuc-hai-buoc/tat/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == MINE
    assert not TwoStep.objects.filter(user=world.users["member"]).exists()
    assert AuditEvent.objects.filter(note="two-step sign-in turned off").exists()
    settings.CHIBO_REQUIRE_2FA_FOR = "commune_staff"
    staff = english(world.client("commune_staff"))
    set_up(staff)
    moved = staff.post("/tai-khoan-cua-toi/xac-thuc-hai-buoc/tat/", {"password": PASSWORD})
    assert moved["Location"] == SETUP and staff.get("/")["Location"] == SETUP


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(world, clock):
    owner = english()
    owner.force_login(world.users["member"])
    secret, old = set_up(owner)
    clock["t"] = T + 30
    assert owner.post("/tai-khoan-cua-toi/xac-thuc-hai-buoc/ma-du-phong/", {"code": old[0]}).status_code == 400
    renewed = owner.post("/tai-khoan-cua-toi/xac-thuc-hai-buoc/ma-du-phong/", {"code": totp.totp(secret, T + 30)})
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", renewed.content.decode())
    assert renewed.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    client = english()
    password_step(client, "member")
    assert code_step(client, old[0]).status_code == 400
    assert code_step(client, new[0]).status_code == 302
