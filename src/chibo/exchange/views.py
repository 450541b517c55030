"""Downloads of the member and organisation lists (XLSX or CSV), through the gatekeeper."""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo import access
from chibo.accounts.models import User
from chibo.core import files
from chibo.core.dates import today
from chibo.exchange import selectors, services
from chibo.exchange.models import ExportJob, ImportJob
from chibo.exchange.reader import FileRefused, check
from chibo.exchange.tasks import run_export_job, run_import_job
from chibo.exchange.template import write_template
from chibo.exchange.writers import FORMATS
from chibo.organisations.models import Organisation
from chibo.web.views import member_list_query

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _disk_full(request: HttpRequest, exc: files.DiskFull) -> HttpResponse:
    """The plain page that says an export was refused for want of disk space (507)."""
    return render(request, "web/error.html", {"title": _("The server's disk is almost full"),
                                              "message": exc.messages[0], "status": 507}, status=507)


def _download(request: HttpRequest, fmt: str, name: str, write: Any) -> HttpResponseBase:
    """Write the file to a temporary file (gone once sent, or at once if the write fails)."""
    try:
        files.check_free_space(Path(tempfile.gettempdir()))
    except files.DiskFull as exc:
        return _disk_full(request, exc)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt])


def _describe(params: dict[str, Any], org: Any) -> str:
    shown = {k: v for k, v in params.items() if v and k not in {"sort"}}
    filters = ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) or _("no filter")
    return _("Member list of %(org)s (%(filters)s)") % {"org": org.code if org else "—", "filters": filters}


@login_required
def member_export(request: HttpRequest) -> HttpResponseBase:
    """Download the list as shown; a long list is written in the background instead."""
    fmt = _format(request)
    _form, org, qs, data = member_list_query(request)
    name = f"dang-vien-{org.code if org else 'tat-ca'}-{today():%Y%m%d}"
    if qs.count() > settings.CHIBO_EXPORT_SYNC_ROWS:
        try:
            files.check_free_space(Path(settings.DATA_DIR))
        except files.DiskFull as exc:
            return _disk_full(request, exc)
        params = {k: v for k, v in request.GET.items() if k not in {"format", "page"}}
        job = ExportJob.objects.create(user=cast(User, request.user), params=params, fmt=fmt, filename=f"{name}.{fmt}")
        run_export_job.enqueue(job.pk)
        return redirect("export-job", pk=job.pk)
    return _download(request, fmt, name, lambda out: services.export_members(
        actor=request.user, queryset=qs, fmt=fmt, out=out, scope=org, description=_describe(data, org)))


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_export_job(request.user, pk)
    template = "exchange/_export_job.html" if getattr(request, "htmx", False) else "exchange/export_job.html"
    return render(request, template, {"job": job, "progress": job.progress()})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_export_job(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.path.exists():
        raise Http404
    return FileResponse(job.path.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=CONTENT_TYPES[job.fmt])


@login_required
def organisation_export(request: HttpRequest) -> HttpResponseBase:
    fmt = _format(request)
    org = access.get_organisation(request.user, request.GET.get("org", ""))
    if not access.sees_members_of(request.user, org):
        raise Http404
    qs = access.organisations(request.user).filter(Organisation.subtree_q(org))
    name = f"to-chuc-dang-{org.code}-{today():%Y%m%d}"
    return _download(request, fmt, name, lambda out: services.export_organisations(
        actor=request.user, queryset=qs, fmt=fmt, out=out, scope=org,
        description=_("Organisations of %(org)s") % {"org": org.code}))


@login_required
def import_template(request: HttpRequest) -> HttpResponseBase:
    """The import template, with a guide sheet (docs/import.md)."""
    return _download(request, "xlsx", "mau-nhap-du-lieu-chibo", write_template)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"),
                           error_messages={"required": _("Choose the file to import.")})
    valid_only = forms.BooleanField(label=_("Import the valid rows and give me the rejected ones as a file"),
                                    required=False)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    if not access.may_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b""
        if upload.size > settings.CHIBO_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into several "
                                     "files and import them one by one.") % {
                "size": round(upload.size / 1048576, 1), "limit": settings.CHIBO_IMPORT_MAX_BYTES // 1048576})
        else:
            data = upload.read()
            try:
                check(data, upload.name)  # refuse a wrong file at once, before queueing it
                files.check_free_space(Path(settings.DATA_DIR), len(data))
            except FileRefused as exc:
                form.add_error("file", str(exc))
            except files.DiskFull as exc:
                form.add_error("file", exc.messages[0])
        if form.is_valid():
            job = ImportJob.objects.create(user=cast(User, request.user), filename=upload.name[:255],
                                           valid_only=form.cleaned_data["valid_only"])
            upload_path = job.upload_path
            try:
                files.write_whole(upload_path, data)
            except OSError:
                job.delete()  # and its folder, left empty: an import with no file is no import
                with suppress(OSError):
                    upload_path.parent.rmdir()
                form.add_error("file", _("The file could not be saved on the server, so nothing was changed. Try "
                                         "again; if it happens again, tell the system administrator."))
            else:
                run_import_job.enqueue(job.pk, False)
                return redirect("import-job", pk=job.pk)
    jobs = access.import_jobs(request.user)[:10]
    waiting = selectors.waiting(access.import_jobs(request.user), access.export_jobs(request.user))
    return render(request, "exchange/import.html", {"form": form, "jobs": jobs, "waiting": waiting})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_import_job(request.user, pk)
    result = job.result or {}
    issues = result.get("issues", [])
    errors = [i for i in issues if i["severity"] == "error"]
    context = {"job": job, "progress": job.progress(), "result": result, "errors": errors,
               "sections": [(_("Errors"), errors, "error"),
                            (_("Warnings"), [i for i in issues if i["severity"] == "warning"], "warning"),
                            (_("Converted and tidied"), [i for i in issues if i["severity"] == "info"], "info")],
               "has_rejected": job.status == ImportJob.Status.DONE and job.rejected_path.exists(),
               "tops": access.scope_for(request.user).home_orgs()}
    template = "exchange/_import_job.html" if getattr(request, "htmx", False) else "exchange/import_job.html"
    return render(request, template, context)


@login_required
@require_http_methods(["POST"])
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_import_job(request.user, pk)
    errors = any(i["severity"] == "error" for i in (job.result or {}).get("issues", []))
    if job.status != ImportJob.Status.PREVIEW or (errors and not job.valid_only):
        return redirect("import-job", pk=job.pk)
    job.status = ImportJob.Status.IMPORTING
    job.save(update_fields=["status", "updated_at"])
    job.clear_progress()
    run_import_job.enqueue(job.pk, True)
    return redirect("import-job", pk=job.pk)


@login_required
@require_http_methods(["POST"])
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue again a job whose worker stopped (killed, server restarted). A check wrote
    nothing; what an import stopped mid-publish wrote is withdrawn before the new run
    begins (exchange/undo.py), so it runs the whole file again."""
    job = access.get_import_job(request.user, pk)
    if job.stalled:
        job.clear_progress()
        job.save(update_fields=["updated_at"])
        run_import_job.enqueue(job.pk, job.status == ImportJob.Status.IMPORTING)
    return redirect("import-job", pk=job.pk)


@login_required
def import_rejected(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_import_job(request.user, pk)
    if not job.rejected_path.exists():
        raise Http404
    return FileResponse(job.rejected_path.open("rb"), as_attachment=True, filename=f"loi-{job.filename.rsplit('.', 1)[0]}.xlsx",
                        content_type=CONTENT_TYPES["xlsx"])
