"""What a candidate or a probationary member needs next, and by when, computed from the
rulebook (chibo.core.rules) and the working-day calendar. No writes here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from chibo.core.calendar import Calendar
from chibo.core.dates import add_months, full_months
from chibo.core.models import Rule
from chibo.core.rules import RuleBook, RuleMissing
from chibo.members import rules as member_rules
from chibo.recruitment.models import Candidate, FileCode, FileItem, Recognition, Stage


@dataclass(frozen=True)
class Next:
    """The next action: what, by when (None when no rule sets a date), under which rule."""
    label: str
    due: dt.date | None = None
    rule: Rule | None = None
    overdue: bool = False
    unrecorded_years: tuple[int, ...] = ()
    note: str = ""


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


def ceremony_due(start: dt.date, cal: Calendar, book: RuleBook) -> tuple[dt.date, Rule]:
    """The ceremony's limit: 30 working days from `start` (see ceremony_start)."""
    r = book.rule("admission_ceremony_working_days", start)
    return cal.add(start, r.value), r


def ceremony_start(c: Candidate) -> tuple[dt.date, bool]:
    """What the ceremony's working days count from: the day the cell received the decision
    (QĐ 294, as QĐ 24 §4.1), or, while that is not recorded, the decision's date — the earliest
    it can be (True when the receipt is recorded)."""
    assert c.decision_on is not None
    if c.decision_received_on is not None:
        return c.decision_received_on, True
    return c.decision_on, False


def over_age(c: Candidate, on: dt.date, book: RuleBook) -> Rule | None:
    """The age rule when the candidate is over its age on `on` (the cell's consideration),
    counted in months: such an admission is decided by the provincial committee."""
    try:
        high = book.rule("admission_max_age", on)
    except RuleMissing:
        return None
    return high if full_months(c.person.birth_date, on) > high.value * 12 else None


def probation_end(admission: dt.date, book: RuleBook) -> tuple[dt.date, Rule]:
    r = book.rule("probation_months", admission)
    return member_rules.probation_end(admission, r.value), r


def recognition_due(admission: dt.date, cal: Calendar, book: RuleBook) -> tuple[dt.date, dt.date, Rule]:
    """(end of probation, last day for the cell to consider recognition, the rule)."""
    end, _r = probation_end(admission, book)
    r = book.rule("recognition_consider_working_days", end)
    return end, cal.add(end, r.value), r


class Window:
    """Where a probationary member's recognition stands (recognition_window)."""
    CELL = "cell"  # the cell considers within its working days after the probation ends
    COMMITTEE = "committee"  # a passed resolution waits for the committee's decision
    SUPERIOR = "superior"  # the cell voted N times without two-thirds: the superior committee decides
    DECIDED = "decided"


@dataclass(frozen=True)
class RecognitionWindow:
    """The end of probation and the window now running: its start, its last day and the rules
    it comes from (the extension's rule when the committee extended it). `failed` counts the
    cell's resolutions without two-thirds; `pending` is the passed resolution awaiting its
    decision."""
    stage: str
    end: dt.date
    probation_rule: Rule
    start: dt.date | None = None
    due: dt.date | None = None
    rule: Rule | None = None
    extension: Rule | None = None
    failed: int = 0
    failed_rule: Rule | None = None
    pending: Recognition | None = None
    cell_due: dt.date | None = None
    cell_rule: Rule | None = None

    def overdue(self, day: dt.date) -> bool:
        """Overdue only after the window now running: the cell's, then the committee's (+ its
        one-time extension)."""
        return self.due is not None and self.due < day


def recognition_window(admission: dt.date, recs: list[Recognition], cal: Calendar,
                       book: RuleBook) -> RecognitionWindow:
    """A probationary member's recognition windows (QĐ 294, as QĐ 29 §4.2 and §4.3.1;
    domain-rules.md §0, §2.6), from the member's recognition records (any order):
    - the cell's: `recognition_consider_working_days` after the 12 months end;
    - once the cell has passed its resolution, the committee's:
      `recognition_decision_working_days` after the resolution, plus
      `recognition_decision_extension_working_days` when the committee extended it (once);
    - after `recognition_failed_votes_to_superior` resolutions without two-thirds, the superior
      committee decides; chibo counts the committee's working days from the last of them (the
      texts set no other limit for it)."""
    end, pr = probation_end(admission, book)
    cell = book.rule("recognition_consider_working_days", end)
    cell_due = cal.add(end, cell.value)
    base = RecognitionWindow(Window.CELL, end, pr, start=end, due=cell_due, rule=cell, cell_due=cell_due,
                             cell_rule=cell)
    recs = sorted(recs, key=lambda r: (r.resolution_on, r.pk or 0))
    failed = [r for r in recs if not r.passed]
    if any(r.decision_on is not None for r in recs):
        return replace(base, stage=Window.DECIDED, start=None, due=None, rule=None, failed=len(failed))
    pending = next((r for r in recs if r.passed), None)
    if pending is not None:
        r = book.rule("recognition_decision_working_days", pending.resolution_on)
        ext = (book.rule("recognition_decision_extension_working_days", pending.resolution_on)
               if pending.extended else None)
        return replace(base, stage=Window.COMMITTEE, start=pending.resolution_on,
                       due=cal.add(pending.resolution_on, r.value + (ext.value if ext else 0)), rule=r,
                       extension=ext, failed=len(failed), pending=pending)
    if failed:
        limit = book.rule("recognition_failed_votes_to_superior", failed[-1].resolution_on)
        if len(failed) >= limit.value:
            start = failed[-1].resolution_on
            r = book.rule("recognition_decision_working_days", start)
            return replace(base, stage=Window.SUPERIOR, start=start, due=cal.add(start, r.value), rule=r,
                           failed=len(failed), failed_rule=limit)
    return replace(base, failed=len(failed))


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
            age = over_age(c, c.resolution_on, book)
            label = (_("The provincial standing committee's admission decision (over %(age)s: the province "
                       "decides)") % {"age": age.value} if age else _("The committee's admission decision"))
            return Next(label, due, r, due < today, _years(cal, c.resolution_on, due))
        if c.ceremony_on is None:
            start, received = ceremony_start(c)
            due, r = ceremony_due(start, cal, book)
            note = "" if received else _("Counted from the decision's date because the day the cell received it "
                                         "is not recorded; record it to count from that day.")
            return Next(_("The admission ceremony"), due, r, due < today, _years(cal, start, due), note)
    return Next("")
