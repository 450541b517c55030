"""The rulebook and the working-day calendar: rules as cited data with versions, an
administrator adding a version (future dates change, past ones do not), days off per year,
and working-day arithmetic pinned to worked examples that cross Tết and weekends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.audit.models import AuditEvent
from chibo.core import calendar, services
from chibo.core.models import Holiday, Rule
from chibo.core.rules import rule

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_a_decision_due_60_working_days_after_a_cell_resolution_of_15_01_2026():
    """From Friday 16/01/2026: 60 weekdays, less Tết's five days off (16–20/02/2026), is
    Thursday 16/04/2026 — a week later than without Tết."""
    d = calendar.due("admission_decision_working_days", D(2026, 1, 15))
    assert d.date == D(2026, 4, 16) and d.rule.value == 60 and "294-QĐ/TW" in d.rule.citation
    # a resolution before QĐ 294 took effect keeps the text in force then (same 60 working days)
    assert "232-QĐ/TW" in calendar.due("admission_decision_working_days", D(2025, 3, 3)).rule.citation
    assert calendar.add_working_days(D(2026, 1, 15), 60, []) == D(2026, 4, 9)
    # the ceremony: 30 working days from a decision of Friday 24/04/2026 crosses 27/04, 30/04 and 01/05
    assert calendar.due("admission_ceremony_working_days", D(2026, 4, 24)).date == D(2026, 6, 10)
    # a Friday plus one working day is the Monday
    assert calendar.add_working_days(D(2026, 3, 6), 1, []) == D(2026, 3, 9)
    # probation: 12 months, not working days
    assert calendar.due("probation_months", D(2026, 2, 28)).date == D(2027, 2, 28)


@pytest.mark.django_db
def test_a_deadline_in_a_year_without_recorded_days_off_says_so():
    d = calendar.due("admission_decision_working_days", D(2029, 12, 1))
    assert d.unrecorded_years == (2029, 2030)
    assert not calendar.due("admission_decision_working_days", D(2026, 1, 15)).unrecorded_years


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)), st.integers(0, 400),
       st.sets(st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31)), max_size=40))
def test_working_day_arithmetic(start, n, holidays):
    end = calendar.add_working_days(start, n, holidays)
    assert calendar.working_days_between(start, end, holidays) == n
    if n:
        assert end.weekday() < 5 and end not in holidays
        assert end > start


def test_unconfirmed_rules_are_marked(db):
    assert not rule("awareness_certificate_months").confirmed
    assert rule("admission_ceremony_working_days").confirmed


def test_an_administrator_adds_a_version_future_dates_change_and_past_ones_do_not(world):
    start = timezone.localdate() + dt.timedelta(days=30)
    before = calendar.due("admission_decision_working_days", D(2026, 1, 15)).date
    new = services.rule_add_version(actor=world.users["admin"], key="admission_decision_working_days", value=45,
                                    effective_from=start, citation="Quy định mới (giả định), điểm 4.3")
    assert calendar.due("admission_decision_working_days", D(2026, 1, 15)).date == before  # counted under 60
    later = calendar.due("admission_decision_working_days", start + dt.timedelta(days=14))
    assert later.rule == new and later.date == calendar.add_working_days(
        start + dt.timedelta(days=14), 45, Holiday.objects.values_list("date", flat=True))
    old = Rule.objects.get(key="admission_decision_working_days", effective_from=D(2025, 7, 1))  # QĐ 294's
    assert old.effective_to == start
    with pytest.raises(ValidationError) as exc:  # a version in the past would move dates already counted
        services.rule_add_version(actor=None, key="probation_months", value=10, effective_from=D(2026, 1, 1),
                                  citation="x")
    assert "today or a later day" in exc.value.message_dict["effective_from"][0]
    assert AuditEvent.objects.filter(object_type__icontains="rule", action="create").exists()
    with pytest.raises(ValidationError) as exc:  # overlapping versions
        services.rule_add_version(actor=None, key="admission_decision_working_days", value=50,
                                  effective_from=start, citation="x")
    assert "overlap" in exc.value.message_dict["effective_from"][0]
    with pytest.raises(ValidationError) as exc:
        services.rule_add_version(actor=None, key="admission_decision_working_days", value=None,
                                  effective_from=start + dt.timedelta(days=400), citation="")
    assert {"value", "citation"} <= set(exc.value.message_dict)
    assert Rule.objects.filter(key="admission_decision_working_days").count() == 3  # the two texts and the new one: nothing half-written


def test_rule_and_holiday_pages(world):
    for persona in ("member", "province_staff", "admin"):
        assert world.client(persona).get("/quy-dinh/").status_code == 200
        assert world.client(persona).get("/ngay-nghi/?nam=2026").status_code == 200
    page = world.client("member").get("/quy-dinh/").content.decode()
    assert "294-QĐ/TW" in page and "232-QĐ/TW" in page and "Thời hạn tổ chức lễ kết nạp" in page  # the old version too
    url = "/quy-dinh/admission_ceremony_working_days/phien-ban-moi/"
    soon = timezone.localdate() + dt.timedelta(days=40)
    data = {"value": "20", "effective_from": soon.strftime("%d/%m/%Y"), "citation": "Quy định giả định",
            "confirmed": "on"}
    assert world.client("commune_staff").post(url, data).status_code == 403
    assert world.client("admin").post("/quy-dinh/no_such_rule/phien-ban-moi/", data).status_code == 404
    bad = world.client("admin").post(url, {**data, "effective_from": "01/01/1990"})
    assert bad.status_code == 400
    assert world.client("admin").post(url, data).status_code == 302
    assert rule("admission_ceremony_working_days", soon).value == 20
    # days off
    assert world.client("secretary_a").post("/ngay-nghi/", {"date": "02/01/2026", "name": "Nghỉ bù"}).status_code == 403
    weekend = world.client("admin").post("/ngay-nghi/", {"date": "03/01/2026", "name": "Nghỉ"})
    assert weekend.status_code == 400 and not Holiday.objects.filter(date=D(2026, 1, 3)).exists()
    assert world.client("admin").post("/ngay-nghi/", {"date": "02/01/2026", "name": "Nghỉ bù Tết Dương lịch",
                                                      "confirmed": "on"}).status_code == 302
    assert calendar.add_working_days(D(2026, 1, 1), 1, Holiday.objects.values_list("date", flat=True)) == D(2026, 1, 5)
    h = Holiday.objects.get(date=D(2026, 1, 2))
    assert world.client("member").post(f"/ngay-nghi/{h.pk}/xoa/").status_code == 403
    assert world.client("admin").post(f"/ngay-nghi/{h.pk}/xoa/").status_code == 302
    assert not Holiday.objects.filter(date=D(2026, 1, 2)).exists()
    html = world.client("member").get("/ngay-nghi/?nam=2027").content.decode()
    assert "Tết Nguyên đán" in html and "unconfirmed" in html  # 2027 not announced yet


def test_the_rules_command_lists_each_rule_with_its_citation_and_dates(db) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, point 11: `chibo rules [--json]` reads the rulebook as the rules page does."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from chibo.core.dates import today
    from chibo.core.models import Rule

    out = StringIO()
    call_command("rules", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    in_force = [r for r in Rule.objects.all() if r.in_force_on(today())]
    assert {r["key"] for r in rows} == {r.key for r in in_force} and len(rows) == len(in_force)
    probation = next(r for r in rows if r["key"] == "probation_months")
    assert probation["value"] == 12 and probation["unit"] == "months" and probation["citation"]
    assert set(probation) >= {"effective_from", "effective_to", "confirmed", "note", "name"}

    every = StringIO()
    call_command("rules", "--json", "--all", stdout=every)
    assert len(json.loads(every.getvalue())) == Rule.objects.count()
    text = StringIO()
    call_command("rules", "--key", "probation_months", stdout=text)
    assert "probation_months" in text.getvalue() and "12" in text.getvalue()


def test_the_rules_page_names_each_rule_s_key(world) -> None:  # type: ignore[no-untyped-def]
    html = world.client("member").get("/quy-dinh/").content.decode()
    assert ">probation_months</code>" in html


def test_the_unconfirmed_mark_is_explained_to_those_who_act_and_not_shown_to_members(world) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, point 4: a rule not confirmed against the texts in force is marked, in plain
    words, for committees and staff; an ordinary member, who acts on nothing, does not see it."""
    section = 'id="rule-awareness_certificate_months"'
    for persona in ("secretary_a", "commune_staff"):
        html = world.client(persona).get("/quy-dinh/").content.decode()
        block = html[html.index(section):html.index("</section>", html.index(section))]
        assert "chưa xác nhận" in block.lower() and "văn bản" in block, persona
    html = world.client("member").get("/quy-dinh/").content.decode()
    block = html[html.index(section):html.index("</section>", html.index(section))]
    assert 'class="tag unconfirmed"' not in block


