"""What's due in an organisation's subtree: the member lifecycle's statutory dates, computed
from the members chibo holds, the rules in force (chibo.core.rules) and the working-day calendar.
Nothing is stored: every date is computed when the list is read.

A fixed number of queries whatever the number of members: the rules, the holidays, and one
query per kind of item (probationary members; badge candidates; months missed at meetings and
the members they concern; transfer letters not presented; temporary activities ending). The caller has checked with chibo.access that the user may list the
organisation's members (so the whole subtree is theirs to see)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from chibo.core.calendar import Calendar, due
from chibo.core.dates import add_years
from chibo.core.models import Holiday, Rule
from chibo.core.rules import RuleBook
from chibo.lifecycle import rules as lc
from chibo.lifecycle.models import TransferLetter
from chibo.meetings import selectors as meeting_selectors
from chibo.members.models import Membership, Status
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.recruitment import rules as recruitment_rules
from chibo.recruitment import selectors as recruitment_selectors

DEFAULT_DAYS = 30
MAX_DAYS = 366
BADGE_RULE_KEYS = ("badge_first_years", "badge_second_years", "badge_step_years", "badge_last_years")


class Kind:
    PROBATION_END = "probation_end"
    RECOGNITION = "recognition"
    RECOGNITION_DECISION = "recognition_decision"
    BADGE = "badge"
    REMOVAL_FLAG = "removal_flag"
    TRANSFER_PRESENT = "transfer_present"
    TEMPORARY_ENDS = "temporary_ends"

    LABELS = {
        PROBATION_END: _("probation ends"),
        RECOGNITION: _("recognition as official member to consider"),
        RECOGNITION_DECISION: _("the committee's decision on recognition"),
        BADGE: _("party badge due at the next occasion"),
        REMOVAL_FLAG: _("removal flag: meetings missed without reason"),
        TRANSFER_PRESENT: _("transfer letter to present"),
        TEMPORARY_ENDS: _("temporary activity ends"),
    }


class LifecycleCalendar(Calendar):
    """The working-day calendar, also knowing which days off are not announced yet (one query)."""

    def __init__(self) -> None:
        rows = list(Holiday.objects.values_list("date", "confirmed"))
        self.holidays = frozenset(d for d, _c in rows)
        self.years = {d.year for d in self.holidays}
        self.unconfirmed = frozenset(d for d, c in rows if not c)

    def unconfirmed_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Days off in (start, end] the Government has not announced yet."""
        return sorted(d for d in self.unconfirmed if start < d <= end)


@dataclass
class DueItem:
    kind: str
    membership: Membership
    date: dt.date
    rules: tuple[Rule, ...]  # the rule the date comes from first, then the rules it builds on
    start: dt.date | None = None  # the date counted from
    badge: lc.Badge | None = None
    party_age: lc.PartyAge | None = None  # for a badge: on the occasion
    unrecorded_years: tuple[int, ...] = ()  # years with no days off recorded in the count
    unconfirmed_days: tuple[dt.date, ...] = ()  # days off counted that are not announced yet
    missed_months: tuple[lc.MissedMonth, ...] = ()
    year: int | None = None  # for a removal flag
    letter: TransferLetter | None = None  # for a transfer letter or a temporary activity
    url: str = ""  # where to act, set by the view

    @property
    def label(self) -> str:
        return str(Kind.LABELS[self.kind])

    @property
    def rule(self) -> Rule:
        return self.rules[0]

    @property
    def unconfirmed(self) -> bool:
        return any(not r.confirmed for r in self.rules) or bool(self.unconfirmed_days or self.unrecorded_years)

    @property
    def occasion_name(self) -> str:
        return lc.BADGE_OCCASIONS.name_of(self.date) if self.kind == Kind.BADGE else ""

    @property
    def cell(self) -> Organisation:
        m = self.membership
        return m.cell or m.base or m.organisation


