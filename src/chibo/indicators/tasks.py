"""Background work: a province's comparison computed again on demand (run by `chibo db_worker`)."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from chibo.indicators.models import SnapshotRun

log = logging.getLogger(__name__)


@task()
def snapshot_job(run_id: int) -> None:
    """Compute the run's province comparison (`services.snapshot_province`), telling the run's
    row each step so the page can show how far it is."""
    from chibo.indicators.services import snapshot_province

    run = SnapshotRun.objects.select_related("province", "requested_by").get(pk=run_id)
    if not run.running:
        return

    def progress(step: int, steps: int) -> None:
        SnapshotRun.objects.filter(pk=run_id).update(status=SnapshotRun.Status.RUNNING, step=step, steps=steps,
                                                     updated_at=timezone.now())

    try:
        communes = snapshot_province(run.province, run.on, actor=run.requested_by, progress=progress)
    except Exception:
        log.exception("snapshot run %s failed", run_id)
        SnapshotRun.objects.filter(pk=run_id).update(status=SnapshotRun.Status.FAILED, error="error",
                                                     updated_at=timezone.now())
        return
    SnapshotRun.objects.filter(pk=run_id).update(status=SnapshotRun.Status.DONE, communes=communes, step=F("steps"),
                                                 updated_at=timezone.now())
