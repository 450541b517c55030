"""`chibo db_worker`: django-tasks' database worker, which first cleans up after a worker
that died — an import killed mid-publish is withdrawn, and the jobs it left running are
marked failed with the reason (exchange/recovery.py) — however the worker is started.

While it lives it keeps a heartbeat (DATA_DIR/worker.heartbeat, touched every few seconds by
a thread: operations/health.py) that /healthz and `chibo status` read."""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from chibo.exchange.recovery import fail_abandoned_jobs
from chibo.operations.health import Heartbeat


class Command(WorkerCommand):
    help = WorkerCommand.help

    def handle(self, *args: Any, **options: Any) -> None:
        # Under --reload the parent only watches files and restarts the child that works:
        # only the child beats, so a worker that keeps failing to start is seen as stopped.
        heartbeat = None
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            heartbeat = Heartbeat()
            heartbeat.start()
        try:
            fail_abandoned_jobs()
            super().handle(*args, **options)
        finally:
            if heartbeat is not None:
                heartbeat.stop()