def _members(org: Organisation, *, lean: bool = False) -> QuerySet[Membership]:
    """Current members of the subtree (deceased, removed, expelled and transferred-out members are
    not current); an index range on (level, current, …). `lean`: the membership rows alone, for a
    count (their person and cells are not read)."""
    qs = Membership.objects.filter(current=True, **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})
    return qs.order_by() if lean else qs.select_related("person", "organisation", "cell", "base")


def _probation_items(org: Organisation, day: dt.date, horizon: dt.date, book: RuleBook,
                     cal: LifecycleCalendar, *, lean: bool = False) -> list[DueItem]:
    """Probationary members: the end of probation (admission + probation_months in force on the
    admission date) while it is ahead, then the recognition window running
    (recruitment.rules.recognition_window) when its last day falls before the horizon: the
    cell's (recognition_consider_working_days after the end) until the cell has passed its
    resolution, then the committee's decision (recognition_decision_working_days after the
    resolution, + the one-time extension when recorded), or the superior committee's after the
    cell's votes without two-thirds. Each is overdue only after its own window."""
    items = []
    members = list(_members(org, lean=lean).filter(status=Status.PROBATIONARY))
    recs = recruitment_selectors.recognitions_of(m.pk for m in members)
    for m in members:
        end = due("probation_months", m.admission_date, calendar=cal, book=book)
        if day <= end.date <= horizon:
            items.append(DueItem(Kind.PROBATION_END, m, end.date, (end.rule,), start=m.admission_date))
        w = recruitment_rules.recognition_window(m.admission_date, recs.get(m.pk, []), cal, book)
        if w.due is None or w.rule is None or w.start is None or w.due > horizon:
            continue
        kind = Kind.RECOGNITION if w.stage == recruitment_rules.Window.CELL else Kind.RECOGNITION_DECISION
        found = (w.rule, w.extension) if w.extension else (w.rule, end.rule) if kind == Kind.RECOGNITION else (w.rule,)
        items.append(DueItem(kind, m, w.due, found, start=w.start,
                             unrecorded_years=tuple(cal.missing_years(w.start, w.due)),
                             unconfirmed_days=tuple(cal.unconfirmed_between(w.start, w.due))))
    return items


def _badge_years(book: RuleBook, on: dt.date) -> tuple[lc.BadgeYears, tuple[Rule, ...]]:
    found = tuple(book.rule(k, on) for k in BADGE_RULE_KEYS)
    return lc.BadgeYears(*(r.value for r in found)), found


def badge_occasions(day: dt.date, days: int) -> list[dt.date]:
    """The next award occasion on or after `day`, and every other one in the next `days` days."""
    found = lc.BADGE_OCCASIONS.between(day, day + dt.timedelta(days=days))
    first = lc.BADGE_OCCASIONS.next_on_or_after(day)
    return found if found and found[0] == first else [first, *found]


def badge_items(org: Organisation, day: dt.date, occasions: list[dt.date], book: RuleBook) -> list[DueItem]:
    """Current members (exempt ones included: they still receive badges) whose party age reaches a
    badge milestone after the last occasion before `day` and by the last of `occasions`; each is
    due at the first occasion on or after the day it is reached. A milestone reached before the
    previous occasion is taken as considered then (chibo does not record badges awarded yet)."""
    after = lc.BADGE_OCCASIONS.previous_before(day)
    until = max(occasions)
    per_occasion = {o: _badge_years(book, o) for o in occasions}
    milestones = sorted({y for by, _r in per_occasion.values() for y in by.milestones()})
    if not milestones:
        return []
    # Without interruption the admission lies in (after − Y years, until − Y years]; a few days'
    # slack covers month ends. Interrupted members are read whenever they may qualify at all.
    # Party age counts from the admission decision, else the ceremony (Membership.party_age_start).
    window = Q(interrupted_months__gt=0, age_from__lte=add_years(until, -milestones[0]))
    for years in milestones:
        window |= Q(age_from__gt=add_years(after, -years) - dt.timedelta(days=4),
                    age_from__lte=add_years(until, -years))
    items = []
    members_ = _members(org).annotate(age_from=Coalesce("admission_decision_date", "admission_date")).filter(window)
    for m in members_:
        start = m.party_age_start
        for badge in lc.badges_reached_between(start, m.interrupted_months, after, until, milestones):
            occasion = lc.badge_occasion(badge.reached)
            by, badge_rules = per_occasion[occasion]
            if badge.years in by.milestones():
                items.append(DueItem(Kind.BADGE, m, occasion, badge_rules, start=start, badge=badge,
                                     party_age=lc.party_age(start, m.interrupted_months, occasion)))
    return items


