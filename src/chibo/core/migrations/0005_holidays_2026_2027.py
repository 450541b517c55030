"""Vietnam's days off for 2026 and 2027, now in chibo.core.reference.HOLIDAYS, written by
chibo.core.seed (issue 15, point 6) for a year that has none yet."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_holidays")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
