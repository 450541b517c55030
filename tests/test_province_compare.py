"""The communes of a province side by side (issue 14, point 3, province staff), read from a
dated snapshot: after `snapshot_province` each commune's row equals `indicators()` and `chibo
indicators`; the page and the home read the snapshot (a change shows only once recomputed),
say its date, recompute in the background on request (one job at a time, progress shown);
`chibo remind` writes the day's snapshot; the page sorts, links only where the viewer may go,
exports the same rows to XLSX (audited), says what to do when the province has no communes or
no snapshot yet, keeps its query count flat, and leaks nothing outside the viewer's scope."""

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
from chibo.indicators.compare import (
    COMPARE_KEYS,
    compare,
    health_by_child,
    latest_snapshot,
    row_json,
    sort_rows,
)
from chibo.indicators.figures import indicators
from chibo.indicators.models import CommuneFigures, SnapshotRun
from chibo.indicators.services import SNAPSHOT_STEPS, snapshot_province
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


def _snap(world: Any, day: dt.date | None = None) -> int:
    return snapshot_province(world.org["P"], day or today())


def _rows(world: Any) -> dict[str, Any]:
    snapshot = latest_snapshot(world.org["P"])
    assert snapshot is not None
    return {r.organisation.code: r for r in snapshot.rows}


@pytest.mark.parametrize("day", [None, dt.date(2026, 7, 1)])
def test_each_snapshot_row_equals_the_indicators_of_its_commune(world: Any, held: Any, work: Any,  # noqa: F811
                                                                  day: Any) -> None:
    on = day or today()
    assert snapshot_province(world.org["P"], on) == 2
    snapshot = latest_snapshot(world.org["P"], on)
    assert snapshot is not None and snapshot.day == on
    assert {r.organisation.code for r in snapshot.rows} == {"C1", "C2"}
    for row in snapshot.rows:
        assert {k: row.figures[k] for k in COMPARE_KEYS} == _expected(row.organisation, on), row.organisation.code
    # The row is compare()'s whole row — trend and data health included.
    live = compare(world.org["P"], on)
    health = health_by_child(world.org["P"], [r.organisation for r in live.rows])
    for row in live.rows:
        row.health = health[row.organisation.pk]
        stored = CommuneFigures.objects.get(organisation=row.organisation, on=on)
        assert stored.figures == json.loads(json.dumps(row_json(row)))
        assert stored.province_id == world.org["P"].pk
    c1 = next(r for r in snapshot.rows if r.organisation.code == "C1")
    assert c1.figures["members_total"] > 0 and c1.figures["meetings_held_pct"] is not None
    assert len(c1.trend) == 12 and c1.health is not None


def test_the_grouped_comparison_equals_the_indicators(world: Any, held: Any, work: Any) -> None:  # noqa: F811
    for row in compare(world.org["P"]).rows:
        assert {k: row.figures[k] for k in COMPARE_KEYS} == _expected(row.organisation, today())


def test_a_snapshot_row_equals_the_command_output(world: Any, held: Any, work: Any) -> None:  # noqa: F811
    _snap(world)
    out = StringIO()
    call_command("indicators", "C1", "--json", stdout=out, stderr=StringIO())
    data = json.loads(out.getvalue())
    row = _rows(world)["C1"]
    assert {k: row.figures[k] for k in COMPARE_KEYS} == {k: data[k] for k in COMPARE_KEYS}


def test_recomputing_replaces_the_days_rows_and_is_audited(world: Any) -> None:
    _snap(world)
    _snap(world)
    assert CommuneFigures.objects.filter(on=today()).count() == 2
    assert AuditEvent.objects.filter(object_type="commune_figures", org_path=world.org["P"].path).count() == 2


def test_the_page_reads_the_snapshot_until_recomputed(world: Any) -> None:
    _snap(world)
    client = world.client("province_staff")

    def c1_members() -> int:
        table = client.get(URL).context["table"]
        return next(e["row"] for e in table if e["row"].organisation.code == "C1").figures["members_total"]

    before = c1_members()
    add_member(world.org["A"], "Lò", "Văn", "Mới")
    assert c1_members() == before  # the snapshot, not the live figures
    response = client.post("/to-chuc/P/so-sanh/tinh-lai/", {"submit_token": "1f0e9c1a-0000-4000-8000-000000000001"})
    assert response.status_code == 302 and response["Location"] == URL
    assert c1_members() == before + 1
    run = SnapshotRun.objects.get()
    assert run.status == SnapshotRun.Status.DONE and run.communes == 2 and run.step == SNAPSHOT_STEPS
    assert run.requested_by == world.users["province_staff"]
    assert AuditEvent.objects.filter(object_type="commune_figures", actor=world.users["province_staff"]).exists()


