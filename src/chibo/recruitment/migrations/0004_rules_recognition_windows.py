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

SINCE = dt.date(1900, 1, 1)
QD294 = dt.date(2025, 7, 1)
UNNUMBERED = "Số điểm trong Quy định 294 chưa đối chiếu; nội dung như văn bản trước."
EXTENSION = {"key": "recognition_decision_extension_working_days",
             "name": "Gia hạn quyết định công nhận đảng viên chính thức (trường hợp đặc biệt)",
             "value": 30, "unit": "working_days"}
FAILED = {"key": "recognition_failed_votes_to_superior",
          "name": "Số lần chi bộ biểu quyết không đủ hai phần ba thì báo cáo cấp ủy cấp trên quyết định",
          "value": 3, "unit": "count"}
RULES = [
    {**EXTENSION, "effective_from": SINCE, "effective_to": QD294,
     "citation": "Quy định 29-QĐ/TW (2016), điểm 4.3.1 (nhắc lại trong Quy định 24-QĐ/TW và 232-QĐ/TW)",
     "note": "Trường hợp đặc biệt được gia hạn một lần, không quá 30 ngày làm việc, như với quyết định kết nạp."},
    {**EXTENSION, "effective_from": QD294, "citation": "Quy định 294-QĐ/TW (26/5/2025)",
     "note": "Trường hợp đặc biệt được gia hạn một lần, không quá 30 ngày làm việc. " + UNNUMBERED},
    {**FAILED, "effective_from": SINCE, "effective_to": QD294,
     "citation": "Quy định 29-QĐ/TW (2016), điểm 4.2; Quy định 24-QĐ/TW (2021), điểm 4.2.3",
     "note": "Tổ chức đảng cấp dưới đã biểu quyết 3 lần không đủ hai phần ba đảng viên chính thức (hoặc cấp ủy "
             "viên) tán thành công nhận chính thức hoặc đề nghị xóa tên thì báo cáo cấp ủy cấp trên trực tiếp xem "
             "xét, quyết định."},
    {**FAILED, "effective_from": QD294, "citation": "Quy định 294-QĐ/TW (26/5/2025)",
     "note": "Biểu quyết 3 lần không đủ hai phần ba thì báo cáo cấp ủy cấp trên trực tiếp xem xét, quyết định. "
             + UNNUMBERED},
]
OVER_AGE_NOTE = ("Đủ 60 tuổi trở xuống, tính theo tháng, tại thời điểm chi bộ xét kết nạp. Người trên 60 tuổi do "
                 "cấp ủy trực thuộc Trung ương (ban thường vụ tỉnh ủy) xem xét, quyết định kết nạp, khi đã có sự "
                 "đồng ý bằng văn bản trước.")
OLD_OVER_AGE_NOTE = ("Đủ 60 tuổi trở xuống, tính theo tháng, tại thời điểm chi bộ xét kết nạp. Trên 60 tuổi chỉ xét "
                     "khi có sự đồng ý bằng văn bản của cấp ủy có thẩm quyền theo quy định.")


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.update_or_create(key=row["key"], effective_from=row["effective_from"], defaults=row)
    Rule.objects.filter(key="admission_max_age", effective_from=QD294).update(note=OVER_AGE_NOTE)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.filter(key=row["key"], effective_from=row["effective_from"]).delete()
    Rule.objects.filter(key="admission_max_age", effective_from=QD294).update(note=OLD_OVER_AGE_NOTE)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0003_decision_receipt_decider_recognition_extension"),
                    ("core", "0007_rules_current_texts")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
