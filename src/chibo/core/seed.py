"""The reference data a new database needs: every regulation rule (core.Rule) and the known
days off (core.Holiday). Each domain keeps its rows in one place, its `reference.py`; this is the
one function that writes them, called by the data migrations (with their historical models) and
by the tests after each flush.

Idempotent, and it never overwrites: a rule version (key and start date) already present is
left as it is, so an administrator's corrections stay; a new version closes the open version
before it on its start date, as the rulebook does. A year that already holds any day off is left
as it is (the administrator's list for that year is the word), so a removed day is not put back.
Running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import transaction
from django.db.models import Q

# Where each domain keeps its rules (a module with RULES; core's also has HOLIDAYS).
REFERENCE_MODULES = ("chibo.core.reference", "chibo.recruitment.reference", "chibo.lifecycle.reference",
                     "chibo.meetings.reference")


def reference_rules() -> list[dict[str, Any]]:
    """Every domain's rule rows, older versions of a key before newer ones."""
    rows = [row for name in REFERENCE_MODULES for row in import_module(name).RULES]
    return sorted(rows, key=lambda r: (r["key"], r["effective_from"]))


def reference_holidays() -> list[tuple[dt.date, str, bool, str]]:
    return list(import_module("chibo.core.reference").HOLIDAYS)


@transaction.atomic
def seed_reference_data(apps: Apps | None = None) -> dict[str, int]:
    """Write the rules and days off missing from the database; the counts written. `apps`: a
    migration's historical registry (a model it does not have yet is skipped)."""
    registry = apps or global_apps
    written = {"rules": 0, "holidays": 0}
    Rule = registry.get_model("core", "Rule")
    for row in reference_rules():
        if Rule.objects.filter(key=row["key"], effective_from=row["effective_from"]).exists():
            continue
        start = row["effective_from"]
        Rule.objects.filter(key=row["key"], effective_from__lt=start).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=start)).update(effective_to=start)
        Rule.objects.create(**row)
        written["rules"] += 1
    try:
        Holiday = registry.get_model("core", "Holiday")
    except LookupError:  # a migration before core 0004: no holidays table yet
        return written
    filled = {d.year for d in Holiday.objects.dates("date", "year")}
    new = [Holiday(date=day, name=name, confirmed=confirmed, note=note)
           for day, name, confirmed, note in reference_holidays() if day.year not in filled]
    Holiday.objects.bulk_create(new)
    written["holidays"] = len(new)
    return written
