"""Writes for the candidate pipeline and recognition as an official member.

Every function is atomic: it validates (ValidationError naming the field, and for a statutory
limit the rule and its citation), writes the candidate and its Step, and the audit record, in
one transaction. The ceremony creates the probationary membership, and a recognition decision
records the member's event, through chibo.members.services. Who may call these is decided by
chibo.access; the rules that hold whoever calls are enforced here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core.calendar import Calendar
from chibo.core.dates import add_months, format_vn_date, full_months, today
from chibo.core.models import Rule
from chibo.core.rules import RuleBook, rule
from chibo.core.text import nfc
from chibo.meetings.rules import vote_result
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent, Person, Status
from chibo.organisations.models import Organisation
from chibo.recruitment import rules
from chibo.recruitment.models import (
    OPEN_STAGES,
    RECEIVED_FILES,
    REQUIRED_FILES,
    Candidate,
    Decider,
    FileCode,
    FileItem,
    Helper,
    Recognition,
    Stage,
    Step,
    TestTask,
)

CANDIDATE_FIELDS = ["person_id", "organisation_id", "stage", "introduced_on", "introduced_by", "sympathiser_on",
                    "applicant_on", "verified_on", "verification_result", "consent_number", "consent_on",
                    "resolution_on", "resolution_number", "resolution_passed", "extended", "decision_on",
                    "decision_number", "decided_by", "decider", "decision_received_on", "ceremony_on", "membership_id"]


def _cite(r: Rule) -> str:
    return r.citation if r.confirmed else _("%(cite)s — not confirmed") % {"cite": r.citation}


def _lock(c: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("person", "organisation").get(pk=c.pk)


def _date(errors: dict[str, str], field: str, day: dt.date | None, after: dt.date | None = None,
          after_what: str = "") -> None:
    if day is None:
        errors[field] = _("Enter the date as dd/mm/yyyy.")
    elif day > today():
        errors[field] = _("The date cannot be in the future; record the step once it has happened.")
    elif after is not None and day < after:
        errors[field] = _("The date cannot be before %(what)s (%(date)s).") % {"what": after_what,
                                                                             "date": format_vn_date(after)}


def _stage(errors: dict[str, str], c: Candidate, *allowed: str) -> None:
    if c.stage not in allowed:
        errors["stage"] = _("This step does not apply to a candidate who is at the stage “%(stage)s”.") % {
            "stage": c.get_stage_display()}


def _step(c: Candidate, actor: Any, kind: str, day: dt.date, *, number: str = "", decided_by: str = "",
          note: str = "", before: dict[str, Any] | None = None) -> Step:
    step = Step.objects.create(candidate=c, kind=kind, date=day, number=nfc(number).strip(),
                               decided_by=nfc(decided_by).strip()[:200], note=nfc(note).strip()[:300],
                               recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    after = audit.snapshot(c, CANDIDATE_FIELDS)
    old, new = audit.diff(before, after) if before is not None else ({}, after)
    audit.record(actor=actor, action="create" if before is None else "update", obj=c, object_repr=c.person.full_name,
                 org_path=c.organisation.path, before=old or None, after=new or None,
                 note=f"{step.get_kind_display()} {format_vn_date(day)} {step.number}".strip())
    return step


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Entering a candidate -----------------------------------------------------------------------

@transaction.atomic
def candidate_create(*, actor: Any, organisation: Organisation, introduced_on: dt.date | None, introduced_by: str,
                     person: Person | None = None, person_data: dict[str, Any] | None = None,
                     number: str = "") -> Candidate:
    """An outstanding citizen introduced to the cell by a mass organisation (the Youth Union…)."""
    errors: dict[str, str] = {}
    if not organisation.is_cell or not organisation.is_active:
        errors["organisation"] = _("Candidates are followed by an active party cell. Choose the cell.")
    _date(errors, "introduced_on", introduced_on)
    introduced_by = nfc(introduced_by or "").strip()
    if not introduced_by:
        errors["introduced_by"] = _("Write who introduced the candidate, for example “Chi đoàn thôn Đông”.")
    if person is not None:
        if Membership.objects.filter(person=person).exists():
            errors["person"] = _("%(name)s already has a party membership record.") % {"name": person.full_name}
        elif Candidate.objects.filter(person=person, stage__in=OPEN_STAGES).exists():
            errors["person"] = _("%(name)s is already a candidate.") % {"name": person.full_name}
    _raise(errors)
    assert introduced_on is not None
    if person is None:
        person = members.person_create(actor=actor, **(person_data or {}))
    c = Candidate.objects.create(person=person, organisation=organisation, introduced_on=introduced_on,
                                 introduced_by=introduced_by)
    _step(c, actor, Step.Kind.INTRODUCED, introduced_on, number=number, decided_by=introduced_by)  # type: ignore[arg-type]
    return c


# --- Sympathiser, helpers, test tasks, applicant -----------------------------------------------

@transaction.atomic
def sympathiser_record(c: Candidate, *, actor: Any, on: dt.date | None, number: str) -> Candidate:
    """The cell's resolution putting the candidate on the list of party sympathisers."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.OUTSTANDING)
    _date(errors, "on", on, c.introduced_on, _("the introduction"))
    if not nfc(number or "").strip():
        errors["number"] = _("Enter the number of the cell's resolution.")
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.stage, c.sympathiser_on = Stage.SYMPATHISER, on
    c.save(update_fields=["stage", "sympathiser_on", "updated_at"])
    _step(c, actor, Step.Kind.SYMPATHISER, on, number=number, decided_by=c.organisation.name,  # type: ignore[arg-type]
          before=before)
    return c


