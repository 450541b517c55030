"""The indicators of the cell meetings and documents (issue 5, point 9), each pinned to a small
worked example built with the services on the world fixture, through `indicators()`,
`chibo indicators` (--date, --from, --to) and the API (date, from, to).

Cell A (committee, 4 members, Ninh exempt: 3 invited) and cell B (no committee, 2 members) of
commune C1; cell X of C2 holds nothing. In the second quarter of 2026 (01/04–30/06):

    meeting                        status      invited  came (present or late)
    A 10/03 regular                held        3        3          (before the quarter)
    A 10/04 regular + thematic     held        3        3          (+ a guest from B, not counted)
    A 20/04 committee              held        2        2          (the committee only: Thăng, Đức)
    A 12/05 regular                held        3        2          (Thăng late, Hoa absent without reason)
    A 05/06 regular                cancelled   —        —
    A 15/06 regular                prepared    —        —          (not recorded as held)
    B 14/06 regular                held        2        1          (Bình absent: đi làm ăn xa)

Required in the quarter: A 3 regular + 3 committee + 1 thematic = 7, of which held 4 (regular
April and May, committee April, the April theme); B 3 regular + 1 thematic = 4, held 1 (June).
C1: 5 of 11 → 45.5 %; thematic meetings held 1; attendance 8 of 10 → 80.0 % (A 7 of 8 → 87.5,
B 1 of 2 → 50.0). From 1 January to 01/07/2026 (the default period on that date): required 22
(A 6 + 6 + 2, B 6 + 2), held 6 → 27.3 %; attendance 11 of 13 → 84.6 %.

Documents: 10/05 to C1 (reaches A's 3 and B's 2 members, not exempt Ninh) read by Đức, Thăng,
H'Luyên and Bình (and Ninh, who is exempt: not counted); 20/06 to A, read by Đức; 02/03 to C1,
read by Đức. Quarter: C1 5 of 8 → 62.5 %, A 3 of 6 → 50.0 %, B 2 of 2 → 100.0 %; from 1 January:
C1 6 of 13 → 46.2 %, B 2 of 4 → 50.0 % (nobody in B read the March document)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chibo.accounts.models import User
from chibo.accounts.tokens import api_token_create
from chibo.documents import services as documents
from chibo.indicators.figures import INDICATOR_KEYS, MEETING_KEYS, indicators
from chibo.meetings import services
from chibo.meetings.models import Meeting
from chibo.members import services as members

D = dt.date
T = dt.time
DAY = D(2026, 7, 1)
Q2 = {"start": D(2026, 4, 1), "end": D(2026, 6, 30)}
pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world: Any) -> dict[str, Any]:
    members.member_record_event(world.m["c1_staff"], actor=None, kind="exempted", effective_date=D(2026, 3, 1),
                                decision_number="05-QĐ/CB")
    people = {key: world.m[key].person for key in ("member", "secretary_a", "a_woman", "secretary_b", "b_member")}
    duc, thang, hoa, hluyen, binh = (p.pk for p in people.values())

    def meeting(cell: str, day: dt.date, attendance: dict[int, tuple[str, str]] | None, *, kind: str = "regular",
                topic: str = "", guests: tuple[services.Guest, ...] = ()) -> Meeting:
        m = services.meeting_create(actor=None, organisation=world.org[cell], kind=kind, date=day,
                                    start_time=T(19, 30), place="Nhà văn hóa thôn", thematic_topic=topic,
                                    guests=guests)
        for person_id, (status, reason) in (attendance or {}).items():
            services.attendance_record(m, actor=None, person_id=person_id, status=status, reason=reason)
        if attendance is not None and not m.attendance.filter(status="invited").exists():
            services.meeting_held(m, actor=None, end_time=T(21, 30))
        return m

    here = ("present", "")
    meeting("A", D(2026, 3, 10), {duc: here, thang: here, hoa: here})
    meeting("A", D(2026, 4, 10), {duc: here, thang: here, hoa: here, hluyen: here},
            topic="Học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
            guests=(services.Guest(person=people["secretary_b"], title="Đảng ủy viên phụ trách chi bộ"),))
    meeting("A", D(2026, 4, 20), {duc: here, thang: here}, kind="committee")
    meeting("A", D(2026, 5, 12), {duc: here, thang: ("late", ""), hoa: ("unexcused", "")})
    services.meeting_cancel(meeting("A", D(2026, 6, 5), None), actor=None, reason="Trùng lịch họp của xã")
    meeting("A", D(2026, 6, 15), {duc: here})  # attendance not complete: not held
    meeting("B", D(2026, 6, 14), {hluyen: here, binh: ("excused", "đi làm ăn xa")})

    binh_user = User.objects.create_user(username="binh", password="a-long-test-password-42",
                                         person=people["b_member"])
    to_c1 = documents.document_publish(actor=None, organisation=world.org["C1"], issuer="Ban Chấp hành Trung ương",
                                       number="339-QĐ/TW", kind="regulation", issued_on=D(2026, 5, 10),
                                       title="Quy định về sổ tay đảng viên điện tử")
    to_a = documents.document_publish(actor=None, organisation=world.org["A"], issuer="Chi bộ thôn Đông",
                                      number="05-NQ/CB", kind="resolution", issued_on=D(2026, 6, 20),
                                      title="Nghị quyết chi bộ tháng 6")
    earlier = documents.document_publish(actor=None, organisation=world.org["C1"], issuer="Ban Bí thư",
                                         number="50-CT/TW", kind="directive", issued_on=D(2026, 3, 2),
                                         title="Chỉ thị về nâng cao chất lượng sinh hoạt chi bộ")
    for user in (world.users["member"], world.users["secretary_a"], world.users["secretary_b"], binh_user,
                 world.users["commune_staff"]):  # the last is Ninh, exempt
        documents.document_mark_read(to_c1, actor=user)
    documents.document_mark_read(to_a, actor=world.users["member"])
    documents.document_mark_read(earlier, actor=world.users["member"])
    return people


def meetings_of(world: Any, code: str, day: dt.date = DAY, **period: Any) -> dict[str, Any]:
    return indicators(world.org[code], day, **period).meetings


def test_the_quarter_worked_example(world: Any, held: dict[str, Any]) -> None:
    assert meetings_of(world, "C1", **Q2) == {
        "meetings_required": 11, "meetings_held": 5, "meetings_held_pct": 45.5, "thematic_meetings_held": 1,
        "attendance_pct": 80.0, "documents_read_pct": 62.5}
    assert meetings_of(world, "A", **Q2) == {
        "meetings_required": 7, "meetings_held": 4, "meetings_held_pct": 57.1, "thematic_meetings_held": 1,
        "attendance_pct": 87.5, "documents_read_pct": 50.0}
    assert meetings_of(world, "B", **Q2) == {
        "meetings_required": 4, "meetings_held": 1, "meetings_held_pct": 25.0, "thematic_meetings_held": 0,
        "attendance_pct": 50.0, "documents_read_pct": 100.0}
    assert meetings_of(world, "X", **Q2) == {
        "meetings_required": 4, "meetings_held": 0, "meetings_held_pct": 0.0, "thematic_meetings_held": 0,
        "attendance_pct": None, "documents_read_pct": None}  # nothing held, nothing sent: no percentage
    p = meetings_of(world, "P", **Q2)
    assert (p["meetings_required"], p["meetings_held"], p["meetings_held_pct"]) == (15, 5, 33.3)


def test_the_default_period_is_the_year_up_to_the_date(world: Any, held: dict[str, Any]) -> None:
    report = indicators(world.org["C1"], DAY)
    assert report.period == (D(2026, 1, 1), DAY)
    assert report.meetings == {
        "meetings_required": 22, "meetings_held": 6, "meetings_held_pct": 27.3, "thematic_meetings_held": 1,
        "attendance_pct": 84.6, "documents_read_pct": 46.2}
    # one month: April (its regular and committee meetings, no quarter ends in it)
    april = meetings_of(world, "A", start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert (april["meetings_required"], april["meetings_held"], april["attendance_pct"]) == (2, 2, 100.0)
    # a period whose months have not ended requires nothing yet
    assert meetings_of(world, "A", start=D(2026, 6, 16), end=D(2026, 6, 29))["meetings_required"] == 0
    with pytest.raises(ValueError):
        indicators(world.org["C1"], DAY, start=D(2026, 8, 1))


def test_the_figures_are_computed_only_when_read(world: Any, held: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as ctx:
        report = indicators(world.org["C1"])
        report.figures  # what the dashboard shows  # noqa: B018
    assert not any("meetings_" in q["sql"] or "documents_" in q["sql"] for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        report.meetings  # noqa: B018
    assert any("meetings_" in q["sql"] for q in ctx.captured_queries)
    assert set(MEETING_KEYS) <= set(INDICATOR_KEYS) and set(MEETING_KEYS) <= set(report.as_dict())


def run(*args: str) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_with_date_from_and_to(world: Any, held: dict[str, Any]) -> None:
    data = json.loads(run("C1", "--date", "01/07/2026", "--from", "01/04/2026", "--to", "30/06/2026", "--json"))
    assert {k: data[k] for k in MEETING_KEYS} == {
        "meetings_required": 11, "meetings_held": 5, "meetings_held_pct": 45.5, "thematic_meetings_held": 1,
        "attendance_pct": 80.0, "documents_read_pct": 62.5}
    data = json.loads(run("C1", "--date", "01/07/2026", "--json"))
    assert (data["meetings_required"], data["attendance_pct"], data["period"]) == (
        22, 84.6, {"from": "01/01/2026", "to": "01/07/2026"})
    text = run("C1", "--date", "01/07/2026", "--from", "01/04/2026", "--to", "30/06/2026")
    assert "45,5%" in text and "80,0%" in text and "62,5%" in text and "01/04/2026–30/06/2026" in text
    assert "—" in run("X", "--date", "01/07/2026", "--from", "01/04/2026", "--to", "30/06/2026")  # no attendance


def test_api_date_from_and_to(world: Any, held: dict[str, Any]) -> None:
    _token, plaintext = api_token_create(world.users["commune_staff"], "test")
    client = Client()

    def get(code: str = "C1", **params: str) -> Any:
        return client.get(f"/api/v1/organisations/{code}/indicators/", params,
                          HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    body = get(date="2026-07-01", **{"from": "01/04/2026", "to": "2026-06-30"}).json()
    assert {k: body[k] for k in MEETING_KEYS} == {
        "meetings_required": 11, "meetings_held": 5, "meetings_held_pct": 45.5, "thematic_meetings_held": 1,
        "attendance_pct": 80.0, "documents_read_pct": 62.5}
    assert body["period"] == {"from": "2026-04-01", "to": "2026-06-30"}
    body = get("B", date="01/07/2026").json()
    assert (body["meetings_required"], body["meetings_held"], body["documents_read_pct"]) == (8, 1, 50.0)
