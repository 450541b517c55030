"""Writes for data quality: keep the outcome of the last check of an organisation (LastCheck)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from chibo.quality.checks import Report
from chibo.quality.models import LastCheck


def remember(report: Report) -> LastCheck:
    """Store the report's score and counts as the organisation's last check (replacing the one
    before). Derived figures, as the member rollups: no audit row."""
    with transaction.atomic():
        found, _created = LastCheck.objects.update_or_create(
            organisation_id=report.organisation.pk,
            defaults={"checked_at": timezone.now(), "records": report.total.records, "errors": report.errors,
                      "warnings": report.warnings, "score": report.score})
    return found
