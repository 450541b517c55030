"""The numbers of cell meetings, now in chibo.meetings.reference, written by chibo.core.seed
(issue 15, point 6)."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("core", "0003_rule_units")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