def removal_items(org: Organisation, day: dt.date, book: RuleBook) -> list[DueItem]:
    """Current members with a removal flag (lc.removal_flag) in the calendar year of `day` (up
    to `day`) or the year before; the item's date is the day the flag was raised."""
    rows = meeting_selectors.unexcused_months(org, start=dt.date(day.year - 1, 1, 1), end=day)
    missed: dict[tuple[int, int], list[lc.MissedMonth]] = defaultdict(list)
    for r in rows:
        missed[(r["person_id"], r["year"])].append(lc.MissedMonth(r["month"], r["last"]))
    flags: dict[int, tuple[dt.date, int, Rule, list[lc.MissedMonth]]] = {}
    for (person_id, year), months in sorted(missed.items()):
        rule = book.rule("removal_absence_months", min(dt.date(year, 12, 31), day))
        raised = lc.removal_flag(months, rule.value)
        if raised is not None:
            flags[person_id] = (raised, year, rule, months)  # the later year wins
    if not flags:
        return []
    items = []
    for m in _members(org).filter(person_id__in=list(flags)):
        raised, year, rule, months = flags[m.person_id]
        items.append(DueItem(Kind.REMOVAL_FLAG, m, raised, (rule,), year=year, missed_months=tuple(months)))
    return items


def _letters(org: Organisation, *, lean: bool = False) -> QuerySet[TransferLetter]:
    """Letters of the subtree's current members, and letters addressed to a cell of the subtree
    (`lean`: with their membership row only, for a count)."""
    inside = Q(**{f"membership__{LEVEL_OF_KIND[org.kind]}_id": org.pk}, membership__current=True)
    addressed = Organisation.subtree_q(org, "other_organisation__")
    if lean:
        return TransferLetter.objects.filter(inside | addressed).select_related("membership").order_by()
    return TransferLetter.objects.filter(inside | addressed).select_related(
        "membership__person", "membership__organisation", "membership__cell", "membership__base",
        "other_organisation")


def _transfer_item(letter: TransferLetter, horizon: dt.date, book: RuleBook, cal: LifecycleCalendar) -> DueItem | None:
    found = due("transfer_present_days", letter.letter_date, calendar=cal, book=book)
    if found.date > horizon:
        return None
    return DueItem(Kind.TRANSFER_PRESENT, letter.membership, found.date, (found.rule,), start=letter.letter_date,
                   letter=letter)


def _temporary_item(letter: TransferLetter, book: RuleBook) -> DueItem:
    assert letter.temporary_end is not None
    key = "temporary_study_max_months" if letter.study else "temporary_transfer_max_months"
    return DueItem(Kind.TEMPORARY_ENDS, letter.membership, letter.temporary_end,
                   (book.rule(key, letter.letter_date),), start=letter.letter_date, letter=letter)


def _issued() -> Q:
    return Q(status=TransferLetter.State.ISSUED)


def _temporary_ending(horizon: dt.date) -> Q:
    return Q(kind=TransferLetter.Kind.TEMPORARY, temporary_end__lte=horizon) & ~Q(status=TransferLetter.State.ENDED)


def transfer_items(org: Organisation, horizon: dt.date, book: RuleBook,
                   cal: LifecycleCalendar | None = None, *, lean: bool = False) -> list[DueItem]:
    """Letters not presented yet: to be presented by the letter date + transfer_present_days (the
    rule in force on the letter date, in working days: one calendar for all). One query."""
    cal = cal or LifecycleCalendar()
    return [item for letter in _letters(org, lean=lean).filter(_issued())
            if (item := _transfer_item(letter, horizon, book, cal)) is not None]