@transaction.atomic
def helper_assign(c: Candidate, *, actor: Any, person: Person | None, on: dt.date | None) -> Helper:
    """An official member of the cell assigned by the cell to help the candidate."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.SYMPATHISER, Stage.APPLICANT)
    _date(errors, "on", on, c.sympathiser_on, _("the sympathiser resolution"))
    if person is None or not Membership.objects.filter(person=person, organisation=c.organisation,
                                                         status=Status.OFFICIAL, current=True).exists():
        errors["person"] = _("Choose an official member of %(cell)s.") % {"cell": c.organisation.name}
    elif c.helpers.filter(person=person).exists():
        errors["person"] = _("%(name)s is already helping this candidate.") % {"name": person.full_name}
    _raise(errors)
    assert person is not None and on is not None
    helper = Helper.objects.create(candidate=c, person=person, assigned_on=on)
    _step(c, actor, Step.Kind.HELPER, on, decided_by=c.organisation.name, note=person.full_name,  # type: ignore[arg-type, union-attr]
          before=audit.snapshot(c, CANDIDATE_FIELDS))
    return helper


@transaction.atomic
def test_task_give(c: Candidate, *, actor: Any, title: str, given_on: dt.date | None,
                   due_on: dt.date | None = None) -> TestTask:
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.SYMPATHISER, Stage.APPLICANT)
    title = nfc(title or "").strip()
    if not title:
        errors["title"] = _("Write the task given to the candidate.")
    _date(errors, "given_on", given_on, c.sympathiser_on, _("the sympathiser resolution"))
    if due_on is not None and given_on is not None and due_on < given_on:
        errors["due_on"] = _("A task cannot be due before it is given.")
    _raise(errors)
    assert given_on is not None
    task = TestTask.objects.create(candidate=c, title=title, given_on=given_on, due_on=due_on)
    _step(c, actor, Step.Kind.TEST_TASK, given_on, decided_by=c.organisation.name, note=title,  # type: ignore[arg-type]
          before=audit.snapshot(c, CANDIDATE_FIELDS))
    return task


@transaction.atomic
def applicant_record(c: Candidate, *, actor: Any, on: dt.date | None, number: str = "") -> Candidate:
    """The cell allows the sympathiser to prepare the admission file."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.SYMPATHISER)
    _date(errors, "on", on, c.sympathiser_on, _("the sympathiser resolution"))
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.stage, c.applicant_on = Stage.APPLICANT, on
    c.save(update_fields=["stage", "applicant_on", "updated_at"])
    _step(c, actor, Step.Kind.APPLICANT, on, number=number, decided_by=c.organisation.name,  # type: ignore[arg-type]
          before=before)
    return c


