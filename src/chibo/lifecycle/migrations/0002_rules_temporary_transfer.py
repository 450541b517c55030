"""The lengths of a temporary transfer of party activity as rules (domain-rules.md §5.1):
3 months to under 1 year for a change of residence or work, up to 2 years for full-time study."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SINCE = dt.date(1900, 1, 1)
CITATION = "Quy định 29-QĐ/TW (2016), điểm 6"
NOTE = "3 tháng đến dưới 1 năm; học tập đến 2 năm"
RULES = [
    {"key": "temporary_transfer_max_months", "name": "Sinh hoạt đảng tạm thời: thời gian tối đa (dưới)",
     "value": 12, "unit": "months", "citation": CITATION, "effective_from": SINCE, "note": NOTE},
    {"key": "temporary_study_max_months", "name": "Sinh hoạt đảng tạm thời khi đi học tập trung: thời gian tối đa",
     "value": 24, "unit": "months", "citation": CITATION, "effective_from": SINCE, "note": NOTE},
    {"key": "temporary_transfer_min_months", "name": "Sinh hoạt đảng tạm thời: thời gian tối thiểu",
     "value": 3, "unit": "months", "citation": CITATION, "effective_from": SINCE, "note": NOTE},
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.update_or_create(key=row["key"], effective_from=row["effective_from"], defaults=row)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.filter(key=row["key"], effective_from=row["effective_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial"), ("core", "0006_rules_lifecycle")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
