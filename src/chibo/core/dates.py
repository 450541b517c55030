"""Date helpers: Vietnamese dd/mm/yyyy and whole years/months between dates."""

from __future__ import annotations

import calendar
import datetime as dt

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


def parse_vn_date(value: str) -> dt.date:
    """Parse dd/mm/yyyy (also dd-mm-yyyy and ISO yyyy-mm-dd). Raises ValueError."""
    value = value.strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


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