def test_the_page_says_when_its_figures_are_from(world: Any) -> None:
    _snap(world, today() - dt.timedelta(days=3))
    client = world.client("province_staff")
    html = client.get(URL).content.decode()
    old = (today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert old in html.split('id="snapshot-time"')[1].split("</p>")[0]
    assert 'id="snapshot-old"' in html and "/so-sanh/tinh-lai/" in html
    _snap(world)
    html = client.get(URL).content.decode()
    assert today().strftime("%d/%m/%Y") in html.split('id="snapshot-time"')[1].split("</p>")[0]
    assert 'id="snapshot-old"' not in html


def test_no_snapshot_yet_offers_the_button(world: Any) -> None:
    for persona in ("province_staff", "admin"):
        response = world.client(persona).get(URL)
        html = response.content.decode()
        assert response.status_code == 200 and 'id="no-snapshot"' in html
        assert 'action="/to-chuc/P/so-sanh/tinh-lai/"' in html and 'name="submit_token"' in html
    home = world.client("province_staff").get("/").content.decode()
    assert 'id="no-snapshot"' in home
    assert world.client("province_staff").get("/to-chuc/P/so-sanh.xlsx").status_code == 404


def test_a_second_press_while_one_runs_starts_no_other(world: Any) -> None:
    running = SnapshotRun.objects.create(province=world.org["P"], on=today(), status=SnapshotRun.Status.RUNNING,
                                         step=3, steps=SNAPSHOT_STEPS)
    client = world.client("province_staff")
    fragment = client.post("/to-chuc/P/so-sanh/tinh-lai/", {"submit_token": "1f0e9c1a-0000-4000-8000-000000000002"},
                           HTTP_HX_REQUEST="true").content.decode()
    assert SnapshotRun.objects.count() == 1 and not CommuneFigures.objects.exists()
    poll = f'hx-get="/to-chuc/P/so-sanh/tien-do/?run={running.pk}"'
    assert poll in fragment and 'hx-trigger="every 2s"' in fragment
    assert 'value="3"' in fragment and f'max="{SNAPSHOT_STEPS}"' in fragment
    # The page shows the same progress; the poll answers with it until the run is done, then reloads.
    assert poll in client.get(URL).content.decode()
    progress = client.get(f"/to-chuc/P/so-sanh/tien-do/?run={running.pk}", HTTP_HX_REQUEST="true")
    assert poll in progress.content.decode()
    SnapshotRun.objects.filter(pk=running.pk).update(status=SnapshotRun.Status.DONE)
    done = client.get(f"/to-chuc/P/so-sanh/tien-do/?run={running.pk}", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    # Done: a press starts a new one.
    client.post("/to-chuc/P/so-sanh/tinh-lai/", {"submit_token": "1f0e9c1a-0000-4000-8000-000000000003"})
    assert SnapshotRun.objects.count() == 2 and CommuneFigures.objects.count() == 2


def test_a_double_submit_queues_one_job(world: Any) -> None:
    client = world.client("province_staff")
    token = {"submit_token": "1f0e9c1a-0000-4000-8000-000000000004"}
    client.post("/to-chuc/P/so-sanh/tinh-lai/", token)
    client.post("/to-chuc/P/so-sanh/tinh-lai/", token)
    assert SnapshotRun.objects.count() == 1


def test_a_run_whose_worker_died_does_not_block(world: Any, settings: Any) -> None:
    stale = SnapshotRun.objects.create(province=world.org["P"], on=today(), status=SnapshotRun.Status.RUNNING)
    SnapshotRun.objects.filter(pk=stale.pk).update(
        updated_at=stale.updated_at - dt.timedelta(minutes=settings.CHIBO_JOB_STALE_MINUTES + 1))
    world.client("province_staff").post("/to-chuc/P/so-sanh/tinh-lai/",
                                        {"submit_token": "1f0e9c1a-0000-4000-8000-000000000005"})
    assert SnapshotRun.objects.get(pk=stale.pk).status == SnapshotRun.Status.FAILED
    assert SnapshotRun.objects.filter(status=SnapshotRun.Status.DONE).count() == 1


def test_chibo_remind_writes_the_days_snapshot(world: Any, held: Any) -> None:  # noqa: F811
    out = StringIO()
    call_command("remind", stdout=out)
    assert "comparison of P: 2 commune(s)" in out.getvalue()
    assert set(CommuneFigures.objects.filter(on=today()).values_list("organisation__code", flat=True)) == {"C1", "C2"}
    assert _rows(world)["C1"].figures["members_total"] == _expected(world.org["C1"], today())["members_total"]
    day = today() - dt.timedelta(days=10)
    call_command("remind", "--date", day.strftime("%d/%m/%Y"), stdout=StringIO())
    assert CommuneFigures.objects.filter(on=day).count() == 2


def test_province_staff_sees_every_commune_with_links(world: Any) -> None:
    _snap(world)
    response = world.client("province_staff").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("C1", "C2"):
        assert f'href="/to-chuc/{code}/"' in html
        assert f'href="/dang-vien/?org={code}"' in html
        assert f'href="/chat-luong-du-lieu/?org={code}"' in html  # data health: always there


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "other_commune_staff"])
def test_nobody_below_the_province_opens_or_recomputes_it(world: Any, persona: str) -> None:
    _snap(world)
    client = world.client(persona)
    assert client.get(URL).status_code == 404
    assert client.get("/to-chuc/P/so-sanh.xlsx").status_code == 404
    assert client.get("/to-chuc/C1/so-sanh/").status_code == 404  # a commune is not compared this way
    token = {"submit_token": "1f0e9c1a-0000-4000-8000-0000000000aa"}
    assert client.post("/to-chuc/P/so-sanh/tinh-lai/", token).status_code == 404
    assert client.get("/to-chuc/P/so-sanh/tien-do/?run=1", HTTP_HX_REQUEST="true").status_code == 404
    assert not SnapshotRun.objects.exists()


