"""The communes of a province side by side (issue 14, point 3, province staff): the figures
equal `indicators()` and `chibo indicators` of each commune, the page sorts, links only where
the viewer may go, exports the same rows to XLSX (audited), says what to do when the province
has no communes, keeps its query count flat, and leaks nothing outside the viewer's scope."""

from __future__ import annotations

import datetime as dt
import io
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.indicators.compare import COMPARE_KEYS, compare, sort_rows
from chibo.indicators.figures import indicators
from chibo.organisations import services as orgs
from tests.conftest import add_member
from tests.test_meetings_indicators import held  # noqa: F401  (fixture: meetings and attendance in C1)
from tests.test_plans_indicators import work  # noqa: F401  (fixture: targets and tasks)

pytestmark = pytest.mark.django_db
URL = "/to-chuc/P/so-sanh/"


def _expected(org: Any, day: dt.date) -> dict[str, Any]:
    report = indicators(org, day)
    every = {**report.figures, **report.work, **report.meetings}
    return {k: every[k] for k in COMPARE_KEYS}


@pytest.mark.parametrize("day", [None, dt.date(2026, 7, 1)])
def test_each_row_equals_the_indicators_of_its_commune(world: Any, held: Any, work: Any, day: Any) -> None:  # noqa: F811
    on = day or today()
    c = compare(world.org["P"], on)
    assert [r.organisation.code for r in c.rows] == ["C2", "C1"] or {r.organisation.code for r in c.rows} == {"C1", "C2"}
    for row in c.rows:
        assert {k: row.figures[k] for k in COMPARE_KEYS} == _expected(row.organisation, on), row.organisation.code
    # Something to compare: the fixtures give C1 members, meetings, attendance, targets and tasks.
    c1 = next(r for r in c.rows if r.organisation.code == "C1")
    assert c1.figures["members_total"] > 0 and c1.figures["meetings_held_pct"] is not None


def test_a_row_equals_the_command_output(world: Any, held: Any, work: Any) -> None:  # noqa: F811
    out = StringIO()
    call_command("indicators", "C1", "--json", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    row = next(r for r in compare(world.org["P"]).rows if r.organisation.code == "C1")
    assert {k: row.figures[k] for k in COMPARE_KEYS} == {k: data[k] for k in COMPARE_KEYS}


def test_province_staff_sees_every_commune_with_links(world: Any) -> None:
    response = world.client("province_staff").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("C1", "C2"):
        assert f'href="/to-chuc/{code}/"' in html
        assert f'href="/dang-vien/?org={code}"' in html


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "other_commune_staff"])
def test_nobody_below_the_province_opens_it(world: Any, persona: str) -> None:
    client = world.client(persona)
    assert client.get(URL).status_code == 404
    assert client.get("/to-chuc/P/so-sanh.xlsx").status_code == 404
    assert client.get("/to-chuc/C1/so-sanh/").status_code == 404  # a commune is not compared this way


def test_anonymous_is_sent_to_sign_in(world: Any) -> None:
    assert world.client("anonymous").get(URL).status_code == 302


def test_admin_sees_it_and_the_home_loads_the_table(world: Any) -> None:
    assert world.client("admin").get(URL).status_code == 200
    home = world.client("province_staff").get("/").content.decode()
    assert 'hx-get="/to-chuc/P/so-sanh/?limit=10"' in home


