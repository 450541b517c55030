"""Working days: Monday to Friday, except the holidays in the Holiday table. Statutory time
limits counted in working days (domain-rules.md §2.5, §2.6) are computed here.

"Within N working days from D" ends on the N-th working day after D (D itself is not
counted): a decision due 60 working days after a cell resolution of Thursday 15/01/2026 is due
on the 60th working day from Friday 16/01/2026, Tết's days off not counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from chibo.core.dates import add_months, add_years
from chibo.core.models import Holiday, Rule
from chibo.core.rules import RuleBook, rule

SATURDAY = 5


def is_working_day(day: dt.date, holidays: frozenset[dt.date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: dt.date, n: int, holidays: Iterable[dt.date]) -> dt.date:
    """The n-th working day after `start` (n ≥ 1), or `start` itself for n = 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    off = frozenset(holidays)
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date]) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start)."""
    off = frozenset(holidays)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count


class Calendar:
    """The holidays loaded once; `add(start, n)` like add_working_days. Years without any
    holiday recorded are reported by `missing_years`, so a deadline computed in an unfilled year
    can say so instead of silently counting Tết as working days."""

    def __init__(self) -> None:
        self.holidays = frozenset(Holiday.objects.values_list("date", flat=True))
        self.years = {d.year for d in self.holidays}

    def add(self, start: dt.date, n: int) -> dt.date:
        return add_working_days(start, n, self.holidays)

    def between(self, start: dt.date, end: dt.date) -> int:
        return working_days_between(start, end, self.holidays)

    def missing_years(self, start: dt.date, end: dt.date) -> list[int]:
        return [y for y in range(start.year, end.year + 1) if y not in self.years]


@dataclass(frozen=True)
class Due:
    """A date computed from a rule, with the rule (its citation and whether it is confirmed)
    and the years whose days off were not recorded when it was computed."""
    date: dt.date
    rule: Rule
    unrecorded_years: tuple[int, ...] = ()


def due(key: str, start: dt.date, *, calendar: Calendar | None = None, book: RuleBook | None = None) -> Due:
    """`start` plus the rule `key` in force on `start` (a later version of the rule does not move
    a date whose count had already begun)."""
    r = book.rule(key, start) if book is not None else rule(key, start)
    if r.unit == Rule.Unit.WORKING_DAYS:
        cal = calendar or Calendar()
        end = cal.add(start, r.value)
        return Due(end, r, tuple(cal.missing_years(start, end)))
    if r.unit == Rule.Unit.DAYS:
        return Due(start + dt.timedelta(days=r.value), r)
    if r.unit == Rule.Unit.MONTHS:
        return Due(add_months(start, r.value), r)
    if r.unit == Rule.Unit.YEARS:
        return Due(add_years(start, r.value), r)
    raise ValueError(f"rule {key!r} is not a length of time ({r.unit})")


# --- A year's days off proposed from Vietnam's public-holiday calendar ----------------------------

# The source written on the days an administrator takes from the proposal.
PROPOSAL_SOURCE = "Lịch ngày lễ Việt Nam (thư viện holidays), quản trị viên đối chiếu với thông báo chính thức"


@dataclass(frozen=True)
class ProposedDay:
    """A weekday off in Vietnam's calendar for the year, and the day recorded on that date, if any."""
    date: dt.date
    name: str
    stored: Holiday | None

    @property
    def recorded(self) -> bool:
        return self.stored is not None


@dataclass(frozen=True)
class Proposal:
    """The calendar's weekdays off for `year` beside what chibo records: `days` (each marked
    recorded or not) and `only_here`, the days recorded that the calendar does not have (such
    as the Tết bridge days the Prime Minister announces). The administrator's word wins: the
    proposal only adds days not recorded yet."""
    year: int
    days: list[ProposedDay]
    only_here: list[Holiday]

    @property
    def new(self) -> list[ProposedDay]:
        return [d for d in self.days if not d.recorded]

    @property
    def differs(self) -> bool:
        return bool(self.new or self.only_here)


def calendar_days_off(year: int) -> dict[dt.date, str]:
    """Vietnam's public holidays of `year` that fall on a weekday (with the days given in place of
    those on a weekend), named in Vietnamese, from the `holidays` package. Computed from the
    Labour Code and the lunar calendar: the Government's announcement may differ."""
    import holidays

    days = holidays.country_holidays("VN", years=year, language="vi")
    return {day: name for day, name in sorted(days.items()) if day.weekday() < SATURDAY}


def propose_days_off(year: int) -> Proposal:
    calendar = calendar_days_off(year)
    stored = {h.date: h for h in Holiday.objects.filter(date__year=year)}
    return Proposal(year=year, days=[ProposedDay(day, name, stored.get(day)) for day, name in calendar.items()],
                    only_here=[h for day, h in sorted(stored.items()) if day not in calendar])
