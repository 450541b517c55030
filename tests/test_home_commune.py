"""The commune home's "To do" (issue 14, point 3), through HTTP with the personas, on a fixed day.

On Wednesday 14/10/2026, in commune C1 (cells A and B):

    meetings this month     A held its regular meeting on 06/10; B none            → 1 of 2 cells
    overdue tasks           A: 2, B: 1, C1 itself: 1 (and one of A not yet due)    → 4, A first
    targets off track       C1's "new members" 6/10 (60 % at 89 % of the period)
                            and B's part 0/4; A's part 6/6 is achieved             → 2
    procedures due          probation of a member of B ends 24/10/2026;
                            a transfer letter of 20/07/2026 not presented (overdue) → 2, 1 overdue
    jobs waiting            commune_staff: one import to confirm, one download
                            being written (a finished one does not count)         → 2

C2 (cell X) has one overdue task and one off-track target of its own, never counted for C1."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.exchange.models import ExportJob, ImportJob
from chibo.lifecycle import services as lifecycle
from chibo.meetings import services as meetings
from chibo.organisations import services as orgs
from chibo.plans import services as plans
from chibo.plans.models import Resolution, Target
from chibo.quality.checks import run_checks
from chibo.tasks import services as tasks
from tests.conftest import add_member

D = dt.date
DAY = D(2026, 10, 14)
pytestmark = [pytest.mark.django_db, pytest.mark.today(DAY)]


ASSIGNEE = {"A": "member", "B": "b_member", "C1": "member", "X": "x_member"}


def _task(world: Any, org: str, title: str, due: dt.date, actor: str = "commune_staff") -> Any:
    verifier = "x_secretary" if org == "X" else "c1_staff"
    return tasks.task_create(
        actor=world.users[actor], organisation=world.org[org], title=title, start_on=due - dt.timedelta(days=20),
        due_on=due, expected_output="Có biên bản, ảnh minh chứng", verifier=world.m[verifier].person,
        verify_by=due + dt.timedelta(days=5), assignees=[tasks.Assign(person=world.m[ASSIGNEE[org]].person, lead=True)])


def _held(world: Any, cell: str, day: dt.date) -> None:
    """A regular meeting of the cell on `day`, everyone invited present, recorded as held."""
    m = meetings.meeting_create(actor=None, organisation=world.org[cell], kind="regular", date=day,
                                start_time=dt.time(19, 30), place="Nhà văn hóa thôn")
    for person_id in list(m.attendance.values_list("person_id", flat=True)):
        meetings.attendance_record(m, actor=None, person_id=person_id, status="present", reason="")
    meetings.meeting_held(m, actor=None, end_time=dt.time(21, 0))


def _programme(world: Any, commune: str, number: str) -> Resolution:
    return plans.resolution_create(
        actor=world.users["admin"], organisation=world.org[commune], number=number, period_start=2025,
        period_end=2026, body=Resolution.Body.COMMITTEE, kind=Resolution.Kind.PROGRAMME, issued_on=D(2025, 1, 10),
        title=f"Chương trình {number}")


@pytest.fixture
def work(world: Any) -> dict[str, Any]:
    _held(world, "A", D(2026, 10, 6))
    _held(world, "B", D(2026, 9, 8))  # last month: not this month's meeting

    _task(world, "A", "Sửa nhà văn hóa thôn", D(2026, 9, 30))
    _task(world, "A", "Rà soát hộ nghèo", D(2026, 10, 10))
    _task(world, "A", "Chuẩn bị đại hội chi bộ", D(2026, 11, 30))  # not yet due
    _task(world, "B", "Thu đảng phí quý III", D(2026, 10, 5))
    _task(world, "C1", "Tổng kết công tác tuyên giáo", D(2026, 10, 1))
    _task(world, "X", "Vận động hiến đất làm đường", D(2026, 10, 2), actor="other_commune_staff")

    staff = world.users["admin"]
    admit = plans.target_create(actor=staff, resolution=_programme(world, "C1", "05-CTr/ĐU"),
                                organisation=world.org["C1"], name="Kết nạp đảng viên mới", target_value=Decimal(10),
                                kind=Target.Kind.COUNT, roll_up=Target.RollUp.SUM)
    part_a, part_b = plans.target_break_down(admit, actor=staff, shares={world.org["A"]: Decimal(6),
                                                                         world.org["B"]: Decimal(4)})
    plans.measurement_record(actor=staff, target=part_a, measured_on=D(2026, 9, 30), value=Decimal(6))
    plans.measurement_record(actor=staff, target=part_b, measured_on=D(2026, 9, 30), value=Decimal(0))
    x = plans.target_create(actor=staff, resolution=_programme(world, "C2", "07-CTr/ĐU"), organisation=world.org["C2"],
                            name="Kết nạp đảng viên xã Hai", target_value=Decimal(5), kind=Target.Kind.COUNT,
                            roll_up=Target.RollUp.NONE)
    plans.measurement_record(actor=staff, target=x, measured_on=D(2026, 9, 30), value=Decimal(0))

    add_member(world.org["B"], "Võ", "Thị", "Lan", sex="F", status="probationary", admission=D(2025, 10, 24))
    lifecycle.letter_issue(world.m["b_member"], actor=None, kind="official", reason_date=D(2026, 7, 15),
                           number="21-GGT", letter_date=D(2026, 7, 20), other_name="Đảng bộ xã Ea Tu, tỉnh Đắk Lắk")

    me, other = world.users["commune_staff"], world.users["other_commune_staff"]
    ImportJob.objects.create(user=me, filename="dang-vien-thon-dong.xlsx", status=ImportJob.Status.PREVIEW)
    ImportJob.objects.create(user=me, filename="cu.xlsx", status=ImportJob.Status.DONE)
    ImportJob.objects.create(user=other, filename="xa-hai.xlsx", status=ImportJob.Status.PREVIEW)
    ExportJob.objects.create(user=me, fmt="xlsx", filename="dang-vien-C1.xlsx", status=ExportJob.Status.QUEUED)
    ExportJob.objects.create(user=me, fmt="xlsx", filename="cu.xlsx", status=ExportJob.Status.DONE)
    return {"part_b": part_b, "admit": admit, "x": x}


# --- reading the page -------------------------------------------------------------------------

CARD = re.compile(r'<a class="stat work-card[^"]*" id="work-([a-z-]+)" href="([^"]+)">\s*<span class="n">([^<]+)</span>')


def cards(html: str) -> dict[str, tuple[str, str]]:
    """{card: (link, figure)} of the "To do" section."""
    return {key: (href.replace("&amp;", "&"), n.strip()) for key, href, n in CARD.findall(html)}


def home(world: Any, persona: str, url: str = "/") -> tuple[str, dict[str, tuple[str, str]]]:
    response = world.client(persona).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, cards(html)


def table_rows(html: str, table_class: str) -> int:
    """Body rows of the first table with this class (0 when the list shows none)."""
    found = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', html, re.S)
    if found is None:
        return 0
    body = found.group(1).split("<tbody>", 1)[1]
    return body.count("<tr")


def overdue_rows(html: str) -> int:
    section = html.split('id="over-h"', 1)[1].split("</section>", 1)[0]
    return section.split("<tbody>", 1)[1].count("<tr") if "<tbody>" in section else 0


def list_rows(kind: str, html: str) -> int:
    """The rows of the list a card opens, as that list shows them."""
    if kind == "not-met":
        return table_rows(html, "not-met")
    if kind == "overdue":
        return overdue_rows(html)
    if kind == "off-track":
        return table_rows(html, "by-status")
    if kind == "due":
        return len(re.findall(r'<tr class="due-', html))
    if kind == "waiting":
        return html.count('class="waiting-job"')
    raise AssertionError(kind)


# --- the commune staff ------------------------------------------------------------------------

def test_commune_staff_counts_and_links(world: Any, work: dict[str, Any]) -> None:
    html, found = home(world, "commune_staff")
    assert "Việc cần làm" in html
    assert found["not-met"] == ("/to-chuc/C1/sinh-hoat/con-thieu/?thang=2026-10", "1")
    assert found["overdue"] == ("/to-chuc/C1/viec-den-han/", "4")
    assert found["off-track"] == ("/to-chuc/C1/chi-tieu/?trang-thai=off_track", "2")
    assert found["due"] == ("/to-chuc/C1/den-han/?days=30&nhom=thu-tuc", "2")
    assert found["waiting"] == ("/nhap-du-lieu/#waiting", "2")
    assert found["health"] == ("/chat-luong-du-lieu/?org=C1", "—")  # never checked yet
    # the cells with the most overdue tasks, most first, each opening its own list
    top = re.findall(r'<li><a href="/to-chuc/([A-Z0-9]+)/viec-den-han/">[^<]+</a> <span class="tag warn">(\d+)</span>',
                     html)
    assert top == [("A", "2"), ("B", "1")]


@pytest.mark.parametrize("persona", ["commune_staff", "province_staff"])
def test_every_count_equals_the_rows_of_the_list_it_opens(world: Any, work: dict[str, Any], persona: str) -> None:
    _html, found = home(world, persona, "/" if persona == "commune_staff" else "/?org=C1")
    client = world.client(persona)
    for kind in ("not-met", "overdue", "off-track", "due", "waiting"):
        if kind not in found:
            assert persona == "province_staff" and kind == "waiting"  # one who may not import has no jobs
            continue
        url, n = found[kind]
        response = client.get(url)
        assert response.status_code == 200, url
        assert list_rows(kind, response.content.decode()) == int(n), (kind, url)


def test_the_lists_show_the_cell_of_each_row(world: Any, work: dict[str, Any]) -> None:
    client = world.client("commune_staff")
    not_met = client.get("/to-chuc/C1/sinh-hoat/con-thieu/?thang=2026-10").content.decode()
    assert world.org["B"].name in not_met and 'href="/to-chuc/A/sinh-hoat/"' not in not_met
    off = client.get("/to-chuc/C1/chi-tieu/?trang-thai=off_track").content.decode()
    assert world.org["B"].name in off and "Kết nạp đảng viên mới" in off and "xã Hai" not in off
    due = client.get("/to-chuc/C1/den-han/?days=30&nhom=thu-tuc").content.decode()
    assert world.org["B"].name in due and "Võ Thị Lan" in due
    # the province-wide lists also say which commune each row is in
    province = world.client("province_staff")
    off_p = province.get("/to-chuc/P/chi-tieu/?trang-thai=off_track").content.decode()
    assert table_rows(off_p, "by-status") == 3 and world.org["C2"].name in off_p and world.org["C1"].name in off_p
    not_met_p = province.get("/to-chuc/P/sinh-hoat/con-thieu/?thang=2026-10").content.decode()
    assert table_rows(not_met_p, "not-met") == 2 and world.org["C2"].name in not_met_p


def test_a_held_meeting_this_month_takes_the_cell_off_the_count(world: Any, work: dict[str, Any]) -> None:
    _held(world, "B", D(2026, 10, 12))
    _html, found = home(world, "commune_staff")
    assert found["not-met"][1] == "0"
    page = world.client("commune_staff").get(found["not-met"][0]).content.decode()
    assert table_rows(page, "not-met") == 0


def test_data_health_shows_the_last_check(world: Any, work: dict[str, Any]) -> None:
    client = world.client("commune_staff")
    assert client.get("/chat-luong-du-lieu/?org=C1").status_code == 200  # checks, and keeps the outcome
    html, found = home(world, "commune_staff")
    report = run_checks(world.org["C1"])
    assert found["health"][1] == f"{report.score:.1f}".replace(".", ",")
    problems = re.search(r'id="work-health".*?<span class="sub">(\d+) ', html, re.S)
    assert problems is not None and int(problems.group(1)) == len(report.problems)


def test_the_daily_pass_checks_every_commune_for_its_card(world: Any, work: dict[str, Any]) -> None:
    """Nobody has opened the data-quality page: `chibo remind` (run every day by `chibo serve`)
    checks each commune, so the card shows a score at most a day old."""
    from io import StringIO

    from django.core.management import call_command

    assert home(world, "commune_staff")[1]["health"][1] == "—"
    out = StringIO()
    call_command("remind", stdout=out)
    assert "data quality of 2 commune(s) checked" in out.getvalue()
    _html, found = home(world, "commune_staff")
    assert found["health"][1] == f"{run_checks(world.org['C1']).score:.1f}".replace(".", ",")
    _html, other = home(world, "other_commune_staff")
    assert other["health"][1] == f"{run_checks(world.org['C2']).score:.1f}".replace(".", ",")


# --- other communes, the province ------------------------------------------------------------

def test_other_commune_staff_never_sees_c1(world: Any, work: dict[str, Any]) -> None:
    html, found = home(world, "other_commune_staff")
    assert found["not-met"] == ("/to-chuc/C2/sinh-hoat/con-thieu/?thang=2026-10", "1")
    assert found["overdue"] == ("/to-chuc/C2/viec-den-han/", "1")
    assert found["off-track"][1] == "1" and found["due"][1] == "0"
    assert found["waiting"][1] == "1"  # their own import, not C1's staff's
    assert "/to-chuc/C1/" not in html and world.org["A"].name not in html and world.org["B"].name not in html
    client = world.client("other_commune_staff")
    assert client.get("/?org=C1").status_code == 404
    for url in ("/to-chuc/C1/sinh-hoat/con-thieu/?thang=2026-10", "/to-chuc/C1/chi-tieu/?trang-thai=off_track",
                "/to-chuc/C1/den-han/?days=30&nhom=thu-tuc", "/to-chuc/C1/viec-den-han/"):
        assert client.get(url).status_code == 404, url


def test_province_staff_reads_the_commune_view(world: Any, work: dict[str, Any]) -> None:
    html, found = home(world, "province_staff", "/?org=C1")
    assert {k: v[1] for k, v in found.items()} == {
        "not-met": "1", "overdue": "4", "off-track": "2", "due": "2", "health": "—"}  # no jobs: may not import
    assert "/nhap-du-lieu/" not in html and "/to-chuc/moi/" not in html
    client = world.client("province_staff")
    for url, _n in found.values():
        assert client.get(url).status_code == 200, url
    # their own home is the province's (another module), not this one
    assert 'id="work-not-met"' not in world.client("province_staff").get("/").content.decode()


def test_a_member_and_a_cell_secretary_do_not_get_the_commune_view(world: Any, work: dict[str, Any]) -> None:
    for persona in ("member", "secretary_a"):
        assert 'id="work-not-met"' not in world.client(persona).get("/").content.decode()


# --- zero states and the empty commune ---------------------------------------------------------

def test_zero_states(world: Any) -> None:
    """Nothing recorded yet: every count is 0 (the cells have not met), and each list says so."""
    _held(world, "A", D(2026, 10, 6))
    _held(world, "B", D(2026, 10, 7))
    html, found = home(world, "commune_staff")
    assert {k: v[1] for k, v in found.items()} == {
        "not-met": "0", "overdue": "0", "off-track": "0", "due": "0", "waiting": "0", "health": "—"}
    assert "Most overdue" not in html and "Nhiều việc quá hạn nhất" not in html
    client = world.client("commune_staff")
    for kind, (url, _n) in found.items():
        response = client.get(url)
        assert response.status_code == 200, url
        if kind != "health":
            assert list_rows(kind, response.content.decode()) == 0, url


@pytest.fixture
def empty(world: Any) -> User:
    commune = orgs.organisation_create(actor=None, code="C3", name="Đảng bộ xã Ba", kind="commune",
                                       parent=world.org["P"], valid_from=D(2026, 1, 1))
    user = User.objects.create_user(username="c3_staff", password="a-long-test-password-42")
    RoleAssignment.objects.create(user=user, organisation=commune, role=Role.COMMUNE_STAFF, valid_from=D(2026, 1, 1))
    return user


def test_the_empty_commune_says_what_to_do_first(world: Any, empty: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(empty)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="work-not-met"' not in html
    assert 'href="/to-chuc/moi/?parent=C3"' in html and 'href="/nhap-du-lieu/"' in html
    assert client.get("/to-chuc/moi/?parent=C3").status_code == 200
    assert client.get("/nhap-du-lieu/").status_code == 200
    # the province sees the same advice without the buttons it may not use
    province = world.client("province_staff").get("/?org=C3")
    assert province.status_code == 200
    text = province.content.decode()
    assert "/to-chuc/moi/" not in text and "/nhap-du-lieu/" not in text and 'class="card work-empty"' in text


# --- speed: a fixed number of queries -----------------------------------------------------------

def _queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "url"), [("commune_staff", "/"), ("province_staff", "/?org=C1")])
def test_the_query_count_does_not_grow_with_cells_and_members(world: Any, work: dict[str, Any], persona: str,
                                                                url: str) -> None:
    client = world.client(persona)
    small = _queries(client, url)
    for i in range(4):
        cell = orgs.organisation_create(actor=None, code=f"N{i}", name=f"Chi bộ thôn Mới {i}", kind="grassroots_cell",
                                        sector="residential", parent=world.org["C1"], valid_from=D(2026, 1, 1))
        first = add_member(cell, "Lê", "Văn", f"Mới{i}")
        for j in range(4):
            add_member(cell, "Lê", "Văn", f"Mới{i}{j}", birth=D(1980 + j, 1, 1))
        add_member(cell, "Hà", "Thị", f"Dự bị{i}", sex="F", status="probationary", admission=D(2025, 10, 20 + i))
        tasks.task_create(actor=world.users["commune_staff"], organisation=cell, title=f"Việc {i}",
                          start_on=D(2026, 9, 1), due_on=D(2026, 10, 1 + i), expected_output="Xong",
                          verifier=world.m["c1_staff"].person, verify_by=D(2026, 10, 20),
                          assignees=[tasks.Assign(person=first.person, lead=True)])
    large = _queries(client, url)
    _html, found = home(world, persona, url)
    assert found["overdue"][1] == "8" and found["not-met"][1] == "5"  # the new cells are counted
    assert large == small, f"{url}: {small} queries with little data, {large} with more"
    assert small <= 30, f"{url}: {small} queries"
