"""Reads for imports and prepared downloads: what still waits — an import being checked, one
checked and waiting for its owner to confirm, one importing; a download being written. The
querysets come from chibo.access (a person's own jobs only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from chibo.exchange.models import ExportJob, ImportJob

WAITING_IMPORTS = (ImportJob.Status.CHECKING, ImportJob.Status.PREVIEW, ImportJob.Status.IMPORTING)
WAITING_EXPORTS = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


@dataclass
class Waiting:
    imports: list[ImportJob]
    exports: list[ExportJob]

    @property
    def total(self) -> int:
        return len(self.imports) + len(self.exports)


def waiting_count(imports: QuerySet[Any], exports: QuerySet[Any]) -> int:
    """How many jobs wait (`waiting` lists them): one query, on the jobs' owner index."""
    return (imports.filter(status__in=WAITING_IMPORTS).values("pk").order_by()
            .union(exports.filter(status__in=WAITING_EXPORTS).values("pk").order_by(), all=True).count())


def waiting(imports: QuerySet[Any], exports: QuerySet[Any]) -> Waiting:
    """Every waiting job, oldest first (the one waiting longest on top)."""
    return Waiting(imports=list(imports.filter(status__in=WAITING_IMPORTS).order_by("created_at", "id")),
                   exports=list(exports.filter(status__in=WAITING_EXPORTS).order_by("created_at", "id")))
