"""A real background worker (`chibo db_worker`, a separate process on its own database) is
killed with SIGKILL in the middle of an import — first while it checks the file again before
importing, then while it publishes (docs/decisions.md, "Imports do not lock others out").
Killed during the check, nothing of the import is in the database. Killed during the publish,
what is there is whole chunks — every person with their membership, opening event, audit row
and rollup, nothing half-written — until the next worker starts: it withdraws them all (the
audit trail keeps its rows, and says so) and marks the job failed with the reason. Running the
import again then imports every member exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from chibo.devtools.bench import empty_database_env
from tests.served import python
from tests.test_import import MEMBER_HEADERS, member_row, xlsx

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 12_000  # three chunks of 5,000: the worker is killed after the first one

SETUP = """
import datetime as dt, json, sys
import django
django.setup()
from chibo.accounts import services as accounts
from chibo.exchange.models import ImportJob
from chibo.exchange.tasks import run_import_job
from chibo.organisations import services as orgs

day = dt.date(2000, 1, 1)
created = orgs.bulk_create_organisations([
    {"code": "P", "name": "Đảng bộ tỉnh", "kind": "province", "valid_from": day},
    {"code": "X", "name": "Đảng bộ xã", "kind": "commune", "parent_code": "P", "valid_from": day},
    {"code": "A", "name": "Chi bộ A", "kind": "grassroots_cell", "parent_code": "X", "valid_from": day},
], actor=None)
user = accounts.user_create(actor=None, username="canbo", password="not-used-here-1")
accounts.role_assign(actor=None, user=user, organisation=created[1], role="commune_staff")
job = ImportJob.objects.create(user=user, filename="ds.xlsx", status=ImportJob.Status.IMPORTING)
job.upload_path.write_bytes(open(sys.argv[1], "rb").read())
run_import_job.enqueue(job.pk, True)
print(json.dumps({"job": job.pk, "folder": str(job.folder)}))
"""

COUNTS = """
import json
import django
django.setup()
from chibo.audit.models import AuditEvent
from chibo.exchange.models import ImportJob
from chibo.members.models import MemberStat, Membership, MembershipEvent, Person
from chibo.indicators.models import CellFacts
job = ImportJob.objects.get()
print(json.dumps({"persons": Person.objects.count(), "memberships": Membership.objects.count(),
                  "events": MembershipEvent.objects.count(), "stats": MemberStat.objects.count(),
                  "audit": AuditEvent.objects.filter(object_type="membership").count(),
                  "officials": sum(CellFacts.objects.values_list("official_count", flat=True)),
                  "status": job.status}))
"""

REQUEUE = """
import django
django.setup()
from chibo.exchange.models import ImportJob
from chibo.exchange.tasks import run_import_job
job = ImportJob.objects.get()
job.clear_progress()
run_import_job.enqueue(job.pk, True)
"""

RETRY = """
import django
django.setup()
from chibo.exchange.models import ImportJob
from chibo.exchange.tasks import run_import_job
run_import_job.call(ImportJob.objects.get().pk, True)
"""



def _kill_worker_when(env: dict[str, str], progress: Path, phase: str) -> dict[str, object]:
    """Start a worker; SIGKILL it once its progress shows members part-done in `phase`."""
    worker = subprocess.Popen([sys.executable, "-m", "chibo", "db_worker", "--queue-name", "*",
                               "--no-startup-delay", "--interval", "0.2"], env=env, cwd=ROOT,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        seen: dict[str, object] = {}
        while time.monotonic() < deadline and worker.poll() is None:
            try:
                seen = json.loads(progress.read_text())
            except (OSError, ValueError):
                seen = {}
            if seen.get("phase") == phase and seen.get("kind") == "members" and 0 < int(seen.get("done", 0)) < MEMBERS:  # type: ignore[call-overload]
                break
            time.sleep(0.02)
        assert seen.get("phase") == phase and seen.get("kind") == "members", f"never caught mid-run: {seen}"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no clean-up code of the worker runs
        worker.wait(timeout=30)
    return seen


def test_killing_the_worker_mid_import_leaves_nothing_half_written(tmp_path: Path) -> None:
    rows = [member_row(f"Nguyễn Văn Thử {i}", f"0521{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
            for i in range(MEMBERS)]
    upload = tmp_path / "ds.xlsx"
    upload.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, *rows]}))
    env, drop = empty_database_env(tmp_path)
    env.update(DJANGO_SETTINGS_MODULE="chibo.settings")
    env.pop("CHIBO_TASKS", None)  # the database queue, as in production
    try:
        subprocess.run([sys.executable, "-m", "chibo", "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
        job = json.loads(python(env, SETUP, str(upload), timeout=300))
        progress = Path(job["folder"]) / "progress.json"

        # SQLite checks the file again before it publishes; PostgreSQL imports in one transaction
        _kill_worker_when(env, progress, "check" if connection.vendor == "sqlite" else "import")
        after_check = json.loads(python(env, COUNTS, timeout=300))
        assert after_check == {"persons": 0, "memberships": 0, "events": 0, "stats": 0, "audit": 0, "officials": 0,
                               "status": "importing"}  # the page then offers to start it again (test_import_web)

        if connection.vendor != "sqlite":  # PostgreSQL: killed mid-import, nothing stayed
            python(env, RETRY, timeout=300)
            after_retry = json.loads(python(env, COUNTS, timeout=300))
            assert after_retry["status"] == "done"
            assert after_retry["persons"] == after_retry["memberships"] == after_retry["audit"] == MEMBERS
            return
        python(env, REQUEUE, timeout=300)
        seen = _kill_worker_when(env, progress, "publish")
        after_kill = json.loads(python(env, COUNTS, timeout=300))
        published = after_kill["persons"]
        assert int(seen["done"]) <= published < MEMBERS  # type: ignore[call-overload]
        assert after_kill == {"persons": published, "memberships": published, "events": 2 * published,
                              "stats": after_kill["stats"], "audit": published, "officials": published,
                              "status": "importing"}  # whole chunks: rows, events, audit and rollups agree
        assert json.loads(progress.read_text())["phase"] == "publish"  # the page says it stopped part-way

        # the next worker to start withdraws the import, then works through the (empty) queue
        subprocess.run([sys.executable, "-m", "chibo", "db_worker", "--queue-name", "*", "--batch"], env=env, cwd=ROOT,
                       check=True, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after_start = json.loads(python(env, COUNTS, timeout=300))
        assert after_start == {"persons": 0, "memberships": 0, "events": 0, "stats": 0, "audit": published,
                               "officials": 0, "status": "failed"}

        python(env, RETRY, timeout=300)
        after_retry = json.loads(python(env, COUNTS, timeout=300))
        assert after_retry["status"] == "done"
        assert after_retry["persons"] == after_retry["memberships"] == MEMBERS
        assert after_retry["audit"] == published + MEMBERS  # the withdrawn import's rows stay in the trail
        assert after_retry["officials"] == after_retry["events"] // 2 == MEMBERS  # admitted, then official
    finally:
        drop()
