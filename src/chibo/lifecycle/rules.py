"""The arithmetic of the member lifecycle, without the database (so hypothesis can test it):
party age, the party badges' milestones, the badge award occasions, and the removal flag raised
from meeting attendance. The numbers come from the Rule table (chibo.core.rules), passed in by
the caller; only the award occasions, which are calendar days and not numbers, are data here.

Party age (tuổi đảng) is counted from the date written in the admission decision, less the
months of interrupted membership (domain-rules.md §2.6 — reference confidence "medium": the
subtraction of interruptions is background, not a text that was seen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from chibo.core.dates import add_months, full_months

# --- Party age -----------------------------------------------------------------------------

PARTY_AGE_NOTE = ("Tuổi đảng tính từ ngày ghi trong quyết định kết nạp, trừ số tháng sinh hoạt đảng bị gián đoạn. "
                  "Cách tính theo tài liệu nghiệp vụ (mức tin cậy trung bình); việc trừ thời gian gián đoạn "
                  "chưa đối chiếu được với văn bản gốc.")


@dataclass(frozen=True, order=True)
class PartyAge:
    """Whole months of party age; `years` and `months` split them for display (30 năm 4 tháng)."""
    total_months: int

    @property
    def years(self) -> int:
        return self.total_months // 12

    @property
    def months(self) -> int:
        return self.total_months % 12


def party_age(admission: dt.date, interrupted_months: int, on: dt.date) -> PartyAge:
    """Party age on `on`: whole months from the admission date to `on`, less the interrupted
    months, never below zero."""
    return PartyAge(max(full_months(admission, on) - interrupted_months, 0))


def party_age_reached(admission: dt.date, interrupted_months: int, years: int) -> dt.date:
    """The first day on which the party age is `years` whole years: the same calendar day
    12 × years + interrupted months after the admission (a day that does not exist in the
    target month — 31/01 → February — moves to the first day on which the month is complete)."""
    months = 12 * years + interrupted_months
    day = add_months(admission, months)
    while full_months(admission, day) < months:
        day += dt.timedelta(days=1)
    return day


# --- Party badges ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BadgeYears:
    """The milestones of the party badge, from the rules badge_first_years (30),
    badge_second_years (40), badge_step_years (5) and badge_last_years (90): 30, 40, 45, …, 90
    (HD 01-HD/TW 2021, điểm 18)."""
    first: int
    second: int
    step: int
    last: int

    def milestones(self) -> list[int]:
        return [self.first, *range(self.second, self.last + 1, self.step)] if self.step > 0 else [self.first]


@dataclass(frozen=True)
class Badge:
    years: int
    reached: dt.date  # the day the party age reaches `years`


def next_badge(admission: dt.date, interrupted_months: int, on: dt.date, badge_years: BadgeYears) -> Badge | None:
    """The first badge milestone reached on or after `on` (None after the last one)."""
    for years in badge_years.milestones():
        reached = party_age_reached(admission, interrupted_months, years)
        if reached >= on:
            return Badge(years, reached)
    return None


def badges_reached_between(admission: dt.date, interrupted_months: int, after: dt.date, until: dt.date,
                           milestones: Iterable[int]) -> list[Badge]:
    """The milestones (in years of party age) reached in (after, until]."""
    out = []
    for years in milestones:
        reached = party_age_reached(admission, interrupted_months, years)
        if after < reached <= until:
            out.append(Badge(years, reached))
    return out


@dataclass(frozen=True)
class Occasion:
    month: int
    day: int
    name: str

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)


@dataclass(frozen=True)
class Occasions:
    """Days on which party badges are awarded, with the text that sets them."""
    citation: str
    days: tuple[Occasion, ...]

    def next_on_or_after(self, day: dt.date) -> dt.date:
        for year in (day.year, day.year + 1):
            for o in self.days:
                if o.in_year(year) >= day:
                    return o.in_year(year)
        raise ValueError("no occasions")  # pragma: no cover

    def previous_before(self, day: dt.date) -> dt.date:
        for year in (day.year, day.year - 1):
            for o in reversed(self.days):
                if o.in_year(year) < day:
                    return o.in_year(year)
        raise ValueError("no occasions")  # pragma: no cover

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The occasions in [start, end]."""
        out, day = [], start
        while (nxt := self.next_on_or_after(day)) <= end:
            out.append(nxt)
            day = nxt + dt.timedelta(days=1)
        return out

    def name_of(self, day: dt.date) -> str:
        return next((o.name for o in self.days if (o.month, o.day) == (day.month, day.day)), "")


# The award dates of the party badge: the Party's major anniversaries (HD 01-HD/TW 2021,
# điểm 18; domain-rules.md §5.4). Other important occasions and exceptions are decided by the
# provincial standing committee and are not listed. In calendar order.
BADGE_OCCASIONS = Occasions(
    citation="Hướng dẫn 01-HD/TW (2021), điểm 18 — chưa đối chiếu với Hướng dẫn 06-HD/TW (2025)",
    days=(
        Occasion(2, 3, "Ngày thành lập Đảng Cộng sản Việt Nam (3/2)"),
        Occasion(5, 19, "Ngày sinh Chủ tịch Hồ Chí Minh (19/5)"),
        Occasion(9, 2, "Quốc khánh (2/9)"),
        Occasion(11, 7, "Ngày Cách mạng Tháng Mười Nga (7/11)"),
    ),
)


def badge_occasion(reached: dt.date, occasions: Occasions = BADGE_OCCASIONS) -> dt.date:
    """The occasion at which a badge reached on `reached` is awarded: the first on or after it."""
    return occasions.next_on_or_after(reached)


# --- Removal flag from meeting attendance -------------------------------------------------------

@dataclass(frozen=True)
class MissedMonth:
    month: int  # 1–12 of the year looked at
    last_meeting: dt.date  # the last held meeting of that month the member was called to


def removal_flag(missed: Iterable[MissedMonth], threshold_months: int) -> dt.date | None:
    """The removal flag (xóa tên, ground 1 of QĐ 29-QĐ/TW điểm 8.1: "stopped attending party
    activity for 3 months within a year without good reason"; rule removal_absence_months).

    Precisely: for one member and one calendar year, a *missed month* is a calendar month in
    which the member's cell held at least one meeting (status "held") that the member was
    called to as a member of the cell, and the member's attendance at **every** such meeting of
    that month is recorded as "absent without reason". A month with no held meeting, with any
    meeting attended (present or late) or excused, or with attendance not recorded, is not
    missed. The flag is raised when the year has `threshold_months` or more missed months
    (they need not be consecutive); its date is the last meeting of the month that reached the
    threshold. Returns that date, or None. It is a flag for the cell to look at, never a
    decision: the cell proposes removal and the competent committee decides."""
    months = sorted(missed, key=lambda m: m.last_meeting)
    if threshold_months <= 0 or len(months) < threshold_months:
        return None
    return months[threshold_months - 1].last_meeting


def month_windows(year: int, until: dt.date) -> tuple[dt.date, dt.date]:
    """The part of calendar year `year` up to `until` (the period the flag looks at)."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), until)

