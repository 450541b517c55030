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
from django.db.models import Q

QD294 = dt.date(2025, 7, 1)
HD06 = "Hướng dẫn 06-HD/TW (09/6/2025)"
QD294_TEXT = "Quy định 294-QĐ/TW (26/5/2025)"
BADGE_NOTE = ("Các mốc 30, 40, 45, 50 … 90 năm tuổi đảng của Hướng dẫn 01-HD/TW (2021), điểm 18, vẫn được áp dụng "
              "khi trao Huy hiệu Đảng năm 2026; chưa đối chiếu được điểm tương ứng trong văn bản mới.")
FILE_NOTE = ("Thời hạn giá trị tài liệu trong hồ sơ kết nạp theo Hướng dẫn 06-HD/TW (2025) chưa xác nhận; giữ thời "
             "hạn của Hướng dẫn 09-HD/BTCTW (2017).")
TEMPORARY_NOTE = ("Hướng dẫn 06-HD/TW (2025) có mục về chuyển sinh hoạt đảng; thời hạn sinh hoạt tạm thời theo văn "
                  "bản mới chưa xác nhận, giữ thời hạn của Quy định 29-QĐ/TW (2016), điểm 6.")
# key -> (citation, confirmed, note) of the version from 1/7/2025
NEW = {
    "badge_first_years": (f"{QD294_TEXT}; {HD06}", False, BADGE_NOTE),
    "badge_second_years": (f"{QD294_TEXT}; {HD06}", False, BADGE_NOTE),
    "badge_step_years": (f"{QD294_TEXT}; {HD06}", False, BADGE_NOTE),
    "badge_last_years": (f"{QD294_TEXT}; {HD06}", False, BADGE_NOTE),
    "removal_absence_months": (
        f"{QD294_TEXT}; Quy định 01-QĐ/TW (03/2/2026) về đảng phí", True,
        "Bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng trong năm mà không có lý do chính đáng là một trường hợp "
        "xóa tên; Quy định về đảng phí năm 2026 nhắc lại. Số điểm trong Quy định 294 chưa đối chiếu."),
    "admission_file_months": (HD06, False, FILE_NOTE),
    "awareness_certificate_months": (HD06, False, FILE_NOTE),
    "temporary_transfer_min_months": (f"{QD294_TEXT}; {HD06}", False, TEMPORARY_NOTE),
    "temporary_transfer_max_months": (f"{QD294_TEXT}; {HD06}", False, TEMPORARY_NOTE),
    "temporary_study_max_months": (f"{QD294_TEXT}; {HD06}", False, TEMPORARY_NOTE),
}
OWN_NOTE = re.compile(r"\s*\(domain-rules[^)]*\)")


def add_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for rule in Rule.objects.filter(citation__contains="domain-rules"):
        rule.citation = OWN_NOTE.sub("", rule.citation)
        rule.save(update_fields=["citation"])
    for key, (citation, confirmed, note) in NEW.items():
        old = Rule.objects.filter(key=key, effective_from__lt=QD294).order_by("-effective_from").first()
        if old is None:
            continue
        Rule.objects.filter(key=key, effective_from__lt=QD294).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=QD294)).update(effective_to=QD294)
        Rule.objects.update_or_create(key=key, effective_from=QD294, defaults={
            "name": old.name, "value": old.value, "unit": old.unit, "citation": citation, "confirmed": confirmed,
            "note": note, "effective_to": None})


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("core", "Rule")
    for key in NEW:
        Rule.objects.filter(key=key, effective_from=QD294).delete()
        Rule.objects.filter(key=key, effective_to=QD294).update(effective_to=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_rules_current_texts"), ("lifecycle", "0004_rules_exemption")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
