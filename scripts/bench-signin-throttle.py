"""Time a sign-in attempt's throttle work with 100,000 failures from the last day in the table
(a spray of 2,000 usernames from many addresses). It empties the sign-in failures of the
database it runs on: use a scratch data directory, e.g.

    CHIBO_DATA_DIR=/tmp/bench PYTHONPATH=src python -m chibo migrate
    CHIBO_DATA_DIR=/tmp/bench PYTHONPATH=src python scripts/bench-signin-throttle.py
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import random
import time

import django

logging.disable(logging.WARNING)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")
django.setup()
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from chibo.accounts import throttle  # noqa: E402
from chibo.accounts.models import SignInFailure  # noqa: E402

SignInFailure.objects.all().delete()
now = timezone.now()
rnd = random.Random(1)
rows = [SignInFailure(username=f"user{rnd.randrange(2000)}", ip=f"45.{rnd.randrange(20)}.{rnd.randrange(250)}.{rnd.randrange(250)}",
                      at=now - dt.timedelta(seconds=rnd.randrange(86000))) for _ in range(100_000)]
SignInFailure.objects.bulk_create(rows, batch_size=5000)
times = []
for i in range(200):
    t = time.perf_counter()
    throttle.attempt_start(f"user{i}", "14.161.10.5")
    if i % 2:
        throttle.attempt_failed(f"user{i}", "14.161.10.5")
    else:
        throttle.attempt_succeeded(f"user{i}", "14.161.10.5")
    times.append(time.perf_counter() - t)
times.sort()
with CaptureQueriesContext(connection) as q:
    throttle.attempt_start("admin", "14.161.10.6")
    throttle.attempt_failed("admin", "14.161.10.6")
print(f"rows {SignInFailure.objects.count()}, per attempt median {times[100]*1000:.1f} ms, p95 {times[190]*1000:.1f} ms, "
      f"queries for a failed attempt {len(q)}")
