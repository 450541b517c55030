"""Reads for plans: the current figure of each target — measured, or added up from its
parts by its roll-up rule — with its progress and status, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from chibo.core.dates import today
from chibo.plans import rules
from chibo.plans.models import Measurement, Milestone, Target


@dataclass
class Figure:
    target: Target
    value: Decimal | None
    measured_on: dt.date | None
    roll_up: rules.RollUp | None  # set when the value is added up from the parts
    progress: Decimal | None
    status: str

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else int((self.progress * 100).to_integral_value())


def figures(targets: Iterable[Target], day: dt.date | None = None) -> dict[int, Figure]:
    """Figures for these targets and all their parts (keyed by target id)."""
    day = day or today()
    by_id: dict[int, Target] = {t.pk: t for t in targets}
    children: dict[int, list[Target]] = defaultdict(list)
    level = list(by_id)
    while level:  # parts of parts, one query per level (a commune → cells → party groups: three)
        found = list(Target.objects.filter(parent__in=level).select_related("organisation", "resolution"))
        level = [t.pk for t in found if t.pk not in by_id]
        for t in found:
            by_id.setdefault(t.pk, t)
            children[t.parent_id or 0].append(t)
    latest: dict[int, Measurement] = {}
    for m in Measurement.objects.filter(target__in=list(by_id)).order_by("target_id", "-measured_on", "-id"):
        latest.setdefault(m.target_id, m)
    milestones: dict[int, list[rules.Milestone]] = defaultdict(list)
    for ms in Milestone.objects.filter(target__in=list(by_id)):
        milestones[ms.target_id].append(rules.Milestone(ms.year, ms.value))

    out: dict[int, Figure] = {}

    def figure(t: Target) -> Figure:
        if t.pk in out:
            return out[t.pk]
        parts = sorted(children.get(t.pk, []), key=lambda p: (p.position, p.pk))
        combined: rules.RollUp | None = None
        if parts and t.roll_up != Target.RollUp.NONE:
            part_figures = [figure(p) for p in parts]
            combined = rules.roll_up(t.roll_up, [
                rules.Part(p.organisation.name, f.value, p.weight) for p, f in zip(parts, part_figures, strict=True)])
            value = combined.value
            dates = [f.measured_on for f in part_figures if f.measured_on]
            measured_on = max(dates) if dates else None
        else:
            m = latest.get(t.pk)
            value, measured_on = (m.value, m.measured_on) if m else (None, None)
        res = t.resolution
        progress = None if value is None else rules.progress(
            kind=t.kind, direction=t.direction, target=t.target_value, value=value, baseline=t.baseline_value)
        state = rules.status(kind=t.kind, direction=t.direction, target=t.target_value, baseline=t.baseline_value,
                             value=value, start=res.start, end=res.end, day=day, milestones=milestones.get(t.pk, ()))
        out[t.pk] = Figure(target=t, value=value, measured_on=measured_on, roll_up=combined, progress=progress,
                           status=state)
        return out[t.pk]

    for t in list(by_id.values()):
        figure(t)
    return out


def parts_of(target: Target) -> list[Target]:
    return list(target.parts.select_related("organisation").order_by("position", "id"))


def history(target: Target) -> list[Measurement]:
    return list(target.measurements.select_related("reported_by").order_by("measured_on", "id"))
