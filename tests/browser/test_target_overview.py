"""The commune's target overview on a 360px phone and a 1366px screen (issue 14, point 4): one
card per target on the phone, nothing scrolls sideways, the arithmetic opens with one tap, and a
target opens to its cells' contributions, the one most behind first."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.plans import services as plans
from tests.browser.test_journeys import no_horizontal_scroll

pytestmark = pytest.mark.browser


def _targets(w: Any) -> Any:
    res = plans.resolution_create(actor=None, organisation=w.org["C1"], body="congress", kind="resolution",
                                  number="01-NQ/ĐH", issued_on=dt.date(2025, 7, 20), period_start=2025,
                                  period_end=2030, title="Nghị quyết Đại hội Đảng bộ xã nhiệm kỳ 2025–2030")
    admit = plans.target_create(actor=None, resolution=res, organisation=w.org["C1"],
                                name="Kết nạp đảng viên mới (cả nhiệm kỳ), ưu tiên đoàn viên thanh niên, phụ nữ và "
                                     "người dân tộc thiểu số ở các thôn, làng còn khó khăn",
                                unit="đảng viên", kind="count", target_value=D(30), roll_up="sum")
    part_a, part_b = plans.target_break_down(admit, actor=None, shares={w.org["A"]: D(25), w.org["B"]: D(5)})
    water = plans.target_create(actor=None, resolution=res, organisation=w.org["C1"],
                                name="Tỷ lệ hộ dân sử dụng nước sạch theo quy chuẩn", unit="%", kind="percent",
                                baseline_value=D("62.5"), baseline_year=2025, target_value=D(90), roll_up="none")
    day = dt.date(2026, 6, 30)
    plans.measurement_record(actor=None, target=part_a, measured_on=day, value=D(0))
    plans.measurement_record(actor=None, target=part_b, measured_on=day, value=D(5))
    plans.measurement_record(actor=None, target=water, measured_on=day, value=D("70.25"))
    return admit, part_a, part_b


def test_the_overview_on_a_phone_opens_a_target_to_its_cells(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path) -> None:
    w = browser_world
    admit, part_a, part_b = _targets(w)
    page = new_context(user=w.users["commune_staff"], **phone).new_page()
    page.goto("/to-chuc/C1/chi-tieu/")
    rows = page.locator("tr.target-row")
    expect(rows).to_have_count(2)
    no_horizontal_scroll(page, 360)
    for i in range(rows.count()):  # each target is a card within the screen
        box = rows.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    row = page.locator(f"tr#target-{admit.pk}")
    expect(row.locator("td.behind")).to_contain_text("Chi bộ Thôn Đông")  # A is behind, B is not
    expect(row.locator("td.behind")).not_to_contain_text("Chi bộ Làng Ia Rơ")
    arithmetic = row.locator("details.arith")
    expect(arithmetic.locator(".explain").first).not_to_be_visible()  # not inline …
    arithmetic.locator("summary").click()
    expect(arithmetic.locator(".explain").first).to_be_visible()  # … one tap away
    expect(arithmetic).to_contain_text("0 + 5 = 5")
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "target-overview-360.png"), full_page=True)

    row.locator(f"a[href='/chi-tieu/{admit.pk}/']").click()
    expect(page).to_have_url(re.compile(rf"/chi-tieu/{admit.pk}/$"))
    parts = page.locator("#parts tr.part")
    expect(parts).to_have_count(2)
    expect(parts.first).to_contain_text("Chi bộ Thôn Đông")  # the most behind first
    expect(parts.nth(1)).to_contain_text("Chi bộ Làng Ia Rơ")
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "target-contributions-360.png"), full_page=True)
    parts.first.locator(f"a[href='/chi-tieu/{part_a.pk}/']").click()  # and on to the cell's own part
    expect(page.locator("h1")).to_contain_text("Kết nạp đảng viên mới")
    expect(page.locator(".crumbs")).to_contain_text("Kết nạp đảng viên mới")


def test_the_overview_fits_a_1366px_screen(new_context: Any, browser_world: Any, artifacts: Path) -> None:
    w = browser_world
    _targets(w)
    page = new_context(user=w.users["commune_staff"], viewport={"width": 1366, "height": 768}).new_page()
    page.goto("/to-chuc/C1/chi-tieu/")
    expect(page.locator("tr.target-row")).to_have_count(2)
    no_horizontal_scroll(page, 1366)
    wrap = page.locator(".targets-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways inside its box"
    expect(page.locator("table.targets thead")).to_be_visible()  # a table, not cards
    page.screenshot(path=str(artifacts / "target-overview-1366.png"), full_page=True)