@transaction.atomic
def file_receive(c: Candidate, *, actor: Any, code: str, received_on: dt.date | None) -> FileItem:
    """A document of the admission file received (or received again, replacing an expired one)."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.SYMPATHISER, Stage.APPLICANT)
    if code not in RECEIVED_FILES:
        errors["code"] = _("Choose one of the listed documents.")
    _date(errors, "received_on", received_on)
    if code == FileCode.COMMITTEE_RESOLUTION and not c.resolution_passed:
        errors["code"] = _("The grassroots committee's resolution follows the cell's resolution proposing admission.")
    _raise(errors)
    item, _created = FileItem.objects.update_or_create(candidate=c, code=code, defaults={"received_on": received_on})
    _step(c, actor, Step.Kind.FILE, received_on, note=item.get_code_display(),  # type: ignore[arg-type]
          before=audit.snapshot(c, CANDIDATE_FIELDS))
    return item


@transaction.atomic
def verification_record(c: Candidate, *, actor: Any, on: dt.date | None, result: str) -> Candidate:
    """The verification of the applicant's personal history (thẩm tra lý lịch) and its result."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    _date(errors, "on", on)
    result = nfc(result or "").strip()
    if not result:
        errors["result"] = _("Write the result of the verification, for example “Lý lịch rõ ràng”.")
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.verified_on, c.verification_result = on, result[:300]
    c.save(update_fields=["verified_on", "verification_result", "updated_at"])
    _step(c, actor, Step.Kind.VERIFIED, on, note=result, before=before)  # type: ignore[arg-type]
    return c


@transaction.atomic
def consent_record(c: Candidate, *, actor: Any, number: str, on: dt.date | None) -> Candidate:
    """The provincial standing committee's prior written consent for an applicant over 60."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.SYMPATHISER, Stage.APPLICANT)
    _date(errors, "on", on)
    number = nfc(number or "").strip()
    if not number:
        errors["number"] = _("Enter the number of the written consent.")
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.consent_number, c.consent_on = number, on
    c.save(update_fields=["consent_number", "consent_on", "updated_at"])
    _step(c, actor, Step.Kind.CONSENT, on, number=number, before=before)  # type: ignore[arg-type]
    return c


# --- The cell's resolution, the decision, the ceremony --------------------------------------------

def _age_errors(c: Candidate, on: dt.date) -> dict[str, str]:
    months = full_months(c.person.birth_date, on)
    low, high = rule("admission_min_age", on), rule("admission_max_age", on)
    if months < low.value * 12:
        return {"on": _("%(name)s is %(y)s years %(m)s months old on %(date)s: the cell considers applicants from "
                        "full %(age)s years, counted in months (%(cite)s).") % {
            "name": c.person.full_name, "y": months // 12, "m": months % 12, "date": format_vn_date(on),
            "age": low.value, "cite": _cite(low)}}
    if months > high.value * 12 and not (c.consent_number and c.consent_on and c.consent_on <= on):
        return {"on": _("%(name)s is %(y)s years %(m)s months old on %(date)s, over %(age)s (%(cite)s): an applicant "
                        "over %(age)s needs the provincial standing committee's written consent beforehand. Record "
                        "the consent first.") % {
            "name": c.person.full_name, "y": months // 12, "m": months % 12, "date": format_vn_date(on),
            "age": high.value, "cite": _cite(high)}}
    return {}


def _file_errors(c: Candidate, on: dt.date) -> dict[str, str]:
    book = RuleBook()
    rows = {r.code: r for r in rules.file_rows(list(c.files.all()), on, book)}
    missing = [rows[code].code for code in REQUIRED_FILES if rows[code].received_on is None]
    if missing:
        return {"files": _("The admission file is not complete: %(codes)s not received yet.") % {
            "codes": ", ".join(missing)}}
    for code in REQUIRED_FILES:
        row = rows[code]
        if row.expired and row.rule is not None:
            return {"files": _("%(doc)s received on %(received)s was valid until %(until)s (%(months)s months, "
                               "%(cite)s): it has expired by %(date)s. Ask for a new one and record it.") % {
                "doc": row.label, "received": format_vn_date(row.received_on), "until": format_vn_date(row.valid_until),
                "months": row.rule.value, "cite": _cite(row.rule), "date": format_vn_date(on)}}
    if c.verified_on is None:
        return {"files": _("The verification of the personal history is not recorded yet.")}
    r = book.rule("admission_file_months", c.verified_on)
    if add_months(c.verified_on, r.value) < on:
        return {"files": _("The verification of %(date)s is older than %(months)s months (%(cite)s): verify "
                           "again.") % {"date": format_vn_date(c.verified_on), "months": r.value, "cite": _cite(r)}}
    return {}


@transaction.atomic
def resolution_record(c: Candidate, *, actor: Any, on: dt.date | None, number: str, votes_for: int | None,
                      against: int | None, abstain: int | None, present: int | None,
                      official: int | None) -> Candidate:
    """The cell's resolution proposing admission (6-KNĐ). It passes only with two-thirds of the
    official members voting for; without them it is recorded as not passed (and the cell may
    consider again later)."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    if c.resolution_passed:
        errors["stage"] = _("The cell's resolution proposing admission was already passed.")
    _date(errors, "on", on, c.applicant_on, _("the start of the admission file"))
    counts = {"votes_for": votes_for, "against": against, "abstain": abstain, "present": present,
              "official": official}
    for name, value in counts.items():
        if value is None or value < 0:
            errors[name] = _("Enter a whole number (0 if none).")
    if not nfc(number or "").strip():
        errors["number"] = _("Enter the number of the cell's resolution.")
    if "on" not in errors and on is not None and "stage" not in errors:
        errors.update(_age_errors(c, on))
        if "on" not in errors:
            errors.update(_file_errors(c, on))
    _raise(errors)
    assert on is not None
    num, den = rule("vote_special_numerator", on), rule("vote_special_denominator", on)
    result = vote_result(kind="admission", votes_for=votes_for or 0, against=against or 0, abstain=abstain or 0,
                         present=present or 0, official=official or 0, num=num.value, den=den.value)
    if result.error:
        raise ValidationError({"votes_for": result.error})
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.resolution_on, c.resolution_number = on, nfc(number).strip()
    c.resolution_passed, c.resolution_basis = result.passed, f"{result.basis} ({_cite(num)})"[:300]
    c.resolution_for, c.resolution_against, c.resolution_abstain = votes_for, against, abstain
    c.resolution_present, c.resolution_official = present, official
    c.save(update_fields=["resolution_on", "resolution_number", "resolution_passed", "resolution_basis",
                          "resolution_for", "resolution_against", "resolution_abstain", "resolution_present",
                          "resolution_official", "updated_at"])
    _step(c, actor, Step.Kind.RESOLUTION, on, number=number, decided_by=c.organisation.name, note=c.resolution_basis,
          before=before)
    return c


