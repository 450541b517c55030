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

SINCE = dt.date(1900, 1, 1)
QD294 = dt.date(2025, 7, 1)
GENERAL_NOTE = ("Nghị quyết của chi bộ chỉ có giá trị khi quá nửa số đảng viên chính thức được triệu tập tán thành. "
                "Không tính đảng viên sinh hoạt tạm thời ở đảng bộ khác; đảng viên miễn công tác và sinh hoạt đảng "
                "không có mặt (có mặt, tham gia biểu quyết thì vẫn tính); đảng viên bị đình chỉ sinh hoạt, bị khởi "
                "tố, truy tố, tạm giam; đảng viên vắng mặt có lý do được cấp ủy đồng ý.")
RULES = [
    {"key": "vote_general_more_than_pct", "name": "Biểu quyết nghị quyết của chi bộ (quá nửa)", "value": 50,
     "unit": "percent", "effective_from": SINCE, "effective_to": QD294, "confirmed": True,
     "citation": "Điều lệ Đảng (2011), Điều 10; Quy định 24-QĐ/TW (2021), điểm 9.3.2",
     "note": GENERAL_NOTE},
    {"key": "vote_general_more_than_pct", "name": "Biểu quyết nghị quyết của chi bộ (quá nửa)", "value": 50,
     "unit": "percent", "effective_from": QD294, "effective_to": None, "confirmed": True,
     "citation": "Điều lệ Đảng (2011), Điều 10; Quy định 294-QĐ/TW (26/5/2025)",
     "note": GENERAL_NOTE + " Như Quy định 24-QĐ/TW, điểm 9.3.2 (đã đối chiếu); số điểm trong Quy định 294 chưa "
                            "đối chiếu."},
    {"key": "vote_removal_numerator", "name": "Tỷ lệ biểu quyết xóa tên đảng viên chính thức (tử số)", "value": 2,
     "unit": "count", "effective_from": SINCE, "effective_to": None, "confirmed": False,
     "citation": "Chưa tìm thấy văn bản quy định (Điều lệ Đảng, Điều 8 không nêu tỷ lệ)",
     "note": "chibo tạm dùng hai phần ba số đảng viên chính thức được triệu tập, như kết nạp và công nhận. Chưa tìm "
             "thấy văn bản đặt tỷ lệ này cho việc xóa tên đảng viên chính thức; cấp ủy sửa khi có văn bản."},
    {"key": "vote_removal_denominator", "name": "Tỷ lệ biểu quyết xóa tên đảng viên chính thức (mẫu số)", "value": 3,
     "unit": "count", "effective_from": SINCE, "effective_to": None, "confirmed": False,
     "citation": "Chưa tìm thấy văn bản quy định (Điều lệ Đảng, Điều 8 không nêu tỷ lệ)",
     "note": "chibo tạm dùng hai phần ba số đảng viên chính thức được triệu tập, như kết nạp và công nhận. Chưa tìm "
             "thấy văn bản đặt tỷ lệ này cho việc xóa tên đảng viên chính thức; cấp ủy sửa khi có văn bản."},
]
SPECIAL = {"citation": "Điều lệ Đảng (2011), Điều 4 (kết nạp), Điều 5 (công nhận đảng viên chính thức)",
           "note": "Ít nhất hai phần ba số đảng viên chính thức được triệu tập tán thành. Cũng áp dụng khi chi bộ đề "
                   "nghị xóa tên đảng viên dự bị không được công nhận."}
SPECIAL_NAMES = {"vote_special_numerator": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (tử số)",
                 "vote_special_denominator": "Tỷ lệ biểu quyết kết nạp, công nhận đảng viên chính thức (mẫu số)"}
OLD_SPECIAL = {"citation": "Điều lệ Đảng (2011), Điều 4, 5, 8; Quy định 294-QĐ/TW (2025)",
               "note": "Ít nhất hai phần ba số đảng viên chính thức đồng ý."}


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.update_or_create(key=row["key"], effective_from=row["effective_from"], defaults=row)
    for key, name in SPECIAL_NAMES.items():
        Rule.objects.filter(key=key, effective_from=SINCE).update(name=name, **SPECIAL)


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for row in RULES:
        Rule.objects.filter(key=row["key"], effective_from=row["effective_from"]).delete()
    for key, part in (("vote_special_numerator", "tử số"), ("vote_special_denominator", "mẫu số")):
        Rule.objects.filter(key=key, effective_from=SINCE).update(
            name=f"Tỷ lệ biểu quyết kết nạp, công nhận, xóa tên ({part})", **OLD_SPECIAL)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_vote_roll"), ("core", "0003_rule_units")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
