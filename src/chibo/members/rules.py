"""The member rules, without the database: plain functions over values, each with its message,
so that the forms and the API (members.services), the importer (exchange.importer) and the
data-quality checks (quality.checks) apply one rule and say the same thing.

- Who is counted in đảng số: probationary or official, and not here on temporary activity (a
  member on temporary activity is counted in their home cell); current: probationary or official.
- Dates: a date of birth from 1900, an admission from 1930, neither in the future; the person is
  at least the minimum age on the admission date, counted in months; the official date is on or
  after the end of probation (admission + the probation months in force on the admission date),
  not in the future; an official member has an official date, a probationary one has none yet;
  the admission decision is signed on or before the ceremony, within a year of it; a state a
  new record is in (exempt, temporary activity here, left the rolls) needs the day it began.
- Only official members are exempted. A post does not end before it starts.

The numbers of the regulations (minimum age, probation months) are passed in as the `Rule` in
force (core.rules), so a rule here never reads the rule book itself."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

from django.utils.translation import gettext as _

from chibo.core.dates import add_months, format_vn_date, full_months

PROBATIONARY, OFFICIAL = "probationary", "official"  # members.models.Status
CURRENT_STATUSES = (PROBATIONARY, OFFICIAL)
EARLIEST_BIRTH_YEAR = 1900
EARLIEST_ADMISSION_YEAR = 1930  # the party's founding
CITIZEN_ID_RE = re.compile(r"^\d{12}$")
PHONE_RE = re.compile(r"^\+?[\d .-]{8,15}$")


class Regulation(Protocol):
    """A number of a regulation in force (core.models.Rule): its value and citation."""
    value: int
    citation: str


# --- Who counts -------------------------------------------------------------------------------------

def is_current(status: str) -> bool:
    """On the rolls: probationary or official (Membership.current)."""
    return status in CURRENT_STATUSES


def is_counted(status: str, temporary: bool) -> bool:
    """Counted in đảng số: on the rolls, and not here on temporary activity (the home cell counts
    them). The rollups, the indicators and `Membership.objects.counted()` say the same."""
    return is_current(status) and not temporary


# --- Dates ------------------------------------------------------------------------------------------

def _known_date_error(day: dt.date | None, today: dt.date, earliest_year: int, messages: tuple[str, str, str]) -> str:
    missing, future, early = messages
    if day is None:
        return missing
    if day > today:
        return future
    return early if day.year < earliest_year else ""


def birth_date_error(birth: dt.date | None, today: dt.date) -> str:
    """What is wrong with a date of birth; "" when nothing is."""
    return _known_date_error(birth, today, EARLIEST_BIRTH_YEAR, (
        _("Enter the date of birth as dd/mm/yyyy."), _("The date of birth cannot be in the future."),
        _("The date of birth is too early; check the year.")))


def admission_date_error(admission: dt.date | None, today: dt.date) -> str:
    """What is wrong with an admission date on its own; "" when nothing is."""
    return _known_date_error(admission, today, EARLIEST_ADMISSION_YEAR, (
        _("Enter the admission date as dd/mm/yyyy."), _("The admission date cannot be in the future."),
        _("The admission date is too early; check the year.")))


def under_age(birth: dt.date, admission: dt.date, min_age_years: int) -> bool:
    """Under the minimum age on the admission date, counted in whole months."""
    return full_months(birth, admission) < min_age_years * 12


def admission_age_error(birth: dt.date | None, admission: dt.date, min_age: Regulation) -> str:
    """The person was under the minimum age (`admission_min_age` in force on the admission date)."""
    if birth is None or not under_age(birth, admission, min_age.value):
        return ""
    return _("The person was under %(age)s on the admission date (%(cite)s). Check the date of birth and the "
             "admission date.") % {"age": min_age.value, "cite": min_age.citation}


def probation_end(admission: dt.date, months: int) -> dt.date:
    """The day probation ends, the earliest official date: admission + the probation months in
    force on the admission date."""
    return add_months(admission, months)


def official_date_error(admission: dt.date, official: dt.date | None, probation: Regulation, today: dt.date) -> str:
    """What is wrong with the official date given the admission date; "" when nothing is."""
    if official is None:
        return ""
    earliest = probation_end(admission, probation.value)
    if official < earliest:
        return _("The official date must be at least %(months)s months after admission, on or after %(date)s "
                 "(%(cite)s).") % {"months": probation.value, "date": format_vn_date(earliest),
                                   "cite": probation.citation}
    if official > today:
        return _("The official date cannot be in the future.")
    return ""


def probation_overdue(status: str, admission: dt.date, months: int, day: dt.date) -> dt.date | None:
    """The day probation ended, when a probationary member is past it on `day` with no decision."""
    end = probation_end(admission, months)
    return end if status == PROBATIONARY and end < day else None


def needs_official_date(status: str | None, official: dt.date | None) -> bool:
    """An official member without the official date."""
    return status == OFFICIAL and official is None


def status_official_date_error(status: str | None, official: dt.date | None) -> str:
    """An official member has the official date; a probationary member has none yet."""
    if needs_official_date(status, official):
        return _("An official member needs the official date. Enter it, or set the status to probationary.")
    if status == PROBATIONARY and official is not None:
        return _("A probationary member has no official date yet. Clear it, or set the status to official.")
    return ""


def exempt_error(exempt: bool, status: str | None) -> str:
    """Only official members are exempted from party work and meetings."""
    if exempt and status != OFFICIAL:
        return _("Only official members can be exempted from party work and meetings.")
    return ""


def admission_decision_error(decided: dt.date | None, admission: dt.date | None) -> str:
    """What is wrong with the date the admission decision was signed, given the ceremony's; ""
    when nothing is."""
    if decided is None or admission is None:
        return ""
    if decided > admission:
        return _("The admission decision is signed before the ceremony: this date must be on or before the "
                 "admission date (%(date)s). Check both dates.") % {"date": format_vn_date(admission)}
    if decided < add_months(admission, -12):
        return _("The decision is more than a year before the ceremony, which follows it within weeks. Check "
                 "both dates.")
    return ""


def state_date_errors(*, status: str | None, admission: dt.date | None, official: dt.date | None,
                      exempt: bool, exempt_since: dt.date | None, temporary: bool, temporary_since: dt.date | None,
                      left_on: dt.date | None, today: dt.date) -> dict[str, str]:
    """What is wrong with the dates a new record's state began: an exemption, a temporary
    activity here and a departure each need the day they took effect, on or after the admission
    (an exemption: after becoming official), not in the future."""
    errors: dict[str, str] = {}

    def check(field: str, day: dt.date | None, given: bool, missing: str, after: dt.date | None, early: str) -> None:
        if not given:
            if day is not None:
                errors[field] = {
                    "exempt_since": _("A start date is given but the member is not marked exempt. Mark them exempt, "
                                      "or clear the date."),
                    "temporary_since": _("A start date is given but the member is not marked as on temporary "
                                         "activity here. Mark them, or clear the date."),
                    "left_on": _("A date of leaving is given but the status is a current one (probationary or "
                                 "official). Choose the status they left with, or clear the date."),
                }[field]
            return
        if day is None:
            errors[field] = missing
        elif day > today:
            errors[field] = _("This date is in the future. Record the change when it takes effect.")
        elif after is not None and day < after:
            errors[field] = early % {"date": format_vn_date(after)}

    check("exempt_since", exempt_since, exempt,
          _("Enter the day the exemption took effect (the date of the decision), as dd/mm/yyyy."),
          official, _("Only official members are exempted: the exemption starts on or after the official date "
                      "(%(date)s). Check both dates."))
    check("temporary_since", temporary_since, temporary,
          _("Enter the day the temporary activity here began (the day the letter was presented), as dd/mm/yyyy."),
          admission, _("The temporary activity cannot begin before the admission date (%(date)s). Check both dates."))
    leaving = status is not None and not is_current(status)
    known = [d for d in (admission, official, exempt_since if exempt else None, temporary_since) if d is not None]
    check("left_on", left_on, leaving,
          _("Enter the day the member left the rolls (transferred out, removed, expelled or deceased), as "
            "dd/mm/yyyy."),
          max(known) if any(d is not None for d in (admission, official, temporary_since)) else None,
          _("The member cannot leave before %(date)s, the latest date on their record. Check the dates."))
    if leaving and temporary:
        errors["temporary"] = _("A former member is not on temporary activity here. Clear this.")
    return errors


# --- Posts ------------------------------------------------------------------------------------------

def post_dates_error(start: dt.date, end: dt.date | None) -> str:
    """A post does not end before it starts (it may end on the day it starts: a post is held on
    its last day, see Post.objects.active_on)."""
    if end is not None and end < start:
        return _("The post cannot end before it starts (%(date)s). Check both dates.") % {
            "date": format_vn_date(start)}
    return ""
