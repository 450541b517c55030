"""Date helpers: Vietnamese dd/mm/yyyy and whole years/months between dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils import timezone

# Every date a person types (a birth, a decision, a deadline) lies in these years. Outside them
# a date is a typing slip, and the date arithmetic around it (a year back, a few months on)
# would leave the calendar's range at 01/01/0001 or 31/12/9999: forms and the API refuse it
# as a field error instead.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def in_range(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def today() -> dt.date:
    return timezone.localdate()


# How people write a date: 15/03/2026, 5/3/2026, 15-03-2026, 15.03.2026, 15032026 (a phone's
# number pad has no slash) and the ISO 2026-03-15 a browser's date box sends.
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def parse_vn_date(value: str) -> dt.date:
    """Read a date written dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, ddmmyyyy or yyyy-mm-dd
    (surrounding spaces ignored). The one parser for forms, filters, the API and the commands.
    Raises ValueError for anything else, including days that do not exist (31/02)."""
    text = str(value).strip()
    if match := _DMY.fullmatch(text):
        day, month, year = match.group(1), match.group(3), match.group(4)
    elif match := _COMPACT.fullmatch(text):
        day, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(value)
    return dt.date(int(year), int(month), int(day))


def format_vn_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29/02 becomes 28/02 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"year {year} is out of range")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_years(start: dt.date, end: dt.date) -> int:
    """Whole years from start to end (age on `end` of someone born on `start`)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def full_months(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months
