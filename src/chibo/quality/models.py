"""The last data-health result of each organisation checked: what the commune home shows without
running the checks again (they take tens of milliseconds for a commune; docs/decisions.md)."""

from __future__ import annotations

from django.db import models


class LastCheck(models.Model):
    """The outcome of the last `run_checks(organisation)` — by the data-quality page, `chibo
    check-data` or an import from the command line — as counted then. A cache of derived figures,
    replaced by every check: not audited, never edited."""

    organisation = models.OneToOneField("organisations.Organisation", on_delete=models.CASCADE, primary_key=True,
                                        related_name="+")
    checked_at = models.DateTimeField()
    records = models.IntegerField()
    errors = models.IntegerField()
    warnings = models.IntegerField()
    score = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"check of {self.organisation_id} at {self.checked_at:%Y-%m-%d %H:%M}"

    @property
    def problems(self) -> int:
        return self.errors + self.warnings
