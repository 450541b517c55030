"""Background work: checking and importing an uploaded file (run by `chibo db_worker`)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from chibo import access
from chibo.core import files
from chibo.exchange.importer import run_import
from chibo.exchange.models import ImportJob
from chibo.exchange.reader import FileRefused, read
from chibo.exchange.writers import write_xlsx

log = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int, commit: bool) -> None:
    """Check (commit=False) or import (commit=True) the job's file. The check writes nothing
    to the live database; the import publishes in short transactions after checking again,
    and if it fails or its worker dies mid-publish, what it wrote is withdrawn (at once, or
    by the next worker to start) — docs/decisions.md."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    job.write_progress("", 0, 0)  # started: the page stops saying it waits for a worker
    try:
        sheets = read(job.upload_path.read_bytes(), job.filename)
        result = run_import(sheets, actor=job.user, scope=access.scope_for(job.user), dry_run=not commit,
                            valid_only=job.valid_only, progress=job.write_progress, on_wait=job.write_waiting,
                            on_phase=job.write_phase, job_id=job.pk)
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
                with files.replacing(job.rejected_path) as temp:  # whole or not at all
                    write_xlsx(str(temp), [(name[:31], headers, rows)
                                           for name, (headers, rows) in result.rejected.items()])
        else:
            job.status = ImportJob.Status.PREVIEW
    job.save(update_fields=["status", "error", "result", "updated_at"])


@task()
def run_export_job(job_id: int) -> None:
    """Write a large member list to a file for its owner (the export is audited as usual)."""
    from django.http import QueryDict

    from chibo.exchange import services
    from chibo.exchange.models import ExportJob
    from chibo.web.views import member_query

    job = ExportJob.objects.select_related("user").get(pk=job_id)
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    job.write_progress(0, 0)  # started
    try:
        params = QueryDict(mutable=True)
        for key, value in job.params.items():
            params[key] = value
        _form, org, qs, data = member_query(job.user, params)
        total = qs.count()
        job.write_progress(0, total)
        job.rows = services.export_members(
            actor=job.user, queryset=qs, fmt=job.fmt, out=str(job.path), scope=org,
            description=_("Member list of %(org)s (%(filters)s)") % {
                "org": org.code if org else "—",
                "filters": ", ".join(f"{k}={v}" for k, v in sorted(data.items()) if v and k != "sort") or _("no filter")},
            progress=lambda n: job.write_progress(n, total))
        job.status = ExportJob.Status.DONE
    except Exception:
        log.exception("export job %s failed", job_id)
        job.status = ExportJob.Status.FAILED
        job.error = _("The file could not be written. Try again; if it happens again, tell the system administrator.")
    job.save(update_fields=["status", "rows", "error", "updated_at"])
