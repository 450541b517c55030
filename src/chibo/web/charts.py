"""Server-rendered SVG bar charts: the numbers become geometry here, the template draws it.
They work without scripts, print well, and carry their figures as text for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

BAR_HEIGHT = 28
GAP = 10
LABEL_WIDTH = 40  # percent of the chart width given to labels


@dataclass
class Bar:
    label: str
    value: int
    width: float  # percent of the plotting area
    y: int
    href: str = ""
    note: str = ""

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    total: int
    height: int
    unit: str = ""

    @property
    def label_width(self) -> int:
        return LABEL_WIDTH


def bar_chart(title: str, rows: Sequence[tuple[Any, int] | tuple[Any, int, str]], unit: str = "") -> BarChart:
    values = [r[1] for r in rows]
    peak = max(values) if values else 0
    total = sum(values)
    bars = []
    for i, row in enumerate(rows):
        label, value = str(row[0]), int(row[1])
        href = row[2] if len(row) > 2 else ""  # type: ignore[misc]
        width = (value / peak * 100) if peak else 0
        share = f"{value * 100 / total:.1f}%".replace(".", ",") if total else ""
        bars.append(Bar(label=label, value=value, width=round(width, 2), y=i * (BAR_HEIGHT + GAP), href=str(href), note=share))
    height = max(len(bars) * (BAR_HEIGHT + GAP) - GAP, BAR_HEIGHT)
    return BarChart(title=title, bars=bars, total=total, height=height, unit=unit)