@transaction.atomic
def extension_record(c: Candidate, *, actor: Any, on: dt.date | None, number: str) -> Candidate:
    """The special-case extension of the decision deadline (+30 working days)."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    if not c.resolution_passed or c.decision_on is not None or c.extended:
        errors["stage"] = _("An extension applies only while a passed resolution waits for its decision, once.")
    _date(errors, "on", on, c.resolution_on, _("the cell's resolution"))
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.extended = True
    c.save(update_fields=["extended", "updated_at"])
    _step(c, actor, Step.Kind.EXTENSION, on, number=number, before=before)  # type: ignore[arg-type]
    return c


def _received_errors(errors: dict[str, str], field: str, received_on: dt.date | None,
                    decision_on: dt.date | None) -> None:
    if received_on is None:
        return
    if received_on > today():
        errors[field] = _("The day the cell received the decision cannot be in the future; record it once the "
                          "decision has arrived.")
    elif decision_on is not None and received_on < decision_on:
        errors[field] = _("The cell cannot receive the decision before it was signed on %(date)s: check the day "
                          "it was received.") % {"date": format_vn_date(decision_on)}


@transaction.atomic
def decision_record(c: Candidate, *, actor: Any, on: dt.date | None, number: str, decided_by: str,
                    decider: str = "", received_on: dt.date | None = None) -> tuple[Candidate, list[str]]:
    """The competent committee's admission decision (9-KNĐ), who decided it and, when known,
    the day the cell received it. An applicant over the age rule at the cell's resolution is
    decided by the provincial committee (Điều lệ, QĐ 294): any other decider is refused. Later
    than its deadline is recorded with a warning naming the rule: the decision stands, the
    delay is the committee's."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    if not c.resolution_passed:
        errors["stage"] = _("A decision needs the cell's resolution passed with two-thirds of the official members.")
    elif c.decision_on is not None:
        errors["stage"] = _("The admission decision is already recorded.")
    _date(errors, "on", on, c.resolution_on, _("the cell's resolution"))
    if not nfc(number or "").strip():
        errors["number"] = _("Enter the number of the decision.")
    if not nfc(decided_by or "").strip():
        errors["decided_by"] = _("Write which committee decided, for example “Ban Thường vụ Đảng ủy xã”.")
    if decider and decider not in Decider.values:
        errors["decider"] = _("Choose the level that decided.")
    elif c.resolution_passed and c.resolution_on is not None:
        age = rules.over_age(c, c.resolution_on, RuleBook())
        if age is not None and decider != Decider.PROVINCE:
            errors["decider"] = provincial_message(c, age)
    _received_errors(errors, "received_on", received_on, on)
    _raise(errors)
    assert on is not None
    due, r, ext = rules.decision_due(c, Calendar(), RuleBook())
    warnings = []
    if on > due:
        warnings.append(_("The decision came after its deadline of %(date)s (%(days)s working days from the cell's "
                          "resolution, %(cite)s).") % {"date": format_vn_date(due),
                                                       "days": r.value + (ext.value if ext else 0), "cite": _cite(r)})
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.decision_on, c.decision_number, c.decided_by = on, nfc(number).strip(), nfc(decided_by).strip()[:200]
    c.decider, c.decision_received_on = decider, received_on
    c.save(update_fields=["decision_on", "decision_number", "decided_by", "decider", "decision_received_on",
                          "updated_at"])
    who = f"{decided_by} ({Decider(decider).label})" if decider else decided_by
    _step(c, actor, Step.Kind.DECISION, on, number=number, decided_by=who, note=" ".join(warnings),
          before=before)
    if received_on is not None:
        _step(c, actor, Step.Kind.RECEIVED, received_on, number=number, before=audit.snapshot(c, CANDIDATE_FIELDS))
    return c, warnings


