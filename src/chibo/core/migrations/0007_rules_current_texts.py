"""The member-development and transfer time limits cite the text in force (issue 13, points 3
and 4): QĐ 294-QĐ/TW (26/5/2025, in force 1/7/2025) replaced QĐ 29 (2016), QĐ 24 (2021) and
QĐ 232 (2025). Each rule keeps its older version up to 1/7/2025 — with its old citation, so a
deadline counted before then keeps it — and gains a version from 1/7/2025 citing QĐ 294. The
values did not change; where the reference gave QĐ 294's point number it is cited, where it did
not, the note says so. One correction: presenting a transfer letter was always 30 *working* days
(QĐ 24 §6.3.1c, QĐ 294 §6.3.1), not 30 calendar days as chibo had it (domain-rules §0)."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

from chibo.core.seed import seed_reference_data

QD294 = dt.date(2025, 7, 1)
NEW_KEYS = ["admission_decision_working_days", "admission_decision_extension_working_days",
            "admission_ceremony_working_days", "recognition_consider_working_days",
            "recognition_decision_working_days", "transfer_start_working_days", "transfer_present_days"]
OLD_TRANSFER_PRESENT = {
    "unit": "working_days",
    "citation": "Quy định 24-QĐ/TW (2021), điểm 6.3.1c (trước đó Quy định 29-QĐ/TW, điểm 6.3)",
    "note": "Trong 30 ngày làm việc kể từ ngày ký giấy giới thiệu (trước đây chibo ghi nhầm là 30 ngày lịch).",
}


def add_rules(apps, schema_editor):
    """The new versions (chibo.core.reference) through chibo.core.seed, which closes the older
    ones on 1/7/2025; then the correction of the older transfer_present_days row on a database
    that had it already (on a new one the seed wrote it corrected)."""
    seed_reference_data(apps)
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key="transfer_present_days", effective_from__lt=QD294).update(**OLD_TRANSFER_PRESENT)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for key in NEW_KEYS:
        Rule.objects.filter(key=key, effective_from=QD294).delete()
        Rule.objects.filter(key=key, effective_to=QD294).update(effective_to=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_rules_lifecycle")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
