"""The time limits and thresholds of member development and the member lifecycle, now in
chibo.core.reference, written by chibo.core.seed (issue 15, point 6)."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_holidays_2026_2027")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
