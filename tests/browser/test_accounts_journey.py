"""Issue 12: accounts, as people use them.

On an office PC, the commune clerk opens the accounts page, finds the secretary who typed a
wrong password too often, unlocks her, and resets a forgotten password for another member,
reading out the new one-time code. On a phone, the secretary of cell A prints the slips for
her cell's members without accounts; at the cell meeting a member opens the address on the
slip on his phone, types the username and the code, chooses a password (a weak one is refused
first, saying why), and lands in chibo signed in."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chibo.accounts.models import SignInFailure, User

pytestmark = pytest.mark.browser

STRONG = "ruong-bac-thang-ia-mo"


def test_the_clerk_unlocks_and_resets_on_a_pc(new_context: Any, browser_world: Any, artifacts: Path) -> None:
    w = browser_world
    SignInFailure.objects.create(username="secretary_a", ip="203.0.113.7", at=timezone.now())
    clerk = new_context(user=w.users["commune_staff"], viewport={"width": 1280, "height": 900}).new_page()
    clerk.goto("/")
    clerk.get_by_role("link", name="Tài khoản và vai trò").click()
    clerk.get_by_label("Họ tên hoặc tên đăng nhập").fill("thang")
    clerk.locator("main").get_by_role("button", name="Tìm").click()  # not the search box of the top bar
    clerk.wait_for_load_state("networkidle")  # the typed search and the button's: both answered
    row = clerk.locator("tr", has_text="secretary_a")
    expect(row).to_contain_text("lần đăng nhập sai")
    row.get_by_role("link").first.click()
    expect(clerk.locator("main h1")).to_contain_text("Ksor Thăng")  # the account page, whatever else answered
    clerk.get_by_role("button", name="Mở khóa: xóa các lần đăng nhập sai").click()
    expect(clerk.locator(".messages, [role=status]").first).to_contain_text("có thể đăng nhập lại ngay")
    assert not SignInFailure.objects.filter(username="secretary_a").exists()

    clerk.goto(f"/tai-khoan/{w.users['member'].pk}/")
    clerk.get_by_role("button", name="Đặt lại mật khẩu (cấp mã dùng một lần mới)").click()
    code = clerk.locator("#code").inner_text()
    assert re.fullmatch(r"\d{5} \d{5}", code)
    clerk.screenshot(path=str(artifacts / "accounts-reset-pc.png"), full_page=True)

    member = new_context().new_page()
    member.goto("/kich-hoat/")
    member.get_by_label("Tên đăng nhập").fill("member")
    member.get_by_label("Mã trên phiếu (10 chữ số)").fill(code)
    member.locator("#id_password1").fill(STRONG)
    member.locator("#id_password2").fill(STRONG)
    member.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(member.get_by_text("Đã đặt mật khẩu và bạn đã đăng nhập")).to_be_visible()


def test_slips_printed_on_a_phone_and_a_member_activates_with_one(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path, tmp_path: Path) -> None:
    w = browser_world
    secretary = new_context(user=w.users["secretary_a"], **phone).new_page()
    secretary.goto("/to-chuc/A/")
    secretary.get_by_role("link", name="Tài khoản của đảng viên").click()
    woman = w.m["a_woman"].person
    expect(secretary.locator(f"#p{woman.pk}")).to_be_checked()
    secretary.screenshot(path=str(artifacts / "accounts-slips-phone.png"), full_page=True)
    with secretary.expect_download() as download:
        secretary.get_by_role("button", name="In phiếu (PDF)").click()
    pdf = tmp_path / "phieu.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    username = User.objects.get(person=woman).username
    code = re.search(r"Mã dùng một lần: (\d{5} \d{5})", text).group(1)  # type: ignore[union-attr]
    assert username in text and "/kich-hoat/" in text

    member = new_context(**phone).new_page()
    member.goto("/kich-hoat/")
    member.get_by_label("Tên đăng nhập").fill(username)
    member.get_by_label("Mã trên phiếu (10 chữ số)").fill(code)
    member.locator("#id_password1").fill("matkhau2026")
    member.locator("#id_password2").fill("matkhau2026")
    member.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(member.locator(".has-error")).to_contain_text("quá dễ đoán")
    member.get_by_label("Mã trên phiếu (10 chữ số)").fill(code)
    member.locator("#id_password1").fill(STRONG)
    member.locator("#id_password2").fill(STRONG)
    member.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    expect(member.get_by_text("Đã đặt mật khẩu và bạn đã đăng nhập")).to_be_visible()
    width = member.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide on a 360px phone"

    secretary.goto("/to-chuc/A/tai-khoan/")
    expect(secretary.locator("tr", has_text=woman.full_name)).to_contain_text("đang dùng")
