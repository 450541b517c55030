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
- admission, recognition and removal need two-thirds of the official members; other decisions
  a majority of those present. Exempt members are not called and not counted."""

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
    "special_num": "vote_special_numerator",
    "special_den": "vote_special_denominator",
}
SPECIAL_KINDS = {"admission", "recognition", "removal"}


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
class VoteResult:
    passed: bool
    basis: str  # the arithmetic, written out so anyone can check it
    error: str = ""  # set when the figures cannot be right (more votes than people present)


def vote_result(*, kind: str, votes_for: int, against: int, abstain: int, present: int, official: int,
                num: int = 2, den: int = 3) -> VoteResult:
    """A general decision passes with more votes for than half of those present; admission,
    recognition and removal need at least num/den (two-thirds) of the official members
    (exempt ones not counted) voting for."""
    cast = votes_for + against + abstain
    if cast > present:
        return VoteResult(False, "", _("%(cast)s votes were recorded but only %(present)s members are present. "
                                       "Check the counts.") % {"cast": cast, "present": present})
    if kind in SPECIAL_KINDS:
        need = -(-official * num // den)  # the smallest whole number ≥ official × num / den
        passed = official > 0 and votes_for * den >= official * num
        basis = _("%(for)s for, out of %(official)s official members: %(need)s needed (%(num)s/%(den)s) — "
                  "%(verdict)s") % {"for": votes_for, "official": official, "need": need, "num": num, "den": den,
                                    "verdict": _("passed") if passed else _("not passed")}
        return VoteResult(passed, basis)
    need = present // 2 + 1
    passed = present > 0 and votes_for * 2 > present
    basis = _("%(for)s for, out of %(present)s present: more than half (%(need)s) needed — %(verdict)s") % {
        "for": votes_for, "present": present, "need": need, "verdict": _("passed") if passed else _("not passed")}
    return VoteResult(passed, basis)


def materials_late(*, published: dt.datetime, meeting_starts: dt.datetime, lead_days: int = 1) -> bool:
    """Materials must be out at least `lead_days` days (24 h each) before the meeting starts."""
    return meeting_starts - published < dt.timedelta(days=lead_days)


def too_short(*, start: dt.time, end: dt.time, combined: bool, min_minutes: int = 90,
              combined_min_minutes: int = 120) -> int | None:
    """The minimum length in minutes when the meeting was shorter than it, else None."""
    minutes = (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds // 60
    floor = combined_min_minutes if combined else min_minutes
    return floor if minutes < floor else None
