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
from django.db.models import Q

QD294 = dt.date(2025, 7, 1)
UNNUMBERED = "Số điểm trong Quy định 294 chưa đối chiếu; thời hạn như văn bản trước."
NEW = [
    {"key": "admission_decision_working_days", "name": "Thời hạn cấp ủy có thẩm quyền quyết định kết nạp",
     "value": 60, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025)", "confirmed": True,
     "note": "Trong 60 ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị kết nạp. " + UNNUMBERED},
    {"key": "admission_decision_extension_working_days", "name": "Gia hạn quyết định kết nạp (trường hợp đặc biệt)",
     "value": 30, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025)", "confirmed": True,
     "note": "Trường hợp đặc biệt được gia hạn một lần, không quá 30 ngày làm việc. " + UNNUMBERED},
    {"key": "admission_ceremony_working_days", "name": "Thời hạn tổ chức lễ kết nạp",
     "value": 30, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025)", "confirmed": True,
     "note": "Trong 30 ngày làm việc kể từ ngày chi bộ nhận được quyết định kết nạp; muộn hơn phải báo cáo và được "
             "cấp ủy cấp trên trực tiếp đồng ý. " + UNNUMBERED},
    {"key": "recognition_consider_working_days", "name": "Thời hạn chi bộ xét công nhận đảng viên chính thức",
     "value": 30, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025)", "confirmed": True,
     "note": "Trong 30 ngày làm việc kể từ ngày đảng viên hết 12 tháng dự bị. " + UNNUMBERED},
    {"key": "recognition_decision_working_days", "name": "Thời hạn cấp ủy quyết định công nhận đảng viên chính thức",
     "value": 30, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025)", "confirmed": True,
     "note": "Trong 30 ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị. " + UNNUMBERED},
    {"key": "transfer_start_working_days", "name": "Thời hạn làm thủ tục chuyển sinh hoạt đảng chính thức",
     "value": 60, "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025), điểm 6.3", "confirmed": False,
     "note": "Trong 60 ngày làm việc kể từ ngày quyết định có hiệu lực hoặc ngày chuyển nơi cư trú. Giá trị theo "
             "Quy định 294 và Hướng dẫn 06-HD/TW (2025) chưa xác nhận."},
    {"key": "transfer_present_days", "name": "Thời hạn nộp giấy giới thiệu sinh hoạt đảng", "value": 30,
     "unit": "working_days", "citation": "Quy định 294-QĐ/TW (26/5/2025), điểm 6.3.1", "confirmed": True,
     "note": "Trong 30 ngày làm việc kể từ ngày ký giấy giới thiệu, đảng viên phải xuất trình với cấp ủy nơi đến."},
]
OLD_TRANSFER_PRESENT = {
    "unit": "working_days",
    "citation": "Quy định 24-QĐ/TW (2021), điểm 6.3.1c (trước đó Quy định 29-QĐ/TW, điểm 6.3)",
    "note": "Trong 30 ngày làm việc kể từ ngày ký giấy giới thiệu (trước đây chibo ghi nhầm là 30 ngày lịch).",
}


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in NEW:
        earlier = Rule.objects.filter(key=row["key"], effective_from__lt=QD294)
        earlier.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=QD294)).update(effective_to=QD294)
        Rule.objects.update_or_create(key=row["key"], effective_from=QD294, defaults=row)
    Rule.objects.filter(key="transfer_present_days", effective_from__lt=QD294).update(**OLD_TRANSFER_PRESENT)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in NEW:
        Rule.objects.filter(key=row["key"], effective_from=QD294).delete()
        Rule.objects.filter(key=row["key"], effective_to=QD294).update(effective_to=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_rules_lifecycle")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
