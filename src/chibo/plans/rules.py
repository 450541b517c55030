"""The arithmetic of targets, in one place and without the database: progress towards a
target, its status against the time elapsed, and how a commune target rolls up from its
cells' targets. Every rolled-up figure is shown with `RollUp.explain()`, so anyone can redo
the sum (Decidim's users asked for exactly that; peers.md §3.2).

Progress is the share of the way from the baseline to the target that has been covered:
- at least:  (value − baseline) ÷ (target − baseline)   e.g. admit 30 members, 12 so far → 40 %
- at most:   (baseline − value) ÷ (baseline − target)   e.g. poor households 8 % → 2 %, now 5 % → 50 %
- exactly:   1 when the value is the target, else 1 − |value − target| ÷ |target − baseline|
- yes/no:    1 when done, else 0
Without a baseline, "at least" counts from 0 and "at most"/"exactly" are either met or not.
Progress may pass 1 ("exceeded"); it is never below 0.

Status compares progress with the progress expected by now, which grows evenly from the
period's start to its end, or from milestone to milestone where yearly milestones are set:
- achieved   progress ≥ 1;
- on track   progress ≥ expected − 5 points;
- at risk    progress ≥ ¾ of expected;
- off track  otherwise, and whenever the period is over without the target reached;
- no data    nothing measured yet.
These thresholds are chibo's own reading aid, not a regulation (docs/plans.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

ONE = Decimal(1)
ZERO = Decimal(0)
ON_TRACK_TOLERANCE = Decimal("0.05")
AT_RISK_SHARE = Decimal("0.75")


class Kind:
    COUNT = "count"
    PERCENT = "percent"
    AMOUNT = "amount"
    YESNO = "yesno"


class Direction:
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    EXACTLY = "exactly"


class RollUpRule:
    SUM = "sum"  # counts and amounts: the cells' figures add up
    MEAN = "mean"  # rates: the mean of the cells' rates, weighted by each cell's weight
    ALL = "all"  # yes/no: done when every cell is done
    NONE = "none"  # the parent is measured on its own


class Status:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


def progress(*, kind: str, direction: str, target: Decimal, value: Decimal,
             baseline: Decimal | None = None) -> Decimal:
    """The share of the way from baseline to target covered by `value` (≥ 0, may pass 1)."""
    if kind == Kind.YESNO:
        return ONE if value >= ONE else ZERO
    if direction == Direction.AT_LEAST:
        start = baseline if baseline is not None else ZERO
        if target <= start:
            return ONE if value >= target else ZERO
        return max(ZERO, (value - start) / (target - start))
    if direction == Direction.AT_MOST:
        if baseline is None or baseline <= target:
            return ONE if value <= target else ZERO
        return max(ZERO, (baseline - value) / (baseline - target))
    # exactly
    if value == target:
        return ONE
    if baseline is None or baseline == target:
        return ZERO
    return max(ZERO, ONE - abs(value - target) / abs(target - baseline))


@dataclass(frozen=True)
class Milestone:
    year: int
    value: Decimal


def expected_value(*, start: dt.date, end: dt.date, day: dt.date, target: Decimal,
                   baseline: Decimal | None, milestones: Sequence[Milestone] = ()) -> Decimal:
    """The value expected on `day`: straight lines from the baseline at `start`, through each
    milestone at the end of its year, to the target at `end`."""
    points: list[tuple[dt.date, Decimal]] = [(start, baseline if baseline is not None else ZERO)]
    for m in sorted(milestones, key=lambda m: m.year):
        year_end = dt.date(m.year, 12, 31)
        if start < year_end < end:
            points.append((year_end, m.value))
    points.append((end, target))
    if day <= start:
        return points[0][1]
    if day >= end:
        return target
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= day <= d1:
            span = (d1 - d0).days or 1
            return v0 + (v1 - v0) * Decimal((day - d0).days) / Decimal(span)
    return target  # pragma: no cover - the points cover [start, end]


def expected_progress(*, kind: str, direction: str, target: Decimal, baseline: Decimal | None,
                      start: dt.date, end: dt.date, day: dt.date,
                      milestones: Sequence[Milestone] = ()) -> Decimal | None:
    """The progress the time elapsed asks for on `day` (0 at the start, 1 at the end, along the
    milestones where set) — the marker on a progress bar. None for a yes/no target, which is
    done or not and is not behind before its end."""
    if kind == Kind.YESNO:
        return None
    value = expected_value(start=start, end=end, day=day, target=target, baseline=baseline, milestones=milestones)
    return progress(kind=kind, direction=direction, target=target, value=value, baseline=baseline)


def time_elapsed(*, start: dt.date, end: dt.date, day: dt.date) -> Decimal:
    """The share of the period from `start` to `end` gone by on `day` (0–1)."""
    if day <= start:
        return ZERO
    if day >= end:
        return ONE
    return Decimal((day - start).days) / Decimal((end - start).days or 1)


STATUS_ORDER = (Status.OFF_TRACK, Status.AT_RISK, Status.NO_DATA, Status.ON_TRACK, Status.ACHIEVED)


def behind_key(status: str, progress: Decimal | None, expected: Decimal | None) -> tuple[int, Decimal]:
    """A sort key putting the most behind first: off track, at risk, nothing reported, on track,
    achieved; within a status, the largest gap between the progress expected and the progress
    made first."""
    gap = (expected if expected is not None else ZERO) - (progress if progress is not None else ZERO)
    return STATUS_ORDER.index(status), -gap


def explain_progress(*, kind: str, direction: str, target: Decimal, value: Decimal | None,
                     baseline: Decimal | None) -> str:
    """The progress written out from the baseline, e.g. "(59,9 − 56) ÷ (91 − 56) = 11 %"
    ("" where there is nothing to work out: a yes/no target, no value, or a target that is
    only met or not)."""
    if value is None or kind == Kind.YESNO:
        return ""
    if direction == Direction.AT_LEAST:
        start = baseline if baseline is not None else ZERO
        if target <= start:
            return ""
        text = f"({_num(value)} − {_num(start)}) ÷ ({_num(target)} − {_num(start)})"
        raw = (value - start) / (target - start)
    elif baseline is None:
        return ""
    elif direction == Direction.AT_MOST:
        if baseline <= target:
            return ""
        text = f"({_num(baseline)} − {_num(value)}) ÷ ({_num(baseline)} − {_num(target)})"
        raw = (baseline - value) / (baseline - target)
    else:
        if baseline == target:
            return ""
        text = f"1 − |{_num(value)} − {_num(target)}| ÷ |{_num(target)} − {_num(baseline)}|"
        raw = ONE - abs(value - target) / abs(target - baseline)
    if raw < ZERO:  # progress is never below 0
        return f"{text} < 0 → 0 %"
    return f"{text} = {_num(raw * 100)} %"


def status(*, kind: str, direction: str, target: Decimal, baseline: Decimal | None, value: Decimal | None,
           start: dt.date, end: dt.date, day: dt.date, milestones: Sequence[Milestone] = ()) -> str:
    if value is None:
        return Status.NO_DATA
    done = progress(kind=kind, direction=direction, target=target, value=value, baseline=baseline)
    if done >= ONE:
        return Status.ACHIEVED
    if day >= end:  # the period is over and the target was not reached
        return Status.OFF_TRACK
    expected = expected_progress(kind=kind, direction=direction, target=target, baseline=baseline,
                                 start=start, end=end, day=day, milestones=milestones)
    return status_of(done=done, expected=expected, day=day, end=end)


def status_of(*, done: Decimal | None, expected: Decimal | None, day: dt.date, end: dt.date) -> str:
    """`status` from the progress made (None: no figure) and the progress expected by `day`
    (`expected_progress`), for a caller that has both already."""
    if done is None:
        return Status.NO_DATA
    if done >= ONE:
        return Status.ACHIEVED
    if day >= end:  # the period is over and the target was not reached
        return Status.OFF_TRACK
    if expected is None:  # yes/no: nothing between done and not done while time is left
        return Status.ON_TRACK
    if done >= expected - ON_TRACK_TOLERANCE:
        return Status.ON_TRACK
    if done >= expected * AT_RISK_SHARE:
        return Status.AT_RISK
    return Status.OFF_TRACK


@dataclass(frozen=True)
class Part:
    """One child target's contribution: its label, latest value and weight (rates)."""

    label: str
    value: Decimal | None
    weight: Decimal | None = None


