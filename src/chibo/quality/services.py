"""Writes for data quality: keep the outcome of the last check of an organisation (LastCheck)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from chibo.quality.checks import Report
from chibo.quality.models import LastCheck


def remember(report: Report) -> None:
    """Store the report's score and counts as the organisation's last check, replacing the one
    before: one UPDATE once the organisation has been checked (the data-quality page calls this on
    every visit). Derived figures, as the member rollups: no audit row."""
    values = {"checked_at": timezone.now(), "records": report.total.records, "errors": report.errors,
              "warnings": report.warnings, "score": report.score}
    org_id = report.organisation.pk
    if LastCheck.objects.filter(organisation_id=org_id).update(**values):
        return
    try:
        with transaction.atomic():
            LastCheck.objects.create(organisation_id=org_id, **values)
    except IntegrityError:  # checked at the same moment by someone else: theirs is as good
        LastCheck.objects.filter(organisation_id=org_id).update(**values)
