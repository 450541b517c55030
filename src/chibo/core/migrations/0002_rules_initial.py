"""The regulation numbers the foundation uses, with citations. The rows now live in each domain's
`reference.py` and are written by chibo.core.seed (issue 15, point 6), which every data
migration calls: on a new database this first call writes them all, in their current form;
the later migrations then find nothing to add."""

from __future__ import annotations

from django.db import migrations

from chibo.core.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
