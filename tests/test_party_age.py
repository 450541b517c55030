"""Issue 13, point 2: party age (tuổi đảng) counts from the day the admission decision was
signed, less interrupted months — not from the ceremony, which stays the "ngày vào Đảng" of the
forms. Badges follow it. When the books do not give the decision's date, party age counts from
the ceremony and the member's page says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chibo.core.rules import RuleBook
from chibo.lifecycle import selectors as lifecycle
from chibo.members import services as members
from chibo.recruitment import services as recruitment
from tests.conftest import person_data
from tests.test_import import MEMBER_HEADERS, do_import, member_row, messages, xlsx
from tests.test_recruitment import applicant, resolve

D = dt.date
CEREMONY = D(1997, 2, 10)


def _member(world: Any, decision: D | None, ceremony: D = CEREMONY) -> Any:
    return members.member_create(actor=None, person_data=person_data("Hồ", "Văn", "Tuổi", birth=D(1960, 3, 4)),
                                 organisation=world.org["A"], status="official", admission_date=ceremony,
                                 admission_decision_date=decision, official_date=D(ceremony.year + 1, 3, 1))


def test_party_age_counts_from_the_decision(world: Any) -> None:
    decided = _member(world, D(1997, 1, 20))
    assert decided.party_age_on(D(2027, 1, 25)) == 30  # 30 years since the decision, 29 since the ceremony
    assert _member(world, None, D(1997, 2, 11)).party_age_on(D(2027, 1, 25)) == 29
    page = world.client("commune_staff").get(f"/dang-vien/{decided.pk}/").content.decode()
    assert "20/01/1997" in page and "chưa ghi ngày ký" not in page
    undated = _member(world, None, D(1997, 2, 10))
    assert "chưa ghi ngày ký" in world.client("commune_staff").get(f"/dang-vien/{undated.pk}/").content.decode()


def test_the_badge_follows_the_decision(world: Any) -> None:
    """30 years reached on 20/01/2027 from the decision: the badge is due at the 3/2/2027
    occasion; counted from the ceremony (10/02/2027) it would wait until 19/5/2027."""
    with_decision = _member(world, D(1997, 1, 20))
    without = _member(world, None)
    items = lifecycle.badge_items(world.org["C1"], D(2026, 12, 7), [D(2027, 2, 3)], RuleBook())
    due = {i.membership.pk: i for i in items}
    assert with_decision.pk in due and due[with_decision.pk].party_age.years == 30
    assert without.pk not in due


def test_the_decision_date_is_checked_against_the_ceremony(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _member(world, D(1997, 3, 1))  # after the ceremony
    assert "admission_decision_date" in exc.value.error_dict
    with pytest.raises(ValidationError):
        _member(world, D(1995, 1, 1))  # two years before


def test_imported_with_the_decision_date_and_refused_when_it_follows_the_ceremony(world: Any) -> None:
    headers = [*MEMBER_HEADERS, "Ngày ký quyết định kết nạp"]
    good = member_row("Y Bih Niê", "066080000111", **{"Mã chi bộ": "A", "Mã nơi cư trú": ""}) + ["20/01/2015"]
    late = member_row("H'Hen Niê", "066080000112", **{"Mã chi bộ": "A", "Mã nơi cư trú": ""}) + ["01/01/2030"]
    result = do_import(world, xlsx({"Đảng viên": [headers, good, late]}), valid_only=True)
    assert [e.column for e in result.errors] == ["Ngày ký quyết định kết nạp"], messages(result)
    from chibo.members.models import Membership

    m = Membership.objects.get(person__citizen_id="066080000111")
    assert m.admission_decision_date == D(2015, 1, 20)


def test_a_ceremony_recorded_in_chibo_keeps_the_decision_date(world: Any) -> None:
    c = resolve(applicant(world))
    c, _w = recruitment.decision_record(c, actor=None, on=D(2026, 2, 10), number="45-QĐ/ĐU", decided_by="BTV")
    c, _w = recruitment.ceremony_record(c, actor=None, on=D(2026, 3, 2))
    assert c.membership.admission_decision_date == D(2026, 2, 10)
    assert c.membership.admission_date == D(2026, 3, 2)
