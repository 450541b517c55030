"""One archive holds everything chibo keeps: a consistent copy of the database taken while chibo
serves, the stored files, the import uploads and the export files, and a manifest with the
counts of every table and the SHA-256 of every member (docs/operations.md).

Layout of the archive (tar, gzip-compressed when its name ends in .gz or .tgz):
    database/chibo.sqlite3 | database/chibo.pgdump   the database copy
    data/files/…, data/imports/…, data/exports/…     the folders of DATA_DIR
    MANIFEST.json                                     written last, once everything is hashed
    MANIFEST.sha256                                   the manifest's own checksum

The database is copied first, then the folders: a file is written before the row that names
it commits and files are never removed, so every file the copy names is in the archive."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
FOLDERS = ("files", "imports", "exports")  # under DATA_DIR; static/ is rebuilt by `chibo serve`
MANIFEST = "MANIFEST.json"
MANIFEST_SUM = "MANIFEST.sha256"
SQLITE_MEMBER = "database/chibo.sqlite3"
PG_MEMBER = "database/chibo.pgdump"
CHUNK = 1024 * 1024
# The tables the reports name first; every table is counted.
MAIN_TABLES = ("organisations_organisation", "members_person", "members_membership", "members_membershipevent",
               "accounts_user", "audit_auditevent")


class BackupError(Exception):
    """Something the person running the command must fix; the message says how."""


@dataclass
class Check:
    ok: bool
    text: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    def add(self, ok: bool, text: str) -> None:
        self.checks.append(Check(ok, text))

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


# --- Shared -------------------------------------------------------------------------

def vendor() -> str:
    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def chibo_version() -> str:
    try:
        return metadata.version("chibo")
    except metadata.PackageNotFoundError:
        return "unknown"


def _compressed(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f}"


def _tree_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, _dirs, names in os.walk(root):
        for name in sorted(names):
            yield Path(dirpath) / name


def _tree_size(root: Path) -> int:
    total = 0
    for path in _tree_files(root):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


class _Hashing(io.RawIOBase):
    """Reads through a file, hashing what tarfile copies (exactly `size` bytes)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.handle.read(n)
        self.digest.update(data)
        return data


def _writer(path: Path, *, compressed: bool) -> tarfile.TarFile:
    # gzip level 6: the province of docs/operations.md in 69 s instead of 162 s at 9, 2% larger.
    if compressed:
        return tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
    return tarfile.open(path, "w", format=tarfile.PAX_FORMAT)


