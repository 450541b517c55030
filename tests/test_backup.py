"""`chibo backup` and `chibo restore`, run as an operator runs them: separate processes on a
database of the suite's kind (a SQLite file in WAL mode, or a scratch PostgreSQL database).

A writer process keeps entering members through the services and writes each one down once
member_create has returned (its transaction committed: the member is acknowledged). A backup
taken meanwhile, restored into an empty place, holds every member acknowledged before it
started; a plain copy of the SQLite file, taken the same way, does not (the last commits are
still in the -wal file beside it)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from chibo.devtools.bench import empty_database_env

ROOT = Path(__file__).resolve().parents[1]
ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
PDF = b"%PDF-1.4\n% Nghi quyet\n" + bytes(range(256)) * 40

WRITER = """
import datetime as dt, os, sys
import django
django.setup()
from chibo.documents import services as documents
from chibo.members import services as members
from chibo.organisations import services as orgs

acks, stop, pdf = sys.argv[1], sys.argv[2], sys.argv[3]
day = dt.date(2000, 1, 1)
created = orgs.bulk_create_organisations([
    {"code": "P", "name": "Đảng bộ tỉnh", "kind": "province", "valid_from": day},
    {"code": "X", "name": "Đảng bộ xã", "kind": "commune", "parent_code": "P", "valid_from": day},
    {"code": "A", "name": "Chi bộ A", "kind": "grassroots_cell", "parent_code": "X", "valid_from": day},
], actor=None)
documents.document_publish(actor=None, organisation=created[1], kind="regulation", issuer="Đảng ủy xã",
                           number="01-NQ/ĐU", title="Nghị quyết", issued_on=day,
                           file=(open(pdf, "rb").read(), "Nghị quyết.pdf"))

def one(i):
    m = members.member_create(
        actor=None, organisation=created[2], status="official", admission_date=dt.date(2010, 3, 2),
        official_date=dt.date(2011, 3, 2),
        person_data={"family_name": "Nguyễn", "middle_name": "Văn", "given_name": f"Thử {i}", "sex": "M",
                     "birth_date": dt.date(1980, 5, 17), "ethnicity": "01", "citizen_id": f"0521{i:08d}"})
    with open(acks, "a") as out:  # member_create returned: committed, acknowledged
        out.write(m.person.citizen_id + "\\n")

i = 0
while not os.path.exists(stop):
    one(i)
    i += 1
print("holding", flush=True)  # the connection stays open, as a serving chibo's does
for line in sys.stdin:
    one(i)
    i += 1
    print("ok", flush=True)
"""

READ = """
import json
import django
django.setup()
from chibo.audit.models import AuditEvent
from chibo.members.models import Membership, Person
print(json.dumps({"ids": sorted(Person.objects.values_list("citizen_id", flat=True)),
                  "memberships": Membership.objects.count(),
                  "audit": sorted(set(AuditEvent.objects.filter(object_type="database")
                                      .values_list("action", flat=True)))}))
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _chibo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "-m", "chibo", *args)


