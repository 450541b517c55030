"""`chibo rules [--json] [--key KEY] [--all]`: the rulebook — every time limit, threshold and
count chibo computes with — as the rules page shows it: key, value, unit, citation, effective
dates and whether the value was confirmed against the text in force. By default the versions in
force today; `--all` adds the earlier and later versions."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.core.commands import json_errors
from chibo.core.dates import today
from chibo.core.models import Rule


def _row(r: Rule) -> dict[str, Any]:
    return {"key": r.key, "name": r.name, "value": r.value, "unit": r.unit, "citation": r.citation,
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            "confirmed": r.confirmed, "note": r.note}


class Command(BaseCommand):
    help = "List the rules (time limits, thresholds, counts) with their citations and effective dates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--key", help="only this rule")
        parser.add_argument("--all", action="store_true", help="every version, not only those in force today")

    @json_errors
    def handle(self, *args: Any, **o: Any) -> None:
        rules = Rule.objects.order_by("key", "effective_from")
        if o["key"]:
            rules = rules.filter(key=o["key"])
            if not rules.exists():
                raise CommandError(f"Không có quy định mang khóa “{o['key']}”. Xem danh sách: chibo rules")
        day = today()
        chosen = [r for r in rules if o["all"] or r.in_force_on(day)]
        if o["json"]:
            self.stdout.write(json.dumps([_row(r) for r in chosen], ensure_ascii=False, indent=2))
            return
        for r in chosen:
            until = f"{r.effective_to:%d/%m/%Y}" if r.effective_to else "nay"
            mark = "" if r.confirmed else "  [chưa xác nhận]"
            self.stdout.write(f"{r.key:<34} {r.value:>5} {r.get_unit_display():<12} "
                              f"{r.effective_from:%d/%m/%Y}–{until:<10} {r.citation}{mark}")
