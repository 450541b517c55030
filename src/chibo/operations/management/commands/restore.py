"""`chibo restore FILE`: unpack a `chibo backup` archive into an empty database and empty data
folders, then verify it (integrity, migrations, rollups, counts against the manifest).
Exits 1 on any difference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from chibo.operations import backup, services


class Command(BaseCommand):
    help = "Restore a backup into an empty database and empty data folders, then verify it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an archive written by `chibo backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest, report = backup.restore(Path(options["file"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup of %(date)s, chibo %(version)s, %(vendor)s database.") % {
            "date": backup.created_on(manifest), "version": manifest["chibo_version"],
            "vendor": manifest["database"]["vendor"]})
        for check in report.checks:
            label = _("PASSED") if check.ok else _("FAILED")
            line = f"{label}: {check.text}"
            self.stdout.write(self.style.SUCCESS(line) if check.ok else self.style.ERROR(line))
        try:
            services.record_restore(archive=str(Path(options["file"]).absolute()), ok=report.ok)
        except DatabaseError:  # an older schema: the audit row waits for nothing, the report says it all
            self.stdout.write(_("(No audit row written: the restored database needs its migrations first.)"))
        if not report.ok:
            raise CommandError(_("The restored data do not match the backup's manifest (the lines marked %(failed)s above). "
                                 "Do not use this copy; restore another backup into a new empty place.") % {"failed": _("FAILED")})
        self.stdout.write(self.style.SUCCESS(_("Restore complete and verified. Start chibo with `chibo serve`.")))