def _add(tar: tarfile.TarFile, path: Path, name: str, sums: dict[str, dict[str, Any]]) -> None:
    """Add one file as it is now; a file removed meanwhile (a job's progress.tmp) is skipped."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(os.fstat(handle.fileno()).st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
        sums[name] = {"size": size, "sha256": reader.digest.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- SQLite ---------------------------------------------------------------------------

def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
    tables = _sqlite_tables(conn)
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    migrations = ([f"{a}.{n}" for a, n in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
                  if "django_migrations" in tables else [])
    return counts, migrations


def _sqlite_snapshot(dest: Path) -> tuple[dict[str, int], list[str]]:
    """Copy the live database with SQLite's backup API: one step, inside one read transaction,
    so the copy is the database as it was at one instant — the commits still in the -wal file
    included, and writers never blocked (WAL)."""
    source_path = sqlite_path()
    if not source_path.is_file():
        raise BackupError(_("There is no database at %(path)s. Check CHIBO_DATA_DIR (or SQLITE_PATH).")
                          % {"path": source_path})
    source = sqlite3.connect(source_path, timeout=60)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # pages=-1: all at once, one consistent snapshot
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        result = target.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise BackupError(_("The copy of the database failed SQLite's integrity check (%(result)s). The live "
                                "database may be damaged: keep your older backups and ask for technical help.")
                              % {"result": "; ".join(str(r[0]) for r in result[:5])})
        return _sqlite_facts(target)
    finally:
        target.close()


# --- PostgreSQL -----------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(_("The PostgreSQL program %(name)s is not installed. Install the postgresql-client "
                            "package of your server's version and run the command again.") % {"name": name})
    return found


def _pg_facts() -> tuple[dict[str, int], list[str]]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [r[0] for r in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
        migrations: list[str] = []
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = [f"{a}.{n}" for a, n in cursor.fetchall()]
    return counts, migrations


def _pg_snapshot(dest: Path) -> tuple[dict[str, int], list[str]]:
    """pg_dump in the custom format, sharing one exported snapshot with the counts, so the
    manifest counts exactly what the dump holds while chibo goes on writing."""
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        done = subprocess.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dest}"],
                              env=_pg_env(), capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(_("pg_dump failed: %(error)s. Check that pg_dump is the server's version or newer "
                                "and that DATABASE_URL's user may read every table.") % {"error": done.stderr.strip()})
        return _pg_facts()


def _pg_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


# --- Backup ---------------------------------------------------------------------------

@dataclass
class Written:
    path: Path
    size: int
    sha256: str
    manifest: dict[str, Any]


def backup(target: Path) -> Written:
    """Write the archive to `target` (a temporary name first, renamed once complete)."""
    target = target.absolute()
    if target.exists():
        raise BackupError(_("%(path)s already exists. Give the backup a new name, for example with today's date.")
                          % {"path": target})
    if not target.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist. Create it or choose another place for the backup.")
                          % {"path": target.parent})
    kind = vendor()
    db_size = _pg_size() if kind == "postgresql" else sum(
        p.stat().st_size for p in (sqlite_path(), Path(f"{sqlite_path()}-wal")) if p.is_file())
    data_size = sum(_tree_size(data_dir() / f) for f in FOLDERS)
    needed = 2 * (db_size + data_size) + CHUNK  # the database copy, then the archive beside it
    free = shutil.disk_usage(target.parent).free
    if free < needed:
        raise BackupError(_("Not enough free space in %(path)s: the backup needs about %(need)s MB and %(free)s MB "
                            "are free. Free some space or write the backup to another disk.")
                          % {"path": target.parent, "need": _mb(needed), "free": _mb(free)})

    staging = Path(tempfile.mkdtemp(prefix=".chibo-backup-", dir=target.parent))
    partial = target.with_name(f".{target.name}.partial")
    try:
        started = timezone.now()
        if kind == "postgresql":
            db_copy, member = staging / "chibo.pgdump", PG_MEMBER
            counts, migrations = _pg_snapshot(db_copy)
        else:
            db_copy, member = staging / "chibo.sqlite3", SQLITE_MEMBER
            counts, migrations = _sqlite_snapshot(db_copy)
        sums: dict[str, dict[str, Any]] = {}
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)  # personal data: readable by chibo's own user only
        with _writer(partial, compressed=_compressed(target)) as tar:
            _add(tar, db_copy, member, sums)
            db_copy.unlink()
            for folder in FOLDERS:
                root = data_dir() / folder
                for path in _tree_files(root):
                    _add(tar, path, "data/" + path.relative_to(data_dir()).as_posix(), sums)
            manifest = {
                "format": FORMAT,
                "chibo_version": chibo_version(),
                "created_at": started.isoformat(),
                "database": {"vendor": kind, "member": member},
                "migrations": migrations,
                "counts": counts,
                "files": sums,
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add_bytes(tar, MANIFEST, text)
            _add_bytes(tar, MANIFEST_SUM, f"{hashlib.sha256(text).hexdigest()}  {MANIFEST}\n".encode())
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    return Written(target, target.stat().st_size, _sha256(target), manifest)


# --- Restore --------------------------------------------------------------------------

def _target_problems() -> list[str]:
    """Why the configured database and data folders are not an empty place to restore into."""
    problems = []
    if vendor() == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            tables = cursor.fetchone()[0]
        if tables:
            problems.append(_("the database %(name)s already has %(n)s tables")
                            % {"name": settings.DATABASES["default"]["NAME"], "n": tables})
    else:
        path = sqlite_path()
        if path.is_file():
            conn = sqlite3.connect(path)
            try:
                tables = len(_sqlite_tables(conn))
            finally:
                conn.close()
            if tables:
                problems.append(_("the database %(name)s already has %(n)s tables") % {"name": path, "n": tables})
    for folder in FOLDERS:
        root = data_dir() / folder
        if next(_tree_files(root), None) is not None:
            problems.append(_("the folder %(path)s is not empty") % {"path": root})
    return problems


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and (
        name in (SQLITE_MEMBER, PG_MEMBER, MANIFEST, MANIFEST_SUM)
        or (len(parts) >= 3 and parts[0] == "data" and parts[1] in FOLDERS))


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Extract into `staging`, hashing each member; refuse (BackupError) unless every member's
    checksum matches the manifest and every file the manifest names is there."""
    damaged = _("The archive %(path)s is damaged (%(error)s). Nothing was restored. Use another copy of the "
                "backup.")
    seen: dict[str, str] = {}
    manifest_bytes = b""
    manifest_sum = ""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                if not info.isfile() or not _safe_member(info.name):
                    raise BackupError(damaged % {"path": archive, "error": _("unexpected entry %(name)s")
                                                 % {"name": info.name}})
                source = tar.extractfile(info)
                assert source is not None
                if info.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                if info.name == MANIFEST_SUM:
                    manifest_sum = source.read().decode("ascii", "replace").split(" ")[0]
                    continue
                dest = staging / info.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with dest.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[info.name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(damaged % {"path": archive, "error": exc}) from exc
    if not manifest_bytes or hashlib.sha256(manifest_bytes).hexdigest() != manifest_sum:
        raise BackupError(damaged % {"path": archive, "error": _("its manifest is missing or altered")})
    manifest: dict[str, Any] = json.loads(manifest_bytes)
    expected = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    wrong = sorted(n for n in set(expected) | set(seen) if expected.get(n) != seen.get(n))
    if wrong:
        raise BackupError(damaged % {"path": archive, "error": _("checksum differs for %(names)s")
                                     % {"names": ", ".join(wrong[:5])}})
    return manifest


def _place(manifest: dict[str, Any], staging: Path) -> None:
    member = manifest["database"]["member"]
    if manifest["database"]["vendor"] == "postgresql":
        pg_restore = _pg_tool("pg_restore")
        connection.close()
        done = subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                               f"--dbname={settings.DATABASES['default']['NAME']}", str(staging / member)],
                              env=_pg_env(), capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(_("pg_restore failed: %(error)s. The database was left as it was (the restore runs "
                                "in one transaction); fix the cause and run the command again.")
                              % {"error": done.stderr.strip()[-2000:]})
    else:
        connection.close()
        path = sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):  # an empty database's files
            leftover.unlink(missing_ok=True)
        shutil.move(staging / member, path)
    for folder in FOLDERS:
        unpacked = staging / "data" / folder
        if unpacked.is_dir():
            dest = data_dir() / folder
            if dest.is_dir():
                shutil.rmtree(dest)  # checked empty before anything was unpacked
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(unpacked, dest)


