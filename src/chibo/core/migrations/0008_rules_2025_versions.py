"""The rules still citing a replaced text gain a version from 1/7/2025 citing the text in force
(issue 13 point 4): QĐ 294-QĐ/TW (26/5/2025, in force 1/7/2025) and HD 06-HD/TW (09/6/2025)
replaced QĐ 29 (2016), QĐ 24 (2021) and HD 01-HD/TW (2021); HD 09-HD/BTCTW (2017) is replaced for
the nghiệp vụ forms. Each older version is kept up to 1/7/2025 with its citation, so a date counted
before then keeps it. The values are the same; where the current text's point could not be
checked the note says so, and where the value itself could not be confirmed in the current
text the new version is marked unconfirmed. Citations no longer carry chibo's own reference
notes ("domain-rules §…"), which meant nothing to a reader."""

from __future__ import annotations

import datetime as dt
import re

from django.db import migrations

from chibo.core.seed import seed_reference_data

QD294 = dt.date(2025, 7, 1)
# The keys given a version from 1/7/2025 (their rows: chibo.core.reference, chibo.lifecycle.reference).
NEW = ["badge_first_years", "badge_second_years", "badge_step_years", "badge_last_years", "removal_absence_months",
       "admission_file_months", "awareness_certificate_months", "temporary_transfer_min_months",
       "temporary_transfer_max_months", "temporary_study_max_months"]
OWN_NOTE = re.compile(r"\s*\(domain-rules[^)]*\)")


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for rule in Rule.objects.filter(citation__contains="domain-rules"):
        rule.citation = OWN_NOTE.sub("", rule.citation)
        rule.save(update_fields=["citation"])
    seed_reference_data(apps)  # the versions from 1/7/2025 (each domain's reference.py)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for key in NEW:
        Rule.objects.filter(key=key, effective_from=QD294).delete()
        Rule.objects.filter(key=key, effective_to=QD294).update(effective_to=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_rules_current_texts"), ("lifecycle", "0004_rules_exemption")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