def test_anonymous_is_sent_to_sign_in(world: Any) -> None:
    assert world.client("anonymous").get(URL).status_code == 302
    assert world.client("anonymous").post("/to-chuc/P/so-sanh/tinh-lai/").status_code in (302, 403)
    assert not SnapshotRun.objects.exists()


def test_recompute_is_a_post(world: Any) -> None:
    assert world.client("province_staff").get("/to-chuc/P/so-sanh/tinh-lai/").status_code == 405


def test_admin_sees_it_and_the_home_shows_the_table_inline(world: Any) -> None:
    _snap(world)
    assert world.client("admin").get(URL).status_code == 200
    home = world.client("province_staff").get("/").content.decode()
    section = home.split('id="work-h"')[1].split("</section>")[0]
    assert 'href="/to-chuc/C1/"' in section and 'href="/to-chuc/C2/"' in section
    assert "hx-trigger=\"load\"" not in section and 'id="snapshot-time"' in section


def test_the_home_shows_ten_rows_and_links_to_the_rest(world: Any) -> None:
    for i in range(10):
        orgs.organisation_create(actor=None, code=f"N{i}", name=f"Đảng bộ xã Mới {i}", kind="commune",
                                 parent=world.org["P"], valid_from=dt.date(2025, 7, 1))
    _snap(world)
    response = world.client("province_staff").get("/")
    assert len(response.context["table"]) == 10 and response.context["more"] == 2
    assert f'href="{URL}"' in response.content.decode()


def test_the_home_with_a_past_date_says_which_snapshot_it_shows(world: Any) -> None:
    earlier = today() - dt.timedelta(days=5)
    _snap(world, earlier)
    _snap(world)
    client = world.client("province_staff")
    asked = today() - dt.timedelta(days=2)
    response = client.get("/?date=" + asked.strftime("%d/%m/%Y"))
    assert response.context["comparison"].day == today() and response.context["other_day"]
    section = response.content.decode().split('id="work-h"')[1].split("</section>")[0]
    assert asked.strftime("%d/%m/%Y") in section and today().strftime("%d/%m/%Y") in section
    response = client.get("/?date=" + earlier.strftime("%d/%m/%Y"))
    assert response.context["comparison"].day == earlier and not response.context["other_day"]


