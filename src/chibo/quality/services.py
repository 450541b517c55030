"""Writes for data quality: keep the outcome of the last check of an organisation (LastCheck)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from chibo.quality.checks import Report, run_checks
from chibo.quality.models import LastCheck

if TYPE_CHECKING:
    from chibo.organisations.models import Organisation


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


def check_communes(day: dt.date, *, on_error: Callable[[Organisation], None] | None = None) -> int:
    """Check every commune (and grassroots committee) in force on `day` and remember each result,
    so every commune home shows a data-health score at most a day old (`chibo remind` runs this
    daily, after the reminders). One commune that fails is passed to `on_error` and the others
    are still checked. Returns how many were checked."""
    from chibo.organisations.models import Organisation

    done = 0
    kinds = (Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE)
    for org in Organisation.objects.filter(kind__in=kinds).active_on(day).order_by("path"):
        try:
            remember(run_checks(org, day))
        except Exception:
            if on_error is None:
                raise
            on_error(org)
            continue
        done += 1
    return done
