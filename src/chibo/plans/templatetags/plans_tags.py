"""Template filters for the plans pages: numbers written the Vietnamese way and target
statuses as words and symbols (never colour alone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
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


@register.filter
def with_unit(value: Any, unit: str) -> str:
    """A number with its unit: "62%", "143 đảng viên"; "—" for nothing."""
    if value is None or value == "":
        return "—"
    if not unit:
        return num(value)
    return f"{num(value)}{'' if unit == '%' else ' '}{unit}"


@register.filter
def baseline_note(target: Any) -> str:
    """Where a target's progress is counted from, in words: "Counted from the baseline of 62%
    (2025)"; "" for a yes/no target (done or not)."""
    if target.kind == rules.Kind.YESNO:
        return ""
    if target.baseline_value is not None:
        value = with_unit(target.baseline_value, target.unit)
        if target.baseline_year:
            return str(_("Counted from the baseline of %(value)s (in %(year)s)")
                       % {"value": value, "year": target.baseline_year})
        return str(_("Counted from the baseline of %(value)s") % {"value": value})
    if target.direction == rules.Direction.AT_LEAST:
        return str(_("Counted from 0: no baseline was entered"))
    return str(_("No baseline was entered: counted only as met or not met"))


@register.filter
def roll_up_rule(target: Any) -> str:
    """How a target's figure comes from its parts' figures, in a sentence."""
    return str(ROLL_UP_RULES.get(target.roll_up, ""))


ROLL_UP_RULES = {
    rules.RollUpRule.SUM: _("The figure is the sum of the figures of the organisations given a part."),
    rules.RollUpRule.MEAN: _("The figure is the mean of the parts' figures, each weighted by its weight "
                             "(what the rate is of, e.g. the number of households)."),
    rules.RollUpRule.ALL: _("The target is met when every organisation given a part has met its part."),
    rules.RollUpRule.NONE: _("The figure is measured on its own, not added up from the parts."),
}


@register.simple_tag
def status_thresholds() -> str:
    """The status rules of plans.rules in words, with their numbers."""
    return str(_("Achieved: the progress has reached 100%%. On track: the progress is at most %(points)s points "
                 "below what the time elapsed asks for. At risk: at least %(share)s%% of it. Off track: less, "
                 "or the period is over without the target reached. These thresholds are chibo's own reading "
                 "aid, not a regulation.") % {"points": int(rules.ON_TRACK_TOLERANCE * 100),
                                              "share": int(rules.AT_RISK_SHARE * 100)})


@register.simple_tag
def timebar(fig: Any, bare: bool = False) -> str:
    """A figure's progress bar: from the baseline (0) to the target (100), its fill coloured by
    the status, a mark where the time elapsed says it should be by now (none for yes/no), the
    two percentages in words and, unless `bare`, where the progress is counted from. Written
    here rather than as an included template: a commune's overview draws one per target and
    the contributions page one per cell."""
    from chibo.web.templatetags.layout import pct

    percent, expected = fig.percent, fig.expected_percent
    combined = fig.roll_up
    if fig.target.kind == rules.Kind.YESNO and combined is not None and combined.parts and combined.counted:
        percent = round(100 * combined.done / len(combined.parts))  # the share of the parts done, not 0 until all are
    label = (_("no figure yet") if percent is None else
             _("%(p)s%% of the way from the baseline to the target") % {"p": percent})
    if expected is not None:
        label = f"{label}; " + _("%(e)s%% expected by now") % {"e": expected}
    fill = (format_html('<span class="fill st-{} w-{}"></span>', fig.status, pct(percent))
            if percent is not None else "")
    mark = format_html('<span class="mark w-{}"></span>', pct(expected)) if expected is not None else ""
    figures = format_html("<strong>{}</strong>", "—" if percent is None else f"{percent}%")
    if expected is not None:
        figures = format_html('{} <span class="muted">· {}</span>', figures,
                              _("by now %(e)s%%") % {"e": expected})
    note = "" if bare else baseline_note(fig.target)
    return format_html('<div class="timebar"><div class="track" role="img" aria-label="{}">{}{}</div>'
                       '<div class="small">{}</div>{}</div>', label, fill, mark, figures,
                       format_html('<div class="small muted baseline">{}</div>', note) if note else "")
