"""`chibo status`: the checks of /healthz with their figures, and what an operator asks first —
chibo's version, the database, the data folder's size and free space, the last backup.
Exits 1 when a check fails (for cron or a monitoring agent on the server)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.operations import backup, health


def database_line() -> str:
    if backup.vendor() == "postgresql":
        db = settings.DATABASES["default"]
        where = f"{db.get('NAME')} @ {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
        return _("PostgreSQL, database %(where)s") % {"where": where}
    return _("SQLite %(version)s, file %(path)s") % {"version": sqlite3.sqlite_version, "path": backup.sqlite_path()}


def last_backup_line() -> str:
    """The last `chibo backup` (or `chibo upgrade`) archive, from its change-log row."""
    from chibo.audit.models import AuditEvent

    try:
        event = (AuditEvent.objects.filter(object_type="database", action="backup").order_by("-at", "-id")
                 .only("at", "object_repr").first())
    except DatabaseError:
        return _("unknown (the database does not answer, or its migrations are not applied)")
    if event is None:
        return _("none recorded — run `chibo backup FILE` (docs/operations.md)")
    path = Path(event.object_repr)
    when = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M")
    if path.is_file():
        return _("%(when)s, %(path)s (%(mb)s MB)") % {"when": when, "path": path,
                                                      "mb": f"{path.stat().st_size / 1048576:.1f}"}
    return _("%(when)s, %(path)s (no longer at that path on this machine)") % {"when": when, "path": path}


class Command(BaseCommand):
    help = "Show chibo's version, database, data folder, last backup and the health checks of /healthz."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        results = health.run_checks()
        data = Path(settings.DATA_DIR)
        self.stdout.write(_("chibo %(version)s") % {"version": backup.chibo_version()})
        self.stdout.write(_("Database: %(db)s") % {"db": database_line()})
        try:
            free = _("%(mb)s MB free on its disk") % {"mb": health.megabytes(health.free_bytes())}
        except OSError:
            free = _("free space unknown")
        self.stdout.write(_("Data folder: %(path)s, %(mb)s MB; %(free)s") % {
            "path": data, "mb": f"{health.folder_bytes(data) / 1048576:.1f}", "free": free})
        self.stdout.write(_("Last backup: %(backup)s") % {"backup": last_backup_line()})
        for result in results:
            label = _("PASSED") if result.ok else _("FAILED")
            line = f"{label}: {result.name} — {result.detail}"
            self.stdout.write(self.style.SUCCESS(line) if result.ok else self.style.ERROR(line))
        failing = [r.name for r in results if not r.ok]
        if failing:
            raise CommandError(_("Not healthy: %(checks)s.") % {"checks": ", ".join(failing)})