def provincial_message(c: Candidate, age: Any) -> str:
    """Why an over-age applicant's decision belongs to the provincial committee."""
    assert c.resolution_on is not None
    return _("%(name)s was over %(age)s at the cell's resolution of %(date)s: admission is decided by the provincial "
             "standing committee (%(cite)s). Choose “%(province)s” and record the province's decision.") % {
        "name": c.person.full_name, "age": age.value, "date": format_vn_date(c.resolution_on), "cite": _cite(age),
        "province": Decider.PROVINCE.label}


def needs_provincial_decision(c: Candidate) -> bool:
    """The candidate's decision is awaited and belongs to the provincial committee (over age)."""
    return (c.stage == Stage.APPLICANT and bool(c.resolution_passed) and c.decision_on is None
            and c.resolution_on is not None and rules.over_age(c, c.resolution_on, RuleBook()) is not None)


@transaction.atomic
def decision_received_record(c: Candidate, *, actor: Any, on: dt.date | None) -> Candidate:
    """The day the cell received the admission decision: the ceremony's working days count
    from it."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    if c.decision_on is None:
        errors["stage"] = _("Record the admission decision first.")
    if on is None:
        errors["on"] = _("Enter the date as dd/mm/yyyy.")
    _received_errors(errors, "on", on, c.decision_on)
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.decision_received_on = on
    c.save(update_fields=["decision_received_on", "updated_at"])
    _step(c, actor, Step.Kind.RECEIVED, on, number=c.decision_number, before=before)  # type: ignore[arg-type]
    return c


@transaction.atomic
def ceremony_record(c: Candidate, *, actor: Any, on: dt.date | None) -> tuple[Candidate, list[str]]:
    """The admission ceremony: the candidate becomes a probationary member of the cell from this
    date (membership and its history written by members.services). After the limit it is
    recorded with a warning naming the rule (a later ceremony needs the superior committee's
    consent)."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, Stage.APPLICANT)
    if c.decision_on is None:
        errors["stage"] = _("The ceremony follows the admission decision: record the decision first.")
    if c.decision_received_on is not None:
        _date(errors, "on", on, c.decision_received_on, _("the day the cell received the decision"))
    else:
        _date(errors, "on", on, c.decision_on, _("the admission decision"))
    _raise(errors)
    assert on is not None and c.decision_on is not None
    start, received = rules.ceremony_start(c)
    due, r = rules.ceremony_due(start, Calendar(), RuleBook())
    warnings = []
    if on > due:
        if received:
            warnings.append(_("The ceremony was held after its limit of %(date)s (%(days)s working days from the day "
                              "the cell received the decision, %(cite)s); a later ceremony needs the consent of the "
                              "superior committee.") % {"date": format_vn_date(due), "days": r.value,
                                                        "cite": _cite(r)})
        else:
            warnings.append(_("The ceremony was held after %(date)s, %(days)s working days from the decision's date "
                              "(%(cite)s counts them from the day the cell received the decision, which is not "
                              "recorded); a later ceremony needs the consent of the superior committee.") % {
                "date": format_vn_date(due), "days": r.value, "cite": _cite(r)})
    m = members.member_create(actor=actor, person=c.person, organisation=c.organisation, status=Status.PROBATIONARY,
                              admission_date=on, admission_decision_date=c.decision_on,
                              decision_number=c.decision_number)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.stage, c.ceremony_on, c.membership = Stage.ADMITTED, on, m
    c.save(update_fields=["stage", "ceremony_on", "membership", "updated_at"])
    _step(c, actor, Step.Kind.CEREMONY, on, decided_by=c.organisation.name, note=" ".join(warnings), before=before)
    return c, warnings


