"""The communes of a province side by side (issue 14, point 3): `/to-chuc/<code>/so-sanh/`, one
view for the page and its htmx fragment (the table, sorted by a column), and its XLSX export —
the same rows. The figures are the province's latest snapshot (`indicators.compare.
latest_snapshot`: computed daily and on demand in the background by `indicators.services.
snapshot_province`, equal to `chibo indicators` of each commune at that instant), read in a few
queries; "Recompute now" (POST) queues a new one and the page polls its progress. The province
through `chibo.access` (out of scope → 404), and each count links to the list behind it only
when the viewer may open that list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from html import escape  # plain str in, str out: Django's lazy-aware escape costs more per call
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chibo import access
from chibo.core.dates import format_vn_date, today
from chibo.core.numbers import query_int
from chibo.exchange import services as exchange
from chibo.indicators import services as indicators
from chibo.indicators.compare import (
    SORT_KEYS,
    Comparison,
    Row,
    latest_snapshot,
    no_snapshot_state,
    sort_rows,
)
from chibo.indicators.models import SnapshotRun
from chibo.organisations.models import Organisation
from chibo.web.charts import one_decimal, sparkline

# Column key → heading (the page's and the file's).
HEADINGS: dict[str, Any] = {
    "name": gettext_lazy("Commune"),
    "members_total": gettext_lazy("Members (đảng số)"),
    "residential_cells_with_committee_pct": gettext_lazy("Residential cells with a cell committee (%)"),
    "heads_who_are_members_pct": gettext_lazy("Village heads who are members (%)"),
    "secretaries_who_are_heads_pct": gettext_lazy("Cell secretaries who are village heads (%)"),
    "meetings_held_pct": gettext_lazy("Required meetings held (%)"),
    "attendance_pct": gettext_lazy("Attendance (%)"),
    "targets_off_track": gettext_lazy("Targets off track"),
    "tasks_overdue": gettext_lazy("Tasks overdue"),
    "health": gettext_lazy("Data health (/100)"),
}
PERCENT_KEYS = {"residential_cells_with_committee_pct", "heads_who_are_members_pct", "secretaries_who_are_heads_pct",
                "meetings_held_pct", "attendance_pct"}
LINK_OF = {"residential_cells_with_committee_pct": "residential", "heads_who_are_members_pct": "residential",
           "secretaries_who_are_heads_pct": "residential", "meetings_held_pct": "meetings",
           "attendance_pct": "attendance"}
NO_CELLS = gettext_lazy("No cells yet: the commune staff add its cells (chi bộ) on its page.")
NO_FIGURE = gettext_lazy("no figure yet")
HOME_ROWS = 10  # the home shows the first rows, linking to the whole table


def province_for(request: HttpRequest, code: str) -> Organisation:
    """The province (or other top organisation) whose children are compared, if the viewer
    may see its whole subtree; anything else is a 404."""
    org = access.get_organisation(request.user, code)
    if org.kind != Organisation.Kind.PROVINCE or not access.sees_members_of(request.user, org):
        raise Http404
    return org


def _sort(request: HttpRequest) -> tuple[str, bool]:
    key = request.GET.get("sort", "name")
    if key not in SORT_KEYS:
        key = "name"
    return key, request.GET.get("dir") == "desc"


PLACEHOLDER = "ORGCODE"


def _link_maker(c: Comparison) -> Any:
    """The lists behind each count of a row, for a viewer who may open them (else no link):
    each URL reversed once per page, then filled with the commune's code."""
    def pattern(name: str) -> tuple[str, str]:
        head, _sep, tail = reverse(name, args=[PLACEHOLDER]).partition(PLACEHOLDER)
        return head, tail

    org_url, gaps_url, meetings_url, targets_url, due_url = (pattern(n) for n in (
        "organisation", "org-meeting-gaps", "org-meetings", "org-targets", "org-due"))
    period = f"?start={format_vn_date(c.start)}&end={format_vn_date(c.day)}"
    members_url, quality_url = reverse("members"), reverse("quality")

    def links(user: Any, row: Row) -> dict[str, str]:
        org = row.organisation
        if not access.may_open_organisation(user, org):
            return {}
        code = quote(org.code, safe=RFC3986_SUBDELIMS + "/~:@")
        page = f"{org_url[0]}{code}{org_url[1]}"
        out = {
            "name": page, "residential": page,
            "meetings": f"{gaps_url[0]}{code}{gaps_url[1]}{period}",
            "attendance": f"{meetings_url[0]}{code}{meetings_url[1]}",
            "targets_off_track": f"{targets_url[0]}{code}{targets_url[1]}",
            "tasks_overdue": f"{due_url[0]}{code}{due_url[1]}",
        }
        if access.sees_members_of(user, org):
            out["members_total"] = f"{members_url}?org={org.code}"
            out["health"] = f"{quality_url}?org={org.code}"
        return out
    return links


