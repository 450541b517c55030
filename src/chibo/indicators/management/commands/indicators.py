"""`chibo indicators ORG [--date dd/mm/yyyy] [--from dd/mm/yyyy] [--to dd/mm/yyyy] [--json]`:
the report figures of an organisation's subtree, from the same `indicators()` as the dashboard
and the API. `--from`/`--to` bound the period of the completed tasks, the meetings and the
documents read (default: the calendar year up to the date)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chibo.core.commands import json_errors
from chibo.core.dates import format_vn_date, in_range, parse_vn_date, today
from chibo.indicators.figures import Report, indicators
from chibo.organisations.commands import find_organisation
from chibo.organisations.models import Organisation


def vn_int(n: int) -> str:
    """1189 → "1.189" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def vn_pct(value: float | None) -> str:
    """97.3 → "97,3%" (Vietnamese decimal comma); no denominator → "—"."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + "%"


class Command(BaseCommand):
    help = "Print the indicators of a party organisation (code or exact name) for today or a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation code (e.g. PT) or exact name")
        parser.add_argument("--date", help="date as dd/mm/yyyy (default: today)")
        parser.add_argument("--from", dest="start", help="start of the period of completed tasks, meetings and "
                                                          "documents, dd/mm/yyyy (default: 1 January of the end's year)")
        parser.add_argument("--to", dest="end", help="end of the period of completed tasks, meetings and "
                                                      "documents, dd/mm/yyyy (default: the date)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    @json_errors
    def handle(self, *args: Any, **options: Any) -> None:
        org = find_organisation(options["organisation"])
        day = today()
        if options.get("date"):
            try:
                day = parse_vn_date(options["date"])
            except ValueError:
                raise CommandError(_("“%(value)s” is not a valid date. Enter it as dd/mm/yyyy, e.g. 01/07/2025.")
                                   % {"value": options["date"]}) from None
            if not in_range(day):
                raise CommandError(f"--date {options['date']}: "
                                   + _("The year must be between 1900 and 2099. Check the year."))
            if day > today():
                raise CommandError(_("The date %(date)s is in the future. Give today or an earlier date.")
                                   % {"date": format_vn_date(day)})
        start, end = period(options.get("start"), options.get("end"), day)
        report = indicators(org, day, start=start, end=end)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        for line in human(report):
            self.stdout.write(line)


def _option_date(name: str, raw: str) -> dt.date:
    try:
        day = parse_vn_date(raw)
    except ValueError:
        raise CommandError(_("%(option)s: “%(value)s” is not a valid date. Enter it as dd/mm/yyyy, e.g. 01/01/2026.")
                           % {"option": name, "value": raw}) from None
    if not in_range(day):
        raise CommandError(f"{name} {raw}: " + _("The year must be between 1900 and 2099. Check the year."))
    if day > today():
        raise CommandError(_("%(option)s: the date %(date)s is in the future. Give today or an earlier date.")
                           % {"option": name, "date": format_vn_date(day)})
    return day


def period(raw_start: str | None, raw_end: str | None, day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to, checked: real dates, not in the future, in order, and not after the date."""
    start = _option_date("--from", raw_start) if raw_start else None
    end = _option_date("--to", raw_end) if raw_end else None
    if end is not None and end > day:
        raise CommandError(_("--to: %(end)s is after the date of the figures, %(date)s (--date, default today). "
                             "Give a date up to %(date)s, or a later --date.")
                           % {"end": format_vn_date(end), "date": format_vn_date(day)})
    last = end or day
    if start is not None and start > last:
        raise CommandError(_("--from: %(start)s is after the end of the period, %(end)s. The period must start "
                             "on or before the day it ends.") % {"start": format_vn_date(start),
                                                                  "end": format_vn_date(last)})
    return start, end


