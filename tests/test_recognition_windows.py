"""The rest of issue 13 point 3, each corrected rule pinned to a worked example with Tết 2026
(14–22/02/2026, weekdays 16–20/02 off) and weekends (domain-rules.md §0, §2.5, §2.6):

- the ceremony's 30 working days count from the day the cell **received** the decision when it
  is recorded, else from the decision's date (and the page says so);
- recognition is overdue only after the window running: the cell's 30 working days after the
  probation ends, then — once the cell has passed its resolution — the committee's 30 working
  days after it (+30 once, when the committee records an extension with its reason);
- an applicant over 60 is decided by the provincial standing committee (its staff record it);
- after three votes without two-thirds (recognition or removal) the superior committee decides.

Tests run on tests/conftest.py's TODAY (07/12/2026, after all these dates) and assert on fixed dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chibo.core.calendar import Calendar
from chibo.core.dates import today
from chibo.core.rules import RuleBook, rule
from chibo.lifecycle import selectors as lifecycle
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent
from chibo.notifications import services as notifications
from chibo.notifications.models import Notification
from chibo.recruitment import rules, services
from chibo.recruitment.models import Decider, Recognition, Stage, Step
from tests.conftest import person_data
from tests.test_recruitment import applicant, resolve

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages are checked in English, the msgids; pages are read in Vietnamese."""
    with translation.override("en"):
        yield


def probationary(world, admitted: dt.date, given: str = "Mai") -> Membership:
    return members.member_create(actor=None, person_data=person_data("Lê", "Thị", given, sex="F"),
                                 organisation=world.org["A"], status="probationary", admission_date=admitted)


def vote(m, on, *, passed=True, proposal="recognise", grounds="", number="1"):
    votes_for = 8 if passed else 5  # of 9 official members: 6 needed
    return services.recognition_resolution(m, actor=None, proposal=proposal, grounds=grounds, on=on, number=number,
                                           votes_for=votes_for, against=9 - votes_for, abstain=0, present=9,
                                           official=9)


def window(m, day=None):
    return rules.recognition_window(m.admission_date, list(m.recognitions.all()), Calendar(), RuleBook())


def items(world, m, day):
    return {i.kind: i for i in lifecycle.due_items(world.org["A"], day, 30) if i.membership.pk == m.pk}


# --- The rules ----------------------------------------------------------------------------------

def test_the_new_rules_cite_qd_294_and_keep_the_older_texts(db):
    ext = rule("recognition_decision_extension_working_days", D(2026, 1, 30))
    assert (ext.value, ext.unit) == (30, "working_days") and "294-QĐ/TW" in ext.citation
    old = rule("recognition_decision_extension_working_days", D(2025, 3, 3))
    assert "29-QĐ/TW" in old.citation and "4.3.1" in old.citation
    failed = rule("recognition_failed_votes_to_superior", D(2026, 10, 1))
    assert (failed.value, failed.unit) == (3, "count") and "294-QĐ/TW" in failed.citation
    assert "4.2.3" in rule("recognition_failed_votes_to_superior", D(2025, 3, 3)).citation
    assert "quyết định" in rule("admission_max_age", D(2026, 1, 15)).note


# --- The ceremony counts from the receipt of the decision ---------------------------------------

def test_the_ceremony_counts_from_the_day_the_cell_received_the_decision(world):
    c = resolve(applicant(world))
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45-QĐ/ĐU", decided_by="BTV Đảng ủy xã",
                                     decider=Decider.SUPERIOR)
    # not received yet: from the decision of Tuesday 10/02/2026, Tết not counted → 31/03/2026, said so
    nxt = rules.next_for_candidate(c, [], today(), Calendar(), RuleBook())
    assert nxt.due == D(2026, 3, 31) and "not recorded" in nxt.note
    # received on Monday 23/02/2026, the first working day after Tết: 30 working days → Monday 06/04/2026
    c = services.decision_received_record(c, actor=None, on=D(2026, 2, 23))
    assert rules.ceremony_start(c) == (D(2026, 2, 23), True)
    nxt = rules.next_for_candidate(c, [], today(), Calendar(), RuleBook())
    assert (nxt.due, nxt.note) == (D(2026, 4, 6), "") and "294-QĐ/TW" in nxt.rule.citation
    assert rules.ceremony_due(D(2026, 2, 23), Calendar(), RuleBook())[0] == Calendar().add(D(2026, 2, 23), 30)
    with pytest.raises(ValidationError) as exc:  # the ceremony reads the decision: not before it arrived
        services.ceremony_record(c, actor=None, on=D(2026, 2, 20))
    assert "23/02/2026" in exc.value.message_dict["on"][0]
    c, warnings = services.ceremony_record(c, actor=None, on=D(2026, 4, 6))  # the last day: no warning
    assert warnings == [] and c.stage == Stage.ADMITTED
    assert Step.objects.filter(candidate=c, kind=Step.Kind.RECEIVED, date=D(2026, 2, 23)).exists()


def test_a_ceremony_the_day_after_the_limit_is_recorded_with_a_warning(world):
    c = resolve(applicant(world))
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45-QĐ/ĐU", decided_by="BTV",
                                     decider=Decider.SUPERIOR, received_on=D(2026, 2, 23))
    c, warnings = services.ceremony_record(c, actor=None, on=D(2026, 4, 7))
    assert len(warnings) == 1 and "06/04/2026" in warnings[0] and "received" in warnings[0]


def test_the_receipt_cannot_come_before_the_decision_nor_in_the_future(world):
    c = resolve(applicant(world))
    with pytest.raises(ValidationError) as exc:
        services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45", decided_by="BTV",
                                 decider=Decider.SUPERIOR, received_on=D(2026, 2, 9))
    assert "10/02/2026" in exc.value.message_dict["received_on"][0]
    c.refresh_from_db()
    assert c.decision_on is None  # nothing saved
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45", decided_by="BTV",
                                     decider=Decider.SUPERIOR)
    for day in (D(2026, 2, 9), today() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.decision_received_record(c, actor=None, on=day)
        assert "on" in exc.value.error_dict
    c.refresh_from_db()
    assert c.decision_received_on is None


def test_the_candidate_page_says_what_the_ceremony_counts_from(world):
    c = resolve(applicant(world))
    client = world.client("secretary_a")
    r = client.post(f"/ket-nap/{c.pk}/buoc/", {"action": "decision", "decision-on": "10/02/2026",
                                                "decision-number": "45-QĐ/ĐU", "decision-decided_by": "BTV Đảng ủy xã",
                                                "decision-decider": "superior"})
    assert r.status_code == 302
    before = client.get(f"/ket-nap/{c.pk}/").content.decode()
    assert 'id="next-note"' in before and "31/03/2026" in before and 'id="act-received"' in before
    r = client.post(f"/ket-nap/{c.pk}/buoc/", {"action": "received", "received-on": "09/02/2026"})
    assert r.status_code == 400 and "10/02/2026" in r.content.decode()
    r = client.post(f"/ket-nap/{c.pk}/buoc/", {"action": "received", "received-on": "23/02/2026"})
    assert r.status_code == 302
    html = client.get(f"/ket-nap/{c.pk}/").content.decode()
    assert 'id="next-note"' not in html and "06/04/2026" in html and 'id="act-received"' not in html
    assert "tính từ ngày ký quyết định" in before.lower()  # Vietnamese (needs the lead's translations)


# --- Recognition: the cell's window, then the committee's ----------------------------------------

def test_the_cells_window_ends_30_working_days_after_a_friday_with_tet_not_counted(world):
    m = probationary(world, D(2025, 1, 16))  # probation ends Friday 16/01/2026
    w = window(m)
    assert (w.stage, w.end, w.due) == (rules.Window.CELL, D(2026, 1, 16), D(2026, 3, 6))
    assert w.due == Calendar().add(D(2026, 1, 16), 30)  # 27/02/2026 without Tết's five days off
    assert not w.overdue(D(2026, 3, 6)) and w.overdue(D(2026, 3, 7))
    assert "recognition" not in {k for k, i in items(world, m, D(2026, 3, 6)).items() if i.date < D(2026, 3, 6)}
    item = items(world, m, D(2026, 3, 7))["recognition"]
    assert item.date == D(2026, 3, 6) and lifecycle.by_cell([item], D(2026, 3, 7))[0].overdue == [item]
    # a vote without two-thirds does not close the cell's window
    vote(m, D(2026, 3, 2), passed=False)
    assert window(m).stage == rules.Window.CELL and window(m).due == D(2026, 3, 6)


def test_once_the_cell_resolved_only_the_committees_window_counts(world):
    m = probationary(world, D(2025, 1, 16))
    vote(m, D(2026, 1, 30), number="05-NQ/CB")  # Friday 30/01/2026, inside the cell's window
    w = window(m)
    # 30 working days from Friday 30/01/2026, Tết's five days off not counted: Friday 20/03/2026
    assert (w.stage, w.start, w.due, w.extension) == (rules.Window.COMMITTEE, D(2026, 1, 30), D(2026, 3, 20), None)
    assert w.rule is not None and w.rule.key == "recognition_decision_working_days"
    # after the cell's window (06/03) nothing is overdue: the committee's runs to 20/03
    assert not w.overdue(D(2026, 3, 9)) and not w.overdue(D(2026, 3, 20)) and w.overdue(D(2026, 3, 21))
    found = items(world, m, D(2026, 3, 9))
    assert "recognition" not in found and found["recognition_decision"].date == D(2026, 3, 20)
    assert lifecycle.by_cell([found["recognition_decision"]], D(2026, 3, 20))[0].overdue == []
    assert lifecycle.by_cell([items(world, m, D(2026, 3, 21))["recognition_decision"]], D(2026, 3, 21))[0].overdue
    due_page = world.client("commune_staff").get("/to-chuc/C1/den-han/")  # overdue by the real today
    assert due_page.status_code == 200 and "20/03/2026" in due_page.content.decode()
    rec = m.recognitions.get()
    _rec, warnings = services.recognition_decide(rec, actor=None, on=D(2026, 3, 23), number="60-QĐ/ĐU",
                                                 decided_by="BTV Đảng ủy xã")
    assert len(warnings) == 1 and "20/03/2026" in warnings[0] and "294-QĐ/TW" in warnings[0]
    m.refresh_from_db()
    assert m.status == "official" and m.official_date == D(2026, 1, 16)
    assert window(m).stage == rules.Window.DECIDED and not items(world, m, D(2026, 3, 23))


def test_the_committee_extends_once_with_its_reason(world):
    m = probationary(world, D(2025, 1, 16))
    rec = vote(m, D(2026, 1, 30))
    with pytest.raises(ValidationError) as exc:
        services.recognition_extend(rec, actor=None, on=D(2026, 3, 10), number="TB-05", reason="  ")
    assert "reason" in exc.value.error_dict
    rec = services.recognition_extend(rec, actor=None, on=D(2026, 3, 10), number="TB-05",
                                      reason="Chờ kết quả xác minh đơn thư")
    w = window(m)
    # +30 working days from 20/03/2026, the days off of 27/04, 30/04 and 01/05 not counted: Wednesday 06/05/2026
    assert w.due == D(2026, 5, 6) and w.extension is not None and w.extension.value == 30
    assert w.due == Calendar().add(D(2026, 1, 30), 60)
    assert not w.overdue(D(2026, 5, 6)) and w.overdue(D(2026, 5, 7))
    assert items(world, m, D(2026, 4, 20))["recognition_decision"].rules[1].key == (
        "recognition_decision_extension_working_days")
    with pytest.raises(ValidationError) as exc:
        services.recognition_extend(rec, actor=None, on=D(2026, 4, 1), number="TB-06", reason="Lần hai")
    assert "once" in exc.value.message_dict["reason"][0] and "10/03/2026" in exc.value.message_dict["reason"][0]
    rec.refresh_from_db()
    assert rec.extension_number == "TB-05"
    _rec, warnings = services.recognition_decide(rec, actor=None, on=D(2026, 5, 6), number="70-QĐ/ĐU",
                                                 decided_by="BTV Đảng ủy xã")
    assert warnings == []


def test_the_recognition_page_and_the_list_show_overdue_only_after_the_running_window(world):
    """Real today: a member whose cell's window is long past but whose cell resolved two days
    ago is not overdue; one whose cell never resolved is."""
    day = today()
    cal = Calendar()
    late = probationary(world, D(2025, 1, 16), "Muộn")
    waiting = probationary(world, D(2025, 1, 16), "Chờ")
    resolved_on = day - dt.timedelta(days=2)
    vote(waiting, resolved_on)
    client = world.client("secretary_a")
    html = client.get("/to-chuc/A/phat-trien-dang-vien/").content.decode()
    row = html[html.index(f'id="probation-{waiting.pk}"'):]
    row = row[:row.index("</tr>")]
    assert cal.add(resolved_on, 30).strftime("%d/%m/%Y") in row and "overdue" not in html[
        html.index(f'id="probation-{waiting.pk}"') - 40:html.index(f'id="probation-{waiting.pk}"')]
    assert f'<tr id="probation-{late.pk}" class="overdue">' in html
    assert f'<tr id="probation-{waiting.pk}">' in html
    page = client.get(f"/dang-vien/{waiting.pk}/cong-nhan/").content.decode()
    assert 'id="committee-due"' in page and 'id="extension-form"' in page
    r = client.post(f"/dang-vien/{waiting.pk}/cong-nhan/", {
        "action": "extension", "extension-recognition": waiting.recognitions.get().pk,
        "extension-on": resolved_on.strftime("%d/%m/%Y"), "extension-reason": "Chờ xác minh"})
    assert r.status_code == 302
    page = client.get(f"/dang-vien/{waiting.pk}/cong-nhan/").content.decode()
    assert cal.add(resolved_on, 60).strftime("%d/%m/%Y") in page and 'id="extension-form"' not in page


def test_reminders_of_the_cell_follow_its_window(world):
    sec = world.users["secretary_a"]
    m = probationary(world, D(2025, 1, 16))
    notifications.send_daily(day=D(2026, 3, 6))
    assert not any("Lê Thị Mai" in line["text"] and line["urgency"] == "overdue"
                   for n in Notification.objects.filter(user=sec, day=D(2026, 3, 6)) for line in n.lines)
    notifications.send_daily(day=D(2026, 3, 9))
    [n] = Notification.objects.filter(user=sec, day=D(2026, 3, 9))
    assert "Lê Thị Mai: recognition as official member to consider — deadline 06/03/2026, 3 days late" in [
        line["text"] for line in n.lines]
    vote(m, D(2026, 3, 9))  # the cell resolves: its reminder stops; the committee's window runs
    notifications.send_daily(day=D(2026, 3, 10))
    assert not any(line["text"].startswith("Lê Thị Mai") for n in Notification.objects.filter(user=sec, day=D(2026, 3, 10))
                   for line in n.lines)


# --- Over 60: the provincial committee decides ----------------------------------------------------

def over_60(world):
    c = applicant(world, birth=D(1965, 6, 1))  # 60 years 7 months on 15/01/2026
    services.consent_record(c, actor=None, number="150-CV/TU", on=D(2026, 1, 5))
    return resolve(c)


def test_over_60_the_decision_must_be_the_provinces(world):
    c = over_60(world)
    assert services.needs_provincial_decision(c)
    nxt = rules.next_for_candidate(c, [], today(), Calendar(), RuleBook())
    assert "provincial" in nxt.label
    for decider in (Decider.SUPERIOR, Decider.GRASSROOTS, ""):
        with pytest.raises(ValidationError) as exc:
            services.decision_record(c, actor=None, on=D(2026, 2, 10), number="300-QĐ/TU", decided_by="BTV Tỉnh ủy",
                                     decider=decider)
        message = exc.value.message_dict["decider"][0]
        assert "60" in message and "15/01/2026" in message and "provincial" in message
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="300-QĐ/TU",
                                     decided_by="Ban Thường vụ Tỉnh ủy", decider=Decider.PROVINCE)
    assert c.decider == Decider.PROVINCE
    step = c.steps.get(kind=Step.Kind.DECISION)
    assert "Ban Thường vụ Tỉnh ủy" in step.decided_by and "provincial" in step.decided_by


def test_under_60_any_competent_level_decides(world):
    c = resolve(applicant(world))
    assert not services.needs_provincial_decision(c)
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45", decided_by="BTV Đảng ủy xã",
                                     decider=Decider.SUPERIOR)
    assert c.decider == Decider.SUPERIOR


def test_over_60_the_decision_recorded_is_the_provinces_whoever_types_it(world):
    c = over_60(world)
    data = {"action": "decision", "decision-on": "10/02/2026", "decision-number": "300-QĐ/TU",
            "decision-decided_by": "Ban Thường vụ Tỉnh ủy", "decision-decider": "province"}
    url = f"/ket-nap/{c.pk}/buoc/"
    # the commune may not record the decision as its own …
    r = world.client("commune_staff").post(url, {**data, "decision-decider": "superior"})
    assert r.status_code == 400 and 'id="form-errors"' in r.content.decode()
    c.refresh_from_db()
    assert c.decision_on is None
    assert world.client("member").post(url, data).status_code == 404
    assert world.client("other_commune_staff").post(url, data).status_code == 404
    # … the province's staff see the decision form, and only that one
    province = world.client("province_staff")
    page = province.get(f"/ket-nap/{c.pk}/").content.decode()
    assert 'id="act-decision"' in page and 'id="provincial"' in page and 'id="act-withdraw"' not in page
    assert province.post(url, {"action": "withdraw", "withdraw-on": "01/02/2026",
                               "withdraw-reason": "x"}).status_code == 403  # only the decision is the province's
    # … and the commune records the province's decision when the province does not use chibo
    r = world.client("commune_staff").post(url, data)
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.decision_on, c.decider, c.decided_by) == (D(2026, 2, 10), Decider.PROVINCE, "Ban Thường vụ Tỉnh ủy")
    page = world.client("commune_staff").get(f"/ket-nap/{c.pk}/").content.decode()
    assert "300-QĐ/TU" in page and 'id="decision"' in page
    # the ceremony is the cell's
    assert province.post(url, {"action": "ceremony", "ceremony-on": "02/03/2026"}).status_code == 403
    assert world.client("secretary_a").post(url, {"action": "ceremony", "ceremony-on": "02/03/2026"}).status_code == 302


