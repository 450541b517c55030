"""`chibo check-data ORG [--json] [--limit N]`: the data-quality checks of an organisation's
subtree — the health score and every problem with how to fix it (Vietnamese), from the same
`run_checks()` as the page. Exit code 0 whatever is found; an unknown ORG is an error."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from chibo.core.commands import json_errors
from chibo.organisations.commands import find_organisation
from chibo.quality import services
from chibo.quality.checks import Report, run_checks


class Command(BaseCommand):
    help = "Check the data of a party organisation's subtree (by code): health score and problems."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation code (e.g. PT)")
        parser.add_argument("--json", action="store_true", help="print the score and every problem as JSON")
        parser.add_argument("--limit", type=int, default=0,
                            help="print at most this many problems of each kind (default: all)")

    @json_errors
    def handle(self, *args: Any, **options: Any) -> None:
        org = find_organisation(options["organisation"])
        report = run_checks(org)
        services.remember(report)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        for line in human(report, limit=options["limit"]):
            self.stdout.write(line)


def vn_score(score: float | None) -> str:
    return "—" if score is None else f"{score:.1f}".replace(".", ",")


def human(report: Report, *, limit: int = 0) -> list[str]:
    org = report.organisation
    lines = [
        f"{org.name} ({org.code}) — {report.day:%d/%m/%Y}",
        _("Data health score: %(score)s/100") % {"score": vn_score(report.score)},
        _("%(errors)s errors, %(warnings)s warnings, %(records)s records checked (current members and active "
          "cells).") % {"errors": report.errors, "warnings": report.warnings, "records": report.total.records},
        _("Score = 100 × (1 − (errors + ¼ × warnings) ÷ records checked), never below 0, rounded down to 0.1."),
    ]
    units = [u for u in report.units() if u.errors or u.warnings]
    if units:
        lines += ["", _("Organisations with problems (lowest score first):")]
        lines += [f"  {vn_score(u.score).rjust(5)}  {u.organisation.code}  {u.organisation.name}  "
                  + _("(%(errors)s errors, %(warnings)s warnings)") % {"errors": u.errors, "warnings": u.warnings}
                  for u in units]
    groups = report.groups()
    if not groups:
        lines += ["", _("No problems found.")]
    for g in groups:
        severity = _("error") if g.kind.severity == "error" else _("warning")
        lines += ["", f"{g.kind.title} ({severity}): {g.count}"]
        shown = g.problems[:limit] if limit > 0 else g.problems
        for p in shown:
            lines.append(f"  - {p.subject.label} [{p.organisation.code}]: {p.message}")
            lines.append(f"    {p.fix_url}")
        if len(shown) < g.count:
            lines.append("  " + _("… and %(n)s more.") % {"n": g.count - len(shown)})
    return lines
