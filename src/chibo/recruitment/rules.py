"""What a candidate or a probationary member needs next, and by when, computed from the
rulebook (chibo.core.rules) and the working-day calendar. No writes here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chibo.core.calendar import Calendar
from chibo.core.dates import add_months
from chibo.core.models import Rule
from chibo.core.rules import RuleBook
from chibo.recruitment.models import Candidate, FileCode, FileItem, Stage


@dataclass(frozen=True)
class Next:
    """The next action: what, by when (None when no rule sets a date), under which rule."""
    label: str
    due: dt.date | None = None
    rule: Rule | None = None
    overdue: bool = False
    unrecorded_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class FileRow:
    code: str
    label: str
    received_on: dt.date | None
    valid_until: dt.date | None
    rule: Rule | None
    expired: bool


def file_rule_key(code: str) -> str | None:
    if code == FileCode.CERTIFICATE:
        return "awareness_certificate_months"
    if code in (FileCode.APPLICATION, FileCode.HISTORY, FileCode.INTRODUCTION, FileCode.YOUTH_UNION,
                FileCode.COMMENTS):
        return "admission_file_months"
    return None


def file_rows(items: list[FileItem], on: dt.date, book: RuleBook) -> list[FileRow]:
    """The checklist on `on`: each document with its received date and how long it is valid."""
    got = {i.code: i.received_on for i in items}
    rows = []
    for code, label in FileCode.choices:
        received = got.get(code)
        key = file_rule_key(code)
        r = book.rule(key, received) if key and received else None
        until = add_months(received, r.value) if r and received else None
        rows.append(FileRow(code, str(label), received, until, r, until is not None and until < on))
    return rows


def decision_due(c: Candidate, cal: Calendar, book: RuleBook) -> tuple[dt.date, Rule, Rule | None]:
    """The admission decision's deadline: 60 working days from the cell resolution, plus 30 when
    extended (QĐ 232 §4.3.1)."""
    assert c.resolution_on is not None
    r = book.rule("admission_decision_working_days", c.resolution_on)
    ext = book.rule("admission_decision_extension_working_days", c.resolution_on) if c.extended else None
    return cal.add(c.resolution_on, r.value + (ext.value if ext else 0)), r, ext


def ceremony_due(decision_on: dt.date, cal: Calendar, book: RuleBook) -> tuple[dt.date, Rule]:
    r = book.rule("admission_ceremony_working_days", decision_on)
    return cal.add(decision_on, r.value), r


def probation_end(admission: dt.date, book: RuleBook) -> tuple[dt.date, Rule]:
    r = book.rule("probation_months", admission)
    return add_months(admission, r.value), r


def recognition_due(admission: dt.date, cal: Calendar, book: RuleBook) -> tuple[dt.date, dt.date, Rule]:
    """(end of probation, last day for the cell to consider recognition, the rule)."""
    end, _r = probation_end(admission, book)
    r = book.rule("recognition_consider_working_days", end)
    return end, cal.add(end, r.value), r


def _years(cal: Calendar, start: dt.date, end: dt.date) -> tuple[int, ...]:
    return tuple(cal.missing_years(start, end))


def next_for_candidate(c: Candidate, items: list[FileItem], today: dt.date, cal: Calendar, book: RuleBook) -> Next:
    if c.stage == Stage.OUTSTANDING:
        return Next(_("The cell's resolution recognising them as a party sympathiser"))
    if c.stage == Stage.SYMPATHISER:
        return Next(_("The awareness class, then the cell allows the admission file"))
    if c.stage == Stage.APPLICANT:
        if c.resolution_on is None or not c.resolution_passed:
            rows = [r for r in file_rows(items, today, book) if r.valid_until is not None]
            if not rows:
                return Next(_("The admission file and the cell's resolution proposing admission"))
            first = min(rows, key=lambda r: r.valid_until or today)
            return Next(_("The cell's resolution proposing admission, before %(doc)s expires") % {"doc": first.code},
                        first.valid_until, first.rule, bool(first.expired))
        if c.decision_on is None:
            due, r, _ext = decision_due(c, cal, book)
            return Next(_("The committee's admission decision"), due, r, due < today,
                        _years(cal, c.resolution_on, due))
        if c.ceremony_on is None:
            due, r = ceremony_due(c.decision_on, cal, book)
            return Next(_("The admission ceremony"), due, r, due < today, _years(cal, c.decision_on, due))
    return Next("")
