"""`chibo rollups [--check|--rebuild]`: compare the rollups (MemberStat, MemberAgeStat,
CellFacts) with a fresh count, or rebuild them. --check (the default) exits 1 and lists
the differences if there are any."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chibo.members.services import compare_member_stats, rebuild_member_stats
from chibo.organisations.models import Organisation

SHOW_AT_MOST = 50


class Command(BaseCommand):
    help = "Check the member rollup against the memberships (default), or rebuild it."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="compare only; exit 1 if they differ (default)")
        mode.add_argument("--rebuild", action="store_true", help="recompute the rollup from the memberships")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["rebuild"]:
            rows = rebuild_member_stats()
            self.stdout.write(self.style.SUCCESS(_("Rollup rebuilt: %(rows)s rows in %(s).1f s.")
                                                 % {"rows": rows, "s": time.monotonic() - started}))
            return
        diffs = compare_member_stats()
        if not diffs:
            self.stdout.write(self.style.SUCCESS(_("Rollup matches the memberships (checked in %(s).1f s).")
                                                 % {"s": time.monotonic() - started}))
            return
        codes = dict(Organisation.objects.filter(pk__in={key[1] for key, _live, _fresh in diffs})
                     .values_list("pk", "code"))
        for key, live, fresh in diffs[:SHOW_AT_MOST]:
            rollup, org_id, *detail = key
            self.stdout.write(_("%(org)s (%(rollup)s %(detail)s): stored %(live)s, counted now %(fresh)s") % {
                "org": codes.get(org_id, org_id), "rollup": rollup, "detail": " ".join(map(str, detail)),
                "live": live, "fresh": fresh})
        if len(diffs) > SHOW_AT_MOST:
            self.stdout.write(_("… and %(n)s more.") % {"n": len(diffs) - SHOW_AT_MOST})
        raise CommandError(_("The rollup differs from the memberships in %(n)s rows. "
                             "Run `chibo rollups --rebuild` to recompute it.") % {"n": len(diffs)})
