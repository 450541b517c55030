"""The conditions for an exemption from party work and meetings, now in
chibo.lifecycle.reference, written by chibo.core.seed (issue 15, point 6)."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0003_exemption"), ("core", "0007_rules_current_texts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
