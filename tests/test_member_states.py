"""Issue 13 point 5: every member state has a date. An exemption, a temporary activity here
and a departure from the rolls are dated by the form, the import or the API — never by the day
they were typed in — and a report for a past date counts members as they were on that date,
and not in an organisation before its founding."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from chibo.core.dates import add_months, format_vn_date, today
from chibo.indicators.figures import indicators
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent, Status
from chibo.organisations import services as orgs
from tests.api_client import Api, fields_of
from tests.test_import import do_import, xlsx

HEADERS = ["Họ và tên", "Giới tính", "Ngày sinh", "Mã chi bộ", "Tình trạng", "Ngày vào Đảng", "Ngày chính thức",
           "Miễn công tác và sinh hoạt", "Ngày bắt đầu miễn sinh hoạt", "Sinh hoạt tạm thời",
           "Ngày bắt đầu sinh hoạt tạm thời", "Ngày ra khỏi danh sách", "Số quyết định, lý do ra khỏi danh sách",
           "Số CCCD"]
SERIAL = itertools.count(700)


def row(name: str, **over: Any) -> list[Any]:
    values = {"Họ và tên": name, "Giới tính": "Nam", "Ngày sinh": "02/03/1950", "Mã chi bộ": "A",
              "Số CCCD": f"064050{next(SERIAL):06d}",
              "Tình trạng": "Chính thức", "Ngày vào Đảng": "03/02/1975", "Ngày chính thức": "03/02/1976"}
    values.update(over)
    return [values.get(h, "") for h in HEADERS]


def vn(day: dt.date) -> str:
    return format_vn_date(day)


def figures(org: Any, on: dt.date) -> dict[str, Any]:
    return indicators(org, on).figures


def kinds(m: Membership) -> list[tuple[str, dt.date]]:
    return [(e.kind, e.effective_date) for e in m.events.order_by("effective_date", "id")]


# --- The form -----------------------------------------------------------------------------------

def _form(world: Any, **over: Any) -> dict[str, Any]:
    data = {"given_name": "Hùng", "family_name": "Lê", "middle_name": "Văn", "sex": "M", "birth_date": "01/02/1950",
            "ethnicity": "01", "religion": "none", "political_theory": "none", "organisation": world.org["A"].pk,
            "status": "official", "admission_date": "03/02/1975", "official_date": "03/02/1976"}
    data.update(over)
    return data


def test_the_form_asks_for_the_day_an_exemption_began_and_keeps_it(world: Any) -> None:
    client = world.client("secretary_a")
    before = Membership.objects.count()
    response = client.post("/dang-vien/moi/", _form(world, exempt="on"))
    assert response.status_code == 200 and Membership.objects.count() == before
    assert "Nhập ngày quyết định miễn có hiệu lực" in response.content.decode()

    since = today() - dt.timedelta(days=40)
    response = client.post("/dang-vien/moi/", _form(world, exempt="on", exempt_since=vn(since)))
    assert response.status_code == 302
    m = Membership.objects.get(person__given_name="Hùng")
    assert m.exempt and m.exempt_since == since
    assert kinds(m) == [("admitted", dt.date(1975, 2, 3)), ("recognised", dt.date(1976, 2, 3)), ("exempted", since)]
    # On the day before, the member was official and active, not exempt.
    day_before = since - dt.timedelta(days=1)
    then, now = figures(world.org["A"], day_before), figures(world.org["A"], today())
    assert now["members_exempt"] == then["members_exempt"] + 1
    assert now["members_official"] == then["members_official"]


def test_temporary_activity_starts_the_history_here_on_its_own_day(world: Any) -> None:
    since = today() - dt.timedelta(days=20)
    client = world.client("secretary_a")
    response = client.post("/dang-vien/moi/", _form(world, temporary="on"))
    assert response.status_code == 200
    assert "Nhập ngày bắt đầu sinh hoạt tạm thời" in response.content.decode()
    assert client.post("/dang-vien/moi/", _form(world, temporary="on", temporary_since=vn(since))).status_code == 302
    m = Membership.objects.get(person__given_name="Hùng")
    assert m.temporary_since == since
    # The cell's history holds the member from the day the letter was presented, not from 1975.
    assert kinds(m) == [("temporary_in", since)]
    assert m.events.get().status == Status.OFFICIAL


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"exempt": "on", "exempt_since": "01/01/1976"}, "exempt_since", "sau ngày chính thức"),
    ({"exempt": "on", "exempt_since": "FUTURE"}, "exempt_since", "tương lai"),
    ({"exempt_since": "01/01/2020"}, "exempt_since", "chưa được đánh dấu miễn"),
    ({"temporary": "on", "temporary_since": "01/01/1970"}, "temporary_since", "trước ngày vào Đảng"),
])
def test_bad_state_dates_are_refused_naming_the_field(world: Any, over: dict[str, str], field: str,
                                                      words: str) -> None:
    over = {k: (vn(today() + dt.timedelta(days=3)) if v == "FUTURE" else v) for k, v in over.items()}
    before = (Membership.objects.count(), MembershipEvent.objects.count())
    response = world.client("secretary_a").post("/dang-vien/moi/", _form(world, **over))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field], form.errors
    assert words in " ".join(form.errors[field])
    assert (Membership.objects.count(), MembershipEvent.objects.count()) == before


# --- The API ------------------------------------------------------------------------------------

def test_the_api_takes_and_shows_the_dates(world: Any) -> None:
    api = Api(world)
    body = {"given_name": "Hùng", "family_name": "Lê", "sex": "M", "birth_date": "1950-02-01", "organisation": "A",
            "status": "official", "admission_date": "1975-02-03", "official_date": "1976-02-03", "exempt": True}
    assert fields_of(api("secretary_a", "POST", "members/", body)) == ["exempt_since"]
    since = today() - dt.timedelta(days=9)
    created = api("secretary_a", "POST", "members/", {**body, "exempt_since": since.isoformat()})
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["exempt_since"] == since.isoformat() and data["left_on"] is None
    assert [e["kind"] for e in data["events"]] == ["admitted", "recognised", "exempted"]


def test_recorded_events_keep_the_state_dates(world: Any) -> None:
    m = world.m["member"]
    on = today() - dt.timedelta(days=5)
    members.member_record_event(m, actor=None, kind="exempted", effective_date=on, decision_number="5-QĐ/ĐU")
    m.refresh_from_db()
    assert m.exempt_since == on
    members.member_record_event(m, actor=None, kind="exemption_ended", effective_date=today())
    members.member_record_event(m, actor=None, kind="deceased", effective_date=today(), note="Từ trần")
    m.refresh_from_db()
    assert (m.exempt, m.exempt_since, m.left_on, m.left_note) == (False, None, today(), "Từ trần")


# --- The import ---------------------------------------------------------------------------------

def test_an_import_today_gives_last_months_figures_as_the_books_had_them(world: Any) -> None:
    """Import today, ask for last month: each state counts from the day it began."""
    last_month, recent = today() - dt.timedelta(days=35), today() - dt.timedelta(days=10)
    recognised = today() - dt.timedelta(days=5)
    cell = world.org["A"]
    then0, now0 = figures(cell, last_month), figures(cell, today())
    result = do_import(world, xlsx({"Đảng viên": [HEADERS,
        row("Đinh Văn Miễn", **{"Miễn công tác và sinh hoạt": "Có", "Ngày bắt đầu miễn sinh hoạt": vn(recent)}),
        row("Rơ Chăm Dự", **{"Tình trạng": "Chính thức", "Ngày vào Đảng": vn(add_months(recognised, -12)),
                             "Ngày chính thức": vn(recognised), "Ngày sinh": "02/03/1990",
                             "Số CCCD": "064090000999"}),
        row("Ksor Mất", **{"Tình trạng": "Từ trần", "Ngày ra khỏi danh sách": vn(recent),
                           "Số quyết định, lý do ra khỏi danh sách": "Từ trần ngày " + vn(recent)}),
        row("Siu Tạm", **{"Sinh hoạt tạm thời": "Có", "Ngày bắt đầu sinh hoạt tạm thời": vn(recent)}),
    ]}))
    assert not result.errors, [(e.column, e.message) for e in result.errors]
    then, now = figures(cell, last_month), figures(cell, today())
    # last month: Miễn official and active, Dự probationary, Mất alive and counted, Tạm not here yet
    assert then["members_total"] == then0["members_total"] + 3
    assert then["members_official"] == then0["members_official"] + 2
    assert then["members_probationary"] == then0["members_probationary"] + 1
    assert then["members_exempt"] == then0["members_exempt"]
    # today: Miễn exempt, Dự official, Mất gone, Tạm here but not counted in đảng số
    assert now["members_total"] == now0["members_total"] + 2
    assert now["members_official"] == now0["members_official"] + 2
    assert now["members_exempt"] == now0["members_exempt"] + 1
    gone = Membership.objects.get(person__given_name="Mất")
    assert (gone.status, gone.current, gone.left_on) == (Status.DECEASED, False, recent)
    assert kinds(gone)[-1] == ("deceased", recent)
    assert gone.events.get(kind="deceased").note.startswith("Từ trần ngày")


@pytest.mark.parametrize("status", ["Đã chuyển đi", "Xóa tên", "Khai trừ", "Từ trần"])
def test_a_former_member_needs_the_day_they_left(world: Any, status: str) -> None:
    before = Membership.objects.count()
    result = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Y Ƀlan", **{"Tình trạng": status})]}))
    assert [e.column for e in result.errors] == ["Ngày ra khỏi danh sách"]
    assert Membership.objects.count() == before
    result = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Y Ƀlan", **{
        "Tình trạng": status, "Ngày ra khỏi danh sách": "15/03/2020"})]}))
    assert not result.errors
    m = Membership.objects.get(person__given_name="Ƀlan")
    assert not m.current and m.left_on == dt.date(2020, 3, 15)


@pytest.mark.parametrize(("over", "column"), [
    ({"Miễn công tác và sinh hoạt": "Có", "Ngày bắt đầu miễn sinh hoạt": "FUTURE"}, "Ngày bắt đầu miễn sinh hoạt"),
    ({"Miễn công tác và sinh hoạt": "Có"}, "Ngày bắt đầu miễn sinh hoạt"),
    ({"Miễn công tác và sinh hoạt": "Có", "Ngày bắt đầu miễn sinh hoạt": "01/01/1975"},
     "Ngày bắt đầu miễn sinh hoạt"),
    ({"Sinh hoạt tạm thời": "Có"}, "Ngày bắt đầu sinh hoạt tạm thời"),
    ({"Ngày ra khỏi danh sách": "01/01/2020"}, "Ngày ra khỏi danh sách"),
    ({"Tình trạng": "Xóa tên", "Ngày ra khỏi danh sách": "01/01/1974"}, "Ngày ra khỏi danh sách"),
    ({"Tình trạng": "Xóa tên", "Ngày ra khỏi danh sách": "01/01/2020", "Sinh hoạt tạm thời": "Có",
      "Ngày bắt đầu sinh hoạt tạm thời": "01/01/2019"}, "Sinh hoạt tạm thời"),
])
def test_bad_state_dates_in_an_import_name_the_column(world: Any, over: dict[str, str], column: str) -> None:
    over = {k: (vn(today() + dt.timedelta(days=2)) if v == "FUTURE" else v) for k, v in over.items()}
    before = MembershipEvent.objects.count()
    result = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Nay Sai", **over)]}))
    assert [e.column for e in result.errors] == [column], [(e.column, e.message) for e in result.errors]
    assert MembershipEvent.objects.count() == before


def test_a_former_member_stays_in_the_dissolved_cell_they_left(world: Any) -> None:
    old = orgs.organisation_create(actor=None, code="A-CU", name="Chi bộ thôn cũ", kind="grassroots_cell",
                                   parent=world.org["C1"], valid_from=dt.date(2025, 7, 1))
    orgs.organisation_update(old, actor=None, valid_to=dt.date(2025, 12, 31))
    late = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Kpă Muộn", **{
        "Mã chi bộ": "A-CU", "Tình trạng": "Đã chuyển đi", "Ngày ra khỏi danh sách": "05/01/2026"})]}))
    assert [e.column for e in late.errors] == ["Ngày ra khỏi danh sách"]
    ok = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Kpă Sớm", **{
        "Mã chi bộ": "A-CU", "Tình trạng": "Đã chuyển đi", "Ngày ra khỏi danh sách": "05/12/2025"})]}))
    assert not ok.errors
    current = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Kpă Nay", **{"Mã chi bộ": "A-CU"})]}))
    assert [e.column for e in current.errors] == ["Mã chi bộ"]


# --- Founding dates -----------------------------------------------------------------------------

def test_nobody_is_counted_in_an_organisation_before_its_founding(world: Any) -> None:
    founded = today() - dt.timedelta(days=20)
    new = orgs.organisation_create(actor=None, code="A-MOI", name="Chi bộ thôn mới", kind="grassroots_cell",
                                   parent=world.org["C1"], valid_from=founded)
    result = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Đinh Văn Lâu", **{"Mã chi bộ": "A-MOI"})]}))
    assert not result.errors
    commune = world.org["C1"]
    before, after = founded - dt.timedelta(days=1), founded + dt.timedelta(days=1)
    assert figures(new, before)["members_total"] == 0
    assert figures(new, after)["members_total"] == 1
    # the commune counts the member from the cell's founding on, though admitted in 1975
    assert figures(commune, after)["members_total"] == figures(commune, before)["members_total"] + 1
    # and nothing at all before the commune itself was founded (1/7/2025)
    assert figures(commune, dt.date(2025, 6, 30))["members_total"] == 0


def test_a_past_date_compares_the_children_as_each_child_counts_itself(world: Any) -> None:
    """The province's chart of its communes for a past date is one grouped pass; it must agree
    with each commune's own figure, founding dates and exemptions included."""
    from chibo.indicators.figures import _members_on, children_members

    members.member_record_event(world.m["b_member"], actor=None, kind="exempted",
                                effective_date=today() - dt.timedelta(days=3))
    for day in (today() - dt.timedelta(days=1), today() - dt.timedelta(days=10), dt.date(2025, 6, 30)):
        for parent in (world.org["P"], world.org["C1"]):
            got = {c.code: n for c, n in children_members(parent, day)}
            assert got == {c.code: _members_on(c, day).total() for c, _n in children_members(parent, day)}, day
    assert sum(n for _c, n in children_members(world.org["P"], today() - dt.timedelta(days=1))) > 0


@pytest.mark.parametrize("persona", ["secretary_a", "other_commune_staff"])
def test_a_former_member_cannot_be_written_into_a_cell_out_of_scope(world: Any, persona: str) -> None:
    """The new former-member rows go through the same scope check as current ones: cell B for
    cell A's secretary, cell A for another commune's staff — refused, nothing written."""
    cell = "B" if persona == "secretary_a" else "A"
    before = (Membership.objects.count(), MembershipEvent.objects.count())
    result = do_import(world, xlsx({"Đảng viên": [HEADERS, row("Rơ Mah Ngoài", **{
        "Mã chi bộ": cell, "Tình trạng": "Từ trần", "Ngày ra khỏi danh sách": "01/06/2024"})]}), persona=persona)
    assert [e.column for e in result.errors] == ["Mã chi bộ"]
    assert (Membership.objects.count(), MembershipEvent.objects.count()) == before
