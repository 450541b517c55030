"""`chibo import FILE [--dry-run] [--org ORG] [--valid-only]`: the same import, validation
and messages as the web. Without --dry-run the import is all-or-nothing unless --valid-only,
which imports the valid rows and writes the rejected ones, with an error column, next to FILE."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chibo import access
from chibo.core.commands import json_errors
from chibo.exchange.importer import Result, run_import
from chibo.exchange.reader import FileRefused, read
from chibo.exchange.writers import write_xlsx
from chibo.organisations.commands import find_organisation
from chibo.organisations.models import Organisation

KIND_LABELS = {"localities": "Địa bàn", "organisations": "Tổ chức đảng", "persons": "Người dân",
               "members": "Đảng viên", "posts": "Chức vụ"}
SHOW = 200


class Command(BaseCommand):
    help = "Import localities, organisations, members and posts from an XLSX or CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
        parser.add_argument("--org", help="limit the import to this organisation's subtree (code)")
        parser.add_argument("--valid-only", action="store_true",
                            help="import the valid rows; write the rejected rows to FILE-loi.xlsx")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    @json_errors
    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("The file %(file)s does not exist.") % {"file": path})
        org = None
        if opts["org"]:
            org = find_organisation(opts["org"])
        try:
            sheets = read(path.read_bytes(), path.name)
        except FileRefused as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()

        def progress(kind: str, done: int, total: int) -> None:
            if not opts["json"]:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {KIND_LABELS[kind]}: {done}/{total}")

        told: list[bool] = []

        def waiting() -> None:
            if not told:
                told.append(True)
                self.stderr.write(_("Another import is running on this database. This one starts as soon as it "
                                    "finishes…"))

        result = run_import(sheets, actor=None, scope=access.scope_for_command(org), dry_run=opts["dry_run"],
                            valid_only=opts["valid_only"], progress=progress, on_wait=waiting)
        rejected_file = None
        if opts["valid_only"] and result.rejected and not opts["dry_run"]:
            rejected_file = path.with_name(f"{path.stem}-loi.xlsx")
            write_xlsx(str(rejected_file), [(name[:31], headers, rows) for name, (headers, rows) in result.rejected.items()])
        quality = self._quality(org) if result.committed else []
        if opts["json"]:
            self.stdout.write(json.dumps({**result.as_dict(), "rejected_file": str(rejected_file or ""),
                                          "quality": quality}, ensure_ascii=False, default=str, indent=2))
            self.json_printed = True
        else:
            self._print(result, rejected_file)
            for line in quality:
                self.stdout.write(line)
        if result.partial:
            raise CommandError(_("The import stopped part-way and part of it could not be withdrawn (see the last "
                                 "error). Run the same import again to complete it: the rows already imported will "
                                 "be counted as unchanged."))
        if result.errors and not result.committed and not opts["dry_run"]:
            raise CommandError(_("Nothing was imported: correct the %(n)s errors above and import again, or use "
                                 "--valid-only to import the valid rows.") % {"n": len(result.errors)})
        if result.errors and opts["dry_run"]:  # a check that finds errors fails, so scripts can stop there
            raise CommandError(_("The check found %(n)s errors: as it stands the file would not be imported. "
                                 "Correct them and check again, or use --valid-only to import the valid rows.")
                               % {"n": len(result.errors)})

    def _quality(self, org: Organisation | None) -> list[str]:
        """The data-quality checks run after every import: their summary, as lines."""
        from chibo.quality import services as quality
        from chibo.quality.checks import run_checks, summary_lines

        lines = []
        for top in [org] if org else Organisation.objects.filter(parent__isnull=True, valid_to__isnull=True):
            lines.append(f"\n{top.name}:")
            report = run_checks(top)
            quality.remember(report)
            lines.extend(f"  {line}" for line in summary_lines(report))
        lines.append(_("Details: chibo check-data CODE, or the “Data quality” page."))
        return lines

    def _print(self, result: Result, rejected_file: Path | None) -> None:
        for kind, o in result.outcomes.items():
            if o.create or o.update or o.unchanged or o.rejected:
                self.stdout.write(_("%(kind)s: %(c)s new, %(u)s changed, %(n)s unchanged, %(r)s rejected") % {
                    "kind": KIND_LABELS[kind], "c": o.create, "u": o.update, "n": o.unchanged, "r": o.rejected})
        for title, issues in ((_("Errors"), result.errors), (_("Warnings"), result.warnings),
                              (_("Converted and tidied"), result.converted)):
            if issues:
                self.stdout.write(f"\n{title} ({len(issues)}):")
                for issue in issues[:SHOW]:
                    self.stdout.write(f"  {issue.where()}: {issue.message}")
                if len(issues) > SHOW:
                    self.stdout.write(_("  … and %(n)s more.") % {"n": len(issues) - SHOW})
        if result.changes:
            self.stdout.write(f"\n{_('Changes')} ({len(result.changes)}):")
            for change in result.changes[:SHOW]:
                self.stdout.write(f"  {change}")
        if rejected_file:
            self.stdout.write(_("\nThe rejected rows, with an error column, are in %(file)s.") % {"file": rejected_file})
        if result.dry_run:
            self.stdout.write(_("\nDry run: nothing was written."))
        elif result.committed:
            self.stdout.write(self.style.SUCCESS(_("\nImported.")))