@dataclass(frozen=True)
class RollUp:
    rule: str
    value: Decimal | None  # None when no part has a value yet
    parts: tuple[Part, ...]
    counted: int  # parts with a value

    @property
    def done(self) -> int:
        """How many parts are done (a yes/no part reported as 1)."""
        return sum(1 for p in self.parts if p.value is not None and p.value >= ONE)

    def explain(self) -> str:
        """The sum written out, e.g. "3 + 2 + 0 = 5 — 1 not reported yet"."""
        shown = [p for p in self.parts if p.value is not None]
        missing = len(self.parts) - len(shown)
        tail = (" — " + _("%(n)s not reported yet") % {"n": missing}) if missing else ""
        if self.value is None:
            return _("No figures yet") + tail
        if self.rule == RollUpRule.SUM:
            return " + ".join(_num(p.value) for p in shown) + f" = {_num(self.value)}" + tail
        if self.rule == RollUpRule.MEAN:
            terms = " + ".join(f"{_num(p.value)} × {_num(p.weight)}" for p in shown if p.weight)
            weights = " + ".join(_num(p.weight) for p in shown if p.weight)
            return f"({terms}) ÷ ({weights}) = {_num(self.value)}" + tail
        if self.rule == RollUpRule.ALL:
            done = sum(1 for p in shown if p.value is not None and p.value >= ONE)
            return _("%(done)s of %(n)s done") % {"done": done, "n": len(self.parts)} + tail
        return ""


def roll_up(rule: str, parts: Sequence[Part]) -> RollUp:
    """Combine the children's latest values by the target's rule. Parts without a value
    are left out of the figure and counted as not yet reported; for ALL they count as not
    done. A MEAN part without a weight is left out (its weight is what makes it comparable)."""
    valued = [p for p in parts if p.value is not None]
    value: Decimal | None
    if rule == RollUpRule.SUM:
        value = sum((p.value for p in valued if p.value is not None), ZERO) if valued else None
    elif rule == RollUpRule.MEAN:
        weighted = [(p.value, p.weight) for p in valued if p.value is not None and p.weight]
        total = sum((w for _v, w in weighted if w is not None), ZERO)
        value = (sum((v * w for v, w in weighted if v is not None and w is not None), ZERO) / total
                 if total else None)
    elif rule == RollUpRule.ALL:
        value = (ONE if parts and all(p.value is not None and p.value >= ONE for p in parts) else ZERO) \
            if valued else None
    else:
        value = None
    return RollUp(rule=rule, value=value, parts=tuple(parts), counted=len(valued))


def _num(value: Decimal | None) -> str:
    """A number as Vietnamese readers write it: 1.234,5 (at most 2 decimals, no trailing 0)."""
    if value is None:
        return "—"
    q = value.quantize(Decimal("0.01")).normalize()
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return sign + grouped + ("," + frac if frac else "")
