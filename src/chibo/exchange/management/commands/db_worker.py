"""`chibo db_worker`: django-tasks' database worker, which first cleans up after a worker
that died — an import killed mid-publish is withdrawn, and the jobs it left running are
marked failed with the reason (exchange/recovery.py) — however the worker is started."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from chibo.exchange.recovery import fail_abandoned_jobs


class Command(WorkerCommand):
    help = WorkerCommand.help

    def handle(self, *args: Any, **options: Any) -> None:
        fail_abandoned_jobs()
        super().handle(*args, **options)