def _read(env: dict[str, str]) -> dict[str, Any]:
    done = _run(env, "-c", READ)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _acks(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _wait_for(path: Path, n: int) -> None:
    deadline = time.monotonic() + 120
    while len(_acks(path)) < n:
        assert time.monotonic() < deadline, f"the writer acknowledged only {len(_acks(path))} members"
        time.sleep(0.05)


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("MANIFEST.json")
        assert member is not None
        return json.loads(member.read())


def _environment(tmp: Path) -> Iterator[dict[str, str]]:
    env, drop = empty_database_env(tmp)
    env.update(DJANGO_SETTINGS_MODULE="chibo.settings")
    try:
        yield env
    finally:
        drop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _environment(tmp_path / "live")


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield from _environment(tmp_path / "empty")


class Writer:
    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.acks, self.stop, pdf = tmp / "acks.txt", tmp / "stop", tmp / "qd.pdf"
        pdf.write_bytes(PDF)
        migrated = _chibo(env, "migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, str(self.acks), str(self.stop), str(pdf)],
                                        env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=(tmp / "writer.err").open("w"), text=True)

    def hold(self) -> None:
        """Stop the loop; the writer keeps its connection open and writes one more on request."""
        self.stop.touch()
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "holding"

    def one_more(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("more\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def close(self) -> None:
        self.stop.touch()
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def test_backup_during_writes_restores_every_acknowledged_member(live: dict[str, str], empty: dict[str, str],
                                                                 tmp_path: Path) -> None:
    archive = tmp_path / "chibo-backup.tar.gz"
    writer = Writer(live, tmp_path)
    try:
        _wait_for(writer.acks, 20)
        before = set(_acks(writer.acks))
        backed_up = _chibo(live, "backup", str(archive))
        during = len(_acks(writer.acks)) - len(before)
        _wait_for(writer.acks, len(before) + during + 5)  # and the writer went on after it
        writer.hold()
    finally:
        writer.close()
    assert backed_up.returncode == 0, backed_up.stderr[-3000:]
    assert archive.stat().st_mode & 0o077 == 0  # members' personal data: for chibo's own user only
    assert during > 0, "no member was written while the backup ran"
    acknowledged = set(_acks(writer.acks))

    restored = _chibo(empty, "restore", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr[-3000:]
    copy = _read(empty)
    ids = set(copy["ids"])
    assert before <= ids, f"{len(before - ids)} acknowledged members lost"
    assert ids <= acknowledged  # nothing half-written or invented
    assert len(ids) < len(acknowledged)  # the copy is of one moment, taken while writes went on
    manifest = _manifest(archive)
    assert manifest["counts"]["members_person"] == len(ids) == copy["memberships"]
    assert manifest["counts"]["members_membership"] == copy["memberships"]
    assert manifest["database"]["vendor"] == ("sqlite" if ON_SQLITE else "postgresql")
    stored = list((Path(empty["CHIBO_DATA_DIR"]) / "files" / "documents").glob("*/*.pdf"))
    assert [p.read_bytes() for p in stored] == [PDF]
    assert copy["audit"] == ["restore"]  # the backup's own row is written after its copy
    assert _read(live)["audit"] == ["backup"]


@pytest.mark.skipif(not ON_SQLITE, reason="the -wal file is SQLite's")
def test_plain_copy_of_a_live_sqlite_file_loses_acknowledged_members(live: dict[str, str], empty: dict[str, str],
                                                                     tmp_path: Path) -> None:
    database = Path(live["CHIBO_DATA_DIR"]) / "chibo.sqlite3"
    copied = tmp_path / "cp" / "chibo.sqlite3"
    copied.parent.mkdir()
    writer = Writer(live, tmp_path)
    try:
        _wait_for(writer.acks, 30)
        writer.hold()
        for _attempt in range(5):  # a commit that has just been checkpointed is followed by one that is not
            shutil.copyfile(database, copied)  # what `cp chibo.sqlite3 …` does
            conn = sqlite3.connect(copied)
            in_copy = {r[0] for r in conn.execute("SELECT citizen_id FROM members_person")}
            conn.close()
            lost = set(_acks(writer.acks)) - in_copy
            if lost:
                break
            writer.one_more()
        assert lost, "the plain copy held every acknowledged member"
        backed_up = _chibo(live, "backup", str(tmp_path / "chibo-backup.tar"))  # same moment, same live database
        assert backed_up.returncode == 0, backed_up.stderr[-3000:]
    finally:
        writer.close()
    restored = _chibo(empty, "restore", str(tmp_path / "chibo-backup.tar"))
    assert restored.returncode == 0, restored.stdout + restored.stderr[-3000:]
    assert set(_read(empty)["ids"]) == set(_acks(writer.acks))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """A small database with members and a stored file, and its backup (a plain .tar)."""
    tmp = tmp_path_factory.mktemp("backup-source")
    for env in _environment(tmp / "source"):
        writer = Writer(env, tmp)
        try:
            _wait_for(writer.acks, 3)
            writer.hold()
        finally:
            writer.close()
        backed_up = _chibo(env, "backup", str(tmp / "chibo.tar"))
        assert backed_up.returncode == 0, backed_up.stderr[-3000:]
        yield env, tmp / "chibo.tar"


def _is_empty(env: dict[str, str]) -> bool:
    data = Path(env["CHIBO_DATA_DIR"])
    no_files = not any(p.is_file() for folder in ("files", "imports", "exports") for p in (data / folder).rglob("*"))
    if not ON_SQLITE:
        tables = _run(env, "-c", "import django; django.setup(); from django.db import connection; "
                      "print(len(connection.introspection.table_names()))")
        return no_files and tables.stdout.strip() == "0"
    database = data / "chibo.sqlite3"
    if not database.exists():
        return no_files
    conn = sqlite3.connect(database)
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    conn.close()
    return no_files and tables == 0


def test_restore_refuses_a_database_that_has_data(archive: tuple[dict[str, str], Path]) -> None:
    source, path = archive
    before = _read(source)
    refused = _chibo(source, "restore", str(path))
    assert refused.returncode == 1
    assert "trống" in refused.stderr  # says it restores only into an empty place, and how to get one
    assert _read(source) == before


def test_restore_refuses_a_non_empty_files_folder(archive: tuple[dict[str, str], Path], empty: dict[str, str]) -> None:
    left = Path(empty["CHIBO_DATA_DIR"]) / "files" / "documents" / "old.pdf"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"%PDF-1.4 an older file")
    refused = _chibo(empty, "restore", str(archive[1]))
    assert refused.returncode == 1
    assert "files" in refused.stderr
    left.unlink()
    assert _is_empty(empty)  # nothing was restored


def test_restore_refuses_an_archive_with_one_byte_changed(archive: tuple[dict[str, str], Path],
                                                          empty: dict[str, str], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.tar"
    shutil.copyfile(archive[1], damaged)
    with tarfile.open(damaged) as tar:
        database = next(m for m in tar.getmembers() if m.name.startswith("database/"))
    with damaged.open("r+b") as handle:  # a byte in the middle of the database copy; the tar stays readable
        handle.seek(database.offset_data + database.size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0x40]))
    refused = _chibo(empty, "restore", str(damaged))
    assert refused.returncode == 1
    assert "database/" in refused.stderr  # names what differs
    assert _is_empty(empty)

    restored = _chibo(empty, "restore", str(archive[1]))  # the undamaged archive restores there
    assert restored.returncode == 0, restored.stdout + restored.stderr[-3000:]
    assert _read(empty)["ids"] == _read(archive[0])["ids"]


def _rewritten(source: Path, dest: Path, *, counts: dict[str, int] | None = None, drop: str = "") -> Path:
    """The archive with its manifest changed and its checksums made to agree: what verification
    after the restore, not the checksums, must catch."""
    with tarfile.open(source) as tar, tarfile.open(dest, "w") as out:
        manifest = _manifest(source)
        manifest["counts"].update(counts or {})
        manifest["files"] = {n: e for n, e in manifest["files"].items() if not n.startswith(drop or "\0")}
        text = json.dumps(manifest).encode()
        for info in tar.getmembers():
            if drop and info.name.startswith(drop):
                continue
            data = {"MANIFEST.json": text, "MANIFEST.sha256": f"{hashlib.sha256(text).hexdigest()}  MANIFEST.json\n"
                    .encode()}.get(info.name)
            if data is None:
                member = tar.extractfile(info)
                assert member is not None
                data = member.read()
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


def test_restore_fails_when_rows_differ_from_the_manifest(archive: tuple[dict[str, str], Path], empty: dict[str, str],
                                                          tmp_path: Path) -> None:
    counts = _manifest(archive[1])["counts"]
    changed = _rewritten(archive[1], tmp_path / "x.tar", counts={"members_person": counts["members_person"] + 1})
    done = _chibo(empty, "restore", str(changed))
    assert done.returncode == 1
    failed = [line for line in done.stdout.splitlines() if line.startswith("KHÔNG ĐẠT")]
    assert len(failed) == 1 and "members_person" in failed[0], done.stdout


def test_restore_fails_when_a_file_the_database_names_is_missing(archive: tuple[dict[str, str], Path],
                                                                 empty: dict[str, str], tmp_path: Path) -> None:
    changed = _rewritten(archive[1], tmp_path / "x.tar", drop="data/files/documents/")
    done = _chibo(empty, "restore", str(changed))
    assert done.returncode == 1
    failed = [line for line in done.stdout.splitlines() if line.startswith("KHÔNG ĐẠT")]
    assert len(failed) == 1 and "documents/" in failed[0], done.stdout
