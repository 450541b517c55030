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
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chibo import access
from chibo.core.dates import format_vn_date, today
from chibo.core.numbers import query_int
from chibo.exchange import services as exchange
from chibo.indicators import services as indicators
from chibo.indicators.compare import SORT_KEYS, Comparison, Row, latest_snapshot, sort_rows
from chibo.indicators.models import SnapshotRun
from chibo.organisations.models import Organisation
from chibo.web.charts import sparkline

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


def _links(user: Any, row: Row, c: Comparison) -> dict[str, str]:
    """The list behind each count of a row, for a viewer who may open it (else no link)."""
    org = row.organisation
    if not access.may_open_organisation(user, org):
        return {}
    links = {
        "name": reverse("organisation", args=[org.code]),
        "residential": reverse("organisation", args=[org.code]),
        "meetings": reverse("org-meeting-gaps", args=[org.code])
        + f"?start={format_vn_date(c.start)}&end={format_vn_date(c.day)}",
        "attendance": reverse("org-meetings", args=[org.code]),
        "targets_off_track": reverse("org-targets", args=[org.code]),
        "tasks_overdue": reverse("org-due", args=[org.code]),
    }
    if access.sees_members_of(user, org):
        links["members_total"] = reverse("members") + f"?org={org.code}"
        links["health"] = reverse("quality") + f"?org={org.code}"
    return links


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
    day; the recomputation under way, if any. Three queries (four when `day` has no snapshot)."""
    key, descending = _sort(request)
    c = latest_snapshot(province, day)
    running = SnapshotRun.objects.filter(province=province, status__in=SnapshotRun.RUNNING).first()
    base = reverse("province-compare", args=[province.code])
    context: dict[str, Any] = {
        "province": province, "comparison": c, "table": [], "run": running, "compare_url": base,
        "asked_day": day, "percent_keys": PERCENT_KEYS, "sort": key, "desc": descending,
    }
    if c is None:
        context["has_communes"] = Organisation.objects.filter(parent=province).active_on(today()).exists()
        return context
    rows = sort_rows(c.rows, key, descending)
    shown = rows[:limit] if limit else rows
    heads = [{
        "key": k, "label": HEADINGS[k], "sorted": k == key, "desc": descending,
        "href": f"{base}?sort={k}&dir={_next_dir(k, key, descending)}",
    } for k in SORT_KEYS]
    table = [{
        "row": r,
        "values": [(k, r.value(k) if k != "name" else r.organisation.name, links.get(LINK_OF.get(k, k), ""))
                   for k in SORT_KEYS],
        "trend": sparkline([(_month_label(m), v) for m, v in r.trend]),
    } for r, links in ((r, _links(request.user, r, c)) for r in shown)]
    computed = timezone.localtime(c.computed_at) if c.computed_at else None
    context.update({
        "table": table, "heads": heads, "more": len(rows) - len(shown), "computed_at": computed,
        "computed_same_day": computed is not None and computed.date() == c.day,
        "earlier_day": c.day < today(), "other_day": day is not None and day != c.day,
        "first_month": _month_label(c.months[0]), "last_month": _month_label(c.months[-1]),
        "has_communes": True,
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