@transaction.atomic
def withdraw(c: Candidate, *, actor: Any, on: dt.date | None, reason: str) -> Candidate:
    """The candidate leaves the pipeline (taken off the list by the cell, moved away, …)."""
    c = _lock(c)
    errors: dict[str, str] = {}
    _stage(errors, c, *OPEN_STAGES)
    _date(errors, "on", on, c.introduced_on, _("the introduction"))
    if not nfc(reason or "").strip():
        errors["reason"] = _("Write why the candidate leaves the list.")
    _raise(errors)
    before = audit.snapshot(c, CANDIDATE_FIELDS)
    c.stage = Stage.WITHDRAWN
    c.save(update_fields=["stage", "updated_at"])
    _step(c, actor, Step.Kind.WITHDRAWN, on, note=reason, before=before)  # type: ignore[arg-type]
    return c


# --- Recognition as an official member -------------------------------------------------------------

@transaction.atomic
def recognition_resolution(m: Membership, *, actor: Any, proposal: str, on: dt.date | None, number: str,
                           votes_for: int | None, against: int | None, abstain: int | None, present: int | None,
                           official: int | None, grounds: str = "") -> Recognition:
    """The cell's resolution when the probation ends: propose recognition, or removal from the
    rolls. Either needs two-thirds of the official members; without them it is recorded as not
    passed."""
    m = Membership.objects.select_for_update().select_related("person", "organisation").get(pk=m.pk)
    errors: dict[str, str] = {}
    if m.status != Status.PROBATIONARY:
        errors["proposal"] = _("Only a probationary member is considered for recognition.")
    if proposal not in Recognition.Proposal.values:
        errors["proposal"] = _("Choose what the cell proposes.")
    grounds = nfc(grounds or "").strip()
    if proposal == Recognition.Proposal.REMOVE and not grounds:
        errors["grounds"] = _("Write the grounds for the removal.")
    end, pr = rules.probation_end(m.admission_date, RuleBook())
    _date(errors, "on", on)
    if "on" not in errors and on is not None and on < end:
        errors["on"] = _("The cell considers recognition when the %(months)s months of probation end, on %(date)s "
                         "(%(cite)s).") % {"months": pr.value, "date": format_vn_date(end), "cite": _cite(pr)}
    window = rules.recognition_window(m.admission_date, list(Recognition.objects.filter(membership=m)), Calendar(),
                                      RuleBook())
    if window.stage == rules.Window.COMMITTEE:
        errors["proposal"] = _("A passed resolution is waiting for the committee's decision.")
    elif window.stage == rules.Window.SUPERIOR:
        errors["proposal"] = superior_message(window)
    counts = {"votes_for": votes_for, "against": against, "abstain": abstain, "present": present,
              "official": official}
    for name, value in counts.items():
        if value is None or value < 0:
            errors[name] = _("Enter a whole number (0 if none).")
    _raise(errors)
    assert on is not None and votes_for is not None and against is not None and abstain is not None
    assert present is not None and official is not None
    num, den = rule("vote_special_numerator", on), rule("vote_special_denominator", on)
    kind = "recognition" if proposal == Recognition.Proposal.RECOGNISE else "removal"
    result = vote_result(kind=kind, votes_for=votes_for or 0, against=against or 0, abstain=abstain or 0,
                         present=present or 0, official=official or 0, num=num.value, den=den.value)
    if result.error:
        raise ValidationError({"votes_for": result.error})
    rec = Recognition.objects.create(
        membership=m, proposal=proposal, grounds=grounds[:300], resolution_on=on, resolution_number=nfc(number).strip(),
        votes_for=votes_for, votes_against=against, votes_abstain=abstain, official=official, passed=result.passed,
        basis=f"{result.basis} ({_cite(num)})"[:300],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="create", obj=rec, object_repr=m.person.full_name, org_path=m.organisation.path,
                 after=audit.snapshot(rec), note=f"{rec.get_proposal_display()}: {rec.basis}")
    return rec


