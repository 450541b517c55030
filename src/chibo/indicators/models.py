"""Facts about each party cell that the residential-cell indicators count.

One row per cell (chi bộ cơ sở or chi bộ trực thuộc), true as of `computed_on` and until
`valid_until` (the next date on which a post starts or ends, or the cell starts or ends;
null = no change ahead). The organisation, post and member services refresh the rows they
affect in the same transaction; a row past `valid_until` is refreshed before it is read.
`official_count` moves with the member rollup. `chibo rollups --check` compares all of it
with a fresh computation."""

from __future__ import annotations

from django.db import models

from chibo.core.fields import ByteOrderCharField


class CellFacts(models.Model):
    organisation = models.OneToOneField("organisations.Organisation", on_delete=models.CASCADE,
                                        primary_key=True, related_name="facts")
    path = ByteOrderCharField(max_length=64)
    active = models.BooleanField(default=True)
    residential = models.BooleanField(default=False)
    has_committee = models.BooleanField(default=False)
    has_secretary = models.BooleanField(default=False)
    has_head = models.BooleanField(default=False)
    head_is_member = models.BooleanField(default=False)
    secretary_is_head = models.BooleanField(default=False)
    official_count = models.IntegerField(default=0)
    computed_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["path", "active", "residential", "has_committee", "has_head", "head_is_member",
                                 "has_secretary", "secretary_is_head"], name="cellfacts_path"),
            models.Index(fields=["valid_until"], name="cellfacts_valid_until"),
        ]

    def __str__(self) -> str:
        return f"facts of {self.organisation_id} on {self.computed_on}"


class CommuneFigures(models.Model):
    """One commune's row of its province's comparison (`indicators.compare`) as of `on`: the
    figures `indicators(commune, on)` gives, the 12-month trend and the data-health score,
    computed in the background (`services.snapshot_province`) and read by the comparison page
    and the province home (docs/decisions.md, "The communes side by side"). A day's rows are
    replaced together, in one transaction."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    computed_at = models.DateTimeField()
    # The row as `compare()` makes it: its figures, "cells", "trend" [[first of month, % held]…], "health".
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "on"], name="communefigures_org_on")]
        indexes = [models.Index(fields=["province", "on"], name="communefigures_province_on")]

    def __str__(self) -> str:
        return f"figures of {self.organisation_id} on {self.on}"


class SnapshotRun(models.Model):
    """A recomputation of a province's comparison asked for on its page, run in the background
    (`indicators.tasks.snapshot_job`). At most one queued or running per province (the partial
    unique constraint), so a second press joins the first."""

    RUNNING = ("queued", "running")

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    province = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    step = models.IntegerField(default=0)  # the steps of the computation done, of `steps`
    steps = models.IntegerField(default=0)
    communes = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["province"], condition=models.Q(status__in=("queued", "running")),
                                               name="snapshotrun_one_running")]

    def __str__(self) -> str:
        return f"snapshot of {self.province_id} on {self.on} ({self.status})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING
