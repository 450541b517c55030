"""The candidate pipeline and recognition services (issue 6 points 3–4), each rule pinned to a
worked example with Tết (domain-rules.md §2): age counted in months at the cell's
consideration, file validity, the two-thirds vote, the decision within 60 (+30) working days,
the ceremony within 30 working days, probation of 12 months, recognition effective on the
12-month date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chibo.audit.models import AuditEvent
from chibo.core.calendar import Calendar
from chibo.core.rules import RuleBook
from chibo.members import services as members
from chibo.members.models import MembershipEvent
from chibo.recruitment import rules, services
from chibo.recruitment.models import REQUIRED_FILES, FileCode, Recognition, Stage, Step
from tests.conftest import person_data

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English, the msgids."""
    with translation.override("en"):
        yield
BORN, CERTIFICATE, FILES, VERIFIED, CONSIDERED = D(2000, 1, 1), D(2025, 6, 1), D(2025, 9, 1), D(2025, 12, 1), D(2026, 1, 15)


def applicant(world, *, birth=BORN, certificate=CERTIFICATE, files=FILES, verified=VERIFIED):
    c = services.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                                  introduced_by="Chi đoàn thôn Đông",
                                  person_data=person_data("Y", "", "Nhi", sex="F", birth=birth, ethnicity="10"))
    services.sympathiser_record(c, actor=None, on=D(2025, 5, 1), number="05-NQ/CB")
    services.helper_assign(c, actor=None, person=world.m["secretary_a"].person, on=D(2025, 5, 2))
    services.test_task_give(c, actor=None, title="Vận động 5 hộ làm nhà vệ sinh", given_on=D(2025, 5, 2),
                            due_on=D(2025, 8, 1))
    services.file_receive(c, actor=None, code=FileCode.CERTIFICATE, received_on=certificate)
    services.applicant_record(c, actor=None, on=D(2025, 8, 1))
    for code in REQUIRED_FILES:
        if code != FileCode.CERTIFICATE:
            services.file_receive(c, actor=None, code=code, received_on=files)
    services.verification_record(c, actor=None, on=verified, result="Lý lịch rõ ràng")
    c.refresh_from_db()
    return c


def resolve(c, on=CONSIDERED, votes_for=8, official=9):
    return services.resolution_record(c, actor=None, on=on, number="12-NQ/CB", votes_for=votes_for,
                                      against=official - votes_for, abstain=0, present=official, official=official)


def test_decision_due_60_working_days_after_the_resolution_tet_not_counted(world):
    c = resolve(applicant(world))
    assert c.resolution_passed
    due, r, ext = rules.decision_due(c, Calendar(), RuleBook())
    assert (due, r.value, ext) == (D(2026, 4, 16), 60, None)  # Tết 16–20/02/2026 and 01/01 skipped
    services.extension_record(c, actor=None, on=D(2026, 4, 10), number="TB-01")
    c.refresh_from_db()
    due, r, ext = rules.decision_due(c, Calendar(), RuleBook())
    assert due == D(2026, 6, 2) and ext is not None and ext.value == 30  # +30 skips 27/04, 30/04, 01/05


def test_late_decision_is_recorded_with_a_warning_naming_the_rule(world):
    c = resolve(applicant(world))
    c, warnings = services.decision_record(c, actor=None, on=D(2026, 4, 20), number="45-QĐ/ĐU", decided_by="BTV")
    assert c.decision_on == D(2026, 4, 20)
    assert len(warnings) == 1 and "16/04/2026" in warnings[0] and "294-QĐ/TW" in warnings[0]


def test_ceremony_within_30_working_days_of_the_decision(world):
    c = resolve(applicant(world))
    c, warnings = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45-QĐ/ĐU",
                                           decided_by="Ban Thường vụ Đảng ủy xã")
    assert warnings == []
    due, r = rules.ceremony_due(c.decision_on, Calendar(), RuleBook())
    assert (due, r.value) == (D(2026, 3, 31), 30)  # 24/03 without Tết
    with pytest.raises(ValidationError) as exc:
        services.ceremony_record(c, actor=None, on=D(2026, 2, 9))
    assert "on" in exc.value.error_dict
    c, warnings = services.ceremony_record(c, actor=None, on=D(2026, 4, 1))
    assert c.stage == Stage.ADMITTED
    assert len(warnings) == 1 and "31/03/2026" in warnings[0] and "294-QĐ/TW" in warnings[0]


