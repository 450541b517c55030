"""A month's meeting from a phone: the secretary prepares the meeting, attaches the draft
resolution and announces it (the member sees the invitation and the material); at a meeting
already under way, records an admission voted by two-thirds of the official members, records
the meeting as held, writes and finalises the minutes and opens their PDF, whose text holds the
attendance and the Vietnamese headings. (Taking the attendance offline is its own journey,
tests/browser/test_attendance_offline.py.)"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chibo.meetings import services
from chibo.meetings.models import Meeting, Vote
from tests.browser.test_journeys import no_horizontal_scroll

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_prepare_announce_vote_and_print_the_minutes_on_a_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path, tmp_path: Path) -> None:
    w = browser_world
    today = timezone.localdate()
    secretary = new_context(user=w.users["secretary_a"], **phone).new_page()

    # Prepare next month's meeting and announce it with its material
    secretary.goto("/hop/moi/?org=A")
    secretary.fill("#id_date", (today + dt.timedelta(days=5)).strftime("%d/%m/%Y"))
    secretary.fill("#id_start_time", "19:30")
    secretary.fill("#id_place", "Nhà văn hóa thôn Đông")
    secretary.locator("main form button[type=submit]").click()
    secretary.wait_for_url("**/hop/*/")
    upcoming = Meeting.objects.get(date=today + dt.timedelta(days=5))
    draft = tmp_path / "du-thao-nghi-quyet.pdf"
    draft.write_bytes(PDF)
    secretary.locator("#material-form input[type=file]").set_input_files(str(draft))
    secretary.locator("#material-form button[type=submit]").click()
    expect(secretary.locator("#materials")).to_contain_text("du-thao-nghi-quyet.pdf")
    secretary.locator(f"form[action='/hop/{upcoming.pk}/cong-bo/'] button").click()
    upcoming.refresh_from_db()
    assert upcoming.status == "published"
    no_horizontal_scroll(secretary, 360)

    member = new_context(user=w.users["member"], **phone).new_page()
    member.goto("/cua-toi/")
    expect(member.locator("main")).to_contain_text("Nhà văn hóa thôn Đông")
    expect(member.locator("a[href^='/hop/tai-lieu/']")).to_have_count(1)
    member.goto("/nhac-viec/")
    expect(member.locator(f"a[href='/hop/{upcoming.pk}/']").first).to_be_visible()

    # Today's meeting, under way: everyone present but one, with a reason
    m = services.meeting_create(actor=None, organisation=w.org["A"], kind="regular", date=today,
                                start_time=dt.time(0, 0), place="Nhà văn hóa thôn Đông",
                                chair=w.m["secretary_a"].person, recorder=w.m["member"].person)
    rows = list(m.attendance.select_related("person").order_by("person__sort_key"))
    for i, row in enumerate(rows):
        services.attendance_record(m, actor=None, person_id=row.person_id, status="excused" if i == 0 else "present",
                                   reason="Ốm" if i == 0 else "")
    official = sum(1 for r in rows if r.official)
    need = -(-official * 2 // 3)

    secretary.goto(f"/hop/{m.pk}/bieu-quyet/")
    secretary.locator("input[name=kind][value=admission]").check()
    secretary.fill("#id_title", "Đề nghị kết nạp quần chúng Siu Bơi vào Đảng")
    secretary.fill("#id_votes_for", str(need))
    secretary.fill("#id_votes_against", "0")
    secretary.fill("#id_votes_abstain", "0")
    secretary.locator("main form button[type=submit]").click()
    expect(secretary.locator("#votes .vote-passed")).to_be_visible()
    vote = Vote.objects.get(meeting=m)
    assert vote.passed and f"{need}" in vote.basis

    secretary.goto(f"/hop/{m.pk}/")
    secretary.fill("#held #id_end_time", "02:00")
    secretary.locator("#held button[type=submit]").click()
    m.refresh_from_db()
    assert m.status == "held"

    secretary.goto(f"/hop/{m.pk}/bien-ban/")
    secretary.locator("form input[name=action][value=draft] + button, form:has(input[value=draft]) button").first.click()
    secretary.locator("button[name=action][value=finalise]").click()
    minutes = m.minutes.get()
    assert minutes.final
    secretary.screenshot(path=str(artifacts / "minutes-phone.png"), full_page=True)

    response = secretary.request.get(f"/hop/bien-ban/{minutes.pk}.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: run scripts/bootstrap.sh --browser (installs poppler-utils)")
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "BIÊN BẢN" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    for row in rows:
        assert row.person.full_name in text  # the attendance, by name
    assert "Siu Bơi" in text  # the vote
