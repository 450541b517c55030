"""Members imported beside two writers (docs/benchmarks.md, "Imports beside other people's writes").

    .venv/bin/python scripts/bench-import-beside.py 50000            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python scripts/bench-import-beside.py 20000
    .venv/bin/python scripts/bench-import-beside.py 50000 --kill-at 0.8   # SQLite: kill -9 mid-publish, then
                                                                          # time the withdrawal by a starting worker

A new, empty database holding only four organisations; two separate processes add members to
cell B through `members.services.member_create` every 50 ms while `chibo import FILE --json`
imports N members into cell A. Prints the import's time, the writes done meanwhile, the
longest wait of a write and the failed writes (and, with --kill-at, how long the withdrawal
took and the longest wait of a write during it)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

import django  # noqa: E402

django.setup()

from tests.served import python  # noqa: E402
from tests.test_import import MEMBER_HEADERS, member_row, xlsx  # noqa: E402
from tests.test_import_lock import SETUP, WRITER  # noqa: E402

from chibo.devtools.bench import empty_database_env  # noqa: E402

CHIBO = [sys.executable, "-m", "chibo"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("members", type=int)
    parser.add_argument("--kill-at", type=float, default=0.0, help="SQLite: kill the import once this share is in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chibo-beside-") as tmp:
        env, drop = empty_database_env(Path(tmp))
        env.update(DJANGO_SETTINGS_MODULE="chibo.settings", PYTHONPATH=f"{ROOT}:{ROOT / 'src'}")
        try:
            subprocess.run([*CHIBO, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
            python(env, SETUP, timeout=300)
            rows = [member_row(f"Nguyễn Văn Thử {i}", f"0521{i:08d}", **{"Mã nơi cư trú": "", "Mã chi bộ": "A"})
                    for i in range(args.members)]
            upload = Path(tmp) / "ds.xlsx"
            upload.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, *rows]}))
            print(run(env, Path(tmp), upload, args))
        finally:
            drop()


def run(env: dict[str, str], tmp: Path, upload: Path, args: argparse.Namespace) -> str:
    stop = tmp / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n), str(stop)], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for n in (1, 2)]
    time.sleep(2)
    started = time.monotonic()
    importer = subprocess.Popen([*CHIBO, "import", str(upload), "--json"], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    line = {"members": args.members, "database": "PostgreSQL" if "DATABASE_URL" in env else "SQLite"}
    if args.kill_at:
        database = Path(env["CHIBO_DATA_DIR"]) / "chibo.sqlite3"
        while importer.poll() is None:
            with sqlite3.connect(database) as db:
                (n,) = db.execute("SELECT count(*) FROM members_membership WHERE organisation_id = "
                                  "(SELECT id FROM organisations_organisation WHERE code = 'A')").fetchone()
            if n >= args.kill_at * args.members:
                os.killpg(importer.pid, signal.SIGKILL)
                break
            time.sleep(0.2)
        importer.wait()
        line["killed_with_members_in"] = n
        started = time.monotonic()
        subprocess.run([*CHIBO, "db_worker", "--queue-name", "*", "--batch"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        line["withdrawal_seconds"] = round(time.monotonic() - started, 1)
        with sqlite3.connect(database) as db:
            (line["members_in_a_after"],) = db.execute(
                "SELECT count(*) FROM members_membership WHERE organisation_id = "
                "(SELECT id FROM organisations_organisation WHERE code = 'A')").fetchone()
    else:
        out, _ = importer.communicate()
        line["import_seconds"] = round(time.monotonic() - started, 1)
        result = json.loads(out)
        line["committed"] = result["committed"]
        line["longest_write"] = round(result.get("longest_write_seconds", 0), 2)
    stop.touch()
    reports = [json.loads(w.communicate()[0]) for w in writers]
    line["writes"] = sum(r["writes"] for r in reports)
    line["max_wait"] = round(max(r["max_wait"] for r in reports), 2)
    line["failures"] = sum(len(r["failures"]) for r in reports)
    return json.dumps(line)


if __name__ == "__main__":
    main()
