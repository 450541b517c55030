"""Jobs whose background worker died are marked failed, with the reason, and not run again.

A worker can die in the middle of a job: killed by the kernel for want of memory, by an
administrator, or by a server restart. Its job then stayed "checking" or "importing" for
ever, and starting it again could kill the next worker the same way. `chibo serve` calls
`fail_abandoned_jobs` when it starts and each time its worker dies, and so does the worker
(`chibo db_worker`) when it starts. An import killed while it published is withdrawn first
(exchange/undo.py), unless another import holds the slot — that one withdrew it before it
began. Then a job that had started
(it writes its progress, with its process id) in a process that no longer exists is marked
failed with a message saying what happened and what to do. Nothing re-runs it: the task
queue does not retry a task it had handed out, and a failed job offers no "start again"
button; the user uploads the file again once they have read why."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils.translation import gettext as _

from chibo.exchange import undo
from chibo.exchange.models import ExportJob, ImportJob
from chibo.exchange.slot import free_import_slot

log = logging.getLogger(__name__)


def process_alive(pid: object) -> bool:
    """Whether a process with this id still runs (a zombie, dead but not yet reaped, does not)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def fail_abandoned_jobs() -> list[ImportJob | ExportJob]:
    """Mark failed every running job that has started in a process that is gone. Jobs still
    waiting for a worker (no progress yet) are left for the next worker to pick up."""
    with free_import_slot() as free:
        if free:
            undo.withdraw_abandoned()
    failed: list[ImportJob | ExportJob] = []  # messages in the site's language, like every job's
    for model in (ImportJob, ExportJob):
        for job in model.objects.filter(status__in=model.RUNNING):
            if job.heartbeat() is None or process_alive(job.progress().get("pid")):
                continue
            job.status = model.Status.FAILED
            if isinstance(job, ImportJob):
                job.error = _(
                    "The background work stopped while this file was being checked or imported: the file "
                    "probably needed more memory or time than the server allows, or the server was restarted. "
                    "Nothing was written, and the import will not start again by itself. Make sure the sheets "
                    "hold only the data (nothing far below or to the right of it), then upload the file again; "
                    "if it stops again, split it into smaller files or send it to the system administrator.")
            else:
                job.error = _("The background work stopped while this file was being written (the server was "
                              "restarted or ran out of memory). Ask for the list again.")
            job.save(update_fields=["status", "error", "updated_at"])
            log.warning("%s %s: its worker is gone; marked failed", model.__name__, job.pk)
            failed.append(job)
    return failed
