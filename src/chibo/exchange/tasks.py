"""Background work: checking and importing an uploaded file (run by `chibo db_worker`)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from chibo import access
from chibo.exchange.importer import run_import
from chibo.exchange.models import ImportJob
from chibo.exchange.reader import FileRefused, read
from chibo.exchange.writers import write_xlsx

log = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int, commit: bool) -> None:
    """Check (commit=False) or import (commit=True) the job's file. The import itself is one
    transaction: if the worker dies or anything fails, nothing of it is written."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        sheets = read(job.upload_path.read_bytes(), job.filename)
        result = run_import(sheets, actor=job.user, scope=access.scope_for(job.user), dry_run=not commit,
                            valid_only=job.valid_only, progress=job.write_progress)
    except FileRefused as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
    except Exception:
        log.exception("import job %s failed", job_id)
        job.status = ImportJob.Status.FAILED
        job.error = _("The import stopped on an unexpected error and nothing was written. Try again; if it "
                      "happens again, send the file to the system administrator.")
    else:
        job.result = result.as_dict()
        if commit:
            job.status = ImportJob.Status.DONE if result.committed else ImportJob.Status.FAILED
            if result.rejected:
                write_xlsx(str(job.rejected_path), [(name[:31], headers, rows)
                                                    for name, (headers, rows) in result.rejected.items()])
        else:
            job.status = ImportJob.Status.PREVIEW
    job.save(update_fields=["status", "error", "result", "updated_at"])