def _code_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _named_files() -> set[str]:
    """The attached files the database names (every model's `file` path under DATA_DIR/files)."""
    named: set[str] = set()
    for model in apps.get_models():
        try:
            field = model._meta.get_field("file")
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.CharField):
            named.update(model._base_manager.exclude(file="").values_list("file", flat=True))
    return named


def verify(manifest: dict[str, Any]) -> Report:
    """Check the restored database against the manifest: integrity, migrations, rollups, counts,
    and the files on disk."""
    from chibo.members.services import compare_member_stats

    report = Report()
    if vendor() != manifest["database"]["vendor"]:
        report.add(False, _("The backup is of a %(theirs)s database, this chibo uses %(ours)s.")
                   % {"theirs": manifest["database"]["vendor"], "ours": vendor()})
        return report
    if vendor() == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = [r[0] for r in cursor.fetchall()]
        report.add(result == ["ok"], _("Integrity check: %(result)s") % {"result": "; ".join(result[:5])})
        live = sqlite3.connect(sqlite_path())
        try:
            counts, migrations = _sqlite_facts(live)
        finally:
            live.close()
    else:
        counts, migrations = _pg_facts()
    applied = set(migrations)
    report.add(migrations == manifest["migrations"],
               _("Migrations: %(n)s applied, as in the manifest") % {"n": len(migrations)}
               if migrations == manifest["migrations"] else
               _("Migrations differ from the manifest: %(n)s applied, the manifest lists %(m)s")
               % {"n": len(migrations), "m": len(manifest["migrations"])})
    code = _code_migrations()
    unknown = sorted(applied - code)
    if unknown:
        report.add(False, _("The backup was made by a newer chibo (unknown migrations: %(names)s). Install chibo "
                            "%(version)s or newer and restore again.")
                   % {"names": ", ".join(unknown[:5]), "version": manifest["chibo_version"]})
    pending = code - applied
    if pending:
        report.add(True, _("The backup was made by an older chibo: %(n)s migrations will be applied by "
                           "`chibo serve`; then run `chibo rollups --check`.") % {"n": len(pending)})
    else:
        diffs = compare_member_stats()
        report.add(not diffs, _("Rollups match a fresh count") if not diffs else
                   _("Rollups differ from a fresh count in %(n)s rows: run `chibo rollups --rebuild`.")
                   % {"n": len(diffs)})
    expected = manifest["counts"]
    wrong = sorted(t for t in set(expected) | set(counts) if expected.get(t) != counts.get(t))
    for table in wrong[:20]:
        report.add(False, _("Table %(table)s: %(n)s rows, the manifest says %(m)s")
                   % {"table": table, "n": counts.get(table, 0), "m": expected.get(table, 0)})
    if not wrong:
        main = ", ".join(f"{t} {counts.get(t, 0)}" for t in MAIN_TABLES)
        report.add(True, _("Rows in all %(n)s tables equal the manifest (%(main)s)") % {"n": len(counts), "main": main})
    if not pending:
        named = _named_files()
        gone = sorted(n for n in named if not (data_dir() / "files" / n).is_file())
        report.add(not gone, _("Files named by the database: %(n)s, all present") % {"n": len(named)} if not gone else
                   _("Files named by the database but missing: %(names)s") % {"names": ", ".join(gone[:5])})
    files = {n: e for n, e in manifest["files"].items() if n.startswith("data/")}
    missing = [n for n, e in files.items()
               if not (data_dir() / n.removeprefix("data/")).is_file()
               or (data_dir() / n.removeprefix("data/")).stat().st_size != e["size"]]
    report.add(not missing, _("Files: %(n)s restored, checksums verified") % {"n": len(files)} if not missing else
               _("Files missing or of the wrong size: %(names)s") % {"names": ", ".join(sorted(missing)[:5])})
    return report