REPLACED = ("29-QĐ/TW", "24-QĐ/TW", "232-QĐ/TW", "01-HD/TW", "09-HD/BTCTW")


def test_every_rule_in_force_since_1_7_2025_cites_the_text_in_force(db) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 point 4: QĐ 294-QĐ/TW and HD 06-HD/TW replaced QĐ 29, QĐ 24, QĐ 232, HD 01 and
    HD 09 on 1/7/2025. A version in force after that cites the current text (it may name the
    older one only as where the value came from), and the older versions keep their citation,
    so a date counted before then keeps it. Citations hold no note of chibo's own."""
    day = dt.date(2026, 1, 15)
    for key in Rule.objects.values_list("key", flat=True).distinct():
        current = rule(key, day)
        cited = current.citation
        assert "domain-rules" not in cited, key
        if any(old in cited for old in REPLACED):
            assert "294-QĐ/TW" in cited or "06-HD/TW" in cited, (key, cited)
    older = rule("badge_first_years", dt.date(2024, 6, 1))
    assert "01-HD/TW" in older.citation and older.effective_to == dt.date(2025, 7, 1)
    assert rule("temporary_transfer_max_months", dt.date(2024, 6, 1)).citation.startswith("Quy định 29-QĐ/TW")
    # a value the current text could not confirm is marked, and the note says why
    badge = rule("badge_first_years", day)
    assert not badge.confirmed and "chưa đối chiếu" in badge.note
