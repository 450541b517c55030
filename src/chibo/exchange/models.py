"""Imports and large exports run in the background: their options, files and outcome."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobFiles:
    """A job's files live beside the database, in DATA_DIR/<FOLDER>/<id>/. Its progress is a
    file too: the page must read it while the job's own transaction is still open."""

    FOLDER = ""
    RUNNING: tuple[str, ...] = ()
    pk: Any
    status: str
    updated_at: dt.datetime

    @property
    def folder(self) -> Path:
        path = Path(settings.DATA_DIR) / self.FOLDER / str(self.pk)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _write_progress(self, data: dict[str, Any]) -> None:
        tmp = self.folder / "progress.tmp"
        # pid: the process running the job, so that a job whose worker died can be told
        # from one still running (exchange/recovery.py).
        tmp.write_text(json.dumps({**data, "pid": os.getpid()}))
        tmp.replace(self.folder / "progress.json")  # atomic: a reader never sees half a file

    def clear_progress(self) -> None:
        """Before (re)queueing: the job has not started until its task writes progress."""
        (self.folder / "progress.json").unlink(missing_ok=True)

    def heartbeat(self) -> dt.datetime | None:
        """When the running task last reported progress (None: it has not started)."""
        try:
            return dt.datetime.fromtimestamp((self.folder / "progress.json").stat().st_mtime, tz=dt.UTC)
        except OSError:
            return None

    @property
    def stalled(self) -> bool:
        """Running, but silent for longer than any step takes: its worker has stopped."""
        beat = self.heartbeat()
        return (self.running and beat is not None
                and timezone.now() - beat > dt.timedelta(minutes=settings.CHIBO_JOB_STALE_MINUTES))

    @property
    def not_picked_up(self) -> bool:
        """Queued for a while and not started: no background worker is running."""
        return (self.running and self.heartbeat() is None
                and timezone.now() - self.updated_at > dt.timedelta(minutes=settings.CHIBO_JOB_WAIT_MINUTES))

    def progress(self) -> dict[str, Any]:
        try:
            found: dict[str, Any] = json.loads((self.folder / "progress.json").read_text())
            return found
        except (OSError, ValueError):
            return {"kind": "", "done": 0, "total": 0}

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


class ImportJob(JobFiles, models.Model):
    FOLDER = "imports"
    RUNNING = ("checking", "importing")

    class Status(models.TextChoices):
        CHECKING = "checking", _("checking the file")
        PREVIEW = "preview", _("ready to import")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="import_jobs")
    filename = models.CharField(_("file"), max_length=255)
    valid_only = models.BooleanField(_("import the valid rows, return the others"), default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CHECKING)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def upload_path(self) -> Path:
        return self.folder / "upload"

    @property
    def rejected_path(self) -> Path:
        return self.folder / "rejected.xlsx"

    phase = ""  # "check" or "publish" while an import runs (docs/decisions.md)

    def write_progress(self, kind: str, done: int, total: int) -> None:
        self._write_progress({"kind": kind, "done": done, "total": total, "phase": self.phase})

    def write_phase(self, phase: str) -> None:
        self.phase = phase
        self.write_progress("", 0, 0)

    def write_waiting(self) -> None:
        """Another import holds the database's import slot: say so (and beat the heart)."""
        self._write_progress({"kind": "", "done": 0, "total": 0, "phase": "waiting"})


class ExportJob(JobFiles, models.Model):
    """A large download prepared in the background; the file is kept for its owner."""

    FOLDER = "exports"
    RUNNING = ("queued", "running")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("writing the file")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="export_jobs")
    params = models.JSONField(default=dict)  # the member list's filters
    fmt = models.CharField(max_length=4)
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def path(self) -> Path:
        return self.folder / self.filename

    def write_progress(self, done: int, total: int) -> None:
        self._write_progress({"done": done, "total": total})


class Publish(models.Model):
    """One import publishing in chunks on SQLite, and what became of it (exchange/undo.py).
    While it publishes, every change its connection makes is logged in UndoStep; the log is
    played backwards if it fails, or deleted once it is done."""

    class State(models.TextChoices):
        PUBLISHING = "publishing", _("publishing")
        DONE = "done", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")
        STUCK = "stuck", _("could not be withdrawn whole")

    state = models.CharField(max_length=12, choices=State.choices, default=State.PUBLISHING)
    job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pid = models.IntegerField()
    org_path = models.CharField(max_length=64, blank=True)  # the importer's organisation
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted = models.IntegerField(default=0)  # undo steps played back
    kept = models.IntegerField(default=0)  # changes left as they were: someone else changed them since
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"publish {self.pk} ({self.state})"


class UndoStep(models.Model):
    """One row the publishing connection inserted (op I), changed (U) or deleted (D), written
    by a temporary trigger in the same transaction as the change. `old` and `new` are JSON
    arrays of objects (column → value) holding the row before and after."""

    publish = models.ForeignKey(Publish, on_delete=models.CASCADE, related_name="+")
    tbl = models.CharField(max_length=64)
    op = models.CharField(max_length=1)
    row_id = models.BigIntegerField()
    old = models.TextField(null=True)
    new = models.TextField(null=True)