def test_sort_by_members_both_ways_and_by_name(world: Any) -> None:
    for i in range(3):
        add_member(world.org["X"], "Lò", "Văn", f"Thêm{i}")  # C2: 4 members, C1: 5
    client = world.client("province_staff")

    def order(query: str) -> list[str]:
        html = client.get(URL + query).content.decode()
        return sorted(("C1", "C2"), key=lambda code: html.index(f'href="/to-chuc/{code}/"'))

    assert order("?sort=members_total&dir=desc") == ["C1", "C2"]
    assert order("?sort=members_total&dir=asc") == ["C2", "C1"]
    assert order("?sort=name&dir=asc") == ["C2", "C1"]  # "Xã Hai" before "Xã Một" in Vietnamese order
    assert order("?sort=nonsense") == ["C2", "C1"]
    # The htmx request gets the table alone.
    fragment = client.get(URL + "?sort=members_total", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="compare-box"') and "<html" not in fragment


def test_sort_is_stable_and_puts_missing_figures_last(world: Any) -> None:
    rows = compare(world.org["P"]).rows
    for key in COMPARE_KEYS:
        for desc in (False, True):
            once = sort_rows(rows, key, desc)
            assert [r.organisation.pk for r in sort_rows(once, key, desc)] == [r.organisation.pk for r in once]
            values = [r.value(key) for r in once]
            known = [v for v in values if v is not None]
            assert values[:len(known)] == known


def test_health_column_on_request(world: Any) -> None:
    client = world.client("province_staff")
    assert "/chat-luong-du-lieu/?org=C1" not in client.get(URL).content.decode()
    html = client.get(URL + "?health=1").content.decode()
    assert 'href="/chat-luong-du-lieu/?org=C1"' in html


def _sheet(response: Any) -> list[list[Any]]:
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    return [[None if v == "" else v for v in row] for row in rows]


def test_xlsx_opens_and_its_rows_equal_the_page(world: Any, held: Any) -> None:  # noqa: F811
    client = world.client("province_staff")
    response = client.get("/to-chuc/P/so-sanh.xlsx?sort=members_total&dir=desc")
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0][0] and len(rows) == 3
    c = compare(world.org["P"])
    expected = sort_rows(c.rows, "members_total", True)
    assert [r[0] for r in rows[1:]] == [r.organisation.name for r in expected]
    for line, row in zip(rows[1:], expected, strict=True):
        assert list(line[1:1 + len(COMPARE_KEYS)]) == [row.figures[k] for k in COMPARE_KEYS]
    assert AuditEvent.objects.filter(action="export", org_path=world.org["P"].path).exists()


def test_formula_like_names_are_neutralised(world: Any) -> None:
    orgs.organisation_update(world.org["C2"], actor=None, name="=HYPERLINK(\"x\")")
    response = world.client("province_staff").get("/to-chuc/P/so-sanh.xlsx?sort=name")
    names = [r[0] for r in _sheet(response)[1:]]
    assert "'=HYPERLINK(\"x\")" in names


def test_an_empty_province_says_what_to_do(world: Any) -> None:
    orgs.organisation_create(actor=None, code="P2", name="Đảng bộ tỉnh Mới", kind="province",
                             valid_from=dt.date(2025, 7, 1))
    client = world.client("admin")
    page = client.get("/to-chuc/P2/so-sanh/")
    assert page.status_code == 200 and 'href="/to-chuc/"' in page.content.decode()
    home = client.get("/?org=P2")
    assert home.status_code == 200 and "hx-get" not in home.content.decode().split('id="work-h"')[1].split("</section>")[0]


def test_a_commune_without_cells_is_a_row_not_an_error(world: Any) -> None:
    orgs.organisation_create(actor=None, code="C3", name="Đảng bộ xã Ba", kind="commune", parent=world.org["P"],
                             valid_from=dt.date(2025, 7, 1))
    response = world.client("province_staff").get(URL)
    assert response.status_code == 200 and 'href="/to-chuc/C3/"' in response.content.decode()
    row = next(r for r in compare(world.org["P"]).rows if r.organisation.code == "C3")
    assert row.cells == 0 and row.figures["members_total"] == 0 and row.figures["meetings_held_pct"] is None


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_communes(world: Any, held: Any) -> None:  # noqa: F811
    client = world.client("province_staff")
    _count(client, URL)
    small = _count(client, URL)
    for i in range(6):
        commune = orgs.organisation_create(actor=None, code=f"N{i}", name=f"Đảng bộ xã Mới {i}", kind="commune",
                                           parent=world.org["P"], valid_from=dt.date(2025, 7, 1))
        cell = orgs.organisation_create(actor=None, code=f"N{i}A", name=f"Chi bộ thôn {i}", kind="grassroots_cell",
                                        sector="residential", parent=commune, valid_from=dt.date(2025, 7, 1))
        add_member(cell, "Hà", "Văn", f"Mới{i}")
    large = _count(client, URL)
    assert large <= small <= 30, (small, large)
