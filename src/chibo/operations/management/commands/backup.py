"""`chibo backup FILE`: one archive of the database (a consistent copy taken while chibo
serves), the stored files, imports and exports, with a manifest and checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chibo.operations import backup, services


class Command(BaseCommand):
    help = "Back up the database and the data folders into one archive (.tar or .tar.gz)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write, e.g. /backup/chibo-2026-12-07.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = backup.backup(Path(options["file"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        services.record_backup(archive=str(written.path), size=written.size, sha256=written.sha256)
        counts = written.manifest["counts"]
        self.stdout.write(self.style.SUCCESS(
            _("Backup written: %(path)s (%(mb)s MB, SHA-256 %(sha)s).")
            % {"path": written.path, "mb": f"{written.size / 1048576:.1f}", "sha": written.sha256}))
        self.stdout.write(_("Database: %(vendor)s, %(tables)s tables; %(main)s. Files: %(files)s.") % {
            "vendor": written.manifest["database"]["vendor"], "tables": len(counts),
            "main": ", ".join(f"{t} {counts.get(t, 0)}" for t in backup.MAIN_TABLES),
            "files": len(written.manifest["files"]) - 1})
        self.stdout.write(_("Keep a copy away from this machine; check it with `chibo restore` into an empty "
                            "place (docs/operations.md)."))
