"""The "6 rõ" task journey on a phone: the secretary assigns a task and forgets the deadline,
is told which rõ is missing, completes it; the member reports progress with one tap and then
the result with evidence; the secretary (the verifier) returns it, then accepts it; the
commune's list of tasks due soon changes accordingly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.core.dates import today
from chibo.plans import services as plans
from chibo.tasks.models import Task
from tests.browser.test_journeys import no_horizontal_scroll

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_task_assigned_reported_returned_and_accepted_on_a_phone(
        new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Path, tmp_path: Path) -> None:
    w = browser_world
    day = today()
    res = plans.resolution_create(actor=None, organisation=w.org["C1"], body="congress", kind="resolution",
                                  number="01-NQ/ĐH", issued_on=dt.date(2025, 8, 20), period_start=2025,
                                  period_end=2030, title="Nghị quyết Đại hội Đảng bộ xã nhiệm kỳ 2025–2030")
    whole = plans.target_create(actor=None, resolution=res, organisation=w.org["C1"], name="Hộ có nhà vệ sinh mới",
                                unit="hộ", kind="count", target_value=40, roll_up="sum")
    part_a, _part_b = plans.target_break_down(whole, actor=None, shares={w.org["A"]: 20, w.org["B"]: 20})
    secretary = new_context(user=w.users["secretary_a"], **phone).new_page()
    secretary.goto("/to-chuc/A/ke-hoach/")
    secretary.locator("a[href='/viec/moi/?org=A']").click()
    secretary.fill("#id_title", "Vận động 5 hộ làm nhà vệ sinh")
    secretary.select_option("#id_lead", label=w.m["member"].person.full_name)
    secretary.fill("#id_start_on", day.strftime("%d/%m/%Y"))
    secretary.fill("#id_expected_output", "5 hộ có nhà vệ sinh hợp vệ sinh")
    secretary.select_option("#id_verifier", label=w.m["secretary_a"].person.full_name)
    secretary.select_option("#id_target", value=str(part_a.pk))
    secretary.fill("#id_verify_by", (day + dt.timedelta(days=7)).strftime("%d/%m/%Y"))
    secretary.locator("main form button[type=submit]").click()

    summary = secretary.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Rõ thời gian")
    expect(summary.locator("li")).to_have_count(1)  # only the deadline is unclear
    expect(secretary.locator("#id_title")).to_have_value("Vận động 5 hộ làm nhà vệ sinh")  # nothing retyped
    no_horizontal_scroll(secretary, 360)
    secretary.screenshot(path=str(artifacts / "task-form-phone.png"), full_page=True)
    assert not Task.objects.exists()

    secretary.fill("#id_due_on", (day + dt.timedelta(days=2)).strftime("%d/%m/%Y"))
    secretary.locator("main form button[type=submit]").click()
    secretary.wait_for_url("**/viec/*/")
    task = Task.objects.get()

    commune = new_context(user=w.users["commune_staff"]).new_page()
    commune.goto("/to-chuc/C1/viec-den-han/")
    expect(commune.locator("#soon-h + div, #soon-h ~ div").first).to_contain_text("Vận động 5 hộ")

    member = new_context(user=w.users["member"], **phone).new_page()
    member.goto("/viec-cua-toi/")
    card = member.locator(f"#task-{task.pk}")
    expect(card).to_be_visible()
    no_horizontal_scroll(member, 360)
    member.evaluate("window.__noReload = true")
    card.get_by_role("button", name="50%").click()  # one tap
    expect(member.locator(f"#task-{task.pk} [role=meter]")).to_have_attribute("aria-valuenow", "50")
    assert member.evaluate("window.__noReload === true")  # the card was swapped in place
    box = member.locator(f"#task-{task.pk} .quick .btn").first.bounding_box()
    assert box is not None and box["height"] >= 44
    member.screenshot(path=str(artifacts / "my-tasks-phone.png"), full_page=True)

    member.locator(f"#task-{task.pk} a[href$='#submit']").click()
    evidence = tmp_path / "anh-nha-ve-sinh.pdf"
    evidence.write_bytes(PDF)
    member.fill("#id_note", "5 hộ đã làm xong, có ảnh")
    member.set_input_files("#id_file", str(evidence))
    member.locator("button[name=action][value=submit]").click()
    expect(member.locator("main")).to_contain_text("anh-nha-ve-sinh.pdf")

    secretary.goto(f"/viec/{task.pk}/")
    secretary.fill("#id_note", "Thiếu ảnh hộ thứ năm")
    secretary.locator("button[name=action][value=return]").click()
    expect(secretary.locator("main")).to_contain_text("Thiếu ảnh hộ thứ năm")
    task.refresh_from_db()
    assert task.status == "returned"

    member.goto(f"/viec/{task.pk}/")
    member.fill("#id_note", "Đã bổ sung ảnh hộ thứ năm")
    member.locator("button[name=action][value=submit]").click()
    secretary.goto(f"/viec/{task.pk}/")
    secretary.locator("#id_exceeded").check()
    secretary.locator("button[name=action][value=accept]").click()
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "exceeded")

    commune.reload()
    expect(commune.locator("main")).not_to_contain_text("Vận động 5 hộ")

    # the commune overview before and after the cell reports the result on its target
    overview = new_context(user=w.users["commune_staff"]).new_page()
    overview.goto("/to-chuc/C1/chi-tieu/")
    row = overview.locator("table.targets tbody tr", has=overview.locator(f"a[href='/chi-tieu/{whole.pk}/']"))
    before = row.locator(".explain.sum").text_content()  # in the row's "how it is worked out", one click away
    secretary.goto(f"/chi-tieu/{part_a.pk}/")
    expect(secretary.locator("main")).to_contain_text("Vận động 5 hộ làm nhà vệ sinh")  # the task, on its target
    secretary.fill("#id_value", "5")
    secretary.fill("#id_note", "Theo kết quả việc đã được nghiệm thu")
    secretary.locator("#measure-form button[type=submit]").click()
    expect(secretary.locator("#figure-value")).to_have_text("5")
    overview.reload()
    expect(row.locator("td.figure")).to_contain_text("5")
    assert row.locator(".explain.sum").text_content() != before
    expect(row.locator(".explain.sum")).to_contain_text("5")
    record = new_context(user=w.users["secretary_a"]).new_page()
    record.goto(f"/dang-vien/{w.m['member'].pk}/viec/")
    expect(record.locator(".stat .n").nth(2)).to_have_text("1")  # done on time, beyond what was expected
