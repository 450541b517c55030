"""Reads for data quality: the last check of an organisation (one query)."""

from __future__ import annotations

from chibo.organisations.models import Organisation
from chibo.quality.models import LastCheck


def last_check(org: Organisation) -> LastCheck | None:
    return LastCheck.objects.filter(organisation_id=org.pk).first()
