"""The arithmetic of meetings, without the database: which meetings a cell must hold in a
period, whether a meeting had its quorum, whether a vote passed by the majority its kind
needs, and whether materials went out early enough. The numbers are rules with citations
(core.Rule, keys in RULE_KEYS; domain-rules.md §3):

- a regular cell meeting every month, and a cell committee meeting every month where the cell
  has a committee (Điều lệ Đảng, Điều 24);
- a thematic meeting at least once a quarter (HD 12-HD/BTCTW 2018; its frequency under HD
  42-HD/BTCTW 2025 is unconfirmed, so it is a configurable rule marked unconfirmed);
- materials posted at least one day before (HD 42-HD/BTCTW 2025);
- at least 90 minutes, 120 when a thematic part is held with the regular meeting (CT 50-CT/TW,
  HD 42-HD/BTCTW 2025);
- a meeting is valid when more than half of the members called are present (unconfirmed);
- a vote counts against the **official members called** (đảng viên chính thức được triệu tập,
  QĐ 24-QĐ/TW 2021 §9.3.2, restated in QĐ 294-QĐ/TW 2025): a resolution needs more than half of
  them voting for, admission and recognition two-thirds (Điều lệ Đảng, Điều 4, 5), removal of an
  official member two-thirds by a rule no text was found for (marked unconfirmed). Left out of
  the official members called: members on temporary activity elsewhere, suspended or prosecuted
  members, absences the committee approved, and exempt members unless they attend and vote.
  Probationary members and members here on temporary activity have no vote (Điều lệ, Điều 3;
  QĐ 232/294 §6.3.2) — `roll` does that arithmetic from the attendance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

RULE_KEYS = {
    "regular": "meeting_regular_every_months",
    "committee": "meeting_committee_every_months",
    "thematic": "meeting_thematic_every_months",
    "lead_days": "meeting_materials_lead_days",
    "min_minutes": "meeting_min_minutes",
    "combined_min_minutes": "meeting_combined_min_minutes",
    "quorum_pct": "meeting_quorum_more_than_pct",
    "general_pct": "vote_general_more_than_pct",
    "special_num": "vote_special_numerator",
    "special_den": "vote_special_denominator",
    "removal_num": "vote_removal_numerator",
    "removal_den": "vote_removal_denominator",
}
SPECIAL_KINDS = {"admission", "recognition", "removal"}
# Why an official member of the cell is left out of the official members called.
EXCLUSIONS = ("temporary_elsewhere", "suspended", "prosecuted", "approved_absence")


def left_out_label(reason: str) -> str:
    """What a reason in Roll.left_out means, for the page and the minutes."""
    return {
        "exempt": _("exempt from party activity, did not attend and vote"),
        "temporary_here": _("here on temporary activity: no vote here"),
        "temporary_elsewhere": _("on temporary activity elsewhere"),
        "suspended": _("suspended from party activity"),
        "prosecuted": _("prosecuted, indicted or in temporary detention"),
        "approved_absence": _("absent with the committee's approval"),
    }.get(reason, reason)


@dataclass(frozen=True)
class Cadence:
    regular_months: int = 1
    committee_months: int = 1
    thematic_months: int = 3


@dataclass(frozen=True)
class Required:
    """One meeting a cell must hold: its kind and the period it must fall in."""
    kind: str  # "regular" | "committee" | "thematic"
    start: dt.date
    end: dt.date  # inclusive


def _periods(start: dt.date, end: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """Calendar periods of `months` months (aligned on January) that end within [start, end]:
    a period still running at `end` is not yet required."""
    out = []
    year, month = start.year, ((start.month - 1) // months) * months + 1
    while True:
        first = dt.date(year, month, 1)
        nxt_month = month + months
        nxt = dt.date(year + (nxt_month - 1) // 12, (nxt_month - 1) % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        if first > end:
            break
        if last <= end and last >= start:
            out.append((first, last))
        year, month = nxt.year, nxt.month
    return out


def required(*, start: dt.date, end: dt.date, has_committee: bool, cadence: Cadence) -> list[Required]:
    """The meetings a cell had to hold in the periods that ended between `start` and `end`."""
    out = [Required("regular", a, b) for a, b in _periods(start, end, cadence.regular_months)]
    if has_committee:
        out += [Required("committee", a, b) for a, b in _periods(start, end, cadence.committee_months)]
    out += [Required("thematic", a, b) for a, b in _periods(start, end, cadence.thematic_months)]
    return sorted(out, key=lambda r: (r.start, r.kind))


@dataclass(frozen=True)
class Held:
    kind: str
    date: dt.date
    thematic: bool  # a thematic meeting, or a regular one with a thematic part


def satisfies(req: Required, held: Held) -> bool:
    if not req.start <= held.date <= req.end:
        return False
    if req.kind == "thematic":
        return held.thematic
    if req.kind == "regular":
        return held.kind == "regular"
    return held.kind == "committee"


def missing(reqs: Iterable[Required], held: Iterable[Held]) -> list[Required]:
    meetings = list(held)
    return [r for r in reqs if not any(satisfies(r, h) for h in meetings)]


@dataclass(frozen=True)
class Quorum:
    called: int
    present: int
    share_pct: float | None
    valid: bool

    def explain(self) -> str:
        return _("%(present)s of %(called)s members called are present (%(pct)s%%): %(verdict)s") % {
            "present": self.present, "called": self.called,
            "pct": "—" if self.share_pct is None else f"{self.share_pct:.0f}",
            "verdict": _("more than half, the meeting is valid") if self.valid
            else _("not more than half, the meeting has no quorum")}


def quorum(*, called: int, present: int, more_than_pct: int = 50) -> Quorum:
    """Valid when present × 100 > called × more_than_pct (more than half by default)."""
    return Quorum(called=called, present=present, share_pct=None if not called else 100 * present / called,
                  valid=called > 0 and present * 100 > called * more_than_pct)


@dataclass(frozen=True)
class Seat:
    """One member of the cell on a meeting's roll, as the vote arithmetic sees them."""
    name: str
    official: bool
    came: bool
    temporary: bool = False  # here on temporary activity: no vote here, not counted here
    exempt: bool = False  # exempt from party activity: counted only when they attend and vote
    voted: bool = False  # an exempt member who attended and voted
    excluded: str = ""  # one of EXCLUSIONS: left out of the official members called
    note: str = ""


