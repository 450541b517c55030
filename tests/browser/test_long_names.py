"""Very long names and titles on a 360 px phone (issue 14, "Bad input"): a 200-character
organisation name, a member's name at its longest, a long task title, document title and meeting
place — each with a long unbroken run, as a pasted code or a name written without spaces is —
wrap inside the page: nothing scrolls sideways on any page that shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chibo.core.dates import today
from chibo.documents import services as documents
from chibo.meetings import services as meetings
from chibo.members.models import Person
from chibo.organisations.models import Organisation
from chibo.tasks import services as tasks

pytestmark = pytest.mark.browser

RUN = "NQ-01/2026/ĐU-CB-THÔNĐÔNGBẮCNAMTRUNGKHUVỰCMỘTHAIBA"  # 50 characters without a break


def _long(prefix: str, n: int) -> str:
    text = f"{prefix} {RUN} "
    while len(text) < n:
        text += "Đoàn kết xây dựng nông thôn mới văn minh "
    return text[:n].strip()


@pytest.fixture
def long_world(browser_world: Any) -> dict[str, str]:
    w = browser_world
    Organisation.objects.filter(pk=w.org["A"].pk).update(name=_long("Chi bộ thôn", 200))
    Organisation.objects.filter(pk=w.org["C1"].pk).update(name=_long("Đảng bộ xã", 200))
    person = w.m["member"].person
    Person.objects.filter(pk=person.pk).update(family_name=_long("Nguyễn", 50), middle_name=_long("Văn", 50),
                                               given_name="Đức" + "ĐứcMinhHoàngLongThànhCông" * 2)
    day = today()
    org = Organisation.objects.get(pk=w.org["A"].pk)
    task = tasks.task_create(actor=None, organisation=org, title=_long("Vận động", 300),
                             verifier=w.m["secretary_a"].person, start_on=day, due_on=day + dt.timedelta(days=10),
                             expected_output=_long("Kết quả", 300), verify_by=day + dt.timedelta(days=12),
                             assignees=[tasks.Assign(person=Person.objects.get(pk=person.pk), lead=True)])
    meeting = meetings.meeting_create(actor=None, organisation=org, kind="regular", date=day + dt.timedelta(days=3),
                                      start_time=dt.time(19, 30), place=_long("Nhà văn hóa", 200))
    doc = documents.document_publish(actor=None, organisation=Organisation.objects.get(pk=w.org["C1"].pk),
                                     kind="regulation", number="339-QĐ/TW", issuer=_long("Ban Bí thư", 200),
                                     issued_on=dt.date(2025, 7, 10), title=_long("Quy định về", 300))
    return {"task": str(task.pk), "meeting": str(meeting.pk), "doc": str(doc.pk), "member": str(w.m["member"].pk)}


SCREEN = 360
PAGES = {
    "commune_staff": ["/", "/to-chuc/", "/to-chuc/A/", "/to-chuc/C1/", "/dang-vien/?org=A", "/dang-vien/{member}/",
                      "/viec/{task}/", "/to-chuc/A/ke-hoach/", "/to-chuc/A/sinh-hoat/", "/hop/{meeting}/",
                      "/van-ban/", "/van-ban/{doc}/", "/to-chuc/A/chi-tieu/"],
    "member": ["/", "/viec-cua-toi/", "/viec/{task}/", "/hop/{meeting}/", "/van-ban/{doc}/", "/cua-toi/"],
}


@pytest.mark.parametrize("persona", list(PAGES))
def test_long_names_wrap_on_a_phone(new_context: Any, browser_world: Any, long_world: dict[str, str],
                                    phone: dict[str, Any], persona: str) -> None:
    assert phone["viewport"] == {"width": SCREEN, "height": 740}
    page = new_context(user=browser_world.users[persona], **phone).new_page()
    wide = []
    for template in PAGES[persona]:
        url = template.format(**long_world)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert RUN in page.content(), f"{url} does not show a long name"
        width = page.evaluate("document.documentElement.scrollWidth")
        # A mobile browser zooms out to fit a page wider than the screen, and window.innerWidth
        # grows with it: compare with the screen's 360 px as well.
        inner = min(page.evaluate("window.innerWidth"), SCREEN)
        if width > inner:
            culprit = page.evaluate("""() => { const w = 360; const out = [];
                for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
                  if (r.right > w + 1 && el.children.length === 0) out.push(el.tagName + '.' + el.className + ': '
                    + (el.textContent || '').slice(0, 40)); }
                return out.slice(0, 5); }""")
            wide.append(f"{url}: {width}px on a {inner}px screen — {culprit}")
    assert not wide, "\n".join(wide)
