"""Data-quality checks: each problem is found with its code and fix link, a clean world has
no errors, the page respects scope and stays within a flat query budget, the CLI prints and
its --json parses.

Problems the services refuse (impossible dates, members in an ended cell, decomposed or
legacy-encoded names) are made with QuerySet.update() here, to stand for imported data."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chibo.core.dates import today
from chibo.members import services as members
from chibo.members.models import Membership, Person
from chibo.organisations.models import Organisation
from chibo.quality.checks import KINDS, SHOWN_PER_KIND, health_score, run_checks
from tests.conftest import add_member

URL = "/chat-luong-du-lieu/"


def _codes(report, code):
    return [p for p in report.problems if p.code == code]


def _for(report, code, m):
    return [p for p in report.problems if p.code == code and p.subject.kind == "member" and p.subject.pk == m.pk]


def _clean(world):
    """Give every official member a party card number: the world is then free of errors."""
    for i, m in enumerate(Membership.objects.filter(status="official").order_by("pk")):
        members.member_update(m, actor=None, card_number=f"9{i:07d}")


@pytest.fixture
def clean_world(world):
    _clean(world)
    return world


def _update_member(m, **fields):
    Membership.objects.filter(pk=m.pk).update(**fields)


# --- The checks ------------------------------------------------------------------------------

def test_a_clean_world_has_no_errors(clean_world):
    report = run_checks(clean_world.org["P"])
    assert report.errors == 0, [p.message for p in report.problems if p.severity == "error"]
    # What remains are warnings: nobody has a phone, and cells B and X have two official members.
    assert {p.code for p in report.problems} == {"missing_phone", "cell_too_few_officials"}
    assert {p.organisation.code for p in _codes(report, "cell_too_few_officials")} == {"B", "X"}
    assert report.total.records == 8 + 3  # current members + active cells
    assert report.score == health_score(11, 0, len(report.problems))


def test_official_members_need_a_card_number(world):
    report = run_checks(world.org["A"])
    found = _for(report, "missing_card_number", world.m["member"])
    assert len(found) == 1 and found[0].severity == "error"
    assert found[0].fix_url == reverse("member-edit", args=[world.m["member"].pk])
    assert not _for(report, "missing_card_number", world.m["a_woman"])  # probationary: no card yet


def test_same_folded_name_and_birth_date_is_a_duplicate(clean_world):
    w = clean_world
    twin = add_member(w.org["A"], "NGUYEN", "Van", "Duc", residence=w.loc["A"])  # same birth date by default
    other = add_member(w.org["A"], "Nguyễn", "Văn", "Đức", birth=dt.date(1981, 5, 17))
    # Both have (different) citizen IDs: perhaps two people, a warning.
    report = run_checks(w.org["C1"])
    found = _codes(report, "possible_duplicate")
    assert {p.subject.pk for p in found} == {w.m["member"].pk, twin.pk}
    assert other.pk not in {p.subject.pk for p in found}
    assert all(p.severity == "warning" and p.organisation.code == "A" for p in found)
    assert found[0].fix_url == reverse("member-edit", args=[found[0].subject.pk])
    assert "17/05/1980" in found[0].message
    assert not _codes(report, "duplicate_person")
    # One without a citizen ID: probably one person entered twice, an error.
    members.person_update(twin.person, actor=None, citizen_id="")
    found = _codes(run_checks(w.org["C1"]), "duplicate_person")
    assert {p.subject.pk for p in found} == {w.m["member"].pk, twin.pk}
    assert all(p.severity == "error" for p in found)
    # Only within the subtree: the same name and date in commune C2 is someone else's record.
    third = add_member(w.org["X"], "Nguyễn", "Văn", "Đức", residence=w.loc["X"])
    assert {p.subject.pk for p in _codes(run_checks(w.org["C1"]), "duplicate_person")} == {w.m["member"].pk, twin.pk}
    # The province sees all three.
    found = _codes(run_checks(w.org["P"]), "duplicate_person")
    assert {p.subject.pk for p in found} == {w.m["member"].pk, twin.pk, third.pk}
    assert "3" in found[0].message


def test_impossible_dates(clean_world):
    w = clean_world
    day = today()
    # Official six months after admission (the rule says 12).
    _update_member(w.m["member"], official_date=dt.date(2010, 9, 2))
    # Admitted at 17.
    Person.objects.filter(pk=w.m["secretary_a"].person_id).update(birth_date=dt.date(1993, 1, 1))
    _update_member(w.m["secretary_a"], birth_date=dt.date(1993, 1, 1))
    # A date in the future.
    _update_member(w.m["c1_staff"], official_date=day + dt.timedelta(days=3))
    report = run_checks(w.org["A"])

    early = _for(report, "official_too_early", w.m["member"])
    assert len(early) == 1
    assert "02/09/2010" in early[0].message and "02/03/2011" in early[0].message and "Điều 5" in early[0].message
    assert early[0].fix_url == reverse("member-edit", args=[w.m["member"].pk])

    young = _for(report, "admitted_under_age", w.m["secretary_a"])
    assert len(young) == 1 and "18" in young[0].message and "Điều lệ Đảng" in young[0].message

    future = _for(report, "date_in_future", w.m["c1_staff"])
    assert len(future) == 1 and (day + dt.timedelta(days=3)).strftime("%d/%m/%Y") in future[0].message
    assert not _for(report, "official_too_early", w.m["c1_staff"])  # late is not early

    # An official date exactly at the end of probation is fine, even at a month's end.
    _update_member(w.m["member"], admission_date=dt.date(2011, 1, 31), official_date=dt.date(2012, 1, 31))
    _update_member(w.m["c1_staff"], admission_date=dt.date(2011, 2, 28), official_date=dt.date(2012, 2, 28))
    report = run_checks(w.org["A"])
    assert not _codes(report, "official_too_early")
    _update_member(w.m["c1_staff"], official_date=dt.date(2012, 2, 27))
    assert [p.subject.pk for p in _codes(run_checks(w.org["A"]), "official_too_early")] == [w.m["c1_staff"].pk]


def test_official_member_without_an_official_date(clean_world):
    _update_member(clean_world.m["b_member"], official_date=None)
    found = _for(run_checks(clean_world.org["B"]), "missing_official_date", clean_world.m["b_member"])
    assert len(found) == 1 and found[0].severity == "error"


def test_probation_over_without_a_decision(clean_world):
    w = clean_world
    m = w.m["a_woman"]  # probationary since 03/02/2026
    assert not _codes(run_checks(w.org["A"]), "probation_overdue")
    _update_member(m, admission_date=dt.date(2024, 6, 10))
    found = _for(run_checks(w.org["A"]), "probation_overdue", m)
    assert len(found) == 1 and found[0].severity == "error"
    assert "10/06/2025" in found[0].message and "12" in found[0].message
    assert found[0].fix_url == reverse("member-event", args=[m.pk])
    # On the last day of probation it is not yet overdue.
    assert not _codes(run_checks(w.org["A"], day=dt.date(2025, 6, 10)), "probation_overdue")
    assert _codes(run_checks(w.org["A"], day=dt.date(2025, 6, 11)), "probation_overdue")


def test_members_without_an_active_organisation(clean_world):
    w = clean_world
    Organisation.objects.filter(pk=w.org["B"].pk).update(valid_to=dt.date(2026, 1, 1))
    _update_member(w.m["x_member"], organisation=w.org["C2"])  # a commune does not keep members
    report = run_checks(w.org["P"])
    ended = [p for p in _codes(report, "no_active_organisation") if p.organisation.code == "B"]
    assert {p.subject.pk for p in ended} == {w.m["secretary_b"].pk, w.m["b_member"].pk}
    assert "01/01/2026" in ended[0].message
    assert ended[0].fix_url == reverse("member-event", args=[ended[0].subject.pk])
    wrong = _for(report, "no_active_organisation", w.m["x_member"])
    assert len(wrong) == 1 and "Xã Hai" in wrong[0].message
    # An ended cell is no longer checked as a cell.
    assert "B" not in {p.organisation.code for p in _codes(report, "cell_too_few_officials")}


def test_cells_too_small_or_without_a_committee(clean_world):
    w = clean_world
    report = run_checks(w.org["C1"])
    small = [p for p in _codes(report, "cell_too_few_officials") if p.subject.code == "B"]
    assert len(small) == 1 and small[0].severity == "warning"
    assert "2" in small[0].message and "3" in small[0].message and "Điều 24" in small[0].message
    assert small[0].fix_url == reverse("organisation", args=["B"])
    assert not _codes(report, "cell_needs_committee")

    for i in range(7):
        add_member(w.org["B"], "Lê", "Văn", f"Thêm{i}", residence=w.loc["B"])
    report = run_checks(w.org["C1"])
    need = _codes(report, "cell_needs_committee")
    assert [p.subject.code for p in need] == ["B"]
    assert "9" in need[0].message and "Điều 24" in need[0].message
    assert need[0].fix_url == reverse("post-create") + "?org=B"
    assert not [p for p in _codes(report, "cell_too_few_officials") if p.subject.code == "B"]
    # Cell A has 3 official members and a committee: neither problem.
    assert "A" not in {p.organisation.code for p in report.problems if p.subject.kind == "organisation"}


def test_village_head_not_living_there(clean_world):
    w = clean_world
    assert not _codes(run_checks(w.org["P"]), "head_not_resident")
    members.person_update(w.outsider, actor=None, residence=w.loc["A"])  # head of VB, now living in VA
    found = _codes(run_checks(w.org["C1"]), "head_not_resident")
    assert len(found) == 1
    assert found[0].subject.code == "VB" and found[0].organisation.code == "B"
    assert "Siu Bơi" in found[0].message and "Làng Ia Rơ" in found[0].message
    assert found[0].fix_url == reverse("locality", args=["VB"])
    assert not _codes(run_checks(w.org["C2"]), "head_not_resident")


def test_names_not_in_nfc_or_in_a_legacy_encoding(clean_world):
    w = clean_world
    Person.objects.filter(pk=w.m["member"].person_id).update(given_name=unicodedata.normalize("NFD", "Đức"))
    Person.objects.filter(pk=w.m["b_member"].person_id).update(family_name="Lª", middle_name="V¨n",
                                                              given_name="B×nh")  # TCVN3 (ABC)
    report = run_checks(w.org["C1"])
    nfd = _codes(report, "name_not_nfc")
    assert [p.subject.pk for p in nfd] == [w.m["member"].pk]
    assert nfd[0].fix_url == reverse("member-edit", args=[w.m["member"].pk])
    legacy = _codes(report, "name_legacy_encoding")
    assert [p.subject.pk for p in legacy] == [w.m["b_member"].pk]
    assert "TCVN3" in legacy[0].message
    # Saving the record through the service stores the name in NFC: the problem is gone.
    members.person_update(Person.objects.get(pk=w.m["member"].person_id), actor=None)
    assert not _codes(run_checks(w.org["C1"]), "name_not_nfc")


def test_missing_citizen_id_is_an_error_and_missing_phone_a_warning(clean_world):
    w = clean_world
    members.person_update(w.m["x_member"].person, actor=None, citizen_id="")
    members.person_update(w.m["x_secretary"].person, actor=None, phone="0905 123 456")
    report = run_checks(w.org["X"])
    cid = _codes(report, "missing_citizen_id")
    assert [p.subject.pk for p in cid] == [w.m["x_member"].pk] and cid[0].severity == "error"
    phones = _codes(report, "missing_phone")
    assert [p.subject.pk for p in phones] == [w.m["x_member"].pk] and phones[0].severity == "warning"


def test_every_kind_has_a_title_and_every_problem_a_message_and_fix_url(world):
    Membership.objects.filter(pk=world.m["member"].pk).update(official_date=None)
    report = run_checks(world.org["P"])
    assert report.problems
    for p in report.problems:
        assert p.code in KINDS and p.severity == KINDS[p.code].severity
        assert p.message and "%(" not in p.message
        assert p.fix_url.startswith("/")


# --- Scores ----------------------------------------------------------------------------------

def test_score_formula():
    assert health_score(10, 0, 0) == 100.0
    assert health_score(10, 1, 0) == 90.0
    assert health_score(10, 0, 1) == 97.5
    assert health_score(3, 1, 0) == 66.6  # rounded down: only clean data scores 100
    assert health_score(100_000, 0, 1) == 99.9
    assert health_score(2, 5, 0) == 0.0  # never below 0
    assert health_score(0, 0, 0) is None


def test_scores_per_cell_and_commune(clean_world):
    w = clean_world
    members.person_update(w.m["member"].person, actor=None, citizen_id="")
    report = run_checks(w.org["P"])
    a = report.cells[w.org["A"].pk]
    assert (a.records, a.errors) == (5, 1)  # four members and the cell
    assert a.warnings == 4  # no phones
    assert a.score == health_score(5, 1, 4)
    c1 = report.communes[w.org["C1"].pk]
    b = report.cells[w.org["B"].pk]
    assert c1.records == a.records + b.records and c1.errors == 1
    assert [u.organisation.code for u in report.units()] == ["C1", "C2"]  # worst first
    assert [u.organisation.code for u in run_checks(w.org["C1"]).units()] == ["A", "B"]
    total = report.total
    assert (total.records, total.errors) == (11, 1)


# --- The page --------------------------------------------------------------------------------

def test_page_shows_the_score_and_each_problem_with_its_fix_link(clean_world):
    w = clean_world
    members.person_update(w.m["member"].person, actor=None, citizen_id="")
    html = w.client("commune_staff").get(URL + "?org=C1").content.decode()
    assert "Nguyễn Văn Đức" in html
    assert f'href="{reverse("member-edit", args=[w.m["member"].pk])}"' in html
    assert f'href="{reverse("organisation", args=["B"])}"' in html  # the cell with too few members
    assert 'role="meter"' in html and "Điều 24" in html


def test_secretary_sees_only_their_cells_problems(clean_world):
    w = clean_world
    members.person_update(w.m["member"].person, actor=None, citizen_id="")
    members.person_update(w.m["b_member"].person, actor=None, citizen_id="")
    response = w.client("secretary_a").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn Đức" in html and "Lê Văn Bình" not in html
    assert w.client("secretary_a").get(URL + "?org=B").status_code == 404
    assert w.client("secretary_a").get(URL + "?org=C1").status_code == 404


@pytest.mark.parametrize(("persona", "url", "status"), [
    ("member", URL, 404),
    ("member", URL + "?org=A", 404),
    ("secretary_a", URL + "?org=A", 200),
    ("commune_staff", URL, 200),
    ("other_commune_staff", URL + "?org=C1", 404),
    ("other_commune_staff", URL + "?org=X", 200),
    ("province_staff", URL + "?org=C1", 200),
    ("admin", URL, 200),
    ("admin", URL + "?org=NOPE", 404),
])
def test_page_scope(world, persona, url, status):
    assert world.client(persona).get(url).status_code == status


def test_anonymous_users_are_sent_to_sign_in(world):
    response = world.client("anonymous").get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_read_only_users_get_links_to_the_record_not_the_form(clean_world):
    w = clean_world
    members.person_update(w.m["member"].person, actor=None, citizen_id="")
    html = w.client("province_staff").get(URL + "?org=C1").content.decode()
    assert f'href="{reverse("member", args=[w.m["member"].pk])}"' in html
    assert reverse("member-edit", args=[w.m["member"].pk]) not in html


def test_each_kind_shows_at_most_the_first_rows(clean_world):
    w = clean_world
    for i in range(SHOWN_PER_KIND + 2):
        add_member(w.org["A"], "Trần", "Văn", f"Số{i}", residence=w.loc["A"])
    html = w.client("commune_staff").get(URL + "?org=A").content.decode()
    # Two kinds (missing card: 52, missing phone: 56), the first 50 rows of each; no sub-cells.
    assert html.count('<td class="primary">') == 2 * SHOWN_PER_KIND
    assert "chibo check-data A" in html


@pytest.mark.parametrize(("persona", "url"), [
    ("commune_staff", URL + "?org=C1"),
    ("province_staff", URL),
    ("secretary_a", URL),
    ("admin", URL),
])
def test_query_count_is_small_and_flat(world, persona, url):
    client = world.client(persona)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # warm caches (content types, sessions)
    small = count()
    for i in range(30):
        m = add_member(world.org["A"], "Nguyễn", "Văn", f"Thêm{i}", birth=dt.date(1970 + i % 10, 1, 1))
        add_member(world.org["X"], "Trần", "Thị", f"Nữa{i}", sex="F")
        Membership.objects.filter(pk=m.pk).update(official_date=dt.date(2010, 4, 1))
    large = count()
    assert small <= 15, f"{url}: {small} queries"
    assert large == small, f"{url}: {small} queries with little data, {large} with more"


# --- The command -----------------------------------------------------------------------------

def test_check_data_prints_the_score_and_the_problems(world):
    out = StringIO()
    call_command("check-data", "C1", stdout=out)
    text = out.getvalue()
    assert "Đảng bộ Xã Một (C1)" in text and "/100" in text
    assert "Nguyễn Văn Đức" in text and reverse("member-edit", args=[world.m["member"].pk]) in text
    assert "Phạm Văn Đức" not in text  # commune C2


def test_check_data_json_parses(world):
    out = StringIO()
    call_command("check_data", "P", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["organisation"]["code"] == "P"
    assert data["records"] == 11 and data["errors"] > 0
    codes = {p["code"] for p in data["problems"]}
    assert {"missing_card_number", "missing_phone", "cell_too_few_officials"} <= codes
    assert data["counts"]["missing_card_number"] == 7
    assert {u["code"] for u in data["units"]} == {"C1", "C2"}
    assert all(p["fix_url"].startswith("/") for p in data["problems"])


def test_check_data_limit(world):
    out = StringIO()
    call_command("check-data", "A", "--limit", "1", stdout=out)
    assert "…" in out.getvalue()


def test_summary_for_imports(world):
    from chibo.quality.checks import summary_lines

    lines = summary_lines(run_checks(world.org["A"]))
    assert "/100" in lines[0] and len(lines) == 1 + len(run_checks(world.org["A"]).groups())


def test_check_data_unknown_organisation_is_an_error(world):
    with pytest.raises(CommandError):
        call_command("check-data", "NOPE")


def test_a_party_group_is_checked_with_its_cell_named(clean_world):
    w = clean_world
    m = add_member(w.org["A1"], "Võ", "Văn", "Tổ", residence=w.loc["A"])
    report = run_checks(w.org["A1"])
    assert report.total.records == 1 and not report.units()
    found = _for(report, "missing_card_number", m)
    assert len(found) == 1 and found[0].organisation.code == "A"
    assert not _codes(report, "cell_too_few_officials")  # cell A is not in the group's subtree
    assert w.client("secretary_a").get(URL + "?org=A1").status_code == 200
