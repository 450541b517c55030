"""Transfers of party activity (chibo.lifecycle): the letters' deadlines pinned to worked
examples, the flow letter → presentation → member event, the temporary transfer's length as a
rule, late presentation, the due list, access by persona, constant query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.core.calendar import due
from chibo.lifecycle import selectors as lifecycle
from chibo.lifecycle import services
from chibo.lifecycle.models import TransferLetter
from chibo.members.models import Membership, MembershipEvent, Status
from tests.conftest import PERSONAS, add_member

D = dt.date


def _issue(m, **kw):
    data: dict[str, Any] = {"kind": "official", "reason_date": D(2026, 1, 2), "number": "12-GGT", "letter_date": D(2026, 1, 5)}
    data.update(kw)
    return services.letter_issue(m, actor=None, **data)


def test_worked_examples(db):
    # 30 *working* days from the letter of Monday 05/01/2026 (QĐ 294 §6.3.1): 24 to 06/02, five
    # more to 13/02, then Tết's days off (14–22/02/2026) — the 30th is Monday 23/02.
    present = due("transfer_present_days", D(2026, 1, 5))
    assert present.date == D(2026, 2, 23) and "294-QĐ/TW" in present.rule.citation
    # before QĐ 294 took effect the limit was the same 30 working days, under QĐ 24-QĐ/TW (2021)
    before = due("transfer_present_days", D(2025, 6, 2))
    assert before.rule.unit == "working_days" and "24-QĐ/TW" in before.rule.citation
    start = due("transfer_start_working_days", D(2026, 1, 15))  # Tết 2026 falls in the count
    assert start.date == D(2026, 4, 16)
    assert "294-QĐ/TW" in start.rule.citation


def test_official_transfer_within_the_province_moves_the_member_when_presented(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Chuyển")
    a = world.client("secretary_a")
    r = a.post(f"/dang-vien/{m.pk}/chuyen-sinh-hoat/", {
        "kind": "official", "direction": "out", "reason_date": "02/01/2026", "number": "12-GGT",
        "letter_date": "05/01/2026", "other_organisation": world.org["B"].pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    letter = TransferLetter.objects.get(membership=m)
    assert letter.status == "issued" and letter.organisation == world.org["A"]
    assert Membership.objects.get(pk=m.pk).organisation == world.org["A"]  # still in A until presented
    assert "23/02/2026" in a.get(f"/chuyen-sinh-hoat/{letter.pk}/").content.decode()
    # the sending cell does not record the presentation for a receiving cell in chibo
    assert a.post(f"/chuyen-sinh-hoat/{letter.pk}/", {"action": "present", "present-presented_on": "20/01/2026"}).status_code == 403
    r = world.client("secretary_b").post(f"/chuyen-sinh-hoat/{letter.pk}/",
                                         {"action": "present", "present-presented_on": "20/01/2026"})
    assert r.status_code == 302
    m.refresh_from_db()
    letter.refresh_from_db()
    assert (m.organisation, m.status, letter.status, letter.presented_on) == (world.org["B"], Status.OFFICIAL, "presented", D(2026, 1, 20))
    assert m.events.latest("id").kind == MembershipEvent.Kind.MOVED


def test_late_presentation_is_recorded_with_the_warning(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Trễ")
    letter, warnings = _issue(m, other_name="Đảng bộ xã Ngoài, tỉnh Khác")
    assert warnings == []
    letter, warnings = services.letter_present(letter, actor=None, on=D(2026, 2, 24), late_reason="Ốm")
    assert letter.status == "presented" and letter.late_reason == "Ốm"
    assert len(warnings) == 1 and "23/02/2026" in warnings[0] and "294-QĐ/TW" in warnings[0] and "6.3.1" in warnings[0]
    m.refresh_from_db()
    assert m.status == Status.TRANSFERRED_OUT and not m.current
    with pytest.raises(ValidationError) as exc:
        services.letter_present(letter, actor=None, on=D(2026, 2, 25))
    assert "presented_on" in exc.value.message_dict


def test_late_start_of_the_procedure_is_a_warning(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Muộn")
    _letter, warnings = _issue(m, reason_date=D(2026, 1, 15), letter_date=D(2026, 4, 17), other_name="Nơi khác")
    assert len(warnings) == 1 and "16/04/2026" in warnings[0]


def test_temporary_transfer_longer_than_the_rule_is_refused_naming_the_rule(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Tạm")
    with pytest.raises(ValidationError) as exc:
        _issue(m, kind="temporary", other_name="Công ty X", temporary_end=D(2027, 1, 5))  # 12 months: not under 1 year
    msg = exc.value.message_dict["temporary_end"][0]
    assert "05/01/2027" in msg and "Quy định 294-QĐ/TW" in msg and "12" in msg
    with pytest.raises(ValidationError) as exc:
        _issue(m, kind="temporary", other_name="Công ty X", temporary_end=D(2026, 3, 1))  # under 3 months
    assert "05/04/2026" in exc.value.message_dict["temporary_end"][0]
    with pytest.raises(ValidationError) as exc:
        _issue(m, kind="temporary", study=True, other_name="Trường Y", temporary_end=D(2028, 1, 6))
    assert "24" in exc.value.message_dict["temporary_end"][0]
    assert not TransferLetter.objects.filter(membership=m).exists()
    letter, _w = _issue(m, kind="temporary", study=True, other_name="Trường Y", temporary_end=D(2028, 1, 5))
    assert letter.study


def test_bad_input_names_the_field(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Sai")
    with pytest.raises(ValidationError) as exc:
        _issue(m, number=" ", reason_date=D(2026, 2, 1))
    assert {"number", "reason_date", "other_organisation"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _issue(m, other_organisation=world.org["A"])
    assert "other_organisation" in exc.value.message_dict
    _issue(m, other_name="Nơi khác")
    with pytest.raises(ValidationError) as exc:
        _issue(m, other_name="Nơi khác nữa")
    assert "membership" in exc.value.message_dict


def test_temporary_member_from_outside_starts_and_ends(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Khách")
    letter, _w = _issue(m, kind="temporary", direction="in", other_name="Đảng bộ tỉnh Khác",
                        temporary_end=D(2026, 9, 1))
    services.letter_present(letter, actor=None, on=D(2026, 1, 10))
    m.refresh_from_db()
    assert m.temporary
    services.temporary_end(letter, actor=None, on=D(2026, 9, 1))
    m.refresh_from_db()
    letter.refresh_from_db()
    assert not m.temporary and letter.status == "ended"


def test_the_due_list_shows_both_kinds_with_their_rules(world):
    m1 = add_member(world.org["A"], "Hồ", "Văn", "Một")
    m2 = add_member(world.org["A"], "Hồ", "Văn", "Hai")
    _issue(m1, other_organisation=world.org["X"])
    temp, _w = _issue(m2, kind="temporary", other_name="Công ty X", temporary_end=D(2026, 6, 30))
    services.letter_present(temp, actor=None, on=D(2026, 1, 8))
    items = {i.kind: i for i in lifecycle.due_items(world.org["A"], D(2026, 6, 10), 30) if i.letter}
    assert items["transfer_present"].date == D(2026, 2, 23)  # overdue
    assert items["transfer_present"].rule.key == "transfer_present_days"
    assert items["temporary_ends"].date == D(2026, 6, 30)
    assert items["temporary_ends"].rule.key == "temporary_transfer_max_months"
    # the receiving commune sees the letter addressed to its cell too
    assert [i.kind for i in lifecycle.due_items(world.org["C2"], D(2026, 6, 10), 30) if i.letter] == ["transfer_present"]
    assert not [i for i in lifecycle.due_items(world.org["B"], D(2026, 6, 10), 30) if i.letter]
    page = world.client("secretary_a").get("/to-chuc/A/den-han/").content.decode()
    assert "Transfers are not listed yet" not in page
    assert f"/chuyen-sinh-hoat/{temp.pk}/" in page or "temporary_ends" in page or temp.number in page


@pytest.fixture
def letter(world):
    m = add_member(world.org["A"], "Hồ", "Văn", "Đi")
    return _issue(m, other_name="Nơi khác")[0]


MEMBER_PAGE = [403, 200, 404, 200, 404, 403, 200]
LETTER_PAGE = [404, 200, 404, 200, 404, 200, 200]
LETTER_POST = [404, 302, 404, 302, 404, 403, 302]


def test_member_transfer_page_by_persona(world):
    url = f"/dang-vien/{world.m['member'].pk}/chuyen-sinh-hoat/"
    assert [world.client(p).get(url).status_code for p in PERSONAS] == MEMBER_PAGE
    posts = [world.client(p).post(url, {"kind": "official"}).status_code for p in PERSONAS]
    assert posts == [403, 400, 404, 400, 404, 403, 400]
    assert world.client("anonymous").get(url).status_code == 302
    page = world.client("secretary_a").get(f"/dang-vien/{world.m['member'].pk}/").content.decode()
    assert url in page


def test_letter_page_by_persona(world, letter):
    url = f"/chuyen-sinh-hoat/{letter.pk}/"
    assert [world.client(p).get(url).status_code for p in PERSONAS] == LETTER_PAGE
    got = []
    for p in PERSONAS:
        TransferLetter.objects.filter(pk=letter.pk).update(status="issued", presented_on=None)
        Membership.objects.filter(pk=letter.membership_id).update(status="official", current=True)
        MembershipEvent.objects.filter(membership_id=letter.membership_id, kind="transferred_out").delete()
        got.append(world.client(p).post(url, {"action": "present", "present-presented_on": "20/01/2026"}).status_code)
    assert got == LETTER_POST
    assert world.client("admin").get("/chuyen-sinh-hoat/999999/").status_code == 404


def _fill(world, cell, n):
    for i in range(n):
        m = add_member(world.org[cell], "Phan", "Văn", f"Chuyển {i}")
        t = add_member(world.org[cell], "Phan", "Văn", f"Tạm {i}")
        _issue(m, other_name="Nơi khác")
        _issue(t, kind="temporary", other_name="Nơi khác", temporary_end=D(2026, 6, 1))


def test_query_counts_do_not_grow_with_the_letters(world):
    _fill(world, "B", 2)
    _fill(world, "X", 15)
    counts = []
    for org, n in (("B", 2), ("X", 15)):
        with CaptureQueriesContext(connection) as ctx:
            items = lifecycle.due_items(world.org[org], D(2026, 5, 20), 30)
        assert len([i for i in items if i.kind == "transfer_present"]) == 2 * n  # temporary letters too
        assert len([i for i in items if i.kind == "temporary_ends"]) == n
        with CaptureQueriesContext(connection) as page:
            assert world.client("admin").get(f"/to-chuc/{org}/den-han/?days=30").status_code == 200
        counts.append((len(ctx.captured_queries), len(page.captured_queries)))
    assert counts[0] == counts[1]
