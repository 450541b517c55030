"""`chibo upgrade [--dry-run] [--backup FILE]`: after installing a new chibo, with chibo
stopped — back up, apply the migrations, run the checks, and say in plain words how to go back.

1. Refuses while chibo runs (its worker's heartbeat is fresh and its process alive).
2. A backup through the operations backup service (`chibo backup`), by default
   DATA_DIR/backups/chibo-before-upgrade-<date>-<time>.tar.gz; audited.
3. `migrate`. If it fails: stops, says whether the database is as the backup left it (nothing
   applied: each migration runs in its own transaction, so the failing one is undone) or how
   to restore the backup, and exits 1.
4. Django's system checks, the rollups against a fresh count (`chibo rollups --check`) and
   the health checks' migrations; exits 1 if one fails.
5. Prints how to roll back: reinstall the previous version, `chibo restore` the backup.

`--dry-run` lists the migrations that would be applied and changes nothing (no backup, no
database file created)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.operations import backup, health, services


def _fresh_sqlite() -> bool:
    return backup.vendor() == "sqlite" and not backup.sqlite_path().is_file()


def _all_migrations() -> list[str]:
    nodes, _replaces = health._code_migrations()
    return sorted(f"{app}.{name}" for app, name in nodes)


def _running_worker() -> tuple[int, float] | None:
    """(pid, heartbeat age) of a worker that is running now, else None."""
    beat = health.read_heartbeat()
    if beat is None or beat[0] > health.stale_seconds():
        return None
    age, facts = beat
    pid = facts.get("pid")
    if not isinstance(pid, int) or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return pid, age


def _previous_version(current: str) -> str:
    """The version the last `chibo upgrade` installed, if it differs from this one."""
    from chibo.audit.models import AuditEvent

    try:
        found = (AuditEvent.objects.filter(object_type="database", action="upgrade").exclude(object_id=current)
                 .order_by("-at", "-id").values_list("object_id", flat=True).first())
    except DatabaseError:
        return ""
    return found or ""


def _after_move(archive: Path) -> Path:
    """Where the archive is once the data folder has been moved aside to `<folder>.old`."""
    data = Path(settings.DATA_DIR).absolute()
    if archive.is_relative_to(data):
        return data.with_name(data.name + ".old") / archive.relative_to(data)
    return archive


class Command(BaseCommand):
    help = "Back up, apply the database migrations and check, after installing a new version of chibo."
    requires_system_checks: list[str] = []  # run after migrating, below
    _unrecorded: backup.Written | None = None  # a backup taken before the change log's table existed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="list the migrations that would be applied; change nothing")
        parser.add_argument("--backup", metavar="FILE",
                            help="where to write the backup taken first (default: DATA_DIR/backups/"
                                 "chibo-before-upgrade-<date>-<time>.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        version = backup.chibo_version()
        self.stdout.write(_("chibo %(version)s, %(vendor)s database.") % {"version": version,
                                                                          "vendor": backup.vendor()})
        try:
            pending = _all_migrations() if _fresh_sqlite() else health.pending_migrations()
        except DatabaseError as exc:
            raise CommandError(_("The database does not answer (%(error)s). Check CHIBO_DATA_DIR or DATABASE_URL "
                                 "and that the database server runs; nothing was changed.")
                               % {"error": str(exc).strip()[:300]}) from exc
        if options["dry_run"]:
            self._list(pending)
            self.stdout.write(_("Dry run: nothing was changed (no backup taken, no migration applied)."))
            return

        running = _running_worker()
        if running:
            raise CommandError(_("chibo is running (its background worker, process %(pid)s, was alive %(age)s s "
                                 "ago). Stop it first (for example `systemctl stop chibo`), then run `chibo "
                                 "upgrade` again. Nothing was changed.")
                               % {"pid": running[0], "age": int(running[1])})
        previous = _previous_version(version)
        archive = self._backup(options["backup"])
        self._list(pending)
        rollback = self._rollback_steps(archive, previous)
        self._migrate(pending, archive, rollback)
        problems = self._checks()
        try:
            if self._unrecorded is not None:
                written = self._unrecorded
                services.record_backup(archive=str(written.path), size=written.size, sha256=written.sha256)
            if pending:
                services.record_upgrade(version=version, applied=len(pending), archive=str(archive))
        except DatabaseError:
            problems.append(_("the change log could not record the backup and the upgrade"))
        if problems:
            self.stdout.write(rollback)
            raise CommandError(_("The migrations are applied but a check failed: %(problems)s. Fix it as said above, "
                                 "or roll back as described.") % {"problems": "; ".join(problems)})
        self.stdout.write(self.style.SUCCESS(_("Upgrade complete: chibo %(version)s, %(n)s migrations applied, every "
                                               "check passed. Start chibo (`chibo serve`, or `systemctl start "
                                               "chibo`).") % {"version": version, "n": len(pending)}))
        self.stdout.write(rollback)

    def _list(self, pending: list[str]) -> None:
        if not pending:
            self.stdout.write(_("No migration to apply: the database is up to date."))
            return
        self.stdout.write(_("Migrations to apply (%(n)s):") % {"n": len(pending)})
        for name in pending:
            self.stdout.write(f"  {name}")

    def _backup(self, given: str | None) -> Path:
        if given:
            target = Path(given)
        else:
            folder = Path(settings.DATA_DIR) / "backups"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M%S")
            target = folder / f"chibo-before-upgrade-{stamp}.tar.gz"
        if _fresh_sqlite():
            backup.sqlite_path().parent.mkdir(parents=True, exist_ok=True)
            connection.ensure_connection()  # an empty database file: the backup of a new install
        self.stdout.write(_("Backing up to %(path)s …") % {"path": target})
        try:
            written = backup.backup(target)
        except backup.BackupError as exc:
            raise CommandError(_("%(error)s No migration was applied.") % {"error": exc}) from exc
        try:
            services.record_backup(archive=str(written.path), size=written.size, sha256=written.sha256)
        except DatabaseError:  # a new install, or an old schema: recorded once migrated
            self._unrecorded = written
        self.stdout.write(self.style.SUCCESS(_("Backup written: %(path)s (%(mb)s MB, SHA-256 %(sha)s).")
                                             % {"path": written.path, "mb": f"{written.size / 1048576:.1f}",
                                                "sha": written.sha256}))
        return written.path

    def _migrate(self, pending: list[str], archive: Path, rollback: str) -> None:
        if not pending:
            return
        try:
            call_command("migrate", interactive=False, verbosity=1, stdout=getattr(self.stdout, "_out", self.stdout))
        except Exception as exc:
            connection.close()
            try:
                still = set(health.pending_migrations())
            except DatabaseError:
                still = set(pending)
            done = [name for name in pending if name not in still]
            self.stdout.write("")  # after Django's "Applying …" without its "OK"
            self.stdout.write(self.style.ERROR(_("Migrating failed: %(error)s") % {"error": str(exc).strip()[:1000]}))
            if not done:
                state = _("No migration was applied: the database is as the backup left it. The previous version of "
                          "chibo works with it as it is: reinstall it and start chibo, or fix the cause and run "
                          "`chibo upgrade` again (it takes a new backup first).")
            else:
                state = _("%(n)s migrations were applied before the failure (%(names)s); the failing one was undone. "
                          "The database is now between the two versions: do not start chibo. Fix the cause and run "
                          "`chibo upgrade` again, or go back to the backup:") % {
                    "n": len(done), "names": ", ".join(done[:5]) + (" …" if len(done) > 5 else "")}
            self.stdout.write(state)
            if done:
                self.stdout.write(rollback)
            raise CommandError(_("The upgrade stopped: migrating failed. The backup %(path)s holds the data as they "
                                 "were before.") % {"path": archive}) from exc

    def _checks(self) -> list[str]:
        problems: list[str] = []
        self.stdout.write(_("Checking …"))
        try:
            call_command("check", stdout=self.stdout)
        except CommandError as exc:  # SystemCheckError: errors were printed
            self.stderr.write(str(exc))
            problems.append(_("Django's system checks found errors"))
        migrations = health.check_migrations()
        if not migrations.ok:
            problems.append(migrations.detail)
        from chibo.members.services import compare_member_stats

        started = time.monotonic()
        diffs = compare_member_stats()
        if diffs:
            problems.append(_("the rollups differ from a fresh count in %(n)s rows (run `chibo rollups --rebuild`)")
                            % {"n": len(diffs)})
        else:
            self.stdout.write(_("Rollups match a fresh count (checked in %(s).1f s).")
                              % {"s": time.monotonic() - started})
        return problems

    def _rollback_steps(self, archive: Path, previous: str) -> str:
        version = (_("chibo %(version)s (installed by the previous `chibo upgrade`)") % {"version": previous}
                   if previous else _("the version you ran before this upgrade"))
        return "\n".join([
            _("To roll back to the state before this upgrade:"),
            _("  1. Stop chibo (systemctl stop chibo)."),
            _("  2. Reinstall %(version)s in chibo's virtual environment.") % {"version": version},
            _("  3. Move the data folder aside (mv %(data)s %(data)s.old); on PostgreSQL create a new empty database "
              "and point DATABASE_URL at it.") % {"data": Path(settings.DATA_DIR)},
            _("  4. chibo restore %(path)s") % {"path": _after_move(archive)},
            _("  5. Start chibo. Changes made after the upgrade are lost and must be entered again."),
            _("Copy %(path)s away from this machine too: it holds members' personal data.") % {"path": archive},
        ])
