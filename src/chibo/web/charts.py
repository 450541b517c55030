"""Server-rendered SVG bar charts: the numbers become geometry here, the template draws it.
They work without scripts, print well, and carry their figures as text for screen readers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Labels sit above their bars so the chart stays legible when shrunk to a 360-px phone.
WIDTH = 400
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
GAP = 10
ROW = LABEL_HEIGHT + BAR_HEIGHT + GAP
BAR_SPACE = 250  # the longest bar; the value is written after it, within WIDTH


@dataclass
class Bar:
    label: str
    value: int
    width: float  # percent of the plotting area
    y: int
    href: str = ""
    note: str = ""

    @property
    def label_y(self) -> int:
        return self.y + LABEL_HEIGHT - 5

    @property
    def bar_y(self) -> int:
        return self.y + LABEL_HEIGHT

    @property
    def bar_width(self) -> float:
        return round(self.width * BAR_SPACE / 100, 1)

    @property
    def value_x(self) -> float:
        return self.bar_width + 6

    @property
    def value_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 4


@dataclass
class BarChart:
    title: str
    bars: list[Bar]
    total: int
    height: int
    unit: str = ""

    @property
    def width(self) -> int:
        return WIDTH


def bar_chart(title: str, rows: Sequence[tuple[Any, int] | tuple[Any, int, str]], unit: str = "") -> BarChart:
    values = [r[1] for r in rows]
    peak = max(values) if values else 0
    total = sum(values)
    bars = []
    for i, row in enumerate(rows):
        label, value = str(row[0]), int(row[1])
        href = row[2] if len(row) > 2 else ""  # type: ignore[misc]
        width = (value / peak * 100) if peak else 0
        share = f"{formats.number_format(round(value * 100 / total, 1), 1)}%" if total else ""
        bars.append(Bar(label=label, value=value, width=round(width, 2), y=i * ROW, href=str(href), note=share))
    height = max(len(bars) * ROW - GAP, ROW) + 4
    return BarChart(title=title, bars=bars, total=total, height=height, unit=unit)


def compare_table(rows: Sequence[tuple[Any, int, str]]) -> SafeString:
    """The body of a compact comparison (an HTML table with a bar per row): a commune or a
    province has 60–140 sub-organisations, too many for a legible SVG. Written here rather than
    by a template loop: 135 rows through the template engine, each number through Django's
    formatting, cost ~10 ms; this ~1 ms. Every piece is escaped or a formatted number."""
    peak = max((r[1] for r in rows), default=0)
    show = whole_number()
    out = []
    for label, value, href in rows:
        width = int((Decimal(value * 100) / peak).quantize(Decimal(1), ROUND_HALF_UP)) if peak else 0
        out.append(f'<tr><td><a href="{escape(href)}">{escape(label)}</a></td><td class="num">{show(int(value))}</td>'
                   f'<td class="barcell" aria-hidden="true"><span class="w-{width}"></span></td></tr>')
    return mark_safe("".join(out))  # noqa: S308 — built from escaped parts above


def whole_number() -> Callable[[int], str]:
    """A formatter of whole numbers with the page's thousands separator — what `intcomma`
    writes, without its cost per call."""
    sep = str(formats.get_format("THOUSAND_SEPARATOR"))
    return lambda v: f"{v:,}".replace(",", sep)


# --- Sparklines: a tiny trend in a table cell ---------------------------------------------------

SPARK_WIDTH = 96
SPARK_HEIGHT = 24


@dataclass
class Sparkline:
    points: str  # the polyline's "x,y x,y …" (a gap where a month has no figure)
    dots: list[tuple[float, float]]  # the last point, drawn as a dot
    text: str  # the figures in words, for screen readers and as the tooltip
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def one_decimal() -> Callable[[float], str]:
    """A formatter of numbers already rounded to one decimal (percentages, `core.numbers.pct`),
    in the language of the page — what `number_format(v, 1)` writes, without its cost per call
    (a table of 135 rows formats thousands of them)."""
    sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    return lambda v: f"{v:.1f}".replace(".", sep)


def sparkline(values: Sequence[tuple[str, float | None]], maximum: float = 100,
              fmt: Callable[[float], str] | None = None) -> Sparkline | None:
    """A polyline of (label, value) pairs scaled to 0…maximum (per cent by default); None when
    no value is known. The text alternative lists every label with its value ("—" unknown)."""
    known = [(i, v) for i, (_label, v) in enumerate(values) if v is not None]
    if not known:
        return None
    step = (SPARK_WIDTH - 4) / max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return round(2 + i * step, 1), round(SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * min(v, maximum) / maximum, 1)

    points = " ".join(f"{x},{y}" for x, y in (xy(i, v) for i, v in known))
    show = fmt or one_decimal()
    text = "; ".join(f"{label}: {'—' if v is None else show(v)}" for label, v in values)
    return Sparkline(points=points, dots=[xy(*known[-1])], text=text)
