"""The main user journeys, driven in Chromium against the live server.

Elements are found by URL, id, name and role; visible text is matched only for people's and
organisations' names, so the tests hold whether or not the Vietnamese catalogue is compiled."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chibo.members.models import Person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SAVE = "main form[method=post] button[type=submit]"  # not the sign-out button in the top bar


def no_horizontal_scroll(page: Any, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"page is {scroll_width}px wide on a {width}px screen"


def mark_page(page: Any) -> None:
    """Tag the current document; `still_same_page` is then false after a full reload."""
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__chiboNoReload = true")


def still_same_page(page: Any) -> bool:
    return page.evaluate("window.__chiboNoReload === true")


def test_sign_in(new_context: Any, browser_world: Any, live_server: Any) -> None:
    page = new_context().new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next=(/|%2F)$"))

    page.fill("#id_username", "secretary_a")
    page.fill("#id_password", "not-the-password")
    page.locator(SAVE).click()
    expect(page.locator("main .alert.error[role=alert]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dang-nhap/(\?|$)"))
    expect(page.locator("#id_password")).to_have_value("")

    page.fill("#id_password", PASSWORD)
    page.locator(SAVE).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("main h1")).to_have_text(browser_world.org["A"].name)
    charts = page.locator("#dashboard svg[role=img]")  # the figures follow in their own request
    expect(charts.first).to_be_visible()
    expect(charts).not_to_have_count(0)
    page.wait_for_function("() => window.htmx !== undefined")  # static files are served


def test_find_member_without_diacritics(new_context: Any, browser_world: Any) -> None:
    page = new_context(user=browser_world.users["commune_staff"]).new_page()
    page.goto("/dang-vien/")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Lê Văn Bình")).to_be_visible()
    mark_page(page)

    page.locator("#id_q").press_sequentially("nguyen van duc", delay=25)

    expect(results.get_by_role("link", name="Lê Văn Bình")).to_have_count(0)
    expect(results.get_by_role("link", name="Nguyễn Văn Đức")).to_be_visible()
    expect(results.locator("tbody tr")).to_have_count(1)  # Phạm Văn Đức is in another commune
    expect(page).to_have_url(re.compile(r"[?&]q=nguyen(\+|%20)van(\+|%20)duc"))
    assert still_same_page(page), "the search reloaded the page instead of swapping #results"


def test_edit_member(new_context: Any, browser_world: Any) -> None:
    m = browser_world.m["member"]
    page = new_context(user=browser_world.users["secretary_a"]).new_page()
    page.goto(f"/dang-vien/{m.pk}/")
    expect(page.locator("main h1")).to_have_text("Nguyễn Văn Đức")

    page.locator('main a[href$="/sua/"]').click()
    expect(page).to_have_url(re.compile(rf"/dang-vien/{m.pk}/sua/$"))
    page.fill("#id_phone", "0905 123 456")
    page.locator(SAVE).click()
    expect(page).to_have_url(re.compile(rf"/dang-vien/{m.pk}/$"))
    expect(page.locator("main .alert.success")).to_be_visible()
    expect(page.locator('main a[href^="tel:"]')).to_have_text("0905 123 456")
    assert Person.objects.get(pk=m.person_id).phone == "0905 123 456"

    original_id = Person.objects.get(pk=m.person_id).citizen_id
    page.locator('main a[href$="/sua/"]').click()
    page.fill("#id_citizen_id", "123")
    page.locator(SAVE).click()
    expect(page).to_have_url(re.compile(rf"/dang-vien/{m.pk}/sua/$"))
    field = page.locator(".field", has=page.locator("#id_citizen_id"))
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(field.locator(".errorlist")).to_be_visible()
    expect(page.locator("#id_citizen_id")).to_have_value("123")  # kept for correction
    assert Person.objects.get(pk=m.person_id).citizen_id == original_id


def test_dashboard_on_phone(new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Any) -> None:
    page = new_context(user=browser_world.users["secretary_a"], **phone).new_page()
    page.goto("/")
    expect(page.locator("main h1")).to_have_text(browser_world.org["A"].name)
    no_horizontal_scroll(page, 360)

    charts = page.locator("svg[role=img]")
    expect(page.locator("#dashboard svg[role=img]").first).to_be_visible()  # the figures follow in their own request
    assert charts.count() >= 1
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 361

    page.locator("details[data-menu] > summary").tap()  # the menu items are behind the "Menu" button
    targets = page.locator(".topbar a, .topbar button, .topbar summary")  # brand, menu, its 7 items, sign out
    assert targets.count() >= 10
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box is not None and box["height"] >= 44, f"nav item {i} is {box and box['height']}px tall"

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)


def test_member_list_on_phone(new_context: Any, browser_world: Any, phone: dict[str, Any], artifacts: Any) -> None:
    page = new_context(user=browser_world.users["commune_staff"], **phone).new_page()
    page.goto("/dang-vien/")
    expect(page.locator("#results").get_by_role("link", name="Nguyễn Văn Đức")).to_be_visible()
    expect(page.locator("#results thead")).to_be_hidden()  # rows are stacked as cards
    no_horizontal_scroll(page, 360)
    page.screenshot(path=str(artifacts / "members-phone.png"), full_page=True)


def test_expand_organisation_tree(new_context: Any, browser_world: Any) -> None:
    province = browser_world.org["P"]
    page = new_context(user=browser_world.users["province_staff"]).new_page()
    page.goto("/to-chuc/")
    expect(page.locator(".tree").get_by_role("link", name=province.name)).to_be_visible()
    toggle = page.locator(f'button.toggle[aria-controls="kids-{province.pk}"]')
    expect(toggle).to_have_attribute("aria-expanded", "false")
    kids = page.locator(f"#kids-{province.pk}")
    expect(kids).to_be_empty()
    mark_page(page)

    toggle.click()

    for commune in ("C1", "C2"):
        expect(kids.get_by_role("link", name=browser_world.org[commune].name)).to_be_visible()
    expect(kids.locator("button.toggle")).to_have_count(2)  # each commune has cells under it
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert still_same_page(page), "expanding the tree reloaded the page"


@pytest.fixture
def worker(settings: Any) -> Any:
    """The real database queue with a real worker (django-tasks' db_worker loop) in a thread
    of the test process, so the pages show the job waiting, running and done."""
    import threading

    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    w = Worker(queue_names=["*"], interval=0.1, batch=False, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id="browser-test", excluded_queue_names=[])

    def run() -> None:
        try:
            w.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield w
    w.running = False
    thread.join(timeout=30)


def test_import_journey(new_context: Any, browser_world: Any, worker: Any, tmp_path: Any) -> None:
    """Upload a file with an error, see it named, fix it, upload again, watch the progress bar
    while a real worker checks and imports 6,000 members, done."""
    from tests.test_import import MEMBER_HEADERS, member_row, xlsx

    bad = tmp_path / "ds.xlsx"
    bad.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Mai Thị Lụa", "05219000060")]}))
    good = tmp_path / "ds-sua.xlsx"
    many = [member_row(f"Mai Thị Lụa {i}", f"06619{i:07d}") for i in range(1, 6000)]
    good.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Mai Thị Lụa", "052190000600"), *many]}))
    page = new_context(user=browser_world.users["commune_staff"]).new_page()
    page.goto("/dang-vien/")
    page.locator('main a[href="/nhap-du-lieu/"]').click()
    page.set_input_files("#id_file", str(bad))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/nhap-du-lieu/\d+/$"))
    expect(page.locator("main .alert.error")).to_be_visible()
    expect(page.locator("main table.stack")).to_contain_text("Số CCCD")
    expect(page.locator("#commit")).to_have_count(0)

    page.goto("/nhap-du-lieu/")
    page.set_input_files("#id_file", str(good))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-progress")).to_be_visible()  # the worker checks 6,000 rows
    expect(page.locator("#commit")).to_be_visible(timeout=60_000)
    page.locator("#commit").click()
    expect(page.locator("#import-progress")).to_be_visible()  # and imports them
    expect(page.locator("main .alert.success")).to_be_visible(timeout=60_000)
    expect(page.locator("#import-progress")).to_have_count(0)
    assert Person.objects.filter(citizen_id="052190000600").exists()
    assert Person.objects.filter(citizen_id__startswith="06619").count() == 5999
