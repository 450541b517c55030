"""Issue 11, point 4: imports do not lock others out. On a SQLite file database (as in
production: WAL, BEGIN IMMEDIATE, 20 s busy timeout), a long import — its check, then the
import — runs in one thread while other threads keep adding members through the services.
No write may fail and none may wait more than a few seconds; a second import started
meanwhile waits for the first and is told so; the check writes nothing; the preview is
what the import then did. A separate process, because the test database of pytest-django
lives in memory, where SQLite locks differently."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from chibo import access
from chibo.audit.models import AuditEvent
from chibo.devtools.bench import empty_database_env
from chibo.exchange import importer
from chibo.exchange.importer import run_import
from chibo.exchange.reader import read
from chibo.indicators.figures import indicators
from chibo.indicators.services import refresh_cells
from chibo.members.models import Membership, Person
from chibo.members.services import compare_member_stats
from chibo.organisations.models import Organisation
from tests.served import python
from tests.test_import import MEMBER_HEADERS, member_row, xlsx

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 12_000  # the import took about 4 s on one core in a single transaction before
MAX_WAIT_SECONDS = 3.0

SETUP = """
import datetime as dt
import django
django.setup()
from chibo.organisations import services as orgs

day = dt.date(2000, 1, 1)
orgs.bulk_create_organisations([
    {"code": "P", "name": "Đảng bộ tỉnh", "kind": "province", "valid_from": day},
    {"code": "X", "name": "Đảng bộ xã", "kind": "commune", "parent_code": "P", "valid_from": day},
    {"code": "A", "name": "Chi bộ A", "kind": "grassroots_cell", "parent_code": "X", "valid_from": day},
    {"code": "B", "name": "Chi bộ B", "kind": "grassroots_cell", "parent_code": "X", "valid_from": day},
], actor=None)
"""

# Another process (as a web worker is): adds members to cell B through the service until the
# import's process says it is done; prints how long each write took and what failed.
WRITER = """
import datetime as dt, json, os, sys, time
import django
django.setup()
from chibo.members import services as members
from chibo.organisations.models import Organisation

n, stop = sys.argv[1], sys.argv[2]
cell = Organisation.objects.get(code="B")
waits, failures, i, slow = [], [], 0, []
while not os.path.exists(stop):
    i += 1
    started = time.monotonic()
    try:
        members.member_create(actor=None, organisation=cell, status="official", admission_date=dt.date(2010, 3, 2),
                              official_date=dt.date(2011, 3, 2), person_data={
                                  "family_name": "Lê", "middle_name": "Văn", "given_name": f"Viết {n} {i}", "sex": "M",
                                  "birth_date": dt.date(1980, 5, 17), "ethnicity": "01", "citizen_id": f"09{n}{i:09d}"})
    except Exception as exc:
        failures.append(repr(exc)[:300])
    waits.append(time.monotonic() - started)
    if waits[-1] > 1:
        slow.append((round(time.time() % 1000, 2), round(waits[-1], 2)))
    time.sleep(0.05)
print(json.dumps({"writes": len(waits), "max_wait": max(waits, default=0), "failures": failures, "slow": slow}))
"""

# The import's process: the big file's check, then its import; meanwhile (once the first
# publishes) a second import of a small file, in another thread, which must wait its turn.
IMPORTS = """
import json, sys, threading, time
import django
django.setup()
from django.db import connection
from chibo import access
from chibo.exchange.importer import run_import
from chibo.audit.models import AuditEvent
from chibo.exchange.reader import read
from chibo.indicators.figures import indicators
from chibo.indicators.services import refresh_cells
from chibo.members.models import Membership

big, small, stop = sys.argv[1], sys.argv[2], sys.argv[3]
scope = access.scope_for_command(None)
report = {"second_waited": 0}
first_published = threading.Event()

def first():
    try:
        preview = run_import(read(open(big, "rb").read(), "big.xlsx"), actor=None, scope=scope, dry_run=True)
        report["after_check"] = Membership.objects.filter(organisation__code="A").count()
        report["preview"] = preview.as_dict()["outcomes"]["members"]
        def phase(name):
            if name in ("publish", "import"):  # SQLite publishes in chunks; PostgreSQL imports at once
                first_published.set()
        result = run_import(read(open(big, "rb").read(), "big.xlsx"), actor=None, scope=scope, dry_run=False,
                            on_phase=phase)
        report["first_finished"] = time.monotonic()
        report["committed"] = result.committed
        report["imported"] = result.as_dict()["outcomes"]["members"]
    finally:
        first_published.set()
        connection.close()

