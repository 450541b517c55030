"""The rules of recognition as an official member (extension, failed votes), each row as
chibo.core.seed writes it on a new database. The single place this data lives."""

from __future__ import annotations

from typing import Any

from chibo.core.reference import QD294, SINCE

RULES: list[dict[str, Any]] = [
    {
        "key": "recognition_decision_extension_working_days",
        "name": "Gia hạn quyết định công nhận đảng viên chính thức (trường hợp đặc biệt)",
        "value": 30,
        "unit": "working_days",
        "citation": ("Quy định 29-QĐ/TW (2016), điểm 4.3.1 (nhắc lại trong Quy định 24-QĐ/TW và "
                     "232-QĐ/TW)"),
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": ("Trường hợp đặc biệt được gia hạn một lần, không quá 30 ngày làm việc, như với "
                 "quyết định kết nạp."),
    },
    {
        "key": "recognition_decision_extension_working_days",
        "name": "Gia hạn quyết định công nhận đảng viên chính thức (trường hợp đặc biệt)",
        "value": 30,
        "unit": "working_days",
        "citation": "Quy định 294-QĐ/TW (26/5/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": True,
        "note": ("Trường hợp đặc biệt được gia hạn một lần, không quá 30 ngày làm việc. Số điểm "
                 "trong Quy định 294 chưa đối chiếu; nội dung như văn bản trước."),
    },
    {
        "key": "recognition_failed_votes_to_superior",
        "name": ("Số lần chi bộ biểu quyết không đủ hai phần ba thì báo cáo cấp ủy cấp trên "
                 "quyết định"),
        "value": 3,
        "unit": "count",
        "citation": "Quy định 29-QĐ/TW (2016), điểm 4.2; Quy định 24-QĐ/TW (2021), điểm 4.2.3",
        "effective_from": SINCE,
        "effective_to": QD294,
        "confirmed": True,
        "note": ("Tổ chức đảng cấp dưới đã biểu quyết 3 lần không đủ hai phần ba đảng viên chính"
                 " thức (hoặc cấp ủy viên) tán thành công nhận chính thức hoặc đề nghị xóa tên "
                 "thì báo cáo cấp ủy cấp trên trực tiếp xem xét, quyết định."),
    },
    {
        "key": "recognition_failed_votes_to_superior",
        "name": ("Số lần chi bộ biểu quyết không đủ hai phần ba thì báo cáo cấp ủy cấp trên "
                 "quyết định"),
        "value": 3,
        "unit": "count",
        "citation": "Quy định 294-QĐ/TW (26/5/2025)",
        "effective_from": QD294,
        "effective_to": None,
        "confirmed": True,
        "note": ("Biểu quyết 3 lần không đủ hai phần ba thì báo cáo cấp ủy cấp trên trực tiếp "
                 "xem xét, quyết định. Số điểm trong Quy định 294 chưa đối chiếu; nội dung như "
                 "văn bản trước."),
    },
]