def test_ceremony_before_any_decision_is_refused(world):
    c = resolve(applicant(world))
    with pytest.raises(ValidationError) as exc:
        services.ceremony_record(c, actor=None, on=D(2026, 2, 1))
    assert "stage" in exc.value.error_dict
    c.refresh_from_db()
    assert c.membership is None and c.stage == Stage.APPLICANT


def test_the_full_path_makes_a_probationary_member_with_its_history(world):
    c = resolve(applicant(world))
    c, _w = services.decision_record(c, actor=None, on=D(2026, 2, 10), number="45-QĐ/ĐU", decided_by="BTV Đảng ủy xã")
    c, warnings = services.ceremony_record(c, actor=None, on=D(2026, 3, 2))
    assert warnings == []
    m = c.membership
    assert m is not None and m.status == "probationary" and m.admission_date == D(2026, 3, 2)
    assert m.organisation == world.org["A"]
    event = m.events.get()
    assert (event.kind, event.decision_number) == (MembershipEvent.Kind.ADMITTED, "45-QĐ/ĐU")
    kinds = list(c.steps.values_list("kind", flat=True))
    assert kinds[0] == Step.Kind.INTRODUCED and kinds[-3:] == [Step.Kind.RESOLUTION, Step.Kind.DECISION,
                                                              Step.Kind.CEREMONY]
    assert AuditEvent.objects.filter(object_type__icontains="candidate").count() == len(kinds)


def test_a_candidate_17_years_11_months_at_the_resolution_is_refused(world):
    c = applicant(world, birth=D(2008, 2, 10))  # 17 years 11 months on 15/01/2026
    with pytest.raises(ValidationError) as exc:
        resolve(c)
    message = exc.value.message_dict["on"][0]
    assert "17" in message and "11" in message and "18" in message and "294-QĐ/TW" in message
    c.refresh_from_db()
    assert c.resolution_on is None
    assert resolve(c, on=D(2026, 2, 10)).resolution_passed  # full 18 on 10/02/2026


def test_over_60_needs_the_written_consent(world):
    c = applicant(world, birth=D(1965, 6, 1))  # 60 years 7 months on 15/01/2026
    with pytest.raises(ValidationError) as exc:
        resolve(c)
    assert "60" in exc.value.message_dict["on"][0] and "consent" in exc.value.message_dict["on"][0].lower()
    services.consent_record(c, actor=None, number="150-CV/TU", on=D(2026, 1, 5))
    assert resolve(c).resolution_passed


def test_an_expired_certificate_is_shown_and_refused_at_the_resolution(world):
    c = applicant(world, certificate=D(2020, 12, 1))  # valid 60 months: until 01/12/2025
    row = next(r for r in rules.file_rows(list(c.files.all()), D(2026, 1, 15), RuleBook())
               if r.code == FileCode.CERTIFICATE)
    assert row.expired and row.valid_until == D(2025, 12, 1) and row.rule is not None and not row.rule.confirmed
    with pytest.raises(ValidationError) as exc:
        resolve(c)
    message = exc.value.message_dict["files"][0]
    assert "01/12/2025" in message and "60" in message
    services.file_receive(c, actor=None, code=FileCode.CERTIFICATE, received_on=D(2026, 1, 10))
    assert resolve(c).resolution_passed


def test_an_incomplete_file_is_refused(world):
    c = applicant(world)
    c.files.filter(code=FileCode.HISTORY).delete()
    with pytest.raises(ValidationError) as exc:
        resolve(c)
    assert "2-KND" in exc.value.message_dict["files"][0]


def test_a_resolution_without_two_thirds_is_recorded_as_failed_and_cannot_lead_to_a_decision(world):
    c = resolve(applicant(world), votes_for=5, official=9)  # 6 needed
    assert c.resolution_passed is False and "6" in c.resolution_basis
    assert c.steps.filter(kind=Step.Kind.RESOLUTION).exists()
    with pytest.raises(ValidationError) as exc:
        services.decision_record(c, actor=None, on=D(2026, 2, 1), number="1", decided_by="BTV")
    assert "two-thirds" in exc.value.message_dict["stage"][0]
    assert resolve(c, on=D(2026, 2, 5), votes_for=6).resolution_passed  # the cell considers again


