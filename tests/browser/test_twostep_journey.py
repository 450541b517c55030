"""Two-step sign-in on a phone (issue 12, point 4): a member signs in with her password, opens
"My account" from her name in the top bar, sets up two-step sign-in by typing the key shown
(the code computed here from it, as her authenticator app would), writes down the recovery
codes, signs out, and signs in again with her password and then the app's code.

The server checks codes against `chibo.accounts.totp.now`, fixed here (the live server runs in
this process), so the second sign-in falls in a later 30-second step than the set-up."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.accounts import totp
from chibo.accounts.models import TwoStep
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

T = 1_780_000_015.0


def test_a_member_turns_on_two_step_sign_in_and_signs_in_with_a_code(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path, monkeypatch: Any) -> None:
    clock = {"t": T}
    monkeypatch.setattr(totp, "now", lambda: clock["t"])
    page = new_context(**phone).new_page()

    page.goto("/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.locator(".topbar a.me").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan-cua-toi/$"))
    page.locator("#twostep a.btn").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan-cua-toi/xac-thuc-hai-buoc/$"))
    qr = page.locator(".qr-box svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and 150 <= box["width"] <= 340  # scannable, and inside the phone's width
    shown = page.locator("#twostep-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", shown)
    key = shown.replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.screenshot(path=str(artifacts / "twostep-setup-phone.png"), full_page=True)
    page.fill("#id_code", totp.totp(secret, T))
    page.locator("main form button[type=submit]").click()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert TwoStep.objects.filter(user=browser_world.users["member"]).exists()
    page.screenshot(path=str(artifacts / "twostep-recovery-codes-phone.png"), full_page=True)
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/$"))

    clock["t"] = T + 30
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/ma-xac-thuc/$"))
    expect(page.locator(".topbar a.me")).to_have_count(0)  # not signed in on the password alone
    page.screenshot(path=str(artifacts / "twostep-code-phone.png"), full_page=True)
    page.fill("#id_code", totp.totp(secret, T + 30))
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".topbar a.me")).to_be_visible()