def _row_writer() -> Callable[[list[tuple[str, Any, str]], int, Any], str]:
    """Writes a table row, here rather than in the template: 135 rows of ten cells through the
    template engine (and Django's number formatting per cell) take longer than the whole page
    may (issue 14: ≤ 50 ms). Names, links and texts are escaped; numbers formatted in the
    page's language as `floatformat:1` and `intcomma` would."""
    decimal = one_decimal()
    thousands = str(formats.get_format("THOUSAND_SEPARATOR"))
    no_cells = f'<br><span class="small muted">{escape(str(NO_CELLS))}</span>'
    no_figure = f'<td class="cell num"><span class="muted" title="{escape(str(NO_FIGURE))}">—</span></td>'

    def write(values: list[tuple[str, Any, str]], cells: int, trend: Any) -> str:
        out = ["<tr>"]
        for key, value, href in values:
            if key == "name":
                name = f'<a href="{escape(href)}">{escape(value)}</a>' if href else escape(value)
                out.append(f'<th scope="row" class="rowhead">{name}{"" if cells else no_cells}</th>')
                continue
            if value is None:
                out.append(no_figure)
                continue
            shown = decimal(value) if key in PERCENT_KEYS or key == "health" else f"{value:,}".replace(",", thousands)
            out.append(f'<td class="cell num"><a href="{escape(href)}">{shown}</a></td>' if href
                       else f'<td class="cell num">{shown}</td>')
        if trend:
            dots = "".join(f'<circle cx="{x}" cy="{y}" r="2" fill="currentColor"></circle>' for x, y in trend.dots)
            text = escape(trend.text)
            out.append(f'<td class="trend"><svg class="spark" viewBox="0 0 {trend.width} {trend.height}" '
                       f'width="{trend.width}" height="{trend.height}" role="img" aria-label="{text}"><title>{text}'
                       f'</title><polyline points="{trend.points}" fill="none" stroke="currentColor" '
                       f'stroke-width="1.5"></polyline>{dots}</svg></td>')
        else:
            out.append('<td class="trend"><span class="muted">—</span></td>')
        out.append("</tr>")
        return mark_safe("".join(out))  # noqa: S308 (every text escaped above)
    return write


def _next_dir(column: str, key: str, descending: bool) -> str:
    """A sorted column's link reverses it; another starts A→Z for names, largest first for figures."""
    if column == key:
        return "asc" if descending else "desc"
    return "asc" if column == "name" else "desc"


def _month_label(m: dt.date) -> str:
    return f"{m.month:02d}/{m.year}"