def superior_message(window: rules.RecognitionWindow) -> str:
    """What to do once the cell has voted N times without two-thirds."""
    assert window.failed_rule is not None
    return _("The cell has voted %(n)s times without two-thirds: report to the superior committee, which considers "
             "and decides (%(cite)s).") % {"n": window.failed, "cite": _cite(window.failed_rule)}


def _decision_errors(errors: dict[str, str], on: dt.date | None, after: dt.date, number: str,
                     decided_by: str) -> None:
    _date(errors, "on", on, after, _("the cell's resolution"))
    if not nfc(number or "").strip():
        errors["number"] = _("Enter the number of the decision.")
    if not nfc(decided_by or "").strip():
        errors["decided_by"] = _("Write which committee decided, for example “Ban Thường vụ Đảng ủy xã”.")


def _decide(rec: Recognition, *, actor: Any, proposal: str, on: dt.date, number: str, decided_by: str,
            grounds: str, warnings: list[str]) -> Recognition:
    """The membership event of a decision and the decision on the record, audited. Recognition
    takes effect on the day the 12 months end, even when decided late; removal takes effect on
    the decision's date."""
    m = rec.membership
    if proposal == Recognition.Proposal.RECOGNISE:
        end, _pr = rules.probation_end(m.admission_date, RuleBook())
        members.member_record_event(m, actor=actor, kind=MembershipEvent.Kind.RECOGNISED, effective_date=end,
                                    decision_number=number,
                                    note=_("Decided on %(date)s by %(who)s") % {"date": format_vn_date(on),
                                                                                 "who": decided_by})
    else:
        members.member_record_event(m, actor=actor, kind=MembershipEvent.Kind.REMOVED, effective_date=on,
                                    decision_number=number, note=grounds)
    before = audit.snapshot(rec)
    rec.decision_on, rec.decision_number, rec.decided_by = on, nfc(number).strip(), nfc(decided_by).strip()[:200]
    rec.decided_proposal = proposal
    rec.save(update_fields=["decision_on", "decision_number", "decided_by", "decided_proposal"])
    old, new = audit.diff(before, audit.snapshot(rec))
    audit.record(actor=actor, action="update", obj=rec, object_repr=m.person.full_name, org_path=m.organisation.path,
                 before=old, after=new, note=" ".join(warnings))
    return rec


@transaction.atomic
def recognition_decide(rec: Recognition, *, actor: Any, on: dt.date | None, number: str,
                       decided_by: str) -> tuple[Recognition, list[str]]:
    """The committee's decision on a passed resolution, within its working days after the
    resolution (plus the one-time extension when recorded); later is recorded with a warning.
    Both outcomes are membership events (members.services)."""
    rec = Recognition.objects.select_for_update().select_related("membership", "membership__person",
                                                                 "membership__organisation").get(pk=rec.pk)
    errors: dict[str, str] = {}
    if not rec.passed:
        errors["proposal"] = _("This resolution did not reach two-thirds of the official members; it cannot lead to "
                               "a decision.")
    elif rec.decision_on is not None:
        errors["proposal"] = _("The decision is already recorded.")
    _decision_errors(errors, on, rec.resolution_on, number, decided_by)
    _raise(errors)
    assert on is not None
    window = rules.recognition_window(rec.membership.admission_date, [rec], Calendar(), RuleBook())
    assert window.due is not None and window.rule is not None
    warnings = []
    if on > window.due:
        days = window.rule.value + (window.extension.value if window.extension else 0)
        warnings.append(_("The decision came after its deadline of %(date)s (%(days)s working days from the cell's "
                          "resolution, %(cite)s).") % {"date": format_vn_date(window.due), "days": days,
                                                       "cite": _cite(window.rule)})
    _decide(rec, actor=actor, proposal=rec.proposal, on=on, number=number, decided_by=decided_by, grounds=rec.grounds,
            warnings=warnings)
    return rec, warnings


