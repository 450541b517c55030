"""The history of a target as a small SVG step chart, drawn on the server: the measured
value holds until the next figure, against the target and the path expected from the
baseline through the yearly milestones. The numbers become geometry here; the template
draws it, and the page also gives the same figures as a table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chibo.plans import rules

WIDTH = 560
HEIGHT = 220
LEFT = 56  # room for the value axis labels
RIGHT = 12
TOP = 14
BOTTOM = 28  # room for the years


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: dt.date
    value: Decimal


@dataclass(frozen=True)
class Tick:
    at: float  # x for a year, y for a value
    label: str


@dataclass(frozen=True)
class StepChart:
    title: str
    description: str
    width: int
    height: int
    steps: str  # SVG path of the measured values ("" without any)
    expected: str  # SVG path from the baseline through the milestones to the target
    target_y: float
    points: tuple[Point, ...]
    years: tuple[Tick, ...]
    values: tuple[Tick, ...]
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM


def step_chart(*, title: str, description: str, start: dt.date, end: dt.date, day: dt.date,
               target: Decimal, baseline: Decimal | None, milestones: Sequence[rules.Milestone],
               history: Sequence[tuple[dt.date, Decimal]]) -> StepChart:
    values = [target, *(v for _d, v in history), *(m.value for m in milestones)]
    if baseline is not None:
        values.append(baseline)
    low = min(Decimal(0), *values)
    high = max(values)
    if high == low:
        high = low + 1
    span_days = max((end - start).days, 1)

    def x(d: dt.date) -> float:
        d = min(max(d, start), end)
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (d - start).days / span_days, 1)

    def y(v: Decimal) -> float:
        share = float((v - low) / (high - low))
        return round(HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * share, 1)

    points = tuple(Point(x(d), y(v), d, v) for d, v in history)
    steps = ""
    if points:
        parts = [f"M{points[0].x},{points[0].y}"]
        parts += [f"H{cur.x}V{cur.y}" for cur in points[1:]]
        parts.append(f"H{x(min(day, end))}")  # the last figure holds until today
        steps = "".join(parts)
    path = [(start, baseline if baseline is not None else Decimal(0))]
    path += [(dt.date(m.year, 12, 31), m.value) for m in sorted(milestones, key=lambda m: m.year)
             if start < dt.date(m.year, 12, 31) < end]
    path.append((end, target))
    expected = "M" + "L".join(f"{x(d)},{y(v)}" for d, v in path)
    count = end.year - start.year + 1
    every = 1 if count <= 8 else 2 if count <= 16 else 5  # labels that do not overlap on a phone
    years = tuple(Tick(x(dt.date(year, 1, 1)), str(year)) for year in range(start.year, end.year + 1, every))
    ticks = tuple(Tick(y(v), rules._num(v)) for v in sorted({low, (low + high) / 2, high}))
    return StepChart(title=title, description=description, width=WIDTH, height=HEIGHT, steps=steps,
                     expected=expected, target_y=y(target), points=points, years=years, values=ticks)
