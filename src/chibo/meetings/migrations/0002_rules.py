"""The numbers of cell meetings, with citations (domain-rules.md §3). Unconfirmed ones are
marked and shown as such wherever they are used."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SINCE = dt.date(1900, 1, 1)
CT50 = dt.date(2025, 7, 23)
RULES = [
    {"key": "meeting_regular_every_months", "name": "Chi bộ sinh hoạt thường kỳ", "value": 1, "unit": "months",
     "citation": "Điều lệ Đảng (2011), Điều 24", "effective_from": SINCE,
     "note": "Chi bộ họp thường lệ mỗi tháng một lần."},
    {"key": "meeting_committee_every_months", "name": "Chi ủy họp thường kỳ", "value": 1, "unit": "months",
     "citation": "Điều lệ Đảng (2011), Điều 24", "effective_from": SINCE,
     "note": "Chi ủy (nơi chi bộ có chi ủy) họp thường lệ mỗi tháng một lần."},
    {"key": "meeting_thematic_every_months", "name": "Sinh hoạt chuyên đề", "value": 3, "unit": "months",
     "citation": "Hướng dẫn 12-HD/BTCTW (2018), mục II.2.2", "effective_from": SINCE, "confirmed": False,
     "note": "Ít nhất mỗi quý một lần. Tần suất theo Hướng dẫn 42-HD/BTCTW (2025) chưa được xác nhận; "
             "cấp ủy có thể đặt khác."},
    {"key": "meeting_materials_lead_days", "name": "Đăng tài liệu sinh hoạt trước", "value": 1, "unit": "days",
     "citation": "Hướng dẫn 42-HD/BTCTW (28/10/2025)", "effective_from": dt.date(2025, 10, 28),
     "note": "Tài liệu sinh hoạt chi bộ được đăng tải ít nhất 1 ngày trước buổi sinh hoạt."},
    {"key": "meeting_min_minutes", "name": "Thời lượng tối thiểu một buổi sinh hoạt", "value": 90,
     "unit": "minutes", "citation": "Chỉ thị 50-CT/TW (23/7/2025); Hướng dẫn 42-HD/BTCTW (2025)",
     "effective_from": CT50, "note": "Ít nhất 90 phút."},
    {"key": "meeting_combined_min_minutes", "name": "Thời lượng tối thiểu khi kết hợp chuyên đề", "value": 120,
     "unit": "minutes", "citation": "Chỉ thị 50-CT/TW (23/7/2025); Hướng dẫn 42-HD/BTCTW (2025)",
     "effective_from": CT50, "note": "Sinh hoạt thường kỳ kết hợp chuyên đề trong cùng buổi: ít nhất 120 phút."},
    {"key": "meeting_quorum_more_than_pct", "name": "Số đảng viên có mặt để buổi sinh hoạt hợp lệ", "value": 50,
     "unit": "percent", "citation": "Thông lệ sinh hoạt đảng (quá nửa số đảng viên được triệu tập)",
     "effective_from": SINCE, "confirmed": False,
     "note": "Hợp lệ khi có mặt quá nửa số đảng viên được triệu tập (không tính đảng viên được miễn sinh hoạt). "
             "Chưa xác nhận được văn bản quy định."},
    {"key": "vote_special_numerator", "name": "Tỷ lệ biểu quyết kết nạp, công nhận, xóa tên (tử số)", "value": 2,
     "unit": "count", "citation": "Điều lệ Đảng (2011), Điều 4, 5, 8; Quy định 294-QĐ/TW (2025)",
     "effective_from": SINCE, "note": "Ít nhất hai phần ba số đảng viên chính thức đồng ý."},
    {"key": "vote_special_denominator", "name": "Tỷ lệ biểu quyết kết nạp, công nhận, xóa tên (mẫu số)", "value": 3,
     "unit": "count", "citation": "Điều lệ Đảng (2011), Điều 4, 5, 8; Quy định 294-QĐ/TW (2025)",
     "effective_from": SINCE, "note": "Ít nhất hai phần ba số đảng viên chính thức đồng ý."},
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
    dependencies = [("meetings", "0001_initial"), ("core", "0003_rule_units")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
