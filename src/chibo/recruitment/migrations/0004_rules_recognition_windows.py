"""Recognition's time limits in full (issue 13 point 3, domain-rules.md §0 and §2.6): the
committee's 30 working days after the cell's resolution may be extended once, by up to 30
working days in special cases, as for admission (QĐ 29 §4.3.1, kept by QĐ 24, QĐ 232 and
QĐ 294); and after three votes without two-thirds, for recognition or for removal, the cell
reports to the superior committee, which decides (QĐ 29 §4.2; QĐ 24 §4.2.3). Each rule keeps
its older version up to 1/7/2025 and a version from then citing QĐ 294-QĐ/TW, whose point
numbers the reference did not give. The over-60 rule's note now says that the provincial
committee decides (not merely consents)."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

from chibo.core.seed import seed_reference_data

SINCE = dt.date(1900, 1, 1)
QD294 = dt.date(2025, 7, 1)
KEYS = ["recognition_decision_extension_working_days", "recognition_failed_votes_to_superior"]  # rows: chibo.recruitment.reference
OVER_AGE_NOTE = ("Đủ 60 tuổi trở xuống, tính theo tháng, tại thời điểm chi bộ xét kết nạp. Người trên 60 tuổi do "
                 "cấp ủy trực thuộc Trung ương (ban thường vụ tỉnh ủy) xem xét, quyết định kết nạp, khi đã có sự "
                 "đồng ý bằng văn bản trước.")
OLD_OVER_AGE_NOTE = ("Đủ 60 tuổi trở xuống, tính theo tháng, tại thời điểm chi bộ xét kết nạp. Trên 60 tuổi chỉ xét "
                     "khi có sự đồng ý bằng văn bản của cấp ủy có thẩm quyền theo quy định.")


def add_rules(apps, schema_editor):
    seed_reference_data(apps)
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key="admission_max_age", effective_from=QD294).update(note=OVER_AGE_NOTE)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key__in=KEYS).delete()
    Rule.objects.filter(key="admission_max_age", effective_from=QD294).update(note=OLD_OVER_AGE_NOTE)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0003_decision_receipt_decider_recognition_extension"),
                    ("core", "0007_rules_current_texts")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
