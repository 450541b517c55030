"""The rules of temporary transfers and exemptions from party work, each row as
chibo.core.seed writes it on a new database. The single place this data lives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chibo.core.reference import QD294, SINCE

RULES: list[dict[str, Any]] = [
    {
        "key": "exemption_age_men",
        "name": "Miễn công tác và sinh hoạt đảng: tuổi cao (nam, trên)",
        "value": 60,
        "unit": "years",
        "citation": "Hướng dẫn 27-HD/BTCTW (26/3/2009)",
        "effective_from": dt.date(2009, 3, 26),
        "effective_to": None,
        "confirmed": True,
        "note": ("Quá tuổi lao động theo Bộ luật Lao động khi ban hành hướng dẫn: nam trên 60 "
                 "tuổi."),
    },
    {
        "key": "exemption_age_women",
        "name": "Miễn công tác và sinh hoạt đảng: tuổi cao (nữ, trên)",
        "value": 55,
        "unit": "years",
        "citation": "Hướng dẫn 27-HD/BTCTW (26/3/2009)",
        "effective_from": dt.date(2009, 3, 26),
        "effective_to": None,
        "confirmed": True,
        "note": "Quá tuổi lao động theo Bộ luật Lao động khi ban hành hướng dẫn: nữ trên 55 tuổi.",
    },
    {
        "key": "exemption_health_months",
        "name": "Miễn công tác và sinh hoạt đảng: sức khỏe yếu (điều trị từ)",
        "value": 3,
        "unit": "months",
        "citation": "Hướng dẫn 27-HD/BTCTW (26/3/2009)",
        "effective_from": dt.date(2009, 3, 26),
        "effective_to": None,
        "confirmed": True,
        "note": "Bệnh phải điều trị từ 3 tháng trở lên hoặc có hồ sơ bệnh án.",
    },
    {
        "key": "exemption_travel_months",
        "name": "Miễn công tác và sinh hoạt đảng: đi xa, làm việc lưu động (từ)",
        "value": 3,
        "unit": "months",
        "citation": "Hướng dẫn 27-HD/BTCTW (26/3/2009)",
        "effective_from": dt.date(2009, 3, 26),
        "effective_to": None,
        "confirmed": True,
        "note": "Trường hợp khác: đi xa từ 3 tháng trở lên, làm việc lưu động.",
    },
    {
        "key": "temporary_study_max_months",
        "name": "Sinh hoạt đảng tạm thời khi đi học tập trung: thời gian tối đa",
        "value": 24,
        "unit": "months",
        "citation": "Quy định 29-QĐ/TW (2016), điểm 6",
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": "3 tháng đến dưới 1 năm; học tập đến 2 năm",
    },
    {
        "key": "temporary_study_max_months",
        "name": "Sinh hoạt đảng tạm thời khi đi học tập trung: thời gian tối đa",
        "value": 24,
        "unit": "months",
        "citation": "Quy định 294-QĐ/TW (26/5/2025); Hướng dẫn 06-HD/TW (09/6/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": False,
        "note": ("Hướng dẫn 06-HD/TW (2025) có mục về chuyển sinh hoạt đảng; thời hạn sinh hoạt "
                 "tạm thời theo văn bản mới chưa xác nhận, giữ thời hạn của Quy định 29-QĐ/TW "
                 "(2016), điểm 6."),
    },
    {
        "key": "temporary_transfer_max_months",
        "name": "Sinh hoạt đảng tạm thời: thời gian tối đa (dưới)",
        "value": 12,
        "unit": "months",
        "citation": "Quy định 29-QĐ/TW (2016), điểm 6",
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": "3 tháng đến dưới 1 năm; học tập đến 2 năm",
    },
    {
        "key": "temporary_transfer_max_months",
        "name": "Sinh hoạt đảng tạm thời: thời gian tối đa (dưới)",
        "value": 12,
        "unit": "months",
        "citation": "Quy định 294-QĐ/TW (26/5/2025); Hướng dẫn 06-HD/TW (09/6/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": False,
        "note": ("Hướng dẫn 06-HD/TW (2025) có mục về chuyển sinh hoạt đảng; thời hạn sinh hoạt "
                 "tạm thời theo văn bản mới chưa xác nhận, giữ thời hạn của Quy định 29-QĐ/TW "
                 "(2016), điểm 6."),
    },
    {
        "key": "temporary_transfer_min_months",
        "name": "Sinh hoạt đảng tạm thời: thời gian tối thiểu",
        "value": 3,
        "unit": "months",
        "citation": "Quy định 29-QĐ/TW (2016), điểm 6",
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": "3 tháng đến dưới 1 năm; học tập đến 2 năm",
    },
    {
        "key": "temporary_transfer_min_months",
        "name": "Sinh hoạt đảng tạm thời: thời gian tối thiểu",
        "value": 3,
        "unit": "months",
        "citation": "Quy định 294-QĐ/TW (26/5/2025); Hướng dẫn 06-HD/TW (09/6/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": False,
        "note": ("Hướng dẫn 06-HD/TW (2025) có mục về chuyển sinh hoạt đảng; thời hạn sinh hoạt "
                 "tạm thời theo văn bản mới chưa xác nhận, giữ thời hạn của Quy định 29-QĐ/TW "
                 "(2016), điểm 6."),
    },
]
