"""Issue 14, point 10: help where it is needed. Every area page shows its guide as a closed panel
right after its heading; each guide quotes its rules from the rulebook (current value and
citation, never copied text); the guides are open to every signed-in persona and link only where
the viewer may go; the cell secretary's guide fits one A4 page, as a PDF and printed."""

from __future__ import annotations

import re
import zlib
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.html import escape
from weasyprint import CSS, HTML

from chibo.core import pdf
from chibo.core import services as rulebook
from chibo.core.dates import today
from chibo.core.rules import rule
from chibo.web import help
from tests.conftest import PERSONAS
from tests.test_crawl import _Links, _same_site

SRC = Path(__file__).resolve().parent.parent / "src" / "chibo"

# Each page template that shows a guide, and the guide it shows (None: the area follows the URL name).
PANELS = {
    "web/templates/web/tree.html": "organisations", "web/templates/web/organisation.html": "organisations",
    "web/templates/web/members.html": "members", "web/templates/web/member.html": "members",
    "web/templates/web/member_form.html": "members", "web/templates/web/form.html": None,
    "plans/templates/plans/resolutions.html": "plans", "plans/templates/plans/resolution.html": "plans",
    "plans/templates/plans/target.html": "plans", "plans/templates/plans/org_targets.html": "plans",
    "tasks/templates/tasks/my_tasks.html": "tasks", "tasks/templates/tasks/plan.html": "tasks",
    "tasks/templates/tasks/task.html": "tasks", "tasks/templates/tasks/task_form.html": "tasks",
    "tasks/templates/tasks/due.html": "tasks",
    "meetings/templates/meetings/org_meetings.html": "meetings", "meetings/templates/meetings/meeting.html": "meetings",
    "meetings/templates/meetings/meeting_form.html": "meetings",
    "meetings/templates/meetings/attendance.html": "meetings", "meetings/templates/meetings/vote.html": "meetings",
    "meetings/templates/meetings/minutes.html": "meetings", "meetings/templates/meetings/gaps.html": "meetings",
    "meetings/templates/meetings/not_met.html": "meetings", "plans/templates/plans/targets_by_status.html": "plans",
    "documents/templates/documents/library.html": "documents",
    "documents/templates/documents/my_documents.html": "documents",
    "documents/templates/documents/document.html": "documents",
    "documents/templates/documents/sessions.html": "documents",
    "documents/templates/documents/session.html": "documents",
    "recruitment/templates/recruitment/recruitment.html": "recruitment",
    "recruitment/templates/recruitment/candidate.html": "recruitment",
    "recruitment/templates/recruitment/recognition.html": "recruitment",
    "lifecycle/templates/lifecycle/member_transfer.html": "lifecycle",
    "lifecycle/templates/lifecycle/transfer_letter.html": "lifecycle",
    "lifecycle/templates/lifecycle/member_exemption.html": "lifecycle",
    "lifecycle/templates/lifecycle/exemption.html": "lifecycle",
    "lifecycle/templates/lifecycle/due.html": "due",
    "channel/templates/channel/my_threads.html": "questions", "channel/templates/channel/inbox.html": "questions",
    "channel/templates/channel/thread.html": "questions",
    "exchange/templates/exchange/import.html": "exchange", "exchange/templates/exchange/import_job.html": "exchange",
    "exchange/templates/exchange/export_job.html": "exchange",
    "web/templates/web/audit.html": "audit",
    "web/templates/web/rules.html": "rulebook", "web/templates/web/holidays.html": "rulebook",
}

# The pages a crawl reaches, by URL name, and the guide each must show.
PAGE_AREA = {
    "tree": "organisations", "organisation": "organisations", "members": "members", "member": "members",
    "member-create": "members", "member-edit": "members", "member-event": "members", "post-create": "committees",
    "resolutions": "plans", "resolution": "plans", "target": "plans", "org-targets": "plans",
    "my-tasks": "tasks", "org-plan": "tasks", "task": "tasks", "org-due": "tasks",
    "org-meetings": "meetings", "meeting": "meetings", "meeting-create": "meetings", "org-meeting-gaps": "meetings",
    "documents": "documents", "my-documents": "documents", "document": "documents", "study-sessions": "documents",
    "study-session": "documents", "recruitment": "recruitment", "candidate": "recruitment",
    "member-recognition": "recruitment", "member-transfer": "lifecycle", "member-exemption": "lifecycle",
    "exemption": "lifecycle", "transfer-letter": "lifecycle", "org-due-dates": "due", "threads": "questions",
    "thread-inbox": "questions", "thread": "questions", "import": "exchange", "audit": "audit",
    "rules": "rulebook", "holidays": "rulebook",
}

