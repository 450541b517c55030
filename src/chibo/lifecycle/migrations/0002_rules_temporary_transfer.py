"""The lengths of a temporary transfer of party activity, now in chibo.lifecycle.reference,
written by chibo.core.seed (issue 15, point 6)."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial"), ("core", "0006_rules_lifecycle")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