def test_sort_by_members_both_ways_and_by_name(world: Any) -> None:
    for i in range(3):
        add_member(world.org["X"], "Lò", "Văn", f"Thêm{i}")  # C2: 4 members, C1: 5
    _snap(world)
    client = world.client("province_staff")

    def order(query: str) -> list[str]:
        html = client.get(URL + query).content.decode()
        return sorted(("C1", "C2"), key=lambda code: html.index(f'href="/to-chuc/{code}/"'))

    assert order("?sort=members_total&dir=desc") == ["C1", "C2"]
    assert order("?sort=members_total&dir=asc") == ["C2", "C1"]
    assert order("?sort=name&dir=asc") == ["C2", "C1"]  # "Xã Hai" before "Xã Một" in Vietnamese order
    assert order("?sort=nonsense") == ["C2", "C1"]
    assert order("?sort=health&dir=desc") in (["C1", "C2"], ["C2", "C1"])
    # The htmx request gets the table alone.
    fragment = client.get(URL + "?sort=members_total", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="compare-box"') and "<html" not in fragment


def test_sort_is_stable_and_puts_missing_figures_last(world: Any) -> None:
    _snap(world)
    rows = list(_rows(world).values())
    for key in [*COMPARE_KEYS, "health"]:
        for desc in (False, True):
            once = sort_rows(rows, key, desc)
            assert [r.organisation.pk for r in sort_rows(once, key, desc)] == [r.organisation.pk for r in once]
            values = [r.value(key) for r in once]
            known = [v for v in values if v is not None]
            assert values[:len(known)] == known


def _sheet(response: Any) -> list[list[Any]]:
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    return [[None if v == "" else v for v in row] for row in rows]


def test_xlsx_opens_and_its_rows_are_the_snapshots(world: Any, held: Any) -> None:  # noqa: F811
    _snap(world)
    add_member(world.org["A"], "Lò", "Văn", "Sau")  # after the snapshot: not in the file
    client = world.client("province_staff")
    response = client.get("/to-chuc/P/so-sanh.xlsx?sort=members_total&dir=desc")
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0][0] and len(rows) == 3
    expected = sort_rows(list(_rows(world).values()), "members_total", True)
    assert [r[0] for r in rows[1:]] == [r.organisation.name for r in expected]
    for line, row in zip(rows[1:], expected, strict=True):
        assert list(line[1:1 + len(COMPARE_KEYS)]) == [row.figures[k] for k in COMPARE_KEYS]
        assert line[1 + len(COMPARE_KEYS)] == pytest.approx(row.health)
    assert AuditEvent.objects.filter(action="export", org_path=world.org["P"].path).exists()


def test_formula_like_names_are_neutralised(world: Any) -> None:
    orgs.organisation_update(world.org["C2"], actor=None, name="=HYPERLINK(\"x\")")
    _snap(world)
    response = world.client("province_staff").get("/to-chuc/P/so-sanh.xlsx?sort=name")
    names = [r[0] for r in _sheet(response)[1:]]
    assert "'=HYPERLINK(\"x\")" in names


def test_an_empty_province_says_what_to_do(world: Any) -> None:
    p2 = orgs.organisation_create(actor=None, code="P2", name="Đảng bộ tỉnh Mới", kind="province",
                                  valid_from=dt.date(2025, 7, 1))
    assert snapshot_province(p2, today()) == 0
    client = world.client("admin")
    page = client.get("/to-chuc/P2/so-sanh/")
    assert page.status_code == 200 and 'href="/to-chuc/"' in page.content.decode()
    home = client.get("/?org=P2")
    section = home.content.decode().split('id="work-h"')[1].split("</section>")[0]
    assert home.status_code == 200 and 'href="/to-chuc/"' in section and "<table" not in section


def test_a_commune_without_cells_is_a_row_not_an_error(world: Any) -> None:
    orgs.organisation_create(actor=None, code="C3", name="Đảng bộ xã Ba", kind="commune", parent=world.org["P"],
                             valid_from=dt.date(2025, 7, 1))
    _snap(world)
    response = world.client("province_staff").get(URL)
    assert response.status_code == 200 and 'href="/to-chuc/C3/"' in response.content.decode()
    row = _rows(world)["C3"]
    assert row.cells == 0 and row.figures["members_total"] == 0 and row.figures["meetings_held_pct"] is None


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_communes(world: Any, held: Any) -> None:  # noqa: F811
    _snap(world)
    client = world.client("province_staff")
    _count(client, URL)
    small, small_home = _count(client, URL), _count(client, "/")
    for i in range(6):
        commune = orgs.organisation_create(actor=None, code=f"N{i}", name=f"Đảng bộ xã Mới {i}", kind="commune",
                                           parent=world.org["P"], valid_from=dt.date(2025, 7, 1))
        cell = orgs.organisation_create(actor=None, code=f"N{i}A", name=f"Chi bộ thôn {i}", kind="grassroots_cell",
                                        sector="residential", parent=commune, valid_from=dt.date(2025, 7, 1))
        add_member(cell, "Hà", "Văn", f"Mới{i}")
    _snap(world)
    assert _count(client, URL) == small <= 12, small
    assert _count(client, "/") == small_home