PANEL = re.compile(r'<details class="help" id="help-([a-z]+)"')


def _rule_line(page: str, key: str) -> str:
    found = re.search(rf'<li data-rule="{key}">(.*?)</li>', page, re.S)
    assert found, f"rule {key} not shown"
    return found.group(1)


def _vi(text: Any) -> str:
    with translation.override("vi"):
        return escape(str(text))


def test_every_area_has_a_guide_and_every_guide_a_page():
    assert {a.key for a in help.AREAS} == set(PAGE_AREA.values()) | {"committees"}
    assert len({a.slug for a in help.AREAS}) == len(help.AREAS)
    for area in help.AREAS:
        assert 2 <= len(area.steps) <= 4, area.key


def test_each_page_template_has_one_panel_line_right_after_its_heading():
    for path, area in PANELS.items():
        lines = (SRC / path).read_text().split("\n")
        heading = next(i for i, line in enumerate(lines) if "<h1" in line)
        expected = "{% help_panel %}" if area is None else f'{{% help_panel "{area}" %}}'
        assert lines[heading + 1] == expected, path
        assert sum("help_panel" in line for line in lines) == 1, path


def _crawl(client: Any, limit: int = 160) -> dict[str, tuple[str, str]]:
    """Every page a persona reaches from "/" (html only): url → (url name, content)."""
    seen, queue, pages = {"/"}, deque(["/"]), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        content = response.content.decode()
        pages[url] = (resolve(urlsplit(url).path).url_name or "", content)
        parser = _Links()
        parser.feed(content)
        for href in parser.hrefs:
            target = _same_site(url, href)
            if target and target not in seen and not target.endswith(".pdf"):
                seen.add(target)
                queue.append(target)
    return pages


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff"])
def test_every_area_page_reached_shows_its_guide_closed(world, persona):
    pages = _crawl(world.client(persona))
    shown: set[str] = set()
    for url, (name, content) in pages.items():
        if name not in PAGE_AREA:
            continue
        panels = PANEL.findall(content)
        assert panels == [PAGE_AREA[name]], f"{url} ({name}): {panels}"
        assert re.search(r'</h1>\s*<details class="help"', content), f"{url}: the guide is not right after h1"
        assert not re.search(r'<details class="help"[^>]*\bopen\b', content), url
        shown.add(PAGE_AREA[name])
    if persona == "commune_staff":  # staff reach every kind of area page
        assert shown >= {"organisations", "members", "committees", "plans", "tasks", "meetings", "documents",
                         "recruitment", "due", "questions", "exchange", "audit", "rulebook"}, shown


