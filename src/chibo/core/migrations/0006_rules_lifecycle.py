"""The time limits and thresholds of member development and the member lifecycle, with
citations (domain-rules.md §2, §5). Rules the reference could not confirm for the 2025 texts
are marked unconfirmed; chibo shows that mark wherever it uses them."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

SINCE = dt.date(1900, 1, 1)
QD294 = dt.date(2025, 7, 1)
RULES = [
    {"key": "admission_max_age", "name": "Tuổi tối đa khi được xem xét kết nạp", "value": 60, "unit": "years",
     "citation": "Quy định 294-QĐ/TW (26/5/2025), điểm 1.1", "effective_from": QD294,
     "note": "Đủ 60 tuổi trở xuống, tính theo tháng, tại thời điểm chi bộ xét kết nạp. Trên 60 tuổi chỉ xét khi "
             "có sự đồng ý bằng văn bản của cấp ủy có thẩm quyền theo quy định."},
    {"key": "awareness_certificate_months", "name": "Thời hạn giá trị giấy chứng nhận bồi dưỡng nhận thức về Đảng",
     "value": 60, "unit": "months", "citation": "Hướng dẫn 09-HD/BTCTW (2017) và tài liệu nghiệp vụ",
     "effective_from": SINCE, "confirmed": False,
     "note": "Các hướng dẫn cũ ghi 5 năm (60 tháng); chưa xác nhận được theo Hướng dẫn 06-HD/TW (2025)."},
    {"key": "admission_file_months", "name": "Thời hạn giá trị các tài liệu khác trong hồ sơ kết nạp",
     "value": 12, "unit": "months", "citation": "Hướng dẫn 09-HD/BTCTW (2017)", "effective_from": SINCE,
     "confirmed": False,
     "note": "Đơn, lý lịch, nhận xét, kết quả thẩm tra: 12 tháng theo hướng dẫn cũ; chưa xác nhận theo HD 06 (2025)."},
    {"key": "admission_decision_working_days", "name": "Thời hạn cấp ủy có thẩm quyền quyết định kết nạp",
     "value": 60, "unit": "working_days", "citation": "Quy định 232-QĐ/TW (2025), điểm 4.3.1", "effective_from": SINCE,
     "note": "Trong 60 ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị kết nạp."},
    {"key": "admission_decision_extension_working_days", "name": "Gia hạn quyết định kết nạp (trường hợp đặc biệt)",
     "value": 30, "unit": "working_days", "citation": "Quy định 232-QĐ/TW (2025), điểm 4.3.1", "effective_from": SINCE,
     "note": "Trường hợp đặc biệt được gia hạn không quá 30 ngày làm việc."},
    {"key": "admission_ceremony_working_days", "name": "Thời hạn tổ chức lễ kết nạp",
     "value": 30, "unit": "working_days", "citation": "Quy định 232-QĐ/TW (2025), điểm 4.1", "effective_from": SINCE,
     "note": "Trong 30 ngày làm việc kể từ ngày nhận được quyết định kết nạp; muộn hơn phải báo cáo và được cấp ủy "
             "cấp trên trực tiếp đồng ý."},
    {"key": "recognition_consider_working_days", "name": "Thời hạn chi bộ xét công nhận đảng viên chính thức",
     "value": 30, "unit": "working_days", "citation": "Quy định 29-QĐ/TW, điểm 4.2 (nhắc lại trong QĐ 232)",
     "effective_from": SINCE, "note": "Trong 30 ngày làm việc kể từ ngày đảng viên hết 12 tháng dự bị."},
    {"key": "recognition_decision_working_days", "name": "Thời hạn cấp ủy quyết định công nhận đảng viên chính thức",
     "value": 30, "unit": "working_days", "citation": "Quy định 29-QĐ/TW, điểm 4.2 (nhắc lại trong QĐ 232)",
     "effective_from": SINCE, "note": "Trong 30 ngày làm việc kể từ ngày chi bộ có nghị quyết đề nghị."},
    {"key": "transfer_start_working_days", "name": "Thời hạn làm thủ tục chuyển sinh hoạt đảng chính thức",
     "value": 60, "unit": "working_days", "citation": "Quy định 29-QĐ/TW, điểm 6.3", "effective_from": SINCE,
     "note": "Trong 60 ngày làm việc kể từ ngày quyết định có hiệu lực hoặc ngày chuyển nơi cư trú. Thời hạn theo "
             "Hướng dẫn 06-HD/TW (2025) chưa xác nhận."},
    {"key": "transfer_present_days", "name": "Thời hạn nộp giấy giới thiệu sinh hoạt đảng", "value": 30,
     "unit": "days", "citation": "Quy định 29-QĐ/TW, điểm 6.3", "effective_from": SINCE,
     "note": "Trong 30 ngày kể từ ngày ký giấy giới thiệu, đảng viên phải xuất trình với cấp ủy nơi đến."},
    {"key": "removal_absence_months", "name": "Bỏ sinh hoạt hoặc không đóng đảng phí (căn cứ xóa tên)",
     "value": 3, "unit": "months", "citation": "Quy định 29-QĐ/TW, điểm 8.1; Quy định về đảng phí (2026)",
     "effective_from": SINCE,
     "note": "Ba tháng trong năm không tham gia sinh hoạt đảng hoặc không đóng đảng phí mà không có lý do chính đáng."},
    {"key": "badge_first_years", "name": "Huy hiệu Đảng: mốc đầu tiên", "value": 30, "unit": "years",
     "citation": "Hướng dẫn 01-HD/TW (2021), điểm 18", "effective_from": SINCE,
     "note": "Huy hiệu 30 năm tuổi đảng; các mốc sau: 40, 45, 50 … 90 năm (mỗi 5 năm từ 40)."},
    {"key": "badge_second_years", "name": "Huy hiệu Đảng: mốc thứ hai", "value": 40, "unit": "years",
     "citation": "Hướng dẫn 01-HD/TW (2021), điểm 18", "effective_from": SINCE, "note": "Huy hiệu 40 năm tuổi đảng."},
    {"key": "badge_step_years", "name": "Huy hiệu Đảng: khoảng cách các mốc sau", "value": 5, "unit": "years",
     "citation": "Hướng dẫn 01-HD/TW (2021), điểm 18", "effective_from": SINCE,
     "note": "Từ 40 năm, cứ 5 năm một mốc: 45, 50, 55, 60, 65, 70, 75, 80, 85."},
    {"key": "badge_last_years", "name": "Huy hiệu Đảng: mốc cao nhất", "value": 90, "unit": "years",
     "citation": "Hướng dẫn 01-HD/TW (2021), điểm 18", "effective_from": SINCE, "note": "Huy hiệu 90 năm tuổi đảng."},
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
    dependencies = [("core", "0005_holidays_2026_2027")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