def temporary_items(org: Organisation, horizon: dt.date, book: RuleBook, *, lean: bool = False) -> list[DueItem]:
    """Temporary activities not ended yet whose end date falls by the horizon, with the rule that
    bounds their length (study or residence/work). One query."""
    return [_temporary_item(letter, book) for letter in _letters(org, lean=lean).filter(_temporary_ending(horizon))]


# The kinds of the commune home's "what's due" (the procedures with a deadline): badges and removal
# flags are left to the full list (docs/decisions.md, "The commune home's counts").
PROCEDURES = "thu-tuc"  # What's due with ?nhom=thu-tuc: only these kinds and the candidates' steps
PROCEDURE_KINDS = frozenset({Kind.PROBATION_END, Kind.RECOGNITION, Kind.RECOGNITION_DECISION, Kind.TRANSFER_PRESENT,
                             Kind.TEMPORARY_ENDS})


def due_items(org: Organisation, day: dt.date, days: int = DEFAULT_DAYS, *, kinds: frozenset[str] | None = None,
              book: RuleBook | None = None, cal: LifecycleCalendar | None = None, lean: bool = False) -> list[DueItem]:
    """Everything with a statutory date in `org`'s subtree that is overdue (before `day`) or due in
    the next `days` days, by date: probation ends, recognitions to consider, badges due at the next
    award occasion (and the occasions in the next `days` days), and removal flags raised from
    meeting attendance, transfer letters not presented yet, and temporary activities ending —
    only the `kinds` given (default: all; a kind left out costs no query). `lean` items are for
    counting: their member's person and cells are not loaded (a home page's figure).
    Queries: the rules, the holidays, and one or two per kind — never per member."""
    book = book or RuleBook()
    cal = cal or LifecycleCalendar()
    horizon = day + dt.timedelta(days=days)
    wanted = set(Kind.LABELS) if kinds is None else set(kinds)
    items: list[DueItem] = []
    if wanted & {Kind.PROBATION_END, Kind.RECOGNITION, Kind.RECOGNITION_DECISION}:
        items += [i for i in _probation_items(org, day, horizon, book, cal, lean=lean) if i.kind in wanted]
    if Kind.BADGE in wanted:
        items += badge_items(org, day, badge_occasions(day, days), book)
    if Kind.REMOVAL_FLAG in wanted:
        items += removal_items(org, day, book)
    if Kind.TRANSFER_PRESENT in wanted:
        items += transfer_items(org, horizon, book, cal, lean=lean)
    if Kind.TEMPORARY_ENDS in wanted:
        items += temporary_items(org, horizon, book, lean=lean)
    items.sort(key=lambda i: (i.date, i.membership.sort_key, i.kind))
    return items


@dataclass
class CellDue:
    cell: Organisation
    commune: Organisation | None = None  # set by a page that spans communes
    overdue: list[DueItem] = field(default_factory=list)
    soon: list[DueItem] = field(default_factory=list)


def by_cell(items: list[DueItem], day: dt.date) -> list[CellDue]:
    """One list per cell, in the tree's order, each split into overdue (before `day`) and the rest."""
    groups: dict[int, CellDue] = {}
    for item in items:
        g = groups.setdefault(item.cell.pk, CellDue(item.cell))
        (g.overdue if item.date < day else g.soon).append(item)
    return sorted(groups.values(), key=lambda g: g.cell.path)


def badges_due(org: Organisation, day: dt.date) -> tuple[dt.date, tuple[Rule, ...], list[DueItem]]:
    """The next award occasion on or after `day`, the badge rules in force on it, and the members
    due a badge at it, by cell and name."""
    book = RuleBook()
    occasion = lc.BADGE_OCCASIONS.next_on_or_after(day)
    items = badge_items(org, day, [occasion], book)
    items.sort(key=lambda i: (i.cell.path, i.membership.sort_key))
    return occasion, _badge_years(book, occasion)[1], items