def test_the_panel_costs_no_query_and_fetches_its_rules_when_opened(world):
    template = Template('{% help_panel "meetings" %}')
    with CaptureQueriesContext(connection) as ctx:
        out = template.render(Context({}))
    assert len(ctx.captured_queries) == 0
    slug = help.BY_KEY["meetings"].slug
    assert f'hx-get="/huong-dan/{slug}/"' in out and 'hx-trigger="toggle once"' in out
    assert f'href="/huong-dan/{slug}/"' in out  # without JavaScript, the rules are one tap away
    fragment = world.client("member").get(f"/huong-dan/{slug}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    r = rule("meeting_quorum_more_than_pct")
    assert str(r.value) in _rule_line(fragment, r.key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_guides_are_open_to_everyone_signed_in(world, persona):
    client = world.client(persona)
    urls = ["/huong-dan/", "/huong-dan/bi-thu-chi-bo/"] + [f"/huong-dan/{a.slug}/" for a in help.AREAS]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/huong-dan/khong-co/").status_code == 404
    home = client.get("/").content.decode()
    assert 'href="/huong-dan/"' in home  # the footer links the guides


def test_the_guides_ask_for_sign_in(client):
    for url in ("/huong-dan/", "/huong-dan/sinh-hoat/", "/huong-dan/bi-thu-chi-bo/", "/huong-dan/bi-thu-chi-bo.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url


def test_each_guide_quotes_its_rules_from_the_rulebook(world):
    client = world.client("member")
    quoted = 0
    for area in help.AREAS:
        page = client.get(f"/huong-dan/{area.slug}/").content.decode()
        assert _vi(area.purpose) in page and _vi(area.principle) in page, area.key
        for key in area.rules:
            r = rule(key)
            line = _rule_line(page, key)
            assert escape(r.name) in line, key
            assert f">{r.value}" in line, key
            assert escape(r.citation) in line, key
            assert f'href="/quy-dinh/#rule-{key}"' in line
            quoted += 1
    assert quoted >= 25


def test_a_new_version_of_a_rule_changes_the_guides(world):
    slug = help.BY_KEY["meetings"].slug
    old = rule("meeting_materials_lead_days")
    rulebook.rule_add_version(actor=world.users["admin"], key=old.key, value=old.value + 2, effective_from=today(),
                              citation="Hướng dẫn thử 99-HD/TW, điểm 1")
    page = world.client("member").get(f"/huong-dan/{slug}/").content.decode()
    line = _rule_line(page, old.key)
    assert f">{old.value + 2}" in line and "Hướng dẫn thử 99-HD/TW" in line
    guide = world.client("secretary_a").get("/huong-dan/bi-thu-chi-bo/").content.decode()
    assert "Hướng dẫn thử 99-HD/TW" in guide


def test_the_secretary_guide_reads_the_rules_in_force(world):
    page = world.client("secretary_a").get("/huong-dan/bi-thu-chi-bo/").content.decode()
    keys = help.secretary_rule_keys()
    assert {"meeting_regular_every_months", "probation_months", "recognition_consider_working_days"} <= set(keys)
    for key in keys:
        r = rule(key)
        found = re.search(rf'<span class="sg-rule" data-rule="{key}">(.*?)</span>', page, re.S)
        assert found, key
        assert f"<strong>{r.value}" in found.group(1) and escape(r.citation) in found.group(1)
    assert 'href="/huong-dan/bi-thu-chi-bo.pdf"' in page and "data-print" in page


def _pdf_page_count(content: bytes) -> int:
    """Page objects in a PDF, looking inside its compressed object streams too (no PDF library here)."""
    texts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            texts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", t)) for t in texts)


def _pages(document_html: str, stylesheet: str | None = None) -> int:
    sheets = [CSS(filename=stylesheet)] if stylesheet else []
    document = HTML(string=document_html, base_url=pdf.BASE_URL, url_fetcher=pdf.LocalOnlyFetcher())
    return len(document.render(stylesheets=sheets).pages)


def test_the_secretary_guide_is_one_a4_page(world):
    response = world.client("secretary_a").get("/huong-dan/bi-thu-chi-bo.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert _pdf_page_count(response.content) == 1
    with translation.override("vi"):
        printed = render_to_string("web/help/secretary_print.html", help._secretary_context())
    assert _pages(printed) == 1


def test_the_secretary_page_prints_on_one_page(world):
    """The web page itself, printed with chibo.css's print rules (WeasyPrint uses print media)."""
    page = world.client("secretary_a").get("/huong-dan/bi-thu-chi-bo/").content.decode()
    page = re.sub(r'<link rel="stylesheet"[^>]*>', "", page)  # given to WeasyPrint directly, as a browser reads it
    stylesheet = finders.find("chibo/chibo.css")
    assert isinstance(stylesheet, str)
    assert _pages(page, stylesheet) == 1


@pytest.mark.parametrize("persona", ["member", "other_commune_staff", "admin"])
def test_links_on_the_guides_lead_where_the_viewer_may_go(world, persona):
    client = world.client(persona)
    checked: set[str] = set()
    for url in ["/huong-dan/", "/huong-dan/bi-thu-chi-bo/"] + [f"/huong-dan/{a.slug}/" for a in help.AREAS]:
        parser = _Links()
        parser.feed(client.get(url).content.decode())
        for href in parser.hrefs:
            target, _fragment = urldefrag(urljoin(url, href))
            if not target.startswith("/") or target in checked or "dang-xuat" in target:
                continue
            checked.add(target)
            status = client.get(target).status_code
            assert status in (200, 302), f"{target} from {url}: {status}"
    assert reverse("rules") in checked


def test_guide_dates_follow_the_fixed_day(world):
    page = world.client("member").get("/huong-dan/sinh-hoat/").content.decode()
    assert today().strftime("%d/%m/%Y") in page
