"""`chibo export members|organisations ORG FILE`: write a list to XLSX or CSV (by the file's
extension, or --format), recorded in the audit log like a download from the web."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chibo.exchange import services
from chibo.exchange.writers import FORMATS
from chibo.members.models import Membership
from chibo.members.selectors import filter_members
from chibo.organisations.commands import find_organisation
from chibo.organisations.models import LEVEL_OF_KIND, Organisation


class Command(BaseCommand):
    help = "Export the members or organisations of ORG's subtree to FILE (.xlsx or .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["members", "organisations", "all"],
                            help="all = one workbook with localities, organisations, members and posts (.xlsx)")
        parser.add_argument("org", help="organisation code")
        parser.add_argument("file", help="output file, .xlsx or .csv")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
        parser.add_argument("--status", default="current",
                            help="members: current (default), official, probationary, former or all")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = find_organisation(opts["org"])
        path = Path(opts["file"])
        fmt = opts["format"] or path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(_("Write to a file ending in .xlsx or .csv, or give --format."))
        if not path.parent.exists():
            raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
        try:
            count = self._export(opts, org, path, fmt)
        except ValidationError as exc:  # the disk is nearly full
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(_("%(n)s rows written to %(file)s.") % {"n": count, "file": path})

    def _export(self, opts: dict[str, Any], org: Organisation, path: Path, fmt: str) -> int:
        description = _("Command line export of %(org)s") % {"org": org.code}
        if opts["what"] == "all":
            if fmt != "xlsx":
                raise CommandError(_("`export all` writes one workbook with a sheet per kind: give a .xlsx file."))
            return services.export_workbook(actor=None, org=org, out=str(path), description=description)
        if opts["what"] == "members":
            qs = filter_members(Membership.objects.filter(**{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}),
                                status=opts["status"])
            return services.export_members(actor=None, queryset=qs, fmt=fmt, out=str(path), scope=org,
                                           description=f"{description} (status={opts['status']})")
        return services.export_organisations(actor=None, queryset=Organisation.objects.subtree(org), fmt=fmt,
                                             out=str(path), scope=org, description=description)