@dataclass(frozen=True)
class Roll:
    """The members a meeting counts. `called`/`present` are for the quorum (every member called,
    official or probationary, less those left out); `official_called` is the denominator of the
    votes; `voters` the official members with a vote who are present, the most votes that can
    be cast; `left_out` the official members not counted, (name, reason, note)."""
    called: int
    present: int
    official_called: int
    voters: int
    probationary_present: int
    temporary_present: int
    left_out: tuple[tuple[str, str, str], ...]

    def left_out_text(self) -> str:
        """"1 on temporary activity elsewhere (Nguyễn Văn A); 1 exempt … (Trần Thị B)"."""
        return left_out_text([{"name": n, "reason": r, "note": t} for n, r, t in self.left_out])


def left_out_text(rows: Iterable[dict[str, str]]) -> str:
    groups: dict[str, list[str]] = {}
    for row in rows:
        name = row.get("name", "") + (f" — {row['note']}" if row.get("note") else "")
        groups.setdefault(row.get("reason", ""), []).append(name)
    return "; ".join(f"{len(names)} {left_out_label(reason)} ({', '.join(names)})" for reason, names in groups.items())


def roll(seats: Iterable[Seat]) -> Roll:
    called = present = official_called = voters = prob_present = temp_present = 0
    left_out: list[tuple[str, str, str]] = []
    for s in seats:
        if s.excluded:
            if s.official:
                left_out.append((s.name, s.excluded, s.note))
            continue
        if s.exempt and not s.came:
            if s.official:
                left_out.append((s.name, "exempt", s.note))
            continue
        called += 1
        present += s.came
        if not s.official:
            prob_present += s.came
            continue
        if s.temporary:
            temp_present += s.came
            left_out.append((s.name, "temporary_here", s.note))
            continue
        if s.exempt and not s.voted:
            left_out.append((s.name, "exempt", s.note))
            continue
        official_called += 1
        voters += s.came
    return Roll(called=called, present=present, official_called=official_called, voters=voters,
                probationary_present=prob_present, temporary_present=temp_present, left_out=tuple(left_out))


@dataclass(frozen=True)
class VoteResult:
    passed: bool
    basis: str  # the arithmetic, written out so anyone can check it
    error: str = ""  # set when the figures cannot be right (more votes than people who may vote)
    need: int = 0  # the fewest votes for that pass


def need_for(*, kind: str, official: int, num: int = 2, den: int = 3, more_than_pct: int = 50) -> int:
    """The fewest votes for that pass: more than `more_than_pct` % of the official members called
    for a general decision; at least num/den of them for the special kinds."""
    if kind in SPECIAL_KINDS:
        return -(-official * num // den)  # the smallest whole number ≥ official × num / den
    return official * more_than_pct // 100 + 1


def vote_result(*, kind: str, votes_for: int, against: int, abstain: int, present: int, official: int,
                num: int = 2, den: int = 3, more_than_pct: int = 50) -> VoteResult:
    """`official` is the number of official members called (the denominator, members left out
    already taken away); `present` the official members present who may vote. A general
    decision passes with more than half (`more_than_pct`) of `official` voting for; admission,
    recognition and removal need at least num/den (two-thirds) of them. More votes cast than
    members who may vote is an error, not a result."""
    cast = votes_for + against + abstain
    if cast > present:
        return VoteResult(False, "", _("%(cast)s votes were recorded but only %(present)s official members with a "
                                       "vote are present (probationary members and members here on temporary "
                                       "activity do not vote). Check the counts.") % {"cast": cast, "present": present})
    need = need_for(kind=kind, official=official, num=num, den=den, more_than_pct=more_than_pct)
    if kind in SPECIAL_KINDS:
        passed = official > 0 and votes_for * den >= official * num
        basis = _("%(for)s for, out of %(official)s official members: %(need)s needed (%(num)s/%(den)s) — "
                  "%(verdict)s") % {"for": votes_for, "official": official, "need": need, "num": num, "den": den,
                                    "verdict": _("passed") if passed else _("not passed")}
        return VoteResult(passed, basis, need=need)
    passed = official > 0 and votes_for * 100 > official * more_than_pct
    basis = _("%(for)s for, out of %(official)s official members called: more than %(pct)s%% needed, at least "
              "%(need)s — %(verdict)s") % {"for": votes_for, "official": official, "pct": more_than_pct, "need": need,
                                          "verdict": _("passed") if passed else _("not passed")}
    return VoteResult(passed, basis, need=need)


def materials_late(*, published: dt.datetime, meeting_starts: dt.datetime, lead_days: int = 1) -> bool:
    """Materials must be out at least `lead_days` days (24 h each) before the meeting starts."""
    return meeting_starts - published < dt.timedelta(days=lead_days)


def too_short(*, start: dt.time, end: dt.time, combined: bool, min_minutes: int = 90,
              combined_min_minutes: int = 120) -> int | None:
    """The minimum length in minutes when the meeting was shorter than it, else None."""
    minutes = (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds // 60
    floor = combined_min_minutes if combined else min_minutes
    return floor if minutes < floor else None
