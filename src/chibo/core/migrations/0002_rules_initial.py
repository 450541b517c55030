"""The regulation numbers the foundation uses, with citations (domain-rules.md §2, §3)."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

RULES = [
    {
        "key": "admission_min_age", "name": "Tuổi tối thiểu khi được xem xét kết nạp", "value": 18, "unit": "years",
        "citation": "Điều lệ Đảng (2011), Điều 1", "effective_from": dt.date(1900, 1, 1),
        "effective_to": dt.date(2025, 7, 1),
        "note": "Đủ 18 tuổi, tính theo tháng, tại thời điểm chi bộ xét kết nạp.",
    },
    {
        "key": "admission_min_age", "name": "Tuổi tối thiểu khi được xem xét kết nạp", "value": 18, "unit": "years",
        "citation": "Quy định 294-QĐ/TW (26/5/2025), điểm 1.1", "effective_from": dt.date(2025, 7, 1),
        "note": "Từ đủ 18 đến đủ 60 tuổi, tính theo tháng, tại thời điểm chi bộ xét kết nạp.",
    },
    {
        "key": "probation_months", "name": "Thời gian dự bị", "value": 12, "unit": "months",
        "citation": "Điều lệ Đảng (2011), Điều 5", "effective_from": dt.date(1900, 1, 1),
        "note": "Đảng viên dự bị trở thành chính thức đúng ngày hết 12 tháng dự bị, kể cả khi chi bộ xét chậm.",
    },
    {
        "key": "cell_committee_min_official", "name": "Số đảng viên chính thức để chi bộ bầu chi ủy", "value": 9,
        "unit": "count", "citation": "Điều lệ Đảng (2011), Điều 24", "effective_from": dt.date(1900, 1, 1),
        "note": "Chi bộ có từ 9 đảng viên chính thức trở lên bầu chi ủy; dưới 9 bầu bí thư (và phó bí thư).",
    },
    {
        "key": "cell_min_official", "name": "Số đảng viên chính thức tối thiểu của chi bộ", "value": 3,
        "unit": "count", "citation": "Điều lệ Đảng (2011), Điều 24", "effective_from": dt.date(1900, 1, 1),
        "note": "Chi bộ có ít nhất ba đảng viên chính thức.",
    },
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
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
