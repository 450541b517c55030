"""Imports and prepared downloads (exports): each seen only by the person who started it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from chibo.access.scope import Viewer, scope_for, signed_in
from chibo.exchange.models import ExportJob, ImportJob

# --- Imports -------------------------------------------------------------------------------

def may_import(user: Viewer) -> bool:
    """Importing needs a role that can change something (a cell's committee or above)."""
    scope = scope_for(user)
    return scope.superuser or any(g.write for g in scope.grants)


def import_jobs(user: Viewer) -> QuerySet[ImportJob]:
    """The user's own imports (none for one who may not import)."""
    account = signed_in(user)
    if account is None or not may_import(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=account)


def export_jobs(user: Viewer) -> QuerySet[ExportJob]:
    """The downloads the user asked to be prepared."""
    account = signed_in(user)
    if account is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=account)


def get_import_job(user: Viewer, pk: int | str) -> ImportJob:
    """An import is seen only by the person who started it."""
    account = signed_in(user)
    job = ImportJob.objects.filter(pk=pk, user=account).first() if account and str(pk).isdigit() else None
    if job is None or not may_import(user):
        raise Http404
    return job


def get_export_job(user: Viewer, pk: int | str) -> ExportJob:
    """A prepared download is seen only by the person who asked for it."""
    account = signed_in(user)
    job = ExportJob.objects.filter(pk=pk, user=account).first() if account and str(pk).isdigit() else None
    if job is None:
        raise Http404
    return job
