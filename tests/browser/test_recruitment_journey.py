"""Member development on a phone, from outstanding citizen to official member: the cell
secretary adds a young woman introduced by the Youth Union, records the sympathiser
resolution, a helper, the awareness-class certificate and the admission file, the
verification, the cell's resolution (first without two-thirds: recorded as not passed),
the commune's decision and the ceremony — she becomes a probationary member. The dates are
those of a year ago, so her 12 months of probation have ended: the cell considers her
recognition and the commune decides, and she is official from the 12-month date."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.core.dates import add_months, today
from chibo.recruitment.models import Candidate
from tests.browser.test_journeys import no_horizontal_scroll

pytestmark = pytest.mark.browser

D = dt.date


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _step(page: Any, action: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    box = page.locator(f"#act-{action}")
    if not box.evaluate("e => e.open"):
        box.locator("summary").click()
    for name, value in fields.items():
        page.fill(f"#id_{action}-{name}", value)
    for name, label in (selects or {}).items():
        page.select_option(f"#id_{action}-{name}", label=label)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def test_from_outstanding_citizen_to_official_member_on_a_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path) -> None:
    w = browser_world
    # Twenty months back, so that the 12 months of probation have ended by today.
    start = add_months(today(), -20)
    introduced, sympathiser, certificate = start, start + dt.timedelta(days=30), start + dt.timedelta(days=45)
    applicant, files, verified = start + dt.timedelta(days=60), start + dt.timedelta(days=70), start + dt.timedelta(days=90)
    resolution = start + dt.timedelta(days=120)
    decision, ceremony = resolution + dt.timedelta(days=14), resolution + dt.timedelta(days=28)
    while ceremony.weekday() >= 5:
        ceremony += dt.timedelta(days=1)
    end = add_months(ceremony, 12)
    assert end < today()

    page = new_context(user=w.users["secretary_a"], **phone).new_page()
    page.goto("/to-chuc/A/")
    page.locator("a[href='/to-chuc/A/phat-trien-dang-vien/']").click()
    page.locator("a[href='/ket-nap/moi/?org=A']").click()
    page.fill("#id_introduced_on", _fmt(introduced))
    page.fill("#id_introduced_by", "Chi đoàn thôn Đông")
    page.fill("#id_family_name", "Rơ Mah")
    page.fill("#id_given_name", "Hiền")
    page.check("input[name=sex][value=F]")
    page.fill("#id_birth_date", "05/06/2003")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/ket-nap/*/")
    c = Candidate.objects.get()
    no_horizontal_scroll(page, 360)

    _step(page, "sympathiser", {"on": _fmt(sympathiser), "number": "05-NQ/CB"})
    expect(page.locator("#stage")).to_have_class(re.compile("stage-sympathiser"))
    _step(page, "helper", {"on": _fmt(sympathiser)}, {"person": w.m["secretary_a"].person.full_name})
    box = page.locator("#act-file")
    if not box.evaluate("e => e.open"):
        box.locator("summary").click()
    page.select_option("#id_file-code", value="CN-NTVD")
    page.fill("#id_file-received_on", _fmt(certificate))
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    _step(page, "applicant", {"on": _fmt(applicant)})
    for code in ("1-KND", "2-KND", "3-KND", "5-KND"):
        box = page.locator("#act-file")
        if not box.evaluate("e => e.open"):
            box.locator("summary").click()
        page.select_option("#id_file-code", value=code)
        page.fill("#id_file-received_on", _fmt(files))
        with page.expect_navigation():
            box.locator("button[type=submit]").click()
    expect(page.locator("#file-2-KND")).to_contain_text(_fmt(add_months(files, 12)))
    _step(page, "verification", {"on": _fmt(verified), "result": "Lý lịch rõ ràng"})

    votes = {"on": _fmt(resolution), "number": "12-NQ/CB", "against": "4", "abstain": "0", "present": "9",
             "official": "9"}
    _step(page, "resolution", {**votes, "votes_for": "5"})  # 6 of 9 needed
    expect(page.locator("#resolution")).to_contain_text("6")
    expect(page.locator("#act-decision")).to_have_count(0)  # a failed resolution leads to no decision
    _step(page, "resolution", {**votes, "votes_for": "8", "against": "1"})
    expect(page.locator("#next")).to_contain_text("294-QĐ/TW")
    page.screenshot(path=str(artifacts / "candidate-phone.png"), full_page=True)
    no_horizontal_scroll(page, 360)

    _step(page, "decision", {"on": _fmt(decision), "number": "45-QĐ/ĐU", "decided_by": "Ban Thường vụ Đảng ủy xã"})
    _step(page, "ceremony", {"on": _fmt(ceremony)})
    expect(page.locator("#stage")).to_have_class(re.compile("stage-admitted"))
    c.refresh_from_db()
    m = c.membership
    assert m is not None and m.status == "probationary" and m.admission_date == ceremony

    page.goto("/to-chuc/A/phat-trien-dang-vien/")
    row = page.locator(f"#probation-{m.pk}")
    expect(row).to_contain_text(_fmt(end))
    row.locator("a").first.click()
    page.check("input[name=resolution-proposal][value=recognise]")
    page.fill("#id_resolution-on", _fmt(today()))
    page.fill("#id_resolution-number", "20-NQ/CB")
    for name, value in (("votes_for", "8"), ("against", "0"), ("abstain", "1"), ("present", "9"), ("official", "9")):
        page.fill(f"#id_resolution-{name}", value)
    with page.expect_navigation():
        page.locator("#resolution-form button[type=submit]").click()
    page.fill("#id_decision-on", _fmt(today()))
    page.fill("#id_decision-number", "60-QĐ/ĐU")
    with page.expect_navigation():
        page.locator("#decision-form button[type=submit]").click()
    expect(page.locator("#official-date")).to_have_text(_fmt(end))
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "recognition-phone.png"), full_page=True)
    m.refresh_from_db()
    assert m.status == "official" and m.official_date == end
