"""The indicators of member development (issue 6, point 7), each pinned to a worked example on the
world fixture, through `indicators()`, `chibo indicators` and the API; the new-member targets
and the breakdowns on the recruitment page.

Members admitted (besides the world's members admitted in 2010):

    member                    cell  born        admitted    sex  ethnicity  age at admission
    Trần Thị Hoa (a_woman)    A     09/01/2000  03/02/2026  F    Kinh       26
    Rơ Mah Blương             A     15/06/1996  20/05/2026  M    Jrai       29 (30 since 15/06/2026)
    Lê Văn Quang              B     01/03/1990  10/03/2026  M    Kinh       36
    Siu H'Yim                 A     02/04/2001  20/12/2025  F    Jrai       24
    Đinh Thị Lan              B     05/05/1999  05/01/2026  F    Kinh       26, removed 01/06/2026: not counted

From 1 January to 01/07/2026 (the default period on that date): A 2 admitted (both under 30,
1 woman, 1 ethnic minority), B 1 (none of the three), C1 3 (2, 1, 1), C2 0, P 3. In the second
half of 2025: A 1 (Siu H'Yim: 1, 1, 1).

Candidates in the pipeline now: A 2 (Ksor H'Nhi, outstanding, Jrai woman born 2004; Nguyễn Văn
Sơn, sympathiser, Kinh, born 1990) — a withdrawn one not counted —, B 1, X 1: C1 3, P 4."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.accounts.tokens import api_token_create
from chibo.indicators.figures import INDICATOR_KEYS, RECRUITMENT_KEYS, indicators
from chibo.members import services as members
from chibo.plans import services as plans
from chibo.plans.models import Resolution, Target
from chibo.recruitment import services
from chibo.recruitment.models import Candidate
from tests.conftest import add_member, person_data

D = dt.date
DAY = D(2026, 7, 1)
pytestmark = pytest.mark.django_db


def candidate(world: Any, cell: str, family: str, given: str, **kw: Any) -> Candidate:
    return services.candidate_create(actor=None, organisation=world.org[cell], introduced_on=D(2026, 3, 1),
                                     introduced_by="Chi đoàn thôn", person_data=person_data(family, "", given, **kw))


@pytest.fixture
def admitted(world: Any) -> None:
    A, B = world.org["A"], world.org["B"]
    add_member(A, "Rơ Mah", "", "Blương", status="probationary", birth=D(1996, 6, 15), admission=D(2026, 5, 20),
               ethnicity="10")
    add_member(B, "Lê", "Văn", "Quang", status="probationary", birth=D(1990, 3, 1), admission=D(2026, 3, 10))
    add_member(A, "Siu", "", "H'Yim", status="probationary", sex="F", birth=D(2001, 4, 2), admission=D(2025, 12, 20),
               ethnicity="10")
    lan = add_member(B, "Đinh", "Thị", "Lan", status="probationary", sex="F", birth=D(1999, 5, 5),
                     admission=D(2026, 1, 5))
    members.member_record_event(lan, actor=None, kind="removed", effective_date=D(2026, 6, 1),
                                decision_number="30-QĐ/ĐU")
    candidate(world, "A", "Ksor", "H'Nhi", sex="F", birth=D(2004, 8, 8), ethnicity="10")
    son = candidate(world, "A", "Nguyễn", "Sơn", birth=D(1990, 2, 2))
    services.sympathiser_record(son, actor=None, on=D(2026, 4, 1), number="07-NQ/CB")
    services.withdraw(candidate(world, "A", "Lê", "Tâm"), actor=None, on=D(2026, 4, 2), reason="Chuyển đi nơi khác")
    candidate(world, "B", "Rơ Châm", "Hiền", sex="F")
    candidate(world, "X", "Nay", "Bình")


def recruitment_of(world: Any, code: str, day: dt.date = DAY, **period: Any) -> dict[str, Any]:
    return indicators(world.org[code], day, **period).recruitment


def figures(candidates: int, total: int, under_30: int, women: int, minority: int) -> dict[str, int]:
    return {"candidates_total": candidates, "members_admitted": total, "admitted_under_30": under_30,
            "admitted_women": women, "admitted_ethnic_minority": minority}


def test_the_worked_example(world: Any, admitted: None) -> None:
    assert recruitment_of(world, "A") == figures(2, 2, 2, 1, 1)
    assert recruitment_of(world, "B") == figures(1, 1, 0, 0, 0)  # Lan removed: not counted
    assert recruitment_of(world, "C1") == figures(3, 3, 2, 1, 1)
    assert recruitment_of(world, "C2") == figures(1, 0, 0, 0, 0)
    assert recruitment_of(world, "P") == figures(4, 3, 2, 1, 1)
    assert recruitment_of(world, "A1") == figures(0, 0, 0, 0, 0)  # a party group follows no candidate


def test_age_is_counted_on_the_admission_date(world: Any, admitted: None) -> None:
    # Blương turned 30 on 15/06/2026, after his admission at 29: still admitted under 30.
    may = recruitment_of(world, "A", start=D(2026, 5, 1), end=D(2026, 5, 31))
    assert may == figures(2, 1, 1, 0, 1)


def test_period_params(world: Any, admitted: None) -> None:
    assert recruitment_of(world, "A", D(2026, 1, 1), start=D(2025, 7, 1), end=D(2025, 12, 31)) == figures(2, 1, 1, 1, 1)
    assert recruitment_of(world, "A", start=D(2025, 1, 1))["members_admitted"] == 3
    assert recruitment_of(world, "A", start=D(2026, 2, 3), end=D(2026, 2, 3))["members_admitted"] == 1  # inclusive
    report = indicators(world.org["C1"], DAY)
    assert report.period == (D(2026, 1, 1), DAY)
    with pytest.raises(ValueError):
        indicators(world.org["C1"], DAY, start=D(2026, 8, 1))


def test_the_figures_are_computed_only_when_read(world: Any, admitted: None) -> None:
    with CaptureQueriesContext(connection) as ctx:
        report = indicators(world.org["C1"], DAY)
        report.figures  # noqa: B018
    assert not any("recruitment_candidate" in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        report.recruitment  # noqa: B018
    assert len(ctx.captured_queries) == 2  # the candidates, the admitted members
    assert set(RECRUITMENT_KEYS) <= set(INDICATOR_KEYS) and set(RECRUITMENT_KEYS) <= set(report.as_dict())


def run(*args: str) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_with_date_from_and_to(world: Any, admitted: None) -> None:
    data = json.loads(run("C1", "--date", "01/07/2026", "--json"))
    assert {k: data[k] for k in RECRUITMENT_KEYS} == figures(3, 3, 2, 1, 1)
    data = json.loads(run("A", "--date", "01/01/2026", "--from", "01/07/2025", "--to", "31/12/2025", "--json"))
    assert {k: data[k] for k in RECRUITMENT_KEYS} == figures(2, 1, 1, 1, 1)
    text = run("C1", "--date", "01/07/2026")
    assert "01/01/2026–01/07/2026" in text and "66,7%" in text  # 2 of 3 under 30


def test_api_date_from_and_to(world: Any, admitted: None) -> None:
    _token, plaintext = api_token_create(world.users["commune_staff"], "test")
    body = Client().get("/api/v1/organisations/C1/indicators/", {"date": "2026-07-01", "from": "01/05/2026"},
                        HTTP_AUTHORIZATION=f"Bearer {plaintext}").json()
    assert {k: body[k] for k in RECRUITMENT_KEYS} == figures(3, 1, 1, 0, 1)
    assert body["period"] == {"from": "2026-05-01", "to": "2026-07-01"}


# --- The recruitment page: targets and breakdowns -------------------------------------------------

def plan(world: Any, org: str, number: str, name: str, value: str, *, measured: str | None = None,
         kind: str = Target.Kind.COUNT) -> Target:
    res = plans.resolution_create(actor=None, organisation=world.org[org], number=number, period_start=2025,
                                  period_end=2027, body=Resolution.Body.CELL, kind=Resolution.Kind.PLAN,
                                  issued_on=D(2025, 8, 1), title=f"Kế hoạch {number}")
    t = plans.target_create(actor=None, resolution=res, organisation=world.org[org], name=name,
                            target_value=Decimal(value), kind=kind, roll_up=Target.RollUp.NONE)
    if measured is not None:
        plans.measurement_record(actor=None, target=t, measured_on=D(2026, 3, 1), value=Decimal(measured))
    return t


def page(world: Any, persona: str = "secretary_a", code: str = "A") -> Any:
    return world.client(persona).get(f"/to-chuc/{code}/phat-trien-dang-vien/")


@pytest.mark.today(DAY)  # the page shows the year to date
def test_targets_and_breakdowns_on_the_cell_page(world: Any, admitted: None) -> None:
    krong = plan(world, "A", "01-KH/CB", "Kết nạp 2–3 đảng viên mới", "2", measured="1")
    plan(world, "A", "02-KH/CB", "Tỷ lệ hộ nghèo giảm", "5", kind=Target.Kind.PERCENT)  # not a new-member target
    plan(world, "B", "03-KH/CB", "Kết nạp đảng viên mới", "2")  # another cell's
    r = page(world)
    assert r.status_code == 200
    rows = r.context["targets"]
    assert [row.target.pk for row in rows] == [krong.pk]
    row = rows[0]
    assert (row.figure.value, row.figure.percent, row.admitted, row.period) == (Decimal(1), 50, 3, "2025–2027")
    html = r.content.decode()
    assert f'id="target-{krong.pk}"' in html and "Kết nạp 2–3 đảng viên mới" in html and "(50%)" in html
    candidates, new_members = r.context["breakdowns"]
    assert candidates.total == 2 and new_members.total == 2
    assert [(b.value, b.note) for b in candidates.bars] == [(1, "50,0%"), (1, "50,0%"), (1, "50,0%")]
    assert [(b.value, b.note) for b in new_members.bars] == [(2, "100,0%"), (1, "50,0%"), (1, "50,0%")]
    assert "01/01/2026–01/07/2026" in html and 'role="img"' in html  # the charts carry their title and a table


@pytest.mark.today(DAY)  # the page shows the year to date
def test_the_commune_page_counts_its_cells(world: Any, admitted: None) -> None:
    r = page(world, "commune_staff", "C1")
    assert r.status_code == 200
    candidates, new_members = r.context["breakdowns"]
    assert (candidates.total, new_members.total) == (3, 3)
    assert r.context["targets"] == []
    assert "Kết nạp" in r.content.decode()  # the hint on how to add a target


@pytest.mark.today(DAY)  # the page shows the year to date
def test_the_page_reads_a_constant_number_of_queries(world: Any) -> None:
    plan(world, "A", "01-KH/CB", "Kết nạp đảng viên mới", "2", measured="1")
    candidate(world, "A", "Rơ Lan", "Hà", sex="F")
    with CaptureQueriesContext(connection) as small:
        assert page(world).status_code == 200
    plan(world, "A", "04-KH/CB", "Kết nạp 3 đảng viên", "3", measured="2")
    for i in range(3):
        candidate(world, "A", "Ksor", f"Hà {i}", sex="F")
        add_member(world.org["A"], "Ksor", "", f"Nam {i}", status="probationary", admission=D(2026, 4, 1 + i),
                   birth=D(2000, 1, 1))
    with CaptureQueriesContext(connection) as big:
        r = page(world)
    assert len(r.context["targets"]) == 2 and r.context["breakdowns"][0].total == 4
    assert len(big.captured_queries) == len(small.captured_queries)
