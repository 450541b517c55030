"""The majorities of a cell's votes, with what sets them (issue 13 point 1; domain-rules §0).

- A resolution needs more than half voting for (Điều lệ Đảng, Điều 10, khoản 5), counted on the
  official members called: QĐ 24-QĐ/TW (2021) §9.3.2 (checked in a published translation of the
  text, which also lists who is left out of the official members called). From 1/7/2025 QĐ
  294-QĐ/TW replaced QĐ 24; the reference says it restates the rule, but its point number was not
  checked, so the citation names the text only and the note says so. As for the time limits
  (core 0007, docs/decisions.md) the value is the Statute's and unchanged, so the rule is not
  marked unconfirmed for the numbering.
- Admission and recognition need two-thirds of the official members: Điều lệ Đảng, Điều 4 and 5.
  The earlier rows cited Điều 8 for removal too; no text was found that sets a two-thirds
  threshold there, so removal of an official member gets its own rule, marked unconfirmed.
  Removal of a probationary member not recognised is decided with the recognition vote
  (recruitment), under the two-thirds of the special rule."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

from chibo.core.seed import seed_reference_data

SINCE = dt.date(1900, 1, 1)
QD294 = dt.date(2025, 7, 1)
KEYS = ["vote_general_more_than_pct", "vote_removal_numerator", "vote_removal_denominator"]  # rows: chibo.meetings.reference
SPECIAL = {"citation": "Điều lệ Đảng (2011), Điều 4 (kết nạp), Điều 5 (công nhận đảng viên chính thức)",
           "note": "Ít nhất hai phần ba số đảng viên chính thức được triệu tập tán thành. Cũng áp dụng khi chi bộ đề "
                   "nghị xóa tên đảng viên dự bị không được công nhận."}
SPECIAL_NAMES = {"vote_special_numerator": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (tử số)",
                 "vote_special_denominator": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (mẫu số)"}
OLD_SPECIAL = {"citation": "Điều lệ Đảng (2011), Điều 4, 5, 8; Quy định 294-QĐ/TW (2025)",
               "note": "Ít nhất hai phần ba số đảng viên chính thức đồng ý."}


def add_rules(apps, schema_editor):
    seed_reference_data(apps)
    Rule = apps.get_model("core", "Rule")
    for key, name in SPECIAL_NAMES.items():  # the earlier rows, on a database that had them
        Rule.objects.filter(key=key, effective_from=SINCE).update(name=name, **SPECIAL)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    Rule.objects.filter(key__in=KEYS).delete()
    for key, part in (("vote_special_numerator", "tử số"), ("vote_special_denominator", "mẫu số")):
        Rule.objects.filter(key=key, effective_from=SINCE).update(
            name=f"Tỷ lệ biểu quyết kết nạp, công nhận, xóa tên ({part})", **OLD_SPECIAL)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_vote_roll"), ("core", "0003_rule_units")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