def restore(archive: Path) -> tuple[dict[str, Any], Report]:
    """Restore into an empty database and empty data folders, then verify."""
    archive = archive.absolute()
    if not archive.is_file():
        raise BackupError(_("There is no file %(path)s. Give the path of a backup made by `chibo backup`.")
                          % {"path": archive})
    problems = _target_problems()
    if problems:
        raise BackupError(_("chibo restores only into an empty database and empty data folders, and here %(what)s. "
                            "Nothing was changed. Point CHIBO_DATA_DIR (or DATABASE_URL) at a new, empty place, or "
                            "move the current data away first.") % {"what": "; ".join(problems)})
    data_dir().mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".chibo-restore-", dir=data_dir()))
    try:
        manifest = _unpack(archive, staging)
        if manifest["database"]["vendor"] != vendor():
            raise BackupError(_("The backup is of a %(theirs)s database, this chibo uses %(ours)s. Set DATABASE_URL "
                                "accordingly and run the command again.")
                              % {"theirs": manifest["database"]["vendor"], "ours": vendor()})
        _place(manifest, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest, verify(manifest)


def created_on(manifest: dict[str, Any]) -> str:
    return dt.datetime.fromisoformat(manifest["created_at"]).astimezone(timezone.get_current_timezone()).strftime(
        "%d/%m/%Y %H:%M")