def human(report: Report) -> list[str]:
    f = report.figures
    org = report.organisation
    total = f["members_total"]

    def share(n: int, whole: int) -> str:
        return f"{vn_int(n)} ({vn_pct(round(n * 100 / whole, 1))})" if whole else vn_int(n)

    rows: list[tuple[str, str]] = [
        (_("Party organisations in the subtree"), vn_int(f["organisations_total"])),
        ("  " + _("grassroots party organisations"), vn_int(f["grassroots_organisations"])),
    ]
    rows += [("    " + str(Organisation.Kind(kind).label), vn_int(n))
             for kind, n in f["organisations_by_kind"].items() if n]
    rows += [
        (_("Party members (counted)"), vn_int(total)),
        ("  " + _("official"), share(f["members_official"], total)),
        ("  " + _("probationary"), share(f["members_probationary"], total)),
        ("  " + _("women"), share(f["members_women"], total)),
        ("  " + _("ethnic minorities"), share(f["members_ethnic_minority"], total)),
        ("  " + _("under 30"), share(f["members_under_30"], total)),
        ("  " + _("exempt from party work"), share(f["members_exempt"], total)),
        (_("Residential cells"), vn_int(f["residential_cells"])),
        ("  " + _("with a cell committee"),
         f"{vn_int(f['residential_cells_with_committee'])} ({vn_pct(f['residential_cells_with_committee_pct'])})"),
        ("  " + _("villages with a recorded head"), vn_int(f["localities_with_head"])),
        ("  " + _("village heads who are party members"),
         f"{vn_int(f['heads_who_are_members'])} ({vn_pct(f['heads_who_are_members_pct'])})"),
        ("  " + _("cell secretaries"), vn_int(f["cell_secretaries"])),
        ("  " + _("cell secretaries who are also village heads"),
         f"{vn_int(f['secretaries_who_are_heads'])} ({vn_pct(f['secretaries_who_are_heads_pct'])})"),
    ]
    w = report.work
    targets = w["targets_total"]
    start, end = report.period
    rows += [
        (_("Targets in resolutions in force (own and their parts)"), vn_int(targets)),
        ("  " + _("achieved"), share(w["targets_achieved"], targets)),
        ("  " + _("on track"), share(w["targets_on_track"], targets)),
        ("  " + _("at risk"), share(w["targets_at_risk"], targets)),
        ("  " + _("off track"), share(w["targets_off_track"], targets)),
        ("  " + _("no figure yet"), share(targets - w["targets_achieved"] - w["targets_on_track"]
                                          - w["targets_at_risk"] - w["targets_off_track"], targets)),
        (_("Open tasks"), vn_int(w["tasks_open"])),
        ("  " + _("overdue"), vn_int(w["tasks_overdue"])),
        (_("Tasks completed %(start)s–%(end)s") % {"start": format_vn_date(start), "end": format_vn_date(end)},
         vn_int(w["tasks_done"])),
        ("  " + _("by their deadline"), vn_pct(w["tasks_done_on_time_pct"])),
    ]
    m = report.meetings
    rows += [
        (_("Cell meetings required %(start)s–%(end)s") % {"start": format_vn_date(start), "end": format_vn_date(end)},
         vn_int(m["meetings_required"])),
        ("  " + _("held"), f"{vn_int(m['meetings_held'])} ({vn_pct(m['meetings_held_pct'])})"),
        (_("Thematic meetings held"), vn_int(m["thematic_meetings_held"])),
        (_("Attendance of the members invited"), vn_pct(m["attendance_pct"])),
        (_("Documents read by the members they reach"), vn_pct(m["documents_read_pct"])),
    ]
    r = report.recruitment
    admitted = r["members_admitted"]
    rows += [
        (_("Candidates"), vn_int(r["candidates_total"])),
        (_("Members admitted %(start)s–%(end)s") % {"start": format_vn_date(start), "end": format_vn_date(end)},
         vn_int(admitted)),
        ("  " + _("under 30"), share(r["admitted_under_30"], admitted)),
        ("  " + _("women"), share(r["admitted_women"], admitted)),
        ("  " + _("ethnic minorities"), share(r["admitted_ethnic_minority"], admitted)),
    ]
    width = max(len(label) for label, _v in rows)
    lines = [f"{org.name} ({org.code}) — {format_vn_date(report.on)}", ""]
    lines += [f"{label.ljust(width)}  {value}" for label, value in rows]
    if total:
        lines += ["", _("Members by age band:")]
        lines += [f"  {label.ljust(8)} {vn_int(n)}" for label, n in report.by_age_band]
        lines += ["", _("Members by ethnicity:")]
        lines += [f"  {name.ljust(8)} {vn_int(n)}" for name, n in report.by_ethnicity]
    lines += ["", _("Percentages of residential cells, rounded half up to one decimal.")]
    return lines
