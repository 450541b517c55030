"""The indicators of the work (issue 4, point 10): targets by status and tasks — each pinned to
a small worked example built with the services on the world fixture, through `indicators()`,
`chibo indicators` (--date, --from, --to) and the API (date, from, to).

On 01/07/2026, a resolution of C1 for 2025–2026 is 546 of its 730 days in: 74.8 % of the way
is expected, so a target is on track from 69.8 %, at risk from 56.1 % (¾ of 74.8), off track below.

    C1's programme 2025–2026     target   figure   progress   status
      new members (sum)          10       5 + 1    60 %       at risk
        part of cell A           6        5        83 %       on track
        part of cell B           4        1        25 %       off track
      poor households, at most   8 → 2 %  3,5 %    75 %       on track
      cultural house (yes/no)    done     done     100 %      achieved
      income                     40 → 50  —        —          no figure yet
    A's plan 2025–2026
      latrines                   10       2        20 %       off track

Tasks of cell A (as they stand): completed 20/03/2026 by 31/03 (on time), 25/04 by 30/04
(beyond what was expected), 10/06 after 15/05 (late), 20/10/2025 by 31/10/2025 (on time);
open: one due 15/06/2026 (overdue on 01/07), one submitted due 20/06, one in progress due
30/09; one cancelled. In 2026 up to 01/07: 3 completed, 2 by their deadline → 66.7 %."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chibo.accounts.tokens import api_token_create
from chibo.core.dates import today
from chibo.indicators.figures import INDICATOR_KEYS, WORK_KEYS, indicators
from chibo.organisations.models import PATH_END
from chibo.plans import selectors, services
from chibo.plans.models import Resolution, Target
from chibo.tasks import services as tasks
from chibo.tasks.models import Task

D = dt.date
DAY = D(2026, 7, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def work(world: Any) -> dict[str, Any]:
    staff, C1, A, B = world.users["commune_staff"], world.org["C1"], world.org["A"], world.org["B"]

    def resolution(org: Any, number: str, start: int, end: int, **kw: Any) -> Resolution:
        data = {"body": Resolution.Body.COMMITTEE, "kind": Resolution.Kind.PROGRAMME, "issued_on": D(2025, 7, 20),
                "title": f"Chương trình {number}", **kw}
        return services.resolution_create(actor=staff, organisation=org, number=number, period_start=start,
                                          period_end=end, **data)

    def target(res: Resolution, org: Any, name: str, value: str, **kw: Any) -> Target:
        return services.target_create(actor=staff, resolution=res, organisation=org, name=name,
                                      target_value=Decimal(value), **kw)

    def measure(t: Target, value: str) -> None:
        services.measurement_record(actor=staff, target=t, measured_on=D(2026, 6, 30), value=Decimal(value))

    res = resolution(C1, "05-CTr/ĐU", 2025, 2026)
    admit = target(res, C1, "Kết nạp đảng viên mới", "10", kind=Target.Kind.COUNT, roll_up=Target.RollUp.SUM)
    part_a, part_b = services.target_break_down(admit, actor=staff, shares={A: Decimal(6), B: Decimal(4)})
    measure(part_a, "5")
    measure(part_b, "1")
    measure(target(res, C1, "Tỷ lệ hộ nghèo", "2", kind=Target.Kind.PERCENT, direction=Target.Direction.AT_MOST,
                   baseline_value=Decimal(8), roll_up=Target.RollUp.NONE), "3.5")
    measure(target(res, C1, "Nhà văn hóa xã", "1", kind=Target.Kind.YESNO, roll_up=Target.RollUp.NONE), "1")
    target(res, C1, "Thu nhập bình quân", "50", kind=Target.Kind.AMOUNT, baseline_value=Decimal(40),
           roll_up=Target.RollUp.NONE)
    plan = resolution(A, "02-KH/CB", 2025, 2026, body=Resolution.Body.CELL, kind=Resolution.Kind.PLAN)
    measure(target(plan, A, "Vận động hộ làm nhà tiêu hợp vệ sinh", "10", kind=Target.Kind.COUNT), "2")
    # Not counted on 01/07/2026: a superseded resolution, one whose period is over, one issued
    # later, and one of another commune.
    for number, start, end, extra in (("01-CTr/ĐU", 2025, 2026, {"status": Resolution.Status.SUPERSEDED}),
                                      ("09-NQ/ĐU", 2020, 2024, {"issued_on": D(2020, 3, 1)}),
                                      ("12-NQ/ĐU", 2026, 2030, {"issued_on": D(2026, 8, 1)})):
        target(resolution(C1, number, start, end, **extra), C1, "Chỉ tiêu khác", "5", kind=Target.Kind.COUNT)
    target(resolution(world.org["C2"], "03-NQ/ĐU", 2025, 2026), world.org["C2"], "Chỉ tiêu xã Hai", "5",
           kind=Target.Kind.COUNT)

    secretary = world.users["secretary_a"]

    def task(title: str, due: dt.date, **kw: Any) -> Task:
        return tasks.task_create(
            actor=secretary, organisation=A, title=title, start_on=due - dt.timedelta(days=30), due_on=due,
            expected_output="Kết quả có ảnh minh chứng", verifier=world.m["secretary_a"].person,
            verify_by=due + dt.timedelta(days=5), assignees=[tasks.Assign(person=world.m["member"].person, lead=True)],
            **kw)

    def done(title: str, due: dt.date, on: dt.date, exceeded: bool = False) -> None:
        t = task(title, due)
        tasks.task_submit(t, actor=world.users["member"], note="Đã xong")
        tasks.task_accept(t, actor=secretary, on=on, exceeded=exceeded)

    done("Vận động 5 hộ làm nhà vệ sinh", D(2026, 3, 31), D(2026, 3, 20))
    done("Rà soát hộ nghèo", D(2026, 4, 30), D(2026, 4, 25), exceeded=True)
    done("Tuyên truyền Nghị quyết", D(2026, 5, 15), D(2026, 6, 10))
    done("Thu đảng phí quý IV/2025", D(2025, 10, 31), D(2025, 10, 20))
    task("Sửa nhà văn hóa", D(2026, 6, 15))
    tasks.task_submit(task("Danh sách quần chúng ưu tú", D(2026, 6, 20)), actor=world.users["member"], note="Xong")
    tasks.task_progress(task("Hướng dẫn chuyển đổi cây trồng", D(2026, 9, 30)), actor=world.users["member"],
                        progress=40, note="4 hộ")
    tasks.task_cancel(task("Ra quân vệ sinh", D(2026, 6, 1)), actor=secretary, note="Gộp vào đợt chung của xã")
    return {"admit": admit, "part_a": part_a, "part_b": part_b}


def work_of(code: str, world: Any, day: dt.date = DAY, **period: Any) -> dict[str, Any]:
    return indicators(world.org[code], day, **period).work


def test_targets_by_status_own_and_parts_each_once(world: Any, work: dict[str, Any]) -> None:
    assert work_of("C1", world) == {
        "targets_total": 7, "targets_achieved": 1, "targets_on_track": 2, "targets_at_risk": 1,
        "targets_off_track": 2,
        "tasks_open": 3, "tasks_overdue": 1, "tasks_done": 3, "tasks_done_on_time_pct": 66.7}
    a, b = work_of("A", world), work_of("B", world)
    assert (a["targets_total"], a["targets_on_track"], a["targets_off_track"]) == (2, 1, 1)  # A's part, A's plan
    assert (b["targets_total"], b["targets_off_track"]) == (1, 1)
    assert work_of("X", world)["targets_total"] == 0
    assert work_of("C2", world)["targets_total"] == 1  # no figure yet
    assert work_of("P", world)["targets_total"] == 8
    # the resolution issued on 01/08/2026 counts from then (its target has no figure yet)
    assert work_of("C1", world, D(2026, 8, 1))["targets_total"] == 8


def test_the_counts_agree_with_the_figures_of_each_target(world: Any, work: dict[str, Any]) -> None:
    c1 = world.org["C1"]
    counted = Target.objects.filter(
        organisation__path__gte=c1.path, organisation__path__lt=c1.path + PATH_END,
        resolution__status=Resolution.Status.IN_FORCE, resolution__issued_on__lte=DAY,
        resolution__period_end__gte=DAY.year).select_related("resolution", "organisation")
    figs = selectors.figures(list(counted), DAY)
    by_status: dict[str, int] = {}
    for t in counted:
        by_status[figs[t.pk].status] = by_status.get(figs[t.pk].status, 0) + 1
    assert {k: v for k, v in selectors.status_counts(c1, DAY).items() if v} == by_status
    assert figs[work["admit"].pk].status == "at_risk" and figs[work["part_b"].pk].status == "off_track"


def test_tasks_open_overdue_and_done_on_time(world: Any, work: dict[str, Any]) -> None:
    assert work_of("B", world)["tasks_done_on_time_pct"] is None  # nothing completed: no percentage
    assert work_of("B", world)["tasks_open"] == 0
    whole = work_of("C1", world, start=D(2025, 1, 1))  # 4 completed, 3 by the deadline
    assert (whole["tasks_done"], whole["tasks_done_on_time_pct"]) == (4, 75.0)
    assert work_of("C1", world, end=D(2026, 3, 31))["tasks_done_on_time_pct"] == 100.0  # from 01/01/2026
    assert work_of("C1", world, start=D(2026, 4, 1))["tasks_done_on_time_pct"] == 50.0
    # today (07/12/2026, tests/conftest.py) every open task not yet submitted is past its deadline
    # (the last one was due 30/09/2026)
    assert today() > D(2026, 9, 30) and work_of("C1", world, today())["tasks_overdue"] == 2
    report = indicators(world.org["C1"], DAY)
    assert report.period == (D(2026, 1, 1), DAY)
    with pytest.raises(ValueError):
        indicators(world.org["C1"], DAY, start=D(2026, 8, 1))


def run(*args: str) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_with_date_from_and_to(world: Any, work: dict[str, Any]) -> None:
    data = json.loads(run("C1", "--date", "01/07/2026", "--json"))
    assert set(INDICATOR_KEYS) <= set(data) and set(WORK_KEYS) <= set(data)
    assert (data["targets_total"], data["targets_at_risk"], data["tasks_done_on_time_pct"]) == (7, 1, 66.7)
    assert data["period"] == {"from": "01/01/2026", "to": "01/07/2026"}
    data = json.loads(run("C1", "--date", "01/07/2026", "--from", "01/01/2025", "--to", "30/06/2026", "--json"))
    assert (data["tasks_done"], data["tasks_done_on_time_pct"]) == (4, 75.0)
    assert data["period"] == {"from": "01/01/2025", "to": "30/06/2026"}
    text = run("C1", "--date", "01/07/2026")
    assert "66,7%" in text and "01/01/2026–01/07/2026" in text


@pytest.mark.parametrize(("args", "words"), [
    (("--from", "31/02/2026"), ("--from", "31/02/2026", "dd/mm/yyyy")),
    (("--to", "hôm qua"), ("--to", "hôm qua")),
    (("--from", "01/01/2999"), ("--from", "01/01/2999")),
    (("--to", "02/07/2026"), ("--to", "02/07/2026", "01/07/2026")),  # after --date
    (("--from", "01/06/2026", "--to", "01/05/2026"), ("--from", "01/06/2026", "01/05/2026")),
])
def test_command_bad_period_names_the_option(world: Any, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as exc:
        run("C1", "--date", "01/07/2026", *args)
    for word in words:
        assert word in str(exc.value)


def test_api_date_from_and_to(world: Any, work: dict[str, Any]) -> None:
    _token, plaintext = api_token_create(world.users["commune_staff"], "test")
    client = Client()

    def get(**params: str) -> Any:
        return client.get("/api/v1/organisations/C1/indicators/", params, HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    body = get(date="01/07/2026").json()
    assert set(WORK_KEYS) <= set(body)
    assert (body["targets_total"], body["targets_off_track"], body["tasks_overdue"]) == (7, 2, 1)
    assert body["period"] == {"from": "2026-01-01", "to": "2026-07-01"}
    body = get(date="2026-07-01", **{"from": "2025-01-01", "to": "30/06/2026"}).json()
    assert (body["tasks_done"], body["tasks_done_on_time_pct"]) == (4, 75.0)
    assert body["period"] == {"from": "2025-01-01", "to": "2026-06-30"}
    for params, field in (({"from": "31/02/2026"}, "from"), ({"to": "abc"}, "to"),
                          ({"date": "01/07/2026", "to": "02/07/2026"}, "to"),
                          ({"date": "01/07/2026", "from": "01/06/2026", "to": "01/05/2026"}, "from")):
        response = get(**params)
        assert response.status_code == 400, params
        error = response.json()["error"]
        assert error["code"] == "invalid" and list(error["fields"]) == [field], params
