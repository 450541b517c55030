"""The conditions for an exemption from party work and meetings as rules (domain-rules.md §5.2):
"old" is past the working age of the labour law of the time — men over 60, women over 55 — and
"poor health" is an illness needing 3 months or more of treatment; travel of 3 months or more is
another case (HD 27-HD/BTCTW, 26/3/2009). chibo shows them as guidance: an age below them is a
warning, not a refusal, since other cases exist."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SINCE = dt.date(2009, 3, 26)
CITATION = "Hướng dẫn 27-HD/BTCTW (26/3/2009)"
RULES = [
    {"key": "exemption_age_men", "name": "Miễn công tác và sinh hoạt đảng: tuổi cao (nam, trên)",
     "value": 60, "unit": "years", "citation": CITATION, "effective_from": SINCE,
     "note": "Quá tuổi lao động theo Bộ luật Lao động khi ban hành hướng dẫn: nam trên 60 tuổi."},
    {"key": "exemption_age_women", "name": "Miễn công tác và sinh hoạt đảng: tuổi cao (nữ, trên)",
     "value": 55, "unit": "years", "citation": CITATION, "effective_from": SINCE,
     "note": "Quá tuổi lao động theo Bộ luật Lao động khi ban hành hướng dẫn: nữ trên 55 tuổi."},
    {"key": "exemption_health_months", "name": "Miễn công tác và sinh hoạt đảng: sức khỏe yếu (điều trị từ)",
     "value": 3, "unit": "months", "citation": CITATION, "effective_from": SINCE,
     "note": "Bệnh phải điều trị từ 3 tháng trở lên hoặc có hồ sơ bệnh án."},
    {"key": "exemption_travel_months", "name": "Miễn công tác và sinh hoạt đảng: đi xa, làm việc lưu động (từ)",
     "value": 3, "unit": "months", "citation": CITATION, "effective_from": SINCE,
     "note": "Trường hợp khác: đi xa từ 3 tháng trở lên, làm việc lưu động."},
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
    dependencies = [("lifecycle", "0003_exemption"), ("core", "0007_rules_current_texts")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