@transaction.atomic
def recognition_extend(rec: Recognition, *, actor: Any, on: dt.date | None, number: str,
                       reason: str) -> Recognition:
    """The committee extends its time limit once, in a special case, by the extension rule's
    working days (QĐ 294, as QĐ 29 §4.3.1); the reason is required. A second extension is
    refused."""
    rec = Recognition.objects.select_for_update().select_related("membership", "membership__person",
                                                                 "membership__organisation").get(pk=rec.pk)
    m = rec.membership
    errors: dict[str, str] = {}
    if not rec.passed or rec.decision_on is not None:
        errors["reason"] = _("An extension applies only while a passed resolution waits for the committee's decision.")
    elif rec.extended:
        errors["reason"] = _("The committee's time limit was already extended on %(date)s; it can be extended only "
                             "once.") % {"date": format_vn_date(rec.extension_on)}
    _date(errors, "on", on, rec.resolution_on, _("the cell's resolution"))
    reason = nfc(reason or "").strip()
    if not reason and "reason" not in errors:
        errors["reason"] = _("Write the special case that justifies the extension.")
    _raise(errors)
    before = audit.snapshot(rec)
    rec.extended, rec.extension_on, rec.extension_number = True, on, nfc(number or "").strip()[:50]
    rec.extension_reason = reason[:300]
    rec.save(update_fields=["extended", "extension_on", "extension_number", "extension_reason"])
    old, new = audit.diff(before, audit.snapshot(rec))
    audit.record(actor=actor, action="update", obj=rec, object_repr=m.person.full_name, org_path=m.organisation.path,
                 before=old, after=new, note=_("Decision deadline extended: %(reason)s") % {"reason": reason})
    return rec


@transaction.atomic
def recognition_superior_decide(m: Membership, *, actor: Any, proposal: str, on: dt.date | None, number: str,
                                decided_by: str, grounds: str = "") -> tuple[Recognition, list[str]]:
    """The superior committee's decision after the cell has voted the rule's number of times
    (3) without two-thirds, for recognition or for removal: it decides either, recorded on the
    last of those resolutions."""
    m = Membership.objects.select_for_update().select_related("person", "organisation").get(pk=m.pk)
    recs = list(Recognition.objects.select_for_update().filter(membership=m).select_related(
        "membership", "membership__person", "membership__organisation"))
    window = rules.recognition_window(m.admission_date, recs, Calendar(), RuleBook())
    errors: dict[str, str] = {}
    if m.status != Status.PROBATIONARY or window.stage != rules.Window.SUPERIOR:
        limit = RuleBook().rule("recognition_failed_votes_to_superior", window.end)
        errors["proposal"] = _("The superior committee decides only after the cell has voted %(n)s times without "
                               "two-thirds (%(cite)s); the cell has %(failed)s such votes.") % {
            "n": limit.value, "cite": _cite(limit), "failed": window.failed}
    elif proposal not in Recognition.Proposal.values:
        errors["proposal"] = _("Choose what the superior committee decided.")
    grounds = nfc(grounds or "").strip()
    if proposal == Recognition.Proposal.REMOVE and not grounds:
        errors["grounds"] = _("Write the grounds for the removal.")
    _decision_errors(errors, on, window.start or window.end, number, decided_by)
    _raise(errors)
    assert on is not None and window.due is not None and window.rule is not None
    last = max((r for r in recs if not r.passed), key=lambda r: (r.resolution_on, r.pk))
    warnings = []
    if on > window.due:
        warnings.append(_("The decision came after %(date)s (%(days)s working days from the cell's last vote, "
                          "%(cite)s).") % {"date": format_vn_date(window.due), "days": window.rule.value,
                                           "cite": _cite(window.rule)})
    if grounds and not last.grounds:
        last.grounds = grounds[:300]
        last.save(update_fields=["grounds"])
    _decide(last, actor=actor, proposal=proposal, on=on, number=number, decided_by=decided_by, grounds=grounds,
            warnings=warnings)
    return last, warnings