def test_a_person_already_a_candidate_or_member_is_refused(world):
    c = applicant(world)
    for person in (c.person, world.m["member"].person):
        with pytest.raises(ValidationError) as exc:
            services.candidate_create(actor=None, organisation=world.org["A"], introduced_on=D(2025, 3, 1),
                                      introduced_by="Chi đoàn", person=person)
        assert "person" in exc.value.error_dict


def test_a_helper_must_be_an_official_member_of_the_cell(world):
    c = applicant(world)
    for person in (world.m["a_woman"].person, world.m["b_member"].person):  # probationary; another cell
        with pytest.raises(ValidationError):
            services.helper_assign(c, actor=None, person=person, on=D(2025, 9, 1))


def test_recognition_before_the_12_months_is_refused(world):
    m = world.m["a_woman"]  # admitted 03/02/2026
    end, consider_by, r = rules.recognition_due(m.admission_date, Calendar(), RuleBook())
    assert end == D(2027, 2, 3) and r.value == 30
    with pytest.raises(ValidationError) as exc:
        services.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 11, 20), number="1",
                                        votes_for=9, against=0, abstain=0, present=9, official=9)
    assert "03/02/2027" in exc.value.message_dict["on"][0]
    assert not Recognition.objects.exists()


def test_a_late_recognition_is_official_from_the_12_month_date(world):
    m = members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                              organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))
    end, consider_by, _r = rules.recognition_due(m.admission_date, Calendar(), RuleBook())
    assert (end, consider_by) == (D(2026, 9, 15), D(2026, 10, 27))  # 01–02/09 are earlier; none in the 30 days
    rec = services.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 11, 20), number="20-NQ/CB",
                                          votes_for=7, against=1, abstain=1, present=9, official=9)
    assert rec.passed
    rec, warnings = services.recognition_decide(rec, actor=None, on=D(2026, 11, 25), number="60-QĐ/ĐU",
                                                decided_by="BTV Đảng ủy xã")
    assert warnings == []
    m.refresh_from_db()
    assert m.status == "official" and m.official_date == D(2026, 9, 15)
    event = m.events.get(kind=MembershipEvent.Kind.RECOGNISED)
    assert (event.effective_date, event.decision_number) == (D(2026, 9, 15), "60-QĐ/ĐU")


def test_a_failed_recognition_vote_cannot_be_decided_and_removal_is_recorded_with_its_grounds(world):
    m = members.member_create(actor=None, person_data=person_data("Lê", "Văn", "Nam"),
                              organisation=world.org["A"], status="probationary", admission_date=D(2025, 9, 15))
    failed = services.recognition_resolution(m, actor=None, proposal="recognise", on=D(2026, 10, 1), number="1",
                                             votes_for=5, against=4, abstain=0, present=9, official=9)
    assert not failed.passed
    with pytest.raises(ValidationError):
        services.recognition_decide(failed, actor=None, on=D(2026, 10, 2), number="2", decided_by="BTV")
    removal = services.recognition_resolution(m, actor=None, proposal="remove", grounds="Không đủ tư cách đảng viên",
                                              on=D(2026, 10, 5), number="3", votes_for=7, against=2, abstain=0,
                                              present=9, official=9)
    services.recognition_decide(removal, actor=None, on=D(2026, 10, 20), number="70-QĐ/ĐU", decided_by="BTV")
    m.refresh_from_db()
    assert m.status == "removed"
    event = m.events.get(kind=MembershipEvent.Kind.REMOVED)
    assert event.note == "Không đủ tư cách đảng viên" and event.effective_date == D(2026, 10, 20)


def test_a_refused_step_writes_nothing(world):
    c = applicant(world)
    steps, audits = c.steps.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.resolution_record(c, actor=None, on=D(2026, 1, 15), number="", votes_for=9, against=0, abstain=0,
                                   present=8, official=9)
    assert (c.steps.count(), AuditEvent.objects.count()) == (steps, audits)
