"""Template filters for the plans pages: numbers written the Vietnamese way and target
statuses as words and symbols (never colour alone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from chibo.plans import rules

register = template.Library()

STATUS_LABELS = {
    rules.Status.ACHIEVED: _("achieved"),
    rules.Status.ON_TRACK: _("on track"),
    rules.Status.AT_RISK: _("at risk"),
    rules.Status.OFF_TRACK: _("off track"),
    rules.Status.NO_DATA: _("no figure yet"),
}
STATUS_SYMBOLS = {  # shapes that differ without colour, for the compact matrix
    rules.Status.ACHIEVED: "✔",
    rules.Status.ON_TRACK: "●",
    rules.Status.AT_RISK: "▲",
    rules.Status.OFF_TRACK: "✖",
    rules.Status.NO_DATA: "–",
}


@register.filter
def num(value: Any) -> str:
    """1.234,5 — at most two decimals, no trailing zero; "—" for nothing."""
    if value is None or value == "":
        return "—"
    return rules._num(Decimal(value))


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def status_symbol(status: str) -> str:
    return STATUS_SYMBOLS.get(status, "")


@register.filter
def bar_width(percent: int | None) -> int:
    """A progress bar's width: the percentage, kept within 0–100."""
    return max(0, min(100, percent or 0))