def second():
    try:
        first_published.wait(600)
        def waiting():
            report["second_waited"] += 1
        def phase(name):
            report.setdefault("second_started", time.monotonic())
        result = run_import(read(open(small, "rb").read(), "small.xlsx"), actor=None, scope=scope, dry_run=False,
                            on_wait=waiting, on_phase=phase)
        report["second_committed"] = result.committed
        report["second_imported"] = result.as_dict()["outcomes"]["members"]
    finally:
        connection.close()

threads = [threading.Thread(target=first), threading.Thread(target=second)]
for t in threads:
    t.start()
for t in threads:
    t.join(600)
open(stop, "w").close()
report["in_a"] = Membership.objects.filter(organisation__code="A").count()
# all or nothing: a file whose last row is wrong writes nothing, though its other rows would
# fill several published chunks
wrong = run_import(read(open(sys.argv[4], "rb").read(), "wrong.xlsx"), actor=None, scope=scope, dry_run=False)
report["wrong_committed"] = wrong.committed
report["wrong_rejected"] = wrong.outcomes["members"].rejected
report["in_a_after_wrong"] = Membership.objects.filter(organisation__code="A").count()
print(json.dumps(report))
"""


def test_a_long_import_beside_concurrent_writers(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, *(
        member_row(f"Nguyễn Văn Thử {i}", f"0521{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
        for i in range(MEMBERS))]}))
    small = tmp_path / "small.xlsx"
    small.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, *(
        member_row(f"Trần Thị Hai {i}", f"0799{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
        for i in range(200))]}))
    wrong = tmp_path / "wrong.xlsx"
    wrong.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, *(
        member_row(f"Phạm Văn Ba {i}", f"0688{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
        for i in range(3000)), member_row("Sai Ngày", "068899999999", **{"Ngày sinh": "31/02/1990"})]}))
    env, drop = empty_database_env(tmp_path)
    env.update(DJANGO_SETTINGS_MODULE="chibo.settings")
    stop = tmp_path / "stop"
    try:
        subprocess.run([sys.executable, "-m", "chibo", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
        python(env, SETUP, timeout=900)
        writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n), str(stop)], env=env, cwd=ROOT,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(2)]
        try:
            report = json.loads(python(env, IMPORTS, str(big), str(small), str(stop), str(wrong), timeout=900))
        finally:
            stop.touch()
            outputs = [w.communicate(timeout=120) for w in writers]
        assert all(w.returncode == 0 for w in writers), [err[-2000:] for _out, err in outputs]
        written = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
        counts = json.loads(python(env, COUNTS, timeout=900))
    finally:
        drop()
    assert [w["failures"] for w in written] == [[], []]
    assert all(w["writes"] > 10 for w in written), written  # the writers really wrote all along
    assert max(w["max_wait"] for w in written) < MAX_WAIT_SECONDS, written
    assert report["after_check"] == 0  # the check left nothing behind
    assert report["committed"] and report["preview"] == report["imported"] == {
        "create": MEMBERS, "update": 0, "unchanged": 0, "rejected": 0}
    # the second import waited for the first, was told so, then ran in full
    assert report["second_waited"] > 0 and report["second_started"] >= report["first_finished"] - 0.2
    assert report["second_committed"] and report["second_imported"]["create"] == 200
    assert report["in_a"] == report["in_a_after_wrong"] == MEMBERS + 200
    assert not report["wrong_committed"] and report["wrong_rejected"] == 1
    assert counts == {"b": sum(w["writes"] for w in written), "persons": MEMBERS + 200 + sum(w["writes"] for w in written)}


COUNTS = """
import json
import django
django.setup()
from chibo.members.models import Membership, Person
from chibo.members.services import compare_member_stats
print(json.dumps({"b": Membership.objects.filter(organisation__code="B").count(), "persons": Person.objects.count()}))
"""



@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction: nothing is "
                    "published in chunks, and a change after the check rolls the whole import back (test_import)")
def test_an_all_or_nothing_import_that_fails_part_way_leaves_nothing(world: Any) -> None:
    """The check accepted every row; then, as the publish begins, cell B is ended (someone
    else's change). The publish stops at the first chunk holding a row of B, after at least
    one chunk of A's rows was published — and withdraws them: no person, membership, rollup
    or cell fact of the file stays, the result says nothing was imported, and the audit trail
    keeps the import's rows followed by one saying it was withdrawn. Once B is active again,
    the same file imports whole."""
    rows = [member_row(f"Nguyễn Văn Thử {i}", f"0521{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
            for i in range(600)]
    rows += [member_row(f"Lê Thị Bê {i}", f"0522{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "B"})
             for i in range(50)]
    data = xlsx({"Đảng viên": [MEMBER_HEADERS, *rows]})
    in_a = Membership.objects.filter(organisation=world.org["A"]).count()
    in_b = Membership.objects.filter(organisation=world.org["B"]).count()
    published: list[int] = []

    def someone_ends_cell_b(phase: str) -> None:
        if phase == "publish":
            Organisation.objects.filter(pk=world.org["B"].pk).update(valid_to=dt.date(2026, 1, 1))
            refresh_cells([world.org["B"].pk])
            figures.update(indicators(world.org["C1"]).figures)

    figures: dict[str, Any] = {}
    def progress(kind: str, done: int, total: int) -> None:
        if kind == "members":
            published.append(Membership.objects.filter(organisation=world.org["A"]).count() - in_a)

    scope = access.scope_for_command(world.org["C1"])
    result = run_import(read(data, "ds.xlsx"), actor=None, scope=scope, dry_run=False, on_phase=someone_ends_cell_b,
                        progress=progress)
    assert max(published) >= 500  # at least one chunk was published before the stop
    assert not result.committed and not result.partial
    assert "Không có gì được nhập" in result.issues[-1].message
    assert Membership.objects.filter(organisation=world.org["A"]).count() == in_a
    assert Membership.objects.filter(organisation=world.org["B"]).count() == in_b
    assert not Person.objects.filter(citizen_id__startswith="052").exists()
    assert compare_member_stats() == [] and indicators(world.org["C1"]).figures == figures
    withdrawal = AuditEvent.objects.get(action="withdraw")
    assert withdrawal.org_path == world.org["C1"].path and "hoàn lại" in withdrawal.object_repr
    assert AuditEvent.objects.filter(object_type="membership", action="create").count() >= 500  # append-only

    Organisation.objects.filter(pk=world.org["B"].pk).update(valid_to=None)
    refresh_cells([world.org["B"].pk])
    again = run_import(read(data, "ds.xlsx"), actor=None, scope=scope, dry_run=False)
    assert again.committed and not again.partial
    assert vars(again.outcomes["members"]) == {"create": 650, "update": 0, "unchanged": 0, "rejected": 0}
    assert Membership.objects.filter(organisation=world.org["A"]).count() == in_a + 600
    assert Membership.objects.filter(organisation=world.org["B"]).count() == in_b + 50
    assert compare_member_stats() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction")
def test_organisations_and_localities_are_published_in_short_transactions_too(
        _migration_data: None, world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's organisation sheet must not hold the lock for seconds: it is published
    parents first, in batches that another connection sees committed one by one (here made
    small: 50 rows). The file lists children before their parents; a duplicate code that
    falls in a later batch is refused as in the check (valid-only import)."""
    monkeypatch.setattr(importer, "PUBLISH_FIRST_ROWS", 50)
    monkeypatch.setattr(importer, "PUBLISH_SECONDS", 0.0)  # keeps every batch at the 50-row minimum
    header = ["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Lĩnh vực", "Mã tổ chức cấp trên", "Ngày thành lập"]
    kind = "Chi bộ trực thuộc đảng bộ cơ sở"
    cells = [[f"T{i}", f"Chi bộ {i}", kind, "khu dân cư", f"D{i // 30}", "01/07/2025"] for i in range(240)]
    groups = [[f"D{g}", f"Đảng bộ {g}", "Đảng bộ cơ sở", "doanh nghiệp", "C1", "01/07/2025"] for g in range(8)]
    duplicate = ["T3", "Chi bộ 3 (lặp)", kind, "khu dân cư", "D0", "01/07/2025"]
    data = xlsx({"Tổ chức đảng": [header, *cells, *groups, duplicate]})
    database = sqlite3.connect(connection.settings_dict["NAME"])
    seen: list[int] = []
    pause = importer.time.sleep

    def observe(seconds: float) -> None:  # between two transactions, from another connection
        (n,) = database.execute("SELECT count(*) FROM organisations_organisation WHERE code LIKE 'T%'").fetchone()
        seen.append(n)
        pause(seconds)

    monkeypatch.setattr(importer.time, "sleep", observe)
    scope = access.scope_for_command(world.org["C1"])
    result = run_import(read(data, "tc.xlsx"), actor=None, scope=scope, dry_run=False, valid_only=True)
    database.close()

    assert result.committed and result.outcomes["organisations"].create == 248
    assert [i.row for i in result.errors] == [len(cells) + len(groups) + 2]  # the duplicate, as the check said
    assert "dòng 5 " in result.errors[0].message
    assert any(0 < n < 240 for n in seen) and len(set(seen)) >= 4  # committed batch by batch
    assert Organisation.objects.get(code="T239").parent == Organisation.objects.get(code="D7")