def test_over_60_the_province_may_record_the_decision_itself(world):
    c = over_60(world)
    r = world.client("province_staff").post(f"/ket-nap/{c.pk}/buoc/", {
        "action": "decision", "decision-on": "10/02/2026", "decision-number": "300-QĐ/TU",
        "decision-decided_by": "Ban Thường vụ Tỉnh ủy", "decision-decider": "province"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.decider == Decider.PROVINCE


# --- Three votes without two-thirds: the superior committee decides --------------------------------

def test_after_three_failed_votes_the_superior_committee_decides(world):
    m = probationary(world, D(2025, 9, 15))  # probation ends 15/09/2026
    vote(m, D(2026, 10, 1), passed=False)
    vote(m, D(2026, 10, 8), passed=False, proposal="remove", grounds="Vi phạm tư cách")
    with pytest.raises(ValidationError) as exc:  # two failures: the cell still decides
        services.recognition_superior_decide(m, actor=None, proposal="recognise", on=D(2026, 10, 9), number="1",
                                             decided_by="BTV Đảng ủy xã")
    assert "3" in exc.value.message_dict["proposal"][0]
    third = vote(m, D(2026, 10, 15), passed=False)
    w = window(m)
    assert (w.stage, w.failed, w.start) == (rules.Window.SUPERIOR, 3, D(2026, 10, 15))
    assert w.failed_rule is not None and "294-QĐ/TW" in w.failed_rule.citation
    with pytest.raises(ValidationError) as exc:  # no fourth vote
        vote(m, D(2026, 10, 22))
    assert "3 times" in exc.value.message_dict["proposal"][0] and "superior" in exc.value.message_dict["proposal"][0]
    assert m.recognitions.count() == 3
    with pytest.raises(ValidationError):
        services.recognition_decide(third, actor=None, on=D(2026, 10, 20), number="2", decided_by="BTV")
    with pytest.raises(ValidationError) as exc:
        services.recognition_superior_decide(m, actor=None, proposal="remove", on=D(2026, 10, 20), number="2",
                                             decided_by="BTV Đảng ủy xã")
    assert "grounds" in exc.value.error_dict
    rec, warnings = services.recognition_superior_decide(m, actor=None, proposal="recognise", on=D(2026, 10, 20),
                                                         number="80-QĐ/ĐU", decided_by="BTV Đảng ủy xã")
    assert warnings == [] and rec.pk == third.pk and rec.by_superior and rec.decided_proposal == "recognise"
    m.refresh_from_db()
    assert m.status == "official" and m.official_date == D(2026, 9, 15)
    assert m.events.get(kind=MembershipEvent.Kind.RECOGNISED).decision_number == "80-QĐ/ĐU"


def test_the_superior_path_through_http(world):
    m = probationary(world, D(2025, 9, 15))
    for day in (D(2026, 10, 1), D(2026, 10, 8), D(2026, 10, 15)):
        vote(m, day, passed=False)
    client = world.client("commune_staff")
    url = f"/dang-vien/{m.pk}/cong-nhan/"
    page = client.get(url).content.decode()
    assert 'id="superior"' in page and 'id="superior-form"' in page and 'id="resolution-form"' not in page
    before = page
    r = client.post(url, {"action": "resolution", "resolution-proposal": "recognise", "resolution-on": "22/10/2026",
                          "resolution-number": "4", "resolution-votes_for": "8", "resolution-against": "1",
                          "resolution-abstain": "0", "resolution-present": "9", "resolution-official": "9"})
    assert r.status_code == 400 and m.recognitions.count() == 3
    r = client.post(url, {"action": "superior", "superior-proposal": "remove", "superior-grounds": "Không đủ tư cách",
                          "superior-on": "20/10/2026", "superior-number": "81-QĐ/ĐU",
                          "superior-decided_by": "BTV Đảng ủy xã"})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == "removed"
    assert m.events.get(kind=MembershipEvent.Kind.REMOVED).effective_date == D(2026, 10, 20)
    page = client.get(url).content.decode()
    assert "81-QĐ/ĐU" in page
    assert "Chi bộ đã biểu quyết 3 lần không đủ 2/3" in before  # Vietnamese (needs the lead's translations)


def test_the_superior_committees_decision_is_not_for_a_cell_still_voting(world):
    m = probationary(world, D(2025, 9, 15))
    vote(m, D(2026, 10, 1), passed=False)
    r = world.client("commune_staff").post(f"/dang-vien/{m.pk}/cong-nhan/", {
        "action": "superior", "superior-proposal": "recognise", "superior-on": "20/10/2026",
        "superior-number": "81", "superior-decided_by": "BTV"})
    assert r.status_code == 400
    assert Recognition.objects.filter(membership=m, decision_on__isnull=False).count() == 0