def snapshot_context(request: HttpRequest, province: Organisation, *, day: dt.date | None = None,
                     limit: int | None = None) -> dict[str, Any]:
    """The table's context, read from the province's latest snapshot (that of `day` if there is
    one): rows sorted as asked, each with its links and trend; whether it is from an earlier
    day; the recomputation under way, if any. One query (two when `day` has none, or before the
    first snapshot; one more while a recomputation runs)."""
    key, descending = _sort(request)
    c = latest_snapshot(province, day)
    if c is None:
        running_id, has_communes = no_snapshot_state(province, today())
    else:
        running_id, has_communes = c.running_id, True
    # The run's row only while one is under way (its progress is shown).
    running = SnapshotRun.objects.filter(pk=running_id).first() if running_id else None
    base = reverse("province-compare", args=[province.code])
    context: dict[str, Any] = {
        "province": province, "comparison": c, "table": [], "run": running, "compare_url": base,
        "asked_day": day, "percent_keys": PERCENT_KEYS, "sort": key, "desc": descending,
        "has_communes": has_communes,
    }
    if c is None:
        return context
    rows = sort_rows(c.rows, key, descending)
    shown = rows[:limit] if limit else rows
    heads = [{
        "key": k, "label": HEADINGS[k], "sorted": k == key, "desc": descending,
        "href": f"{base}?sort={k}&dir={_next_dir(k, key, descending)}",
    } for k in SORT_KEYS]
    links_of = _link_maker(c)
    labels = [_month_label(m) for m in c.months]
    write, decimal = _row_writer(), one_decimal()
    table = []
    for r in shown:
        links = links_of(request.user, r)
        values = [(k, r.value(k) if k != "name" else r.organisation.name, links.get(LINK_OF.get(k, k), ""))
                  for k in SORT_KEYS]
        trend = sparkline([(label, v) for label, (_m, v) in zip(labels, r.trend, strict=False)], fmt=decimal)
        table.append({"row": r, "values": values, "trend": trend, "html": write(values, r.cells, trend)})
    computed = timezone.localtime(c.computed_at) if c.computed_at else None
    context.update({
        "table": table, "heads": heads, "more": len(rows) - len(shown), "computed_at": computed,
        "computed_same_day": computed is not None and computed.date() == c.day,
        "earlier_day": c.day < today(), "other_day": day is not None and day != c.day,
        "first_month": _month_label(c.months[0]), "last_month": _month_label(c.months[-1]),
    })
    return context


@login_required
@require_GET
def province_compare(request: HttpRequest, code: str) -> HttpResponse:
    province = province_for(request, code)
    context = snapshot_context(request, province)
    fragment = getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
    return render(request, "web/compare/_table.html" if fragment else "web/compare/page.html", context)


@login_required
@require_POST
def province_compare_recompute(request: HttpRequest, code: str) -> HttpResponse:
    """"Recompute now": queue the province's comparison in the background (one at a time: a
    second press while one runs joins it), then show its progress."""
    province = province_for(request, code)
    run, started = indicators.request_snapshot(province, actor=request.user)
    if not started:
        messages.info(request, _("The figures are already being computed; they will be shown when ready."))
    if getattr(request, "htmx", False):
        return render(request, "web/compare/_run.html", {"province": province, "run": run})
    return redirect("province-compare", code=province.code)


@login_required
@require_GET
def province_compare_progress(request: HttpRequest, code: str) -> HttpResponse:
    """The progress of a recomputation (`?run=`), polled by the page every 2 s; once it is done
    the page is reloaded to show the new figures."""
    province = province_for(request, code)
    run_id = query_int(request.GET.get("run"), 1, 2**62)
    run = SnapshotRun.objects.filter(province=province, pk=run_id).first() if run_id else None
    if run is not None and run.status == SnapshotRun.Status.DONE and getattr(request, "htmx", False):
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    if not getattr(request, "htmx", False):
        return redirect("province-compare", code=province.code)
    return render(request, "web/compare/_run.html", {"province": province, "run": run})


def export_rows(context: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The page's table as the file's headers and rows (the trend as its monthly figures)."""
    heads = context["heads"]
    c: Comparison = context["comparison"]
    headers = [str(h["label"]) for h in heads] + [_("Meetings held, %(month)s (%%)") % {"month": _month_label(m)}
                                                   for m in c.months]
    rows = [[value for _k, value, _href in entry["values"]] + [v for _m, v in entry["row"].trend]
            for entry in context["table"]]
    return headers, rows


@login_required
@require_GET
def province_compare_xlsx(request: HttpRequest, code: str) -> FileResponse:
    province = province_for(request, code)
    context = snapshot_context(request, province)
    c: Comparison | None = context["comparison"]
    if c is None:
        raise Http404
    headers, rows = export_rows(context)
    out = io.BytesIO()
    exchange.export_table(actor=request.user, org=province, sheet="So sánh", headers=headers, rows=rows, out=out,
                          object_type="organisation", noun="đảng bộ xã",
                          description=f"So sánh các xã, số liệu tính đến {formats.date_format(c.day, 'd/m/Y')}")
    out.seek(0)
    response = FileResponse(out, as_attachment=True,
                            filename=f"so-sanh-{province.code}-{c.day:%Y%m%d}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    return response
